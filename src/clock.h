/* SPDX-License-Identifier: GPL-2.0-or-later */
/* clock.h - time sources and time formatting */
#ifndef VFIOMIGTOP_CLOCK_H
#define VFIOMIGTOP_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_NS_PER_MS 1000000ull
#define CLOCK_NS_PER_S 1000000000ull

uint64_t clock_mono_ns(void);
int64_t clock_real_minus_mono_ns(void);
size_t clock_fmt_iso(char *buf, size_t len, int64_t real_ns);
size_t clock_fmt_hms(char *buf, size_t len, int64_t real_ns, int local);
size_t clock_fmt_stamp(char *buf, size_t len, int64_t real_ns, int local,
		       int ms);
size_t clock_fmt_dur(char *buf, size_t len, uint64_t ns);
uint64_t clock_dur_next(uint64_t ns);
uint64_t clock_earlier(uint64_t a, uint64_t b);
int clock_parse_secs(const char *s, double min, double max, uint64_t *ns);

#endif
