// SPDX-License-Identifier: GPL-2.0-or-later
/* test_clock.c - time parsing and formatting */
#include <string.h>
#include <errno.h>

#include <time.h>

#include "testutil.h"

START_TEST(test_parse_secs)
{
	uint64_t ns = 7;

	ck_assert_int_eq(clock_parse_secs("0.01", 0.01, 3600, &ns), 0);
	ck_assert_uint_eq(ns, 10 * CLOCK_NS_PER_MS);
	ck_assert_int_eq(clock_parse_secs("1", 0.01, 3600, &ns), 0);
	ck_assert_uint_eq(ns, CLOCK_NS_PER_S);
	ck_assert_int_eq(clock_parse_secs("2.5", 0.01, 3600, &ns), 0);
	ck_assert_uint_eq(ns, 2500 * CLOCK_NS_PER_MS);
	ck_assert_int_eq(clock_parse_secs("0.001", 0.01, 3600, &ns), -ERANGE);
	ck_assert_int_eq(clock_parse_secs("0", 0.01, 3600, &ns), -ERANGE);
	ck_assert_int_eq(clock_parse_secs("-1", 0.01, 3600, &ns), -ERANGE);
	ck_assert_int_eq(clock_parse_secs("3601", 0.01, 3600, &ns), -ERANGE);
	ck_assert_int_eq(clock_parse_secs("", 0.01, 3600, &ns), -EINVAL);
	ck_assert_int_eq(clock_parse_secs("1s", 0.01, 3600, &ns), -EINVAL);
	ck_assert_int_eq(clock_parse_secs("nan", 0.01, 3600, &ns), -EINVAL);
	ck_assert_int_eq(clock_parse_secs("inf", 0.01, 3600, &ns), -EINVAL);
	ck_assert_int_eq(clock_parse_secs("1e999", 0.01, 3600, &ns), -EINVAL);
	ck_assert_int_eq(clock_parse_secs(NULL, 0.01, 3600, &ns), -EINVAL);
}
END_TEST

START_TEST(test_fmt_iso)
{
	char b[64];

	clock_fmt_iso(b, sizeof(b), 0);
	ck_assert_str_eq(b, "1970-01-01T00:00:00.000Z");
	clock_fmt_iso(b, sizeof(b), 1764031926123456789ll);
	ck_assert_str_eq(b, "2025-11-25T00:52:06.123Z");
	clock_fmt_iso(b, sizeof(b), -1000000ll);
	ck_assert_str_eq(b, "1969-12-31T23:59:59.999Z");
	clock_fmt_hms(b, sizeof(b), 1764031926123456789ll, 0);
	ck_assert_str_eq(b, "00:52:06.123");
}
END_TEST

/* Date, time and zone: UTC says so, local time names its zone. */
START_TEST(test_fmt_stamp)
{
	char b[64];
	int64_t t = 1764636726123LL * 1000000;	/* 2025-12-02T00:52:06.123Z */

	clock_fmt_stamp(b, sizeof(b), t, 0, 0);
	ck_assert_str_eq(b, "2025-12-02 00:52:06 UTC");
	clock_fmt_stamp(b, sizeof(b), t, 0, 1);
	ck_assert_str_eq(b, "2025-12-02 00:52:06.123 UTC");
	setenv("TZ", "CET-1", 1);
	tzset();
	clock_fmt_stamp(b, sizeof(b), t, 1, 0);
	ck_assert_str_eq(b, "2025-12-02 01:52:06 CET");
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(test_fmt_dur)
{
	char b[32];

	clock_fmt_dur(b, sizeof(b), 840 * CLOCK_NS_PER_MS);
	ck_assert_str_eq(b, "840 ms");
	clock_fmt_dur(b, sizeof(b), 1234 * CLOCK_NS_PER_MS);
	ck_assert_str_eq(b, "1.2 s");
	clock_fmt_dur(b, sizeof(b), 30 * CLOCK_NS_PER_S);
	ck_assert_str_eq(b, "30 s");
	clock_fmt_dur(b, sizeof(b), 185 * CLOCK_NS_PER_S);
	ck_assert_str_eq(b, "3m05s");
	clock_fmt_dur(b, sizeof(b), 7620 * CLOCK_NS_PER_S);
	ck_assert_str_eq(b, "2h07m");
}
END_TEST

/* Durations around every unit boundary and spread over 30 days. */
static uint64_t dur_case(unsigned int k)
{
	static const uint64_t edge[] = {
		CLOCK_NS_PER_MS, 100 * CLOCK_NS_PER_MS, CLOCK_NS_PER_S,
		10 * CLOCK_NS_PER_S, 60 * CLOCK_NS_PER_S, 3600 * CLOCK_NS_PER_S,
		86400 * CLOCK_NS_PER_S,
	};
	uint64_t x = (uint64_t)k * 0x9e3779b97f4a7c15ull;

	if (k % 3 == 0) {
		uint64_t e = edge[k / 3 % 7] * (1 + k / 21 % 5);

		return e + (k / 105 % 3) - 1;	/* e - 1, e, e + 1 */
	}
	return (x >> 11) % (30 * 86400 * CLOCK_NS_PER_S >> (k % 40));
}

/* The text holds until clock_dur_next() says, and changes then. */
START_TEST(test_dur_next)
{
	char a[32], b[32], c[32];

	for (unsigned int k = 0; k < 20000; k++) {
		uint64_t ns = dur_case(k), nx = clock_dur_next(ns);

		ck_assert_uint_gt(nx, 0);
		clock_fmt_dur(a, sizeof(a), ns);
		clock_fmt_dur(b, sizeof(b), ns + nx - 1);
		clock_fmt_dur(c, sizeof(c), ns + nx);
		ck_assert_msg(!strcmp(a, b), "%llu: %s then %s before %llu",
			      (unsigned long long)ns, a, b,
			      (unsigned long long)nx);
		ck_assert_msg(strcmp(a, c), "%llu: still %s after %llu",
			      (unsigned long long)ns, a,
			      (unsigned long long)nx);
	}
}
END_TEST

/* The earlier of two times, 0 meaning never. */
START_TEST(test_earlier)
{
	ck_assert_uint_eq(clock_earlier(0, 0), 0);
	ck_assert_uint_eq(clock_earlier(0, 5), 5);
	ck_assert_uint_eq(clock_earlier(5, 0), 5);
	ck_assert_uint_eq(clock_earlier(3, 5), 3);
	ck_assert_uint_eq(clock_earlier(5, 3), 3);
}
END_TEST

START_TEST(test_mono_and_offset)
{
	uint64_t a = clock_mono_ns(), b = clock_mono_ns();
	int64_t off = clock_real_minus_mono_ns();

	ck_assert_uint_ge(b, a);
	/* realtime is decades after boot time */
	ck_assert_int_gt(off, 1000000000ll * 3600 * 24 * 365 * 30);
}
END_TEST

TU_MAIN("clock", test_parse_secs, test_fmt_iso, test_fmt_stamp, test_fmt_dur,
	test_dur_next, test_earlier, test_mono_and_offset)
