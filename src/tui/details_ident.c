// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * details_ident.c - in one device's details: what it is (driver, PCI
 * names, PF or mdev parent and type, IOMMU group), can it migrate, who
 * holds it (pid, VM), what QEMU last asked of it and how its migration
 * went, a disagreement between QEMU and the device, and for a device
 * stranded with no owner, how long and the command that recovers it.
 * Also the VM and DRIVER columns of the table.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "details_ident.h"

#include <stdio.h>
#include <string.h>

#include "ident.h"
#include "clock.h"
#include "devinfo.h"

void details_ident(const struct model *m, int dev, uint64_t now,
		   details_ident_add add, void *ctx)
{
	const struct devinfo *di = m->info;
	const struct devinfo_dev *x = devinfo_get(di, dev);
	const struct model_dev *d;
	const struct qmp_view *q;
	char t[512], dur[32];

	if (!x)
		return;
	d = m->devs[dev];
	/* Only what is known: a device not in this host's sysfs (a fixture
	 * tree, the demo) adds no lines of "unknown". */
	if (x->have_ident) {
		ident_summary(&x->id, t, sizeof(t));
		add(ctx, "identity", ROLE_NORMAL, t);
		if (x->id.err[0])
			add(ctx, "sysfs", ROLE_FAILREAD, x->id.err);
	}
	if (x->have_ident || (x->mig != DI_MIG_YES && x->mig != DI_MIG_UNKNOWN))
		add(ctx, "migrate", x->mig == DI_MIG_YES ? ROLE_NORMAL :
		    x->mig == DI_MIG_IDLE || x->mig == DI_MIG_UNKNOWN ? ROLE_DIM :
		    ROLE_FAILED, x->mig_text);
	if (x->owner_st != DI_OWNER_UNKNOWN || (x->have_ident && di->note[0])) {
		devinfo_owner_text(x, t, sizeof(t));
		if (x->owner_st == DI_OWNER_UNKNOWN)
			snprintf(t + strlen(t), sizeof(t) - strlen(t), " (%s)",
				 di->note);
		add(ctx, "owner", x->owner_st == DI_OWNER_NONE && x->stranded ?
		    ROLE_FAILED : ROLE_NORMAL, t);
	}
	q = devinfo_qmp(di, x->qmp);
	if (q) {
		if (x->qemu) {
			clock_fmt_dur(dur, sizeof(dur), now > x->qemu_ns ?
				      now - x->qemu_ns : 0);
			snprintf(t, sizeof(t), "asked for %s %s ago (%s%s%s)",
				 x->qemu, dur, q->vm[0] ? "VM " : "", q->vm,
				 q->vm[0] ? "" : "its VM");
		} else {
			snprintf(t, sizeof(t), "%s", q->up ?
				 "no request seen since connected" :
				 q->msg[0] ? q->msg : "not connected");
		}
		add(ctx, "QEMU", ROLE_NORMAL, t);
		snprintf(t, sizeof(t), "migration %s", q->status);
		if (q->vfio_transferred >= 0)
			snprintf(t + strlen(t), sizeof(t) - strlen(t),
				 ", vfio %lld bytes", (long long)q->vfio_transferred);
		if (q->total_time >= 0)
			snprintf(t + strlen(t), sizeof(t) - strlen(t),
				 ", total %lld ms", (long long)q->total_time);
		if (q->downtime >= 0)
			snprintf(t + strlen(t), sizeof(t) - strlen(t),
				 ", downtime %lld ms", (long long)q->downtime);
		if (q->error[0])
			snprintf(t + strlen(t), sizeof(t) - strlen(t), ": %s",
				 q->error);
		add(ctx, "", q->error[0] ? ROLE_FAILED : ROLE_DIM, t);
	}
	if (x->disagree)
		add(ctx, "DISAGREE", ROLE_ALERT, x->disagree_text);
	if (x->stranded) {
		clock_fmt_dur(dur, sizeof(dur), now > x->stranded_ns ?
			      now - x->stranded_ns : 0);
		snprintf(t, sizeof(t),
			 "left in %s for %s and no process holds it: nothing will move it again",
			 dstate_token(d->val), dur);
		add(ctx, "STRANDED", ROLE_ALERT, t);
		add(ctx, "recover", ROLE_NORMAL, x->recovery);
	}
}

/* The VM column: the owner's VM name, else its pid; "-" for nobody. */
void tui_ident_vm_cell(const struct model *m, int dev, char *buf, size_t len,
		       enum role *r)
{
	const struct devinfo_dev *x = devinfo_get(m->info, dev);

	*r = ROLE_NORMAL;
	buf[0] = 0;
	if (!x)
		return;
	if (x->owner_st == DI_OWNER_SOME && x->owner.vm[0])
		snprintf(buf, len, "%s", x->owner.vm);
	else if (x->owner_st == DI_OWNER_SOME)
		snprintf(buf, len, "pid %d", (int)x->owner.pid);
	else if (x->owner_st == DI_OWNER_NONE)
		snprintf(buf, len, "-");
	if (x->stranded || x->disagree)
		*r = ROLE_ALERT;
	else if (x->owner_st != DI_OWNER_SOME)
		*r = ROLE_DIM;
}

/* How wide the VM column would like to be; 0 when nobody owns anything
 * (no column then). */
int tui_ident_vm_want(const struct model *m)
{
	int want = 0;

	for (size_t i = 0; i < m->ndevs; i++) {
		char b[128];
		enum role r;
		int n;

		if (m->devs[i]->life != MODEL_LIVE)
			continue;	/* forgotten: never on screen */
		tui_ident_vm_cell(m, (int)i, b, sizeof(b), &r);
		n = (int)strlen(b);
		if (n && (n > want || !want))
			want = n < 2 ? 2 : n;
	}
	return want;
}

/* The DRIVER column: the bound driver, "" when not known. */
void tui_ident_drv_cell(const struct model *m, int dev, char *buf, size_t len)
{
	const struct devinfo_dev *x = devinfo_get(m->info, dev);

	buf[0] = 0;
	if (x && x->have_ident)
		snprintf(buf, len, "%s", x->id.driver[0] ? x->id.driver : "-");
}

/* How wide the DRIVER column would like to be; 0 when no identity is
 * known (no column then). */
int tui_ident_drv_want(const struct model *m)
{
	int want = 0;

	for (size_t i = 0; i < m->ndevs; i++) {
		char b[128];
		int n;

		if (m->devs[i]->life != MODEL_LIVE)
			continue;
		tui_ident_drv_cell(m, (int)i, b, sizeof(b));
		n = (int)strlen(b);
		if (n > want)
			want = n < 6 ? 6 : n;
	}
	return want;
}
