// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attempt.c - judging migration attempts on evidence.
 *
 * Each side of a pair is a series of stretches: a value, when it began (an
 * exact kernel step, or somewhere between two reads) and until when it was
 * last confirmed.  An attempt begins when the source starts saving (or a
 * device enters ERROR, or the destination starts loading on its own) and
 * is decided by the first fact that settles it:
 *
 *  - completed: the destination's RESUMING -> STOP arc succeeded (an exact
 *    step, or the destination seen in STOP or RUNNING_P2P after RESUMING:
 *    a reset only ever leads to RUNNING);
 *  - failed: a device entered ERROR, a driver failed a step, the
 *    destination was reset out of RESUMING, the source was back in RUNNING
 *    while the destination was still seen loading, the destination left
 *    RESUMING while the source was still seen saving, something stayed
 *    stuck past the threshold, or a device vanished before its part;
 *  - uncertain: what was seen fits both a completion and a failure (the
 *    destination going from RESUMING to RUNNING between two reads may have
 *    accepted the data, or been reset after rejecting it), or a side could
 *    not be read when it mattered.
 *
 * A step rebuilt from the kernel's path rule is never evidence: only
 * exact steps and read values in their read order are.  A decided
 * attempt never changes; what follows it is its aftermath, or a new one.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "attempt.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "dstate.h"
#include "fsm.h"

/* A destination that starts loading this soon after an attempt that it
 * never joined was decided is that attempt's late destination, ns. */
#define ATT_LATE_NS (10 * CLOCK_NS_PER_S)

static bool att_saving(uint8_t v)
{
	return v == DS_PRE_COPY || v == DS_PRE_COPY_P2P || v == DS_STOP_COPY;
}

static struct att_seg *att_seg_back(struct att_side *s, unsigned int k)
{
	if (k >= s->nseg || k >= ATT_SEGS)
		return NULL;
	return &s->seg[(s->nseg - 1 - k) % ATT_SEGS];
}

/* The latest stretch of @side, or NULL before its first value. */
const struct att_seg *att_cur_seg(const struct att_track *t, int side)
{
	return att_seg_back((struct att_side *)&t->side[side], 0);
}

static struct att_seg *att_push(struct att_side *s, uint8_t val, uint8_t how,
				uint64_t lo, uint64_t hi)
{
	struct att_seg *g = &s->seg[s->nseg++ % ATT_SEGS];

	g->val = val;
	g->how = how;
	g->lo_ns = lo;
	g->hi_ns = hi;
	g->seen_ns = hi;
	return g;
}

void att_init(struct att_track *t)
{
	memset(t, 0, sizeof(*t));
}

void att_set_exact(struct att_track *t, int side, bool exact)
{
	t->side[side].exact = exact;
}

void att_set_features(struct att_track *t, int side, unsigned int features)
{
	t->side[side].features = features;
}

static void att_settle(struct att_track *t);

/* ---- opening and deciding ---------------------------------------------- */

/* The destination's RESUMING stretch now is part of the open attempt. */
static void att_loading(struct att_track *t)
{
	t->cur.d_loading = true;
	t->cur.d_seg = t->side[ATT_DST].nseg;
}

static void att_open(struct att_track *t, uint64_t start, bool seen)
{
	const struct att_seg *d = att_cur_seg(t, ATT_DST);
	const struct att_seg *s = att_cur_seg(t, ATT_SRC);

	if (t->open)
		return;
	memset(&t->cur, 0, sizeof(t->cur));
	t->cur.no = t->ndecided + 1;
	t->cur.outcome = ATT_OPEN;
	t->cur.start_ns = start;
	t->cur.start_seen = seen;
	t->cur.phase_ns = start;
	/* A destination already loading is part of it (unless that is the
	 * leftover of the last attempt, not seen since), and so is a source
	 * already stopped (a migration without pre-copy stops the VM). */
	if (d && d->val == DS_RESUMING &&
	    (!t->ndecided || t->kept[(t->ndecided - 1) % ATT_KEEP].d_seg !=
	     t->side[ATT_DST].nseg || d->seen_ns >= start))
		att_loading(t);
	t->cur.s_saving = s && s->val != DS_RUNNING && s->val != DS_ERROR;
	t->open = true;
	t->phase_reported = false;
	t->pending_events = true;
}

static void att_decide(struct att_track *t, enum att_outcome o,
		       enum att_reason r, int side, uint8_t from, uint8_t to,
		       uint64_t end, bool exact)
{
	struct att_attempt *a = &t->cur;

	if (!t->open)
		return;
	a->outcome = o;
	a->reason = r;
	a->side = side;
	a->from = from;
	a->to = to;
	a->end_ns = end < a->start_ns ? a->start_ns : end;
	a->exact = exact;
	t->kept[t->ndecided++ % ATT_KEEP] = *a;
	t->count[o]++;
	t->open = false;
	t->pending_events = true;
}

static void att_fail(struct att_track *t, enum att_reason r, int side,
		     uint8_t from, uint8_t to, uint64_t end, bool exact)
{
	att_decide(t, ATT_FAILED, r, side, from, to, end, exact);
}

static void att_unsure(struct att_track *t, enum att_reason r, int side,
		       uint8_t from, uint8_t to, uint64_t end, uint64_t gap)
{
	t->cur.gap_ns = gap;
	att_decide(t, ATT_UNCERTAIN, r, side, from, to, end, false);
}

/* ---- what a change means ----------------------------------------------- */

/* A device going into ERROR at @lo_ns (no attempt open) is the aftermath
 * of a failure just decided (a driver sets ERROR after failing a step),
 * not a new attempt. */
static bool att_aftermath(const struct att_track *t, uint64_t lo_ns)
{
	const struct att_attempt *last = t->ndecided ?
		&t->kept[(t->ndecided - 1) % ATT_KEEP] : NULL;

	return !t->open && last && last->outcome != ATT_COMPLETED &&
	       lo_ns < last->end_ns + ATT_LATE_NS;
}

/* A step dated at or before the decision of the last attempt belongs to
 * it: its side's news came late (reads of the two sides are not taken in
 * at the same moment), it starts nothing new. */
static bool att_before_decision(const struct att_track *t,
				const struct att_seg *g)
{
	return !t->open && t->ndecided && g->hi_ns <= t->cur.end_ns;
}

/* Where a migration without PRE_COPY began: the exact steps out of
 * RUNNING that led to STOP_COPY (the VM was stopped for it). */
static uint64_t att_stop_start(struct att_side *s, uint64_t sc_ns)
{
	uint64_t start = sc_ns;

	for (unsigned int k = 1;; k++) {
		struct att_seg *g = att_seg_back(s, k);

		if (!g || g->how != ATT_HOW_EXACT ||
		    (g->val != DS_STOP && g->val != DS_RUNNING_P2P))
			break;
		start = g->hi_ns;
	}
	return start;
}

static void att_src_change(struct att_track *t, const struct att_seg *prev,
			   const struct att_seg *g)
{
	struct att_attempt *a = &t->cur;
	bool exact = g->how >= ATT_HOW_EXACT;

	if (att_saving(g->val)) {
		if (!t->open && !att_saving(prev->val) &&
		    !att_before_decision(t, g))
			att_open(t, g->val == DS_STOP_COPY ?
				 att_stop_start(&t->side[ATT_SRC], g->hi_ns) :
				 g->hi_ns, true);
		if (t->open) {
			a->s_saving = true;
			a->s_last_saving = g->val;
		}
		return;
	}
	if (g->val == DS_ERROR) {
		if (att_aftermath(t, g->lo_ns))
			return;
		att_open(t, g->hi_ns, true);
		att_fail(t, ATT_R_ERROR, ATT_SRC, prev->val, g->val, g->hi_ns,
			 exact);
		return;
	}
	if (!t->open)
		return;
	/* A migration without pre-copy begins by stopping the VM. */
	if (prev->val == DS_RUNNING &&
	    (g->val == DS_STOP || g->val == DS_RUNNING_P2P))
		a->s_saving = true;
	if (!a->s_saving)
		return;
	if (!a->s_done.hi_ns && (g->val == DS_RUNNING ||
	     (att_saving(prev->val) &&
	      (g->val == DS_STOP || g->val == DS_RUNNING_P2P)))) {
		a->s_done.lo_ns = g->lo_ns;
		a->s_done.hi_ns = g->hi_ns;
	}
	if (g->val == DS_RUNNING && !a->s_resumed.hi_ns) {
		a->s_resumed.lo_ns = g->lo_ns;
		a->s_resumed.hi_ns = g->hi_ns;
		a->s_resumed_from = a->s_last_saving ? a->s_last_saving : prev->val;
		a->s_resumed_exact = exact;
	}
}

static void att_dst_change(struct att_track *t, const struct att_seg *prev,
			   const struct att_seg *g)
{
	struct att_attempt *a = &t->cur;
	bool exact = g->how >= ATT_HOW_EXACT;

	if (g->val == DS_ERROR) {
		if (att_aftermath(t, g->lo_ns))
			return;
		att_open(t, g->hi_ns, true);
		att_fail(t, ATT_R_ERROR, ATT_DST, prev->val, g->val, g->hi_ns,
			 exact);
		return;
	}
	if (g->val == DS_RESUMING) {
		if (t->open) {
			att_loading(t);
			return;
		}
		/* The late destination of an attempt it never joined. */
		if (t->ndecided && !a->d_loading &&
		    g->lo_ns < a->end_ns + ATT_LATE_NS)
			return;
		att_open(t, g->hi_ns, true);
		att_loading(t);
		return;
	}
	if (prev->val != DS_RESUMING || !t->open || !a->d_loading)
		return;
	switch (g->how) {
	case ATT_HOW_EXACT:
		/* The only arc out of RESUMING is the one that validates. */
		att_decide(t, ATT_COMPLETED, ATT_R_NONE, ATT_DST, DS_RESUMING,
			   g->val, g->hi_ns, true);
		break;
	case ATT_HOW_RESET:
		if (g->lo_ns < a->start_ns) {
			/* Perhaps reset before the attempt began: that
			 * stretch of RESUMING was not its load. */
			a->d_loading = false;
			break;
		}
		att_fail(t, ATT_R_RESET, ATT_DST, DS_RESUMING, g->val,
			 g->hi_ns, true);
		break;
	default:
		if (g->val == DS_STOP || g->val == DS_RUNNING_P2P) {
			/* Only the validating arc leads there. */
			att_decide(t, ATT_COMPLETED, ATT_R_NONE, ATT_DST,
				   DS_RESUMING, g->val, g->hi_ns, false);
		} else if (!a->d_left.hi_ns) {
			a->d_left.lo_ns = g->lo_ns;
			a->d_left.hi_ns = g->hi_ns;
		}
		break;
	}
}

static void att_change(struct att_track *t, int side, struct att_seg prev,
		       const struct att_seg *g)
{
	t->pending_events = true;
	if (side == ATT_SRC)
		att_src_change(t, &prev, g);
	else
		att_dst_change(t, &prev, g);
}

/* ---- input ------------------------------------------------------------- */

static void att_first(struct att_track *t, int side, const struct att_seg *g)
{
	/* A status, not an event: only a source found saving is an attempt
	 * under way (its start unseen). */
	if (side == ATT_SRC && att_saving(g->val)) {
		att_open(t, g->hi_ns, false);
		t->cur.s_saving = true;
		t->cur.s_last_saving = g->val;
	} else if (side == ATT_DST && g->val == DS_RESUMING && t->open) {
		att_loading(t);
	}
}

/*
 * A read of @side returned @val (a state) at @t_ns; the value before was
 * last confirmed at @lo_ns (0: not known).
 */
void att_value(struct att_track *t, int side, uint8_t val, uint64_t lo_ns,
	       uint64_t t_ns)
{
	struct att_side *s = &t->side[side];
	struct att_seg *cur = att_seg_back(s, 0), prev;

	if (!dstate_is_state((enum dstate)val))
		return;
	s->blind = ATT_B_NONE;
	s->gone = false;
	s->unsure_ns = 0;
	if (!cur) {
		att_first(t, side, att_push(s, val, ATT_HOW_FIRST, t_ns, t_ns));
		return;
	}
	if (cur->val == val) {
		att_confirm(t, side, t_ns);
		return;
	}
	prev = *cur;
	if (lo_ns < cur->seen_ns)
		lo_ns = cur->seen_ns;
	if (lo_ns > t_ns)
		lo_ns = t_ns;
	att_change(t, side, prev, att_push(s, val, ATT_HOW_READ, lo_ns, t_ns));
}

/* A step the driver failed (exact, from the arc log). */
static void att_failed_step(struct att_track *t, int side, uint8_t from,
			    uint8_t to, uint64_t t_ns)
{
	t->pending_events = true;
	att_settle(t);
	if (!t->open) {
		if (!att_saving(from) && !att_saving(to) &&
		    from != DS_RESUMING && to != DS_RESUMING)
			return;
		att_open(t, t_ns, true);
	}
	att_fail(t, ATT_R_STEP, side, from, to, t_ns, true);
}

/*
 * An exact step from @from to @to at @t_ns (ATT_F_* @flags).  A change by
 * no kernel step (ATT_F_NOPATH) is known only to have come after @lo_ns,
 * the read before it; for a kernel step @lo_ns is @t_ns.
 *
 * An unsure step (ATT_F_UNSURE: the device was found, by no kernel path,
 * neither where the step leads nor where it began) is no evidence of its
 * own.  It only shows the device was still in @from when the kernel chose
 * it: the change by no kernel path that follows is taken as a change seen
 * between two reads, from @from, after @t_ns; whether the step in between
 * was taken is left to the other evidence to decide, or to nothing.
 */
void att_step(struct att_track *t, int side, uint8_t from, uint8_t to,
	      uint64_t lo_ns, uint64_t t_ns, unsigned int flags)
{
	struct att_side *s = &t->side[side];
	struct att_seg *cur, prev;
	uint64_t held, unsure = s->unsure_ns;

	if (!dstate_is_state((enum dstate)from) ||
	    !dstate_is_state((enum dstate)to))
		return;
	s->unsure_ns = 0;
	if (flags & ATT_F_UNSURE) {
		cur = att_seg_back(s, 0);
		if (cur && cur->val == from) {
			if (t_ns > cur->seen_ns)
				cur->seen_ns = t_ns;
			s->unsure_ns = t_ns ? t_ns : 1;
		}
		return;
	}
	if (unsure && (flags & ATT_F_NOPATH)) {
		cur = att_seg_back(s, 0);
		if (cur && cur->val == from) {
			att_value(t, side, to, unsure, t_ns);
			return;
		}
	}
	if (flags & ATT_F_FAILED) {
		att_failed_step(t, side, from, to, t_ns);
		return;
	}
	s->blind = ATT_B_NONE;
	s->gone = false;
	held = flags & ATT_F_NOPATH && lo_ns && lo_ns < t_ns ? lo_ns : t_ns;
	cur = att_seg_back(s, 0);
	if (!cur) {
		cur = att_push(s, from, ATT_HOW_FIRST, held, held);
		att_first(t, side, cur);
	} else if (cur->val != from) {
		/* How it came to @from was not seen. */
		prev = *cur;
		cur = att_push(s, from, ATT_HOW_READ, prev.seen_ns, held);
		att_change(t, side, prev, cur);
	}
	if (held > cur->seen_ns)
		cur->seen_ns = held;
	if (from == to)
		return;
	prev = *cur;
	att_change(t, side, prev,
		   att_push(s, to, flags & ATT_F_NOPATH ? ATT_HOW_RESET :
			    ATT_HOW_EXACT, prev.seen_ns < held ? prev.seen_ns :
			    held, t_ns));
}

/* @side's value is known not to have changed through @t_ns. */
void att_confirm(struct att_track *t, int side, uint64_t t_ns)
{
	struct att_seg *cur = att_seg_back(&t->side[side], 0);

	t->side[side].blind = ATT_B_NONE;
	t->side[side].unsure_ns = 0;
	if (!cur)
		return;
	if (t_ns > cur->seen_ns)
		cur->seen_ns = t_ns;
	/* A destination seen loading once the attempt is under way. */
	if (side == ATT_DST && t->open && !t->cur.d_loading &&
	    cur->val == DS_RESUMING && cur->seen_ns >= t->cur.start_ns)
		att_loading(t);
}

/* @side cannot be read from @t_ns on. */
void att_blind(struct att_track *t, int side, enum att_blind why,
	       uint64_t t_ns)
{
	struct att_side *s = &t->side[side];

	if (s->blind == why)
		return;
	if (s->blind == ATT_B_NONE || why == ATT_B_BUSY)
		s->blind_ns = t_ns;
	s->blind = why;
	t->pending_events = true;
}

/* @side's device vanished at @t_ns. */
void att_gone(struct att_track *t, int side, uint64_t t_ns)
{
	struct att_side *s = &t->side[side];
	struct att_attempt *a = &t->cur;
	const struct att_seg *g = att_seg_back(s, 0);
	uint8_t last = g ? g->val : DS_UNKNOWN;

	if (s->gone)
		return;
	if (t->open && ((side == ATT_SRC && a->s_saving && !a->s_done.hi_ns) ||
			(side == ATT_DST && a->d_loading)))
		att_fail(t, ATT_R_GONE, side, last, DS_GONE, t_ns,
			 s->exact);
	s->gone = true;
	s->blind = ATT_B_NONE;
	s->nseg = 0;		/* a device coming back is seen afresh */
	t->pending_events = true;
}

/* Keep @text as what the VMM of @side said about @a (the first text stays). */
static bool att_vmm_note(struct att_attempt *a, int side, const char *text)
{
	if (a->vmm[side][0] || !text || !text[0])
		return false;
	snprintf(a->vmm[side], sizeof(a->vmm[side]), "%s", text);
	return true;
}

/*
 * The VMM of @side (QEMU, over QMP) reported that a migration that began
 * after @lo_ns failed at or before @t_ns, saying @text.  Its words go to
 * the attempt the devices show for that span (reported again if already
 * decided); when the devices show none, the failure came before any
 * device changed state (in setup), and QEMU's report is the evidence of
 * a failed attempt of its own.
 */
void att_vmm_failed(struct att_track *t, int side, uint64_t lo_ns,
		    uint64_t t_ns, const char *text)
{
	const struct att_attempt *last = att_kept(t, 0);

	if (side != ATT_SRC && side != ATT_DST)
		return;
	if (t->open) {
		att_vmm_note(&t->cur, side, text);
		return;
	}
	/* QEMU's migration began (after lo_ns) before that attempt ended. */
	if (last && lo_ns < last->end_ns && t_ns + ATT_LATE_NS >= last->start_ns) {
		if (att_vmm_note(&t->kept[(t->ndecided - 1) % ATT_KEEP], side,
				 text)) {
			t->renote = true;
			t->pending_events = true;
		}
		return;
	}
	att_open(t, lo_ns < t_ns ? lo_ns : t_ns, true);
	att_vmm_note(&t->cur, side, text);
	att_fail(t, ATT_R_VMM, side, DS_UNKNOWN, DS_UNKNOWN, t_ns, false);
}

/* ---- deciding on what was seen since --------------------------------- */

/* The newest stretch of @s holding @val confirmed at or after @t, or NULL. */
static const struct att_seg *att_seen_after(struct att_side *s, uint8_t val,
					    uint64_t t)
{
	for (unsigned int k = 0;; k++) {
		const struct att_seg *g = att_seg_back(s, k);

		if (!g || g->seen_ns < t)
			return NULL;
		if (g->val == val)
			return g;
	}
}

/*
 * The first read of @s at or after @t: its stretch (NULL if there is none
 * yet) and whether the stretch before it already held at @t.
 */
static const struct att_seg *att_first_after(struct att_side *s, uint64_t t,
					     const struct att_seg **before)
{
	const struct att_seg *found = NULL;

	*before = NULL;
	for (unsigned int k = 0;; k++) {
		const struct att_seg *g = att_seg_back(s, k);

		if (!g || g->seen_ns < t) {
			*before = g;
			return found;
		}
		found = g;
	}
}

/* The source resumed: was the destination still loading, then? */
static void att_eval_resumed(struct att_track *t)
{
	struct att_attempt *a = &t->cur;
	struct att_side *d = &t->side[ATT_DST];
	const struct att_seg *dc = att_seg_back(d, 0);
	uint64_t at = a->s_resumed.hi_ns;

	if (a->d_loading && att_seen_after(d, DS_RESUMING, at)) {
		att_fail(t, ATT_R_ABANDONED, ATT_SRC, a->s_resumed_from,
			 DS_RUNNING, at, a->s_resumed_exact && d->exact);
		return;
	}
	if (a->d_left.hi_ns || !dc || dc->seen_ns < at)
		return;		/* the destination's own exit decides, or wait */
	if (!a->d_loading && d->exact)
		att_fail(t, ATT_R_NOLOAD, ATT_SRC, a->s_resumed_from,
			 DS_RUNNING, at, a->s_resumed_exact);
	else if (!a->d_loading)
		att_unsure(t, ATT_U_NOLOAD, ATT_SRC, a->s_resumed_from,
			   DS_RUNNING, at, at - a->s_resumed.lo_ns);
}

/* The destination left RESUMING for RUNNING unseen: where was the source? */
static void att_eval_left(struct att_track *t)
{
	struct att_attempt *a = &t->cur;
	struct att_side *s = &t->side[ATT_SRC];
	uint64_t at = a->d_left.hi_ns, gap = at - a->d_left.lo_ns;
	const struct att_seg *before, *g = att_first_after(s, at, &before);

	if (!g)
		return;		/* no read of the source since: wait */
	if (att_saving(g->val) &&
	    (g->hi_ns <= at || (before && att_saving(before->val)))) {
		/* Saving before and after: the data was not complete. */
		att_fail(t, ATT_R_DST_LEFT, ATT_DST, DS_RESUMING, g->val, at,
			 false);
		return;
	}
	att_unsure(t, g->val == DS_RUNNING && a->s_resumed.hi_ns ?
		   ATT_U_BOTH : ATT_U_LEFT, ATT_DST, DS_RESUMING, DS_RUNNING,
		   at, gap);
}

/* Time-based rules: stuck states, blocked reads, unreadable sides. */
static void att_eval_time(struct att_track *t, const struct att_cfg *cfg,
			  uint64_t now)
{
	struct att_attempt *a = &t->cur;
	const struct att_seg *sc = att_seg_back(&t->side[ATT_SRC], 0);
	const struct att_seg *dc = att_seg_back(&t->side[ATT_DST], 0);

	if (cfg->stuck_ns && dc && dc->val == DS_RESUMING && a->d_loading &&
	    a->s_done.hi_ns && dc->seen_ns > a->s_done.hi_ns &&
	    dc->seen_ns - a->s_done.hi_ns > cfg->stuck_ns) {
		t->cur.gap_ns = cfg->stuck_ns;
		att_fail(t, ATT_R_STUCK_DST, ATT_DST, DS_RESUMING, DS_RESUMING,
			 a->s_done.hi_ns + cfg->stuck_ns, t->side[ATT_DST].exact);
		return;
	}
	/* A source that can pre-copy is in PRE_COPY while its destination
	 * loads; one that stays in RUNNING is not migrating to it. */
	if (cfg->stuck_ns && dc && sc && dc->val == DS_RESUMING &&
	    a->d_loading && !a->s_saving && sc->val == DS_RUNNING &&
	    (t->side[ATT_SRC].features & FSM_F_PRE_COPY)) {
		uint64_t from = sc->hi_ns > dc->hi_ns ? sc->hi_ns : dc->hi_ns;
		uint64_t upto = sc->seen_ns < dc->seen_ns ? sc->seen_ns : dc->seen_ns;

		if (upto > from && upto - from > cfg->stuck_ns) {
			t->cur.gap_ns = cfg->stuck_ns;
			att_fail(t, ATT_R_NOSRC, ATT_DST, DS_RESUMING, DS_RUNNING,
				 from + cfg->stuck_ns, false);
			return;
		}
	}
	if (cfg->stuck_ns && sc && sc->val == DS_STOP_COPY &&
	    sc->seen_ns > sc->hi_ns && sc->seen_ns - sc->hi_ns > cfg->stuck_ns) {
		t->cur.gap_ns = cfg->stuck_ns;
		att_fail(t, ATT_R_STUCK_SRC, ATT_SRC, DS_STOP_COPY,
			 DS_STOP_COPY, sc->hi_ns + cfg->stuck_ns,
			 t->side[ATT_SRC].exact);
		return;
	}
	for (int i = 0; i < 2 && t->open; i++) {
		const struct att_side *s = &t->side[i];
		uint64_t age = now > s->blind_ns ? now - s->blind_ns : 0;

		if (s->blind == ATT_B_BUSY && cfg->busy_ns &&
		    age > cfg->busy_ns) {
			t->cur.gap_ns = cfg->busy_ns;
			att_fail(t, ATT_R_BUSY, i, DS_UNKNOWN, DS_UNKNOWN,
				 s->blind_ns + cfg->busy_ns, false);
		} else if (s->blind != ATT_B_NONE && s->blind != ATT_B_BUSY &&
			   cfg->stuck_ns && age > cfg->stuck_ns) {
			t->cur.blind = s->blind;
			att_unsure(t, ATT_U_BLIND, i, DS_UNKNOWN, DS_UNKNOWN,
				   s->blind_ns + cfg->stuck_ns, cfg->stuck_ns);
		}
	}
}

static enum att_phase att_phase_now(const struct att_track *t)
{
	const struct att_seg *s = att_cur_seg(t, ATT_SRC);
	const struct att_seg *d = att_cur_seg(t, ATT_DST);

	if (s && (s->val == DS_PRE_COPY || s->val == DS_PRE_COPY_P2P))
		return ATT_PH_PRE_COPY;
	if (s && s->val == DS_STOP_COPY)
		return ATT_PH_STOP_COPY;
	if (t->cur.s_done.hi_ns && d && d->val == DS_RESUMING)
		return ATT_PH_RESUMING;
	return ATT_PH_STOP_COPY;
}

/* Decide what the knowledge so far allows (not the time-based rules). */
static void att_settle(struct att_track *t)
{
	if (t->open && t->cur.s_resumed.hi_ns)
		att_eval_resumed(t);
	if (t->open && t->cur.d_left.hi_ns)
		att_eval_left(t);
}

/*
 * Decide what the evidence now allows, at @now_ns.  Writes to @ev (at
 * most @max) the attempts decided since the last call, then a phase
 * change of the open attempt; returns how many there are (may exceed
 * @max).
 */
size_t att_eval(struct att_track *t, const struct att_cfg *cfg, uint64_t now_ns,
		struct att_event *ev, size_t max)
{
	size_t n = 0;

	att_settle(t);
	if (t->open)
		att_eval_time(t, cfg, now_ns);
	/* Attempts decided since the last call (by input or just now),
	 * oldest first, then the open attempt's phase if it changed. */
	if (!t->pending_events)
		return 0;
	t->pending_events = false;
	for (uint32_t i = t->reported; i < t->ndecided; i++) {
		if (t->ndecided - i > ATT_KEEP)
			continue;
		if (n < max) {
			ev[n].decided = true;
			ev[n].note = false;
			ev[n].a = t->kept[i % ATT_KEEP];
		}
		n++;
	}
	t->reported = t->ndecided;
	if (t->renote && t->ndecided) {
		/* Already reported: again, now with the VMM's words. */
		if (n < max) {
			ev[n].decided = true;
			ev[n].note = true;
			ev[n].a = t->kept[(t->ndecided - 1) % ATT_KEEP];
		}
		n++;
	}
	t->renote = false;
	if (t->open) {
		enum att_phase p = att_phase_now(t);

		if (!t->phase_reported || p != t->cur.phase) {
			if (t->phase_reported)
				t->cur.phase_ns = now_ns;
			t->cur.phase = p;
			t->phase_reported = true;
			if (n < max) {
				ev[n].decided = false;
				ev[n].note = false;
				ev[n].a = t->cur;
			}
			n++;
		}
	}
	return n;
}

/* The @i-th most recent decided attempt (0 = the latest), or NULL. */
const struct att_attempt *att_kept(const struct att_track *t, unsigned int i)
{
	if (i >= t->ndecided || i >= ATT_KEEP)
		return NULL;
	return &t->kept[(t->ndecided - 1 - i) % ATT_KEEP];
}

/* Side @i is left where no request will move it (the destination in
 * RESUMING or ERROR, the source in STOP_COPY): since when, in *@since. */
static bool att_stuck_since(const struct att_track *t, int i,
			    uint64_t *since)
{
	const struct att_attempt *last = att_kept(t, 0);
	const struct att_seg *g = att_cur_seg(t, i);

	if (!g || t->side[i].gone ||
	    !(i == ATT_DST ? g->val == DS_RESUMING ||
	      (g->val == DS_ERROR && g->how != ATT_HOW_FIRST) :
	      g->val == DS_STOP_COPY))
		return false;
	*since = g->hi_ns;
	if (last && last->end_ns > *since)
		*since = last->end_ns;
	return true;
}

/*
 * A device left behind by an attempt that is over: the destination still
 * in RESUMING or ERROR (or the source in STOP_COPY) longer than the stuck
 * threshold, with no attempt under way.  Says which side and since when.
 */
bool att_stranded(const struct att_track *t, const struct att_cfg *cfg,
		  uint64_t now_ns, int *side, uint64_t *since_ns)
{
	if (t->open || !cfg->stuck_ns)
		return false;
	for (int i = ATT_DST;; i = ATT_SRC) {
		uint64_t since;

		if (att_stuck_since(t, i, &since) && now_ns > since &&
		    now_ns - since > cfg->stuck_ns) {
			*side = i;
			*since_ns = since;
			return true;
		}
		if (i == ATT_SRC)
			return false;
	}
}

/* When att_stranded() turns true by time alone (a device stuck since
 * then reaches cfg->stuck_ns after @now_ns); 0 if it never will without
 * news.  A view caches what it derived from att_stranded() until then. */
uint64_t att_stranded_due(const struct att_track *t, const struct att_cfg *cfg,
			  uint64_t now_ns)
{
	uint64_t due = 0;

	if (t->open || !cfg->stuck_ns)
		return 0;
	for (int i = ATT_SRC; i <= ATT_DST; i++) {
		uint64_t at;

		if (!att_stuck_since(t, i, &at))
			continue;
		at += cfg->stuck_ns + 1;
		if (at > now_ns && (!due || at < due))
			due = at;
	}
	return due;
}

/* ---- words ------------------------------------------------------------- */

const char *att_outcome_name(enum att_outcome o)
{
	static const char *const n[] = {
		[ATT_OPEN] = "open", [ATT_COMPLETED] = "completed",
		[ATT_FAILED] = "failed", [ATT_UNCERTAIN] = "uncertain",
	};

	return (unsigned int)o < ATT_NOUTCOMES ? n[o] : "?";
}

const char *att_phase_name(enum att_phase p)
{
	static const char *const n[] = {
		[ATT_PH_PRE_COPY] = "pre-copy", [ATT_PH_STOP_COPY] = "stop-copy",
		[ATT_PH_RESUMING] = "resuming",
	};

	return (unsigned int)p <= ATT_PH_RESUMING ? n[p] : "?";
}

/* A short word for scripts and metrics. */
const char *att_reason_code(enum att_reason r)
{
	static const char *const n[] = {
		[ATT_R_NONE] = "none", [ATT_R_ERROR] = "error",
		[ATT_R_STEP] = "step-failed", [ATT_R_RESET] = "reset",
		[ATT_R_ABANDONED] = "abandoned", [ATT_R_NOLOAD] = "not-loaded",
		[ATT_R_DST_LEFT] = "destination-left",
		[ATT_R_STUCK_DST] = "stuck-resuming",
		[ATT_R_STUCK_SRC] = "stuck-stop-copy", [ATT_R_GONE] = "gone",
		[ATT_R_NOSRC] = "source-not-migrating",
		[ATT_R_BUSY] = "busy", [ATT_R_VMM] = "vmm-failed",
		[ATT_U_LEFT] = "left-resuming-unseen",
		[ATT_U_BOTH] = "both-running-unseen",
		[ATT_U_NOLOAD] = "load-unseen", [ATT_U_BLIND] = "unreadable",
	};

	return (unsigned int)r < ATT_NREASONS ? n[r] : "unknown";
}

static const char *att_whom(int side)
{
	return side == ATT_DST ? "destination" : "source";
}

static const char *att_blind_why(enum att_blind b)
{
	switch (b) {
	case ATT_B_STALE:
		return "its host could not be reached";
	case ATT_B_READ:
		return "reads failed";
	case ATT_B_BUSY:
		return "a read was blocked";
	default:
		return "unreadable";
	}
}

static size_t att_reason_text1(const struct att_attempt *a, char *buf,
			       size_t len);

static const char *att_tok(uint8_t v)
{
	return dstate_token((enum dstate)v);
}

/* "; QEMU source: TEXT" for each side whose VMM said why. */
static size_t att_vmm_text(const struct att_attempt *a, char *buf, size_t len,
			   size_t n)
{
	for (int s = ATT_SRC; s <= ATT_DST; s++) {
		int k;

		if (!a->vmm[s][0] || n >= len ||
		    (a->reason == ATT_R_VMM && s == a->side))
			continue;
		k = snprintf(buf + n, len - n, "; QEMU %s: %s", att_whom(s),
			     a->vmm[s]);
		n += k < 0 ? 0 : (size_t)k;
	}
	return n < len ? n : (len ? len - 1 : 0);
}

/* What was seen, as a sentence fragment (no leading capital), with what
 * the VMMs said about it. */
size_t att_reason_text(const struct att_attempt *a, char *buf, size_t len)
{
	size_t n = att_reason_text1(a, buf, len);

	return att_vmm_text(a, buf, len, n);
}

static size_t att_reason_text1(const struct att_attempt *a, char *buf,
			       size_t len)
{
	char d[32];
	int n;

	clock_fmt_dur(d, sizeof(d), a->gap_ns);
	switch (a->reason) {
	case ATT_R_ERROR:
		n = dstate_is_state((enum dstate)a->from) ?
		    snprintf(buf, len, "%s entered ERROR from %s",
			     att_whom(a->side), att_tok(a->from)) :
		    snprintf(buf, len, "%s entered ERROR", att_whom(a->side));
		break;
	case ATT_R_STEP:
		n = a->side == ATT_DST && a->from == DS_RESUMING ?
		    snprintf(buf, len,
			     "destination rejected the migration data (RESUMING -> %s failed)",
			     att_tok(a->to)) :
		    snprintf(buf, len, "%s failed the step %s -> %s",
			     att_whom(a->side), att_tok(a->from),
			     att_tok(a->to));
		break;
	case ATT_R_RESET:
		n = snprintf(buf, len,
			     "destination left RESUMING for %s by no kernel step (reset: its VMM gave up loading)",
			     att_tok(a->to));
		break;
	case ATT_R_ABANDONED:
		n = snprintf(buf, len,
			     "source resumed from %s while the destination was loading: the migration was abandoned (cancelled, or the destination went away)",
			     att_tok(a->from));
		break;
	case ATT_R_NOLOAD:
		n = snprintf(buf, len,
			     "source resumed from %s before the destination loaded anything: the migration was abandoned",
			     att_tok(a->from));
		break;
	case ATT_R_DST_LEFT:
		n = snprintf(buf, len,
			     "destination left RESUMING while the source was still in %s: the destination gave up (its VMM failed or went away)",
			     att_tok(a->to));
		break;
	case ATT_R_STUCK_DST:
		n = snprintf(buf, len,
			     "destination stuck in RESUMING more than %s after the source was done",
			     d);
		break;
	case ATT_R_NOSRC:
		n = snprintf(buf, len,
			     "destination in RESUMING more than %s while the source was not migrating",
			     d);
		break;
	case ATT_R_STUCK_SRC:
		n = snprintf(buf, len,
			     "source stuck in STOP_COPY more than %s (its VM is paused)",
			     d);
		break;
	case ATT_R_GONE:
		n = snprintf(buf, len, "%s vanished during the migration",
			     att_whom(a->side));
		break;
	case ATT_R_VMM:
		n = snprintf(buf, len,
			     "QEMU %s failed the migration before any device changed state: %s",
			     att_whom(a->side), a->vmm[a->side]);
		break;
	case ATT_R_BUSY:
		n = snprintf(buf, len,
			     "%s read blocked more than %s (a state change that long)",
			     att_whom(a->side), d);
		break;
	case ATT_U_LEFT:
		n = snprintf(buf, len,
			     "destination left RESUMING for RUNNING between two reads %s apart: completed, or reset after a rejected load",
			     d);
		break;
	case ATT_U_BOTH:
		n = snprintf(buf, len,
			     "source and destination both back in RUNNING between two reads %s apart: completed and reset, or abandoned",
			     d);
		break;
	case ATT_U_NOLOAD:
		n = snprintf(buf, len,
			     "source resumed from %s; the destination was not seen loading (reads %s apart)",
			     att_tok(a->from), d);
		break;
	case ATT_U_BLIND:
		n = snprintf(buf, len, "%s unreadable for %s (%s) while it mattered",
			     att_whom(a->side), d, att_blind_why(a->blind));
		break;
	default:
		n = snprintf(buf, len, "%s", a->outcome == ATT_COMPLETED ?
			     "the destination accepted the data" : "under way");
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}

/* What would make an uncertain verdict certain ("" when nothing would). */
size_t att_hint_text(const struct att_attempt *a, char *buf, size_t len)
{
	int n = 0;

	if (a->outcome != ATT_UNCERTAIN) {
		if (len)
			buf[0] = 0;
		return 0;
	}
	if (a->reason == ATT_U_BLIND)
		n = snprintf(buf, len, "%s", a->blind == ATT_B_STALE ?
			     "keep the link to the agent up" :
			     "make the state files readable");
	else
		n = snprintf(buf, len,
			     "steps are missed between reads: load vfiomig for exact steps");
	return n < 0 ? 0 : (size_t)n;
}

/* One line: "pre-copy 3.2 s", "completed in 840 ms", "FAILED: ...". */
size_t att_describe(const struct att_attempt *a, uint64_t now_ns, char *buf,
		    size_t len)
{
	char d[32], why[640];
	int n;

	switch (a->outcome) {
	case ATT_COMPLETED:
		clock_fmt_dur(d, sizeof(d), a->end_ns - a->start_ns);
		why[0] = 0;
		att_vmm_text(a, why, sizeof(why), 0);
		n = snprintf(buf, len, "completed in %s%s%s%s",
			     a->start_seen ? "" : "at least ", d,
			     why[0] ? " (but" : "", why[0] ? why + 1 : "");
		if (why[0] && n > 0 && (size_t)n + 1 < len) {
			buf[n++] = ')';
			buf[n] = 0;
		}
		break;
	case ATT_FAILED:
		att_reason_text(a, why, sizeof(why));
		n = snprintf(buf, len, "FAILED: %s", why);
		break;
	case ATT_UNCERTAIN:
		att_reason_text(a, why, sizeof(why));
		n = snprintf(buf, len, "uncertain: %s", why);
		break;
	default:
		clock_fmt_dur(d, sizeof(d),
			      now_ns > a->phase_ns ? now_ns - a->phase_ns : 0);
		n = snprintf(buf, len, "%s %s", att_phase_name(a->phase), d);
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}
