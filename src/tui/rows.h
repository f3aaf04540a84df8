/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rows.h - the table's rows: pairs and lone devices, filtered and sorted */
#ifndef VFIOMIGTOP_TUI_ROWS_H
#define VFIOMIGTOP_TUI_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum rows_sort {
	ROWS_SORT_ORDER,	/* as the model pairs them: order of appearance */
	ROWS_SORT_NAME,		/* by name */
	ROWS_SORT_STATE,	/* by state, in migration order */
	ROWS_SORT_TIME,		/* most recent change first */
	ROWS_SORT_VERDICT,	/* failed, migrating, completed, idle, unpaired */
	ROWS_SORT_NR,
};

/* One table row. */
struct rows_row {
	int dev[PAIR_NSIDES];	/* device index per side, -1 if none */
	uint64_t serial[PAIR_NSIDES];	/* model_dev.serial per side, 0 if none */
	int pair;		/* index into the model's pairs */
	long long key;		/* sort key (smaller first) */
	uint32_t rank;		/* place of the name in name order, UINT32_MAX if unknown */
	const char *name;	/* name sorted on: source's, else destination's */
};

struct rows_vec {
	struct rows_row *v;	/* rows */
	size_t n;		/* rows in use */
	size_t cap;		/* allocated */
};

/* What to show. */
struct rows_cfg {
	enum rows_sort sort;	/* sort key */
	bool invert;		/* reverse the order */
	const char *filter;	/* name filter, NULL or "" for none */
	bool problems;		/* only rows with a problem */
	const uint8_t *alerts;	/* CELL_AL_* per device index, may be NULL */
	size_t nalerts;		/* entries in alerts */
	const uint32_t *rank;	/* name order per device index (rows_rank()), may be NULL */
	size_t nrank;		/* entries in rank */
	uint64_t tomb_ns;	/* how long vanished devices stay, ns; 0 = forever */
	uint64_t now_ns;	/* CLOCK_MONOTONIC ns */
};

const char *rows_sort_name(enum rows_sort s);
bool rows_match(const char *filter, const char *name);
int rows_build(const struct model *m, const struct rows_cfg *c,
	       struct rows_vec *out);
long rows_find(const struct rows_vec *r, const int dev[PAIR_NSIDES]);
int rows_rank(const struct model *m, uint32_t **rank, size_t *nrank);
void rows_free(struct rows_vec *r);

#endif
