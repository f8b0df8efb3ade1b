// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for file selectors: the parser's checks, the identities and
 * names the compiler gives the kernel (over a fake file system, so a test
 * says what exists), the bloom filter, and the agent's own decision on
 * paths it resolved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "policy_compile.h"
#include "policy_files.h"

/* The fake file system: path -> (dev 8:1, inode, directory?) */
static const struct {
	const char *path;
	unsigned long ino;
	int dir;
} fs[] = {
	{ "/", 2, 1 },
	{ "/etc", 10, 1 },
	{ "/etc/shadow", 11, 0 },
	{ "/etc/cron.d", 12, 1 },
	{ "/etc/cron.d/job", 13, 0 },
	{ "/tmp", 20, 1 },
	{ "/tmp/link", 11, 0 }, /* a hard link to /etc/shadow */
	{ "/mnt", 30, 1 },
	{ "/mnt/e", 10, 1 }, /* a bind mount of /etc */
	{ "/mnt/e/shadow", 11, 0 },
	{ "/mnt/e/cron.d", 12, 1 },
	{ "/mnt/e/cron.d/x", 14, 0 },
};

/* a rename over /etc/shadow (another inode), or /nowhere/x created */
static unsigned long shadow_ino = 11;
static bool nowhere_exists;

static int fake_stat(const char *path, struct stat *st)
{
	size_t i;

	if (nowhere_exists && !strcmp(path, "/nowhere/x")) {
		memset(st, 0, sizeof(*st));
		st->st_ino = 99;
		st->st_mode = S_IFREG;
		return 0;
	}

	for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (!strcmp(fs[i].path, path)) {
			memset(st, 0, sizeof(*st));
			st->st_dev = makedev(8, 1);
			st->st_ino = fs[i].ino == 11 && !strcmp(path, "/etc/shadow") ? shadow_ino
										     : fs[i].ino;
			st->st_mode = fs[i].dir ? S_IFDIR | 0755 : S_IFREG | 0600;
			return 0;
		}
	errno = ENOENT;
	return -1;
}

static struct pg_policy pol;
static struct pg_compiled c;

static int setup(void **state)
{
	(void)state;
	pg_policy_files_set_stat(fake_stat);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pg_compiled_free(&c);
	pg_policy_free(&pol);
	memset(&pol, 0, sizeof(pol));
	pg_policy_files_set_stat(NULL);
	return 0;
}

static int parse(const char *yaml, struct pg_diag *d)
{
	return pg_policy_parse(yaml, strlen(yaml), "t.yaml", &pol, d);
}

static int compile_yaml(const char *yaml)
{
	struct pg_policy *p = &pol;
	struct pg_diag d = { 0 };
	int err;

	assert_int_equal(parse(yaml, &d), 0);
	pg_diag_free(&d);
	err = pg_policy_compile(&p, 1, 0, 0, &c, &d);
	pg_diag_free(&d);
	return err;
}

static bool has(const struct pg_rule_mask *m, unsigned b)
{
	return m->w[b / 64] & (1ULL << (b % 64));
}

static const struct pg_file_id_val *id(unsigned long ino)
{
	size_t i;

	for (i = 0; i < c.files.n_files; i++)
		if (c.files.files[i].key.ino == ino && c.files.files[i].key.dev == (8U << 20 | 1))
			return &c.files.files[i].val;
	return NULL;
}

static bool in_bloom(unsigned long ino)
{
	unsigned b = pg_file_bloom_bit(8U << 20 | 1, ino);

	return c.files.bloom.w[b / 64] & (1ULL << (b % 64));
}

static void expect_mistake(const char *yaml, const char *needle)
{
	struct pg_diag d = { 0 };
	size_t i;
	bool found = false;

	assert_int_equal(parse(yaml, &d), -EINVAL);
	for (i = 0; i < d.n; i++)
		if (strstr(d.msgs[i], needle))
			found = true;
	if (!found)
		fail_msg("no message containing '%s' (first: %s)", needle, d.n ? d.msgs[0] : "-");
	pg_diag_free(&d);
}

static void test_policy_files_parse_mistakes(void **state)
{
	(void)state;
	expect_mistake("name: p\nrules:\n  - name: r\n    on: [process_exec]\n    match:\n"
		       "      path: [/etc/shadow]\n",
		       "file events");
	expect_mistake("name: p\nrules:\n  - name: r\n    on: [file_open]\n    match:\n"
		       "      name: [a/b]\n",
		       "not a file name");
	expect_mistake("name: p\nrules:\n  - name: r\n    on: [file_open]\n    match:\n"
		       "      access: [execute]\n",
		       "access: unknown 'execute'");
	expect_mistake("name: p\nrules:\n  - name: r\n    on: [file_unlink]\n    match:\n"
		       "      access: [write]\n",
		       "file_open only");
	expect_mistake("name: p\nrules:\n  - name: r\n    on: [file_open]\n    match:\n"
		       "      path: [/etc/../etc/shadow]\n",
		       "not a normalised path");
	expect_mistake("name: p\nrules:\n  - name: r\n    on: [file_open]\n    match:\n"
		       "      path: [etc/shadow]\n",
		       "not an absolute path");
	expect_mistake("name: p\nrules:\n  - name: r\n    on: [file_open]\n    match:\n"
		       "      path: {suffix: [shadow]}\n",
		       "suffix");
	expect_mistake("name: p\nrules:\n  - name: r\n    on: [file_opn]\n", "unknown event");
}

static void test_policy_files_identity(void **state)
{
	const struct pg_file_id_val *v;

	(void)state;
	assert_int_equal(compile_yaml("name: p\nrules:\n"
				      "  - name: shadow\n    on: [file_open]\n    match:\n"
				      "      path: [/etc/shadow, /etc/ld.so.preload]\n"
				      "  - name: cron\n    on: [file_create]\n    match:\n"
				      "      path: {prefix: [/etc/cron.d/]}\n"
				      "      not: {path: [/etc/cron.d/job]}\n"),
			 0);
	/* the file itself, by identity */
	v = id(11);
	assert_non_null(v);
	assert_true(has(&v->self.pos, 0));
	assert_false(has(&v->tree.pos, 0));
	/* its directory holds names: shadow (exists) and ld.so.preload (not yet) */
	v = id(10);
	assert_non_null(v);
	assert_true(v->flags & PG_FILE_ID_F_NAMES);
	assert_int_equal(c.files.n_names, 3); /* shadow, ld.so.preload, cron.d/job */
	/* the prefix: its directory's tree */
	v = id(12);
	assert_non_null(v);
	assert_true(has(&v->tree.pos, 1));
	/* not: the file's own identity, on the negative side */
	v = id(13);
	assert_non_null(v);
	assert_true(has(&v->self.neg, 1));
	assert_false(has(&v->self.pos, 1));
	/* every identity is in the bloom filter, and the masks say who needs what */
	assert_true(in_bloom(10) && in_bloom(11) && in_bloom(12) && in_bloom(13));
	assert_true(c.masks.uses & PG_USES_FILE_IDS);
	assert_false(has(&c.masks.any[PG_SEL_PATH], 0));
	assert_true(has(&c.masks.any[PG_SEL_NAME], 0));
	assert_true(has(&c.masks.events[PG_EVENT_FILE_OPEN], 0));
	assert_false(has(&c.masks.events[PG_EVENT_FILE_OPEN], 1));
	assert_true(has(&c.masks.access[0], 0) && has(&c.masks.access[1], 0));
}

static void test_policy_files_access_and_names(void **state)
{
	size_t i;
	bool found = false;

	(void)state;
	assert_int_equal(compile_yaml("name: p\nrules:\n"
				      "  - name: w\n    on: [file_open]\n    match:\n"
				      "      access: [write]\n      name: [authorized_keys]\n"
				      "  - name: r\n    on: [file_open]\n    match:\n"
				      "      not: {access: [write]}\n"),
			 0);
	assert_false(has(&c.masks.access[0], 0));
	assert_true(has(&c.masks.access[1], 0));
	assert_true(has(&c.masks.access[0], 1));
	assert_false(has(&c.masks.access[1], 1));
	assert_true(c.masks.uses & PG_USES_FILE_NAMES);
	for (i = 0; i < c.files.n_names; i++)
		if (!c.files.names[i].key.dev && !c.files.names[i].key.dir_ino &&
		    !strcmp(c.files.names[i].key.name, "authorized_keys"))
			found = has(&c.files.names[i].val.pos, 0);
	assert_true(found);
}

static void test_policy_files_prefix_must_be_a_directory(void **state)
{
	(void)state;
	assert_int_equal(compile_yaml("name: p\nrules:\n  - name: r\n    on: [file_open]\n"
				      "    match:\n      path: {prefix: [/etc/shadow]}\n"),
			 -EINVAL);
}

static void test_policy_files_missing_is_noted(void **state)
{
	(void)state;
	assert_int_equal(compile_yaml("name: p\nrules:\n  - name: r\n    on: [file_open]\n"
				      "    match:\n      path:\n        exact: [/nowhere/x]\n"
				      "        prefix: [/nowhere/dir/]\n"),
			 0);
	assert_int_equal(c.files.n_unwatched, 2);
	assert_int_equal(c.files.n_files, 0);
}

/* The agent's decision on paths it resolved: string, hard link, bind mount. */
static void test_policy_files_user_match(void **state)
{
	const struct pg_rule *shadow, *cron;

	(void)state;
	assert_int_equal(compile_yaml("name: p\nrules:\n"
				      "  - name: shadow\n    on: [file_unlink]\n    match:\n"
				      "      path: [/etc/shadow]\n"
				      "  - name: cron\n    on: [file_unlink]\n    match:\n"
				      "      path: {prefix: [/etc/cron.d]}\n"
				      "      not: {name: [job]}\n"),
			 0);
	shadow = c.index[0].rule;
	cron = c.index[1].rule;
	assert_true(pg_policy_files_match(&c.files, shadow, 0, "/etc/shadow", 0));
	assert_true(pg_policy_files_match(&c.files, shadow, 0, "/tmp/link", 0));     /* hard link */
	assert_true(pg_policy_files_match(&c.files, shadow, 0, "/mnt/e/shadow", 0)); /* bind */
	assert_false(pg_policy_files_match(&c.files, shadow, 0, "/etc/passwd", 0));
	assert_false(pg_policy_files_match(&c.files, shadow, 0, "relative", 0));
	assert_true(pg_policy_files_match(&c.files, cron, 1, "/etc/cron.d/new", 0));
	assert_true(pg_policy_files_match(&c.files, cron, 1, "/mnt/e/cron.d/x", 0));  /* bind */
	assert_false(pg_policy_files_match(&c.files, cron, 1, "/etc/cron.d/job", 0)); /* not */
	assert_false(pg_policy_files_match(&c.files, cron, 1, "/etc/cron.daily", 0));
	assert_false(pg_policy_files_match(&c.files, cron, 1, "/etc/cron.d", 0));
}

/* A watched file replaced or created since the policies were compiled. */
static void test_policy_files_changed(void **state)
{
	(void)state;
	assert_int_equal(compile_yaml("name: p\nrules:\n  - name: r\n    on: [file_open]\n"
				      "    match:\n      path: [/etc/shadow, /nowhere/x]\n"),
			 0);
	assert_false(pg_policy_files_changed(&c.files));
	shadow_ino = 111;
	assert_true(pg_policy_files_changed(&c.files));
	shadow_ino = 11;
	nowhere_exists = true;
	assert_true(pg_policy_files_changed(&c.files));
	nowhere_exists = false;
	assert_false(pg_policy_files_changed(&c.files));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_policy_files_parse_mistakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_files_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_files_access_and_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_files_prefix_must_be_a_directory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_files_missing_is_noted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_files_user_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_files_changed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
