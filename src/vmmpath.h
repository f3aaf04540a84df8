/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmmpath.h - the steps between two read values, where only one way is plausible */
#ifndef VFIOMIGTOP_VMMPATH_H
#define VFIOMIGTOP_VMMPATH_H

#include "fsm.h"

int vmmpath_between(enum fsm_state from, enum fsm_state to,
		    unsigned int flags, enum fsm_state *steps, int max);

#endif
