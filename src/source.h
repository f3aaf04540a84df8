/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.h - the interface every kind of device source implements */
#ifndef VFIOMIGTOP_SOURCE_H
#define VFIOMIGTOP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct source;
struct ident;
struct owner_proc;

/* Operations of one kind of source (debugfs tree, remote agent, ...). */
struct source_ops {
	const char *kind;		/* short name, e.g. "debugfs" */
	int (*open)(struct source *s, const char *spec, char *err, size_t len);
	int (*poll_fd)(struct source *s);	/* readable when news arrive, or -1 */
	void (*refresh_begin)(struct source *s, uint64_t now_ns);
	void (*refresh_end)(struct source *s, uint64_t deadline_ns);
	void (*close)(struct source *s);
	/* Optional: take what poll_fd() has, without blocking; set
	 * snap.urgent when it is worth a refresh now. */
	void (*pump)(struct source *s, uint64_t now_ns);
	/* Optional: the first full snapshot is in (or cannot come soon). */
	bool (*ready)(struct source *s);
	/* Optional: what a remote side says a slot's device is and who holds
	 * it (@owner_st: enum devinfo_owner); false when it said nothing. */
	bool (*ident)(struct source *s, uint32_t slot, uint32_t gen,
		      struct ident *id, struct owner_proc *owner, int *owner_st);
};

/* A source instance. */
struct source {
	const struct source_ops *ops;	/* its kind */
	void *priv;			/* kind-specific state */
	char *spec;			/* what the user gave (path, URL), for display */
	struct snapshot snap;		/* result of the last refresh */
};

struct source *source_open(const char *spec, char *err, size_t len);
void source_refresh_begin(struct source *s, uint64_t now_ns);
void source_refresh_end(struct source *s, uint64_t deadline_ns);
int source_poll_fd(struct source *s);
void source_close(struct source *s);
void source_pump(struct source *s, uint64_t now_ns);
int source_wait_ready(struct source *const *v, size_t n, uint64_t deadline_ns);

extern const struct source_ops src_debugfs_ops;
extern const struct source_ops src_agent_ops;

#endif
