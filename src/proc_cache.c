// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proc_cache.h"

struct pg_list {
	struct pg_process *head, *tail;
};

/*
 * Children cached before their parent (seeding walks pids in order, and
 * pids wrap): counted here by parent key until the parent arrives and
 * takes the count over, so it is retained for them like any parent.
 */
struct pg_orphans {
	struct pg_process_key parent;
	uint32_t count;
	struct pg_orphans *next;
};

struct pg_proc_cache {
	struct pg_process **buckets;
	struct pg_orphans **orphans; /* nbuckets chains */
	size_t nbuckets;	     /* power of two */
	size_t norphans;	     /* entries in orphans: most of the time none, and no lookup */
	size_t max;
	uint64_t grace_ns;
	struct pg_list lists[4]; /* by enum pg_proc_list */
	struct pg_proc_cache_stats stats;
};

static uint64_t key_hash(const struct pg_process_key *k)
{
	uint64_t h = k->ktime ^ ((uint64_t)k->pid << 32 | k->pid);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static bool key_eq(const struct pg_process_key *a, const struct pg_process_key *b)
{
	return a->pid == b->pid && a->ktime == b->ktime;
}

struct pg_pstr {
	uint32_t refs;
	char s[];
};

static struct pg_pstr *pstr_of(char *s)
{
	return (struct pg_pstr *)(s - offsetof(struct pg_pstr, s));
}

char *pg_pstr_new(const void *s, size_t n)
{
	struct pg_pstr *p = malloc(sizeof(*p) + n + 1);

	if (!p)
		return NULL;
	p->refs = 1;
	memcpy(p->s, s, n);
	p->s[n] = 0;
	return p->s;
}

char *pg_pstr(const char *s)
{
	return pg_pstr_new(s, strlen(s));
}

char *pg_pstr_ref(char *s)
{
	if (s)
		pstr_of(s)->refs++;
	return s;
}

void pg_pstr_put(char *s)
{
	struct pg_pstr *p;

	if (!s)
		return;
	p = pstr_of(s);
	if (!--p->refs)
		free(p);
}

struct pg_process *pg_process__new(void)
{
	return calloc(1, sizeof(struct pg_process));
}

void pg_process__free(struct pg_process *p)
{
	if (!p)
		return;
	pg_pstr_put(p->binary);
	pg_pstr_put(p->interpreter);
	pg_pstr_put(p->arguments);
	pg_pstr_put(p->cwd);
	pg_pstr_put(p->cgroup);
	free(p->json);
	free(p);
}

struct pg_process *pg_process__clone(const struct pg_process *src)
{
	struct pg_process *p = pg_process__new();

	if (!p)
		return NULL;
	*p = *src;
	pg_pstr_ref(p->binary);
	pg_pstr_ref(p->interpreter);
	pg_pstr_ref(p->arguments);
	pg_pstr_ref(p->cwd);
	pg_pstr_ref(p->cgroup);
	p->json = NULL; /* a clone renders differently: other key, flags */
	p->json_len = 0;
	p->children = 0;
	p->list = PG_PROC_LIST_NONE;
	p->hnext = p->prev = p->next = NULL;
	p->exit_ktime = 0;
	return p;
}

static void list_del(struct pg_proc_cache *c, struct pg_process *p)
{
	struct pg_list *l = &c->lists[p->list];

	if (p->list == PG_PROC_LIST_NONE)
		return;
	if (p->prev)
		p->prev->next = p->next;
	else
		l->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		l->tail = p->prev;
	p->prev = p->next = NULL;
	p->list = PG_PROC_LIST_NONE;
}

static void list_add_tail(struct pg_proc_cache *c, struct pg_process *p, enum pg_proc_list which)
{
	struct pg_list *l = &c->lists[which];

	p->list = which;
	p->next = NULL;
	p->prev = l->tail;
	if (l->tail)
		l->tail->next = p;
	else
		l->head = p;
	l->tail = p;
}

struct pg_proc_cache *pg_proc_cache__new(size_t max_entries, uint64_t grace_ns)
{
	struct pg_proc_cache *c;
	size_t n = 64;

	if (!max_entries) {
		errno = EINVAL;
		return NULL;
	}
	/* twice the buckets of entries: short chains, and misses mostly stop at an empty bucket */
	while (n < 2 * max_entries && n < ((size_t)1 << 30))
		n <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->buckets = calloc(n, sizeof(*c->buckets));
	c->orphans = calloc(n, sizeof(*c->orphans));
	if (!c->buckets || !c->orphans) {
		free(c->buckets);
		free(c->orphans);
		free(c);
		return NULL;
	}
	c->nbuckets = n;
	c->max = max_entries;
	c->grace_ns = grace_ns;
	return c;
}

void pg_proc_cache__free(struct pg_proc_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nbuckets; i++) {
		struct pg_process *p = c->buckets[i], *n;
		struct pg_orphans *o = c->orphans[i], *on;

		for (; p; p = n) {
			n = p->hnext;
			pg_process__free(p);
		}
		for (; o; o = on) {
			on = o->next;
			free(o);
		}
	}
	free(c->buckets);
	free(c->orphans);
	free(c);
}

struct pg_process *pg_proc_cache__peek(struct pg_proc_cache *c, const struct pg_process_key *k)
{
	struct pg_process *p = c->buckets[key_hash(k) & (c->nbuckets - 1)];

	for (; p; p = p->hnext)
		if (key_eq(&p->key, k))
			return p;
	return NULL;
}

struct pg_process *pg_proc_cache__lookup(struct pg_proc_cache *c, const struct pg_process_key *k)
{
	struct pg_process *p = pg_proc_cache__peek(c, k);

	if (!p) {
		c->stats.misses++;
		return NULL;
	}
	c->stats.hits++;
	if (p->list == PG_PROC_LIST_LIVE) {
		list_del(c, p);
		list_add_tail(c, p, PG_PROC_LIST_LIVE);
	}
	return p;
}

static void hash_del(struct pg_proc_cache *c, struct pg_process *p)
{
	struct pg_process **pp = &c->buckets[key_hash(&p->key) & (c->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == p) {
			*pp = p->hnext;
			p->hnext = NULL;
			return;
		}
	}
}

static struct pg_orphans **orphans_find(struct pg_proc_cache *c, const struct pg_process_key *k)
{
	struct pg_orphans **pp = &c->orphans[key_hash(k) & (c->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->next)
		if (key_eq(&(*pp)->parent, k))
			break;
	return pp;
}

/* Best effort: without memory, the parent may just expire early. */
static void orphans_add(struct pg_proc_cache *c, const struct pg_process_key *parent)
{
	struct pg_orphans **pp = orphans_find(c, parent);

	if (!*pp) {
		*pp = calloc(1, sizeof(**pp));
		if (!*pp)
			return;
		(*pp)->parent = *parent;
		c->norphans++;
	}
	(*pp)->count++;
}

/* Remove one (or, with @all, every) child counted for @parent. */
static uint32_t orphans_take(struct pg_proc_cache *c, const struct pg_process_key *parent, bool all)
{
	struct pg_orphans **pp, *o;
	uint32_t n;

	if (!c->norphans)
		return 0;
	pp = orphans_find(c, parent);
	o = *pp;
	if (!o)
		return 0;
	n = all ? o->count : 1;
	o->count -= n;
	if (!o->count) {
		*pp = o->next;
		free(o);
		c->norphans--;
	}
	return n;
}

/* A retained parent whose last cached child went can now expire. */
static void parent_release(struct pg_proc_cache *c, const struct pg_process *child)
{
	struct pg_process *parent = pg_proc_cache__peek(c, &child->parent_key);

	if (!parent) {
		orphans_take(c, &child->parent_key, false);
		return;
	}
	if (parent == child || !parent->children)
		return;
	parent->children--;
	if (!parent->children && parent->list == PG_PROC_LIST_RETAINED) {
		list_del(c, parent);
		list_add_tail(c, parent, PG_PROC_LIST_EXITED);
	}
}

static void cache_remove(struct pg_proc_cache *c, struct pg_process *p)
{
	hash_del(c, p);
	list_del(c, p);
	parent_release(c, p);
	c->stats.size--;
	pg_process__free(p);
}

static void evict_one(struct pg_proc_cache *c)
{
	static const enum pg_proc_list order[] = { PG_PROC_LIST_EXITED, PG_PROC_LIST_RETAINED,
						   PG_PROC_LIST_LIVE };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct pg_process *victim = c->lists[order[i]].head;

		if (victim) {
			cache_remove(c, victim);
			c->stats.evictions++;
			return;
		}
	}
}

void pg_proc_cache__insert(struct pg_proc_cache *c, struct pg_process *p)
{
	struct pg_process *old = pg_proc_cache__peek(c, &p->key), *parent;
	size_t b;

	p->children = 0;
	if (old) {
		/* a seed racing with the exec it also saw: the newer wins */
		p->children = old->children;
		old->children = 0;
		cache_remove(c, old);
	}
	p->children += orphans_take(c, &p->key, true);
	while (c->stats.size >= c->max)
		evict_one(c);
	b = key_hash(&p->key) & (c->nbuckets - 1);
	p->hnext = c->buckets[b];
	c->buckets[b] = p;
	list_add_tail(c, p, p->exit_ktime ? PG_PROC_LIST_EXITED : PG_PROC_LIST_LIVE);
	c->stats.size++;
	parent = pg_proc_cache__peek(c, &p->parent_key);
	if (!parent)
		orphans_add(c, &p->parent_key);
	else if (parent != p)
		parent->children++;
}

void pg_proc_cache__remove(struct pg_proc_cache *c, struct pg_process *p)
{
	cache_remove(c, p);
}

void pg_proc_cache__mark_exited(struct pg_proc_cache *c, struct pg_process *p, uint64_t now_ns)
{
	p->exit_ktime = now_ns;
	free(p->json);
	p->json = NULL;
	p->json_len = 0;
	list_del(c, p);
	list_add_tail(c, p, PG_PROC_LIST_EXITED);
}

void pg_proc_cache__expire(struct pg_proc_cache *c, uint64_t now_ns)
{
	struct pg_process *p;

	while ((p = c->lists[PG_PROC_LIST_EXITED].head)) {
		if (p->exit_ktime + c->grace_ns > now_ns)
			break;
		if (p->children) {
			list_del(c, p);
			list_add_tail(c, p, PG_PROC_LIST_RETAINED);
			continue;
		}
		cache_remove(c, p);
		c->stats.expired++;
	}
}

void pg_proc_cache__stats(const struct pg_proc_cache *c, struct pg_proc_cache_stats *s)
{
	*s = c->stats;
}
