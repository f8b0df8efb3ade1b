// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * openstorm.c - the open-storm workload for `make bench`.
 *
 * Forks L loop processes; each runs N times: open(PATH, O_RDONLY) + close.
 * The loops start together (they block on a pipe until every one is
 * forked), so the measured window is the storm itself. With -r, each loop
 * paces itself to RATE opens per second (checked every 256 opens), for the
 * sustained-rate measurement: a monitor is offered a known event rate.
 *
 * Prints one line of key=value pairs on stdout, for bench/run.sh to parse:
 *   opens       opens attempted (L * N)
 *   failed      opens that failed
 *   wall_s      wall-clock time of the storm
 *   rate        opens per second over wall_s, all loops together
 *   cpu_work_s  CPU time of the loops (getrusage)
 *   cpu_machine_s  machine-wide busy CPU time from /proc/stat over the storm
 *               plus the settle time (-s), as execstorm counts it: it
 *               includes BPF programs and audit filtering run in the loops'
 *               syscalls and the monitor's own CPU, even work it does just
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

#define MAX_LOOPS 256
#define MAX_OPENS_PER_LOOP 1000000000UL
#define MAX_SETTLE_MS 60000UL
#define MAX_RATE 100000000UL

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-l LOOPS] [-n OPENS_PER_LOOP] [-r RATE_PER_LOOP] [-s SETTLE_MS] PATH\n"
		"  runs LOOPS parallel loops of OPENS_PER_LOOP open(O_RDONLY)+close of PATH,\n"
		"  each at most RATE_PER_LOOP opens per second if -r is given\n",
		prog);
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

static double now_s(void)
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

/* Sleep until @t (CLOCK_MONOTONIC seconds). */
static void sleep_until(double t)
{
	double d = t - now_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One loop process. Returns the number of failed opens. */
static unsigned long run_loop(const char *path, unsigned long n, unsigned long rate)
{
	unsigned long i, failed = 0;
	double t0 = now_s();

	for (i = 0; i < n; i++) {
		int fd;

		/* paced: the i-th open is due at t0 + i / rate */
		if (rate && (i & 255) == 0)
			sleep_until(t0 + (double)i / (double)rate);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			failed++;
			continue;
		}
		close(fd);
	}
	return failed;
}

int main(int argc, char **argv)
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
	const char *path;

	while ((opt = getopt(argc, argv, "l:n:r:s:h")) != -1) {
		switch (opt) {
		case 'l':
			if (parse_ulong(optarg, 1, MAX_LOOPS, &loops)) {
				fprintf(stderr, "openstorm: bad loop count '%s' (1..%d)\n", optarg,
					MAX_LOOPS);
				return 2;
			}
			break;
		case 'n':
			if (parse_ulong(optarg, 1, MAX_OPENS_PER_LOOP, &per_loop)) {
				fprintf(stderr, "openstorm: bad open count '%s' (1..%lu)\n", optarg,
					MAX_OPENS_PER_LOOP);
				return 2;
			}
			break;
		case 'r':
			if (parse_ulong(optarg, 1, MAX_RATE, &rate)) {
				fprintf(stderr, "openstorm: bad rate '%s' (1..%lu opens/s)\n",
					optarg, MAX_RATE);
				return 2;
			}
			break;
		case 's':
			if (parse_ulong(optarg, 0, MAX_SETTLE_MS, &settle_ms)) {
				fprintf(stderr, "openstorm: bad settle time '%s' (0..%lu ms)\n",
					optarg, MAX_SETTLE_MS);
				return 2;
			}
			break;
		case 'h': usage(stdout, argv[0]); return 0;
		default: usage(stderr, argv[0]); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr, argv[0]);
		return 2;
	}
	path = argv[optind];
	if (access(path, R_OK) < 0) {
		fprintf(stderr, "openstorm: %s: %s\n", path, strerror(errno));
		return 2;
	}
	hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0) {
		fprintf(stderr, "openstorm: cannot read the clock tick rate\n");
		return 1;
	}

	if (pipe2(start_pipe, O_CLOEXEC) < 0 || pipe2(result_pipe, O_CLOEXEC) < 0) {
		fprintf(stderr, "openstorm: pipe: %s\n", strerror(errno));
		goto cleanup;
	}

	for (i = 0; i < loops; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "openstorm: fork: %s\n", strerror(errno));
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
			f = run_loop(path, per_loop, rate);
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
		fprintf(stderr, "openstorm: cannot read /proc/stat\n");
		goto cleanup;
	}
	t0 = now_s();
	close(start_pipe[1]);
	start_pipe[1] = -1;

	for (i = 0; i < started; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "openstorm: waitpid: %s\n", strerror(errno));
				goto cleanup;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "openstorm: loop %lu did not finish cleanly\n", i);
			goto cleanup;
		}
	}
	t1 = now_s();
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
		fprintf(stderr, "openstorm: cannot read /proc/stat\n");
		goto cleanup;
	}

	for (i = 0; i < loops; i++) {
		unsigned long f;
		ssize_t n;

		do
			n = read(result_pipe[0], &f, sizeof(f));
		while (n < 0 && errno == EINTR);
		if (n != sizeof(f)) {
			fprintf(stderr, "openstorm: missing result from a loop\n");
			goto cleanup;
		}
		failed += f;
	}

	getrusage(RUSAGE_CHILDREN, &ru);
	cpu_work = tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime);

	printf("opens=%lu failed=%lu loops=%lu per_loop=%lu wall_s=%.3f rate=%.0f cpu_work_s=%.3f "
	       "cpu_machine_s=%.3f settle_ms=%lu\n",
	       loops * per_loop, failed, loops, per_loop, t1 - t0,
	       t1 > t0 ? (double)(loops * per_loop) / (t1 - t0) : 0.0, cpu_work,
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
