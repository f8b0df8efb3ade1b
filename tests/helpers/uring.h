/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One io_uring request at a time, with raw system calls: the test helpers
 * are static and depend on nothing beyond libc (no liburing). Requests
 * through a ring enter no system call of their own (no openat, no
 * accept4): the tests use it to check that such work is seen anyway.
 */
#ifndef PG_TEST_URING_H
#define PG_TEST_URING_H

#include <errno.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct pg_uring {
	int fd;
	struct io_uring_params p;
	char *sq, *cq;
	struct io_uring_sqe *sqes;
};

#define PG_URING_U32(base, off) ((unsigned *)((base) + (off)))

/* A ring of one entry; 0 or -errno (-ENOSYS, -EPERM: no io_uring here). */
static int pg_uring_init(struct pg_uring *u)
{
	size_t sq_sz, cq_sz;

	memset(u, 0, sizeof(*u));
	u->fd = (int)syscall(__NR_io_uring_setup, 1, &u->p);
	if (u->fd < 0)
		return -errno;
	sq_sz = u->p.sq_off.array + u->p.sq_entries * sizeof(unsigned);
	cq_sz = u->p.cq_off.cqes + u->p.cq_entries * sizeof(struct io_uring_cqe);
	if ((u->p.features & IORING_FEAT_SINGLE_MMAP) && cq_sz > sq_sz)
		sq_sz = cq_sz;
	u->sq = mmap(NULL, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
		     IORING_OFF_SQ_RING);
	if (u->sq == MAP_FAILED)
		return -errno;
	u->cq = u->sq;
	if (!(u->p.features & IORING_FEAT_SINGLE_MMAP)) {
		u->cq = mmap(NULL, cq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
			     IORING_OFF_CQ_RING);
		if (u->cq == MAP_FAILED)
			return -errno;
	}
	u->sqes = mmap(NULL, u->p.sq_entries * sizeof(*u->sqes), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	return u->sqes == MAP_FAILED ? -errno : 0;
}

/* A zeroed request to fill in, for pg_uring_run(). */
static struct io_uring_sqe *pg_uring_sqe(struct pg_uring *u)
{
	memset(u->sqes, 0, sizeof(*u->sqes));
	return u->sqes;
}

/* Submit the request; with @wait, wait for a completion too. 0 or -errno. */
static int pg_uring_submit(struct pg_uring *u, int wait)
{
	unsigned tail = *PG_URING_U32(u->sq, u->p.sq_off.tail);

	PG_URING_U32(u->sq, u->p.sq_off.array)
	[tail & *PG_URING_U32(u->sq, u->p.sq_off.ring_mask)] = 0;
	__atomic_store_n(PG_URING_U32(u->sq, u->p.sq_off.tail), tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, u->fd, 1, wait ? 1 : 0, wait ? IORING_ENTER_GETEVENTS : 0,
		    NULL, 0) < 0)
		return -errno;
	return 0;
}

/*
 * The oldest completion, its result in *@res and flags in *@flags
 * (IORING_CQE_F_MORE: a multishot request goes on); -EAGAIN if none yet.
 */
static int pg_uring_reap(struct pg_uring *u, int *res, unsigned *flags)
{
	unsigned head = __atomic_load_n(PG_URING_U32(u->cq, u->p.cq_off.head), __ATOMIC_ACQUIRE);
	struct io_uring_cqe *cqe;

	if (head == __atomic_load_n(PG_URING_U32(u->cq, u->p.cq_off.tail), __ATOMIC_ACQUIRE))
		return -EAGAIN;
	cqe = (struct io_uring_cqe *)(u->cq + u->p.cq_off.cqes) +
	      (head & *PG_URING_U32(u->cq, u->p.cq_off.ring_mask));
	*res = cqe->res;
	*flags = cqe->flags;
	__atomic_store_n(PG_URING_U32(u->cq, u->p.cq_off.head), head + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Submit the request and wait for its completion: its result (-errno on failure). */
static int pg_uring_run(struct pg_uring *u)
{
	unsigned flags;
	int r = pg_uring_submit(u, 1), res;

	if (r)
		return r;
	/* the enter waited for one: never -EAGAIN */
	r = pg_uring_reap(u, &res, &flags);
	return r ? r : res;
}

#endif
