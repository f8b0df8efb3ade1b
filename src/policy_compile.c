// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_compile.h"
#include "util.h"

/*
 * A growable set of trie entries, deduplicated by key through an open
 * addressing index: one policy may name a path in several rules and kinds.
 */
struct path_table {
	struct pg_path_entry *e;
	size_t n, cap;
	size_t *slot; /* index + 1; 0: empty */
	size_t nslots;
	unsigned gen;
};

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* the key's significant bytes: prefixlen counts the generation byte too */
static size_t key_len(const struct pg_policy_path_key *k)
{
	return k->prefixlen / 8 - 1;
}

static int path_table_grow(struct path_table *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 1024, i;
	size_t *slot = calloc(ns, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		const struct pg_policy_path_key *k = &t->e[i].key;
		size_t h = hash_bytes(k->data, key_len(k)) & (ns - 1);

		while (slot[h])
			h = (h + 1) & (ns - 1);
		slot[h] = i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslots = ns;
	return 0;
}

static struct pg_path_entry *path_table_find(const struct path_table *t, const void *data,
					     size_t len)
{
	size_t h;

	if (!t->nslots)
		return NULL;
	h = hash_bytes(data, len) & (t->nslots - 1);
	while (t->slot[h]) {
		struct pg_path_entry *e = &t->e[t->slot[h] - 1];

		if (key_len(&e->key) == len && !memcmp(e->key.data, data, len))
			return e;
		h = (h + 1) & (t->nslots - 1);
	}
	return NULL;
}

/* The entry for @data[0..len) (with its NUL when exact), created if new. */
static struct pg_path_entry *path_table_get(struct path_table *t, const void *data, size_t len)
{
	struct pg_path_entry *e = path_table_find(t, data, len);
	size_t h;

	if (e)
		return e;
	if ((t->n + 1) * 2 > t->nslots && path_table_grow(t))
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct pg_path_entry *ne = realloc(t->e, cap * sizeof(*ne));

		if (!ne)
			return NULL;
		t->e = ne;
		t->cap = cap;
	}
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	e->key.gen = t->gen;
	memcpy(e->key.data, data, len);
	e->key.prefixlen = 8 * (len + 1);
	h = hash_bytes(data, len) & (t->nslots - 1);
	while (t->slot[h])
		h = (h + 1) & (t->nslots - 1);
	t->slot[h] = ++t->n;
	return e;
}

static void masks_or(struct pg_path_masks *d, const struct pg_path_masks *a)
{
	int k;

	for (k = 0; k < PG_BIN_KINDS; k++) {
		pg_mask_or(&d->pos[k], &a->pos[k]);
		pg_mask_or(&d->neg[k], &a->neg[k]);
	}
}

/*
 * An LPM trie returns the longest matching prefix only: fold into every
 * entry the masks of the entries that are prefixes of it, so that one
 * lookup carries every rule that matches. Entries are visited shortest
 * first, so each folds already-folded ancestors: one lookup per length.
 */
static int cmp_len(const void *a, const void *b)
{
	const struct pg_path_entry *x = a, *y = b;

	return (int)x->key.prefixlen - (int)y->key.prefixlen;
}

static int path_table_fold(struct path_table *t)
{
	size_t i, l;

	if (!t->n)
		return 0;
	qsort(t->e, t->n, sizeof(*t->e), cmp_len);
	if (path_table_grow(t)) /* the sort moved entries: reindex */
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		struct pg_path_entry *e = &t->e[i];
		size_t len = key_len(&e->key);

		for (l = len; l-- > 0;) {
			struct pg_path_entry *a = path_table_find(t, e->key.data, l);

			if (a) {
				masks_or(&e->val, &a->val);
				break; /* a is folded already: it holds the shorter ones */
			}
		}
	}
	return 0;
}

struct ctx {
	struct path_table paths, suffixes;
	struct pg_id_entry *ids;
	size_t n_ids, cap_ids;
	struct pg_diag *diag;
	unsigned gen;
};

/* A message at @file:@pos, in the parser's form (pg_diag_add). */
static int diag_add(struct pg_diag *d, const char *file, struct pg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int diag_add(struct pg_diag *d, const char *file, struct pg_pos pos, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pg_diag_add(d, "%s:%d:%d: %s", file ? file : "-", pos.line, pos.column, msg);
}

/* Add rule @bit to the path entries of @set, as kind @kind, positive or negative. */
static int add_paths(struct ctx *c, const struct pg_str_set *set, int kind, bool neg, unsigned bit)
{
	char rev[PG_POLICY_STR_MAX + 1];
	struct pg_path_entry *e;
	size_t i, j, n;

	for (i = 0; i < set->n_exact; i++) {
		n = strlen(set->exact[i]);
		if (n >= PG_POLICY_STR_MAX)
			return -E2BIG;
		/* the NUL makes it exact: "/bin/sh" does not match "/bin/sh2" */
		e = path_table_get(&c->paths, set->exact[i], n + 1);
		if (!e)
			return -ENOMEM;
		pg_mask_set(neg ? &e->val.neg[kind] : &e->val.pos[kind], bit);
	}
	for (i = 0; i < set->n_prefix; i++) {
		n = strlen(set->prefix[i]);
		if (n > PG_POLICY_STR_MAX)
			return -E2BIG;
		e = path_table_get(&c->paths, set->prefix[i], n);
		if (!e)
			return -ENOMEM;
		pg_mask_set(neg ? &e->val.neg[kind] : &e->val.pos[kind], bit);
	}
	for (i = 0; i < set->n_suffix; i++) {
		n = strlen(set->suffix[i]);
		if (n > PG_POLICY_SUFFIX_MAX)
			return -E2BIG;
		for (j = 0; j < n; j++)
			rev[j] = set->suffix[i][n - 1 - j];
		e = path_table_get(&c->suffixes, rev, n);
		if (!e)
			return -ENOMEM;
		pg_mask_set(neg ? &e->val.neg[kind] : &e->val.pos[kind], bit);
	}
	return 0;
}

static struct pg_id_entry *id_get(struct ctx *c, unsigned kind, uint32_t v, unsigned bits)
{
	struct pg_id_entry *e;
	size_t i;

	v = bits ? v & (uint32_t)(~0ULL << (32 - bits)) : 0;
	for (i = 0; i < c->n_ids; i++) {
		e = &c->ids[i];
		if (e->key.kind == kind && e->key.prefixlen == 16 + bits &&
		    !memcmp(e->key.be, (uint8_t[]){ v >> 24, v >> 16, v >> 8, v }, 4))
			return e;
	}
	if (c->n_ids == c->cap_ids) {
		size_t cap = c->cap_ids ? c->cap_ids * 2 : 64;
		struct pg_id_entry *ne = realloc(c->ids, cap * sizeof(*ne));

		if (!ne)
			return NULL;
		c->ids = ne;
		c->cap_ids = cap;
	}
	e = &c->ids[c->n_ids++];
	memset(e, 0, sizeof(*e));
	e->key.prefixlen = 16 + bits;
	e->key.gen = c->gen;
	e->key.kind = kind;
	e->key.be[0] = v >> 24;
	e->key.be[1] = v >> 16;
	e->key.be[2] = v >> 8;
	e->key.be[3] = v;
	return e;
}

/* A range as the fewest aligned prefixes of the 32-bit value. */
static int add_ids(struct ctx *c, const struct pg_uint_set *set, unsigned kind, bool neg,
		   unsigned bit)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		uint64_t lo = set->ranges[i].lo, hi = set->ranges[i].hi;

		while (lo <= hi) {
			unsigned k = 0;
			struct pg_id_entry *e;

			/* the largest aligned block starting at lo that fits */
			while (k < 32 && !(lo & (1ULL << k)) && lo + (2ULL << k) - 1 <= hi)
				k++;
			e = id_get(c, kind, lo, 32 - k);
			if (!e)
				return -ENOMEM;
			pg_mask_set(neg ? &e->val.neg : &e->val.pos, bit);
			lo += 1ULL << k;
		}
	}
	return 0;
}

/* Fold shorter id prefixes into longer ones (the LPM rule again). */
static void fold_ids(struct ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->n_ids; i++) {
		struct pg_id_entry *e = &c->ids[i];

		for (j = 0; j < c->n_ids; j++) {
			const struct pg_id_entry *a = &c->ids[j];
			unsigned bits = a->key.prefixlen - 16;
			uint32_t ev = (uint32_t)e->key.be[0] << 24 | e->key.be[1] << 16 |
				      e->key.be[2] << 8 | e->key.be[3];
			uint32_t av = (uint32_t)a->key.be[0] << 24 | a->key.be[1] << 16 |
				      a->key.be[2] << 8 | a->key.be[3];
			uint32_t mask = bits ? (uint32_t)(~0ULL << (32 - bits)) : 0;

			if (j == i || a->key.kind != e->key.kind ||
			    a->key.prefixlen >= e->key.prefixlen)
				continue;
			if ((ev & mask) == av) {
				pg_mask_or(&e->val.pos, &a->val.pos);
				pg_mask_or(&e->val.neg, &a->val.neg);
			}
		}
	}
}

static bool has_user_selectors(const struct pg_selectors *s)
{
	return s->container_id.present || s->cgroup.present || s->arguments.present;
}

static int compile_rule(struct ctx *c, struct pg_compiled *out, const struct pg_policy *p,
			const struct pg_rule *r, unsigned bit, bool can_deny)
{
	struct pg_policy_masks *m = &out->masks;
	const struct pg_str_set *bins[PG_BIN_KINDS][2] = {
		{ &r->match.binary, &r->not .binary },
		{ &r->match.parent_binary, &r->not .parent_binary },
		{ &r->match.ancestor_binary, &r->not .ancestor_binary },
	};
	const struct pg_uint_set *ids[PG_ID_KINDS][2] = {
		{ &r->match.uid, &r->not .uid },
		{ &r->match.euid, &r->not .euid },
		{ &r->match.auid, &r->not .auid },
	};
	struct pg_compiled_rule *ix = &out->index[bit];
	unsigned allowed;
	int k, t, err;

	ix->policy = p;
	ix->rule = r;
	ix->action = r->action;
	ix->user = has_user_selectors(&r->match) || has_user_selectors(&r->not );
	if (r->action == PG_ACTION_DENY && p->mode == PG_MODE_ENFORCE && ix->user) {
		/* the exec waits for the kernel's answer, never for the agent's */
		diag_add(c->diag, p->file, r->pos,
			 "rule '%s' denies, but container_id, cgroup and arguments are decided in "
			 "user space, after the exec: use action: kill, or kernel selectors only",
			 r->name);
		return -EINVAL;
	}
	if (r->action == PG_ACTION_DENY && p->mode == PG_MODE_ENFORCE && !can_deny) {
		if (r->fallback != PG_ACTION_KILL) {
			diag_add(
				c->diag, p->file, r->pos,
				"rule '%s' asks to deny, but this kernel cannot deny (no BPF LSM: "
				"add bpf to lsm= on the kernel command line); add `fallback: kill` "
				"or use mode: monitor",
				r->name);
			return -EOPNOTSUPP;
		}
		ix->action = PG_ACTION_KILL;
	}
	for (k = 0; k < PG_BIN_KINDS; k++) {
		if (!bins[k][0]->present)
			pg_mask_set(&m->any[PG_SEL_BINARY + k], bit);
		for (t = 0; t < 2; t++) {
			if (!bins[k][t]->present)
				continue;
			err = add_paths(c, bins[k][t], k, t, bit);
			if (err == -E2BIG)
				diag_add(c->diag, p->file, bins[k][t]->pos,
					 "the kernel matches exact values and prefixes of up to %d "
					 "bytes, suffixes of up to %d",
					 PG_POLICY_STR_MAX - 1, PG_POLICY_SUFFIX_MAX);
			if (err)
				return err;
			if (bins[k][t]->n_exact || bins[k][t]->n_prefix)
				m->uses |= PG_USES_PATHS;
			if (bins[k][t]->n_suffix)
				m->uses |= PG_USES_SUFFIX;
		}
	}
	for (k = 0; k < PG_ID_KINDS; k++) {
		if (!ids[k][0]->present)
			pg_mask_set(&m->any[PG_SEL_UID + k], bit);
		for (t = 0; t < 2; t++) {
			if (!ids[k][t]->present)
				continue;
			m->uses |= PG_USES_IDS;
			err = add_ids(c, ids[k][t], k, t, bit);
			if (err)
				return err;
		}
	}
	/* file selectors: by identity and name in the kernel (policy_files.c) */
	if (!r->match.path.present)
		pg_mask_set(&m->any[PG_SEL_PATH], bit);
	if (!r->match.name.present)
		pg_mask_set(&m->any[PG_SEL_NAME], bit);
	if (r->match.path.present || r->not .path.present || r->match.name.present ||
	    r->not .name.present) {
		err = pg_policy_files_add(&out->files, p->file, r, bit, c->diag);
		if (err)
			return err;
		if (r->match.path.present || r->not .path.present) {
			m->uses |= PG_USES_FILE_IDS;
			pg_mask_set(&m->file_ids, bit);
		}
		if (r->match.name.present || r->not .name.present) {
			m->uses |= PG_USES_FILE_NAMES;
			pg_mask_set(&m->file_names, bit);
		}
		for (t = 0; t < (int)r->match.name.n_exact; t++)
			m->name_lens |= 1ULL << (strlen(r->match.name.exact[t]) & 63);
		for (t = 0; t < (int)r->not .name.n_exact; t++)
			m->name_lens |= 1ULL << (strlen(r->not .name.exact[t]) & 63);
	}
	/* which of read-only (0) and writing (1) opens the rule accepts */
	allowed = 3;
	if (r->match.access.present) {
		allowed = 0;
		for (t = 0; t < (int)r->match.access.n_exact; t++)
			allowed |= 1U << !strcmp(r->match.access.exact[t], "write");
	}
	for (t = 0; t < (int)r->not .access.n_exact; t++)
		allowed &= ~(1U << !strcmp(r->not .access.exact[t], "write"));
	for (t = 0; t < 2; t++)
		if (allowed & (1U << t))
			pg_mask_set(&m->access[t], bit);
	/* which of "not in a container" (0) and "in one" (1) the rule accepts */
	allowed = 3;
	if (r->match.in_container != PG_ANY)
		allowed &= 1U << (r->match.in_container == PG_YES);
	if (r->not .in_container != PG_ANY)
		allowed &= ~(1U << (r->not .in_container == PG_YES));
	if (allowed == 3)
		pg_mask_set(&m->any[PG_SEL_CONTAINER], bit);
	for (t = 0; t < 2 && allowed != 3; t++)
		if (allowed & (1U << t))
			pg_mask_set(&m->in_container[t], bit);
	for (t = 0; t < PG_EVENT_MAX; t++)
		if (r->events & (1ULL << t))
			pg_mask_set(&m->events[t], bit);
	if (p->mode == PG_MODE_ENFORCE && ix->action == PG_ACTION_KILL)
		pg_mask_set(&m->kill, bit);
	if (p->mode == PG_MODE_ENFORCE && ix->action == PG_ACTION_DENY)
		pg_mask_set(&m->deny, bit);
	if (ix->user)
		pg_mask_set(&m->user, bit);
	if (r->rate.max) {
		pg_mask_set(&m->limited, bit);
		out->rules[bit].rate_max = r->rate.max;
		out->rules[bit].per_process = r->rate.per_process;
		out->rules[bit].rate_interval_ns =
			r->rate.interval_ns ? r->rate.interval_ns : 1000000000ULL;
	}
	return 0;
}

int pg_policy_compile(struct pg_policy *const *pols, size_t n, unsigned gen, bool can_deny,
		      struct pg_compiled *ret, struct pg_diag *diag)
{
	struct pg_compiled *out = calloc(1, sizeof(*out));
	struct ctx c = { .diag = diag, .gen = gen & 1 };
	size_t i, j, bit = 0;
	int err = 0;

	if (!out)
		return -ENOMEM;
	c.paths.gen = c.suffixes.gen = c.gen;
	out->gen = c.gen;
	out->files.gen = c.gen;
	for (i = 0; i < n; i++) {
		for (j = 0; j < pols[i]->n_rules; j++, bit++) {
			if (bit >= PG_POLICY_RULES) {
				diag_add(diag, pols[i]->file, pols[i]->rules[j].pos,
					 "more than %d rules in all the policies loaded",
					 PG_POLICY_RULES);
				err = -E2BIG;
				goto fail;
			}
			err = compile_rule(&c, out, pols[i], &pols[i]->rules[j], bit, can_deny);
			if (err)
				goto fail;
		}
	}
	out->n_rules = bit;
	if (path_table_fold(&c.paths) || path_table_fold(&c.suffixes)) {
		err = -ENOMEM;
		goto fail;
	}
	fold_ids(&c);
	if (pg_policy_files_finish(&out->files)) {
		err = -ENOMEM;
		goto fail;
	}
	out->paths = c.paths.e;
	out->n_paths = c.paths.n;
	out->suffixes = c.suffixes.e;
	out->n_suffixes = c.suffixes.n;
	out->ids = c.ids;
	out->n_ids = c.n_ids;
	free(c.paths.slot);
	free(c.suffixes.slot);
	*ret = *out;
	free(out);
	return 0;
fail:
	free(c.paths.e);
	free(c.paths.slot);
	free(c.suffixes.e);
	free(c.suffixes.slot);
	free(c.ids);
	pg_policy_files_free(&out->files);
	free(out);
	return err;
}

void pg_compiled_free(struct pg_compiled *c)
{
	if (!c)
		return;
	free(c->paths);
	free(c->suffixes);
	free(c->ids);
	pg_policy_files_free(&c->files);
	memset(c, 0, sizeof(*c));
}

static bool str_match(const struct pg_str_set *s, const char *v)
{
	size_t i, n = strlen(v);

	for (i = 0; i < s->n_exact; i++)
		if (!strcmp(s->exact[i], v))
			return true;
	for (i = 0; i < s->n_prefix; i++)
		if (!strncmp(s->prefix[i], v, strlen(s->prefix[i])))
			return true;
	for (i = 0; i < s->n_suffix; i++) {
		size_t m = strlen(s->suffix[i]);

		if (m <= n && !memcmp(v + n - m, s->suffix[i], m))
			return true;
	}
	for (i = 0; i < s->n_contains; i++)
		if (strstr(v, s->contains[i]))
			return true;
	return false;
}

bool pg_policy_user_match(const struct pg_rule *r, const char *container_id, const char *cgroup,
			  const char *arguments)
{
	const struct {
		const struct pg_str_set *pos, *neg;
		const char *v;
	} rows[] = {
		{ &r->match.container_id, &r->not .container_id, container_id ? container_id : "" },
		{ &r->match.cgroup, &r->not .cgroup, cgroup ? cgroup : "" },
		{ &r->match.arguments, &r->not .arguments, arguments ? arguments : "" },
	};
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(rows); i++) {
		if (rows[i].pos->present && !str_match(rows[i].pos, rows[i].v))
			return false;
		if (rows[i].neg->present && str_match(rows[i].neg, rows[i].v))
			return false;
	}
	return true;
}
