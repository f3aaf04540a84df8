/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pair.h - which source device goes with which destination, and how it went */
#ifndef VFIOMIGTOP_PAIR_H
#define VFIOMIGTOP_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dstate.h"

struct model_dev;

enum pair_side {
	PAIR_SRC = 0,		/* the migration source */
	PAIR_DST = 1,		/* the migration destination */
	PAIR_NSIDES = 2,
};

/* Where a migration stands. */
enum pair_phase {
	PAIR_IDLE,		/* no migration seen */
	PAIR_PRE_COPY,		/* source in PRE_COPY(_P2P) */
	PAIR_STOP_COPY,		/* source stopping or in STOP_COPY, or waiting for the destination */
	PAIR_RESUMING,		/* destination loading the data */
	PAIR_COMPLETED,		/* destination left RESUMING with the data accepted */
	PAIR_FAILED,		/* see pair_reason */
};

/* Why a pair failed. */
enum pair_reason {
	PAIR_R_NONE,
	PAIR_R_ERROR,		/* a device entered ERROR */
	PAIR_R_SRC_ABORT,	/* the source went back to RUNNING after STOP_COPY */
	PAIR_R_SRC_CANCEL,	/* the source went back to RUNNING from PRE_COPY */
	PAIR_R_STUCK,		/* the destination stayed in RESUMING past the threshold */
	PAIR_R_READ,		/* a read failed (EINVAL, EACCES, unparsable, Invalid, errno) */
	PAIR_R_GONE,		/* a device vanished during the migration */
	PAIR_R_BUSY,		/* a read stayed blocked past the threshold */
	PAIR_R_RESET,		/* the destination left RESUMING by no kernel path (reset) */
	PAIR_R_STEP,		/* the driver failed a step the kernel chose (arc log) */
};

/* An explicit --pair SRC=DST. */
struct pair_spec {
	const char *src;	/* source device name */
	const char *dst;	/* destination device name */
};

/* Thresholds of the verdict. */
struct pair_cfg {
	uint64_t stuck_ns;	/* RESUMING longer than this fails, ns */
	uint64_t busy_ns;	/* a read blocked longer than this fails, ns */
};

/* The verdict of one pair at one moment. */
struct pair_verdict {
	enum pair_phase phase;	/* where it stands */
	enum pair_reason reason;	/* why it failed (PAIR_FAILED) */
	enum pair_side side;	/* which side failed (PAIR_FAILED) */
	enum dstate bad;	/* the failing value (PAIR_R_ERROR, PAIR_R_READ) */
	enum dstate before;	/* the state left for the failing one */
	uint64_t start_ns;	/* CLOCK_MONOTONIC ns the migration began; 0 if none */
	uint64_t phase_ns;	/* CLOCK_MONOTONIC ns the phase began */
	uint64_t end_ns;	/* CLOCK_MONOTONIC ns it completed, or the failing condition began */
};

/* One pair found by pair_match(): indexes into the name arrays, -1 if none. */
struct pair_match {
	int idx[PAIR_NSIDES];	/* index into names[side], -1 when missing */
	int spec;		/* index of the --pair spec, -1 when implicit */
};

const char *pair_phase_name(enum pair_phase p);
const char *pair_side_name(enum pair_side s);
size_t pair_match_names(const char *const *names[PAIR_NSIDES],
			const size_t n[PAIR_NSIDES],
			const struct pair_spec *specs, size_t nspecs,
			bool shared, struct pair_match *out, size_t max);
void pair_judge(const struct model_dev *src, const struct model_dev *dst,
		const struct pair_cfg *cfg, uint64_t now_ns,
		struct pair_verdict *out);
size_t pair_reason_text(const struct pair_verdict *v, uint64_t now_ns,
			char *buf, size_t len);
size_t pair_describe(const struct pair_verdict *v, uint64_t now_ns,
		     char *buf, size_t len);
bool pair_verdict_same(const struct pair_verdict *a,
		       const struct pair_verdict *b);

#endif
