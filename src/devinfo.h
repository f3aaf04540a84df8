/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devinfo.h - what the monitor knows about each device beyond its state:
 * identity (sysfs, or what a remote agent sent), its owner (the /proc
 * scan, or the QEMU holding it), QEMU's view over QMP, and what follows:
 * can it migrate, is it stranded (left in RESUMING, STOP or ERROR with no
 * owner), do QEMU and the kernel disagree.  Indexed like model.devs.
 */
#ifndef VFIOMIGTOP_DEVINFO_H
#define VFIOMIGTOP_DEVINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ident.h"
#include "model.h"
#include "obuf.h"
#include "owner.h"
#include "qmp.h"
#include "vmwatch.h"

struct source;
struct verdict;

enum devinfo_owner {
	DI_OWNER_UNKNOWN,	/* not scanned, not found, or the scan could not see everything */
	DI_OWNER_NONE,		/* nobody holds it open */
	DI_OWNER_SOME,		/* owner says who */
};

enum devinfo_mig {
	DI_MIG_UNKNOWN,		/* not read yet */
	DI_MIG_YES,		/* migration with the features listed */
	DI_MIG_NO,		/* the driver has no migration support */
	DI_MIG_IDLE,		/* reads ERROR, never opened: not a failure */
	DI_MIG_NO_P2P,		/* no P2P: QEMU refuses it beside other vfio devices */
	DI_MIG_ALONE,		/* no P2P: migrates only as the VM's only vfio device */
};

struct devinfo_dev {
	uint64_t serial;		/* model_dev.serial it is about (an index taken again starts afresh) */
	bool have_ident;		/* id is known */
	struct ident id;		/* identity */
	enum devinfo_owner owner_st;	/* owner known? */
	struct owner_proc owner;	/* the holder (owner_st == DI_OWNER_SOME) */
	unsigned int nholders;		/* processes holding it */
	uint64_t noowner_ns;		/* CLOCK_MONOTONIC ns the owner was first seen missing; 0 */
	int qmp;			/* the QEMU (index of --qmp) that has it, -1 */
	int qdev;			/* its device there, -1 */
	const char *qemu;		/* QEMU's last request as a kernel token, NULL none */
	uint64_t qemu_ns;		/* CLOCK_MONOTONIC ns QEMU reported it */
	enum devinfo_mig mig;		/* can it migrate? */
	char mig_text[160];		/* ... in words */
	bool disagree;			/* QEMU's belief and the device's state differ */
	char disagree_text[240];	/* ... how */
	bool stranded;			/* left in RESUMING, STOP or ERROR with no owner */
	uint64_t stranded_ns;		/* ... since (CLOCK_MONOTONIC ns) */
	char recovery[320];		/* how to bring it back, "" if not stranded */
	uint64_t facts_hash;		/* devinfo_facts(): what was last told */
};

struct devinfo {
	struct devinfo_dev *d;		/* per model device */
	size_t n;
	struct vmwatch *w;		/* the slow side (NULL: nothing local to watch) */
	struct vmwatch_result res;	/* its latest results */
	const char *sysfs;		/* sysfs root, for the recovery commands */
	bool owners;			/* the /proc scan is on */
	bool root;			/* running as root */
	uint64_t grace_ns;		/* how long a disagreement must last */
	bool wanted;			/* devices were handed to vmwatch */
	uint64_t appear_seen;		/* model.appear_seq they were handed for */
	uint32_t fail_done[16];		/* per QEMU: failures handed to the model */
	bool said_denied;		/* "not root" said once */
	bool said_events[16];		/* "migration-events off" said once per QEMU */
	bool said_up[16];		/* "connected" said for the current connection */
	bool quiet;			/* do not write notices to stderr */
	char note[240];			/* a notice for the views, "" none */
	struct strmap byname;		/* name -> index in res.devs */
	uint64_t byname_gen;		/* res.devs_gen it was built for */
	bool judged;			/* every device was judged once */
	uint64_t judged_gen;		/* res.news at the last pass over every device */
	uint64_t judged_serial;		/* model.dev_serial then (no device made since) */
	uint64_t passes;		/* passes over every device, ever */
	uint64_t judged_devs;		/* devices judged, ever (all passes) */
	uint64_t gen;			/* bumped whenever what is known of a device changed (views cache on it) */
	uint64_t facts_gen;		/* gen when devinfo_facts() last went over every device */
	uint64_t facts_pass;		/* passes then */
	uint64_t facts_passes;		/* devinfo_facts() passes over every device, ever */
};

struct devinfo_cfg {
	const char *sysfs, *proc, *dev;	/* roots */
	bool owners;			/* scan /proc */
	uint64_t owner_ns;		/* scan period */
	const char *const *qmp;		/* --qmp sockets */
	size_t nqmp;
	uint64_t delay_ns;		/* the refresh interval */
	bool quiet;			/* no notices on stderr (the screen) */
};

int devinfo_init(struct devinfo *di, const struct devinfo_cfg *cfg,
		 bool watch, char *err, size_t len);
void devinfo_update(struct devinfo *di, struct model *m,
		    struct source *const *src, const unsigned int *feed,
		    size_t nsrc, uint64_t now);
void devinfo_free(struct devinfo *di);
const struct devinfo_dev *devinfo_get(const struct devinfo *di, int dev);
const struct qmp_view *devinfo_qmp(const struct devinfo *di, int i);
void devinfo_verdict(const struct devinfo *di, const struct model *m,
		     const struct model_pair *p, struct verdict *v);

/* Receives one fact of a device (a journal, a report). */
typedef void (*devinfo_fact_fn)(void *ctx, int side, const char *name,
				const char *key, const char *val);
void devinfo_facts(struct devinfo *di, const struct model *m,
		   devinfo_fact_fn fn, void *ctx);

/* The pure rules, for the unit tests. */
void devinfo_judge(struct devinfo_dev *x, const struct model_dev *d,
		   const struct qmp_view *q, unsigned int vm_vfio_devs,
		   const char *sysfs, uint64_t grace_ns, uint64_t now);
size_t devinfo_owner_text(const struct devinfo_dev *x, char *buf, size_t len);

/* Views. */
void devinfo_json_dev(const struct devinfo *di, int dev, uint64_t now,
		      struct obuf *b);
void devinfo_json_top(const struct devinfo *di, struct obuf *b);
void devinfo_text_dev(const struct devinfo *di, int dev, uint64_t now,
		      struct obuf *b);

#endif
