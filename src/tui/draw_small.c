// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * draw_small.c - the screen below the minimum size: only what is missing,
 * word-wrapped into whatever there is, down to 1x1.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <string.h>

#include "draw.h"

void draw_small(int cols, int rows, int need_cols, int need_rows)
{
	char msg[160], line[160];
	const char *p = msg;
	int y = 0;

	snprintf(msg, sizeof(msg), "terminal too small: have %dx%d, need %dx%d",
		 cols, rows, need_cols, need_rows);
	if (rows > 2)
		y = (rows - 3) / 2;
	while (*p && y < rows) {
		int n = (int)strlen(p), take = n;

		if (n > cols) {
			take = cols;
			while (take > 0 && p[take] != ' ')
				take--;
			if (!take)
				take = cols;
		}
		snprintf(line, sizeof(line), "%.*s", take, p);
		draw_text(y++, cols > take ? (cols - take) / 2 : 0, take,
			  ROLE_ALERT, A_NORMAL, line, true);
		p += take;
		while (*p == ' ')
			p++;
	}
}
