// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * view_batch.c - batch mode: plain text, JSON lines or an event stream on
 * stdout, for scripts, logs and bug reports.  The formats are documented in
 * vfiomigtop(8) and only ever extended.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fsm.h"
#include "obuf.h"
#include "view.h"

/* JSON schema version of --json output. */
#define VIEW_JSON_SCHEMA 1

struct view {
	enum opt_format fmt;		/* which output */
	struct obuf out;		/* the snapshot being built */
	uint64_t ev_next;		/* next model event to print (events mode) */
};

static struct view *vb_open(const struct options *o, char *err, size_t len)
{
	struct view *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	v->fmt = o->format;
	v->ev_next = 1;
	obuf_init(&v->out);
	return v;
}

static int vb_input_fd(struct view *v)
{
	(void)v;
	return -1;
}

static void vb_input(struct view *v, const struct view_ctx *c,
		     struct view_req *req)
{
	(void)v;
	(void)c;
	(void)req;
}


static const char *vb_status(enum dstate v)
{
	static const char *const s[DS_NR] = {
		[DS_INVALID] = "invalid", [DS_EINVAL] = "einval",
		[DS_GONE] = "gone", [DS_EACCES] = "eacces",
		[DS_UNPARSABLE] = "unparsable", [DS_ERRNO] = "errno",
		[DS_NOMIG] = "no-migration", [DS_UNKNOWN] = "unknown",
	};

	if (dstate_is_state(v))
		return "ok";
	return (unsigned int)v < DS_NR ? s[v] : "unknown";
}

static const char *vb_reason(enum pair_reason r)
{
	static const char *const s[] = {
		[PAIR_R_NONE] = "none", [PAIR_R_ERROR] = "error",
		[PAIR_R_SRC_ABORT] = "source-abort",
		[PAIR_R_SRC_CANCEL] = "source-cancel",
		[PAIR_R_STUCK] = "stuck-resuming", [PAIR_R_READ] = "read-error",
		[PAIR_R_GONE] = "gone", [PAIR_R_BUSY] = "busy",
		[PAIR_R_RESET] = "reset", [PAIR_R_STEP] = "step-failed",
	};

	return (unsigned int)r <= PAIR_R_STEP ? s[r] : "unknown";
}

static void vb_time(struct obuf *b, const struct view_ctx *c, uint64_t mono)
{
	char t[40];

	obuf_put(b, t, clock_fmt_iso(t, sizeof(t),
				     (int64_t)mono + c->real_off_ns));
}

static void vb_name_or_dash(struct obuf *b, const struct model *m, int idx,
			    const char *want)
{
	if (idx >= 0)
		obuf_esc_text(b, m->devs[idx]->name, strlen(m->devs[idx]->name));
	else if (want && *want)
		obuf_esc_text(b, want, strlen(want));
	else
		obuf_putc(b, '-');
}

/* ---- plain text ---- */

/* A present device whose source cannot read it now: its value is the last known. */
bool view_dev_stale(const struct view_ctx *c, const struct model_dev *d)
{
	const struct snapshot *sn = c->snap[d->side];

	return sn && d->present && d->slot < sn->nslots &&
	       sn->dev[d->slot].gen == d->gen && sn->dev[d->slot].stale;
}

/* Signed seconds with three decimals: "+0.012" (@plus) or "0.012", "-1.500". */
static void vb_offset(struct obuf *b, int64_t ns, bool plus)
{
	if (ns < 0 && ns > -(int64_t)CLOCK_NS_PER_MS)
		ns = 0;		/* no "-0.000" */
	if (ns < 0 || plus)
		obuf_putc(b, ns < 0 ? '-' : '+');
	obuf_ms3(b, ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns);
}

static void vb_text_dev(struct obuf *b, const struct view_ctx *c,
			const struct model_dev *d, uint64_t now)
{
	obuf_puts(b, pair_side_name(d->side));
	obuf_putc(b, ' ');
	obuf_esc_text(b, d->name, strlen(d->name));
	obuf_putc(b, ' ');
	obuf_puts(b, dstate_token(d->val));
	obuf_putc(b, ' ');
	obuf_ms3(b, now > d->since_ns ? now - d->since_ns : 0);
	obuf_putc(b, ' ');
	obuf_u64(b, d->transitions);
	if (d->busy_ns) {
		obuf_puts(b, " busy=");
		obuf_ms3(b, now > d->busy_ns ? now - d->busy_ns : 0);
	}
	if (d->val == DS_ERRNO || d->val == DS_GONE) {
		if (d->err)
			obuf_printf(b, " errno=%d", d->err);
	}
	if (d->val == DS_UNPARSABLE) {
		obuf_puts(b, " content=");
		obuf_esc_text(b, d->raw, d->raw_len);
	}
	if (view_dev_stale(c, d))
		obuf_puts(b, " stale");
	obuf_putc(b, '\n');
}

static void vb_text_pair(struct obuf *b, const struct model *m,
			 const struct model_pair *p, uint64_t now)
{
	const struct pair_verdict *v = &p->v;
	char why[256];

	obuf_puts(b, "pair ");
	vb_name_or_dash(b, m, p->dev[PAIR_SRC], p->want[PAIR_SRC]);
	obuf_putc(b, ' ');
	vb_name_or_dash(b, m, p->dev[PAIR_DST], p->want[PAIR_DST]);
	obuf_putc(b, ' ');
	if (p->dev[PAIR_SRC] < 0 || p->dev[PAIR_DST] < 0) {
		obuf_puts(b, "unpaired\n");
		return;
	}
	obuf_puts(b, pair_phase_name(v->phase));
	switch (v->phase) {
	case PAIR_IDLE:
		break;
	case PAIR_COMPLETED:
		obuf_putc(b, ' ');
		obuf_ms3(b, v->end_ns - v->start_ns);
		break;
	case PAIR_FAILED:
		pair_reason_text(v, now, why, sizeof(why));
		obuf_printf(b, " %s %s \"", pair_side_name(v->side),
			    vb_reason(v->reason));
		obuf_esc_json(b, why, strlen(why));
		obuf_putc(b, '"');
		break;
	default:
		obuf_putc(b, ' ');
		obuf_ms3(b, now > v->phase_ns ? now - v->phase_ns : 0);
		break;
	}
	obuf_putc(b, '\n');
}

static void vb_text(struct view *v, const struct view_ctx *c, uint64_t now)
{
	const struct model *m = c->m;
	struct obuf *b = &v->out;
	size_t ndev = 0, npair = 0;

	for (size_t i = 0; i < m->ndevs; i++)
		ndev += model_dev_listed(m->devs[i], m->cfg.tomb_ns, now);
	for (size_t k = 0; k < m->npairs; k++)
		npair += m->pairs[k].dev[0] >= 0 && m->pairs[k].dev[1] >= 0;
	obuf_puts(b, "snapshot ");
	obuf_u64(b, c->seq);
	obuf_putc(b, ' ');
	vb_time(b, c, now);
	for (int s = 0; s < PAIR_NSIDES; s++) {
		obuf_puts(b, s == PAIR_SRC ? " src=" : " dst=");
		if (c->label[s])
			obuf_esc_text(b, c->label[s], strlen(c->label[s]));
		else
			obuf_putc(b, '-');
	}
	obuf_printf(b, " devices=%zu pairs=%zu", ndev, npair);
	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct snapshot *sn = c->snap[s];

		if (!sn || !sn->host[0] || (s == PAIR_DST && sn == c->snap[PAIR_SRC]))
			continue;
		obuf_printf(b, " %s_host=", pair_side_name(s));
		obuf_esc_text(b, sn->host, strlen(sn->host));
		obuf_printf(b, " %s_clock_offset=", pair_side_name(s));
		vb_offset(b, sn->clock_offset_ns, true);
	}
	obuf_putc(b, '\n');
	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct snapshot *sn = c->snap[s];

		if (sn && sn->link != SNAP_LINK_OK) {
			obuf_printf(b, "source %s %s \"", pair_side_name(s),
				    sn->link == SNAP_LINK_DOWN ? "down" : "degraded");
			obuf_esc_json(b, sn->msg, strlen(sn->msg));
			obuf_puts(b, "\"\n");
		}
	}
	for (int s = 0; s < PAIR_NSIDES; s++)
		for (size_t i = 0; i < m->ndevs; i++)
			if (m->devs[i]->side == (enum pair_side)s &&
			    model_dev_listed(m->devs[i], m->cfg.tomb_ns, now))
				vb_text_dev(b, c, m->devs[i], now);
	for (size_t k = 0; k < m->npairs; k++)
		if (m->pairs[k].dev[0] >= 0 || *m->pairs[k].want[0])
			if (m->pairs[k].dev[1] >= 0 || *m->pairs[k].want[1])
				vb_text_pair(b, m, &m->pairs[k], now);
}

/* ---- JSON ---- */

static void vb_jstr(struct obuf *b, const char *s)
{
	obuf_putc(b, '"');
	obuf_esc_json(b, s, strlen(s));
	obuf_putc(b, '"');
}

static void vb_json_features(struct obuf *b, const struct model_dev *d)
{
	static const struct {
		unsigned int f;
		const char *name;
	} names[] = {
		{ FSM_F_STOP_COPY, "stop-copy" },
		{ FSM_F_P2P, "p2p" },
		{ FSM_F_PRE_COPY, "pre-copy" },
	};
	bool first = true;

	if (!d->features_known) {
		obuf_puts(b, "null");
		return;
	}
	obuf_putc(b, '[');
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(d->features & names[i].f))
			continue;
		if (!first)
			obuf_putc(b, ',');
		vb_jstr(b, names[i].name);
		first = false;
	}
	if (d->dirty_tracking) {
		if (!first)
			obuf_putc(b, ',');
		vb_jstr(b, "dirty-tracking");
	}
	obuf_putc(b, ']');
}

static void vb_json_dev(struct obuf *b, const struct view_ctx *c,
			const struct model_dev *d, uint64_t now)
{
	obuf_puts(b, "{\"side\":");
	vb_jstr(b, pair_side_name(d->side));
	obuf_puts(b, ",\"name\":");
	vb_jstr(b, d->name);
	obuf_puts(b, ",\"state\":");
	if (dstate_is_state(d->val) || d->val == DS_INVALID)
		vb_jstr(b, dstate_token(d->val));
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"status\":");
	vb_jstr(b, vb_status(d->val));
	obuf_puts(b, ",\"since\":");
	obuf_ms3(b, now > d->since_ns ? now - d->since_ns : 0);
	obuf_puts(b, ",\"transitions\":");
	obuf_u64(b, d->transitions);
	obuf_puts(b, ",\"present\":");
	obuf_puts(b, d->present ? "true" : "false");
	obuf_puts(b, ",\"migration\":");
	obuf_puts(b, d->val == DS_NOMIG ? "false" : "true");
	obuf_puts(b, ",\"features\":");
	vb_json_features(b, d);
	obuf_puts(b, ",\"busy\":");
	if (d->busy_ns)
		obuf_ms3(b, now > d->busy_ns ? now - d->busy_ns : 0);
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"errno\":");
	if (d->err)
		obuf_i64(b, d->err);
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"entered_error\":");
	obuf_puts(b, d->entered_error ? "true" : "false");
	obuf_puts(b, ",\"stale\":");
	obuf_puts(b, view_dev_stale(c, d) ? "true" : "false");
	if (d->val == DS_UNPARSABLE) {
		obuf_puts(b, ",\"content\":\"");
		obuf_esc_json(b, d->raw, d->raw_len);
		obuf_putc(b, '"');
	}
	obuf_putc(b, '}');
}

static void vb_json_name(struct obuf *b, const struct model *m, int idx,
			 const char *want)
{
	if (idx >= 0)
		vb_jstr(b, m->devs[idx]->name);
	else if (want && *want)
		vb_jstr(b, want);
	else
		obuf_puts(b, "null");
}

static void vb_json_pair(struct obuf *b, const struct model *m,
			 const struct model_pair *p, uint64_t now)
{
	const struct pair_verdict *v = &p->v;
	bool whole = p->dev[0] >= 0 && p->dev[1] >= 0;
	char txt[256];

	obuf_puts(b, "{\"src\":");
	vb_json_name(b, m, p->dev[PAIR_SRC], p->want[PAIR_SRC]);
	obuf_puts(b, ",\"dst\":");
	vb_json_name(b, m, p->dev[PAIR_DST], p->want[PAIR_DST]);
	obuf_puts(b, ",\"phase\":");
	vb_jstr(b, whole ? pair_phase_name(v->phase) : "unpaired");
	obuf_puts(b, ",\"verdict\":");
	if (whole) {
		pair_describe(v, now, txt, sizeof(txt));
		vb_jstr(b, txt);
	} else {
		obuf_puts(b, "null");
	}
	obuf_puts(b, ",\"failed\":");
	obuf_puts(b, whole && v->phase == PAIR_FAILED ? "true" : "false");
	obuf_puts(b, ",\"failed_side\":");
	if (whole && v->phase == PAIR_FAILED)
		vb_jstr(b, pair_side_name(v->side));
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"reason\":");
	if (whole && v->phase == PAIR_FAILED)
		vb_jstr(b, vb_reason(v->reason));
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"duration\":");
	if (whole && v->phase == PAIR_COMPLETED)
		obuf_ms3(b, v->end_ns - v->start_ns);
	else if (whole && v->start_ns && v->phase != PAIR_IDLE)
		obuf_ms3(b, (v->phase == PAIR_FAILED ? v->end_ns : now) > v->start_ns ?
			 (v->phase == PAIR_FAILED ? v->end_ns : now) - v->start_ns : 0);
	else
		obuf_puts(b, "null");
	obuf_putc(b, '}');
}

static void vb_json(struct view *v, const struct view_ctx *c, uint64_t now)
{
	const struct model *m = c->m;
	struct obuf *b = &v->out;
	bool first = true;

	obuf_printf(b, "{\"schema\":%d,\"type\":\"snapshot\",\"seq\":",
		    VIEW_JSON_SCHEMA);
	obuf_u64(b, c->seq);
	obuf_puts(b, ",\"time\":\"");
	vb_time(b, c, now);
	obuf_puts(b, "\",\"delay\":");
	obuf_ms3(b, c->delay_ns);
	obuf_puts(b, ",\"sources\":{");
	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct snapshot *sn = c->snap[s];

		obuf_puts(b, s ? ",\"dst\":" : "\"src\":");
		if (!c->label[s]) {
			obuf_puts(b, "null");
			continue;
		}
		obuf_puts(b, "{\"spec\":");
		vb_jstr(b, c->label[s]);
		obuf_puts(b, ",\"link\":");
		vb_jstr(b, !sn || sn->link == SNAP_LINK_OK ? "ok" :
			   sn->link == SNAP_LINK_DOWN ? "down" : "degraded");
		obuf_puts(b, ",\"message\":");
		if (sn && sn->msg[0])
			vb_jstr(b, sn->msg);
		else
			obuf_puts(b, "null");
		obuf_puts(b, ",\"remote\":");
		obuf_puts(b, sn && sn->host[0] ? "true" : "false");
		obuf_puts(b, ",\"host\":");
		if (sn && sn->host[0])
			vb_jstr(b, sn->host);
		else
			obuf_puts(b, "null");
		obuf_puts(b, ",\"clock_offset\":");
		if (sn && sn->host[0])
			vb_offset(b, sn->clock_offset_ns, false);
		else
			obuf_puts(b, "null");
		obuf_putc(b, '}');
	}
	obuf_puts(b, "},\"devices\":[");
	for (int s = 0; s < PAIR_NSIDES; s++) {
		for (size_t i = 0; i < m->ndevs; i++) {
			if (m->devs[i]->side != (enum pair_side)s ||
			    !model_dev_listed(m->devs[i], m->cfg.tomb_ns, now))
				continue;
			if (!first)
				obuf_putc(b, ',');
			vb_json_dev(b, c, m->devs[i], now);
			first = false;
		}
	}
	obuf_puts(b, "],\"pairs\":[");
	first = true;
	for (size_t k = 0; k < m->npairs; k++) {
		const struct model_pair *p = &m->pairs[k];

		if ((p->dev[0] < 0 && !*p->want[0]) ||
		    (p->dev[1] < 0 && !*p->want[1]))
			continue;
		if (!first)
			obuf_putc(b, ',');
		vb_json_pair(b, m, p, now);
		first = false;
	}
	obuf_puts(b, "]}\n");
}

/* ---- events ---- */

static void vb_event(struct obuf *b, const struct view_ctx *c,
		     const struct model_event *e)
{
	const struct model *m = c->m;
	const struct snapshot *sn = e->kind == MODEL_EV_TRANS ?
				    c->snap[m->devs[e->dev]->side] : NULL;
	char txt[256];

	/* A remote device's time is shown in its host's own clock. */
	vb_time(b, c, e->t_ns + (uint64_t)(sn && sn->host[0] ?
					   sn->clock_offset_ns : 0));
	if (e->kind == MODEL_EV_TRANS) {
		const struct model_dev *d = m->devs[e->dev];

		obuf_putc(b, ' ');
		obuf_puts(b, pair_side_name(d->side));
		obuf_putc(b, ' ');
		obuf_esc_text(b, d->name, strlen(d->name));
		obuf_putc(b, ' ');
		obuf_puts(b, e->tr.from == DS_UNKNOWN ? "-" :
			  dstate_token((enum dstate)e->tr.from));
		obuf_putc(b, ' ');
		obuf_puts(b, dstate_token((enum dstate)e->tr.to));
		if (e->tr.flags & MODEL_T_INFERRED)
			obuf_puts(b, " inferred");
		if (e->tr.flags & MODEL_T_ARC)
			obuf_puts(b, " arc");
		if (e->tr.flags & MODEL_T_NOPATH)
			obuf_puts(b, " nopath");
		if (e->tr.flags & MODEL_T_FAILED)
			obuf_puts(b, " failed");
		if (e->tr.flags & MODEL_T_REFUSED)
			obuf_puts(b, " refused");
	} else if (e->pair >= 0 && (size_t)e->pair < m->npairs) {
		const struct model_pair *p = &m->pairs[e->pair];

		obuf_puts(b, " pair ");
		vb_name_or_dash(b, m, p->dev[PAIR_SRC], p->want[PAIR_SRC]);
		obuf_putc(b, ' ');
		vb_name_or_dash(b, m, p->dev[PAIR_DST], p->want[PAIR_DST]);
		obuf_putc(b, ' ');
		obuf_puts(b, pair_phase_name(e->v.phase));
		if (e->v.phase == PAIR_COMPLETED) {
			obuf_putc(b, ' ');
			obuf_ms3(b, e->v.end_ns - e->v.start_ns);
		} else if (e->v.phase == PAIR_FAILED) {
			pair_reason_text(&e->v, e->t_ns, txt, sizeof(txt));
			obuf_printf(b, " %s %s \"", pair_side_name(e->v.side),
				    vb_reason(e->v.reason));
			obuf_esc_json(b, txt, strlen(txt));
			obuf_putc(b, '"');
		}
	}
	obuf_putc(b, '\n');
}

static int vb_cmp_event(const void *a, const void *b)
{
	const struct model_event *x = *(const struct model_event *const *)a;
	const struct model_event *y = *(const struct model_event *const *)b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/*
 * The events since the last frame, in time order: the sources of the two
 * sides finish their reads at different moments, so the model takes in
 * one side's news before the other's.
 */
static void vb_events(struct view *v, const struct view_ctx *c)
{
	const struct model *m = c->m;
	const struct model_event **ev;
	size_t n = 0;

	if (m->ev_seq >= v->ev_next + MODEL_EVENTS) {
		obuf_printf(&v->out, "# lost %llu events\n",
			    (unsigned long long)(m->ev_seq - MODEL_EVENTS + 1 -
						 v->ev_next));
		v->ev_next = m->ev_seq - MODEL_EVENTS + 1;
	}
	if (v->ev_next > m->ev_seq)
		return;
	ev = malloc((size_t)(m->ev_seq - v->ev_next + 1) * sizeof(*ev));
	for (; v->ev_next <= m->ev_seq; v->ev_next++) {
		const struct model_event *e = model_event(m, v->ev_next);

		if (!e)
			continue;
		if (ev)
			ev[n++] = e;
		else
			vb_event(&v->out, c, e);	/* no memory: as they came */
	}
	if (!ev)
		return;
	qsort(ev, n, sizeof(*ev), vb_cmp_event);
	for (size_t i = 0; i < n; i++)
		vb_event(&v->out, c, ev[i]);
	free(ev);
}

static int vb_frame(struct view *v, const struct view_ctx *c, uint64_t now)
{
	/* Snapshots keep the -d rhythm; events go out as soon as known. */
	if (c->extra && v->fmt != OPT_FMT_EVENTS)
		return 0;
	switch (v->fmt) {
	case OPT_FMT_TEXT:
		vb_text(v, c, now);
		break;
	case OPT_FMT_JSON:
		vb_json(v, c, now);
		break;
	case OPT_FMT_EVENTS:
		vb_events(v, c);
		break;
	case OPT_FMT_PROM:
		break;		/* view_prom.c */
	}
	return obuf_write(&v->out, stdout) ? -errno : 0;
}

static void vb_close(struct view *v)
{
	if (!v)
		return;
	obuf_free(&v->out);
	free(v);
}

const struct view_ops view_batch_ops = {
	.name = "batch",
	.open = vb_open,
	.input_fd = vb_input_fd,
	.input = vb_input,
	.frame = vb_frame,
	.close = vb_close,
};
