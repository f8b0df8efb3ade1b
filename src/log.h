/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Diagnostics go to stderr, never to the event stream. */
#ifndef PG_LOG_H
#define PG_LOG_H

enum pg_log_level {
	PG_LOG_ERROR,
	PG_LOG_WARN,
	PG_LOG_INFO,
	PG_LOG_DEBUG,
};

extern enum pg_log_level pg_log_level;

void pg_log(enum pg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pg_err(...) pg_log(PG_LOG_ERROR, __VA_ARGS__)
#define pg_warn(...) pg_log(PG_LOG_WARN, __VA_ARGS__)
#define pg_info(...) pg_log(PG_LOG_INFO, __VA_ARGS__)
#define pg_dbg(...) pg_log(PG_LOG_DEBUG, __VA_ARGS__)

#endif
