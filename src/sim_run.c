// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_run.c - apply scenario steps to a directory tree, and replay them in
 * real time from a thread.
 *
 * The monitor keeps state files open and watches the tree with inotify, so
 * nothing is ever written in place: a file is written under a `.sim-` name
 * in the same directory and renamed over the target, a device directory is
 * built complete under `.sim-tmp-N` and renamed to its name, and a device is
 * removed by renaming it to `.sim-dead-N` before deleting it.  A reader thus
 * sees either the old or the new content, never a partial one.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Deepest directory sim_remove_tree() descends into. */
#define RM_DEPTH_MAX 64
/* Bytes per write() when repeating raw content. */
#define CHUNK (64u * 1024u)
/* Fastest replay speed accepted. */
#define SPEED_MAX 1e6

/* Suffix counter making `.sim-` names unique within the process. */
static atomic_uint sim_seq;

/* What one sim_apply() call works on. */
struct apply {
	const char *root;	/* tree root as given */
	const struct sim_step *st; /* step being applied */
	char *err;		/* message buffer */
	size_t errlen;		/* bytes in err */
};

static const char *side_name(enum sim_side s)
{
	return s == SIM_SRC ? "src" : "dst";
}

/* Record "ROOT/SIDE/DEV: what: strerror(errnum)"; returns -1. */
static int aerr(struct apply *a, int errnum, const char *what)
{
	char *name = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&name, &len);

	if (f) {
		sim_fprint_field(f, a->st->dev, a->st->dev_len);
		fclose(f);
	}
	snprintf(a->err, a->errlen, "%s/%s/%s: %s%s%s", a->root,
		 side_name(a->st->side), name ? name : "?", what,
		 errnum ? ": " : "", errnum ? strerror(errnum) : "");
	free(name);
	return -1;
}

static void tmp_name(char *buf, size_t len, const char *kind)
{
	snprintf(buf, len, ".sim-%s%ld-%u", kind, (long)getpid(),
		 atomic_fetch_add(&sim_seq, 1));
}

static int rm_tree_at(int dirfd, const char *name, int depth);

/* Delete every entry of the open directory @fd (consumed). */
static int rm_entries(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int rc = 0, r;

	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = rm_tree_at(dirfd(d), e->d_name, depth + 1);
		if (r && !rc)
			rc = r;
	}
	if (errno && !rc)
		rc = -errno;
	closedir(d);
	return rc;
}

/* Remove @name under @dirfd, recursively, never following a symlink. */
static int rm_tree_at(int dirfd, const char *name, int depth)
{
	int fd, rc;

	if (!unlinkat(dirfd, name, 0) || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth >= RM_DEPTH_MAX)
		return -ELOOP;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = rm_entries(fd, depth);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) && errno != ENOENT && !rc)
		rc = -errno;
	return rc;
}

int sim_remove_tree(const char *root)
{
	return rm_tree_at(AT_FDCWD, root, 0);
}

int sim_make_tmproot(char *buf, size_t len)
{
	const char *dir = secure_getenv("TMPDIR");
	int n;

	if (!dir || !*dir)
		dir = "/tmp";
	n = snprintf(buf, len, "%s/vfiomigtop-demo-XXXXXX", dir);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return mkdtemp(buf) ? 0 : -errno;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write @len bytes of @s @repeat times, in chunks of about CHUNK bytes. */
static int write_repeated(int fd, const char *s, size_t len, size_t repeat)
{
	size_t per, left = repeat;
	char *buf;
	int rc = 0;

	if (!len || !repeat)
		return 0;
	if (repeat == 1)
		return write_all(fd, s, len);
	per = len < CHUNK ? CHUNK / len : 1;
	buf = malloc(per * len);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < per; i++)
		memcpy(buf + i * len, s, len);
	while (left && !rc) {
		size_t k = left < per ? left : per;

		rc = write_all(fd, buf, k * len);
		left -= k;
	}
	free(buf);
	return rc;
}

/* Replace @name in @dirfd with the content, through a renamed temp file. */
static int replace_file_at(int dirfd, const char *name, const char *s,
			   size_t len, size_t repeat)
{
	char tmp[64];
	int fd, rc;

	do {
		tmp_name(tmp, sizeof(tmp), "new-");
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0644);
	} while (fd < 0 && errno == EEXIST);
	if (fd < 0)
		return -errno;
	rc = write_repeated(fd, s, len, repeat);
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && renameat(dirfd, tmp, dirfd, name))
		rc = -errno;
	if (rc)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

static int write_state(int migfd, enum fsm_state s)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%s\n", fsm_name(s));

	return replace_file_at(migfd, "state", buf, (size_t)n, 1);
}

/* The features file as the kernel prints it: one token per line. */
static int write_features(int migfd, const struct sim_step *st)
{
	static const char *const tok[] = {
		"stop-copy\n", "p2p\n", "pre-copy\n", "dirty-tracking\n",
	};
	static const unsigned int bit[] = {
		FSM_F_STOP_COPY, FSM_F_P2P, FSM_F_PRE_COPY, SIM_F_DIRTY_TRACKING,
	};
	char buf[64] = "";

	if (!st->has_features) {
		if (unlinkat(migfd, "features", 0) && errno != ENOENT)
			return -errno;
		return 0;
	}
	for (size_t i = 0; i < sizeof(tok) / sizeof(*tok); i++)
		if (st->features & bit[i])
			strcat(buf, tok[i]);
	return replace_file_at(migfd, "features", buf, strlen(buf), 1);
}

/* Give the migration directory @migfd a fresh device's content. */
static int fill_migration(int migfd, const struct sim_step *st)
{
	int rc = write_state(migfd, FSM_RUNNING);

	return rc ? rc : write_features(migfd, st);
}

/* mkdir a fresh `.sim-tmp-N` in @dirfd; its name in @tmp, an fd returned. */
static int make_tmp_dir(int dirfd, char *tmp, size_t len)
{
	int fd;

	for (;;) {
		tmp_name(tmp, len, "tmp-");
		if (!mkdirat(dirfd, tmp, 0755))
			break;
		if (errno != EEXIST)
			return -errno;
	}
	fd = openat(dirfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Rename @from to @to in @dirfd unless @to exists. */
static int rename_noreplace(int dirfd, const char *from, const char *to)
{
	if (!renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* File systems without RENAME_NOREPLACE: check, then rename. */
	if (!faccessat(dirfd, to, F_OK, AT_SYMLINK_NOFOLLOW))
		return -EEXIST;
	return renameat(dirfd, from, dirfd, to) ? -errno : 0;
}

/* Build in @dirfd a temp dir with @fill's content and rename it to @name. */
static int publish_dir(int dirfd, const char *name, const struct sim_step *st,
		       int (*fill)(int fd, const struct sim_step *st))
{
	char tmp[64];
	int fd, rc;

	fd = make_tmp_dir(dirfd, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	rc = fill ? fill(fd, st) : 0;
	close(fd);
	if (!rc)
		rc = rename_noreplace(dirfd, tmp, name);
	if (rc)
		rm_tree_at(dirfd, tmp, 0);
	return rc;
}

/* Fill a new device directory: migration/ with state and features. */
static int fill_device(int devfd, const struct sim_step *st)
{
	int fd, rc;

	if (mkdirat(devfd, "migration", 0755))
		return -errno;
	fd = openat(devfd, "migration", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fill_migration(fd, st);
	close(fd);
	return rc;
}

/* Move @name in @dirfd out of sight, then delete it. */
static int bury(int dirfd, const char *name)
{
	char dead[64];
	int rc;

	do {
		tmp_name(dead, sizeof(dead), "dead-");
		rc = rename_noreplace(dirfd, name, dead);
	} while (rc == -EEXIST || rc == -ENOTEMPTY);
	return rc ? rc : rm_tree_at(dirfd, dead, 0);
}

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		      O_CLOEXEC);
}

/* `add`/`add-nomig` on a device that exists: converge it, in place. */
static int converge(struct apply *a, int devfd)
{
	bool mig = a->st->action == SIM_ADD;
	int fd = open_dir_at(devfd, "migration");
	int rc;

	if (fd < 0 && errno != ENOENT)
		return aerr(a, errno, "cannot open migration/");
	if (fd >= 0) {
		rc = mig ? fill_migration(fd, a->st) : 0;
		close(fd);
		if (!rc && !mig)
			rc = bury(devfd, "migration");
	} else {
		rc = mig ? publish_dir(devfd, "migration", a->st,
				       fill_migration) : 0;
	}
	return rc ? aerr(a, -rc, "cannot update existing device") : 0;
}

static int apply_add(struct apply *a, int sidefd)
{
	int fd = open_dir_at(sidefd, a->st->dev);
	int rc;

	if (fd >= 0) {
		rc = converge(a, fd);
		close(fd);
		return rc;
	}
	if (errno != ENOENT)
		return aerr(a, errno, "exists but is not a usable directory");
	rc = publish_dir(sidefd, a->st->dev, a->st,
			 a->st->action == SIM_ADD ? fill_device : NULL);
	return rc ? aerr(a, -rc, "cannot create device") : 0;
}

static int apply_remove(struct apply *a, int sidefd)
{
	int rc = bury(sidefd, a->st->dev);

	if (rc == -ENOENT)
		return aerr(a, 0, "cannot remove: no such device");
	return rc ? aerr(a, -rc, "cannot remove device") : 0;
}

/* State and raw steps: replace migration/state. */
static int apply_state(struct apply *a, int sidefd)
{
	const struct sim_step *st = a->st;
	int devfd, migfd, rc;

	devfd = open_dir_at(sidefd, st->dev);
	if (devfd < 0)
		return aerr(a, errno == ENOENT ? 0 : errno,
			    errno == ENOENT ? "no such device (not added, or removed)" :
			    "cannot open device");
	migfd = open_dir_at(devfd, "migration");
	rc = errno;
	close(devfd);
	if (migfd < 0)
		return aerr(a, rc == ENOENT ? 0 : rc,
			    rc == ENOENT ? "device has no migration/ directory" :
			    "cannot open migration/");
	if (st->action == SIM_STATE)
		rc = write_state(migfd, st->state);
	else
		rc = replace_file_at(migfd, "state", st->raw, st->raw_len,
				     st->repeat);
	close(migfd);
	return rc ? aerr(a, -rc, "cannot write migration/state") : 0;
}

/*
 * Open ROOT and create ROOT/src and ROOT/dst if missing.  Returns an fd on
 * ROOT/@side, 0 for SIM_NOSIDE, or -1 with a message.
 */
static int open_sides(const char *root, enum sim_side side, char *err,
		      size_t errlen)
{
	int rfd, fd = 0;

	rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	for (int s = SIM_SRC; s <= SIM_DST; s++) {
		if (mkdirat(rfd, side_name(s), 0755) && errno != EEXIST) {
			snprintf(err, errlen, "%s/%s: %s", root, side_name(s),
				 strerror(errno));
			fd = -1;
			break;
		}
	}
	if (!fd && side != SIM_NOSIDE) {
		fd = open_dir_at(rfd, side_name(side));
		if (fd < 0)
			snprintf(err, errlen, "%s/%s: %s", root,
				 side_name(side), strerror(errno));
	}
	close(rfd);
	return fd;
}

int sim_apply(const char *root, const struct sim_step *st, char *err,
	      size_t errlen)
{
	struct apply a = { .root = root, .st = st, .err = err, .errlen = errlen };
	int sidefd, rc;

	if (st->action == SIM_LOOP)
		return 0;
	if (st->side != SIM_SRC && st->side != SIM_DST) {
		snprintf(err, errlen, "step from line %u has no side", st->line);
		return -1;
	}
	sidefd = open_sides(root, st->side, err, errlen);
	if (sidefd < 0)
		return -1;
	switch (st->action) {
	case SIM_ADD:
	case SIM_ADD_NOMIG:
		rc = apply_add(&a, sidefd);
		break;
	case SIM_REMOVE:
		rc = apply_remove(&a, sidefd);
		break;
	default:
		rc = apply_state(&a, sidefd);
		break;
	}
	close(sidefd);
	return rc;
}

struct sim_runner {
	pthread_t thread;	/* replay thread */
	pthread_mutex_t lock;	/* guards stop */
	pthread_cond_t cond;	/* signalled by sim_stop(); CLOCK_MONOTONIC */
	bool stop;		/* sim_stop() was called; under lock */
	atomic_bool finished;	/* replay ended; err final once set (release) */
	int done_fd;		/* eventfd written once when finished */
	struct sim_scenario sc;	/* private copy of the scenario */
	char *root;		/* tree root, heap copy */
	bool loop;		/* restart after period_ns */
	double speed;		/* scenario seconds per monotonic second */
	int64_t period_ns;	/* scenario length when looping, scenario ns */
	bool failed;		/* a step failed; err tells why */
	char err[512];		/* message of the failed step */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Scenario ns to monotonic ns at the runner's speed (capped: centuries). */
static int64_t scale(const struct sim_runner *r, int64_t ns)
{
	double v = (double)ns / r->speed;

	return v < 4e18 ? (int64_t)v : INT64_C(4000000000000000000);
}

/* Sleep until @deadline (CLOCK_MONOTONIC ns); true if asked to stop. */
static bool wait_until(struct sim_runner *r, int64_t deadline)
{
	struct timespec ts = {
		.tv_sec = deadline / 1000000000,
		.tv_nsec = deadline % 1000000000,
	};
	bool stop;

	pthread_mutex_lock(&r->lock);
	while (!r->stop && now_ns() < deadline)
		pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

/* Apply one pass of the scenario from @base; false to end the replay. */
static bool run_pass(struct sim_runner *r, int64_t base)
{
	for (size_t i = 0; i < r->sc.n; i++) {
		const struct sim_step *st = &r->sc.steps[i];

		if (st->action == SIM_LOOP)
			break;
		if (wait_until(r, base + scale(r, st->time_ns)))
			return false;
		if (sim_apply(r->root, st, r->err, sizeof(r->err))) {
			r->failed = true;
			return false;
		}
	}
	return r->loop;
}

static void *run(void *arg)
{
	struct sim_runner *r = arg;
	int64_t base = now_ns();

	while (run_pass(r, base)) {
		base += scale(r, r->period_ns);
		if (wait_until(r, base))
			break;
	}
	atomic_store_explicit(&r->finished, true, memory_order_release);
	eventfd_write(r->done_fd, 1);
	return NULL;
}

static int copy_step(struct sim_step *d, const struct sim_step *s)
{
	*d = *s;
	d->dev = NULL;
	d->raw = NULL;
	if (s->dev && !(d->dev = strdup(s->dev)))
		return -1;
	if (s->raw) {
		d->raw = malloc(s->raw_len + 1);
		if (!d->raw) {
			free(d->dev);
			d->dev = NULL;
			return -1;
		}
		memcpy(d->raw, s->raw, s->raw_len + 1);
	}
	return 0;
}

static int copy_scenario(struct sim_scenario *d, const struct sim_scenario *s)
{
	d->loop = s->loop;
	d->n = 0;
	d->steps = calloc(s->n ? s->n : 1, sizeof(*d->steps));
	if (!d->steps)
		return -1;
	for (; d->n < s->n; d->n++)
		if (copy_step(&d->steps[d->n], &s->steps[d->n]))
			return -1;
	return 0;
}

/* Check the arguments of sim_start(); 0 or -1 with a message. */
static int check_start(const struct sim_scenario *sc, bool loop, double speed,
		       char *err, size_t errlen)
{
	if (!isfinite(speed) || speed <= 0 || speed > SPEED_MAX) {
		snprintf(err, errlen, "bad speed %g (expected more than 0, at most %g)",
			 speed, SPEED_MAX);
		return -1;
	}
	if (loop && (!sc->n || !sc->steps[sc->n - 1].time_ns)) {
		snprintf(err, errlen, "cannot loop a scenario of zero length");
		return -1;
	}
	return 0;
}

static void free_runner(struct sim_runner *r)
{
	if (r->done_fd >= 0)
		close(r->done_fd);
	sim_free(&r->sc);
	free(r->root);
	free(r);
}

/* Create the thread with every signal blocked in it. */
static int spawn(struct sim_runner *r)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, run, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int init_sync(struct sim_runner *r)
{
	pthread_condattr_t ca;
	int rc;

	if (pthread_condattr_init(&ca))
		return -1;
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
	     pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		return -1;
	if (pthread_mutex_init(&r->lock, NULL)) {
		pthread_cond_destroy(&r->cond);
		return -1;
	}
	return 0;
}

int sim_start(struct sim_runner **out, const struct sim_scenario *sc,
	      const char *root, bool loop, double speed,
	      char *err, size_t errlen)
{
	struct sim_runner *r;
	int rc = ENOMEM;

	*out = NULL;
	if (check_start(sc, loop, speed, err, errlen))
		return -1;
	if (open_sides(root, SIM_NOSIDE, err, errlen) < 0)
		return -1;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	r->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->loop = loop;
	r->speed = speed;
	r->root = strdup(root);
	if (r->done_fd < 0)
		rc = errno;
	if (copy_scenario(&r->sc, sc) || !r->root || r->done_fd < 0 ||
	    init_sync(r))
		goto fail;
	r->period_ns = r->sc.n ? r->sc.steps[r->sc.n - 1].time_ns : 0;
	rc = spawn(r);
	if (rc) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		goto fail;
	}
	*out = r;
	return 0;
fail:
	if (r)
		free_runner(r);
	snprintf(err, errlen, "cannot start the simulator: %s", strerror(rc));
	return -1;
}

void sim_stop(struct sim_runner *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free_runner(r);
}

bool sim_finished(const struct sim_runner *r)
{
	return atomic_load_explicit(&r->finished, memory_order_acquire);
}

int sim_done_fd(const struct sim_runner *r)
{
	return r->done_fd;
}

int sim_error(const struct sim_runner *r, char *err, size_t errlen)
{
	if (!sim_finished(r) || !r->failed)
		return 0;
	snprintf(err, errlen, "%s", r->err);
	return -1;
}
