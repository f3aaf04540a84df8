// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ident.c - a vfio device's identity from sysfs.  The device directory is
 * looked up by name under ROOT/bus/pci/devices, ROOT/bus/mdev/devices,
 * then any other ROOT/bus/X/devices.  Every file is read once, small,
 * without blocking (a FIFO or a huge file in a hostile tree is refused),
 * and anything unexpected is reported in ident.err, never guessed.
 * Vendor and device names come from the PCI ID database through libpci.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "ident.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

/* ---- the PCI ID database ---- */

static pthread_mutex_t ident_pci_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pci_access *ident_pacc;
static char ident_ids_file[PATH_MAX];
static bool ident_pci_tried;

static void ident_pci_quiet(char *msg, ...)
{
	(void)msg;	/* a missing database only means no names */
}

static void ident_pci_fatal(char *msg, ...) __attribute__((noreturn));

/* libpci's error() must not return; it is only called for fatal access
 * errors of pci_init(), which is never called here. */
static void ident_pci_fatal(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	fputs("vfiomigtop: libpci: ", stderr);
	vfprintf(stderr, msg, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* Use @ids_file (NULL: libpci's default, Debian's pci.ids) for names. */
void ident_names_init(const char *ids_file)
{
	pthread_mutex_lock(&ident_pci_lock);
	snprintf(ident_ids_file, sizeof(ident_ids_file), "%s",
		 ids_file ? ids_file : "");
	if (ident_pacc)
		pci_cleanup(ident_pacc);
	ident_pacc = NULL;
	ident_pci_tried = false;
	pthread_mutex_unlock(&ident_pci_lock);
}

/* Names of PCI @vendor:@device; false when the database lists neither. */
bool ident_pci_names(uint16_t vendor, uint16_t device, char *vname,
		     size_t vlen, char *dname, size_t dlen)
{
	char buf[256];
	const char *s;
	bool any = false;

	vname[0] = dname[0] = 0;
	pthread_mutex_lock(&ident_pci_lock);
	if (!ident_pacc && !ident_pci_tried) {
		ident_pci_tried = true;
		ident_pacc = pci_alloc();
		if (ident_pacc) {
			ident_pacc->error = ident_pci_fatal;
			ident_pacc->warning = ident_pci_quiet;
			ident_pacc->debug = ident_pci_quiet;
			if (ident_ids_file[0])
				pci_set_name_list_path(ident_pacc,
						       ident_ids_file, 0);
		}
	}
	if (ident_pacc) {
		int fl = PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB;

		s = pci_lookup_name(ident_pacc, buf, sizeof(buf),
				    PCI_LOOKUP_VENDOR | fl, (int)vendor);
		if (s) {
			snprintf(vname, vlen, "%s", s);
			any = true;
		}
		s = pci_lookup_name(ident_pacc, buf, sizeof(buf),
				    PCI_LOOKUP_DEVICE | fl, (int)vendor,
				    (int)device);
		if (s) {
			snprintf(dname, dlen, "%s", s);
			any = true;
		}
	}
	pthread_mutex_unlock(&ident_pci_lock);
	return any;
}

/* ---- reading sysfs ---- */

/* snprintf for paths and copies: false when it did not fit. */
static bool ident_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool ident_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

static void ident_err(struct ident *id, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ident_err(struct ident *id, const char *fmt, ...)
{
	size_t n = strlen(id->err);
	va_list ap;

	if (n + 3 >= sizeof(id->err))
		return;
	if (n) {
		id->err[n++] = ';';
		id->err[n++] = ' ';
		id->err[n] = 0;
	}
	va_start(ap, fmt);
	vsnprintf(id->err + n, sizeof(id->err) - n, fmt, ap);
	va_end(ap);
}

/*
 * One line of a small regular file, newline stripped: 0, -ENOENT when it
 * is not there, another -errno, or -EINVAL for content that is not one
 * short printable line.
 */
static int ident_line(const char *dir, const char *file, char *buf,
		      size_t len)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd, e;

	buf[0] = 0;
	if (!ident_fmt(path, sizeof(path), "%s/%s", dir, file))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	n = read(fd, buf, len - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] == 0x7f) {
			buf[0] = 0;
			return -EINVAL;
		}
	return 0;
}

/* The last component of the target of link @dir/@file, or -errno. */
static int ident_link_base(const char *dir, const char *file, char *buf,
			   size_t len)
{
	char path[PATH_MAX], tgt[PATH_MAX];
	const char *b;
	ssize_t n;

	buf[0] = 0;
	if (!ident_fmt(path, sizeof(path), "%s/%s", dir, file))
		return -ENAMETOOLONG;
	n = readlink(path, tgt, sizeof(tgt) - 1);
	if (n < 0)
		return -errno;
	tgt[n] = 0;
	while (n > 1 && tgt[n - 1] == '/')
		tgt[--n] = 0;
	b = strrchr(tgt, '/');
	b = b ? b + 1 : tgt;
	if (!*b || strlen(b) >= len)
		return -EINVAL;
	for (const char *c = b; *c; c++)	/* it reaches terminals */
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			return -EINVAL;
	(void)ident_fmt(buf, len, "%s", b);
	return 0;
}

static bool ident_exists(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	(void)ident_fmt(path, sizeof(path), "%s/%s", dir, file);
	return lstat(path, &st) == 0;
}

/* A hexadecimal ID file ("0x15b3"). */
static int ident_hex(const char *dir, const char *file, uint16_t *out)
{
	char buf[32], *end;
	unsigned long v;
	int rc = ident_line(dir, file, buf, sizeof(buf));

	if (rc)
		return rc;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || *end || v > 0xffff || strncmp(buf, "0x", 2))
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* The device directory of @name: ROOT/bus/B/devices/NAME. */
static bool ident_find(const char *sysfs, const char *name, char *dir,
		       size_t dlen, char *bus, size_t blen)
{
	static const char *const first[] = { "pci", "mdev" };
	char path[PATH_MAX];
	struct stat st;
	struct dirent *de;
	DIR *d;
	bool found = false;

	for (size_t i = 0; i < 2; i++) {
		(void)ident_fmt(dir, dlen, "%s/bus/%s/devices/%s", sysfs, first[i], name);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			(void)ident_fmt(bus, blen, "%s", first[i]);
			return true;
		}
	}
	(void)ident_fmt(path, sizeof(path), "%s/bus", sysfs);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "pci") ||
		    !strcmp(de->d_name, "mdev"))
			continue;
		(void)ident_fmt(dir, dlen, "%s/%s/devices/%s", path, de->d_name, name);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			(void)ident_fmt(bus, blen, "%s", de->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

/* The vfio cdev of a device: its vfio-dev/vfioN, if any. */
static void ident_vfio_dev(const char *dir, struct ident *id)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	(void)ident_fmt(path, sizeof(path), "%s/vfio-dev", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4) && de->d_name[4] &&
		    strlen(de->d_name) < sizeof(id->vfio_dev)) {
			(void)ident_fmt(id->vfio_dev, sizeof(id->vfio_dev), "%s",
				 de->d_name);
			break;
		}
	closedir(d);
}

static void ident_read_pci(const char *dir, struct ident *id)
{
	int rc1 = ident_hex(dir, "vendor", &id->vendor);
	int rc2 = ident_hex(dir, "device", &id->device);

	if (!rc1 && !rc2) {
		id->ids = true;
		ident_pci_names(id->vendor, id->device, id->vendor_name,
				sizeof(id->vendor_name), id->device_name,
				sizeof(id->device_name));
	} else {
		ident_err(id, "vendor/device: %s",
			  rc1 == -EINVAL || rc2 == -EINVAL ? "not a PCI ID" :
			  strerror(-(rc1 ? rc1 : rc2)));
	}
	if (ident_link_base(dir, "physfn", id->pf, sizeof(id->pf)) &&
	    ident_exists(dir, "physfn"))
		ident_err(id, "physfn: unreadable link");
}

static void ident_read_mdev(const char *dir, struct ident *id)
{
	char path[PATH_MAX], real[PATH_MAX], *slash;

	if (ident_link_base(dir, "mdev_type", id->mdev_type,
			    sizeof(id->mdev_type)))
		ident_err(id, "mdev_type: not a link");
	else if (ident_fmt(path, sizeof(path), "%s/mdev_type", dir) &&
		 ident_line(path, "name", id->mdev_type_name,
			    sizeof(id->mdev_type_name)) == -EINVAL)
		ident_err(id, "mdev_type/name: unparsable");
	/* The parent is the directory the mdev lives in. */
	if (realpath(dir, real) && (slash = strrchr(real, '/')) && slash != real) {
		*slash = 0;
		slash = strrchr(real, '/');
		(void)ident_fmt(id->parent, sizeof(id->parent), "%s",
			 slash ? slash + 1 : real);
	}
}

/*
 * Read the identity of device @name under @sysfs ("/sys").  Returns 0 when
 * the device was found (ident.err says what was malformed), -ENOENT when
 * it is not in sysfs.
 */
int ident_read(const char *sysfs, const char *name, struct ident *out)
{
	char dir[PATH_MAX], grp[32], *end;
	long g;

	memset(out, 0, sizeof(*out));
	out->iommu_group = -1;
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -ENOENT;
	if (!ident_find(sysfs, name, dir, sizeof(dir), out->bus,
			sizeof(out->bus)))
		return -ENOENT;
	out->kind = !strcmp(out->bus, "pci") ? IDENT_PCI :
		    !strcmp(out->bus, "mdev") ? IDENT_MDEV : IDENT_OTHER;
	if (ident_link_base(dir, "driver", out->driver, sizeof(out->driver)) &&
	    ident_exists(dir, "driver"))
		ident_err(out, "driver: unreadable link");
	if (!ident_link_base(dir, "iommu_group", grp, sizeof(grp))) {
		errno = 0;
		g = strtol(grp, &end, 10);
		if (errno || end == grp || *end || g < 0 || g > INT_MAX)
			ident_err(out, "iommu_group: not a number");
		else
			out->iommu_group = (int)g;
	}
	out->reset = ident_exists(dir, "reset");
	out->remove = ident_exists(dir, "remove");
	ident_vfio_dev(dir, out);
	if (out->kind == IDENT_PCI)
		ident_read_pci(dir, out);
	else if (out->kind == IDENT_MDEV)
		ident_read_mdev(dir, out);
	return 0;
}

const char *ident_kind_name(enum ident_kind k)
{
	switch (k) {
	case IDENT_PCI:
		return "pci";
	case IDENT_MDEV:
		return "mdev";
	case IDENT_OTHER:
		return "other";
	default:
		return "unknown";
	}
}

bool ident_equal(const struct ident *a, const struct ident *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* One line: "mlx5_vfio_pci, Mellanox ... [15b3:101e], VF of 0000:3b:00.0, group 42". */
size_t ident_summary(const struct ident *id, char *buf, size_t len)
{
	int n = 0;

	if (!len)
		return 0;
	buf[0] = 0;
	if (id->kind == IDENT_UNKNOWN)
		return 0;
#define ID_ADD(...) do { \
		if ((size_t)n < len) { \
			int k_ = snprintf(buf + n, len - (size_t)n, __VA_ARGS__); \
			n += k_ < 0 ? 0 : k_; \
		} \
	} while (0)
	ID_ADD("%s", id->driver[0] ? id->driver : "no driver");
	if (id->kind == IDENT_MDEV) {
		ID_ADD(", mdev %s", id->mdev_type[0] ? id->mdev_type : "?");
		if (id->mdev_type_name[0])
			ID_ADD(" (%s)", id->mdev_type_name);
		if (id->parent[0])
			ID_ADD(" of %s", id->parent);
	}
	if (id->ids)
		ID_ADD(", %s%s%s [%04x:%04x]",
		       id->vendor_name[0] ? id->vendor_name : "unknown vendor",
		       id->device_name[0] ? " " : "", id->device_name,
		       id->vendor, id->device);
	if (id->pf[0])
		ID_ADD(", VF of %s", id->pf);
	if (id->iommu_group >= 0)
		ID_ADD(", IOMMU group %d", id->iommu_group);
#undef ID_ADD
	return (size_t)n < len ? (size_t)n : len - 1;
}

/*
 * How to bring a device left in a migration state back to RUNNING, as a
 * command an operator can run: the reset attribute, else removing the
 * mdev, else unbinding and binding the driver.
 */
size_t ident_recovery(const struct ident *id, const char *sysfs,
		      const char *name, char *buf, size_t len)
{
	int n;

	if (!len)
		return 0;
	if (id->kind == IDENT_UNKNOWN)
		n = snprintf(buf, len,
			     "not found in %s: reset it through its VMM or reload its driver",
			     sysfs);
	else if (id->reset)
		n = snprintf(buf, len, "echo 1 > %s/bus/%s/devices/%s/reset",
			     sysfs, id->bus, name);
	else if (id->kind == IDENT_MDEV && id->remove)
		n = snprintf(buf, len,
			     "echo 1 > %s/bus/mdev/devices/%s/remove; echo %s > %s/class/mdev_bus/%s/mdev_supported_types/%s/create",
			     sysfs, name, name, sysfs,
			     id->parent[0] ? id->parent : "PARENT",
			     id->mdev_type[0] ? id->mdev_type : "TYPE");
	else if (id->driver[0])
		n = snprintf(buf, len,
			     "echo %s > %s/bus/%s/drivers/%s/unbind; echo %s > %s/bus/%s/drivers/%s/bind",
			     name, sysfs, id->bus, id->driver, name, sysfs,
			     id->bus, id->driver);
	else
		n = snprintf(buf, len, "no driver bound: bind one to reset it");
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}
