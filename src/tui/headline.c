// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * headline.c - the header's first line.  The counts of pairs and the
 * alerts matter most, so when the width runs short the line gives up the
 * rest first: the date, then the long words ("migrating" becomes "mig"),
 * then the program's name and the zone, then the clock.  Pure: tested at
 * every width (tests/unit/test_tui_layout.c).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "headline.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

/* Shortening levels. */
#define HL_FULL 0	/* everything, the date included */
#define HL_NODATE 1	/* time and zone only */
#define HL_SHORT 2	/* short words */
#define HL_NONAME 3	/* no program name, time without zone */
#define HL_NOCLOCK 4	/* no time */

static void hl_add(struct headline *h, enum role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void hl_add(struct headline *h, enum role r, const char *fmt, ...)
{
	va_list ap;

	if (h->n >= HEADLINE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(h->seg[h->n].text, sizeof(h->seg[h->n].text), fmt, ap);
	va_end(ap);
	h->seg[h->n++].role = r;
}

/* The line at shortening level @lv. */
static void hl_make(const struct headline_in *in, int lv,
		    struct headline *h)
{
	bool s = lv >= HL_SHORT;
	const char *st = in->stamp ? in->stamp : "";

	memset(h, 0, sizeof(*h));
	h->level = lv;
	if (lv < HL_NONAME)
		hl_add(h, ROLE_TITLE, "vfiomigtop%s", s ? " " : "  ");
	hl_add(h, ROLE_HEADER, "%s%s", s ? "" : "every ", in->every);
	if (in->paused)
		hl_add(h, ROLE_MESSAGE, " %sPAUSED", s ? "" : " ");
	if (in->has_dst) {
		hl_add(h, ROLE_HEADER, s ? " pairs" : "  pairs:");
		hl_add(h, in->mig ? ROLE_PROGRESS : ROLE_HEADER, " %u %s",
		       in->mig, s ? "mig" : "migrating");
		hl_add(h, in->done ? ROLE_OK : ROLE_HEADER, "%s %u %s",
		       s ? "" : ",", in->done, s ? "ok" : "completed");
		hl_add(h, in->failed ? ROLE_FAILED : ROLE_HEADER, "%s %u failed",
		       s ? "" : ",", in->failed);
		if (in->unsure)
			hl_add(h, ROLE_UNCERTAIN, "%s %u %s", s ? "" : ",",
			       in->unsure, s ? "unsure" : "uncertain");
	}
	if (in->alerts)
		hl_add(h, ROLE_ALERT, " %s! %u alert%s", s ? "" : " ",
		       in->alerts, in->alerts > 1 ? "s" : "");
	if (in->filter && in->filter[0])
		hl_add(h, ROLE_MESSAGE, " %sfilter '%s'", s ? "" : " ",
		       in->filter);
	if (in->problems)
		hl_add(h, ROLE_MESSAGE, " %s", s ? "problems" : " problems only");
	/* "YYYY-MM-DD HH:MM:SS ZONE" */
	if (lv == HL_FULL)
		snprintf(h->right, sizeof(h->right), "%s", st);
	else if (lv < HL_NONAME && strlen(st) > 11)
		snprintf(h->right, sizeof(h->right), "%s", st + 11);
	else if (lv < HL_NOCLOCK && strlen(st) >= 19)
		snprintf(h->right, sizeof(h->right), "%.8s", st + 11);
}

/* Columns the line takes, with a space before the time. */
static int hl_width(const struct headline *h)
{
	int w = 0;

	for (size_t i = 0; i < h->n; i++)
		w += format_cols(h->seg[i].text);
	if (h->right[0])
		w += 1 + format_cols(h->right);
	return w;
}

/*
 * The longest form of the line that fits @in->cols; the shortest one when
 * none does (the drawing cuts it at the edge: the counts and the alerts
 * come before the filter).
 */
void headline_build(const struct headline_in *in, struct headline *out)
{
	for (int lv = HL_FULL; lv <= HL_NOCLOCK; lv++) {
		hl_make(in, lv, out);
		if (hl_width(out) <= in->cols)
			return;
	}
}
