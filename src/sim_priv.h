/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_priv.h - what the simulator's files share and nothing else uses: the
 * meaning of a `migrate` line (sim_migrate.c), the devices a replay knows
 * and their arc logs (sim_world.c), a time formatter (sim_parse.c).
 */
#ifndef VFIOMIGTOP_SIM_PRIV_H
#define VFIOMIGTOP_SIM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* Format @ns as seconds with 3 decimals (rounded to the ms) into @buf. */
const char *sim_fmt_time(char buf[32], int64_t ns);

/*
 * Open ROOT and create ROOT/src and ROOT/dst if missing (sim_apply.c).
 * Returns an fd on ROOT/@side, 0 for SIM_NOSIDE, or -1 with a message.
 */
int sim_open_sides(const char *root, enum sim_side side, char *err,
		   size_t errlen);

/* ---- migrate lines (sim_migrate.c) ---- */

/* How a `migrate` line was qualified. */
struct sim_mig_opts {
	bool precopy;		/* the source goes through PRE_COPY */
	bool p2p;		/* the devices have the P2P states */
	enum sim_fail fail;	/* how it ends */
	unsigned int seen;	/* option groups given (for conflicts) */
};

/* What sim_mig_option() found wrong. */
#define SIM_MIG_EUNKNOWN (-1)
#define SIM_MIG_ECONFLICT (-2)

/* One step of a migrate expansion. */
struct sim_mig_ev {
	int ms;			/* offset from the migrate TIME, ms */
	bool peer;		/* on the destination (PEER) */
	enum sim_action action;	/* SIM_STATE, SIM_FAIL, SIM_RESET or SIM_ERROR */
	enum fsm_state state;	/* SIM_STATE, SIM_FAIL: the state requested */
};

/* Most steps one migrate expands to. */
#define SIM_MIG_EVS 12

void sim_mig_defaults(struct sim_mig_opts *o);
int sim_mig_option(struct sim_mig_opts *o, const char *s, size_t len);
const char *sim_mig_expected(void);
size_t sim_mig_expand(const struct sim_mig_opts *o, struct sim_mig_ev *ev);

/* ---- devices and arc logs (sim_world.c) ---- */

/* A device with a migration/ directory, as a replay left it. */
struct sim_wdev {
	bool used;		/* slot in use */
	int state;		/* enum fsm_state it is in, -1 when not known */
	unsigned int features;	/* FSM_F_* for the kernel's path rule */
	uint64_t seq;		/* sequence number of its last arc (0: none) */
};

/* One line of an arc log. */
struct sim_arc {
	enum fsm_state cur;	/* state before */
	int next;		/* enum fsm_state chosen, -1 when refused */
	enum fsm_state target;	/* state requested */
};

bool sim_world_arcs(const struct sim_world *w);
bool sim_world_status_due(struct sim_world *w, enum sim_side side);
struct sim_wdev *sim_world_find(struct sim_world *w, const struct sim_step *st);
struct sim_wdev *sim_world_add(struct sim_world *w, const struct sim_step *st);
void sim_world_forget(struct sim_world *w, const struct sim_step *st);
void sim_world_settle(struct sim_world *w);
void sim_world_placed(struct sim_world *w);
int sim_world_append(struct sim_world *w, struct sim_wdev *d, int migfd,
		     const struct sim_arc *arcs, int n, bool ahead);
int sim_world_plan(const struct sim_wdev *d, const struct sim_step *st,
		   struct sim_arc *arcs, int max);
int sim_world_adopt_seq(int migfd, uint64_t *seq);

#endif
