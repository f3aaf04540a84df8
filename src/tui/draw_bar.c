// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * draw_bar.c - the last line: the keys of the current screen from the key
 * table, a transient message, or the question being answered.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "format.h"
#include "keys.h"

static void draw_bar_prompt(const struct tui_view *v, const struct view_ctx *c,
			    int y)
{
	const struct ui *u = &v->ui;
	struct draw_pen p = { y, 0, COLS, v->g.ascii };
	char ans[4 * PROMPT_MAX + 8], q[64];
	int room;

	/* The current value, as -d would take it. */
	snprintf(q, sizeof(q), "Delay in seconds (now %g, 0.01-3600): ",
		 (double)c->delay_ns / 1e9);
	draw_put(&p, ROLE_PROMPT, A_NORMAL,
		 u->ask == UI_ASK_DELAY ? q :
		 u->ask == UI_ASK_TIME ? "Jump to ([YYYY-MM-DD ]HH:MM[:SS], +SECS): " :
		 u->ask == UI_ASK_SEARCH ? "Search events (text): " :
		 "Filter (substring or * ? [ ] pattern): ");
	room = COLS - p.x - 32;
	if (room < 8)
		room = COLS - p.x - 1;
	format_fit(ans, sizeof(ans), u->prompt.buf, u->prompt.len, room,
		   FORMAT_KEEP_END, v->g.ascii);
	draw_put(&p, ROLE_NORMAL, A_NORMAL, ans);
	draw_put(&p, ROLE_NORMAL, A_REVERSE, " ");
	draw_put(&p, ROLE_DIM, A_NORMAL,
		 u->ask != UI_ASK_FILTER && u->ask != UI_ASK_SEARCH ?
		 "  Enter: set  Esc: cancel" :
		 "  Enter: keep  Esc: clear");
}

/* The key bar label of an entry, with the state it toggles. */
static const char *draw_bar_label(const struct tui_view *v,
				  const struct view_ctx *c,
				  const struct keys_entry *e, char *buf,
				  size_t len)
{
	switch (e->act) {
	case KA_PAUSE:
		return c->paused ? "Resume" : "Pause";
	case KA_SORT_NEXT:
		snprintf(buf, len, "Sort:%s%s", rows_sort_name(v->ui.sort),
			 v->ui.invert ? "-" : "");
		return buf;
	case KA_PROBLEMS:
		return v->ui.problems ? "All" : "Problems";
	case KA_ASCII:
		return v->ui.ascii ? "Unicode" : "ASCII";
	case KA_FOCUS:
		return v->ui.focus == UI_FOCUS_EVENTS ? "Table" : "Events";
	default:
		return e->bar;
	}
}

static void draw_bar_keys(const struct tui_view *v, const struct view_ctx *c,
			  struct draw_pen *p, unsigned int mode)
{
	size_t n;
	const struct keys_entry *t = keys_table(&n);

	for (size_t i = 0; i < n; i++) {
		char key[16], tmp[40], lab[48];

		if (!t[i].bar || !(t[i].modes & mode))
			continue;
		keys_name(t[i].keys[0], key, sizeof(key));
		if (!strcmp(key, "Space"))
			snprintf(key, sizeof(key), "Spc");
		draw_put(p, ROLE_KEY, A_NORMAL, key);
		snprintf(lab, sizeof(lab), " %.40s ",
			 draw_bar_label(v, c, &t[i], tmp, sizeof(tmp)));
		draw_put(p, ROLE_KEYDESC, A_NORMAL, lab);
	}
}

void draw_bar(const struct tui_view *v, const struct view_ctx *c, uint64_t now)
{
	int y = LINES - 1;
	struct draw_pen p = { y, 0, COLS - 1, v->g.ascii };
	char msg[sizeof(v->ui.msg) + 4];

	draw_fill(y, 0, COLS - 1, ROLE_KEYDESC, A_NORMAL);
	if (v->ui.mode == UI_PROMPT) {
		draw_bar_prompt(v, c, y);
		return;
	}
	if (ui_msg(&v->ui, now)) {
		snprintf(msg, sizeof(msg), " %s ", v->ui.msg);
		draw_put(&p, ROLE_MESSAGE, A_NORMAL, msg);
		draw_put(&p, ROLE_NORMAL, A_NORMAL, " ");
	}
	if (v->ui.mode == UI_HELP) {
		draw_put(&p, ROLE_KEY, A_NORMAL, "any key");
		draw_put(&p, ROLE_KEYDESC, A_NORMAL, " returns to the monitor");
		return;
	}
	draw_bar_keys(v, c, &p, v->ui.mode == UI_DETAILS ? KEYS_DETAILS :
			     v->ui.mode == UI_ALERTS ? KEYS_ALERTS : KEYS_MAIN);
}
