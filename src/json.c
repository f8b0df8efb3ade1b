// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define PG_JSON_DEPTH 32

struct pg_json {
	struct pg_buf *out;
	int depth;
	/* per nesting level: does the next value need a comma first? */
	bool need_comma[PG_JSON_DEPTH];
	bool after_key;
};

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

void pg_buf_put(struct pg_buf *b, const void *p, size_t n)
{
	if (!pg_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void pg_buf_putc(struct pg_buf *b, char c)
{
	pg_buf_put(b, &c, 1);
}

void pg_buf_puts(struct pg_buf *b, const char *s)
{
	pg_buf_put(b, s, strlen(s));
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

void pg_escape(struct pg_buf *b, const char *str, size_t n, bool json)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len = utf8_seq_len(s + i, n - i);
		char esc[8];
		size_t elen = 0;

		if (len == 1 && c >= 0x20 && c != 0x7f && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		/*
		 * C1 controls (U+0080-U+009F) are valid UTF-8, but terminals
		 * act on them (U+009B starts an escape sequence): escape them
		 * on the compact view; JSON may carry them as they are.
		 */
		if (len == 2 && c == 0xc2 && s[i + 1] < 0xa0 && !json) {
			pg_buf_put(b, s + i - run, run);
			run = 0;
			pg_buf_printf(b, "\\x%02x\\x%02x", c, s[i + 1]);
			i += 2;
			continue;
		}
		if (len > 1) {
			i += len;
			run += len;
			continue;
		}
		/* flush the plain run before this byte */
		pg_buf_put(b, s + i - run, run);
		run = 0;
		if (len == 0) {
			/* invalid UTF-8: \xNN, with the backslash escaped for JSON */
			if (json)
				esc[elen++] = '\\';
			esc[elen++] = '\\';
			esc[elen++] = 'x';
			esc[elen++] = hex[c >> 4];
			esc[elen++] = hex[c & 15];
		} else if (json) {
			esc[elen++] = '\\';
			switch (c) {
			case '"': esc[elen++] = '"'; break;
			case '\\': esc[elen++] = '\\'; break;
			case '\n': esc[elen++] = 'n'; break;
			case '\t': esc[elen++] = 't'; break;
			case '\r': esc[elen++] = 'r'; break;
			default:
				memcpy(esc + elen, "u00", 3);
				elen += 3;
				esc[elen++] = hex[c >> 4];
				esc[elen++] = hex[c & 15];
			}
		} else if (c == '"' || c == '\\') {
			esc[elen++] = c; /* harmless on a terminal */
		} else {
			esc[elen++] = '\\';
			esc[elen++] = 'x';
			esc[elen++] = hex[c >> 4];
			esc[elen++] = hex[c & 15];
		}
		pg_buf_put(b, esc, elen);
		i++;
	}
	pg_buf_put(b, s + i - run, run);
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

static void pg_json_value_prefix(struct pg_json *w)
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

void pg_json__key(struct pg_json *w, const char *key)
{
	pg_json_value_prefix(w);
	pg_buf_putc(w->out, '"');
	pg_escape(w->out, key, strlen(key), true);
	pg_buf_puts(w->out, "\":");
	w->after_key = true;
}

void pg_json__string_n(struct pg_json *w, const char *s, size_t n)
{
	pg_json_value_prefix(w);
	pg_buf_putc(w->out, '"');
	pg_escape(w->out, s, n, true);
	pg_buf_putc(w->out, '"');
}

void pg_json__string(struct pg_json *w, const char *s)
{
	pg_json__string_n(w, s ? s : "", s ? strlen(s) : 0);
}

void pg_json__uint(struct pg_json *w, uint64_t v)
{
	pg_json_value_prefix(w);
	pg_buf_printf(w->out, "%" PRIu64, v);
}

void pg_json__int(struct pg_json *w, int64_t v)
{
	pg_json_value_prefix(w);
	pg_buf_printf(w->out, "%" PRId64, v);
}

void pg_json__bool(struct pg_json *w, bool v)
{
	pg_json_value_prefix(w);
	pg_buf_puts(w->out, v ? "true" : "false");
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

void pg_json__kv_uint(struct pg_json *w, const char *key, uint64_t v)
{
	pg_json__key(w, key);
	pg_json__uint(w, v);
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
