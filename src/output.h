/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Event destinations: stdout (JSON or compact), an export file (JSON
 * lines, rotated by size between lines so no event is split), and the
 * clients of the event stream (`penguard events`, over the control
 * socket), each in the format it asked for.
 *
 * No output may stall the event loop: stdout and export targets that can
 * block (pipes, terminals, FIFOs, sockets) are written non-blocking, and
 * what they do not take stays pending, up to PG_SINK_PENDING_MAX bytes per
 * output; past that whole lines are dropped and counted. A full disk keeps
 * data pending the same way. The loop flushes after every iteration and
 * learns from epoll (pg_output__epoll_add) when a stalled output drains.
 *
 * Files are never changed beyond what the user asked: a new export file is
 * created 0600, an existing one keeps its mode (with a warning when others
 * can read it), and only regular files are rotated.
 *
 * A client is one more output with a smaller bound (PG_CLIENT_PENDING_MAX):
 * one that does not read loses lines, never the agent's time or another
 * output's lines, and it is told in its own stream how many it lost
 * before the next line it gets (an "events_lost" line). Its counters are
 * kept apart from stdout's and the export's.
 */
#ifndef PG_OUTPUT_H
#define PG_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PG_SINK_PENDING_MAX (16u << 20)
#define PG_CLIENT_PENDING_MAX (4u << 20)
#define PG_OUTPUT_MAX_CLIENTS 16

struct pg_json;

/* One destination's counters. */
struct pg_output_sink_stats {
	uint64_t lines;		/* lines accepted */
	uint64_t dropped;	/* lines refused at the bound, or not written by drain/free */
	uint64_t write_errors;	/* failed write() calls; a full pipe is not an error */
	uint64_t rotations;	/* export only */
	uint64_t pending_bytes; /* accepted, not written yet */
};

/* The stream's clients, those gone included. */
struct pg_output_client_stats {
	uint64_t connected; /* now */
	uint64_t accepted;  /* since the start */
	uint64_t refused;   /* over PG_OUTPUT_MAX_CLIENTS */
	uint64_t lines;	    /* lines written or pending, to all clients */
	uint64_t dropped;   /* lines a client did not read in time (it was told) */
};

struct pg_output_stats {
	/* totals over all destinations, as before */
	uint64_t lines;
	uint64_t dropped;
	uint64_t write_errors;
	uint64_t rotations;
	struct pg_output_sink_stats out;       /* stdout */
	struct pg_output_sink_stats export;    /* --export; zero without it */
	struct pg_output_client_stats clients; /* not in the totals */
};

struct pg_output;

/* NULL with errno set (after logging why) when the export file cannot be opened. */
struct pg_output *pg_output__new(const struct pg_config *cfg);
/*
 * Write what can be written without blocking, drop the rest, give stdout
 * back its original file status flags. Call pg_output__drain() first to
 * wait a little for slow readers.
 */
void pg_output__free(struct pg_output *o);
bool pg_output__wants_json(const struct pg_output *o);
bool pg_output__wants_compact(const struct pg_output *o);
/* One event; @line has no trailing newline. Never blocks on a pipe. */
void pg_output__json(struct pg_output *o, const char *line, size_t len);
void pg_output__compact(struct pg_output *o, const char *line, size_t len);
/*
 * Write what is pending without blocking on pipes. Returns 0 when nothing
 * is left, -EAGAIN when a reader is slow, or the last write error.
 */
int pg_output__flush(struct pg_output *o);
/*
 * Add the outputs that can stall (pipes, ttys, FIFOs, sockets) to @epfd
 * with EPOLLOUT|EPOLLET, epoll_event.data.u64 = @tag. Regular files cannot
 * be polled and are skipped. Returns 0 or -errno.
 */
int pg_output__epoll_add(struct pg_output *o, int epfd, uint64_t tag);
/*
 * Write what is pending, waiting at most @timeout_ms in total for slow
 * outputs (poll); what still cannot be written is dropped and counted.
 * Returns 0 when everything was written, -ETIMEDOUT when a reader was too
 * slow, or the last write error.
 */
int pg_output__drain(struct pg_output *o, int timeout_ms);
/*
 * Take @fd, a connected stream socket, as a client wanting @format (JSON
 * or compact) from the next event on; its writability and hang-up wake
 * @epfd with @tag. Once taken, @fd is closed when the client goes away
 * or the output is freed. Returns 0, -EBUSY when PG_OUTPUT_MAX_CLIENTS
 * are connected, or -errno (the caller keeps @fd).
 */
int pg_output__add_client(struct pg_output *o, int fd, enum pg_format format, int pid, int epfd,
			  uint64_t tag);
/* Close the clients that hung up; what they had pending counts as dropped. */
void pg_output__reap_clients(struct pg_output *o);
void pg_output__stats(const struct pg_output *o, struct pg_output_stats *s);
/*
 * Write the outputs' counters as a JSON object value (the caller has
 * written the key): the four totals, then "stdout", when configured
 * "export", and "clients" objects.
 */
void pg_output__stats_json(const struct pg_output *o, struct pg_json *w);

#endif
