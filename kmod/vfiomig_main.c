// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfiomig: module parameters, the debugfs root and its status file, init
 * and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "vfiomig.h"

#define VFIOMIG_ROOT_DEFAULT	"vfio"
#define VFIOMIG_ROOT_FALLBACK	"vfiomig"
/* The module's status file in its root. */
#define VFIOMIG_STATUS_NAME	"vfiomig"

/*
 * "root" is empty by default: the module then picks "vfio", or "vfiomig"
 * when the kernel already has a "vfio" debugfs root (CONFIG_VFIO_DEBUGFS).
 * The value given at load is checked when it is parsed; the root is
 * created, or the load refused, in vfiomig_init().  Reading the parameter
 * shows the name in use once the root exists.
 */
static char root_name[32];
static const char *root_used;	/* published once the root exists */

/* Empty (the default), or up to 31 of [A-Za-z0-9._-] but not "." or "..". */
static bool vfiomig_root_name_valid(const char *name)
{
	const char *p;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

static int vfiomig_root_set(const char *val, const struct kernel_param *kp)
{
	if (strlen(val) >= sizeof(root_name))
		return -ENOSPC;
	if (!vfiomig_root_name_valid(val))
		return -EINVAL;
	strscpy(root_name, val, sizeof(root_name));
	return 0;
}

static int vfiomig_root_get(char *buffer, const struct kernel_param *kp)
{
	/* Pairs with the release in vfiomig_root_create(). */
	const char *name = smp_load_acquire(&root_used);

	return sysfs_emit(buffer, "%s\n", name ? name : root_name);
}

static const struct kernel_param_ops vfiomig_root_ops = {
	.set = vfiomig_root_set,
	.get = vfiomig_root_get,
};

module_param_cb(root, &vfiomig_root_ops, NULL, 0444);
MODULE_PARM_DESC(root, "debugfs root directory name, up to 31 of [A-Za-z0-9._-] (default: vfio, or vfiomig when the kernel has its own vfio root)");

struct dentry *vfiomig_root;

static bool debugfs_has(const char *name)
{
	struct dentry *d = debugfs_lookup(name, NULL);

	dput(d);
	return d;
}

static int vfiomig_root_create(void)
{
	const char *name = root_name;
	struct dentry *d;

	if (!name[0])
		name = debugfs_has(VFIOMIG_ROOT_DEFAULT) ?
		       VFIOMIG_ROOT_FALLBACK : VFIOMIG_ROOT_DEFAULT;

	/* Never add anything into a directory this module does not own. */
	if (debugfs_has(name)) {
		pr_err("debugfs root \"%s\" already exists\n", name);
		return -EEXIST;
	}

	d = debugfs_create_dir(name, NULL);
	if (IS_ERR(d)) {
		pr_err("cannot create the debugfs root \"%s\" (%ld)\n", name,
		       PTR_ERR(d));
		return PTR_ERR(d);
	}
	vfiomig_root = d;
	/* Sysfs may read the parameter while init runs. */
	smp_store_release(&root_used, name);
	return 0;
}

/* <root>/vfiomig: one "name value" line per item, see vfiomig(4). */
static int vfiomig_status_show(struct seq_file *m, void *unused)
{
	vfiomig_arcs_status(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vfiomig_status);

static int __init vfiomig_init(void)
{
	int ret;

	ret = vfiomig_root_create();
	if (ret)
		return ret;

	/* The arc log must be known before the first device's files exist. */
	ret = vfiomig_arcs_start();
	if (ret)
		goto out_root;

	/*
	 * Nothing may fail once a file exists: an open file would refer to
	 * a module that is freed when its init fails.
	 */
	ret = vfiomig_discover_start();
	if (ret)
		goto out_arcs;

	debugfs_create_file(VFIOMIG_STATUS_NAME, 0444, vfiomig_root, NULL,
			    &vfiomig_status_fops);

	pr_info("debugfs root %s, arc log %s\n", root_used,
		vfiomig_arcs_enabled() ? "enabled" : "disabled");
	return 0;

out_arcs:
	vfiomig_arcs_stop();
out_root:
	debugfs_remove(vfiomig_root);
	vfiomig_root = NULL;
	return ret;
}

/*
 * No file of the module is open here: every open file holds a reference on
 * the module (the file_operations are owned by THIS_MODULE).
 */
static void __exit vfiomig_exit(void)
{
	/* No more arcs first, then the devices, then the root. */
	vfiomig_arcs_stop();
	vfiomig_discover_stop();
	debugfs_remove(vfiomig_root);
	vfiomig_root = NULL;
}

module_init(vfiomig_init);
module_exit(vfiomig_exit);

MODULE_DESCRIPTION("VFIO migration state files in debugfs with an FSM arc log");
MODULE_AUTHOR("The vfiomigtop authors");
MODULE_LICENSE("GPL");
