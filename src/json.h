/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A streaming JSON writer into a growable buffer. Every string is treated
 * as hostile bytes: control characters, quotes and backslashes are
 * escaped, and bytes that are not valid UTF-8 are written as the six
 * characters "\\xNN" (a literal backslash, 'x', two hex digits), so the
 * output is always valid JSON and no byte is silently lost.
 */
#ifndef PG_JSON_H
#define PG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. */
struct pg_buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed; /* an allocation failed; contents are incomplete */
};

void pg_buf_init(struct pg_buf *b);
void pg_buf_free(struct pg_buf *b);
void pg_buf_reset(struct pg_buf *b);
void pg_buf_put(struct pg_buf *b, const void *p, size_t n);
void pg_buf_putc(struct pg_buf *b, char c);
void pg_buf_puts(struct pg_buf *b, const char *s);
void pg_buf_printf(struct pg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Append @s[0..n) escaped. @json selects JSON escaping (inside quotes);
 * otherwise terminal escaping for the compact view, where control bytes
 * and invalid UTF-8 also become \xNN so nothing can drive the terminal.
 */
void pg_escape(struct pg_buf *b, const char *s, size_t n, bool json);

struct pg_json;

struct pg_json *pg_json__new(struct pg_buf *out);
void pg_json__free(struct pg_json *w);
void pg_json__reset(struct pg_json *w);
void pg_json__begin_object(struct pg_json *w);
void pg_json__end_object(struct pg_json *w);
void pg_json__begin_array(struct pg_json *w);
void pg_json__end_array(struct pg_json *w);
void pg_json__key(struct pg_json *w, const char *key);
void pg_json__string(struct pg_json *w, const char *s);
void pg_json__string_n(struct pg_json *w, const char *s, size_t n);
void pg_json__uint(struct pg_json *w, uint64_t v);
void pg_json__int(struct pg_json *w, int64_t v);
void pg_json__bool(struct pg_json *w, bool v);
/* A value already rendered as JSON by this writer (trusted, not escaped). */
void pg_json__raw(struct pg_json *w, const char *json, size_t n);

/* key + value shorthands */
void pg_json__kv_string(struct pg_json *w, const char *key, const char *s);
void pg_json__kv_uint(struct pg_json *w, const char *key, uint64_t v);
void pg_json__kv_int(struct pg_json *w, const char *key, int64_t v);
void pg_json__kv_bool(struct pg_json *w, const char *key, bool v);

#endif
