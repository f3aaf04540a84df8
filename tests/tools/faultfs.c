// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * faultfs.c - a read-only FUSE mirror of a directory that fails on demand.
 *
 * The integration tests point vfiomigtop at a mount of this file system
 * instead of debugfs.  Every file F of the backing tree can have a sibling
 * "F.fault" (hidden through the mount) whose first line names a fault:
 * errors from open or read, reads that block or sleep, short reads, binary
 * garbage.  The sidecar is read again on every operation, and every read is
 * served from the backing file by path, so a test changes both the fault
 * and the content while the mount is live.  See faultfs.md.
 *
 * Build: gcc -o faultfs faultfs.c $(pkg-config --cflags --libs fuse3) -lpthread
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 312	/* fuse_loop_mt() with a thread cap */

#include <fuse.h>
#include <fuse_lowlevel.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define FFS_SUFFIX ".fault"
#define FFS_SUFFIX_LEN (sizeof(FFS_SUFFIX) - 1)
#define FFS_SIDECAR_MAX 256		/* bytes of a sidecar we look at */
#define FFS_TICK_NS 10000000L		/* 10 ms between polls */
#define FFS_BUCKETS 1024		/* hash buckets of read counts */
#define FFS_MAX_THREADS "256"		/* room for many blocked readers */

/* What a sidecar asks for. */
enum ffs_kind {
	FFS_NORMAL,
	FFS_EINVAL,
	FFS_EIO,
	FFS_ENODEV,
	FFS_EACCES,
	FFS_ENOENT,
	FFS_OPEN_ENOENT,
	FFS_EAGAIN,
	FFS_BLOCK,
	FFS_DELAY,
	FFS_SHORT,
	FFS_GARBAGE,
};

/* One parsed sidecar. */
struct ffs_directive {
	enum ffs_kind kind;		/* the fault, FFS_NORMAL for none */
	unsigned long long arg;		/* MS of delay, N of short/garbage/open-enoent */
	bool empty;			/* sidecar exists but says nothing */
};

/* One directive as spelled in a sidecar. */
struct ffs_word {
	const char *name;		/* first word of the line */
	enum ffs_kind kind;		/* what it asks for */
	bool takes_arg;			/* needs a decimal number after it */
};

/* Read calls seen for one path, chained in a bucket. */
struct ffs_count {
	struct ffs_count *next;		/* next entry of the same bucket */
	unsigned long long reads;	/* read calls so far */
	unsigned long long opens;	/* open calls so far */
	char path[];			/* path below the mount, from "/" */
};

/* State of the one file system this process serves. */
struct ffs_state {
	int backing;			/* directory fd of BACKING */
	pthread_mutex_t lock;		/* guards counts and last_warning */
	struct ffs_count *counts[FFS_BUCKETS]; /* read counts by path hash */
	char *last_warning;		/* "path\nline" of the last warning */
	pthread_t stats_thread;		/* waits for SIGUSR1 */
	bool stats_running;		/* stats_thread was started */
	atomic_bool stopping;		/* asks stats_thread to return */
};

/* What main() takes from the command line for itself. */
struct ffs_cmdline {
	const char *backing;		/* first non-option argument */
	int nonopts;			/* non-option arguments seen */
	bool help;			/* -h or --help was given */
	bool version;			/* -V or --version was given */
};

enum { FFS_KEY_HELP, FFS_KEY_VERSION };

static const struct ffs_word ffs_words[] = {
	{ "einval", FFS_EINVAL, false },
	{ "eio", FFS_EIO, false },
	{ "enodev", FFS_ENODEV, false },
	{ "eacces", FFS_EACCES, false },
	{ "enoent", FFS_ENOENT, false },
	{ "open-enoent", FFS_OPEN_ENOENT, true },
	{ "eagain", FFS_EAGAIN, false },
	{ "block", FFS_BLOCK, false },
	{ "delay", FFS_DELAY, true },
	{ "short", FFS_SHORT, true },
	{ "garbage", FFS_GARBAGE, true },
};

static struct ffs_state ffs_g = {
	.backing = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* Path relative to the backing directory, for the *at() calls. */
static const char *ffs_rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* Is the last component of @path a sidecar name ("*.fault")? */
static bool ffs_is_sidecar(const char *path)
{
	const char *name = strrchr(path, '/');
	size_t len;

	name = name ? name + 1 : path;
	len = strlen(name);
	return len >= FFS_SUFFIX_LEN &&
	       !strcmp(name + len - FFS_SUFFIX_LEN, FFS_SUFFIX);
}

/* Write @s with control bytes, backslashes and maybe spaces as \ooo. */
static void ffs_put_escaped(FILE *f, const char *s, bool space)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < ' ' || c == 0x7f || c == '\\' || (space && c == ' '))
			fprintf(f, "\\%03o", c);
		else
			putc(c, f);
	}
}

/* Send a finished message to stderr in one stdio call. */
static void ffs_emit(char *text, size_t len)
{
	if (text)
		fwrite(text, 1, len, stderr);
	free(text);
}

/* Log once that @path has a sidecar saying @line, which we ignore. */
static void ffs_warn_unknown(const char *path, const char *line)
{
	char *key, *text = NULL;
	size_t len = 0;
	FILE *f;

	if (asprintf(&key, "%s\n%s", path, line) < 0)
		return;
	pthread_mutex_lock(&ffs_g.lock);
	if (ffs_g.last_warning && !strcmp(ffs_g.last_warning, key)) {
		pthread_mutex_unlock(&ffs_g.lock);
		free(key);
		return;
	}
	free(ffs_g.last_warning);
	ffs_g.last_warning = key;
	pthread_mutex_unlock(&ffs_g.lock);

	f = open_memstream(&text, &len);
	if (!f)
		return;
	fputs("faultfs: ", f);
	ffs_put_escaped(f, path, true);
	fputs(FFS_SUFFIX ": unknown directive \"", f);
	ffs_put_escaped(f, line, false);
	fputs("\", ignored\n", f);
	if (fclose(f) == 0)
		ffs_emit(text, len);
	else
		free(text);
}

/* Parse a plain decimal number that makes up all of @s. */
static bool ffs_parse_num(const char *s, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Cut @text to its first line with surrounding blanks removed. */
static char *ffs_first_line(char *text)
{
	char *end;

	text[strcspn(text, "\n")] = '\0';
	text += strspn(text, " \t\r\v\f");
	end = text + strlen(text);
	while (end > text && strchr(" \t\r\v\f", end[-1]))
		end--;
	*end = '\0';
	return text;
}

/* Turn the sidecar text of @path into @d; unknown text leaves it normal. */
static void ffs_parse(const char *path, char *text, struct ffs_directive *d)
{
	char *line = ffs_first_line(text);
	size_t wlen = strcspn(line, " \t");
	const char *rest = line + wlen + strspn(line + wlen, " \t");
	size_t i;

	if (!*line) {
		d->empty = true;
		return;
	}
	for (i = 0; i < sizeof(ffs_words) / sizeof(ffs_words[0]); i++) {
		const struct ffs_word *w = &ffs_words[i];

		if (strlen(w->name) != wlen || memcmp(w->name, line, wlen))
			continue;
		if (w->takes_arg ? !ffs_parse_num(rest, &d->arg) : *rest != '\0')
			break;
		d->kind = w->kind;
		return;
	}
	ffs_warn_unknown(path, line);
}

/* Read the sidecar of @path into @text; -1 when there is none. */
static ssize_t ffs_sidecar_read(const char *path, char *text, size_t cap)
{
	char *name;
	ssize_t n;
	int fd;

	if (asprintf(&name, "%s" FFS_SUFFIX, ffs_rel(path)) < 0)
		return -1;
	fd = openat(ffs_g.backing, name,
		    O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	free(name);
	if (fd < 0)
		return -1;
	do
		n = pread(fd, text, cap - 1, 0);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	text[n] = '\0';
	return n;
}

/* The directive in force for @path right now. */
static void ffs_directive_get(const char *path, struct ffs_directive *d)
{
	char text[FFS_SIDECAR_MAX];

	*d = (struct ffs_directive){ .kind = FFS_NORMAL };
	if (!strcmp(ffs_rel(path), "."))
		return;
	if (ffs_sidecar_read(path, text, sizeof(text)) < 0)
		return;
	ffs_parse(path, text, d);
}

/* FNV-1a of a path, to pick its bucket. */
static uint64_t ffs_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* Count one read (or open, @open) call on @path; returns the count of
 * its kind so far, this one included (0 out of memory). */
static unsigned long long ffs_count(const char *path, bool open)
{
	unsigned long long n = 0;
	struct ffs_count **head = &ffs_g.counts[ffs_hash(path) % FFS_BUCKETS];
	struct ffs_count *c;
	size_t len;

	pthread_mutex_lock(&ffs_g.lock);
	for (c = *head; c; c = c->next)
		if (!strcmp(c->path, path))
			break;
	if (!c) {
		len = strlen(path) + 1;
		c = malloc(sizeof(*c) + len);
		if (c) {
			memcpy(c->path, path, len);
			c->reads = c->opens = 0;
			c->next = *head;
			*head = c;
		}
	}
	if (c)
		n = open ? ++c->opens : ++c->reads;
	pthread_mutex_unlock(&ffs_g.lock);
	return n;
}

/* qsort() order of count entries: by path, bytewise. */
static int ffs_count_cmp(const void *a, const void *b)
{
	const struct ffs_count *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

/* Write all entries, sorted, as "path count" lines to @f; lock held. */
static void ffs_counts_put(FILE *f)
{
	struct ffs_count **all = NULL, **grown, *c;
	size_t n = 0, cap = 0, i;

	for (i = 0; i < FFS_BUCKETS; i++) {
		for (c = ffs_g.counts[i]; c; c = c->next) {
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				grown = realloc(all, cap * sizeof(*all));
				if (!grown)
					goto out;
				all = grown;
			}
			all[n++] = c;
		}
	}
	if (n)
		qsort(all, n, sizeof(*all), ffs_count_cmp);
	for (i = 0; i < n; i++) {
		ffs_put_escaped(f, all[i]->path, true);
		fprintf(f, " %llu\n", all[i]->reads);
	}
out:
	free(all);
}

/* Dump the read counts to stderr, all lines in one write. */
static void ffs_counts_dump(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	pthread_mutex_lock(&ffs_g.lock);
	ffs_counts_put(f);
	pthread_mutex_unlock(&ffs_g.lock);
	if (fclose(f) == 0)
		ffs_emit(text, len);
	else
		free(text);
}

/* Free the read counts at exit. */
static void ffs_counts_free(void)
{
	struct ffs_count *c, *next;
	size_t i;

	for (i = 0; i < FFS_BUCKETS; i++) {
		for (c = ffs_g.counts[i]; c; c = next) {
			next = c->next;
			free(c);
		}
		ffs_g.counts[i] = NULL;
	}
}

/* Thread that dumps the counts on each SIGUSR1 (blocked everywhere). */
static void *ffs_stats_main(void *unused)
{
	sigset_t set;
	int sig;

	(void)unused;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	while (!atomic_load(&ffs_g.stopping)) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (!atomic_load(&ffs_g.stopping))
			ffs_counts_dump();
	}
	return NULL;
}

/* Has thread @tid a fatal signal pending (SIGKILL marks a dying task)? */
static bool ffs_reader_dying(pid_t tid)
{
	unsigned long long mask;
	char name[64], line[256];
	bool dying = false;
	FILE *f;

	if (tid <= 0)
		return true;
	snprintf(name, sizeof(name), "/proc/%d/status", (int)tid);
	f = fopen(name, "re");
	if (!f)
		return true;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SigPnd: %llx", &mask) != 1 &&
		    sscanf(line, "ShdPnd: %llx", &mask) != 1)
			continue;
		if (mask & (1ull << (SIGKILL - 1)))
			dying = true;
	}
	fclose(f);
	return dying;
}

/*
 * Sleep up to @ns inside a request: 0 to go on waiting, -EIO once the file
 * system shuts down, -EINTR once the reader is being killed.  Other signals
 * to the reader are sat out, like a driver in mutex_lock_killable().
 */
static int ffs_tick(long ns)
{
	struct fuse_context *ctx = fuse_get_context();
	struct timespec ts = { 0, ns };

	if (fuse_session_exited(fuse_get_session(ctx->fuse)))
		return -EIO;
	if (fuse_interrupted() && ffs_reader_dying(ctx->pid))
		return -EINTR;
	nanosleep(&ts, NULL);
	return 0;
}

/* Milliseconds of CLOCK_MONOTONIC. */
static unsigned long long ffs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The "delay MS" sleep, in ticks so that it can be cut short. */
static int ffs_sleep_ms(unsigned long long ms)
{
	unsigned long long start = ffs_now_ms(), done;
	int err;

	while ((done = ffs_now_ms() - start) < ms) {
		err = ffs_tick(ms - done < 10 ? (long)(ms - done) * 1000000L
					      : FFS_TICK_NS);
		if (err)
			return err;
	}
	return 0;
}

/* The directive for a read of @path, once it no longer says "block". */
static int ffs_directive_wait(const char *path, struct ffs_directive *d)
{
	int err;

	ffs_directive_get(path, d);
	while (d->kind == FFS_BLOCK) {
		err = ffs_tick(FFS_TICK_NS);
		if (err)
			return err;
		ffs_directive_get(path, d);
		if (!d->empty)
			continue;
		/* Maybe caught between truncate and write: look once more. */
		err = ffs_tick(FFS_TICK_NS);
		if (err)
			return err;
		ffs_directive_get(path, d);
	}
	return 0;
}

/* Byte @i of the "garbage" content: a fixed nasty head, then splitmix64. */
static unsigned char ffs_garbage_byte(unsigned long long i)
{
	static const unsigned char head[] = {
		0x00, 0x1b, '\n', 0x7f, 0xff, '\r', 0x01, 0x80,
	};
	uint64_t z;

	if (i < sizeof(head))
		return head[i];
	z = i * 0x9e3779b97f4a7c15ull + 0x6a09e667f3bcc909ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (unsigned char)(z ^ (z >> 31));
}

/* Read from the @total bytes of garbage as if they were the file. */
static int ffs_garbage_read(char *buf, size_t size, off_t off,
			    unsigned long long total)
{
	unsigned long long pos = (unsigned long long)off;
	size_t n = 0;

	while (n < size && pos + n < total) {
		buf[n] = (char)ffs_garbage_byte(pos + n);
		n++;
	}
	return (int)n;
}

/* pread() the backing file of @path afresh, looping over short reads. */
static int ffs_backing_read(const char *path, char *buf, size_t size,
			    off_t off)
{
	size_t done = 0;
	ssize_t n;
	int fd, err = 0;

	if (size > (unsigned long long)(INT64_MAX - off))
		size = (size_t)(INT64_MAX - off);
	fd = openat(ffs_g.backing, ffs_rel(path),
		    O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < size) {
		n = pread(fd, buf + done, size - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return done || !err ? (int)done : err;
}

static int ffs_getattr(const char *path, struct stat *st,
		       struct fuse_file_info *fi)
{
	struct ffs_directive d;

	if (ffs_is_sidecar(path))
		return -ENOENT;
	if (!fi) {
		ffs_directive_get(path, &d);
		if (d.kind == FFS_ENOENT)
			return -ENOENT;
	}
	if (fstatat(ffs_g.backing, ffs_rel(path), st, 0) < 0)
		return -errno;
	return 0;
}

/* Pass one backing entry to the kernel; nonzero when it has no room. */
static int ffs_fill_one(void *buf, fuse_fill_dir_t fill,
			const struct dirent *de)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_ino = de->d_ino;
	/* getattr follows symlinks, so leave their type to it. */
	if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
		st.st_mode = DTTOIF(de->d_type);
	return fill(buf, de->d_name, st.st_mode ? &st : NULL, 0, 0);
}

static int ffs_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		       off_t off, struct fuse_file_info *fi,
		       enum fuse_readdir_flags flags)
{
	struct dirent *de;
	DIR *dir;
	int fd, err = 0;

	(void)off;
	(void)fi;
	(void)flags;
	fd = openat(ffs_g.backing, ffs_rel(path),
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		err = -errno;
		close(fd);
		return err;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			err = -errno;
			break;
		}
		if (ffs_is_sidecar(de->d_name))
			continue;
		if (ffs_fill_one(buf, fill, de))
			break;
	}
	closedir(dir);
	return err;
}

static int ffs_open(const char *path, struct fuse_file_info *fi)
{
	struct ffs_directive d;
	int fd;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		return -EROFS;
	if (ffs_is_sidecar(path))
		return -ENOENT;
	ffs_directive_get(path, &d);
	if (d.kind == FFS_EACCES)
		return -EACCES;
	if (d.kind == FFS_ENOENT)
		return -ENOENT;
	/* The first N opens fail as if the file came just after them. */
	if (ffs_count(path, true) <= d.arg && d.kind == FFS_OPEN_ENOENT)
		return -ENOENT;
	fd = openat(ffs_g.backing, ffs_rel(path),
		    O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	fi->direct_io = 1;
	fi->keep_cache = 0;
	return 0;
}

static int ffs_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct ffs_directive d;
	int err;

	(void)fi;
	if (!path)
		return -ENOENT;
	if (size > INT_MAX)
		size = INT_MAX;
	ffs_count(path, false);
	err = ffs_directive_wait(path, &d);
	if (err)
		return err;
	switch (d.kind) {
	case FFS_EINVAL:
		return -EINVAL;
	case FFS_EIO:
		return -EIO;
	case FFS_ENODEV:
		return -ENODEV;
	case FFS_EAGAIN:
		return -EAGAIN;
	case FFS_DELAY:
		err = ffs_sleep_ms(d.arg);
		if (err)
			return err;
		break;
	case FFS_SHORT:
		if (size > d.arg)
			size = (size_t)d.arg;
		break;
	case FFS_GARBAGE:
		return ffs_garbage_read(buf, size, off, d.arg);
	default:
		break;
	}
	return ffs_backing_read(path, buf, size, off);
}

static int ffs_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	return fstatvfs(ffs_g.backing, st) < 0 ? -errno : 0;
}

static void *ffs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->kernel_cache = 0;
	cfg->auto_cache = 0;
	cfg->use_ino = 0;
	if (pthread_create(&ffs_g.stats_thread, NULL, ffs_stats_main, NULL))
		fputs("faultfs: no stats thread, SIGUSR1 ignored\n", stderr);
	else
		ffs_g.stats_running = true;
	return NULL;
}

static void ffs_destroy(void *private_data)
{
	(void)private_data;
	if (!ffs_g.stats_running)
		return;
	atomic_store(&ffs_g.stopping, true);
	pthread_kill(ffs_g.stats_thread, SIGUSR1);
	pthread_join(ffs_g.stats_thread, NULL);
	ffs_g.stats_running = false;
}

static const struct fuse_operations ffs_ops = {
	.init = ffs_init,
	.destroy = ffs_destroy,
	.getattr = ffs_getattr,
	.readdir = ffs_readdir,
	.open = ffs_open,
	.read = ffs_read,
	.statfs = ffs_statfs,
};

static const struct fuse_opt ffs_optspec[] = {
	FUSE_OPT_KEY("-h", FFS_KEY_HELP),
	FUSE_OPT_KEY("--help", FFS_KEY_HELP),
	FUSE_OPT_KEY("-V", FFS_KEY_VERSION),
	FUSE_OPT_KEY("--version", FFS_KEY_VERSION),
	FUSE_OPT_END
};

/* fuse_opt_parse() hook: take BACKING, -h, -V; leave the rest to FUSE. */
static int ffs_opt_proc(void *data, const char *arg, int key,
			struct fuse_args *outargs)
{
	struct ffs_cmdline *cl = data;

	(void)outargs;
	if (key == FFS_KEY_HELP || key == FFS_KEY_VERSION) {
		*(key == FFS_KEY_HELP ? &cl->help : &cl->version) = true;
		return 0;
	}
	if (key != FUSE_OPT_KEY_NONOPT)
		return 1;
	if (cl->nonopts++ == 0) {
		cl->backing = arg;
		return 0;
	}
	return 1;
}

static void ffs_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-f] [-d] [-o OPT,...] BACKING MOUNTPOINT\n"
		"Mirror BACKING read-only at MOUNTPOINT; a sibling F" FFS_SUFFIX
		" of file F\n"
		"injects faults into F (see faultfs.md).  SIGUSR1 prints"
		" read counts.\n",
		prog);
}

/* FUSE options we always want; the user's own come later and win. */
static int ffs_add_defaults(struct fuse_args *args)
{
	return fuse_opt_insert_arg(args, 1,
				   "-oro,default_permissions,subtype=faultfs"
				   ",max_threads=" FFS_MAX_THREADS);
}

/* Run the request loop the way -s, max_threads and clone_fd ask. */
static int ffs_loop(struct fuse *f, const struct fuse_cmdline_opts *opts)
{
	struct fuse_loop_config *cfg;
	int ret;

	if (opts->singlethread)
		return fuse_loop(f);
	cfg = fuse_loop_cfg_create();
	if (!cfg)
		return -ENOMEM;
	fuse_loop_cfg_set_clone_fd(cfg, (unsigned int)opts->clone_fd);
	fuse_loop_cfg_set_max_threads(cfg, opts->max_threads);
	if (opts->max_idle_threads != UINT_MAX)
		fuse_loop_cfg_set_idle_threads(cfg, opts->max_idle_threads);
	ret = fuse_loop_mt(f, cfg);
	fuse_loop_cfg_destroy(cfg);
	return ret;
}

/*
 * Mount, serve, unmount: what fuse_main() does, except that fuse_main() of
 * libfuse 3.14 drops max_threads and caps the pool at 10 threads, so that
 * ten blocked reads would stall the whole mount.
 */
static int ffs_serve(struct fuse_args *args, const char *prog)
{
	struct fuse_cmdline_opts opts;
	struct fuse *f;
	int ret = 1;

	if (fuse_parse_cmdline(args, &opts))
		return 1;
	if (!opts.mountpoint) {
		ffs_usage(stderr, prog);
		goto out;
	}
	f = fuse_new(args, &ffs_ops, sizeof(ffs_ops), NULL);
	if (!f)
		goto out;
	if (fuse_mount(f, opts.mountpoint))
		goto out_destroy;
	if (fuse_daemonize(opts.foreground) ||
	    fuse_set_signal_handlers(fuse_get_session(f)))
		goto out_unmount;
	/* A signal ends the loop with its number: a clean exit. */
	ret = ffs_loop(f, &opts) < 0;
	fuse_remove_signal_handlers(fuse_get_session(f));
out_unmount:
	fuse_unmount(f);
out_destroy:
	fuse_destroy(f);
out:
	free(opts.mountpoint);
	return ret;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct ffs_cmdline cl = { 0 };
	sigset_t set;
	int ret = 1;

	if (fuse_opt_parse(&args, &cl, ffs_optspec, ffs_opt_proc) == -1)
		return 1;
	if (cl.help) {
		ffs_usage(stdout, argv[0]);
		fuse_cmdline_help();
		fuse_lib_help(&args);
		ret = 0;
		goto out;
	}
	if (cl.version) {
		printf("faultfs (FUSE library %s)\n", fuse_pkgversion());
		ret = 0;
		goto out;
	}
	if (cl.nonopts != 2) {
		ffs_usage(stderr, argv[0]);
		goto out;
	}
	ffs_g.backing = open(cl.backing, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ffs_g.backing < 0) {
		fprintf(stderr, "faultfs: %s: %s\n", cl.backing,
			strerror(errno));
		goto out;
	}
	if (ffs_add_defaults(&args))
		goto out;
	/* Every thread inherits this; only the stats thread takes it. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	ret = ffs_serve(&args, argv[0]);
out:
	fuse_opt_free_args(&args);
	ffs_counts_free();
	free(ffs_g.last_warning);
	if (ffs_g.backing >= 0)
		close(ffs_g.backing);
	return ret;
}
