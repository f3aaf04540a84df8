/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmwatch.h - the slow side of the monitor, in a thread of its own so
 * that the refresh never waits for it: device identities from sysfs, the
 * /proc scan for owners (every few seconds, and when the device set
 * changes), and the QMP connections.  The refresh loop hands it the
 * names of local devices and takes a copy of what it found.
 */
#ifndef VFIOMIGTOP_VMWATCH_H
#define VFIOMIGTOP_VMWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ident.h"
#include "owner.h"
#include "qmp.h"

struct vmwatch_cfg {
	const char *sysfs;		/* sysfs root ("/sys") */
	const char *proc;		/* proc root ("/proc") */
	const char *dev;		/* dev root ("/dev") */
	bool owners;			/* scan /proc for owners */
	uint64_t owner_ns;		/* owner scan period, ns */
	const char *const *qmp;		/* QMP sockets */
	size_t nqmp;
	uint64_t poll_ns;		/* query-migrate period, ns */
};

/* One local device as found. */
struct vmwatch_dev {
	char name[256];
	uint64_t stamp;			/* the appearance its identity was read for (vmwatch_want()) */
	bool found;			/* in sysfs */
	struct ident id;
	bool owner_known;		/* a scan ran since the device was seen */
	struct owner_proc owner;	/* pid 0: nobody holds it (as far as the scan could see) */
	unsigned int nholders;		/* processes holding it */
	uint64_t owner_ns;		/* CLOCK_MONOTONIC ns of that scan */
};

struct vmwatch_result {
	uint64_t gen;			/* changes whenever anything below does */
	uint64_t devs_gen;		/* changes whenever devs does */
	uint64_t news;			/* changes whenever devs, denied, scan_err or qmp may have */
	uint64_t want_seq;		/* the vmwatch_want() call devs answers */
	struct vmwatch_dev *devs;
	size_t ndevs;
	bool scanned;			/* an owner scan ran */
	unsigned int processes, denied, fds, skipped;	/* of the last scan (owner_scan) */
	int scan_err;			/* errno: the proc root could not be read */
	uint64_t scan_took_ns;		/* the last scan's cost */
	uint64_t scans;			/* scans done */
	struct qmp_view *qmp;		/* one per --qmp */
	size_t nqmp;
};

struct vmwatch;

struct vmwatch *vmwatch_start(const struct vmwatch_cfg *cfg, char *err,
			      size_t len);
uint64_t vmwatch_want(struct vmwatch *w, const char *const *names,
		      const uint64_t *stamps, size_t n);
bool vmwatch_get(struct vmwatch *w, struct vmwatch_result *out);
void vmwatch_result_free(struct vmwatch_result *r);
bool vmwatch_wait(struct vmwatch *w, uint64_t want_seq, uint64_t deadline_ns);
void vmwatch_stop(struct vmwatch *w);

#endif
