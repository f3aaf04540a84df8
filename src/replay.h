/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.h - vfiomigtop -r: journals fed through the same model, verdicts
 * and views as a live run.  Batch views print exactly what the live run
 * printed; the screen can pause, step, jump to events, failures and
 * times.
 */
#ifndef VFIOMIGTOP_REPLAY_H
#define VFIOMIGTOP_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "run.h"
#include "view.h"

/* What the screen shows of a replay (view_ctx.replay). */
struct replay_status {
	bool playing;		/* moving on by itself, at speed times the recorded pace */
	double speed;		/* 1 = as recorded */
	size_t pos;		/* the refresh shown, from 1 */
	size_t count;		/* refreshes that can be shown */
	int64_t real_ns;	/* its wall-clock time */
	char label[160];	/* what is replayed ("journal FILE") */
	char msg[160];		/* the last answer to a key ("no later failure") */
};

int replay_main(const struct options *o, const struct view_ops *vops,
		int (*status)(const struct run *r),
		volatile sig_atomic_t *stop);

#endif
