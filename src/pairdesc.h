/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pairdesc.h - what batch output says about a pair and its attempts,
 * decided once; the text, JSON and event formats only print it.
 */
#ifndef VFIOMIGTOP_PAIRDESC_H
#define VFIOMIGTOP_PAIRDESC_H

#include <stdbool.h>
#include <stdint.h>

#include "attempt.h"
#include "model.h"
#include "verdict.h"

/* One attempt, as every format says it. */
struct pairdesc_att {
	const struct att_attempt *a;	/* the attempt described */
	const char *word;		/* its phase while open ("pre-copy"), else its outcome ("completed") */
	bool decided;			/* its outcome is known */
	uint64_t phase_ns;		/* open: time in its phase so far, ns; 0 once decided */
	uint64_t dur_ns;		/* start to its end, or to now while open, ns */
	bool blamed;			/* failed or uncertain: side and reason say on whose evidence */
	enum pair_side side;		/* that side (when blamed) */
	const char *reason;		/* the reason code ("step-failed"), NULL unless blamed */
};

/* One pair, as every format says it. */
struct pairdesc {
	const char *name[PAIR_NSIDES];	/* the device's name, else the --pair name, NULL for none */
	struct verdict v;		/* its verdict (verdict_of) */
	bool has_att;			/* the verdict is about an attempt: att describes it */
	struct pairdesc_att att;	/* that attempt, its time in phase included */
	bool paired;			/* both sides are known: the verdict has a sentence */
	bool counts;			/* the counts are news: more than one attempt, or one under way */
	uint64_t stranded_for_ns;	/* how long a device has been stranded, ns (v.stranded) */
	unsigned int nlist;		/* entries in list */
	struct pairdesc_att list[ATT_KEEP + 1];	/* the last ATT_KEEP decided, oldest first, then the open one */
};

bool pairdesc_listed(const struct model_pair *p);
void pairdesc_names(const struct model *m, const struct model_pair *p,
		    const char *name[PAIR_NSIDES]);
void pairdesc_att_of(const struct att_attempt *a, uint64_t now_ns,
		     struct pairdesc_att *d);
void pairdesc_of(const struct model *m, const struct model_pair *p,
		 uint64_t now_ns, struct pairdesc *d);

#endif
