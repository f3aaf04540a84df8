/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dstate.h - what one read of a device's state file gave: a state or a failure */
#ifndef VFIOMIGTOP_DSTATE_H
#define VFIOMIGTOP_DSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "fsm.h"

/*
 * A device's observed value.  0..7 are the kernel's states (enum fsm_state);
 * the rest are outcomes that are never shown as a state.
 */
enum dstate {
	DS_ERROR = FSM_ERROR,
	DS_STOP = FSM_STOP,
	DS_RUNNING = FSM_RUNNING,
	DS_STOP_COPY = FSM_STOP_COPY,
	DS_RESUMING = FSM_RESUMING,
	DS_RUNNING_P2P = FSM_RUNNING_P2P,
	DS_PRE_COPY = FSM_PRE_COPY,
	DS_PRE_COPY_P2P = FSM_PRE_COPY_P2P,
	DS_INVALID,	/* the kernel printed "Invalid": state outside the enum */
	DS_EINVAL,	/* read failed with EINVAL: the driver's get_state failed */
	DS_GONE,	/* the device vanished (ENOENT, or EIO/ENODEV on an open file) */
	DS_EACCES,	/* permission denied */
	DS_UNPARSABLE,	/* the read returned text that is not one state line */
	DS_ERRNO,	/* another errno; kept beside the value */
	DS_NOMIG,	/* the device has no migration/ directory */
	DS_UNKNOWN,	/* not read yet */
	DS_NR,
};

/* Largest state file content we look at, in bytes; more is unparsable. */
#define DSTATE_READ_MAX 64

const char *dstate_token(enum dstate v);
const char *dstate_describe(enum dstate v);
int dstate_parse_token(const char *s, size_t len, enum dstate *out);
bool dstate_is_state(enum dstate v);
bool dstate_is_failure(enum dstate v);
enum dstate dstate_from_read(const char *buf, long n, int err);
enum dstate dstate_from_errno(int err);
unsigned int dstate_parse_features(const char *buf, size_t n, bool *dirty);

#endif
