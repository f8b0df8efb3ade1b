// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/policy_compile.c: what the kernel will evaluate. The
 * tries are checked through a reference longest-prefix match over the
 * compiled entries, the way the kernel's LPM trie answers, so a test
 * states the verdict a path gets, not the layout of the maps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy_compile.h"

struct fixture {
	struct pg_policy pol[4];
	struct pg_policy *ptr[4];
	size_t n;
	struct pg_compiled c;
	struct pg_diag diag;
};

static struct fixture fx;

static int teardown(void **state)
{
	size_t i;

	(void)state;
	pg_compiled_free(&fx.c);
	pg_diag_free(&fx.diag);
	for (i = 0; i < fx.n; i++)
		pg_policy_free(&fx.pol[i]);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

static void add(const char *yaml)
{
	struct pg_diag d = { 0 };

	assert_int_equal(pg_policy_parse(yaml, strlen(yaml), "t.yaml", &fx.pol[fx.n], &d), 0);
	pg_diag_free(&d);
	fx.ptr[fx.n] = &fx.pol[fx.n];
	fx.n++;
}

static int compile(bool can_deny)
{
	return pg_policy_compile(fx.ptr, fx.n, 1, can_deny, &fx.c, &fx.diag);
}

static bool bit(const struct pg_rule_mask *m, unsigned b)
{
	return m->w[b / 64] & (1ULL << (b % 64));
}

/* The longest entry of @e[0..n) that is a prefix of @key (the LPM answer). */
static const struct pg_path_entry *lpm(const struct pg_path_entry *e, size_t n, const char *key,
				       size_t klen)
{
	const struct pg_path_entry *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		size_t l = e[i].key.prefixlen / 8 - 1;

		if (e[i].key.gen != fx.c.gen || l > klen || memcmp(e[i].key.data, key, l))
			continue;
		if (!best || e[i].key.prefixlen > best->key.prefixlen)
			best = &e[i];
	}
	return best;
}

/* What the kernel computes for the binary selector of rule @b on @path. */
static bool binary_accepts(unsigned b, const char *path)
{
	const struct pg_path_entry *p, *s;
	char key[PG_POLICY_STR_MAX + 1] = { 0 }, rev[PG_POLICY_SUFFIX_MAX] = { 0 };
	size_t n = strlen(path), i;
	bool pos, neg;

	memcpy(key, path, n); /* with its NUL: exact values match */
	for (i = 0; i < n && i < sizeof(rev); i++)
		rev[i] = path[n - 1 - i];
	p = lpm(fx.c.paths, fx.c.n_paths, key, n + 1);
	s = lpm(fx.c.suffixes, fx.c.n_suffixes, rev, n < sizeof(rev) ? n + 1 : n);
	pos = bit(&fx.c.masks.any[PG_SEL_BINARY], b) || (p && bit(&p->val.pos[PG_BIN_SELF], b)) ||
	      (s && bit(&s->val.pos[PG_BIN_SELF], b));
	neg = (p && bit(&p->val.neg[PG_BIN_SELF], b)) || (s && bit(&s->val.neg[PG_BIN_SELF], b));
	return pos && !neg;
}

static void test_policy_compile_exact_prefix_suffix(void **state)
{
	(void)state;
	add("name: p\nrules:\n"
	    "  - name: exact\n    on: [process_exec]\n    match: {binary: [/usr/bin/cat]}\n"
	    "  - name: prefix\n    on: [process_exec]\n    match: {binary: {prefix: [/usr/]}}\n"
	    "  - name: deeper\n    on: [process_exec]\n    match: {binary: {prefix: [/usr/bin/]}}\n"
	    "  - name: suffix\n    on: [process_exec]\n    match: {binary: {suffix: [/sh]}}\n"
	    "  - name: none\n    on: [process_exec]\n");
	assert_int_equal(compile(false), 0);
	assert_int_equal(fx.c.n_rules, 5);
	assert_true(binary_accepts(0, "/usr/bin/cat"));
	assert_false(binary_accepts(0, "/usr/bin/cat2")); /* exact is exact */
	assert_false(binary_accepts(0, "/usr/bin/ca"));
	/* the longest match carries every shorter prefix */
	assert_true(binary_accepts(1, "/usr/bin/cat"));
	assert_true(binary_accepts(2, "/usr/bin/cat"));
	assert_true(binary_accepts(1, "/usr/lib/x"));
	assert_false(binary_accepts(2, "/usr/lib/x"));
	assert_false(binary_accepts(1, "/bin/true"));
	assert_true(binary_accepts(3, "/bin/sh"));
	assert_true(binary_accepts(3, "/usr/bin/sh"));
	assert_false(binary_accepts(3, "/bin/bash"));
	assert_false(binary_accepts(3, "/bin/sh2"));
	/* a rule without a binary selector accepts every binary */
	assert_true(binary_accepts(4, "/anything"));
	assert_true(bit(&fx.c.masks.events[1], 4));
	assert_int_equal(fx.c.masks.uses & (PG_USES_PATHS | PG_USES_SUFFIX),
			 PG_USES_PATHS | PG_USES_SUFFIX);
	assert_false(fx.c.masks.uses & PG_USES_IDS);
}

static void test_policy_compile_not(void **state)
{
	(void)state;
	add("name: p\nrules:\n"
	    "  - name: not-tmp\n    on: [process_exec]\n"
	    "    match: {binary: {prefix: [/]}, not: {binary: {prefix: [/tmp/]}}}\n"
	    "  - name: only-not\n    on: [process_exec]\n"
	    "    match: {not: {binary: [/usr/bin/id]}}\n");
	assert_int_equal(compile(false), 0);
	assert_true(binary_accepts(0, "/usr/bin/id"));
	assert_false(binary_accepts(0, "/tmp/x"));
	assert_true(binary_accepts(1, "/usr/bin/cat"));
	assert_false(binary_accepts(1, "/usr/bin/id"));
}

/* The id trie's answer for @v, as the kernel's LPM lookup gives it. */
static bool id_accepts(unsigned b, unsigned kind, uint32_t v)
{
	const struct pg_id_entry *best = NULL;
	size_t i;

	for (i = 0; i < fx.c.n_ids; i++) {
		const struct pg_id_entry *e = &fx.c.ids[i];
		unsigned bits = e->key.prefixlen - 16;
		uint32_t ev = (uint32_t)e->key.be[0] << 24 | e->key.be[1] << 16 |
			      e->key.be[2] << 8 | e->key.be[3];
		uint32_t mask = bits ? (uint32_t)(~0ULL << (32 - bits)) : 0;

		if (e->key.kind != kind || (v & mask) != ev)
			continue;
		if (!best || e->key.prefixlen > best->key.prefixlen)
			best = e;
	}
	return (bit(&fx.c.masks.any[PG_SEL_UID + kind], b) || (best && bit(&best->val.pos, b))) &&
	       !(best && bit(&best->val.neg, b));
}

static void test_policy_compile_uid_ranges(void **state)
{
	(void)state;
	add("name: p\nrules:\n"
	    "  - name: r\n    on: [process_exec]\n"
	    "    match: {uid: [0, \"1000-1999\", 65534], not: {uid: [1500]}}\n"
	    "  - name: e\n    on: [process_exec]\n    match: {euid: [\"0-4294967295\"]}\n");
	assert_int_equal(compile(false), 0);
	assert_true(fx.c.masks.uses & PG_USES_IDS);
	assert_true(id_accepts(0, PG_ID_UID, 0));
	assert_true(id_accepts(0, PG_ID_UID, 1000));
	assert_true(id_accepts(0, PG_ID_UID, 1999));
	assert_true(id_accepts(0, PG_ID_UID, 1234));
	assert_false(id_accepts(0, PG_ID_UID, 1500));
	assert_false(id_accepts(0, PG_ID_UID, 999));
	assert_false(id_accepts(0, PG_ID_UID, 2000));
	assert_true(id_accepts(0, PG_ID_UID, 65534));
	assert_false(id_accepts(0, PG_ID_UID, 1));
	/* rule 0 says nothing of euid: any */
	assert_true(id_accepts(0, PG_ID_EUID, 12345));
	assert_true(id_accepts(1, PG_ID_EUID, 0));
	assert_true(id_accepts(1, PG_ID_EUID, 4294967295U));
	/* a range becomes few prefixes, not one entry per value */
	assert_true(fx.c.n_ids < 40);
}

static void test_policy_compile_actions(void **state)
{
	(void)state;
	add("name: enf\nmode: enforce\nrules:\n"
	    "  - name: k\n    on: [process_exec]\n    action: kill\n"
	    "  - name: u\n    on: [process_exec]\n    action: kill\n"
	    "    match: {arguments: {contains: [evil]}}\n"
	    "  - name: r\n    on: [process_exec, process_exit]\n"
	    "    rate_limit: {max: 5, per: process}\n");
	add("name: mon\nmode: monitor\nrules:\n"
	    "  - name: wk\n    on: [process_exec]\n    action: kill\n");
	assert_int_equal(compile(false), 0);
	assert_true(bit(&fx.c.masks.kill, 0));
	assert_true(bit(&fx.c.masks.kill, 1));
	assert_true(bit(&fx.c.masks.user, 1)); /* the agent completes it */
	assert_false(bit(&fx.c.masks.user, 0));
	assert_false(bit(&fx.c.masks.kill, 3)); /* monitor mode: would kill */
	assert_true(bit(&fx.c.masks.limited, 2));
	assert_int_equal(fx.c.rules[2].rate_max, 5);
	assert_true(fx.c.rules[2].per_process);
	assert_int_equal(fx.c.rules[2].rate_interval_ns, 1000000000ULL);
	assert_true(bit(&fx.c.masks.events[2], 2));
	assert_false(bit(&fx.c.masks.events[2], 0));
	assert_string_equal(fx.c.index[3].policy->name, "mon");
	assert_true(pg_policy_user_match(fx.c.index[1].rule, "", "/", "a evil b"));
	assert_false(pg_policy_user_match(fx.c.index[1].rule, "", "/", "a good b"));
}

static void test_policy_compile_deny_needs_a_way(void **state)
{
	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: deny-it\n    on: [process_exec]\n    action: deny\n");
	assert_int_equal(compile(false), -EOPNOTSUPP);
	assert_int_equal(fx.diag.n, 1);
	assert_non_null(strstr(fx.diag.msgs[0], "t.yaml:"));
	assert_non_null(strstr(fx.diag.msgs[0], "cannot deny"));
	pg_diag_free(&fx.diag);
	/* where the kernel can deny, it is a deny */
	assert_int_equal(compile(true), 0);
	assert_true(bit(&fx.c.masks.deny, 0));
	assert_false(bit(&fx.c.masks.kill, 0));
}

static void test_policy_compile_deny_fallback_kill(void **state)
{
	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: deny-it\n    on: [process_exec]\n    action: deny\n    fallback: kill\n");
	assert_int_equal(compile(false), 0);
	assert_true(bit(&fx.c.masks.kill, 0));
	assert_int_equal(fx.c.index[0].action, PG_ACTION_KILL);
}

static void test_policy_compile_in_container(void **state)
{
	(void)state;
	add("name: c\nrules:\n"
	    "  - name: in\n    on: [process_exec]\n    match: {in_container: true}\n"
	    "  - name: out\n    on: [process_exec]\n    match: {not: {in_container: true}}\n"
	    "  - name: any\n    on: [process_exec]\n");
	assert_int_equal(compile(false), 0);
	assert_true(bit(&fx.c.masks.in_container[1], 0));
	assert_false(bit(&fx.c.masks.in_container[0], 0));
	assert_true(bit(&fx.c.masks.in_container[0], 1));
	assert_false(bit(&fx.c.masks.in_container[1], 1));
	assert_true(bit(&fx.c.masks.any[PG_SEL_CONTAINER], 2));
}

static void test_policy_compile_too_long(void **state)
{
	char yaml[1024];

	(void)state;
	snprintf(yaml, sizeof(yaml),
		 "name: p\nrules:\n  - name: s\n    on: [process_exec]\n"
		 "    match: {binary: {suffix: [%0100d]}}\n",
		 0);
	add(yaml);
	assert_int_equal(compile(false), -E2BIG);
	assert_int_equal(fx.diag.n, 1);
	assert_non_null(strstr(fx.diag.msgs[0], "suffixes of up to 64"));
}

/* A 10,000-path policy: one entry per value, each answered by one lookup. */
static void test_policy_compile_large(void **state)
{
	size_t n = 10000, i, len = 0, cap = n * 40 + 256;
	char *yaml = malloc(cap);

	(void)state;
	assert_non_null(yaml);
	len += snprintf(yaml + len, cap - len,
			"name: big\nrules:\n  - name: many\n    on: [process_exec]\n"
			"    match:\n      binary:\n");
	for (i = 0; i < n; i++)
		len += snprintf(yaml + len, cap - len, "        - /opt/app/bin/tool%zu\n", i);
	add(yaml);
	free(yaml);
	assert_int_equal(compile(false), 0);
	assert_int_equal(fx.c.n_paths, n);
	assert_true(binary_accepts(0, "/opt/app/bin/tool9999"));
	assert_false(binary_accepts(0, "/opt/app/bin/tool10000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_policy_compile_exact_prefix_suffix, teardown),
		cmocka_unit_test_teardown(test_policy_compile_not, teardown),
		cmocka_unit_test_teardown(test_policy_compile_uid_ranges, teardown),
		cmocka_unit_test_teardown(test_policy_compile_actions, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_needs_a_way, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_fallback_kill, teardown),
		cmocka_unit_test_teardown(test_policy_compile_in_container, teardown),
		cmocka_unit_test_teardown(test_policy_compile_too_long, teardown),
		cmocka_unit_test_teardown(test_policy_compile_large, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
