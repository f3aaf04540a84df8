/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evlog.h - the events the screen lists, and the alerts they raise */
#ifndef VFIOMIGTOP_TUI_EVLOG_H
#define VFIOMIGTOP_TUI_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Events kept for the event pane. */
#define EVLOG_KEEP 1024

/* One event as shown: copied out of the model, pair devices resolved. */
struct evlog_ent {
	uint64_t seq;			/* model event number */
	uint64_t t_ns;			/* CLOCK_MONOTONIC ns (local) */
	enum model_ev_kind kind;	/* transition or decided attempt */
	int dev[PAIR_NSIDES];		/* TRANS: dev[0] is the device; PAIR: per side, -1 */
	uint64_t serial[PAIR_NSIDES];	/* model_dev.serial of each dev, 0 none: the index may hold another later */
	enum pair_side side;		/* TRANS: the device's side */
	char *name[PAIR_NSIDES];	/* each dev's name, an owned copy (the model forgets); NULL none */
	struct model_trans tr;		/* TRANS: the transition */
	struct att_attempt a;		/* PAIR: the attempt as decided */
};

/* Alerts kept for the alert list. */
#define EVLOG_ALERTS 256

/* One alert: a device entered ERROR, or a pair failed. */
struct evlog_alert {
	uint64_t seq;			/* model event number of what raised it */
	unsigned int flag;		/* CELL_AL_ERROR or CELL_AL_FAIL */
	bool acked;			/* acknowledged: kept, no longer counted */
	struct evlog_ent ev;		/* the event that raised it */
};

struct evlog {
	struct evlog_ent ring[EVLOG_KEEP];	/* newest at (n - 1) % EVLOG_KEEP */
	size_t n;			/* events ever kept */
	uint64_t next_seq;		/* next model event to take */
	uint64_t lost;			/* model events dropped before we saw them */
	uint8_t *alert;			/* CELL_AL_* per device index */
	uint64_t *alert_serial;		/* model_dev.serial each mark is on */
	size_t nalert;			/* entries in alert and alert_serial */
	uint64_t reused;		/* model.reused when marks were last checked */
	unsigned int nalerts;		/* alerts not acknowledged */
	struct evlog_alert alerts[EVLOG_ALERTS];	/* newest at (nal - 1) % EVLOG_ALERTS */
	size_t nal;			/* alerts ever kept */
};

void evlog_init(struct evlog *l);
unsigned int evlog_take(struct evlog *l, const struct model *m, bool quiet);
size_t evlog_count(const struct evlog *l);
const struct evlog_ent *evlog_get(const struct evlog *l, size_t i);
unsigned int evlog_alert(const struct evlog *l, int dev);
const char *evlog_name(const struct evlog_ent *e, int s);
void evlog_ack(struct evlog *l);
size_t evlog_alert_count(const struct evlog *l);
const struct evlog_alert *evlog_alert_get(const struct evlog *l, size_t i);
void evlog_ack_one(struct evlog *l, size_t i);
void evlog_free(struct evlog *l);

#endif
