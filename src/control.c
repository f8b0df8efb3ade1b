// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The agent's control socket: `penguard policy list|add|remove` talk to
 * the running agent through it. A unix stream socket, mode 0600, and the
 * peer's credentials checked on every connection: root only. One request
 * per connection: the client writes it and shuts its side down; the agent
 * answers and closes. Requests are bounded in size and time, so a slow or
 * hostile client costs the event loop at most a second and loses nothing
 * (the ring buffers hold the events meanwhile).
 *
 * Request: a first line "list", "add", "remove NAME" or "events FORMAT"
 * (json, compact); for add, the policy's YAML follows. Answer: "ok" or
 * "error: why" on a first line, then the list's JSON or the policy's
 * mistakes, one per line. An events connection stays open: the events
 * follow the "ok", one a line, until the client or the agent goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "json.h"
#include "log.h"
#include "util.h"

#define PG_CONTROL_MAX_REQUEST (4u << 20) /* a policy file's own limit */
#define PG_CONTROL_TIMEOUT_MS 1000

struct pg_control {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static int set_path(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int pg_control__new(struct pg_control **ret, const char *path)
{
	struct pg_control *c;
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int err, probe;

	err = set_path(&sa, path);
	if (err) {
		pg_err("control socket %s: path too long", path);
		return err;
	}
	/* a socket left by an agent that died is removed; a live one is not */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			pg_err("control socket %s: exists and is not a socket; not touching it",
			       path);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			pg_err("control socket %s: another agent is running", path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		goto fail;
	/* 0600 from the start: no window where another user could connect */
	old = umask(0177);
	err = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (err || listen(c->fd, 16))
		goto fail;
	*ret = c;
	return 0;
fail:
	err = -errno;
	pg_err("control socket %s: %s", path, strerror(errno));
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return err;
}

void pg_control__free(struct pg_control *c)
{
	if (!c)
		return;
	close(c->fd);
	unlink(c->path);
	free(c);
}

int pg_control__fd(const struct pg_control *c)
{
	return c->fd;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Read until EOF, the size bound or the deadline. 0, or -errno. */
static int read_request(int fd, struct pg_buf *b, int64_t deadline)
{
	char chunk[65536];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (b->len + n > PG_CONTROL_MAX_REQUEST)
			return -E2BIG;
		pg_buf_put(b, chunk, n);
		if (b->failed)
			return -ENOMEM;
	}
}

static void write_all(int fd, const char *p, size_t n, int64_t deadline)
{
	while (n) {
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		ssize_t w;

		if (now_ms() >= deadline || poll(&pf, 1, (int)(deadline - now_ms())) <= 0)
			return; /* a client that does not read loses its answer, not us our time */
		w = write(fd, p, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= w;
	}
}

static void answer_diag(struct pg_buf *out, int err, const struct pg_diag *d)
{
	size_t i;

	if (!err)
		pg_buf_puts(out, "ok\n");
	else
		pg_buf_printf(out, "error: %s\n",
			      err == -ENOENT   ? "no such policy"
			      : err == -EINVAL ? "the policy set was not changed"
					       : strerror(-err));
	for (i = 0; i < d->n; i++) {
		pg_buf_puts(out, d->msgs[i]);
		pg_buf_putc(out, '\n');
	}
}

void pg_control__serve(struct pg_control *c, const struct pg_control_ops *ops, void *ctx)
{
	int64_t deadline = now_ms() + PG_CONTROL_TIMEOUT_MS;
	struct pg_buf req, out;
	struct pg_diag diag = { 0 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char *nl, *body;
	int fd, err;

	fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	pg_buf_init(&req);
	pg_buf_init(&out);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		/* the socket is 0600 already; this holds if its mode is ever changed */
		pg_buf_puts(&out, "error: permission denied (root only)\n");
		goto reply;
	}
	err = read_request(fd, &req, deadline);
	if (err) {
		pg_buf_printf(&out, "error: reading the request: %s\n", strerror(-err));
		goto reply;
	}
	pg_buf_putc(&req, 0);
	if (req.failed) {
		pg_buf_puts(&out, "error: out of memory\n");
		goto reply;
	}
	nl = strchr(req.data, '\n');
	body = nl ? nl + 1 : req.data + strlen(req.data);
	if (nl)
		*nl = 0;
	if (!strcmp(req.data, "list")) {
		pg_buf_puts(&out, "ok\n");
		ops->list(ctx, &out);
		pg_buf_putc(&out, '\n');
	} else if (!strcmp(req.data, "add")) {
		err = ops->add(ctx, body, &diag);
		answer_diag(&out, err, &diag);
		pg_info("control: policy add from pid %d: %s", cred.pid,
			err ? "refused" : "loaded");
	} else if (!strcmp(req.data, "events json") || !strcmp(req.data, "events compact")) {
		err = ops->events(ctx, fd, req.data[7] == 'j' ? PG_FORMAT_JSON : PG_FORMAT_COMPACT,
				  cred.pid);
		if (err) {
			const char *why = err == -EBUSY ? "too many clients" : strerror(-err);

			pg_warn("control: events for pid %d refused: %s", cred.pid, why);
			pg_buf_printf(&out, "error: %s\n", why);
			goto reply;
		}
		/*
		 * The connection is the outputs' now. "ok" still goes first:
		 * nothing is pending for it yet, and no event can be written
		 * before this returns to the loop.
		 */
		write_all(fd, "ok\n", 3, deadline);
		pg_buf_free(&req);
		pg_buf_free(&out);
		return;
	} else if (!strncmp(req.data, "remove ", 7) && req.data[7]) {
		err = ops->remove(ctx, req.data + 7, &diag);
		answer_diag(&out, err, &diag);
		pg_info("control: policy remove from pid %d: %s", cred.pid,
			err ? "refused" : "done");
	} else {
		pg_buf_puts(&out,
			    "error: unknown request (list, add, remove NAME, events FORMAT)\n");
	}
reply:
	if (!out.failed)
		write_all(fd, out.data, out.len, deadline + PG_CONTROL_TIMEOUT_MS);
	close(fd);
	pg_diag_free(&diag);
	pg_buf_free(&req);
	pg_buf_free(&out);
}

int pg_control_send(const char *path, const char *req, size_t len)
{
	struct sockaddr_un sa;
	ssize_t n;
	int fd, err;

	err = set_path(&sa, path);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	while (len) {
		n = write(fd, req, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			close(fd);
			return err;
		}
		req += n;
		len -= n;
	}
	shutdown(fd, SHUT_WR);
	return fd;
}

int pg_control_request(const char *path, const char *req, size_t len, struct pg_buf *resp)
{
	char chunk[65536];
	ssize_t n;
	int fd, err;

	fd = pg_control_send(path, req, len);
	if (fd < 0)
		return fd;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			close(fd);
			return err;
		}
		pg_buf_put(resp, chunk, n);
	}
	close(fd);
	pg_buf_putc(resp, 0);
	return resp->failed ? -ENOMEM : 0;
}
