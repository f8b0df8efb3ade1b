/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * storm.h - what the exec and open storms of `make bench` share: options,
 * the loops started together, the timing and the key=value result line.
 * Each storm brings its loop body (execstorm.c, openstorm.c).
 */
#ifndef PENGUARD_BENCH_STORM_H
#define PENGUARD_BENCH_STORM_H

#include <stdbool.h>

struct storm {
	const char *name;	    /* the program, in messages: "execstorm" */
	const char *unit;	    /* the result line's count key: "execs" */
	const char *what;	    /* one operation, in messages: "exec" */
	const char *usage;	    /* the usage text after "usage: PROG " */
	unsigned long max_per_loop; /* bound of -n */
	int target_access;	    /* access(2) mode the target must allow; < 0: not a file */
	bool paced;		    /* takes -r and prints rate= */
	/* One loop of @n operations on @target, at most @rate per second (0: unpaced). Returns the failures. */
	unsigned long (*run_loop)(const char *target, unsigned long n, unsigned long rate);
};

/* The whole program: parse @argv, run the loops, print the result line. */
int storm_main(const struct storm *s, int argc, char **argv);

/* CLOCK_MONOTONIC, in seconds. */
double storm_now_s(void);

#endif
