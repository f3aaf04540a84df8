// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_sim.c - unit tests of the simulator: scenario parser, migrate
 * expansion, demo scenario, tree writer and real-time replay.
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
#include <ftw.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arcmatch.h"
#include "fsm.h"
#include "sim.h"
#include "sim_priv.h"

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

static char err[1024];

static int parse(const char *text, struct sim_scenario *sc)
{
	return sim_parse(text, strlen(text), "t.scn", sc, err, sizeof(err));
}

static void parse_ok(const char *text, struct sim_scenario *sc)
{
	int rc = parse(text, sc);

	ck_assert_msg(rc == 0, "parse failed: %s", err);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

/* ---- parsing ---------------------------------------------------------- */

START_TEST(test_parse_actions)
{
	struct sim_scenario sc;
	const struct sim_step *s;

	parse_ok("# header\n"
		 "\n"
		 "0 src 0000:3b:00.2 add\n"
		 "0 dst 0000:3b:00.2 add stop-copy,dirty-tracking   # comment\n"
		 "0.5 src old add none\n"
		 "1 dst gpu add-nomig\n"
		 "1.25 src 0000:3b:00.2 STOP_COPY\n"
		 "2 src old raw \"Invalid\\n\"\n"
		 "2 src old raw-repeat 3 ab\n"
		 "3 dst gpu remove\n"
		 "4 - - loop\n"
		 "5 src this is not parsed at all\n", &sc);
	ck_assert_uint_eq(sc.n, 9);
	ck_assert_int_eq(sc.loop, 8);
	s = sc.steps;
	ck_assert_int_eq(s[0].action, SIM_ADD);
	ck_assert_int_eq(s[0].side, SIM_SRC);
	ck_assert_str_eq(s[0].dev, "0000:3b:00.2");
	ck_assert_uint_eq(s[0].dev_len, 12);
	ck_assert(s[0].has_features);
	ck_assert_uint_eq(s[0].features, FSM_F_STOP_COPY | FSM_F_P2P | FSM_F_PRE_COPY);
	ck_assert_uint_eq(s[0].line, 3);
	ck_assert_int_eq(s[1].side, SIM_DST);
	ck_assert_uint_eq(s[1].features, FSM_F_STOP_COPY | SIM_F_DIRTY_TRACKING);
	ck_assert(!s[2].has_features);
	ck_assert_int_eq(s[2].time_ns, 500 * MS);
	ck_assert_int_eq(s[3].action, SIM_ADD_NOMIG);
	ck_assert_int_eq(s[4].action, SIM_STATE);
	ck_assert_int_eq(s[4].state, FSM_STOP_COPY);
	ck_assert_int_eq(s[4].time_ns, 1250 * MS);
	ck_assert_int_eq(s[5].action, SIM_RAW);
	ck_assert_uint_eq(s[5].raw_len, 8);
	ck_assert(!memcmp(s[5].raw, "Invalid\n", 8));
	ck_assert_uint_eq(s[5].repeat, 1);
	ck_assert_uint_eq(s[6].repeat, 3);
	ck_assert_uint_eq(s[6].raw_len, 2);
	ck_assert_int_eq(s[7].action, SIM_REMOVE);
	ck_assert_int_eq(s[8].action, SIM_LOOP);
	ck_assert_int_eq(s[8].time_ns, 4 * SEC);
	ck_assert_ptr_null(s[8].dev);
	sim_free(&sc);
	ck_assert_uint_eq(sc.n, 0);
}
END_TEST

START_TEST(test_parse_states)
{
	struct sim_scenario sc;
	char text[1024] = "";
	size_t off = 0;

	for (int i = 0; i < FSM_NR; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"%d src d %s\n", i, fsm_name(i));
	parse_ok(text, &sc);
	ck_assert_uint_eq(sc.n, FSM_NR);
	ck_assert_int_eq(sc.loop, -1);
	for (int i = 0; i < FSM_NR; i++) {
		ck_assert_int_eq(sc.steps[i].action, SIM_STATE);
		ck_assert_int_eq(sc.steps[i].state, i);
	}
	sim_free(&sc);
}
END_TEST

START_TEST(test_parse_times)
{
	struct sim_scenario sc;

	parse_ok("+2 src a add\n"
		 "+0.5 src a STOP\n"
		 "2.5 src a RUNNING\n"
		 "3.005 src a STOP\n"
		 "+0.000000001 src a RUNNING\n"
		 "10.123456789 src a STOP\n"
		 "\t +0\tsrc a RUNNING\r\n", &sc);
	ck_assert_uint_eq(sc.n, 7);
	ck_assert_int_eq(sc.steps[0].time_ns, 2 * SEC);
	ck_assert_int_eq(sc.steps[1].time_ns, 2500 * MS);
	ck_assert_int_eq(sc.steps[2].time_ns, 2500 * MS);
	ck_assert_int_eq(sc.steps[3].time_ns, 3005 * MS);
	ck_assert_int_eq(sc.steps[4].time_ns, 3005 * MS + 1);
	ck_assert_int_eq(sc.steps[5].time_ns, 10 * SEC + 123456789);
	ck_assert_int_eq(sc.steps[6].time_ns, 10 * SEC + 123456789);
	sim_free(&sc);
}
END_TEST

START_TEST(test_parse_escapes)
{
	struct sim_scenario sc;
	const struct sim_step *s;

	parse_ok("0 src \"a\\nb\\tc\\\\d\\\"e\\x01\\xfF #x\" add\n"
		 "0 src \"a\\nb\\tc\\\\d\\\"e\\x01\\xfF #x\" raw \"\\x00\\x7f\"\n"
		 "0 src ok raw \"\"\n"
		 "0 src \"sp ace\" add-nomig#comment\n", &sc);
	s = sc.steps;
	ck_assert_uint_eq(s[0].dev_len, 14);
	ck_assert(!memcmp(s[0].dev, "a\nb\tc\\d\"e\x01\xff #x", 14));
	ck_assert_uint_eq(s[1].raw_len, 2);
	ck_assert(!memcmp(s[1].raw, "\0\x7f", 2));
	ck_assert_uint_eq(s[2].raw_len, 0);
	ck_assert_str_eq(s[3].dev, "sp ace");
	sim_free(&sc);
}
END_TEST

/* A scenario text and the start of the message it must produce. */
struct bad {
	const char *text;
	const char *msg;
};

static const struct bad bad_cases[] = {
	{ "0 src a add\n1 src a FROB\n", "t.scn:2: unknown action 'FROB'" },
	{ "0 src a add\n\n# c\n1 src a running\n", "t.scn:4: unknown action" },
	{ "1. src a add\n", "t.scn:1: bad time '1.'" },
	{ ".5 src a add\n", "t.scn:1: bad time '.5'" },
	{ "1e3 src a add\n", "t.scn:1: bad time '1e3'" },
	{ "-1 src a add\n", "t.scn:1: bad time '-1'" },
	{ "+-1 src a add\n", "t.scn:1: bad time '+-1'" },
	{ "1.0000000001 src a add\n", "t.scn:1: time '1.0000000001' out of range" },
	{ "1000000000 src a add\n", "t.scn:1: time '1000000000' out of range" },
	{ "0 src a add\n2 src a STOP\n1 src a RUNNING\n",
	  "t.scn:3: time goes backwards (1.000 s, after a step at 2.000 s)" },
	{ "0 src \"a\\q\" add\n", "t.scn:1: bad escape '\\q'" },
	{ "0 src \"a\\x4\" add\n", "t.scn:1: bad escape '\\x'" },
	{ "0 src \"a\\xzz\" add\n", "t.scn:1: bad escape '\\x'" },
	{ "0 src a add\n0 src \"abc add\n", "t.scn:2: unterminated string" },
	{ "0 src \"abc\\", "t.scn:1: unterminated string" },
	{ "0 src \"a\"b add\n", "t.scn:1: blank expected after closing quote" },
	{ "0 src a\"b add\n", "t.scn:1: unexpected quote" },
	{ "0 src a\x01 add\n", "t.scn:1: control character 0x01" },
	{ "0 src a/b add\n", "t.scn:1: bad name: device name contains '/'" },
	{ "0 src . add\n", "t.scn:1: bad name: '.' is not a device name" },
	{ "0 src .. add\n", "t.scn:1: bad name: '..' is not a device name" },
	{ "0 src \"\" add\n", "t.scn:1: bad name: empty device name" },
	{ "0 src \"a\\x00b\" add\n", "t.scn:1: bad name: device name contains a NUL byte" },
	{ "0 src .sim-x add\n", "t.scn:1: bad name: names starting with .sim-" },
	{ "0 src a migrate ../x\n", "t.scn:1: bad name: device name contains '/'" },
	{ "0 host a add\n", "t.scn:1: bad side 'host'" },
	{ "0 - a add\n", "t.scn:1: bad side '-'" },
	{ "0 src a\n", "t.scn:1: expected TIME SIDE DEVICE ACTION" },
	{ "0 src a migrate b precopy nop2p fail=dst-error x y\n",
	  "t.scn:1: too many fields" },
	{ "0 src a add p2p,bogus\n", "t.scn:1: unknown feature 'bogus'" },
	{ "0 src a add stop-copy,\n", "t.scn:1: unknown feature ''" },
	{ "0 src a add none x\n", "t.scn:1: add takes at most one argument" },
	{ "0 src a remove now\n", "t.scn:1: remove takes no argument" },
	{ "0 src a add-nomig x\n", "t.scn:1: add-nomig takes no argument" },
	{ "0 src a STOP now\n", "t.scn:1: a state takes no argument" },
	{ "0 src a raw\n", "t.scn:1: raw takes exactly one argument" },
	{ "0 src a raw-repeat x y\n", "t.scn:1: bad repeat count 'x'" },
	{ "0 src a raw-repeat 3\n", "t.scn:1: raw-repeat takes two arguments" },
	{ "0 src a raw-repeat 99999999999 x\n", "t.scn:1: bad repeat count" },
	{ "0 src a raw-repeat 67108864 ab\n", "t.scn:1: raw content too large" },
	{ "0 src a migrate\n", "t.scn:1: migrate needs a PEER device" },
	{ "0 src a migrate b fast\n", "t.scn:1: unknown migrate option 'fast'" },
	{ "0 src a migrate b fail=boom\n", "t.scn:1: unknown migrate option 'fail=boom'" },
	{ "0 src a migrate b precopy noprecopy\n",
	  "t.scn:1: migrate option 'noprecopy' conflicts" },
	{ "0 src a migrate b fail=dst-error fail=dst-stuck\n",
	  "t.scn:1: migrate option 'fail=dst-stuck' conflicts" },
	{ "0 src a add\n1 src a loop\n", "t.scn:2: loop takes '-' as SIDE and DEVICE" },
	{ "0 src a add\n1 - - loop now\n", "t.scn:2: loop takes no argument" },
	{ "0 - - loop\n", "t.scn:1: loop at time 0" },
	{ "0 src a add\n1 src a migrate b\n2 - - loop\n",
	  "t.scn:3: loop at 2.000 s comes before the end of the migrate on line 2" },
	{ "0 src a add\n0 src a\0 STOP\n", "t.scn:2: NUL byte in line" },
	{ "0 src a reset now\n", "t.scn:1: reset takes no argument" },
	{ "0 src a error x\n", "t.scn:1: error takes no argument" },
	{ "0 src a fail\n", "t.scn:1: fail takes exactly one argument (the STATE requested)" },
	{ "0 src a fail STOP now\n", "t.scn:1: fail takes exactly one argument" },
	{ "0 src a fail stop\n", "t.scn:1: fail: unknown state 'stop'" },
	{ "0 src a migrate b fail=src-cancel fail=dst-reject\n",
	  "t.scn:1: migrate option 'fail=dst-reject' conflicts" },
	{ "0 src a migrate b fail=\n",
	  "t.scn:1: unknown migrate option 'fail=' (expected precopy, noprecopy, nop2p or fail=src-cancel|src-abort|dst-error|dst-reject|dst-stuck)" },
};

START_TEST(test_parse_errors)
{
	const struct bad *b = &bad_cases[_i];
	struct sim_scenario sc;
	size_t len = strlen(b->text);
	int rc;

	if (strstr(b->msg, "NUL byte"))
		len = sizeof("0 src a add\n0 src a\0 STOP\n") - 1;
	rc = sim_parse(b->text, len, "t.scn", &sc, err, sizeof(err));
	ck_assert_msg(rc == -1, "accepted: %s", b->text);
	ck_assert_msg(!strncmp(err, b->msg, strlen(b->msg)),
		      "for %s\n got: %s\nwant: %s...", b->text, err, b->msg);
	ck_assert_ptr_null(sc.steps);
	ck_assert_uint_eq(sc.n, 0);
	ck_assert_ptr_null(sc.migs);
	ck_assert_uint_eq(sc.nmigs, 0);
}
END_TEST

START_TEST(test_parse_err_small_buffer)
{
	struct sim_scenario sc;
	char small[8];

	ck_assert_int_eq(sim_parse("0 src a FROB\n", 13, "long-name.scn", &sc,
				   small, sizeof(small)), -1);
	ck_assert_uint_eq(strlen(small), 7);
	ck_assert_int_eq(sim_parse("0 src a FROB\n", 13, NULL, &sc, err,
				   sizeof(err)), -1);
	ck_assert_str_eq(err, "-:1: unknown action 'FROB'");
}
END_TEST

START_TEST(test_parse_long_name)
{
	struct sim_scenario sc;
	char text[600];
	char name[257];

	memset(name, 'n', 256);
	name[256] = '\0';
	snprintf(text, sizeof(text), "0 src %s add\n", name + 1);
	parse_ok(text, &sc);
	ck_assert_uint_eq(sc.steps[0].dev_len, 255);
	sim_free(&sc);
	snprintf(text, sizeof(text), "0 src %s add\n", name);
	ck_assert_int_eq(parse(text, &sc), -1);
	ck_assert_str_eq(err, "t.scn:1: bad name: device name longer than 255 bytes");
}
END_TEST

START_TEST(test_parse_empty)
{
	struct sim_scenario sc;

	parse_ok("", &sc);
	ck_assert_uint_eq(sc.n, 0);
	ck_assert_int_eq(sc.loop, -1);
	sim_free(&sc);
	parse_ok("# only a comment\n\n   \n", &sc);
	ck_assert_uint_eq(sc.n, 0);
	sim_free(&sc);
}
END_TEST

/* Normalized output parses back to the same steps. */
START_TEST(test_print_roundtrip)
{
	static const char text[] =
		"0 src 0000:3b:00.2 add\n"
		"0 dst \"we\\x01ird #name\\n\" add none\n"
		"0 dst m add p2p,dirty-tracking\n"
		"0.001 src n add-nomig\n"
		"1 src 0000:3b:00.2 migrate \"we\\x01ird #name\\n\" noprecopy fail=dst-error\n"
		"3 src m raw \"\\x00\\xff\\\"\\\\ \\t\"\n"
		"3 src m raw-repeat 1000 \"RUNNING\"\n"
		"3.5 dst m fail RUNNING_P2P\n"
		"3.5 dst m error\n"
		"3.6 src m reset\n"
		"3.7 src m migrate m fail=dst-reject\n"
		"4 src n remove\n"
		"6 - - loop\n";
	struct sim_scenario a, b;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	parse_ok(text, &a);
	f = open_memstream(&out, &len);
	for (size_t i = 0; i < a.n; i++)
		ck_assert_int_eq(sim_fprint_step(f, &a.steps[i]), 0);
	fclose(f);
	ck_assert_msg(sim_parse(out, len, "out", &b, err, sizeof(err)) == 0,
		      "%s\n%s", err, out);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_int_eq(a.loop, b.loop);
	for (size_t i = 0; i < a.n; i++) {
		const struct sim_step *x = &a.steps[i], *y = &b.steps[i];

		ck_assert_int_eq(x->time_ns, y->time_ns);
		ck_assert_int_eq(x->side, y->side);
		ck_assert_int_eq(x->action, y->action);
		ck_assert_uint_eq(x->dev_len, y->dev_len);
		if (x->dev)
			ck_assert(!memcmp(x->dev, y->dev, x->dev_len));
		ck_assert_int_eq(x->state, y->state);
		ck_assert_uint_eq(x->raw_len, y->raw_len);
		ck_assert_uint_eq(x->repeat, y->repeat);
		if (x->raw_len)
			ck_assert(!memcmp(x->raw, y->raw, x->raw_len));
		ck_assert_uint_eq(x->features, y->features);
		ck_assert_int_eq(x->has_features, y->has_features);
		ck_assert_int_eq(x->with_error, y->with_error);
		ck_assert_int_eq(x->folded, y->folded);
	}
	/* The expansion is steps: the truth stays with the migrate lines. */
	ck_assert_uint_eq(a.nmigs, 2);
	ck_assert_uint_eq(b.nmigs, 0);
	ck_assert_ptr_nonnull(strstr(out, "3.500 dst m fail RUNNING_P2P\n3.500 dst m error\n3.600 src m reset\n"));
	ck_assert_ptr_nonnull(strstr(out, "0.000 dst \"we\\x01ird #name\\n\" add none\n"));
	ck_assert_ptr_nonnull(strstr(out, "3.000 src m raw-repeat 1000 RUNNING\n"));
	ck_assert_ptr_nonnull(strstr(out, "6.000 - - loop\n"));
	free(out);
	sim_free(&a);
	sim_free(&b);
}
END_TEST

/* ---- migrate expansion ------------------------------------------------ */

/* A migrate variant and the states each side must show, RUNNING first. */
struct variant {
	const char *opts;
	bool p2p, precopy;
	enum fsm_state src[8];
	int nsrc;
	enum fsm_state dst[8];
	int ndst;
};

#define R FSM_RUNNING
#define PC FSM_PRE_COPY
#define PP FSM_PRE_COPY_P2P
#define SC FSM_STOP_COPY
#define S FSM_STOP
#define RP FSM_RUNNING_P2P
#define RS FSM_RESUMING
#define E FSM_ERROR

static const struct variant variants[] = {
	{ "", true, true, { R, PC, PP, SC, S }, 5, { R, RS, RP, R }, 4 },
	{ "precopy", true, true, { R, PC, PP, SC, S }, 5, { R, RS, RP, R }, 4 },
	{ "noprecopy", true, false, { R, RP, S, SC, S }, 5, { R, RS, RP, R }, 4 },
	{ "nop2p", false, true, { R, PC, SC, S }, 4, { R, RS, R }, 3 },
	{ "noprecopy nop2p", false, false, { R, S, SC, S }, 4, { R, RS, R }, 3 },
	{ "fail=src-abort", true, true, { R, PC, PP, SC, R }, 5, { R, RS, R }, 3 },
	{ "fail=dst-error", true, true, { R, PC, PP, SC, S }, 5, { R, RS, E }, 3 },
	{ "fail=dst-stuck", true, true, { R, PC, PP, SC, S }, 5, { R, RS }, 2 },
	{ "noprecopy fail=src-abort", true, false, { R, RP, S, SC, R }, 5, { R, RS, R }, 3 },
	{ "nop2p fail=src-abort", false, true, { R, PC, SC, R }, 4, { R, RS, R }, 3 },
	{ "fail=dst-error noprecopy", true, false, { R, RP, S, SC, S }, 5, { R, RS, E }, 3 },
	{ "nop2p fail=dst-stuck", false, true, { R, PC, SC, S }, 4, { R, RS }, 2 },
	{ "fail=src-cancel", true, true, { R, PC, R }, 3, { R, RS, R }, 3 },
	{ "noprecopy fail=src-cancel", true, false, { R }, 1, { R, RS, R }, 3 },
	{ "fail=dst-reject", true, true, { R, PC, PP, SC, S }, 5, { R, RS, R }, 3 },
	{ "nop2p fail=dst-reject", false, true, { R, PC, SC, S }, 4, { R, RS, R }, 3 },
};

/* The states @side's @dev shows through a scenario, RUNNING first, and
 * when; checks each step as it goes: a request has a kernel path from
 * where the device is, a failed step a kernel step to fail. */
static int side_states(const struct sim_scenario *sc, enum sim_side side,
		       const char *dev, unsigned int flags, enum fsm_state *out,
		       int64_t *t)
{
	enum fsm_state path[FSM_MAX_PATH], next;
	int n = 0;

	out[n] = R;
	t[n++] = 0;
	for (size_t i = 0; i < sc->n && n < 16; i++) {
		const struct sim_step *st = &sc->steps[i];
		enum fsm_state cur = out[n - 1], to;

		if (st->side != side || !st->dev || strcmp(st->dev, dev))
			continue;
		switch (st->action) {
		case SIM_STATE:
			ck_assert_msg(fsm_path(cur, st->state, flags, path,
					       FSM_MAX_PATH) > 0,
				      "line %u: no kernel path %s -> %s", st->line,
				      fsm_name(cur), fsm_name(st->state));
			to = st->state;
			break;
		case SIM_FAIL:
			ck_assert_int_eq(fsm_next_step(cur, st->state, flags,
						       &next), 0);
			continue;
		case SIM_RESET:
			to = R;
			break;
		case SIM_ERROR:
			to = E;
			break;
		default:
			continue;
		}
		ck_assert_int_ge(st->time_ns, t[n - 1]);
		out[n] = to;
		t[n++] = st->time_ns;
	}
	return n;
}

static unsigned int variant_flags(const struct variant *v)
{
	return FSM_F_STOP_COPY | (v->p2p ? FSM_F_P2P : 0) |
	       (v->precopy ? FSM_F_PRE_COPY : 0);
}

START_TEST(test_migrate_variants)
{
	const struct variant *v = &variants[_i];
	struct sim_scenario sc;
	enum fsm_state st[16];
	int64_t t[16];
	char text[256];
	int n;

	snprintf(text, sizeof(text),
		 "0 src A add\n0 dst B add\n10 src A migrate B %s\n", v->opts);
	parse_ok(text, &sc);
	n = side_states(&sc, SIM_SRC, "A", variant_flags(v), st, t);
	ck_assert_int_eq(n, v->nsrc);
	ck_assert(!memcmp(st, v->src, sizeof(*st) * (size_t)n));
	for (int i = 1; i < n; i++) {
		ck_assert_int_ge(t[i], 10 * SEC);
		ck_assert_int_le(t[i], 12 * SEC);
	}
	n = side_states(&sc, SIM_DST, "B", variant_flags(v), st, t);
	ck_assert_int_eq(n, v->ndst);
	ck_assert(!memcmp(st, v->dst, sizeof(*st) * (size_t)n));
	for (size_t i = 1; i < sc.n; i++)
		ck_assert_int_le(sc.steps[i - 1].time_ns, sc.steps[i].time_ns);
	ck_assert_uint_eq(sc.nmigs, 1);
	ck_assert_int_eq(sim_migration_outcome(&sc.migs[0]),
			 strstr(v->opts, "fail=") ? SIM_FAILED : SIM_COMPLETED);
	sim_free(&sc);
}
END_TEST

/* Successful source walks are made of direct arcs only. */
START_TEST(test_migrate_source_arcs)
{
	for (size_t v = 0; v < sizeof(variants) / sizeof(*variants); v++) {
		unsigned int flags = FSM_F_STOP_COPY |
				     (variants[v].p2p ? FSM_F_P2P : 0) |
				     (variants[v].precopy ? FSM_F_PRE_COPY : 0);

		if (strstr(variants[v].opts, "src-"))
			continue;	/* the source resumes: a kernel path */
		for (int i = 1; i < variants[v].nsrc; i++)
			ck_assert(fsm_is_arc(variants[v].src[i - 1],
					     variants[v].src[i], flags));
	}
	for (int i = 1; i < variants[0].nsrc; i++)
		ck_assert(fsm_is_arc(variants[0].src[i - 1], variants[0].src[i],
				     FSM_F_ALL));
}
END_TEST

/* Normalized steps of @text (as vfiomig-sim --check prints them). */
static char *expand(const char *text)
{
	struct sim_scenario sc;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	parse_ok(text, &sc);
	f = open_memstream(&out, &len);
	for (size_t i = 0; i < sc.n; i++)
		if (sc.steps[i].action != SIM_ADD)
			ck_assert_int_eq(sim_fprint_step(f, &sc.steps[i]), 0);
	fclose(f);
	sim_free(&sc);
	return out;
}

/* How each failure ends: requests where QEMU asks the kernel, a reset
 * where a device is reset, fail and error where a driver fails. */
static const struct {
	const char *opts;
	const char *want;
} endings[] = {
	{ "fail=src-abort",
	  "10.000 src A PRE_COPY\n10.030 dst B RESUMING\n"
	  "11.200 src A PRE_COPY_P2P\n11.205 src A STOP_COPY\n"
	  "11.350 src A RUNNING\n11.600 dst B reset\n" },
	{ "fail=dst-error",
	  "10.000 src A PRE_COPY\n10.030 dst B RESUMING\n"
	  "11.200 src A PRE_COPY_P2P\n11.205 src A STOP_COPY\n"
	  "11.480 src A STOP\n11.500 dst B fail RUNNING_P2P\n"
	  "11.500 dst B error\n" },
	{ "fail=dst-reject nop2p",
	  "10.000 src A PRE_COPY\n10.030 dst B RESUMING\n"
	  "11.205 src A STOP_COPY\n11.480 src A STOP\n"
	  "11.500 dst B fail RUNNING\n11.700 dst B reset\n" },
	{ "fail=src-cancel",
	  "10.000 src A PRE_COPY\n10.030 dst B RESUMING\n"
	  "10.600 src A RUNNING\n11.000 dst B reset\n" },
	{ "noprecopy fail=src-cancel",
	  "10.030 dst B RESUMING\n11.000 dst B reset\n" },
	{ "fail=dst-stuck noprecopy",
	  "10.030 dst B RESUMING\n11.200 src A RUNNING_P2P\n"
	  "11.205 src A STOP\n11.210 src A STOP_COPY\n11.480 src A STOP\n" },
};

START_TEST(test_migrate_endings)
{
	char text[256], *got;

	snprintf(text, sizeof(text),
		 "0 src A add\n0 dst B add\n10 src A migrate B %s\n",
		 endings[_i].opts);
	got = expand(text);
	ck_assert_str_eq(got, endings[_i].want);
	free(got);
}
END_TEST

/* A fail then an error of the same device at the same time are one
 * request (the driver enters ERROR as it fails); apart, they are not. */
START_TEST(test_fail_error_folded)
{
	struct sim_scenario sc;

	parse_ok("0 dst B add\n1 dst B fail STOP\n1 dst B error\n"
		 "2 dst B fail STOP\n2 dst C error\n"
		 "3 dst B fail STOP\n3.001 dst B error\n", &sc);
	ck_assert_uint_eq(sc.n, 7);
	ck_assert(sc.steps[1].with_error && sc.steps[2].folded);
	for (size_t i = 3; i < sc.n; i++)
		ck_assert(!sc.steps[i].with_error && !sc.steps[i].folded);
	sim_free(&sc);
}
END_TEST

/* The truth: one line per migrate, in order, with how it ends. */
START_TEST(test_truth)
{
	struct sim_scenario sc;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	parse_ok("0 src a add\n0 dst b add\n"
		 "1 src a migrate b\n"
		 "5 src a migrate b fail=src-cancel\n"
		 "5.5 src a migrate b nop2p fail=src-abort\n"
		 "8 src a migrate b fail=dst-error\n"
		 "10 dst \"x y\" migrate \"z\\x01\" noprecopy fail=dst-reject\n"
		 "12 src a migrate b fail=dst-stuck\n", &sc);
	ck_assert_uint_eq(sc.nmigs, 6);
	ck_assert_int_eq(sc.migs[4].side, SIM_DST);
	ck_assert_uint_eq(sc.migs[4].line, 7);
	ck_assert_str_eq(sc.migs[4].dev, "x y");
	ck_assert_int_eq(sim_migration_outcome(&sc.migs[0]), SIM_COMPLETED);
	for (size_t i = 1; i < sc.nmigs; i++)
		ck_assert_int_eq(sim_migration_outcome(&sc.migs[i]), SIM_FAILED);
	ck_assert_ptr_null(sim_fail_name(SIM_FAIL_NONE));
	f = open_memstream(&out, &len);
	ck_assert_int_eq(sim_fprint_truth(f, &sc), 0);
	fclose(f);
	ck_assert_str_eq(out,
			 "1.000 a b completed\n"
			 "5.000 a b failed src-cancel\n"
			 "5.500 a b failed src-abort\n"
			 "8.000 a b failed dst-error\n"
			 "10.000 \"x y\" \"z\\x01\" failed dst-reject\n"
			 "12.000 a b failed dst-stuck\n");
	free(out);
	sim_free(&sc);
	ck_assert_ptr_null(sc.migs);
	/* The demo's truth: each kind of ending, and completions. */
	ck_assert_int_eq(sim_parse(sim_demo_scenario, strlen(sim_demo_scenario),
				   "<demo>", &sc, err, sizeof(err)), 0);
	for (int k = SIM_FAIL_NONE; k <= SIM_FAIL_DST_STUCK; k++) {
		int n = 0;

		for (size_t i = 0; i < sc.nmigs; i++)
			n += sc.migs[i].fail == (enum sim_fail)k;
		ck_assert_msg(n >= (k == SIM_FAIL_NONE ? 6 : 1),
			      "the demo has %d migrations ending %s", n,
			      sim_fail_name((enum sim_fail)k));
	}
	sim_free(&sc);
}
END_TEST

START_TEST(test_migrate_times)
{
	struct sim_scenario sc;
	static const int64_t want[] = { 0, 30, 1200, 1205, 1480, 1500, 1505 };
	static const enum sim_side side[] = {
		SIM_SRC, SIM_DST, SIM_SRC, SIM_SRC, SIM_SRC, SIM_DST, SIM_DST,
	};

	parse_ok("1.5 src a migrate b\n"
		 "+0.1 dst x STOP\n"
		 "2 dst c migrate d nop2p\n", &sc);
	/* The first migrate interleaves with the later lines. */
	ck_assert_uint_eq(sc.n, 7 + 1 + 5);
	for (size_t i = 0, k = 0; i < sc.n; i++) {
		const struct sim_step *st = &sc.steps[i];

		if (strcmp(st->dev, "a") && strcmp(st->dev, "b"))
			continue;
		ck_assert_int_eq(st->time_ns, 1500 * MS + want[k] * MS);
		ck_assert_int_eq(st->side, side[k]);
		ck_assert_uint_eq(st->line, 1);
		k++;
	}
	ck_assert_str_eq(sc.steps[2].dev, "x");
	ck_assert_int_eq(sc.steps[2].time_ns, 1600 * MS);
	/* A migrate written on dst puts its peer on src. */
	for (size_t i = 0; i < sc.n; i++) {
		if (!strcmp(sc.steps[i].dev, "c"))
			ck_assert_int_eq(sc.steps[i].side, SIM_DST);
		if (!strcmp(sc.steps[i].dev, "d"))
			ck_assert_int_eq(sc.steps[i].side, SIM_SRC);
	}
	sim_free(&sc);
}
END_TEST

/* ---- demo scenario ---------------------------------------------------- */

/* What the demo shows, counted by replaying it in memory. */
struct demo_stats {
	int pairs;		/* device names present on both sides at 0 */
	int nomig;		/* add-nomig steps */
	int removes;		/* remove steps */
	int readds;		/* add steps after time 0 */
	int precopy_ok;		/* source PRE_COPY_P2P -> STOP_COPY -> STOP */
	int noprecopy;		/* source RUNNING_P2P -> STOP -> STOP_COPY */
	int dst_error;		/* destination ERROR */
	int dst_reject;		/* destination failed step without ERROR */
	int src_abort;		/* source STOP_COPY then RUNNING(_P2P) */
	int cancel;		/* source PRE_COPY then RUNNING */
	int resets;		/* reset steps */
	int fake_resets;	/* requests where a reset belongs */
	int64_t stuck_ns;	/* longest destination stay in RESUMING */
	int64_t max_gap_ns;	/* longest time without a step */
	int64_t loop_ns;	/* loop time */
};

#define MAXDEV 64

struct demo_dev {
	const char *name;	/* device name, in the scenario */
	enum sim_side side;	/* side of the device */
	bool present;		/* exists now */
	bool mig;		/* has migration/ */
	enum fsm_state hist[3];	/* last three states, newest last */
	int64_t since;		/* time of the last state change, ns */
};

static struct demo_dev *find_dev(struct demo_dev *d, int *n,
				 const struct sim_step *st)
{
	for (int i = 0; i < *n; i++)
		if (d[i].side == st->side && !strcmp(d[i].name, st->dev))
			return &d[i];
	ck_assert_int_lt(*n, MAXDEV);
	d[*n] = (struct demo_dev){ .name = st->dev, .side = st->side };
	return &d[(*n)++];
}

static void demo_state(struct demo_stats *s, struct demo_dev *d,
		       const struct sim_step *st, enum fsm_state to)
{
	enum fsm_state prev = d->hist[2];

	ck_assert_msg(d->present && d->mig, "line %u: state on a missing device",
		      st->line);
	/* QEMU never asks a destination to leave RESUMING or ERROR for
	 * RUNNING, nor a source it leaves in STOP: that is a reset. */
	if (st->action == SIM_STATE && to == R &&
	    ((d->side == SIM_DST && (prev == RS || prev == E)) ||
	     (d->side == SIM_SRC && prev == S)))
		s->fake_resets++;
	if (d->side == SIM_DST && prev == FSM_RESUMING &&
	    st->time_ns - d->since > s->stuck_ns)
		s->stuck_ns = st->time_ns - d->since;
	d->hist[0] = d->hist[1];
	d->hist[1] = prev;
	d->hist[2] = to;
	d->since = st->time_ns;
	if (d->side == SIM_DST && to == FSM_ERROR)
		s->dst_error++;
	if (d->side != SIM_SRC)
		return;
	if (d->hist[1] == PC && d->hist[2] == R)
		s->cancel++;
	if (d->hist[0] == PP && d->hist[1] == SC && d->hist[2] == S)
		s->precopy_ok++;
	if (d->hist[0] == RP && d->hist[1] == S && d->hist[2] == SC)
		s->noprecopy++;
	if (d->hist[1] == SC && (d->hist[2] == RP || d->hist[2] == R))
		s->src_abort++;
}

static void demo_step(struct demo_stats *s, struct demo_dev *devs, int *n,
		      const struct sim_step *st)
{
	struct demo_dev *d = find_dev(devs, n, st);

	switch (st->action) {
	case SIM_ADD:
	case SIM_ADD_NOMIG:
		ck_assert_msg(!d->present, "line %u: added twice", st->line);
		d->present = true;
		d->mig = st->action == SIM_ADD;
		d->hist[0] = d->hist[1] = d->hist[2] = FSM_RUNNING;
		d->since = st->time_ns;
		s->nomig += !d->mig;
		s->readds += st->time_ns > 0;
		break;
	case SIM_REMOVE:
		ck_assert_msg(d->present, "line %u: removes a missing device",
			      st->line);
		d->present = false;
		s->removes++;
		break;
	case SIM_STATE:
		demo_state(s, d, st, st->state);
		break;
	case SIM_RESET:
		s->resets++;
		demo_state(s, d, st, R);
		break;
	case SIM_ERROR:
		demo_state(s, d, st, E);
		break;
	case SIM_FAIL:
		ck_assert_msg(d->present && d->mig, "line %u: fail on a missing device",
			      st->line);
		s->dst_reject += d->side == SIM_DST && !st->with_error;
		break;
	default:
		ck_abort_msg("line %u: unexpected action in the demo", st->line);
	}
}

static void demo_pairs(struct demo_stats *s, struct demo_dev *d, int n)
{
	for (int i = 0; i < n; i++) {
		if (d[i].side != SIM_SRC)
			continue;
		for (int j = 0; j < n; j++)
			if (d[j].side == SIM_DST && !strcmp(d[i].name, d[j].name))
				s->pairs++;
		/* Everything RUNNING at the loop point: the restart is seamless. */
		ck_assert(d[i].present);
		ck_assert(!d[i].mig || d[i].hist[2] == FSM_RUNNING);
	}
}

static void demo_stats(const struct sim_scenario *sc, struct demo_stats *s)
{
	struct demo_dev devs[MAXDEV];
	int n = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sc->n; i++) {
		const struct sim_step *st = &sc->steps[i];

		if (i && st->time_ns - sc->steps[i - 1].time_ns > s->max_gap_ns)
			s->max_gap_ns = st->time_ns - sc->steps[i - 1].time_ns;
		if (st->action == SIM_LOOP) {
			s->loop_ns = st->time_ns;
			break;
		}
		demo_step(s, devs, &n, st);
	}
	demo_pairs(s, devs, n);
}

START_TEST(test_demo_variety)
{
	struct sim_scenario sc;
	struct demo_stats s;
	int rc;

	rc = sim_parse(sim_demo_scenario, strlen(sim_demo_scenario), "<demo>",
		       &sc, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_int_ge(sc.loop, 0);
	demo_stats(&sc, &s);
	ck_assert_int_ge(s.loop_ns, 60 * SEC);
	ck_assert_int_le(s.loop_ns, 90 * SEC);
	ck_assert_int_ge(s.pairs, 6);
	ck_assert_int_ge(s.nomig, 1);
	ck_assert_int_ge(s.removes, 1);
	ck_assert_int_ge(s.readds, 1);
	ck_assert_int_ge(s.precopy_ok, 2);
	ck_assert_int_ge(s.noprecopy, 1);
	ck_assert_int_ge(s.dst_error, 1);
	ck_assert_int_ge(s.dst_reject, 1);
	ck_assert_int_ge(s.src_abort, 1);
	ck_assert_int_ge(s.cancel, 1);
	ck_assert_int_ge(s.resets, 10);
	ck_assert_int_eq(s.fake_resets, 0);
	ck_assert_int_ge(s.stuck_ns, 35 * SEC);
	ck_assert_int_le(s.stuck_ns, 45 * SEC);
	ck_assert_int_le(s.max_gap_ns, 6 * SEC);
	sim_free(&sc);
}
END_TEST

/* Open tests/integration/scenarios/@name from $srcdir or nearby; or NULL. */
static FILE *open_scenario(const char *name, char *path, size_t len)
{
	static const char *const rel[] = {
		"tests/integration/scenarios",
		"../integration/scenarios",
		"../../tests/integration/scenarios",
		"../tests/integration/scenarios",
	};
	const char *srcdir = getenv("srcdir");
	FILE *f = NULL;

	for (size_t i = 0; i < sizeof(rel) / sizeof(*rel) && !f; i++) {
		snprintf(path, len, "%s/%s/%s", srcdir ? srcdir : ".", rel[i],
			 name);
		f = fopen(path, "r");
	}
	if (!f)
		fprintf(stderr, "test_sim: %s not found, test skipped\n", name);
	return f;
}

/* Whole content of @f (closed), NUL-terminated. */
static char *read_stream(FILE *f, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	int c;

	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	*len = n;
	return buf;
}

/* The embedded string is the generated copy of demo.scn. */
START_TEST(test_demo_matches_file)
{
	char path[4096], *text;
	FILE *f = open_scenario("demo.scn", path, sizeof(path));
	size_t len;

	if (!f)
		return;
	text = read_stream(f, &len);
	ck_assert_uint_eq(len, strlen(sim_demo_scenario));
	ck_assert_msg(!memcmp(text, sim_demo_scenario, len),
		      "src/demo_scenario.c is out of date: regenerate it from %s",
		      path);
	free(text);
}
END_TEST

/* ---- applying steps to a tree ----------------------------------------- */

static char root[4096];

static void make_root(void)
{
	struct stat sb;

	ck_assert_int_eq(sim_make_tmproot(root, sizeof(root)), 0);
	ck_assert_ptr_nonnull(strstr(root, "/vfiomigtop-demo-"));
	ck_assert_int_eq(stat(root, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
}

/* What apply_text() and apply_fails() apply with (NULL: no arcs). */
static struct sim_world *world;

static void apply_text(const char *text)
{
	struct sim_scenario sc;

	parse_ok(text, &sc);
	for (size_t i = 0; i < sc.n; i++)
		ck_assert_msg(sim_apply(world, root, &sc.steps[i], err,
					sizeof(err)) == 0,
			      "step %zu: %s", i, err);
	sim_free(&sc);
}

static int apply_fails(const char *text)
{
	struct sim_scenario sc;
	int rc = 0;

	parse_ok(text, &sc);
	for (size_t i = 0; i < sc.n && !rc; i++)
		rc = sim_apply(world, root, &sc.steps[i], err, sizeof(err));
	sim_free(&sc);
	return rc;
}

/* Content of ROOT/@rel, NUL-terminated; NULL if missing. */
static char *slurp(const char *rel, size_t *len)
{
	char path[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	return f ? read_stream(f, len ? len : &n) : NULL;
}

static void assert_file(const char *rel, const char *want)
{
	char *got = slurp(rel, NULL);

	ck_assert_msg(got != NULL, "%s missing", rel);
	ck_assert_str_eq(got, want);
	free(got);
}

static bool exists(const char *rel)
{
	char path[8192];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return lstat(path, &sb) == 0;
}

static int leftovers;

static int count_tmp(const char *path, const struct stat *sb, int flag,
		     struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	if (!strncmp(path + ftw->base, ".sim-", 5))
		leftovers++;
	return 0;
}

static void assert_no_tmp(void)
{
	leftovers = 0;
	ck_assert_int_eq(nftw(root, count_tmp, 16, FTW_PHYS), 0);
	ck_assert_int_eq(leftovers, 0);
}

static void remove_root(void)
{
	ck_assert_int_eq(sim_remove_tree(root), 0);
	ck_assert(access(root, F_OK) && errno == ENOENT);
}

START_TEST(test_apply_add)
{
	make_root();
	apply_text("0 src 0000:3b:00.2 add\n"
		   "0 dst 0000:3b:00.2 add stop-copy,p2p,pre-copy,dirty-tracking\n"
		   "0 dst old add none\n"
		   "0 src gpu add-nomig\n"
		   "0 src pds add dirty-tracking,p2p,stop-copy\n");
	assert_file("src/0000:3b:00.2/migration/state", "RUNNING\n");
	assert_file("src/0000:3b:00.2/migration/features",
		    "stop-copy\np2p\npre-copy\n");
	assert_file("dst/0000:3b:00.2/migration/features",
		    "stop-copy\np2p\npre-copy\ndirty-tracking\n");
	assert_file("src/pds/migration/features",
		    "stop-copy\np2p\ndirty-tracking\n");
	assert_file("dst/old/migration/state", "RUNNING\n");
	ck_assert(!exists("dst/old/migration/features"));
	ck_assert(exists("src/gpu"));
	ck_assert(!exists("src/gpu/migration"));
	assert_no_tmp();
	remove_root();
}
END_TEST

START_TEST(test_apply_states)
{
	char *got;
	size_t len;

	make_root();
	apply_text("0 src a add\n");
	for (int s = 0; s < FSM_NR; s++) {
		char line[64], want[32];

		snprintf(line, sizeof(line), "0 src a %s\n", fsm_name(s));
		snprintf(want, sizeof(want), "%s\n", fsm_name(s));
		apply_text(line);
		assert_file("src/a/migration/state", want);
	}
	apply_text("0 src a raw \"\"\n");
	assert_file("src/a/migration/state", "");
	apply_text("0 src a raw \"Invalid\\n\"\n");
	assert_file("src/a/migration/state", "Invalid\n");
	apply_text("0 src a raw \"RUN\\x00\\xffNING\"\n");
	got = slurp("src/a/migration/state", &len);
	ck_assert_uint_eq(len, 9);
	ck_assert(!memcmp(got, "RUN\0\xffNING", 9));
	free(got);
	apply_text("0 src a raw-repeat 100000 \"STOP_COPY\"\n");
	got = slurp("src/a/migration/state", &len);
	ck_assert_uint_eq(len, 900000);
	ck_assert(!memcmp(got + 899991, "STOP_COPY", 9));
	free(got);
	apply_text("0 src a raw-repeat 0 x\n");
	assert_file("src/a/migration/state", "");
	assert_no_tmp();
	remove_root();
}
END_TEST

/* A reader holding the old file keeps reading the old content. */
START_TEST(test_apply_atomic)
{
	char path[8192], buf[32];
	struct stat a, b;
	ssize_t n;
	int fd;

	make_root();
	apply_text("0 src a add\n");
	snprintf(path, sizeof(path), "%s/src/a/migration/state", root);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	fstat(fd, &a);
	apply_text("0 src a STOP_COPY\n");
	n = pread(fd, buf, sizeof(buf), 0);
	ck_assert_int_eq(n, 8);
	ck_assert(!memcmp(buf, "RUNNING\n", 8));
	ck_assert_int_eq(stat(path, &b), 0);
	ck_assert(a.st_ino != b.st_ino);
	close(fd);
	assert_file("src/a/migration/state", "STOP_COPY\n");
	remove_root();
}
END_TEST

START_TEST(test_apply_remove_readd)
{
	make_root();
	apply_text("0 src a add\n0 src a STOP\n0 dst \"c\\x01\\nd\" add-nomig\n");
	ck_assert(exists("dst/c\x01\nd"));
	apply_text("0 src a remove\n0 dst \"c\\x01\\nd\" remove\n");
	ck_assert(!exists("src/a"));
	ck_assert(!exists("dst/c\x01\nd"));
	ck_assert(exists("src") && exists("dst"));
	apply_text("0 src a add\n");
	assert_file("src/a/migration/state", "RUNNING\n");
	assert_no_tmp();
	remove_root();
}
END_TEST

/* add on an existing device converges it in place. */
START_TEST(test_apply_converge)
{
	struct stat a, b;
	char path[8192];

	make_root();
	apply_text("0 src a add\n0 src a STOP_COPY\n");
	snprintf(path, sizeof(path), "%s/src/a", root);
	stat(path, &a);
	apply_text("0 src a add none\n");
	stat(path, &b);
	ck_assert(a.st_ino == b.st_ino);
	assert_file("src/a/migration/state", "RUNNING\n");
	ck_assert(!exists("src/a/migration/features"));
	apply_text("0 src a add p2p,stop-copy\n");
	assert_file("src/a/migration/features", "stop-copy\np2p\n");
	apply_text("0 src a add-nomig\n");
	ck_assert(exists("src/a"));
	ck_assert(!exists("src/a/migration"));
	apply_text("0 src a add\n");
	assert_file("src/a/migration/state", "RUNNING\n");
	assert_file("src/a/migration/features", "stop-copy\np2p\npre-copy\n");
	assert_no_tmp();
	remove_root();
}
END_TEST

START_TEST(test_apply_errors)
{
	struct sim_step st = { .side = SIM_NOSIDE, .action = SIM_ADD };

	make_root();
	ck_assert_int_eq(apply_fails("0 src a STOP\n"), -1);
	ck_assert_msg(strstr(err, "/src/a: no such device") != NULL, "%s", err);
	ck_assert_int_eq(apply_fails("0 src \"x\\ny\" remove\n"), -1);
	ck_assert_msg(strstr(err, "/src/\"x\\ny\": cannot remove: no such device") != NULL,
		      "%s", err);
	ck_assert_int_eq(apply_fails("0 src n add-nomig\n0 src n RUNNING\n"), -1);
	ck_assert_msg(strstr(err, "has no migration/ directory") != NULL, "%s", err);
	ck_assert_int_eq(apply_fails("0 src n raw x\n0 src zz raw x\n"), -1);
	ck_assert_int_eq(sim_apply(NULL, root, &st, err, sizeof(err)), -1);
	st.action = SIM_LOOP;
	ck_assert_int_eq(sim_apply(NULL, root, &st, err, sizeof(err)), 0);
	assert_no_tmp();
	remove_root();
	ck_assert_int_eq(apply_fails("0 src a add\n"), -1);
	ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);
}
END_TEST

/* ---- arc logs -------------------------------------------------------- */

#define MAXARCS 64

/* Parse ROOT/@rel (an arc log) with the monitor's parser; how many arcs.
 * Every line must be an arc; sequence numbers run from 1 and times rise. */
static int read_arcs(const char *rel, struct arcmatch_arc *a)
{
	char *text = slurp(rel, NULL), *line, *save = NULL;
	uint64_t lost = 0;
	int n = 0;

	ck_assert_msg(text != NULL, "%s missing", rel);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		ck_assert_int_lt(n, MAXARCS);
		ck_assert_msg(arcmatch_parse_line(line, strlen(line), &a[n],
						  &lost) == 1,
			      "%s: not an arc: %s", rel, line);
		ck_assert_uint_eq(a[n].seq, (uint64_t)n + 1);
		if (n)
			ck_assert_uint_gt(a[n].t_ns, a[n - 1].t_ns);
		n++;
	}
	free(text);
	return n;
}

/* The arcs expected, as "CUR NEXT TARGET RET" each. */
static void assert_arcs(const struct arcmatch_arc *a, int n,
			const char *const *want, int nwant)
{
	ck_assert_int_eq(n, nwant);
	for (int i = 0; i < n; i++) {
		char got[96];

		snprintf(got, sizeof(got), "%s %s %s %d",
			 fsm_name(a[i].cur),
			 a[i].next == DS_UNKNOWN ? "-" : fsm_name(a[i].next),
			 fsm_name(a[i].target), a[i].ret);
		ck_assert_str_eq(got, want[i]);
	}
}

static void arcs_world(bool arcs)
{
	world = sim_world_new(arcs);
	ck_assert_ptr_nonnull(world);
}

static void arcs_done(void)
{
	sim_world_free(world);
	world = NULL;
}

/* Requests walk the kernel's path, which chains from state to state;
 * resets and ERROR set by a driver take no arc; a failed step is an arc
 * without a change; a refused request an arc without a step. */
START_TEST(test_arcs_chain)
{
	static const char *const want_a[] = {
		"RUNNING PRE_COPY PRE_COPY 0",
		"PRE_COPY PRE_COPY_P2P STOP_COPY 0",
		"PRE_COPY_P2P STOP_COPY STOP_COPY 0",
		"STOP_COPY STOP RUNNING 0",
		"STOP RUNNING_P2P RUNNING 0",
		"RUNNING_P2P RUNNING RUNNING 0",
		"RUNNING RUNNING_P2P STOP 0",
		"RUNNING_P2P STOP STOP 0",
		"RUNNING PRE_COPY PRE_COPY 0",
		"ERROR - RUNNING -22",
	};
	static const char *const want_b[] = {
		"RUNNING - PRE_COPY -22",
		"RUNNING RUNNING_P2P RESUMING 0",
		"RUNNING_P2P STOP RESUMING 0",
		"STOP RESUMING RESUMING 0",
	};
	struct arcmatch_arc a[MAXARCS];
	int n;

	make_root();
	arcs_world(true);
	apply_text("0 src a add\n0 dst b add stop-copy,p2p\n");
	assert_file("src/a/migration/arcs", "");
	assert_file("dst/b/migration/arcs", "");
	/* The module's status file: active, nothing missed. */
	assert_file("src/vfiomig", "arcs 1\narcs_missed 0\narcs_ring 256\n");
	assert_file("dst/vfiomig", "arcs 1\narcs_missed 0\narcs_ring 256\n");
	apply_text("1 src a PRE_COPY\n2 src a STOP_COPY\n3 src a RUNNING\n");
	n = read_arcs("src/a/migration/arcs", a);
	ck_assert_int_eq(n, 6);
	for (int i = 1; i < n; i++)
		ck_assert_int_eq(a[i].cur, a[i - 1].next);
	ck_assert_int_eq(a[n - 1].next, DS_RUNNING);
	assert_file("src/a/migration/state", "RUNNING\n");
	apply_text("4 src a RUNNING\n");	/* already there: no step */
	apply_text("5 src a STOP\n6 src a reset\n");
	assert_file("src/a/migration/state", "RUNNING\n");
	apply_text("7 src a fail PRE_COPY\n");
	assert_file("src/a/migration/state", "RUNNING\n");
	apply_text("8 src a error\n");
	assert_file("src/a/migration/state", "ERROR\n");
	apply_text("9 src a RUNNING\n");	/* the kernel refuses */
	assert_file("src/a/migration/state", "ERROR\n");
	n = read_arcs("src/a/migration/arcs", a);
	assert_arcs(a, n, want_a, 10);
	/* A device without PRE_COPY cannot be asked for it. */
	apply_text("10 dst b PRE_COPY\n11 dst b RESUMING\n");
	assert_file("dst/b/migration/state", "RESUMING\n");
	n = read_arcs("dst/b/migration/arcs", a);
	assert_arcs(a, n, want_b, 4);
	assert_no_tmp();
	arcs_done();
	remove_root();
}
END_TEST

/* A fail and an error at the same time: the driver enters ERROR as it
 * fails the step; nothing is logged for the error. */
START_TEST(test_arcs_fail_error)
{
	static const char *const want[] = {
		"RUNNING RUNNING_P2P RESUMING 0",
		"RUNNING_P2P STOP RESUMING 0",
		"STOP RESUMING RESUMING 0",
		"RESUMING STOP RUNNING_P2P 0",
	};
	struct arcmatch_arc a[MAXARCS];

	make_root();
	arcs_world(true);
	apply_text("0 dst b add\n1 dst b RESUMING\n"
		   "2 dst b fail RUNNING_P2P\n2 dst b error\n");
	assert_file("dst/b/migration/state", "ERROR\n");
	assert_arcs(a, read_arcs("dst/b/migration/arcs", a), want, 4);
	arcs_done();
	remove_root();
}
END_TEST

/*
 * When arcs are timed: a request's ahead of its writing (its state is in
 * place by then); a failed step's when written; a change without an arc
 * only after every earlier arc's time.
 */
START_TEST(test_arcs_timing)
{
	struct arcmatch_arc a[MAXARCS];
	int64_t t0, t1;
	int n;

	make_root();
	arcs_world(true);
	apply_text("0 src a add\n");
	t0 = now_ns();
	apply_text("1 src a PRE_COPY\n");
	t1 = now_ns();
	n = read_arcs("src/a/migration/arcs", a);
	/* 20 ms after it was written, whatever the load. */
	ck_assert_int_ge((int64_t)a[n - 1].t_ns, t0 + 20 * MS);
	ck_assert_int_le((int64_t)a[n - 1].t_ns, t1 + 20 * MS);
	apply_text("2 src a reset\n");
	ck_assert_int_gt(now_ns(), (int64_t)a[n - 1].t_ns);
	t0 = now_ns();
	apply_text("3 src a fail STOP\n");
	t1 = now_ns();
	n = read_arcs("src/a/migration/arcs", a);
	ck_assert_int_ge((int64_t)a[n - 1].t_ns, t0);
	ck_assert_int_le((int64_t)a[n - 1].t_ns, t1);
	arcs_done();
	remove_root();
}
END_TEST

/* A request whose new state is in place only after its arcs' time is
 * counted late (a reader may have read the old state after the arc: the
 * module's blocking read never lets that happen); one in place before is
 * not. */
START_TEST(test_arcs_late)
{
	struct sim_arc arc = { FSM_PRE_COPY, FSM_PRE_COPY_P2P, FSM_PRE_COPY_P2P };
	struct arcmatch_arc a[MAXARCS];
	struct sim_scenario sc;
	struct sim_wdev *d;
	char path[8192], said[512] = "";
	uint64_t late;
	int64_t t1;
	int migfd, n;
	FILE *f;

	make_root();
	arcs_world(true);
	apply_text("0 src a add\n");
	apply_text("1 src a PRE_COPY\n");
	t1 = now_ns();
	n = read_arcs("src/a/migration/arcs", a);
	ck_assert_int_ge(n, 1);
	late = sim_world_late(world);
	/* In place before its arc's time, unless this test itself was not
	 * scheduled for 20 ms. */
	if (t1 < (int64_t)a[0].t_ns)
		ck_assert_uint_eq(late, 0);
	/* Arcs appended, and the state put in place after their time. */
	parse_ok("2 src a PRE_COPY_P2P\n", &sc);
	d = sim_world_find(world, &sc.steps[0]);
	ck_assert_ptr_nonnull(d);
	snprintf(path, sizeof(path), "%s/src/a/migration", root);
	migfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(migfd, 0);
	ck_assert_int_eq(sim_world_append(world, d, migfd, &arc, 1, true), 0);
	n = read_arcs("src/a/migration/arcs", a);
	while (now_ns() <= (int64_t)a[n - 1].t_ns)
		usleep(1000);
	sim_world_placed(world);
	ck_assert_uint_eq(sim_world_late(world), late + 1);
	close(migfd);
	/* What is said of them: nothing for none. */
	f = fmemopen(said, sizeof(said), "w");
	ck_assert_ptr_nonnull(f);
	sim_fprint_late(f, "who", 0);
	sim_fprint_late(f, "who", 2);
	fclose(f);
	ck_assert_str_eq(said, "who: 2 requests were put in place only after their arcs' time (a busy machine): a reader may have taken them as failed steps\n");
	sim_free(&sc);
	arcs_done();
	remove_root();
}
END_TEST

/* The inotify events of @fd: their masks or-ed. */
static uint32_t events(int fd)
{
	char buf[4096] __attribute__((aligned(8)));
	uint32_t mask = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			mask |= e->mask;
			p += sizeof(*e) + e->len;
		}
	return mask;
}

/* Apply @text with a watch on the state file as it is now; the events. */
static uint32_t watched(int in, const char *text)
{
	char path[8192];
	int wd;
	uint32_t m;

	snprintf(path, sizeof(path), "%s/src/a/migration/state", root);
	wd = inotify_add_watch(in, path, IN_ATTRIB | IN_MODIFY);
	ck_assert_int_ge(wd, 0);
	apply_text(text);
	m = events(in);
	inotify_rm_watch(in, wd);
	events(in);
	return m;
}

/* The module's change notification: IN_MODIFY on the state file readers
 * watch when a step is logged; and on every replacement (a reset too), so
 * that a reader's watch moves to the new file at once. */
START_TEST(test_arcs_notify)
{
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	uint32_t m;

	ck_assert_int_ge(in, 0);
	make_root();
	arcs_world(true);
	apply_text("0 src a add\n");
	m = watched(in, "1 src a PRE_COPY\n");
	ck_assert(m & IN_MODIFY);
	ck_assert(m & IN_ATTRIB);		/* replaced */
	m = watched(in, "2 src a fail STOP\n");
	ck_assert(m & IN_MODIFY);
	ck_assert(!(m & IN_ATTRIB));		/* the same file */
	assert_file("src/a/migration/state", "PRE_COPY\n");
	m = watched(in, "3 src a reset\n");
	ck_assert(m & IN_MODIFY);
	ck_assert(m & IN_ATTRIB);
	m = watched(in, "4 src a add\n");	/* a loop restarting */
	ck_assert(m & IN_MODIFY);
	arcs_done();
	/* Without arcs, no notification. */
	m = watched(in, "5 src a STOP\n");
	ck_assert(!(m & IN_MODIFY));
	m = watched(in, "6 src a reset\n");
	ck_assert(!(m & IN_MODIFY));
	close(in);
	remove_root();
}
END_TEST

/* The log is only ever appended to: an add of an existing device (a loop
 * restarting) keeps it and its numbering, a replay that finds it goes on
 * from its end, a removed device's new log starts afresh. */
START_TEST(test_arcs_kept)
{
	struct arcmatch_arc a[MAXARCS];
	char path[8192];
	struct stat x, y;

	make_root();
	arcs_world(true);
	apply_text("0 src a add\n1 src a STOP\n");
	snprintf(path, sizeof(path), "%s/src/a/migration/arcs", root);
	ck_assert_int_eq(stat(path, &x), 0);
	apply_text("2 src a add\n3 src a PRE_COPY\n");
	ck_assert_int_eq(stat(path, &y), 0);
	ck_assert(x.st_ino == y.st_ino);
	ck_assert_int_eq(read_arcs("src/a/migration/arcs", a), 3);
	ck_assert_int_eq(a[2].cur, DS_RUNNING);
	arcs_done();
	arcs_world(true);		/* another replay, same tree */
	apply_text("0 src a add\n1 src a STOP\n");
	ck_assert_int_eq(read_arcs("src/a/migration/arcs", a), 5);
	apply_text("2 src a remove\n3 src a add\n4 src a STOP\n");
	ck_assert_int_eq(read_arcs("src/a/migration/arcs", a), 2);
	apply_text("5 src a add-nomig\n6 src a add\n");
	assert_file("src/a/migration/arcs", "");
	arcs_done();
	remove_root();
}
END_TEST

/* Without arcs, nothing changes: no log; a failed step shows nothing; a
 * request is written whatever the kernel would say. */
START_TEST(test_arcs_off)
{
	for (int w = 0; w < 2; w++) {
		make_root();
		if (w)
			arcs_world(false);
		apply_text("0 src a add\n1 src a fail STOP\n");
		assert_file("src/a/migration/state", "RUNNING\n");
		apply_text("2 src a error\n");
		assert_file("src/a/migration/state", "ERROR\n");
		apply_text("3 src a RUNNING\n");
		assert_file("src/a/migration/state", "RUNNING\n");
		apply_text("4 src a fail STOP\n4 src a error\n5 src a reset\n");
		assert_file("src/a/migration/state", "RUNNING\n");
		ck_assert(!exists("src/a/migration/arcs"));
		ck_assert(!exists("src/vfiomig"));
		arcs_done();
		remove_root();
	}
}
END_TEST

/* The demo replayed with arc logs: every log parses, no request is
 * refused, every device ends RUNNING. */
START_TEST(test_arcs_demo)
{
	struct arcmatch_arc a[MAXARCS];
	struct sim_scenario sc;
	int total = 0;

	make_root();
	arcs_world(true);
	ck_assert_int_eq(sim_parse(sim_demo_scenario, strlen(sim_demo_scenario),
				   "<demo>", &sc, err, sizeof(err)), 0);
	for (size_t i = 0; i < sc.n; i++)
		ck_assert_msg(sim_apply(world, root, &sc.steps[i], err,
					sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < sc.n; i++) {
		const struct sim_step *st = &sc.steps[i];
		char rel[512];
		int n;

		if (st->action != SIM_ADD || st->time_ns)
			continue;
		snprintf(rel, sizeof(rel), "%s/%s/migration/arcs",
			 st->side == SIM_SRC ? "src" : "dst", st->dev);
		n = read_arcs(rel, a);
		for (int k = 0; k < n; k++)
			ck_assert_msg(a[k].ret == 0, "%s: arc %d refused", rel, k + 1);
		total += n;
		snprintf(rel, sizeof(rel), "%s/%s/migration/state",
			 st->side == SIM_SRC ? "src" : "dst", st->dev);
		assert_file(rel, "RUNNING\n");
	}
	ck_assert_int_gt(total, 50);
	sim_free(&sc);
	arcs_done();
	remove_root();
}
END_TEST

START_TEST(test_remove_tree_symlink)
{
	char outside[4096], path[8192];

	make_root();
	snprintf(outside, sizeof(outside), "%s", root);
	make_root();
	snprintf(path, sizeof(path), "%s/keep", outside);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof(path), "%s/link", root);
	ck_assert_int_eq(symlink(outside, path), 0);
	remove_root();
	snprintf(path, sizeof(path), "%s/keep", outside);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(sim_remove_tree(outside), 0);
	ck_assert_int_eq(sim_remove_tree("/nonexistent/vfiomigtop-x"), 0);
}
END_TEST

START_TEST(test_tmproot_tmpdir)
{
	char buf[16];

	setenv("TMPDIR", "/definitely/not/here", 1);
	ck_assert_int_eq(sim_make_tmproot(root, sizeof(root)), -ENOENT);
	unsetenv("TMPDIR");
	ck_assert_int_eq(sim_make_tmproot(buf, sizeof(buf)), -ENAMETOOLONG);
}
END_TEST

/* ---- replay ----------------------------------------------------------- */

static struct sim_runner *start(const char *text, bool loop, double speed)
{
	struct sim_opts o = { .loop = loop, .speed = speed };
	struct sim_scenario sc;
	struct sim_runner *r;
	int rc;

	parse_ok(text, &sc);
	rc = sim_start(&r, &sc, root, &o, err, sizeof(err));
	sim_free(&sc);	/* the runner keeps its own copy */
	ck_assert_msg(rc == 0, "%s", err);
	return r;
}

/* Wait for the end of the replay, at most @ms; true if it ended. */
static bool wait_done(struct sim_runner *r, int ms)
{
	struct pollfd p = { .fd = sim_done_fd(r), .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return false;
	return sim_finished(r);
}

START_TEST(test_run_timing)
{
	struct sim_runner *r;
	int64_t t0 = now_ns(), dt;

	make_root();
	r = start("0 src a add\n0.2 src a STOP\n", false, 1.0);
	ck_assert(exists("src") && exists("dst"));
	/* Never early; late only by what a busy machine adds. */
	ck_assert(wait_done(r, 20000));
	dt = now_ns() - t0;
	ck_assert_int_ge(dt, 195 * MS);
	ck_assert_int_lt(dt, 10000 * MS);
	ck_assert_int_eq(sim_error(r, err, sizeof(err)), 0);
	sim_stop(r);
	assert_file("src/a/migration/state", "STOP\n");
	remove_root();
}
END_TEST

START_TEST(test_run_speed)
{
	struct sim_runner *r;
	int64_t t0 = now_ns(), dt;

	make_root();
	/* 200 s of scenario at 1000x: 0.2 s, far from 200 s unscaled. */
	r = start("0 src a add\n100 src a PRE_COPY\n200 src a STOP_COPY\n", false, 1000);
	ck_assert(wait_done(r, 20000));
	dt = now_ns() - t0;
	ck_assert_int_ge(dt, 195 * MS);
	ck_assert_int_lt(dt, 10000 * MS);
	sim_stop(r);
	assert_file("src/a/migration/state", "STOP_COPY\n");
	remove_root();
}
END_TEST

START_TEST(test_run_stop_prompt)
{
	struct sim_runner *r;
	int64_t t0;

	make_root();
	r = start("0 src a add\n10 src a STOP\n", false, 1.0);
	for (int i = 0; i < 1000 && !exists("src/a/migration/state"); i++)
		usleep(1000);
	usleep(10000);
	ck_assert(!sim_finished(r));
	/* Not waiting for the next step, 10 s away. */
	t0 = now_ns();
	sim_stop(r);
	ck_assert_int_lt(now_ns() - t0, 5000 * MS);
	assert_file("src/a/migration/state", "RUNNING\n");
	/* Stopping right after the start is prompt too (the step is at 5 s). */
	r = start("5 src b add\n", false, 1.0);
	t0 = now_ns();
	sim_stop(r);
	ck_assert_int_lt(now_ns() - t0, 2500 * MS);
	sim_stop(NULL);
	remove_root();
}
END_TEST

START_TEST(test_run_loop)
{
	struct sim_runner *r;
	int64_t t0;

	make_root();
	r = start("0 src a add\n0.01 src a STOP\n0.02 src a RUNNING\n"
		  "0.03 - - loop\n", true, 1.0);
	usleep(200000);
	ck_assert(!sim_finished(r));
	t0 = now_ns();
	sim_stop(r);
	ck_assert_int_lt(now_ns() - t0, 5000 * MS);
	/* Without --loop the loop step just ends the replay. */
	r = start("0 src a add\n0.01 src a STOP\n0.02 - - loop\n", false, 1.0);
	ck_assert(wait_done(r, 20000));
	sim_stop(r);
	/* Looping without a loop step restarts after the last step. */
	r = start("0 src a add\n0.02 src a STOP\n", true, 1.0);
	usleep(100000);
	ck_assert(!sim_finished(r));
	sim_stop(r);
	assert_no_tmp();
	remove_root();
}
END_TEST

START_TEST(test_run_errors)
{
	struct sim_opts o = { .speed = 0 };
	struct sim_scenario sc;
	struct sim_runner *r;

	make_root();
	r = start("0 src a STOP\n", false, 1.0);
	ck_assert(wait_done(r, 20000));
	ck_assert_int_eq(sim_error(r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "src/a: no such device") != NULL, "%s", err);
	sim_stop(r);
	parse_ok("0 src a add\n", &sc);
	ck_assert_int_eq(sim_start(&r, &sc, root, &o, err, sizeof(err)), -1);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(err, "bad speed"));
	o.speed = 1;
	o.loop = true;
	ck_assert_int_eq(sim_start(&r, &sc, root, &o, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "zero length"));
	o.loop = false;
	ck_assert_int_eq(sim_start(&r, &sc, "/nonexistent/x", &o, err,
				   sizeof(err)), -1);
	sim_free(&sc);
	remove_root();
}
END_TEST

/* prime: the steps of time 0 are applied when sim_start() returns (the
 * next step is 10 s away); arcs: the replay writes arc logs. */
START_TEST(test_run_prime)
{
	struct sim_opts o = { .speed = 1, .prime = true, .arcs = true };
	struct sim_scenario sc;
	struct sim_runner *r;
	char *log;

	make_root();
	parse_ok("0 src a add\n0 src a STOP\n0 dst b add-nomig\n"
		 "10 src a RUNNING\n", &sc);
	ck_assert_int_eq(sim_start(&r, &sc, root, &o, err, sizeof(err)), 0);
	assert_file("src/a/migration/state", "STOP\n");
	ck_assert(exists("dst/b"));
	log = slurp("src/a/migration/arcs", NULL);
	ck_assert_ptr_nonnull(log);
	ck_assert_ptr_nonnull(strstr(log, " RUNNING RUNNING_P2P STOP 0\n"));
	free(log);
	sim_stop(r);
	/* A time-0 step that fails fails the start. */
	sim_free(&sc);
	parse_ok("0 src zz STOP\n1 src a add\n", &sc);
	ck_assert_int_eq(sim_start(&r, &sc, root, &o, err, sizeof(err)), -1);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, "src/zz: no such device") != NULL, "%s", err);
	sim_free(&sc);
	remove_root();
}
END_TEST

/* The whole demo replays without an error (at 1000x, twice through). */
START_TEST(test_run_demo)
{
	struct sim_opts o = { .loop = true, .speed = 1000, .arcs = true };
	struct sim_scenario sc;
	struct sim_runner *r;

	make_root();
	ck_assert_int_eq(sim_parse(sim_demo_scenario, strlen(sim_demo_scenario),
				   "<demo>", &sc, err, sizeof(err)), 0);
	ck_assert_int_eq(sim_start(&r, &sc, root, &o, err, sizeof(err)), 0);
	usleep(200000);
	ck_assert_msg(!sim_finished(r), "demo failed");
	sim_stop(r);
	o.loop = false;
	ck_assert_int_eq(sim_start(&r, &sc, root, &o, err, sizeof(err)), 0);
	ck_assert(wait_done(r, 60000));
	ck_assert_msg(sim_error(r, err, sizeof(err)) == 0, "%s", err);
	sim_stop(r);
	assert_file("src/0000:3b:00.2/migration/state", "RUNNING\n");
	ck_assert(exists("dst/0000:17:00.0"));
	assert_no_tmp();
	sim_free(&sc);
	remove_root();
}
END_TEST

static const char *const examples[] = {
	"demo.scn", "migrations.scn", "hostile.scn", "hotplug.scn",
};

/* Every example scenario parses and replays (fast) without an error. */
START_TEST(test_run_examples)
{
	struct sim_opts o = { .speed = 500 };
	struct sim_scenario sc;
	struct sim_runner *r;
	char path[4096], *text;
	FILE *f = open_scenario(examples[_i], path, sizeof(path));
	size_t len;

	if (!f)
		return;
	text = read_stream(f, &len);
	ck_assert_msg(sim_parse(text, len, path, &sc, err, sizeof(err)) == 0,
		      "%s", err);
	free(text);
	make_root();
	ck_assert_int_eq(sim_start(&r, &sc, root, &o, err, sizeof(err)), 0);
	ck_assert(wait_done(r, 30000));
	ck_assert_msg(sim_error(r, err, sizeof(err)) == 0, "%s", err);
	sim_stop(r);
	assert_no_tmp();
	sim_free(&sc);
	remove_root();
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tp = tcase_create("parse");
	TCase *tm = tcase_create("migrate");
	TCase *td = tcase_create("demo");
	TCase *ta = tcase_create("apply");
	TCase *tr = tcase_create("run");

	tcase_add_test(tp, test_parse_actions);
	tcase_add_test(tp, test_parse_states);
	tcase_add_test(tp, test_parse_times);
	tcase_add_test(tp, test_parse_escapes);
	tcase_add_loop_test(tp, test_parse_errors, 0,
			    sizeof(bad_cases) / sizeof(*bad_cases));
	tcase_add_test(tp, test_parse_err_small_buffer);
	tcase_add_test(tp, test_parse_long_name);
	tcase_add_test(tp, test_parse_empty);
	tcase_add_test(tp, test_print_roundtrip);
	tcase_add_loop_test(tm, test_migrate_variants, 0,
			    sizeof(variants) / sizeof(*variants));
	tcase_add_test(tm, test_migrate_source_arcs);
	tcase_add_loop_test(tm, test_migrate_endings, 0,
			    sizeof(endings) / sizeof(*endings));
	tcase_add_test(tm, test_fail_error_folded);
	tcase_add_test(tm, test_truth);
	tcase_add_test(tm, test_migrate_times);
	tcase_add_test(td, test_demo_variety);
	tcase_add_test(td, test_demo_matches_file);
	tcase_add_test(ta, test_apply_add);
	tcase_add_test(ta, test_apply_states);
	tcase_add_test(ta, test_apply_atomic);
	tcase_add_test(ta, test_apply_remove_readd);
	tcase_add_test(ta, test_apply_converge);
	tcase_add_test(ta, test_apply_errors);
	tcase_add_test(ta, test_arcs_chain);
	tcase_add_test(ta, test_arcs_fail_error);
	tcase_add_test(ta, test_arcs_timing);
	tcase_add_test(ta, test_arcs_late);
	tcase_add_test(ta, test_arcs_notify);
	tcase_add_test(ta, test_arcs_kept);
	tcase_add_test(ta, test_arcs_off);
	tcase_add_test(ta, test_arcs_demo);
	tcase_add_test(ta, test_remove_tree_symlink);
	tcase_add_test(ta, test_tmproot_tmpdir);
	tcase_add_test(tr, test_run_timing);
	tcase_add_test(tr, test_run_speed);
	tcase_add_test(tr, test_run_stop_prompt);
	tcase_add_test(tr, test_run_loop);
	tcase_add_test(tr, test_run_errors);
	tcase_add_test(tr, test_run_prime);
	tcase_add_test(tr, test_run_demo);
	tcase_add_loop_test(tr, test_run_examples, 0,
			    sizeof(examples) / sizeof(*examples));
	tcase_set_timeout(tr, 20);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, tm);
	suite_add_tcase(s, td);
	suite_add_tcase(s, ta);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sim_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
