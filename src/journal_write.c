// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * journal_write.c - vfiomigtop -w: after every refresh, one record with
 * what each source's snapshot changed since the last record (diffed
 * against a shadow copy, which is exactly what a replay rebuilds), the
 * steps, the refresh's time, then the attempts it decided.
 *
 * The refresh loop only formats records (a few microseconds) and hands
 * them to a writer thread, which owns the file: it appends, rotates and
 * syncs, so a slow or stalled disk never holds the screen.  When the
 * queue is full or a write fails, records are dropped and counted; the
 * next record that gets through is preceded by a gap and a keyframe (the
 * whole state), from which a replay resumes.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "run.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* Bytes queued for the writer thread at most; past it records are dropped. */
#define JW_QUEUE_MAX (16u * 1024 * 1024)
/* After a failed write, the next keyframe is tried this much later. */
#define JW_RETRY_NS (5 * CLOCK_NS_PER_S)
/* debugfs's statfs magic (linux/magic.h). */
#define JW_DEBUGFS_MAGIC 0x64626720

/* ---- facts about a host and a source ---- */

static void jw_read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");

	out[0] = 0;
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

/* This host's name, kernel release, boot id and vfiomig.ko version. */
void journal_host_facts(char *host, size_t hlen, char *kernel, size_t klen,
			char *boot, size_t blen, char *module, size_t mlen)
{
	struct utsname u;

	if (gethostname(host, hlen) || !host[0])
		snprintf(host, hlen, "localhost");
	host[hlen - 1] = 0;
	if (!uname(&u))
		snprintf(kernel, klen, "%s", u.release);
	else
		kernel[0] = 0;
	jw_read_line("/proc/sys/kernel/random/boot_id", boot, blen);
	jw_read_line("/sys/module/vfiomig/version", module, mlen);
	if (!module[0] && !access("/sys/module/vfiomig", F_OK))
		snprintf(module, mlen, "loaded");
}

/*
 * Where the devices of a local source come from: the module's debugfs
 * root (its `root` parameter, "vfiomig" unless changed), the kernel's own
 * (CONFIG_VFIO_DEBUGFS), or a plain directory (a test tree, a copy).
 */
static const char *jw_root_files(const char *root, const char *modroot)
{
	struct statfs sf;
	const char *base = strrchr(root, '/');

	base = base ? base + 1 : root;
	if (statfs(root, &sf) || (unsigned long)sf.f_type != JW_DEBUGFS_MAGIC)
		return "directory";
	if (modroot[0] && !strcmp(base, modroot))
		return "vfiomig.ko";
	return "kernel-debugfs";
}

void journal_local_info(const char *spec, const char *kind,
			struct journal_srcinfo *out)
{
	char boot[64], modroot[64], copy[4096], *save = NULL;
	bool first = true;

	memset(out, 0, sizeof(*out));
	snprintf(out->kind, sizeof(out->kind), "%s", kind);
	if (strcmp(kind, "debugfs")) {
		snprintf(out->files, sizeof(out->files), "remote");
		return;
	}
	journal_host_facts(out->host, sizeof(out->host), out->kernel,
			   sizeof(out->kernel), boot, sizeof(boot), out->module,
			   sizeof(out->module));
	out->host[0] = 0;	/* this host: said in the header */
	jw_read_line("/sys/module/vfiomig/parameters/root", modroot,
		     sizeof(modroot));
	if (!modroot[0] && !access("/sys/module/vfiomig", F_OK))
		snprintf(modroot, sizeof(modroot), "vfiomig");
	snprintf(copy, sizeof(copy), "%s", spec);
	for (char *tok = strtok_r(copy, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save)) {
		const char *f = jw_root_files(tok, modroot);
		size_t n = strlen(out->files);

		if (!first && strstr(out->files, f))
			continue;
		snprintf(out->files + n, sizeof(out->files) - n, "%s%s",
			 first ? "" : "+", f);
		first = false;
	}
}

/* ---- device identity ---- */

const struct journal_ident *journal_ident_find(const struct journal_idents *s,
					       int side, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].side == side && !strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

void journal_ident_set(struct journal_idents *s, int side, const char *name,
		       const char *key, const char *val)
{
	struct journal_ident *id = (struct journal_ident *)
		journal_ident_find(s, side, name);

	if (!id) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			struct journal_ident *nv = realloc(s->v, cap * sizeof(*nv));

			if (!nv)
				return;
			s->v = nv;
			s->cap = cap;
		}
		id = &s->v[s->n++];
		memset(id, 0, sizeof(*id));
		id->side = side;
		snprintf(id->name, sizeof(id->name), "%s", name);
	}
	for (size_t i = 0; i < id->n; i++)
		if (!strcmp(id->kv[i].key, key)) {
			snprintf(id->kv[i].val, sizeof(id->kv[i].val), "%s", val);
			return;
		}
	if (id->n == JOURNAL_IDENT_MAX)
		return;
	snprintf(id->kv[id->n].key, sizeof(id->kv[id->n].key), "%s", key);
	snprintf(id->kv[id->n].val, sizeof(id->kv[id->n].val), "%s", val);
	id->n++;
}

const char *journal_ident_get(const struct journal_idents *s, int side,
			      const char *name, const char *key)
{
	const struct journal_ident *id = journal_ident_find(s, side, name);

	if (!id)
		return NULL;
	for (size_t i = 0; i < id->n; i++)
		if (!strcmp(id->kv[i].key, key))
			return id->kv[i].val;
	return NULL;
}

void journal_ident_free(struct journal_idents *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void jw_link_base(const char *link, char *out, size_t len)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	const char *b;

	out[0] = 0;
	if (n <= 0)
		return;
	buf[n] = 0;
	b = strrchr(buf, '/');
	snprintf(out, len, "%s", b ? b + 1 : buf);
}

/*
 * The driver bound to a local device (a PCI function or an mdev) and, for
 * an mdev, its parent's driver (mtty, a vendor's): what sysfs says now.
 * A stopgap until issue 11's device identity fills it; names that are not
 * in sysfs (a test tree) give "".
 */
void journal_ident_local(const char *name, char *driver, size_t dlen,
			 char *parent, size_t plen)
{
	char p[PATH_MAX];

	driver[0] = parent[0] = 0;
	if (!name[0] || strchr(name, '/') || name[0] == '.')
		return;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", name);
	jw_link_base(p, driver, dlen);
	if (driver[0])
		return;
	snprintf(p, sizeof(p), "/sys/bus/mdev/devices/%s/driver", name);
	jw_link_base(p, driver, dlen);
	snprintf(p, sizeof(p), "/sys/bus/mdev/devices/%s/../driver", name);
	jw_link_base(p, parent, plen);
}

/* ---- the writer ---- */

/* A piece of the file for the writer thread. */
struct jw_chunk {
	struct jw_chunk *next;
	bool rotate;		/* start a new file before writing it */
	bool sync;		/* fdatasync after it (a decided attempt) */
	size_t len;
	char data[];
};

/* What a replay has for one source: the shadow the next record is
 * diffed against. */
struct jw_shadow {
	struct snap_dev *dev;		/* slots */
	size_t cap;			/* allocated */
	size_t nslots;			/* as last recorded */
	enum snap_link link;
	char msg[256];
	int64_t off;			/* clock_offset_ns */
	bool ever;
	char host[256];
};

/* A source device's attempts decided, as last seen. */
struct jw_ndec {
	uint64_t serial;		/* model_dev.serial of the device (an index taken again is another) */
	uint32_t n;			/* its track's ndecided */
};

struct journal_writer {
	struct journal_wcfg cfg;
	char *path;			/* absolute path of the file */
	char host[256], kernel[128], boot[64], module[64];
	uint64_t session;		/* random id of this recording */
	uint32_t file_seq;		/* 0 for the first file, +1 per rotation */
	uint64_t file_bytes;		/* bytes queued for the current file */
	uint64_t last_t;		/* time of the last refresh recorded */
	uint64_t delay_ns;		/* -d as last recorded */
	struct journal_srcinfo info[RUN_MAX_SOURCES];
	struct jw_shadow sh[RUN_MAX_SOURCES];
	size_t nsrc;
	uint64_t ev_next;		/* next model event to look at */
	uint64_t vf_next;		/* next VMM failure to record (model_vmmfail()) */
	struct jw_ndec *ndec;		/* per device index: its track's ndecided, as last seen */
	size_t nndec;
	uint8_t *mark;			/* scratch: slots in the changed list */
	size_t nmark;
	uint8_t *rel[RUN_MAX_SOURCES];	/* scratch: slots whose seen_ns the model read */
	size_t nrel[RUN_MAX_SOURCES];
	struct obuf rec;		/* records being built */
	struct obuf hdr;		/* header, keyframe */
	struct journal_idents idents;	/* facts already recorded */
	struct journal_idents pend_ids;	/* facts to record with the next record */
	uint64_t forgotten;		/* model.forgotten when idents was last pruned */
	bool need_key;			/* records were lost: a gap and a keyframe next */
	uint64_t lost_pending;		/* records lost since the last gap record */
	uint64_t retry_ns;		/* no keyframe before this after a failure */
	struct journal_stats st;
	/* shared with the thread (under mu) */
	pthread_t th;
	bool th_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct jw_chunk *head, *tail;
	size_t queued;
	bool stop;
	int werr;			/* errno of a failed write, 0 */
	bool werr_new;			/* ... not reported yet */
	bool wfailed;			/* a write failed: records are lost */
	int fd;				/* the file (the thread's once started) */
	uint64_t synced_ns;		/* last fdatasync */
	bool dirty;			/* written since */
	bool cut;			/* the last write failed: a line may be unfinished */
};

static void jw_put_u64(struct obuf *b, const char *key, uint64_t v)
{
	obuf_putc(b, ' ');
	obuf_puts(b, key);
	obuf_putc(b, '=');
	obuf_u64(b, v);
}

static void jw_put_str(struct obuf *b, const char *key, const char *s)
{
	obuf_putc(b, ' ');
	obuf_puts(b, key);
	obuf_putc(b, '=');
	jf_esc(b, s, strlen(s));
}

static const char *jw_feed_name(enum model_feed k)
{
	return k == MODEL_FEED_DST ? "dst" : k == MODEL_FEED_SHARED ? "shared" :
	       "src";
}

/* The header of a file: J, then the pairs and the sources. */
static void jw_header(struct journal_writer *w, const struct run *r,
		      struct obuf *b)
{
	const struct model_cfg *mc = &r->m.cfg;
	size_t st = b->len;
	char sid[24];

	snprintf(sid, sizeof(sid), "%016llx", (unsigned long long)w->session);
	obuf_printf(b, "J %s schema=%d", JOURNAL_MAGIC, JOURNAL_SCHEMA);
	jw_put_str(b, "writer", "vfiomigtop/" PACKAGE_VERSION);
	jw_put_str(b, "session", sid);
	jw_put_u64(b, "file", w->file_seq);
	jw_put_str(b, "path", w->path);
	jw_put_str(b, "host", w->host);
	jw_put_str(b, "kernel", w->kernel);
	jw_put_str(b, "boot", w->boot);
	jw_put_str(b, "module", w->module);
	obuf_puts(b, " real_off=");
	obuf_i64(b, r->ctx.real_off_ns);
	jw_put_u64(b, "start", w->last_t ? w->last_t : clock_mono_ns());
	jw_put_u64(b, "delay", r->delay_ns);
	jw_put_u64(b, "stuck", mc->ac.stuck_ns);
	jw_put_u64(b, "busy", mc->ac.busy_ns);
	jw_put_u64(b, "tomb", mc->tomb_ns);
	jw_put_u64(b, "nsrc", r->nsrc);
	jf_end(b, st);
	for (size_t k = 0; k < mc->npairs; k++) {
		st = b->len;
		obuf_putc(b, 'P');
		jw_put_str(b, "src", mc->pairs[k].src);
		jw_put_str(b, "dst", mc->pairs[k].dst);
		jf_end(b, st);
	}
	for (size_t i = 0; i < r->nsrc; i++) {
		const struct journal_srcinfo *in = &w->info[i];

		st = b->len;
		obuf_putc(b, 'S');
		jw_put_u64(b, "i", i);
		jw_put_str(b, "feed", jw_feed_name(r->m.feeds[r->feed[i]].kind));
		jw_put_str(b, "kind", in->kind);
		jw_put_str(b, "spec", r->src[i]->spec);
		jw_put_str(b, "files", in->files);
		jw_put_str(b, "kernel", in->kernel);
		jw_put_str(b, "module", in->module);
		jf_end(b, st);
	}
}

/* One slot in full (a keyframe). */
static void jw_slot_full(struct obuf *b, const struct snap_dev *d, size_t slot,
			 uint64_t t)
{
	obuf_puts(b, " #");
	obuf_u64(b, slot);
	obuf_puts(b, " g");
	obuf_u64(b, d->gen);
	obuf_puts(b, d->present ? " p1" : " p0");
	if (d->name[0]) {
		obuf_puts(b, " n");
		jf_esc(b, d->name, strnlen(d->name, sizeof(d->name)));
	}
	obuf_puts(b, " v");
	obuf_puts(b, dstate_token(d->val));
	obuf_puts(b, " e");
	obuf_i64(b, d->err);
	obuf_puts(b, " f");
	jf_features(b, d->features_known, d->features, d->dirty_tracking);
	obuf_puts(b, " r");
	jf_time(b, d->read_ns, t);
	obuf_puts(b, " s");
	jf_time(b, d->seen_ns, t);
	obuf_puts(b, " q");
	jf_time(b, d->prev_ns, t);
	obuf_puts(b, " b");
	jf_time(b, d->busy_ns, t);
	obuf_puts(b, d->exact ? " x1" : " x0");
	obuf_puts(b, d->stale ? " t1" : " t0");
	obuf_puts(b, " w");
	for (size_t i = 0; i < d->raw_len && i < sizeof(d->raw); i++)
		obuf_printf(b, "%02x", (unsigned char)d->raw[i]);
}

/* A source's own fields in full (a keyframe). */
static void jw_src_full(struct obuf *b, const struct jw_shadow *sh)
{
	obuf_puts(b, " N");
	obuf_u64(b, sh->nslots);
	obuf_puts(b, " L");
	obuf_puts(b, jf_link_name(sh->link));
	obuf_puts(b, " M");
	jf_esc(b, sh->msg, strlen(sh->msg));
	obuf_puts(b, " O");
	obuf_i64(b, sh->off);
	obuf_puts(b, sh->ever ? " E1" : " E0");
	obuf_puts(b, " H");
	jf_esc(b, sh->host, strlen(sh->host));
}

/* The whole state as a replay has it, at @t (the last refresh). */
static void jw_keyframe(struct journal_writer *w, struct obuf *b, uint64_t t)
{
	size_t st = b->len;

	obuf_puts(b, "k ");
	obuf_u64(b, t);
	for (size_t i = 0; i < w->nsrc; i++) {
		const struct jw_shadow *sh = &w->sh[i];

		obuf_puts(b, " @");
		obuf_u64(b, i);
		jw_src_full(b, sh);
		for (size_t s = 0; s < sh->nslots; s++)
			jw_slot_full(b, &sh->dev[s], s, t);
	}
	jf_end(b, st);
}

static int jw_grow(struct jw_shadow *sh, size_t n)
{
	struct snap_dev *nd;

	if (n <= sh->cap)
		return 0;
	nd = realloc(sh->dev, n * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	memset(nd + sh->cap, 0, (n - sh->cap) * sizeof(*nd));
	sh->dev = nd;
	sh->cap = n;
	return 0;
}

/*
 * Which slots' seen_ns the model read in this refresh: those of devices
 * whose pair has an attempt open, or one decided just now
 * (model_feed_pair() confirms values then).  Elsewhere seen_ns moves at
 * every read and matters to nobody, so it is not recorded.  One pass over
 * the pairs; each track's ndecided is kept for the next refresh.
 */
static int jw_relevant(struct journal_writer *w, const struct run *r)
{
	const struct model *m = &r->m;

	if (w->nndec < m->ndevs) {
		struct jw_ndec *n = realloc(w->ndec, (m->ndevs + 64) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		memset(n + w->nndec, 0, (m->ndevs + 64 - w->nndec) * sizeof(*n));
		w->ndec = n;
		w->nndec = m->ndevs + 64;
	}
	for (size_t k = 0; k < m->npairs; k++) {
		const struct model_pair *p = &m->pairs[k];
		int src = p->dev[PAIR_SRC];
		bool rel;

		if (!p->att || src < 0 || p->dev[PAIR_DST] < 0)
			continue;
		rel = p->att->open || w->ndec[src].n != p->att->ndecided ||
		      w->ndec[src].serial != m->devs[src]->serial;
		w->ndec[src].n = p->att->ndecided;
		w->ndec[src].serial = m->devs[src]->serial;
		if (!rel)
			continue;
		for (int side = 0; side < PAIR_NSIDES; side++) {
			const struct model_dev *d = m->devs[p->dev[side]];

			for (size_t i = 0; i < r->nsrc; i++)
				if (r->feed[i] == d->feed &&
				    d->slot < w->nrel[i] && d->present)
					w->rel[i][d->slot] = 1;
		}
	}
	return 0;
}

/* The fields of one slot that differ from the shadow; updates the shadow.
 * Returns whether anything was written. */
static bool jw_slot_diff(struct obuf *b, struct snap_dev *sh,
			 const struct snap_dev *d, size_t slot, bool changed,
			 bool seen, uint64_t t)
{
	size_t st0 = b->len, st;

	obuf_puts(b, " #");
	obuf_u64(b, slot);
	st = b->len;
	if (d->gen != sh->gen) {
		obuf_puts(b, " g");
		obuf_u64(b, d->gen);
		sh->gen = d->gen;
	}
	if (d->present != sh->present) {
		obuf_puts(b, d->present ? " p1" : " p0");
		sh->present = d->present;
	}
	if (strncmp(d->name, sh->name, sizeof(d->name))) {
		obuf_puts(b, " n");
		jf_esc(b, d->name, strnlen(d->name, sizeof(d->name)));
		memcpy(sh->name, d->name, sizeof(sh->name));
	}
	if (d->val != sh->val) {
		obuf_puts(b, " v");
		obuf_puts(b, dstate_token(d->val));
		sh->val = d->val;
	}
	if (d->err != sh->err) {
		obuf_puts(b, " e");
		obuf_i64(b, d->err);
		sh->err = d->err;
	}
	if (d->features_known != sh->features_known ||
	    d->features != sh->features ||
	    d->dirty_tracking != sh->dirty_tracking) {
		obuf_puts(b, " f");
		jf_features(b, d->features_known, d->features, d->dirty_tracking);
		sh->features_known = d->features_known;
		sh->features = d->features;
		sh->dirty_tracking = d->dirty_tracking;
	}
	if (changed && d->read_ns != sh->read_ns) {
		obuf_puts(b, " r");
		jf_time(b, d->read_ns, t);
		sh->read_ns = d->read_ns;
	}
	if ((changed || seen) && d->seen_ns != sh->seen_ns) {
		obuf_puts(b, " s");
		jf_time(b, d->seen_ns, t);
		sh->seen_ns = d->seen_ns;
	}
	if (changed && d->prev_ns != sh->prev_ns) {
		obuf_puts(b, " q");
		jf_time(b, d->prev_ns, t);
		sh->prev_ns = d->prev_ns;
	}
	if (d->busy_ns != sh->busy_ns) {
		obuf_puts(b, " b");
		jf_time(b, d->busy_ns, t);
		sh->busy_ns = d->busy_ns;
	}
	if (d->exact != sh->exact) {
		obuf_puts(b, d->exact ? " x1" : " x0");
		sh->exact = d->exact;
	}
	if (d->stale != sh->stale) {
		obuf_puts(b, d->stale ? " t1" : " t0");
		sh->stale = d->stale;
	}
	if (d->raw_len != sh->raw_len ||
	    memcmp(d->raw, sh->raw, d->raw_len < sizeof(d->raw) ?
				    d->raw_len : sizeof(d->raw))) {
		obuf_puts(b, " w");
		for (size_t i = 0; i < d->raw_len && i < sizeof(d->raw); i++)
			obuf_printf(b, "%02x", (unsigned char)d->raw[i]);
		sh->raw_len = d->raw_len;
		memcpy(sh->raw, d->raw, sizeof(sh->raw));
	}
	if (b->len == st) {
		b->len = st0;	/* nothing: take back " #slot" */
		return false;
	}
	return true;
}

/* What source @i changed since the last record.  Returns whether anything
 * was written. */
static bool jw_source(struct journal_writer *w, const struct run *r, size_t i,
		      uint64_t t)
{
	const struct snapshot *sn = &r->src[i]->snap;
	struct jw_shadow *sh = &w->sh[i];
	struct obuf *b = &w->rec;
	size_t st = b->len, body;

	obuf_puts(b, " @");
	obuf_u64(b, i);
	body = b->len;
	if (jw_grow(sh, sn->nslots)) {
		b->oom = true;
		return false;
	}
	if (sn->nslots != sh->nslots) {
		obuf_puts(b, " N");
		obuf_u64(b, sn->nslots);
		sh->nslots = sn->nslots;
	}
	if (sn->link != sh->link) {
		obuf_puts(b, " L");
		obuf_puts(b, jf_link_name(sn->link));
		sh->link = sn->link;
	}
	if (strncmp(sn->msg, sh->msg, sizeof(sh->msg))) {
		obuf_puts(b, " M");
		jf_esc(b, sn->msg, strnlen(sn->msg, sizeof(sn->msg)));
		memcpy(sh->msg, sn->msg, sizeof(sh->msg));
	}
	if (sn->clock_offset_ns != sh->off) {
		obuf_puts(b, " O");
		obuf_i64(b, sn->clock_offset_ns);
		sh->off = sn->clock_offset_ns;
	}
	if (sn->ever != sh->ever) {
		obuf_puts(b, sn->ever ? " E1" : " E0");
		sh->ever = sn->ever;
	}
	if (strncmp(sn->host, sh->host, sizeof(sh->host))) {
		obuf_puts(b, " H");
		jf_esc(b, sn->host, strnlen(sn->host, sizeof(sn->host)));
		memcpy(sh->host, sn->host, sizeof(sh->host));
	}
	if (sn->nchanged) {
		obuf_puts(b, " C");
		for (size_t k = 0; k < sn->nchanged; k++) {
			if (k)
				obuf_putc(b, ',');
			obuf_u64(b, sn->changed[k]);
		}
	}
	for (size_t k = 0; k < sn->nsteps; k++) {
		const struct snap_step *s = &sn->steps[k];

		obuf_puts(b, " >");
		obuf_u64(b, s->slot);
		obuf_putc(b, ',');
		obuf_u64(b, s->gen);
		obuf_putc(b, ',');
		jf_time(b, s->t_ns, t);
		obuf_putc(b, ',');
		jf_time(b, s->lo_ns, t);
		obuf_putc(b, ',');
		obuf_puts(b, dstate_token((enum dstate)s->from));
		obuf_putc(b, ',');
		obuf_puts(b, dstate_token((enum dstate)s->to));
		obuf_putc(b, ',');
		jf_flags(b, s->flags);
	}
	if (w->nmark < sn->nslots) {
		uint8_t *m = realloc(w->mark, sn->nslots + 64);

		if (!m) {
			b->oom = true;
			return false;
		}
		memset(m, 0, sn->nslots + 64);
		w->mark = m;
		w->nmark = sn->nslots + 64;
	}
	for (size_t k = 0; k < sn->nchanged; k++)
		if (sn->changed[k] < sn->nslots)
			w->mark[sn->changed[k]] = 1;
	for (size_t s = 0; s < sn->nslots; s++) {
		const struct snap_dev *d = &sn->dev[s];
		struct snap_dev *h = &sh->dev[s];

		/* The common case: a slot the refresh did not list, whose
		 * few fields that change without a listing did not. */
		if (!w->mark[s] && d->gen == h->gen && d->present == h->present &&
		    d->val == h->val && d->busy_ns == h->busy_ns &&
		    d->stale == h->stale && d->err == h->err &&
		    d->exact == h->exact && d->raw_len == h->raw_len &&
		    d->features == h->features &&
		    d->features_known == h->features_known &&
		    d->dirty_tracking == h->dirty_tracking) {
			if (w->rel[i][s] && d->seen_ns != h->seen_ns) {
				obuf_puts(b, " #");
				obuf_u64(b, s);
				obuf_puts(b, " s");
				jf_time(b, d->seen_ns, t);
				h->seen_ns = d->seen_ns;
			}
			continue;
		}
		jw_slot_diff(b, h, d, s, w->mark[s], w->rel[i][s], t);
	}
	if (sn->nslots)
		memset(w->rel[i], 0, sn->nslots);
	for (size_t k = 0; k < sn->nchanged; k++)
		if (sn->changed[k] < sn->nslots)
			w->mark[sn->changed[k]] = 0;
	if (b->len == body) {
		b->len = st;
		return false;
	}
	return true;
}

/* The attempts the model decided in this refresh, one record each. */
static bool jw_attempts(struct journal_writer *w, const struct model *m,
			uint64_t t)
{
	struct obuf *b = &w->rec;
	bool any = false;

	if (w->ev_next + MODEL_EVENTS <= m->ev_seq)
		w->ev_next = m->ev_seq - MODEL_EVENTS + 1;
	for (; w->ev_next <= m->ev_seq; w->ev_next++) {
		const struct model_event *e = model_event(m, w->ev_next);
		const struct model_pair *p;
		const struct att_attempt *a;
		size_t st = b->len;

		if (!e || e->kind != MODEL_EV_PAIR || !e->att.decided ||
		    e->pair < 0 || (size_t)e->pair >= m->npairs)
			continue;
		p = &m->pairs[e->pair];
		a = &e->att.a;
		obuf_puts(b, "a ");
		obuf_u64(b, t);
		for (int s = 0; s < PAIR_NSIDES; s++) {
			const char *n = p->dev[s] >= 0 ? m->devs[p->dev[s]]->name :
					p->want[s];

			jw_put_str(b, s == PAIR_SRC ? "src" : "dst", n);
		}
		jw_put_u64(b, "no", a->no);
		jw_put_str(b, "outcome", att_outcome_name(a->outcome));
		jw_put_str(b, "side", a->outcome == ATT_COMPLETED ? "-" :
			   pair_side_name((enum pair_side)a->side));
		jw_put_str(b, "reason", a->outcome == ATT_COMPLETED ? "-" :
			   att_reason_code(a->reason));
		obuf_puts(b, " start=");
		jf_time(b, a->start_ns, t);
		obuf_puts(b, " end=");
		jf_time(b, a->end_ns, t);
		obuf_puts(b, a->exact ? " exact=1" : " exact=0");
		jf_end(b, st);
		any = true;
	}
	return any;
}

/* The VMM failures handed to the model in this refresh (after its pairs
 * were updated): a replay hands them over at the same point. */
static void jw_vmmfails(struct journal_writer *w, const struct model *m,
			uint64_t t)
{
	struct obuf *b = &w->rec;

	if (w->vf_next + MODEL_VMMFAILS <= m->vf_seq)
		w->vf_next = m->vf_seq - MODEL_VMMFAILS + 1;
	for (; w->vf_next <= m->vf_seq; w->vf_next++) {
		const struct model_vmmfail *f = model_vmmfail(m, w->vf_next);
		const struct model_dev *d;
		size_t st = b->len;

		if (!f || f->dev < 0 || (size_t)f->dev >= m->ndevs)
			continue;
		d = m->devs[f->dev];
		obuf_puts(b, "v ");
		obuf_u64(b, t);
		jw_put_str(b, "side", pair_side_name(d->side));
		jw_put_str(b, "name", d->name);
		obuf_puts(b, " lo=");
		jf_time(b, f->lo_ns, t);
		obuf_puts(b, " at=");
		jf_time(b, f->t_ns, t);
		jw_put_str(b, "text", f->text);
		jf_end(b, st);
	}
}

/* Device facts to record: what the hook was given, and for a new device
 * of a local debugfs tree, its driver from sysfs. */
static void jw_idents(struct journal_writer *w, const struct run *r,
		      uint64_t t)
{
	struct obuf *b = &w->rec;

	for (size_t i = 0; i < r->nsrc; i++) {
		const struct snapshot *sn = &r->src[i]->snap;

		if (strstr(w->info[i].files, "debugfs") == NULL &&
		    strstr(w->info[i].files, "vfiomig.ko") == NULL)
			continue;	/* a test tree, or remote */
		for (size_t k = 0; k < sn->nchanged; k++) {
			uint32_t s = sn->changed[k];
			const struct snap_dev *d;
			char drv[64], par[64];
			int idx;

			if (s >= sn->nslots || !sn->dev[s].present)
				continue;
			d = &sn->dev[s];
			if (s >= r->m.feeds[r->feed[i]].nslots ||
			    (idx = r->m.feeds[r->feed[i]].slotdev[s]) < 0)
				continue;
			if (journal_ident_find(&w->idents,
					       r->m.devs[idx]->side, d->name))
				continue;
			journal_ident_local(d->name, drv, sizeof(drv), par,
					    sizeof(par));
			journal_ident_set(&w->pend_ids, r->m.devs[idx]->side,
					  d->name, "driver", drv[0] ? drv : "-");
			if (par[0])
				journal_ident_set(&w->pend_ids,
						  r->m.devs[idx]->side, d->name,
						  "parent_driver", par);
		}
	}
	for (size_t k = 0; k < w->pend_ids.n; k++) {
		const struct journal_ident *id = &w->pend_ids.v[k];
		size_t st = b->len;

		obuf_puts(b, "i ");
		obuf_u64(b, t);
		jw_put_str(b, "side", pair_side_name((enum pair_side)id->side));
		jw_put_str(b, "name", id->name);
		for (size_t j = 0; j < id->n; j++) {
			jw_put_str(b, id->kv[j].key, id->kv[j].val);
			journal_ident_set(&w->idents, id->side, id->name,
					  id->kv[j].key, id->kv[j].val);
		}
		jf_end(b, st);
	}
	w->pend_ids.n = 0;
}

/* Facts recorded of devices the model has forgotten are needed no more:
 * one that comes back is a new device, told anew.  With mdevs made all
 * day the set follows the devices listed, not every one ever seen. */
static void jw_idents_forget(struct journal_writer *w, const struct model *m)
{
	size_t k = 0;

	if (w->forgotten == m->forgotten)
		return;
	w->forgotten = m->forgotten;
	for (size_t i = 0; i < w->idents.n; i++)
		if (model_dev_find(m, (enum pair_side)w->idents.v[i].side,
				   w->idents.v[i].name) >= 0)
			w->idents.v[k++] = w->idents.v[i];
	w->idents.n = k;
}

/* Record a device fact (driver, QEMU's id, ...) with the next record.
 * Keys are words ([a-z0-9_]); this is the hook for issue 11's identity. */
void journal_note_ident(struct journal_writer *w, int side, const char *name,
			const char *key, const char *val)
{
	const char *have;

	if (!w)
		return;
	have = journal_ident_get(&w->idents, side, name, key);
	if (have && !strcmp(have, val))
		return;
	journal_ident_set(&w->pend_ids, side, name, key, val);
}

/* ---- the thread that owns the file ---- */

static int jw_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EIO;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int jw_open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

/* FILE -> FILE.1 -> ... -> FILE.keep; a new FILE. */
static int jw_rotate_files(struct journal_writer *w)
{
	size_t n = strlen(w->path) + 24;
	char *a = malloc(n), *b = malloc(n);
	int rc = 0;

	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	if (w->fd >= 0) {
		fdatasync(w->fd);
		close(w->fd);
		w->fd = -1;
	}
	if (!w->cfg.keep) {
		unlink(w->path);
	} else {
		for (unsigned int k = w->cfg.keep; k > 1; k--) {
			snprintf(a, n, "%s.%u", w->path, k - 1);
			snprintf(b, n, "%s.%u", w->path, k);
			if (rename(a, b) && errno != ENOENT)
				rc = -errno;
		}
		snprintf(b, n, "%s.1", w->path);
		if (rename(w->path, b))
			rc = -errno;
	}
	w->fd = jw_open_file(w->path);
	if (w->fd < 0)
		rc = -errno;
	free(a);
	free(b);
	return rc;
}

static void jw_sync(struct journal_writer *w)
{
	if (w->fd >= 0 && w->dirty) {
		fdatasync(w->fd);
		w->dirty = false;
		w->st.syncs++;
	}
	w->synced_ns = clock_mono_ns();
}

static void jw_fail(struct journal_writer *w, int rc)
{
	pthread_mutex_lock(&w->mu);
	w->werr = -rc;
	w->werr_new = true;
	w->wfailed = true;
	pthread_mutex_unlock(&w->mu);
}

static void *jw_thread(void *arg)
{
	struct journal_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct jw_chunk *c;
		int rc = 0;

		while (!w->head && !w->stop) {
			struct timespec ts;
			uint64_t due = w->synced_ns + w->cfg.sync_ns;

			if (!w->dirty || w->cfg.sync_ns == UINT64_MAX) {
				pthread_cond_wait(&w->cv, &w->mu);
				continue;
			}
			if (clock_mono_ns() >= due) {
				pthread_mutex_unlock(&w->mu);
				jw_sync(w);
				pthread_mutex_lock(&w->mu);
				continue;
			}
			clock_gettime(CLOCK_MONOTONIC, &ts);
			due -= clock_mono_ns();
			ts.tv_sec += (time_t)(due / CLOCK_NS_PER_S);
			ts.tv_nsec += (long)(due % CLOCK_NS_PER_S);
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		}
		if (!w->head)
			break;		/* stop, and nothing left */
		c = w->head;
		w->head = c->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		if (c->rotate) {
			rc = jw_rotate_files(w);
			w->st.rotations++;
		}
		if (!rc && w->fd < 0)
			rc = -EBADF;
		/* After a failed write (a full disk), a line may have been
		 * left half written: end it before going on. */
		if (!rc && w->cut && !c->rotate)
			rc = jw_write_all(w->fd, "\n", 1);
		if (!rc)
			rc = jw_write_all(w->fd, c->data, c->len);
		w->cut = rc != 0;
		if (rc) {
			jw_fail(w, rc);
		} else {
			w->dirty = true;
			if ((c->sync && w->cfg.sync_ns != UINT64_MAX) ||
			    clock_mono_ns() - w->synced_ns >= w->cfg.sync_ns)
				jw_sync(w);
		}
		pthread_mutex_lock(&w->mu);
		w->queued -= c->len;
		free(c);
	}
	pthread_mutex_unlock(&w->mu);
	jw_sync(w);
	return NULL;
}

/* Hand @n bytes to the thread.  Returns 0, or -ENOSPC when the queue is
 * full (the disk is stalled) and nothing was queued. */
static int jw_queue(struct journal_writer *w, const char *p, size_t n,
		    bool rotate, bool sync)
{
	struct jw_chunk *c;

	pthread_mutex_lock(&w->mu);
	if (w->queued + n > JW_QUEUE_MAX && w->queued) {
		pthread_mutex_unlock(&w->mu);
		return -ENOSPC;
	}
	pthread_mutex_unlock(&w->mu);
	c = malloc(sizeof(*c) + n);
	if (!c)
		return -ENOMEM;
	c->next = NULL;
	c->rotate = rotate;
	c->sync = sync;
	c->len = n;
	memcpy(c->data, p, n);
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = c;
	else
		w->head = c;
	w->tail = c;
	w->queued += n;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	w->st.bytes += n;
	return 0;
}

static uint64_t jw_session_id(void)
{
	uint64_t v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
			v = 0;
		close(fd);
	}
	if (!v)
		v = clock_mono_ns() ^ ((uint64_t)getpid() << 32) ^
		    (uint64_t)time(NULL);
	return v;
}

/* An absolute path for the header (replays group files by it). */
static char *jw_abs(const char *path)
{
	char cwd[PATH_MAX];
	char *p;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	p = malloc(strlen(cwd) + strlen(path) + 2);
	if (p)
		sprintf(p, "%s/%s", cwd, path);
	return p;
}

/*
 * Open (append to) the journal and write its header: the recording, the
 * pairs and the sources of @r.  The file is checked here, before the
 * screen starts, so that a wrong path is a clear error.
 */
struct journal_writer *journal_open(const struct journal_wcfg *cfg,
				    const struct run *r, char *err,
				    size_t len)
{
	struct journal_writer *w = calloc(1, sizeof(*w));
	struct stat st;
	char last = '\n';

	if (!w || !(w->path = jw_abs(cfg->path))) {
		free(w);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	w->cfg = *cfg;
	if (!w->cfg.sync_ns)
		w->cfg.sync_ns = 5 * CLOCK_NS_PER_S;
	w->fd = jw_open_file(cfg->path);
	if (w->fd < 0) {
		snprintf(err, len, "-w %s: %s", cfg->path, strerror(errno));
		free(w->path);
		free(w);
		return NULL;
	}
	if (fstat(w->fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, len, "-w %s: not a regular file", cfg->path);
		close(w->fd);
		free(w->path);
		free(w);
		return NULL;
	}
	/* A record cut by a crash: end its line, so that ours start clean
	 * (a reader reports that line as damaged and skips it). */
	if (st.st_size > 0) {
		int rfd = open(cfg->path, O_RDONLY | O_CLOEXEC);

		if (rfd < 0 || pread(rfd, &last, 1, st.st_size - 1) != 1)
			last = 0;	/* unreadable: end the line anyway */
		if (rfd >= 0)
			close(rfd);
	}
	if (last != '\n' && write(w->fd, "\n", 1) != 1) {
		snprintf(err, len, "-w %s: %s", cfg->path, strerror(errno));
		close(w->fd);
		free(w->path);
		free(w);
		return NULL;
	}
	w->file_bytes = (uint64_t)st.st_size;
	journal_host_facts(w->host, sizeof(w->host), w->kernel,
			   sizeof(w->kernel), w->boot, sizeof(w->boot),
			   w->module, sizeof(w->module));
	w->session = jw_session_id();
	w->nsrc = r->nsrc;
	for (size_t i = 0; i < r->nsrc; i++)
		journal_local_info(r->src[i]->spec, r->src[i]->ops->kind,
				   &w->info[i]);
	w->delay_ns = r->delay_ns;
	w->ev_next = r->m.ev_seq + 1;
	w->vf_next = r->m.vf_seq + 1;
	obuf_init(&w->rec);
	obuf_init(&w->hdr);
	pthread_mutex_init(&w->mu, NULL);
	{
		/* The thread's waits are deadlines on CLOCK_MONOTONIC. */
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&w->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	w->synced_ns = clock_mono_ns();
	jw_header(w, r, &w->hdr);
	/* Already past the limit (an old file): start a fresh one. */
	if (w->cfg.max_bytes && w->file_bytes >= w->cfg.max_bytes) {
		w->file_bytes = 0;
		if (jw_rotate_files(w)) {
			snprintf(err, len, "-w %s: cannot rotate: %s", cfg->path,
				 strerror(errno));
			journal_close(w, 0, NULL, 0);
			return NULL;
		}
	}
	if (jw_write_all(w->fd, w->hdr.p, w->hdr.len)) {
		snprintf(err, len, "-w %s: %s", cfg->path, strerror(errno));
		journal_close(w, 0, NULL, 0);
		return NULL;
	}
	w->file_bytes += w->hdr.len;
	w->st.bytes += w->hdr.len;
	obuf_reset(&w->hdr);
	if (pthread_create(&w->th, NULL, jw_thread, w)) {
		snprintf(err, len, "-w %s: cannot start its writer thread",
			 cfg->path);
		journal_close(w, 0, NULL, 0);
		return NULL;
	}
	w->th_started = true;
	return w;
}

static void jw_report_error(struct journal_writer *w)
{
	int e = 0;

	pthread_mutex_lock(&w->mu);
	if (w->werr_new) {
		e = w->werr;
		w->werr_new = false;
	}
	if (w->wfailed) {
		w->wfailed = false;
		w->need_key = true;
		w->retry_ns = clock_mono_ns() + JW_RETRY_NS;
		w->lost_pending++;
		w->st.lost++;
	}
	pthread_mutex_unlock(&w->mu);
	if (e && !w->cfg.quiet)
		fprintf(stderr, "vfiomigtop: journal %s: write failed: %s (records are dropped until it works again)\n",
			w->path, strerror(e));
}

/*
 * The refresh at @now_ns is in the model: record it.  Called by the run
 * loop after every refresh (run.after_refresh).
 */
void journal_refresh(struct journal_writer *w, const struct run *r,
		     uint64_t now_ns, bool extra)
{
	uint64_t t0 = clock_mono_ns(), dt;
	struct obuf *b = &w->rec;
	bool rotate = false, keyframe, sync;
	size_t st;

	jw_report_error(w);
	obuf_reset(b);
	keyframe = w->need_key && t0 >= w->retry_ns;
	if (w->cfg.max_bytes && w->file_bytes >= w->cfg.max_bytes &&
	    w->last_t) {
		/* A new file begins with the header and the whole state. */
		w->file_seq++;
		jw_header(w, r, b);
		rotate = keyframe = true;
	}
	if (w->need_key && t0 >= w->retry_ns) {
		/* Records were lost: say so; the keyframe after it has the
		 * whole state as it was after the last refresh, from which a
		 * replay resumes. */
		st = b->len;
		obuf_puts(b, "g ");
		obuf_u64(b, w->last_t);
		jw_put_u64(b, "lost", w->lost_pending);
		jf_end(b, st);
	}
	if (keyframe)
		jw_keyframe(w, b, w->last_t);
	st = b->len;
	obuf_puts(b, "r ");
	obuf_u64(b, now_ns);
	if (extra)
		obuf_puts(b, " x");
	if (r->delay_ns != w->delay_ns) {
		obuf_puts(b, " d");
		obuf_u64(b, r->delay_ns);
		w->delay_ns = r->delay_ns;
	}
	for (size_t i = 0; i < r->nsrc && i < RUN_MAX_SOURCES; i++) {
		size_t n = r->src[i]->snap.nslots;

		if (w->nrel[i] < n) {
			uint8_t *q = realloc(w->rel[i], n + 64);

			if (!q) {
				b->oom = true;
				continue;
			}
			memset(q + w->nrel[i], 0, n + 64 - w->nrel[i]);
			w->rel[i] = q;
			w->nrel[i] = n + 64;
		}
	}
	if (!b->oom && jw_relevant(w, r))
		b->oom = true;
	for (size_t i = 0; i < r->nsrc && i < RUN_MAX_SOURCES && !b->oom; i++)
		jw_source(w, r, i, now_ns);
	jf_end(b, st);
	sync = jw_attempts(w, &r->m, now_ns);
	jw_vmmfails(w, &r->m, now_ns);
	jw_idents_forget(w, &r->m);
	jw_idents(w, r, now_ns);
	w->last_t = now_ns;
	/* The shadow took this refresh in whatever happens next. */
	if ((w->need_key && t0 < w->retry_ns) || b->oom ||
	    jw_queue(w, b->p, b->len, rotate, sync)) {
		/* Waiting to retry after a failed write, out of memory, or
		 * the disk does not keep up: dropped; a keyframe follows. */
		if (rotate)
			w->file_seq--;
		w->need_key = true;
		w->lost_pending++;
		w->st.lost++;
	} else {
		w->need_key = false;
		w->lost_pending = 0;
		if (rotate)
			w->file_bytes = 0;
		w->file_bytes += b->len;
		w->st.records++;
	}
	dt = clock_mono_ns() - t0;
	w->st.busy_ns += dt;
	if (dt > w->st.busy_max_ns)
		w->st.busy_max_ns = dt;
}

void journal_stats(const struct journal_writer *w, struct journal_stats *st)
{
	*st = w->st;
}

/*
 * End the recording: an end record (the replay then knows it was not
 * cut), everything queued written and synced.  Returns 0, or -errno when
 * a write failed at some point (message in @err).
 */
int journal_close(struct journal_writer *w, uint64_t now_ns, char *err,
		  size_t len)
{
	int rc = 0;

	if (!w)
		return 0;
	if (w->th_started) {
		struct obuf *b = &w->rec;
		size_t st;

		jw_report_error(w);
		obuf_reset(b);
		st = b->len;
		obuf_puts(b, "e ");
		obuf_u64(b, now_ns ? now_ns : w->last_t);
		jw_put_u64(b, "records", w->st.records);
		jw_put_u64(b, "lost", w->st.lost);
		jf_end(b, st);
		jw_queue(w, b->p, b->len, false, true);
		pthread_mutex_lock(&w->mu);
		w->stop = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
	}
	if (getenv("VFIOMIGTOP_JOURNAL_STATS"))	/* tests/bench/journal.sh */
		fprintf(stderr, "journal: records=%llu bytes=%llu busy_us=%.1f busy_max_us=%.1f lost=%llu rotations=%llu syncs=%llu\n",
			(unsigned long long)w->st.records,
			(unsigned long long)w->st.bytes,
			w->st.records ? (double)w->st.busy_ns / 1e3 / (double)w->st.records : 0.0,
			(double)w->st.busy_max_ns / 1e3,
			(unsigned long long)w->st.lost,
			(unsigned long long)w->st.rotations,
			(unsigned long long)w->st.syncs);
	if (w->werr) {
		rc = -w->werr;
		if (err)
			snprintf(err, len, "journal %s: %s (%llu records lost)",
				 w->path, strerror(w->werr),
				 (unsigned long long)w->st.lost);
	}
	if (w->fd >= 0) {
		fdatasync(w->fd);
		close(w->fd);
	}
	while (w->head) {
		struct jw_chunk *c = w->head;

		w->head = c->next;
		free(c);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	for (size_t i = 0; i < RUN_MAX_SOURCES; i++)
		free(w->sh[i].dev);
	free(w->ndec);
	free(w->mark);
	for (size_t i = 0; i < RUN_MAX_SOURCES; i++)
		free(w->rel[i]);
	obuf_free(&w->rec);
	obuf_free(&w->hdr);
	journal_ident_free(&w->idents);
	journal_ident_free(&w->pend_ids);
	free(w->path);
	free(w);
	return rc;
}
