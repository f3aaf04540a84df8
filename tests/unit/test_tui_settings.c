// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_tui_settings.c - the settings file: its path, what it says, a
 * round trip, and bad lines skipped with a message while the rest applies.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "settings.h"

START_TEST(test_path)
{
	char b[256];

	ck_assert_int_eq(settings_path("/x/cfg", "/home/u", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/x/cfg/vfiomigtop/vfiomigtoprc");
	ck_assert_int_eq(settings_path(NULL, "/home/u", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/home/u/.config/vfiomigtop/vfiomigtoprc");
	/* A relative XDG_CONFIG_HOME does not count. */
	ck_assert_int_eq(settings_path("rel", "/home/u", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/home/u/.config/vfiomigtop/vfiomigtoprc");
	ck_assert_int_ne(settings_path(NULL, NULL, b, sizeof(b)), 0);
	ck_assert_int_ne(settings_path("/x", NULL, b, 8), 0);
}
END_TEST

START_TEST(test_round_trip)
{
	struct settings s = {
		.color = OPT_COLOR_LIGHT, .sort = ROWS_SORT_VERDICT,
		.invert = true, .delay_ns = 250 * CLOCK_NS_PER_MS,
		.filter = "3b:*", .ascii = true, .ev_verdicts = true,
	}, r;
	char text[1024], warn[128];

	settings_format(&s, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "version=1\n"));
	ck_assert_ptr_nonnull(strstr(text, "delay=0.25\n"));
	ck_assert_uint_eq(settings_parse(text, &r, warn, sizeof(warn)), 0);
	ck_assert_str_eq(warn, "");
	ck_assert_uint_eq(r.have, SET_COLOR | SET_SORT | SET_INVERT |
			  SET_DELAY | SET_FILTER | SET_ASCII | SET_VERDICTS);
	ck_assert_int_eq(r.color, OPT_COLOR_LIGHT);
	ck_assert_int_eq(r.sort, ROWS_SORT_VERDICT);
	ck_assert(r.invert);
	ck_assert_uint_eq(r.delay_ns, 250 * CLOCK_NS_PER_MS);
	ck_assert_str_eq(r.filter, "3b:*");
	ck_assert(r.ascii);
	ck_assert(r.ev_verdicts);
	s.delay_ns = CLOCK_NS_PER_S;
	settings_format(&s, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "delay=1.0\n"));
}
END_TEST

/* Bad lines are counted and the first is named; the rest applies. */
START_TEST(test_bad_lines)
{
	struct settings r;
	char warn[128];

	ck_assert_uint_eq(settings_parse("# comment\n\n  sort = state\r\n"
					 "color=purple\n"
					 "garbage\n"
					 "delay=0.001\n"
					 "wat=1\n"
					 "ascii=maybe\n"
					 "filter=ab\n", &r, warn,
					 sizeof(warn)), 5);
	ck_assert_str_eq(warn, "line 4: bad value for 'color'");
	ck_assert_uint_eq(r.have, SET_SORT | SET_FILTER);
	ck_assert_int_eq(r.sort, ROWS_SORT_STATE);
	ck_assert_str_eq(r.filter, "ab");
	settings_parse("wat=1\n", &r, warn, sizeof(warn));
	ck_assert_str_eq(warn, "line 1: unknown setting 'wat'");
	ck_assert_uint_eq(settings_parse("", &r, warn, sizeof(warn)), 0);
	ck_assert_uint_eq(r.have, 0);
}
END_TEST

/* Saved where XDG_CONFIG_HOME says (directories made), read back. */
START_TEST(test_save_load)
{
	char dir[] = "/tmp/vfiomigtop-settings-XXXXXX", path[4096], err[256];
	char cmd[4200], warn[256];
	struct settings s = { .color = OPT_COLOR_NONE, .sort = ROWS_SORT_TIME,
			      .delay_ns = 2 * CLOCK_NS_PER_S }, r;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	ck_assert_int_eq(settings_load(&r, warn, sizeof(warn)), 0);
	ck_assert_uint_eq(r.have, 0);	/* no file: no settings, no warning */
	ck_assert_str_eq(warn, "");
	ck_assert_int_eq(settings_save(&s, path, sizeof(path), err,
				       sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(path, "/vfiomigtop/vfiomigtoprc"));
	ck_assert_int_eq(settings_load(&r, warn, sizeof(warn)), 0);
	ck_assert_str_eq(warn, "");
	ck_assert_int_eq(r.color, OPT_COLOR_NONE);
	ck_assert_int_eq(r.sort, ROWS_SORT_TIME);
	ck_assert_uint_eq(r.delay_ns, 2 * CLOCK_NS_PER_S);
	/* A damaged file: the message names it, the good lines apply. */
	f = fopen(path, "a");
	fputs("sort=sideways\n", f);
	fclose(f);
	ck_assert_int_eq(settings_load(&r, warn, sizeof(warn)), 0);
	ck_assert_ptr_nonnull(strstr(warn, "vfiomigtoprc: line 10: bad value for 'sort'"));
	ck_assert_uint_eq(r.delay_ns, 2 * CLOCK_NS_PER_S);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	unsetenv("XDG_CONFIG_HOME");
}
END_TEST

TU_MAIN("tui_settings", test_path, test_round_trip, test_bad_lines,
	test_save_load)
