/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel differences, in one place. Each helper reads a field whose name
 * or type changed between the kernels we support (5.10 … 6.18), using
 * CO-RE flavours and bpf_core_field_exists, never kernel version numbers.
 */
#ifndef PENGUARD_CORE_FIXES_BPF_H
#define PENGUARD_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * kernfs_node.parent became __parent in 6.15 ("kernfs: Use RCU to access
 * kernfs_node::parent"). vmlinux.h is generated
 * from the build host, so either name may be the "current" one.
 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *pg_kernfs_parent(struct kernfs_node *kn)
{
	struct kernfs_node___new *n = (void *)kn;
	struct kernfs_node___old *o = (void *)kn;

	if (bpf_core_field_exists(n->__parent))
		return BPF_CORE_READ(n, __parent);
	return BPF_CORE_READ(o, parent);
}

/*
 * kernel_cap_t was { __u32 cap[2]; } until 6.3 ("capability: just use a
 * 'u64' instead of a 'u32[2]' array") and is
 * { u64 val; } since. Both are 8 bytes in the same little-endian order, so
 * reading the 8 raw bytes at the relocated offset is right on both.
 */
static __always_inline __u64 pg_cred_cap(const struct cred *cred, int which)
{
	__u64 v = 0;

	if (which == 0)
		bpf_core_read(&v, sizeof(v), &cred->cap_effective);
	else
		bpf_core_read(&v, sizeof(v), &cred->cap_permitted);
	return v;
}

/* task_struct.loginuid exists only with CONFIG_AUDIT. */
static __always_inline __u32 pg_task_loginuid(struct task_struct *task)
{
	if (bpf_core_field_exists(task->loginuid))
		return BPF_CORE_READ(task, loginuid.val);
	return (__u32)-1;
}

#endif /* PENGUARD_CORE_FIXES_BPF_H */
