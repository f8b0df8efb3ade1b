// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/sensors/file.c: the decoder refuses every length
 * that does not fit the record, user paths are joined and normalised as
 * the policy engine expects them (absolute, no ".", "..", "//"), and each
 * of the ten event types renders as docs/EVENTS-FILE.md says. Records go
 * through pg_agent_dispatch(), as the ring buffer hands them over; the
 * JSON line is read back from the agent's line buffer, and checked with
 * jq where it is installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "sensors/file.h"

/* ---- building records ---- */

struct rec {
	union {
		uint64_t align;
		uint8_t bytes[sizeof(struct pg_file_event) + 4 * PG_PATH_MAX + 64];
	} buf;
	struct pg_file_event *e; /* at buf */
	size_t size;
};

/* A record of @type with its four strings (NULL: empty), sizes consistent. */
static void rec_init(struct rec *r, uint16_t type, const char *path, const char *path2,
		     const char *base, const char *base2)
{
	const char *s[4] = { path, path2, base, base2 };
	uint16_t *lens[4];
	size_t i, off = sizeof(*r->e);

	memset(r, 0, sizeof(*r));
	r->e = (struct pg_file_event *)r->buf.bytes;
	lens[0] = &r->e->path_len;
	lens[1] = &r->e->path2_len;
	lens[2] = &r->e->base_len;
	lens[3] = &r->e->base2_len;
	r->e->hdr.type = type;
	r->e->hdr.ktime = 1000000000ULL;
	r->e->task.proc.pid = 4242;
	r->e->task.proc.ktime = 5000;
	r->e->task.parent.pid = 1;
	r->e->task.parent.ktime = 1;
	r->e->task.tid = 4242;
	r->e->task.ppid = 1;
	memcpy(r->e->comm, "cat", 3);
	for (i = 0; i < 4; i++) {
		size_t n = s[i] ? strlen(s[i]) : 0;

		memcpy(r->buf.bytes + off, s[i] ? s[i] : "", n);
		*lens[i] = n;
		off += n;
	}
	r->size = off;
	r->e->hdr.size = off;
}

/* A regular file with an inode, as the kernel resolves one. */
static void rec_inode(struct rec *r)
{
	r->e->ino = 1234567;
	r->e->dev = (8U << 20) | 1; /* 8:1 */
	r->e->mode = S_IFREG | 0640;
	r->e->uid = 0;
	r->e->gid = 42;
}

/* ---- the agent under test ---- */

static struct {
	struct pg_config cfg;
	struct pg_agent a;
	int saved_stdout;
	int devnull;
} fx;

static int setup(void **state)
{
	(void)state;
	pg_log_level = PG_LOG_ERROR;
	pg_config_init(&fx.cfg);
	/* compact on stdout: the agent builds both lines, JSON and compact */
	fx.cfg.format = PG_FORMAT_COMPACT;
	fx.cfg.cache_size = 64;
	fx.devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fx.devnull < 0)
		return -1;
	fflush(stdout);
	fx.saved_stdout = dup(STDOUT_FILENO);
	dup2(fx.devnull, STDOUT_FILENO);
	if (pg_agent_init(&fx.a, &fx.cfg))
		return -1;
	fflush(stdout);
	dup2(fx.saved_stdout, STDOUT_FILENO);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fflush(stdout);
	dup2(fx.devnull, STDOUT_FILENO);
	pg_agent_fini(&fx.a);
	dup2(fx.saved_stdout, STDOUT_FILENO);
	close(fx.saved_stdout);
	close(fx.devnull);
	return 0;
}

/*
 * Dispatch one record; the events the agent writes go to /dev/null (cmocka
 * prints on stdout). Returns whether an event line was built.
 */
static bool dispatch(const void *rec, size_t size)
{
	uint64_t before = fx.a.malformed;

	pg_buf_reset(&fx.a.line);
	pg_buf_reset(&fx.a.compact);
	fflush(stdout);
	dup2(fx.devnull, STDOUT_FILENO);
	pg_agent_dispatch(&fx.a, rec, size);
	pg_output__flush(fx.a.out);
	dup2(fx.saved_stdout, STDOUT_FILENO);
	/* PG_TEST_SHOW=1: see what is rendered */
	if (getenv("PG_TEST_SHOW") && fx.a.line.len)
		print_message("%s\n%s\n", fx.a.line.data,
			      fx.a.compact.len ? fx.a.compact.data : "");
	return fx.a.malformed == before && fx.a.line.len > 0;
}

/* jq -e @filter on the last line; true when jq is missing (substrings still checked). */
static bool jq(const char *filter)
{
	char path[] = "/tmp/penguard-test-file.XXXXXX";
	char cmd[1024];
	int fd, rc;

	if (system("command -v jq >/dev/null 2>&1"))
		return true;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fx.a.line.data, fx.a.line.len), (ssize_t)fx.a.line.len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "jq -e '%s' %s >/dev/null 2>&1", filter, path);
	rc = system(cmd);
	unlink(path);
	if (rc)
		print_error("jq -e '%s' failed on: %s\n", filter, fx.a.line.data);
	return rc == 0;
}

#define assert_line_has(s)                                                                         \
	do {                                                                                       \
		if (!strstr(fx.a.line.data, (s)))                                                  \
			fail_msg("%s not in %s", (s), fx.a.line.data);                             \
	} while (0)

#define assert_compact_has(s)                                                                      \
	do {                                                                                       \
		if (!strstr(fx.a.compact.data, (s)))                                               \
			fail_msg("%s not in compact %s", (s), fx.a.compact.data);                  \
	} while (0)

/* ---- decoding ---- */

static void test_file_decode_valid(void **state)
{
	struct pg_file_view v;
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_RENAME, "a", "bb", "/ccc", "/dddd");
	assert_int_equal(pg_file_decode(r.e, r.size, &v), 0);
	assert_memory_equal(v.path, "a", 1);
	assert_memory_equal(v.path2, "bb", 2);
	assert_memory_equal(v.base, "/ccc", 4);
	assert_memory_equal(v.base2, "/dddd", 5);
	/* extra bytes after the strings (ring buffer rounding) are fine */
	assert_int_equal(pg_file_decode(r.e, r.size + 8, &v), 0);
}

static void test_file_decode_rejects_short_record(void **state)
{
	struct pg_file_view v;
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_OPEN, NULL, NULL, NULL, NULL);
	assert_int_equal(pg_file_decode(r.e, sizeof(*r.e), &v), 0);
	assert_int_equal(pg_file_decode(r.e, sizeof(*r.e) - 1, &v), -EBADMSG);
	assert_int_equal(pg_file_decode(r.e, 0, &v), -EBADMSG);
}

/* Each length one byte longer than the record holds: refused. */
static void test_file_decode_rejects_each_overlong_length(void **state)
{
	struct pg_file_view v;
	struct rec r;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		rec_init(&r, PG_EVENT_FILE_RENAME, "/p", "/q", "/b", "/c");
		switch (i) {
		case 0: r.e->path_len++; break;
		case 1: r.e->path2_len++; break;
		case 2: r.e->base_len++; break;
		case 3: r.e->base2_len++; break;
		}
		assert_int_equal(pg_file_decode(r.e, r.size, &v), -EBADMSG);
		/* with the byte there, it fits */
		assert_int_equal(pg_file_decode(r.e, r.size + 1, &v), 0);
	}
}

/* Each length at PG_PATH_MAX is refused even when the record is long enough. */
static void test_file_decode_rejects_path_max(void **state)
{
	static struct rec r;
	struct pg_file_view v;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		rec_init(&r, PG_EVENT_FILE_RENAME, NULL, NULL, NULL, NULL);
		memset(r.e->data, 'x', PG_PATH_MAX);
		r.size = sizeof(*r.e) + PG_PATH_MAX;
		switch (i) {
		case 0: r.e->path_len = PG_PATH_MAX; break;
		case 1: r.e->path2_len = PG_PATH_MAX; break;
		case 2: r.e->base_len = PG_PATH_MAX; break;
		case 3: r.e->base2_len = PG_PATH_MAX; break;
		}
		assert_int_equal(pg_file_decode(r.e, r.size, &v), -EBADMSG);
		switch (i) {
		case 0: r.e->path_len--; break;
		case 1: r.e->path2_len--; break;
		case 2: r.e->base_len--; break;
		case 3: r.e->base2_len--; break;
		}
		assert_int_equal(pg_file_decode(r.e, r.size, &v), 0);
	}
}

/* The lengths add up past the record though each alone fits; u16 sums cannot wrap. */
static void test_file_decode_rejects_sum(void **state)
{
	struct pg_file_view v;
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_RENAME, NULL, NULL, NULL, NULL);
	r.size = sizeof(*r.e) + 100;
	r.e->path_len = 60;
	r.e->path2_len = 41;
	assert_int_equal(pg_file_decode(r.e, r.size, &v), -EBADMSG);
	r.e->path_len = r.e->path2_len = r.e->base_len = r.e->base2_len = 0xffff;
	assert_int_equal(pg_file_decode(r.e, sizeof(r.buf), &v), -EBADMSG);
	r.e->path_len = 40;
	r.e->path2_len = 60;
	r.e->base_len = r.e->base2_len = 0;
	assert_int_equal(pg_file_decode(r.e, r.size, &v), 0);
}

/* Through the dispatcher: bad records are counted, never rendered. */
static void test_file_dispatch_counts_malformed(void **state)
{
	uint64_t before = fx.a.malformed;
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_OPEN, "/etc/shadow", NULL, NULL, NULL);
	r.e->path_len = 200; /* past the record's end */
	assert_false(dispatch(r.e, r.size));
	assert_int_equal(fx.a.malformed, before + 1);
	/* a header shorter than the fixed part */
	rec_init(&r, PG_EVENT_FILE_OPEN, NULL, NULL, NULL, NULL);
	r.e->hdr.size = sizeof(*r.e) - 1;
	assert_false(dispatch(r.e, r.size));
	assert_int_equal(fx.a.malformed, before + 2);
}

/* ---- joining and normalising user paths ---- */

static void check_join(const char *base, const char *path, const char *want)
{
	struct pg_buf b;

	pg_buf_init(&b);
	assert_int_equal(pg_file_join_path(&b, base, strlen(base), path, strlen(path)), 0);
	if (strcmp(b.data, want))
		fail_msg("join(\"%s\", \"%s\") = \"%s\", want \"%s\"", base, path, b.data, want);
	pg_buf_free(&b);
}

static void test_file_join_relative(void **state)
{
	(void)state;
	check_join("/home/u", "notes.txt", "/home/u/notes.txt");
	check_join("/home/u/", "notes.txt", "/home/u/notes.txt");
	check_join("/", "etc/passwd", "/etc/passwd");
	check_join("/home/u", "a/b/c", "/home/u/a/b/c");
	check_join("/home/u", "dir/", "/home/u/dir");
}

/* An absolute string's base is the process's root: "/", or a chroot's */
static void test_file_join_absolute_under_root(void **state)
{
	(void)state;
	check_join("/", "/etc/shadow", "/etc/shadow");
	check_join("", "/etc/shadow", "/etc/shadow");
	check_join("/", "/", "/");
	check_join("/srv/jail", "/etc/shadow", "/srv/jail/etc/shadow");
	check_join("/srv/jail", "/", "/srv/jail");
	/* never above the chroot, as the kernel's lookup */
	check_join("/srv/jail", "/../etc/shadow", "/srv/jail/etc/shadow");
	check_join("/srv/jail", "/a/../../../x", "/srv/jail/x");
	check_join("/srv/jail", "/..", "/srv/jail");
}

static void test_file_join_dotdot(void **state)
{
	(void)state;
	check_join("/home/u", "../../etc/shadow", "/etc/shadow");
	check_join("/home/u", "../x/../y", "/home/y");
	check_join("/a/b", "..", "/a");
	check_join("/a", "..", "/");
	/* never above the root */
	check_join("/", "../../../etc/shadow", "/etc/shadow");
	check_join("/", "/../etc/shadow", "/etc/shadow");
	check_join("/", "/..", "/");
	/* ".." in the base too */
	check_join("/a/b/../c", "d", "/a/c/d");
	/* names that merely start with dots are names */
	check_join("/a", "...", "/a/...");
	check_join("/a", "..x/.y", "/a/..x/.y");
}

static void test_file_join_slashes_and_dots(void **state)
{
	(void)state;
	check_join("/home/u", ".//./x//y/.", "/home/u/x/y");
	check_join("//", "//etc///shadow", "/etc/shadow");
	check_join("/home/u", ".", "/home/u");
	check_join("/home/u", "./", "/home/u");
	check_join("/", ".", "/");
	check_join("/", "", "/");
}

/* No base known (it could not be read): the path stays relative, never made absolute. */
static void test_file_join_without_base(void **state)
{
	(void)state;
	check_join("", "etc/shadow", "etc/shadow");
	check_join("", "../x", "../x");
	check_join("", "a/../../x", "../x");
	check_join("", "", ".");
	check_join("", ".", ".");
}

static void test_file_join_empty_path(void **state)
{
	(void)state;
	/* empty string (AT_EMPTY_PATH style): the base itself */
	check_join("/home/u", "", "/home/u");
}

static void test_file_join_nul_ends_string(void **state)
{
	struct pg_buf b;

	(void)state;
	pg_buf_init(&b);
	assert_int_equal(pg_file_join_path(&b, "/tmp", 4, "x\0/../../etc", 12), 0);
	assert_string_equal(b.data, "/tmp/x");
	pg_buf_free(&b);
}

/* check_join_in ROOT BASE PATH WANT: the join with ".." stopping at ROOT */
static void check_join_in(const char *root, const char *base, const char *path, const char *want)
{
	struct pg_buf b;

	pg_buf_init(&b);
	assert_int_equal(pg_file_join_path_in(&b, root, strlen(root), base, strlen(base), path,
					      strlen(path)),
			 0);
	assert_string_equal(b.data, want);
	pg_buf_free(&b);
}

static void test_file_join_relative_in_chroot(void **state)
{
	(void)state;
	/* the kernel's lookup stops at the process's root: so does the join */
	check_join_in("/jail", "/jail/tmp", "../../etc/shadow", "/jail/etc/shadow");
	check_join_in("/jail", "/jail", "../etc/shadow", "/jail/etc/shadow");
	check_join_in("/jail", "/jail/a/b", "../x/../../../../y", "/jail/y");
	/* a sibling that shares the root's prefix is not the root */
	check_join_in("/jail", "/jail2/tmp", "../../etc", "/etc");
	/* a working directory outside the root (chroot without chdir): no stop */
	check_join_in("/jail", "/srv/w", "../../etc/shadow", "/etc/shadow");
	/* the root "/" and no root change nothing */
	check_join_in("/", "/tmp", "../../etc", "/etc");
	check_join_in("", "/tmp", "../../etc", "/etc");
	/* a length that counts the kernel's NUL */
	{
		struct pg_buf b;

		pg_buf_init(&b);
		assert_int_equal(pg_file_join_path_in(&b, "/jail", 6, "/jail/tmp", 10, "../..", 5),
				 0);
		assert_string_equal(b.data, "/jail");
		pg_buf_free(&b);
	}
}

static void test_file_join_long(void **state)
{
	static char base[PG_PATH_MAX], path[PG_PATH_MAX];
	struct pg_buf b;
	size_t i;

	(void)state;
	/* two maximal strings: "/aaaa…" and "bbbb/bbbb/…" */
	base[0] = '/';
	memset(base + 1, 'a', sizeof(base) - 2);
	for (i = 0; i < sizeof(path) - 1; i++)
		path[i] = i % 5 == 4 ? '/' : 'b';
	pg_buf_init(&b);
	assert_int_equal(pg_file_join_path(&b, base, sizeof(base) - 1, path, sizeof(path) - 1), 0);
	assert_int_equal(b.data[0], '/');
	assert_true(b.len > PG_PATH_MAX);
	assert_null(strstr(b.data, "//"));
	/* and all of it taken back by as many ".." */
	for (i = 0; i + 3 < sizeof(path); i += 3)
		memcpy(path + i, "../", 3);
	path[i] = 0;
	assert_int_equal(pg_file_join_path(&b, base, sizeof(base) - 1, path, strlen(path)), 0);
	assert_string_equal(b.data, "/");
	pg_buf_free(&b);
}

/* ---- rendering ---- */

/* An exec of /usr/bin/cat by pid 4242, so events name a cached process. */
static void seed_process(void)
{
	static const char bin[] = "/usr/bin/cat", cwd[] = "/home/u", cg[] = "/user.slice",
			  args[] = "cat\0/etc/shadow";
	uint8_t buf[sizeof(struct pg_exec_event) + 128];
	struct pg_exec_event *e = (struct pg_exec_event *)buf;
	uint8_t *d;

	memset(buf, 0, sizeof(buf));
	e->hdr.type = PG_EVENT_PROCESS_EXEC;
	e->task.proc.pid = 4242;
	e->task.proc.ktime = 5000;
	e->task.parent.pid = 1;
	e->task.parent.ktime = 1;
	e->task.tid = 4242;
	e->task.ppid = 1;
	e->creds.uid = e->creds.euid = 1000;
	memcpy(e->comm, "cat", 3);
	e->binary_len = sizeof(bin) - 1;
	e->cwd_len = sizeof(cwd) - 1;
	e->cgroup_len = sizeof(cg) - 1;
	e->args_len = sizeof(args) - 1;
	d = e->data;
	memcpy(d, bin, e->binary_len);
	d += e->binary_len;
	memcpy(d, cwd, e->cwd_len);
	d += e->cwd_len;
	memcpy(d, cg, e->cgroup_len);
	d += e->cgroup_len;
	memcpy(d, args, e->args_len);
	d += e->args_len;
	e->hdr.size = d - buf;
	dispatch(buf, e->hdr.size);
}

static void test_file_render_open(void **state)
{
	struct rec r;

	(void)state;
	seed_process();
	rec_init(&r, PG_EVENT_FILE_OPEN, "/etc/shadow", NULL, NULL, NULL);
	rec_inode(&r);
	r.e->fmode = 0x1;
	r.e->open_flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
	r.e->verdict.flags = PG_VERDICT_F_MATCHED;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("{\"file_open\":{\"process\":{");
	assert_line_has("\"binary\":\"/usr/bin/cat\"");
	assert_line_has("\"file\":{\"path\":\"/etc/shadow\",\"inode\":1234567,\"dev\":\"8:1\","
			"\"mode\":\"0640\",\"type\":\"file\",\"uid\":0,\"gid\":42}");
	assert_line_has("\"access\":\"read\"");
	assert_line_has("\"open_flags\":[\"O_RDONLY\",\"O_NOFOLLOW\",\"O_CLOEXEC\"]");
	assert_line_has("\"result\":0");
	assert_null(strstr(fx.a.line.data, "\"flags\":["));
	assert_true(jq(".file_open.file.path == \"/etc/shadow\" and .file_open.access == \"read\""
		       " and .file_open.process.pid == 4242 and (.time|type) == \"string\""));
	assert_compact_has(" open ");
	assert_compact_has("/usr/bin/cat  /etc/shadow read");
}

static void test_file_render_open_write_denied(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_OPEN, "/etc/passwd", NULL, NULL, NULL);
	rec_inode(&r);
	r.e->fmode = 0x3;
	r.e->open_flags = O_RDWR | O_APPEND;
	r.e->result = -EPERM;
	r.e->file_flags = PG_FILE_F_BEFORE;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"access\":\"read-write\"");
	assert_line_has("\"open_flags\":[\"O_RDWR\",\"O_APPEND\"]");
	assert_line_has("\"error\":\"EPERM\",\"errno\":1");
	assert_line_has("\"flags\":[\"before\"]");
	assert_null(strstr(fx.a.line.data, "\"result\""));
	assert_true(jq(".file_open.errno == 1 and .file_open.flags == [\"before\"]"));
	assert_compact_has("/etc/passwd read-write = EPERM");

	/* two-bit flags named once, as strace does */
	r.e->open_flags = O_WRONLY | O_SYNC;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"open_flags\":[\"O_WRONLY\",\"O_SYNC\"]");
	r.e->open_flags = O_RDWR | O_TMPFILE;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"open_flags\":[\"O_RDWR\",\"O_TMPFILE\"]");
}

/* A refused open seen at sys_exit: the string the caller passed, relative to its cwd. */
static void test_file_render_open_user_path(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_OPEN, "../../etc/./shadow", NULL, "/home/u", NULL);
	r.e->open_flags = O_WRONLY;
	r.e->result = -EACCES;
	r.e->file_flags = PG_FILE_F_USER_PATH;
	r.e->verdict.flags = PG_VERDICT_F_USER;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"file\":{\"path\":\"/etc/shadow\",\"argument\":\"../../etc/./shadow\"}");
	assert_line_has("\"access\":\"write\"");
	assert_line_has("\"error\":\"EACCES\",\"errno\":13");
	assert_line_has("\"flags\":[\"fromArgument\"]");
	assert_true(jq(".file_open.file | has(\"inode\") | not"));
	assert_compact_has("/etc/shadow write = EACCES");
}

static void test_file_render_create(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_CREATE, "/etc/ld.so.preload", NULL, NULL, NULL);
	r.e->arg_mode = S_IFREG | 0644;
	r.e->file_flags = PG_FILE_F_NO_INODE | PG_FILE_F_BEFORE;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("{\"file_create\":{");
	assert_line_has("\"file\":{\"path\":\"/etc/ld.so.preload\",\"type\":\"file\"}");
	assert_line_has("\"mode\":\"0644\"");
	assert_line_has("\"flags\":[\"noInode\",\"before\"]");
	assert_null(strstr(fx.a.line.data, "open_flags"));
	assert_true(jq(".file_create.mode == \"0644\""));
	assert_compact_has(" creat ");
	assert_compact_has("/etc/ld.so.preload mode=0644");

	/* created by open(O_CREAT): the open's flags too */
	rec_init(&r, PG_EVENT_FILE_CREATE, "/tmp/new", NULL, NULL, NULL);
	rec_inode(&r);
	r.e->fmode = 0x2;
	r.e->open_flags = O_WRONLY | O_CREAT | O_EXCL;
	r.e->file_flags = PG_FILE_F_CREATED;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"access\":\"write\"");
	assert_line_has("\"open_flags\":[\"O_WRONLY\",\"O_CREAT\",\"O_EXCL\"]");
	assert_line_has("\"flags\":[\"created\"]");
}

static void test_file_render_unlink(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_UNLINK, "x.log", NULL, "/var/log/", NULL);
	r.e->file_flags = PG_FILE_F_USER_PATH;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("{\"file_unlink\":{");
	assert_line_has("\"path\":\"/var/log/x.log\",\"argument\":\"x.log\"");
	assert_line_has("\"result\":0");
	assert_true(jq(".file_unlink.file.path == \"/var/log/x.log\""));
	assert_compact_has(" rm    ");
}

static void test_file_render_rename(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_RENAME, "/tmp/evil", "/etc/cron.d/job", NULL, NULL);
	rec_inode(&r);
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"path\":\"/tmp/evil\"");
	assert_line_has("\"new_path\":\"/etc/cron.d/job\"");
	assert_compact_has("/tmp/evil -> /etc/cron.d/job");

	/* user paths: each against its own base */
	rec_init(&r, PG_EVENT_FILE_RENAME, "a", "../b", "/d1", "/d2/sub");
	r.e->file_flags = PG_FILE_F_USER_PATH;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"path\":\"/d1/a\"");
	assert_line_has("\"new_path\":\"/d2/b\"");
	assert_true(jq(".file_rename.new_path == \"/d2/b\""));
}

static void test_file_render_chmod(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_CHMOD, "/usr/bin/passwd", NULL, NULL, NULL);
	rec_inode(&r);
	r.e->arg_mode = 04755;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("{\"file_chmod\":{");
	assert_line_has("\"mode\":\"4755\"");
	assert_compact_has("/usr/bin/passwd mode=4755");
	assert_true(jq(".file_chmod.mode == \"4755\" and .file_chmod.file.mode == \"0640\""));
}

static void test_file_render_chown(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_CHOWN, "/etc/sudoers", NULL, NULL, NULL);
	rec_inode(&r);
	r.e->arg_uid = 1000;
	r.e->arg_gid = (uint32_t)-1;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"owner\":{\"uid\":1000}");
	assert_compact_has("/etc/sudoers owner=1000:-1");
	assert_true(jq(".file_chown.owner == {\"uid\":1000}"));
}

static void test_file_render_truncate(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_TRUNCATE, "/var/log/wtmp", NULL, NULL, NULL);
	rec_inode(&r);
	r.e->arg_size = 0;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"length\":0");
	assert_compact_has("length=0");
	/* the LSM hook is not told the length: none shown */
	r.e->file_flags = PG_FILE_F_BEFORE;
	assert_true(dispatch(r.e, r.size));
	assert_null(strstr(fx.a.line.data, "\"length\""));
}

static void test_file_render_link(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_LINK, "/etc/shadow", "/tmp/s", NULL, NULL);
	rec_inode(&r);
	assert_true(dispatch(r.e, r.size));
	assert_line_has("{\"file_link\":{");
	assert_line_has("\"new_path\":\"/tmp/s\"");
	assert_compact_has("/etc/shadow -> /tmp/s");
}

/* A symlink's target is a string stored in the link: shown as written, not joined. */
static void test_file_render_symlink(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_SYMLINK, "lnk", "../../etc/shadow", "/tmp", "/ignored");
	r.e->file_flags = PG_FILE_F_USER_PATH;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("\"path\":\"/tmp/lnk\"");
	assert_line_has("\"target\":\"../../etc/shadow\"");
	assert_true(jq(".file_symlink.target == \"../../etc/shadow\""));
}

static void test_file_render_mmap_exec(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_MMAP_EXEC, "/tmp/payload.so", NULL, NULL, NULL);
	rec_inode(&r);
	r.e->arg_mode = PROT_READ | PROT_EXEC;
	r.e->arg_size = MAP_PRIVATE | MAP_DENYWRITE;
	assert_true(dispatch(r.e, r.size));
	assert_line_has("{\"file_mmap_exec\":{");
	assert_line_has("\"prot\":[\"PROT_READ\",\"PROT_EXEC\"]");
	assert_line_has("\"map_flags\":[\"MAP_PRIVATE\",\"MAP_DENYWRITE\"]");
	assert_compact_has("PROT_READ|PROT_EXEC");
}

/* Hostile bytes in a path: escaped in JSON and in the compact view, never raw. */
static void test_file_render_escapes(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_OPEN, "/tmp/\"a\\b\n\x1b[31m\xff", NULL, NULL, NULL);
	rec_inode(&r);
	r.e->file_flags = PG_FILE_F_DELETED | PG_FILE_F_PATH_TRUNC | PG_FILE_F_WALK_TRUNC;
	assert_true(dispatch(r.e, r.size));
	assert_null(strchr(fx.a.line.data, '\n'));
	assert_null(strchr(fx.a.line.data, '\x1b'));
	assert_null(strchr(fx.a.compact.data, '\x1b'));
	assert_null(strchr(fx.a.compact.data, '\n'));
	assert_line_has("\"flags\":[\"truncPath\",\"deleted\",\"truncWalk\"]");
	assert_true(jq(".file_open.file.path | startswith(\"/tmp/\\\"a\\\\b\\n\")"));
}

/* A process the cache never saw (its exec was lost): the event still names it. */
static void test_file_render_unknown_process(void **state)
{
	struct rec r;

	(void)state;
	rec_init(&r, PG_EVENT_FILE_UNLINK, "/etc/x", NULL, NULL, NULL);
	r.e->task.proc.pid = 777;
	r.e->task.proc.ktime = 777;
	r.e->task.tid = 777;
	assert_true(dispatch(r.e, r.size));
	assert_true(jq(".file_unlink.process.pid == 777 and .file_unlink.file.path == \"/etc/x\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_decode_valid),
		cmocka_unit_test(test_file_decode_rejects_short_record),
		cmocka_unit_test(test_file_decode_rejects_each_overlong_length),
		cmocka_unit_test(test_file_decode_rejects_path_max),
		cmocka_unit_test(test_file_decode_rejects_sum),
		cmocka_unit_test(test_file_dispatch_counts_malformed),
		cmocka_unit_test(test_file_join_relative),
		cmocka_unit_test(test_file_join_absolute_under_root),
		cmocka_unit_test(test_file_join_dotdot),
		cmocka_unit_test(test_file_join_slashes_and_dots),
		cmocka_unit_test(test_file_join_without_base),
		cmocka_unit_test(test_file_join_empty_path),
		cmocka_unit_test(test_file_join_nul_ends_string),
		cmocka_unit_test(test_file_join_long),
		cmocka_unit_test(test_file_join_relative_in_chroot),
		cmocka_unit_test(test_file_render_open),
		cmocka_unit_test(test_file_render_open_write_denied),
		cmocka_unit_test(test_file_render_open_user_path),
		cmocka_unit_test(test_file_render_create),
		cmocka_unit_test(test_file_render_unlink),
		cmocka_unit_test(test_file_render_rename),
		cmocka_unit_test(test_file_render_chmod),
		cmocka_unit_test(test_file_render_chown),
		cmocka_unit_test(test_file_render_truncate),
		cmocka_unit_test(test_file_render_link),
		cmocka_unit_test(test_file_render_symlink),
		cmocka_unit_test(test_file_render_mmap_exec),
		cmocka_unit_test(test_file_render_escapes),
		cmocka_unit_test(test_file_render_unknown_process),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
