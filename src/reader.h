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
	READER_IDLE,		/* the caller's, or queued (the pool keeps it till a worker takes it) */
	READER_QUEUED,		/* reader_phase() only: waiting for a worker */
	READER_RUNNING,		/* a worker is in open()/pread() */
	READER_DONE,		/* results ready; the caller sets READER_IDLE after taking them */
};

/*
 * One read of one device.  From reader_submit() until it is handed back
 * by reader_collect() only the pool touches it; the submitter never
 * writes to it on the way in.  The first 64 bytes are all a worker
 * touches for a read of the same bytes as before: allocated 64-byte
 * aligned (reader_job_new()), that is one cache line per read.
 */
struct reader_job {
	int fd;				/* open state file, -1 to open path first */
	int arc_fd;			/* arc log to read after the state, or -1 */
	const char *feat_path;		/* features file to read once first, or NULL */
	int n;				/* bytes read, -1 on error */
	int err;			/* errno of the failed open/pread */
	enum reader_phase phase;		/* who owns the job (under the pool lock) */
	uint32_t tag;			/* the owner's number for it (a slot) */
	uint64_t start_ns;		/* CLOCK_MONOTONIC ns when the state read began */
	int last_n;			/* bytes the previous read returned, -1 if none (owner's) */
	bool same_ok;			/* a read of last's bytes may come back as a reader_same (owner's) */
	bool same;			/* this read returned last's bytes */
	char last[16];			/* the previous read's bytes when short (owner's) */
	/* Beyond the first line: */
	char buf[DSTATE_READ_MAX + 1];	/* what pread returned (one byte more to see overlong); not filled for a reader_same */
	const char *path;		/* state file path, used when fd < 0 */
	uint64_t done_ns;		/* CLOCK_MONOTONIC ns by when the read had returned */
	char *arc_buf;			/* what the arc log returned (arc_cap bytes allocated) */
	size_t arc_cap;			/* size of arc_buf */
	long arc_n;			/* bytes in arc_buf, -1 on error */
	unsigned int recheck;		/* reads left that make sure the state file was not replaced (arcs came lately) */
	long feat_n;			/* bytes of features read, -1 if unread or failed */
	char *feat_buf;			/* features file content (READER_FEAT_MAX bytes), read once */
};

/*
 * A read that returned the bytes of the one before (its job has same_ok,
 * no features file and no arc log), handed back without its job, which
 * is idle again: the owner need only move its times.
 */
struct reader_same {
	uint32_t tag;			/* the job's tag */
	uint64_t seen_ns;		/* CLOCK_MONOTONIC ns when its read began */
};

/* What reader_collect() hands back; valid until its next call. */
struct reader_batch {
	struct reader_job **done;	/* finished jobs (READER_DONE) to be taken */
	unsigned int ndone;		/* entries in done */
	const struct reader_same *same;	/* reads of the same bytes as before */
	unsigned int nsame;		/* entries in same */
	uint64_t done_ns;		/* CLOCK_MONOTONIC ns by when all of them had returned */
};

struct reader_pool;

struct reader_job *reader_job_new(void);
struct reader_pool *reader_pool_new(unsigned int max_threads, uint64_t stuck_ns);
int reader_submit(struct reader_pool *p, struct reader_job *const *jobs,
		  unsigned int n);
void reader_wait(struct reader_pool *p, uint64_t deadline_ns);
void reader_collect(struct reader_pool *p, struct reader_batch *b);
unsigned int reader_pending(struct reader_pool *p);
enum reader_phase reader_phase(struct reader_pool *p, const struct reader_job *j);
void reader_pool_free(struct reader_pool *p);

#endif
