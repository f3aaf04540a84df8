// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * prompt.c - editing the answer to a question on the key bar line.  Only
 * printable ASCII is taken; Backspace deletes a character, ^U the line, ^W
 * a word; Enter accepts, Escape cancels.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "prompt.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

void prompt_start(struct prompt *p, const char *init)
{
	snprintf(p->buf, sizeof(p->buf), "%s", init ? init : "");
	p->len = strlen(p->buf);
}

enum prompt_res prompt_key(struct prompt *p, int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return PROMPT_ACCEPT;
	case 27:
		return PROMPT_CANCEL;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (p->len)
			p->buf[--p->len] = 0;
		return PROMPT_EDIT;
	case 'U' & 0x1f:
		p->len = 0;
		p->buf[0] = 0;
		return PROMPT_EDIT;
	case 'W' & 0x1f:
		while (p->len && p->buf[p->len - 1] == ' ')
			p->len--;
		while (p->len && p->buf[p->len - 1] != ' ')
			p->len--;
		p->buf[p->len] = 0;
		return PROMPT_EDIT;
	default:
		if (key >= 0x20 && key < 0x7f && p->len + 1 < sizeof(p->buf)) {
			p->buf[p->len++] = (char)key;
			p->buf[p->len] = 0;
		}
		return PROMPT_EDIT;
	}
}
