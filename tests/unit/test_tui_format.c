// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_tui_format.c - the text of cells: durations, names escaped and cut
 * at the right end, markers and roles of device and verdict cells.
 */
#include "testutil.h"
#include "cell.h"
#include "format.h"

#define S(x) ((uint64_t)(x) * CLOCK_NS_PER_S)
#define MS(x) ((uint64_t)(x) * CLOCK_NS_PER_MS)

static const char *dur(uint64_t ns)
{
	static char b[32];

	format_dur(b, sizeof(b), ns);
	return b;
}

START_TEST(test_dur)
{
	ck_assert_str_eq(dur(0), "0ms");
	ck_assert_str_eq(dur(MS(999)), "999ms");
	ck_assert_str_eq(dur(MS(1000)), "1.0s");
	ck_assert_str_eq(dur(MS(9990)), "9.9s");
	ck_assert_str_eq(dur(S(10)), "10s");
	ck_assert_str_eq(dur(S(59)), "59s");
	ck_assert_str_eq(dur(S(60)), "1m00s");
	ck_assert_str_eq(dur(S(3599)), "59m59s");
	ck_assert_str_eq(dur(S(3600)), "1h00m");
	ck_assert_str_eq(dur(S(86399)), "23h59m");
	ck_assert_str_eq(dur(S(86400)), "1d00h");
	ck_assert_str_eq(dur(S(100 * 86400)), "100d");
	for (uint64_t ns = 1; ns < S(100 * 86400); ns = ns * 3 + 7)
		ck_assert_int_le((int)strlen(dur(ns)), FORMAT_DUR_COLS);
}
END_TEST

/* A cell's time holds until clock_dur_next() says; below a day it
 * changes then (past a day it counts hours: the wake is early). */
START_TEST(test_dur_next)
{
	char a[32], b[32];

	for (uint64_t ns = 0, k = 0; ns < S(40 * 86400); k++) {
		uint64_t nx = clock_dur_next(ns);

		ck_assert_uint_gt(nx, 0);
		snprintf(a, sizeof(a), "%s", dur(ns));
		snprintf(b, sizeof(b), "%s", dur(ns + nx - 1));
		ck_assert_msg(!strcmp(a, b), "%llu: %s then %s",
			      (unsigned long long)ns, a, b);
		if (ns < S(86400))
			ck_assert_msg(strcmp(a, dur(ns + nx)),
				      "%llu: still %s", (unsigned long long)ns, a);
		ns += nx + (k * 7919 % 13) * (nx / 3 + 1) + k % 3;
	}
}
END_TEST

static bool safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

START_TEST(test_escape)
{
	char b[64];

	format_esc(b, sizeof(b), "a\x01 b\\\n\xff", 7);
	ck_assert_str_eq(b, "a\\x01\\x20b\\\\\\x0a\\xff");
	ck_assert_uint_eq(format_esc_cols("a\x01 b\\\n\xff", 7), strlen(b));
	/* Small buffers hold whole escapes only. */
	format_esc(b, 4, "\x01\x02", 2);
	ck_assert_str_eq(b, "");
	format_esc(b, 6, "\x01\x02", 2);
	ck_assert_str_eq(b, "\\x01");
}
END_TEST

static const char *fit(const char *s, int w, enum format_keep k, bool ascii)
{
	static char b[512];
	int cols = format_fit(b, sizeof(b), s, strlen(s), w, k, ascii);

	ck_assert_int_eq(cols, format_cols(b));
	ck_assert_int_le(cols, w < 0 ? 0 : w);
	ck_assert(safe(b));
	return b;
}

/* Names keep their distinguishing end: a BDF's function, a UUID's tail. */
START_TEST(test_fit_names)
{
	ck_assert_str_eq(fit("0000:3b:00.2", 12, FORMAT_KEEP_END, false),
			 "0000:3b:00.2");
	ck_assert_str_eq(fit("0000:3b:00.2", 8, FORMAT_KEEP_END, false),
			 "\xe2\x80\xa6" "3b:00.2");
	ck_assert_str_eq(fit("0000:3b:00.2", 8, FORMAT_KEEP_END, true),
			 "..b:00.2");
	ck_assert_str_eq(fit("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", 13,
			     FORMAT_KEEP_END, false),
			 "\xe2\x80\xa6" "e6bfe0fa1001");
	ck_assert_str_eq(fit("a sentence to cut", 6, FORMAT_KEEP_START, false),
			 "a\\x20\xe2\x80\xa6");
	ck_assert_str_eq(fit("/very/long/path/src", 10, FORMAT_KEEP_BOTH, true),
			 "/ver../src");
	/* Escapes are never cut in half. */
	ck_assert_str_eq(fit("ab\x01" "cd", 5, FORMAT_KEEP_END, false),
			 "\xe2\x80\xa6" "cd");
	ck_assert_str_eq(fit("x", 0, FORMAT_KEEP_END, false), "");
	ck_assert_str_eq(fit("xyz", 1, FORMAT_KEEP_END, false), "z");
}
END_TEST

/* Whatever the bytes and the width: safe, and never wider than asked. */
START_TEST(test_fit_sweep)
{
	char name[40];

	for (int seed = 0; seed < 200; seed++) {
		for (size_t i = 0; i < sizeof(name) - 1; i++)
			name[i] = (char)((seed * 131 + (int)i * 37) % 255 + 1);
		name[sizeof(name) - 1] = 0;
		for (int w = -1; w < 200; w += 3)
			for (int k = 0; k < 3; k++) {
				fit(name, w, (enum format_keep)k, false);
				fit(name, w, (enum format_keep)k, true);
			}
	}
}
END_TEST

START_TEST(test_clip)
{
	char b[64];

	ck_assert_int_eq(format_clip(b, sizeof(b), "RUNNING", 12, false), 7);
	ck_assert_str_eq(b, "RUNNING");
	ck_assert_int_eq(format_clip(b, sizeof(b), "\xe2\x86\x92 abcdef", 4,
				     false), 4);
	ck_assert_str_eq(b, "\xe2\x86\x92 a\xe2\x80\xa6");
	ck_assert_int_eq(format_clip(b, sizeof(b), "abcdef", 3, true), 3);
	ck_assert_str_eq(b, "ab>");
	ck_assert_int_eq(format_clip(b, sizeof(b), "abc", 0, true), 0);
}
END_TEST

START_TEST(test_tokens)
{
	ck_assert_str_eq(format_token(DS_PRE_COPY_P2P), "PRE_COPY_P2P");
	ck_assert_str_eq(format_token(DS_NOMIG), "<no-mig>");
	ck_assert_str_eq(format_token(DS_EINVAL), "<einval>");
	for (int v = 0; v < DS_NR; v++)
		ck_assert_int_le((int)strlen(format_token((enum dstate)v)), 12);
}
END_TEST

static const struct cell_cfg cfg = {
	.highlight_ns = 3 * CLOCK_NS_PER_S,
	.tomb_ns = 60 * CLOCK_NS_PER_S,
};

/* A change is marked `*` for the highlight time; appearing is no change. */
START_TEST(test_cell_changed)
{
	struct model_dev *d = tu_dev("0000:3b:00.2", PAIR_SRC, DS_UNKNOWN, T(0));
	struct cell c;

	tu_step(d, DS_RUNNING, T(0), 0);
	cell_dev(d, 0, &cfg, T(100), &c);
	ck_assert_str_eq(c.mark, " ");
	ck_assert_int_eq(c.state_role, ROLE_RUNNING);
	ck_assert_str_eq(c.state, "RUNNING");
	tu_step(d, DS_PRE_COPY, T(1000), 0);
	d->transitions = 1;
	cell_dev(d, 0, &cfg, T(1500), &c);
	ck_assert_str_eq(c.mark, "*");
	ck_assert_int_eq(c.state_role, ROLE_CHANGED);
	ck_assert_str_eq(c.time, "500ms");
	ck_assert_str_eq(c.trans, "1");
	ck_assert_uint_eq(c.until_ns, T(4000));
	cell_dev(d, 0, &cfg, T(4000), &c);
	ck_assert_str_eq(c.mark, " ");
	ck_assert_int_eq(c.state_role, ROLE_PRECOPY);
	ck_assert_uint_eq(c.until_ns, 0);
	/* Steps inferred on the way: `~`. */
	tu_step(d, DS_PRE_COPY_P2P, T(5000), MODEL_T_INFERRED);
	tu_step(d, DS_STOP_COPY, T(5000), 0);
	cell_dev(d, 0, &cfg, T(5001), &c);
	ck_assert_str_eq(c.mark, "~");
	ck_assert_int_eq(c.mark_role, ROLE_INFERRED);
	/* A change by no kernel step (a reset): `#`, not `~` nor `?`. */
	tu_step(d, DS_RUNNING, T(6000), MODEL_T_NOPATH);
	cell_dev(d, 0, &cfg, T(6001), &c);
	ck_assert_str_eq(c.mark, "#");
	/* A step not taken after it changes nothing: still the reset's
	 * mark, and nothing once that is old. */
	d->hist[d->hist_n++ % MODEL_HIST] = (struct model_trans){
		.t_ns = T(9000), .from = DS_RUNNING, .to = DS_PRE_COPY,
		.flags = MODEL_T_UNSURE };
	cell_dev(d, 0, &cfg, T(9001), &c);
	ck_assert_str_eq(c.mark, " ");
	cell_dev(d, 0, &cfg, T(6002), &c);
	ck_assert_str_eq(c.mark, "#");
	ck_assert_str_eq(cell_how_mark(CELL_SEEN), "*");
	ck_assert_str_eq(cell_how_mark(CELL_INFERRED), "~");
	free(d);
}
END_TEST

/* Errors, busy reads and tombstones each have their text marker. */
START_TEST(test_cell_markers)
{
	struct model_dev *d = tu_dev("a", PAIR_DST, DS_RESUMING, T(0));
	struct cell c;
	struct cell_cfg ac = cfg;

	tu_step(d, DS_ERROR, T(100), 0);
	cell_dev(d, CELL_AL_ERROR, &cfg, T(10000), &c);
	ck_assert_str_eq(c.mark, "!");
	ck_assert_int_eq(c.state_role, ROLE_ALERT);
	ck_assert_str_eq(c.state, "ERROR");
	cell_dev(d, 0, &cfg, T(10000), &c);
	ck_assert_str_eq(c.mark, " ");
	ck_assert_int_eq(c.state_role, ROLE_ERRSTATE);
	/* Only a device's own ERROR marks it; its pair's failure marks the verdict. */
	cell_dev(d, CELL_AL_FAIL, &cfg, T(10000), &c);
	ck_assert_str_eq(c.mark, " ");
	d->busy_ns = T(8000);
	cell_dev(d, 0, &cfg, T(10000), &c);
	ck_assert_str_eq(c.state, "busy");
	ck_assert_str_eq(c.time, "2.0s");
	ck_assert_int_eq(c.state_role, ROLE_BUSY);
	d->busy_ns = 0;
	d->present = false;
	d->gone_ns = T(9000);
	tu_step(d, DS_GONE, T(9000), 0);
	cell_dev(d, 0, &cfg, T(10000), &c);
	ck_assert_str_eq(c.mark, "\xe2\x80\xa0");
	ck_assert_int_eq(c.state_role, ROLE_TOMB);
	ck_assert_str_eq(c.state, "<gone>");
	ac.ascii = true;
	cell_dev(d, 0, &ac, T(10000), &c);
	ck_assert_str_eq(c.mark, "x");
	ck_assert(model_dev_listed(d, cfg.tomb_ns, T(68999)));
	ck_assert(!model_dev_listed(d, cfg.tomb_ns, T(69000)));
	ck_assert(model_dev_listed(d, 0, T(1000000)));
	free(d);
}
END_TEST

START_TEST(test_cell_verdict)
{
	struct model m;
	struct model_pair p;
	struct att_track t;
	struct cell_verdict v;

	memset(&m, 0, sizeof(m));
	memset(&p, 0, sizeof(p));
	att_init(&t);
	p.want[0] = p.want[1] = "";	/* the model never leaves them NULL */
	p.dev[0] = 0;
	p.dev[1] = -1;
	cell_verdict(&m, NULL, 0, T(0), &v);
	ck_assert_str_eq(v.text, "unpaired");
	ck_assert_int_eq(v.role, ROLE_DIM);
	p.want[1] = "b";
	cell_verdict(&m, &p, 0, T(0), &v);
	ck_assert_str_eq(v.text, "missing-destination");
	p.dev[1] = 1;
	p.att = &t;
	cell_verdict(&m, &p, 0, T(0), &v);
	ck_assert_str_eq(v.text, "idle");
	tu_att_decided(&t, ATT_COMPLETED, ATT_R_NONE, ATT_DST, DS_RESUMING,
		       T(0), T(840));
	cell_verdict(&m, &p, 0, T(5000), &v);
	ck_assert_str_eq(v.text, "completed in 840 ms");
	ck_assert_int_eq(v.role, ROLE_OK);
	tu_att_decided(&t, ATT_FAILED, ATT_R_ERROR, ATT_DST, DS_RESUMING,
		       T(1000), T(2000));
	cell_verdict(&m, &p, CELL_AL_FAIL, T(5000), &v);
	ck_assert_str_eq(v.mark, "!");
	ck_assert_int_eq(v.role, ROLE_ALERT);
	ck_assert_str_eq(v.text, "FAILED error: destination entered ERROR from RESUMING");
	cell_verdict(&m, &p, 0, T(5000), &v);
	ck_assert_str_eq(v.mark, " ");
	ck_assert_int_eq(v.role, ROLE_FAILED);
	tu_att_decided(&t, ATT_UNCERTAIN, ATT_U_LEFT, ATT_DST, DS_RESUMING,
		       T(3000), T(3500));
	cell_verdict(&m, &p, 0, T(5000), &v);
	ck_assert_int_eq(v.role, ROLE_UNCERTAIN);
	ck_assert_ptr_nonnull(strstr(v.text, "uncertain left-resuming-unseen: "));
	/* The latest attempt, and the failures before it. */
	ck_assert_ptr_nonnull(strstr(v.text, " (1 failed before)"));
	tu_att_open(&t, ATT_PH_STOP_COPY, T(4000), T(4000));
	cell_verdict(&m, &p, 0, T(5200), &v);
	ck_assert_str_eq(v.text, "stop-copy 1.2 s (1 failed before)");
	ck_assert_int_eq(v.role, ROLE_PROGRESS);
}
END_TEST

/* The clock's last whole second at @now, the real clock @off ahead. */
static uint64_t sec_at(uint64_t now, uint64_t off)
{
	return now - (now + off) % S(1);
}

/* @text is what format_dur() says of some age in [@age - 1 s, @age]. */
static bool dur_within(const char *text, uint64_t age)
{
	for (uint64_t a = age > S(1) ? age - S(1) : 0; a <= age; a += MS(10))
		if (!strcmp(dur(a), text))
			return true;
	return !strcmp(dur(age), text);
}

/* When a cell's text next changes by time alone: the screen sleeps until
 * then when nothing else changes, so it must never be late. */
START_TEST(test_cell_ticks)
{
	struct model m;
	struct model_pair p;
	struct att_track t;
	struct cell_verdict v, w;
	struct cell_cfg cc = { .highlight_ns = S(2) };
	struct model_dev *d = tu_dev("a", PAIR_SRC, DS_RUNNING, T(0));
	struct cell c, e;

	/* A device's time, through every unit of format_dur(). */
	for (uint64_t now = T(0); now < T(5000000); now += now / 7 + MS(13)) {
		cell_dev(d, 0, &cc, now, &c);
		ck_assert_uint_gt(c.tick_ns, now);
		cell_dev(d, 0, &cc, c.tick_ns - 1, &e);
		ck_assert_str_eq(c.time, e.time);
		cell_dev(d, 0, &cc, c.tick_ns, &e);
		ck_assert_str_ne(c.time, e.time);
	}
	/* As of the clock's second (cfg.second_ns): never more than a second
	 * behind, never ahead, and still not late. */
	for (uint64_t off = 0; off < S(1); off += MS(370)) {
		for (uint64_t now = T(0); now < T(5000000); now += now / 7 + MS(13)) {
			uint64_t age = now - T(0);

			cc.second_ns = sec_at(now, off);
			cell_dev(d, 0, &cc, now, &c);
			ck_assert_uint_gt(c.tick_ns, now);
			ck_assert_msg(dur_within(c.time, age), "%s at %llu ns",
				      c.time, (unsigned long long)age);
			cc.second_ns = sec_at(c.tick_ns - 1, off);
			cell_dev(d, 0, &cc, c.tick_ns - 1, &e);
			ck_assert_str_eq(c.time, e.time);
		}
	}
	/* Counted in seconds, every row ticks when the clock does. */
	cc.second_ns = sec_at(T(60000), MS(400));
	cell_dev(d, 0, &cc, T(60000), &c);
	ck_assert_uint_eq(c.tick_ns, cc.second_ns + S(1));
	free(d);
	memset(&m, 0, sizeof(m));
	memset(&p, 0, sizeof(p));
	att_init(&t);
	p.want[0] = p.want[1] = "";
	p.dev[0] = 0;
	p.dev[1] = 1;
	p.att = &t;
	cell_verdict(&m, &p, 0, T(100), &v);
	ck_assert_uint_eq(v.tick_ns, 0);	/* "idle" never changes by time */
	tu_att_decided(&t, ATT_COMPLETED, ATT_R_NONE, ATT_DST, DS_RESUMING,
		       T(0), T(840));
	cell_verdict(&m, &p, 0, T(5000), &v);
	ck_assert_uint_eq(v.tick_ns, 0);
	/* An attempt under way: its time in the phase ticks. */
	tu_att_open(&t, ATT_PH_STOP_COPY, T(4000), T(4000));
	for (uint64_t now = T(4000); now < T(4000000); now += now / 5 + MS(7)) {
		cell_verdict(&m, &p, 0, now, &v);
		ck_assert_uint_gt(v.tick_ns, now);
		cell_verdict(&m, &p, 0, v.tick_ns - 1, &w);
		ck_assert_str_eq(v.text, w.text);
		cell_verdict(&m, &p, 0, v.tick_ns, &w);
		ck_assert_str_ne(v.text, w.text);
	}
}
END_TEST

/* Messages keep their spaces; control characters are still escaped. */
START_TEST(test_fit_message_spaces)
{
	char out[256];
	const char msg[] = "disconnected: connection\x1b[2J closed";

	format_fit(out, sizeof(out), msg, strlen(msg), 60,
		   FORMAT_KEEP_START | FORMAT_SPACES, false);
	ck_assert_str_eq(out, "disconnected: connection\\x1b[2J closed");
	format_fit(out, sizeof(out), msg, strlen(msg), 60, FORMAT_KEEP_START,
		   false);
	ck_assert_str_eq(out, "disconnected:\\x20connection\\x1b[2J\\x20closed");
	format_fit(out, sizeof(out), msg, strlen(msg), 16,
		   FORMAT_KEEP_START | FORMAT_SPACES, true);
	ck_assert_str_eq(out, "disconnected: ..");
}
END_TEST

/* A stale device: "?" and dimmed, an alert keeps its colour. */
START_TEST(test_cell_stale)
{
	struct cell c;

	memset(&c, 0, sizeof(c));
	c.state_role = ROLE_RUNNING;
	cell_stale(&c);
	ck_assert_str_eq(c.mark, "?");
	ck_assert_int_eq(c.state_role, ROLE_DIM);
	ck_assert_int_eq(c.time_role, ROLE_DIM);
	c.state_role = ROLE_ALERT;
	cell_stale(&c);
	ck_assert_int_eq(c.state_role, ROLE_ALERT);
}
END_TEST

/* Each kind of transition says how it was known; a step not taken says
 * so before anything else. */
START_TEST(test_trans_note)
{
	ck_assert_str_eq(format_trans_note(0, DS_STOP), "");
	ck_assert_str_eq(format_trans_note(MODEL_T_ARC, DS_STOP), "");
	ck_assert_str_eq(format_trans_note(MODEL_T_INFERRED, DS_STOP),
			 "inferred");
	ck_assert_str_eq(format_trans_note(MODEL_T_MISSED, DS_STOP),
			 "steps missed");
	ck_assert_str_eq(format_trans_note(MODEL_T_NOPATH, DS_RUNNING),
			 "by no kernel step: reset");
	ck_assert_str_eq(format_trans_note(MODEL_T_NOPATH, DS_ERROR), "");
	ck_assert_str_eq(format_trans_note(MODEL_T_FAILED | MODEL_T_ARC,
					   DS_STOP),
			 "step failed: the device stayed");
	ck_assert_str_eq(format_trans_note(MODEL_T_REFUSED, DS_ERROR),
			 "refused by the kernel: no such step");
	ck_assert_str_eq(format_trans_note(MODEL_T_UNSURE, DS_STOP),
			 "taken or failed: not known");
}
END_TEST

TU_MAIN("tui_format", test_trans_note, test_fit_message_spaces, test_cell_stale, test_dur,
	test_dur_next, test_escape, test_fit_names, test_fit_sweep,
	test_clip, test_tokens, test_cell_changed, test_cell_markers,
	test_cell_verdict, test_cell_ticks)
