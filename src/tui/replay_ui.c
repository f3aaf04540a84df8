// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay_ui.c - the screen's part of a replay (-r): the replay keys become
 * requests for the replay loop (replay.c), a status line shows the replay
 * clock with its date and time zone, and when the replay rebuilds its
 * model (going back) the screen forgets what it kept of the old one.
 * Also the report text of the selected pair in the details (R), plain, to
 * copy into a bug report.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "replay_ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "replay.h"
#include "report.h"
#include "when.h"

static void ui_replay_say(struct ui *u, uint64_t now, const char *what)
{
	snprintf(u->msg, sizeof(u->msg), "%s", what);
	u->msg_until = now + UI_MSG_NS;
}

/* A replay key (or R in the details).  Returns whether @a was one. */
bool ui_replay_key(struct ui *u, enum keys_action a, uint64_t now,
		   struct ui_effect *e)
{
	static const enum view_replay map[] = {
		[KA_RP_BACK] = VIEW_RP_BACK, [KA_RP_FWD] = VIEW_RP_FWD,
		[KA_RP_PREV_EV] = VIEW_RP_PREV_EV,
		[KA_RP_NEXT_EV] = VIEW_RP_NEXT_EV,
		[KA_RP_PREV_FAIL] = VIEW_RP_PREV_FAIL,
		[KA_RP_NEXT_FAIL] = VIEW_RP_NEXT_FAIL,
		[KA_RP_FASTER] = VIEW_RP_FASTER,
		[KA_RP_SLOWER] = VIEW_RP_SLOWER,
	};

	if (a == KA_REPORT) {
		u->report = !u->report;
		u->dscroll = 0;
		return true;
	}
	if (a < KA_RP_BACK || a > KA_RP_SLOWER)
		return false;
	if (!u->replay) {
		ui_replay_say(u, now, "only when replaying a journal (vfiomigtop -r FILE)");
		return true;
	}
	if (a == KA_RP_TIME) {
		u->mode = UI_PROMPT;
		u->ask = UI_ASK_TIME;
		prompt_start(&u->prompt, "");
		return true;
	}
	e->req.replay = map[a];
	return true;
}

/* The time typed at the prompt: the replay loop parses it. */
void ui_replay_answer(struct ui *u, struct ui_effect *e)
{
	if (!u->prompt.len)
		return;
	e->req.replay = VIEW_RP_TIME;
	snprintf(e->req.replay_arg, sizeof(e->req.replay_arg), "%.63s",
		 u->prompt.buf);
}

/* The replay rebuilt its model: device indexes and events start over. */
void tui_replay_reset(struct tui_view *v)
{
	evlog_free(&v->log);
	evlog_init(&v->log);
	v->started = false;
	free(v->namew);
	free(v->rank);
	v->namew = NULL;
	v->rank = NULL;
	v->nnamew = v->nrank = 0;
	/* The pins and the details: tui_refs_check(), next. */
}

/* The replay's line over the header's right end: where and when. */
void draw_replay(const struct tui_view *v, const struct view_ctx *c)
{
	const struct replay_status *st = c->replay;
	char when[64], line[400];
	int w;

	if (!st || v->lay.too_small)
		return;
	when_fmt_local(when, sizeof(when), st->real_ns);
	snprintf(line, sizeof(line), " REPLAY %s x%g  %s  %zu/%zu%s%s ",
		 st->playing ? "playing" : "paused", st->speed, when, st->pos,
		 st->count, st->msg[0] ? "  " : "", st->msg);
	w = (int)strlen(line);
	if (w > COLS)
		w = COLS;
	draw_right(0, COLS - w, w, ROLE_MESSAGE, A_BOLD, line, v->g.ascii);
}

/* The pair the details are about. */
static int report_draw_pair(const struct tui_view *v, const struct model *m)
{
	for (size_t k = 0; k < m->npairs; k++)
		if (m->pairs[k].dev[PAIR_SRC] == v->detail[PAIR_SRC] &&
		    m->pairs[k].dev[PAIR_DST] == v->detail[PAIR_DST])
			return (int)k;
	return -1;
}

/* The report of the pair in the details, plain lines from the top. */
int report_draw(const struct tui_view *v, const struct view_ctx *c, uint64_t now)
{
	struct obuf b;
	const char *p, *end;
	int n = 0, first = v->ui.dscroll, h = LINES - 2;

	(void)now;
	obuf_init(&b);
	report_pair_text(c->m, c, report_draw_pair(v, c->m), &b);
	draw_title(0, 0, COLS, &v->g, " REPORT (R: details) ", false);
	p = b.p;
	end = b.p + b.len;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[1024];

		if (n >= first && n - first < h) {
			snprintf(line, sizeof(line), "%.*s", (int)len, p);
			draw_text(1 + n - first, 0, COLS, ROLE_NORMAL, A_NORMAL,
				  line, v->g.ascii);
		}
		n++;
		p = nl ? nl + 1 : end;
	}
	obuf_free(&b);
	return n;
}
