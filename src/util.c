// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* "00" "01" ... "99": two digits per division halves the divisions. */
static const char pg_digit_pairs[201] = "00010203040506070809"
					"10111213141516171819"
					"20212223242526272829"
					"30313233343536373839"
					"40414243444546474849"
					"50515253545556575859"
					"60616263646566676869"
					"70717273747576777879"
					"80818283848586878889"
					"90919293949596979899";

/* @v < 10^8, in 32-bit arithmetic; returns the number of digits. */
static inline size_t pg_u32_fmt(char *dst, uint32_t v)
{
	size_t n;
	char *p;

	if (v < 10000)
		n = v < 100 ? (v < 10 ? 1 : 2) : (v < 1000 ? 3 : 4);
	else
		n = v < 1000000 ? (v < 100000 ? 5 : 6) : (v < 10000000 ? 7 : 8);
	p = dst + n;
	while (v >= 100) {
		uint32_t r = v % 100;

		v /= 100;
		p -= 2;
		memcpy(p, pg_digit_pairs + 2 * r, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pg_digit_pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	return n;
}

/* Exactly 8 digits of @v < 10^8, leading zeros included: two independent halves. */
static inline void pg_u32_fmt8(char *p, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;

	memcpy(p, pg_digit_pairs + 2 * (hi / 100), 2);
	memcpy(p + 2, pg_digit_pairs + 2 * (hi % 100), 2);
	memcpy(p + 4, pg_digit_pairs + 2 * (lo / 100), 2);
	memcpy(p + 6, pg_digit_pairs + 2 * (lo % 100), 2);
}

/*
 * In chunks of 8 digits, so most of the work is 32-bit and does not wait
 * on one long chain of 64-bit divisions.
 */
size_t pg_fmt_u64(char *dst, uint64_t v)
{
	const uint64_t e8 = 100000000ULL, e16 = e8 * e8;
	size_t n;

	if (v < e8)
		return pg_u32_fmt(dst, (uint32_t)v);
	if (v < e16) {
		n = pg_u32_fmt(dst, (uint32_t)(v / e8));
		pg_u32_fmt8(dst + n, (uint32_t)(v % e8));
		return n + 8;
	}
	n = pg_u32_fmt(dst, (uint32_t)(v / e16));
	v %= e16;
	pg_u32_fmt8(dst + n, (uint32_t)(v / e8));
	pg_u32_fmt8(dst + n + 8, (uint32_t)(v % e8));
	return n + 16;
}

/*
 * Days since 1970-01-01 to a proleptic Gregorian date: Howard Hinnant's
 * civil_from_days, in unsigned arithmetic since no time here is before the
 * epoch. It is exact for every day a uint64_t of nanoseconds can reach
 * (up to 2554), without gmtime_r()'s time zone lock and lookups.
 */
static void pg_civil_from_days(uint64_t days, unsigned *ret_y, unsigned *ret_m, unsigned *ret_d)
{
	uint64_t z = days + 719468; /* from 0000-03-01, so leap days come last */
	uint64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);			      /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		      /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;				      /* March = 0 */
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	*ret_y = (unsigned)(yoe + era * 400) + (m <= 2);
	*ret_m = m;
	*ret_d = doy - (153 * mp + 2) / 5 + 1;
}

static void pg_put_digits(char *p, unsigned v, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * The date and time of day change once a second while events arrive by
 * the hundred thousand, so the "YYYY-MM-DDTHH:MM:SS" of the last second
 * formatted is kept. It is per thread, so concurrent callers cannot tear
 * it (the agent has one thread; the tests and tools may have more).
 */
static _Thread_local uint64_t pg_rfc3339_sec = UINT64_MAX;
static _Thread_local char pg_rfc3339_base[19];

size_t pg_format_rfc3339(char *buf, size_t size, uint64_t realtime_ns)
{
	uint64_t sec = realtime_ns / 1000000000ULL;
	unsigned ns = (unsigned)(realtime_ns % 1000000000ULL);
	char tmp[PG_RFC3339_STRLEN + 1];
	/* written in place, unless it has to be cut short to fit */
	char *out = size > PG_RFC3339_STRLEN ? buf : tmp;

	if (sec != pg_rfc3339_sec) {
		unsigned y, mo, d, tod = (unsigned)(sec % 86400);
		char *p = pg_rfc3339_base;

		pg_civil_from_days(sec / 86400, &y, &mo, &d);
		pg_put_digits(p, y, 4);
		p[4] = '-';
		pg_put_digits(p + 5, mo, 2);
		p[7] = '-';
		pg_put_digits(p + 8, d, 2);
		p[10] = 'T';
		pg_put_digits(p + 11, tod / 3600, 2);
		p[13] = ':';
		pg_put_digits(p + 14, tod / 60 % 60, 2);
		p[16] = ':';
		pg_put_digits(p + 17, tod % 60, 2);
		pg_rfc3339_sec = sec;
	}
	memcpy(out, pg_rfc3339_base, 19);
	out[19] = '.';
	out[20] = (char)('0' + ns / 100000000);
	pg_u32_fmt8(out + 21, ns % 100000000);
	out[29] = 'Z';
	out[30] = 0;
	if (out == buf)
		return PG_RFC3339_STRLEN;
	/* as snprintf() would: truncated to fit, NUL-terminated unless @size is 0 */
	if (!size)
		return 0;
	memcpy(buf, tmp, size - 1);
	buf[size - 1] = 0;
	return size - 1;
}

static uint64_t pg_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t pg_now_mono_ns(void)
{
	return pg_clock_ns(CLOCK_MONOTONIC);
}

int64_t pg_clock_offset_ns(void)
{
	uint64_t m1 = pg_clock_ns(CLOCK_MONOTONIC);
	uint64_t r = pg_clock_ns(CLOCK_REALTIME);
	uint64_t m2 = pg_clock_ns(CLOCK_MONOTONIC);

	return (int64_t)(r - (m1 + (m2 - m1) / 2));
}

size_t pg_base64_encode(char *out, size_t size, const void *in, size_t n)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = in;
	size_t need = (n + 2) / 3 * 4, i, o = 0;

	if (size < need + 1)
		return 0;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = s[i] << 16 | s[i + 1] << 8 | s[i + 2];

		out[o++] = tbl[v >> 18];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = tbl[(v >> 6) & 63];
		out[o++] = tbl[v & 63];
	}
	if (i < n) {
		uint32_t v = s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0);

		out[o++] = tbl[v >> 18];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = 0;
	return o;
}

/*
 * Two per exec and one per fork: by hand rather than with snprintf(),
 * which cost more than the base64 that follows. The node name is cut at
 * 64 bytes, as "%.64s" did.
 */
size_t pg_exec_id(char *buf, size_t size, const char *node, uint64_t ktime, uint32_t pid)
{
	char raw[64 + 1 + 20 + 1 + 10];
	size_t n = strnlen(node, 64);

	memcpy(raw, node, n);
	raw[n++] = ':';
	n += pg_fmt_u64(raw + n, ktime);
	raw[n++] = ':';
	n += pg_fmt_u64(raw + n, pid);
	return pg_base64_encode(buf, size, raw, n);
}

int pg_parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	/* strtoull() would skip blanks and take a sign: " -1" is UINT64_MAX */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int pg_parse_size(const char *s, uint64_t *ret_size)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	/* strtoull() would skip blanks and take a sign: " -1" is UINT64_MAX */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 0: break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default: return -EINVAL;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret_size = v << shift;
	return 0;
}
