/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * details_ident.h - the screen's share of issue 11: a device's identity,
 * owner, QEMU's view and recovery in the details view, and the optional
 * VM and DRIVER columns of the table.  Pure: text only, drawn by details.c and
 * draw_table.c.
 */
#ifndef VFIOMIGTOP_TUI_DETAILS_IDENT_H
#define VFIOMIGTOP_TUI_DETAILS_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "role.h"

/* Receives one line of the details section. */
typedef void (*details_ident_add)(void *ctx, const char *label, enum role r,
				  const char *text);

void details_ident(const struct model *m, int dev, uint64_t now,
		   details_ident_add add, void *ctx);
int tui_ident_vm_want(const struct model *m);
int tui_ident_drv_want(const struct model *m);
void tui_ident_drv_cell(const struct model *m, int dev, char *buf, size_t len);
void tui_ident_vm_cell(const struct model *m, int dev, char *buf, size_t len,
		       enum role *r);

#endif
