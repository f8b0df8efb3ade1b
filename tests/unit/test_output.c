// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/output.c: where events go and what that may change.
 *
 * Two promises are checked. The export file only changes what the user
 * asked for: a file we create is 0600, a file or device that was there
 * keeps its mode, and only regular files are rotated (always between
 * lines). And no output blocks the caller: a pipe or FIFO whose reader
 * never reads costs bounded memory and counted drops, never a hang, and
 * stdout's shared O_NONBLOCK flag is given back on free.
 *
 * Tests that would hang against blocking writes run under alarm(), whose
 * default action kills the binary: run.sh counts a binary that dies before
 * its summary as a failure, so a regression fails instead of hanging.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "json.h"
#include "output.h"

/* ---- fixture: a private directory, stdout/stderr restored even on failure ---- */

static struct {
	char dir[256];
	int saved_stdout;
	int saved_stderr;
	mode_t saved_umask;
} fx;

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "%s/penguard-output.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx.dir))
		return -1;
	fx.saved_stdout = -1;
	fx.saved_stderr = -1;
	fx.saved_umask = umask(022);
	/* a write that blocks kills the binary instead of hanging the suite */
	alarm(60);
	return 0;
}

static void restore_stdout(void)
{
	if (fx.saved_stdout < 0)
		return;
	dup2(fx.saved_stdout, STDOUT_FILENO);
	close(fx.saved_stdout);
	fx.saved_stdout = -1;
}

static void restore_stderr(void)
{
	if (fx.saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(fx.saved_stderr, STDERR_FILENO);
	close(fx.saved_stderr);
	fx.saved_stderr = -1;
}

static int teardown(void **state)
{
	DIR *d;
	struct dirent *e;

	(void)state;
	alarm(0);
	restore_stdout();
	restore_stderr();
	umask(fx.saved_umask);
	d = opendir(fx.dir);
	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(fx.dir);
	return 0;
}

static void tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", fx.dir, name);
}

/* Point stdout at @fd until teardown (cmocka itself prints on stdout). */
static void redirect_stdout(int fd)
{
	fflush(stdout);
	fx.saved_stdout = dup(STDOUT_FILENO);
	assert_true(fx.saved_stdout >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
}

/* Send the module's diagnostics to the file @path. */
static void capture_stderr(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	fflush(stderr);
	fx.saved_stderr = dup(STDERR_FILENO);
	assert_true(fx.saved_stderr >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static size_t count_substr(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* The whole file into a NUL-terminated buffer, or NULL if it is missing. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	assert_non_null(buf);
	n = read(fd, buf, st.st_size);
	assert_int_equal(n, st.st_size);
	buf[n] = 0;
	close(fd);
	if (len)
		*len = n;
	return buf;
}

static void write_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Event line number @n, exactly @len bytes (len >= 21), no newline:
 * {"n":00000042,"p":"xxx…"} so a reader can check both order and length.
 */
static void make_line(char *buf, size_t len, unsigned int n)
{
	int head = snprintf(buf, len + 1, "{\"n\":%08u,\"p\":\"", n);

	assert_true(head > 0 && (size_t)head + 2 <= len);
	memset(buf + head, 'x', len - head - 2);
	buf[len - 2] = '"';
	buf[len - 1] = '}';
	buf[len] = 0;
}

/*
 * Check that @data holds only complete lines made by make_line(), numbered
 * consecutively from *@next; advance *@next. Returns the number of lines.
 * A pipe may end with part of a line that drain gave up on (@torn_ok).
 */
static size_t check_lines(const char *data, size_t len, unsigned int *next, bool torn_ok)
{
	const char *p = data, *end = data + len;
	size_t lines = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		unsigned int n;

		if (!nl && torn_ok)
			break;
		assert_non_null(nl); /* a torn last line */
		assert_int_equal(sscanf(p, "{\"n\":%8u,", &n), 1);
		assert_int_equal(n, *next);
		assert_memory_equal(nl - 2, "\"}", 2);
		(*next)++;
		lines++;
		p = nl + 1;
	}
	return lines;
}

/*
 * A character device node private to the test, same major/minor as
 * /dev/@name, so a regression that chmods or renames it cannot damage the
 * machine's own /dev/null. Falls back to the real one where mknod is not
 * allowed (not root, or a nodev mount).
 */
static void private_device(char *buf, size_t size, const char *name, unsigned int minor)
{
	int fd;

	tmp_path(buf, size, name);
	if (!mknod(buf, S_IFCHR | 0666, makedev(1, minor)) && !chmod(buf, 0666)) {
		fd = open(buf, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			return;
		}
	}
	unlink(buf);
	snprintf(buf, size, "/dev/%s", name);
}

static struct pg_output *new_output(enum pg_format format, const char *export_path,
				    uint64_t max_size, uint32_t backups)
{
	struct pg_config cfg;

	pg_config_init(&cfg);
	cfg.format = format;
	cfg.export_path = export_path;
	if (max_size)
		cfg.export_max_size = max_size;
	cfg.export_backups = backups;
	return pg_output__new(&cfg);
}

/* ---- export: what it may change ---- */

/* A device is written as is: not chmod'ed, and never rotated (renamed). */
static void test_output_export_char_device_untouched(void **state)
{
	char dev[300], rotated[310], line[64];
	struct pg_output_stats s;
	struct pg_output *o;
	struct stat before, after;
	unsigned int i;
	int ep;

	(void)state;
	private_device(dev, sizeof(dev), "null", 3);
	assert_int_equal(stat(dev, &before), 0);
	o = new_output(PG_FORMAT_NONE, dev, 64, 2);
	assert_non_null(o);
	/* no poll support: skipped, not an error (it never blocks either) */
	ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	assert_int_equal(pg_output__epoll_add(o, ep, 1), 0);
	close(ep);
	for (i = 0; i < 1000; i++) {
		make_line(line, 50, i);
		pg_output__json(o, line, 50);
	}
	assert_int_equal(pg_output__flush(o), 0);
	pg_output__stats(o, &s);
	pg_output__free(o);

	assert_int_equal(stat(dev, &after), 0);
	if (after.st_mode != before.st_mode && !strncmp(dev, "/dev/", 5))
		chmod(dev, before.st_mode & 07777); /* undo the damage, then fail */
	assert_true(S_ISCHR(after.st_mode));
	assert_int_equal(after.st_mode, before.st_mode);
	assert_int_equal(after.st_rdev, before.st_rdev);
	snprintf(rotated, sizeof(rotated), "%s.1", dev);
	assert_false(exists(rotated));
	assert_int_equal(s.export.lines, 1000);
	assert_int_equal(s.export.rotations, 0);
	assert_int_equal(s.export.dropped, 0);
	assert_int_equal(s.export.pending_bytes, 0);
	assert_int_equal(s.rotations, 0);
}

/* An existing file is the user's: its mode stays, with one warning when loose. */
static void test_output_export_existing_file_keeps_mode(void **state)
{
	char path[300], log[300], *data, *msgs;
	struct pg_output *o;

	(void)state;
	tmp_path(path, sizeof(path), "events.json");
	tmp_path(log, sizeof(log), "stderr.log");
	write_file(path, "old\n", 0644);
	capture_stderr(log);
	o = new_output(PG_FORMAT_NONE, path, 0, 5);
	assert_non_null(o);
	pg_output__json(o, "{\"a\":1}", 7);
	pg_output__json(o, "{\"a\":2}", 7);
	pg_output__free(o);
	restore_stderr();

	assert_int_equal(mode_of(path), 0644);
	data = slurp(path, NULL);
	assert_string_equal(data, "old\n{\"a\":1}\n{\"a\":2}\n");
	msgs = slurp(log, NULL);
	assert_int_equal(count_substr(msgs,
				      "is readable by other users (mode 644); penguard leaves "
				      "it as is"),
			 1);
	free(data);
	free(msgs);
}

static void test_output_export_private_file_no_warning(void **state)
{
	char path[300], log[300], *msgs;
	struct pg_output *o;

	(void)state;
	tmp_path(path, sizeof(path), "events.json");
	tmp_path(log, sizeof(log), "stderr.log");
	write_file(path, "", 0600);
	capture_stderr(log);
	o = new_output(PG_FORMAT_NONE, path, 0, 5);
	assert_non_null(o);
	pg_output__free(o);
	restore_stderr();
	assert_int_equal(mode_of(path), 0600);
	msgs = slurp(log, NULL);
	assert_int_equal(count_substr(msgs, "other users"), 0);
	free(msgs);
}

static void test_output_export_new_file_is_0600(void **state)
{
	char path[300], *data;
	struct pg_output *o;

	(void)state;
	tmp_path(path, sizeof(path), "new.json");
	umask(022); /* would give 0644 to a file created 0666 */
	o = new_output(PG_FORMAT_NONE, path, 0, 5);
	assert_non_null(o);
	assert_int_equal(mode_of(path), 0600);
	pg_output__json(o, "{}", 2);
	pg_output__free(o);
	assert_int_equal(mode_of(path), 0600);
	data = slurp(path, NULL);
	assert_string_equal(data, "{}\n");
	free(data);
}

/* Symbolic links are not followed, and their target is not created. */
static void test_output_export_symlink_refused(void **state)
{
	char link[300], target[300];
	struct pg_output *o;

	(void)state;
	tmp_path(link, sizeof(link), "link.json");
	tmp_path(target, sizeof(target), "target.json");
	assert_int_equal(symlink(target, link), 0);
	o = new_output(PG_FORMAT_NONE, link, 0, 5);
	assert_null(o);
	assert_int_equal(errno, ELOOP);
	assert_false(exists(target));
}

/*
 * Lines of 24..144 bytes and one longer than the limit: every file holds
 * whole lines only, stays within max_size unless it holds a single line,
 * and the files read oldest to newest give back the last lines in order.
 */
static void test_output_export_rotation_keeps_whole_lines(void **state)
{
	enum { MAX = 256, BACKUPS = 3, LINES = 80 };
	char path[300], name[320], line[400];
	struct pg_output_stats s;
	struct pg_output *o;
	unsigned int i, next = 0, first = 0;
	size_t total = 0;
	int k;

	(void)state;
	tmp_path(path, sizeof(path), "rot.json");
	o = new_output(PG_FORMAT_NONE, path, MAX, BACKUPS);
	assert_non_null(o);
	for (i = 0; i < LINES; i++) {
		size_t len = i == LINES - 3 ? 300 : 24 + (i * 37) % 121;

		make_line(line, len, i);
		pg_output__json(o, line, len);
	}
	assert_int_equal(pg_output__flush(o), 0);
	pg_output__stats(o, &s);
	pg_output__free(o);
	assert_true(s.export.rotations > BACKUPS);
	assert_int_equal(s.rotations, s.export.rotations);
	assert_int_equal(s.export.lines, LINES);

	/* the oldest kept file starts a line; find its number first */
	snprintf(name, sizeof(name), "%s.%d", path, BACKUPS + 1);
	assert_false(exists(name));
	for (k = BACKUPS; k >= 0; k--) {
		size_t len, lines;
		char *data;

		if (k)
			snprintf(name, sizeof(name), "%s.%d", path, k);
		else
			snprintf(name, sizeof(name), "%s", path);
		data = slurp(name, &len);
		assert_non_null(data);
		assert_true(len > 0);
		assert_int_equal(data[len - 1], '\n');
		assert_int_equal(mode_of(name), 0600); /* every file is one we created */
		if (k == BACKUPS) {
			assert_int_equal(sscanf(data, "{\"n\":%8u,", &first), 1);
			next = first;
		}
		lines = check_lines(data, len, &next, false);
		assert_true(len <= MAX || lines == 1);
		total += lines;
		free(data);
	}
	assert_int_equal(next, LINES); /* the newest file ends with the last line */
	assert_int_equal(total, LINES - first);
}

/* Pages of the first @len bytes of @path in the page cache, in percent. */
static unsigned int cached_percent(const char *path, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = len / page, i, in = 0;
	unsigned char *vec = calloc(n, 1);
	int fd = open(path, O_RDONLY);
	void *map;

	assert_non_null(vec);
	assert_true(fd >= 0);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mincore(map, len, vec), 0);
	for (i = 0; i < n; i++)
		in += vec[i] & 1;
	munmap(map, len);
	close(fd);
	free(vec);
	return (unsigned int)(in * 100 / n);
}

/*
 * What the export wrote leaves the page cache once written back: a busy
 * host's agent must not fill the cache with its log. Made deterministic by
 * an fsync between the chunks: the first chunk is clean when the agent
 * advises the kernel to drop it, after writing the next.
 */
static void test_output_export_leaves_page_cache(void **state)
{
	enum { CHUNK = 8 << 20, LEN = 1000 };
	char path[300], line[LEN + 1];
	struct pg_output *o;
	struct statfs sfs;
	unsigned int i, n = 0;
	int fd;

	(void)state;
	tmp_path(path, sizeof(path), "cache.json");
	if (statfs(fx.dir, &sfs) == 0 && sfs.f_type == 0x01021994 /* TMPFS_MAGIC */)
		skip(); /* tmpfs pages are the file: nothing to drop */
	o = new_output(PG_FORMAT_NONE, path, 1ULL << 30, 1);
	assert_non_null(o);
	for (i = 0; i < CHUNK / (LEN + 1) + 1; i++, n++) {
		make_line(line, LEN, n);
		pg_output__json(o, line, LEN);
	}
	assert_int_equal(pg_output__flush(o), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fsync(fd), 0);
	close(fd);
	assert_true(cached_percent(path, CHUNK) > 90); /* written, not dropped yet */
	for (i = 0; i < CHUNK / (LEN + 1) + 1; i++, n++) {
		make_line(line, LEN, n);
		pg_output__json(o, line, LEN);
	}
	assert_int_equal(pg_output__flush(o), 0);
	assert_true(cached_percent(path, CHUNK) < 10);
	pg_output__free(o);
}

/* The file that was there is rotated away with its own mode; the new one is ours. */
static void test_output_export_rotation_leaves_old_file_mode(void **state)
{
	char path[300], old[310], line[128], big[201], *data;
	struct pg_output_stats s;
	struct pg_output *o;

	(void)state;
	tmp_path(path, sizeof(path), "rot.json");
	snprintf(old, sizeof(old), "%s.1", path);
	memset(big, 'o', 199);
	big[199] = '\n';
	big[200] = 0;
	write_file(path, big, 0644);
	o = new_output(PG_FORMAT_NONE, path, 256, 1);
	assert_non_null(o);
	make_line(line, 100, 0);
	pg_output__json(o, line, 100);
	assert_int_equal(pg_output__flush(o), 0);
	pg_output__stats(o, &s);
	pg_output__free(o);

	assert_int_equal(s.export.rotations, 1);
	assert_int_equal(mode_of(old), 0644);
	data = slurp(old, NULL);
	assert_string_equal(data, big);
	free(data);
	assert_int_equal(mode_of(path), 0600);
	data = slurp(path, NULL);
	assert_int_equal(strlen(data), 101);
	assert_memory_equal(data, line, 100);
	free(data);
}

/* A full device: data stays pending and is counted, drain gives up at once. */
static void test_output_export_write_error_pending_then_dropped(void **state)
{
	char dev[300], line[64];
	struct pg_output_stats s;
	struct pg_output *o;
	struct stat before, after;
	unsigned int i;
	int64_t t0;

	(void)state;
	private_device(dev, sizeof(dev), "full", 7);
	assert_int_equal(stat(dev, &before), 0);
	o = new_output(PG_FORMAT_NONE, dev, 64, 2);
	assert_non_null(o);
	for (i = 0; i < 10; i++) {
		make_line(line, 40, i);
		pg_output__json(o, line, 40);
	}
	assert_int_equal(pg_output__flush(o), -ENOSPC);
	pg_output__stats(o, &s);
	assert_int_equal(s.export.lines, 10);
	assert_int_equal(s.export.dropped, 0);
	assert_int_equal(s.export.pending_bytes, 10 * 41);
	assert_true(s.export.write_errors >= 1);
	assert_int_equal(s.export.rotations, 0);

	t0 = now_ms();
	assert_int_equal(pg_output__drain(o, 5000), -ENOSPC);
	assert_true(now_ms() - t0 < 1000); /* waiting does not empty a full disk */
	pg_output__stats(o, &s);
	assert_int_equal(s.export.dropped, 10);
	assert_int_equal(s.export.pending_bytes, 0);
	pg_output__free(o);
	assert_int_equal(stat(dev, &after), 0);
	if (after.st_mode != before.st_mode && !strncmp(dev, "/dev/", 5))
		chmod(dev, before.st_mode & 07777);
	assert_int_equal(after.st_mode, before.st_mode);
}

/* ---- no output blocks the caller ---- */

#define BIG_LINE 1023
#define BIG_LINES (64u << 10) /* 64 MiB with the newlines */

/* Read everything the pipe holds without blocking; returns a malloc'ed buffer. */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	assert_non_null(buf);
	assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += r;
	}
	*len = n;
	return buf;
}

/*
 * stdout is a pipe nobody reads, plus a regular export file: 64 MiB of
 * events return at once, stdout keeps at most PG_SINK_PENDING_MAX and
 * counts its drops, the export file loses nothing, and the final drain
 * gives up within its timeout. What reached the pipe is whole lines.
 */
static void test_output_stdout_stalled_pipe_never_blocks(void **state)
{
	char path[300], line[BIG_LINE + 1], *got;
	struct pg_output_stats s;
	struct pg_output *o;
	struct stat st;
	unsigned int i, next = 0;
	size_t len, received;
	int p[2], r;
	int64_t t0, elapsed;

	(void)state;
	tmp_path(path, sizeof(path), "all.json");
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	redirect_stdout(p[1]);
	o = new_output(PG_FORMAT_JSON, path, 0, 5);
	assert_non_null(o);

	t0 = now_ms();
	for (i = 0; i < BIG_LINES; i++) {
		make_line(line, BIG_LINE, i);
		pg_output__json(o, line, BIG_LINE);
	}
	r = pg_output__flush(o);
	elapsed = now_ms() - t0;
	assert_true(elapsed < 5000);
	assert_int_equal(r, -EAGAIN);

	pg_output__stats(o, &s);
	assert_int_equal(s.out.lines + s.out.dropped, BIG_LINES);
	assert_true(s.out.pending_bytes > 0);
	assert_true(s.out.pending_bytes <= PG_SINK_PENDING_MAX);
	/* 16 MiB pending plus at most 1 MiB in the pipe: the rest was dropped */
	assert_true(s.out.dropped >= BIG_LINES - ((17u << 20) / (BIG_LINE + 1)));
	assert_int_equal(s.out.write_errors, 0); /* a full pipe is not an error */
	assert_int_equal(s.export.lines, BIG_LINES);
	assert_int_equal(s.export.dropped, 0);
	assert_int_equal(s.export.pending_bytes, 0);
	assert_int_equal(s.dropped, s.out.dropped);
	assert_int_equal(s.lines, s.out.lines + s.export.lines);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, (off_t)BIG_LINES * (BIG_LINE + 1));

	t0 = now_ms();
	assert_int_equal(pg_output__drain(o, 200), -ETIMEDOUT);
	elapsed = now_ms() - t0;
	assert_true(elapsed >= 150);
	assert_true(elapsed < 1000);
	pg_output__stats(o, &s);
	assert_int_equal(s.out.pending_bytes, 0);
	pg_output__free(o);
	restore_stdout();
	close(p[1]);

	/* every line is either in the pipe, whole and in order, or counted as dropped */
	got = read_all(p[0], &len);
	received = check_lines(got, len, &next, true);
	assert_true(received > 0);
	assert_int_equal(received + s.out.dropped, BIG_LINES);
	free(got);
	close(p[0]);
}

/* A FIFO export: non-blocking, never rotated or chmod'ed, drops counted. */
static void test_output_export_fifo_never_blocks(void **state)
{
	char fifo[300], rotated[310], line[BIG_LINE + 1], *got;
	struct pg_output_stats s;
	struct pg_output *o;
	struct stat st;
	unsigned int i, next = 0;
	size_t len;
	int rfd;
	int64_t t0;

	(void)state;
	tmp_path(fifo, sizeof(fifo), "events.fifo");
	snprintf(rotated, sizeof(rotated), "%s.1", fifo);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rfd >= 0);
	o = new_output(PG_FORMAT_NONE, fifo, 4096, 2);
	assert_non_null(o);

	t0 = now_ms();
	for (i = 0; i < BIG_LINES; i++) {
		make_line(line, BIG_LINE, i);
		pg_output__json(o, line, BIG_LINE);
	}
	assert_true(now_ms() - t0 < 5000);
	pg_output__stats(o, &s);
	assert_true(s.export.dropped > 0);
	assert_int_equal(s.export.lines + s.export.dropped, BIG_LINES);
	assert_int_equal(s.export.rotations, 0);
	t0 = now_ms();
	assert_int_equal(pg_output__drain(o, 200), -ETIMEDOUT);
	assert_true(now_ms() - t0 < 1000);
	pg_output__stats(o, &s);
	pg_output__free(o);

	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_false(exists(rotated));
	got = read_all(rfd, &len);
	assert_int_equal(check_lines(got, len, &next, true) + s.export.dropped, BIG_LINES);
	free(got);
	close(rfd);
}

/* O_NONBLOCK is ours only while the output lives: a blocking stdout gets it back. */
static void test_output_stdout_nonblock_restored(void **state)
{
	struct pg_output *o;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	redirect_stdout(p[1]);
	assert_int_equal(fcntl(STDOUT_FILENO, F_GETFL) & O_NONBLOCK, 0);
	o = new_output(PG_FORMAT_COMPACT, NULL, 0, 0);
	assert_non_null(o);
	assert_int_not_equal(fcntl(STDOUT_FILENO, F_GETFL) & O_NONBLOCK, 0);
	pg_output__compact(o, "x", 1);
	pg_output__free(o);
	/* the description is shared: the other end of the dup sees it too */
	assert_int_equal(fcntl(STDOUT_FILENO, F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
	restore_stdout();
	close(p[0]);
	close(p[1]);
}

/* A stdout that was already non-blocking stays so: we restore, not clear. */
static void test_output_stdout_nonblock_kept(void **state)
{
	struct pg_output *o;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	redirect_stdout(p[1]);
	o = new_output(PG_FORMAT_JSON, NULL, 0, 0);
	assert_non_null(o);
	pg_output__free(o);
	assert_int_not_equal(fcntl(STDOUT_FILENO, F_GETFL) & O_NONBLOCK, 0);
	restore_stdout();
	close(p[0]);
	close(p[1]);
}

/* With no events on stdout, its flags are not ours to touch. */
static void test_output_stdout_unused_left_alone(void **state)
{
	struct pg_output *o;
	int p[2], ep;

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	redirect_stdout(p[1]);
	o = new_output(PG_FORMAT_NONE, NULL, 0, 0);
	assert_non_null(o);
	assert_int_equal(fcntl(STDOUT_FILENO, F_GETFL) & O_NONBLOCK, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	assert_int_equal(pg_output__epoll_add(o, ep, 1), 0);
	/* nothing registered: stdout is still free to add */
	{
		struct epoll_event ev = { .events = EPOLLOUT };

		assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, STDOUT_FILENO, &ev), 0);
	}
	close(ep);
	pg_output__free(o);
	restore_stdout();
	close(p[0]);
	close(p[1]);
}

/*
 * epoll reports a stalled pipe with the caller's tag once the reader makes
 * room, and a flush then makes progress; the regular export file is skipped
 * (adding it to epoll would fail with EPERM).
 */
static void test_output_epoll_wakes_when_reader_drains(void **state)
{
	const uint64_t tag = 0xfeed00000000beefULL;
	char path[300], line[BIG_LINE + 1], sink[1 << 16];
	struct pg_output_stats before, after;
	struct epoll_event ev;
	struct pg_output *o;
	unsigned int i;
	int p[2], ep;
	ssize_t r;

	(void)state;
	tmp_path(path, sizeof(path), "all.json");
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	redirect_stdout(p[1]);
	o = new_output(PG_FORMAT_JSON, path, 0, 5);
	assert_non_null(o);
	ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	assert_int_equal(pg_output__epoll_add(o, ep, tag), 0);

	/* fill the pipe and keep some pending */
	for (i = 0; i < 1024; i++) {
		make_line(line, BIG_LINE, i);
		pg_output__json(o, line, BIG_LINE);
	}
	assert_int_equal(pg_output__flush(o), -EAGAIN);
	while (epoll_wait(ep, &ev, 1, 0) > 0)
		; /* the edge reported when added */
	assert_int_equal(epoll_wait(ep, &ev, 1, 0), 0);
	pg_output__stats(o, &before);
	assert_true(before.out.pending_bytes > 0);

	r = read(p[0], sink, sizeof(sink));
	assert_true(r > 0);
	assert_int_equal(epoll_wait(ep, &ev, 1, 1000), 1);
	assert_true(ev.events & EPOLLOUT);
	assert_true(ev.data.u64 == tag);
	pg_output__flush(o);
	pg_output__stats(o, &after);
	assert_true(after.out.pending_bytes < before.out.pending_bytes);

	close(ep);
	pg_output__free(o);
	restore_stdout();
	close(p[0]);
	close(p[1]);
}

/* Regular files everywhere: nothing to poll, and that is not an error. */
static void test_output_epoll_skips_regular_files(void **state)
{
	char out[300], path[300];
	struct epoll_event ev;
	struct pg_output *o;
	int fd, ep;

	(void)state;
	tmp_path(out, sizeof(out), "stdout.txt");
	tmp_path(path, sizeof(path), "all.json");
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	redirect_stdout(fd);
	close(fd);
	o = new_output(PG_FORMAT_JSON, path, 0, 5);
	assert_non_null(o);
	assert_int_equal(fcntl(STDOUT_FILENO, F_GETFL) & O_NONBLOCK, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	assert_int_equal(pg_output__epoll_add(o, ep, 7), 0);
	assert_int_equal(epoll_wait(ep, &ev, 1, 0), 0);
	pg_output__json(o, "{}", 2);
	assert_int_equal(pg_output__drain(o, 100), 0);
	close(ep);
	pg_output__free(o);
	restore_stdout();
	assert_int_equal(mode_of(out), 0600);
}

/* ---- statistics ---- */

static void check_stats_json(struct pg_output *o, const char *want)
{
	struct pg_buf b;
	struct pg_json *w;

	pg_buf_init(&b);
	w = pg_json__new(&b);
	assert_non_null(w);
	pg_json__begin_object(w);
	pg_json__key(w, "output");
	pg_output__stats_json(o, w);
	pg_json__end_object(w);
	assert_false(b.failed);
	assert_string_equal(b.data, want);
	pg_json__free(w);
	pg_buf_free(&b);
}

static void test_output_stats_json(void **state)
{
	char path[300];
	struct pg_output *o;
	int p[2];

	(void)state;
	tmp_path(path, sizeof(path), "all.json");
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	redirect_stdout(p[1]);

	o = new_output(PG_FORMAT_JSON, NULL, 0, 0);
	assert_non_null(o);
	pg_output__json(o, "{}", 2);
	assert_int_equal(pg_output__flush(o), 0);
	check_stats_json(o, "{\"output\":{\"lines\":1,\"dropped\":0,\"write_errors\":0,"
			    "\"rotations\":0,\"stdout\":{\"lines\":1,\"dropped\":0,"
			    "\"write_errors\":0,\"pending_bytes\":0},\"clients\":{\"connected\":0,"
			    "\"accepted\":0,\"refused\":0,\"lines\":0,\"dropped\":0}}}");
	pg_output__free(o);

	o = new_output(PG_FORMAT_JSON, path, 8, 1);
	assert_non_null(o);
	pg_output__json(o, "{\"a\":1}", 7);
	pg_output__json(o, "{\"a\":2}", 7);
	check_stats_json(o, "{\"output\":{\"lines\":4,\"dropped\":0,\"write_errors\":0,"
			    "\"rotations\":1,\"stdout\":{\"lines\":2,\"dropped\":0,"
			    "\"write_errors\":0,\"pending_bytes\":16},\"export\":{\"lines\":2,"
			    "\"dropped\":0,\"write_errors\":0,\"rotations\":1,"
			    "\"pending_bytes\":8},\"clients\":{\"connected\":0,\"accepted\":0,"
			    "\"refused\":0,\"lines\":0,\"dropped\":0}}}");
	pg_output__free(o);
	restore_stdout();
	close(p[0]);
	close(p[1]);
}

/* ---- clients of the event stream ---- */

/*
 * A client that reads nothing loses lines past its bound; when it reads
 * again it is told how many before the next line, and the count it is
 * told is the count the stats give.
 */
static void test_output_client_told_of_its_loss(void **state)
{
	static char line[1024];
	struct pg_output_stats st;
	struct pg_output *o;
	uint64_t told = 0, got = 0;
	char *buf, *p, *nl;
	size_t cap = 16u << 20, len = 0;
	ssize_t n;
	int sv[2], ep, i;

	(void)state;
	memset(line, 'x', sizeof(line) - 1);
	line[0] = '{';
	line[sizeof(line) - 2] = '}';
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	o = new_output(PG_FORMAT_NONE, NULL, 0, 0);
	assert_non_null(o);
	assert_false(pg_output__wants_json(o));
	assert_int_equal(pg_output__add_client(o, sv[0], PG_FORMAT_JSON, 1, ep, 7), 0);
	assert_true(pg_output__wants_json(o));
	assert_false(pg_output__wants_compact(o));
	/* twice the bound, never read: the loop is never blocked */
	for (i = 0; i < (int)(2 * PG_CLIENT_PENDING_MAX / sizeof(line)); i++)
		pg_output__json(o, line, sizeof(line) - 1);
	pg_output__stats(o, &st);
	assert_true(st.clients.dropped > 0);
	assert_int_equal(st.dropped, 0); /* not stdout's or the export's */
	buf = malloc(cap);
	assert_non_null(buf);
	/* read all, let it flush, then one more line carries the news */
	for (i = 0; i < 1000; i++) {
		while ((n = read(sv[1], buf + len, cap - len)) > 0)
			len += (size_t)n;
		pg_output__flush(o);
	}
	pg_output__json(o, "{\"last\":1}", 10);
	pg_output__flush(o);
	while ((n = read(sv[1], buf + len, cap - len)) > 0)
		len += (size_t)n;
	for (p = buf; p < buf + len && (nl = memchr(p, '\n', buf + len - p)); p = nl + 1) {
		if (!strncmp(p, "{\"events_lost\":{\"count\":\"", 25))
			told += strtoull(p + 25, NULL, 10);
		else
			got++;
	}
	pg_output__stats(o, &st);
	assert_int_equal(told, st.clients.dropped);
	assert_int_equal(got, st.clients.lines); /* the news is not an event */
	assert_true(len > 10 && !memcmp(buf + len - 11, "{\"last\":1}\n", 11));
	free(buf);
	pg_output__free(o);
	close(sv[1]);
	close(ep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_output_export_char_device_untouched),
		T(test_output_export_existing_file_keeps_mode),
		T(test_output_export_private_file_no_warning),
		T(test_output_export_new_file_is_0600),
		T(test_output_export_symlink_refused),
		T(test_output_export_rotation_keeps_whole_lines),
		T(test_output_export_rotation_leaves_old_file_mode),
		T(test_output_export_leaves_page_cache),
		T(test_output_export_write_error_pending_then_dropped),
		T(test_output_stdout_stalled_pipe_never_blocks),
		T(test_output_export_fifo_never_blocks),
		T(test_output_stdout_nonblock_restored),
		T(test_output_stdout_nonblock_kept),
		T(test_output_stdout_unused_left_alone),
		T(test_output_epoll_wakes_when_reader_drains),
		T(test_output_epoll_skips_regular_files),
		T(test_output_stats_json),
		T(test_output_client_told_of_its_loss),
#undef T
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
