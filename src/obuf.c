// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * obuf.c - building output in memory, then writing it with one call.
 *
 * Names and file contents come from the kernel or from a remote host and
 * must never reach a terminal or a parser unescaped: obuf_esc_text() makes
 * any bytes a single printable ASCII token, obuf_esc_json() makes them a
 * valid JSON string body.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "obuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void obuf_init(struct obuf *b)
{
	memset(b, 0, sizeof(*b));
}

void obuf_reset(struct obuf *b)
{
	b->len = 0;
	b->oom = false;
}

void obuf_free(struct obuf *b)
{
	free(b->p);
	obuf_init(b);
}

static bool obuf_room(struct obuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->len + n + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void obuf_put(struct obuf *b, const char *s, size_t n)
{
	if (!obuf_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void obuf_puts(struct obuf *b, const char *s)
{
	obuf_put(b, s, strlen(s));
}

void obuf_putc(struct obuf *b, char c)
{
	if (!obuf_room(b, 1))
		return;
	b->p[b->len++] = c;
}

void obuf_printf(struct obuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !obuf_room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void obuf_u64(struct obuf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	obuf_put(b, tmp + i, sizeof(tmp) - i);
}

void obuf_i64(struct obuf *b, int64_t v)
{
	if (v < 0) {
		obuf_putc(b, '-');
		obuf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		obuf_u64(b, (uint64_t)v);
	}
}

/* Nanoseconds as seconds with three decimals: "12.345". */
void obuf_ms3(struct obuf *b, uint64_t ns)
{
	uint64_t ms = ns / 1000000;
	char frac[4];

	obuf_u64(b, ms / 1000);
	frac[0] = '.';
	frac[1] = (char)('0' + (ms / 100) % 10);
	frac[2] = (char)('0' + (ms / 10) % 10);
	frac[3] = (char)('0' + ms % 10);
	obuf_put(b, frac, 4);
}

static const char obuf_hex[] = "0123456789abcdef";

/*
 * One whitespace-free printable ASCII token: bytes outside 0x21..0x7e and
 * the backslash become \xHH (\\ for a backslash); an empty string is "\x".
 */
void obuf_esc_text(struct obuf *b, const char *s, size_t n)
{
	if (!n) {
		obuf_put(b, "\"\"", 2);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			obuf_put(b, "\\\\", 2);
		} else if (c > 0x20 && c < 0x7f) {
			obuf_putc(b, (char)c);
		} else {
			char e[4] = { '\\', 'x', obuf_hex[c >> 4],
				      obuf_hex[c & 15] };

			obuf_put(b, e, 4);
		}
	}
}

/*
 * Text for the rest of a line: as obuf_esc_text(), but spaces pass, so a
 * sentence (an error text from QEMU) reads as one.
 */
void obuf_esc_line(struct obuf *b, const char *s, size_t n)
{
	size_t i = 0;

	if (!n)
		obuf_put(b, "\"\"", 2);
	while (i < n) {
		size_t j = i;

		while (j < n && s[j] != ' ')
			j++;
		if (j > i)
			obuf_esc_text(b, s + i, j - i);
		for (i = j; i < n && s[i] == ' '; i++)
			obuf_putc(b, ' ');
	}
}

/*
 * Length of a valid UTF-8 sequence at @s (max @n bytes), 0 if invalid;
 * the code point in *@cp.
 */
static size_t obuf_utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

static void obuf_u00(struct obuf *b, uint32_t cp)
{
	char e[6] = { '\\', 'u', '0', '0', obuf_hex[(cp >> 4) & 15],
		      obuf_hex[cp & 15] };

	obuf_put(b, e, 6);
}

/*
 * A JSON string body (no quotes).  Valid UTF-8 passes through; control
 * characters, C0 and C1 (U+0080..U+009F, which some terminals obey as
 * well), become \uXXXX, so a parser gets the same characters back and no
 * raw control byte is ever written.  Bytes that are not valid UTF-8 become
 * the six characters "\\xHH": nothing is lost, and the result is always
 * valid JSON.
 */
void obuf_esc_json(struct obuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = u[i];
		uint32_t cp;
		size_t l;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			obuf_put(b, e, 2);
			i++;
		} else if ((l = obuf_utf8_len(u + i, n - i, &cp))) {
			if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
				obuf_u00(b, cp);
			else
				obuf_put(b, s + i, l);
			i += l;
		} else {
			char e[5] = { '\\', '\\', 'x', obuf_hex[c >> 4],
				      obuf_hex[c & 15] };

			obuf_put(b, e, 5);
			i++;
		}
	}
}

/* A JSON string: S escaped (obuf_esc_json), in quotes. */
void obuf_json_str(struct obuf *b, const char *s)
{
	obuf_putc(b, '"');
	obuf_esc_json(b, s, strlen(s));
	obuf_putc(b, '"');
}

/* ,"KEY": the separator and key of an object's member after the first. */
void obuf_json_key(struct obuf *b, const char *key)
{
	obuf_puts(b, ",\"");
	obuf_puts(b, key);
	obuf_puts(b, "\":");
}

/* ,"KEY":"S" after an object's first member; null for a NULL or empty S. */
void obuf_json_kstr(struct obuf *b, const char *key, const char *s)
{
	obuf_json_key(b, key);
	if (s && s[0])
		obuf_json_str(b, s);
	else
		obuf_puts(b, "null");
}

const char *obuf_cstr(struct obuf *b)
{
	if (!obuf_room(b, 0))
		return "";
	b->p[b->len] = 0;
	return b->p;
}

/* Write and empty the buffer.  Returns 0 or -1 (errno set) on a write error. */
int obuf_write(struct obuf *b, FILE *f)
{
	int rc = 0;

	if (b->len && fwrite(b->p, 1, b->len, f) != b->len)
		rc = -1;
	if (!rc && fflush(f))
		rc = -1;
	obuf_reset(b);
	return rc;
}
