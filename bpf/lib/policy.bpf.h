/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Policy evaluation in the kernel. The agent compiles every loaded rule
 * (at most PG_POLICY_RULES) into maps from a selector's value to the bit
 * mask of the rules that accept it (src/policy_compile.c); an event's
 * verdict is the AND, over the selector kinds, of
 *
 *     (rules that do not constrain the kind | rules that accept the value)
 *         & ~rules whose `not:` rejects the value
 *
 * and the rules that apply to the event type. A few map lookups, whatever
 * the number of values: a 10,000-path policy costs what a 1-path one does.
 * Path values (exact, prefix: one trie; suffix: a trie of reversed paths)
 * and uid ranges (prefixes of the big-endian value) live in LPM tries,
 * whose longest match carries the shorter ones, folded in by the agent.
 */
#ifndef PENGUARD_LIB_POLICY_BPF_H
#define PENGUARD_LIB_POLICY_BPF_H

#include "task.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__type(key, struct pg_policy_path_key);
	__type(value, struct pg_path_masks);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pg_pol_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__type(key, struct pg_policy_path_key);
	__type(value, struct pg_path_masks);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pg_pol_suffix SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__type(key, struct pg_policy_id_key);
	__type(value, struct pg_id_masks);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pg_pol_ids SEC(".maps");

/* network `address:` selectors (struct pg_policy_addr_key in events.h) */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__type(key, struct pg_policy_addr_key);
	__type(value, struct pg_id_masks);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pg_pol_addrs SEC(".maps");

/* per generation */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pg_policy_masks);
} pg_pol_masks SEC(".maps");

/* File rules by identity (see struct pg_file_id_key in events.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct pg_file_id_key);
	__type(value, struct pg_file_id_val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pg_pol_files SEC(".maps");

/* names in a watched directory, and `name:` values (dev = dir_ino = 0) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct pg_file_name_key);
	__type(value, struct pg_file_masks);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pg_pol_fnames SEC(".maps");

/* per generation: the bloom filter of pg_pol_files' identities */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pg_file_bloom);
} pg_pol_fbloom SEC(".maps");

/* per generation * PG_POLICY_RULES + rule */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * PG_POLICY_RULES);
	__type(key, __u32);
	__type(value, struct pg_policy_rule);
} pg_pol_rules SEC(".maps");

/* per generation * PG_POLICY_RULES + rule: a swap starts from zero, the old counts stay readable */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * PG_POLICY_RULES);
	__type(key, __u32);
	__type(value, struct pg_rule_stats);
} pg_pol_stats SEC(".maps");

struct pg_rate_key {
	__u32 rule; /* generation * PG_POLICY_RULES + rule */
	__u32 tgid; /* 0: global */
};

struct pg_rate_state {
	__u64 window; /* start of the current interval */
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct pg_rate_key);
	__type(value, struct pg_rate_state);
} pg_pol_rate SEC(".maps");

/* Scratch for the trie keys: 260 bytes each, too big for the stack. */
struct pg_policy_scratch {
	struct pg_policy_path_key path;
	struct pg_rule_mask pos[PG_BIN_KINDS]; /* of the event's own binary path(s) */
	struct pg_rule_mask neg[PG_BIN_KINDS];
	struct pg_rule_mask sel;
	struct pg_rule_mask m;
};

static __always_inline void pg_mask_or(struct pg_rule_mask *d, const struct pg_rule_mask *a)
{
	int i;

	for (i = 0; i < PG_MASK_WORDS; i++)
		d->w[i] |= a->w[i];
}

/* Add what the path tries say of @path (@len bytes, in map memory) to sc->pos/neg. */
static __always_inline void pg_policy_path(struct pg_policy_scratch *sc, __u32 gen,
					   const struct pg_policy_masks *m, const char *path,
					   __u32 len)
{
	const struct pg_path_masks *pm;
	int i, k;

	if (len > PG_POLICY_STR_MAX)
		len = PG_POLICY_STR_MAX;
	/*
	 * Opaque to the compiler, so the mask below stays: without it, clang
	 * drops the mask as redundant with the clamp above, and the 5.10
	 * verifier, which lost the clamp's bound, sees a length up to 4096.
	 */
	barrier_var(len);
	len &= 0xff;
	sc->path.gen = gen;
	/* every bit of the key counts: an exact value is matched with its NUL */
	sc->path.prefixlen = 8 * sizeof(sc->path.data) + 8;
	if (m->uses & PG_USES_PATHS) {
		if (bpf_probe_read_kernel(sc->path.data, len & 0xff, path))
			return;
		sc->path.data[len & 0xff] = 0;
		pm = bpf_map_lookup_elem(&pg_pol_paths, &sc->path);
		if (pm)
			for (k = 0; k < PG_BIN_KINDS; k++) {
				pg_mask_or(&sc->pos[k], &pm->pos[k]);
				pg_mask_or(&sc->neg[k], &pm->neg[k]);
			}
	}
	if (m->uses & PG_USES_SUFFIX) {
		/*
		 * The suffix trie is keyed by the path's last PG_POLICY_SUFFIX_MAX
		 * bytes, reversed. No branch in the loop (the verifier would
		 * follow both sides of each): past the start of the path it
		 * copies bytes that do not matter, cut off by a NUL at @len,
		 * which no entry holds.
		 */
		for (i = 0; i < PG_POLICY_SUFFIX_MAX; i++)
			sc->path.data[i] = path[(len - 1 - i) & (PG_PATH_MAX - 1)];
		if (len < PG_POLICY_SUFFIX_MAX)
			sc->path.data[len & (PG_POLICY_SUFFIX_MAX - 1)] = 0;
		pm = bpf_map_lookup_elem(&pg_pol_suffix, &sc->path);
		if (pm)
			for (k = 0; k < PG_BIN_KINDS; k++) {
				pg_mask_or(&sc->pos[k], &pm->pos[k]);
				pg_mask_or(&sc->neg[k], &pm->neg[k]);
			}
	}
}

static __always_inline void pg_mask_and(struct pg_rule_mask *d, const struct pg_rule_mask *a)
{
	int i;

	for (i = 0; i < PG_MASK_WORDS; i++)
		d->w[i] &= a->w[i];
}

/* d &= (any | pos) & ~neg; pos or neg may be NULL (no entry) */
static __always_inline void pg_mask_apply(struct pg_rule_mask *d, const struct pg_rule_mask *any,
					  const struct pg_rule_mask *pos,
					  const struct pg_rule_mask *neg)
{
	int i;

	for (i = 0; i < PG_MASK_WORDS; i++) {
		__u64 v = any->w[i];

		if (pos)
			v |= pos->w[i];
		if (neg)
			v &= ~neg->w[i];
		d->w[i] &= v;
	}
}

static __always_inline int pg_mask_empty(const struct pg_rule_mask *m)
{
	return !(m->w[0] | m->w[1] | m->w[2] | m->w[3]);
}

/* Whether @a and @b share a rule. */
static __always_inline int pg_mask_meets(const struct pg_rule_mask *a, const struct pg_rule_mask *b)
{
	return !!((a->w[0] & b->w[0]) | (a->w[1] & b->w[1]) | (a->w[2] & b->w[2]) |
		  (a->w[3] & b->w[3]));
}

/* Index of the lowest set bit, or -1: the first rule in load order wins. */
static __always_inline int pg_mask_first(const struct pg_rule_mask *m)
{
	int i;

	for (i = 0; i < PG_MASK_WORDS; i++) {
		__u64 v = m->w[i];
		int b = 0;

		if (!v)
			continue;
		/* no ctz instruction in BPF: halve the word six times */
		if (!(v & 0xffffffffULL)) {
			b += 32;
			v >>= 32;
		}
		if (!(v & 0xffff)) {
			b += 16;
			v >>= 16;
		}
		if (!(v & 0xff)) {
			b += 8;
			v >>= 8;
		}
		if (!(v & 0xf)) {
			b += 4;
			v >>= 4;
		}
		if (!(v & 0x3)) {
			b += 2;
			v >>= 2;
		}
		if (!(v & 0x1))
			b += 1;
		return i * 64 + b;
	}
	return -1;
}

static __always_inline const struct pg_policy_masks *pg_policy_masks(__u32 gen)
{
	return bpf_map_lookup_elem(&pg_pol_masks, &gen);
}

static __always_inline void pg_rule_count(__u32 gen, int rule, int which)
{
	__u32 key = gen * PG_POLICY_RULES + (rule & (PG_POLICY_RULES - 1));
	struct pg_rule_stats *s = bpf_map_lookup_elem(&pg_pol_stats, &key);

	if (!s)
		return;
	if (which == 0)
		__sync_fetch_and_add(&s->matched, 1);
	else if (which == 1)
		__sync_fetch_and_add(&s->killed, 1);
	else if (which == 2)
		__sync_fetch_and_add(&s->denied, 1);
	else
		__sync_fetch_and_add(&s->rate_limited, 1);
}

/* The id tries: uid, euid or auid @v of kind @kind. */
static __always_inline const struct pg_id_masks *pg_policy_id(__u32 gen, __u8 kind, __u32 v)
{
	struct pg_policy_id_key k = {
		.prefixlen = 16 + 32,
		.gen = gen,
		.kind = kind,
		.be = { v >> 24, v >> 16, v >> 8, v },
	};

	return bpf_map_lookup_elem(&pg_pol_ids, &k);
}

/*
 * True if the rule's rate limit lets this event through; counts what it
 * suppresses. A fixed window: simple, and exact in what it counts. @now:
 * the event's time, or 0 to read the clock only if the rule has a limit
 * (a clock read costs ~45 ns in a VM; most rules have none).
 */
static __always_inline int pg_rate_allow(__u32 gen, int rule, __u32 tgid, __u64 now)
{
	__u32 idx = gen * PG_POLICY_RULES + (rule & (PG_POLICY_RULES - 1));
	const struct pg_policy_rule *r = bpf_map_lookup_elem(&pg_pol_rules, &idx);
	struct pg_rate_key k = { .rule = idx };
	struct pg_rate_state *st, fresh = { .window = now, .count = 1 };

	if (!r || !r->rate_max)
		return 1;
	if (!now)
		now = fresh.window = bpf_ktime_get_ns();
	if (r->per_process)
		k.tgid = tgid;
	st = bpf_map_lookup_elem(&pg_pol_rate, &k);
	if (!st) {
		bpf_map_update_elem(&pg_pol_rate, &k, &fresh, BPF_ANY);
		return 1;
	}
	if (now - st->window >= r->rate_interval_ns) {
		st->window = now;
		st->count = 1;
		return 1;
	}
	/* no fetching atomics on 5.10: under contention a few more may pass */
	if (st->count < r->rate_max) {
		__sync_fetch_and_add(&st->count, 1);
		return 1;
	}
	pg_rule_count(gen, rule, 3);
	return 0;
}

/*
 * The rules a process image selects, whatever the event, into sc->sel;
 * sc->pos/neg keep what its binary says, for its children. @bin is the
 * resolved binary, @fname (when @fname_len) the name given to execve,
 * which counts too when absolute (a script's own path); both in map
 * memory. @pst: the parent's state, or NULL if unknown.
 */
static __always_inline void pg_policy_select(struct pg_policy_scratch *sc,
					     const struct pg_policy_masks *m, __u32 gen,
					     const char *bin, __u32 bin_len, const char *fname,
					     __u32 fname_len, const struct pg_creds *c,
					     __u32 in_ctr, const struct pg_proc_state *pst)
{
	const struct pg_id_masks *im;

	if (pst && pst->gen != gen)
		pst = NULL; /* evaluated under another policy set: unknown */
	__builtin_memset(sc->pos, 0, sizeof(sc->pos));
	__builtin_memset(sc->neg, 0, sizeof(sc->neg));
	pg_policy_path(sc, gen, m, bin, bin_len);
	if (fname_len && fname[0] == '/')
		pg_policy_path(sc, gen, m, fname, fname_len);

	__builtin_memset(&sc->sel, 0xff, sizeof(sc->sel));
	pg_mask_apply(&sc->sel, &m->any[PG_SEL_BINARY], &sc->pos[PG_BIN_SELF],
		      &sc->neg[PG_BIN_SELF]);
	pg_mask_apply(&sc->sel, &m->any[PG_SEL_PARENT], pst ? &pst->parent_pos : NULL,
		      pst ? &pst->parent_neg : NULL);
	pg_mask_apply(&sc->sel, &m->any[PG_SEL_ANCESTOR], pst ? &pst->anc_pos : NULL,
		      pst ? &pst->anc_neg : NULL);
	if (m->uses & PG_USES_IDS) {
		im = pg_policy_id(gen, PG_ID_UID, c->uid);
		pg_mask_apply(&sc->sel, &m->any[PG_SEL_UID], im ? &im->pos : NULL,
			      im ? &im->neg : NULL);
		im = pg_policy_id(gen, PG_ID_EUID, c->euid);
		pg_mask_apply(&sc->sel, &m->any[PG_SEL_EUID], im ? &im->pos : NULL,
			      im ? &im->neg : NULL);
		im = pg_policy_id(gen, PG_ID_AUID, c->auid);
		pg_mask_apply(&sc->sel, &m->any[PG_SEL_AUID], im ? &im->pos : NULL,
			      im ? &im->neg : NULL);
	}
	pg_mask_apply(&sc->sel, &m->any[PG_SEL_CONTAINER], &m->in_container[in_ctr & 1], NULL);
}

/*
 * The rules the current process's image selected at its exec, into @sel.
 * A process never evaluated (running since before the agent, or under an
 * older policy set) can only meet rules that select no process property,
 * as in pg_simple_verdict() of process.bpf.c.
 */
static __always_inline void pg_policy_proc_sel(struct pg_rule_mask *sel,
					       const struct pg_policy_masks *m, __u32 gen)
{
	const struct pg_proc_state *st = pg_proc_state(bpf_get_current_pid_tgid() >> 32);
	int k;

	if (st && st->gen == gen) {
		*sel = st->sel;
		return;
	}
	__builtin_memset(sel, 0xff, sizeof(*sel));
	for (k = PG_SEL_BINARY; k <= PG_SEL_CONTAINER; k++)
		pg_mask_and(sel, &m->any[k]);
}

/*
 * Rules for event @type (or @type2; PG_EVENT_NONE, which no rule has, when
 * there is one type) that may match the current process at all, into
 * @sel, with the generation in @genp. NULL: none (or no policy loaded:
 * the sensors other than process report only what a rule selects), the
 * cheap way out, taken before anything else is read.
 */
static __always_inline const struct pg_policy_masks *
pg_policy_candidates(struct pg_rule_mask *sel, __u32 *genp, __u16 type, __u16 type2)
{
	const struct pg_runtime_config *cfg = pg_config_get();
	const struct pg_policy_masks *m;
	__u32 gen = cfg->policy & 1;
	int i;

	if (!(cfg->policy & PG_POLICY_LOADED) || type >= PG_EVENT_MAX || type2 >= PG_EVENT_MAX)
		return NULL;
	m = pg_policy_masks(gen);
	if (!m)
		return NULL;
	pg_policy_proc_sel(sel, m, gen);
	for (i = 0; i < PG_MASK_WORDS; i++)
		sel->w[i] &= m->events[type].w[i] | m->events[type2].w[i];
	if (pg_mask_empty(sel))
		return NULL;
	*genp = gen;
	return m;
}

/*
 * Whether any rule at all is on event @type or @type2 (PG_EVENT_NONE when
 * there is one type), whatever it selects: for the hooks that must answer
 * before the process a rule will judge is known (an exec's entry, for its
 * new image), or that run in no process (packets).
 */
static __always_inline int pg_policy_any_rule(__u16 type, __u16 type2)
{
	const struct pg_runtime_config *cfg = pg_config_get();
	const struct pg_policy_masks *m;

	if (!(cfg->policy & PG_POLICY_LOADED) || type >= PG_EVENT_MAX || type2 >= PG_EVENT_MAX)
		return 0;
	m = pg_policy_masks(cfg->policy & 1);
	return m && (!pg_mask_empty(&m->events[type]) || !pg_mask_empty(&m->events[type2]));
}

/* pg_policy_decide() */
#define PG_POLICY_NO_RECORD 0
#define PG_POLICY_REPORT 1
#define PG_POLICY_DENY 2 /* refuse the operation (-EPERM) */
#define PG_POLICY_KILL 3 /* the caller kills (@can_kill was 0), and refuses if it can */

/*
 * The verdict over @sel, the rules an operation matched, as
 * pg_exec_policy() of process.bpf.c decides an exec: kill first, then
 * deny (@can_deny: the hook runs before the operation and its return
 * value refuses it), then what the kernel decides alone, then what the
 * agent completes. @can_kill: this program may call bpf_send_signal()
 * (tracing programs; cgroup socket programs may not). Counts per rule; a
 * rate limit thins the reports, never kills or denials. @one: scratch.
 * Returns PG_POLICY_*.
 */
static __always_inline int pg_policy_decide(const struct pg_rule_mask *sel,
					    struct pg_rule_mask *one,
					    const struct pg_policy_masks *m, __u32 gen,
					    struct pg_verdict *v, struct pg_rule_mask *matched,
					    int can_deny, int can_kill)
{
	int k, rule, act = PG_POLICY_REPORT;
	__u8 flags;

	if (pg_mask_empty(sel))
		return PG_POLICY_NO_RECORD;
	*one = *sel;
	pg_mask_and(one, &m->kill);
	for (k = 0; k < PG_MASK_WORDS; k++)
		one->w[k] &= ~m->user.w[k];
	rule = pg_mask_first(one);
	if (rule >= 0) {
		if (can_kill)
			bpf_send_signal(9 /* SIGKILL */);
		flags = PG_VERDICT_F_MATCHED | PG_VERDICT_F_KILLED;
		pg_rule_count(gen, rule, 1);
		if (!can_kill)
			act = PG_POLICY_KILL;
		else if (can_deny)
			act = PG_POLICY_DENY;
	} else {
		if (can_deny) {
			*one = *sel;
			pg_mask_and(one, &m->deny);
			for (k = 0; k < PG_MASK_WORDS; k++)
				one->w[k] &= ~m->user.w[k];
			rule = pg_mask_first(one);
		}
		if (rule >= 0) {
			flags = PG_VERDICT_F_MATCHED | PG_VERDICT_F_DENIED;
			pg_rule_count(gen, rule, 2);
			act = PG_POLICY_DENY;
		} else {
			*one = *sel;
			for (k = 0; k < PG_MASK_WORDS; k++)
				one->w[k] &= ~m->user.w[k];
			rule = pg_mask_first(one);
			flags = PG_VERDICT_F_MATCHED;
			if (rule < 0) {
				rule = pg_mask_first(sel);
				flags = PG_VERDICT_F_USER;
			}
		}
	}
	if (rule < 0)
		return PG_POLICY_NO_RECORD;
	pg_rule_count(gen, rule, 0);
	if (!(flags & (PG_VERDICT_F_KILLED | PG_VERDICT_F_DENIED)) &&
	    !pg_rate_allow(gen, rule, bpf_get_current_pid_tgid() >> 32, 0))
		return PG_POLICY_NO_RECORD;
	v->rule = rule;
	v->flags = flags;
	v->gen = gen;
	v->pad = 0;
	*matched = *sel;
	return act;
}

#endif /* PENGUARD_LIB_POLICY_BPF_H */
