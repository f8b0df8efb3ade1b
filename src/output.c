// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "output.h"

/* Write once this much is pending, so memory stays small while writes work. */
#define PG_SINK_FLUSH_AT (256u << 10)
/*
 * Written bytes at the head of the pending buffer are only moved away past
 * this (or half the buffer): a slow reader takes a pipe's worth at a time,
 * and moving 16 MiB for every 64 KiB written would cost more than the write.
 */
#define PG_SINK_COMPACT_AT (1u << 20)
/* An emptied buffer larger than this is freed: a stall must not pin 16 MiB. */
#define PG_SINK_KEEP_CAP (1u << 20)
/*
 * The export is written once and read, if ever, by someone else later: its
 * pages would otherwise fill the page cache (six 100 MiB files by default)
 * at the expense of the workload's. Each chunk written is sent to disk, and
 * the chunk before it, written back meanwhile, leaves the cache.
 */
#define PG_SINK_WB_CHUNK (8u << 20)

struct pg_sink {
	int fd;
	const char *path; /* NULL for stdout */
	const char *name; /* for messages */
	bool used;
	/*
	 * A regular file: rotated by size (export only), never polled. Writes
	 * to it do not block on a reader, so it stays blocking.
	 */
	bool regular;
	/*
	 * We set O_NONBLOCK on a file description we share with the parent
	 * (stdout): free() clears it again, or a terminal would be left
	 * non-blocking for the shell.
	 */
	bool restore_blocking;
	/* The last write could not finish: wait for the next flush. */
	bool stalled;
	bool warned;	  /* a write error episode was logged */
	bool drop_warned; /* a dropping episode was logged */
	bool mode_warned;
	uint64_t file_size; /* bytes in the current file */
	uint64_t wb_mark;   /* writeback started below this offset */
	uint64_t max_size;  /* 0: never rotate */
	uint32_t backups;
	size_t pending_max; /* past this, lines are dropped */
	/* a client of the event stream: its format, and losses it was not told of */
	bool client;
	bool gone; /* hung up or failed: closed at the next reap */
	enum pg_format format;
	uint64_t lost_untold;
	char label[32];
	struct pg_buf pending;
	size_t head; /* pending.data[head, len) is not written yet */
	struct pg_output_sink_stats st;
};

struct pg_output {
	enum pg_format stdout_format;
	struct pg_sink out;
	struct pg_sink file;
	struct pg_sink *clients[PG_OUTPUT_MAX_CLIENTS];
	unsigned n_json_clients, n_compact_clients;
	struct pg_output_client_stats cst; /* connected is counted live */
};

static size_t sink_pending(const struct pg_sink *s)
{
	return s->pending.len - s->head;
}

static void sink_compact(struct pg_sink *s)
{
	if (!s->head)
		return;
	/* with the NUL that pg_buf keeps after the contents */
	memmove(s->pending.data, s->pending.data + s->head, s->pending.len - s->head + 1);
	s->pending.len -= s->head;
	s->head = 0;
}

static void sink_set_nonblocking(struct pg_sink *s, bool restore)
{
	int fl = fcntl(s->fd, F_GETFL);

	if (fl < 0 || (fl & O_NONBLOCK))
		return;
	if (fcntl(s->fd, F_SETFL, fl | O_NONBLOCK)) {
		pg_warn("cannot make %s non-blocking (%s): a stalled reader will stall penguard",
			s->name, strerror(errno));
		return;
	}
	s->restore_blocking = restore;
}

/*
 * Open (or, at rotation, reopen) the export path. We only create files
 * with O_EXCL, so we know which files are ours: those get 0600; one that
 * was there keeps its mode and owner, and only a regular file is rotated.
 * @startup allows waiting for a FIFO's reader, which the loop must not.
 */
static int sink_open_export(struct pg_sink *s, bool startup)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
	bool created = false;
	struct stat st;
	int fd = -1, tries;

	for (tries = 0; tries < 3 && fd < 0; tries++) {
		fd = open(s->path, flags | O_CREAT | O_EXCL, 0600);
		if (fd >= 0) {
			created = true;
			break;
		}
		if (errno != EEXIST)
			return -errno;
		/* a FIFO without a reader fails with ENXIO instead of hanging */
		fd = open(s->path, flags | O_NONBLOCK);
		if (fd < 0 && errno == ENXIO && startup) {
			pg_info("%s has no reader yet; waiting for one", s->path);
			fd = open(s->path, flags);
		}
		if (fd < 0 && errno != ENOENT)
			return -errno;
		/* ENOENT: removed between the two opens; try creating it again */
	}
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	s->fd = fd;
	s->regular = S_ISREG(st.st_mode);
	s->file_size = s->regular ? (uint64_t)st.st_size : 0;
	s->wb_mark = s->file_size;
	if (!s->regular) {
		/* our own open file description: nobody else sees the flag */
		sink_set_nonblocking(s, false);
		pg_warn("%s is not a regular file: writing to it without rotation, leaving its "
			"mode as is",
			s->path);
	} else if (!created && (st.st_mode & 077) && !s->mode_warned) {
		pg_warn("%s is %s by other users (mode %o); penguard leaves it as is", s->path,
			st.st_mode & 044 ? "readable" : "writable", st.st_mode & 07777);
		s->mode_warned = true;
	}
	return 0;
}

static void sink_rotate(struct pg_sink *s)
{
	char from[PATH_MAX], to[PATH_MAX];
	uint32_t i;
	int err;

	/* move the open file away first: if that fails we keep writing to it */
	if (!s->backups) {
		err = unlink(s->path) ? -errno : 0;
	} else {
		for (i = s->backups; i > 1; i--) {
			snprintf(from, sizeof(from), "%s.%u", s->path, i - 1);
			snprintf(to, sizeof(to), "%s.%u", s->path, i);
			rename(from, to); /* a gap in the chain is fine */
		}
		snprintf(to, sizeof(to), "%s.1", s->path);
		err = rename(s->path, to) ? -errno : 0;
	}
	/* ENOENT: someone else moved it away; start a new file all the same */
	if (err && err != -ENOENT) {
		/* else every following line would try again, and log again */
		pg_warn("cannot rotate %s (%s): rotation is off, the file grows past %" PRIu64
			" bytes",
			s->path, strerror(-err), s->max_size);
		s->max_size = 0;
		return;
	}
	/* what is still cached of the old file: what writeback has finished of it */
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_DONTNEED);
	close(s->fd);
	s->fd = -1;
	s->st.rotations++;
	err = sink_open_export(s, false);
	if (err) {
		/* lines stay pending; every flush tries to reopen */
		s->stalled = true;
		if (!s->warned)
			pg_err("reopening %s: %s", s->path, strerror(-err));
		s->warned = true;
	}
}

/*
 * Both calls are advice: an error (a file system without writeback) costs
 * nothing but the page cache, so it is not reported.
 */
static void sink_drop_written(struct pg_sink *s)
{
	while (s->file_size - s->wb_mark >= PG_SINK_WB_CHUNK) {
		sync_file_range(s->fd, s->wb_mark, PG_SINK_WB_CHUNK, SYNC_FILE_RANGE_WRITE);
		if (s->wb_mark >= PG_SINK_WB_CHUNK)
			posix_fadvise(s->fd, s->wb_mark - PG_SINK_WB_CHUNK, PG_SINK_WB_CHUNK,
				      POSIX_FADV_DONTNEED);
		s->wb_mark += PG_SINK_WB_CHUNK;
	}
}

/* Write the pending buffer until done or the output would block or fails. */
static int sink_flush(struct pg_sink *s)
{
	int err = 0;

	if (s->fd < 0 && s->path) {
		err = sink_open_export(s, false);
		if (err) {
			s->stalled = true;
			return err;
		}
	}
	while (s->head < s->pending.len) {
		ssize_t n = write(s->fd, s->pending.data + s->head, s->pending.len - s->head);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* a slow reader is not an error: epoll says when to go on */
			err = -EAGAIN;
			break;
		}
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			if (s->client) {
				/* a client that went away is not an error of ours */
				s->gone = true;
				break;
			}
			s->st.write_errors++;
			if (!s->warned)
				pg_err("writing events to %s: %s; keeping up to %u MiB pending",
				       s->name, strerror(-err), PG_SINK_PENDING_MAX >> 20);
			s->warned = true;
			break;
		}
		s->head += n;
		s->file_size += n;
	}
	if (s->regular && s->path)
		sink_drop_written(s);
	s->stalled = err != 0;
	if (s->head == s->pending.len) {
		s->head = 0;
		if (s->pending.cap > PG_SINK_KEEP_CAP)
			pg_buf_free(&s->pending);
		else
			pg_buf_reset(&s->pending);
		if (s->drop_warned) {
			pg_info("%s caught up; %" PRIu64 " lines dropped so far", s->name,
				s->st.dropped);
			s->drop_warned = false;
		}
	} else if (s->head >= PG_SINK_COMPACT_AT || s->head >= s->pending.len / 2) {
		sink_compact(s);
	}
	if ((!err || err == -EAGAIN) && s->warned) {
		pg_info("writing events to %s works again", s->name);
		s->warned = false;
	}
	return err;
}

/* @lines lost: a client hears of them before its next line */
static void sink_lost(struct pg_sink *s, uint64_t lines)
{
	s->st.dropped += lines;
	if (s->client)
		s->lost_untold += lines;
}

static void sink_count_drop(struct pg_sink *s, uint64_t lines)
{
	sink_lost(s, lines);
	if (!s->drop_warned)
		pg_warn("%s is not keeping up: %zu MiB pending, dropping events until it drains",
			s->name, s->pending_max >> 20);
	s->drop_warned = true;
}

/*
 * A client that lost lines learns how many in its stream, before the next
 * line it gets: what it shows or stores has a visible gap, not a silent
 * one. Appends that news; false when it does not fit. The caller clears
 * lost_untold once the line after it is in too.
 */
static bool sink_put_loss(struct pg_sink *s)
{
	char m[128];
	int n;

	if (s->format == PG_FORMAT_COMPACT)
		n = snprintf(m, sizeof(m),
			     "!! %" PRIu64 " events lost: this client did not read them in time",
			     s->lost_untold);
	else
		n = snprintf(m, sizeof(m),
			     "{\"events_lost\":{\"count\":\"%" PRIu64
			     "\",\"reason\":\"CLIENT_TOO_SLOW\"}}",
			     s->lost_untold);
	if (sink_pending(s) + (size_t)n + 1 > s->pending_max)
		return false;
	pg_buf_put(&s->pending, m, (size_t)n);
	pg_buf_putc(&s->pending, '\n');
	return true;
}

/* Give up on what is pending, counting each line (even a half-written one). */
static void sink_discard(struct pg_sink *s)
{
	uint64_t lines = 0;
	const char *p, *end;

	if (!sink_pending(s))
		return; /* and pending.data may be NULL: no pointer arithmetic on it */
	p = s->pending.data + s->head;
	end = s->pending.data + s->pending.len;
	while (p < end && (p = memchr(p, '\n', end - p))) {
		lines++;
		p++;
	}
	pg_warn("%s: %zu bytes (%" PRIu64 " lines) of events could not be written", s->name,
		sink_pending(s), lines);
	s->st.dropped += lines;
	s->head = 0;
	pg_buf_free(&s->pending);
}

static void sink_line(struct pg_sink *s, const char *line, size_t len)
{
	bool told = false;
	size_t old_len;

	if (s->gone)
		return;
	/* a stalled output is only retried by flush, not by every line */
	if (!s->stalled && sink_pending(s) + len + 1 > s->pending_max)
		sink_flush(s);
	if (sink_pending(s) + len + 1 > s->pending_max) {
		sink_count_drop(s, 1);
		return;
	}
	/* rotate between lines, so a line never straddles two files */
	if (s->regular && s->path && s->max_size && !s->stalled) {
		uint64_t used = s->file_size + sink_pending(s);

		if (used && used + len + 1 > s->max_size && !sink_flush(s))
			sink_rotate(s);
	}
	if (s->head && s->pending.len + len + 1 >= s->pending.cap)
		sink_compact(s);
	old_len = s->pending.len;
	if (s->lost_untold) {
		told = sink_put_loss(s);
		if (!told) {
			sink_count_drop(s, 1);
			return;
		}
	}
	pg_buf_put(&s->pending, line, len);
	pg_buf_putc(&s->pending, '\n');
	if (s->pending.failed) {
		/* never keep half a line, nor the news of a loss without it */
		s->pending.len = old_len;
		if (s->pending.data)
			s->pending.data[old_len] = 0;
		s->pending.failed = false;
		sink_lost(s, 1);
		return;
	}
	if (told)
		s->lost_untold = 0;
	s->st.lines++;
	if (!s->stalled && sink_pending(s) >= PG_SINK_FLUSH_AT)
		sink_flush(s);
}

static void sink_close(struct pg_sink *s)
{
	if (s->restore_blocking) {
		int fl = fcntl(s->fd, F_GETFL);

		if (fl >= 0)
			fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
		s->restore_blocking = false;
	}
	if ((s->path || s->client) && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	pg_buf_free(&s->pending);
}

struct pg_output *pg_output__new(const struct pg_config *cfg)
{
	struct pg_output *o = calloc(1, sizeof(*o));
	struct stat st;
	int err;

	if (!o)
		return NULL;
	o->stdout_format = cfg->format;
	if (o->stdout_format == PG_FORMAT_AUTO)
		o->stdout_format = isatty(STDOUT_FILENO) ? PG_FORMAT_COMPACT : PG_FORMAT_JSON;
	o->out.fd = STDOUT_FILENO;
	o->out.name = "stdout";
	o->out.pending_max = PG_SINK_PENDING_MAX;
	o->file.fd = -1;
	o->file.pending_max = PG_SINK_PENDING_MAX;
	/* stdout is left alone when no event goes there */
	if (o->stdout_format == PG_FORMAT_JSON || o->stdout_format == PG_FORMAT_COMPACT) {
		o->out.used = true;
		if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode))
			o->out.regular = true;
		else
			sink_set_nonblocking(&o->out, true);
	}
	if (cfg->export_path) {
		o->file.path = cfg->export_path;
		o->file.name = cfg->export_path;
		o->file.max_size = cfg->export_max_size;
		o->file.backups = cfg->export_backups;
		err = sink_open_export(&o->file, true);
		if (err) {
			if (err == -ELOOP)
				pg_err("cannot open export file %s: it is a symbolic link, which "
				       "penguard does not follow",
				       cfg->export_path);
			else
				pg_err("cannot open export file %s: %s", cfg->export_path,
				       strerror(-err));
			sink_close(&o->out);
			free(o);
			errno = -err;
			return NULL;
		}
		o->file.used = true;
	}
	return o;
}

/*
 * Every output in use, stdout and the export first, into @v (room for
 * 2 + PG_OUTPUT_MAX_CLIENTS). Returns how many.
 */
static size_t sinks_in_use(struct pg_output *o, struct pg_sink **v)
{
	size_t n = 0, i;

	if (o->out.used)
		v[n++] = &o->out;
	if (o->file.used)
		v[n++] = &o->file;
	for (i = 0; i < PG_OUTPUT_MAX_CLIENTS; i++)
		if (o->clients[i])
			v[n++] = o->clients[i];
	return n;
}

static void client_close(struct pg_output *o, size_t i)
{
	struct pg_sink *s = o->clients[i];

	sink_discard(s);
	o->cst.lines += s->st.lines;
	o->cst.dropped += s->st.dropped;
	if (s->format == PG_FORMAT_COMPACT)
		o->n_compact_clients--;
	else
		o->n_json_clients--;
	pg_info("%s: gone (%" PRIu64 " lines, %" PRIu64 " lost)", s->name, s->st.lines,
		s->st.dropped);
	sink_close(s);
	free(s);
	o->clients[i] = NULL;
}

/* Close the clients marked gone, or (@all) every one. */
static void clients_close(struct pg_output *o, bool all)
{
	size_t i;

	for (i = 0; i < PG_OUTPUT_MAX_CLIENTS; i++)
		if (o->clients[i] && (all || o->clients[i]->gone))
			client_close(o, i);
}

void pg_output__free(struct pg_output *o)
{
	if (!o)
		return;
	pg_output__flush(o);
	clients_close(o, true);
	sink_discard(&o->out);
	sink_discard(&o->file);
	sink_close(&o->out);
	sink_close(&o->file);
	free(o);
}

bool pg_output__wants_json(const struct pg_output *o)
{
	return o->file.used || o->stdout_format == PG_FORMAT_JSON || o->n_json_clients;
}

bool pg_output__wants_compact(const struct pg_output *o)
{
	return o->stdout_format == PG_FORMAT_COMPACT || o->n_compact_clients;
}

static void clients_line(struct pg_output *o, enum pg_format format, const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < PG_OUTPUT_MAX_CLIENTS; i++)
		if (o->clients[i] && o->clients[i]->format == format)
			sink_line(o->clients[i], line, len);
}

void pg_output__json(struct pg_output *o, const char *line, size_t len)
{
	if (o->stdout_format == PG_FORMAT_JSON)
		sink_line(&o->out, line, len);
	if (o->file.used)
		sink_line(&o->file, line, len);
	if (o->n_json_clients)
		clients_line(o, PG_FORMAT_JSON, line, len);
}

void pg_output__compact(struct pg_output *o, const char *line, size_t len)
{
	if (o->stdout_format == PG_FORMAT_COMPACT)
		sink_line(&o->out, line, len);
	if (o->n_compact_clients)
		clients_line(o, PG_FORMAT_COMPACT, line, len);
}

int pg_output__flush(struct pg_output *o)
{
	struct pg_sink *v[2 + PG_OUTPUT_MAX_CLIENTS];
	size_t n = sinks_in_use(o, v), i;
	int err = 0, e;

	for (i = 0; i < n; i++) {
		if (!sink_pending(v[i]) || v[i]->gone)
			continue;
		e = sink_flush(v[i]);
		/* a client's troubles are its own: they end in its reap */
		if (e && !v[i]->client)
			err = e;
	}
	clients_close(o, false);
	return err;
}

int pg_output__epoll_add(struct pg_output *o, int epfd, uint64_t tag)
{
	struct pg_sink *sinks[] = { &o->out, &o->file };
	size_t i;

	for (i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++) {
		struct epoll_event ev = { .events = EPOLLOUT | EPOLLET, .data.u64 = tag };
		struct pg_sink *s = sinks[i];

		if (!s->used || s->regular || s->fd < 0)
			continue;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev)) {
			/* no poll support (/dev/null, /dev/full): it never blocks either */
			if (errno == EPERM)
				continue;
			return -errno;
		}
	}
	return 0;
}

int pg_output__add_client(struct pg_output *o, int fd, enum pg_format format, int pid, int epfd,
			  uint64_t tag)
{
	/*
	 * EPOLLOUT for a client that drains, EPOLLHUP (always reported) for
	 * one that closed. Not EPOLLRDHUP: a client shuts its writing side
	 * down after its request, and stays.
	 */
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLET, .data.u64 = tag };
	struct pg_sink *s;
	size_t i;

	for (i = 0; i < PG_OUTPUT_MAX_CLIENTS && o->clients[i]; i++)
		;
	if (i == PG_OUTPUT_MAX_CLIENTS) {
		o->cst.refused++;
		return -EBUSY;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->used = true;
	s->client = true;
	s->format = format == PG_FORMAT_COMPACT ? PG_FORMAT_COMPACT : PG_FORMAT_JSON;
	s->pending_max = PG_CLIENT_PENDING_MAX;
	snprintf(s->label, sizeof(s->label), "client (pid %d)", pid);
	s->name = s->label;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		free(s);
		return err;
	}
	o->clients[i] = s;
	o->cst.accepted++;
	if (s->format == PG_FORMAT_COMPACT)
		o->n_compact_clients++;
	else
		o->n_json_clients++;
	pg_info("%s: streaming %s events", s->name,
		s->format == PG_FORMAT_COMPACT ? "compact" : "JSON");
	return 0;
}

void pg_output__reap_clients(struct pg_output *o)
{
	size_t i;

	for (i = 0; i < PG_OUTPUT_MAX_CLIENTS; i++) {
		struct pg_sink *s = o->clients[i];
		struct pollfd p;

		if (!s || s->gone)
			continue;
		p = (struct pollfd){ .fd = s->fd, .events = POLLOUT };
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
			s->gone = true;
	}
	clients_close(o, false);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pg_output__drain(struct pg_output *o, int timeout_ms)
{
	struct pg_sink *v[2 + PG_OUTPUT_MAX_CLIENTS];
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	size_t n = sinks_in_use(o, v), i;
	int err, left;

	for (;;) {
		struct pollfd pfd[2 + PG_OUTPUT_MAX_CLIENTS];
		nfds_t np = 0;

		err = 0;
		for (i = 0; i < n; i++) {
			struct pg_sink *s = v[i];
			int e;

			if (!sink_pending(s) || s->gone)
				continue;
			e = sink_flush(s);
			if (!e)
				continue;
			if (!s->client)
				err = e;
			/* waiting helps a slow reader, not a full disk or a gone reader */
			if (e == -EAGAIN)
				pfd[np++] = (struct pollfd){ .fd = s->fd, .events = POLLOUT };
		}
		if (!np)
			break;
		left = (int)(deadline - now_ms());
		if (left <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		/* POLLERR/POLLHUP wake us too: the next write says what happened */
		if (poll(pfd, np, left) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
	}
	sink_discard(&o->out);
	sink_discard(&o->file);
	/* the clients' leftovers are counted as they close */
	clients_close(o, true);
	return err;
}

static void sink_stats(const struct pg_sink *s, struct pg_output_sink_stats *st)
{
	*st = s->st;
	st->pending_bytes = sink_pending(s);
}

void pg_output__stats(const struct pg_output *o, struct pg_output_stats *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	sink_stats(&o->out, &s->out);
	if (o->file.used)
		sink_stats(&o->file, &s->export);
	s->lines = s->out.lines + s->export.lines;
	s->dropped = s->out.dropped + s->export.dropped;
	s->write_errors = s->out.write_errors + s->export.write_errors;
	s->rotations = s->out.rotations + s->export.rotations;
	s->clients = o->cst;
	for (i = 0; i < PG_OUTPUT_MAX_CLIENTS; i++) {
		if (!o->clients[i])
			continue;
		s->clients.connected++;
		s->clients.lines += o->clients[i]->st.lines;
		s->clients.dropped += o->clients[i]->st.dropped;
	}
}

void pg_output__stats_json(const struct pg_output *o, struct pg_json *w)
{
	struct pg_output_stats s;

	pg_output__stats(o, &s);
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "lines", s.lines);
	pg_json__kv_uint(w, "dropped", s.dropped);
	pg_json__kv_uint(w, "write_errors", s.write_errors);
	pg_json__kv_uint(w, "rotations", s.rotations);
	pg_json__key(w, "stdout");
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "lines", s.out.lines);
	pg_json__kv_uint(w, "dropped", s.out.dropped);
	pg_json__kv_uint(w, "write_errors", s.out.write_errors);
	pg_json__kv_uint(w, "pending_bytes", s.out.pending_bytes);
	pg_json__end_object(w);
	if (o->file.used) {
		pg_json__key(w, "export");
		pg_json__begin_object(w);
		pg_json__kv_uint(w, "lines", s.export.lines);
		pg_json__kv_uint(w, "dropped", s.export.dropped);
		pg_json__kv_uint(w, "write_errors", s.export.write_errors);
		pg_json__kv_uint(w, "rotations", s.export.rotations);
		pg_json__kv_uint(w, "pending_bytes", s.export.pending_bytes);
		pg_json__end_object(w);
	}
	pg_json__key(w, "clients");
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "connected", s.clients.connected);
	pg_json__kv_uint(w, "accepted", s.clients.accepted);
	pg_json__kv_uint(w, "refused", s.clients.refused);
	pg_json__kv_uint(w, "lines", s.clients.lines);
	pg_json__kv_uint(w, "dropped", s.clients.dropped);
	pg_json__end_object(w);
	pg_json__end_object(w);
}
