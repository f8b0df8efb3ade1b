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
#include <time.h>
#include <arpa/inet.h>
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

static int compile(uint64_t deny_events)
{
	return pg_policy_compile(fx.ptr, fx.n, 1, deny_events, &fx.c, &fx.diag);
}

static bool bit(const struct pg_rule_mask *m, unsigned b)
{
	return m->w[b / 64] & (1ULL << (b % 64));
}

/* Which of a two-way mask pair (TCP/UDP, out/in, not/in a container) holds @rule. */
static void two_way(const struct pg_rule_mask m[2], unsigned rule, bool in0, bool in1)
{
	assert_int_equal(bit(&m[0], rule), in0);
	assert_int_equal(bit(&m[1], rule), in1);
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
	assert_int_equal(compile(0), 0);
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
	assert_int_equal(compile(0), 0);
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
	return (bit(&fx.c.masks.any[kind == PG_ID_PORT ? PG_SEL_PORT : PG_SEL_UID + kind], b) ||
		(best && bit(&best->val.pos, b))) &&
	       !(best && bit(&best->val.neg, b));
}

static void test_policy_compile_uid_ranges(void **state)
{
	(void)state;
	add("name: p\nrules:\n"
	    "  - name: r\n    on: [process_exec]\n"
	    "    match: {uid: [0, \"1000-1999\", 65534], not: {uid: [1500]}}\n"
	    "  - name: e\n    on: [process_exec]\n    match: {euid: [\"0-4294967295\"]}\n");
	assert_int_equal(compile(0), 0);
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

/* Do the first @bits bits of @a and @b agree? */
static bool same_prefix(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned i;

	for (i = 0; i < bits; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* The address trie's answer for @text (an address), as the kernel's LPM lookup gives it. */
static const struct pg_addr_entry *addr_lpm(const char *text)
{
	const struct pg_addr_entry *best = NULL;
	uint8_t a[16] = { 0 };
	int family = strchr(text, ':') ? PG_NET_V6 : PG_NET_V4;
	size_t i;

	assert_int_equal(inet_pton(family == PG_NET_V6 ? AF_INET6 : AF_INET, text, a), 1);
	for (i = 0; i < fx.c.n_addrs; i++) {
		const struct pg_addr_entry *e = &fx.c.addrs[i];

		if (e->key.gen != fx.c.gen || e->key.family != family ||
		    !same_prefix(e->key.addr, a, e->key.prefixlen - 16))
			continue;
		if (!best || e->key.prefixlen > best->key.prefixlen)
			best = e;
	}
	return best;
}

/* What the kernel computes for the address selector of rule @b on @text. */
static bool addr_accepts(unsigned b, const char *text)
{
	const struct pg_addr_entry *e = addr_lpm(text);

	return (bit(&fx.c.masks.any[PG_SEL_ADDRESS], b) || (e && bit(&e->val.pos, b))) &&
	       !(e && bit(&e->val.neg, b));
}

static void test_policy_compile_addresses(void **state)
{
	const struct pg_addr_entry *e;

	(void)state;
	add("name: p\nrules:\n"
	    "  - name: wide\n    on: [network_connect]\n    match: {address: [10.0.0.0/8]}\n"
	    "  - name: narrow\n    on: [network_connect]\n    match: {address: [10.1.2.0/24]}\n"
	    "  - name: but-not\n    on: [network_connect]\n"
	    "    match: {address: [10.0.0.0/8], not: {address: [10.1.2.3]}}\n"
	    "  - name: v6\n    on: [network_connect]\n    match: {address: [\"fd00::/8\"]}\n"
	    "  - name: v6-narrow\n    on: [network_connect]\n"
	    "    match: {address: [\"fd00:1::/32\", \"::ffff:192.168.0.0/112\"]}\n"
	    "  - name: outbound\n    on: [network_connect, network_udp]\n"
	    "    match: {not: {address: [127.0.0.0/8, \"::1\"]}}\n"
	    "  - name: any\n    on: [network_connect]\n");
	assert_int_equal(compile(0), 0);
	assert_true(fx.c.masks.uses & PG_USES_NET_ADDRS);
	assert_false(fx.c.masks.uses & (PG_USES_NET_PORTS | PG_USES_IDS));
	/* the /24 entry itself carries the /8 rules: the trie returns it alone */
	e = addr_lpm("10.1.2.5");
	assert_non_null(e);
	assert_int_equal(e->key.prefixlen, 16 + 24);
	assert_int_equal(e->key.family, PG_NET_V4);
	assert_int_equal(e->key.gen, 1);
	assert_true(bit(&e->val.pos, 0));
	assert_true(bit(&e->val.pos, 1));
	assert_true(bit(&e->val.pos, 2));
	assert_false(bit(&e->val.neg, 2));
	/* and the host under it all three, and the `not:` */
	e = addr_lpm("10.1.2.3");
	assert_int_equal(e->key.prefixlen, 16 + 32);
	assert_true(bit(&e->val.pos, 0) && bit(&e->val.pos, 1) && bit(&e->val.neg, 2));
	assert_true(addr_accepts(0, "10.1.2.5"));
	assert_true(addr_accepts(1, "10.1.2.5"));
	assert_true(addr_accepts(2, "10.1.2.5"));
	assert_true(addr_accepts(0, "10.200.0.1"));
	assert_false(addr_accepts(1, "10.200.0.1"));
	assert_true(addr_accepts(0, "10.1.2.3"));
	assert_false(addr_accepts(2, "10.1.2.3"));
	assert_false(addr_accepts(0, "11.0.0.1"));
	/* IPv6, folded the same way; families never mix */
	e = addr_lpm("fd00:1::5");
	assert_int_equal(e->key.prefixlen, 16 + 32);
	assert_int_equal(e->key.family, PG_NET_V6);
	assert_true(bit(&e->val.pos, 3) && bit(&e->val.pos, 4));
	assert_true(addr_accepts(3, "fd00:1::5"));
	assert_true(addr_accepts(4, "fd00:1::5"));
	assert_true(addr_accepts(3, "fdff::1"));
	assert_false(addr_accepts(4, "fd00:2::1"));
	assert_false(addr_accepts(3, "fe80::1"));
	assert_false(addr_accepts(0, "a00::")); /* 10.0.0.0/8's bits, as IPv6 */
	/* an IPv4-mapped block is the IPv4 one */
	assert_true(addr_accepts(4, "192.168.7.7"));
	assert_false(addr_accepts(4, "192.169.0.1"));
	/* not: only, everything else */
	assert_false(addr_accepts(5, "127.0.0.1"));
	assert_false(addr_accepts(5, "::1"));
	assert_true(addr_accepts(5, "::2"));
	assert_true(addr_accepts(5, "198.18.0.1"));
	assert_true(bit(&fx.c.masks.any[PG_SEL_ADDRESS], 5));
	assert_false(bit(&fx.c.masks.any[PG_SEL_ADDRESS], 0));
	/* no address selector: any */
	assert_true(addr_accepts(6, "10.1.2.3"));
	assert_true(addr_accepts(6, "fd00::1"));
	/* one entry per distinct block, masked, however many rules name it */
	assert_int_equal(fx.c.n_addrs, 8);
}

static void test_policy_compile_ports_protocols(void **state)
{
	size_t i;

	(void)state;
	add("name: p\nrules:\n"
	    "  - name: ports\n    on: [network_connect]\n"
	    "    match: {port: [22, \"8000-8080\"], not: {port: [8008]}}\n"
	    "  - name: tcp\n    on: [network_connect]\n    match: {protocol: [tcp]}\n"
	    "  - name: not-udp\n    on: [network_connect]\n"
	    "    match: {not: {protocol: [udp]}, port: [\"0-65535\"]}\n"
	    "  - name: both\n    on: [network_connect]\n    match: {protocol: [udp, tcp]}\n"
	    "  - name: uid\n    on: [network_connect]\n    match: {uid: [22]}\n");
	assert_int_equal(compile(0), 0);
	assert_true(fx.c.masks.uses & PG_USES_NET_PORTS);
	assert_true(fx.c.masks.uses & PG_USES_IDS);
	assert_false(fx.c.masks.uses & PG_USES_NET_ADDRS);
	assert_true(id_accepts(0, PG_ID_PORT, 22));
	assert_true(id_accepts(0, PG_ID_PORT, 8000));
	assert_true(id_accepts(0, PG_ID_PORT, 8080));
	assert_false(id_accepts(0, PG_ID_PORT, 8008));
	assert_false(id_accepts(0, PG_ID_PORT, 8081));
	assert_false(id_accepts(0, PG_ID_PORT, 23));
	/* ports and uids share the trie, never their entries */
	for (i = 0; i < fx.c.n_ids; i++) {
		const struct pg_id_entry *e = &fx.c.ids[i];

		assert_true(e->key.kind == PG_ID_PORT || e->key.kind == PG_ID_UID);
		assert_false(bit(&e->val.pos, e->key.kind == PG_ID_PORT ? 4 : 0));
	}
	assert_true(id_accepts(4, PG_ID_UID, 22));
	assert_false(id_accepts(4, PG_ID_UID, 23));
	assert_true(id_accepts(4, PG_ID_PORT, 1)); /* no port selector: any */
	assert_true(id_accepts(2, PG_ID_PORT, 0));
	assert_true(id_accepts(2, PG_ID_PORT, 65535));
	assert_true(id_accepts(1, PG_ID_PORT, 4444));
	/* TCP 0, UDP 1 */
	assert_false(bit(&fx.c.masks.protocol[0], 0) ^ bit(&fx.c.masks.protocol[1], 0));
	assert_true(bit(&fx.c.masks.protocol[0], 0));
	assert_true(bit(&fx.c.masks.protocol[0], 1));
	assert_false(bit(&fx.c.masks.protocol[1], 1));
	assert_true(bit(&fx.c.masks.protocol[0], 2));
	assert_false(bit(&fx.c.masks.protocol[1], 2));
	assert_true(bit(&fx.c.masks.protocol[0], 3) && bit(&fx.c.masks.protocol[1], 3));
	assert_true(bit(&fx.c.masks.events[PG_EVENT_NET_CONNECT], 3));
	assert_false(bit(&fx.c.masks.events[PG_EVENT_NET_UDP], 3));
}

static void test_policy_compile_host_kinds(void **state)
{
	unsigned k;

	(void)state;
	add("name: p\nrules:\n"
	    "  - name: all\n    on: [host_change, credentials_change]\n"
	    "  - name: mounts\n    on: [host_change]\n    match: {kind: [mount, ptrace]}\n"
	    "  - name: not-time\n    on: [host_change]\n    match: {not: {kind: [time]}}\n");
	assert_int_equal(compile(0), 0);
	for (k = 1; k < PG_HOST_KINDS; k++) {
		assert_true(bit(&fx.c.masks.host_kind[k], 0));
		assert_int_equal(bit(&fx.c.masks.host_kind[k], 1),
				 k == PG_HOST_KIND_MOUNT || k == PG_HOST_KIND_PTRACE);
		assert_int_equal(bit(&fx.c.masks.host_kind[k], 2), k != PG_HOST_KIND_TIME);
	}
	/* no rule takes an unknown kind */
	assert_false(bit(&fx.c.masks.host_kind[0], 0));
	assert_true(bit(&fx.c.masks.events[PG_EVENT_HOST_CHANGE], 1));
	assert_false(bit(&fx.c.masks.events[PG_EVENT_CREDS_CHANGE], 1));
}

/* Many blocks, nested in each other: compiled in well under a second, each answered right. */
static void test_policy_compile_many_addresses(void **state)
{
	size_t n = 20000, i, len = 0, cap = n * 32 + 2 * 1000 * 12 + 512;
	char *yaml = malloc(cap);
	struct timespec t0, t1;
	double secs;

	(void)state;
	assert_non_null(yaml);
	len += snprintf(yaml + len, cap - len,
			"name: big\nrules:\n  - name: nets\n    on: [network_connect]\n"
			"    match:\n      address:\n");
	/* a /16, and a /24 and a host in it, 5000 times over; then IPv6 */
	for (i = 0; i < n / 4; i++)
		len += snprintf(yaml + len, cap - len,
				"        - 10.%zu.0.0/16\n        - 10.%zu.%zu.0/24\n"
				"        - 10.%zu.%zu.7\n        - \"fd%02zx:%zx::/32\"\n",
				i % 256, i % 256, i / 256, i % 256, i / 256, i % 256, i);
	len += snprintf(yaml + len, cap - len, "      port: [");
	for (i = 0; i < 1000; i++)
		len += snprintf(yaml + len, cap - len, "%s%zu", i ? ", " : "", 1000 + 3 * i);
	len += snprintf(
		yaml + len, cap - len,
		"]\n  - name: wide\n    on: [network_connect]\n"
		"    match: {address: [10.0.0.0/8, \"fd00::/8\"], port: [\"1000-1100\"]}\n");
	add(yaml);
	free(yaml);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(compile(0), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("%zu blocks and 1000 ports compiled in %.3f s\n", n, secs);
	/* a quadratic fold takes minutes here */
	assert_true(secs < 5.0);
	assert_true(addr_accepts(0, "10.7.0.1"));
	assert_true(addr_accepts(1, "10.7.0.1"));
	assert_true(bit(&addr_lpm("10.7.19.7")->val.pos, 1));
	assert_int_equal(addr_lpm("10.7.19.7")->key.prefixlen, 16 + 32);
	assert_false(addr_accepts(0, "11.0.0.1"));
	assert_true(addr_accepts(0, "fd07:1007::1"));
	assert_true(addr_accepts(1, "fd07:1007::1"));
	assert_false(addr_accepts(0, "fd07:1008::1"));
	assert_true(addr_accepts(0, "fd08:1008::1"));
	assert_true(id_accepts(0, PG_ID_PORT, 1003));
	assert_false(id_accepts(0, PG_ID_PORT, 1004));
	assert_true(id_accepts(1, PG_ID_PORT, 1004));
	assert_false(id_accepts(1, PG_ID_PORT, 1101));
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
	assert_int_equal(compile(0), 0);
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
	assert_true(pg_policy_user_match(
		fx.c.index[1].rule,
		&(struct pg_user_fields){ .cgroup = "/", .arguments = "a evil b" }));
	assert_false(pg_policy_user_match(
		fx.c.index[1].rule,
		&(struct pg_user_fields){ .cgroup = "/", .arguments = "a good b" }));
}

#define BIT(t) (1ULL << PG_EVENT_##t)

/* DNS names are matched in the agent, folded to the form events show */
static void test_policy_compile_dns_name(void **state)
{
	struct pg_user_fields f = { 0 };

	(void)state;
	add("name: n\nmode: enforce\nrules:\n"
	    "  - name: dn\n    on: [dns_query, network_connect]\n    action: kill\n"
	    "    match: {dns_name: {exact: [Evil.Example.], suffix: [.c2.example]}}\n"
	    "  - name: other\n    on: [network_connect]\n"
	    "    match: {not: {dns_name: [ok.example]}}\n");
	assert_int_equal(compile(0), 0);
	assert_true(bit(&fx.c.masks.user, 0));
	assert_true(bit(&fx.c.masks.user, 1));
	assert_false(pg_policy_user_match(fx.c.index[0].rule, &f)); /* no name: "" */
	f.dns_name = "evil.example";
	assert_true(pg_policy_user_match(fx.c.index[0].rule, &f));
	f.dns_name = "a.b.c2.example";
	assert_true(pg_policy_user_match(fx.c.index[0].rule, &f));
	f.dns_name = "c2.example";
	assert_false(pg_policy_user_match(fx.c.index[0].rule, &f));
	assert_true(pg_policy_user_match(fx.c.index[1].rule, &f));
	f.dns_name = "ok.example";
	assert_false(pg_policy_user_match(fx.c.index[1].rule, &f));
	pg_compiled_free(&fx.c);
	teardown(NULL);

	/* the operation cannot wait for the agent */
	add("name: n\nmode: enforce\nrules:\n"
	    "  - name: dd\n    on: [network_connect]\n    action: deny\n"
	    "    match: {dns_name: [evil.example]}\n");
	assert_int_equal(compile(BIT(NET_CONNECT)), -EINVAL);
	assert_non_null(strstr(fx.diag.msgs[0], "decided in user space"));
}

/*
 * A flag decided by the agent from the process, @key: a rule on it (for
 * process_exec and @event) and one on its negation. @flag is the field of
 * @f it reads; @other, another flag it must not confuse with it.
 */
static void check_user_flag(const char *key, const char *event, struct pg_user_fields *f,
			    bool *flag, bool *other)
{
	char yaml[256];

	snprintf(yaml, sizeof(yaml),
		 "name: s\nrules:\n"
		 "  - name: on\n    on: [process_exec, %s]\n    match: {%s: true}\n"
		 "  - name: plain\n    on: [process_exec]\n    match: {not: {%s: true}}\n",
		 event, key, key);
	add(yaml);
	assert_int_equal(compile(0), 0);
	assert_true(bit(&fx.c.masks.user, 0));
	assert_true(bit(&fx.c.masks.user, 1));
	assert_false(pg_policy_user_match(fx.c.index[0].rule, f));
	assert_true(pg_policy_user_match(fx.c.index[1].rule, f));
	*flag = true;
	assert_true(pg_policy_user_match(fx.c.index[0].rule, f));
	assert_false(pg_policy_user_match(fx.c.index[1].rule, f));
	*flag = false;
	*other = true;
	assert_false(pg_policy_user_match(fx.c.index[0].rule, f));
}

/* the reverse-shell flag */
static void test_policy_compile_stdio_socket(void **state)
{
	struct pg_user_fields f = { 0 };

	(void)state;
	check_user_flag("stdio_socket", "network_connect", &f, &f.stdio_socket, &f.fileless);
}

/* fileless execution: a reverse shell is not fileless, nor the other way round */
static void test_policy_compile_fileless(void **state)
{
	struct pg_user_fields f = { 0 };

	(void)state;
	check_user_flag("fileless", "host_change", &f, &f.fileless, &f.stdio_socket);
}

/* direction splits network_close by who opened the connection */
static void test_policy_compile_direction(void **state)
{
	(void)state;
	add("name: d\nrules:\n"
	    "  - name: in\n    on: [network_close]\n    match: {direction: [inbound]}\n"
	    "  - name: out\n    on: [network_close]\n    match: {not: {direction: [inbound]}}\n"
	    "  - name: both\n    on: [network_close]\n");
	assert_int_equal(compile(0), 0);
	two_way(fx.c.masks.direction, 0, false, true);
	two_way(fx.c.masks.direction, 1, true, false);
	two_way(fx.c.masks.direction, 2, true, true);
}

static void test_policy_compile_deny_needs_a_way(void **state)
{
	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: deny-it\n    on: [process_exec]\n    action: deny\n");
	assert_int_equal(compile(0), -EOPNOTSUPP);
	assert_int_equal(fx.diag.n, 1);
	assert_non_null(strstr(fx.diag.msgs[0], "t.yaml:"));
	assert_non_null(strstr(fx.diag.msgs[0], "cannot deny"));
	pg_diag_free(&fx.diag);
	/* where the kernel can deny, it is a deny */
	assert_int_equal(compile(1ULL << PG_EVENT_PROCESS_EXEC), 0);
	assert_true(bit(&fx.c.masks.deny, 0));
	assert_false(bit(&fx.c.masks.kill, 0));
}

static void test_policy_compile_deny_fallback_kill(void **state)
{
	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: deny-it\n    on: [process_exec]\n    action: deny\n    fallback: kill\n");
	assert_int_equal(compile(0), 0);
	assert_true(bit(&fx.c.masks.kill, 0));
	assert_int_equal(fx.c.index[0].action, PG_ACTION_KILL);
}

/* Where a deny can be done, by backend: the agent's mask. */
static void test_policy_compile_deny_events(void **state)
{
	uint64_t net = BIT(NET_CONNECT) | BIT(NET_UDP);

	(void)state;
	assert_int_equal(pg_policy_deny_events(NULL, NULL, NULL, NULL), 0);
	assert_int_equal(pg_policy_deny_events("lsm", NULL, NULL, NULL), BIT(PROCESS_EXEC));
	/* the file sensor's other backends see the call too late, or cannot refuse it */
	assert_int_equal(pg_policy_deny_events(NULL, "tracepoint", NULL, NULL), 0);
	assert_int_equal(pg_policy_deny_events(NULL, "fentry", NULL, NULL), 0);
	assert_int_equal(pg_policy_deny_events(NULL, "lsm", NULL, NULL), PG_POLICY_FILE_EVENTS);
	assert_int_equal(pg_policy_deny_events(NULL, NULL, "cgroup", NULL), net);
	assert_int_equal(pg_policy_deny_events(NULL, NULL, "lsm", NULL), net);
	assert_int_equal(pg_policy_deny_events(NULL, NULL, "kprobe", NULL), 0);
	/* the host sensor's set*id hooks; its fentry on commit_creds cannot refuse */
	assert_int_equal(pg_policy_deny_events(NULL, NULL, NULL, "lsm"), BIT(CREDS_CHANGE));
	assert_int_equal(pg_policy_deny_events(NULL, NULL, NULL, "fentry"), 0);
	assert_int_equal(pg_policy_deny_events(NULL, NULL, NULL, "tracepoint"), 0);
	/* nothing denies a fork, an exit, an accept, a listen or a close */
	assert_int_equal(pg_policy_deny_events("lsm", "lsm", "lsm", "lsm"),
			 BIT(PROCESS_EXEC) | PG_POLICY_FILE_EVENTS | net | BIT(CREDS_CHANGE));
}

/* The one rule compiles under @deny_events, and denies (not kills). */
static void compiles_to_deny(uint64_t deny_events)
{
	assert_int_equal(compile(deny_events), 0);
	assert_true(bit(&fx.c.masks.deny, 0));
	assert_false(bit(&fx.c.masks.kill, 0));
	assert_int_equal(fx.c.index[0].action, PG_ACTION_DENY);
}

/* A deny on credentials_change needs the host sensor's lsm backend. */
static void test_policy_compile_deny_creds(void **state)
{
	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: no-root\n    on: [credentials_change]\n    action: deny\n"
	    "    match: {binary: [/usr/sbin/nginx]}\n");
	compiles_to_deny(pg_policy_deny_events(NULL, NULL, NULL, "lsm"));
	pg_compiled_free(&fx.c);
	assert_int_equal(compile(pg_policy_deny_events("lsm", "lsm", "lsm", "fentry")),
			 -EOPNOTSUPP);
	assert_int_equal(fx.diag.n, 1);
	assert_string_equal(
		fx.diag.msgs[0],
		"t.yaml:4:5: rule 'no-root' asks to deny, but this kernel cannot deny "
		"credentials_change (the host sensor does not run its lsm backend (BPF "
		"LSM), or this kernel has no LSM hook for setgroups (6.1 and later do)); "
		"add `fallback: kill` or use mode: monitor");
}

static void test_policy_compile_deny_network(void **state)
{
	uint64_t cgroup = pg_policy_deny_events(NULL, NULL, "cgroup", NULL);

	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: c2\n    on: [network_connect, network_udp]\n    action: deny\n"
	    "    match: {address: [198.18.0.0/15], port: [4444]}\n");
	/* the cgroup hooks (or the LSM) refuse connect() and UDP sends */
	compiles_to_deny(cgroup);
	pg_compiled_free(&fx.c);
	/* nothing here can: refused, saying what is missing */
	assert_int_equal(compile(BIT(PROCESS_EXEC)), -EOPNOTSUPP);
	assert_int_equal(fx.diag.n, 1);
	assert_string_equal(fx.diag.msgs[0],
			    "t.yaml:4:5: rule 'c2' asks to deny, but this kernel cannot deny "
			    "network_connect, network_udp (the network sensor runs neither its "
			    "cgroup nor its lsm backend); add `fallback: kill` or use mode: "
			    "monitor");
	pg_diag_free(&fx.diag);
	teardown(NULL);

	/* an accept or a listen is never denied: kill instead, if the rule says so */
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: in\n    on: [network_connect, network_accept, process_fork]\n"
	    "    action: deny\n");
	assert_int_equal(compile(pg_policy_deny_events("lsm", "lsm", "lsm", NULL)), -EOPNOTSUPP);
	assert_int_equal(fx.diag.n, 1);
	assert_string_equal(fx.diag.msgs[0],
			    "t.yaml:4:5: rule 'in' asks to deny, but this kernel cannot deny "
			    "process_fork, network_accept (only process_exec, file events, "
			    "network_connect, network_udp, credentials_change and host_change of "
			    "kind sysctl alone (where their hooks run) can be denied); add "
			    "`fallback: kill` or use mode: monitor");
	pg_diag_free(&fx.diag);
	teardown(NULL);
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: in\n    on: [network_connect, network_accept]\n"
	    "    action: deny\n    fallback: kill\n"
	    "  - name: out\n    on: [network_connect]\n    action: deny\n");
	assert_int_equal(compile(cgroup), 0);
	/* one action per rule: the whole rule kills, the other still denies */
	assert_true(bit(&fx.c.masks.kill, 0));
	assert_false(bit(&fx.c.masks.deny, 0));
	assert_int_equal(fx.c.index[0].action, PG_ACTION_KILL);
	assert_true(bit(&fx.c.masks.deny, 1));
	pg_compiled_free(&fx.c);
	teardown(NULL);

	/* monitor mode needs nothing */
	add("name: d\nrules:\n  - name: c\n    on: [network_accept]\n    action: deny\n");
	assert_int_equal(compile(0), 0);
	assert_false(bit(&fx.c.masks.deny, 0));
	assert_false(bit(&fx.c.masks.kill, 0));
}

/* File and exec denials need their own backends, whatever the network one can do. */
static void test_policy_compile_deny_by_family(void **state)
{
	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: f\n    on: [file_open]\n    action: deny\n"
	    "    match: {name: [shadow]}\n"
	    "  - name: x\n    on: [process_exec]\n    action: deny\n");
	assert_int_equal(compile(pg_policy_deny_events(NULL, "tracepoint", "cgroup", NULL)),
			 -EOPNOTSUPP);
	assert_int_equal(fx.diag.n, 1);
	assert_non_null(strstr(fx.diag.msgs[0], "cannot deny file_open (no BPF LSM"));
	pg_diag_free(&fx.diag);
	assert_int_equal(compile(pg_policy_deny_events(NULL, "lsm", NULL, NULL)), -EOPNOTSUPP);
	assert_non_null(strstr(fx.diag.msgs[0], "rule 'x' asks to deny, but this kernel cannot "
						"deny process_exec (no BPF LSM"));
	pg_diag_free(&fx.diag);
	assert_int_equal(compile(pg_policy_deny_events("lsm", "lsm", NULL, NULL)), 0);
	assert_true(bit(&fx.c.masks.deny, 0));
	assert_true(bit(&fx.c.masks.deny, 1));
}

/*
 * Before 6.1 the file sensor's lsm backend runs without path_chown (the
 * agent takes file_chown out of the deny events): a chown deny is refused,
 * saying why, while the other file events still deny.
 */
static void test_policy_compile_deny_chown_old_kernel(void **state)
{
	uint64_t old = pg_policy_deny_events("lsm", "lsm", NULL, NULL) & ~BIT(FILE_CHOWN);

	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: own\n    on: [file_chown, file_chmod]\n    action: deny\n"
	    "    match: {path: [/etc/passwd]}\n");
	assert_int_equal(compile(old), -EOPNOTSUPP);
	assert_int_equal(fx.diag.n, 1);
	assert_string_equal(fx.diag.msgs[0],
			    "t.yaml:4:5: rule 'own' asks to deny, but this kernel cannot deny "
			    "file_chown (file_chown's LSM hook takes structs by value, which "
			    "kernels before 6.1 cannot attach to); add `fallback: kill` or use "
			    "mode: monitor");
	pg_diag_free(&fx.diag);
	teardown(NULL);
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: mode\n    on: [file_chmod]\n    action: deny\n"
	    "    match: {path: [/etc/passwd]}\n");
	compiles_to_deny(old);
}

/* A sysctl write is refused by its cgroup hook; no other host change can be. */
static void test_policy_compile_deny_sysctl(void **state)
{
	(void)state;
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: s\n    on: [host_change]\n    action: deny\n"
	    "    match: {kind: [sysctl]}\n");
	compiles_to_deny(PG_POLICY_DENY_SYSCTL);
	pg_compiled_free(&fx.c);
	/* no hook (5.10, no cgroup v2): refused */
	assert_int_equal(compile(pg_policy_deny_events("lsm", "lsm", "lsm", NULL)), -EOPNOTSUPP);
	assert_non_null(strstr(fx.diag.msgs[0], "cannot deny host_change"));
	pg_diag_free(&fx.diag);
	teardown(NULL);
	/* a rule on other kinds too cannot deny them all */
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: s\n    on: [host_change]\n    action: deny\n"
	    "    match: {kind: [sysctl, mount]}\n");
	assert_int_equal(compile(PG_POLICY_DENY_SYSCTL), -EOPNOTSUPP);
	pg_diag_free(&fx.diag);
	teardown(NULL);
	add("name: d\nmode: enforce\nrules:\n"
	    "  - name: s\n    on: [host_change]\n    action: deny\n");
	assert_int_equal(compile(PG_POLICY_DENY_SYSCTL), -EOPNOTSUPP);
}

static void test_policy_compile_in_container(void **state)
{
	(void)state;
	add("name: c\nrules:\n"
	    "  - name: in\n    on: [process_exec]\n    match: {in_container: true}\n"
	    "  - name: out\n    on: [process_exec]\n    match: {not: {in_container: true}}\n"
	    "  - name: any\n    on: [process_exec]\n");
	assert_int_equal(compile(0), 0);
	two_way(fx.c.masks.in_container, 0, false, true);
	two_way(fx.c.masks.in_container, 1, true, false);
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
	assert_int_equal(compile(0), -E2BIG);
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
	assert_int_equal(compile(0), 0);
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
		cmocka_unit_test_teardown(test_policy_compile_dns_name, teardown),
		cmocka_unit_test_teardown(test_policy_compile_direction, teardown),
		cmocka_unit_test_teardown(test_policy_compile_stdio_socket, teardown),
		cmocka_unit_test_teardown(test_policy_compile_fileless, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_needs_a_way, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_fallback_kill, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_events, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_network, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_creds, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_by_family, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_chown_old_kernel, teardown),
		cmocka_unit_test_teardown(test_policy_compile_deny_sysctl, teardown),
		cmocka_unit_test_teardown(test_policy_compile_addresses, teardown),
		cmocka_unit_test_teardown(test_policy_compile_ports_protocols, teardown),
		cmocka_unit_test_teardown(test_policy_compile_host_kinds, teardown),
		cmocka_unit_test_teardown(test_policy_compile_many_addresses, teardown),
		cmocka_unit_test_teardown(test_policy_compile_in_container, teardown),
		cmocka_unit_test_teardown(test_policy_compile_too_long, teardown),
		cmocka_unit_test_teardown(test_policy_compile_large, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
