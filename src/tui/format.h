/* SPDX-License-Identifier: GPL-2.0-or-later */
/* format.h - text for cells: durations, escaped and truncated names, tokens */
#ifndef VFIOMIGTOP_TUI_FORMAT_H
#define VFIOMIGTOP_TUI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dstate.h"

/* Columns format_dur() needs below 100 days. */
#define FORMAT_DUR_COLS 6

/* Which part of a too-long text format_fit() keeps. */
enum format_keep {
	FORMAT_KEEP_END,	/* the end: device names (BDF function, UUID tail) */
	FORMAT_KEEP_START,	/* the start: sentences */
	FORMAT_KEEP_BOTH,	/* both ends: paths, hosts */
	FORMAT_SPACES = 0x10,	/* or-ed in: keep spaces as spaces (messages, not names) */
};

size_t format_dur(char *buf, size_t len, uint64_t ns);
size_t format_esc_cols(const char *s, size_t n);
size_t format_esc(char *out, size_t len, const char *s, size_t n);
int format_fit(char *out, size_t len, const char *s, size_t n, int width,
	       enum format_keep keep, bool ascii);
int format_clip(char *out, size_t len, const char *s, int width, bool ascii);
int format_cols(const char *s);
const char *format_token(enum dstate v);
const char *format_trans_note(uint8_t flags, uint8_t to);

#endif
