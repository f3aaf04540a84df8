/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readplan.h - which state files a refresh reads when the tree notifies changes */
#ifndef VFIOMIGTOP_READPLAN_H
#define VFIOMIGTOP_READPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "dstate.h"

/* A device unchanged for this long, idle and notifying, is read only when
 * notified or swept, ns. */
#define READPLAN_HOT_NS (10 * CLOCK_NS_PER_S)
/* Every device is read at least once in this long (the safety net for
 * what notification does not tell: resets, a driver's own ERROR, a lost
 * event), ns. */
#define READPLAN_SWEEP_NS (5 * CLOCK_NS_PER_S)
/* The sweep reads its slice this often, not at every refresh: one worker
 * hand-off a second instead of one a refresh, ns. */
#define READPLAN_SWEEP_STEP_NS CLOCK_NS_PER_S

/* Why a refresh reads a device. */
enum readplan_why {
	READPLAN_SKIP,		/* not this time: nothing says it changed */
	READPLAN_POLL,		/* its tree does not notify (or its watch is not in place) */
	READPLAN_DIRTY,		/* notified, new, replaced, or not read yet */
	READPLAN_HOT,		/* not idle, or changed lately: read every refresh */
};

/* What the plan looks at for one device. */
struct readplan_dev {
	bool notified;		/* its tree notifies and its watch is in place */
	bool dirty;		/* an event, a new or replaced file: read it */
	enum dstate val;	/* value of its last read */
	uint64_t change_ns;	/* CLOCK_MONOTONIC ns of its last change of value, 0 never */
};

enum readplan_why readplan_need(const struct readplan_dev *v, uint64_t now_ns);
size_t readplan_quota(size_t nslots, uint64_t elapsed_ns);
size_t readplan_sweep(size_t nslots, uint64_t last_ns, uint64_t now_ns);

#endif
