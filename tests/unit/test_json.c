// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/json.c: the growable buffer, the string escaper and the
 * streaming JSON writer. Every string the agent prints comes from the kernel
 * and is hostile, so besides exact expectations for each class of byte this
 * checks large random inputs two ways: against an independent reference
 * escaper written from RFC 8259 and the Unicode table of well-formed UTF-8,
 * and with a small strict JSON validator, so a bug shared by the escaper and
 * the reference still cannot produce output a JSON parser would reject.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

/* ---- helpers ---- */

/*
 * Escape @n bytes of @s into a fresh buffer and compare with @want;
 * failures point at the caller's line.
 */
static void check_escape_at(const char *s, size_t n, bool json, const char *want, const char *file,
			    int line)
{
	struct pg_buf b;

	pg_buf_init(&b);
	pg_escape(&b, s, n, json);
	assert_false(b.failed);
	assert_non_null(b.data);
	_assert_string_equal(b.data, want, file, line);
	_assert_int_equal(b.len, strlen(want), file, line);
	pg_buf_free(&b);
}

#define check_escape(s, n, json, want) check_escape_at(s, n, json, want, __FILE__, __LINE__)
#define ESC_JSON(lit, want) check_escape(lit, sizeof(lit) - 1, true, want)
#define ESC_TERM(lit, want) check_escape(lit, sizeof(lit) - 1, false, want)

/* xorshift64*: deterministic, so a failure reproduces on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/*
 * Length of the well-formed UTF-8 sequence at @s, or 0. Written from the
 * Unicode Standard's table 3-7 (byte ranges per lead byte) rather than by
 * decoding code points as src/json.c does, so the two are independent.
 */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	/* the second byte's range depends on the lead byte */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* The documented escaping rules, one byte or sequence at a time. */
static void ref_escape(struct pg_buf *b, const unsigned char *s, size_t n, bool json)
{
	size_t i = 0;

	while (i < n) {
		size_t len = ref_utf8_len(s + i, n - i);
		unsigned char c = s[i];

		if (len > 1) {
			pg_buf_put(b, s + i, len);
			i += len;
			continue;
		}
		if (!len)
			pg_buf_printf(b, "%s%02x", json ? "\\\\x" : "\\x", c);
		else if (json && c == '"')
			pg_buf_puts(b, "\\\"");
		else if (json && c == '\\')
			pg_buf_puts(b, "\\\\");
		else if (json && c == '\n')
			pg_buf_puts(b, "\\n");
		else if (json && c == '\t')
			pg_buf_puts(b, "\\t");
		else if (json && c == '\r')
			pg_buf_puts(b, "\\r");
		else if (c < 0x20 || c == 0x7f)
			pg_buf_printf(b, json ? "\\u%04x" : "\\x%02x", c);
		else
			pg_buf_putc(b, c);
		i++;
	}
}

/*
 * A strict RFC 8259 validator: the whole of @s must be one JSON value with
 * no raw control character in a string, only the defined escapes, \u with
 * four hex digits, and well-formed UTF-8 everywhere.
 */
struct jv {
	const unsigned char *p, *end;
	int depth;
};

static bool jv_value(struct jv *v);

static void jv_ws(struct jv *v)
{
	while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r'))
		v->p++;
}

static bool jv_lit(struct jv *v, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(v->end - v->p) < n || memcmp(v->p, lit, n))
		return false;
	v->p += n;
	return true;
}

static bool jv_string(struct jv *v)
{
	if (v->p >= v->end || *v->p != '"')
		return false;
	v->p++;
	while (v->p < v->end) {
		unsigned char c = *v->p;
		size_t len;

		if (c == '"') {
			v->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (v->end - v->p < 2)
				return false;
			c = v->p[1];
			if (c == 'u') {
				int i;

				if (v->end - v->p < 6)
					return false;
				for (i = 2; i < 6; i++)
					if (!strchr("0123456789abcdefABCDEF", v->p[i]) || !v->p[i])
						return false;
				v->p += 6;
				continue;
			}
			if (!c || !strchr("\"\\/bfnrt", c))
				return false;
			v->p += 2;
			continue;
		}
		len = ref_utf8_len(v->p, v->end - v->p);
		if (!len)
			return false;
		v->p += len;
	}
	return false;
}

static bool jv_number(struct jv *v)
{
	const unsigned char *start;

	if (v->p < v->end && *v->p == '-')
		v->p++;
	if (v->p >= v->end || *v->p < '0' || *v->p > '9')
		return false;
	/* no leading zeros: "0" alone or a non-zero first digit */
	if (*v->p == '0') {
		v->p++;
	} else {
		while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
			v->p++;
	}
	if (v->p < v->end && *v->p == '.') {
		start = ++v->p;
		while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
			v->p++;
		if (v->p == start)
			return false;
	}
	if (v->p < v->end && (*v->p == 'e' || *v->p == 'E')) {
		v->p++;
		if (v->p < v->end && (*v->p == '+' || *v->p == '-'))
			v->p++;
		start = v->p;
		while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
			v->p++;
		if (v->p == start)
			return false;
	}
	return true;
}

static bool jv_container(struct jv *v, char close)
{
	bool first = true;

	if (++v->depth > 512)
		return false;
	v->p++; /* the opening bracket */
	for (;;) {
		jv_ws(v);
		if (v->p < v->end && *v->p == close) {
			v->p++;
			v->depth--;
			return true;
		}
		if (!first) {
			if (v->p >= v->end || *v->p != ',')
				return false;
			v->p++;
			jv_ws(v);
		}
		first = false;
		if (close == '}') {
			if (!jv_string(v))
				return false;
			jv_ws(v);
			if (v->p >= v->end || *v->p != ':')
				return false;
			v->p++;
		}
		if (!jv_value(v))
			return false;
	}
}

static bool jv_value(struct jv *v)
{
	jv_ws(v);
	if (v->p >= v->end)
		return false;
	switch (*v->p) {
	case '{': return jv_container(v, '}');
	case '[': return jv_container(v, ']');
	case '"': return jv_string(v);
	case 't': return jv_lit(v, "true");
	case 'f': return jv_lit(v, "false");
	case 'n': return jv_lit(v, "null");
	default: return jv_number(v);
	}
}

static bool json_valid(const char *s, size_t n)
{
	struct jv v = { (const unsigned char *)s, (const unsigned char *)s + n, 0 };

	if (!jv_value(&v))
		return false;
	jv_ws(&v);
	return v.p == v.end;
}

/* The document in @b must be exactly @want, and valid JSON. */
static void check_doc(const struct pg_buf *b, const char *want)
{
	assert_false(b->failed);
	assert_string_equal(b->data, want);
	assert_true(json_valid(b->data, b->len));
}

/* ---- the validator itself: it must reject what the tests rely on ---- */

static void test_json_validator_rejects_invalid(void **state)
{
	static const char *const bad[] = {
		"",	"\"a",	 "\"a\x01\"",	     "\"\\x41\"",  "\"\\u12\"", "\"\xc0\xaf\"",
		"[1,]", "[1 2]", "{\"a\"}",	     "{\"a\":}",   "{1:2}",	"01",
		"tru",	"[",	 "\"\xed\xa0\x80\"", "{\"a\":1,}", "1 2",
	};
	static const char good[] = "{\"a\":[1,-2.5e3,0,true,false,null,\"\\u00e9\\\\\"],\"b\":{}}";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (json_valid(bad[i], strlen(bad[i])))
			fail_msg("validator accepted invalid JSON #%zu: %s", i, bad[i]);
	}
	assert_true(json_valid(good, strlen(good)));
}

/* ---- pg_buf ---- */

static void test_buf_init_is_empty(void **state)
{
	struct pg_buf b;

	(void)state;
	memset(&b, 0xa5, sizeof(b));
	pg_buf_init(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_false(b.failed);
	/* destructors accept what the constructor made, and NULL */
	pg_buf_free(&b);
	pg_buf_free(NULL);
}

static void test_buf_grows_one_byte_at_a_time(void **state)
{
	struct pg_buf b;
	size_t i, last_cap = 0, grows = 0;

	(void)state;
	pg_buf_init(&b);
	for (i = 0; i < 100000; i++) {
		pg_buf_putc(&b, (char)('a' + i % 26));
		/* room for the NUL terminator is always kept */
		assert_true(b.cap >= b.len + 1);
		assert_int_equal(b.data[b.len], 0);
		if (b.cap != last_cap) {
			grows++;
			last_cap = b.cap;
		}
	}
	assert_false(b.failed);
	assert_int_equal(b.len, 100000);
	for (i = 0; i < 100000; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);
	/* geometric growth: a reallocation per byte would be quadratic */
	assert_true(grows < 20);
	pg_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_buf_put_large_block(void **state)
{
	struct pg_buf b;
	size_t n = 1 << 20;
	char *src = malloc(n);
	size_t i;

	(void)state;
	assert_non_null(src);
	for (i = 0; i < n; i++)
		src[i] = (char)rng();
	pg_buf_init(&b);
	pg_buf_puts(&b, "head");
	pg_buf_put(&b, src, n);
	assert_false(b.failed);
	assert_int_equal(b.len, n + 4);
	assert_memory_equal(b.data, "head", 4);
	assert_memory_equal(b.data + 4, src, n);
	assert_int_equal(b.data[b.len], 0);
	free(src);
	pg_buf_free(&b);
}

static void test_buf_printf_short_and_long(void **state)
{
	struct pg_buf b;
	char want[2048];
	char big[1500];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	pg_buf_init(&b);
	pg_buf_printf(&b, "%d-%s", 42, "short");
	assert_string_equal(b.data, "42-short");
	/* past the 256-byte stack buffer: the second formatting path */
	pg_buf_printf(&b, "[%s]%u", big, 7u);
	snprintf(want, sizeof(want), "42-short[%s]7", big);
	assert_string_equal(b.data, want);
	assert_int_equal(b.len, strlen(want));
	pg_buf_free(&b);
}

static void test_buf_reset_keeps_capacity(void **state)
{
	struct pg_buf b;
	size_t cap;
	char *data;

	(void)state;
	pg_buf_init(&b);
	pg_buf_printf(&b, "%0999d", 1);
	cap = b.cap;
	data = b.data;
	pg_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	assert_ptr_equal(b.data, data);
	pg_buf_puts(&b, "again");
	assert_string_equal(b.data, "again");
	pg_buf_free(&b);
}

static void test_buf_failed_stops_appending(void **state)
{
	struct pg_buf b;

	(void)state;
	pg_buf_init(&b);
	pg_buf_puts(&b, "ok");
	/* as after a failed realloc: the contents stay, nothing more is added */
	b.failed = true;
	pg_buf_puts(&b, "lost");
	pg_buf_printf(&b, "%s", "lost");
	assert_int_equal(b.len, 2);
	assert_string_equal(b.data, "ok");
	/* a reset starts a new record, which may succeed again */
	pg_buf_reset(&b);
	assert_false(b.failed);
	pg_buf_puts(&b, "new");
	assert_string_equal(b.data, "new");
	pg_buf_free(&b);
}

/*
 * The inline fast path takes appends that leave room for the NUL; the
 * one that would not must grow the buffer instead, at every size.
 */
static void test_buf_put_at_capacity_edge(void **state)
{
	char src[600];
	size_t fill, n;

	(void)state;
	memset(src, 'q', sizeof(src));
	for (fill = 0; fill < 260; fill += 37) {
		for (n = 0; n < 300; n++) {
			struct pg_buf b;
			size_t i;

			pg_buf_init(&b);
			for (i = 0; i < fill; i++)
				pg_buf_putc(&b, 'f');
			pg_buf_put(&b, src, n);
			pg_buf_putc(&b, 'z');
			assert_false(b.failed);
			assert_int_equal(b.len, fill + n + 1);
			assert_true(b.cap > b.len);
			assert_int_equal(b.data[b.len], 0);
			for (i = 0; i < fill; i++)
				assert_int_equal(b.data[i], 'f');
			assert_memory_equal(b.data + fill, src, n);
			assert_int_equal(b.data[fill + n], 'z');
			pg_buf_free(&b);
		}
	}
}

static void test_buf_putc_fills_exactly(void **state)
{
	struct pg_buf b;
	size_t cap;

	(void)state;
	pg_buf_init(&b);
	pg_buf_putc(&b, 'a');
	cap = b.cap;
	/* up to cap - 1 bytes without growing: the last byte is the NUL's */
	while (b.len < cap - 1)
		pg_buf_putc(&b, 'a');
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.data[b.len], 0);
	pg_buf_putc(&b, 'b');
	assert_true(b.cap > cap);
	assert_int_equal(b.len, cap);
	assert_int_equal(b.data[cap - 1], 'b');
	assert_int_equal(b.data[cap], 0);
	pg_buf_free(&b);
}

/* An empty append still allocates: callers read data as a C string. */
static void test_buf_empty_put_allocates(void **state)
{
	struct pg_buf b;

	(void)state;
	pg_buf_init(&b);
	pg_buf_put(&b, "", 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	pg_buf_free(&b);
	pg_buf_init(&b);
	pg_escape(&b, "", 0, true);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	pg_buf_free(&b);
}

/*
 * A real failure, not a flag set by hand: a size no allocation can meet.
 * From then on every writer leaves the contents alone, until a reset.
 */
static void test_buf_failure_is_sticky_for_every_writer(void **state)
{
	volatile size_t huge = SIZE_MAX / 2;
	struct pg_buf b;
	struct pg_json *w;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	assert_non_null(w);
	pg_json__begin_object(w);
	PG_JSON_KV_UINT(w, "a", 1);
	/* volatile: the compiler would see the read past "x" it cannot reach */
	pg_buf_put(&b, "x", huge);
	assert_true(b.failed);
	assert_string_equal(b.data, "{\"a\":1");
	pg_buf_putc(&b, 'x');
	pg_buf_puts(&b, "x");
	pg_buf_put(&b, "x", 1);
	pg_buf_put_u64(&b, 1);
	pg_buf_put_i64(&b, -1);
	pg_buf_printf(&b, "%d", 1);
	pg_escape(&b, "x\"\xff", 3, true);
	pg_escape(&b, "x\x01\xc2\x9b", 4, false);
	pg_json__key(w, "k");
	pg_json__key(w, "k\"");
	pg_json__string(w, "s");
	pg_json__uint(w, 1);
	pg_json__uint_str(w, 1);
	pg_json__int(w, -1);
	pg_json__bool(w, true);
	pg_json__raw(w, "1", 1);
	pg_json__kv_string(w, "k", "v");
	pg_json__kv_uint_str(w, "k", 7);
	PG_JSON_KEY(w, "k");
	PG_JSON_KV_STRING(w, "k", "v");
	PG_JSON_KV_STRING_N(w, "k", "v", 1);
	PG_JSON_KV_UINT(w, "k", 1);
	PG_JSON_KV_UINT_STR(w, "k", 1);
	PG_JSON_KV_INT(w, "k", -1);
	PG_JSON_KV_BOOL(w, "k", false);
	pg_json__end_object(w);
	assert_true(b.failed);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "{\"a\":1");
	pg_buf_reset(&b);
	pg_json__reset(w);
	pg_json__begin_object(w);
	PG_JSON_KV_UINT(w, "a", 2);
	pg_json__end_object(w);
	check_doc(&b, "{\"a\":2}");
	pg_json__free(w);
	pg_buf_free(&b);
}

/* ---- numbers ---- */

static void check_u64(uint64_t v)
{
	char want[32];
	struct pg_buf b;

	snprintf(want, sizeof(want), "%" PRIu64, v);
	pg_buf_init(&b);
	pg_buf_put_u64(&b, v);
	if (strcmp(b.data, want))
		fail_msg("pg_buf_put_u64: got %s, want %s", b.data, want);
	assert_int_equal(b.len, strlen(want));
	pg_buf_free(&b);
}

static void check_i64(int64_t v)
{
	char want[32];
	struct pg_buf b;

	snprintf(want, sizeof(want), "%" PRId64, v);
	pg_buf_init(&b);
	pg_buf_put_i64(&b, v);
	if (strcmp(b.data, want))
		fail_msg("pg_buf_put_i64: got %s, want %s", b.data, want);
	assert_int_equal(b.len, strlen(want));
	pg_buf_free(&b);
}

static void test_json_numbers_like_printf(void **state)
{
	uint64_t p = 1;
	int i;

	(void)state;
	/* both sides of every power of ten, where the digit count changes */
	for (i = 0; i < 20; i++, p *= 10) {
		check_u64(p - 1);
		check_u64(p);
		check_u64(p + 1);
		check_u64(p * 2 - 1);
		check_i64((int64_t)(p - 1));
		check_i64((int64_t)p);
		check_i64(-(int64_t)(p - 1));
		check_i64(-(int64_t)p);
	}
	check_u64(0);
	check_u64(UINT64_MAX);
	check_u64(UINT64_MAX - 1);
	check_u64((uint64_t)INT64_MAX + 1);
	check_u64(4294967295U);
	check_u64(4294967296ULL);
	check_i64(0);
	check_i64(-1);
	check_i64(INT64_MIN);
	check_i64(INT64_MIN + 1);
	check_i64(INT64_MAX);
	for (i = 0; i < 100000; i++) {
		uint64_t r = rng();

		/* random magnitudes, not only 20-digit values */
		r >>= rng() % 64;
		check_u64(r);
		check_i64((int64_t)r);
		check_i64(-(int64_t)(r >> 1));
	}
}

/* Numbers next to the buffer's growth point, in every position. */
static void test_json_numbers_across_growth(void **state)
{
	size_t fill;

	(void)state;
	for (fill = 220; fill < 280; fill++) {
		struct pg_buf b;
		char want[400];
		size_t i;

		pg_buf_init(&b);
		for (i = 0; i < fill; i++)
			pg_buf_putc(&b, '.');
		pg_buf_put_u64(&b, UINT64_MAX);
		pg_buf_put_i64(&b, INT64_MIN);
		memset(want, '.', fill);
		strcpy(want + fill, "18446744073709551615-9223372036854775808");
		assert_false(b.failed);
		assert_string_equal(b.data, want);
		assert_int_equal(b.len, strlen(want));
		pg_buf_free(&b);
	}
}

/* ---- pg_escape, JSON mode ---- */

static void test_json_escape_plain(void **state)
{
	(void)state;
	ESC_JSON("", "");
	ESC_JSON("hello", "hello");
	ESC_JSON("/usr/bin/ls -la ~/{x}", "/usr/bin/ls -la ~/{x}");
	/* '/' may be escaped in JSON but need not be */
	ESC_JSON("a/b", "a/b");
}

static void test_json_escape_quote_backslash(void **state)
{
	(void)state;
	ESC_JSON("\"", "\\\"");
	ESC_JSON("\\", "\\\\");
	ESC_JSON("a\"b\\c", "a\\\"b\\\\c");
	ESC_JSON("\\\"\\\"", "\\\\\\\"\\\\\\\"");
	/* an escape already in the input is data, not an escape */
	ESC_JSON("\\n\\u0041", "\\\\n\\\\u0041");
}

static void test_json_escape_every_control_char(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		char in[3] = { 'a', (char)c, 'b' };
		char want[16];

		switch (c) {
		case '\n': strcpy(want, "a\\nb"); break;
		case '\t': strcpy(want, "a\\tb"); break;
		case '\r': strcpy(want, "a\\rb"); break;
		default: snprintf(want, sizeof(want), "a\\u%04xb", c);
		}
		check_escape(in, sizeof(in), true, want);
	}
	ESC_JSON("\x7f", "\\u007f");
	ESC_JSON("\x1b[31mred", "\\u001b[31mred");
}

static void test_json_escape_nul_inside_length(void **state)
{
	(void)state;
	/* the length rules, not the NUL: argv-like data keeps going */
	ESC_JSON("a\0b", "a\\u0000b");
	ESC_JSON("\0\0", "\\u0000\\u0000");
}

static void test_json_escape_valid_utf8_kept(void **state)
{
	(void)state;
	ESC_JSON("caf\xc3\xa9", "caf\xc3\xa9");		    /* 2 bytes */
	ESC_JSON("\xe2\x82\xac 5", "\xe2\x82\xac 5");	    /* 3 bytes */
	ESC_JSON("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!"); /* 4 bytes */
	ESC_JSON("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	/* the edges of each length and around the surrogate block */
	ESC_JSON("\xc2\x80", "\xc2\x80");		  /* U+0080 */
	ESC_JSON("\xdf\xbf", "\xdf\xbf");		  /* U+07FF */
	ESC_JSON("\xe0\xa0\x80", "\xe0\xa0\x80");	  /* U+0800 */
	ESC_JSON("\xed\x9f\xbf", "\xed\x9f\xbf");	  /* U+D7FF */
	ESC_JSON("\xee\x80\x80", "\xee\x80\x80");	  /* U+E000 */
	ESC_JSON("\xef\xbf\xbf", "\xef\xbf\xbf");	  /* U+FFFF */
	ESC_JSON("\xf0\x90\x80\x80", "\xf0\x90\x80\x80"); /* U+10000 */
	ESC_JSON("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	/* a valid sequence right after an escaped byte */
	ESC_JSON("\"\xc3\xa9\"", "\\\"\xc3\xa9\\\"");
}

static void test_json_escape_invalid_utf8(void **state)
{
	(void)state;
	/* lone continuation bytes */
	ESC_JSON("\x80", "\\\\x80");
	ESC_JSON("a\xbf-", "a\\\\xbf-");
	/* overlong encodings of '/' */
	ESC_JSON("\xc0\xaf", "\\\\xc0\\\\xaf");
	ESC_JSON("\xc1\xbf", "\\\\xc1\\\\xbf");
	ESC_JSON("\xe0\x80\xaf", "\\\\xe0\\\\x80\\\\xaf");
	ESC_JSON("\xf0\x80\x80\xaf", "\\\\xf0\\\\x80\\\\x80\\\\xaf");
	/* UTF-16 surrogates U+D800 and U+DFFF */
	ESC_JSON("\xed\xa0\x80", "\\\\xed\\\\xa0\\\\x80");
	ESC_JSON("\xed\xbf\xbf", "\\\\xed\\\\xbf\\\\xbf");
	/* beyond U+10FFFF, and lead bytes that can never start a sequence */
	ESC_JSON("\xf4\x90\x80\x80", "\\\\xf4\\\\x90\\\\x80\\\\x80");
	ESC_JSON("\xf5\xfe\xff", "\\\\xf5\\\\xfe\\\\xff");
	/* a sequence cut short by the end of the data */
	ESC_JSON("a\xe2\x82", "a\\\\xe2\\\\x82");
	ESC_JSON("\xf0\x9f\x98", "\\\\xf0\\\\x9f\\\\x98");
	ESC_JSON("\xc3", "\\\\xc3");
	/* ... or by a byte that is not a continuation; that byte survives */
	ESC_JSON("\xe2x\xac", "\\\\xe2x\\\\xac");
	ESC_JSON("\xc3\"", "\\\\xc3\\\"");
}

static void test_json_escape_appends(void **state)
{
	struct pg_buf b;

	(void)state;
	pg_buf_init(&b);
	pg_buf_puts(&b, "pre:");
	pg_escape(&b, "a\nb", 3, true);
	pg_escape(&b, "\xff", 1, true);
	assert_string_equal(b.data, "pre:a\\nb\\\\xff");
	pg_buf_free(&b);
}

/* ---- pg_escape, terminal mode ---- */

static void test_json_escape_terminal_controls(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		char in[3] = { 'a', (char)c, 'b' };
		char want[16];

		snprintf(want, sizeof(want), "a\\x%02xb", c);
		check_escape(in, sizeof(in), false, want);
	}
	ESC_TERM("\x7f", "\\x7f");
	/* ESC is what would let a process name recolour or retitle a terminal */
	ESC_TERM("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07");
	ESC_TERM("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H");
}

static void test_json_escape_terminal_text(void **state)
{
	(void)state;
	ESC_TERM("ls -la /tmp", "ls -la /tmp");
	/* quotes and backslashes cannot drive a terminal: kept as they are */
	ESC_TERM("say \"hi\" \\o/", "say \"hi\" \\o/");
	ESC_TERM("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

static void test_json_escape_terminal_invalid_utf8(void **state)
{
	(void)state;
	ESC_TERM("\x80", "\\x80");
	ESC_TERM("\xc0\xaf", "\\xc0\\xaf");
	ESC_TERM("\xed\xa0\x80", "\\xed\\xa0\\x80");
	ESC_TERM("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	ESC_TERM("ok\xe2\x82", "ok\\xe2\\x82");
	/* a raw 8-bit CSI byte (octal 233, 0x9b) must not reach the terminal either */
	ESC_TERM("\23331m", "\\x9b31m");
}

/*
 * The C1 controls U+0080..U+009F are valid UTF-8 (0xc2 0x80..0x9f), but
 * terminals that honour C1 in UTF-8 (xterm does unless allowC1Printable)
 * read U+009B as CSI and U+009D as OSC, so "nothing can drive the
 * terminal" (json.h) needs them escaped in terminal mode too.
 */
static void test_json_escape_terminal_c1_controls(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0x80; c <= 0x9f; c++) {
		char in[5] = { 'a', (char)0xc2, (char)c, '1', 'm' };
		bool raw = false;
		struct pg_buf b;
		size_t i;

		pg_buf_init(&b);
		pg_escape(&b, in, sizeof(in), false);
		assert_false(b.failed);
		for (i = 0; i + 1 < b.len; i++)
			if ((unsigned char)b.data[i] == 0xc2 &&
			    (unsigned char)b.data[i + 1] <= 0x9f)
				raw = true;
		/* free first, so a failure is not also reported as a leak */
		pg_buf_free(&b);
		if (raw)
			fail_msg("U+%04X reached the terminal unescaped", c);
	}
}

/* ---- large and random inputs ---- */

/* Random bytes, with some runs of valid multi-byte UTF-8 mixed in. */
static void fill_hostile(unsigned char *s, size_t n, bool mixed)
{
	static const char *const seqs[] = {
		"\xc3\xa9",
		"\xe2\x82\xac",
		"\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf",
		"\xed\x9f\xbf",
		"\xe0\xa0\x80",
		"\"",
		"\\",
		"\x1b",
		"\n",
		"\xed\xa0\x80",
		"\xc0\xaf",
	};
	size_t i = 0;

	while (i < n) {
		uint64_t r = rng();

		if (mixed && r % 4 == 0) {
			const char *q = seqs[(r >> 8) % (sizeof(seqs) / sizeof(seqs[0]))];
			size_t len = strlen(q);

			if (len > n - i)
				len = n - i;
			memcpy(s + i, q, len);
			i += len;
		} else {
			s[i++] = (unsigned char)(r >> 24);
		}
	}
}

static void check_large(bool mixed)
{
	size_t n = 100 * 1024;
	unsigned char *in = malloc(n);
	struct pg_buf out, ref;
	struct pg_json *w;
	size_t i, str_start;
	int round;

	assert_non_null(in);
	for (round = 0; round < 4; round++) {
		fill_hostile(in, n, mixed);
		pg_buf_init(&out);
		pg_buf_init(&ref);
		w = pg_json__new(&out);
		assert_non_null(w);
		pg_json__begin_object(w);
		pg_json__key(w, "data");
		str_start = out.len + 1; /* after the opening quote */
		pg_json__string_n(w, (const char *)in, n);
		pg_json__kv_uint(w, "n", n);
		pg_json__end_object(w);
		assert_false(out.failed);

		/* the escaping rules, byte for byte */
		ref_escape(&ref, in, n, true);
		assert_true(out.len > str_start + ref.len);
		assert_memory_equal(out.data + str_start, ref.data, ref.len);
		assert_int_equal(out.data[str_start + ref.len], '"');

		/* no raw control byte; every backslash starts a valid escape */
		for (i = str_start; i < str_start + ref.len; i++) {
			unsigned char c = out.data[i];

			assert_true(c >= 0x20);
			if (c == '\\') {
				c = out.data[++i];
				if (c == 'u') {
					assert_memory_equal(out.data + i + 1, "00", 2);
					assert_non_null(
						strchr("0123456789abcdef", out.data[i + 3]));
					assert_non_null(
						strchr("0123456789abcdef", out.data[i + 4]));
					i += 4;
				} else {
					assert_true(c && strchr("\"\\nrt", c));
				}
			}
		}
		assert_true(json_valid(out.data, out.len));

		/*
		 * terminal mode: nothing below 0x20, no DEL, only valid UTF-8.
		 * C1 controls are left out here: how they are escaped is for
		 * test_json_escape_terminal_c1_controls alone to decide.
		 */
		for (i = 0; i + 1 < n; i++)
			if (in[i] == 0xc2 && in[i + 1] >= 0x80 && in[i + 1] <= 0x9f)
				in[i] = 'C';
		pg_buf_reset(&out);
		pg_buf_reset(&ref);
		pg_escape(&out, (const char *)in, n, false);
		ref_escape(&ref, in, n, false);
		assert_int_equal(out.len, ref.len);
		assert_memory_equal(out.data, ref.data, ref.len);
		for (i = 0; i < out.len;) {
			size_t len = ref_utf8_len((unsigned char *)out.data + i, out.len - i);

			assert_true(len > 0);
			assert_true((unsigned char)out.data[i] >= 0x20 && out.data[i] != 0x7f);
			i += len;
		}

		pg_json__free(w);
		pg_buf_free(&out);
		pg_buf_free(&ref);
	}
	free(in);
}

static void test_json_escape_large_random_bytes(void **state)
{
	(void)state;
	check_large(false);
}

static void test_json_escape_large_mixed_utf8(void **state)
{
	(void)state;
	check_large(true);
}

/* Every single byte and every two-byte combination, against the reference. */
static void test_json_escape_all_byte_pairs(void **state)
{
	struct pg_buf out, ref;
	unsigned a, c;
	int json;

	(void)state;
	pg_buf_init(&out);
	pg_buf_init(&ref);
	for (json = 0; json < 2; json++) {
		for (a = 0; a < 256; a++) {
			for (c = 0; c < 256; c++) {
				unsigned char in[2] = { (unsigned char)a, (unsigned char)c };

				/* C1 on a terminal: test_json_escape_terminal_c1_controls */
				if (!json && a == 0xc2 && c >= 0x80 && c <= 0x9f)
					continue;
				pg_buf_reset(&out);
				pg_buf_reset(&ref);
				pg_escape(&out, (const char *)in, 2, json);
				ref_escape(&ref, in, 2, json);
				if (out.len != ref.len || memcmp(out.data, ref.data, ref.len))
					fail_msg("%s mode, bytes %02x %02x: got '%s', want '%s'",
						 json ? "json" : "terminal", a, c, out.data,
						 ref.data);
			}
		}
	}
	pg_buf_free(&out);
	pg_buf_free(&ref);
}

/* ---- differential: the escaper before its fast paths ---- */

/*
 * pg_escape() and utf8_seq_len() exactly as they were before the fast
 * paths (word scans, copying while scanning, a lookup table) went in: the
 * output of every input must not have changed by a byte. Kept as written
 * then, on purpose; do not "fix" or speed up.
 */
static size_t old_utf8_seq_len(const unsigned char *s, size_t n)
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
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void old_pg_escape(struct pg_buf *b, const char *str, size_t n, bool json)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len = old_utf8_seq_len(s + i, n - i);
		char esc[8];
		size_t elen = 0;

		if (len == 1 && c >= 0x20 && c != 0x7f && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
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
		pg_buf_put(b, s + i - run, run);
		run = 0;
		if (len == 0) {
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
			esc[elen++] = c;
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

/*
 * Escape @in[0..n) both ways, each after @pre bytes already in the buffer
 * (so the output crosses the buffer's first growth, at 256 bytes, at every
 * position), and fail on the first difference.
 */
static void diff_escape(const unsigned char *in, size_t n, bool json, size_t pre)
{
	struct pg_buf out, old;
	size_t i;

	pg_buf_init(&out);
	pg_buf_init(&old);
	for (i = 0; i < pre; i++) {
		pg_buf_putc(&out, 'p');
		pg_buf_putc(&old, 'p');
	}
	pg_escape(&out, (const char *)in, n, json);
	old_pg_escape(&old, (const char *)in, n, json);
	assert_false(out.failed);
	assert_non_null(out.data);
	assert_true(out.cap > out.len);
	assert_int_equal(out.data[out.len], 0);
	if (out.len != old.len || memcmp(out.data, old.data, old.len)) {
		char hexin[3 * 64 + 1] = "";

		for (i = 0; i < n && i < 64; i++)
			snprintf(hexin + 3 * i, 4, "%02x ", in[i]);
		pg_buf_free(&out);
		pg_buf_free(&old);
		fail_msg("%s mode, %zu bytes after %zu: %s...", json ? "json" : "terminal", n, pre,
			 hexin);
	}
	pg_buf_free(&out);
	pg_buf_free(&old);
}

/*
 * The bytes around every edge the escaper cares about: the ends of the
 * plain range, the quote and backslash, DEL, continuation bytes, the C1
 * range, lead bytes whose second byte is restricted, lead bytes that are
 * never valid, and what a word scan might mistake (0x00, 0xff).
 */
static const unsigned char edge_bytes[] = {
	0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x2f, 0x41, 0x5b,
	0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0x8f, 0x90, 0x9b, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
	0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xfe, 0xff,
};

/* Mostly plain text, with edge bytes and UTF-8 sequences mixed in. */
static void fill_edges(unsigned char *s, size_t n, unsigned plain_pct)
{
	static const char *const seqs[] = {
		"\xc3\xa9",	    "\xe2\x82\xac",	"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
		"\xc2\x9b",	    "\xc2\x80",		"\xc2\x9f",	    "\xc2\xa0",
		"\xed\x9f\xbf",	    "\xed\xa0\x80",	"\xe0\xa0\x80",	    "\xe0\x9f\xbf",
		"\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xc0\xaf",	    "\xe2\x82",
		"\xf0\x9f\x98",
	};
	size_t i = 0;

	while (i < n) {
		uint64_t r = rng();
		unsigned pct = (unsigned)(r % 100);

		if (pct < plain_pct) {
			s[i++] = (unsigned char)(0x20 + (r >> 8) % 95);
		} else if (pct < plain_pct + (100 - plain_pct) / 2) {
			s[i++] = edge_bytes[(r >> 8) % sizeof(edge_bytes)];
		} else {
			const char *q = seqs[(r >> 8) % (sizeof(seqs) / sizeof(seqs[0]))];
			size_t len = strlen(q);

			if (len > n - i)
				len = n - i;
			memcpy(s + i, q, len);
			i += len;
		}
	}
}

static void test_json_escape_same_as_before_random(void **state)
{
	static const unsigned pcts[] = { 0, 50, 90, 98 };
	unsigned char in[4096];
	size_t n, k, round;
	int json;

	(void)state;
	for (json = 0; json < 2; json++) {
		/* every short length, where the word scan and its tail meet */
		for (n = 0; n <= 80; n++) {
			for (round = 0; round < 200; round++) {
				fill_edges(in, n, pcts[round % 4]);
				diff_escape(in, n, json, 0);
			}
		}
		/* uniformly random bytes */
		for (round = 0; round < 300; round++) {
			n = rng() % sizeof(in);
			for (k = 0; k < n; k++)
				in[k] = (unsigned char)rng();
			diff_escape(in, n, json, 0);
		}
		/* long inputs, mostly plain */
		for (round = 0; round < 300; round++) {
			n = rng() % sizeof(in);
			fill_edges(in, n, pcts[round % 4]);
			diff_escape(in, n, json, rng() % 300);
		}
	}
}

/*
 * Every 8-byte word of edge bytes would be 42^8; instead all words of
 * two edge bytes on a plain background, at every pair of positions, and
 * at every offset from the start: the word scan's borrows and carries run
 * from one byte into the next, so it is pairs that could go wrong.
 */
static void test_json_escape_same_as_before_byte_pairs_in_words(void **state)
{
	unsigned char in[24];
	size_t a, c, pa, pc, len;
	int json;

	(void)state;
	for (json = 0; json < 2; json++) {
		for (a = 0; a < sizeof(edge_bytes); a++) {
			for (c = 0; c < sizeof(edge_bytes); c++) {
				for (pa = 0; pa < 10; pa++) {
					for (pc = pa + 1; pc < 12; pc++) {
						memset(in, ' ' + (pa + pc) % 90, sizeof(in));
						in[pa] = edge_bytes[a];
						in[pc] = edge_bytes[c];
						len = 8 + (pa * 7 + pc) % 9;
						diff_escape(in, len, json, 0);
					}
				}
			}
		}
	}
}

/* The output crosses the buffer's growth points at every offset. */
static void test_json_escape_same_as_before_across_growth(void **state)
{
	unsigned char in[600];
	size_t pre;
	int json;

	(void)state;
	for (json = 0; json < 2; json++) {
		for (pre = 0; pre < 520; pre++) {
			fill_edges(in, 64, 90);
			diff_escape(in, 64, json, pre);
			fill_edges(in, sizeof(in), 98);
			diff_escape(in, sizeof(in), json, pre);
		}
	}
}

/* ---- the fast path's edges, with exact expectations ---- */

struct seq_case {
	const char *in;	  /* the sequence (or broken sequence) */
	const char *js;	  /* its JSON form */
	const char *term; /* its terminal form */
};

static const struct seq_case seq_cases[] = {
	{ "\xc3\xa9", "\xc3\xa9", "\xc3\xa9" },				/* U+00E9, 2 bytes */
	{ "\xe2\x82\xac", "\xe2\x82\xac", "\xe2\x82\xac" },		/* U+20AC, 3 bytes */
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" }, /* U+1F600, 4 bytes */
	{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" }, /* U+10FFFF */
	{ "\xc2\x9b", "\xc2\x9b", "\\xc2\\x9b" },			/* C1 CSI */
	{ "\xc2\xa0", "\xc2\xa0", "\xc2\xa0" },				/* U+00A0, not C1 */
	{ "\xc0\xaf", "\\\\xc0\\\\xaf", "\\xc0\\xaf" },			/* overlong '/' */
	{ "\xe0\x80\xaf", "\\\\xe0\\\\x80\\\\xaf", "\\xe0\\x80\\xaf" }, /* overlong, 3 */
	{ "\xf0\x8f\xbf\xbf", "\\\\xf0\\\\x8f\\\\xbf\\\\xbf", "\\xf0\\x8f\\xbf\\xbf" }, /* 4 */
	{ "\xed\xa0\x80", "\\\\xed\\\\xa0\\\\x80", "\\xed\\xa0\\x80" },			/* U+D800 */
	{ "\xed\xbf\xbf", "\\\\xed\\\\xbf\\\\xbf", "\\xed\\xbf\\xbf" },			/* U+DFFF */
	{ "\xf4\x90\x80\x80", "\\\\xf4\\\\x90\\\\x80\\\\x80", "\\xf4\\x90\\x80\\x80" }, /* 110000 */
	{ "\xf5\x80\x80\x80", "\\\\xf5\\\\x80\\\\x80\\\\x80", "\\xf5\\x80\\x80\\x80" },
	{ "\x22", "\\\"", "\"" },
	{ "\x5c", "\\\\", "\\" },
	{ "\x7f", "\\u007f", "\\x7f" },
	{ "\x1b", "\\u001b", "\\x1b" },
	{ "\xff", "\\\\xff", "\\xff" },
};

/*
 * Each sequence at every offset of strings of every length around the
 * 8-byte word, on a plain background: the word scan, the overlapping last
 * word and the byte loop each see it at their edges, and a sequence is cut
 * by the end of the data at every point. A cut sequence's bytes are each
 * invalid; the test writes what that gives by the rules in json.h.
 */
static void test_json_escape_sequences_at_every_offset(void **state)
{
	static const char hexd[] = "0123456789abcdef";
	size_t k, pos, total;

	(void)state;
	for (k = 0; k < sizeof(seq_cases) / sizeof(seq_cases[0]); k++) {
		const struct seq_case *sc = &seq_cases[k];
		size_t slen = strlen(sc->in);

		for (total = 0; total <= 34; total++) {
			for (pos = 0; pos < total; pos++) {
				char in[40], want[2][400];
				size_t cut = total - pos < slen ? total - pos : slen, i;
				int json;

				memset(in, 'a', sizeof(in));
				memcpy(in + pos, sc->in, cut);
				for (json = 0; json < 2; json++) {
					char *w = want[json];

					memset(w, 'a', pos);
					w += pos;
					if (cut == slen) {
						strcpy(w, json ? sc->js : sc->term);
						w += strlen(w);
					} else {
						/* cut short: each byte is invalid on its own */
						for (i = 0; i < cut; i++) {
							unsigned char c = (unsigned char)sc->in[i];

							if (json)
								*w++ = '\\';
							*w++ = '\\';
							*w++ = 'x';
							*w++ = hexd[c >> 4];
							*w++ = hexd[c & 15];
						}
					}
					memset(w, 'a', total - pos - cut);
					w[total - pos - cut] = 0;
					check_escape(in, total, json, want[json]);
				}
			}
		}
	}
}

/* A special byte at every position of the last, overlapping word. */
static void test_json_escape_word_tail(void **state)
{
	size_t n, pos;

	(void)state;
	for (n = 8; n <= 24; n++) {
		for (pos = 0; pos < n; pos++) {
			char in[32], want[64];

			memset(in, 'x', n);
			in[pos] = '"';
			memset(want, 'x', pos);
			memcpy(want + pos, "\\\"", 2);
			memset(want + pos + 2, 'x', n - pos - 1);
			want[n + 1] = 0;
			check_escape(in, n, true, want);
			/* on a terminal the quote is plain: a control byte instead */
			in[pos] = '\n';
			memcpy(want + pos, "\\x0a", 4);
			memset(want + pos + 4, 'x', n - pos - 1);
			want[n + 3] = 0;
			check_escape(in, n, false, want);
		}
	}
	/* an escape just before the last word: the run after it is short */
	ESC_JSON("0123456789\"ab", "0123456789\\\"ab");
	ESC_JSON("0123456\x01\x02 bcdefg", "0123456\\u0001\\u0002 bcdefg");
	ESC_JSON("\"\"\"\"\"\"\"\"\"", "\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"");
	/* UTF-8 in the run, then the tail word */
	ESC_JSON("\xc3\xa9\xc3\xa9\xc3\xa9"
		 "abcdef\x01",
		 "\xc3\xa9\xc3\xa9\xc3\xa9"
		 "abcdef\\u0001");
	ESC_TERM("\xc3\xa9\xc3\xa9\xc3\xa9\x22\x5c\xc2\x9b",
		 "\xc3\xa9\xc3\xa9\xc3\xa9\"\\\\xc2\\x9b");
}

/* ---- the writer ---- */

static void test_json_writer_object(void **state)
{
	struct pg_buf b;
	struct pg_json *w;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	assert_non_null(w);
	pg_json__begin_object(w);
	pg_json__kv_string(w, "s", "x\"y");
	pg_json__kv_uint(w, "u", UINT64_MAX);
	pg_json__kv_int(w, "i", INT64_MIN);
	pg_json__kv_int(w, "z", 0);
	pg_json__kv_bool(w, "t", true);
	pg_json__kv_bool(w, "f", false);
	pg_json__end_object(w);
	check_doc(&b, "{\"s\":\"x\\\"y\",\"u\":18446744073709551615,"
		      "\"i\":-9223372036854775808,\"z\":0,\"t\":true,\"f\":false}");
	pg_json__free(w);
	pg_buf_free(&b);
}

static void test_json_writer_nested_commas(void **state)
{
	struct pg_buf b;
	struct pg_json *w;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "a", 1);
	pg_json__key(w, "b");
	pg_json__begin_array(w);
	pg_json__uint(w, 1);
	pg_json__int(w, -2);
	pg_json__begin_object(w);
	pg_json__kv_bool(w, "c", true);
	pg_json__key(w, "d");
	pg_json__begin_array(w);
	pg_json__end_array(w);
	pg_json__end_object(w);
	pg_json__begin_array(w);
	pg_json__string(w, "x");
	pg_json__string(w, "y");
	pg_json__end_array(w);
	pg_json__string(w, "after");
	pg_json__end_array(w);
	pg_json__key(w, "e");
	pg_json__begin_object(w);
	pg_json__end_object(w);
	pg_json__kv_string(w, "f", "last");
	pg_json__end_object(w);
	check_doc(&b, "{\"a\":1,\"b\":[1,-2,{\"c\":true,\"d\":[]},[\"x\",\"y\"],\"after\"],"
		      "\"e\":{},\"f\":\"last\"}");
	pg_json__free(w);
	pg_buf_free(&b);
}

static void test_json_writer_array_of_objects(void **state)
{
	struct pg_buf b;
	struct pg_json *w;
	int i;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	pg_json__begin_array(w);
	for (i = 0; i < 3; i++) {
		pg_json__begin_object(w);
		pg_json__kv_int(w, "i", i);
		pg_json__end_object(w);
	}
	pg_json__end_array(w);
	check_doc(&b, "[{\"i\":0},{\"i\":1},{\"i\":2}]");
	pg_json__free(w);
	pg_buf_free(&b);
}

static void test_json_writer_escapes_keys_and_values(void **state)
{
	struct pg_buf b;
	struct pg_json *w;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	pg_json__begin_object(w);
	pg_json__kv_string(w, "k\"\n", "v\x01\xff");
	pg_json__key(w, "null");
	pg_json__string(w, NULL);
	pg_json__key(w, "n");
	pg_json__string_n(w, "ab\0cd", 5);
	pg_json__end_object(w);
	check_doc(&b, "{\"k\\\"\\n\":\"v\\u0001\\\\xff\",\"null\":\"\",\"n\":\"ab\\u0000cd\"}");
	pg_json__free(w);
	pg_buf_free(&b);
}

/* One writer serves many event lines: reset must forget the last one. */
static void test_json_writer_reset_between_documents(void **state)
{
	struct pg_buf b;
	struct pg_json *w;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "n", 1);
	pg_json__key(w, "deep");
	pg_json__begin_array(w);
	pg_json__uint(w, 1);
	/* an abandoned document, as when an event is dropped half-written */
	pg_buf_reset(&b);
	pg_json__reset(w);
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "n", 2);
	pg_json__end_object(w);
	check_doc(&b, "{\"n\":2}");

	pg_buf_reset(&b);
	pg_json__reset(w);
	pg_json__begin_object(w);
	pg_json__end_object(w);
	check_doc(&b, "{}");
	pg_json__free(w);
	pg_json__free(NULL);
	pg_buf_free(&b);
}

/* Deeper than the writer's comma-state table (32 levels): still valid. */
static void test_json_writer_deep_nesting(void **state)
{
	struct pg_buf b;
	struct pg_json *w;
	int i, depth = 40;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	for (i = 0; i < depth; i++) {
		pg_json__begin_array(w);
		pg_json__uint(w, i);
	}
	for (i = 0; i < depth; i++) {
		pg_json__uint(w, depth - 1 - i);
		pg_json__end_array(w);
	}
	assert_false(b.failed);
	assert_true(json_valid(b.data, b.len));
	assert_memory_equal(b.data, "[0,[1,[2,", 9);
	assert_memory_equal(b.data + b.len - 6, ",1],0]", 6);
	pg_json__free(w);
	pg_buf_free(&b);
}

/* protojson writes 64-bit integers as strings */
static void test_json_writer_uint_str(void **state)
{
	struct pg_buf b;
	struct pg_json *w;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	pg_json__begin_object(w);
	pg_json__kv_uint_str(w, "a", 0);
	pg_json__kv_uint_str(w, "b", UINT64_MAX);
	PG_JSON_KV_UINT_STR(w, "c", 12345);
	pg_json__key(w, "d");
	pg_json__begin_array(w);
	pg_json__uint_str(w, 1);
	pg_json__uint_str(w, 10);
	pg_json__end_array(w);
	pg_json__end_object(w);
	check_doc(&b, "{\"a\":\"0\",\"b\":\"18446744073709551615\",\"c\":\"12345\","
		      "\"d\":[\"1\",\"10\"]}");
	pg_json__free(w);
	pg_buf_free(&b);
}

/*
 * The same document through the generic calls and through the pre-quoted
 * macros, including the odd sequences (a key right after a key, values
 * after a depth beyond the writer's table): byte for byte the same.
 */
static void render_both(struct pg_json *w, bool quoted, const char *s)
{
	pg_json__begin_object(w);
	if (quoted) {
		PG_JSON_KV_STRING(w, "exec_id", s);
		PG_JSON_KV_STRING(w, "null", NULL);
		PG_JSON_KV_STRING_N(w, "n", "a\0b\"", 4);
		PG_JSON_KV_UINT(w, "pid", 4242);
		PG_JSON_KV_UINT(w, "max", UINT64_MAX);
		PG_JSON_KV_UINT_STR(w, "id", 77);
		PG_JSON_KV_INT(w, "min", INT64_MIN);
		PG_JSON_KV_INT(w, "neg", -5);
		PG_JSON_KV_BOOL(w, "t", true);
		PG_JSON_KV_BOOL(w, "f", false);
		PG_JSON_KEY(w, "ns");
	} else {
		pg_json__kv_string(w, "exec_id", s);
		pg_json__kv_string(w, "null", NULL);
		pg_json__kv_string_n(w, "n", "a\0b\"", 4);
		pg_json__kv_uint(w, "pid", 4242);
		pg_json__kv_uint(w, "max", UINT64_MAX);
		pg_json__kv_uint_str(w, "id", 77);
		pg_json__kv_int(w, "min", INT64_MIN);
		pg_json__kv_int(w, "neg", -5);
		pg_json__kv_bool(w, "t", true);
		pg_json__kv_bool(w, "f", false);
		pg_json__key(w, "ns");
	}
	pg_json__begin_object(w);
	if (quoted) {
		PG_JSON_KV_UINT(w, "mnt", 1);
		/* misuse, but defined: a key where a value was due */
		PG_JSON_KEY(w, "k1");
		PG_JSON_KV_UINT(w, "k2", 2);
		PG_JSON_KEY(w, "arr");
	} else {
		pg_json__kv_uint(w, "mnt", 1);
		pg_json__key(w, "k1");
		pg_json__kv_uint(w, "k2", 2);
		pg_json__key(w, "arr");
	}
	pg_json__begin_array(w);
	pg_json__uint(w, 1);
	pg_json__end_array(w);
	pg_json__end_object(w);
	pg_json__end_object(w);
}

static void test_json_writer_quoted_keys_same_output(void **state)
{
	static const char *const values[] = { "", "plain", "q\"b\\", "\xff\x01\xc3\xa9",
					      "a much longer value, more than a word or two" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct pg_buf a, b;
		struct pg_json *wa, *wb;

		pg_buf_init(&a);
		pg_buf_init(&b);
		wa = pg_json__new(&a);
		wb = pg_json__new(&b);
		assert_non_null(wa);
		assert_non_null(wb);
		render_both(wa, false, values[i]);
		render_both(wb, true, values[i]);
		assert_false(a.failed);
		assert_false(b.failed);
		assert_string_equal(b.data, a.data);
		assert_int_equal(b.len, a.len);
		pg_json__free(wa);
		pg_json__free(wb);
		pg_buf_free(&a);
		pg_buf_free(&b);
	}
}

static void test_json_writer_quoted_keys_exact(void **state)
{
	struct pg_buf b;
	struct pg_json *w;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	pg_json__begin_object(w);
	PG_JSON_KV_UINT(w, "pid", 7);
	PG_JSON_KV_STRING(w, "binary", "/usr/bin/curl");
	PG_JSON_KEY(w, "ns");
	pg_json__begin_object(w);
	PG_JSON_KV_INT(w, "x", -1);
	pg_json__end_object(w);
	PG_JSON_KV_BOOL(w, "ok", true);
	pg_json__end_object(w);
	check_doc(&b, "{\"pid\":7,\"binary\":\"/usr/bin/curl\",\"ns\":{\"x\":-1},\"ok\":true}");
	pg_json__free(w);
	pg_buf_free(&b);
}

/*
 * Keys through pg_json__key() take a fast path when no byte needs an
 * escape; the others must still be escaped like any string.
 */
static void test_json_writer_keys_every_kind(void **state)
{
	struct pg_buf b;
	struct pg_json *w;

	(void)state;
	pg_buf_init(&b);
	w = pg_json__new(&b);
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "", 1);
	pg_json__kv_uint(w, "a_rather_long_key_name_past_a_word", 2);
	pg_json__kv_uint(w, "caf\xc3\xa9", 3);
	pg_json__kv_uint(w, "bad\xff", 4);
	pg_json__kv_uint(w, "back\\slash", 5);
	pg_json__kv_uint(w, "\x7f", 6);
	pg_json__end_object(w);
	check_doc(&b, "{\"\":1,\"a_rather_long_key_name_past_a_word\":2,\"caf\xc3\xa9\":3,"
		      "\"bad\\\\xff\":4,\"back\\\\slash\":5,\"\\u007f\":6}");
	pg_json__free(w);
	pg_buf_free(&b);
}

/*
 * pg_json__key() copies up to 64 bytes while it checks them; longer keys,
 * and keys whose bad byte lies past that, go the general way.
 */
static void test_json_writer_key_lengths(void **state)
{
	size_t len;

	(void)state;
	for (len = 0; len < 140; len++) {
		char key[160], want[400];
		struct pg_buf b;
		struct pg_json *w;
		size_t i;
		int bad;

		for (bad = 0; bad < 2; bad++) {
			for (i = 0; i < len; i++)
				key[i] = (char)('a' + i % 26);
			key[len] = 0;
			/* a quote as the last byte, when there is one */
			if (bad && len)
				key[len - 1] = '"';
			pg_buf_init(&b);
			w = pg_json__new(&b);
			pg_json__begin_object(w);
			pg_json__kv_uint(w, key, len);
			pg_json__end_object(w);
			strcpy(want, "{\"");
			memcpy(want + 2, key, len);
			if (bad && len)
				strcpy(want + 2 + len - 1, "\\\"");
			else
				want[2 + len] = 0;
			snprintf(want + strlen(want), 40, "\":%zu}", len);
			check_doc(&b, want);
			pg_json__free(w);
			pg_buf_free(&b);
		}
	}
}

/*
 * Keys around the 64-byte fast copy, ending at every offset around the
 * buffer's growth point: under ASan, a byte written past the room the
 * fast path reserved is caught here.
 */
static void test_json_writer_key_fast_copy_edges(void **state)
{
	size_t len, fill;

	(void)state;
	for (len = 60; len <= 70; len++) {
		for (fill = 150; fill < 280; fill++) {
			struct pg_buf b;
			struct pg_json *w;
			char key[80], want[400];
			size_t i;

			memset(key, 'k', len);
			key[len] = 0;
			pg_buf_init(&b);
			w = pg_json__new(&b);
			for (i = 0; i < fill; i++)
				pg_buf_putc(&b, ' ');
			pg_json__begin_object(w);
			pg_json__key(w, key);
			pg_json__uint(w, 1);
			pg_json__end_object(w);
			memset(want, ' ', fill);
			snprintf(want + fill, sizeof(want) - fill, "{\"%s\":1}", key);
			assert_false(b.failed);
			assert_string_equal(b.data, want);
			pg_json__free(w);
			pg_buf_free(&b);
		}
	}
}

/* Keys and values straddling the buffer's growth point at every offset. */
static void test_json_writer_across_growth(void **state)
{
	size_t fill;

	(void)state;
	for (fill = 200; fill < 300; fill++) {
		struct pg_buf a, b;
		struct pg_json *wa, *wb;
		char pad[300];

		memset(pad, 'p', fill);
		pad[fill] = 0;
		pg_buf_init(&a);
		pg_buf_init(&b);
		wa = pg_json__new(&a);
		wb = pg_json__new(&b);
		pg_json__begin_object(wa);
		pg_json__begin_object(wb);
		pg_json__kv_string(wa, "p", pad);
		pg_json__kv_string(wb, "p", pad);
		pg_json__kv_uint(wa, "some_key", UINT64_MAX);
		PG_JSON_KV_UINT(wb, "some_key", UINT64_MAX);
		pg_json__kv_uint_str(wa, "s", UINT64_MAX);
		PG_JSON_KV_UINT_STR(wb, "s", UINT64_MAX);
		pg_json__kv_string(wa, "e", "\"\x01\xff\xc3\xa9");
		PG_JSON_KV_STRING(wb, "e", "\"\x01\xff\xc3\xa9");
		pg_json__end_object(wa);
		pg_json__end_object(wb);
		assert_false(a.failed);
		assert_true(json_valid(a.data, a.len));
		assert_string_equal(b.data, a.data);
		assert_int_equal(b.len, a.len);
		pg_json__free(wa);
		pg_json__free(wb);
		pg_buf_free(&a);
		pg_buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_validator_rejects_invalid),
		cmocka_unit_test(test_buf_init_is_empty),
		cmocka_unit_test(test_buf_grows_one_byte_at_a_time),
		cmocka_unit_test(test_buf_put_large_block),
		cmocka_unit_test(test_buf_printf_short_and_long),
		cmocka_unit_test(test_buf_reset_keeps_capacity),
		cmocka_unit_test(test_buf_failed_stops_appending),
		cmocka_unit_test(test_buf_put_at_capacity_edge),
		cmocka_unit_test(test_buf_putc_fills_exactly),
		cmocka_unit_test(test_buf_empty_put_allocates),
		cmocka_unit_test(test_buf_failure_is_sticky_for_every_writer),
		cmocka_unit_test(test_json_numbers_like_printf),
		cmocka_unit_test(test_json_numbers_across_growth),
		cmocka_unit_test(test_json_escape_plain),
		cmocka_unit_test(test_json_escape_quote_backslash),
		cmocka_unit_test(test_json_escape_every_control_char),
		cmocka_unit_test(test_json_escape_nul_inside_length),
		cmocka_unit_test(test_json_escape_valid_utf8_kept),
		cmocka_unit_test(test_json_escape_invalid_utf8),
		cmocka_unit_test(test_json_escape_appends),
		cmocka_unit_test(test_json_escape_terminal_controls),
		cmocka_unit_test(test_json_escape_terminal_text),
		cmocka_unit_test(test_json_escape_terminal_invalid_utf8),
		cmocka_unit_test(test_json_escape_terminal_c1_controls),
		cmocka_unit_test(test_json_escape_large_random_bytes),
		cmocka_unit_test(test_json_escape_large_mixed_utf8),
		cmocka_unit_test(test_json_escape_all_byte_pairs),
		cmocka_unit_test(test_json_escape_same_as_before_random),
		cmocka_unit_test(test_json_escape_same_as_before_byte_pairs_in_words),
		cmocka_unit_test(test_json_escape_same_as_before_across_growth),
		cmocka_unit_test(test_json_escape_sequences_at_every_offset),
		cmocka_unit_test(test_json_escape_word_tail),
		cmocka_unit_test(test_json_writer_object),
		cmocka_unit_test(test_json_writer_nested_commas),
		cmocka_unit_test(test_json_writer_array_of_objects),
		cmocka_unit_test(test_json_writer_escapes_keys_and_values),
		cmocka_unit_test(test_json_writer_reset_between_documents),
		cmocka_unit_test(test_json_writer_deep_nesting),
		cmocka_unit_test(test_json_writer_uint_str),
		cmocka_unit_test(test_json_writer_quoted_keys_same_output),
		cmocka_unit_test(test_json_writer_quoted_keys_exact),
		cmocka_unit_test(test_json_writer_keys_every_kind),
		cmocka_unit_test(test_json_writer_key_lengths),
		cmocka_unit_test(test_json_writer_key_fast_copy_edges),
		cmocka_unit_test(test_json_writer_across_growth),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
