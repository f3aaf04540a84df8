// SPDX-License-Identifier: GPL-2.0-or-later
/* test_clock.c - time parsing and formatting */
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
	test_mono_and_offset)
