/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim.h - the migration simulator: scenario parser and replay into a
 * directory laid out like the vfio debugfs tree (ROOT/src and ROOT/dst).
 * The format is described in vfiomig-scenario(5).
 */
#ifndef VFIOMIGTOP_SIM_H
#define VFIOMIGTOP_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "fsm.h"

/* Longest device directory name, in bytes (NAME_MAX). */
#define SIM_NAME_MAX 255
/* Most bytes one raw step may write (raw length times repeat count). */
#define SIM_RAW_MAX (64u << 20)
/* Most steps a scenario may expand to. */
#define SIM_STEPS_MAX 1000000u
/* Feature flag for `dirty-tracking`; the other flags are FSM_F_*. */
#define SIM_F_DIRTY_TRACKING 0x100u
/* Features an `add` without a list gets: stop-copy,p2p,pre-copy. */
#define SIM_F_DEFAULT FSM_F_ALL

enum sim_side {
	SIM_SRC,
	SIM_DST,
	SIM_NOSIDE,
};

enum sim_action {
	SIM_ADD,
	SIM_ADD_NOMIG,
	SIM_REMOVE,
	SIM_STATE,	/* a request for state: the kernel walks its path */
	SIM_RESET,	/* back to RUNNING by no kernel step (a device reset) */
	SIM_FAIL,	/* the kernel chooses its next step toward state; the
			 * driver fails it and the device stays as it was */
	SIM_ERROR,	/* the driver sets ERROR by itself (no kernel step) */
	SIM_RAW,
	SIM_LOOP,
};

/* How a `migrate` line ends (its fail= option). */
enum sim_fail {
	SIM_FAIL_NONE,		/* it completes */
	SIM_FAIL_SRC_CANCEL,	/* cancelled while the source is in PRE_COPY */
	SIM_FAIL_SRC_ABORT,	/* fails in STOP_COPY; the source VM restarts */
	SIM_FAIL_DST_ERROR,	/* the destination fails to start, enters ERROR */
	SIM_FAIL_DST_REJECT,	/* the destination rejects the data, is reset */
	SIM_FAIL_DST_STUCK,	/* the destination stays in RESUMING */
};

/* The truth about a migration attempt. */
enum sim_outcome {
	SIM_COMPLETED,
	SIM_FAILED,
};

struct sim_step {
	int64_t time_ns;	/* ns since scenario start, scenario clock */
	unsigned int line;	/* 1-based line of the scenario it came from */
	enum sim_side side;	/* tree written: ROOT/src or ROOT/dst */
	char *dev;		/* device name, NUL-terminated, heap; NULL for loop */
	size_t dev_len;		/* bytes in dev, 1..SIM_NAME_MAX (0 for loop) */
	enum sim_action action;	/* what the step does */
	enum fsm_state state;	/* SIM_STATE: state requested; SIM_FAIL: its target */
	char *raw;		/* SIM_RAW: bytes written, heap, may hold NULs */
	size_t raw_len;		/* SIM_RAW: bytes in raw */
	size_t repeat;		/* SIM_RAW: times raw is written, >= 1 */
	unsigned int features;	/* SIM_ADD: FSM_F_* | SIM_F_DIRTY_TRACKING */
	bool has_features;	/* SIM_ADD: false for `add none` (no file) */
	bool with_error;	/* SIM_FAIL: the next step is an `error` of the
				 * same device at the same time: the driver
				 * enters ERROR as it fails (one request) */
	bool folded;		/* SIM_ERROR: applied by the fail before it */
};

/* One `migrate` line: what it starts, and how it ends. */
struct sim_migration {
	int64_t time_ns;	/* its TIME, ns, scenario clock */
	unsigned int line;	/* 1-based line of the scenario */
	enum sim_side side;	/* side of the source device */
	char *dev;		/* source device (on side), heap, NUL-terminated */
	size_t dev_len;		/* bytes in dev */
	char *peer;		/* destination device (other side), heap */
	size_t peer_len;	/* bytes in peer */
	enum sim_fail fail;	/* how it ends */
};

struct sim_scenario {
	struct sim_step *steps;	/* sorted by time_ns, stable in file order */
	size_t n;		/* number of steps */
	ssize_t loop;		/* index of the loop step (always n - 1), or -1 */
	struct sim_migration *migs; /* migrate lines, in file (and time) order */
	size_t nmigs;		/* entries in migs */
};

/* How a replay writes the tree. */
struct sim_opts {
	bool loop;		/* restart at the loop step until stopped */
	double speed;		/* scenario seconds per second, more than 0 */
	bool arcs;		/* write migration/arcs as the vfiomig module
				 * does (vfiomig(4)), with change notification */
	bool prime;		/* sim_start() applies the steps of time 0
				 * before it returns, so a reader started
				 * then finds the first tree complete */
};

struct sim_runner;
/* What the simulator knows of each device: state, features, arcs. */
struct sim_world;

/* Parse into @out (overwritten); 0, or -1 with "FILE:LINE: message". */
int sim_parse(const char *text, size_t len, const char *fname,
	      struct sim_scenario *out, char *err, size_t errlen);
void sim_free(struct sim_scenario *sc);
/* Print one step as a normalized scenario line (re-parseable). */
int sim_fprint_step(FILE *f, const struct sim_step *st);
/* Write @len bytes of @s as a scenario field: bare if safe, else quoted. */
int sim_fprint_field(FILE *f, const char *s, size_t len);

/* The outcome of a migrate line, and its fail= option's name (NULL for
 * none). */
enum sim_outcome sim_migration_outcome(const struct sim_migration *m);
const char *sim_fail_name(enum sim_fail f);
/* Print the truth: one line per migrate, "TIME SRC DST OUTCOME [FAIL]". */
int sim_fprint_truth(FILE *f, const struct sim_scenario *sc);

/* A world for sim_apply(); @arcs: write arc logs.  NULL when out of memory. */
struct sim_world *sim_world_new(bool arcs);
void sim_world_free(struct sim_world *w);
/* Requests whose arcs' time passed before their new state was in place
 * (the simulator was not scheduled in time: a busy machine); a reader may
 * have taken them as failed steps.  0 for NULL. */
uint64_t sim_world_late(const struct sim_world *w);
/* Say on @f, after "@who: ", that @n requests were late (nothing when 0). */
void sim_fprint_late(FILE *f, const char *who, uint64_t n);

/*
 * Apply one step to the tree under @root; 0 or -1 with a message.  @w
 * remembers each device between steps (NULL: no arcs, as a world without).
 */
int sim_apply(struct sim_world *w, const char *root,
	      const struct sim_step *st, char *err, size_t errlen);

/*
 * Replay @sc (copied) into @root from a thread, in real time on
 * CLOCK_MONOTONIC divided by @o->speed.  ROOT/src and ROOT/dst exist when
 * it returns 0; -1 with a message otherwise.
 */
int sim_start(struct sim_runner **out, const struct sim_scenario *sc,
	      const char *root, const struct sim_opts *o,
	      char *err, size_t errlen);
/* Stop the replay (promptly), join the thread and free @r. NULL is a no-op. */
void sim_stop(struct sim_runner *r);
/* True once the replay ended: last step done, or a step failed. */
bool sim_finished(const struct sim_runner *r);
/* An eventfd that becomes readable once sim_finished() is true. */
int sim_done_fd(const struct sim_runner *r);
/* sim_world_late() of the replay's world, while it runs or after. */
uint64_t sim_late(const struct sim_runner *r);
/* After the end: 0, or -1 with the failed step's message in err. */
int sim_error(const struct sim_runner *r, char *err, size_t errlen);

/* The embedded demo scenario (demo_scenario.c). */
extern const char sim_demo_scenario[];

/* mkdtemp $TMPDIR/vfiomigtop-demo-XXXXXX (mode 0700); 0 or -errno. */
int sim_make_tmproot(char *buf, size_t len);
/* Remove @root recursively without following symlinks; 0 or -errno. */
int sim_remove_tree(const char *root);

#endif
