// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfiomig: the upstream-compatible files of a migration-capable device,
 * <root>/<dev>/migration/state and <root>/<dev>/migration/features, and the
 * block of memory that every file of the module depends on after unload.
 *
 * "state" prints exactly what drivers/vfio/debugfs.c prints (6.8+): one state
 * name and a newline, or fails with -EINVAL when the driver's get_state
 * fails.  "features" prints the 6.18 format: one token per line.  Both are
 * single_open() seq_files, so a read at offset 0 (pread) on an open file
 * shows the current value again.
 *
 * Unloading while files are open.  The file_operations have no owner, so
 * an open file does not pin the module and rmmod works while a monitor
 * keeps its files open.  That is safe because of what debugfs's proxy does
 * with an open file once its dentry has been removed (every file is removed
 * before the module's exit returns):
 *  - open, read, llseek and poll enter the real file_operations only after
 *    debugfs_file_get() succeeded, and removal waits for those calls to
 *    return; afterwards they fail with -EIO (poll: EPOLLHUP) without
 *    looking at the real file_operations.  Module code is therefore only
 *    run while the module is loaded.
 *  - release is called unconditionally: full_proxy_release() reads
 *    real_fops->release, calls it, then fops_put(real_fops).  So the
 *    file_operations must outlive the module, their owner must be NULL and
 *    their release must be core kernel code: single_release() and
 *    seq_release_private() free everything an open file owns.
 *  - pollers stay queued on a wait queue until they leave poll() or, for
 *    epoll, until the file is closed, which can be long after the module
 *    is gone.  The wait queues live in the same block.
 * The block is allocated at load.  At unload it is freed when no file was
 * opened during this load (nothing can refer to it then); otherwise it is
 * deliberately kept: one allocation of sizeof(struct vfiomig_keep) bytes per
 * such load.  (Later kernels have debugfs_short_fops, operations that
 * debugfs owns; 6.1 and 6.12 do not, and they have no poll.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/kmemleak.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "vfiomig.h"

/* Wait queues of "arcs" pollers, hashed by device. */
#define VFIOMIG_WQ_BITS		4

struct vfiomig_keep {
	const struct file_operations state_fops;
	const struct file_operations features_fops;
	const struct file_operations arcs_fops;
	/* Not the module's: lockdep may look at them after unload. */
	struct lock_class_key wq_key;
	char wq_name[16];
	wait_queue_head_t wq[1 << VFIOMIG_WQ_BITS];
};

static struct vfiomig_keep *vfiomig_keep;
static bool vfiomig_keep_opened;	/* a file was opened since load */

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

/*
 * The seq_file (and single_open's seq_operations) keep i_private, the
 * device, but only read it from seq_read(), which runs under
 * debugfs_file_get(): the device is freed only after its files are removed.
 */
static int vfiomig_state_open(struct inode *inode, struct file *file)
{
	vfiomig_keep_used();
	return single_open(file, vfiomig_state_show, inode->i_private);
}

static int vfiomig_features_open(struct inode *inode, struct file *file)
{
	vfiomig_keep_used();
	return single_open(file, vfiomig_features_show, inode->i_private);
}

/*
 * Copied into the kept block at load.  .owner stays NULL (see the top of
 * this file) and every .release is core kernel code.
 */
static const struct vfiomig_keep vfiomig_keep_template = {
	.state_fops = {
		.open = vfiomig_state_open,
		.read = seq_read,
		.llseek = seq_lseek,
		.release = single_release,
	},
	.features_fops = {
		.open = vfiomig_features_open,
		.read = seq_read,
		.llseek = seq_lseek,
		.release = single_release,
	},
	.arcs_fops = {
		.open = vfiomig_arcs_open,
		.read = vfiomig_arcs_read,
		.poll = vfiomig_arcs_poll,
		.llseek = vfiomig_arcs_llseek,
		.release = seq_release_private,
	},
	.wq_name = "vfiomig_arcs_wq",
};

int vfiomig_keep_alloc(void)
{
	struct vfiomig_keep *k;
	unsigned int i;

	k = kmemdup(&vfiomig_keep_template, sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	lockdep_register_key(&k->wq_key);
	for (i = 0; i < ARRAY_SIZE(k->wq); i++)
		__init_waitqueue_head(&k->wq[i], k->wq_name, &k->wq_key);
	vfiomig_keep = k;
	vfiomig_keep_opened = false;
	return 0;
}

/* Called from every open: the block may now be used after unload. */
void vfiomig_keep_used(void)
{
	WRITE_ONCE(vfiomig_keep_opened, true);
}

/*
 * After every file has been removed.  An open can only have started before
 * its file's removal returned, and removal waits for it, so the flag is
 * final here.
 */
void vfiomig_keep_release(void)
{
	struct vfiomig_keep *k = vfiomig_keep;

	vfiomig_keep = NULL;
	if (!k)
		return;
	if (READ_ONCE(vfiomig_keep_opened)) {
		/* Open files and their pollers may use it until closed. */
		kmemleak_not_leak(k);
		pr_debug("kept %zu bytes for files opened since load\n",
			 sizeof(*k));
		return;
	}
	lockdep_unregister_key(&k->wq_key);
	kfree(k);
}

wait_queue_head_t *vfiomig_dev_wq(const struct vfiomig_dev *vd)
{
	return &vfiomig_keep->wq[hash_ptr(vd, VFIOMIG_WQ_BITS)];
}

void vfiomig_files_create(struct vfiomig_dev *vd)
{
	vd->mig = debugfs_create_dir("migration", vd->dir);
	vd->state = debugfs_create_file("state", 0444, vd->mig, vd,
					&vfiomig_keep->state_fops);
	debugfs_create_file("features", 0444, vd->mig, vd,
			    &vfiomig_keep->features_fops);
	if (IS_ERR(vd->state))
		vd->state = NULL;
}

void vfiomig_arcs_file_create(struct vfiomig_dev *vd)
{
	struct dentry *d;

	d = debugfs_create_file("arcs", 0444, vd->mig, vd,
				&vfiomig_keep->arcs_fops);
	if (!IS_ERR(d))
		vd->arcs = d;
}
