/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.h - the interactive view's state, shared by the files that draw it */
#ifndef VFIOMIGTOP_TUI_TUI_H
#define VFIOMIGTOP_TUI_TUI_H

#include <stdbool.h>
#include <stdint.h>

#include "cell.h"
#include "evlog.h"
#include "layout.h"
#include "rows.h"
#include "screen.h"
#include "ui.h"
#include "view.h"

/* What a frame derives from every pair and device, kept while nothing
 * it depends on changed: an idle screen costs nothing per device. */
struct tui_derived {
	bool valid;			/* the fields below hold */
	const struct model *m;		/* ... for this model */
	uint64_t change_gen;		/* ... at its model.change_gen */
	uint64_t info_gen;		/* ... and devinfo.gen (0 without) */
	uint64_t until_ns;		/* CLOCK_MONOTONIC ns they may change by time alone; 0 never */
	int vm_want;			/* columns the VM column wants, 0 none */
	int drv_want;			/* columns the DRIVER column wants, 0 none */
	unsigned int mig, done, failed, unsure;	/* pairs by verdict */
	unsigned int total[PAIR_NSIDES];	/* devices listed per side */
	unsigned int busy[PAIR_NSIDES];		/* ... with a read pending */
	unsigned int count[PAIR_NSIDES][DS_NR];	/* ... per value */
};

/* What the monitor screen shows besides the model, its derived rows and
 * the time: while it holds and nothing is due by time, a frame is the
 * same as the last one drawn and is not drawn again. */
struct tui_frame_key {
	int cols, lines;		/* terminal size, cells */
	size_t events;			/* evlog events ever kept */
	size_t alerts;			/* evlog alerts ever kept */
	unsigned int nalerts;		/* ... not acknowledged */
	bool paused;			/* refreshes paused */
	uint64_t delay_ns;		/* refresh interval, ns */
	int link[PAIR_NSIDES];		/* enum snap_link per side, -1 without a snapshot */
	int64_t offset_ms[PAIR_NSIDES];	/* remote clock offset per side, ms as shown */
	char msg[PAIR_NSIDES][256];	/* why a side's link is not OK */
	char host[PAIR_NSIDES][256];	/* a remote side's host */
};

/* When the rows of a monitor frame change by time alone. */
struct tui_due {
	uint64_t tick_ns;		/* CLOCK_MONOTONIC ns a time on them next reads differently; 0 never */
	uint64_t hl_ns;			/* CLOCK_MONOTONIC ns a change highlight ends; 0 none */
};

/* The screen's view (view.h): everything the files that draw it share. */
struct tui_view {
	struct view base;		/* what the run loop holds */
	struct screen scr;		/* the terminal */
	struct ui ui;			/* screen, selection, filter, sort */
	struct evlog log;		/* events and unacknowledged alerts */
	struct rows_vec rows;		/* table rows of the last frame */
	struct layout lay;		/* geometry of the last frame */
	struct screen_glyphs g;		/* line drawing of the last frame */
	struct cell_cfg cc;		/* how cells are made */
	bool has_dst;			/* two sides are watched */
	bool dst_names;			/* the destination pane shows names */
	int name_w;			/* widest escaped name listed, columns */
	bool any_failed;		/* a listed pair failed: room for the reason */
	uint16_t *namew;		/* escaped name width per device index, 0 = unknown */
	uint32_t *rank;			/* name order per device index */
	size_t nrank;			/* devices ranked */
	uint64_t rank_serial;		/* model.dev_serial when ranked */
	uint64_t namew_reused;		/* model.reused when namew was last valid */
	size_t nnamew;			/* entries in namew */
	size_t evsel[EVLOG_KEEP];	/* events the pane lists: evlog_get() indices, newest first */
	size_t nevsel;			/* entries in evsel */
	uint64_t ev_serial[PAIR_NSIDES];	/* events: only these devices (E in the details, model_dev.serial), 0 for all */
	uint64_t ev_anchor;		/* events: model event number of the first line while scrolled, 0 when following */
	bool bell;			/* ring when an alert is raised */
	uint64_t delay_ns;		/* the refresh interval at the last frame, ns */
	bool no_config;			/* --no-config: S saves nothing */
	bool utc;			/* times in UTC (--utc), else local time */
	bool started;			/* the first frame is done */
	int pin[PAIR_NSIDES];		/* devices of the selected row */
	uint64_t pin_serial[PAIR_NSIDES];	/* ... their model_dev.serial, 0 none */
	int detail[PAIR_NSIDES];	/* devices the details are about */
	uint64_t detail_serial[PAIR_NSIDES];	/* ... their model_dev.serial, 0 none */
	uint64_t frame_ns;		/* CLOCK_MONOTONIC ns of the last frame */
	uint64_t model_gen;		/* view_ctx.model_gen of the model last drawn */
	struct tui_derived dv;		/* rows, widths and counts of the model, cached */
	uint64_t rebuilds;		/* frames that derived dv anew, ever */
	struct tui_frame_key fk;	/* key of the last monitor frame drawn */
	uint64_t fk_until_ns;		/* CLOCK_MONOTONIC ns something on it changes by time; 0 = draw the next frame */
	struct tui_due due;		/* ... the rows' part of it */
	bool fk_msg;			/* ... it showed a message */
};

#endif
