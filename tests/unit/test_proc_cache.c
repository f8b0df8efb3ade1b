// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/proc_cache.c. The cache is the one structure in the
 * agent whose size the monitored system controls (a fork bomb fills it),
 * so the bound, the eviction order and the grace period for exited
 * processes are tested as the header states them. Run under ASan, the
 * replace/evict/expire paths also prove that nothing is leaked or freed
 * twice.
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

#include "proc_cache.h"

#define GRACE 1000 /* ns; the tests drive the clock themselves */

static struct pg_process_key key(uint32_t pid, uint64_t ktime)
{
	struct pg_process_key k = { .pid = pid, .ktime = ktime };

	return k;
}

/* A process as the agent builds one: its own strings, never NULL. */
static struct pg_process *proc(uint32_t pid, uint64_t ktime, uint32_t ppid, uint64_t pktime)
{
	struct pg_process *p = pg_process__new();
	char name[32];

	assert_non_null(p);
	p->key = key(pid, ktime);
	p->parent_key = key(ppid, pktime);
	p->ppid = ppid;
	snprintf(name, sizeof(name), "/bin/p%u", pid);
	p->binary = pg_pstr(name);
	p->arguments = pg_pstr("-x");
	p->cwd = pg_pstr("/");
	p->cgroup = pg_pstr("/user.slice");
	assert_non_null(p->binary);
	assert_non_null(p->arguments);
	assert_non_null(p->cwd);
	assert_non_null(p->cgroup);
	return p;
}

/* Processes 1..n, each ktime 100*pid, all children of pid 0 (not cached). */
static void fill(struct pg_proc_cache *c, uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = first; i < first + n; i++)
		pg_proc_cache__insert(c, proc(i, 100 * i, 0, 0));
}

static struct pg_process *peek(struct pg_proc_cache *c, uint32_t pid)
{
	struct pg_process_key k = key(pid, 100 * pid);

	return pg_proc_cache__peek(c, &k);
}

static struct pg_process *lookup(struct pg_proc_cache *c, uint32_t pid)
{
	struct pg_process_key k = key(pid, 100 * pid);

	return pg_proc_cache__lookup(c, &k);
}

static struct pg_proc_cache_stats stats(const struct pg_proc_cache *c)
{
	struct pg_proc_cache_stats s;

	memset(&s, 0xa5, sizeof(s));
	pg_proc_cache__stats(c, &s);
	return s;
}

static void test_proc_cache_new_rejects_zero_entries(void **state)
{
	(void)state;
	errno = 0;
	assert_null(pg_proc_cache__new(0, GRACE));
	assert_int_equal(errno, EINVAL);
	/* destructors accept NULL */
	pg_proc_cache__free(NULL);
	pg_process__free(NULL);
}

static void test_proc_cache_empty_stats(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(16, GRACE);
	struct pg_proc_cache_stats s;

	(void)state;
	assert_non_null(c);
	s = stats(c);
	assert_int_equal(s.size, 0);
	assert_int_equal(s.hits, 0);
	assert_int_equal(s.misses, 0);
	assert_int_equal(s.evictions, 0);
	assert_int_equal(s.expired, 0);
	pg_proc_cache__free(c);
}

static void test_proc_cache_insert_lookup_peek(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(16, GRACE);
	struct pg_process *p = proc(42, 4200, 1, 100), *got;
	struct pg_process_key same_pid_other_time = key(42, 4201);
	struct pg_proc_cache_stats s;

	(void)state;
	pg_proc_cache__insert(c, p);
	got = lookup(c, 42);
	assert_ptr_equal(got, p);
	assert_string_equal(got->binary, "/bin/p42");
	/* a key is pid and ktime: a reused pid is another process */
	assert_null(pg_proc_cache__lookup(c, &same_pid_other_time));
	assert_null(lookup(c, 43));
	s = stats(c);
	assert_int_equal(s.size, 1);
	assert_int_equal(s.hits, 1);
	assert_int_equal(s.misses, 2);

	/* peek counts nothing */
	assert_ptr_equal(peek(c, 42), p);
	assert_null(peek(c, 43));
	s = stats(c);
	assert_int_equal(s.hits, 1);
	assert_int_equal(s.misses, 2);
	pg_proc_cache__free(c);
}

static void test_proc_cache_many_entries(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(5000, GRACE);
	uint32_t i;

	(void)state;
	/* more entries than the initial bucket count: chains must hold */
	fill(c, 1, 5000);
	assert_int_equal(stats(c).size, 5000);
	for (i = 1; i <= 5000; i++) {
		struct pg_process *p = peek(c, i);

		assert_non_null(p);
		assert_int_equal(p->key.pid, i);
	}
	assert_int_equal(stats(c).evictions, 0);
	pg_proc_cache__free(c);
}

static void test_proc_cache_replace_same_key(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(16, GRACE);
	struct pg_process *a = proc(7, 700, 1, 100), *b = proc(7, 700, 1, 100);

	(void)state;
	pg_pstr_put(b->binary);
	b->binary = pg_pstr("/bin/newer");
	pg_proc_cache__insert(c, a);
	/* a seed and an exec racing for the same process: the newer wins */
	pg_proc_cache__insert(c, b);
	assert_ptr_equal(peek(c, 7), b);
	assert_string_equal(peek(c, 7)->binary, "/bin/newer");
	assert_int_equal(stats(c).size, 1);
	assert_int_equal(stats(c).evictions, 0);
	/* the old entry was freed: LeakSanitizer checks that under ASan */
	pg_proc_cache__free(c);
}

static void test_proc_cache_bound_evicts(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(8, GRACE);
	struct pg_proc_cache_stats s;
	uint32_t i;

	(void)state;
	fill(c, 1, 8 + 5);
	s = stats(c);
	assert_int_equal(s.size, 8);
	assert_int_equal(s.evictions, 5);
	/* the oldest five went */
	for (i = 1; i <= 5; i++)
		assert_null(peek(c, i));
	for (i = 6; i <= 13; i++)
		assert_non_null(peek(c, i));
	pg_proc_cache__free(c);
}

static void test_proc_cache_bound_of_one(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(1, GRACE);

	(void)state;
	fill(c, 1, 3);
	assert_int_equal(stats(c).size, 1);
	assert_int_equal(stats(c).evictions, 2);
	assert_non_null(peek(c, 3));
	pg_proc_cache__free(c);
}

static void test_proc_cache_evicts_exited_before_live(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(4, GRACE);

	(void)state;
	fill(c, 1, 4);
	/* 3 exited most recently of all, 1 is the least recently used */
	pg_proc_cache__mark_exited(c, peek(c, 3), 500);
	fill(c, 5, 1);
	assert_null(peek(c, 3));
	assert_non_null(peek(c, 1));
	assert_non_null(peek(c, 2));
	assert_non_null(peek(c, 4));
	assert_non_null(peek(c, 5));
	assert_int_equal(stats(c).evictions, 1);
	pg_proc_cache__free(c);
}

static void test_proc_cache_evicts_oldest_exited_first(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(4, GRACE);

	(void)state;
	fill(c, 1, 4);
	pg_proc_cache__mark_exited(c, peek(c, 4), 500);
	pg_proc_cache__mark_exited(c, peek(c, 2), 600);
	fill(c, 5, 1);
	assert_null(peek(c, 4));
	assert_non_null(peek(c, 2));
	fill(c, 6, 1);
	assert_null(peek(c, 2));
	/* no exited entry left: back to the least recently used live one */
	fill(c, 7, 1);
	assert_null(peek(c, 1));
	assert_non_null(peek(c, 3));
	assert_int_equal(stats(c).evictions, 3);
	assert_int_equal(stats(c).size, 4);
	pg_proc_cache__free(c);
}

static void test_proc_cache_lookup_refreshes_lru(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(4, GRACE);

	(void)state;
	fill(c, 1, 4);
	assert_non_null(lookup(c, 1));
	assert_non_null(lookup(c, 2));
	fill(c, 5, 1);
	/* 3 is now the least recently used */
	assert_null(peek(c, 3));
	assert_non_null(peek(c, 1));
	fill(c, 6, 1);
	assert_null(peek(c, 4));
	fill(c, 7, 1);
	assert_null(peek(c, 1));
	assert_non_null(peek(c, 2));
	pg_proc_cache__free(c);
}

static void test_proc_cache_peek_does_not_refresh(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(4, GRACE);

	(void)state;
	fill(c, 1, 4);
	assert_non_null(peek(c, 1));
	fill(c, 5, 1);
	assert_null(peek(c, 1));
	pg_proc_cache__free(c);
}

static void test_proc_cache_expire_after_grace(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(16, GRACE);
	struct pg_proc_cache_stats s;

	(void)state;
	fill(c, 1, 3);
	pg_proc_cache__mark_exited(c, peek(c, 2), 5000);
	assert_int_equal(peek(c, 2)->exit_ktime, 5000);
	/* late events of the exited process still find it */
	pg_proc_cache__expire(c, 5000 + GRACE - 1);
	assert_non_null(lookup(c, 2));
	assert_int_equal(stats(c).expired, 0);

	pg_proc_cache__expire(c, 5000 + GRACE + 1);
	assert_null(peek(c, 2));
	s = stats(c);
	assert_int_equal(s.expired, 1);
	assert_int_equal(s.size, 2);
	assert_int_equal(s.evictions, 0);
	/* live ones never expire */
	pg_proc_cache__expire(c, UINT64_MAX / 2);
	assert_non_null(peek(c, 1));
	assert_non_null(peek(c, 3));
	assert_int_equal(stats(c).expired, 1);
	pg_proc_cache__free(c);
}

static void test_proc_cache_expire_in_exit_order(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(16, GRACE);

	(void)state;
	fill(c, 1, 3);
	pg_proc_cache__mark_exited(c, peek(c, 3), 1000);
	pg_proc_cache__mark_exited(c, peek(c, 1), 2000);
	pg_proc_cache__expire(c, 1000 + GRACE + 1);
	assert_null(peek(c, 3));
	assert_non_null(peek(c, 1));
	pg_proc_cache__expire(c, 2000 + GRACE + 1);
	assert_null(peek(c, 1));
	assert_non_null(peek(c, 2));
	assert_int_equal(stats(c).expired, 2);
	pg_proc_cache__free(c);
}

static void test_proc_cache_exited_parent_retained_for_child(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(16, GRACE);
	struct pg_process *parent = proc(10, 1000, 1, 1), *child = proc(11, 1100, 10, 1000);

	(void)state;
	pg_proc_cache__insert(c, parent);
	pg_proc_cache__insert(c, child);
	pg_proc_cache__mark_exited(c, parent, 2000);
	/* long past the grace period: the child's events still name it */
	pg_proc_cache__expire(c, 2000 + 100 * GRACE);
	assert_ptr_equal(peek(c, 10), parent);
	assert_int_equal(stats(c).expired, 0);

	/* once the child is gone too, both go */
	pg_proc_cache__mark_exited(c, child, 3000);
	pg_proc_cache__expire(c, 3000 + GRACE - 1);
	assert_non_null(pg_proc_cache__peek(c, &child->key));
	assert_non_null(peek(c, 10));
	pg_proc_cache__expire(c, 3000 + GRACE + 1);
	assert_null(pg_proc_cache__peek(c, &(struct pg_process_key){ .pid = 11, .ktime = 1100 }));
	assert_null(pg_proc_cache__peek(c, &(struct pg_process_key){ .pid = 10, .ktime = 1000 }));
	assert_int_equal(stats(c).expired, 2);
	assert_int_equal(stats(c).size, 0);
	pg_proc_cache__free(c);
}

static void test_proc_cache_retained_parent_released_by_eviction(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(3, GRACE);
	struct pg_process *parent = proc(10, 1000, 1, 1);

	(void)state;
	pg_proc_cache__insert(c, parent);
	pg_proc_cache__insert(c, proc(11, 1100, 10, 1000));
	pg_proc_cache__mark_exited(c, parent, 2000);
	pg_proc_cache__expire(c, 2000 + GRACE + 1);
	assert_non_null(pg_proc_cache__peek(c, &parent->key));
	/* the bound still holds: a retained parent can be evicted */
	pg_proc_cache__insert(c, proc(12, 1200, 1, 1));
	pg_proc_cache__insert(c, proc(13, 1300, 1, 1));
	assert_int_equal(stats(c).size, 3);
	assert_null(pg_proc_cache__peek(c, &(struct pg_process_key){ .pid = 10, .ktime = 1000 }));
	assert_int_equal(stats(c).evictions, 1);
	/* and its child, evicted later, finds no dangling parent */
	pg_proc_cache__insert(c, proc(14, 1400, 1, 1));
	pg_proc_cache__insert(c, proc(15, 1500, 1, 1));
	pg_proc_cache__expire(c, UINT64_MAX / 2);
	assert_int_equal(stats(c).size, 3);
	pg_proc_cache__free(c);
}

static void test_proc_cache_replaced_parent_keeps_children(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(16, GRACE);
	struct pg_process *newer = proc(10, 1000, 1, 1);

	(void)state;
	pg_proc_cache__insert(c, proc(10, 1000, 1, 1));
	pg_proc_cache__insert(c, proc(11, 1100, 10, 1000));
	/* the replacement inherits the count of children naming the key */
	pg_proc_cache__insert(c, newer);
	pg_proc_cache__mark_exited(c, newer, 2000);
	pg_proc_cache__expire(c, 2000 + 100 * GRACE);
	assert_ptr_equal(pg_proc_cache__peek(c, &newer->key), newer);
	assert_int_equal(stats(c).expired, 0);
	pg_proc_cache__free(c);
}

/*
 * Seeding walks tasks in pid order, and after pid wrap-around a child can
 * have a lower pid than its parent, so the child may be cached first. The
 * header promises an exited process stays "longer while cached children
 * still name it as parent": that must not depend on insertion order.
 */
static void test_proc_cache_parent_inserted_after_child_retained(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(16, GRACE);
	struct pg_process *parent = proc(30000, 1000, 1, 1);
	struct pg_process_key k = parent->key;
	uint64_t expired;
	bool kept;

	(void)state;
	pg_proc_cache__insert(c, proc(300, 2000, 30000, 1000));
	pg_proc_cache__insert(c, parent);
	pg_proc_cache__mark_exited(c, parent, 3000);
	pg_proc_cache__expire(c, 3000 + GRACE + 1);
	kept = pg_proc_cache__peek(c, &k) != NULL;
	expired = stats(c).expired;
	/* free first, so a failure is not also reported as a leak */
	pg_proc_cache__free(c);
	assert_true(kept);
	assert_int_equal(expired, 0);
}

static void test_proc_cache_insert_already_exited(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(3, GRACE);
	struct pg_process *p = proc(9, 900, 1, 1);

	(void)state;
	/* an exit seen before its exec: cached as exited, first to go */
	p->exit_ktime = 5000;
	fill(c, 1, 2);
	pg_proc_cache__insert(c, p);
	fill(c, 3, 1);
	assert_null(peek(c, 9));
	assert_non_null(peek(c, 1));
	pg_proc_cache__free(c);
}

static void test_proc_cache_self_parent(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(4, GRACE);
	struct pg_process *p = proc(1, 100, 1, 100);

	(void)state;
	/* a malformed record naming itself as parent must not pin itself */
	pg_proc_cache__insert(c, p);
	pg_proc_cache__mark_exited(c, p, 1000);
	pg_proc_cache__expire(c, 1000 + GRACE + 1);
	assert_null(peek(c, 1));
	assert_int_equal(stats(c).expired, 1);
	pg_proc_cache__free(c);
}

static void test_proc_cache_churn_keeps_counts(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(64, GRACE);
	struct pg_proc_cache_stats s;
	uint64_t now = 0;
	uint32_t i;

	(void)state;
	/* a fork-exec-exit storm: every process the child of the one before */
	for (i = 1; i <= 10000; i++) {
		struct pg_process *p = proc(i, 100 * (uint64_t)i, i - 1, 100 * (uint64_t)(i - 1));

		pg_proc_cache__insert(c, p);
		if (i % 3)
			pg_proc_cache__mark_exited(c, p, now);
		now += 10;
		if (i % 50 == 0)
			pg_proc_cache__expire(c, now);
		s = stats(c);
		assert_true(s.size <= 64);
	}
	pg_proc_cache__expire(c, UINT64_MAX / 2);
	s = stats(c);
	/* nothing lost track of: inserted = present + evicted + expired */
	assert_int_equal(s.size + s.evictions + s.expired, 10000);
	pg_proc_cache__free(c);
}

static void test_proc_cache_clone_shares_strings(void **state)
{
	struct pg_process *src = proc(5, 500, 1, 100), *cl;

	(void)state;
	src->interpreter = pg_pstr("/tmp/x.sh");
	strcpy(src->comm, "bash");
	strcpy(src->exec_id, "ZXhlYw==");
	src->children = 3;
	src->exit_ktime = 9;
	cl = pg_process__clone(src);
	assert_non_null(cl);
	/* same identity, the same strings: shared, not copied */
	assert_memory_equal(&cl->key, &src->key, sizeof(cl->key));
	assert_string_equal(cl->comm, "bash");
	assert_string_equal(cl->exec_id, "ZXhlYw==");
	assert_string_equal(cl->binary, src->binary);
	assert_string_equal(cl->interpreter, src->interpreter);
	assert_string_equal(cl->arguments, src->arguments);
	assert_string_equal(cl->cwd, src->cwd);
	assert_string_equal(cl->cgroup, src->cgroup);
	assert_ptr_equal(cl->binary, src->binary);
	assert_ptr_equal(cl->interpreter, src->interpreter);
	assert_ptr_equal(cl->arguments, src->arguments);
	assert_ptr_equal(cl->cwd, src->cwd);
	assert_ptr_equal(cl->cgroup, src->cgroup);
	/* a new process: none of the cache bookkeeping comes along */
	assert_int_equal(cl->children, 0);
	assert_int_equal(cl->exit_ktime, 0);
	assert_int_equal(cl->list, PG_PROC_LIST_NONE);
	assert_null(cl->hnext);
	assert_null(cl->prev);
	assert_null(cl->next);
	/* freeing the source leaves the clone whole (ASan would see a use
	 * after free, LeakSanitizer a string the last holder did not free) */
	pg_process__free(src);
	assert_string_equal(cl->binary, "/bin/p5");
	assert_string_equal(cl->interpreter, "/tmp/x.sh");
	pg_process__free(cl);
}

static void test_proc_cache_clone_keeps_null_script(void **state)
{
	struct pg_process *src = proc(5, 500, 1, 100), *cl;

	(void)state;
	cl = pg_process__clone(src);
	assert_non_null(cl);
	assert_null(cl->interpreter);
	pg_process__free(src);
	pg_process__free(cl);
}

static void test_proc_cache_clone_of_cached_entry(void **state)
{
	struct pg_proc_cache *c = pg_proc_cache__new(4, GRACE);
	struct pg_process *cl;

	(void)state;
	fill(c, 1, 3);
	/* a fork: the child starts as a copy of the cached parent */
	cl = pg_process__clone(peek(c, 2));
	assert_non_null(cl);
	cl->parent_key = cl->key;
	cl->key = key(20, 2000);
	pg_proc_cache__insert(c, cl);
	assert_int_equal(stats(c).size, 4);
	assert_ptr_equal(
		pg_proc_cache__peek(c, &(struct pg_process_key){ .pid = 20, .ktime = 2000 }), cl);
	pg_proc_cache__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_cache_new_rejects_zero_entries),
		cmocka_unit_test(test_proc_cache_empty_stats),
		cmocka_unit_test(test_proc_cache_insert_lookup_peek),
		cmocka_unit_test(test_proc_cache_many_entries),
		cmocka_unit_test(test_proc_cache_replace_same_key),
		cmocka_unit_test(test_proc_cache_bound_evicts),
		cmocka_unit_test(test_proc_cache_bound_of_one),
		cmocka_unit_test(test_proc_cache_evicts_exited_before_live),
		cmocka_unit_test(test_proc_cache_evicts_oldest_exited_first),
		cmocka_unit_test(test_proc_cache_lookup_refreshes_lru),
		cmocka_unit_test(test_proc_cache_peek_does_not_refresh),
		cmocka_unit_test(test_proc_cache_expire_after_grace),
		cmocka_unit_test(test_proc_cache_expire_in_exit_order),
		cmocka_unit_test(test_proc_cache_exited_parent_retained_for_child),
		cmocka_unit_test(test_proc_cache_retained_parent_released_by_eviction),
		cmocka_unit_test(test_proc_cache_replaced_parent_keeps_children),
		cmocka_unit_test(test_proc_cache_parent_inserted_after_child_retained),
		cmocka_unit_test(test_proc_cache_insert_already_exited),
		cmocka_unit_test(test_proc_cache_self_parent),
		cmocka_unit_test(test_proc_cache_churn_keeps_counts),
		cmocka_unit_test(test_proc_cache_clone_shares_strings),
		cmocka_unit_test(test_proc_cache_clone_keeps_null_script),
		cmocka_unit_test(test_proc_cache_clone_of_cached_entry),
	};

	return cmocka_run_group_tests_name("proc_cache", tests, NULL, NULL);
}
