// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_tui_layout.c - the screen geometry over every size from 1x1 to
 * 400x150: rectangles inside the screen, never overlapping, never
 * negative, columns inside their pane, and "too small" decided alike.
 */
#include "testutil.h"
#include "format.h"
#include "headline.h"
#include "layout.h"

static int fails;

#define LCHECK(cond, in)                                                     \
	do {                                                                 \
		if (!(cond) && fails++ < 20)                                 \
			fprintf(stderr, "%dx%d dst=%d names=%d rows=%zu ev=%zu: %s\n", \
				(in)->cols, (in)->rows, (in)->has_dst,       \
				(in)->dst_names, (in)->nrows, (in)->nevents, #cond); \
	} while (0)

static bool rect_ok(const struct layout_rect *r, int cols, int rows)
{
	return r->x >= 0 && r->y >= 0 && r->w >= 0 && r->h >= 0 &&
	       r->x + r->w <= cols && r->y + r->h <= rows;
}

static bool rect_empty(const struct layout_rect *r)
{
	return r->w <= 0 || r->h <= 0;
}

static bool rect_apart(const struct layout_rect *a, const struct layout_rect *b)
{
	if (rect_empty(a) || rect_empty(b))
		return true;
	return a->x + a->w <= b->x || b->x + b->w <= a->x ||
	       a->y + a->h <= b->y || b->y + b->h <= a->y;
}

static bool col_in(const struct layout_col *c, const struct layout_pane *p)
{
	if (!c->w)
		return true;
	return c->w > 0 && c->x >= p->r.x + (p->border ? 1 : 0) &&
	       c->x + c->w <= p->r.x + p->r.w;
}

static bool col_apart(const struct layout_col *a, const struct layout_col *b)
{
	return !a->w || !b->w || a->x + a->w <= b->x || b->x + b->w <= a->x;
}

static void check_one(const struct layout_in *in)
{
	struct layout l;
	struct layout_rect r[3 + LAYOUT_NPANES];
	int n = 0, need_cols = in->has_dst ? LAYOUT_MIN_COLS_TWO :
			       LAYOUT_MIN_COLS_ONE;

	layout_compute(in, &l);
	LCHECK(l.need_cols == need_cols && l.need_rows == LAYOUT_MIN_ROWS, in);
	LCHECK(l.too_small == (in->cols < need_cols ||
			       in->rows < LAYOUT_MIN_ROWS), in);
	if (l.too_small)
		return;
	r[n++] = l.header;
	r[n++] = l.events;
	r[n++] = l.bar;
	LCHECK(l.npanes == (in->has_dst ? 3 : 1), in);
	for (int i = 0; i < l.npanes; i++)
		r[n++] = l.pane[i].r;
	for (int i = 0; i < n; i++) {
		LCHECK(rect_ok(&r[i], in->cols, in->rows), in);
		for (int j = i + 1; j < n; j++)
			LCHECK(rect_apart(&r[i], &r[j]), in);
	}
	LCHECK(l.header.y == 0 && l.header.h >= 1 && l.header.w == in->cols, in);
	LCHECK(l.bar.y == in->rows - 1 && l.bar.h == 1 && l.bar.w == in->cols, in);
	LCHECK(l.body_h >= 1, in);
	LCHECK(l.events.h == 0 || l.events.h >= 2, in);
	LCHECK(l.header.h + l.pane[0].r.h + l.events.h + 1 == in->rows, in);
	LCHECK(l.body_y == l.pane[0].r.y + 2 &&
	       l.body_y + l.body_h == l.pane[0].r.y + l.pane[0].r.h, in);
	if (in->nrows && (size_t)l.body_h < in->nrows)
		LCHECK(l.events.h <= 9, in);
	for (int i = 0, x = 0; i < l.npanes; i++) {
		const struct layout_pane *p = &l.pane[i];
		const struct layout_col *c[] = {
			&p->mark, &p->name, &p->state, &p->time, &p->trans,
			&p->text,
		};

		LCHECK(p->r.x == x && p->r.w > 0, in);
		LCHECK(p->r.y == l.pane[0].r.y && p->r.h == l.pane[0].r.h, in);
		LCHECK(p->border == (i > 0), in);
		x += p->r.w;
		if (i == l.npanes - 1)
			LCHECK(x == in->cols, in);
		for (size_t a = 0; a < 6; a++) {
			LCHECK(col_in(c[a], p), in);
			for (size_t b = a + 1; b < 6; b++)
				LCHECK(col_apart(c[a], c[b]), in);
		}
		if (i == LAYOUT_VERDICT) {
			LCHECK(p->text.w >= 10, in);
			continue;
		}
		LCHECK(p->mark.w == 1 && p->state.w == LAYOUT_STATE_W, in);
		if (i == LAYOUT_SRC || in->dst_names)
			LCHECK(p->name.w >= 1, in);
		else
			LCHECK(p->name.w == 0, in);
	}
}

/* Every size from 1x1 to 400x150, with several kinds of content. */
START_TEST(test_sweep)
{
	static const size_t nrows[] = { 0, 7, 1000 };
	static const size_t nev[] = { 0, 50 };

	fails = 0;
	for (int v = 0; v < 4; v++)
		for (size_t k = 0; k < 3; k++)
			for (size_t e = 0; e < 2; e++)
				for (int cols = 1; cols <= 400; cols++)
					for (int rows = 1; rows <= 150; rows++) {
						struct layout_in in = {
							.cols = cols, .rows = rows,
							.has_dst = v & 1,
							.dst_names = v & 2,
							.nrows = nrows[k],
							.nevents = nev[e],
							.name_want = 36,
							.verdict_want = 44,
						};

						check_one(&in);
					}
	ck_assert_int_eq(fails, 0);
}
END_TEST

/* Zero, negative and absurd inputs never produce a bad layout. */
START_TEST(test_degenerate)
{
	static const int sizes[] = { -5, 0, 1, 9, 10, 35, 36, 63, 64, 10000 };

	fails = 0;
	for (size_t a = 0; a < 10; a++)
		for (size_t b = 0; b < 10; b++) {
			struct layout_in in = {
				.cols = sizes[a], .rows = sizes[b],
				.has_dst = true, .nrows = 3, .name_want = 300,
				.verdict_want = 1000,
			};
			struct layout l;

			layout_compute(&in, &l);
			ck_assert(l.too_small == (sizes[a] < 64 || sizes[b] < 10));
			if (sizes[a] <= 10000 && sizes[b] <= 10000 &&
			    !l.too_small)
				check_one(&in);
		}
	ck_assert_int_eq(fails, 0);
}
END_TEST

/* 80x24 with two sides: names of a PCI address fit, time is shown. */
START_TEST(test_80x24)
{
	struct layout_in in = {
		.cols = 80, .rows = 24, .has_dst = true, .nrows = 12,
		.nevents = 30, .name_want = 12, .verdict_want = 44,
	};
	struct layout l;

	layout_compute(&in, &l);
	ck_assert(!l.too_small);
	ck_assert_int_ge(l.pane[LAYOUT_SRC].name.w, 12);
	ck_assert_int_eq(l.pane[LAYOUT_SRC].time.w, LAYOUT_TIME_W);
	ck_assert_int_eq(l.pane[LAYOUT_DST].time.w, LAYOUT_TIME_W);
	ck_assert_int_eq(l.pane[LAYOUT_DST].name.w, 0);
	ck_assert_int_ge(l.pane[LAYOUT_VERDICT].text.w, 16);
	ck_assert_int_eq(l.header.h, 3);
	ck_assert_int_ge(l.body_h, 8);
	ck_assert_int_ge(l.events.h, 3);
}
END_TEST

/* Few rows: the table takes what it needs, the events get the rest. */
START_TEST(test_few_rows)
{
	struct layout_in in = {
		.cols = 120, .rows = 35, .has_dst = true, .nrows = 4,
		.nevents = 100, .name_want = 12,
	};
	struct layout l;

	layout_compute(&in, &l);
	ck_assert_int_eq(l.body_h, 4);
	ck_assert_int_eq(l.events.h, 35 - 3 - 1 - 6);
}
END_TEST

/* One side only: one full-width pane, no verdict. */
START_TEST(test_one_side)
{
	struct layout_in in = {
		.cols = 50, .rows = 20, .nrows = 4, .name_want = 36,
	};
	struct layout l;

	layout_compute(&in, &l);
	ck_assert(!l.too_small);
	ck_assert_int_eq(l.npanes, 1);
	ck_assert_int_eq(l.pane[0].r.w, 50);
	ck_assert_int_eq(l.header.h, 2);
	in.cols = 35;
	layout_compute(&in, &l);
	ck_assert(l.too_small);
}
END_TEST

/* The minimum sizes are just enough; one less is too small. */
START_TEST(test_minimum)
{
	struct layout_in in = {
		.cols = LAYOUT_MIN_COLS_TWO, .rows = LAYOUT_MIN_ROWS,
		.has_dst = true, .dst_names = true, .nrows = 100,
		.nevents = 100, .name_want = 64,
	};
	struct layout l;

	layout_compute(&in, &l);
	ck_assert(!l.too_small);
	ck_assert_int_ge(l.body_h, 1);
	ck_assert_int_ge(l.pane[LAYOUT_DST].name.w, 1);
	in.rows--;
	layout_compute(&in, &l);
	ck_assert(l.too_small);
	in.rows++;
	in.cols--;
	layout_compute(&in, &l);
	ck_assert(l.too_small);
}
END_TEST

static void hl_text(const struct headline *h, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < h->n; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s", h->seg[i].text);
}

/* The header's first line, at every width from 64 (the minimum) to 300:
 * it fits, and always keeps the pair counts and the alerts; the date
 * and zone go before they do; at 200 nothing is cut. */
START_TEST(test_headline_sweep)
{
	struct headline_in in = {
		.every = "1.0 s", .paused = true, .has_dst = true, .mig = 1,
		.done = 12, .failed = 3, .unsure = 2, .alerts = 12,
		.filter = "3b:00", .problems = true,
		.stamp = "2026-12-02 11:46:00 CET",
	};
	struct headline h;
	char t[1024];

	for (int cols = 64; cols <= 300; cols++) {
		in.cols = cols;
		headline_build(&in, &h);
		hl_text(&h, t, sizeof(t));
		/* Too wide only when even the shortest form is, and then
		 * what is cut at the edge comes after the alerts. */
		ck_assert_msg(format_cols(t) + (h.right[0] ?
			      1 + format_cols(h.right) : 0) <= cols ||
			      (h.level == 4 && !h.right[0]),
			      "%d: too wide: '%s' + '%s'", cols, t, h.right);
		ck_assert_msg(strstr(t, "! 12 alerts"), "%d: '%s'", cols, t);
		ck_assert_msg(strstr(t, "! 12 alerts") - t + 11 <= cols,
			      "%d: alerts cut: '%s'", cols, t);
		ck_assert_msg(strstr(t, "3 failed"), "%d: '%s'", cols, t);
		ck_assert_msg(strstr(t, "2 un"), "%d: '%s'", cols, t);
		ck_assert_msg(strstr(t, "12 "), "%d: '%s'", cols, t);
		if (cols >= 100)
			ck_assert_msg(strstr(h.right, "11:46:00"), "%d: no time", cols);
		if (strstr(h.right, "2026-12-02"))
			ck_assert_str_eq(h.right, "2026-12-02 11:46:00 CET");
	}
	in.cols = 200;
	headline_build(&in, &h);
	hl_text(&h, t, sizeof(t));
	ck_assert_int_eq(h.level, 0);
	ck_assert_str_eq(t, "vfiomigtop  every 1.0 s  PAUSED  pairs: 1 migrating, "
			 "12 completed, 3 failed, 2 uncertain  ! 12 alerts  "
			 "filter '3b:00'  problems only");
	ck_assert_str_eq(h.right, "2026-12-02 11:46:00 CET");
	/* 80x24 as the issue saw it: the counts, the alerts and the time. */
	in.cols = 80;
	in.paused = false;
	in.filter = "";
	in.problems = false;
	in.unsure = 0;
	headline_build(&in, &h);
	hl_text(&h, t, sizeof(t));
	ck_assert_str_eq(t, "vfiomigtop 1.0 s pairs 1 mig 12 ok 3 failed ! 12 alerts");
	ck_assert_str_eq(h.right, "11:46:00 CET");
	ck_assert_int_eq(h.level, 2);
}
END_TEST

/* Where a click lands at 80x24: headings, rows, events, nothing. */
START_TEST(test_hit)
{
	struct layout_in in = {
		.cols = 80, .rows = 24, .has_dst = true, .nrows = 4,
		.nevents = 30, .name_want = 12, .verdict_want = 44,
	};
	const struct layout_pane *src, *ver;
	struct layout_hit h;
	struct layout l;
	int head;

	layout_compute(&in, &l);
	src = &l.pane[LAYOUT_SRC];
	ver = &l.pane[LAYOUT_VERDICT];
	head = src->r.y + 1;
	layout_hit(&l, src->name.x, head, &h);
	ck_assert_int_eq(h.zone, LAYOUT_Z_HEAD);
	ck_assert_int_eq(h.col, LAYOUT_C_NAME);
	layout_hit(&l, src->state.x + 1, head, &h);
	ck_assert_int_eq(h.col, LAYOUT_C_STATE);
	layout_hit(&l, src->time.x, head, &h);
	ck_assert_int_eq(h.col, LAYOUT_C_TIME);
	layout_hit(&l, ver->text.x + 2, head, &h);
	ck_assert_int_eq(h.col, LAYOUT_C_VERDICT);
	layout_hit(&l, src->mark.x, head, &h);
	ck_assert_int_eq(h.col, LAYOUT_C_OTHER);
	layout_hit(&l, 5, l.body_y + 2, &h);
	ck_assert_int_eq(h.zone, LAYOUT_Z_ROW);
	ck_assert_int_eq(h.line, 2);
	layout_hit(&l, 5, l.events.y, &h);
	ck_assert_int_eq(h.zone, LAYOUT_Z_EVENTS);
	ck_assert_int_eq(h.line, -1);
	layout_hit(&l, 5, l.events.y + 3, &h);
	ck_assert_int_eq(h.line, 2);
	layout_hit(&l, 5, 0, &h);
	ck_assert_int_eq(h.zone, LAYOUT_Z_NONE);
	layout_hit(&l, 5, 23, &h);	/* the key bar */
	ck_assert_int_eq(h.zone, LAYOUT_Z_NONE);
	in.cols = 20;
	layout_compute(&in, &l);
	layout_hit(&l, 5, 5, &h);
	ck_assert_int_eq(h.zone, LAYOUT_Z_NONE);
}
END_TEST

TU_MAIN("tui_layout", test_sweep, test_degenerate, test_80x24, test_few_rows,
	test_one_side, test_minimum, test_headline_sweep,
	test_hit)
