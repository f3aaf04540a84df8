// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ident.c - identity from sysfs fixtures, PCI names through libpci,
 * the /proc owner scan (on a fixture tree and on a real process holding a
 * fake /dev/vfio file), the QMP client over a socketpair (a well-behaved
 * QEMU, garbage, a stall), the rules of devinfo.c, and QEMU's failures in
 * a pair's attempts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "attempt.h"
#include "devinfo.h"
#include "fsm.h"
#include "ident.h"
#include "owner.h"
#include "qmp.h"
#include "testutil.h"

#define ID FIXTURES "/ident"
#define SYSFS ID "/sysfs"
#define MTTY "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
/* The grace period of a disagreement. */
#define G (2000 * CLOCK_NS_PER_MS)

/* ---- identity ---- */

START_TEST(vf_with_pf)
{
	struct ident id;

	ident_names_init(ID "/pci.ids");
	ck_assert_int_eq(ident_read(SYSFS, "0000:3b:00.2", &id), 0);
	ck_assert_int_eq(id.kind, IDENT_PCI);
	ck_assert_str_eq(id.bus, "pci");
	ck_assert_str_eq(id.driver, "mlx5_vfio_pci");
	ck_assert(id.ids);
	ck_assert_uint_eq(id.vendor, 0x15b3);
	ck_assert_uint_eq(id.device, 0x101e);
	ck_assert_str_eq(id.vendor_name, "Mellanox Technologies");
	ck_assert_str_eq(id.device_name, "ConnectX Family mlx5Gen Virtual Function");
	ck_assert_int_eq(id.iommu_group, 42);
	ck_assert_str_eq(id.pf, "0000:3b:00.0");
	ck_assert_str_eq(id.vfio_dev, "vfio3");
	ck_assert(id.reset);
	ck_assert_str_eq(id.err, "");
}
END_TEST

START_TEST(pf_and_nomig)
{
	struct ident id;
	char buf[256];

	ident_names_init(ID "/pci.ids");
	ck_assert_int_eq(ident_read(SYSFS, "0000:3b:00.0", &id), 0);
	ck_assert_str_eq(id.pf, "");
	ck_assert_str_eq(id.driver, "mlx5_core");
	ck_assert_int_eq(ident_read(SYSFS, "0000:17:00.0", &id), 0);
	ck_assert_str_eq(id.driver, "vfio-pci");
	ck_assert_str_eq(id.vendor_name, "Intel Corporation");
	ident_summary(&id, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vfio-pci, Intel Corporation Ethernet Controller X710 for 10GbE SFP+ [8086:1572], IOMMU group 17");
}
END_TEST

START_TEST(mdev)
{
	struct ident id;
	char buf[256];

	ck_assert_int_eq(ident_read(SYSFS, MTTY, &id), 0);
	ck_assert_int_eq(id.kind, IDENT_MDEV);
	ck_assert_str_eq(id.mdev_type, "mtty-2");
	ck_assert_str_eq(id.mdev_type_name, "Dual port serial");
	ck_assert_str_eq(id.parent, "mtty");
	ck_assert_str_eq(id.driver, "vfio_mdev");
	ck_assert_int_eq(id.iommu_group, 7);
	ck_assert_str_eq(id.vfio_dev, "vfio9");
	ck_assert(!id.ids);
	ck_assert(!id.reset);
	ck_assert(id.remove);
	ident_summary(&id, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vfio_mdev, mdev mtty-2 (Dual port serial) of mtty, IOMMU group 7");
}
END_TEST

START_TEST(malformed_and_missing)
{
	struct ident id;

	ck_assert_int_eq(ident_read(SYSFS, "0000:af:00.1", &id), 0);
	ck_assert_int_eq(id.kind, IDENT_PCI);
	ck_assert(!id.ids);
	ck_assert_int_eq(id.iommu_group, -1);
	ck_assert_str_eq(id.driver, "");
	ck_assert_ptr_nonnull(strstr(id.err, "vendor/device: not a PCI ID"));
	ck_assert_ptr_nonnull(strstr(id.err, "iommu_group: not a number"));
	ck_assert_int_eq(ident_read(SYSFS, "0000:99:00.0", &id), -ENOENT);
	ck_assert_int_eq(id.kind, IDENT_UNKNOWN);
	ck_assert_int_eq(ident_read(SYSFS, "../pci", &id), -ENOENT);
	ck_assert_int_eq(ident_read(SYSFS, "..", &id), -ENOENT);
	ck_assert_int_eq(ident_read("/nonexistent", "0000:3b:00.2", &id), -ENOENT);
}
END_TEST

START_TEST(system_pci_ids)
{
	char v[96], d[96];

	/* Debian's pci.ids (package pci.ids), through libpci's default. */
	if (access("/usr/share/misc/pci.ids", R_OK))
		return;
	ident_names_init(NULL);
	ck_assert(ident_pci_names(0x15b3, 0x101e, v, sizeof(v), d, sizeof(d)));
	ck_assert_str_eq(v, "Mellanox Technologies");
	ck_assert_ptr_nonnull(strstr(d, "Virtual Function"));
	ck_assert(!ident_pci_names(0x0002, 0x0001, v, sizeof(v), d, sizeof(d)));
	ck_assert_str_eq(v, "");
	/* A database that is not there: no names, no crash. */
	ident_names_init("/nonexistent/pci.ids");
	ck_assert(!ident_pci_names(0x15b3, 0x101e, v, sizeof(v), d, sizeof(d)));
}
END_TEST

START_TEST(recovery)
{
	struct ident id;
	char buf[400];

	ident_read(SYSFS, "0000:3b:00.2", &id);
	ident_recovery(&id, "/sys", "0000:3b:00.2", buf, sizeof(buf));
	ck_assert_str_eq(buf, "echo 1 > /sys/bus/pci/devices/0000:3b:00.2/reset");
	ident_read(SYSFS, MTTY, &id);
	ident_recovery(&id, "/sys", MTTY, buf, sizeof(buf));
	ck_assert_str_eq(buf, "echo 1 > /sys/bus/mdev/devices/" MTTY "/remove; echo "
			 MTTY " > /sys/class/mdev_bus/mtty/mdev_supported_types/mtty-2/create");
	ident_read(SYSFS, "0000:17:00.0", &id);
	id.reset = false;
	ident_recovery(&id, "/sys", "0000:17:00.0", buf, sizeof(buf));
	ck_assert_str_eq(buf, "echo 0000:17:00.0 > /sys/bus/pci/drivers/vfio-pci/unbind; echo 0000:17:00.0 > /sys/bus/pci/drivers/vfio-pci/bind");
}
END_TEST

/* ---- owners ---- */

START_TEST(links_and_names)
{
	char cdev[32], vm[96];
	int g = -1;

	ck_assert_int_eq(owner_parse_link("/dev/vfio/42", "/dev", &g, cdev, sizeof(cdev)), 1);
	ck_assert_int_eq(g, 42);
	ck_assert_int_eq(owner_parse_link("/dev/vfio/noiommu-3", "/dev/", &g, cdev, sizeof(cdev)), 1);
	ck_assert_int_eq(g, 3);
	ck_assert_int_eq(owner_parse_link("/dev/vfio/devices/vfio12", "/dev", &g, cdev, sizeof(cdev)), 2);
	ck_assert_str_eq(cdev, "vfio12");
	ck_assert_int_eq(owner_parse_link("/dev/vfio/vfio", "/dev", &g, cdev, sizeof(cdev)), 0);
	ck_assert_int_eq(owner_parse_link("/dev/vfio/42x", "/dev", &g, cdev, sizeof(cdev)), 0);
	ck_assert_int_eq(owner_parse_link("/dev/vfio/devices/vfio", "/dev", &g, cdev, sizeof(cdev)), 0);
	ck_assert_int_eq(owner_parse_link("/tmp/dev/vfio/42", "/dev", &g, cdev, sizeof(cdev)), 0);
	ck_assert_int_eq(owner_parse_link("socket:[12]", "/dev", &g, cdev, sizeof(cdev)), 0);
	ck_assert_int_eq(owner_parse_link("/dev/vfio/99999999999", "/dev", &g, cdev, sizeof(cdev)), 0);

	static const char a1[] = "qemu\0-name\0guest=vm1,debug-threads=on\0-m\0" "64";
	static const char a2[] = "qemu\0-name\0plain,process=x\0";
	static const char a3[] = "qemu\0-name\0guest=a,,b\0";
	static const char a4[] = "qemu\0-m\0" "64\0";
	static const char a5[] = "qemu\0-name";	/* cut short */
	ck_assert(owner_vm_name(a1, sizeof(a1) - 1, vm, sizeof(vm)));
	ck_assert_str_eq(vm, "vm1");
	ck_assert(owner_vm_name(a2, sizeof(a2) - 1, vm, sizeof(vm)));
	ck_assert_str_eq(vm, "plain");
	ck_assert(owner_vm_name(a3, sizeof(a3) - 1, vm, sizeof(vm)));
	ck_assert_str_eq(vm, "a,b");
	ck_assert(!owner_vm_name(a4, sizeof(a4) - 1, vm, sizeof(vm)));
	ck_assert(!owner_vm_name(a5, sizeof(a5) - 1, vm, sizeof(vm)));
}
END_TEST

START_TEST(scan_fixture)
{
	struct owner_scan s;
	const struct owner_proc *p;
	unsigned int n;

	ck_assert_int_eq(owner_scan(ID "/proc", "/dev", &s), 0);
	ck_assert_uint_eq(s.processes, 3);
	ck_assert_uint_eq(s.nprocs, 2);
	p = owner_find(&s, 42, "", &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->pid, 4242);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(p->comm, "qemu-system-x86");
	ck_assert_str_eq(p->vm, "web1,prod");
	ck_assert_uint_eq(p->nfiles, 2);
	p = owner_find(&s, 7, "vfio9", &n);
	ck_assert_int_eq(p->pid, 4242);
	p = owner_find(&s, 51, "", &n);
	ck_assert_int_eq(p->pid, 4244);
	ck_assert_str_eq(p->vm, "hisi-vm");
	ck_assert_ptr_null(owner_find(&s, 44, "", &n));
	ck_assert_uint_eq(n, 0);
	owner_free(&s);
	ck_assert_int_eq(owner_scan("/nonexistent", "/dev", &s), -ENOENT);
}
END_TEST

/* A quick scan skips who held nothing; a full one looks again. */
START_TEST(scan_memo_quick)
{
	char dir[] = "/tmp/vfiomigtop-memo-XXXXXX", cmd[512], proc[256];
	struct owner_memo memo = { NULL, 0 };
	struct owner_scan s;
	unsigned int fds;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/proc' '%s/'", ID, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	ck_assert_int_eq(owner_scan_memo(proc, "/dev", &memo, false, &s), 0);
	ck_assert_uint_eq(memo.nquiet, 1);
	ck_assert_int_eq(memo.quiet[0], 4243);
	ck_assert_uint_eq(s.skipped, 0);
	fds = s.fds;
	owner_free(&s);
	/* Quick: 4243 is skipped, the holders are looked at again. */
	ck_assert_int_eq(owner_scan_memo(proc, "/dev", &memo, true, &s), 0);
	ck_assert_uint_eq(s.processes, 3);
	ck_assert_uint_eq(s.skipped, 1);
	ck_assert_uint_eq(s.fds, fds - 1);
	ck_assert_int_eq(owner_find(&s, 42, "", NULL)->pid, 4242);
	ck_assert_int_eq(owner_find(&s, 51, "", NULL)->pid, 4244);
	owner_free(&s);
	/* 4243 opens group 44: a quick scan does not see it, a full one does. */
	snprintf(cmd, sizeof(cmd), "ln -s /dev/vfio/44 '%s/proc/4243/fd/5'", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(owner_scan_memo(proc, "/dev", &memo, true, &s), 0);
	ck_assert_ptr_null(owner_find(&s, 44, "", NULL));
	owner_free(&s);
	ck_assert_int_eq(owner_scan_memo(proc, "/dev", &memo, false, &s), 0);
	ck_assert_int_eq(owner_find(&s, 44, "", NULL)->pid, 4243);
	ck_assert_uint_eq(memo.nquiet, 0);
	owner_free(&s);
	/* A holder that lets go is seen by a quick scan (it is never skipped). */
	snprintf(cmd, sizeof(cmd), "rm '%s'/proc/4244/fd/*", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(owner_scan_memo(proc, "/dev", &memo, true, &s), 0);
	ck_assert_ptr_null(owner_find(&s, 51, "", NULL));
	ck_assert_uint_eq(memo.nquiet, 1);
	ck_assert_int_eq(memo.quiet[0], 4244);
	owner_free(&s);
	owner_memo_free(&memo);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A real process holding DIR/dev/vfio/12 open: found through /proc. */
START_TEST(scan_real_process)
{
	char dir[] = "/tmp/vfiomigtop-owner-XXXXXX", path[256], dev[256];
	int go[2], ready[2];
	struct owner_scan s;
	const struct owner_proc *p;
	pid_t pid;
	char c;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dev, sizeof(dev), "%s/dev", dir);
	snprintf(path, sizeof(path), "%s/dev/vfio", dir);
	ck_assert_int_eq(mkdir(dev, 0700), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/dev/vfio/12", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	if (!pid) {
		int fd = open(path, O_RDONLY);

		close(go[1]);
		(void)!write(ready[1], "x", 1);
		(void)!read(go[0], &c, 1);	/* until the test is done */
		_exit(fd < 0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(owner_scan("/proc", dev, &s), 0);
	p = owner_find(&s, 12, "", NULL);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->pid, pid);
	owner_free(&s);
	close(go[1]);
	waitpid(pid, NULL, 0);
	/* Gone: nobody holds it any more. */
	ck_assert_int_eq(owner_scan("/proc", dev, &s), 0);
	ck_assert_ptr_null(owner_find(&s, 12, "", NULL));
	owner_free(&s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dev/vfio", dir);
	rmdir(path);
	rmdir(dev);
	rmdir(dir);
}
END_TEST

/* ---- QMP over a socketpair ---- */

struct peer {
	int fd;
	char buf[65536];
	size_t len;
};

/* The next command the client sent (after letting it flush). */
static json_t *peer_cmd(struct qmp_conn *q, struct peer *p, uint64_t now)
{
	for (int tries = 0; tries < 100; tries++) {
		char *nl;
		ssize_t n;

		if ((nl = memchr(p->buf, '\n', p->len))) {
			json_t *o = json_loadb(p->buf, (size_t)(nl - p->buf), 0, NULL);

			p->len -= (size_t)(nl + 1 - p->buf);
			memmove(p->buf, nl + 1, p->len);
			return o;
		}
		qmp_tick(q, now, 1000 * CLOCK_NS_PER_MS);
		n = recv(p->fd, p->buf + p->len, sizeof(p->buf) - p->len, MSG_DONTWAIT);
		if (n > 0)
			p->len += (size_t)n;
	}
	return NULL;
}

static void peer_say(struct qmp_conn *q, struct peer *p, const char *line,
		     uint64_t now)
{
	ck_assert_int_eq(write(p->fd, line, strlen(line)), (ssize_t)strlen(line));
	qmp_io(q, POLLIN, now);
}

/* Answer the client's next command (which must be @cmd) with @ret. */
static json_t *peer_answer(struct qmp_conn *q, struct peer *p, const char *cmd,
			   const char *ret, uint64_t now)
{
	json_t *o = peer_cmd(q, p, now);
	char line[4096];

	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "execute")), cmd);
	snprintf(line, sizeof(line), "{\"return\": %s, \"id\": %lld}\n", ret,
		 (long long)json_integer_value(json_object_get(o, "id")));
	peer_say(q, p, line, now);
	return o;
}

static struct qmp_conn *qmp_up(struct peer *p, uint64_t now)
{
	struct qmp_conn *q = qmp_new("/nonexistent/qmp.sock");
	int sv[2];
	json_t *o;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->fd = sv[1];
	p->len = 0;
	ck_assert_int_eq(qmp_attach_fd(q, sv[0], now), 0);
	peer_say(q, p, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n", now);
	json_decref(peer_answer(q, p, "qmp_capabilities", "{}", now));
	ck_assert(qmp_view(q)->up);
	ck_assert_int_eq(qmp_view(q)->pid, getpid());
	json_decref(peer_answer(q, p, "query-name", "{\"name\": \"vm1\"}", now));
	o = peer_answer(q, p, "qom-list",
			"[{\"name\": \"type\", \"type\": \"string\"}, {\"name\": \"mtty0\", \"type\": \"child<vfio-pci>\"}, {\"name\": \"net0\", \"type\": \"child<virtio-net-pci>\"}]",
			now);
	json_decref(o);
	json_decref(peer_answer(q, p, "qom-list", "[]", now));
	/* Then, in order: query-migrate, qom-get sysfsdev, migration-events. */
	return q;
}

START_TEST(qmp_session)
{
	struct peer p;
	uint64_t now = T(0);
	struct qmp_conn *q = qmp_up(&p, now);
	const struct qmp_view *v = qmp_view(q);
	json_t *o;

	json_decref(peer_answer(q, &p, "query-migrate", "{}", now));
	o = peer_answer(q, &p, "qom-get", "\"/sys/bus/mdev/devices/" MTTY "\"", now);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "arguments"), "property")), "sysfsdev");
	json_decref(o);
	json_decref(peer_answer(q, &p, "qom-get", "true", now));
	ck_assert_str_eq(v->vm, "vm1");
	ck_assert_uint_eq(v->ndev, 1);
	ck_assert_str_eq(v->dev[0].host, MTTY);
	ck_assert_str_eq(v->dev[0].qom, "/machine/peripheral/mtty0");
	ck_assert_int_eq(v->dev[0].events, 1);
	ck_assert_str_eq(v->status, "none");
	/* A request QEMU made of the device. */
	peer_say(q, &p, "{\"event\": \"VFIO_MIGRATION\", \"data\": {\"device-id\": \"mtty0\", \"qom-path\": \"/machine/peripheral/mtty0\", \"device-state\": \"pre-copy\"}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\n", now);
	ck_assert_str_eq(v->dev[0].last, "pre-copy");
	ck_assert_str_eq(qmp_state_token(v->dev[0].last), "PRE_COPY");
	ck_assert_str_eq(qmp_state_token("pre-copy-p2p-prepare"), "PRE_COPY_P2P(prepare)");
	/* The migration runs, then fails: a failure with QEMU's text. */
	json_decref(peer_answer(q, &p, "query-migrate", "{\"status\": \"active\", \"total-time\": 12, \"vfio\": {\"transferred\": 96}}", T(100)));
	ck_assert_str_eq(v->status, "active");
	ck_assert_int_eq(v->vfio_transferred, 96);
	peer_say(q, &p, "{\"event\": \"MIGRATION\", \"data\": {\"status\": \"failed\"}}\n", T(200));
	ck_assert_uint_eq(v->nfail, 1);
	ck_assert_str_eq(qmp_fail_get(v, 1)->text, "");
	json_decref(peer_answer(q, &p, "query-migrate", "{\"status\": \"failed\", \"error-desc\": \"load of migration failed: Invalid argument\", \"total-time\": 40}", T(210)));
	ck_assert_str_eq(qmp_fail_get(v, 1)->text, "load of migration failed: Invalid argument");
	ck_assert_uint_eq(qmp_fail_get(v, 1)->lo_ns, T(0));
	ck_assert_uint_eq(qmp_fail_get(v, 1)->t_ns, T(200));
	ck_assert_str_eq(v->error, "load of migration failed: Invalid argument");
	/* QEMU goes away: down, with why; the request is history. */
	close(p.fd);
	qmp_io(q, POLLIN, T(300));
	ck_assert(!v->up);
	ck_assert_ptr_nonnull(strstr(v->msg, "closed"));
	ck_assert_str_eq(v->dev[0].last, "");
	/* ... and it is tried again later (here: nothing listens). */
	ck_assert_uint_ge(qmp_next(q, 0), T(300));
	qmp_tick(q, qmp_next(q, 0), 0);
	ck_assert_ptr_nonnull(strstr(v->msg, "cannot connect"));
	qmp_free(q);
}
END_TEST

START_TEST(qmp_only_queries)
{
	static const char *const allowed[] = {
		"qmp_capabilities", "query-name", "qom-list", "qom-get",
		"query-migrate",
	};
	struct peer p;
	struct qmp_conn *q = qmp_up(&p, T(0));
	json_t *o;
	int n = 0;

	/* Events of every kind, then what the client sends over a minute. */
	peer_say(q, &p, "{\"event\": \"MIGRATION\", \"data\": {\"status\": \"setup\"}}\n", T(1));
	peer_say(q, &p, "{\"event\": \"DEVICE_DELETED\", \"data\": {}}\n", T(2));
	for (uint64_t t = 1; t < 60; t++) {
		while ((o = peer_cmd(q, &p, T(1000 * t)))) {
			const char *c = json_string_value(json_object_get(o, "execute"));
			bool ok = false;

			for (size_t i = 0; i < sizeof(allowed) / sizeof(*allowed); i++)
				ok |= c && !strcmp(c, allowed[i]);
			ck_assert_msg(ok, "sent %s", c ? c : "(none)");
			n++;
			{
				char line[128];

				snprintf(line, sizeof(line), "{\"return\": {}, \"id\": %lld}\n",
					 (long long)json_integer_value(json_object_get(o, "id")));
				peer_say(q, &p, line, T(1000 * t));
			}
			json_decref(o);
		}
	}
	ck_assert_int_gt(n, 60);	/* a query a second, and rediscovery */
	ck_assert(qmp_view(q)->up);
	close(p.fd);
	qmp_free(q);
}
END_TEST

START_TEST(qmp_garbage)
{
	struct peer p;
	struct qmp_conn *q = qmp_up(&p, T(0));
	const struct qmp_view *v = qmp_view(q);
	char *big;

	peer_say(q, &p, "this is not json\n", T(1));
	ck_assert(!v->up);
	ck_assert_ptr_nonnull(strstr(v->msg, "not QMP"));
	close(p.fd);
	qmp_free(q);

	/* A line longer than 1 MiB. */
	q = qmp_up(&p, T(0));
	v = qmp_view(q);
	big = malloc(QMP_LINE_MAX + 2);
	memset(big, 'x', QMP_LINE_MAX + 1);
	big[QMP_LINE_MAX + 1] = '\n';
	fcntl(p.fd, F_SETFL, O_NONBLOCK);
	for (size_t off = 0; off < QMP_LINE_MAX + 2;) {
		ssize_t n = write(p.fd, big + off, QMP_LINE_MAX + 2 - off);

		if (n > 0)
			off += (size_t)n;
		qmp_io(q, POLLIN, T(1));
		if (!v->up)
			break;
	}
	ck_assert(!v->up);
	ck_assert_ptr_nonnull(strstr(v->msg, "1 MiB"));
	free(big);
	close(p.fd);
	qmp_free(q);

	/* No greeting: not QMP. */
	q = qmp_new("/nonexistent");
	{
		int sv[2];

		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		qmp_attach_fd(q, sv[0], T(0));
		p.fd = sv[1];
	}
	peer_say(q, &p, "{\"return\": {}}\n", T(1));
	ck_assert_ptr_nonnull(strstr(qmp_view(q)->msg, "no greeting"));
	close(p.fd);
	qmp_free(q);
}
END_TEST

START_TEST(qmp_stall)
{
	struct peer p;
	struct qmp_conn *q = qmp_up(&p, T(0));
	const struct qmp_view *v = qmp_view(q);

	/* Commands left unanswered: dropped after 10 s, not before. */
	qmp_tick(q, T(9000), 1000 * CLOCK_NS_PER_MS);
	ck_assert(v->up);
	qmp_tick(q, T(10001), 1000 * CLOCK_NS_PER_MS);
	ck_assert(!v->up);
	ck_assert_ptr_nonnull(strstr(v->msg, "stopped answering"));
	close(p.fd);
	qmp_free(q);
}
END_TEST

/* Text from QEMU reaches terminals: control characters never pass. */
START_TEST(qmp_hostile_text)
{
	struct qmp_conn *q = qmp_new("/nonexistent");
	struct peer p;
	int sv[2];
	json_t *o;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p.fd = sv[1];
	p.len = 0;
	qmp_attach_fd(q, sv[0], T(0));
	peer_say(q, &p, "{\"QMP\": {}}\n", T(0));
	json_decref(peer_answer(q, &p, "qmp_capabilities", "{}", T(0)));
	json_decref(peer_answer(q, &p, "query-name", "{\"name\": \"vm\\u001b[2J\"}", T(0)));
	json_decref(peer_answer(q, &p, "qom-list",
				"[{\"name\": \"bad\\u001bid\", \"type\": \"child<vfio-pci>\"}, {\"name\": \"ok0\", \"type\": \"child<vfio-pci>\"}]",
				T(0)));
	json_decref(peer_answer(q, &p, "qom-list", "[]", T(0)));
	json_decref(peer_answer(q, &p, "query-migrate",
				"{\"status\": \"failed\", \"error-desc\": \"x\\u0007y\"}", T(0)));
	o = peer_answer(q, &p, "qom-get", "\"/sys/bus/pci/devices/0000:01:00.1\\u001b\"", T(0));
	json_decref(o);
	json_decref(peer_answer(q, &p, "qom-get", "false", T(0)));
	ck_assert_str_eq(qmp_view(q)->vm, "vm?[2J");
	ck_assert_str_eq(qmp_view(q)->error, "x?y");
	ck_assert_uint_eq(qmp_view(q)->ndev, 1);	/* the bad id is no device */
	ck_assert_str_eq(qmp_view(q)->dev[0].qom, "/machine/peripheral/ok0");
	ck_assert_str_eq(qmp_view(q)->dev[0].host, "0000:01:00.1?");
	ck_assert_int_eq(qmp_view(q)->dev[0].events, 0);
	close(p.fd);
	qmp_free(q);
}
END_TEST

/* ---- the rules ---- */

static struct devinfo_dev tu_info(enum devinfo_owner o)
{
	struct devinfo_dev x;

	memset(&x, 0, sizeof(x));
	x.qmp = x.qdev = -1;
	x.owner_st = o;
	x.id.iommu_group = -1;
	return x;
}

START_TEST(can_migrate)
{
	struct devinfo_dev x = tu_info(DI_OWNER_UNKNOWN);
	struct model_dev *d = tu_dev("0000:17:00.0", PAIR_SRC, DS_NOMIG, T(0));

	snprintf(x.id.driver, sizeof(x.id.driver), "vfio-pci");
	x.have_ident = true;
	devinfo_judge(&x, d, NULL, 0, "/sys", G, T(10));
	ck_assert_int_eq(x.mig, DI_MIG_NO);
	ck_assert_str_eq(x.mig_text, "no: vfio-pci has no migration support");
	/* never opened: ERROR from the first read */
	d->val = DS_ERROR;
	d->features_known = true;
	d->features = FSM_F_ALL;
	devinfo_judge(&x, d, NULL, 0, "/sys", G, T(10));
	ck_assert_int_eq(x.mig, DI_MIG_IDLE);
	/* no P2P */
	d->val = DS_RUNNING;
	d->features = FSM_F_STOP_COPY | FSM_F_PRE_COPY;
	devinfo_judge(&x, d, NULL, 1, "/sys", G, T(10));
	ck_assert_int_eq(x.mig, DI_MIG_ALONE);
	devinfo_judge(&x, d, NULL, 2, "/sys", G, T(10));
	ck_assert_int_eq(x.mig, DI_MIG_NO_P2P);
	ck_assert_str_eq(x.mig_text, "no: no P2P, and its VM has 2 vfio devices (QEMU refuses)");
	d->features = FSM_F_ALL;
	devinfo_judge(&x, d, NULL, 2, "/sys", G, T(10));
	ck_assert_int_eq(x.mig, DI_MIG_YES);
	ck_assert_str_eq(x.mig_text, "yes (stop-copy, p2p, pre-copy)");
	free(d);
}
END_TEST

START_TEST(stranded)
{
	struct devinfo_dev x = tu_info(DI_OWNER_NONE);
	struct model_dev *d = tu_dev(MTTY, PAIR_DST, DS_RUNNING, T(0));

	ident_read(SYSFS, MTTY, &x.id);
	x.have_ident = true;
	tu_step(d, DS_RESUMING, T(100), 0);
	x.noowner_ns = T(5000);
	devinfo_judge(&x, d, NULL, 1, "/sys", G, T(9000));
	ck_assert(x.stranded);
	ck_assert_uint_eq(x.stranded_ns, T(5000));	/* since the owner left */
	ck_assert_ptr_nonnull(strstr(x.recovery, "/remove"));
	/* With an owner, or not known: not stranded. */
	x.owner_st = DI_OWNER_SOME;
	devinfo_judge(&x, d, NULL, 1, "/sys", G, T(9000));
	ck_assert(!x.stranded);
	x.owner_st = DI_OWNER_UNKNOWN;
	devinfo_judge(&x, d, NULL, 1, "/sys", G, T(9000));
	ck_assert(!x.stranded);
	/* RUNNING is not stranded; nor is a never-opened ERROR. */
	x.owner_st = DI_OWNER_NONE;
	tu_step(d, DS_RUNNING, T(9500), 0);
	devinfo_judge(&x, d, NULL, 1, "/sys", G, T(9900));
	ck_assert(!x.stranded);
	free(d);
	d = tu_dev("0000:3b:00.4", PAIR_SRC, DS_ERROR, T(0));
	devinfo_judge(&x, d, NULL, 1, "/sys", G, T(9900));
	ck_assert(!x.stranded);
	/* ... but a device that went into ERROR is. */
	tu_step(d, DS_RUNNING, T(100), 0);
	tu_step(d, DS_ERROR, T(200), 0);
	devinfo_judge(&x, d, NULL, 1, "/sys", G, T(9900));
	ck_assert(x.stranded);
	free(d);
}
END_TEST

START_TEST(disagreement)
{
	struct devinfo_dev x = tu_info(DI_OWNER_SOME);
	struct model_dev *d = tu_dev(MTTY, PAIR_SRC, DS_RUNNING, T(0));
	struct qmp_view q;

	memset(&q, 0, sizeof(q));
	q.up = true;
	q.ndev = 1;
	snprintf(q.status, sizeof(q.status), "active");
	snprintf(q.dev[0].last, sizeof(q.dev[0].last), "pre-copy");
	q.dev[0].last_ns = T(1000);
	x.qmp = 0;
	x.qdev = 0;
	d->features_known = true;
	d->features = FSM_F_ALL;
	tu_step(d, DS_PRE_COPY, T(1000), 0);
	devinfo_judge(&x, d, &q, 1, "/sys", G, T(5000));
	ck_assert(!x.disagree);
	ck_assert_str_eq(x.qemu, "PRE_COPY");
	/* The device is reset behind QEMU's back: RUNNING, QEMU believes PRE_COPY. */
	tu_step(d, DS_RUNNING, T(6000), MODEL_T_NOPATH);
	devinfo_judge(&x, d, &q, 1, "/sys", G, T(7000));
	ck_assert(!x.disagree);		/* within the grace period */
	devinfo_judge(&x, d, &q, 1, "/sys", G, T(8500));
	ck_assert(x.disagree);
	ck_assert_ptr_nonnull(strstr(x.disagree_text, "QEMU believes PRE_COPY, the device reads RUNNING"));
	/* QMP down: no belief to compare. */
	q.up = false;
	devinfo_judge(&x, d, &q, 1, "/sys", G, T(8500));
	ck_assert(!x.disagree);
	q.up = true;
	/* A destination: resuming, then QEMU says running after a failed load. */
	snprintf(q.dev[0].prev, sizeof(q.dev[0].prev), "resuming");
	snprintf(q.dev[0].last, sizeof(q.dev[0].last), "running");
	q.dev[0].reset_seen = true;
	q.dev[0].last_ns = T(9000);
	snprintf(q.status, sizeof(q.status), "completed");
	devinfo_judge(&x, d, &q, 1, "/sys", G, T(9100));
	ck_assert(x.disagree);
	ck_assert_ptr_nonnull(strstr(x.disagree_text, "reset it after a failed load"));
	ck_assert_ptr_nonnull(strstr(x.disagree_text, "completed"));
	/* A device without P2P goes RESUMING -> RUNNING in one request. */
	d->features = FSM_F_STOP_COPY;
	devinfo_judge(&x, d, &q, 1, "/sys", G, T(9100));
	ck_assert(!x.disagree);
	/* ... unless its own steps show the failed load. */
	tu_step(d, DS_RESUMING, T(8000), MODEL_T_ARC);
	d->hist[(d->hist_n - 1) % MODEL_HIST].flags = MODEL_T_ARC;
	tu_step(d, DS_STOP, T(8990), MODEL_T_FAILED);
	d->val = DS_RESUMING;
	tu_step(d, DS_RUNNING, T(8995), MODEL_T_NOPATH);
	devinfo_judge(&x, d, &q, 1, "/sys", G, T(9100));
	ck_assert(x.disagree);
	free(d);
}
END_TEST

/* ---- QEMU's failures in a pair's attempts ---- */

START_TEST(vmm_setup_failure)
{
	struct att_track t;
	struct att_cfg cfg = { .stuck_ns = 30 * CLOCK_NS_PER_S };
	struct att_event ev[4];
	char buf[400];

	att_init(&t);
	att_value(&t, ATT_SRC, DS_RUNNING, 0, T(0));
	att_value(&t, ATT_DST, DS_RUNNING, 0, T(0));
	ck_assert_uint_eq(att_eval(&t, &cfg, T(10), ev, 4), 0);
	/* No device moved; QEMU says the migration failed in setup. */
	att_vmm_failed(&t, ATT_SRC, T(100), T(150), "ram_save_setup failed: Operation not supported");
	ck_assert_uint_eq(att_eval(&t, &cfg, T(200), ev, 4), 1);
	ck_assert(ev[0].decided);
	ck_assert(!ev[0].note);
	ck_assert_int_eq(ev[0].a.outcome, ATT_FAILED);
	ck_assert_int_eq(ev[0].a.reason, ATT_R_VMM);
	ck_assert_str_eq(att_reason_code(ev[0].a.reason), "vmm-failed");
	att_reason_text(&ev[0].a, buf, sizeof(buf));
	ck_assert_str_eq(buf, "QEMU source failed the migration before any device changed state: ram_save_setup failed: Operation not supported");
	/* The destination's QEMU says its part: the same attempt, re-reported. */
	att_vmm_failed(&t, ATT_DST, T(100), T(160), "Not a migration stream");
	ck_assert_uint_eq(att_eval(&t, &cfg, T(300), ev, 4), 1);
	ck_assert(ev[0].note);
	ck_assert_uint_eq(t.ndecided, 1);
	ck_assert_uint_eq(t.count[ATT_FAILED], 1);
	att_reason_text(&ev[0].a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "; QEMU destination: Not a migration stream"));
}
END_TEST

START_TEST(vmm_text_on_device_attempt)
{
	struct att_track t;
	struct att_cfg cfg = { .stuck_ns = 30 * CLOCK_NS_PER_S };
	struct att_event ev[4];
	char buf[400];

	att_init(&t);
	att_value(&t, ATT_SRC, DS_RUNNING, 0, T(0));
	att_value(&t, ATT_DST, DS_RUNNING, 0, T(0));
	att_step(&t, ATT_SRC, DS_RUNNING, DS_PRE_COPY, T(100), T(100), 0);
	att_step(&t, ATT_DST, DS_RUNNING, DS_RESUMING, T(110), T(110), 0);
	att_eval(&t, &cfg, T(120), ev, 4);
	/* QEMU's words arrive while the attempt is open: they go with it. */
	att_vmm_failed(&t, ATT_DST, T(50), T(300), "load of migration failed: Invalid argument");
	att_step(&t, ATT_SRC, DS_PRE_COPY, DS_RUNNING, T(290), T(290), 0);
	att_confirm(&t, ATT_DST, T(295));
	ck_assert_uint_eq(att_eval(&t, &cfg, T(400), ev, 4), 1);
	ck_assert_int_eq(ev[0].a.outcome, ATT_FAILED);
	ck_assert_int_eq(ev[0].a.reason, ATT_R_ABANDONED);
	att_describe(&ev[0].a, T(400), buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "; QEMU destination: load of migration failed: Invalid argument"));
	/* A later failure of the source's QEMU, within the same span: a note. */
	att_vmm_failed(&t, ATT_SRC, T(50), T(500), "Unable to write to socket: Broken pipe");
	ck_assert_uint_eq(att_eval(&t, &cfg, T(600), ev, 4), 1);
	ck_assert(ev[0].note);
	/* Long after: a failure of its own. */
	att_vmm_failed(&t, ATT_SRC, T(60000), T(60100), "x");
	ck_assert_uint_eq(att_eval(&t, &cfg, T(60200), ev, 4), 1);
	ck_assert(!ev[0].note);
	ck_assert_uint_eq(t.ndecided, 2);
}
END_TEST

TU_MAIN("ident", vf_with_pf, pf_and_nomig, mdev, malformed_and_missing,
	system_pci_ids, recovery, links_and_names, scan_fixture, scan_memo_quick,
	scan_real_process, qmp_session, qmp_only_queries, qmp_garbage,
	qmp_stall, qmp_hostile_text, can_migrate, stranded, disagreement, vmm_setup_failure,
	vmm_text_on_device_attempt)
