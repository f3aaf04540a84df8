// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * proto.c - the agent line protocol: one JSON object per line, documented
 * in doc/protocol.md.  Encoding writes into an obuf; decoding uses jansson
 * and checks every field it takes, so a hostile peer can at worst make a
 * line rejected.  Also here: splitting a byte stream into bounded lines,
 * and estimating a peer's clock offsets.  Everything is pure.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "proto.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexdigit.h"
#include "fsm.h"

static const char *const proto_types[] = {
	[PROTO_HELLO] = "hello", [PROTO_DEV] = "dev", [PROTO_SYNC] = "sync",
	[PROTO_STEP] = "step", [PROTO_HB] = "hb", [PROTO_LINK] = "link",
};

static const struct {
	uint8_t flag;
	const char *name;
} proto_step_flags[] = {
	{ SNAP_STEP_INFERRED, "inferred" },
	{ SNAP_STEP_ARC, "arc" },
	{ SNAP_STEP_NOPATH, "nopath" },
	{ SNAP_STEP_FAILED, "failed" },
	{ SNAP_STEP_REFUSED, "refused" },
	{ SNAP_STEP_MISSED, "missed" },
	{ SNAP_STEP_UNSURE, "unsure" },
};

static const struct {
	unsigned int flag;
	const char *name;
} proto_features[] = {
	{ FSM_F_STOP_COPY, "stop-copy" },
	{ FSM_F_P2P, "p2p" },
	{ FSM_F_PRE_COPY, "pre-copy" },
};

static const char *const proto_links[] = {
	[SNAP_LINK_OK] = "ok", [SNAP_LINK_DEGRADED] = "degraded",
	[SNAP_LINK_DOWN] = "down",
};

#define PROTO_N(a) (sizeof(a) / sizeof((a)[0]))

const char *proto_type_name(enum proto_type t)
{
	return (unsigned int)t < PROTO_N(proto_types) ? proto_types[t] : "unknown";
}

/* Whether mono_ns/real_ns of this type are the sending time (a clock sample). */
bool proto_carries_send_time(enum proto_type t)
{
	return t == PROTO_HELLO || t == PROTO_HB || t == PROTO_SYNC ||
	       t == PROTO_DEV || t == PROTO_LINK;
}

/* ---- encoding ---- */

static const char proto_hex[] = "0123456789abcdef";

static void pe_str(struct obuf *b, const char *key, const char *s, size_t n)
{
	obuf_json_key(b, key);
	obuf_putc(b, '"');
	obuf_esc_json(b, s, n);
	obuf_putc(b, '"');
}

static void pe_hex(struct obuf *b, const char *key, const char *s, size_t n)
{
	obuf_json_key(b, key);
	obuf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		obuf_putc(b, proto_hex[c >> 4]);
		obuf_putc(b, proto_hex[c & 15]);
	}
	obuf_putc(b, '"');
}

static void pe_u64(struct obuf *b, const char *key, uint64_t v)
{
	obuf_json_key(b, key);
	obuf_u64(b, v);
}

/* Names that are printable ASCII go as they are; others also in hex. */
static void pe_name(struct obuf *b, const char *name)
{
	size_t n = strlen(name);
	bool plain = true;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
			plain = false;
	pe_str(b, "name", name, n);
	if (!plain)
		pe_hex(b, "name_hex", name, n);
}

static void pe_token(struct obuf *b, const char *key, uint8_t v)
{
	const char *t = dstate_token((enum dstate)v);

	pe_str(b, key, t, strlen(t));
}

static void pe_dev(struct obuf *b, const struct proto_dev *d)
{
	bool first = true;

	pe_name(b, d->name);
	obuf_puts(b, d->present ? ",\"present\":true" : ",\"present\":false");
	pe_token(b, "value", (uint8_t)d->val);
	obuf_puts(b, ",\"errno\":");
	obuf_i64(b, d->err);
	obuf_puts(b, ",\"features\":");
	if (!d->features_known) {
		obuf_puts(b, "null");
	} else {
		obuf_putc(b, '[');
		for (size_t i = 0; i < PROTO_N(proto_features); i++) {
			if (!(d->features & proto_features[i].flag))
				continue;
			obuf_printf(b, "%s\"%s\"", first ? "" : ",",
				    proto_features[i].name);
			first = false;
		}
		if (d->dirty_tracking)
			obuf_printf(b, "%s\"dirty-tracking\"", first ? "" : ",");
		obuf_putc(b, ']');
	}
	pe_u64(b, "since_mono_ns", d->since_ns);
	pe_u64(b, "busy_mono_ns", d->busy_ns);
	pe_u64(b, "transitions", d->transitions);
	if (d->raw_len)
		pe_hex(b, "raw_hex", d->raw, d->raw_len);
}

static void pe_step(struct obuf *b, const struct proto_step *s)
{
	bool first = true;

	pe_name(b, s->name);
	pe_token(b, "from", s->from);
	pe_token(b, "to", s->to);
	if (s->lo_mono_ns)
		pe_u64(b, "lo_mono_ns", s->lo_mono_ns);
	obuf_puts(b, ",\"flags\":[");
	for (size_t i = 0; i < PROTO_N(proto_step_flags); i++) {
		if (!(s->flags & proto_step_flags[i].flag))
			continue;
		obuf_printf(b, "%s\"%s\"", first ? "" : ",",
			    proto_step_flags[i].name);
		first = false;
	}
	obuf_putc(b, ']');
}

/* Append @m to @b as one line, newline included. */
void proto_encode(struct obuf *b, const struct proto_msg *m)
{
	const struct proto_hello *h = &m->u.hello;

	obuf_puts(b, "{\"type\":\"");
	obuf_puts(b, proto_type_name(m->type));
	obuf_putc(b, '"');
	pe_u64(b, "mono_ns", m->mono_ns);
	obuf_puts(b, ",\"real_ns\":");
	obuf_i64(b, m->real_ns);
	switch (m->type) {
	case PROTO_HELLO:
		obuf_printf(b, ",\"proto\":%d", h->version);
		pe_str(b, "agent", h->agent, strlen(h->agent));
		pe_str(b, "host", h->host, strlen(h->host));
		pe_str(b, "source", h->source, strlen(h->source));
		pe_u64(b, "interval_ns", h->interval_ns);
		pe_u64(b, "heartbeat_ns", h->heartbeat_ns);
		break;
	case PROTO_DEV:
		pe_dev(b, &m->u.dev);
		break;
	case PROTO_STEP:
		pe_step(b, &m->u.step);
		break;
	case PROTO_HB:
		pe_u64(b, "seq", m->u.hb_seq);
		break;
	case PROTO_SYNC:
		pe_u64(b, "devices", m->u.sync_devices);
		break;
	case PROTO_LINK:
		obuf_printf(b, ",\"link\":\"%s\"",
			    (unsigned int)m->u.link.link < PROTO_N(proto_links) ?
			    proto_links[m->u.link.link] : "down");
		pe_str(b, "message", m->u.link.msg, strlen(m->u.link.msg));
		break;
	case PROTO_UNKNOWN:
		break;
	}
	obuf_puts(b, "}\n");
}

/* ---- decoding ---- */

/* An integer field: 0 when absent and optional; -EINVAL with @err otherwise. */
static int pd_int(json_t *o, const char *key, bool required, long long min,
		  long long max, long long *out, char *err, size_t elen)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v)) {
		*out = 0;
		if (!required)
			return 0;
		snprintf(err, elen, "\"%s\" missing", key);
		return -EINVAL;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		snprintf(err, elen, "\"%s\": not an integer in %lld..%lld", key,
			 min, max);
		return -EINVAL;
	}
	*out = json_integer_value(v);
	return 0;
}

/* A string field copied into @buf (@len with NUL); @trunc allows cutting. */
static int pd_str(json_t *o, const char *key, bool required, bool trunc,
		  char *buf, size_t len, char *err, size_t elen)
{
	json_t *v = json_object_get(o, key);
	size_t n;

	buf[0] = 0;
	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		snprintf(err, elen, "\"%s\" missing", key);
		return -EINVAL;
	}
	if (!json_is_string(v)) {
		snprintf(err, elen, "\"%s\": not a string", key);
		return -EINVAL;
	}
	n = json_string_length(v);
	if (n >= len) {
		if (!trunc) {
			snprintf(err, elen, "\"%s\": longer than %zu bytes", key,
				 len - 1);
			return -EINVAL;
		}
		/* Cut on a character boundary: half a UTF-8 sequence would
		 * no longer be the text the peer sent (found by the fuzzer). */
		n = len - 1;
		while (n && ((unsigned char)json_string_value(v)[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, json_string_value(v), n);
	buf[n] = 0;
	return 0;
}

/* A hex string field into @buf, at most @max bytes; returns bytes or -EINVAL. */
static long pd_hex(json_t *o, const char *key, char *buf, size_t max,
		   char *err, size_t elen)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t n;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || (n = json_string_length(v)) % 2 ||
	    n / 2 > max) {
		snprintf(err, elen, "\"%s\": not hex of at most %zu bytes", key,
			 max);
		return -EINVAL;
	}
	s = json_string_value(v);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexdigit_value(s[2 * i]), lo = hexdigit_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			snprintf(err, elen, "\"%s\": not hex", key);
			return -EINVAL;
		}
		buf[i] = (char)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

/* "name" (or exactly "name_hex"): 1..255 bytes, no NUL. */
static int pd_name(json_t *o, char *name, char *err, size_t elen)
{
	char tmp[SNAP_NAME_MAX];
	long n = pd_hex(o, "name_hex", tmp, SNAP_NAME_MAX - 1, err, elen);

	if (n < 0)
		return -EINVAL;
	if (n > 0) {
		if (memchr(tmp, 0, (size_t)n)) {
			snprintf(err, elen, "\"name_hex\": contains NUL");
			return -EINVAL;
		}
		memcpy(name, tmp, (size_t)n);
		name[n] = 0;
		return 0;
	}
	if (pd_str(o, "name", true, false, name, SNAP_NAME_MAX, err, elen))
		return -EINVAL;
	if (!name[0]) {
		snprintf(err, elen, "\"name\": empty");
		return -EINVAL;
	}
	return 0;
}

/* A value token; one this version does not know becomes unparsable content. */
static int pd_value(json_t *o, const char *key, enum dstate *out, char *raw,
		    uint8_t *raw_len, char *err, size_t elen)
{
	char tok[DSTATE_READ_MAX + 1];

	if (pd_str(o, key, true, true, tok, sizeof(tok), err, elen))
		return -EINVAL;
	if (!dstate_parse_token(tok, strlen(tok), out))
		return 0;
	if (!raw) {
		snprintf(err, elen, "\"%s\": unknown value", key);
		return -EINVAL;
	}
	*out = DS_UNPARSABLE;
	*raw_len = (uint8_t)strlen(tok);
	memcpy(raw, tok, *raw_len);
	return 0;
}

static int pd_features(json_t *o, struct proto_dev *d, char *err, size_t elen)
{
	json_t *v = json_object_get(o, "features"), *e;
	size_t i;

	d->features_known = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		snprintf(err, elen, "\"features\": not an array");
		return -EINVAL;
	}
	d->features_known = true;
	json_array_foreach(v, i, e) {
		const char *s = json_string_value(e);

		if (!s)
			continue;	/* unknown kinds are ignored */
		for (size_t k = 0; k < PROTO_N(proto_features); k++)
			if (!strcmp(s, proto_features[k].name))
				d->features |= proto_features[k].flag;
		if (!strcmp(s, "dirty-tracking"))
			d->dirty_tracking = true;
	}
	return 0;
}

static int pd_dev(json_t *o, struct proto_dev *d, char *err, size_t elen)
{
	json_t *p = json_object_get(o, "present");
	long long v;
	long n;

	if (pd_name(o, d->name, err, elen))
		return -EINVAL;
	if (!json_is_boolean(p)) {
		snprintf(err, elen, "\"present\": not a boolean");
		return -EINVAL;
	}
	d->present = json_is_true(p);
	if (pd_value(o, "value", &d->val, d->raw, &d->raw_len, err, elen))
		return -EINVAL;
	if (pd_int(o, "errno", false, 0, 4095, &v, err, elen))
		return -EINVAL;
	d->err = (int)v;
	if (pd_features(o, d, err, elen))
		return -EINVAL;
	if (pd_int(o, "since_mono_ns", false, 0, LLONG_MAX, &v, err, elen))
		return -EINVAL;
	d->since_ns = (uint64_t)v;
	if (pd_int(o, "busy_mono_ns", false, 0, LLONG_MAX, &v, err, elen))
		return -EINVAL;
	d->busy_ns = (uint64_t)v;
	if (pd_int(o, "transitions", false, 0, UINT32_MAX, &v, err, elen))
		return -EINVAL;
	d->transitions = (uint32_t)v;
	if (d->val != DS_UNPARSABLE)
		return 0;
	{
		char raw[DSTATE_READ_MAX];

		n = pd_hex(o, "raw_hex", raw, sizeof(raw), err, elen);
		if (n < 0)
			return -EINVAL;
		if (n > 0) {	/* the content itself wins over the token */
			memset(d->raw, 0, sizeof(d->raw));
			memcpy(d->raw, raw, (size_t)n);
			d->raw_len = (uint8_t)n;
		}
	}
	return 0;
}

static int pd_step(json_t *o, struct proto_step *s, char *err, size_t elen)
{
	json_t *f = json_object_get(o, "flags"), *e;
	enum dstate from, to;
	long long lo = 0;
	size_t i;

	if (pd_name(o, s->name, err, elen) ||
	    pd_value(o, "from", &from, NULL, NULL, err, elen) ||
	    pd_value(o, "to", &to, NULL, NULL, err, elen) ||
	    pd_int(o, "lo_mono_ns", false, 0, LLONG_MAX, &lo, err, elen))
		return -EINVAL;
	s->lo_mono_ns = (uint64_t)lo;
	s->from = (uint8_t)from;
	s->to = (uint8_t)to;
	if (f && !json_is_null(f) && !json_is_array(f)) {
		snprintf(err, elen, "\"flags\": not an array");
		return -EINVAL;
	}
	json_array_foreach(f, i, e) {
		const char *str = json_string_value(e);

		for (size_t k = 0; str && k < PROTO_N(proto_step_flags); k++)
			if (!strcmp(str, proto_step_flags[k].name))
				s->flags |= proto_step_flags[k].flag;
	}
	return 0;
}

static int pd_hello(json_t *o, struct proto_hello *h, char *err, size_t elen)
{
	long long v;

	if (pd_int(o, "proto", true, 0, INT_MAX, &v, err, elen))
		return -EINVAL;
	h->version = (int)v;
	if (pd_str(o, "agent", false, true, h->agent, sizeof(h->agent), err,
		   elen) ||
	    pd_str(o, "host", false, true, h->host, sizeof(h->host), err,
		   elen) ||
	    pd_str(o, "source", false, true, h->source, sizeof(h->source), err,
		   elen))
		return -EINVAL;
	if (pd_int(o, "interval_ns", false, 0, LLONG_MAX, &v, err, elen))
		return -EINVAL;
	h->interval_ns = (uint64_t)v;
	if (pd_int(o, "heartbeat_ns", false, 0, LLONG_MAX, &v, err, elen))
		return -EINVAL;
	h->heartbeat_ns = (uint64_t)v;
	return 0;
}

static int pd_link(json_t *o, struct proto_link *l, char *err, size_t elen)
{
	char s[16];

	if (pd_str(o, "link", true, true, s, sizeof(s), err, elen) ||
	    pd_str(o, "message", false, true, l->msg, sizeof(l->msg), err, elen))
		return -EINVAL;
	l->link = SNAP_LINK_DEGRADED;	/* a kind we do not know is a problem */
	for (size_t i = 0; i < PROTO_N(proto_links); i++)
		if (!strcmp(s, proto_links[i]))
			l->link = (enum snap_link)i;
	return 0;
}

static int pd_body(json_t *o, struct proto_msg *m, char *err, size_t elen)
{
	long long v;

	switch (m->type) {
	case PROTO_HELLO:
		return pd_hello(o, &m->u.hello, err, elen);
	case PROTO_DEV:
		return pd_dev(o, &m->u.dev, err, elen);
	case PROTO_STEP:
		return pd_step(o, &m->u.step, err, elen);
	case PROTO_LINK:
		return pd_link(o, &m->u.link, err, elen);
	case PROTO_HB:
		if (pd_int(o, "seq", false, 0, LLONG_MAX, &v, err, elen))
			return -EINVAL;
		m->u.hb_seq = (uint64_t)v;
		return 0;
	case PROTO_SYNC:
		if (pd_int(o, "devices", false, 0, LLONG_MAX, &v, err, elen))
			return -EINVAL;
		m->u.sync_devices = (uint64_t)v;
		return 0;
	case PROTO_UNKNOWN:
		return 0;
	}
	return 0;
}

/*
 * Decode one line (@len bytes, no newline).  Returns 0 with @m filled (a
 * type this version does not know gives PROTO_UNKNOWN), or -EINVAL with
 * the reason in @err.  Unknown fields are ignored.
 */
int proto_decode(const char *line, size_t len, struct proto_msg *m, char *err,
		 size_t elen)
{
	json_error_t je;
	json_t *o, *t;
	long long v;
	int rc = -EINVAL;

	memset(m, 0, sizeof(*m));
	err[0] = 0;
	if (len > PROTO_LINE_MAX) {
		snprintf(err, elen, "line longer than %d bytes", PROTO_LINE_MAX);
		return -EINVAL;
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		snprintf(err, elen, "invalid JSON: %s (column %d)", je.text,
			 je.column);
		return -EINVAL;
	}
	if (!json_is_object(o)) {
		snprintf(err, elen, "not a JSON object");
		goto out;
	}
	t = json_object_get(o, "type");
	if (!json_is_string(t)) {
		snprintf(err, elen, "\"type\" missing or not a string");
		goto out;
	}
	m->type = PROTO_UNKNOWN;
	for (size_t i = 0; i < PROTO_N(proto_types); i++)
		if (!strcmp(json_string_value(t), proto_types[i]))
			m->type = (enum proto_type)i;
	if (m->type == PROTO_UNKNOWN) {
		rc = 0;
		goto out;
	}
	if (pd_int(o, "mono_ns", true, 0, LLONG_MAX, &v, err, elen))
		goto out;
	m->mono_ns = (uint64_t)v;
	if (pd_int(o, "real_ns", true, LLONG_MIN, LLONG_MAX, &v, err, elen))
		goto out;
	m->real_ns = v;
	rc = pd_body(o, m, err, elen);
out:
	json_decref(o);
	return rc;
}

/* ---- framing ---- */

void proto_lines_init(struct proto_lines *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

void proto_lines_reset(struct proto_lines *l)
{
	l->len = l->off = 0;
	l->skipping = false;
}

void proto_lines_free(struct proto_lines *l)
{
	free(l->buf);
	proto_lines_init(l, l->max);
}

/*
 * Append @n bytes.  While a too-long line is being skipped, bytes up to
 * its newline are dropped here, so the buffer never holds more than one
 * line's worth plus one chunk.  Returns 0 or -ENOMEM.
 */
int proto_lines_feed(struct proto_lines *l, const char *p, size_t n)
{
	if (l->skipping) {
		const char *nl = memchr(p, '\n', n);

		if (!nl)
			return 0;
		l->skipping = false;
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	if (l->off) {
		memmove(l->buf, l->buf + l->off, l->len - l->off);
		l->len -= l->off;
		l->off = 0;
	}
	if (l->len + n > l->cap) {
		size_t cap = l->cap ? l->cap : 4096;
		char *nb;

		while (cap < l->len + n)
			cap *= 2;
		nb = realloc(l->buf, cap);
		if (!nb)
			return -ENOMEM;
		l->buf = nb;
		l->cap = cap;
	}
	if (n)
		memcpy(l->buf + l->len, p, n);
	l->len += n;
	return 0;
}

/*
 * The next complete line: returns 1 with @line/@len set (valid until the
 * next feed), 0 when none is complete yet, or -E2BIG once for a line that
 * grew past the limit (its bytes are dropped up to its newline).
 */
int proto_lines_next(struct proto_lines *l, const char **line, size_t *len)
{
	size_t avail = l->len - l->off;
	char *start = l->buf + l->off;
	char *nl = avail ? memchr(start, '\n', avail) : NULL;

	if (nl && (size_t)(nl - start) <= l->max) {
		*line = start;
		*len = (size_t)(nl - start);
		l->off += *len + 1;
		return 1;
	}
	if (nl) {		/* complete but too long */
		l->off += (size_t)(nl - start) + 1;
		return -E2BIG;
	}
	if (avail > l->max) {
		l->off = l->len;
		l->skipping = true;
		return -E2BIG;
	}
	return 0;
}

/* Bytes of a line started but not finished (a truncated line at EOF). */
size_t proto_lines_partial(const struct proto_lines *l)
{
	return l->len - l->off + (l->skipping ? 1 : 0);
}

/* ---- clocks ---- */

void proto_clock_reset(struct proto_clock *c)
{
	memset(c, 0, sizeof(*c));
}

/*
 * One sample: the peer's clocks when it sent a message, ours when we read
 * it.  The difference is the true offset minus the transit delay, so the
 * largest difference in the window (the fastest message) is the best
 * estimate, and never later than the truth (an NTP-like bound).
 */
void proto_clock_sample(struct proto_clock *c, uint64_t agent_mono,
			int64_t agent_real, uint64_t local_mono,
			int64_t local_real)
{
	unsigned int i = c->n % PROTO_CLOCK_WIN;

	c->mono_d[i] = (int64_t)(agent_mono - local_mono);
	c->real_d[i] = (int64_t)((uint64_t)agent_real - (uint64_t)local_real);
	c->n++;
}

/* Agent minus local offsets of both clocks; false before any sample. */
bool proto_clock_offsets(const struct proto_clock *c, int64_t *mono_off,
			 int64_t *real_off)
{
	unsigned int kept = c->n < PROTO_CLOCK_WIN ? c->n : PROTO_CLOCK_WIN;
	int64_t mo = INT64_MIN, ro = INT64_MIN;

	for (unsigned int i = 0; i < kept; i++) {
		if (c->mono_d[i] > mo)
			mo = c->mono_d[i];
		if (c->real_d[i] > ro)
			ro = c->real_d[i];
	}
	if (!kept)
		mo = ro = 0;
	if (mono_off)
		*mono_off = mo;
	if (real_off)
		*real_off = ro;
	return kept > 0;
}

/*
 * An agent CLOCK_MONOTONIC time as a local one, kept within
 * [@floor_ns, @ceil_ns] (e.g. 1 and the time it was received).
 */
uint64_t proto_clock_to_local(const struct proto_clock *c, uint64_t agent_mono,
			      uint64_t floor_ns, uint64_t ceil_ns)
{
	int64_t off;
	uint64_t t;

	if (!proto_clock_offsets(c, &off, NULL))
		return ceil_ns;
	t = agent_mono - (uint64_t)off;
	/* Wrapped below zero or past the ceiling: clamp. */
	if ((off > 0 && agent_mono < (uint64_t)off) || t < floor_ns)
		t = floor_ns;
	if (t > ceil_ns)
		t = ceil_ns;
	return t;
}
