// SPDX-License-Identifier: GPL-2.0-or-later
/* test_pair.c - pairing and the verdict, one test per case */
#include "testutil.h"
#include "pair.h"

static const struct pair_cfg cfg = {
	.stuck_ns = 30 * CLOCK_NS_PER_S,
	.busy_ns = 30 * CLOCK_NS_PER_S,
};

static struct pair_verdict judge(const struct model_dev *s,
				 const struct model_dev *d, uint64_t now)
{
	struct pair_verdict v;

	pair_judge(s, d, &cfg, now, &v);
	return v;
}

/* QEMU's path with pre-copy: source and destination, fully observed. */
static void migrate_ok(struct model_dev *s, struct model_dev *d)
{
	tu_step(s, DS_PRE_COPY, T(100), 0);
	tu_step(d, DS_RUNNING_P2P, T(110), 0);
	tu_step(d, DS_STOP, T(111), 0);
	tu_step(d, DS_RESUMING, T(112), 0);
	tu_step(s, DS_PRE_COPY_P2P, T(500), 0);
	tu_step(s, DS_STOP_COPY, T(510), 0);
	tu_step(s, DS_STOP, T(700), 0);
	tu_step(d, DS_STOP, T(900), 0);
	tu_step(d, DS_RUNNING_P2P, T(920), 0);
	tu_step(d, DS_RUNNING, T(940), 0);
}

START_TEST(test_idle)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v = judge(s, d, T(5000));
	char b[128];

	ck_assert_int_eq(v.phase, PAIR_IDLE);
	pair_describe(&v, T(5000), b, sizeof(b));
	ck_assert_str_eq(b, "idle");
	free(s);
	free(d);
}
END_TEST

START_TEST(test_phases_in_progress)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;
	char b[128];

	tu_step(s, DS_PRE_COPY, T(100), 0);
	v = judge(s, d, T(1300));
	ck_assert_int_eq(v.phase, PAIR_PRE_COPY);
	pair_describe(&v, T(1300), b, sizeof(b));
	ck_assert_str_eq(b, "pre-copy 1.2 s");
	tu_step(s, DS_PRE_COPY_P2P, T(1400), 0);
	tu_step(s, DS_STOP_COPY, T(1500), 0);
	v = judge(s, d, T(1600));
	ck_assert_int_eq(v.phase, PAIR_STOP_COPY);
	ck_assert_uint_eq(v.start_ns, T(100));
	/* The destination loads while the source still copies: the source
	 * leads the phase; once it is done, the pair is resuming. */
	tu_step(d, DS_RESUMING, T(1700), 0);
	ck_assert_int_eq(judge(s, d, T(1750)).phase, PAIR_STOP_COPY);
	tu_step(s, DS_STOP, T(1800), 0);
	v = judge(s, d, T(1900));
	ck_assert_int_eq(v.phase, PAIR_RESUMING);
	pair_describe(&v, T(1900), b, sizeof(b));
	ck_assert_str_eq(b, "resuming 100 ms");
	free(s);
	free(d);
}
END_TEST

START_TEST(test_completed)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;
	char b[128];

	migrate_ok(s, d);
	v = judge(s, d, T(5000));
	ck_assert_int_eq(v.phase, PAIR_COMPLETED);
	ck_assert_uint_eq(v.end_ns - v.start_ns, 800 * CLOCK_NS_PER_MS);
	pair_describe(&v, T(5000), b, sizeof(b));
	ck_assert_str_eq(b, "completed in 800 ms");
	/* The source being unplugged afterwards does not undo it. */
	s->gone_ns = T(6000);
	s->present = false;
	tu_step(s, DS_GONE, T(6000), 0);
	v = judge(s, d, T(7000));
	ck_assert_int_eq(v.phase, PAIR_COMPLETED);
	free(s);
	free(d);
}
END_TEST

/* Without pre-copy (pds, xe): RUNNING -> RUNNING_P2P -> STOP -> STOP_COPY;
 * the migration starts when the guest is stopped. */
START_TEST(test_completed_without_precopy)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;

	tu_step(s, DS_RUNNING_P2P, T(100), 0);
	tu_step(s, DS_STOP, T(120), 0);
	tu_step(s, DS_STOP_COPY, T(130), 0);
	tu_step(d, DS_RESUMING, T(140), 0);
	tu_step(s, DS_STOP, T(300), 0);
	tu_step(d, DS_RUNNING_P2P, T(400), 0);
	v = judge(s, d, T(500));
	ck_assert_int_eq(v.phase, PAIR_COMPLETED);
	ck_assert_uint_eq(v.start_ns, T(100));
	free(s);
	free(d);
}
END_TEST

/* A guest merely paused (RUNNING -> STOP -> RUNNING) is not a migration. */
START_TEST(test_pause_is_not_migration)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));

	tu_step(s, DS_STOP, T(100), 0);
	tu_step(s, DS_RUNNING, T(200), 0);
	ck_assert_int_eq(judge(s, d, T(300)).phase, PAIR_IDLE);
	free(s);
	free(d);
}
END_TEST

START_TEST(test_fail_error_state)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;
	char b[160];

	tu_step(s, DS_PRE_COPY, T(100), 0);
	tu_step(d, DS_RESUMING, T(120), 0);
	tu_step(d, DS_ERROR, T(900), 0);
	v = judge(s, d, T(1000));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.side, PAIR_DST);
	ck_assert_int_eq(v.reason, PAIR_R_ERROR);
	pair_describe(&v, T(1000), b, sizeof(b));
	ck_assert_str_eq(b, "FAILED: destination entered ERROR from RESUMING");
	free(s);
	free(d);
}
END_TEST

START_TEST(test_fail_source_abort)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;
	char b[160];

	tu_step(s, DS_PRE_COPY, T(100), 0);
	tu_step(s, DS_PRE_COPY_P2P, T(200), 0);
	tu_step(s, DS_STOP_COPY, T(300), 0);
	tu_step(s, DS_STOP, T(400), MODEL_T_INFERRED);
	tu_step(s, DS_RUNNING_P2P, T(400), MODEL_T_INFERRED);
	tu_step(s, DS_RUNNING, T(400), 0);
	v = judge(s, d, T(1000));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.side, PAIR_SRC);
	ck_assert_int_eq(v.reason, PAIR_R_SRC_ABORT);
	pair_describe(&v, T(1000), b, sizeof(b));
	ck_assert_str_eq(b, "FAILED: source returned to RUNNING after STOP_COPY");
	free(s);
	free(d);
}
END_TEST

START_TEST(test_fail_source_cancel)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;

	tu_step(s, DS_PRE_COPY, T(100), 0);
	tu_step(s, DS_RUNNING, T(300), 0);
	v = judge(s, d, T(1000));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.reason, PAIR_R_SRC_CANCEL);
	ck_assert_int_eq(v.before, DS_PRE_COPY);
	free(s);
	free(d);
}
END_TEST

START_TEST(test_fail_stuck_resuming)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;
	char b[160];

	tu_step(d, DS_RESUMING, T(1000), 0);
	ck_assert_int_eq(judge(s, d, T(30999)).phase, PAIR_RESUMING);
	v = judge(s, d, T(31001));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.side, PAIR_DST);
	ck_assert_int_eq(v.reason, PAIR_R_STUCK);
	pair_describe(&v, T(31001), b, sizeof(b));
	ck_assert_str_eq(b, "FAILED: destination stuck in RESUMING 30 s");
	free(s);
	free(d);
}
END_TEST

START_TEST(test_fail_read_error)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;
	char b[160];

	tu_step(s, DS_EINVAL, T(100), 0);
	v = judge(s, d, T(200));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.side, PAIR_SRC);
	ck_assert_int_eq(v.reason, PAIR_R_READ);
	pair_describe(&v, T(200), b, sizeof(b));
	ck_assert_str_eq(b, "FAILED: source read failed: EINVAL (driver get_state failed)");
	free(s);
	s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	tu_step(d, DS_UNPARSABLE, T(100), 0);
	v = judge(s, d, T(200));
	ck_assert_int_eq(v.side, PAIR_DST);
	ck_assert_int_eq(v.bad, DS_UNPARSABLE);
	free(s);
	free(d);
}
END_TEST

START_TEST(test_gone_during_and_outside_migration)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;

	/* idle: a hot-unplug is shown on the device, not as a failure */
	s->gone_ns = T(50);
	tu_step(s, DS_GONE, T(50), 0);
	ck_assert_int_eq(judge(s, d, T(100)).phase, PAIR_IDLE);
	free(s);
	s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	tu_step(s, DS_STOP_COPY, T(100), 0);
	s->gone_ns = T(200);
	tu_step(s, DS_GONE, T(200), 0);
	v = judge(s, d, T(300));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.reason, PAIR_R_GONE);
	ck_assert_int_eq(v.side, PAIR_SRC);
	free(s);
	free(d);
}
END_TEST

START_TEST(test_busy_long_fails_short_does_not)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));

	tu_step(s, DS_STOP_COPY, T(100), 0);
	s->busy_ns = T(200);
	ck_assert_int_eq(judge(s, d, T(5000)).phase, PAIR_STOP_COPY);
	ck_assert_int_eq(judge(s, d, T(30300)).reason, PAIR_R_BUSY);
	free(s);
	free(d);
}
END_TEST

START_TEST(test_reset_out_of_resuming)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;

	tu_step(d, DS_RESUMING, T(100), 0);
	tu_step(d, DS_RUNNING, T(300), MODEL_T_NOPATH);
	v = judge(s, d, T(400));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.reason, PAIR_R_RESET);
	free(s);
	free(d);
}
END_TEST

/* The source aborts while the destination is already resuming: seen in
 * one refresh with the destination reset at the same moment. */
START_TEST(test_source_abort_while_resuming)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;

	tu_step(s, DS_PRE_COPY, T(100), 0);
	tu_step(d, DS_RESUMING, T(100), 0);
	ck_assert_int_eq(judge(s, d, T(150)).phase, PAIR_PRE_COPY);
	tu_step(s, DS_STOP_COPY, T(200), 0);
	tu_step(s, DS_RUNNING, T(300), 0);
	tu_step(d, DS_RUNNING, T(300), 0);
	v = judge(s, d, T(400));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.reason, PAIR_R_SRC_ABORT);
	ck_assert_int_eq(v.side, PAIR_SRC);
	free(s);
	free(d);
}
END_TEST

/* Polling saw PRE_COPY then STOP; the rebuilt path goes through RUNNING,
 * but an inferred RUNNING is no evidence of an abort. */
START_TEST(test_inferred_running_is_not_abort)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));

	tu_step(s, DS_PRE_COPY, T(100), 0);
	tu_step(s, DS_RUNNING, T(200), MODEL_T_INFERRED);
	tu_step(s, DS_RUNNING_P2P, T(200), MODEL_T_INFERRED);
	tu_step(s, DS_STOP, T(200), 0);
	tu_step(d, DS_RESUMING, T(210), 0);
	ck_assert_int_eq(judge(s, d, T(220)).phase, PAIR_RESUMING);
	tu_step(d, DS_RUNNING, T(300), 0);
	ck_assert_int_eq(judge(s, d, T(400)).phase, PAIR_COMPLETED);
	free(s);
	free(d);
}
END_TEST

/* With the arc log: the destination's driver rejects RESUMING -> STOP
 * (truncated data), then the device is reset. */
START_TEST(test_rejected_load)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("b", PAIR_DST, DS_RUNNING, T(0));
	struct pair_verdict v;
	char b[200];

	tu_step(s, DS_PRE_COPY, T(100), MODEL_T_ARC);
	tu_step(d, DS_RUNNING_P2P, T(110), MODEL_T_ARC);
	tu_step(d, DS_STOP, T(111), MODEL_T_ARC);
	tu_step(d, DS_RESUMING, T(112), MODEL_T_ARC);
	/* a failed attempt does not change the state */
	d->hist[d->hist_n].t_ns = T(300);
	d->hist[d->hist_n].from = DS_RESUMING;
	d->hist[d->hist_n].to = DS_STOP;
	d->hist[d->hist_n++].flags = MODEL_T_FAILED;
	tu_step(d, DS_RUNNING, T(400), MODEL_T_NOPATH);
	v = judge(s, d, T(500));
	ck_assert_int_eq(v.phase, PAIR_FAILED);
	ck_assert_int_eq(v.side, PAIR_DST);
	ck_assert_int_eq(v.reason, PAIR_R_STEP);
	pair_describe(&v, T(500), b, sizeof(b));
	ck_assert_str_eq(b, "FAILED: destination rejected the migration data (RESUMING -> STOP failed)");
	free(s);
	free(d);
}
END_TEST

/* A refused request (SET ERROR) changes nothing. */
START_TEST(test_refused_request_ignored)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("b", PAIR_DST, DS_RUNNING, T(0));

	tu_step(s, DS_PRE_COPY, T(100), MODEL_T_ARC);
	s->hist[s->hist_n].t_ns = T(150);
	s->hist[s->hist_n].from = DS_PRE_COPY;
	s->hist[s->hist_n].to = DS_ERROR;
	s->hist[s->hist_n++].flags = MODEL_T_REFUSED;
	ck_assert_int_eq(judge(s, d, T(200)).phase, PAIR_PRE_COPY);
	free(s);
	free(d);
}
END_TEST

/* After a failure, a new migration starts a fresh verdict. */
START_TEST(test_retry_after_failure)
{
	struct model_dev *s = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RUNNING, T(0));

	tu_step(s, DS_PRE_COPY, T(100), 0);
	tu_step(s, DS_RUNNING, T(200), 0);
	ck_assert_int_eq(judge(s, d, T(250)).phase, PAIR_FAILED);
	tu_step(s, DS_PRE_COPY, T(300), 0);
	ck_assert_int_eq(judge(s, d, T(350)).phase, PAIR_PRE_COPY);
	free(s);
	free(d);
}
END_TEST

/* ---- pairing ---- */

static size_t match(const char *const *src, size_t ns, const char *const *dst,
		    size_t nd, const struct pair_spec *sp, size_t nsp,
		    bool shared, struct pair_match *out)
{
	const char *const *names[PAIR_NSIDES] = { src, dst };
	size_t n[PAIR_NSIDES] = { ns, nd };

	return pair_match_names(names, n, sp, nsp, shared, out, 16);
}

START_TEST(test_match_explicit_same_name_order)
{
	const char *src[] = { "a", "b", "c", "x" };
	const char *dst[] = { "y", "c", "q", "b" };
	struct pair_spec sp[] = { { "a", "q" } };
	struct pair_match m[16];
	size_t n = match(src, 4, dst, 4, sp, 1, false, m);

	ck_assert_uint_eq(n, 4);
	/* explicit */
	ck_assert_int_eq(m[0].idx[0], 0);
	ck_assert_int_eq(m[0].idx[1], 2);
	ck_assert_int_eq(m[0].spec, 0);
	/* same name: b-b, c-c */
	ck_assert_int_eq(m[1].idx[0], 1);
	ck_assert_int_eq(m[1].idx[1], 3);
	ck_assert_int_eq(m[2].idx[0], 2);
	ck_assert_int_eq(m[2].idx[1], 1);
	/* order: x-y */
	ck_assert_int_eq(m[3].idx[0], 3);
	ck_assert_int_eq(m[3].idx[1], 0);
}
END_TEST

START_TEST(test_match_leftovers_and_missing)
{
	const char *src[] = { "a", "b", "c" };
	const char *dst[] = { "a" };
	struct pair_spec sp[] = { { "zz", "a" } };
	struct pair_match m[16];
	size_t n = match(src, 3, dst, 1, sp, 1, false, m);

	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(m[0].idx[0], -1);	/* zz not there (yet) */
	ck_assert_int_eq(m[0].idx[1], 0);
	ck_assert_int_eq(m[1].idx[1], -1);
	ck_assert_int_eq(m[2].idx[1], -1);
	ck_assert_int_eq(m[3].idx[1], -1);
}
END_TEST

/* One tree for both sides: only --pair pairs; no name or order pairing. */
START_TEST(test_match_shared)
{
	const char *src[] = { "u1", "u3" };
	const char *dst[] = { "u2" };
	struct pair_spec sp[] = { { "u1", "u2" } };
	struct pair_match m[16];
	size_t n = match(src, 2, dst, 1, sp, 1, true, m);

	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(m[0].idx[0], 0);
	ck_assert_int_eq(m[0].idx[1], 0);
	ck_assert_int_eq(m[1].idx[0], 1);
	ck_assert_int_eq(m[1].idx[1], -1);
}
END_TEST

START_TEST(test_match_many_names)
{
	enum { N = 2000 };
	static char bufs[N][16];
	static const char *src[N], *dst[N];
	static struct pair_match m[N];
	const char *const *names[PAIR_NSIDES] = { src, dst };
	size_t n[PAIR_NSIDES] = { N, N }, got;

	for (int i = 0; i < N; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "dev%04d", i);
		src[i] = bufs[i];
		dst[N - 1 - i] = bufs[i];
	}
	got = pair_match_names(names, n, NULL, 0, false, m, N);
	ck_assert_uint_eq(got, N);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(m[i].idx[1], N - 1 - m[i].idx[0]);
}
END_TEST

TU_MAIN("pair", test_idle, test_phases_in_progress, test_completed,
	test_completed_without_precopy, test_pause_is_not_migration,
	test_fail_error_state, test_fail_source_abort, test_fail_source_cancel,
	test_fail_stuck_resuming, test_fail_read_error,
	test_gone_during_and_outside_migration,
	test_busy_long_fails_short_does_not, test_reset_out_of_resuming,
	test_retry_after_failure, test_source_abort_while_resuming,
	test_inferred_running_is_not_abort, test_rejected_load,
	test_refused_request_ignored,
	test_match_explicit_same_name_order,
	test_match_leftovers_and_missing, test_match_shared,
	test_match_many_names)
