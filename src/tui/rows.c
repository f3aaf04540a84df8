// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rows.c - which rows the table shows and in what order.  A row is one
 * model pair: a source device and its destination device, or a device
 * alone.  Pure: reads the model, writes the row vector.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "rows.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cell.h"
#include "verdict.h"

const char *rows_sort_name(enum rows_sort s)
{
	static const char *const names[ROWS_SORT_NR] = {
		[ROWS_SORT_ORDER] = "order", [ROWS_SORT_NAME] = "name",
		[ROWS_SORT_STATE] = "state", [ROWS_SORT_TIME] = "time",
		[ROWS_SORT_VERDICT] = "verdict",
	};

	return (unsigned int)s < ROWS_SORT_NR ? names[s] : "?";
}

/*
 * A filter with * ? or [ is a shell pattern matched against the whole
 * name; otherwise a substring.  Both ignore case.
 */
bool rows_match(const char *filter, const char *name)
{
	size_t fl;

	if (!filter || !*filter)
		return true;
	if (strpbrk(filter, "*?["))
		return !fnmatch(filter, name, FNM_CASEFOLD);
	fl = strlen(filter);
	for (const char *p = name; *p; p++)
		if (!strncasecmp(p, filter, fl))
			return true;
	return false;
}

/* Where a state falls in a migration, for sorting by state. */
static int rows_state_rank(enum dstate v)
{
	static const int rank[DS_NR] = {
		[DS_RUNNING] = 0, [DS_PRE_COPY] = 1, [DS_PRE_COPY_P2P] = 2,
		[DS_RUNNING_P2P] = 3, [DS_STOP] = 4, [DS_STOP_COPY] = 5,
		[DS_RESUMING] = 6, [DS_ERROR] = 7, [DS_INVALID] = 8,
		[DS_EINVAL] = 9, [DS_EACCES] = 10, [DS_UNPARSABLE] = 11,
		[DS_ERRNO] = 12, [DS_GONE] = 13, [DS_NOMIG] = 14,
		[DS_UNKNOWN] = 15,
	};

	return (unsigned int)v < DS_NR ? rank[v] : 16;
}

/* Where the verdict sorts: problems first, then what is under way. */
static int rows_phase_rank(const struct model *m, const struct model_pair *p,
			   const int dev[2])
{
	struct verdict v;

	if (dev[0] < 0 || dev[1] < 0)
		return 7;
	verdict_of(m, p, m->now_ns, &v);
	switch (v.kind) {
	case VERDICT_FAILED:
		return 0;
	case VERDICT_UNCERTAIN:
		return 1;
	case VERDICT_OPEN:
		return v.a->phase == ATT_PH_STOP_COPY ? 2 :
		       v.a->phase == ATT_PH_RESUMING ? 3 : 4;
	case VERDICT_COMPLETED:
		return v.stranded ? 0 : 5;
	default:
		return v.stranded ? 0 : 6;
	}
}

static unsigned int rows_alert(const struct rows_cfg *c, int dev)
{
	return dev >= 0 && c->alerts && (size_t)dev < c->nalerts ?
	       c->alerts[dev] : 0;
}

static bool rows_problem(const struct model *m, const struct rows_cfg *c,
			 const struct model_pair *p, const int dev[2])
{
	if (dev[0] >= 0 && dev[1] >= 0) {
		struct verdict v;

		verdict_of(m, p, m->now_ns, &v);
		if (v.problem)
			return true;
	}
	for (int s = 0; s < PAIR_NSIDES; s++) {
		const struct model_dev *d;

		if (dev[s] < 0)
			continue;
		d = m->devs[dev[s]];
		if (rows_alert(c, dev[s]) || d->val == DS_ERROR ||
		    d->val == DS_INVALID || dstate_is_failure(d->val) ||
		    d->busy_ns || !d->present)
			return true;
	}
	return false;
}

static bool rows_wanted(const struct model *m, const struct rows_cfg *c,
			const struct model_pair *p, const int dev[2])
{
	bool hit = false;

	if (dev[0] < 0 && dev[1] < 0 && !p->want[0][0] && !p->want[1][0])
		return false;
	if (c->problems && !rows_problem(m, c, p, dev))
		return false;
	if (!c->filter || !*c->filter)
		return true;
	for (int s = 0; s < PAIR_NSIDES && !hit; s++)
		hit = rows_match(c->filter, dev[s] >= 0 ? m->devs[dev[s]]->name :
				 p->want[s]);
	return hit;
}

static long long rows_key(const struct model *m, const struct rows_cfg *c,
			  const struct model_pair *p, const int dev[2])
{
	long long k = 0;

	switch (c->sort) {
	case ROWS_SORT_STATE:
		for (int s = 0; s < PAIR_NSIDES; s++)
			k = k * 32 + (dev[s] >= 0 ?
				      rows_state_rank(m->devs[dev[s]]->val) : 31);
		return k;
	case ROWS_SORT_TIME:
		k = LLONG_MAX;
		for (int s = 0; s < PAIR_NSIDES; s++) {
			const struct model_dev *d;

			if (dev[s] < 0)
				continue;
			d = m->devs[dev[s]];
			if (c->now_ns > d->since_ns &&
			    (long long)(c->now_ns - d->since_ns) < k)
				k = (long long)(c->now_ns - d->since_ns);
			else if (c->now_ns <= d->since_ns)
				k = 0;
		}
		return k;
	case ROWS_SORT_VERDICT:
		return rows_phase_rank(m, p, dev);
	default:
		return 0;
	}
}

static int rows_cmp(const void *a, const void *b)
{
	const struct rows_row *x = a, *y = b;
	int r;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	r = x->rank == UINT32_MAX ? strcmp(x->name, y->name) : 0;
	if (r)
		return r;
	return (x->pair > y->pair) - (x->pair < y->pair);
}

static int rows_cmp_order(const void *a, const void *b)
{
	const struct rows_row *x = a, *y = b;

	return (x->pair > y->pair) - (x->pair < y->pair);
}

/* Rebuild @out from the model's pairs.  Returns 0 or -ENOMEM. */
int rows_build(const struct model *m, const struct rows_cfg *c,
	       struct rows_vec *out)
{
	out->n = 0;
	if (out->cap < m->npairs) {
		struct rows_row *nv = realloc(out->v, m->npairs * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		out->v = nv;
		out->cap = m->npairs;
	}
	for (size_t k = 0; k < m->npairs; k++) {
		const struct model_pair *p = &m->pairs[k];
		struct rows_row *r = &out->v[out->n];

		for (int s = 0; s < PAIR_NSIDES; s++) {
			int i = p->dev[s];

			r->dev[s] = i >= 0 && (size_t)i < m->ndevs &&
				    model_dev_listed(m->devs[i], c->tomb_ns, c->now_ns) ?
				    i : -1;
			r->serial[s] = r->dev[s] >= 0 ? m->devs[i]->serial : 0;
		}
		if (!rows_wanted(m, c, p, r->dev))
			continue;
		r->pair = (int)k;
		r->name = r->dev[0] >= 0 ? m->devs[r->dev[0]]->name :
			  r->dev[1] >= 0 ? m->devs[r->dev[1]]->name :
			  p->want[0][0] ? p->want[0] : p->want[1];
		r->key = rows_key(m, c, p, r->dev);
		r->rank = UINT32_MAX;
		for (int s = 0; s < PAIR_NSIDES && r->rank == UINT32_MAX; s++)
			if (r->dev[s] >= 0 && c->rank && (size_t)r->dev[s] < c->nrank)
				r->rank = c->rank[r->dev[s]];
		out->n++;
	}
	if (out->n > 1)		/* out->v is NULL while no row was ever built */
		qsort(out->v, out->n, sizeof(*out->v),
		      c->sort == ROWS_SORT_ORDER ? rows_cmp_order : rows_cmp);
	if (c->invert)
		for (size_t i = 0; i < out->n / 2; i++) {
			struct rows_row t = out->v[i];

			out->v[i] = out->v[out->n - 1 - i];
			out->v[out->n - 1 - i] = t;
		}
	return 0;
}

/* Index of the row holding @dev (else one of them: pairs change), or -1. */
long rows_find(const struct rows_vec *r, const int dev[PAIR_NSIDES])
{
	if (dev[0] < 0 && dev[1] < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].dev[0] == dev[0] && r->v[i].dev[1] == dev[1])
			return (long)i;
	for (size_t i = 0; i < r->n; i++)
		for (int s = 0; s < PAIR_NSIDES; s++)
			if (dev[s] >= 0 && r->v[i].dev[s] == dev[s])
				return (long)i;
	return -1;
}

static int rows_cmp_dev(const void *a, const void *b, void *arg)
{
	const struct model *m = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int r = strcmp(m->devs[x]->name, m->devs[y]->name);

	return r ? r : (x > y) - (x < y);
}

/*
 * Rank every device of @m by name, so that sorting rows by name compares
 * numbers: only needed again when devices are added.  *@rank is resized
 * to m->ndevs.  Returns 0 or -ENOMEM.
 */
int rows_rank(const struct model *m, uint32_t **rank, size_t *nrank)
{
	int *idx = malloc((m->ndevs + 1) * sizeof(*idx));
	uint32_t *nr = realloc(*rank, (m->ndevs + 1) * sizeof(*nr));

	if (!idx || !nr) {
		free(idx);
		if (nr)
			*rank = nr;
		return -ENOMEM;
	}
	*rank = nr;
	for (size_t i = 0; i < m->ndevs; i++)
		idx[i] = (int)i;
	qsort_r(idx, m->ndevs, sizeof(*idx), rows_cmp_dev, (void *)m);
	for (size_t i = 0; i < m->ndevs; i++)
		nr[idx[i]] = (uint32_t)i;
	*nrank = m->ndevs;
	free(idx);
	return 0;
}

void rows_free(struct rows_vec *r)
{
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}
