/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The shape every sensor follows. A sensor is a family of events (process
 * lifecycle, file access, network, …) described by ONE struct pg_sensor:
 *   - its BPF object (bpf/<name>.bpf.c), by the skeleton's ELF bytes;
 *   - backends: alternative sets of programs that produce the same events
 *     through different hooks, best first; the loader takes the first one
 *     this kernel accepts, or the one forced with --backend SENSOR=NAME;
 *   - an optional seeding iterator, run once after attach;
 *   - its event types: name, minimum record size, and the handler that
 *     decodes, enriches and renders a record.
 * Adding a sensor: bpf/<name>.bpf.c, src/sensors/<name>.c with its
 * descriptor, its records in include/penguard/events.h, and one line in
 * src/sensors/registry.c. The loader and the agent do not change.
 */
#ifndef PG_SENSOR_H
#define PG_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "kernel_features.h"

struct pg_agent;
struct bpf_object;

struct pg_backend {
	const char *name;
	const char *needs; /* shown by `penguard probe` */
	bool (*usable)(const struct pg_features *f);
	const char *const *progs; /* BPF program function names, NULL-terminated */
};

/* Decode, enrich and render one record of at least min_size bytes. */
typedef void (*pg_event_fn)(struct pg_agent *a, const void *rec, size_t size);

struct pg_event_desc {
	uint16_t type;	  /* enum pg_event_type */
	const char *name; /* "process_exec"; NULL: internal, not in the stats */
	size_t min_size;
	pg_event_fn handle;
};

/* What a sensor's events cannot report on this kernel, and why (`penguard probe`). */
struct pg_unavailable {
	const char *event; /* "host_change" */
	const char *what;  /* the part of it: "module" (a kind), or NULL for the whole event */
	char why[160];
};

struct pg_sensor {
	const char *name;
	/* the agent cannot run without it; any other sensor degrades alone */
	bool required;
	const struct pg_backend *backends;
	size_t n_backends;
	const void *(*elf_bytes)(size_t *size);
	const char *seed_prog; /* an iterator program run once after attach, or NULL */
	/* an iterator program run after each switch of the policy set, or NULL */
	const char *reselect_prog;
	/* sensor-specific settings on the opened object (its own maps), or NULL */
	int (*configure)(struct bpf_object *obj, const struct pg_config *cfg);
	const struct pg_event_desc *events;
	size_t n_events;
	/* what this kernel cannot produce, at most @max into @out; returns how many. Or NULL. */
	size_t (*unavailable)(struct pg_unavailable *out, size_t max);
};

/* Every sensor, in load order (src/sensors/registry.c). */
extern const struct pg_sensor *const pg_sensors[];
extern const size_t pg_n_sensors;

/* First backend of @s this kernel should accept, or NULL. */
const struct pg_backend *pg_sensor_pick(const struct pg_sensor *s, const struct pg_features *f);
const struct pg_backend *pg_sensor_backend(const struct pg_sensor *s, const char *name);
/* The descriptor of event @type, whichever sensor has it, or NULL. */
const struct pg_event_desc *pg_sensor_event(unsigned type);
/*
 * Load (@on) or leave out each program of @obj named in @names, a
 * NULL-terminated list, before the object is loaded. Each must exist.
 */
void pg_sensor_set_autoload(struct bpf_object *obj, const char *const *names, bool on);

#endif
