// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * colors.c - every role's look per scheme.  Colours sit on the terminal's
 * own background (use_default_colors), so they read on dark and light
 * terminals alike; the light scheme avoids yellow and cyan text.  The
 * monochrome scheme uses bold, underline and reverse only, never dim or
 * blink alone.  Every cue has a text marker as well (see cell.c).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "colors.h"

#include <stdlib.h>
#include <string.h>

/* One role's look: foreground, background (-1 = terminal's), attributes. */
struct colors_look {
	short fg;		/* COLOR_* or -1 */
	short bg;		/* COLOR_* or -1 */
	attr_t attr;		/* A_* */
};

#define D (-1)

static const struct colors_look colors_dark[ROLE_NR] = {
	[ROLE_NORMAL] = { D, D, A_NORMAL },
	[ROLE_HEADER] = { D, D, A_NORMAL },
	[ROLE_TITLE] = { COLOR_CYAN, D, A_BOLD },
	[ROLE_COLHEAD] = { D, D, A_BOLD },
	[ROLE_BORDER] = { COLOR_BLUE, D, A_NORMAL },
	[ROLE_KEY] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
	[ROLE_KEYDESC] = { D, D, A_NORMAL },
	[ROLE_RUNNING] = { COLOR_GREEN, D, A_NORMAL },
	[ROLE_PRECOPY] = { COLOR_CYAN, D, A_BOLD },
	[ROLE_STOPCOPY] = { COLOR_YELLOW, D, A_BOLD },
	[ROLE_STOP] = { COLOR_BLUE, D, A_BOLD },
	[ROLE_RESUMING] = { COLOR_MAGENTA, D, A_BOLD },
	[ROLE_ERRSTATE] = { COLOR_RED, D, A_BOLD },
	[ROLE_FAILREAD] = { COLOR_RED, D, A_NORMAL },
	[ROLE_NOMIG] = { D, D, A_NORMAL },
	[ROLE_CHANGED] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL },
	[ROLE_INFERRED] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
	[ROLE_ALERT] = { COLOR_WHITE, COLOR_RED, A_BOLD },
	[ROLE_TOMB] = { COLOR_RED, D, A_NORMAL },
	[ROLE_BUSY] = { COLOR_BLACK, COLOR_MAGENTA, A_NORMAL },
	[ROLE_OK] = { COLOR_GREEN, D, A_BOLD },
	[ROLE_PROGRESS] = { COLOR_YELLOW, D, A_NORMAL },
	[ROLE_FAILED] = { COLOR_RED, D, A_BOLD },
	[ROLE_UNCERTAIN] = { COLOR_YELLOW, D, A_BOLD },
	[ROLE_DIM] = { COLOR_BLUE, D, A_NORMAL },
	[ROLE_PROMPT] = { D, D, A_BOLD },
	[ROLE_MESSAGE] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL },
};

static const struct colors_look colors_light[ROLE_NR] = {
	[ROLE_NORMAL] = { D, D, A_NORMAL },
	[ROLE_HEADER] = { D, D, A_NORMAL },
	[ROLE_TITLE] = { COLOR_BLUE, D, A_BOLD },
	[ROLE_COLHEAD] = { D, D, A_BOLD },
	[ROLE_BORDER] = { COLOR_BLUE, D, A_NORMAL },
	[ROLE_KEY] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
	[ROLE_KEYDESC] = { D, D, A_NORMAL },
	[ROLE_RUNNING] = { COLOR_GREEN, D, A_NORMAL },
	[ROLE_PRECOPY] = { COLOR_BLUE, D, A_BOLD },
	[ROLE_STOPCOPY] = { COLOR_MAGENTA, D, A_BOLD },
	[ROLE_STOP] = { COLOR_BLUE, D, A_NORMAL },
	[ROLE_RESUMING] = { COLOR_MAGENTA, D, A_NORMAL },
	[ROLE_ERRSTATE] = { COLOR_RED, D, A_BOLD },
	[ROLE_FAILREAD] = { COLOR_RED, D, A_NORMAL },
	[ROLE_NOMIG] = { D, D, A_NORMAL },
	[ROLE_CHANGED] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL },
	[ROLE_INFERRED] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
	[ROLE_ALERT] = { COLOR_WHITE, COLOR_RED, A_BOLD },
	[ROLE_TOMB] = { COLOR_RED, D, A_NORMAL },
	[ROLE_BUSY] = { COLOR_WHITE, COLOR_MAGENTA, A_NORMAL },
	[ROLE_OK] = { COLOR_GREEN, D, A_BOLD },
	[ROLE_PROGRESS] = { COLOR_MAGENTA, D, A_NORMAL },
	[ROLE_FAILED] = { COLOR_RED, D, A_BOLD },
	[ROLE_UNCERTAIN] = { COLOR_MAGENTA, D, A_BOLD },
	[ROLE_DIM] = { COLOR_BLUE, D, A_NORMAL },
	[ROLE_PROMPT] = { D, D, A_BOLD },
	[ROLE_MESSAGE] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
};

static const attr_t colors_mono[ROLE_NR] = {
	[ROLE_TITLE] = A_BOLD,
	[ROLE_COLHEAD] = A_UNDERLINE,
	[ROLE_KEY] = A_REVERSE,
	[ROLE_PRECOPY] = A_BOLD,
	[ROLE_STOPCOPY] = A_BOLD,
	[ROLE_RESUMING] = A_BOLD,
	[ROLE_ERRSTATE] = A_BOLD | A_UNDERLINE,
	[ROLE_FAILREAD] = A_UNDERLINE,
	[ROLE_CHANGED] = A_REVERSE,
	[ROLE_INFERRED] = A_REVERSE | A_UNDERLINE,
	[ROLE_ALERT] = A_REVERSE | A_BOLD,
	[ROLE_BUSY] = A_UNDERLINE,
	[ROLE_OK] = A_BOLD,
	[ROLE_FAILED] = A_BOLD | A_UNDERLINE,
	[ROLE_UNCERTAIN] = A_UNDERLINE,
	[ROLE_PROMPT] = A_BOLD,
	[ROLE_MESSAGE] = A_REVERSE,
};

static attr_t colors_cur[ROLE_NR];	/* attributes in use, per role */
static bool colors_ok;			/* colour pairs are set up */

/* Start colours if @wanted and the terminal has them; false for mono. */
bool colors_start(bool wanted)
{
	colors_ok = false;
	if (!wanted || !has_colors() || start_color() == ERR)
		return false;
	use_default_colors();
	colors_ok = COLOR_PAIRS > ROLE_NR;
	return colors_ok;
}

void colors_use(enum role_scheme s)
{
	const struct colors_look *t = s == ROLE_SCHEME_LIGHT ? colors_light :
				      colors_dark;

	for (int r = 0; r < ROLE_NR; r++) {
		if (s == ROLE_SCHEME_MONO || !colors_ok) {
			colors_cur[r] = colors_mono[r];
			continue;
		}
		init_pair((short)(r + 1), t[r].fg, t[r].bg);
		colors_cur[r] = t[r].attr | COLOR_PAIR(r + 1);
	}
}

attr_t colors_attr(enum role r)
{
	return (unsigned int)r < ROLE_NR ? colors_cur[r] : A_NORMAL;
}

/*
 * The scheme for the background $COLORFGBG describes ("15;0" is light text
 * on dark): light when the background is white (7) or bright white (15).
 */
enum role_scheme colors_guess(const char *colorfgbg)
{
	const char *bg;

	if (!colorfgbg || !*colorfgbg)
		return ROLE_SCHEME_DARK;
	bg = strrchr(colorfgbg, ';');
	bg = bg ? bg + 1 : colorfgbg;
	return !strcmp(bg, "7") || !strcmp(bg, "15") ? ROLE_SCHEME_LIGHT :
	       ROLE_SCHEME_DARK;
}
