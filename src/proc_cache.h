/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The process cache: every event carries its process and its parent, so
 * the agent remembers each process image it has seen (exec, seed, clone)
 * by its key (pid, ktime). Bounded: at most `max` entries; an exited
 * process stays for a grace period (late events of its children still find
 * it), longer while cached children still name it as parent; when full,
 * the oldest exited entry goes first, then the least recently used one.
 */
#ifndef PG_PROC_CACHE_H
#define PG_PROC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <penguard/events.h>

#include "container.h"

#define PG_EXEC_ID_LEN 128

enum pg_proc_list {
	PG_PROC_LIST_NONE,
	PG_PROC_LIST_LIVE,
	PG_PROC_LIST_EXITED,
	PG_PROC_LIST_RETAINED, /* exited, past grace, children still cached */
};

struct pg_process {
	struct pg_process_key key;
	/*
	 * The hash chain's link beside the key: a lookup walks the chain
	 * comparing keys, and each node then costs one cache line, not two
	 * (with thousands of exited processes kept for their grace period,
	 * nearly every node is a miss).
	 */
	struct pg_process *hnext;
	struct pg_process_key parent_key;
	uint32_t tid;
	uint32_t ppid;
	uint32_t flags; /* PG_PROC_F_* */
	struct pg_creds creds;
	struct pg_namespaces ns;
	struct pg_file_info file; /* the executed file */
	uint64_t cgroup_id;
	uint64_t exit_ktime;
	char comm[PG_COMM_LEN + 1];
	char tty[PG_TTY_LEN + 1];
	char exec_id[PG_EXEC_ID_LEN];
	char parent_exec_id[PG_EXEC_ID_LEN];
	char container_id[PG_CONTAINER_ID_LEN];
	const char *container_runtime; /* static string or NULL */
	/*
	 * NUL-terminated, never NULL once built; each a pg_pstr (below),
	 * immutable and shared with the process's clones.
	 */
	char *binary;	   /* the file executed; for a #! script, the script */
	char *interpreter; /* the interpreter that ran a #! script, or NULL */
	char *arguments;   /* argv[1..], shell-quoted where ambiguous */
	char *cwd;
	char *cgroup;
	/*
	 * The process object as JSON, rendered on first use: a process is
	 * shown again as the parent of each child and in its exit event, and
	 * is immutable meanwhile. Freed at exit, so only live processes pay.
	 */
	char *json;
	size_t json_len;

	/* cache bookkeeping */
	uint32_t children; /* cached processes naming this one as parent */
	enum pg_proc_list list;
	struct pg_process *prev, *next;
};

struct pg_proc_cache_stats {
	uint64_t size;
	uint64_t hits;
	uint64_t misses;
	uint64_t evictions; /* removed to make room */
	uint64_t expired;   /* removed after the grace period */
};

struct pg_proc_cache;

struct pg_proc_cache *pg_proc_cache__new(size_t max_entries, uint64_t grace_ns);
void pg_proc_cache__free(struct pg_proc_cache *c);

/* Counts a hit or a miss; a hit makes the entry the most recently used. */
struct pg_process *pg_proc_cache__lookup(struct pg_proc_cache *c, const struct pg_process_key *k);
/* Like lookup, without counting or reordering. */
struct pg_process *pg_proc_cache__peek(struct pg_proc_cache *c, const struct pg_process_key *k);

/*
 * Takes ownership of @p (allocated with pg_process__new), replacing any
 * entry with the same key, and evicting to stay within the bound.
 */
void pg_proc_cache__insert(struct pg_proc_cache *c, struct pg_process *p);
/* Drop @p now: an image nobody will name again (a clone that exec'd). */
void pg_proc_cache__remove(struct pg_proc_cache *c, struct pg_process *p);
void pg_proc_cache__mark_exited(struct pg_proc_cache *c, struct pg_process *p, uint64_t now_ns);
/* Free exited entries whose grace period ended before @now_ns. */
void pg_proc_cache__expire(struct pg_proc_cache *c, uint64_t now_ns);
void pg_proc_cache__stats(const struct pg_proc_cache *c, struct pg_proc_cache_stats *s);

/*
 * A process's strings: immutable once built, and shared by count between
 * a process and the clones its forks make, so a fork copies no string.
 * The agent is single-threaded: plain counts.
 */
char *pg_pstr_new(const void *s, size_t n); /* @n bytes of @s, NUL added; NULL: no memory */
char *pg_pstr(const char *s);
char *pg_pstr_ref(char *s); /* one more holder of @s (NULL: none) */
void pg_pstr_put(char *s);  /* one holder less; freed with the last */

struct pg_process *pg_process__new(void);
void pg_process__free(struct pg_process *p);
/* A copy of @src for a forked child: its identity, its strings shared. */
struct pg_process *pg_process__clone(const struct pg_process *src);

#endif
