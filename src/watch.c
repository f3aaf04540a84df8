// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * watch.c - the process's single libinotifytools instance, on its own thread.
 *
 * libinotifytools keeps one global inotify instance and offers no way to
 * poll its descriptor: inotifytools_next_event() blocks (a timeout of 0
 * waits forever; the shortest wait is one second).  So one thread owns the
 * library: it blocks in inotifytools_next_event(-1), copies each event into
 * a queue and wakes the main loop through an eventfd.  Watch requests from
 * the main thread are queued too; the thread is interrupted (SIGUSR2, which
 * only it unblocks, makes the library return with EINTR) and applies them.
 * Events are matched to their registration by path
 * (inotifytools_filename_from_wd).
 *
 * The library's remove functions are never called: it does not handle
 * IN_IGNORED, so after a watched directory is deleted its records go stale,
 * and removing by name may then hit a stale record, fail, print to stderr,
 * or corrupt its trees.  A dropped registration just stops delivering
 * events; the kernel ends the watch when the directory goes.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "watch.h"

#include <errno.h>
#include <inotifytools/inotify.h>
#include <inotifytools/inotifytools.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "strmap.h"

/* Who asked for a watch on one path. */
struct watch_reg {
	char *path;		/* path as watched, with a trailing '/' */
	watch_cb cb;		/* callback */
	void *owner;		/* its first argument */
	uint64_t cookie;	/* its second argument */
	uint32_t mask;		/* inotify mask */
	bool live;		/* registered (false: slot free) */
};

/* A request from the main thread. */
struct watch_cmd {
	bool add;		/* true: watch, false: unwatch */
	int reg;		/* index in watch_regs */
};

/* An event on its way to the main thread. */
struct watch_ev {
	watch_cb cb;		/* callback (NULL: overflow, tell every owner) */
	void *owner;		/* its first argument */
	uint64_t cookie;	/* its second argument */
	uint32_t mask;		/* inotify mask */
	char *name;		/* entry name, "" for the watched directory */
};

static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;	/* guards all below */
static pthread_cond_t watch_cv;		/* signalled when the command queue empties */
static pthread_t watch_thread;		/* the library's thread */
static bool watch_ready;		/* watch_init() succeeded */
static bool watch_quit;			/* the thread must exit */
static int watch_efd = -1;		/* eventfd: events are queued */
static struct watch_reg *watch_regs;	/* registrations */
static size_t watch_nregs;		/* entries in watch_regs */
static struct strmap watch_bypath;	/* path -> index in watch_regs */
static struct watch_cmd *watch_cmds;	/* pending commands */
static size_t watch_ncmds, watch_cmdcap;	/* entries / allocated */
static struct watch_ev *watch_evs;	/* pending events */
static size_t watch_nevs, watch_evcap;	/* entries / allocated */

static void watch_on_usr2(int sig)
{
	(void)sig;	/* only interrupts the library's select() */
}

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

/* Queue an event for the main thread; called with the lock held. */
static void watch_push(watch_cb cb, void *owner, uint64_t cookie,
		       uint32_t mask, const char *name)
{
	struct watch_ev *e;
	uint64_t one = 1;

	if (watch_nevs == watch_evcap) {
		size_t cap = watch_evcap ? watch_evcap * 2 : 64;

		e = realloc(watch_evs, cap * sizeof(*e));
		if (!e)
			return;
		watch_evs = e;
		watch_evcap = cap;
	}
	e = &watch_evs[watch_nevs];
	e->name = strdup(name);
	if (!e->name)
		return;
	e->cb = cb;
	e->owner = owner;
	e->cookie = cookie;
	e->mask = mask;
	watch_nevs++;
	if (write(watch_efd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the main loop is awake anyway */
	}
}

/* Apply queued commands; called on the thread with the lock held. */
static void watch_apply(void)
{
	for (size_t i = 0; i < watch_ncmds; i++) {
		struct watch_reg *r = &watch_regs[watch_cmds[i].reg];

		if (watch_cmds[i].add) {
			if (!inotifytools_watch_file(r->path, (int)r->mask))
				watch_push(r->cb, r->owner, r->cookie,
					   IN_IGNORED, "");
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
	const char *wpath = inotifytools_filename_from_wd(ev->wd);
	int idx;

	if (ev->mask & IN_Q_OVERFLOW) {
		watch_push(NULL, NULL, 0, IN_Q_OVERFLOW, "");
		return;
	}
	if (!wpath)
		return;
	idx = strmap_get(&watch_bypath, wpath, strlen(wpath));
	if (idx < 0 || !watch_regs[idx].live)
		return;
	watch_push(watch_regs[idx].cb, watch_regs[idx].owner,
		   watch_regs[idx].cookie, ev->mask, ev->len ? ev->name : "");
}

static void *watch_main(void *arg)
{
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	pthread_mutex_lock(&watch_mu);
	while (!watch_quit) {
		struct inotify_event *ev;

		watch_apply();
		pthread_mutex_unlock(&watch_mu);
		ev = inotifytools_next_event(-1);
		pthread_mutex_lock(&watch_mu);
		if (ev)
			watch_event(ev);
	}
	pthread_mutex_unlock(&watch_mu);
	return NULL;
}

/* Start the watcher.  Returns 0 or -errno with a message in @err. */
int watch_init(char *err, size_t len)
{
	struct sigaction sa;
	pthread_condattr_t ca;
	sigset_t set, old;
	int rc;

	if (watch_ready)
		return 0;
	if (!inotifytools_initialize()) {
		int e = inotifytools_error();

		snprintf(err, len, "cannot start inotify: %s%s", strerror(e),
			 e == EMFILE ? " (raise fs.inotify.max_user_instances)" : "");
		return -(e ? e : EIO);
	}
	watch_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (watch_efd < 0) {
		snprintf(err, len, "eventfd: %s", strerror(errno));
		inotifytools_cleanup();
		return -EIO;
	}
	strmap_init(&watch_bypath);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&watch_cv, &ca);
	pthread_condattr_destroy(&ca);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_usr2;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	/* Every other thread keeps SIGUSR2 blocked. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	watch_quit = false;
	rc = pthread_create(&watch_thread, NULL, watch_main, NULL);
	if (rc) {
		snprintf(err, len, "cannot start the watcher thread: %s",
			 strerror(rc));
		close(watch_efd);
		watch_efd = -1;
		inotifytools_cleanup();
		return -rc;
	}
	watch_ready = true;
	return 0;
}

/* Descriptor that is readable while events wait for watch_dispatch(). */
int watch_fd(void)
{
	return watch_efd;
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
	return 0;
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
	if (idx < 0) {
		struct watch_reg *nr;

		/* A free slot whose old path the thread has let go of. */
		for (idx = 0; idx < (int)watch_nregs &&
			      (watch_regs[idx].live || watch_regs[idx].path);
		     idx++)
			;
		if (idx == (int)watch_nregs) {
			nr = realloc(watch_regs, (watch_nregs + 1) * sizeof(*nr));
			if (!nr) {
				rc = -ENOMEM;
				goto out;
			}
			watch_regs = nr;
			memset(&nr[watch_nregs++], 0, sizeof(*nr));
		}
		if (strmap_put(&watch_bypath, p, strlen(p), idx)) {
			rc = -ENOMEM;
			goto out;
		}
		watch_regs[idx].path = strdup(p);
	}
	watch_regs[idx].cb = cb;
	watch_regs[idx].owner = owner;
	watch_regs[idx].cookie = cookie;
	watch_regs[idx].mask = mask;
	watch_regs[idx].live = true;
	rc = watch_regs[idx].path ? watch_queue(true, idx) : -ENOMEM;
out:
	pthread_mutex_unlock(&watch_mu);
	free(p);
	return rc;
}

/*
 * Ask for events on @path.  Takes effect at the next watch_flush() (the run
 * loop flushes before every wait).  A path that cannot be watched reports
 * IN_IGNORED to its callback.  Watching a path already watched only
 * re-targets the callback.  Returns 0 or -errno.
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
	if (watch_queue(false, idx)) {
		free(r->path);
		r->path = NULL;
	}
}

/* Drop every watch and every queued event of @owner (a closing source). */
void watch_forget_owner(void *owner)
{
	size_t o = 0;

	if (!watch_ready)
		return;
	pthread_mutex_lock(&watch_mu);
	for (size_t i = 0; i < watch_nregs; i++)
		if (watch_regs[i].live && watch_regs[i].owner == owner)
			watch_drop((int)i);
	for (size_t i = 0; i < watch_nevs; i++) {
		if (watch_evs[i].owner == owner && watch_evs[i].cb)
			free(watch_evs[i].name);
		else
			watch_evs[o++] = watch_evs[i];
	}
	watch_nevs = o;
	pthread_mutex_unlock(&watch_mu);
	watch_flush();
}

/*
 * Make the thread apply queued requests now.  The signal may arrive just
 * before the thread enters select(), so it is repeated until the queue is
 * empty (each round waits at most 1 ms).
 */
void watch_flush(void)
{
	if (!watch_ready)
		return;
	pthread_mutex_lock(&watch_mu);
	for (int tries = 0; watch_ncmds && tries < 1000; tries++) {
		struct timespec ts;
		uint64_t until = clock_mono_ns() + CLOCK_NS_PER_MS;

		pthread_kill(watch_thread, SIGUSR2);
		ts.tv_sec = (time_t)(until / CLOCK_NS_PER_S);
		ts.tv_nsec = (long)(until % CLOCK_NS_PER_S);
		pthread_cond_timedwait(&watch_cv, &watch_mu, &ts);
	}
	pthread_mutex_unlock(&watch_mu);
}

/*
 * Deliver the queued events (main thread).  Returns how many there were.
 */
int watch_dispatch(void)
{
	struct watch_ev *evs;
	size_t n;
	uint64_t cnt;

	if (!watch_ready)
		return 0;
	if (read(watch_efd, &cnt, sizeof(cnt)) < 0) {
		/* EAGAIN: nothing signalled, but look anyway */
	}
	pthread_mutex_lock(&watch_mu);
	evs = watch_evs;
	n = watch_nevs;
	watch_evs = NULL;
	watch_nevs = watch_evcap = 0;
	pthread_mutex_unlock(&watch_mu);
	for (size_t i = 0; i < n; i++) {
		if (evs[i].cb) {
			evs[i].cb(evs[i].owner, evs[i].cookie, evs[i].mask,
				  evs[i].name);
		} else {
			/* Overflow: every owner rescans. */
			pthread_mutex_lock(&watch_mu);
			for (size_t r = 0; r < watch_nregs; r++) {
				struct watch_reg reg = watch_regs[r];

				if (!reg.live)
					continue;
				pthread_mutex_unlock(&watch_mu);
				reg.cb(reg.owner, 0, IN_Q_OVERFLOW, "");
				pthread_mutex_lock(&watch_mu);
			}
			pthread_mutex_unlock(&watch_mu);
		}
		free(evs[i].name);
	}
	free(evs);
	return (int)n;
}

/* Stop the thread and release the library (at exit). */
void watch_shutdown(void)
{
	if (!watch_ready)
		return;
	pthread_mutex_lock(&watch_mu);
	watch_quit = true;
	pthread_mutex_unlock(&watch_mu);
	for (int i = 0; i < 1000; i++) {
		struct timespec ts;

		pthread_kill(watch_thread, SIGUSR2);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (!pthread_timedjoin_np(watch_thread, NULL, &ts))
			break;
	}
	inotifytools_cleanup();
	for (size_t i = 0; i < watch_nregs; i++)
		free(watch_regs[i].path);
	free(watch_regs);
	for (size_t i = 0; i < watch_nevs; i++)
		free(watch_evs[i].name);
	free(watch_evs);
	free(watch_cmds);
	strmap_free(&watch_bypath);
	close(watch_efd);
	watch_regs = NULL;
	watch_evs = NULL;
	watch_cmds = NULL;
	watch_nregs = watch_nevs = watch_evcap = watch_ncmds = watch_cmdcap = 0;
	watch_efd = -1;
	watch_ready = false;
}
