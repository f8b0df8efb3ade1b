// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>

#include <bpf/libbpf.h>

#include <penguard/events.h>

#include "sensor.h"

const struct pg_backend *pg_sensor_pick(const struct pg_sensor *s, const struct pg_features *f)
{
	size_t i;

	for (i = 0; i < s->n_backends; i++)
		if (s->backends[i].usable(f))
			return &s->backends[i];
	return NULL;
}

const struct pg_backend *pg_sensor_backend(const struct pg_sensor *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_backends; i++)
		if (!strcmp(s->backends[i].name, name))
			return &s->backends[i];
	return NULL;
}

const struct pg_event_desc *pg_sensor_event(unsigned type)
{
	size_t i, j;

	for (i = 0; i < pg_n_sensors; i++)
		for (j = 0; j < pg_sensors[i]->n_events; j++)
			if (pg_sensors[i]->events[j].type == type)
				return &pg_sensors[i]->events[j];
	return NULL;
}

void pg_sensor_set_autoload(struct bpf_object *obj, const char *const *names, bool on)
{
	for (; *names; names++)
		bpf_program__set_autoload(bpf_object__find_program_by_name(obj, *names), on);
}
