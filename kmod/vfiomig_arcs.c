// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfiomig: the arc log.
 *
 * A kretprobe on the exported vfio_mig_get_next_state() sees every step the
 * kernel's migration state machine chooses, for every driver, including the
 * hidden steps of combination transitions.  Each step is appended to a
 * bounded per-device ring and readers are told:
 *  - "arcs" (in the device's migration/ directory) prints the ring as text,
 *    one line per step: "<seq> <t_ns> <cur> <next> <target> <ret>\n";
 *  - poll() on "arcs" reports EPOLLIN when entries newer than the open
 *    file's cursor exist;
 *  - inotify watchers of "state" and "arcs" (and of their directory) see
 *    IN_MODIFY, sent from a work item since the probe runs in atomic context.
 *
 * Reading: every open file has a cursor, the seq of the last entry returned.
 * A read at file offset 0 (the first read after open, pread(..., 0), or a
 * read after lseek(fd, 0, SEEK_SET)) starts again at the oldest entry still
 * in the ring.  A read at any other offset continues after the cursor; if
 * entries were overwritten in between, a line "# lost <n>\n" comes first.
 * read() never blocks and returns 0 when there is nothing new.
 *
 * Lifetime: an open file keeps its cursor in seq_file->private, which the
 * kernel's seq_release_private() frees, and holds nothing else: read and
 * poll find the device through inode->i_private, which is safe because they
 * run under debugfs_file_get() and the device is freed only after its files
 * are removed.  Pollers wait on a queue of the block that outlives the
 * module (vfiomig_files.c), so closing or leaving poll() after the device
 * or the module went away touches only memory that is still there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "vfiomig.h"

static bool arcs = true;
module_param(arcs, bool, 0444);
MODULE_PARM_DESC(arcs, "log FSM arcs with a kretprobe (default: Y)");

static bool arcs_enabled;
module_param(arcs_enabled, bool, 0444);
MODULE_PARM_DESC(arcs_enabled, "read-only: Y when the arc log is active");

/* Longest line: two u64, three state names, an int and separators. */
#define VFIOMIG_LINE_MAX	128

/* Arguments of vfio_mig_get_next_state(), saved on entry. */
struct vfiomig_call {
	const struct vfio_device *vdev;
	unsigned long cur;
	unsigned long target;
	const u32 *next;
};

/*
 * One open "arcs" file: seq_file->private.  The seq_file's mutex serialises
 * read, poll and rewind; its buffer and iterator are not used.
 */
struct vfiomig_reader {
	u64 last;			/* seq of the last entry returned */
	bool rewound;			/* start at the oldest entry, no "lost" */
	char line[VFIOMIG_LINE_MAX];	/* line being returned */
	size_t len;
	size_t off;
};

bool vfiomig_arcs_enabled(void)
{
	return arcs_enabled;
}

static u8 vfiomig_state_code(unsigned long state)
{
	return state < VFIOMIG_NR_STATES ? state : VFIOMIG_STATE_INVALID;
}

static const char *vfiomig_code_name(u8 code)
{
	return code == VFIOMIG_STATE_NONE ? "-" : vfiomig_state_name(code);
}

static void vfiomig_arcs_log(struct vfiomig_dev *vd,
			     const struct vfiomig_arc *arc)
{
	unsigned long flags;

	spin_lock_irqsave(&vd->lock, flags);
	if (vd->gone) {
		spin_unlock_irqrestore(&vd->lock, flags);
		return;
	}
	vd->head++;
	vd->ring[(vd->head - 1) & (VFIOMIG_RING_SIZE - 1)] = *arc;
	/* Under the lock: vfiomig_arcs_remove_dev() cancels after "gone". */
	queue_work(system_wq, &vd->notify_work);
	spin_unlock_irqrestore(&vd->lock, flags);

	/*
	 * All waiters, exclusive ones too: the queue is shared by hashing, so
	 * one exclusive wake-up could go to another device's poller.
	 */
	__wake_up(vfiomig_dev_wq(vd), TASK_INTERRUPTIBLE, 0,
		  poll_to_key(EPOLLIN | EPOLLRDNORM));
}

static int vfiomig_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vfiomig_call *call = (struct vfiomig_call *)ri->data;

	call->vdev = (const struct vfio_device *)regs_get_kernel_argument(regs, 0);
	call->cur = regs_get_kernel_argument(regs, 1);
	call->target = regs_get_kernel_argument(regs, 2);
	call->next = (const u32 *)regs_get_kernel_argument(regs, 3);
	return 0;
}

static int vfiomig_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct vfiomig_call *call = (struct vfiomig_call *)ri->data;
	struct vfiomig_arc arc = {
		.t_ns = ktime_get_ns(),
		.ret = (int)regs_return_value(regs),
		.cur = vfiomig_state_code(call->cur),
		.next = VFIOMIG_STATE_NONE,
		.target = vfiomig_state_code(call->target),
	};
	struct vfiomig_dev *vd;
	u32 next;

	if (!arc.ret && !copy_from_kernel_nofault(&next, call->next,
						  sizeof(next)))
		arc.next = vfiomig_state_code(next);

	rcu_read_lock();
	vd = vfiomig_dev_find_rcu(call->vdev);
	if (vd && vd->has_ring)
		vfiomig_arcs_log(vd, &arc);
	rcu_read_unlock();
	return 0;
}

static struct kretprobe vfiomig_kretprobe = {
	.kp.symbol_name = "vfio_mig_get_next_state",
	.entry_handler = vfiomig_entry,
	.handler = vfiomig_return,
	.data_size = sizeof(struct vfiomig_call),
};

int vfiomig_arcs_start(void)
{
	int ret;

	if (!arcs)
		return 0;

	ret = register_kretprobe(&vfiomig_kretprobe);
	if (ret) {
		/* Not fatal: the upstream files do not need it. */
		pr_info("arc log unavailable: kretprobe on %s failed (%d)\n",
			vfiomig_kretprobe.kp.symbol_name, ret);
		return 0;
	}
	arcs_enabled = true;
	return 0;
}

void vfiomig_arcs_stop(void)
{
	if (!arcs_enabled)
		return;
	unregister_kretprobe(&vfiomig_kretprobe);
	arcs_enabled = false;
	if (vfiomig_kretprobe.nmissed)
		pr_info("arc log missed %d steps\n", vfiomig_kretprobe.nmissed);
}

static void vfiomig_notify(struct work_struct *work)
{
	struct vfiomig_dev *vd = container_of(work, struct vfiomig_dev,
					      notify_work);

	if (vd->state)
		fsnotify_dentry(vd->state, FS_MODIFY);
	if (vd->arcs)
		fsnotify_dentry(vd->arcs, FS_MODIFY);
}

void vfiomig_arcs_init_dev(struct vfiomig_dev *vd)
{
	spin_lock_init(&vd->lock);
	INIT_WORK(&vd->notify_work, vfiomig_notify);
}

void vfiomig_arcs_remove_dev(struct vfiomig_dev *vd)
{
	unsigned long flags;

	spin_lock_irqsave(&vd->lock, flags);
	vd->gone = true;
	spin_unlock_irqrestore(&vd->lock, flags);
	cancel_work_sync(&vd->notify_work);
}

/*
 * After the device's files are removed: pollers wake up, poll again and get
 * EPOLLHUP from debugfs (the file is gone), without entering this module.
 */
void vfiomig_arcs_hangup(struct vfiomig_dev *vd)
{
	__wake_up(vfiomig_dev_wq(vd), TASK_INTERRUPTIBLE, 0,
		  poll_to_key(EPOLLHUP));
}

/* Put the next line into r->line; false when there is nothing new. */
static bool vfiomig_reader_fill(struct vfiomig_reader *r,
				struct vfiomig_dev *vd)
{
	struct vfiomig_arc arc;
	unsigned long flags;
	u64 oldest, lost = 0, seq;

	spin_lock_irqsave(&vd->lock, flags);
	oldest = vd->head > VFIOMIG_RING_SIZE ?
		 vd->head - VFIOMIG_RING_SIZE + 1 : 1;
	if (r->last + 1 < oldest) {
		if (!r->rewound)
			lost = oldest - 1 - r->last;
		r->last = oldest - 1;
	}
	r->rewound = false;
	if (lost || r->last >= vd->head) {
		spin_unlock_irqrestore(&vd->lock, flags);
		if (!lost)
			return false;
		r->len = scnprintf(r->line, sizeof(r->line), "# lost %llu\n",
				   lost);
		r->off = 0;
		return true;
	}
	seq = ++r->last;
	arc = vd->ring[(seq - 1) & (VFIOMIG_RING_SIZE - 1)];
	spin_unlock_irqrestore(&vd->lock, flags);

	r->len = scnprintf(r->line, sizeof(r->line), "%llu %llu %s %s %s %d\n",
			   seq, arc.t_ns, vfiomig_code_name(arc.cur),
			   vfiomig_code_name(arc.next),
			   vfiomig_code_name(arc.target), arc.ret);
	r->off = 0;
	return true;
}

static void vfiomig_reader_rewind(struct vfiomig_reader *r)
{
	r->last = 0;
	r->rewound = true;
	r->len = 0;
	r->off = 0;
}

/*
 * read, poll and llseek run under debugfs_file_get(): the device (i_private)
 * exists until they return.
 */
ssize_t vfiomig_arcs_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct vfiomig_dev *vd = file_inode(file)->i_private;
	struct seq_file *m = file->private_data;
	struct vfiomig_reader *r = m->private;
	size_t done = 0;
	bool fault;

	mutex_lock(&m->lock);
	if (*ppos == 0)
		vfiomig_reader_rewind(r);
	while (done < count) {
		size_t n;

		if (r->off == r->len && !vfiomig_reader_fill(r, vd))
			break;
		n = min(count - done, r->len - r->off);
		if (copy_to_user(buf + done, r->line + r->off, n))
			break;
		r->off += n;
		done += n;
	}
	fault = !done && count && r->off < r->len;
	mutex_unlock(&m->lock);

	if (fault)
		return -EFAULT;
	*ppos += done;
	return done;
}

__poll_t vfiomig_arcs_poll(struct file *file, poll_table *wait)
{
	struct vfiomig_dev *vd = file_inode(file)->i_private;
	struct seq_file *m = file->private_data;
	struct vfiomig_reader *r = m->private;
	unsigned long flags;
	__poll_t mask = 0;

	poll_wait(file, vfiomig_dev_wq(vd), wait);

	mutex_lock(&m->lock);
	spin_lock_irqsave(&vd->lock, flags);
	if (vd->gone)
		mask = EPOLLHUP;
	else if (vd->head > r->last || r->off < r->len)
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock_irqrestore(&vd->lock, flags);
	mutex_unlock(&m->lock);
	return mask;
}

/* Only "rewind" (offset 0 from the start) and "where am I" make sense. */
loff_t vfiomig_arcs_llseek(struct file *file, loff_t offset, int whence)
{
	if (offset || (whence != SEEK_SET && whence != SEEK_CUR))
		return -EINVAL;
	if (whence == SEEK_SET)
		file->f_pos = 0;
	return file->f_pos;
}

int vfiomig_arcs_open(struct inode *inode, struct file *file)
{
	struct vfiomig_reader *r;

	vfiomig_keep_used();
	/*
	 * No seq_operations: seq_read() is never called on this file, and
	 * the seq_file must not point into the module after unload.
	 */
	r = __seq_open_private(file, NULL, sizeof(*r));
	if (!r)
		return -ENOMEM;
	vfiomig_reader_rewind(r);
	return 0;
}
