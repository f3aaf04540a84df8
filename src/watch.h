/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch.h - one process-wide inotify watcher (libinotifytools) shared by sources */
#ifndef VFIOMIGTOP_WATCH_H
#define VFIOMIGTOP_WATCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Called from watch_dispatch() (main thread) for each event: @name is the
 * entry inside a watched directory ("" for the directory itself), @mask the
 * inotify mask.  IN_Q_OVERFLOW goes to every owner and means "rescan";
 * IN_IGNORED means the kernel dropped the watch.  Callbacks only record
 * what happened: they must not call watch_*().
 */
typedef void (*watch_cb)(void *owner, uint64_t cookie, uint32_t mask,
			 const char *name);

int watch_init(char *err, size_t len);
int watch_fd(void);
int watch_add(const char *path, uint32_t mask, watch_cb cb, void *owner,
	      uint64_t cookie);
int watch_renew(const char *path, uint32_t mask, watch_cb cb, void *owner,
		uint64_t cookie);
void watch_forget_owner(void *owner);
void watch_flush(void);
int watch_dispatch(void);
void watch_shutdown(void);

#endif
