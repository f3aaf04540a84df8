/* SPDX-License-Identifier: GPL-2.0-or-later */
/* envcheck.h - is the system ready to be watched, and if not, what fixes it */
#ifndef VFIOMIGTOP_ENVCHECK_H
#define VFIOMIGTOP_ENVCHECK_H

#include <stddef.h>

/* debugfs root directory names: the kernel's, and the module's fallback. */
#define ENVCHECK_ROOT_KERNEL "vfio"
#define ENVCHECK_ROOT_MODULE "vfiomig"

int envcheck_debugfs_mount(const char *mounts_path, char *mnt, size_t len);
int envcheck_local_roots(const char *mounts_path, char *roots, size_t len,
			 char *err, size_t errlen);
int envcheck_tree(const char *opt, const char *path, char *err, size_t errlen);
void envcheck_fd_limit(void);

#endif
