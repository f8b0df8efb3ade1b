// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: arbitrary bytes as a policy file through the parser.
 * Policies come from users and from `penguard policy add`, so a
 * malformed, hostile or absurd one must cost a list of mistakes, never a
 * crash, a leak or a hang. A parse that succeeds is also checked against
 * the limits the parser promises, which the compiler relies on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_compile.h"
#include "policy_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_set(const struct pg_str_set *s)
{
	const struct {
		char *const *v;
		size_t n;
	} ops[] = {
		{ s->exact, s->n_exact },
		{ s->prefix, s->n_prefix },
		{ s->suffix, s->n_suffix },
		{ s->contains, s->n_contains },
	};
	size_t i, j, total = 0;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		for (j = 0; j < ops[i].n; j++) {
			size_t len = strlen(ops[i].v[j]);

			if (!len || len > PG_POLICY_MAX_STRING)
				abort();
		}
		total += ops[i].n;
	}
	if (total > PG_POLICY_MAX_VALUES || (s->present && !total) || (!s->present && total))
		abort();
}

static void check_selectors(const struct pg_selectors *s)
{
	const struct pg_uint_set *ids[] = { &s->uid, &s->euid, &s->auid, &s->port };
	size_t i, j;

	check_set(&s->binary);
	check_set(&s->parent_binary);
	check_set(&s->ancestor_binary);
	check_set(&s->container_id);
	check_set(&s->cgroup);
	check_set(&s->arguments);
	check_set(&s->path);
	check_set(&s->name);
	check_set(&s->access);
	for (i = 0; i < s->name.n_exact; i++)
		if (strchr(s->name.exact[i], '/') || strlen(s->name.exact[i]) >= PG_FILE_NAME_MAX)
			abort();
	for (i = 0; i < s->access.n_exact; i++)
		if (strcmp(s->access.exact[i], "read") && strcmp(s->access.exact[i], "write"))
			abort();
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (ids[i]->n > PG_POLICY_MAX_VALUES || ids[i]->present != !!ids[i]->n)
			abort();
		for (j = 0; j < ids[i]->n; j++)
			if (ids[i]->ranges[j].lo > ids[i]->ranges[j].hi)
				abort();
	}
	for (i = 0; i < s->port.n; i++)
		if (s->port.ranges[i].hi > 65535)
			abort();
	check_set(&s->protocol);
	for (i = 0; i < s->protocol.n_exact; i++)
		if (strcmp(s->protocol.exact[i], "tcp") && strcmp(s->protocol.exact[i], "udp"))
			abort();
	/* CIDR blocks: a family, a prefix it can hold, nothing past the prefix, mapped ones IPv4 */
	if (s->address.n > PG_POLICY_MAX_VALUES || s->address.present != !!s->address.n)
		abort();
	for (i = 0; i < s->address.n; i++) {
		const struct pg_cidr *a = &s->address.v[i];
		unsigned max = a->family == PG_NET_V4 ? 32 : 128;

		if ((a->family != PG_NET_V4 && a->family != PG_NET_V6) || a->prefix > max)
			abort();
		for (j = a->prefix; j < 128; j++)
			if (a->addr[j / 8] & (0x80 >> (j % 8)))
				abort();
		if (a->family == PG_NET_V6 && a->prefix >= 96 &&
		    !memcmp(a->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))
			abort();
	}
	/* the kernel's path tries hold absolute paths only */
	for (i = 0; i < s->binary.n_exact; i++)
		if (s->binary.exact[i][0] != '/')
			abort();
}

static void check(const struct pg_policy *p)
{
	size_t i;

	if (!p->name || !p->n_rules || p->n_rules > PG_POLICY_MAX_RULES)
		abort();
	for (i = 0; i < p->n_rules; i++) {
		const struct pg_rule *r = &p->rules[i];

		if (!r->name || !r->events || r->n_tags > PG_POLICY_MAX_TAGS)
			abort();
		/* network selectors on network rules only */
		if ((r->match.address.present || r->match.port.present ||
		     r->match.protocol.present || r->not .address.present || r->not .port.present ||
		     r->not .protocol.present) &&
		    (r->events & ~PG_POLICY_NET_EVENTS))
			abort();
		if (r->fallback != PG_ACTION_NONE && r->action != PG_ACTION_DENY)
			abort();
		if (r->rate.interval_ns < PG_POLICY_MIN_INTERVAL_NS ||
		    r->rate.interval_ns > PG_POLICY_MAX_INTERVAL_NS)
			abort();
		check_selectors(&r->match);
		check_selectors(&r->not );
	}
}

/*
 * File paths are resolved at compile time: a made-up file system, so a
 * run depends on its input only. Under /d: directories; under /f: files.
 */
static int fuzz_stat(const char *path, struct stat *st)
{
	size_t i, h = 0;

	if (strncmp(path, "/d", 2) && strncmp(path, "/f", 2))
		return -1;
	for (i = 0; path[i]; i++)
		h = h * 31 + (unsigned char)path[i];
	memset(st, 0, sizeof(*st));
	st->st_ino = h;
	st->st_mode = path[1] == 'd' ? S_IFDIR : S_IFREG;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_policy p;
	struct pg_diag d;
	size_t i;

	pg_policy_files_set_stat(fuzz_stat);
	if (!pg_policy_parse((const char *)data, size, "fuzz.yaml", &p, &d)) {
		struct pg_policy *pp = &p;
		struct pg_compiled c;
		struct pg_diag cd = { 0 };

		if (d.n)
			abort();
		check(&p);
		/* and what the parser accepts, the compiler compiles or refuses, cleanly */
		/* with every deny backend, or none */
		if (!pg_policy_compile(
			    &pp, 1, size & 1,
			    size & 2 ? pg_policy_deny_events("lsm", "lsm", "cgroup", "lsm") : 0, &c,
			    &cd)) {
			if (c.n_rules != p.n_rules)
				abort();
			pg_compiled_free(&c);
		}
		pg_diag_free(&cd);
		pg_policy_free(&p);
	} else if (d.n > PG_DIAG_MAX) {
		abort();
	}
	for (i = 0; i < d.n; i++)
		if (strncmp(d.msgs[i], "fuzz.yaml:", 10))
			abort();
	pg_diag_free(&d);
	return 0;
}
