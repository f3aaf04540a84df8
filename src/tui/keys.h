/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keys.h - the key table: dispatch, help screen and key bar come from it */
#ifndef VFIOMIGTOP_TUI_KEYS_H
#define VFIOMIGTOP_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Screens a key table entry works in (bit mask). */
#define KEYS_MAIN 0x1u		/* the monitor */
#define KEYS_DETAILS 0x2u	/* the details of one pair */
#define KEYS_ALERTS 0x4u	/* the list of alerts */

/* Most key codes one entry binds. */
#define KEYS_PER_ENTRY 8
/* Widest key label and description, so that help fits 80 columns twice. */
#define KEYS_LABEL_W 10
#define KEYS_HELP_W 28

/* What a key asks for; the UI decides what that means (see ui.c). */
enum keys_action {
	KA_NONE,
	KA_HELP,		/* show the help screen */
	KA_QUIT,		/* leave the program */
	KA_BACK,		/* close the details */
	KA_PAUSE,		/* pause or resume sampling */
	KA_DELAY,		/* ask for a new refresh interval */
	KA_REFRESH,		/* refresh now */
	KA_REDRAW,		/* repaint everything and refresh */
	KA_SORT_NEXT,		/* sort by the next key */
	KA_SORT_PREV,		/* sort by the previous key */
	KA_SORT_INVERT,		/* reverse the order */
	KA_FILTER,		/* ask for a name filter */
	KA_CLEAR,		/* drop the filter and problems-only */
	KA_PROBLEMS,		/* show only rows with a problem */
	KA_UP,			/* select (or scroll) one line up */
	KA_DOWN,		/* one line down */
	KA_PGUP,		/* one page up */
	KA_PGDN,		/* one page down */
	KA_HOME,		/* to the first line */
	KA_END,			/* to the last line */
	KA_DETAILS,		/* open the details of the selected pair */
	KA_ACK,			/* acknowledge errors and failures */
	KA_ASCII,		/* toggle ASCII drawing */
	KA_COLORS,		/* next colour scheme */
	KA_FOCUS,		/* the table or the event pane */
	KA_EV_VERDICTS,		/* events: only verdicts, or everything */
	KA_EV_PAIR,		/* details: the events of this pair only */
	KA_SAVE,		/* save the settings */
	KA_ALERTS,		/* the list of alerts */
	KA_ACK_ALL,		/* alert list: acknowledge them all */
	/* --- journal begin --- (replay_ui.c) */
	KA_RP_BACK,		/* replay: one refresh back */
	KA_RP_FWD,		/* replay: one refresh on */
	KA_RP_PREV_EV,		/* replay: to the previous event */
	KA_RP_NEXT_EV,		/* replay: to the next event */
	KA_RP_PREV_FAIL,	/* replay: to the previous failure */
	KA_RP_NEXT_FAIL,	/* replay: to the next failure */
	KA_RP_TIME,		/* replay: ask for a time to jump to */
	KA_RP_FASTER,		/* replay: play faster */
	KA_RP_SLOWER,		/* replay: play slower */
	KA_REPORT,		/* details: the report text, to copy */
	/* --- journal end --- */
	KA_NR,
};

struct keys_entry {
	int keys[KEYS_PER_ENTRY];	/* key codes (curses), 0 ends the list */
	enum keys_action act;	/* what they ask for */
	unsigned int modes;	/* KEYS_* screens where they work */
	const char *bar;	/* short label in the key bar, NULL if not shown */
	const char *help;	/* one line for the help screen */
};

const struct keys_entry *keys_table(size_t *n);
enum keys_action keys_lookup(unsigned int mode, int key);
const char *keys_name(int key, char *buf, size_t len);
size_t keys_label(const struct keys_entry *e, char *buf, size_t len);
size_t keys_help_count(void);
size_t keys_help_line(size_t i, char *buf, size_t len, int keyw);

#endif
