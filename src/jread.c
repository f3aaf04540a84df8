// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jread.c - load journals (vfiomigtop-journal(5)).  Each file is mapped
 * and read line by line: a line without its newline (the tail of a
 * recording cut by kill -9 or a power cut) or with a CRC that does not
 * match is reported with its offset and skipped; everything else is kept.
 * Records are grouped into recordings by their session id, in the order
 * of the files' sequence numbers, so that rotated files given in any
 * order replay as one; recordings are grouped into streams (host and
 * journal path): one stream replays its recordings one after the other,
 * several streams are replayed side by side.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "jread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Problems reported one by one at most this often per kind; then counted. */
#define JR_REPORT_MAX 5

/* The value of KEY=... among the tokens [p, p + n), unescaped. */
bool jr_tok_str(const char *p, size_t n, const char *key, char *out,
		size_t cap)
{
	const char *cur = p, *end = p + n;
	struct jf_tok t, v;

	while (jf_next(&cur, end, &t))
		if (jf_key(&t, key, &v))
			return jf_unesc(v.p, v.n, out, cap) >= 0;
	return false;
}

bool jr_tok_u64(const char *p, size_t n, const char *key, uint64_t *out)
{
	const char *cur = p, *end = p + n;
	struct jf_tok t, v;

	while (jf_next(&cur, end, &t))
		if (jf_key(&t, key, &v))
			return !jf_parse_u64(v.p, v.n, out);
	return false;
}

static bool jr_tok_i64(const char *p, size_t n, const char *key, int64_t *out)
{
	const char *cur = p, *end = p + n;
	struct jf_tok t, v;

	while (jf_next(&cur, end, &t))
		if (jf_key(&t, key, &v))
			return !jf_parse_i64(v.p, v.n, out);
	return false;
}

static void jr_say(struct jr_set *js, unsigned long count, const char *file,
		   uint64_t off, const char *what)
{
	if (!js->diag)
		return;
	if (count <= JR_REPORT_MAX)
		fprintf(js->diag, "vfiomigtop: %s: offset %llu: %s\n", file,
			(unsigned long long)off, what);
	if (count == JR_REPORT_MAX)
		fprintf(js->diag, "vfiomigtop: %s: (more such records are counted, not listed)\n",
			file);
}

/* A segment: what one file holds of one recording. */
struct jr_seg {
	size_t sess;		/* session index */
	uint32_t seq;		/* file= */
	size_t first, n;	/* records, in the scratch list */
};

struct jr_load {
	struct jr_rec *rec;	/* every record of every file, in file order */
	size_t nrec, cap;
	struct jr_seg *seg;
	size_t nseg, segcap;
};

static int jr_push_rec(struct jr_load *l, const struct jr_rec *r)
{
	if (l->nrec == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct jr_rec *n = realloc(l->rec, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->rec = n;
		l->cap = cap;
	}
	l->rec[l->nrec++] = *r;
	return 0;
}

static enum model_feed jr_feed(const char *s)
{
	return !strcmp(s, "dst") ? MODEL_FEED_DST :
	       !strcmp(s, "shared") ? MODEL_FEED_SHARED : MODEL_FEED_SRC;
}

/* A header: find or create its session; returns its index or -errno. */
static long jr_header(struct jr_set *js, const char *p, size_t n,
		      const char *file, char *err, size_t len)
{
	struct jr_session *s;
	char id[24];
	uint64_t schema = 0, seq = 0;

	if (!jr_tok_u64(p, n, "schema", &schema)) {
		snprintf(err, len, "%s: a journal header without its schema version", file);
		return -EINVAL;
	}
	if (schema > JOURNAL_SCHEMA) {
		snprintf(err, len,
			 "%s: journal schema %llu is newer than this vfiomigtop reads (%d): replay it with a newer vfiomigtop",
			 file, (unsigned long long)schema, JOURNAL_SCHEMA);
		return -EPROTONOSUPPORT;
	}
	if (!jr_tok_str(p, n, "session", id, sizeof(id)) || !id[0]) {
		snprintf(err, len, "%s: a journal header without its session", file);
		return -EINVAL;
	}
	jr_tok_u64(p, n, "file", &seq);
	for (size_t i = 0; i < js->nss; i++)
		if (!strcmp(js->ss[i].id, id))
			return (long)i;
	s = realloc(js->ss, (js->nss + 1) * sizeof(*s));
	if (!s) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	js->ss = s;
	s = &js->ss[js->nss];
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", id);
	jr_tok_str(p, n, "host", s->host, sizeof(s->host));
	jr_tok_str(p, n, "kernel", s->kernel, sizeof(s->kernel));
	jr_tok_str(p, n, "boot", s->boot, sizeof(s->boot));
	jr_tok_str(p, n, "module", s->module, sizeof(s->module));
	jr_tok_str(p, n, "writer", s->writer, sizeof(s->writer));
	jr_tok_str(p, n, "path", s->path, sizeof(s->path));
	jr_tok_i64(p, n, "real_off", &s->real_off);
	jr_tok_u64(p, n, "delay", &s->delay);
	jr_tok_u64(p, n, "stuck", &s->stuck);
	jr_tok_u64(p, n, "busy", &s->busy);
	jr_tok_u64(p, n, "tomb", &s->tomb);
	s->first_seq = s->last_seq = (uint32_t)seq;
	return (long)js->nss++;
}

static int jr_pair(struct jr_session *s, const char *p, size_t n)
{
	char a[SNAP_NAME_MAX], b[SNAP_NAME_MAX];
	struct pair_spec *ps;

	if (!jr_tok_str(p, n, "src", a, sizeof(a)) ||
	    !jr_tok_str(p, n, "dst", b, sizeof(b)))
		return -EINVAL;
	ps = realloc(s->pairs, (s->npairs + 1) * sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	s->pairs = ps;
	ps[s->npairs].src = strdup(a);
	ps[s->npairs].dst = strdup(b);
	if (!ps[s->npairs].src || !ps[s->npairs].dst) {
		free((char *)ps[s->npairs].src);
		free((char *)ps[s->npairs].dst);
		return -ENOMEM;
	}
	s->npairs++;
	return 0;
}

static int jr_source(struct jr_session *s, const char *p, size_t n)
{
	struct jr_srcdecl *d;
	uint64_t i;
	char feed[16];

	if (!jr_tok_u64(p, n, "i", &i) || i >= JR_MAX_SOURCES)
		return -EINVAL;
	d = &s->src[i];
	memset(d, 0, sizeof(*d));
	if (!jr_tok_str(p, n, "feed", feed, sizeof(feed)))
		return -EINVAL;
	d->feed = jr_feed(feed);
	jr_tok_str(p, n, "kind", d->info.kind, sizeof(d->info.kind));
	jr_tok_str(p, n, "spec", d->spec, sizeof(d->spec));
	jr_tok_str(p, n, "files", d->info.files, sizeof(d->info.files));
	jr_tok_str(p, n, "kernel", d->info.kernel, sizeof(d->info.kernel));
	jr_tok_str(p, n, "module", d->info.module, sizeof(d->info.module));
	if (i + 1 > s->nsrc)
		s->nsrc = (size_t)i + 1;
	return 0;
}

/* Read one file's lines into @l; headers create sessions. */
static int jr_file(struct jr_set *js, struct jr_load *l, uint32_t fi,
		   char *err, size_t len)
{
	const struct jr_file *f = &js->files[fi];
	const char *p = f->data, *end = f->data + f->len;
	long cur = -1;		/* session of the current segment */
	bool first = true, header_set = false;

	if (f->len && (f->len < 20 || memcmp(p, "J " JOURNAL_MAGIC " ", 21))) {
		snprintf(err, len, "%s: not a vfiomigtop journal (it does not begin with \"J %s\")",
			 f->path, JOURNAL_MAGIC);
		return -EINVAL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		uint64_t off = (uint64_t)(p - f->data);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *q, *qe;
		struct jf_tok type, tt;
		struct jr_rec r;
		long body;

		if (!nl) {
			char m[160];

			js->pb.cut++;
			snprintf(m, sizeof(m),
				 "a cut record (%zu bytes without their newline) skipped: the recording was interrupted",
				 n);
			jr_say(js, js->pb.cut, f->path, off, m);
			break;
		}
		p = nl + 1;
		/* A newer schema may frame its lines otherwise: its version
		 * is looked at before anything else. */
		if (n > 30 && !memcmp(nl - n, "J " JOURNAL_MAGIC " schema=", 28)) {
			const char *ln = nl - n;
			uint64_t v = 0;

			for (size_t k = 28; k < n && ln[k] >= '0' && ln[k] <= '9' &&
			     v < 100000; k++)
				v = v * 10 + (uint64_t)(ln[k] - '0');
			if (v > JOURNAL_SCHEMA) {
				snprintf(err, len,
					 "%s: journal schema %llu is newer than this vfiomigtop reads (%d): replay it with a newer vfiomigtop",
					 f->path, (unsigned long long)v, JOURNAL_SCHEMA);
				return -EPROTONOSUPPORT;
			}
		}
		body = n > JOURNAL_LINE_MAX ? -1 : jf_check(nl - n, n);
		if (body < 0) {
			js->pb.damaged++;
			jr_say(js, js->pb.damaged, f->path, off,
			       n ? "a damaged record (its checksum does not match) skipped" :
				   "an empty line skipped");
			first = false;
			continue;
		}
		q = nl - n;
		qe = q + body;
		if (!jf_next(&q, qe, &type) || type.n != 1) {
			js->pb.bad++;
			jr_say(js, js->pb.bad, f->path, off, "a record of no known kind skipped");
			continue;
		}
		if (type.p[0] == 'J') {
			struct jf_tok magic;
			const char *mq = q;

			if (!jf_next(&mq, qe, &magic) || magic.n != strlen(JOURNAL_MAGIC) ||
			    memcmp(magic.p, JOURNAL_MAGIC, magic.n)) {
				js->pb.bad++;
				jr_say(js, js->pb.bad, f->path, off, "a header of another format skipped");
				continue;
			}
			cur = jr_header(js, mq, (size_t)(qe - mq), f->path, err, len);
			if (cur < 0)
				return (int)cur;
			{
				struct jr_seg *sg;
				uint64_t seq = 0;

				jr_tok_u64(mq, (size_t)(qe - mq), "file", &seq);
				if (l->nseg == l->segcap) {
					size_t cap = l->segcap ? l->segcap * 2 : 8;

					sg = realloc(l->seg, cap * sizeof(*sg));
					if (!sg)
						return -ENOMEM;
					l->seg = sg;
					l->segcap = cap;
				}
				sg = &l->seg[l->nseg++];
				sg->sess = (size_t)cur;
				sg->seq = (uint32_t)seq;
				sg->first = l->nrec;
				sg->n = 0;
				/* Its pairs and sources: from the first file read
				 * of a recording (they are the same in each). */
				header_set = js->ss[cur].nsrc == 0;
				if (header_set) {
					free(js->ss[cur].pairs);
					js->ss[cur].pairs = NULL;
					js->ss[cur].npairs = 0;
				}
			}
			first = false;
			continue;
		}
		if (cur < 0) {
			js->pb.orphans++;
			jr_say(js, js->pb.orphans, f->path, off,
			       first ? "a record before the first header skipped" :
				       "a record whose header was damaged skipped");
			continue;
		}
		if (type.p[0] == 'P' || type.p[0] == 'S') {
			int rc = 0;

			if (header_set)
				rc = type.p[0] == 'P' ?
				     jr_pair(&js->ss[cur], q, (size_t)(qe - q)) :
				     jr_source(&js->ss[cur], q, (size_t)(qe - q));
			if (rc == -ENOMEM)
				return rc;
			if (rc) {
				js->pb.bad++;
				jr_say(js, js->pb.bad, f->path, off, "a header record that does not parse skipped");
			}
			continue;
		}
		if (!strchr("rkaigev", type.p[0]))
			continue;	/* a kind a newer writer added: ignored */
		if (!jf_next(&q, qe, &tt) || jf_parse_u64(tt.p, tt.n, &r.t)) {
			js->pb.bad++;
			jr_say(js, js->pb.bad, f->path, off, "a record without its time skipped");
			continue;
		}
		r.type = type.p[0];
		r.p = q;
		r.n = (size_t)(qe - q);
		r.file = fi;
		r.off = off;
		if (jr_push_rec(l, &r))
			return -ENOMEM;
		l->seg[l->nseg - 1].n++;
	}
	return 0;
}

static int jr_cmp_seg(const void *a, const void *b)
{
	const struct jr_seg *x = a, *y = b;

	if (x->sess != y->sess)
		return x->sess < y->sess ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Sessions by stream (host and path, in order of first appearance), then
 * by their first refresh. */
static int jr_cmp_sess(const void *a, const void *b)
{
	const struct jr_session *x = a, *y = b;
	int64_t tx = (int64_t)x->t_first + x->real_off;
	int64_t ty = (int64_t)y->t_first + y->real_off;

	if (x->stream != y->stream)
		return x->stream < y->stream ? -1 : 1;
	return tx < ty ? -1 : tx > ty;
}

static void jr_streams(struct jr_set *js)
{
	for (size_t i = 0; i < js->nss; i++) {
		struct jr_session *s = &js->ss[i];

		s->stream = js->nstreams;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(js->ss[k].host, s->host) &&
			    !strcmp(js->ss[k].path, s->path)) {
				s->stream = js->ss[k].stream;
				break;
			}
		if (s->stream == js->nstreams)
			js->nstreams++;
	}
	if (js->nss > 1)
		qsort(js->ss, js->nss, sizeof(*js->ss), jr_cmp_sess);
}

/* Put each session's records together, file after file. */
static int jr_assemble(struct jr_set *js, struct jr_load *l)
{
	if (l->nseg > 1)	/* l->seg is NULL when nothing was read */
		qsort(l->seg, l->nseg, sizeof(*l->seg), jr_cmp_seg);
	for (size_t k = 0; k < l->nseg; k++) {
		const struct jr_seg *sg = &l->seg[k];
		struct jr_session *s = &js->ss[sg->sess];
		bool firstseg = k == 0 || l->seg[k - 1].sess != sg->sess;

		if (firstseg)
			s->first_seq = sg->seq;
		else if (sg->seq == l->seg[k - 1].seq && js->diag)
			fprintf(js->diag, "vfiomigtop: recording %s: file %u given twice (only the first copy is replayed)\n",
				s->id, sg->seq);
		else if (sg->seq != s->last_seq + 1 && js->diag)
			fprintf(js->diag, "vfiomigtop: recording %s: files %u to %u are missing: it resumes from the next file's keyframe\n",
				s->id, s->last_seq + 1, sg->seq - 1);
		if (!firstseg && sg->seq == l->seg[k - 1].seq)
			continue;
		s->last_seq = sg->seq;
		if (s->nrec + sg->n > s->cap) {
			size_t cap = s->nrec + sg->n + 16;
			struct jr_rec *n = realloc(s->rec, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			s->rec = n;
			s->cap = cap;
		}
		if (sg->n)
			memcpy(s->rec + s->nrec, l->rec + sg->first,
			       sg->n * sizeof(*s->rec));
		s->nrec += sg->n;
	}
	for (size_t i = 0; i < js->nss; i++) {
		struct jr_session *s = &js->ss[i];

		for (size_t k = 0; k < s->nrec; k++) {
			if (s->rec[k].type == 'e')
				s->ended = true;
			if (s->rec[k].type == 'g')
				js->pb.gaps++;
			if (s->rec[k].type != 'r')
				continue;
			if (!s->t_first)
				s->t_first = s->rec[k].t;
			s->t_last = s->rec[k].t;
			s->nrefresh++;
		}
		if (s->rec && s->nrec && s->rec[s->nrec - 1].type != 'e')
			s->ended = false;
	}
	jr_streams(js);
	return 0;
}

static int jr_map(struct jr_file *f, char *err, size_t len)
{
	struct stat st;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, len, "-r %s: %s", f->path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, len, "-r %s: not a regular file", f->path);
		close(fd);
		return -EINVAL;
	}
	f->len = (size_t)st.st_size;
	if (!f->len) {
		close(fd);
		snprintf(err, len, "-r %s: an empty file, not a journal", f->path);
		return -EINVAL;
	}
	f->data = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f->data == MAP_FAILED) {
		f->data = NULL;
		snprintf(err, len, "-r %s: %s", f->path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/*
 * Read the journals @paths.  Problems in them are reported on @diag and
 * skipped; a file that is not a journal, or one of a newer schema, is an
 * error (message in @err).
 */
int jr_load(struct jr_set *js, const char *const *paths, size_t n, FILE *diag,
	    char *err, size_t len)
{
	struct jr_load l;
	int rc = 0;

	memset(js, 0, sizeof(*js));
	memset(&l, 0, sizeof(l));
	js->diag = diag;
	js->files = calloc(n ? n : 1, sizeof(*js->files));
	if (!js->files) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		js->files[i].path = strdup(paths[i]);
		js->nfiles++;
		if (!js->files[i].path) {
			snprintf(err, len, "out of memory");
			rc = -ENOMEM;
			break;
		}
		rc = jr_map(&js->files[i], err, len);
		if (!rc)
			rc = jr_file(js, &l, (uint32_t)i, err, len);
		if (rc == -ENOMEM)
			snprintf(err, len, "out of memory");
	}
	if (!rc && !js->nss) {
		snprintf(err, len, "%s: no recording in %s", paths[0],
			 n > 1 ? "these journals" : "this journal");
		rc = -ENOENT;
	}
	if (!rc && jr_assemble(js, &l)) {
		snprintf(err, len, "out of memory");
		rc = -ENOMEM;
	}
	free(l.rec);
	free(l.seg);
	return rc;
}

void jr_free(struct jr_set *js)
{
	for (size_t i = 0; i < js->nss; i++) {
		for (size_t k = 0; k < js->ss[i].npairs; k++) {
			free((char *)js->ss[i].pairs[k].src);
			free((char *)js->ss[i].pairs[k].dst);
		}
		free(js->ss[i].pairs);
		free(js->ss[i].rec);
	}
	free(js->ss);
	for (size_t i = 0; i < js->nfiles; i++) {
		if (js->files[i].data)
			munmap(js->files[i].data, js->files[i].len);
		free(js->files[i].path);
	}
	free(js->files);
	memset(js, 0, sizeof(*js));
}
