// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfiomig: finding vfio devices.
 *
 * Every registered vfio device has a class device "vfioN" of the class
 * "vfio-dev", embedded in its struct vfio_device.  A class interface on that
 * class is told about every such device, those registered before this module
 * was loaded and those registered later, on any bus (PCI, mdev, platform...).
 * Its remove callback runs from device_del() of the class device, which
 * vfio_unregister_group_dev() calls before the driver tears the device down,
 * so the files go away while the device and its mig_ops are still valid.
 *
 * The class pointer itself is not exported; it is read from a vfio_device
 * allocated (never registered) with the exported _vfio_alloc_device() and
 * released again at once.  Calling that export also makes vfio.ko a
 * dependency of this module, so the class outlives the interface.
 *
 * The class found that way must be "vfio-dev", or the load fails: the
 * module only understands devices embedded in a struct vfio_device.
 *
 * The class core calls add_dev and remove_dev under the class mutex, so the
 * registry below only needs its own lock against the kretprobe (RCU).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vfio.h>

#include "vfiomig.h"

/* The class of the device embedded in every struct vfio_device. */
#define VFIOMIG_CLASS_NAME	"vfio-dev"

static DEFINE_HASHTABLE(vfiomig_devs, 8);
static DEFINE_MUTEX(vfiomig_devs_lock);	/* writers of vfiomig_devs */

struct vfiomig_dev *vfiomig_dev_find_rcu(const struct vfio_device *vdev)
{
	struct vfiomig_dev *vd;

	hash_for_each_possible_rcu(vfiomig_devs, vd, node, (unsigned long)vdev)
		if (READ_ONCE(vd->vdev) == vdev)
			return vd;
	return NULL;
}

static void vfiomig_dev_release(struct kref *ref)
{
	struct vfiomig_dev *vd = container_of(ref, struct vfiomig_dev, ref);

	/*
	 * The device is gone (or never was registered): the kretprobe, which
	 * may still find it under RCU, no longer touches the ring.
	 */
	kfree(vd->ring);
	kfree_rcu(vd, rcu);
}

void vfiomig_dev_put(struct vfiomig_dev *vd)
{
	kref_put(&vd->ref, vfiomig_dev_release);
}

static void vfiomig_dev_add(struct vfio_device *vdev)
{
	struct vfiomig_dev *vd;

	vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return;

	kref_init(&vd->ref);
	vd->vdev = vdev;
	vd->mig_flags = vdev->migration_flags;
	vd->dirty_tracking = !!vdev->log_ops;
	if (vfiomig_arcs_init_dev(vd, vdev->mig_ops && vfiomig_arcs_enabled()))
		goto out_put;

	vd->dir = debugfs_create_dir(dev_name(vdev->dev), vfiomig_root);
	if (IS_ERR(vd->dir)) {
		pr_info("%s: no debugfs directory (%ld)\n", dev_name(vdev->dev),
			PTR_ERR(vd->dir));
		goto out_put;
	}

	if (vdev->mig_ops) {
		vfiomig_files_create(vd);
		if (vd->ring)
			vfiomig_arcs_file_create(vd);
	}

	mutex_lock(&vfiomig_devs_lock);
	hash_add_rcu(vfiomig_devs, &vd->node, (unsigned long)vdev);
	mutex_unlock(&vfiomig_devs_lock);
	return;

out_put:
	vfiomig_dev_put(vd);
}

/*
 * Called from device_del() of the class device, under the class mutex.
 * Removing the directory waits for reads in progress, and a read of
 * "state" waits in the driver's migration_get_state() for as long as the
 * driver holds its state lock, at most one state change (see
 * kmod/README.md for the measured bound).  It cannot be deferred: once
 * this returns, the driver may free the device.
 */
static void vfiomig_dev_remove(struct vfio_device *vdev)
{
	struct vfiomig_dev *vd;
	bool found = false;

	mutex_lock(&vfiomig_devs_lock);
	hash_for_each_possible(vfiomig_devs, vd, node, (unsigned long)vdev) {
		if (vd->vdev == vdev) {
			hash_del_rcu(&vd->node);
			found = true;
			break;
		}
	}
	mutex_unlock(&vfiomig_devs_lock);
	if (!found)
		return;

	/* No more arcs, no more pending notification. */
	vfiomig_arcs_remove_dev(vd);

	/*
	 * Waits for readers inside our file operations; open files fail with
	 * EIO from now on, and only their release still runs (it drops the
	 * reference an open "arcs" file holds).
	 */
	debugfs_remove(vd->dir);
	WRITE_ONCE(vd->vdev, NULL);

	/* Pollers of a removed "arcs" file now see EPOLLHUP. */
	vfiomig_arcs_hangup(vd);

	vfiomig_dev_put(vd);
}

static struct vfio_device *vfiomig_to_vdev(struct device *dev)
{
	return container_of(dev, struct vfio_device, device);
}

#ifdef VFIOMIG_CLASS_INTF_ARG
static int vfiomig_add_dev(struct device *dev, struct class_interface *intf)
#else
static int vfiomig_add_dev(struct device *dev)
#endif
{
	vfiomig_dev_add(vfiomig_to_vdev(dev));
	return 0;
}

#ifdef VFIOMIG_CLASS_INTF_ARG
static void vfiomig_remove_dev(struct device *dev, struct class_interface *intf)
#else
static void vfiomig_remove_dev(struct device *dev)
#endif
{
	vfiomig_dev_remove(vfiomig_to_vdev(dev));
}

static struct class_interface vfiomig_intf = {
	.add_dev = vfiomig_add_dev,
	.remove_dev = vfiomig_remove_dev,
};

#ifdef VFIOMIG_VFIO_FREE_DEVICE
/* Kernels where the vfio core leaves freeing to the driver. */
static void vfiomig_probe_release(struct vfio_device *vdev)
{
	vfio_free_device(vdev);
}
#endif

static const struct vfio_device_ops vfiomig_probe_ops = {
	.name = "vfiomig-probe",
#ifdef VFIOMIG_VFIO_FREE_DEVICE
	.release = vfiomig_probe_release,
#endif
};

int vfiomig_discover_start(void)
{
	struct vfio_device *probe;

	probe = _vfio_alloc_device(sizeof(*probe), NULL, &vfiomig_probe_ops);
	if (IS_ERR(probe)) {
		pr_err("cannot allocate a vfio device to find its class (%ld)\n",
		       PTR_ERR(probe));
		return PTR_ERR(probe);
	}
	vfiomig_intf.class = probe->device.class;
	vfio_put_device(probe);

	/* What the rest of the module relies on: see the top of this file. */
	if (!vfiomig_intf.class ||
	    strcmp(vfiomig_intf.class->name, VFIOMIG_CLASS_NAME)) {
		pr_err("a new vfio device has class \"%s\", not \"%s\": this kernel's vfio is not supported\n",
		       vfiomig_intf.class ? vfiomig_intf.class->name : "(none)",
		       VFIOMIG_CLASS_NAME);
		vfiomig_intf.class = NULL;
		return -ENODEV;
	}
	return class_interface_register(&vfiomig_intf);
}

void vfiomig_discover_stop(void)
{
	/* Calls remove_dev for every device still there. */
	class_interface_unregister(&vfiomig_intf);
}
