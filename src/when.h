/* SPDX-License-Identifier: GPL-2.0-or-later */
/* when.h - a point in time as a user types it (--begin, --end, the replay's jump) */
#ifndef VFIOMIGTOP_WHEN_H
#define VFIOMIGTOP_WHEN_H

#include <stddef.h>
#include <stdint.h>

int when_parse(const char *s, int64_t day_ref, int64_t rel_ref,
	       int64_t *out);
size_t when_fmt_local(char *buf, size_t len, int64_t real_ns);

#endif
