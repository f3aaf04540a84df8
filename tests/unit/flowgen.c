// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flowgen.c - migration flows as real VMMs drive them, with their truth.
 *
 * A flow is the list of steps both devices take, every multi-step request
 * expanded with the kernel's path rule (src/fsm.c), resets and failed steps
 * included, at realistic, randomised times: QEMU with and without
 * PRE_COPY or P2P, Cloud Hypervisor's stop-copy-only flow and a
 * libvfio-user style destination; success with the source reset 0 to 5 s
 * later, cancels in pre-copy and stop-copy, a killed destination or
 * source, a rejected load with and without ERROR, a source in ERROR, a
 * stuck destination, never-opened VFs in ERROR, a retry.  Each flow knows
 * its true attempts and their outcomes.
 *
 * The watchers feed a flow to the attempt engine as vfiomigtop sees it:
 * every exact step as it truly was (an ideal arc log), reads at a fixed
 * interval and random phase, optionally with one side unreachable for a
 * while, or those reads with the module's arc log as it really is (the
 * steps the kernel chose, not whether the driver took them; no resets),
 * explained by src/arcmatch.c.
 */
#include "flowgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arcmatch.h"
#include "dstate.h"
#include "fsm.h"

#define MS 1000000ull
#define US 1000ull

const struct att_cfg fg_cfg = {
	.stuck_ns = 5000 * MS,
	.busy_ns = 5000 * MS,
};

/* The flow being built. */
struct fgb {
	struct fg_flow *f;	/* output */
	uint64_t rng;		/* xorshift64* state */
	uint8_t cur[2];		/* each side's value after the steps so far */
};

static uint64_t fg_rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* Uniform in [lo, hi]. */
static uint64_t fg_range(struct fgb *b, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + fg_rnd(&b->rng) % (hi - lo + 1);
}

static bool fg_chance(struct fgb *b, unsigned int percent)
{
	return fg_rnd(&b->rng) % 100 < percent;
}

static void fg_emit(struct fgb *b, uint64_t t, int side, uint8_t from,
		    uint8_t to, uint8_t target, unsigned int flags)
{
	struct fg_flow *f = b->f;
	struct fg_step *s;

	if (f->n >= FG_MAX_STEPS)
		return;
	s = &f->st[f->n++];
	s->t_ns = t;
	s->side = side;
	s->from = from;
	s->to = to;
	s->target = target;
	s->flags = flags;
	if (!(flags & ATT_F_FAILED))
		b->cur[side] = to;
}

/* A request for @target at @t: the kernel's path, a microsecond a step.
 * Returns when it is done. */
static uint64_t fg_req(struct fgb *b, int side, uint64_t t, uint8_t target)
{
	enum fsm_state p[FSM_MAX_PATH];
	int n = fsm_path((enum fsm_state)b->cur[side], (enum fsm_state)target,
			 b->f->features, p, FSM_MAX_PATH);

	for (int i = 0; i < n; i++, t += US)
		fg_emit(b, t, side, b->cur[side], (uint8_t)p[i], target, 0);
	return t;
}

/* A request whose first step the driver fails; with @error the driver
 * then sets ERROR by itself. */
static uint64_t fg_req_fail(struct fgb *b, int side, uint64_t t,
			    uint8_t target, bool error)
{
	enum fsm_state next;

	if (fsm_next_step((enum fsm_state)b->cur[side],
			  (enum fsm_state)target, b->f->features, &next))
		return t;
	fg_emit(b, t, side, b->cur[side], (uint8_t)next, target, ATT_F_FAILED);
	if (error)
		fg_emit(b, t + US, side, b->cur[side], DS_ERROR, DS_ERROR,
			ATT_F_NOPATH);
	return t + 2 * US;
}

/* A reset (VFIO_DEVICE_RESET, or the driver on open): back to RUNNING. */
static void fg_reset(struct fgb *b, int side, uint64_t t)
{
	if (b->cur[side] != DS_RUNNING)
		fg_emit(b, t, side, b->cur[side], DS_RUNNING, DS_RUNNING,
			ATT_F_NOPATH);
}

static void fg_truth(struct fgb *b, uint64_t start, enum att_outcome o)
{
	struct fg_flow *f = b->f;

	if (f->natt < FG_MAX_ATT) {
		f->att_start[f->natt] = start;
		f->truth[f->natt++] = o;
	}
}

static bool fg_has_pre(const struct fg_flow *f)
{
	return f->features & FSM_F_PRE_COPY;
}

static bool fg_has_p2p(const struct fg_flow *f)
{
	return f->features & FSM_F_P2P;
}

/* Where the source's save stands. */
struct fg_save {
	uint64_t t0;		/* first request */
	uint64_t pre_end;	/* PRE_COPY ends (== t0 without it) */
	uint64_t sc;		/* STOP_COPY reached */
	uint64_t done;		/* STOP reached after STOP_COPY */
};

/* Plan the source's save from @t0 (times only). */
static void fg_plan_save(struct fgb *b, uint64_t t0, struct fg_save *s)
{
	s->t0 = t0;
	/* Pre-copy of the device, or of the RAM only (the device stays in
	 * RUNNING until the VM is stopped, in two requests with P2P). */
	s->pre_end = t0 + fg_range(b, 50 * MS, 3000 * MS);
	s->sc = s->pre_end + fg_range(b, fg_has_pre(b->f) ? 0 : 2 * MS, 20 * MS);
	s->done = s->sc + fg_range(b, 10 * MS, 800 * MS);
}

/* Drive the source's save up to (not including) @until; returns true if
 * it got to STOP. */
static bool fg_src_save(struct fgb *b, const struct fg_save *s, uint64_t until)
{
	const struct fg_flow *f = b->f;

	if (s->t0 >= until)
		return false;
	if (fg_has_pre(f)) {
		fg_req(b, ATT_SRC, s->t0, DS_PRE_COPY);
		if (fg_has_p2p(f) && s->pre_end < until)
			fg_req(b, ATT_SRC, s->pre_end, DS_PRE_COPY_P2P);
	} else if (s->pre_end >= until) {
		return false;
	} else if (fg_has_p2p(f) && f->vmm != FG_CH) {
		/* QEMU stops a VM without pre-copy in two requests. */
		fg_req(b, ATT_SRC, s->pre_end, DS_RUNNING_P2P);
		if (s->pre_end + MS < until)
			fg_req(b, ATT_SRC, s->pre_end + MS, DS_STOP);
	} else {
		fg_req(b, ATT_SRC, s->pre_end, DS_STOP);
	}
	if (s->sc >= until)
		return false;
	fg_req(b, ATT_SRC, s->sc, DS_STOP_COPY);
	if (s->done >= until)
		return false;
	fg_req(b, ATT_SRC, s->done, DS_STOP);
	return true;
}

/* The destination prepares to load, shortly after the source's setup. */
static void fg_dst_setup(struct fgb *b, uint64_t t0)
{
	fg_req(b, ATT_DST, t0 + fg_range(b, 0, 5 * MS), DS_RESUMING);
}

/* The destination validates and starts after the source is done; returns
 * when it runs. */
static uint64_t fg_dst_start(struct fgb *b, uint64_t done)
{
	const struct fg_flow *f = b->f;
	uint64_t t = done + fg_range(b, 1 * MS, 50 * MS);

	switch (f->vmm) {
	case FG_CH:
		t = fg_req(b, ATT_DST, t, DS_STOP);
		t += fg_range(b, 1 * MS, 100 * MS);
		return fg_req(b, ATT_DST, t, DS_RUNNING);
	case FG_LVU:
		t = fg_req(b, ATT_DST, t, DS_STOP);
		t += fg_range(b, 1 * MS, 300 * MS);
		t = fg_req(b, ATT_DST, t, DS_RUNNING_P2P);
		t += fg_range(b, 1 * MS, 50 * MS);
		return fg_req(b, ATT_DST, t, DS_RUNNING);
	default:
		if (fg_has_p2p(f)) {
			t = fg_req(b, ATT_DST, t, DS_RUNNING_P2P);
			t += fg_range(b, 0, 5 * MS);
		}
		return fg_req(b, ATT_DST, t, DS_RUNNING);
	}
}

/* After a failed load or a dead destination VMM: the device stays where
 * it is (mtty), or its manager resets it later. */
static void fg_dst_leftover(struct fgb *b, uint64_t t, unsigned int stay)
{
	if (!fg_chance(b, stay))
		fg_reset(b, ATT_DST, t + fg_range(b, 5 * MS, 3000 * MS));
}

/* After success the source VMM exits and the device is reset. */
static void fg_src_after(struct fgb *b, uint64_t running)
{
	if (fg_chance(b, 80))
		fg_reset(b, ATT_SRC, running + fg_range(b, 0, 5000 * MS));
}

/* One attempt of @kind from @t0; returns when it is over. */
static uint64_t fg_attempt(struct fgb *b, enum fg_kind kind, uint64_t t0)
{
	struct fg_save s;
	uint64_t t, running;

	fg_plan_save(b, t0, &s);
	switch (kind) {
	case FG_SUCCESS:
		fg_truth(b, t0, ATT_COMPLETED);
		fg_dst_setup(b, t0);
		fg_src_save(b, &s, UINT64_MAX);
		running = fg_dst_start(b, s.done);
		fg_src_after(b, running);
		return running;
	case FG_CANCEL_PRE:
		if (fg_has_pre(b->f)) {
			fg_truth(b, t0, ATT_FAILED);
			fg_dst_setup(b, t0);
			t = t0 + fg_range(b, 10 * MS, s.pre_end - t0);
			fg_src_save(b, &s, t);
			fg_req(b, ATT_SRC, t, DS_RUNNING);
			fg_dst_leftover(b, t, 50);
			return t;
		}
		/* No pre-copy to cancel in: cancel in stop-copy. */
		/* fall through */
	case FG_CANCEL_STOP:
		fg_truth(b, t0, ATT_FAILED);
		fg_dst_setup(b, t0);
		t = s.sc + fg_range(b, 1 * MS, s.done - s.sc - 1 * MS);
		fg_src_save(b, &s, t);
		fg_req(b, ATT_SRC, t, DS_RUNNING);
		fg_dst_leftover(b, t, 50);
		return t;
	case FG_DST_KILLED:
		fg_truth(b, t0, ATT_FAILED);
		fg_dst_setup(b, t0);
		t = t0 + 10 * MS + fg_range(b, 0, s.done - t0 - 20 * MS);
		fg_src_save(b, &s, t + 1);
		t += fg_range(b, 1 * MS, 100 * MS);
		fg_req(b, ATT_SRC, t, DS_RUNNING);
		fg_dst_leftover(b, t, 60);
		return t;
	case FG_LOAD_FAIL_ERR:
	case FG_LOAD_FAIL:
		fg_truth(b, t0, ATT_FAILED);
		fg_dst_setup(b, t0);
		fg_src_save(b, &s, UINT64_MAX);
		t = s.done + fg_range(b, 1 * MS, 50 * MS);
		/* The destination's first request after the load, as in
		 * fg_dst_start(). */
		t = fg_req_fail(b, ATT_DST, t,
				b->f->vmm == FG_CH || b->f->vmm == FG_LVU ?
				DS_STOP : fg_has_p2p(b->f) ?
				DS_RUNNING_P2P : DS_RUNNING,
				kind == FG_LOAD_FAIL_ERR);
		fg_reset(b, ATT_DST, t + fg_range(b, 1 * MS, 20 * MS));
		fg_src_after(b, t);
		return t;
	case FG_SRC_ERROR:
		fg_truth(b, t0, ATT_FAILED);
		fg_dst_setup(b, t0);
		t = fg_has_pre(b->f) ? s.pre_end : s.sc + 5 * MS;
		fg_src_save(b, &s, t);
		t = fg_req_fail(b, ATT_SRC, t, fg_has_pre(b->f) ?
				DS_STOP_COPY : DS_STOP, true);
		fg_reset(b, ATT_SRC, t + fg_range(b, 1 * MS, 20 * MS));
		fg_dst_leftover(b, t, 50);
		return t;
	case FG_DST_STUCK:
		fg_truth(b, t0, ATT_FAILED);
		fg_dst_setup(b, t0);
		fg_src_save(b, &s, UINT64_MAX);
		return s.done;
	case FG_SRC_KILLED:
		fg_truth(b, t0, ATT_FAILED);
		fg_dst_setup(b, t0);
		fg_src_save(b, &s, s.sc + 1);
		return s.sc;
	default:
		return t0;
	}
}

/* Build one flow of @kind driven by @vmm; the same @seed gives the same flow. */
void fg_make(struct fg_flow *f, enum fg_vmm vmm, enum fg_kind kind,
	     uint64_t seed)
{
	static const unsigned int feats[FG_NVMMS] = {
		[FG_QEMU] = FSM_F_ALL, [FG_QEMU_NOPRE] = FSM_F_STOP_COPY | FSM_F_P2P,
		[FG_QEMU_NOP2P] = FSM_F_STOP_COPY | FSM_F_PRE_COPY,
		[FG_CH] = FSM_F_STOP_COPY, [FG_LVU] = FSM_F_ALL,
	};
	struct fgb b = { .f = f, .rng = seed * 0x9e3779b97f4a7c15ull + 1 };
	uint64_t t0, t;

	memset(f, 0, sizeof(*f));
	f->vmm = vmm;
	f->kind = kind;
	f->features = feats[vmm];
	f->init[ATT_SRC] = f->init[ATT_DST] = DS_RUNNING;
	t0 = FG_BASE + fg_range(&b, 200 * MS, 1500 * MS);
	if (kind == FG_IDLE_ERROR) {
		f->init[ATT_SRC] = f->init[ATT_DST] = DS_ERROR;
		b.cur[ATT_SRC] = b.cur[ATT_DST] = DS_ERROR;
		t = t0;
		if (fg_chance(&b, 50)) {
			/* Opened later by a VMM, then migrated. */
			fg_reset(&b, ATT_DST, t);
			fg_reset(&b, ATT_SRC, t + fg_range(&b, 0, 500 * MS));
			t = fg_attempt(&b, FG_SUCCESS, t + 1000 * MS);
		}
	} else {
		b.cur[ATT_SRC] = b.cur[ATT_DST] = DS_RUNNING;
		if (kind == FG_RETRY) {
			t = fg_attempt(&b, FG_CANCEL_PRE, t0);
			/* The destination VMM is started afresh (its device
			 * reset) before the retry, seconds later. */
			t += fg_range(&b, 3000 * MS, 6000 * MS);
			fg_reset(&b, ATT_DST, t - 1000 * MS);
			t = fg_attempt(&b, FG_SUCCESS, t);
		} else {
			t = fg_attempt(&b, kind, t0);
		}
	}
	if (f->n)
		t = f->st[f->n - 1].t_ns > t ? f->st[f->n - 1].t_ns : t;
	f->end_ns = t + fg_cfg.stuck_ns + 3000 * MS;
	/* Steps were made in per-side order: merge by time (stable). */
	for (size_t i = 1; i < f->n; i++) {
		struct fg_step x = f->st[i];
		size_t j = i;

		while (j > 0 && f->st[j - 1].t_ns > x.t_ns) {
			f->st[j] = f->st[j - 1];
			j--;
		}
		f->st[j] = x;
	}
}

/* The true value of @side at @t_ns. */
uint8_t fg_value_at(const struct fg_flow *f, int side, uint64_t t_ns)
{
	uint8_t v = f->init[side];

	for (size_t i = 0; i < f->n && f->st[i].t_ns <= t_ns; i++)
		if (f->st[i].side == side && !(f->st[i].flags & ATT_F_FAILED))
			v = f->st[i].to;
	return v;
}

const char *fg_vmm_name(enum fg_vmm v)
{
	static const char *const n[FG_NVMMS] = {
		"qemu", "qemu-no-precopy", "qemu-no-p2p", "cloud-hypervisor",
		"libvfio-user",
	};

	return (unsigned int)v < FG_NVMMS ? n[v] : "?";
}

const char *fg_kind_name(enum fg_kind k)
{
	static const char *const n[FG_NKINDS] = {
		"success", "cancel-pre-copy", "cancel-stop-copy",
		"destination-killed", "load-rejected-error", "load-rejected",
		"source-error", "destination-stuck", "source-killed",
		"idle-error", "retry",
	};

	return (unsigned int)k < FG_NKINDS ? n[k] : "?";
}

/* ---- watching ---------------------------------------------------------- */

/* Check what att_eval() reported against the truth. */
static void fg_check(const struct fg_flow *f, const struct att_event *ev,
		     size_t n, bool *seen, uint32_t *matched,
		     struct fg_result *r)
{
	for (size_t i = 0; i < n; i++) {
		const struct att_attempt *a = &ev[i].a;
		enum att_outcome want = ATT_OPEN;
		long k = -1;
		char what[200];

		if (!ev[i].decided)
			continue;
		if (a->no < 64 && seen[a->no]) {
			r->nrepeat++;
			if (!r->why[0])
				snprintf(r->why, sizeof(r->why),
					 "attempt %u reported decided twice",
					 a->no);
			continue;
		}
		if (a->no < 64)
			seen[a->no] = true;
		r->ndecided++;
		/* The true attempts under way between its start and the
		 * deciding event: polling may see a failure and the retry
		 * that follows within one read interval as one attempt,
		 * which then stands for either. */
		for (size_t j = 0; j < f->natt; j++) {
			bool over = f->att_start[j] <= a->end_ns + MS &&
				    (j + 1 == f->natt ||
				     f->att_start[j + 1] > a->start_ns + MS);

			if (!over)
				continue;
			*matched |= 1u << j;
			if (k < 0 || f->truth[j] == a->outcome) {
				k = (long)j;
				want = f->truth[j];
			}
		}
		if (a->outcome == ATT_UNCERTAIN) {
			r->nuncertain++;
			continue;
		}
		if (a->outcome == want)
			continue;
		r->nwrong++;
		if (!r->why[0]) {
			att_describe(a, a->end_ns, what, sizeof(what));
			snprintf(r->why, sizeof(r->why),
				 "attempt %u at +%.3f s: \"%s\", truth %s",
				 a->no, (double)(a->start_ns - FG_BASE) / 1e9,
				 what, att_outcome_name(want));
		}
	}
}

/* True if the source device took a step during true attempt @j (a
 * migration without pre-copy cancelled in its RAM phase leaves it be). */
static bool fg_src_moved(const struct fg_flow *f, size_t j)
{
	uint64_t end = j + 1 < f->natt ? f->att_start[j + 1] : UINT64_MAX;

	for (size_t i = 0; i < f->n; i++)
		if (f->st[i].side == ATT_SRC && f->st[i].t_ns >= f->att_start[j] &&
		    f->st[i].t_ns < end)
			return true;
	return false;
}

static void fg_finish(const struct fg_flow *f, uint32_t matched,
		      struct fg_result *r)
{
	for (size_t j = 0; j < f->natt; j++) {
		if (matched & (1u << j))
			continue;
		r->nundecided++;
		if (!fg_src_moved(f, j))
			r->nhidden++;
	}
}

/* Every step as the module's arc log gives it; refreshes every 50 ms. */
void fg_watch_exact(const struct fg_flow *f, struct fg_result *r)
{
	struct att_track tr;
	struct att_event ev[8];
	bool seen[64] = { false };
	uint32_t matched = 0;
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	att_init(&tr);
	att_set_exact(&tr, ATT_SRC, true);
	att_set_exact(&tr, ATT_DST, true);
	att_set_features(&tr, ATT_SRC, f->features);
	att_set_features(&tr, ATT_DST, f->features);
	att_value(&tr, ATT_SRC, f->init[ATT_SRC], 0, FG_BASE);
	att_value(&tr, ATT_DST, f->init[ATT_DST], 0, FG_BASE);
	for (uint64_t t = FG_BASE; t <= f->end_ns; t += 50 * MS) {
		size_t n;

		/* The arc log times kernel steps; a reset shows only as a
		 * change since the read before. */
		for (; i < f->n && f->st[i].t_ns <= t; i++)
			att_step(&tr, f->st[i].side, f->st[i].from, f->st[i].to,
				 f->st[i].flags & ATT_F_NOPATH ? t - 50 * MS :
				 f->st[i].t_ns, f->st[i].flags & ATT_F_NOPATH ?
				 t : f->st[i].t_ns, f->st[i].flags);
		att_confirm(&tr, ATT_SRC, t);
		att_confirm(&tr, ATT_DST, t);
		n = att_eval(&tr, &fg_cfg, t, ev, 8);
		fg_check(f, ev, n < 8 ? n : 8, seen, &matched, r);
	}
	fg_finish(f, matched, r);
}

/*
 * Reads every @interval_ns from a random phase, the two sides in random
 * order a few microseconds apart.  With @stale, one side cannot be read
 * for 0.5 to 8 s somewhere in the flow.
 */
void fg_watch_poll(const struct fg_flow *f, uint64_t interval_ns,
		   uint64_t seed, bool stale, struct fg_result *r)
{
	struct fgb b = { .rng = seed * 0xbf58476d1ce4e5b9ull + 7 };
	struct att_track tr;
	struct att_event ev[8];
	bool seen[64] = { false }, first[2] = { true, true };
	uint64_t last[2] = { 0, 0 }, w0 = 0, w1 = 0;
	uint8_t prev[2] = { 0, 0 };
	uint32_t matched = 0;
	int wside = 0;

	memset(r, 0, sizeof(*r));
	att_init(&tr);
	att_set_features(&tr, ATT_SRC, f->features);
	att_set_features(&tr, ATT_DST, f->features);
	if (stale) {
		wside = (int)fg_range(&b, 0, 1);
		w0 = fg_range(&b, FG_BASE, f->end_ns);
		w1 = w0 + fg_range(&b, 500 * MS, 8000 * MS);
	}
	for (uint64_t t = FG_BASE + fg_range(&b, 0, interval_ns);
	     t <= f->end_ns; t += interval_ns) {
		int order = (int)fg_range(&b, 0, 1);
		size_t n;

		for (int k = 0; k < 2; k++) {
			int side = k ^ order;
			uint64_t rt = t + fg_range(&b, 1 * US, 200 * US);
			uint8_t v;

			if (stale && side == wside && rt >= w0 && rt < w1) {
				att_blind(&tr, side, ATT_B_STALE, rt);
				continue;
			}
			v = fg_value_at(f, side, rt);
			if (getenv("FG_TRACE"))
				fprintf(stderr, "%10.3f read %s %s\n",
					(double)(rt - FG_BASE) / 1e6,
					side ? "dst" : "src", dstate_token((enum dstate)v));
			if (first[side] || v != prev[side])
				att_value(&tr, side, v, first[side] ? 0 : last[side], rt);
			else
				att_confirm(&tr, side, rt);
			first[side] = false;
			prev[side] = v;
			last[side] = rt;
		}
		n = att_eval(&tr, &fg_cfg, t + 1 * MS, ev, 8);
		fg_check(f, ev, n < 8 ? n : 8, seen, &matched, r);
	}
	fg_finish(f, matched, r);
}

/* One side as the arc-log watcher sees it. */
struct fg_arcside {
	struct arcmatch am;	/* arcs read, not yet explained */
	size_t next;		/* index in the flow of the next step to log */
	uint64_t seq;		/* the module's sequence number of the last arc */
	uint8_t val;		/* enum dstate read last; DS_UNKNOWN before the first read */
	uint64_t read_ns;	/* when that read began, ns */
	bool first;		/* that read was the first */
	struct snap_step st[2 * ARCMATCH_MAX + 1];	/* what arcmatch made of it */
	size_t nst;		/* entries in st */
};

/* Give the attempt engine the steps arcmatch made of one read, as
 * model_feed_trans() does. */
static void fg_feed_steps(struct att_track *tr, int side,
			  const struct snap_step *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct snap_step *s = &st[i];

		if (s->flags & SNAP_STEP_REFUSED)
			continue;
		if (s->flags & SNAP_STEP_LOSS)
			att_value(tr, side, s->to, s->lo_ns, s->t_ns);
		else if (s->flags & SNAP_STEP_FAILED)
			att_step(tr, side, s->from, s->to, s->t_ns, s->t_ns,
				 ATT_F_FAILED);
		else if (s->flags & SNAP_STEP_UNSURE)
			att_step(tr, side, s->from, s->to, s->t_ns, s->t_ns,
				 ATT_F_UNSURE);
		else if (s->flags & SNAP_STEP_NOPATH)
			att_step(tr, side, s->from, s->to, s->lo_ns, s->t_ns,
				 ATT_F_NOPATH);
		else
			att_step(tr, side, s->from, s->to, s->t_ns, s->t_ns, 0);
	}
}

/* Read @side at @rt: the state, then the arc log a little later (every
 * arc the kernel chose until then, steps the driver failed included,
 * resets not), explained with arcmatch into a->st. */
static void fg_read_arcs(const struct fg_flow *f, struct fg_arcside *a,
			 int side, uint64_t rt, uint64_t log_ns)
{
	uint8_t v = fg_value_at(f, side, rt);

	for (; a->next < f->n && f->st[a->next].t_ns <= log_ns; a->next++) {
		const struct fg_step *s = &f->st[a->next];
		struct arcmatch_arc arc = {
			.t_ns = s->t_ns, .cur = s->from, .next = s->to,
			.target = s->target,
		};

		if (s->side != side || (s->flags & ATT_F_NOPATH))
			continue;
		arc.seq = ++a->seq;
		arcmatch_push(&a->am, &arc);
	}
	/* A first read only drops the log's history. */
	a->nst = arcmatch_explain(&a->am, (enum dstate)a->val, (enum dstate)v,
				  a->read_ns, rt, a->st,
				  sizeof(a->st) / sizeof(a->st[0]));
	if (getenv("FG_TRACE"))
		for (size_t i = 0; i < a->nst; i++)
			fprintf(stderr, "%10.3f %s %s -> %s 0x%x\n",
				(double)(a->st[i].t_ns - FG_BASE) / 1e6,
				side ? "dst" : "src",
				dstate_token((enum dstate)a->st[i].from),
				dstate_token((enum dstate)a->st[i].to),
				a->st[i].flags);
	if (getenv("FG_TRACE"))
		fprintf(stderr, "%10.3f read %s %s\n",
			(double)(rt - FG_BASE) / 1e6, side ? "dst" : "src",
			dstate_token((enum dstate)v));
	a->first = a->val == DS_UNKNOWN;
	a->val = v;
	a->read_ns = rt;
}

/*
 * The module's arc log with reads every @interval_ns from a random phase:
 * what vfiomigtop sees on a kernel with vfiomig.ko.  The arc log cannot
 * tell a step the driver failed from one it took when the device is reset
 * before the next read; the verdict must then come from other evidence,
 * or be uncertain, never wrong.
 */
void fg_watch_arcs(const struct fg_flow *f, uint64_t interval_ns,
		   uint64_t seed, struct fg_result *r)
{
	struct fgb b = { .rng = seed * 0x94d049bb133111ebull + 11 };
	static struct fg_arcside a[2];
	struct att_track tr;
	struct att_event ev[8];
	bool seen[64] = { false };
	uint32_t matched = 0;

	memset(r, 0, sizeof(*r));
	memset(a, 0, sizeof(a));
	a[0].val = a[1].val = DS_UNKNOWN;
	att_init(&tr);
	att_set_exact(&tr, ATT_SRC, true);
	att_set_exact(&tr, ATT_DST, true);
	att_set_features(&tr, ATT_SRC, f->features);
	att_set_features(&tr, ATT_DST, f->features);
	for (uint64_t t = FG_BASE + fg_range(&b, 0, interval_ns);
	     t <= f->end_ns; t += interval_ns) {
		int order = (int)fg_range(&b, 0, 1);
		size_t n;

		for (int k = 0; k < 2; k++) {
			int side = k ^ order;
			uint64_t rt = t + fg_range(&b, 1 * US, 200 * US);

			fg_read_arcs(f, &a[side], side, rt,
				     rt + fg_range(&b, 0, 300 * US));
		}
		/* As the model feeds a pair: each side's steps, then what
		 * both reads confirm. */
		for (int side = 0; side < 2; side++) {
			if (a[side].first)
				att_value(&tr, side, a[side].val, 0,
					  a[side].read_ns);
			else
				fg_feed_steps(&tr, side, a[side].st,
					      a[side].nst);
		}
		for (int side = 0; side < 2; side++)
			att_confirm(&tr, side, a[side].read_ns);
		n = att_eval(&tr, &fg_cfg, t + 1 * MS, ev, 8);
		fg_check(f, ev, n < 8 ? n : 8, seen, &matched, r);
	}
	fg_finish(f, matched, r);
}
