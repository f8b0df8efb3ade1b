// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * connstorm.c - the connect-storm workload for `make bench`.
 *
 * L loops, each a process with its own listening TCP socket on ADDR (a
 * loopback literal: 127.0.0.1 or ::1) and an ephemeral port, doing N
 * times: connect (blocking) to it, accept, close both ends. Every
 * iteration is one outbound connection (connect) and one inbound one
 * (accept) for a network monitor to see, and two sockets ending. The result
 * line (storm.c) counts connects= and, as failed, the iterations whose
 * connect or accept failed.
 *
 * On loopback the whole handshake runs inside connect(): the SYN, SYN-ACK
 * and ACK are each processed in softirq on the calling CPU before it
 * returns, so the accept() after it never waits and one process suffices.
 *
 * The client end is closed with SO_LINGER { 1, 0 }: an RST instead of a
 * FIN, so that neither end enters TIME_WAIT. With a plain close the
 * first closer keeps its 4-tuple in TIME_WAIT for 60 s: a storm of a few
 * 100k connections would hold as many TIME_WAIT sockets, past
 * tcp_max_tw_buckets on a small machine (the kernel then drops them with
 * a "time wait bucket table overflow" message), exhaust the ephemeral
 * ports of one listener where tcp_tw_reuse is off, and leave their
 * timers to expire during the next configuration's measurement. Both
 * sockets still go through connect, accept and close in the kernel, where
 * monitors hook them; only the four-packet FIN exchange is replaced by one
 * RST.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "storm.h"

/*
 * storm.c checks its operand with access(2), as the exec and open storms'
 * is a file; this storm's is an address. main() takes it out and gives the
 * driver a path that always passes in its place.
 */
static struct sockaddr_storage target;
static socklen_t target_len;

/* A loopback literal into target; -EINVAL for anything else: the storm never leaves the machine. */
static int target_parse(const char *s)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&target;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&target;

	memset(&target, 0, sizeof(target));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127)
			return -EINVAL;
		s4->sin_family = AF_INET;
		target_len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		target_len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

/* The loop's listener on the target address and an ephemeral port, its address in @ret_a. */
static int listener_new(struct sockaddr_storage *ret_a, socklen_t *ret_len)
{
	int fd;

	fd = socket(target.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	*ret_a = target;
	*ret_len = target_len;
	if (bind(fd, (struct sockaddr *)ret_a, *ret_len) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)ret_a, ret_len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* One loop process. Returns the number of failed iterations. Never paced. */
static unsigned long run_loop(const char *unused, unsigned long n, unsigned long rate)
{
	static const struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_storage a;
	unsigned long i, failed = 0;
	socklen_t alen;
	int lfd;

	(void)unused;
	(void)rate;
	lfd = listener_new(&a, &alen);
	if (lfd < 0) {
		fprintf(stderr, "connstorm: listen: %s\n", strerror(-lfd));
		return n;
	}
	for (i = 0; i < n; i++) {
		int c, s;

		c = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0) {
			failed++;
			continue;
		}
		if (connect(c, (struct sockaddr *)&a, alen) < 0) {
			close(c);
			failed++;
			continue;
		}
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			failed++;
		/* the RST of this close ends the accepted socket's connection too: no TIME_WAIT */
		setsockopt(c, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close));
		close(c);
		if (s >= 0)
			close(s);
	}
	close(lfd);
	return failed;
}

static const struct storm connstorm = {
	.name = "connstorm",
	.unit = "connects",
	.what = "connect",
	.usage = "[-l LOOPS] [-n CONNECTS_PER_LOOP] [-s SETTLE_MS] ADDR\n"
		 "  runs LOOPS parallel loops, each with its own listener on ADDR (127.0.0.1 or\n"
		 "  ::1) and an ephemeral port, of CONNECTS_PER_LOOP connect+accept+close\n",
	.max_per_loop = 100000000UL,
	.target_access = -1, /* an address, not a file */
	.paced = false,
	.run_loop = run_loop,
};

int main(int argc, char **argv)
{
	/* the operand is the last argument (storm.c wants exactly one, last) */
	if (argc > 1 && argv[argc - 1][0] != '-' && target_parse(argv[argc - 1]) < 0) {
		fprintf(stderr, "connstorm: %s: not a loopback address literal (127.0.0.1, ::1)\n",
			argv[argc - 1]);
		return 2;
	}
	return storm_main(&connstorm, argc, argv);
}
