/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel differences, in one place. Each helper reads a field whose name
 * or type changed between the kernels we support (5.10 … 6.18), using
 * CO-RE flavours and bpf_core_field_exists, never kernel version numbers.
 * Each names the kernel change that needs it.
 */
#ifndef PENGUARD_LIB_CORE_FIXES_BPF_H
#define PENGUARD_LIB_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * kernfs_node.parent became __parent in 6.15 (commit 633488947ef6
 * "kernfs: Use RCU to access kernfs_node::parent"). vmlinux.h is generated
 * from one kernel, so either name may be the "current" one.
 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline __u32 pg_kernfs_parent_offset(void)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return bpf_core_field_offset(struct kernfs_node___new, __parent);
	return bpf_core_field_offset(struct kernfs_node___old, parent);
}

/*
 * kernel_cap_t was { __u32 cap[2]; } until 6.3 (commit f122a08b197d
 * "capability: just use a 'u64' instead of a 'u32[2]' array") and is
 * { u64 val; } since. Both are 8 bytes in the same little-endian order, and
 * struct cred has kept cap_inheritable, cap_permitted, cap_effective next
 * to each other in that order since 2.6.29, so one read takes all three.
 */
static __always_inline int pg_cred_caps(const struct cred *cred, __u64 *inh, __u64 *prm, __u64 *eff)
{
	__u32 base = bpf_core_field_offset(struct cred, cap_inheritable);
	__u32 o_prm = bpf_core_field_offset(struct cred, cap_permitted);
	__u32 o_eff = bpf_core_field_offset(struct cred, cap_effective);
	__u64 caps[3] = {};

	if (o_prm != base + 8 || o_eff != base + 16)
		return -1;
	if (bpf_probe_read_kernel(caps, sizeof(caps), (void *)cred + base))
		return -1;
	*inh = caps[0];
	*prm = caps[1];
	*eff = caps[2];
	return 0;
}

/*
 * A field through a typed pointer by plain load, or (@core: the pointer
 * is untyped, e.g. bpf_get_current_task() before 5.11) through a helper.
 * @core is a constant in every caller, so each program keeps one of the
 * two and the verifier never sees the other.
 */
#define PG_READ(core, p, f) ((core) ? BPF_CORE_READ(p, f) : (p)->f)
#define PG_READ2(core, p, a, f) ((core) ? BPF_CORE_READ(p, a, f) : (p)->a->f)

/* task_struct.loginuid exists only with CONFIG_AUDIT. */
static __always_inline __u32 pg_task_loginuid(struct task_struct *task, const int core)
{
	if (bpf_core_field_exists(task->loginuid))
		return PG_READ(core, task, loginuid.val);
	return (__u32)-1;
}

/* Time namespaces arrived in 5.6 (commit 769071ac9f20 "ns: Introduce Time Namespace"). */
static __always_inline void pg_time_ns(struct nsproxy *nsp, __u32 *time, __u32 *for_children,
				       const int core)
{
	*time = 0;
	*for_children = 0;
	if (!bpf_core_field_exists(nsp->time_ns))
		return;
	*time = PG_READ2(core, nsp, time_ns, ns.inum);
	*for_children = PG_READ2(core, nsp, time_ns_for_children, ns.inum);
}

#endif /* PENGUARD_LIB_CORE_FIXES_BPF_H */
