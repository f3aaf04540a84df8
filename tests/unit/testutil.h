/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testutil.h - a Check main() and helpers shared by the unit tests */
#ifndef VFIOMIGTOP_TESTUTIL_H
#define VFIOMIGTOP_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "model.h"

/* Milliseconds to CLOCK_MONOTONIC-like ns with a non-zero base. */
#define T(ms) ((uint64_t)(ms) * CLOCK_NS_PER_MS + 1000 * CLOCK_NS_PER_S)

/* A device with value @val since @since (ns) and no history. */
static inline struct model_dev *tu_dev(const char *name, enum pair_side side,
				       enum dstate val, uint64_t since)
{
	/* The history ring in the same block: free(d) frees both. */
	static uint64_t serial;
	struct model_dev *d = calloc(1, sizeof(*d) +
				     MODEL_HIST * sizeof(struct model_trans));

	d->serial = ++serial;	/* as the model gives them: never twice */
	d->hist = (struct model_trans *)(d + 1);
	strncpy(d->name, name, sizeof(d->name) - 1);
	d->side = side;
	d->val = val;
	d->since_ns = since;
	d->present = true;
	return d;
}

/* Append a transition to @d's history and make it the current value. */
static inline void tu_step(struct model_dev *d, enum dstate to, uint64_t t,
			   uint8_t flags)
{
	struct model_trans *tr = &d->hist[d->hist_n++ % MODEL_HIST];

	tr->t_ns = t;
	tr->from = (uint8_t)d->val;
	tr->to = (uint8_t)to;
	tr->flags = flags;
	d->val = to;
	d->since_ns = t;
}

/* An attempt decided as @o on @t (a pair's track), from @start to @end. */
static inline void tu_att_decided(struct att_track *t, enum att_outcome o,
				  enum att_reason r, int side, uint8_t from,
				  uint64_t start, uint64_t end)
{
	struct att_attempt *a = &t->kept[t->ndecided % ATT_KEEP];

	memset(a, 0, sizeof(*a));
	a->no = t->ndecided + 1;
	a->outcome = o;
	a->reason = r;
	a->side = side;
	a->from = from;
	a->start_seen = true;
	a->start_ns = start;
	a->end_ns = end;
	t->ndecided++;
	t->count[o]++;
	t->open = false;
}

/* An attempt of @t under way, in @phase since @phase_ns. */
static inline void tu_att_open(struct att_track *t, enum att_phase phase,
			       uint64_t start, uint64_t phase_ns)
{
	memset(&t->cur, 0, sizeof(t->cur));
	t->cur.no = t->ndecided + 1;
	t->cur.start_seen = true;
	t->cur.start_ns = start;
	t->cur.phase = phase;
	t->cur.phase_ns = phase_ns;
	t->open = true;
}

#define TU_MAIN(suite_name, ...)                                            \
	int main(void)                                                      \
	{                                                                   \
		Suite *s = suite_create(suite_name);                        \
		TCase *tc = tcase_create("core");                           \
		const TTest *tests[] = { __VA_ARGS__ };                     \
		SRunner *sr;                                                \
		int failed;                                                 \
		for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) \
			_tcase_add_test(tc, tests[i], 0, 0, 0, 1);          \
		suite_add_tcase(s, tc);                                     \
		sr = srunner_create(s);                                     \
		srunner_run_all(sr, CK_NORMAL);                             \
		failed = srunner_ntests_failed(sr);                         \
		srunner_free(sr);                                           \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                \
	}

#endif
