// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ui.c - the screen's state machine.  A key press becomes an action from
 * the key table (keys.c), and the action changes this state and says, in a
 * struct ui_effect, what the loop should do.  Nothing here draws, so every
 * rule is unit-tested: help closes on any key, Escape never quits, a delay
 * is validated like -d.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "evview.h"
#include "keys.h"
#include "options.h"
#include "replay_ui.h"

void ui_init(struct ui *u, bool ascii, bool can_color, enum role_scheme scheme)
{
	memset(u, 0, sizeof(*u));
	u->ascii = ascii;
	u->can_color = can_color;
	u->scheme = can_color ? scheme : ROLE_SCHEME_MONO;
	u->sort = ROWS_SORT_NAME;
	u->page = 1;
}

static void ui_say(struct ui *u, uint64_t now, const char *what,
		   const char *arg)
{
	snprintf(u->msg, sizeof(u->msg), "%.40s%.100s", what, arg ? arg : "");
	u->msg_until = now + UI_MSG_NS;
}

/* Show @msg on the key bar for a while. */
void ui_note(struct ui *u, uint64_t now_ns, const char *msg)
{
	snprintf(u->msg, sizeof(u->msg), "%s", msg);
	u->msg_until = now_ns + UI_MSG_NS;
}

/* True while a message is to be shown. */
bool ui_msg(const struct ui *u, uint64_t now_ns)
{
	return u->msg[0] && now_ns < u->msg_until;
}

/* Keep the selection inside the rows and on the screen. */
void ui_fit(struct ui *u, size_t nrows, int page)
{
	size_t pg = page > 0 ? (size_t)page : 1;

	u->nrows = nrows;
	u->page = page > 0 ? page : 1;
	if (!nrows) {
		u->sel = u->top = 0;
		return;
	}
	if (u->sel >= nrows)
		u->sel = nrows - 1;
	if (u->top > u->sel)
		u->top = u->sel;
	if (u->sel >= u->top + pg)
		u->top = u->sel - pg + 1;
	if (u->top + pg > nrows)
		u->top = nrows > pg ? nrows - pg : 0;
}

/* Keep the event pane's first line inside the events that match. */
void ui_ev_fit(struct ui *u, size_t nev, int page)
{
	u->ev_n = nev;
	u->ev_page = page > 0 ? page : 1;
	u->ev_top = evview_clamp(u->ev_top, nev, (size_t)u->ev_page);
}

/* Keep the alert list's selection inside the alerts. */
void ui_al_fit(struct ui *u, size_t nal, int page)
{
	u->al_n = nal;
	u->al_page = page > 0 ? page : 1;
	if (u->al_sel >= nal)
		u->al_sel = nal ? nal - 1 : 0;
}

/* The alert list: move the selection, acknowledge one or all, go back. */
static void ui_alerts_key(struct ui *u, enum keys_action a,
			  struct ui_effect *e)
{
	size_t pg = u->al_page > 1 ? (size_t)u->al_page - 1 : 1;

	switch (a) {
	case KA_BACK:
		u->mode = UI_MAIN;
		return;
	case KA_QUIT:
		e->req.quit = true;
		return;
	case KA_ACK:
		if (u->al_sel < u->al_n) {
			e->ack_one = true;
			e->ack_index = u->al_sel;
		}
		return;
	case KA_ACK_ALL:
		e->ack = true;
		return;
	case KA_UP:
		if (u->al_sel)
			u->al_sel--;
		break;
	case KA_DOWN:
		u->al_sel++;
		break;
	case KA_PGUP:
		u->al_sel = u->al_sel > pg ? u->al_sel - pg : 0;
		break;
	case KA_PGDN:
		u->al_sel += pg;
		break;
	case KA_HOME:
		u->al_sel = 0;
		break;
	case KA_END:
		u->al_sel = u->al_n;
		break;
	default:
		return;
	}
	ui_al_fit(u, u->al_n, u->al_page);
}

/* Scroll the event pane: up is newer, down older, Home the newest. */
static void ui_ev_move(struct ui *u, enum keys_action a)
{
	size_t pg = u->ev_page > 1 ? (size_t)u->ev_page - 1 : 1;

	switch (a) {
	case KA_UP:
		if (u->ev_top)
			u->ev_top--;
		break;
	case KA_DOWN:
		u->ev_top++;
		break;
	case KA_PGUP:
		u->ev_top = u->ev_top > pg ? u->ev_top - pg : 0;
		break;
	case KA_PGDN:
		u->ev_top += pg;
		break;
	case KA_HOME:
		u->ev_top = 0;
		break;
	case KA_END:
		u->ev_top = u->ev_n;
		break;
	default:
		return;
	}
	ui_ev_fit(u, u->ev_n, u->ev_page);
}

static void ui_move(struct ui *u, enum keys_action a)
{
	size_t pg = u->page > 0 ? (size_t)u->page : 1;

	switch (a) {
	case KA_UP:
		if (u->sel)
			u->sel--;
		break;
	case KA_DOWN:
		if (u->sel + 1 < u->nrows)
			u->sel++;
		break;
	case KA_PGUP:
		u->sel = u->sel > pg ? u->sel - pg : 0;
		break;
	case KA_PGDN:
		u->sel += pg;
		break;
	case KA_HOME:
		u->sel = 0;
		break;
	case KA_END:
		u->sel = u->nrows ? u->nrows - 1 : 0;
		break;
	default:
		return;
	}
	ui_fit(u, u->nrows, u->page);
}

static void ui_scroll(struct ui *u, enum keys_action a)
{
	int pg = u->page > 1 ? u->page - 1 : 1;

	switch (a) {
	case KA_UP:
		u->dscroll--;
		break;
	case KA_DOWN:
		u->dscroll++;
		break;
	case KA_PGUP:
		u->dscroll -= pg;
		break;
	case KA_PGDN:
		u->dscroll += pg;
		break;
	case KA_HOME:
		u->dscroll = 0;
		break;
	case KA_END:
		u->dscroll = u->dlines;
		break;
	default:
		return;
	}
	if (u->dscroll > u->dlines - 1)
		u->dscroll = u->dlines - 1;
	if (u->dscroll < 0)
		u->dscroll = 0;
}

static void ui_answer(struct ui *u, uint64_t now, struct ui_effect *e)
{
	uint64_t ns;

	if (u->ask == UI_ASK_FILTER) {
		snprintf(u->filter, sizeof(u->filter), "%s", u->prompt.buf);
		return;
	}
	if (u->ask == UI_ASK_SEARCH) {
		snprintf(u->ev_search, sizeof(u->ev_search), "%s",
			 u->prompt.buf);
		return;
	}
	if (u->ask == UI_ASK_TIME) {
		ui_replay_answer(u, e);
		return;
	}
	if (!u->prompt.len)
		return;
	if (clock_parse_secs(u->prompt.buf, OPT_DELAY_MIN, OPT_DELAY_MAX, &ns)) {
		char m[96];

		snprintf(m, sizeof(m), "'%.40s': give seconds from %g to %g",
			 u->prompt.buf, OPT_DELAY_MIN, OPT_DELAY_MAX);
		ui_say(u, now, "invalid delay ", m);
		return;
	}
	e->req.delay_ns = ns;
	u->msg[0] = 0;		/* an old "invalid delay" is over */
}

static void ui_prompt_key(struct ui *u, int key, uint64_t now,
			  struct ui_effect *e)
{
	enum prompt_res r = prompt_key(&u->prompt, key);

	if (r == PROMPT_EDIT) {
		if (u->ask == UI_ASK_FILTER)
			snprintf(u->filter, sizeof(u->filter), "%s",
				 u->prompt.buf);
		if (u->ask == UI_ASK_SEARCH) {
			snprintf(u->ev_search, sizeof(u->ev_search), "%s",
				 u->prompt.buf);
			u->ev_top = 0;
		}
		return;
	}
	u->mode = UI_MAIN;
	if (r == PROMPT_ACCEPT)
		ui_answer(u, now, e);
	else if (u->ask == UI_ASK_FILTER)
		u->filter[0] = 0;	/* Escape clears the filter */
	else if (u->ask == UI_ASK_SEARCH)
		u->ev_search[0] = 0;	/* ... and the search */
}

/* Actions that work the same on every screen that binds them. */
static bool ui_common(struct ui *u, enum keys_action a, struct ui_effect *e)
{
	switch (a) {
	case KA_QUIT:
		e->req.quit = true;
		return true;
	case KA_PAUSE:
		e->req.pause_toggle = !e->req.pause_toggle;
		return true;
	case KA_REFRESH:
		e->req.refresh = true;
		return true;
	case KA_REDRAW:
		e->req.refresh = true;
		e->clear = true;
		return true;
	case KA_ACK:
		e->ack = true;
		return true;
	case KA_SAVE:
		e->save = true;
		return true;
	case KA_ALERTS:
		u->mode = UI_ALERTS;
		u->al_sel = 0;
		return true;
	case KA_ASCII:
		u->ascii = !u->ascii;
		e->clear = true;
		return true;
	case KA_COLORS:
		do
			u->scheme = (u->scheme + 1) % ROLE_SCHEME_NR;
		while (!u->can_color && u->scheme != ROLE_SCHEME_MONO);
		e->colors = true;
		return true;
	default:
		return false;
	}
}

static void ui_main_key(struct ui *u, enum keys_action a, uint64_t now,
			struct ui_effect *e)
{
	if (ui_common(u, a, e) || ui_replay_key(u, a, now, e))
		return;
	switch (a) {
	case KA_HELP:
		u->mode = UI_HELP;
		break;
	case KA_DELAY:
		u->mode = UI_PROMPT;
		u->ask = UI_ASK_DELAY;
		prompt_start(&u->prompt, "");
		break;
	case KA_FILTER:
		u->mode = UI_PROMPT;
		if (u->focus == UI_FOCUS_EVENTS) {
			u->ask = UI_ASK_SEARCH;
			prompt_start(&u->prompt, u->ev_search);
			break;
		}
		u->ask = UI_ASK_FILTER;
		prompt_start(&u->prompt, u->filter);
		break;
	case KA_FOCUS:
		u->focus = u->focus == UI_FOCUS_TABLE ? UI_FOCUS_EVENTS :
			   UI_FOCUS_TABLE;
		break;
	case KA_EV_VERDICTS:
		u->ev_verdicts = !u->ev_verdicts;
		u->ev_top = 0;
		ui_say(u, now, u->ev_verdicts ? "events: verdicts only" :
		       "events: all", NULL);
		break;
	case KA_CLEAR:
		u->filter[0] = 0;
		u->problems = false;
		u->ev_search[0] = 0;
		u->ev_verdicts = false;
		u->ev_pair = false;
		u->msg[0] = 0;	/* "showing problems only" is no longer true */
		break;
	case KA_PROBLEMS:
		u->problems = !u->problems;
		ui_say(u, now, u->problems ? "showing problems only" :
		       "showing all rows", NULL);
		break;
	case KA_SORT_NEXT:
		u->sort = (u->sort + 1) % ROWS_SORT_NR;
		break;
	case KA_SORT_PREV:
		u->sort = (u->sort + ROWS_SORT_NR - 1) % ROWS_SORT_NR;
		break;
	case KA_SORT_INVERT:
		u->invert = !u->invert;
		break;
	case KA_DETAILS:
		if (!u->nrows)
			break;
		u->mode = UI_DETAILS;
		u->dscroll = 0;
		e->details = true;
		break;
	default:
		if (u->focus == UI_FOCUS_EVENTS)
			ui_ev_move(u, a);
		else
			ui_move(u, a);
		break;
	}
}

/*
 * Handle one key.  KEY_RESIZE and ERR only ask for a redraw; on the help
 * screen any other key returns to the monitor.
 */
void ui_key(struct ui *u, int key, uint64_t now_ns, struct ui_effect *e)
{
	enum keys_action a;

	e->req.redraw = true;
	if (key == KEY_RESIZE || key == ERR)
		return;
	switch (u->mode) {
	case UI_HELP:
		u->mode = UI_MAIN;
		return;
	case UI_PROMPT:
		ui_prompt_key(u, key, now_ns, e);
		return;
	case UI_DETAILS:
		a = keys_lookup(KEYS_DETAILS, key);
		if (a == KA_BACK) {
			u->mode = UI_MAIN;
		} else if (a == KA_EV_PAIR) {
			/* Back to the monitor, in the events of this pair. */
			u->mode = UI_MAIN;
			u->focus = UI_FOCUS_EVENTS;
			u->ev_pair = true;
			u->ev_top = 0;
			e->ev_pair = true;
		} else if (!ui_common(u, a, e) &&
			   !ui_replay_key(u, a, now_ns, e)) {
			ui_scroll(u, a);
		}
		return;
	case UI_MAIN:
		ui_main_key(u, keys_lookup(KEYS_MAIN, key), now_ns, e);
		return;
	case UI_ALERTS:
		ui_alerts_key(u, keys_lookup(KEYS_ALERTS, key), e);
		return;
	}
}

/* The sort key of a column heading, or -1. */
static int ui_head_sort(enum layout_col_id c)
{
	switch (c) {
	case LAYOUT_C_NAME:
		return ROWS_SORT_NAME;
	case LAYOUT_C_STATE:
		return ROWS_SORT_STATE;
	case LAYOUT_C_TIME:
		return ROWS_SORT_TIME;
	case LAYOUT_C_VERDICT:
		return ROWS_SORT_VERDICT;
	default:
		return -1;
	}
}

/*
 * A mouse event on what @h says was under it: a click selects a row (and
 * gives the table the keys), sorts by a heading (again: the other way),
 * or gives the events the keys; the wheel scrolls what it is over.  On the
 * help screen a click returns, as any key does; in the details the wheel
 * scrolls them.
 */
void ui_mouse(struct ui *u, const struct layout_hit *h, enum ui_button b,
	      struct ui_effect *e)
{
	bool up = b == UI_B_WHEEL_UP;
	int sort;

	e->req.redraw = true;
	if (u->mode == UI_HELP) {
		u->mode = UI_MAIN;
		return;
	}
	if (u->mode == UI_DETAILS && b != UI_B_CLICK) {
		for (int i = 0; i < UI_WHEEL_LINES; i++)
			ui_scroll(u, up ? KA_UP : KA_DOWN);
		return;
	}
	if (u->mode != UI_MAIN)
		return;
	if (b != UI_B_CLICK) {
		for (int i = 0; i < UI_WHEEL_LINES; i++) {
			if (h->zone == LAYOUT_Z_EVENTS)
				ui_ev_move(u, up ? KA_UP : KA_DOWN);
			else
				ui_move(u, up ? KA_UP : KA_DOWN);
		}
		return;
	}
	switch (h->zone) {
	case LAYOUT_Z_ROW:
		if (u->top + (size_t)h->line >= u->nrows)
			return;
		u->focus = UI_FOCUS_TABLE;
		u->sel = u->top + (size_t)h->line;
		ui_fit(u, u->nrows, u->page);
		return;
	case LAYOUT_Z_HEAD:
		sort = ui_head_sort(h->col);
		if (sort < 0)
			return;
		if (u->sort == (enum rows_sort)sort)
			u->invert = !u->invert;
		else
			u->invert = false;
		u->sort = (enum rows_sort)sort;
		return;
	case LAYOUT_Z_EVENTS:
		u->focus = UI_FOCUS_EVENTS;
		return;
	default:
		return;
	}
}
