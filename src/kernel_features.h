/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What this kernel offers. Each feature is tested by doing it (loading a
 * two-instruction program of that kind), not by reading version numbers:
 * lockdown, missing config options and LSM order all change the answer.
 */
#ifndef PG_FEATURES_H
#define PG_FEATURES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <penguard/events.h>

struct pg_features {
	char kernel[128];
	bool root;
	bool btf; /* /sys/kernel/btf/vmlinux */
	bool ringbuf;
	bool raw_tp;
	bool tp_btf;
	bool fentry;
	bool kprobe;
	bool lsm_prog;	 /* BPF LSM programs load */
	bool lsm_active; /* "bpf" is in the active LSM list */
	bool iter_task;
	bool cgroup_v2;
	char cgroup2_mount[256]; /* where cgroup2 is mounted (hybrid: /sys/fs/cgroup/unified) */
	bool bpffs;
	bool tracefs;
	bool tracepoint;   /* BPF_PROG_TYPE_TRACEPOINT programs load */
	bool task_pt_regs; /* bpf_task_pt_regs (5.15): syscall arguments at sys_exit */
	bool compat32;	   /* 32-bit system calls run here (x86-64's ia32 emulation) */
	char lsm_list[256];
	int fentry_err; /* why fentry failed, negative errno */
	/*
	 * The hierarchy whose cgroup paths name containers: v2 where it is the
	 * default; on hybrid and v1 hosts (runtimes there create their
	 * cgroups in the v1 controllers' hierarchies) a v1 controller's.
	 */
	uint32_t cgroup_subsys;	   /* controller id, or PG_CGROUP_DFL for v2 */
	char cgroup_hierarchy[32]; /* "v2", "memory", … */
	char cgroup_mount[256];	   /* where that hierarchy is mounted, "" if nowhere */
	uint32_t host_pidns;	   /* pid 1's pid namespace inode */
};

void pg_features_probe(struct pg_features *f);
/* pid 1's namespaces: the host's, to which "is_host" and "in_container" compare. */
void pg_features_host_ns(struct pg_namespaces *ns);
/*
 * Use hierarchy @want ("v2" or a v1 controller name) instead of the probed
 * choice. Returns 0, or -ENOENT when no such hierarchy is mounted.
 */
int pg_features_set_cgroup(struct pg_features *f, const char *want);
/*
 * Whether the kernel has tracepoint @name ("syscalls/sys_exit_openat"): 0,
 * -ENOENT when it has not, -ENODEV when no tracefs is mounted to tell.
 */
int pg_tracepoint_exists(const char *name);
/*
 * Whether the kernel's BTF has @name of BTF kind @kind: a function
 * (BTF_KIND_FUNC), or a BTF tracepoint's "btf_trace_NAME" (BTF_KIND_TYPEDEF).
 * 1 or 0; 1 when the BTF cannot be read (the load then says what is
 * wrong). *@btf is loaded on first use; the caller frees it.
 */
struct btf;
int pg_btf_has(struct btf **btf, const char *name, int kind);
/*
 * Argument @i (from 0, after the probe's own context) of BTF tracepoint
 * @tp, its typedefs and qualifiers resolved; NULL if it has none or the
 * BTF cannot be read. *@nargs: how many arguments it has (-1: unknown).
 * Tracepoints change their arguments across kernels under one name.
 */
struct btf_type;
const struct btf_type *pg_btf_tp_arg(struct btf **btf, const char *tp, int i, int *nargs);
/* Whether @t is a pointer to struct @type. */
bool pg_btf_is_ptr_to(struct btf *btf, const struct btf_type *t, const char *type);
/* Whether 32-bit system calls run here (x86-64's ia32 emulation); probed once. */
bool pg_compat32(void);
void pg_features_print(const struct pg_features *f, FILE *out, bool json);

#endif
