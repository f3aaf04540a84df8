/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pair.h - which source device goes with which destination */
#ifndef VFIOMIGTOP_PAIR_H
#define VFIOMIGTOP_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dstate.h"

enum pair_side {
	PAIR_SRC = 0,		/* the migration source */
	PAIR_DST = 1,		/* the migration destination */
	PAIR_NSIDES = 2,
};

/* An explicit --pair SRC=DST. */
struct pair_spec {
	const char *src;	/* source device name */
	const char *dst;	/* destination device name */
};

/* One pair found by pair_match(): indexes into the name arrays, -1 if none. */
struct pair_match {
	int idx[PAIR_NSIDES];	/* index into names[side], -1 when missing */
	int spec;		/* index of the --pair spec, -1 when implicit */
};

const char *pair_side_name(enum pair_side s);
size_t pair_match_names(const char *const *names[PAIR_NSIDES],
			const size_t n[PAIR_NSIDES],
			const struct pair_spec *specs, size_t nspecs,
			bool shared, struct pair_match *out, size_t max);

#endif
