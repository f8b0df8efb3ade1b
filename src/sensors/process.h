/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Process lifecycle sensor: process_exec, process_exit, process_fork. */
#ifndef PG_SENSORS_PROCESS_H
#define PG_SENSORS_PROCESS_H

#include <stddef.h>

#include <penguard/events.h>

#include "sensor.h"

struct pg_agent;
struct pg_buf;
struct pg_decision;
struct pg_json;
struct pg_process;
struct pg_user_fields;

extern const struct pg_sensor pg_sensor_process;

/* A validated exec or seed record: its strings, each with its length. */
struct pg_exec_view {
	const struct pg_exec_event *e;
	const char *binary, *filename, *cwd, *cgroup, *args;
};

/*
 * For every sensor's events: begin {"@type":{"process":…,"parent":…
 * (and "ancestors", "policy" and "tags" as configured and decided) for the
 * process of @t, from the cache, or built from its parent if unknown. The
 * caller adds its fields, closes the object and ends the event
 * (pg_agent_event_end). NULL when out of memory (counted).
 */
struct pg_process *pg_process_event_begin(struct pg_agent *a, const char *type,
					  const struct pg_event_process *t,
					  const char comm[PG_COMM_LEN],
					  const struct pg_decision *d);

/*
 * The container_id and cgroup of @f for the agent's part of a decision on
 * an event of @t: the process's, or its parent's when the cache does not
 * know it yet ("" when neither is known, never NULL). Other fields kept.
 */
void pg_process_owner(struct pg_agent *a, const struct pg_event_process *t,
		      struct pg_user_fields *f);

/*
 * The agent's part of the kernel's verdict @v (see pg_process_owner; a
 * network event also has its @dns_name, or NULL), then
 * pg_process_event_begin. NULL: not reported (a rule's agent-side selector
 * rejected it, or out of memory); @d is filled either way.
 */
struct pg_process *pg_process_decide_begin(struct pg_agent *a, const char *type,
					   const struct pg_event_process *t,
					   const struct pg_verdict *v,
					   const struct pg_rule_mask *matched,
					   const char comm[PG_COMM_LEN], const char *dns_name,
					   struct pg_decision *d);

/* Write @c as a process_credentials object under @key (uid, gid, …, caps). */
void pg_process_creds_json(struct pg_json *w, const char *key, const struct pg_creds *c);
/* Write @ns as an "ns" object under @key ({"uts": {"inum": N, "is_host": true}, …}). */
void pg_process_ns_json(struct pg_agent *a, const char *key, const struct pg_namespaces *ns);

/* Check every length of an exec/seed record against @size. 0 or -EBADMSG. */
int pg_process_decode_exec(const void *rec, size_t size, struct pg_exec_view *v);

/*
 * argv (NUL-separated, maybe cut short) to the "arguments" string: argv[1..]
 * joined by spaces, each argument that is empty or holds blanks, quotes or
 * shell metacharacters single-quoted, so the string splits back unambiguously.
 */
void pg_process_format_args(struct pg_buf *b, const char *argv, size_t len);

#endif
