// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layout.c - the screen's geometry.  A pure function of the terminal size
 * and a few facts about the content, unit-tested over every size from 1x1
 * to 400x150: every rectangle lies inside the screen, none overlaps
 * another, and "too small" is decided in exactly one place.
 *
 *   header (1-3 lines)
 *   SOURCE pane | DESTINATION pane | VERDICT    (title, headings, rows)
 *   EVENTS (title, newest first)
 *   key bar (last line)
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "layout.h"

#include <string.h>

/* Caps on what the optional widths grow to. */
#define LAYOUT_NAME_TYPICAL 12	/* a PCI address */
#define LAYOUT_NAME_CAP 64
#define LAYOUT_VERDICT_MIN 10
#define LAYOUT_VERDICT_TYPICAL 24
#define LAYOUT_EVENTS_WANT 8	/* event lines wanted when rows compete */

/* Widths of the panes being decided. */
struct layout_w {
	int name[2];		/* name column per side, 0 hidden */
	bool time;		/* time columns shown */
	bool trans;		/* transitions columns shown */
	int verdict;		/* verdict text width */
	int vm;			/* VM columns' width, 0 hidden */
	int drv;		/* DRIVER columns' width, 0 hidden */
};

static int layout_min(int a, int b)
{
	return a < b ? a : b;
}

static int layout_max(int a, int b)
{
	return a > b ? a : b;
}

/* Width of one device pane: border, marker, name, state, time, trans, pad. */
static int layout_side_w(const struct layout_w *w, int side, bool border)
{
	return (border ? 1 : 0) + 2 + (w->name[side] ? w->name[side] + 1 : 0) +
	       LAYOUT_STATE_W + (w->time ? LAYOUT_TIME_W + 1 : 0) +
	       (w->trans ? LAYOUT_TRANS_W + 1 : 0) + (w->vm ? w->vm + 1 : 0) +
	       (w->drv ? w->drv + 1 : 0) + 1;
}

static int layout_total(const struct layout_w *w, bool two)
{
	if (!two)
		return layout_side_w(w, 0, false);
	return layout_side_w(w, 0, false) + layout_side_w(w, 1, true) + 2 +
	       w->verdict;
}

/* Grow the names towards @want (both shown names alike) within @cols. */
static void layout_grow_names(struct layout_w *w, bool two, int cols,
			      int want)
{
	for (;;) {
		bool grew = false;

		for (int s = 0; s < 2; s++) {
			if (!w->name[s] || w->name[s] >= want)
				continue;
			w->name[s]++;
			if (layout_total(w, two) > cols)
				w->name[s]--;
			else
				grew = true;
		}
		if (!grew)
			return;
	}
}

static void layout_grow_verdict(struct layout_w *w, int cols, int want)
{
	int spare = cols - layout_total(w, true);

	if (spare > 0 && w->verdict < want)
		w->verdict += layout_min(spare, want - w->verdict);
}

/* Show an optional pair of columns if the whole of it fits. */
static void layout_try(struct layout_w *w, bool two, int cols, bool *flag)
{
	*flag = true;
	if (layout_total(w, two) > cols)
		*flag = false;
}

static void layout_widths(const struct layout_in *in, struct layout_w *w)
{
	bool two = in->has_dst;
	int want = layout_min(layout_max(in->name_want, LAYOUT_NAME_MIN),
			      LAYOUT_NAME_CAP);
	int vwant = layout_max(in->verdict_want, LAYOUT_VERDICT_TYPICAL);

	memset(w, 0, sizeof(*w));
	w->name[0] = LAYOUT_NAME_MIN;
	w->name[1] = two && in->dst_names ? LAYOUT_NAME_MIN : 0;
	w->verdict = two ? LAYOUT_VERDICT_MIN : 0;
	/* Near the minimum width, names give way first. */
	while (layout_total(w, two) > in->cols && w->name[0] > 1) {
		w->name[0]--;
		if (w->name[1] > 1)
			w->name[1]--;
	}
	layout_try(w, two, in->cols, &w->time);
	layout_grow_names(w, two, in->cols,
			  layout_min(want, LAYOUT_NAME_TYPICAL));
	if (two)
		layout_grow_verdict(w, in->cols, LAYOUT_VERDICT_TYPICAL);
	layout_try(w, two, in->cols, &w->trans);
	if (two)
		layout_grow_verdict(w, in->cols, vwant);
	layout_grow_names(w, two, in->cols, want);
	/* The VM and DRIVER columns come last, each only where all of it fits. */
	w->vm = layout_min(layout_max(in->vm_want, 0), LAYOUT_VM_CAP);
	if (w->vm && layout_total(w, two) > in->cols)
		w->vm = 0;
	w->drv = layout_min(layout_max(in->drv_want, 0), LAYOUT_DRV_CAP);
	if (w->drv && layout_total(w, two) > in->cols)
		w->drv = 0;
	if (two)
		layout_grow_verdict(w, in->cols, in->cols);
}

static struct layout_col layout_next(int *x, int w, int gap)
{
	struct layout_col c = { *x, w };

	*x += w + gap;
	return c;
}

/* Place the columns of a device pane starting at p->r.x. */
static void layout_side(struct layout_pane *p, const struct layout_w *w,
			int side)
{
	int x = p->r.x + (p->border ? 1 : 0);

	p->mark = layout_next(&x, 1, 1);
	if (w->name[side])
		p->name = layout_next(&x, w->name[side], 1);
	p->state = layout_next(&x, LAYOUT_STATE_W, 1);
	if (w->time)
		p->time = layout_next(&x, LAYOUT_TIME_W, 1);
	if (w->trans)
		p->trans = layout_next(&x, LAYOUT_TRANS_W, 1);
	if (w->vm)
		p->vm = layout_next(&x, w->vm, 1);
	if (w->drv)
		p->drv = layout_next(&x, w->drv, 1);
}

static void layout_across(const struct layout_in *in, struct layout *out)
{
	struct layout_w w;
	struct layout_pane *p = out->pane;

	layout_widths(in, &w);
	if (!in->has_dst) {
		out->npanes = 1;
		p[0].r.w = in->cols;
		layout_side(&p[0], &w, 0);
		return;
	}
	out->npanes = 3;
	p[LAYOUT_SRC].r.w = layout_side_w(&w, 0, false);
	p[LAYOUT_DST].r.x = p[LAYOUT_SRC].r.w;
	p[LAYOUT_DST].r.w = layout_side_w(&w, 1, true);
	p[LAYOUT_DST].border = true;
	p[LAYOUT_VERDICT].r.x = p[LAYOUT_DST].r.x + p[LAYOUT_DST].r.w;
	p[LAYOUT_VERDICT].r.w = in->cols - p[LAYOUT_VERDICT].r.x;
	p[LAYOUT_VERDICT].border = true;
	layout_side(&p[LAYOUT_SRC], &w, 0);
	layout_side(&p[LAYOUT_DST], &w, 1);
	p[LAYOUT_VERDICT].mark.x = p[LAYOUT_VERDICT].r.x + 1;
	p[LAYOUT_VERDICT].mark.w = 1;
	p[LAYOUT_VERDICT].text.x = p[LAYOUT_VERDICT].r.x + 2;
	p[LAYOUT_VERDICT].text.w = p[LAYOUT_VERDICT].r.w - 2;
}

/* Split the lines between header, table, events and key bar. */
static void layout_down(const struct layout_in *in, struct layout *out)
{
	int rows = in->rows, avail, table, ev, twant, ewant;
	size_t nev = in->nevents;

	out->bar = (struct layout_rect){ 0, rows - 1, in->cols, 1 };
	out->header = (struct layout_rect){ 0, 0, in->cols,
					    rows < 16 ? 1 : in->has_dst ? 3 : 2 };
	avail = rows - 1 - out->header.h;
	twant = 2 + (in->nrows > 1 ? (int)layout_min((int)in->nrows, avail) : 1);
	ewant = 1 + (nev < 2 ? 2 : nev > LAYOUT_EVENTS_WANT ?
		     LAYOUT_EVENTS_WANT : (int)nev);
	if (twant + ewant <= avail) {
		table = twant;
	} else {
		ev = layout_min(ewant, layout_max(3, avail / 3));
		if (avail - ev < 3)
			ev = avail - 3;
		if (ev < 2)
			ev = 0;
		table = avail - ev;
	}
	ev = avail - table;
	for (int i = 0; i < out->npanes; i++) {
		out->pane[i].r.y = out->header.h;
		out->pane[i].r.h = table;
	}
	out->body_y = out->header.h + 2;
	out->body_h = table - 2;
	out->events = (struct layout_rect){ 0, out->header.h + table,
					    in->cols, ev };
}

void layout_compute(const struct layout_in *in, struct layout *out)
{
	memset(out, 0, sizeof(*out));
	out->need_cols = in->has_dst ? LAYOUT_MIN_COLS_TWO : LAYOUT_MIN_COLS_ONE;
	out->need_rows = LAYOUT_MIN_ROWS;
	if (in->cols < out->need_cols || in->rows < out->need_rows) {
		out->too_small = true;
		return;
	}
	layout_across(in, out);
	layout_down(in, out);
}

static bool layout_in_col(const struct layout_col *c, int x)
{
	return c->w > 0 && x >= c->x && x < c->x + c->w;
}

/* What the cell at column @x, line @y of the screen laid out as @l is. */
void layout_hit(const struct layout *l, int x, int y, struct layout_hit *h)
{
	const struct layout_rect *ev = &l->events;

	memset(h, 0, sizeof(*h));
	if (l->too_small || x < 0 || y < 0)
		return;
	if (ev->h > 0 && y >= ev->y && y < ev->y + ev->h) {
		h->zone = LAYOUT_Z_EVENTS;
		h->line = y - ev->y - 1;
		return;
	}
	if (y >= l->body_y && y < l->body_y + l->body_h) {
		h->zone = LAYOUT_Z_ROW;
		h->line = y - l->body_y;
		return;
	}
	for (int i = 0; i < l->npanes; i++) {
		const struct layout_pane *p = &l->pane[i];

		if (y != p->r.y + 1 || x < p->r.x || x >= p->r.x + p->r.w)
			continue;
		h->zone = LAYOUT_Z_HEAD;
		if (layout_in_col(&p->text, x))
			h->col = LAYOUT_C_VERDICT;
		else if (layout_in_col(&p->name, x))
			h->col = LAYOUT_C_NAME;
		else if (layout_in_col(&p->state, x))
			h->col = LAYOUT_C_STATE;
		else if (layout_in_col(&p->time, x))
			h->col = LAYOUT_C_TIME;
		return;
	}
}
