/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto.h - the agent line protocol (doc/protocol.md): messages, framing, clocks */
#ifndef VFIOMIGTOP_PROTO_H
#define VFIOMIGTOP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dstate.h"
#include "obuf.h"
#include "snapshot.h"

/* Protocol version this build speaks; a peer with another one is refused. */
#define PROTO_VERSION 1
/* Longest line accepted, in bytes, newline excluded. */
#define PROTO_LINE_MAX (1024 * 1024)
/* Most devices one agent may list. */
#define PROTO_MAX_DEVS 65536
/* Size of the text fields of a message, NUL included. */
#define PROTO_TEXT_MAX 256
/* Clock samples the offset estimate is the best of. */
#define PROTO_CLOCK_WIN 32

enum proto_type {
	PROTO_HELLO,		/* first line: version, host, intervals */
	PROTO_DEV,		/* one device's full record */
	PROTO_SYNC,		/* end of the initial full snapshot */
	PROTO_STEP,		/* one transition the agent's model recorded */
	PROTO_HB,		/* heartbeat */
	PROTO_LINK,		/* health of the agent's own source */
	PROTO_UNKNOWN,		/* a type this version does not know: ignore it */
};

struct proto_hello {
	int version;			/* protocol version the agent speaks */
	char agent[64];			/* agent software and version, informative */
	char host[PROTO_TEXT_MAX];	/* the agent's host name */
	char source[PROTO_TEXT_MAX];	/* what the agent watches, informative */
	uint64_t interval_ns;		/* agent refresh interval, ns; 0 unknown */
	uint64_t heartbeat_ns;		/* agent heartbeat interval, ns; 0 unknown */
};

struct proto_dev {
	char name[SNAP_NAME_MAX];	/* device name, raw bytes, NUL-terminated */
	bool present;			/* false: the device vanished */
	enum dstate val;		/* current value */
	int err;			/* errno behind a failure value, 0 otherwise */
	bool features_known;		/* a features file was read */
	unsigned int features;		/* FSM_F_* */
	bool dirty_tracking;		/* features list dirty-tracking */
	uint64_t since_ns;		/* agent CLOCK_MONOTONIC ns when val began; 0 unknown */
	uint64_t busy_ns;		/* agent CLOCK_MONOTONIC ns a read is pending since; 0 none */
	uint32_t transitions;		/* state-machine steps the agent saw */
	uint8_t raw_len;		/* bytes in raw */
	char raw[DSTATE_READ_MAX];	/* unparsable content, raw bytes */
};

struct proto_step {
	char name[SNAP_NAME_MAX];	/* device name, raw bytes, NUL-terminated */
	uint8_t from;			/* enum dstate before; DS_UNKNOWN when it appeared */
	uint8_t to;			/* enum dstate after */
	uint8_t flags;			/* SNAP_STEP_* */
	uint64_t lo_mono_ns;		/* a change seen between reads: it came after this (agent CLOCK_MONOTONIC ns); 0 when exact or not known */
};

struct proto_link {
	enum snap_link link;		/* health of the agent's source */
	char msg[PROTO_TEXT_MAX];	/* its message, "" if none */
};

/* One message, decoded or to encode. */
struct proto_msg {
	enum proto_type type;		/* which member of u is valid */
	uint64_t mono_ns;		/* agent CLOCK_MONOTONIC ns: when sent; for a step, when it happened */
	int64_t real_ns;		/* agent CLOCK_REALTIME ns at the same instant */
	union {
		struct proto_hello hello;	/* PROTO_HELLO */
		struct proto_dev dev;		/* PROTO_DEV */
		struct proto_step step;		/* PROTO_STEP */
		struct proto_link link;		/* PROTO_LINK */
		uint64_t hb_seq;		/* PROTO_HB: heartbeat number, from 1 */
		uint64_t sync_devices;		/* PROTO_SYNC: devices listed before it */
	} u;
};

void proto_encode(struct obuf *b, const struct proto_msg *m);
int proto_decode(const char *line, size_t len, struct proto_msg *m, char *err,
		 size_t elen);
const char *proto_type_name(enum proto_type t);
bool proto_carries_send_time(enum proto_type t);

/* Splits a byte stream into lines no longer than max bytes. */
struct proto_lines {
	char *buf;			/* bytes received, not yet returned */
	size_t len;			/* bytes in buf */
	size_t cap;			/* bytes allocated */
	size_t off;			/* where the next line starts in buf */
	size_t max;			/* longest line accepted, newline excluded */
	bool skipping;			/* dropping a too-long line up to its newline */
};

void proto_lines_init(struct proto_lines *l, size_t max);
int proto_lines_feed(struct proto_lines *l, const char *p, size_t n);
int proto_lines_next(struct proto_lines *l, const char **line, size_t *len);
size_t proto_lines_partial(const struct proto_lines *l);
void proto_lines_reset(struct proto_lines *l);
void proto_lines_free(struct proto_lines *l);

/* Offset of a peer's clocks, from (sent, received) pairs. */
struct proto_clock {
	int64_t mono_d[PROTO_CLOCK_WIN];	/* agent mono at sending minus local mono at receipt, ns */
	int64_t real_d[PROTO_CLOCK_WIN];	/* agent real at sending minus local real at receipt, ns */
	unsigned int n;				/* samples taken; ring index is n % PROTO_CLOCK_WIN */
};

void proto_clock_reset(struct proto_clock *c);
void proto_clock_sample(struct proto_clock *c, uint64_t agent_mono,
			int64_t agent_real, uint64_t local_mono,
			int64_t local_real);
bool proto_clock_offsets(const struct proto_clock *c, int64_t *mono_off,
			 int64_t *real_off);
uint64_t proto_clock_to_local(const struct proto_clock *c, uint64_t agent_mono,
			      uint64_t floor_ns, uint64_t ceil_ns);

#endif
