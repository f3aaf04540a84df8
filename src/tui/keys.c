// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys.c - one table binds keys to actions per screen.  The dispatcher,
 * the help screen and the key bar all read it, so none can drift from the
 * others.  Pure: no drawing, no state.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define KEYS_ESC 27
#define KEYS_CTRL(c) ((c) & 0x1f)

static const struct keys_entry keys_tab[] = {
	{ { 'h', '?', KEY_F(1) }, KA_HELP, KEYS_MAIN, "Help",
	  "this help (any key returns)" },
	{ { 'q' }, KA_QUIT, KEYS_MAIN, "Quit", "quit" },
	{ { KEY_F(10) }, KA_QUIT, KEYS_MAIN | KEYS_DETAILS | KEYS_ALERTS, NULL,
	  "quit, from any screen" },
	{ { 'q', KEYS_ESC, KEY_LEFT }, KA_BACK, KEYS_DETAILS | KEYS_ALERTS,
	  "Back", "details, alerts: back" },
	{ { ' ', 'p' }, KA_PAUSE, KEYS_MAIN | KEYS_DETAILS, "Pause",
	  "pause or resume sampling" },
	{ { 'd', 's' }, KA_DELAY, KEYS_MAIN, "Delay",
	  "refresh interval (seconds)" },
	{ { 'r' }, KA_REFRESH, KEYS_MAIN | KEYS_DETAILS, NULL, "refresh now" },
	{ { KEYS_CTRL('L') }, KA_REDRAW, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "redraw and refresh" },
	{ { 'o', '>', KEY_F(6) }, KA_SORT_NEXT, KEYS_MAIN, "Sort",
	  "sort by the next key" },
	{ { '<', KEY_F(5) }, KA_SORT_PREV, KEYS_MAIN, NULL, "sort by the previous key" },
	{ { 'I' }, KA_SORT_INVERT, KEYS_MAIN, NULL, "invert the sort order" },
	{ { '/', 'f', KEY_F(3), KEY_F(4) }, KA_FILTER, KEYS_MAIN, "Filter",
	  "filter names; events: search" },
	{ { '\t' }, KA_FOCUS, KEYS_MAIN, "Events",
	  "move to the events or table" },
	{ { KEYS_ESC }, KA_CLEAR, KEYS_MAIN, NULL,
	  "clear filters (never quits)" },
	{ { 'e', '!' }, KA_PROBLEMS, KEYS_MAIN, "Problems",
	  "only problems / all rows" },
	{ { KEY_UP, 'k' }, KA_UP, KEYS_MAIN | KEYS_DETAILS |
	  KEYS_ALERTS, NULL,
	  "row up (details: scroll)" },
	{ { KEY_DOWN, 'j' }, KA_DOWN, KEYS_MAIN | KEYS_DETAILS |
	  KEYS_ALERTS, NULL,
	  "row down (details: scroll)" },
	{ { KEY_PPAGE }, KA_PGUP, KEYS_MAIN | KEYS_DETAILS |
	  KEYS_ALERTS, NULL, "page up" },
	{ { KEY_NPAGE }, KA_PGDN, KEYS_MAIN | KEYS_DETAILS |
	  KEYS_ALERTS, NULL, "page down" },
	{ { KEY_HOME, 'g' }, KA_HOME, KEYS_MAIN | KEYS_DETAILS |
	  KEYS_ALERTS, NULL,
	  "first row" },
	{ { KEY_END, 'G' }, KA_END, KEYS_MAIN | KEYS_DETAILS |
	  KEYS_ALERTS, NULL,
	  "last row" },
	{ { '\n', '\r', KEY_ENTER }, KA_DETAILS, KEYS_MAIN, "Details",
	  "details of the selected pair" },
	{ { 'a' }, KA_ACK, KEYS_MAIN | KEYS_DETAILS, "Ack",
	  "acknowledge errors, failures" },
	{ { 'L' }, KA_ALERTS, KEYS_MAIN | KEYS_DETAILS, "Alerts",
	  "the list of alerts" },
	{ { 'a', '\n', '\r', KEY_ENTER }, KA_ACK, KEYS_ALERTS, "Ack",
	  "alerts: acknowledge this one" },
	{ { 'A' }, KA_ACK_ALL, KEYS_ALERTS, "All",
	  "alerts: acknowledge them all" },
	{ { 'A' }, KA_ASCII, KEYS_MAIN | KEYS_DETAILS, "ASCII",
	  "ASCII or Unicode lines" },
	{ { 'c' }, KA_COLORS, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "colours: dark, light, mono" },
	{ { 'v' }, KA_EV_VERDICTS, KEYS_MAIN, NULL,
	  "events: verdicts only or all" },
	{ { 'S' }, KA_SAVE, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "save settings (--no-config)" },
	{ { 'E' }, KA_EV_PAIR, KEYS_DETAILS, "Events",
	  "details: this pair's events" },
	/* --- journal begin --- (replay -r, and the report; replay_ui.c) */
	{ { ',' }, KA_RP_BACK, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "replay: one refresh back" },
	{ { '.' }, KA_RP_FWD, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "replay: one refresh on" },
	{ { '[' }, KA_RP_PREV_EV, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "replay: previous event" },
	{ { ']' }, KA_RP_NEXT_EV, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "replay: next event" },
	{ { 'N' }, KA_RP_PREV_FAIL, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "replay: previous failure" },
	{ { 'n' }, KA_RP_NEXT_FAIL, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "replay: next failure" },
	{ { 't' }, KA_RP_TIME, KEYS_MAIN, NULL, "replay: jump to a time" },
	{ { '+' }, KA_RP_FASTER, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "replay: play faster" },
	{ { '-' }, KA_RP_SLOWER, KEYS_MAIN | KEYS_DETAILS, NULL,
	  "replay: play slower" },
	{ { 'R' }, KA_REPORT, KEYS_DETAILS, "Report",
	  "details: report to copy" },
	/* --- journal end --- */
};

#define KEYS_N (sizeof(keys_tab) / sizeof(keys_tab[0]))

const struct keys_entry *keys_table(size_t *n)
{
	*n = KEYS_N;
	return keys_tab;
}

/* The action of @key on the screen @mode (KEYS_MAIN, KEYS_DETAILS). */
enum keys_action keys_lookup(unsigned int mode, int key)
{
	if (!key)
		return KA_NONE;
	for (size_t i = 0; i < KEYS_N; i++) {
		if (!(keys_tab[i].modes & mode))
			continue;
		for (size_t k = 0; k < KEYS_PER_ENTRY && keys_tab[i].keys[k]; k++)
			if (keys_tab[i].keys[k] == key)
				return keys_tab[i].act;
	}
	return KA_NONE;
}

/* A key's name as the help shows it: "q", "Esc", "F1", "Up", "^L". */
const char *keys_name(int key, char *buf, size_t len)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ KEYS_ESC, "Esc" }, { '\n', "Enter" }, { '\r', "Enter" },
		{ KEY_ENTER, "Enter" }, { ' ', "Space" }, { KEY_UP, "Up" },
		{ KEY_DOWN, "Down" }, { KEY_LEFT, "Left" },
		{ KEY_RIGHT, "Right" }, { KEY_PPAGE, "PgUp" },
		{ KEY_NPAGE, "PgDn" }, { KEY_HOME, "Home" },
		{ KEY_END, "End" }, { KEY_BACKSPACE, "Backspace" },
		{ '\t', "Tab" },
		{ 127, "Backspace" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].key == key) {
			snprintf(buf, len, "%s", names[i].name);
			return buf;
		}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, len, "F%d", key - KEY_F(0));
	else if (key > 0 && key < 0x20)
		snprintf(buf, len, "^%c", key + '@');
	else if (key > 0x20 && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "#%d", key);
	return buf;
}

/* The names of an entry's keys, each once: "h ? F1", "Enter". */
size_t keys_label(const struct keys_entry *e, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return 0;
	buf[0] = 0;
	for (size_t k = 0; k < KEYS_PER_ENTRY && e->keys[k]; k++) {
		char name[16];
		bool dup = false;

		keys_name(e->keys[k], name, sizeof(name));
		for (size_t j = 0; j < k; j++) {
			char other[16];

			if (!strcmp(keys_name(e->keys[j], other, sizeof(other)),
				    name))
				dup = true;
		}
		if (dup)
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? " " : "", name);
		if (n >= len) {
			n = len - 1;
			break;
		}
	}
	return n;
}

/* Lines of the help screen's key list: one per table entry. */
size_t keys_help_count(void)
{
	return KEYS_N;
}

/* Help line @i: the keys padded to @keyw columns, then what they do. */
size_t keys_help_line(size_t i, char *buf, size_t len, int keyw)
{
	const struct keys_entry *e;
	char label[64];
	int n;

	if (i >= KEYS_N) {
		if (len)
			buf[0] = 0;
		return 0;
	}
	e = &keys_tab[i];
	keys_label(e, label, sizeof(label));
	n = snprintf(buf, len, "%-*s %s", keyw, label, e->help);
	return n < 0 ? 0 : (size_t)n;
}
