/* SPDX-License-Identifier: GPL-2.0-or-later */
/* screen.h - owning the terminal: curses set-up and teardown, stderr, glyphs */
#ifndef VFIOMIGTOP_TUI_SCREEN_H
#define VFIOMIGTOP_TUI_SCREEN_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* Empty reads in a row on a readable terminal before it counts as lost. */
#define SCREEN_MAX_EMPTY 20

/* Line drawing and symbols, Unicode or ASCII. */
struct screen_glyphs {
	const cchar_t *hline;	/* horizontal line */
	const cchar_t *vline;	/* vertical line */
	const cchar_t *ttee;	/* line meeting from below */
	const cchar_t *btee;	/* line meeting from above */
	const cchar_t *plus;	/* crossing */
	const char *arrow;	/* "from -> to" */
	const char *dots;	/* "from ..> to": steps between not known */
	bool ascii;		/* ASCII only */
};

struct screen {
	SCREEN *sp;		/* the curses screen, NULL when closed */
	int in_fd;		/* terminal input (stdin) */
	int out_fd;		/* terminal output (stdout) */
	int saved_err;		/* the real stderr while ours is captured, -1 */
	int err_fd;		/* temporary file capturing stderr, -1 */
	bool utf8;		/* the locale's charset is UTF-8 */
	unsigned int empty;	/* empty reads in a row while readable */
	bool lost;		/* the terminal is gone */
	int cols, rows;		/* size curses believes */
	cchar_t ascii[5];	/* ASCII line drawing: - | + + + */
};

int screen_open(struct screen *s, char *err, size_t len);
void screen_close(struct screen *s);
bool screen_resize(struct screen *s);
bool screen_check_lost(struct screen *s, bool got_key);
void screen_glyphs(const struct screen *s, bool ascii,
		   struct screen_glyphs *g);

#endif
