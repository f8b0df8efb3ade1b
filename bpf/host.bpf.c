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
 * An lsm or fentry backend (hooks on commit_creds, switch_task_namespaces,
 * ...) would be other programs producing the same records: the program
 * lists in src/sensors/host.c are the backends.
 */
#include "lib/task.bpf.h"
#include "lib/creds.bpf.h"
#include "lib/policy.bpf.h"

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
	__u32 len; /* sethostname, setdomainname: the name's length */
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

/* Records are built here: too big for the stack, and process context only. */
struct pg_host_heap {
	union {
		struct pg_creds_event creds;
		struct pg_ns_event ns;
		struct pg_host_event host;
	};
	struct pg_host_pending pend;
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
static __always_inline int pg_host_decide(struct pg_host_heap *h, __u16 type, __u16 kind,
					  struct pg_verdict *v, struct pg_rule_mask *matched)
{
	const struct pg_policy_masks *m;
	__u32 gen;

	m = pg_host_candidates(&h->sel, &gen, type, kind);
	if (!m)
		return PG_POLICY_NO_RECORD;
	return pg_policy_decide(&h->sel, &h->one, m, gen, v, matched, 0, 1, bpf_ktime_get_ns());
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
 * The supplementary groups of @t (untyped): the count, and the first
 * PG_HOST_GROUPS read at once (slots past the count zeroed).
 */
static __always_inline void pg_task_groups(struct task_struct *t, struct pg_groups *g)
{
	struct group_info *gi = BPF_CORE_READ(t, cred, group_info);
	__u32 i;

	g->n = BPF_CORE_READ(gi, ngroups);
	if (bpf_probe_read_kernel(g->gid, sizeof(g->gid), &gi->gid[0]))
		__builtin_memset(g->gid, 0, sizeof(g->gid));
	for (i = 0; i < PG_HOST_GROUPS; i++)
		if (i >= g->n)
			g->gid[i] = 0;
}

/* What of the host each call changes. */
static __always_inline __u16 pg_host_kind(__u16 op)
{
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

	pg_task_creds_core(t, &e->after);
	pg_task_groups(t, &e->groups_after);
	if (!pg_host_differ(&h->pend.creds, &e->after, sizeof(e->after)) &&
	    !pg_host_differ(&h->pend.groups, &e->groups_after, sizeof(e->groups_after)))
		return 0;
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
 * A new task in new namespaces: clone, clone3 or unshare-less fork with
 * CLONE_NEW*. Threads and plain forks share the parent's nsproxy and
 * user namespace: two compares, then out.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_host_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pg_host_heap *h;
	struct pg_ns_event *e;

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
	/* the flags are not at hand here; the namespaces that differ say which were asked */
	e->flags = 0;
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
PG_HOST_CHANGE(finit_module, PG_HOST_OP_FINIT_MODULE, A(2), A(1), 0, 0, 0, 0)
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
