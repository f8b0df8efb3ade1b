/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's control socket (root only, mode 0600, peer credentials
 * checked) and its client, for `penguard policy list|add|remove` and
 * `penguard events`.
 */
#ifndef PG_CONTROL_H
#define PG_CONTROL_H

#include <stddef.h>

#include "config.h"
#include "policy.h"

#define PG_CONTROL_DEFAULT_PATH "/run/penguard.sock"

struct pg_buf;
struct pg_control;

/* What the agent does for each request. */
struct pg_control_ops {
	void (*list)(void *ctx, struct pg_buf *out); /* the policies and their counters, JSON */
	int (*add)(void *ctx, const char *yaml, struct pg_diag *diag);
	int (*remove)(void *ctx, const char *name, struct pg_diag *diag);
	/*
	 * Stream events to connection @fd in @format from now on: 0 when the
	 * agent took @fd (and closes it when done), or -errno.
	 */
	int (*events)(void *ctx, int fd, enum pg_format format, int pid);
};

int pg_control__new(struct pg_control **ret, const char *path);
void pg_control__free(struct pg_control *c);
int pg_control__fd(const struct pg_control *c);
/* Accept one connection and answer it; bounded in size and time. */
void pg_control__serve(struct pg_control *c, const struct pg_control_ops *ops, void *ctx);

/* Client: send @req, read the whole answer into @resp (NUL-terminated). */
int pg_control_request(const char *path, const char *req, size_t len, struct pg_buf *resp);
/*
 * Client: send @req and shut the writing side down. Returns the connected
 * socket, to read the answer from, or -errno.
 */
int pg_control_send(const char *path, const char *req, size_t len);

#endif
