// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmwatch.c - one thread for everything slow or remote-controlled: it
 * polls the QMP sockets and a wake-up pipe, reads identities when the
 * device set changes, and scans /proc every owner period (and when the
 * device set changes).  Results are published under a mutex with a
 * generation number; the refresh loop copies them when they change.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "vmwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "strmap.h"

#define VMW_MAX_QMP 16
/* One owner scan in this many reads every process's fds; the others skip
 * the processes that held nothing (a scan every VFIOMIGTOP_OWNER_PERIOD). */
#define VMW_FULL_EVERY 6

struct vmwatch {
	struct vmwatch_cfg cfg;
	pthread_t th;
	bool started;
	int wake[2];			/* pipe: the wanted set changed, or stop */
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* broadcast on every publish */
	uint64_t want_seq;		/* vmwatch_want() calls */
	uint64_t taken_seq;		/* the call the thread took (its own) */
	/* shared, under lock */
	bool stop;
	char **want;			/* local device names wanted */
	uint64_t *want_stamps;		/* ... the appearance of each (vmwatch_want()) */
	size_t nwant;
	bool want_changed;
	struct vmwatch_result pub;	/* published */
	/* the thread's own */
	struct qmp_conn *q[VMW_MAX_QMP];
	size_t nq;
	struct vmwatch_dev *devs;
	size_t ndevs;
	struct owner_scan scan;
	struct owner_memo memo;		/* processes that held nothing (owner.h) */
	unsigned int quick_left;	/* quick scans before the next full one */
	uint64_t next_scan_ns;
	struct vmwatch_result st;	/* scan statistics being built */
};

static void vmw_wake(struct vmwatch *w)
{
	char c = 1;

	if (write(w->wake[1], &c, 1) < 0 && errno != EAGAIN)
		return;
}

/* Free a wanted list: @n names and their appearances. */
static void vmw_want_free(char **names, uint64_t *stamps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(stamps);
}

/* Take the wanted names; read the identity of new ones, and of those
 * that appeared again since theirs was read (a vfio device that comes
 * back may be bound to another driver: its identity is read anew; one
 * that stays cannot change driver, so nothing is read again for it). */
static bool vmw_take_want(struct vmwatch *w)
{
	struct vmwatch_dev *nd;
	struct strmap old;
	uint64_t *stamps;
	char **names;
	size_t n;
	bool changed;

	pthread_mutex_lock(&w->lock);
	changed = w->want_changed;
	w->want_changed = false;
	w->taken_seq = w->want_seq;
	names = w->want;
	stamps = w->want_stamps;
	n = w->nwant;
	w->want = NULL;
	w->want_stamps = NULL;
	w->nwant = 0;
	pthread_mutex_unlock(&w->lock);
	if (!changed)
		return false;
	nd = calloc(n + 1, sizeof(*nd));
	if (!nd) {
		vmw_want_free(names, stamps, n);
		return false;
	}
	/* The devices known already keep what was found (a lookup by name:
	 * thousands of devices, each list one longer than the last). */
	strmap_init(&old);
	for (size_t j = 0; j < w->ndevs; j++)
		if (strmap_put(&old, w->devs[j].name, strlen(w->devs[j].name),
			       (int)j))
			break;	/* out of memory: those read again */
	for (size_t i = 0; i < n; i++) {
		int j = strmap_get(&old, names[i], strlen(names[i]));

		snprintf(nd[i].name, sizeof(nd[i].name), "%s", names[i]);
		if (j >= 0 && !strcmp(w->devs[j].name, names[i]))
			nd[i] = w->devs[j];
		if (j < 0 || nd[i].stamp != stamps[i]) {
			nd[i].found = !ident_read(w->cfg.sysfs, names[i],
						  &nd[i].id);
			nd[i].stamp = stamps[i];
		}
	}
	strmap_free(&old);
	vmw_want_free(names, stamps, n);
	free(w->devs);
	w->devs = nd;
	w->ndevs = n;
	return true;
}

/*
 * The owners; and the identity again of a device found with no driver:
 * its debugfs directory appears while the driver probes, before sysfs
 * links the driver.  Others are read when they appear (vmw_take_want()):
 * reading every identity each period cost more syscalls than the
 * refreshes' reads (23 lookups a device absent from sysfs, one per bus).
 */
static bool vmw_scan(struct vmwatch *w, uint64_t now, bool fresh)
{
	bool changed = false;

	for (size_t i = 0; i < w->ndevs && !fresh; i++) {
		struct vmwatch_dev *d = &w->devs[i];
		struct ident was;

		if (!d->found || d->id.driver[0])
			continue;
		memcpy(&was, &d->id, sizeof(was));
		d->found = !ident_read(w->cfg.sysfs, d->name, &d->id);
		changed |= !d->found || memcmp(&was, &d->id, sizeof(was));
	}
	if (!w->cfg.owners)
		return changed;
	owner_free(&w->scan);
	/* Every process's fds when the device set changed and every
	 * VMW_FULL_EVERY scans; in between, new processes and holders. */
	owner_scan_memo(w->cfg.proc, w->cfg.dev, &w->memo,
			!fresh && w->quick_left, &w->scan);
	w->quick_left = fresh || !w->quick_left ? VMW_FULL_EVERY - 1 :
			w->quick_left - 1;
	for (size_t i = 0; i < w->ndevs; i++) {
		struct vmwatch_dev *d = &w->devs[i];
		const struct owner_proc *p = NULL;
		struct owner_proc was = d->owner;
		unsigned int nwas = d->nholders;
		bool known = d->owner_known;

		d->nholders = 0;
		if (d->found)
			p = owner_find(&w->scan, d->id.iommu_group,
				       d->id.vfio_dev, &d->nholders);
		memset(&d->owner, 0, sizeof(d->owner));
		if (p)
			d->owner = *p;
		d->owner_known = !w->scan.err;
		d->owner_ns = now;
		changed |= known != d->owner_known || nwas != d->nholders ||
			   memcmp(&was, &d->owner, sizeof(was));
	}
	changed |= !w->st.scanned || w->st.denied != w->scan.denied ||
		   w->st.scan_err != w->scan.err;
	w->st.scanned = true;
	w->st.processes = w->scan.processes;
	w->st.denied = w->scan.denied;
	w->st.fds = w->scan.fds;
	w->st.skipped = w->scan.skipped;
	w->st.scan_err = w->scan.err;
	w->st.scan_took_ns = w->scan.took_ns;
	w->st.scans++;
	return changed;
}

/* Publish the statistics, and the devices when @devs (they changed). */
static void vmw_publish(struct vmwatch *w, bool devs)
{
	struct vmwatch_result *p = &w->pub;
	struct vmwatch_dev *nd = NULL;

	if (devs && w->ndevs && !(nd = malloc(w->ndevs * sizeof(*nd))))
		devs = false;
	if (nd)
		memcpy(nd, w->devs, w->ndevs * sizeof(*nd));
	pthread_mutex_lock(&w->lock);
	if (devs) {
		free(p->devs);
		p->devs = nd;
		p->ndevs = w->ndevs;
		p->devs_gen++;
		p->want_seq = w->taken_seq;
		p->news++;
	}
	p->scanned = w->st.scanned;
	p->processes = w->st.processes;
	p->denied = w->st.denied;
	p->fds = w->st.fds;
	p->skipped = w->st.skipped;
	p->scan_err = w->st.scan_err;
	p->scan_took_ns = w->st.scan_took_ns;
	p->scans = w->st.scans;
	for (size_t i = 0; i < w->nq; i++)
		p->qmp[i] = *qmp_view(w->q[i]);
	p->news += w->nq != 0;
	p->gen++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void *vmw_main(void *arg)
{
	struct vmwatch *w = arg;
	struct pollfd fds[1 + VMW_MAX_QMP];

	for (;;) {
		uint64_t now = clock_mono_ns(), next;
		int nf = 0, tmo;
		bool stop, dirty = false;

		pthread_mutex_lock(&w->lock);
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			break;
		if (vmw_take_want(w)) {
			w->next_scan_ns = 0;	/* the set changed: scan now */
			dirty = true;
		}
		if (now >= w->next_scan_ns) {
			uint64_t t0 = clock_mono_ns(), took;

			/* The devices are published again only when what
			 * is known of them changed. */
			dirty |= vmw_scan(w, now, dirty);
			/* At most 5 % of a core on a host with very many
			 * processes and files: wait 20 times what it took. */
			took = clock_mono_ns() - t0;
			w->next_scan_ns = clock_mono_ns() +
				(20 * took > w->cfg.owner_ns ? 20 * took :
				 w->cfg.owner_ns);
		}
		for (size_t i = 0; i < w->nq; i++)
			qmp_tick(w->q[i], now, w->cfg.poll_ns);
		vmw_publish(w, dirty);	/* before waiting: someone may wait for it */
		next = w->next_scan_ns;
		fds[nf].fd = w->wake[0];
		fds[nf++].events = POLLIN;
		for (size_t i = 0; i < w->nq; i++) {
			uint64_t t = qmp_next(w->q[i], w->cfg.poll_ns);

			if (t < next)
				next = t;
			fds[nf].fd = qmp_fd(w->q[i]);
			fds[nf++].events = qmp_want(w->q[i]);
		}
		now = clock_mono_ns();
		tmo = next <= now ? 0 : next - now > 60 * CLOCK_NS_PER_S ? 60000 :
		      (int)((next - now + CLOCK_NS_PER_MS - 1) / CLOCK_NS_PER_MS);
		if (poll(fds, (nfds_t)nf, tmo) > 0) {
			if (fds[0].revents) {
				char b[64];

				while (read(w->wake[0], b, sizeof(b)) > 0)
					;
			}
			for (size_t i = 0; i < w->nq; i++)
				if (fds[1 + i].fd >= 0 && fds[1 + i].revents)
					qmp_io(w->q[i], fds[1 + i].revents,
					       clock_mono_ns());
		}
		if (w->nq)
			vmw_publish(w, false);
	}
	return NULL;
}

struct vmwatch *vmwatch_start(const struct vmwatch_cfg *cfg, char *err,
			      size_t len)
{
	struct vmwatch *w = calloc(1, sizeof(*w));
	sigset_t all, old;

	if (!w) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	w->cfg = *cfg;
	w->wake[0] = w->wake[1] = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (cfg->nqmp > VMW_MAX_QMP) {
		snprintf(err, len, "at most %d --qmp sockets", VMW_MAX_QMP);
		goto fail;
	}
	if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, len, "pipe: %s", strerror(errno));
		goto fail;
	}
	w->pub.qmp = calloc(cfg->nqmp + 1, sizeof(*w->pub.qmp));
	if (!w->pub.qmp) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	w->pub.nqmp = cfg->nqmp;
	for (size_t i = 0; i < cfg->nqmp; i++) {
		if (!(w->q[i] = qmp_new(cfg->qmp[i]))) {
			snprintf(err, len, "out of memory");
			goto fail;
		}
		w->nq++;
		w->pub.qmp[i] = *qmp_view(w->q[i]);
	}
	/* Signals stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&w->th, NULL, vmw_main, w)) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		snprintf(err, len, "cannot start a thread");
		goto fail;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	w->started = true;
	return w;
fail:
	vmwatch_stop(w);
	return NULL;
}

/* The local devices to identify (the refresh loop's current set). */
uint64_t vmwatch_want(struct vmwatch *w, const char *const *names,
		      const uint64_t *stamps, size_t n)
{
	char **v = calloc(n + 1, sizeof(*v));
	uint64_t *st = calloc(n + 1, sizeof(*st));
	uint64_t seq;

	if (!v || !st) {
		free(v);
		free(st);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(names[i]))) {
			vmw_want_free(v, st, n);	/* calloc'd: the rest NULL */
			return 0;
		}
	memcpy(st, stamps, n * sizeof(*st));
	pthread_mutex_lock(&w->lock);
	vmw_want_free(w->want, w->want_stamps, w->nwant);
	w->want = v;
	w->want_stamps = st;
	w->nwant = n;
	w->want_changed = true;
	seq = ++w->want_seq;
	pthread_mutex_unlock(&w->lock);
	vmw_wake(w);
	return seq;
}

/* Wait until the devices of vmwatch_want() call @want_seq are published
 * (identities read, owners scanned), or @deadline_ns; true if they are. */
bool vmwatch_wait(struct vmwatch *w, uint64_t want_seq, uint64_t deadline_ns)
{
	struct timespec ts;
	bool ok;

	/* The condition variable uses CLOCK_REALTIME: convert. */
	pthread_mutex_lock(&w->lock);
	while (w->pub.want_seq < want_seq) {
		uint64_t now = clock_mono_ns(), left;
		int64_t real;

		if (now >= deadline_ns)
			break;
		left = deadline_ns - now;
		real = clock_real_minus_mono_ns() + (int64_t)now + (int64_t)left;
		ts.tv_sec = (time_t)(real / (int64_t)CLOCK_NS_PER_S);
		ts.tv_nsec = (long)(real % (int64_t)CLOCK_NS_PER_S);
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	}
	ok = w->pub.want_seq >= want_seq;
	pthread_mutex_unlock(&w->lock);
	return ok;
}

/* Copy the results into @out if they changed since @out->gen. */
bool vmwatch_get(struct vmwatch *w, struct vmwatch_result *out)
{
	bool changed = false;

	pthread_mutex_lock(&w->lock);
	if (w->pub.gen != out->gen) {
		bool devs = w->pub.devs_gen != out->devs_gen;
		struct vmwatch_dev *nd = NULL;
		struct qmp_view *nq = NULL;

		if ((!devs || !w->pub.ndevs ||
		     (nd = malloc(w->pub.ndevs * sizeof(*nd)))) &&
		    (nq = malloc((w->pub.nqmp + 1) * sizeof(*nq)))) {
			struct vmwatch_dev *od = out->devs;
			size_t on = out->ndevs;

			if (nd)
				memcpy(nd, w->pub.devs, w->pub.ndevs * sizeof(*nd));
			memcpy(nq, w->pub.qmp, w->pub.nqmp * sizeof(*nq));
			free(out->qmp);
			if (devs)
				free(od);
			*out = w->pub;
			out->devs = devs ? nd : od;
			out->ndevs = devs ? w->pub.ndevs : on;
			out->qmp = nq;
			changed = true;
		} else {
			free(nd);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return changed;
}

void vmwatch_result_free(struct vmwatch_result *r)
{
	free(r->devs);
	free(r->qmp);
	r->devs = NULL;
	r->qmp = NULL;
	r->ndevs = r->nqmp = 0;
}

void vmwatch_stop(struct vmwatch *w)
{
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_mutex_unlock(&w->lock);
		vmw_wake(w);
		pthread_join(w->th, NULL);
	}
	for (size_t i = 0; i < w->nq; i++)
		qmp_free(w->q[i]);
	vmw_want_free(w->want, w->want_stamps, w->nwant);
	free(w->devs);
	owner_free(&w->scan);
	owner_memo_free(&w->memo);
	vmwatch_result_free(&w->pub);
	if (w->wake[0] >= 0)
		close(w->wake[0]);
	if (w->wake[1] >= 0)
		close(w->wake[1]);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
