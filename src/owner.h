/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * owner.h - which process holds a vfio device open: a scan of
 * /proc/PID/fd for links to /dev/vfio/GROUP (the group interface) or
 * /dev/vfio/devices/vfioN (the cdev interface), with each holder's pid,
 * command and VM name (QEMU's -name, which libvirt sets to the domain).
 * Slow (every process's every fd): run it off the refresh path.
 */
#ifndef VFIOMIGTOP_OWNER_H
#define VFIOMIGTOP_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A process holding at least one vfio file open. */
struct owner_proc {
	pid_t pid;
	char comm[32];		/* its command name (/proc/PID/comm) */
	char vm[96];		/* QEMU's -name (guest=NAME), "" if none */
	unsigned int nfiles;	/* vfio groups and devices it holds */
};

/* One vfio file held open: a group number or a cdev name. */
struct owner_ref {
	int group;		/* /dev/vfio/GROUP, -1 for a cdev */
	char cdev[32];		/* "vfioN" of /dev/vfio/devices/vfioN, "" for a group */
	size_t proc;		/* index in owner_scan.procs */
};

struct owner_scan {
	struct owner_proc *procs;	/* holders */
	size_t nprocs;
	struct owner_ref *refs;		/* what they hold */
	size_t nrefs;
	unsigned int processes;		/* processes looked at */
	unsigned int denied;		/* ... whose fds could not be read (not root) */
	unsigned int fds;		/* fd links read */
	unsigned int skipped;		/* processes not looked into: held nothing at the last full scan, or vfiomigtop itself */
	int err;			/* the proc root itself could not be read: errno */
	uint64_t took_ns;		/* how long the scan took */
};

/* What a scan remembers for the next: the processes that held no vfio
 * file (and whose fds could be read), which a quick scan skips. */
struct owner_memo {
	pid_t *quiet;			/* sorted pids */
	size_t nquiet;			/* entries in quiet */
};

int owner_scan(const char *proc_root, const char *dev_root,
	       struct owner_scan *out);
int owner_scan_memo(const char *proc_root, const char *dev_root,
		    struct owner_memo *memo, bool quick,
		    struct owner_scan *out);
void owner_memo_free(struct owner_memo *memo);
void owner_free(struct owner_scan *s);
const struct owner_proc *owner_find(const struct owner_scan *s, int group,
				    const char *cdev, unsigned int *nholders);
bool owner_vm_name(const char *argv, size_t len, char *out, size_t olen);
int owner_parse_link(const char *target, const char *dev_root, int *group,
		     char *cdev, size_t clen);

#endif
