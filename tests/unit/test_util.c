// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/util.c: exec ids, base64, RFC 3339 timestamps and the
 * number parsers behind every size and count on the command line. The
 * timestamps are formatted by hand, so they are checked against gmtime_r()
 * and strftime() on every day a uint64_t of nanoseconds can reach.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "proc_cache.h"
#include "util.h"

/* ---- base64 ---- */

/* A decoder written for the test, strict about padding and alphabet. */
static int b64_value(char c)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(tbl, c) : NULL;

	return p ? (int)(p - tbl) : -1;
}

static size_t b64_decode(const char *in, unsigned char *out, size_t size)
{
	size_t n = strlen(in), i, o = 0;

	assert_int_equal(n % 4, 0);
	for (i = 0; i < n; i += 4) {
		int v[4], k, pad = 0;

		for (k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			/* nothing after padding, and only the alphabet */
			assert_int_equal(pad, 0);
			v[k] = b64_value(in[i + k]);
			assert_true(v[k] >= 0);
		}
		assert_true(o + 3 - pad <= size);
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[o++] = (unsigned char)(v[1] << 4 | v[2] >> 2);
		if (pad < 1)
			out[o++] = (unsigned char)(v[2] << 6 | v[3]);
	}
	return o;
}

static void test_util_base64_rfc4648_vectors(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(v); i++) {
		char out[32];

		memset(out, 'X', sizeof(out));
		assert_int_equal(pg_base64_encode(out, sizeof(out), v[i].in, strlen(v[i].in)),
				 strlen(v[i].out));
		assert_string_equal(out, v[i].out);
	}
}

static void test_util_base64_binary_bytes(void **state)
{
	unsigned char in[256], back[256];
	char out[400];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(255 - i);
	/* every length 0..256, so each tail (0, 1, 2 leftover bytes) is hit */
	for (n = 0; n <= sizeof(in); n++) {
		size_t len = pg_base64_encode(out, sizeof(out), in, n);

		assert_int_equal(len, (n + 2) / 3 * 4);
		assert_int_equal(b64_decode(out, back, sizeof(back)), n);
		assert_memory_equal(back, in, n);
	}
}

static void test_util_base64_buffer_too_small(void **state)
{
	char out[16];

	(void)state;
	/* "foobar" needs 8 characters and the NUL */
	memset(out, 'X', sizeof(out));
	assert_int_equal(pg_base64_encode(out, 8, "foobar", 6), 0);
	/* nothing written past the buffer it was given */
	assert_int_equal(out[8], 'X');
	assert_int_equal(pg_base64_encode(out, 9, "foobar", 6), 8);
	assert_string_equal(out, "Zm9vYmFy");
	assert_int_equal(pg_base64_encode(out, 4, "f", 1), 0);
	assert_int_equal(pg_base64_encode(out, 0, "", 0), 0);
	assert_int_equal(pg_base64_encode(out, 1, "", 0), 0);
	assert_string_equal(out, "");
}

/* ---- exec_id ---- */

static void check_exec_id(const char *node, uint64_t ktime, uint32_t pid)
{
	char id[PG_EXEC_ID_LEN], want[200];
	unsigned char raw[200];
	size_t len, n;

	len = pg_exec_id(id, sizeof(id), node, ktime, pid);
	assert_true(len > 0);
	assert_int_equal(len, strlen(id));
	n = b64_decode(id, raw, sizeof(raw) - 1);
	raw[n] = 0;
	snprintf(want, sizeof(want), "%s:%" PRIu64 ":%" PRIu32, node, ktime, pid);
	assert_string_equal((char *)raw, want);
}

static void test_util_exec_id_decodes_to_node_ktime_pid(void **state)
{
	(void)state;
	check_exec_id("node1", 123456789, 4242);
	check_exec_id("worker-7.example.org", 0, 1);
	check_exec_id("x", 1, 0);
	/*
	 * The largest realistic one: a 64-byte hostname (HOST_NAME_MAX), 31
	 * years of uptime in ns, pid_max's limit. It must fit the field the
	 * process cache keeps it in.
	 */
	check_exec_id("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		      999999999999999999ULL, 4194304);
}

static void test_util_exec_id_unique_per_key(void **state)
{
	char a[PG_EXEC_ID_LEN], b[PG_EXEC_ID_LEN];

	(void)state;
	/* pid reuse: the ktime tells two images apart */
	pg_exec_id(a, sizeof(a), "n", 1000, 7);
	pg_exec_id(b, sizeof(b), "n", 1001, 7);
	assert_string_not_equal(a, b);
	pg_exec_id(b, sizeof(b), "m", 1000, 7);
	assert_string_not_equal(a, b);
	pg_exec_id(b, sizeof(b), "n", 1000, 7);
	assert_string_equal(a, b);
}

static void test_util_exec_id_buffer_too_small(void **state)
{
	char id[8];

	(void)state;
	memset(id, 'X', sizeof(id));
	assert_int_equal(pg_exec_id(id, sizeof(id), "node1", 123456789, 4242), 0);
	assert_int_equal(id[0], 'X');
}

/*
 * pg_exec_id() as it was before it formatted by hand: snprintf() and
 * base64. The reference for the test below; kept as written then.
 */
static size_t old_exec_id(char *buf, size_t size, const char *node, uint64_t ktime, uint32_t pid)
{
	char raw[160];
	int n;

	n = snprintf(raw, sizeof(raw), "%.64s:%" PRIu64 ":%" PRIu32, node, ktime, pid);
	if (n < 0 || (size_t)n >= sizeof(raw))
		return 0;
	return pg_base64_encode(buf, size, raw, n);
}

static void test_util_exec_id_same_as_before(void **state)
{
	static const char *const nodes[] = {
		"",
		"n",
		"node-1.example.org",
		/* 63, 64 and 65 bytes: "%.64s" cut the node name at 64 */
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefX",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
	};
	uint64_t r = 0x2545f4914f6cdd1dULL;
	size_t i, size;
	int k;

	(void)state;
	for (k = 0; k < 20000; k++) {
		char got[160], want[160];
		uint64_t ktime;
		uint32_t pid;
		size_t ng, nw;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		ktime = k < 3 ? (uint64_t[]){ 0, UINT64_MAX, 1 }[k] : r >> (k % 64);
		pid = k < 3 ? (uint32_t[]){ 0, UINT32_MAX, 1 }[k] : (uint32_t)(r >> (k % 32));
		i = k % PG_ARRAY_SIZE(nodes);
		/* sizes from 0 up, too small for some results and not others */
		size = k % 7 ? sizeof(got) : (size_t)(k % 150);
		memset(got, 'X', sizeof(got));
		memset(want, 'X', sizeof(want));
		ng = pg_exec_id(got, size, nodes[i], ktime, pid);
		nw = old_exec_id(want, size, nodes[i], ktime, pid);
		assert_int_equal(ng, nw);
		assert_memory_equal(got, want, sizeof(got));
	}
}

/* ---- decimal digits ---- */

static void check_fmt_u64(uint64_t v)
{
	char got[PG_U64_DIGITS + 8], want[32];
	size_t n;

	memset(got, 'X', sizeof(got));
	n = pg_fmt_u64(got, v);
	snprintf(want, sizeof(want), "%" PRIu64, v);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(got, want, n);
	/* no NUL, and nothing past the digits */
	assert_int_equal(got[n], 'X');
}

static void test_util_fmt_u64_like_printf(void **state)
{
	uint64_t p = 1, r = 0x9e3779b97f4a7c15ULL;
	int i;

	(void)state;
	/* both sides of every power of ten, and of the 8-digit chunks */
	for (i = 0; i < 20; i++, p *= 10) {
		check_fmt_u64(p - 1);
		check_fmt_u64(p);
		check_fmt_u64(p + 1);
	}
	check_fmt_u64(0);
	check_fmt_u64(UINT64_MAX);
	check_fmt_u64(10000000000000000ULL - 1);
	check_fmt_u64(10000000000000000ULL);
	check_fmt_u64(10000000000000001ULL);
	check_fmt_u64(100000000000000000ULL + 99999999);
	for (i = 0; i < 100000; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		check_fmt_u64(r >> (i % 64));
	}
}

/* ---- RFC 3339 ---- */

static void test_util_rfc3339_known_times(void **state)
{
	static const struct {
		uint64_t ns;
		const char *want;
	} v[] = {
		{ 0, "1970-01-01T00:00:00.000000000Z" },
		{ 1, "1970-01-01T00:00:00.000000001Z" },
		{ 999999999, "1970-01-01T00:00:00.999999999Z" },
		{ 1000000000, "1970-01-01T00:00:01.000000000Z" },
		{ 951782400000000000ULL, "2000-02-29T00:00:00.000000000Z" },
		{ 1700000000123456789ULL, "2023-11-14T22:13:20.123456789Z" },
		{ 1700000000000001000ULL, "2023-11-14T22:13:20.000001000Z" },
		/* the y2038 boundary of a 32-bit time_t */
		{ 2147483648000000000ULL, "2038-01-19T03:14:08.000000000Z" },
		{ UINT64_MAX, "2554-07-21T23:34:33.709551615Z" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(v); i++) {
		char buf[PG_RFC3339_LEN];

		pg_format_rfc3339(buf, sizeof(buf), v[i].ns);
		assert_string_equal(buf, v[i].want);
	}
}

static void test_util_rfc3339_truncates_safely(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	pg_format_rfc3339(buf, 11, 1700000000123456789ULL);
	assert_string_equal(buf, "2023-11-14");
	assert_int_equal(buf[11], 'X');
}

/*
 * pg_format_rfc3339() as it was before it formatted by hand and kept the
 * last second: gmtime_r(), strftime() and snprintf(). The reference for
 * the differential tests below; kept as written then, on purpose, but
 * for one volatile: with a call site's size in view, GCC warns that a
 * date could fill base[] and be truncated, which no uint64_t time can do.
 */
static void old_format_rfc3339(char *buf, volatile size_t size, uint64_t realtime_ns)
{
	time_t secs = realtime_ns / 1000000000ULL;
	struct tm tm;
	char base[32];

	if (!gmtime_r(&secs, &tm) || !strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(base, sizeof(base), "1970-01-01T00:00:00");
	snprintf(buf, size, "%s.%09" PRIu64 "Z", base, (uint64_t)(realtime_ns % 1000000000ULL));
}

static void check_rfc3339_same(uint64_t ns)
{
	char got[PG_RFC3339_LEN], want[PG_RFC3339_LEN];
	size_t n;

	n = pg_format_rfc3339(got, sizeof(got), ns);
	old_format_rfc3339(want, sizeof(want), ns);
	if (strcmp(got, want))
		fail_msg("%" PRIu64 ": got %s, want %s", ns, got, want);
	assert_int_equal(n, PG_RFC3339_STRLEN);
	assert_int_equal(strlen(got), PG_RFC3339_STRLEN);
}

/* Every day the format can reach: each month and leap-year rule. */
static void test_util_rfc3339_every_day(void **state)
{
	const uint64_t day = 86400ULL * 1000000000ULL;
	uint64_t d, last = UINT64_MAX / day;
	uint64_t r = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (d = 0; d <= last; d++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		/* the first and last nanosecond of the day, and one inside it */
		check_rfc3339_same(d * day);
		if (d < last) {
			check_rfc3339_same(d * day + day - 1);
			check_rfc3339_same(d * day + (r >> 16) % day);
		}
	}
	check_rfc3339_same(UINT64_MAX);
}

static void test_util_rfc3339_calendar_edges(void **state)
{
	static const struct {
		uint64_t sec;
		const char *want;
	} v[] = {
		/* 1972, the first leap year after 1970 */
		{ 68169599, "1972-02-28T23:59:59" },
		{ 68169600, "1972-02-29T00:00:00" },
		{ 68255999, "1972-02-29T23:59:59" },
		{ 68256000, "1972-03-01T00:00:00" },
		{ 94694399, "1972-12-31T23:59:59" },
		/* 2000: divisible by 400, a leap year */
		{ 951868800, "2000-03-01T00:00:00" },
		{ 1483228799, "2016-12-31T23:59:59" },
		{ 1483228800, "2017-01-01T00:00:00" },
		/* 2100: divisible by 100, not a leap year */
		{ 4107542399, "2100-02-28T23:59:59" },
		{ 4107542400, "2100-03-01T00:00:00" },
		{ 13574563200, "2400-02-29T00:00:00" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(v); i++) {
		char buf[PG_RFC3339_LEN], want[PG_RFC3339_LEN];

		pg_format_rfc3339(buf, sizeof(buf), v[i].sec * 1000000000ULL + 42);
		snprintf(want, sizeof(want), "%s.000000042Z", v[i].want);
		assert_string_equal(buf, want);
		check_rfc3339_same(v[i].sec * 1000000000ULL + 42);
	}
}

/*
 * The last second is cached: times in the same second, the next one, one
 * in the past and back again, alternating on every call.
 */
static void test_util_rfc3339_cache_follows_every_call(void **state)
{
	static const uint64_t t[] = {
		1700000000000000000ULL,
		1700000000999999999ULL,
		1700000001000000000ULL,
		1700000000500000000ULL,
		1600000000000000001ULL,
		1700000000000000000ULL,
		0,
		0,
		999999999,
		1000000000,
		UINT64_MAX,
		UINT64_MAX - 999999999,
		1700000000000000000ULL,
	};
	uint64_t ns = 1795618245999990000ULL;
	size_t i;
	int k;

	(void)state;
	for (k = 0; k < 3; k++)
		for (i = 0; i < PG_ARRAY_SIZE(t); i++)
			check_rfc3339_same(t[i]);
	/* a stream 3.7 us apart, across many seconds */
	for (k = 0; k < 2000000; k++, ns += 3700)
		if (k % 97 == 0 || (ns % 1000000000ULL) < 3700)
			check_rfc3339_same(ns);
		else
			pg_format_rfc3339((char[PG_RFC3339_LEN]){ 0 }, PG_RFC3339_LEN, ns);
	check_rfc3339_same(ns);
	check_rfc3339_same(ns - 1000000000ULL);
}

static void test_util_rfc3339_random(void **state)
{
	uint64_t r = 88172645463325252ULL;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		check_rfc3339_same(r);
		check_rfc3339_same(r >> (i % 64));
	}
}

/* Cut short at every size, as snprintf() cuts: same bytes, same length. */
static void test_util_rfc3339_every_size(void **state)
{
	size_t size;

	(void)state;
	for (size = 0; size <= PG_RFC3339_LEN; size++) {
		char got[PG_RFC3339_LEN + 8], want[PG_RFC3339_LEN + 8];
		size_t n;

		memset(got, 'X', sizeof(got));
		memset(want, 'X', sizeof(want));
		n = pg_format_rfc3339(got, size, 1700000000123456789ULL);
		old_format_rfc3339(want, size, 1700000000123456789ULL);
		assert_memory_equal(got, want, sizeof(got));
		assert_int_equal(n, size ? (size - 1 < 30 ? size - 1 : 30) : 0);
		if (size)
			assert_int_equal(n, strlen(got));
	}
}

/*
 * The cache is per thread: two threads formatting times of different
 * seconds at once must each get their own, never the other's date.
 */
struct rfc3339_thread {
	uint64_t base;
	int bad;
};

static void *rfc3339_thread_main(void *arg)
{
	struct rfc3339_thread *t = arg;
	char want[PG_RFC3339_LEN];
	int i;

	old_format_rfc3339(want, sizeof(want), t->base);
	for (i = 0; i < 200000; i++) {
		char got[PG_RFC3339_LEN];

		/* another second in between, so the cache keeps changing */
		pg_format_rfc3339(got, sizeof(got), t->base + 1000000000ULL);
		pg_format_rfc3339(got, sizeof(got), t->base);
		if (strcmp(got, want))
			t->bad++;
	}
	return NULL;
}

static void test_util_rfc3339_threads_do_not_share(void **state)
{
	struct rfc3339_thread t[2] = { { 1700000000123456789ULL, 0 },
				       { 946684800987654321ULL, 0 } };
	pthread_t th[2];
	int i;

	(void)state;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, rfc3339_thread_main, &t[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(t[0].bad, 0);
	assert_int_equal(t[1].bad, 0);
}

/* ---- pg_parse_size ---- */

static void check_size(const char *s, uint64_t want)
{
	uint64_t v = 12345;

	if (pg_parse_size(s, &v))
		fail_msg("pg_parse_size(\"%s\") failed", s);
	if (v != want)
		fail_msg("pg_parse_size(\"%s\") = %" PRIu64 ", want %" PRIu64, s, v, want);
}

static void check_size_bad(const char *s)
{
	uint64_t v = 12345;
	int err = pg_parse_size(s, &v);

	if (err >= 0)
		fail_msg("pg_parse_size(\"%s\") accepted it: %" PRIu64, s, v);
	if (err != -EINVAL && err != -ERANGE)
		fail_msg("pg_parse_size(\"%s\") = %d, want -EINVAL or -ERANGE", s, err);
	/* ret_ parameters are untouched on failure */
	assert_int_equal(v, 12345);
}

static void test_util_parse_size_valid(void **state)
{
	(void)state;
	check_size("0", 0);
	check_size("4096", 4096);
	check_size("4K", 4096);
	check_size("4k", 4096);
	check_size("8M", 8ULL << 20);
	check_size("8m", 8ULL << 20);
	check_size("1G", 1ULL << 30);
	check_size("1g", 1ULL << 30);
	check_size("1KiB", 1024);
	check_size("16MiB", 16ULL << 20);
	check_size("2GiB", 2ULL << 30);
	check_size("18446744073709551615", UINT64_MAX);
	check_size("17179869183G", 17179869183ULL << 30);
}

static void test_util_parse_size_garbage(void **state)
{
	static const char *const bad[] = {
		"",	"K",	"abc", "4X",	"4KX", "4 K", "4K ",
		"0x10", "1.5M", "4K4", "4KiBB", "4T",  "M4",
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(bad); i++)
		check_size_bad(bad[i]);
	assert_true(pg_parse_size(NULL, &(uint64_t){ 0 }) < 0);
}

static void test_util_parse_size_negative(void **state)
{
	(void)state;
	check_size_bad("-1");
	check_size_bad("-4K");
	check_size_bad("-0");
	check_size_bad("+4");
}

/*
 * strtoull() skips leading blanks and then accepts a sign, negating the
 * value: " -1" would come back as 2^64-1, a size no one asked for.
 */
static void test_util_parse_size_negative_after_blanks(void **state)
{
	(void)state;
	check_size_bad(" -1");
	check_size_bad("\t-4096");
	check_size_bad(" +4");
}

/* "iB" is the tail of KiB/MiB/GiB, not a unit of its own. */
static void test_util_parse_size_suffix_without_unit(void **state)
{
	(void)state;
	check_size_bad("4096i");
	check_size_bad("4096iB");
}

static void test_util_parse_size_overflow(void **state)
{
	(void)state;
	check_size_bad("18446744073709551616");
	check_size_bad("99999999999999999999999");
	/* 2^34 G = 2^64 */
	check_size_bad("17179869184G");
	check_size_bad("18014398509481984K");
	check_size_bad("17592186044416M");
}

/* ---- pg_parse_uint ---- */

static void test_util_parse_uint_valid(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(pg_parse_uint("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(pg_parse_uint("42", 100, &v), 0);
	assert_int_equal(v, 42);
	/* the bound is inclusive */
	assert_int_equal(pg_parse_uint("100", 100, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(pg_parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
	assert_int_equal(v, UINT64_MAX);
}

static void test_util_parse_uint_invalid(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", "abc", "12a", "1K", "1.0", "0x1", "101", "18446744073709551616",
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(bad); i++) {
		uint64_t v = 777;
		int err = pg_parse_uint(bad[i], 100, &v);

		if (err != -EINVAL && err != -ERANGE)
			fail_msg("pg_parse_uint(\"%s\", 100) = %d, want -EINVAL or -ERANGE", bad[i],
				 err);
		assert_int_equal(v, 777);
	}
	assert_int_equal(pg_parse_uint("101", 100, &(uint64_t){ 0 }), -ERANGE);
	assert_true(pg_parse_uint(NULL, 100, &(uint64_t){ 0 }) < 0);
}

/* As for sizes: no sign may sneak in behind blanks. */
static void test_util_parse_uint_negative_after_blanks(void **state)
{
	uint64_t v = 777;

	(void)state;
	assert_true(pg_parse_uint(" -1", UINT64_MAX, &v) < 0);
	assert_int_equal(v, 777);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_base64_rfc4648_vectors),
		cmocka_unit_test(test_util_base64_binary_bytes),
		cmocka_unit_test(test_util_base64_buffer_too_small),
		cmocka_unit_test(test_util_exec_id_decodes_to_node_ktime_pid),
		cmocka_unit_test(test_util_exec_id_unique_per_key),
		cmocka_unit_test(test_util_exec_id_buffer_too_small),
		cmocka_unit_test(test_util_exec_id_same_as_before),
		cmocka_unit_test(test_util_fmt_u64_like_printf),
		cmocka_unit_test(test_util_rfc3339_known_times),
		cmocka_unit_test(test_util_rfc3339_truncates_safely),
		cmocka_unit_test(test_util_rfc3339_every_day),
		cmocka_unit_test(test_util_rfc3339_calendar_edges),
		cmocka_unit_test(test_util_rfc3339_cache_follows_every_call),
		cmocka_unit_test(test_util_rfc3339_random),
		cmocka_unit_test(test_util_rfc3339_every_size),
		cmocka_unit_test(test_util_rfc3339_threads_do_not_share),
		cmocka_unit_test(test_util_parse_size_valid),
		cmocka_unit_test(test_util_parse_size_garbage),
		cmocka_unit_test(test_util_parse_size_negative),
		cmocka_unit_test(test_util_parse_size_negative_after_blanks),
		cmocka_unit_test(test_util_parse_size_suffix_without_unit),
		cmocka_unit_test(test_util_parse_size_overflow),
		cmocka_unit_test(test_util_parse_uint_valid),
		cmocka_unit_test(test_util_parse_uint_invalid),
		cmocka_unit_test(test_util_parse_uint_negative_after_blanks),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
