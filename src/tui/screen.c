// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen.c - the terminal, from newterm() to endwin(), exactly once each.
 * While curses owns the screen, stderr goes to a temporary file and is
 * replayed after endwin(), so no message scribbles over the display.  A
 * terminal that hung up (ssh dropped, tmux killed, no SIGHUP under sudo) is
 * noticed from poll() and from reads that return nothing.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "screen.h"

#include "crash.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Send stderr to an unlinked temporary file until screen_close(). */
static void screen_capture_stderr(struct screen *s)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	s->saved_err = s->err_fd = -1;
	snprintf(path, sizeof(path), "%s/vfiomigtop-stderr.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return;
	unlink(path);
	fflush(stderr);
	s->saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (s->saved_err < 0 || dup2(fd, STDERR_FILENO) < 0) {
		if (s->saved_err >= 0)
			close(s->saved_err);
		s->saved_err = -1;
		close(fd);
		return;
	}
	s->err_fd = fd;
}

/* Put stderr back and write out what was captured. */
static void screen_replay_stderr(struct screen *s)
{
	char buf[4096];
	ssize_t n;

	if (s->saved_err < 0)
		return;
	fflush(stderr);
	dup2(s->saved_err, STDERR_FILENO);
	close(s->saved_err);
	s->saved_err = -1;
	if (lseek(s->err_fd, 0, SEEK_SET) == 0)
		while ((n = read(s->err_fd, buf, sizeof(buf))) > 0)
			if (write(STDERR_FILENO, buf, (size_t)n) != n)
				break;
	close(s->err_fd);
	s->err_fd = -1;
}

static void screen_ascii_glyph(cchar_t *c, const wchar_t *w)
{
	setcchar(c, w, A_NORMAL, 0, NULL);
}

/*
 * Take the terminal.  Fails with a message (and the terminal untouched)
 * when stdin or stdout is not a terminal or curses cannot drive it.
 */
int screen_open(struct screen *s, char *err, size_t len)
{
	const char *cs;

	memset(s, 0, sizeof(*s));
	s->in_fd = STDIN_FILENO;
	s->out_fd = STDOUT_FILENO;
	s->saved_err = s->err_fd = -1;
	if (!isatty(s->in_fd) || !isatty(s->out_fd)) {
		snprintf(err, len,
			 "the interactive screen needs a terminal on standard input and output; for output to a pipe or file use batch mode: -b (see --help)");
		return -ENOTTY;
	}
	cs = nl_langinfo(CODESET);
	s->utf8 = cs && !strcmp(cs, "UTF-8");
	crash_save_modes(s->in_fd);
	screen_capture_stderr(s);
	s->sp = newterm(NULL, stdout, stdin);
	if (!s->sp) {
		const char *term = getenv("TERM");

		screen_replay_stderr(s);
		snprintf(err, len,
			 "cannot drive the terminal (TERM=%s): set TERM to your terminal's type, or use batch mode: -b",
			 term ? term : "unset");
		return -ENOTTY;
	}
	set_term(s->sp);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* Clicks and the wheel; a press counts at once (no click timing). */
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	screen_ascii_glyph(&s->ascii[0], L"-");
	screen_ascii_glyph(&s->ascii[1], L"|");
	screen_ascii_glyph(&s->ascii[2], L"+");
	getmaxyx(stdscr, s->rows, s->cols);
	crash_arm(s->out_fd, s->saved_err >= 0 ? s->saved_err : STDERR_FILENO);
	return 0;
}

/* Give the terminal back; safe to call twice, endwin() happens once. */
void screen_close(struct screen *s)
{
	if (!s->sp)
		return;
	crash_disarm();
	endwin();
	delscreen(s->sp);
	s->sp = NULL;
	screen_replay_stderr(s);
}

/*
 * Follow the terminal's size: asks the kernel, so a SIGWINCH that came
 * while we were not waiting is not missed.  True when the size changed.
 */
bool screen_resize(struct screen *s)
{
	struct winsize ws;

	if (!s->sp || ioctl(s->out_fd, TIOCGWINSZ, &ws) || !ws.ws_col ||
	    !ws.ws_row)
		return false;
	if (ws.ws_col == s->cols && ws.ws_row == s->rows &&
	    COLS == s->cols && LINES == s->rows)
		return false;
	resizeterm(ws.ws_row, ws.ws_col);
	s->cols = ws.ws_col;
	s->rows = ws.ws_row;
	return true;
}

/*
 * After a round of reads (@got_key: one returned a key), decide whether
 * the terminal is gone: a hang-up or error on the input, or input that is
 * readable again and again yet gives nothing.  Never blocks.
 */
bool screen_check_lost(struct screen *s, bool got_key)
{
	struct pollfd p = { .fd = s->in_fd, .events = POLLIN };

	if (s->lost)
		return true;
	if (got_key) {
		s->empty = 0;
		return false;
	}
	if (poll(&p, 1, 0) < 0)
		return false;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		s->lost = true;
	else if ((p.revents & POLLIN) && ++s->empty >= SCREEN_MAX_EMPTY)
		s->lost = true;
	return s->lost;
}

void screen_glyphs(const struct screen *s, bool ascii,
		   struct screen_glyphs *g)
{
	g->ascii = ascii || !s->utf8;
	if (ascii) {
		g->hline = &s->ascii[0];
		g->vline = &s->ascii[1];
		g->ttee = g->btee = g->plus = &s->ascii[2];
	} else {
		g->hline = WACS_HLINE;
		g->vline = WACS_VLINE;
		g->ttee = WACS_TTEE;
		g->btee = WACS_BTEE;
		g->plus = WACS_PLUS;
	}
	g->arrow = g->ascii ? "->" : "\xe2\x86\x92";
	g->dots = g->ascii ? "..>" : "\xe2\x87\xa2";
}
