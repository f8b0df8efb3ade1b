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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	long v;

	if (n <= 0)
		die("readlink /proc/self/exe");
	self[n] = 0;
	if (argc < 3) {
		fprintf(stderr, "usage: pg-testbin VERB ARG [MARK…] (see the source)\n");
		return 2;
	}
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
