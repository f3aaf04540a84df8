/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.h - devices, their histories, transitions, and source/destination pairs */
#ifndef VFIOMIGTOP_MODEL_H
#define VFIOMIGTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attempt.h"
#include "dstate.h"
#include "pair.h"
#include "snapshot.h"
#include "strmap.h"

struct devinfo;

/* How a source's devices are assigned to sides. */
enum model_feed {
	MODEL_FEED_SRC,		/* every device is a source device */
	MODEL_FEED_DST,		/* every device is a destination device */
	MODEL_FEED_SHARED,	/* one tree for both: --pair decides, the rest are sources */
};

/* Transitions kept per device. */
#define MODEL_HIST 64
/* Events kept for views. */
#define MODEL_EVENTS 4096

/* Flags of a transition (the same bits as SNAP_STEP_*). */
#define MODEL_T_INFERRED SNAP_STEP_INFERRED	/* rebuilt with the kernel's rule, not observed */
#define MODEL_T_ARC SNAP_STEP_ARC		/* taken from the module's arc log (kernel time) */
#define MODEL_T_NOPATH SNAP_STEP_NOPATH		/* no kernel path explains it (a reset?) */
#define MODEL_T_FAILED SNAP_STEP_FAILED		/* a step the kernel chose and the device did not take */
#define MODEL_T_REFUSED SNAP_STEP_REFUSED	/* a request the kernel refused; to = the target */
#define MODEL_T_LOSS SNAP_STEP_LOSS		/* steps were lost before it: seen, not exact */
#define MODEL_T_MISSED SNAP_STEP_MISSED	/* read values with steps between them that are not known */
#define MODEL_T_UNSURE SNAP_STEP_UNSURE	/* a step the kernel chose; taken or failed, not known */
/* Flags of entries that did not change the device's state (or not knowably). */
#define MODEL_T_ATTEMPT (MODEL_T_FAILED | MODEL_T_REFUSED | MODEL_T_UNSURE)

/*
 * What an index holds.  A device gone for good (its tombstone expired)
 * is forgotten: no view lists it and its name is free, so one that comes
 * back is a new device.  Its index is free for a new device once no kept
 * event or VMM failure names it; a view that keeps per-index state
 * longer than that compares model_dev.serial.
 */
enum model_life {
	MODEL_LIVE,		/* present, or vanished and still listed */
	MODEL_FORGOTTEN,	/* gone for good; kept events may still name it */
	MODEL_FREE,		/* nothing names it: the next new device takes the index */
};

/* One change of a device's value. */
struct model_trans {
	uint64_t t_ns;		/* CLOCK_MONOTONIC ns (local) when it happened or was seen */
	uint64_t lo_ns;		/* CLOCK_MONOTONIC ns: a read change happened after this (the last read of the value before); 0 unknown */
	uint8_t from;		/* enum dstate before */
	uint8_t to;		/* enum dstate after */
	uint8_t flags;		/* MODEL_T_* */
};

/* A device as the monitor knows it.  Fields read on every refresh come
 * first, so that a refresh over thousands of devices touches few cache
 * lines. */
struct model_dev {
	enum model_life life;		/* listed, forgotten, or a free index */
	uint64_t serial;		/* model.dev_serial when this index took this device: views keep per-index state with it */
	enum pair_side side;		/* which pane it belongs to */
	int order;			/* rank of first appearance on its side */
	unsigned int feed;		/* index of the source feeding it */
	uint32_t slot;			/* slot in that source */
	uint32_t gen;			/* generation of that slot */
	uint64_t appeared;		/* model.appear_seq at its last appearance */
	bool present;			/* the source lists it now */
	unsigned int mapped;		/* source slots that hold it (model_feedinfo.slotdev) */
	enum dstate val;		/* current value */
	int err;			/* errno behind a failure value */
	uint64_t first_ns;		/* CLOCK_MONOTONIC ns when first seen */
	uint64_t since_ns;		/* CLOCK_MONOTONIC ns when val began */
	uint64_t gone_ns;		/* CLOCK_MONOTONIC ns when it vanished; 0 while present */
	uint64_t busy_ns;		/* CLOCK_MONOTONIC ns since a read is pending; 0 if none */
	unsigned int transitions;	/* state-machine steps seen or inferred */
	unsigned int features;		/* FSM_F_* from the features file */
	bool features_known;		/* a features file exists */
	bool dirty_tracking;		/* features list dirty-tracking */
	unsigned int flags_seen;	/* FSM_F_* implied by the states seen */
	bool entered_error;		/* went into ERROR while watched (not its first value) */
	int pair;			/* index of its pair in model.pairs, -1 if none */
	bool dqueued;			/* listed in model.dq */
	struct model_track *trk;	/* a source's attempts with its destination; NULL */
	bool exact;			/* steps come from an arc log or an agent: no inference */
	uint8_t raw_len;		/* bytes in raw */
	char raw[DSTATE_READ_MAX];	/* unparsable content, raw */
	char name[SNAP_NAME_MAX];	/* directory name, raw bytes (after the hot fields) */
	uint64_t last_ev;		/* seq of the last event naming it; 0 none */
	uint64_t last_vf;		/* seq of the last VMM failure naming it; 0 none */
	unsigned int hist_n;		/* transitions recorded since it was first seen; ring index is hist_n % MODEL_HIST */
	struct model_trans *hist;	/* ring of the latest MODEL_HIST transitions; NULL while hist_n is 0 */
};

/* What kind of event a view is told about. */
enum model_ev_kind {
	MODEL_EV_TRANS,		/* a device value changed (or appeared) */
	MODEL_EV_PAIR,		/* an attempt of a pair changed phase, or was decided */
};

/* One event, in the order observed. */
struct model_event {
	uint64_t seq;		/* increasing number, from 1 */
	uint64_t t_ns;		/* CLOCK_MONOTONIC ns (local) */
	enum model_ev_kind kind;	/* which union member is valid */
	int dev;		/* device index (TRANS) */
	int pair;		/* pair index (PAIR) */
	struct model_trans tr;	/* the transition (TRANS) */
	struct att_event att;	/* the attempt, decided or in a new phase (PAIR) */
};

/* The attempts of a source device with one destination device. */
struct model_track {
	struct att_track att;		/* the attempts */
	int dst;			/* the destination's device index */
	unsigned int fed[PAIR_NSIDES];	/* hist_n of each device already given to att */
};

/* A migration failure a VMM reported, as handed to the model
 * (model_vmm_failed()): the journal records it so that a replay decides
 * as the live run did. */
struct model_vmmfail {
	uint64_t seq;		/* increasing number, from 1 */
	int dev;		/* the device the VMM has */
	uint64_t lo_ns;		/* CLOCK_MONOTONIC ns: the VMM's migration began after this */
	uint64_t t_ns;		/* CLOCK_MONOTONIC ns it failed */
	char text[256];		/* the VMM's words */
};

/* VMM failures kept for the journal (one refresh has at most a few). */
#define MODEL_VMMFAILS 64

/* One source/destination pair. */
struct model_pair {
	int dev[PAIR_NSIDES];		/* device index per side, -1 when missing */
	const char *want[PAIR_NSIDES];	/* names from --pair (never NULL: "" otherwise) */
	const struct att_track *att;	/* its attempts; NULL unless both devices are known */
	bool queued;			/* in model.pq: the next update looks at it */
};

/* Settings of the model. */
struct model_cfg {
	const struct pair_spec *pairs;	/* explicit --pair list */
	size_t npairs;			/* entries in pairs */
	struct att_cfg ac;		/* verdict thresholds */
	uint64_t tomb_ns;		/* how long a vanished device stays listed, ns; 0 = forever */
};

/* Per-source bookkeeping. */
struct model_feedinfo {
	enum model_feed kind;		/* side assignment */
	int *slotdev;			/* slot -> device index, -1 */
	size_t nslots;			/* entries in slotdev */
	const struct snapshot *sn;	/* its last snapshot (valid until its next refresh) */
};

struct model {
	struct model_cfg cfg;		/* settings */
	struct model_dev **devs;	/* devices; an index is stable until its device is forgotten (enum model_life) */
	size_t ndevs;			/* entries in devs, free ones included */
	size_t devcap;			/* allocated */
	int *freeidx;			/* indices of MODEL_FREE entries, taken last first */
	size_t nfree;			/* entries in freeidx */
	size_t freecap;			/* allocated */
	uint64_t dev_serial;		/* devices created so far (serial of the newest) */
	struct strmap byname;		/* "s:" / "d:" + name -> index */
	int next_order[PAIR_NSIDES];	/* next appearance rank per side */
	struct model_feedinfo *feeds;	/* one per source */
	size_t nfeeds;			/* entries in feeds */
	struct model_pair *pairs;	/* current pairs */
	size_t npairs;			/* entries in pairs */
	bool repair;			/* device set changed: recompute pairs */
	uint64_t tomb_next_ns;		/* CLOCK_MONOTONIC ns when the first paired tombstone expires; 0 none */
	struct model_vmmfail *vf;	/* ring of MODEL_VMMFAILS VMM failures */
	uint64_t vf_seq;		/* seq of the last one */
	int *pq;			/* pairs the next update looks at: news, or an attempt under way */
	size_t npq;			/* entries in pq */
	size_t pqcap;			/* allocated */
	uint64_t appear_seq;		/* appearances of devices so far, a device back counting again */
	int *dq;			/* devices changed in any way since model_dev_changed_take() */
	size_t ndq;			/* entries in dq (each device once) */
	size_t dqcap;			/* allocated */
	bool dq_all;			/* dq could not grow: take every device as changed */
	struct model_event *ev;		/* ring of MODEL_EVENTS events */
	uint64_t ev_seq;		/* seq of the last event */
	bool any_error;			/* a device went into ERROR during the run */
	uint32_t outcomes[ATT_NOUTCOMES];	/* attempts decided during the run, per outcome */
	uint64_t now_ns;		/* CLOCK_MONOTONIC ns of the last update */
	uint64_t change_gen;		/* bumped by anything a view may show differently (a count) */
	uint64_t forgotten;		/* devices forgotten (model_forget()), ever */
	uint64_t reused;		/* indices taken again by a new device, ever */
	const struct devinfo *info;	/* identity, owners, QEMU's view (devinfo.h); NULL if none */
};

int model_init(struct model *m, const struct model_cfg *cfg);
int model_add_feed(struct model *m, enum model_feed kind);
int model_ingest(struct model *m, unsigned int feed, const struct snapshot *sn,
		 uint64_t now_ns);
void model_update_pairs(struct model *m, uint64_t now_ns);
const struct model_event *model_event(const struct model *m, uint64_t seq);
bool model_dev_listed(const struct model_dev *d, uint64_t tomb_ns,
		      uint64_t now);
unsigned int model_hist_get(const struct model_dev *d, unsigned int i,
			    struct model_trans *out);
size_t model_open_attempts(const struct model *m);
bool model_dev_idle_error(const struct model_dev *d);
size_t model_dev_changed_take(struct model *m, int **out, bool *all);
void model_vmm_failed(struct model *m, int dev, uint64_t lo_ns, uint64_t t_ns,
		      const char *text);
const struct model_vmmfail *model_vmmfail(const struct model *m, uint64_t seq);
int model_dev_find(const struct model *m, enum pair_side side,
		   const char *name);
void model_free(struct model *m);

#endif
