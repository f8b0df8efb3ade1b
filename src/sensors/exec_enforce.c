// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Exec enforcement sensor: the BPF LSM program that makes `deny` rules
 * deny (bpf/exec_enforce.bpf.c), and its process_exec_denied events.
 * Optional: without BPF LSM the agent runs without it, and a policy that
 * asks to deny in enforce mode is refused unless it says `fallback: kill`.
 */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "agent.h"
#include "exec_enforce.skel.h"
#include "json.h"
#include "policy_engine.h"
#include "sensors/exec_enforce.h"
#include "sensors/process.h"
#include "util.h"

static bool usable_lsm(const struct pg_features *f)
{
	return f->lsm_prog && f->lsm_active;
}

static const char *const lsm_progs[] = { "lsm_bprm_check_security", NULL };

static const struct pg_backend enforce_backends[] = {
	{ "lsm", "BPF LSM: CONFIG_BPF_LSM and bpf in the kernel's lsm= list", usable_lsm,
	  lsm_progs },
};

static int enforce_configure(struct bpf_object *obj, const struct pg_config *cfg)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "pg_enforce_heap");
	int ncpu = libbpf_num_possible_cpus();

	(void)cfg;
	if (!m)
		return -ENOENT;
	return ncpu < 0 ? ncpu : bpf_map__set_max_entries(m, ncpu);
}

/* the record has no comm: a process unknown to the cache gets none */
static const char no_comm[PG_COMM_LEN];

static void on_denied(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_exec_denied_event *e = rec;
	struct pg_decision d;
	struct pg_process *p;

	if (sizeof(*e) + (size_t)e->binary_len > size || e->binary_len >= PG_PATH_MAX) {
		a->malformed++;
		return;
	}
	p = pg_process_decide_begin(a, "process_exec_denied", &e->task, &e->verdict, NULL, no_comm,
				    NULL, &d);
	if (!p)
		return;
	PG_JSON_KV_STRING_N(a->json, "binary", (const char *)e->data, e->binary_len);
	if (e->path_flags & PG_PROC_F_PATH_ERROR)
		PG_JSON_KV_STRING(a->json, "flags", "errorFilename");
	pg_json__end_object(a->json);
	pg_agent_event_end(a, e->hdr.ktime);
}

static const struct pg_event_desc enforce_events[] = {
	{ PG_EVENT_EXEC_DENIED, "process_exec_denied", sizeof(struct pg_exec_denied_event),
	  on_denied },
};

const struct pg_sensor pg_sensor_exec_enforce = {
	.name = "exec_enforce",
	.required = false,
	.backends = enforce_backends,
	.n_backends = PG_ARRAY_SIZE(enforce_backends),
	.elf_bytes = exec_enforce_bpf__elf_bytes,
	.configure = enforce_configure,
	.events = enforce_events,
	.n_events = PG_ARRAY_SIZE(enforce_events),
};
