/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loads every sensor's BPF object with the best backend this kernel
 * accepts, attaches it, and gives the agent the shared maps. The only
 * module that sees BPF skeletons.
 */
#ifndef PG_LOADER_H
#define PG_LOADER_H

#include <stddef.h>

#include <penguard/events.h>

#include "config.h"
#include "kernel_features.h"
#include "sensor.h"

struct pg_loader;

/* The sensors, in load order: sensor @i, or NULL past the last. */
extern const size_t pg_n_sensors;
const struct pg_sensor *pg_sensor_at(size_t i);

int pg_loader__start(struct pg_loader **ret, const struct pg_config *cfg,
		     const struct pg_features *f);
void pg_loader__free(struct pg_loader *l);
/* Stop every program; the maps stay readable for the final drain. */
void pg_loader__detach(struct pg_loader *l);

int pg_loader__events_fd(const struct pg_loader *l);
const char *pg_loader__backend(const struct pg_loader *l, const char *sensor);
/* Sum the per-CPU counters. */
int pg_loader__stats(const struct pg_loader *l, struct pg_stats *sum);

typedef void (*pg_record_fn)(void *ctx, const void *rec, size_t size);
/* Walk the processes running now, one PG_EVENT_PROCESS_SEED record each. */
int pg_loader__seed(struct pg_loader *l, pg_record_fn fn, void *ctx);

#endif
