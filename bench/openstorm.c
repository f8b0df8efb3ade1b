// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * openstorm.c - the open-storm workload for `make bench`.
 *
 * L loops, each N times: open(PATH, O_RDONLY) + close. With -r, each loop
 * paces itself to RATE opens per second (checked every 256 opens), for the
 * sustained-rate measurement: a monitor is offered a known event rate.
 * The result line (storm.c) counts opens= and the opens that failed, and
 * has rate=, the opens per second all loops together achieved.
 */
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "storm.h"

/* Sleep until @t (CLOCK_MONOTONIC seconds). */
static void sleep_until(double t)
{
	double d = t - storm_now_s();
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
	double t0 = storm_now_s();

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

static const struct storm openstorm = {
	.name = "openstorm",
	.unit = "opens",
	.what = "open",
	.usage = "[-l LOOPS] [-n OPENS_PER_LOOP] [-r RATE_PER_LOOP] [-s SETTLE_MS] PATH\n"
		 "  runs LOOPS parallel loops of OPENS_PER_LOOP open(O_RDONLY)+close of PATH,\n"
		 "  each at most RATE_PER_LOOP opens per second if -r is given\n",
	.max_per_loop = 1000000000UL,
	.target_access = R_OK,
	.paced = true,
	.run_loop = run_loop,
};

int main(int argc, char **argv)
{
	return storm_main(&openstorm, argc, argv);
}
