// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evlog.c - the model's events, copied as they come.  Transitions and the
 * pairs' completions and failures are kept for the event pane; a device
 * entering ERROR or a pair failing raises an alert on its devices that
 * stays until acknowledged.  Devices appearing at start-up are not listed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "evlog.h"

#include <stdlib.h>
#include <string.h>

#include "cell.h"

void evlog_init(struct evlog *l)
{
	memset(l, 0, sizeof(*l));
	l->next_seq = 1;
}

static void evlog_raise(struct evlog *l, const struct model *m, int dev,
			unsigned int flag)
{
	if (dev < 0 || (size_t)dev >= m->ndevs)
		return;
	if ((size_t)dev >= l->nalert) {
		size_t n = m->ndevs + 64;
		uint8_t *na = realloc(l->alert, n);
		uint64_t *ns;

		if (!na)
			return;
		l->alert = na;
		ns = realloc(l->alert_serial, n * sizeof(*ns));
		if (!ns)
			return;
		memset(na + l->nalert, 0, n - l->nalert);
		memset(ns + l->nalert, 0, (n - l->nalert) * sizeof(*ns));
		l->alert_serial = ns;
		l->nalert = n;
	}
	if (l->alert_serial[dev] != m->devs[dev]->serial)
		l->alert[dev] = 0;
	l->alert_serial[dev] = m->devs[dev]->serial;
	l->alert[dev] |= (uint8_t)flag;
}

/* A mark stays on its device: an index the model gave a new device
 * loses it (the alert stays listed). */
static void evlog_unmark_reused(struct evlog *l, const struct model *m)
{
	if (m->reused == l->reused)
		return;
	l->reused = m->reused;
	for (size_t i = 0; i < l->nalert && i < m->ndevs; i++)
		if (l->alert[i] && l->alert_serial[i] != m->devs[i]->serial)
			l->alert[i] = 0;
}

static void evlog_ent_clear(struct evlog_ent *e)
{
	for (int s = 0; s < PAIR_NSIDES; s++) {
		free(e->name[s]);
		e->name[s] = NULL;
	}
}

/* @e's devices as they are now: serial, side, a copy of each name (out
 * of memory, the name is "-"). */
static void evlog_ent_devs(struct evlog_ent *e, const struct model *m)
{
	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct model_dev *d;

		if (e->dev[s] < 0 || (size_t)e->dev[s] >= m->ndevs) {
			e->dev[s] = -1;
			continue;
		}
		d = m->devs[e->dev[s]];
		e->serial[s] = d->serial;
		e->name[s] = strdup(d->name);
		if (e->kind == MODEL_EV_TRANS && !s)
			e->side = d->side;
	}
}

/* Device @s of @e's name, "-" if none. */
const char *evlog_name(const struct evlog_ent *e, int s)
{
	return e->dev[s] >= 0 && e->name[s] ? e->name[s] : "-";
}

/* Keep alert @flag raised by @e for the list. */
static void evlog_list(struct evlog *l, const struct evlog_ent *e,
		       unsigned int flag)
{
	struct evlog_alert *a = &l->alerts[l->nal % EVLOG_ALERTS];

	/* The oldest kept one goes; if unacknowledged, it counts no more. */
	if (l->nal >= EVLOG_ALERTS && !a->acked && l->nalerts)
		l->nalerts--;
	evlog_ent_clear(&a->ev);
	memset(a, 0, sizeof(*a));
	a->seq = e->seq;
	a->flag = flag;
	a->ev = *e;
	for (int s = 0; s < PAIR_NSIDES; s++)
		a->ev.name[s] = e->name[s] ? strdup(e->name[s]) : NULL;
	l->nal++;
	l->nalerts++;
}

/* The ring takes @e and its names. */
static void evlog_keep(struct evlog *l, struct evlog_ent *e)
{
	struct evlog_ent *r = &l->ring[l->n++ % EVLOG_KEEP];

	evlog_ent_clear(r);
	*r = *e;
	e->name[0] = e->name[1] = NULL;
}

/*
 * Take the model's new events.  With @quiet (the first snapshot), devices
 * appearing are not listed.  Returns how many new alerts were raised.
 */
unsigned int evlog_take(struct evlog *l, const struct model *m, bool quiet)
{
	unsigned int raised = 0;

	evlog_unmark_reused(l, m);
	if (m->ev_seq >= l->next_seq + MODEL_EVENTS) {
		l->lost += m->ev_seq - MODEL_EVENTS + 1 - l->next_seq;
		l->next_seq = m->ev_seq - MODEL_EVENTS + 1;
	}
	for (; l->next_seq <= m->ev_seq; l->next_seq++) {
		const struct model_event *me = model_event(m, l->next_seq);
		struct evlog_ent e;

		if (!me)
			continue;
		memset(&e, 0, sizeof(e));
		e.seq = me->seq;
		e.t_ns = me->t_ns;
		e.kind = me->kind;
		e.dev[0] = e.dev[1] = -1;
		if (me->kind == MODEL_EV_TRANS) {
			/* ERROR as a first value is a status (a VF never
			 * opened reads so), not an alert; nor is a request
			 * for ERROR that the kernel refused. */
			bool alert = me->tr.to == DS_ERROR &&
				     dstate_is_state((enum dstate)me->tr.from) &&
				     !(me->tr.flags & MODEL_T_ATTEMPT);
			bool keep = !quiet || me->tr.from != DS_UNKNOWN;

			if (!alert && !keep)
				continue;
			e.dev[0] = me->dev;
			e.tr = me->tr;
			evlog_ent_devs(&e, m);
			if (alert) {
				evlog_raise(l, m, me->dev, CELL_AL_ERROR);
				raised++;
				evlog_list(l, &e, CELL_AL_ERROR);
			}
			if (keep)
				evlog_keep(l, &e);
			evlog_ent_clear(&e);
			continue;
		}
		if (me->pair < 0 || (size_t)me->pair >= m->npairs)
			continue;
		if (!me->att.decided)
			continue;
		e.a = me->att.a;
		for (int s = 0; s < PAIR_NSIDES; s++)
			e.dev[s] = m->pairs[me->pair].dev[s];
		evlog_ent_devs(&e, m);
		if (e.a.outcome == ATT_FAILED) {
			for (int s = 0; s < PAIR_NSIDES; s++)
				evlog_raise(l, m, e.dev[s], CELL_AL_FAIL);
			raised++;
			evlog_list(l, &e, CELL_AL_FAIL);
		}
		evlog_keep(l, &e);
	}
	return raised;
}

size_t evlog_count(const struct evlog *l)
{
	return l->n < EVLOG_KEEP ? l->n : EVLOG_KEEP;
}

/* The @i-th newest kept event (0 is the newest), or NULL. */
const struct evlog_ent *evlog_get(const struct evlog *l, size_t i)
{
	if (i >= evlog_count(l))
		return NULL;
	return &l->ring[(l->n - 1 - i) % EVLOG_KEEP];
}

unsigned int evlog_alert(const struct evlog *l, int dev)
{
	return dev >= 0 && (size_t)dev < l->nalert ? l->alert[dev] : 0;
}

/* Acknowledge every alert: the marks end, the list keeps them. */
void evlog_ack(struct evlog *l)
{
	if (l->alert)
		memset(l->alert, 0, l->nalert);
	for (size_t i = 0; i < EVLOG_ALERTS; i++)
		l->alerts[i].acked = true;
	l->nalerts = 0;
}

size_t evlog_alert_count(const struct evlog *l)
{
	return l->nal < EVLOG_ALERTS ? l->nal : EVLOG_ALERTS;
}

/* The @i-th newest kept alert (0 is the newest), or NULL. */
const struct evlog_alert *evlog_alert_get(const struct evlog *l, size_t i)
{
	if (i >= evlog_alert_count(l))
		return NULL;
	return &l->alerts[(l->nal - 1 - i) % EVLOG_ALERTS];
}

/*
 * Acknowledge the @i-th newest alert only.  A device's mark ends when no
 * other unacknowledged alert of the same kind is on it.
 */
void evlog_ack_one(struct evlog *l, size_t i)
{
	struct evlog_alert *a;
	size_t n = evlog_alert_count(l);

	if (i >= n)
		return;
	a = &l->alerts[(l->nal - 1 - i) % EVLOG_ALERTS];
	if (a->acked)
		return;
	a->acked = true;
	if (l->nalerts)
		l->nalerts--;
	for (int s = 0; s < PAIR_NSIDES; s++) {
		int dev = a->ev.dev[s];
		bool other = false;

		if (dev < 0 || (size_t)dev >= l->nalert ||
		    l->alert_serial[dev] != a->ev.serial[s])
			continue;	/* the mark went with its device */
		for (size_t k = 0; k < n; k++) {
			const struct evlog_alert *b = evlog_alert_get(l, k);

			for (int t = 0; t < PAIR_NSIDES; t++)
				if (!b->acked && b->flag == a->flag &&
				    b->ev.dev[t] >= 0 &&
				    b->ev.serial[t] == a->ev.serial[s])
					other = true;
		}
		if (!other)
			l->alert[dev] &= (uint8_t)~a->flag;
	}
}

void evlog_free(struct evlog *l)
{
	for (size_t i = 0; i < EVLOG_KEEP; i++)
		evlog_ent_clear(&l->ring[i]);
	for (size_t i = 0; i < EVLOG_ALERTS; i++)
		evlog_ent_clear(&l->alerts[i].ev);
	free(l->alert);
	free(l->alert_serial);
	l->alert = NULL;
	l->alert_serial = NULL;
	l->nalert = 0;
}
