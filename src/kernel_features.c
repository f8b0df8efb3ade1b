// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel_features.h"
#include "log.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

static bool fs_is(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && (long)st.f_type == magic;
}

/* Load a "return 0" program of @type attached to BTF object @name. */
static int try_load(const struct btf *vmlinux, enum bpf_prog_type type, enum bpf_attach_type attach,
		    const char *name, int kind)
{
	const struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },			  /* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach);
	int id, fd;

	if (!vmlinux)
		return -ENOENT;
	id = btf__find_by_name_kind(vmlinux, name, kind);
	if (id < 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(type, NULL, "GPL", insns, 2, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void read_lsm_list(struct pg_features *f)
{
	FILE *fp;

	/* securityfs may not be mounted on a minimal system; mounting it is harmless */
	if (access("/sys/kernel/security/lsm", R_OK))
		mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
	fp = fopen("/sys/kernel/security/lsm", "r");
	if (!fp)
		return;
	if (!fgets(f->lsm_list, sizeof(f->lsm_list), fp))
		f->lsm_list[0] = 0;
	fclose(fp);
	f->lsm_list[strcspn(f->lsm_list, "\n")] = 0;
}

static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

void pg_features_probe(struct pg_features *f)
{
	struct utsname u;
	struct btf *vmlinux;
	int err;

	memset(f, 0, sizeof(*f));
	if (!uname(&u))
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
	f->root = geteuid() == 0;
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	f->cgroup_v2 = fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC) ||
		       fs_is("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
	f->bpffs = fs_is("/sys/fs/bpf", BPF_FS_MAGIC);
	f->tracefs = fs_is("/sys/kernel/tracing", TRACEFS_MAGIC) ||
		     fs_is("/sys/kernel/debug/tracing", TRACEFS_MAGIC);
	f->kprobe = access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
	read_lsm_list(f);
	f->lsm_active = list_has(f->lsm_list, "bpf");
	if (!f->root)
		return; /* loading programs needs CAP_BPF + CAP_PERFMON or root */

	f->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	f->raw_tp = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL) == 1;
	vmlinux = f->btf ? btf__load_vmlinux_btf() : NULL;
	if (vmlinux && libbpf_get_error(vmlinux))
		vmlinux = NULL;
	f->tp_btf = try_load(vmlinux, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP,
			     "btf_trace_sched_process_exec", BTF_KIND_TYPEDEF) == 0;
	err = try_load(vmlinux, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "finalize_exec",
		       BTF_KIND_FUNC);
	f->fentry = err == 0;
	f->fentry_err = err;
	f->lsm_prog = try_load(vmlinux, BPF_PROG_TYPE_LSM, BPF_LSM_MAC,
			       "bpf_lsm_bprm_check_security", BTF_KIND_FUNC) == 0;
	f->iter_task = try_load(vmlinux, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, "bpf_iter_task",
				BTF_KIND_FUNC) == 0;
	btf__free(vmlinux);
}

void pg_features_print(const struct pg_features *f, FILE *out, bool json)
{
	const struct {
		const char *name;
		bool on;
		const char *why;
	} rows[] = {
		{ "root", f->root, "loading BPF programs needs root" },
		{ "btf", f->btf, "kernel built without CONFIG_DEBUG_INFO_BTF" },
		{ "ringbuf", f->ringbuf, "BPF ring buffer needs 5.8+" },
		{ "raw_tp", f->raw_tp, "" },
		{ "tp_btf", f->tp_btf, "needs BTF" },
		{ "fentry", f->fentry, "refused (lockdown?) or no BPF trampoline" },
		{ "kprobe", f->kprobe, "CONFIG_KPROBES off" },
		{ "lsm_prog", f->lsm_prog, "CONFIG_BPF_LSM off or refused" },
		{ "lsm_active", f->lsm_active, "add lsm=...,bpf to the kernel command line" },
		{ "iter_task", f->iter_task, "needs 5.8+" },
		{ "cgroup_v2", f->cgroup_v2, "cgroup2 not mounted" },
		{ "bpffs", f->bpffs, "not mounted at /sys/fs/bpf" },
		{ "tracefs", f->tracefs, "not mounted" },
	};
	size_t i;

	if (json) {
		fprintf(out, "\"kernel\":\"%s\",\"lsm\":\"%s\",\"features\":{", f->kernel,
			f->lsm_list);
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			fprintf(out, "%s\"%s\":%s", i ? "," : "", rows[i].name,
				rows[i].on ? "true" : "false");
		fprintf(out, "}");
		return;
	}
	fprintf(out, "kernel     %s\nlsm        %s\n", f->kernel,
		f->lsm_list[0] ? f->lsm_list : "?");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fprintf(out, "%-10s %-3s%s%s\n", rows[i].name, rows[i].on ? "yes" : "no",
			!rows[i].on && rows[i].why[0] ? "  " : "", !rows[i].on ? rows[i].why : "");
}
