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

/*
 * The open addressing index both kinds of table keep over their entries:
 * slot[h] is an entry's index + 1 (0: empty), nslots a power of two.
 * Entry @i, of hash @hash, goes in the first free slot from its own.
 */
static void slot_put(size_t *slot, size_t nslots, uint64_t hash, size_t i)
{
	size_t h = hash & (nslots - 1);

	while (slot[h])
		h = (h + 1) & (nslots - 1);
	slot[h] = i + 1;
}

/* The index *@slot rebuilt with @ns slots for @n entries: entry i's hash is @hash(@t, i). */
static int slot_rebuild(size_t **slot, size_t *nslots, size_t ns, size_t n,
			uint64_t (*hash)(const void *t, size_t i), const void *t)
{
	size_t *s = calloc(ns, sizeof(*s)), i;

	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		slot_put(s, ns, hash(t, i), i);
	free(*slot);
	*slot = s;
	*nslots = ns;
	return 0;
}

static uint64_t path_hash(const void *table, size_t i)
{
	const struct pg_policy_path_key *k = &((const struct path_table *)table)->e[i].key;

	return hash_bytes(k->data, key_len(k));
}

static int path_table_grow(struct path_table *t)
{
	return slot_rebuild(&t->slot, &t->nslots, t->nslots ? t->nslots * 2 : 1024, t->n, path_hash,
			    t);
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
	slot_put(t->slot, t->nslots, hash_bytes(data, len), t->n++);
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

/*
 * The id trie (uid, euid, auid, port) and the address trie: keys of
 * prefixlen, gen, a kind (or family) byte and a big-endian value of
 * dlen bytes, each entry with a struct pg_id_masks. Deduplicated through
 * an open addressing index over the whole key, which is zeroed before it
 * is filled (padding included), so equal keys are equal bytes.
 */
#define LPM_KEY_MAX sizeof(struct pg_policy_addr_key)
#define LPM_KINDS 8 /* kind bytes: enum pg_id_kind, PG_NET_V4, PG_NET_V6 */
#define LPM_DATA 6  /* offset of the value in the key */

_Static_assert(offsetof(struct pg_policy_id_key, kind) == LPM_DATA - 1, "id key layout");
_Static_assert(offsetof(struct pg_policy_id_key, be) == LPM_DATA, "id key layout");
_Static_assert(offsetof(struct pg_policy_addr_key, family) == LPM_DATA - 1, "addr key layout");
_Static_assert(offsetof(struct pg_policy_addr_key, addr) == LPM_DATA, "addr key layout");
_Static_assert(offsetof(struct pg_id_entry, key) == 0, "id entry layout");
_Static_assert(offsetof(struct pg_addr_entry, key) == 0, "addr entry layout");
_Static_assert(PG_ID_KINDS <= LPM_KINDS && PG_NET_V6 < LPM_KINDS, "kinds fit lens[]");

struct lpm_table {
	char *e;
	size_t n, cap;
	size_t esize, ksize, voff; /* entry and key sizes, offset of the masks in an entry */
	size_t dlen;		   /* bytes of the value: 4 (ids) or 16 (addresses) */
	size_t *slot;		   /* index + 1; 0: empty */
	size_t nslots;
	unsigned gen;
	uint64_t lens[LPM_KINDS][3]; /* per kind, the prefix lengths (value bits) in use */
};

static void lpm_init(struct lpm_table *t, size_t esize, size_t ksize, size_t voff, size_t dlen,
		     unsigned gen)
{
	memset(t, 0, sizeof(*t));
	t->esize = esize;
	t->ksize = ksize;
	t->voff = voff;
	t->dlen = dlen;
	t->gen = gen;
}

static uint32_t lpm_prefixlen(const void *key)
{
	uint32_t v;

	memcpy(&v, key, sizeof(v));
	return v;
}

static struct pg_id_masks *lpm_masks(const struct lpm_table *t, void *entry)
{
	return (struct pg_id_masks *)((char *)entry + t->voff);
}

static uint64_t lpm_hash(const void *table, size_t i)
{
	const struct lpm_table *t = table;

	return hash_bytes(t->e + i * t->esize, t->ksize);
}

static int lpm_reindex(struct lpm_table *t, size_t ns)
{
	return slot_rebuild(&t->slot, &t->nslots, ns, t->n, lpm_hash, t);
}

static void *lpm_find(const struct lpm_table *t, const void *key)
{
	size_t h;

	if (!t->nslots)
		return NULL;
	h = hash_bytes(key, t->ksize) & (t->nslots - 1);
	while (t->slot[h]) {
		char *e = t->e + (t->slot[h] - 1) * t->esize;

		if (!memcmp(e, key, t->ksize))
			return e;
		h = (h + 1) & (t->nslots - 1);
	}
	return NULL;
}

/* Zero the bits of @a (@n bytes) past the first @bits. */
static void mask_bits(uint8_t *a, size_t n, unsigned bits)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (bits < 8 * (i + 1))
			a[i] &= bits > 8 * i ? (uint8_t)(0xff00 >> (bits - 8 * i)) : 0;
}

/* The key of the first @bits bits of @data (t->dlen bytes) of kind @kind, into @key. */
static void lpm_key(const struct lpm_table *t, unsigned kind, const uint8_t *data, unsigned bits,
		    uint8_t *key)
{
	uint32_t prefixlen = 16 + bits;

	memset(key, 0, t->ksize);
	memcpy(key, &prefixlen, sizeof(prefixlen));
	key[LPM_DATA - 2] = (uint8_t)t->gen;
	key[LPM_DATA - 1] = (uint8_t)kind;
	memcpy(key + LPM_DATA, data, t->dlen);
	mask_bits(key + LPM_DATA, t->dlen, bits);
}

/* The entry for the first @bits bits of @data, created (masks empty) if new. */
static struct pg_id_masks *lpm_get(struct lpm_table *t, unsigned kind, const uint8_t *data,
				   unsigned bits)
{
	uint8_t key[LPM_KEY_MAX];
	char *e;

	if (kind >= LPM_KINDS || bits > 8 * t->dlen)
		return NULL;
	lpm_key(t, kind, data, bits, key);
	e = lpm_find(t, key);
	if (e)
		return lpm_masks(t, e);
	if ((t->n + 1) * 2 > t->nslots && lpm_reindex(t, t->nslots ? t->nslots * 2 : 256))
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char *ne = realloc(t->e, cap * t->esize);

		if (!ne)
			return NULL;
		t->e = ne;
		t->cap = cap;
	}
	e = t->e + t->n * t->esize;
	memset(e, 0, t->esize);
	memcpy(e, key, t->ksize);
	slot_put(t->slot, t->nslots, hash_bytes(key, t->ksize), t->n++);
	t->lens[kind][bits / 64] |= 1ULL << (bits % 64);
	return lpm_masks(t, e);
}

static int cmp_prefixlen(const void *a, const void *b)
{
	uint32_t x = lpm_prefixlen(a), y = lpm_prefixlen(b);

	return x < y ? -1 : x > y;
}

/*
 * The LPM rule again: fold into every entry the masks of the shorter
 * entries of its kind that contain it. Shortest first, so the nearest
 * containing entry is folded already and carries the rest: per entry,
 * one hash lookup per shorter prefix length in use, at most 32 (ids) or
 * 128 (IPv6), whatever the number of entries.
 */
static int lpm_fold(struct lpm_table *t)
{
	uint8_t key[LPM_KEY_MAX];
	size_t i;

	if (!t->n)
		return 0;
	qsort(t->e, t->n, t->esize, cmp_prefixlen);
	if (lpm_reindex(t, t->nslots)) /* the sort moved entries */
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		char *e = t->e + i * t->esize;
		unsigned kind = (uint8_t)e[LPM_DATA - 1], bits = lpm_prefixlen(e) - 16, b;

		for (b = bits; b-- > 0;) {
			char *a;

			if (!(t->lens[kind][b / 64] & (1ULL << (b % 64))))
				continue;
			lpm_key(t, kind, (const uint8_t *)e + LPM_DATA, b, key);
			a = lpm_find(t, key);
			if (a) {
				pg_mask_or(&lpm_masks(t, e)->pos, &lpm_masks(t, a)->pos);
				pg_mask_or(&lpm_masks(t, e)->neg, &lpm_masks(t, a)->neg);
				break;
			}
		}
	}
	return 0;
}

static void lpm_free(struct lpm_table *t)
{
	free(t->e);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

struct ctx {
	struct path_table paths, suffixes;
	struct lpm_table ids, addrs;
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

/* A range as the fewest aligned prefixes of the 32-bit value. */
static int add_ids(struct ctx *c, const struct pg_uint_set *set, unsigned kind, bool neg,
		   unsigned bit)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		uint64_t lo = set->ranges[i].lo, hi = set->ranges[i].hi;

		while (lo <= hi) {
			const uint8_t be[4] = { lo >> 24, lo >> 16, lo >> 8, lo };
			struct pg_id_masks *m;
			unsigned k = 0;

			/* the largest aligned block starting at lo that fits */
			while (k < 32 && !(lo & (1ULL << k)) && lo + (2ULL << k) - 1 <= hi)
				k++;
			m = lpm_get(&c->ids, kind, be, 32 - k);
			if (!m)
				return -ENOMEM;
			pg_mask_set(neg ? &m->neg : &m->pos, bit);
			lo += 1ULL << k;
		}
	}
	return 0;
}

/* `address:` blocks, as parsed: masked already, IPv4-mapped ones made IPv4. */
static int add_addrs(struct ctx *c, const struct pg_cidr_set *set, bool neg, unsigned bit)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct pg_cidr *a = &set->v[i];
		struct pg_id_masks *m;

		if (a->family != PG_NET_V4 && a->family != PG_NET_V6)
			return -EINVAL;
		if (a->prefix > (a->family == PG_NET_V4 ? 32 : 128))
			return -EINVAL;
		m = lpm_get(&c->addrs, a->family, a->addr, a->prefix);
		if (!m)
			return -ENOMEM;
		pg_mask_set(neg ? &m->neg : &m->pos, bit);
	}
	return 0;
}

/* Which of two values (e.g. TCP 0, UDP 1) a selector pair accepts: bit 0 and bit 1. */
/* Whether the exact values of @set hold @v; @absent when the selector is not written. */
static bool str_set_has(const struct pg_str_set *set, const char *v, bool absent)
{
	size_t i;

	if (!set->present)
		return absent;
	for (i = 0; i < set->n_exact; i++)
		if (!strcmp(set->exact[i], v))
			return true;
	return false;
}

static unsigned two_way(const struct pg_str_set *match, const struct pg_str_set *except,
			const char *one)
{
	unsigned allowed = 3;
	size_t i;

	if (match->present) {
		allowed = 0;
		for (i = 0; i < match->n_exact; i++)
			allowed |= 1U << !strcmp(match->exact[i], one);
	}
	for (i = 0; i < except->n_exact; i++)
		allowed &= ~(1U << !strcmp(except->exact[i], one));
	return allowed;
}

static bool has_user_selectors(const struct pg_selectors *s)
{
	return s->container_id.present || s->cgroup.present || s->arguments.present ||
	       s->dns_name.present || s->stdio_socket != PG_ANY || s->fileless != PG_ANY;
}

#define DENY_NET ((1ULL << PG_EVENT_NET_CONNECT) | (1ULL << PG_EVENT_NET_UDP))

uint64_t pg_policy_deny_events(const char *exec_enforce, const char *file, const char *network,
			       const char *host)
{
	uint64_t m = 0;

	if (exec_enforce)
		m |= 1ULL << PG_EVENT_PROCESS_EXEC;
	/* the tracepoint and fentry backends see a call too late, or cannot refuse it */
	if (file && !strcmp(file, "lsm"))
		m |= PG_POLICY_FILE_EVENTS;
	/* cgroup/connect* and sendmsg* refuse before the kernel acts, as the LSM hooks do */
	if (network && (!strcmp(network, "cgroup") || !strcmp(network, "lsm")))
		m |= DENY_NET;
	/* the set*id, setgroups and capset hooks; commit_creds() alone cannot refuse */
	if (host && !strcmp(host, "lsm"))
		m |= 1ULL << PG_EVENT_CREDS_CHANGE;
	return m;
}

/* Whether every host_change @r selects is a sysctl write (`kind: [sysctl]`). */
static bool sysctl_only(const struct pg_rule *r)
{
	size_t i;

	if (!r->match.kind.n_exact)
		return false;
	for (i = 0; i < r->match.kind.n_exact; i++)
		if (strcmp(r->match.kind.exact[i], "sysctl"))
			return false;
	return true;
}

/* The events of rule @r that cannot be denied under @deny_events. */
static uint64_t undeniable(const struct pg_rule *r, uint64_t deny_events)
{
	uint64_t events = r->events & ~deny_events;

	if ((deny_events & PG_POLICY_DENY_SYSCTL) && sysctl_only(r))
		events &= ~(1ULL << PG_EVENT_HOST_CHANGE);
	return events;
}

/*
 * "process_fork, network_accept (why)": the events of @events nothing
 * denies here (under @deny_events), and why.
 */
static void cannot_deny(uint64_t events, uint64_t deny_events, char *buf, size_t size)
{
	const char *why[6] = { NULL }, *sep = "";
	size_t off = 0, n = 0, i;
	int t;

	buf[0] = '\0';
	for (t = 0; t < PG_EVENT_MAX && off < size; t++)
		if (events & (1ULL << t)) {
			off += snprintf(buf + off, size - off, "%s%s", sep,
					pg_policy_event_name(t) ?: "?");
			sep = ", ";
		}
	/* the file sensor's lsm backend runs, but without path_chown (before 6.1) */
	if ((events & (1ULL << PG_EVENT_FILE_CHOWN)) && (deny_events & PG_POLICY_FILE_EVENTS)) {
		why[n++] = "file_chown's LSM hook takes structs by value, which kernels before 6.1 "
			   "cannot attach to";
		events &= ~(1ULL << PG_EVENT_FILE_CHOWN);
	}
	if (events & ((1ULL << PG_EVENT_PROCESS_EXEC) | PG_POLICY_FILE_EVENTS))
		why[n++] = "no BPF LSM: add bpf to lsm= on the kernel command line";
	if (events & DENY_NET)
		why[n++] = "the network sensor runs neither its cgroup nor its lsm backend";
	if (events & (1ULL << PG_EVENT_CREDS_CHANGE))
		why[n++] = "the host sensor does not run its lsm backend (BPF LSM), or this kernel "
			   "has no LSM hook for setgroups (6.1 and later do)";
	if (events & ~(DENY_NET | (1ULL << PG_EVENT_PROCESS_EXEC) | PG_POLICY_FILE_EVENTS |
		       (1ULL << PG_EVENT_CREDS_CHANGE)))
		why[n++] = "only process_exec, file events, network_connect, network_udp, "
			   "credentials_change and host_change of kind sysctl alone (where their "
			   "hooks run) can be denied";
	for (i = 0; i < n && off < size; i++)
		off += snprintf(buf + off, size - off, "%s%s", i ? "; " : " (", why[i]);
	if (n && off < size)
		snprintf(buf + off, size - off, ")");
}

static int compile_rule(struct ctx *c, struct pg_compiled *out, const struct pg_policy *p,
			const struct pg_rule *r, unsigned bit, uint64_t deny_events)
{
	struct pg_policy_masks *m = &out->masks;
	const struct pg_str_set *bins[PG_BIN_KINDS][2] = {
		{ &r->match.binary, &r->not .binary },
		{ &r->match.parent_binary, &r->not .parent_binary },
		{ &r->match.ancestor_binary, &r->not .ancestor_binary },
	};
	/* by enum pg_id_kind: ports (network) share the id trie */
	const struct pg_uint_set *ids[PG_ID_KINDS][2] = {
		{ &r->match.uid, &r->not .uid },
		{ &r->match.euid, &r->not .euid },
		{ &r->match.auid, &r->not .auid },
		{ &r->match.port, &r->not .port },
	};
	static const struct {
		int sel;       /* enum pg_sel_kind */
		unsigned uses; /* PG_USES_* */
	} id_kinds[PG_ID_KINDS] = {
		[PG_ID_UID] = { PG_SEL_UID, PG_USES_IDS },
		[PG_ID_EUID] = { PG_SEL_EUID, PG_USES_IDS },
		[PG_ID_AUID] = { PG_SEL_AUID, PG_USES_IDS },
		[PG_ID_PORT] = { PG_SEL_PORT, PG_USES_NET_PORTS },
	};
	char why[384];
	struct pg_compiled_rule *ix = &out->index[bit];
	unsigned allowed;
	int k, t, err;

	ix->policy = p;
	ix->rule = r;
	ix->action = r->action;
	ix->user = has_user_selectors(&r->match) || has_user_selectors(&r->not );
	if (r->action == PG_ACTION_DENY && p->mode == PG_MODE_ENFORCE && ix->user) {
		/* the operation waits for the kernel's answer, never for the agent's */
		diag_add(c->diag, p->file, r->pos,
			 "rule '%s' denies, but container_id, cgroup, arguments, dns_name, "
			 "stdio_socket and fileless are decided in user space, after the event: "
			 "use action: kill, or kernel selectors only",
			 r->name);
		return -EINVAL;
	}
	/*
	 * One action per rule: where one of its events cannot be denied, the
	 * whole rule kills (a rule of its own keeps deny for the others).
	 */
	if (r->action == PG_ACTION_DENY && p->mode == PG_MODE_ENFORCE &&
	    undeniable(r, deny_events)) {
		if (r->fallback != PG_ACTION_KILL) {
			cannot_deny(undeniable(r, deny_events), deny_events, why, sizeof(why));
			diag_add(c->diag, p->file, r->pos,
				 "rule '%s' asks to deny, but this kernel cannot deny %s; add "
				 "`fallback: kill` or use mode: monitor",
				 r->name, why);
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
			pg_mask_set(&m->any[id_kinds[k].sel], bit);
		for (t = 0; t < 2; t++) {
			if (!ids[k][t]->present)
				continue;
			m->uses |= id_kinds[k].uses;
			err = add_ids(c, ids[k][t], k, t, bit);
			if (err)
				return err;
		}
	}
	/* addresses, in a trie of their own (a set not written is empty) */
	if (!r->match.address.present)
		pg_mask_set(&m->any[PG_SEL_ADDRESS], bit);
	if (r->match.address.present || r->not .address.present)
		m->uses |= PG_USES_NET_ADDRS;
	err = add_addrs(c, &r->match.address, false, bit);
	if (!err)
		err = add_addrs(c, &r->not .address, true, bit);
	if (err)
		return err;
	/* which of TCP (0) and UDP (1) the rule accepts */
	allowed = two_way(&r->match.protocol, &r->not .protocol, "udp");
	for (t = 0; t < 2; t++)
		if (allowed & (1U << t))
			pg_mask_set(&m->protocol[t], bit);
	/* which of outbound (0) and inbound (1): who opened the connection */
	allowed = two_way(&r->match.direction, &r->not .direction, "inbound");
	for (t = 0; t < 2; t++)
		if (allowed & (1U << t))
			pg_mask_set(&m->direction[t], bit);
	/* which of host_change's kinds the rule accepts (every one, without `kind:`) */
	for (t = 1; t < PG_HOST_KINDS; t++)
		if (str_set_has(&r->match.kind, pg_policy_host_kind_name(t), true) &&
		    !str_set_has(&r->not .kind, pg_policy_host_kind_name(t), false))
			pg_mask_set(&m->host_kind[t], bit);
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
	allowed = two_way(&r->match.access, &r->not .access, "write");
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

int pg_policy_compile(struct pg_policy *const *pols, size_t n, unsigned gen, uint64_t deny_events,
		      struct pg_compiled *ret, struct pg_diag *diag)
{
	struct pg_compiled *out = calloc(1, sizeof(*out));
	struct ctx c = { .diag = diag, .gen = gen & 1 };
	size_t i, j, bit = 0;
	int err = 0;

	if (!out)
		return -ENOMEM;
	c.paths.gen = c.suffixes.gen = c.gen;
	lpm_init(&c.ids, sizeof(struct pg_id_entry), sizeof(struct pg_policy_id_key),
		 offsetof(struct pg_id_entry, val), sizeof(((struct pg_policy_id_key *)0)->be),
		 c.gen);
	lpm_init(&c.addrs, sizeof(struct pg_addr_entry), sizeof(struct pg_policy_addr_key),
		 offsetof(struct pg_addr_entry, val),
		 sizeof(((struct pg_policy_addr_key *)0)->addr), c.gen);
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
			err = compile_rule(&c, out, pols[i], &pols[i]->rules[j], bit, deny_events);
			if (err)
				goto fail;
		}
	}
	out->n_rules = bit;
	if (path_table_fold(&c.paths) || path_table_fold(&c.suffixes)) {
		err = -ENOMEM;
		goto fail;
	}
	if (lpm_fold(&c.ids) || lpm_fold(&c.addrs) || pg_policy_files_finish(&out->files)) {
		err = -ENOMEM;
		goto fail;
	}
	out->paths = c.paths.e;
	out->n_paths = c.paths.n;
	out->suffixes = c.suffixes.e;
	out->n_suffixes = c.suffixes.n;
	out->ids = (struct pg_id_entry *)c.ids.e;
	out->n_ids = c.ids.n;
	out->addrs = (struct pg_addr_entry *)c.addrs.e;
	out->n_addrs = c.addrs.n;
	free(c.paths.slot);
	free(c.suffixes.slot);
	free(c.ids.slot);
	free(c.addrs.slot);
	*ret = *out;
	free(out);
	return 0;
fail:
	free(c.paths.e);
	free(c.paths.slot);
	free(c.suffixes.e);
	free(c.suffixes.slot);
	lpm_free(&c.ids);
	lpm_free(&c.addrs);
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
	free(c->addrs);
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

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

bool pg_policy_user_match(const struct pg_rule *r, const struct pg_user_fields *f)
{
	const struct {
		const struct pg_str_set *pos, *neg;
		const char *v;
	} rows[] = {
		{ &r->match.container_id, &r->not .container_id, or_empty(f->container_id) },
		{ &r->match.cgroup, &r->not .cgroup, or_empty(f->cgroup) },
		{ &r->match.arguments, &r->not .arguments, or_empty(f->arguments) },
		{ &r->match.dns_name, &r->not .dns_name, or_empty(f->dns_name) },
	};
	/* the flags: PG_ANY, or the value the process must (match) or must not (not) have */
	const struct {
		enum pg_tristate pos, neg;
		bool v;
	} flags[] = {
		{ r->match.stdio_socket, r->not .stdio_socket, f->stdio_socket },
		{ r->match.fileless, r->not .fileless, f->fileless },
	};
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(rows); i++) {
		if (rows[i].pos->present && !str_match(rows[i].pos, rows[i].v))
			return false;
		if (rows[i].neg->present && str_match(rows[i].neg, rows[i].v))
			return false;
	}
	for (i = 0; i < PG_ARRAY_SIZE(flags); i++) {
		if (flags[i].pos != PG_ANY && (flags[i].pos == PG_YES) != flags[i].v)
			return false;
		if (flags[i].neg != PG_ANY && (flags[i].neg == PG_YES) == flags[i].v)
			return false;
	}
	return true;
}
