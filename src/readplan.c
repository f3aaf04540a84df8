// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * readplan.c - which state files a refresh reads.
 *
 * Upstream debugfs tells nobody when a state changes: every file is read
 * at every refresh.  The vfiomig module sends IN_MODIFY when a device takes
 * a step, and a file written by a program on a local file system raises
 * events too, so there a quiet device need not be read: a refresh reads
 * what notified, what is not idle (a migration under way is polled as
 * before: its confirmations feed the verdicts), what changed in the last
 * READPLAN_HOT_NS, and a slice of the rest once a READPLAN_SWEEP_STEP_NS,
 * so that every device is read within READPLAN_SWEEP_NS and a step
 * whatever happens (resets and a driver's own ERROR are not notified).
 * An idle screen's cost then no longer grows with the number of devices
 * at the refresh rate, only at the sweep's.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "clock.h"
#include "readplan.h"

/* Why the refresh at @now_ns reads @v (READPLAN_SKIP: it need not). */
enum readplan_why readplan_need(const struct readplan_dev *v, uint64_t now_ns)
{
	if (!v->notified)
		return READPLAN_POLL;
	if (v->dirty || v->val == DS_UNKNOWN)
		return READPLAN_DIRTY;
	if (v->val != DS_RUNNING)
		return READPLAN_HOT;
	if (v->change_ns && now_ns - v->change_ns < READPLAN_HOT_NS)
		return READPLAN_HOT;
	return READPLAN_SKIP;
}

/* How many of @nslots slots the sweep visits in a refresh that comes
 * @elapsed_ns after the previous one: all of them over READPLAN_SWEEP_NS,
 * at least one. */
size_t readplan_quota(size_t nslots, uint64_t elapsed_ns)
{
	uint64_t q;

	if (!nslots)
		return 0;
	if (elapsed_ns >= READPLAN_SWEEP_NS)
		return nslots;
	q = ((uint64_t)nslots * elapsed_ns + READPLAN_SWEEP_NS - 1) /
	    READPLAN_SWEEP_NS;
	return q ? (size_t)q : 1;
}

/*
 * The sweep's slice for a refresh at @now_ns, the last slice taken at
 * @last_ns (0: never): nothing until READPLAN_SWEEP_STEP_NS went by, then
 * what that time is owed (readplan_quota()).  Every slot is read within
 * READPLAN_SWEEP_NS and a step, plus a refresh interval.
 */
size_t readplan_sweep(size_t nslots, uint64_t last_ns, uint64_t now_ns)
{
	uint64_t since = last_ns && now_ns > last_ns ? now_ns - last_ns :
			 READPLAN_SWEEP_NS;

	if (last_ns && since < READPLAN_SWEEP_STEP_NS)
		return 0;
	return readplan_quota(nslots, since);
}
