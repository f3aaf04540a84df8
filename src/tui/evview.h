/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evview.h - which kept events the event pane shows, and from where */
#ifndef VFIOMIGTOP_TUI_EVVIEW_H
#define VFIOMIGTOP_TUI_EVVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evlog.h"

/* What the event pane shows. */
struct evview_cfg {
	const char *names;		/* the table's name filter, NULL or "" for none */
	const char *search;		/* text an event's line holds (case ignored), NULL or "" */
	bool verdicts;			/* only the pairs' decided attempts */
	uint64_t serial[PAIR_NSIDES];	/* only events of these devices (model_dev.serial, a pair); 0, 0 for all */
};

size_t evview_text(const struct evlog_ent *e, char *buf, size_t len);
bool evview_match(const struct evview_cfg *f, const struct evlog_ent *e);
size_t evview_select(const struct evview_cfg *f, const struct evlog *l,
		     size_t *out, size_t max);
size_t evview_clamp(size_t top, size_t n, size_t page);

#endif
