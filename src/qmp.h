/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp.h - a read-only QMP client: QEMU's view of its vfio devices and of
 * its migration.  One connection per --qmp socket, non-blocking, driven by
 * a poll loop (vmwatch.c): it sends qmp_capabilities and queries
 * (query-name, qom-list, qom-get, query-migrate) and nothing else, takes
 * VFIO_MIGRATION and MIGRATION events, drops a peer that stalls or speaks
 * garbage, and reconnects when QEMU comes back.
 */
#ifndef VFIOMIGTOP_QMP_H
#define VFIOMIGTOP_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define QMP_DEVS 32		/* vfio devices kept per QEMU */
#define QMP_FAILS 4		/* failed migrations kept per QEMU */
#define QMP_LINE_MAX (1 << 20)	/* longest message accepted */
#define QMP_STALL_NS (10ULL * 1000000000ULL)	/* no answer this long: drop */

/* A vfio device of the QEMU. */
struct qmp_vdev {
	char qom[128];		/* QOM path, "/machine/peripheral/mtty0" */
	char id[64];		/* device id ("mtty0"), "" if anonymous */
	char host[96];		/* host device: sysfsdev basename or host= address */
	int events;		/* migration-events: 1 on, 0 off, -1 not known */
	char last[32];		/* last VFIO_MIGRATION device-state, "" none yet */
	char prev[32];		/* the one before it */
	uint64_t last_ns;	/* CLOCK_MONOTONIC ns it arrived */
	uint32_t nev;		/* VFIO_MIGRATION events for it */
	bool reset_seen;	/* QEMU reported running straight after resuming */
};

/* A migration QEMU reported failed while we watched. */
struct qmp_fail {
	uint32_t seq;		/* from 1 */
	uint64_t lo_ns;		/* it began after this (CLOCK_MONOTONIC ns) */
	uint64_t t_ns;		/* failed at or before this */
	char text[256];		/* error-desc, "" until known */
};

/* Everything the rest of the program may see of a connection. */
struct qmp_view {
	char path[108];		/* the socket */
	bool up;		/* connected and past capabilities negotiation */
	bool ever_up;		/* was up at least once */
	char msg[200];		/* why not up, or the last protocol problem; "" */
	pid_t pid;		/* QEMU's pid (SO_PEERCRED), 0 unknown */
	char vm[96];		/* query-name, "" none */
	char status[32];	/* query-migrate status, "none" before any */
	int64_t vfio_transferred;	/* vfio.transferred, bytes, -1 none */
	int64_t total_time;	/* ms, -1 none */
	int64_t downtime;	/* ms, -1 none */
	char error[256];	/* error-desc, "" none */
	uint64_t mig_ns;	/* CLOCK_MONOTONIC ns of the last query-migrate answer */
	struct qmp_vdev dev[QMP_DEVS];
	size_t ndev;
	bool devs_known;	/* the device list was read */
	struct qmp_fail fail[QMP_FAILS];	/* ring, index seq % QMP_FAILS */
	uint32_t nfail;		/* failures recorded, ever */
	uint64_t sent, received;	/* messages, ever (for the cost) */
};

struct qmp_conn;

struct qmp_conn *qmp_new(const char *path);
void qmp_free(struct qmp_conn *q);
int qmp_fd(const struct qmp_conn *q);
short qmp_want(const struct qmp_conn *q);
void qmp_io(struct qmp_conn *q, short revents, uint64_t now_ns);
void qmp_tick(struct qmp_conn *q, uint64_t now_ns, uint64_t poll_ns);
uint64_t qmp_next(const struct qmp_conn *q, uint64_t poll_ns);
const struct qmp_view *qmp_view(const struct qmp_conn *q);
int qmp_attach_fd(struct qmp_conn *q, int fd, uint64_t now_ns);

const char *qmp_state_token(const char *qapi_state);
const struct qmp_fail *qmp_fail_get(const struct qmp_view *v, uint32_t seq);

#endif
