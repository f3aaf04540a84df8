// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format.c - the text of cells.  Names from the kernel or a remote host are
 * raw bytes: they are always escaped (printable ASCII stays, a backslash is
 * doubled, anything else becomes \xNN), so no byte of a name ever reaches
 * the terminal as a control character.  Everything produced here is ASCII
 * except the ellipsis, which takes one column.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "format.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "model.h"

static const char format_hex[] = "0123456789abcdef";

/*
 * A compact duration of at most FORMAT_DUR_COLS columns below 100 days:
 * "840ms", "1.2s", "59s", "3m05s", "2h07m", "3d04h".
 */
size_t format_dur(char *buf, size_t len, uint64_t ns)
{
	unsigned long long ms = ns / CLOCK_NS_PER_MS, s = ns / CLOCK_NS_PER_S;
	int n;

	if (ms < 1000)
		n = snprintf(buf, len, "%llums", ms);
	else if (s < 10)
		n = snprintf(buf, len, "%llu.%llus", s, (ms % 1000) / 100);
	else if (s < 60)
		n = snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		n = snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		n = snprintf(buf, len, "%lluh%02llum", s / 3600, s / 60 % 60);
	else if (s < 100 * 86400ull)
		n = snprintf(buf, len, "%llud%02lluh", s / 86400, s / 3600 % 24);
	else
		n = snprintf(buf, len, "%llud", s / 86400);
	return n < 0 ? 0 : (size_t)n;
}

/* Lowest byte shown as itself: ' ' in messages (@sp), else '!'. */
static unsigned char format_low(bool sp)
{
	return sp ? 0x20 : 0x21;
}

/* Columns (and bytes) one raw byte takes once escaped. */
static size_t format_unit_sp(unsigned char c, bool sp)
{
	if (c == '\\')
		return 2;
	return c >= format_low(sp) && c < 0x7f ? 1 : 4;
}

static size_t format_unit(unsigned char c)
{
	return format_unit_sp(c, false);
}

static char *format_put_unit_sp(char *p, unsigned char c, bool sp)
{
	if (c == '\\') {
		*p++ = '\\';
		*p++ = '\\';
	} else if (c >= format_low(sp) && c < 0x7f) {
		*p++ = (char)c;
	} else {
		*p++ = '\\';
		*p++ = 'x';
		*p++ = format_hex[c >> 4];
		*p++ = format_hex[c & 15];
	}
	return p;
}

static char *format_put_unit(char *p, unsigned char c)
{
	return format_put_unit_sp(p, c, false);
}

/* Columns @s (@n raw bytes) takes once escaped. */
size_t format_esc_cols(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += format_unit((unsigned char)s[i]);
	return w;
}

/* Escape @n bytes of @s into @out (NUL-terminated, whole units only). */
size_t format_esc(char *out, size_t len, const char *s, size_t n)
{
	char *p = out;

	if (!len)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((size_t)(p - out) + format_unit(c) >= len)
			break;
		p = format_put_unit(p, c);
	}
	*p = 0;
	return (size_t)(p - out);
}

/*
 * Escape @s (@n raw bytes) and fit it in @width columns: if it is wider,
 * keep the part @keep says and mark the cut with an ellipsis ("…", or ".."
 * in @ascii mode); escapes are never cut in half.  @out needs room for
 * 4 * @width + 4 bytes.  Returns the columns used.
 */
int format_fit(char *out, size_t len, const char *s, size_t n, int width,
	       enum format_keep keep, bool ascii)
{
	const char *ell = ascii ? ".." : "\xe2\x80\xa6";
	bool sp = keep & FORMAT_SPACES;
	size_t ellw = ascii ? 2 : 1, total = 0;
	size_t budget, head = 0, tail = n, hw = 0, tw = 0, hb, tb;
	char *p = out;

	keep &= ~FORMAT_SPACES;
	for (size_t i = 0; i < n; i++)
		total += format_unit_sp((unsigned char)s[i], sp);
	if (!len)
		return 0;
	out[0] = 0;
	if (width <= 0)
		return 0;
	if (total <= (size_t)width) {
		if (total + 1 > len)
			return 0;
		for (size_t i = 0; i < n; i++)
			p = format_put_unit_sp(p, (unsigned char)s[i], sp);
		*p = 0;
		return (int)total;
	}
	if ((size_t)width <= ellw) {
		ell = "";
		ellw = 0;
	}
	budget = (size_t)width - ellw;
	hb = keep == FORMAT_KEEP_START ? budget :
	     keep == FORMAT_KEEP_BOTH ? budget / 2 : 0;
	tb = budget - hb;
	while (head < n && hw + format_unit_sp((unsigned char)s[head], sp) <= hb)
		hw += format_unit_sp((unsigned char)s[head++], sp);
	while (tail > head &&
	       tw + format_unit_sp((unsigned char)s[tail - 1], sp) <= tb)
		tw += format_unit_sp((unsigned char)s[--tail], sp);
	if (hw + tw + strlen(ell) + 1 > len)
		return 0;
	for (size_t i = 0; i < head; i++)
		p = format_put_unit_sp(p, (unsigned char)s[i], sp);
	memcpy(p, ell, strlen(ell));
	p += strlen(ell);
	for (size_t i = tail; i < n; i++)
		p = format_put_unit_sp(p, (unsigned char)s[i], sp);
	*p = 0;
	return (int)(hw + ellw + tw);
}

/* Columns of a string made here: UTF-8 continuation bytes take none. */
int format_cols(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/*
 * Copy @s (already safe: made of this module's output and fixed text) into
 * @out, cut to @width columns with an ellipsis (">" in @ascii mode) at the
 * end.  Returns columns.
 */
int format_clip(char *out, size_t len, const char *s, int width, bool ascii)
{
	const char *ell = ascii ? ">" : "\xe2\x80\xa6";
	size_t i = 0, o = 0;
	int w = 0;

	if (!len)
		return 0;
	out[0] = 0;
	if (width <= 0)
		return 0;
	if (format_cols(s) <= width) {
		snprintf(out, len, "%s", s);
		return format_cols(out);
	}
	/* Keep width - 1 columns, then the ellipsis. */
	while (s[i] && o + 8 < len) {
		bool start = ((unsigned char)s[i] & 0xc0) != 0x80;

		if (start && w == width - 1)
			break;
		w += start;
		out[o++] = s[i++];
	}
	snprintf(out + o, len - o, "%s", ell);
	return w + 1;
}

/*
 * What a transition's MODEL_T_* @flags say about how it was known, in
 * words; "" for a step seen as it happened.  @to is where it led (a change
 * into ERROR is a failure, not a missing path).
 */
const char *format_trans_note(uint8_t flags, uint8_t to)
{
	if (flags & MODEL_T_REFUSED)
		return "refused by the kernel: no such step";
	if (flags & MODEL_T_FAILED)
		return "step failed: the device stayed";
	if (flags & MODEL_T_UNSURE)
		return "taken or failed: not known";
	if (flags & MODEL_T_INFERRED)
		return "inferred";
	if (flags & MODEL_T_MISSED)
		return "steps missed";
	if ((flags & MODEL_T_NOPATH) && to != DS_ERROR)
		return "by no kernel step: reset";
	return "";
}

/* The token a state cell shows: kernel names, failures in <brackets>. */
const char *format_token(enum dstate v)
{
	if (v == DS_NOMIG)
		return "<no-mig>";
	return dstate_token(v);
}
