// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * draw_table.c - the SOURCE and DESTINATION panes and the VERDICT column:
 * one row per pair, the source device and its destination device on the
 * same line.  A lone device leaves the other side empty.
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
#include "details_ident.h"

static void draw_headings(const struct tui_view *v, const struct layout_pane *p,
			  int y, bool verdict)
{
	bool a = v->g.ascii;

	draw_fill(y, p->r.x + p->border, p->r.w - p->border, ROLE_COLHEAD,
		  A_NORMAL);
	if (verdict) {
		draw_text(y, p->text.x, p->text.w, ROLE_COLHEAD, A_NORMAL,
			  "VERDICT", a);
		return;
	}
	draw_text(y, p->name.x, p->name.w, ROLE_COLHEAD, A_NORMAL, "DEVICE", a);
	draw_text(y, p->state.x, p->state.w, ROLE_COLHEAD, A_NORMAL, "STATE", a);
	draw_right(y, p->time.x, p->time.w, ROLE_COLHEAD, A_NORMAL, "TIME", a);
	draw_right(y, p->trans.x, p->trans.w, ROLE_COLHEAD, A_NORMAL, "TR", a);
	draw_text(y, p->vm.x, p->vm.w, ROLE_COLHEAD, A_NORMAL, "VM", a);
	draw_text(y, p->drv.x, p->drv.w, ROLE_COLHEAD, A_NORMAL, "DRIVER", a);
}

/* Device @dev's cell, stale or not. */
static void draw_cell(const struct tui_view *v, const struct view_ctx *c,
		      int dev, uint64_t now, struct cell *cl)
{
	cell_dev(c->m->devs[dev], evlog_alert(&v->log, dev), &v->cc, now, cl);
	if (view_dev_stale(c, c->m->devs[dev]))
		cell_stale(cl);
}

/* A cell's time, right-aligned on a cleared field. */
static void draw_time_cell(const struct tui_view *v,
			   const struct layout_pane *p, int y,
			   const struct cell *cl, attr_t extra)
{
	draw_fill(y, p->time.x, p->time.w, ROLE_NORMAL, extra);
	draw_right(y, p->time.x, p->time.w, cl->time_role, extra, cl->time,
		   v->g.ascii);
}

/* One device's cells in pane @p on line @y; its ticks and highlight end
 * go into @due. */
static void draw_dev(const struct tui_view *v, const struct view_ctx *c,
		     const struct layout_pane *p, int y, int dev,
		     const char *want, attr_t extra, uint64_t now,
		     struct tui_due *due)
{
	const struct model *m = c->m;
	bool a = v->g.ascii;
	char name[4 * 64 + 8];
	struct cell cl;

	if (dev < 0) {
		if (want && *want) {
			format_fit(name, sizeof(name), want, strlen(want),
				   p->name.w, FORMAT_KEEP_END, a);
			draw_text(y, p->name.x, p->name.w, ROLE_DIM, extra, name, a);
			draw_text(y, p->state.x, p->state.w, ROLE_DIM, extra,
				  "<missing>", a);
		} else {
			draw_text(y, p->state.x, p->state.w, ROLE_DIM, extra, "-", a);
		}
		return;
	}
	draw_cell(v, c, dev, now, &cl);
	draw_text(y, p->mark.x, p->mark.w, cl.mark_role, extra, cl.mark, a);
	if (p->name.w) {
		const char *n = m->devs[dev]->name;

		format_fit(name, sizeof(name), n, strlen(n), p->name.w,
			   FORMAT_KEEP_END, a);
		draw_text(y, p->name.x, p->name.w,
			  m->devs[dev]->present ? ROLE_NORMAL : ROLE_TOMB, extra,
			  name, a);
	}
	if (cl.state_role == ROLE_CHANGED || cl.state_role == ROLE_ALERT ||
	    cl.state_role == ROLE_BUSY)
		draw_fill(y, p->state.x, p->state.w, cl.state_role, extra);
	draw_text(y, p->state.x, p->state.w, cl.state_role, extra, cl.state, a);
	draw_time_cell(v, p, y, &cl, extra);
	draw_right(y, p->trans.x, p->trans.w, ROLE_NORMAL, extra, cl.trans, a);
	if (p->vm.w) {
		enum role vr;

		tui_ident_vm_cell(m, dev, name, sizeof(name), &vr);
		draw_text(y, p->vm.x, p->vm.w, vr, extra, name, a);
	}
	if (p->drv.w) {
		tui_ident_drv_cell(m, dev, name, sizeof(name));
		draw_text(y, p->drv.x, p->drv.w, ROLE_DIM, extra, name, a);
	}
	due->tick_ns = clock_earlier(due->tick_ns, cl.tick_ns);
	due->hl_ns = clock_earlier(due->hl_ns, cl.until_ns);
}

/* The verdict cell of a row (@clear: on a line not erased); returns
 * when its text next changes by time alone, 0 never. */
static uint64_t draw_verdict(const struct tui_view *v, const struct model *m,
			     const struct layout_pane *p, int y,
			     const struct rows_row *r, attr_t extra,
			     uint64_t now, bool clear)
{
	const struct model_pair *pr = r->pair >= 0 &&
				      (size_t)r->pair < m->npairs ?
				      &m->pairs[r->pair] : NULL;
	unsigned int al = evlog_alert(&v->log, r->dev[0]) |
			  evlog_alert(&v->log, r->dev[1]);
	struct cell_verdict cv;

	cell_verdict(m, pr, al, now, &cv);
	if (clear)
		draw_fill(y, p->text.x, p->text.w, ROLE_NORMAL, extra);
	draw_text(y, p->mark.x, p->mark.w, cv.role, extra, cv.mark, v->g.ascii);
	draw_text(y, p->text.x, p->text.w, cv.role, extra, cv.text, v->g.ascii);
	return cv.tick_ns;
}

static void draw_row(const struct tui_view *v, const struct view_ctx *c, int y,
		     const struct rows_row *r, bool selected, uint64_t now,
		     struct tui_due *due)
{
	const struct model *m = c->m;
	const struct layout *l = &v->lay;
	const struct model_pair *pr = r->pair >= 0 &&
				      (size_t)r->pair < m->npairs ?
				      &m->pairs[r->pair] : NULL;
	attr_t extra = selected ? A_REVERSE : A_NORMAL;

	if (selected)
		draw_fill(y, 0, COLS, ROLE_NORMAL, A_REVERSE);
	for (int s = 0; s < (v->has_dst ? 2 : 1); s++)
		draw_dev(v, c, &l->pane[s], y, r->dev[s],
			 pr ? pr->want[s] : NULL, extra, now, due);
	if (v->has_dst)
		due->tick_ns = clock_earlier(due->tick_ns,
					draw_verdict(v, m, &l->pane[LAYOUT_VERDICT],
						     y, r, extra, now, false));
}

/*
 * Only the times of the rows on screen, the rest of the frame as drawn
 * last (nothing else on it changed: the caller knows): a second's tick
 * redraws a few cells, not the screen.  Their next ticks go into @due.
 */
void draw_table_times(const struct tui_view *v, const struct view_ctx *c,
		      uint64_t now, struct tui_due *due)
{
	const struct layout *l = &v->lay;
	const struct ui *u = &v->ui;

	due->tick_ns = 0;
	for (int i = 0; i < l->body_h; i++) {
		size_t k = u->top + (size_t)i;
		const struct rows_row *r;
		attr_t extra;
		struct cell cl;

		if (k >= v->rows.n)
			break;
		r = &v->rows.v[k];
		extra = k == u->sel ? A_REVERSE : A_NORMAL;
		for (int s = 0; s < (v->has_dst ? 2 : 1); s++) {
			if (r->dev[s] < 0)
				continue;
			draw_cell(v, c, r->dev[s], now, &cl);
			draw_time_cell(v, &l->pane[s], l->body_y + i, &cl, extra);
			due->tick_ns = clock_earlier(due->tick_ns, cl.tick_ns);
		}
		if (v->has_dst)
			due->tick_ns = clock_earlier(due->tick_ns,
				draw_verdict(v, c->m, &l->pane[LAYOUT_VERDICT],
					     l->body_y + i, r, extra, now, true));
	}
}

/* Draw the panes; when a row next changes by time alone goes into @due. */
void draw_table(const struct tui_view *v, const struct view_ctx *c,
		uint64_t now, struct tui_due *due)
{
	const struct layout *l = &v->lay;
	const struct ui *u = &v->ui;
	char pos[64];

	static const char *const titles[LAYOUT_NPANES] = {
		" SOURCE ", " DESTINATION ", " VERDICT ",
	};

	for (int i = 0; i < l->npanes && i < LAYOUT_NPANES; i++) {
		const struct layout_pane *p = &l->pane[i];

		draw_title(p->r.y, p->r.x, p->r.w, &v->g, titles[i], p->border);
		draw_headings(v, p, p->r.y + 1, i == LAYOUT_VERDICT);
		if (p->border)
			draw_vline(p->r.y + 1, p->r.x, p->r.h - 1, &v->g);
	}
	if (v->rows.n)
		snprintf(pos, sizeof(pos), " %zu/%zu ", u->sel + 1, v->rows.n);
	else
		snprintf(pos, sizeof(pos), " no %s ",
			 u->filter[0] || u->problems ? "match" : "devices");
	/* Where the selection is, right of the last title if it fits. */
	if (COLS - format_cols(pos) - 2 >=
	    l->pane[l->npanes - 1].r.x + 2 + (l->npanes > 1 ? 10 : 9))
		draw_right(l->pane[0].r.y, COLS - format_cols(pos) - 2,
			   format_cols(pos), ROLE_TITLE, A_NORMAL, pos,
			   v->g.ascii);
	memset(due, 0, sizeof(*due));
	for (int i = 0; i < l->body_h; i++) {
		size_t k = u->top + (size_t)i;

		if (k >= v->rows.n)
			break;
		draw_row(v, c, l->body_y + i, &v->rows.v[k], k == u->sel, now,
			 due);
	}
	/* Borders again: a selected row's fill covered them. */
	for (int i = 0; i < l->npanes; i++)
		if (l->pane[i].border)
			draw_vline(l->body_y, l->pane[i].r.x, l->body_h, &v->g);
}
