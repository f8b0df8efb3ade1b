/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A task's credentials and namespaces, as the kernel holds them: the
 * process sensor records them at exec, the host sensor compares them
 * around the calls that change them. Plain loads through a typed task
 * pointer (see task.bpf.h), never user memory.
 */
#ifndef PENGUARD_LIB_CREDS_BPF_H
#define PENGUARD_LIB_CREDS_BPF_H

#include "task.bpf.h"
#include "core_fixes.bpf.h"

static __always_inline void pg_task_creds(struct task_struct *task, struct pg_creds *c)
{
	const struct cred *cred = task->cred;

	c->uid = cred->uid.val;
	c->euid = cred->euid.val;
	c->suid = cred->suid.val;
	c->fsuid = cred->fsuid.val;
	c->gid = cred->gid.val;
	c->egid = cred->egid.val;
	c->sgid = cred->sgid.val;
	c->fsgid = cred->fsgid.val;
	c->securebits = cred->securebits;
	c->auid = pg_task_loginuid(task);
	if (pg_cred_caps(cred, &c->cap_inheritable, &c->cap_permitted, &c->cap_effective)) {
		c->cap_inheritable = c->cap_permitted = c->cap_effective = 0;
		pg_count_error(PG_ERR_READ_CREDS);
	}
}

static __always_inline void pg_task_ns(struct task_struct *task, struct pg_namespaces *ns)
{
	struct nsproxy *nsp = task->nsproxy;
	struct pid *pid = task->thread_pid;

	ns->pid = pg_pidns_inum((__u64)pid, pid->level);
	if (!nsp) {
		/* an exiting task has dropped its namespaces */
		ns->mnt = ns->pid_for_children = ns->net = ns->uts = ns->ipc = ns->cgroup = 0;
		ns->time = ns->time_for_children = 0;
	} else {
		ns->mnt = nsp->mnt_ns->ns.inum;
		ns->pid_for_children =
			nsp->pid_ns_for_children ? nsp->pid_ns_for_children->ns.inum : 0;
		ns->net = nsp->net_ns->ns.inum;
		ns->uts = nsp->uts_ns->ns.inum;
		ns->ipc = nsp->ipc_ns->ns.inum;
		ns->cgroup = nsp->cgroup_ns->ns.inum;
		pg_time_ns(nsp, &ns->time, &ns->time_for_children);
	}
	ns->user = task->cred->user_ns->ns.inum;
}

#endif /* PENGUARD_LIB_CREDS_BPF_H */
