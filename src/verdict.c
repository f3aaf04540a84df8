// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verdict.c - what a pair says, decided once for every view: the latest
 * attempt (the one under way, else the last decided), how many attempts
 * came to what, and a device left behind by one that failed.  The text,
 * JSON, metrics and the screen only print it.  Pure.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "verdict.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "devinfo.h"

/* The pair @p of model @m at @now_ns. */
void verdict_of(const struct model *m, const struct model_pair *p,
		uint64_t now_ns, struct verdict *v)
{
	const struct att_track *t = p->att;
	int side;
	uint64_t since;

	memset(v, 0, sizeof(*v));
	v->kind = VERDICT_UNPAIRED;
	if (p->dev[PAIR_SRC] < 0 && p->want[PAIR_SRC][0])
		v->word = "missing-source";
	else if (p->dev[PAIR_DST] < 0 && p->want[PAIR_DST][0])
		v->word = "missing-destination";
	else
		v->word = "unpaired";
	if (!t || p->dev[PAIR_SRC] < 0 || p->dev[PAIR_DST] < 0) {
		if (m->info)
			devinfo_verdict(m->info, m, p, v);
		return;
	}
	memcpy(v->count, t->count, sizeof(v->count));
	v->attempts = t->ndecided;
	if (t->open) {
		v->kind = VERDICT_OPEN;
		v->a = &t->cur;
		v->word = att_phase_name(t->cur.phase);
		v->dur_ns = now_ns > t->cur.phase_ns ? now_ns - t->cur.phase_ns : 0;
	} else if ((v->a = att_kept(t, 0))) {
		v->kind = v->a->outcome == ATT_COMPLETED ? VERDICT_COMPLETED :
			  v->a->outcome == ATT_FAILED ? VERDICT_FAILED :
			  VERDICT_UNCERTAIN;
		v->word = att_outcome_name(v->a->outcome);
		v->dur_ns = v->a->end_ns - v->a->start_ns;
	} else {
		v->kind = VERDICT_IDLE;
		v->word = "idle";
	}
	if (att_stranded(t, &m->cfg.ac, now_ns, &side, &since)) {
		v->stranded = true;
		v->stranded_side = side;
		v->stranded_ns = since;
	}
	v->problem = v->stranded || v->kind == VERDICT_FAILED ||
		     v->kind == VERDICT_UNCERTAIN;
	if (m->info)
		devinfo_verdict(m->info, m, p, v);
}

/* When verdict_of() may say something else with no news: a device
 * becomes stranded by time alone; 0 never (its durations aside). */
uint64_t verdict_due(const struct model *m, const struct model_pair *p,
		     uint64_t now_ns)
{
	if (!p->att || p->dev[PAIR_SRC] < 0 || p->dev[PAIR_DST] < 0)
		return 0;
	return att_stranded_due(p->att, &m->cfg.ac, now_ns);
}

/* One line for people: "pre-copy 3.2 s", "completed in 840 ms",
 * "FAILED: ...", "uncertain: ...", then a stranded device. */
size_t verdict_text(const struct verdict *v, uint64_t now_ns, char *buf,
		    size_t len)
{
	char d[32];
	size_t n;
	int k;

	if (!len)
		return 0;
	switch (v->kind) {
	case VERDICT_UNPAIRED:
	case VERDICT_IDLE:
		k = snprintf(buf, len, "%s", v->word);
		n = k < 0 ? 0 : (size_t)k;
		break;
	default:
		n = att_describe(v->a, now_ns, buf, len);
		break;
	}
	if (n >= len)
		return len - 1;
	if (v->stranded) {
		const char *w = v->stranded_side == PAIR_DST ? "destination" :
				"source";

		clock_fmt_dur(d, sizeof(d), now_ns > v->stranded_ns ?
			      now_ns - v->stranded_ns : 0);
		k = snprintf(buf + n, len - n, "; %s stranded %s%s", w, d,
			     v->orphan ? ", no process holds it" : "");
		n += k < 0 ? 0 : (size_t)k;
	}
	if (v->vmm_disagree && n < len) {
		k = snprintf(buf + n, len - n, "; QEMU disagrees with the device");
		n += k < 0 ? 0 : (size_t)k;
	}
	return n < len ? n : len - 1;
}

/* When verdict_text() of @v next reads differently by time alone (an
 * attempt's time in its phase, a stranded device's time), at or after
 * @now_ns; 0 when it never does. */
uint64_t verdict_text_next(const struct verdict *v, uint64_t now_ns)
{
	uint64_t next = 0;

	if (v->kind != VERDICT_UNPAIRED && v->kind != VERDICT_IDLE && v->a &&
	    v->a->outcome == ATT_OPEN)
		next = now_ns + clock_dur_next(now_ns > v->a->phase_ns ?
					       now_ns - v->a->phase_ns : 0);
	if (v->stranded)
		next = clock_earlier(next, now_ns +
				     clock_dur_next(now_ns > v->stranded_ns ?
						    now_ns - v->stranded_ns : 0));
	return next;
}

/* "3 attempts: 1 completed, 2 failed" ("" before the first is decided). */
size_t verdict_history(const struct verdict *v, char *buf, size_t len)
{
	static const enum att_outcome order[] = {
		ATT_COMPLETED, ATT_FAILED, ATT_UNCERTAIN,
	};
	size_t n = 0;
	int k;

	if (!len)
		return 0;
	buf[0] = 0;
	if (!v->attempts)
		return 0;
	k = snprintf(buf, len, "%u attempt%s:", v->attempts,
		     v->attempts == 1 ? "" : "s");
	n = k < 0 ? 0 : (size_t)k;
	for (size_t i = 0, first = 1; i < 3 && n < len; i++) {
		if (!v->count[order[i]])
			continue;
		k = snprintf(buf + n, len - n, "%s %u %s", first ? "" : ",",
			     v->count[order[i]], att_outcome_name(order[i]));
		n += k < 0 ? 0 : (size_t)k;
		first = 0;
	}
	return n < len ? n : len - 1;
}
