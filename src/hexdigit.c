// SPDX-License-Identifier: GPL-2.0-or-later
/* hexdigit.c - the value of one hexadecimal digit, for the parsers of
 * scenario escapes (\xHH) and of the agent protocol's name_hex */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "hexdigit.h"

/* 0..15 for [0-9a-fA-F], -1 for anything else. */
int hexdigit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
