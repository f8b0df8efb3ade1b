// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pg-net: the network workloads of the end-to-end tests, one static binary
 * with no dependency beyond libc, so that the same tool runs on the host and
 * in the test VMs (whose userland is only busybox, without nc or dig).
 *
 * ADDR is an IPv4 or IPv6 literal ("127.0.0.1", "::1", "[::1]"); the
 * family is the literal's. Names are never resolved: a test must say
 * exactly where its traffic goes.
 *
 *   serve ADDR PORT [--count N] [--reply BYTES] [--ready FILE] [--timeout-ms T]
 *         [--accept syscall|io_uring|io_uring-multishot]
 *       TCP: listen, then accept N connections (default 1) one after the
 *       other; read each to EOF, write BYTES (default 0), close. Prints
 *       "port=P" first if PORT is 0, then per connection
 *       "accepted peer=ADDR:PORT received=N sent=M" (IPv6: "[ADDR]:PORT";
 *       " error=ENAME" appended if the connection failed). --accept
 *       io_uring: each accept is an io_uring request (no accept call);
 *       io_uring-multishot: one multishot request (5.19+) accepts them all.
 *   connect ADDR PORT [--send N] [--bind-port P] [--timeout-ms T]
 *       TCP: connect, print "connected local_port=P", send N bytes (default
 *       0), shutdown(SHUT_WR), read to EOF, print "sent=N received=M".
 *   udp ADDR PORT [--send N] [--count K] [--bind-port P] [--timeout-ms T]
 *       K datagrams (default 1) of N bytes (default 16) by sendto() on an
 *       unconnected socket; prints "sent=TOTAL datagrams=K local_port=P".
 *   udp-connect ADDR PORT [same options as udp]
 *       the same through connect() and send(); prints
 *       "connected local_port=P" after connect() first.
 *   dns-server ADDR PORT NAME IPV4 [--count N] [--ready FILE] [--timeout-ms T]
 *              [--transport udp|tcp] [--ext-header dstopts|hopopts]
 *       DNS over UDP (default) or TCP (each message after its 2-byte
 *       length; the queries already waiting answered in one write):
 *       answer N queries (default 1): NAME (case-insensitive) of
 *       type A gets one A record IPV4, TTL 60; NAME of another type gets
 *       NOERROR without records (NODATA: the name exists); any other name,
 *       NXDOMAIN. Prints "port=P" first if PORT is 0, then per query
 *       "query name=NAME type=TYPE rcode=R peer=ADDR:PORT".
 *   dns-query SERVER PORT NAME [--timeout-ms T] [--transport udp|tcp|tcp-pipelined]
 *             [--ext-header dstopts|hopopts]
 *       one A query by UDP (default) or TCP, T ms in all for the answer (default 2000);
 *       tcp-pipelined: an AAAA query for NAME in the same write, as glibc sends them;
 *       prints "answer=IPV4" per A record and exits 0, or "rcode=R" when
 *       there is none (NXDOMAIN: rcode=3; NODATA: rcode=0) and exits 1.
 *   exec-after-connect ADDR PORT [--bind-port P] [--timeout-ms T] -- PROG [ARG...]
 *       TCP connect, print "connected local_port=P", put the socket on
 *       fds 0, 1, 2 and exec PROG (PATH searched): a reverse shell's shape.
 *
 * --ready FILE is written once the socket is bound (serve: listening), by
 * rename so a test that sees it sees it whole: empty, or "port=P\n" when
 * PORT was 0. --timeout-ms T: T ms without progress (connect, accept,
 * read, write) fails with ETIMEDOUT; 0 waits forever. Defaults: 10000 for
 * connect, udp, udp-connect and exec-after-connect; 2000 for dns-query;
 * 0 for serve and dns-server, which tests stop themselves.
 *
 * A network operation that fails prints "error=ENAME" (ECONNREFUSED,
 * ETIMEDOUT, ...) on stdout, a message on stderr, and exits 1. Bad usage
 * exits 2; exec-after-connect exits 127 if PROG cannot be executed. stdout
 * is line-buffered, so a test can follow it while the tool runs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uring.h"

#define PG_NET_MAX_BYTES (1ULL << 40) /* --send, --reply: a test's runaway number stays finite */
#define PG_NET_MAX_COUNT 1000000UL
/* a UDP payload over IPv4; IPv6 without jumbograms allows as much */
#define PG_NET_MAX_DGRAM 65507ULL
#define PG_NET_MAX_TIMEOUT 3600000UL
#define DNS_HDR 12
#define DNS_NAME_MAX 255
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1
#define DNS_TTL 60

enum { OK = 0, FAILED = 1, USAGE = 2, NOEXEC = 127 };

/* The options; each subcommand says which it takes (OPT_* bits). */
enum {
	OPT_COUNT = 1 << 0,
	OPT_REPLY = 1 << 1,
	OPT_READY = 1 << 2,
	OPT_SEND = 1 << 3,
	OPT_BIND_PORT = 1 << 4,
	OPT_TIMEOUT = 1 << 5,
	OPT_TRANSPORT = 1 << 6,
	OPT_ACCEPT = 1 << 7,
	OPT_EXT_HEADER = 1 << 8,
};

struct opts {
	unsigned long count;
	unsigned long long reply;
	unsigned long long send;
	const char *ready;
	unsigned int bind_port; /* 0: none */
	int timeout_ms;		/* -1: forever */
	int tcp;		/* --transport tcp or tcp-pipelined */
	int pipelined;		/* --transport tcp-pipelined */
	int uring;		/* --accept io_uring: 1; io_uring-multishot: 2 */
	int ext_header;		/* --ext-header: IPV6_DSTOPTS or IPV6_HOPOPTS; 0: none */
	char **pos;		/* the operands */
	int npos;
	char **cmd; /* exec-after-connect: PROG ARG..., NULL-terminated (argv's own) */
};

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
	unsigned int port;
};

static const char usage_text[] =
	"usage: pg-net COMMAND ARGS...  (addresses are IPv4 or IPv6 literals)\n"
	"  serve ADDR PORT [--count N] [--reply BYTES] [--ready FILE] [--timeout-ms T]\n"
	"        [--accept syscall|io_uring|io_uring-multishot]\n"
	"  connect ADDR PORT [--send N] [--bind-port P] [--timeout-ms T]\n"
	"  udp ADDR PORT [--send N] [--count K] [--bind-port P] [--timeout-ms T]\n"
	"  udp-connect ADDR PORT [--send N] [--count K] [--bind-port P] [--timeout-ms T]\n"
	"  dns-server ADDR PORT NAME IPV4 [--count N] [--ready FILE] [--timeout-ms T]\n"
	"        [--transport udp|tcp] [--ext-header dstopts|hopopts]\n"
	"  dns-query SERVER PORT NAME [--timeout-ms T] [--transport udp|tcp|tcp-pipelined]\n"
	"        [--ext-header dstopts|hopopts]\n"
	"  exec-after-connect ADDR PORT [--bind-port P] [--timeout-ms T] -- PROG [ARG...]\n";

static const char *prog_cmd = "pg-net";

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pg-net: %s: ", prog_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *errname(int err)
{
	static char buf[24];
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* A failed network operation: the error's name on stdout, for the test, and why on stderr. */
static int fail(int err, const char *what, const char *where)
{
	printf("error=%s\n", errname(err));
	msg("%s %s: %s", what, where, strerror(err));
	return FAILED;
}

static int parse_num(const char *s, unsigned long long min, unsigned long long max,
		     unsigned long long *ret_v)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*ret_v = v;
	return 0;
}

/* "127.0.0.1", "::1" or "[::1]" and a port; the family is the literal's. */
static int addr_parse(const char *host, unsigned int port, struct addr *ret)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);

	memset(ret, 0, sizeof(*ret));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ret->ss;

		if (host[0] == '[' && n > 2 && host[n - 1] == ']' && n - 2 < sizeof(buf)) {
			memcpy(buf, host + 1, n - 2);
			buf[n - 2] = 0;
			host = buf;
		}
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		ret->len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ret->ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		ret->len = sizeof(*s4);
	}
	ret->family = ret->ss.ss_family;
	ret->port = port;
	return 0;
}

/* "1.2.3.4:80" or "[::1]:80": a port after an IPv6 address needs the brackets. */
static const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

static unsigned int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/*
 * Every socket is non-blocking and every wait a poll(), so that one timeout
 * bounds each step, whatever the kernel's own (a SYN to a black hole is
 * retried for two minutes). 0 when ready, -ETIMEDOUT, or -errno.
 */
static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	return 0;
}

static int socket_new(int family, int type)
{
	return socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/*
 * After a non-blocking call failed with errno: 0 to try it again (EINTR,
 * or EAGAIN and @fd became ready for @events in time), else -errno.
 */
static int again(int fd, short events, int timeout_ms)
{
	if (errno == EINTR)
		return 0;
	if (errno != EAGAIN)
		return -errno;
	return wait_fd(fd, events, timeout_ms);
}

/* Bind @fd to the wildcard address of @family, port @port. */
static int bind_port(int fd, int family, unsigned int port)
{
	struct addr a;
	int one = 1;

	addr_parse(family == AF_INET6 ? "::" : "0.0.0.0", port, &a);
	/* a test that reuses its port must not wait for the last run's TIME_WAIT */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0)
		return -errno;
	return 0;
}

/* connect() bounded by @timeout_ms; 0 or -errno. */
static int connect_wait(int fd, const struct addr *a, int timeout_ms)
{
	socklen_t len = sizeof(int);
	int err = 0, r;

	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR)
		return -errno;
	r = wait_fd(fd, POLLOUT, timeout_ms);
	if (r)
		return r;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

/* Read to EOF, counting; 0 or -errno. */
static int read_all(int fd, int timeout_ms, unsigned long long *ret_n)
{
	char buf[65536];
	ssize_t n;
	int r;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n > 0) {
			*ret_n += (unsigned long long)n;
			continue;
		}
		r = again(fd, POLLIN, timeout_ms);
		if (r)
			return r;
	}
}

/*
 * The ready file, whole or not at all: written aside, then renamed, so a
 * test polling for it never reads it half-written.
 */
static int write_ready(const char *path, unsigned int port, int with_port)
{
	char tmp[4096], line[32];
	int fd, len = 0, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (with_port)
		len = snprintf(line, sizeof(line), "port=%u\n", port);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (len && write(fd, line, len) != len)
		err = errno ? -errno : -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* "port=P" for an ephemeral port, then the ready file; FAILED or OK. */
static int announce(int fd, unsigned int asked, const char *ready)
{
	unsigned int port = local_port(fd);
	int r;

	if (!asked)
		printf("port=%u\n", port);
	if (ready) {
		fflush(stdout);
		r = write_ready(ready, port, !asked);
		if (r) {
			msg("ready file %s: %s", ready, strerror(-r));
			return FAILED;
		}
	}
	return OK;
}

/* The operands after the command name: ADDR and PORT first. */
static int operand_addr(const struct opts *o, unsigned int min_port, struct addr *ret)
{
	unsigned long long port;

	if (parse_num(o->pos[1], min_port, 65535, &port)) {
		msg("bad port '%s' (%u..65535)", o->pos[1], min_port);
		return USAGE;
	}
	if (addr_parse(o->pos[0], (unsigned int)port, ret)) {
		msg("bad address '%s': an IPv4 or IPv6 literal is needed", o->pos[0]);
		return USAGE;
	}
	return OK;
}

/* ---- TCP ---------------------------------------------------------------- */

/* The next connection on the listening @fd, non-blocking; the fd or -errno. */
static int accept_wait(int fd, struct sockaddr_storage *ss, socklen_t *len, int timeout_ms)
{
	int c, r;

	for (;;) {
		c = accept4(fd, (struct sockaddr *)ss, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0)
			return c;
		/* a connection reset while queued is the client's affair: next */
		r = errno == ECONNABORTED ? 0 : again(fd, POLLIN, timeout_ms);
		if (r)
			return r;
	}
}

/* accept_wait() through io_uring ring @u: an IORING_OP_ACCEPT request */
static int accept_uring(struct pg_uring *u, int fd, struct sockaddr_storage *ss, socklen_t *len,
			int timeout_ms)
{
	struct io_uring_sqe *sqe;
	int c, r;

	for (;;) {
		/* ready first: the request then completes at once, and the timeout holds */
		r = wait_fd(fd, POLLIN, timeout_ms);
		if (r)
			return r;
		sqe = pg_uring_sqe(u);
		sqe->opcode = IORING_OP_ACCEPT;
		sqe->fd = fd;
		sqe->addr = (uint64_t)(uintptr_t)ss;
		sqe->addr2 = (uint64_t)(uintptr_t)len;
		sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
		c = pg_uring_run(u);
		if (c >= 0 || (c != -EAGAIN && c != -EINTR && c != -ECONNABORTED))
			return c;
	}
}

/*
 * The next connection from one multishot accept request on @fd (armed
 * again when the kernel ends it): each connection a completion that the
 * kernel posts without its request. -EINVAL: no multishot accept (5.19+).
 */
static int accept_uring_multishot(struct pg_uring *u, int fd, int *armed, int timeout_ms)
{
	struct io_uring_sqe *sqe;
	unsigned flags;
	int c, r;

	for (;;) {
		if (!*armed) {
			sqe = pg_uring_sqe(u);
			sqe->opcode = IORING_OP_ACCEPT;
			sqe->fd = fd;
			sqe->ioprio = IORING_ACCEPT_MULTISHOT;
			sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
			sqe->user_data = 0x5047; /* "PG" */
			r = pg_uring_submit(u, 0);
			if (r)
				return r;
			*armed = 1;
		}
		if (pg_uring_reap(u, &c, &flags)) {
			r = wait_fd(u->fd, POLLIN, timeout_ms);
			if (r)
				return r;
			continue;
		}
		if (!(flags & IORING_CQE_F_MORE))
			*armed = 0;
		if (c >= 0 || (c != -EAGAIN && c != -EINTR && c != -ECONNABORTED))
			return c;
	}
}

/*
 * @n bytes of @buf to (@out) or from the stream @fd, *@done of them so far
 * (moved on as they go); 0 or -errno (-ECONNRESET: the peer closed first).
 */
static int xfer_more(int fd, void *buf, size_t n, int out, int timeout_ms, size_t *done)
{
	ssize_t k;
	int r;

	while (*done < n) {
		k = out ? send(fd, (char *)buf + *done, n - *done, MSG_NOSIGNAL)
			: read(fd, (char *)buf + *done, n - *done);
		if (k > 0) {
			*done += (size_t)k;
			continue;
		}
		if (k == 0)
			return -ECONNRESET;
		r = again(fd, out ? POLLOUT : POLLIN, timeout_ms);
		if (r)
			return r;
	}
	return 0;
}

/* Exactly @n bytes of @buf to (@out) or from @fd; 0 or -errno. */
static int xfer_exact(int fd, void *buf, size_t n, int out, int timeout_ms)
{
	size_t done = 0;

	return xfer_more(fd, buf, n, out, timeout_ms, &done);
}

/* Write @n bytes of a fixed pattern, counting into @ret_sent; 0 or -errno. */
static int write_n(int fd, unsigned long long n, int timeout_ms, unsigned long long *ret_sent)
{
	static char buf[65536];
	int r = 0;

	if (!buf[0])
		memset(buf, 'p', sizeof(buf));
	while (!r && *ret_sent < n) {
		unsigned long long left = n - *ret_sent;
		size_t done = 0;

		/* MSG_NOSIGNAL (xfer_more): a peer gone is EPIPE to report, not SIGPIPE */
		r = xfer_more(fd, buf, left < sizeof(buf) ? left : sizeof(buf), 1, timeout_ms,
			      &done);
		*ret_sent += done;
	}
	return r;
}

static int cmd_serve(struct opts *o)
{
	char where[INET6_ADDRSTRLEN + 16], peer[INET6_ADDRSTRLEN + 16];
	struct pg_uring u;
	unsigned long i;
	struct addr a;
	int fd, one = 1, r, ret = OK, armed = 0;

	r = operand_addr(o, 0, &a);
	if (r)
		return r;
	addr_str(&a.ss, where, sizeof(where));
	fd = socket_new(a.family, SOCK_STREAM);
	if (fd < 0)
		return fail(errno, "socket", where);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return fail(errno, "SO_REUSEADDR", where);
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0)
		return fail(errno, "bind", where);
	if (listen(fd, SOMAXCONN) < 0)
		return fail(errno, "listen", where);
	r = o->uring ? pg_uring_init(&u) : 0;
	if (r)
		return fail(-r, "io_uring_setup", where);
	if (announce(fd, a.port, o->ready))
		return FAILED;

	for (i = 0; i < o->count; i++) {
		unsigned long long received = 0, sent = 0;
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int c;

		if (o->uring == 2) {
			c = accept_uring_multishot(&u, fd, &armed, o->timeout_ms);
			if (c >= 0 && getpeername(c, (struct sockaddr *)&ss, &len) < 0)
				ss.ss_family = AF_UNSPEC;
		} else {
			c = o->uring ? accept_uring(&u, fd, &ss, &len, o->timeout_ms)
				     : accept_wait(fd, &ss, &len, o->timeout_ms);
		}
		if (c < 0)
			return fail(-c, "accept", where);
		addr_str(&ss, peer, sizeof(peer));
		r = read_all(c, o->timeout_ms, &received);
		if (!r)
			r = write_n(c, o->reply, o->timeout_ms, &sent);
		close(c);
		printf("accepted peer=%s received=%llu sent=%llu", peer, received, sent);
		if (r) {
			printf(" error=%s\n", errname(-r));
			msg("connection from %s: %s", peer, strerror(-r));
			ret = FAILED;
		} else {
			printf("\n");
		}
	}
	close(fd);
	return ret;
}

/* A TCP socket connected to the operands, or FAILED/USAGE in *ret_rc. */
static int tcp_connect(const struct opts *o, int *ret_rc)
{
	char where[INET6_ADDRSTRLEN + 16];
	struct addr a;
	int fd, r;

	*ret_rc = operand_addr(o, 1, &a);
	if (*ret_rc)
		return -1;
	addr_str(&a.ss, where, sizeof(where));
	fd = socket_new(a.family, SOCK_STREAM);
	if (fd < 0) {
		*ret_rc = fail(errno, "socket", where);
		return -1;
	}
	if (o->bind_port) {
		r = bind_port(fd, a.family, o->bind_port);
		if (r) {
			*ret_rc = fail(-r, "bind local port for", where);
			close(fd);
			return -1;
		}
	}
	r = connect_wait(fd, &a, o->timeout_ms);
	if (r) {
		*ret_rc = fail(-r, "connect", where);
		close(fd);
		return -1;
	}
	printf("connected local_port=%u\n", local_port(fd));
	return fd;
}

static int cmd_connect(struct opts *o)
{
	unsigned long long sent = 0, received = 0;
	int fd, r, rc;

	fd = tcp_connect(o, &rc);
	if (fd < 0)
		return rc;
	r = write_n(fd, o->send, o->timeout_ms, &sent);
	if (r)
		return fail(-r, "send to", o->pos[0]);
	if (shutdown(fd, SHUT_WR) < 0)
		return fail(errno, "shutdown to", o->pos[0]);
	r = read_all(fd, o->timeout_ms, &received);
	if (r)
		return fail(-r, "read from", o->pos[0]);
	close(fd);
	printf("sent=%llu received=%llu\n", sent, received);
	return OK;
}

static int cmd_exec_after_connect(struct opts *o)
{
	int fd, errfd, flags, rc, i;

	fd = tcp_connect(o, &rc);
	if (fd < 0)
		return rc;
	/* the program gets the ordinary blocking socket a shell expects */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return fail(errno, "fcntl", o->pos[0]);
	/* a socket that landed on 0..2 (closed at start) would keep FD_CLOEXEC through dup2 */
	if (fd < 3) {
		int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);

		if (nfd < 0)
			return fail(errno, "dup", o->pos[0]);
		close(fd);
		fd = nfd;
	}
	fflush(stdout);
	/* where to say that exec failed, once stderr is the socket */
	errfd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	for (i = 0; i < 3; i++) {
		if (dup2(fd, i) < 0) {
			rc = errno;
			if (errfd >= 0)
				dprintf(errfd, "pg-net: exec-after-connect: dup2: %s\n",
					strerror(rc));
			return FAILED;
		}
	}
	close(fd);
	execvp(o->cmd[0], o->cmd);
	rc = errno;
	if (errfd >= 0)
		dprintf(errfd, "pg-net: exec-after-connect: exec %s: %s\n", o->cmd[0],
			strerror(rc));
	return NOEXEC;
}

/* ---- UDP ---------------------------------------------------------------- */

static int udp_send(struct opts *o, int connected)
{
	char where[INET6_ADDRSTRLEN + 16];
	unsigned long long total = 0;
	unsigned long i;
	static char buf[PG_NET_MAX_DGRAM];
	struct addr a;
	int fd, r;

	r = operand_addr(o, 1, &a);
	if (r)
		return r;
	if (o->send > PG_NET_MAX_DGRAM) {
		msg("--send %llu: a datagram holds at most %llu bytes", o->send, PG_NET_MAX_DGRAM);
		return USAGE;
	}
	addr_str(&a.ss, where, sizeof(where));
	memset(buf, 'u', o->send);
	fd = socket_new(a.family, SOCK_DGRAM);
	if (fd < 0)
		return fail(errno, "socket", where);
	if (o->bind_port) {
		r = bind_port(fd, a.family, o->bind_port);
		if (r)
			return fail(-r, "bind local port for", where);
	}
	if (connected) {
		/* UDP connect() sends nothing: it sets the default destination */
		if (connect(fd, (struct sockaddr *)&a.ss, a.len) < 0)
			return fail(errno, "connect", where);
		printf("connected local_port=%u\n", local_port(fd));
	}
	for (i = 0; i < o->count; i++) {
		ssize_t w;

		if (connected)
			w = send(fd, buf, o->send, 0);
		else
			w = sendto(fd, buf, o->send, 0, (struct sockaddr *)&a.ss, a.len);
		if (w >= 0) {
			total += (unsigned long long)w;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return fail(errno, connected ? "send to" : "sendto", where);
		r = wait_fd(fd, POLLOUT, o->timeout_ms);
		if (r)
			return fail(-r, connected ? "send to" : "sendto", where);
		i--; /* the same datagram again */
	}
	printf("sent=%llu datagrams=%lu local_port=%u\n", total, o->count, local_port(fd));
	close(fd);
	return OK;
}

static int cmd_udp(struct opts *o)
{
	return udp_send(o, 0);
}

static int cmd_udp_connect(struct opts *o)
{
	return udp_send(o, 1);
}

/* ---- DNS ---------------------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* "www.Example.org" (a final dot allowed, "." the root) in wire format; its length, or -EINVAL. */
static int dns_encode_name(const char *name, uint8_t *out, size_t cap)
{
	size_t n = 0, l;
	const char *p = name, *dot;

	if (!strcmp(name, "."))
		p = "";
	while (*p) {
		dot = strchr(p, '.');
		l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || n + 1 + l + 1 > cap || n + 1 + l + 1 > DNS_NAME_MAX)
			return -EINVAL;
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (n + 1 > cap)
		return -EINVAL;
	out[n++] = 0;
	return (int)n;
}

/*
 * Skip the name at @off of a message (compression pointers followed for
 * their validity only, a bounded number of times); the offset after it, or
 * -EBADMSG. If @plain, a pointer is an error: the question of a query has none.
 */
static int dns_skip_name(const uint8_t *m, size_t len, size_t off, int plain)
{
	size_t end = 0, wire = 0;
	int hops = 0;

	for (;;) {
		uint8_t l;

		if (off >= len)
			return -EBADMSG;
		l = m[off];
		if ((l & 0xc0) == 0xc0) {
			if (plain || off + 1 >= len || ++hops > 16)
				return -EBADMSG;
			if (!end)
				end = off + 2;
			off = (size_t)(l & 0x3f) << 8 | m[off + 1];
			continue;
		}
		if (l & 0xc0)
			return -EBADMSG; /* the reserved label types */
		wire += 1 + l;
		if (wire > DNS_NAME_MAX)
			return -EBADMSG;
		if (l == 0)
			return (int)(end ? end : off + 1);
		off += 1 + l;
	}
}

/* A wire name for printing: dig's escapes (\. \\ \DDD), "." for the root. */
static void dns_name_str(const uint8_t *w, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = 0;
	if (!w[0]) {
		snprintf(buf, cap, ".");
		return;
	}
	while (*w && n + 6 < cap) {
		uint8_t l = *w++, i;

		if (n)
			buf[n++] = '.';
		for (i = 0; i < l && n + 5 < cap; i++, w++) {
			uint8_t c = *w;

			if (c == '.' || c == '\\')
				n += snprintf(buf + n, cap - n, "\\%c", c);
			else if (c > 0x20 && c < 0x7f)
				buf[n++] = (char)c;
			else
				n += snprintf(buf + n, cap - n, "\\%03u", c);
		}
		w += l - i; /* a name cut short for the buffer */
	}
	buf[n] = 0;
}

/* Two wire names equal but for ASCII case (both already checked). */
static int dns_name_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return 1;
}

static const char *dns_type_str(uint16_t t, char *buf, size_t cap)
{
	static const struct {
		uint16_t type;
		const char *name;
	} types[] = {
		{ 1, "A" },   { 2, "NS" },   { 5, "CNAME" }, { 6, "SOA" },  { 12, "PTR" },
		{ 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" }, { 255, "ANY" },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == t)
			return types[i].name;
	snprintf(buf, cap, "%u", t);
	return buf;
}

/* Answer one query in @m (@len bytes) into @out; the answer's length, its rcode in *ret_rcode. */
static size_t dns_answer(const uint8_t *m, size_t len, const uint8_t *name, size_t name_len,
			 const struct in_addr *ip, uint8_t *out, char *qname, size_t qcap,
			 char *qtype, size_t tcap, int *ret_rcode)
{
	uint16_t flags = get16(m + 2), opcode = (flags >> 11) & 0xf, type = 0;
	int end, rcode = 0, answer = 0;
	char tbuf[8];
	size_t n = DNS_HDR;

	snprintf(qname, qcap, "-");
	snprintf(qtype, tcap, "-");
	memcpy(out, m, 2); /* the id */
	memset(out + 2, 0, DNS_HDR - 2);
	if (opcode != 0) {
		rcode = 4; /* NOTIMP */
		goto done;
	}
	end = get16(m + 4) == 1 ? dns_skip_name(m, len, DNS_HDR, 1) : -EBADMSG;
	if (end < 0 || (size_t)end + 4 > len) {
		rcode = 1; /* FORMERR */
		goto done;
	}
	type = get16(m + end);
	dns_name_str(m + DNS_HDR, qname, qcap);
	snprintf(qtype, tcap, "%s", dns_type_str(type, tbuf, sizeof(tbuf)));
	/* the question, as asked (its case too, as servers do) */
	memcpy(out + DNS_HDR, m + DNS_HDR, (size_t)end + 4 - DNS_HDR);
	n = (size_t)end + 4;
	put16(out + 4, 1);
	if ((size_t)end - DNS_HDR != name_len || !dns_name_eq(m + DNS_HDR, name, name_len))
		rcode = 3; /* NXDOMAIN */
	else if (type == DNS_TYPE_A && get16(m + end + 2) == DNS_CLASS_IN)
		answer = 1;
	/* else NODATA: the name exists without records of that type */
	if (answer) {
		uint8_t *rr = out + n;

		put16(rr, 0xc000 | DNS_HDR); /* the name: a pointer to the question's */
		put16(rr + 2, DNS_TYPE_A);
		put16(rr + 4, DNS_CLASS_IN);
		put16(rr + 6, 0);
		put16(rr + 8, DNS_TTL);
		put16(rr + 10, 4);
		memcpy(rr + 12, ip, 4);
		n += 16;
		put16(out + 6, 1);
	}
done:
	/* QR, the opcode, AA, RD as asked, the rcode */
	put16(out + 2, (uint16_t)(0x8000 | opcode << 11 | 0x0400 | (flags & 0x0100) | rcode));
	*ret_rcode = rcode;
	return n;
}

/* What a DNS server answers: its one name and address. */
struct dns_zone {
	uint8_t name[DNS_NAME_MAX + 1];
	size_t name_len;
	struct in_addr ip;
};

/*
 * The answer to the message @q (@n bytes) from @peer into @out, printed as
 * a "query" line; its length, or 0 for what is not a query (answering a
 * response could start a loop).
 */
static size_t dns_serve(const struct dns_zone *z, const uint8_t *q, size_t n, const char *peer,
			uint8_t *out)
{
	char qname[4 * DNS_NAME_MAX + 2], qtype[8];
	size_t an;
	int rcode;

	if (n < DNS_HDR || (q[2] & 0x80)) {
		msg("ignored %zu bytes from %s: not a DNS query", n, peer);
		return 0;
	}
	an = dns_answer(q, n, z->name, z->name_len, &z->ip, out, qname, sizeof(qname), qtype,
			sizeof(qtype), &rcode);
	printf("query name=%s type=%s rcode=%d peer=%s\n", qname, qtype, rcode, peer);
	return an;
}

/* One query of @c into @q (its 2-byte length first); its length, or -errno. */
static long dns_read_query(int c, uint8_t *q, size_t cap, int timeout_ms)
{
	size_t ql;
	int r;

	r = xfer_exact(c, q, 2, 0, timeout_ms);
	if (r)
		return r;
	ql = get16(q);
	if (ql > cap - 2)
		return -EMSGSIZE;
	r = xfer_exact(c, q + 2, ql, 0, timeout_ms);
	return r ? r : (long)ql;
}

/*
 * DNS over TCP, each message after its length: the queries of a
 * connection until the client closes it. Those already waiting when one
 * is read (a pipelining client's) are answered in the same write, as a
 * server that answers a batch at once would: two answers in one segment.
 */
#define DNS_TCP_BATCH 4
static int dns_server_tcp(struct opts *o, int fd, const struct dns_zone *z, const char *where)
{
	uint8_t q[2 + 512], out[DNS_TCP_BATCH * (2 + DNS_HDR + DNS_NAME_MAX + 4 + 16)], len[2];
	char peer[INET6_ADDRSTRLEN + 16];
	unsigned long done = 0;
	size_t an, outn;
	long ql;
	int c, r, k;

	while (done < o->count) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		c = accept_wait(fd, &ss, &sl, o->timeout_ms);
		if (c < 0)
			return fail(-c, "accept", where);
		addr_str(&ss, peer, sizeof(peer));
		for (r = 0, k = 0; !r && done < o->count; k++) {
			outn = 0;
			do {
				ql = dns_read_query(c, q, sizeof(q), o->timeout_ms);
				if (ql < 0) {
					r = (int)ql;
					break;
				}
				an = dns_serve(z, q + 2, (size_t)ql, peer, out + outn + 2);
				if (an) {
					put16(out + outn, (uint16_t)an);
					outn += 2 + an;
				}
				done++;
			} while (done < o->count &&
				 outn + sizeof(out) / DNS_TCP_BATCH <= sizeof(out) &&
				 recv(c, len, sizeof(len), MSG_PEEK | MSG_DONTWAIT) == sizeof(len));
			if (outn) {
				int w = xfer_exact(c, out, outn, 1, o->timeout_ms);

				r = r ? r : w;
			}
		}
		/* the client closing after its answers is the normal end */
		if (r && !(r == -ECONNRESET && k > 1))
			msg("connection from %s: %s", peer, strerror(-r));
		close(c);
	}
	return OK;
}

/*
 * --ext-header: every IPv6 packet of @fd carries that extension header
 * (8 bytes: a PadN option) before its transport header, as any root
 * process may ask of its own sockets.
 */
static int ext_header(const struct opts *o, const struct addr *a, int fd, const char *where)
{
	/* next header and length are the kernel's to fill; PadN, 4 bytes of padding */
	static const uint8_t opt[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };

	if (!o->ext_header)
		return OK;
	if (a->family != AF_INET6) {
		msg("--ext-header is for IPv6 addresses");
		return USAGE;
	}
	if (setsockopt(fd, IPPROTO_IPV6, o->ext_header, opt, sizeof(opt)) < 0)
		return fail(errno, "setsockopt(IPV6_DSTOPTS/HOPOPTS)", where);
	return OK;
}

static int cmd_dns_server(struct opts *o)
{
	uint8_t q[512], out[DNS_HDR + DNS_NAME_MAX + 4 + 16];
	char where[INET6_ADDRSTRLEN + 16], peer[INET6_ADDRSTRLEN + 16];
	unsigned long done = 0;
	struct dns_zone z;
	struct addr a;
	int fd, name_len, r, one = 1;

	r = operand_addr(o, 0, &a);
	if (r)
		return r;
	name_len = dns_encode_name(o->pos[2], z.name, sizeof(z.name));
	if (name_len < 0) {
		msg("bad name '%s'", o->pos[2]);
		return USAGE;
	}
	z.name_len = (size_t)name_len;
	if (inet_pton(AF_INET, o->pos[3], &z.ip) != 1) {
		msg("bad IPv4 address '%s'", o->pos[3]);
		return USAGE;
	}
	addr_str(&a.ss, where, sizeof(where));
	fd = socket_new(a.family, o->tcp ? SOCK_STREAM : SOCK_DGRAM);
	if (fd < 0)
		return fail(errno, "socket", where);
	r = ext_header(o, &a, fd, where);
	if (r)
		return r;
	if (o->tcp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return fail(errno, "SO_REUSEADDR", where);
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0)
		return fail(errno, "bind", where);
	if (o->tcp && listen(fd, SOMAXCONN) < 0)
		return fail(errno, "listen", where);
	if (announce(fd, a.port, o->ready))
		return FAILED;
	if (o->tcp) {
		r = dns_server_tcp(o, fd, &z, where);
		close(fd);
		return r;
	}

	while (done < o->count) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		ssize_t n;
		size_t an;

		n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&ss, &sl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return fail(errno, "recvfrom", where);
			r = wait_fd(fd, POLLIN, o->timeout_ms);
			if (r)
				return fail(-r, "wait for a query on", where);
			continue;
		}
		addr_str(&ss, peer, sizeof(peer));
		an = dns_serve(&z, q, (size_t)n, peer, out);
		if (!an)
			continue;
		if (sendto(fd, out, an, 0, (struct sockaddr *)&ss, sl) < 0)
			msg("answer to %s: %s", peer, strerror(errno));
		done++;
	}
	close(fd);
	return OK;
}

static uint16_t dns_id(void)
{
	struct timespec ts;
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == sizeof(id))
		return id;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint16_t)(ts.tv_nsec ^ getpid());
}

/* The A records of the answer @m (@len bytes): OK if there is one, FAILED otherwise. */
static int dns_read_answer(const uint8_t *m, size_t len)
{
	unsigned int qd = get16(m + 4), an = get16(m + 6), i, found = 0, rcode = m[3] & 0xf;
	char ip[INET_ADDRSTRLEN];
	int off = DNS_HDR;

	if (m[2] & 0x02)
		msg("the answer is truncated (TC): only what fitted is read");
	for (i = 0; i < qd; i++) {
		off = dns_skip_name(m, len, (size_t)off, 0);
		if (off < 0 || (size_t)off + 4 > len)
			goto bad;
		off += 4;
	}
	for (i = 0; i < an; i++) {
		unsigned int type, cls, rdlen;

		off = dns_skip_name(m, len, (size_t)off, 0);
		if (off < 0 || (size_t)off + 10 > len)
			goto bad;
		type = get16(m + off);
		cls = get16(m + off + 2);
		rdlen = get16(m + off + 8);
		off += 10;
		if ((size_t)off + rdlen > len)
			goto bad;
		if (type == DNS_TYPE_A && cls == DNS_CLASS_IN && rdlen == 4) {
			inet_ntop(AF_INET, m + off, ip, sizeof(ip));
			printf("answer=%s\n", ip);
			found++;
		}
		off += (int)rdlen;
	}
	if (found && rcode == 0)
		return OK;
	printf("rcode=%u\n", rcode);
	return FAILED;
bad:
	printf("error=EBADMSG\n");
	msg("malformed answer");
	return FAILED;
}

/*
 * The query @q (@n bytes) over a TCP connection, with its length in one
 * write as stub resolvers send it; then the answer's length and the
 * answer. Pipelined (tcp-pipelined), an AAAA query for the same name
 * follows in the same write, as glibc sends its pair: two messages in one
 * segment; both answers are read, the A query's printed.
 */
static int dns_query_tcp(struct opts *o, const uint8_t *q, size_t n)
{
	static uint8_t m[65535], a[65535];
	uint8_t buf[2 * (2 + DNS_HDR + DNS_NAME_MAX + 4)], l[2];
	size_t ml = 0, bn = 2 + n, k;
	int fd, r, rc, i, got = 0;

	fd = tcp_connect(o, &rc);
	if (fd < 0)
		return rc;
	put16(buf, (uint16_t)n);
	memcpy(buf + 2, q, n);
	if (o->pipelined) {
		memcpy(buf + bn, buf, 2 + n);
		put16(buf + bn + 2, get16(q) + 1);
		put16(buf + bn + 2 + n - 4, DNS_TYPE_AAAA);
		bn *= 2;
	}
	r = xfer_exact(fd, buf, bn, 1, o->timeout_ms);
	for (i = 0; !r && i < 1 + o->pipelined; i++) {
		r = xfer_exact(fd, l, 2, 0, o->timeout_ms);
		k = get16(l);
		if (!r)
			r = k >= DNS_HDR ? xfer_exact(fd, a, k, 0, o->timeout_ms) : -EBADMSG;
		if (!r && get16(a) == get16(q)) {
			memcpy(m, a, k);
			ml = k;
			got = 1;
		}
	}
	close(fd);
	if (r)
		return fail(-r, "query", o->pos[0]);
	if (!got) {
		printf("error=EBADMSG\n");
		msg("no answer to the A query");
		return FAILED;
	}
	return dns_read_answer(m, ml);
}

static int cmd_dns_query(struct opts *o)
{
	char where[INET6_ADDRSTRLEN + 16];
	uint8_t q[DNS_HDR + DNS_NAME_MAX + 4], m[4096];
	struct timespec t0, t;
	uint16_t id = dns_id();
	struct addr a;
	int fd, r, nl, left;
	ssize_t n;

	r = operand_addr(o, 1, &a);
	if (r)
		return r;
	nl = dns_encode_name(o->pos[2], q + DNS_HDR, sizeof(q) - DNS_HDR - 4);
	if (nl < 0) {
		msg("bad name '%s'", o->pos[2]);
		return USAGE;
	}
	memset(q, 0, DNS_HDR);
	put16(q, id);
	put16(q + 2, 0x0100); /* RD, as a stub resolver asks */
	put16(q + 4, 1);
	put16(q + DNS_HDR + nl, DNS_TYPE_A);
	put16(q + DNS_HDR + nl + 2, DNS_CLASS_IN);
	if (o->tcp)
		return dns_query_tcp(o, q, DNS_HDR + (size_t)nl + 4);
	addr_str(&a.ss, where, sizeof(where));
	fd = socket_new(a.family, SOCK_DGRAM);
	if (fd < 0)
		return fail(errno, "socket", where);
	r = ext_header(o, &a, fd, where);
	if (r)
		return r;
	/* connected: only the server's answers reach us, and a closed port is ECONNREFUSED at once */
	if (connect(fd, (struct sockaddr *)&a.ss, a.len) < 0)
		return fail(errno, "connect", where);
	if (send(fd, q, DNS_HDR + (size_t)nl + 4, 0) < 0)
		return fail(errno, "send to", where);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		n = recv(fd, m, sizeof(m), 0);
		if (n >= DNS_HDR && get16(m) == id && (m[2] & 0x80))
			break;
		if (n >= 0) {
			msg("ignored a %zd-byte datagram that answers no query of ours", n);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return fail(errno, "query", where);
		left = -1;
		if (o->timeout_ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = o->timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
						     (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left < 0)
				left = 0;
		}
		r = wait_fd(fd, POLLIN, left);
		if (r)
			return fail(-r, "query", where);
	}
	close(fd);
	return dns_read_answer(m, (size_t)n);
}

/* ---- the command table -------------------------------------------------- */

struct cmd {
	const char *name;
	int (*fn)(struct opts *o);
	int npos;
	unsigned int opts;
	int timeout_ms; /* default; -1: forever */
	unsigned long long send;
	int takes_cmd; /* "-- PROG ARG..." after the operands */
};

static const struct cmd cmds[] = {
	{ "serve", cmd_serve, 2, OPT_COUNT | OPT_REPLY | OPT_READY | OPT_TIMEOUT | OPT_ACCEPT, -1,
	  0, 0 },
	{ "connect", cmd_connect, 2, OPT_SEND | OPT_BIND_PORT | OPT_TIMEOUT, 10000, 0, 0 },
	{ "udp", cmd_udp, 2, OPT_SEND | OPT_COUNT | OPT_BIND_PORT | OPT_TIMEOUT, 10000, 16, 0 },
	{ "udp-connect", cmd_udp_connect, 2, OPT_SEND | OPT_COUNT | OPT_BIND_PORT | OPT_TIMEOUT,
	  10000, 16, 0 },
	{ "dns-server", cmd_dns_server, 4,
	  OPT_COUNT | OPT_READY | OPT_TIMEOUT | OPT_TRANSPORT | OPT_EXT_HEADER, -1, 0, 0 },
	{ "dns-query", cmd_dns_query, 3, OPT_TIMEOUT | OPT_TRANSPORT | OPT_EXT_HEADER, 2000, 0, 0 },
	{ "exec-after-connect", cmd_exec_after_connect, 2, OPT_BIND_PORT | OPT_TIMEOUT, 10000, 0,
	  1 },
};

static const struct {
	const char *name;
	unsigned int bit;
} opt_names[] = {
	{ "--count", OPT_COUNT },	    { "--reply", OPT_REPLY },
	{ "--ready", OPT_READY },	    { "--send", OPT_SEND },
	{ "--bind-port", OPT_BIND_PORT },   { "--timeout-ms", OPT_TIMEOUT },
	{ "--transport", OPT_TRANSPORT },   { "--accept", OPT_ACCEPT },
	{ "--ext-header", OPT_EXT_HEADER },
};

/* One option and its value into @o; OK or USAGE. */
static int set_opt(struct opts *o, unsigned int bit, const char *name, const char *v)
{
	unsigned long long x;
	int bad = 0;

	switch (bit) {
	case OPT_COUNT:
		bad = parse_num(v, 1, PG_NET_MAX_COUNT, &x);
		o->count = (unsigned long)x;
		break;
	case OPT_REPLY: bad = parse_num(v, 0, PG_NET_MAX_BYTES, &o->reply); break;
	case OPT_SEND: bad = parse_num(v, 0, PG_NET_MAX_BYTES, &o->send); break;
	case OPT_READY:
		bad = !v[0];
		o->ready = v;
		break;
	case OPT_BIND_PORT:
		bad = parse_num(v, 1, 65535, &x);
		o->bind_port = (unsigned int)x;
		break;
	case OPT_TIMEOUT:
		bad = parse_num(v, 0, PG_NET_MAX_TIMEOUT, &x);
		o->timeout_ms = x ? (int)x : -1;
		break;
	case OPT_TRANSPORT:
		o->pipelined = !strcmp(v, "tcp-pipelined");
		o->tcp = o->pipelined || !strcmp(v, "tcp");
		bad = !o->tcp && strcmp(v, "udp");
		break;
	case OPT_ACCEPT:
		o->uring = !strcmp(v, "io_uring") ? 1 : !strcmp(v, "io_uring-multishot") ? 2 : 0;
		bad = !o->uring && strcmp(v, "syscall");
		break;
	case OPT_EXT_HEADER:
		o->ext_header = !strcmp(v, "dstopts")	? IPV6_DSTOPTS
				: !strcmp(v, "hopopts") ? IPV6_HOPOPTS
							: 0;
		bad = !o->ext_header;
		break;
	}
	if (bad) {
		msg("bad value '%s' for %s", v, name);
		return USAGE;
	}
	return OK;
}

/* Operands and --options in any order (--opt V or --opt=V); "--" ends them. */
static int parse_args(const struct cmd *c, int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->timeout_ms = c->timeout_ms;
	o->send = c->send;
	o->pos = calloc((size_t)argc + 1, sizeof(*o->pos));
	if (!o->pos) {
		msg("out of memory");
		return FAILED;
	}
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq, *v;
		unsigned int bit = 0;
		size_t k, nl;

		if (!strcmp(arg, "--")) {
			if (!c->takes_cmd || i + 1 >= argc) {
				msg(c->takes_cmd ? "no program after --" : "unexpected --");
				return USAGE;
			}
			o->cmd = argv + i + 1;
			break;
		}
		if (strncmp(arg, "--", 2)) {
			o->pos[o->npos++] = argv[i];
			continue;
		}
		eq = strchr(arg, '=');
		nl = eq ? (size_t)(eq - arg) : strlen(arg);
		for (k = 0; k < sizeof(opt_names) / sizeof(opt_names[0]); k++)
			if (strlen(opt_names[k].name) == nl && !strncmp(arg, opt_names[k].name, nl))
				bit = opt_names[k].bit;
		if (!(bit & c->opts)) {
			msg("unknown option %.*s", (int)nl, arg);
			return USAGE;
		}
		if (eq) {
			v = eq + 1;
		} else if (i + 1 < argc) {
			v = argv[++i];
		} else {
			msg("%s needs a value", arg);
			return USAGE;
		}
		if (set_opt(o, bit, arg, v))
			return USAGE;
	}
	if (o->npos != c->npos) {
		msg("%d operand(s) expected, %d given", c->npos, o->npos);
		return USAGE;
	}
	if (c->takes_cmd && !o->cmd) {
		msg("the program to run goes after --");
		return USAGE;
	}
	return OK;
}

/* The usage line of one command, from usage_text. */
static void cmd_usage(const char *name)
{
	const char *l = usage_text;
	size_t n = strlen(name);

	while ((l = strchr(l, '\n'))) {
		l++;
		if (!strncmp(l, "  ", 2) && !strncmp(l + 2, name, n) && l[2 + n] == ' ') {
			fprintf(stderr, "usage: pg-net %.*s", (int)(strcspn(l + 2, "\n") + 1),
				l + 2);
			return;
		}
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	size_t i;
	int r;

	/* a test reads the lines while the tool runs (serve, dns-server) */
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? USAGE : OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		prog_cmd = cmds[i].name;
		r = parse_args(&cmds[i], argc - 2, argv + 2, &o);
		if (r) {
			if (r == USAGE)
				cmd_usage(cmds[i].name);
			return r;
		}
		r = cmds[i].fn(&o);
		free(o.pos);
		return r;
	}
	fprintf(stderr, "pg-net: unknown command '%s'\n%s", argv[1], usage_text);
	return USAGE;
}
