// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "output.h"

#define PG_SINK_FLUSH_AT (256u << 10)

struct pg_sink {
	int fd;
	const char *path;   /* NULL for stdout */
	uint64_t file_size; /* bytes in the current file */
	uint64_t max_size;  /* 0: never rotate */
	uint32_t backups;
	struct pg_buf pending;
	bool warned;
};

struct pg_output {
	enum pg_format stdout_format;
	struct pg_sink out;
	struct pg_sink file;
	bool has_file;
	struct pg_output_stats stats;
};

static int sink_open_file(struct pg_sink *s)
{
	struct stat st;

	s->fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->fd < 0)
		return -errno;
	/* an existing file keeps its data, but never its looser mode */
	if (fchmod(s->fd, 0600) || fstat(s->fd, &st)) {
		int err = -errno;

		close(s->fd);
		s->fd = -1;
		return err;
	}
	s->file_size = st.st_size;
	return 0;
}

static int sink_rotate(struct pg_output *o, struct pg_sink *s)
{
	char from[PATH_MAX], to[PATH_MAX];
	uint32_t i;

	close(s->fd);
	s->fd = -1;
	if (!s->backups) {
		unlink(s->path);
	} else {
		for (i = s->backups; i > 1; i--) {
			snprintf(from, sizeof(from), "%s.%u", s->path, i - 1);
			snprintf(to, sizeof(to), "%s.%u", s->path, i);
			rename(from, to); /* a gap in the chain is fine */
		}
		snprintf(to, sizeof(to), "%s.1", s->path);
		if (rename(s->path, to))
			pg_warn("rotating %s: %s", s->path, strerror(errno));
	}
	o->stats.rotations++;
	return sink_open_file(s);
}

/* Write the whole pending buffer, keeping what could not be written. */
static int sink_flush(struct pg_output *o, struct pg_sink *s)
{
	size_t off = 0;
	int err = 0;

	while (s->fd >= 0 && off < s->pending.len) {
		ssize_t n = write(s->fd, s->pending.data + off, s->pending.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			o->stats.write_errors++;
			if (!s->warned)
				pg_err("writing events to %s: %s; keeping up to %u MiB pending",
				       s->path ? s->path : "stdout", strerror(-err),
				       PG_SINK_PENDING_MAX >> 20);
			s->warned = true;
			break;
		}
		off += n;
		s->file_size += n;
	}
	if (off) {
		memmove(s->pending.data, s->pending.data + off, s->pending.len - off);
		s->pending.len -= off;
	}
	if (!err && s->warned) {
		pg_info("writing events to %s works again", s->path ? s->path : "stdout");
		s->warned = false;
	}
	return err;
}

static void sink_line(struct pg_output *o, struct pg_sink *s, const char *line, size_t len)
{
	uint64_t used = s->file_size + s->pending.len;

	if (s->pending.len + len + 1 > PG_SINK_PENDING_MAX) {
		sink_flush(o, s);
		if (s->pending.len + len + 1 > PG_SINK_PENDING_MAX) {
			o->stats.dropped++;
			return;
		}
	}
	/* rotate between lines, so a line never straddles two files */
	if (s->path && s->max_size && used && used + len + 1 > s->max_size) {
		if (!sink_flush(o, s) && !s->pending.len)
			if (sink_rotate(o, s))
				pg_err("reopening %s: %s", s->path, strerror(errno));
	}
	pg_buf_put(&s->pending, line, len);
	pg_buf_putc(&s->pending, '\n');
	if (s->pending.failed) {
		o->stats.dropped++;
		s->pending.failed = false;
		return;
	}
	o->stats.lines++;
	if (s->pending.len >= PG_SINK_FLUSH_AT)
		sink_flush(o, s);
}

struct pg_output *pg_output__new(const struct pg_config *cfg)
{
	struct pg_output *o = calloc(1, sizeof(*o));
	int err;

	if (!o)
		return NULL;
	o->stdout_format = cfg->format;
	if (o->stdout_format == PG_FORMAT_AUTO)
		o->stdout_format = isatty(STDOUT_FILENO) ? PG_FORMAT_COMPACT : PG_FORMAT_JSON;
	o->out.fd = STDOUT_FILENO;
	o->file.fd = -1;
	if (cfg->export_path) {
		o->file.path = cfg->export_path;
		o->file.max_size = cfg->export_max_size;
		o->file.backups = cfg->export_backups;
		err = sink_open_file(&o->file);
		if (err) {
			pg_err("cannot open export file %s: %s", cfg->export_path, strerror(-err));
			free(o);
			errno = -err;
			return NULL;
		}
		o->has_file = true;
	}
	return o;
}

void pg_output__free(struct pg_output *o)
{
	if (!o)
		return;
	pg_output__flush(o);
	if (o->file.fd >= 0)
		close(o->file.fd);
	pg_buf_free(&o->out.pending);
	pg_buf_free(&o->file.pending);
	free(o);
}

bool pg_output__wants_json(const struct pg_output *o)
{
	return o->has_file || o->stdout_format == PG_FORMAT_JSON;
}

bool pg_output__wants_compact(const struct pg_output *o)
{
	return o->stdout_format == PG_FORMAT_COMPACT;
}

void pg_output__json(struct pg_output *o, const char *line, size_t len)
{
	if (o->stdout_format == PG_FORMAT_JSON)
		sink_line(o, &o->out, line, len);
	if (o->has_file)
		sink_line(o, &o->file, line, len);
}

void pg_output__compact(struct pg_output *o, const char *line, size_t len)
{
	if (o->stdout_format == PG_FORMAT_COMPACT)
		sink_line(o, &o->out, line, len);
}

int pg_output__flush(struct pg_output *o)
{
	int err = 0, e;

	if (o->out.pending.len && (e = sink_flush(o, &o->out)))
		err = e;
	if (o->has_file && o->file.pending.len && (e = sink_flush(o, &o->file)))
		err = e;
	return err;
}

void pg_output__stats(const struct pg_output *o, struct pg_output_stats *s)
{
	*s = o->stats;
}
