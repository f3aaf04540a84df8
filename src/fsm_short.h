/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsm_short.h - two-letter state names for the .c files that write tables */
#ifndef VFIOMIGTOP_FSM_SHORT_H
#define VFIOMIGTOP_FSM_SHORT_H

#include "fsm.h"

#define E FSM_ERROR
#define S FSM_STOP
#define R FSM_RUNNING
#define SC FSM_STOP_COPY
#define RS FSM_RESUMING
#define RP FSM_RUNNING_P2P
#define PC FSM_PRE_COPY
#define PP FSM_PRE_COPY_P2P

#endif
