// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

#define PG_JSON_DEPTH 32

struct pg_json {
	struct pg_buf *out;
	int depth;
	/* per nesting level: does the next value need a comma first? */
	bool need_comma[PG_JSON_DEPTH];
	bool after_key;
};

/* The longest int64_t, -9223372036854775808 (PG_U64_DIGITS is in util.h). */
#define PG_I64_CHARS 20

void pg_buf_init(struct pg_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void pg_buf_free(struct pg_buf *b)
{
	if (!b)
		return;
	free(b->data);
	pg_buf_init(b);
}

void pg_buf_reset(struct pg_buf *b)
{
	b->len = 0;
	b->failed = false;
}

static bool pg_buf_reserve(struct pg_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return false;
	if (n > SIZE_MAX / 2 - b->len)
		goto fail;
	want = b->len + n + 1;
	if (want <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		goto fail;
	b->data = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

/*
 * Room for @n bytes and the NUL at the end of @b, or NULL once an
 * allocation has failed. The caller writes at most @n bytes there and
 * commits them with pg_buf_commit().
 */
static inline char *pg_buf_room(struct pg_buf *b, size_t n)
{
	if (__builtin_expect(n < b->cap - b->len && !b->failed, 1))
		return b->data + b->len;
	return pg_buf_reserve(b, n) ? b->data + b->len : NULL;
}

static inline void pg_buf_commit(struct pg_buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = 0;
}

/*
 * Copy @n bytes where n is usually small and not known at compile time
 * (keys, UTF-8 sequences): a call to memcpy() would cost more than the
 * copy. Two overlapping fixed-size moves cover every length up to 32.
 */
static inline void pg_copy_short(char *d, const void *src, size_t n)
{
	const char *s = src;

	if (n > 32) {
		memcpy(d, s, n);
	} else if (n >= 16) {
		memcpy(d, s, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

void pg_buf_put_slow(struct pg_buf *b, const void *p, size_t n)
{
	if (!pg_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	pg_buf_commit(b, n);
}

void pg_buf_putc_slow(struct pg_buf *b, char c)
{
	pg_buf_put_slow(b, &c, 1);
}

void pg_buf_printf(struct pg_buf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		pg_buf_put(b, tmp, n);
		return;
	}
	if (!pg_buf_reserve(b, n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

static size_t pg_i64_fmt(char *dst, int64_t v)
{
	/* through uint64_t: -INT64_MIN does not fit an int64_t */
	if (v < 0) {
		*dst = '-';
		return 1 + pg_fmt_u64(dst + 1, -(uint64_t)v);
	}
	return pg_fmt_u64(dst, (uint64_t)v);
}

void pg_buf_put_u64(struct pg_buf *b, uint64_t v)
{
	char *p = pg_buf_room(b, PG_U64_DIGITS);

	if (p)
		pg_buf_commit(b, pg_fmt_u64(p, v));
}

void pg_buf_put_i64(struct pg_buf *b, int64_t v)
{
	char *p = pg_buf_room(b, PG_I64_CHARS);

	if (p)
		pg_buf_commit(b, pg_i64_fmt(p, v));
}

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Bytes that pass through unchanged on their own: printable ASCII, less '"'
 * and '\' in JSON. Everything else (controls, DEL, bytes >= 0x80) goes
 * through the careful path, which also keeps valid UTF-8 sequences as they
 * are, so the table only decides how fast a byte is handled, never how.
 */
#define PG_PLAIN_JSON 1
#define PG_PLAIN_TERM 2
#define PG_PLAIN_BOTH (PG_PLAIN_JSON | PG_PLAIN_TERM)

static const unsigned char pg_plain[256] = {
	[0x20 ... 0x21] = PG_PLAIN_BOTH, ['"'] = PG_PLAIN_TERM,
	[0x23 ... 0x5b] = PG_PLAIN_BOTH, ['\\'] = PG_PLAIN_TERM,
	[0x5d ... 0x7e] = PG_PLAIN_BOTH,
};

#define PG_ONES 0x0101010101010101ULL
#define PG_HIGHS 0x8080808080808080ULL

/*
 * The bytes of the word at @p that need the careful path, as the high bit
 * of each: bytes below 0x20, 0x7f and up, and in JSON '"' and '\'.
 *
 * Each term is one of the classic "has a byte less than / equal to" bit
 * tricks, whose borrows and carries can flag bytes *after* the first one
 * that matches, never before it: a borrow or carry only starts at a byte
 * that matches (below 0x20, '"', '\', 0xff). So the lowest flag is exact,
 * the first byte that is not plain, which is all the callers use. (The
 * usual "& ~x" of those tricks only clears flags of bytes >= 0x80, which
 * the "| x" term flags anyway.)
 */
static inline uint64_t pg_word_special(const unsigned char *p, bool json)
{
	uint64_t x, t;

	memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x); /* the first byte in the lowest bits */
#endif
	t = (x - PG_ONES * 0x20) | x | (x + PG_ONES);
	if (json)
		t |= ((x ^ (PG_ONES * '"')) - PG_ONES) | ((x ^ (PG_ONES * '\\')) - PG_ONES);
	return t & PG_HIGHS;
}

/*
 * Copy plain bytes from @s[i..n) to @d[i - start ..), where @d has room for
 * all of s[start..n), and return the index of the first byte that is not
 * plain (or @n). Whole words are copied even when only part of one is
 * plain: the room is there, and what lies past the committed length is
 * overwritten or ignored.
 */
static inline size_t pg_copy_plain(const unsigned char *s, size_t i, size_t n, char *d,
				   size_t start, bool json)
{
	const unsigned char mask = json ? PG_PLAIN_JSON : PG_PLAIN_TERM;
	uint64_t t;

	while (n - i >= 8) {
		memcpy(d + (i - start), s + i, 8);
		t = pg_word_special(s + i, json);
		if (t)
			return i + __builtin_ctzll(t) / 8;
		i += 8;
	}
	if (i < n && n - start >= 8) {
		/*
		 * The last word of the run, overlapping what was copied: every
		 * byte of it before @i belongs to this run, so it is plain or
		 * part of a valid UTF-8 sequence, and starts no borrow or carry
		 * that could flag a byte falsely. Its flags are dropped.
		 */
		size_t at = n - 8;

		t = pg_word_special(s + at, json) & (~0ULL << (8 * (i - at)));
		memcpy(d + (at - start), s + at, 8);
		return t ? at + __builtin_ctzll(t) / 8 : n;
	}
	while (i < n && (pg_plain[s[i]] & mask)) {
		d[i - start] = (char)s[i];
		i++;
	}
	return i;
}

/*
 * Write the careful form of the byte @c, which is not plain, at @d (room
 * for 6 bytes); returns its length.
 */
static inline size_t pg_escape_byte(char *d, unsigned char c, bool invalid, bool json)
{
	static const char hex[] = "0123456789abcdef";
	size_t elen = 0;

	if (invalid) {
		/* invalid UTF-8: \xNN, with the backslash escaped for JSON */
		if (json)
			d[elen++] = '\\';
		d[elen++] = '\\';
		d[elen++] = 'x';
		d[elen++] = hex[c >> 4];
		d[elen++] = hex[c & 15];
	} else if (json) {
		d[elen++] = '\\';
		switch (c) {
		case '"': d[elen++] = '"'; break;
		case '\\': d[elen++] = '\\'; break;
		case '\n': d[elen++] = 'n'; break;
		case '\t': d[elen++] = 't'; break;
		case '\r': d[elen++] = 'r'; break;
		default:
			memcpy(d + elen, "u00", 3);
			elen += 3;
			d[elen++] = hex[c >> 4];
			d[elen++] = hex[c & 15];
		}
	} else if (c == '"' || c == '\\') {
		d[elen++] = (char)c; /* harmless on a terminal */
	} else {
		d[elen++] = '\\';
		d[elen++] = 'x';
		d[elen++] = hex[c >> 4];
		d[elen++] = hex[c & 15];
	}
	return elen;
}

/*
 * Each round reserves room for the rest of the input as it is (escaping
 * only ever makes it longer, so this never allocates more than the result
 * needs), copies the plain run and any valid UTF-8 into it, commits the
 * run, and escapes the byte that ended it. With @quote, the closing quote
 * of a JSON string goes into the room of the last round.
 *
 * Always inlined with constant @json and @quote, so each caller gets a
 * loop without those tests in it.
 */
static inline __attribute__((always_inline)) void
pg_escape_core(struct pg_buf *b, const unsigned char *s, size_t n, bool json, bool quote)
{
	size_t i = 0;

	/* do-while: even an empty string leaves an allocated buffer */
	do {
		size_t start = i, len = 0;
		char *d = pg_buf_room(b, n - i + quote);
		unsigned char c = 0;

		if (!d)
			return;
		for (;;) {
			i = pg_copy_plain(s, i, n, d, start, json);
			if (i >= n)
				break;
			c = s[i];
			if (c < 0x80) {
				len = 1;
				break;
			}
			len = utf8_seq_len(s + i, n - i);
			/*
			 * C1 controls (U+0080-U+009F) are valid UTF-8, but
			 * terminals act on them (U+009B starts an escape
			 * sequence): escape them on the compact view; JSON may
			 * carry them as they are.
			 */
			if (len < 2 || (len == 2 && c == 0xc2 && s[i + 1] < 0xa0 && !json))
				break;
			/* valid multi-byte UTF-8 stays in the run */
			pg_copy_short(d + (i - start), s + i, len);
			i += len;
		}
		if (i >= n) {
			if (quote)
				d[i++ - start] = '"';
			pg_buf_commit(b, i - start);
			return;
		}
		pg_buf_commit(b, i - start);
		d = pg_buf_room(b, 8);
		if (!d)
			return;
		if (len == 2) {
			/* a C1 control on the compact view */
			len = pg_escape_byte(d, c, true, false);
			len += pg_escape_byte(d + len, s[i + 1], true, false);
			i += 2;
		} else {
			len = pg_escape_byte(d, c, len == 0, json);
			i++;
		}
		pg_buf_commit(b, len);
	} while (i < n);
	if (quote)
		pg_buf_putc(b, '"');
}

void pg_escape(struct pg_buf *b, const char *str, size_t n, bool json)
{
	if (json)
		pg_escape_core(b, (const unsigned char *)str, n, true, false);
	else
		pg_escape_core(b, (const unsigned char *)str, n, false, false);
}

struct pg_json *pg_json__new(struct pg_buf *out)
{
	struct pg_json *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->out = out;
	return w;
}

void pg_json__free(struct pg_json *w)
{
	free(w);
}

void pg_json__reset(struct pg_json *w)
{
	w->depth = 0;
	w->after_key = false;
	memset(w->need_comma, 0, sizeof(w->need_comma));
}

static inline void pg_json_value_prefix(struct pg_json *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		pg_buf_putc(w->out, ',');
	w->need_comma[w->depth] = true;
}

static void pg_json_open(struct pg_json *w, char c)
{
	pg_json_value_prefix(w);
	pg_buf_putc(w->out, c);
	if (w->depth < PG_JSON_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void pg_json_close(struct pg_json *w, char c)
{
	pg_buf_putc(w->out, c);
	if (w->depth > 0)
		w->depth--;
}

void pg_json__begin_object(struct pg_json *w)
{
	pg_json_open(w, '{');
}

void pg_json__end_object(struct pg_json *w)
{
	pg_json_close(w, '}');
}

void pg_json__begin_array(struct pg_json *w)
{
	pg_json_open(w, '[');
}

void pg_json__end_array(struct pg_json *w)
{
	pg_json_close(w, ']');
}

/*
 * The value writers without the value prefix, shared by the plain calls
 * and the key + value shorthands.
 */
static void pg_json_put_string(struct pg_buf *out, const char *s, size_t n)
{
	pg_buf_putc(out, '"');
	pg_escape_core(out, (const unsigned char *)s, n, true, true);
}

static inline void pg_json_put_uint_str(struct pg_buf *out, uint64_t v)
{
	char *p = pg_buf_room(out, PG_U64_DIGITS + 2);
	size_t n;

	if (!p)
		return;
	p[0] = '"';
	n = pg_fmt_u64(p + 1, v);
	p[n + 1] = '"';
	pg_buf_commit(out, n + 2);
}

static inline void pg_json_put_bool(struct pg_buf *out, bool v)
{
	if (v)
		pg_buf_put(out, "true", 4);
	else
		pg_buf_put(out, "false", 5);
}

/*
 * Keys are identifiers in practice, and short: the common case measures,
 * checks and copies one in a single pass into room for PG_JSON_KEY_FAST
 * bytes; a longer key, or one with a byte that needs an escape, is
 * written again the general way over what the first pass left.
 */
#define PG_JSON_KEY_FAST 64

void pg_json__key(struct pg_json *w, const char *key)
{
	size_t i;
	char *d;

	pg_json_value_prefix(w);
	w->after_key = true;
	d = pg_buf_room(w->out, PG_JSON_KEY_FAST + 3);
	if (!d)
		return;
	d[0] = '"';
	/* the NUL ends the loop: it is not plain */
	for (i = 0; i < PG_JSON_KEY_FAST && (pg_plain[(unsigned char)key[i]] & PG_PLAIN_JSON); i++)
		d[i + 1] = key[i];
	if (key[i]) {
		pg_buf_putc(w->out, '"');
		pg_escape_core(w->out, (const unsigned char *)key, strlen(key), true, true);
		pg_buf_putc(w->out, ':');
		return;
	}
	d[i + 1] = '"';
	d[i + 2] = ':';
	pg_buf_commit(w->out, i + 3);
}

void pg_json__string_n(struct pg_json *w, const char *s, size_t n)
{
	pg_json_value_prefix(w);
	pg_json_put_string(w->out, s, n);
}

void pg_json__string(struct pg_json *w, const char *s)
{
	pg_json__string_n(w, s ? s : "", s ? strlen(s) : 0);
}

void pg_json__uint(struct pg_json *w, uint64_t v)
{
	pg_json_value_prefix(w);
	pg_buf_put_u64(w->out, v);
}

void pg_json__uint_str(struct pg_json *w, uint64_t v)
{
	pg_json_value_prefix(w);
	pg_json_put_uint_str(w->out, v);
}

void pg_json__int(struct pg_json *w, int64_t v)
{
	pg_json_value_prefix(w);
	pg_buf_put_i64(w->out, v);
}

void pg_json__bool(struct pg_json *w, bool v)
{
	pg_json_value_prefix(w);
	pg_json_put_bool(w->out, v);
}

void pg_json__raw(struct pg_json *w, const char *json, size_t n)
{
	pg_json_value_prefix(w);
	pg_buf_put(w->out, json, n);
}

void pg_json__kv_string(struct pg_json *w, const char *key, const char *s)
{
	pg_json__key(w, key);
	pg_json__string(w, s);
}

void pg_json__kv_string_n(struct pg_json *w, const char *key, const char *s, size_t n)
{
	pg_json__key(w, key);
	pg_json__string_n(w, s, n);
}

void pg_json__kv_uint(struct pg_json *w, const char *key, uint64_t v)
{
	pg_json__key(w, key);
	pg_json__uint(w, v);
}

void pg_json__kv_uint_str(struct pg_json *w, const char *key, uint64_t v)
{
	pg_json__key(w, key);
	pg_json__uint_str(w, v);
}

void pg_json__kv_int(struct pg_json *w, const char *key, int64_t v)
{
	pg_json__key(w, key);
	pg_json__int(w, v);
}

void pg_json__kv_bool(struct pg_json *w, const char *key, bool v)
{
	pg_json__key(w, key);
	pg_json__bool(w, v);
}

/*
 * Pre-quoted keys. Each is pg_json__key() followed by the value call,
 * folded: the key's value prefix (a comma, or nothing right after another
 * key, as pg_json__key() does) and then the value with none of its own,
 * because pg_json__key() would have left after_key set for it.
 */
static inline void pg_json_put_qkey(struct pg_buf *out, const char *qkey, size_t qlen)
{
	char *d = pg_buf_room(out, qlen);

	if (!d)
		return;
	pg_copy_short(d, qkey, qlen);
	pg_buf_commit(out, qlen);
}

void pg_json__key_quoted(struct pg_json *w, const char *qkey, size_t qlen)
{
	pg_json_value_prefix(w);
	pg_json_put_qkey(w->out, qkey, qlen);
	w->after_key = true;
}

void pg_json__kvq_string_n(struct pg_json *w, const char *qkey, size_t qlen, const char *s,
			   size_t n)
{
	pg_json_value_prefix(w);
	pg_json_put_qkey(w->out, qkey, qlen);
	pg_json_put_string(w->out, s, n);
}

void pg_json__kvq_string(struct pg_json *w, const char *qkey, size_t qlen, const char *s)
{
	pg_json__kvq_string_n(w, qkey, qlen, s ? s : "", s ? strlen(s) : 0);
}

void pg_json__kvq_uint(struct pg_json *w, const char *qkey, size_t qlen, uint64_t v)
{
	char *d;

	pg_json_value_prefix(w);
	d = pg_buf_room(w->out, qlen + PG_U64_DIGITS);
	if (!d)
		return;
	pg_copy_short(d, qkey, qlen);
	pg_buf_commit(w->out, qlen + pg_fmt_u64(d + qlen, v));
}

void pg_json__kvq_uint_str(struct pg_json *w, const char *qkey, size_t qlen, uint64_t v)
{
	pg_json_value_prefix(w);
	pg_json_put_qkey(w->out, qkey, qlen);
	pg_json_put_uint_str(w->out, v);
}

void pg_json__kvq_int(struct pg_json *w, const char *qkey, size_t qlen, int64_t v)
{
	char *d;

	pg_json_value_prefix(w);
	d = pg_buf_room(w->out, qlen + PG_I64_CHARS);
	if (!d)
		return;
	pg_copy_short(d, qkey, qlen);
	pg_buf_commit(w->out, qlen + pg_i64_fmt(d + qlen, v));
}

void pg_json__kvq_bool(struct pg_json *w, const char *qkey, size_t qlen, bool v)
{
	pg_json_value_prefix(w);
	pg_json_put_qkey(w->out, qkey, qlen);
	pg_json_put_bool(w->out, v);
}

void pg_json__kv_result(struct pg_json *w, int32_t result)
{
	const char *name;
	char tmp[16];

	if (result >= 0 || result <= -4096) {
		PG_JSON_KV_INT(w, "result", result);
		return;
	}
	name = strerrorname_np(-result);
	if (!name) {
		snprintf(tmp, sizeof(tmp), "E%d", -result);
		name = tmp;
	}
	PG_JSON_KV_STRING(w, "error", name);
	PG_JSON_KV_UINT(w, "errno", (uint32_t)-result);
}
