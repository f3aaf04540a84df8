// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arcmatch.c - turning the kernel module's arc log into exact steps.
 *
 * The log records the step the state machine *chose*, before the driver
 * performs it; the state file tells what the device really is.  The state
 * is read first and the log after it, so every arc that led to the state
 * read is already in the log.  Given the value before and after a refresh,
 * the arcs that chain from the one to the other are the steps the device
 * took (with the kernel's timestamps).  An arc chosen before the state was
 * read that the device did not follow is a step the driver failed, when the
 * log proves it; a step whose outcome a later change by no kernel path hides
 * is unsure; a refused request is reported as such; a change no arc
 * explains (a reset, a driver setting ERROR by itself) is marked as having
 * no kernel path.  Pure: unit-tested without a kernel.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "arcmatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Next blank-separated token of @s (length @n) from *@i. */
static int arcmatch_tok(const char *s, size_t n, size_t *i, const char **t,
			size_t *tl)
{
	while (*i < n && s[*i] == ' ')
		(*i)++;
	if (*i >= n)
		return -EINVAL;
	*t = s + *i;
	while (*i < n && s[*i] != ' ')
		(*i)++;
	*tl = (size_t)(s + *i - *t);
	return 0;
}

static int arcmatch_u64(const char *t, size_t tl, uint64_t *v)
{
	uint64_t r = 0;

	if (!tl || tl > 19)
		return -EINVAL;
	for (size_t i = 0; i < tl; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -EINVAL;
		r = r * 10 + (uint64_t)(t[i] - '0');
	}
	*v = r;
	return 0;
}

static int arcmatch_state(const char *t, size_t tl, bool dash_ok, uint8_t *v)
{
	enum fsm_state s;

	if (dash_ok && tl == 1 && t[0] == '-') {
		*v = DS_UNKNOWN;
		return 0;
	}
	if (fsm_parse(t, tl, &s))
		return -EINVAL;
	*v = (uint8_t)s;
	return 0;
}

/*
 * Parse one line (no newline) of an arcs file:
 *   "SEQ T_NS CUR NEXT TARGET RET"  or  "# lost N".
 * Returns 1 for an arc, 0 for a lost-count line (adds to *@lost), or
 * -EINVAL for anything else.
 */
int arcmatch_parse_line(const char *line, size_t len, struct arcmatch_arc *out,
			uint64_t *lost)
{
	const char *t;
	size_t i = 0, tl;
	uint64_t v, neg = 0;

	if (len > 7 && !memcmp(line, "# lost ", 7)) {
		i = 7;
		if (arcmatch_tok(line, len, &i, &t, &tl) ||
		    arcmatch_u64(t, tl, &v) || i != len)
			return -EINVAL;
		*lost += v;
		return 0;
	}
	if (arcmatch_tok(line, len, &i, &t, &tl) ||
	    arcmatch_u64(t, tl, &out->seq))
		return -EINVAL;
	if (arcmatch_tok(line, len, &i, &t, &tl) ||
	    arcmatch_u64(t, tl, &out->t_ns))
		return -EINVAL;
	if (arcmatch_tok(line, len, &i, &t, &tl) ||
	    arcmatch_state(t, tl, false, &out->cur))
		return -EINVAL;
	if (arcmatch_tok(line, len, &i, &t, &tl) ||
	    arcmatch_state(t, tl, true, &out->next))
		return -EINVAL;
	if (arcmatch_tok(line, len, &i, &t, &tl))
		return -EINVAL;
	if (tl == 7 && !memcmp(t, "Invalid", 7))
		out->target = DS_INVALID;	/* asked for no state: refused */
	else if (arcmatch_state(t, tl, false, &out->target))
		return -EINVAL;
	if (arcmatch_tok(line, len, &i, &t, &tl))
		return -EINVAL;
	if (tl > 1 && t[0] == '-') {
		neg = 1;
		t++;
		tl--;
	}
	if (arcmatch_u64(t, tl, &v) || v > 4095 || i != len)
		return -EINVAL;
	out->ret = neg ? -(int)v : (int)v;
	if ((out->ret == 0) == (out->next == DS_UNKNOWN))
		return -EINVAL;		/* a step, or a refusal: not both */
	return 1;
}

/* Take in one arc (duplicates and old ones, by seq, are ignored). */
void arcmatch_push(struct arcmatch *m, const struct arcmatch_arc *a)
{
	if (a->seq && a->seq <= m->last_seq)
		return;
	if (a->seq && m->last_seq && a->seq != m->last_seq + 1)
		m->gap = true;		/* arcs in between were never read */
	m->last_seq = a->seq;
	if (m->n == ARCMATCH_MAX) {
		memmove(m->a, m->a + 1, (ARCMATCH_MAX - 1) * sizeof(m->a[0]));
		m->n--;
		m->lost++;
	}
	m->a[m->n++] = *a;
}

/* Arcs were lost somewhere (the kernel missed probes): trust no
 * conclusion from the log until the next explanation. */
void arcmatch_loss(struct arcmatch *m)
{
	m->gap = true;
}

static void arcmatch_drop(struct arcmatch *m, unsigned int k)
{
	memmove(m->a, m->a + k, (m->n - k) * sizeof(m->a[0]));
	m->n -= k;
}

/* Output being built by arcmatch_explain(). */
struct arcmatch_out {
	struct snap_step *st;	/* caller's array */
	size_t max;		/* its size */
	size_t n;		/* steps produced (may exceed max) */
	long last;		/* index of the last ARC step not yet confirmed, -1 */
	uint8_t last_target;	/* enum dstate: the target of that arc's request */
	uint8_t cur;		/* state after the steps so far */
	uint64_t lo;		/* CLOCK_MONOTONIC ns of the read before: a change no
				 * arc explains happened after it */
};

static void arcmatch_emit(struct arcmatch_out *o, uint64_t t, uint8_t from,
			  uint8_t to, uint8_t flags)
{
	if (o->n < o->max) {
		o->st[o->n].t_ns = t;
		o->st[o->n].lo_ns = flags & (SNAP_STEP_NOPATH | SNAP_STEP_LOSS) ?
				    o->lo : t;
		o->st[o->n].from = from;
		o->st[o->n].to = to;
		o->st[o->n].flags = flags;
	}
	if (flags == SNAP_STEP_ARC)
		o->last = (long)o->n;
	else if (flags != SNAP_STEP_REFUSED)
		o->last = -1;
	o->n++;
}

/*
 * What became of the last arc @from -> @next (asked for @target) when the
 * device is next found in @want, not in @next: SNAP_STEP_FAILED when the
 * log proves the driver failed it, else SNAP_STEP_UNSURE.  Proof is
 * either of:
 *  - the request's path went on beyond @next, yet no arc from @next
 *    followed: a driver walks the path step by step in one call, holding
 *    its state lock, and stops early only when a step fails;
 *  - the device is still in @from, and @from is not RUNNING: no change
 *    outside the state machine leads there (a reset leads to RUNNING).
 * Anything else is told apart by nothing in the log: a device reset (or
 * set to ERROR) right after a step it took looks the same as one reset
 * after a step it failed, so the step decides nothing by itself.
 */
static uint8_t arcmatch_outcome(uint8_t from, uint8_t next, uint8_t target,
				uint8_t want)
{
	if (next != target)
		return SNAP_STEP_FAILED;
	if (want == from && from != DS_RUNNING)
		return SNAP_STEP_FAILED;
	return SNAP_STEP_UNSURE;
}

/*
 * The device is found in @want (by a later arc or by the read).  If the
 * steps so far end there, the last arc is confirmed.  Otherwise something
 * the log does not show happened after the last arc: the arc was failed or
 * its outcome is unsure (arcmatch_outcome()); either way the chain goes on
 * from the state the device left (a failed step leaves it there), and what
 * remains is a change by no kernel path (a reset, or a driver setting
 * ERROR by itself).
 */
static void arcmatch_jump(struct arcmatch_out *o, uint8_t want, uint64_t t)
{
	if (o->cur != want && o->last >= 0 && (size_t)o->last < o->max) {
		struct snap_step *l = &o->st[o->last];

		l->flags = arcmatch_outcome(l->from, l->to, o->last_target,
					    want);
		o->cur = l->from;
	}
	o->last = -1;
	if (o->cur != want)
		arcmatch_emit(o, t, o->cur, want, SNAP_STEP_NOPATH);
	o->cur = want;
}

/*
 * The state was @prev at the last refresh and is @now, read at @read_ns
 * (when the read began).  Writes the steps that explain the change to @out
 * (at most @max; the caller fills in slot and gen) and returns how many
 * there are.  Every arc chosen before the read is placed; arcs chosen after
 * it are used only if they complete the way to @now (the read may have
 * waited for a transition in progress), and otherwise wait for the next
 * refresh.
 */
size_t arcmatch_explain(struct arcmatch *m, enum dstate prev, enum dstate now,
			uint64_t prev_ns, uint64_t read_ns,
			struct snap_step *out, size_t max)
{
	struct arcmatch_out o = { .st = out, .max = max, .last = -1,
				  .cur = (uint8_t)prev, .lo = prev_ns };
	unsigned int i = 0, j, reach = 0;
	uint8_t c;

	if (m->lost != m->lost_seen) {
		m->lost_seen = m->lost;
		m->gap = true;
	}
	if (m->gap && dstate_is_state(prev) && dstate_is_state(now)) {
		/* What the lost arcs did is not known: the next change is
		 * reported as seen, and the log followed again after it. */
		if (prev == now)
			return 0;
		while (i < m->n && m->a[i].t_ns < read_ns)
			i++;
		/* ... and those after the read that led to it */
		for (j = i; j < m->n; j++)
			if (!m->a[j].ret && m->a[j].next == (uint8_t)now)
				i = j + 1;
		arcmatch_drop(m, i);
		m->gap = false;
		arcmatch_emit(&o, read_ns, (uint8_t)prev, (uint8_t)now,
			      SNAP_STEP_LOSS);
		return o.n;
	}
	if (!dstate_is_state(prev) || !dstate_is_state(now)) {
		/* Nothing to chain from or to: only drop what is old. */
		while (i < m->n && m->a[i].t_ns < read_ns)
			i++;
		arcmatch_drop(m, i);
		return 0;
	}
	for (; i < m->n && m->a[i].t_ns < read_ns; i++) {
		const struct arcmatch_arc *a = &m->a[i];

		/* A refused request shows where the device was, too. */
		arcmatch_jump(&o, a->cur, a->t_ns);
		if (a->ret) {
			arcmatch_emit(&o, a->t_ns, a->cur, a->target,
				      SNAP_STEP_REFUSED);
			continue;
		}
		arcmatch_emit(&o, a->t_ns, a->cur, a->next, SNAP_STEP_ARC);
		o.last_target = a->target;
		o.cur = a->next;
	}
	/* Later arcs that lead exactly to what was read. */
	for (j = i, c = o.cur; c != (uint8_t)now && j < m->n; j++) {
		if (m->a[j].ret || m->a[j].cur != c)
			break;
		c = m->a[j].next;
		if (c == (uint8_t)now)
			reach = j + 1;
	}
	for (; i < reach; i++) {
		arcmatch_emit(&o, m->a[i].t_ns, m->a[i].cur, m->a[i].next,
			      SNAP_STEP_ARC);
		o.last_target = m->a[i].target;
		o.cur = m->a[i].next;
	}
	arcmatch_jump(&o, (uint8_t)now, read_ns);
	arcmatch_drop(m, i);
	return o.n;
}
