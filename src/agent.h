/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent: one event loop (epoll over the ring buffers, a signalfd, a
 * timerfd and the outputs) that hands each record to its sensor's event
 * handler, which decodes it, enriches it from the process cache and
 * renders it to the outputs.
 */
#ifndef PG_AGENT_H
#define PG_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <penguard/events.h>

#include "config.h"
#include "json.h"
#include "output.h"
#include "policy_engine.h"
#include "proc_cache.h"
#include "sensor.h"

struct pg_agent {
	const struct pg_config *cfg;
	struct pg_output *out;
	struct pg_proc_cache *cache;
	struct pg_json *json;
	struct pg_buf line;    /* the JSON line being built */
	struct pg_buf compact; /* the compact line being built */
	struct pg_buf scratch;
	struct pg_buf scratch_rec; /* an aligned copy of a replayed record */
	char node[65];
	int64_t clock_offset;				  /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct pg_namespaces host;			  /* pid 1's namespaces: "is_host" */
	const struct pg_event_desc *events[PG_EVENT_MAX]; /* dispatch, by type */
	FILE *record;			 /* --record: raw records as (u32 size, bytes) */
	struct pg_policy_engine *policy; /* NULL: everything is reported */
	uint64_t delivered[PG_EVENT_MAX];
	uint64_t malformed;  /* records failing validation */
	uint64_t duplicates; /* second exit of one process image */
	uint64_t seeded;
	uint64_t oom; /* events that could not be enriched for lack of memory */
};

/* Set up everything but the kernel side and the loop (also for tests and the bench). */
int pg_agent_init(struct pg_agent *a, const struct pg_config *cfg);
void pg_agent_fini(struct pg_agent *a);

/* Hand one record to its sensor's handler. Never fails: bad records are counted. */
void pg_agent_dispatch(struct pg_agent *a, const void *rec, size_t size);

/*
 * Replay a file written by --record through the whole pipeline (decode,
 * enrich, render, write): the bench and the fuzz corpus use it.
 * Returns the number of records, or a negative errno.
 */
long pg_agent_replay(struct pg_agent *a, const void *buf, size_t len);

/* Wall-clock time of a CLOCK_MONOTONIC kernel timestamp. */
uint64_t pg_agent_wall_ns(const struct pg_agent *a, uint64_t ktime);

/* Begin the JSON line of one event: {"<type>":{ ; and finish it. */
void pg_agent_event_begin(struct pg_agent *a, const char *type);
void pg_agent_event_end(struct pg_agent *a, uint64_t ktime);

/* Block the stop signals for the signalfd; first thing in main(), so none is lost. */
void pg_agent_block_signals(void);

int pg_agent_run(const struct pg_config *cfg);

#endif
