// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_watch.c - the inotify watcher (watch.c) and its queue (watchq.c):
 * events reach their owner, requests are applied without waiting beyond a
 * deadline, lost events make every owner rescan, and shutdown never
 * releases what a thread that did not stop may still use.  Every wait is
 * for a condition, bounded by T_WAIT seconds.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inotifytools/inotify.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "watch.h"
#include "watchq.h"

static char dir[64];

/* What the callback saw. */
static struct {
	unsigned int calls;	/* events delivered */
	unsigned int overflow;	/* IN_Q_OVERFLOW delivered */
	unsigned int failed;	/* WATCH_FAILED delivered */
	char last[256];		/* name of the last event */
	uint64_t cookie;	/* cookie of the last event */
	uint64_t mod_cookie;	/* cookie of the last IN_MODIFY */
	uint64_t ignored;	/* bit c-100: cookie c (100..163) told IN_IGNORED */
} seen;

static void cb(void *owner, uint64_t cookie, uint32_t mask, const char *name)
{
	(void)owner;
	seen.calls++;
	if (mask & IN_Q_OVERFLOW)
		seen.overflow++;
	if (mask & WATCH_FAILED)
		seen.failed++;
	seen.cookie = cookie;
	if (mask & IN_MODIFY)
		seen.mod_cookie = cookie;
	if ((mask & IN_IGNORED) && cookie >= 100 && cookie < 164)
		seen.ignored |= 1ull << (cookie - 100);
	snprintf(seen.last, sizeof(seen.last), "%s", name);
}

static uint64_t wait_ns(void)
{
	const char *w = getenv("T_WAIT");

	return (uint64_t)(w && atoi(w) > 0 ? atoi(w) : 60) * CLOCK_NS_PER_S;
}

/* Dispatch until @cond holds or T_WAIT passes; true when it held. */
static bool dispatch_until(bool (*cond)(void))
{
	uint64_t end = clock_mono_ns() + wait_ns();

	while (!cond() && clock_mono_ns() < end) {
		struct pollfd p = { watch_fd(), POLLIN, 0 };

		poll(&p, 1, 100);
		watch_dispatch();
	}
	return cond();
}

static bool named_new(void) { return !strcmp(seen.last, "new"); }
static bool got_overflow(void) { return seen.overflow > 0; }
static bool got_failed(void) { return seen.failed > 0; }

static void setup(void)
{
	char err[256];

	memset(&seen, 0, sizeof(seen));
	snprintf(dir, sizeof(dir), "/tmp/vfiomigtop-watch-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_msg(!watch_init(err, sizeof(err)), "%s", err);
}

static void teardown(void)
{
	char cmd[128];

	watch_shutdown(wait_ns());
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void touch(const char *name)
{
	char p[160];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* A watch is in place when watch_flush() returns 0: an entry created
 * after it reaches the owner, with its cookie. */
START_TEST(test_event)
{
	ck_assert_int_eq(watch_add(dir, IN_CREATE, cb, &seen, 42), 0);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	touch("new");
	ck_assert(dispatch_until(named_new));
	ck_assert_uint_eq(seen.cookie, 42);
}
END_TEST

/* Nothing queued: flushing returns at once with success. */
START_TEST(test_flush_idle)
{
	ck_assert_int_eq(watch_flush(clock_mono_ns()), 0);
}
END_TEST

/* A path that cannot be watched is reported as failed, not dropped. */
START_TEST(test_add_failed)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/missing", dir);
	ck_assert_int_eq(watch_add(p, IN_MODIFY, cb, &seen, 1), 0);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	ck_assert(dispatch_until(got_failed));
}
END_TEST

/* A thread that does not run: flushing gives up at its deadline (it used
 * to retry for a second), and the request is applied once it runs. */
START_TEST(test_flush_deadline)
{
	watch_test_stall(true);
	ck_assert_int_eq(watch_add(dir, IN_CREATE, cb, &seen, 7), 0);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + 10 * CLOCK_NS_PER_MS),
			 -ETIMEDOUT);
	watch_test_stall(false);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	touch("new");
	ck_assert(dispatch_until(named_new));
}
END_TEST

/* Shutdown while the thread cannot stop: it says so and releases nothing
 * (the library stays, a new watcher is refused); once the thread can
 * stop, a second shutdown completes and the watcher starts again. */
START_TEST(test_shutdown_stuck)
{
	char err[256];

	ck_assert_int_eq(watch_add(dir, IN_CREATE, cb, &seen, 1), 0);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	watch_test_stall(true);
	ck_assert_int_eq(watch_shutdown(20 * CLOCK_NS_PER_MS), -ETIMEDOUT);
	ck_assert_int_eq(watch_fd(), -1);
	ck_assert_int_eq(watch_add(dir, IN_CREATE, cb, &seen, 1), -ENOTCONN);
	ck_assert_int_eq(watch_init(err, sizeof(err)), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "not stopped"));
	watch_test_stall(false);
	ck_assert_int_eq(watch_shutdown(wait_ns()), 0);
	ck_assert_int_eq(watch_shutdown(wait_ns()), 0);	/* idempotent */
	ck_assert_msg(!watch_init(err, sizeof(err)), "%s", err);
	ck_assert_int_eq(watch_add(dir, IN_CREATE, cb, &seen, 3), 0);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	touch("new");
	ck_assert(dispatch_until(named_new));
	ck_assert_uint_eq(seen.cookie, 3);
}
END_TEST

/* A normal shutdown and a restart, several times over. */
START_TEST(test_shutdown_restart)
{
	char err[256];

	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(watch_shutdown(wait_ns()), 0);
		ck_assert_int_eq(watch_fd(), -1);
		ck_assert_msg(!watch_init(err, sizeof(err)), "%s", err);
		ck_assert_int_ge(watch_fd(), 0);
	}
}
END_TEST

/* More events than the queue holds, none taken: the owner is told to
 * rescan (our queue's loss, or the kernel's overflow). */
START_TEST(test_overflow)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/f", dir);
	touch("f");
	ck_assert_int_eq(watch_add(p, IN_OPEN | IN_CLOSE_NOWRITE, cb, &seen,
				   5), 0);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	for (int i = 0; i < 20000; i++) {
		int fd = open(p, O_RDONLY);

		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	ck_assert(dispatch_until(got_overflow));
}
END_TEST

/* The queue: events beyond its size are counted, not dropped silently. */
START_TEST(test_queue_full)
{
	struct watchq q, out;
	struct watchq_ev e = { cb, &seen, 1, IN_MODIFY, NULL };

	watchq_init(&q, 3);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(watchq_push(&q, &e, "x"), i < 3);
	ck_assert_uint_eq(q.lost, 2);
	watchq_take(&q, &out);
	ck_assert_uint_eq(out.n, 3);
	ck_assert_uint_eq(out.lost, 2);
	ck_assert_str_eq(out.ev[2].name, "x");
	ck_assert_uint_eq(q.n, 0);
	ck_assert_uint_eq(q.lost, 0);
	ck_assert_uint_eq(q.lost_total, 2);
	ck_assert_int_eq(watchq_push(&q, &e, "x"), 1);	/* room again */
	watchq_free(&out);
	watchq_free(&q);
}
END_TEST

/* Forgetting an owner drops its events only. */
START_TEST(test_queue_forget)
{
	struct watchq q;
	int other;
	struct watchq_ev a = { cb, &seen, 1, IN_MODIFY, NULL };
	struct watchq_ev b = { cb, &other, 2, IN_MODIFY, NULL };

	watchq_init(&q, 16);
	watchq_push(&q, &a, "a");
	watchq_push(&q, &b, "b");
	watchq_push(&q, &a, "a");
	watchq_forget(&q, &seen);
	ck_assert_uint_eq(q.n, 1);
	ck_assert_str_eq(q.ev[0].name, "b");
	watchq_free(&q);
}
END_TEST

static uint64_t restarts_before;
static bool all_40_ignored(void) { return seen.ignored == (1ull << 40) - 1; }
static bool restarted(void) { return watch_restart_count() > restarts_before; }
static bool got_cookie_555(void) { return seen.mod_cookie == 555; }

/* Write to @name in dir (an IN_MODIFY). */
static void scribble(const char *name)
{
	char p[160];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
}

/*
 * libinotifytools keeps a record of every watch the kernel ended (a
 * deleted file, a renewed one).  Past twice the live watches plus the
 * slack, the library starts afresh: its owners hear IN_Q_OVERFLOW, live
 * watches go on delivering, and a path let go can be watched again.
 */
START_TEST(test_restart_lets_go)
{
	char p[160];

	watch_test_restart_slack(8);
	restarts_before = watch_restart_count();
	ck_assert_int_eq(watch_add(dir, IN_CREATE, cb, &seen, 1), 0);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	/* Files watched, then deleted: their records go stale. */
	for (int i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), "f%d", i);
		touch(p);
		snprintf(p, sizeof(p), "%s/f%d", dir, i);
		ck_assert_int_eq(watch_add(p, IN_MODIFY, cb, &seen,
					   (uint64_t)(100 + i)), 0);
		ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
		ck_assert_int_eq(unlink(p), 0);
	}
	ck_assert(dispatch_until(restarted));
	ck_assert(dispatch_until(got_overflow));
	/*
	 * Every deleted file's owner hears its watch ended, from the kernel
	 * or from a restart.  The thread pushes the last of these and the
	 * restart it may cause under one hold of its lock, so once all are
	 * here no restart is pending that could swallow the next event.
	 */
	ck_assert(dispatch_until(all_40_ignored));
	/* The directory's watch was set again. */
	seen.last[0] = 0;
	touch("new");
	ck_assert(dispatch_until(named_new));
	ck_assert_uint_eq(seen.cookie, 1);
	/* A path let go is watched anew. */
	touch("f0");
	snprintf(p, sizeof(p), "%s/f0", dir);
	ck_assert_int_eq(watch_add(p, IN_MODIFY, cb, &seen, 555), 0);
	ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	scribble("f0");
	ck_assert(dispatch_until(got_cookie_555));
	/* Renewals of one path pile up records too. */
	restarts_before = watch_restart_count();
	for (int i = 0; i < 40; i++) {
		ck_assert_int_eq(watch_renew(p, IN_MODIFY, cb, &seen, 555), 0);
		ck_assert_int_eq(watch_flush(clock_mono_ns() + wait_ns()), 0);
	}
	ck_assert(dispatch_until(restarted));
	seen.mod_cookie = 0;
	scribble("f0");
	ck_assert(dispatch_until(got_cookie_555));
	watch_test_restart_slack(4096);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("thread");
	TCase *tq = tcase_create("queue");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_event);
	tcase_add_test(tc, test_flush_idle);
	tcase_add_test(tc, test_add_failed);
	tcase_add_test(tc, test_flush_deadline);
	tcase_add_test(tc, test_shutdown_stuck);
	tcase_add_test(tc, test_shutdown_restart);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_restart_lets_go);
	suite_add_tcase(s, tc);
	tcase_add_test(tq, test_queue_full);
	tcase_add_test(tq, test_queue_forget);
	suite_add_tcase(s, tq);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
