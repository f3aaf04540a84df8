/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.h - state-file reads off the main thread, with a deadline */
#ifndef VFIOMIGTOP_READER_H
#define VFIOMIGTOP_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "dstate.h"

/* Largest features file read, in bytes. */
#define RD_FEAT_MAX 128

enum rd_phase {
	RD_IDLE,		/* owned by the caller: may be changed or submitted */
	RD_QUEUED,		/* waiting for a worker */
	RD_RUNNING,		/* a worker is in open()/pread() */
	RD_DONE,		/* results ready; the caller sets RD_IDLE after taking them */
};

/* One read of one device.  Between submit and RD_DONE only the pool touches it. */
struct rd_job {
	const char *path;		/* state file path, used when fd < 0 */
	uint32_t tag;			/* the owner's number for it (a slot) */
	const char *feat_path;		/* features file to read once first, or NULL */
	int fd;				/* open state file, -1 to open path first */
	enum rd_phase phase;		/* who owns the job (under the pool lock) */
	uint64_t submit_ns;		/* CLOCK_MONOTONIC ns of submission */
	uint64_t done_ns;		/* CLOCK_MONOTONIC ns by when the read had returned */
	long n;				/* bytes read, -1 on error */
	int err;			/* errno of the failed open/pread */
	char buf[DSTATE_READ_MAX + 1];	/* what pread returned (one byte more to see overlong) */
	long last_n;			/* bytes the previous read returned, -1 if none (owner's) */
	char last[16];			/* the previous read's bytes when short (owner's) */
	uint64_t start_ns;		/* CLOCK_MONOTONIC ns when the state read began (arc jobs only) */
	int arc_fd;			/* arc log to read after the state, or -1 */
	char *arc_buf;			/* what the arc log returned (arc_cap bytes allocated) */
	size_t arc_cap;			/* size of arc_buf */
	long arc_n;			/* bytes in arc_buf, -1 on error */
	long feat_n;			/* bytes of features read, -1 if unread or failed */
	char *feat_buf;			/* features file content (RD_FEAT_MAX bytes), read once */
};

struct rd_pool;

struct rd_pool *rd_pool_new(unsigned int max_threads, uint64_t stuck_ns);
void rd_submit(struct rd_pool *p, struct rd_job *const *jobs, unsigned int n);
void rd_wait(struct rd_pool *p, uint64_t deadline_ns);
unsigned int rd_collect(struct rd_pool *p, struct rd_job ***done);
unsigned int rd_pending(struct rd_pool *p);
enum rd_phase rd_phase(struct rd_pool *p, const struct rd_job *j);
bool rd_job_busy(struct rd_pool *p, const struct rd_job *j);
unsigned int rd_threads(struct rd_pool *p);
void rd_pool_free(struct rd_pool *p);

#endif
