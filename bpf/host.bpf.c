// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Host sensor: changes a process makes to itself or to the host that
 * matter for security: its credentials (set*id, setgroups, capset), its
 * namespaces (setns, unshare, clone into new ones), and later the host's
 * own state (mounts, hostname, clock, modules, ...).
 *
 * "tracepoint" backend, the one this host (locked down: no kprobes, no
 * fentry, no BPF LSM) runs: each watched call's own sys_enter_* and
 * sys_exit_* tracepoints, never raw_syscalls/sys_enter, which would put a
 * program on every system call of the host; the calls watched here are
 * rare, so their tracepoints cost nothing to anything else. At the entry
 * the policy is asked first (the current process's selection and the
 * event type: a few loads); only if a rule may want the event is the
 * state the call can change taken from the kernel (task->cred,
 * task->nsproxy: never user memory, which the caller controls and may
 * change under us) into pg_host_pending, per thread; the exit compares it
 * with the state then and reports only a change. A clone into new
 * namespaces changes the child, not the caller: tp_btf/sched_process_fork
 * sees both, and a child that shares its parent's nsproxy and user
 * namespace (every fork without CLONE_NEW*) costs two compares.
 *
 * The "fentry" backend adds commit_creds (a change no watched call made,
 * seen as it is made), the "lsm" backend the LSM hooks of the credentials
 * calls (a change refused before it is made): other programs producing
 * the same records. The program lists in src/sensors/host.c are the
 * backends.
 */
#include "lib/task.bpf.h"
#include "lib/creds.bpf.h"
#include "lib/policy.bpf.h"
#include "lib/path.bpf.h"
#include "lib/fd.bpf.h"

/* What a watched call may change, as it was at the call's entry. */
struct pg_host_pending {
	__u16 op;   /* PG_HOST_OP_* */
	__u16 type; /* the event it may produce */
	__u32 pad;
	__u64 flags; /* setns: nstype; unshare: its flags; host_change: its arg */
	__u64 str;   /* host_change: user pointers to the strings, read at the return */
	__u64 str2;
	__u64 fstype;
	__u32 target;
	__u32 len;			  /* sethostname, setdomainname: the name's length */
	char module[PG_HOST_MODULE_NAME]; /* init_module, finit_module: what loaded */
	struct pg_creds creds;
	struct pg_groups groups;
	struct pg_namespaces ns;
};

/*
 * Per thread, from a call's entry to its return. Preallocated: the
 * syscall tracepoints must not allocate. An entry left by a thread that
 * died in the call is overwritten by the next thread of that id.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct pg_host_pending);
} pg_host_pending SEC(".maps");

/* An exec's credentials at its entry: see pg_host_exec_enter(). */
struct pg_host_exec_slot {
	__u32 tgid;    /* 0: free */
	__u16 op;      /* sched_prepare_exec: PG_HOST_OP_EXECVE or _EXECVEAT */
	__u16 flags;   /* sched_prepare_exec: PG_EVENT_F_COMPAT32 */
	__u64 start;   /* the process's start time: a reused pid is another process */
	__u64 entered; /* when: a slot left by an exec killed in flight is free after a while */
	struct pg_creds creds;
};

/* finit_module's file, from its module_load to its return (per thread). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64); /* pid_tgid */
	__type(value, char[PG_HOST_STR_MAX]);
} pg_host_module_file SEC(".maps");

/* Records are built here: too big for the stack, and process context only. */
struct pg_host_heap {
	union {
		struct pg_creds_event creds;
		struct pg_ns_event ns;
		struct pg_host_event host;
	};
	struct pg_host_pending pend;
	struct pg_host_exec_slot exec;
	struct pg_path_buf path;
	struct pg_rule_mask sel;
	struct pg_rule_mask one;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_host_heap);
} pg_host_heap SEC(".maps");

static __always_inline struct pg_host_heap *pg_host_heap_get(void)
{
	__u32 zero = 0;
	struct pg_host_heap *h = bpf_map_lookup_elem(&pg_host_heap, &zero);

	if (!h)
		pg_count_error(PG_ERR_SCRATCH);
	return h;
}

/*
 * The rules that may report event @type for the current process, into
 * @sel; for host_change, of @kind (rules without `kind:` take every
 * kind). NULL: none.
 */
static __always_inline const struct pg_policy_masks *
pg_host_candidates(struct pg_rule_mask *sel, __u32 *gen, __u16 type, __u16 kind)
{
	const struct pg_policy_masks *m = pg_policy_candidates(sel, gen, type, PG_EVENT_NONE);

	if (!m || type != PG_EVENT_HOST_CHANGE)
		return m;
	pg_mask_and(sel, &m->host_kind[kind < PG_HOST_KINDS ? kind : 0]);
	return pg_mask_empty(sel) ? NULL : m;
}

/* Whether any rule may report event @type (of @kind) for the current process. */
static __always_inline int pg_host_wanted(__u16 type, __u16 kind)
{
	struct pg_rule_mask sel;
	__u32 gen;

	return pg_host_candidates(&sel, &gen, type, kind) != NULL;
}

/*
 * The verdict on a record about to be built: the rules that still want
 * it now (a policy swap may have come between entry and exit). Tracing
 * programs may kill; nothing here can refuse the call (it is done).
 */
static __always_inline int pg_host_decide_as(struct pg_host_heap *h, __u16 type, __u16 kind,
					     struct pg_verdict *v, struct pg_rule_mask *matched,
					     int can_deny, int can_kill)
{
	const struct pg_policy_masks *m;
	__u32 gen;

	m = pg_host_candidates(&h->sel, &gen, type, kind);
	if (!m)
		return PG_POLICY_NO_RECORD;
	return pg_policy_decide(&h->sel, &h->one, m, gen, v, matched, can_deny, can_kill);
}

static __always_inline int pg_host_decide(struct pg_host_heap *h, __u16 type, __u16 kind,
					  struct pg_verdict *v, struct pg_rule_mask *matched)
{
	return pg_host_decide_as(h, type, kind, v, matched, 0, 1);
}

/*
 * Header, process and comm of a record from the current task: @t typed
 * (tp_btf), or untyped (@core: bpf_get_current_task(), see pg_current()).
 */
#define PG_HOST_RECORD_TASK(e, t, type_, core)                                                     \
	do {                                                                                       \
		(e)->hdr.type = (type_);                                                           \
		(e)->hdr.flags = 0;                                                                \
		(e)->hdr.size = sizeof(*(e));                                                      \
		(e)->hdr.ktime = bpf_ktime_get_ns();                                               \
		if (core)                                                                          \
			pg_fill_task_ctx_core((t), &(e)->task);                                    \
		else                                                                               \
			pg_fill_task_ctx((t), &(e)->task);                                         \
		bpf_get_current_comm((e)->comm, sizeof((e)->comm));                                \
		(e)->pad = 0;                                                                      \
	} while (0)

/*
 * The current task in the syscall tracepoints, untyped: their only one
 * before 5.11 (bpf_get_current_task_btf()), so every read from it goes
 * through a helper (the _core readers). The calls watched here are rare:
 * the helpers' cost does not matter, running on 5.10 does.
 */
static __always_inline struct task_struct *pg_current(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/*
 * The supplementary groups of @cred (untyped): the count, and the first
 * PG_HOST_GROUPS read at once (slots past the count zeroed).
 */
static __always_inline void pg_cred_groups(const struct cred *cred, struct pg_groups *g)
{
	struct group_info *gi = BPF_CORE_READ(cred, group_info);
	__u32 i;

	g->n = BPF_CORE_READ(gi, ngroups);
	if (bpf_probe_read_kernel(g->gid, sizeof(g->gid), &gi->gid[0]))
		__builtin_memset(g->gid, 0, sizeof(g->gid));
	for (i = 0; i < PG_HOST_GROUPS; i++)
		if (i >= g->n)
			g->gid[i] = 0;
}

static __always_inline void pg_task_groups(struct task_struct *t, struct pg_groups *g)
{
	pg_cred_groups(BPF_CORE_READ(t, cred), g);
}

/* What of the host each call changes. */
static __always_inline __u16 pg_host_kind(__u16 op)
{
	if (op == PG_HOST_OP_SYSCTL_WRITE)
		return PG_HOST_KIND_SYSCTL;
	if (op == PG_HOST_OP_MODULE_REQUEST)
		return PG_HOST_KIND_MODULE;
	if (op >= PG_HOST_OP_FSOPEN)
		return PG_HOST_KIND_MOUNT;
	if (op <= PG_HOST_OP_CHROOT)
		return PG_HOST_KIND_MOUNT;
	if (op <= PG_HOST_OP_SETDOMAINNAME)
		return PG_HOST_KIND_HOSTNAME;
	if (op <= PG_HOST_OP_CLOCK_ADJTIME)
		return PG_HOST_KIND_TIME;
	if (op <= PG_HOST_OP_SWAPOFF)
		return PG_HOST_KIND_SWAP;
	if (op == PG_HOST_OP_REBOOT)
		return PG_HOST_KIND_REBOOT;
	if (op <= PG_HOST_OP_KEXEC_FILE_LOAD)
		return PG_HOST_KIND_KEXEC;
	if (op <= PG_HOST_OP_DELETE_MODULE)
		return PG_HOST_KIND_MODULE;
	if (op == PG_HOST_OP_BPF_PROG_LOAD)
		return PG_HOST_KIND_BPF;
	if (op == PG_HOST_OP_PTRACE)
		return PG_HOST_KIND_PTRACE;
	return PG_HOST_KIND_PROCESS_VM_WRITE;
}

/*
 * A watched call's entry: if a rule may want @type, keep what the call
 * may change (the creds or the namespaces: each call changes one of
 * them), or, for host_change, where its arguments are.
 */
static __always_inline int pg_host_enter_args(__u16 type, __u16 op, __u64 flags, __u64 str,
					      __u64 str2, __u64 fstype, __u32 target, __u32 len)
{
	struct task_struct *t = pg_current();
	__u64 id = bpf_get_current_pid_tgid();
	struct pg_host_heap *h;

	if (!pg_host_wanted(type, pg_host_kind(op)))
		return 0;
	h = pg_host_heap_get();
	if (!h)
		return 0;
	h->pend.op = op;
	h->pend.type = type;
	h->pend.pad = 0;
	h->pend.flags = flags;
	h->pend.str = str;
	h->pend.str2 = str2;
	h->pend.fstype = fstype;
	h->pend.target = target;
	h->pend.len = len;
	h->pend.module[0] = 0;
	if (type == PG_EVENT_CREDS_CHANGE) {
		pg_task_creds_core(t, &h->pend.creds);
		pg_task_groups(t, &h->pend.groups);
	} else if (type == PG_EVENT_NS_CHANGE)
		pg_task_ns_core(t, &h->pend.ns);
	bpf_map_update_elem(&pg_host_pending, &id, &h->pend, BPF_ANY);
	return 0;
}

static __always_inline int pg_host_enter(__u16 type, __u16 op, __u64 flags)
{
	return pg_host_enter_args(type, op, flags, 0, 0, 0, 0, 0);
}

/* Whether @n bytes at @a and @b differ (whole __u32 words). */
static __always_inline int pg_host_differ(const void *a, const void *b, __u32 n)
{
	const __u32 *x = a, *y = b;
	__u32 d = 0, i;

	for (i = 0; i < n / 4; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}

static __always_inline int pg_host_creds_exit(struct task_struct *t, struct pg_host_heap *h,
					      long ret)
{
	struct pg_creds_event *e = &h->creds;
	struct pg_proc_state *st;

	pg_task_creds_core(t, &e->after);
	pg_task_groups(t, &e->groups_after);
	if (!pg_host_differ(&h->pend.creds, &e->after, sizeof(e->after)) &&
	    !pg_host_differ(&h->pend.groups, &e->groups_after, sizeof(e->groups_after)))
		return 0;
	/* what the process is now seen with: pg_host_unwatched() */
	st = pg_proc_state(bpf_get_current_pid_tgid() >> 32);
	if (st && (st->flags & PG_PROC_STATE_F_CREDS))
		st->creds = e->after;
	if (pg_host_decide(h, PG_EVENT_CREDS_CHANGE, 0, &e->verdict, &e->matched) ==
	    PG_POLICY_NO_RECORD)
		return 0;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_CREDS_CHANGE, 1);
	e->result = ret;
	e->op = h->pend.op;
	e->before = h->pend.creds;
	e->groups_before = h->pend.groups;
	pg_output(e, sizeof(*e));
	return 0;
}

static __always_inline int pg_host_ns_exit(struct task_struct *t, struct pg_host_heap *h, long ret)
{
	struct pg_ns_event *e = &h->ns;

	pg_task_ns_core(t, &e->after);
	if (!pg_host_differ(&h->pend.ns, &e->after, sizeof(e->after)))
		return 0;
	if (pg_host_decide(h, PG_EVENT_NS_CHANGE, 0, &e->verdict, &e->matched) ==
	    PG_POLICY_NO_RECORD)
		return 0;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_NS_CHANGE, 1);
	e->result = ret;
	e->op = h->pend.op;
	e->flags = h->pend.flags;
	e->before = h->pend.ns;
	pg_output(e, sizeof(*e));
	return 0;
}

/* bpf(BPF_PROG_LOAD)'s attr (UAPI, fixed): prog_type at 0, prog_name[16] at 48 */
#define PG_BPF_PROG_LOAD 5
#define PG_BPF_ATTR_PROG_NAME 48
#define PG_BPF_OBJ_NAME_LEN 16

/*
 * host_change, at the call's return, whatever it returned: the strings
 * are read from the caller's memory now (the kernel has copied them by
 * then; a racing thread could change them after, as with any syscall
 * argument a tracepoint reads).
 */
static __always_inline int pg_host_change_exit(struct task_struct *t, struct pg_host_heap *h,
					       long ret)
{
	struct pg_host_event *e = &h->host;
	const struct pg_host_pending *p = &h->pend;
	__u32 len;

	if (pg_host_decide(h, PG_EVENT_HOST_CHANGE, pg_host_kind(p->op), &e->verdict,
			   &e->matched) == PG_POLICY_NO_RECORD)
		return 0;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_HOST_CHANGE, 1);
	e->result = ret;
	e->op = p->op;
	e->kind = pg_host_kind(p->op);
	e->arg = p->flags;
	e->target = p->target;
	e->fstype[0] = e->str[0] = e->str2[0] = 0;
	if (p->op == PG_HOST_OP_BPF_PROG_LOAD) {
		if (bpf_probe_read_user(e->str, PG_BPF_OBJ_NAME_LEN,
					(void *)(p->str + PG_BPF_ATTR_PROG_NAME)))
			e->str[0] = 0;
		e->str[PG_BPF_OBJ_NAME_LEN - 1] = 0;
	} else if (p->op == PG_HOST_OP_SETHOSTNAME || p->op == PG_HOST_OP_SETDOMAINNAME) {
		/* a length, not a NUL-terminated string (at most 64 bytes: __NEW_UTS_LEN) */
		len = p->len < PG_HOST_STR_MAX - 1 ? p->len : PG_HOST_STR_MAX - 1;
		if (bpf_probe_read_user(e->str, len & (PG_HOST_STR_MAX - 1), (void *)p->str))
			len = 0;
		e->str[len & (PG_HOST_STR_MAX - 1)] = 0;
	} else if (p->str && bpf_probe_read_user_str(e->str, sizeof(e->str), (void *)p->str) < 0) {
		e->str[0] = 0;
		pg_count_error(PG_ERR_READ_USER_PATH);
	}
	if (p->str2 && bpf_probe_read_user_str(e->str2, sizeof(e->str2), (void *)p->str2) < 0)
		e->str2[0] = 0;
	e->file[0] = 0;
	if (p->op == PG_HOST_OP_INIT_MODULE || p->op == PG_HOST_OP_FINIT_MODULE) {
		__builtin_memcpy(e->str2, p->module, PG_HOST_MODULE_NAME);
		e->str2[PG_HOST_MODULE_NAME - 1] = 0;
	}
	if (p->op == PG_HOST_OP_FINIT_MODULE) {
		__u64 id = bpf_get_current_pid_tgid();
		const char *file = bpf_map_lookup_elem(&pg_host_module_file, &id);

		if (file) {
			__builtin_memcpy(e->file, file, PG_HOST_STR_MAX);
			bpf_map_delete_elem(&pg_host_module_file, &id);
		}
	}
	if (p->fstype &&
	    bpf_probe_read_user_str(e->fstype, sizeof(e->fstype), (void *)p->fstype) < 0)
		e->fstype[0] = 0;
	pg_output(e, sizeof(*e));
	return 0;
}

/*
 * A watched call's return: report what it changed. @type is the call's
 * event type, a constant in each program: one of the three paths is
 * inlined, not all three, which the 6.1 verifier refused (E2BIG).
 */
static __always_inline int pg_host_exit(struct trace_event_raw_sys_exit *ctx, const __u16 type)
{
	struct task_struct *t = pg_current();
	__u64 id = bpf_get_current_pid_tgid();
	struct pg_host_pending *p = bpf_map_lookup_elem(&pg_host_pending, &id);
	struct pg_host_heap *h;

	if (!p)
		return 0;
	h = pg_host_heap_get();
	if (!h) {
		bpf_map_delete_elem(&pg_host_pending, &id);
		return 0;
	}
	h->pend = *p;
	bpf_map_delete_elem(&pg_host_pending, &id);
	if (h->pend.type != type)
		return 0;
	if (type == PG_EVENT_CREDS_CHANGE)
		return pg_host_creds_exit(t, h, ctx->ret);
	if (type == PG_EVENT_NS_CHANGE)
		return pg_host_ns_exit(t, h, ctx->ret);
	return pg_host_change_exit(t, h, ctx->ret);
}

/* A watched call's exit tracepoint. */
#define PG_HOST_EXIT(call, type)                                                                   \
	SEC("tracepoint/syscalls/sys_exit_" #call)                                                 \
	int tp_sys_exit_##call(struct trace_event_raw_sys_exit *ctx)                               \
	{                                                                                          \
		return pg_host_exit(ctx, type);                                                    \
	}

/* One watched call of credentials_change or namespace_change: its entry and exit. */
#define PG_HOST_CALL(call, type, op, flags_arg)                                                    \
	SEC("tracepoint/syscalls/sys_enter_" #call)                                                \
	int tp_sys_enter_##call(struct trace_event_raw_sys_enter *ctx)                             \
	{                                                                                          \
		return pg_host_enter(type, op, flags_arg);                                         \
	}                                                                                          \
	PG_HOST_EXIT(call, type)

/*
 * One call of host_change, every time it is made: its entry (which
 * arguments to keep: the flags, the user pointers of up to two strings
 * and a file system type, a target process, a length) and its exit.
 */
#define PG_HOST_CHANGE(call, op, flags, str, str2, fstype, target, len)                            \
	SEC("tracepoint/syscalls/sys_enter_" #call)                                                \
	int tp_sys_enter_##call(struct trace_event_raw_sys_enter *ctx)                             \
	{                                                                                          \
		return pg_host_enter_args(PG_EVENT_HOST_CHANGE, op, flags, str, str2, fstype,      \
					  target, len);                                            \
	}                                                                                          \
	PG_HOST_EXIT(call, PG_EVENT_HOST_CHANGE)

PG_HOST_CALL(setuid, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETUID, 0)
PG_HOST_CALL(setgid, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETGID, 0)
PG_HOST_CALL(setreuid, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETREUID, 0)
PG_HOST_CALL(setregid, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETREGID, 0)
PG_HOST_CALL(setresuid, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETRESUID, 0)
PG_HOST_CALL(setresgid, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETRESGID, 0)
PG_HOST_CALL(setfsuid, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETFSUID, 0)
PG_HOST_CALL(setfsgid, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETFSGID, 0)
PG_HOST_CALL(setgroups, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_SETGROUPS, 0)
PG_HOST_CALL(capset, PG_EVENT_CREDS_CHANGE, PG_HOST_OP_CAPSET, 0)
/* setns(fd, nstype), unshare(flags) */
PG_HOST_CALL(setns, PG_EVENT_NS_CHANGE, PG_HOST_OP_SETNS, ctx->args[1])
PG_HOST_CALL(unshare, PG_EVENT_NS_CHANGE, PG_HOST_OP_UNSHARE, ctx->args[0])

/*
 * execve, execveat: the exec of a set-user-ID or set-group-ID file, or of
 * one with file capabilities, changes the caller's credentials on the
 * way. Unlike the calls above these two run on every exec of the host,
 * where every cache line is cold, so they keep less and touch less: the
 * credentials alone (an exec leaves the supplementary groups as they
 * were), read with plain loads where the kernel gives a typed current
 * task (5.11+), written straight into a slot of an array indexed by the
 * process id: no hashing, no allocation, no delete. A slot taken by
 * another process's exec still in flight sends this one to a hash map
 * (pg_host_exec_overflow counts its entries, so the common exit never
 * looks there).
 *
 * A successful exec returns in the new image, and in the thread that
 * took the group's lead when another thread called it: its tid is the
 * group's by then, and de_thread() gave it the leader's start time. So
 * the entry is the process's (tgid and start time), not the thread's.
 * Two threads of one process in execve at once share it; they have the
 * same credentials unless one changed its own alone (a raw setuid, not
 * glibc's), and then an exec may be compared with the other's.
 */
#define PG_HOST_EXEC_SLOTS 8192
#define PG_HOST_EXEC_STALE_NS (60ULL * 1000000000ULL)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PG_HOST_EXEC_SLOTS);
	__type(key, __u32);
	__type(value, struct pg_host_exec_slot);
} pg_host_exec_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* tgid */
	__type(value, struct pg_host_exec_slot);
} pg_host_exec_overflow SEC(".maps");

__u64 pg_host_exec_overflowed = 0; /* entries in pg_host_exec_overflow */

/*
 * The current task's start time, and (@c not NULL) its credentials:
 * typed where the kernel can.
 */
static __always_inline void pg_host_exec_self(struct pg_creds *c, __u64 *start, __u32 *userns)
{
	struct task_struct *t;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		t = bpf_get_current_task_btf();
		if (start)
			*start = t->group_leader->start_time;
		if (c)
			pg_task_creds(t, c);
		if (userns)
			*userns = t->cred->user_ns->ns.inum;
	} else {
		t = pg_current();
		if (start)
			*start = BPF_CORE_READ(t, group_leader, start_time);
		if (c)
			pg_task_creds_core(t, c);
		if (userns)
			*userns = BPF_CORE_READ(t, cred, user_ns, ns.inum);
	}
}

/* The initial user namespace's inode (PROC_USER_INIT_INO: fixed since 3.8). */
#define PG_INIT_USER_NS 0xEFFFFFFDU

/* Whether the uids, gids or capability sets differ between @was and @now. */
static __always_inline int pg_host_creds_moved(const struct pg_creds *was,
					       const struct pg_creds *now)
{
	/* loginuid (/proc/self/loginuid) and securebits (prctl) change by design without a watched call */
	return pg_host_differ(was, now, offsetof(struct pg_creds, auid)) ||
	       was->cap_effective != now->cap_effective ||
	       was->cap_permitted != now->cap_permitted ||
	       was->cap_inheritable != now->cap_inheritable;
}

/*
 * Credentials no watched call changed. Process @tgid's task (@t, typed
 * unless @core) holds @now at a fork or an exec's entry; its pg_procs
 * entry holds what it was last seen with (its exec, its fork, a watched
 * call's return). A difference is a change no call watched here made: a
 * kernel exploit's commit_creds(), or a call the syscall tracepoints do
 * not see (32-bit compat calls). Reported once: the entry then
 * takes @now. Only in the initial user namespace: a new one gives its
 * creator every capability there, without a credentials call.
 */
static __always_inline void pg_host_unwatched(__u32 tgid, const struct pg_creds *now, __u32 userns,
					      struct task_struct *t, const int core)
{
	struct pg_proc_state *st = pg_proc_state(tgid);
	struct pg_creds_event *e;
	struct pg_host_heap *h;

	if (!st || !(st->flags & PG_PROC_STATE_F_CREDS) || !pg_host_creds_moved(&st->creds, now))
		return;
	h = pg_host_heap_get();
	if (!h)
		return;
	e = &h->creds;
	e->before = st->creds;
	st->creds = *now;
	if (userns != PG_INIT_USER_NS)
		return;
	if (pg_host_decide(h, PG_EVENT_CREDS_CHANGE, 0, &e->verdict, &e->matched) ==
	    PG_POLICY_NO_RECORD)
		return;
	e->after = *now;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_CREDS_CHANGE, core);
	e->result = 0;
	e->op = PG_HOST_OP_UNWATCHED;
	pg_task_groups(t, &e->groups_after);
	e->groups_before = e->groups_after;
	pg_output(e, sizeof(*e));
}

/*
 * The number of the system call the current task is in, its table told by @flags
 * (PG_EVENT_F_COMPAT32); -1 where it cannot be known: no
 * bpf_task_pt_regs() before 5.15, another architecture, or not in a
 * system call (an exception's entry leaves -1 or its error code there).
 */
static __always_inline __s32 pg_host_syscall_nr(__u16 *flags)
{
	*flags = 0;
#if defined(__TARGET_ARCH_x86)
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		/* the helper wants a typed task: bpf_get_current_task_btf() came before it (5.11) */
		struct task_struct *t = bpf_get_current_task_btf();
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

		long nr = regs ? BPF_CORE_READ(regs, orig_ax) : -1;

		if (pg_task_compat_call(t))
			*flags = PG_EVENT_F_COMPAT32;
		else if (nr > 0)
			nr &= ~0x40000000L; /* x32: the x86-64 number */
		return (__s32)nr;
	}
#endif
	return -1;
}

/*
 * The fentry backend: credentials as they are committed. Every change of
 * a task's own credentials ends in commit_creds(): the set*id calls,
 * capset, an exec, the 32-bit compat calls the syscall tracepoints do not
 * see, and a kernel exploit's commit_creds(prepare_kernel_cred(0)). A
 * change inside a watched call is left to its return, which has the
 * call's name and result; one inside an exec to the exec's programs,
 * which know the file. What is left is a change no watched call made,
 * reported here when it happens (not at the process's next fork or exec,
 * which a process may never do), with the system call it came through (an
 * exploit's ioctl, an int $0x80 setresuid32); a `kill` rule's SIGKILL is
 * then pending before the process is back in user space with its new
 * rights. The process's entry takes the new credentials, so
 * pg_host_unwatched() does not report the change again.
 */
SEC("fentry/commit_creds")
int BPF_PROG(fentry_host_commit_creds, struct cred *new)
{
	struct task_struct *t = pg_current();
	__u64 id = bpf_get_current_pid_tgid();
	const struct pg_host_pending *p;
	struct pg_proc_state *st;
	struct pg_creds_event *e;
	struct pg_host_heap *h;
	__u16 flags;
	int act;

	if (!pg_policy_any_rule(PG_EVENT_CREDS_CHANGE, PG_EVENT_NONE))
		return 0;
	/* every exec commits: out before the hash lookup */
	if (BPF_CORE_READ_BITFIELD_PROBED(t, in_execve) || (BPF_CORE_READ(t, flags) & PF_KTHREAD))
		return 0;
	p = bpf_map_lookup_elem(&pg_host_pending, &id);
	if (p && p->type == PG_EVENT_CREDS_CHANGE)
		return 0;
	h = pg_host_heap_get();
	if (!h)
		return 0;
	e = &h->creds;
	pg_task_creds_core(t, &e->before);
	pg_cred_read(new, &e->after, 1);
	e->after.auid = e->before.auid; /* not in the cred: the task's */
	pg_task_groups(t, &e->groups_before);
	pg_cred_groups(new, &e->groups_after);
	if (!pg_host_creds_moved(&e->before, &e->after) &&
	    !pg_host_differ(&e->groups_before, &e->groups_after, sizeof(e->groups_after)))
		return 0; /* keyrings, securebits, a new LSM label: not ours */
	st = pg_proc_state(id >> 32);
	if (st && (st->flags & PG_PROC_STATE_F_CREDS))
		st->creds = e->after;
	/* a new user namespace gives its creator every capability there */
	if (BPF_CORE_READ(new, user_ns, ns.inum) != PG_INIT_USER_NS)
		return 0;
	act = pg_host_decide_as(h, PG_EVENT_CREDS_CHANGE, 0, &e->verdict, &e->matched, 1, 1);
	if (act == PG_POLICY_NO_RECORD)
		return 0;
	if (act == PG_POLICY_DENY && !(e->verdict.flags & PG_VERDICT_F_KILLED)) {
		/* a deny rule (lsm backend): no hook refused this change, so it kills */
		bpf_send_signal(9 /* SIGKILL */);
		e->verdict.flags = PG_VERDICT_F_MATCHED | PG_VERDICT_F_KILLED;
	}
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_CREDS_CHANGE, 1);
	e->result = pg_host_syscall_nr(&flags);
	e->hdr.flags = flags;
	e->op = PG_HOST_OP_COMMITTED;
	pg_output(e, sizeof(*e));
	return 0;
}

/*
 * The lsm backend: a change refused before it is made. The kernel asks
 * the LSMs about every set*id, setgroups and capset call (native or
 * 32-bit) with the credentials it is about to commit; the BPF LSM comes
 * after the capability module, so @new is what the call would give. Only
 * the rules that refuse or kill act here: a change that goes through is
 * reported by its call's return, as on the other backends, so this adds
 * no record and nothing to a policy without such rules but a mask test.
 * The exec of a set-user-ID file is not refused here (a rule on
 * process_exec refuses that program); the selection is of the process
 * making the call.
 */
#define PG_LSM_SETID_ID 1 /* LSM_SETID_*: which call of the family asks */
#define PG_LSM_SETID_RE 2
#define PG_LSM_SETID_RES 4
#define PG_LSM_SETID_FS 8
#define PG_EPERM 1

static __always_inline int pg_host_lsm_creds(const struct cred *new, const struct cred *old,
					     __u16 op)
{
	struct task_struct *t = pg_current();
	const struct pg_policy_masks *m;
	struct pg_creds_event *e;
	struct pg_host_heap *h;
	__u64 acts = 0;
	__u32 gen;
	int k;

	if (!pg_policy_any_rule(PG_EVENT_CREDS_CHANGE, PG_EVENT_NONE))
		return 0;
	h = pg_host_heap_get();
	if (!h)
		return 0;
	m = pg_host_candidates(&h->sel, &gen, PG_EVENT_CREDS_CHANGE, 0);
	if (!m)
		return 0;
	for (k = 0; k < PG_MASK_WORDS; k++)
		acts |= h->sel.w[k] & (m->deny.w[k] | m->kill.w[k]) & ~m->user.w[k];
	if (!acts)
		return 0;
	e = &h->creds;
	pg_cred_read(old, &e->before, 1);
	pg_cred_read(new, &e->after, 1);
	e->before.auid = e->after.auid = pg_task_loginuid(t, 1);
	pg_cred_groups(old, &e->groups_before);
	pg_cred_groups(new, &e->groups_after);
	if (!pg_host_creds_moved(&e->before, &e->after) &&
	    !pg_host_differ(&e->groups_before, &e->groups_after, sizeof(e->groups_after)))
		return 0; /* setuid(getuid()) changes nothing: nothing to refuse */
	if (pg_policy_decide(&h->sel, &h->one, m, gen, &e->verdict, &e->matched, 1, 1) !=
	    PG_POLICY_DENY)
		return 0;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_CREDS_CHANGE, 1);
	/* what the call returns: setfsuid and setfsgid return the old id, refused or not */
	e->result = op == PG_HOST_OP_SETFSUID	? (__s32)e->before.fsuid
		    : op == PG_HOST_OP_SETFSGID ? (__s32)e->before.fsgid
						: -PG_EPERM;
	pg_host_syscall_nr(&e->hdr.flags);
	e->hdr.flags |= PG_EVENT_F_REFUSED;
	e->op = op;
	pg_output(e, sizeof(*e));
	return -PG_EPERM;
}

static __always_inline __u16 pg_host_setid_op(int flags, __u16 id, __u16 re, __u16 res, __u16 fs)
{
	if (flags & PG_LSM_SETID_FS)
		return fs;
	if (flags & PG_LSM_SETID_RES)
		return res;
	return flags & PG_LSM_SETID_RE ? re : id;
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(lsm_host_setuid, struct cred *new, const struct cred *old, int flags, int ret)
{
	if (ret)
		return ret;
	return pg_host_lsm_creds(new, old,
				 pg_host_setid_op(flags, PG_HOST_OP_SETUID, PG_HOST_OP_SETREUID,
						  PG_HOST_OP_SETRESUID, PG_HOST_OP_SETFSUID));
}

SEC("lsm/task_fix_setgid")
int BPF_PROG(lsm_host_setgid, struct cred *new, const struct cred *old, int flags, int ret)
{
	if (ret)
		return ret;
	return pg_host_lsm_creds(new, old,
				 pg_host_setid_op(flags, PG_HOST_OP_SETGID, PG_HOST_OP_SETREGID,
						  PG_HOST_OP_SETRESGID, PG_HOST_OP_SETFSGID));
}

/* 6.1 and later: the agent refuses deny rules on credentials_change without it */
SEC("lsm/task_fix_setgroups")
int BPF_PROG(lsm_host_setgroups, struct cred *new, const struct cred *old, int ret)
{
	if (ret)
		return ret;
	return pg_host_lsm_creds(new, old, PG_HOST_OP_SETGROUPS);
}

SEC("lsm/capset")
int BPF_PROG(lsm_host_capset, struct cred *new, const struct cred *old, const kernel_cap_t *e,
	     const kernel_cap_t *i, const kernel_cap_t *p, int ret)
{
	if (ret)
		return ret;
	return pg_host_lsm_creds(new, old, PG_HOST_OP_CAPSET);
}

static __always_inline int pg_host_exec_enter(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, idx = tgid & (PG_HOST_EXEC_SLOTS - 1);
	__u64 now = bpf_ktime_get_ns();
	struct pg_host_exec_slot *s;
	struct pg_host_heap *h;
	__u32 userns;

	/*
	 * Any rule on credentials_change, whatever it selects: the caller of
	 * execve is not what a rule on the new image (`binary:
	 * [/usr/bin/sudo]`) selects, so its own selection cannot tell; the
	 * return decides on the new image.
	 */
	if (!pg_policy_any_rule(PG_EVENT_CREDS_CHANGE, PG_EVENT_NONE))
		return 0;
	s = bpf_map_lookup_elem(&pg_host_exec_slots, &idx);
	if (!s)
		return 0;
	if (!s->tgid || s->tgid == tgid || now - s->entered > PG_HOST_EXEC_STALE_NS) {
		s->tgid = tgid;
		s->entered = now;
		pg_host_exec_self(&s->creds, &s->start, &userns);
		pg_host_unwatched(tgid, &s->creds, userns, pg_current(), 1);
		return 0;
	}
	/* the slot is another exec's, in flight */
	h = pg_host_heap_get();
	if (!h)
		return 0;
	h->exec.tgid = tgid;
	h->exec.op = h->exec.flags = 0;
	h->exec.entered = now;
	pg_host_exec_self(&h->exec.creds, &h->exec.start, &userns);
	pg_host_unwatched(tgid, &h->exec.creds, userns, pg_current(), 1);
	if (bpf_map_update_elem(&pg_host_exec_overflow, &tgid, &h->exec, BPF_NOEXIST)) {
		/* this process's own entry, left by an exec killed in flight: replace it */
		if (bpf_map_update_elem(&pg_host_exec_overflow, &tgid, &h->exec, BPF_EXIST))
			pg_count_error(PG_ERR_EXEC_CREDS);
		return 0;
	}
	__sync_fetch_and_add(&pg_host_exec_overflowed, 1);
	return 0;
}

/*
 * Takes what process @tgid (started at @start) kept at its exec's entry
 * into @k and frees it. Returns 0, or -1 when nothing was kept for it.
 */
static __always_inline int pg_host_exec_take(__u32 tgid, __u64 start, struct pg_host_exec_slot *k)
{
	__u32 idx = tgid & (PG_HOST_EXEC_SLOTS - 1);
	struct pg_host_exec_slot *s = bpf_map_lookup_elem(&pg_host_exec_slots, &idx);

	if (!s)
		return -1;
	if (s->tgid == tgid && s->start == start) {
		*k = *s;
		s->tgid = 0;
		return 0;
	}
	if (!pg_host_exec_overflowed)
		return -1;
	s = bpf_map_lookup_elem(&pg_host_exec_overflow, &tgid);
	if (!s)
		return -1;
	*k = *s;
	bpf_map_delete_elem(&pg_host_exec_overflow, &tgid);
	__sync_fetch_and_add(&pg_host_exec_overflowed, -1);
	/* another process of this pid, killed in its exec */
	return k->start == start ? 0 : -1;
}

/*
 * The exec's credentials_change, in the new image's context: @t is the
 * current task (typed unless @core), h->exec what its entry kept,
 * h->creds.after the credentials now.
 */
static __always_inline void pg_host_exec_report(struct pg_host_heap *h, struct task_struct *t,
						__u16 op, const int core)
{
	struct pg_creds_event *e = &h->creds;

	e->before = h->exec.creds;
	if (!pg_host_differ(&e->before, &e->after, sizeof(e->after)))
		return;
	if (pg_host_decide(h, PG_EVENT_CREDS_CHANGE, 0, &e->verdict, &e->matched) ==
	    PG_POLICY_NO_RECORD)
		return;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_CREDS_CHANGE, core);
	e->hdr.flags = h->exec.flags;
	e->result = 0;
	e->op = op;
	pg_task_groups(t, &e->groups_after);
	e->groups_before = e->groups_after;
	pg_output(e, sizeof(*e));
}

static __always_inline int pg_host_exec_exit(struct trace_event_raw_sys_exit *ctx, __u16 op)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, idx = tgid & (PG_HOST_EXEC_SLOTS - 1);
	struct pg_host_exec_slot *s = bpf_map_lookup_elem(&pg_host_exec_slots, &idx);
	struct pg_host_heap *h;
	__u64 start;

	if (!s)
		return 0;
	if (s->tgid != tgid && !pg_host_exec_overflowed)
		return 0; /* not kept at the entry: no rule wanted it then */
	h = pg_host_heap_get();
	if (!h)
		return 0;
	pg_host_exec_self(NULL, &start, NULL);
	if (pg_host_exec_take(tgid, start, &h->exec) || ctx->ret)
		return 0; /* a failed exec changes nothing */
	pg_host_exec_self(&h->creds.after, NULL, NULL);
	pg_host_exec_report(h, pg_current(), op, 1);
	return 0;
}

#define PG_HOST_EXEC(call, op)                                                                     \
	SEC("tracepoint/syscalls/sys_enter_" #call)                                                \
	int tp_sys_enter_##call(struct trace_event_raw_sys_enter *ctx)                             \
	{                                                                                          \
		return pg_host_exec_enter();                                                       \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #call)                                                 \
	int tp_sys_exit_##call(struct trace_event_raw_sys_exit *ctx)                               \
	{                                                                                          \
		return pg_host_exec_exit(ctx, op);                                                 \
	}

PG_HOST_EXEC(execve, PG_HOST_OP_EXECVE)
PG_HOST_EXEC(execveat, PG_HOST_OP_EXECVEAT)

/*
 * From 6.10 the kernel marks an exec's point of no return with
 * sched_prepare_exec: the caller's credentials still in place, the new
 * ones computed from the file in bprm->cred, and nothing left that can
 * fail but fatally. Where it exists these two tp_btf programs replace the
 * four syscall tracepoints above: an exec then costs no trip through the
 * perf syscall path, and the 32-bit execve (int $0x80), which no syscall
 * tracepoint sees, is seen like the others. Both sets are compared here,
 * so only a change is kept (a set-user-ID or file-capability exec: rare),
 * and the common exec's second program stops at one load of
 * pg_host_exec_kept. The record is made at sched_process_exec, in the new
 * image: programs on one tracepoint run in the order they were attached,
 * and the process sensor's, which makes the new image's pg_procs entry
 * (the record's key), attaches first (src/sensors/registry.c).
 */
__u64 pg_host_exec_kept = 0; /* changes kept by the first for the second; a fatal exec leaves one */

/* Which call @task is in, execve or execveat, and whether a 32-bit one (@flags). */
static __always_inline __u16 pg_host_exec_call(struct task_struct *task, __u16 *flags)
{
#if defined(__TARGET_ARCH_x86)
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	long nr = regs ? BPF_CORE_READ(regs, orig_ax) : -1;

	if (pg_task_compat_call(task)) {
		*flags = PG_EVENT_F_COMPAT32;
		return nr == 358 ? PG_HOST_OP_EXECVEAT : PG_HOST_OP_EXECVE; /* ia32 numbers */
	}
	*flags = 0;
	nr &= ~0x40000000L; /* x32 */
	return nr == 322 || nr == 545 ? PG_HOST_OP_EXECVEAT : PG_HOST_OP_EXECVE;
#else
	*flags = 0;
	return PG_HOST_OP_EXECVE;
#endif
}

SEC("tp_btf/sched_prepare_exec")
int BPF_PROG(tp_btf_host_prepare_exec, struct task_struct *task, struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid, idx = tgid & (PG_HOST_EXEC_SLOTS - 1);
	struct pg_host_exec_slot k, *s;
	struct pg_creds now;

	if (!pg_policy_any_rule(PG_EVENT_CREDS_CHANGE, PG_EVENT_NONE))
		return 0;
	pg_task_creds(task, &k.creds);
	pg_host_unwatched(tgid, &k.creds, task->cred->user_ns->ns.inum, task, 0);
	pg_cred_read(bprm->cred, &now, 0);
	now.auid = k.creds.auid; /* an exec keeps the login uid */
	if (!pg_host_differ(&k.creds, &now, sizeof(now)))
		return 0;
	k.tgid = tgid;
	k.op = pg_host_exec_call(task, &k.flags);
	k.start = task->group_leader->start_time;
	k.entered = bpf_ktime_get_ns();
	s = bpf_map_lookup_elem(&pg_host_exec_slots, &idx);
	if (!s)
		return 0;
	if (!s->tgid || s->tgid == tgid || k.entered - s->entered > PG_HOST_EXEC_STALE_NS) {
		if (!s->tgid)
			__sync_fetch_and_add(&pg_host_exec_kept, 1);
		*s = k;
		return 0;
	}
	/* the slot is another exec's, in flight */
	if (!bpf_map_update_elem(&pg_host_exec_overflow, &tgid, &k, BPF_NOEXIST)) {
		__sync_fetch_and_add(&pg_host_exec_overflowed, 1);
		__sync_fetch_and_add(&pg_host_exec_kept, 1);
	} else if (bpf_map_update_elem(&pg_host_exec_overflow, &tgid, &k, BPF_EXIST)) {
		pg_count_error(PG_ERR_EXEC_CREDS);
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf_host_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pg_host_heap *h;

	if (!pg_host_exec_kept)
		return 0;
	h = pg_host_heap_get();
	if (!h || pg_host_exec_take(p->tgid, p->group_leader->start_time, &h->exec))
		return 0;
	__sync_fetch_and_add(&pg_host_exec_kept, -1);
	pg_task_creds(p, &h->creds.after);
	pg_host_exec_report(h, p, h->exec.op, 0);
	return 0;
}

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_VFORK 0x00004000
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_NEWTIME 0x00000080

/*
 * The clone flags that made @child, as the kernel carried them out: what
 * it shares with @parent, the namespaces it got (a new pid or time
 * namespace is one other than the parent's "for children"), and the exit
 * signal in the low byte. Told by the kernel's state, not read from the
 * caller's arguments (clone3 passes them in user memory): the same for
 * clone, clone3, fork and vfork, on every architecture.
 */
static __always_inline __u64 pg_host_clone_flags(struct task_struct *parent,
						 struct task_struct *child,
						 const struct pg_namespaces *p,
						 const struct pg_namespaces *c)
{
	__u64 f = 0;

	f |= child->mm == parent->mm ? CLONE_VM : 0;
	f |= child->fs == parent->fs ? CLONE_FS : 0;
	f |= child->files == parent->files ? CLONE_FILES : 0;
	f |= child->sighand == parent->sighand ? CLONE_SIGHAND : 0;
	f |= child->signal == parent->signal ? CLONE_THREAD : 0;
	f |= child->vfork_done ? CLONE_VFORK : 0;
	f |= c->mnt != p->mnt ? CLONE_NEWNS : 0;
	f |= c->cgroup != p->cgroup ? CLONE_NEWCGROUP : 0;
	f |= c->uts != p->uts ? CLONE_NEWUTS : 0;
	f |= c->ipc != p->ipc ? CLONE_NEWIPC : 0;
	f |= c->user != p->user ? CLONE_NEWUSER : 0;
	f |= c->pid != p->pid_for_children ? CLONE_NEWPID : 0;
	f |= c->net != p->net ? CLONE_NEWNET : 0;
	f |= c->time != p->time_for_children ? CLONE_NEWTIME : 0;
	if (!(f & CLONE_THREAD))
		f |= child->exit_signal & 0xff;
	return f;
}

/*
 * A new task in new namespaces: clone, clone3 or unshare-less fork with
 * CLONE_NEW*. Threads and plain forks share the parent's nsproxy and
 * user namespace: two compares, then out.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_host_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pg_host_heap *h;
	struct pg_ns_event *e;
	struct pg_creds now;

	if (pg_policy_any_rule(PG_EVENT_CREDS_CHANGE, PG_EVENT_NONE)) {
		pg_task_creds(parent, &now);
		pg_host_unwatched(parent->tgid, &now, parent->cred->user_ns->ns.inum, parent, 0);
	}
	if (child->nsproxy == parent->nsproxy && child->cred->user_ns == parent->cred->user_ns)
		return 0;
	if (!pg_host_wanted(PG_EVENT_NS_CHANGE, 0))
		return 0;
	h = pg_host_heap_get();
	if (!h)
		return 0;
	e = &h->ns;
	pg_task_ns(parent, &e->before);
	pg_task_ns(child, &e->after);
	if (!pg_host_differ(&e->before, &e->after, sizeof(e->after)))
		return 0;
	if (pg_host_decide(h, PG_EVENT_NS_CHANGE, 0, &e->verdict, &e->matched) ==
	    PG_POLICY_NO_RECORD)
		return 0;
	PG_HOST_RECORD_TASK(e, parent, PG_EVENT_NS_CHANGE, 0);
	e->result = child->tgid;
	e->op = PG_HOST_OP_CLONE;
	e->flags = pg_host_clone_flags(parent, child, &e->before, &e->after);
	pg_output(e, sizeof(*e));
	return 0;
}

/* ---- host_change ---- */

#define A(n) ctx->args[n]

/* mount(dev_name, dir_name, type, flags, data) */
PG_HOST_CHANGE(mount, PG_HOST_OP_MOUNT, A(3), A(1), A(0), A(2), 0, 0)
/* umount2(name, flags) (the umount tracepoint: x86 has no plain umount call) */
PG_HOST_CHANGE(umount, PG_HOST_OP_UMOUNT, A(1), A(0), 0, 0, 0, 0)
PG_HOST_CHANGE(pivot_root, PG_HOST_OP_PIVOT_ROOT, 0, A(0), A(1), 0, 0, 0)
/*
 * The new mount API: fsopen(fs_name, flags) a file system context,
 * fsmount(fs_fd, flags, attr_flags) a detached mount of it,
 * move_mount(from_dfd, from_path, to_dfd, to_path, flags) attaches one
 * (the step that changes what processes see, as mount() does).
 */
PG_HOST_CHANGE(fsopen, PG_HOST_OP_FSOPEN, A(1), 0, 0, A(0), 0, 0)
PG_HOST_CHANGE(fsmount, PG_HOST_OP_FSMOUNT, A(2), 0, 0, 0, 0, 0)
/*
 * fsconfig(fs_fd, cmd, key, value, aux) sets what the mount will be
 * (source, options: "source"="/dev/sdb1", "lowerdir"=…). The value is a
 * string only for FSCONFIG_SET_STRING, SET_PATH and SET_PATH_EMPTY (1, 3
 * and 4): a binary blob or nothing for the others.
 */
PG_HOST_CHANGE(fsconfig, PG_HOST_OP_FSCONFIG, A(1), A(2),
	       A(1) == 1 || A(1) == 3 || A(1) == 4 ? A(3) : 0, 0, A(0), 0)
PG_HOST_CHANGE(move_mount, PG_HOST_OP_MOVE_MOUNT, A(4), A(3), A(1), 0, 0, 0)
PG_HOST_CHANGE(chroot, PG_HOST_OP_CHROOT, 0, A(0), 0, 0, 0, 0)
/* sethostname(name, len) */
PG_HOST_CHANGE(sethostname, PG_HOST_OP_SETHOSTNAME, 0, A(0), 0, 0, 0, A(1))
PG_HOST_CHANGE(setdomainname, PG_HOST_OP_SETDOMAINNAME, 0, A(0), 0, 0, 0, A(1))
PG_HOST_CHANGE(settimeofday, PG_HOST_OP_SETTIMEOFDAY, 0, 0, 0, 0, 0, 0)
/* clock_settime(which_clock, tp) */
PG_HOST_CHANGE(clock_settime, PG_HOST_OP_CLOCK_SETTIME, A(0), 0, 0, 0, 0, 0)
/* swapon(specialfile, swap_flags), swapoff(specialfile) */
PG_HOST_CHANGE(swapon, PG_HOST_OP_SWAPON, A(1), A(0), 0, 0, 0, 0)
PG_HOST_CHANGE(swapoff, PG_HOST_OP_SWAPOFF, 0, A(0), 0, 0, 0, 0)
/* reboot(magic1, magic2, cmd, arg) */
PG_HOST_CHANGE(reboot, PG_HOST_OP_REBOOT, A(2), 0, 0, 0, 0, 0)
PG_HOST_CHANGE(kexec_load, PG_HOST_OP_KEXEC_LOAD, A(3), 0, 0, 0, 0, 0)
/* kexec_file_load(kernel_fd, initrd_fd, cmdline_len, cmdline, flags) */
PG_HOST_CHANGE(kexec_file_load, PG_HOST_OP_KEXEC_FILE_LOAD, A(4), A(3), 0, 0, 0, 0)
/* init_module(umod, len, uargs), finit_module(fd, uargs, flags), delete_module(name, flags) */
PG_HOST_CHANGE(init_module, PG_HOST_OP_INIT_MODULE, 0, A(2), 0, 0, 0, 0)
PG_HOST_CHANGE(finit_module, PG_HOST_OP_FINIT_MODULE, A(2), A(1), 0, 0, A(0), 0)
PG_HOST_CHANGE(delete_module, PG_HOST_OP_DELETE_MODULE, A(1), A(0), 0, 0, 0, 0)
/* process_vm_writev(pid, lvec, liovcnt, rvec, riovcnt, flags) */
PG_HOST_CHANGE(process_vm_writev, PG_HOST_OP_PROCESS_VM_WRITEV, 0, 0, 0, 0, A(0), 0)

/*
 * adjtimex and clock_adjtime with no mode bits only read the clock's
 * state, which time daemons do every few seconds: a change has modes set
 * (the first field of struct __kernel_timex). Unreadable: reported.
 */
static __always_inline int pg_host_adjtime(__u16 op, __u64 clock, __u64 utx)
{
	__u32 modes = 0;

	if (!bpf_probe_read_user(&modes, sizeof(modes), (void *)utx) && !modes)
		return 0;
	return pg_host_enter_args(PG_EVENT_HOST_CHANGE, op,
				  op == PG_HOST_OP_ADJTIMEX ? modes : clock, 0, 0, 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_adjtimex")
int tp_sys_enter_adjtimex(struct trace_event_raw_sys_enter *ctx)
{
	return pg_host_adjtime(PG_HOST_OP_ADJTIMEX, 0, A(0));
}
PG_HOST_EXIT(adjtimex, PG_EVENT_HOST_CHANGE)

SEC("tracepoint/syscalls/sys_enter_clock_adjtime")
int tp_sys_enter_clock_adjtime(struct trace_event_raw_sys_enter *ctx)
{
	return pg_host_adjtime(PG_HOST_OP_CLOCK_ADJTIME, A(0), A(1));
}
PG_HOST_EXIT(clock_adjtime, PG_EVENT_HOST_CHANGE)

/* set by the agent (src/sensors/host.c): its own program loads are not news */
const volatile __u32 pg_agent_tgid = 0;

/*
 * bpf(): every map lookup of every BPF tool (the agent's own included)
 * comes through here, so the command is the first test: only
 * BPF_PROG_LOAD goes on, and not from the agent.
 */
SEC("tracepoint/syscalls/sys_enter_bpf")
int tp_sys_enter_bpf(struct trace_event_raw_sys_enter *ctx)
{
	__u32 type = 0;

	if (A(0) != PG_BPF_PROG_LOAD || bpf_get_current_pid_tgid() >> 32 == pg_agent_tgid)
		return 0;
	bpf_probe_read_user(&type, sizeof(type), (void *)A(1));
	return pg_host_enter_args(PG_EVENT_HOST_CHANGE, PG_HOST_OP_BPF_PROG_LOAD, type, A(1), 0, 0,
				  0, 0);
}
PG_HOST_EXIT(bpf, PG_EVENT_HOST_CHANGE)

/*
 * Which module a load brings in: init_module passes an image in memory
 * and finit_module a file, neither a name; load_module() names it in its
 * own tracepoint, in the loading call's context, once the module is
 * parsed (a load refused before that has no name). Kernels without
 * module support have no such tracepoint: src/sensors/host.c leaves this
 * program out there.
 */
SEC("tp_btf/module_load")
int BPF_PROG(tp_btf_host_module_load, struct module *mod)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pg_host_pending *p = bpf_map_lookup_elem(&pg_host_pending, &id);
	struct task_struct *t = pg_current();
	struct pg_host_heap *h;
	struct fs_struct *fs;
	struct file *f;
	__u32 start;

	if (!p || (p->op != PG_HOST_OP_INIT_MODULE && p->op != PG_HOST_OP_FINIT_MODULE))
		return 0;
	if (bpf_probe_read_kernel_str(p->module, sizeof(p->module), mod->name) < 0)
		p->module[0] = 0;
	if (p->op != PG_HOST_OP_FINIT_MODULE)
		return 0;
	/*
	 * finit_module: its file, resolved from the fd while the load holds
	 * it (the name the caller opened may be gone or lie by now), as seen
	 * from the caller's root. Kept apart until the call returns.
	 */
	h = pg_host_heap_get();
	f = pg_fd_file_untyped(t, p->target);
	fs = BPF_CORE_READ(t, fs);
	if (!h || !f || !fs)
		return 0;
	start = pg_path_resolve(&h->path, (__u64)BPF_CORE_READ(f, f_path.dentry),
				(__u64)BPF_CORE_READ(f, f_path.mnt),
				(__u64)BPF_CORE_READ(fs, root.dentry),
				(__u64)BPF_CORE_READ(fs, root.mnt));
	if (h->path.flags & PG_PATH_ERROR)
		return 0;
	if (bpf_probe_read_kernel(h->host.file, sizeof(h->host.file),
				  &h->path.buf[start & (2 * PG_PATH_MAX - 1)]))
		return 0;
	h->host.file[PG_HOST_STR_MAX - 1] = 0;
	bpf_map_update_elem(&pg_host_module_file, &id, h->host.file, BPF_ANY);
	return 0;
}

/*
 * The kernel asks user space (modprobe) for a module on a process's
 * behalf: a socket of a family or protocol no loaded module provides, a
 * file system type, a line discipline, a crypto algorithm. No module
 * call is made, and no privilege is needed: this is how an exploit gets
 * the vulnerable module it targets loaded. The tracepoint fires in the
 * requester's context, after the LSMs allowed the request, before
 * modprobe runs (its outcome is not known here). Requests of kernel
 * threads (a worker probing a driver) name no process: left out.
 */
SEC("tp_btf/module_request")
int BPF_PROG(tp_btf_host_module_request, char *name, bool wait, unsigned long ip)
{
	struct task_struct *t = pg_current();
	struct pg_host_event *e;
	struct pg_host_heap *h;

	if (!pg_host_wanted(PG_EVENT_HOST_CHANGE, PG_HOST_KIND_MODULE) ||
	    (BPF_CORE_READ(t, flags) & PF_KTHREAD))
		return 0;
	h = pg_host_heap_get();
	if (!h)
		return 0;
	e = &h->host;
	if (pg_host_decide(h, PG_EVENT_HOST_CHANGE, PG_HOST_KIND_MODULE, &e->verdict,
			   &e->matched) == PG_POLICY_NO_RECORD)
		return 0;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_HOST_CHANGE, 1);
	e->result = 0;
	e->op = PG_HOST_OP_MODULE_REQUEST;
	e->kind = PG_HOST_KIND_MODULE;
	e->arg = wait;
	e->target = 0;
	if (bpf_probe_read_kernel_str(e->str, sizeof(e->str), name) < 0)
		e->str[0] = 0;
	e->str2[0] = e->fstype[0] = e->file[0] = 0;
	pg_output(e, sizeof(*e));
	return 0;
}

#define OPEN_TREE_CLONE 1

/*
 * open_tree(dfd, filename, flags): only with OPEN_TREE_CLONE, a detached
 * copy of a mount (a bind mount, once moved); otherwise it opens a path.
 */
SEC("tracepoint/syscalls/sys_enter_open_tree")
int tp_sys_enter_open_tree(struct trace_event_raw_sys_enter *ctx)
{
	if (!(A(2) & OPEN_TREE_CLONE))
		return 0;
	return pg_host_enter_args(PG_EVENT_HOST_CHANGE, PG_HOST_OP_OPEN_TREE, A(2), A(1), 0, 0, 0,
				  0);
}
PG_HOST_EXIT(open_tree, PG_EVENT_HOST_CHANGE)

/*
 * mount_setattr(dfd, path, flags, uattr, usize): what it sets and clears
 * (struct mount_attr: attr_set, attr_clr first, UAPI), read at the entry
 * (the caller's struct, as the kernel is about to read it). The
 * attributes (MOUNT_ATTR_*) fit in 32 bits.
 */
SEC("tracepoint/syscalls/sys_enter_mount_setattr")
int tp_sys_enter_mount_setattr(struct trace_event_raw_sys_enter *ctx)
{
	__u64 attr[2] = {};

	if (bpf_probe_read_user(attr, sizeof(attr), (void *)A(3)))
		attr[0] = attr[1] = 0;
	return pg_host_enter_args(PG_EVENT_HOST_CHANGE, PG_HOST_OP_MOUNT_SETATTR, attr[0], A(1), 0,
				  0, (__u32)attr[1], 0);
}
PG_HOST_EXIT(mount_setattr, PG_EVENT_HOST_CHANGE)

#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206

/* ptrace(request, pid, addr, data): the attaching requests only */
SEC("tracepoint/syscalls/sys_enter_ptrace")
int tp_sys_enter_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	if (A(0) != PTRACE_ATTACH && A(0) != PTRACE_SEIZE)
		return 0;
	return pg_host_enter_args(PG_EVENT_HOST_CHANGE, PG_HOST_OP_PTRACE, A(0), 0, 0, 0, A(1), 0);
}
PG_HOST_EXIT(ptrace, PG_EVENT_HOST_CHANGE)

/* ---- sysctl writes (cgroup/sysctl) ---- */

/*
 * A write to /proc/sys, before the kernel takes it. No syscall tracepoint
 * tells a sysctl write from any other write(2) without a program on every
 * write of the host; this cgroup hook, on the v2 root, runs for /proc/sys
 * only, in the writer's context, and its return refuses the write
 * (EPERM): deny works here on every backend. Reads pass at once. It
 * cannot send a signal: a kill refuses the write and the agent kills
 * (src/sensors/host.c). Kernels whose sysctl programs cannot name the
 * current process (5.10) do not load it: host_configure().
 */
SEC("cgroup/sysctl")
int cgroup_sysctl(struct bpf_sysctl *ctx)
{
	struct task_struct *t = pg_current();
	struct pg_host_event *e;
	struct pg_host_heap *h;
	int act, refuse, n;

	if (!ctx->write || !pg_host_wanted(PG_EVENT_HOST_CHANGE, PG_HOST_KIND_SYSCTL))
		return 1;
	h = pg_host_heap_get();
	if (!h)
		return 1;
	e = &h->host;
	act = pg_host_decide_as(h, PG_EVENT_HOST_CHANGE, PG_HOST_KIND_SYSCTL, &e->verdict,
				&e->matched, 1, 0);
	if (act == PG_POLICY_NO_RECORD)
		return 1;
	refuse = act == PG_POLICY_DENY || act == PG_POLICY_KILL;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_HOST_CHANGE, 1);
	e->result = refuse ? -1 /* EPERM */ : 0;
	e->op = PG_HOST_OP_SYSCTL_WRITE;
	e->kind = PG_HOST_KIND_SYSCTL;
	e->arg = ctx->file_pos;
	e->target = 0;
	e->fstype[0] = 0;
	/* -E2BIG (-7): truncated, still NUL-terminated; any other error, nothing */
	n = bpf_sysctl_get_name(ctx, e->str, sizeof(e->str), 0);
	if (n < 0 && n != -7) {
		e->str[0] = 0;
		pg_count_error(PG_ERR_READ_PATH);
	}
	n = bpf_sysctl_get_new_value(ctx, e->str2, sizeof(e->str2));
	if (n < 0 && n != -7)
		e->str2[0] = 0;
	/* write-only entries (vm/drop_caches) have no value before */
	n = bpf_sysctl_get_current_value(ctx, e->file, sizeof(e->file));
	if (n < 0 && n != -7)
		e->file[0] = 0;
	pg_output(e, sizeof(*e));
	return !refuse;
}
