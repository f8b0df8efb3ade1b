// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Host sensor: a process's credentials and namespaces as they change
 * (bpf/host.bpf.c). The kernel side compares before and after and
 * decides against the policy, so only changes some rule selected reach
 * us; here they become credentials_change and namespace_change events.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "host.skel.h"
#include "json.h"
#include "kernel_features.h"
#include "log.h"
#include "output.h"
#include "policy.h"
#include "policy_engine.h"
#include "sensors/host.h"
#include "sensors/process.h"
#include "syscall_names.h"
#include "util.h"

/* ---- the sensor ---- */

static bool usable_tracepoint(const struct pg_features *f)
{
	return f->tracefs && f->tracepoint && f->tp_btf;
}

#define HOST_CALL(name) "tp_sys_enter_" #name, "tp_sys_exit_" #name

/*
 * Every backend's: the calls' own tracepoints, which name the call and
 * its result. One list, spelled out in each backend's (clang-format
 * would pack it).
 */
/* clang-format off */
#define HOST_TRACEPOINT_PROGS \
	HOST_CALL(setuid), \
	HOST_CALL(setgid), \
	HOST_CALL(setreuid), \
	HOST_CALL(setregid), \
	HOST_CALL(setresuid), \
	HOST_CALL(setresgid), \
	HOST_CALL(setfsuid), \
	HOST_CALL(setfsgid), \
	HOST_CALL(setgroups), \
	HOST_CALL(capset), \
	HOST_CALL(execve), \
	HOST_CALL(execveat), \
	"tp_btf_host_prepare_exec", /* for the four above, where the kernel has it */ \
	"tp_btf_host_exec", \
	HOST_CALL(setns), \
	HOST_CALL(unshare), \
	"tp_btf_host_fork", \
	"tp_btf_host_module_load", \
	"tp_btf_host_module_request", \
	/* host_change */ \
	HOST_CALL(mount), \
	HOST_CALL(umount), \
	HOST_CALL(pivot_root), \
	HOST_CALL(fsopen), \
	HOST_CALL(fsconfig), \
	HOST_CALL(fsmount), \
	HOST_CALL(move_mount), \
	HOST_CALL(open_tree), \
	HOST_CALL(mount_setattr), \
	HOST_CALL(chroot), \
	HOST_CALL(sethostname), \
	HOST_CALL(setdomainname), \
	HOST_CALL(settimeofday), \
	HOST_CALL(clock_settime), \
	HOST_CALL(adjtimex), \
	HOST_CALL(clock_adjtime), \
	HOST_CALL(swapon), \
	HOST_CALL(swapoff), \
	HOST_CALL(reboot), \
	HOST_CALL(kexec_load), \
	HOST_CALL(kexec_file_load), \
	HOST_CALL(init_module), \
	HOST_CALL(finit_module), \
	HOST_CALL(delete_module), \
	HOST_CALL(bpf), \
	HOST_CALL(ptrace), \
	HOST_CALL(process_vm_writev), \
	"cgroup_sysctl"
/* clang-format on */

static const char *const tracepoint_progs[] = {
	HOST_TRACEPOINT_PROGS,
	NULL,
};

static bool usable_fentry(const struct pg_features *f)
{
	return usable_tracepoint(f) && f->fentry;
}

/*
 * The same, and commit_creds(): a change of credentials that no watched
 * call made (a kernel exploit, a 32-bit compat call) is reported when it
 * is made, not at the process's next fork or exec.
 */
static const char *const fentry_progs[] = {
	HOST_TRACEPOINT_PROGS,
	"fentry_host_commit_creds",
	NULL,
};

static bool usable_lsm(const struct pg_features *f)
{
	return usable_fentry(f) && f->lsm_prog && f->lsm_active;
}

/*
 * The same, and the LSM hooks of the credentials calls: a deny (or kill)
 * rule on credentials_change refuses the call before the change is made.
 */
static const char *const lsm_progs[] = {
	HOST_TRACEPOINT_PROGS,
	"fentry_host_commit_creds", /* as fentry's */
	"lsm_host_setuid",	    /* setuid, setreuid, setresuid, setfsuid */
	"lsm_host_setgid",	    /* the gid ones */
	"lsm_host_setgroups",	    /* 6.1+: host_configure() */
	"lsm_host_capset",	    /* capset */
	NULL,
};

/* They produce the same records, handled alike here. */
static const struct pg_backend host_backends[] = {
	{ "lsm",
	  "syscall tracepoints, tp_btf, fentry on commit_creds, BPF LSM on the set*id "
	  "calls",
	  usable_lsm, lsm_progs },
	{ "fentry", "syscall tracepoints, tp_btf, fentry on commit_creds", usable_fentry,
	  fentry_progs },
	{ "tracepoint", "syscall tracepoints, tp_btf", usable_tracepoint, tracepoint_progs },
};

/*
 * A syscall tracepoint exists only for a call the kernel was built with
 * (no CONFIG_MODULES: no init_module): its programs are left out, and
 * `penguard probe` says which events this kernel cannot produce.
 */
static bool syscall_tracepoint_exists(const char *event)
{
	char name[128];

	snprintf(name, sizeof(name), "syscalls/%s", event);
	return !pg_tracepoint_exists(name);
}

/* Calls that some kernels are built without, by host_change kind. */
static const struct {
	const char *kind;
	const char *calls[3];
} optional_calls[] = {
	{ "module", { "init_module", "finit_module", "delete_module" } },
	{ "kexec", { "kexec_load", "kexec_file_load" } },
	{ "swap", { "swapon", "swapoff" } },
};

/*
 * Whether sysctl writes can be watched here, and if not why: a cgroup
 * hook on the cgroup v2 root, whose programs name the current process
 * only since the kernel gave cgroup programs the current-task helpers
 * (6.1; 5.10's sysctl programs have none).
 */
static bool sysctl_usable(char *why, size_t size)
{
	static const struct {
		enum bpf_func_id id;
		const char *name;
	} need[] = {
		{ BPF_FUNC_get_current_pid_tgid, "bpf_get_current_pid_tgid" },
		{ BPF_FUNC_get_current_task, "bpf_get_current_task" },
		{ BPF_FUNC_get_current_comm, "bpf_get_current_comm" },
		{ BPF_FUNC_probe_read_kernel, "bpf_probe_read_kernel" },
	};
	size_t i;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    access("/sys/fs/cgroup/unified/cgroup.controllers", F_OK)) {
		snprintf(why, size,
			 "no cgroup v2 is mounted (the sysctl hook attaches to its root)");
		return false;
	}
	for (i = 0; i < PG_ARRAY_SIZE(need); i++)
		if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SYSCTL, need[i].id, NULL) != 1) {
			snprintf(why, size,
				 "this kernel's cgroup/sysctl programs cannot name the writer "
				 "(they have no %s: 6.1 and later do)",
				 need[i].name);
			return false;
		}
	return true;
}

bool pg_host_sysctl_usable(void)
{
	char why[160];

	return sysctl_usable(why, sizeof(why));
}

/* Set when the host sensor's object keeps the sysctl hook (host_configure()). */
static bool sysctl_hook;

bool pg_host_sysctl_hooked(void)
{
	return sysctl_hook;
}

/*
 * Whether the lsm backend can refuse every credentials call here:
 * setgroups got its LSM hook (task_fix_setgroups) in 6.1.
 */
bool pg_host_setgroups_hookable(void)
{
	static int known = -1;
	struct btf *btf = NULL;

	if (known < 0) {
		known = pg_btf_has(&btf, "bpf_lsm_task_fix_setgroups", BTF_KIND_FUNC) > 0;
		btf__free(btf);
	}
	return known;
}

static size_t host_unavailable(struct pg_unavailable *out, size_t max)
{
	char event[64];
	size_t i, j, n = 0;

	if (n < max && !sysctl_usable(out[n].why, sizeof(out[n].why))) {
		out[n].event = "host_change";
		out[n].what = "sysctl";
		n++;
	}

	for (i = 0; i < PG_ARRAY_SIZE(optional_calls) && n < max; i++) {
		const char *missing = NULL;

		for (j = 0; j < PG_ARRAY_SIZE(optional_calls[i].calls); j++) {
			const char *c = optional_calls[i].calls[j];

			snprintf(event, sizeof(event), "sys_enter_%s", c ? c : "");
			if (c && !syscall_tracepoint_exists(event)) {
				missing = c;
				break;
			}
		}
		if (!missing)
			continue;
		out[n].event = "host_change";
		out[n].what = optional_calls[i].kind;
		if (!strcmp(optional_calls[i].kind, "module") && access("/proc/modules", F_OK))
			snprintf(out[n].why, sizeof(out[n].why),
				 "this kernel has no loadable module support (no /proc/modules)");
		else
			snprintf(out[n].why, sizeof(out[n].why),
				 "this kernel has no %s system call (no tracepoint sys_enter_%s)",
				 missing, missing);
		n++;
	}
	return n;
}

static void exec_hooks(struct bpf_object *obj)
{
	static const char *const calls[] = {
		"tp_sys_enter_execve",
		"tp_sys_exit_execve",
		"tp_sys_enter_execveat",
		"tp_sys_exit_execveat",
		NULL,
	};
	static const char *const tps[] = { "tp_btf_host_prepare_exec", "tp_btf_host_exec", NULL };
	struct btf *btf = NULL;
	bool prepare = pg_btf_has(&btf, "btf_trace_sched_prepare_exec", BTF_KIND_TYPEDEF);

	btf__free(btf);
	pg_sensor_set_autoload(obj, prepare ? calls : tps, false);
	pg_dbg("host: exec credentials from %s",
	       prepare ? "sched_prepare_exec" : "the execve and execveat tracepoints");
}

static int host_configure(struct bpf_object *obj, const struct pg_config *cfg)
{
	static const char prefix[] = "tracepoint/syscalls/";
	struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
	struct host_bpf__rodata *ro;
	struct bpf_program *prog;
	char why[160];
	size_t sz = 0;

	(void)cfg;
	/*
	 * The agent's own program loads are not reported. Before the load,
	 * .rodata is the object's writable image; the section is not padded
	 * as the skeleton's struct is.
	 */
	ro = rodata ? (void *)(uintptr_t)bpf_map__initial_value(rodata, &sz) : NULL;
	if (!ro ||
	    sz < offsetof(struct host_bpf__rodata, pg_agent_tgid) + sizeof(ro->pg_agent_tgid))
		return -EINVAL;
	ro->pg_agent_tgid = getpid();
	prog = bpf_object__find_program_by_name(obj, "cgroup_sysctl");
	sysctl_hook = prog && bpf_program__autoload(prog);
	if (sysctl_hook && !sysctl_usable(why, sizeof(why))) {
		pg_info("host: no sysctl write events: %s", why);
		bpf_program__set_autoload(prog, false);
		sysctl_hook = false;
	}
	/*
	 * The exec's two points where the kernel has them (6.10+): see
	 * host.bpf.c. One set or the other, never both: each would report
	 * the same change.
	 */
	exec_hooks(obj);
	prog = bpf_object__find_program_by_name(obj, "lsm_host_setgroups");
	if (prog && bpf_program__autoload(prog) && !pg_host_setgroups_hookable()) {
		pg_info("host: setgroups cannot be refused here (no LSM hook before 6.1): deny "
			"rules on credentials_change are refused");
		bpf_program__set_autoload(prog, false);
	}
	/* no module support, no module tracepoints: loads are refused anyway */
	if (access("/proc/modules", F_OK)) {
		static const char *const mods[] = { "tp_btf_host_module_load",
						    "tp_btf_host_module_request", NULL };

		pg_dbg("host: no module support: module names and requests left out");
		pg_sensor_set_autoload(obj, mods, false);
	}
	bpf_object__for_each_program (prog, obj) {
		const char *sec = bpf_program__section_name(prog);

		if (!bpf_program__autoload(prog) || strncmp(sec, prefix, sizeof(prefix) - 1))
			continue;
		if (!syscall_tracepoint_exists(sec + sizeof(prefix) - 1)) {
			pg_dbg("host: no tracepoint %s on this kernel", sec);
			bpf_program__set_autoload(prog, false);
		}
	}
	return 0;
}

/* ---- decoding ---- */

static const char *const op_names[PG_HOST_OP_MAX] = {
	[PG_HOST_OP_SETUID] = "setuid",
	[PG_HOST_OP_SETGID] = "setgid",
	[PG_HOST_OP_SETREUID] = "setreuid",
	[PG_HOST_OP_SETREGID] = "setregid",
	[PG_HOST_OP_SETRESUID] = "setresuid",
	[PG_HOST_OP_SETRESGID] = "setresgid",
	[PG_HOST_OP_SETFSUID] = "setfsuid",
	[PG_HOST_OP_SETFSGID] = "setfsgid",
	[PG_HOST_OP_SETGROUPS] = "setgroups",
	[PG_HOST_OP_CAPSET] = "capset",
	[PG_HOST_OP_SETNS] = "setns",
	[PG_HOST_OP_UNSHARE] = "unshare",
	[PG_HOST_OP_CLONE] = "clone",
	[PG_HOST_OP_MOUNT] = "mount",
	[PG_HOST_OP_UMOUNT] = "umount2",
	[PG_HOST_OP_PIVOT_ROOT] = "pivot_root",
	[PG_HOST_OP_CHROOT] = "chroot",
	[PG_HOST_OP_SETHOSTNAME] = "sethostname",
	[PG_HOST_OP_SETDOMAINNAME] = "setdomainname",
	[PG_HOST_OP_SETTIMEOFDAY] = "settimeofday",
	[PG_HOST_OP_CLOCK_SETTIME] = "clock_settime",
	[PG_HOST_OP_ADJTIMEX] = "adjtimex",
	[PG_HOST_OP_CLOCK_ADJTIME] = "clock_adjtime",
	[PG_HOST_OP_SWAPON] = "swapon",
	[PG_HOST_OP_SWAPOFF] = "swapoff",
	[PG_HOST_OP_REBOOT] = "reboot",
	[PG_HOST_OP_KEXEC_LOAD] = "kexec_load",
	[PG_HOST_OP_KEXEC_FILE_LOAD] = "kexec_file_load",
	[PG_HOST_OP_INIT_MODULE] = "init_module",
	[PG_HOST_OP_FINIT_MODULE] = "finit_module",
	[PG_HOST_OP_DELETE_MODULE] = "delete_module",
	[PG_HOST_OP_BPF_PROG_LOAD] = "bpf",
	[PG_HOST_OP_PTRACE] = "ptrace",
	[PG_HOST_OP_PROCESS_VM_WRITEV] = "process_vm_writev",
	[PG_HOST_OP_EXECVE] = "execve",
	[PG_HOST_OP_EXECVEAT] = "execveat",
	[PG_HOST_OP_FSOPEN] = "fsopen",
	[PG_HOST_OP_FSCONFIG] = "fsconfig",
	[PG_HOST_OP_FSMOUNT] = "fsmount",
	[PG_HOST_OP_MOVE_MOUNT] = "move_mount",
	[PG_HOST_OP_OPEN_TREE] = "open_tree",
	[PG_HOST_OP_MOUNT_SETATTR] = "mount_setattr",
	[PG_HOST_OP_SYSCTL_WRITE] = "write", /* of /proc/sys, by whichever call */
	[PG_HOST_OP_UNWATCHED] = "none",     /* no watched call changed them */
	[PG_HOST_OP_COMMITTED] = "none",     /* the same, seen as the kernel committed them */
	[PG_HOST_OP_MODULE_REQUEST] = "request_module", /* the kernel's, for the process */
};

/* enum bpf_prog_type (UAPI, stable numbers), the common ones */
static const char *const prog_types[] = {
	"unspec",
	"socket_filter",
	"kprobe",
	"sched_cls",
	"sched_act",
	"tracepoint",
	"xdp",
	"perf_event",
	"cgroup_skb",
	"cgroup_sock",
	"lwt_in",
	"lwt_out",
	"lwt_xmit",
	"sock_ops",
	"sk_skb",
	"cgroup_device",
	"sk_msg",
	"raw_tracepoint",
	"cgroup_sock_addr",
	"lwt_seg6local",
	"lirc_mode2",
	"sk_reuseport",
	"flow_dissector",
	"cgroup_sysctl",
	"raw_tracepoint_writable",
	"cgroup_sockopt",
	"tracing",
	"struct_ops",
	"ext",
	"lsm",
	"sk_lookup",
	"syscall",
	"netfilter",
};

/* The name of bpf_prog_type @t into @buf ("type_N" past the known ones). */
const char *pg_host_prog_type_name(uint64_t t, char buf[32])
{
	if (t < PG_ARRAY_SIZE(prog_types))
		return prog_types[t];
	snprintf(buf, 32, "type_%llu", (unsigned long long)t);
	return buf;
}

const char *pg_host_op_name(unsigned op)
{
	return op < PG_HOST_OP_MAX && op_names[op] ? op_names[op] : "unknown";
}

bool pg_host_escalation(const struct pg_creds *before, const struct pg_creds *after)
{
	uint64_t had = before->cap_permitted | before->cap_effective;
	uint64_t has = after->cap_permitted | after->cap_effective;

	return (after->uid == 0 && before->uid != 0) || (after->euid == 0 && before->euid != 0) ||
	       (has & ~had);
}

/*
 * An exec changes credentials only as the kernel's rules for the file
 * allow: the set-user-ID bit makes the file's owner the effective uid,
 * the set-group-ID bit its group the effective gid, and the new
 * capabilities come from the file's capabilities, or from root's rule
 * (an effective uid of 0 gets the full set). What the record saw between
 * one execve's entry and return is therefore explained by the file;
 * what the file cannot explain (a real uid turned 0, an effective uid 0
 * from no set-user-ID root file) is an escalation.
 */
unsigned pg_host_exec_grants(const struct pg_creds *before, const struct pg_creds *after,
			     const struct pg_file_info *file, bool *escalation)
{
	uint64_t had = before->cap_permitted | before->cap_effective;
	uint64_t has = after->cap_permitted | after->cap_effective;
	unsigned g = 0;

	if ((file->mode & S_ISUID) && after->euid == file->uid && before->euid != file->uid)
		g |= PG_HOST_GRANT_SETUID;
	if ((file->mode & S_ISGID) && (file->mode & S_IXGRP) && after->egid == file->gid &&
	    before->egid != file->gid)
		g |= PG_HOST_GRANT_SETGID;
	if ((has & ~had) && after->euid != 0)
		g |= PG_HOST_GRANT_CAPS;
	*escalation = (after->uid == 0 && before->uid != 0) ||
		      (after->euid == 0 && before->euid != 0 && !(g & PG_HOST_GRANT_SETUID));
	return g;
}

size_t pg_host_ns_changed(const struct pg_namespaces *before, const struct pg_namespaces *after,
			  const char **names, size_t max)
{
	/* the order of the process objects' "ns" */
	const struct {
		const char *name;
		size_t off;
	} rows[] = {
		{ "uts", offsetof(struct pg_namespaces, uts) },
		{ "ipc", offsetof(struct pg_namespaces, ipc) },
		{ "mnt", offsetof(struct pg_namespaces, mnt) },
		{ "pid", offsetof(struct pg_namespaces, pid) },
		{ "pid_for_children", offsetof(struct pg_namespaces, pid_for_children) },
		{ "net", offsetof(struct pg_namespaces, net) },
		{ "time", offsetof(struct pg_namespaces, time) },
		{ "time_for_children", offsetof(struct pg_namespaces, time_for_children) },
		{ "cgroup", offsetof(struct pg_namespaces, cgroup) },
		{ "user", offsetof(struct pg_namespaces, user) },
	};
	size_t i, n = 0;

	for (i = 0; i < PG_ARRAY_SIZE(rows); i++) {
		uint32_t b, a;

		memcpy(&b, (const char *)before + rows[i].off, sizeof(b));
		memcpy(&a, (const char *)after + rows[i].off, sizeof(a));
		if (a != b && n < max)
			names[n++] = rows[i].name;
	}
	return n;
}

/* ---- events ---- */

/* The compact line's start: time, verb, pid, uid, binary. */
static void compact_begin(struct pg_agent *a, const char *verb, const struct pg_process *p,
			  uint64_t ktime)
{
	struct pg_buf *b = &a->compact;
	char ts[PG_RFC3339_LEN];

	pg_buf_reset(b);
	pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, ktime));
	pg_buf_printf(b, "%.12s %-6s %7u uid=%u ", ts + 11, verb, p->key.pid, p->creds.uid);
	pg_escape(b, p->binary, strlen(p->binary), false);
}

/* Close the event object, end the event and write its compact line. */
static void event_end(struct pg_agent *a, const struct pg_decision *d, uint64_t ktime)
{
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out) && d->rule && d->action && strcmp(d->action, "report"))
		pg_buf_printf(&a->compact, " [%s%s]", d->taken ? "" : "would ", d->action);
	pg_agent_event_end(a, ktime);
	if (pg_output__wants_compact(a->out))
		pg_output__compact(a->out, a->compact.data, a->compact.len);
}

/* Supplementary groups: the first PG_HOST_GROUPS of them. */
static void groups_json(struct pg_json *w, const char *key, const struct pg_groups *g)
{
	uint32_t i;

	pg_json__key(w, key);
	pg_json__begin_array(w);
	for (i = 0; i < g->n && i < PG_HOST_GROUPS; i++)
		pg_json__uint(w, g->gid[i]);
	pg_json__end_array(w);
}

static void creds_on_event(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_creds_event *e = rec;
	struct pg_decision d;
	struct pg_process *p;
	unsigned grants = 0;
	bool esc;

	if (size < sizeof(*e)) {
		a->malformed++;
		return;
	}
	p = pg_process_decide_begin(a, "credentials_change", &e->task, &e->verdict, &e->matched,
				    e->comm, NULL, &d);
	if (!p)
		return;
	/* an exec's record is the new image's: p has the file it ran */
	if (e->op == PG_HOST_OP_EXECVE || e->op == PG_HOST_OP_EXECVEAT)
		grants = pg_host_exec_grants(&e->before, &e->after, &p->file, &esc);
	else
		esc = pg_host_escalation(&e->before, &e->after);
	/* refused (lsm backend): after is what the call asked for, never held */
	if (e->hdr.flags & PG_EVENT_F_REFUSED)
		esc = false;
	PG_JSON_KEY(a->json, "credentials");
	pg_json__begin_object(a->json);
	PG_JSON_KV_STRING(a->json, "syscall", pg_host_op_name(e->op));
	if (e->hdr.flags & PG_EVENT_F_COMPAT32)
		PG_JSON_KV_BOOL(a->json, "compat32", true);
	if (e->op == PG_HOST_OP_COMMITTED) {
		PG_JSON_KV_STRING(a->json, "seen_at", "commit_creds");
		if (e->result >= 0) {
			const char *name =
				pg_syscall_name(e->result, e->hdr.flags & PG_EVENT_F_COMPAT32);

			PG_JSON_KV_INT(a->json, "syscall_nr", e->result);
			if (name)
				PG_JSON_KV_STRING(a->json, "syscall_name", name);
		}
	} else if (e->op != PG_HOST_OP_UNWATCHED) {
		PG_JSON_KV_INT(a->json, "return", e->result);
	}
	pg_process_creds_json(a->json, "before", &e->before);
	pg_process_creds_json(a->json, "after", &e->after);
	groups_json(a->json, "groups_before", &e->groups_before);
	groups_json(a->json, "groups_after", &e->groups_after);
	if (grants) {
		/* Tetragon's names, as in process_exec's binary_properties */
		PG_JSON_KEY(a->json, "privileges_changed");
		pg_json__begin_array(a->json);
		if (grants & PG_HOST_GRANT_CAPS)
			pg_json__string(a->json, "PRIVILEGES_RAISED_EXEC_FILE_CAP");
		if (grants & PG_HOST_GRANT_SETUID)
			pg_json__string(a->json, "PRIVILEGES_RAISED_EXEC_FILE_SETUID");
		if (grants & PG_HOST_GRANT_SETGID)
			pg_json__string(a->json, "PRIVILEGES_RAISED_EXEC_FILE_SETGID");
		pg_json__end_array(a->json);
	}
	if (esc)
		PG_JSON_KV_BOOL(a->json, "privilege_escalation", true);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out)) {
		compact_begin(a, "creds", p, e->hdr.ktime);
		pg_buf_printf(&a->compact,
			      "  %s uid %u->%u euid %u->%u gid %u->%u egid %u->%u caps "
			      "%#llx->%#llx%s",
			      pg_host_op_name(e->op), e->before.uid, e->after.uid, e->before.euid,
			      e->after.euid, e->before.gid, e->after.gid, e->before.egid,
			      e->after.egid, (unsigned long long)e->before.cap_effective,
			      (unsigned long long)e->after.cap_effective, esc ? " ESCALATION" : "");
	}
	event_end(a, &d, e->hdr.ktime);
}

static void ns_on_event(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_ns_event *e = rec;
	const char *changed[10];
	struct pg_decision d;
	struct pg_process *p;
	size_t n, i;

	if (size < sizeof(*e)) {
		a->malformed++;
		return;
	}
	p = pg_process_decide_begin(a, "namespace_change", &e->task, &e->verdict, &e->matched,
				    e->comm, NULL, &d);
	if (!p)
		return;
	n = pg_host_ns_changed(&e->before, &e->after, changed, PG_ARRAY_SIZE(changed));
	PG_JSON_KEY(a->json, "namespaces");
	pg_json__begin_object(a->json);
	PG_JSON_KV_STRING(a->json, "syscall", pg_host_op_name(e->op));
	if (e->op == PG_HOST_OP_CLONE)
		PG_JSON_KV_UINT(a->json, "child_pid", (uint32_t)e->result);
	else
		PG_JSON_KV_INT(a->json, "return", e->result);
	PG_JSON_KV_UINT_STR(a->json, "flags", e->flags);
	PG_JSON_KEY(a->json, "changed");
	pg_json__begin_array(a->json);
	for (i = 0; i < n; i++)
		pg_json__string(a->json, changed[i]);
	pg_json__end_array(a->json);
	pg_process_ns_json(a, "before", &e->before);
	pg_process_ns_json(a, "after", &e->after);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out)) {
		compact_begin(a, "ns", p, e->hdr.ktime);
		pg_buf_printf(&a->compact, "  %s", pg_host_op_name(e->op));
		for (i = 0; i < n; i++)
			pg_buf_printf(&a->compact, "%s%s", i ? "," : " ", changed[i]);
		if (e->op == PG_HOST_OP_CLONE)
			pg_buf_printf(&a->compact, " child=%u", (uint32_t)e->result);
	}
	event_end(a, &d, e->hdr.ktime);
}

/*
 * A /proc/sys path ("net/ipv4/ip_forward") as sysctl(8) names it
 * ("net.ipv4.ip_forward"): a dot within a component becomes a slash, as
 * sysctl(8) writes it, so the name maps back to one file.
 */
size_t pg_host_sysctl_name(const char *path, size_t n, char *out, size_t size)
{
	size_t i, len = 0;

	if (!size)
		return 0;
	for (i = 0; i < n && path[i] && len + 1 < size; i++)
		out[len++] = path[i] == '/' ? '.' : path[i] == '.' ? '/' : path[i];
	out[len] = 0;
	return len;
}

/* A value as written or read, without the newline that `echo` adds. */
static size_t sysctl_value_len(const char *v, size_t size)
{
	size_t n = strnlen(v, size);

	while (n && (v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	return n;
}

static void sysctl_json(struct pg_json *w, const struct pg_host_event *e)
{
	char name[PG_HOST_STR_MAX];
	size_t n = pg_host_sysctl_name(e->str, sizeof(e->str), name, sizeof(name));

	PG_JSON_KV_STRING_N(w, "name", name, n);
	PG_JSON_KV_STRING_N(w, "value", e->str2, sysctl_value_len(e->str2, sizeof(e->str2)));
	PG_JSON_KV_STRING_N(w, "old_value", e->file, sysctl_value_len(e->file, sizeof(e->file)));
}

/* fsconfig's commands (uapi FSCONFIG_*), by number */
static const char *const fsconfig_cmds[] = {
	"FSCONFIG_SET_FLAG",   "FSCONFIG_SET_STRING",	   "FSCONFIG_SET_BINARY",
	"FSCONFIG_SET_PATH",   "FSCONFIG_SET_PATH_EMPTY",  "FSCONFIG_SET_FD",
	"FSCONFIG_CMD_CREATE", "FSCONFIG_CMD_RECONFIGURE", "FSCONFIG_CMD_CREATE_EXCL",
};

/* The fields of a host_change that its call has. */
static void host_json(struct pg_json *w, const struct pg_host_event *e)
{
	bool mount = e->kind == PG_HOST_KIND_MOUNT, module = e->kind == PG_HOST_KIND_MODULE;
	char buf[32];

	PG_JSON_KEY(w, "host");
	pg_json__begin_object(w);
	PG_JSON_KV_STRING(w, "kind", pg_policy_host_kind_name(e->kind));
	/* a sysctl write is whichever write call reached /proc/sys: not named */
	if (e->op != PG_HOST_OP_SYSCTL_WRITE)
		PG_JSON_KV_STRING(w, "syscall", pg_host_op_name(e->op));
	PG_JSON_KV_INT(w, "return", e->result);
	if (e->result < 0)
		pg_json__kv_result(w, e->result);
	switch (e->op) {
	case PG_HOST_OP_MOUNT:
		PG_JSON_KV_STRING_N(w, "path", e->str, strnlen(e->str, sizeof(e->str)));
		PG_JSON_KV_STRING_N(w, "source", e->str2, strnlen(e->str2, sizeof(e->str2)));
		PG_JSON_KV_STRING_N(w, "fstype", e->fstype, strnlen(e->fstype, sizeof(e->fstype)));
		PG_JSON_KV_UINT_STR(w, "flags", e->arg);
		break;
	case PG_HOST_OP_PIVOT_ROOT:
		PG_JSON_KV_STRING_N(w, "path", e->str, strnlen(e->str, sizeof(e->str)));
		PG_JSON_KV_STRING_N(w, "put_old", e->str2, strnlen(e->str2, sizeof(e->str2)));
		break;
	case PG_HOST_OP_FSOPEN:
		PG_JSON_KV_STRING_N(w, "fstype", e->fstype, strnlen(e->fstype, sizeof(e->fstype)));
		break;
	case PG_HOST_OP_FSCONFIG:
		PG_JSON_KV_STRING(w, "command",
				  e->arg < PG_ARRAY_SIZE(fsconfig_cmds) ? fsconfig_cmds[e->arg]
									: "unknown");
		if (e->str[0])
			PG_JSON_KV_STRING_N(w, "key", e->str, strnlen(e->str, sizeof(e->str)));
		if (e->str2[0])
			PG_JSON_KV_STRING_N(w, "value", e->str2, strnlen(e->str2, sizeof(e->str2)));
		PG_JSON_KV_UINT(w, "fd", e->target);
		break;
	case PG_HOST_OP_FSMOUNT:
		/* what it mounts is the context fsopen made: the fsopen event of the process */
		PG_JSON_KV_UINT_STR(w, "attributes", e->arg);
		break;
	case PG_HOST_OP_MOVE_MOUNT:
		PG_JSON_KV_STRING_N(w, "path", e->str, strnlen(e->str, sizeof(e->str)));
		PG_JSON_KV_STRING_N(w, "source", e->str2, strnlen(e->str2, sizeof(e->str2)));
		break;
	case PG_HOST_OP_MOUNT_SETATTR:
		PG_JSON_KV_STRING_N(w, "path", e->str, strnlen(e->str, sizeof(e->str)));
		PG_JSON_KV_UINT_STR(w, "attr_set", e->arg);
		PG_JSON_KV_UINT_STR(w, "attr_clr", e->target);
		break;
	case PG_HOST_OP_SETHOSTNAME:
	case PG_HOST_OP_SETDOMAINNAME:
	case PG_HOST_OP_DELETE_MODULE:
	case PG_HOST_OP_BPF_PROG_LOAD:
		PG_JSON_KV_STRING_N(w, "name", e->str, strnlen(e->str, sizeof(e->str)));
		break;
	case PG_HOST_OP_MODULE_REQUEST:
		PG_JSON_KV_STRING_N(w, "name", e->str, strnlen(e->str, sizeof(e->str)));
		PG_JSON_KV_BOOL(w, "wait", e->arg != 0);
		break;
	case PG_HOST_OP_INIT_MODULE:
	case PG_HOST_OP_FINIT_MODULE:
		if (e->str2[0])
			PG_JSON_KV_STRING_N(w, "name", e->str2, strnlen(e->str2, sizeof(e->str2)));
		if (e->file[0])
			PG_JSON_KV_STRING_N(w, "file", e->file, strnlen(e->file, sizeof(e->file)));
		/* the arguments, as kexec_file_load's command line */
		__attribute__((fallthrough));
	case PG_HOST_OP_KEXEC_FILE_LOAD:
		PG_JSON_KV_STRING_N(w, "arguments", e->str, strnlen(e->str, sizeof(e->str)));
		break;
	case PG_HOST_OP_PTRACE:
	case PG_HOST_OP_PROCESS_VM_WRITEV: PG_JSON_KV_UINT(w, "target_pid", e->target); break;
	case PG_HOST_OP_SYSCTL_WRITE: sysctl_json(w, e); break;
	default:
		if (mount || e->kind == PG_HOST_KIND_SWAP)
			PG_JSON_KV_STRING_N(w, "path", e->str, strnlen(e->str, sizeof(e->str)));
	}
	if (e->op == PG_HOST_OP_BPF_PROG_LOAD)
		PG_JSON_KV_STRING(w, "program_type", pg_host_prog_type_name(e->arg, buf));
	else if (e->op == PG_HOST_OP_PTRACE)
		PG_JSON_KV_STRING(w, "request", e->arg == 16 ? "PTRACE_ATTACH" : "PTRACE_SEIZE");
	else if (e->op == PG_HOST_OP_CLOCK_SETTIME || e->op == PG_HOST_OP_CLOCK_ADJTIME)
		PG_JSON_KV_UINT(w, "clock", e->arg);
	else if (e->op == PG_HOST_OP_ADJTIMEX)
		PG_JSON_KV_UINT(w, "modes", e->arg);
	else if (e->op == PG_HOST_OP_REBOOT)
		PG_JSON_KV_UINT_STR(w, "command", e->arg);
	else if (e->op != PG_HOST_OP_MOUNT && e->op != PG_HOST_OP_FSMOUNT &&
		 e->op != PG_HOST_OP_MODULE_REQUEST && e->op != PG_HOST_OP_MOUNT_SETATTR &&
		 e->op != PG_HOST_OP_FSCONFIG &&
		 (module || mount || e->kind == PG_HOST_KIND_SWAP ||
		  e->kind == PG_HOST_KIND_KEXEC) &&
		 e->arg)
		PG_JSON_KV_UINT_STR(w, "flags", e->arg);
	pg_json__end_object(w);
}

static void host_on_event(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_host_event *e = rec;
	struct pg_decision d;
	struct pg_process *p;

	if (size < sizeof(*e)) {
		a->malformed++;
		return;
	}
	/* the sysctl hook refused the write; a cgroup program cannot send the kill */
	if (e->op == PG_HOST_OP_SYSCTL_WRITE && (e->verdict.flags & PG_VERDICT_F_KILLED))
		pg_policy_kill_pid(e->task.proc.pid);
	p = pg_process_decide_begin(a, "host_change", &e->task, &e->verdict, &e->matched, e->comm,
				    NULL, &d);
	if (!p)
		return;
	host_json(a->json, e);
	if (pg_output__wants_compact(a->out)) {
		compact_begin(a, "host", p, e->hdr.ktime);
		pg_buf_printf(&a->compact, "  %s %s", pg_policy_host_kind_name(e->kind),
			      pg_host_op_name(e->op));
		if ((e->op == PG_HOST_OP_INIT_MODULE || e->op == PG_HOST_OP_FINIT_MODULE) &&
		    e->str2[0]) {
			pg_buf_puts(&a->compact, " ");
			pg_escape(&a->compact, e->str2, strnlen(e->str2, sizeof(e->str2)), false);
		}
		if (e->op == PG_HOST_OP_FSCONFIG && e->str[0]) {
			/* key=value, or the key of a flag */
			pg_buf_puts(&a->compact, " ");
			pg_escape(&a->compact, e->str, strnlen(e->str, sizeof(e->str)), false);
			if (e->str2[0]) {
				pg_buf_puts(&a->compact, "=");
				pg_escape(&a->compact, e->str2, strnlen(e->str2, sizeof(e->str2)),
					  false);
			}
		} else if (e->op == PG_HOST_OP_SYSCTL_WRITE) {
			char name[PG_HOST_STR_MAX];
			size_t n = pg_host_sysctl_name(e->str, sizeof(e->str), name, sizeof(name));

			pg_buf_puts(&a->compact, " ");
			pg_escape(&a->compact, name, n, false);
			pg_buf_puts(&a->compact, "=");
			pg_escape(&a->compact, e->str2, sysctl_value_len(e->str2, sizeof(e->str2)),
				  false);
		} else if (e->str[0]) {
			pg_buf_puts(&a->compact, " ");
			pg_escape(&a->compact, e->str, strnlen(e->str, sizeof(e->str)), false);
		} else if (e->fstype[0]) {
			pg_buf_puts(&a->compact, " ");
			pg_escape(&a->compact, e->fstype, strnlen(e->fstype, sizeof(e->fstype)),
				  false);
		}
		if (e->op == PG_HOST_OP_PTRACE || e->op == PG_HOST_OP_PROCESS_VM_WRITEV)
			pg_buf_printf(&a->compact, " target=%u", e->target);
		pg_buf_printf(&a->compact, " = %d", e->result);
	}
	event_end(a, &d, e->hdr.ktime);
}

static const struct pg_event_desc host_events[] = {
	{ PG_EVENT_CREDS_CHANGE, "credentials_change", sizeof(struct pg_creds_event),
	  creds_on_event },
	{ PG_EVENT_NS_CHANGE, "namespace_change", sizeof(struct pg_ns_event), ns_on_event },
	{ PG_EVENT_HOST_CHANGE, "host_change", sizeof(struct pg_host_event), host_on_event },
};

const struct pg_sensor pg_sensor_host = {
	.name = "host",
	.required = false,
	.backends = host_backends,
	.n_backends = PG_ARRAY_SIZE(host_backends),
	.elf_bytes = host_bpf__elf_bytes,
	.configure = host_configure,
	.events = host_events,
	.n_events = PG_ARRAY_SIZE(host_events),
	.unavailable = host_unavailable,
};
