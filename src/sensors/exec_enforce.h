/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Exec enforcement sensor: `deny` rules through BPF LSM; process_exec_denied. */
#ifndef PG_SENSORS_EXEC_ENFORCE_H
#define PG_SENSORS_EXEC_ENFORCE_H

#include "sensor.h"

extern const struct pg_sensor pg_sensor_exec_enforce;

#endif
