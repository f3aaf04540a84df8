// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_tui_rows.c - which rows the table shows and in what order (filter,
 * problems only, sort keys, tombstones), and the event log with its alerts.
 */
#include "testutil.h"
#include "cell.h"
#include "evlog.h"
#include "evview.h"
#include "rows.h"

/* A hand-made model: devices and pairs, no sources. */
struct fake {
	struct model m;
	struct model_dev *d[8];
	struct model_pair p[8];
	struct att_track t[8];		/* each pair's attempts */
};

static void fake_pair(struct fake *f, int s, int d)
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
}

static int fake_dev(struct fake *f, const char *name, enum pair_side side,
		    enum dstate v, uint64_t since)
{
	f->d[f->m.ndevs] = tu_dev(name, side, v, since);
	return (int)f->m.ndevs++;
}

/*
 * 0000:3b:00.2 src RUNNING / dst RUNNING      idle
 * 0000:3b:00.3 src STOP_COPY / dst RESUMING   stop-copy (changed last)
 * 0000:d8:00.1 src RUNNING / dst ERROR        failed
 * 83b8...      src alone, PRE_COPY
 */
static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->m.devs = f->d;
	f->m.pairs = f->p;
	fake_dev(f, "0000:3b:00.2", PAIR_SRC, DS_RUNNING, T(0));
	fake_dev(f, "0000:3b:00.2", PAIR_DST, DS_RUNNING, T(0));
	fake_dev(f, "0000:3b:00.3", PAIR_SRC, DS_STOP_COPY, T(9000));
	fake_dev(f, "0000:3b:00.3", PAIR_DST, DS_RESUMING, T(8000));
	fake_dev(f, "0000:d8:00.1", PAIR_SRC, DS_RUNNING, T(5000));
	fake_dev(f, "0000:d8:00.1", PAIR_DST, DS_ERROR, T(4000));
	fake_dev(f, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", PAIR_SRC,
		 DS_PRE_COPY, T(7000));
	fake_pair(f, 4, 5);
	fake_pair(f, 6, -1);
	fake_pair(f, 2, 3);
	fake_pair(f, 0, 1);
	tu_att_decided(&f->t[0], ATT_FAILED, ATT_R_ERROR, ATT_DST, DS_RESUMING,
		       T(1000), T(2000));
	tu_att_open(&f->t[2], ATT_PH_STOP_COPY, T(3000), T(3000));
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->m.ndevs; i++)
		free(f->d[i]);
}

static struct rows_vec build(struct fake *f, struct rows_cfg *c)
{
	struct rows_vec r = { 0 };

	c->now_ns = T(10000);
	ck_assert_int_eq(rows_build(&f->m, c, &r), 0);
	return r;
}

static const char *first_name(const struct fake *f, const struct rows_vec *r,
			      size_t i)
{
	return f->d[r->v[i].dev[0] >= 0 ? r->v[i].dev[0] : r->v[i].dev[1]]->name;
}

START_TEST(test_match)
{
	ck_assert(rows_match(NULL, "x"));
	ck_assert(rows_match("", "x"));
	ck_assert(rows_match("3B:00", "0000:3b:00.2"));
	ck_assert(!rows_match("d8", "0000:3b:00.2"));
	ck_assert(rows_match("*:3b:*", "0000:3b:00.2"));
	ck_assert(!rows_match("3b*", "0000:3b:00.2"));
	ck_assert(rows_match("0000:3b:00.[23]", "0000:3b:00.3"));
	ck_assert(rows_match("83b8\?\?\?\?-*", "83b8f4f2-509f"));
}
END_TEST

START_TEST(test_sorts)
{
	struct fake f;
	struct rows_cfg c = { .sort = ROWS_SORT_ORDER };
	struct rows_vec r;

	fake_init(&f);
	r = build(&f, &c);
	ck_assert_uint_eq(r.n, 4);
	ck_assert_str_eq(first_name(&f, &r, 0), "0000:d8:00.1");
	rows_free(&r);
	c.sort = ROWS_SORT_NAME;
	r = build(&f, &c);
	ck_assert_str_eq(first_name(&f, &r, 0), "0000:3b:00.2");
	ck_assert_str_eq(first_name(&f, &r, 3), "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
	rows_free(&r);
	c.invert = true;
	r = build(&f, &c);
	ck_assert_str_eq(first_name(&f, &r, 0), "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
	rows_free(&r);
	c.invert = false;
	c.sort = ROWS_SORT_STATE;	/* RUNNING first, then PRE_COPY, STOP_COPY */
	r = build(&f, &c);
	ck_assert_str_eq(first_name(&f, &r, 0), "0000:3b:00.2");
	ck_assert_str_eq(first_name(&f, &r, 1), "0000:d8:00.1");
	ck_assert_str_eq(first_name(&f, &r, 2), "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
	rows_free(&r);
	c.sort = ROWS_SORT_TIME;	/* most recent change first */
	r = build(&f, &c);
	ck_assert_str_eq(first_name(&f, &r, 0), "0000:3b:00.3");
	ck_assert_str_eq(first_name(&f, &r, 3), "0000:3b:00.2");
	rows_free(&r);
	c.sort = ROWS_SORT_VERDICT;	/* failed, migrating, idle, unpaired */
	r = build(&f, &c);
	ck_assert_str_eq(first_name(&f, &r, 0), "0000:d8:00.1");
	ck_assert_str_eq(first_name(&f, &r, 1), "0000:3b:00.3");
	ck_assert_str_eq(first_name(&f, &r, 2), "0000:3b:00.2");
	ck_assert_int_eq(r.v[3].dev[1], -1);
	rows_free(&r);
	fake_free(&f);
}
END_TEST

/* With names ranked once, sorting by name needs no string compares. */
START_TEST(test_rank)
{
	struct fake f;
	struct rows_cfg c = { .sort = ROWS_SORT_NAME };
	struct rows_vec r;
	uint32_t *rank = NULL;
	size_t nrank = 0;

	fake_init(&f);
	ck_assert_int_eq(rows_rank(&f.m, &rank, &nrank), 0);
	ck_assert_uint_eq(nrank, 7);
	ck_assert_uint_lt(rank[0], rank[2]);	/* 3b:00.2 before 3b:00.3 */
	ck_assert_uint_lt(rank[5], rank[6]);	/* d8:00.1 before 83b8... */
	c.rank = rank;
	c.nrank = nrank;
	r = build(&f, &c);
	ck_assert_str_eq(first_name(&f, &r, 0), "0000:3b:00.2");
	ck_assert_str_eq(first_name(&f, &r, 1), "0000:3b:00.3");
	ck_assert_str_eq(first_name(&f, &r, 2), "0000:d8:00.1");
	ck_assert_str_eq(first_name(&f, &r, 3), "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
	rows_free(&r);
	free(rank);
	fake_free(&f);
}
END_TEST

START_TEST(test_filter_problems)
{
	struct fake f;
	struct rows_cfg c = { .sort = ROWS_SORT_NAME, .filter = ":3B:" };
	struct rows_vec r;
	uint8_t alerts[8] = { 0 };

	fake_init(&f);
	r = build(&f, &c);
	ck_assert_uint_eq(r.n, 2);
	rows_free(&r);
	c.filter = "*-e6bfe0fa1001";
	r = build(&f, &c);
	ck_assert_uint_eq(r.n, 1);
	rows_free(&r);
	c.filter = NULL;
	c.problems = true;	/* the failed pair, with a device in ERROR */
	r = build(&f, &c);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(first_name(&f, &r, 0), "0000:d8:00.1");
	rows_free(&r);
	f.d[0]->busy_ns = T(9000);	/* a blocked read is a problem */
	alerts[6] = CELL_AL_ERROR;	/* so is an unacknowledged alert */
	c.alerts = alerts;
	c.nalerts = 8;
	r = build(&f, &c);
	ck_assert_uint_eq(r.n, 3);
	rows_free(&r);
	fake_free(&f);
}
END_TEST

/* Tombstones stay for tomb_ns, then the row loses the device. */
START_TEST(test_tombstone)
{
	struct fake f;
	struct rows_cfg c = { .sort = ROWS_SORT_ORDER,
			      .tomb_ns = 5 * CLOCK_NS_PER_S };
	struct rows_vec r;
	int pin[2] = { 6, -1 };

	fake_init(&f);
	f.d[6]->present = false;
	f.d[6]->gone_ns = T(6000);
	r = build(&f, &c);
	ck_assert_uint_eq(r.n, 4);
	ck_assert_int_eq(rows_find(&r, pin), 1);
	rows_free(&r);
	f.d[6]->gone_ns = T(4000);
	r = build(&f, &c);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_int_eq(rows_find(&r, pin), -1);
	/* A row is found again by either of its devices. */
	pin[0] = 2;
	pin[1] = 7;
	ck_assert_int_ge(rows_find(&r, pin), 0);
	rows_free(&r);
	fake_free(&f);
}
END_TEST

static void fake_events(struct fake *f)
{
	f->m.ev = calloc(MODEL_EVENTS, sizeof(*f->m.ev));
}

static struct model_event *emit(struct fake *f, enum model_ev_kind k,
				uint64_t t)
{
	struct model_event *e = &f->m.ev[(f->m.ev_seq + 1) % MODEL_EVENTS];

	memset(e, 0, sizeof(*e));
	e->seq = ++f->m.ev_seq;
	e->kind = k;
	e->t_ns = t;
	e->dev = e->pair = -1;
	return e;
}

static void trans(struct fake *f, int dev, enum dstate from, enum dstate to,
		  uint64_t t)
{
	struct model_event *e = emit(f, MODEL_EV_TRANS, t);

	e->dev = dev;
	e->tr.from = (uint8_t)from;
	e->tr.to = (uint8_t)to;
	e->tr.t_ns = t;
}

START_TEST(test_evlog)
{
	struct fake f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct model_event *e;

	fake_init(&f);
	fake_events(&f);
	evlog_init(l);
	for (int i = 0; i < 7; i++)
		trans(&f, i, DS_UNKNOWN, DS_RUNNING, T(0));
	trans(&f, 6, DS_UNKNOWN, DS_ERROR, T(0));
	/* Start-up: appearances are not listed; a device first read in
	 * ERROR (a VF never opened) raises nothing. */
	ck_assert_uint_eq(evlog_take(l, &f.m, true), 0);
	ck_assert_uint_eq(evlog_alert(l, 6), 0);
	/* A request for ERROR that the kernel refused is listed, and
	 * raises nothing: the device never went there. */
	trans(&f, 4, DS_RUNNING, DS_ERROR, T(0));
	f.m.ev[f.m.ev_seq % MODEL_EVENTS].tr.flags = MODEL_T_REFUSED;
	ck_assert_uint_eq(evlog_take(l, &f.m, true), 0);
	ck_assert_uint_eq(evlog_alert(l, 4), 0);
	ck_assert_uint_eq(evlog_count(l), 1);
	/* Going into ERROR does (and is listed). */
	trans(&f, 5, DS_RUNNING, DS_ERROR, T(0));
	ck_assert_uint_eq(evlog_take(l, &f.m, true), 1);
	ck_assert_uint_eq(evlog_count(l), 2);
	ck_assert_uint_eq(evlog_alert(l, 5), CELL_AL_ERROR);
	ck_assert_uint_eq(l->nalerts, 1);
	trans(&f, 2, DS_RUNNING, DS_PRE_COPY, T(100));
	e = emit(&f, MODEL_EV_PAIR, T(200));
	e->pair = 0;
	e->att.decided = true;
	e->att.a.outcome = ATT_FAILED;
	e = emit(&f, MODEL_EV_PAIR, T(300));
	e->pair = 2;
	e->att.a.outcome = ATT_OPEN;	/* a phase: not listed, transitions say it */
	ck_assert_uint_eq(evlog_take(l, &f.m, false), 1);
	ck_assert_uint_eq(evlog_count(l), 4);
	ck_assert_int_eq(evlog_get(l, 0)->kind, MODEL_EV_PAIR);
	ck_assert_int_eq(evlog_get(l, 0)->dev[0], 4);
	ck_assert_int_eq(evlog_get(l, 0)->dev[1], 5);
	ck_assert_int_eq(evlog_get(l, 1)->dev[0], 2);
	ck_assert_int_eq(evlog_get(l, 2)->dev[0], 5);
	ck_assert_int_eq(evlog_get(l, 3)->dev[0], 4);
	ck_assert_ptr_null(evlog_get(l, 4));
	ck_assert_uint_eq(evlog_alert(l, 4), CELL_AL_FAIL);
	ck_assert_uint_eq(evlog_alert(l, 5), CELL_AL_ERROR | CELL_AL_FAIL);
	ck_assert_uint_eq(l->nalerts, 2);	/* the ERROR and the failure */
	evlog_ack(l);
	ck_assert_uint_eq(evlog_alert(l, 5), 0);
	ck_assert_uint_eq(l->nalerts, 0);
	ck_assert_uint_eq(evlog_take(l, &f.m, false), 0);
	/* Events the model dropped are counted, not shown twice. */
	for (int i = 0; i < MODEL_EVENTS + 10; i++)
		trans(&f, 0, DS_RUNNING, DS_STOP, T(400));
	evlog_take(l, &f.m, false);
	ck_assert_uint_eq(l->lost, 10);
	ck_assert_uint_eq(evlog_count(l), EVLOG_KEEP);
	evlog_free(l);
	free(l);
	free(f.m.ev);
	fake_free(&f);
}
END_TEST

/* The event pane's choice: verdicts only, one pair, the name filter, a
 * search in the line's text (case ignored); and how far it scrolls. */
START_TEST(test_evview)
{
	struct fake f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct evview_cfg c = { 0 };
	struct model_event *e;
	size_t sel[8], n;
	char line[256];

	fake_init(&f);
	fake_events(&f);
	evlog_init(l);
	trans(&f, 2, DS_RUNNING, DS_PRE_COPY, T(100));	/* 0000:3b:00.3 src */
	f.m.ev[f.m.ev_seq % MODEL_EVENTS].tr.flags = MODEL_T_INFERRED;
	e = emit(&f, MODEL_EV_PAIR, T(200));		/* 0000:d8:00.1 */
	e->pair = 0;
	e->att.decided = true;
	e->att.a.outcome = ATT_FAILED;
	e->att.a.reason = ATT_R_ERROR;
	e->att.a.side = ATT_DST;
	e->att.a.from = DS_RESUMING;
	trans(&f, 5, DS_RESUMING, DS_ERROR, T(300));	/* 0000:d8:00.1 dst */
	evlog_take(l, &f.m, false);
	ck_assert_uint_eq(evlog_count(l), 3);

	n = evview_select(&c, l, sel, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(sel[0], 0);	/* newest first */
	ck_assert_uint_eq(sel[2], 2);
	c.verdicts = true;
	n = evview_select(&c, l, sel, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(evlog_get(l, sel[0])->kind, MODEL_EV_PAIR);
	c.verdicts = false;
	c.serial[0] = f.d[4]->serial;
	c.serial[1] = f.d[5]->serial;
	n = evview_select(&c, l, sel, 8);
	ck_assert_uint_eq(n, 2);	/* the pair's verdict and its ERROR */
	c.serial[0] = c.serial[1] = 0;
	c.names = "3b:00";
	n = evview_select(&c, l, sel, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(evlog_get(l, sel[0])->dev[0], 2);
	c.names = "";
	c.search = "INFERRED";
	n = evview_select(&c, l, sel, 8);
	ck_assert_uint_eq(n, 1);
	evview_text(evlog_get(l, sel[0]), line, sizeof(line));
	ck_assert_str_eq(line, "src 0000:3b:00.3 RUNNING -> PRE_COPY (inferred)");
	c.search = "entered error from";
	n = evview_select(&c, l, sel, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(evlog_get(l, sel[0])->kind, MODEL_EV_PAIR);
	c.search = "no such thing";
	ck_assert_uint_eq(evview_select(&c, l, sel, 8), 0);
	/* At most @max. */
	c.search = NULL;
	ck_assert_uint_eq(evview_select(&c, l, sel, 2), 2);

	ck_assert_uint_eq(evview_clamp(5, 10, 4), 5);
	ck_assert_uint_eq(evview_clamp(9, 10, 4), 6);
	ck_assert_uint_eq(evview_clamp(3, 2, 4), 0);
	ck_assert_uint_eq(evview_clamp(3, 10, 0), 3);
	evlog_free(l);
	free(l);
	free(f.m.ev);
	fake_free(&f);
}
END_TEST

/* The alert list: every alert kept, newest first; one acknowledged at a
 * time (a device's mark ends with its last alert), or all; acknowledged
 * alerts stay listed. */
START_TEST(test_alert_list)
{
	struct fake f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct model_event *e;

	fake_init(&f);
	fake_events(&f);
	evlog_init(l);
	trans(&f, 5, DS_RESUMING, DS_ERROR, T(100));	/* d8:00.1 dst */
	e = emit(&f, MODEL_EV_PAIR, T(200));		/* its pair fails */
	e->pair = 0;
	e->att.decided = true;
	e->att.a.outcome = ATT_FAILED;
	trans(&f, 3, DS_RESUMING, DS_ERROR, T(300));	/* 3b:00.3 dst */
	evlog_take(l, &f.m, false);
	ck_assert_uint_eq(evlog_alert_count(l), 3);
	ck_assert_uint_eq(l->nalerts, 3);
	ck_assert_uint_eq(evlog_alert_get(l, 0)->ev.dev[0], 3);
	ck_assert_uint_eq(evlog_alert_get(l, 1)->flag, CELL_AL_FAIL);
	ck_assert_uint_eq(evlog_alert_get(l, 2)->flag, CELL_AL_ERROR);
	ck_assert_ptr_null(evlog_alert_get(l, 3));
	ck_assert_uint_eq(evlog_alert(l, 5), CELL_AL_ERROR | CELL_AL_FAIL);
	/* The failure only: d8:00.1 keeps its ERROR mark. */
	evlog_ack_one(l, 1);
	ck_assert(evlog_alert_get(l, 1)->acked);
	ck_assert_uint_eq(l->nalerts, 2);
	ck_assert_uint_eq(evlog_alert(l, 5), CELL_AL_ERROR);
	ck_assert_uint_eq(evlog_alert(l, 4), 0);
	ck_assert_uint_eq(evlog_alert(l, 3), CELL_AL_ERROR);
	evlog_ack_one(l, 1);			/* twice: nothing more */
	ck_assert_uint_eq(l->nalerts, 2);
	evlog_ack_one(l, 9);			/* none there */
	ck_assert_uint_eq(l->nalerts, 2);
	evlog_ack(l);
	ck_assert_uint_eq(l->nalerts, 0);
	ck_assert_uint_eq(evlog_alert(l, 3), 0);
	ck_assert_uint_eq(evlog_alert_count(l), 3);	/* still listed */
	ck_assert(evlog_alert_get(l, 0)->acked);
	evlog_free(l);
	free(l);
	free(f.m.ev);
	fake_free(&f);
}
END_TEST

/* No device yet (an empty tree at start): no rows, in every sort order;
 * the sanitizer build found qsort() called on a NULL vector. */
START_TEST(test_empty)
{
	struct fake f;
	struct rows_cfg c = { 0 };

	memset(&f, 0, sizeof(f));
	f.m.devs = f.d;
	f.m.pairs = f.p;
	for (int s = 0; s < 2; s++) {
		struct rows_vec r;

		c.sort = s ? ROWS_SORT_ORDER : 0;
		r = build(&f, &c);
		ck_assert_uint_eq(r.n, 0);
		rows_free(&r);
	}
}
END_TEST

/*
 * The model forgets a device and gives its index to a new one: the kept
 * events and alerts still name the old device, its mark does not pass to
 * the new one, and acknowledging its alert leaves the new one's mark.
 */
START_TEST(test_evlog_index_reused)
{
	struct fake f;
	struct evlog *l = calloc(1, sizeof(*l));
	char line[256];
	size_t sel[4];
	struct evview_cfg c = { 0 };

	fake_init(&f);
	fake_events(&f);
	evlog_init(l);
	trans(&f, 5, DS_RESUMING, DS_ERROR, T(100));	/* d8:00.1 dst */
	ck_assert_uint_eq(evlog_take(l, &f.m, false), 1);
	ck_assert_uint_eq(evlog_alert(l, 5), CELL_AL_ERROR);
	c.serial[1] = f.d[5]->serial;	/* E on that pair */
	/* Forgotten; index 5 is a new device's now. */
	snprintf(f.d[5]->name, sizeof(f.d[5]->name), "%s", "new-mdev");
	f.d[5]->serial = 1000000;
	f.m.reused++;
	ck_assert_uint_eq(evlog_take(l, &f.m, false), 0);
	ck_assert_uint_eq(evlog_alert(l, 5), 0);
	ck_assert_uint_eq(l->nalerts, 1);	/* still listed, still counted */
	evview_text(evlog_get(l, 0), line, sizeof(line));
	ck_assert_str_eq(line, "dst 0000:d8:00.1 RESUMING -> ERROR");
	evview_text(&evlog_alert_get(l, 0)->ev, line, sizeof(line));
	ck_assert_str_eq(line, "dst 0000:d8:00.1 RESUMING -> ERROR");
	/* The new device fails too: its own mark, its own line. */
	trans(&f, 5, DS_RUNNING, DS_ERROR, T(200));
	ck_assert_uint_eq(evlog_take(l, &f.m, false), 1);
	ck_assert_uint_eq(evlog_alert(l, 5), CELL_AL_ERROR);
	evview_text(evlog_get(l, 0), line, sizeof(line));
	ck_assert_str_eq(line, "dst new-mdev RUNNING -> ERROR");
	/* The pair filter of the old device does not take the new one's. */
	ck_assert_uint_eq(evview_select(&c, l, sel, 4), 1);
	ck_assert_uint_eq(sel[0], 1);
	/* Acknowledging the old alert leaves the new device's mark. */
	evlog_ack_one(l, 1);
	ck_assert_uint_eq(evlog_alert(l, 5), CELL_AL_ERROR);
	evlog_ack_one(l, 0);
	ck_assert_uint_eq(evlog_alert(l, 5), 0);
	ck_assert_uint_eq(l->nalerts, 0);
	evlog_free(l);
	free(l);
	free(f.m.ev);
	fake_free(&f);
}
END_TEST

TU_MAIN("tui_rows", test_empty, test_match, test_sorts, test_rank, test_filter_problems,
	test_tombstone, test_evlog, test_evview, test_alert_list,
	test_evlog_index_reused)
