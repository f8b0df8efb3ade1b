// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <penguard/events.h>

#include "config.h"
#include "util.h"

void pg_config_init(struct pg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->format = PG_FORMAT_AUTO;
	cfg->export_max_size = 100ULL << 20;
	cfg->export_backups = 5;
	cfg->ringbuf_size = 8ULL << 20;
	cfg->proc_ringbuf_size = 4ULL << 20;
	cfg->wakeup_bytes = 0; /* derived from ringbuf_size unless set */
	cfg->max_args = PG_ARGS_DEFAULT;
	cfg->cache_size = 65536;
	cfg->cache_grace_ms = 2000;
	cfg->flush_interval_ms = 100;
	cfg->seed = true;
	cfg->policy_dir = "/etc/penguard/policies.d";
	cfg->socket_path = "/run/penguard.sock";
}

void pg_config_usage_run(FILE *f)
{
	fprintf(f,
		"Usage: penguard run [OPTIONS]\n"
		"Load the sensors and stream security events until SIGINT/SIGTERM.\n"
		"\n"
		"Output:\n"
		"  -o, --output FORMAT       stdout format: json, compact, none\n"
		"                            (default: compact on a terminal, else json)\n"
		"      --export FILE         also write JSON lines to FILE (mode 0600)\n"
		"      --export-max-size N   rotate FILE past N bytes (K/M/G; default 100M)\n"
		"      --export-backups N    rotated files to keep (default 5)\n"
		"      --ancestors           add each event's ancestor chain\n"
		"      --fork-events         also report process_fork events\n"
		"      --process-creds       add cap and process_credentials to process objects\n"
		"      --process-ns          add ns (namespaces) to process objects\n"
		"Policies:\n"
		"      --policy FILE|DIR     load a policy file, or every *.yaml in DIR "
		"(repeatable)\n"
		"      --no-default-policies do not load the built-in policies (policies/)\n"
		"      --policy-dir DIR      also read DIR when present (default\n"
		"                            /etc/penguard/policies.d; empty: none)\n"
		"                            (SIGHUP re-reads them all; a set that fails keeps the "
		"old)\n"
		"Sensors:\n"
		"      --backend SENSOR=NAME force a backend (see `penguard probe`)\n"
		"      --max-args N          argv bytes kept per exec (default %u, max %u)\n"
		"      --no-seed             do not report processes already running\n"
		"      --cgroup-hierarchy H  name cgroups after v2 or a v1 controller's hierarchy\n"
		"                            (default: v2 where it is the default, else "
		"memory/pids/cpu)\n"
		"Resources:\n"
		"      --ringbuf-size N      event ring buffer bytes, power of two (default 8M)\n"
		"      --proc-ringbuf-size N process lifecycle ring buffer (default 4M)\n"
		"      --wakeup-bytes N      wake the agent at this backlog (default smallest "
		"ring/16)\n"
		"      --flush-interval MS   deliver within MS when idle (default 100)\n"
		"      --cache-size N        process cache entries (default 65536)\n"
		"      --cache-grace MS      keep exited processes MS (default 2000)\n"
		"Statistics:\n"
		"      --stats-interval SEC  log counters every SEC seconds\n"
		"      --stats-file FILE     write counters as JSON to FILE\n"
		"      --record FILE         also append every raw kernel record to FILE\n"
		"                            (for `make bench` and the fuzz corpus)\n"
		"  -v, --verbose             more diagnostics (twice: libbpf and verifier)\n"
		"  -h, --help                this help\n",
		PG_ARGS_DEFAULT, PG_ARGS_MAX - 1);
}

const char *pg_config_forced_backend(const struct pg_config *cfg, const char *sensor)
{
	uint32_t i;

	for (i = 0; i < cfg->n_forced; i++)
		if (!strcmp(cfg->forced[i].sensor, sensor))
			return cfg->forced[i].backend;
	return NULL;
}

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "penguard: invalid %s '%s': %s\n", opt, val, why);
	return -EINVAL;
}

static int parse_backend(struct pg_config *cfg, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct pg_forced_backend *fb;

	if (!eq || eq == arg || !eq[1])
		return bad("--backend", arg, "expected SENSOR=NAME");
	if ((size_t)(eq - arg) >= PG_NAME_LEN || strlen(eq + 1) >= PG_NAME_LEN)
		return bad("--backend", arg, "name too long");
	if (cfg->n_forced >= PG_MAX_FORCED)
		return bad("--backend", arg, "too many --backend options");
	fb = &cfg->forced[cfg->n_forced++];
	memcpy(fb->sensor, arg, eq - arg);
	fb->sensor[eq - arg] = 0;
	strcpy(fb->backend, eq + 1);
	return 0;
}

enum {
	OPT_EXPORT = 256,
	OPT_EXPORT_MAX,
	OPT_EXPORT_BACKUPS,
	OPT_ANCESTORS,
	OPT_FORK,
	OPT_BACKEND,
	OPT_MAX_ARGS,
	OPT_NO_SEED,
	OPT_RINGBUF,
	OPT_WAKEUP,
	OPT_FLUSH,
	OPT_CACHE,
	OPT_GRACE,
	OPT_STATS_INTERVAL,
	OPT_STATS_FILE,
	OPT_PROC_RINGBUF,
	OPT_PROCESS_CREDS,
	OPT_PROCESS_NS,
	OPT_CGROUP,
	OPT_RECORD,
	OPT_POLICY,
	OPT_NO_DEFAULT_POLICIES,
	OPT_POLICY_DIR,
	OPT_SOCKET,
};

int pg_config_parse_run(struct pg_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "export-max-size", required_argument, NULL, OPT_EXPORT_MAX },
		{ "export-backups", required_argument, NULL, OPT_EXPORT_BACKUPS },
		{ "ancestors", no_argument, NULL, OPT_ANCESTORS },
		{ "fork-events", no_argument, NULL, OPT_FORK },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "max-args", required_argument, NULL, OPT_MAX_ARGS },
		{ "no-seed", no_argument, NULL, OPT_NO_SEED },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "wakeup-bytes", required_argument, NULL, OPT_WAKEUP },
		{ "flush-interval", required_argument, NULL, OPT_FLUSH },
		{ "cache-size", required_argument, NULL, OPT_CACHE },
		{ "cache-grace", required_argument, NULL, OPT_GRACE },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "stats-file", required_argument, NULL, OPT_STATS_FILE },
		{ "proc-ringbuf-size", required_argument, NULL, OPT_PROC_RINGBUF },
		{ "process-creds", no_argument, NULL, OPT_PROCESS_CREDS },
		{ "process-ns", no_argument, NULL, OPT_PROCESS_NS },
		{ "cgroup-hierarchy", required_argument, NULL, OPT_CGROUP },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policies", no_argument, NULL, OPT_NO_DEFAULT_POLICIES },
		{ "policy-dir", required_argument, NULL, OPT_POLICY_DIR },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	uint64_t v, min_ring;
	int c, err;

	optind = 0; /* 0, not 1: glibc then also forgets a half-parsed -abc group */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "json"))
				cfg->format = PG_FORMAT_JSON;
			else if (!strcmp(optarg, "compact"))
				cfg->format = PG_FORMAT_COMPACT;
			else if (!strcmp(optarg, "none"))
				cfg->format = PG_FORMAT_NONE;
			else
				return bad("--output", optarg, "expected json, compact or none");
			break;
		case OPT_EXPORT:
			if (!*optarg)
				return bad("--export", optarg, "empty file name");
			cfg->export_path = optarg;
			break;
		case OPT_EXPORT_MAX:
			if (pg_parse_size(optarg, &v) || v < 4096)
				return bad("--export-max-size", optarg, "expected a size >= 4096");
			cfg->export_max_size = v;
			break;
		case OPT_EXPORT_BACKUPS:
			if (pg_parse_uint(optarg, 1000, &v))
				return bad("--export-backups", optarg, "expected 0..1000");
			cfg->export_backups = v;
			break;
		case OPT_ANCESTORS: cfg->ancestors = true; break;
		case OPT_FORK: cfg->fork_events = true; break;
		case OPT_BACKEND:
			err = parse_backend(cfg, optarg);
			if (err)
				return err;
			break;
		case OPT_MAX_ARGS:
			if (pg_parse_size(optarg, &v) || v < 64 || v > PG_ARGS_MAX - 1)
				return bad("--max-args", optarg, "expected 64..32767");
			cfg->max_args = v;
			break;
		case OPT_NO_SEED: cfg->seed = false; break;
		case OPT_RINGBUF:
		case OPT_PROC_RINGBUF:
			if (pg_parse_size(optarg, &v) || v < 4096 || v > (1ULL << 30) ||
			    (v & (v - 1)))
				return bad(c == OPT_RINGBUF ? "--ringbuf-size"
							    : "--proc-ringbuf-size",
					   optarg, "expected a power of two from 4K to 1G");
			if (c == OPT_RINGBUF)
				cfg->ringbuf_size = v;
			else
				cfg->proc_ringbuf_size = v;
			break;
		case OPT_PROCESS_CREDS: cfg->process_creds = true; break;
		case OPT_PROCESS_NS: cfg->process_ns = true; break;
		case OPT_CGROUP:
			if (!*optarg || strlen(optarg) >= PG_NAME_LEN || strchr(optarg, '/') ||
			    strchr(optarg, ','))
				return bad("--cgroup-hierarchy", optarg,
					   "expected v2 or a controller name (memory, pids, …)");
			cfg->cgroup_hierarchy = optarg;
			break;
		case OPT_WAKEUP:
			if (pg_parse_size(optarg, &v) || v > (1ULL << 30))
				return bad("--wakeup-bytes", optarg, "expected a size up to 1G");
			cfg->wakeup_bytes = v;
			break;
		case OPT_FLUSH:
			if (pg_parse_uint(optarg, 10000, &v) || v < 1)
				return bad("--flush-interval", optarg, "expected 1..10000 ms");
			cfg->flush_interval_ms = v;
			break;
		case OPT_CACHE:
			if (pg_parse_uint(optarg, 1U << 24, &v) || v < 16)
				return bad("--cache-size", optarg, "expected 16..16777216");
			cfg->cache_size = v;
			break;
		case OPT_GRACE:
			if (pg_parse_uint(optarg, 3600000, &v))
				return bad("--cache-grace", optarg, "expected 0..3600000 ms");
			cfg->cache_grace_ms = v;
			break;
		case OPT_STATS_INTERVAL:
			if (pg_parse_uint(optarg, 86400, &v))
				return bad("--stats-interval", optarg, "expected 0..86400 s");
			cfg->stats_interval = v;
			break;
		case OPT_STATS_FILE: cfg->stats_file = optarg; break;
		case OPT_RECORD: cfg->record_path = optarg; break;
		case OPT_POLICY:
			if (!*optarg)
				return bad("--policy", optarg, "empty path");
			if (cfg->n_policy_paths >= PG_MAX_POLICY_ARGS)
				return bad("--policy", optarg,
					   "too many --policy options (use a folder)");
			cfg->policy_paths[cfg->n_policy_paths++] = optarg;
			break;
		case OPT_NO_DEFAULT_POLICIES: cfg->no_default_policies = true; break;
		case OPT_POLICY_DIR: cfg->policy_dir = *optarg ? optarg : NULL; break;
		case OPT_SOCKET: cfg->socket_path = *optarg ? optarg : NULL; break;
		case 'v': cfg->verbose++; break;
		case 'h': pg_config_usage_run(stdout); return 1;
		case ':':
			fprintf(stderr, "penguard: option '%s' needs a value\n", argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "penguard: unknown option '%s' (see penguard run --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "penguard: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	min_ring = cfg->ringbuf_size < cfg->proc_ringbuf_size ? cfg->ringbuf_size
							      : cfg->proc_ringbuf_size;
	if (cfg->wakeup_bytes >= min_ring) {
		fprintf(stderr, "penguard: --wakeup-bytes must be below both ring buffer sizes\n");
		return -EINVAL;
	}
	if (!cfg->wakeup_bytes)
		cfg->wakeup_bytes = min_ring / 16;
	return 0;
}
