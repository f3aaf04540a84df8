/* SPDX-License-Identifier: GPL-2.0-or-later */
/* draw.h - the parts of the screen, drawn on stdscr from the view's state */
#ifndef VFIOMIGTOP_TUI_DRAW_H
#define VFIOMIGTOP_TUI_DRAW_H

#include <curses.h>
#include <stdint.h>

#include "role.h"
#include "tui.h"

/* Where the next piece of a line goes. */
struct draw_pen {
	int y;			/* line */
	int x;			/* next column */
	int end;		/* first column not to write */
	bool ascii;		/* ASCII only */
};

/* How draw_time() writes a time (local, or UTC with --utc). */
enum draw_tfmt {
	DRAW_T_SEC,		/* "02:02:45" */
	DRAW_T_MS,		/* "02:02:45.885" */
	DRAW_T_STAMP,		/* "2026-12-02 02:02:45 CET" */
	DRAW_T_FULL,		/* "2026-12-02 02:02:45.885 CET" */
};

/* Helpers (draw_util.c). */
void draw_put(struct draw_pen *p, enum role r, attr_t extra, const char *s);
void draw_text(int y, int x, int w, enum role r, attr_t extra,
	       const char *s, bool ascii);
void draw_right(int y, int x, int w, enum role r, attr_t extra,
		const char *s, bool ascii);
void draw_fill(int y, int x, int w, enum role r, attr_t extra);
void draw_title(int y, int x, int w, const struct screen_glyphs *g,
		const char *title, bool left_tee);
void draw_vline(int y, int x, int h, const struct screen_glyphs *g);
int draw_time(const struct tui_view *v, char *buf, size_t len,
	      const struct view_ctx *c, uint64_t mono_ns, enum draw_tfmt f);

/* The parts. */
void draw_header(const struct tui_view *v, const struct view_ctx *c,
		 uint64_t now);
void draw_table(const struct tui_view *v, const struct view_ctx *c,
		uint64_t now, struct tui_due *due);
void draw_table_times(const struct tui_view *v, const struct view_ctx *c,
		      uint64_t now, struct tui_due *due);
void draw_header_top(const struct tui_view *v, const struct view_ctx *c,
		     uint64_t now);
void draw_events(const struct tui_view *v, const struct view_ctx *c);
void draw_bar(const struct tui_view *v, const struct view_ctx *c, uint64_t now);
void help_draw(const struct tui_view *v, const struct view_ctx *c);
int details_draw(const struct tui_view *v, const struct view_ctx *c,
		 uint64_t now);
void draw_small(int cols, int rows, int need_cols, int need_rows);
int draw_alerts(const struct tui_view *v, const struct view_ctx *c);

#endif
