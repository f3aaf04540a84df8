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
 * A device's seq numbers are contiguous, so a reader can also tell a gap
 * by the numbers.  Steps the kretprobe itself missed (no free instance, or
 * another probe running on the CPU) belong to no device and get no seq;
 * their count is the "arcs_missed" line of the module's status file.
 *
 * Lifetime: the file_operations are owned by this module, so an open file
 * keeps the module loaded.  An open file holds a reference on its device:
 * its pollers wait on the device's wait queue, which must outlive them even
 * when the device is removed while the file is open.  read and poll run
 * under debugfs_file_get(), so they never see a removed device.
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

/* Only read by init: every value the bool parser accepts is fine. */
static bool arcs = true;
module_param(arcs, bool, 0444);
MODULE_PARM_DESC(arcs, "log FSM arcs with a kretprobe (default: Y)");

/* The kretprobe is registered; set and cleared by init and exit only. */
static bool vfiomig_arcs_on;

/* Longest line: two u64, three state names, an int and separators. */
#define VFIOMIG_LINE_MAX	128

/* Arguments of vfio_mig_get_next_state(), saved on entry. */
struct vfiomig_call {
	const struct vfio_device *vdev;
	unsigned long cur;
	unsigned long target;
	const u32 *next;
};

/* One open "arcs" file: file->private_data. */
struct vfiomig_reader {
	struct vfiomig_dev *vd;		/* holds a reference */
	struct mutex lock;		/* serialises read, poll and rewind */
	u64 last;			/* seq of the last entry returned */
	bool rewound;			/* start at the oldest entry, no "lost" */
	char line[VFIOMIG_LINE_MAX];	/* line being returned */
	size_t len;
	size_t off;
};

bool vfiomig_arcs_enabled(void)
{
	return vfiomig_arcs_on;
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

	wake_up_interruptible_poll(&vd->wq, EPOLLIN | EPOLLRDNORM);
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
	if (vd && vd->ring)
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
	vfiomig_arcs_on = true;
	return 0;
}

/* Steps the probe missed: no free instance, or a probe already running. */
static unsigned long vfiomig_arcs_missed(void)
{
	unsigned long missed;

	/* Counters the kprobes core bumps without a lock: a snapshot. */
	missed = data_race(vfiomig_kretprobe.nmissed);
	/* The same for the kprobe under the kretprobe. */
	missed += data_race(vfiomig_kretprobe.kp.nmissed);
	return missed;
}

void vfiomig_arcs_stop(void)
{
	if (!vfiomig_arcs_on)
		return;
	unregister_kretprobe(&vfiomig_kretprobe);
	vfiomig_arcs_on = false;
}

/* The arc log's lines of the status file. */
void vfiomig_arcs_status(struct seq_file *m)
{
	seq_printf(m, "arcs %d\n", vfiomig_arcs_on);
	seq_printf(m, "arcs_missed %lu\n",
		   vfiomig_arcs_on ? vfiomig_arcs_missed() : 0);
	seq_printf(m, "arcs_ring %d\n", VFIOMIG_RING_SIZE);
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

/* @ring: the device gets an arc ring (and an "arcs" file). */
int vfiomig_arcs_init_dev(struct vfiomig_dev *vd, bool ring)
{
	spin_lock_init(&vd->lock);
	init_waitqueue_head(&vd->wq);
	INIT_WORK(&vd->notify_work, vfiomig_notify);
	if (!ring)
		return 0;
	vd->ring = kcalloc(VFIOMIG_RING_SIZE, sizeof(*vd->ring), GFP_KERNEL);
	return vd->ring ? 0 : -ENOMEM;
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
	__wake_up(&vd->wq, TASK_INTERRUPTIBLE, 0, poll_to_key(EPOLLHUP));
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

/* read and poll run under debugfs_file_get(): the device is not removed. */
static ssize_t vfiomig_arcs_read(struct file *file, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct vfiomig_reader *r = file->private_data;
	size_t done = 0;
	bool fault;

	mutex_lock(&r->lock);
	if (*ppos == 0)
		vfiomig_reader_rewind(r);
	while (done < count) {
		size_t n;

		if (r->off == r->len && !vfiomig_reader_fill(r, r->vd))
			break;
		n = min(count - done, r->len - r->off);
		if (copy_to_user(buf + done, r->line + r->off, n))
			break;
		r->off += n;
		done += n;
	}
	fault = !done && count && r->off < r->len;
	mutex_unlock(&r->lock);

	if (fault)
		return -EFAULT;
	*ppos += done;
	return done;
}

static __poll_t vfiomig_arcs_poll(struct file *file, poll_table *wait)
{
	struct vfiomig_reader *r = file->private_data;
	struct vfiomig_dev *vd = r->vd;
	unsigned long flags;
	__poll_t mask = 0;

	poll_wait(file, &vd->wq, wait);

	mutex_lock(&r->lock);
	spin_lock_irqsave(&vd->lock, flags);
	if (vd->gone)
		mask = EPOLLHUP;
	else if (vd->head > r->last || r->off < r->len)
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock_irqrestore(&vd->lock, flags);
	mutex_unlock(&r->lock);
	return mask;
}

/* Only "rewind" (offset 0 from the start) and "where am I" make sense. */
static loff_t vfiomig_arcs_llseek(struct file *file, loff_t offset,
				  int whence)
{
	if (offset || (whence != SEEK_SET && whence != SEEK_CUR))
		return -EINVAL;
	if (whence == SEEK_SET)
		file->f_pos = 0;
	return file->f_pos;
}

/* Under debugfs_file_get(): the registry still holds the device. */
static int vfiomig_arcs_open(struct inode *inode, struct file *file)
{
	struct vfiomig_reader *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	mutex_init(&r->lock);
	r->vd = inode->i_private;
	kref_get(&r->vd->ref);
	vfiomig_reader_rewind(r);
	file->private_data = r;
	return 0;
}

/* Not under debugfs_file_get(): the device may be removed already. */
static int vfiomig_arcs_release(struct inode *inode, struct file *file)
{
	struct vfiomig_reader *r = file->private_data;

	vfiomig_dev_put(r->vd);
	mutex_destroy(&r->lock);
	kfree(r);
	return 0;
}

static const struct file_operations vfiomig_arcs_fops = {
	.owner = THIS_MODULE,
	.open = vfiomig_arcs_open,
	.read = vfiomig_arcs_read,
	.poll = vfiomig_arcs_poll,
	.llseek = vfiomig_arcs_llseek,
	.release = vfiomig_arcs_release,
};

void vfiomig_arcs_file_create(struct vfiomig_dev *vd)
{
	struct dentry *d;

	d = debugfs_create_file("arcs", 0444, vd->mig, vd, &vfiomig_arcs_fops);
	if (!IS_ERR(d))
		vd->arcs = d;
}
