// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/config.c: `penguard run` defaults and option parsing.
 * Every user-controlled resource (ring buffer, argv bytes, cache) has a
 * limit, so each limit is tested on both sides.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <penguard/events.h>

#include "config.h"

static int parse_argv(struct pg_config *cfg, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return pg_config_parse_run(cfg, argc, argv);
}

/* argv[0] is "run", as `penguard run ...` hands it over */
#define PARSE(cfg, ...) parse_argv(cfg, (char *[]){ "run", __VA_ARGS__, NULL })

/*
 * Run a parse that is expected to print (a complaint, the help) with @fd (stderr or stdout)
 * pointed at /dev/null, so the test log shows test results, not the
 * diagnostics being tested.
 */
static int parse_quiet(struct pg_config *cfg, char **argv, int fd)
{
	int saved, null, ret;

	fflush(NULL);
	saved = dup(fd);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(saved >= 0 && null >= 0);
	dup2(null, fd);
	close(null);
	ret = parse_argv(cfg, argv);
	fflush(NULL);
	dup2(saved, fd);
	close(saved);
	return ret;
}

#define PARSE_QUIET(cfg, ...)                                                                      \
	parse_quiet(cfg, (char *[]){ "run", __VA_ARGS__, NULL }, STDERR_FILENO)

/*
 * glibc keeps scanning state between getopt calls; only optind = 0 clears
 * it. Start every test from a clean state so one test's failure cannot
 * show up as another's.
 */
static int getopt_clean(void **state)
{
	char *argv[] = { "x", NULL };

	(void)state;
	optind = 0;
	opterr = 0;
	while (getopt(1, argv, "") != -1)
		;
	return 0;
}

static void test_config_defaults(void **state)
{
	struct pg_config cfg;

	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	pg_config_init(&cfg);
	assert_int_equal(cfg.format, PG_FORMAT_AUTO);
	assert_null(cfg.export_path);
	assert_int_equal(cfg.export_max_size, 100ULL << 20);
	assert_int_equal(cfg.export_backups, 5);
	assert_int_equal(cfg.n_forced, 0);
	assert_int_equal(cfg.ringbuf_size, 8ULL << 20);
	assert_int_equal(cfg.max_args, PG_ARGS_DEFAULT);
	assert_int_equal(cfg.cache_size, 65536);
	assert_int_equal(cfg.cache_grace_ms, 2000);
	assert_int_equal(cfg.flush_interval_ms, 100);
	assert_int_equal(cfg.stats_interval, 0);
	assert_null(cfg.stats_file);
	assert_false(cfg.ancestors);
	assert_false(cfg.fork_events);
	assert_true(cfg.seed);
	assert_int_equal(cfg.verbose, 0);
	assert_null(pg_config_forced_backend(&cfg, "process"));
}

static void test_config_no_options(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(parse_argv(&cfg, (char *[]){ "run", NULL }), 0);
	assert_int_equal(cfg.format, PG_FORMAT_AUTO);
	/* the wakeup threshold follows the smaller ring buffer */
	assert_int_equal(cfg.wakeup_bytes, (4ULL << 20) / 16);
	assert_true(cfg.seed);
	assert_false(cfg.process_creds);
	assert_false(cfg.process_ns);
}

static void test_config_ring_sizes(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(parse_argv(&cfg, (char *[]){ "run", "--proc-ringbuf-size", "64K",
						      "--ringbuf-size", "1M", NULL }),
			 0);
	assert_int_equal(cfg.proc_ringbuf_size, 64 << 10);
	assert_int_equal(cfg.wakeup_bytes, (64 << 10) / 16);
	pg_config_init(&cfg);
	/* a watermark the smaller ring can never reach is refused */
	assert_int_equal(parse_argv(&cfg, (char *[]){ "run", "--proc-ringbuf-size", "64K",
						      "--wakeup-bytes", "128K", NULL }),
			 -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(parse_argv(&cfg, (char *[]){ "run", "--proc-ringbuf-size", "3000", NULL }),
			 -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(parse_argv(&cfg, (char *[]){ "run", "--cgroup-hierarchy", "a/b", NULL }),
			 -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(parse_argv(&cfg, (char *[]){ "run", "--cgroup-hierarchy", "memory",
						      "--process-creds", "--process-ns", NULL }),
			 0);
	assert_string_equal(cfg.cgroup_hierarchy, "memory");
	assert_true(cfg.process_creds && cfg.process_ns);
}

static void test_config_output_formats(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "-o", "json"), 0);
	assert_int_equal(cfg.format, PG_FORMAT_JSON);
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--output", "compact"), 0);
	assert_int_equal(cfg.format, PG_FORMAT_COMPACT);
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--output=none"), 0);
	assert_int_equal(cfg.format, PG_FORMAT_NONE);
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "-ojson"), 0);
	assert_int_equal(cfg.format, PG_FORMAT_JSON);
	/* the last one wins */
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "-o", "json", "-o", "none"), 0);
	assert_int_equal(cfg.format, PG_FORMAT_NONE);
}

static void test_config_export(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--export", "/var/log/pg.json", "--export-max-size", "1M",
			       "--export-backups", "3"),
			 0);
	assert_string_equal(cfg.export_path, "/var/log/pg.json");
	assert_int_equal(cfg.export_max_size, 1ULL << 20);
	assert_int_equal(cfg.export_backups, 3);
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--export=out.json", "--export-max-size=4096"), 0);
	assert_string_equal(cfg.export_path, "out.json");
	assert_int_equal(cfg.export_max_size, 4096);
}

static void test_config_backend_two_sensors(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--backend", "process=tp_btf", "--backend", "file=kprobe"), 0);
	assert_int_equal(cfg.n_forced, 2);
	assert_string_equal(pg_config_forced_backend(&cfg, "process"), "tp_btf");
	assert_string_equal(pg_config_forced_backend(&cfg, "file"), "kprobe");
	assert_null(pg_config_forced_backend(&cfg, "net"));
	/* a sensor name is matched whole, not by prefix */
	assert_null(pg_config_forced_backend(&cfg, "proc"));
	assert_null(pg_config_forced_backend(&cfg, "processes"));
}

static void test_config_backend_limits(void **state)
{
	char *argv[2 + 2 * PG_MAX_FORCED + 2 + 1];
	char names[PG_MAX_FORCED + 1][PG_NAME_LEN];
	struct pg_config cfg;
	int i, argc = 0;

	(void)state;
	/* the longest names that fit: 31 characters each side */
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--backend",
			       "sssssssssssssssssssssssssssssss=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
			 0);
	assert_string_equal(pg_config_forced_backend(&cfg, "sssssssssssssssssssssssssssssss"),
			    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");

	/* PG_MAX_FORCED fit, one more is refused */
	argv[argc++] = "run";
	for (i = 0; i < PG_MAX_FORCED; i++) {
		snprintf(names[i], sizeof(names[i]), "s%d=b%d", i, i);
		argv[argc++] = "--backend";
		argv[argc++] = names[i];
	}
	argv[argc] = NULL;
	pg_config_init(&cfg);
	assert_int_equal(parse_argv(&cfg, argv), 0);
	assert_int_equal(cfg.n_forced, PG_MAX_FORCED);
	assert_string_equal(pg_config_forced_backend(&cfg, "s7"), "b7");

	snprintf(names[i], sizeof(names[i]), "s%d=b%d", i, i);
	argv[argc++] = "--backend";
	argv[argc++] = names[i];
	argv[argc] = NULL;
	pg_config_init(&cfg);
	assert_int_equal(parse_quiet(&cfg, argv, STDERR_FILENO), -EINVAL);
}

static void test_config_resources(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--max-args", "8192", "--ringbuf-size", "1M",
			       "--flush-interval", "50", "--stats-interval", "10", "--cache-size",
			       "1024", "--cache-grace", "0", "--stats-file", "/run/pg.stats"),
			 0);
	assert_int_equal(cfg.max_args, 8192);
	assert_int_equal(cfg.ringbuf_size, 1ULL << 20);
	assert_int_equal(cfg.wakeup_bytes, (1ULL << 20) / 16);
	assert_int_equal(cfg.flush_interval_ms, 50);
	assert_int_equal(cfg.stats_interval, 10);
	assert_int_equal(cfg.cache_size, 1024);
	assert_int_equal(cfg.cache_grace_ms, 0);
	assert_string_equal(cfg.stats_file, "/run/pg.stats");
}

static void test_config_resource_bounds_accepted(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--max-args", "64", "--ringbuf-size", "4K"), 0);
	assert_int_equal(cfg.max_args, 64);
	assert_int_equal(cfg.ringbuf_size, 4096);
	assert_int_equal(cfg.wakeup_bytes, 256);
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--max-args", "32767", "--ringbuf-size", "1G",
			       "--flush-interval", "10000", "--stats-interval", "86400"),
			 0);
	assert_int_equal(cfg.max_args, PG_ARGS_MAX - 1);
	assert_int_equal(cfg.ringbuf_size, 1ULL << 30);
	assert_int_equal(cfg.flush_interval_ms, 10000);
	assert_int_equal(cfg.stats_interval, 86400);
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--max-args", "1K"), 0);
	assert_int_equal(cfg.max_args, 1024);
}

static void test_config_wakeup_bytes(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--ringbuf-size", "1M", "--wakeup-bytes", "4096"), 0);
	assert_int_equal(cfg.wakeup_bytes, 4096);
	/* must stay below the ring buffer, or the agent would never wake */
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "--ringbuf-size", "1M", "--wakeup-bytes", "1M"),
			 -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "--wakeup-bytes", "8M"), -EINVAL);
}

static void test_config_flags(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--fork-events", "--ancestors", "--no-seed", "-v", "-v"), 0);
	assert_true(cfg.fork_events);
	assert_true(cfg.ancestors);
	assert_false(cfg.seed);
	assert_int_equal(cfg.verbose, 2);
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "-vv", "--verbose"), 0);
	assert_int_equal(cfg.verbose, 3);
}

static void test_config_invalid_values(void **state)
{
	static const char *const bad[][3] = {
		{ "-o", "xml" },
		{ "-o", "" },
		{ "--output", "JSON" },
		{ "--ringbuf-size", "3M" },	 /* not a power of two */
		{ "--ringbuf-size", "1000000" }, /* not a power of two */
		{ "--ringbuf-size", "2K" },	 /* below a page */
		{ "--ringbuf-size", "2G" },
		{ "--ringbuf-size", "0" },
		{ "--ringbuf-size", "lots" },
		{ "--max-args", "32768" }, /* PG_ARGS_MAX, the BPF side's cap */
		{ "--max-args", "1M" },
		{ "--max-args", "63" },
		{ "--max-args", "-1" },
		{ "--export", "" },
		{ "--export-max-size", "4095" },
		{ "--export-max-size", "big" },
		{ "--export-backups", "1001" },
		{ "--flush-interval", "0" },
		{ "--flush-interval", "10001" },
		{ "--flush-interval", "1s" },
		{ "--stats-interval", "86401" },
		{ "--stats-interval", "-5" },
		{ "--cache-size", "15" },
		{ "--cache-size", "16777217" },
		{ "--cache-grace", "3600001" },
		{ "--wakeup-bytes", "2G" },
		{ "--backend", "process" }, /* no '=' */
		{ "--backend", "=tp_btf" },
		{ "--backend", "process=" },
		{ "--backend", "ssssssssssssssssssssssssssssssss=b" }, /* 32 chars */
		{ "--backend", "s=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "run", (char *)bad[i][0], (char *)bad[i][1], NULL };
		struct pg_config cfg;
		int ret;

		pg_config_init(&cfg);
		ret = parse_quiet(&cfg, argv, STDERR_FILENO);
		if (ret != -EINVAL)
			fail_msg("run %s '%s' returned %d, want -EINVAL", bad[i][0], bad[i][1],
				 ret);
	}
}

static void test_config_unknown_option(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "--frobnicate"), -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "-x"), -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "-o", "json", "--frobnicate=1"), -EINVAL);
	/* a flag given a value */
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "--ancestors=yes"), -EINVAL);
}

static void test_config_missing_value(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "--export"), -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "-o"), -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "--no-seed", "--ringbuf-size"), -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "--backend"), -EINVAL);
}

static void test_config_stray_argument(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "extra"), -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "--no-seed", "extra", "-o", "json"), -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "-o", "json", "--", "extra"), -EINVAL);
}

static void test_config_help(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(parse_quiet(&cfg, (char *[]){ "run", "--help", NULL }, STDOUT_FILENO), 1);
	pg_config_init(&cfg);
	assert_int_equal(parse_quiet(&cfg, (char *[]){ "run", "-h", NULL }, STDOUT_FILENO), 1);
}

static void test_config_parse_twice(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "-o", "json", "--no-seed"), 0);
	pg_config_init(&cfg);
	assert_int_equal(PARSE(&cfg, "--fork-events"), 0);
	assert_true(cfg.fork_events);
	assert_true(cfg.seed);
	assert_int_equal(cfg.format, PG_FORMAT_AUTO);
}

/*
 * pg_config_parse_run() rewinds getopt with optind = 1, which in glibc does
 * not clear the scanning state: after an error in the middle of a group of
 * short options ("-Zv"), the next parse resumes inside the old argv. getopt(3):
 * "must reinitialize getopt() by resetting optind to 0".
 */
static void test_config_parse_after_error_in_option_group(void **state)
{
	struct pg_config cfg;

	(void)state;
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "-Zv"), -EINVAL);
	pg_config_init(&cfg);
	assert_int_equal(PARSE_QUIET(&cfg, "-o", "json"), 0);
	assert_int_equal(cfg.format, PG_FORMAT_JSON);
	assert_int_equal(cfg.verbose, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_config_defaults, getopt_clean),
		cmocka_unit_test_setup(test_config_no_options, getopt_clean),
		cmocka_unit_test_setup(test_config_ring_sizes, getopt_clean),
		cmocka_unit_test_setup(test_config_output_formats, getopt_clean),
		cmocka_unit_test_setup(test_config_export, getopt_clean),
		cmocka_unit_test_setup(test_config_backend_two_sensors, getopt_clean),
		cmocka_unit_test_setup(test_config_backend_limits, getopt_clean),
		cmocka_unit_test_setup(test_config_resources, getopt_clean),
		cmocka_unit_test_setup(test_config_resource_bounds_accepted, getopt_clean),
		cmocka_unit_test_setup(test_config_wakeup_bytes, getopt_clean),
		cmocka_unit_test_setup(test_config_flags, getopt_clean),
		cmocka_unit_test_setup(test_config_invalid_values, getopt_clean),
		cmocka_unit_test_setup(test_config_unknown_option, getopt_clean),
		cmocka_unit_test_setup(test_config_missing_value, getopt_clean),
		cmocka_unit_test_setup(test_config_stray_argument, getopt_clean),
		cmocka_unit_test_setup(test_config_help, getopt_clean),
		cmocka_unit_test_setup(test_config_parse_twice, getopt_clean),
		cmocka_unit_test_setup(test_config_parse_after_error_in_option_group, getopt_clean),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
