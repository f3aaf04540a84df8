/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.h - the journal vfiomigtop -w writes and -r replays
 * (vfiomigtop-journal(5)): one record per line, each line ending with the
 * CRC-32 of its text, so that a cut or damaged line is found and skipped.
 * A refresh is one record: what every source's snapshot changed, the
 * refresh's time, and the steps, so that a replay hands the model
 * identical snapshots at identical times.
 */
#ifndef VFIOMIGTOP_JOURNAL_H
#define VFIOMIGTOP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obuf.h"
#include "snapshot.h"

/* The schema this program writes and the newest it reads. */
#define JOURNAL_SCHEMA 1
/* Second word of every file's first line. */
#define JOURNAL_MAGIC "vfiomigtop-journal"
/* Longest record a reader accepts, bytes (a keyframe of 65536 devices fits). */
#define JOURNAL_LINE_MAX (64u * 1024 * 1024)
/* Smallest --write-max. */
#define JOURNAL_MAX_MIN (64u * 1024)

/* ---- format helpers (journal_fmt.c) ---- */

uint32_t jf_crc32(const void *p, size_t n);
void jf_esc(struct obuf *b, const char *s, size_t n);
long jf_unesc(const char *s, size_t n, char *out, size_t cap);
void jf_time(struct obuf *b, uint64_t t, uint64_t base);
int jf_parse_time(const char *s, size_t n, uint64_t base, int64_t delta,
		  uint64_t *out);
int jf_parse_u64(const char *s, size_t n, uint64_t *out);
int jf_parse_i64(const char *s, size_t n, int64_t *out);
void jf_end(struct obuf *b, size_t start);
long jf_check(const char *line, size_t len);
const char *jf_link_name(enum snap_link l);
int jf_link_parse(const char *s, size_t n, enum snap_link *out);
void jf_flags(struct obuf *b, unsigned int flags);
int jf_flags_parse(const char *s, size_t n, uint8_t *out);
void jf_features(struct obuf *b, bool known, unsigned int f, bool dirty);
int jf_features_parse(const char *s, size_t n, bool *known, unsigned int *f,
		      bool *dirty);
int jf_parse_size(const char *s, uint64_t *out);

/* One token of a record: bytes [p, p + n). */
struct jf_tok {
	const char *p;
	size_t n;
};

bool jf_next(const char **cur, const char *end, struct jf_tok *t);
bool jf_key(const struct jf_tok *t, const char *key, struct jf_tok *val);

/* ---- what a source was (journal_write.c, also the report) ---- */

/* Where a source's devices come from, said once per source. */
struct journal_srcinfo {
	char kind[16];		/* "debugfs", "agent" */
	char files[24];		/* "vfiomig.ko", "kernel-debugfs", "directory", "remote" */
	char host[256];		/* the host the devices are on ("" for this one) */
	char kernel[128];	/* uname -r of that host, "" when not known */
	char module[64];	/* vfiomig.ko's version there, "" when not loaded or not known */
};

void journal_local_info(const char *spec, const char *kind,
			struct journal_srcinfo *out);
void journal_host_facts(char *host, size_t hlen, char *kernel, size_t klen,
			char *boot, size_t blen, char *module, size_t mlen);

/* ---- device identity (hooks: issue 11 adds QEMU's view and more) ---- */

/* Most key=value facts kept per device. */
#define JOURNAL_IDENT_MAX 16

struct journal_ident_kv {
	char key[32];
	char val[224];
};

/* Facts about one device (driver, vendor, QEMU's id ...), by side and name. */
struct journal_ident {
	int side;			/* PAIR_SRC, PAIR_DST */
	char name[SNAP_NAME_MAX];	/* device name */
	size_t n;			/* facts in kv */
	struct journal_ident_kv kv[JOURNAL_IDENT_MAX];
};

struct journal_idents {
	struct journal_ident *v;
	size_t n, cap;
};

void journal_ident_set(struct journal_idents *s, int side, const char *name,
		       const char *key, const char *val);
const char *journal_ident_get(const struct journal_idents *s, int side,
			      const char *name, const char *key);
const struct journal_ident *journal_ident_find(const struct journal_idents *s,
					       int side, const char *name);
void journal_ident_free(struct journal_idents *s);
void journal_ident_local(const char *name, char *driver, size_t dlen,
			 char *parent, size_t plen);

/* ---- the writer (journal_write.c) ---- */

struct run;
struct journal_writer;

struct journal_wcfg {
	const char *path;	/* the journal file (-w) */
	uint64_t max_bytes;	/* --write-max: rotate past this size; 0 = never */
	unsigned int keep;	/* rotated files kept (FILE.1 .. FILE.keep) */
	uint64_t sync_ns;	/* fdatasync at least this often, ns (0: 5 s; UINT64_MAX: only at the end) */
	bool quiet;		/* do not print write errors as they happen (the screen is up) */
};

/* What the writer measured (doc/performance.md). */
struct journal_stats {
	uint64_t records;	/* refresh records written */
	uint64_t bytes;		/* bytes handed to the file */
	uint64_t busy_ns;	/* time spent in journal_refresh(), total */
	uint64_t busy_max_ns;	/* ... the longest call */
	uint64_t lost;		/* records dropped (queue full, write errors) */
	uint64_t rotations;	/* files rotated */
	uint64_t syncs;		/* fdatasync calls */
};

struct journal_writer *journal_open(const struct journal_wcfg *cfg,
				    const struct run *r, char *err,
				    size_t len);
void journal_refresh(struct journal_writer *w, const struct run *r,
		     uint64_t now_ns, bool extra);
void journal_note_ident(struct journal_writer *w, int side, const char *name,
			const char *key, const char *val);
void journal_stats(const struct journal_writer *w, struct journal_stats *st);
int journal_close(struct journal_writer *w, uint64_t now_ns, char *err,
		  size_t len);

#endif
