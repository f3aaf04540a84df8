// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pair.c - pairing source and destination devices: an explicit --pair,
 * else identical names (the usual case across hosts), else none: never by
 * order of appearance, which pairs unrelated devices.  Pure.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "pair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

const char *pair_side_name(enum pair_side s)
{
	return s == PAIR_DST ? "dst" : "src";
}

static void pair_push(struct pair_match *out, size_t max, size_t *n, int s,
		      int d, int spec)
{
	if (*n < max) {
		out[*n].idx[PAIR_SRC] = s;
		out[*n].idx[PAIR_DST] = d;
		out[*n].spec = spec;
	}
	(*n)++;
}

static int pair_find(const char *const *names, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], want))
			return (int)i;
	return -1;
}

/*
 * Pair devices: first the explicit @specs, then identical names (not when
 * both sides are one @shared tree).  Leftovers are listed alone, in the
 * order of @names.  Writes at most @max pairs to @out and returns how many
 * there are.
 */
size_t pair_match_names(const char *const *names[PAIR_NSIDES],
			const size_t n[PAIR_NSIDES],
			const struct pair_spec *specs, size_t nspecs,
			bool shared, struct pair_match *out, size_t max)
{
	bool *used[PAIR_NSIDES];
	struct strmap dmap;
	size_t np = 0, si, di;

	used[PAIR_SRC] = calloc(n[PAIR_SRC] + 1, sizeof(bool));
	used[PAIR_DST] = calloc(n[PAIR_DST] + 1, sizeof(bool));
	if (!used[PAIR_SRC] || !used[PAIR_DST]) {
		free(used[PAIR_SRC]);
		free(used[PAIR_DST]);
		return 0;
	}
	for (size_t k = 0; k < nspecs; k++) {
		int s = pair_find(names[PAIR_SRC], n[PAIR_SRC], specs[k].src);
		int d = pair_find(names[PAIR_DST], n[PAIR_DST], specs[k].dst);

		if (s >= 0 && used[PAIR_SRC][s])
			s = -1;
		if (d >= 0 && used[PAIR_DST][d])
			d = -1;
		if (s >= 0)
			used[PAIR_SRC][s] = true;
		if (d >= 0)
			used[PAIR_DST][d] = true;
		pair_push(out, max, &np, s, d, (int)k);
	}
	if (!shared) {
		strmap_init(&dmap);
		for (di = 0; di < n[PAIR_DST]; di++)
			if (!used[PAIR_DST][di] &&
			    strmap_get(&dmap, names[PAIR_DST][di],
				       strlen(names[PAIR_DST][di])) < 0)
				strmap_put(&dmap, names[PAIR_DST][di],
					   strlen(names[PAIR_DST][di]), (int)di);
		for (si = 0; si < n[PAIR_SRC]; si++) {
			int d;

			if (used[PAIR_SRC][si])
				continue;
			d = strmap_get(&dmap, names[PAIR_SRC][si],
				       strlen(names[PAIR_SRC][si]));
			if (d < 0 || used[PAIR_DST][d])
				continue;
			used[PAIR_SRC][si] = used[PAIR_DST][d] = true;
			pair_push(out, max, &np, (int)si, d, -1);
		}
		strmap_free(&dmap);
	}
	for (si = 0; si < n[PAIR_SRC]; si++)
		if (!used[PAIR_SRC][si])
			pair_push(out, max, &np, (int)si, -1, -1);
	for (di = 0; di < n[PAIR_DST]; di++)
		if (!used[PAIR_DST][di])
			pair_push(out, max, &np, -1, (int)di, -1);
	free(used[PAIR_SRC]);
	free(used[PAIR_DST]);
	return np;
}

