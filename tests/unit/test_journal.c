// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_journal.c - the journal (vfiomigtop-journal(5)): its lexical layer,
 * a recording of random snapshots replayed into a second model that must
 * emit exactly the same events, cut at every byte, damaged, rotated, and
 * refused when newer.  Also the time parser of --begin/--end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "fsm.h"
#include "journal.h"
#include "jread.h"
#include "report.h"
#include "run.h"
#include "when.h"

/* ---- the lexical layer ---- */

START_TEST(test_crc32)
{
	ck_assert_uint_eq(jf_crc32("123456789", 9), 0xCBF43926u);
	ck_assert_uint_eq(jf_crc32("", 0), 0);
}
END_TEST

START_TEST(test_escape_round_trip)
{
	char all[256], back[300];
	struct obuf b;

	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	obuf_init(&b);
	jf_esc(&b, all, sizeof(all));
	for (size_t i = 0; i < b.len; i++)
		ck_assert(b.p[i] > 0x20 && b.p[i] < 0x7f);
	ck_assert_int_eq(jf_unesc(b.p, b.len, back, sizeof(back)), 256);
	ck_assert(!memcmp(all, back, 256));
	ck_assert_int_lt(jf_unesc("a\\x4", 4, back, sizeof(back)), 0);
	ck_assert_int_lt(jf_unesc("a\\q41", 5, back, sizeof(back)), 0);
	ck_assert_int_lt(jf_unesc("abc", 3, back, 3), 0);	/* no room */
	obuf_free(&b);
}
END_TEST

START_TEST(test_times)
{
	struct obuf b;
	uint64_t out;

	obuf_init(&b);
	jf_time(&b, 0, 5000);
	jf_time(&b, 5000, 5000);
	jf_time(&b, 4000, 5000);
	jf_time(&b, 7000, 5000);
	ck_assert_int_eq((int)b.len, (int)strlen("z+0-1000+2000"));
	ck_assert(!memcmp(b.p, "z+0-1000+2000", b.len));
	ck_assert_int_eq(jf_parse_time("z", 1, 5000, 0, &out), 0);
	ck_assert_uint_eq(out, 0);
	ck_assert_int_eq(jf_parse_time("-1000", 5, 5000, 0, &out), 0);
	ck_assert_uint_eq(out, 4000);
	ck_assert_int_eq(jf_parse_time("+2000", 5, 5000, 100, &out), 0);
	ck_assert_uint_eq(out, 7100);
	ck_assert_int_ne(jf_parse_time("-6000", 5, 5000, 0, &out), 0);
	ck_assert_int_ne(jf_parse_time("12", 2, 5000, 0, &out), 0);
	ck_assert_int_ne(jf_parse_time("+", 1, 5000, 0, &out), 0);
	obuf_free(&b);
}
END_TEST

START_TEST(test_line_check)
{
	struct obuf b;
	long n;

	obuf_init(&b);
	obuf_puts(&b, "r 123 @0 #1 vRUNNING");
	jf_end(&b, 0);
	ck_assert_int_eq(b.p[b.len - 1], '\n');
	n = jf_check(b.p, b.len - 1);
	ck_assert_int_eq(n, (long)strlen("r 123 @0 #1 vRUNNING"));
	/* Any byte changed, or the line cut: found. */
	for (size_t i = 0; i + 1 < b.len; i++) {
		char save = b.p[i];

		b.p[i] ^= 0x04;
		ck_assert_int_lt(jf_check(b.p, b.len - 1), 0);
		b.p[i] = save;
		ck_assert_int_lt(jf_check(b.p, i), 0);
	}
	obuf_free(&b);
}
END_TEST

START_TEST(test_sizes_flags_features)
{
	uint64_t v;
	uint8_t f;
	bool known, dirty;
	unsigned int feat;
	struct obuf b;

	ck_assert_int_eq(jf_parse_size("64K", &v), 0);
	ck_assert_uint_eq(v, 65536);
	ck_assert_int_eq(jf_parse_size("3m", &v), 0);
	ck_assert_uint_eq(v, 3u << 20);
	ck_assert_int_eq(jf_parse_size("2G", &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(jf_parse_size("1000", &v), 0);
	ck_assert_uint_eq(v, 1000);
	ck_assert_int_ne(jf_parse_size("K", &v), 0);
	ck_assert_int_ne(jf_parse_size("1.5M", &v), 0);
	ck_assert_int_ne(jf_parse_size("-1", &v), 0);
	obuf_init(&b);
	for (unsigned int x = 0; x < 0x100; x++) {
		obuf_reset(&b);
		jf_flags(&b, x);
		ck_assert_int_eq(jf_flags_parse(b.p, b.len, &f), 0);
		ck_assert_uint_eq(f, x);
	}
	ck_assert_int_ne(jf_flags_parse("q", 1, &f), 0);
	for (unsigned int x = 0; x < 16; x++) {
		unsigned int want = (x & 7) == 0 ? 0 :
				    ((x & 1 ? FSM_F_STOP_COPY : 0) |
				     (x & 2 ? FSM_F_P2P : 0) |
				     (x & 4 ? FSM_F_PRE_COPY : 0));

		obuf_reset(&b);
		jf_features(&b, true, want, x & 8);
		ck_assert_int_eq(jf_features_parse(b.p, b.len, &known, &feat,
						   &dirty), 0);
		ck_assert(known);
		ck_assert_uint_eq(feat, want);
		ck_assert_int_eq(dirty, !!(x & 8));
	}
	obuf_reset(&b);
	jf_features(&b, false, 0, false);
	ck_assert_int_eq(jf_features_parse(b.p, b.len, &known, &feat, &dirty), 0);
	ck_assert(!known);
	obuf_free(&b);
}
END_TEST

/* ---- --begin / --end ---- */

START_TEST(test_when)
{
	int64_t ref, t;
	const int64_t S = (int64_t)CLOCK_NS_PER_S;

	setenv("TZ", "UTC", 1);
	tzset();
	/* 2026-12-02 10:20:30 UTC */
	ref = (int64_t)1796206830 * S;
	ck_assert_int_eq(when_parse("2026-12-02 10:20:30", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref);
	ck_assert_int_eq(when_parse("2026-12-02T10:20:30.250Z", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref + S / 4);
	ck_assert_int_eq(when_parse("10:21", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref + 30 * S);
	ck_assert_int_eq(when_parse("10:20:31.5", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref + S + S / 2);
	ck_assert_int_eq(when_parse("1021", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref + 30 * S);
	ck_assert_int_eq(when_parse("202612021021", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref + 30 * S);
	ck_assert_int_eq(when_parse("+90", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref + 90 * S);
	ck_assert_int_eq(when_parse("@1796206830", 0, 0, &t), 0);
	ck_assert_int_eq(t, ref);
	ck_assert_int_eq(when_parse("2026-12-03", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref + (24 * 3600 - (10 * 3600 + 20 * 60 + 30)) * S);
	setenv("TZ", "CET-1", 1);
	tzset();
	ck_assert_int_eq(when_parse("11:20:30", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref);
	ck_assert_int_eq(when_parse("10:20:30Z", ref, ref, &t), 0);
	ck_assert_int_eq(t, ref);
	{
		char buf[64];

		when_fmt_local(buf, sizeof(buf), ref + S / 4);
		ck_assert_str_eq(buf, "2026-12-02 11:20:30.250 CET");
	}
	static const char *const bad[] = {
		"", "25:00", "10:60", "10:2", "2026-13-01 10:00", "yesterday",
		"10:20:30.", "+", "+x", "10:20:3a", "12345", "2026-12-02 ",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(when_parse(bad[i], ref, ref, &t) != 0, "%s", bad[i]);
	setenv("TZ", "UTC", 1);
	tzset();
}
END_TEST

START_TEST(test_report_pair_matches)
{
	ck_assert(report_pair_matches(NULL, "a", "b"));
	ck_assert(report_pair_matches("a", "a", "b"));
	ck_assert(report_pair_matches("b", "a", "b"));
	ck_assert(report_pair_matches("a=b", "a", "b"));
	ck_assert(!report_pair_matches("a=c", "a", "b"));
	ck_assert(!report_pair_matches("ab=b", "a", "b"));
	ck_assert(!report_pair_matches("x", "a", "b"));
}
END_TEST

/* ---- a recording of random snapshots, replayed ---- */

static void tj_nop(struct source *s, uint64_t n)
{
	(void)s;
	(void)n;
}

static int tj_fd(struct source *s)
{
	(void)s;
	return -1;
}

static void tj_close(struct source *s)
{
	free(s->snap.dev);
	free(s->snap.changed);
	free(s->snap.steps);
}

static const struct source_ops tj_ops = {
	.kind = "debugfs",
	.poll_fd = tj_fd,
	.refresh_begin = tj_nop,
	.refresh_end = tj_nop,
	.close = tj_close,
};

#define TJ_SLOTS 12
#define TJ_NAMES 6

/* A live side: slots the test changes at random. */
struct tj_live {
	struct run r;
	struct source s[2];
	uint32_t gen;
	unsigned int seed;
	uint64_t now;
};

static unsigned int tj_rand(struct tj_live *l, unsigned int n)
{
	l->seed = l->seed * 1103515245u + 12345u;
	return (l->seed >> 8) % n;
}

static const char *const tj_names[TJ_NAMES] = {
	"0000:3b:00.2", "0000:3b:00.3", "dev with space", "\x01\xff\\odd",
	"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", "x",
};

static void tj_init(struct tj_live *l, unsigned int seed)
{
	struct model_cfg mc;

	memset(l, 0, sizeof(*l));
	l->seed = seed;
	l->now = 1000 * CLOCK_NS_PER_S;
	memset(&mc, 0, sizeof(mc));
	mc.ac.stuck_ns = 2 * CLOCK_NS_PER_S;
	mc.ac.busy_ns = 3 * CLOCK_NS_PER_S;
	mc.tomb_ns = 5 * CLOCK_NS_PER_S;
	ck_assert_int_eq(model_init(&l->r.m, &mc), 0);
	for (int i = 0; i < 2; i++) {
		struct source *s = &l->s[i];

		s->ops = &tj_ops;
		s->spec = (char *)(i ? "/tmp/dst tree" : "/tmp/src");
		s->snap.dev = calloc(TJ_SLOTS, sizeof(*s->snap.dev));
		s->snap.changed = calloc(TJ_SLOTS, sizeof(uint32_t));
		s->snap.steps = calloc(64, sizeof(*s->snap.steps));
		l->r.src[i] = s;
		l->r.feed[i] = (unsigned int)model_add_feed(&l->r.m, i ? MODEL_FEED_DST :
							    MODEL_FEED_SRC);
	}
	l->r.nsrc = 2;
	l->r.delay_ns = CLOCK_NS_PER_S / 10;
	l->r.ctx.real_off_ns = (int64_t)1796206830 * (int64_t)CLOCK_NS_PER_S;
}

static void tj_mark(struct snapshot *sn, uint32_t slot)
{
	for (size_t i = 0; i < sn->nchanged; i++)
		if (sn->changed[i] == slot)
			return;
	sn->changed[sn->nchanged++] = slot;
}

/* One refresh of random news on both sides, then the model takes it. */
static void tj_refresh(struct tj_live *l)
{
	static const enum dstate vals[] = {
		DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY_P2P, DS_STOP_COPY,
		DS_STOP, DS_RESUMING, DS_RUNNING_P2P, DS_ERROR, DS_EINVAL,
		DS_UNPARSABLE, DS_RUNNING, DS_STOP_COPY, DS_RESUMING,
	};

	l->now += CLOCK_NS_PER_S / 10 + tj_rand(l, 1000000);
	for (int i = 0; i < 2; i++) {
		struct snapshot *sn = &l->s[i].snap;
		unsigned int k = tj_rand(l, 4);

		sn->nchanged = sn->nsteps = 0;
		sn->ever = true;
		if (tj_rand(l, 40) == 0) {
			sn->link = (enum snap_link)tj_rand(l, 3);
			snprintf(sn->msg, sizeof(sn->msg), "link %u  with\ttab",
				 tj_rand(l, 100));
			sn->clock_offset_ns = (int64_t)tj_rand(l, 1000000) - 500000;
			snprintf(sn->host, sizeof(sn->host), "host-%u", tj_rand(l, 3));
		}
		for (size_t s = 0; s < sn->nslots; s++)	/* reads */
			if (sn->dev[s].present)
				sn->dev[s].seen_ns = l->now - 1000 - tj_rand(l, 5000);
		while (k--) {
			uint32_t s = tj_rand(l, TJ_SLOTS);
			struct snap_dev *d = &sn->dev[s];

			if (s >= sn->nslots)
				sn->nslots = s + 1;
			if (!d->present) {
				/* A device appears (a name one of both sides may share). */
				memset(d, 0, sizeof(*d));
				d->gen = ++l->gen;
				d->present = true;
				snprintf(d->name, sizeof(d->name), "%s",
					 tj_names[tj_rand(l, TJ_NAMES)]);
				d->val = DS_RUNNING;
				d->features_known = tj_rand(l, 2);
				d->features = FSM_F_ALL;
				d->dirty_tracking = tj_rand(l, 2);
				d->exact = tj_rand(l, 4) == 0;
			} else if (tj_rand(l, 25) == 0) {
				d->present = false;
			} else if (d->exact && tj_rand(l, 2)) {
				struct snap_step *st = &sn->steps[sn->nsteps++];
				enum dstate to = vals[tj_rand(l, 7)];

				memset(st, 0, sizeof(*st));
				st->slot = s;
				st->gen = d->gen;
				st->t_ns = l->now - tj_rand(l, 50000000);
				st->lo_ns = tj_rand(l, 2) ? st->t_ns - 1000 : 0;
				st->from = (uint8_t)d->val;
				st->to = (uint8_t)to;
				st->flags = (uint8_t)(SNAP_STEP_ARC |
						      (tj_rand(l, 8) ? 0 : SNAP_STEP_FAILED));
				if (!(st->flags & SNAP_STEP_FAILED))
					d->val = to;
			} else if (tj_rand(l, 6) == 0) {
				d->busy_ns = d->busy_ns ? 0 : l->now - 20000;
			} else if (tj_rand(l, 10) == 0) {
				d->stale = !d->stale;
			} else {
				enum dstate v = vals[tj_rand(l, sizeof(vals) / sizeof(vals[0]))];

				if (v != d->val)
					d->prev_ns = d->seen_ns;
				d->val = v;
				d->err = v == DS_EINVAL ? EINVAL : 0;
				d->read_ns = l->now - tj_rand(l, 3000);
				d->seen_ns = d->read_ns - 500;
				if (v == DS_UNPARSABLE) {
					d->raw_len = (uint8_t)(1 + tj_rand(l, 10));
					for (int q = 0; q < d->raw_len; q++)
						d->raw[q] = (char)tj_rand(l, 256);
				}
			}
			tj_mark(sn, s);
		}
		sn->t_ns = l->now;
		model_ingest(&l->r.m, l->r.feed[i], sn, l->now);
	}
	model_update_pairs(&l->r.m, l->now);
}

static void tj_free(struct tj_live *l)
{
	for (int i = 0; i < 2; i++)
		tj_close(&l->s[i]);
	model_free(&l->r.m);
}

/* The model's events so far, in order. */
struct tj_events {
	struct model_event *v;
	size_t n, cap;
	uint64_t next;
};

static void tj_take(struct tj_events *e, const struct model *m)
{
	if (!e->next)
		e->next = 1;
	for (; e->next <= m->ev_seq; e->next++) {
		const struct model_event *x = model_event(m, e->next);

		ck_assert_ptr_nonnull(x);
		if (e->n == e->cap) {
			e->cap = e->cap ? e->cap * 2 : 256;
			e->v = realloc(e->v, e->cap * sizeof(*e->v));
		}
		e->v[e->n++] = *x;
	}
}

static void tj_same_event(const struct model_event *a,
			  const struct model_event *b, size_t i)
{
	ck_assert_msg(a->seq == b->seq && a->t_ns == b->t_ns &&
		      a->kind == b->kind && a->dev == b->dev &&
		      a->pair == b->pair, "event %zu differs", i);
	if (a->kind == MODEL_EV_TRANS) {
		ck_assert_msg(!memcmp(&a->tr, &b->tr, sizeof(a->tr)),
			      "transition %zu differs", i);
	} else {
		ck_assert_int_eq(a->att.decided, b->att.decided);
		ck_assert_int_eq(a->att.a.outcome, b->att.a.outcome);
		ck_assert_int_eq(a->att.a.reason, b->att.a.reason);
		ck_assert_uint_eq(a->att.a.no, b->att.a.no);
		ck_assert_uint_eq(a->att.a.start_ns, b->att.a.start_ns);
		ck_assert_uint_eq(a->att.a.end_ns, b->att.a.end_ns);
	}
}

static char tj_dir[] = "/tmp/test_journal.XXXXXX";

static void tj_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tj_dir));
}

static int tj_rm(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tj_teardown(void)
{
	nftw(tj_dir, tj_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * Record @n refreshes of random news from @seed into @path; the live
 * model's events go to @ev and, after each refresh, how many there were to
 * @marks (when not NULL).
 */
static void tj_record(const char *path, unsigned int seed, int n,
		      uint64_t max, struct tj_events *ev, size_t *marks)
{
	struct journal_wcfg jc;
	struct journal_writer *w;
	struct tj_live l;
	char err[256];

	tj_init(&l, seed);
	memset(&jc, 0, sizeof(jc));
	jc.path = path;
	jc.max_bytes = max;
	jc.keep = 3;
	jc.sync_ns = UINT64_MAX;	/* no disk waits in a unit test */
	w = journal_open(&jc, &l.r, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	for (int i = 0; i < n; i++) {
		tj_refresh(&l);
		journal_refresh(w, &l.r, l.now, i % 7 == 3);
		tj_take(ev, &l.r.m);
		if (marks)
			marks[i] = ev->n;
	}
	ck_assert_int_eq(journal_close(w, l.now, err, sizeof(err)), 0);
	tj_free(&l);
}

/* A replay model over the records of @js's first session; returns the
 * number of refreshes taken, its events in @ev. */
static size_t tj_replay(const struct jr_set *js, struct tj_events *ev,
			bool check_names)
{
	const struct jr_session *s = &js->ss[0];
	struct jr_src src[2];
	struct jr_src *v[2] = { &src[0], &src[1] };
	struct model m;
	struct model_cfg mc;
	char err[128];
	size_t nref = 0;
	bool started = false;

	memset(&mc, 0, sizeof(mc));
	mc.ac.stuck_ns = s->stuck;
	mc.ac.busy_ns = s->busy;
	mc.tomb_ns = s->tomb;
	ck_assert_uint_eq(s->stuck, 2 * CLOCK_NS_PER_S);
	ck_assert_int_eq(s->nsrc, 2);
	if (check_names) {
		ck_assert_str_eq(s->src[1].spec, "/tmp/dst tree");
		ck_assert_int_eq(s->src[1].feed, MODEL_FEED_DST);
	}
	ck_assert_int_eq(model_init(&m, &mc), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_ptr_nonnull(jr_src_new(s->src[i].spec, &src[i], err,
						 sizeof(err)));
		model_add_feed(&m, s->src[i].feed);
	}
	for (size_t k = 0; k < s->nrec; k++) {
		const struct jr_rec *r = &s->rec[k];
		int got;

		if (r->type == 'r') {
			ck_assert_int_eq(jr_apply(r, v, 2, NULL, err, sizeof(err)), 0);
		} else if (r->type == 'k') {
			got = jr_apply_key(r, v, 2, err, sizeof(err));
			ck_assert_int_ge(got, 0);
			if (started && !got)
				continue;
		} else {
			continue;
		}
		started = true;
		for (int i = 0; i < 2; i++)
			model_ingest(&m, (unsigned int)i, &src[i].s->snap, r->t);
		model_update_pairs(&m, r->t);
		tj_take(ev, &m);
		nref += r->type == 'r';
	}
	for (int i = 0; i < 2; i++)
		source_close(src[i].s);
	model_free(&m);
	return nref;
}

START_TEST(test_round_trip)
{
	struct tj_events live = { 0 }, rep = { 0 };
	struct jr_set js;
	char path[256], err[512];
	const char *p = path;
	size_t decided = 0;

	snprintf(path, sizeof(path), "%s/j", tj_dir);
	tj_record(path, 1 + (unsigned int)_i, 400, 0, &live, NULL);
	ck_assert_int_eq(jr_load(&js, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(js.nss, 1);
	ck_assert(js.ss[0].ended);
	ck_assert_uint_eq(js.pb.cut + js.pb.damaged + js.pb.bad, 0);
	ck_assert_uint_eq(tj_replay(&js, &rep, true), 400);
	ck_assert_uint_eq(rep.n, live.n);
	for (size_t i = 0; i < live.n; i++) {
		tj_same_event(&live.v[i], &rep.v[i], i);
		decided += live.v[i].kind == MODEL_EV_PAIR && live.v[i].att.decided;
	}
	ck_assert_msg(decided > 0, "the random flows decided no attempt");
	jr_free(&js);
	free(live.v);
	free(rep.v);
}
END_TEST

static void tj_write(const char *path, const char *p, size_t n)
{
	int fd;

	unlink(path);	/* not O_TRUNC: ext4 flushes a truncated file on close */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static char *tj_slurp(const char *path, size_t *n)
{
	struct stat st;
	char *p;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	ck_assert_int_eq(read(fd, p, (size_t)st.st_size), st.st_size);
	close(fd);
	*n = (size_t)st.st_size;
	return p;
}

/*
 * Cut at every byte (kill -9, a power cut): whatever the cut, every
 * complete record replays, the cut one is reported, and the replay's
 * events are exactly the live run's up to the last complete refresh.
 */
START_TEST(test_cut_anywhere)
{
	struct tj_events live = { 0 };
	size_t marks[60], len, lines = 0, hdr = 0;
	char path[256], cut[256], err[512], *data;
	const char *p = cut;

	snprintf(path, sizeof(path), "%s/j", tj_dir);
	snprintf(cut, sizeof(cut), "%s/cut", tj_dir);
	tj_record(path, 7, 60, 0, &live, marks);
	data = tj_slurp(path, &len);
	for (size_t i = 0; i < len && !hdr; i++)
		if (data[i] == '\n' && !memcmp(data + i + 1, "r ", 2))
			hdr = i + 1;	/* the header ends */
	for (size_t at = hdr; at <= len; at++) {
		struct tj_events rep = { 0 };
		struct jr_set js;
		size_t nref = 0, complete = 0;

		for (size_t i = 0; i < at; i++)
			if (data[i] == '\n' && i + 1 < len &&
			    !memcmp(data + i + 1, "r ", 2) && i + 1 < at) {
				/* A refresh record that starts before the cut... */
				const char *nl = memchr(data + i + 1, '\n', len - i - 1);

				if (nl && (size_t)(nl - data) < at)
					complete++;	/* ... and ends before it */
			}
		tj_write(cut, data, at);
		ck_assert_int_eq(jr_load(&js, &p, 1, NULL, err, sizeof(err)), 0);
		ck_assert_uint_eq(js.pb.damaged, 0);
		ck_assert_uint_eq(js.pb.cut, at && data[at - 1] != '\n' ? 1 : 0);
		ck_assert_uint_eq(js.ss[0].nrefresh, complete);
		if (at % 13 == 0 || at == len) {
			nref = tj_replay(&js, &rep, false);
			ck_assert_uint_eq(nref, complete);
			ck_assert_uint_eq(rep.n, nref ? marks[nref - 1] : 0);
			for (size_t i = 0; i < rep.n; i++)
				tj_same_event(&live.v[i], &rep.v[i], i);
		}
		jr_free(&js);
		free(rep.v);
		lines++;
	}
	ck_assert_uint_gt(lines, 100);
	free(data);
	free(live.v);
}
END_TEST

/* A damaged record in the middle is skipped and said; the rest replays. */
START_TEST(test_damaged)
{
	struct tj_events live = { 0 }, rep = { 0 };
	struct jr_set js;
	size_t len, nl = 0, at = 0;
	char path[256], err[512], *data;
	const char *p = path;
	FILE *diag;
	char *msg = NULL;
	size_t msglen = 0;

	snprintf(path, sizeof(path), "%s/j", tj_dir);
	tj_record(path, 9, 50, 0, &live, NULL);
	data = tj_slurp(path, &len);
	for (size_t i = 0; i < len; i++)	/* the 20th line */
		if (data[i] == '\n' && ++nl == 20) {
			at = i + 4;
			break;
		}
	ck_assert_uint_gt(at, 0);
	data[at] ^= 0x20;
	/* and a tail of zeros, as after a power cut */
	data = realloc(data, len + 100);
	memset(data + len, 0, 100);
	tj_write(path, data, len + 100);
	diag = open_memstream(&msg, &msglen);
	ck_assert_int_eq(jr_load(&js, &p, 1, diag, err, sizeof(err)), 0);
	fclose(diag);
	ck_assert_uint_eq(js.pb.damaged, 1);
	ck_assert_uint_eq(js.pb.cut, 1);
	ck_assert_msg(strstr(msg, "damaged record") && strstr(msg, "offset"), "%s", msg);
	ck_assert_msg(strstr(msg, "cut record") != NULL, "%s", msg);
	ck_assert_uint_ge(tj_replay(&js, &rep, false), 48);
	jr_free(&js);
	free(msg);
	free(data);
	free(live.v);
	free(rep.v);
}
END_TEST

/* A newer schema is refused with a message that says what to do. */
START_TEST(test_newer_schema)
{
	struct jr_set js;
	char path[256], err[512];
	const char *p = path;
	struct obuf b;

	snprintf(path, sizeof(path), "%s/new", tj_dir);
	obuf_init(&b);
	obuf_puts(&b, "J vfiomigtop-journal schema=2 session=00000000000000aa file=0 host=h");
	jf_end(&b, 0);
	tj_write(path, b.p, b.len);
	ck_assert_int_eq(jr_load(&js, &p, 1, NULL, err, sizeof(err)),
			 -EPROTONOSUPPORT);
	ck_assert_msg(strstr(err, "schema 2 is newer") && strstr(err, "newer vfiomigtop"),
		      "%s", err);
	jr_free(&js);
	tj_write(path, "hello\n", 6);
	ck_assert_int_eq(jr_load(&js, &p, 1, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a vfiomigtop journal") != NULL, "%s", err);
	jr_free(&js);
	obuf_free(&b);
}
END_TEST

/*
 * Past --write-max the file is rotated: the new one begins with a header
 * and a keyframe, replays alone, and replays with the old one exactly as
 * the whole recording.
 */
START_TEST(test_rotation)
{
	struct tj_events live = { 0 }, rep = { 0 }, tail = { 0 };
	struct jr_set js;
	char path[256], p1[300], p2[300], err[512];
	const char *both[3] = { p2, path, p1 };	/* any order */
	const char *one = path;
	struct stat st;

	snprintf(path, sizeof(path), "%s/j", tj_dir);
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	tj_record(path, 11, 3000, JOURNAL_MAX_MIN, &live, NULL);
	ck_assert_int_eq(stat(p1, &st), 0);
	ck_assert_int_le(st.st_size, JOURNAL_MAX_MIN + 4096);
	ck_assert_int_eq(stat(p2, &st), 0);
	/* The newest file alone: from its keyframe. */
	ck_assert_int_eq(jr_load(&js, &one, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_gt(js.ss[0].first_seq, 0);
	ck_assert_int_eq(js.ss[0].rec[0].type, 'k');
	ck_assert_uint_gt(tj_replay(&js, &tail, false), 10);
	jr_free(&js);
	/* Three files in any order: one recording, still from a keyframe
	 * when older ones are gone (keep=3 and more rotations). */
	ck_assert_int_eq(jr_load(&js, both, 3, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(js.nss, 1);
	ck_assert_uint_eq(js.pb.damaged + js.pb.cut, 0);
	tj_replay(&js, &rep, false);
	jr_free(&js);
	ck_assert_uint_gt(rep.n, tail.n);
	free(live.v);
	free(rep.v);
	free(tail.v);
}
END_TEST

/* Rotation keeps whole recordings: with every file kept, the rotated
 * files replay exactly as the live run. */
START_TEST(test_rotation_exact)
{
	struct tj_events live = { 0 }, rep = { 0 };
	struct jr_set js;
	char path[256], names[4][300], err[512];
	const char *files[4];
	size_t n = 0;
	struct stat st;

	snprintf(path, sizeof(path), "%s/j", tj_dir);
	tj_record(path, 13, 700, JOURNAL_MAX_MIN, &live, NULL);
	for (int k = 3; k >= 0; k--) {
		if (k)
			snprintf(names[k], sizeof(names[k]), "%s.%d", path, k);
		else
			snprintf(names[k], sizeof(names[k]), "%s", path);
		if (stat(names[k], &st))
			continue;
		ck_assert_msg(k < 3, "700 refreshes rotate twice at most");
		files[n++] = names[k];
	}
	ck_assert_uint_ge(n, 2);
	ck_assert_int_eq(jr_load(&js, files, n, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(tj_replay(&js, &rep, false), 700);
	ck_assert_uint_eq(rep.n, live.n);
	for (size_t i = 0; i < live.n; i++)
		tj_same_event(&live.v[i], &rep.v[i], i);
	jr_free(&js);
	free(live.v);
	free(rep.v);
}
END_TEST

/* Appending: a second recording goes after the first; a record the first
 * left cut is ended so that it cannot swallow the new header. */
START_TEST(test_append_after_cut)
{
	struct tj_events a = { 0 }, b = { 0 };
	struct jr_set js;
	char path[256], err[512], *data;
	const char *p = path;
	size_t len;

	snprintf(path, sizeof(path), "%s/j", tj_dir);
	tj_record(path, 21, 30, 0, &a, NULL);
	data = tj_slurp(path, &len);
	tj_write(path, data, len - 7);		/* cut */
	tj_record(path, 22, 30, 0, &b, NULL);
	ck_assert_int_eq(jr_load(&js, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(js.nss, 2);
	ck_assert_uint_eq(js.pb.damaged, 1);	/* the cut record, ended */
	ck_assert(!js.ss[0].ended);
	ck_assert(js.ss[1].ended);
	ck_assert_uint_eq(js.ss[1].nrefresh, 30);
	jr_free(&js);
	free(data);
	free(a.v);
	free(b.v);
}
END_TEST

/*
 * Hostile records with valid CRCs (a bug, or a hand-written journal):
 * every mutation of a real journal's records either applies or is
 * refused; nothing crashes or reads out of bounds (ASan in CI).
 */
START_TEST(test_hostile_records)
{
	static const char pool[] = "@#>,0123456789zvgpnefrsqbxtwNLMOEHC+-_\\x=aklmi ";
	struct tj_events live = { 0 };
	char path[256], bad[256], err[512], *data;
	const char *p = bad;
	size_t len;
	unsigned int seed = 99;

	snprintf(path, sizeof(path), "%s/j", tj_dir);
	snprintf(bad, sizeof(bad), "%s/bad", tj_dir);
	tj_record(path, 5, 40, 0, &live, NULL);
	data = tj_slurp(path, &len);
	for (int round = 0; round < 300; round++) {
		struct obuf b;
		const char *q = data, *end = data + len;
		struct jr_set js;

		obuf_init(&b);
		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t n = (size_t)(nl - q), st = b.len;
			long body = jf_check(q, n);

			obuf_put(&b, q, (size_t)body);
			if (q[0] == 'r' || q[0] == 'k' || q[0] == 'S' || q[0] == 'a' ||
			    q[0] == 'i') {
				for (int k = 0; k < 3; k++) {
					seed = seed * 1103515245u + 12345u;
					size_t at = st + 2 + (seed >> 8) % (b.len - st - 2);

					seed = seed * 1103515245u + 12345u;
					b.p[at] = pool[(seed >> 8) % (sizeof(pool) - 1)];
				}
			}
			jf_end(&b, st);
			q = nl + 1;
		}
		tj_write(bad, b.p, b.len);
		if (!jr_load(&js, &p, 1, NULL, err, sizeof(err)) && js.nss &&
		    js.ss[0].nsrc <= JR_MAX_SOURCES) {
			const struct jr_session *s = &js.ss[0];
			struct jr_src src[JR_MAX_SOURCES];
			struct jr_src *v[JR_MAX_SOURCES] = { NULL };
			struct model m;
			struct model_cfg mc;

			memset(&mc, 0, sizeof(mc));
			ck_assert_int_eq(model_init(&m, &mc), 0);
			for (size_t i = 0; i < JR_MAX_SOURCES; i++) {
				ck_assert_ptr_nonnull(jr_src_new("x", &src[i], err, sizeof(err)));
				v[i] = &src[i];
				model_add_feed(&m, i ? MODEL_FEED_DST : MODEL_FEED_SRC);
			}
			for (size_t k = 0; k < s->nrec; k++) {
				const struct jr_rec *r = &s->rec[k];
				int rc = r->type == 'r' ? jr_apply(r, v, JR_MAX_SOURCES, NULL, err, sizeof(err)) :
					 r->type == 'k' ? jr_apply_key(r, v, JR_MAX_SOURCES, err, sizeof(err)) : -1;

				if (rc < 0)
					continue;
				for (size_t i = 0; i < JR_MAX_SOURCES; i++)
					model_ingest(&m, (unsigned int)i, &src[i].s->snap, r->t);
				model_update_pairs(&m, r->t);
			}
			for (size_t i = 0; i < JR_MAX_SOURCES; i++)
				source_close(src[i].s);
			model_free(&m);
		}
		jr_free(&js);
		obuf_free(&b);
	}
	free(data);
	free(live.v);
}
END_TEST

static Suite *journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("format");
	TCase *rt = tcase_create("round-trip");

	tcase_add_test(tc, test_crc32);
	tcase_add_test(tc, test_escape_round_trip);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_line_check);
	tcase_add_test(tc, test_sizes_flags_features);
	tcase_add_test(tc, test_when);
	tcase_add_test(tc, test_report_pair_matches);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(rt, tj_setup, tj_teardown);
	tcase_set_timeout(rt, 120);
	tcase_add_loop_test(rt, test_round_trip, 0, 8);
	tcase_add_test(rt, test_cut_anywhere);
	tcase_add_test(rt, test_damaged);
	tcase_add_test(rt, test_newer_schema);
	tcase_add_test(rt, test_rotation);
	tcase_add_test(rt, test_rotation_exact);
	tcase_add_test(rt, test_append_after_cut);
	tcase_add_test(rt, test_hostile_records);
	suite_add_tcase(s, rt);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(journal_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
