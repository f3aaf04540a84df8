/* SPDX-License-Identifier: GPL-2.0-or-later */
/* obuf.h - a growable output buffer with safe escaping for text and JSON */
#ifndef VFIOMIGTOP_OBUF_H
#define VFIOMIGTOP_OBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct obuf {
	char *p;		/* bytes, not NUL-terminated unless obuf_cstr() */
	size_t len;		/* bytes used */
	size_t cap;		/* bytes allocated */
	bool oom;		/* an allocation failed: content is truncated */
};

void obuf_init(struct obuf *b);
void obuf_reset(struct obuf *b);
void obuf_free(struct obuf *b);
void obuf_put(struct obuf *b, const char *s, size_t n);
void obuf_puts(struct obuf *b, const char *s);
void obuf_putc(struct obuf *b, char c);
void obuf_printf(struct obuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void obuf_u64(struct obuf *b, uint64_t v);
void obuf_i64(struct obuf *b, int64_t v);
void obuf_ms3(struct obuf *b, uint64_t ns);
void obuf_esc_text(struct obuf *b, const char *s, size_t n);
void obuf_esc_line(struct obuf *b, const char *s, size_t n);
void obuf_esc_json(struct obuf *b, const char *s, size_t n);
void obuf_json_str(struct obuf *b, const char *s);
void obuf_json_key(struct obuf *b, const char *key);
void obuf_json_kstr(struct obuf *b, const char *key, const char *s);
const char *obuf_cstr(struct obuf *b);
int obuf_write(struct obuf *b, FILE *f);

#endif
