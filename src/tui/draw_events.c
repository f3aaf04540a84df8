// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * draw_events.c - the event pane, newest first: time to the millisecond,
 * side, device, from -> to; `~` marks a step inferred with the kernel's
 * rule or steps missed, `#` a change no kernel step explains (a reset),
 * `!` ERROR and failures, `x` (or a dagger) a device that vanished.  Pairs report completion and
 * failure.  Which events, and from where, the view's selection says
 * (evview.c): the name filter, a search, verdicts only, one pair.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <string.h>

#include "cell.h"
#include "clock.h"
#include "colors.h"
#include "draw.h"
#include "format.h"

/* Width of the device name column of the pane. */
#define DRAW_EV_NAME 24

static void draw_ev_trans(const struct tui_view *v, const struct model *m,
			  struct draw_pen *p, const struct evlog_ent *e)
{
	const struct model_trans *t = &e->tr;
	const char *mark = " ", *why = format_trans_note(t->flags, t->to);
	enum role mr = ROLE_NORMAL, tr = cell_state_role((enum dstate)t->to);
	char buf[160], note[64] = "";

	if (*why)
		snprintf(note, sizeof(note), "  (%s)", why);
	if (t->flags & (MODEL_T_INFERRED | MODEL_T_MISSED)) {
		mark = "~";
		mr = ROLE_INFERRED;
	} else if ((t->flags & MODEL_T_NOPATH) && t->to != DS_ERROR) {
		mark = cell_how_mark(CELL_RESET);
		mr = ROLE_INFERRED;
	}
	/* A step not taken (failed, refused, unsure) did not lead where it
	 * points: no alert for its target. */
	if (t->flags & MODEL_T_ATTEMPT) {
		mr = ROLE_INFERRED;
		tr = ROLE_DIM;
	} else if (t->to == DS_ERROR ||
		   dstate_is_failure((enum dstate)t->to)) {
		mark = "!";
		mr = ROLE_ALERT;
	}
	if (t->to == DS_GONE) {
		mark = v->g.ascii ? "x" : "\xe2\x80\xa0";
		mr = ROLE_TOMB;
	}
	snprintf(buf, sizeof(buf), "%s ", mark);
	draw_put(p, mr, A_NORMAL, buf);
	if (t->from == DS_UNKNOWN) {
		draw_put(p, ROLE_NORMAL, A_NORMAL, "appeared: ");
	} else {
		draw_put(p, cell_state_role((enum dstate)t->from), A_NORMAL,
			 format_token((enum dstate)t->from));
		snprintf(buf, sizeof(buf), " %s ", t->flags & MODEL_T_MISSED ?
			 v->g.dots : v->g.arrow);
		draw_put(p, ROLE_NORMAL, A_NORMAL, buf);
	}
	draw_put(p, tr, A_NORMAL, format_token((enum dstate)t->to));
	draw_put(p, ROLE_DIM, A_NORMAL, note);
	(void)m;
}

static void draw_ev_pair(const struct tui_view *v, struct draw_pen *p,
			 const struct evlog_ent *e)
{
	bool failed = e->a.outcome == ATT_FAILED;
	enum role r = failed ? ROLE_FAILED : e->a.outcome == ATT_UNCERTAIN ?
		      ROLE_UNCERTAIN : ROLE_OK;
	char buf[320];

	draw_put(p, failed ? ROLE_ALERT : r, A_NORMAL, failed ? "!" : " ");
	draw_put(p, ROLE_NORMAL, A_NORMAL, " ");
	att_describe(&e->a, e->t_ns, buf, sizeof(buf));
	draw_put(p, r, A_NORMAL, buf);
	(void)v;
}

static void draw_ev(const struct tui_view *v, const struct view_ctx *c, int y,
		    const struct evlog_ent *e)
{
	const struct model *m = c->m;
	struct draw_pen p = { y, 0, COLS, v->g.ascii };
	char buf[4 * DRAW_EV_NAME + 64], nm[4 * DRAW_EV_NAME + 8];
	const char *n0 = evlog_name(e, 0);
	int w;

	draw_time(v, buf, sizeof(buf), c, e->t_ns, DRAW_T_MS);
	draw_put(&p, ROLE_DIM, A_NORMAL, buf);
	if (e->kind == MODEL_EV_TRANS) {
		const char *side = e->dev[0] >= 0 ? pair_side_name(e->side) :
				   "?";

		snprintf(buf, sizeof(buf), " %-4s ", side);
		draw_put(&p, ROLE_NORMAL, A_NORMAL, buf);
	} else {
		draw_put(&p, ROLE_TITLE, A_NORMAL, " pair ");
		if (e->dev[0] < 0)
			n0 = evlog_name(e, 1);
	}
	w = format_fit(nm, sizeof(nm), n0, strlen(n0), DRAW_EV_NAME,
		       FORMAT_KEEP_END, v->g.ascii);
	snprintf(buf, sizeof(buf), "%s%*s ", nm, v->name_w > w ?
		 (v->name_w < DRAW_EV_NAME ? v->name_w : DRAW_EV_NAME) - w : 0,
		 "");
	draw_put(&p, ROLE_NORMAL, A_NORMAL, buf);
	if (e->kind == MODEL_EV_TRANS) {
		draw_ev_trans(v, m, &p, e);
		return;
	}
	if (e->dev[0] >= 0 && e->dev[1] >= 0 &&
	    strcmp(n0, evlog_name(e, 1))) {
		const char *n1 = evlog_name(e, 1);

		format_fit(nm, sizeof(nm), n1, strlen(n1), DRAW_EV_NAME,
			   FORMAT_KEEP_END, v->g.ascii);
		snprintf(buf, sizeof(buf), "%s %s ", v->g.arrow, nm);
		draw_put(&p, ROLE_NORMAL, A_NORMAL, buf);
	}
	draw_ev_pair(v, &p, e);
}

/* The pane's title: focus, filters, and which lines of how many. */
static void draw_ev_title(const struct tui_view *v, char *buf, size_t len)
{
	const struct ui *u = &v->ui;
	int n = snprintf(buf, len, " %sEVENTS ",
			 u->focus == UI_FOCUS_EVENTS ? "> " : "");
	char lost[48] = "", pos[48] = "", srch[4 * 24 + 8] = "";

	if (v->log.lost)
		snprintf(lost, sizeof(lost), "(%llu lost) ",
			 (unsigned long long)v->log.lost);
	if (u->ev_search[0])
		format_fit(srch, sizeof(srch), u->ev_search,
			   strlen(u->ev_search), 24, FORMAT_KEEP_START,
			   v->g.ascii);
	if (u->ev_n > (size_t)u->ev_page || u->ev_top)
		snprintf(pos, sizeof(pos), "%zu-%zu/%zu ", u->ev_top + 1,
			 u->ev_top + (size_t)u->ev_page < u->ev_n ?
			 u->ev_top + (size_t)u->ev_page : u->ev_n, u->ev_n);
	if (n < 0 || (size_t)n >= len)
		return;
	snprintf(buf + n, len - (size_t)n, "%s%s%s%s%s%s%s",
		 lost, pos, u->ev_verdicts ? "verdicts only " : "",
		 u->ev_pair ? "one pair " : "",
		 srch[0] ? "search '" : "", srch, srch[0] ? "' " : "");
}

void draw_events(const struct tui_view *v, const struct view_ctx *c)
{
	const struct layout_rect *r = &v->lay.events;
	size_t top = v->ui.ev_top;
	char title[256];

	if (r->h <= 0)
		return;
	draw_ev_title(v, title, sizeof(title));
	draw_title(r->y, r->x, r->w, &v->g, title, false);
	for (int i = 0; i < v->lay.npanes; i++)
		if (v->lay.pane[i].border) {
			attrset(colors_attr(ROLE_BORDER));
			mvadd_wch(r->y, v->lay.pane[i].r.x, v->g.btee);
		}
	if (!v->nevsel)
		draw_text(r->y + 1, 2, r->w - 2, ROLE_DIM, A_NORMAL,
			  evlog_count(&v->log) ? "no events match" :
			  "no transitions yet", v->g.ascii);
	for (int y = 0; y < r->h - 1 && top + (size_t)y < v->nevsel; y++)
		draw_ev(v, c, r->y + 1 + y,
			evlog_get(&v->log, v->evsel[top + (size_t)y]));
}
