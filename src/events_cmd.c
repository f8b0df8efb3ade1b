// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `penguard events`: the running agent's events, as they happen, from its
 * control socket: a second view of a host's activity (a terminal, a
 * pipeline into a SIEM shipper) that needs no restart of the agent and
 * takes nothing from its other outputs. A client that reads too slowly
 * loses events, and is told how many in the stream (docs/OUTPUT.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "events_cmd.h"

static void events_usage(FILE *f)
{
	fprintf(f,
		"Usage: penguard events [-o json|compact] [--socket PATH]\n"
		"\n"
		"Stream the running agent's events from now on, until it stops or this\n"
		"command is interrupted.\n"
		"\n"
		"  -o, --output FORMAT  json (one JSON object a line, as `penguard run` writes)\n"
		"                       or compact; default: compact on a terminal, else json\n"
		"  --socket PATH        the agent's control socket (default %s; root only)\n"
		"\n"
		"Events this client does not read in time are dropped for it alone, and\n"
		"a line says how many: {\"events_lost\":{...}} in JSON, \"!! N events lost\"\n"
		"in compact. Exit status: 0 when the agent ended the stream, 1 when it\n"
		"could not be reached or refused, 2 for a usage error.\n",
		PG_CONTROL_DEFAULT_PATH);
}

/* Copy @fd to stdout until EOF. 0, or 1 after a read error. */
static int copy_stream(int fd, const char *start, size_t n)
{
	char buf[65536];
	ssize_t r;

	if (n && fwrite(start, 1, n, stdout) != n)
		return 0; /* stdout is gone: nothing left to show */
	fflush(stdout);
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "penguard events: reading the stream: %s\n",
				strerror(errno));
			return 1;
		}
		if (r == 0) {
			fprintf(stderr, "penguard events: the agent ended the stream\n");
			return 0;
		}
		if (fwrite(buf, 1, (size_t)r, stdout) != (size_t)r)
			return 0;
		fflush(stdout);
	}
}

int pg_events_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *path = PG_CONTROL_DEFAULT_PATH, *format = NULL;
	char req[32], head[4096], *nl;
	size_t got = 0;
	ssize_t r;
	int c, fd, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'h') {
			events_usage(stdout);
			return 0;
		}
		if (c == 'o' && (!strcmp(optarg, "json") || !strcmp(optarg, "compact"))) {
			format = optarg;
			continue;
		}
		if (c == 'S') {
			path = optarg;
			continue;
		}
		events_usage(stderr);
		return 2;
	}
	if (optind < argc) {
		events_usage(stderr);
		return 2;
	}
	if (!format)
		format = isatty(STDOUT_FILENO) ? "compact" : "json";
	snprintf(req, sizeof(req), "events %s\n", format);
	fd = pg_control_send(path, req, strlen(req));
	if (fd < 0) {
		fprintf(stderr, "penguard events: cannot reach the agent at %s: %s\n", path,
			strerror(-fd));
		return 1;
	}
	/* the answer's first line, "ok" or "error: why"; events may follow at once */
	while (!(nl = memchr(head, '\n', got)) && got < sizeof(head)) {
		r = read(fd, head + got, sizeof(head) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (!nl || strncmp(head, "ok\n", 3)) {
		if (got)
			fprintf(stderr, "penguard events: %.*s\n",
				(int)(nl ? nl - head : (ptrdiff_t)got), head);
		else
			fprintf(stderr, "penguard events: the agent closed the connection\n");
		close(fd);
		return 1;
	}
	rc = copy_stream(fd, head + 3, got - 3);
	close(fd);
	return rc;
}
