/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay_ui.h - the screen's part of a replay (-r) and of the report */
#ifndef VFIOMIGTOP_TUI_REPLAY_UI_H
#define VFIOMIGTOP_TUI_REPLAY_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "keys.h"
#include "ui.h"

struct tui_view;

bool ui_replay_key(struct ui *u, enum keys_action a, uint64_t now,
		   struct ui_effect *e);
void ui_replay_answer(struct ui *u, struct ui_effect *e);
void tui_replay_reset(struct tui_view *v);
void draw_replay(const struct tui_view *v, const struct view_ctx *c);
int report_draw(const struct tui_view *v, const struct view_ctx *c,
		uint64_t now);

#endif
