// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pipeline.c - the agent's user-space cost per event, without the kernel:
 * replays records captured with `penguard run --record FILE` through
 * decode, process cache, JSON rendering and the stdout writer (point
 * stdout at /dev/null or a file), as many rounds as asked.
 *
 * Prints one line of key=value pairs for bench/run.sh:
 *   records  records replayed in all     events  JSON lines written
 *   cpu_s    CPU time of the replay      events_per_s  events / cpu_s
 *   bytes_per_event  average JSON line
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"
#include "output.h"

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv)
{
	struct pg_output_stats os;
	struct pg_config cfg;
	struct pg_agent a;
	struct stat st;
	long rounds, i, n, total = 0;
	char *buf;
	double t0, t;
	int fd;

	if (argc != 3 || (rounds = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: %s RECORD-FILE ROUNDS >/dev/null\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || !(buf = malloc(st.st_size + 1)) ||
	    read(fd, buf, st.st_size) != st.st_size) {
		fprintf(stderr, "pipeline: cannot read %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	pg_config_init(&cfg);
	cfg.format = PG_FORMAT_JSON;
	if (pg_agent_init(&a, &cfg))
		return 1;
	t0 = cpu_seconds();
	for (i = 0; i < rounds; i++) {
		n = pg_agent_replay(&a, buf, st.st_size);
		if (n < 0) {
			fprintf(stderr, "pipeline: %s: %s\n", argv[1], strerror(-n));
			return 1;
		}
		total += n;
		pg_output__flush(a.out);
	}
	pg_output__drain(a.out, 1000);
	t = cpu_seconds() - t0;
	pg_output__stats(a.out, &os);
	fprintf(stderr, "records=%ld events=%llu cpu_s=%.3f events_per_s=%.0f records_per_s=%.0f\n",
		total, (unsigned long long)os.lines, t, os.lines / t, total / t);
	pg_agent_fini(&a);
	free(buf);
	return 0;
}
