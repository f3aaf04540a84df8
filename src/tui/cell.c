// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cell.c - turning a device into the cells of its row: a marker, the value,
 * the time in it, the transitions.  Every colour cue has a text marker too:
 * `x` (or a dagger) tombstone, `!` unacknowledged ERROR, `~` a change with
 * inferred steps, `*` a recent change; "busy" replaces the value while a
 * read is blocked.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "cell.h"
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "format.h"
#include "verdict.h"

enum role cell_state_role(enum dstate v)
{
	switch (v) {
	case DS_RUNNING:
	case DS_RUNNING_P2P:
		return ROLE_RUNNING;
	case DS_PRE_COPY:
	case DS_PRE_COPY_P2P:
		return ROLE_PRECOPY;
	case DS_STOP_COPY:
		return ROLE_STOPCOPY;
	case DS_STOP:
		return ROLE_STOP;
	case DS_RESUMING:
		return ROLE_RESUMING;
	case DS_ERROR:
		return ROLE_ERRSTATE;
	case DS_GONE:
		return ROLE_TOMB;
	case DS_NOMIG:
	case DS_UNKNOWN:
		return ROLE_NOMIG;
	default:
		return ROLE_FAILREAD;
	}
}

/*
 * True while the value changed less than @highlight_ns ago (a device that
 * just appeared did not change).  *@how tells whether the change was seen
 * step by step, reconstructed through steps not observed, or taken by no
 * kernel step at all (a reset).
 */
bool cell_changed(const struct model_dev *d, uint64_t highlight_ns,
		  uint64_t now, enum cell_how *how)
{
	struct model_trans last, prev;
	unsigned int kept = d->hist_n < MODEL_HIST ? d->hist_n : MODEL_HIST;

	*how = CELL_SEEN;
	/* Steps not taken (failed, refused, unsure) changed no value. */
	while (kept && model_hist_get(d, kept - 1, &last) &&
	       (last.flags & MODEL_T_ATTEMPT))
		kept--;
	if (!kept || !model_hist_get(d, kept - 1, &last))
		return false;
	if (last.from == DS_UNKNOWN || now >= last.t_ns + highlight_ns)
		return false;
	if (kept >= 2 && model_hist_get(d, kept - 2, &prev) &&
	    (prev.flags & MODEL_T_INFERRED) && prev.t_ns == last.t_ns)
		*how = CELL_INFERRED;
	if (last.flags & (MODEL_T_INFERRED | MODEL_T_MISSED))
		*how = CELL_INFERRED;
	else if ((last.flags & MODEL_T_NOPATH) && last.to != DS_ERROR)
		*how = CELL_RESET;
	return true;
}

/* The marker of a change: seen (*), inferred (~) or a reset (#).  Each
 * marker has one meaning, on every screen (help.c lists them all). */
const char *cell_how_mark(enum cell_how how)
{
	return how == CELL_INFERRED ? "~" : how == CELL_RESET ? "#" : "*";
}

/* A time counted to the second from here on (format_dur()), ns. */
#define CELL_WHOLE_NS (10 * CLOCK_NS_PER_S)

/*
 * The age at @now of what began at @t0, and in *@tick when its text next
 * reads differently.  An age counted in whole seconds or more is taken
 * as of the clock's last whole second (cfg->second_ns), so that every
 * row ticks with the header's clock, in one frame a second, and never
 * shows more than a second less than it is.  Below that, it is exact.
 */
static uint64_t cell_age(const struct cell_cfg *cfg, uint64_t now,
			 uint64_t t0, uint64_t *tick)
{
	uint64_t age = now > t0 ? now - t0 : 0, sec = cfg->second_ns, q, k;

	*tick = now + clock_dur_next(age);
	if (!sec || sec > now || age < CELL_WHOLE_NS)
		return age;
	if (sec <= t0 || sec - t0 < CELL_WHOLE_NS) {
		/* Exact a while more: counted as of the clock from its next
		 * second on. */
		if (sec + CLOCK_NS_PER_S < *tick)
			*tick = sec + CLOCK_NS_PER_S;
		return age;
	}
	q = sec - t0;
	k = (clock_dur_next(q) + CLOCK_NS_PER_S - 1) / CLOCK_NS_PER_S;
	*tick = sec + k * CLOCK_NS_PER_S;
	return q;
}

void cell_dev(const struct model_dev *d, unsigned int alerts,
	      const struct cell_cfg *cfg, uint64_t now, struct cell *out)
{
	enum cell_how how;
	bool changed = cell_changed(d, cfg->highlight_ns, now, &how);
	uint64_t tick, since = cell_age(cfg, now, d->since_ns, &tick);

	memset(out, 0, sizeof(*out));
	out->mark = " ";
	out->mark_role = ROLE_NORMAL;
	snprintf(out->state, sizeof(out->state), "%s", format_token(d->val));
	out->state_role = cell_state_role(d->val);
	format_dur(out->time, sizeof(out->time), since);
	out->tick_ns = tick;
	out->time_role = ROLE_NORMAL;
	snprintf(out->trans, sizeof(out->trans), "%u", d->transitions);
	if (model_dev_idle_error(d)) {
		/* A status, not a failure: VFs never opened read ERROR. */
		snprintf(out->state, sizeof(out->state), "ERROR idle");
		out->state_role = ROLE_NOMIG;
	}
	if (changed) {
		struct model_trans last;
		unsigned int kept = d->hist_n < MODEL_HIST ? d->hist_n : MODEL_HIST;

		if (kept && model_hist_get(d, kept - 1, &last))
			out->until_ns = last.t_ns + cfg->highlight_ns;
	}
	if (d->busy_ns && d->present) {
		snprintf(out->state, sizeof(out->state), "busy");
		out->state_role = ROLE_BUSY;
		since = now > d->busy_ns ? now - d->busy_ns : 0;
		format_dur(out->time, sizeof(out->time), since);
		out->tick_ns = now + clock_dur_next(since);
		out->time_role = ROLE_BUSY;
	}
	if (!d->present) {
		out->mark = cfg->ascii ? "x" : "\xe2\x80\xa0";
		out->mark_role = ROLE_TOMB;
		out->state_role = ROLE_TOMB;
		out->time_role = ROLE_TOMB;
		return;
	}
	if (alerts & CELL_AL_ERROR) {
		out->mark = "!";
		out->mark_role = ROLE_ALERT;
		out->state_role = ROLE_ALERT;
		return;
	}
	if (changed) {
		out->mark = cell_how_mark(how);
		out->mark_role = how != CELL_SEEN ? ROLE_INFERRED :
				 ROLE_CHANGED;
		if (out->state_role != ROLE_BUSY)
			out->state_role = ROLE_CHANGED;
	}
}

/*
 * A device whose source cannot read it now (a remote side disconnected or
 * stalled): its value is the last one known.  Marked "?" and dimmed.
 */
void cell_stale(struct cell *c)
{
	c->mark = "?";
	c->mark_role = ROLE_DIM;
	if (c->state_role != ROLE_ALERT)
		c->state_role = ROLE_DIM;
	c->time_role = ROLE_DIM;
}

/*
 * Put the reason's word right after the outcome, where a narrow column
 * still shows it: "FAILED: destination stuck ..." becomes "FAILED
 * stuck-resuming: destination stuck ...".
 */
static void cell_reason_first(char *text, size_t len, const char *code)
{
	static const char *const heads[] = { "FAILED: ", "uncertain: " };
	char tmp[sizeof(((struct cell_verdict *)0)->text)];

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		size_t h = strlen(heads[i]);

		if (strncmp(text, heads[i], h))
			continue;
		snprintf(tmp, sizeof(tmp), "%.*s %s: %s", (int)h - 2, heads[i],
			 code, text + h);
		snprintf(text, len, "%s", tmp);
		return;
	}
}

/*
 * The verdict cell of a row (@p NULL for a device alone): the latest
 * attempt with its reason's word first, and how many failed before it.
 */
void cell_verdict(const struct model *m, const struct model_pair *p,
		  unsigned int alerts, uint64_t now, struct cell_verdict *out)
{
	struct verdict v;
	uint32_t before;
	size_t n;

	out->mark = " ";
	out->role = ROLE_DIM;
	out->tick_ns = 0;
	if (!p) {
		snprintf(out->text, sizeof(out->text), "unpaired");
		return;
	}
	verdict_of(m, p, now, &v);
	verdict_text(&v, now, out->text, sizeof(out->text));
	out->tick_ns = verdict_text_next(&v, now);
	if (v.a && (v.kind == VERDICT_FAILED || v.kind == VERDICT_UNCERTAIN))
		cell_reason_first(out->text, sizeof(out->text),
				  att_reason_code(v.a->reason));
	n = strlen(out->text);
	before = v.count[ATT_FAILED] - (v.kind == VERDICT_FAILED);
	if (before && n < sizeof(out->text))
		snprintf(out->text + n, sizeof(out->text) - n, " (%u failed before)",
			 before);
	switch (v.kind) {
	case VERDICT_UNPAIRED:
		break;
	case VERDICT_IDLE:
		out->role = ROLE_NORMAL;
		break;
	case VERDICT_COMPLETED:
		out->role = ROLE_OK;
		break;
	case VERDICT_UNCERTAIN:
		out->role = ROLE_UNCERTAIN;	/* the text says "uncertain" */
		break;
	case VERDICT_FAILED:
		out->role = ROLE_FAILED;
		if (alerts & CELL_AL_FAIL) {
			out->mark = "!";
			out->role = ROLE_ALERT;
		}
		break;
	default:
		out->role = ROLE_PROGRESS;
		break;
	}
	if (v.stranded && out->role != ROLE_ALERT)
		out->role = ROLE_FAILED;
}
