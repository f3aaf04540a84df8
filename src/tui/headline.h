/* SPDX-License-Identifier: GPL-2.0-or-later */
/* headline.h - the header's first line, as much of it as the width holds */
#ifndef VFIOMIGTOP_TUI_HEADLINE_H
#define VFIOMIGTOP_TUI_HEADLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "role.h"

/* Most pieces of the line. */
#define HEADLINE_MAX 16

/* What the line says. */
struct headline_in {
	int cols;			/* the terminal's width, columns */
	const char *every;		/* the refresh interval: "1.0 s" */
	bool paused;			/* sampling is paused */
	bool has_dst;			/* pairs are watched: count them */
	unsigned int mig;		/* pairs migrating */
	unsigned int done;		/* pairs whose latest attempt completed */
	unsigned int failed;		/* ... failed */
	unsigned int unsure;		/* ... is uncertain */
	unsigned int alerts;		/* alerts not acknowledged */
	const char *filter;		/* the name filter, already fitted; "" for none */
	bool problems;			/* problems only */
	const char *stamp;		/* "2026-12-02 11:46:00 UTC": date, time, zone */
};

/* One piece, in its role. */
struct headline_seg {
	enum role role;			/* how it is drawn */
	char text[160];			/* what it says */
};

/* The line: pieces from the left, and the time at the right edge. */
struct headline {
	struct headline_seg seg[HEADLINE_MAX];	/* left to right */
	size_t n;			/* pieces in seg */
	char right[48];			/* the time, right-aligned; "" for none */
	int level;			/* how much was shortened: 0 (nothing) to 4 */
};

void headline_build(const struct headline_in *in, struct headline *out);

#endif
