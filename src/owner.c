// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * owner.c - the processes that hold vfio devices open, found through
 * their /proc/PID/fd links.  Another user's fds can be read only with
 * ptrace rights (root): such processes are counted as denied, so that a
 * missing owner is never mistaken for "no owner".
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "owner.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

/*
 * What a link target names: a group (returns 1, @group set), a cdev
 * (returns 2, @cdev set) or anything else (0).  Targets are
 * DEV/vfio/N, DEV/vfio/noiommu-N and DEV/vfio/devices/vfioN.
 */
int owner_parse_link(const char *target, const char *dev_root, int *group,
		     char *cdev, size_t clen)
{
	size_t dl = strlen(dev_root);
	const char *p;
	char *end;
	long g;

	while (dl > 1 && dev_root[dl - 1] == '/')
		dl--;
	if (strncmp(target, dev_root, dl) || strncmp(target + dl, "/vfio/", 6))
		return 0;
	p = target + dl + 6;
	if (!strncmp(p, "devices/vfio", 12)) {
		const char *n = p + 12;

		if (!*n || strlen(p + 8) >= clen)
			return 0;
		for (const char *q = n; *q; q++)
			if (!isdigit((unsigned char)*q))
				return 0;
		snprintf(cdev, clen, "%s", p + 8);
		return 2;
	}
	if (!strncmp(p, "noiommu-", 8))
		p += 8;
	if (!isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	g = strtol(p, &end, 10);
	if (errno || *end || g < 0 || g > INT_MAX)
		return 0;
	*group = (int)g;
	return 1;
}

/*
 * The VM name in a QEMU command line (@argv: NUL-separated arguments,
 * @len bytes): "-name guest=NAME,..." or "-name NAME,...", QEMU's ",,"
 * standing for a comma.  False when there is none.
 */
bool owner_vm_name(const char *argv, size_t len, char *out, size_t olen)
{
	const char *p = argv, *end = argv + len;

	out[0] = 0;
	while (p < end) {
		const char *a = p;
		size_t al = strnlen(a, (size_t)(end - a));

		p = a + al + 1;
		if ((strcmp(a, "-name") && strcmp(a, "--name")) || p >= end)
			continue;
		{
			const char *v = p, *ve = p + strnlen(p, (size_t)(end - p));
			size_t o = 0;

			/* key=value pairs; the bare first one is the name */
			while (v < ve) {
				const char *f = v, *eq = NULL;
				char val[256];
				size_t n = 0;

				while (v < ve) {
					if (*v == ',' && v + 1 < ve && v[1] == ',') {
						if (n + 1 < sizeof(val))
							val[n++] = ',';
						v += 2;
						continue;
					}
					if (*v == ',')
						break;
					if (*v == '=' && !eq)
						eq = v;
					if (n + 1 < sizeof(val))
						val[n++] = *v;
					v++;
				}
				val[n] = 0;
				v++;
				if (!eq && f == p) {
					snprintf(out, olen, "%s", val);
					o = 1;
				} else if (eq && !strncmp(f, "guest=", 6)) {
					snprintf(out, olen, "%s", val + 6);
					o = 1;
				}
			}
			if (o)
				return out[0] != 0;
		}
	}
	return false;
}

static int owner_add_proc(struct owner_scan *s, pid_t pid,
			  const char *proc_root, size_t *idx)
{
	char path[PATH_MAX], buf[8192];
	struct owner_proc *np, *pr;
	ssize_t n;
	int fd;

	np = realloc(s->procs, (s->nprocs + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	s->procs = np;
	pr = &np[s->nprocs];
	memset(pr, 0, sizeof(*pr));
	pr->pid = pid;
	snprintf(path, sizeof(path), "%s/%d/comm", proc_root, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(pr->comm) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			buf[strcspn(buf, "\n")] = 0;
			for (char *c = buf; *c; c++)
				if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
					*c = '?';
			memcpy(pr->comm, buf, strnlen(buf, sizeof(pr->comm) - 1));
		}
	}
	snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		size_t got = 0;

		while (got < sizeof(buf) &&
		       (n = read(fd, buf + got, sizeof(buf) - got)) > 0)
			got += (size_t)n;
		close(fd);
		if (owner_vm_name(buf, got, pr->vm, sizeof(pr->vm)))
			for (char *c = pr->vm; *c; c++)
				if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
					*c = '?';
	}
	*idx = s->nprocs++;
	return 0;
}

static int owner_add_ref(struct owner_scan *s, int group, const char *cdev,
			 size_t proc)
{
	struct owner_ref *nr;

	for (size_t i = 0; i < s->nrefs; i++)	/* the same file twice */
		if (s->refs[i].proc == proc && s->refs[i].group == group &&
		    !strcmp(s->refs[i].cdev, cdev))
			return 0;
	nr = realloc(s->refs, (s->nrefs + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	s->refs = nr;
	nr[s->nrefs].group = group;
	snprintf(nr[s->nrefs].cdev, sizeof(nr[s->nrefs].cdev), "%s", cdev);
	nr[s->nrefs].proc = proc;
	s->nrefs++;
	s->procs[proc].nfiles++;
	return 0;
}

/* One process's fds. */
static void owner_scan_pid(struct owner_scan *s, const char *proc_root,
			   const char *dev_root, pid_t pid)
{
	char path[PATH_MAX], lp[PATH_MAX], tgt[PATH_MAX], cdev[32];
	struct dirent *de;
	size_t proc = (size_t)-1;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%d/fd", proc_root, (int)pid);
	d = opendir(path);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			s->denied++;
		return;		/* else: it exited meanwhile */
	}
	while ((de = readdir(d))) {
		ssize_t n;
		int group = -1, kind;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(lp, sizeof(lp), "%s/%s", path, de->d_name) >= (int)sizeof(lp))
			continue;
		n = readlink(lp, tgt, sizeof(tgt) - 1);
		if (n <= 0)
			continue;
		tgt[n] = 0;
		s->fds++;
		cdev[0] = 0;
		kind = owner_parse_link(tgt, dev_root, &group, cdev, sizeof(cdev));
		if (!kind)
			continue;
		if (proc == (size_t)-1 && owner_add_proc(s, pid, proc_root, &proc))
			break;
		if (owner_add_ref(s, kind == 1 ? group : -1, cdev, proc))
			break;
	}
	closedir(d);
}

static int owner_cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static bool owner_memo_quiet(const struct owner_memo *memo, pid_t pid)
{
	return memo && memo->nquiet &&
	       bsearch(&pid, memo->quiet, memo->nquiet, sizeof(pid),
		       owner_cmp_pid);
}

/* Remember @pid as holding nothing; out of memory, it is looked at again. */
static void owner_memo_add(pid_t **v, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		pid_t *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = pid;
}

/*
 * This process as @proc_root names it (its "self" link), 0 when it names
 * another or none.  vfiomigtop holds no vfio file, and it holds a state
 * file per device: of all processes, it has the most fds to look into.
 */
static pid_t owner_self(const char *proc_root)
{
	char path[PATH_MAX], buf[32], *end;
	ssize_t n;
	long pid;

	if (snprintf(path, sizeof(path), "%s/self", proc_root) >= (int)sizeof(path))
		return 0;
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	errno = 0;
	pid = strtol(buf, &end, 10);
	return !errno && !*end && pid == (long)getpid() ? (pid_t)pid : 0;
}

/*
 * Scan @proc_root ("/proc") for processes holding files under
 * @dev_root/vfio ("/dev").  With @memo, remember who held nothing; with
 * @quick too, do not look into those again: a process that opens a vfio
 * file later is seen by the next full scan, a new process at once.
 * Returns 0 (see out->denied), or -errno when @proc_root cannot be read
 * at all.
 */
int owner_scan_memo(const char *proc_root, const char *dev_root,
		    struct owner_memo *memo, bool quick,
		    struct owner_scan *out)
{
	uint64_t t0 = clock_mono_ns();
	pid_t self = owner_self(proc_root);
	pid_t *quiet = NULL;
	size_t nquiet = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	memset(out, 0, sizeof(*out));
	d = opendir(proc_root);
	if (!d) {
		out->err = errno;
		return -out->err;
	}
	while ((de = readdir(d))) {
		unsigned int denied = out->denied;
		size_t nprocs = out->nprocs;
		char *end;
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		errno = 0;
		pid = strtol(de->d_name, &end, 10);
		if (errno || *end || pid <= 0 || pid > INT_MAX)
			continue;
		out->processes++;
		if (pid == self) {
			out->skipped++;		/* itself: never a holder */
			continue;
		}
		if (quick && owner_memo_quiet(memo, (pid_t)pid)) {
			out->skipped++;
		} else {
			owner_scan_pid(out, proc_root, dev_root, (pid_t)pid);
			if (out->nprocs != nprocs || out->denied != denied)
				continue;	/* a holder, or unreadable */
		}
		if (memo)
			owner_memo_add(&quiet, &nquiet, &cap, (pid_t)pid);
	}
	closedir(d);
	if (memo) {
		if (nquiet > 1)
			qsort(quiet, nquiet, sizeof(*quiet), owner_cmp_pid);
		free(memo->quiet);
		memo->quiet = quiet;
		memo->nquiet = nquiet;
	}
	out->took_ns = clock_mono_ns() - t0;
	return 0;
}

int owner_scan(const char *proc_root, const char *dev_root,
	       struct owner_scan *out)
{
	return owner_scan_memo(proc_root, dev_root, NULL, false, out);
}

void owner_memo_free(struct owner_memo *memo)
{
	free(memo->quiet);
	memo->quiet = NULL;
	memo->nquiet = 0;
}

void owner_free(struct owner_scan *s)
{
	free(s->procs);
	free(s->refs);
	memset(s, 0, sizeof(*s));
}

/*
 * The process holding group @group (-1: none) or cdev @cdev ("" none),
 * the one with the lowest pid when several do; @nholders says how many.
 */
const struct owner_proc *owner_find(const struct owner_scan *s, int group,
				    const char *cdev, unsigned int *nholders)
{
	const struct owner_proc *best = NULL;
	unsigned int n = 0;

	for (size_t i = 0; i < s->nrefs; i++) {
		const struct owner_ref *r = &s->refs[i];
		const struct owner_proc *p = &s->procs[r->proc];

		if (!((group >= 0 && r->group == group) ||
		      (cdev && cdev[0] && r->cdev[0] && !strcmp(r->cdev, cdev))))
			continue;
		n++;
		if (!best || p->pid < best->pid)
			best = p;
	}
	if (nholders)
		*nholders = n;
	return best;
}
