// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verdicts.c - how often a verdict is uncertain, by read interval: every
 * generated flow (tests/unit/flowgen.c) watched with exact steps, by
 * polling at intervals from 0.01 to 2 s, and with the module's arc log as
 * it is (kernel-chosen steps, no resets) read at those intervals.  A benchmark, not a test (the
 * oracle in test_attempt asserts; this one counts).
 *
 *   verdicts [SEEDS]     (default 200)
 */
#include <stdio.h>
#include <stdlib.h>

#include "flowgen.h"

/* Counts over a set of watches. */
struct tally {
	unsigned long long truth;	/* true attempts */
	unsigned long long decided;	/* attempts decided */
	unsigned long long uncertain;	/* ... uncertain */
	unsigned long long wrong;	/* ... definite and wrong */
	unsigned long long undecided;	/* true attempts nothing decided stands for */
};

static void tally_add(struct tally *t, const struct fg_flow *f,
		      const struct fg_result *r)
{
	t->truth += f->natt;
	t->decided += r->ndecided;
	t->uncertain += r->nuncertain;
	t->wrong += r->nwrong;
	t->undecided += r->nundecided;
}

static void tally_print(const char *what, const struct tally *t)
{
	printf("| %-10s | %6llu | %6llu | %5.1f %% | %5.1f %% | %5.1f %% | %llu |\n",
	       what, t->truth, t->decided,
	       t->decided ? 100.0 * (double)(t->decided - t->uncertain) /
			    (double)t->decided : 0.0,
	       t->decided ? 100.0 * (double)t->uncertain /
			    (double)t->decided : 0.0,
	       t->truth ? 100.0 * (double)t->undecided / (double)t->truth : 0.0,
	       t->wrong);
}

int main(int argc, char **argv)
{
	static const double ivs[] = { 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0 };
	unsigned long long seeds = argc > 1 ? strtoull(argv[1], NULL, 10) : 200;
	struct tally kinds[FG_NKINDS] = { { 0 } };
	struct tally ex = { 0 };

	if (!seeds)
		seeds = 200;
	printf("| watched by | true | decided | definite | uncertain | undecided | wrong |\n");
	printf("|---|---|---|---|---|---|---|\n");
	for (uint64_t seed = 1; seed <= seeds; seed++)
		for (int v = 0; v < FG_NVMMS; v++)
			for (int k = 0; k < FG_NKINDS; k++) {
				struct fg_flow f;
				struct fg_result r;

				fg_make(&f, (enum fg_vmm)v, (enum fg_kind)k, seed);
				fg_watch_exact(&f, &r);
				tally_add(&ex, &f, &r);
			}
	tally_print("arc log", &ex);
	for (size_t i = 0; i < sizeof(ivs) / sizeof(ivs[0]); i++) {
		struct tally t = { 0 };
		char what[32];

		for (uint64_t seed = 1; seed <= seeds; seed++)
			for (int v = 0; v < FG_NVMMS; v++)
				for (int k = 0; k < FG_NKINDS; k++) {
					struct fg_flow f;
					struct fg_result r;

					fg_make(&f, (enum fg_vmm)v, (enum fg_kind)k,
						seed);
					fg_watch_poll(&f, (uint64_t)(ivs[i] * 1e9),
						      seed, false, &r);
					tally_add(&t, &f, &r);
					if (ivs[i] == 0.5)
						tally_add(&kinds[k], &f, &r);
				}
		snprintf(what, sizeof(what), "%g s", ivs[i]);
		tally_print(what, &t);
	}
	/* The module's arc log as it is: kernel-chosen steps, no resets,
	 * explained at each read. */
	for (size_t i = 0; i < sizeof(ivs) / sizeof(ivs[0]); i++) {
		struct tally t = { 0 };
		char what[32];

		for (uint64_t seed = 1; seed <= seeds; seed++)
			for (int v = 0; v < FG_NVMMS; v++)
				for (int k = 0; k < FG_NKINDS; k++) {
					struct fg_flow f;
					struct fg_result r;

					fg_make(&f, (enum fg_vmm)v, (enum fg_kind)k,
						seed);
					fg_watch_arcs(&f, (uint64_t)(ivs[i] * 1e9),
						      seed, &r);
					tally_add(&t, &f, &r);
				}
		snprintf(what, sizeof(what), "arcs, %g s", ivs[i]);
		tally_print(what, &t);
	}
	printf("\nAt 0.5 s, by what happened:\n\n");
	printf("| what happened | true | decided | definite | uncertain | undecided | wrong |\n");
	printf("|---|---|---|---|---|---|---|\n");
	for (int k = 0; k < FG_NKINDS; k++)
		tally_print(fg_kind_name((enum fg_kind)k), &kinds[k]);
	return 0;
}
