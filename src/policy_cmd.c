// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `penguard policy`: check policy files offline; list, add and remove
 * talk to the running agent over its control socket (src/control.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "json.h"
#include "policy.h"

static void policy_usage(FILE *f)
{
	fprintf(f,
		"Usage: penguard policy check FILE...\n"
		"       penguard policy list [--socket PATH]\n"
		"       penguard policy add FILE [--socket PATH]\n"
		"       penguard policy remove NAME [--socket PATH]\n"
		"\n"
		"  check FILE...   parse each policy FILE; print every mistake on stderr as\n"
		"                  FILE:LINE:COLUMN: message, and FILE: ok (N rules) on stdout\n"
		"                  for each valid one. Exit status: 0 if all are valid,\n"
		"                  1 if one is not, 2 for a usage error.\n"
		"  list            the running agent's policies, rules and counters (JSON)\n"
		"  add FILE        load FILE into the running agent (a policy of the same\n"
		"                  name is replaced); a set that fails keeps the old one\n"
		"  remove NAME     unload policy NAME from the running agent\n"
		"  --socket PATH   the agent's control socket (default %s; root only)\n"
		"\n"
		"The policy language: docs/POLICY.md.\n",
		PG_CONTROL_DEFAULT_PATH);
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

/* list | add FILE | remove NAME, sent to the running agent */
static int policy_remote(int argc, char **argv)
{
	const char *sub = argv[0], *arg = NULL, *path = PG_CONTROL_DEFAULT_PATH;
	struct pg_buf req, resp;
	int i, err, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			path = argv[++i];
		else if (!arg && argv[i][0] != '-')
			arg = argv[i];
		else
			goto usage;
	}
	if (strcmp(sub, "list") ? !arg : !!arg)
		goto usage;
	pg_buf_init(&req);
	pg_buf_init(&resp);
	if (!strcmp(sub, "add")) {
		FILE *f = fopen(arg, "re");
		char chunk[65536];
		size_t n;

		if (!f) {
			fprintf(stderr, "penguard policy add: %s: %s\n", arg, strerror(errno));
			return 1;
		}
		pg_buf_puts(&req, "add\n");
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			pg_buf_put(&req, chunk, n);
		fclose(f);
	} else if (!strcmp(sub, "remove")) {
		pg_buf_printf(&req, "remove %s\n", arg);
	} else {
		pg_buf_puts(&req, "list\n");
	}
	err = req.failed ? -ENOMEM : pg_control_request(path, req.data, req.len, &resp);
	if (err) {
		fprintf(stderr, "penguard policy %s: cannot reach the agent at %s: %s\n", sub, path,
			strerror(-err));
		rc = 1;
	} else if (!strncmp(resp.data, "ok\n", 3)) {
		fputs(resp.data + 3, stdout);
		rc = 0;
	} else {
		fputs(resp.data, stderr);
		rc = 1;
	}
	pg_buf_free(&req);
	pg_buf_free(&resp);
	return rc;
usage:
	policy_usage(stderr);
	return 2;
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
	if (!strcmp(sub, "list") || !strcmp(sub, "add") || !strcmp(sub, "remove"))
		return policy_remote(argc - 1, argv + 1);
	fprintf(stderr, "penguard policy: unknown command '%s'\n", sub);
	policy_usage(stderr);
	return 2;
}
