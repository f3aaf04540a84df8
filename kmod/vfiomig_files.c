// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfiomig: the upstream-compatible files of a migration-capable device,
 * <root>/<dev>/migration/state and <root>/<dev>/migration/features.
 *
 * "state" prints exactly what drivers/vfio/debugfs.c prints (6.8+): one state
 * name and a newline, or fails with -EINVAL when the driver's get_state
 * fails.  "features" prints the 6.18 format: one token per line.  Both are
 * single_open() seq_files, so a read at offset 0 (pread) on an open file
 * shows the current value again.
 *
 * Lifetime: the file_operations are owned by this module, so an open file
 * keeps the module loaded.  The seq_file keeps the device (i_private) as
 * its private data, but reads it only from seq_read(), which debugfs runs
 * under debugfs_file_get(): the device's files are removed, and removal
 * waits for reads in progress, before the device goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/vfio.h>

#include "vfiomig.h"

/* Indexed by enum vfio_device_mig_state; the same words as upstream. */
static const char * const vfiomig_state_names[VFIOMIG_NR_STATES] = {
	"ERROR",		/* 0 VFIO_DEVICE_STATE_ERROR */
	"STOP",			/* 1 VFIO_DEVICE_STATE_STOP */
	"RUNNING",		/* 2 VFIO_DEVICE_STATE_RUNNING */
	"STOP_COPY",		/* 3 VFIO_DEVICE_STATE_STOP_COPY */
	"RESUMING",		/* 4 VFIO_DEVICE_STATE_RESUMING */
	"RUNNING_P2P",		/* 5 VFIO_DEVICE_STATE_RUNNING_P2P */
	"PRE_COPY",		/* 6 VFIO_DEVICE_STATE_PRE_COPY (6.2+) */
	"PRE_COPY_P2P",		/* 7 VFIO_DEVICE_STATE_PRE_COPY_P2P (6.2+) */
};

/* The uAPI value, for headers older than the flag (6.1). */
#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY		BIT(2)
#endif

const char *vfiomig_state_name(unsigned int state)
{
	BUILD_BUG_ON(VFIO_DEVICE_STATE_ERROR != 0 ||
		     VFIO_DEVICE_STATE_RUNNING_P2P != 5);

	if (state >= ARRAY_SIZE(vfiomig_state_names))
		return "Invalid";
	return vfiomig_state_names[state];
}

static int vfiomig_state_show(struct seq_file *m, void *unused)
{
	struct vfiomig_dev *vd = m->private;
	struct vfio_device *vdev = vd->vdev;
	enum vfio_device_mig_state state;

	/* vdev is valid here: removal waits for this read to finish. */
	if (vdev->mig_ops->migration_get_state(vdev, &state))
		return -EINVAL;

	seq_puts(m, vfiomig_state_name(state));
	seq_putc(m, '\n');
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vfiomig_state);

static int vfiomig_features_show(struct seq_file *m, void *unused)
{
	struct vfiomig_dev *vd = m->private;

	if (vd->mig_flags & VFIO_MIGRATION_STOP_COPY)
		seq_puts(m, "stop-copy\n");
	if (vd->mig_flags & VFIO_MIGRATION_P2P)
		seq_puts(m, "p2p\n");
	if (vd->mig_flags & VFIO_MIGRATION_PRE_COPY)
		seq_puts(m, "pre-copy\n");
	if (vd->dirty_tracking)
		seq_puts(m, "dirty-tracking\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vfiomig_features);

void vfiomig_files_create(struct vfiomig_dev *vd)
{
	vd->mig = debugfs_create_dir("migration", vd->dir);
	vd->state = debugfs_create_file("state", 0444, vd->mig, vd,
					&vfiomig_state_fops);
	debugfs_create_file("features", 0444, vd->mig, vd,
			    &vfiomig_features_fops);
	if (IS_ERR(vd->state))
		vd->state = NULL;
}
