// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pg-testbin: the workloads of the end-to-end tests, in one static binary
 * so that the same paths and behaviour hold on the host and in the test
 * VMs (whose userland is only busybox).
 *
 *   exit CODE [MARK…]             exit with CODE
 *   kill SIGNO [MARK…]            kill itself with SIGNO
 *   sleep MS [MARK…]              sleep, then exit 0
 *   spawn N [MARK…]               fork+exec "exit 0 MARK…" N times, wait for all
 *   chain DEPTH [MARK…]           exec a child "chain DEPTH-1", DEPTH deep
 *   bigarg BYTES [MARK…]          exec "exit 0 <BYTES-long arg> MARK…"
 *   storm LOOPS COUNT [MARK…]     LOOPS parallel loops of COUNT fork+exec "exit 0"
 *   asuser UID PROG [ARG…]        drop to UID (and its gid) and exec PROG
 *   memfd MARK…                   copy itself into a memfd ("pgmemfd"), fexecve
 *                                 it as "exit 0 MARK…" (fileless execution)
 *   delexec PATH MARK…            copy itself to PATH, open it, unlink it, and
 *                                 execveat the open file as "exit 0 MARK…"
 *   fdexec MARK…                  exec itself through /proc/self/fd/N
 *   threads N MARK…               fork+exec N "thr1 MARK…", wait for all
 *   thr1 MARK…                    start 15 threads; all 16 call exit_group
 *                                 at once
 *   threadexec MARK…              a thread other than the leader execs
 *                                 "exit 0 MARK…"
 *   touch PATH [MARK…]            create PATH first thing, then exit 0 (a
 *                                 killed exec must never get that far)
 *   run PROG [ARG…]               fork+exec PROG ARG…, wait, exit with its status
 *
 * File verbs (the file sensor's tests): each does one system call on its
 * file, as named, and exits 0, or with the call's errno (EPERM 1, ENOENT 2,
 * EACCES 13: below 125, which die() uses) after a line on stderr. MODE of
 * an open: r (O_RDONLY, reads a byte), w (O_WRONLY, writes a byte), rw,
 * a (O_WRONLY|O_APPEND), c (O_WRONLY|O_CREAT), x (c with O_EXCL),
 * t (O_WRONLY|O_TRUNC), p (O_PATH, touches nothing).
 *   open PATH MODE [MARK…]        open (openat(AT_FDCWD, ...)), read or write, close
 *   openat DIR NAME MODE [MARK…]  open DIR (O_DIRECTORY), then openat() NAME from it
 *   uringopen PATH MODE [MARK…]   open through io_uring (IORING_OP_OPENAT: no
 *                                 open system call), read or write, close
 *   uringopenw PATH MODE [MARK…]  the same, opened by an io_uring worker
 *                                 thread (IOSQE_ASYNC)
 *   uringunlink PATH, uringmkdir PATH, uringrename OLD NEW,
 *   uringlink OLD NEW, uringsymlink TARGET NEW [MARK…]
 *                                 the same calls as io_uring requests
 *   compatopen PATH MODE, compatunlink PATH, compatmkdir PATH,
 *   compatrename OLD NEW, compatchown16 PATH UID GID,
 *   compatfchmod PATH OCTAL [MARK…]
 *                                 the same calls as 32-bit ones, by int $0x80
 *                                 from this 64-bit program (x86-64 only; the
 *                                 chown is the old 16-bit-id one; fchmod's
 *                                 file is opened by a 64-bit open first)
 *   openmark PATH MODE MARKER [MARK…]  open, then create MARKER (a process
 *                                 killed on the open never gets that far)
 *   openloop PATH N [MARK…]       N times open(O_RDONLY) + close
 *   waitopen PATH GO [MARK…]      wait (up to 10 min) until GO exists, then
 *                                 open(O_RDONLY) PATH
 *   mmapx PATH [MARK…]            open read-only, mmap PROT_READ|PROT_EXEC
 *   rename OLD NEW [MARK…]        rename()
 *   link OLD NEW [MARK…]          link()
 *   symlink TARGET NEW [MARK…]    symlink()
 *   unlink PATH [MARK…]           unlink()
 *   mkdir PATH [MARK…]            mkdir(0755)
 *   rmdir PATH [MARK…]            rmdir()
 *   mkfifo PATH [MARK…]           mknod(S_IFIFO|0644)
 *   chmod PATH OCTAL [MARK…]      chmod()
 *   fchmod PATH OCTAL [MARK…]     open(O_RDONLY), fchmod()
 *   chown PATH UID GID [MARK…]    chown()
 *   fchown PATH UID GID [MARK…]   open(O_RDONLY), fchown()
 *   truncate PATH LEN [MARK…]     truncate()
 *   ftruncate PATH LEN [MARK…]    open(O_WRONLY), ftruncate()
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uring.h"

extern char **environ;

static char self[4096];

static void die(const char *what)
{
	fprintf(stderr, "pg-testbin: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* argv for "SELF VERB ARG MARK…" */
static char **mkargv(const char *verb, const char *arg, int nmark, char **marks)
{
	char **v = calloc(nmark + 4, sizeof(*v));
	int i, n = 0;

	if (!v)
		die("calloc");
	v[n++] = self;
	v[n++] = (char *)verb;
	if (arg)
		v[n++] = (char *)arg;
	for (i = 0; i < nmark; i++)
		v[n++] = marks[i];
	v[n] = NULL;
	return v;
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	return pid;
}

/* Copy this binary into the open file @out. */
static void copy_self(int out)
{
	char buf[65536];
	ssize_t n;
	int in = open(self, O_RDONLY | O_CLOEXEC);

	if (in < 0)
		die("open self");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			die("write copy");
	if (n < 0)
		die("read self");
	close(in);
}

/* Threads of thr1 and threadexec. */
#define PG_THREADS 15
static volatile int started, go;
static char **thread_argv;

static void *thr_wait(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST))
		sched_yield();
	syscall(SYS_exit_group, 0);
	return NULL;
}

static void *thr_exec(void *arg)
{
	(void)arg;
	execv(self, thread_argv);
	die("execv from a thread");
	return NULL;
}

static void thread_start(void *(*fn)(void *))
{
	pthread_attr_t attr;
	pthread_t t;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	err = pthread_create(&t, &attr, fn, NULL);
	if (err) {
		errno = err;
		die("pthread_create");
	}
	pthread_attr_destroy(&attr);
}

static int wait_all(void)
{
	int status, bad = 0;

	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	return bad;
}

/* The errno of a failed file verb, as its exit status (never 0 or >= 125). */
static int file_fail(const char *verb, const char *path)
{
	int e = errno;

	fprintf(stderr, "pg-testbin: %s %s: %s\n", verb, path, strerror(e));
	return e > 0 && e < 125 ? e : 124;
}

static int open_flags(const char *mode)
{
	static const struct {
		const char *mode;
		int flags;
	} modes[] = {
		{ "r", O_RDONLY },
		{ "w", O_WRONLY },
		{ "rw", O_RDWR },
		{ "a", O_WRONLY | O_APPEND },
		{ "c", O_WRONLY | O_CREAT },
		{ "x", O_WRONLY | O_CREAT | O_EXCL },
		{ "t", O_WRONLY | O_TRUNC },
		{ "p", O_PATH },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].mode))
			return modes[i].flags | O_CLOEXEC;
	fprintf(stderr, "pg-testbin: unknown open mode %s\n", mode);
	exit(2);
}

/* After a successful open: a byte read or written, then close. */
static int file_use(int fd, const char *mode)
{
	char c = 'x';

	if (mode[0] == 'r' && mode[1] == 0) {
		if (read(fd, &c, 1) < 0)
			return -1;
	} else if (mode[0] != 'p') {
		if (write(fd, &c, 1) < 0)
			return -1;
	}
	return close(fd);
}

/*
 * The file operation of uring* @verb as one io_uring request, on @p1 (and
 * @p2: the second path, or the symlink's link), relative paths from the
 * cwd. Opens take @flags and mode 0644; "uringopenw" sets IOSQE_ASYNC, so
 * that an io_uring worker thread opens it, not the submitter. Returns
 * the open's fd or 0, or -errno (of the ring or the request).
 */
static int uring_file(const char *verb, const char *p1, const char *p2, int flags)
{
	struct io_uring_sqe *sqe;
	struct pg_uring u;
	int r = pg_uring_init(&u);

	if (r)
		return r;
	sqe = pg_uring_sqe(&u);
	sqe->fd = AT_FDCWD;
	sqe->addr = (uint64_t)(uintptr_t)p1;
	if (!strncmp(verb, "uringopen", 9)) {
		sqe->opcode = IORING_OP_OPENAT;
		sqe->len = 0644; /* the mode */
		sqe->open_flags = (uint32_t)flags;
		sqe->flags = verb[9] == 'w' ? IOSQE_ASYNC : 0;
	} else if (!strcmp(verb, "uringunlink")) {
		sqe->opcode = IORING_OP_UNLINKAT;
	} else if (!strcmp(verb, "uringmkdir")) {
		sqe->opcode = IORING_OP_MKDIRAT;
		sqe->len = 0755;
	} else if (!strcmp(verb, "uringsymlink")) {
		sqe->opcode = IORING_OP_SYMLINKAT;
		sqe->addr2 = (uint64_t)(uintptr_t)p2;
	} else {
		sqe->opcode = !strcmp(verb, "uringrename") ? IORING_OP_RENAMEAT : IORING_OP_LINKAT;
		sqe->len = (uint32_t)AT_FDCWD; /* the new path's dirfd */
		sqe->addr2 = (uint64_t)(uintptr_t)p2;
	}
	return pg_uring_run(&u);
}

#if defined(__x86_64__)
/*
 * ia32 system call @nr, by int $0x80, with its arguments in ebx, ecx, edx,
 * esi: pointers must fit in 32 bits (see ia32_str()). The kernel does not
 * keep r8-r11 across it.
 */
static long ia32_call(long nr, long a1, long a2, long a3, long a4)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/* @s copied below 4 GiB, where a 32-bit call can address it */
static long ia32_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1,
		       0);

	if (p == MAP_FAILED) {
		perror("pg-testbin: mmap(MAP_32BIT)");
		exit(124);
	}
	memcpy(p, s, n);
	return (long)(uintptr_t)p;
}

/* The compat* verbs: the call's result, or -errno. */
static long compat_verb(const char *verb, char **argv)
{
	const char *path = argv[2];
	long fd;

	/* ia32 numbers: arch/x86/entry/syscalls/syscall_32.tbl */
	if (!strcmp(verb, "compatopen")) {
		fd = ia32_call(5 /* open */, ia32_str(path), open_flags(argv[3]), 0644, 0);
		if (fd < 0)
			return fd;
		return file_use((int)fd, argv[3]) ? -errno : 0;
	}
	if (!strcmp(verb, "compatunlink"))
		return ia32_call(301 /* unlinkat */, AT_FDCWD, ia32_str(path), 0, 0);
	if (!strcmp(verb, "compatmkdir"))
		return ia32_call(39 /* mkdir */, ia32_str(path), 0755, 0, 0);
	if (!strcmp(verb, "compatrename"))
		return ia32_call(38 /* rename */, ia32_str(path), ia32_str(argv[3]), 0, 0);
	if (!strcmp(verb, "compatchown16"))
		return ia32_call(182 /* chown, 16-bit ids */, ia32_str(path), atoi(argv[3]),
				 atoi(argv[4]), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return ia32_call(94 /* fchmod */, fd, strtol(argv[3], NULL, 8), 0, 0);
}
#else
static long compat_verb(const char *verb, char **argv)
{
	(void)verb;
	(void)argv;
	return -ENOSYS;
}
#endif

/* The file verbs; -1 if argv[1] is none of them. */
static int file_verb(int argc, char **argv)
{
	const char *verb = argv[1], *path = argv[2];
	int fd;

#define NEED(n)                                                                                    \
	do {                                                                                       \
		if (argc < (n)) {                                                                  \
			fprintf(stderr, "pg-testbin: %s: missing arguments\n", verb);              \
			return 2;                                                                  \
		}                                                                                  \
	} while (0)
	if (!strcmp(verb, "open") || !strcmp(verb, "openmark")) {
		NEED(4);
		fd = open(path, open_flags(argv[3]), 0644);
		if (fd < 0)
			return file_fail(verb, path);
		if (file_use(fd, argv[3]))
			return file_fail("use", path);
		if (!strcmp(verb, "openmark")) {
			NEED(5);
			fd = open(argv[4], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (fd < 0)
				return file_fail("marker", argv[4]);
			close(fd);
		}
		return 0;
	}
	if (!strcmp(verb, "uringopen") || !strcmp(verb, "uringopenw")) {
		NEED(4);
		fd = uring_file(verb, path, NULL, open_flags(argv[3]));
		if (fd < 0) {
			errno = -fd;
			return file_fail(verb, path);
		}
		if (file_use(fd, argv[3]))
			return file_fail("use", path);
		return 0;
	}
	if (!strncmp(verb, "uring", 5) && strcmp(verb, "uringopen") && strcmp(verb, "uringopenw")) {
		int r;

		NEED(!strcmp(verb, "uringunlink") || !strcmp(verb, "uringmkdir") ? 3 : 4);
		r = uring_file(verb, path, argv[3], 0);
		if (r < 0) {
			errno = -r;
			return file_fail(verb, path);
		}
		return 0;
	}
	if (!strncmp(verb, "compat", 6)) {
		long r;

		NEED(!strcmp(verb, "compatchown16") ? 5
		     : !strcmp(verb, "compatopen") || !strcmp(verb, "compatrename") ||
				     !strcmp(verb, "compatfchmod")
			     ? 4
			     : 3);
		r = compat_verb(verb, argv);
		if (r < 0) {
			errno = (int)-r;
			return file_fail(verb, path);
		}
		return 0;
	}
	if (!strcmp(verb, "openat")) {
		int dfd;

		NEED(5);
		dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return file_fail("open directory", path);
		fd = openat(dfd, argv[3], open_flags(argv[4]), 0644);
		if (fd < 0)
			return file_fail(verb, argv[3]);
		if (file_use(fd, argv[4]))
			return file_fail("use", argv[3]);
		close(dfd);
		return 0;
	}
	if (!strcmp(verb, "waitopen")) {
		int tries;

		/* a process that runs across a policy reload, then opens */
		NEED(4);
		for (tries = 0; access(argv[3], F_OK); tries++) {
			if (tries >
			    60000) /* 10 minutes: an agent starts slowly in an emulated VM */
				return file_fail(verb, argv[3]);
			usleep(10000);
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return file_fail(verb, path);
		close(fd);
		return 0;
	}
	if (!strcmp(verb, "openloop")) {
		long i, n;

		NEED(4);
		n = strtol(argv[3], NULL, 10);
		for (i = 0; i < n; i++) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return file_fail(verb, path);
			close(fd);
		}
		return 0;
	}
	if (!strcmp(verb, "mmapx")) {
		void *p;

		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return file_fail("open", path);
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return file_fail(verb, path);
		munmap(p, 4096);
		close(fd);
		return 0;
	}
	if (!strcmp(verb, "rename") || !strcmp(verb, "link") || !strcmp(verb, "symlink")) {
		int r;

		NEED(4);
		r = verb[0] == 'r'   ? rename(path, argv[3])
		    : verb[0] == 'l' ? link(path, argv[3])
				     : symlink(path, argv[3]);
		return r ? file_fail(verb, path) : 0;
	}
	if (!strcmp(verb, "unlink"))
		return unlink(path) ? file_fail(verb, path) : 0;
	if (!strcmp(verb, "mkdir"))
		return mkdir(path, 0755) ? file_fail(verb, path) : 0;
	if (!strcmp(verb, "rmdir"))
		return rmdir(path) ? file_fail(verb, path) : 0;
	if (!strcmp(verb, "mkfifo"))
		return mknod(path, S_IFIFO | 0644, 0) ? file_fail(verb, path) : 0;
	if (!strcmp(verb, "chmod") || !strcmp(verb, "fchmod")) {
		mode_t m;

		NEED(4);
		m = (mode_t)strtol(argv[3], NULL, 8);
		if (verb[0] == 'c')
			return chmod(path, m) ? file_fail(verb, path) : 0;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return file_fail("open", path);
		return fchmod(fd, m) ? file_fail(verb, path) : 0;
	}
	if (!strcmp(verb, "chown") || !strcmp(verb, "fchown")) {
		uid_t u;
		gid_t g;

		NEED(5);
		u = (uid_t)strtol(argv[3], NULL, 10);
		g = (gid_t)strtol(argv[4], NULL, 10);
		if (verb[0] == 'c')
			return chown(path, u, g) ? file_fail(verb, path) : 0;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return file_fail("open", path);
		return fchown(fd, u, g) ? file_fail(verb, path) : 0;
	}
	if (!strcmp(verb, "truncate") || !strcmp(verb, "ftruncate")) {
		off_t len;

		NEED(4);
		len = (off_t)strtoll(argv[3], NULL, 10);
		if (verb[0] == 't')
			return truncate(path, len) ? file_fail(verb, path) : 0;
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return file_fail("open", path);
		return ftruncate(fd, len) ? file_fail(verb, path) : 0;
	}
#undef NEED
	return -1;
}

int main(int argc, char **argv)
{
	int fr;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	long v;

	if (n <= 0)
		die("readlink /proc/self/exe");
	self[n] = 0;
	if (argc < 3) {
		fprintf(stderr, "usage: pg-testbin VERB ARG [MARK…] (see the source)\n");
		return 2;
	}
	fr = file_verb(argc, argv);
	if (fr >= 0)
		return fr;
	if (!strcmp(argv[1], "touch")) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			die("touch");
		close(fd);
		return 0;
	}
	if (!strcmp(argv[1], "run")) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	v = strtol(argv[2], NULL, 10);
	if (!strcmp(argv[1], "exit"))
		return (int)v;
	if (!strcmp(argv[1], "kill")) {
		kill(getpid(), (int)v);
		pause();
		return 1;
	}
	if (!strcmp(argv[1], "sleep")) {
		struct timespec ts = { v / 1000, (v % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		return 0;
	}
	if (!strcmp(argv[1], "spawn")) {
		char **cv = mkargv("exit", "0", argc - 3, argv + 3);
		long i;

		for (i = 0; i < v; i++)
			spawn(cv);
		return wait_all();
	}
	if (!strcmp(argv[1], "chain")) {
		char depth[32];

		if (v <= 0)
			return 0;
		snprintf(depth, sizeof(depth), "%ld", v - 1);
		spawn(mkargv("chain", depth, argc - 3, argv + 3));
		return wait_all();
	}
	if (!strcmp(argv[1], "bigarg")) {
		char **cv = calloc(argc + 3, sizeof(*cv));
		char *big = malloc(v + 1);
		int i;

		if (!cv || !big)
			die("malloc");
		memset(big, 'A', v);
		big[v] = 0;
		cv[0] = self;
		cv[1] = "exit";
		cv[2] = "0";
		cv[3] = big;
		for (i = 3; i < argc; i++)
			cv[i + 1] = argv[i];
		execv(self, cv);
		die("execv");
	}
	if (!strcmp(argv[1], "storm") && argc >= 4) {
		long count = strtol(argv[3], NULL, 10), l, i;
		char **cv = mkargv("exit", "0", argc - 4, argv + 4);

		for (l = 0; l < v; l++) {
			pid_t pid = fork();

			if (pid < 0)
				die("fork");
			if (pid)
				continue;
			for (i = 0; i < count; i++) {
				int st;
				pid_t c = spawn(cv);

				if (waitpid(c, &st, 0) < 0)
					die("waitpid");
			}
			_exit(0);
		}
		return wait_all();
	}
	if (!strcmp(argv[1], "asuser") && argc >= 4) {
		if (setgid((gid_t)v) || setuid((uid_t)v))
			die("setuid");
		execv(argv[3], argv + 3);
		die("execv");
	}
	if (!strcmp(argv[1], "memfd")) {
		char **cv = mkargv("exit", "0", argc - 2, argv + 2);
		int fd = memfd_create("pgmemfd", MFD_CLOEXEC);

		if (fd < 0)
			die("memfd_create");
		copy_self(fd);
		cv[0] = "pg-testbin";
		fexecve(fd, cv, environ);
		die("fexecve");
	}
	if (!strcmp(argv[1], "delexec") && argc >= 3) {
		char **cv = mkargv("exit", "0", argc - 3, argv + 3);
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);

		if (fd < 0)
			die("create the copy");
		copy_self(fd);
		/* a file open for writing cannot be executed (ETXTBSY) */
		if (close(fd))
			die("close the copy");
		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("open the copy");
		if (unlink(argv[2]))
			die("unlink the copy");
		cv[0] = "pg-testbin";
		syscall(SYS_execveat, fd, "", cv, environ, AT_EMPTY_PATH);
		die("execveat");
	}
	if (!strcmp(argv[1], "fdexec")) {
		char **cv = mkargv("exit", "0", argc - 2, argv + 2);
		char path[64];
		int fd = open("/proc/self/exe", O_RDONLY); /* not O_CLOEXEC: exec'd by name */

		if (fd < 0)
			die("open /proc/self/exe");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		cv[0] = "pg-testbin";
		execv(path, cv);
		die("execv /proc/self/fd/N");
	}
	if (!strcmp(argv[1], "threads") && argc >= 3) {
		char **cv = mkargv("thr1", NULL, argc - 3, argv + 3);
		long i;

		for (i = 0; i < v; i++)
			spawn(cv);
		return wait_all();
	}
	if (!strcmp(argv[1], "thr1")) {
		int i;

		for (i = 0; i < PG_THREADS; i++)
			thread_start(thr_wait);
		while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < PG_THREADS)
			sched_yield();
		/* all 16 threads leave together: the race the exit claim settles */
		__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_exit_group, 0);
	}
	if (!strcmp(argv[1], "threadexec")) {
		thread_argv = mkargv("exit", "0", argc - 2, argv + 2);
		thread_start(thr_exec);
		for (;;)
			pause(); /* de_thread() kills the leader when the thread execs */
	}
	fprintf(stderr, "pg-testbin: unknown verb %s\n", argv[1]);
	return 2;
}
