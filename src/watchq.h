/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watchq.h - the bounded queue that carries inotify events to the main thread */
#ifndef VFIOMIGTOP_WATCHQ_H
#define VFIOMIGTOP_WATCHQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One queued event (see watch.h for the callback it goes to). */
struct watchq_ev {
	void (*cb)(void *owner, uint64_t cookie, uint32_t mask,
		   const char *name);	/* callback */
	void *owner;			/* its first argument */
	uint64_t cookie;		/* its second argument */
	uint32_t mask;			/* inotify mask */
	char *name;			/* entry name, "" for the watched object (owned) */
};

/* A queue of events; events that do not fit are counted as lost. */
struct watchq {
	struct watchq_ev *ev;		/* queued events */
	size_t n;			/* entries in ev */
	size_t cap;			/* allocated entries */
	size_t max;			/* most events kept; more are lost */
	uint64_t lost;			/* events lost since the last take (full or out of memory) */
	uint64_t lost_total;		/* events lost ever */
};

void watchq_init(struct watchq *q, size_t max);
bool watchq_push(struct watchq *q, const struct watchq_ev *e,
		 const char *name);
void watchq_take(struct watchq *q, struct watchq *out);
void watchq_forget(struct watchq *q, const void *owner);
void watchq_free(struct watchq *q);

#endif
