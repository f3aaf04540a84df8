// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * watchq.c - the queue between the inotify thread and the main thread.
 * It holds at most a fixed number of events, as the kernel's own inotify
 * queue does: an event that does not fit, for want of room or of memory,
 * is counted as lost, never dropped silently.  Whoever takes the queue
 * sees the count and treats it as the kernel's IN_Q_OVERFLOW: look again
 * at everything.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "watchq.h"

#include <stdlib.h>
#include <string.h>

/* An empty queue keeping at most @max events (at least one). */
void watchq_init(struct watchq *q, size_t max)
{
	memset(q, 0, sizeof(*q));
	q->max = max ? max : 1;
}

static bool watchq_room(struct watchq *q)
{
	size_t cap;
	struct watchq_ev *ev;

	if (q->n < q->cap)
		return true;
	if (q->n >= q->max)
		return false;
	cap = q->cap ? q->cap * 2 : 64;
	if (cap > q->max)
		cap = q->max;
	ev = realloc(q->ev, cap * sizeof(*ev));
	if (!ev)
		return false;
	q->ev = ev;
	q->cap = cap;
	return true;
}

/* Queue a copy of @e named @name (copied; e->name is not used).  False
 * when it was lost. */
bool watchq_push(struct watchq *q, const struct watchq_ev *e,
		 const char *name)
{
	char *copy;

	if (!watchq_room(q) || !(copy = strdup(name ? name : ""))) {
		q->lost++;
		q->lost_total++;
		return false;
	}
	q->ev[q->n] = *e;
	q->ev[q->n].name = copy;
	q->n++;
	return true;
}

/* Move everything queued, and the count of lost events, to @out (which
 * the caller frees with watchq_free()); @q is empty afterwards. */
void watchq_take(struct watchq *q, struct watchq *out)
{
	*out = *q;
	q->ev = NULL;
	q->n = q->cap = 0;
	q->lost = 0;
}

/* Drop the queued events of @owner. */
void watchq_forget(struct watchq *q, const void *owner)
{
	size_t o = 0;

	for (size_t i = 0; i < q->n; i++) {
		if (q->ev[i].owner == owner)
			free(q->ev[i].name);
		else
			q->ev[o++] = q->ev[i];
	}
	q->n = o;
}

void watchq_free(struct watchq *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->ev[i].name);
	free(q->ev);
	q->ev = NULL;
	q->n = q->cap = 0;
}
