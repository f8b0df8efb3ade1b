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
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	fprintf(stderr, "pg-testbin: unknown verb %s\n", argv[1]);
	return 2;
}
