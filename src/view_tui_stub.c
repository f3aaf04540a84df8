// SPDX-License-Identifier: GPL-2.0-or-later
/* view_tui_stub.c - placeholder until the ncurses screen lands (issue 3) */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>

#include "view.h"

static struct view *vt_open(const struct options *o, char *err, size_t len)
{
	(void)o;
	snprintf(err, len,
		 "the interactive screen is not built yet: use batch mode (-b)");
	return NULL;
}

const struct view_ops view_tui_ops = {
	.name = "tui",
	.open = vt_open,
};
