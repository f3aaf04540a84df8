/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * attempt.h - the migration attempts of one source/destination pair, each
 * judged on evidence: completed, failed or uncertain, never guessed, and
 * final once decided.  Pure: fed with what was read, no I/O, no clock.
 */
#ifndef VFIOMIGTOP_ATTEMPT_H
#define VFIOMIGTOP_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The two sides (the same values as enum pair_side). */
#define ATT_SRC 0
#define ATT_DST 1

/* What became of an attempt. */
enum att_outcome {
	ATT_OPEN,		/* under way: not decided yet */
	ATT_COMPLETED,		/* the destination accepted the data */
	ATT_FAILED,		/* evidence of a failure: see the reason */
	ATT_UNCERTAIN,		/* the evidence cannot tell: see the reason */
	ATT_NOUTCOMES,
};

/* Where an open attempt stands. */
enum att_phase {
	ATT_PH_PRE_COPY,	/* the source is in PRE_COPY(_P2P) */
	ATT_PH_STOP_COPY,	/* the source stopped the VM or is in STOP_COPY */
	ATT_PH_RESUMING,	/* the source is done; the destination is loading */
};

/* Why an attempt failed or is uncertain. */
enum att_reason {
	ATT_R_NONE,
	/* failed */
	ATT_R_ERROR,		/* a device entered ERROR */
	ATT_R_STEP,		/* a driver failed a step (arc log) */
	ATT_R_RESET,		/* the destination left RESUMING by no kernel step */
	ATT_R_ABANDONED,	/* the source resumed while the destination was loading */
	ATT_R_NOLOAD,		/* the source resumed; the destination never loaded */
	ATT_R_DST_LEFT,		/* the destination left RESUMING while the source was saving */
	ATT_R_STUCK_DST,	/* the destination stayed in RESUMING after the source was done */
	ATT_R_NOSRC,		/* the destination stayed in RESUMING; the source never migrated */
	ATT_R_STUCK_SRC,	/* the source stayed in STOP_COPY (the VM paused) too long */
	ATT_R_GONE,		/* a device vanished before its part was done */
	ATT_R_BUSY,		/* a read stayed blocked too long */
	ATT_R_VMM,		/* the VMM failed the migration before any device changed state */
	/* uncertain */
	ATT_U_LEFT,		/* the destination left RESUMING for RUNNING between two reads */
	ATT_U_BOTH,		/* both sides were back in RUNNING between two reads */
	ATT_U_NOLOAD,		/* the source resumed; the destination was not seen loading */
	ATT_U_BLIND,		/* a side could not be read while it mattered */
	ATT_NREASONS,
};

/* Flags of att_step(). */
#define ATT_F_FAILED 0x1	/* the driver failed the step: the device stayed in from */
#define ATT_F_NOPATH 0x2	/* the value changed by no kernel step (a reset) */
#define ATT_F_UNSURE 0x4	/* the kernel chose the step; taken or failed is not known */

/* Why a side cannot be read (att_blind()). */
enum att_blind {
	ATT_B_NONE,
	ATT_B_STALE,		/* its source is down or stalled */
	ATT_B_READ,		/* reads fail (EINVAL, EACCES, garbage, ...) */
	ATT_B_BUSY,		/* a read is blocked */
	ATT_B_LOSS,		/* steps were lost (arc log overflow or a gap) */
};

/* Thresholds. */
struct att_cfg {
	uint64_t stuck_ns;	/* RESUMING after the source is done, or STOP_COPY, longer than this fails, ns */
	uint64_t busy_ns;	/* a read blocked longer than this fails, ns; 0 = never */
};

/* One stretch of a side's value as reads or exact steps show it. */
struct att_seg {
	uint64_t lo_ns;		/* the value began after this time (CLOCK_MONOTONIC ns; == hi when exact) */
	uint64_t hi_ns;		/* ... and at or before this one (first read, or the step) */
	uint64_t seen_ns;	/* latest time it was confirmed (read, or known through) */
	uint8_t val;		/* enum dstate, always a state */
	uint8_t how;		/* ATT_HOW_* */
};

#define ATT_HOW_FIRST 0		/* the first value seen: a status, not an event */
#define ATT_HOW_READ 1		/* a read showed a new value: the change fell between reads */
#define ATT_HOW_EXACT 2		/* an exact kernel step (arc log, or an agent relaying one) */
#define ATT_HOW_RESET 3		/* an exact change by no kernel step */

/* Segments kept per side. */
#define ATT_SEGS 16

/* What one side is known to have done. */
struct att_side {
	struct att_seg seg[ATT_SEGS];	/* ring of the latest stretches */
	unsigned int nseg;		/* stretches ever recorded; ring index nseg % ATT_SEGS */
	bool exact;			/* its changes arrive as exact steps */
	unsigned int features;		/* FSM_F_* of the device; 0 when not known */
	enum att_blind blind;		/* why it cannot be read now; ATT_B_NONE if it can */
	uint64_t blind_ns;		/* CLOCK_MONOTONIC ns since it cannot be read */
	bool gone;			/* the device vanished */
	uint64_t unsure_ns;		/* CLOCK_MONOTONIC ns of an unsure step not yet followed, 0 if none */
};

/* A time span: the event happened after lo and at or before hi. */
struct att_span {
	uint64_t lo_ns;		/* CLOCK_MONOTONIC ns, exclusive */
	uint64_t hi_ns;		/* CLOCK_MONOTONIC ns, inclusive; 0 = not known */
};

/* One attempt. */
struct att_attempt {
	uint32_t no;			/* number within the pair, from 1 */
	enum att_outcome outcome;	/* ATT_OPEN until decided */
	enum att_reason reason;		/* why failed or uncertain */
	int side;			/* ATT_SRC or ATT_DST: whose evidence decided it */
	uint8_t from;			/* enum dstate involved: state left, step from */
	uint8_t to;			/* enum dstate involved: state entered, step to */
	bool exact;			/* decided on exact steps */
	bool start_seen;		/* the start was seen (not already under way at first sight) */
	uint64_t start_ns;		/* CLOCK_MONOTONIC ns it began (at or before) */
	uint64_t end_ns;		/* CLOCK_MONOTONIC ns of the deciding event; 0 while open */
	uint64_t gap_ns;		/* widest read interval behind an uncertain verdict, ns */
	enum att_blind blind;		/* ATT_U_BLIND: why the side was unreadable */
	enum att_phase phase;		/* while open: where it stands */
	uint64_t phase_ns;		/* CLOCK_MONOTONIC ns the phase began (as seen) */
	/* evidence gathered while open */
	bool s_saving;			/* the source entered a saving state */
	uint8_t s_last_saving;		/* enum dstate: the last saving state it was seen in */
	struct att_span s_done;		/* the source left its saving states for STOP or RUNNING */
	struct att_span s_resumed;	/* the source was back in RUNNING */
	uint8_t s_resumed_from;		/* enum dstate it resumed from */
	bool s_resumed_exact;		/* ... seen as exact steps */
	bool d_loading;			/* the destination was in RESUMING during the attempt */
	uint32_t d_seg;			/* its RESUMING stretch: the side's nseg then; 0 if none */
	struct att_span d_left;		/* the destination left RESUMING for RUNNING, cause unseen */
	uint64_t d_fail_ns;		/* a deciding destination fact (accept, ERROR, ...), 0 if none */
	char vmm[2][96];		/* per side: the VMM's error text (QEMU's error-desc), "" if none */
};

/* Longest VMM error text kept (att_vmm_failed()). */
#define ATT_VMM_TEXT 96

/* Decided attempts kept with their details per pair. */
#define ATT_KEEP 8

/* What att_eval() reports. */
struct att_event {
	bool decided;			/* an attempt was decided (else: a phase change) */
	bool note;			/* ... decided before: reported again with the VMM's text */
	struct att_attempt a;		/* the attempt (as decided, or the open one) */
};

/* The attempts of one pair. */
struct att_track {
	struct att_side side[2];	/* ATT_SRC, ATT_DST */
	bool open;			/* cur is under way */
	bool phase_reported;		/* cur's phase was reported once */
	struct att_attempt cur;		/* the open attempt, or the last decided one */
	struct att_attempt kept[ATT_KEEP];	/* ring of decided attempts */
	uint32_t ndecided;		/* attempts decided, ever; ring index ndecided % ATT_KEEP */
	uint32_t reported;		/* of those, reported by att_eval() */
	uint32_t count[ATT_NOUTCOMES];	/* decided attempts per outcome, ever */
	bool pending_events;		/* something changed since the last att_eval() */
	bool renote;			/* the latest decided attempt got the VMM's text: report it again */
};

void att_init(struct att_track *t);
void att_set_exact(struct att_track *t, int side, bool exact);
void att_set_features(struct att_track *t, int side, unsigned int features);
void att_value(struct att_track *t, int side, uint8_t val, uint64_t lo_ns,
	       uint64_t t_ns);
void att_step(struct att_track *t, int side, uint8_t from, uint8_t to,
	      uint64_t lo_ns, uint64_t t_ns, unsigned int flags);
void att_confirm(struct att_track *t, int side, uint64_t t_ns);
void att_blind(struct att_track *t, int side, enum att_blind why,
	       uint64_t t_ns);
void att_gone(struct att_track *t, int side, uint64_t t_ns);
void att_vmm_failed(struct att_track *t, int side, uint64_t lo_ns,
		    uint64_t t_ns, const char *text);
size_t att_eval(struct att_track *t, const struct att_cfg *cfg, uint64_t now_ns,
		struct att_event *ev, size_t max);

const struct att_attempt *att_kept(const struct att_track *t, unsigned int i);
const struct att_seg *att_cur_seg(const struct att_track *t, int side);
bool att_stranded(const struct att_track *t, const struct att_cfg *cfg,
		  uint64_t now_ns, int *side, uint64_t *since_ns);
uint64_t att_stranded_due(const struct att_track *t, const struct att_cfg *cfg,
			  uint64_t now_ns);

const char *att_outcome_name(enum att_outcome o);
const char *att_phase_name(enum att_phase p);
const char *att_reason_code(enum att_reason r);
size_t att_reason_text(const struct att_attempt *a, char *buf, size_t len);
size_t att_hint_text(const struct att_attempt *a, char *buf, size_t len);
size_t att_describe(const struct att_attempt *a, uint64_t now_ns, char *buf,
		    size_t len);

#endif
