// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tui.c - the interactive view: the glue between the run loop (run.c) and
 * the screen.  input() reads every pending key without waiting and turns
 * each into an effect (ui.c); frame() takes the model's new events, builds
 * the rows, lays the screen out and draws it; wakeup() asks for a redraw
 * when a highlight ends or the clock needs a tick.  The loop keeps the
 * refresh rhythm; nothing here ever blocks.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "devinfo.h"
#include "verdict.h"
#include "colors.h"
#include "draw.h"
#include "evview.h"
#include "format.h"
#include "tui.h"
#include "details_ident.h"
#include "replay_ui.h"
#include "settings.h"

/* Longest wait between two frames, so the clock and ages move, ns. */
#define TUI_TICK_NS CLOCK_NS_PER_S
/* Least a tick on the monitor screen waits for others to share a frame. */
#define TUI_COALESCE_NS (100 * CLOCK_NS_PER_MS)
/* Most keys handled in one input() call. */
#define TUI_MAX_KEYS 256
/* Verdict widths worth making room for, columns: "completed in 1.9 s",
 * and a failure's reason. */
#define TUI_VERDICT_WANT 22
#define TUI_VERDICT_FAILED 64

/* The saved settings (settings.c), where the command line did not say. */
static void tui_settings(struct tui_view *v, const struct options *o)
{
	struct settings st;
	char warn[320];

	if (o->no_config)
		return;
	settings_load(&st, warn, sizeof(warn));
	if (warn[0]) {
		char m[360];

		snprintf(m, sizeof(m), "settings: %s", warn);
		ui_note(&v->ui, clock_mono_ns(), m);
		fprintf(stderr, "vfiomigtop: %s\n", m);
	}
	if ((st.have & SET_COLOR) && !o->color_set && v->ui.can_color) {
		if (st.color == OPT_COLOR_NONE)
			v->ui.scheme = ROLE_SCHEME_MONO;
		else if (st.color == OPT_COLOR_LIGHT)
			v->ui.scheme = ROLE_SCHEME_LIGHT;
		else if (st.color == OPT_COLOR_DARK)
			v->ui.scheme = ROLE_SCHEME_DARK;
	}
	if (st.have & SET_SORT)
		v->ui.sort = st.sort;
	if (st.have & SET_INVERT)
		v->ui.invert = st.invert;
	if (st.have & SET_FILTER)
		snprintf(v->ui.filter, sizeof(v->ui.filter), "%s", st.filter);
	if ((st.have & SET_ASCII) && !o->ascii)
		v->ui.ascii = st.ascii;
	if (st.have & SET_VERDICTS)
		v->ui.ev_verdicts = st.ev_verdicts;
}

/* S: write what the screen is set to now. */
static void tui_save(struct tui_view *v)
{
	static const enum opt_color colors[] = {
		[ROLE_SCHEME_DARK] = OPT_COLOR_DARK,
		[ROLE_SCHEME_LIGHT] = OPT_COLOR_LIGHT,
		[ROLE_SCHEME_MONO] = OPT_COLOR_NONE,
	};
	struct settings st = {
		.color = colors[v->ui.scheme],
		.sort = v->ui.sort,
		.invert = v->ui.invert,
		.delay_ns = v->delay_ns,
		.ascii = v->ui.ascii,
		.ev_verdicts = v->ui.ev_verdicts,
	};
	char path[4096], err[320], m[4200];

	snprintf(st.filter, sizeof(st.filter), "%s", v->ui.filter);
	if (v->no_config)
		snprintf(m, sizeof(m), "settings not saved: --no-config");
	else if (settings_save(&st, path, sizeof(path), err, sizeof(err)))
		snprintf(m, sizeof(m), "settings not saved: %s", err);
	else
		snprintf(m, sizeof(m), "settings saved to %s", path);
	ui_note(&v->ui, clock_mono_ns(), m);
}

static struct view *tui_open(const struct options *o, char *err, size_t len)
{
	struct tui_view *v = calloc(1, sizeof(*v));
	bool can_color;

	if (!v) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	/*
	 * The environment's character set (UTF-8 line drawing, wide
	 * characters) and messages (strerror in the details).  Not
	 * LC_NUMERIC: delays are typed as -d takes them ("0.5"), and other
	 * threads (the demo's simulator, readers) already run.
	 */
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	if (screen_open(&v->scr, err, len)) {
		free(v);
		return NULL;
	}
	can_color = colors_start(!o->no_color);
	ui_init(&v->ui, o->ascii, can_color,
		o->color == OPT_COLOR_LIGHT ? ROLE_SCHEME_LIGHT :
		o->color == OPT_COLOR_DARK ? ROLE_SCHEME_DARK :
		colors_guess(getenv("COLORFGBG")));
	v->no_config = o->no_config;
	if (o->warn[0])		/* e.g. a bad --color: said, and going on */
		ui_note(&v->ui, clock_mono_ns(), o->warn);
	tui_settings(v, o);
	colors_use(v->ui.scheme);
	evlog_init(&v->log);
	v->cc.highlight_ns = o->highlight_ns;
	v->cc.tomb_ns = o->tomb_ns;
	v->bell = o->bell;
	v->utc = o->utc;
	v->pin[0] = v->pin[1] = -1;
	v->detail[0] = v->detail[1] = -1;
	v->base.ops = &view_tui_ops;
	return &v->base;
}

static int tui_input_fd(struct view *base)
{
	return VIEW_OF(base, struct tui_view)->scr.in_fd;
}

/* Remember which devices the selected row holds, to follow it. */
static void tui_pin(struct tui_view *v)
{
	if (v->ui.sel < v->rows.n) {
		memcpy(v->pin, v->rows.v[v->ui.sel].dev, sizeof(v->pin));
		memcpy(v->pin_serial, v->rows.v[v->ui.sel].serial,
		       sizeof(v->pin_serial));
	}
}

/* @dev loses each index that no longer holds device @serial (the model
 * forgot it and may have given the index to another); true if any. */
static bool tui_refs_drop(int dev[], const uint64_t serial[],
			  const struct model *m)
{
	bool lost = false;

	for (int s = 0; s < PAIR_NSIDES; s++)
		if (dev[s] >= 0 && ((size_t)dev[s] >= m->ndevs ||
				    m->devs[dev[s]]->serial != serial[s])) {
			dev[s] = -1;
			lost = true;
		}
	return lost;
}

/* The devices the screen follows that the model forgot are followed no
 * more; details about nothing left close.  (The event pane's pair
 * filter keeps serials, which no other device ever has.) */
static void tui_refs_check(struct tui_view *v, const struct model *m)
{
	tui_refs_drop(v->pin, v->pin_serial, m);
	if (tui_refs_drop(v->detail, v->detail_serial, m) &&
	    v->detail[0] < 0 && v->detail[1] < 0 && v->ui.mode == UI_DETAILS)
		v->ui.mode = UI_MAIN;
}

static void tui_apply(struct tui_view *v, const struct ui_effect *e,
		      struct view_req *req)
{
	v->dv.valid = false;	/* sort, filter, acknowledgements... */
	req->quit |= e->req.quit;
	req->refresh |= e->req.refresh;
	req->redraw |= e->req.redraw;
	req->pause_toggle ^= e->req.pause_toggle;
	if (e->req.delay_ns)
		req->delay_ns = e->req.delay_ns;
	if (e->req.replay) {
		req->replay = e->req.replay;
		memcpy(req->replay_arg, e->req.replay_arg, sizeof(req->replay_arg));
	}
	if (e->ack)
		evlog_ack(&v->log);
	if (e->ack_one)
		evlog_ack_one(&v->log, e->ack_index);
	if (e->save)
		tui_save(v);
	if (e->clear)
		clearok(curscr, TRUE);
	if (e->colors)
		colors_use(v->ui.scheme);
	tui_pin(v);
	if (e->details) {
		memcpy(v->detail, v->pin, sizeof(v->detail));
		memcpy(v->detail_serial, v->pin_serial,
		       sizeof(v->detail_serial));
	}
	if (e->ev_pair)		/* serials: a forgotten device's events stay */
		memcpy(v->ev_serial, v->detail_serial, sizeof(v->ev_serial));
	/* A scrolled event pane stays on its first line as events come. */
	v->ev_anchor = v->ui.ev_top && v->ui.ev_top < v->nevsel ?
		       evlog_get(&v->log, v->evsel[v->ui.ev_top])->seq : 0;
}

/* The events the pane lists, and where it is scrolled to. */
static void tui_events(struct tui_view *v)
{
	struct evview_cfg f = {
		.names = v->ui.filter,
		.search = v->ui.ev_search,
		.verdicts = v->ui.ev_verdicts,
	};

	if (v->ui.ev_pair)
		memcpy(f.serial, v->ev_serial, sizeof(f.serial));
	v->nevsel = evview_select(&f, &v->log, v->evsel, EVLOG_KEEP);
	for (size_t i = 0; v->ev_anchor && i < v->nevsel; i++)
		if (evlog_get(&v->log, v->evsel[i])->seq == v->ev_anchor) {
			v->ui.ev_top = i;
			break;
		}
	ui_ev_fit(&v->ui, v->nevsel, v->lay.events.h - 1);
	v->ev_anchor = v->ui.ev_top ?
		       evlog_get(&v->log, v->evsel[v->ui.ev_top])->seq : 0;
}

/* A mouse event: what it was over, on the screen last drawn. */
static void tui_mouse(struct tui_view *v, struct ui_effect *e)
{
	struct layout_hit h;
	MEVENT me;
	enum ui_button b;

	if (getmouse(&me) != OK)
		return;
	if (me.bstate & BUTTON4_PRESSED)
		b = UI_B_WHEEL_UP;
	else if (me.bstate & BUTTON5_PRESSED)
		b = UI_B_WHEEL_DOWN;
	else if (me.bstate & BUTTON1_PRESSED)
		b = UI_B_CLICK;
	else
		return;
	layout_hit(&v->lay, me.x, me.y, &h);
	ui_mouse(&v->ui, &h, b, e);
}

/*
 * Read every key there is, without waiting.  A terminal that hung up, or
 * that keeps saying "readable" with nothing to read, ends the program.
 */
static void tui_input(struct view *base, const struct view_ctx *c,
		      struct view_req *req)
{
	struct tui_view *v = VIEW_OF(base, struct tui_view);
	/* A replay's screen lives in the recording's time. */
	uint64_t now = c->replay ? v->frame_ns : clock_mono_ns();
	bool got = false;

	if (v->scr.lost) {
		req->quit = true;
		return;
	}
	for (int i = 0; i < TUI_MAX_KEYS && !req->quit && !req->replay; i++) {
		struct ui_effect e;
		int key;

		errno = 0;
		key = getch();
		if (key == ERR) {
			if (errno == EIO || errno == ENXIO || errno == EBADF)
				v->scr.lost = true;
			break;
		}
		got = true;
		if (key == KEY_RESIZE)
			screen_resize(&v->scr);
		memset(&e, 0, sizeof(e));
		if (key == KEY_MOUSE)
			tui_mouse(v, &e);
		else
			ui_key(&v->ui, key, now, &e);
		tui_apply(v, &e, req);
	}
	if (screen_check_lost(&v->scr, got))
		req->quit = true;
}

/* Keep the selection on the selected pair's row, wherever it went. */
static void tui_follow(struct tui_view *v)
{
	long at = rows_find(&v->rows, v->pin);

	if (at >= 0)
		v->ui.sel = (size_t)at;
}

/* Build the rows. */
static void tui_rows(struct tui_view *v, const struct view_ctx *c, uint64_t now)
{
	struct rows_cfg rc = {
		.sort = v->ui.sort,
		.invert = v->ui.invert,
		.filter = v->ui.filter,
		.problems = v->ui.problems,
		.alerts = v->log.alert,
		.nalerts = v->log.nalert,
		.tomb_ns = v->cc.tomb_ns,
		.now_ns = now,
	};

	if ((v->nrank != c->m->ndevs || v->rank_serial != c->m->dev_serial) &&
	    rows_rank(c->m, &v->rank, &v->nrank))
		v->nrank = 0;
	v->rank_serial = c->m->dev_serial;
	rc.rank = v->rank;
	rc.nrank = v->nrank;
	if (rows_build(c->m, &rc, &v->rows))
		v->rows.n = 0;
}

/* Whether v->dv (and the rows, widths and counts with it) still holds. */
static bool tui_derived_holds(const struct tui_view *v,
			      const struct view_ctx *c, uint64_t now)
{
	const struct tui_derived *d = &v->dv;
	const struct devinfo *di = c->m->info;

	return d->valid && d->m == c->m && d->change_gen == c->m->change_gen &&
	       d->info_gen == (di ? di->gen : 0) &&
	       (!d->until_ns || now < d->until_ns);
}

/* Pairs by verdict, devices by side and value, and when any of it, or
 * a row's place, changes by time alone (a tombstone expires, a device
 * becomes stranded). */
static void tui_derive(struct tui_view *v, const struct view_ctx *c,
		       uint64_t now)
{
	const struct model *m = c->m;
	struct tui_derived *d = &v->dv;
	uint64_t due;

	memset(d, 0, sizeof(*d));
	for (size_t k = 0; k < m->npairs; k++) {
		struct verdict vd;

		verdict_of(m, &m->pairs[k], now, &vd);
		d->mig += vd.kind == VERDICT_OPEN;
		d->done += vd.kind == VERDICT_COMPLETED;
		d->failed += vd.kind == VERDICT_FAILED;
		d->unsure += vd.kind == VERDICT_UNCERTAIN;
		due = verdict_due(m, &m->pairs[k], now);
		d->until_ns = clock_earlier(d->until_ns, due);
	}
	for (size_t i = 0; i < m->ndevs; i++) {
		const struct model_dev *x = m->devs[i];
		int s = x->side == PAIR_DST ? PAIR_DST : PAIR_SRC;

		if (!model_dev_listed(x, v->cc.tomb_ns, now))
			continue;
		if (!x->present && v->cc.tomb_ns) {
			due = x->gone_ns + v->cc.tomb_ns;
			d->until_ns = clock_earlier(d->until_ns, due);
		}
		d->total[s]++;
		if ((unsigned int)x->val < DS_NR)
			d->count[s][x->val]++;
		d->busy[s] += x->busy_ns && x->present;
	}
	d->vm_want = tui_ident_vm_want(m);
	d->drv_want = tui_ident_drv_want(m);
	d->m = m;
	d->change_gen = m->change_gen;
	d->info_gen = m->info ? m->info->gen : 0;
	d->valid = true;
	v->rebuilds++;
}

/* Columns device @dev's escaped name takes; an index's name changes
 * only when the model gives it to a new device. */
static int tui_namew(struct tui_view *v, const struct model *m, int dev)
{
	const char *n = m->devs[dev]->name;

	/* An index the model gave a new device: widths again. */
	if (v->namew_reused != m->reused) {
		free(v->namew);
		v->namew = NULL;
		v->nnamew = 0;
		v->namew_reused = m->reused;
	}
	if ((size_t)dev >= v->nnamew) {
		size_t cap = m->ndevs + 64;
		uint16_t *nw = realloc(v->namew, cap * sizeof(*nw));

		if (!nw)
			return (int)format_esc_cols(n, strlen(n));
		memset(nw + v->nnamew, 0, (cap - v->nnamew) * sizeof(*nw));
		v->namew = nw;
		v->nnamew = cap;
	}
	if (!v->namew[dev])
		v->namew[dev] = (uint16_t)format_esc_cols(n, strlen(n));
	return v->namew[dev];
}

/* What the layout needs to know about the rows. */
static void tui_measure(struct tui_view *v, const struct view_ctx *c)
{
	const struct model *m = c->m;

	v->dst_names = false;
	v->name_w = 0;
	v->any_failed = false;
	for (size_t i = 0; i < v->rows.n; i++) {
		const struct rows_row *r = &v->rows.v[i];
		const struct model_pair *p = &m->pairs[r->pair];
		const char *n[PAIR_NSIDES];
		int w[PAIR_NSIDES];

		for (int s = 0; s < PAIR_NSIDES; s++) {
			n[s] = r->dev[s] >= 0 ? m->devs[r->dev[s]]->name :
			       p->want[s];
			w[s] = r->dev[s] >= 0 ? tui_namew(v, m, r->dev[s]) :
			       (int)format_esc_cols(n[s], strlen(n[s]));
			if (w[s] > v->name_w)
				v->name_w = w[s];
		}
		if (p->att && !p->att->open && p->att->ndecided &&
		    att_kept(p->att, 0)->outcome != ATT_COMPLETED)
			v->any_failed = true;	/* a long verdict to show */
		if (!v->dst_names && n[PAIR_DST][0] &&
		    (w[PAIR_SRC] != w[PAIR_DST] || strcmp(n[PAIR_SRC], n[PAIR_DST])))
			v->dst_names = true;
	}
}

static void tui_layout(struct tui_view *v)
{
	struct layout_in in = {
		.cols = COLS,
		.rows = LINES,
		.has_dst = v->has_dst,
		.dst_names = v->dst_names,
		.nrows = v->rows.n,
		.nevents = evlog_count(&v->log),
		.name_want = v->name_w,
		.verdict_want = v->any_failed ? TUI_VERDICT_FAILED :
				TUI_VERDICT_WANT,
		.vm_want = v->dv.vm_want,
		.drv_want = v->dv.drv_want,
	};

	layout_compute(&in, &v->lay);
}

/* The key of a monitor frame (struct tui_frame_key). */
static void tui_frame_key_of(const struct tui_view *v,
			     const struct view_ctx *c, struct tui_frame_key *k)
{
	memset(k, 0, sizeof(*k));
	k->cols = COLS;
	k->lines = LINES;
	k->events = v->log.n;
	k->alerts = v->log.nal;
	k->nalerts = v->log.nalerts;
	k->paused = c->paused;
	k->delay_ns = c->delay_ns;
	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct snapshot *sn = c->snap[s];

		k->link[s] = sn ? (int)sn->link : -1;
		if (!sn)
			continue;
		k->offset_ms[s] = sn->clock_offset_ns / (int64_t)CLOCK_NS_PER_MS;
		snprintf(k->msg[s], sizeof(k->msg[s]), "%s", sn->msg);
		snprintf(k->host[s], sizeof(k->host[s]), "%s", sn->host);
	}
}

/*
 * When the monitor frame drawn at @now is drawn again for time alone: a
 * row's time or highlight (v->due) or the header's clock (to the second,
 * v->cc.second_ns) changed, a message went.  Ticks coalesce: a frame for time
 * alone waits a refresh interval (at least TUI_COALESCE_NS, at most
 * TUI_TICK_NS) after the first tick and shows every tick due by then, so
 * that time alone never draws more often than the refreshes would; a
 * time on screen is never later than that, as it was never later than a
 * refresh (or the one-second tick) before.
 */
static uint64_t tui_frame_until(const struct tui_view *v,
				const struct view_ctx *c, uint64_t now)
{
	uint64_t until = clock_earlier(v->cc.second_ns + CLOCK_NS_PER_S,
				       clock_earlier(v->due.tick_ns,
						     v->due.hl_ns));
	uint64_t slack = c->delay_ns;

	if (slack < TUI_COALESCE_NS)
		slack = TUI_COALESCE_NS;
	if (slack > TUI_TICK_NS)
		slack = TUI_TICK_NS;
	until += slack;
	if (ui_msg(&v->ui, now) && v->ui.msg_until < until)
		until = v->ui.msg_until;
	return until;
}

/* What a frame must draw. */
enum tui_redraw {
	TUI_R_ALL,		/* everything */
	TUI_R_TIMES,		/* only the clock and the rows' times: time alone moved */
	TUI_R_NONE,		/* nothing: it is the frame last drawn */
};

/*
 * What the monitor frame at @now must draw, the rows held (@derived: no
 * input, no model change): nothing while its key is the same and nothing
 * is due by time; the times alone once they tick, unless a highlight
 * ended or a message went.
 */
static enum tui_redraw tui_redraw_of(const struct tui_view *v,
				     const struct view_ctx *c, uint64_t now,
				     bool derived)
{
	struct tui_frame_key k;

	if (!derived || c->replay || !v->fk_until_ns ||
	    (v->ui.mode != UI_MAIN && v->ui.mode != UI_PROMPT))
		return TUI_R_ALL;
	tui_frame_key_of(v, c, &k);
	if (memcmp(&k, &v->fk, sizeof(k)))
		return TUI_R_ALL;
	if (now < v->fk_until_ns)
		return TUI_R_NONE;
	if ((v->due.hl_ns && now >= v->due.hl_ns) ||
	    v->fk_msg != ui_msg(&v->ui, now))
		return TUI_R_ALL;
	return TUI_R_TIMES;
}

/* Draw the clock and the rows' times only (TUI_R_TIMES). */
static void tui_frame_times(struct tui_view *v, const struct view_ctx *c,
			    uint64_t now)
{
	draw_header_top(v, c, now);
	draw_table_times(v, c, now, &v->due);
	v->fk_until_ns = tui_frame_until(v, c, now);
}

static int tui_frame(struct view *base, const struct view_ctx *c, uint64_t now)
{
	struct tui_view *v = VIEW_OF(base, struct tui_view);
	unsigned int raised;
	enum tui_redraw redraw;
	bool held;

	if (v->scr.lost)
		return -EPIPE;
	if (c->model_gen != v->model_gen) {
		tui_replay_reset(v);
		v->model_gen = c->model_gen;
		v->dv.valid = false;
	}
	tui_refs_check(v, c->m);
	v->ui.replay = c->replay != NULL;
	v->delay_ns = c->delay_ns;
	screen_resize(&v->scr);
	raised = evlog_take(&v->log, c->m, !v->started);
	if (raised && v->bell && v->started)
		beep();
	v->started = true;
	v->has_dst = c->label[PAIR_DST] != NULL;
	screen_glyphs(&v->scr, v->ui.ascii, &v->g);
	v->cc.ascii = v->g.ascii;
	v->cc.second_ns = now - (uint64_t)((int64_t)now + c->real_off_ns) %
				CLOCK_NS_PER_S;
	held = tui_derived_holds(v, c, now);
	if (!held) {
		tui_rows(v, c, now);
		tui_measure(v, c);
		tui_derive(v, c, now);
	}
	redraw = tui_redraw_of(v, c, now, held);
	if (redraw == TUI_R_NONE)
		return 0;
	if (redraw == TUI_R_TIMES) {
		tui_frame_times(v, c, now);
		goto out;
	}
	tui_follow(v);
	tui_layout(v);
	ui_fit(&v->ui, v->rows.n, v->lay.body_h);
	tui_events(v);
	ui_al_fit(&v->ui, evlog_alert_count(&v->log), v->ui.al_page);
	tui_pin(v);
	v->fk_until_ns = 0;
	erase();
	if (v->lay.too_small) {
		draw_small(COLS, LINES, v->lay.need_cols, v->lay.need_rows);
	} else if (v->ui.mode == UI_ALERTS) {
		ui_al_fit(&v->ui, evlog_alert_count(&v->log),
			  draw_alerts(v, c));
		draw_bar(v, c, now);
	} else if (v->ui.mode == UI_HELP) {
		help_draw(v, c);
		draw_bar(v, c, now);
	} else if (v->ui.mode == UI_DETAILS) {
		v->ui.dlines = v->ui.report ? report_draw(v, c, now) :
				details_draw(v, c, now);
		draw_bar(v, c, now);
		draw_replay(v, c);
	} else {
		draw_header(v, c, now);
		draw_table(v, c, now, &v->due);
		draw_events(v, c);
		draw_bar(v, c, now);
		draw_replay(v, c);
		tui_frame_key_of(v, c, &v->fk);
		v->fk_msg = ui_msg(&v->ui, now);
		v->fk_until_ns = tui_frame_until(v, c, now);
	}
out:
	attrset(A_NORMAL);
	wnoutrefresh(stdscr);
	doupdate();
	v->frame_ns = now;
	return 0;
}

/* Next redraw without a refresh: a highlight or message ends, or a tick. */
static uint64_t tui_wakeup(struct view *base, const struct view_ctx *c,
			   uint64_t now)
{
	const struct tui_view *v = VIEW_OF(base, struct tui_view);
	uint64_t w = v->frame_ns + TUI_TICK_NS;

	(void)c;
	/* The monitor knows when it changes next; other screens tick. */
	if (v->fk_until_ns)
		w = v->fk_until_ns;
	if (ui_msg(&v->ui, now) && v->ui.msg_until < w)
		w = v->ui.msg_until;
	return w > now ? w : now + CLOCK_NS_PER_MS;
}

static void tui_close(struct view *base)
{
	struct tui_view *v;

	if (!base)
		return;
	v = VIEW_OF(base, struct tui_view);
	screen_close(&v->scr);
	rows_free(&v->rows);
	evlog_free(&v->log);
	free(v->namew);
	free(v->rank);
	free(v);
}

const struct view_ops view_tui_ops = {
	.name = "tui",
	.open = tui_open,
	.input_fd = tui_input_fd,
	.input = tui_input,
	.frame = tui_frame,
	.wakeup = tui_wakeup,
	.close = tui_close,
};
