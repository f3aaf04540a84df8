// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * watch.c - the process's single libinotifytools instance, on its own thread.
 *
 * libinotifytools keeps one global inotify instance and offers no way to
 * poll its descriptor: inotifytools_next_event() blocks (a timeout of 0
 * waits forever; the shortest wait is one second).  So one thread owns the
 * library: it blocks in inotifytools_next_event(-1), copies each event into
 * a bounded queue (watchq.c) and wakes the main loop through an eventfd.
 * Watch requests from the main thread are queued too, and the thread is
 * woken to apply them by an inotify event of its own: it watches the read
 * end of a private pipe (through /proc/self/fd; a temporary file where
 * pipes raise no events), and one byte written to the pipe makes the
 * library return.  Unlike a signal, the event cannot fall between the
 * thread's check of its queue and its wait, so one wake-up always
 * suffices and nobody waits for longer than the thread takes to run.
 * Events are matched to their registration by path
 * (inotifytools_filename_from_wd).
 *
 * The library's remove functions are never called: it does not handle
 * IN_IGNORED, so after a watched directory is deleted its records go stale,
 * and removing by name may then hit a stale record, fail, print to stderr,
 * or corrupt its trees.  A dropped registration just stops delivering
 * events; the kernel ends the watch when the directory goes.  The stale
 * records pile up (one per mdev ever made, one per replaced file), so
 * when they outnumber the live ones the thread starts the library afresh
 * and watches every live path again (watch_restart()); owners are told
 * that events were lost, and read everything once.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <inotifytools/inotify.h>
#include <inotifytools/inotifytools.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "strmap.h"
#include "watchq.h"

/* Events queued for the main thread at most; more count as lost (the
 * kernel's default queue is as long). */
#define WATCH_MAX_EVENTS 16384
/* How long the thread backs off after the library failed to read, ns. */
#define WATCH_RETRY_NS (10 * CLOCK_NS_PER_MS)
/* Records libinotifytools may hold beyond twice the live registrations
 * before it starts afresh: a restart costs one inotify_add_watch() per
 * live path, so it comes at most once per this many new records. */
#define WATCH_RESTART_SLACK 4096

/* Who asked for a watch on one path. */
struct watch_reg {
	char *path;		/* path as watched, with a trailing '/' */
	watch_cb cb;		/* callback */
	void *owner;		/* its first argument */
	uint64_t cookie;	/* its second argument */
	uint32_t mask;		/* inotify mask */
	bool live;		/* registered (false: slot free) */
	int wd;			/* its kernel watch; -1 none (not set, failed, or ended: IN_IGNORED) */
	bool queued;		/* an add command for it waits for the thread */
};

/* A request from the main thread. */
struct watch_cmd {
	bool add;		/* true: watch, false: unwatch */
	int reg;		/* index in watch_regs */
};

/* What wakes the thread: a file it watches, written to by others. */
struct watch_wake {
	int rfd;		/* the watched end (pipe read end, or the file), -1 */
	int wfd;		/* written to wake (pipe write end, or the file), -1 */
	bool pipe;		/* rfd is a pipe: drain it when woken */
	int wd;			/* its inotify watch descriptor */
	char path[64];		/* /proc/self/fd/N, as the library knows it */
};

static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;	/* guards all below */
static pthread_cond_t watch_cv;		/* signalled when the command queue empties */
static pthread_cond_t watch_stall_cv;	/* signalled when a test stall ends */
static pthread_t watch_thread;		/* the library's thread */
static bool watch_ready;		/* watch_init() succeeded: usable */
static bool watch_running;		/* the thread exists (even when not joined in time) */
static bool watch_quit;			/* the thread must exit */
static bool watch_stalled;		/* a test holds the thread */
static int watch_efd = -1;		/* eventfd: events are queued */
static struct watch_wake watch_wk = { -1, -1, false, -1, "" };	/* the thread's wake-up */
static struct watch_reg *watch_regs;	/* registrations */
static size_t watch_nregs;		/* entries in watch_regs */
static struct strmap watch_bypath;	/* path -> index in watch_regs */
static struct watch_cmd *watch_cmds;	/* pending commands */
static size_t watch_ncmds, watch_cmdcap;	/* entries / allocated */
static struct watchq watch_q;		/* pending events */
static size_t watch_nwatched;		/* registrations with a kernel watch (wd >= 0) */
static size_t watch_records;		/* watches the library added since it started (its records, stale ones too) */
static bool watch_down;			/* the library is not initialised (a restart failed) */
static uint64_t watch_restarts;		/* times the library started afresh */
static size_t watch_restart_slack = WATCH_RESTART_SLACK;	/* see WATCH_RESTART_SLACK (tests lower it) */

/*
 * The path as libinotifytools files it (and returns it from
 * inotifytools_filename_from_wd()): directories end in '/', files do not.
 */
static char *watch_dirpath(const char *path)
{
	size_t n = strlen(path);
	struct stat st;
	char *p = malloc(n + 2);
	bool dir;

	if (!p)
		return NULL;
	memcpy(p, path, n);
	dir = n && path[n - 1] == '/';
	if (!dir && !stat(path, &st) && S_ISDIR(st.st_mode))
		p[n++] = '/';
	p[n] = 0;
	return p;
}

/* Wake the thread: one event on its wake file. */
static void watch_kick(void)
{
	ssize_t n;

	if (watch_wk.pipe)
		n = write(watch_wk.wfd, "", 1);
	else
		n = pwrite(watch_wk.wfd, "", 1, 0);
	(void)n;	/* a full pipe: a wake-up is pending anyway */
}

/* Queue an event for the main thread; called with the lock held.  An
 * event that cannot be queued is counted: the main thread then tells
 * every owner to rescan. */
static void watch_push(watch_cb cb, void *owner, uint64_t cookie,
		       uint32_t mask, const char *name)
{
	struct watchq_ev e = { cb, owner, cookie, mask, NULL };
	uint64_t one = 1;

	watchq_push(&watch_q, &e, name);
	if (write(watch_efd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the main loop is awake anyway */
	}
}

/* Registration @r's kernel watch is @wd now (-1: none); lock held. */
static void watch_set_wd(struct watch_reg *r, int wd)
{
	if (r->wd < 0 && wd >= 0)
		watch_nwatched++;
	else if (r->wd >= 0 && wd < 0)
		watch_nwatched--;
	r->wd = wd;
}

/* Watch @r's path (thread, lock held); false with errno in
 * inotifytools_error(). */
static bool watch_set(struct watch_reg *r)
{
	if (!inotifytools_watch_file(r->path, (int)r->mask)) {
		watch_set_wd(r, -1);
		return false;
	}
	watch_records++;
	watch_set_wd(r, inotifytools_wd_from_filename(r->path));
	return true;
}

/* Apply queued commands; called on the thread with the lock held. */
static void watch_apply(void)
{
	for (size_t i = 0; i < watch_ncmds; i++) {
		struct watch_reg *r = &watch_regs[watch_cmds[i].reg];

		if (watch_cmds[i].add) {
			r->queued = false;
			if (r->live && !watch_set(r))
				watch_push(r->cb, r->owner, r->cookie,
					   IN_IGNORED | WATCH_FAILED, "");
		} else if (!r->live) {
			/* See the note at the top: the kernel watch stays
			 * until its directory goes; its events are dropped. */
			free(r->path);
			r->path = NULL;
		}
	}
	watch_ncmds = 0;
	pthread_cond_broadcast(&watch_cv);
}

static void watch_event(const struct inotify_event *ev)
{
	const char *wpath;
	int idx;

	if (ev->mask & IN_Q_OVERFLOW) {
		watch_push(NULL, NULL, 0, IN_Q_OVERFLOW, "");
		return;
	}
	if (ev->wd == watch_wk.wd) {
		char buf[256];

		while (watch_wk.pipe && read(watch_wk.rfd, buf, sizeof(buf)) > 0)
			;
		return;		/* only a wake-up */
	}
	wpath = inotifytools_filename_from_wd(ev->wd);
	if (!wpath)
		return;
	idx = strmap_get(&watch_bypath, wpath, strlen(wpath));
	if (idx < 0 || !watch_regs[idx].live)
		return;
	if ((ev->mask & IN_IGNORED) && ev->wd == watch_regs[idx].wd)
		watch_set_wd(&watch_regs[idx], -1);	/* its watch ended */
	watch_push(watch_regs[idx].cb, watch_regs[idx].owner,
		   watch_regs[idx].cookie, ev->mask, ev->len ? ev->name : "");
}

/* Registration @idx's path is gone: the thread lets it go (lock held). */
static void watch_let_go(int idx)
{
	struct watch_reg *r = &watch_regs[idx];

	strmap_del(&watch_bypath, r->path, strlen(r->path));
	free(r->path);
	r->path = NULL;
	r->live = false;
	watch_set_wd(r, -1);
}

/*
 * Start the library afresh (thread, lock held): its records of watches
 * the kernel ended go, and every path with a watch is watched again.  A
 * registration whose watch ended (its owner was told IN_IGNORED) or
 * could not be set (told WATCH_FAILED) is let go: the owner asks again
 * if it still wants it.  A path gone meanwhile tells its owner
 * IN_IGNORED, as the kernel would have; one that cannot be watched,
 * WATCH_FAILED.  Events between the two instances are lost: every owner
 * reads everything again (IN_Q_OVERFLOW).  False when the library could
 * not start: the thread tries again after WATCH_RETRY_NS.
 */
static bool watch_restart(void)
{
	if (!watch_down)
		inotifytools_cleanup();
	watch_down = true;
	if (!inotifytools_initialize())
		return false;
	if (!inotifytools_watch_file(watch_wk.path, IN_MODIFY)) {
		inotifytools_cleanup();
		return false;
	}
	watch_down = false;
	watch_wk.wd = inotifytools_wd_from_filename(watch_wk.path);
	watch_records = 1;
	for (size_t i = 0; i < watch_nregs; i++) {
		struct watch_reg *r = &watch_regs[i];
		int e;

		if (!r->live || r->queued)
			continue;	/* a queued one is set by watch_apply() */
		if (r->wd < 0) {
			watch_let_go((int)i);
			continue;
		}
		r->wd = -1;	/* the old instance's */
		watch_nwatched--;
		if (watch_set(r))
			continue;
		e = inotifytools_error();
		if (e == ENOENT || e == ENOTDIR) {
			watch_push(r->cb, r->owner, r->cookie, IN_IGNORED, "");
			watch_let_go((int)i);
		} else {
			watch_push(r->cb, r->owner, r->cookie,
				   IN_IGNORED | WATCH_FAILED, "");
		}
	}
	watch_restarts++;
	watch_push(NULL, NULL, 0, IN_Q_OVERFLOW, "");
	return true;
}

/* The library holds more records than the live paths need (lock held):
 * counted, since inotifytools_get_num_watches() walks them all. */
static bool watch_bloated(void)
{
	return watch_records > 2 * watch_nwatched + watch_restart_slack;
}

static void *watch_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&watch_mu);
	for (;;) {
		struct inotify_event *ev;

		while (watch_stalled)
			pthread_cond_wait(&watch_stall_cv, &watch_mu);
		if (watch_quit)
			break;
		if (!watch_down)
			watch_apply();
		if ((watch_down || watch_bloated()) && !watch_restart()) {
			struct timespec ts = { 0, (long)WATCH_RETRY_NS };

			pthread_mutex_unlock(&watch_mu);
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&watch_mu);
			continue;
		}
		pthread_mutex_unlock(&watch_mu);
		ev = inotifytools_next_event(-1);
		pthread_mutex_lock(&watch_mu);
		if (ev) {
			watch_event(ev);
		} else if (!watch_quit) {
			/* The library could not read: whatever came is lost;
			 * back off rather than spin. */
			struct timespec ts = { 0, (long)WATCH_RETRY_NS };

			watch_push(NULL, NULL, 0, IN_Q_OVERFLOW, "");
			pthread_mutex_unlock(&watch_mu);
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&watch_mu);
		}
	}
	pthread_mutex_unlock(&watch_mu);
	return NULL;
}

static void watch_wake_close(void)
{
	if (watch_wk.rfd >= 0)
		close(watch_wk.rfd);
	if (watch_wk.wfd >= 0 && watch_wk.wfd != watch_wk.rfd)
		close(watch_wk.wfd);
	watch_wk.rfd = watch_wk.wfd = watch_wk.wd = -1;
	watch_wk.pipe = false;
}

/*
 * Watch @rfd and check that writing to @wfd raises an event (pipes do on
 * every kernel this runs on; a temporary file is the fallback).  Before
 * the thread starts: the library is ours.
 */
static bool watch_wake_try(int rfd, int wfd, bool pipe)
{
	struct inotify_event *ev;

	watch_wk.rfd = rfd;
	watch_wk.wfd = wfd;
	watch_wk.pipe = pipe;
	snprintf(watch_wk.path, sizeof(watch_wk.path), "/proc/self/fd/%d", rfd);
	if (rfd < 0 || wfd < 0 ||
	    !inotifytools_watch_file(watch_wk.path, IN_MODIFY)) {
		watch_wake_close();
		return false;
	}
	watch_wk.wd = inotifytools_wd_from_filename(watch_wk.path);
	watch_kick();
	ev = inotifytools_next_event(1);
	if (ev && ev->wd == watch_wk.wd) {
		watch_event(ev);	/* drains the pipe */
		return true;
	}
	watch_wake_close();
	return false;
}

static bool watch_wake_open(void)
{
	const char *tmp = getenv("TMPDIR");
	int p[2], fd;

	if (!pipe2(p, O_CLOEXEC | O_NONBLOCK) && watch_wake_try(p[0], p[1], true))
		return true;
	fd = open(tmp && *tmp ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC,
		  0600);
	return watch_wake_try(fd, fd, false);
}

/* Start the watcher.  Returns 0 or -errno with a message in @err. */
int watch_init(char *err, size_t len)
{
	pthread_condattr_t ca;
	int rc;

	if (watch_ready)
		return 0;
	if (watch_running) {
		snprintf(err, len, "the previous inotify thread has not stopped");
		return -EBUSY;
	}
	if (!inotifytools_initialize()) {
		int e = inotifytools_error();

		snprintf(err, len, "cannot start inotify: %s%s", strerror(e),
			 e == EMFILE ? " (raise fs.inotify.max_user_instances)" : "");
		return -(e ? e : EIO);
	}
	watch_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (watch_efd < 0 || !watch_wake_open()) {
		snprintf(err, len, "cannot start inotify: %s",
			 watch_efd < 0 ? strerror(errno) :
			 "no file to wake its thread with (is /proc mounted?)");
		if (watch_efd >= 0)
			close(watch_efd);
		watch_efd = -1;
		inotifytools_cleanup();
		return -EIO;
	}
	watch_records = (size_t)inotifytools_get_num_watches();
	strmap_init(&watch_bypath);
	watchq_init(&watch_q, WATCH_MAX_EVENTS);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&watch_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&watch_stall_cv, NULL);
	watch_quit = false;
	rc = pthread_create(&watch_thread, NULL, watch_main, NULL);
	if (rc) {
		snprintf(err, len, "cannot start the watcher thread: %s",
			 strerror(rc));
		close(watch_efd);
		watch_efd = -1;
		watch_wake_close();
		inotifytools_cleanup();
		return -rc;
	}
	watch_running = true;
	watch_ready = true;
	return 0;
}

/* Descriptor that is readable while events wait for watch_dispatch(),
 * or -1 when the watcher does not run. */
int watch_fd(void)
{
	return watch_ready ? watch_efd : -1;
}

static int watch_queue(bool add, int reg)
{
	struct watch_cmd *c;

	if (watch_ncmds == watch_cmdcap) {
		size_t cap = watch_cmdcap ? watch_cmdcap * 2 : 64;

		c = realloc(watch_cmds, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		watch_cmds = c;
		watch_cmdcap = cap;
	}
	watch_cmds[watch_ncmds].add = add;
	watch_cmds[watch_ncmds].reg = reg;
	watch_ncmds++;
	if (add)
		watch_regs[reg].queued = true;
	return 0;
}

/* A registration slot for @p (a new one, or a free one whose old path the
 * thread has let go of); -1 when out of memory.  Lock held. */
static int watch_slot(const char *p)
{
	int idx;

	for (idx = 0; idx < (int)watch_nregs &&
		      (watch_regs[idx].live || watch_regs[idx].path);
	     idx++)
		;
	if (idx == (int)watch_nregs) {
		struct watch_reg *nr = realloc(watch_regs, (watch_nregs + 1) *
							   sizeof(*nr));

		if (!nr)
			return -1;
		watch_regs = nr;
		memset(&nr[watch_nregs++], 0, sizeof(*nr));
	}
	watch_regs[idx].path = strdup(p);
	if (!watch_regs[idx].path ||
	    strmap_put(&watch_bypath, p, strlen(p), idx)) {
		free(watch_regs[idx].path);
		watch_regs[idx].path = NULL;
		return -1;
	}
	return idx;
}

static int watch_reg(const char *path, uint32_t mask, watch_cb cb,
		     void *owner, uint64_t cookie, bool renew)
{
	char *p = watch_dirpath(path);
	int idx, rc = 0;

	if (!watch_ready || !p) {
		free(p);
		return watch_ready ? -ENOMEM : -ENOTCONN;
	}
	pthread_mutex_lock(&watch_mu);
	idx = strmap_get(&watch_bypath, p, strlen(p));
	if (idx >= 0 && watch_regs[idx].live && !renew) {
		/* Watched already: only the callback may change.  Adding the
		 * same inode again would leak a libinotifytools record. */
		watch_regs[idx].cb = cb;
		watch_regs[idx].owner = owner;
		watch_regs[idx].cookie = cookie;
		goto out;
	}
	if (idx < 0 && (idx = watch_slot(p)) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	watch_regs[idx].cb = cb;
	watch_regs[idx].owner = owner;
	watch_regs[idx].cookie = cookie;
	watch_regs[idx].mask = mask;
	if (!watch_regs[idx].live)
		watch_regs[idx].wd = -1;	/* set by the thread */
	watch_regs[idx].live = true;
	rc = watch_queue(true, idx);
out:
	pthread_mutex_unlock(&watch_mu);
	free(p);
	return rc;
}

/*
 * Ask for events on @path.  Takes effect once the thread has applied it
 * (watch_flush() waits for that).  A path that cannot be watched reports
 * IN_IGNORED | WATCH_FAILED to its callback.  Watching a path already
 * watched only re-targets the callback.  Returns 0 or -errno.
 */
int watch_add(const char *path, uint32_t mask, watch_cb cb, void *owner,
	      uint64_t cookie)
{
	return watch_reg(path, mask, cb, owner, cookie, false);
}

/* Watch @path again: it now names another file (it was replaced). */
int watch_renew(const char *path, uint32_t mask, watch_cb cb, void *owner,
		uint64_t cookie)
{
	return watch_reg(path, mask, cb, owner, cookie, true);
}

static void watch_drop(int idx)
{
	struct watch_reg *r = &watch_regs[idx];

	strmap_del(&watch_bypath, r->path, strlen(r->path));
	r->live = false;
	watch_set_wd(r, -1);
	if (watch_queue(false, idx)) {
		free(r->path);
		r->path = NULL;
	}
}

/* Drop every watch and every queued event of @owner (a closing source).
 * Its callback is not called again. */
void watch_forget_owner(void *owner)
{
	if (!watch_ready)
		return;
	pthread_mutex_lock(&watch_mu);
	for (size_t i = 0; i < watch_nregs; i++)
		if (watch_regs[i].live && watch_regs[i].owner == owner)
			watch_drop((int)i);
	watchq_forget(&watch_q, owner);
	pthread_mutex_unlock(&watch_mu);
	watch_flush(clock_mono_ns() + 100 * CLOCK_NS_PER_MS);
}

/*
 * Make the thread apply the queued requests, and wait until it has or
 * until @deadline_ns (CLOCK_MONOTONIC).  Returns 0 when every request is
 * in place, -ETIMEDOUT when some are still queued (the thread applies
 * them as soon as it runs), -ENOTCONN without a watcher.
 */
int watch_flush(uint64_t deadline_ns)
{
	int rc;

	if (!watch_ready)
		return -ENOTCONN;
	pthread_mutex_lock(&watch_mu);
	if (watch_ncmds)
		watch_kick();
	while (watch_ncmds) {
		struct timespec ts;

		ts.tv_sec = (time_t)(deadline_ns / CLOCK_NS_PER_S);
		ts.tv_nsec = (long)(deadline_ns % CLOCK_NS_PER_S);
		if (pthread_cond_timedwait(&watch_cv, &watch_mu, &ts) ==
		    ETIMEDOUT)
			break;
	}
	rc = watch_ncmds ? -ETIMEDOUT : 0;
	pthread_mutex_unlock(&watch_mu);
	return rc;
}

/* Tell every owner with a live watch, once each, that events were lost. */
static void watch_overflow(void)
{
	void *told[8];
	size_t ntold = 0;

	pthread_mutex_lock(&watch_mu);
	for (size_t r = 0; r < watch_nregs; r++) {
		struct watch_reg reg = watch_regs[r];
		bool seen = false;

		if (!reg.live)
			continue;
		for (size_t k = 0; k < ntold && !seen; k++)
			seen = told[k] == reg.owner;
		if (seen)
			continue;
		if (ntold < sizeof(told) / sizeof(told[0]))
			told[ntold++] = reg.owner;
		pthread_mutex_unlock(&watch_mu);
		reg.cb(reg.owner, 0, IN_Q_OVERFLOW, "");
		pthread_mutex_lock(&watch_mu);
	}
	pthread_mutex_unlock(&watch_mu);
}

/*
 * Deliver the queued events (main thread).  Events lost on the way (our
 * queue was full or out of memory) and the kernel's overflow reach every
 * owner as IN_Q_OVERFLOW.  Returns how many events there were.
 */
int watch_dispatch(void)
{
	struct watchq evs;
	bool overflow;
	uint64_t cnt;
	size_t n;

	if (!watch_ready)
		return 0;
	if (read(watch_efd, &cnt, sizeof(cnt)) < 0) {
		/* EAGAIN: nothing signalled, but look anyway */
	}
	pthread_mutex_lock(&watch_mu);
	watchq_take(&watch_q, &evs);
	pthread_mutex_unlock(&watch_mu);
	overflow = evs.lost > 0;
	n = evs.n + (evs.lost > 0);
	for (size_t i = 0; i < evs.n; i++) {
		if (evs.ev[i].cb)
			evs.ev[i].cb(evs.ev[i].owner, evs.ev[i].cookie,
				     evs.ev[i].mask, evs.ev[i].name);
		else
			overflow = true;
	}
	if (overflow)
		watch_overflow();
	watchq_free(&evs);
	return (int)n;
}

/* Events lost in our queue since the watcher started (full, or out of
 * memory); each loss made every owner rescan. */
uint64_t watch_lost(void)
{
	uint64_t n;

	pthread_mutex_lock(&watch_mu);
	n = watch_q.lost_total;
	pthread_mutex_unlock(&watch_mu);
	return n;
}

/* Release what the thread shared; it has exited. */
static void watch_release(void)
{
	if (!watch_down)
		inotifytools_cleanup();
	watch_down = false;
	watch_nwatched = 0;
	watch_wake_close();
	for (size_t i = 0; i < watch_nregs; i++)
		free(watch_regs[i].path);
	free(watch_regs);
	watchq_free(&watch_q);
	free(watch_cmds);
	strmap_free(&watch_bypath);
	pthread_cond_destroy(&watch_cv);
	pthread_cond_destroy(&watch_stall_cv);
	close(watch_efd);
	watch_regs = NULL;
	watch_cmds = NULL;
	watch_nregs = watch_ncmds = watch_cmdcap = 0;
	watch_efd = -1;
}

/*
 * Stop the thread and release the library, waiting at most @wait_ns for
 * the thread to exit.  Returns 0, or -ETIMEDOUT when it did not: then
 * nothing it may still use is released (the library stays initialised,
 * watch_init() refuses), and a later call tries again.
 */
int watch_shutdown(uint64_t wait_ns)
{
	struct timespec ts;

	if (!watch_running)
		return 0;
	watch_ready = false;
	pthread_mutex_lock(&watch_mu);
	watch_quit = true;
	watch_kick();
	pthread_mutex_unlock(&watch_mu);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(wait_ns / CLOCK_NS_PER_S);
	ts.tv_nsec += (long)(wait_ns % CLOCK_NS_PER_S);
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	if (pthread_timedjoin_np(watch_thread, NULL, &ts))
		return -ETIMEDOUT;
	watch_running = false;
	watch_stalled = false;
	watch_release();
	return 0;
}

/* Times the library started afresh to let go of records of watches the
 * kernel ended. */
uint64_t watch_restart_count(void)
{
	uint64_t n;

	pthread_mutex_lock(&watch_mu);
	n = watch_restarts;
	pthread_mutex_unlock(&watch_mu);
	return n;
}

/* For tests: restart past twice the live registrations plus @slack
 * records, not WATCH_RESTART_SLACK. */
void watch_test_restart_slack(size_t slack)
{
	pthread_mutex_lock(&watch_mu);
	watch_restart_slack = slack;
	pthread_mutex_unlock(&watch_mu);
}

/* For tests: while @on, the thread stops as soon as it wakes up. */
void watch_test_stall(bool on)
{
	pthread_mutex_lock(&watch_mu);
	watch_stalled = on;
	if (!on)
		pthread_cond_broadcast(&watch_stall_cv);
	pthread_mutex_unlock(&watch_mu);
}
