// SPDX-License-Identifier: GPL-2.0-or-later
/* clock.c - monotonic time, wall-clock conversion and human durations */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds: every internal timestamp uses it. */
uint64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * CLOCK_NS_PER_S + (uint64_t)ts.tv_nsec;
}

/*
 * CLOCK_REALTIME minus CLOCK_MONOTONIC, in ns: add it to a monotonic stamp
 * to print wall-clock time.  Sampled between two monotonic reads to keep
 * the error below the sampling gap.
 */
int64_t clock_real_minus_mono_ns(void)
{
	struct timespec a, r, b;
	int64_t ma, mb, rr;

	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ma = (int64_t)a.tv_sec * 1000000000 + a.tv_nsec;
	mb = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
	rr = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec;
	return rr - (ma + (mb - ma) / 2);
}

/* Split @real_ns into broken-down time (local or UTC) and milliseconds. */
static int clock_split(int64_t real_ns, int local, struct tm *tm)
{
	time_t secs = (time_t)(real_ns / 1000000000);
	int ms = (int)((real_ns % 1000000000) / 1000000);

	if (ms < 0) {
		ms += 1000;
		secs--;
	}
	if (local)
		localtime_r(&secs, tm);
	else
		gmtime_r(&secs, tm);
	return ms;
}

/* "2026-11-25T00:52:06.123Z": UTC, milliseconds. */
size_t clock_fmt_iso(char *buf, size_t len, int64_t real_ns)
{
	struct tm tm;
	int ms = clock_split(real_ns, 0, &tm);
	int n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, ms);

	return n < 0 ? 0 : (size_t)n;
}

/* "00:52:06.123" in local time (@local) or UTC. */
size_t clock_fmt_hms(char *buf, size_t len, int64_t real_ns, int local)
{
	struct tm tm;
	int ms = clock_split(real_ns, local, &tm);
	int n = snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour,
			 tm.tm_min, tm.tm_sec, ms);

	return n < 0 ? 0 : (size_t)n;
}

/*
 * "2026-12-02 00:52:06 CET" (@local) or "2026-12-02 00:52:06 UTC": the
 * date, the time to the second (to the millisecond with @ms) and the zone,
 * so that a screen and a batch log can be told apart and lined up.
 */
size_t clock_fmt_stamp(char *buf, size_t len, int64_t real_ns, int local,
		       int ms)
{
	struct tm tm;
	int m = clock_split(real_ns, local, &tm);
	char frac[8] = "", zone[16] = "UTC";
	int n;

	if (ms)
		snprintf(frac, sizeof(frac), ".%03d", m);
	if (local && !strftime(zone, sizeof(zone), "%Z", &tm))
		snprintf(zone, sizeof(zone), "?");
	n = snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d%s %s",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, frac, zone);
	return n < 0 ? 0 : (size_t)n;
}

/* The earlier of two CLOCK_MONOTONIC times, 0 meaning never. */
uint64_t clock_earlier(uint64_t a, uint64_t b)
{
	return a && (!b || a < b) ? a : b;
}

/*
 * How long until a short duration text of @ns (clock_fmt_dur(), and the
 * screen's format_dur()) next reads differently: the unit it counts in
 * at @ns is 1 ms below a second, 100 ms below 10 s, a second below an
 * hour and a minute above.  Never later than the change, at most earlier
 * (format_dur() counts hours past a day): a screen that sleeps until then
 * shows no stale time.
 */
uint64_t clock_dur_next(uint64_t ns)
{
	uint64_t step;

	if (ns < CLOCK_NS_PER_S)
		step = CLOCK_NS_PER_MS;
	else if (ns < 10 * CLOCK_NS_PER_S)
		step = 100 * CLOCK_NS_PER_MS;
	else if (ns < 3600 * CLOCK_NS_PER_S)
		step = CLOCK_NS_PER_S;
	else
		step = 60 * CLOCK_NS_PER_S;
	return step - ns % step;
}

/* A short human duration: "840 ms", "1.2 s", "12 s", "3m05s", "2h07m". */
size_t clock_fmt_dur(char *buf, size_t len, uint64_t ns)
{
	uint64_t ms = ns / CLOCK_NS_PER_MS;
	uint64_t s = ns / CLOCK_NS_PER_S;
	int n;

	if (ms < 1000)
		n = snprintf(buf, len, "%llu ms", (unsigned long long)ms);
	else if (s < 10)
		n = snprintf(buf, len, "%llu.%llu s", (unsigned long long)s,
			     (unsigned long long)(ms % 1000) / 100);
	else if (s < 60)
		n = snprintf(buf, len, "%llu s", (unsigned long long)s);
	else if (s < 3600)
		n = snprintf(buf, len, "%llum%02llus",
			     (unsigned long long)s / 60,
			     (unsigned long long)s % 60);
	else
		n = snprintf(buf, len, "%lluh%02llum",
			     (unsigned long long)s / 3600,
			     (unsigned long long)(s / 60) % 60);
	return n < 0 ? 0 : (size_t)n;
}

/*
 * Parse a decimal number of seconds in [@min, @max] into ns.  Rejects
 * empty strings, trailing garbage, NaN and out-of-range values instead of
 * clamping them.  Returns 0 or -EINVAL / -ERANGE.
 */
int clock_parse_secs(const char *s, double min, double max, uint64_t *ns)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || isnan(v) || isinf(v))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ns = (uint64_t)llround(v * 1e9);
	return 0;
}
