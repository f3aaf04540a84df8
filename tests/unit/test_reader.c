// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_reader.c - the reader pool's reads: a state file read together with
 * the arc log is the file now at its path, even when the job's open file
 * was replaced before its worker ran (a simulator's tree).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "reader.h"

static char dir[64];
static char state[128];
static char arcs[128];

static void put(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Replace the state file as a simulator does: a new file renamed over. */
static void replace_state(const char *text)
{
	char tmp[160];

	snprintf(tmp, sizeof(tmp), "%s/.new", dir);
	put(tmp, text, O_TRUNC);
	ck_assert_int_eq(rename(tmp, state), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vfiomigtop-reader-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(arcs, sizeof(arcs), "%s/arcs", dir);
	put(state, "STOP\n", O_TRUNC);
	put(arcs, "", O_TRUNC);
}

static void teardown(void)
{
	unlink(state);
	unlink(arcs);
	rmdir(dir);
}

/* Run @j through a pool until it is handed back; true when as a read of
 * the same bytes (*@same then says so), false when as a job done. */
static bool run_same(struct reader_job *j, struct reader_same *same)
{
	struct reader_pool *p = reader_pool_new(2, 2 * CLOCK_NS_PER_MS);
	struct reader_batch b;
	bool was_same;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(reader_submit(p, &j, 1), 0);
	reader_wait(p, clock_mono_ns() + 30 * CLOCK_NS_PER_S);
	reader_collect(p, &b);
	ck_assert_uint_eq(b.ndone + b.nsame, 1);
	was_same = b.nsame == 1;
	if (was_same) {
		ck_assert_int_eq(j->phase, READER_IDLE);
		if (same)
			*same = b.same[0];
	} else {
		ck_assert_ptr_eq(b.done[0], j);
		ck_assert_int_eq(j->phase, READER_DONE);
		ck_assert_uint_eq(j->done_ns, b.done_ns);
	}
	reader_pool_free(p);
	return was_same;
}

/* Run @j through a pool until done (as a job to be taken). */
static void run(struct reader_job *j)
{
	ck_assert(!run_same(j, NULL));
}

/* A job whose state file is open already, with the arc log or not. */
static struct reader_job *job(bool with_arcs)
{
	struct reader_job *j = calloc(1, sizeof(*j));

	ck_assert_ptr_nonnull(j);
	j->path = state;
	j->fd = open(state, O_RDONLY | O_CLOEXEC);
	j->arc_fd = -1;
	j->last_n = -1;
	j->feat_n = -1;
	ck_assert_int_ge(j->fd, 0);
	if (with_arcs) {
		j->arc_fd = open(arcs, O_RDONLY | O_CLOEXEC);
		j->arc_cap = 4096;
		j->arc_buf = malloc(j->arc_cap);
		ck_assert_int_ge(j->arc_fd, 0);
	}
	return j;
}

static void job_free(struct reader_job *j)
{
	close(j->fd);
	if (j->arc_fd >= 0)
		close(j->arc_fd);
	free(j->arc_buf);
	free(j->feat_buf);
	free(j);
}

/* The step is in the log and the file was replaced: the new file is read,
 * with what the log had (arcs are never lost). */
START_TEST(test_replaced_with_arcs)
{
	static const char line[] = "1 100 STOP RUNNING_P2P RUNNING 0\n"
				   "2 101 RUNNING_P2P RUNNING RUNNING 0\n";
	struct reader_job *j = job(true);

	put(arcs, line, O_APPEND);
	replace_state("RUNNING\n");
	run(j);
	ck_assert_int_eq(j->n, 8);
	ck_assert(!memcmp(j->buf, "RUNNING\n", 8));
	ck_assert_int_eq(j->arc_n, (long)strlen(line));
	ck_assert(!memcmp(j->arc_buf, line, strlen(line)));
	job_free(j);
}
END_TEST

/* Without a step, or without an arc log, a read costs no more: the main
 * thread reopens a replaced file after its inotify event. */
START_TEST(test_replaced_quiet)
{
	for (int with_arcs = 0; with_arcs < 2; with_arcs++) {
		struct reader_job *j = job(with_arcs);

		replace_state(with_arcs ? "RUNNING\n" : "PRE_COPY\n");
		run(j);
		ck_assert_int_eq(j->n, 5);
		ck_assert(!memcmp(j->buf, "STOP\n", 5));
		job_free(j);
		replace_state("STOP\n");
	}
}
END_TEST

/* For a few reads after arcs came, a replaced file is read anew even if no
 * arc comes with it (the arcs came with an earlier read). */
START_TEST(test_recheck)
{
	struct reader_job *j = job(true);

	put(arcs, "1 100 STOP RUNNING_P2P RUNNING_P2P 0\n", O_APPEND);
	run(j);
	j->phase = READER_IDLE;
	replace_state("RUNNING_P2P\n");
	run(j);
	ck_assert_int_eq(j->arc_n, 0);
	ck_assert_int_eq(j->n, 12);
	ck_assert(!memcmp(j->buf, "RUNNING_P2P\n", 12));
	for (int i = 0; i < 8; i++) {
		j->phase = READER_IDLE;
		run(j);
	}
	j->phase = READER_IDLE;
	replace_state("RUNNING\n");
	run(j);
	ck_assert_int_eq(j->n, 12);	/* quiet again: the event reopens it */
	job_free(j);
}
END_TEST

/* A file that is in place is read once, arcs after it. */
START_TEST(test_in_place)
{
	struct reader_job *j = job(true);
	uint64_t t0 = clock_mono_ns();

	put(arcs, "1 5 RUNNING STOP STOP 0\n", O_APPEND);
	run(j);
	ck_assert_int_eq(j->n, 5);
	ck_assert_int_eq(j->arc_n, 24);
	ck_assert_uint_ge(j->start_ns, t0);
	job_free(j);
}
END_TEST

/* Keep what @j read as its owner does, for the next read to compare. */
static void keep(struct reader_job *j)
{
	j->phase = READER_IDLE;
	memcpy(j->last, j->buf, (size_t)j->n);
	j->last_n = j->n;
}

/*
 * A read of the bytes kept from the one before comes back alone (tag and
 * start time), its job idle again and not listed; anything else (other
 * bytes, an owner that did not ask, a features file or an arc log to
 * hand over) comes back as a job to be taken.
 */
START_TEST(test_same_alone)
{
	struct reader_job *j = job(false);
	struct reader_same same;
	uint64_t t0;

	j->same_ok = true;
	j->tag = 77;
	run(j);			/* nothing kept yet */
	keep(j);
	t0 = clock_mono_ns();
	ck_assert(run_same(j, &same));
	ck_assert_uint_eq(same.tag, 77);
	ck_assert_uint_ge(same.seen_ns, t0);
	ck_assert_uint_le(same.seen_ns, clock_mono_ns());
	replace_state("STOP\n");	/* a new file, the same bytes */
	close(j->fd);
	j->fd = -1;		/* reopened, as its owner does after the event */
	ck_assert(run_same(j, NULL));
	ck_assert_int_ge(j->fd, 0);
	put(state, "RUNNING\n", O_TRUNC);	/* other bytes, in place */
	run(j);
	ck_assert(!memcmp(j->buf, "RUNNING\n", 8));
	keep(j);
	ck_assert(run_same(j, NULL));
	j->same_ok = false;
	run(j);
	j->same_ok = true;
	j->phase = READER_IDLE;
	j->feat_path = state;	/* a features file to hand over */
	run(j);
	ck_assert_int_eq(j->feat_n, 8);
	j->feat_path = NULL;
	j->phase = READER_IDLE;
	job_free(j);
	j = job(true);		/* with an arc log, though nothing new in it */
	j->same_ok = true;
	run(j);
	keep(j);
	run(j);
	ck_assert_int_eq(j->arc_n, 0);
	job_free(j);
}
END_TEST

/* Many jobs, half of them reading what they read before: each comes back
 * once, in the list its read belongs to. */
START_TEST(test_same_many)
{
	enum { N = 200 };
	struct reader_pool *p = reader_pool_new(2, 2 * CLOCK_NS_PER_MS);
	struct reader_job *jobs[N];
	unsigned int seen[N] = { 0 };
	struct reader_batch b;
	unsigned int got = 0;

	ck_assert_ptr_nonnull(p);
	for (unsigned int i = 0; i < N; i++) {
		jobs[i] = job(false);
		jobs[i]->tag = i;
		jobs[i]->same_ok = true;
		if (i % 2) {
			memcpy(jobs[i]->last, "STOP\n", 5);
			jobs[i]->last_n = 5;
		}
	}
	ck_assert_int_eq(reader_submit(p, jobs, N), 0);
	while (got < N) {
		reader_wait(p, clock_mono_ns() + 30 * CLOCK_NS_PER_S);
		reader_collect(p, &b);
		ck_assert_uint_gt(b.ndone + b.nsame, 0);
		for (unsigned int i = 0; i < b.nsame; i++) {
			ck_assert_uint_eq(b.same[i].tag % 2, 1);
			seen[b.same[i].tag]++;
		}
		for (unsigned int i = 0; i < b.ndone; i++) {
			ck_assert_uint_eq(b.done[i]->tag % 2, 0);
			seen[b.done[i]->tag]++;
		}
		got += b.ndone + b.nsame;
	}
	for (unsigned int i = 0; i < N; i++) {
		ck_assert_uint_eq(seen[i], 1);
		job_free(jobs[i]);
	}
	reader_pool_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replaced_with_arcs);
	tcase_add_test(tc, test_replaced_quiet);
	tcase_add_test(tc, test_recheck);
	tcase_add_test(tc, test_in_place);
	tcase_add_test(tc, test_same_alone);
	tcase_add_test(tc, test_same_many);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
