/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent: one event loop (epoll over the ring buffer, a signalfd and a
 * timerfd) that decodes records, enriches them from the process cache and
 * hands them to the outputs.
 */
#ifndef PG_AGENT_H
#define PG_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include <penguard/events.h>

#include "config.h"
#include "json.h"
#include "output.h"
#include "proc_cache.h"

struct pg_agent {
	const struct pg_config *cfg;
	struct pg_output *out;
	struct pg_proc_cache *cache;
	struct pg_json *json;
	struct pg_buf line;    /* the JSON line being built */
	struct pg_buf compact; /* the compact line being built */
	struct pg_buf scratch;
	char node[65];
	int64_t clock_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t delivered[PG_EVENT_MAX];
	uint64_t malformed;  /* records failing validation */
	uint64_t duplicates; /* second exit of one process (thread races) */
	uint64_t seeded;
	uint64_t oom; /* events that could not be enriched for lack of memory */
};

/* Hand one record to its sensor's handler. Never fails: bad records are counted. */
void pg_agent_dispatch(struct pg_agent *a, const void *rec, size_t size);

/* Wall-clock time of a CLOCK_MONOTONIC kernel timestamp. */
uint64_t pg_agent_wall_ns(const struct pg_agent *a, uint64_t ktime);

/* Begin the JSON line of one event: {"<type>":{ ; and finish it. */
void pg_agent_event_begin(struct pg_agent *a, const char *type);
void pg_agent_event_end(struct pg_agent *a, uint64_t ktime);

int pg_agent_run(const struct pg_config *cfg);

#endif
