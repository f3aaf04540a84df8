// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reader.c - a small pool of threads that read state files.
 *
 * A driver's get_state takes the same mutex its set_state holds through a
 * whole multi-step transition, so a read may sleep for seconds in an
 * uninterruptible wait.  The main loop therefore never reads: it submits
 * jobs, waits until a deadline, and shows any job still pending as busy.
 * One worker does all reads in steady state (one pread per device, one
 * wake-up per refresh); when every worker is stuck in a read while jobs
 * queue up, another worker is started, up to a cap.  Workers that are no
 * longer needed exit.  A stuck worker cannot be cancelled; it simply
 * finishes its job whenever the kernel lets it.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

/*
 * One worker thread's slot.  Workers read no clock per job: the waiter
 * notices a stuck worker by its job count not moving.
 */
struct reader_worker {
	struct reader_job *cur;		/* job in open()/pread(), NULL when none */
	uint64_t count;			/* jobs taken so far */
	uint64_t seen;			/* count when the waiter last looked */
	uint64_t since_ns;		/* CLOCK_MONOTONIC ns since count is seen unchanged */
	bool live;			/* a thread owns this slot */
};

struct reader_pool {
	pthread_mutex_t mu;		/* protects everything below and job phases */
	pthread_cond_t work;		/* signalled when jobs are queued or on quit */
	pthread_cond_t done;		/* signalled when outstanding drops to 0 */
	struct reader_job **q;		/* ring of queued jobs */
	unsigned int qcap;		/* ring size */
	unsigned int qhead;		/* index of the oldest queued job */
	unsigned int qlen;		/* queued jobs */
	unsigned int outstanding;	/* jobs queued or running */
	unsigned int nthreads;		/* live workers */
	unsigned int nidle;		/* workers waiting for work */
	unsigned int max_threads;	/* cap on workers */
	uint64_t stuck_ns;		/* a read older than this counts as stuck, ns */
	bool quit;			/* workers must exit */
	struct reader_worker *w;		/* max_threads worker slots */
	struct reader_job **fin;		/* finished jobs not collected yet */
	unsigned int nfin;		/* entries in fin */
	unsigned int fincap;		/* allocated in fin and in handed */
	struct reader_job **handed;		/* the array last handed out by reader_collect() */
	struct reader_same *same;		/* reads like the last one not collected yet (fincap) */
	unsigned int nsame;		/* entries in same */
	struct reader_same *same_handed;	/* the same list last handed out */
	uint64_t drained_ns;		/* CLOCK_MONOTONIC ns when outstanding last reached 0 */
};

/* Argument of a worker thread. */
struct reader_start {
	struct reader_pool *p;		/* pool */
	struct reader_worker *w;		/* this worker's slot */
};

static void reader_read_features(struct reader_job *j)
{
	int fd;

	j->feat_n = -1;
	if (!j->feat_buf)
		j->feat_buf = malloc(READER_FEAT_MAX);
	if (!j->feat_buf)
		return;
	fd = open(j->feat_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	j->feat_n = read(fd, j->feat_buf, READER_FEAT_MAX);
	close(fd);
}

/*
 * Read what the arc log has beyond this file's cursor, after the arc_n
 * bytes already in arc_buf.  Read after the state, so every arc that led
 * to the state read is in it.  Never blocks: the module returns 0 when
 * there is nothing new.
 */
static void reader_read_arcs(struct reader_job *j)
{
	size_t n = j->arc_n > 0 ? (size_t)j->arc_n : 0;

	while (n < j->arc_cap) {
		ssize_t r = read(j->arc_fd, j->arc_buf + n, j->arc_cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			j->arc_n = n ? (long)n : -1;
			return;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	j->arc_n = (long)n;
}

/* Open the state file; 0, or -1 with the job's error set. */
static int reader_open(struct reader_job *j)
{
	/* O_NOATIME: a monitor's reads need not update the access time,
	 * which costs a tenth of each read; allowed to the file's owner and
	 * to root, so fall back without it. */
	j->fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
	if (j->fd < 0 && errno == EPERM)
		j->fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (j->fd >= 0)
		return 0;
	j->n = -1;
	j->err = errno;
	return -1;
}

/* Read the state into @buf (the worker's, DSTATE_READ_MAX + 1 bytes). */
static void reader_read_state(struct reader_job *j, char *buf)
{
	ssize_t n;

	/* The value read held at some time after this (the verdicts need
	 * it; arcmatch too). */
	j->start_ns = clock_mono_ns();
	n = pread(j->fd, buf, DSTATE_READ_MAX + 1, 0);
	j->n = (int)n;
	j->err = n < 0 ? errno : 0;
}

/* Times a replaced state file is opened again within one job. */
#define READER_REOPENS 3
/* Reads after arcs came that make sure the state file is still in place. */
#define READER_RECHECKS 8

/*
 * True when the open state file is no longer at its path: it was replaced
 * (a simulator's or a test's tree; debugfs files never are).  The main
 * thread reopens it after the inotify event, but a read before that (the
 * event is late, or the read waited for a worker) would pair the old state
 * with the arcs that led away from it.
 */
static bool reader_replaced(int fd)
{
	struct stat sb;

	return !fstat(fd, &sb) && sb.st_nlink == 0;
}

/* The I/O of one job, the state read into @buf; runs without the lock. */
static void reader_io(struct reader_job *j, char *buf)
{
	if (j->feat_path)
		reader_read_features(j);
	j->arc_n = 0;
	if (j->fd < 0 && reader_open(j))
		return;
	reader_read_state(j, buf);
	if (j->arc_fd < 0 || !j->arc_buf)
		return;
	reader_read_arcs(j);
	/* Only while steps come: steady reads cost no more. */
	if (j->arc_n > 0)
		j->recheck = READER_RECHECKS;
	if (!j->recheck)
		return;
	j->recheck--;
	for (int k = 0; k < READER_REOPENS && reader_replaced(j->fd); k++) {
		close(j->fd);
		if (reader_open(j))
			return;
		reader_read_state(j, buf);
		reader_read_arcs(j);
	}
}

/*
 * One job's read, into @buf (the worker's, on its stack), compared with
 * the bytes kept from the read before (j->same).  Returns whether it is
 * the same with nothing else to hand over (no features, no arc log): the
 * common case of a polled tree, answered here so that neither the job's
 * buffer nor its owner need look at it.  Else the bytes are copied into
 * the job.
 */
static bool reader_do(struct reader_job *j, char *buf)
{
	reader_io(j, buf);
	j->same = j->n > 0 && j->n == j->last_n &&
		  !memcmp(buf, j->last, (size_t)j->n);
	if (j->same && j->same_ok && !j->feat_path && j->arc_fd < 0)
		return true;
	if (j->n > 0)
		memcpy(j->buf, buf, (size_t)j->n);
	return false;
}

/* Append a finished job to the done list; called with the lock held.  The
 * list has room for every job ever queued (see reader_submit()). */
static void reader_push_done(struct reader_pool *p, struct reader_job *j)
{
	p->fin[p->nfin++] = j;
}

static void *reader_worker_main(void *arg)
{
	struct reader_start *st = arg;
	struct reader_pool *p = st->p;
	struct reader_worker *w = st->w;

	free(st);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		char buf[DSTATE_READ_MAX + 1];
		struct reader_job *j;
		bool same;

		while (!p->quit && !p->qlen) {
			p->nidle++;
			pthread_cond_wait(&p->work, &p->mu);
			p->nidle--;
		}
		if (p->quit)
			break;
		j = p->q[p->qhead];
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qlen--;
		j->phase = READER_RUNNING;
		w->cur = j;
		w->count++;
		pthread_mutex_unlock(&p->mu);

		same = reader_do(j, buf);

		pthread_mutex_lock(&p->mu);
		w->cur = NULL;
		if (same) {
			p->same[p->nsame].tag = j->tag;
			p->same[p->nsame].seen_ns = j->start_ns;
			p->nsame++;
			j->phase = READER_IDLE;	/* the owner's again */
		} else {
			j->phase = READER_DONE;
			reader_push_done(p, j);
		}
		if (--p->outstanding == 0) {
			p->drained_ns = clock_mono_ns();
			pthread_cond_broadcast(&p->done);
		}
		/* Extra workers were started for stuck reads: go when idle. */
		if (p->nthreads > 1 && !p->qlen)
			break;
	}
	w->live = false;
	p->nthreads--;
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Start one more worker; called with the lock held. */
static int reader_spawn(struct reader_pool *p)
{
	struct reader_start *st;
	pthread_attr_t attr;
	pthread_t t;
	unsigned int i;
	int rc;

	for (i = 0; i < p->max_threads && p->w[i].live; i++)
		;
	if (i == p->max_threads)
		return -EAGAIN;
	st = malloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->p = p;
	st->w = &p->w[i];
	p->w[i].live = true;
	p->w[i].cur = NULL;
	p->w[i].count = p->w[i].seen = 0;
	p->w[i].since_ns = clock_mono_ns();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	rc = pthread_create(&t, &attr, reader_worker_main, st);
	pthread_attr_destroy(&attr);
	if (rc) {
		p->w[i].live = false;
		free(st);
		return -rc;
	}
	p->nthreads++;
	return 0;
}

/* Note which workers made progress since the last look (lock held). */
static void reader_observe(struct reader_pool *p, uint64_t now)
{
	for (unsigned int i = 0; i < p->max_threads; i++) {
		struct reader_worker *w = &p->w[i];

		if (w->live && w->count != w->seen) {
			w->seen = w->count;
			w->since_ns = now;
		}
	}
}

/* True when no worker can take queued work soon: every one has been in
 * the same read for stuck_ns. */
static bool reader_all_stuck(struct reader_pool *p, uint64_t now)
{
	if (p->nidle)
		return false;
	reader_observe(p, now);
	for (unsigned int i = 0; i < p->max_threads; i++) {
		struct reader_worker *w = &p->w[i];

		if (w->live && (!w->cur || now - w->since_ns < p->stuck_ns))
			return false;
	}
	return true;
}

static int reader_done_grow(struct reader_pool *p, unsigned int need);

/* A zeroed job, 64-byte aligned (see struct reader_job); free() it. */
struct reader_job *reader_job_new(void)
{
	void *j;

	if (posix_memalign(&j, 64, sizeof(struct reader_job)))
		return NULL;
	memset(j, 0, sizeof(struct reader_job));
	return j;
}

/* A pool of at most @max_threads workers; reads older than @stuck_ns are
 * considered stuck and make it grow.  Returns NULL on allocation failure. */
struct reader_pool *reader_pool_new(unsigned int max_threads, uint64_t stuck_ns)
{
	struct reader_pool *p = calloc(1, sizeof(*p));
	pthread_condattr_t ca;

	if (!p)
		return NULL;
	p->max_threads = max_threads ? max_threads : 1;
	p->stuck_ns = stuck_ns;
	p->w = calloc(p->max_threads, sizeof(*p->w));
	p->qcap = 64;
	p->q = malloc(p->qcap * sizeof(*p->q));
	if (!p->w || !p->q || reader_done_grow(p, 64)) {
		free(p->w);
		free(p->q);
		free(p->fin);
		free(p->handed);
		free(p->same);
		free(p->same_handed);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->done, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&p->work, NULL);
	return p;
}

/* Grow both done arrays (they trade places in reader_collect()) to @need. */
static int reader_done_grow(struct reader_pool *p, unsigned int need)
{
	unsigned int cap = p->fincap ? p->fincap : 64;
	struct reader_same *sm;
	struct reader_job **d;

	while (cap < need)
		cap *= 2;
	if (cap == p->fincap)
		return 0;
	d = realloc(p->fin, cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	p->fin = d;
	d = realloc(p->handed, cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	p->handed = d;
	sm = realloc(p->same, cap * sizeof(*sm));
	if (!sm)
		return -ENOMEM;
	p->same = sm;
	sm = realloc(p->same_handed, cap * sizeof(*sm));
	if (!sm)
		return -ENOMEM;
	p->same_handed = sm;
	p->fincap = cap;
	return 0;
}

static int reader_queue_grow(struct reader_pool *p, unsigned int need)
{
	unsigned int cap = p->qcap;
	struct reader_job **q;

	while (cap < need)
		cap *= 2;
	if (cap == p->qcap)
		return 0;
	q = malloc(cap * sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (unsigned int i = 0; i < p->qlen; i++)
		q[i] = p->q[(p->qhead + i) % p->qcap];
	free(p->q);
	p->q = q;
	p->qcap = cap;
	p->qhead = 0;
	return 0;
}

/*
 * Queue @n jobs, each idle and the caller's (it keeps track: the jobs
 * are not written to here, see struct reader_job).  Returns 0, or
 * -ENOMEM with none queued: they are still the caller's.
 */
int reader_submit(struct reader_pool *p, struct reader_job *const *jobs,
		  unsigned int n)
{
	uint64_t now = clock_mono_ns();

	if (!n)
		return 0;
	pthread_mutex_lock(&p->mu);
	/* Every job queued or running may end up in either list. */
	if (reader_queue_grow(p, p->qlen + n) ||
	    reader_done_grow(p, p->nfin + p->nsame + p->outstanding + n)) {
		pthread_mutex_unlock(&p->mu);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++)
		p->q[(p->qhead + p->qlen + i) % p->qcap] = jobs[i];
	p->qlen += n;
	p->outstanding += n;
	if (!p->nthreads || reader_all_stuck(p, now))
		reader_spawn(p);
	if (p->nidle)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

/*
 * Wait until every submitted job is done or @deadline_ns (CLOCK_MONOTONIC)
 * passes.  While waiting, start a worker whenever all are stuck and work is
 * queued, so one blocked device cannot hold up the others.
 */
void reader_wait(struct reader_pool *p, uint64_t deadline_ns)
{
	pthread_mutex_lock(&p->mu);
	while (p->outstanding) {
		uint64_t now = clock_mono_ns(), until;
		struct timespec ts;

		if (now >= deadline_ns)
			break;
		if (p->qlen && reader_all_stuck(p, now) && !reader_spawn(p))
			pthread_cond_signal(&p->work);
		else
			reader_observe(p, now);
		until = now + p->stuck_ns;
		if (until > deadline_ns)
			until = deadline_ns;
		ts.tv_sec = (time_t)(until / CLOCK_NS_PER_S);
		ts.tv_nsec = (long)(until % CLOCK_NS_PER_S);
		pthread_cond_timedwait(&p->done, &p->mu, &ts);
	}
	pthread_mutex_unlock(&p->mu);
}

/*
 * Hand over what finished since the last call (@b, valid until the next
 * call): jobs to be taken, and reads that returned the bytes of the one
 * before.  Every done_ns is when the last of them had finished; the
 * caller sets each job in b->done back to READER_IDLE when done.
 */
void reader_collect(struct reader_pool *p, struct reader_batch *b)
{
	struct reader_same *sm;
	struct reader_job **tmp;
	uint64_t t;

	pthread_mutex_lock(&p->mu);
	t = p->outstanding ? clock_mono_ns() : p->drained_ns;
	tmp = p->fin;
	p->fin = p->handed;
	p->handed = tmp;
	b->ndone = p->nfin;
	p->nfin = 0;
	sm = p->same;
	p->same = p->same_handed;
	p->same_handed = sm;
	b->nsame = p->nsame;
	p->nsame = 0;
	for (unsigned int i = 0; i < b->ndone; i++)
		p->handed[i]->done_ns = t;
	pthread_mutex_unlock(&p->mu);
	b->done = p->handed;
	b->same = p->same_handed;
	b->done_ns = t;
}

/* Jobs queued or running. */
unsigned int reader_pending(struct reader_pool *p)
{
	unsigned int n;

	pthread_mutex_lock(&p->mu);
	n = p->outstanding;
	pthread_mutex_unlock(&p->mu);
	return n;
}

/* The job's phase, read under the lock; READER_QUEUED while it waits
 * for a worker (looked for in the queue: for a closing owner). */
enum reader_phase reader_phase(struct reader_pool *p, const struct reader_job *j)
{
	enum reader_phase ph;

	pthread_mutex_lock(&p->mu);
	ph = j->phase;
	for (unsigned int i = 0; ph == READER_IDLE && i < p->qlen; i++)
		if (p->q[(p->qhead + i) % p->qcap] == j)
			ph = READER_QUEUED;
	pthread_mutex_unlock(&p->mu);
	return ph;
}

/*
 * Stop the pool.  Idle workers exit at once; a worker stuck in a read keeps
 * the pool alive, so in that case the memory is deliberately left to it
 * (this only happens at exit).
 */
void reader_pool_free(struct reader_pool *p)
{
	struct timespec ts;
	uint64_t until;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	p->qlen = 0;
	pthread_cond_broadcast(&p->work);
	until = clock_mono_ns() + 100 * CLOCK_NS_PER_MS;
	ts.tv_sec = (time_t)(until / CLOCK_NS_PER_S);
	ts.tv_nsec = (long)(until % CLOCK_NS_PER_S);
	while (p->nthreads) {
		if (pthread_cond_timedwait(&p->done, &p->mu, &ts) == ETIMEDOUT)
			break;
	}
	if (p->nthreads) {
		pthread_mutex_unlock(&p->mu);
		return;
	}
	pthread_mutex_unlock(&p->mu);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p->q);
	free(p->w);
	free(p->fin);
	free(p->handed);
	free(p->same);
	free(p->same_handed);
	free(p);
}
