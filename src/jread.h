/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jread.h - reading journals back: files are checked line by line (a cut
 * or damaged record is reported with its offset and skipped), grouped
 * into recordings (sessions, continued across rotated files), and their
 * records applied to rebuilt snapshots.
 */
#ifndef VFIOMIGTOP_JREAD_H
#define VFIOMIGTOP_JREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "journal.h"
#include "model.h"
#include "pair.h"
#include "source.h"

/* Most sources one recording declares. */
#define JR_MAX_SOURCES 2

/* One file, read whole. */
struct jr_file {
	char *path;		/* as given */
	char *data;		/* its bytes (mapped) */
	size_t len;
};

/* One record of a recording, in order. */
struct jr_rec {
	char type;		/* 'r' refresh, 'k' keyframe, 'a' attempt, 'i' identity, 'v' VMM failure, 'g' gap, 'e' end */
	uint64_t t;		/* its time (CLOCK_MONOTONIC ns of the recording host) */
	const char *p;		/* the text after the time */
	size_t n;		/* its length */
	uint32_t file;		/* index in jr_set.files */
	uint64_t off;		/* offset of its line in that file */
};

/* A source as the recording declared it. */
struct jr_srcdecl {
	enum model_feed feed;	/* src, dst, shared */
	struct journal_srcinfo info;	/* kind, files, kernel, module */
	char spec[4096];	/* what the user gave */
};

/* One recording: one run of vfiomigtop -w, over one or more files. */
struct jr_session {
	char id[24];		/* session= */
	char host[256], kernel[128], boot[64], module[64], writer[64];
	char path[4096];	/* the -w file (rotated files share it) */
	int64_t real_off;	/* CLOCK_REALTIME - CLOCK_MONOTONIC of the recording */
	uint64_t delay, stuck, busy, tomb;	/* ns */
	struct pair_spec *pairs;	/* --pair of the recording */
	size_t npairs;
	struct jr_srcdecl src[JR_MAX_SOURCES];
	size_t nsrc;
	struct jr_rec *rec;	/* records in order */
	size_t nrec, cap;
	uint32_t first_seq;	/* file= of its first file read: > 0 when earlier files are missing */
	uint32_t last_seq;	/* file= of its last file read */
	bool ended;		/* it has its end record: vfiomigtop ended normally */
	uint64_t t_first;	/* time of its first refresh, 0 if none */
	uint64_t t_last;	/* ... of its last one */
	size_t nrefresh;	/* refresh records */
	size_t stream;		/* index of its stream (host and path) */
};

/* What reading found wrong, for the summary and the tests. */
struct jr_problems {
	unsigned long cut;	/* lines without their newline (a cut tail) */
	unsigned long damaged;	/* lines whose CRC does not match */
	unsigned long orphans;	/* records before any header */
	unsigned long bad;	/* records that do not parse */
	unsigned long gaps;	/* gap records: the writer dropped records */
};

struct jr_set {
	struct jr_file *files;
	size_t nfiles;
	struct jr_session *ss;	/* sessions, by stream then start time */
	size_t nss;
	size_t nstreams;
	struct jr_problems pb;
	FILE *diag;		/* where problems are reported (stderr), NULL for none */
};

int jr_load(struct jr_set *js, const char *const *paths, size_t n, FILE *diag,
	    char *err, size_t len);
void jr_free(struct jr_set *js);

/* A source rebuilt from records (its struct source has no live reader). */
struct jr_src {
	struct source *s;	/* spec, snap */
	size_t cap;		/* slots allocated in s->snap.dev */
	size_t ccap;		/* entries allocated in s->snap.changed */
	size_t scap;		/* entries allocated in s->snap.steps */
	int64_t delta;		/* added to every recorded time (clock alignment) */
	int64_t off_add;	/* added to the recorded clock offset (O) */
	bool keep_host;		/* host fixed by the replay (a merged journal): H is ignored */
};

struct source *jr_src_new(const char *spec, struct jr_src *js, char *err,
			  size_t len);
void jr_src_clear(struct jr_src *js);

/* What one record said beyond the snapshots. */
struct jr_applied {
	bool extra;		/* a refresh off the rhythm (x) */
	uint64_t delay_ns;	/* d: a new -d, 0 if unchanged */
};

int jr_apply(const struct jr_rec *rec, struct jr_src *const *srcs,
	     size_t nsrc, struct jr_applied *out, char *err, size_t len);
int jr_apply_key(const struct jr_rec *rec, struct jr_src *const *srcs,
		 size_t nsrc, char *err, size_t len);
bool jr_tok_u64(const char *p, size_t n, const char *key, uint64_t *out);
bool jr_tok_str(const char *p, size_t n, const char *key, char *out,
		size_t cap);

extern const struct source_ops src_journal_ops;

#endif
