// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_run.c - replay a scenario in real time from a thread, applying its
 * steps (sim_apply.c) at their times on CLOCK_MONOTONIC.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sim_priv.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* Fastest replay speed accepted. */
#define SPEED_MAX 1e6

struct sim_runner {
	pthread_t thread;	/* replay thread */
	pthread_mutex_t lock;	/* guards stop */
	pthread_cond_t cond;	/* signalled by sim_stop(); CLOCK_MONOTONIC */
	bool stop;		/* sim_stop() was called; under lock */
	atomic_bool finished;	/* replay ended; err final once set (release) */
	int done_fd;		/* eventfd written once when finished */
	struct sim_scenario sc;	/* private copy of the scenario */
	struct sim_world *world; /* what the replay knows of each device */
	size_t primed;		/* steps sim_start() applied already */
	char *root;		/* tree root, heap copy */
	bool loop;		/* restart after period_ns */
	double speed;		/* scenario seconds per monotonic second */
	int64_t period_ns;	/* scenario length when looping, scenario ns */
	bool failed;		/* a step failed; err tells why */
	char err[512];		/* message of the failed step */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Scenario ns to monotonic ns at the runner's speed (capped: centuries). */
static int64_t scale(const struct sim_runner *r, int64_t ns)
{
	double v = (double)ns / r->speed;

	return v < 4e18 ? (int64_t)v : INT64_C(4000000000000000000);
}

/* Sleep until @deadline (CLOCK_MONOTONIC ns); true if asked to stop. */
static bool wait_until(struct sim_runner *r, int64_t deadline)
{
	struct timespec ts = {
		.tv_sec = deadline / 1000000000,
		.tv_nsec = deadline % 1000000000,
	};
	bool stop;

	pthread_mutex_lock(&r->lock);
	while (!r->stop && now_ns() < deadline)
		pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

/* Apply one pass of the scenario from @base, from step @first; false to
 * end the replay. */
static bool run_pass(struct sim_runner *r, int64_t base, size_t first)
{
	for (size_t i = first; i < r->sc.n; i++) {
		const struct sim_step *st = &r->sc.steps[i];

		if (st->action == SIM_LOOP)
			break;
		if (wait_until(r, base + scale(r, st->time_ns)))
			return false;
		if (sim_apply(r->world, r->root, st, r->err, sizeof(r->err))) {
			r->failed = true;
			return false;
		}
	}
	return r->loop;
}

static void *run(void *arg)
{
	struct sim_runner *r = arg;
	int64_t base = now_ns();
	size_t first = r->primed;

	while (run_pass(r, base, first)) {
		first = 0;
		base += scale(r, r->period_ns);
		if (wait_until(r, base))
			break;
	}
	atomic_store_explicit(&r->finished, true, memory_order_release);
	eventfd_write(r->done_fd, 1);
	return NULL;
}

static int copy_step(struct sim_step *d, const struct sim_step *s)
{
	*d = *s;
	d->dev = NULL;
	d->raw = NULL;
	if (s->dev && !(d->dev = strdup(s->dev)))
		return -1;
	if (s->raw) {
		d->raw = malloc(s->raw_len + 1);
		if (!d->raw) {
			free(d->dev);
			d->dev = NULL;
			return -1;
		}
		memcpy(d->raw, s->raw, s->raw_len + 1);
	}
	return 0;
}

/* Copy the steps of @s (the runner needs no migrate records). */
static int copy_scenario(struct sim_scenario *d, const struct sim_scenario *s)
{
	memset(d, 0, sizeof(*d));
	d->loop = s->loop;
	d->n = 0;
	d->steps = calloc(s->n ? s->n : 1, sizeof(*d->steps));
	if (!d->steps)
		return -1;
	for (; d->n < s->n; d->n++)
		if (copy_step(&d->steps[d->n], &s->steps[d->n]))
			return -1;
	return 0;
}

/* Check the arguments of sim_start(); 0 or -1 with a message. */
static int check_start(const struct sim_scenario *sc, bool loop, double speed,
		       char *err, size_t errlen)
{
	if (!isfinite(speed) || speed <= 0 || speed > SPEED_MAX) {
		snprintf(err, errlen, "bad speed %g (expected more than 0, at most %g)",
			 speed, SPEED_MAX);
		return -1;
	}
	if (loop && (!sc->n || !sc->steps[sc->n - 1].time_ns)) {
		snprintf(err, errlen, "cannot loop a scenario of zero length");
		return -1;
	}
	return 0;
}

uint64_t sim_late(const struct sim_runner *r)
{
	return r ? sim_world_late(r->world) : 0;
}

static void free_runner(struct sim_runner *r)
{
	if (r->done_fd >= 0)
		close(r->done_fd);
	sim_free(&r->sc);
	sim_world_free(r->world);
	free(r->root);
	free(r);
}

/* Create the thread with every signal blocked in it. */
static int spawn(struct sim_runner *r)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, run, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int init_sync(struct sim_runner *r)
{
	pthread_condattr_t ca;
	int rc;

	if (pthread_condattr_init(&ca))
		return -1;
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
	     pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		return -1;
	if (pthread_mutex_init(&r->lock, NULL)) {
		pthread_cond_destroy(&r->cond);
		return -1;
	}
	return 0;
}

/* Apply the steps of time 0 now (sim_opts.prime); 0 or -1 with a message. */
static int prime(struct sim_runner *r, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < r->sc.n && r->sc.steps[i].time_ns == 0; i++) {
		if (r->sc.steps[i].action == SIM_LOOP)
			break;
		if (sim_apply(r->world, r->root, &r->sc.steps[i], err, errlen))
			return -1;
	}
	r->primed = i;
	return 0;
}

int sim_start(struct sim_runner **out, const struct sim_scenario *sc,
	      const char *root, const struct sim_opts *o,
	      char *err, size_t errlen)
{
	struct sim_runner *r;
	int rc = ENOMEM;

	*out = NULL;
	if (check_start(sc, o->loop, o->speed, err, errlen))
		return -1;
	if (sim_open_sides(root, SIM_NOSIDE, err, errlen) < 0)
		return -1;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	r->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->loop = o->loop;
	r->speed = o->speed;
	r->root = strdup(root);
	r->world = sim_world_new(o->arcs);
	if (r->done_fd < 0)
		rc = errno;
	if (copy_scenario(&r->sc, sc) || !r->root || !r->world ||
	    r->done_fd < 0 || init_sync(r))
		goto fail;
	r->period_ns = r->sc.n ? r->sc.steps[r->sc.n - 1].time_ns : 0;
	if (o->prime && prime(r, err, errlen)) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		free_runner(r);
		return -1;
	}
	rc = spawn(r);
	if (rc) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		goto fail;
	}
	*out = r;
	return 0;
fail:
	if (r)
		free_runner(r);
	snprintf(err, errlen, "cannot start the simulator: %s", strerror(rc));
	return -1;
}

void sim_stop(struct sim_runner *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free_runner(r);
}

bool sim_finished(const struct sim_runner *r)
{
	return atomic_load_explicit(&r->finished, memory_order_acquire);
}

int sim_done_fd(const struct sim_runner *r)
{
	return r->done_fd;
}

int sim_error(const struct sim_runner *r, char *err, size_t errlen)
{
	if (!sim_finished(r) || !r->failed)
		return 0;
	snprintf(err, errlen, "%s", r->err);
	return -1;
}
