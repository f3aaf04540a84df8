/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.h - state-file reads off the main thread, with a deadline */
#ifndef VFIOMIGTOP_READER_H
#define VFIOMIGTOP_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "dstate.h"

/* Largest features file read, in bytes. */
#define READER_FEAT_MAX 128

enum reader_phase {
	READER_IDLE,		/* owned by the caller: may be changed or submitted */
	READER_QUEUED,		/* waiting for a worker */
	READER_RUNNING,		/* a worker is in open()/pread() */
	READER_DONE,		/* results ready; the caller sets READER_IDLE after taking them */
};

/* One read of one device.  Between submit and READER_DONE only the pool touches it. */
struct reader_job {
	const char *path;		/* state file path, used when fd < 0 */
	uint32_t tag;			/* the owner's number for it (a slot) */
	const char *feat_path;		/* features file to read once first, or NULL */
	int fd;				/* open state file, -1 to open path first */
	enum reader_phase phase;		/* who owns the job (under the pool lock) */
	uint64_t submit_ns;		/* CLOCK_MONOTONIC ns of submission */
	uint64_t done_ns;		/* CLOCK_MONOTONIC ns by when the read had returned */
	long n;				/* bytes read, -1 on error */
	int err;			/* errno of the failed open/pread */
	char buf[DSTATE_READ_MAX + 1];	/* what pread returned (one byte more to see overlong) */
	long last_n;			/* bytes the previous read returned, -1 if none (owner's) */
	char last[16];			/* the previous read's bytes when short (owner's) */
	uint64_t start_ns;		/* CLOCK_MONOTONIC ns when the state read began */
	int arc_fd;			/* arc log to read after the state, or -1 */
	char *arc_buf;			/* what the arc log returned (arc_cap bytes allocated) */
	size_t arc_cap;			/* size of arc_buf */
	long arc_n;			/* bytes in arc_buf, -1 on error */
	unsigned int recheck;		/* reads left that make sure the state file was not replaced (arcs came lately) */
	long feat_n;			/* bytes of features read, -1 if unread or failed */
	char *feat_buf;			/* features file content (READER_FEAT_MAX bytes), read once */
};

struct reader_pool;

struct reader_pool *reader_pool_new(unsigned int max_threads, uint64_t stuck_ns);
void reader_submit(struct reader_pool *p, struct reader_job *const *jobs, unsigned int n);
void reader_wait(struct reader_pool *p, uint64_t deadline_ns);
unsigned int reader_collect(struct reader_pool *p, struct reader_job ***done);
unsigned int reader_pending(struct reader_pool *p);
enum reader_phase reader_phase(struct reader_pool *p, const struct reader_job *j);
void reader_pool_free(struct reader_pool *p);

#endif
