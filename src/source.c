// SPDX-License-Identifier: GPL-2.0-or-later
/* source.c - choosing and driving a source from what the user wrote */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "source.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "src_agent.h"

/* Open the source @spec names: an agent (ssh://, cmd:) or a directory. */
struct source *source_open(const char *spec, char *err, size_t len)
{
	struct source *s = calloc(1, sizeof(*s));

	if (!s || !(s->spec = strdup(spec))) {
		free(s);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	s->ops = src_agent_is_spec(spec) ? &src_agent_ops : &src_debugfs_ops;
	if (s->ops->open(s, spec, err, len)) {
		free(s->spec);
		free(s);
		return NULL;
	}
	return s;
}

void source_refresh_begin(struct source *s, uint64_t now_ns)
{
	s->ops->refresh_begin(s, now_ns);
}

void source_refresh_end(struct source *s, uint64_t deadline_ns)
{
	s->ops->refresh_end(s, deadline_ns);
}

int source_poll_fd(struct source *s)
{
	return s->ops->poll_fd(s);
}

void source_close(struct source *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s->spec);
	free(s);
}

/* Let a source take what its poll fd has (see source_ops.pump). */
void source_pump(struct source *s, uint64_t now_ns)
{
	if (s->ops->pump)
		s->ops->pump(s, now_ns);
}

/*
 * Wait until every source of @v has its first full snapshot (a remote
 * agent), or until @deadline_ns (CLOCK_MONOTONIC).  Returns 0, or
 * -ETIMEDOUT when some source is still not ready.
 */
int source_wait_ready(struct source *const *v, size_t n, uint64_t deadline_ns)
{
	for (;;) {
		struct pollfd p[8];
		nfds_t np = 0;
		uint64_t now = clock_mono_ns(), left;
		bool all = true;

		for (size_t i = 0; i < n; i++) {
			if (!v[i]->ops->ready || v[i]->ops->ready(v[i]))
				continue;
			all = false;
			if (np < 8 && source_poll_fd(v[i]) >= 0) {
				p[np].fd = source_poll_fd(v[i]);
				p[np++].events = POLLIN;
			}
		}
		if (all)
			return 0;
		if (now >= deadline_ns)
			return -ETIMEDOUT;
		left = deadline_ns - now;
		if (left > 50 * CLOCK_NS_PER_MS)
			left = 50 * CLOCK_NS_PER_MS;
		poll(p, np, (int)(left / CLOCK_NS_PER_MS) + 1);
		now = clock_mono_ns();
		for (size_t i = 0; i < n; i++)
			source_pump(v[i], now);
	}
}
