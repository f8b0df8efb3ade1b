// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/policy.c: the policy language as parsed into
 * struct pg_policy, and every mistake it reports, with the exact
 * file:line:column, since that position is what a user acts on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <penguard/events.h>

#include "policy.h"

#define EXEC_BIT (1ULL << PG_EVENT_PROCESS_EXEC)
#define EXIT_BIT (1ULL << PG_EVENT_PROCESS_EXIT)
#define FORK_BIT (1ULL << PG_EVENT_PROCESS_FORK)

/* A valid policy up to its first rule's `on:`: tests add rule keys at line 5, column 5. */
#define POL "name: p\nrules:\n  - name: r\n    on: [process_exec]\n"
/* The same, on a network event. */
#define NETPOL "name: p\nrules:\n  - name: r\n    on: [network_connect]\n"

static int parse(const char *yaml, struct pg_policy *p, struct pg_diag *d)
{
	return pg_policy_parse(yaml, strlen(yaml), "t.yaml", p, d);
}

static void dump(const struct pg_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("  diag[%zu] %s\n", i, d->msgs[i]);
}

/* @yaml parses, to *@p (freed by the caller). */
static void parse_ok(const char *yaml, struct pg_policy *p)
{
	struct pg_diag d;
	int err;

	err = parse(yaml, p, &d);
	if (err || d.n)
		dump(&d);
	assert_int_equal(err, 0);
	assert_int_equal(d.n, 0);
	pg_diag_free(&d);
}

/* Does @yaml have exactly one mistake, @msg? Says what differs if not. */
static bool has_one(const char *yaml, const char *msg)
{
	struct pg_policy p, untouched;
	struct pg_diag d;
	bool ok;
	int err;

	/* a failed parse leaves the output alone */
	memset(&p, 0xa5, sizeof(p));
	memset(&untouched, 0xa5, sizeof(untouched));
	err = parse(yaml, &p, &d);
	ok = err == -EINVAL && d.n == 1 && !strcmp(d.msgs[0], msg) &&
	     !memcmp(&p, &untouched, sizeof(p));
	if (!ok) {
		print_message("input:\n%s\nwanted: %s\ngot %d:\n", yaml, msg, err);
		dump(&d);
	}
	pg_diag_free(&d);
	return ok;
}

static void parse_one(const char *yaml, const char *msg)
{
	assert_true(has_one(yaml, msg));
}

/* the host sensor's events, last in the list of known events */
#define HOST_EVENTS "credentials_change, namespace_change, host_change"

static const struct {
	const char *yaml;
	const char *msg;
} mistakes[] = {
	/* the policy's keys */
	{ "name: p\nfoo: 1\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:2:1: policy: unknown key 'foo' (known: name, description, mode, rules)" },
	{ "name: p\nname: q\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:2:1: policy: duplicate key 'name' (first at 1:1)" },
	{ "rules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:1: policy: missing required key 'name'" },
	{ "description: d\nname: p\n", "t.yaml:1:1: policy: missing required key 'rules'" },
	{ "name:\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:1: name: expected a string, got nothing (null)" },
	{ "name: \"\"\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:7: name: must not be empty" },
	{ "name: [p]\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:7: name: expected a string, got a list" },
	{ "name: \"a\\tb\"\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:7: name: contains a control character" },
	{ "name: \"a\\0b\"\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:7: name: contains a NUL byte" },
	{ "name: p\ndescription: ''\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:2:14: description: must not be empty" },
	{ "name: p\nmode: enforcing\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:2:7: mode: unknown mode 'enforcing' (known: monitor, enforce)" },
	{ "name: p\nrules: {name: r}\n",
	  "t.yaml:2:8: rules: expected a list of rules, got a mapping" },
	{ "name: p\nrules: []\n",
	  "t.yaml:2:8: rules: empty list (a policy needs at least one rule)" },
	{ "name: p\nrules:\n  - kill-tmp\n",
	  "t.yaml:3:5: rules: expected a rule (a mapping), got 'kill-tmp'" },
	{ "name: p\n[a]: 1\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:2:1: policy: a key must be a string, not a list" },

	/* a rule's keys */
	{ POL "    acton: kill\n", "t.yaml:5:5: rule: unknown key 'acton' (known: name, on, match, "
				   "action, fallback, rate_limit, tags)" },
	{ POL "    on: [process_exit]\n", "t.yaml:5:5: rule: duplicate key 'on' (first at 4:5)" },
	{ "name: p\nrules:\n  - on: [process_exec]\n",
	  "t.yaml:3:5: rule: missing required key 'name'" },
	{ "name: p\nrules:\n  - name: r\n    action: kill\n",
	  "t.yaml:3:5: rule: missing required key 'on'" },
	{ "name: p\nrules:\n  - name: r\n    on: process_exec\n",
	  "t.yaml:4:9: on: expected a list of event names, got 'process_exec'" },
	{ "name: p\nrules:\n  - name: r\n    on: []\n",
	  "t.yaml:4:9: on: empty list (name at least one event)" },
	{ "name: p\nrules:\n  - name: r\n    on: [process_exec, file_opn]\n",
	  "t.yaml:4:24: on: unknown event 'file_opn' (known: process_exec, process_exit, "
	  "process_fork, file_open, file_create, file_unlink, file_rename, file_chmod, "
	  "file_chown, file_truncate, file_link, file_symlink, file_mmap_exec, network_connect, "
	  "network_accept, network_close, network_listen, network_udp, dns_query, "
	  "dns_answer, " HOST_EVENTS ")" },
	{ "name: p\nrules:\n  - name: r\n    on: [process_seed]\n",
	  "t.yaml:4:10: on: unknown event 'process_seed' (known: process_exec, "
	  "process_exit, "
	  "process_fork, file_open, file_create, file_unlink, file_rename, file_chmod, "
	  "file_chown, file_truncate, file_link, file_symlink, file_mmap_exec, network_connect, "
	  "network_accept, network_close, network_listen, network_udp, dns_query, "
	  "dns_answer, " HOST_EVENTS ")" },
	{ POL "    action: block\n",
	  "t.yaml:5:13: action: unknown action 'block' (known: report, deny, kill)" },
	{ POL "    action: deny\n    fallback: report\n",
	  "t.yaml:6:15: fallback: only kill can stand in for deny, not 'report'" },
	{ POL "    action: kill\n    fallback: kill\n",
	  "t.yaml:6:15: fallback: only allowed with action: deny (this rule's action is "
	  "kill)" },
	{ POL "    fallback: kill\n", "t.yaml:5:15: fallback: only allowed with action: "
				      "deny (this rule's action is report)" },
	{ "name: p\nrules:\n  - name: r\n    on: [process_exec, process_exit]\n    "
	  "action: kill\n",
	  "t.yaml:5:13: action: kill cannot apply to process_exit (the process is "
	  "already "
	  "exiting)" },
	{ "name: p\nrules:\n  - name: r\n    on: [process_exit]\n    action: deny\n"
	  "    fallback: kill\n",
	  "t.yaml:5:13: action: deny cannot apply to process_exit (the process is "
	  "already "
	  "exiting)" },
	{ "name: p\nrules:\n  - name: r\n    on: [process_exec]\n  - name: r\n"
	  "    on: [process_fork]\n",
	  "t.yaml:5:5: rule: duplicate rule name 'r' (first at 3:5)" },

	/* selectors */
	{ POL "    match: [binary]\n",
	  "t.yaml:5:12: match: expected a mapping of selectors, got a list" },
	{ POL "    match:\n      binray: [/bin/sh]\n",
	  "t.yaml:6:7: match: unknown key 'binray' (known: binary, parent_binary, "
	  "ancestor_binary, uid, euid, auid, in_container, container_id, cgroup, "
	  "arguments, "
	  "path, name, access, address, port, protocol, direction, dns_name, stdio_socket, "
	  "fileless, kind, not)" },
	{ POL "    match:\n      not:\n        not: {uid: [0]}\n",
	  "t.yaml:7:9: not: unknown key 'not' (known: binary, parent_binary, "
	  "ancestor_binary, "
	  "uid, euid, auid, in_container, container_id, cgroup, arguments, path, name, "
	  "access, address, port, protocol, direction, dns_name, stdio_socket, fileless, kind)" },
	{ POL "    match:\n      uid: [0]\n      uid: [1]\n",
	  "t.yaml:7:7: match: duplicate key 'uid' (first at 6:7)" },
	{ POL "    match:\n      binary: /bin/sh\n",
	  "t.yaml:6:15: binary: expected a list or a mapping of exact, prefix, suffix, "
	  "got "
	  "'/bin/sh'" },
	{ POL "    match:\n      binary: [bin/sh]\n",
	  "t.yaml:6:16: binary: 'bin/sh' is not an absolute path (exact values start "
	  "with '/')" },
	{ POL "    match:\n      parent_binary: {prefix: [/usr/, tmp/]}\n",
	  "t.yaml:6:39: parent_binary.prefix: 'tmp/' is not an absolute path (prefix "
	  "values "
	  "start with '/')" },
	{ POL "    match:\n      ancestor_binary: {exact: [./sh]}\n",
	  "t.yaml:6:33: ancestor_binary.exact: './sh' is not an absolute path (exact "
	  "values start "
	  "with '/')" },
	{ POL "    match:\n      binary: {contains: [sh]}\n",
	  "t.yaml:6:16: binary: unknown key 'contains' (known: exact, prefix, suffix)" },
	{ POL "    match:\n      container_id: {suffix: [abc]}\n",
	  "t.yaml:6:22: container_id: unknown key 'suffix' (known: exact, prefix)" },
	{ POL "    match:\n      cgroup: {contains: [docker]}\n",
	  "t.yaml:6:16: cgroup: unknown key 'contains' (known: exact, prefix)" },
	{ POL "    match:\n      binary: []\n",
	  "t.yaml:6:15: binary: empty list (a selector needs at least one value)" },
	{ POL "    match:\n      binary: {suffix: []}\n",
	  "t.yaml:6:24: binary.suffix: empty list (a selector needs at least one "
	  "value)" },
	{ POL "    match:\n      binary: {}\n",
	  "t.yaml:6:15: binary: empty mapping (give at least one of exact, prefix, "
	  "suffix)" },
	{ POL "    match:\n      binary: {suffix: [\"\"]}\n",
	  "t.yaml:6:25: binary.suffix: must not be empty" },
	{ POL "    match:\n      arguments: {prefix: /x}\n",
	  "t.yaml:6:27: arguments.prefix: expected a list of strings, got '/x'" },
	{ POL "    match:\n      binary: [/bin/sh, {a: b}]\n",
	  "t.yaml:6:25: binary: expected a string, got a mapping" },
	{ POL "    match:\n      uid: 0\n",
	  "t.yaml:6:12: uid: expected a list of numbers or \"lo-hi\" ranges, got '0'" },
	{ POL "    match:\n      uid: [1000-999]\n",
	  "t.yaml:6:13: uid: range '1000-999' is inverted (lo > hi)" },
	{ POL "    match:\n      euid: [4294967296]\n",
	  "t.yaml:6:14: euid: '4294967296' is out of range (0..4294967295)" },
	{ POL "    match:\n      auid: [99999999999999999999999999]\n",
	  "t.yaml:6:14: auid: '99999999999999999999999999' is out of range "
	  "(0..4294967295)" },
	{ POL "    match:\n      uid: [0-4294967296]\n",
	  "t.yaml:6:13: uid: '0-4294967296' is out of range (0..4294967295)" },
	{ POL "    match:\n      uid: [-1]\n",
	  "t.yaml:6:13: uid: '-1' is not a number or a \"lo-hi\" range" },
	{ POL "    match:\n      uid: [1.5]\n",
	  "t.yaml:6:13: uid: '1.5' is not a number or a \"lo-hi\" range" },
	{ POL "    match:\n      uid: [0x10]\n",
	  "t.yaml:6:13: uid: '0x10' is not a number or a \"lo-hi\" range" },
	{ POL "    match:\n      uid: [1000-]\n",
	  "t.yaml:6:13: uid: '1000-' is not a number or a \"lo-hi\" range" },
	{ POL "    match:\n      uid: [0755]\n", "t.yaml:6:13: uid: '0755' has a leading zero" },
	{ POL "    match:\n      uid: [[0]]\n",
	  "t.yaml:6:13: uid: expected a number or a \"lo-hi\" range, got a list" },
	{ POL "    match:\n      in_container: yes\n",
	  "t.yaml:6:21: in_container: expected true or false, got 'yes'" },
	{ POL "    match:\n      in_container: \"true\"\n",
	  "t.yaml:6:21: in_container: expected true or false, got 'true' (quoted)" },
	{ POL "    match:\n      in_container: [true]\n",
	  "t.yaml:6:21: in_container: expected true or false, got a list" },

	/* network selectors */
	{ NETPOL "    match:\n      address: [10.0.0.1/8]\n",
	  "t.yaml:6:17: address: '10.0.0.1/8' has bits set past its prefix length: write "
	  "10.0.0.0/8" },
	{ NETPOL "    match:\n      address: [\"::ffff:10.0.0.1/104\"]\n",
	  "t.yaml:6:17: address: '::ffff:10.0.0.1/104' has bits set past its prefix length: "
	  "write ::ffff:10.0.0.0/104" },
	{ NETPOL "    match:\n      address: [\"fd00::1/8\"]\n",
	  "t.yaml:6:17: address: 'fd00::1/8' has bits set past its prefix length: write "
	  "fd00::/8" },
	{ NETPOL "    match:\n      address: [10.0.0.0/33]\n",
	  "t.yaml:6:17: address: '10.0.0.0/33' has a prefix length out of range (0..32 for "
	  "IPv4)" },
	{ NETPOL "    match:\n      address: [\"fd00::/129\"]\n",
	  "t.yaml:6:17: address: 'fd00::/129' has a prefix length out of range (0..128 for "
	  "IPv6)" },
	{ NETPOL "    match:\n      address: [10.0.0.0/99999999999999999999999]\n",
	  "t.yaml:6:17: address: '10.0.0.0/99999999999999999999999' has a prefix length out of "
	  "range (0..32 for IPv4)" },
	{ NETPOL "    match:\n      address: [\"10.0.0.0/08\"]\n",
	  "t.yaml:6:17: address: '10.0.0.0/08' has a prefix length that is not a number (no "
	  "sign, no leading zero)" },
	{ NETPOL "    match:\n      address: [10.0.0.0/]\n",
	  "t.yaml:6:17: address: '10.0.0.0/' has a prefix length that is not a number (no "
	  "sign, no leading zero)" },
	{ NETPOL "    match:\n      address: [10.0.0.0/-8]\n",
	  "t.yaml:6:17: address: '10.0.0.0/-8' has a prefix length that is not a number (no "
	  "sign, no leading zero)" },
	{ NETPOL "    match:\n      address: [10.0.0.256]\n",
	  "t.yaml:6:17: address: '10.0.0.256' is not an IPv4 or IPv6 address or CIDR block "
	  "(10.0.0.0/8, 198.18.0.2, fd00::/8, ::1)" },
	{ NETPOL "    match:\n      address: [10.1]\n",
	  "t.yaml:6:17: address: '10.1' is not an IPv4 or IPv6 address or CIDR block "
	  "(10.0.0.0/8, 198.18.0.2, fd00::/8, ::1)" },
	{ NETPOL "    match:\n      address: [example.com]\n",
	  "t.yaml:6:17: address: 'example.com' is not an IPv4 or IPv6 address or CIDR block "
	  "(10.0.0.0/8, 198.18.0.2, fd00::/8, ::1)" },
	{ NETPOL "    match:\n      address: [\"fe80::1%eth0\"]\n",
	  "t.yaml:6:17: address: 'fe80::1%eth0' is not an IPv4 or IPv6 address or CIDR block "
	  "(10.0.0.0/8, 198.18.0.2, fd00::/8, ::1)" },
	{ NETPOL "    match:\n      address: [/8]\n",
	  "t.yaml:6:17: address: '/8' is not an IPv4 or IPv6 address or CIDR block "
	  "(10.0.0.0/8, 198.18.0.2, fd00::/8, ::1)" },
	{ NETPOL "    match:\n      address: 10.0.0.0/8\n",
	  "t.yaml:6:16: address: expected a list of addresses or CIDR blocks, got "
	  "'10.0.0.0/8'" },
	{ NETPOL "    match:\n      address: []\n",
	  "t.yaml:6:16: address: empty list (a selector needs at least one value)" },
	{ NETPOL "    match:\n      address: [[10.0.0.0/8]]\n",
	  "t.yaml:6:17: address: expected an address or a CIDR block, got a list" },
	{ NETPOL "    match:\n      port: [65536]\n",
	  "t.yaml:6:14: port: '65536' is out of range (0..65535)" },
	{ NETPOL "    match:\n      port: [1000-70000]\n",
	  "t.yaml:6:14: port: '1000-70000' is out of range (0..65535)" },
	{ NETPOL "    match:\n      port: [2000-1000]\n",
	  "t.yaml:6:14: port: range '2000-1000' is inverted (lo > hi)" },
	{ NETPOL "    match:\n      port: [ssh]\n",
	  "t.yaml:6:14: port: 'ssh' is not a number or a \"lo-hi\" range" },
	{ "name: p\nrules:\n  - name: r\n    on: [host_change]\n    match:\n      kind: [mount, "
	  "disk]\n",
	  "t.yaml:6:13: kind: unknown 'disk' (known: mount, hostname, time, swap, reboot, kexec, "
	  "module, bpf, ptrace, process_vm_write, sysctl)" },
	{ NETPOL "    match:\n      kind: [mount]\n",
	  "t.yaml:6:13: kind: applies to host_change only, and this rule is also on network "
	  "events" },
	{ NETPOL "    match:\n      protocol: [tcp, icmp]\n",
	  "t.yaml:6:17: protocol: unknown 'icmp' (known: tcp, udp)" },
	{ NETPOL "    match:\n      protocol: {prefix: [t]}\n",
	  "t.yaml:6:18: protocol: unknown key 'prefix' (known: exact)" },
	/* each family its own selectors */
	{ POL "    match:\n      address: [10.0.0.0/8]\n",
	  "t.yaml:6:16: address, port, protocol, direction and dns_name apply to network events "
	  "(network_connect, network_accept, ...) only, and this rule is also on process events" },
	{ POL "    match:\n      not:\n        port: [22]\n",
	  "t.yaml:7:15: address, port, protocol, direction and dns_name apply to network events "
	  "(network_connect, network_accept, ...) only, and this rule is also on process events" },
	{ "name: p\nrules:\n  - name: r\n    on: [network_connect, file_open]\n"
	  "    match:\n      protocol: [tcp]\n",
	  "t.yaml:6:17: address, port, protocol, direction and dns_name apply to network events "
	  "(network_connect, network_accept, ...) only, and this rule is also on file events" },
	{ NETPOL "    match:\n      path: [/etc/passwd]\n",
	  "t.yaml:6:13: path, name and access apply to file events (file_open, file_create, "
	  "...) only, and this rule is also on network events" },
	{ "name: p\nrules:\n  - name: r\n    on: [network_udp, file_open, process_exec]\n"
	  "    match:\n      name: [x]\n",
	  "t.yaml:6:13: path, name and access apply to file events (file_open, file_create, "
	  "...) only, and this rule is also on process events" },

	/* rate_limit */
	{ POL "    rate_limit: 10\n",
	  "t.yaml:5:17: rate_limit: expected a mapping (max, per, interval), got '10'" },
	{ POL "    rate_limit: {per: process}\n",
	  "t.yaml:5:17: rate_limit: missing required key 'max'" },
	{ POL "    rate_limit: {max: 0}\n",
	  "t.yaml:5:23: max: must be at least 1 (leave rate_limit out for no limit)" },
	{ POL "    rate_limit: {max: 4294967296}\n",
	  "t.yaml:5:23: max: 4294967296 is out of range (0..4294967295)" },
	{ POL "    rate_limit: {max: ten}\n", "t.yaml:5:23: max: 'ten' is not a number" },
	{ POL "    rate_limit: {max: 1, per: thread}\n",
	  "t.yaml:5:31: per: unknown 'thread' (known: process, global)" },
	{ POL "    rate_limit: {max: 1, burst: 5}\n",
	  "t.yaml:5:26: rate_limit: unknown key 'burst' (known: max, per, interval)" },
	{ POL "    rate_limit: {max: 1, interval: 1.5s}\n",
	  "t.yaml:5:36: interval: '1.5s' is not a duration (a whole number and ms, s, m "
	  "or h: "
	  "500ms, 1s, 2m)" },
	{ POL "    rate_limit: {max: 1, interval: 10}\n",
	  "t.yaml:5:36: interval: '10' is not a duration (a whole number and ms, s, m or "
	  "h: "
	  "500ms, 1s, 2m)" },
	{ POL "    rate_limit: {max: 1, interval: 0s}\n",
	  "t.yaml:5:36: interval: '0s' is out of range (1ms..24h)" },
	{ POL "    rate_limit: {max: 1, interval: 25h}\n",
	  "t.yaml:5:36: interval: '25h' is out of range (1ms..24h)" },
	{ POL "    rate_limit: {max: 1, interval: 99999999999999999999s}\n",
	  "t.yaml:5:36: interval: '99999999999999999999s' is not a duration (a whole "
	  "number and "
	  "ms, s, m or h: 500ms, 1s, 2m)" },

	/* tags */
	{ POL "    tags: persistence\n",
	  "t.yaml:5:11: tags: expected a list of strings, got 'persistence'" },
	{ POL "    tags: []\n", "t.yaml:5:11: tags: empty list (leave tags out instead)" },
	{ POL "    tags: [a, '']\n", "t.yaml:5:15: tags: must not be empty" },
	{ POL "    tags: [a, ~]\n", "t.yaml:5:15: tags: expected a string, got nothing (null)" },
	{ POL "    tags: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]\n",
	  "t.yaml:5:67: tags: more than 16 tags" },

	/* YAML itself */
	{ "", "t.yaml:1:1: empty policy: it needs at least name and rules" },
	{ "# nothing\n", "t.yaml:2:1: empty policy: it needs at least name and rules" },
	{ "hello\n", "t.yaml:1:1: a policy is a mapping (name, description, mode, rules), not "
		     "'hello'" },
	{ "- name: p\n", "t.yaml:1:1: a policy is a mapping (name, description, mode, rules), not "
			 "a list" },
	{ "name: p\nrules: [{name: r, on: [process_exec]}]\n---\nname: q\n",
	  "t.yaml:3:1: a second YAML document: one policy per file (remove the '---')" },
	{ "name: &n p\nrules: [{name: *n, on: [process_exec]}]\n",
	  "t.yaml:2:16: YAML aliases are not allowed in a policy (*n): write the value "
	  "out" },
	{ "name: !!str p\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:7: YAML tags are not allowed in a policy (!!str)" },
	{ "name: !custom p\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:7: YAML tags are not allowed in a policy (!custom)" },
	{ POL "  foo: bar\n", "t.yaml:5:3: YAML syntax: did not find expected '-' indicator (while "
			      "parsing a block collection at 3:3)" },
	{ "name: p\n  mode: x\n", "t.yaml:2:7: YAML syntax: mapping values are not allowed in this "
				  "context" },
	{ "name: p\nrules:\n\t- name: r\n",
	  "t.yaml:3:1: YAML syntax: found character that cannot "
	  "start any token (while scanning for the next token at 3:1)" },
	{ "name: p\nrules: [{name: r, on: [process_exec]}\n",
	  "t.yaml:3:1: YAML syntax: did not find expected ',' or ']' (while parsing a "
	  "flow "
	  "sequence at 2:8)" },
	{ "name: \"p\xff\"\nrules: [{name: r, on: [process_exec]}]\n",
	  "t.yaml:1:9: invalid leading UTF-8 octet (byte 0xff)" },
	{ "name: p\tq\n\x01", "t.yaml:2:1: control characters are not allowed (byte 0x01)" },
	{ "name: p\nrules:\n  - name: r\n    on: [dns_query]\n    match:\n"
	  "      dns_name: {suffix: [.Example.COM.], exact: [a/b]}\n",
	  "t.yaml:6:17: dns_name: 'a/b' is not a DNS name (letters, digits, '-', '_' and '.', at "
	  "most 253 bytes)" },
	{ "name: p\nrules:\n  - name: r\n    on: [network_connect, network_udp]\n    match:\n"
	  "      direction: [inbound]\n",
	  "t.yaml:6:18: direction: inbound never matches this rule's events (inbound: "
	  "network_accept, network_listen, network_close; outbound: every other network event)" },
	{ "name: p\nrules:\n  - name: r\n    on: [network_close]\n    match:\n"
	  "      direction: [sideways]\n",
	  "t.yaml:6:18: direction: unknown 'sideways' (known: outbound, inbound)" },
	{ "name: p\nrules:\n  - name: r\n    on: [dns_query]\n    match:\n"
	  "      dns_name: {prefix: [www.]}\n",
	  "t.yaml:6:18: dns_name: unknown key 'prefix' (known: exact, suffix)" },
	{ "name: p\nrules:\n  - name: r\n    on: [process_exec, dns_query]\n    match:\n"
	  "      dns_name: [example.com]\n",
	  "t.yaml:6:17: address, port, protocol, direction and dns_name apply to network events "
	  "(network_connect, network_accept, ...) only, and this rule is also on process events" },
};

static void test_policy_mistakes(void **state)
{
	size_t i, failed = 0;

	(void)state;
	/* all of them, then fail: one run shows every difference */
	for (i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++)
		failed += !has_one(mistakes[i].yaml, mistakes[i].msg);
	print_message("%zu mistakes checked\n", i);
	assert_int_equal(failed, 0);
}

/* The example of src/policy.h and the README, field by field. */
static void test_policy_readme_example(void **state)
{
	static const char yaml[] =
		"name: no-tmp-binaries\n"
		"description: Nothing runs from world-writable directories\n"
		"mode: enforce              # or monitor (default)\n"
		"rules:\n"
		"  - name: kill-tmp-exec\n"
		"    on: [process_exec]\n"
		"    match:\n"
		"      binary: {prefix: [/tmp/, /dev/shm/]}\n"
		"      not:\n"
		"        uid: [0]\n"
		"    action: kill           # report (default) | deny | kill\n"
		"    rate_limit: {max: 10, per: process, interval: 1s}   # or per: global\n"
		"    tags: [persistence]\n";
	struct pg_policy p;
	const struct pg_rule *r;

	(void)state;
	parse_ok(yaml, &p);
	assert_string_equal(p.name, "no-tmp-binaries");
	assert_string_equal(p.description, "Nothing runs from world-writable directories");
	assert_string_equal(p.file, "t.yaml");
	assert_int_equal(p.mode, PG_MODE_ENFORCE);
	assert_int_equal(p.n_rules, 1);
	r = &p.rules[0];
	assert_string_equal(r->name, "kill-tmp-exec");
	assert_int_equal(r->pos.line, 5);
	assert_int_equal(r->pos.column, 5);
	assert_int_equal(r->events, EXEC_BIT);
	assert_true(r->match.binary.present);
	assert_int_equal(r->match.binary.pos.line, 8);
	assert_int_equal(r->match.binary.pos.column, 15);
	assert_int_equal(r->match.binary.n_exact, 0);
	assert_int_equal(r->match.binary.n_prefix, 2);
	assert_string_equal(r->match.binary.prefix[0], "/tmp/");
	assert_string_equal(r->match.binary.prefix[1], "/dev/shm/");
	assert_int_equal(r->match.binary.n_suffix, 0);
	assert_false(r->match.uid.present);
	assert_int_equal(r->match.in_container, PG_ANY);
	assert_true(r->not .uid.present);
	assert_int_equal(r->not .uid.n, 1);
	assert_int_equal(r->not .uid.ranges[0].lo, 0);
	assert_int_equal(r->not .uid.ranges[0].hi, 0);
	assert_false(r->not .binary.present);
	assert_int_equal(r->not .in_container, PG_ANY);
	assert_int_equal(r->action, PG_ACTION_KILL);
	assert_int_equal(r->action_pos.line, 11);
	assert_int_equal(r->action_pos.column, 13);
	assert_int_equal(r->fallback, PG_ACTION_NONE);
	assert_int_equal(r->rate.max, 10);
	assert_true(r->rate.per_process);
	assert_int_equal(r->rate.interval_ns, 1000000000ULL);
	assert_int_equal(r->n_tags, 1);
	assert_string_equal(r->tags[0], "persistence");
	pg_policy_free(&p);
	/* freed means zeroed: a second free is harmless */
	assert_null(p.rules);
	pg_policy_free(&p);
	pg_policy_free(NULL);
}

static void test_policy_defaults(void **state)
{
	struct pg_policy p;
	const struct pg_rule *r;

	(void)state;
	parse_ok("name: p\nrules:\n  - name: everything\n    on: [process_exec, process_exit, "
		 "process_fork]\n",
		 &p);
	assert_int_equal(p.mode, PG_MODE_MONITOR);
	assert_null(p.description);
	r = &p.rules[0];
	assert_int_equal(r->events, EXEC_BIT | EXIT_BIT | FORK_BIT);
	/* no selectors: every event of its types */
	assert_false(r->match.binary.present);
	assert_false(r->match.parent_binary.present);
	assert_false(r->match.ancestor_binary.present);
	assert_false(r->match.uid.present);
	assert_false(r->match.euid.present);
	assert_false(r->match.auid.present);
	assert_false(r->match.container_id.present);
	assert_false(r->match.cgroup.present);
	assert_false(r->match.arguments.present);
	assert_int_equal(r->match.in_container, PG_ANY);
	assert_int_equal(r->not .in_container, PG_ANY);
	assert_int_equal(r->action, PG_ACTION_REPORT);
	assert_int_equal(r->action_pos.line, 0);
	assert_int_equal(r->fallback, PG_ACTION_NONE);
	assert_int_equal(r->rate.max, 0);
	assert_false(r->rate.per_process);
	assert_int_equal(r->rate.interval_ns, 1000000000ULL);
	assert_int_equal(r->n_tags, 0);
	pg_policy_free(&p);
}

static void test_policy_every_selector(void **state)
{
	static const char yaml[] = POL
		"    match:\n"
		"      binary: [/bin/sh, /bin/bash]\n"
		"      parent_binary: {exact: [/usr/sbin/nginx], prefix: [/opt/], suffix: [/php]}\n"
		"      ancestor_binary: {suffix: [sshd]}\n"
		"      uid: [0, 1000-1999, \"65534\"]\n"
		"      euid: [0-4294967295]\n"
		"      auid: [4294967295]\n"
		"      in_container: true\n"
		"      container_id: {exact: [abc], prefix: [0123]}\n"
		"      cgroup: [/system.slice/nginx.service]\n"
		"      arguments: {exact: [-x], prefix: [-c], suffix: [.sh], contains: [\"| "
		"sh\"]}\n"
		"      not:\n"
		"        binary: {prefix: [/usr/]}\n"
		"        parent_binary: [/bin/sh]\n"
		"        ancestor_binary: [/usr/bin/sudo]\n"
		"        uid: [5]\n"
		"        euid: [6]\n"
		"        auid: [7-8]\n"
		"        in_container: False\n"
		"        container_id: [def]\n"
		"        cgroup: {prefix: [/user.slice/]}\n"
		"        arguments: {contains: [--help]}\n";
	const struct pg_selectors *m, *n;
	struct pg_policy p;

	(void)state;
	parse_ok(yaml, &p);
	m = &p.rules[0].match;
	n = &p.rules[0].not ;
	assert_int_equal(m->binary.n_exact, 2);
	assert_string_equal(m->binary.exact[1], "/bin/bash");
	assert_int_equal(m->parent_binary.n_exact, 1);
	assert_string_equal(m->parent_binary.exact[0], "/usr/sbin/nginx");
	assert_string_equal(m->parent_binary.prefix[0], "/opt/");
	assert_string_equal(m->parent_binary.suffix[0], "/php");
	/* suffixes need not be paths */
	assert_string_equal(m->ancestor_binary.suffix[0], "sshd");
	assert_int_equal(m->uid.n, 3);
	assert_int_equal(m->uid.ranges[1].lo, 1000);
	assert_int_equal(m->uid.ranges[1].hi, 1999);
	assert_int_equal(m->uid.ranges[2].lo, 65534);
	assert_int_equal(m->euid.ranges[0].lo, 0);
	assert_int_equal(m->euid.ranges[0].hi, UINT32_MAX);
	assert_int_equal(m->auid.ranges[0].lo, UINT32_MAX);
	assert_int_equal(m->in_container, PG_YES);
	assert_string_equal(m->container_id.exact[0], "abc");
	/* a plain 0123 is a string here, taken as written */
	assert_string_equal(m->container_id.prefix[0], "0123");
	assert_string_equal(m->cgroup.exact[0], "/system.slice/nginx.service");
	assert_string_equal(m->arguments.exact[0], "-x");
	assert_string_equal(m->arguments.prefix[0], "-c");
	assert_string_equal(m->arguments.suffix[0], ".sh");
	assert_string_equal(m->arguments.contains[0], "| sh");
	assert_int_equal(m->arguments.n_contains, 1);
	assert_string_equal(n->binary.prefix[0], "/usr/");
	assert_string_equal(n->parent_binary.exact[0], "/bin/sh");
	assert_string_equal(n->ancestor_binary.exact[0], "/usr/bin/sudo");
	assert_int_equal(n->uid.ranges[0].lo, 5);
	assert_int_equal(n->euid.ranges[0].lo, 6);
	assert_int_equal(n->auid.ranges[0].lo, 7);
	assert_int_equal(n->auid.ranges[0].hi, 8);
	assert_int_equal(n->in_container, PG_NO);
	assert_string_equal(n->container_id.exact[0], "def");
	assert_string_equal(n->cgroup.prefix[0], "/user.slice/");
	assert_string_equal(n->arguments.contains[0], "--help");
	assert_true(n->arguments.present);
	assert_false(n->arguments.n_exact);
	pg_policy_free(&p);
}

static void assert_cidr(const struct pg_cidr *c, int family, int prefix, const char *addr)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(c->family, family);
	assert_int_equal(c->prefix, prefix);
	assert_int_equal(inet_pton(family == PG_NET_V4 ? AF_INET : AF_INET6, addr, want), 1);
	assert_memory_equal(c->addr, want, sizeof(want));
}

static void test_policy_network_selectors(void **state)
{
	static const char yaml[] =
		"name: p\nrules:\n  - name: r\n"
		"    on: [network_connect, network_accept, network_close, network_listen, "
		"network_udp, dns_query, dns_answer]\n"
		"    match:\n"
		"      address: [10.0.0.0/8, 198.18.0.2, \"::1\", \"fd00::/8\", "
		"\"::ffff:10.0.0.0/104\",\n"
		"                \"::ffff:1.2.3.4\", 0.0.0.0/0, \"::/0\", \"::ffff:0:0/96\", "
		"\"::/80\"]\n"
		"      port: [22, 0, \"8000-8080\", 65535]\n"
		"      protocol: [tcp]\n"
		"      not:\n"
		"        address: [127.0.0.0/8, \"::1\"]\n"
		"        port: [0-1023]\n"
		"        protocol: {exact: [udp]}\n"
		"    action: deny\n"
		"    fallback: kill\n";
	const struct pg_selectors *m, *n;
	struct pg_policy p;

	(void)state;
	parse_ok(yaml, &p);
	assert_int_equal(p.rules[0].events, PG_POLICY_NET_EVENTS);
	m = &p.rules[0].match;
	n = &p.rules[0].not ;
	assert_true(m->address.present);
	assert_int_equal(m->address.pos.line, 6);
	assert_int_equal(m->address.pos.column, 16);
	assert_int_equal(m->address.n, 10);
	assert_cidr(&m->address.v[0], PG_NET_V4, 8, "10.0.0.0");
	assert_cidr(&m->address.v[1], PG_NET_V4, 32, "198.18.0.2"); /* a host */
	assert_cidr(&m->address.v[2], PG_NET_V6, 128, "::1");
	assert_cidr(&m->address.v[3], PG_NET_V6, 8, "fd00::");
	/* IPv4-mapped: the IPv4 block, as the kernel side matches it */
	assert_cidr(&m->address.v[4], PG_NET_V4, 8, "10.0.0.0");
	assert_cidr(&m->address.v[5], PG_NET_V4, 32, "1.2.3.4");
	assert_cidr(&m->address.v[6], PG_NET_V4, 0, "0.0.0.0");
	assert_cidr(&m->address.v[7], PG_NET_V6, 0, "::");
	assert_cidr(&m->address.v[8], PG_NET_V4, 0, "0.0.0.0");
	/* shorter than the mapped range: IPv6, which mapped addresses are not */
	assert_cidr(&m->address.v[9], PG_NET_V6, 80, "::");
	assert_int_equal(m->port.n, 4);
	assert_int_equal(m->port.ranges[0].lo, 22);
	assert_int_equal(m->port.ranges[1].hi, 0);
	assert_int_equal(m->port.ranges[2].lo, 8000);
	assert_int_equal(m->port.ranges[2].hi, 8080);
	assert_int_equal(m->port.ranges[3].lo, 65535);
	assert_int_equal(m->protocol.n_exact, 1);
	assert_string_equal(m->protocol.exact[0], "tcp");
	assert_int_equal(n->address.n, 2);
	assert_cidr(&n->address.v[0], PG_NET_V4, 8, "127.0.0.0");
	assert_cidr(&n->address.v[1], PG_NET_V6, 128, "::1");
	assert_int_equal(n->port.ranges[0].hi, 1023);
	assert_string_equal(n->protocol.exact[0], "udp");
	assert_false(m->uid.present);
	assert_int_equal(p.rules[0].action, PG_ACTION_DENY);
	assert_int_equal(p.rules[0].fallback, PG_ACTION_KILL);
	pg_policy_free(&p);

	/* network events alone, no selector: every connection */
	parse_ok("name: p\nrules:\n  - name: r\n    on: [network_listen]\n", &p);
	assert_int_equal(p.rules[0].events, 1ULL << PG_EVENT_NET_LISTEN);
	assert_false(p.rules[0].match.address.present);
	assert_false(p.rules[0].match.port.present);
	assert_false(p.rules[0].match.protocol.present);
	pg_policy_free(&p);
	/* and network events beside others, without network selectors */
	parse_ok("name: p\nrules:\n  - name: r\n    on: [process_exec, network_connect]\n"
		 "    match: {uid: [0]}\n",
		 &p);
	pg_policy_free(&p);
	assert_int_equal(pg_policy_event_type("network_udp"), PG_EVENT_NET_UDP);
	assert_string_equal(pg_policy_event_name(PG_EVENT_NET_CONNECT), "network_connect");
}

static void test_policy_actions_and_modes(void **state)
{
	struct pg_policy p;

	(void)state;
	parse_ok("name: p\nmode: monitor\nrules: [{name: r, on: [process_exec]}]\n", &p);
	assert_int_equal(p.mode, PG_MODE_MONITOR);
	pg_policy_free(&p);
	parse_ok(POL "    action: report\n", &p);
	assert_int_equal(p.rules[0].action, PG_ACTION_REPORT);
	pg_policy_free(&p);
	parse_ok(POL "    action: deny\n", &p);
	assert_int_equal(p.rules[0].action, PG_ACTION_DENY);
	assert_int_equal(p.rules[0].fallback, PG_ACTION_NONE);
	pg_policy_free(&p);
	parse_ok(POL "    fallback: kill\n    action: deny\n", &p);
	assert_int_equal(p.rules[0].action, PG_ACTION_DENY);
	assert_int_equal(p.rules[0].fallback, PG_ACTION_KILL);
	pg_policy_free(&p);
	/* a fork can be refused (or its child killed) */
	parse_ok("name: p\nmode: enforce\nrules:\n  - name: r\n    on: [process_fork]\n"
		 "    action: kill\n",
		 &p);
	assert_int_equal(p.mode, PG_MODE_ENFORCE);
	assert_int_equal(p.rules[0].action, PG_ACTION_KILL);
	assert_int_equal(p.rules[0].events, FORK_BIT);
	pg_policy_free(&p);
	/* reporting exits is fine */
	parse_ok("name: p\nrules:\n  - name: r\n    on: [process_exit]\n    action: report\n", &p);
	pg_policy_free(&p);
}

static void test_policy_rate_limit(void **state)
{
	static const struct {
		const char *interval;
		uint64_t ns;
	} ok[] = {
		{ "1ms", 1000000ULL },		{ "500ms", 500000000ULL },
		{ "1s", 1000000000ULL },	{ "90s", 90000000000ULL },
		{ "2m", 120000000000ULL },	{ "24h", 86400000000000ULL },
		{ "1440m", 86400000000000ULL }, { "86400000ms", 86400000000000ULL },
	};
	char yaml[256];
	struct pg_policy p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(yaml, sizeof(yaml),
			 POL "    rate_limit: {max: 4294967295, per: global, interval: %s}\n",
			 ok[i].interval);
		parse_ok(yaml, &p);
		assert_int_equal(p.rules[0].rate.max, UINT32_MAX);
		assert_false(p.rules[0].rate.per_process);
		assert_int_equal(p.rules[0].rate.interval_ns, ok[i].ns);
		pg_policy_free(&p);
	}
	parse_ok(POL "    rate_limit:\n      max: 1\n      per: process\n", &p);
	assert_int_equal(p.rules[0].rate.max, 1);
	assert_true(p.rules[0].rate.per_process);
	assert_int_equal(p.rules[0].rate.interval_ns, 1000000000ULL);
	pg_policy_free(&p);
	parse_one(POL "    rate_limit: {max: 1, interval: 86400001ms}\n",
		  "t.yaml:5:36: interval: '86400001ms' is out of range (1ms..24h)");
}

static void test_policy_tags(void **state)
{
	struct pg_policy p;

	(void)state;
	parse_ok(POL "    tags: [persistence, \"T1059\", 'with space', ünïcode, 1, 2, 3, 4, 5, 6, "
		     "7, 8, 9, 10, 11, 12]\n",
		 &p);
	assert_int_equal(p.rules[0].n_tags, PG_POLICY_MAX_TAGS);
	assert_string_equal(p.rules[0].tags[1], "T1059");
	assert_string_equal(p.rules[0].tags[2], "with space");
	assert_string_equal(p.rules[0].tags[3], "ünïcode");
	assert_string_equal(p.rules[0].tags[15], "12");
	pg_policy_free(&p);
}

static void test_policy_uid_bounds(void **state)
{
	struct pg_policy p;

	(void)state;
	parse_ok(POL "    match:\n      uid: [0, 4294967295, 0-0, 7-7, 4294967295-4294967295]\n",
		 &p);
	assert_int_equal(p.rules[0].match.uid.n, 5);
	assert_int_equal(p.rules[0].match.uid.ranges[1].lo, UINT32_MAX);
	assert_int_equal(p.rules[0].match.uid.ranges[4].hi, UINT32_MAX);
	pg_policy_free(&p);
}

/* Flow and block style, comments, quoting: one model. */
static void test_policy_styles(void **state)
{
	struct pg_policy p;

	(void)state;
	parse_ok("{name: \"p\", rules: [{name: 'r', on: [\"process_exec\"], match: {binary: "
		 "{exact: [\"/bin/sh\"]}}}]}",
		 &p);
	assert_string_equal(p.rules[0].match.binary.exact[0], "/bin/sh");
	pg_policy_free(&p);
	parse_ok(
		"---\n# a comment\nname: p # trailing\nrules:\n- name: r\n  on:\n  - process_exec\n"
		"  match:\n    binary:\n      exact:\n      - /bin/sh\n...\n",
		&p);
	assert_string_equal(p.rules[0].match.binary.exact[0], "/bin/sh");
	pg_policy_free(&p);
	/* a quoted escape makes a path with a newline: allowed in paths, not in names */
	parse_ok(POL "    match:\n      binary: [\"/tmp/a\\nb\"]\n", &p);
	assert_string_equal(p.rules[0].match.binary.exact[0], "/tmp/a\nb");
	pg_policy_free(&p);
	/* `on` is the key "on", not YAML 1.1's boolean true */
	parse_ok("name: p\nrules:\n  - {name: r, on: [process_exec]}\n", &p);
	pg_policy_free(&p);
}

/* Mistakes are collected past the first one, and given in the order of the file. */
static void test_policy_many_mistakes_sorted(void **state)
{
	static const char yaml[] = "name: p\n"
				   "mode: x\n"
				   "rules:\n"
				   "  - name: r\n"
				   "    on: [bad]\n"
				   "    action: kill\n"
				   "    fallback: kill\n"
				   "  - name: r\n"
				   "    on: [process_exec]\n"
				   "    match: {uid: [2-1]}\n"
				   "  - on: [process_exec]\n";
	static const char *const want[] = {
		"t.yaml:2:7: mode: unknown mode 'x' (known: monitor, enforce)",
		"t.yaml:5:10: on: unknown event 'bad' (known: process_exec, process_exit, "
		"process_fork, file_open, file_create, file_unlink, file_rename, file_chmod, "
		"file_chown, file_truncate, file_link, file_symlink, file_mmap_exec, "
		"network_connect, "
		"network_accept, network_close, network_listen, network_udp, dns_query, "
		"dns_answer, " HOST_EVENTS ")",
		"t.yaml:7:15: fallback: only allowed with action: deny (this rule's action is "
		"kill)",
		"t.yaml:8:5: rule: duplicate rule name 'r' (first at 4:5)",
		"t.yaml:10:19: uid: range '2-1' is inverted (lo > hi)",
		"t.yaml:11:5: rule: missing required key 'name'",
	};
	struct pg_policy p;
	struct pg_diag d;
	size_t i;

	(void)state;
	assert_int_equal(parse(yaml, &p, &d), -EINVAL);
	if (d.n != sizeof(want) / sizeof(want[0]))
		dump(&d);
	assert_int_equal(d.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < d.n; i++)
		assert_string_equal(d.msgs[i], want[i]);
	pg_diag_free(&d);
	pg_diag_free(&d);
	pg_diag_free(NULL);
	/* no diag wanted: still refused */
	assert_int_equal(parse(yaml, &p, NULL), -EINVAL);
}

static char *grow_printf(char *s, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *grow_printf(char *s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *t;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&t, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	s = realloc(s, *len + (size_t)n + 1);
	assert_non_null(s);
	memcpy(s + *len, t, (size_t)n + 1);
	*len += (size_t)n;
	free(t);
	return s;
}

static void test_policy_mistake_cap(void **state)
{
	struct pg_policy p;
	struct pg_diag d;
	size_t len = 0;
	char *yaml = NULL;
	int i;

	(void)state;
	yaml = grow_printf(yaml, &len, POL "    match:\n      uid: [");
	for (i = 0; i < 150; i++)
		yaml = grow_printf(yaml, &len, "%sx%d", i ? ", " : "", i);
	yaml = grow_printf(yaml, &len, "]\n");
	assert_int_equal(parse(yaml, &p, &d), -EINVAL);
	assert_int_equal(d.n, PG_DIAG_MAX);
	assert_string_equal(d.msgs[0],
			    "t.yaml:6:13: uid: 'x0' is not a number or a \"lo-hi\" range");
	assert_string_equal(d.msgs[98],
			    "t.yaml:6:493: uid: 'x98' is not a number or a \"lo-hi\" range");
	assert_string_equal(d.msgs[99], "t.yaml:6:498: too many mistakes: stopping after 99");
	pg_diag_free(&d);
	free(yaml);
}

/* PG_POLICY_MAX_VALUES values in one selector, operators together; one more is a mistake. */
static void test_policy_selector_size(void **state)
{
	struct pg_policy p;
	struct pg_diag d;
	size_t len = 0, i;
	char *yaml = NULL;

	(void)state;
	yaml = grow_printf(yaml, &len, POL "    match:\n      uid: [");
	for (i = 0; i < PG_POLICY_MAX_VALUES; i++)
		yaml = grow_printf(yaml, &len, "%s%zu", i ? "," : "", i);
	yaml = grow_printf(yaml, &len, "]\n      binary:\n        exact: [");
	for (i = 0; i < PG_POLICY_MAX_VALUES / 2; i++)
		yaml = grow_printf(yaml, &len, "%s/%zu", i ? "," : "", i);
	yaml = grow_printf(yaml, &len, "]\n        suffix: [");
	for (i = 0; i < PG_POLICY_MAX_VALUES / 2; i++)
		yaml = grow_printf(yaml, &len, "%s%zu", i ? "," : "", i);
	yaml = grow_printf(yaml, &len, "]\n");
	parse_ok(yaml, &p);
	assert_int_equal(p.rules[0].match.uid.n, PG_POLICY_MAX_VALUES);
	assert_int_equal(p.rules[0].match.uid.ranges[PG_POLICY_MAX_VALUES - 1].lo,
			 PG_POLICY_MAX_VALUES - 1);
	assert_int_equal(p.rules[0].match.binary.n_exact, PG_POLICY_MAX_VALUES / 2);
	assert_int_equal(p.rules[0].match.binary.n_suffix, PG_POLICY_MAX_VALUES / 2);
	pg_policy_free(&p);

	/* one more, in another operator of the same selector */
	yaml[len - 2] = '\0';
	len -= 2;
	yaml = grow_printf(yaml, &len, ",last]\n");
	assert_int_equal(parse(yaml, &p, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.msgs[0], ": binary: more than 100000 values"));
	assert_int_equal(strncmp(d.msgs[0], "t.yaml:9:", 9), 0);
	pg_diag_free(&d);
	free(yaml);

	/* and in a list of numbers */
	yaml = NULL;
	len = 0;
	yaml = grow_printf(yaml, &len, POL "    match:\n      auid: [");
	for (i = 0; i <= PG_POLICY_MAX_VALUES; i++)
		yaml = grow_printf(yaml, &len, "%s%zu", i ? "\n        , " : "", i);
	yaml = grow_printf(yaml, &len, "]\n");
	assert_int_equal(parse(yaml, &p, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "t.yaml:100006:11: auid: more than 100000 values");
	pg_diag_free(&d);
	free(yaml);
}

static void test_policy_string_size(void **state)
{
	char path[PG_POLICY_MAX_STRING + 2], yaml[PG_POLICY_MAX_STRING + 256];
	struct pg_policy p;

	(void)state;
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[PG_POLICY_MAX_STRING] = '\0';
	snprintf(yaml, sizeof(yaml), POL "    match:\n      binary: [%s]\n", path);
	parse_ok(yaml, &p);
	assert_int_equal(strlen(p.rules[0].match.binary.exact[0]), PG_POLICY_MAX_STRING);
	pg_policy_free(&p);
	path[PG_POLICY_MAX_STRING] = 'a';
	path[PG_POLICY_MAX_STRING + 1] = '\0';
	snprintf(yaml, sizeof(yaml), POL "    match:\n      binary: [%s]\n", path);
	parse_one(yaml, "t.yaml:6:16: binary: longer than 4095 bytes");
}

static void test_policy_rule_count(void **state)
{
	struct pg_policy p;
	struct pg_diag d;
	size_t len = 0;
	char *yaml = NULL;
	int i;

	(void)state;
	yaml = grow_printf(yaml, &len, "name: p\nrules:\n");
	for (i = 0; i < PG_POLICY_MAX_RULES; i++)
		yaml = grow_printf(yaml, &len, "  - {name: r%d, on: [process_exec]}\n", i);
	parse_ok(yaml, &p);
	assert_int_equal(p.n_rules, PG_POLICY_MAX_RULES);
	assert_string_equal(p.rules[255].name, "r255");
	pg_policy_free(&p);
	yaml = grow_printf(yaml, &len, "  - {name: r0, on: [process_exec]}\n");
	assert_int_equal(parse(yaml, &p, &d), -EINVAL);
	/* the 257th rule is still checked: its name is a duplicate */
	assert_int_equal(d.n, 2);
	assert_string_equal(d.msgs[0], "t.yaml:259:5: rules: more than 256 rules in one policy");
	assert_string_equal(d.msgs[1],
			    "t.yaml:259:5: rule: duplicate rule name 'r0' (first at 3:5)");
	pg_diag_free(&d);
	free(yaml);
}

/* A billion laughs is refused at the first alias, without expanding anything. */
static void test_policy_billion_laughs(void **state)
{
	static const char yaml[] = "name: p\n"
				   "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				   "rules: *d\n";
	struct pg_policy p;
	struct pg_diag d;

	(void)state;
	assert_int_equal(parse(yaml, &p, &d), -EINVAL);
	/* an unknown key, whose value (with its aliases) is skipped: then the aliases of rules */
	assert_string_equal(d.msgs[0],
			    "t.yaml:2:1: policy: unknown key 'a' (known: name, description, mode, "
			    "rules)");
	assert_string_equal(d.msgs[2], "t.yaml:3:8: YAML aliases are not allowed in a policy "
				       "(*a): write the value out");
	assert_string_equal(d.msgs[d.n - 1], "t.yaml:6:8: YAML aliases are not allowed in a "
					     "policy (*d): write the value out");
	pg_diag_free(&d);
}

/* Nesting is bounded: libyaml's scanner slows down quadratically with depth. */
static void test_policy_depth(void **state)
{
	char yaml[256];
	struct pg_policy p;
	struct pg_diag d;
	int n;

	(void)state;
	n = snprintf(yaml, sizeof(yaml), "name: p\nrules: ");
	memset(yaml + n, '[', 40);
	memset(yaml + n + 40, ']', 40);
	yaml[n + 80] = '\0';
	assert_int_equal(parse(yaml, &p, &d), -EINVAL);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.msgs[0],
			    "t.yaml:2:9: rules: expected a rule (a mapping), got a list");
	/* the root mapping is level 1, so the 32nd '[' is level 33 */
	assert_string_equal(d.msgs[1], "t.yaml:2:39: nested deeper than 32 levels");
	pg_diag_free(&d);
	/* 32 levels are fine where the value is skipped anyway */
	n = snprintf(yaml, sizeof(yaml), "name: p\nrules: [{name: r, on: [process_exec]}]\nx: ");
	memset(yaml + n, '[', 31);
	memset(yaml + n + 31, ']', 31);
	yaml[n + 62] = '\0';
	parse_one(yaml,
		  "t.yaml:3:1: policy: unknown key 'x' (known: name, description, mode, rules)");
}

static void test_policy_names(void **state)
{
	(void)state;
	assert_int_equal(pg_policy_event_type("process_exec"), PG_EVENT_PROCESS_EXEC);
	assert_int_equal(pg_policy_event_type("process_exit"), PG_EVENT_PROCESS_EXIT);
	assert_int_equal(pg_policy_event_type("process_fork"), PG_EVENT_PROCESS_FORK);
	assert_int_equal(pg_policy_event_type("process_seed"), -ENOENT);
	assert_int_equal(pg_policy_event_type(""), -ENOENT);
	assert_string_equal(pg_policy_event_name(PG_EVENT_PROCESS_FORK), "process_fork");
	assert_null(pg_policy_event_name(PG_EVENT_PROCESS_SEED));
	assert_null(pg_policy_event_name(-1));
	assert_string_equal(pg_action_name(PG_ACTION_NONE), "none");
	assert_string_equal(pg_action_name(PG_ACTION_REPORT), "report");
	assert_string_equal(pg_action_name(PG_ACTION_DENY), "deny");
	assert_string_equal(pg_action_name(PG_ACTION_KILL), "kill");
	assert_string_equal(pg_action_name((enum pg_action)42), "unknown");
	assert_string_equal(pg_policy_mode_name(PG_MODE_MONITOR), "monitor");
	assert_string_equal(pg_policy_mode_name(PG_MODE_ENFORCE), "enforce");
}

static void write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void test_policy_parse_file(void **state)
{
	char dir[] = "/tmp/pg-policy-test.XXXXXX", path[64], msg[128];
	struct pg_policy p;
	struct pg_diag d;
	char *big;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ok.yaml", dir);
	write_file(path, POL, strlen(POL));
	assert_int_equal(pg_policy_parse_file(path, &p, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(p.file, path);
	pg_policy_free(&p);

	/* exactly the limit is fine (as far as size goes); one byte more is not */
	big = malloc(PG_POLICY_MAX_FILE_SIZE + 1);
	assert_non_null(big);
	memset(big, ' ', PG_POLICY_MAX_FILE_SIZE + 1);
	memcpy(big, POL, strlen(POL));
	write_file(path, big, PG_POLICY_MAX_FILE_SIZE);
	assert_int_equal(pg_policy_parse_file(path, &p, &d), 0);
	pg_policy_free(&p);
	write_file(path, big, PG_POLICY_MAX_FILE_SIZE + 1);
	assert_int_equal(pg_policy_parse_file(path, &p, &d), -EFBIG);
	assert_int_equal(d.n, 1);
	snprintf(msg, sizeof(msg),
		 "%s: larger than 4194304 bytes (4 MiB), the limit for a policy file", path);
	assert_string_equal(d.msgs[0], msg);
	pg_diag_free(&d);
	free(big);
	unlink(path);

	assert_int_equal(pg_policy_parse_file(path, &p, &d), -ENOENT);
	snprintf(msg, sizeof(msg), "%s: cannot open: No such file or directory", path);
	assert_string_equal(d.msgs[0], msg);
	pg_diag_free(&d);
	assert_int_equal(pg_policy_parse_file(dir, &p, NULL), -EISDIR);
	rmdir(dir);
}

/* Run `penguard policy ...` with stdout and stderr sent to /dev/null. */
static int run_cmd(char **argv)
{
	int saved_out, saved_err, null, argc = 0, ret;

	while (argv[argc])
		argc++;
	fflush(NULL);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(saved_out >= 0 && saved_err >= 0 && null >= 0);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
	ret = pg_policy_cmd(argc, argv);
	fflush(NULL);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	return ret;
}

#define CMD(...) run_cmd((char *[]){ "policy", __VA_ARGS__, NULL })

static void test_policy_cmd(void **state)
{
	char dir[] = "/tmp/pg-policy-cmd.XXXXXX", good[64], bad[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(good, sizeof(good), "%s/good.yaml", dir);
	snprintf(bad, sizeof(bad), "%s/bad.yaml", dir);
	write_file(good, POL, strlen(POL));
	write_file(bad, "name: p\n", 8);
	assert_int_equal(CMD("check", good), 0);
	assert_int_equal(CMD("check", good, good), 0);
	assert_int_equal(CMD("check", good, bad), 1);
	assert_int_equal(CMD("check", bad, good), 1);
	assert_int_equal(CMD("check", "/nonexistent/policy.yaml"), 1);
	assert_int_equal(CMD("check"), 2);
	assert_int_equal(CMD("check", "--bogus", good), 2);
	assert_int_equal(CMD("check", "--help"), 0);
	assert_int_equal(CMD("check", "--", good), 0);
	assert_int_equal(CMD("--help"), 0);
	/* no agent at that socket: a clear error, status 1; usage errors: 2 */
	assert_int_equal(CMD("list", "--socket", "/nonexistent/pg.sock"), 1);
	assert_int_equal(CMD("add", good, "--socket", "/nonexistent/pg.sock"), 1);
	assert_int_equal(CMD("remove", "p", "--socket", "/nonexistent/pg.sock"), 1);
	assert_int_equal(CMD("add", "/nonexistent/policy.yaml", "--socket", "/nonexistent/s"), 1);
	assert_int_equal(CMD("add"), 2);
	assert_int_equal(CMD("remove"), 2);
	assert_int_equal(CMD("list", "extra"), 2);
	assert_int_equal(CMD("frobnicate"), 2);
	assert_int_equal(run_cmd((char *[]){ "policy", NULL }), 2);
	unlink(good);
	unlink(bad);
	rmdir(dir);
}

/* The shipped policies are valid (run from the source tree, as make does). */
static void test_policy_shipped(void **state)
{
	static const char *const files[] = {
		"policies/process.yaml",
		"policies/examples/no-tmp-binaries.yaml",
		"policies/examples/watch-network-tools.yaml",
		"policies/examples/web-server-shell.yaml",
		"policies/examples/rate-limited-forks.yaml",
		"policies/examples/user-ranges.yaml",
	};
	struct pg_policy p;
	struct pg_diag d;
	size_t i;

	(void)state;
	if (access(files[0], R_OK)) {
		print_message("policies/ not found from %s: run from the source tree\n",
			      getcwd((char[256]){ 0 }, 256) ?: "?");
		skip();
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (pg_policy_parse_file(files[i], &p, &d))
			dump(&d);
		assert_int_equal(d.n, 0);
		if (i == 0) {
			/*
			 * the built-in default: report every exec and exit, reverse
			 * shells and fileless execs first
			 */
			assert_string_equal(p.name, "process-lifecycle");
			assert_int_equal(p.mode, PG_MODE_MONITOR);
			assert_int_equal(p.n_rules, 3);
			assert_int_equal(p.rules[0].events, EXEC_BIT);
			assert_int_equal(p.rules[0].match.stdio_socket, PG_YES);
			assert_int_equal(p.rules[1].events, EXEC_BIT);
			assert_int_equal(p.rules[1].match.fileless, PG_YES);
			assert_int_equal(p.rules[1].match.stdio_socket, PG_ANY);
			assert_int_equal(p.rules[2].events, EXEC_BIT | EXIT_BIT);
			assert_int_equal(p.rules[2].action, PG_ACTION_REPORT);
			assert_false(p.rules[2].match.binary.present);
		}
		pg_policy_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_mistakes),
		cmocka_unit_test(test_policy_readme_example),
		cmocka_unit_test(test_policy_defaults),
		cmocka_unit_test(test_policy_every_selector),
		cmocka_unit_test(test_policy_network_selectors),
		cmocka_unit_test(test_policy_actions_and_modes),
		cmocka_unit_test(test_policy_rate_limit),
		cmocka_unit_test(test_policy_tags),
		cmocka_unit_test(test_policy_uid_bounds),
		cmocka_unit_test(test_policy_styles),
		cmocka_unit_test(test_policy_many_mistakes_sorted),
		cmocka_unit_test(test_policy_mistake_cap),
		cmocka_unit_test(test_policy_selector_size),
		cmocka_unit_test(test_policy_string_size),
		cmocka_unit_test(test_policy_rule_count),
		cmocka_unit_test(test_policy_billion_laughs),
		cmocka_unit_test(test_policy_depth),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_policy_parse_file),
		cmocka_unit_test(test_policy_cmd),
		cmocka_unit_test(test_policy_shipped),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
