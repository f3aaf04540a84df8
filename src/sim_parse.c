// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_parse.c - parse a vfiomig-scenario(5) file into a sorted list of steps.
 *
 * Pure: no I/O except sim_fprint_step().  A line is tokenized into fields
 * (bare, or double-quoted with C escapes) decoded into a scratch buffer;
 * `migrate` lines are expanded here (with sim_migrate.c) into the requests
 * QEMU makes of each side and what drivers and resets do besides, and
 * remembered with their outcome, so the replay only applies single steps.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "sim_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hexdigit.h"

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)
/* Largest time accepted, in ns (about 31 years). */
#define TIME_MAX_NS (INT64_C(999999999) * NS_PER_S)
/* Most fields on one line (migrate has up to 8). */
#define MAX_FIELDS 8

struct field {
	const char *s;		/* decoded bytes, in the line scratch buffer */
	size_t len;		/* bytes in s */
};

struct parser {
	const char *fname;	/* file name for messages */
	unsigned int line;	/* current 1-based line number */
	char *err;		/* message buffer */
	size_t errlen;		/* bytes in err */
	struct sim_scenario *sc; /* scenario being built */
	size_t cap;		/* allocated entries in sc->steps */
	size_t mig_cap;		/* allocated entries in sc->migs */
	int64_t prev_ns;	/* TIME of the previous step line, scenario clock */
	char *scratch;		/* decoded fields of the current line */
	size_t scratch_cap;	/* bytes allocated in scratch */
	bool done;		/* a loop line was read: ignore the rest */
};

const char *sim_fmt_time(char buf[32], int64_t ns)
{
	int64_t ms = (ns + NS_PER_MS / 2) / NS_PER_MS;

	snprintf(buf, 32, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
	return buf;
}

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%u: ", p->fname, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool field_is(const struct field *f, const char *s)
{
	return strlen(s) == f->len && !memcmp(f->s, s, f->len);
}

/* Decode one escape at *pp (just after the backslash) into *out. */
static int decode_escape(struct parser *p, const char **pp, const char *end,
			 char *out)
{
	static const char names[] = "nt\\\"", values[] = "\n\t\\\"";
	const char *s = *pp, *k;
	int hi, lo;

	if (s >= end)
		return perr(p, "unterminated string");
	k = *s ? strchr(names, *s) : NULL;
	if (k) {
		*out = values[k - names];
	} else if (*s == 'x') {
		hi = s + 1 < end ? hexdigit_value(s[1]) : -1;
		lo = s + 2 < end ? hexdigit_value(s[2]) : -1;
		if (hi < 0 || lo < 0)
			return perr(p, "bad escape '\\x' (expected two hex digits)");
		*out = (char)(hi << 4 | lo);
		s += 2;
	} else if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
		return perr(p, "bad escape (backslash then byte 0x%02x; expected \\n \\t \\\\ \\\" or \\xHH)",
			    (unsigned char)*s);
	} else {
		return perr(p, "bad escape '\\%c' (expected \\n \\t \\\\ \\\" or \\xHH)",
			    *s);
	}
	*pp = s + 1;
	return 0;
}

/* A quoted field starting at *pp (on the quote); decoded to *dst. */
static int lex_quoted(struct parser *p, const char **pp, const char *end,
		      char **dst)
{
	const char *s = *pp + 1;
	char *d = *dst;

	for (;;) {
		if (s >= end)
			return perr(p, "unterminated string");
		if (*s == '"')
			break;
		if (*s == '\\') {
			s++;
			if (decode_escape(p, &s, end, d))
				return -1;
			d++;
			continue;
		}
		*d++ = *s++;
	}
	s++;
	if (s < end && !is_blank(*s) && *s != '#')
		return perr(p, "blank expected after closing quote");
	*pp = s;
	*dst = d;
	return 0;
}

/* A bare field starting at *pp; copied to *dst. */
static int lex_bare(struct parser *p, const char **pp, const char *end,
		    char **dst)
{
	const char *s = *pp;
	char *d = *dst;

	while (s < end && !is_blank(*s) && *s != '#') {
		unsigned char c = (unsigned char)*s;

		if (c == '"')
			return perr(p, "unexpected quote inside a field");
		if (c < 0x20 || c == 0x7f)
			return perr(p, "control character 0x%02x in a field (quote it and use \\xHH)",
				    c);
		*d++ = *s++;
	}
	*pp = s;
	*dst = d;
	return 0;
}

static int grow_scratch(struct parser *p, size_t need)
{
	char *n;

	if (p->scratch && need <= p->scratch_cap)
		return 0;
	n = realloc(p->scratch, need);
	if (!n)
		return perr(p, "out of memory");
	p->scratch = n;
	p->scratch_cap = need;
	return 0;
}

/* Split one line (no newline) into fields; returns the count or -1. */
static int tokenize(struct parser *p, const char *s, size_t len,
		    struct field *f)
{
	const char *end = s + len;
	char *d;
	int n = 0;

	if (grow_scratch(p, len + 1))
		return -1;
	d = p->scratch;
	for (;;) {
		char *start;
		int rc;

		while (s < end && is_blank(*s))
			s++;
		if (s >= end || *s == '#')
			return n;
		if (n == MAX_FIELDS)
			return perr(p, "too many fields");
		start = d;
		if (*s == '"')
			rc = lex_quoted(p, &s, end, &d);
		else
			rc = lex_bare(p, &s, end, &d);
		if (rc)
			return -1;
		f[n].s = start;
		f[n].len = (size_t)(d - start);
		n++;
	}
}

/* Read decimal digits at *pp into *v (first 18 only); returns how many. */
static int parse_digits(const char **pp, const char *end, int64_t *v)
{
	const char *s = *pp;
	int n = 0;

	*v = 0;
	for (; s < end && *s >= '0' && *s <= '9'; s++, n++)
		if (n < 18)
			*v = *v * 10 + (*s - '0');
	*pp = s;
	return n;
}

/* TIME: seconds as a decimal, or +DELTA after the previous line's time. */
static int parse_time(struct parser *p, const struct field *f, int64_t *out)
{
	const char *s = f->s, *end = f->s + f->len;
	bool rel = s < end && *s == '+';
	int64_t sec, frac = 0;
	int nd, nf = 0;

	s += rel;
	nd = parse_digits(&s, end, &sec);
	if (s < end && *s == '.') {
		s++;
		nf = parse_digits(&s, end, &frac);
		if (nf == 0)
			goto bad;
	}
	if (nd == 0 || s != end)
		goto bad;
	if (nd > 9 || nf > 9)
		return perr(p, "time '%.*s' out of range (at most 9 digits each side of the point)",
			    (int)f->len, f->s);
	for (int i = nf; i < 9; i++)
		frac *= 10;
	*out = sec * NS_PER_S + frac + (rel ? p->prev_ns : 0);
	if (*out > TIME_MAX_NS)
		return perr(p, "time '%.*s' out of range", (int)f->len, f->s);
	return 0;
bad:
	return perr(p, "bad time '%.*s' (expected seconds such as 0, 1.25 or +0.5)",
		    (int)(f->len > 40 ? 40 : f->len), f->s);
}

static int parse_side(struct parser *p, const struct field *f,
		      enum sim_side *side)
{
	if (field_is(f, "src"))
		*side = SIM_SRC;
	else if (field_is(f, "dst"))
		*side = SIM_DST;
	else
		return perr(p, "bad side '%.*s' (expected src or dst)",
			    (int)(f->len > 40 ? 40 : f->len), f->s);
	return 0;
}

static int check_name(struct parser *p, const struct field *f)
{
	if (f->len == 0)
		return perr(p, "bad name: empty device name");
	if (f->len > SIM_NAME_MAX)
		return perr(p, "bad name: device name longer than %d bytes",
			    SIM_NAME_MAX);
	if (memchr(f->s, '/', f->len))
		return perr(p, "bad name: device name contains '/'");
	if (memchr(f->s, '\0', f->len))
		return perr(p, "bad name: device name contains a NUL byte");
	if (field_is(f, ".") || field_is(f, ".."))
		return perr(p, "bad name: '%.*s' is not a device name",
			    (int)f->len, f->s);
	if (f->len >= 5 && !memcmp(f->s, ".sim-", 5))
		return perr(p, "bad name: names starting with .sim- are reserved for the simulator");
	return 0;
}

static void *memdup0(const void *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Append a step for @dev (NULL for loop); returns it, or NULL on error. */
static struct sim_step *push(struct parser *p, int64_t t, enum sim_side side,
			     const struct field *dev, enum sim_action action)
{
	struct sim_scenario *sc = p->sc;
	struct sim_step *st;

	if (sc->n == SIM_STEPS_MAX) {
		perr(p, "too many steps (more than %u)", SIM_STEPS_MAX);
		return NULL;
	}
	if (sc->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct sim_step *n = realloc(sc->steps, cap * sizeof(*n));

		if (!n)
			goto oom;
		sc->steps = n;
		p->cap = cap;
	}
	st = &sc->steps[sc->n];
	memset(st, 0, sizeof(*st));
	st->time_ns = t;
	st->line = p->line;
	st->side = side;
	st->action = action;
	st->repeat = 1;
	if (dev) {
		st->dev = memdup0(dev->s, dev->len);
		if (!st->dev)
			goto oom;
		st->dev_len = dev->len;
	}
	sc->n++;
	return st;
oom:
	perr(p, "out of memory");
	return NULL;
}

static const char *const feature_names[] = {
	"stop-copy", "p2p", "pre-copy", "dirty-tracking",
};

static const unsigned int feature_flags[] = {
	FSM_F_STOP_COPY, FSM_F_P2P, FSM_F_PRE_COPY, SIM_F_DIRTY_TRACKING,
};

static int parse_feature(struct parser *p, const char *s, size_t len,
			 unsigned int *flags)
{
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(*feature_names); i++) {
		if (strlen(feature_names[i]) == len &&
		    !memcmp(feature_names[i], s, len)) {
			*flags |= feature_flags[i];
			return 0;
		}
	}
	return perr(p, "unknown feature '%.*s' (expected stop-copy, p2p, pre-copy, dirty-tracking or none)",
		    (int)(len > 40 ? 40 : len), s);
}

/* FEATURES: comma list, or `none`. */
static int parse_features(struct parser *p, const struct field *f,
			  struct sim_step *st)
{
	const char *s = f->s, *end = f->s + f->len;

	if (field_is(f, "none")) {
		st->has_features = false;
		return 0;
	}
	st->features = 0;
	for (;;) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *e = comma ? comma : end;

		if (parse_feature(p, s, (size_t)(e - s), &st->features))
			return -1;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int do_add(struct parser *p, int64_t t, enum sim_side side,
		  const struct field *f, int nf)
{
	struct sim_step *st;

	if (nf > 5)
		return perr(p, "add takes at most one argument (FEATURES)");
	st = push(p, t, side, &f[2], SIM_ADD);
	if (!st)
		return -1;
	st->has_features = true;
	st->features = SIM_F_DEFAULT;
	return nf == 5 ? parse_features(p, &f[4], st) : 0;
}

static int do_simple(struct parser *p, int64_t t, enum sim_side side,
		     const struct field *f, int nf, enum sim_action action)
{
	if (nf > 4)
		return perr(p, "%.*s takes no argument", (int)f[3].len, f[3].s);
	return push(p, t, side, &f[2], action) ? 0 : -1;
}

/* fail STATE: the driver fails the kernel's next step toward STATE. */
static int do_fail(struct parser *p, int64_t t, enum sim_side side,
		   const struct field *f, int nf)
{
	struct sim_step *st;
	enum fsm_state s;

	if (nf != 5)
		return perr(p, "fail takes exactly one argument (the STATE requested)");
	if (fsm_parse(f[4].s, f[4].len, &s))
		return perr(p, "fail: unknown state '%.*s' (expected a state token such as RUNNING_P2P)",
			    (int)(f[4].len > 40 ? 40 : f[4].len), f[4].s);
	st = push(p, t, side, &f[2], SIM_FAIL);
	if (!st)
		return -1;
	st->state = s;
	return 0;
}

static int set_raw(struct parser *p, struct sim_step *st,
		   const struct field *f, size_t repeat)
{
	if (f->len && repeat > SIM_RAW_MAX / f->len)
		return perr(p, "raw content too large (more than %u bytes)",
			    SIM_RAW_MAX);
	st->raw = memdup0(f->s, f->len);
	if (!st->raw)
		return perr(p, "out of memory");
	st->raw_len = f->len;
	st->repeat = repeat;
	return 0;
}

static int do_raw(struct parser *p, int64_t t, enum sim_side side,
		  const struct field *f, int nf)
{
	struct sim_step *st;

	if (nf != 5)
		return perr(p, "raw takes exactly one argument (STRING)");
	st = push(p, t, side, &f[2], SIM_RAW);
	return st ? set_raw(p, st, &f[4], 1) : -1;
}

static int do_raw_repeat(struct parser *p, int64_t t, enum sim_side side,
			 const struct field *f, int nf)
{
	const char *s = f[4].s;
	struct sim_step *st;
	int64_t n;
	int nd;

	if (nf != 6)
		return perr(p, "raw-repeat takes two arguments (N STRING)");
	nd = parse_digits(&s, f[4].s + f[4].len, &n);
	if (nd == 0 || nd > 10 || s != f[4].s + f[4].len ||
	    n > (int64_t)SIM_RAW_MAX)
		return perr(p, "bad repeat count '%.*s' (expected 0 to %u)",
			    (int)(f[4].len > 40 ? 40 : f[4].len), f[4].s,
			    SIM_RAW_MAX);
	st = push(p, t, side, &f[2], SIM_RAW);
	return st ? set_raw(p, st, &f[5], (size_t)n) : -1;
}

/* Remember a migrate line: the truth of its outcome. */
static int record_migration(struct parser *p, int64_t t, enum sim_side side,
			    const struct field *f, enum sim_fail fail)
{
	struct sim_scenario *sc = p->sc;
	struct sim_migration *m;

	if (sc->nmigs == p->mig_cap) {
		size_t cap = p->mig_cap ? p->mig_cap * 2 : 16;

		m = realloc(sc->migs, cap * sizeof(*m));
		if (!m)
			return perr(p, "out of memory");
		sc->migs = m;
		p->mig_cap = cap;
	}
	m = &sc->migs[sc->nmigs];
	memset(m, 0, sizeof(*m));
	m->time_ns = t;
	m->line = p->line;
	m->side = side;
	m->fail = fail;
	m->dev = memdup0(f[2].s, f[2].len);
	m->peer = memdup0(f[4].s, f[4].len);
	m->dev_len = f[2].len;
	m->peer_len = f[4].len;
	sc->nmigs++;
	if (!m->dev || !m->peer)
		return perr(p, "out of memory");
	return 0;
}

static int do_migrate(struct parser *p, int64_t t, enum sim_side side,
		      const struct field *f, int nf)
{
	enum sim_side peer_side = side == SIM_SRC ? SIM_DST : SIM_SRC;
	struct sim_mig_ev ev[SIM_MIG_EVS];
	struct sim_mig_opts o;
	size_t n;

	if (nf < 5)
		return perr(p, "migrate needs a PEER device");
	if (check_name(p, &f[4]))
		return -1;
	sim_mig_defaults(&o);
	for (int i = 5; i < nf; i++) {
		int rc = sim_mig_option(&o, f[i].s, f[i].len);

		if (rc == SIM_MIG_EUNKNOWN)
			return perr(p, "unknown migrate option '%.*s' (expected %s)",
				    (int)(f[i].len > 40 ? 40 : f[i].len),
				    f[i].s, sim_mig_expected());
		if (rc)
			return perr(p, "migrate option '%.*s' conflicts with an earlier one",
				    (int)f[i].len, f[i].s);
	}
	if (record_migration(p, t, side, f, o.fail))
		return -1;
	n = sim_mig_expand(&o, ev);
	for (size_t i = 0; i < n; i++) {
		struct sim_step *st;

		st = push(p, t + ev[i].ms * NS_PER_MS,
			  ev[i].peer ? peer_side : side,
			  ev[i].peer ? &f[4] : &f[2], ev[i].action);
		if (!st)
			return -1;
		if (ev[i].action == SIM_STATE || ev[i].action == SIM_FAIL)
			st->state = ev[i].state;
	}
	return 0;
}

static int do_loop(struct parser *p, int64_t t, const struct field *f, int nf)
{
	char b1[32], b2[32];

	if (!field_is(&f[1], "-") || !field_is(&f[2], "-"))
		return perr(p, "loop takes '-' as SIDE and DEVICE");
	if (nf > 4)
		return perr(p, "loop takes no argument");
	if (t == 0)
		return perr(p, "loop at time 0 would replay nothing forever");
	for (size_t i = 0; i < p->sc->n; i++) {
		const struct sim_step *st = &p->sc->steps[i];

		if (st->time_ns > t)
			return perr(p, "loop at %s s comes before the end of the migrate on line %u (a step at %s s)",
				    sim_fmt_time(b1, t), st->line,
				    sim_fmt_time(b2, st->time_ns));
	}
	p->done = true;
	return push(p, t, SIM_NOSIDE, NULL, SIM_LOOP) ? 0 : -1;
}

static int do_action(struct parser *p, int64_t t, enum sim_side side,
		     const struct field *f, int nf)
{
	const struct field *a = &f[3];
	enum fsm_state s;
	struct sim_step *st;

	if (field_is(a, "add"))
		return do_add(p, t, side, f, nf);
	if (field_is(a, "add-nomig"))
		return do_simple(p, t, side, f, nf, SIM_ADD_NOMIG);
	if (field_is(a, "remove"))
		return do_simple(p, t, side, f, nf, SIM_REMOVE);
	if (field_is(a, "reset"))
		return do_simple(p, t, side, f, nf, SIM_RESET);
	if (field_is(a, "error"))
		return do_simple(p, t, side, f, nf, SIM_ERROR);
	if (field_is(a, "fail"))
		return do_fail(p, t, side, f, nf);
	if (field_is(a, "raw"))
		return do_raw(p, t, side, f, nf);
	if (field_is(a, "raw-repeat"))
		return do_raw_repeat(p, t, side, f, nf);
	if (field_is(a, "migrate"))
		return do_migrate(p, t, side, f, nf);
	if (fsm_parse(a->s, a->len, &s))
		return perr(p, "unknown action '%.*s'",
			    (int)(a->len > 40 ? 40 : a->len), a->s);
	if (nf > 4)
		return perr(p, "a state takes no argument");
	st = push(p, t, side, &f[2], SIM_STATE);
	if (!st)
		return -1;
	st->state = s;
	return 0;
}

static int parse_line(struct parser *p, const char *s, size_t len)
{
	struct field f[MAX_FIELDS];
	char b1[32], b2[32];
	enum sim_side side = SIM_NOSIDE;
	int64_t t = 0;
	int nf;

	nf = tokenize(p, s, len, f);
	if (nf <= 0)
		return nf;
	if (nf < 4)
		return perr(p, "expected TIME SIDE DEVICE ACTION [ARGS...]");
	if (parse_time(p, &f[0], &t))
		return -1;
	if (t < p->prev_ns)
		return perr(p, "time goes backwards (%s s, after a step at %s s)",
			    sim_fmt_time(b1, t), sim_fmt_time(b2, p->prev_ns));
	p->prev_ns = t;
	if (field_is(&f[3], "loop"))
		return do_loop(p, t, f, nf);
	if (parse_side(p, &f[1], &side) || check_name(p, &f[2]))
		return -1;
	return do_action(p, t, side, f, nf);
}

static void merge(struct sim_step *a, size_t mid, size_t n,
		  struct sim_step *tmp)
{
	size_t i = 0, j = mid, k = 0;

	while (i < mid && j < n)
		tmp[k++] = a[j].time_ns < a[i].time_ns ? a[j++] : a[i++];
	while (i < mid)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(*a));
}

/* Stable bottom-up merge sort by time. */
static int sort_steps(struct sim_step *a, size_t n)
{
	struct sim_step *tmp;

	if (n < 2)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo + w < n; lo += 2 * w) {
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;

			merge(a + lo, w, hi - lo, tmp);
		}
	}
	free(tmp);
	return 0;
}

/* A `fail` followed at the same time by an `error` of the same device is
 * one request: the driver enters ERROR as it fails the step. */
static void fold_errors(struct sim_scenario *sc)
{
	for (size_t i = 0; i + 1 < sc->n; i++) {
		struct sim_step *f = &sc->steps[i], *e = &sc->steps[i + 1];

		if (f->action == SIM_FAIL && e->action == SIM_ERROR &&
		    f->time_ns == e->time_ns && f->side == e->side &&
		    f->dev_len == e->dev_len &&
		    !memcmp(f->dev, e->dev, f->dev_len)) {
			f->with_error = true;
			e->folded = true;
		}
	}
}

static int parse_all(struct parser *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;

	while (s < end && !p->done) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;

		p->line++;
		if (memchr(s, '\0', (size_t)(e - s)))
			return perr(p, "NUL byte in line (write it as \\x00 in a quoted string)");
		if (parse_line(p, s, (size_t)(e - s)))
			return -1;
		s = nl ? nl + 1 : end;
	}
	if (sort_steps(p->sc->steps, p->sc->n))
		return perr(p, "out of memory");
	fold_errors(p->sc);
	p->sc->loop = p->done ? (ssize_t)p->sc->n - 1 : -1;
	return 0;
}

int sim_parse(const char *text, size_t len, const char *fname,
	      struct sim_scenario *out, char *err, size_t errlen)
{
	struct parser p = {
		.fname = fname ? fname : "-",
		.err = err,
		.errlen = errlen,
		.sc = out,
	};
	int rc;

	memset(out, 0, sizeof(*out));
	out->loop = -1;
	if (errlen)
		err[0] = '\0';
	rc = parse_all(&p, text, len);
	free(p.scratch);
	if (rc)
		sim_free(out);
	return rc;
}

void sim_free(struct sim_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->steps[i].dev);
		free(sc->steps[i].raw);
	}
	free(sc->steps);
	for (size_t i = 0; i < sc->nmigs; i++) {
		free(sc->migs[i].dev);
		free(sc->migs[i].peer);
	}
	free(sc->migs);
	sc->steps = NULL;
	sc->n = 0;
	sc->loop = -1;
	sc->migs = NULL;
	sc->nmigs = 0;
}

static bool bare_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '#')
			return false;
	}
	return true;
}

int sim_fprint_field(FILE *f, const char *s, size_t len)
{
	if (bare_ok(s, len))
		return fwrite(s, 1, len, f) == len ? 0 : -1;
	if (fputc('"', f) == EOF)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;

		if (c == '\n')
			rc = fputs("\\n", f);
		else if (c == '\t')
			rc = fputs("\\t", f);
		else if (c == '\\' || c == '"')
			rc = fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			rc = fprintf(f, "\\x%02x", c);
		else
			rc = fputc(c, f);
		if (rc < 0)
			return -1;
	}
	return fputc('"', f) == EOF ? -1 : 0;
}

static int print_features(FILE *f, const struct sim_step *st)
{
	const char *sep = "";

	if (!st->has_features)
		return fputs(" none", f) < 0 ? -1 : 0;
	if (fputc(' ', f) == EOF)
		return -1;
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(*feature_names); i++) {
		if (!(st->features & feature_flags[i]))
			continue;
		if (fprintf(f, "%s%s", sep, feature_names[i]) < 0)
			return -1;
		sep = ",";
	}
	return 0;
}

static int print_action(FILE *f, const struct sim_step *st)
{
	switch (st->action) {
	case SIM_ADD:
		return fputs("add", f) < 0 ? -1 : print_features(f, st);
	case SIM_ADD_NOMIG:
		return fputs("add-nomig", f) < 0 ? -1 : 0;
	case SIM_REMOVE:
		return fputs("remove", f) < 0 ? -1 : 0;
	case SIM_STATE:
		return fputs(fsm_name(st->state), f) < 0 ? -1 : 0;
	case SIM_RESET:
		return fputs("reset", f) < 0 ? -1 : 0;
	case SIM_ERROR:
		return fputs("error", f) < 0 ? -1 : 0;
	case SIM_FAIL:
		return fprintf(f, "fail %s", fsm_name(st->state)) < 0 ? -1 : 0;
	case SIM_RAW:
		if (st->repeat == 1 ? fputs("raw ", f) < 0 :
		    fprintf(f, "raw-repeat %zu ", st->repeat) < 0)
			return -1;
		return sim_fprint_field(f, st->raw, st->raw_len);
	case SIM_LOOP:
		return fputs("loop", f) < 0 ? -1 : 0;
	}
	return -1;
}

int sim_fprint_step(FILE *f, const struct sim_step *st)
{
	static const char *const sides[] = { "src", "dst", "-" };
	char b[32];

	if (fprintf(f, "%s %s ", sim_fmt_time(b, st->time_ns), sides[st->side]) < 0)
		return -1;
	if (st->action == SIM_LOOP ? fputs("-", f) < 0 :
	    sim_fprint_field(f, st->dev, st->dev_len))
		return -1;
	if (fputc(' ', f) == EOF || print_action(f, st))
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}
