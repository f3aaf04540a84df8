// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_fsm.c - the state machine against the rules of the kernel's uAPI
 * (include/uapi/linux/vfio.h, "vfio_device_mig_state" comment), written
 * down here independently of the lookup table in src/fsm.c: the arcs a
 * driver implements for each feature set, and the property that the
 * kernel takes a shortest path that passes through a saving state only
 * when it moves within the saving group.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsm.h"

enum { E = FSM_ERROR, S = FSM_STOP, R = FSM_RUNNING, SC = FSM_STOP_COPY,
       RS = FSM_RESUMING, RP = FSM_RUNNING_P2P, PC = FSM_PRE_COPY,
       PP = FSM_PRE_COPY_P2P };

/* The arcs the uAPI lists, per feature set. */
static bool rule_arc(int a, int b, unsigned int f)
{
	bool p2p = f & FSM_F_P2P, pre = f & FSM_F_PRE_COPY;

	if (!(f & FSM_F_STOP_COPY))
		return false;
	if ((a == RS && b == S) || (a == S && b == RS) ||
	    (a == S && b == SC) || (a == SC && b == S))
		return true;
	if (p2p && ((a == R && b == RP) || (a == RP && b == R) ||
		    (a == RP && b == S) || (a == S && b == RP)))
		return true;
	if (pre && ((a == R && b == PC) || (a == PC && b == R)))
		return true;
	/* With P2P the device quiesces first: PRE_COPY goes via PRE_COPY_P2P. */
	if (pre && !p2p && a == PC && b == SC)
		return true;
	if (p2p && pre && ((a == PC && b == PP) || (a == PP && b == PC) ||
			   (a == PP && b == RP) || (a == PP && b == SC) ||
			   (a == RP && b == PP)))
		return true;
	if (!p2p && ((a == R && b == S) || (a == S && b == R)))
		return true;
	return false;
}

static bool rule_supported(int s, unsigned int f)
{
	if (!(f & FSM_F_STOP_COPY) || s == E)
		return false;
	if (s == RP)
		return f & FSM_F_P2P;
	if (s == PC)
		return f & FSM_F_PRE_COPY;
	if (s == PP)
		return (f & FSM_F_P2P) && (f & FSM_F_PRE_COPY);
	return true;
}

static bool saving(int s)
{
	return s == PC || s == PP || s == SC;
}

/* Shortest path length over rule arcs with no saving state inside; -1. */
static int rule_dist(int from, int to, unsigned int f)
{
	int dist[FSM_NR], q[FSM_NR], qh = 0, qt = 0;

	for (int i = 0; i < FSM_NR; i++)
		dist[i] = -1;
	dist[from] = 0;
	q[qt++] = from;
	while (qh < qt) {
		int a = q[qh++];

		if (a == to)
			return dist[a];
		/* A saving state may be passed through only while moving
		 * inside the saving group (PRE_COPY -> PRE_COPY_P2P ->
		 * STOP_COPY keeps one data stream). */
		if (a != from && saving(a) && !(saving(from) && saving(to)))
			continue;
		for (int b = 0; b < FSM_NR; b++) {
			if (dist[b] < 0 && rule_arc(a, b, f)) {
				dist[b] = dist[a] + 1;
				q[qt++] = b;
			}
		}
	}
	return -1;
}

START_TEST(test_names_and_numbers)
{
	static const char *const names[] = { "ERROR", "STOP", "RUNNING",
		"STOP_COPY", "RESUMING", "RUNNING_P2P", "PRE_COPY",
		"PRE_COPY_P2P" };
	enum fsm_state s;

	for (int i = 0; i < FSM_NR; i++) {
		ck_assert_str_eq(fsm_name((enum fsm_state)i), names[i]);
		ck_assert_int_eq(fsm_parse(names[i], strlen(names[i]), &s), 0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_str_eq(fsm_name((enum fsm_state)8), "Invalid");
	ck_assert_str_eq(fsm_name((enum fsm_state)-1), "Invalid");
	ck_assert_int_eq(FSM_RUNNING_P2P, 5);
	ck_assert_int_eq(FSM_PRE_COPY_P2P, 7);
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = { "", "running", "RUNNING\n",
		"RUNNIN", "RUNNINGX", "Invalid", " STOP", "STOP ", "ERROR\0" };
	enum fsm_state s = FSM_STOP;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(fsm_parse(bad[i], strlen(bad[i]) +
					   (i == 8), &s), -EINVAL);
	ck_assert_int_eq(s, FSM_STOP);
}
END_TEST

START_TEST(test_supported_matches_rules)
{
	for (unsigned int f = 0; f < 8; f++)
		for (int s = 0; s < FSM_NR; s++)
			ck_assert_msg(fsm_supported((enum fsm_state)s, f) ==
				      rule_supported(s, f),
				      "state %d flags %u", s, f);
}
END_TEST

START_TEST(test_arcs_match_rules)
{
	for (unsigned int f = 0; f < 8; f++)
		for (int a = 0; a < FSM_NR; a++)
			for (int b = 0; b < FSM_NR; b++)
				ck_assert_msg(fsm_is_arc((enum fsm_state)a,
							 (enum fsm_state)b, f) ==
					      rule_arc(a, b, f),
					      "%s->%s flags %u",
					      fsm_name((enum fsm_state)a),
					      fsm_name((enum fsm_state)b), f);
}
END_TEST

/* Every (from, to, flags): the kernel refuses or walks a shortest path of
 * arcs, never through a saving state, and never from STOP_COPY back into
 * PRE_COPY. */
START_TEST(test_next_step_every_combination)
{
	for (unsigned int f = 0; f < 8; f++) {
		for (int a = 0; a < FSM_NR; a++) {
			for (int b = 0; b < FSM_NR; b++) {
				enum fsm_state steps[FSM_MAX_PATH], n1;
				int n = fsm_path((enum fsm_state)a,
						 (enum fsm_state)b, f, steps,
						 FSM_MAX_PATH);
				bool refused = !rule_supported(a, f) ||
					       !rule_supported(b, f) ||
					       (a == SC && (b == PC || b == PP));
				int want = refused ? -1 : rule_dist(a, b, f);

				if (a == b) {
					ck_assert_int_eq(n, 0);
					continue;
				}
				if (want < 0) {
					ck_assert_msg(n == -EINVAL, "%d->%d f%u gave %d",
						      a, b, f, n);
					ck_assert_int_eq(fsm_next_step((enum fsm_state)a,
								       (enum fsm_state)b,
								       f, &n1), -EINVAL);
					continue;
				}
				ck_assert_msg(n == want, "%s->%s flags %u: %d steps, want %d",
					      fsm_name((enum fsm_state)a),
					      fsm_name((enum fsm_state)b), f, n, want);
				for (int i = 0, prev = a; i < n; prev = steps[i++]) {
					ck_assert(rule_arc(prev, steps[i], f));
					if (i < n - 1 && !(saving(a) && saving(b)))
						ck_assert(!saving(steps[i]));
				}
			}
		}
	}
}
END_TEST

static void expect_path(int from, int to, unsigned int f, const int *want,
			int nwant)
{
	enum fsm_state steps[FSM_MAX_PATH];
	int n = fsm_path((enum fsm_state)from, (enum fsm_state)to, f, steps,
			 FSM_MAX_PATH);

	ck_assert_int_eq(n, nwant);
	for (int i = 0; i < n; i++)
		ck_assert_str_eq(fsm_name(steps[i]),
				 fsm_name((enum fsm_state)want[i]));
}

/* Paths documented for real drivers and seen on mtty in the VM recipe. */
START_TEST(test_known_paths)
{
	expect_path(R, SC, FSM_F_ALL, (const int[]){ RP, S, SC }, 3);
	expect_path(R, SC, FSM_F_STOP_COPY | FSM_F_PRE_COPY,
		    (const int[]){ S, SC }, 2);
	expect_path(PC, SC, FSM_F_ALL, (const int[]){ PP, SC }, 2);
	expect_path(PC, SC, FSM_F_STOP_COPY | FSM_F_PRE_COPY,
		    (const int[]){ SC }, 1);
	expect_path(R, RS, FSM_F_ALL, (const int[]){ RP, S, RS }, 3);
	expect_path(RS, R, FSM_F_ALL, (const int[]){ S, RP, R }, 3);
	expect_path(SC, R, FSM_F_STOP_COPY, (const int[]){ S, R }, 2);
	expect_path(SC, PC, FSM_F_ALL, NULL, -EINVAL);
	expect_path(E, R, FSM_F_ALL, NULL, -EINVAL);
	expect_path(R, E, FSM_F_ALL, NULL, -EINVAL);
	expect_path(R, R, FSM_F_ALL, NULL, 0);
}
END_TEST

START_TEST(test_path_buffer_too_small)
{
	enum fsm_state steps[2];

	ck_assert_int_eq(fsm_path(FSM_RUNNING, FSM_STOP_COPY, FSM_F_ALL, steps,
				  2), -EINVAL);
}
END_TEST

START_TEST(test_flags_implied)
{
	ck_assert_uint_eq(fsm_flags_implied(FSM_RUNNING), FSM_F_STOP_COPY);
	ck_assert_uint_eq(fsm_flags_implied(FSM_RUNNING_P2P),
			  FSM_F_STOP_COPY | FSM_F_P2P);
	ck_assert_uint_eq(fsm_flags_implied(FSM_PRE_COPY_P2P), FSM_F_ALL);
	ck_assert_uint_eq(fsm_flags_implied(FSM_ERROR), FSM_F_STOP_COPY);
	ck_assert(fsm_is_saving(FSM_STOP_COPY));
	ck_assert(!fsm_is_saving(FSM_STOP));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fsm");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_names_and_numbers);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_supported_matches_rules);
	tcase_add_test(tc, test_arcs_match_rules);
	tcase_add_test(tc, test_next_step_every_combination);
	tcase_add_test(tc, test_known_paths);
	tcase_add_test(tc, test_path_buffer_too_small);
	tcase_add_test(tc, test_flags_implied);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
