/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef PG_UTIL_H
#define PG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define PG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PG_RFC3339_LEN 40
/* strlen("2026-11-25T15:04:05.123456789Z"): every time has this length */
#define PG_RFC3339_STRLEN 30

/*
 * RFC 3339, UTC, nanoseconds: 2026-11-25T15:04:05.123456789Z. Truncated to
 * fit @size as snprintf() would; returns the length written, without the
 * NUL (PG_RFC3339_STRLEN with a PG_RFC3339_LEN buffer), so callers can
 * hand it on without strlen(). Formatted by hand, with the date and time
 * of the last second kept per thread: no printf, gmtime or strftime.
 */
size_t pg_format_rfc3339(char *buf, size_t size, uint64_t realtime_ns);

/*
 * The decimal digits of @v at @dst, as printf's %PRIu64 writes them but
 * without a NUL; @dst has room for PG_U64_DIGITS. Returns how many.
 */
#define PG_U64_DIGITS 20
size_t pg_fmt_u64(char *dst, uint64_t v);

/* CLOCK_REALTIME - CLOCK_MONOTONIC, to turn kernel ktimes into wall time. */
int64_t pg_clock_offset_ns(void);
uint64_t pg_now_mono_ns(void);

/*
 * exec_id: base64("NODE:KTIME:PID"), the form Tetragon uses, so it is
 * unique per host and boot and stable for the life of the process image.
 * Returns the length written (without NUL), or 0 if @size is too small.
 */
size_t pg_exec_id(char *buf, size_t size, const char *node, uint64_t ktime, uint32_t pid);
size_t pg_base64_encode(char *out, size_t size, const void *in, size_t n);

/* Parse a decimal number with an optional K/M/G suffix (powers of 1024). */
int pg_parse_size(const char *s, uint64_t *ret_size);
int pg_parse_uint(const char *s, uint64_t max, uint64_t *ret);

#endif
