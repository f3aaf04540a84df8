/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowgen.h - realistic VMM migration flows with known outcomes, and two
 * ways of watching them (exact steps, or polling), for the verdict oracle
 * (tests/unit/test_attempt.c) and its benchmark (tests/bench/verdicts.c).
 */
#ifndef VFIOMIGTOP_FLOWGEN_H
#define VFIOMIGTOP_FLOWGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attempt.h"

/* The VMM driving both sides. */
enum fg_vmm {
	FG_QEMU,		/* QEMU, device with P2P and PRE_COPY (mlx5, mtty) */
	FG_QEMU_NOPRE,		/* QEMU, device with P2P only (pds, xe) */
	FG_QEMU_NOP2P,		/* QEMU, device with PRE_COPY only (hisi_acc) */
	FG_CH,			/* Cloud Hypervisor: stop-copy only */
	FG_LVU,			/* libvfio-user style: separate destination requests */
	FG_NVMMS,
};

/* What happens. */
enum fg_kind {
	FG_SUCCESS,		/* completes; the source is reset 0..5 s later (or never) */
	FG_CANCEL_PRE,		/* cancelled in pre-copy */
	FG_CANCEL_STOP,		/* cancelled in stop-copy */
	FG_DST_KILLED,		/* the destination VMM killed while the source saves */
	FG_LOAD_FAIL_ERR,	/* the destination's driver rejects the data, enters ERROR */
	FG_LOAD_FAIL,		/* ... rejects it and stays in RESUMING, then is reset */
	FG_SRC_ERROR,		/* the source's driver fails a step and enters ERROR */
	FG_DST_STUCK,		/* the destination never leaves RESUMING */
	FG_SRC_KILLED,		/* the source VMM killed in stop-copy */
	FG_IDLE_ERROR,		/* never-opened VFs reading ERROR; maybe opened later */
	FG_RETRY,		/* a cancelled attempt, then one that completes */
	FG_NKINDS,
};

/* Most steps a flow has. */
#define FG_MAX_STEPS 96
/* Most true attempts in a flow. */
#define FG_MAX_ATT 3

/* One true step of a device. */
struct fg_step {
	uint64_t t_ns;		/* ns from the flow's start (plus FG_BASE) */
	int side;		/* ATT_SRC or ATT_DST */
	uint8_t from;		/* enum dstate */
	uint8_t to;		/* enum dstate */
	uint8_t target;		/* enum dstate the request asked for (a kernel step) */
	unsigned int flags;	/* ATT_F_FAILED (the device stayed in from), ATT_F_NOPATH */
};

/* A generated flow and its truth. */
struct fg_flow {
	enum fg_vmm vmm;			/* who drives it */
	enum fg_kind kind;			/* what happens */
	unsigned int features;			/* FSM_F_* of both devices */
	uint8_t init[2];			/* each side's value at the start */
	struct fg_step st[FG_MAX_STEPS];	/* steps in time order */
	size_t n;				/* entries in st */
	size_t natt;				/* true attempts */
	uint64_t att_start[FG_MAX_ATT];		/* each one's first step, ns */
	enum att_outcome truth[FG_MAX_ATT];	/* ... and its outcome */
	uint64_t end_ns;			/* watch until then, ns */
};

/* Times start here (a non-zero CLOCK_MONOTONIC-like base), ns. */
#define FG_BASE (1000ull * 1000000000ull)

/* Thresholds the flows are made for: nothing normal lasts this long. */
extern const struct att_cfg fg_cfg;

void fg_make(struct fg_flow *f, enum fg_vmm vmm, enum fg_kind kind,
	     uint64_t seed);
uint8_t fg_value_at(const struct fg_flow *f, int side, uint64_t t_ns);
const char *fg_vmm_name(enum fg_vmm v);
const char *fg_kind_name(enum fg_kind k);

/* What a watch of a flow decided. */
struct fg_result {
	size_t ndecided;		/* attempts decided */
	size_t nuncertain;		/* ... of them uncertain */
	size_t nwrong;			/* ... definite and not the truth */
	size_t nundecided;		/* true attempts no decided attempt stands for */
	size_t nhidden;			/* ... of them, ones the source device took no step in */
	size_t nrepeat;			/* attempts reported decided twice */
	char why[256];			/* the first wrong or repeated one, in words */
};

void fg_watch_exact(const struct fg_flow *f, struct fg_result *r);
void fg_watch_poll(const struct fg_flow *f, uint64_t interval_ns,
		   uint64_t seed, bool stale, struct fg_result *r);
void fg_watch_arcs(const struct fg_flow *f, uint64_t interval_ns,
		   uint64_t seed, struct fg_result *r);

#endif
