/* SPDX-License-Identifier: GPL-2.0-or-later */
/* view.h - how the run loop talks to a view (batch output or the TUI) */
#ifndef VFIOMIGTOP_VIEW_H
#define VFIOMIGTOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "options.h"
#include "source.h"

/* Everything a view may look at; views never touch sources directly. */
struct view_ctx {
	const struct model *m;		/* the model */
	const char *label[PAIR_NSIDES];	/* what each side watches (path, host), NULL if none */
	const struct snapshot *snap[PAIR_NSIDES];	/* each side's source state, NULL if none */
	int64_t real_off_ns;		/* CLOCK_REALTIME minus CLOCK_MONOTONIC, ns */
	uint64_t delay_ns;		/* current refresh interval, ns */
	uint64_t seq;			/* number of the current snapshot, from 1 */
	bool paused;			/* sampling is paused */
	bool extra;			/* this frame follows an extra refresh (a change notification), not the rhythm */
};

/* What the loop should do after a view handled input. */
struct view_req {
	bool quit;			/* leave the loop */
	bool refresh;			/* refresh now */
	bool redraw;			/* draw again without refreshing */
	bool pause_toggle;		/* pause or resume sampling */
	uint64_t delay_ns;		/* new refresh interval, 0 for unchanged */
};

struct view;

/*
 * The run loop calls frame() after every refresh, input() when input_fd is
 * readable or a signal (SIGWINCH) interrupted the wait, and frame() again
 * when input() asks for it or wakeup() time is reached.  Returning non-zero
 * from frame() ends the loop (-EPIPE quietly).
 */
struct view_ops {
	const char *name;		/* for messages */
	struct view *(*open)(const struct options *o, char *err, size_t len);
	int (*input_fd)(struct view *v);	/* fd to poll for input, or -1 */
	void (*input)(struct view *v, const struct view_ctx *c,
		      struct view_req *req);
	int (*frame)(struct view *v, const struct view_ctx *c, uint64_t now_ns);
	/* CLOCK_MONOTONIC ns when the view wants to draw again without a
	 * refresh (a highlight expires, the clock ticks), or 0; may be NULL. */
	uint64_t (*wakeup)(struct view *v, const struct view_ctx *c,
			   uint64_t now_ns);
	void (*close)(struct view *v);
};

extern const struct view_ops view_batch_ops;
extern const struct view_ops view_tui_ops;
extern const struct view_ops view_agent_ops;
extern const struct view_ops view_prom_ops;

bool view_dev_stale(const struct view_ctx *c, const struct model_dev *d);

#endif
