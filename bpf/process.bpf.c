// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process lifecycle sensor: exec, exit, (optionally) fork, and the seeding
 * iterator that reports processes already running when the agent starts.
 *
 * Backends, best first; the agent loads exactly one of them:
 *   fentry  finalize_exec / acct_process / wake_up_new_task
 *   tp_btf  sched_process_exec / sched_process_exit / sched_process_fork
 *   raw_tp  the same tracepoints through raw_tracepoint_open
 * All three share the handlers below, which read the kernel only through
 * BPF_CORE_READ so that they are valid whether the context gives trusted
 * BTF pointers (fentry, tp_btf) or plain integers (raw_tp).
 *
 * Why these hooks: finalize_exec() runs in load_elf_binary() after the new
 * stack and mm->arg_start/arg_end are set up, so argv is readable and
 * resident; acct_process() runs in do_exit() only for the last thread of a
 * group, which is exactly "the process exited"; wake_up_new_task() sees
 * every new task once it is fully formed. The tracepoints are the stable
 * fallbacks for kernels where fentry is refused (lockdown, no BTF
 * trampolines).
 */
#include "common.bpf.h"
#include "core_fixes.bpf.h"
#include "path.bpf.h"

#define PF_KTHREAD 0x00200000
#define PG_DATA_SIZE 65536
#define PG_OFF_MASK 0x3fff /* every string but argv starts below 16 KiB */
#define PG_ARGS_MASK 0x7fff
#define PG_CGROUP_DEPTH 32

/* Set by the agent before load. */
const volatile __u32 pg_max_args = PG_ARGS_DEFAULT;

/* Per-CPU scratch for one exec record; too big for the 512-byte stack. */
struct pg_exec_heap {
	struct pg_exec_event ev;
	__u8 data[PG_DATA_SIZE];
	struct pg_path_buf path;
	__u64 kn[PG_CGROUP_DEPTH];
	/*
	 * Write offset into data and the cgroup depth, kept in map memory so
	 * the verifier treats them as unknown on every loop iteration and
	 * prunes (see path.bpf.h).
	 */
	__u32 off;
	__u32 n_kn;
};

/* One slot per CPU (max_entries set to the CPU count by the agent). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_exec_heap);
} pg_exec_heap SEC(".maps");

/*
 * tgid -> CLOCK_MONOTONIC time of the process's last exec: the second half
 * of its key. A process absent from the map never exec'd while we watched,
 * and its key is its group leader's fork time, which the seeding iterator
 * and every later event compute the same way. LRU so that the map can
 * never fill up; an evicted entry only degrades that one process's key.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} pg_procs SEC(".maps");

static __always_inline struct pg_exec_heap *pg_heap(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct pg_exec_heap *h = bpf_map_lookup_elem(&pg_exec_heap, &cpu);

	if (!h)
		pg_count_error(PG_ERR_SCRATCH);
	return h;
}

static __always_inline void pg_task_key(struct task_struct *task, struct pg_process_key *key)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 *ktime = bpf_map_lookup_elem(&pg_procs, &tgid);

	key->pid = tgid;
	key->pad = 0;
	key->ktime = ktime ? *ktime : BPF_CORE_READ(task, group_leader, start_time);
}

static __always_inline void pg_fill_ids(struct task_struct *task, struct pg_process_key *proc,
					struct pg_process_key *parent, __u32 *tid, __u32 *ppid)
{
	struct task_struct *real_parent = BPF_CORE_READ(task, real_parent);

	pg_task_key(task, proc);
	pg_task_key(real_parent, parent);
	*tid = BPF_CORE_READ(task, pid);
	*ppid = parent->pid;
}

static __always_inline void pg_fill_creds(struct task_struct *task, struct pg_creds *c)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);

	c->uid = BPF_CORE_READ(cred, uid.val);
	c->euid = BPF_CORE_READ(cred, euid.val);
	c->gid = BPF_CORE_READ(cred, gid.val);
	c->egid = BPF_CORE_READ(cred, egid.val);
	c->auid = pg_task_loginuid(task);
	c->pad = 0;
	c->cap_effective = pg_cred_cap(cred, 0);
	c->cap_permitted = pg_cred_cap(cred, 1);
}

static __always_inline void pg_fill_ns(struct task_struct *task, struct pg_namespaces *ns)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid *upid = __builtin_preserve_access_index(&pid->numbers[level & 31]);

	ns->mnt = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	ns->pid = BPF_CORE_READ(upid, ns, ns.inum);
	ns->net = BPF_CORE_READ(nsp, net_ns, ns.inum);
	ns->user = BPF_CORE_READ(task, cred, user_ns, ns.inum);
	ns->uts = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	ns->ipc = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	ns->cgroup = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	ns->pad = 0;
}

/* Append the path resolved in h->path to the record; returns the length. */
static __always_inline __u16 pg_append_path(struct pg_exec_heap *h, const struct path *path,
					    const struct path *root, __u32 trunc_flag)
{
	__u32 trunc, start, len;

	start = pg_path_resolve(path, root, &h->path, &trunc);
	if (trunc)
		h->ev.proc_flags |= trunc_flag;
	len = PG_PATH_MAX - start;
	if (len > PG_PATH_MAX - 1)
		len = PG_PATH_MAX - 1;
	bpf_probe_read_kernel(&h->data[h->off & PG_OFF_MASK], len & (PG_PATH_MAX - 1),
			      &h->path.buf[start & (2 * PG_PATH_MAX - 1)]);
	h->off += len;
	return len;
}

/*
 * The v2 cgroup path, root first. Walk up once to collect the nodes, then
 * write their names forward: kernfs names have no length field, and a
 * forward copy lets bpf_probe_read_kernel_str() measure them for us.
 */
static __always_inline __u16 pg_append_cgroup(struct pg_exec_heap *h, struct kernfs_node *kn)
{
	__u32 start = h->off, off;
	int i;

	h->n_kn = 0;
	for (i = 0; i < PG_CGROUP_DEPTH; i++) {
		struct kernfs_node *parent;

		if (!kn)
			break;
		parent = pg_kernfs_parent(kn);
		if (!parent)
			break; /* the root's name is empty */
		h->kn[i & (PG_CGROUP_DEPTH - 1)] = (__u64)kn;
		h->n_kn = i + 1;
		kn = parent;
	}
	if (kn && i == PG_CGROUP_DEPTH)
		h->ev.proc_flags |= PG_PROC_F_CGROUP_TRUNC;
	if (!h->n_kn) {
		h->data[h->off & PG_OFF_MASK] = '/';
		h->off += 1;
		return 1;
	}
	/*
	 * Count up and index down: a loop that skips its top iterations with
	 * "continue" compiles to a two-instruction cycle that 5.10 and 6.1
	 * reject as a back-edge.
	 */
	for (i = 0; i < PG_CGROUP_DEPTH; i++) {
		const char *name;
		__u32 n = h->n_kn;
		long r;

		if ((__u32)i >= n)
			break;
		off = h->off;
		if (off - start > PG_CGROUP_MAX - 256) {
			h->ev.proc_flags |= PG_PROC_F_CGROUP_TRUNC;
			break;
		}
		kn = (struct kernfs_node *)h->kn[(n - 1 - i) & (PG_CGROUP_DEPTH - 1)];
		name = BPF_CORE_READ(kn, name);
		h->data[off & PG_OFF_MASK] = '/';
		r = bpf_probe_read_kernel_str(&h->data[(off + 1) & PG_OFF_MASK], 256, name);
		if (r > 0)
			h->off = off + r;
		else
			pg_count_error(PG_ERR_READ_CGROUP);
	}
	return h->off - start;
}

/*
 * Everything about @task but its binary and argv: ids, keys, creds,
 * namespaces, tty, then cwd and cgroup appended to the data area.
 */
static __always_inline void pg_fill_task(struct pg_exec_heap *h, struct task_struct *task)
{
	struct pg_exec_event *e = &h->ev;
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);

	pg_fill_ids(task, &e->proc, &e->parent, &e->tid, &e->ppid);
	e->pad = 0;
	e->pad2 = 0;
	e->start_ktime = BPF_CORE_READ(task, group_leader, start_time);
	e->cgroup_id = BPF_CORE_READ(kn, id);
	pg_fill_creds(task, &e->creds);
	pg_fill_ns(task, &e->ns);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &task->comm);
	e->tty[0] = 0;
	if (tty)
		bpf_probe_read_kernel_str(e->tty, sizeof(e->tty), &tty->name);
	if (fs)
		e->cwd_len = pg_append_path(h, &fs->pwd, &fs->root, PG_PROC_F_CWD_TRUNC);
	else
		e->cwd_len = 0;
	e->cgroup_len = pg_append_cgroup(h, kn);
}

static __always_inline int pg_handle_exec(struct task_struct *task, struct linux_binprm *bprm)
{
	struct pg_exec_heap *h = pg_heap();
	struct pg_exec_event *e;
	struct fs_struct *fs;
	struct file *file;
	const char *filename, *interp;
	__u64 arg_start, arg_end, len;
	__u32 off, tgid;
	long r;

	if (!h) {
		pg_count(PG_EVENT_PROCESS_EXEC, 0);
		return 0;
	}
	e = &h->ev;
	e->hdr.type = PG_EVENT_PROCESS_EXEC;
	e->hdr.flags = 0;
	e->hdr.ktime = bpf_ktime_get_ns();
	e->proc_flags = PG_PROC_F_EXECVE;
	h->off = 0;

	/* The new image gets a new key before anything reads it. */
	pg_task_key(task, &e->proc);
	e->prev_ktime = e->proc.ktime;
	tgid = e->proc.pid;
	if (bpf_map_update_elem(&pg_procs, &tgid, &e->hdr.ktime, BPF_ANY))
		pg_count_error(PG_ERR_PROCS_MAP);

	/* binary: the file actually executed (the interpreter, for scripts) */
	fs = BPF_CORE_READ(task, fs);
	file = BPF_CORE_READ(bprm, file);
	e->binary_len = pg_append_path(h, &file->f_path, &fs->root, PG_PROC_F_PATH_TRUNC);

	/* filename: what execve() was asked to run, when it differs (scripts) */
	e->filename_len = 0;
	filename = BPF_CORE_READ(bprm, filename);
	interp = BPF_CORE_READ(bprm, interp);
	if (filename != interp) {
		e->proc_flags |= PG_PROC_F_SCRIPT;
		off = h->off;
		r = bpf_probe_read_kernel_str(&h->data[off & PG_OFF_MASK], PG_PATH_MAX, filename);
		if (r > 1) {
			e->filename_len = r - 1;
			h->off = off + r - 1;
		}
	}

	pg_fill_task(h, task);
	off = h->off;

	/* argv, straight from the new stack: resident, since exec just wrote it */
	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > pg_max_args) {
		len = pg_max_args;
		e->proc_flags |= PG_PROC_F_ARGS_TRUNC;
	}
	e->args_len = 0;
	if (len) {
		if (bpf_probe_read_user(&h->data[off & PG_OFF_MASK], len & PG_ARGS_MASK,
					(void *)arg_start)) {
			e->proc_flags |= PG_PROC_F_ARGS_ERROR;
			pg_count_error(PG_ERR_READ_ARGS);
		} else {
			e->args_len = len & PG_ARGS_MASK;
			off += e->args_len;
		}
	}
	pg_output(e, sizeof(*e) + (off & (PG_DATA_SIZE - 1)));
	return 0;
}

static __always_inline int pg_handle_exit(struct task_struct *task)
{
	struct pg_exit_event e = {};
	__u32 tgid;

	e.hdr.type = PG_EVENT_PROCESS_EXIT;
	e.hdr.ktime = bpf_ktime_get_ns();
	pg_fill_ids(task, &e.proc, &e.parent, &e.tid, &e.ppid);
	e.exit_code = BPF_CORE_READ(task, exit_code);
	bpf_probe_read_kernel_str(e.comm, sizeof(e.comm), &task->comm);
	tgid = e.proc.pid;
	bpf_map_delete_elem(&pg_procs, &tgid);
	pg_output(&e, sizeof(e));
	return 0;
}

static __always_inline int pg_handle_fork(struct task_struct *parent, struct task_struct *child)
{
	struct pg_fork_event e = {};

	/* threads are not processes */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	e.hdr.type = PG_EVENT_PROCESS_FORK;
	e.hdr.ktime = bpf_ktime_get_ns();
	e.proc.pid = BPF_CORE_READ(child, tgid);
	e.proc.ktime = BPF_CORE_READ(child, start_time);
	pg_task_key(parent, &e.parent);
	e.tid = e.proc.pid;
	e.ppid = e.parent.pid;
	bpf_probe_read_kernel_str(e.comm, sizeof(e.comm), &child->comm);
	pg_output(&e, sizeof(e));
	return 0;
}

/* The last thread of the group: its exit is the process's exit. */
static __always_inline int pg_group_dead(struct task_struct *task)
{
	return BPF_CORE_READ(task, signal, live.counter) == 0;
}

/* ---- backend: fentry ---- */

/*
 * bpf_get_current_task_btf() needs 5.11; the handlers read through
 * BPF_CORE_READ anyway, so the untyped pointer serves on 5.10 too.
 */
static __always_inline struct task_struct *pg_current(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

SEC("fentry/finalize_exec")
int BPF_PROG(fentry_finalize_exec, struct linux_binprm *bprm)
{
	return pg_handle_exec(pg_current(), bprm);
}

SEC("fentry/acct_process")
int BPF_PROG(fentry_acct_process)
{
	return pg_handle_exit(pg_current());
}

SEC("fentry/wake_up_new_task")
int BPF_PROG(fentry_wake_up_new_task, struct task_struct *p)
{
	return pg_handle_fork(pg_current(), p);
}

/* ---- backend: tp_btf ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return pg_handle_exec(p, bprm);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf_sched_process_exit, struct task_struct *p)
{
	if (!pg_group_dead(p))
		return 0;
	return pg_handle_exit(p);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return pg_handle_fork(parent, child);
}

/* ---- backend: raw_tp ---- */

SEC("raw_tp/sched_process_exec")
int BPF_PROG(raw_tp_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return pg_handle_exec(p, bprm);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(raw_tp_sched_process_exit, struct task_struct *p)
{
	if (!pg_group_dead(p))
		return 0;
	return pg_handle_exit(p);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_tp_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return pg_handle_fork(parent, child);
}

/* ---- seeding: every process running when the agent starts ---- */

SEC("iter/task")
int iter_task_seed(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct pg_exec_heap *h;
	struct pg_exec_event *e;
	struct fs_struct *fs;
	struct file *exe;

	if (!task || task->pid != task->tgid || (task->flags & PF_KTHREAD))
		return 0;
	h = pg_heap();
	if (!h)
		return 0;
	e = &h->ev;
	e->hdr.type = PG_EVENT_PROCESS_SEED;
	e->hdr.flags = 0;
	e->hdr.ktime = bpf_ktime_get_ns();
	e->proc_flags = PG_PROC_F_SEEDED;
	e->prev_ktime = 0;
	h->off = 0;
	fs = BPF_CORE_READ(task, fs);
	exe = BPF_CORE_READ(task, mm, exe_file);
	e->binary_len = 0;
	if (exe && fs)
		e->binary_len = pg_append_path(h, &exe->f_path, &fs->root, PG_PROC_F_PATH_TRUNC);
	e->filename_len = 0;
	pg_fill_task(h, task);
	/* another process's argv is not readable from here: the agent
	 * takes it from /proc/PID/cmdline */
	e->args_len = 0;
	/* 8-byte multiples keep the next record's header aligned for the reader */
	e->hdr.size = (sizeof(*e) + (h->off & PG_OFF_MASK) + 7) & ~7U;
	bpf_seq_write(seq, e, e->hdr.size & (PG_DATA_SIZE - 1));
	return 0;
}
