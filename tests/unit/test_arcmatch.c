// SPDX-License-Identifier: GPL-2.0-or-later
/* test_arcmatch.c - explaining state changes with the module's arc log */
#include <errno.h>

#include "testutil.h"
#include "arcmatch.h"

static struct arcmatch_arc arc(uint64_t seq, uint64_t t, enum dstate cur,
			       enum dstate next, enum dstate target, int ret)
{
	struct arcmatch_arc a = { .seq = seq, .t_ns = t, .cur = (uint8_t)cur,
				  .next = (uint8_t)next,
				  .target = (uint8_t)target, .ret = ret };
	return a;
}

static void push(struct arcmatch *m, struct arcmatch_arc a)
{
	arcmatch_push(m, &a);
}

#define STEP(i, f, t, fl) do { \
		ck_assert_int_eq(st[i].from, f); \
		ck_assert_int_eq(st[i].to, t); \
		ck_assert_int_eq(st[i].flags, fl); \
	} while (0)

START_TEST(test_parse)
{
	struct arcmatch_arc a;
	uint64_t lost = 0;
	const char l1[] = "17 123456789012 RUNNING PRE_COPY PRE_COPY 0";
	const char l2[] = "3 2345172444 STOP - ERROR -22";
	const char l3[] = "# lost 5";

	ck_assert_int_eq(arcmatch_parse_line(l1, strlen(l1), &a, &lost), 1);
	ck_assert_uint_eq(a.seq, 17);
	ck_assert_uint_eq(a.t_ns, 123456789012ull);
	ck_assert_int_eq(a.cur, DS_RUNNING);
	ck_assert_int_eq(a.next, DS_PRE_COPY);
	ck_assert_int_eq(a.ret, 0);
	ck_assert_int_eq(arcmatch_parse_line(l2, strlen(l2), &a, &lost), 1);
	ck_assert_int_eq(a.next, DS_UNKNOWN);
	ck_assert_int_eq(a.target, DS_ERROR);
	ck_assert_int_eq(a.ret, -22);
	ck_assert_int_eq(arcmatch_parse_line(l3, strlen(l3), &a, &lost), 0);
	ck_assert_uint_eq(lost, 5);
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = {
		"", "17", "17 5 RUNNING PRE_COPY PRE_COPY", "x 5 RUNNING STOP STOP 0",
		"1 5 running STOP STOP 0", "1 5 RUNNING STOP STOP 0 extra",
		"1 5 RUNNING - STOP 0", "1 5 RUNNING STOP STOP -22",
		"1 5 RUNNING STOP STOP 99999", "# lost", "# lost x",
		"123456789012345678901 5 RUNNING STOP STOP 0",
		"1 5 Invalid - STOP -22", "1 5 RUNNING Invalid STOP 0",
	};
	struct arcmatch_arc a;
	uint64_t lost = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(arcmatch_parse_line(bad[i], strlen(bad[i]), &a,
						  &lost) == -EINVAL, "%s", bad[i]);
	ck_assert_uint_eq(lost, 0);
}
END_TEST

/*
 * The kernel refuses a request for a state outside its enum and the module
 * logs the target as "Invalid" (migtest asks for 42): a line like any
 * other, so the next arc's sequence number is no gap and the steps after
 * it are still exact.
 */
START_TEST(test_refused_invalid_target)
{
	static const char *const lines[] = {
		"7 100 RUNNING - ERROR -22",
		"8 101 RUNNING - Invalid -22",
		"9 200 RUNNING RUNNING_P2P RESUMING 0",
		"10 201 RUNNING_P2P STOP RESUMING 0",
		"11 202 STOP RESUMING RESUMING 0",
	};
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	struct arcmatch_arc a;
	uint64_t lost = 0;
	size_t n;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		ck_assert_int_eq(arcmatch_parse_line(lines[i], strlen(lines[i]),
						     &a, &lost), 1);
		arcmatch_push(&m, &a);
	}
	ck_assert_uint_eq(lost, 0);
	n = arcmatch_explain(&m, DS_RUNNING, DS_RUNNING, 50, 150, st, 16);
	ck_assert_uint_eq(n, 2);
	STEP(0, DS_RUNNING, DS_ERROR, SNAP_STEP_REFUSED);
	STEP(1, DS_RUNNING, DS_INVALID, SNAP_STEP_REFUSED);
	n = arcmatch_explain(&m, DS_RUNNING, DS_RESUMING, 150, 250, st, 16);
	ck_assert_uint_eq(n, 3);
	STEP(0, DS_RUNNING, DS_RUNNING_P2P, SNAP_STEP_ARC);
	STEP(1, DS_RUNNING_P2P, DS_STOP, SNAP_STEP_ARC);
	STEP(2, DS_STOP, DS_RESUMING, SNAP_STEP_ARC);
}
END_TEST

/* The mtty source in the VM test: four arcs, one of them hidden. */
START_TEST(test_source_migration)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(1, 10, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	push(&m, arc(2, 20, DS_PRE_COPY, DS_PRE_COPY_P2P, DS_STOP_COPY, 0));
	push(&m, arc(3, 21, DS_PRE_COPY_P2P, DS_STOP_COPY, DS_STOP_COPY, 0));
	push(&m, arc(4, 30, DS_STOP_COPY, DS_STOP, DS_STOP, 0));
	n = arcmatch_explain(&m, DS_RUNNING, DS_STOP, 0, 40, st, 16);
	ck_assert_uint_eq(n, 4);
	STEP(0, DS_RUNNING, DS_PRE_COPY, SNAP_STEP_ARC);
	STEP(1, DS_PRE_COPY, DS_PRE_COPY_P2P, SNAP_STEP_ARC);
	STEP(2, DS_PRE_COPY_P2P, DS_STOP_COPY, SNAP_STEP_ARC);
	STEP(3, DS_STOP_COPY, DS_STOP, SNAP_STEP_ARC);
	ck_assert_uint_eq(st[1].t_ns, 20);
	ck_assert_uint_eq(m.n, 0);
}
END_TEST

/* Arcs newer than the state read wait for the next refresh. */
START_TEST(test_arc_after_read_waits)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(1, 10, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	push(&m, arc(2, 50, DS_PRE_COPY, DS_PRE_COPY_P2P, DS_STOP_COPY, 0));
	n = arcmatch_explain(&m, DS_RUNNING, DS_PRE_COPY, 0, 40, st, 16);
	ck_assert_uint_eq(n, 1);
	STEP(0, DS_RUNNING, DS_PRE_COPY, SNAP_STEP_ARC);
	ck_assert_uint_eq(m.n, 1);
	push(&m, arc(3, 51, DS_PRE_COPY_P2P, DS_STOP_COPY, DS_STOP_COPY, 0));
	n = arcmatch_explain(&m, DS_PRE_COPY, DS_STOP_COPY, 0, 60, st, 16);
	ck_assert_uint_eq(n, 2);
	STEP(0, DS_PRE_COPY, DS_PRE_COPY_P2P, SNAP_STEP_ARC);
	STEP(1, DS_PRE_COPY_P2P, DS_STOP_COPY, SNAP_STEP_ARC);
}
END_TEST

/* Truncated data on mtty: RESUMING -> STOP is chosen, the device stays in
 * RESUMING; then VFIO_DEVICE_RESET takes it to RUNNING with no arc. */
START_TEST(test_failed_step_then_reset)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(7, 10, DS_RESUMING, DS_STOP, DS_STOP, 0));
	n = arcmatch_explain(&m, DS_RESUMING, DS_RESUMING, 0, 20, st, 16);
	ck_assert_uint_eq(n, 1);
	STEP(0, DS_RESUMING, DS_STOP, SNAP_STEP_FAILED);
	ck_assert_uint_eq(m.n, 0);
	n = arcmatch_explain(&m, DS_RESUMING, DS_RUNNING, 0, 30, st, 16);
	ck_assert_uint_eq(n, 1);
	STEP(0, DS_RESUMING, DS_RUNNING, SNAP_STEP_NOPATH);
}
END_TEST

/*
 * The VM test's sequence seen in one refresh: a load is asked for STOP
 * (its whole path), the device is then found in RUNNING with no arc, a
 * second load the same.  A load accepted and then reset looks exactly
 * like one rejected and then reset: each step is unsure, never failed.
 */
START_TEST(test_two_loads_then_resets_between_reads)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(12, 10, DS_RESUMING, DS_STOP, DS_STOP, 0));
	push(&m, arc(13, 20, DS_RUNNING, DS_RUNNING_P2P, DS_RESUMING, 0));
	push(&m, arc(14, 21, DS_RUNNING_P2P, DS_STOP, DS_RESUMING, 0));
	push(&m, arc(15, 22, DS_STOP, DS_RESUMING, DS_RESUMING, 0));
	push(&m, arc(16, 30, DS_RESUMING, DS_STOP, DS_STOP, 0));
	n = arcmatch_explain(&m, DS_RESUMING, DS_RUNNING, 0, 40, st, 16);
	ck_assert_uint_eq(n, 7);
	STEP(0, DS_RESUMING, DS_STOP, SNAP_STEP_UNSURE);
	STEP(1, DS_RESUMING, DS_RUNNING, SNAP_STEP_NOPATH);
	STEP(2, DS_RUNNING, DS_RUNNING_P2P, SNAP_STEP_ARC);
	STEP(3, DS_RUNNING_P2P, DS_STOP, SNAP_STEP_ARC);
	STEP(4, DS_STOP, DS_RESUMING, SNAP_STEP_ARC);
	STEP(5, DS_RESUMING, DS_STOP, SNAP_STEP_UNSURE);
	STEP(6, DS_RESUMING, DS_RUNNING, SNAP_STEP_NOPATH);
	ck_assert_uint_eq(st[1].t_ns, 20);
	ck_assert_uint_eq(st[1].lo_ns, 0);
	ck_assert_uint_eq(st[6].t_ns, 40);
	ck_assert_uint_eq(m.n, 0);
}
END_TEST

/*
 * QEMU's destination with a driver that rejects the data: it asks
 * RESUMING -> RUNNING_P2P, the kernel chooses RESUMING -> STOP, the driver
 * fails it and QEMU resets the device; the VM then quits.  The request's
 * path went on beyond STOP but no arc from STOP followed: the driver
 * stopped at a failed step.  Proven, so failed, though the device was
 * reset before any read.
 */
START_TEST(test_short_path_proves_failure)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(4, 10, DS_RESUMING, DS_STOP, DS_RUNNING_P2P, 0));
	push(&m, arc(5, 20, DS_RUNNING, DS_RUNNING_P2P, DS_RUNNING_P2P, 0));
	push(&m, arc(6, 21, DS_RUNNING_P2P, DS_STOP, DS_STOP, 0));
	n = arcmatch_explain(&m, DS_RESUMING, DS_STOP, 0, 30, st, 16);
	ck_assert_uint_eq(n, 4);
	STEP(0, DS_RESUMING, DS_STOP, SNAP_STEP_FAILED);
	STEP(1, DS_RESUMING, DS_RUNNING, SNAP_STEP_NOPATH);
	STEP(2, DS_RUNNING, DS_RUNNING_P2P, SNAP_STEP_ARC);
	STEP(3, DS_RUNNING_P2P, DS_STOP, SNAP_STEP_ARC);
	/* The same, read right after the reset. */
	push(&m, arc(7, 40, DS_STOP, DS_RESUMING, DS_RESUMING, 0));
	push(&m, arc(8, 50, DS_RESUMING, DS_STOP, DS_RUNNING, 0));
	n = arcmatch_explain(&m, DS_STOP, DS_RUNNING, 30, 60, st, 16);
	ck_assert_uint_eq(n, 3);
	STEP(0, DS_STOP, DS_RESUMING, SNAP_STEP_ARC);
	STEP(1, DS_RESUMING, DS_STOP, SNAP_STEP_FAILED);
	STEP(2, DS_RESUMING, DS_RUNNING, SNAP_STEP_NOPATH);
	ck_assert_uint_eq(st[2].lo_ns, 30);
}
END_TEST

/*
 * A source that completed its part (STOP_COPY -> STOP, the whole request)
 * and was reset by its VMM before the next read: the step may as well
 * have failed.  Unsure; the reset follows from the state it began in.
 */
START_TEST(test_reset_after_step_is_unsure)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(1, 10, DS_PRE_COPY, DS_PRE_COPY_P2P, DS_STOP_COPY, 0));
	push(&m, arc(2, 11, DS_PRE_COPY_P2P, DS_STOP_COPY, DS_STOP_COPY, 0));
	push(&m, arc(3, 20, DS_STOP_COPY, DS_STOP, DS_STOP, 0));
	n = arcmatch_explain(&m, DS_PRE_COPY, DS_RUNNING, 5, 30, st, 16);
	ck_assert_uint_eq(n, 4);
	STEP(0, DS_PRE_COPY, DS_PRE_COPY_P2P, SNAP_STEP_ARC);
	STEP(1, DS_PRE_COPY_P2P, DS_STOP_COPY, SNAP_STEP_ARC);
	STEP(2, DS_STOP_COPY, DS_STOP, SNAP_STEP_UNSURE);
	STEP(3, DS_STOP_COPY, DS_RUNNING, SNAP_STEP_NOPATH);
	ck_assert_uint_eq(st[3].lo_ns, 5);
	ck_assert_uint_eq(st[3].t_ns, 30);
	/* Into ERROR instead: as unsure (a driver may fail into ERROR, or
	 * break after a step it took). */
	push(&m, arc(4, 40, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	n = arcmatch_explain(&m, DS_RUNNING, DS_ERROR, 30, 50, st, 16);
	ck_assert_uint_eq(n, 2);
	STEP(0, DS_RUNNING, DS_PRE_COPY, SNAP_STEP_UNSURE);
	STEP(1, DS_RUNNING, DS_ERROR, SNAP_STEP_NOPATH);
}
END_TEST

/*
 * Still in the state the step began in: failed, unless that is RUNNING,
 * where a reset leads as well.
 */
START_TEST(test_stayed_is_failed_unless_running)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(1, 10, DS_STOP, DS_RUNNING_P2P, DS_RUNNING_P2P, 0));
	n = arcmatch_explain(&m, DS_STOP, DS_STOP, 5, 20, st, 16);
	ck_assert_uint_eq(n, 1);
	STEP(0, DS_STOP, DS_RUNNING_P2P, SNAP_STEP_FAILED);
	push(&m, arc(2, 30, DS_STOP, DS_RUNNING_P2P, DS_RUNNING_P2P, 0));
	push(&m, arc(3, 31, DS_RUNNING_P2P, DS_RUNNING, DS_RUNNING, 0));
	push(&m, arc(4, 32, DS_RUNNING, DS_RUNNING_P2P, DS_RUNNING_P2P, 0));
	n = arcmatch_explain(&m, DS_STOP, DS_RUNNING, 20, 40, st, 16);
	ck_assert_uint_eq(n, 3);
	STEP(0, DS_STOP, DS_RUNNING_P2P, SNAP_STEP_ARC);
	STEP(1, DS_RUNNING_P2P, DS_RUNNING, SNAP_STEP_ARC);
	STEP(2, DS_RUNNING, DS_RUNNING_P2P, SNAP_STEP_UNSURE);
}
END_TEST

/*
 * A refused request tells where the device was: after a step it took
 * (confirmed: no later read can undo that), and after one it did not.
 */
START_TEST(test_refused_request_is_evidence)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(1, 10, DS_RESUMING, DS_STOP, DS_STOP, 0));
	push(&m, arc(2, 11, DS_STOP, DS_UNKNOWN, DS_ERROR, -22));
	n = arcmatch_explain(&m, DS_RESUMING, DS_RUNNING, 5, 20, st, 16);
	ck_assert_uint_eq(n, 3);
	STEP(0, DS_RESUMING, DS_STOP, SNAP_STEP_ARC);
	STEP(1, DS_STOP, DS_ERROR, SNAP_STEP_REFUSED);
	STEP(2, DS_STOP, DS_RUNNING, SNAP_STEP_NOPATH);
	push(&m, arc(3, 30, DS_RUNNING, DS_RUNNING_P2P, DS_RESUMING, 0));
	push(&m, arc(4, 31, DS_RUNNING_P2P, DS_STOP, DS_RESUMING, 0));
	push(&m, arc(5, 32, DS_STOP, DS_RESUMING, DS_RESUMING, 0));
	push(&m, arc(6, 33, DS_RESUMING, DS_STOP, DS_STOP, 0));
	push(&m, arc(7, 34, DS_RESUMING, DS_UNKNOWN, DS_ERROR, -22));
	n = arcmatch_explain(&m, DS_RUNNING, DS_RUNNING, 20, 40, st, 16);
	ck_assert_uint_eq(n, 6);
	STEP(3, DS_RESUMING, DS_STOP, SNAP_STEP_FAILED);
	STEP(4, DS_RESUMING, DS_ERROR, SNAP_STEP_REFUSED);
	STEP(5, DS_RESUMING, DS_RUNNING, SNAP_STEP_NOPATH);
}
END_TEST

/* The read waited for a transition that began after it (the driver held
 * its mutex): the later arcs explain what was read. */
START_TEST(test_read_waited_for_transition)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(1, 25, DS_RUNNING, DS_RUNNING_P2P, DS_STOP, 0));
	push(&m, arc(2, 26, DS_RUNNING_P2P, DS_STOP, DS_STOP, 0));
	n = arcmatch_explain(&m, DS_RUNNING, DS_STOP, 0, 20, st, 16);
	ck_assert_uint_eq(n, 2);
	STEP(0, DS_RUNNING, DS_RUNNING_P2P, SNAP_STEP_ARC);
	STEP(1, DS_RUNNING_P2P, DS_STOP, SNAP_STEP_ARC);
}
END_TEST

/* A step still in progress (chosen after the read began) is not failed. */
START_TEST(test_in_progress_is_not_failed)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];

	push(&m, arc(1, 25, DS_RESUMING, DS_STOP, DS_STOP, 0));
	ck_assert_uint_eq(arcmatch_explain(&m, DS_RESUMING, DS_RESUMING, 0, 20,
					   st, 16), 0);
	ck_assert_uint_eq(m.n, 1);
}
END_TEST

START_TEST(test_refused_and_cycle)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	size_t n;

	push(&m, arc(1, 10, DS_RUNNING, DS_UNKNOWN, DS_ERROR, -22));
	push(&m, arc(2, 11, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	push(&m, arc(3, 12, DS_PRE_COPY, DS_RUNNING, DS_RUNNING, 0));
	n = arcmatch_explain(&m, DS_RUNNING, DS_RUNNING, 0, 20, st, 16);
	ck_assert_uint_eq(n, 3);
	STEP(0, DS_RUNNING, DS_ERROR, SNAP_STEP_REFUSED);
	STEP(1, DS_RUNNING, DS_PRE_COPY, SNAP_STEP_ARC);
	STEP(2, DS_PRE_COPY, DS_RUNNING, SNAP_STEP_ARC);
	ck_assert_uint_eq(m.n, 0);
}
END_TEST

/* First sighting: the log's old history is not replayed. */
START_TEST(test_first_sighting_drops_history)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];

	push(&m, arc(1, 10, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	push(&m, arc(2, 11, DS_PRE_COPY, DS_RUNNING, DS_RUNNING, 0));
	ck_assert_uint_eq(arcmatch_explain(&m, DS_UNKNOWN, DS_RUNNING, 0, 20,
					   st, 16), 0);
	ck_assert_uint_eq(m.n, 0);
}
END_TEST

START_TEST(test_duplicates_and_overflow)
{
	struct arcmatch m = { 0 };

	push(&m, arc(5, 10, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	push(&m, arc(5, 10, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	push(&m, arc(4, 9, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	ck_assert_uint_eq(m.n, 1);
	for (uint64_t i = 6; i < 6 + 2 * ARCMATCH_MAX; i++)
		push(&m, arc(i, i, DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY, 0));
	ck_assert_uint_eq(m.n, ARCMATCH_MAX);
	ck_assert_uint_eq(m.lost, ARCMATCH_MAX + 1);
}
END_TEST

/*
 * Arcs lost before the pending ones (a "# lost" line, a sequence gap, the
 * kernel's missed probes): the change is reported as seen, with the time
 * span it fell in, never as a failed step or a change by no kernel path.
 */
START_TEST(test_loss_is_not_failure)
{
	struct arcmatch m = { 0 };
	struct snap_step st[16];
	uint64_t lost = 0;
	struct arcmatch_arc a;
	size_t n;

	/* A completed load whose RESUMING -> STOP arc was lost: only
	 * STOP -> RUNNING_P2P and RUNNING_P2P -> RUNNING are in the log. */
	push(&m, arc(1, 5, DS_RUNNING, DS_RUNNING_P2P, DS_RESUMING, 0));
	ck_assert_int_eq(arcmatch_parse_line("# lost 1", 8, &a, &lost), 0);
	m.lost += lost;
	push(&m, arc(3, 12, DS_STOP, DS_RUNNING_P2P, DS_RUNNING, 0));
	push(&m, arc(4, 13, DS_RUNNING_P2P, DS_RUNNING, DS_RUNNING, 0));
	n = arcmatch_explain(&m, DS_RESUMING, DS_RUNNING, 8, 20, st, 16);
	ck_assert_uint_eq(n, 1);
	STEP(0, DS_RESUMING, DS_RUNNING, SNAP_STEP_LOSS);
	ck_assert_uint_eq(st[0].lo_ns, 8);
	ck_assert_uint_eq(st[0].t_ns, 20);
	/* The next stretch is followed exactly again. */
	push(&m, arc(5, 30, DS_RUNNING, DS_RUNNING_P2P, DS_STOP, 0));
	push(&m, arc(6, 30, DS_RUNNING_P2P, DS_STOP, DS_STOP, 0));
	n = arcmatch_explain(&m, DS_RUNNING, DS_STOP, 20, 40, st, 16);
	ck_assert_uint_eq(n, 2);
	STEP(0, DS_RUNNING, DS_RUNNING_P2P, SNAP_STEP_ARC);
	STEP(1, DS_RUNNING_P2P, DS_STOP, SNAP_STEP_ARC);
	/* A gap in the sequence numbers (7 never read) is a loss too. */
	push(&m, arc(8, 50, DS_RESUMING, DS_STOP, DS_STOP, 0));
	n = arcmatch_explain(&m, DS_STOP, DS_STOP, 40, 60, st, 16);
	ck_assert_uint_eq(n, 0);
	/* So are probes the kernel missed. */
	arcmatch_loss(&m);
	n = arcmatch_explain(&m, DS_STOP, DS_RUNNING, 60, 80, st, 16);
	ck_assert_uint_eq(n, 1);
	STEP(0, DS_STOP, DS_RUNNING, SNAP_STEP_LOSS);
}
END_TEST

TU_MAIN("arcmatch", test_parse, test_loss_is_not_failure, test_parse_rejects, test_refused_invalid_target, test_source_migration,
	test_arc_after_read_waits, test_failed_step_then_reset,
	test_in_progress_is_not_failed, test_refused_and_cycle,
	test_two_loads_then_resets_between_reads,
	test_short_path_proves_failure, test_reset_after_step_is_unsure,
	test_stayed_is_failed_unless_running, test_refused_request_is_evidence,
	test_read_waited_for_transition,
	test_first_sighting_drops_history, test_duplicates_and_overflow)
