// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_attempt.c - migration attempts judged on evidence: one test per
 * rule, then the oracle: thousands of generated VMM flows with known
 * outcomes, watched through exact steps and by polling at random phases
 * and intervals from 0.01 to 2 s.  Never a wrong definite verdict; with
 * exact steps never uncertain, one verdict per attempt, and nothing left
 * undecided that the source device showed; a decided attempt never
 * reported twice.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"
#include "clock.h"
#include "dstate.h"
#include "flowgen.h"

#define MS CLOCK_NS_PER_MS
#define T(ms) ((uint64_t)(ms) * MS + 1000 * CLOCK_NS_PER_S)

static const struct att_cfg cfg = {
	.stuck_ns = 30000 * MS,
	.busy_ns = 30000 * MS,
};

/* Run att_eval() and return the last decided attempt reported, or NULL. */
static const struct att_attempt *decided(struct att_track *t, uint64_t now)
{
	static struct att_attempt last;
	struct att_event ev[8];
	size_t n = att_eval(t, &cfg, now, ev, 8);
	const struct att_attempt *r = NULL;

	for (size_t i = 0; i < n && i < 8; i++) {
		if (ev[i].decided) {
			last = ev[i].a;
			r = &last;
		}
	}
	return r;
}

static struct att_track *track(uint8_t s, uint8_t d, bool exact)
{
	static struct att_track t;

	att_init(&t);
	att_set_exact(&t, ATT_SRC, exact);
	att_set_exact(&t, ATT_DST, exact);
	att_value(&t, ATT_SRC, s, 0, T(0));
	att_value(&t, ATT_DST, d, 0, T(0));
	return &t;
}

/* QEMU's steps, as the arc log gives them, up to the destination running. */
static void qemu_exact(struct att_track *t)
{
	att_step(t, ATT_SRC, DS_RUNNING, DS_PRE_COPY, T(100), T(100), 0);
	att_step(t, ATT_DST, DS_RUNNING, DS_RUNNING_P2P, T(101), T(101), 0);
	att_step(t, ATT_DST, DS_RUNNING_P2P, DS_STOP, T(101), T(101), 0);
	att_step(t, ATT_DST, DS_STOP, DS_RESUMING, T(101), T(101), 0);
	att_step(t, ATT_SRC, DS_PRE_COPY, DS_PRE_COPY_P2P, T(500), T(500), 0);
	att_step(t, ATT_SRC, DS_PRE_COPY_P2P, DS_STOP_COPY, T(501), T(501), 0);
	att_step(t, ATT_SRC, DS_STOP_COPY, DS_STOP, T(700), T(700), 0);
}

START_TEST(test_exact_completed)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, true);
	const struct att_attempt *a;
	char b[128];

	qemu_exact(t);
	ck_assert_ptr_null(decided(t, T(710)));
	ck_assert(t->open);
	att_step(t, ATT_DST, DS_RESUMING, DS_STOP, T(720), T(720), 0);
	a = decided(t, T(730));
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->outcome, ATT_COMPLETED);
	ck_assert(a->exact);
	ck_assert_uint_eq(a->end_ns - a->start_ns, 620 * MS);
	att_describe(a, T(800), b, sizeof(b));
	ck_assert_str_eq(b, "completed in 620 ms");
	/* The aftermath changes nothing: the source's reset, the destination
	 * starting. */
	att_step(t, ATT_DST, DS_STOP, DS_RUNNING_P2P, T(720), T(720), 0);
	att_step(t, ATT_DST, DS_RUNNING_P2P, DS_RUNNING, T(721), T(721), 0);
	att_step(t, ATT_SRC, DS_STOP, DS_RUNNING, T(740), T(740), ATT_F_NOPATH);
	ck_assert_ptr_null(decided(t, T(750)));
	ck_assert_uint_eq(t->count[ATT_COMPLETED], 1);
	ck_assert_uint_eq(t->ndecided, 1);
	ck_assert(!t->open);
}
END_TEST

START_TEST(test_exact_rejected)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, true);
	const struct att_attempt *a;
	char b[160];

	qemu_exact(t);
	att_step(t, ATT_DST, DS_RESUMING, DS_STOP, T(720), T(720), ATT_F_FAILED);
	att_step(t, ATT_DST, DS_RESUMING, DS_RUNNING, T(725), T(725), ATT_F_NOPATH);
	a = decided(t, T(730));
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_R_STEP);
	ck_assert_int_eq(a->side, ATT_DST);
	att_reason_text(a, b, sizeof(b));
	ck_assert_str_eq(b, "destination rejected the migration data (RESUMING -> STOP failed)");
	ck_assert_str_eq(att_reason_code(a->reason), "step-failed");
}
END_TEST

/* A driver that fails the step and sets ERROR: one failed attempt. */
START_TEST(test_exact_rejected_error)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, true);
	const struct att_attempt *a;

	qemu_exact(t);
	att_step(t, ATT_DST, DS_RESUMING, DS_STOP, T(720), T(720), ATT_F_FAILED);
	att_step(t, ATT_DST, DS_RESUMING, DS_ERROR, T(710), T(730), ATT_F_NOPATH);
	a = decided(t, T(740));
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_R_STEP);
	ck_assert_ptr_null(decided(t, T(800)));
	ck_assert_uint_eq(t->ndecided, 1);
	ck_assert_uint_eq(t->count[ATT_FAILED], 1);
}
END_TEST

/* The source's steps taken in after the destination's, which decided the
 * attempt: they belong to it, they start nothing. */
START_TEST(test_exact_source_late)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, true);
	const struct att_attempt *a;

	att_step(t, ATT_DST, DS_RUNNING, DS_RUNNING_P2P, T(30), T(30), 0);
	att_step(t, ATT_DST, DS_RUNNING_P2P, DS_STOP, T(30), T(30), 0);
	att_step(t, ATT_DST, DS_STOP, DS_RESUMING, T(30), T(30), 0);
	att_step(t, ATT_DST, DS_RESUMING, DS_STOP, T(1500), T(1500), 0);
	a = decided(t, T(1510));
	ck_assert_int_eq(a->outcome, ATT_COMPLETED);
	att_step(t, ATT_SRC, DS_RUNNING, DS_RUNNING_P2P, T(1200), T(1200), 0);
	att_step(t, ATT_SRC, DS_RUNNING_P2P, DS_STOP, T(1205), T(1205), 0);
	att_step(t, ATT_SRC, DS_STOP, DS_STOP_COPY, T(1210), T(1210), 0);
	att_step(t, ATT_SRC, DS_STOP_COPY, DS_STOP, T(1480), T(1480), 0);
	ck_assert_ptr_null(decided(t, T(1520)));
	ck_assert(!t->open);
	att_step(t, ATT_SRC, DS_STOP, DS_RUNNING, T(5000), T(5000), ATT_F_NOPATH);
	ck_assert_ptr_null(decided(t, T(5010)));
	ck_assert_uint_eq(t->ndecided, 1);
	/* A migration after it is a new attempt. */
	att_step(t, ATT_SRC, DS_RUNNING, DS_PRE_COPY, T(6000), T(6000), 0);
	ck_assert(t->open);
}
END_TEST

START_TEST(test_exact_cancel_words)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, true);
	const struct att_attempt *a;
	char b[200];

	att_step(t, ATT_SRC, DS_RUNNING, DS_PRE_COPY, T(100), T(100), 0);
	att_step(t, ATT_DST, DS_STOP, DS_RESUMING, T(101), T(101), 0);
	att_confirm(t, ATT_DST, T(300));
	att_step(t, ATT_SRC, DS_PRE_COPY, DS_RUNNING, T(400), T(400), 0);
	att_confirm(t, ATT_SRC, T(450));
	att_confirm(t, ATT_DST, T(450));
	a = decided(t, T(450));
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_R_ABANDONED);
	ck_assert(a->exact);
	att_reason_text(a, b, sizeof(b));
	/* What the states show, not a cause they cannot show. */
	ck_assert_str_eq(b, "source resumed from PRE_COPY while the destination was loading: the migration was abandoned (cancelled, or the destination went away)");
	ck_assert_ptr_null(strstr(b, "(cancelled)"));
}
END_TEST

/* A failure stays a failure: the destination reset after it is aftermath. */
START_TEST(test_decided_never_changes)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;

	att_value(t, ATT_SRC, DS_PRE_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(0), T(500));
	att_value(t, ATT_SRC, DS_STOP, T(500), T(1000));
	att_confirm(t, ATT_DST, T(1000));
	ck_assert_ptr_null(decided(t, T(1000)));
	/* Stuck 30 s after the source was done. */
	for (uint64_t ms = 1500; ms <= 32000; ms += 500) {
		att_confirm(t, ATT_SRC, T(ms));
		att_confirm(t, ATT_DST, T(ms));
		a = decided(t, T(ms));
		if (a)
			break;
	}
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_R_STUCK_DST);
	/* The operator kills the destination VMM; the VF is reset. */
	att_value(t, ATT_DST, DS_RUNNING, T(40000), T(40500));
	att_value(t, ATT_SRC, DS_RUNNING, T(40000), T(40500));
	ck_assert_ptr_null(decided(t, T(41000)));
	ck_assert_uint_eq(t->count[ATT_FAILED], 1);
	ck_assert_uint_eq(t->count[ATT_COMPLETED], 0);
	ck_assert_int_eq(att_kept(t, 0)->outcome, ATT_FAILED);
}
END_TEST

/* Polling: the destination went RESUMING -> RUNNING between two reads. */
START_TEST(test_poll_ambiguous_exit)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;
	char b[200];

	att_value(t, ATT_SRC, DS_PRE_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(0), T(500));
	att_value(t, ATT_SRC, DS_STOP, T(500), T(1000));
	att_value(t, ATT_DST, DS_RUNNING, T(500), T(1001));
	a = decided(t, T(1002));
	ck_assert_ptr_null(a);	/* no read of the source after it yet */
	att_confirm(t, ATT_SRC, T(1500));
	a = decided(t, T(1500));
	ck_assert_int_eq(a->outcome, ATT_UNCERTAIN);
	ck_assert_int_eq(a->reason, ATT_U_LEFT);
	att_describe(a, T(1500), b, sizeof(b));
	ck_assert_str_eq(b, "uncertain: destination left RESUMING for RUNNING between two reads 501 ms apart: completed, or reset after a rejected load");
	att_hint_text(a, b, sizeof(b));
	ck_assert_ptr_nonnull(strstr(b, "load vfiomig"));
}
END_TEST

/* Polling sees the destination in RUNNING_P2P: the validating arc succeeded. */
START_TEST(test_poll_completed_p2p)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;

	att_value(t, ATT_SRC, DS_STOP_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(0), T(500));
	att_value(t, ATT_SRC, DS_STOP, T(500), T(1000));
	att_value(t, ATT_DST, DS_RUNNING_P2P, T(500), T(1000));
	a = decided(t, T(1000));
	ck_assert_int_eq(a->outcome, ATT_COMPLETED);
	ck_assert(!a->exact);
}
END_TEST

/* The cancelled source and the destination first in RESUMING, one refresh. */
START_TEST(test_poll_cancel_same_refresh)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;

	att_value(t, ATT_SRC, DS_PRE_COPY, T(0), T(500));
	att_confirm(t, ATT_DST, T(500));
	att_value(t, ATT_SRC, DS_RUNNING, T(500), T(1000));
	att_value(t, ATT_DST, DS_RESUMING, T(500), T(1000));
	/* Never "completed": the destination was still loading when read
	 * after the source was back in RUNNING. */
	a = decided(t, T(1001));
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_R_ABANDONED);
}
END_TEST

/* A completed migration whose source is reset 20 ms after the destination runs. */
START_TEST(test_poll_source_exits_after)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;

	att_value(t, ATT_SRC, DS_PRE_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(0), T(500));
	att_value(t, ATT_DST, DS_RUNNING, T(500), T(1000));
	att_value(t, ATT_SRC, DS_RUNNING, T(500), T(1000));
	a = decided(t, T(1001));
	ck_assert_ptr_nonnull(a);
	ck_assert_int_ne(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_U_BOTH);
}
END_TEST

/* Never-opened VFs read ERROR: a status, no attempt, no failure. */
START_TEST(test_idle_error)
{
	struct att_track *t = track(DS_ERROR, DS_ERROR, false);
	int side;
	uint64_t since;

	att_confirm(t, ATT_SRC, T(60000));
	att_confirm(t, ATT_DST, T(60000));
	ck_assert_ptr_null(decided(t, T(60000)));
	ck_assert(!t->open);
	ck_assert_uint_eq(t->ndecided, 0);
	ck_assert(!att_stranded(t, &cfg, T(60000), &side, &since));
	ck_assert_int_eq(att_cur_seg(t, ATT_DST)->how, ATT_HOW_FIRST);
}
END_TEST

/* ERROR entered during an attempt fails it. */
START_TEST(test_error_fails)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;
	char b[128];

	att_value(t, ATT_SRC, DS_PRE_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(0), T(500));
	att_value(t, ATT_DST, DS_ERROR, T(500), T(1000));
	a = decided(t, T(1000));
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	att_reason_text(a, b, sizeof(b));
	ck_assert_str_eq(b, "destination entered ERROR from RESUMING");
}
END_TEST

/* The source left STOP_COPY for STOP; the destination left RESUMING while
 * the source was still saving: the destination gave up. */
START_TEST(test_poll_dst_left_early)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;

	att_value(t, ATT_SRC, DS_PRE_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(0), T(500));
	att_confirm(t, ATT_SRC, T(1000));
	att_value(t, ATT_DST, DS_RUNNING, T(500), T(1000));
	att_confirm(t, ATT_SRC, T(1500));
	a = decided(t, T(1500));
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_R_DST_LEFT);
}
END_TEST

/* A stale side decides nothing, and the attempt is uncertain if it does
 * not come back in time. */
START_TEST(test_stale_side)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a = NULL;

	att_value(t, ATT_SRC, DS_PRE_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(0), T(500));
	att_value(t, ATT_SRC, DS_RUNNING, T(500), T(1000));
	att_blind(t, ATT_DST, ATT_B_STALE, T(800));
	for (uint64_t ms = 1000; ms < 29000; ms += 1000) {
		att_confirm(t, ATT_SRC, T(ms));
		ck_assert_ptr_null(decided(t, T(ms)));
	}
	for (uint64_t ms = 29000; ms < 32000 && !a; ms += 500) {
		att_confirm(t, ATT_SRC, T(ms));
		a = decided(t, T(ms));
	}
	ck_assert_int_eq(a->outcome, ATT_UNCERTAIN);
	ck_assert_int_eq(a->reason, ATT_U_BLIND);
	ck_assert_int_eq(a->side, ATT_DST);
}
END_TEST

/* A destination left in RESUMING after a failed attempt is stranded. */
START_TEST(test_stranded)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, true);
	int side = -1;
	uint64_t since = 0;

	att_step(t, ATT_SRC, DS_RUNNING, DS_PRE_COPY, T(100), T(100), 0);
	att_step(t, ATT_DST, DS_STOP, DS_RESUMING, T(101), T(101), 0);
	att_step(t, ATT_SRC, DS_PRE_COPY, DS_RUNNING, T(400), T(400), 0);
	att_confirm(t, ATT_DST, T(450));
	ck_assert_ptr_nonnull(decided(t, T(450)));
	att_confirm(t, ATT_DST, T(20000));
	ck_assert(!att_stranded(t, &cfg, T(20000), &side, &since));
	ck_assert(att_stranded(t, &cfg, T(31000), &side, &since));
	ck_assert_int_eq(side, ATT_DST);
	ck_assert_uint_eq(since, T(400));
	/* When it turns, known ahead: the first instant it is true. */
	for (uint64_t ms = 450; ms < 31000; ms += 997) {
		uint64_t due = att_stranded_due(t, &cfg, T(ms));

		ck_assert_uint_gt(due, T(ms));
		ck_assert(!att_stranded(t, &cfg, due - 1, &side, &since));
		ck_assert(att_stranded(t, &cfg, due, &side, &since));
	}
	ck_assert_uint_eq(att_stranded_due(t, &cfg, T(31000)), 0);
	/* It moves on: nothing left to turn. */
	att_value(t, ATT_DST, DS_RUNNING, T(31000), T(31200));
	ck_assert(!att_stranded(t, &cfg, T(99000), &side, &since));
	ck_assert_uint_eq(att_stranded_due(t, &cfg, T(31200)), 0);
}
END_TEST

/* A VM paused and resumed (RUNNING, STOP, RUNNING) is no migration. */
START_TEST(test_pause_is_not_migration)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, true);

	att_step(t, ATT_SRC, DS_RUNNING, DS_RUNNING_P2P, T(100), T(100), 0);
	att_step(t, ATT_SRC, DS_RUNNING_P2P, DS_STOP, T(100), T(100), 0);
	att_step(t, ATT_SRC, DS_STOP, DS_RUNNING_P2P, T(900), T(900), 0);
	att_step(t, ATT_SRC, DS_RUNNING_P2P, DS_RUNNING, T(900), T(900), 0);
	att_confirm(t, ATT_DST, T(1000));
	ck_assert_ptr_null(decided(t, T(1000)));
	ck_assert(!t->open);
	ck_assert_uint_eq(t->ndecided, 0);
}
END_TEST

/* A device vanishing fails an attempt only before its part is done. */
START_TEST(test_gone)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;

	att_gone(t, ATT_DST, T(50));		/* no attempt: nothing */
	ck_assert_ptr_null(decided(t, T(50)));
	att_value(t, ATT_DST, DS_RUNNING, 0, T(60));	/* back, a status */
	att_value(t, ATT_SRC, DS_PRE_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(60), T(500));
	att_gone(t, ATT_DST, T(700));
	a = decided(t, T(700));
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_R_GONE);
	ck_assert_int_eq(a->side, ATT_DST);
}
END_TEST

/* A read blocked past --busy-fail fails the attempt; a shorter one not. */
START_TEST(test_busy)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, false);
	const struct att_attempt *a;

	att_value(t, ATT_SRC, DS_STOP_COPY, T(0), T(500));
	att_value(t, ATT_DST, DS_RESUMING, T(0), T(500));
	att_blind(t, ATT_SRC, ATT_B_BUSY, T(600));
	ck_assert_ptr_null(decided(t, T(20000)));
	att_confirm(t, ATT_SRC, T(20500));	/* the read came back */
	ck_assert_ptr_null(decided(t, T(21000)));
	att_blind(t, ATT_SRC, ATT_B_BUSY, T(21000));
	a = decided(t, T(52000));
	ck_assert_int_eq(a->outcome, ATT_FAILED);
	ck_assert_int_eq(a->reason, ATT_R_BUSY);
}
END_TEST

/* A failure, then a retry that completes: two attempts, both kept. */
START_TEST(test_retry_kept)
{
	struct att_track *t = track(DS_RUNNING, DS_RUNNING, true);

	att_step(t, ATT_SRC, DS_RUNNING, DS_PRE_COPY, T(100), T(100), 0);
	att_step(t, ATT_DST, DS_STOP, DS_RESUMING, T(101), T(101), 0);
	att_step(t, ATT_SRC, DS_PRE_COPY, DS_RUNNING, T(400), T(400), 0);
	att_confirm(t, ATT_DST, T(450));
	ck_assert_int_eq(decided(t, T(450))->outcome, ATT_FAILED);
	att_step(t, ATT_DST, DS_RESUMING, DS_RUNNING, T(450), T(900),
		 ATT_F_NOPATH);
	ck_assert_ptr_null(decided(t, T(900)));	/* aftermath */
	att_step(t, ATT_SRC, DS_RUNNING, DS_PRE_COPY, T(5000), T(5000), 0);
	att_step(t, ATT_DST, DS_STOP, DS_RESUMING, T(5001), T(5001), 0);
	att_step(t, ATT_SRC, DS_PRE_COPY, DS_STOP_COPY, T(5400), T(5400), 0);
	att_step(t, ATT_SRC, DS_STOP_COPY, DS_STOP, T(5600), T(5600), 0);
	att_step(t, ATT_DST, DS_RESUMING, DS_STOP, T(5700), T(5700), 0);
	ck_assert_int_eq(decided(t, T(5800))->outcome, ATT_COMPLETED);
	ck_assert_uint_eq(t->ndecided, 2);
	ck_assert_uint_eq(t->count[ATT_FAILED], 1);
	ck_assert_uint_eq(t->count[ATT_COMPLETED], 1);
	ck_assert_uint_eq(att_kept(t, 1)->no, 1);
	ck_assert_uint_eq(att_kept(t, 0)->no, 2);
}
END_TEST

/* Each generated flow, the right way to watch it, the result checked. */
enum oracle_watch { OR_EXACT, OR_POLL, OR_ARCS };

static void oracle(enum oracle_watch how, uint64_t seeds, uint64_t *uncertain,
		   uint64_t *decided_n)
{
	bool exact = how == OR_EXACT;

	for (uint64_t seed = 1; seed <= seeds; seed++) {
		for (int v = 0; v < FG_NVMMS; v++) {
			for (int k = 0; k < FG_NKINDS; k++) {
				struct fg_flow f;
				struct fg_result r;
				uint64_t iv = 0;

				fg_make(&f, (enum fg_vmm)v, (enum fg_kind)k, seed);
				if (exact) {
					fg_watch_exact(&f, &r);
				} else {
					uint64_t x = seed * 7919 + (uint64_t)(v * 31 + k);

					/* 0.01 .. 2 s, more of the short ones. */
					iv = 10 * MS + (x * x * 2654435761u) % (1990 * MS);
					if (seed % 3 == 0)
						iv = 10 * MS + (x % 190) * MS;
					if (how == OR_ARCS)
						fg_watch_arcs(&f, iv, seed, &r);
					else
						fg_watch_poll(&f, iv, seed,
							      seed % 4 == 0, &r);
				}
				*uncertain += r.nuncertain;
				*decided_n += r.ndecided;
				/* With exact steps everything is decided but
				 * what the source device never showed. */
				if (r.nwrong || r.nrepeat ||
				    (exact && (r.nuncertain || r.ndecided > f.natt ||
					       r.nundecided > r.nhidden)))
					ck_abort_msg("%s %s seed %llu %s%.3f s: wrong %zu, repeated %zu, uncertain %zu, undecided %zu: %s",
						     fg_vmm_name(f.vmm),
						     fg_kind_name(f.kind),
						     (unsigned long long)seed,
						     how == OR_EXACT ? "exact" :
					     how == OR_ARCS ? "arcs " : "poll ",
						     (double)iv / 1e9, r.nwrong,
						     r.nrepeat, r.nuncertain,
						     r.nundecided, r.why);
			}
		}
	}
}

START_TEST(test_oracle_exact)
{
	uint64_t u = 0, d = 0;

	oracle(OR_EXACT, 60, &u, &d);
	ck_assert_uint_eq(u, 0);
	ck_assert_uint_gt(d, 60 * FG_NVMMS * (FG_NKINDS - 1));
}
END_TEST

START_TEST(test_oracle_poll)
{
	uint64_t u = 0, d = 0;

	oracle(OR_POLL, 60, &u, &d);
	/* Polling must still decide most attempts definitely. */
	ck_assert_uint_gt(d, 0);
	ck_assert_uint_lt(u, d);
}
END_TEST

/*
 * The module's arc log as it is, read at random intervals: a step the
 * driver failed looks like one it took when a reset follows before the
 * next read.  Never wrong; most attempts still decided definitely.
 */
START_TEST(test_oracle_arcs)
{
	uint64_t u = 0, d = 0;

	oracle(OR_ARCS, 60, &u, &d);
	ck_assert_uint_gt(d, 0);
	ck_assert_uint_lt(u * 10, d);
}
END_TEST

/* The generator itself: every step a kernel arc (or a marked reset or
 * failure), times in order, outcomes set. */
START_TEST(test_flowgen_valid)
{
	for (uint64_t seed = 1; seed <= 40; seed++) {
		for (int v = 0; v < FG_NVMMS; v++) {
			for (int k = 0; k < FG_NKINDS; k++) {
				struct fg_flow f;
				uint8_t cur[2];

				fg_make(&f, (enum fg_vmm)v, (enum fg_kind)k, seed);
				cur[0] = f.init[0];
				cur[1] = f.init[1];
				ck_assert_uint_lt(f.n, FG_MAX_STEPS);
				ck_assert(k == FG_IDLE_ERROR || f.natt >= 1);
				for (size_t i = 0; i < f.n; i++) {
					const struct fg_step *s = &f.st[i];

					ck_assert(i == 0 || f.st[i - 1].t_ns <= s->t_ns);
					ck_assert_uint_eq(s->from, cur[s->side]);
					if (!s->flags)
						ck_assert_msg(fsm_is_arc((enum fsm_state)s->from,
									 (enum fsm_state)s->to,
									 f.features),
							      "%s %s: %s -> %s is no arc",
							      fg_vmm_name(f.vmm),
							      fg_kind_name(f.kind),
							      dstate_token((enum dstate)s->from),
							      dstate_token((enum dstate)s->to));
					if (!(s->flags & ATT_F_FAILED))
						cur[s->side] = s->to;
					ck_assert_uint_le(s->t_ns, f.end_ns);
				}
				ck_assert_uint_eq(fg_value_at(&f, ATT_SRC, f.end_ns), cur[0]);
			}
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("attempt");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_exact_completed);
	tcase_add_test(tc, test_exact_rejected);
	tcase_add_test(tc, test_exact_rejected_error);
	tcase_add_test(tc, test_exact_source_late);
	tcase_add_test(tc, test_exact_cancel_words);
	tcase_add_test(tc, test_decided_never_changes);
	tcase_add_test(tc, test_poll_ambiguous_exit);
	tcase_add_test(tc, test_poll_completed_p2p);
	tcase_add_test(tc, test_poll_cancel_same_refresh);
	tcase_add_test(tc, test_poll_source_exits_after);
	tcase_add_test(tc, test_idle_error);
	tcase_add_test(tc, test_error_fails);
	tcase_add_test(tc, test_poll_dst_left_early);
	tcase_add_test(tc, test_stale_side);
	tcase_add_test(tc, test_stranded);
	tcase_add_test(tc, test_pause_is_not_migration);
	tcase_add_test(tc, test_gone);
	tcase_add_test(tc, test_busy);
	tcase_add_test(tc, test_retry_kept);
	tcase_add_test(tc, test_flowgen_valid);
	tcase_add_test(tc, test_oracle_exact);
	tcase_add_test(tc, test_oracle_poll);
	tcase_add_test(tc, test_oracle_arcs);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
