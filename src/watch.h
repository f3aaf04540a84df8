/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch.h - one process-wide inotify watcher (libinotifytools) shared by sources */
#ifndef VFIOMIGTOP_WATCH_H
#define VFIOMIGTOP_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Called from watch_dispatch() (main thread) for each event: @name is the
 * entry inside a watched directory ("" for the watched object itself),
 * @mask the inotify mask.  IN_Q_OVERFLOW goes to every owner and means
 * "rescan" (the kernel's queue overflowed, or ours: events were lost);
 * IN_IGNORED means the kernel dropped the watch; WATCH_FAILED that it
 * could not be set.  Callbacks only record what happened: they must not
 * call watch_*().
 */
typedef void (*watch_cb)(void *owner, uint64_t cookie, uint32_t mask,
			 const char *name);

/* Mask of the event that tells a watch could not be set (with
 * IN_IGNORED).  The bit is IN_ONESHOT's, which only requests use. */
#define WATCH_FAILED 0x80000000u

int watch_init(char *err, size_t len);
int watch_fd(void);
int watch_add(const char *path, uint32_t mask, watch_cb cb, void *owner,
	      uint64_t cookie);
int watch_renew(const char *path, uint32_t mask, watch_cb cb, void *owner,
		uint64_t cookie);
void watch_forget_owner(void *owner);
int watch_flush(uint64_t deadline_ns);
int watch_dispatch(void);
uint64_t watch_lost(void);
uint64_t watch_restart_count(void);
int watch_shutdown(uint64_t wait_ns);
/* For tests: make the thread stop at its next wake-up until released. */
void watch_test_stall(bool on);
/* For tests: restart the library past twice the live paths plus @slack. */
void watch_test_restart_slack(size_t slack);

#endif
