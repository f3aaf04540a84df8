// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_proto.c - libFuzzer harness for everything a remote peer or a user
 * controls in the agent protocol: line framing, message decoding (and the
 * round trip of whatever decodes), and agent SOURCE parsing.  Built and run
 * by tests/fuzz/run.sh; a short run is part of make check (fuzz.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "src_agent.h"

/* Invariant: a decoded message encodes to a line that decodes to itself. */
static void fz_roundtrip(const struct proto_msg *m)
{
	struct proto_msg again;
	struct obuf b;
	char err[256];

	if (m->type == PROTO_UNKNOWN)
		return;
	obuf_init(&b);
	proto_encode(&b, m);
	if (b.oom || !b.len || b.p[b.len - 1] != '\n' ||
	    memchr(b.p, '\n', b.len - 1))
		abort();
	if (proto_decode(b.p, b.len - 1, &again, err, sizeof(err))) {
		fprintf(stderr, "re-decode failed: %s\n%s", err, obuf_cstr(&b));
		abort();
	}
	if (memcmp(m, &again, sizeof(again))) {
		fprintf(stderr, "round trip differs: %s", obuf_cstr(&b));
		abort();
	}
	obuf_free(&b);
}

static void fz_line(const char *line, size_t len)
{
	struct proto_msg m;
	char err[256];

	if (!proto_decode(line, len, &m, err, sizeof(err)))
		fz_roundtrip(&m);
	else if (!err[0])
		abort();	/* a refusal always says why */
}

/* Feed the input in chunks whose sizes come from the input itself. */
static void fz_stream(const uint8_t *data, size_t size)
{
	struct proto_lines l;
	size_t off = 0, step = size ? (size_t)data[0] % 37 + 1 : 1;

	proto_lines_init(&l, 512);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		const char *line;
		size_t len;
		int rc;

		if (proto_lines_feed(&l, (const char *)data + off, n))
			abort();
		off += n;
		while ((rc = proto_lines_next(&l, &line, &len))) {
			if (rc > 0 && len > 512)
				abort();
			if (rc > 0)
				fz_line(line, len);
		}
		step = step * 3 % 61 + 1;
	}
	(void)proto_lines_partial(&l);
	proto_lines_free(&l);
}

static void fz_spec(const uint8_t *data, size_t size)
{
	struct src_agent_cfg cfg = { .env_opts = "-v -o X=y", .delay_ns = 1 };
	struct src_agent_spec sp;
	char *s = malloc(size + 1), err[300], **argv;

	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = 0;
	if (!src_agent_parse(s, &sp, err, sizeof(err))) {
		if (sp.ssh && (!sp.host[0] || sp.host[0] == '-' ||
			       sp.user[0] == '-'))
			abort();	/* would be taken for an ssh option */
		argv = src_agent_argv(&sp, &cfg);
		src_agent_argv_free(argv);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_line((const char *)data, size);
	fz_stream(data, size);
	fz_spec(data, size);
	return 0;
}
