// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * journal_fmt.c - the journal's lexical layer (vfiomigtop-journal(5)):
 * every record is one line of printable ASCII tokens separated by single
 * spaces, ended by a space, the CRC-32 of the text before it as 8 hex
 * digits, and a newline.  Strings escape every byte outside 0x21..0x7e
 * and the backslash as \xHH.  Times inside a record are relative to the
 * record's own time, so that a quiet refresh stays short.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "journal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fsm.h"
#include "hexdigit.h"

/* CRC-32 as in zlib and Ethernet: reflected polynomial 0xEDB88320,
 * initial value and final XOR all ones.  The table is built on first use
 * from the polynomial (one bit of the divisor per step). */
static uint32_t jf_crc_tab[256];
static bool jf_crc_ready;

static void jf_crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (c & 1 ? 0xEDB88320u : 0);
		jf_crc_tab[i] = c;
	}
	jf_crc_ready = true;
}

uint32_t jf_crc32(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t c = 0xFFFFFFFFu;

	if (!jf_crc_ready)
		jf_crc_init();
	while (n--)
		c = jf_crc_tab[(c ^ *s++) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static const char jf_hex[] = "0123456789abcdef";

/* A string as (part of) one token: bytes 0x21..0x7e but '\' as they
 * are, the rest as \xHH. */
void jf_esc(struct obuf *b, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x20 && c < 0x7f && c != '\\') {
			run++;
			continue;
		}
		obuf_put(b, s + i - run, run);
		run = 0;
		obuf_putc(b, '\\');
		obuf_putc(b, 'x');
		obuf_putc(b, jf_hex[c >> 4]);
		obuf_putc(b, jf_hex[c & 15]);
	}
	obuf_put(b, s + n - run, run);
}

/*
 * Undo jf_esc() into @out (@cap bytes, NUL added).  Returns the length, or
 * -1 for a bad escape or no room.
 */
long jf_unesc(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\') {
			int hi, lo;

			if (i + 3 >= n || s[i + 1] != 'x')
				return -1;
			hi = hexdigit_value(s[i + 2]);
			lo = hexdigit_value(s[i + 3]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 3;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = c;
	}
	if (cap)
		out[o] = 0;
	return (long)o;
}

/* A CLOCK_MONOTONIC time relative to @base: "+N", "-N", or "z" for 0
 * (not known). */
void jf_time(struct obuf *b, uint64_t t, uint64_t base)
{
	if (!t) {
		obuf_putc(b, 'z');
		return;
	}
	if (t >= base) {
		obuf_putc(b, '+');
		obuf_u64(b, t - base);
	} else {
		obuf_putc(b, '-');
		obuf_u64(b, base - t);
	}
}

int jf_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (!n || n > 20)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int jf_parse_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t v;
	bool neg = n && s[0] == '-';

	if (n && (s[0] == '-' || s[0] == '+')) {
		s++;
		n--;
	}
	if (jf_parse_u64(s, n, &v) || v > (uint64_t)INT64_MAX)
		return -EINVAL;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* Read a jf_time() token back, shifted by @delta (clock alignment of a
 * second journal); "z" stays 0. */
int jf_parse_time(const char *s, size_t n, uint64_t base, int64_t delta,
		  uint64_t *out)
{
	uint64_t v, t;

	if (n == 1 && s[0] == 'z') {
		*out = 0;
		return 0;
	}
	if (n < 2 || (s[0] != '+' && s[0] != '-') ||
	    jf_parse_u64(s + 1, n - 1, &v))
		return -EINVAL;
	if (s[0] == '+') {
		if (v > UINT64_MAX - base)
			return -EINVAL;
		t = base + v;
	} else {
		if (v > base)
			return -EINVAL;
		t = base - v;
	}
	t += (uint64_t)delta;
	*out = t ? t : 1;	/* never "not known" by accident */
	return 0;
}

/* End the record that starts at @start in @b: " CRC\n". */
void jf_end(struct obuf *b, size_t start)
{
	uint32_t c;

	if (b->oom || b->len < start)
		return;
	c = jf_crc32(b->p + start, b->len - start);
	obuf_putc(b, ' ');
	for (int i = 7; i >= 0; i--)
		obuf_putc(b, jf_hex[(c >> (4 * i)) & 15]);
	obuf_putc(b, '\n');
}

/*
 * Check one line (@len bytes, without its newline).  Returns the length of
 * the record text before " CRC", or -1 when the CRC is missing or wrong.
 */
long jf_check(const char *line, size_t len)
{
	uint32_t want = 0;

	if (len < 10 || line[len - 9] != ' ')
		return -1;
	for (size_t i = len - 8; i < len; i++) {
		int d = hexdigit_value(line[i]);

		if (d < 0 || (line[i] >= 'A' && line[i] <= 'F'))
			return -1;
		want = want << 4 | (uint32_t)d;
	}
	if (jf_crc32(line, len - 9) != want)
		return -1;
	return (long)(len - 9);
}

/* The next token of [*cur, end); false at the end. */
bool jf_next(const char **cur, const char *end, struct jf_tok *t)
{
	const char *p = *cur;

	while (p < end && *p == ' ')
		p++;
	if (p >= end) {
		*cur = p;
		return false;
	}
	t->p = p;
	while (p < end && *p != ' ')
		p++;
	t->n = (size_t)(p - t->p);
	*cur = p;
	return true;
}

/* True when @t is "KEY=..."; @val gets what follows '='. */
bool jf_key(const struct jf_tok *t, const char *key, struct jf_tok *val)
{
	size_t k = strlen(key);

	if (t->n < k + 1 || memcmp(t->p, key, k) || t->p[k] != '=')
		return false;
	val->p = t->p + k + 1;
	val->n = t->n - k - 1;
	return true;
}

const char *jf_link_name(enum snap_link l)
{
	return l == SNAP_LINK_DOWN ? "down" :
	       l == SNAP_LINK_DEGRADED ? "degraded" : "ok";
}

int jf_link_parse(const char *s, size_t n, enum snap_link *out)
{
	if (n == 2 && !memcmp(s, "ok", 2))
		*out = SNAP_LINK_OK;
	else if (n == 8 && !memcmp(s, "degraded", 8))
		*out = SNAP_LINK_DEGRADED;
	else if (n == 4 && !memcmp(s, "down", 4))
		*out = SNAP_LINK_DOWN;
	else
		return -EINVAL;
	return 0;
}

/* Step flags as letters, in a fixed order; "-" for none. */
static const struct {
	uint8_t bit;
	char c;
} jf_flag_letters[] = {
	{ SNAP_STEP_INFERRED, 'i' }, { SNAP_STEP_ARC, 'a' },
	{ SNAP_STEP_NOPATH, 'n' }, { SNAP_STEP_FAILED, 'f' },
	{ SNAP_STEP_REFUSED, 'r' }, { SNAP_STEP_LOSS, 'l' },
	{ SNAP_STEP_MISSED, 'm' }, { SNAP_STEP_UNSURE, 'u' },
};
#define JF_NFLAGS (sizeof(jf_flag_letters) / sizeof(jf_flag_letters[0]))

void jf_flags(struct obuf *b, unsigned int flags)
{
	bool any = false;

	for (size_t i = 0; i < JF_NFLAGS; i++)
		if (flags & jf_flag_letters[i].bit) {
			obuf_putc(b, jf_flag_letters[i].c);
			any = true;
		}
	if (!any)
		obuf_putc(b, '-');
}

int jf_flags_parse(const char *s, size_t n, uint8_t *out)
{
	uint8_t f = 0;

	if (n == 1 && s[0] == '-') {
		*out = 0;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < JF_NFLAGS; k++)
			if (jf_flag_letters[k].c == s[i])
				break;
		if (k == JF_NFLAGS)
			return -EINVAL;
		f |= jf_flag_letters[k].bit;
	}
	*out = f;
	return 0;
}

/* Features: "-" when there is no features file, else letters of
 * stop-copy (s), p2p (p), pre-copy (c), dirty-tracking (d), or "_". */
void jf_features(struct obuf *b, bool known, unsigned int f, bool dirty)
{
	if (!known) {
		obuf_putc(b, '-');
		return;
	}
	if (!f && !dirty)
		obuf_putc(b, '_');
	if (f & FSM_F_STOP_COPY)
		obuf_putc(b, 's');
	if (f & FSM_F_P2P)
		obuf_putc(b, 'p');
	if (f & FSM_F_PRE_COPY)
		obuf_putc(b, 'c');
	if (dirty)
		obuf_putc(b, 'd');
}

int jf_features_parse(const char *s, size_t n, bool *known, unsigned int *f,
		      bool *dirty)
{
	*known = true;
	*f = 0;
	*dirty = false;
	if (n == 1 && s[0] == '-') {
		*known = false;
		return 0;
	}
	if (n == 1 && s[0] == '_')
		return 0;
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case 's':
			*f |= FSM_F_STOP_COPY;
			break;
		case 'p':
			*f |= FSM_F_P2P;
			break;
		case 'c':
			*f |= FSM_F_PRE_COPY;
			break;
		case 'd':
			*dirty = true;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* A size for --write-max: bytes, or with K, M, G (powers of 1024). */
int jf_parse_size(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	uint64_t mul = 1, v;

	if (n && (s[n - 1] == 'K' || s[n - 1] == 'k'))
		mul = 1024;
	else if (n && (s[n - 1] == 'M' || s[n - 1] == 'm'))
		mul = 1024 * 1024;
	else if (n && (s[n - 1] == 'G' || s[n - 1] == 'g'))
		mul = 1024ull * 1024 * 1024;
	if (mul > 1)
		n--;
	if (jf_parse_u64(s, n, &v) || v > UINT64_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}
