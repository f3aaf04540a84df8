// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfiomig: module parameters, the debugfs root, init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "vfiomig.h"

#define VFIOMIG_ROOT_DEFAULT	"vfio"
#define VFIOMIG_ROOT_FALLBACK	"vfiomig"

/*
 * "root" is empty by default: the module then picks "vfio", or "vfiomig"
 * when the kernel already has a "vfio" debugfs root (CONFIG_VFIO_DEBUGFS).
 * After loading it shows the name actually used.
 */
static char root_name[32];
module_param_string(root, root_name, sizeof(root_name), 0444);
MODULE_PARM_DESC(root, "debugfs root directory name (default: vfio, or vfiomig when the kernel has its own vfio root)");

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
	if (strchr(name, '/') || debugfs_has(name)) {
		pr_err("debugfs root \"%s\" is invalid or already exists\n",
		       name);
		return -EEXIST;
	}

	d = debugfs_create_dir(name, NULL);
	if (IS_ERR(d))
		return PTR_ERR(d);

	if (name != root_name)
		strscpy(root_name, name, sizeof(root_name));
	vfiomig_root = d;
	return 0;
}

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

	/* What the files need after unload; before the first file exists. */
	ret = vfiomig_keep_alloc();
	if (ret)
		goto out_arcs;

	ret = vfiomig_discover_start();
	if (ret)
		goto out_keep;

	pr_info("debugfs root %s, arc log %s\n", root_name,
		vfiomig_arcs_enabled() ? "enabled" : "disabled");
	return 0;

out_keep:
	vfiomig_keep_release();
out_arcs:
	vfiomig_arcs_stop();
out_root:
	debugfs_remove(vfiomig_root);
	vfiomig_root = NULL;
	return ret;
}

/*
 * Files may still be open: they fail with EIO from now on, and closing them
 * runs no code of this module (see vfiomig_files.c).
 */
static void __exit vfiomig_exit(void)
{
	/* No more arcs first, then the devices, then the (empty) root. */
	vfiomig_arcs_stop();
	vfiomig_discover_stop();
	debugfs_remove(vfiomig_root);
	vfiomig_root = NULL;
	vfiomig_keep_release();
}

module_init(vfiomig_init);
module_exit(vfiomig_exit);

MODULE_DESCRIPTION("VFIO migration state files in debugfs with an FSM arc log");
MODULE_AUTHOR("The vfiomigtop authors");
MODULE_LICENSE("GPL");
