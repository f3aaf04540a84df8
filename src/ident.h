/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ident.h - what a vfio device is, from sysfs: bus address or mdev UUID,
 * driver, PCI vendor and device names (from the PCI ID database through
 * libpci), IOMMU group, the PF of a VF, the parent and type of an mdev,
 * and how it can be reset.  Read from a root that defaults to /sys
 * (--sysfs ROOT for fixture trees).
 */
#ifndef VFIOMIGTOP_IDENT_H
#define VFIOMIGTOP_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What bus a device is on. */
enum ident_kind {
	IDENT_UNKNOWN,		/* not found in sysfs (or not read yet) */
	IDENT_PCI,		/* a PCI function (a VF, or a PF) */
	IDENT_MDEV,		/* a mediated device */
	IDENT_OTHER,		/* found on another bus */
};

#define IDENT_STR 96

struct ident {
	enum ident_kind kind;		/* IDENT_UNKNOWN: the fields below are empty */
	char bus[IDENT_STR];		/* bus name: "pci", "mdev", "platform", ... */
	char driver[IDENT_STR];		/* bound driver, "" for none */
	bool ids;			/* vendor and device are known */
	uint16_t vendor, device;	/* PCI IDs */
	char vendor_name[IDENT_STR];	/* from the PCI ID database, "" if not listed */
	char device_name[IDENT_STR];	/* from the PCI ID database, "" if not listed */
	int iommu_group;		/* IOMMU group number, -1 if none */
	char pf[IDENT_STR];		/* a VF's physical function, "" if none */
	char parent[IDENT_STR];		/* an mdev's parent device */
	char mdev_type[IDENT_STR];	/* an mdev's type ("mtty-2") */
	char mdev_type_name[IDENT_STR];	/* ... its name ("Dual port serial") */
	char vfio_dev[32];		/* the vfio cdev ("vfio3"), "" if none */
	bool reset;			/* a sysfs "reset" attribute exists */
	bool remove;			/* a sysfs "remove" attribute exists (mdev) */
	char err[160];			/* what could not be read or parsed, "" if all was */
};

/* The PCI ID database (libpci); thread-safe, loaded once. */
void ident_names_init(const char *ids_file);
bool ident_pci_names(uint16_t vendor, uint16_t device, char *vname,
		     size_t vlen, char *dname, size_t dlen);

int ident_read(const char *sysfs, const char *name, struct ident *out);
size_t ident_recovery(const struct ident *id, const char *sysfs,
		      const char *name, char *buf, size_t len);
size_t ident_summary(const struct ident *id, char *buf, size_t len);
const char *ident_kind_name(enum ident_kind k);
bool ident_equal(const struct ident *a, const struct ident *b);

#endif
