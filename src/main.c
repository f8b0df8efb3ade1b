// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* penguard: the command table. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "events_cmd.h"
#include "config.h"
#include "kernel_features.h"
#include "policy.h"
#include "sensor.h"
#include "util.h"

#ifndef PENGUARD_VERSION
#define PENGUARD_VERSION "0.1.0"
#endif

static int cmd_run(int argc, char **argv)
{
	struct pg_config cfg;
	int err;

	/* before anything else: a stop signal during start-up must not be lost */
	pg_agent_block_signals();
	pg_config_init(&cfg);
	err = pg_config_parse_run(&cfg, argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	return pg_agent_run(&cfg) ? 1 : 0;
}

static void probe_usage(FILE *f)
{
	fprintf(f, "Usage: penguard probe [-o json|text]\n"
		   "Show the kernel features found and the backend each sensor would use.\n");
}

/*
 * What the sensors' events cannot report on this kernel, and why: a JSON
 * array's members, or text lines. The strings are the sensors' own
 * constants and messages (no quotes or control characters).
 */
static void probe_unavailable(bool json)
{
	struct pg_unavailable u[16];
	size_t i, j, n, shown = 0;

	for (i = 0; i < pg_n_sensors; i++) {
		if (!pg_sensors[i]->unavailable)
			continue;
		n = pg_sensors[i]->unavailable(u, PG_ARRAY_SIZE(u));
		for (j = 0; j < n; j++, shown++) {
			if (json)
				printf("%s{\"sensor\":\"%s\",\"event\":\"%s\",\"kind\":\"%s\","
				       "\"why\":\"%s\"}",
				       shown ? "," : "", pg_sensors[i]->name, u[j].event,
				       u[j].what ? u[j].what : "", u[j].why);
			else
				printf("%s  %s%s%s: %s\n",
				       shown ? "" : "\nunavailable on this kernel:\n", u[j].event,
				       u[j].what ? " kind " : "", u[j].what ? u[j].what : "",
				       u[j].why);
		}
	}
}

static int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct pg_features f;
	bool json = false;
	size_t i, j;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'h') {
			probe_usage(stdout);
			return 0;
		}
		if (c == 'o' && (!strcmp(optarg, "json") || !strcmp(optarg, "text"))) {
			json = !strcmp(optarg, "json");
			continue;
		}
		probe_usage(stderr);
		return 2;
	}
	pg_features_probe(&f);
	if (json) {
		printf("{");
		pg_features_print(&f, stdout, true);
		printf(",\"sensors\":{");
		for (i = 0; i < pg_n_sensors; i++) {
			const struct pg_backend *b = pg_sensor_pick(pg_sensors[i], &f);

			/* sensor and backend names are compile-time identifiers */
			printf("%s\"%s\":\"%s\"", i ? "," : "", pg_sensors[i]->name,
			       b ? b->name : "none");
		}
		printf("},\"unavailable\":[");
		probe_unavailable(true);
		printf("]}\n");
		return 0;
	}
	pg_features_print(&f, stdout, false);
	printf("\nsensor        backend (alternatives)\n");
	for (i = 0; i < pg_n_sensors; i++) {
		const struct pg_sensor *s = pg_sensors[i];
		const struct pg_backend *b = pg_sensor_pick(s, &f);

		printf("%-13s %s (", s->name, b ? b->name : "none");
		for (j = 0; j < s->n_backends; j++)
			printf("%s%s: %s%s", j ? "; " : "", s->backends[j].name,
			       s->backends[j].usable(&f) ? "ok" : "no, needs ",
			       s->backends[j].usable(&f) ? "" : s->backends[j].needs);
		printf(")\n");
	}
	probe_unavailable(false);
	if (!f.root)
		printf("\n(not root: program loading was not tested)\n");
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("penguard %s\n", PENGUARD_VERSION);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "load the sensors and stream events" },
	{ "probe", cmd_probe, "show kernel features and chosen backends" },
	{ "policy", pg_policy_cmd, "check policy files (policy check FILE…)" },
	{ "events", pg_events_cmd, "stream the running agent's events" },
	{ "version", cmd_version, "print the version" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: penguard COMMAND [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < PG_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`penguard COMMAND --help` shows a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	for (i = 0; i < PG_ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "penguard: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
