// SPDX-License-Identifier: GPL-2.0-or-later
/* test_proto.c - the agent protocol: messages, framing, clocks, agent specs */
#include <errno.h>
#include <jansson.h>

#include "testutil.h"
#include "proto.h"
#include "src_agent.h"

/* Encode @m, check the line is one valid JSON object, decode it back. */
static void tp_roundtrip(const struct proto_msg *m, struct proto_msg *out)
{
	struct obuf b;
	json_error_t je;
	json_t *j;
	char err[200];

	obuf_init(&b);
	proto_encode(&b, m);
	ck_assert(!b.oom);
	ck_assert_uint_gt(b.len, 1);
	ck_assert_int_eq(b.p[b.len - 1], '\n');
	ck_assert_ptr_null(memchr(b.p, '\n', b.len - 1));
	for (size_t i = 0; i < b.len - 1; i++)
		ck_assert_int_ge((unsigned char)b.p[i], 0x20);
	j = json_loadb(b.p, b.len - 1, 0, &je);
	ck_assert_msg(j && json_is_object(j), "not JSON: %s", obuf_cstr(&b));
	json_decref(j);
	ck_assert_msg(!proto_decode(b.p, b.len - 1, out, err, sizeof(err)),
		      "decode: %s: %s", err, obuf_cstr(&b));
	ck_assert_int_eq(out->type, m->type);
	ck_assert_uint_eq(out->mono_ns, m->mono_ns);
	ck_assert_int_eq(out->real_ns, m->real_ns);
	obuf_free(&b);
}

static int tp_decode(const char *line, struct proto_msg *m, char *err,
		     size_t len)
{
	return proto_decode(line, strlen(line), m, err, len);
}

START_TEST(test_hello_roundtrip)
{
	struct proto_msg m, o;

	memset(&m, 0, sizeof(m));
	m.type = PROTO_HELLO;
	m.mono_ns = 123456789012ull;
	m.real_ns = -5;
	m.u.hello.version = PROTO_VERSION;
	snprintf(m.u.hello.agent, sizeof(m.u.hello.agent), "vfiomigtop 1");
	snprintf(m.u.hello.host, sizeof(m.u.hello.host), "h\"o\\st\n");
	snprintf(m.u.hello.source, sizeof(m.u.hello.source), "/sys/kernel/debug/vfio");
	m.u.hello.interval_ns = 50000000;
	m.u.hello.heartbeat_ns = 1000000000;
	tp_roundtrip(&m, &o);
	ck_assert_int_eq(o.u.hello.version, PROTO_VERSION);
	ck_assert_str_eq(o.u.hello.host, "h\"o\\st\n");
	ck_assert_str_eq(o.u.hello.source, "/sys/kernel/debug/vfio");
	ck_assert_uint_eq(o.u.hello.interval_ns, 50000000);
	ck_assert_uint_eq(o.u.hello.heartbeat_ns, 1000000000);
}
END_TEST

START_TEST(test_dev_roundtrip)
{
	static const char *const names[] = {
		"0000:3b:00.2", "a b\"c\\d", "\x1b[2J\x01", "\xff\xfe\xc3\xa9",
		"\xc2\x85 C1",
	};
	struct proto_msg m, o;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.type = PROTO_DEV;
		m.mono_ns = 7;
		m.real_ns = 1795571177555896751ll;
		snprintf(m.u.dev.name, sizeof(m.u.dev.name), "%s", names[i]);
		m.u.dev.present = true;
		m.u.dev.val = DS_UNPARSABLE;
		m.u.dev.features_known = true;
		m.u.dev.features = FSM_F_STOP_COPY | FSM_F_PRE_COPY;
		m.u.dev.dirty_tracking = true;
		m.u.dev.since_ns = 99;
		m.u.dev.busy_ns = 98;
		m.u.dev.transitions = 4000000000u;
		m.u.dev.raw_len = 5;
		memcpy(m.u.dev.raw, "ab\0\n\xff", 5);
		tp_roundtrip(&m, &o);
		ck_assert_str_eq(o.u.dev.name, names[i]);
		ck_assert(o.u.dev.present);
		ck_assert_int_eq(o.u.dev.val, DS_UNPARSABLE);
		ck_assert(o.u.dev.features_known);
		ck_assert_uint_eq(o.u.dev.features, FSM_F_STOP_COPY | FSM_F_PRE_COPY);
		ck_assert(o.u.dev.dirty_tracking);
		ck_assert_uint_eq(o.u.dev.since_ns, 99);
		ck_assert_uint_eq(o.u.dev.busy_ns, 98);
		ck_assert_uint_eq(o.u.dev.transitions, 4000000000u);
		ck_assert_uint_eq(o.u.dev.raw_len, 5);
		ck_assert(!memcmp(o.u.dev.raw, "ab\0\n\xff", 5));
	}
	/* Every value token survives; features unknown stays unknown. */
	for (int v = 0; v < DS_NR; v++) {
		memset(&m, 0, sizeof(m));
		m.type = PROTO_DEV;
		snprintf(m.u.dev.name, sizeof(m.u.dev.name), "d");
		m.u.dev.val = (enum dstate)v;
		m.u.dev.err = v == DS_ERRNO ? EIO : 0;
		tp_roundtrip(&m, &o);
		ck_assert_int_eq(o.u.dev.val, v);
		ck_assert_int_eq(o.u.dev.err, m.u.dev.err);
		ck_assert(!o.u.dev.present);
		ck_assert(!o.u.dev.features_known);
	}
}
END_TEST

START_TEST(test_other_roundtrip)
{
	struct proto_msg m, o;

	memset(&m, 0, sizeof(m));
	m.type = PROTO_STEP;
	m.mono_ns = 5;
	snprintf(m.u.step.name, sizeof(m.u.step.name), "0000:5e:00.1");
	m.u.step.from = DS_RUNNING;
	m.u.step.to = DS_STOP;
	m.u.step.flags = SNAP_STEP_INFERRED | SNAP_STEP_ARC | SNAP_STEP_REFUSED;
	tp_roundtrip(&m, &o);
	ck_assert_str_eq(o.u.step.name, "0000:5e:00.1");
	ck_assert_uint_eq(o.u.step.from, DS_RUNNING);
	ck_assert_uint_eq(o.u.step.to, DS_STOP);
	ck_assert_uint_eq(o.u.step.flags, m.u.step.flags);

	memset(&m, 0, sizeof(m));
	m.type = PROTO_HB;
	m.u.hb_seq = 42;
	tp_roundtrip(&m, &o);
	ck_assert_uint_eq(o.u.hb_seq, 42);

	m.type = PROTO_SYNC;
	m.u.sync_devices = 1024;
	tp_roundtrip(&m, &o);
	ck_assert_uint_eq(o.u.sync_devices, 1024);

	memset(&m, 0, sizeof(m));
	m.type = PROTO_LINK;
	m.u.link.link = SNAP_LINK_DOWN;
	snprintf(m.u.link.msg, sizeof(m.u.link.msg), "tree \x1b vanished");
	tp_roundtrip(&m, &o);
	ck_assert_int_eq(o.u.link.link, SNAP_LINK_DOWN);
	ck_assert_str_eq(o.u.link.msg, "tree \x1b vanished");
}
END_TEST

/* Forward compatibility: unknown types and fields are ignored. */
START_TEST(test_decode_lenient)
{
	struct proto_msg m;
	char err[200];

	ck_assert_int_eq(tp_decode("{\"type\":\"frobnicate\",\"x\":[1,{}]}", &m,
				   err, sizeof(err)), 0);
	ck_assert_int_eq(m.type, PROTO_UNKNOWN);
	ck_assert_int_eq(tp_decode("{\"type\":\"hb\",\"mono_ns\":1,\"real_ns\":2,"
				   "\"new\":{\"a\":1},\"seq\":3}", &m, err,
				   sizeof(err)), 0);
	ck_assert_int_eq(m.type, PROTO_HB);
	ck_assert_uint_eq(m.u.hb_seq, 3);
	/* A value token of a later version is kept as unparsable content. */
	ck_assert_int_eq(tp_decode("{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,"
				   "\"name\":\"d\",\"present\":true,"
				   "\"value\":\"<newkind>\",\"features\":[\"x\",1]}",
				   &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m.u.dev.val, DS_UNPARSABLE);
	ck_assert_uint_eq(m.u.dev.raw_len, 9);
	ck_assert(m.u.dev.features_known);
	ck_assert_uint_eq(m.u.dev.features, 0);
	/* An unknown link kind is a problem, not OK. */
	ck_assert_int_eq(tp_decode("{\"type\":\"link\",\"mono_ns\":1,\"real_ns\":2,"
				   "\"link\":\"meh\"}", &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m.u.link.link, SNAP_LINK_DEGRADED);
	/* Long informative text is cut, not refused. */
	{
		char line[2000];
		int n = snprintf(line, sizeof(line),
				 "{\"type\":\"hello\",\"mono_ns\":1,\"real_ns\":2,"
				 "\"proto\":1,\"host\":\"");

		memset(line + n, 'h', 600);
		strcpy(line + n + 600, "\"}");
		ck_assert_int_eq(tp_decode(line, &m, err, sizeof(err)), 0);
		ck_assert_uint_eq(strlen(m.u.hello.host), PROTO_TEXT_MAX - 1);
	}
}
END_TEST

START_TEST(test_decode_errors)
{
	static const char *const bad[] = {
		"", "   ", "{", "[1,2]", "\"hello\"", "nul\x01",
		"{\"type\":1}",
		"{\"mono_ns\":1}",
		"{\"type\":\"hb\",\"real_ns\":2}",
		"{\"type\":\"hb\",\"mono_ns\":-1,\"real_ns\":2}",
		"{\"type\":\"hb\",\"mono_ns\":1.5,\"real_ns\":2}",
		"{\"type\":\"hb\",\"mono_ns\":99999999999999999999999,\"real_ns\":2}",
		"{\"type\":\"hb\",\"mono_ns\":1,\"mono_ns\":2,\"real_ns\":2}",
		"{\"type\":\"hello\",\"mono_ns\":1,\"real_ns\":2}",
		"{\"type\":\"hello\",\"mono_ns\":1,\"real_ns\":2,\"proto\":\"1\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"present\":true,\"value\":\"STOP\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"\",\"present\":true,\"value\":\"STOP\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"a\\u0000b\",\"present\":true,\"value\":\"STOP\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"name_hex\":\"6\",\"present\":true,\"value\":\"STOP\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"name_hex\":\"zz\",\"present\":true,\"value\":\"STOP\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"name_hex\":\"6100\",\"present\":true,\"value\":\"STOP\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"present\":1,\"value\":\"STOP\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"present\":true}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"present\":true,\"value\":\"STOP\",\"errno\":-1}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"present\":true,\"value\":\"STOP\",\"features\":\"p2p\"}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"present\":true,\"value\":\"STOP\",\"transitions\":4294967296}",
		"{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"present\":true,\"value\":\"<unparsable>\",\"raw_hex\":\"0\"}",
		"{\"type\":\"step\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"from\":\"STOP\",\"to\":\"NOPE\"}",
		"{\"type\":\"step\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"d\",\"from\":\"STOP\",\"to\":\"RUNNING\",\"flags\":7}",
		"{\"type\":\"link\",\"mono_ns\":1,\"real_ns\":2}",
	};
	struct proto_msg m;
	char err[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		ck_assert_msg(tp_decode(bad[i], &m, err, sizeof(err)) == -EINVAL,
			      "accepted: %s", bad[i]);
		ck_assert_msg(err[0], "no reason for: %s", bad[i]);
	}
	{
		char name[400];
		char line[600];

		memset(name, 'n', 256);
		name[256] = 0;
		snprintf(line, sizeof(line),
			 "{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"%s\","
			 "\"present\":true,\"value\":\"STOP\"}", name);
		ck_assert_int_eq(tp_decode(line, &m, err, sizeof(err)), -EINVAL);
		name[255] = 0;
		snprintf(line, sizeof(line),
			 "{\"type\":\"dev\",\"mono_ns\":1,\"real_ns\":2,\"name\":\"%s\","
			 "\"present\":true,\"value\":\"STOP\"}", name);
		ck_assert_int_eq(tp_decode(line, &m, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(proto_decode("{}", PROTO_LINE_MAX + 1, &m, err,
				      sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(test_lines)
{
	struct proto_lines l;
	const char *line;
	size_t len;
	char *big;

	proto_lines_init(&l, 16);
	ck_assert_int_eq(proto_lines_feed(&l, "ab", 2), 0);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 0);
	ck_assert_uint_eq(proto_lines_partial(&l), 2);
	ck_assert_int_eq(proto_lines_feed(&l, "c\nde\n\nf", 7), 0);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 1);
	ck_assert_uint_eq(len, 3);
	ck_assert(!memcmp(line, "abc", 3));
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 1);
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 1);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 0);
	ck_assert_uint_eq(proto_lines_partial(&l), 1);
	/* A line over the limit in one chunk, then the next line is fine. */
	ck_assert_int_eq(proto_lines_feed(&l, "0123456789abcdefXYZ\nok\n", 23), 0);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), -E2BIG);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 1);
	ck_assert_uint_eq(len, 2);
	ck_assert(!memcmp(line, "ok", 2));
	/* Over the limit without a newline: skipped across chunks. */
	big = malloc(1000);
	memset(big, 'x', 1000);
	ck_assert_int_eq(proto_lines_feed(&l, big, 20), 0);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), -E2BIG);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 0);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(proto_lines_feed(&l, big, 1000), 0);
	ck_assert_uint_le(l.cap, 4096);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 0);
	ck_assert_uint_gt(proto_lines_partial(&l), 0);
	ck_assert_int_eq(proto_lines_feed(&l, "xx\nnext\n", 8), 0);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 1);
	ck_assert_uint_eq(len, 4);
	ck_assert(!memcmp(line, "next", 4));
	ck_assert_uint_eq(proto_lines_partial(&l), 0);
	/* Exactly the limit is fine. */
	ck_assert_int_eq(proto_lines_feed(&l, big, 16), 0);
	ck_assert_int_eq(proto_lines_feed(&l, "\n", 1), 0);
	ck_assert_int_eq(proto_lines_next(&l, &line, &len), 1);
	ck_assert_uint_eq(len, 16);
	free(big);
	proto_lines_free(&l);
}
END_TEST

START_TEST(test_clock)
{
	struct proto_clock c;
	int64_t mo, ro;

	proto_clock_reset(&c);
	ck_assert(!proto_clock_offsets(&c, &mo, &ro));
	ck_assert_uint_eq(proto_clock_to_local(&c, 5000, 1, 777), 777);
	/* The agent's clocks are 1000 s ahead; transit takes 3, 1, 7 ms. */
	proto_clock_sample(&c, T(1000000 + 10), 5000000000000ll + 1000000000000ll,
			   T(13), 5000000000000ll + 3000000);
	proto_clock_sample(&c, T(1000000 + 20), 6000000000000ll + 20000000,
			   T(21), 5000000000000ll + 21000000);
	proto_clock_sample(&c, T(1000000 + 30), 6000000000000ll + 30000000,
			   T(37), 5000000000000ll + 37000000);
	ck_assert(proto_clock_offsets(&c, &mo, &ro));
	ck_assert_int_eq(mo, 1000000000000ll - 1000000);
	ck_assert_int_eq(ro, 1000000000000ll - 1000000);
	/* An agent time maps to local, never after the ceiling. */
	ck_assert_uint_eq(proto_clock_to_local(&c, T(1000000 + 50), 1, T(100)),
			  T(51));
	ck_assert_uint_eq(proto_clock_to_local(&c, T(1000000 + 50), 1, T(40)),
			  T(40));
	ck_assert_uint_eq(proto_clock_to_local(&c, 5, 1, T(40)), 1);
	/* The window forgets old samples. */
	for (int i = 0; i < PROTO_CLOCK_WIN; i++)
		proto_clock_sample(&c, 2000, 0, 1000, 500);
	ck_assert(proto_clock_offsets(&c, &mo, &ro));
	ck_assert_int_eq(mo, 1000);
	ck_assert_int_eq(ro, -500);
}
END_TEST

START_TEST(test_spec_parse)
{
	struct src_agent_spec sp;
	char err[300];

	ck_assert(src_agent_is_spec("ssh://h"));
	ck_assert(src_agent_is_spec("cmd:true"));
	ck_assert(!src_agent_is_spec("/sys/kernel/debug/vfio"));
	ck_assert(!src_agent_is_spec("ssh:h"));
	ck_assert_int_eq(src_agent_parse("ssh://host", &sp, err, sizeof(err)), 0);
	ck_assert(sp.ssh);
	ck_assert_str_eq(sp.host, "host");
	ck_assert_str_eq(sp.user, "");
	ck_assert_uint_eq(sp.port, 0);
	ck_assert_str_eq(sp.path, "");
	ck_assert_int_eq(src_agent_parse("ssh://root@10.0.0.2:2222/sys/kernel/debug/vfio",
					 &sp, err, sizeof(err)), 0);
	ck_assert_str_eq(sp.user, "root");
	ck_assert_str_eq(sp.host, "10.0.0.2");
	ck_assert_uint_eq(sp.port, 2222);
	ck_assert_str_eq(sp.path, "/sys/kernel/debug/vfio");
	ck_assert_int_eq(src_agent_parse("ssh://[::1]:22/x y", &sp, err,
					 sizeof(err)), 0);
	ck_assert_str_eq(sp.host, "::1");
	ck_assert_uint_eq(sp.port, 22);
	ck_assert_str_eq(sp.path, "/x y");
	ck_assert_int_eq(src_agent_parse("ssh://u@[fe80::1%eth0]", &sp, err,
					 sizeof(err)), 0);
	ck_assert_str_eq(sp.host, "fe80::1%eth0");
	ck_assert_int_eq(src_agent_parse("cmd:sudo vfiomigtop --agent", &sp, err,
					 sizeof(err)), 0);
	ck_assert(!sp.ssh);
	ck_assert_str_eq(sp.cmd, "sudo vfiomigtop --agent");
	{
		static const char *const bad[] = {
			"ssh://", "ssh:///path", "ssh://-oProxyCommand=x",
			"ssh://-l/x", "ssh://h:0", "ssh://h:65536", "ssh://h:",
			"ssh://h:22x", "ssh://@h", "ssh://a b", "ssh://[::1",
			"ssh://[::1]x", "ssh://[]", "ssh://[::1;rm]", "ssh://h\x1b",
			"ssh://-u@h", "ssh://[-fe4::1]/x", "cmd:", "cmd:  \t", "/dir",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			err[0] = 0;
			ck_assert_msg(src_agent_parse(bad[i], &sp, err,
						      sizeof(err)) == -EINVAL,
				      "accepted %s", bad[i]);
			ck_assert(err[0]);
		}
	}
}
END_TEST

static size_t tp_argc(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

START_TEST(test_argv)
{
	static const char *const opts[] = { "-F", "/tmp/my config" };
	struct src_agent_spec sp;
	struct src_agent_cfg cfg;
	char err[200], **v, *q;

	q = src_agent_shell_quote("it's $(x)");
	ck_assert_str_eq(q, "'it'\\''s $(x)'");
	free(q);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(src_agent_parse("cmd:cat f", &sp, err, sizeof(err)), 0);
	v = src_agent_argv(&sp, &cfg);
	ck_assert_uint_eq(tp_argc(v), 3);
	ck_assert_str_eq(v[0], "/bin/sh");
	ck_assert_str_eq(v[1], "-c");
	ck_assert_str_eq(v[2], "cat f");
	src_agent_argv_free(v);

	ck_assert_int_eq(src_agent_parse("ssh://h", &sp, err, sizeof(err)), 0);
	v = src_agent_argv(&sp, &cfg);
	ck_assert_uint_eq(tp_argc(v), 7);
	ck_assert_str_eq(v[0], "ssh");
	ck_assert_str_eq(v[1], "-T");
	ck_assert_str_eq(v[3], "BatchMode=yes");
	ck_assert_str_eq(v[4], "--");
	ck_assert_str_eq(v[5], "h");
	ck_assert_str_eq(v[6], "vfiomigtop --agent");
	src_agent_argv_free(v);

	cfg.env_opts = "  -o\tConnectTimeout=3  -v ";
	cfg.ssh_opts = opts;
	cfg.nssh_opts = 2;
	cfg.remote_cmd = "sudo -n /usr/bin/vfiomigtop";
	cfg.delay_ns = 50000000;
	cfg.heartbeat_ns = 2000000000;
	ck_assert_int_eq(src_agent_parse("ssh://me@h:2200/srv/it's", &sp, err,
					 sizeof(err)), 0);
	v = src_agent_argv(&sp, &cfg);
	ck_assert_uint_eq(tp_argc(v), 16);
	ck_assert_str_eq(v[1], "-o");
	ck_assert_str_eq(v[2], "ConnectTimeout=3");
	ck_assert_str_eq(v[3], "-v");
	ck_assert_str_eq(v[4], "-F");
	ck_assert_str_eq(v[5], "/tmp/my config");
	ck_assert_str_eq(v[6], "-T");
	ck_assert_str_eq(v[9], "-l");
	ck_assert_str_eq(v[10], "me");
	ck_assert_str_eq(v[11], "-p");
	ck_assert_str_eq(v[12], "2200");
	ck_assert_str_eq(v[13], "--");
	ck_assert_str_eq(v[14], "h");
	ck_assert_str_eq(v[15], "sudo -n /usr/bin/vfiomigtop --agent -d 0.05 "
			 "--heartbeat 2 --src '/srv/it'\\''s'");
	src_agent_argv_free(v);
}
END_TEST

/* A too-long informative string is cut on a UTF-8 character boundary, so
 * what is kept is still the peer's text (found by the fuzzer). */
START_TEST(test_cut_on_character)
{
	struct proto_msg m;
	char line[512], err[256];
	const char *a;
	size_t n;

	/* 62 ASCII bytes, then U+1596 (3 bytes): the cut falls inside it. */
	snprintf(line, sizeof(line),
		 "{\"type\":\"hello\",\"mono_ns\":1,\"real_ns\":2,\"proto\":1,"
		 "\"agent\":\"%s\\u1596\\u1596\",\"host\":\"h\",\"source\":\"\","
		 "\"interval_ns\":0,\"heartbeat_ns\":0}",
		 "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
	ck_assert_int_eq(tp_decode(line, &m, err, sizeof(err)), 0);
	a = m.u.hello.agent;
	n = strlen(a);
	ck_assert_uint_eq(n, 62);
	ck_assert_int_eq(a[n - 1], 'B');
}
END_TEST

TU_MAIN("proto", test_cut_on_character, test_hello_roundtrip, test_dev_roundtrip, test_other_roundtrip,
	test_decode_lenient, test_decode_errors, test_lines, test_clock,
	test_spec_parse, test_argv)
