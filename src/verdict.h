/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.h - what a pair says: its latest attempt, its history, a stranded device */
#ifndef VFIOMIGTOP_VERDICT_H
#define VFIOMIGTOP_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attempt.h"
#include "model.h"

/* What a pair's line says. */
enum verdict_kind {
	VERDICT_UNPAIRED,	/* a device alone (or its --pair partner missing) */
	VERDICT_IDLE,		/* no attempt yet */
	VERDICT_OPEN,		/* an attempt under way */
	VERDICT_COMPLETED,	/* the latest attempt completed */
	VERDICT_FAILED,		/* the latest attempt failed */
	VERDICT_UNCERTAIN,	/* the latest attempt is uncertain */
};

/* Everything the views print about a pair, decided in one place. */
struct verdict {
	enum verdict_kind kind;		/* what the line says */
	const char *word;		/* one token: "idle", "pre-copy", "completed", "missing-destination", ... */
	const struct att_attempt *a;	/* the attempt it is about; NULL when none */
	uint64_t dur_ns;		/* completed: its duration; failed, uncertain: start to end; open: time in phase */
	uint32_t count[ATT_NOUTCOMES];	/* attempts decided, per outcome, ever */
	uint32_t attempts;		/* attempts decided, ever */
	bool stranded;			/* a device left behind by a failed attempt */
	int stranded_side;		/* ... which one (PAIR_SRC, PAIR_DST) */
	uint64_t stranded_ns;		/* ... CLOCK_MONOTONIC ns since when */
	bool orphan;			/* ... and no process holds it (devinfo.c) */
	bool vmm_disagree;		/* QEMU's belief and a device's state differ (devinfo.c) */
	bool problem;			/* failed, uncertain, stranded or disagreeing */
};

void verdict_of(const struct model *m, const struct model_pair *p,
		uint64_t now_ns, struct verdict *v);
uint64_t verdict_due(const struct model *m, const struct model_pair *p,
		     uint64_t now_ns);
size_t verdict_text(const struct verdict *v, uint64_t now_ns, char *buf,
		    size_t len);
uint64_t verdict_text_next(const struct verdict *v, uint64_t now_ns);
size_t verdict_history(const struct verdict *v, char *buf, size_t len);

#endif
