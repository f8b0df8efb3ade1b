/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The process context every event carries: who (process key), whose child
 * (parent key), which thread. Every sensor calls pg_fill_task_ctx() first.
 *
 * These helpers take typed task pointers (tp_btf, iterators, fentry and LSM
 * arguments, bpf_get_current_task_btf()) and read them with plain loads,
 * which the JIT turns into exception-protected moves: about a nanosecond
 * each, where a bpf_probe_read_kernel() call (what BPF_CORE_READ does)
 * costs 30-60 ns on the reference host. The exec path reads some seventy
 * fields, so this alone is most of its budget.
 */
#ifndef PENGUARD_LIB_TASK_BPF_H
#define PENGUARD_LIB_TASK_BPF_H

#include "submit.bpf.h"

#define PF_KTHREAD 0x00200000

static __always_inline struct pg_proc_state *pg_proc_state(__u32 tgid)
{
	return bpf_map_lookup_elem(&pg_procs, &tgid);
}

/*
 * @task's process key, its time from @st (the process's pg_procs entry),
 * or the fork time while it has none.
 */
static __always_inline void pg_task_key_st(struct task_struct *task, struct pg_process_key *key,
					   const struct pg_proc_state *st)
{
	/*
	 * Read the fallback first, unconditionally: with a load in each branch
	 * the compiler merges them into one instruction through a pointer
	 * that is either a map value or a task, which the verifier refuses
	 * ("same insn cannot be used with different pointers").
	 */
	__u64 fork_time = task->group_leader->start_time;

	key->pid = task->tgid;
	key->pad = 0;
	key->ktime = st ? st->ktime : fork_time;
}

/*
 * The context from the states the caller holds: @st the task's process's
 * pg_procs entry, @pst its parent's (NULL: none). Each lookup is a hash
 * walk, and the process lifecycle handlers need the states anyway.
 */
static __always_inline void pg_fill_task_ctx_st(struct task_struct *task,
						struct pg_event_process *c,
						const struct pg_proc_state *st,
						const struct pg_proc_state *pst)
{
	pg_task_key_st(task, &c->proc, st);
	pg_task_key_st(task->real_parent, &c->parent, pst);
	c->tid = task->pid;
	c->ppid = c->parent.pid;
}

static __always_inline void pg_fill_task_ctx(struct task_struct *task, struct pg_event_process *c)
{
	pg_fill_task_ctx_st(task, c, pg_proc_state(task->tgid),
			    pg_proc_state(task->real_parent->tgid));
}

/*
 * The same from an untyped task pointer (bpf_get_current_task() in LSM and
 * kprobe programs on 5.10, which has no bpf_get_current_task_btf()):
 * every read through a helper.
 */
static __always_inline void pg_task_key_core(struct task_struct *task, struct pg_process_key *key)
{
	__u64 fork_time = BPF_CORE_READ(task, group_leader, start_time);
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct pg_proc_state *st = pg_proc_state(tgid);

	key->pid = tgid;
	key->pad = 0;
	key->ktime = st ? st->ktime : fork_time;
}

static __always_inline void pg_fill_task_ctx_core(struct task_struct *task,
						  struct pg_event_process *c)
{
	pg_task_key_core(task, &c->proc);
	pg_task_key_core(BPF_CORE_READ(task, real_parent), &c->parent);
	c->tid = BPF_CORE_READ(task, pid);
	c->ppid = c->parent.pid;
}

#if defined(__TARGET_ARCH_x86)
/*
 * Whether typed @task is in a 32-bit system call (ia32 emulation, and
 * `int $0x80` from 64-bit code): TS_COMPAT, set at such a call's entry and
 * cleared on its way back to user space. These calls fire none of the
 * syscalls:* tracepoints, so a sensor that sees them elsewhere says so.
 */
#define PG_TS_COMPAT 0x0002

static __always_inline int pg_task_compat_call(struct task_struct *task)
{
	return task->thread_info.status & PG_TS_COMPAT;
}
#endif

/*
 * The inode of the pid namespace of a struct pid at @level: numbers[] is
 * indexed by the level, a variable offset, so it is read by helper.
 */
static __always_inline __u32 pg_pidns_inum(__u64 pid, unsigned int level)
{
	__u64 ns = 0;

	bpf_probe_read_kernel(&ns, sizeof(ns),
			      (void *)(pid + bpf_core_field_offset(struct pid, numbers) +
				       (level & 31) * bpf_core_type_size(struct upid) +
				       bpf_core_field_offset(struct upid, ns)));
	return ns ? BPF_CORE_READ((struct pid_namespace *)ns, ns.inum) : 0;
}

/* The inode of @task's pid namespace (not its children's). */
static __always_inline __u32 pg_task_pidns_core(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);

	return pg_pidns_inum((__u64)pid, BPF_CORE_READ(pid, level));
}

#endif /* PENGUARD_LIB_TASK_BPF_H */
