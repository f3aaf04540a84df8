// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.c - what the monitor knows: every device with its current value,
 * since when, and a bounded history of transitions; the pairs and their
 * migration attempts; and an event stream for the views.  Snapshots from
 * the sources are diffed here.  When two reads show a jump that is not a
 * single arc, the steps between are rebuilt where only one way is
 * plausible (vmmpath.c) and marked inferred, else shown as missed.  What
 * was seen goes to each pair's attempts (attempt.c), which judge it.
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
#include "vmmpath.h"

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
	m->vf = calloc(MODEL_VMMFAILS, sizeof(*m->vf));
	return m->ev && m->vf ? 0 : -ENOMEM;
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
	m->change_gen++;
	e->seq = ++m->ev_seq;
	e->kind = k;
	e->t_ns = t;
	e->dev = e->pair = -1;
	return e;
}

/* Append @v to the growing index queue @q; false when out of memory. */
static bool model_queue_push(int **q, size_t *n, size_t *cap, int v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		int *nq = realloc(*q, c * sizeof(*nq));

		if (!nq)
			return false;
		*q = nq;
		*cap = c;
	}
	(*q)[(*n)++] = v;
	return true;
}

/* Device @idx changed in some way (value, features, presence, ...):
 * listed once for model_dev_changed_take(). */
static void model_mark_dev(struct model *m, int idx)
{
	struct model_dev *d = m->devs[idx];

	m->change_gen++;
	if (d->dqueued || m->dq_all)
		return;
	if (!model_queue_push(&m->dq, &m->ndq, &m->dqcap, idx))
		m->dq_all = true;
	else
		d->dqueued = true;
}

/*
 * The devices that changed since the last call (*@out, valid until the
 * next ingest), or *@all when every device must be taken as changed.
 * The list starts again empty.  For consumers that redo per-device work
 * only for what changed (devinfo); at most one such consumer.
 */
size_t model_dev_changed_take(struct model *m, int **out, bool *all)
{
	size_t n = m->ndq;

	*all = m->dq_all;
	*out = m->dq;
	for (size_t i = 0; i < n; i++)
		m->devs[m->dq[i]]->dqueued = false;
	m->ndq = 0;
	m->dq_all = false;
	return n;
}

/* The next model_update_pairs() looks at pair @k (it has news).  Out of
 * memory, every pair is looked at again (a re-pair). */
static void model_mark_pair(struct model *m, int k)
{
	struct model_pair *p;

	if (k < 0 || (size_t)k >= m->npairs || m->repair)
		return;		/* a re-pair comes first and looks at all */
	p = &m->pairs[k];
	if (p->queued)
		return;
	if (!model_queue_push(&m->pq, &m->npq, &m->pqcap, k))
		m->repair = true;
	else
		p->queued = true;
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

	if (i >= kept || !d->hist)
		return 0;
	*out = d->hist[(first + i) % MODEL_HIST];
	return 1;
}

static void model_record(struct model *m, int idx, enum dstate from,
			 enum dstate to, uint64_t t, uint64_t lo, uint8_t flags)
{
	struct model_dev *d = m->devs[idx];
	struct model_trans lost, *tr = &lost;
	struct model_event *e;

	/* The ring comes with the first transition (a device forgotten
	 * has none); out of memory, the transition is told, not kept. */
	if (!d->hist)
		d->hist = calloc(MODEL_HIST, sizeof(*d->hist));
	if (d->hist)
		tr = &d->hist[d->hist_n++ % MODEL_HIST];

	tr->t_ns = t;
	tr->lo_ns = lo;
	tr->from = (uint8_t)from;
	tr->to = (uint8_t)to;
	tr->flags = flags;
	if (dstate_is_state(from) && dstate_is_state(to) &&
	    !(flags & (MODEL_T_ATTEMPT | MODEL_T_MISSED)))
		d->transitions++;
	/* A first value of ERROR is a status (a VF never opened reads so),
	 * not an event. */
	if (to == DS_ERROR && dstate_is_state(from) &&
	    !(flags & MODEL_T_ATTEMPT)) {
		d->entered_error = true;
		m->any_error = true;
	}
	e = model_emit(m, MODEL_EV_TRANS, t);
	e->dev = idx;
	d->last_ev = e->seq;
	e->tr = *tr;
	model_mark_dev(m, idx);
	model_mark_pair(m, d->pair);
}

/* Feature flags to rebuild paths with: the features file, else everything
 * the states seen imply, else a full-featured device (most drivers are). */
static unsigned int model_flags(const struct model_dev *d)
{
	if (d->features_known && (d->features & FSM_F_STOP_COPY))
		return d->features;
	return FSM_F_ALL | d->flags_seen;
}

/*
 * The device's value was read as @to at @t; the value before was last
 * read at @lo.  Steps between two reads are shown where only one way is
 * plausible (inferred), else as one change with the steps missed.
 */
static void model_change(struct model *m, int idx, enum dstate to, uint64_t t,
			 uint64_t lo, bool followed)
{
	struct model_dev *d = m->devs[idx];
	enum dstate from = d->val;
	enum fsm_state steps[FSM_MAX_PATH];
	int n;

	if (from == to)
		return;
	if (dstate_is_state(to))
		d->flags_seen |= fsm_flags_implied((enum fsm_state)to);
	if (!dstate_is_state(from) || !dstate_is_state(to)) {
		model_record(m, idx, from, to, t, lo, 0);
	} else if (followed ||
		   fsm_path((enum fsm_state)from, (enum fsm_state)to,
			    model_flags(d), steps, FSM_MAX_PATH) < 0) {
		/* The arc log explains every kernel step, or the kernel has
		 * no path: it changed by no kernel step (a reset). */
		model_record(m, idx, from, to, t, lo, MODEL_T_NOPATH);
	} else if (fsm_is_arc((enum fsm_state)from, (enum fsm_state)to,
			      model_flags(d))) {
		model_record(m, idx, from, to, t, lo, 0);
	} else if ((n = vmmpath_between((enum fsm_state)from,
					(enum fsm_state)to, model_flags(d),
					steps, FSM_MAX_PATH)) > 0) {
		enum dstate prev = from;

		for (int i = 0; i < n - 1; i++) {
			model_record(m, idx, prev, (enum dstate)steps[i], t, lo,
				     MODEL_T_INFERRED);
			prev = (enum dstate)steps[i];
		}
		model_record(m, idx, prev, to, t, lo, 0);
	} else {
		model_record(m, idx, from, to, t, lo, MODEL_T_MISSED);
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

/* The index a new device takes: the last freed one, else a new entry
 * past m->ndevs (allocated, not yet counted).  -1 out of memory. */
static int model_dev_slot(struct model *m)
{
	if (m->nfree)
		return m->freeidx[m->nfree - 1];
	if (m->ndevs == m->devcap) {
		size_t cap = m->devcap ? m->devcap * 2 : 64;
		struct model_dev **nd = realloc(m->devs, cap * sizeof(*nd));

		if (!nd)
			return -1;
		m->devs = nd;
		m->devcap = cap;
	}
	m->devs[m->ndevs] = calloc(1, sizeof(*m->devs[m->ndevs]));
	return m->devs[m->ndevs] ? (int)m->ndevs : -1;
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
	idx = model_dev_slot(m);
	if (idx < 0)
		return -1;
	if (strmap_put(&m->byname, key, (size_t)klen, idx)) {
		if (idx == (int)m->ndevs)
			free(m->devs[idx]);
		return -1;
	}
	d = m->devs[idx];
	if (idx < (int)m->ndevs) {
		/* A free index: nothing names it any more (model_forget). */
		bool dq = d->dqueued;

		m->nfree--;
		m->reused++;
		memset(d, 0, sizeof(*d));
		d->dqueued = dq;
	} else {
		m->ndevs++;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->serial = ++m->dev_serial;
	d->side = side;
	d->order = m->next_order[side]++;
	d->val = DS_UNKNOWN;
	d->pair = -1;
	d->first_ns = d->since_ns = now;
	model_mark_dev(m, idx);
	m->repair = true;
	return idx;
}

static void model_vanish(struct model *m, int idx, uint64_t now)
{
	struct model_dev *d = m->devs[idx];

	model_mark_dev(m, idx);
	d->present = false;
	d->gone_ns = now;
	d->busy_ns = 0;
	model_change(m, idx, DS_GONE, now, 0, d->exact);
	m->repair = true;
}

/* Copy one slot's news into its device. */
static void model_apply(struct model *m, int idx, const struct snap_dev *sd,
			uint64_t now)
{
	struct model_dev *d = m->devs[idx];

	model_mark_dev(m, idx);
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
		model_change(m, idx, sd->val, sd->read_ns ? sd->read_ns : now,
			     sd->prev_ns, false);
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

	if (st->flags & SNAP_STEP_LOSS) {
		/* Steps were lost before it: a change seen, not followed. */
		model_change(m, idx, (enum dstate)st->to, st->t_ns, st->lo_ns,
			     false);
		return;
	}
	if (st->flags & MODEL_T_ATTEMPT) {
		model_record(m, idx, (enum dstate)st->from,
			     (enum dstate)st->to, st->t_ns, st->t_ns, st->flags);
		return;
	}
	if (dstate_is_state((enum dstate)st->to))
		d->flags_seen |= fsm_flags_implied((enum fsm_state)st->to);
	/* A kernel step has its exact time; a change an agent saw between
	 * two of its reads came after the first (lo_ns, 0 if not known). */
	model_record(m, idx, (enum dstate)st->from, (enum dstate)st->to,
		     st->t_ns, st->flags & SNAP_STEP_ARC ? st->t_ns : st->lo_ns,
		     st->flags);
	d->val = (enum dstate)st->to;
	d->since_ns = st->t_ns;
}

/* qsort_r order of step indices: by time, then as listed; @arg is the
 * snapshot's steps. */
static int model_cmp_step(const void *a, const void *b, void *arg)
{
	const struct snap_step *base = arg;
	const struct snap_step *x = &base[*(const size_t *)a];
	const struct snap_step *y = &base[*(const size_t *)b];

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
	qsort_r(order, sn->nsteps, sizeof(*order), model_cmp_step,
		(void *)sn->steps);
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
	f->sn = sn;
	if (model_slots(f, sn->nslots))
		return -ENOMEM;
	for (size_t k = 0; k < sn->nchanged; k++) {
		uint32_t s = sn->changed[k];
		const struct snap_dev *sd = &sn->dev[s];
		int idx = f->slotdev[s];

		if (idx >= 0 && (!sd->present || m->devs[idx]->gen != sd->gen)) {
			model_vanish(m, idx, now_ns);
			m->devs[idx]->mapped--;
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
			m->devs[idx]->mapped++;
			/* Back after its tombstone expired: pair it again. */
			if (m->devs[idx]->pair < 0)
				m->repair = true;
			m->devs[idx]->feed = feed;
			m->devs[idx]->slot = s;
			m->devs[idx]->gen = sd->gen;
			m->devs[idx]->present = true;
			m->devs[idx]->gone_ns = 0;
			m->devs[idx]->appeared = ++m->appear_seq;
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
				     sd->read_ns ? sd->read_ns : now_ns,
				     sd->prev_ns, true);
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
	if (d->life != MODEL_LIVE)
		return false;
	return d->present || !tomb_ns || now < d->gone_ns ||
	       now - d->gone_ns < tomb_ns;
}

/* qsort_r order of device indices: by first appearance (unique on a
 * side); @arg is the model. */
static int model_cmp_order(const void *a, const void *b, void *arg)
{
	const struct model *m = arg;
	int x = m->devs[*(const int *)a]->order;
	int y = m->devs[*(const int *)b]->order;

	return (x > y) - (x < y);
}

/* The attempts of source @s with destination @d, kept on the source. */
static struct model_track *model_track_get(struct model *m, int s, int d,
					   uint64_t now)
{
	struct model_dev *sd = m->devs[s], *dd = m->devs[d];
	struct model_track *k = sd->trk;

	if (k && k->dst == d)
		return k;
	if (!k && !(k = malloc(sizeof(*k))))
		return NULL;
	sd->trk = k;
	att_init(&k->att);
	k->dst = d;
	/* Their values now are a status: what the pair sees first. */
	k->fed[PAIR_SRC] = sd->hist_n;
	k->fed[PAIR_DST] = dd->hist_n;
	att_value(&k->att, ATT_SRC, (uint8_t)sd->val, 0, now);
	att_value(&k->att, ATT_DST, (uint8_t)dd->val, 0, now);
	return k;
}

/* When the first tombstone of a paired device expires (its pair must be
 * recomputed then), CLOCK_MONOTONIC ns; 0 if none will. */
static uint64_t model_tomb_next(const struct model *m)
{
	uint64_t next = 0;

	if (!m->cfg.tomb_ns)
		return 0;
	for (size_t i = 0; i < m->ndevs; i++) {
		const struct model_dev *d = m->devs[i];
		uint64_t at = d->gone_ns + m->cfg.tomb_ns;

		if (!d->present && d->gone_ns && d->pair >= 0 &&
		    (!next || at < next))
			next = at;
	}
	return next;
}

/*
 * The devices listed now on each side: @idx[s] holds the indices of @n[s]
 * of them in order of first appearance, @names[s] their names (arrays
 * the caller frees).  Every device's pair is reset.  Returns -ENOMEM.
 */
static int model_listed(struct model *m, uint64_t now, int *idx[],
			const char **names[], size_t n[])
{
	for (int s = 0; s < PAIR_NSIDES; s++) {
		idx[s] = calloc(m->ndevs + 1, sizeof(*idx[s]));
		names[s] = calloc(m->ndevs + 1, sizeof(*names[s]));
		if (!idx[s] || !names[s])
			return -ENOMEM;
	}
	for (size_t i = 0; i < m->ndevs; i++) {
		struct model_dev *d = m->devs[i];

		d->pair = -1;
		if (model_dev_listed(d, m->cfg.tomb_ns, now))
			idx[d->side][n[d->side]++] = (int)i;
	}
	for (int s = 0; s < PAIR_NSIDES; s++) {
		qsort_r(idx[s], n[s], sizeof(*idx[s]), model_cmp_order, m);
		for (size_t i = 0; i < n[s]; i++)
			names[s][i] = m->devs[idx[s][i]]->name;
	}
	return 0;
}

/* Pair @k from match @pm (positions in @idx): its devices, each told its
 * pair; the names --pair asked for; a complete pair's attempts. */
static void model_pair_set(struct model *m, struct model_pair *p, int k,
			   const struct pair_match *pm, int *const idx[],
			   uint64_t now)
{
	for (int s = 0; s < PAIR_NSIDES; s++) {
		p->dev[s] = pm->idx[s] >= 0 ? idx[s][pm->idx[s]] : -1;
		if (p->dev[s] >= 0)
			m->devs[p->dev[s]]->pair = k;
	}
	p->want[PAIR_SRC] = p->want[PAIR_DST] = "";
	if (pm->spec >= 0) {
		p->want[PAIR_SRC] = m->cfg.pairs[pm->spec].src;
		p->want[PAIR_DST] = m->cfg.pairs[pm->spec].dst;
	}
	p->att = NULL;
	if (p->dev[PAIR_SRC] >= 0 && p->dev[PAIR_DST] >= 0) {
		struct model_track *t = model_track_get(m, p->dev[PAIR_SRC],
							p->dev[PAIR_DST], now);

		p->att = t ? &t->att : NULL;
	}
}

/* Gone, and no longer listed: nobody can see it any more.  (A slot of
 * another source may still hold a device of the same name: then it is
 * not gone.) */
static bool model_gone_for_good(const struct model *m,
				const struct model_dev *d, uint64_t now)
{
	return !d->present && d->gone_ns && !d->mapped &&
	       !model_dev_listed(d, m->cfg.tomb_ns, now);
}

/* No kept event or VMM failure names forgotten device @d: its index can
 * go to a new device. */
static bool model_unnamed(const struct model *m, const struct model_dev *d)
{
	return (!d->last_ev || m->ev_seq - d->last_ev >= MODEL_EVENTS) &&
	       (!d->last_vf || m->vf_seq - d->last_vf >= MODEL_VMMFAILS);
}

/* Forgotten device @idx's index goes on the free list. */
static void model_dev_release(struct model *m, int idx)
{
	struct model_dev *d = m->devs[idx];

	/* Fewer free indices than entries: devcap always has room. */
	if (m->nfree == m->freecap) {
		int *f = realloc(m->freeidx, m->devcap * sizeof(*f));

		if (!f)
			return;	/* stays forgotten; tried again next time */
		m->freeidx = f;
		m->freecap = m->devcap;
	}
	d->life = MODEL_FREE;
	m->freeidx[m->nfree++] = idx;
}

/*
 * Forget what nobody can see any more: a device gone for good loses its
 * history ring and attempts (a pair's attempts were told as they were
 * decided) and its name (one that comes back is a new device); a
 * source's attempts with such a destination go too.  Its index is
 * taken again once no kept event names it: with mdevs created and
 * removed all day, the devices kept are those present, listed, or in
 * the last MODEL_EVENTS events.  Called with every pair dissolved.
 */
static void model_forget(struct model *m, uint64_t now)
{
	char key[SNAP_NAME_MAX + 3];

	for (size_t i = 0; i < m->ndevs; i++) {
		struct model_dev *d = m->devs[i];
		int klen;

		if (d->trk && model_gone_for_good(m, m->devs[d->trk->dst], now)) {
			free(d->trk);
			d->trk = NULL;
		}
		if (d->life == MODEL_LIVE) {
			if (!model_gone_for_good(m, d, now))
				continue;
			free(d->hist);
			d->hist = NULL;
			d->hist_n = 0;
			free(d->trk);
			d->trk = NULL;
			klen = model_key(d->side, d->name, key, sizeof(key));
			if (klen >= 0)
				strmap_del(&m->byname, key, (size_t)klen);
			d->life = MODEL_FORGOTTEN;
			m->forgotten++;
		}
		if (d->life == MODEL_FORGOTTEN && model_unnamed(m, d))
			model_dev_release(m, (int)i);
	}
}

/* Recompute which device goes with which. */
static void model_repair(struct model *m, uint64_t now)
{
	const char **names[PAIR_NSIDES] = { NULL, NULL };
	int *idx[PAIR_NSIDES] = { NULL, NULL };
	size_t n[PAIR_NSIDES] = { 0, 0 };
	struct model_pair *np = NULL;
	struct pair_match *pm = NULL;
	bool shared = false;
	size_t cnt;

	for (size_t i = 0; i < m->nfeeds; i++)
		shared |= m->feeds[i].kind == MODEL_FEED_SHARED;
	if (model_listed(m, now, idx, names, n))
		goto out;
	model_forget(m, now);
	cnt = n[PAIR_SRC] + n[PAIR_DST] + m->cfg.npairs;
	pm = calloc(cnt + 1, sizeof(*pm));
	np = calloc(cnt + 1, sizeof(*np));
	if (!pm || !np)
		goto out;
	cnt = pair_match_names((const char *const **)names, n, m->cfg.pairs,
			       m->cfg.npairs, shared, pm, cnt);
	for (size_t k = 0; k < cnt; k++)
		model_pair_set(m, &np[k], (int)k, &pm[k], idx, now);
	free(m->pairs);
	m->pairs = np;
	m->npairs = cnt;
	np = NULL;
	m->repair = false;
	m->tomb_next_ns = model_tomb_next(m);
	/* New indices: every pair is looked at once. */
	m->npq = 0;
	for (size_t k = 0; k < cnt; k++)
		model_mark_pair(m, (int)k);
out:
	free(np);
	free(pm);
	for (int s = 0; s < PAIR_NSIDES; s++) {
		free(names[s]);
		free(idx[s]);
	}
}

/* What a transition of a paired device tells its attempts. */
static void model_feed_trans(struct att_track *t, int side,
			     const struct model_trans *tr)
{
	uint8_t f = tr->flags;

	if (f & (MODEL_T_INFERRED | MODEL_T_REFUSED))
		return;		/* never evidence */
	if (tr->to == DS_GONE) {
		att_gone(t, side, tr->t_ns);
	} else if (!dstate_is_state((enum dstate)tr->to)) {
		if (tr->to != DS_NOMIG && tr->to != DS_UNKNOWN)
			att_blind(t, side, ATT_B_READ, tr->t_ns);
	} else if (f & MODEL_T_FAILED) {
		att_step(t, side, tr->from, tr->to, tr->t_ns, tr->t_ns,
			 ATT_F_FAILED);
	} else if (f & MODEL_T_UNSURE) {
		att_step(t, side, tr->from, tr->to, tr->t_ns, tr->t_ns,
			 ATT_F_UNSURE);
	} else if (f & MODEL_T_ARC) {
		att_step(t, side, tr->from, tr->to, tr->t_ns, tr->t_ns, 0);
	} else if ((f & MODEL_T_NOPATH) && dstate_is_state((enum dstate)tr->from)) {
		/* An exact device: the arc log shows no step for it. */
		att_step(t, side, tr->from, tr->to, tr->lo_ns, tr->t_ns,
			 ATT_F_NOPATH);
	} else {
		att_value(t, side, tr->to, tr->lo_ns, tr->t_ns);
	}
}

/* Feature flags a pair's attempts may rely on: only what is known. */
static unsigned int model_flags_known(const struct model_dev *d)
{
	if (d->features_known && (d->features & FSM_F_STOP_COPY))
		return d->features;
	return d->flags_seen;
}

/* Give the attempts of pair @p what its devices did since last time, and
 * for an attempt under way, until when their values are known. */
static void model_feed_pair(struct model *m, struct model_pair *p,
			    uint64_t now)
{
	struct model_track *k = m->devs[p->dev[PAIR_SRC]]->trk;
	struct att_track *t = &k->att;

	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct model_dev *d = m->devs[p->dev[s]];
		unsigned int kept = d->hist_n < MODEL_HIST ? d->hist_n : MODEL_HIST;
		unsigned int i = k->fed[s];

		att_set_exact(t, s, d->exact);
		att_set_features(t, s, model_flags_known(d));
		if (i < d->hist_n - kept)
			i = d->hist_n - kept;	/* fell behind: what is kept */
		for (; i < d->hist_n; i++)
			model_feed_trans(t, s, &d->hist[i % MODEL_HIST]);
		k->fed[s] = d->hist_n;
	}
	if (!t->open)
		return;
	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct model_dev *d = m->devs[p->dev[s]];
		const struct snapshot *sn = m->feeds[d->feed].sn;
		const struct snap_dev *sd;

		if (!d->present || !sn || d->slot >= sn->nslots)
			continue;
		sd = &sn->dev[d->slot];
		if (sd->gen != d->gen)
			continue;
		if (sd->stale)
			att_blind(t, s, ATT_B_STALE, now);
		else if (sd->busy_ns)
			att_blind(t, s, ATT_B_BUSY, sd->busy_ns);
		else if (dstate_is_state(sd->val) && sd->seen_ns)
			att_confirm(t, s, sd->seen_ns);
	}
}

static int model_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Re-pair if the device set changed, then let the attempts of every pair
 * with news, or under way, take it in and decide what they can. */
void model_update_pairs(struct model *m, uint64_t now_ns)
{
	struct att_event ev[8];
	size_t kept;

	m->now_ns = now_ns;
	/* Pairs change when devices come or go (model_repair() ran then and
	 * noted the first tombstone to expire), not on a quiet refresh. */
	if (m->tomb_next_ns && now_ns >= m->tomb_next_ns)
		m->repair = true;
	if (m->repair) {
		model_repair(m, now_ns);
		m->change_gen++;
	}
	/* An attempt under way changes at every update. */
	if (m->npq)
		m->change_gen++;
	/* Only pairs with news or an attempt under way, in pair order: a
	 * quiet pair costs nothing. */
	if (m->npq > 1)		/* (never qsort a NULL vector) */
		qsort(m->pq, m->npq, sizeof(*m->pq), model_cmp_int);
	kept = 0;
	for (size_t q = 0; q < m->npq; q++) {
		int k = m->pq[q];
		struct model_pair *p = &m->pairs[k];
		struct att_track *t;
		size_t n;

		if (!p->att) {
			p->queued = false;	/* unpaired: no attempts */
			continue;
		}
		model_feed_pair(m, p, now_ns);
		t = &m->devs[p->dev[PAIR_SRC]]->trk->att;
		if (!t->open && !t->pending_events) {
			p->queued = false;
			continue;
		}
		n = att_eval(t, &m->cfg.ac, now_ns, ev, 8);
		for (size_t i = 0; i < n && i < 8; i++) {
			struct model_event *e;
			uint64_t at = now_ns;

			if (ev[i].decided && !ev[i].note) {
				m->outcomes[ev[i].a.outcome]++;
				if (ev[i].a.end_ns && ev[i].a.end_ns < at)
					at = ev[i].a.end_ns;
			}
			e = model_emit(m, MODEL_EV_PAIR, at);
			e->pair = (int)k;
			e->att = ev[i];
		}
		/* Under way: its phases and timeouts are looked at again at
		 * every update, news or not. */
		if (t->open)
			m->pq[kept++] = k;
		else
			p->queued = false;
	}
	m->npq = kept;
}

/*
 * True when @d reads ERROR and has since it was first seen (or came
 * back): a status, most likely a VF never opened (drivers set RUNNING
 * only on open), not a failure.
 */
bool model_dev_idle_error(const struct model_dev *d)
{
	struct model_trans t;
	unsigned int kept = d->hist_n < MODEL_HIST ? d->hist_n : MODEL_HIST;

	if (d->val != DS_ERROR)
		return false;
	if (!kept || !model_hist_get(d, kept - 1, &t))
		return true;
	return !dstate_is_state((enum dstate)t.from);
}

/*
 * The VMM of device @dev (QEMU, over QMP) reported a migration that began
 * after @lo_ns failed at @t_ns with @text: its pair's attempts take it in
 * (att_vmm_failed()); the next model_update_pairs() reports it.
 */
void model_vmm_failed(struct model *m, int dev, uint64_t lo_ns, uint64_t t_ns,
		      const char *text)
{
	const struct model_dev *d;
	const struct model_pair *p;
	struct model_vmmfail *vf;

	if (dev < 0 || (size_t)dev >= m->ndevs)
		return;
	d = m->devs[dev];
	if (d->pair < 0 || (size_t)d->pair >= m->npairs)
		return;
	p = &m->pairs[d->pair];
	if (!p->att || p->dev[PAIR_SRC] < 0 || !m->devs[p->dev[PAIR_SRC]]->trk)
		return;
	vf = &m->vf[++m->vf_seq % MODEL_VMMFAILS];
	vf->seq = m->vf_seq;
	vf->dev = dev;
	m->devs[dev]->last_vf = vf->seq;
	vf->lo_ns = lo_ns;
	vf->t_ns = t_ns;
	snprintf(vf->text, sizeof(vf->text), "%s", text);
	att_vmm_failed(&m->devs[p->dev[PAIR_SRC]]->trk->att,
		       d->side == PAIR_DST ? ATT_DST : ATT_SRC, lo_ns, t_ns,
		       text);
	model_mark_pair(m, d->pair);
}

/* The VMM failure numbered @seq, or NULL when it is not (or no longer)
 * kept. */
const struct model_vmmfail *model_vmmfail(const struct model *m, uint64_t seq)
{
	if (!seq || seq > m->vf_seq || m->vf_seq - seq >= MODEL_VMMFAILS)
		return NULL;
	return &m->vf[seq % MODEL_VMMFAILS];
}

/* The index of device @name on @side, or -1. */
int model_dev_find(const struct model *m, enum pair_side side,
		   const char *name)
{
	char key[SNAP_NAME_MAX + 3];
	int klen = model_key(side, name, key, sizeof(key));

	return klen < 0 ? -1 : strmap_get(&m->byname, key, (size_t)klen);
}

/* Attempts under way now, over every pair. */
size_t model_open_attempts(const struct model *m)
{
	size_t n = 0;

	for (size_t k = 0; k < m->npairs; k++)
		n += m->pairs[k].att && m->pairs[k].att->open;
	return n;
}

void model_free(struct model *m)
{
	free(m->freeidx);
	for (size_t i = 0; i < m->ndevs; i++) {
		free(m->devs[i]->trk);
		free(m->devs[i]->hist);
		free(m->devs[i]);
	}
	free(m->devs);
	for (size_t i = 0; i < m->nfeeds; i++)
		free(m->feeds[i].slotdev);
	free(m->feeds);
	free(m->pairs);
	free(m->pq);
	free(m->dq);
	free(m->vf);
	free(m->ev);
	strmap_free(&m->byname);
	memset(m, 0, sizeof(*m));
}
