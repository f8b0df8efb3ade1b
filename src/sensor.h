/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The shape every sensor follows. A sensor is a family of events (process
 * lifecycle, file access, network, …) with:
 *   - one BPF object, bpf/<sensor>.bpf.c, opened by the loader;
 *   - backends: alternative sets of programs that produce the same events
 *     through different hooks, best first; the loader takes the first one
 *     this kernel accepts, or the one forced with --backend SENSOR=NAME;
 *   - handlers that decode its records and render them (JSON, compact).
 * Adding a sensor: write bpf/<name>.bpf.c, its records in
 * include/penguard/events.h, a descriptor like pg_sensor_process, and one
 * line in the loader's table.
 */
#ifndef PG_SENSOR_H
#define PG_SENSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "kernel_features.h"

struct pg_backend {
	const char *name;
	const char *needs; /* shown by `penguard probe` */
	bool (*usable)(const struct pg_features *f);
	const char *const *progs; /* BPF program function names, NULL-terminated */
};

struct pg_sensor {
	const char *name;
	const struct pg_backend *backends;
	size_t n_backends;
};

/* First backend of @s this kernel should accept, or NULL. */
const struct pg_backend *pg_sensor_pick(const struct pg_sensor *s, const struct pg_features *f);
const struct pg_backend *pg_sensor_backend(const struct pg_sensor *s, const char *name);

#endif
