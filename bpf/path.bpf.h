/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel-side path resolution. bpf_d_path() is only allowed from a few
 * fentry/LSM hooks, and not at all from tracepoints, so the dentry chain
 * is walked by hand: names are written back to front into a scratch
 * buffer, crossing mount points, and the walk stops at the task's root so
 * a containerised process sees the path its own "/" gives.
 *
 * Every index is masked so the verifier of the oldest supported kernel can
 * bound it; the scratch buffer is twice PG_PATH_MAX so that a masked
 * position plus a masked length never leaves it. The write position lives
 * in map memory, not in a register: the verifier then sees the same
 * unknown value on every iteration and prunes, instead of exploring every
 * combination of component lengths (which exceeds its 1M-instruction budget).
 */
#ifndef PENGUARD_PATH_BPF_H
#define PENGUARD_PATH_BPF_H

#include "common.bpf.h"

#define PG_PATH_DEPTH 64
#define PG_NAME_MASK 0xff /* NAME_MAX is 255 */

/*
 * Resolve @path relative to @root into @buf (2 * PG_PATH_MAX bytes).
 * Returns the start of the string in @buf; it ends at PG_PATH_MAX.
 * Sets *trunc when the path was deeper or longer than we follow.
 */
struct pg_path_buf {
	char buf[2 * PG_PATH_MAX];
	__u32 pos;
	__u32 pad;
};

static __noinline __u32 pg_path_resolve(const struct path *path, const struct path *root,
					struct pg_path_buf *pb, __u32 *trunc)
{
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
	struct dentry *root_dentry = BPF_CORE_READ(root, dentry);
	struct vfsmount *root_mnt = BPF_CORE_READ(root, mnt);
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	char *buf = pb->buf;
	__u32 pos;
	int i;

	*trunc = 1;
	pb->pos = PG_PATH_MAX;
	for (i = 0; i < PG_PATH_DEPTH; i++) {
		struct dentry *mnt_root, *parent;
		struct qstr name;
		__u32 len;

		if (dentry == root_dentry && vfsmnt == root_mnt) {
			*trunc = 0;
			break;
		}
		mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		parent = BPF_CORE_READ(dentry, d_parent);
		if (dentry == mnt_root || dentry == parent) {
			struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);

			/* the namespace's root, or a detached/internal mount */
			if (dentry != mnt_root || mnt == mnt_parent) {
				*trunc = 0;
				break;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			vfsmnt = &mnt->mnt;
			continue;
		}
		name = BPF_CORE_READ(dentry, d_name);
		len = name.len & PG_NAME_MASK;
		pos = pb->pos;
		if (len + 1 > pos)
			break; /* longer than PG_PATH_MAX: keep the tail */
		pos -= len + 1;
		buf[pos & (PG_PATH_MAX - 1)] = '/';
		if (bpf_probe_read_kernel(&buf[(pos + 1) & (PG_PATH_MAX - 1)], len, name.name))
			pg_count_error(PG_ERR_READ_PATH);
		pb->pos = pos;
		dentry = parent;
	}
	pos = pb->pos;
	if (pos >= PG_PATH_MAX) {
		pos = PG_PATH_MAX - 1;
		buf[pos] = '/';
	}
	return pos;
}

#endif /* PENGUARD_PATH_BPF_H */
