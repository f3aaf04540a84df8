// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report.c - vfiomigtop --report: after every refresh (live, or replayed
 * from a journal) the attempts the model decided are taken with both
 * devices' timelines as they stood then; at the end they are printed as a
 * plain-text report meant to be pasted whole into a bug report, or as
 * JSON.  The details screen shows the same text for the selected pair.
 *
 * What other work fills in later has its place here already: device facts
 * come from journal_idents (the driver from sysfs today; issue 11's
 * identity and QEMU's view over QMP, keys "qemu_*", when present), and
 * the module's own missed-arc count from the key "arcs_missed".
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fsm.h"
#include "verdict.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

static struct report_env report_env_cur;
static bool report_env_have;

void report_init(struct report *rp, const char *want)
{
	memset(rp, 0, sizeof(*rp));
	rp->want = want;
	rp->ev_next = 1;
}

void report_free(struct report *rp)
{
	free(rp->it);
	rp->it = NULL;
	rp->n = rp->cap = 0;
}

/* Set the environment the details screen's report uses. */
void report_env_set(const struct report_env *e)
{
	report_env_cur = *e;
	report_env_have = true;
}

const struct report_env *report_env_get(void)
{
	return report_env_have ? &report_env_cur : NULL;
}

/* What is known of a live run's sources. */
void report_env_live(struct report_env *e, const struct source *const *src,
		     const unsigned int *feed, size_t nsrc,
		     const struct model *m, int64_t real_off)
{
	char kernel[128], boot[64], module[64];

	memset(e, 0, sizeof(*e));
	journal_host_facts(e->local_host, sizeof(e->local_host), kernel,
			   sizeof(kernel), boot, sizeof(boot), module,
			   sizeof(module));
	snprintf(e->origin, sizeof(e->origin), "live on %s", e->local_host);
	e->real_off = real_off;
	for (size_t i = 0; i < nsrc; i++) {
		struct journal_srcinfo in;
		enum model_feed k = m->feeds[feed[i]].kind;

		journal_local_info(src[i]->spec, src[i]->ops->kind, &in);
		for (int s = 0; s < PAIR_NSIDES; s++) {
			if ((k == MODEL_FEED_SRC && s == PAIR_DST) ||
			    (k == MODEL_FEED_DST && s == PAIR_SRC))
				continue;
			e->side[s] = in;
			e->have[s] = true;
		}
	}
}

/* Does the pair SRC, DST match what --report=PAIR asked for ("SRC=DST",
 * or a device name of either side)?  NULL matches every pair. */
bool report_pair_matches(const char *want, const char *src, const char *dst)
{
	const char *eq;

	if (!want)
		return true;
	eq = strchr(want, '=');
	if (!eq)
		return !strcmp(want, src) || !strcmp(want, dst);
	return strlen(src) == (size_t)(eq - want) &&
	       !strncmp(want, src, (size_t)(eq - want)) && !strcmp(eq + 1, dst);
}

static void report_take_dev(struct report_dev *rd, const struct model *m,
			    const struct view_ctx *c, int idx)
{
	const struct model_dev *d;
	const struct snapshot *sn;
	struct model_trans t;

	memset(rd, 0, sizeof(*rd));
	if (idx < 0 || (size_t)idx >= m->ndevs)
		return;
	d = m->devs[idx];
	rd->known = true;
	snprintf(rd->name, sizeof(rd->name), "%s", d->name);
	rd->val = d->val;
	rd->features_known = d->features_known;
	rd->features = d->features;
	rd->dirty = d->dirty_tracking;
	rd->flags_seen = d->flags_seen;
	rd->exact = d->exact;
	sn = c ? c->snap[d->side] : NULL;
	if (sn && sn->host[0]) {
		rd->remote = true;
		rd->clock_off = sn->clock_offset_ns;
		snprintf(rd->host, sizeof(rd->host), "%s", sn->host);
	}
	rd->hist_cut = d->hist_n > MODEL_HIST;
	for (unsigned int i = 0; model_hist_get(d, i, &t); i++) {
		rd->hist[rd->nhist++] = t;
		if (t.flags & MODEL_T_LOSS)
			rd->losses++;
	}
}

static int report_push(struct report *rp, const struct model *m,
		       const struct view_ctx *c, const struct model_pair *p,
		       const struct att_attempt *a)
{
	struct report_item *it;

	if (rp->n == rp->cap) {
		size_t cap = rp->cap ? rp->cap * 2 : 8;

		it = realloc(rp->it, cap * sizeof(*it));
		if (!it)
			return -ENOMEM;
		rp->it = it;
		rp->cap = cap;
	}
	it = &rp->it[rp->n++];
	memset(it, 0, sizeof(*it));
	it->a = *a;
	it->taken_ns = m->now_ns;
	for (int s = 0; s < PAIR_NSIDES; s++)
		report_take_dev(&it->dev[s], m, c, p->dev[s]);
	return 0;
}

static const char *report_name(const struct model *m,
			       const struct model_pair *p, int s)
{
	return p->dev[s] >= 0 ? m->devs[p->dev[s]]->name : p->want[s];
}

/*
 * After a refresh: take the attempts the model decided in it (with
 * --report=PAIR, every attempt of that pair; else every failed one).
 */
void report_collect(struct report *rp, const struct model *m,
		    const struct view_ctx *c)
{
	if (c && c->model_gen != rp->model_gen) {
		rp->model_gen = c->model_gen;	/* a new model: count afresh */
		rp->ev_next = 1;
	}
	if (c && rp->ev_next < c->ev_first)
		rp->ev_next = c->ev_first;
	if (rp->ev_next + MODEL_EVENTS <= m->ev_seq)
		rp->ev_next = m->ev_seq - MODEL_EVENTS + 1;
	for (; rp->ev_next <= m->ev_seq; rp->ev_next++) {
		const struct model_event *e = model_event(m, rp->ev_next);
		const struct model_pair *p;

		if (!e || e->kind != MODEL_EV_PAIR || !e->att.decided ||
		    e->pair < 0 || (size_t)e->pair >= m->npairs)
			continue;
		p = &m->pairs[e->pair];
		rp->decided++;
		rp->failed += e->att.a.outcome == ATT_FAILED;
		if (!report_pair_matches(rp->want, report_name(m, p, PAIR_SRC),
					 report_name(m, p, PAIR_DST)))
			continue;
		rp->matched = true;
		if (rp->want || e->att.a.outcome == ATT_FAILED)
			report_push(rp, m, c, p, &e->att.a);
	}
}

/* At the end: with --report=PAIR, the attempt still under way too. */
void report_finish(struct report *rp, const struct model *m,
		   const struct view_ctx *c)
{
	report_collect(rp, m, c);
	if (!rp->want)
		return;
	for (size_t k = 0; k < m->npairs; k++) {
		const struct model_pair *p = &m->pairs[k];

		if (!report_pair_matches(rp->want, report_name(m, p, PAIR_SRC),
					 report_name(m, p, PAIR_DST)))
			continue;
		rp->matched = true;
		if (p->att && p->att->open)
			report_push(rp, m, c, p, &p->att->cur);
	}
}

/* ---- formatting ---- */

static void report_iso(struct obuf *b, const struct report_env *e,
		       uint64_t mono, int64_t off)
{
	char t[40];

	if (!mono) {
		obuf_puts(b, "-");
		return;
	}
	obuf_put(b, t, clock_fmt_iso(t, sizeof(t),
				     (int64_t)mono + e->real_off + off));
}

static void report_secs(struct obuf *b, uint64_t ns)
{
	obuf_ms3(b, ns);
	obuf_puts(b, " s");
}

static const char *report_state(uint8_t v)
{
	return v == DS_UNKNOWN ? "-" : dstate_token((enum dstate)v);
}

static void report_marks(char *buf, size_t len, uint8_t f)
{
	snprintf(buf, len, "%s%s%s%s%s%s",
		 f & (MODEL_T_ARC | MODEL_T_ATTEMPT) ? "exact (arc log)" :
		 f & MODEL_T_INFERRED ? "inferred" :
		 f & MODEL_T_MISSED ? "read (steps missed)" : "read",
		 f & MODEL_T_NOPATH ? ", no kernel path" : "",
		 f & MODEL_T_FAILED ? ", FAILED step" : "",
		 f & MODEL_T_UNSURE ? ", taken or failed: not known" : "",
		 f & MODEL_T_REFUSED ? ", refused request" : "",
		 f & MODEL_T_LOSS ? ", after lost arcs" : "");
}

static void report_features(char *buf, size_t len, const struct report_dev *d)
{
	unsigned int f = d->features_known ? d->features : d->flags_seen;

	snprintf(buf, len, "%s%s%s%s%s",
		 f & FSM_F_STOP_COPY ? "stop-copy " : "",
		 f & FSM_F_P2P ? "p2p " : "",
		 f & FSM_F_PRE_COPY ? "pre-copy " : "",
		 d->dirty ? "dirty-tracking " : "",
		 d->features_known ? "(features file)" :
		 "(no features file: implied by the states seen)");
}

/* How long the value set by transition @i held: until the next one that
 * changed the value (failed steps and refused requests change nothing),
 * else until the report was taken (@open set). */
static uint64_t report_held(const struct report_item *it,
			    const struct report_dev *d, unsigned int i,
			    bool *open)
{
	uint64_t t = d->hist[i].t_ns, next = it->taken_ns;

	*open = true;
	for (unsigned int k = i + 1; k < d->nhist; k++)
		if (!(d->hist[k].flags & MODEL_T_ATTEMPT)) {
			next = d->hist[k].t_ns;
			*open = false;
			break;
		}
	return next > t ? next - t : 0;
}

/* The transitions of @d that belong to attempt @a: from the one that set
 * the state it started in, to the deciding moment. */
static void report_span(const struct report_item *it, const struct report_dev *d,
			unsigned int *from, unsigned int *to)
{
	const struct att_attempt *a = &it->a;
	uint64_t end = a->outcome == ATT_OPEN || !a->end_ns ? it->taken_ns :
		       a->end_ns;
	unsigned int i0 = 0, i1 = d->nhist;

	for (unsigned int i = 0; i < d->nhist; i++)
		if (d->hist[i].t_ns <= a->start_ns)
			i0 = i;
	for (unsigned int i = i0 + 1; i < d->nhist; i++)
		if (d->hist[i].t_ns > end) {
			i1 = i;
			break;
		}
	*from = i0;
	*to = i1;
}

static const char *report_files_text(const char *files)
{
	if (!files[0])
		return "not known";
	if (!strcmp(files, "vfiomig.ko"))
		return "vfiomig.ko (vfiomigtop's module)";
	if (!strcmp(files, "kernel-debugfs"))
		return "the kernel's debugfs (CONFIG_VFIO_DEBUGFS)";
	if (!strcmp(files, "directory"))
		return "a directory (not debugfs: a copy or a test tree)";
	if (!strcmp(files, "remote"))
		return "a remote agent (its host's debugfs)";
	return files;
}

/* A device fact: from the recording, else, for a device of this host's
 * debugfs, the driver sysfs shows now. */
static const char *report_fact(const struct report *rp, int s,
			       const struct report_dev *d, const char *key,
			       char *buf, size_t len)
{
	const char *v = rp->env.ids ?
			journal_ident_get(rp->env.ids, s, d->name, key) : NULL;
	const char *files = rp->env.side[s].files;
	char par[64];

	if (v)
		return strcmp(v, "-") ? v : NULL;
	if (d->remote || (!strstr(files, "debugfs") && !strstr(files, "vfiomig.ko")) ||
	    (strcmp(key, "driver") && strcmp(key, "parent_driver")))
		return NULL;
	if (!strcmp(key, "driver"))
		journal_ident_local(d->name, buf, len, par, sizeof(par));
	else
		journal_ident_local(d->name, par, sizeof(par), buf, len);
	return buf[0] ? buf : NULL;
}

static void report_text_side(struct obuf *b, const struct report *rp,
			     const struct report_item *it, int s)
{
	const struct report_env *e = &rp->env;
	const struct report_dev *d = &it->dev[s];
	const struct journal_srcinfo *in = &e->side[s];
	const struct journal_ident *id;
	const char *v;
	char buf[400];

	obuf_printf(b, "\n%s  ", s == PAIR_SRC ? "SOURCE" : "DESTINATION");
	obuf_esc_text(b, d->name, strlen(d->name));
	obuf_putc(b, '\n');
	obuf_puts(b, "  host:        ");
	v = d->host[0] ? d->host : in->host[0] ? in->host : e->local_host;
	obuf_esc_text(b, v, strlen(v));
	if (d->remote)
		obuf_printf(b, " (remote; its clock %+.3f s from ours)",
			    (double)d->clock_off / 1e9);
	obuf_puts(b, "\n  kernel:      ");
	obuf_puts(b, in->kernel[0] ? in->kernel : "not known");
	obuf_puts(b, "\n  state files: ");
	obuf_puts(b, report_files_text(in->files));
	if (d->exact)
		obuf_puts(b, ", with the module's arc log (exact steps)");
	if (in->module[0])
		obuf_printf(b, "; vfiomig.ko%s%s loaded",
			    strcmp(in->module, "loaded") ? " " : "",
			    strcmp(in->module, "loaded") ? in->module : "");
	v = report_fact(rp, s, d, "driver", buf, sizeof(buf));
	obuf_puts(b, "\n  driver:      ");
	obuf_puts(b, v ? v : "not known");
	v = report_fact(rp, s, d, "parent_driver", buf, sizeof(buf));
	if (v)
		obuf_printf(b, " (parent device: %s)", v);
	report_features(buf, sizeof(buf), d);
	obuf_puts(b, "\n  features:    ");
	obuf_puts(b, buf);
	obuf_printf(b, "\n  missed arcs: %u step%s after lost arcs in its timeline",
		    d->losses, d->losses == 1 ? "" : "s");
	v = e->ids ? journal_ident_get(e->ids, s, d->name, "arcs_missed") : NULL;
	obuf_printf(b, "; the module's count: %s", v ? v : "not reported");
	obuf_puts(b, "\n  identity:    ");
	id = e->ids ? journal_ident_find(e->ids, s, d->name) : NULL;
	if (!id || !id->n) {
		obuf_puts(b, "not known");
	} else {
		bool any = false;

		for (size_t k = 0; k < id->n; k++) {
			if (!strcmp(id->kv[k].key, "driver") ||
			    !strcmp(id->kv[k].key, "parent_driver") ||
			    !strcmp(id->kv[k].key, "arcs_missed") ||
			    !strncmp(id->kv[k].key, "qemu_", 5))
				continue;
			obuf_printf(b, "%s%s=", any ? " " : "", id->kv[k].key);
			obuf_esc_text(b, id->kv[k].val, strlen(id->kv[k].val));
			any = true;
		}
		if (!any)
			obuf_puts(b, "not known");
	}
	obuf_putc(b, '\n');
}

static void report_text_timeline(struct obuf *b, const struct report *rp,
				 const struct report_item *it, int s)
{
	const struct report_dev *d = &it->dev[s];
	unsigned int i0, i1;

	obuf_printf(b, "\n%s timeline (time in %s's clock, UTC; time in each state)\n",
		    s == PAIR_SRC ? "SOURCE" : "DESTINATION",
		    d->remote ? "its host" : "this host");
	if (!d->nhist) {
		obuf_puts(b, "  (no transition seen)\n");
		return;
	}
	report_span(it, d, &i0, &i1);
	if (i0 == 0 && d->hist_cut)
		obuf_puts(b, "  (older transitions were not kept)\n");
	for (unsigned int i = i0; i < i1; i++) {
		const struct model_trans *t = &d->hist[i];
		char marks[160];
		bool open;
		uint64_t held = report_held(it, d, i, &open);

		obuf_puts(b, "  ");
		report_iso(b, &rp->env, t->t_ns, d->clock_off);
		obuf_printf(b, "  %-12s -> %-12s ", report_state(t->from),
			    report_state(t->to));
		report_marks(marks, sizeof(marks), t->flags);
		obuf_printf(b, "%-30s ", marks);
		if (t->flags & MODEL_T_ATTEMPT) {
			obuf_puts(b, "(no change)");
		} else {
			if (open && !held) {
				obuf_puts(b, "(then)");
			} else {
				obuf_puts(b, open ? "held >= " : "held ");
				report_secs(b, held);
			}
		}
		if (t->lo_ns && t->lo_ns != t->t_ns && !(t->flags & MODEL_T_ARC)) {
			obuf_puts(b, "  (changed after ");
			report_iso(b, &rp->env, t->lo_ns, d->clock_off);
			obuf_putc(b, ')');
		}
		obuf_putc(b, '\n');
	}
}

static void report_text_qemu(struct obuf *b, const struct report *rp,
			     const struct report_item *it)
{
	bool any = false;

	obuf_puts(b, "\nQEMU's view\n");
	for (int s = 0; s < PAIR_NSIDES && rp->env.ids; s++) {
		const struct journal_ident *id =
			journal_ident_find(rp->env.ids, s, it->dev[s].name);

		for (size_t k = 0; id && k < id->n; k++) {
			if (strncmp(id->kv[k].key, "qemu_", 5))
				continue;
			obuf_printf(b, "  %s %s: ", s == PAIR_SRC ? "source" :
				    "destination", id->kv[k].key + 5);
			obuf_esc_line(b, id->kv[k].val, strlen(id->kv[k].val));
			obuf_putc(b, '\n');
			any = true;
		}
	}
	if (!any)
		obuf_puts(b, "  no QEMU was connected (vfiomigtop saw the kernel's side only)\n");
}

static void report_text_item(struct obuf *b, const struct report *rp,
			     const struct report_item *it)
{
	const struct att_attempt *a = &it->a;
	char txt[400];
	uint64_t end = a->end_ns ? a->end_ns : it->taken_ns;

	obuf_puts(b, "==== vfiomigtop report: ");
	obuf_esc_text(b, it->dev[PAIR_SRC].name, strlen(it->dev[PAIR_SRC].name));
	obuf_puts(b, " -> ");
	obuf_esc_text(b, it->dev[PAIR_DST].name, strlen(it->dev[PAIR_DST].name));
	obuf_printf(b, ", attempt %u ====\n", a->no);
	att_describe(a, it->taken_ns, txt, sizeof(txt));
	obuf_printf(b, "verdict:     %s\n", txt);
	if (a->outcome == ATT_FAILED || a->outcome == ATT_UNCERTAIN) {
		obuf_printf(b, "decided by:  the %s, reason %s\n",
			    a->side == ATT_SRC ? "source" : "destination",
			    att_reason_code(a->reason));
	}
	obuf_printf(b, "evidence:    %s\n", a->outcome == ATT_OPEN ?
		    "under way: nothing decided yet" : a->exact ?
		    "exact: the deciding change needs no step between two reads" :
		    "values in the order reads saw them (no inferred step decides)");
	if (att_hint_text(a, txt, sizeof(txt)))
		obuf_printf(b, "to be sure:  %s\n", txt);
	obuf_puts(b, "started:     ");
	report_iso(b, &rp->env, a->start_ns, 0);
	obuf_puts(b, a->start_seen ? " (seen)\n" :
		  " (already under way when first seen)\n");
	obuf_puts(b, a->outcome == ATT_OPEN ? "as of:       " : "decided:     ");
	report_iso(b, &rp->env, end, 0);
	obuf_puts(b, ", after ");
	report_secs(b, end > a->start_ns ? end - a->start_ns : 0);
	obuf_putc(b, '\n');
	if (a->gap_ns) {
		obuf_puts(b, "read gap:    ");
		report_secs(b, a->gap_ns);
		obuf_puts(b, " between two reads where it mattered\n");
	}
	for (int s = 0; s < PAIR_NSIDES; s++)
		report_text_side(b, rp, it, s);
	for (int s = 0; s < PAIR_NSIDES; s++)
		report_text_timeline(b, rp, it, s);
	report_text_qemu(b, rp, it);
	obuf_puts(b, "\nmarks: exact = a step from vfiomig.ko's arc log (kernel time); read = a value\n"
		  "a read showed (it changed after the read before); inferred = rebuilt between\n"
		  "two reads with the kernel's rule (never evidence); no kernel path = no step\n"
		  "of the kernel's state machine leads there (a reset).\n");
}

static void report_text(const struct report *rp, struct obuf *b)
{
	obuf_printf(b, "vfiomigtop %s report, %s\n", PACKAGE_VERSION,
		    rp->env.origin);
	if (rp->want && !rp->matched) {
		obuf_puts(b, "no pair matches ");
		obuf_esc_text(b, rp->want, strlen(rp->want));
		obuf_putc(b, '\n');
		return;
	}
	if (!rp->n) {
		obuf_printf(b, "%s (%u attempt%s decided)\n",
			    rp->want ? "no attempt of this pair" :
			    "no failed attempt", rp->decided,
			    rp->decided == 1 ? "" : "s");
		return;
	}
	obuf_printf(b, "%zu attempt%s (%u decided, %u failed)\n\n", rp->n,
		    rp->n == 1 ? "" : "s", rp->decided, rp->failed);
	for (size_t i = 0; i < rp->n; i++) {
		if (i)
			obuf_putc(b, '\n');
		report_text_item(b, rp, &rp->it[i]);
	}
}

/* ---- JSON ---- */

static void report_jtime(struct obuf *b, const struct report_env *e,
			 uint64_t mono, int64_t off)
{
	if (!mono) {
		obuf_puts(b, "null");
		return;
	}
	obuf_putc(b, '"');
	report_iso(b, e, mono, off);
	obuf_putc(b, '"');
}

static void report_jident(struct obuf *b, const struct report *rp, int s,
			  const char *name, bool qemu)
{
	const struct journal_ident *id =
		rp->env.ids ? journal_ident_find(rp->env.ids, s, name) : NULL;
	bool first = true;

	obuf_putc(b, '{');
	for (size_t k = 0; id && k < id->n; k++) {
		if (!strncmp(id->kv[k].key, "qemu_", 5) != qemu)
			continue;
		if (!first)
			obuf_putc(b, ',');
		obuf_json_str(b, id->kv[k].key + (qemu ? 5 : 0));
		obuf_putc(b, ':');
		obuf_json_str(b, id->kv[k].val);
		first = false;
	}
	obuf_putc(b, '}');
}

static void report_json_side(struct obuf *b, const struct report *rp,
			     const struct report_item *it, int s)
{
	const struct report_dev *d = &it->dev[s];
	const struct journal_srcinfo *in = &rp->env.side[s];
	unsigned int i0, i1;
	const char *v;
	char buf[200];

	obuf_puts(b, "{\"name\":");
	obuf_json_str(b, d->name);
	obuf_puts(b, ",\"host\":");
	obuf_json_str(b, d->host[0] ? d->host : in->host[0] ? in->host :
		       rp->env.local_host);
	obuf_puts(b, ",\"remote\":");
	obuf_puts(b, d->remote ? "true" : "false");
	obuf_puts(b, ",\"clock_offset\":");
	obuf_printf(b, "%.3f", (double)d->clock_off / 1e9);
	obuf_puts(b, ",\"kernel\":");
	if (in->kernel[0])
		obuf_json_str(b, in->kernel);
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"files\":");
	obuf_json_str(b, in->files[0] ? in->files : "unknown");
	obuf_puts(b, ",\"module\":");
	if (in->module[0])
		obuf_json_str(b, in->module);
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"arc_log\":");
	obuf_puts(b, d->exact ? "true" : "false");
	v = report_fact(rp, s, d, "driver", buf, sizeof(buf));
	obuf_puts(b, ",\"driver\":");
	if (v)
		obuf_json_str(b, v);
	else
		obuf_puts(b, "null");
	report_features(buf, sizeof(buf), d);
	obuf_puts(b, ",\"features\":");
	obuf_json_str(b, buf);
	obuf_printf(b, ",\"loss_steps\":%u,\"arcs_missed\":", d->losses);
	v = rp->env.ids ? journal_ident_get(rp->env.ids, s, d->name, "arcs_missed") : NULL;
	if (v)
		obuf_json_str(b, v);
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"identity\":");
	report_jident(b, rp, s, d->name, false);
	obuf_puts(b, ",\"qemu\":");
	report_jident(b, rp, s, d->name, true);
	obuf_puts(b, ",\"timeline\":[");
	report_span(it, d, &i0, &i1);
	for (unsigned int i = i0; i < i1; i++) {
		const struct model_trans *t = &d->hist[i];
		bool open;
		uint64_t held = report_held(it, d, i, &open);

		if (i > i0)
			obuf_putc(b, ',');
		obuf_puts(b, "{\"time\":");
		report_jtime(b, &rp->env, t->t_ns, d->clock_off);
		obuf_puts(b, ",\"from\":");
		if (t->from == DS_UNKNOWN)
			obuf_puts(b, "null");
		else
			obuf_json_str(b, dstate_token((enum dstate)t->from));
		obuf_puts(b, ",\"to\":");
		obuf_json_str(b, dstate_token((enum dstate)t->to));
		obuf_printf(b, ",\"exact\":%s,\"inferred\":%s,\"missed\":%s,"
			    "\"nopath\":%s,\"failed\":%s,\"refused\":%s,\"loss\":%s,"
			    "\"unsure\":%s",
			    t->flags & (MODEL_T_ARC | MODEL_T_ATTEMPT) ? "true" : "false",
			    t->flags & MODEL_T_INFERRED ? "true" : "false",
			    t->flags & MODEL_T_MISSED ? "true" : "false",
			    t->flags & MODEL_T_NOPATH ? "true" : "false",
			    t->flags & MODEL_T_FAILED ? "true" : "false",
			    t->flags & MODEL_T_REFUSED ? "true" : "false",
			    t->flags & MODEL_T_LOSS ? "true" : "false",
			    t->flags & MODEL_T_UNSURE ? "true" : "false");
		obuf_puts(b, ",\"held\":");
		if (t->flags & MODEL_T_ATTEMPT)
			obuf_puts(b, "0.000");
		else
			obuf_ms3(b, held);
		obuf_puts(b, ",\"held_open\":");
		obuf_puts(b, open ? "true" : "false");
		obuf_putc(b, '}');
	}
	obuf_puts(b, "]}");
}

static void report_json_item(struct obuf *b, const struct report *rp,
			     const struct report_item *it)
{
	const struct att_attempt *a = &it->a;
	uint64_t end = a->end_ns ? a->end_ns : it->taken_ns;
	char txt[400];

	obuf_printf(b, "{\"no\":%u,\"outcome\":", a->no);
	obuf_json_str(b, a->outcome == ATT_OPEN ? att_phase_name(a->phase) :
		       att_outcome_name(a->outcome));
	obuf_printf(b, ",\"decided\":%s", a->outcome == ATT_OPEN ? "false" : "true");
	obuf_puts(b, ",\"side\":");
	if (a->outcome == ATT_FAILED || a->outcome == ATT_UNCERTAIN)
		obuf_json_str(b, a->side == ATT_SRC ? "src" : "dst");
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"reason\":");
	if (a->outcome == ATT_FAILED || a->outcome == ATT_UNCERTAIN)
		obuf_json_str(b, att_reason_code(a->reason));
	else
		obuf_puts(b, "null");
	att_describe(a, it->taken_ns, txt, sizeof(txt));
	obuf_puts(b, ",\"text\":");
	obuf_json_str(b, txt);
	obuf_puts(b, ",\"hint\":");
	if (att_hint_text(a, txt, sizeof(txt)))
		obuf_json_str(b, txt);
	else
		obuf_puts(b, "null");
	obuf_printf(b, ",\"exact\":%s,\"start_seen\":%s", a->exact ? "true" : "false",
		    a->start_seen ? "true" : "false");
	obuf_puts(b, ",\"start\":");
	report_jtime(b, &rp->env, a->start_ns, 0);
	obuf_puts(b, ",\"end\":");
	report_jtime(b, &rp->env, a->end_ns, 0);
	obuf_puts(b, ",\"duration\":");
	obuf_ms3(b, end > a->start_ns ? end - a->start_ns : 0);
	obuf_puts(b, ",\"read_gap\":");
	if (a->gap_ns)
		obuf_ms3(b, a->gap_ns);
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"src\":");
	report_json_side(b, rp, it, PAIR_SRC);
	obuf_puts(b, ",\"dst\":");
	report_json_side(b, rp, it, PAIR_DST);
	obuf_putc(b, '}');
}

static void report_json(const struct report *rp, struct obuf *b)
{
	obuf_puts(b, "{\"schema\":1,\"type\":\"report\",\"version\":");
	obuf_json_str(b, PACKAGE_VERSION);
	obuf_puts(b, ",\"origin\":");
	obuf_json_str(b, rp->env.origin);
	obuf_puts(b, ",\"pair\":");
	if (rp->want)
		obuf_json_str(b, rp->want);
	else
		obuf_puts(b, "null");
	obuf_printf(b, ",\"matched\":%s,\"decided\":%u,\"failed\":%u,\"attempts\":[",
		    !rp->want || rp->matched ? "true" : "false", rp->decided,
		    rp->failed);
	for (size_t i = 0; i < rp->n; i++) {
		if (i)
			obuf_putc(b, ',');
		report_json_item(b, rp, &rp->it[i]);
	}
	obuf_puts(b, "]}\n");
}

void report_format(const struct report *rp, bool json, struct obuf *b)
{
	if (json)
		report_json(rp, b);
	else
		report_text(rp, b);
}

/* Print the report; returns 0 or -errno. */
int report_print(const struct report *rp, bool json, FILE *f)
{
	struct obuf b;
	int rc;

	obuf_init(&b);
	report_format(rp, json, &b);
	rc = obuf_write(&b, f) ? -errno : 0;
	obuf_free(&b);
	return rc;
}

/*
 * The report of pair @pair of @m as it stands (the details screen): its
 * kept attempts and the one under way, with the timelines as they are.
 */
void report_pair_text(const struct model *m, const struct view_ctx *c,
		      int pair, struct obuf *b)
{
	const struct report_env *e = report_env_get();
	const struct model_pair *p;
	struct report rp;

	report_init(&rp, "");
	if (e)
		rp.env = *e;
	else
		snprintf(rp.env.origin, sizeof(rp.env.origin), "live");
	if (c)
		rp.env.real_off = c->real_off_ns;
	rp.matched = true;
	if (pair < 0 || (size_t)pair >= m->npairs) {
		obuf_puts(b, "no pair selected\n");
		return;
	}
	p = &m->pairs[pair];
	if (p->att) {
		rp.decided = p->att->ndecided;
		rp.failed = p->att->count[ATT_FAILED];
		for (unsigned int i = ATT_KEEP; i-- > 0;) {
			const struct att_attempt *a = att_kept(p->att, i);

			if (a)
				report_push(&rp, m, c, p, a);
		}
		if (p->att->open)
			report_push(&rp, m, c, p, &p->att->cur);
	}
	rp.want = "this pair";
	report_text(&rp, b);
	report_free(&rp);
}

/* ---- the view of --report: nothing until the end ---- */

struct view_report {
	struct view base;		/* what the run loop holds */
};

static struct view *vr_open(const struct options *o, char *err, size_t len)
{
	struct view_report *v = calloc(1, sizeof(*v));

	(void)o;
	if (!v) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	v->base.ops = &view_report_ops;
	return &v->base;
}

static int vr_input_fd(struct view *v)
{
	(void)v;
	return -1;
}

static void vr_input(struct view *v, const struct view_ctx *c,
		     struct view_req *req)
{
	(void)v;
	(void)c;
	(void)req;
}

static int vr_frame(struct view *v, const struct view_ctx *c, uint64_t now)
{
	(void)v;
	(void)c;
	(void)now;
	return 0;
}

static void vr_close(struct view *base)
{
	if (base)
		free(VIEW_OF(base, struct view_report));
}

const struct view_ops view_report_ops = {
	.name = "report",
	.open = vr_open,
	.input_fd = vr_input_fd,
	.input = vr_input,
	.frame = vr_frame,
	.close = vr_close,
};
