// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * draw_alerts.c - the list of alerts (L): every device that entered ERROR
 * and every failed pair, newest first, acknowledged or not.  a (or Enter)
 * acknowledges the selected one, A all of them; an acknowledged alert
 * stays listed, and a failure stays in its pair's attempts (the details).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "evview.h"

int draw_alerts(const struct tui_view *v, const struct view_ctx *c)
{
	const struct ui *u = &v->ui;
	size_t n = evlog_alert_count(&v->log), top = 0;
	int h = LINES - 2;
	char title[96], line[640], t[32];

	snprintf(title, sizeof(title), " ALERTS %zu, %u not acknowledged ",
		 n, v->log.nalerts);
	draw_title(0, 0, COLS, &v->g, title, false);
	if (!n) {
		draw_text(1, 2, COLS - 2, ROLE_DIM, A_NORMAL,
			  "no alerts: no device entered ERROR, no pair failed",
			  v->g.ascii);
		return h;
	}
	if (h > 0 && u->al_sel >= (size_t)h)
		top = u->al_sel - (size_t)h + 1;
	for (int y = 0; y < h && top + (size_t)y < n; y++) {
		const struct evlog_alert *a = evlog_alert_get(&v->log,
							       top + (size_t)y);
		struct draw_pen p = { 1 + y, 0, COLS, v->g.ascii };
		attr_t sel = top + (size_t)y == u->al_sel ? A_REVERSE : A_NORMAL;

		draw_fill(1 + y, 0, COLS, ROLE_NORMAL, sel);
		draw_put(&p, a->acked ? ROLE_DIM : ROLE_ALERT, sel,
			 a->acked ? "  " : "! ");
		draw_time(v, t, sizeof(t), c, a->ev.t_ns, DRAW_T_MS);
		draw_put(&p, ROLE_DIM, sel, t);
		draw_put(&p, a->flag == CELL_AL_ERROR ? ROLE_ERRSTATE :
			 ROLE_FAILED, sel,
			 a->flag == CELL_AL_ERROR ? " ERROR  " : " FAILED ");
		draw_put(&p, ROLE_DIM, sel, a->acked ? "ack " : "    ");
		evview_text(&a->ev, line, sizeof(line));
		draw_put(&p, ROLE_NORMAL, sel, line);
	}
	return h;
}
