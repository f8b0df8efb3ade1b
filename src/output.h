/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Event destinations: stdout (JSON or compact) and an export file (JSON
 * lines, mode 0600, rotated by size between lines so no event is split).
 * Writes are buffered and retried: a full disk or a stalled reader keeps
 * up to PG_SINK_PENDING_MAX bytes pending and counts what it had to drop.
 */
#ifndef PG_OUTPUT_H
#define PG_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PG_SINK_PENDING_MAX (16u << 20)

struct pg_output_stats {
	uint64_t lines;	  /* lines accepted */
	uint64_t dropped; /* lines dropped: pending data over the bound */
	uint64_t write_errors;
	uint64_t rotations;
};

struct pg_output;

struct pg_output *pg_output__new(const struct pg_config *cfg);
void pg_output__free(struct pg_output *o);
bool pg_output__wants_json(const struct pg_output *o);
bool pg_output__wants_compact(const struct pg_output *o);
/* One event; @line has no trailing newline. */
void pg_output__json(struct pg_output *o, const char *line, size_t len);
void pg_output__compact(struct pg_output *o, const char *line, size_t len);
/* Write what is pending; returns 0 or the last negative errno. */
int pg_output__flush(struct pg_output *o);
void pg_output__stats(const struct pg_output *o, struct pg_output_stats *s);

#endif
