// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crash.c - a crash must not leave the terminal raw.  While curses owns
 * the screen, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT and SIGQUIT first
 * put back the terminal modes saved before curses started and leave the
 * alternate screen, then go on to what they did before (the default
 * action, a core dump, or a sanitizer's report).  The handler only uses
 * async-signal-safe calls: the strings it writes are prepared when armed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "crash.h"

#include <curses.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static const int crash_sigs[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT,
};
#define CRASH_NSIGS (sizeof(crash_sigs) / sizeof(crash_sigs[0]))

/* Everything the handler needs, ready before any signal comes. */
static struct {
	bool armed;			/* handlers installed */
	int tty_fd;			/* the terminal */
	int err_fd;			/* the real stderr, -1 for none */
	int modes_fd;			/* the terminal whose modes were saved */
	struct termios modes;		/* the terminal's modes before curses */
	bool have_modes;		/* modes were read */
	char reset[256];		/* leave the alternate screen, show the cursor, plain text */
	size_t nreset;			/* bytes in reset */
	struct sigaction old[CRASH_NSIGS];	/* the actions before ours */
} crash;

static void crash_write(int fd, const char *s, size_t n)
{
	while (fd >= 0 && n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static const char *crash_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGABRT: return "SIGABRT";
	default: return "SIGQUIT";
	}
}

static void crash_handler(int sig)
{
	static const char m1[] = "\r\nvfiomigtop: killed by ";
	static const char m2[] = "; terminal restored\n";
	const char *n = crash_name(sig);

	if (crash.have_modes)
		tcsetattr(crash.modes_fd, TCSANOW, &crash.modes);
	crash_write(crash.tty_fd, crash.reset, crash.nreset);
	crash_write(crash.err_fd, m1, sizeof(m1) - 1);
	crash_write(crash.err_fd, n, strlen(n));
	crash_write(crash.err_fd, m2, sizeof(m2) - 1);
	/* Whatever came before (default action, a sanitizer) takes it on. */
	for (size_t i = 0; i < CRASH_NSIGS; i++)
		if (crash_sigs[i] == sig)
			sigaction(sig, &crash.old[i], NULL);
	raise(sig);
}

/* Append terminfo capability @cap to the reset string, if the terminal has it. */
static void crash_cap(const char *cap)
{
	char *s = tigetstr(cap);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (crash.nreset + n >= sizeof(crash.reset))
		return;
	memcpy(crash.reset + crash.nreset, s, n);
	crash.nreset += n;
}

/*
 * Install the handlers, right after curses took terminal @tty_fd (its
 * modes from before were saved with crash_save_modes()); the message goes
 * to @err_fd (the real stderr, or -1).
 */
void crash_arm(int tty_fd, int err_fd)
{
	struct sigaction sa;

	if (crash.armed)
		return;
	crash.tty_fd = tty_fd;
	crash.err_fd = err_fd;
	crash.nreset = 0;
	crash_cap("rmcup");	/* leave the alternate screen */
	crash_cap("cnorm");	/* the cursor back */
	crash_cap("sgr0");	/* plain text */
	/* No more mouse reports (X10, normal and SGR tracking off). */
	if (crash.nreset + 24 < sizeof(crash.reset)) {
		static const char off[] = "\033[?1000l\033[?1006l";

		memcpy(crash.reset + crash.nreset, off, sizeof(off) - 1);
		crash.nreset += sizeof(off) - 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crash_handler;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < CRASH_NSIGS; i++)
		sigaction(crash_sigs[i], &sa, &crash.old[i]);
	crash.armed = true;
}

/* Save the terminal's modes before curses changes them. */
void crash_save_modes(int tty_fd)
{
	crash.modes_fd = tty_fd;
	crash.have_modes = tcgetattr(tty_fd, &crash.modes) == 0;
}

/* The terminal is given back normally: the old actions again. */
void crash_disarm(void)
{
	if (!crash.armed)
		return;
	for (size_t i = 0; i < CRASH_NSIGS; i++)
		sigaction(crash_sigs[i], &crash.old[i], NULL);
	crash.armed = false;
}
