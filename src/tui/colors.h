/* SPDX-License-Identifier: GPL-2.0-or-later */
/* colors.h - attributes of each role in each scheme */
#ifndef VFIOMIGTOP_TUI_COLORS_H
#define VFIOMIGTOP_TUI_COLORS_H

#include <curses.h>
#include <stdbool.h>

#include "role.h"

bool colors_start(bool wanted);
void colors_use(enum role_scheme s);
attr_t colors_attr(enum role r);
enum role_scheme colors_guess(const char *colorfgbg);

#endif
