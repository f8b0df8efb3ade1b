/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The host sensor (bpf/host.bpf.c): credentials_change, namespace_change,
 * host_change. The decoding helpers are here for the unit tests.
 */
#ifndef PG_SENSORS_HOST_H
#define PG_SENSORS_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <penguard/events.h>

#include "sensor.h"

extern const struct pg_sensor pg_sensor_host;

/* The syscall name of PG_HOST_OP_* @op ("setresuid"), or "unknown". */
const char *pg_host_op_name(unsigned op);
/*
 * The /proc/sys path @path (at most @n bytes) as sysctl(8) names it,
 * into @out; returns its length.
 */
size_t pg_host_sysctl_name(const char *path, size_t n, char *out, size_t size);
/*
 * Whether sysctl writes can be watched (and refused) here: before the
 * start, what this kernel allows; after it, whether the host sensor
 * loaded its hook (with the sensor itself: pg_loader__backend()).
 */
bool pg_host_sysctl_usable(void);
bool pg_host_sysctl_hooked(void);

/*
 * Whether the lsm backend can refuse setgroups too here (6.1+): without
 * it, deny rules on credentials_change are refused at load.
 */
bool pg_host_setgroups_hookable(void);

/* The name of bpf_prog_type @t ("socket_filter"), or "type_N" written into @buf. */
const char *pg_host_prog_type_name(uint64_t t, char buf[32]);

/*
 * Whether going from @before to @after raises privileges: a real or
 * effective uid of 0 it did not have, or a permitted or effective
 * capability outside what it held before.
 */
bool pg_host_escalation(const struct pg_creds *before, const struct pg_creds *after);

/* What the file an exec ran grants: pg_host_exec_grants(). */
enum {
	PG_HOST_GRANT_SETUID = 1, /* its owner as the effective uid */
	PG_HOST_GRANT_SETGID = 2, /* its group as the effective gid */
	PG_HOST_GRANT_CAPS = 4,	  /* capabilities a non-root process gained: the file's */
};

/*
 * What of the change from @before to @after an exec of @file explains
 * (PG_HOST_GRANT_*); *@escalation: whether privileges were raised beyond
 * that (a real uid of 0, or an effective one no set-user-ID root file
 * gave).
 */
unsigned pg_host_exec_grants(const struct pg_creds *before, const struct pg_creds *after,
			     const struct pg_file_info *file, bool *escalation);

/*
 * The namespaces (their JSON names: "uts", "mnt", …) whose inode differs
 * between @before and @after, at most @max into @names. Returns how many.
 */
size_t pg_host_ns_changed(const struct pg_namespaces *before, const struct pg_namespaces *after,
			  const char **names, size_t max);

#endif
