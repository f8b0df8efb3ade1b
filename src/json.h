/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A streaming JSON writer into a growable buffer. Every string is treated
 * as hostile bytes: control characters, quotes and backslashes are
 * escaped, and bytes that are not valid UTF-8 are written as the six
 * characters "\\xNN" (a literal backslash, 'x', two hex digits), so the
 * output is always valid JSON and no byte is silently lost.
 *
 * Every event line goes through here, so the common cases are cheap:
 * appends that fit are inlined, runs of plain ASCII are copied in one
 * memcpy, numbers are formatted without printf, and keys known at compile
 * time can be written pre-quoted (PG_JSON_KEY and the PG_JSON_KV_* macros).
 */
#ifndef PG_JSON_H
#define PG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A growable byte buffer. The contents are always NUL-terminated (the NUL
 * is not counted in @len), and once @data is allocated, len < cap.
 */
struct pg_buf {
	char *data;
	size_t len;
	size_t cap;
	/*
	 * An allocation failed: the contents are incomplete, and every append
	 * is ignored until pg_buf_reset().
	 */
	bool failed;
};

void pg_buf_init(struct pg_buf *b);
void pg_buf_free(struct pg_buf *b);
void pg_buf_reset(struct pg_buf *b);
void pg_buf_printf(struct pg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The decimal digits of @v, as printf's %PRIu64 / %PRId64 would write them. */
void pg_buf_put_u64(struct pg_buf *b, uint64_t v);
void pg_buf_put_i64(struct pg_buf *b, int64_t v);

/*
 * The slow paths of pg_buf_put() and pg_buf_putc(): grow the buffer, or
 * note the failure. Not for direct use.
 */
void pg_buf_put_slow(struct pg_buf *b, const void *p, size_t n);
void pg_buf_putc_slow(struct pg_buf *b, char c);

/*
 * Appends are inlined: they run several times per field of every event.
 * "n < cap - len" leaves room for the NUL, and is false while nothing is
 * allocated (cap == len == 0), so the first append takes the slow path.
 */
static inline void pg_buf_put(struct pg_buf *b, const void *p, size_t n)
{
	if (__builtin_expect(n < b->cap - b->len && !b->failed, 1)) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = 0;
		return;
	}
	pg_buf_put_slow(b, p, n);
}

static inline void pg_buf_putc(struct pg_buf *b, char c)
{
	if (__builtin_expect(b->cap - b->len >= 2 && !b->failed, 1)) {
		b->data[b->len++] = c;
		b->data[b->len] = 0;
		return;
	}
	pg_buf_putc_slow(b, c);
}

static inline void pg_buf_puts(struct pg_buf *b, const char *s)
{
	pg_buf_put(b, s, strlen(s));
}

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
/* @v as a JSON string, "12345": protojson's form for 64-bit integers. */
void pg_json__uint_str(struct pg_json *w, uint64_t v);
void pg_json__int(struct pg_json *w, int64_t v);
void pg_json__bool(struct pg_json *w, bool v);
/* A value already rendered as JSON by this writer (trusted, not escaped). */
void pg_json__raw(struct pg_json *w, const char *json, size_t n);

/* key + value shorthands */
void pg_json__kv_string(struct pg_json *w, const char *key, const char *s);
void pg_json__kv_string_n(struct pg_json *w, const char *key, const char *s, size_t n);
void pg_json__kv_uint(struct pg_json *w, const char *key, uint64_t v);
void pg_json__kv_uint_str(struct pg_json *w, const char *key, uint64_t v);
void pg_json__kv_int(struct pg_json *w, const char *key, int64_t v);
void pg_json__kv_bool(struct pg_json *w, const char *key, bool v);
/* A system call's outcome: "result": N, or "error": "ENAME", "errno": N for -4095..-1. */
void pg_json__kv_result(struct pg_json *w, int32_t result);

/*
 * Keys known at compile time, written pre-quoted: no strlen(), no escaping.
 *
 *	PG_JSON_KEY(w, "ns");
 *	PG_JSON_KV_UINT(w, "pid", p->key.pid);
 *
 * @key must be a string literal (anything else does not compile) made of
 * characters JSON needs no escape for: printable ASCII other than '"' and
 * '\'. Identifiers are; nothing checks it at run time. The output is the
 * same as that of pg_json__key() and the pg_json__kv_*() functions.
 *
 * The pg_json__kvq_*() functions behind them take the key as '"key":'
 * and its length; use the macros, not these.
 */
#define PG_JSON__QKEY(key) ("\"" key "\":"), (sizeof("\"" key "\":") - 1)

#define PG_JSON_KEY(w, key) pg_json__key_quoted((w), PG_JSON__QKEY(key))
#define PG_JSON_KV_STRING(w, key, s) pg_json__kvq_string((w), PG_JSON__QKEY(key), (s))
#define PG_JSON_KV_STRING_N(w, key, s, n) pg_json__kvq_string_n((w), PG_JSON__QKEY(key), (s), (n))
#define PG_JSON_KV_UINT(w, key, v) pg_json__kvq_uint((w), PG_JSON__QKEY(key), (v))
#define PG_JSON_KV_UINT_STR(w, key, v) pg_json__kvq_uint_str((w), PG_JSON__QKEY(key), (v))
#define PG_JSON_KV_INT(w, key, v) pg_json__kvq_int((w), PG_JSON__QKEY(key), (v))
#define PG_JSON_KV_BOOL(w, key, v) pg_json__kvq_bool((w), PG_JSON__QKEY(key), (v))

void pg_json__key_quoted(struct pg_json *w, const char *qkey, size_t qlen);
void pg_json__kvq_string(struct pg_json *w, const char *qkey, size_t qlen, const char *s);
void pg_json__kvq_string_n(struct pg_json *w, const char *qkey, size_t qlen, const char *s,
			   size_t n);
void pg_json__kvq_uint(struct pg_json *w, const char *qkey, size_t qlen, uint64_t v);
void pg_json__kvq_uint_str(struct pg_json *w, const char *qkey, size_t qlen, uint64_t v);
void pg_json__kvq_int(struct pg_json *w, const char *qkey, size_t qlen, int64_t v);
void pg_json__kvq_bool(struct pg_json *w, const char *qkey, size_t qlen, bool v);

#endif
