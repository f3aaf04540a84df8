// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pair.c - pairing source and destination devices, and judging how their
 * migration goes.  Everything here is a pure function of its arguments.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "pair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "model.h"
#include "strmap.h"

static const char *const pair_phases[] = {
	[PAIR_IDLE] = "idle",
	[PAIR_PRE_COPY] = "pre-copy",
	[PAIR_STOP_COPY] = "stop-copy",
	[PAIR_RESUMING] = "resuming",
	[PAIR_COMPLETED] = "completed",
	[PAIR_FAILED] = "failed",
};

const char *pair_phase_name(enum pair_phase p)
{
	return (unsigned int)p <= PAIR_FAILED ? pair_phases[p] : "?";
}

const char *pair_side_name(enum pair_side s)
{
	return s == PAIR_DST ? "dst" : "src";
}

static void pair_push(struct pair_match *out, size_t max, size_t *n, int s,
		      int d, int spec)
{
	if (*n < max) {
		out[*n].idx[PAIR_SRC] = s;
		out[*n].idx[PAIR_DST] = d;
		out[*n].spec = spec;
	}
	(*n)++;
}

static int pair_find(const char *const *names, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], want))
			return (int)i;
	return -1;
}

/*
 * Pair devices: first the explicit @specs, then identical names (not when
 * both sides are one @shared tree), then the rest in order of appearance
 * (@names are in that order).  Leftovers are listed alone.  Writes at most
 * @max pairs to @out and returns how many there are.
 */
size_t pair_match_names(const char *const *names[PAIR_NSIDES],
			const size_t n[PAIR_NSIDES],
			const struct pair_spec *specs, size_t nspecs,
			bool shared, struct pair_match *out, size_t max)
{
	bool *used[PAIR_NSIDES];
	struct strmap dmap;
	size_t np = 0, si, di;

	used[PAIR_SRC] = calloc(n[PAIR_SRC] + 1, sizeof(bool));
	used[PAIR_DST] = calloc(n[PAIR_DST] + 1, sizeof(bool));
	if (!used[PAIR_SRC] || !used[PAIR_DST]) {
		free(used[PAIR_SRC]);
		free(used[PAIR_DST]);
		return 0;
	}
	for (size_t k = 0; k < nspecs; k++) {
		int s = pair_find(names[PAIR_SRC], n[PAIR_SRC], specs[k].src);
		int d = pair_find(names[PAIR_DST], n[PAIR_DST], specs[k].dst);

		if (s >= 0 && used[PAIR_SRC][s])
			s = -1;
		if (d >= 0 && used[PAIR_DST][d])
			d = -1;
		if (s >= 0)
			used[PAIR_SRC][s] = true;
		if (d >= 0)
			used[PAIR_DST][d] = true;
		pair_push(out, max, &np, s, d, (int)k);
	}
	if (!shared) {
		strmap_init(&dmap);
		for (di = 0; di < n[PAIR_DST]; di++)
			if (!used[PAIR_DST][di] &&
			    strmap_get(&dmap, names[PAIR_DST][di],
				       strlen(names[PAIR_DST][di])) < 0)
				strmap_put(&dmap, names[PAIR_DST][di],
					   strlen(names[PAIR_DST][di]), (int)di);
		for (si = 0; si < n[PAIR_SRC]; si++) {
			int d;

			if (used[PAIR_SRC][si])
				continue;
			d = strmap_get(&dmap, names[PAIR_SRC][si],
				       strlen(names[PAIR_SRC][si]));
			if (d < 0 || used[PAIR_DST][d])
				continue;
			used[PAIR_SRC][si] = used[PAIR_DST][d] = true;
			pair_push(out, max, &np, (int)si, d, -1);
		}
		strmap_free(&dmap);
		for (si = 0, di = 0;; si++, di++) {
			while (si < n[PAIR_SRC] && used[PAIR_SRC][si])
				si++;
			while (di < n[PAIR_DST] && used[PAIR_DST][di])
				di++;
			if (si >= n[PAIR_SRC] || di >= n[PAIR_DST])
				break;
			used[PAIR_SRC][si] = used[PAIR_DST][di] = true;
			pair_push(out, max, &np, (int)si, (int)di, -1);
		}
	}
	for (si = 0; si < n[PAIR_SRC]; si++)
		if (!used[PAIR_SRC][si])
			pair_push(out, max, &np, (int)si, -1, -1);
	for (di = 0; di < n[PAIR_DST]; di++)
		if (!used[PAIR_DST][di])
			pair_push(out, max, &np, -1, (int)di, -1);
	free(used[PAIR_SRC]);
	free(used[PAIR_DST]);
	return np;
}

/* A transition of either side, for the merged walk. */
struct pair_step {
	struct model_trans t;	/* the transition */
	enum pair_side side;	/* whose */
};

static bool pair_active(enum pair_phase p)
{
	return p == PAIR_PRE_COPY || p == PAIR_STOP_COPY || p == PAIR_RESUMING;
}

static void pair_fail(struct pair_verdict *v, enum pair_side side,
		      enum pair_reason r, enum dstate bad, enum dstate before,
		      uint64_t t)
{
	v->phase = PAIR_FAILED;
	v->side = side;
	v->reason = r;
	v->bad = bad;
	v->before = before;
	v->end_ns = t;
	v->phase_ns = t;
}

/* Where the walk over both histories stands. */
struct pair_walk {
	struct pair_verdict *v;	/* the verdict being built */
	bool saw_sc;		/* the source reached STOP_COPY in this migration */
	bool src_saving;	/* the source is in PRE_COPY(_P2P)/STOP_COPY or stopped after it */
	bool dst_resuming;	/* the destination is in RESUMING */
	uint64_t stop_ns;	/* when the source left RUNNING for RUNNING_P2P/STOP; 0 */
	enum dstate src_at;	/* the source's last state */
};

/* Begin a new migration at @t unless one is under way. */
static void pair_begin(struct pair_walk *w, uint64_t t)
{
	if (pair_active(w->v->phase))
		return;
	memset(w->v, 0, sizeof(*w->v));
	w->v->start_ns = t;
	w->saw_sc = false;
}

static void pair_set_phase(struct pair_verdict *v, enum pair_phase p,
			   uint64_t t)
{
	if (v->phase != p)
		v->phase_ns = t;
	v->phase = p;
}

/*
 * The phase of a migration under way, from where both sides are.  The
 * source leads: QEMU puts the destination in RESUMING at setup, long
 * before the source is done, so "resuming" means the source has finished
 * and the destination is still loading.
 */
static void pair_phase_now(struct pair_walk *w, uint64_t t)
{
	if (!pair_active(w->v->phase))
		return;
	if (w->src_at == DS_PRE_COPY || w->src_at == DS_PRE_COPY_P2P)
		pair_set_phase(w->v, PAIR_PRE_COPY, t);
	else if (w->src_at == DS_STOP_COPY)
		pair_set_phase(w->v, PAIR_STOP_COPY, t);
	else if (w->dst_resuming)
		pair_set_phase(w->v, PAIR_RESUMING, t);
	else
		pair_set_phase(w->v, PAIR_STOP_COPY, t);
}

/*
 * A step that did not happen: a refused request changes nothing; a step
 * the driver failed during a migration fails it.  Returns true when @t was
 * such an attempt.
 */
static bool pair_attempt(struct pair_walk *w, enum pair_side side,
			 const struct model_trans *t)
{
	if (!(t->flags & MODEL_T_ATTEMPT))
		return false;
	if ((t->flags & MODEL_T_FAILED) && pair_active(w->v->phase))
		pair_fail(w->v, side, PAIR_R_STEP, (enum dstate)t->to,
			  (enum dstate)t->from, t->t_ns);
	return true;
}

/* Apply one source transition to the walk. */
static void pair_walk_src(struct pair_walk *w, const struct model_trans *t)
{
	struct pair_verdict *v = w->v;

	if (pair_attempt(w, PAIR_SRC, t))
		return;

	w->src_at = (enum dstate)t->to;
	switch (t->to) {
	case DS_PRE_COPY:
	case DS_PRE_COPY_P2P:
	case DS_STOP_COPY:
		pair_begin(w, w->stop_ns ? w->stop_ns : t->t_ns);
		if (!pair_active(v->phase)) {
			v->phase = PAIR_PRE_COPY;	/* refined below */
			v->phase_ns = t->t_ns;
		}
		w->stop_ns = 0;
		w->src_saving = true;
		w->saw_sc |= t->to == DS_STOP_COPY;
		pair_phase_now(w, t->t_ns);
		break;
	case DS_RUNNING_P2P:
	case DS_STOP:
		/* A guest being stopped may be the start of a migration
		 * without pre-copy: remember when, decide at STOP_COPY. */
		if (t->from == DS_RUNNING && !pair_active(v->phase))
			w->stop_ns = t->t_ns;
		pair_phase_now(w, t->t_ns);
		break;
	case DS_RUNNING:
		w->stop_ns = 0;
		/* A verdict never rests on a step nobody saw: polling that
		 * missed PRE_COPY -> STOP_COPY -> STOP rebuilds the kernel's
		 * one-request path through RUNNING, which proves nothing. */
		if (t->flags & MODEL_T_INFERRED)
			break;
		if (pair_active(v->phase) && w->src_saving)
			pair_fail(v, PAIR_SRC,
				  w->saw_sc ? PAIR_R_SRC_ABORT : PAIR_R_SRC_CANCEL,
				  DS_RUNNING, t->from, t->t_ns);
		w->src_saving = false;
		break;
	case DS_ERROR:
		pair_fail(v, PAIR_SRC, PAIR_R_ERROR, DS_ERROR, t->from, t->t_ns);
		break;
	default:
		break;
	}
}

/* Apply one destination transition to the walk. */
static void pair_walk_dst(struct pair_walk *w, const struct model_trans *t)
{
	struct pair_verdict *v = w->v;

	if (pair_attempt(w, PAIR_DST, t))
		return;

	if (t->to == DS_RESUMING) {
		pair_begin(w, t->t_ns);
		if (!pair_active(v->phase)) {
			v->phase = PAIR_RESUMING;
			v->phase_ns = t->t_ns;
		}
		w->dst_resuming = true;
		pair_phase_now(w, t->t_ns);
		return;
	}
	if (t->from == DS_RESUMING)
		w->dst_resuming = false;
	if (t->to == DS_ERROR) {
		pair_fail(v, PAIR_DST, PAIR_R_ERROR, DS_ERROR, t->from, t->t_ns);
	} else if (t->from == DS_RESUMING && pair_active(v->phase) &&
		   dstate_is_state((enum dstate)t->to)) {
		if (t->flags & MODEL_T_NOPATH) {
			pair_fail(v, PAIR_DST, PAIR_R_RESET,
				  (enum dstate)t->to, DS_RESUMING, t->t_ns);
		} else {
			v->phase = PAIR_COMPLETED;
			v->phase_ns = v->end_ns = t->t_ns;
			w->src_saving = false;
		}
	}
}

/* Collect the retained transitions of @d (oldest first). */
static size_t pair_collect(const struct model_dev *d, enum pair_side side,
			   struct pair_step *out)
{
	size_t n = 0;

	if (!d)
		return 0;
	for (unsigned int i = 0; model_hist_get(d, i, &out[n].t); i++)
		out[n++].side = side;
	return n;
}

/* Conditions of the present moment that fail a pair. */
static void pair_judge_now(const struct model_dev *d, enum pair_side side,
			   const struct pair_cfg *cfg, uint64_t now,
			   struct pair_verdict *v)
{
	bool done = v->phase == PAIR_COMPLETED;

	if (!d || v->phase == PAIR_FAILED)
		return;
	if (d->val == DS_ERROR) {
		pair_fail(v, side, PAIR_R_ERROR, DS_ERROR, DS_UNKNOWN,
			  d->since_ns);
	} else if (d->gone_ns || d->val == DS_GONE) {
		if (pair_active(v->phase))
			pair_fail(v, side, PAIR_R_GONE, DS_GONE, DS_UNKNOWN,
				  d->gone_ns ? d->gone_ns : d->since_ns);
	} else if (dstate_is_failure(d->val) || d->val == DS_INVALID) {
		if (!done || d->since_ns < v->end_ns)
			pair_fail(v, side, PAIR_R_READ, d->val, DS_UNKNOWN,
				  d->since_ns);
	} else if (d->busy_ns && cfg->busy_ns && now > d->busy_ns &&
		   now - d->busy_ns > cfg->busy_ns) {
		pair_fail(v, side, PAIR_R_BUSY, d->val, DS_UNKNOWN, d->busy_ns);
	}
}

/*
 * Judge a pair from both histories and the present values.  Walks the
 * transitions of both sides in time order: a source entering PRE_COPY or
 * STOP_COPY (or a destination entering RESUMING) starts a migration; the
 * destination leaving RESUMING for a state completes it; a source back in
 * RUNNING before that, ERROR on either side, a destination stuck in
 * RESUMING, a failed read or a vanished device fail it.
 */
void pair_judge(const struct model_dev *src, const struct model_dev *dst,
		const struct pair_cfg *cfg, uint64_t now_ns,
		struct pair_verdict *out)
{
	struct pair_step steps[2 * MODEL_HIST];
	struct pair_walk w = { .v = out, .src_at = DS_UNKNOWN };
	size_t ns, nd, i, j;

	memset(out, 0, sizeof(*out));
	ns = pair_collect(src, PAIR_SRC, steps);
	nd = pair_collect(dst, PAIR_DST, steps + ns);
	/* Merge the two time-ordered runs. */
	for (i = 0, j = ns; i < ns || j < ns + nd;) {
		const struct pair_step *st;

		if (j >= ns + nd || (i < ns && steps[i].t.t_ns <= steps[j].t.t_ns))
			st = &steps[i++];
		else
			st = &steps[j++];
		if (st->side == PAIR_SRC)
			pair_walk_src(&w, &st->t);
		else
			pair_walk_dst(&w, &st->t);
	}
	if (out->phase == PAIR_RESUMING && dst && dst->val == DS_RESUMING &&
	    cfg->stuck_ns && now_ns > dst->since_ns &&
	    now_ns - dst->since_ns > cfg->stuck_ns)
		pair_fail(out, PAIR_DST, PAIR_R_STUCK, DS_RESUMING, DS_RESUMING,
			  dst->since_ns);
	pair_judge_now(src, PAIR_SRC, cfg, now_ns, out);
	pair_judge_now(dst, PAIR_DST, cfg, now_ns, out);
}

static const char *pair_whom(enum pair_side s)
{
	return s == PAIR_DST ? "destination" : "source";
}

/* The failure reason as a sentence fragment, e.g. "destination entered ERROR from RESUMING". */
size_t pair_reason_text(const struct pair_verdict *v, uint64_t now_ns,
			char *buf, size_t len)
{
	char dur[32];
	int n;

	switch (v->reason) {
	case PAIR_R_ERROR:
		if (dstate_is_state(v->before))
			n = snprintf(buf, len, "%s entered ERROR from %s",
				     pair_whom(v->side), dstate_token(v->before));
		else
			n = snprintf(buf, len, "%s in ERROR", pair_whom(v->side));
		break;
	case PAIR_R_SRC_ABORT:
		n = snprintf(buf, len,
			     "source returned to RUNNING after STOP_COPY");
		break;
	case PAIR_R_SRC_CANCEL:
		n = snprintf(buf, len,
			     "source returned to RUNNING from %s (cancelled)",
			     dstate_token(v->before));
		break;
	case PAIR_R_STUCK:
		clock_fmt_dur(dur, sizeof(dur), now_ns > v->end_ns ?
			      now_ns - v->end_ns : 0);
		n = snprintf(buf, len, "destination stuck in RESUMING %s", dur);
		break;
	case PAIR_R_READ:
		n = snprintf(buf, len, "%s read failed: %s", pair_whom(v->side),
			     dstate_describe(v->bad));
		break;
	case PAIR_R_GONE:
		n = snprintf(buf, len, "%s vanished during the migration",
			     pair_whom(v->side));
		break;
	case PAIR_R_BUSY:
		clock_fmt_dur(dur, sizeof(dur), now_ns > v->end_ns ?
			      now_ns - v->end_ns : 0);
		n = snprintf(buf, len, "%s read blocked %s", pair_whom(v->side),
			     dur);
		break;
	case PAIR_R_STEP:
		if (v->side == PAIR_DST && v->before == DS_RESUMING)
			n = snprintf(buf, len,
				     "destination rejected the migration data (RESUMING -> %s failed)",
				     dstate_token(v->bad));
		else
			n = snprintf(buf, len, "%s failed the step %s -> %s",
				     pair_whom(v->side), dstate_token(v->before),
				     dstate_token(v->bad));
		break;
	case PAIR_R_RESET:
		n = snprintf(buf, len,
			     "destination left RESUMING for %s without a kernel path (reset after a failed load?)",
			     dstate_token(v->bad));
		break;
	default:
		n = snprintf(buf, len, "unknown");
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}

/* One line for people: "stop-copy 1.2 s", "completed in 840 ms", "FAILED: ...". */
size_t pair_describe(const struct pair_verdict *v, uint64_t now_ns, char *buf,
		     size_t len)
{
	char dur[32], why[160];
	int n;

	switch (v->phase) {
	case PAIR_IDLE:
		n = snprintf(buf, len, "idle");
		break;
	case PAIR_COMPLETED:
		clock_fmt_dur(dur, sizeof(dur), v->end_ns - v->start_ns);
		n = snprintf(buf, len, "completed in %s", dur);
		break;
	case PAIR_FAILED:
		pair_reason_text(v, now_ns, why, sizeof(why));
		n = snprintf(buf, len, "FAILED: %s", why);
		break;
	default:
		clock_fmt_dur(dur, sizeof(dur),
			      now_ns > v->phase_ns ? now_ns - v->phase_ns : 0);
		n = snprintf(buf, len, "%s %s", pair_phase_name(v->phase), dur);
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}

/* True when two verdicts name the same phase and outcome. */
bool pair_verdict_same(const struct pair_verdict *a,
		       const struct pair_verdict *b)
{
	return a->phase == b->phase && a->reason == b->reason &&
	       a->side == b->side;
}
