/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapshot.h - what a source hands the model after each refresh */
#ifndef VFIOMIGTOP_SNAPSHOT_H
#define VFIOMIGTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dstate.h"

/* Longest device name kept, in bytes, NUL included (NAME_MAX + 1). */
#define SNAP_NAME_MAX 256

/* One device slot as a source last saw it.  Slots are reused.  The fields
 * a refresh touches come first; the name and raw bytes after them. */
struct snap_dev {
	uint32_t gen;			/* generation: changes whenever the slot holds a new device */
	bool present;			/* the slot holds a live device */
	enum dstate val;		/* value of the last completed read */
	int err;			/* errno behind a failure value, 0 otherwise */
	unsigned int features;		/* FSM_F_* flags from the features file */
	bool features_known;		/* a features file was read */
	bool dirty_tracking;		/* the features file lists dirty-tracking */
	uint64_t read_ns;		/* CLOCK_MONOTONIC ns when val was read (the read's end) */
	uint64_t seen_ns;		/* CLOCK_MONOTONIC ns: val held at or after this (the last read's start); 0 unknown */
	uint64_t prev_ns;		/* CLOCK_MONOTONIC ns: the value before val last held then; 0 unknown */
	uint64_t busy_ns;		/* CLOCK_MONOTONIC ns since a read has been pending; 0 if none */
	char name[SNAP_NAME_MAX];	/* directory name, raw bytes, NUL-terminated */
	uint8_t raw_len;		/* bytes valid in raw */
	char raw[DSTATE_READ_MAX];	/* first bytes of unparsable content, raw */
	bool exact;			/* its changes come as steps (arc log, agent): never infer */
	bool stale;			/* last known value: the source cannot read it now */
};

/* Flags of a snap_step (same bits as MODEL_T_* in model.h). */
#define SNAP_STEP_INFERRED 0x1	/* rebuilt with the kernel's rule, not seen */
#define SNAP_STEP_ARC 0x2	/* from the kernel module's arc log */
#define SNAP_STEP_NOPATH 0x4	/* no kernel path explains it (a reset?) */
#define SNAP_STEP_FAILED 0x8	/* the kernel chose this step but the device did not take it */
#define SNAP_STEP_REFUSED 0x10	/* the kernel refused the request (to = the target asked for) */
#define SNAP_STEP_LOSS 0x20	/* arcs were lost before it: the change was seen, not followed */
#define SNAP_STEP_MISSED 0x40	/* seen between two reads, through steps not known */
#define SNAP_STEP_UNSURE 0x80	/* the kernel chose this step; whether the device took it is not known */

/*
 * One step a source knows happened, with its own time: from the kernel
 * module's arc log, or relayed by a remote agent.  When a slot has steps in
 * a refresh, the model records them instead of diffing values.
 */
struct snap_step {
	uint32_t slot;			/* device slot */
	uint32_t gen;			/* generation of the slot */
	uint64_t t_ns;			/* CLOCK_MONOTONIC ns, local clock (remote times converted) */
	uint64_t lo_ns;			/* NOPATH, LOSS: it happened after this (the read before), ns; 0 */
	uint8_t from;			/* enum dstate before */
	uint8_t to;			/* enum dstate after */
	uint8_t flags;			/* SNAP_STEP_* */
};

/* Health of a source as a whole. */
enum snap_link {
	SNAP_LINK_OK,			/* reading normally */
	SNAP_LINK_DEGRADED,		/* reading, with a problem worth showing */
	SNAP_LINK_DOWN,			/* nothing can be read now; values are stale */
};

/* Everything a source knows after a refresh. */
struct snapshot {
	struct snap_dev *dev;		/* slots, indexed by slot number */
	size_t nslots;			/* slots in use or free (valid entries in dev) */
	uint32_t *changed;		/* slots whose entry changed in the last refresh */
	size_t nchanged;		/* entries in changed */
	struct snap_step *steps;	/* steps known since the previous refresh, in order */
	size_t nsteps;			/* entries in steps */
	uint64_t t_ns;			/* CLOCK_MONOTONIC ns when the refresh ended */
	enum snap_link link;		/* source health */
	char msg[256];			/* why the link is not OK, or a notice; empty if none */
	int64_t clock_offset_ns;	/* remote CLOCK_REALTIME minus local, ns (0 when local) */
	bool urgent;			/* news arrived (a change notification): refresh now */
	bool ever;			/* its devices were read at least once (a remote side: synced) */
	char host[256];			/* host the devices are on; "" for this host */
};

#endif
