// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * storm.c - the driver the exec and open storms share (storm.h).
 *
 * Forks L loop processes, which block on a pipe until every one is forked
 * and then start together, so the measured window is the storm itself and
 * not the fork of the loops. Prints one line of key=value pairs on stdout,
 * for bench/run.sh to parse:
 *   UNIT        operations attempted (L * N): execs=, opens=
 *   failed      operations that failed (the storm says which count)
 *   wall_s      wall-clock time of the storm
 *   rate        (paced storms) operations per second over wall_s
 *   cpu_work_s  CPU time of the loops and their children (getrusage)
 *   cpu_machine_s  machine-wide busy CPU time from /proc/stat over the storm
 *               plus the settle time (-s): this is the number that counts,
 *               as it includes the kernel-side BPF/audit cost charged to
 *               any task and the monitor's own CPU, even work it does just
 *               after the storm to drain its backlog.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storm.h"

#define MAX_LOOPS 256
#define MAX_SETTLE_MS 60000UL
#define MAX_RATE 100000000UL

static void usage(const struct storm *s, FILE *f, const char *prog)
{
	fprintf(f, "usage: %s %s", prog, s->usage);
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *ret_v)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -EINVAL;
	*ret_v = v;
	return 0;
}

double storm_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Busy jiffies of the whole machine: everything but idle and iowait. guest
 * and guest_nice are already counted inside user and nice, so they are not
 * added again.
 */
static int read_busy_jiffies(uint64_t *ret_busy)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
	FILE *f;
	int n;

	f = fopen("/proc/stat", "re");
	if (!f)
		return -errno;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle,
		   &iowait, &irq, &softirq, &steal);
	fclose(f);
	if (n != 8)
		return -EIO;
	*ret_busy = user + nice + sys + irq + softirq + steal;
	return 0;
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

int storm_main(const struct storm *s, int argc, char **argv)
{
	unsigned long loops = 2, per_loop = 1000, settle_ms = 0, failed = 0, rate = 0;
	int start_pipe[2] = { -1, -1 }, result_pipe[2] = { -1, -1 };
	pid_t pids[MAX_LOOPS];
	uint64_t busy0, busy1;
	double t0, t1, cpu_work;
	struct rusage ru;
	unsigned long i, started = 0;
	long hz;
	int opt, ret = 1;
	const char *target;

	while ((opt = getopt(argc, argv, s->paced ? "l:n:r:s:h" : "l:n:s:h")) != -1) {
		switch (opt) {
		case 'l':
			if (parse_ulong(optarg, 1, MAX_LOOPS, &loops)) {
				fprintf(stderr, "%s: bad loop count '%s' (1..%d)\n", s->name,
					optarg, MAX_LOOPS);
				return 2;
			}
			break;
		case 'n':
			if (parse_ulong(optarg, 1, s->max_per_loop, &per_loop)) {
				fprintf(stderr, "%s: bad %s count '%s' (1..%lu)\n", s->name,
					s->what, optarg, s->max_per_loop);
				return 2;
			}
			break;
		case 'r':
			if (parse_ulong(optarg, 1, MAX_RATE, &rate)) {
				fprintf(stderr, "%s: bad rate '%s' (1..%lu %s/s)\n", s->name,
					optarg, MAX_RATE, s->unit);
				return 2;
			}
			break;
		case 's':
			if (parse_ulong(optarg, 0, MAX_SETTLE_MS, &settle_ms)) {
				fprintf(stderr, "%s: bad settle time '%s' (0..%lu ms)\n", s->name,
					optarg, MAX_SETTLE_MS);
				return 2;
			}
			break;
		case 'h': usage(s, stdout, argv[0]); return 0;
		default: usage(s, stderr, argv[0]); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(s, stderr, argv[0]);
		return 2;
	}
	target = argv[optind];
	if (s->target_access >= 0 && access(target, s->target_access) < 0) {
		fprintf(stderr, "%s: %s: %s\n", s->name, target, strerror(errno));
		return 2;
	}
	hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0) {
		fprintf(stderr, "%s: cannot read the clock tick rate\n", s->name);
		return 1;
	}

	if (pipe2(start_pipe, O_CLOEXEC) < 0 || pipe2(result_pipe, O_CLOEXEC) < 0) {
		fprintf(stderr, "%s: pipe: %s\n", s->name, strerror(errno));
		goto cleanup;
	}

	for (i = 0; i < loops; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "%s: fork: %s\n", s->name, strerror(errno));
			goto cleanup;
		}
		if (pid == 0) {
			unsigned long f;
			char c;

			close(start_pipe[1]);
			close(result_pipe[0]);
			/* EOF on the start pipe is the starting gun for every loop at once. */
			while (read(start_pipe[0], &c, 1) < 0 && errno == EINTR)
				;
			f = s->run_loop(target, per_loop, rate);
			/* sizeof(f) < PIPE_BUF, so the loops' writes never interleave. */
			if (write(result_pipe[1], &f, sizeof(f)) != sizeof(f))
				_exit(1);
			_exit(0);
		}
		pids[started++] = pid;
	}
	close(result_pipe[1]);
	result_pipe[1] = -1;

	if (read_busy_jiffies(&busy0)) {
		fprintf(stderr, "%s: cannot read /proc/stat\n", s->name);
		goto cleanup;
	}
	t0 = storm_now_s();
	close(start_pipe[1]);
	start_pipe[1] = -1;

	for (i = 0; i < started; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "%s: waitpid: %s\n", s->name, strerror(errno));
				goto cleanup;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "%s: loop %lu did not finish cleanly\n", s->name, i);
			goto cleanup;
		}
	}
	t1 = storm_now_s();
	started = 0;

	/*
	 * A monitor may still be draining its backlog when the storm ends; the
	 * settle time keeps that work inside the CPU window. It is applied to
	 * every configuration, the baseline too, so it costs each the same idle.
	 */
	if (settle_ms) {
		struct timespec ts = { .tv_sec = settle_ms / 1000,
				       .tv_nsec = (long)(settle_ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	if (read_busy_jiffies(&busy1)) {
		fprintf(stderr, "%s: cannot read /proc/stat\n", s->name);
		goto cleanup;
	}

	for (i = 0; i < loops; i++) {
		unsigned long f;
		ssize_t n;

		do
			n = read(result_pipe[0], &f, sizeof(f));
		while (n < 0 && errno == EINTR);
		if (n != sizeof(f)) {
			fprintf(stderr, "%s: missing result from a loop\n", s->name);
			goto cleanup;
		}
		failed += f;
	}

	getrusage(RUSAGE_CHILDREN, &ru);
	cpu_work = tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime);

	printf("%s=%lu failed=%lu loops=%lu per_loop=%lu wall_s=%.3f", s->unit, loops * per_loop,
	       failed, loops, per_loop, t1 - t0);
	if (s->paced)
		printf(" rate=%.0f", t1 > t0 ? (double)(loops * per_loop) / (t1 - t0) : 0.0);
	printf(" cpu_work_s=%.3f cpu_machine_s=%.3f settle_ms=%lu\n", cpu_work,
	       (double)(busy1 - busy0) / (double)hz, settle_ms);
	ret = failed ? 3 : 0;

cleanup:
	/* On an early exit, do not leave loops blocked or running behind us. */
	if (start_pipe[1] >= 0)
		close(start_pipe[1]);
	for (i = 0; i < started; i++)
		waitpid(pids[i], NULL, 0);
	if (start_pipe[0] >= 0)
		close(start_pipe[0]);
	if (result_pipe[0] >= 0)
		close(result_pipe[0]);
	if (result_pipe[1] >= 0)
		close(result_pipe[1]);
	return ret;
}
