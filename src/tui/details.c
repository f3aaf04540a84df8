// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * details.c - one pair in full: the verdict and why, each side's value,
 * features, read errors and raw unparsable content (escaped), then the
 * timeline of both sides merged by time, with how long each state lasted.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "clock.h"
#include "draw.h"
#include "format.h"
#include "details_ident.h"

/* Lines of the details screen at most. */
#define DETAILS_MAX (2 * MODEL_HIST + 40)

struct details_line {
	enum role role;		/* role of the text after the label */
	char label[16];		/* left column, "" for none */
	char text[512];		/* the rest */
};

struct details {
	struct details_line *l;	/* lines */
	int n;			/* lines in use */
};

static struct details_line *details_add(struct details *d, const char *label,
					enum role r)
{
	struct details_line *l;

	if (d->n >= DETAILS_MAX)
		return NULL;
	l = &d->l[d->n++];
	snprintf(l->label, sizeof(l->label), "%s", label);
	l->role = r;
	l->text[0] = 0;
	return l;
}

/* A line of the identity section (details_ident.c). */
static void details_ident_line(void *ctx, const char *label, enum role r,
			       const char *text)
{
	struct details_line *l = details_add(ctx, label, r);

	if (l)
		snprintf(l->text, sizeof(l->text), "%s", text);
}

static void details_features(const struct model_dev *dv, char *buf,
			     size_t len)
{
	if (!dv->features_known) {
		snprintf(buf, len, "no features file (implied by states seen:%s%s%s)",
			 dv->flags_seen & FSM_F_STOP_COPY ? " stop-copy" : "",
			 dv->flags_seen & FSM_F_P2P ? " p2p" : "",
			 dv->flags_seen & FSM_F_PRE_COPY ? " pre-copy" : "");
		return;
	}
	snprintf(buf, len, "%s%s%s%s",
		 dv->features & FSM_F_STOP_COPY ? "stop-copy " : "",
		 dv->features & FSM_F_P2P ? "p2p " : "",
		 dv->features & FSM_F_PRE_COPY ? "pre-copy " : "",
		 dv->dirty_tracking ? "dirty-tracking" : "");
}

static void details_side(struct details *d, const struct tui_view *v,
			 const struct view_ctx *c, enum pair_side side,
			 int dev, uint64_t now)
{
	const struct model_dev *dv;
	struct details_line *l;
	char t[48], dur[32];

	l = details_add(d, side == PAIR_SRC ? "SOURCE" : "DESTINATION",
			ROLE_TITLE);
	if (!l)
		return;
	if (dev < 0) {
		snprintf(l->text, sizeof(l->text), "none");
		return;
	}
	dv = c->m->devs[dev];
	format_esc(l->text, sizeof(l->text), dv->name, strlen(dv->name));
	if ((l = details_add(d, "value", cell_state_role(dv->val)))) {
		draw_time(v, t, sizeof(t), c, dv->since_ns, DRAW_T_FULL);
		clock_fmt_dur(dur, sizeof(dur), now > dv->since_ns ?
			      now - dv->since_ns : 0);
		bool idle = model_dev_idle_error(dv);

		snprintf(l->text, sizeof(l->text), "%s%s%s%s since %s, %s",
			 dstate_token(dv->val),
			 dstate_is_state(dv->val) && !idle ? "" : " (",
			 idle ? "idle: never opened?" :
			 dstate_is_state(dv->val) ? "" : dstate_describe(dv->val),
			 dstate_is_state(dv->val) && !idle ? "" : ")", t, dur);
	}
	if ((l = details_add(d, "read", ROLE_NORMAL))) {
		if (dv->busy_ns && dv->present) {
			clock_fmt_dur(dur, sizeof(dur), now > dv->busy_ns ?
				      now - dv->busy_ns : 0);
			snprintf(l->text, sizeof(l->text),
				 "busy: a read has been pending for %s", dur);
			l->role = ROLE_BUSY;
		} else if (dv->err) {
			snprintf(l->text, sizeof(l->text), "failed: errno %d (%s)",
				 dv->err, strerror(dv->err));
			l->role = ROLE_FAILREAD;
		} else {
			snprintf(l->text, sizeof(l->text), "ok");
		}
	}
	if (dv->val == DS_UNPARSABLE && (l = details_add(d, "content",
							 ROLE_FAILREAD))) {
		char raw[4 * DSTATE_READ_MAX + 8];

		format_esc(raw, sizeof(raw), dv->raw, dv->raw_len);
		snprintf(l->text, sizeof(l->text), "\"%s\" (%u bytes, escaped)",
			 raw, dv->raw_len);
	}
	if ((l = details_add(d, "features", ROLE_NORMAL)))
		details_features(dv, l->text, sizeof(l->text));
	if ((l = details_add(d, "seen", ROLE_NORMAL))) {
		draw_time(v, t, sizeof(t), c, dv->first_ns, DRAW_T_FULL);
		snprintf(l->text, sizeof(l->text),
			 "first at %s, %u transitions%s", t, dv->transitions,
			 dv->entered_error ? ", entered ERROR" : "");
	}
	if (!dv->present && (l = details_add(d, "gone", ROLE_TOMB))) {
		draw_time(v, t, sizeof(t), c, dv->gone_ns, DRAW_T_FULL);
		snprintf(l->text, sizeof(l->text), "vanished at %s (tombstone)",
			 t);
	}
	details_ident(c->m, dev, now, details_ident_line, d);
	(void)v;
}

/* One transition of either side, for the merged timeline. */
struct details_step {
	struct model_trans tr;	/* the transition */
	int side;		/* PAIR_SRC or PAIR_DST */
	uint64_t end_ns;	/* CLOCK_MONOTONIC ns the state ended; 0 = current */
};

static int details_cmp(const void *a, const void *b)
{
	const struct details_step *x = a, *y = b;

	if (x->tr.t_ns != y->tr.t_ns)
		return x->tr.t_ns < y->tr.t_ns ? -1 : 1;
	return 0;
}

static void details_timeline(struct details *d, const struct tui_view *v,
			     const struct view_ctx *c, const int dev[2],
			     uint64_t now)
{
	struct details_step st[2 * MODEL_HIST];
	struct details_line *l;
	size_t n = 0;

	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct model_dev *dv;
		size_t first = n;
		struct model_trans tr;

		if (dev[s] < 0)
			continue;
		dv = c->m->devs[dev[s]];
		for (unsigned int i = 0; model_hist_get(dv, i, &tr); i++) {
			st[n].tr = tr;
			st[n].side = s;
			st[n].end_ns = 0;
			if (n > first)
				st[n - 1].end_ns = tr.t_ns;
			n++;
		}
	}
	/* Stable for equal times: insertion sort keeps each side's order. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && details_cmp(&st[j - 1], &st[j]) > 0;
		     j--) {
			struct details_step t = st[j];

			st[j] = st[j - 1];
			st[j - 1] = t;
		}
	if ((l = details_add(d, "TIMELINE", ROLE_TITLE)))
		snprintf(l->text, sizeof(l->text),
			 "both sides, oldest first; the last %d transitions of each",
			 MODEL_HIST);
	for (size_t i = 0; i < n; i++) {
		const struct model_trans *tr = &st[i].tr;
		char t[32], dur[32];
		uint64_t end = st[i].end_ns ? st[i].end_ns : now;
		/* Any state may fail into ERROR: that is no missing path. */
		bool nopath = (tr->flags & MODEL_T_NOPATH) && tr->to != DS_ERROR;
		bool missed = tr->flags & MODEL_T_MISSED;
		const char *why = format_trans_note(tr->flags, tr->to);

		l = details_add(d, "", cell_state_role((enum dstate)tr->to));
		if (!l)
			break;
		draw_time(v, t, sizeof(t), c, tr->t_ns, DRAW_T_MS);
		clock_fmt_dur(dur, sizeof(dur), end > tr->t_ns ?
			      end - tr->t_ns : 0);
		snprintf(l->text, sizeof(l->text), "%s %s %c %-12s %s %-12s %8s%s%s%s",
			 t, pair_side_name((enum pair_side)st[i].side),
			 tr->flags & MODEL_T_INFERRED || nopath || missed ?
			 '~' : ' ',
			 tr->from == DS_UNKNOWN ? "(new)" :
			 dstate_token((enum dstate)tr->from),
			 missed ? v->g.dots : v->g.arrow,
			 dstate_token((enum dstate)tr->to), dur,
			 st[i].end_ns ? "" : " (now)",
			 *why ? "  " : "", why);
	}
}

/* One attempt's line: number, when, outcome and why, how it was seen. */
static void details_attempt(struct details *d, const struct tui_view *v,
			    const struct view_ctx *c,
			    const struct att_attempt *a, uint64_t now)
{
	struct details_line *l;
	char t[48], why[320], hint[160];
	enum role r = a->outcome == ATT_COMPLETED ? ROLE_OK :
		      a->outcome == ATT_FAILED ? ROLE_FAILED :
		      a->outcome == ATT_UNCERTAIN ? ROLE_UNCERTAIN :
		      ROLE_PROGRESS;

	if (!(l = details_add(d, "", r)))
		return;
	draw_time(v, t, sizeof(t), c, a->start_ns, DRAW_T_FULL);
	att_describe(a, now, why, sizeof(why));
	snprintf(l->text, sizeof(l->text), "#%u %s%s  %s  (%s)", a->no,
		 a->start_seen ? "" : "by ", t, why,
		 a->exact ? "exact steps" : "read values");
	if (att_hint_text(a, hint, sizeof(hint)) &&
	    (l = details_add(d, "", ROLE_DIM)))
		snprintf(l->text, sizeof(l->text), "    %s", hint);
}

/* The pair's attempts, oldest first, and a device left behind. */
static void details_attempts(struct details *d, const struct tui_view *v,
			     const struct view_ctx *c,
			     const struct att_track *t, uint64_t now)
{
	struct details_line *l;

	if ((l = details_add(d, "ATTEMPTS", ROLE_TITLE))) {
		if (!t->ndecided && !t->open)
			snprintf(l->text, sizeof(l->text), "none yet");
		else
			snprintf(l->text, sizeof(l->text),
				 "%u decided: %u completed, %u failed, %u uncertain%s",
				 t->ndecided, t->count[ATT_COMPLETED],
				 t->count[ATT_FAILED], t->count[ATT_UNCERTAIN],
				 t->ndecided > ATT_KEEP ? " (the last ones:)" : "");
	}
	for (unsigned int i = ATT_KEEP; i-- > 0;) {
		const struct att_attempt *a = att_kept(t, i);

		if (a)
			details_attempt(d, v, c, a, now);
	}
	if (t->open)
		details_attempt(d, v, c, &t->cur, now);
}

static void details_build(struct details *d, const struct tui_view *v,
			  const struct view_ctx *c, uint64_t now)
{
	const struct model *m = c->m;
	const struct model_pair *pr = NULL;
	struct details_line *l;
	const int *dev = v->detail;

	for (size_t k = 0; k < m->npairs && !pr; k++)
		if (m->pairs[k].dev[0] == dev[0] && m->pairs[k].dev[1] == dev[1])
			pr = &m->pairs[k];
	if ((l = details_add(d, "VERDICT", ROLE_TITLE))) {
		struct cell_verdict cv;

		cell_verdict(m, pr, evlog_alert(&v->log, dev[0]) |
			     evlog_alert(&v->log, dev[1]), now, &cv);
		snprintf(l->text, sizeof(l->text), "%s", cv.text);
		l->role = cv.role;
	}
	if (pr && pr->att)
		details_attempts(d, v, c, pr->att, now);
	details_add(d, "", ROLE_NORMAL);
	details_side(d, v, c, PAIR_SRC, dev[0], now);
	details_add(d, "", ROLE_NORMAL);
	if (v->has_dst) {
		details_side(d, v, c, PAIR_DST, dev[1], now);
		details_add(d, "", ROLE_NORMAL);
	}
	details_timeline(d, v, c, dev, now);
}

/* Draw the details of v->detail; returns how many lines there are. */
int details_draw(const struct tui_view *v, const struct view_ctx *c,
		 uint64_t now)
{
	struct details d;
	int h = LINES - 2, first = v->ui.dscroll;

	d.l = calloc(DETAILS_MAX, sizeof(*d.l));
	d.n = 0;
	if (!d.l)
		return 0;
	draw_title(0, 0, COLS, &v->g, " DETAILS ", false);
	details_build(&d, v, c, now);
	if (first > d.n - 1)
		first = d.n > 0 ? d.n - 1 : 0;
	for (int i = 0; i < h && first + i < d.n; i++) {
		const struct details_line *l = &d.l[first + i];
		bool head = l->role == ROLE_TITLE;

		if (l->label[0])
			draw_text(1 + i, 1, head ? COLS - 2 : 11,
				  head ? ROLE_TITLE : ROLE_COLHEAD, A_NORMAL,
				  l->label, v->g.ascii);
		draw_text(1 + i, 13, COLS - 14,
			  head ? ROLE_NORMAL : l->role, A_NORMAL, l->text,
			  v->g.ascii);
	}
	free(d.l);
	return d.n;
}
