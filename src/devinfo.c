// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * devinfo.c - identity, owner and QEMU's view beside each device's state,
 * and the rules that follow from them:
 *
 *  - can it migrate: no migration/ directory (the driver has no migration
 *    support), ERROR before anything opened it (PCI variant drivers set
 *    RUNNING only on open), no P2P in a VM with other vfio devices (QEMU
 *    refuses: "Multiple VFIO devices migration is supported only if all of
 *    them support P2P migration");
 *  - stranded: left in RESUMING, STOP or ERROR while no process holds it
 *    (its VMM is gone; nothing will move it again), with the command that
 *    recovers it;
 *  - disagreement: QEMU's last VFIO_MIGRATION request differs from what
 *    the device reads for longer than a grace period (a device reset behind
 *    QEMU's back), or QEMU reports "running" for a device it reset after a
 *    failed load or ERROR (QEMU 10 then calls the migration completed);
 *  - QEMU's failed migrations go to the pair's attempts with its error
 *    text (model_vmm_failed()).
 *
 * devinfo_judge() holds the rules and is pure; devinfo_update() gathers
 * the facts once per refresh, without waiting for anything.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "devinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fsm.h"
#include "source.h"
#include "verdict.h"

/* The first snapshot waits this long for identities and owners. */
#define DI_FIRST_WAIT_NS (2 * CLOCK_NS_PER_S)

/* A failure's error-desc is waited for this long before it goes without. */
#define DI_TEXT_WAIT_NS (3 * CLOCK_NS_PER_S)

int devinfo_init(struct devinfo *di, const struct devinfo_cfg *cfg,
		 bool watch, char *err, size_t len)
{
	memset(di, 0, sizeof(*di));
	strmap_init(&di->byname);
	di->sysfs = cfg->sysfs;
	di->owners = cfg->owners;
	di->root = geteuid() == 0;
	di->quiet = cfg->quiet;
	di->grace_ns = 2 * cfg->delay_ns > 2 * CLOCK_NS_PER_S ?
		       2 * cfg->delay_ns : 2 * CLOCK_NS_PER_S;
	if (watch || cfg->nqmp) {
		struct vmwatch_cfg wc;

		memset(&wc, 0, sizeof(wc));
		wc.sysfs = cfg->sysfs;
		wc.proc = cfg->proc;
		wc.dev = cfg->dev;
		wc.owners = cfg->owners;
		wc.owner_ns = cfg->owner_ns;
		wc.qmp = cfg->qmp;
		wc.nqmp = cfg->nqmp;
		wc.poll_ns = cfg->delay_ns < 100 * CLOCK_NS_PER_MS ?
			     100 * CLOCK_NS_PER_MS : cfg->delay_ns;
		di->w = vmwatch_start(&wc, err, len);
		if (!di->w)
			return -1;
	}
	return 0;
}

void devinfo_free(struct devinfo *di)
{
	vmwatch_stop(di->w);
	vmwatch_result_free(&di->res);
	strmap_free(&di->byname);
	free(di->d);
	memset(di, 0, sizeof(*di));
}

const struct devinfo_dev *devinfo_get(const struct devinfo *di, int dev)
{
	if (!di || dev < 0 || (size_t)dev >= di->n)
		return NULL;
	return &di->d[dev];
}

const struct qmp_view *devinfo_qmp(const struct devinfo *di, int i)
{
	if (!di || i < 0 || (size_t)i >= di->res.nqmp)
		return NULL;
	return &di->res.qmp[i];
}

/* ---- the rules ---- */

static bool di_p2p(const struct model_dev *d)
{
	if (d->features_known)
		return d->features & FSM_F_P2P;
	return d->flags_seen & FSM_F_P2P;
}

static void di_mig(struct devinfo_dev *x, const struct model_dev *d,
		   unsigned int vm_vfio_devs)
{
	unsigned int f = d->features_known ? d->features : d->flags_seen;

	if (d->val == DS_NOMIG) {
		x->mig = DI_MIG_NO;
		snprintf(x->mig_text, sizeof(x->mig_text),
			 "no: %s has no migration support",
			 x->have_ident && x->id.driver[0] ? x->id.driver :
			 "its driver");
		return;
	}
	if (model_dev_idle_error(d)) {
		x->mig = DI_MIG_IDLE;
		snprintf(x->mig_text, sizeof(x->mig_text),
			 "not opened yet: reads ERROR until a VMM opens it (not a failure)");
		return;
	}
	if (!dstate_is_state(d->val) && !d->features_known) {
		x->mig = DI_MIG_UNKNOWN;
		snprintf(x->mig_text, sizeof(x->mig_text), "not known yet");
		return;
	}
	if ((d->features_known && (d->features & FSM_F_STOP_COPY) && !di_p2p(d)) ||
	    (!d->features_known && !di_p2p(d) && vm_vfio_devs > 1)) {
		x->mig = vm_vfio_devs > 1 ? DI_MIG_NO_P2P : DI_MIG_ALONE;
		if (vm_vfio_devs > 1)
			snprintf(x->mig_text, sizeof(x->mig_text),
				 "no: no P2P, and its VM has %u vfio devices (QEMU refuses)",
				 vm_vfio_devs);
		else
			snprintf(x->mig_text, sizeof(x->mig_text),
				 "only as its VM's only vfio device (no P2P)");
		return;
	}
	x->mig = DI_MIG_YES;
	snprintf(x->mig_text, sizeof(x->mig_text), "yes (%s%s%s%s%s)",
		 f & FSM_F_STOP_COPY ? "stop-copy" : "",
		 f & FSM_F_P2P ? ", p2p" : "",
		 f & FSM_F_PRE_COPY ? ", pre-copy" : "",
		 d->dirty_tracking ? ", dirty-tracking" : "",
		 d->features_known ? "" : "; implied by the states seen");
}

/* What QEMU's last request means as a state ("" for the prepare event). */
static const char *di_qemu_state(const char *qapi)
{
	const char *t = qapi && qapi[0] ? qmp_state_token(qapi) : NULL;

	return t && !strchr(t, '(') ? t : NULL;
}

/* QEMU reset the device after a failure and reports it running. */
static bool di_reset_behind(const struct model_dev *d, const struct qmp_vdev *qd)
{
	struct model_trans tr;
	unsigned int kept = d->hist_n < MODEL_HIST ? d->hist_n : MODEL_HIST;

	if (strcmp(qd->last, "running") || d->val != DS_RUNNING)
		return false;
	if (qd->reset_seen && di_p2p(d))
		return true;	/* RESUMING then RUNNING: a P2P device's reset */
	/* The device's own history since QEMU's request: a failed step out
	 * of RESUMING or ERROR, then RUNNING by no kernel step. */
	for (unsigned int i = kept; i-- > 0;) {
		if (!model_hist_get(d, i, &tr))
			break;
		if (qd->last_ns && tr.t_ns + 2 * CLOCK_NS_PER_S < qd->last_ns)
			break;
		if ((tr.flags & MODEL_T_FAILED) && tr.from == DS_RESUMING)
			return true;
		if (tr.to == DS_ERROR && dstate_is_state((enum dstate)tr.from))
			return true;
	}
	return false;
}

/*
 * The rules for one device: @d its model record, @q the QEMU that has it
 * (NULL: none) with @x->qdev its device there, @vm_vfio_devs the vfio
 * devices of its VM.  @x holds identity and owner already.
 */
void devinfo_judge(struct devinfo_dev *x, const struct model_dev *d,
		   const struct qmp_view *q, unsigned int vm_vfio_devs,
		   const char *sysfs, uint64_t grace_ns, uint64_t now)
{
	const struct qmp_vdev *qd = q && x->qdev >= 0 &&
				    (size_t)x->qdev < q->ndev ? &q->dev[x->qdev] : NULL;
	const char *dev = d->name;

	di_mig(x, d, vm_vfio_devs);
	/* QEMU's view */
	x->qemu = NULL;
	x->qemu_ns = 0;
	x->disagree = false;
	x->disagree_text[0] = 0;
	if (qd && q->up && qd->last[0]) {
		x->qemu = di_qemu_state(qd->last);
		if (!x->qemu && !strcmp(qd->last, "pre-copy-p2p-prepare"))
			x->qemu = "PRE_COPY_P2P(prepare)";
		x->qemu_ns = qd->last_ns;
	}
	if (qd && q->up && d->present && dstate_is_state(d->val)) {
		const char *want = di_qemu_state(qd->last);
		uint64_t since = d->since_ns > qd->last_ns ? d->since_ns : qd->last_ns;

		if (di_reset_behind(d, qd)) {
			x->disagree = true;
			snprintf(x->disagree_text, sizeof(x->disagree_text),
				 "QEMU reports it running, but it reset it after a failed load or ERROR: the migrated state is lost (QEMU's migration status: %s)",
				 q->status);
		} else if (want && strcmp(want, dstate_token(d->val)) &&
			   now > since && now - since > grace_ns) {
			char dur[32];

			clock_fmt_dur(dur, sizeof(dur), now - since);
			x->disagree = true;
			snprintf(x->disagree_text, sizeof(x->disagree_text),
				 "QEMU believes %s, the device reads %s (for %s): changed behind QEMU's back (a reset?)",
				 want, dstate_token(d->val), dur);
		}
	}
	/* Stranded: no owner will ever move it. */
	x->stranded = false;
	x->recovery[0] = 0;
	if (d->present && x->owner_st == DI_OWNER_NONE &&
	    (d->val == DS_RESUMING || d->val == DS_STOP ||
	     (d->val == DS_ERROR && !model_dev_idle_error(d)))) {
		x->stranded = true;
		x->stranded_ns = d->since_ns > x->noowner_ns ? d->since_ns :
				 x->noowner_ns;
		ident_recovery(&x->id, sysfs, dev, x->recovery,
			       sizeof(x->recovery));
	}
}

/* "pid 1234 qemu-system-x86 (VM web1)", "none", "unknown (...)". */
size_t devinfo_owner_text(const struct devinfo_dev *x, char *buf, size_t len)
{
	int n;

	switch (x->owner_st) {
	case DI_OWNER_SOME:
		n = snprintf(buf, len, "pid %d %s%s%s%s%s", (int)x->owner.pid,
			     x->owner.comm[0] ? x->owner.comm : "?",
			     x->owner.vm[0] ? " (VM " : "", x->owner.vm,
			     x->owner.vm[0] ? ")" : "",
			     x->nholders > 1 ? ", and others" : "");
		break;
	case DI_OWNER_NONE:
		n = snprintf(buf, len, "none (no process holds it open)");
		break;
	default:
		n = snprintf(buf, len, "unknown");
		break;
	}
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* ---- gathering ---- */

static bool di_local(struct source *const *src, const unsigned int *feed,
		     size_t nsrc, unsigned int f, struct source **which)
{
	for (size_t i = 0; i < nsrc; i++)
		if (feed[i] == f) {
			*which = src[i];
			return src[i]->ops == &src_debugfs_ops;
		}
	*which = NULL;
	return false;
}

/* Hand vmwatch the local devices when one came, or came back (its
 * identity is read again then: see vmw_take_want()). */
static void di_want(struct devinfo *di, const struct model *m,
		    struct source *const *src, const unsigned int *feed,
		    size_t nsrc)
{
	const char **names;
	uint64_t *stamps;
	size_t n = 0;
	struct source *s;
	uint64_t seq;

	if (!di->w || m->appear_seq == di->appear_seen)
		return;		/* no device came, or came back */
	names = calloc(m->ndevs + 1, sizeof(*names));
	stamps = calloc(m->ndevs + 1, sizeof(*stamps));
	if (!names || !stamps) {
		free(names);
		free(stamps);
		return;
	}
	/* Only those present: a gone device's identity and owner stay as
	 * last known, and vmwatch keeps no record of it (with mdevs created
	 * all day, the list would grow by each one). */
	for (size_t i = 0; i < m->ndevs; i++)
		if (m->devs[i]->present &&
		    di_local(src, feed, nsrc, m->devs[i]->feed, &s)) {
			stamps[n] = m->devs[i]->appeared;
			names[n++] = m->devs[i]->name;
		}
	seq = vmwatch_want(di->w, names, stamps, n);
	free(names);
	free(stamps);
	/* The first time, the first snapshot shows who they are. */
	if (!di->wanted && seq)
		vmwatch_wait(di->w, seq, clock_mono_ns() + DI_FIRST_WAIT_NS);
	di->wanted = true;
	di->appear_seen = m->appear_seq;
}

static void di_index(struct devinfo *di)
{
	if (di->byname_gen == di->res.devs_gen && di->byname.used)
		return;
	strmap_free(&di->byname);
	strmap_init(&di->byname);
	for (size_t i = 0; i < di->res.ndevs; i++)
		strmap_put(&di->byname, di->res.devs[i].name,
			   strlen(di->res.devs[i].name), (int)i);
	di->byname_gen = di->res.devs_gen;
}

/* The model device QEMU's vfio device @host is (a source's first), or -1. */
static int di_find(const struct model *m, const char *host)
{
	int idx = model_dev_find(m, PAIR_SRC, host);

	return idx >= 0 ? idx : model_dev_find(m, PAIR_DST, host);
}

/* QEMU's failed migrations: to the attempts of its devices' pairs. */
static void di_fails(struct devinfo *di, struct model *m, uint64_t now)
{
	for (size_t k = 0; k < di->res.nqmp && k < 16; k++) {
		const struct qmp_view *q = &di->res.qmp[k];

		while (di->fail_done[k] < q->nfail) {
			const struct qmp_fail *f = qmp_fail_get(q, di->fail_done[k] + 1);

			if (f && !f->text[0] && q->up &&
			    now - f->t_ns < DI_TEXT_WAIT_NS)
				break;	/* its error-desc is on its way */
			di->fail_done[k]++;
			if (!f)
				continue;
			for (size_t j = 0; j < q->ndev; j++) {
				int idx = di_find(m, q->dev[j].host);

				if (idx >= 0)
					model_vmm_failed(m, idx, f->lo_ns, f->t_ns,
							 f->text[0] ? f->text :
							 "the migration failed (no error text)");
			}
		}
	}
}

static void di_notices(struct devinfo *di)
{
	if (di->owners && di->res.scanned && di->res.denied && !di->root) {
		snprintf(di->note, sizeof(di->note),
			 "owners: %u processes' open files could not be read (not root): a device may look unowned",
			 di->res.denied);
		if (!di->said_denied && !di->quiet)
			fprintf(stderr, "vfiomigtop: %s\n", di->note);
		di->said_denied = true;
	}
	for (size_t k = 0; k < di->res.nqmp && k < 16; k++) {
		const struct qmp_view *q = &di->res.qmp[k];

		/* Batch mode says when QEMU is there and when it went away. */
		if (q->up && q->devs_known && !di->said_up[k]) {
			di->said_up[k] = true;
			if (!di->quiet)
				fprintf(stderr,
					"vfiomigtop: QMP %s: connected to QEMU pid %d%s%s%s, %zu vfio device%s\n",
					q->path, (int)q->pid, q->vm[0] ? " (VM " : "",
					q->vm, q->vm[0] ? ")" : "", q->ndev,
					q->ndev == 1 ? "" : "s");
		} else if (!q->up && di->said_up[k]) {
			di->said_up[k] = false;
			if (!di->quiet)
				fprintf(stderr, "vfiomigtop: QMP %s: %s\n", q->path,
					q->msg);
		}
		for (size_t j = 0; j < q->ndev && q->up; j++)
			if (q->dev[j].events == 0 && !di->said_events[k]) {
				di->said_events[k] = true;
				if (!di->quiet)
					fprintf(stderr,
						"vfiomigtop: warning: %s: vfio device %s has migration-events off: QEMU's requests will not be seen (add migration-events=on to its -device)\n",
						q->path, q->dev[j].qom);
			}
	}
}

/* Nothing known of device @serial. */
static void di_dev_init(struct devinfo_dev *x, uint64_t serial)
{
	memset(x, 0, sizeof(*x));
	x->serial = serial;
	x->qmp = x->qdev = -1;
	x->id.iommu_group = -1;
}

/* One entry per model device (new ones: nothing known); false when out
 * of memory. */
static bool di_grow(struct devinfo *di, size_t ndevs)
{
	struct devinfo_dev *nd;

	if (di->n >= ndevs)
		return true;
	nd = realloc(di->d, ndevs * sizeof(*nd));
	if (!nd)
		return false;
	for (size_t i = di->n; i < ndevs; i++)
		di_dev_init(&nd[i], 0);
	di->d = nd;
	di->n = ndevs;
	return true;
}

/* An index the model gave a new device starts with nothing known.  New
 * devices are among the changed ones (@chg, or @all). */
static void di_fresh(struct devinfo *di, const struct model *m,
		     const int *chg, size_t nchg, bool all)
{
	size_t n = all ? m->ndevs : nchg;

	for (size_t k = 0; k < n; k++) {
		size_t i = all ? k : (size_t)chg[k];

		if (i < m->ndevs && di->d[i].serial != m->devs[i]->serial) {
			di_dev_init(&di->d[i], m->devs[i]->serial);
			di->gen++;
		}
	}
}

/* Which QEMU has which device (qmp, qdev), and how many vfio devices its
 * VM has (@vmdevs per model device, when not NULL). */
static void di_map_qmp(struct devinfo *di, const struct model *m,
		       unsigned int *vmdevs)
{
	for (size_t i = 0; i < m->ndevs; i++)
		di->d[i].qmp = di->d[i].qdev = -1;
	for (size_t k = 0; k < di->res.nqmp; k++) {
		const struct qmp_view *q = &di->res.qmp[k];

		for (size_t j = 0; j < q->ndev; j++) {
			int idx = di_find(m, q->dev[j].host);

			if (idx < 0)
				continue;
			di->d[idx].qmp = (int)k;
			di->d[idx].qdev = (int)j;
			if (vmdevs)
				vmdevs[idx] = (unsigned int)q->ndev;
		}
	}
}

/* A local device's identity and owner, from what vmwatch found; raises
 * *@nvm to the files its owner holds. */
static void di_owner_local(struct devinfo *di, struct devinfo_dev *x,
			   const struct model_dev *d, unsigned int *nvm)
{
	int r = strmap_get(&di->byname, d->name, strlen(d->name));
	const struct vmwatch_dev *w = r >= 0 ? &di->res.devs[r] : NULL;

	if (!w && !d->present)
		return;		/* gone: as last known (di_want()) */
	x->have_ident = w && w->found;
	if (x->have_ident)
		x->id = w->id;
	x->owner_st = DI_OWNER_UNKNOWN;
	if (!w || !w->found || !w->owner_known)
		return;
	x->nholders = w->nholders;
	if (w->owner.pid) {
		x->owner_st = DI_OWNER_SOME;
		x->owner = w->owner;
	} else if (di->root || !di->res.denied) {
		x->owner_st = DI_OWNER_NONE;
	}
	if (w->owner.pid && w->owner.nfiles > *nvm)
		*nvm = w->owner.nfiles;
}

/* A remote device's identity and owner, as its agent told. */
static void di_owner_remote(struct devinfo_dev *x, const struct model_dev *d,
			    struct source *s)
{
	int ost = DI_OWNER_UNKNOWN;

	x->have_ident = s->ops->ident(s, d->slot, d->gen, &x->id, &x->owner,
				      &ost);
	x->owner_st = (enum devinfo_owner)ost;
	x->nholders = ost == DI_OWNER_SOME;
}

/* QEMU holds it (its socket says which pid), when nothing else was seen
 * holding it. */
static void di_owner_qemu(struct devinfo_dev *x, const struct qmp_view *q)
{
	if (!q || !q->up || x->owner_st == DI_OWNER_SOME || !q->pid)
		return;
	x->owner_st = DI_OWNER_SOME;
	memset(&x->owner, 0, sizeof(x->owner));
	x->owner.pid = q->pid;
	snprintf(x->owner.comm, sizeof(x->owner.comm), "qemu");
	snprintf(x->owner.vm, sizeof(x->owner.vm), "%s", q->vm);
	x->nholders = 1;
}

/* A remote device's recovery runs over there: "on HOST: " before the
 * command. */
static void di_recovery_on(struct devinfo_dev *x, const char *host)
{
	size_t h = strnlen(host, 64), n = h + 5;
	size_t rl = strnlen(x->recovery, sizeof(x->recovery) - 1);

	if (rl + n >= sizeof(x->recovery))
		rl = sizeof(x->recovery) - 1 - n;
	memmove(x->recovery + n, x->recovery, rl);
	memcpy(x->recovery, "on ", 3);
	memcpy(x->recovery + 3, host, h);
	memcpy(x->recovery + 3 + h, ": ", 2);
	x->recovery[n + rl] = 0;
}

/* Everything known of model device @i: owner, QEMU's view, the verdicts
 * on it (devinfo_judge()). */
static void di_judge_dev(struct devinfo *di, const struct model *m, size_t i,
			 struct source *const *src, const unsigned int *feed,
			 size_t nsrc, unsigned int nvm, uint64_t now)
{
	struct devinfo_dev *x = &di->d[i];
	const struct model_dev *d = m->devs[i];
	const struct qmp_view *q = x->qmp >= 0 ? &di->res.qmp[x->qmp] : NULL;
	enum devinfo_owner prev = x->owner_st;
	struct source *s;

	if (di_local(src, feed, nsrc, d->feed, &s))
		di_owner_local(di, x, d, &nvm);
	else if (s && s->ops->ident)
		di_owner_remote(x, d, s);
	di_owner_qemu(x, q);
	if (x->owner_st == DI_OWNER_NONE && prev != DI_OWNER_NONE)
		x->noowner_ns = now;
	if (s && s->ops != &src_debugfs_ops) {
		devinfo_judge(x, d, q, nvm, "/sys", di->grace_ns, now);
		if (x->stranded && s->snap.host[0])
			di_recovery_on(x, s->snap.host);
	} else {
		devinfo_judge(x, d, q, nvm, di->sysfs, di->grace_ns, now);
	}
}

/* di_judge_dev(), and devinfo.gen moves on when what it knows of the
 * device changed (views cache what they derive on it). */
static void di_update_dev(struct devinfo *di, const struct model *m, size_t i,
			  struct source *const *src, const unsigned int *feed,
			  size_t nsrc, unsigned int nvm, uint64_t now)
{
	struct devinfo_dev before;

	memcpy(&before, &di->d[i], sizeof(before));	/* padding too */
	di_judge_dev(di, m, i, src, feed, nsrc, nvm, now);
	if (memcmp(&before, &di->d[i], sizeof(before)))
		di->gen++;
}

/* A source other than this host's debugfs tells identities of its own
 * (an agent): they may change at any refresh. */
static bool di_any_remote(struct source *const *src, size_t nsrc)
{
	for (size_t i = 0; i < nsrc; i++)
		if (src[i]->ops != &src_debugfs_ops && src[i]->ops->ident)
			return true;
	return false;
}

/*
 * Once per refresh: take what vmwatch found (never waits), match QEMU's
 * devices, apply the rules, hand QEMU's failures to the model.  Every
 * device is judged again when what vmwatch found changed (an owner scan,
 * a new identity, QEMU's news), when devices came, with QEMU watched (its
 * disagreements last a time) or a remote side; otherwise only the
 * devices the model says changed: an idle refresh costs nothing per
 * device.
 */
void devinfo_update(struct devinfo *di, struct model *m,
		    struct source *const *src, const unsigned int *feed,
		    size_t nsrc, uint64_t now)
{
	unsigned int *vmdevs;
	bool useful = di->w != NULL, all;
	int *chg;
	size_t nchg;

	/* Nothing to know (the demo, a replay of this host's files): the
	 * views print exactly what they would without it. */
	for (size_t i = 0; i < nsrc && !useful; i++)
		useful = src[i]->ops->ident != NULL;
	if (!useful) {
		m->info = NULL;
		return;
	}
	m->info = di;
	nchg = model_dev_changed_take(m, &chg, &all);
	if (!di_grow(di, m->ndevs)) {
		di->judged = false;
		return;
	}
	di_fresh(di, m, chg, nchg, all);
	di_want(di, m, src, feed, nsrc);
	if (di->w)
		vmwatch_get(di->w, &di->res);
	di_index(di);
	if (!all && di->judged && di->res.news == di->judged_gen &&
	    di->judged_serial == m->dev_serial && !di->res.nqmp &&
	    !di_any_remote(src, nsrc)) {
		for (size_t k = 0; k < nchg; k++)
			if (chg[k] >= 0 && (size_t)chg[k] < m->ndevs)
				di_update_dev(di, m, (size_t)chg[k], src, feed,
					      nsrc, 0, now);
		di->judged_devs += nchg;
	} else {
		vmdevs = calloc(m->ndevs + 1, sizeof(*vmdevs));
		di_map_qmp(di, m, vmdevs);
		for (size_t i = 0; i < m->ndevs; i++)
			di_update_dev(di, m, i, src, feed, nsrc,
				      vmdevs ? vmdevs[i] : 0, now);
		free(vmdevs);
		di->judged = true;
		di->judged_gen = di->res.news;
		di->judged_serial = m->dev_serial;
		di->passes++;
		di->judged_devs += m->ndevs;
	}
	di_fails(di, m, now);
	di_notices(di);
}

/* What a pair's verdict adds: a device stranded with no owner, and a
 * disagreement with QEMU (both problems). */
void devinfo_verdict(const struct devinfo *di, const struct model *m,
		     const struct model_pair *p, struct verdict *v)
{
	(void)m;
	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct devinfo_dev *x = devinfo_get(di, p->dev[s]);

		if (!x)
			continue;
		if (x->stranded) {
			v->orphan = true;
			if (!v->stranded || v->stranded_side != s) {
				v->stranded = true;
				v->stranded_side = s;
				v->stranded_ns = x->stranded_ns;
			}
		}
		if (x->disagree)
			v->vmm_disagree = true;
	}
	v->problem |= v->stranded || v->vmm_disagree;
}

/* ---- output ---- */

/* ,"KEY":V, or null when V is negative (unknown) */
static void di_kint(struct obuf *b, const char *key, int64_t v)
{
	obuf_json_key(b, key);
	if (v >= 0)
		obuf_i64(b, v);
	else
		obuf_puts(b, "null");
}

/* ,"KEY":true/false, or null when V is negative (unknown) */
static void di_kbool(struct obuf *b, const char *key, int v)
{
	obuf_json_key(b, key);
	obuf_puts(b, v < 0 ? "null" : v ? "true" : "false");
}

static const char *di_mig_word(enum devinfo_mig m)
{
	static const char *const w[] = {
		[DI_MIG_UNKNOWN] = "unknown", [DI_MIG_YES] = "yes",
		[DI_MIG_NO] = "no-migration", [DI_MIG_IDLE] = "never-opened",
		[DI_MIG_NO_P2P] = "no-p2p-multi", [DI_MIG_ALONE] = "alone-only",
	};

	return w[m];
}

static void di_json_ident(const struct ident *id, struct obuf *b)
{
	obuf_puts(b, "{\"bus\":");
	obuf_json_str(b, id->bus);
	obuf_json_kstr(b, "driver", id->driver);
	obuf_json_key(b, "vendor_id");
	if (id->ids)
		obuf_printf(b, "\"%04x\",\"device_id\":\"%04x\"",
			    id->vendor, id->device);
	else
		obuf_puts(b, "null,\"device_id\":null");
	obuf_json_kstr(b, "vendor", id->vendor_name);
	obuf_json_kstr(b, "device", id->device_name);
	di_kint(b, "iommu_group", id->iommu_group);
	obuf_json_kstr(b, "pf", id->pf);
	obuf_json_kstr(b, "mdev_parent", id->parent);
	obuf_json_kstr(b, "mdev_type", id->mdev_type);
	obuf_json_kstr(b, "mdev_type_name", id->mdev_type_name);
	obuf_json_kstr(b, "vfio_dev", id->vfio_dev);
	di_kbool(b, "reset", id->reset);
	obuf_json_kstr(b, "problem", id->err);
	obuf_putc(b, '}');
}

/* ,"ident":{...},"owner":{...},"qemu":{...},"can_migrate":...,... */
void devinfo_json_dev(const struct devinfo *di, int dev, uint64_t now,
		      struct obuf *b)
{
	const struct devinfo_dev *x = devinfo_get(di, dev);
	const struct qmp_view *q;

	if (!x)
		return;
	obuf_json_key(b, "ident");
	if (x->have_ident)
		di_json_ident(&x->id, b);
	else
		obuf_puts(b, "null");
	obuf_puts(b, ",\"can_migrate\":{\"answer\":");
	obuf_json_str(b, di_mig_word(x->mig));
	obuf_puts(b, ",\"text\":");
	obuf_json_str(b, x->mig_text);
	obuf_puts(b, "},\"owner\":");
	if (x->owner_st == DI_OWNER_SOME) {
		obuf_puts(b, "{\"pid\":");
		obuf_i64(b, x->owner.pid);
		obuf_json_kstr(b, "comm", x->owner.comm);
		obuf_json_kstr(b, "vm", x->owner.vm);
		obuf_json_key(b, "holders");
		obuf_u64(b, x->nholders);
		obuf_putc(b, '}');
	} else {
		obuf_puts(b, x->owner_st == DI_OWNER_NONE ? "false" : "null");
	}
	obuf_json_key(b, "qemu");
	q = devinfo_qmp(di, x->qmp);
	if (!q || x->qdev < 0) {
		obuf_puts(b, "null");
	} else {
		const struct qmp_vdev *qd = &q->dev[x->qdev];

		obuf_puts(b, "{\"qmp\":");
		obuf_json_str(b, q->path);
		obuf_json_key(b, "qom_path");
		obuf_json_str(b, qd->qom);
		di_kbool(b, "migration_events", qd->events);
		obuf_json_kstr(b, "last_request", x->qemu);
		obuf_json_key(b, "since");
		if (x->qemu && now > x->qemu_ns)
			obuf_ms3(b, now - x->qemu_ns);
		else
			obuf_puts(b, "null");
		obuf_putc(b, '}');
	}
	obuf_json_kstr(b, "disagreement", x->disagree ? x->disagree_text : NULL);
	obuf_json_key(b, "stranded_no_owner");
	if (x->stranded) {
		obuf_puts(b, "{\"for\":");
		obuf_ms3(b, now > x->stranded_ns ? now - x->stranded_ns : 0);
		obuf_json_key(b, "recovery");
		obuf_json_str(b, x->recovery);
		obuf_putc(b, '}');
	} else {
		obuf_puts(b, "null");
	}
}

/* {"qmp":...,"devices":[...],"messages_sent":N}: one VMM's QMP view */
static void di_json_vmm(const struct qmp_view *q, struct obuf *b)
{
	obuf_puts(b, "{\"qmp\":");
	obuf_json_str(b, q->path);
	di_kbool(b, "connected", q->up);
	obuf_json_kstr(b, "message", q->msg);
	di_kint(b, "pid", q->pid ? q->pid : -1);
	obuf_json_kstr(b, "vm", q->vm);
	obuf_json_key(b, "status");
	obuf_json_str(b, q->status);
	di_kint(b, "vfio_transferred", q->vfio_transferred);
	di_kint(b, "total_time_ms", q->total_time);
	di_kint(b, "downtime_ms", q->downtime);
	obuf_json_kstr(b, "error", q->error);
	obuf_json_key(b, "failures");
	obuf_u64(b, q->nfail);
	obuf_puts(b, ",\"devices\":[");
	for (size_t j = 0; j < q->ndev; j++) {
		if (j)
			obuf_putc(b, ',');
		obuf_puts(b, "{\"qom_path\":");
		obuf_json_str(b, q->dev[j].qom);
		obuf_json_kstr(b, "host", q->dev[j].host);
		di_kbool(b, "migration_events", q->dev[j].events);
		obuf_json_kstr(b, "last_request", q->dev[j].last);
		obuf_putc(b, '}');
	}
	obuf_puts(b, "],\"messages_sent\":");
	obuf_u64(b, q->sent);
	obuf_putc(b, '}');
}

/* ,"vmms":[...],"owner_scan":{...} */
void devinfo_json_top(const struct devinfo *di, struct obuf *b)
{
	if (!di)
		return;
	obuf_puts(b, ",\"vmms\":[");
	for (size_t k = 0; k < di->res.nqmp; k++) {
		if (k)
			obuf_putc(b, ',');
		di_json_vmm(&di->res.qmp[k], b);
	}
	obuf_puts(b, "],\"owner_scan\":");
	if (!di->owners || !di->res.scanned) {
		obuf_puts(b, "null");
		return;
	}
	obuf_puts(b, "{\"processes\":");
	obuf_u64(b, di->res.processes);
	obuf_json_key(b, "unreadable");
	obuf_u64(b, di->res.denied);
	obuf_json_key(b, "fds");
	obuf_u64(b, di->res.fds);
	obuf_json_key(b, "skipped");
	obuf_u64(b, di->res.skipped);
	obuf_json_key(b, "took");
	obuf_ms3(b, di->res.scan_took_ns);
	obuf_json_kstr(b, "note", di->note);
	obuf_putc(b, '}');
}

/* Text lines: " driver=mtty owner=1234 vm=web1 qemu=PRE_COPY stranded=12.000 disagree". */
void devinfo_text_dev(const struct devinfo *di, int dev, uint64_t now,
		      struct obuf *b)
{
	const struct devinfo_dev *x = devinfo_get(di, dev);

	if (!x)
		return;
	if (x->have_ident && x->id.driver[0]) {
		obuf_puts(b, " driver=");
		obuf_esc_text(b, x->id.driver, strlen(x->id.driver));
	}
	if (x->owner_st == DI_OWNER_SOME) {
		obuf_printf(b, " owner=%d", (int)x->owner.pid);
		if (x->owner.vm[0]) {
			obuf_puts(b, " vm=");
			obuf_esc_text(b, x->owner.vm, strlen(x->owner.vm));
		}
	} else if (x->owner_st == DI_OWNER_NONE) {
		obuf_puts(b, " owner=none");
	}
	if (x->mig == DI_MIG_NO_P2P || x->mig == DI_MIG_ALONE)
		obuf_printf(b, " migrate=%s", di_mig_word(x->mig));
	if (x->qemu)
		obuf_printf(b, " qemu=%s", x->qemu);
	if (x->stranded) {
		obuf_puts(b, " stranded=");
		obuf_ms3(b, now > x->stranded_ns ? now - x->stranded_ns : 0);
	}
	if (x->disagree)
		obuf_puts(b, " disagree");
}

/* ---- facts for a journal or a report ---- */

struct di_fact {
	const char *key;
	char val[224];
};

/* The facts of device @x (keys are words; "qemu_" ones are QEMU's view). */
static size_t di_fact_list(const struct devinfo *di, const struct devinfo_dev *x,
			   struct di_fact *f)
{
	const struct qmp_view *q = devinfo_qmp(di, x->qmp);
	size_t n = 0;

	/* DI_F: a fact when known; DI_V: one that may clear ("-"), so that a
	 * journal does not keep its old value. */
#define DI_F(k, ...) do { \
		f[n].key = (k); \
		snprintf(f[n].val, sizeof(f[n].val), __VA_ARGS__); \
		if (f[n].val[0]) \
			n++; \
	} while (0)
#define DI_V(k, ...) do { \
		f[n].key = (k); \
		snprintf(f[n].val, sizeof(f[n].val), __VA_ARGS__); \
		if (!f[n].val[0]) \
			snprintf(f[n].val, sizeof(f[n].val), "-"); \
		n++; \
	} while (0)
	if (x->have_ident) {
		DI_F("vendor", "%s", x->id.vendor_name);
		DI_F("device", "%s", x->id.device_name);
		if (x->id.ids)
			DI_F("pci_id", "%04x:%04x", x->id.vendor, x->id.device);
		DI_F("pf", "%s", x->id.pf);
		if (x->id.iommu_group >= 0)
			DI_F("iommu_group", "%d", x->id.iommu_group);
		DI_F("mdev_type", "%s", x->id.mdev_type);
	}
	if (x->mig != DI_MIG_UNKNOWN)
		DI_F("can_migrate", "%s", x->mig_text);
	if (x->owner_st != DI_OWNER_UNKNOWN) {
		char o[160];

		devinfo_owner_text(x, o, sizeof(o));
		DI_F("owner", "%s", o);
	}
	if (x->have_ident || x->owner_st != DI_OWNER_UNKNOWN)
		DI_V("stranded", "%s%.200s", x->stranded ? "no owner; recover: " : "",
		     x->stranded ? x->recovery : "");
	if (q) {
		DI_V("qemu_vm", "%s", q->vm);
		DI_V("qemu_request", "%s", x->qemu ? x->qemu : "");
		DI_V("qemu_status", "%s", q->status);
		{
			const struct qmp_fail *lf = qmp_fail_get(q, q->nfail);

			/* the last failure QEMU reported, not only the current
			 * query's (gone once QEMU restarts) */
			DI_V("qemu_last_failure", "%.220s", lf ? lf->text : "");
		}
		DI_V("qemu_disagreement", "%.220s", x->disagree ? x->disagree_text : "");
	}
#undef DI_V
#undef DI_F
	return n;
}

/*
 * Tell @fn each device's facts (identity, owner, QEMU's view) when they
 * changed since the last call: a journal records them, a report prints
 * them.  Facts change only with a device's judgement (gen) or a pass
 * over every device (QEMU's or vmwatch's news, a device come): an idle
 * refresh costs nothing per device.
 */
void devinfo_facts(struct devinfo *di, const struct model *m,
		   devinfo_fact_fn fn, void *ctx)
{
	struct di_fact f[16];

	if (di->facts_passes && di->facts_gen == di->gen &&
	    di->facts_pass == di->passes)
		return;
	di->facts_gen = di->gen;
	di->facts_pass = di->passes;
	di->facts_passes++;

	for (size_t i = 0; i < m->ndevs && i < di->n; i++) {
		struct devinfo_dev *x = &di->d[i];
		size_t n = di_fact_list(di, x, f);
		uint64_t h = 1469598103934665603ULL;

		for (size_t k = 0; k < n; k++) {
			for (const char *c = f[k].key; *c; c++)
				h = (h ^ (unsigned char)*c) * 1099511628211ULL;
			for (const char *c = f[k].val; *c; c++)
				h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		}
		h |= 1;
		if (h == x->facts_hash)
			continue;
		x->facts_hash = h;
		for (size_t k = 0; k < n; k++)
			fn(ctx, m->devs[i]->side, m->devs[i]->name, f[k].key,
			   f[k].val);
	}
}
