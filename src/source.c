// SPDX-License-Identifier: GPL-2.0-or-later
/* source.c - choosing and driving a source from what the user wrote */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Open the source @spec names: a directory (debugfs layout) for now. */
struct source *source_open(const char *spec, char *err, size_t len)
{
	struct source *s = calloc(1, sizeof(*s));

	if (!s || !(s->spec = strdup(spec))) {
		free(s);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	s->ops = &src_debugfs_ops;
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
