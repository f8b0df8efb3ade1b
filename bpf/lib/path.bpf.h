/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel-side path resolution. bpf_d_path() is only allowed from a few
 * fentry/LSM hooks, and not at all from tracepoints, so the dentry chain
 * is walked by hand: names are written back to front into a scratch
 * buffer, crossing mount points, and the walk stops at the task's root so
 * a containerised process sees the path its own "/" gives.
 *
 * Cost: each step reads the dentry's d_hash, d_parent and d_name with ONE
 * bpf_probe_read_kernel() of the span that holds them (and the mount's
 * parent, mountpoint and root likewise), then copies the name: two helper
 * calls per component instead of four. The span offsets are CO-RE
 * relocated, so a kernel that reorders the fields still reads the right
 * ones; one whose span outgrows the buffer fails the walk, counted.
 *
 * Every index is masked so the verifier of the oldest supported kernel can
 * bound it; the scratch buffer is twice PG_PATH_MAX so that a masked
 * position plus a masked length never leaves it. Pointers and the write
 * position live in map memory, not in registers: the verifier then sees
 * the same unknown values on every iteration and prunes, instead of
 * exploring every combination of component lengths.
 */
#ifndef PENGUARD_LIB_PATH_BPF_H
#define PENGUARD_LIB_PATH_BPF_H

#include "submit.bpf.h"

#define PG_PATH_DEPTH 64
#define PG_NAME_MASK 0xff /* NAME_MAX is 255 */

/* pg_path_resolve() result flags */
#define PG_PATH_TRUNC (1U << 0)	   /* deeper or longer than we follow */
#define PG_PATH_DELETED (1U << 1)  /* the file was unlinked */
#define PG_PATH_DETACHED (1U << 2) /* no path from a root: memfd, pipe, anon inode */
#define PG_PATH_ERROR (1U << 3)	   /* a read failed: the path is incomplete */

struct pg_path_buf {
	char buf[2 * PG_PATH_MAX];
	__u64 dentry; /* walk state, see above */
	__u64 mnt;    /* struct mount * */
	__u64 mnt_root;
	__u64 root_dentry;
	__u64 root_mnt; /* struct vfsmount * */
	__u32 pos;
	__u32 flags;
	__u64 span[8];
};

/* d_hash.pprev, d_parent and d_name of @dentry; 0 or -1 */
static __always_inline int pg_read_dentry(struct pg_path_buf *pb, __u64 dentry, __u64 *parent,
					  struct qstr *name, __u64 *pprev)
{
	__u32 base = bpf_core_field_offset(struct dentry, d_hash);
	__u32 o_pprev = base + bpf_core_field_offset(struct hlist_bl_node, pprev);
	__u32 o_parent = bpf_core_field_offset(struct dentry, d_parent);
	__u32 o_name = bpf_core_field_offset(struct dentry, d_name);

	if (o_parent < base || o_name < base || o_pprev - base + 8 > sizeof(pb->span) ||
	    o_parent - base + 8 > sizeof(pb->span) ||
	    o_name - base + sizeof(*name) > sizeof(pb->span))
		return -1;
	if (bpf_probe_read_kernel(pb->span, sizeof(pb->span), (void *)(dentry + base)))
		return -1;
	*pprev = *(__u64 *)((void *)pb->span + (o_pprev - base));
	*parent = *(__u64 *)((void *)pb->span + (o_parent - base));
	__builtin_memcpy(name, (void *)pb->span + (o_name - base), sizeof(*name));
	return 0;
}

/* mnt_parent, mnt_mountpoint and mnt.mnt_root of the mount @mnt */
static __always_inline int pg_read_mount(struct pg_path_buf *pb, __u64 mnt, __u64 *parent,
					 __u64 *mountpoint, __u64 *root)
{
	__u32 o_parent = bpf_core_field_offset(struct mount, mnt_parent);
	__u32 o_point = bpf_core_field_offset(struct mount, mnt_mountpoint);
	__u32 o_root = bpf_core_field_offset(struct mount, mnt) +
		       bpf_core_field_offset(struct vfsmount, mnt_root);

	if (o_point < o_parent || o_root < o_parent || o_root - o_parent + 8 > sizeof(pb->span))
		return -1;
	if (bpf_probe_read_kernel(pb->span, sizeof(pb->span), (void *)(mnt + o_parent)))
		return -1;
	*parent = pb->span[0];
	*mountpoint = *(__u64 *)((void *)pb->span + (o_point - o_parent));
	*root = *(__u64 *)((void *)pb->span + (o_root - o_parent));
	return 0;
}

/*
 * Resolve (@dentry, @vfsmnt) relative to (@root_dentry, @root_mnt) into
 * @pb->buf. Returns the start of the string in buf; it ends at PG_PATH_MAX.
 * pb->flags gets PG_PATH_* flags. A detached file (memfd, pipe) yields its
 * own name without a leading '/' ("memfd:NAME").
 */
static __noinline __u32 pg_path_resolve(struct pg_path_buf *pb, __u64 dentry, __u64 vfsmnt,
					__u64 root_dentry, __u64 root_mnt)
{
	__u32 o_mnt = bpf_core_field_offset(struct mount, mnt);
	char *buf = pb->buf;
	__u64 unused;
	__u32 pos;
	int i;

	pb->dentry = dentry;
	pb->mnt = vfsmnt - o_mnt;
	pb->root_dentry = root_dentry;
	pb->root_mnt = root_mnt;
	pb->pos = PG_PATH_MAX;
	pb->flags = PG_PATH_TRUNC;
	if (pg_read_mount(pb, pb->mnt, &unused, &unused, &pb->mnt_root))
		goto error;
	for (i = 0; i < PG_PATH_DEPTH; i++) {
		__u64 d = pb->dentry, parent, pprev;
		struct qstr name;
		__u32 len;

		if (d == pb->root_dentry && pb->mnt + o_mnt == pb->root_mnt) {
			pb->flags &= ~PG_PATH_TRUNC;
			break;
		}
		if (pg_read_dentry(pb, d, &parent, &name, &pprev))
			goto error;
		if (i == 0 && !pprev && parent != d)
			pb->flags |= PG_PATH_DELETED;
		if (d == pb->mnt_root) {
			__u64 mnt_parent, mountpoint;

			if (pg_read_mount(pb, pb->mnt, &mnt_parent, &mountpoint, &unused))
				goto error;
			/* the namespace's root, or a mount attached nowhere */
			if (pb->mnt == mnt_parent) {
				pb->flags &= ~PG_PATH_TRUNC;
				break;
			}
			pb->dentry = mountpoint;
			pb->mnt = mnt_parent;
			if (pg_read_mount(pb, mnt_parent, &unused, &unused, &pb->mnt_root))
				goto error;
			continue;
		}
		len = name.len & PG_NAME_MASK;
		pos = pb->pos;
		if (len + 1 > pos)
			break; /* longer than PG_PATH_MAX: keep the tail */
		if (d == parent) {
			/* a pseudo file (memfd, pipe): its own name, no root above */
			pos -= len;
			if (bpf_probe_read_kernel(&buf[pos & (PG_PATH_MAX - 1)], len, name.name))
				goto error;
			pb->pos = pos;
			pb->flags = (pb->flags & ~PG_PATH_TRUNC) | PG_PATH_DETACHED;
			break;
		}
		pos -= len + 1;
		buf[pos & (PG_PATH_MAX - 1)] = '/';
		if (bpf_probe_read_kernel(&buf[(pos + 1) & (PG_PATH_MAX - 1)], len, name.name))
			goto error;
		pb->pos = pos;
		pb->dentry = parent;
	}
	pos = pb->pos;
	if (pos >= PG_PATH_MAX) {
		pos = PG_PATH_MAX - 1;
		buf[pos] = '/';
	}
	return pos;
error:
	/* nothing half-read ships: the caller sees an empty path and the flag */
	pg_count_error(PG_ERR_READ_PATH);
	pb->flags = PG_PATH_ERROR;
	return PG_PATH_MAX;
}

#endif /* PENGUARD_LIB_PATH_BPF_H */
