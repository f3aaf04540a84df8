// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * envcheck.c - find the local debugfs vfio roots, and when something is
 * missing say exactly what and how to fix it, before anything else runs.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "envcheck.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Undo the octal escapes (\040 for a space) of /proc/mounts fields. */
static void envcheck_unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
}

/*
 * The first debugfs mount point listed in @mounts_path (/proc/mounts), in
 * @mnt.  Prefers /sys/kernel/debug when it is one of several.  Returns 0,
 * -ENOENT when debugfs is not mounted, or -errno when the file is unreadable.
 */
int envcheck_debugfs_mount(const char *mounts_path, char *mnt, size_t len)
{
	FILE *f = fopen(mounts_path, "re");
	char line[4096], dev[1024], dir[2048], type[64];
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%1023s %2047s %63s", dev, dir, type) != 3)
			continue;
		if (strcmp(type, "debugfs"))
			continue;
		envcheck_unescape(dir);
		if (found == 0 && strcmp(dir, "/sys/kernel/debug"))
			continue;
		snprintf(mnt, len, "%s", dir);
		found = 0;
	}
	fclose(f);
	return found;
}

/*
 * Build the default source: the module's root and the kernel's vfio root
 * under the debugfs mount, ':'-separated in priority order.  On failure
 * write a message that names the fix to @err and return -errno.
 */
int envcheck_local_roots(const char *mounts_path, char *roots, size_t len,
			 char *err, size_t errlen)
{
	char mnt[2048], kern[2100], mod[2100];
	struct stat st;
	bool have_k, have_m;
	int rc;

	rc = envcheck_debugfs_mount(mounts_path, mnt, sizeof(mnt));
	if (rc == -ENOENT) {
		snprintf(err, errlen,
			 "debugfs is not mounted.\n"
			 "  Mount it:  mount -t debugfs none /sys/kernel/debug");
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "cannot read %s: %s", mounts_path,
			 strerror(-rc));
		return rc;
	}
	if (access(mnt, R_OK | X_OK)) {
		snprintf(err, errlen,
			 "cannot read debugfs at %s: %s.\n"
			 "  debugfs is readable by root only: run as root (sudo vfiomigtop).",
			 mnt, strerror(errno));
		return -EACCES;
	}
	snprintf(kern, sizeof(kern), "%s/%s", mnt, ENVCHECK_ROOT_KERNEL);
	snprintf(mod, sizeof(mod), "%s/%s", mnt, ENVCHECK_ROOT_MODULE);
	have_k = !stat(kern, &st) && S_ISDIR(st.st_mode);
	have_m = !stat(mod, &st) && S_ISDIR(st.st_mode);
	if (!have_k && !have_m) {
		snprintf(err, errlen,
			 "no vfio directory in debugfs (%s).\n"
			 "  This kernel does not export VFIO migration state (it needs\n"
			 "  CONFIG_VFIO_DEBUGFS, Linux 6.8 or later), or vfio is not loaded.\n"
			 "  Load vfiomigtop's module:  modprobe vfiomig   (see kmod/README.md)\n"
			 "  or watch another tree:     vfiomigtop --src PATH",
			 kern);
		return -ENOENT;
	}
	if (have_m && have_k)
		snprintf(roots, len, "%s:%s", mod, kern);
	else
		snprintf(roots, len, "%s", have_m ? mod : kern);
	return 0;
}

/* Check a user-given tree (--src/--dst PATH) before starting. */
int envcheck_tree(const char *opt, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		int e = errno;

		snprintf(err, errlen, "%s %s: %s", opt, path, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s %s: not a directory", opt, path);
		return -ENOTDIR;
	}
	if (access(path, R_OK | X_OK)) {
		int e = errno;

		snprintf(err, errlen, "%s %s: %s%s", opt, path, strerror(e),
			 e == EACCES ? " (run as root: sudo vfiomigtop)" : "");
		return -e;
	}
	return 0;
}

/*
 * Raise the soft limit on open files to the hard limit.  A device keeps
 * up to two files open (its state file and the module's arc log), so
 * Debian's default soft limit of 1024 runs out near 500 devices, where
 * the hard limit (524288 under systemd) is far away.  Where it cannot be
 * raised the source says so when files run out (src_debugfs.c).
 */
void envcheck_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	/* (An unlimited hard limit is refused as a soft one: then keep.) */
	setrlimit(RLIMIT_NOFILE, &rl);
}
