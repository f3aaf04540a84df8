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
#include "devinfo.h"
#include "fsm.h"
#include "obuf.h"
#include "pairdesc.h"
#include "verdict.h"
#include "view.h"

/* JSON schema version of --json output. */
#define VIEW_JSON_SCHEMA 2

struct view_batch {
	struct view base;		/* what the run loop holds */
	enum opt_format fmt;		/* which output */
	struct obuf out;		/* the snapshot being built */
	uint64_t ev_next;		/* next model event to print (events mode) */
};

static struct view *vb_open(const struct options *o, char *err, size_t len)
{
	struct view_batch *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	v->base.ops = &view_batch_ops;
	v->fmt = o->format;
	v->ev_next = 1;
	obuf_init(&v->out);
	return &v->base;
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

static void vb_time(struct obuf *b, const struct view_ctx *c, uint64_t mono)
{
	char t[40];

	obuf_put(b, t, clock_fmt_iso(t, sizeof(t),
				     (int64_t)mono + c->real_off_ns));
}

/* ---- plain text ---- */

/* A pair's names in text: each escaped, "-" for none. */
static void vb_text_names(struct obuf *b, const char *const name[PAIR_NSIDES])
{
	for (int s = 0; s < PAIR_NSIDES; s++) {
		if (s)
			obuf_putc(b, ' ');
		if (name[s])
			obuf_esc_text(b, name[s], strlen(name[s]));
		else
			obuf_putc(b, '-');
	}
}

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
			const struct model_dev *d, int idx, uint64_t now)
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
	if (model_dev_idle_error(d))
		obuf_puts(b, " idle");
	devinfo_text_dev(c->m->info, idx, now, b);
	obuf_putc(b, '\n');
}

/*
 * An attempt in one line's words: "pre-copy 1.200" (@in_phase; "pre-copy"
 * without), "completed 0.840", "failed dst step-failed \"...\"",
 * "uncertain dst left-resuming-unseen \"...\"" (the same in text
 * snapshots and in events).
 */
static void vb_attempt(struct obuf *b, const struct pairdesc_att *d,
		       bool in_phase)
{
	char why[640];

	obuf_puts(b, d->word);
	if (!d->decided) {
		if (in_phase) {
			obuf_putc(b, ' ');
			obuf_ms3(b, d->phase_ns);
		}
		return;
	}
	obuf_putc(b, ' ');
	if (!d->blamed) {
		obuf_ms3(b, d->dur_ns);
		return;
	}
	att_reason_text(d->a, why, sizeof(why));
	obuf_printf(b, "%s %s \"", pair_side_name(d->side), d->reason);
	obuf_esc_json(b, why, strlen(why));
	obuf_putc(b, '"');
}

static void vb_text_pair(struct obuf *b, const struct model *m,
			 const struct model_pair *p, uint64_t now)
{
	struct pairdesc d;

	pairdesc_of(m, p, now, &d);
	obuf_puts(b, "pair ");
	vb_text_names(b, d.name);
	obuf_putc(b, ' ');
	if (d.has_att)
		vb_attempt(b, &d.att, true);
	else
		obuf_puts(b, d.v.word);
	if (d.counts)
		obuf_printf(b, " attempts=%u completed=%u failed=%u uncertain=%u",
			    d.v.attempts, d.v.count[ATT_COMPLETED],
			    d.v.count[ATT_FAILED], d.v.count[ATT_UNCERTAIN]);
	if (d.v.stranded) {
		obuf_printf(b, " stranded=%s:",
			    pair_side_name((enum pair_side)d.v.stranded_side));
		obuf_ms3(b, d.stranded_for_ns);
	}
	obuf_putc(b, '\n');
}

static void vb_text(struct view_batch *v, const struct view_ctx *c, uint64_t now)
{
	const struct model *m = c->m;
	struct obuf *b = &v->out;
	size_t ndev = 0, npair = 0;

	for (size_t i = 0; i < m->ndevs; i++)
		ndev += model_dev_listed(m->devs[i], m->cfg.tomb_ns, now);
	for (size_t k = 0; k < m->npairs; k++)
		npair += pairdesc_listed(&m->pairs[k]);
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
		if (sn->ever)
			vb_offset(b, sn->clock_offset_ns, true);
		else
			obuf_putc(b, '-');	/* never reached: not known */
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
				vb_text_dev(b, c, m->devs[i], (int)i, now);
	for (size_t k = 0; k < m->npairs; k++)
		if (pairdesc_listed(&m->pairs[k]))
			vb_text_pair(b, m, &m->pairs[k], now);
}

/* ---- JSON ---- */

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
		obuf_json_str(b, names[i].name);
		first = false;
	}
	if (d->dirty_tracking) {
		if (!first)
			obuf_putc(b, ',');
		obuf_json_str(b, "dirty-tracking");
	}
	obuf_putc(b, ']');
}

static void vb_json_dev(struct obuf *b, const struct view_ctx *c,
			const struct model_dev *d, int idx, uint64_t now)
{
	obuf_puts(b, "{\"side\":");
	obuf_json_str(b, pair_side_name(d->side));
	obuf_puts(b, ",\"name\":");
	obuf_json_str(b, d->name);
	obuf_puts(b, ",\"state\":");
	if (dstate_is_state(d->val) || d->val == DS_INVALID)
		obuf_json_str(b, dstate_token(d->val));
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"status\":");
	obuf_json_str(b, vb_status(d->val));
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
	obuf_puts(b, ",\"idle_error\":");
	obuf_puts(b, model_dev_idle_error(d) ? "true" : "false");
	obuf_puts(b, ",\"stale\":");
	obuf_puts(b, view_dev_stale(c, d) ? "true" : "false");
	if (d->val == DS_UNPARSABLE) {
		obuf_puts(b, ",\"content\":\"");
		obuf_esc_json(b, d->raw, d->raw_len);
		obuf_putc(b, '"');
	}
	devinfo_json_dev(c->m->info, idx, now, b);
	obuf_putc(b, '}');
}

/* A string, or null for NULL. */
static void vb_jstr_or_null(struct obuf *b, const char *s)
{
	if (s)
		obuf_json_str(b, s);
	else
		obuf_puts(b, "null");
}

static void vb_json_attempt(struct obuf *b, const struct pairdesc_att *d,
			    uint64_t now)
{
	const struct att_attempt *a = d->a;
	char txt[640];

	obuf_puts(b, "{\"no\":");
	obuf_u64(b, a->no);
	obuf_puts(b, ",\"outcome\":");
	obuf_json_str(b, d->word);
	obuf_puts(b, ",\"decided\":");
	obuf_puts(b, d->decided ? "true" : "false");
	obuf_puts(b, ",\"exact\":");
	obuf_puts(b, a->exact ? "true" : "false");
	obuf_puts(b, ",\"start_seen\":");
	obuf_puts(b, a->start_seen ? "true" : "false");
	obuf_puts(b, ",\"duration\":");
	obuf_ms3(b, d->dur_ns);
	obuf_puts(b, ",\"side\":");
	vb_jstr_or_null(b, d->blamed ? pair_side_name(d->side) : NULL);
	obuf_puts(b, ",\"reason\":");
	vb_jstr_or_null(b, d->reason);
	obuf_puts(b, ",\"text\":");
	att_describe(a, now, txt, sizeof(txt));
	obuf_json_str(b, txt);
	obuf_puts(b, ",\"hint\":");
	if (att_hint_text(a, txt, sizeof(txt)))
		obuf_json_str(b, txt);
	else
		obuf_puts(b, "null");
	obuf_putc(b, '}');
}

static void vb_json_pair(struct obuf *b, const struct model *m,
			 const struct model_pair *p, uint64_t now)
{
	struct pairdesc d;
	char txt[720];

	pairdesc_of(m, p, now, &d);
	obuf_puts(b, "{\"src\":");
	vb_jstr_or_null(b, d.name[PAIR_SRC]);
	obuf_puts(b, ",\"dst\":");
	vb_jstr_or_null(b, d.name[PAIR_DST]);
	obuf_puts(b, ",\"phase\":");
	obuf_json_str(b, d.v.word);
	obuf_puts(b, ",\"verdict\":");
	if (d.paired) {
		verdict_text(&d.v, now, txt, sizeof(txt));
		obuf_json_str(b, txt);
	} else {
		obuf_puts(b, "null");
	}
	obuf_puts(b, ",\"failed\":");
	obuf_puts(b, d.v.kind == VERDICT_FAILED ? "true" : "false");
	obuf_puts(b, ",\"vmm_disagree\":");
	obuf_puts(b, d.v.vmm_disagree ? "true" : "false");
	obuf_puts(b, ",\"stranded\":");
	if (d.v.stranded) {
		obuf_puts(b, "{\"side\":");
		obuf_json_str(b, pair_side_name((enum pair_side)d.v.stranded_side));
		obuf_puts(b, ",\"no_owner\":");
		obuf_puts(b, d.v.orphan ? "true" : "false");
		obuf_puts(b, ",\"for\":");
		obuf_ms3(b, d.stranded_for_ns);
		obuf_putc(b, '}');
	} else {
		obuf_puts(b, "null");
	}
	obuf_puts(b, ",\"counts\":{\"completed\":");
	obuf_u64(b, d.v.count[ATT_COMPLETED]);
	obuf_puts(b, ",\"failed\":");
	obuf_u64(b, d.v.count[ATT_FAILED]);
	obuf_puts(b, ",\"uncertain\":");
	obuf_u64(b, d.v.count[ATT_UNCERTAIN]);
	obuf_puts(b, "},\"attempts\":[");
	for (unsigned int i = 0; i < d.nlist; i++) {
		if (i)
			obuf_putc(b, ',');
		vb_json_attempt(b, &d.list[i], now);
	}
	obuf_puts(b, "]}");
}

static void vb_json(struct view_batch *v, const struct view_ctx *c, uint64_t now)
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
		obuf_json_str(b, c->label[s]);
		obuf_puts(b, ",\"link\":");
		obuf_json_str(b, !sn || sn->link == SNAP_LINK_OK ? "ok" :
			   sn->link == SNAP_LINK_DOWN ? "down" : "degraded");
		obuf_puts(b, ",\"message\":");
		if (sn && sn->msg[0])
			obuf_json_str(b, sn->msg);
		else
			obuf_puts(b, "null");
		obuf_puts(b, ",\"remote\":");
		obuf_puts(b, sn && sn->host[0] ? "true" : "false");
		obuf_puts(b, ",\"host\":");
		if (sn && sn->host[0])
			obuf_json_str(b, sn->host);
		else
			obuf_puts(b, "null");
		obuf_puts(b, ",\"clock_offset\":");
		if (sn && sn->host[0] && sn->ever)
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
			vb_json_dev(b, c, m->devs[i], (int)i, now);
			first = false;
		}
	}
	obuf_puts(b, "],\"pairs\":[");
	first = true;
	for (size_t k = 0; k < m->npairs; k++) {
		const struct model_pair *p = &m->pairs[k];

		if (!pairdesc_listed(p))
			continue;
		if (!first)
			obuf_putc(b, ',');
		vb_json_pair(b, m, p, now);
		first = false;
	}
	obuf_putc(b, ']');
	devinfo_json_top(m->info, b);
	obuf_puts(b, "}\n");
}

/* ---- events ---- */

static void vb_event(struct obuf *b, const struct view_ctx *c,
		     const struct model_event *e)
{
	const struct model *m = c->m;
	const struct snapshot *sn = e->kind == MODEL_EV_TRANS ?
				    c->snap[m->devs[e->dev]->side] : NULL;

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
		if (e->tr.flags & MODEL_T_MISSED)
			obuf_puts(b, " missed");
		if (e->tr.flags & MODEL_T_UNSURE)
			obuf_puts(b, " unsure");
	} else if (e->pair >= 0 && (size_t)e->pair < m->npairs) {
		const char *name[PAIR_NSIDES];
		struct pairdesc_att att;

		pairdesc_names(m, &m->pairs[e->pair], name);
		pairdesc_att_of(&e->att.a, e->t_ns, &att);
		obuf_puts(b, " pair ");
		vb_text_names(b, name);
		obuf_putc(b, ' ');
		vb_attempt(b, &att, false);
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
static void vb_events(struct view_batch *v, const struct view_ctx *c)
{
	const struct model *m = c->m;
	const struct model_event **ev;
	size_t n = 0;

	if (v->ev_next < c->ev_first)
		v->ev_next = c->ev_first;	/* a replay's --begin */
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

static int vb_frame(struct view *base, const struct view_ctx *c, uint64_t now)
{
	struct view_batch *v = VIEW_OF(base, struct view_batch);

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

static void vb_close(struct view *base)
{
	struct view_batch *v;

	if (!base)
		return;
	v = VIEW_OF(base, struct view_batch);
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
