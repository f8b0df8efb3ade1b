/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* `penguard run` settings: defaults, parsing, validation. */
#ifndef PG_CONFIG_H
#define PG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum pg_format {
	PG_FORMAT_AUTO, /* compact on a terminal, JSON otherwise */
	PG_FORMAT_JSON,
	PG_FORMAT_COMPACT,
	PG_FORMAT_NONE,
};

#define PG_MAX_FORCED 8
#define PG_MAX_POLICY_ARGS 64
#define PG_MAX_POLICY_ARGS 64
#define PG_NAME_LEN 32

struct pg_forced_backend {
	char sensor[PG_NAME_LEN];
	char backend[PG_NAME_LEN];
};

struct pg_config {
	enum pg_format format;
	const char *export_path;
	uint64_t export_max_size; /* bytes; rotate past this */
	uint32_t export_backups;  /* rotated files kept */
	struct pg_forced_backend forced[PG_MAX_FORCED];
	uint32_t n_forced;
	uint64_t ringbuf_size;	    /* bytes, power of two: every event but the process lifecycle */
	uint64_t proc_ringbuf_size; /* bytes, power of two: exec, exit, fork */
	uint64_t wakeup_bytes;	    /* wake the agent past this backlog */
	uint32_t max_args;	    /* argv bytes kept per exec */
	uint32_t cache_size;	    /* process cache entries */
	uint32_t cache_grace_ms;    /* exited processes kept this long */
	uint32_t flush_interval_ms; /* the latency bound when idle */
	uint32_t stats_interval;    /* seconds; 0: only at exit */
	const char *stats_file;
	const char *record_path; /* raw records, for the pipeline bench and the fuzz corpus */
	const char *policy_paths[PG_MAX_POLICY_ARGS]; /* --policy FILE|DIR */
	uint32_t n_policy_paths;
	bool no_default_policies;
	const char *policy_dir;	      /* read when present; default /etc/penguard/policies.d */
	const char *socket_path;      /* control socket; NULL: none */
	const char *cgroup_hierarchy; /* "v2" or a v1 controller; NULL: chosen by probing */
	bool ancestors;
	bool fork_events;
	bool process_creds; /* cap and process_credentials in process objects */
	bool process_ns;    /* ns in process objects */
	bool seed;
	int verbose;
};

void pg_config_init(struct pg_config *cfg);

/*
 * Parse `penguard run` arguments (argv[0] is "run"). Returns 0, 1 when
 * --help was printed, or -EINVAL after printing why to stderr.
 */
int pg_config_parse_run(struct pg_config *cfg, int argc, char **argv);

/* Backend forced for @sensor with --backend, or NULL. */
const char *pg_config_forced_backend(const struct pg_config *cfg, const char *sensor);

void pg_config_usage_run(FILE *f);

#endif
