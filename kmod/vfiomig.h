/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfiomig: VFIO migration state files in debugfs, plus an arc log.
 *
 * Shared declarations of the module's parts:
 *   vfiomig_main.c      module parameters, debugfs root and status file,
 *                       init and exit
 *   vfiomig_discover.c  finding vfio devices (class interface on "vfio-dev"),
 *                       the registry of devices
 *   vfiomig_files.c     the upstream-compatible "state" and "features" files
 *   vfiomig_arcs.c      kretprobe, per-device arc ring, "arcs" file, notify
 */
#ifndef VFIOMIG_H
#define VFIOMIG_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct dentry;
struct seq_file;
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
 * One vfio device seen by the module.  The registry holds one reference
 * until the device is removed, and every open "arcs" file holds one, so
 * that its pollers' wait queue outlives them.  The last reference frees
 * it after an RCU grace period, for the kretprobe's lookup.  The
 * vfio_device pointer is only used until the device's debugfs directory
 * has been removed.
 */
struct vfiomig_dev {
	struct hlist_node node;		/* registry, keyed by vdev */
	struct rcu_head rcu;
	struct kref ref;
	struct vfio_device *vdev;	/* key; NULL once removed */

	struct dentry *dir;		/* <root>/<dev_name> */
	struct dentry *mig;		/* migration/, NULL without mig_ops */
	struct dentry *state;		/* NULL without migration support */
	struct dentry *arcs;		/* NULL without the arc log */

	/* Static after registration, copied at discovery. */
	u32 mig_flags;
	bool dirty_tracking;

	spinlock_t lock;		/* protects gone, head and ring[] */
	bool gone;			/* device removed: no more arcs */
	u64 head;			/* seq of the newest entry, 0: none */
	struct vfiomig_arc *ring;	/* VFIOMIG_RING_SIZE, or NULL */
	struct work_struct notify_work;
	wait_queue_head_t wq;		/* pollers of "arcs" */
};

/* vfiomig_main.c */
extern struct dentry *vfiomig_root;

/* vfiomig_discover.c */
int vfiomig_discover_start(void);
void vfiomig_discover_stop(void);
struct vfiomig_dev *vfiomig_dev_find_rcu(const struct vfio_device *vdev);
void vfiomig_dev_put(struct vfiomig_dev *vd);

/* vfiomig_files.c */
const char *vfiomig_state_name(unsigned int state);
void vfiomig_files_create(struct vfiomig_dev *vd);

/* vfiomig_arcs.c */
bool vfiomig_arcs_enabled(void);
int vfiomig_arcs_start(void);
void vfiomig_arcs_stop(void);
void vfiomig_arcs_status(struct seq_file *m);
int vfiomig_arcs_init_dev(struct vfiomig_dev *vd, bool ring);
void vfiomig_arcs_file_create(struct vfiomig_dev *vd);
void vfiomig_arcs_remove_dev(struct vfiomig_dev *vd);
void vfiomig_arcs_hangup(struct vfiomig_dev *vd);

#endif /* VFIOMIG_H */
