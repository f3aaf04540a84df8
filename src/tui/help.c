// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * help.c - the help screen: every key from the key table (so it cannot
 * drift from the dispatcher), the markers, the state colours and the
 * current settings.  Any key returns to the monitor.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <string.h>

#include "cell.h"
#include "clock.h"
#include "draw.h"
#include "format.h"
#include "keys.h"

static const char *const help_scheme[ROLE_SCHEME_NR] = {
	[ROLE_SCHEME_DARK] = "dark", [ROLE_SCHEME_LIGHT] = "light",
	[ROLE_SCHEME_MONO] = "monochrome",
};

/* The key list in as many columns as fit; returns the lines used. */
static int help_keys(const struct tui_view *v, int y, int h)
{
	size_t n = keys_help_count();
	int colw = KEYS_LABEL_W + 1 + KEYS_HELP_W + 1;
	int ncol = COLS / colw, per;

	if (ncol < 1)
		ncol = 1;
	per = (int)((n + (size_t)ncol - 1) / (size_t)ncol);
	if (per > h && ncol == 1)
		per = h;
	for (size_t i = 0; i < n; i++) {
		int col = (int)i / per, row = (int)i % per;
		char line[128];

		if (col >= ncol)
			break;
		keys_help_line(i, line, sizeof(line), KEYS_LABEL_W);
		line[KEYS_LABEL_W] = 0;
		draw_text(y + row, 1 + col * colw, KEYS_LABEL_W, ROLE_COLHEAD,
			  A_NORMAL, line, v->g.ascii);
		keys_help_line(i, line, sizeof(line), KEYS_LABEL_W);
		draw_text(y + row, 1 + col * colw + KEYS_LABEL_W + 1,
			  ncol == 1 ? COLS - KEYS_LABEL_W - 2 : colw - KEYS_LABEL_W - 1,
			  ROLE_NORMAL, A_NORMAL, line + KEYS_LABEL_W + 1,
			  v->g.ascii);
	}
	return per;
}

static void help_legend(const struct tui_view *v, int y, int end)
{
	static const enum dstate states[] = {
		DS_RUNNING, DS_PRE_COPY, DS_STOP_COPY, DS_STOP, DS_RESUMING,
		DS_ERROR, DS_EINVAL, DS_NOMIG,
	};
	struct draw_pen p = { y, 1, COLS, v->g.ascii };
	char buf[160], dur[32];

	if (y >= end)
		return;
	clock_fmt_dur(dur, sizeof(dur), v->cc.highlight_ns);
	draw_put(&p, ROLE_COLHEAD, A_NORMAL, "Markers ");
	draw_put(&p, ROLE_CHANGED, A_NORMAL, "*");
	snprintf(buf, sizeof(buf), " changed (%s) ", dur);
	draw_put(&p, ROLE_NORMAL, A_NORMAL, buf);
	draw_put(&p, ROLE_INFERRED, A_NORMAL, cell_how_mark(CELL_INFERRED));
	draw_put(&p, ROLE_NORMAL, A_NORMAL, " steps not seen ");
	draw_put(&p, ROLE_INFERRED, A_NORMAL, cell_how_mark(CELL_RESET));
	draw_put(&p, ROLE_NORMAL, A_NORMAL, " by no kernel step (reset)");
	if (++y >= end)
		return;
	p = (struct draw_pen){ y, 9, COLS, v->g.ascii };
	draw_put(&p, ROLE_ALERT, A_NORMAL, "!");
	draw_put(&p, ROLE_NORMAL, A_NORMAL, " error, failure (a) ");
	draw_put(&p, ROLE_TOMB, A_NORMAL, v->g.ascii ? "x" : "\xe2\x80\xa0");
	draw_put(&p, ROLE_NORMAL, A_NORMAL, " vanished ");
	draw_put(&p, ROLE_DIM, A_NORMAL, "?");
	draw_put(&p, ROLE_NORMAL, A_NORMAL, " last known (host lost) ");
	draw_put(&p, ROLE_BUSY, A_NORMAL, "busy");
	draw_put(&p, ROLE_NORMAL, A_NORMAL, " read pending");
	if (++y >= end)
		return;
	p = (struct draw_pen){ y, 1, COLS, v->g.ascii };
	draw_put(&p, ROLE_COLHEAD, A_NORMAL, "States  ");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		draw_put(&p, cell_state_role(states[i]), A_NORMAL,
			 format_token(states[i]));
		draw_put(&p, ROLE_NORMAL, A_NORMAL, " ");
	}
	if (++y >= end)
		return;
	p = (struct draw_pen){ y, 1, COLS, v->g.ascii };
	draw_put(&p, ROLE_COLHEAD, A_NORMAL, "Prompts ");
	draw_put(&p, ROLE_NORMAL, A_NORMAL,
		 "Enter accepts, Esc cancels (clears the filter), ^U erases");
}

static void help_now(const struct tui_view *v, const struct view_ctx *c, int y)
{
	char buf[256], dur[32];

	clock_fmt_dur(dur, sizeof(dur), c->delay_ns);
	snprintf(buf, sizeof(buf),
		 "Now: every %s%s, sort %s%s, filter %s, %s rows, colours %s, %s lines, bell %s",
		 dur, c->paused ? " (paused)" : "", rows_sort_name(v->ui.sort),
		 v->ui.invert ? " inverted" : "",
		 v->ui.filter[0] ? "on" : "off",
		 v->ui.problems ? "problem" : "all", help_scheme[v->ui.scheme],
		 v->g.ascii ? "ASCII" : "Unicode", v->bell ? "on" : "off");
	draw_text(y, 1, COLS - 2, ROLE_DIM, A_NORMAL, buf, v->g.ascii);
}

void help_draw(const struct tui_view *v, const struct view_ctx *c)
{
	int h = LINES - 1, y = 0, used;

	draw_title(y++, 0, COLS, &v->g,
		   " vfiomigtop help: any key returns ", false);
	used = help_keys(v, y, h - y);
	y += used;
	if (y + 1 < h)
		y++;
	help_legend(v, y, h);
	y += 4;
	if (y + 1 < h)
		y++;
	if (y < h)
		help_now(v, c, y);
}
