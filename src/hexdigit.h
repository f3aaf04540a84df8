/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hexdigit.h - the value of one hexadecimal digit */
#ifndef VFIOMIGTOP_HEXDIGIT_H
#define VFIOMIGTOP_HEXDIGIT_H

int hexdigit_value(char c);

#endif
