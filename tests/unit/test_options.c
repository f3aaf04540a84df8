// SPDX-License-Identifier: GPL-2.0-or-later
/* test_options.c - command-line parsing and validation */
#include "testutil.h"
#include "options.h"

static int parse(struct options *o, char *err, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"vfiomigtop";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return options_parse(argc, argv, o, err, 256);
}

#define PARSE_OK(...) do { \
		ck_assert_int_eq(parse(&o, err, (const char *const[]){ __VA_ARGS__, NULL }), 0); \
	} while (0)
#define PARSE_BAD(want, ...) do { \
		ck_assert_int_ne(parse(&o, err, (const char *const[]){ __VA_ARGS__, NULL }), 0); \
		ck_assert_msg(strstr(err, want), "'%s' lacks '%s'", err, want); \
		options_free(&o); \
	} while (0)

START_TEST(test_defaults)
{
	struct options o;
	char err[256];

	unsetenv("NO_COLOR");
	ck_assert_int_eq(parse(&o, err, (const char *const[]){ NULL }), 0);
	ck_assert_uint_eq(o.delay_ns, CLOCK_NS_PER_S);
	ck_assert(!o.batch);
	ck_assert(!o.no_color);
	ck_assert_ptr_null(o.src);
	ck_assert_uint_eq(o.stuck_ns, 30 * CLOCK_NS_PER_S);
	options_free(&o);
}
END_TEST

START_TEST(test_batch_options)
{
	struct options o;
	char err[256];

	PARSE_OK("-b", "-n", "3", "-d", "0.01", "--json", "--src", "/x",
		 "--dst", "/y", "--pair", "a=b", "--pair", "c=d");
	ck_assert(o.batch);
	ck_assert_int_eq(o.iterations, 3);
	ck_assert_uint_eq(o.delay_ns, 10 * CLOCK_NS_PER_MS);
	ck_assert_int_eq(o.format, OPT_FMT_JSON);
	ck_assert_str_eq(o.src, "/x");
	ck_assert_str_eq(o.dst, "/y");
	ck_assert_uint_eq(o.npairs, 2);
	ck_assert_str_eq(o.pairs[1].src, "c");
	ck_assert_str_eq(o.pairs[1].dst, "d");
	options_free(&o);
	PARSE_OK("-b", "--events", "--demo");
	ck_assert_int_eq(o.format, OPT_FMT_EVENTS);
	ck_assert(o.demo);
	ck_assert_ptr_null(o.scenario);
	options_free(&o);
	PARSE_OK("--demo=x.scn", "--demo-speed", "4");
	ck_assert_str_eq(o.scenario, "x.scn");
	ck_assert(o.speed > 3.99 && o.speed < 4.01);
	options_free(&o);
}
END_TEST

START_TEST(test_rejections)
{
	struct options o;
	char err[256];

	PARSE_BAD("out of range", "-d", "0.001");
	PARSE_BAD("out of range", "-d", "0");
	PARSE_BAD("not a number", "-d", "fast");
	PARSE_BAD("not a number", "-d", "1s");
	PARSE_BAD("positive whole number", "-b", "-n", "0");
	PARSE_BAD("positive whole number", "-b", "-n", "2x");
	PARSE_BAD("add -b", "-n", "2");
	PARSE_BAD("add -b", "--json");
	PARSE_BAD("exclude each other", "-b", "--json", "--events");
	PARSE_BAD("expected SRC=DST", "--pair", "ab");
	PARSE_BAD("expected SRC=DST", "--pair", "=b");
	PARSE_BAD("expected SRC=DST", "--pair", "a=");
	PARSE_BAD("already paired", "--pair", "a=b", "--pair", "a=c");
	PARSE_BAD("unknown option", "--frobnicate");
	PARSE_BAD("unknown option", "-Z");
	PARSE_BAD("needs an argument", "--src");
	PARSE_BAD("unexpected argument", "extra");
	PARSE_BAD("drop --src", "--demo", "--src", "/x");
	PARSE_BAD("empty SOURCE", "--src", "");
}
END_TEST

START_TEST(test_no_color_env)
{
	struct options o;
	char err[256];

	setenv("NO_COLOR", "1", 1);
	ck_assert_int_eq(parse(&o, err, (const char *const[]){ NULL }), 0);
	ck_assert(o.no_color);
	options_free(&o);
	setenv("NO_COLOR", "", 1);
	ck_assert_int_eq(parse(&o, err, (const char *const[]){ NULL }), 0);
	ck_assert(!o.no_color);
	options_free(&o);
	unsetenv("NO_COLOR");
	PARSE_OK("-C");
	ck_assert(o.no_color);
	options_free(&o);
}
END_TEST

/* --color picks the scheme, wins over NO_COLOR, and a bad value only
 * warns; --utc and --no-config are kept. */
START_TEST(test_color_utc)
{
	struct options o;
	char err[256];

	setenv("NO_COLOR", "1", 1);
	PARSE_OK("--color=light", "--utc", "--no-config");
	ck_assert_int_eq(o.color, OPT_COLOR_LIGHT);
	ck_assert(!o.no_color);
	ck_assert(o.color_set);
	ck_assert(o.utc);
	ck_assert(o.no_config);
	ck_assert_str_eq(o.warn, "");
	options_free(&o);
	unsetenv("NO_COLOR");
	PARSE_OK("--color", "none");
	ck_assert_int_eq(o.color, OPT_COLOR_NONE);
	ck_assert(o.no_color);
	options_free(&o);
	PARSE_OK("--colour=dark");
	ck_assert_int_eq(o.color, OPT_COLOR_DARK);
	options_free(&o);
	PARSE_OK("-C");
	ck_assert_int_eq(o.color, OPT_COLOR_NONE);
	ck_assert(o.no_color);
	options_free(&o);
	PARSE_OK("--color=purple");
	ck_assert_int_eq(o.color, OPT_COLOR_AUTO);
	ck_assert(!o.no_color);
	ck_assert_ptr_nonnull(strstr(o.warn, "--color 'purple'"));
	ck_assert_ptr_nonnull(strstr(o.warn, "auto, light, dark or none"));
	options_free(&o);
	PARSE_OK("-d", "2");
	ck_assert_int_eq(o.color, OPT_COLOR_AUTO);
	ck_assert(!o.utc);
	ck_assert(!o.no_config);
	options_free(&o);
}
END_TEST

TU_MAIN("options", test_defaults, test_batch_options, test_rejections,
	test_no_color_env, test_color_utc)
