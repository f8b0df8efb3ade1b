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
	__u64 flags; /* setns: nstype; unshare: its flags */
	struct pg_creds creds;
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

/* Whether any rule may report event @type for the current process. */
static __always_inline int pg_host_wanted(__u16 type)
{
	struct pg_rule_mask sel;
	__u32 gen;

	return pg_policy_candidates(&sel, &gen, type) != NULL;
}

/*
 * The verdict on a record about to be built: the rules that still want
 * it now (a policy swap may have come between entry and exit). Tracing
 * programs may kill; nothing here can refuse the call (it is done).
 */
static __always_inline int pg_host_decide(struct pg_host_heap *h, __u16 type, struct pg_verdict *v,
					  struct pg_rule_mask *matched)
{
	const struct pg_policy_masks *m;
	__u32 gen;

	m = pg_policy_candidates(&h->sel, &gen, type);
	if (!m)
		return PG_POLICY_NO_RECORD;
	return pg_policy_decide(&h->sel, &h->one, m, gen, v, matched, 0, 1, bpf_ktime_get_ns());
}

/* Header, process and comm of a record from the current task. */
#define PG_HOST_RECORD_TASK(e, t, type_)                                                           \
	do {                                                                                       \
		(e)->hdr.type = (type_);                                                           \
		(e)->hdr.flags = 0;                                                                \
		(e)->hdr.size = sizeof(*(e));                                                      \
		(e)->hdr.ktime = bpf_ktime_get_ns();                                               \
		pg_fill_task_ctx((t), &(e)->task);                                                 \
		bpf_get_current_comm((e)->comm, sizeof((e)->comm));                                \
		(e)->pad = 0;                                                                      \
	} while (0)

/*
 * A watched call's entry: if a rule may want @type, keep what the call
 * may change. The creds or the namespaces, not both: each call changes
 * one of them.
 */
static __always_inline int pg_host_enter(__u16 type, __u16 op, __u64 flags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	struct pg_host_heap *h;

	if (!pg_host_wanted(type))
		return 0;
	h = pg_host_heap_get();
	if (!h)
		return 0;
	h->pend.op = op;
	h->pend.type = type;
	h->pend.pad = 0;
	h->pend.flags = flags;
	if (type == PG_EVENT_CREDS_CHANGE)
		pg_task_creds(t, &h->pend.creds);
	else
		pg_task_ns(t, &h->pend.ns);
	bpf_map_update_elem(&pg_host_pending, &id, &h->pend, BPF_ANY);
	return 0;
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

	pg_task_creds(t, &e->after);
	if (!pg_host_differ(&h->pend.creds, &e->after, sizeof(e->after)))
		return 0;
	if (pg_host_decide(h, PG_EVENT_CREDS_CHANGE, &e->verdict, &e->matched) ==
	    PG_POLICY_NO_RECORD)
		return 0;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_CREDS_CHANGE);
	e->result = ret;
	e->op = h->pend.op;
	e->before = h->pend.creds;
	pg_output(e, sizeof(*e));
	return 0;
}

static __always_inline int pg_host_ns_exit(struct task_struct *t, struct pg_host_heap *h, long ret)
{
	struct pg_ns_event *e = &h->ns;

	pg_task_ns(t, &e->after);
	if (!pg_host_differ(&h->pend.ns, &e->after, sizeof(e->after)))
		return 0;
	if (pg_host_decide(h, PG_EVENT_NS_CHANGE, &e->verdict, &e->matched) == PG_POLICY_NO_RECORD)
		return 0;
	PG_HOST_RECORD_TASK(e, t, PG_EVENT_NS_CHANGE);
	e->result = ret;
	e->op = h->pend.op;
	e->flags = h->pend.flags;
	e->before = h->pend.ns;
	pg_output(e, sizeof(*e));
	return 0;
}

/* A watched call's return: report what it changed. */
static __always_inline int pg_host_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
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
	if (h->pend.type == PG_EVENT_CREDS_CHANGE)
		return pg_host_creds_exit(t, h, ctx->ret);
	return pg_host_ns_exit(t, h, ctx->ret);
}

/* One watched call: its entry and exit tracepoints. */
#define PG_HOST_CALL(call, type, op, flags_arg)                                                    \
	SEC("tracepoint/syscalls/sys_enter_" #call)                                                \
	int tp_sys_enter_##call(struct trace_event_raw_sys_enter *ctx)                             \
	{                                                                                          \
		return pg_host_enter(type, op, flags_arg);                                         \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #call)                                                 \
	int tp_sys_exit_##call(struct trace_event_raw_sys_exit *ctx)                               \
	{                                                                                          \
		return pg_host_exit(ctx);                                                          \
	}

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
	if (!pg_host_wanted(PG_EVENT_NS_CHANGE))
		return 0;
	h = pg_host_heap_get();
	if (!h)
		return 0;
	e = &h->ns;
	pg_task_ns(parent, &e->before);
	pg_task_ns(child, &e->after);
	if (!pg_host_differ(&e->before, &e->after, sizeof(e->after)))
		return 0;
	if (pg_host_decide(h, PG_EVENT_NS_CHANGE, &e->verdict, &e->matched) == PG_POLICY_NO_RECORD)
		return 0;
	PG_HOST_RECORD_TASK(e, parent, PG_EVENT_NS_CHANGE);
	e->result = child->tgid;
	e->op = PG_HOST_OP_CLONE;
	/* the flags are not at hand here; the namespaces that differ say which were asked */
	e->flags = 0;
	pg_output(e, sizeof(*e));
	return 0;
}
