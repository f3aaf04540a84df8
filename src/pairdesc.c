// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pairdesc.c - what batch output says about a pair and its attempts:
 * which pairs are listed, their names, verdict, counts, how long a device
 * has been stranded, and each attempt's word, durations and blame.  Pure:
 * the formats of view_batch.c print what this decides.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <string.h>

#include "pairdesc.h"

/* A pair gets a line when both sides are named (a device, or --pair). */
bool pairdesc_listed(const struct model_pair *p)
{
	return (p->dev[PAIR_SRC] >= 0 || *p->want[PAIR_SRC]) &&
	       (p->dev[PAIR_DST] >= 0 || *p->want[PAIR_DST]);
}

static uint64_t pairdesc_since(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

void pairdesc_att_of(const struct att_attempt *a, uint64_t now_ns,
		     struct pairdesc_att *d)
{
	memset(d, 0, sizeof(*d));
	d->a = a;
	d->decided = a->outcome != ATT_OPEN;
	if (!d->decided) {
		d->word = att_phase_name(a->phase);
		d->phase_ns = pairdesc_since(now_ns, a->phase_ns);
		d->dur_ns = pairdesc_since(now_ns, a->start_ns);
		return;
	}
	d->word = att_outcome_name(a->outcome);
	d->dur_ns = a->end_ns - a->start_ns;
	d->blamed = a->outcome == ATT_FAILED || a->outcome == ATT_UNCERTAIN;
	if (d->blamed) {
		d->side = (enum pair_side)a->side;
		d->reason = att_reason_code(a->reason);
	}
}

/* Each side's device name, else its --pair name, else NULL. */
void pairdesc_names(const struct model *m, const struct model_pair *p,
		    const char *name[PAIR_NSIDES])
{
	for (int s = 0; s < PAIR_NSIDES; s++) {
		if (p->dev[s] >= 0)
			name[s] = m->devs[p->dev[s]]->name;
		else
			name[s] = p->want[s] && *p->want[s] ? p->want[s] : NULL;
	}
}

void pairdesc_of(const struct model *m, const struct model_pair *p,
		 uint64_t now_ns, struct pairdesc *d)
{
	memset(d, 0, sizeof(*d));
	pairdesc_names(m, p, d->name);
	verdict_of(m, p, now_ns, &d->v);
	d->has_att = d->v.a != NULL;
	if (d->has_att)
		pairdesc_att_of(d->v.a, now_ns, &d->att);
	d->paired = d->v.kind != VERDICT_UNPAIRED;
	d->counts = d->v.attempts > 1 ||
		    (d->v.attempts && d->v.kind == VERDICT_OPEN);
	if (d->v.stranded)
		d->stranded_for_ns = pairdesc_since(now_ns, d->v.stranded_ns);
	if (!p->att)
		return;
	for (unsigned int i = ATT_KEEP; i-- > 0;) {
		const struct att_attempt *a = att_kept(p->att, i);

		if (a)
			pairdesc_att_of(a, now_ns, &d->list[d->nlist++]);
	}
	if (p->att->open)
		pairdesc_att_of(&p->att->cur, now_ns, &d->list[d->nlist++]);
}
