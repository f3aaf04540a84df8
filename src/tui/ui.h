/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ui.h - what the screen is doing, and what a key press changes in it */
#ifndef VFIOMIGTOP_TUI_UI_H
#define VFIOMIGTOP_TUI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "prompt.h"
#include "role.h"
#include "rows.h"
#include "view.h"

/* How long a message stays on the key bar, ns. */
#define UI_MSG_NS (4 * 1000000000ull)

enum ui_mode {
	UI_MAIN,		/* the monitor */
	UI_HELP,		/* the help screen: any key returns */
	UI_DETAILS,		/* one pair's details */
	UI_PROMPT,		/* a question on the key bar line */
	UI_ALERTS,		/* the list of alerts */
};

enum ui_ask {
	UI_ASK_DELAY,		/* the refresh interval */
	UI_ASK_FILTER,		/* the name filter (applied while typing) */
	UI_ASK_TIME,		/* a replay: the time to jump to */
	UI_ASK_SEARCH,		/* events: text to search for (applied while typing) */
};

/* Where the arrows, the page keys and / go. */
enum ui_focus {
	UI_FOCUS_TABLE,		/* the pairs */
	UI_FOCUS_EVENTS,	/* the event pane */
};

struct ui {
	enum ui_mode mode;	/* the screen shown */
	enum ui_ask ask;	/* what the prompt asks (UI_PROMPT) */
	struct prompt prompt;	/* the answer being typed */
	char filter[PROMPT_MAX];	/* name filter, "" for none */
	bool problems;		/* show only rows with a problem */
	enum rows_sort sort;	/* sort key */
	bool invert;		/* sort order reversed */
	bool ascii;		/* ASCII drawing */
	bool can_color;		/* the terminal has colours and they are wanted */
	enum role_scheme scheme;	/* colour scheme */
	size_t sel;		/* selected row */
	size_t top;		/* first row shown */
	size_t nrows;		/* rows at the last frame */
	int page;		/* table rows that fit, at the last frame */
	int dscroll;		/* details: first line shown */
	int dlines;		/* details: lines at the last frame */
	char msg[160];		/* message on the key bar, "" for none */
	uint64_t msg_until;	/* CLOCK_MONOTONIC ns the message goes away */
	enum ui_focus focus;	/* Tab: the table or the event pane */
	size_t ev_top;		/* events: first shown of those matching, 0 = the newest */
	size_t ev_n;		/* events: how many matched at the last frame */
	int ev_page;		/* events: lines that fit, at the last frame */
	char ev_search[PROMPT_MAX];	/* events: text searched for, "" for none */
	bool ev_verdicts;	/* events: only the pairs' verdicts */
	bool ev_pair;		/* events: only the pair the details were about */
	size_t al_sel;		/* alert list: selected alert, 0 = the newest */
	size_t al_n;		/* alert list: alerts at the last frame */
	int al_page;		/* alert list: lines that fit */
	bool replay;		/* a journal is replayed (-r): the replay keys work */
	bool report;		/* details: show the report text */
};

/* A mouse event, as ui_mouse() takes it. */
enum ui_button {
	UI_B_CLICK,		/* the first button pressed */
	UI_B_WHEEL_UP,		/* the wheel turned up */
	UI_B_WHEEL_DOWN,	/* the wheel turned down */
};

/* Rows or events one notch of the wheel moves. */
#define UI_WHEEL_LINES 3

/* What a key press asks of the rest of the program. */
struct ui_effect {
	struct view_req req;	/* for the run loop */
	bool ack;		/* acknowledge all alerts */
	bool clear;		/* repaint the whole terminal */
	bool colors;		/* the colour scheme changed */
	bool details;		/* details opened: pin the selected row */
	bool ev_pair;		/* events: keep only the details' pair from now on */
	bool save;		/* write the settings file */
	bool ack_one;		/* acknowledge alert ack_index only */
	size_t ack_index;	/* ... evlog_alert_get() index */
};

void ui_init(struct ui *u, bool ascii, bool can_color,
	     enum role_scheme scheme);
void ui_key(struct ui *u, int key, uint64_t now_ns, struct ui_effect *e);
void ui_mouse(struct ui *u, const struct layout_hit *h, enum ui_button b,
	      struct ui_effect *e);
void ui_fit(struct ui *u, size_t nrows, int page);
void ui_ev_fit(struct ui *u, size_t nev, int page);
void ui_al_fit(struct ui *u, size_t nal, int page);
bool ui_msg(const struct ui *u, uint64_t now_ns);
void ui_note(struct ui *u, uint64_t now_ns, const char *msg);

#endif
