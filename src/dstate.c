// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dstate.c - turning the bytes (or the errno) of one state-file read into a
 * value, and naming values for people and for scripts.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "dstate.h"

#include <errno.h>
#include <string.h>

/* Tokens for output: kernel tokens verbatim, failures in <angle brackets>. */
static const char *const dstate_tokens[DS_NR] = {
	[DS_INVALID] = "Invalid",
	[DS_EINVAL] = "<einval>",
	[DS_GONE] = "<gone>",
	[DS_EACCES] = "<eacces>",
	[DS_UNPARSABLE] = "<unparsable>",
	[DS_ERRNO] = "<errno>",
	[DS_NOMIG] = "<no-migration>",
	[DS_UNKNOWN] = "<unknown>",
};

static const char *const dstate_text[DS_NR] = {
	[DS_INVALID] = "kernel reports Invalid (state outside the enum)",
	[DS_EINVAL] = "EINVAL (driver get_state failed)",
	[DS_GONE] = "device gone",
	[DS_EACCES] = "permission denied",
	[DS_UNPARSABLE] = "unparsable content",
	[DS_ERRNO] = "I/O error",
	[DS_NOMIG] = "no migration support",
	[DS_UNKNOWN] = "not read yet",
};

/* Short token: the kernel's name for states, "<...>" for failures. */
const char *dstate_token(enum dstate v)
{
	if ((unsigned int)v >= DS_NR)
		return "<unknown>";
	if (dstate_is_state(v))
		return fsm_name((enum fsm_state)v);
	return dstate_tokens[v];
}

/* One human phrase for a value. */
const char *dstate_describe(enum dstate v)
{
	if ((unsigned int)v >= DS_NR)
		return "unknown";
	if (dstate_is_state(v))
		return fsm_name((enum fsm_state)v);
	return dstate_text[v];
}

/* Inverse of dstate_token() (used by the agent protocol and tests). */
int dstate_parse_token(const char *s, size_t len, enum dstate *out)
{
	for (int i = 0; i < DS_NR; i++) {
		const char *t = dstate_token((enum dstate)i);

		if (strlen(t) == len && !memcmp(t, s, len)) {
			*out = (enum dstate)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool dstate_is_state(enum dstate v)
{
	return (unsigned int)v < FSM_NR;
}

/* A failure to read, as opposed to a state, Invalid, or "no migration". */
bool dstate_is_failure(enum dstate v)
{
	return v == DS_EINVAL || v == DS_GONE || v == DS_EACCES ||
	       v == DS_UNPARSABLE || v == DS_ERRNO;
}

/* Map a read or open errno to a value. */
enum dstate dstate_from_errno(int err)
{
	switch (err) {
	case EINVAL:
		return DS_EINVAL;
	case ENOENT:
	case ENODEV:
		return DS_GONE;
	case EACCES:
	case EPERM:
		return DS_EACCES;
	default:
		return DS_ERRNO;
	}
}

/*
 * Parse what a read returned: @n bytes in @buf, or n < 0 with @err set.
 * Upstream prints exactly one token and a newline; anything else (empty,
 * no newline, trailing bytes, NUL, unknown word, too long) is unparsable.
 */
enum dstate dstate_from_read(const char *buf, long n, int err)
{
	enum fsm_state s;

	if (n < 0)
		return dstate_from_errno(err);
	if (n < 2 || n > DSTATE_READ_MAX || buf[n - 1] != '\n')
		return DS_UNPARSABLE;
	if (memchr(buf, '\n', (size_t)n - 1))
		return DS_UNPARSABLE;
	if (n - 1 == 7 && !memcmp(buf, "Invalid", 7))
		return DS_INVALID;
	if (fsm_parse(buf, (size_t)n - 1, &s))
		return DS_UNPARSABLE;
	return (enum dstate)s;
}

/*
 * Parse a 6.18-style features file: one token per line.  Returns FSM_F_*
 * flags; *@dirty tells whether dirty-tracking was listed.  Unknown tokens
 * are ignored so that newer kernels do not break older monitors.
 */
unsigned int dstate_parse_features(const char *buf, size_t n, bool *dirty)
{
	static const struct {
		const char *tok;
		unsigned int flag;
	} map[] = {
		{ "stop-copy", FSM_F_STOP_COPY },
		{ "p2p", FSM_F_P2P },
		{ "pre-copy", FSM_F_PRE_COPY },
		{ "dirty-tracking", 0 },
	};
	unsigned int flags = 0;
	size_t i = 0;

	*dirty = false;
	while (i < n) {
		const char *line = buf + i;
		const char *nl = memchr(line, '\n', n - i);
		size_t len = nl ? (size_t)(nl - line) : n - i;

		for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
			if (strlen(map[k].tok) == len &&
			    !memcmp(map[k].tok, line, len)) {
				flags |= map[k].flag;
				if (!map[k].flag)
					*dirty = true;
			}
		}
		i += len + 1;
	}
	return flags;
}
