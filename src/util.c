// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

void pg_format_rfc3339(char *buf, size_t size, uint64_t realtime_ns)
{
	time_t secs = realtime_ns / 1000000000ULL;
	struct tm tm;
	char base[32];

	if (!gmtime_r(&secs, &tm) || !strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(base, sizeof(base), "1970-01-01T00:00:00");
	snprintf(buf, size, "%s.%09" PRIu64 "Z", base, (uint64_t)(realtime_ns % 1000000000ULL));
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

size_t pg_exec_id(char *buf, size_t size, const char *node, uint64_t ktime, uint32_t pid)
{
	char raw[160];
	int n;

	n = snprintf(raw, sizeof(raw), "%.64s:%" PRIu64 ":%" PRIu32, node, ktime, pid);
	if (n < 0 || (size_t)n >= sizeof(raw))
		return 0;
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
