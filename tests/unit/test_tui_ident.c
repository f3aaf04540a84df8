// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_tui_ident.c - the screen's share of issue 11: the optional VM
 * column over a sweep of sizes (inside its pane, apart from every other
 * column, shown when it fits, never pushing a required column out), the
 * VM cell, and the details section of a stranded, disagreeing device.
 */
#include "testutil.h"

#include "details_ident.h"
#include "devinfo.h"
#include "layout.h"

static bool col_apart(const struct layout_col *a, const struct layout_col *b)
{
	return !a->w || !b->w || a->x + a->w <= b->x || b->x + b->w <= a->x;
}

START_TEST(vm_column_sweep)
{
	int shown_wide = 0, shown_drv = 0, bad = 0;

	for (int two = 0; two < 2; two++)
		for (int cols = 1; cols <= 400; cols++)
			for (int rows = 8; rows <= 40; rows += 8) {
				struct layout_in in = {
					.cols = cols, .rows = rows, .has_dst = two,
					.dst_names = true, .nrows = 5, .nevents = 3,
					.name_want = 12, .verdict_want = 30,
					.vm_want = 40, .drv_want = 30,
				};
				struct layout l, base;

				layout_compute(&in, &l);
				in.vm_want = in.drv_want = 0;
				layout_compute(&in, &base);
				if (l.too_small != base.too_small)
					bad++;
				if (l.too_small)
					continue;
				for (int i = 0; i < (two ? 2 : 1); i++) {
					const struct layout_pane *p = &l.pane[i];
					const struct layout_col *c[] = {
						&p->mark, &p->name, &p->state,
						&p->time, &p->trans,
					};

					if (p->vm.w && (p->vm.w > LAYOUT_VM_CAP ||
							p->vm.x < p->r.x ||
							p->vm.x + p->vm.w > p->r.x + p->r.w))
						bad++;
					for (size_t k = 0; k < 5; k++)
						if (!col_apart(&p->vm, c[k]) ||
						    !col_apart(&p->drv, c[k]))
							bad++;
					if (!col_apart(&p->vm, &p->drv) ||
					    (p->drv.w && (p->drv.w > LAYOUT_DRV_CAP ||
							  p->drv.x + p->drv.w > p->r.x + p->r.w)))
						bad++;
					if (cols >= 200 && p->drv.w == LAYOUT_DRV_CAP)
						shown_drv++;
					/* never at the cost of a column the
					 * screen has without it */
					if (p->state.w != base.pane[i].state.w ||
					    (base.pane[i].time.w && !p->time.w) ||
					    (base.pane[i].trans.w && !p->trans.w))
						bad++;
					if (cols >= 200 && p->vm.w == LAYOUT_VM_CAP)
						shown_wide++;
				}
				if (two && l.pane[LAYOUT_VERDICT].text.w < 10)
					bad++;
			}
	ck_assert_int_eq(bad, 0);
	ck_assert_int_gt(shown_wide, 0);
	ck_assert_int_gt(shown_drv, 0);
	/* No one to show: no column, the layout exactly as before. */
	{
		struct layout_in in = { .cols = 200, .rows = 30, .has_dst = true,
					.nrows = 3, .name_want = 12 };
		struct layout l;

		layout_compute(&in, &l);
		ck_assert_int_eq(l.pane[0].vm.w, 0);
	}
}
END_TEST

struct lines {
	char text[32][600];
	int n;
};

static void collect(void *ctx, const char *label, enum role r,
		    const char *text)
{
	struct lines *l = ctx;

	(void)r;
	if (l->n < 32)
		snprintf(l->text[l->n++], sizeof(l->text[0]), "%s|%s", label, text);
}

static bool has(const struct lines *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (strstr(l->text[i], s))
			return true;
	return false;
}

START_TEST(details_stranded)
{
	struct model m;
	struct devinfo di;
	struct devinfo_dev x[2];
	struct model_dev *d[2];
	struct qmp_view q;
	struct lines l = { .n = 0 };
	char cell[64];
	enum role r;

	memset(&m, 0, sizeof(m));
	memset(&di, 0, sizeof(di));
	memset(x, 0, sizeof(x));
	memset(&q, 0, sizeof(q));
	d[0] = tu_dev("83b8f4f2-509f-382f-3c1e-e6bfe0fa1002", PAIR_DST,
		      DS_RESUMING, T(0));
	d[1] = tu_dev("0000:3b:00.2", PAIR_SRC, DS_RUNNING, T(0));
	m.devs = d;
	m.ndevs = 2;
	m.info = &di;
	di.d = x;
	di.n = 2;
	di.res.qmp = &q;
	di.res.nqmp = 1;
	snprintf(q.vm, sizeof(q.vm), "dst-vm");
	snprintf(q.status, sizeof(q.status), "failed");
	snprintf(q.error, sizeof(q.error), "load of migration failed: Invalid argument");
	q.vfio_transferred = 24;
	q.total_time = q.downtime = -1;
	x[0].qmp = 0;
	x[0].qdev = 0;
	x[0].have_ident = true;
	x[0].id.kind = IDENT_MDEV;
	snprintf(x[0].id.driver, sizeof(x[0].id.driver), "vfio_mdev");
	snprintf(x[0].id.mdev_type, sizeof(x[0].id.mdev_type), "mtty-2");
	x[0].id.iommu_group = -1;
	x[0].owner_st = DI_OWNER_NONE;
	x[0].stranded = true;
	x[0].stranded_ns = T(0);
	snprintf(x[0].recovery, sizeof(x[0].recovery), "echo 1 > /sys/bus/mdev/devices/X/remove");
	x[0].disagree = true;
	snprintf(x[0].disagree_text, sizeof(x[0].disagree_text), "QEMU believes RESUMING");
	snprintf(x[0].mig_text, sizeof(x[0].mig_text), "yes (stop-copy)");
	x[0].mig = DI_MIG_YES;
	x[1].qmp = x[1].qdev = -1;
	x[1].owner_st = DI_OWNER_SOME;
	x[1].owner.pid = 77;
	snprintf(x[1].owner.vm, sizeof(x[1].owner.vm), "src-vm");

	details_ident(&m, 0, T(65000), collect, &l);
	ck_assert(has(&l, "identity|vfio_mdev, mdev mtty-2"));
	ck_assert(has(&l, "migrate|yes (stop-copy)"));
	ck_assert(has(&l, "owner|none (no process holds it open)"));
	ck_assert(has(&l, "QEMU|no request seen") || has(&l, "QEMU|not connected"));
	ck_assert(has(&l, "|migration failed, vfio 24 bytes: load of migration failed: Invalid argument"));
	ck_assert(has(&l, "DISAGREE|QEMU believes RESUMING"));
	ck_assert(has(&l, "STRANDED|left in RESUMING for 1m05s and no process holds it"));
	ck_assert(has(&l, "recover|echo 1 > /sys/bus/mdev/devices/X/remove"));

	tui_ident_vm_cell(&m, 0, cell, sizeof(cell), &r);
	ck_assert_str_eq(cell, "-");
	ck_assert_int_eq(r, ROLE_ALERT);
	tui_ident_vm_cell(&m, 1, cell, sizeof(cell), &r);
	ck_assert_str_eq(cell, "src-vm");
	ck_assert_int_eq(r, ROLE_NORMAL);
	ck_assert_int_eq(tui_ident_vm_want(&m), 6);
	tui_ident_drv_cell(&m, 0, cell, sizeof(cell));
	ck_assert_str_eq(cell, "vfio_mdev");
	tui_ident_drv_cell(&m, 1, cell, sizeof(cell));
	ck_assert_str_eq(cell, "");		/* identity not known */
	ck_assert_int_eq(tui_ident_drv_want(&m), 9);
	x[1].owner.vm[0] = 0;
	tui_ident_vm_cell(&m, 1, cell, sizeof(cell), &r);
	ck_assert_str_eq(cell, "pid 77");
	/* Nothing known: no lines of "unknown" in the details. */
	x[1].owner_st = DI_OWNER_UNKNOWN;
	x[1].mig = DI_MIG_YES;
	l.n = 0;
	details_ident(&m, 1, T(1000), collect, &l);
	ck_assert_int_eq(l.n, 0);
	/* Nothing known: no column. */
	m.info = NULL;
	ck_assert_int_eq(tui_ident_vm_want(&m), 0);
	free(d[0]);
	free(d[1]);
}
END_TEST

TU_MAIN("tui_ident", vm_column_sweep, details_stranded)
