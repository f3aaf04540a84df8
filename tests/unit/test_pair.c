// SPDX-License-Identifier: GPL-2.0-or-later
/* test_pair.c - pairing: --pair, then identical names, never by order */
#include "testutil.h"
#include "pair.h"

static size_t match(const char *const *src, size_t ns, const char *const *dst,
		    size_t nd, const struct pair_spec *sp, size_t nsp,
		    bool shared, struct pair_match *out)
{
	const char *const *names[PAIR_NSIDES] = { src, dst };
	size_t n[PAIR_NSIDES] = { ns, nd };

	return pair_match_names(names, n, sp, nsp, shared, out, 16);
}

START_TEST(test_match_explicit_same_name_order)
{
	const char *src[] = { "a", "b", "c", "x" };
	const char *dst[] = { "y", "c", "q", "b" };
	struct pair_spec sp[] = { { "a", "q" } };
	struct pair_match m[16];
	size_t n = match(src, 4, dst, 4, sp, 1, false, m);

	ck_assert_uint_eq(n, 5);
	/* explicit */
	ck_assert_int_eq(m[0].idx[0], 0);
	ck_assert_int_eq(m[0].idx[1], 2);
	ck_assert_int_eq(m[0].spec, 0);
	/* same name: b-b, c-c */
	ck_assert_int_eq(m[1].idx[0], 1);
	ck_assert_int_eq(m[1].idx[1], 3);
	ck_assert_int_eq(m[2].idx[0], 2);
	ck_assert_int_eq(m[2].idx[1], 1);
	/* x and y are unrelated: each alone, never paired by order */
	ck_assert_int_eq(m[3].idx[0], 3);
	ck_assert_int_eq(m[3].idx[1], -1);
	ck_assert_int_eq(m[4].idx[0], -1);
	ck_assert_int_eq(m[4].idx[1], 0);
}
END_TEST

START_TEST(test_match_leftovers_and_missing)
{
	const char *src[] = { "a", "b", "c" };
	const char *dst[] = { "a" };
	struct pair_spec sp[] = { { "zz", "a" } };
	struct pair_match m[16];
	size_t n = match(src, 3, dst, 1, sp, 1, false, m);

	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(m[0].idx[0], -1);	/* zz not there (yet) */
	ck_assert_int_eq(m[0].idx[1], 0);
	ck_assert_int_eq(m[1].idx[1], -1);
	ck_assert_int_eq(m[2].idx[1], -1);
	ck_assert_int_eq(m[3].idx[1], -1);
}
END_TEST

/* One tree for both sides: only --pair pairs; no name or order pairing. */
START_TEST(test_match_shared)
{
	const char *src[] = { "u1", "u3" };
	const char *dst[] = { "u2" };
	struct pair_spec sp[] = { { "u1", "u2" } };
	struct pair_match m[16];
	size_t n = match(src, 2, dst, 1, sp, 1, true, m);

	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(m[0].idx[0], 0);
	ck_assert_int_eq(m[0].idx[1], 0);
	ck_assert_int_eq(m[1].idx[0], 1);
	ck_assert_int_eq(m[1].idx[1], -1);
}
END_TEST

START_TEST(test_match_many_names)
{
	enum { N = 2000 };
	static char bufs[N][16];
	static const char *src[N], *dst[N];
	static struct pair_match m[N];
	const char *const *names[PAIR_NSIDES] = { src, dst };
	size_t n[PAIR_NSIDES] = { N, N }, got;

	for (int i = 0; i < N; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "dev%04d", i);
		src[i] = bufs[i];
		dst[N - 1 - i] = bufs[i];
	}
	got = pair_match_names(names, n, NULL, 0, false, m, N);
	ck_assert_uint_eq(got, N);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(m[i].idx[1], N - 1 - m[i].idx[0]);
}
END_TEST

TU_MAIN("pair", test_match_explicit_same_name_order,
	test_match_leftovers_and_missing, test_match_shared,
	test_match_many_names)
