/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfiomig: VFIO migration state files in debugfs, plus an arc log.
 *
 * Shared declarations of the module's parts:
 *   vfiomig_main.c      module parameters, debugfs root, init and exit
 *   vfiomig_discover.c  finding vfio devices (class interface on "vfio-dev")
 *   vfiomig_files.c     the upstream-compatible "state" and "features" files,
 *                       and the block kept after unload (every file's
 *                       file_operations, the pollers' wait queues)
 *   vfiomig_arcs.c      kretprobe, per-device arc ring, "arcs" file, notify
 */
#ifndef VFIOMIG_H
#define VFIOMIG_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct dentry;
struct file;
struct inode;
struct poll_table_struct;
struct vfio_device;

/* Entries kept per device; a power of two. */
#define VFIOMIG_RING_SIZE	256

/* States known to the names table: ERROR (0) .. PRE_COPY_P2P (7). */
#define VFIOMIG_NR_STATES	8
/* Stored in an arc entry instead of a state the names table does not know. */
#define VFIOMIG_STATE_INVALID	0xff
/* Stored as the next state when the helper failed. */
#define VFIOMIG_STATE_NONE	0xfe

/* One step chosen by vfio_mig_get_next_state(). */
struct vfiomig_arc {
	u64 t_ns;
	s32 ret;
	u8 cur;
	u8 next;
	u8 target;
};

/*
 * One vfio device seen by the module, owned by the registry.  It is freed
 * (after an RCU grace period, for the kretprobe's lookup) once its debugfs
 * directory has been removed: open files never reference it outside their
 * read and poll methods, which run under debugfs_file_get().  The
 * vfio_device pointer is only used until the directory has been removed.
 */
struct vfiomig_dev {
	struct hlist_node node;		/* registry, keyed by vdev */
	struct rcu_head rcu;
	struct vfio_device *vdev;	/* key; NULL once removed */

	struct dentry *dir;		/* <root>/<dev_name> */
	struct dentry *mig;		/* migration/, NULL without mig_ops */
	struct dentry *state;		/* NULL without migration support */
	struct dentry *arcs;		/* NULL without the arc log */

	/* Static after registration, copied at discovery. */
	u32 mig_flags;
	bool dirty_tracking;

	/* Arc ring; ring[] exists only when @has_ring. */
	bool has_ring;
	spinlock_t lock;		/* protects gone, head and ring[] */
	bool gone;			/* device removed */
	u64 head;			/* seq of the newest entry, 0: none */
	struct work_struct notify_work;
	struct vfiomig_arc ring[];
};

/* vfiomig_main.c */
extern struct dentry *vfiomig_root;

/* vfiomig_discover.c */
int vfiomig_discover_start(void);
void vfiomig_discover_stop(void);
struct vfiomig_dev *vfiomig_dev_find_rcu(const struct vfio_device *vdev);

/* vfiomig_files.c */
int vfiomig_keep_alloc(void);
void vfiomig_keep_release(void);
void vfiomig_keep_used(void);
wait_queue_head_t *vfiomig_dev_wq(const struct vfiomig_dev *vd);
const char *vfiomig_state_name(unsigned int state);
void vfiomig_files_create(struct vfiomig_dev *vd);
void vfiomig_arcs_file_create(struct vfiomig_dev *vd);

/* vfiomig_arcs.c */
bool vfiomig_arcs_enabled(void);
int vfiomig_arcs_start(void);
void vfiomig_arcs_stop(void);
void vfiomig_arcs_init_dev(struct vfiomig_dev *vd);
void vfiomig_arcs_remove_dev(struct vfiomig_dev *vd);
void vfiomig_arcs_hangup(struct vfiomig_dev *vd);
int vfiomig_arcs_open(struct inode *inode, struct file *file);
ssize_t vfiomig_arcs_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos);
__poll_t vfiomig_arcs_poll(struct file *file, struct poll_table_struct *wait);
loff_t vfiomig_arcs_llseek(struct file *file, loff_t offset, int whence);

#endif /* VFIOMIG_H */
