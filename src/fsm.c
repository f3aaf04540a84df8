// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fsm.c - the VFIO migration state machine as the kernel runs it.
 *
 * The kernel (vfio_mig_get_next_state() in drivers/vfio/vfio_main.c) turns a
 * request "go from CUR to TARGET" into a series of single steps: it looks up
 * the next step in a table written for a device with every optional feature,
 * and while that step names a state the device lacks it looks again from
 * that state.  We keep the same rule so that, when two samples show a jump
 * that is not one arc, the path the driver really walked can be rebuilt.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "fsm.h"
#include "fsm_short.h"

#include <errno.h>
#include <string.h>

/* next[cur][target]: next step for a device supporting every feature. */
static const unsigned char fsm_next[FSM_NR][FSM_NR] = {
	/*          E  S   R   SC  RS  RP  PC  PP */
	[E]  = {    E, E,  E,  E,  E,  E,  E,  E },
	[S]  = {    E, S,  RP, SC, RS, RP, RP, RP },
	[R]  = {    E, RP, R,  RP, RP, RP, PC, RP },
	[SC] = {    E, S,  S,  SC, S,  S,  E,  E },
	[RS] = {    E, S,  S,  S,  RS, S,  S,  S },
	[RP] = {    E, S,  R,  S,  S,  RP, R,  PP },
	[PC] = {    E, R,  R,  PP, R,  R,  PC, PP },
	[PP] = {    E, RP, RP, SC, RP, RP, PC, PP },
};

/* Feature flags a device needs for a state to exist; ERROR never does. */
static const unsigned int fsm_needs[FSM_NR] = {
	[E] = ~0u,
	[S] = FSM_F_STOP_COPY,
	[R] = FSM_F_STOP_COPY,
	[SC] = FSM_F_STOP_COPY,
	[RS] = FSM_F_STOP_COPY,
	[RP] = FSM_F_STOP_COPY | FSM_F_P2P,
	[PC] = FSM_F_STOP_COPY | FSM_F_PRE_COPY,
	[PP] = FSM_F_STOP_COPY | FSM_F_P2P | FSM_F_PRE_COPY,
};

static const char *const fsm_names[FSM_NR] = {
	[E] = "ERROR",
	[S] = "STOP",
	[R] = "RUNNING",
	[SC] = "STOP_COPY",
	[RS] = "RESUMING",
	[RP] = "RUNNING_P2P",
	[PC] = "PRE_COPY",
	[PP] = "PRE_COPY_P2P",
};

/* The kernel's name for @s, or "Invalid" (as debugfs prints) if unknown. */
const char *fsm_name(enum fsm_state s)
{
	if ((unsigned int)s >= FSM_NR)
		return "Invalid";
	return fsm_names[s];
}

/* Parse exactly one kernel state token of @len bytes (no newline). */
int fsm_parse(const char *s, size_t len, enum fsm_state *out)
{
	for (int i = 0; i < FSM_NR; i++) {
		if (strlen(fsm_names[i]) == len && !memcmp(fsm_names[i], s, len)) {
			*out = (enum fsm_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* True when a device with feature @flags can be in state @s. */
bool fsm_supported(enum fsm_state s, unsigned int flags)
{
	if ((unsigned int)s >= FSM_NR)
		return false;
	return (fsm_needs[s] & flags) == fsm_needs[s];
}

/* Flags a device must have if it was ever seen in state @s. */
unsigned int fsm_flags_implied(enum fsm_state s)
{
	if ((unsigned int)s >= FSM_NR || s == FSM_ERROR)
		return FSM_F_STOP_COPY;
	return fsm_needs[s];
}

/*
 * The next single step from @cur toward @target, as the kernel computes it.
 * Returns 0, or -EINVAL where the kernel refuses (unsupported current or
 * target state, ERROR as target, or no path such as STOP_COPY -> PRE_COPY).
 */
int fsm_next_step(enum fsm_state cur, enum fsm_state target,
		  unsigned int flags, enum fsm_state *next)
{
	enum fsm_state n;

	if (!fsm_supported(cur, flags) || !fsm_supported(target, flags)) {
		*next = FSM_ERROR;
		return -EINVAL;
	}
	n = (enum fsm_state)fsm_next[cur][target];
	while (!fsm_supported(n, flags) && n != FSM_ERROR)
		n = (enum fsm_state)fsm_next[n][target];
	*next = n;
	return n == FSM_ERROR ? -EINVAL : 0;
}

/* True when @from -> @to is one step a driver implements directly. */
bool fsm_is_arc(enum fsm_state from, enum fsm_state to, unsigned int flags)
{
	enum fsm_state n;

	if (from == to)
		return false;
	return fsm_next_step(from, to, flags, &n) == 0 && n == to;
}

/*
 * The steps the kernel takes from @from to @to, written to @steps (the final
 * state included, @from excluded).  Returns the number of steps (0 when the
 * two are equal) or -EINVAL when the kernel has no path or @max is too small.
 */
int fsm_path(enum fsm_state from, enum fsm_state to, unsigned int flags,
	     enum fsm_state *steps, int max)
{
	enum fsm_state cur = from;
	int n = 0;

	while (cur != to) {
		if (n >= max || n >= FSM_MAX_PATH)
			return -EINVAL;
		if (fsm_next_step(cur, to, flags, &cur))
			return -EINVAL;
		steps[n++] = cur;
	}
	return n;
}

/* True for the states in which a source produces migration data. */
bool fsm_is_saving(enum fsm_state s)
{
	return s == FSM_PRE_COPY || s == FSM_PRE_COPY_P2P || s == FSM_STOP_COPY;
}
