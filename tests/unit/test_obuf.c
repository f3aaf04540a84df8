// SPDX-License-Identifier: GPL-2.0-or-later
/* test_obuf.c - output escaping; JSON output is checked with jansson */
#include <jansson.h>

#include "testutil.h"
#include "obuf.h"

START_TEST(test_numbers)
{
	struct obuf b;

	obuf_init(&b);
	obuf_u64(&b, 0);
	obuf_putc(&b, ' ');
	obuf_u64(&b, 18446744073709551615ull);
	obuf_putc(&b, ' ');
	obuf_i64(&b, -42);
	obuf_putc(&b, ' ');
	obuf_ms3(&b, 12345678901ull);
	obuf_putc(&b, ' ');
	obuf_ms3(&b, 999999);
	ck_assert_str_eq(obuf_cstr(&b),
			 "0 18446744073709551615 -42 12.345 0.000");
	obuf_free(&b);
}
END_TEST

START_TEST(test_text_escape)
{
	struct obuf b;
	const char name[] = "a b\tc\x1b[2J\\\x7f\xc3\xa9";

	obuf_init(&b);
	obuf_esc_text(&b, name, sizeof(name) - 1);
	ck_assert_str_eq(obuf_cstr(&b),
			 "a\\x20b\\x09c\\x1b[2J\\\\\\x7f\\xc3\\xa9");
	obuf_reset(&b);
	obuf_esc_text(&b, "", 0);
	ck_assert_str_eq(obuf_cstr(&b), "\"\"");
	obuf_free(&b);
}
END_TEST

/* Prose keeps its spaces, and nothing else that could reach a terminal. */
START_TEST(test_line_escape)
{
	struct obuf b;
	const char msg[] = "  load of\tmigration failed: \x1b[2J\\ \xc3\xa9 ";

	obuf_init(&b);
	obuf_esc_line(&b, msg, sizeof(msg) - 1);
	ck_assert_str_eq(obuf_cstr(&b),
			 "  load of\\x09migration failed: \\x1b[2J\\\\ \\xc3\\xa9 ");
	obuf_reset(&b);
	obuf_esc_line(&b, "", 0);
	ck_assert_str_eq(obuf_cstr(&b), "\"\"");
	obuf_free(&b);
}
END_TEST

/* A quoted JSON string, and a member that is null when it says nothing. */
START_TEST(test_json_members)
{
	struct obuf b;

	obuf_init(&b);
	obuf_json_str(&b, "a\"b");
	obuf_json_kstr(&b, "k", "v\n");
	obuf_json_kstr(&b, "e", "");
	obuf_json_kstr(&b, "n", NULL);
	obuf_json_key(&b, "i");
	obuf_puts(&b, "7");
	ck_assert_str_eq(obuf_cstr(&b),
			 "\"a\\\"b\",\"k\":\"v\\u000a\",\"e\":null,\"n\":null,\"i\":7");
	obuf_free(&b);
}
END_TEST

/* Every byte string of a hostile set becomes valid JSON that decodes to
 * the same bytes where they were valid UTF-8. */
START_TEST(test_json_escape_valid)
{
	static const char *const inputs[] = {
		"plain", "q\"uote", "back\\slash", "nl\nx", "\x01\x1f\x7f",
		"\xc3\xa9t\xc3\xa9", "\xff\xfe", "\xc2\x85", "\xed\xa0\x80",
		"\xf0\x9f\x98\x80", "\xe2\x82", "",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct obuf b;
		json_error_t je;
		json_t *j;

		obuf_init(&b);
		obuf_puts(&b, "{\"s\":\"");
		obuf_esc_json(&b, inputs[i], strlen(inputs[i]));
		obuf_puts(&b, "\"}");
		j = json_loads(obuf_cstr(&b), 0, &je);
		ck_assert_msg(j != NULL, "input %zu: %s: %s", i, obuf_cstr(&b),
			      je.text);
		json_decref(j);
		obuf_free(&b);
	}
}
END_TEST

START_TEST(test_json_escape_content)
{
	struct obuf b;
	json_error_t je;
	json_t *j;

	obuf_init(&b);
	obuf_puts(&b, "[\"");
	obuf_esc_json(&b, "a\"\\\n\xc3\xa9\xff", 7);
	obuf_puts(&b, "\"]");
	j = json_loads(obuf_cstr(&b), 0, &je);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_array_get(j, 0)),
			 "a\"\\\n\xc3\xa9\\xff");
	json_decref(j);
	obuf_free(&b);
}
END_TEST

/* C1 controls are escaped as \u0080..\u009f and decode to the same
 * bytes (found by the protocol fuzzer: "\xc2\x9b" is CSI). */
START_TEST(test_json_c1_roundtrip)
{
	const char in[] = "a\xc2\x9b[2J\xc2\x85z\x7f";
	struct obuf b;
	json_error_t je;
	json_t *j;

	obuf_init(&b);
	obuf_puts(&b, "[\"");
	obuf_esc_json(&b, in, strlen(in));
	obuf_puts(&b, "\"]");
	ck_assert_str_eq(obuf_cstr(&b), "[\"a\\u009b[2J\\u0085z\\u007f\"]");
	j = json_loads(obuf_cstr(&b), 0, &je);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_array_get(j, 0)), in);
	json_decref(j);
	obuf_free(&b);
}
END_TEST

START_TEST(test_growth_and_printf)
{
	struct obuf b;

	obuf_init(&b);
	for (int i = 0; i < 10000; i++)
		obuf_printf(&b, "%04d", i % 10000);
	ck_assert_uint_eq(b.len, 40000);
	ck_assert(!memcmp(b.p + 39996, "9999", 4));
	ck_assert(!b.oom);
	obuf_free(&b);
}
END_TEST

TU_MAIN("obuf", test_numbers, test_text_escape, test_line_escape,
	 test_json_members, test_json_escape_valid,
	test_json_escape_content, test_json_c1_roundtrip,
	test_growth_and_printf)
