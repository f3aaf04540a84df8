// SPDX-License-Identifier: GPL-2.0-or-later
/* strmap.c - open-addressing hash map for device names */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STRMAP_DELETED ((char *)1)

static unsigned int strmap_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

static struct strmap_ent *strmap_find(const struct strmap *m, const char *key,
				      size_t len, unsigned int h)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = h & (m->cap - 1); m->e[i].key; i = (i + 1) & (m->cap - 1)) {
		struct strmap_ent *e = &m->e[i];

		if (e->key != STRMAP_DELETED && e->hash == h && e->len == len &&
		    !memcmp(e->key, key, len))
			return e;
	}
	return NULL;
}

/* Value for @key, or -1. */
int strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_ent *e = strmap_find(m, key, len, strmap_hash(key, len));

	return e ? e->val : -1;
}

static int strmap_rehash(struct strmap *m, size_t cap)
{
	struct strmap_ent *old = m->e;
	size_t oldcap = m->cap;

	m->e = calloc(cap, sizeof(*m->e));
	if (!m->e) {
		m->e = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->tomb = 0;
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].key || old[i].key == STRMAP_DELETED)
			continue;
		for (j = old[i].hash & (cap - 1); m->e[j].key;
		     j = (j + 1) & (cap - 1))
			;
		m->e[j] = old[i];
	}
	free(old);
	return 0;
}

/* Insert or replace.  Returns 0 or -ENOMEM. */
int strmap_put(struct strmap *m, const char *key, size_t len, int val)
{
	unsigned int h = strmap_hash(key, len);
	struct strmap_ent *e = strmap_find(m, key, len, h);
	size_t i;

	if (e) {
		e->val = val;
		return 0;
	}
	if ((m->used + m->tomb + 1) * 4 > m->cap * 3 &&
	    strmap_rehash(m, m->cap ? (m->used * 4 > m->cap ? m->cap * 2 : m->cap) : 16))
		return -ENOMEM;
	for (i = h & (m->cap - 1);
	     m->e[i].key && m->e[i].key != STRMAP_DELETED;
	     i = (i + 1) & (m->cap - 1))
		;
	if (m->e[i].key == STRMAP_DELETED)
		m->tomb--;
	m->e[i].key = malloc(len + 1);
	if (!m->e[i].key) {
		m->e[i].key = NULL;
		return -ENOMEM;
	}
	memcpy(m->e[i].key, key, len);
	m->e[i].key[len] = 0;
	m->e[i].len = len;
	m->e[i].hash = h;
	m->e[i].val = val;
	m->used++;
	return 0;
}

/* Remove @key.  Returns its value, or -1 when absent. */
int strmap_del(struct strmap *m, const char *key, size_t len)
{
	struct strmap_ent *e = strmap_find(m, key, len, strmap_hash(key, len));
	int v;

	if (!e)
		return -1;
	v = e->val;
	free(e->key);
	e->key = STRMAP_DELETED;
	m->used--;
	m->tomb++;
	return v;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key && m->e[i].key != STRMAP_DELETED)
			free(m->e[i].key);
	free(m->e);
	strmap_init(m);
}
