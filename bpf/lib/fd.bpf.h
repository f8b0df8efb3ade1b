/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A task's open files by number: the file sensor's tracepoints take the
 * file an open returned or a call used, the network sensor the socket
 * accept() returned, the process sensor stdin and stdout of a new image.
 *
 * fd[] is indexed at run time, and the verifier accepts no variable offset
 * into a typed pointer, so a file from fdt->fd[fd] comes out of a helper
 * read untyped, and every read after it is a helper call too (about 70 ns
 * each on the reference host: a 4-level path cost 1.2 us that way). While
 * a table has never held more than NR_OPEN_DEFAULT (64) fds, it is the
 * array embedded in files_struct, fd_array[], which a switch with one
 * constant index per case reads typed. Which table is in use is told by
 * fdt->fd pointing at fd_array: a table that grows is replaced, and
 * fd_array left behind. (Fewer processes qualify than one would think: a
 * child inherits its parent's table size, and an interactive or script
 * bash holds fd 255.)
 */
#ifndef PENGUARD_LIB_FD_BPF_H
#define PENGUARD_LIB_FD_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define PG_S_IFMT 00170000
#define PG_S_IFSOCK 0140000

#define PG_FD_CASE(k)                                                                              \
	case k:                                                                                    \
		f = files->fd_array[k];                                                            \
		break;
#define PG_FD_CASE8(k)                                                                             \
	PG_FD_CASE(k)                                                                              \
	PG_FD_CASE(k + 1)                                                                          \
	PG_FD_CASE(k + 2)                                                                          \
	PG_FD_CASE(k + 3)                                                                          \
	PG_FD_CASE(k + 4)                                                                          \
	PG_FD_CASE(k + 5)                                                                          \
	PG_FD_CASE(k + 6)                                                                          \
	PG_FD_CASE(k + 7)
#define PG_FD_FAST 64

/* @fd's file in fd_array, typed; a constant @fd compiles to one load. */
static __always_inline struct file *pg_fd_array(struct files_struct *files, int fd)
{
	struct file *f = NULL;

	switch (fd) {
		PG_FD_CASE8(0)
		PG_FD_CASE8(8)
		PG_FD_CASE8(16)
		PG_FD_CASE8(24)
		PG_FD_CASE8(32)
		PG_FD_CASE8(40)
		PG_FD_CASE8(48)
		PG_FD_CASE8(56)
	}
	return f;
}

/* Whether @files' table is the embedded fd_array, which pg_fd_array() reads typed. */
static __always_inline int pg_fd_fast(struct files_struct *files, struct fdtable *fdt, long fd)
{
	return fd >= 0 && fd < PG_FD_FAST &&
	       bpf_core_field_size(struct files_struct, fd_array) >= PG_FD_FAST * sizeof(void *) &&
	       (__u64)fdt->fd ==
		       (__u64)files + bpf_core_field_offset(struct files_struct, fd_array);
}

/* @fd's file in any table @fdt (typed), untyped: one helper read. */
static __always_inline struct file *pg_fd_file_core(struct fdtable *fdt, long fd)
{
	struct file **fds;
	__u64 f = 0;

	if (!fdt || fd < 0 || fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return (struct file *)f;
}

/*
 * The same from an untyped @task (5.10's syscall tracepoints have no typed
 * current task): every step a helper read.
 */
static __always_inline struct file *pg_fd_file_untyped(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	__u64 f = 0;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return (struct file *)f;
}

/*
 * The generic cast kfunc of 6.2 (commit a35b9af4ec2c "bpf: Add a kfunc for
 * generic type cast"): an untyped pointer becomes a read-only typed one,
 * read with plain loads like any BTF pointer. Weak: on 6.1 it does not
 * exist, libbpf leaves the call unresolved, and the verifier removes it
 * as dead code, which it must be there: pg_have_rdonly_cast() is a CO-RE
 * constant, true from 6.2 on, where the cgroup storage helpers arrived
 * in the same release (commit c4bcfb38a95e "bpf: Implement cgroup
 * storage available to non-cgroup-attached bpf progs").
 */
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym __weak;

static __always_inline int pg_have_rdonly_cast(void)
{
	return bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_cgrp_storage_get);
}

/*
 * The file behind the current task's @fd, typed: only where
 * pg_have_rdonly_cast() (the caller's branch must test it). NULL if none.
 */
static __always_inline struct file *pg_fd_file_typed(long fd)
{
	struct files_struct *files = bpf_get_current_task_btf()->files;
	struct file *f;

	if (!files)
		return NULL;
	f = pg_fd_file_core(files->fdt, fd);
	return f ? bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file)) : NULL;
}

/* Whether untyped @file is a socket. */
static __always_inline int pg_file_is_socket_core(struct file *file)
{
	return file && (BPF_CORE_READ(file, f_inode, i_mode) & PG_S_IFMT) == PG_S_IFSOCK;
}

#endif /* PENGUARD_LIB_FD_BPF_H */
