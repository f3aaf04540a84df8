/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.h - the command line */
#ifndef VFIOMIGTOP_OPTIONS_H
#define VFIOMIGTOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pair.h"

/* Exit statuses (documented in vfiomigtop(8)). */
#define OPT_EXIT_OK 0		/* success */
#define OPT_EXIT_USAGE 1	/* usage or environment error */
#define OPT_EXIT_MIGFAIL 3	/* batch: a migration attempt failed, or a device went into ERROR */
#define OPT_EXIT_UNCERTAIN 4	/* batch: no failure, but an attempt is uncertain or not finished */
#define OPT_EXIT_UNREAD 5	/* batch: a side was never read at all (a host never reached) */

/* Most --qmp sockets. */
#define OPT_QMP_MAX 16

/* Limits of -d, in seconds. */
#define OPT_DELAY_MIN 0.01
#define OPT_DELAY_MAX 3600.0

enum opt_format {
	OPT_FMT_TEXT,		/* plain text lines */
	OPT_FMT_JSON,		/* one JSON object per snapshot */
	OPT_FMT_EVENTS,		/* one line per transition */
	OPT_FMT_PROM,		/* Prometheus text exposition (view_prom.c) */
};

/* --color: the colour scheme to start with. */
enum opt_color {
	OPT_COLOR_AUTO,		/* from COLORFGBG (and NO_COLOR) */
	OPT_COLOR_LIGHT,	/* for a light background */
	OPT_COLOR_DARK,		/* for a dark background */
	OPT_COLOR_NONE,		/* monochrome, as -C */
};

struct options {
	const char *src;		/* --src SOURCE, NULL for the local debugfs */
	const char *dst;		/* --dst SOURCE, NULL for none */
	struct pair_spec *pairs;	/* --pair SRC=DST list */
	size_t npairs;			/* entries in pairs */
	uint64_t delay_ns;		/* -d: refresh interval, ns */
	bool batch;			/* -b */
	long iterations;		/* -n: snapshots to print, 0 = until stopped */
	enum opt_format format;		/* --json / --events */
	bool demo;			/* --demo */
	const char *scenario;		/* --demo=FILE: replay FILE instead of the built-in */
	double speed;			/* --demo-speed: replay speed multiplier */
	bool no_color;			/* -C / NO_COLOR */
	enum opt_color color;		/* --color (-C is none) */
	bool color_set;			/* --color or -C was given: wins over the settings file */
	bool utc;			/* --utc: times in UTC, else local time */
	bool no_config;			/* --no-config: no settings file */
	bool ascii;			/* --ascii */
	bool bell;			/* --bell */
	uint64_t stuck_ns;		/* --stuck: RESUMING longer than this fails, ns */
	uint64_t busy_ns;		/* --busy-fail: a read blocked longer than this fails, ns */
	uint64_t highlight_ns;		/* -H: how long a change stays highlighted, ns */
	uint64_t tomb_ns;		/* --tombstone: how long a vanished device stays, ns */
	bool agent;			/* --agent: serve --src on stdout (view_agent.c) */
	uint64_t heartbeat_ns;		/* --heartbeat: agent heartbeat interval, ns */
	const char **ssh_opts;		/* --ssh-opt values, one ssh argument each */
	size_t nssh_opts;		/* entries in ssh_opts */
	const char *remote_cmd;		/* --remote-cmd: runs vfiomigtop on a remote host; NULL for the default */
	const char *prom_file;		/* --prometheus-file PATH, NULL for stdout */
	const char *sysfs;		/* --sysfs ROOT, NULL for /sys */
	bool no_owners;			/* --no-owners: no /proc scan */
	const char **qmp;		/* --qmp PATH list */
	size_t nqmp;			/* entries in qmp */
	/* The journal (vfiomigtop-journal(5)): record, replay, report. */
	const char *write_path;		/* -w FILE: record, NULL for none */
	uint64_t write_max;		/* --write-max: rotate past this many bytes; 0 = never */
	unsigned int write_keep;	/* --write-keep: rotated files kept */
	const char **read_paths;	/* -r FILE...: replay these journals */
	size_t nread;			/* entries in read_paths */
	const char *begin;		/* --begin TIME (parsed by the replay), NULL */
	const char *end;		/* --end TIME, NULL */
	bool report;			/* --report: print a report at the end */
	const char *report_pair;	/* --report=PAIR: only this pair, NULL for every failed attempt */
	bool delay_set;			/* -d was given */
	char warn[192];			/* a harmless mistake to report on stderr, "" for none */
	bool help;			/* -h */
	bool version;			/* -V */
};

int options_parse(int argc, char **argv, struct options *o, char *err,
		  size_t len);
void options_free(struct options *o);
int options_color(const char *arg, enum opt_color *out);
void options_usage(FILE *f);

#endif
