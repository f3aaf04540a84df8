// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * src_journal.c - a source rebuilt from a journal: its snapshot is what
 * the recording's source handed the model, slot by slot, refresh by
 * refresh (jr_apply()), so that the model given the same snapshots at the
 * same times decides the same.  It reads nothing by itself: the replay
 * (replay.c) drives it.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "jread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Most slots a journal may declare per source (the agent protocol's 65536
 * devices, with room for reuse). */
#define SJ_MAX_SLOTS (1u << 17)
/* Most steps in one refresh record. */
#define SJ_MAX_STEPS (1u << 20)

static int sj_open(struct source *s, const char *spec, char *err, size_t len)
{
	(void)s;
	(void)spec;
	snprintf(err, len, "a journal source is made by a replay only");
	return -EINVAL;
}

static int sj_poll_fd(struct source *s)
{
	(void)s;
	return -1;
}

static void sj_refresh_begin(struct source *s, uint64_t now_ns)
{
	(void)s;
	(void)now_ns;
}

static void sj_refresh_end(struct source *s, uint64_t deadline_ns)
{
	(void)s;
	(void)deadline_ns;
}

static void sj_close(struct source *s)
{
	free(s->snap.dev);
	free(s->snap.changed);
	free(s->snap.steps);
	memset(&s->snap, 0, sizeof(s->snap));
}

const struct source_ops src_journal_ops = {
	.kind = "journal",
	.open = sj_open,
	.poll_fd = sj_poll_fd,
	.refresh_begin = sj_refresh_begin,
	.refresh_end = sj_refresh_end,
	.close = sj_close,
};

/* A source for the replay, labelled @spec (what the recording watched). */
struct source *jr_src_new(const char *spec, struct jr_src *js, char *err,
			  size_t len)
{
	struct source *s = calloc(1, sizeof(*s));

	memset(js, 0, sizeof(*js));
	if (!s || !(s->spec = strdup(spec))) {
		free(s);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	s->ops = &src_journal_ops;
	js->s = s;
	return s;
}

/* Forget every slot (a new recording begins on this source). */
void jr_src_clear(struct jr_src *js)
{
	struct snapshot *sn = &js->s->snap;

	if (sn->dev)
		memset(sn->dev, 0, js->cap * sizeof(*sn->dev));
	sn->nslots = sn->nchanged = sn->nsteps = 0;
}

static int sj_grow(struct jr_src *js, size_t n)
{
	struct snapshot *sn = &js->s->snap;

	if (n > SJ_MAX_SLOTS)
		return -E2BIG;
	if (n > js->cap) {
		size_t cap = n + n / 2 + 16;
		struct snap_dev *nd = realloc(sn->dev, cap * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		memset(nd + js->cap, 0, (cap - js->cap) * sizeof(*nd));
		sn->dev = nd;
		js->cap = cap;
	}
	if (n > js->ccap) {
		uint32_t *c = realloc(sn->changed, (js->cap) * sizeof(*c));

		if (!c)
			return -ENOMEM;
		sn->changed = c;
		js->ccap = js->cap;
	}
	if (n < sn->nslots)
		memset(sn->dev + n, 0, (sn->nslots - n) * sizeof(*sn->dev));
	sn->nslots = n;
	return 0;
}

static int sj_u32(const char *p, size_t n, uint32_t *out)
{
	uint64_t v;

	if (jf_parse_u64(p, n, &v) || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int sj_bool(const char *p, size_t n, bool *out)
{
	if (n != 1 || (p[0] != '0' && p[0] != '1'))
		return -EINVAL;
	*out = p[0] == '1';
	return 0;
}

static int sj_value(const char *p, size_t n, uint8_t *out)
{
	enum dstate v;

	if (dstate_parse_token(p, n, &v))
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

/* The changed list "3,5,7". */
static int sj_changed(struct jr_src *js, const char *p, size_t n)
{
	struct snapshot *sn = &js->s->snap;
	size_t k = 0, i = 0;

	while (i < n) {
		size_t j = i;
		uint32_t v;

		while (j < n && p[j] != ',')
			j++;
		if (sj_u32(p + i, j - i, &v) || v >= sn->nslots ||
		    k >= js->ccap)
			return -EINVAL;
		sn->changed[k++] = v;
		i = j + 1;
	}
	sn->nchanged = k;
	return 0;
}

/* One step "slot,gen,t,lo,from,to,flags". */
static int sj_step(struct jr_src *js, const char *p, size_t n, uint64_t base)
{
	struct snapshot *sn = &js->s->snap;
	struct jf_tok f[7];
	struct snap_step *st;
	size_t i = 0, k = 0;
	uint8_t from, to;

	while (k < 7 && i <= n) {
		size_t j = i;

		while (j < n && p[j] != ',')
			j++;
		f[k].p = p + i;
		f[k].n = j - i;
		k++;
		i = j + 1;
	}
	if (k != 7 || i <= n)
		return -EINVAL;
	if (sn->nsteps == js->scap) {
		size_t cap = js->scap ? js->scap * 2 : 16;

		if (cap > SJ_MAX_STEPS)
			return -E2BIG;
		st = realloc(sn->steps, cap * sizeof(*st));
		if (!st)
			return -ENOMEM;
		sn->steps = st;
		js->scap = cap;
	}
	st = &sn->steps[sn->nsteps];
	memset(st, 0, sizeof(*st));
	if (sj_u32(f[0].p, f[0].n, &st->slot) ||
	    sj_u32(f[1].p, f[1].n, &st->gen) ||
	    jf_parse_time(f[2].p, f[2].n, base, js->delta, &st->t_ns) ||
	    jf_parse_time(f[3].p, f[3].n, base, js->delta, &st->lo_ns) ||
	    sj_value(f[4].p, f[4].n, &from) || sj_value(f[5].p, f[5].n, &to) ||
	    jf_flags_parse(f[6].p, f[6].n, &st->flags))
		return -EINVAL;
	st->from = from;
	st->to = to;
	sn->nsteps++;
	return 0;
}

static int sj_hex(const char *p, size_t n, struct snap_dev *d)
{
	if (n % 2 || n / 2 > sizeof(d->raw))
		return -EINVAL;
	for (size_t i = 0; i < n; i += 2) {
		int hi = 0, lo = 0;

		for (int k = 0; k < 2; k++) {
			char c = p[i + (size_t)k];
			int v = c >= '0' && c <= '9' ? c - '0' :
				c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

			if (v < 0)
				return -EINVAL;
			if (k)
				lo = v;
			else
				hi = v;
		}
		d->raw[i / 2] = (char)(hi << 4 | lo);
	}
	d->raw_len = (uint8_t)(n / 2);
	return 0;
}

/* One field of a slot: a letter and its value. */
static int sj_slot_field(struct jr_src *js, struct snap_dev *d, char c,
			 const char *v, size_t n, uint64_t base)
{
	int64_t e;
	uint8_t val;

	switch (c) {
	case 'g':
		return sj_u32(v, n, &d->gen);
	case 'p':
		return sj_bool(v, n, &d->present);
	case 'n':
		return jf_unesc(v, n, d->name, sizeof(d->name)) < 0 ? -EINVAL : 0;
	case 'v':
		if (sj_value(v, n, &val))
			return -EINVAL;
		d->val = (enum dstate)val;
		return 0;
	case 'e':
		if (jf_parse_i64(v, n, &e) || e < -65536 || e > 65536)
			return -EINVAL;
		d->err = (int)e;
		return 0;
	case 'f':
		return jf_features_parse(v, n, &d->features_known, &d->features,
					 &d->dirty_tracking);
	case 'r':
		return jf_parse_time(v, n, base, js->delta, &d->read_ns);
	case 's':
		return jf_parse_time(v, n, base, js->delta, &d->seen_ns);
	case 'q':
		return jf_parse_time(v, n, base, js->delta, &d->prev_ns);
	case 'b':
		return jf_parse_time(v, n, base, js->delta, &d->busy_ns);
	case 'x':
		return sj_bool(v, n, &d->exact);
	case 't':
		return sj_bool(v, n, &d->stale);
	case 'w':
		return sj_hex(v, n, d);
	default:
		return 0;	/* a field a newer writer added: ignored */
	}
}

/* One field of a source. */
static int sj_src_field(struct jr_src *js, char c, const char *v, size_t n)
{
	struct snapshot *sn = &js->s->snap;
	uint64_t u;
	int64_t i;
	bool b;

	switch (c) {
	case 'N':
		if (jf_parse_u64(v, n, &u))
			return -EINVAL;
		return sj_grow(js, (size_t)u);
	case 'L':
		return jf_link_parse(v, n, &sn->link);
	case 'M':
		return jf_unesc(v, n, sn->msg, sizeof(sn->msg)) < 0 ? -EINVAL : 0;
	case 'O':
		if (jf_parse_i64(v, n, &i))
			return -EINVAL;
		sn->clock_offset_ns = i + js->off_add;
		return 0;
	case 'E':
		if (sj_bool(v, n, &b))
			return -EINVAL;
		sn->ever = b;
		return 0;
	case 'H':
		if (js->keep_host)
			return 0;
		return jf_unesc(v, n, sn->host, sizeof(sn->host)) < 0 ? -EINVAL : 0;
	case 'C':
		return sj_changed(js, v, n);
	default:
		return 0;
	}
}

/* Apply the tokens of a refresh or keyframe record. */
static int sj_apply(const struct jr_rec *rec, struct jr_src *const *srcs,
		    size_t nsrc, struct jr_applied *out)
{
	const char *cur = rec->p, *end = rec->p + rec->n;
	struct jr_src *js = NULL;
	struct snap_dev *sd = NULL;
	struct jf_tok t;
	bool skip = false;
	int rc = 0;

	while (!rc && jf_next(&cur, end, &t)) {
		char c = t.p[0];
		uint64_t u;

		if (c == '@') {
			if (jf_parse_u64(t.p + 1, t.n - 1, &u) || u >= nsrc)
				return -EINVAL;
			/* A source the replay leaves out (the same host is
			 * in another journal): skip its tokens. */
			skip = !srcs[u];
			js = srcs[u];
			sd = NULL;
		} else if (skip) {
			continue;
		} else if (c == 'x' && t.n == 1 && !js) {
			if (out)
				out->extra = true;
		} else if (c == 'd' && !js) {
			if (jf_parse_u64(t.p + 1, t.n - 1, &u))
				return -EINVAL;
			if (out)
				out->delay_ns = u;
		} else if (!js) {
			continue;	/* newer record-level token */
		} else if (c == '#') {
			if (jf_parse_u64(t.p + 1, t.n - 1, &u) ||
			    u >= js->s->snap.nslots)
				return -EINVAL;
			sd = &js->s->snap.dev[u];
		} else if (c == '>') {
			rc = sj_step(js, t.p + 1, t.n - 1, rec->t);
		} else if (c >= 'a' && c <= 'z') {
			if (!sd)
				return -EINVAL;
			rc = sj_slot_field(js, sd, c, t.p + 1, t.n - 1, rec->t);
		} else if (c >= 'A' && c <= 'Z') {
			rc = sj_src_field(js, c, t.p + 1, t.n - 1);
		}
	}
	return rc;
}

static void sj_reset(struct jr_src *const *srcs, size_t nsrc, uint64_t t)
{
	for (size_t i = 0; i < nsrc; i++) {
		struct snapshot *sn;

		if (!srcs[i])
			continue;
		sn = &srcs[i]->s->snap;
		sn->nchanged = sn->nsteps = 0;
		sn->urgent = false;
		sn->t_ns = t + (uint64_t)srcs[i]->delta;
	}
}

/*
 * A refresh record: the snapshots of @srcs (indexed as the recording
 * numbered its sources) become what the recording's were after that
 * refresh.  Returns 0, or -EINVAL when the record does not parse (the
 * snapshots may then be partly updated).
 */
int jr_apply(const struct jr_rec *rec, struct jr_src *const *srcs,
	     size_t nsrc, struct jr_applied *out, char *err, size_t len)
{
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	sj_reset(srcs, nsrc, rec->t);
	rc = sj_apply(rec, srcs, nsrc, out);
	if (rc && err)
		snprintf(err, len, "a record that does not parse (%s)",
			 rc == -E2BIG ? "too large" : rc == -ENOMEM ?
			 "out of memory" : "bad field");
	return rc;
}

/* The fields of a slot that make it a change for the model. */
static bool sj_differs(const struct snap_dev *a, const struct snap_dev *b)
{
	return a->gen != b->gen || a->present != b->present ||
	       a->val != b->val || a->err != b->err ||
	       a->features != b->features ||
	       a->features_known != b->features_known ||
	       a->busy_ns != b->busy_ns || a->exact != b->exact ||
	       a->raw_len != b->raw_len ||
	       memcmp(a->raw, b->raw, a->raw_len) ||
	       strncmp(a->name, b->name, sizeof(a->name));
}

/*
 * A keyframe: the whole state of every source.  Slots that differ from
 * what the replay had (all present ones at the start of a replay; after a
 * gap, what the lost records changed) are listed as changed, so that the
 * model takes them in as one refresh.  Returns the number of changed
 * slots, or -errno.
 */
int jr_apply_key(const struct jr_rec *rec, struct jr_src *const *srcs,
		 size_t nsrc, char *err, size_t len)
{
	struct snap_dev *old[JR_MAX_SOURCES] = { NULL };
	size_t nold[JR_MAX_SOURCES] = { 0 };
	int rc = 0, changed = 0;

	sj_reset(srcs, nsrc, rec->t);
	for (size_t i = 0; i < nsrc && i < JR_MAX_SOURCES; i++) {
		const struct snapshot *sn;

		if (!srcs[i])
			continue;
		sn = &srcs[i]->s->snap;
		nold[i] = sn->nslots;
		if (nold[i] && !(old[i] = malloc(nold[i] * sizeof(*old[i])))) {
			rc = -ENOMEM;
			goto out;
		}
		if (nold[i])
			memcpy(old[i], sn->dev, nold[i] * sizeof(*old[i]));
	}
	rc = sj_apply(rec, srcs, nsrc, NULL);
	if (rc)
		goto out;
	for (size_t i = 0; i < nsrc && i < JR_MAX_SOURCES; i++) {
		struct snapshot *sn;

		if (!srcs[i])
			continue;
		sn = &srcs[i]->s->snap;
		sn->nchanged = 0;
		for (size_t s = 0; s < sn->nslots; s++) {
			bool diff = s < nold[i] ? sj_differs(&old[i][s], &sn->dev[s]) :
				    sn->dev[s].present;

			if (diff && sn->nchanged < srcs[i]->ccap) {
				sn->changed[sn->nchanged++] = (uint32_t)s;
				changed++;
			}
		}
	}
out:
	for (size_t i = 0; i < JR_MAX_SOURCES; i++)
		free(old[i]);
	if (rc && err)
		snprintf(err, len, "a keyframe that does not parse");
	return rc ? rc : changed;
}
