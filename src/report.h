/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.h - a self-contained report of migration attempts, to paste into
 * a bug report for a driver or QEMU: both timelines with the time spent
 * in each state, exact and inferred marks, the verdict and its evidence,
 * and what is known of each side (host, kernel, driver, where the state
 * files came from, QEMU's view).  Text, or JSON for machines.
 */
#ifndef VFIOMIGTOP_REPORT_H
#define VFIOMIGTOP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "attempt.h"
#include "journal.h"
#include "model.h"
#include "obuf.h"
#include "view.h"

/* What is known of where each side's devices are. */
struct report_env {
	struct journal_srcinfo side[PAIR_NSIDES];	/* host ("" = local), kernel, files, module */
	bool have[PAIR_NSIDES];		/* the side is watched */
	char local_host[256];		/* the host vfiomigtop ran on */
	char origin[4200];		/* "live on HOST", "journal FILE (recording ID)" */
	const struct journal_idents *ids;	/* device facts, NULL */
	int64_t real_off;		/* CLOCK_REALTIME - CLOCK_MONOTONIC of the run */
};

/* One device's side of an attempt, as it stood when it was taken. */
struct report_dev {
	bool known;			/* there is a device */
	char name[SNAP_NAME_MAX];
	enum dstate val;		/* value then */
	bool features_known, dirty;
	unsigned int features;		/* FSM_F_* */
	unsigned int flags_seen;	/* FSM_F_* implied by the states seen */
	bool exact;			/* steps from an arc log (or an agent relaying one) */
	int64_t clock_off;		/* its host's wall clock minus ours, ns (remote), 0 */
	bool remote;			/* on another host */
	char host[256];			/* that host, "" for the run's own */
	unsigned int losses;		/* steps marked LOSS (arcs the log lost) kept */
	unsigned int nhist;		/* transitions in hist */
	bool hist_cut;			/* older ones were dropped (MODEL_HIST) */
	struct model_trans hist[MODEL_HIST];	/* oldest first */
};

/* One attempt with what surrounds it. */
struct report_item {
	struct att_attempt a;		/* as decided (or under way) */
	uint64_t taken_ns;		/* CLOCK_MONOTONIC ns it was taken */
	struct report_dev dev[PAIR_NSIDES];
};

struct report {
	const char *want;		/* PAIR: "SRC=DST" or a device name; NULL: every failed attempt */
	struct report_item *it;
	size_t n, cap;
	uint64_t ev_next;		/* next model event to look at */
	uint64_t model_gen;		/* of the model ev_next counts in */
	uint32_t decided, failed;	/* attempts decided, failed, while collecting */
	bool matched;			/* a pair matched want */
	struct report_env env;
};

void report_init(struct report *rp, const char *want);
void report_collect(struct report *rp, const struct model *m,
		    const struct view_ctx *c);
void report_finish(struct report *rp, const struct model *m,
		   const struct view_ctx *c);
void report_format(const struct report *rp, bool json, struct obuf *b);
int report_print(const struct report *rp, bool json, FILE *f);
void report_free(struct report *rp);

void report_env_live(struct report_env *e, const struct source *const *src,
		     const unsigned int *feed, size_t nsrc,
		     const struct model *m, int64_t real_off);
void report_env_set(const struct report_env *e);
const struct report_env *report_env_get(void);
void report_pair_text(const struct model *m, const struct view_ctx *c,
		      int pair, struct obuf *b);
bool report_pair_matches(const char *want, const char *src, const char *dst);

extern const struct view_ops view_report_ops;

#endif
