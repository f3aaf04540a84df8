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

struct replay_status;	/* replay.h */

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
	/* A replay (-r): its position and controls; NULL when live. */
	const struct replay_status *replay;
	uint64_t model_gen;		/* changes when the model is rebuilt (a replay going back) */
	uint64_t ev_first;		/* model events before this seq are not shown (--begin); 0 */
	const char *host;		/* the local side's host for labels, NULL: this host */
};

/* What a replay key asks for (view_req.replay). */
enum view_replay {
	VIEW_RP_NONE,
	VIEW_RP_BACK,		/* one refresh back */
	VIEW_RP_FWD,		/* one refresh on */
	VIEW_RP_PREV_EV,	/* to the previous refresh with an event */
	VIEW_RP_NEXT_EV,	/* to the next one */
	VIEW_RP_PREV_FAIL,	/* to the previous failure */
	VIEW_RP_NEXT_FAIL,	/* to the next failure */
	VIEW_RP_TIME,		/* to the time in replay_arg */
	VIEW_RP_FASTER,		/* play faster */
	VIEW_RP_SLOWER,		/* play slower */
};

/* What the loop should do after a view handled input. */
struct view_req {
	bool quit;			/* leave the loop */
	bool refresh;			/* refresh now */
	bool redraw;			/* draw again without refreshing */
	bool pause_toggle;		/* pause or resume sampling */
	uint64_t delay_ns;		/* new refresh interval, 0 for unchanged */
	enum view_replay replay;	/* a replay control, VIEW_RP_NONE */
	char replay_arg[64];		/* its argument (VIEW_RP_TIME: the time typed) */
};

/*
 * What the run loop holds of an open view.  Each view has its own type
 * that starts with this one (struct view_batch, struct tui_view, ...) and
 * gets back to it with VIEW_OF().
 */
struct view {
	const struct view_ops *ops;	/* the view's functions */
};

/* The view of type @type whose struct view member "base" is @v. */
#define VIEW_OF(v, type) \
	((type *)(void *)((char *)(v) - offsetof(type, base)))

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
