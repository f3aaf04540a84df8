/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cell.h - what one device's cells and one pair's verdict show, and how */
#ifndef VFIOMIGTOP_TUI_CELL_H
#define VFIOMIGTOP_TUI_CELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "role.h"

/* Alerts kept per device until acknowledged. */
#define CELL_AL_ERROR 0x1u	/* the device entered ERROR */
#define CELL_AL_FAIL 0x2u	/* a pair holding the device failed */

/* How cells are made. */
struct cell_cfg {
	uint64_t highlight_ns;	/* how long a change stays highlighted, ns */
	uint64_t tomb_ns;	/* how long a vanished device stays listed, ns; 0 = forever */
	bool ascii;		/* ASCII markers only */
	uint64_t second_ns;	/* CLOCK_MONOTONIC ns of the clock's last whole second this frame; 0: none */
};

/* One device's cells. */
struct cell {
	const char *mark;	/* marker, one column: " * ~ # ! ? x" (or a dagger) */
	enum role mark_role;	/* role of the marker */
	char state[24];		/* the value, or "busy" while a read is pending */
	enum role state_role;	/* role of the value */
	char time[24];		/* time in the value, or age of the pending read */
	enum role time_role;	/* role of the time */
	char trans[16];		/* transitions seen */
	uint64_t until_ns;	/* CLOCK_MONOTONIC ns the change highlight ends; 0 if none */
	uint64_t tick_ns;	/* CLOCK_MONOTONIC ns the time text next reads differently */
};

/* One pair's verdict cell. */
struct cell_verdict {
	const char *mark;	/* "!" while a failure is unacknowledged, else " " */
	char text[384];		/* verdict_text() and the failures before, or "unpaired", "missing-..." */
	enum role role;		/* role of the text */
	uint64_t tick_ns;	/* CLOCK_MONOTONIC ns the text may next read differently by time alone; 0 never */
};

enum role cell_state_role(enum dstate v);
/* How a value changed (cell_changed()). */
enum cell_how {
	CELL_SEEN,		/* step by step, as the kernel took them: "*" */
	CELL_INFERRED,		/* through steps not observed (rebuilt or missed): "~" */
	CELL_RESET,		/* by no kernel step (a reset): "#" */
};

const char *cell_how_mark(enum cell_how how);
bool cell_changed(const struct model_dev *d, uint64_t highlight_ns,
		  uint64_t now, enum cell_how *how);
void cell_dev(const struct model_dev *d, unsigned int alerts,
	      const struct cell_cfg *cfg, uint64_t now, struct cell *out);
void cell_stale(struct cell *c);
void cell_verdict(const struct model *m, const struct model_pair *p,
		  unsigned int alerts, uint64_t now, struct cell_verdict *out);

#endif
