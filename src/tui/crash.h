/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash.h - give the terminal back when a fatal signal kills the program */
#ifndef VFIOMIGTOP_TUI_CRASH_H
#define VFIOMIGTOP_TUI_CRASH_H

void crash_save_modes(int tty_fd);
void crash_arm(int tty_fd, int err_fd);
void crash_disarm(void);

#endif
