// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Every sensor, in load order: one line each. The process sensor comes
 * first: every other sensor's events name processes it reports. */
#include "sensor.h"
#include "sensors/exec_enforce.h"
#include "sensors/file.h"
#include "sensors/host.h"
#include "sensors/network.h"
#include "sensors/process.h"

const struct pg_sensor *const pg_sensors[] = {
	&pg_sensor_process, &pg_sensor_exec_enforce, &pg_sensor_file,
	&pg_sensor_network, &pg_sensor_host,
};

const size_t pg_n_sensors = sizeof(pg_sensors) / sizeof(pg_sensors[0]);
