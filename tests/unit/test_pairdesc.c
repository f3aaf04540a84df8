// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_pairdesc.c - what batch output says about a pair: which pairs are
 * listed, their names, each attempt's word, durations and blame, when the
 * counts are news, how long a device is stranded, the attempts listed.
 */
#include "testutil.h"
#include "pairdesc.h"

/* A hand-made model: devices and pairs, no sources. */
struct fake {
	struct model m;
	struct model_dev *d[8];
	struct model_pair p[8];
	struct att_track t[8];		/* each pair's attempts */
};

static struct model_pair *fake_pair(struct fake *f, int s, int d)
{
	struct att_track *t = &f->t[f->m.npairs];
	struct model_pair *p = &f->p[f->m.npairs++];

	memset(p, 0, sizeof(*p));
	att_init(t);
	p->want[0] = p->want[1] = "";	/* the model never leaves them NULL */
	p->dev[PAIR_SRC] = s;
	p->dev[PAIR_DST] = d;
	if (s >= 0 && d >= 0)
		p->att = t;
	return p;
}

/* The attempts of @p, to change (the model's pair only reads them). */
static struct att_track *track(struct fake *f, const struct model_pair *p)
{
	return &f->t[p - f->p];
}

static int fake_dev(struct fake *f, const char *name, enum pair_side side)
{
	f->d[f->m.ndevs] = tu_dev(name, side, DS_RUNNING, T(0));
	return (int)f->m.ndevs++;
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->m.devs = f->d;
	f->m.pairs = f->p;
	fake_dev(f, "0000:3b:00.2", PAIR_SRC);
	fake_dev(f, "0000:3b:00.2", PAIR_DST);
	fake_dev(f, "0000:af:00.1", PAIR_SRC);
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->m.ndevs; i++)
		free(f->d[i]);
}

START_TEST(test_listed_and_names)
{
	struct fake f;
	struct model_pair *both, *alone, *wanted;
	const char *name[PAIR_NSIDES];

	fake_init(&f);
	both = fake_pair(&f, 0, 1);
	alone = fake_pair(&f, 2, -1);
	wanted = fake_pair(&f, 2, -1);
	wanted->want[PAIR_DST] = "0000:d8:00.1";	/* --pair, not there yet */
	ck_assert(pairdesc_listed(both));
	ck_assert(!pairdesc_listed(alone));
	ck_assert(pairdesc_listed(wanted));
	pairdesc_names(&f.m, both, name);
	ck_assert_str_eq(name[PAIR_SRC], "0000:3b:00.2");
	ck_assert_str_eq(name[PAIR_DST], "0000:3b:00.2");
	pairdesc_names(&f.m, alone, name);
	ck_assert_str_eq(name[PAIR_SRC], "0000:af:00.1");
	ck_assert_ptr_null(name[PAIR_DST]);
	pairdesc_names(&f.m, wanted, name);
	ck_assert_str_eq(name[PAIR_DST], "0000:d8:00.1");
	fake_free(&f);
}
END_TEST

START_TEST(test_att_open)
{
	struct att_track t;
	struct pairdesc_att d;

	att_init(&t);
	tu_att_open(&t, ATT_PH_STOP_COPY, T(1000), T(1500));
	pairdesc_att_of(&t.cur, T(1700), &d);
	ck_assert_ptr_eq(d.a, &t.cur);
	ck_assert_str_eq(d.word, "stop-copy");
	ck_assert(!d.decided);
	ck_assert_uint_eq(d.phase_ns, 200 * CLOCK_NS_PER_MS);
	ck_assert_uint_eq(d.dur_ns, 700 * CLOCK_NS_PER_MS);
	ck_assert(!d.blamed);
	ck_assert_ptr_null(d.reason);
	/* A clock read before the phase began: no time, never a wrap. */
	pairdesc_att_of(&t.cur, T(900), &d);
	ck_assert_uint_eq(d.phase_ns, 0);
	ck_assert_uint_eq(d.dur_ns, 0);
}
END_TEST

START_TEST(test_att_decided)
{
	struct att_track t;
	struct pairdesc_att d;

	att_init(&t);
	tu_att_decided(&t, ATT_COMPLETED, 0, ATT_DST, DS_RESUMING, T(1000),
		       T(1840));
	pairdesc_att_of(att_kept(&t, 0), T(9000), &d);
	ck_assert_str_eq(d.word, "completed");
	ck_assert(d.decided);
	ck_assert_uint_eq(d.dur_ns, 840 * CLOCK_NS_PER_MS);
	ck_assert_uint_eq(d.phase_ns, 0);
	ck_assert(!d.blamed);
	ck_assert_ptr_null(d.reason);

	tu_att_decided(&t, ATT_FAILED, ATT_R_ERROR, ATT_DST, DS_RESUMING,
		       T(2000), T(2500));
	pairdesc_att_of(att_kept(&t, 0), T(9000), &d);
	ck_assert_str_eq(d.word, "failed");
	ck_assert(d.blamed);
	ck_assert_int_eq(d.side, PAIR_DST);
	ck_assert_str_eq(d.reason, att_reason_code(ATT_R_ERROR));
	ck_assert_uint_eq(d.dur_ns, 500 * CLOCK_NS_PER_MS);

	tu_att_decided(&t, ATT_UNCERTAIN, ATT_R_ERROR, ATT_SRC, DS_STOP_COPY,
		       T(3000), T(3100));
	pairdesc_att_of(att_kept(&t, 0), T(9000), &d);
	ck_assert_str_eq(d.word, "uncertain");
	ck_assert(d.blamed);
	ck_assert_int_eq(d.side, PAIR_SRC);
}
END_TEST

START_TEST(test_pair_failed)
{
	struct fake f;
	struct model_pair *p;
	struct pairdesc d;

	fake_init(&f);
	p = fake_pair(&f, 0, 1);
	tu_att_decided(track(&f, p), ATT_FAILED, ATT_R_ERROR, ATT_DST, DS_RESUMING,
		       T(1000), T(2000));
	pairdesc_of(&f.m, p, T(5000), &d);
	ck_assert_str_eq(d.name[PAIR_SRC], "0000:3b:00.2");
	ck_assert(d.paired);
	ck_assert_int_eq(d.v.kind, VERDICT_FAILED);
	ck_assert(d.has_att);
	ck_assert_str_eq(d.att.word, "failed");
	ck_assert(d.att.blamed);
	ck_assert(!d.counts);		/* one attempt: the line says it all */
	ck_assert_uint_eq(d.nlist, 1);
	ck_assert_ptr_eq(d.list[0].a, att_kept(p->att, 0));
	fake_free(&f);
}
END_TEST

START_TEST(test_pair_open_after_many)
{
	struct fake f;
	struct model_pair *p;
	struct pairdesc d;

	fake_init(&f);
	p = fake_pair(&f, 0, 1);
	pairdesc_of(&f.m, p, T(0), &d);
	ck_assert(!d.has_att);
	ck_assert(!d.counts);
	ck_assert_uint_eq(d.nlist, 0);
	tu_att_decided(track(&f, p), ATT_COMPLETED, 0, ATT_DST, DS_RESUMING,
		       T(0), T(500));
	tu_att_open(track(&f, p), ATT_PH_PRE_COPY, T(1000), T(1000));
	pairdesc_of(&f.m, p, T(1250), &d);
	ck_assert(d.counts);		/* one decided and one under way */
	ck_assert(d.has_att);
	ck_assert_str_eq(d.att.word, "pre-copy");
	ck_assert_uint_eq(d.att.phase_ns, 250 * CLOCK_NS_PER_MS);
	ck_assert_uint_eq(d.nlist, 2);
	ck_assert(d.list[0].decided);
	ck_assert(!d.list[1].decided);
	ck_assert_ptr_eq(d.list[1].a, &p->att->cur);

	/* More than ATT_KEEP decided: the last ones, oldest first. */
	track(&f, p)->open = false;
	for (int i = 0; i < 10; i++)
		tu_att_decided(track(&f, p), ATT_COMPLETED, 0, ATT_DST, DS_RESUMING,
			       T(2000 + i * 100), T(2050 + i * 100));
	pairdesc_of(&f.m, p, T(9000), &d);
	ck_assert_uint_eq(d.nlist, ATT_KEEP);
	ck_assert_uint_eq(d.list[0].a->no, 11 - ATT_KEEP + 1);
	ck_assert_uint_eq(d.list[ATT_KEEP - 1].a->no, 11);
	ck_assert(d.counts);
	fake_free(&f);
}
END_TEST

START_TEST(test_pair_unpaired)
{
	struct fake f;
	struct model_pair *p;
	struct pairdesc d;

	fake_init(&f);
	p = fake_pair(&f, 2, -1);
	p->want[PAIR_DST] = "0000:d8:00.1";
	pairdesc_of(&f.m, p, T(0), &d);
	ck_assert(!d.paired);
	ck_assert_str_eq(d.v.word, "missing-destination");
	ck_assert(!d.has_att);
	ck_assert_uint_eq(d.nlist, 0);
	ck_assert_uint_eq(d.stranded_for_ns, 0);
	fake_free(&f);
}
END_TEST

TU_MAIN("pairdesc", test_listed_and_names, test_att_open, test_att_decided,
	test_pair_failed, test_pair_open_after_many, test_pair_unpaired)
