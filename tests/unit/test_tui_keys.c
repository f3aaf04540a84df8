// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_tui_keys.c - the key table and the screen's state machine: every key
 * maps to its action, the help lists every key, help closes on any key,
 * Escape never quits, a delay is validated like -d.
 */
#include <curses.h>

#include "testutil.h"
#include "keys.h"
#include "options.h"
#include "prompt.h"
#include "ui.h"

static const unsigned int modes[] = { KEYS_MAIN, KEYS_DETAILS, KEYS_ALERTS };

/* Every key of every entry dispatches to that entry's action. */
START_TEST(test_every_key_maps)
{
	size_t n;
	const struct keys_entry *t = keys_table(&n);

	ck_assert_uint_gt(n, 10);
	for (size_t i = 0; i < n; i++) {
		ck_assert(t[i].keys[0] != 0);
		ck_assert(t[i].act > KA_NONE && t[i].act < KA_NR);
		for (size_t m = 0; m < 3; m++) {
			if (!(t[i].modes & modes[m]))
				continue;
			for (size_t k = 0; k < KEYS_PER_ENTRY && t[i].keys[k]; k++)
				ck_assert_int_eq(keys_lookup(modes[m], t[i].keys[k]),
						 t[i].act);
		}
	}
}
END_TEST

/* No key means two things on one screen. */
START_TEST(test_no_duplicates)
{
	size_t n;
	const struct keys_entry *t = keys_table(&n);

	for (size_t m = 0; m < 3; m++)
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++) {
				if (!(t[i].modes & t[j].modes & modes[m]))
					continue;
				for (size_t a = 0; a < KEYS_PER_ENTRY && t[i].keys[a]; a++)
					for (size_t b = 0; b < KEYS_PER_ENTRY && t[j].keys[b]; b++)
						ck_assert_int_ne(t[i].keys[a], t[j].keys[b]);
			}
}
END_TEST

/* The help has one line per entry naming every key and what it does. */
START_TEST(test_help_lists_every_key)
{
	size_t n;
	const struct keys_entry *t = keys_table(&n);

	ck_assert_uint_eq(keys_help_count(), n);
	for (size_t i = 0; i < n; i++) {
		char line[160], label[64], name[16];

		keys_help_line(i, line, sizeof(line), KEYS_LABEL_W);
		ck_assert_ptr_nonnull(strstr(line, t[i].help));
		keys_label(&t[i], label, sizeof(label));
		ck_assert_int_le((int)strlen(label), KEYS_LABEL_W);
		ck_assert_int_le((int)strlen(t[i].help), KEYS_HELP_W);
		for (size_t k = 0; k < KEYS_PER_ENTRY && t[i].keys[k]; k++) {
			keys_name(t[i].keys[k], name, sizeof(name));
			ck_assert_msg(strstr(line, name), "%s lacks %s", line,
				      name);
		}
	}
	/* Every action a user can take is in the help. */
	for (int a = KA_NONE + 1; a < KA_NR; a++) {
		bool found = false;

		for (size_t i = 0; i < n; i++)
			found |= t[i].act == (enum keys_action)a;
		ck_assert_msg(found, "action %d has no key", a);
	}
}
END_TEST

START_TEST(test_key_names)
{
	char b[16];

	ck_assert_str_eq(keys_name(27, b, sizeof(b)), "Esc");
	ck_assert_str_eq(keys_name(KEY_F(1), b, sizeof(b)), "F1");
	ck_assert_str_eq(keys_name(KEY_UP, b, sizeof(b)), "Up");
	ck_assert_str_eq(keys_name(12, b, sizeof(b)), "^L");
	ck_assert_str_eq(keys_name(' ', b, sizeof(b)), "Space");
	ck_assert_str_eq(keys_name('q', b, sizeof(b)), "q");
	ck_assert_str_eq(keys_name('\r', b, sizeof(b)), "Enter");
}
END_TEST

static struct ui_effect press(struct ui *u, int key)
{
	struct ui_effect e;

	memset(&e, 0, sizeof(e));
	ui_key(u, key, T(0), &e);
	return e;
}

static void type(struct ui *u, const char *s)
{
	for (; *s; s++)
		press(u, (unsigned char)*s);
}

/* Help: h, ? and F1 open it; any key closes it, q and Esc included. */
START_TEST(test_help_any_key)
{
	static const int open[] = { 'h', '?', KEY_F(1) };
	static const int close[] = { 'q', 27, 'x', ' ', KEY_DOWN, '\r', 'h' };
	struct ui u;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < sizeof(close) / sizeof(close[0]); j++) {
			struct ui_effect e = press(&u, open[i]);

			ck_assert_int_eq(u.mode, UI_HELP);
			e = press(&u, KEY_RESIZE);
			ck_assert_int_eq(u.mode, UI_HELP);
			e = press(&u, close[j]);
			ck_assert_int_eq(u.mode, UI_MAIN);
			ck_assert(!e.req.quit);
			ck_assert(!e.req.pause_toggle);
		}
}
END_TEST

/* q quits the monitor; Escape never quits, anywhere. */
START_TEST(test_quit_and_escape)
{
	struct ui u;
	struct ui_effect e;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	snprintf(u.filter, sizeof(u.filter), "3b");
	u.problems = true;
	e = press(&u, 27);
	ck_assert(!e.req.quit);
	ck_assert_str_eq(u.filter, "");
	ck_assert(!u.problems);
	u.nrows = 3;
	press(&u, '\r');
	ck_assert_int_eq(u.mode, UI_DETAILS);
	e = press(&u, 27);
	ck_assert(!e.req.quit);
	ck_assert_int_eq(u.mode, UI_MAIN);
	press(&u, '\n');
	e = press(&u, 'q');
	ck_assert(!e.req.quit);
	ck_assert_int_eq(u.mode, UI_MAIN);
	press(&u, 'd');
	e = press(&u, 27);
	ck_assert(!e.req.quit);
	ck_assert_int_eq(u.mode, UI_MAIN);
	e = press(&u, 'q');
	ck_assert(e.req.quit);
}
END_TEST

/* The delay is checked like -d: decimal seconds within the limits. */
START_TEST(test_delay_prompt)
{
	struct ui u;
	struct ui_effect e;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	press(&u, 'd');
	ck_assert_int_eq(u.mode, UI_PROMPT);
	type(&u, "0.5");
	e = press(&u, '\r');
	ck_assert_int_eq(u.mode, UI_MAIN);
	ck_assert_uint_eq(e.req.delay_ns, 500 * CLOCK_NS_PER_MS);
	ck_assert(!ui_msg(&u, T(1)));
	static const char *const bad[] = { "0.001", "abc", "1e9", "-1", "nan",
					   "2x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		press(&u, 's');
		type(&u, bad[i]);
		e = press(&u, KEY_ENTER);
		ck_assert_uint_eq(e.req.delay_ns, 0);
		ck_assert_int_eq(u.mode, UI_MAIN);
		ck_assert(ui_msg(&u, T(1)));
		ck_assert_ptr_nonnull(strstr(u.msg, "invalid delay"));
	}
	/* Escape cancels; editing keys work. */
	press(&u, 'd');
	type(&u, "12");
	press(&u, KEY_BACKSPACE);
	type(&u, "\x01");	/* ignored */
	ck_assert_str_eq(u.prompt.buf, "1");
	e = press(&u, 27);
	ck_assert_uint_eq(e.req.delay_ns, 0);
	ck_assert_int_eq(u.mode, UI_MAIN);
}
END_TEST

/* The filter applies while typing; Enter keeps it, Escape clears it. */
START_TEST(test_filter_prompt)
{
	struct ui u;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	press(&u, '/');
	type(&u, "3b:0");
	ck_assert_str_eq(u.filter, "3b:0");
	press(&u, '\r');
	ck_assert_str_eq(u.filter, "3b:0");
	press(&u, 'f');
	ck_assert_str_eq(u.prompt.buf, "3b:0");
	press(&u, 'U' & 0x1f);
	ck_assert_str_eq(u.filter, "");
	type(&u, "d8");
	press(&u, 27);
	ck_assert_str_eq(u.filter, "");
	ck_assert_int_eq(u.mode, UI_MAIN);
}
END_TEST

START_TEST(test_toggles)
{
	struct ui u;
	struct ui_effect e;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	e = press(&u, ' ');
	ck_assert(e.req.pause_toggle);
	e = press(&u, 'p');
	ck_assert(e.req.pause_toggle);
	e = press(&u, 'r');
	ck_assert(e.req.refresh);
	e = press(&u, 'L' & 0x1f);
	ck_assert(e.req.refresh && e.clear);
	e = press(&u, 'a');
	ck_assert(e.ack);
	e = press(&u, 'A');
	ck_assert(u.ascii);
	press(&u, 'A');
	ck_assert(!u.ascii);
	press(&u, 'e');
	ck_assert(u.problems);
	press(&u, '!');
	ck_assert(!u.problems);
	/* Sorting cycles through every key and back. */
	enum rows_sort s0 = u.sort;
	for (int i = 0; i < ROWS_SORT_NR; i++)
		press(&u, 'o');
	ck_assert_int_eq(u.sort, s0);
	press(&u, '>');
	press(&u, '<');
	ck_assert_int_eq(u.sort, s0);
	press(&u, 'I');
	ck_assert(u.invert);
	/* Colours cycle, but stay monochrome without colours. */
	ck_assert_int_eq(u.scheme, ROLE_SCHEME_DARK);
	e = press(&u, 'c');
	ck_assert(e.colors);
	ck_assert_int_eq(u.scheme, ROLE_SCHEME_LIGHT);
	ui_init(&u, false, false, ROLE_SCHEME_DARK);
	ck_assert_int_eq(u.scheme, ROLE_SCHEME_MONO);
	press(&u, 'c');
	ck_assert_int_eq(u.scheme, ROLE_SCHEME_MONO);
}
END_TEST

/* Selection moves and stays inside the rows and the page. */
START_TEST(test_selection)
{
	struct ui u;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	ui_fit(&u, 100, 10);
	press(&u, KEY_DOWN);
	press(&u, 'j');
	ck_assert_uint_eq(u.sel, 2);
	press(&u, KEY_NPAGE);
	ck_assert_uint_eq(u.sel, 12);
	ck_assert(u.sel >= u.top && u.sel < u.top + 10);
	press(&u, KEY_END);
	ck_assert_uint_eq(u.sel, 99);
	ck_assert_uint_eq(u.top, 90);
	press(&u, KEY_DOWN);
	ck_assert_uint_eq(u.sel, 99);
	press(&u, 'g');
	ck_assert_uint_eq(u.sel, 0);
	ck_assert_uint_eq(u.top, 0);
	press(&u, KEY_UP);
	ck_assert_uint_eq(u.sel, 0);
	press(&u, 'G');
	ui_fit(&u, 5, 10);
	ck_assert_uint_eq(u.sel, 4);
	ck_assert_uint_eq(u.top, 0);
	ui_fit(&u, 0, 10);
	ck_assert_uint_eq(u.sel, 0);
	/* No details without a row. */
	press(&u, '\r');
	ck_assert_int_eq(u.mode, UI_MAIN);
}
END_TEST

START_TEST(test_prompt_editing)
{
	struct prompt p;

	prompt_start(&p, "abc def");
	ck_assert_int_eq(prompt_key(&p, 'W' & 0x1f), PROMPT_EDIT);
	ck_assert_str_eq(p.buf, "abc ");
	ck_assert_int_eq(prompt_key(&p, 127), PROMPT_EDIT);
	ck_assert_str_eq(p.buf, "abc");
	prompt_key(&p, KEY_UP);
	prompt_key(&p, 0x80);
	ck_assert_str_eq(p.buf, "abc");
	for (int i = 0; i < 300; i++)
		prompt_key(&p, 'x');
	ck_assert_uint_eq(p.len, PROMPT_MAX - 1);
	ck_assert_int_eq(prompt_key(&p, '\n'), PROMPT_ACCEPT);
	ck_assert_int_eq(prompt_key(&p, 27), PROMPT_CANCEL);
}
END_TEST

/* htop's function keys: F10 quits anywhere, F3 and F4 filter, F5 and F6
 * sort. */
START_TEST(test_function_keys)
{
	struct ui u;
	struct ui_effect e;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	e = press(&u, KEY_F(6));
	ck_assert_int_eq(u.sort, ROWS_SORT_NAME + 1);
	press(&u, KEY_F(5));
	ck_assert_int_eq(u.sort, ROWS_SORT_NAME);
	press(&u, KEY_F(3));
	ck_assert_int_eq(u.mode, UI_PROMPT);
	ck_assert_int_eq(u.ask, UI_ASK_FILTER);
	press(&u, 27);
	press(&u, KEY_F(4));
	ck_assert_int_eq(u.ask, UI_ASK_FILTER);
	press(&u, 27);
	u.nrows = 2;
	press(&u, '\r');
	ck_assert_int_eq(u.mode, UI_DETAILS);
	e = press(&u, KEY_F(10));
	ck_assert(e.req.quit);
	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	e = press(&u, KEY_F(10));
	ck_assert(e.req.quit);
}
END_TEST

/* A message does not outlive what it says: Escape ends "problems only",
 * a valid delay ends "invalid delay". */
START_TEST(test_stale_messages)
{
	struct ui u;
	struct ui_effect e;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	press(&u, 'e');
	ck_assert(ui_msg(&u, T(1)));
	ck_assert_ptr_nonnull(strstr(u.msg, "problems only"));
	press(&u, 27);
	ck_assert(!u.problems);
	ck_assert(!ui_msg(&u, T(1)));
	press(&u, 'd');
	type(&u, "abc");
	press(&u, '\r');
	ck_assert_ptr_nonnull(strstr(u.msg, "invalid delay 'abc'"));
	ck_assert(ui_msg(&u, T(1)));
	press(&u, 'd');
	type(&u, "2");
	e = press(&u, '\r');
	ck_assert_uint_eq(e.req.delay_ns, 2 * CLOCK_NS_PER_S);
	ck_assert(!ui_msg(&u, T(1)));
}
END_TEST

/* Tab moves to the events: the arrows, the page keys, Home and End
 * scroll them, / searches them, v keeps verdicts, E in the details keeps
 * one pair, Escape drops all that. */
START_TEST(test_events_focus)
{
	struct ui u;
	struct ui_effect e;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	ui_fit(&u, 5, 3);
	ui_ev_fit(&u, 100, 10);
	press(&u, '\t');
	ck_assert_int_eq(u.focus, UI_FOCUS_EVENTS);
	press(&u, KEY_DOWN);
	press(&u, 'j');
	ck_assert_uint_eq(u.ev_top, 2);
	ck_assert_uint_eq(u.sel, 0);	/* the table stays */
	press(&u, KEY_UP);
	ck_assert_uint_eq(u.ev_top, 1);
	press(&u, KEY_NPAGE);
	ck_assert_uint_eq(u.ev_top, 10);
	press(&u, KEY_PPAGE);
	ck_assert_uint_eq(u.ev_top, 1);
	press(&u, KEY_END);
	ck_assert_uint_eq(u.ev_top, 90);	/* the oldest page */
	press(&u, KEY_DOWN);
	ck_assert_uint_eq(u.ev_top, 90);
	press(&u, KEY_HOME);
	ck_assert_uint_eq(u.ev_top, 0);
	press(&u, KEY_UP);
	ck_assert_uint_eq(u.ev_top, 0);
	/* / searches the events, applied while typing. */
	press(&u, KEY_END);
	press(&u, '/');
	ck_assert_int_eq(u.ask, UI_ASK_SEARCH);
	type(&u, "FAIL");
	ck_assert_str_eq(u.ev_search, "FAIL");
	ck_assert_uint_eq(u.ev_top, 0);
	ck_assert_str_eq(u.filter, "");
	press(&u, '\r');
	ck_assert_str_eq(u.ev_search, "FAIL");
	press(&u, KEY_F(3));
	ck_assert_int_eq(u.ask, UI_ASK_SEARCH);
	press(&u, 27);
	ck_assert_str_eq(u.ev_search, "");
	press(&u, 'v');
	ck_assert(u.ev_verdicts);
	ck_assert_ptr_nonnull(strstr(u.msg, "verdicts only"));
	/* Back to the table: the arrows select rows again. */
	press(&u, '\t');
	ck_assert_int_eq(u.focus, UI_FOCUS_TABLE);
	press(&u, KEY_DOWN);
	ck_assert_uint_eq(u.sel, 1);
	ck_assert_uint_eq(u.ev_top, 0);
	press(&u, '/');
	ck_assert_int_eq(u.ask, UI_ASK_FILTER);
	press(&u, 27);
	/* E in the details: the events of that pair, in focus. */
	press(&u, '\r');
	ck_assert_int_eq(u.mode, UI_DETAILS);
	e = press(&u, 'E');
	ck_assert(e.ev_pair);
	ck_assert_int_eq(u.mode, UI_MAIN);
	ck_assert_int_eq(u.focus, UI_FOCUS_EVENTS);
	ck_assert(u.ev_pair);
	ck_assert(u.ev_verdicts);
	press(&u, 27);
	ck_assert(!u.ev_pair);
	ck_assert(!u.ev_verdicts);
	e = press(&u, 'E');	/* not on the monitor */
	ck_assert(!e.ev_pair);
}
END_TEST

/* The mouse: a click selects, sorts (again: inverted), focuses; the
 * wheel scrolls what it is over; a click closes the help. */
START_TEST(test_mouse)
{
	struct layout_hit row2 = { LAYOUT_Z_ROW, 2, LAYOUT_C_OTHER };
	struct layout_hit row9 = { LAYOUT_Z_ROW, 9, LAYOUT_C_OTHER };
	struct layout_hit state = { LAYOUT_Z_HEAD, 0, LAYOUT_C_STATE };
	struct layout_hit other = { LAYOUT_Z_HEAD, 0, LAYOUT_C_OTHER };
	struct layout_hit ev = { LAYOUT_Z_EVENTS, 1, LAYOUT_C_OTHER };
	struct ui_effect e;
	struct ui u;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	ui_fit(&u, 5, 10);
	ui_ev_fit(&u, 50, 10);
	memset(&e, 0, sizeof(e));
	ui_mouse(&u, &row2, UI_B_CLICK, &e);
	ck_assert_uint_eq(u.sel, 2);
	ck_assert(e.req.redraw);
	ui_mouse(&u, &row9, UI_B_CLICK, &e);	/* below the last row */
	ck_assert_uint_eq(u.sel, 2);
	ui_mouse(&u, &state, UI_B_CLICK, &e);
	ck_assert_int_eq(u.sort, ROWS_SORT_STATE);
	ck_assert(!u.invert);
	ui_mouse(&u, &state, UI_B_CLICK, &e);
	ck_assert(u.invert);
	ui_mouse(&u, &other, UI_B_CLICK, &e);
	ck_assert_int_eq(u.sort, ROWS_SORT_STATE);
	ui_mouse(&u, &row2, UI_B_WHEEL_UP, &e);
	ck_assert_uint_eq(u.sel, 0);
	ui_mouse(&u, &row2, UI_B_WHEEL_DOWN, &e);
	ck_assert_uint_eq(u.sel, 3);
	ui_mouse(&u, &ev, UI_B_WHEEL_DOWN, &e);
	ck_assert_uint_eq(u.ev_top, UI_WHEEL_LINES);
	ck_assert_int_eq(u.focus, UI_FOCUS_TABLE);
	ui_mouse(&u, &ev, UI_B_CLICK, &e);
	ck_assert_int_eq(u.focus, UI_FOCUS_EVENTS);
	ui_mouse(&u, &row2, UI_B_CLICK, &e);
	ck_assert_int_eq(u.focus, UI_FOCUS_TABLE);
	press(&u, 'h');
	ck_assert_int_eq(u.mode, UI_HELP);
	row2.line = 0;
	ui_mouse(&u, &row2, UI_B_CLICK, &e);
	ck_assert_int_eq(u.mode, UI_MAIN);
	ck_assert_uint_eq(u.sel, 2);	/* closing the help selects nothing */
}
END_TEST

/* L lists the alerts; a or Enter acknowledges the selected one, A all;
 * q or Esc goes back; F10 quits. */
START_TEST(test_alert_keys)
{
	struct ui u;
	struct ui_effect e;

	ui_init(&u, false, true, ROLE_SCHEME_DARK);
	press(&u, 'L');
	ck_assert_int_eq(u.mode, UI_ALERTS);
	ui_al_fit(&u, 3, 10);
	e = press(&u, 'a');
	ck_assert(e.ack_one);
	ck_assert_uint_eq(e.ack_index, 0);
	press(&u, KEY_DOWN);
	press(&u, KEY_DOWN);
	press(&u, KEY_DOWN);
	ck_assert_uint_eq(u.al_sel, 2);
	e = press(&u, '\r');
	ck_assert(e.ack_one);
	ck_assert_uint_eq(e.ack_index, 2);
	ck_assert_int_eq(u.mode, UI_ALERTS);
	e = press(&u, 'A');
	ck_assert(e.ack);
	ck_assert(!u.ascii);		/* A is not ASCII here */
	press(&u, KEY_HOME);
	ck_assert_uint_eq(u.al_sel, 0);
	press(&u, 'q');
	ck_assert_int_eq(u.mode, UI_MAIN);
	press(&u, 'L');
	e = press(&u, 27);
	ck_assert(!e.req.quit);
	ck_assert_int_eq(u.mode, UI_MAIN);
	press(&u, 'L');
	ui_al_fit(&u, 0, 10);
	e = press(&u, 'a');		/* nothing to acknowledge */
	ck_assert(!e.ack_one);
	e = press(&u, KEY_F(10));
	ck_assert(e.req.quit);
}
END_TEST

TU_MAIN("tui_keys", test_every_key_maps, test_no_duplicates,
	test_help_lists_every_key, test_key_names, test_help_any_key,
	test_quit_and_escape, test_delay_prompt, test_filter_prompt,
	test_toggles, test_selection, test_prompt_editing, test_function_keys,
	test_stale_messages, test_events_focus, test_mouse,
	test_alert_keys)
