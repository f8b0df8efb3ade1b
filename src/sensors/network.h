/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The network sensor (bpf/network.bpf.c): connections, listens, UDP sends. */
#ifndef PG_SENSORS_NETWORK_H
#define PG_SENSORS_NETWORK_H

#include <stddef.h>

#include <penguard/events.h>

#include "sensor.h"

extern const struct pg_sensor pg_sensor_network;

/* An address of a record (family PG_NET_V4 or _V6) as text; "" for an unknown family. */
void pg_net_addr_str(char out[64], uint8_t family, const uint8_t addr[16]);

#endif
