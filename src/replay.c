// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay.c - vfiomigtop -r: the records of one or more journals are
 * applied to rebuilt sources (src_journal.c), and the model takes each
 * refresh with the time the recording gave it, so that it decides
 * exactly what it decided live; the view then draws or prints it at that
 * time.  Batch views print what the live run printed, byte for byte.
 *
 * One journal stream (a host's recordings, rotated files included) is
 * replayed recording after recording, each with a fresh model, as each
 * live run had.  Journals of several hosts are replayed side by side:
 * their refreshes are merged in time, with each host's clock mapped to the
 * first one's by the offset an agent measured between them (else by their
 * wall clocks, which is said).
 *
 * The screen can go back: the model cannot, so going back replays the
 * recording from its start up to there (a first pass indexed every
 * refresh, its events and failures).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "replay.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "jread.h"
#include "report.h"
#include "when.h"

/* Journals replayed side by side at most. */
#define RP_MAX_PARTS 4
/* Replay speed limits, times the recorded pace. */
#define RP_SPEED_MIN (1.0 / 16)
#define RP_SPEED_MAX 1024.0

struct rp_item {
	uint32_t part;		/* which journal */
	uint32_t rec;		/* its record */
	uint64_t t;		/* its time in the first journal's clock */
};

struct rp_part {
	const struct jr_session *ss;	/* the recording */
	int64_t delta;		/* its CLOCK_MONOTONIC to the first one's */
	int64_t off;		/* its wall clock minus the first one's */
	int map[JR_MAX_SOURCES];	/* its source i -> replay source, -1 left out */
	bool base;		/* the first journal */
};

struct rp_run {
	struct rp_part part[RP_MAX_PARTS];
	size_t nparts;
	struct rp_item *items;	/* every record, in time order */
	size_t nitems;
};

/* A refresh the screen can show. */
struct rp_pos {
	uint32_t run;
	uint32_t item;
	uint64_t t;		/* CLOCK_MONOTONIC ns (first journal's clock) */
	int64_t real;		/* wall clock */
	bool event;		/* the model had news in it */
	bool fail;		/* an attempt failed, or a device went into ERROR */
};

/* A decided attempt, to compare with what the recording decided. */
struct rp_vf {
	char src[SNAP_NAME_MAX], dst[SNAP_NAME_MAX];
	char outcome[16];
	uint32_t no;
};

struct rp {
	const struct options *o;
	FILE *diag;
	struct jr_set js;
	struct rp_run *runs;
	size_t nruns;
	int64_t begin, end;		/* window, wall clock; end 0: none */
	/* the run being replayed */
	size_t cur;			/* its index, SIZE_MAX when none */
	struct run r;			/* model, sources, view context */
	struct jr_src src[RUN_MAX_SOURCES];
	size_t next;			/* next item */
	bool started[RP_MAX_PARTS];	/* the part has had its first refresh */
	bool window_open;		/* a refresh inside the window was taken */
	struct journal_idents ids;	/* device facts of the recordings */
	uint64_t model_gen;
	/* comparing with the recording's decisions */
	struct rp_vf *vf;
	size_t nvf, capvf;
	uint64_t vf_next;
	bool vf_warned;
	/* the screen */
	const struct view_ops *vops;
	struct view *view;
	struct replay_status st;
	struct rp_pos *pos;
	size_t npos, cappos;
	size_t shown;
	struct report *report;		/* --report, NULL */
	struct report_env env;
};

/* ---- the plan: which recordings, side by side or one after the other ---- */

static int64_t rp_real(const struct jr_session *s, uint64_t t)
{
	return (int64_t)t + s->real_off;
}

static bool rp_overlaps(const struct rp *p, const struct jr_session *s)
{
	if (!s->nrefresh)
		return false;
	if (p->end && rp_real(s, s->t_first) > p->end)
		return false;
	return rp_real(s, s->t_last) >= p->begin;
}

/*
 * The hosts recording @s watched through agents, and the clock offsets
 * (their wall clock minus that of @s's host) the agents measured: the
 * last estimate, which has seen the most messages.  "" where none.
 */
static void rp_agents(const struct jr_session *s,
		      char host[JR_MAX_SOURCES][256],
		      int64_t off[JR_MAX_SOURCES])
{
	struct jr_src tmp[JR_MAX_SOURCES];
	struct jr_src *v[JR_MAX_SOURCES] = { NULL };
	bool any = false;
	char err[64];

	memset(tmp, 0, sizeof(tmp));
	for (size_t i = 0; i < JR_MAX_SOURCES; i++) {
		host[i][0] = 0;
		off[i] = 0;
	}
	for (size_t i = 0; i < s->nsrc && i < JR_MAX_SOURCES; i++) {
		if (strcmp(s->src[i].info.kind, "agent"))
			continue;
		if (!jr_src_new(s->src[i].spec, &tmp[i], err, sizeof(err)))
			goto out;
		v[i] = &tmp[i];
		any = true;
	}
	for (size_t k = 0; any && k < s->nrec; k++) {
		const struct jr_rec *r = &s->rec[k];
		int rc;

		if (r->type == 'r')
			rc = jr_apply(r, v, s->nsrc, NULL, NULL, 0);
		else if (r->type == 'k')
			rc = jr_apply_key(r, v, s->nsrc, NULL, 0) < 0;
		else
			continue;
		if (rc)
			continue;
		for (size_t i = 0; i < s->nsrc && i < JR_MAX_SOURCES; i++) {
			const struct snapshot *sn = v[i] ? &v[i]->s->snap : NULL;

			if (sn && sn->ever && sn->host[0]) {
				snprintf(host[i], 256, "%s", sn->host);
				off[i] = sn->clock_offset_ns;
			}
		}
	}
out:
	for (size_t i = 0; i < JR_MAX_SOURCES; i++)
		if (tmp[i].s)
			source_close(tmp[i].s);
}

/* The offset an agent of @s measured for @host, if @s watched it. */
static bool rp_measured(const struct jr_session *s, const char *host,
			int64_t *off)
{
	char h[JR_MAX_SOURCES][256];
	int64_t o[JR_MAX_SOURCES];

	rp_agents(s, h, o);
	for (size_t i = 0; i < JR_MAX_SOURCES; i++)
		if (h[i][0] && !strcmp(h[i], host)) {
			*off = o[i];
			return true;
		}
	return false;
}

static int rp_cmp_item(const void *a, const void *b)
{
	const struct rp_item *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

static int rp_items(struct rp_run *run)
{
	size_t n = 0;

	for (size_t k = 0; k < run->nparts; k++)
		n += run->part[k].ss->nrec;
	run->items = calloc(n ? n : 1, sizeof(*run->items));
	if (!run->items)
		return -ENOMEM;
	for (size_t k = 0; k < run->nparts; k++) {
		const struct rp_part *pt = &run->part[k];

		for (size_t i = 0; i < pt->ss->nrec; i++) {
			struct rp_item *it = &run->items[run->nitems++];

			it->part = (uint32_t)k;
			it->rec = (uint32_t)i;
			it->t = pt->ss->rec[i].t + (uint64_t)pt->delta;
		}
	}
	if (run->nparts > 1)
		qsort(run->items, run->nitems, sizeof(*run->items), rp_cmp_item);
	return 0;
}

static struct rp_run *rp_add_run(struct rp *p)
{
	struct rp_run *r = realloc(p->runs, (p->nruns + 1) * sizeof(*r));

	if (!r)
		return NULL;
	p->runs = r;
	r = &p->runs[p->nruns++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* Side by side: one recording per stream, clocks mapped to the first. */
static int rp_plan_merged(struct rp *p, char *err, size_t len)
{
	struct rp_run *run = rp_add_run(p);
	const struct jr_session *base = NULL;
	size_t nsrc = 0;

	if (!run) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	for (size_t st = 0; st < p->js.nstreams; st++) {
		const struct jr_session *pick = NULL;
		struct rp_part *pt;
		size_t n = 0;

		for (size_t i = 0; i < p->js.nss; i++) {
			const struct jr_session *s = &p->js.ss[i];

			if (s->stream != st || !rp_overlaps(p, s))
				continue;
			pick = s;
			n++;
		}
		if (n > 1) {
			snprintf(err, len,
				 "the journal of %.200s (%.400s) holds %zu recordings in the window: pick one with --begin/--end to replay it beside the other host's",
				 pick->host, pick->path, n);
			return -EINVAL;
		}
		if (!pick)
			continue;
		if (run->nparts == RP_MAX_PARTS) {
			snprintf(err, len, "at most %d journals side by side", RP_MAX_PARTS);
			return -EINVAL;
		}
		pt = &run->part[run->nparts++];
		pt->ss = pick;
		if (!base) {
			base = pick;
			pt->base = true;
		}
	}
	if (!run->nparts || !base) {
		snprintf(err, len, "no recording in the window");
		return -ENOENT;
	}
	for (size_t k = 0; k < run->nparts; k++) {
		struct rp_part *pt = &run->part[k];
		const struct jr_session *s = pt->ss;
		int64_t off = 0;

		for (size_t i = 0; i < JR_MAX_SOURCES; i++)
			pt->map[i] = -1;
		if (!pt->base && !(strcmp(s->host, base->host) == 0 &&
				    strcmp(s->boot, base->boot) == 0 && s->boot[0])) {
			if (rp_measured(base, s->host, &off)) {
				if (p->diag)
					fprintf(p->diag, "vfiomigtop: %s's clock aligned with %s's by the offset an agent measured (%+.3f s)\n",
						s->host, base->host, (double)off / 1e9);
			} else if (rp_measured(s, base->host, &off)) {
				off = -off;
				if (p->diag)
					fprintf(p->diag, "vfiomigtop: %s's clock aligned with %s's by the offset an agent measured (%+.3f s)\n",
						s->host, base->host, (double)off / 1e9);
			} else if (p->diag) {
				fprintf(p->diag, "vfiomigtop: no agent measured the offset between %s's and %s's clocks: their wall clocks are taken as equal\n",
					s->host, base->host);
			}
			pt->off = off;
			pt->delta = s->real_off - off - base->real_off;
		}
		char ah[JR_MAX_SOURCES][256];
		int64_t ao[JR_MAX_SOURCES];

		rp_agents(s, ah, ao);
		for (size_t i = 0; i < s->nsrc && i < JR_MAX_SOURCES; i++) {
			bool dup = false;

			if (s->src[i].feed == MODEL_FEED_SHARED) {
				snprintf(err, len,
					 "%s recorded both sides from one tree: it cannot be replayed beside another journal",
					 s->host);
				return -EINVAL;
			}
			/* An agent watching a host whose own journal is
			 * here too: that journal has it first hand. */
			for (size_t j = 0; j < run->nparts && ah[i][0]; j++)
				if (j != k && !strcmp(run->part[j].ss->host, ah[i]))
					dup = true;
			if (dup)
				continue;
			if (nsrc == RUN_MAX_SOURCES) {
				snprintf(err, len,
					 "these journals watch more than two sides (a source and a destination)");
				return -EINVAL;
			}
			pt->map[i] = (int)nsrc++;
		}
	}
	return rp_items(run);
}

/* Do recordings in the window overlap in time (several hosts at once)? */
static bool rp_concurrent(const struct rp *p, size_t *order, size_t *n)
{
	int64_t end = INT64_MIN;
	bool any = false;

	*n = 0;
	for (size_t i = 0; i < p->js.nss; i++)
		if (rp_overlaps(p, &p->js.ss[i]))
			order[(*n)++] = i;
	/* by start (insertion sort: a handful of recordings) */
	for (size_t i = 1; i < *n; i++)
		for (size_t k = i; k > 0; k--) {
			const struct jr_session *a = &p->js.ss[order[k - 1]];
			const struct jr_session *b = &p->js.ss[order[k]];
			size_t tmp;

			if (rp_real(a, a->t_first) <= rp_real(b, b->t_first))
				break;
			tmp = order[k];
			order[k] = order[k - 1];
			order[k - 1] = tmp;
		}
	for (size_t i = 0; i < *n; i++) {
		const struct jr_session *s = &p->js.ss[order[i]];

		if (i && rp_real(s, s->t_first) <= end)
			any = true;
		if (rp_real(s, s->t_last) > end)
			end = rp_real(s, s->t_last);
	}
	return any;
}

/*
 * Recordings one after the other replay one after the other, each with a
 * fresh model as each live run had; recordings of several streams (hosts,
 * or journal files) at the same time replay side by side.
 */
static int rp_plan(struct rp *p, char *err, size_t len)
{
	size_t *order = calloc(p->js.nss + 1, sizeof(*order)), n;
	int rc = 0;

	if (!order) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	if (p->js.nstreams > 1 && rp_concurrent(p, order, &n)) {
		free(order);
		return rp_plan_merged(p, err, len);
	}
	rp_concurrent(p, order, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct jr_session *s = &p->js.ss[order[i]];
		struct rp_run *run;

		if (!(run = rp_add_run(p))) {
			rc = -ENOMEM;
			break;
		}
		run->nparts = 1;
		run->part[0].ss = s;
		run->part[0].base = true;
		for (size_t k = 0; k < JR_MAX_SOURCES; k++)
			run->part[0].map[k] = k < s->nsrc ? (int)k : -1;
		rc = rp_items(run);
	}
	free(order);
	if (rc) {
		snprintf(err, len, "out of memory");
		return rc;
	}
	if (!p->nruns) {
		snprintf(err, len, p->begin || p->end ?
			 "no refresh of the journal falls between --begin and --end" :
			 "the journal holds no refresh");
		return -ENOENT;
	}
	return 0;
}

/* ---- one run: model and rebuilt sources ---- */

static void rp_run_close(struct rp *p)
{
	if (p->cur == SIZE_MAX)
		return;
	model_free(&p->r.m);
	for (size_t i = 0; i < p->r.nsrc; i++)
		source_close(p->r.src[i]);
	memset(&p->r, 0, sizeof(p->r));
	memset(p->src, 0, sizeof(p->src));
	p->cur = SIZE_MAX;
}

static int rp_run_open(struct rp *p, size_t k, char *err, size_t len)
{
	const struct rp_run *run = &p->runs[k];
	const struct jr_session *base = run->part[0].ss;
	struct model_cfg mc;
	size_t n = 0;

	rp_run_close(p);
	memset(&mc, 0, sizeof(mc));
	mc.pairs = p->o->npairs ? p->o->pairs : base->pairs;
	mc.npairs = p->o->npairs ? p->o->npairs : base->npairs;
	mc.ac.stuck_ns = base->stuck ? base->stuck : 30 * CLOCK_NS_PER_S;
	mc.ac.busy_ns = base->busy;
	mc.tomb_ns = base->tomb;
	if (model_init(&p->r.m, &mc)) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	p->cur = k;
	memset(&p->env, 0, sizeof(p->env));
	for (size_t q = 0; q < run->nparts; q++) {
		const struct rp_part *pt = &run->part[q];
		const struct jr_session *s = pt->ss;

		for (size_t i = 0; i < s->nsrc; i++) {
			const struct jr_srcdecl *d = &s->src[i];
			enum model_feed kind = d->feed;
			struct jr_src *js;
			int idx = pt->map[i];

			if (idx < 0)
				continue;
			/* Side by side, the second journal's source side is
			 * the other one when both were recorded as sources. */
			if (run->nparts > 1 && idx > 0 &&
			    p->r.m.feeds[p->r.feed[0]].kind == kind)
				kind = kind == MODEL_FEED_SRC ? MODEL_FEED_DST :
				       MODEL_FEED_SRC;
			js = &p->src[idx];
			if (!jr_src_new(d->spec, js, err, len))
				return -ENOMEM;
			js->delta = pt->delta;
			js->off_add = pt->off;
			js->s->snap.clock_offset_ns = pt->off;
			if (!pt->base && strcmp(d->info.kind, "agent")) {
				js->keep_host = true;
				snprintf(js->s->snap.host, sizeof(js->s->snap.host),
					 "%s", s->host);
			}
			p->r.src[idx] = js->s;
			p->r.feed[idx] = (unsigned int)model_add_feed(&p->r.m, kind);
			for (int side = 0; side < PAIR_NSIDES; side++) {
				if ((kind == MODEL_FEED_SRC && side == PAIR_DST) ||
				    (kind == MODEL_FEED_DST && side == PAIR_SRC))
					continue;
				p->r.ctx.label[side] = js->s->spec;
				p->r.ctx.snap[side] = &js->s->snap;
				p->env.side[side] = d->info;
				p->env.have[side] = true;
			}
			n++;
		}
	}
	p->r.nsrc = n;
	p->r.ctx.m = &p->r.m;
	p->r.ctx.real_off_ns = base->real_off;
	p->r.ctx.delay_ns = base->delay ? base->delay : CLOCK_NS_PER_S;
	p->r.delay_ns = p->r.ctx.delay_ns;
	p->r.ctx.host = base->host;
	p->r.ctx.model_gen = ++p->model_gen;
	p->r.ctx.replay = &p->st;
	p->next = 0;
	memset(p->started, 0, sizeof(p->started));
	p->window_open = false;
	p->nvf = 0;
	p->vf_next = 1;
	p->vf_warned = false;
	snprintf(p->env.local_host, sizeof(p->env.local_host), "%s", base->host);
	snprintf(p->env.origin, sizeof(p->env.origin),
		 "journal %s (recording %s on %s, kernel %s)",
		 p->js.files[base->rec && base->nrec ? base->rec[0].file : 0].path,
		 base->id, base->host, base->kernel[0] ? base->kernel : "?");
	p->env.ids = &p->ids;
	p->env.real_off = base->real_off;
	report_env_set(&p->env);
	return 0;
}

/* ---- taking records ---- */

static void rp_diag_rec(struct rp *p, const struct jr_rec *r, const char *what)
{
	if (p->diag)
		fprintf(p->diag, "vfiomigtop: %s: offset %llu: %s\n",
			p->js.files[r->file].path, (unsigned long long)r->off,
			what);
}

/* Decided attempts of the model since the last look, for rp_verify(). */
static void rp_vf_take(struct rp *p)
{
	const struct model *m = &p->r.m;

	for (; p->vf_next <= m->ev_seq; p->vf_next++) {
		const struct model_event *e = model_event(m, p->vf_next);
		const struct model_pair *pr;
		struct rp_vf *v;

		if (!e || e->kind != MODEL_EV_PAIR || !e->att.decided ||
		    e->pair < 0 || (size_t)e->pair >= m->npairs)
			continue;
		if (p->nvf == p->capvf) {
			size_t cap = p->capvf ? p->capvf * 2 : 16;

			v = realloc(p->vf, cap * sizeof(*v));
			if (!v)
				return;
			p->vf = v;
			p->capvf = cap;
		}
		pr = &m->pairs[e->pair];
		v = &p->vf[p->nvf++];
		snprintf(v->src, sizeof(v->src), "%s", pr->dev[PAIR_SRC] >= 0 ?
			 m->devs[pr->dev[PAIR_SRC]]->name : pr->want[PAIR_SRC]);
		snprintf(v->dst, sizeof(v->dst), "%s", pr->dev[PAIR_DST] >= 0 ?
			 m->devs[pr->dev[PAIR_DST]]->name : pr->want[PAIR_DST]);
		snprintf(v->outcome, sizeof(v->outcome), "%s",
			 att_outcome_name(e->att.a.outcome));
		v->no = e->att.a.no;
	}
}

/* An attempt record: the replay must have decided the same. */
static void rp_verify(struct rp *p, const struct jr_rec *r)
{
	char src[SNAP_NAME_MAX], dst[SNAP_NAME_MAX], out[16], what[1400];
	uint64_t no = 0;

	if (p->runs[p->cur].nparts > 1 || p->o->npairs || p->vf_warned)
		return;		/* not the live run's model: nothing to compare */
	if (!jr_tok_str(r->p, r->n, "src", src, sizeof(src)) ||
	    !jr_tok_str(r->p, r->n, "dst", dst, sizeof(dst)) ||
	    !jr_tok_str(r->p, r->n, "outcome", out, sizeof(out)))
		return;
	jr_tok_u64(r->p, r->n, "no", &no);
	if (p->nvf && !strcmp(p->vf[0].src, src) && !strcmp(p->vf[0].dst, dst) &&
	    !strcmp(p->vf[0].outcome, out) && p->vf[0].no == no) {
		memmove(p->vf, p->vf + 1, (p->nvf - 1) * sizeof(*p->vf));
		p->nvf--;
		return;
	}
	snprintf(what, sizeof(what),
		 "the replay differs from the recording: it recorded %.200s -> %.200s attempt %llu %s, the replay %s%s%.200s%s",
		 src, dst, (unsigned long long)no, out,
		 p->nvf ? p->vf[0].outcome : "decided nothing there",
		 p->nvf ? " (" : "", p->nvf ? p->vf[0].src : "",
		 p->nvf ? ")" : "");
	rp_diag_rec(p, r, what);
	p->vf_warned = true;
}

/* A VMM failure the live run handed its model after this refresh: hand
 * it over at the same point, so that the replay decides the same. */
static void rp_vmm(struct rp *p, const struct jr_rec *r, int64_t delta)
{
	char side[8], name[SNAP_NAME_MAX], text[256];
	const char *cur = r->p, *end = r->p + r->n;
	uint64_t lo = 0, at = 0;
	struct jf_tok t, v;
	int dev;

	if (!jr_tok_str(r->p, r->n, "side", side, sizeof(side)) ||
	    !jr_tok_str(r->p, r->n, "name", name, sizeof(name)) ||
	    !jr_tok_str(r->p, r->n, "text", text, sizeof(text)))
		goto bad;
	while (jf_next(&cur, end, &t)) {
		if (jf_key(&t, "lo", &v) &&
		    jf_parse_time(v.p, v.n, r->t, delta, &lo))
			goto bad;
		if (jf_key(&t, "at", &v) &&
		    jf_parse_time(v.p, v.n, r->t, delta, &at))
			goto bad;
	}
	if (!at)
		goto bad;
	dev = model_dev_find(&p->r.m, strcmp(side, "dst") ? PAIR_SRC : PAIR_DST,
			     name);
	if (dev >= 0)
		model_vmm_failed(&p->r.m, dev, lo, at, text);
	return;
bad:
	p->js.pb.bad++;
	rp_diag_rec(p, r, "a VMM failure record that does not parse skipped");
}

static void rp_ident(struct rp *p, const struct jr_rec *r)
{
	const char *cur = r->p, *end = r->p + r->n;
	char side[8], name[SNAP_NAME_MAX];
	struct jf_tok t, v;
	int s;

	if (!jr_tok_str(r->p, r->n, "side", side, sizeof(side)) ||
	    !jr_tok_str(r->p, r->n, "name", name, sizeof(name)))
		return;
	s = strcmp(side, "dst") ? PAIR_SRC : PAIR_DST;
	while (jf_next(&cur, end, &t)) {
		const char *eq = memchr(t.p, '=', t.n);
		char key[32], val[224];

		if (!eq || (size_t)(eq - t.p) >= sizeof(key))
			continue;
		memcpy(key, t.p, (size_t)(eq - t.p));
		key[eq - t.p] = 0;
		if (!strcmp(key, "side") || !strcmp(key, "name"))
			continue;
		v.p = eq + 1;
		v.n = t.n - (size_t)(eq - t.p) - 1;
		if (jf_unesc(v.p, v.n, val, sizeof(val)) >= 0)
			journal_ident_set(&p->ids, s, name, key, val);
	}
}

/* The model takes a refresh at @t (the first journal's clock). */
static void rp_ingest(struct rp *p, uint64_t t)
{
	int64_t real = (int64_t)t + p->r.ctx.real_off_ns;

	if (!p->window_open && real >= p->begin) {
		p->window_open = true;
		p->r.ctx.ev_first = p->r.m.ev_seq + 1;
	}
	for (size_t i = 0; i < p->r.nsrc; i++)
		model_ingest(&p->r.m, p->r.feed[i], &p->r.src[i]->snap, t);
	model_update_pairs(&p->r.m, t);
	rp_vf_take(p);
}

/*
 * Take the next record of the run.  Returns 1 when it was a refresh the
 * model took (at *@t; *@extra: off the rhythm), 0 for another record, -1
 * at the end.
 */
static int rp_item(struct rp *p, uint64_t *t, bool *extra)
{
	const struct rp_run *run = &p->runs[p->cur];
	const struct rp_item *it;
	const struct rp_part *pt;
	const struct jr_rec *r;
	struct jr_src *v[JR_MAX_SOURCES] = { NULL };
	struct jr_applied ap;
	char err[128];
	int n;

	if (p->next >= run->nitems)
		return -1;
	it = &run->items[p->next++];
	pt = &run->part[it->part];
	r = &pt->ss->rec[it->rec];
	for (size_t i = 0; i < pt->ss->nsrc && i < JR_MAX_SOURCES; i++)
		if (pt->map[i] >= 0)
			v[i] = &p->src[pt->map[i]];
	*t = it->t;
	*extra = false;
	switch (r->type) {
	case 'r':
		for (size_t i = 0; i < p->r.nsrc; i++)
			p->src[i].s->snap.nchanged = p->src[i].s->snap.nsteps = 0;
		if (jr_apply(r, v, pt->ss->nsrc, &ap, err, sizeof(err))) {
			p->js.pb.bad++;
			rp_diag_rec(p, r, err);
			return 0;
		}
		if (ap.delay_ns)
			p->r.ctx.delay_ns = p->r.delay_ns = ap.delay_ns;
		*extra = ap.extra;
		p->started[it->part] = true;
		rp_ingest(p, it->t);
		return 1;
	case 'k':
		for (size_t i = 0; i < p->r.nsrc; i++)
			p->src[i].s->snap.nchanged = p->src[i].s->snap.nsteps = 0;
		n = jr_apply_key(r, v, pt->ss->nsrc, err, sizeof(err));
		if (n < 0) {
			p->js.pb.bad++;
			rp_diag_rec(p, r, err);
			return 0;
		}
		/* A continuation changes nothing; the start of a replay
		 * (earlier files missing) or a gap does. */
		if (!n && p->started[it->part])
			return 0;
		p->started[it->part] = true;
		rp_ingest(p, it->t);
		return 1;
	case 'a':
		rp_verify(p, r);
		return 0;
	case 'i':
		rp_ident(p, r);
		return 0;
	case 'v':
		rp_vmm(p, r, pt->delta);
		return 0;
	case 'g':
		rp_diag_rec(p, r, "the recording lost refreshes here (its disk did not keep up, or a write failed): the replay resumes from the keyframe after it");
		return 0;
	default:
		return 0;
	}
}

/* ---- batch: print as the live run did ---- */

static int rp_status_merge(int a, int b)
{
	static const int rank[] = { OPT_EXIT_MIGFAIL, OPT_EXIT_UNREAD,
				    OPT_EXIT_UNCERTAIN, OPT_EXIT_OK };

	for (size_t i = 0; i < sizeof(rank) / sizeof(rank[0]); i++)
		if (a == rank[i] || b == rank[i])
			return rank[i];
	return a;
}

static int rp_batch(struct rp *p, int (*status)(const struct run *r),
		    volatile sig_atomic_t *stop, char *err, size_t len)
{
	long done = 0;
	int st = OPT_EXIT_OK, rc = 0;
	bool over = false;

	for (size_t k = 0; k < p->nruns && !over && !rc; k++) {
		uint64_t t;
		bool extra;
		int got;

		if ((rc = rp_run_open(p, k, err, len)))
			break;
		p->view = p->vops->open(p->o, err, len);
		if (!p->view) {
			rc = -EINVAL;
			break;
		}
		while (!*stop && (got = rp_item(p, &t, &extra)) >= 0) {
			int64_t real = (int64_t)t + p->r.ctx.real_off_ns;

			if (!got)
				continue;
			if (p->end && real > p->end) {
				over = true;
				break;
			}
			if (!extra)
				p->r.ctx.seq++;
			if (real < p->begin)
				continue;
			p->r.ctx.extra = extra;
			rc = p->vops->frame(p->view, &p->r.ctx, t);
			p->r.ctx.extra = false;
			if (p->report)
				report_collect(p->report, &p->r.m, &p->r.ctx);
			if (rc)
				break;
			if (!extra && p->o->iterations &&
			    ++done >= p->o->iterations) {
				over = true;
				break;
			}
		}
		if (*stop)
			over = true;
		if (p->report)
			report_finish(p->report, &p->r.m, &p->r.ctx);
		p->vops->close(p->view);
		p->view = NULL;
		if (rc && rc != -EPIPE) {
			snprintf(err, len, "cannot write output: %s", strerror(-rc));
			break;
		}
		if (rc == -EPIPE) {
			rc = 0;
			over = true;
		}
		if (p->r.ctx.seq)
			st = rp_status_merge(st, status(&p->r));
	}
	return rc ? -1 : st;
}

/* ---- the screen: index, then move around ---- */

static int rp_index(struct rp *p, char *err, size_t len)
{
	for (size_t k = 0; k < p->nruns; k++) {
		uint64_t t;
		bool extra;
		int got, rc;

		if ((rc = rp_run_open(p, k, err, len)))
			return rc;
		for (;;) {
			uint64_t before = p->r.m.ev_seq;
			struct rp_pos *ps;
			int64_t real;

			got = rp_item(p, &t, &extra);
			if (got < 0)
				break;
			if (!got)
				continue;
			real = (int64_t)t + p->r.ctx.real_off_ns;
			if (real < p->begin || (p->end && real > p->end))
				continue;
			if (p->npos == p->cappos) {
				size_t cap = p->cappos ? p->cappos * 2 : 1024;

				ps = realloc(p->pos, cap * sizeof(*ps));
				if (!ps) {
					snprintf(err, len, "out of memory");
					return -ENOMEM;
				}
				p->pos = ps;
				p->cappos = cap;
			}
			ps = &p->pos[p->npos++];
			memset(ps, 0, sizeof(*ps));
			ps->run = (uint32_t)k;
			ps->item = (uint32_t)(p->next - 1);
			ps->t = t;
			ps->real = real;
			ps->event = p->r.m.ev_seq > before;
			for (uint64_t s = before + 1; s <= p->r.m.ev_seq; s++) {
				const struct model_event *e = model_event(&p->r.m, s);

				if (!e)
					continue;
				if ((e->kind == MODEL_EV_PAIR && e->att.decided &&
				     e->att.a.outcome == ATT_FAILED) ||
				    (e->kind == MODEL_EV_TRANS && e->tr.to == DS_ERROR &&
				     dstate_is_state((enum dstate)e->tr.from) &&
				     !(e->tr.flags & MODEL_T_ATTEMPT)))
					ps->fail = true;
			}
		}
	}
	rp_run_close(p);
	if (!p->npos) {
		snprintf(err, len, "no refresh to show in the window");
		return -ENOENT;
	}
	return 0;
}

/* Show refresh @k: replay from the start of its run when going back. */
static int rp_goto(struct rp *p, size_t k, char *err, size_t len)
{
	const struct rp_pos *ps = &p->pos[k];
	uint64_t t;
	bool extra;

	if (p->cur != ps->run || p->next > ps->item) {
		int rc = rp_run_open(p, ps->run, err, len);

		if (rc)
			return rc;
	}
	while (p->next <= ps->item) {
		int got = rp_item(p, &t, &extra);

		if (got < 0)
			break;
		if (got > 0 && !extra)
			p->r.ctx.seq++;
	}
	/* The attempts the report would take, for the details screen. */
	p->shown = k;
	p->st.pos = k + 1;
	p->st.real_ns = ps->real;
	return 0;
}

static void rp_say(struct rp *p, const char *msg)
{
	snprintf(p->st.msg, sizeof(p->st.msg), "%s", msg);
}

/* The refresh a key asks for, or SIZE_MAX (with a message). */
static size_t rp_target(struct rp *p, const struct view_req *q)
{
	size_t k = p->shown;
	int64_t want;

	switch (q->replay) {
	case VIEW_RP_BACK:
		if (!k)
			rp_say(p, "at the start of the recording");
		return k ? k - 1 : SIZE_MAX;
	case VIEW_RP_FWD:
		if (k + 1 >= p->npos)
			rp_say(p, "at the end of the recording");
		return k + 1 < p->npos ? k + 1 : SIZE_MAX;
	case VIEW_RP_NEXT_EV:
	case VIEW_RP_NEXT_FAIL:
		for (size_t i = k + 1; i < p->npos; i++)
			if (q->replay == VIEW_RP_NEXT_EV ? p->pos[i].event :
			    p->pos[i].fail)
				return i;
		rp_say(p, q->replay == VIEW_RP_NEXT_EV ? "no later event" :
		       "no later failure");
		return SIZE_MAX;
	case VIEW_RP_PREV_EV:
	case VIEW_RP_PREV_FAIL:
		for (size_t i = k; i-- > 0;)
			if (q->replay == VIEW_RP_PREV_EV ? p->pos[i].event :
			    p->pos[i].fail)
				return i;
		rp_say(p, q->replay == VIEW_RP_PREV_EV ? "no earlier event" :
		       "no earlier failure");
		return SIZE_MAX;
	case VIEW_RP_TIME:
		if (when_parse(q->replay_arg, p->pos[k].real, p->pos[0].real,
			       &want)) {
			snprintf(p->st.msg, sizeof(p->st.msg),
				 "not a time: '%.60s' (HH:MM[:SS], YYYY-MM-DD HH:MM, +SECS)",
				 q->replay_arg);
			return SIZE_MAX;
		}
		if (want < p->pos[0].real) {
			rp_say(p, "before the recording: at its start");
			return 0;
		}
		for (size_t i = p->npos; i-- > 0;)
			if (p->pos[i].real <= want)
				return i;
		return 0;
	case VIEW_RP_FASTER:
	case VIEW_RP_SLOWER:
		p->st.speed *= q->replay == VIEW_RP_FASTER ? 2 : 0.5;
		if (p->st.speed > RP_SPEED_MAX)
			p->st.speed = RP_SPEED_MAX;
		if (p->st.speed < RP_SPEED_MIN)
			p->st.speed = RP_SPEED_MIN;
		snprintf(p->st.msg, sizeof(p->st.msg), "speed x%g", p->st.speed);
		return SIZE_MAX;
	default:
		return SIZE_MAX;
	}
}

static int rp_screen(struct rp *p, volatile sig_atomic_t *stop, char *err,
		     size_t len)
{
	uint64_t due = 0;
	sigset_t none;
	int rc;

	if ((rc = rp_index(p, err, len)))
		return rc;
	p->st.count = p->npos;
	p->st.speed = 1.0;
	p->view = p->vops->open(p->o, err, len);
	if (!p->view)
		return -EINVAL;
	if ((rc = rp_goto(p, 0, err, len)))
		goto out;
	sigemptyset(&none);
	while (!*stop) {
		struct view_req q;
		struct pollfd pf;
		struct timespec ts, *tsp = NULL;
		uint64_t now;
		int prc;

		p->r.ctx.paused = !p->st.playing;
		rc = p->vops->frame(p->view, &p->r.ctx, p->pos[p->shown].t);
		if (rc)
			break;
		pf.fd = p->vops->input_fd(p->view);
		pf.events = POLLIN;
		pf.revents = 0;
		now = clock_mono_ns();
		if (p->st.playing && p->shown + 1 < p->npos) {
			uint64_t left = due > now ? due - now : 0;

			ts.tv_sec = (time_t)(left / CLOCK_NS_PER_S);
			ts.tv_nsec = (long)(left % CLOCK_NS_PER_S);
			tsp = &ts;
		}
		prc = ppoll(&pf, pf.fd >= 0 ? 1 : 0, tsp, &none);
		if (prc < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (prc == 0 && p->st.playing) {
			if ((rc = rp_goto(p, p->shown + 1, err, len)))
				break;
			if (p->shown + 1 >= p->npos) {
				p->st.playing = false;
				rp_say(p, "end of the recording");
			} else {
				double gap = (double)(p->pos[p->shown + 1].t -
						      p->pos[p->shown].t);

				due = clock_mono_ns() + (uint64_t)(gap / p->st.speed);
			}
			continue;
		}
		if (prc <= 0 && !(prc < 0 && errno == EINTR))
			continue;
		memset(&q, 0, sizeof(q));
		p->vops->input(p->view, &p->r.ctx, &q);
		if (q.quit)
			break;
		if (q.pause_toggle || q.replay)
			p->st.msg[0] = 0;
		if (q.pause_toggle) {
			p->st.playing = !p->st.playing;
			if (p->st.playing && p->shown + 1 >= p->npos) {
				p->st.playing = false;
				rp_say(p, "at the end of the recording");
			}
			if (p->st.playing) {
				double gap = (double)(p->pos[p->shown + 1].t -
						      p->pos[p->shown].t);

				due = clock_mono_ns() + (uint64_t)(gap / p->st.speed);
			}
		}
		if (q.replay) {
			size_t k = rp_target(p, &q);

			if (k != SIZE_MAX && (rc = rp_goto(p, k, err, len)))
				break;
			if (k != SIZE_MAX && p->st.playing && k + 1 < p->npos)
				due = clock_mono_ns() + (uint64_t)(
					(double)(p->pos[k + 1].t - p->pos[k].t) /
					p->st.speed);
		}
	}
out:
	p->vops->close(p->view);
	p->view = NULL;
	if (rc == -EPIPE)
		rc = 0;
	return rc;
}

/* ---- entry ---- */

static int rp_window(struct rp *p, char *err, size_t len)
{
	int64_t first = INT64_MAX;

	for (size_t i = 0; i < p->js.nss; i++)
		if (p->js.ss[i].nrefresh &&
		    rp_real(&p->js.ss[i], p->js.ss[i].t_first) < first)
			first = rp_real(&p->js.ss[i], p->js.ss[i].t_first);
	if (first == INT64_MAX)
		first = 0;
	p->begin = INT64_MIN;
	p->end = 0;
	if (p->o->begin && when_parse(p->o->begin, first, first, &p->begin)) {
		snprintf(err, len,
			 "--begin '%s': not a time ([YYYY-MM-DD ]HH:MM[:SS], [YYYYMMDD]hhmm, +SECS)",
			 p->o->begin);
		return -EINVAL;
	}
	if (p->o->end && when_parse(p->o->end, first, first, &p->end)) {
		snprintf(err, len,
			 "--end '%s': not a time ([YYYY-MM-DD ]HH:MM[:SS], [YYYYMMDD]hhmm, +SECS)",
			 p->o->end);
		return -EINVAL;
	}
	if (p->o->end && p->o->begin && p->end < p->begin) {
		snprintf(err, len, "--end is before --begin");
		return -EINVAL;
	}
	return 0;
}

/*
 * vfiomigtop -r: replay the journals of @o into the view @vops.  Returns
 * the exit status (as a live run's: @status judges each recording).
 */
int replay_main(const struct options *o, const struct view_ops *vops,
		int (*status)(const struct run *r),
		volatile sig_atomic_t *stop)
{
	struct rp p;
	struct report rep;
	char err[1200];
	int rc, st = OPT_EXIT_OK;

	memset(&p, 0, sizeof(p));
	p.o = o;
	p.diag = stderr;
	p.cur = SIZE_MAX;
	p.vops = vops;
	err[0] = 0;
	if (o->report) {
		report_init(&rep, o->report_pair);
		p.report = &rep;
	}
	rc = jr_load(&p.js, o->read_paths, o->nread, p.diag, err, sizeof(err));
	if (!rc)
		rc = rp_window(&p, err, sizeof(err));
	if (!rc)
		rc = rp_plan(&p, err, sizeof(err));
	if (!rc) {
		snprintf(p.st.label, sizeof(p.st.label), "%s%s",
			 o->read_paths[0], o->nread > 1 ? " (and more)" : "");
		if (vops == &view_tui_ops)
			rc = rp_screen(&p, stop, err, sizeof(err));
		else if ((st = rp_batch(&p, status, stop, err, sizeof(err))) < 0)
			rc = -1;
	}
	if (!rc && p.report) {
		p.report->env = p.env;
		if (report_print(p.report, o->format == OPT_FMT_JSON, stdout))
			rc = -1;
		if (!rc && o->report_pair && !p.report->matched) {
			fprintf(stderr, "vfiomigtop: --report=%s: no pair of the journal matches\n",
				o->report_pair);
			st = OPT_EXIT_USAGE;
		}
	}
	if (rc) {
		if (err[0])
			fprintf(stderr, "vfiomigtop: %s\n", err);
		st = OPT_EXIT_USAGE;
	}
	if (p.report)
		report_free(p.report);
	rp_run_close(&p);
	for (size_t k = 0; k < p.nruns; k++)
		free(p.runs[k].items);
	free(p.runs);
	free(p.pos);
	free(p.vf);
	journal_ident_free(&p.ids);
	jr_free(&p.js);
	return st;
}
