// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * when.c - parse a time as an operator types it, into CLOCK_REALTIME ns:
 *
 *   2026-12-02 03:14[:15[.250]]   local time (also with a T between)
 *   2026-12-02T03:14:15Z          UTC (a trailing Z)
 *   03:14[:15[.250]]              on the day of the reference, local time
 *   202612020314, 0314            atop's forms: [YYYYMMDD]hhmm
 *   +90, +1.5                     seconds after the start reference
 *   @1796183655                   seconds since 1970
 *
 * Pure apart from the time zone (TZ), which the tests set.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "when.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* @n (at most 4) digits at @s as a number; -1 if not all digits. */
static int when_num(const char *s, size_t n)
{
	int v = 0;

	if (n > 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "SS[.fff]" at @s (to the end): seconds and nanoseconds. */
static int when_secs(const char *s, int *sec, long *ns)
{
	size_t n = strlen(s);
	const char *dot = strchr(s, '.');
	size_t ip = dot ? (size_t)(dot - s) : n;
	long frac = 0, scale = 100000000;

	if (ip != 2 || (*sec = when_num(s, 2)) < 0 || *sec > 60)
		return -EINVAL;
	if (dot) {
		if (!dot[1])
			return -EINVAL;
		for (const char *p = dot + 1; *p; p++) {
			if (!isdigit((unsigned char)*p) || !scale)
				return -EINVAL;
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	*ns = frac;
	return 0;
}

/* "HH:MM[:SS[.fff]]" into @tm's time fields and @ns. */
static int when_hms(const char *s, struct tm *tm, long *ns)
{
	size_t n = strlen(s);
	int sec = 0;

	*ns = 0;
	if (n < 5 || s[2] != ':')
		return -EINVAL;
	tm->tm_hour = when_num(s, 2);
	tm->tm_min = when_num(s + 3, 2);
	if (tm->tm_hour < 0 || tm->tm_hour > 23 || tm->tm_min < 0 ||
	    tm->tm_min > 59)
		return -EINVAL;
	if (n == 5) {
		tm->tm_sec = 0;
		return 0;
	}
	if (s[5] != ':' || when_secs(s + 6, &sec, ns))
		return -EINVAL;
	tm->tm_sec = sec;
	return 0;
}

/* "YYYY-MM-DD" into @tm's date fields. */
static int when_date(const char *s, struct tm *tm)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	tm->tm_year = when_num(s, 4) - 1900;
	tm->tm_mon = when_num(s + 5, 2) - 1;
	tm->tm_mday = when_num(s + 8, 2);
	if (tm->tm_year < 70 || tm->tm_mon < 0 || tm->tm_mon > 11 ||
	    tm->tm_mday < 1 || tm->tm_mday > 31)
		return -EINVAL;
	return 0;
}

static int when_make(struct tm *tm, long ns, bool utc, int64_t *out)
{
	time_t t;

	tm->tm_isdst = -1;
	t = utc ? timegm(tm) : mktime(tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (int64_t)t * (int64_t)CLOCK_NS_PER_S + ns;
	return 0;
}

/* The local date of @ref into @tm. */
static void when_day(int64_t ref, struct tm *tm, bool utc)
{
	time_t t = (time_t)(ref / (int64_t)CLOCK_NS_PER_S);

	if (utc)
		gmtime_r(&t, tm);
	else
		localtime_r(&t, tm);
}

/*
 * Parse @s.  A time of day alone is on the date of @day_ref; "+SECS"
 * counts from @rel_ref (both CLOCK_REALTIME ns).  Returns 0 or -EINVAL.
 */
int when_parse(const char *s, int64_t day_ref, int64_t rel_ref, int64_t *out)
{
	char buf[64], *sp;
	struct tm tm;
	size_t n = strlen(s);
	bool utc = false;
	long ns = 0;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	if (s[0] == '+' || s[0] == '@') {
		uint64_t v;

		if (clock_parse_secs(s + 1, 0, 1e10, &v))
			return -EINVAL;
		*out = s[0] == '+' ? rel_ref + (int64_t)v : (int64_t)v;
		return 0;
	}
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == 'Z') {
		utc = true;
		buf[--n] = 0;
	}
	memset(&tm, 0, sizeof(tm));
	if (n == 12 || n == 4) {	/* atop: [YYYYMMDD]hhmm */
		for (size_t i = 0; i < n; i++)
			if (!isdigit((unsigned char)buf[i]))
				return -EINVAL;
		when_day(day_ref, &tm, utc);
		if (n == 12) {
			tm.tm_year = when_num(buf, 4) - 1900;
			tm.tm_mon = when_num(buf + 4, 2) - 1;
			tm.tm_mday = when_num(buf + 6, 2);
		}
		tm.tm_hour = when_num(buf + n - 4, 2);
		tm.tm_min = when_num(buf + n - 2, 2);
		tm.tm_sec = 0;
		if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_mon < 0 ||
		    tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
			return -EINVAL;
		return when_make(&tm, 0, utc, out);
	}
	sp = strpbrk(buf, " T");
	if (sp) {
		*sp = 0;
		if (when_date(buf, &tm) || when_hms(sp + 1, &tm, &ns))
			return -EINVAL;
		return when_make(&tm, ns, utc, out);
	}
	if (strchr(buf, '-')) {
		if (when_date(buf, &tm))
			return -EINVAL;
		return when_make(&tm, 0, utc, out);
	}
	when_day(day_ref, &tm, utc);
	if (when_hms(buf, &tm, &ns))
		return -EINVAL;
	return when_make(&tm, ns, utc, out);
}

/* "2026-12-02 03:14:15.250 CET": local time with its zone. */
size_t when_fmt_local(char *buf, size_t len, int64_t real_ns)
{
	time_t t = (time_t)(real_ns / (int64_t)CLOCK_NS_PER_S);
	long ms = (long)((real_ns % (int64_t)CLOCK_NS_PER_S) / 1000000);
	struct tm tm;
	char a[40], z[16];
	int n;

	if (ms < 0) {
		ms += 1000;
		t--;
	}
	localtime_r(&t, &tm);
	strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(z, sizeof(z), "%Z", &tm);
	n = snprintf(buf, len, "%s.%03ld %s", a, ms, z);
	return n < 0 ? 0 : (size_t)n;
}
