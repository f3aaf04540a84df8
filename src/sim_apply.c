// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_apply.c - apply one scenario step to a directory tree laid out like
 * the vfio debugfs tree.
 *
 * The monitor keeps state files open and watches the tree with inotify, so
 * nothing is ever written in place: a file is written under a `.sim-` name
 * in the same directory and renamed over the target, a device directory is
 * built complete under `.sim-tmp-N` and renamed to its name, and a device is
 * removed by renaming it to `.sim-dead-N` before deleting it.  A reader thus
 * sees either the old or the new content, never a partial one.  The arc log
 * (with sim_world.c) is the one file only ever appended to, as the module's
 * readers keep a cursor in it.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sim_priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deepest directory sim_remove_tree() descends into. */
#define RM_DEPTH_MAX 64
/* Bytes per write() when repeating raw content. */
#define CHUNK (64u * 1024u)

/* Suffix counter making `.sim-` names unique within the process. */
static atomic_uint sim_seq;

/* What one sim_apply() call works on. */
struct apply {
	struct sim_world *w;	/* what the replay knows; NULL: nothing */
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

/* Write the content to a fresh `.sim-new-` file in @dirfd, named in @tmp. */
static int prepare_file_at(int dirfd, char tmp[64], const char *s,
			   size_t len, size_t repeat)
{
	int fd, rc;

	do {
		tmp_name(tmp, 64, "new-");
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0644);
	} while (fd < 0 && errno == EEXIST);
	if (fd < 0)
		return -errno;
	rc = write_repeated(fd, s, len, repeat);
	if (close(fd) && !rc)
		rc = -errno;
	if (rc)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

/* Rename the prepared @tmp over @name; on failure @tmp is removed. */
static int commit_file_at(int dirfd, const char *tmp, const char *name)
{
	if (!renameat(dirfd, tmp, dirfd, name))
		return 0;
	unlinkat(dirfd, tmp, 0);
	return -errno;
}

/* Replace @name in @dirfd with the content, through a renamed temp file. */
static int replace_file_at(int dirfd, const char *name, const char *s,
			   size_t len, size_t repeat)
{
	char tmp[64];
	int rc = prepare_file_at(dirfd, tmp, s, len, repeat);

	return rc ? rc : commit_file_at(dirfd, tmp, name);
}

/* The state file's content for @s: its token and a newline. */
static size_t state_text(char buf[32], enum fsm_state s)
{
	return (size_t)snprintf(buf, 32, "%s\n", fsm_name(s));
}

static int write_state(int migfd, enum fsm_state s)
{
	char buf[32];
	size_t n = state_text(buf, s);

	return replace_file_at(migfd, "state", buf, n, 1);
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

/*
 * The state file readers watch, opened to notify them once it changed
 * (with arc logs; -1 otherwise).  The module notifies a logged step; the
 * simulator notifies every replacement besides, since a reader's watch
 * must move to the new file, where the module's file stays the same.
 */
static int watched_state(const struct apply *a, int migfd)
{
	if (!sim_world_arcs(a->w))
		return -1;
	return openat(migfd, "state", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
}

/* Notify (IN_MODIFY on @fd's file, content unchanged) and close @fd. */
static void notify(int fd)
{
	struct stat sb;

	if (fd < 0)
		return;
	if (!fstat(fd, &sb) && ftruncate(fd, sb.st_size))
		(void)0;	/* a notification lost: readers poll anyway */
	close(fd);
}

/* Give the migration directory @migfd a fresh device's content; with arc
 * logs, an arc log too (an existing one is kept: readers have a cursor). */
static int fill_migration(int migfd, const struct apply *a)
{
	int old = watched_state(a, migfd);
	int rc = write_state(migfd, FSM_RUNNING), fd;

	notify(old);
	if (!rc)
		rc = write_features(migfd, a->st);
	if (rc || !sim_world_arcs(a->w))
		return rc;
	fd = openat(migfd, "arcs", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	return close(fd) ? -errno : 0;
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
static int publish_dir(int dirfd, const char *name, const struct apply *a,
		       int (*fill)(int fd, const struct apply *a))
{
	char tmp[64];
	int fd, rc;

	fd = make_tmp_dir(dirfd, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	rc = fill ? fill(fd, a) : 0;
	close(fd);
	if (!rc)
		rc = rename_noreplace(dirfd, tmp, name);
	if (rc)
		rm_tree_at(dirfd, tmp, 0);
	return rc;
}

/* Fill a new device directory: migration/ with state and features. */
static int fill_device(int devfd, const struct apply *a)
{
	int fd, rc;

	if (mkdirat(devfd, "migration", 0755))
		return -errno;
	fd = openat(devfd, "migration", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fill_migration(fd, a);
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

/* A device with migration/ now: what the replay knows of it is reset to
 * a fresh `add`, its arc sequence continued when its log was kept. */
static int track_add(struct apply *a, int devfd, bool fresh)
{
	bool known = sim_world_find(a->w, a->st) != NULL;
	struct sim_wdev *d;
	uint64_t seq = 0;
	int rc = 0, fd;

	if (!a->w)
		return 0;
	if (!fresh && !known && sim_world_arcs(a->w)) {
		/* Added by an earlier replay into the same tree. */
		fd = open_dir_at(devfd, "migration");
		rc = fd < 0 ? -errno : sim_world_adopt_seq(fd, &seq);
		if (fd >= 0)
			close(fd);
		if (rc)
			return aerr(a, -rc, "cannot read migration/arcs");
	}
	if (fresh)
		sim_world_forget(a->w, a->st);
	d = sim_world_add(a->w, a->st);
	if (!d)
		return aerr(a, ENOMEM, "cannot track device");
	if (!known || fresh)
		d->seq = seq;
	return 0;
}

/* `add`/`add-nomig` on a device that exists: converge it, in place. */
static int converge(struct apply *a, int devfd)
{
	bool mig = a->st->action == SIM_ADD, fresh = false;
	int fd = open_dir_at(devfd, "migration");
	int rc;

	if (fd < 0 && errno != ENOENT)
		return aerr(a, errno, "cannot open migration/");
	if (fd >= 0) {
		rc = mig ? fill_migration(fd, a) : 0;
		close(fd);
		if (!rc && !mig)
			rc = bury(devfd, "migration");
	} else {
		rc = mig ? publish_dir(devfd, "migration", a, fill_migration) : 0;
		fresh = true;
	}
	if (rc)
		return aerr(a, -rc, "cannot update existing device");
	if (!mig) {
		sim_world_forget(a->w, a->st);
		return 0;
	}
	return track_add(a, devfd, fresh);
}

static int apply_add(struct apply *a, int sidefd)
{
	int fd, rc;

	sim_world_settle(a->w);
	fd = open_dir_at(sidefd, a->st->dev);
	if (fd >= 0) {
		rc = converge(a, fd);
		close(fd);
		return rc;
	}
	if (errno != ENOENT)
		return aerr(a, errno, "exists but is not a usable directory");
	rc = publish_dir(sidefd, a->st->dev, a,
			 a->st->action == SIM_ADD ? fill_device : NULL);
	if (rc)
		return aerr(a, -rc, "cannot create device");
	if (a->st->action != SIM_ADD) {
		sim_world_forget(a->w, a->st);
		return 0;
	}
	return track_add(a, -1, true);
}

static int apply_remove(struct apply *a, int sidefd)
{
	int rc;

	sim_world_settle(a->w);
	rc = bury(sidefd, a->st->dev);
	if (rc == -ENOENT)
		return aerr(a, 0, "cannot remove: no such device");
	if (rc)
		return aerr(a, -rc, "cannot remove device");
	sim_world_forget(a->w, a->st);
	return 0;
}

/* A change of the state file that takes no kernel step (or that the
 * replay cannot log): after every earlier arc, as the file's content. */
static int apply_unlogged(struct apply *a, int migfd, struct sim_wdev *d)
{
	const struct sim_step *st = a->st;
	enum fsm_state s = st->state;
	int rc, old;

	if ((st->action == SIM_FAIL && !st->with_error) || st->folded)
		return 0;	/* nothing to log; or done by the fail before */
	if (st->action == SIM_RESET)
		s = FSM_RUNNING;
	else if (st->action == SIM_ERROR || st->action == SIM_FAIL)
		s = FSM_ERROR;
	sim_world_settle(a->w);
	old = watched_state(a, migfd);
	if (st->action == SIM_RAW)
		rc = replace_file_at(migfd, "state", st->raw, st->raw_len,
				     st->repeat);
	else
		rc = write_state(migfd, s);
	notify(old);
	if (rc)
		return aerr(a, -rc, "cannot write migration/state");
	if (d)
		d->state = st->action == SIM_RAW ? -1 : (int)s;
	return 0;
}

/*
 * A request or a failed step on a device whose state is known, with arc
 * logs: log the kernel's steps, then replace the state (a request that the
 * kernel did not refuse: its end; a failed step with_error: ERROR), then
 * notify.
 */
static int apply_logged(struct apply *a, int migfd, struct sim_wdev *d)
{
	const struct sim_step *st = a->st;
	bool req = st->action == SIM_STATE, moves;
	struct sim_arc arcs[FSM_MAX_PATH + 1];
	enum fsm_state to = req ? st->state : FSM_ERROR;
	char tmp[64], buf[32];
	int n, rc = 0, old;

	n = sim_world_plan(d, st, arcs, FSM_MAX_PATH + 1);
	if (!n)		/* already there: the kernel takes no step */
		return st->with_error ? apply_unlogged(a, migfd, d) : 0;
	moves = req ? arcs[n - 1].next >= 0 : st->with_error;
	if (!req)
		sim_world_settle(a->w);
	if (moves)
		rc = prepare_file_at(migfd, tmp, buf, state_text(buf, to), 1);
	if (rc)
		return aerr(a, -rc, "cannot write migration/state");
	old = watched_state(a, migfd);
	rc = sim_world_append(a->w, d, migfd, arcs, n, req);
	if (rc) {
		if (moves)
			unlinkat(migfd, tmp, 0);
		if (old >= 0)
			close(old);
		return aerr(a, -rc, "cannot write migration/arcs");
	}
	if (moves)
		rc = commit_file_at(migfd, tmp, "state");
	if (!rc && moves) {
		d->state = (int)to;
		if (req)
			sim_world_placed(a->w);
	}
	notify(old);
	return rc ? aerr(a, -rc, "cannot write migration/state") : 0;
}

/* State, reset, fail, error and raw steps on migration/. */
static int apply_state(struct apply *a, int sidefd)
{
	const struct sim_step *st = a->st;
	struct sim_wdev *d = sim_world_find(a->w, st);
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
	if (sim_world_arcs(a->w) && d && d->state >= 0 &&
	    (st->action == SIM_STATE || st->action == SIM_FAIL))
		rc = apply_logged(a, migfd, d);
	else
		rc = apply_unlogged(a, migfd, d);
	close(migfd);
	return rc;
}

/* The module's status file, ROOT/SIDE/vfiomig, once per side with arc
 * logs: the log is active and has missed nothing. */
static int write_status(struct apply *a, int sidefd)
{
	static const char text[] = "arcs 1\narcs_missed 0\narcs_ring 256\n";
	int rc;

	if (!sim_world_arcs(a->w) || !sim_world_status_due(a->w, a->st->side))
		return 0;
	rc = replace_file_at(sidefd, "vfiomig", text, sizeof(text) - 1, 1);
	return rc ? aerr(a, -rc, "cannot write the status file vfiomig") : 0;
}

/*
 * Open ROOT and create ROOT/src and ROOT/dst if missing.  Returns an fd on
 * ROOT/@side, 0 for SIM_NOSIDE, or -1 with a message.
 */
int sim_open_sides(const char *root, enum sim_side side, char *err,
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

int sim_apply(struct sim_world *w, const char *root,
	      const struct sim_step *st, char *err, size_t errlen)
{
	struct apply a = {
		.w = w, .root = root, .st = st, .err = err, .errlen = errlen,
	};
	int sidefd, rc;

	if (st->action == SIM_LOOP)
		return 0;
	if (st->side != SIM_SRC && st->side != SIM_DST) {
		snprintf(err, errlen, "step from line %u has no side", st->line);
		return -1;
	}
	sidefd = sim_open_sides(root, st->side, err, errlen);
	if (sidefd < 0)
		return -1;
	if (write_status(&a, sidefd)) {
		close(sidefd);
		return -1;
	}
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

