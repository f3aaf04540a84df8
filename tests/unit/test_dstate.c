// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dstate.c - parsing what a state-file read returned */
#include <errno.h>

#include "testutil.h"
#include "dstate.h"

static enum dstate rd(const char *s, long n)
{
	return dstate_from_read(s, n, 0);
}

START_TEST(test_every_kernel_token)
{
	char buf[32];

	for (int i = 0; i < FSM_NR; i++) {
		int n = snprintf(buf, sizeof(buf), "%s\n",
				 fsm_name((enum fsm_state)i));

		ck_assert_int_eq(rd(buf, n), i);
		ck_assert_str_eq(dstate_token((enum dstate)i),
				 fsm_name((enum fsm_state)i));
	}
	ck_assert_int_eq(rd("Invalid\n", 8), DS_INVALID);
	ck_assert_str_eq(dstate_token(DS_INVALID), "Invalid");
}
END_TEST

START_TEST(test_hostile_content)
{
	ck_assert_int_eq(rd("", 0), DS_UNPARSABLE);		/* empty */
	ck_assert_int_eq(rd("\n", 1), DS_UNPARSABLE);
	ck_assert_int_eq(rd("RUNNING", 7), DS_UNPARSABLE);	/* unterminated */
	ck_assert_int_eq(rd("RUNNING\n\n", 9), DS_UNPARSABLE);
	ck_assert_int_eq(rd("RUNNING\nSTOP\n", 13), DS_UNPARSABLE);
	ck_assert_int_eq(rd("running\n", 8), DS_UNPARSABLE);
	ck_assert_int_eq(rd("MIGRATING\n", 10), DS_UNPARSABLE);
	ck_assert_int_eq(rd("RUN\0ING\n", 8), DS_UNPARSABLE);	/* binary */
	ck_assert_int_eq(rd(" RUNNING\n", 9), DS_UNPARSABLE);
	ck_assert_int_eq(rd("\xff\xfe\x00\x01\n", 5), DS_UNPARSABLE);
}
END_TEST

START_TEST(test_huge_content)
{
	char big[DSTATE_READ_MAX + 1];

	memset(big, 'A', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	ck_assert_int_eq(rd(big, sizeof(big)), DS_UNPARSABLE);
}
END_TEST

START_TEST(test_errnos_are_distinct)
{
	ck_assert_int_eq(dstate_from_read(NULL, -1, EINVAL), DS_EINVAL);
	ck_assert_int_eq(dstate_from_read(NULL, -1, ENOENT), DS_GONE);
	ck_assert_int_eq(dstate_from_read(NULL, -1, ENODEV), DS_GONE);
	ck_assert_int_eq(dstate_from_read(NULL, -1, EACCES), DS_EACCES);
	ck_assert_int_eq(dstate_from_read(NULL, -1, EPERM), DS_EACCES);
	ck_assert_int_eq(dstate_from_read(NULL, -1, EAGAIN), DS_ERRNO);
	for (int i = DS_INVALID; i < DS_NR; i++) {
		ck_assert(!dstate_is_state((enum dstate)i));
		ck_assert_ptr_nonnull(strchr(dstate_token((enum dstate)i), '<') ?
				      "" : (i == DS_INVALID ? "" : NULL));
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(dstate_token((enum dstate)i),
					 dstate_token((enum dstate)j));
	}
}
END_TEST

START_TEST(test_token_roundtrip)
{
	enum dstate v;

	for (int i = 0; i < DS_NR; i++) {
		const char *t = dstate_token((enum dstate)i);

		ck_assert_int_eq(dstate_parse_token(t, strlen(t), &v), 0);
		ck_assert_int_eq(v, i);
	}
	ck_assert_int_eq(dstate_parse_token("BOGUS", 5, &v), -EINVAL);
}
END_TEST

START_TEST(test_failures)
{
	ck_assert(dstate_is_failure(DS_EINVAL));
	ck_assert(dstate_is_failure(DS_GONE));
	ck_assert(dstate_is_failure(DS_UNPARSABLE));
	ck_assert(!dstate_is_failure(DS_INVALID));
	ck_assert(!dstate_is_failure(DS_ERROR));
	ck_assert(!dstate_is_failure(DS_NOMIG));
}
END_TEST

START_TEST(test_features)
{
	const char all[] = "stop-copy\np2p\npre-copy\ndirty-tracking\n";
	bool dirty;

	ck_assert_uint_eq(dstate_parse_features(all, strlen(all), &dirty),
			  FSM_F_ALL);
	ck_assert(dirty);
	ck_assert_uint_eq(dstate_parse_features("stop-copy\n", 10, &dirty),
			  FSM_F_STOP_COPY);
	ck_assert(!dirty);
	/* unknown tokens from newer kernels, no final newline */
	ck_assert_uint_eq(dstate_parse_features("stop-copy\nwarp\np2p", 18,
						&dirty),
			  FSM_F_STOP_COPY | FSM_F_P2P);
	ck_assert_uint_eq(dstate_parse_features("", 0, &dirty), 0);
	ck_assert_uint_eq(dstate_parse_features("p2pp\n", 5, &dirty), 0);
}
END_TEST

TU_MAIN("dstate", test_every_kernel_token, test_hostile_content,
	test_huge_content, test_errnos_are_distinct, test_token_roundtrip,
	test_failures, test_features)
