// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <penguard/events.h>

#include "json.h"
#include "kernel_features.h"
#include "log.h"
#include "util.h"

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

static bool read_line(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "re");
	bool ok;

	if (!fp)
		return false;
	ok = fgets(buf, size, fp) != NULL;
	fclose(fp);
	if (!ok)
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return ok;
}

/*
 * securityfs may not be mounted on a minimal system. Mount it on a private
 * temporary folder, read, unmount: the host's mounts are left as found.
 */
static void read_lsm_list(struct pg_features *f)
{
	char dir[] = "/tmp/penguard-secfs.XXXXXX", path[64];

	if (read_line("/sys/kernel/security/lsm", f->lsm_list, sizeof(f->lsm_list)))
		return;
	if (geteuid() != 0 || !mkdtemp(dir))
		return;
	if (!mount("securityfs", dir, "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		snprintf(path, sizeof(path), "%s/lsm", dir);
		read_line(path, f->lsm_list, sizeof(f->lsm_list));
		if (umount2(dir, MNT_DETACH))
			pg_warn("could not unmount %s: %s", dir, strerror(errno));
	}
	rmdir(dir);
}

/*
 * Syscall tracepoints attach by an id that only tracefs tells. A host
 * whose init did not mount it (a minimal or container-style init, an
 * initramfs) would otherwise lose the file, network and host sensors, as
 * found on a fresh machine. Mount it where the kernel made room for it,
 * as systemd does at boot, and leave it there: tracing tools expect it.
 */
static bool tracefs_ready(bool root)
{
	const char *dir = "/sys/kernel/tracing";

	if (fs_is(dir, TRACEFS_MAGIC) || fs_is("/sys/kernel/debug/tracing", TRACEFS_MAGIC))
		return true;
	if (!root || access(dir, F_OK))
		return false;
	if (mount("tracefs", dir, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		pg_warn("tracefs is not mounted and mounting it on %s failed: %s: "
			"sensors that need syscall tracepoints are unavailable",
			dir, strerror(errno));
		return false;
	}
	pg_info("tracefs was not mounted: mounted it on %s (syscall tracepoints need it)", dir);
	return true;
}

/* Where hierarchy @opt (a controller name) is mounted as cgroup v1, from /proc/mounts. */
static bool v1_mount(const char *opt, char *mnt, size_t size)
{
	char line[1024], dev[256], dir[256], type[32], opts[512];
	FILE *fp = fopen("/proc/mounts", "re");
	bool found = false;

	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp)) {
		char *tok, *save;

		if (sscanf(line, "%255s %255s %31s %511s", dev, dir, type, opts) != 4 ||
		    strcmp(type, "cgroup"))
			continue;
		for (tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!strcmp(tok, opt))
				found = true;
		if (found)
			snprintf(mnt, size, "%s", dir);
	}
	fclose(fp);
	return found;
}

/* The kernel's id of controller @name: its line in /proc/cgroups (listed in id order). */
static int subsys_id(const char *name, bool *on_v1)
{
	char line[256], n[64];
	int hier, num, enabled, id = 0, found = -1;
	FILE *fp = fopen("/proc/cgroups", "re");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %d %d %d", n, &hier, &num, &enabled) == 4 &&
		    !strcmp(n, name)) {
			found = id;
			*on_v1 = hier != 0 && enabled;
			break;
		}
		id++;
	}
	fclose(fp);
	return found;
}

int pg_features_set_cgroup(struct pg_features *f, const char *want)
{
	bool on_v1 = false;
	int id;

	if (!strcmp(want, "v2")) {
		f->cgroup_subsys = PG_CGROUP_DFL;
		snprintf(f->cgroup_hierarchy, sizeof(f->cgroup_hierarchy), "v2");
		f->cgroup_mount[0] = 0;
		if (fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
			snprintf(f->cgroup_mount, sizeof(f->cgroup_mount), "/sys/fs/cgroup");
		else if (fs_is("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
			snprintf(f->cgroup_mount, sizeof(f->cgroup_mount),
				 "/sys/fs/cgroup/unified");
		return 0;
	}
	id = subsys_id(want, &on_v1);
	/* the BPF side indexes css_set.subsys[] with it: stay within the array */
	if (id < 0 || id >= 16 || !on_v1 ||
	    !v1_mount(want, f->cgroup_mount, sizeof(f->cgroup_mount)))
		return -ENOENT;
	f->cgroup_subsys = id;
	snprintf(f->cgroup_hierarchy, sizeof(f->cgroup_hierarchy), "%s", want);
	return 0;
}

static void probe_cgroup(struct pg_features *f)
{
	static const char *const v1_order[] = { "memory", "pids", "cpu", "cpuset" };
	size_t i;

	/* v2 is the default hierarchy: containers live there */
	if (fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) {
		pg_features_set_cgroup(f, "v2");
		return;
	}
	for (i = 0; i < sizeof(v1_order) / sizeof(v1_order[0]); i++)
		if (!pg_features_set_cgroup(f, v1_order[i]))
			return;
	pg_features_set_cgroup(f, "v2");
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

/*
 * The initial namespaces' inode numbers are fixed (PROC_*_INIT_INO in
 * include/linux/proc_ns.h, since 3.8); mnt and net have none.
 */
static const struct {
	const char *name;
	uint32_t init_ino;
} host_ns_rows[] = {
	{ "mnt", 0 },
	{ "pid", 0xEFFFFFFCU },
	{ "pid_for_children", 0xEFFFFFFCU },
	{ "net", 0 },
	{ "user", 0xEFFFFFFDU },
	{ "uts", 0xEFFFFFFEU },
	{ "ipc", 0xEFFFFFFFU },
	{ "cgroup", 0xEFFFFFFBU },
	{ "time", 0xEFFFFFFAU },
	{ "time_for_children", 0xEFFFFFFAU },
};

void pg_features_host_ns(struct pg_namespaces *ns)
{
	uint32_t *out[] = {
		&ns->mnt, &ns->pid, &ns->pid_for_children, &ns->net,  &ns->user,
		&ns->uts, &ns->ipc, &ns->cgroup,	   &ns->time, &ns->time_for_children
	};
	static bool warned;
	char path[64];
	struct stat st;
	size_t i;

	memset(ns, 0, sizeof(*ns));
	for (i = 0; i < sizeof(host_ns_rows) / sizeof(host_ns_rows[0]); i++) {
		snprintf(path, sizeof(path), "/proc/1/ns/%s", host_ns_rows[i].name);
		if (!stat(path, &st)) {
			*out[i] = st.st_ino;
			continue;
		}
		/* pid 1 may be out of reach (a sandbox's init): the initial namespace's
		 * fixed number, or for mnt and net, the agent's own (it must run in the
		 * host's) */
		if (!warned)
			pg_warn("cannot read %s (%s): taking the initial namespaces as the host's",
				path, strerror(errno));
		warned = true;
		*out[i] = host_ns_rows[i].init_ino;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", host_ns_rows[i].name);
		if (!*out[i] && !stat(path, &st))
			*out[i] = st.st_ino;
	}
}

/*
 * Whether the kernel has tracepoint @name ("syscalls/sys_exit_openat"):
 * not every architecture has every syscall (arm64 has no open, unlink,
 * rename…) and newer ones appear with kernel versions (fchmodat2 in 6.6).
 * -ENOENT when it has not, -ENODEV when no tracefs is mounted to tell.
 */
int pg_tracepoint_exists(const char *name)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events", roots[i]);
		if (access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/events/%s", roots[i], name);
		return access(path, F_OK) ? -ENOENT : 0;
	}
	return -ENODEV;
}

int pg_btf_has(struct btf **btf, const char *name, int kind)
{
	if (!*btf) {
		*btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(*btf)) {
			*btf = NULL;
			return 1;
		}
	}
	return btf__find_by_name_kind(*btf, name, kind) >= 0;
}

const struct btf_type *pg_btf_tp_arg(struct btf **btf, const char *tp, int i, int *nargs)
{
	const struct btf_type *t;
	char name[128];
	int id;

	*nargs = -1;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	if (!pg_btf_has(btf, name, BTF_KIND_TYPEDEF) || !*btf)
		return NULL;
	id = btf__find_by_name_kind(*btf, name, BTF_KIND_TYPEDEF);
	/* typedef -> pointer -> prototype (void *__data, the tracepoint's arguments…) */
	t = btf__type_by_id(*btf, btf__resolve_type(*btf, id));
	t = t && btf_is_ptr(t) ? btf__type_by_id(*btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return NULL;
	*nargs = btf_vlen(t) - 1;
	if (i < 0 || i >= *nargs)
		return NULL;
	return btf__type_by_id(*btf, btf__resolve_type(*btf, btf_params(t)[i + 1].type));
}

bool pg_btf_is_ptr_to(struct btf *btf, const struct btf_type *t, const char *type)
{
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, btf__resolve_type(btf, t->type)) : NULL;
	return t && btf_is_struct(t) && !strcmp(btf__name_by_offset(btf, t->name_off), type);
}

/*
 * Whether 32-bit system calls run here: a child asks for its pid through
 * int $0x80. Built without ia32 emulation, or with it switched off
 * (ia32_emulation=0), the kernel kills the child instead. Nothing else
 * tells the switch, and nothing is cheaper than the call itself.
 */
static bool probe_compat32(void)
{
#if defined(__x86_64__)
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return true; /* cannot tell: assume the calls exist, and watch them */
	if (pid == 0) {
		long r;

		__asm__ volatile("int $0x80"
				 : "=a"(r)
				 : "a"(20L /* ia32 getpid */)
				 : "memory", "r8", "r9", "r10", "r11");
		_exit(r == (long)getpid() ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		return true;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
#else
	return false; /* penguard watches x86's 32-bit calls only */
#endif
}

bool pg_compat32(void)
{
	static int known = -1;

	if (known < 0)
		known = probe_compat32();
	return known;
}

void pg_features_probe(struct pg_features *f)
{
	struct pg_namespaces host;
	struct utsname u;
	struct btf *vmlinux;
	int err;

	memset(f, 0, sizeof(*f));
	if (!uname(&u))
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
	f->root = geteuid() == 0;
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	if (fs_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
		snprintf(f->cgroup2_mount, sizeof(f->cgroup2_mount), "/sys/fs/cgroup");
	else if (fs_is("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
		snprintf(f->cgroup2_mount, sizeof(f->cgroup2_mount), "/sys/fs/cgroup/unified");
	f->cgroup_v2 = f->cgroup2_mount[0] != 0;
	f->bpffs = fs_is("/sys/fs/bpf", BPF_FS_MAGIC);
	f->tracefs = tracefs_ready(f->root);
	f->kprobe = access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
	f->compat32 = pg_compat32();
	read_lsm_list(f);
	f->lsm_active = list_has(f->lsm_list, "bpf");
	probe_cgroup(f);
	pg_features_host_ns(&host);
	f->host_pidns = host.pid;
	if (!f->root)
		return; /* loading programs needs CAP_BPF + CAP_PERFMON or root */

	f->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	f->raw_tp = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL) == 1;
	f->tracepoint = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, NULL) == 1;
	/*
	 * The file sensor's syscall backend reads path arguments at sys_exit
	 * from the task's saved registers: bpf_task_pt_regs, 5.15 (commit
	 * dd6e10fbd9fb "bpf: Add bpf_task_pt_regs() helper").
	 */
	f->task_pt_regs =
		f->tracepoint &&
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) == 1;
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
		{ "tracefs", f->tracefs, "not mounted, and could not be" },
		{ "tracepoint", f->tracepoint, "tracepoint programs refused" },
		{ "pt_regs", f->task_pt_regs, "bpf_task_pt_regs needs 5.15+" },
		{ "compat32", f->compat32, "no 32-bit system calls here: nothing to watch" },
	};
	size_t i;

	if (json) {
		struct pg_buf b;

		/* the kernel release and LSM list are strings from outside: escape them */
		pg_buf_init(&b);
		pg_buf_puts(&b, "\"kernel\":\"");
		pg_escape(&b, f->kernel, strlen(f->kernel), true);
		pg_buf_puts(&b, "\",\"lsm\":\"");
		pg_escape(&b, f->lsm_list, strlen(f->lsm_list), true);
		pg_buf_puts(&b, "\",\"cgroup\":{\"hierarchy\":\"");
		pg_escape(&b, f->cgroup_hierarchy, strlen(f->cgroup_hierarchy), true);
		pg_buf_puts(&b, "\",\"mount\":\"");
		pg_escape(&b, f->cgroup_mount, strlen(f->cgroup_mount), true);
		pg_buf_puts(&b, "\"},\"features\":{");
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			pg_buf_printf(&b, "%s\"%s\":%s", i ? "," : "", rows[i].name,
				      rows[i].on ? "true" : "false");
		pg_buf_putc(&b, '}');
		if (!b.failed)
			fputs(b.data, out);
		pg_buf_free(&b);
		return;
	}
	fprintf(out, "kernel     %s\nlsm        %s\ncgroups    %s%s%s%s\n", f->kernel,
		f->lsm_list[0] ? f->lsm_list : "?", f->cgroup_hierarchy,
		f->cgroup_mount[0] ? " (" : "", f->cgroup_mount, f->cgroup_mount[0] ? ")" : "");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fprintf(out, "%-10s %-3s%s%s\n", rows[i].name, rows[i].on ? "yes" : "no",
			!rows[i].on && rows[i].why[0] ? "  " : "", !rows[i].on ? rows[i].why : "");
}
