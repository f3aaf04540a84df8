// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.c - what the monitor knows: every device with its current value,
 * since when, and a bounded history of transitions; the pairs; and an event
 * stream for the views.  Snapshots from the sources are diffed here.  When
 * two refreshes show a jump that is not a single arc, the kernel's path is
 * rebuilt with the FSM rule and its middle steps are recorded as inferred.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsm.h"

static int model_key(enum pair_side side, const char *name, char *key,
		     size_t len)
{
	size_t n = strlen(name);

	if (n + 3 > len)
		return -1;
	key[0] = side == PAIR_DST ? 'd' : 's';
	key[1] = ':';
	memcpy(key + 2, name, n + 1);
	return (int)n + 2;
}

int model_init(struct model *m, const struct model_cfg *cfg)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	strmap_init(&m->byname);
	m->ev = calloc(MODEL_EVENTS, sizeof(*m->ev));
	return m->ev ? 0 : -ENOMEM;
}

/* Register a source; its index is the @feed argument of model_ingest(). */
int model_add_feed(struct model *m, enum model_feed kind)
{
	struct model_feedinfo *f = realloc(m->feeds, (m->nfeeds + 1) *
						     sizeof(*f));
	if (!f)
		return -ENOMEM;
	m->feeds = f;
	memset(&f[m->nfeeds], 0, sizeof(*f));
	f[m->nfeeds].kind = kind;
	return (int)m->nfeeds++;
}

static struct model_event *model_emit(struct model *m, enum model_ev_kind k,
				      uint64_t t)
{
	struct model_event *e = &m->ev[(m->ev_seq + 1) % MODEL_EVENTS];

	memset(e, 0, sizeof(*e));
	e->seq = ++m->ev_seq;
	e->kind = k;
	e->t_ns = t;
	e->dev = e->pair = -1;
	return e;
}

/* The event numbered @seq, or NULL when it is not (or no longer) kept. */
const struct model_event *model_event(const struct model *m, uint64_t seq)
{
	if (!seq || seq > m->ev_seq || m->ev_seq - seq >= MODEL_EVENTS)
		return NULL;
	return &m->ev[seq % MODEL_EVENTS];
}

/* The @i-th oldest retained transition of @d; returns 0 past the end. */
unsigned int model_hist_get(const struct model_dev *d, unsigned int i,
			    struct model_trans *out)
{
	unsigned int kept = d->hist_n < MODEL_HIST ? d->hist_n : MODEL_HIST;
	unsigned int first = d->hist_n - kept;

	if (i >= kept)
		return 0;
	*out = d->hist[(first + i) % MODEL_HIST];
	return 1;
}

static void model_record(struct model *m, int idx, enum dstate from,
			 enum dstate to, uint64_t t, uint8_t flags)
{
	struct model_dev *d = m->devs[idx];
	struct model_trans *tr = &d->hist[d->hist_n++ % MODEL_HIST];
	struct model_event *e;

	tr->t_ns = t;
	tr->from = (uint8_t)from;
	tr->to = (uint8_t)to;
	tr->flags = flags;
	if (dstate_is_state(from) && dstate_is_state(to) &&
	    !(flags & MODEL_T_ATTEMPT))
		d->transitions++;
	if (to == DS_ERROR && !(flags & MODEL_T_ATTEMPT)) {
		d->entered_error = true;
		m->any_error = true;
	}
	e = model_emit(m, MODEL_EV_TRANS, t);
	e->dev = idx;
	e->tr = *tr;
}

/* Feature flags to rebuild paths with: the features file, else everything
 * the states seen imply, else a full-featured device (most drivers are). */
static unsigned int model_flags(const struct model_dev *d)
{
	if (d->features_known && (d->features & FSM_F_STOP_COPY))
		return d->features;
	return FSM_F_ALL | d->flags_seen;
}

/* The device's value changed from its current one to @to at @t. */
static void model_change(struct model *m, int idx, enum dstate to, uint64_t t)
{
	struct model_dev *d = m->devs[idx];
	enum dstate from = d->val;

	if (from == to)
		return;
	if (dstate_is_state(to))
		d->flags_seen |= fsm_flags_implied((enum fsm_state)to);
	if (d->exact) {
		/* The source explains every change with steps; what is left
		 * (a failed read, a device gone) needs no path. */
		model_record(m, idx, from, to, t,
			     dstate_is_state(from) && dstate_is_state(to) ?
			     MODEL_T_NOPATH : 0);
	} else if (dstate_is_state(from) && dstate_is_state(to) &&
	    !fsm_is_arc((enum fsm_state)from, (enum fsm_state)to,
			model_flags(d))) {
		enum fsm_state steps[FSM_MAX_PATH];
		int n = fsm_path((enum fsm_state)from, (enum fsm_state)to,
				 model_flags(d), steps, FSM_MAX_PATH);

		if (n > 1) {
			enum dstate prev = from;

			for (int i = 0; i < n - 1; i++) {
				model_record(m, idx, prev, (enum dstate)steps[i],
					     t, MODEL_T_INFERRED);
				prev = (enum dstate)steps[i];
			}
			model_record(m, idx, prev, to, t, 0);
		} else {
			model_record(m, idx, from, to, t, MODEL_T_NOPATH);
		}
	} else {
		model_record(m, idx, from, to, t, 0);
	}
	d->val = to;
	d->since_ns = t;
}

static enum pair_side model_side(const struct model *m, enum model_feed kind,
				 const char *name)
{
	if (kind == MODEL_FEED_DST)
		return PAIR_DST;
	if (kind == MODEL_FEED_SRC)
		return PAIR_SRC;
	for (size_t i = 0; i < m->cfg.npairs; i++)
		if (!strcmp(m->cfg.pairs[i].dst, name))
			return PAIR_DST;
	return PAIR_SRC;
}

/* Find or create the device @name on @side.  Returns its index or -1. */
static int model_dev_get(struct model *m, enum pair_side side,
			 const char *name, uint64_t now)
{
	char key[SNAP_NAME_MAX + 3];
	struct model_dev *d;
	int klen = model_key(side, name, key, sizeof(key));
	int idx;

	if (klen < 0)
		return -1;
	idx = strmap_get(&m->byname, key, (size_t)klen);
	if (idx >= 0)
		return idx;
	if (m->ndevs == m->devcap) {
		size_t cap = m->devcap ? m->devcap * 2 : 64;
		struct model_dev **nd = realloc(m->devs, cap * sizeof(*nd));

		if (!nd)
			return -1;
		m->devs = nd;
		m->devcap = cap;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->side = side;
	d->order = m->next_order[side]++;
	d->val = DS_UNKNOWN;
	d->first_ns = d->since_ns = now;
	idx = (int)m->ndevs;
	if (strmap_put(&m->byname, key, (size_t)klen, idx)) {
		free(d);
		return -1;
	}
	m->devs[m->ndevs++] = d;
	m->repair = true;
	return idx;
}

static void model_vanish(struct model *m, int idx, uint64_t now)
{
	struct model_dev *d = m->devs[idx];

	d->present = false;
	d->gone_ns = now;
	d->busy_ns = 0;
	model_change(m, idx, DS_GONE, now);
	m->repair = true;
}

/* Copy one slot's news into its device. */
static void model_apply(struct model *m, int idx, const struct snap_dev *sd,
			uint64_t now)
{
	struct model_dev *d = m->devs[idx];

	d->busy_ns = sd->busy_ns;
	d->exact = sd->exact;
	d->features = sd->features;
	d->features_known = sd->features_known;
	d->dirty_tracking = sd->dirty_tracking;
	d->err = sd->err;
	d->raw_len = sd->raw_len;
	memcpy(d->raw, sd->raw, sd->raw_len);
	/* Exact devices change through their steps (model_steps). */
	if (!sd->exact && sd->val != DS_UNKNOWN && sd->val != d->val)
		model_change(m, idx, sd->val, sd->read_ns ? sd->read_ns : now);
}

static int model_slots(struct model_feedinfo *f, size_t n)
{
	int *p;

	if (n <= f->nslots)
		return 0;
	p = realloc(f->slotdev, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t i = f->nslots; i < n; i++)
		p[i] = -1;
	f->slotdev = p;
	f->nslots = n;
	return 0;
}

/* One step a source knows happened (arc log, agent). */
static void model_step(struct model *m, int idx, const struct snap_step *st)
{
	struct model_dev *d = m->devs[idx];

	if (st->flags & MODEL_T_ATTEMPT) {
		model_record(m, idx, (enum dstate)st->from,
			     (enum dstate)st->to, st->t_ns, st->flags);
		return;
	}
	if (dstate_is_state((enum dstate)st->to))
		d->flags_seen |= fsm_flags_implied((enum fsm_state)st->to);
	model_record(m, idx, (enum dstate)st->from, (enum dstate)st->to,
		     st->t_ns, st->flags);
	d->val = (enum dstate)st->to;
	d->since_ns = st->t_ns;
}

static const struct snap_step *model_sort_base;	/* for model_cmp_step */

static int model_cmp_step(const void *a, const void *b)
{
	const struct snap_step *x = &model_sort_base[*(const size_t *)a];
	const struct snap_step *y = &model_sort_base[*(const size_t *)b];

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Record a refresh's steps in time order (stable within a device). */
static void model_steps(struct model *m, struct model_feedinfo *f,
			const struct snapshot *sn)
{
	size_t *order;

	if (!sn->nsteps)
		return;
	order = malloc(sn->nsteps * sizeof(*order));
	if (!order)
		return;
	for (size_t i = 0; i < sn->nsteps; i++)
		order[i] = i;
	model_sort_base = sn->steps;
	qsort(order, sn->nsteps, sizeof(*order), model_cmp_step);
	for (size_t i = 0; i < sn->nsteps; i++) {
		const struct snap_step *st = &sn->steps[order[i]];
		int idx;

		if (st->slot >= f->nslots)
			continue;
		idx = f->slotdev[st->slot];
		if (idx >= 0 && m->devs[idx]->gen == st->gen)
			model_step(m, idx, st);
	}
	free(order);
}

/*
 * Take the news of source @feed.  Only the slots the snapshot lists as
 * changed are looked at, so a quiet refresh costs nothing here.
 */
int model_ingest(struct model *m, unsigned int feed, const struct snapshot *sn,
		 uint64_t now_ns)
{
	struct model_feedinfo *f = &m->feeds[feed];

	m->now_ns = now_ns;
	if (model_slots(f, sn->nslots))
		return -ENOMEM;
	for (size_t k = 0; k < sn->nchanged; k++) {
		uint32_t s = sn->changed[k];
		const struct snap_dev *sd = &sn->dev[s];
		int idx = f->slotdev[s];

		if (idx >= 0 && (!sd->present || m->devs[idx]->gen != sd->gen)) {
			model_vanish(m, idx, now_ns);
			f->slotdev[s] = idx = -1;
		}
		if (!sd->present)
			continue;
		if (idx < 0) {
			idx = model_dev_get(m, model_side(m, f->kind, sd->name),
					    sd->name, now_ns);
			if (idx < 0)
				continue;
			f->slotdev[s] = idx;
			m->devs[idx]->feed = feed;
			m->devs[idx]->slot = s;
			m->devs[idx]->gen = sd->gen;
			m->devs[idx]->present = true;
			m->devs[idx]->gone_ns = 0;
		}
		model_apply(m, idx, sd, now_ns);
	}
	model_steps(m, f, sn);
	/* Whatever the steps did not explain (failed reads, appearance). */
	for (size_t k = 0; k < sn->nchanged; k++) {
		uint32_t s = sn->changed[k];
		const struct snap_dev *sd = &sn->dev[s];
		int idx = f->slotdev[s];

		if (idx >= 0 && sd->present && sd->exact &&
		    sd->val != DS_UNKNOWN && m->devs[idx]->val != sd->val)
			model_change(m, idx, sd->val,
				     sd->read_ns ? sd->read_ns : now_ns);
	}
	return 0;
}

/*
 * True while a device is listed: present, or vanished less than @tomb_ns
 * ago (0: tombstones never expire).  Every view asks this.
 */
bool model_dev_listed(const struct model_dev *d, uint64_t tomb_ns,
		      uint64_t now)
{
	return d->present || !tomb_ns || now < d->gone_ns ||
	       now - d->gone_ns < tomb_ns;
}

static int model_cmp_order(const void *a, const void *b)
{
	const struct model_dev *x = *(struct model_dev *const *)a;
	const struct model_dev *y = *(struct model_dev *const *)b;

	return (x->order > y->order) - (x->order < y->order);
}

/* Recompute which device goes with which. */
static void model_repair(struct model *m, uint64_t now)
{
	const char **names[PAIR_NSIDES] = { NULL, NULL };
	struct model_dev **bys[PAIR_NSIDES] = { NULL, NULL };
	size_t n[PAIR_NSIDES] = { 0, 0 };
	struct model_pair *np = NULL;
	struct pair_match *pm = NULL;
	bool shared = false;
	size_t cnt = 0;

	for (size_t i = 0; i < m->nfeeds; i++)
		shared |= m->feeds[i].kind == MODEL_FEED_SHARED;
	for (int s = 0; s < PAIR_NSIDES; s++) {
		names[s] = calloc(m->ndevs + 1, sizeof(char *));
		bys[s] = calloc(m->ndevs + 1, sizeof(*bys[s]));
		if (!names[s] || !bys[s])
			goto out;
	}
	for (size_t i = 0; i < m->ndevs; i++) {
		struct model_dev *d = m->devs[i];

		if (model_dev_listed(d, m->cfg.tomb_ns, now))
			bys[d->side][n[d->side]++] = d;
	}
	for (int s = 0; s < PAIR_NSIDES; s++) {
		qsort(bys[s], n[s], sizeof(*bys[s]), model_cmp_order);
		for (size_t i = 0; i < n[s]; i++)
			names[s][i] = bys[s][i]->name;
	}
	cnt = n[PAIR_SRC] + n[PAIR_DST] + m->cfg.npairs;
	pm = calloc(cnt + 1, sizeof(*pm));
	np = calloc(cnt + 1, sizeof(*np));
	if (!pm || !np)
		goto out;
	cnt = pair_match_names((const char *const **)names, n, m->cfg.pairs,
			       m->cfg.npairs, shared, pm, cnt);
	for (size_t k = 0; k < cnt; k++) {
		for (int s = 0; s < PAIR_NSIDES; s++) {
			int i = pm[k].idx[s];

			np[k].dev[s] = -1;
			if (i >= 0) {
				char key[SNAP_NAME_MAX + 3];
				int kl = model_key((enum pair_side)s,
						   bys[s][i]->name, key,
						   sizeof(key));

				np[k].dev[s] = strmap_get(&m->byname, key,
							  (size_t)kl);
			}
		}
		np[k].want[PAIR_SRC] = np[k].want[PAIR_DST] = "";
		if (pm[k].spec >= 0) {
			np[k].want[PAIR_SRC] = m->cfg.pairs[pm[k].spec].src;
			np[k].want[PAIR_DST] = m->cfg.pairs[pm[k].spec].dst;
		}
		/* Keep the previous verdict so that no event is repeated. */
		for (size_t o = 0; o < m->npairs; o++) {
			if (m->pairs[o].dev[0] == np[k].dev[0] &&
			    m->pairs[o].dev[1] == np[k].dev[1]) {
				np[k].v = m->pairs[o].v;
				break;
			}
		}
	}
	free(m->pairs);
	m->pairs = np;
	m->npairs = cnt;
	np = NULL;
	m->repair = false;
out:
	free(np);
	free(pm);
	for (int s = 0; s < PAIR_NSIDES; s++) {
		free(names[s]);
		free(bys[s]);
	}
}

/* A digest of everything pair_judge() reads besides the time. */
static uint64_t model_pair_key(const struct model_dev *s,
			       const struct model_dev *d)
{
	uint64_t k = 1469598103934665603ull;
	const struct model_dev *x[2] = { s, d };

	for (int i = 0; i < 2; i++) {
		uint64_t f[5] = { x[i]->hist_n, (uint64_t)x[i]->val,
				  x[i]->since_ns, x[i]->gone_ns,
				  (uint64_t)x[i]->busy_ns };

		for (int j = 0; j < 5; j++)
			k = (k ^ f[j]) * 1099511628211ull;
	}
	return k | 1;
}

/* Re-pair if the device set changed, then judge every pair. */
void model_update_pairs(struct model *m, uint64_t now_ns)
{
	m->now_ns = now_ns;
	if (m->cfg.tomb_ns) {
		for (size_t i = 0; i < m->ndevs && !m->repair; i++) {
			struct model_dev *d = m->devs[i];

			if (!d->present && d->gone_ns &&
			    now_ns - d->gone_ns >= m->cfg.tomb_ns) {
				for (size_t k = 0; k < m->npairs; k++)
					if (m->pairs[k].dev[d->side] == (int)i)
						m->repair = true;
			}
		}
	}
	if (m->repair)
		model_repair(m, now_ns);
	for (size_t k = 0; k < m->npairs; k++) {
		struct model_pair *p = &m->pairs[k];
		const struct model_dev *s = p->dev[PAIR_SRC] >= 0 ?
					    m->devs[p->dev[PAIR_SRC]] : NULL;
		const struct model_dev *d = p->dev[PAIR_DST] >= 0 ?
					    m->devs[p->dev[PAIR_DST]] : NULL;
		struct pair_verdict v;
		uint64_t key;

		if (!s || !d)
			continue;	/* unpaired: no verdict (zeroed at re-pairing) */
		/* Judge again only when something it depends on changed, or
		 * while the verdict depends on the time (a RESUMING that may
		 * become stuck, a read that may stay blocked too long). */
		key = model_pair_key(s, d);
		if (key == p->key && p->v.phase != PAIR_RESUMING &&
		    !s->busy_ns && !d->busy_ns)
			continue;
		p->key = key;
		pair_judge(s, d, &m->cfg.pc, now_ns, &v);
		if (!pair_verdict_same(&v, &p->v)) {
			struct model_event *e = model_emit(m, MODEL_EV_PAIR,
							   now_ns);

			e->pair = (int)k;
			e->v = v;
		}
		if (v.phase == PAIR_FAILED)
			m->any_failed = true;
		p->v = v;
	}
}

void model_free(struct model *m)
{
	for (size_t i = 0; i < m->ndevs; i++)
		free(m->devs[i]);
	free(m->devs);
	for (size_t i = 0; i < m->nfeeds; i++)
		free(m->feeds[i].slotdev);
	free(m->feeds);
	free(m->pairs);
	free(m->ev);
	strmap_free(&m->byname);
	memset(m, 0, sizeof(*m));
}
