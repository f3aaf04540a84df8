// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_world.c - what a replay knows of each device with a migration/
 * directory (its state, its features, the sequence number of its last arc)
 * and the arc log it writes for it, as the vfiomig module would
 * (vfiomig(4)): "SEQ T_NS CUR NEXT TARGET RET", one line per step the
 * kernel's state machine chooses (fsm.c is its rule).
 *
 * A reader reads the state file first and the arc log after it, so every
 * arc that led to a state must be in the log before the state is visible.
 * With the module, a read of the state that begins after an arc was chosen
 * waits until the driver has performed the whole request; a file cannot
 * make a reader wait, so the arcs of a request are timed SIM_ARC_AHEAD_NS
 * after they are written, when the new state is long in place: a reader
 * that began before that time takes them as chosen after its read began
 * (as arcmatch.c does), and one that began after it sees the new state.
 * Any other change (a failed step, a reset, ERROR set by a driver) first
 * waits until every arc's time has passed (sim_world_settle()), so that no
 * reader sees it before the arcs that came first; a failed step's arc is
 * timed when it is written, since the state stays (or turns to ERROR at
 * once, in the same request).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sim_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "strmap.h"

/* How far ahead of its writing an arc's time is set, ns. */
#define SIM_ARC_AHEAD_NS INT64_C(20000000)
/* The least time between two arcs of the world, ns. */
#define SIM_ARC_MIN_NS INT64_C(1000)
/* Longest arc log line: two 20-digit numbers, three states, a errno. */
#define SIM_ARC_LINE 96

struct sim_world {
	bool arcs;		/* arc logs are written */
	struct strmap names;	/* side byte and name -> index in devs */
	struct sim_wdev *devs;	/* known devices; unused slots are reused */
	size_t n;		/* slots in use or freed */
	size_t cap;		/* slots allocated */
	int64_t stamp;		/* time of the latest arc written, ns */
	int64_t first_t;	/* time of the first arc of the request being written, ns; 0 none */
	uint64_t late;		/* requests whose state was in place only after that time (atomic) */
	bool status[2];		/* ROOT/src, ROOT/dst status file written */
};

struct sim_world *sim_world_new(bool arcs)
{
	struct sim_world *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->arcs = arcs;
	strmap_init(&w->names);
	return w;
}

void sim_world_free(struct sim_world *w)
{
	if (!w)
		return;
	strmap_free(&w->names);
	free(w->devs);
	free(w);
}

bool sim_world_arcs(const struct sim_world *w)
{
	return w && w->arcs;
}

/* True the first time for @side: its status file is to be written. */
bool sim_world_status_due(struct sim_world *w, enum sim_side side)
{
	bool due;

	if (side != SIM_SRC && side != SIM_DST)
		return false;
	due = !w->status[side];
	w->status[side] = true;
	return due;
}

/* The map key of @st's device: its side's byte, then its name. */
static size_t sim_world_key(const struct sim_step *st,
			    char key[SIM_NAME_MAX + 1])
{
	key[0] = st->side == SIM_SRC ? 's' : 'd';
	memcpy(key + 1, st->dev, st->dev_len);
	return st->dev_len + 1;
}

struct sim_wdev *sim_world_find(struct sim_world *w, const struct sim_step *st)
{
	char key[SIM_NAME_MAX + 1];
	int i;

	if (!w || !st->dev)
		return NULL;
	i = strmap_get(&w->names, key, sim_world_key(st, key));
	return i < 0 ? NULL : &w->devs[i];
}

/* A free slot, or -1 when out of memory. */
static long sim_world_slot(struct sim_world *w)
{
	for (size_t i = 0; w->devs && i < w->n; i++)
		if (!w->devs[i].used)
			return (long)i;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct sim_wdev *d;

		if (cap > INT32_MAX)
			return -1;
		d = realloc(w->devs, cap * sizeof(*d));
		if (!d)
			return -1;
		w->devs = d;
		w->cap = cap;
	}
	return (long)w->n++;
}

/* The device of an `add` step is RUNNING with the step's features; it
 * keeps its arc sequence if known.  NULL when out of memory. */
struct sim_wdev *sim_world_add(struct sim_world *w, const struct sim_step *st)
{
	char key[SIM_NAME_MAX + 1];
	size_t klen = sim_world_key(st, key);
	struct sim_wdev *d = sim_world_find(w, st);
	long i;

	if (!d) {
		i = sim_world_slot(w);
		if (i < 0 || strmap_put(&w->names, key, klen, (int)i))
			return NULL;
		d = &w->devs[i];
		memset(d, 0, sizeof(*d));
		d->used = true;
	}
	d->state = FSM_RUNNING;
	d->features = st->features & FSM_F_ALL;
	return d;
}

/* The device of @st was removed or lost its migration/ directory. */
void sim_world_forget(struct sim_world *w, const struct sim_step *st)
{
	char key[SIM_NAME_MAX + 1];
	struct sim_wdev *d = sim_world_find(w, st);

	if (!d)
		return;
	d->used = false;
	strmap_del(&w->names, key, sim_world_key(st, key));
}

static int64_t sim_world_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Before a change without an arc: wait until every arc's time is past. */
void sim_world_settle(struct sim_world *w)
{
	struct timespec ts;
	int64_t until;

	if (!w || !w->stamp)
		return;
	until = w->stamp + 1;
	ts.tv_sec = (time_t)(until / 1000000000);
	ts.tv_nsec = (long)(until % 1000000000);
	while (sim_world_now() < until &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * The kernel's steps for @st on @d (a request: its whole path; a failed
 * step: the first one), as vfio_mig_get_next_state() is called by a driver
 * until the device is in the state requested: a refusal ends them.
 * Returns how many (0: the device is already there), at most @max.
 */
int sim_world_plan(const struct sim_wdev *d, const struct sim_step *st,
		   struct sim_arc *arcs, int max)
{
	enum fsm_state cur = (enum fsm_state)d->state, next;
	int n = 0;

	while (cur != st->state && n < max) {
		arcs[n].cur = cur;
		arcs[n].target = st->state;
		if (fsm_next_step(cur, st->state, d->features, &next)) {
			arcs[n++].next = -1;
			break;
		}
		arcs[n++].next = (int)next;
		if (st->action == SIM_FAIL)
			break;
		cur = next;
	}
	return n;
}

static int sim_world_write(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t k = write(fd, s, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		s += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Append @n arcs of @d to migration/arcs under @migfd, in one write,
 * timed @ahead ns after now (and after every earlier arc). */
int sim_world_append(struct sim_world *w, struct sim_wdev *d, int migfd,
		     const struct sim_arc *arcs, int n, bool ahead)
{
	char buf[SIM_ARC_LINE * (FSM_MAX_PATH + 1)];
	size_t len = 0;
	int fd, rc;

	if (n > FSM_MAX_PATH + 1)
		return -EINVAL;
	w->first_t = 0;
	for (int i = 0; i < n; i++) {
		int64_t t = sim_world_now() + (ahead ? SIM_ARC_AHEAD_NS : 0);

		if (t < w->stamp + SIM_ARC_MIN_NS)
			t = w->stamp + SIM_ARC_MIN_NS;
		w->stamp = t;
		if (!i && ahead)
			w->first_t = t;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%" PRIu64 " %" PRId64 " %s %s %s %d\n",
					++d->seq, t, fsm_name(arcs[i].cur),
					arcs[i].next < 0 ? "-" :
					fsm_name((enum fsm_state)arcs[i].next),
					fsm_name(arcs[i].target),
					arcs[i].next < 0 ? -EINVAL : 0);
	}
	fd = openat(migfd, "arcs", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	rc = sim_world_write(fd, buf, len);
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/*
 * The new state of the request whose arcs were just appended is in place:
 * if the time of its first arc has passed already (the simulator was not
 * scheduled for SIM_ARC_AHEAD_NS, on a busy machine), a reader may have
 * read the old state after that time and taken the step as failed, which
 * the module's blocking read never lets happen.  Counted.
 */
void sim_world_placed(struct sim_world *w)
{
	if (!w)
		return;
	if (w->first_t && sim_world_now() >= w->first_t)
		__atomic_add_fetch(&w->late, 1, __ATOMIC_RELAXED);
	w->first_t = 0;
}

uint64_t sim_world_late(const struct sim_world *w)
{
	return w ? __atomic_load_n(&w->late, __ATOMIC_RELAXED) : 0;
}

void sim_fprint_late(FILE *f, const char *who, uint64_t n)
{
	if (n)
		fprintf(f, "%s: %llu request%s put in place only after %s arcs' time (a busy machine): a reader may have taken %s as failed steps\n",
			who, (unsigned long long)n, n == 1 ? " was" : "s were",
			n == 1 ? "its" : "their", n == 1 ? "it" : "them");
}

/* The sequence number an existing arc log under @migfd ends with (its
 * line count: the simulator writes one arc per line, from 1). */
int sim_world_adopt_seq(int migfd, uint64_t *seq)
{
	char buf[4096];
	ssize_t k;
	int fd;

	*seq = 0;
	fd = openat(migfd, "arcs", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while ((k = read(fd, buf, sizeof(buf))) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			k = -errno;
			close(fd);
			return (int)k;
		}
		for (ssize_t i = 0; i < k; i++)
			*seq += buf[i] == '\n';
	}
	close(fd);
	return 0;
}
