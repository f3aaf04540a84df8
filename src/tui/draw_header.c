// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * draw_header.c - the header: refresh interval, pairs migrating, completed
 * and failed, alerts, pause, filter, the date, time and zone (headline.c
 * shortens it to fit); then one line per side with what it watches and
 * how many devices are in each state.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <string.h>

#include "cell.h"
#include "clock.h"
#include "draw.h"
#include "format.h"
#include "headline.h"

/* States in the order the counts are listed. */
static const enum dstate draw_header_order[] = {
	DS_RUNNING, DS_PRE_COPY, DS_PRE_COPY_P2P, DS_RUNNING_P2P, DS_STOP,
	DS_STOP_COPY, DS_RESUMING, DS_ERROR, DS_INVALID, DS_EINVAL, DS_EACCES,
	DS_UNPARSABLE, DS_ERRNO, DS_GONE, DS_NOMIG, DS_UNKNOWN,
};

/* The top line alone, the clock on it (a tick redraws only this). */
void draw_header_top(const struct tui_view *v, const struct view_ctx *c,
		     uint64_t now)
{
	struct draw_pen p = { 0, 0, COLS, v->g.ascii };
	struct headline_in in = {
		.cols = COLS,
		.paused = c->paused,
		.has_dst = v->has_dst,
		.alerts = v->log.nalerts,
		.problems = v->ui.problems,
	};
	struct headline h;
	char dur[32], stamp[64], f[PROMPT_MAX * 4 + 8] = "";

	/* Each pair counted by its latest attempt (tui_derive()). */
	in.mig = v->dv.mig;
	in.done = v->dv.done;
	in.failed = v->dv.failed;
	in.unsure = v->dv.unsure;
	clock_fmt_dur(dur, sizeof(dur), c->delay_ns);
	in.every = dur;
	if (v->ui.filter[0])
		format_fit(f, sizeof(f), v->ui.filter, strlen(v->ui.filter),
			   24, FORMAT_KEEP_START, v->g.ascii);
	in.filter = f;
	draw_time(v, stamp, sizeof(stamp), c, now, DRAW_T_STAMP);
	in.stamp = stamp;
	headline_build(&in, &h);
	draw_fill(0, 0, COLS, ROLE_HEADER, A_NORMAL);
	if (h.right[0]) {
		int w = format_cols(h.right);

		p.end = COLS - w - 1;
		draw_right(0, COLS - w, w, ROLE_HEADER, A_NORMAL, h.right,
			   v->g.ascii);
	}
	for (size_t i = 0; i < h.n; i++)
		draw_put(&p, h.seg[i].role, A_NORMAL, h.seg[i].text);
}

static void draw_header_side(const struct tui_view *v, const struct view_ctx *c,
			     int y, enum pair_side side)
{
	const struct snapshot *sn = c->snap[side];
	struct draw_pen p = { y, 0, COLS, v->g.ascii };
	const unsigned int *count = v->dv.count[side];
	unsigned int total = v->dv.total[side], busy = v->dv.busy[side];
	const char *label = c->label[side];
	char buf[384], lab[4 * 48 + 8];

	draw_put(&p, ROLE_TITLE, A_NORMAL, side == PAIR_SRC ? "SRC " : "DST ");
	/* A long path keeps both ends and leaves room for the counts. */
	format_fit(lab, sizeof(lab), label ? label : "-",
		   label ? strlen(label) : 1, COLS / 3 < 12 ? 12 :
		   COLS / 3 > 48 ? 48 : COLS / 3, FORMAT_KEEP_BOTH, v->g.ascii);
	draw_put(&p, ROLE_HEADER, A_NORMAL, lab);
	if (sn && sn->host[0]) {
		/* A remote side: its host name and how its clock differs. */
		char h[4 * 32 + 8];
		int64_t off = sn->clock_offset_ns;
		uint64_t a = off < 0 ? (uint64_t)0 - (uint64_t)off : (uint64_t)off;

		format_fit(h, sizeof(h), sn->host, strlen(sn->host), 32,
			   FORMAT_KEEP_BOTH, v->g.ascii);
		snprintf(buf, sizeof(buf), "  host %s  clock %c%llu.%03llus", h,
			 off < 0 ? '-' : '+',
			 (unsigned long long)(a / CLOCK_NS_PER_S),
			 (unsigned long long)(a % CLOCK_NS_PER_S / CLOCK_NS_PER_MS));
		draw_put(&p, ROLE_HEADER, A_NORMAL, buf);
	}
	if (sn && sn->link != SNAP_LINK_OK) {
		char msg[4 * 60 + 8];

		format_fit(msg, sizeof(msg), sn->msg, strlen(sn->msg), 60,
			   FORMAT_KEEP_START | FORMAT_SPACES, v->g.ascii);
		snprintf(buf, sizeof(buf), "  %s: %s",
			 sn->link == SNAP_LINK_DOWN ? "DOWN" : "degraded", msg);
		draw_put(&p, ROLE_FAILED, A_NORMAL, buf);
	}
	snprintf(buf, sizeof(buf), "  %u device%s:", total,
		 total == 1 ? "" : "s");
	draw_put(&p, ROLE_HEADER, A_NORMAL, buf);
	for (size_t k = 0; k < sizeof(draw_header_order) /
			       sizeof(draw_header_order[0]); k++) {
		enum dstate s = draw_header_order[k];

		if (!count[s])
			continue;
		snprintf(buf, sizeof(buf), " %s", format_token(s));
		draw_put(&p, cell_state_role(s), A_NORMAL, buf);
		snprintf(buf, sizeof(buf), " %u ", count[s]);
		draw_put(&p, ROLE_HEADER, A_NORMAL, buf);
	}
	if (busy) {
		snprintf(buf, sizeof(buf), " busy %u", busy);
		draw_put(&p, ROLE_BUSY, A_NORMAL, buf);
	}
}

void draw_header(const struct tui_view *v, const struct view_ctx *c,
		 uint64_t now)
{
	const struct layout_rect *h = &v->lay.header;

	draw_header_top(v, c, now);
	if (h->h >= 2)
		draw_header_side(v, c, 1, PAIR_SRC);
	if (h->h >= 3 && v->has_dst)
		draw_header_side(v, c, 2, PAIR_DST);
}
