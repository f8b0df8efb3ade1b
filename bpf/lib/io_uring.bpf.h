/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * io_uring requests do their work without the system call that the
 * syscall tracepoints watch: an openat or an accept submitted to a ring is
 * invisible to sys_exit_openat and sys_exit_accept4. Their completion is
 * not: the io_uring_complete tracepoint has the request, and for an open
 * or an accept the request's result is
 * the new fd, installed in the files of the task that runs the completion
 * (the submitter, or one of its io_uring threads, which share its files).
 * So the sensors take the file from the fd table, as at a syscall's exit.
 *
 * Not seen that way: requests that install into the ring's fixed file
 * table (file_slot set: no fd), and the later completions of a multishot
 * request, which the kernel posts without their request (the network
 * sensor notes its accepts at submission to know them: see there). The path
 * operations (unlinkat, renameat, mkdirat, symlinkat, linkat) leave no fd
 * and their names are freed by the time they complete: they are taken at
 * submission (io_uring_submit_req, whose one argument is the request from
 * 6.0 on), once prepared, before they run. Both are BTF tracepoints: a
 * classic tracepoint would format its whole record for every request of
 * every ring on the host, an op name string included, before our test of
 * the opcode.
 */
#ifndef PENGUARD_LIB_IO_URING_BPF_H
#define PENGUARD_LIB_IO_URING_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* uapi opcodes: stable */
#define PG_IORING_OP_ACCEPT 13
#define PG_IORING_OP_OPENAT 18
#define PG_IORING_OP_OPENAT2 28
#define PG_IORING_OP_RENAMEAT 35
#define PG_IORING_OP_UNLINKAT 36
#define PG_IORING_OP_MKDIRAT 37
#define PG_IORING_OP_SYMLINKAT 38
#define PG_IORING_OP_LINKAT 39

struct io_kiocb___pg {
	__u8 opcode;
	/* io_req_flags_t, 64 bits from 6.9: the low word holds the sqe's flags (little-endian) */
	__u32 flags;
	struct io_cqe cqe;
	struct io_ring_ctx *ctx;
} __attribute__((preserve_access_index));

#define PG_REQ_F_FIXED_FILE 1 /* IOSQE_FIXED_FILE_BIT: the fd is a fixed table index */

/*
 * A request's own data comes first in struct io_kiocb (io_kiocb_to_cmd()
 * is a cast); file_slot is set when the request installs into a fixed
 * file slot instead of an fd.
 */
struct io_open___pg {
	__u32 file_slot;
	struct open_how how;
} __attribute__((preserve_access_index));

struct io_accept___pg {
	__u32 file_slot;
} __attribute__((preserve_access_index));

/*
 * The path operations: their names are copied into the kernel (struct
 * filename) when the request is prepared, and freed by the operation.
 */
struct io_unlink___pg {
	int dfd;
	struct filename *filename;
} __attribute__((preserve_access_index));

struct io_mkdir___pg {
	int dfd;
	umode_t mode;
	struct filename *filename;
} __attribute__((preserve_access_index));

/* renameat; linkat; symlinkat, whose oldpath is the target as written */
struct io_rename___pg {
	int old_dfd;
	int new_dfd;
	struct filename *oldpath;
	struct filename *newpath;
} __attribute__((preserve_access_index));

struct io_link___pg {
	int old_dfd;
	int new_dfd;
	struct filename *oldpath;
	struct filename *newpath;
} __attribute__((preserve_access_index));

/*
 * tp_btf/io_uring_complete's request (its second argument from 5.18 on)
 * if it is an @op1 or @op2 that succeeded, else NULL; *@res gets its
 * result. The result is taken from the request itself (req->cqe, where
 * every kernel from 5.19 on keeps it), not from the tracepoint's later
 * arguments, which changed shape since (now a struct io_uring_cqe).
 * Helper reads: the request is typed on some kernels, a void pointer on
 * others.
 */
static __always_inline void *pg_io_uring_done(void *req, int op1, int op2, int *res)
{
	struct io_kiocb___pg *r = req;
	__u8 opcode;

	if (!bpf_core_type_exists(struct io_cqe) || !r)
		return NULL;
	opcode = BPF_CORE_READ(r, opcode);
	if (opcode != op1 && opcode != op2)
		return NULL;
	*res = BPF_CORE_READ(r, cqe.res);
	return *res < 0 ? NULL : req;
}

#endif
