/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout.h - where everything goes, as a pure function of size and content */
#ifndef VFIOMIGTOP_TUI_LAYOUT_H
#define VFIOMIGTOP_TUI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

/* Below these sizes the screen only says it is too small. */
#define LAYOUT_MIN_ROWS 10
#define LAYOUT_MIN_COLS_ONE 36	/* one pane: no destination */
#define LAYOUT_MIN_COLS_TWO 64	/* source, destination and verdict */

/* Widths of the fixed columns, in columns. */
#define LAYOUT_STATE_W 12	/* "PRE_COPY_P2P" */
#define LAYOUT_TIME_W 6		/* format_dur() */
#define LAYOUT_TRANS_W 4	/* transitions */
#define LAYOUT_NAME_MIN 8	/* a name is never narrower */
#define LAYOUT_VM_CAP 16	/* the VM column is never wider */
#define LAYOUT_DRV_CAP 18	/* nor the DRIVER column ("hisi_acc_vfio_pci") */

enum layout_pane_id {
	LAYOUT_SRC,		/* the source pane, or the only pane */
	LAYOUT_DST,		/* the destination pane */
	LAYOUT_VERDICT,		/* the verdict column */
	LAYOUT_NPANES,
};

/* A rectangle of cells; w or h 0 when absent. */
struct layout_rect {
	int x, y;		/* top left cell, columns and lines from 0 */
	int w, h;		/* size, columns and lines */
};

/* One column of a pane, in screen columns; w 0 when hidden. */
struct layout_col {
	int x;			/* first column */
	int w;			/* width */
};

struct layout_pane {
	struct layout_rect r;	/* title line, heading line, then the rows */
	bool border;		/* column r.x is the line left of the pane */
	struct layout_col mark;	/* change / error / tombstone marker */
	struct layout_col name;	/* device name */
	struct layout_col state;	/* value */
	struct layout_col time;	/* time in the value */
	struct layout_col trans;	/* transitions */
	struct layout_col text;	/* verdict text (verdict pane) */
	struct layout_col vm;	/* optional: the owner's VM (details_ident.c) */
	struct layout_col drv;	/* optional: the bound driver (details_ident.c) */
};

/* What the layout depends on besides the size. */
struct layout_in {
	int cols, rows;		/* terminal size */
	bool has_dst;		/* two sides: source, destination, verdict */
	bool dst_names;		/* the destination pane shows names (some differ) */
	size_t nrows;		/* table rows to show */
	size_t nevents;		/* events there are to show */
	int name_want;		/* widest escaped name, columns */
	int verdict_want;	/* widest verdict wanted, columns */
	int vm_want;		/* widest VM column wanted, 0 for none */
	int drv_want;		/* widest DRIVER column wanted, 0 for none */
};

struct layout {
	bool too_small;		/* nothing but the "too small" message fits */
	int need_cols;		/* least columns for the normal screen */
	int need_rows;		/* least lines for the normal screen */
	struct layout_rect header;	/* header lines */
	struct layout_pane pane[LAYOUT_NPANES];	/* the panes, side by side */
	int npanes;		/* panes in use: 1 or 3 */
	int body_y;		/* first line of table rows */
	int body_h;		/* table rows that fit */
	struct layout_rect events;	/* title line then events; h 0 if none */
	struct layout_rect bar;	/* the key bar, last line */
};

/* What a screen cell belongs to (layout_hit()). */
enum layout_zone {
	LAYOUT_Z_NONE,		/* nothing that answers a click */
	LAYOUT_Z_HEAD,		/* a column heading */
	LAYOUT_Z_ROW,		/* a table row */
	LAYOUT_Z_EVENTS,	/* the event pane */
};

/* Which column heading (LAYOUT_Z_HEAD). */
enum layout_col_id {
	LAYOUT_C_OTHER,		/* the marker, TR, VM, DRIVER */
	LAYOUT_C_NAME,		/* DEVICE */
	LAYOUT_C_STATE,		/* STATE */
	LAYOUT_C_TIME,		/* TIME */
	LAYOUT_C_VERDICT,	/* VERDICT */
};

struct layout_hit {
	enum layout_zone zone;	/* what was hit */
	int line;		/* ROW: lines below the first row; EVENTS: below the title (-1 on it) */
	enum layout_col_id col;	/* HEAD: which heading */
};

void layout_compute(const struct layout_in *in, struct layout *out);
void layout_hit(const struct layout *l, int x, int y, struct layout_hit *h);

#endif
