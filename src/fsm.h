/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsm.h - the VFIO migration state machine: states, arcs, next-step rule */
#ifndef VFIOMIGTOP_FSM_H
#define VFIOMIGTOP_FSM_H

#include <stdbool.h>
#include <stddef.h>

/* Values equal the kernel's enum vfio_device_mig_state. */
enum fsm_state {
	FSM_ERROR = 0,
	FSM_STOP = 1,
	FSM_RUNNING = 2,
	FSM_STOP_COPY = 3,
	FSM_RESUMING = 4,
	FSM_RUNNING_P2P = 5,
	FSM_PRE_COPY = 6,
	FSM_PRE_COPY_P2P = 7,
	FSM_NR = 8,
};

/* Feature flags; values equal the kernel's VFIO_MIGRATION_* bits. */
#define FSM_F_STOP_COPY 0x1u
#define FSM_F_P2P 0x2u
#define FSM_F_PRE_COPY 0x4u
#define FSM_F_ALL (FSM_F_STOP_COPY | FSM_F_P2P | FSM_F_PRE_COPY)

/* Longest path the kernel ever takes between two states, in steps. */
#define FSM_MAX_PATH 4

const char *fsm_name(enum fsm_state s);
int fsm_parse(const char *s, size_t len, enum fsm_state *out);
bool fsm_supported(enum fsm_state s, unsigned int flags);
int fsm_next_step(enum fsm_state cur, enum fsm_state target,
		  unsigned int flags, enum fsm_state *next);
bool fsm_is_arc(enum fsm_state from, enum fsm_state to, unsigned int flags);
int fsm_path(enum fsm_state from, enum fsm_state to, unsigned int flags,
	     enum fsm_state *steps, int max);
bool fsm_is_saving(enum fsm_state s);
unsigned int fsm_flags_implied(enum fsm_state s);

#endif
