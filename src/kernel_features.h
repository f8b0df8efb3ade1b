/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What this kernel offers. Each feature is tested by doing it (loading a
 * two-instruction program of that kind), not by reading version numbers:
 * lockdown, missing config options and LSM order all change the answer.
 */
#ifndef PG_FEATURES_H
#define PG_FEATURES_H

#include <stdbool.h>
#include <stdio.h>

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
	bool bpffs;
	bool tracefs;
	char lsm_list[256];
	int fentry_err; /* why fentry failed, negative errno */
};

void pg_features_probe(struct pg_features *f);
void pg_features_print(const struct pg_features *f, FILE *out, bool json);

#endif
