// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_readplan.c - which files a refresh reads: every one where changes
 * are not notified; where they are, what notified, what is not idle or
 * changed lately, and a sweep that reads every device within
 * READPLAN_SWEEP_NS.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <check.h>
#include <stdlib.h>

#include "clock.h"
#include "readplan.h"

#define NOW (100 * CLOCK_NS_PER_S)

static struct readplan_dev idle(void)
{
	struct readplan_dev v = { true, false, DS_RUNNING, 0 };

	return v;
}

START_TEST(test_poll_without_notification)
{
	struct readplan_dev v = idle();

	v.notified = false;
	ck_assert_int_eq(readplan_need(&v, NOW), READPLAN_POLL);
}
END_TEST

START_TEST(test_idle_skipped)
{
	struct readplan_dev v = idle();

	ck_assert_int_eq(readplan_need(&v, NOW), READPLAN_SKIP);
	v.change_ns = NOW - READPLAN_HOT_NS;
	ck_assert_int_eq(readplan_need(&v, NOW), READPLAN_SKIP);
}
END_TEST

START_TEST(test_dirty_read)
{
	struct readplan_dev v = idle();

	v.dirty = true;
	ck_assert_int_eq(readplan_need(&v, NOW), READPLAN_DIRTY);
	v.dirty = false;
	v.val = DS_UNKNOWN;	/* never read */
	ck_assert_int_eq(readplan_need(&v, NOW), READPLAN_DIRTY);
}
END_TEST

/* A migration under way, an error, a failed read, a recent change: read
 * at every refresh, as when polling. */
START_TEST(test_hot_read)
{
	static const enum dstate busy[] = {
		DS_PRE_COPY, DS_STOP_COPY, DS_RESUMING, DS_STOP, DS_ERROR,
		DS_RUNNING_P2P, DS_EINVAL, DS_EACCES, DS_UNPARSABLE,
	};
	struct readplan_dev v = idle();

	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		v.val = busy[i];
		ck_assert_int_eq(readplan_need(&v, NOW), READPLAN_HOT);
	}
	v.val = DS_RUNNING;
	v.change_ns = NOW - READPLAN_HOT_NS + 1;
	ck_assert_int_eq(readplan_need(&v, NOW), READPLAN_HOT);
}
END_TEST

/* The sweep visits every slot within READPLAN_SWEEP_NS, whatever the
 * refresh interval, and at least one slot per refresh. */
START_TEST(test_quota)
{
	static const uint64_t ivs[] = {
		CLOCK_NS_PER_MS, 10 * CLOCK_NS_PER_MS, 200 * CLOCK_NS_PER_MS,
		CLOCK_NS_PER_S, 3 * CLOCK_NS_PER_S,
	};

	ck_assert_uint_eq(readplan_quota(0, CLOCK_NS_PER_S), 0);
	ck_assert_uint_eq(readplan_quota(10, 0), 1);
	ck_assert_uint_eq(readplan_quota(4096, READPLAN_SWEEP_NS), 4096);
	ck_assert_uint_eq(readplan_quota(4096, 200 * CLOCK_NS_PER_MS), 164);
	for (size_t k = 0; k < sizeof(ivs) / sizeof(ivs[0]); k++) {
		for (size_t n = 1; n < 5000; n = n * 3 + 1) {
			uint64_t t = 0;
			size_t covered = 0;

			while (covered < n) {
				covered += readplan_quota(n, ivs[k]);
				t += ivs[k];
			}
			ck_assert_uint_le(t, READPLAN_SWEEP_NS + ivs[k]);
		}
	}
}
END_TEST

/* The sweep takes a slice once a step, not at every refresh, and still
 * reads every slot within READPLAN_SWEEP_NS and a step. */
START_TEST(test_sweep_steps)
{
	static const uint64_t ivs[] = {
		10 * CLOCK_NS_PER_MS, 200 * CLOCK_NS_PER_MS, 700 * CLOCK_NS_PER_MS,
		CLOCK_NS_PER_S, 3 * CLOCK_NS_PER_S,
	};
	const uint64_t t0 = 1000 * CLOCK_NS_PER_S;

	ck_assert_uint_eq(readplan_sweep(4096, 0, t0), 4096);
	ck_assert_uint_eq(readplan_sweep(4096, t0, t0 + 200 * CLOCK_NS_PER_MS), 0);
	ck_assert_uint_eq(readplan_sweep(4096, t0, t0 + 999 * CLOCK_NS_PER_MS), 0);
	ck_assert_uint_eq(readplan_sweep(4096, t0, t0 + CLOCK_NS_PER_S), 820);
	for (size_t k = 0; k < sizeof(ivs) / sizeof(ivs[0]); k++) {
		for (size_t n = 1; n < 5000; n = n * 3 + 1) {
			uint64_t t = t0, last = t0, slices = 0;
			size_t covered = 0;

			while (covered < n) {
				size_t q;

				t += ivs[k];
				q = readplan_sweep(n, last, t);
				if (q) {
					last = t;
					slices++;
				}
				covered += q;
			}
			ck_assert_uint_le(t - t0, READPLAN_SWEEP_NS +
					  READPLAN_SWEEP_STEP_NS + ivs[k]);
			/* At most one slice a step. */
			ck_assert_uint_le(slices, (t - t0) / READPLAN_SWEEP_STEP_NS + 1);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("readplan");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_poll_without_notification);
	tcase_add_test(tc, test_idle_skipped);
	tcase_add_test(tc, test_dirty_read);
	tcase_add_test(tc, test_hot_read);
	tcase_add_test(tc, test_quota);
	tcase_add_test(tc, test_sweep_steps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
