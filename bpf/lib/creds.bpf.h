/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A task's credentials and namespaces, as the kernel holds them: the
 * process sensor records them at exec, the host sensor compares them
 * around the calls that change them. Kernel memory only, never user
 * memory: plain loads through a typed task pointer (see task.bpf.h), or
 * helper reads through an untyped one.
 */
#ifndef PENGUARD_LIB_CREDS_BPF_H
#define PENGUARD_LIB_CREDS_BPF_H

#include "task.bpf.h"
#include "core_fixes.bpf.h"

/*
 * @core: @task is untyped and every read goes through a helper (see
 * PG_READ): the host sensor's syscall tracepoints, which on 5.10 have no
 * typed current task. The process sensor's exec path reads typed.
 */
static __always_inline void pg_cred_read(const struct cred *cred, struct pg_creds *c,
					 const int core)
{
	c->uid = PG_READ(core, cred, uid.val);
	c->euid = PG_READ(core, cred, euid.val);
	c->suid = PG_READ(core, cred, suid.val);
	c->fsuid = PG_READ(core, cred, fsuid.val);
	c->gid = PG_READ(core, cred, gid.val);
	c->egid = PG_READ(core, cred, egid.val);
	c->sgid = PG_READ(core, cred, sgid.val);
	c->fsgid = PG_READ(core, cred, fsgid.val);
	c->securebits = PG_READ(core, cred, securebits);
	if (pg_cred_caps(cred, &c->cap_inheritable, &c->cap_permitted, &c->cap_effective)) {
		c->cap_inheritable = c->cap_permitted = c->cap_effective = 0;
		pg_count_error(PG_ERR_READ_CREDS);
	}
}

static __always_inline void pg_task_creds_read(struct task_struct *task, struct pg_creds *c,
					       const int core)
{
	pg_cred_read(PG_READ(core, task, cred), c, core);
	c->auid = pg_task_loginuid(task, core);
}

static __always_inline void pg_task_ns_read(struct task_struct *task, struct pg_namespaces *ns,
					    const int core)
{
	struct nsproxy *nsp = PG_READ(core, task, nsproxy);
	struct pid *pid = PG_READ(core, task, thread_pid);
	struct pid_namespace *pidns;
	const struct cred *cred;

	ns->pid = pg_pidns_inum((__u64)pid, PG_READ(core, pid, level));
	if (!nsp) {
		/* an exiting task has dropped its namespaces */
		ns->mnt = ns->pid_for_children = ns->net = ns->uts = ns->ipc = ns->cgroup = 0;
		ns->time = ns->time_for_children = 0;
	} else {
		ns->mnt = PG_READ2(core, nsp, mnt_ns, ns.inum);
		pidns = PG_READ(core, nsp, pid_ns_for_children);
		ns->pid_for_children = pidns ? PG_READ(core, pidns, ns.inum) : 0;
		ns->net = PG_READ2(core, nsp, net_ns, ns.inum);
		ns->uts = PG_READ2(core, nsp, uts_ns, ns.inum);
		ns->ipc = PG_READ2(core, nsp, ipc_ns, ns.inum);
		ns->cgroup = PG_READ2(core, nsp, cgroup_ns, ns.inum);
		pg_time_ns(nsp, &ns->time, &ns->time_for_children, core);
	}
	cred = PG_READ(core, task, cred);
	ns->user = PG_READ2(core, cred, user_ns, ns.inum);
}

/* From a typed task pointer (tp_btf, iterators, bpf_get_current_task_btf()). */
static __always_inline void pg_task_creds(struct task_struct *task, struct pg_creds *c)
{
	pg_task_creds_read(task, c, 0);
}

static __always_inline void pg_task_ns(struct task_struct *task, struct pg_namespaces *ns)
{
	pg_task_ns_read(task, ns, 0);
}

/* From an untyped one (bpf_get_current_task()). */
static __always_inline void pg_task_creds_core(struct task_struct *task, struct pg_creds *c)
{
	pg_task_creds_read(task, c, 1);
}

static __always_inline void pg_task_ns_core(struct task_struct *task, struct pg_namespaces *ns)
{
	pg_task_ns_read(task, ns, 1);
}

#endif /* PENGUARD_LIB_CREDS_BPF_H */
