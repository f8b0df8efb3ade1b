/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Process lifecycle sensor: process_exec, process_exit, process_fork. */
#ifndef PG_PROCESS_H
#define PG_PROCESS_H

#include <stddef.h>

#include "sensor.h"

struct pg_agent;
struct pg_buf;

extern const struct pg_sensor pg_sensor_process;

void pg_process_on_exec(struct pg_agent *a, const void *rec, size_t size);
void pg_process_on_seed(struct pg_agent *a, const void *rec, size_t size);
void pg_process_on_exit(struct pg_agent *a, const void *rec, size_t size);
void pg_process_on_fork(struct pg_agent *a, const void *rec, size_t size);

/*
 * argv (NUL-separated, maybe cut short) to the "arguments" string: argv[1..]
 * joined by spaces, each argument that is empty or holds blanks, quotes or
 * shell metacharacters single-quoted, so the string splits back unambiguously.
 */
void pg_process_format_args(struct pg_buf *b, const char *argv, size_t len);

#endif
