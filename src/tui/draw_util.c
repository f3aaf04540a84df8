// SPDX-License-Identifier: GPL-2.0-or-later
/* draw_util.c - clipped text, lines and titles on stdscr */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <string.h>

#include "clock.h"
#include "colors.h"
#include "draw.h"
#include "format.h"

/* Put @s (safe text) at y, x in at most @w columns. */
void draw_text(int y, int x, int w, enum role r, attr_t extra,
	       const char *s, bool ascii)
{
	char buf[1024];

	if (w <= 0 || y < 0 || x < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	format_clip(buf, sizeof(buf), s, w, ascii);
	attrset(colors_attr(r) | extra);
	mvaddstr(y, x, buf);
}

/* The same, right-aligned in @w columns. */
void draw_right(int y, int x, int w, enum role r, attr_t extra,
		const char *s, bool ascii)
{
	int n = format_cols(s);

	if (n < w)
		draw_text(y, x + w - n, n, r, extra, s, ascii);
	else
		draw_text(y, x, w, r, extra, s, ascii);
}

/* Blank @w cells with the role's attributes (for bars and selections). */
void draw_fill(int y, int x, int w, enum role r, attr_t extra)
{
	if (w <= 0 || y < 0 || x < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attrset(colors_attr(r) | extra);
	mvhline(y, x, ' ', w);
}

/* "─ TITLE ─────": a pane's title line; @left_tee joins a border below. */
void draw_title(int y, int x, int w, const struct screen_glyphs *g,
		const char *title, bool left_tee)
{
	if (w <= 0 || y < 0 || y >= LINES)
		return;
	attrset(colors_attr(ROLE_BORDER));
	mvhline_set(y, x, g->hline, w);
	if (left_tee)
		mvadd_wch(y, x, g->ttee);
	if (title && *title && w > 4)
		draw_text(y, x + 2, w - 3, ROLE_TITLE, A_NORMAL, title,
			  g->ascii);
}

void draw_vline(int y, int x, int h, const struct screen_glyphs *g)
{
	if (h <= 0 || x < 0 || x >= COLS)
		return;
	attrset(colors_attr(ROLE_BORDER));
	mvvline_set(y, x, g->vline, h);
}

/* Wall-clock time of a CLOCK_MONOTONIC stamp, local or UTC (--utc), as @f says. */
int draw_time(const struct tui_view *v, char *buf, size_t len,
	      const struct view_ctx *c, uint64_t mono_ns, enum draw_tfmt f)
{
	int64_t real = (int64_t)mono_ns + c->real_off_ns;
	size_t n;

	if (f == DRAW_T_STAMP || f == DRAW_T_FULL)
		return (int)clock_fmt_stamp(buf, len, real, !v->utc,
					    f == DRAW_T_FULL);
	n = clock_fmt_hms(buf, len, real, !v->utc);
	if (f == DRAW_T_SEC && n > 8) {
		buf[8] = 0;
		n = 8;
	}
	return (int)n;
}

/* Write @s at the pen and move it on; nothing past p->end. */
void draw_put(struct draw_pen *p, enum role r, attr_t extra, const char *s)
{
	int n = format_cols(s);

	if (p->x >= p->end)
		return;
	draw_text(p->y, p->x, p->end - p->x, r, extra, s, p->ascii);
	p->x += n;
	if (p->x > p->end)
		p->x = p->end;
}
