// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evview.c - the event pane's choice of events: the table's name filter,
 * a search in the line's text, verdicts only, one pair only; and how far
 * it can scroll.  Pure: the event log in, indices out.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "evview.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "rows.h"

/*
 * The words of an event's line, as searched: "src NAME RUNNING ->
 * PRE_COPY (inferred)", "pair NAME FAILED: ...".
 */
size_t evview_text(const struct evlog_ent *e, char *buf, size_t len)
{
	char why[320];
	int n;

	if (!len)
		return 0;
	if (e->kind == MODEL_EV_TRANS) {
		const struct model_trans *t = &e->tr;
		const char *how = format_trans_note(t->flags, t->to);

		n = snprintf(buf, len, "%s %s %s -> %s%s%s%s",
			     e->dev[0] >= 0 ? pair_side_name(e->side) : "?",
			     evlog_name(e, 0),
			     t->from == DS_UNKNOWN ? "appeared:" :
			     format_token((enum dstate)t->from),
			     format_token((enum dstate)t->to),
			     *how ? " (" : "", how, *how ? ")" : "");
	} else {
		att_describe(&e->a, e->t_ns, why, sizeof(why));
		n = snprintf(buf, len, "pair %s %s %s",
			     evlog_name(e, e->dev[0] >= 0 ? 0 : 1),
			     evlog_name(e, 1),
			     why);
	}
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

/* @hay holds @needle, case ignored. */
static bool evview_holds(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		size_t i = 0;

		while (i < n && hay[i] &&
		       tolower((unsigned char)hay[i]) ==
		       tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return !n;
}

bool evview_match(const struct evview_cfg *f, const struct evlog_ent *e)
{
	bool any = false;

	if (f->verdicts && e->kind == MODEL_EV_TRANS)
		return false;
	if (f->serial[0] || f->serial[1]) {
		bool mine = false;

		for (int s = 0; s < PAIR_NSIDES; s++)
			for (int k = 0; k < PAIR_NSIDES; k++)
				if (e->dev[s] >= 0 && f->serial[k] &&
				    e->serial[s] == f->serial[k])
					mine = true;
		if (!mine)
			return false;
	}
	if (f->names && f->names[0]) {
		for (int s = 0; s < PAIR_NSIDES; s++)
			if (e->dev[s] >= 0 &&
			    rows_match(f->names, evlog_name(e, s)))
				any = true;
		if (!any)
			return false;
	}
	if (f->search && f->search[0]) {
		char line[512];

		evview_text(e, line, sizeof(line));
		return evview_holds(line, f->search);
	}
	return true;
}

/*
 * The kept events @f lets through, newest first, as evlog_get() indices
 * in @out (at most @max).  Returns how many.
 */
size_t evview_select(const struct evview_cfg *f, const struct evlog *l,
		     size_t *out, size_t max)
{
	size_t n = 0, all = evlog_count(l);

	for (size_t i = 0; i < all && n < max; i++)
		if (evview_match(f, evlog_get(l, i)))
			out[n++] = i;
	return n;
}

/* The first line to show of @n, @page at a time, asked for @top. */
size_t evview_clamp(size_t top, size_t n, size_t page)
{
	if (!page)
		page = 1;
	if (n <= page)
		return 0;
	return top > n - page ? n - page : top;
}
