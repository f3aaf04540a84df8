/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arcmatch.h - explain an observed state change with the module's arc log */
#ifndef VFIOMIGTOP_ARCMATCH_H
#define VFIOMIGTOP_ARCMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dstate.h"
#include "snapshot.h"

/* Arcs kept waiting for a state read that explains them. */
#define ARCMATCH_MAX 64

/* One line of the arc log. */
struct arcmatch_arc {
	uint64_t seq;		/* per-device sequence number */
	uint64_t t_ns;		/* CLOCK_MONOTONIC ns when the kernel chose the step */
	uint8_t cur;		/* enum dstate (a state) before */
	uint8_t next;		/* enum dstate chosen; DS_UNKNOWN when refused */
	uint8_t target;		/* enum dstate requested */
	int ret;		/* 0, or -errno when the kernel refused */
};

/* Arcs read but not yet matched, oldest first. */
struct arcmatch {
	struct arcmatch_arc a[ARCMATCH_MAX];	/* pending arcs */
	unsigned int n;				/* entries in a */
	uint64_t last_seq;			/* seq of the newest arc taken in */
	uint64_t lost;				/* arcs the ring overwrote before we read them */
	uint64_t lost_seen;			/* lost, as of the last explanation */
	bool gap;				/* arcs are missing before the pending ones */
};

int arcmatch_parse_line(const char *line, size_t len, struct arcmatch_arc *out,
			uint64_t *lost);
void arcmatch_push(struct arcmatch *m, const struct arcmatch_arc *a);
void arcmatch_loss(struct arcmatch *m);
size_t arcmatch_explain(struct arcmatch *m, enum dstate prev, enum dstate now,
			uint64_t prev_ns, uint64_t read_ns,
			struct snap_step *out, size_t max);

#endif
