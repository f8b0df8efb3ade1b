/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Creates the maps every sensor shares, loads each sensor's BPF object with
 * the best backend this kernel accepts, attaches it, and gives the agent
 * the rings and counters. Generic: it knows sensors only by their
 * descriptors (sensor.h).
 */
#ifndef PG_LOADER_H
#define PG_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include <penguard/events.h>

#include "config.h"
#include "kernel_features.h"
#include "sensor.h"

struct pg_loader;
struct pg_json;

/* The shared maps, and nothing loaded yet: the policies go in first. */
int pg_loader__new(struct pg_loader **ret, const struct pg_config *cfg,
		   const struct pg_features *f);
/* Load and attach every sensor. */
int pg_loader__start(struct pg_loader *l, const struct pg_config *cfg, const struct pg_features *f);
void pg_loader__free(struct pg_loader *l);
/* Stop every program; the maps stay readable for the final drain. */
void pg_loader__detach(struct pg_loader *l);

/* The process lifecycle ring, drained first, and the ring of every other event. */
int pg_loader__proc_events_fd(const struct pg_loader *l);
int pg_loader__events_fd(const struct pg_loader *l);
/* A shared map by name (bpf/lib/), or -ENOENT. */
int pg_loader__map_fd(const struct pg_loader *l, const char *name);
/* Switch the programs' policy state (PG_POLICY_LOADED | generation): one write. */
int pg_loader__set_policy(struct pg_loader *l, uint32_t policy);

/* The backend @sensor runs with, or NULL if it is not loaded. */
const char *pg_loader__backend(const struct pg_loader *l, const char *sensor);
/* Sum the per-CPU counters. */
int pg_loader__stats(const struct pg_loader *l, struct pg_stats *sum);
/*
 * Per sensor: backend or why it failed; per program: runs, ns per run and
 * the invocations the kernel skipped (recursion_misses), as a JSON object.
 */
void pg_loader__stats_json(const struct pg_loader *l, struct pg_json *w);
/* Invocations skipped by the kernel, all programs: losses too. */
uint64_t pg_loader__recursion_misses(const struct pg_loader *l);

typedef void (*pg_record_fn)(void *ctx, const void *rec, size_t size);
/* Run every sensor's seeding iterator; each record goes to @fn. */
int pg_loader__seed(struct pg_loader *l, pg_record_fn fn, void *ctx);

/*
 * Run each sensor's reselect iterator (struct pg_sensor): after a switch of
 * the policy set, every running process evaluated under the new one. 0,
 * -EOPNOTSUPP (no BPF task iterators here), or -errno.
 */
int pg_loader__reselect(struct pg_loader *l);

#endif
