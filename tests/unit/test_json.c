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
		cmocka_unit_test(test_json_writer_object),
		cmocka_unit_test(test_json_writer_nested_commas),
		cmocka_unit_test(test_json_writer_array_of_objects),
		cmocka_unit_test(test_json_writer_escapes_keys_and_values),
		cmocka_unit_test(test_json_writer_reset_between_documents),
		cmocka_unit_test(test_json_writer_deep_nesting),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
