// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c - the refresh loop.  The rhythm is kept on CLOCK_MONOTONIC: each
 * refresh is scheduled at a fixed interval from the previous schedule, and
 * the wait is a ppoll() on input and on what each source gives to poll
 * (source_poll_fd(); source_pump() when it is readable), so
 * key presses neither delay nor hurry sampling.  Signals that end the
 * program are blocked except inside ppoll(), so none is ever missed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "run.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "devinfo.h"

/* How long a refresh waits for reads before showing devices as busy. */
uint64_t run_read_deadline(uint64_t delay_ns)
{
	uint64_t d = delay_ns / 2;

	if (d > 100 * CLOCK_NS_PER_MS)
		d = 100 * CLOCK_NS_PER_MS;
	if (d < 4 * CLOCK_NS_PER_MS)
		d = 4 * CLOCK_NS_PER_MS;
	return d;
}

/* The first refresh waits this long for its reads (a loaded machine may
 * take a while; a read that blocks for good still shows as busy). */
#define RUN_FIRST_DEADLINE_NS (1000 * CLOCK_NS_PER_MS)

static void run_refresh(struct run *r, bool first, bool extra)
{
	uint64_t now = clock_mono_ns(), deadline;

	for (size_t i = 0; i < r->nsrc; i++)
		source_refresh_begin(r->src[i], now);
	deadline = now + (first ? RUN_FIRST_DEADLINE_NS :
			  run_read_deadline(r->delay_ns));
	for (size_t i = 0; i < r->nsrc; i++)
		source_refresh_end(r->src[i], deadline);
	now = clock_mono_ns();
	for (size_t i = 0; i < r->nsrc; i++)
		model_ingest(&r->m, r->feed[i], &r->src[i]->snap, now);
	model_update_pairs(&r->m, now);
	if (r->info)	/* never waits: takes what its thread found */
		devinfo_update(r->info, &r->m, r->src, r->feed, r->nsrc, now);
	if (r->after_refresh)
		r->after_refresh(r, now, extra, r->after_arg);
}

/* A --pair naming a device that is not there: say so once, never pair
 * another device in its place. */
static void run_warn_pairs(const struct run *r)
{
	const struct model *m = &r->m;

	for (size_t k = 0; k < m->npairs; k++) {
		const struct model_pair *p = &m->pairs[k];

		for (int s = 0; s < PAIR_NSIDES; s++)
			if (p->want[s][0] && p->dev[s] < 0)
				fprintf(stderr,
					"vfiomigtop: warning: --pair %s=%s: no %s device %s\n",
					p->want[PAIR_SRC], p->want[PAIR_DST],
					s == PAIR_SRC ? "source" : "destination",
					p->want[s]);
	}
}

/* True when a source has news that should be shown at once. */
static bool run_urgent(const struct run *r)
{
	for (size_t i = 0; i < r->nsrc; i++)
		if (r->src[i]->snap.urgent)
			return true;
	return false;
}

/* Wait until @until (CLOCK_MONOTONIC ns), input, or news from a source
 * (its poll fd readable: it takes them with source_pump()); returns
 * poll's result. */
static int run_wait(struct run *r, uint64_t until, const sigset_t *mask,
		    bool *input)
{
	struct pollfd fds[1 + RUN_MAX_SOURCES];
	size_t sidx[RUN_MAX_SOURCES];	/* source of each fds[sbase + k] */
	struct timespec ts;
	uint64_t now = clock_mono_ns(), left = until > now ? until - now : 0;
	nfds_t n = 0, sbase;
	int in_fd = r->vops->input_fd(r->view), rc;

	*input = false;
	if (in_fd >= 0) {
		fds[n].fd = in_fd;
		fds[n++].events = POLLIN;
	}
	sbase = n;
	for (size_t i = 0; i < r->nsrc; i++) {
		int fd = source_poll_fd(r->src[i]);

		if (fd < 0)
			continue;
		sidx[n - sbase] = i;
		fds[n].fd = fd;
		fds[n++].events = POLLIN;
	}
	ts.tv_sec = (time_t)(left / CLOCK_NS_PER_S);
	ts.tv_nsec = (long)(left % CLOCK_NS_PER_S);
	rc = ppoll(fds, n, &ts, mask);
	if (rc > 0 && in_fd >= 0 && fds[0].revents)
		*input = true;
	if (rc < 0 && errno == EINTR && in_fd >= 0)
		*input = true;	/* e.g. SIGWINCH: let the view look */
	for (nfds_t k = sbase; rc > 0 && k < n; k++)
		if (fds[k].revents)
			source_pump(r->src[sidx[k - sbase]], clock_mono_ns());
	return rc;
}

/* A change notification: refresh and show it now; the rhythm of the
 * regular refreshes stays.  Returns the view's status. */
static int run_extra(struct run *r)
{
	int rc;

	run_refresh(r, false, true);
	r->ctx.extra = true;
	rc = r->vops->frame(r->view, &r->ctx, r->m.now_ns);
	r->ctx.extra = false;
	return rc;
}

/* Apply what a key asked for but quitting or refreshing: a new delay
 * (the next refresh, @*next, one delay from now), pause, redraw.
 * Returns the view's status when it drew, else 0. */
static int run_apply(struct run *r, const struct view_req *req,
		     uint64_t *next)
{
	if (req->delay_ns) {
		r->delay_ns = r->ctx.delay_ns = req->delay_ns;
		*next = clock_mono_ns() + r->delay_ns;
	}
	if (req->pause_toggle)
		r->ctx.paused = !r->ctx.paused;
	if (req->redraw || req->delay_ns || req->pause_toggle)
		return r->vops->frame(r->view, &r->ctx, clock_mono_ns());
	return 0;
}

/*
 * Between two refreshes: wait until @*next (CLOCK_MONOTONIC ns) or @stop,
 * showing change notifications at once, drawing when the view asked to
 * be woken, and taking keys (one may move @*next).  Leaves in @req a key's
 * request to quit or refresh now, which ends the wait.  Returns 0, or the
 * view's error.
 */
static int run_between(struct run *r, uint64_t *next, struct view_req *req,
		       volatile sig_atomic_t *stop)
{
	sigset_t unblocked;

	sigemptyset(&unblocked);
	memset(req, 0, sizeof(*req));
	while (!*stop && clock_mono_ns() < *next) {
		uint64_t wake = r->vops->wakeup ?
			r->vops->wakeup(r->view, &r->ctx, clock_mono_ns()) : 0;
		uint64_t until = wake && wake < *next ? wake : *next;
		bool input = false;
		int rc = 0;

		if (run_wait(r, until, &unblocked, &input) < 0 &&
		    errno != EINTR)
			return 0;
		if (run_urgent(r) && !r->ctx.paused) {
			rc = run_extra(r);
		} else if (input) {
			r->vops->input(r->view, &r->ctx, req);
			if (req->quit || req->refresh)
				return 0;
			rc = run_apply(r, req, next);
			memset(req, 0, sizeof(*req));
		} else if (wake && wake < *next && clock_mono_ns() >= wake) {
			rc = r->vops->frame(r->view, &r->ctx, clock_mono_ns());
		}
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Refresh and show until @stop is set, the view asks to quit, or the
 * iterations are done.  Returns 0, or -errno when the view could not write.
 */
int run_loop(struct run *r, volatile sig_atomic_t *stop)
{
	uint64_t next;
	long done = 0;
	bool fresh = true;
	int rc = 0;

	r->ctx.m = &r->m;
	r->ctx.delay_ns = r->delay_ns;
	run_refresh(r, true, false);
	run_warn_pairs(r);
	r->ctx.seq++;
	next = clock_mono_ns() + r->delay_ns;
	for (;;) {
		struct view_req req;

		/* A frame that follows a refresh shows the model as of that
		 * refresh: its time is the refresh's, so that a replay of the
		 * journal (-r) prints exactly the same. */
		rc = r->vops->frame(r->view, &r->ctx,
				    fresh ? r->m.now_ns : clock_mono_ns());
		fresh = false;
		if (rc)
			break;
		if (r->iterations && ++done >= r->iterations)
			break;
		rc = run_between(r, &next, &req, stop);
		if (*stop || req.quit || rc)
			break;
		if (!r->ctx.paused || req.refresh) {
			run_refresh(r, false, false);
			r->ctx.seq++;
			fresh = true;
		}
		/* Keep the rhythm: a refresh asked for by a key comes on top
		 * and leaves the schedule alone; if we fell behind, start
		 * afresh. */
		if (!req.refresh || clock_mono_ns() >= next)
			next += r->delay_ns;
		if (next < clock_mono_ns())
			next = clock_mono_ns() + r->delay_ns;
	}
	return rc;
}
