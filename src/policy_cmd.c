// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `penguard policy`: check policy files offline; list, add and remove
 * will talk to the running agent.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

static void policy_usage(FILE *f)
{
	fprintf(f, "Usage: penguard policy check FILE...\n"
		   "       penguard policy list|add|remove (needs a running agent)\n"
		   "\n"
		   "  check FILE...   parse each policy FILE; print every mistake on stderr as\n"
		   "                  FILE:LINE:COLUMN: message, and FILE: ok (N rules) on stdout\n"
		   "                  for each valid one. Exit status: 0 if all are valid,\n"
		   "                  1 if one is not, 2 for a usage error.\n"
		   "\n"
		   "The policy language: docs/POLICY.md.\n");
}

static int policy_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pg_policy p = { 0 };
	struct pg_diag diag;
	bool bad = false;
	size_t i;
	int c, err;

	/* 0, not 1: glibc keeps state between getopt runs that only 0 resets */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			policy_usage(stdout);
			return 0;
		}
		fprintf(stderr, "penguard policy check: unknown option '%s'\n", argv[optind - 1]);
		policy_usage(stderr);
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "penguard policy check: no FILE given\n");
		policy_usage(stderr);
		return 2;
	}
	for (; optind < argc; optind++) {
		const char *file = argv[optind];

		err = pg_policy_parse_file(file, &p, &diag);
		for (i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
		if (!err) {
			printf("%s: ok (%zu rule%s)\n", file, p.n_rules, p.n_rules == 1 ? "" : "s");
		} else {
			/* every error but a lack of memory comes with its messages */
			if (!diag.n)
				fprintf(stderr, "%s: %s\n", file, strerror(-err));
			bad = true;
		}
		pg_diag_free(&diag);
		pg_policy_free(&p);
	}
	return bad ? 1 : 0;
}

int pg_policy_cmd(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub) {
		policy_usage(stderr);
		return 2;
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		policy_usage(stdout);
		return 0;
	}
	if (!strcmp(sub, "check"))
		return policy_check(argc - 1, argv + 1);
	if (!strcmp(sub, "list") || !strcmp(sub, "add") || !strcmp(sub, "remove")) {
		fprintf(stderr,
			"penguard policy: '%s' needs a running agent (not yet implemented)\n", sub);
		return 2;
	}
	fprintf(stderr, "penguard policy: unknown command '%s'\n", sub);
	policy_usage(stderr);
	return 2;
}
