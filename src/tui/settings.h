/* SPDX-License-Identifier: GPL-2.0-or-later */
/* settings.h - the settings file: what S saves and the next start reads */
#ifndef VFIOMIGTOP_TUI_SETTINGS_H
#define VFIOMIGTOP_TUI_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "prompt.h"
#include "rows.h"

/* The file format's version: a newer file is read as far as it is understood. */
#define SETTINGS_VERSION 1

/* Which settings a file gave (struct settings.have). */
#define SET_COLOR 0x01u
#define SET_SORT 0x02u
#define SET_INVERT 0x04u
#define SET_DELAY 0x08u
#define SET_FILTER 0x10u
#define SET_ASCII 0x20u
#define SET_VERDICTS 0x40u

struct settings {
	unsigned int have;		/* SET_* of the settings given */
	enum opt_color color;		/* colour scheme: light, dark, none (mono); auto */
	enum rows_sort sort;		/* table sort key */
	bool invert;			/* sort order reversed */
	uint64_t delay_ns;		/* refresh interval, ns */
	char filter[PROMPT_MAX];	/* name filter, "" for none */
	bool ascii;			/* ASCII line drawing */
	bool ev_verdicts;		/* events: verdicts only */
};

int settings_path(const char *xdg, const char *home, char *buf, size_t len);
unsigned int settings_parse(const char *text, struct settings *s,
			    char *warn, size_t wlen);
size_t settings_format(const struct settings *s, char *buf, size_t len);
int settings_load(struct settings *s, char *warn, size_t wlen);
int settings_save(const struct settings *s, char *path, size_t plen,
		  char *err, size_t elen);

#endif
