/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prompt.h - a one-line editor for the delay and filter questions */
#ifndef VFIOMIGTOP_TUI_PROMPT_H
#define VFIOMIGTOP_TUI_PROMPT_H

#include <stddef.h>

/* Longest answer, in bytes, NUL included. */
#define PROMPT_MAX 128

enum prompt_res {
	PROMPT_EDIT,		/* the text changed or the key was ignored */
	PROMPT_ACCEPT,		/* Enter */
	PROMPT_CANCEL,		/* Escape */
};

struct prompt {
	char buf[PROMPT_MAX];	/* the answer so far, printable ASCII */
	size_t len;		/* bytes in buf */
};

void prompt_start(struct prompt *p, const char *init);
enum prompt_res prompt_key(struct prompt *p, int key);

#endif
