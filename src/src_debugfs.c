// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * src_debugfs.c - the source that reads debugfs-style trees:
 *   <root>/<dev>/migration/state      one kernel token and a newline
 *   <root>/<dev>/migration/features   optional, one feature per line
 *
 *   <root>/<dev>/migration/arcs       the vfiomig module's arc log, if loaded
 *
 * Each state file stays open and is re-read with pread(fd, buf, n, 0), so
 * the steady state costs one syscall per device per refresh.  The tree is
 * watched with inotify (see watch.c) so that devices appearing, vanishing
 * and files being replaced are seen without listing directories on every
 * refresh; a rescan every few seconds is the safety net.  Reads go through
 * the reader pool (reader.c) with a deadline: a read that blocks shows the
 * device as busy and never stalls the refresh.  Where the module provides
 * an arc log, it is read right after the state and turned into exact steps
 * (arcmatch.c), and its IN_MODIFY asks for a refresh at once.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inotifytools/inotify.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "arcmatch.h"
#include "clock.h"
#include "reader.h"
#include "readplan.h"
#include "source.h"
#include "strmap.h"
#include "watch.h"

/* Safety-net rescan interval, ns: roots without a directory watch, and
 * roots with one (devices coming and going are events then). */
#define DFS_RESCAN_NS (5 * CLOCK_NS_PER_S)
#define DFS_RESCAN_WATCHED_NS (30 * CLOCK_NS_PER_S)
/* Workers the reader pool may grow to when reads block. */
#define DFS_MAX_READERS 16
/* How long a refresh waits for the watcher to set the watches it asked
 * for (microseconds, unless the machine is very busy), ns. */
#define DFS_FLUSH_NS (20 * CLOCK_NS_PER_MS)
/* A read pending for this long counts as stuck, ns. */
#define DFS_STUCK_NS (2 * CLOCK_NS_PER_MS)

#define DFS_ROOT_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
		       IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define DFS_DEV_MASK (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
/*
 * The state file itself is watched, not its directory: a watch on the
 * directory would make every read of the file pay for a parent check in
 * fsnotify (a quarter more CPU per read on tmpfs); a watch on the file
 * costs nothing when it is read.  Replacing the file (rename over it, as
 * the simulator and tests do) or unlinking it changes its link count:
 * IN_ATTRIB.  The kernel module signals changes with IN_MODIFY.
 */
#define DFS_STATE_MASK (IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF)

/* Which trees a refresh trusts to notify changes (VFIOMIGTOP_NOTIFY). */
enum {
	DFS_N_MODULE,		/* unset: the vfiomig module's trees ("arcs 1") */
	DFS_N_AUTO,		/* "auto": those and files on a local file system */
	DFS_N_ALWAYS,		/* "1": every tree */
	DFS_N_NEVER,		/* "0": none: every file at every refresh */
};

/* Cookie kinds for watch callbacks (low 8 bits). */
enum { DFS_W_ROOT = 1, DFS_W_DEV = 2, DFS_W_STATE = 3 };

/* One root directory of the tree. */
struct dfs_root {
	char *path;		/* absolute or given path of the root */
	bool watched;		/* an inotify watch is on the root */
	bool lost;		/* the root vanished (module unloaded, tree deleted) */
	int status_fd;		/* the module's <root>/vfiomig status file, -1 if none */
	uint64_t missed;	/* its arcs_missed, as last read */
	uint64_t status_try_ns;	/* CLOCK_MONOTONIC ns to look for the file again */
	bool arcs_on;		/* the status file says "arcs 1": the module notifies changes */
	bool fs_notifies;	/* a local file system: every write raises inotify events */
	bool notify;		/* changes are notified: read only what changed (readplan.c) */
};

/* One device directory. */
struct dfs_dev {
	char *dir;		/* path of the device directory, NULL for a free slot */
	char *state_path;	/* dir/migration/state */
	char *feat_path;	/* dir/migration/features */
	char *mig_path;		/* dir/migration */
	unsigned int root;	/* index of its root */
	bool w_dev;		/* dir is watched (devices without migration/) */
	bool w_fail;		/* its state watch failed (none left?): polled, tried again at a rescan */
	bool w_again;		/* ... and may be asked for again now (a rescan came) */
	uint64_t w_retry;	/* w_req of that second request while its outcome is unknown; 0 none */
	bool w_state;		/* the state file is watched */
	ino_t w_ino;		/* inode of the state file when its watch was set */
	bool has_mig;		/* migration/ exists */
	bool feat_pending;	/* features not read yet */
	bool reopen;		/* state file was replaced: reopen before reading */
	bool rewatch;		/* ... and watch the new file (its inode changed) */
	bool doomed;		/* directory vanished: free the slot when the job is idle */
	bool recheck;		/* look again for migration/ */
	unsigned int eio;	/* consecutive EIO or ENOENT reads while the file exists */
	uint64_t added_ns;	/* CLOCK_MONOTONIC ns the directory, or its migration/, was first seen (refresh time) */
	int arc_fd;		/* the module's arc log, -1 when there is none */
	struct arcmatch *am;	/* arcs waiting to be matched (with arc_fd) */
	char *arc_part;		/* an incomplete last line of the arc log */
	size_t arc_part_len;	/* bytes in arc_part */
	uint32_t seen_gen;	/* scan_gen of the last rescan that listed it */
	bool dirty;		/* notified, or its file new or replaced: read it next */
	uint64_t change_ns;	/* CLOCK_MONOTONIC ns (refresh time) its value last changed; 0 never */
	uint64_t w_req;		/* number of the request that set its state watch (dfs.nreq) */
	bool marked;		/* listed in snap.changed this refresh */
	struct reader_job *job;	/* its read (allocated apart: workers hold pointers) */
	bool inflight;		/* job submitted and not collected yet (main thread's view) */
};

/* A name event queued by a watch callback. */
struct dfs_pending {
	unsigned int root;	/* root index */
	bool add;		/* true: appeared, false: vanished */
	char *name;		/* entry name */
};

struct dfs {
	struct source *src;		/* back pointer */
	struct dfs_root *roots;		/* roots, in priority order */
	unsigned int nroots;		/* number of roots */
	struct dfs_dev *devs;		/* slots, parallel to src->snap.dev */
	size_t cap;			/* allocated slots */
	struct strmap names;		/* device name -> slot */
	struct reader_pool *pool;		/* reader threads */
	struct reader_job **batch;		/* jobs submitted this refresh */
	struct dfs_pending *pend;	/* queued name events */
	size_t npend, pend_cap;		/* entries / allocated */
	uint64_t next_rescan_ns;	/* CLOCK_MONOTONIC ns of the next full rescan */
	bool rescan;			/* rescan at the next refresh */
	bool watching;			/* inotify is available */
	uint64_t now_ns;		/* CLOCK_MONOTONIC ns of the current refresh */
	uint32_t scan_gen;		/* counts full rescans */
	size_t steps_cap;		/* entries allocated in src->snap.steps */
	int notify_mode;		/* VFIOMIGTOP_NOTIFY: DFS_N_* */
	uint64_t nreq;			/* state watches asked for so far */
	unsigned int nwfail;		/* devices whose state watch failed (w_fail) */
	uint64_t applied;		/* nreq when the watcher last had every request in place */
	bool read_all;			/* events were lost: read every device next */
	size_t sweep;			/* next slot the safety-net sweep reads */
	uint64_t last_ns;		/* CLOCK_MONOTONIC ns the sweep last took a slice; 0 never */
	uint64_t nread;			/* state reads submitted, ever (VFIOMIGTOP_DEBUG_READS tells at the end) */
	uint64_t *awake;		/* bit per slot: may want a read or care (dfs_wake()); cap bits */
	bool wake_all;			/* look at every slot at the next refresh */
	uint64_t looked;		/* slots the refreshes' plans looked at, ever (... tells too) */
	uint64_t submit_ns;		/* CLOCK_MONOTONIC ns this refresh's reads were submitted */
	uint64_t nsame;			/* reads handed back as the same bytes, ever (... tells too) */
	uint64_t ntaken;		/* reads the main thread looked at, ever (... tells too) */
};

static char *dfs_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

/*
 * Slot @slot may need a read or some care at the next refresh: it was
 * notified, read, added, replaced, doomed...  A refresh where changes are
 * notified looks only at awake slots and at the sweep's slice, so that an
 * idle tree costs nothing per device; a slot it finds with nothing to do
 * goes back to sleep (dfs_plan()).  Every place that sets a flag
 * dfs_prepare() or dfs_wanted() reads wakes the slot.
 */
static void dfs_wake(struct dfs *d, size_t slot)
{
	d->awake[slot / 64] |= 1ull << (slot % 64);
}

/* List @slot as changed in this refresh, once (a flag per slot, as the
 * agent source does: no search). */
static void dfs_mark(struct dfs *d, size_t slot)
{
	struct snapshot *sn = &d->src->snap;

	dfs_wake(d, slot);
	if (d->devs[slot].marked)
		return;
	d->devs[slot].marked = true;
	sn->changed[sn->nchanged++] = (uint32_t)slot;
}

/* Start a new list of changed slots. */
static void dfs_unmark(struct dfs *d)
{
	struct snapshot *sn = &d->src->snap;

	for (size_t i = 0; i < sn->nchanged; i++)
		d->devs[sn->changed[i]].marked = false;
	sn->nchanged = 0;
}

/* Entries we never treat as devices: hidden names (simulator temp files). */
static bool dfs_ignored(const char *name)
{
	return name[0] == '.' || !name[0];
}

static void dfs_queue(struct dfs *d, unsigned int root, bool add,
		      const char *name)
{
	struct dfs_pending *p;

	if (d->npend == d->pend_cap) {
		size_t cap = d->pend_cap ? d->pend_cap * 2 : 32;

		p = realloc(d->pend, cap * sizeof(*p));
		if (!p) {
			d->rescan = true;
			return;
		}
		d->pend = p;
		d->pend_cap = cap;
	}
	p = &d->pend[d->npend];
	p->name = strdup(name);
	if (!p->name) {
		d->rescan = true;
		return;
	}
	p->root = root;
	p->add = add;
	d->npend++;
}

/* Watch callback: only records what happened. */
static void dfs_event(void *owner, uint64_t cookie, uint32_t mask,
		      const char *name)
{
	struct dfs *d = owner;
	unsigned int kind = cookie & 0xff;
	size_t idx = (size_t)(cookie >> 8);

	if (mask & IN_Q_OVERFLOW) {
		d->rescan = true;
		d->read_all = true;
		return;
	}
	switch (kind) {
	case DFS_W_ROOT:
		if (idx >= d->nroots)
			return;
		if (mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
			if (mask & IN_IGNORED)
				d->roots[idx].watched = false;
			d->roots[idx].lost = true;
			d->rescan = true;
		} else if (!dfs_ignored(name)) {
			dfs_queue(d, (unsigned int)idx,
				  mask & (IN_CREATE | IN_MOVED_TO), name);
		}
		break;
	case DFS_W_DEV:
		if (idx < d->cap && d->devs[idx].dir) {
			dfs_wake(d, idx);
			if (mask & IN_IGNORED)
				d->devs[idx].w_dev = false;
			else if (!strcmp(name, "migration"))
				d->devs[idx].recheck = true;
		}
		break;
	case DFS_W_STATE:
		if (idx >= d->cap || !d->devs[idx].dir)
			return;
		dfs_wake(d, idx);
		if (mask & WATCH_FAILED) {
			/* Not watched: read it every refresh, and ask again
			 * at the next rescan, not at every refresh (watches
			 * run out: fs.inotify.max_user_watches). */
			d->devs[idx].w_state = false;
			d->devs[idx].recheck = true;
			if (!d->devs[idx].w_fail) {
				d->devs[idx].w_fail = true;
				d->nwfail++;
			}
			d->devs[idx].w_retry = 0;	/* failed again */
		} else if (mask & IN_IGNORED) {
			/* A watched inode went: usually the old one of a
			 * replaced file; the recheck compares inodes. */
			d->devs[idx].recheck = true;
		} else if (mask & (IN_ATTRIB | IN_MOVE_SELF)) {
			/* Replaced, unlinked or chmod-ed: open it afresh. */
			d->devs[idx].reopen = true;
			d->devs[idx].rewatch = true;
			d->devs[idx].dirty = true;
		} else if (mask & IN_MODIFY) {
			/* The kernel module's change notification. */
			d->devs[idx].dirty = true;
			d->src->snap.urgent = true;
		}
		break;
	}
}

static int dfs_grow(struct dfs *d)
{
	struct snapshot *sn = &d->src->snap;
	size_t cap = d->cap ? d->cap * 2 : 16;
	struct dfs_dev *nd;
	struct snap_dev *ns;
	uint32_t *nc;
	struct reader_job **nb;
	uint64_t *aw;

	/* Jobs are allocated apart, so moving the slots is safe even while
	 * reads are in flight. */
	nd = realloc(d->devs, cap * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	d->devs = nd;
	ns = realloc(sn->dev, cap * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	sn->dev = ns;
	nc = realloc(sn->changed, cap * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	sn->changed = nc;
	nb = realloc(d->batch, cap * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	d->batch = nb;
	aw = realloc(d->awake, (cap + 63) / 64 * sizeof(*aw));
	if (!aw)
		return -ENOMEM;
	d->awake = aw;
	memset(aw + (d->cap + 63) / 64, 0,
	       ((cap + 63) / 64 - (d->cap + 63) / 64) * sizeof(*aw));
	memset(nd + d->cap, 0, (cap - d->cap) * sizeof(*nd));
	memset(ns + d->cap, 0, (cap - d->cap) * sizeof(*ns));
	d->cap = cap;
	return 0;
}

/* A free slot (reusing one whose device is gone), or -1. */
static long dfs_slot_alloc(struct dfs *d)
{
	struct snapshot *sn = &d->src->snap;
	size_t i;

	for (i = 0; i < sn->nslots; i++)
		if (!d->devs[i].dir && !sn->dev[i].present &&
		    !d->devs[i].inflight)
			break;
	if (i == sn->nslots) {
		if (i == d->cap && dfs_grow(d))
			return -1;
		sn->nslots++;
		memset(&d->devs[i], 0, sizeof(d->devs[i]));
		memset(&sn->dev[i], 0, sizeof(sn->dev[i]));
	}
	if (!d->devs[i].job) {
		d->devs[i].job = reader_job_new();
		if (!d->devs[i].job)
			return -1;
		/* A read of the same bytes needs no look at the job. */
		d->devs[i].job->same_ok = true;
	}
	return (long)i;
}

/* How long a new device's state file may be missing before the device
 * counts as gone (debugfs makes the directories first), ns. */
#define DFS_STATE_GRACE_NS (1000 * CLOCK_NS_PER_MS)

/* Size of the buffer for one refresh's worth of arc log, bytes. */
#define DFS_ARC_BUF 8192
/* Longest arc log line kept across reads, bytes. */
#define DFS_ARC_LINE 256

static void dfs_arcs_close(struct dfs_dev *v)
{
	if (v->arc_fd >= 0)
		close(v->arc_fd);
	v->arc_fd = -1;
	v->job->arc_fd = -1;
	free(v->am);
	v->am = NULL;
	v->arc_part_len = 0;
}

/* Open dir/migration/arcs when the kernel module provides it. */
static void dfs_arcs_open(struct dfs_dev *v)
{
	char *path;

	if (v->arc_fd >= 0)
		return;
	path = dfs_join(v->mig_path, "arcs");
	if (!path)
		return;
	v->arc_fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	free(path);
	if (v->arc_fd < 0)
		return;
	if (!v->job->arc_buf) {
		v->job->arc_buf = malloc(DFS_ARC_BUF);
		v->job->arc_cap = v->job->arc_buf ? DFS_ARC_BUF : 0;
	}
	if (!v->arc_part)
		v->arc_part = malloc(DFS_ARC_LINE);
	v->am = calloc(1, sizeof(*v->am));
	if (!v->job->arc_buf || !v->arc_part || !v->am) {
		dfs_arcs_close(v);
		return;
	}
	v->job->arc_fd = v->arc_fd;
}

/*
 * Watch the state file's current inode unless it is watched already.  A
 * watch stays on the old inode of a replaced file until that inode goes,
 * so the inode number tells whether the watch we have is the right one;
 * adding the same inode twice would leak a libinotifytools record.  After
 * a replacement (@force) the file is new whatever its number: ext4 gives a
 * new file the number of one just freed.
 */
static void dfs_watch_state(struct dfs *d, size_t slot, bool force)
{
	struct dfs_dev *v = &d->devs[slot];
	struct stat st;

	if ((v->w_fail && !v->w_again && !force) || stat(v->state_path, &st))
		return;
	if (v->w_state && st.st_ino == v->w_ino && !force)
		return;
	v->w_state = !watch_renew(v->state_path, DFS_STATE_MASK, dfs_event, d,
				  ((uint64_t)slot << 8) | DFS_W_STATE);
	v->w_ino = st.st_ino;
	v->w_req = ++d->nreq;	/* trusted once the watcher has it */
	if (v->w_fail) {	/* asked again: it counts until it is known */
		v->w_again = false;
		v->w_retry = v->w_req;
	}
	v->dirty = true;	/* read it after the watch is in place */
	dfs_wake(d, slot);
}

/* @v's state watch no longer counts as failed: it is in place, or its
 * device went. */
static void dfs_watch_ok(struct dfs *d, struct dfs_dev *v)
{
	if (!v->w_fail)
		return;
	v->w_fail = v->w_again = false;
	v->w_retry = 0;
	d->nwfail--;
}

/* Look at dir/migration and set up watches and value accordingly. */
static void dfs_probe_mig(struct dfs *d, size_t slot)
{
	struct dfs_dev *v = &d->devs[slot];
	struct snap_dev *sd = &d->src->snap.dev[slot];
	uint64_t base = (uint64_t)slot << 8;
	struct stat st;
	bool had = v->has_mig;

	v->recheck = false;
	v->has_mig = !stat(v->mig_path, &st) && S_ISDIR(st.st_mode);
	if (!v->has_mig && d->watching && !v->w_dev) {
		/* Watch for migration/ to appear, then look again so that
		 * nothing slips between the look and the watch. */
		v->w_dev = !watch_renew(v->dir, DFS_DEV_MASK, dfs_event, d,
					base | DFS_W_DEV);
		v->has_mig = !stat(v->mig_path, &st) && S_ISDIR(st.st_mode);
	}
	if (v->has_mig && d->watching)
		dfs_watch_state(d, slot, false);
	/* A directory watch, once set, stays: dropping it and watching the
	 * same directory again later would make libinotifytools leak, and it
	 * costs nothing (reads happen two levels below). */
	if (v->has_mig == had && sd->val != DS_UNKNOWN)
		return;
	if (!v->has_mig) {
		if (!v->inflight) {
			if (v->job->fd >= 0)
				close(v->job->fd);
			v->job->fd = -1;
			dfs_arcs_close(v);
		}
		sd->val = DS_NOMIG;
		sd->features_known = false;
		sd->features = 0;
		sd->busy_ns = 0;
		dfs_mark(d, slot);
	} else {
		v->feat_pending = true;
		v->reopen = true;
		if (!had)	/* its state file may lag migration/ */
			v->added_ns = d->now_ns;
		if (!v->inflight)
			dfs_arcs_open(v);
	}
}

/* The directory of device @name under root @r, if it is one (malloc'd),
 * else NULL. */
static char *dfs_dev_dir(struct dfs *d, unsigned int r, const char *name)
{
	char *dir = dfs_join(d->roots[r].path, name);
	struct stat st;

	if (dir && (stat(dir, &st) || !S_ISDIR(st.st_mode))) {
		free(dir);
		dir = NULL;
	}
	return dir;
}

/* A doomed slot whose device came back before it was freed: ready for
 * its new directory, whose files are new and watched again. */
static void dfs_revive(struct dfs_dev *v)
{
	v->job->feat_path = NULL;	/* (idle: see dfs_add()) */
	dfs_arcs_close(v);
	v->rewatch = true;
	v->w_dev = false;
	free(v->dir);
	free(v->state_path);
	free(v->feat_path);
	free(v->mig_path);
	v->doomed = false;
}

/* A new slot: no file open, nothing watched.  Returns it, or -1. */
static long dfs_slot_new(struct dfs *d)
{
	long slot = dfs_slot_alloc(d);
	struct dfs_dev *v;

	if (slot < 0)
		return -1;
	v = &d->devs[slot];
	v->job->fd = -1;
	v->job->arc_fd = -1;
	v->arc_fd = -1;
	v->job->phase = READER_IDLE;
	v->w_dev = v->w_state = false;
	v->has_mig = false;
	return slot;
}

/* The paths of @v's files under @dir (taken over); false when out of
 * memory. */
static bool dfs_set_paths(struct dfs_dev *v, char *dir)
{
	v->dir = dir;
	v->state_path = dfs_join(dir, "migration/state");
	v->feat_path = dfs_join(dir, "migration/features");
	v->mig_path = dfs_join(dir, "migration");
	return v->state_path && v->feat_path && v->mig_path;
}

/* The snapshot lists @name in @sd from now on, a new generation whose
 * value is not read yet. */
static void dfs_list(struct snap_dev *sd, const char *name, size_t len)
{
	sd->gen++;
	sd->present = true;
	memcpy(sd->name, name, len + 1);
	sd->val = DS_UNKNOWN;
	sd->err = 0;
	sd->features_known = false;
	sd->features = 0;
	sd->busy_ns = 0;
	sd->raw_len = 0;
	sd->exact = false;
}

/* A device directory @name appeared under root @r. */
static void dfs_add(struct dfs *d, unsigned int r, const char *name)
{
	size_t len = strlen(name);
	struct snap_dev *sd;
	struct dfs_dev *v;
	char *dir;
	long slot;
	int have;

	if (len >= SNAP_NAME_MAX)
		return;
	have = strmap_get(&d->names, name, len);
	if (have >= 0 && !d->devs[have].doomed)
		return;		/* already known, from this root or another */
	dir = dfs_dev_dir(d, r, name);
	if (!dir)
		return;
	if (have >= 0) {
		/* Came back before the old slot was freed: revive it, once
		 * no read is in flight on it (else the rescan will). */
		if (d->devs[have].inflight) {
			free(dir);
			d->rescan = true;
			return;
		}
		slot = have;
		dfs_revive(&d->devs[slot]);
	} else if ((slot = dfs_slot_new(d)) < 0) {
		free(dir);
		return;
	}
	v = &d->devs[slot];
	v->root = r;
	if (!dfs_set_paths(v, dir)) {
		d->rescan = true;
		return;
	}
	v->job->path = v->state_path;
	v->job->tag = (uint32_t)slot;
	v->eio = 0;
	sd = &d->src->snap.dev[slot];
	if (!sd->present) {
		v->added_ns = d->now_ns;
		dfs_list(sd, name, len);
		v->job->last_n = -1;	/* no bytes of another device's */
	}
	v->has_mig = false;
	strmap_put(&d->names, name, len, (int)slot);
	dfs_probe_mig(d, (size_t)slot);
	dfs_mark(d, (size_t)slot);
}

/* Free a doomed slot once no read is in flight on it. */
static void dfs_reap(struct dfs *d, size_t slot)
{
	struct dfs_dev *v = &d->devs[slot];
	struct snap_dev *sd = &d->src->snap.dev[slot];
	if (v->inflight)
		return;		/* its reader still has it: later */
	v->job->phase = READER_IDLE;
	v->job->feat_path = NULL;
	if (v->job->fd >= 0)
		close(v->job->fd);
	v->job->fd = -1;
	v->job->path = NULL;
	dfs_arcs_close(v);
	/* Its directory went: the kernel has dropped (or will drop) the
	 * watches; a later device in this slot sets its own. */
	v->w_dev = v->w_state = false;
	dfs_watch_ok(d, v);
	strmap_del(&d->names, sd->name, strlen(sd->name));
	free(v->dir);
	free(v->state_path);
	free(v->feat_path);
	free(v->mig_path);
	v->dir = v->state_path = v->feat_path = v->mig_path = NULL;
	v->doomed = false;
	sd->present = false;
	sd->busy_ns = 0;
	dfs_mark(d, slot);
}

/* The directory of @slot's device went: free the slot, now or once its
 * read is back. */
static void dfs_doom(struct dfs *d, size_t slot)
{
	d->devs[slot].doomed = true;
	dfs_wake(d, slot);
	dfs_reap(d, slot);
}

/* The device directory @name under root @r vanished. */
static void dfs_del(struct dfs *d, unsigned int r, const char *name)
{
	int slot = strmap_get(&d->names, name, strlen(name));

	if (slot < 0 || d->devs[slot].root != r)
		return;
	dfs_doom(d, (size_t)slot);
}

static void dfs_watch_root(struct dfs *d, unsigned int r)
{
	if (!d->watching || d->roots[r].watched)
		return;
	d->roots[r].watched = !watch_add(d->roots[r].path, DFS_ROOT_MASK,
					 dfs_event, d,
					 ((uint64_t)r << 8) | DFS_W_ROOT);
}

/*
 * True when files under @path are written by programs on a local file
 * system, where every write and rename raises inotify events (tmpfs,
 * ext4, xfs, btrfs: test trees, the simulator's).  debugfs makes its
 * content at each read and says nothing; FUSE and network file systems
 * change behind the kernel's back.
 */
static bool dfs_fs_notifies(const char *path)
{
	struct statfs st;

	if (statfs(path, &st))
		return false;
	switch ((unsigned long)st.f_type) {
	case 0x01021994UL:	/* TMPFS_MAGIC */
	case 0xEF53UL:		/* EXT4_SUPER_MAGIC (ext2, ext3 too) */
	case 0x58465342UL:	/* XFS_SUPER_MAGIC */
	case 0x9123683EUL:	/* BTRFS_SUPER_MAGIC */
		return true;
	default:
		return false;
	}
}

/* True when the open state file is no longer at its path. */
static bool dfs_replaced(const struct dfs_dev *v)
{
	struct stat st;

	return !v->inflight && v->job->fd >= 0 && !fstat(v->job->fd, &st) &&
	       st.st_nlink == 0;
}

/* List every root and reconcile the slots with what is really there. */
static void dfs_rescan(struct dfs *d)
{
	struct snapshot *sn = &d->src->snap;

	d->scan_gen++;
	for (unsigned int r = 0; r < d->nroots; r++) {
		DIR *dir;
		struct dirent *de;

		dfs_watch_root(d, r);
		dir = opendir(d->roots[r].path);
		if (!dir) {
			d->roots[r].lost = true;
			continue;
		}
		d->roots[r].lost = false;
		d->roots[r].fs_notifies = dfs_fs_notifies(d->roots[r].path);
		while ((de = readdir(dir))) {
			int slot;

			if (dfs_ignored(de->d_name))
				continue;
			if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
				continue;
			dfs_add(d, r, de->d_name);
			slot = strmap_get(&d->names, de->d_name,
					  strlen(de->d_name));
			if (slot >= 0 && d->devs[slot].root == r)
				d->devs[slot].seen_gen = d->scan_gen;
		}
		closedir(dir);
	}
	for (size_t i = 0; i < sn->nslots; i++) {
		struct dfs_dev *v = &d->devs[i];

		if (!v->dir || v->doomed)
			continue;
		if (v->seen_gen != d->scan_gen) {
			dfs_doom(d, i);
			continue;
		}
		if (v->w_fail) {
			/* Its watch failed: try again, now and then (and
			 * see below whether its file was replaced: with no
			 * watch, only a rescan can tell).  It counts as
			 * failed until the watcher has the new request. */
			v->w_again = true;
			v->recheck = true;
			dfs_wake(d, i);
		}
		if (!v->has_mig) {
			v->recheck = true;
			dfs_wake(d, i);
		} else if (dfs_replaced(v)) {
			/* Replaced with no event for it (the watch came
			 * late): read and watch the file now at its path. */
			v->reopen = true;
			v->rewatch = true;
			dfs_wake(d, i);
		}
	}
	d->rescan = false;
	d->next_rescan_ns = d->now_ns + DFS_RESCAN_WATCHED_NS;
	for (unsigned int r = 0; r < d->nroots; r++)
		if (!d->roots[r].watched || d->roots[r].lost)
			d->next_rescan_ns = d->now_ns + DFS_RESCAN_NS;
}

static void dfs_take_features(struct dfs_dev *v, struct snap_dev *sd)
{
	struct reader_job *j = v->job;

	if (!j->feat_path)
		return;
	j->feat_path = NULL;
	v->feat_pending = false;
	if (j->feat_n >= 0) {
		sd->features = dstate_parse_features(j->feat_buf,
						     (size_t)j->feat_n,
						     &sd->dirty_tracking);
		sd->features_known = true;
	} else {
		sd->features_known = false;
	}
	free(j->feat_buf);	/* read once: no need to keep it */
	j->feat_buf = NULL;
}

static void dfs_step(struct dfs *d, size_t slot, const struct snap_step *st)
{
	struct snapshot *sn = &d->src->snap;

	if (sn->nsteps == d->steps_cap) {
		size_t cap = d->steps_cap ? d->steps_cap * 2 : 64;
		struct snap_step *ns = realloc(sn->steps, cap * sizeof(*ns));

		if (!ns)
			return;
		sn->steps = ns;
		d->steps_cap = cap;
	}
	sn->steps[sn->nsteps] = *st;
	sn->steps[sn->nsteps].slot = (uint32_t)slot;
	sn->steps[sn->nsteps].gen = sn->dev[slot].gen;
	sn->nsteps++;
}

/* Split what the arc log returned into lines and take them in. */
static void dfs_arcs_feed(struct dfs_dev *v, const char *buf, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;
		struct arcmatch_arc a;
		const char *line = buf + i;

		if (v->arc_part_len || !nl) {
			/* Join with the piece kept from the last read. */
			size_t room = DFS_ARC_LINE - v->arc_part_len;
			size_t take = len < room ? len : room;

			memcpy(v->arc_part + v->arc_part_len, line, take);
			v->arc_part_len += take;
			if (!nl)
				return;
			line = v->arc_part;
			len = v->arc_part_len;
			v->arc_part_len = 0;
		}
		if (arcmatch_parse_line(line, len, &a, &v->am->lost) == 1)
			arcmatch_push(v->am, &a);
		i += (size_t)(nl - (buf + i)) + 1;
	}
}

/* Explain the change from @prev (read at @prev_ns) with the arc log;
 * emit exact steps. */
static void dfs_arcs_explain(struct dfs *d, size_t slot, enum dstate prev,
			     uint64_t prev_ns)
{
	struct dfs_dev *v = &d->devs[slot];
	struct snap_dev *sd = &d->src->snap.dev[slot];
	struct snap_step st[2 * ARCMATCH_MAX + 1];
	size_t n;

	if (!v->am || v->job->arc_n < 0)
		return;
	dfs_arcs_feed(v, v->job->arc_buf, (size_t)v->job->arc_n);
	sd->exact = true;
	n = arcmatch_explain(v->am, prev, sd->val, prev_ns, v->job->start_ns,
			     st, sizeof(st) / sizeof(st[0]));
	for (size_t i = 0; i < n && i < sizeof(st) / sizeof(st[0]); i++)
		dfs_step(d, slot, &st[i]);
	if (n)
		dfs_mark(d, slot);
}

/*
 * A read that failed as if the file went away (debugfs answers EIO on an
 * fd whose file was removed): close the fd; the value is the errno's if
 * the file is still there, else GONE (*@val, *@err).  Returns false when
 * there is no value yet and the next refresh reads again: a first EIO on
 * a file re-created under us, a first ENOENT on a file made since the
 * read, or a device so new that debugfs has made migration/ but not its
 * files yet.
 */
static bool dfs_take_vanished(struct dfs *d, struct dfs_dev *v,
			      const struct snap_dev *sd, enum dstate *val,
			      int *err)
{
	struct reader_job *j = v->job;
	struct stat st;

	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	*err = j->err;
	if (stat(v->state_path, &st) == 0) {
		/* Only a second EIO in a row is a real I/O error.  ENOENT
		 * with the file there: it came after the read (a new
		 * device, read while busy for longer than the grace). */
		if ((j->err == EIO || j->err == ENOENT) && ++v->eio < 2) {
			v->dirty = true;
			return false;
		}
		*val = dstate_from_errno(j->err);
	} else if ((sd->val == DS_UNKNOWN || sd->val == DS_NOMIG) &&
		   d->now_ns - v->added_ns < DFS_STATE_GRACE_NS &&
		   stat(v->mig_path, &st) == 0) {
		/* Never read yet (with migration/ new, or the device):
		 * its state file comes right after the directory. */
		v->dirty = true;
		return false;
	} else {
		*val = DS_GONE;
	}
	return true;
}

/* Whether @sd's value is what its kept bytes say (not one set without a
 * read: not read yet, <no-migration>). */
static bool dfs_val_is_bytes(const struct snap_dev *sd)
{
	return sd->val != DS_UNKNOWN && sd->val != DS_NOMIG;
}

/* A read of the same value: only @slot's times move (and busy ends). */
static void dfs_take_times(struct dfs *d, size_t slot, uint64_t read_ns,
			   uint64_t seen_ns)
{
	struct snap_dev *sd = &d->src->snap.dev[slot];

	sd->read_ns = read_ns;
	sd->seen_ns = seen_ns;
	if (sd->busy_ns) {
		sd->busy_ns = 0;
		dfs_mark(d, slot);
	}
}

/* The common case: the same bytes as last time (the worker compared
 * them), so the same value; only the times move, with no parsing.
 * Returns false when it is not. */
static bool dfs_take_same(struct dfs *d, size_t slot)
{
	struct dfs_dev *v = &d->devs[slot];
	struct snap_dev *sd = &d->src->snap.dev[slot];
	struct reader_job *j = v->job;

	if (!j->same || !dfs_val_is_bytes(sd))
		return false;
	dfs_take_times(d, slot, j->done_ns, j->start_ns);
	if (v->arc_fd >= 0)
		dfs_arcs_explain(d, slot, sd->val, sd->seen_ns);
	return true;
}

/* The value of what the job read, or of its error (*@err); the bytes are
 * kept for dfs_take_same(), and an fd that failed is closed to be opened
 * again next time (EACCES and the like). */
static enum dstate dfs_take_read(struct dfs_dev *v, int *err)
{
	struct reader_job *j = v->job;
	enum dstate val = dstate_from_read(j->buf, j->n, j->err);

	j->last_n = -1;
	if (j->n > 0 && (size_t)j->n <= sizeof(j->last)) {
		memcpy(j->last, j->buf, (size_t)j->n);
		j->last_n = j->n;
	}
	if (val == DS_ERRNO || val == DS_EACCES || val == DS_EINVAL)
		*err = j->err;
	v->eio = 0;
	if (j->n < 0 && j->fd >= 0 && val != DS_EINVAL) {
		close(j->fd);
		j->fd = -1;
	}
	return val;
}

/* Keep unparsable content raw (cut to fit); true when it differs from
 * what was kept. */
static bool dfs_take_raw(struct snap_dev *sd, const struct reader_job *j)
{
	size_t n = j->n < 0 ? 0 : (size_t)j->n;
	bool differs;

	if (n > sizeof(sd->raw))
		n = sizeof(sd->raw);
	differs = n != sd->raw_len || memcmp(sd->raw, j->buf, n);
	memcpy(sd->raw, j->buf, n);
	sd->raw_len = (uint8_t)n;
	return differs;
}

/* Turn a finished job into the slot's value, and explain a change with
 * the arc log when there is one. */
static void dfs_take(struct dfs *d, size_t slot)
{
	struct dfs_dev *v = &d->devs[slot];
	struct snap_dev *sd = &d->src->snap.dev[slot];
	struct reader_job *j = v->job;
	enum dstate val, prev = sd->val;
	uint64_t prev_seen = sd->seen_ns;
	int err = 0;
	bool changed;

	dfs_take_features(v, sd);
	j->phase = READER_IDLE;
	if (j->n < 0 && (j->err == EIO || j->err == ENODEV || j->err == ENOENT)) {
		if (!dfs_take_vanished(d, v, sd, &val, &err))
			return;
	} else if (dfs_take_same(d, slot)) {
		return;
	} else {
		val = dfs_take_read(v, &err);
	}
	changed = prev != val || sd->err != err || sd->busy_ns;
	if (val == DS_UNPARSABLE && dfs_take_raw(sd, j))
		changed = true;
	if (val != prev) {
		sd->prev_ns = prev_seen;	/* the old value held then */
		if (prev != DS_UNKNOWN)	/* a first value is no change */
			v->change_ns = d->now_ns;
	}
	sd->val = val;
	sd->err = err;
	sd->busy_ns = 0;
	sd->read_ns = j->done_ns;
	sd->seen_ns = j->start_ns;
	if (changed)
		dfs_mark(d, slot);
	if (v->arc_fd >= 0)
		dfs_arcs_explain(d, slot, prev, prev_seen);
}

/*
 * A read that returned the bytes of the one before, handed back without
 * its job (idle again): where the value is the bytes', only the times
 * move; else (a value set for other reasons meanwhile) it is taken in
 * full, as a job done.
 */
static void dfs_take_again(struct dfs *d, const struct reader_same *r,
			   uint64_t done_ns)
{
	struct dfs_dev *v = &d->devs[r->tag];

	v->inflight = false;
	dfs_wake(d, r->tag);
	if (!v->dir || v->doomed)
		return;		/* its device went */
	if (!dfs_val_is_bytes(&d->src->snap.dev[r->tag])) {
		struct reader_job *j = v->job;

		/* Its bytes are the ones kept; the worker did not copy them. */
		memcpy(j->buf, j->last, (size_t)j->last_n);
		j->done_ns = done_ns;
		dfs_take(d, r->tag);
		d->ntaken++;
		return;
	}
	dfs_take_times(d, r->tag, done_ns, r->seen_ns);
}

/* The number after "@key " at the start of a line of the module's status
 * file, or -1. */
static long long dfs_status_num(const char *buf, size_t n, const char *key)
{
	size_t kl = strlen(key);
	long long v = -1;

	for (size_t i = 0; i + kl + 1 <= n; i++) {
		if ((i && buf[i - 1] != '\n') || memcmp(buf + i, key, kl) ||
		    buf[i + kl] != ' ')
			continue;
		v = 0;
		for (i += kl + 1; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
			v = v * 10 + (buf[i] - '0');
		break;
	}
	return v;
}

/* Take in what the module's status file says. */
static void dfs_status_parse(struct dfs *d, unsigned int r, const char *buf,
			     size_t n, bool first)
{
	struct dfs_root *rt = &d->roots[r];
	long long v = dfs_status_num(buf, n, "arcs_missed");

	rt->arcs_on = dfs_status_num(buf, n, "arcs") > 0;
	if (first) {
		rt->missed = v > 0 ? (uint64_t)v : 0;
		return;
	}
	if (v < 0 || (uint64_t)v == rt->missed)
		return;
	rt->missed = (uint64_t)v;
	for (size_t i = 0; i < d->src->snap.nslots; i++)
		if (d->devs[i].dir && d->devs[i].root == r && d->devs[i].am)
			arcmatch_loss(d->devs[i].am);
}

/*
 * The module's status file (<root>/vfiomig): whether it notifies changes
 * ("arcs 1"), and arcs its probe missed (for all devices): when that count
 * grows, no device's arc log can be trusted for that stretch.  One read
 * per refresh and root.
 */
static void dfs_check_status(struct dfs *d, unsigned int r)
{
	struct dfs_root *rt = &d->roots[r];
	char buf[256];
	ssize_t n;
	bool first = false;

	if (rt->status_fd < 0) {
		char *p;

		if (d->now_ns < rt->status_try_ns)
			return;		/* not every refresh: not a module root */
		rt->status_try_ns = d->now_ns + DFS_RESCAN_NS;
		p = dfs_join(rt->path, "vfiomig");
		rt->status_fd = p ? open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY) : -1;
		free(p);
		if (rt->status_fd < 0)
			return;
		first = true;
	}
	n = pread(rt->status_fd, buf, sizeof(buf), 0);
	if (n < 0) {
		close(rt->status_fd);	/* the module went away: look again */
		rt->status_fd = -1;
		rt->arcs_on = false;
		return;
	}
	dfs_status_parse(d, r, buf, (size_t)n, first);
}

/* Does root @r tell us of changes?  VFIOMIGTOP_NOTIFY decides if set. */
static void dfs_root_mode(struct dfs *d, unsigned int r)
{
	struct dfs_root *rt = &d->roots[r];

	rt->notify = d->watching && d->notify_mode != DFS_N_NEVER &&
		     (d->notify_mode == DFS_N_ALWAYS || rt->arcs_on ||
		      (d->notify_mode == DFS_N_AUTO && rt->fs_notifies));
}

/* Take the name events the watch callbacks queued. */
static void dfs_take_pending(struct dfs *d)
{
	for (size_t i = 0; i < d->npend; i++) {
		struct dfs_pending *p = &d->pend[i];

		if (p->add)
			dfs_add(d, p->root, p->name);
		else
			dfs_del(d, p->root, p->name);
		free(p->name);
	}
	d->npend = 0;
}

/* Get slot @i ready for a read; false when it has nothing to read. */
static bool dfs_prepare(struct dfs *d, size_t i)
{
	struct dfs_dev *v = &d->devs[i];
	struct reader_job *j = v->job;

	if (!v->dir)
		return false;
	if (v->doomed) {
		dfs_reap(d, i);
		return false;
	}
	/* A watch asked for again, in place with no failure since (failures
	 * come with the dispatch before the plan): watched once more. */
	if (v->w_retry && v->w_retry <= d->applied)
		dfs_watch_ok(d, v);
	if (v->recheck)
		dfs_probe_mig(d, i);
	if (!v->has_mig || v->inflight)
		return false;	/* nothing to read, or still reading (busy) */
	if (v->reopen) {
		if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
		/* The path may name a new inode now: watch it. */
		if (d->watching && v->rewatch)
			dfs_watch_state(d, i, true);
		v->reopen = false;
		v->rewatch = false;
		v->dirty = true;
		/* A new file: its first read is parsed, never taken as the
		 * old one's bytes (migration/ gone and back reads as it did
		 * but must not stay <no-migration>). */
		j->last_n = -1;
	}
	return true;
}

/* Whether slot @i is read now: always where changes are not notified,
 * else as readplan.c says, or when the sweep comes by. */
static bool dfs_wanted(const struct dfs *d, size_t i, bool swept)
{
	const struct dfs_dev *v = &d->devs[i];
	struct readplan_dev p;

	p.notified = d->roots[v->root].notify && v->w_state &&
		     v->w_req <= d->applied;
	p.dirty = v->dirty || v->feat_pending || d->read_all;
	p.val = d->src->snap.dev[i].val;
	p.change_ns = v->change_ns;
	return swept || readplan_need(&p, d->now_ns) != READPLAN_SKIP;
}

/* Look at slot @i for this refresh, the sweep's slice @quota slots from
 * d->sweep: queue its read in d->batch when it wants one; with nothing
 * to do, it sleeps. */
static void dfs_consider(struct dfs *d, size_t i, size_t quota,
			 unsigned int *nb)
{
	struct dfs_dev *v = &d->devs[i];
	size_t n = d->src->snap.nslots;

	d->looked++;
	if (!dfs_prepare(d, i) ||
	    !dfs_wanted(d, i, (i + n - d->sweep) % n < quota)) {
		d->awake[i / 64] &= ~(1ull << (i % 64));
		return;
	}
	v->dirty = false;
	/* The job is written to only when it has more to do than its read
	 * (else its line stays in its worker's cache). */
	if (v->feat_pending)
		v->job->feat_path = v->feat_path;
	v->inflight = true;
	d->batch[(*nb)++] = v->job;
}

/*
 * Choose this refresh's reads; returns how many are in d->batch.  Where
 * every root notifies, only the awake slots and the sweep's slice are
 * looked at: an idle tree's refresh costs the slice, not the tree.
 */
static unsigned int dfs_plan(struct dfs *d)
{
	struct snapshot *sn = &d->src->snap;
	size_t n = sn->nslots, quota;
	unsigned int nb = 0;
	bool all = d->read_all || d->wake_all;

	quota = readplan_sweep(n, d->last_ns, d->now_ns);
	for (unsigned int r = 0; r < d->nroots; r++)
		all |= !d->roots[r].notify;	/* polled: every slot */
	if (all) {
		for (size_t i = 0; i < n; i++)
			dfs_consider(d, i, quota, &nb);
	} else {
		for (size_t k = 0; k < quota; k++)
			dfs_wake(d, (d->sweep + k) % n);
		for (size_t w = 0; w < (n + 63) / 64; w++) {
			uint64_t bits = d->awake[w];

			while (bits) {
				size_t i = w * 64 + (size_t)__builtin_ctzll(bits);

				bits &= bits - 1;
				if (i >= n)
					break;
				dfs_consider(d, i, quota, &nb);
			}
		}
	}
	if (quota && n) {	/* (a slice is never owed by no slots) */
		d->sweep = (d->sweep + quota) % n;
		d->last_ns = d->now_ns;
	}
	d->read_all = false;
	d->wake_all = false;
	return nb;
}

static void dfs_refresh_begin(struct source *s, uint64_t now_ns)
{
	struct dfs *d = s->priv;
	struct snapshot *sn = &s->snap;
	unsigned int nb;

	d->now_ns = now_ns;
	if (d->watching)
		watch_dispatch();	/* what came since the last wait */
	dfs_unmark(d);
	sn->urgent = false;
	sn->nsteps = 0;
	dfs_take_pending(d);
	for (unsigned int r = 0; r < d->nroots; r++) {
		d->rescan |= d->roots[r].lost;	/* come back as soon as it does */
		dfs_check_status(d, r);
		dfs_root_mode(d, r);
	}
	if (d->rescan || now_ns >= d->next_rescan_ns)
		dfs_rescan(d);
	nb = dfs_plan(d);
	/* Watches asked for above (a replaced state file's new inode) are in
	 * place before the reads open the files: a file replaced again after
	 * its watch reports it, one replaced before is read anew.  A device
	 * is trusted to notify only once its watch is in place. */
	if (d->watching && !watch_flush(clock_mono_ns() + DFS_FLUSH_NS))
		d->applied = d->nreq;
	d->submit_ns = clock_mono_ns();
	if (reader_submit(d->pool, d->batch, nb)) {
		/* Out of memory: nothing was queued; read next time. */
		for (unsigned int i = 0; i < nb; i++) {
			d->devs[d->batch[i]->tag].inflight = false;
			d->devs[d->batch[i]->tag].dirty = true;
		}
		nb = 0;
	}
	d->nread += nb;
}

/* Whether any root trusts change notification (else a state file's watch
 * only catches its replacement, and polling loses nothing). */
static bool dfs_notifies(const struct dfs *d)
{
	for (unsigned int r = 0; r < d->nroots; r++)
		if (d->roots[r].notify)
			return true;
	return false;
}

/* The source's message when @n state files could not be opened for want
 * of file descriptors (EMFILE, ENFILE). */
static void dfs_nofile_msg(struct snapshot *sn, unsigned int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		snprintf(sn->msg, sizeof(sn->msg),
			 "%u devices unread: too many open files", n);
	else
		snprintf(sn->msg, sizeof(sn->msg),
			 "%u devices unread: too many open files (limit %llu; "
			 "a device needs up to 2: raise ulimit -n)", n,
			 (unsigned long long)rl.rlim_cur);
}

static void dfs_refresh_end(struct source *s, uint64_t deadline_ns)
{
	struct dfs *d = s->priv;
	struct snapshot *sn = &s->snap;
	struct reader_batch b;
	struct reader_job **done;
	unsigned int lost = 0, nofile = 0;

	reader_wait(d->pool, deadline_ns);
	reader_collect(d->pool, &b);
	for (unsigned int i = 0; i < b.nsame; i++)
		dfs_take_again(d, &b.same[i], b.done_ns);
	d->nsame += b.nsame;
	done = b.done;
	for (unsigned int i = 0; i < b.ndone; i++) {
		size_t slot = done[i]->tag;

		d->devs[slot].inflight = false;
		dfs_wake(d, slot);	/* a read's news may want another */
		if (done[i]->n < 0 &&
		    (done[i]->err == EMFILE || done[i]->err == ENFILE))
			nofile++;
		if (d->devs[slot].dir && !d->devs[slot].doomed) {
			dfs_take(d, slot);
			d->ntaken++;
		} else {
			done[i]->phase = READER_IDLE;	/* its device went */
			done[i]->feat_path = NULL;	/* (its path is freed) */
		}
	}
	/* Reads still pending make their devices busy; only look for them
	 * when there are some. */
	if (reader_pending(d->pool)) {
		for (size_t i = 0; i < sn->nslots; i++) {
			struct dfs_dev *v = &d->devs[i];
			struct snap_dev *sd = &sn->dev[i];

			if (v->dir && v->inflight && !sd->busy_ns) {
				sd->busy_ns = d->submit_ns;
				dfs_mark(d, i);
			}
		}
	}
	for (unsigned int r = 0; r < d->nroots; r++)
		lost += d->roots[r].lost;
	sn->t_ns = clock_mono_ns();
	sn->ever = true;
	if (lost == d->nroots) {
		sn->link = SNAP_LINK_DOWN;
		snprintf(sn->msg, sizeof(sn->msg), "%s: directory vanished",
			 d->roots[0].path);
	} else if (!d->watching) {
		sn->link = SNAP_LINK_DEGRADED;
		snprintf(sn->msg, sizeof(sn->msg),
			 "inotify unavailable: rescanning every refresh");
		d->rescan = true;
	} else if (nofile) {
		/* Not the devices' fault: say what to change. */
		sn->link = SNAP_LINK_DEGRADED;
		dfs_nofile_msg(sn, nofile);
	} else if (d->nwfail && dfs_notifies(d)) {
		/* Right values, but read at every refresh: no longer
		 * notified, and no longer free. */
		sn->link = SNAP_LINK_DEGRADED;
		snprintf(sn->msg, sizeof(sn->msg),
			 "%u devices polled: no inotify watch left for them "
			 "(raise fs.inotify.max_user_watches)", d->nwfail);
	} else {
		sn->link = SNAP_LINK_OK;
		sn->msg[0] = 0;
	}
}

/* Release everything; jobs still in a read are left to their worker. */
static void dfs_close_priv(struct dfs *d)
{
	struct snapshot *sn = &d->src->snap;

	watch_forget_owner(d);
	for (size_t i = 0; i < sn->nslots; i++) {
		struct dfs_dev *v = &d->devs[i];
		enum reader_phase ph;

		if (!v->job)
			continue;
		ph = reader_phase(d->pool, v->job);
		if (ph == READER_QUEUED || ph == READER_RUNNING)
			continue;	/* its worker still uses it: leave it */
		if (v->job->fd >= 0)
			close(v->job->fd);
		if (v->arc_fd >= 0)
			close(v->arc_fd);
		free(v->am);
		free(v->arc_part);
		free(v->job->arc_buf);
		free(v->job->feat_buf);
		free(v->job);
		free(v->dir);
		free(v->state_path);
		free(v->feat_path);
		free(v->mig_path);
	}
	for (size_t i = 0; i < d->npend; i++)
		free(d->pend[i].name);
	free(d->pend);
	reader_pool_free(d->pool);
	strmap_free(&d->names);
	for (unsigned int r = 0; r < d->nroots; r++) {
		free(d->roots[r].path);
		if (d->roots[r].status_fd >= 0)
			close(d->roots[r].status_fd);
	}
	free(d->roots);
	if (getenv("VFIOMIGTOP_DEBUG_READS"))
		fprintf(stderr, "vfiomigtop: debugfs: %llu taken, %llu unchanged, %llu reads, %llu slots looked at\n",
			(unsigned long long)d->ntaken,
			(unsigned long long)d->nsame,
			(unsigned long long)d->nread,
			(unsigned long long)d->looked);
	free(d->devs);
	free(d->awake);
	free(d->batch);
	free(sn->dev);
	free(sn->changed);
	free(sn->steps);
	sn->steps = NULL;
	sn->dev = NULL;
	sn->changed = NULL;
	sn->nslots = sn->nchanged = 0;
	free(d);
}

static void dfs_close(struct source *s)
{
	if (s->priv)
		dfs_close_priv(s->priv);
	s->priv = NULL;
}

/* The watcher's descriptor: readable when inotify events wait. */
static int dfs_poll_fd(struct source *s)
{
	struct dfs *d = s->priv;

	return d->watching ? watch_fd() : -1;
}

/* Take the events waiting (dfs_event() records them; a change
 * notification makes the snapshot urgent). */
static void dfs_pump(struct source *s, uint64_t now_ns)
{
	(void)s;
	(void)now_ns;
	watch_dispatch();
}

/* VFIOMIGTOP_NOTIFY: "1" trusts change notification on any tree, "auto"
 * decides per tree (dfs_root_mode); unset or anything else reads every
 * file at every refresh, as before (the default until the verdicts are
 * proven on notified reads: see doc/performance.md). */
static int dfs_notify_mode(const char *env)
{
	if (env && !strcmp(env, "1"))
		return DFS_N_ALWAYS;
	if (env && !strcmp(env, "auto"))
		return DFS_N_AUTO;
	if (env && !strcmp(env, "0"))
		return DFS_N_NEVER;
	return DFS_N_MODULE;
}

/*
 * Open a tree.  @spec is one root path, or several separated by ':' in
 * priority order (as src_debugfs_default_roots() builds them).
 */
static int dfs_open(struct source *s, const char *spec, char *err, size_t len)
{
	struct dfs *d = calloc(1, sizeof(*d));
	char *copy, *save = NULL, *tok;

	if (!d || !(copy = strdup(spec))) {
		free(d);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	d->src = s;
	strmap_init(&d->names);
	for (tok = strtok_r(copy, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save)) {
		struct dfs_root *nr = realloc(d->roots, (d->nroots + 1) *
						      sizeof(*nr));
		if (!nr)
			break;
		d->roots = nr;
		/* All of it: arcs_on and fs_notifies are read before the first
		 * status look and rescan set them. */
		memset(&nr[d->nroots], 0, sizeof(nr[d->nroots]));
		nr[d->nroots].path = strdup(tok);
		nr[d->nroots].status_fd = -1;
		d->nroots++;
	}
	free(copy);
	d->pool = reader_pool_new(DFS_MAX_READERS, DFS_STUCK_NS);
	if (!d->nroots || !d->pool || dfs_grow(d)) {
		snprintf(err, len, "out of memory");
		s->priv = d;
		dfs_close_priv(d);
		s->priv = NULL;
		return -ENOMEM;
	}
	d->notify_mode = dfs_notify_mode(getenv("VFIOMIGTOP_NOTIFY"));
	d->wake_all = true;
	d->watching = watch_init(err, len) == 0;
	if (!d->watching)
		err[0] = 0;	/* not fatal: we fall back to rescanning */
	s->priv = d;
	d->rescan = true;
	return 0;
}

const struct source_ops src_debugfs_ops = {
	.kind = "debugfs",
	.open = dfs_open,
	.poll_fd = dfs_poll_fd,
	.pump = dfs_pump,
	.refresh_begin = dfs_refresh_begin,
	.refresh_end = dfs_refresh_end,
	.close = dfs_close,
};
