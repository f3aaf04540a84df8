/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strmap.h - a hash map from byte strings to non-negative ints */
#ifndef VFIOMIGTOP_STRMAP_H
#define VFIOMIGTOP_STRMAP_H

#include <stddef.h>

/* Keys are copied; values are ints >= 0. */
struct strmap_ent {
	char *key;		/* owned copy of the key, NULL when free, (char *)1 when deleted */
	size_t len;		/* key length in bytes */
	unsigned int hash;	/* hash of the key */
	int val;		/* value */
};

struct strmap {
	struct strmap_ent *e;	/* table */
	size_t cap;		/* table size, a power of two (0 before first insert) */
	size_t used;		/* live keys */
	size_t tomb;		/* deleted markers */
};

void strmap_init(struct strmap *m);
int strmap_get(const struct strmap *m, const char *key, size_t len);
int strmap_put(struct strmap *m, const char *key, size_t len, int val);
int strmap_del(struct strmap *m, const char *key, size_t len);
void strmap_free(struct strmap *m);

#endif
