// SPDX-License-Identifier: GPL-2.0-or-later
/* test_strmap.c - the name map, against a brute-force reference */
#include <stdio.h>

#include "testutil.h"
#include "strmap.h"

START_TEST(test_basic)
{
	struct strmap m;

	strmap_init(&m);
	ck_assert_int_eq(strmap_get(&m, "a", 1), -1);
	ck_assert_int_eq(strmap_put(&m, "a", 1, 3), 0);
	ck_assert_int_eq(strmap_put(&m, "a\0b", 3, 4), 0);
	ck_assert_int_eq(strmap_get(&m, "a", 1), 3);
	ck_assert_int_eq(strmap_get(&m, "a\0b", 3), 4);
	ck_assert_int_eq(strmap_put(&m, "a", 1, 5), 0);
	ck_assert_int_eq(strmap_get(&m, "a", 1), 5);
	ck_assert_int_eq(strmap_del(&m, "a", 1), 5);
	ck_assert_int_eq(strmap_get(&m, "a", 1), -1);
	ck_assert_int_eq(strmap_del(&m, "a", 1), -1);
	strmap_free(&m);
}
END_TEST

/* Random inserts and deletes (with many tombstones) agree with an array. */
START_TEST(test_churn)
{
	enum { N = 3000 };
	static int ref[N];
	struct strmap m;
	unsigned int seed = 12345;
	char key[32];

	strmap_init(&m);
	for (int i = 0; i < N; i++)
		ref[i] = -1;
	for (int round = 0; round < 100000; round++) {
		int k = (int)((seed = seed * 1103515245 + 12345) >> 8) % N;
		int n = snprintf(key, sizeof(key), "0000:%02x:%02x.%d", k >> 8,
				 k & 0xff, k % 8);

		if (seed & 0x10000) {
			ck_assert_int_eq(strmap_put(&m, key, (size_t)n, round), 0);
			ref[k] = round;
		} else {
			ck_assert_int_eq(strmap_del(&m, key, (size_t)n), ref[k]);
			ref[k] = -1;
		}
	}
	for (int k = 0; k < N; k++) {
		int n = snprintf(key, sizeof(key), "0000:%02x:%02x.%d", k >> 8,
				 k & 0xff, k % 8);

		ck_assert_int_eq(strmap_get(&m, key, (size_t)n), ref[k]);
	}
	strmap_free(&m);
}
END_TEST

TU_MAIN("strmap", test_basic, test_churn)
