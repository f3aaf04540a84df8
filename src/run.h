/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.h - the refresh loop shared by every view */
#ifndef VFIOMIGTOP_RUN_H
#define VFIOMIGTOP_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "source.h"
#include "view.h"

struct devinfo;

/* Sources this program reads: at most one per side. */
#define RUN_MAX_SOURCES 2

struct run {
	struct source *src[RUN_MAX_SOURCES];	/* distinct sources */
	unsigned int feed[RUN_MAX_SOURCES];	/* model feed of each source */
	size_t nsrc;				/* entries in src */
	struct model m;				/* the model */
	const struct view_ops *vops;		/* the view's kind */
	struct view *view;			/* the view */
	struct view_ctx ctx;			/* what the view sees */
	uint64_t delay_ns;			/* refresh interval, ns */
	long iterations;			/* refreshes to do, 0 = until stopped */
	struct devinfo *info;			/* identity, owners, QEMU (devinfo.h); NULL */
	/* Called after every refresh, once the model has taken it in (the
	 * journal, the report); NULL for none.  @extra: a refresh asked for
	 * by a change notification, off the rhythm. */
	void (*after_refresh)(struct run *r, uint64_t now_ns, bool extra,
			      void *arg);
	void *after_arg;			/* its argument */
};

int run_loop(struct run *r, volatile sig_atomic_t *stop);
uint64_t run_read_deadline(uint64_t delay_ns);

#endif
