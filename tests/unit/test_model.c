// SPDX-License-Identifier: GPL-2.0-or-later
/* test_model.c - diffing snapshots into transitions, inference, pairs */
#include "testutil.h"
#include "devinfo.h"
#include "source.h"

/* A snapshot we edit by hand: up to 8 slots. */
struct fake {
	struct snapshot sn;
	struct snap_dev dev[8];
	uint32_t changed[8];
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->sn.dev = f->dev;
	f->sn.changed = f->changed;
}

static void fake_set(struct fake *f, uint32_t slot, const char *name,
		     enum dstate val, uint64_t t)
{
	struct snap_dev *d = &f->dev[slot];

	if (!d->present || strcmp(d->name, name)) {
		d->gen++;
		snprintf(d->name, sizeof(d->name), "%s", name);
	}
	d->present = true;
	d->val = val;
	d->read_ns = t;
	if (f->sn.nslots <= slot)
		f->sn.nslots = slot + 1;
	f->changed[f->sn.nchanged++] = slot;
}

static void fake_drop(struct fake *f, uint32_t slot)
{
	f->dev[slot].present = false;
	f->changed[f->sn.nchanged++] = slot;
}

static void feed(struct model *m, unsigned int feed_no, struct fake *f,
		 uint64_t now)
{
	ck_assert_int_eq(model_ingest(m, feed_no, &f->sn, now), 0);
	model_update_pairs(m, now);
	f->sn.nchanged = 0;
}

static struct model_cfg cfg(void)
{
	struct model_cfg c;

	memset(&c, 0, sizeof(c));
	c.ac.stuck_ns = 30 * CLOCK_NS_PER_S;
	c.ac.busy_ns = 30 * CLOCK_NS_PER_S;
	c.tomb_ns = 10 * CLOCK_NS_PER_S;
	return c;
}

/* The index of the device @name on @side now (not a forgotten one). */
static int dev_index(const struct model *m, enum pair_side side,
		     const char *name)
{
	for (size_t i = 0; i < m->ndevs; i++)
		if (m->devs[i]->side == side && m->devs[i]->life == MODEL_LIVE &&
		    !strcmp(m->devs[i]->name, name))
			return (int)i;
	return -1;
}

/* @m with a source and a destination feed that both list @names (slot i,
 * RUNNING at T(0)), taken in: one pair per name. */
static void two_sides(struct model *m, const struct model_cfg *c,
		      struct fake *fs, struct fake *fd,
		      const char *const *names, uint32_t n)
{
	ck_assert_int_eq(model_init(m, c), 0);
	model_add_feed(m, MODEL_FEED_SRC);
	model_add_feed(m, MODEL_FEED_DST);
	fake_init(fs);
	fake_init(fd);
	for (uint32_t i = 0; i < n; i++) {
		fake_set(fs, i, names[i], DS_RUNNING, T(0));
		fake_set(fd, i, names[i], DS_RUNNING, T(0));
	}
	feed(m, 0, fs, T(0));
	feed(m, 1, fd, T(0));
}

START_TEST(test_appear_and_change)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake f;
	const struct model_event *e;
	struct model_trans t;
	int i;

	ck_assert_int_eq(model_init(&m, &c), 0);
	ck_assert_int_eq(model_add_feed(&m, MODEL_FEED_SRC), 0);
	fake_init(&f);
	fake_set(&f, 0, "0000:3b:00.2", DS_RUNNING, T(10));
	feed(&m, 0, &f, T(11));
	ck_assert_uint_eq(m.ndevs, 1);
	i = dev_index(&m, PAIR_SRC, "0000:3b:00.2");
	ck_assert_int_eq(i, 0);
	ck_assert_int_eq(m.devs[0]->val, DS_RUNNING);
	ck_assert_uint_eq(m.devs[0]->transitions, 0);
	e = model_event(&m, 1);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->tr.from, DS_UNKNOWN);
	ck_assert_int_eq(e->tr.to, DS_RUNNING);
	fake_set(&f, 0, "0000:3b:00.2", DS_PRE_COPY, T(20));
	feed(&m, 0, &f, T(21));
	ck_assert_int_eq(m.devs[0]->val, DS_PRE_COPY);
	ck_assert_uint_eq(m.devs[0]->since_ns, T(20));
	ck_assert_uint_eq(m.devs[0]->transitions, 1);
	ck_assert(model_hist_get(m.devs[0], 1, &t));
	ck_assert_int_eq(t.from, DS_RUNNING);
	ck_assert_int_eq(t.to, DS_PRE_COPY);
	ck_assert_int_eq(t.flags, 0);
	/* an unchanged slot listed as changed makes no event */
	fake_set(&f, 0, "0000:3b:00.2", DS_PRE_COPY, T(30));
	feed(&m, 0, &f, T(31));
	ck_assert_uint_eq(m.ev_seq, 2);
	model_free(&m);
}
END_TEST

/*
 * RUNNING then STOP_COPY: a VMM may have gone through PRE_COPY or through
 * STOP; which is not known, so the steps are shown as missed, not guessed.
 * RUNNING then RESUMING: every way goes through RUNNING_P2P and STOP.
 */
START_TEST(test_inferred_steps)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake f;
	struct model_trans t;

	model_init(&m, &c);
	model_add_feed(&m, MODEL_FEED_SRC);
	fake_init(&f);
	fake_set(&f, 0, "a", DS_RUNNING, T(10));
	fake_set(&f, 1, "b", DS_RUNNING, T(10));
	feed(&m, 0, &f, T(10));
	fake_set(&f, 0, "a", DS_STOP_COPY, T(50));
	fake_set(&f, 1, "b", DS_RESUMING, T(50));
	feed(&m, 0, &f, T(50));
	ck_assert_uint_eq(m.devs[0]->transitions, 0);
	ck_assert_uint_eq(m.devs[0]->hist_n, 2);
	ck_assert(model_hist_get(m.devs[0], 1, &t));
	ck_assert_int_eq(t.from, DS_RUNNING);
	ck_assert_int_eq(t.to, DS_STOP_COPY);
	ck_assert_int_eq(t.flags, MODEL_T_MISSED);
	ck_assert_uint_eq(m.devs[1]->transitions, 3);
	ck_assert(model_hist_get(m.devs[1], 1, &t));
	ck_assert_int_eq(t.to, DS_RUNNING_P2P);
	ck_assert_int_eq(t.flags, MODEL_T_INFERRED);
	ck_assert(model_hist_get(m.devs[1], 2, &t));
	ck_assert_int_eq(t.to, DS_STOP);
	ck_assert_int_eq(t.flags, MODEL_T_INFERRED);
	ck_assert(model_hist_get(m.devs[1], 3, &t));
	ck_assert_int_eq(t.from, DS_STOP);
	ck_assert_int_eq(t.to, DS_RESUMING);
	ck_assert_int_eq(t.flags, 0);
	model_free(&m);
}
END_TEST

/* A device with stop-copy only (its features file): RUNNING->STOP->STOP_COPY. */
START_TEST(test_inference_uses_features)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake f;
	struct model_trans t;

	model_init(&m, &c);
	model_add_feed(&m, MODEL_FEED_SRC);
	fake_init(&f);
	f.dev[0].features = FSM_F_STOP_COPY;
	f.dev[0].features_known = true;
	fake_set(&f, 0, "ch", DS_RUNNING, T(10));
	feed(&m, 0, &f, T(10));
	fake_set(&f, 0, "ch", DS_STOP_COPY, T(50));
	feed(&m, 0, &f, T(50));
	ck_assert_uint_eq(m.devs[0]->transitions, 2);
	ck_assert(model_hist_get(m.devs[0], 1, &t));
	ck_assert_int_eq(t.to, DS_STOP);
	ck_assert_int_eq(t.flags, MODEL_T_INFERRED);
	model_free(&m);
}
END_TEST

/* ERROR -> RUNNING has no kernel path (a reset): marked, not inferred. */
START_TEST(test_nopath)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake f;
	struct model_trans t;

	model_init(&m, &c);
	model_add_feed(&m, MODEL_FEED_SRC);
	fake_init(&f);
	fake_set(&f, 0, "a", DS_ERROR, T(10));
	feed(&m, 0, &f, T(10));
	/* A first value of ERROR is a status (a VF never opened reads so). */
	ck_assert(!m.any_error);
	ck_assert(!m.devs[0]->entered_error);
	fake_set(&f, 0, "a", DS_RUNNING, T(20));
	feed(&m, 0, &f, T(20));
	ck_assert(model_hist_get(m.devs[0], 1, &t));
	ck_assert_int_eq(t.flags, MODEL_T_NOPATH);
	/* Going into ERROR is an event. */
	fake_set(&f, 0, "a", DS_ERROR, T(30));
	feed(&m, 0, &f, T(30));
	ck_assert(m.any_error);
	ck_assert(m.devs[0]->entered_error);
	model_free(&m);
}
END_TEST

START_TEST(test_vanish_tombstone_and_return)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake f;

	model_init(&m, &c);
	model_add_feed(&m, MODEL_FEED_SRC);
	fake_init(&f);
	fake_set(&f, 0, "a", DS_RUNNING, T(10));
	fake_set(&f, 1, "b", DS_RUNNING, T(10));
	feed(&m, 0, &f, T(10));
	fake_drop(&f, 0);
	feed(&m, 0, &f, T(100));
	ck_assert(!m.devs[0]->present);
	ck_assert_uint_eq(m.devs[0]->gone_ns, T(100));
	ck_assert_int_eq(m.devs[0]->val, DS_GONE);
	/* the slot is reused by a new device: a new model device */
	fake_set(&f, 0, "c", DS_STOP, T(200));
	feed(&m, 0, &f, T(200));
	ck_assert_uint_eq(m.ndevs, 3);
	/* "a" comes back in another slot: same model device again */
	fake_set(&f, 2, "a", DS_RUNNING, T(300));
	feed(&m, 0, &f, T(300));
	ck_assert_uint_eq(m.ndevs, 3);
	ck_assert(m.devs[0]->present);
	ck_assert_uint_eq(m.devs[0]->gone_ns, 0);
	ck_assert_int_eq(m.devs[0]->val, DS_RUNNING);
	model_free(&m);
}
END_TEST

START_TEST(test_pairs_two_feeds)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake fs, fd;
	const char *names[] = { "x" };
	int pi = -1;

	two_sides(&m, &c, &fs, &fd, names, 1);
	ck_assert_uint_eq(m.npairs, 1);
	ck_assert_ptr_nonnull(m.pairs[0].att);
	ck_assert(!m.pairs[0].att->open);
	ck_assert_uint_eq(m.pairs[0].att->ndecided, 0);
	fake_set(&fs, 0, "x", DS_STOP_COPY, T(100));
	feed(&m, 0, &fs, T(100));
	ck_assert(m.pairs[0].att->open);
	fake_set(&fd, 0, "x", DS_RESUMING, T(150));
	feed(&m, 1, &fd, T(150));
	fake_set(&fs, 0, "x", DS_STOP, T(200));
	feed(&m, 0, &fs, T(200));
	/* Seen in RUNNING_P2P: the destination accepted the data. */
	fake_set(&fd, 0, "x", DS_RUNNING_P2P, T(300));
	feed(&m, 1, &fd, T(300));
	ck_assert(!m.pairs[0].att->open);
	ck_assert_int_eq(att_kept(m.pairs[0].att, 0)->outcome, ATT_COMPLETED);
	/* a pair event said so */
	for (uint64_t s = 1; s <= m.ev_seq; s++) {
		const struct model_event *e = model_event(&m, s);

		if (e->kind == MODEL_EV_PAIR && e->att.decided &&
		    e->att.a.outcome == ATT_COMPLETED)
			pi = e->pair;
	}
	ck_assert_int_eq(pi, 0);
	ck_assert_uint_eq(m.outcomes[ATT_COMPLETED], 1);
	ck_assert_uint_eq(m.outcomes[ATT_FAILED], 0);
	model_free(&m);
}
END_TEST

/* One completed migration of pair "x": STOP_COPY, RESUMING, STOP,
 * RUNNING_P2P, starting at @t ms. */
static void migrate_once(struct model *m, struct fake *fs, struct fake *fd,
			 uint64_t t)
{
	fake_set(fs, 0, "x", DS_STOP_COPY, T(t));
	feed(m, 0, fs, T(t));
	fake_set(fd, 0, "x", DS_RESUMING, T(t + 50));
	feed(m, 1, fd, T(t + 50));
	fake_set(fs, 0, "x", DS_STOP, T(t + 100));
	feed(m, 0, fs, T(t + 100));
	fake_set(fd, 0, "x", DS_RUNNING_P2P, T(t + 200));
	feed(m, 1, fd, T(t + 200));
}

/* Gone for good (tombstone expired): the history ring and the attempts
 * are freed, the device is forgotten; back, it is a new device. */
START_TEST(test_forget_gone_for_good)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake fs, fd;
	const char *names[] = { "x" };
	int s, d;

	two_sides(&m, &c, &fs, &fd, names, 1);
	migrate_once(&m, &fs, &fd, 100);
	s = dev_index(&m, PAIR_SRC, "x");
	d = dev_index(&m, PAIR_DST, "x");
	ck_assert_ptr_nonnull(m.devs[s]->trk);
	ck_assert_ptr_nonnull(m.devs[s]->hist);
	ck_assert_uint_eq(m.outcomes[ATT_COMPLETED], 1);
	fake_drop(&fs, 0);
	feed(&m, 0, &fs, T(1000));
	fake_drop(&fd, 0);
	feed(&m, 1, &fd, T(1000));
	/* Listed while the tombstone lasts: kept. */
	feed(&m, 0, &fs, T(1000) + c.tomb_ns - 1);
	ck_assert_ptr_nonnull(m.devs[s]->trk);
	ck_assert_ptr_nonnull(m.devs[d]->hist);
	ck_assert_uint_eq(m.forgotten, 0);
	feed(&m, 0, &fs, T(1000) + c.tomb_ns);
	ck_assert_uint_eq(m.forgotten, 2);
	for (int k = 0; k < 2; k++) {
		const struct model_dev *x = m.devs[k ? d : s];

		ck_assert_ptr_null(x->hist);
		ck_assert_ptr_null(x->trk);
		ck_assert_uint_eq(x->hist_n, 0);
		ck_assert_int_eq(x->life, MODEL_FORGOTTEN);
		/* its events are kept: they still name it */
		ck_assert_str_eq(x->name, "x");
		ck_assert(!model_dev_listed(x, c.tomb_ns, T(1000) + c.tomb_ns));
	}
	ck_assert_int_eq(model_dev_find(&m, PAIR_SRC, "x"), -1);
	ck_assert_int_eq(model_dev_find(&m, PAIR_DST, "x"), -1);
	ck_assert_uint_eq(m.outcomes[ATT_COMPLETED], 1);
	/* Back on both sides: new devices (the old indices are still named
	 * by kept events), paired, and the next migration is judged as the
	 * first was. */
	fake_set(&fs, 0, "x", DS_RUNNING, T(20000));
	feed(&m, 0, &fs, T(20000));
	fake_set(&fd, 0, "x", DS_RUNNING, T(20000));
	feed(&m, 1, &fd, T(20000));
	ck_assert_int_ne(dev_index(&m, PAIR_SRC, "x"), s);
	ck_assert_int_ne(dev_index(&m, PAIR_DST, "x"), d);
	s = dev_index(&m, PAIR_SRC, "x");
	d = dev_index(&m, PAIR_DST, "x");
	ck_assert_int_eq(model_dev_find(&m, PAIR_SRC, "x"), s);
	ck_assert_uint_eq(m.devs[s]->transitions, 0);
	ck_assert_int_eq(m.devs[s]->pair, m.devs[d]->pair);
	ck_assert_ptr_nonnull(m.pairs[m.devs[s]->pair].att);
	migrate_once(&m, &fs, &fd, 21000);
	ck_assert_int_eq(att_kept(m.pairs[m.devs[s]->pair].att, 0)->outcome,
			 ATT_COMPLETED);
	ck_assert_uint_eq(m.outcomes[ATT_COMPLETED], 2);
	ck_assert_uint_eq(m.outcomes[ATT_FAILED], 0);
	ck_assert_uint_le(m.devs[s]->hist_n, 4);
	model_free(&m);
}
END_TEST

/* A vanished device keeps its pair while its tombstone lasts (10 s), and
 * loses it when it expires, on a refresh that brings no news; two
 * tombstones expire each at its own time. */
START_TEST(test_tombstone_expiry_unpairs)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake fs, fd;
	const char *names[] = { "x", "y" };
	int x, y;

	two_sides(&m, &c, &fs, &fd, names, 2);
	x = dev_index(&m, PAIR_SRC, "x");
	y = dev_index(&m, PAIR_SRC, "y");
	ck_assert_int_ge(m.devs[x]->pair, 0);
	ck_assert_int_ge(m.devs[y]->pair, 0);
	ck_assert_uint_eq(m.tomb_next_ns, 0);
	fake_drop(&fs, 0);
	feed(&m, 0, &fs, T(100));
	fake_drop(&fs, 1);
	feed(&m, 0, &fs, T(104));
	ck_assert_uint_eq(m.tomb_next_ns, T(100) + c.tomb_ns);
	feed(&m, 0, &fs, T(100) + c.tomb_ns - 1);
	ck_assert_int_ge(m.devs[x]->pair, 0);
	feed(&m, 0, &fs, T(100) + c.tomb_ns);
	ck_assert_int_eq(m.devs[x]->pair, -1);
	ck_assert_int_ge(m.devs[y]->pair, 0);
	ck_assert_uint_eq(m.tomb_next_ns, T(104) + c.tomb_ns);
	feed(&m, 0, &fs, T(104) + c.tomb_ns);
	ck_assert_int_eq(m.devs[y]->pair, -1);
	ck_assert_uint_eq(m.tomb_next_ns, 0);
	/* the destinations stay, alone */
	ck_assert_int_ge(m.devs[dev_index(&m, PAIR_DST, "x")]->pair, 0);
	/* x comes back a minute later: a new device, paired again */
	fake_set(&fs, 2, "x", DS_RUNNING, T(60000));
	feed(&m, 0, &fs, T(60000));
	ck_assert_int_ne(dev_index(&m, PAIR_SRC, "x"), x);
	x = dev_index(&m, PAIR_SRC, "x");
	ck_assert_int_ge(m.devs[x]->pair, 0);
	ck_assert_int_eq(m.pairs[m.devs[x]->pair].dev[PAIR_DST],
			 dev_index(&m, PAIR_DST, "x"));
	model_free(&m);
}
END_TEST

/* A quiet refresh looks at no pair; one with news, or an attempt under
 * way, is looked at until the attempt is decided. */
START_TEST(test_quiet_pairs_cost_nothing)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake fs, fd;
	const char *names[] = { "a", "b", "c", "d" };

	two_sides(&m, &c, &fs, &fd, names, 4);
	ck_assert_uint_eq(m.npairs, 4);
	ck_assert_uint_eq(m.npq, 0);
	feed(&m, 0, &fs, T(100));	/* nothing changed */
	ck_assert_uint_eq(m.npq, 0);
	fake_set(&fs, 2, "c", DS_PRE_COPY, T(200));
	feed(&m, 0, &fs, T(200));
	ck_assert_uint_eq(m.npq, 1);	/* under way: looked at each time */
	ck_assert_int_eq(m.pq[0], m.devs[dev_index(&m, PAIR_SRC, "c")]->pair);
	feed(&m, 0, &fs, T(300));
	ck_assert_uint_eq(m.npq, 1);
	fake_set(&fs, 2, "c", DS_STOP_COPY, T(400));
	feed(&m, 0, &fs, T(400));
	fake_set(&fd, 2, "c", DS_RESUMING, T(450));
	feed(&m, 1, &fd, T(450));
	fake_set(&fs, 2, "c", DS_STOP, T(500));
	feed(&m, 0, &fs, T(500));
	fake_set(&fd, 2, "c", DS_RUNNING_P2P, T(600));
	feed(&m, 1, &fd, T(600));
	ck_assert_uint_eq(m.outcomes[ATT_COMPLETED], 1);
	ck_assert_uint_eq(m.npq, 0);	/* decided: quiet again */
	model_free(&m);
}
END_TEST

/* The devices that changed, each once, for consumers that redo work
 * per device (devinfo): nothing on a quiet refresh. */
START_TEST(test_changed_devices)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake fs, fd;
	const char *names[] = { "a", "b", "c" };
	int *chg;
	bool all;
	size_t n;

	two_sides(&m, &c, &fs, &fd, names, 3);
	ck_assert_uint_eq(model_dev_changed_take(&m, &chg, &all), 6);
	ck_assert(!all);
	ck_assert_uint_eq(model_dev_changed_take(&m, &chg, &all), 0);
	feed(&m, 0, &fs, T(100));	/* nothing changed */
	ck_assert_uint_eq(model_dev_changed_take(&m, &chg, &all), 0);
	fake_set(&fs, 1, "b", DS_PRE_COPY, T(200));
	feed(&m, 0, &fs, T(200));
	fake_set(&fs, 1, "b", DS_STOP_COPY, T(300));
	feed(&m, 0, &fs, T(300));
	fake_drop(&fd, 2);
	feed(&m, 1, &fd, T(300));
	n = model_dev_changed_take(&m, &chg, &all);
	ck_assert_uint_eq(n, 2);	/* b once, though it changed twice */
	ck_assert_int_eq(chg[0], dev_index(&m, PAIR_SRC, "b"));
	ck_assert_int_eq(chg[1], dev_index(&m, PAIR_DST, "c"));
	/* Features alone change a device too. */
	fs.dev[0].features_known = true;
	fs.changed[fs.sn.nchanged++] = 0;
	feed(&m, 0, &fs, T(400));
	n = model_dev_changed_take(&m, &chg, &all);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(chg[0], dev_index(&m, PAIR_SRC, "a"));
	model_free(&m);
}
END_TEST

/* devinfo judges only the devices that changed, unless devices came. */
static void no_fact(void *ctx, int side, const char *name, const char *key,
		    const char *val)
{
	(void)ctx;
	(void)side;
	(void)name;
	(void)key;
	(void)val;
}

START_TEST(test_devinfo_judges_what_changed)
{
	struct model_cfg c = cfg();
	struct devinfo_cfg dc;
	struct devinfo di;
	struct model m;
	struct fake fs, fd;
	struct source s0, s1;
	struct source *src[] = { &s0, &s1 };
	const unsigned int fno[] = { 0, 1 };
	const char *names[] = { "a", "b", "c" };
	char err[128];

	memset(&s0, 0, sizeof(s0));
	memset(&s1, 0, sizeof(s1));
	s0.ops = s1.ops = &src_debugfs_ops;
	memset(&dc, 0, sizeof(dc));
	dc.sysfs = dc.proc = dc.dev = "/nonexistent";
	dc.delay_ns = CLOCK_NS_PER_S;
	dc.owner_ns = 3600 * CLOCK_NS_PER_S;	/* vmwatch scans once */
	dc.quiet = true;
	ck_assert_int_eq(devinfo_init(&di, &dc, true, err, sizeof(err)), 0);
	two_sides(&m, &c, &fs, &fd, names, 3);
	devinfo_update(&di, &m, src, fno, 2, T(0));
	ck_assert_uint_eq(di.passes, 1);
	ck_assert_uint_eq(di.judged_devs, 6);
	devinfo_facts(&di, &m, no_fact, NULL);
	ck_assert_uint_eq(di.facts_passes, 1);
	/* Idle refreshes judge nothing, and tell no facts. */
	for (int k = 1; k <= 10; k++) {
		feed(&m, 0, &fs, T(k));
		feed(&m, 1, &fd, T(k));
		devinfo_update(&di, &m, src, fno, 2, T(k));
		devinfo_facts(&di, &m, no_fact, NULL);
	}
	ck_assert_uint_eq(di.passes, 1);
	ck_assert_uint_eq(di.judged_devs, 6);
	ck_assert_uint_eq(di.facts_passes, 1);
	/* One device changed: it alone is judged. */
	fake_set(&fd, 2, "c", DS_RESUMING, T(20));
	feed(&m, 1, &fd, T(20));
	devinfo_update(&di, &m, src, fno, 2, T(20));
	ck_assert_uint_eq(di.passes, 1);
	ck_assert_uint_eq(di.judged_devs, 7);
	/* A device came: every device is judged again. */
	fake_set(&fs, 3, "d", DS_RUNNING, T(30));
	feed(&m, 0, &fs, T(30));
	devinfo_update(&di, &m, src, fno, 2, T(30));
	ck_assert_uint_eq(di.passes, 2);
	ck_assert_uint_eq(di.judged_devs, 7 + m.ndevs);
	devinfo_facts(&di, &m, no_fact, NULL);
	ck_assert_uint_eq(di.facts_passes, 2);
	devinfo_free(&di);
	model_free(&m);
}
END_TEST

/* One tree, --pair decides who is the destination. */
START_TEST(test_shared_feed_pair_decides_side)
{
	struct pair_spec sp[] = { { "u1", "u2" } };
	struct model_cfg c = cfg();
	struct model m;
	struct fake f;

	c.pairs = sp;
	c.npairs = 1;
	model_init(&m, &c);
	model_add_feed(&m, MODEL_FEED_SHARED);
	fake_init(&f);
	fake_set(&f, 0, "u2", DS_RUNNING, T(0));
	fake_set(&f, 1, "u1", DS_RUNNING, T(0));
	fake_set(&f, 2, "u3", DS_RUNNING, T(0));
	feed(&m, 0, &f, T(0));
	ck_assert_int_ge(dev_index(&m, PAIR_DST, "u2"), 0);
	ck_assert_int_ge(dev_index(&m, PAIR_SRC, "u1"), 0);
	ck_assert_int_ge(dev_index(&m, PAIR_SRC, "u3"), 0);
	ck_assert_int_eq(m.pairs[0].dev[PAIR_SRC], dev_index(&m, PAIR_SRC, "u1"));
	ck_assert_int_eq(m.pairs[0].dev[PAIR_DST], dev_index(&m, PAIR_DST, "u2"));
	model_free(&m);
}
END_TEST

/* More transitions than the ring keeps: the newest stay, counts go on. */
START_TEST(test_history_bounded)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake f;
	struct model_trans t;
	unsigned int n = 0;

	model_init(&m, &c);
	model_add_feed(&m, MODEL_FEED_SRC);
	fake_init(&f);
	fake_set(&f, 0, "a", DS_RUNNING, T(0));
	feed(&m, 0, &f, T(0));
	for (int i = 1; i <= 200; i++) {
		fake_set(&f, 0, "a", i % 2 ? DS_PRE_COPY : DS_RUNNING, T(i));
		feed(&m, 0, &f, T(i));
	}
	ck_assert_uint_eq(m.devs[0]->transitions, 200);
	while (model_hist_get(m.devs[0], n, &t))
		n++;
	ck_assert_uint_eq(n, MODEL_HIST);
	ck_assert(model_hist_get(m.devs[0], MODEL_HIST - 1, &t));
	ck_assert_uint_eq(t.t_ns, T(200));
	model_free(&m);
}
END_TEST

/* A source with an arc log: steps come with kernel times, nothing is
 * inferred, failed and refused attempts do not change the state. */
START_TEST(test_exact_steps)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake f;
	struct snap_step steps[4];
	struct model_trans t;

	model_init(&m, &c);
	model_add_feed(&m, MODEL_FEED_SRC);
	fake_init(&f);
	f.dev[0].exact = true;
	fake_set(&f, 0, "u", DS_RUNNING, T(10));
	feed(&m, 0, &f, T(10));
	memset(steps, 0, sizeof(steps));
	steps[0] = (struct snap_step){ .slot = 0, .gen = f.dev[0].gen,
		.t_ns = T(20), .from = DS_RUNNING, .to = DS_ERROR,
		.flags = SNAP_STEP_REFUSED };
	steps[1] = (struct snap_step){ .slot = 0, .gen = f.dev[0].gen,
		.t_ns = T(21), .from = DS_RUNNING, .to = DS_RUNNING_P2P,
		.flags = SNAP_STEP_ARC };
	steps[2] = (struct snap_step){ .slot = 0, .gen = f.dev[0].gen,
		.t_ns = T(22), .from = DS_RUNNING_P2P, .to = DS_STOP,
		.flags = SNAP_STEP_ARC };
	f.sn.steps = steps;
	f.sn.nsteps = 3;
	fake_set(&f, 0, "u", DS_STOP, T(30));
	feed(&m, 0, &f, T(30));
	ck_assert_int_eq(m.devs[0]->val, DS_STOP);
	ck_assert_uint_eq(m.devs[0]->since_ns, T(22));
	ck_assert_uint_eq(m.devs[0]->transitions, 2);
	ck_assert(!m.any_error);
	ck_assert(model_hist_get(m.devs[0], 1, &t));
	ck_assert_int_eq(t.flags, MODEL_T_REFUSED);
	ck_assert(model_hist_get(m.devs[0], 2, &t));
	ck_assert_int_eq(t.flags, MODEL_T_ARC);
	ck_assert_uint_eq(t.t_ns, T(21));
	/* a change with no step (a reset): no inference, marked */
	f.sn.nsteps = 0;
	fake_set(&f, 0, "u", DS_STOP_COPY, T(40));
	feed(&m, 0, &f, T(40));
	ck_assert(model_hist_get(m.devs[0], 4, &t));
	ck_assert_int_eq(t.from, DS_STOP);
	ck_assert_int_eq(t.to, DS_STOP_COPY);
	ck_assert_int_eq(t.flags, MODEL_T_NOPATH);
	model_free(&m);
}
END_TEST

/* What each kept event named when it was made: side and name by seq. */
struct ev_truth {
	uint64_t seq[MODEL_EVENTS];
	int side[MODEL_EVENTS];
	char name[MODEL_EVENTS][SNAP_NAME_MAX];
	uint64_t next;
};

static void truth_take(struct ev_truth *t, const struct model *m)
{
	for (; t->next <= m->ev_seq; t->next++) {
		const struct model_event *e = model_event(m, t->next);
		size_t k = t->next % MODEL_EVENTS;

		if (!e || e->kind != MODEL_EV_TRANS)
			continue;
		t->seq[k] = e->seq;
		t->side[k] = m->devs[e->dev]->side;
		snprintf(t->name[k], sizeof(t->name[k]), "%s",
			 m->devs[e->dev]->name);
	}
}

/* Every kept event still names the device it named when it was made. */
static void truth_check(const struct ev_truth *t, const struct model *m)
{
	uint64_t lo = m->ev_seq > MODEL_EVENTS ? m->ev_seq - MODEL_EVENTS + 1 : 1;

	for (uint64_t q = lo; q <= m->ev_seq; q++) {
		const struct model_event *e = model_event(m, q);
		size_t k = q % MODEL_EVENTS;

		if (!e || e->kind != MODEL_EV_TRANS)
			continue;
		ck_assert_uint_eq(t->seq[k], q);
		ck_assert_int_eq(m->devs[e->dev]->side, t->side[k]);
		ck_assert_str_eq(m->devs[e->dev]->name, t->name[k]);
	}
}

/*
 * mdevs created and removed all day: 6 000 devices, never more than 16
 * at once.  The model keeps those present, listed, or named by a kept
 * event, and no more: indices are taken again, each time by a new
 * device (a new serial), and never while a kept event names the old
 * one.  A name that comes back is a new device.
 */
START_TEST(test_indices_reused)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake f[2];
	struct ev_truth *t = calloc(1, sizeof(*t));
	uint64_t serial = 0, now = 0, made = 0;
	size_t most = 0;

	ck_assert_ptr_nonnull(t);
	t->next = 1;
	ck_assert_int_eq(model_init(&m, &c), 0);
	model_add_feed(&m, MODEL_FEED_SRC);
	model_add_feed(&m, MODEL_FEED_DST);
	fake_init(&f[0]);
	fake_init(&f[1]);
	for (unsigned int k = 0; k < 12000; k++) {
		unsigned int side = (k / 8) % 2, slot = k % 8;
		struct fake *x = &f[side];
		char name[16];
		int idx;

		now = T((uint64_t)k * 700);
		if (x->dev[slot].present) {
			fake_drop(x, slot);
		} else {
			/* every 16th name is one seen before */
			snprintf(name, sizeof(name), "d%u",
				 k % 16 == 3 && k > 3000 ? k - 3000 : k);
			fake_set(x, slot, name, DS_RUNNING, now);
			made++;
		}
		feed(&m, side, x, now);
		truth_take(t, &m);
		if (k % 499 == 0)
			truth_check(t, &m);
		if (!x->dev[slot].present)
			continue;
		idx = model_dev_find(&m, (enum pair_side)side, x->dev[slot].name);
		ck_assert_int_ge(idx, 0);
		ck_assert_int_eq(m.devs[idx]->life, MODEL_LIVE);
		ck_assert_uint_gt(m.devs[idx]->serial, serial);
		serial = m.devs[idx]->serial;
		if (m.ndevs > most)
			most = m.ndevs;
	}
	truth_check(t, &m);
	/* Every appearance made a device; they all fit in what a few
	 * thousand events can name. */
	ck_assert_uint_eq(m.dev_serial, made);
	ck_assert_uint_gt(m.reused, made - MODEL_EVENTS);
	ck_assert_uint_le(most, MODEL_EVENTS / 2 + 64);
	for (size_t i = 0; i < m.ndevs; i++)
		if (m.devs[i]->life == MODEL_FREE)
			ck_assert(!model_dev_listed(m.devs[i], c.tomb_ns, now));
	model_free(&m);
	free(t);
}
END_TEST

/* Two sources list a device of the same name on one side: it is one
 * device, and it is not forgotten while either still holds it. */
START_TEST(test_forget_waits_for_every_source)
{
	struct model_cfg c = cfg();
	struct model m;
	struct fake a, b;
	int x;

	ck_assert_int_eq(model_init(&m, &c), 0);
	model_add_feed(&m, MODEL_FEED_SRC);
	model_add_feed(&m, MODEL_FEED_SRC);
	fake_init(&a);
	fake_init(&b);
	fake_set(&a, 0, "x", DS_RUNNING, T(0));
	feed(&m, 0, &a, T(0));
	fake_set(&b, 0, "x", DS_RUNNING, T(0));
	feed(&m, 1, &b, T(0));
	x = model_dev_find(&m, PAIR_SRC, "x");
	ck_assert_int_ge(x, 0);
	ck_assert_uint_eq(m.devs[x]->mapped, 2);
	fake_drop(&a, 0);
	feed(&m, 0, &a, T(100));
	feed(&m, 0, &a, T(100) + c.tomb_ns + 1);
	ck_assert_int_eq(m.devs[x]->life, MODEL_LIVE);
	ck_assert_int_eq(model_dev_find(&m, PAIR_SRC, "x"), x);
	/* The other source lets it go too: now it is forgotten. */
	fake_drop(&b, 0);
	feed(&m, 1, &b, T(200) + c.tomb_ns);
	ck_assert_uint_eq(m.devs[x]->mapped, 0);
	feed(&m, 1, &b, T(300) + 2 * c.tomb_ns);
	ck_assert_int_eq(m.devs[x]->life, MODEL_FORGOTTEN);
	model_free(&m);
}
END_TEST

TU_MAIN("model", test_appear_and_change, test_inferred_steps,
	test_inference_uses_features, test_nopath,
	test_vanish_tombstone_and_return, test_pairs_two_feeds,
	test_shared_feed_pair_decides_side, test_history_bounded,
	test_exact_steps, test_tombstone_expiry_unpairs,
	test_quiet_pairs_cost_nothing, test_changed_devices,
	 test_devinfo_judges_what_changed, test_forget_gone_for_good,
	 test_indices_reused, test_forget_waits_for_every_source)
