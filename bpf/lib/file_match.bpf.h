/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The file sensor's kernel decision: which rules an operation on a file
 * matches, and whether to kill, deny or report it. Written for the
 * common case, an operation on a file no rule watches, which must cost
 * next to nothing; the order of the steps is the order of their cost:
 *
 *   1. no policy, or no rule for this event type at all: two array
 *      lookups (inlined by the verifier) and one mask test;
 *   2. the process: the rules its image selected at exec (pg_procs, one
 *      hash lookup). Most processes are not the subject of any file rule,
 *      and they leave here, before the file is even looked at;
 *   3. the file, by identity: the inode and every parent directory up to
 *      the root of its file system, each tested against a bloom filter
 *      of the watched identities (a multiply and a bit test); only a
 *      bloom hit costs a hash lookup. d_parent is followed, never a
 *      mount: identity is per file system, so a bind mount, a second
 *      mount of the same device, a hard link or a symlink reaches the
 *      same identities the agent resolved at load;
 *   4. `name:` selectors: the file's last component, read (64 bytes at
 *      most) only when some rule has such a selector.
 * No path string is built before a rule matched (file.bpf.c does it
 * after).
 *
 * Two ways to read the dentry chain. LSM programs get BTF-typed
 * arguments and walk them with plain loads, about a nanosecond each
 * (see lib/task.bpf.h). The syscall tracepoints find their file in the
 * fd table, an array indexed by a run-time value that the verifier does
 * not let a typed pointer take: the pointer comes out of a
 * bpf_probe_read_kernel() untyped, and the walk goes on with helper
 * reads, two per level (one span of the dentry holding d_parent, d_name
 * and d_inode, then the inode's i_ino).
 */
#ifndef PENGUARD_LIB_FILE_MATCH_BPF_H
#define PENGUARD_LIB_FILE_MATCH_BPF_H

#include "task.bpf.h"
#include "policy.bpf.h"

/*
 * f_mode bits (include/linux/fs.h; not in BTF, being macros). FMODE_CREATED
 * has been 1 << 20 since it was introduced in 4.19 (commit 73a09dd94377
 * "introduce FMODE_CREATED and switch to it") and kept its value through
 * the 6.11 reshuffle of the f_mode bits.
 */
#define PG_FMODE_READ 0x1
#define PG_FMODE_WRITE 0x2
#define PG_FMODE_CREATED 0x100000

/* pg_file_decide() */
#define PG_FILE_NO_RECORD PG_POLICY_NO_RECORD
#define PG_FILE_REPORT PG_POLICY_REPORT
#define PG_FILE_DENY PG_POLICY_DENY

/* pg_file_candidates() @acc: the access masks an open applies */
#define PG_ACC_READ 1  /* m->access[0]: read-only opens */
#define PG_ACC_WRITE 2 /* m->access[1]: writing opens */

#define PG_FILE_SPAN_WORDS 8

/*
 * pg_file_select() @typed, beside 0 (untyped) and 1 (a BTF argument):
 * the BTF dentry of a file open in an fd table, never negative, so the
 * walk reads even its own inode with plain loads.
 */
#define PG_TYPED_OPEN 2

/*
 * The decision's working state, in the per-CPU scratch of file.bpf.c:
 * masks and keys are too big for the stack, and the walk's accumulators
 * in map memory give the verifier the same state on every loop
 * iteration (see lib/path.bpf.h).
 */
struct pg_file_match {
	struct pg_rule_mask cand; /* the process's rules for this event (steps 1-2) */
	struct pg_rule_mask sel;  /* what the operation matched, over its files */
	struct pg_rule_mask one;  /* one file's selection; a verdict's scratch */
	struct pg_rule_mask path_pos, path_neg, name_pos, name_neg;
	struct pg_file_id_key ikey;
	struct pg_file_name_key nkey;
	__u64 span[PG_FILE_SPAN_WORDS];
	__u64 name_ptr; /* the file's d_name */
	__u32 name_len;
	__u32 name_state; /* PG_NAME_* */
	__u32 gen;
	__u32 walk_trunc; /* the last walk stopped at PG_FILE_WALK levels */
};

#define PG_NAME_UNREAD 0
#define PG_NAME_READY 1	   /* in nkey.name, NUL-padded */
#define PG_NAME_UNUSABLE 2 /* too long for a key (no entry can match it), or unreadable */

/*
 * Steps 1 and 2: into @cand, the rules that may apply to the current
 * process for an event of type @t1 (or @t2, if not PG_EVENT_NONE: an open
 * not yet known to be a create) and, for opens, an access in @acc
 * (PG_ACC_*; 0: not an open). Returns the policy masks, or NULL when no
 * rule can apply: the cheap way out.
 */
static __always_inline const struct pg_policy_masks *
pg_file_candidates(struct pg_rule_mask *cand, __u32 *genp, __u16 t1, __u16 t2, __u32 acc)
{
	const struct pg_runtime_config *cfg = pg_config_get();
	const struct pg_policy_masks *m;
	struct pg_rule_mask ev;
	__u32 gen = cfg->policy & 1;

	/* no policy: file events are only ever reported when a rule matches */
	if (!(cfg->policy & PG_POLICY_LOADED))
		return NULL;
	m = pg_policy_masks(gen);
	if (!m || t1 >= PG_EVENT_MAX || t2 >= PG_EVENT_MAX)
		return NULL;
	ev = m->events[t1];
	if (t2 != PG_EVENT_NONE)
		pg_mask_or(&ev, &m->events[t2]);
	if (acc) {
		struct pg_rule_mask a = {};

		if (acc & PG_ACC_READ)
			pg_mask_or(&a, &m->access[0]);
		if (acc & PG_ACC_WRITE)
			pg_mask_or(&a, &m->access[1]);
		pg_mask_and(&ev, &a);
	}
	if (pg_mask_empty(&ev))
		return NULL; /* no rule for this kind of operation: no process lookup */
	pg_policy_proc_sel(cand, m, gen);
	pg_mask_and(cand, &ev);
	if (pg_mask_empty(cand))
		return NULL;
	*genp = gen;
	return m;
}

/*
 * Narrow fm->cand to event @type and, for opens, to @acc, once the file
 * tells which it is. Returns 0 when nothing is left.
 */
static __always_inline int pg_file_refine(struct pg_file_match *fm, const struct pg_policy_masks *m,
					  __u16 type, __u32 acc)
{
	if (type >= PG_EVENT_MAX)
		return 0;
	pg_mask_and(&fm->cand, &m->events[type]);
	if (acc & PG_ACC_WRITE)
		pg_mask_and(&fm->cand, &m->access[1]);
	else if (acc & PG_ACC_READ)
		pg_mask_and(&fm->cand, &m->access[0]);
	return !pg_mask_empty(&fm->cand);
}

static __always_inline void pg_file_match_init(struct pg_file_match *fm,
					       const struct pg_rule_mask *cand, __u32 gen)
{
	fm->cand = *cand;
	__builtin_memset(&fm->sel, 0, sizeof(fm->sel));
	fm->gen = gen;
	fm->walk_trunc = 0;
}

/* The watched identity (@dev, @ino), or NULL; the bloom filter first. */
static __always_inline const struct pg_file_id_val *
pg_file_id_lookup(struct pg_file_match *fm, const struct pg_file_bloom *bloom, __u32 dev, __u64 ino)
{
	__u32 bit = pg_file_bloom_bit(dev, ino);

	if (!((bloom->w[(bit >> 6) & (PG_FILE_BLOOM_BITS / 64 - 1)] >> (bit & 63)) & 1))
		return NULL;
	fm->ikey.gen = fm->gen;
	fm->ikey.dev = dev;
	fm->ikey.ino = ino;
	return bpf_map_lookup_elem(&pg_pol_files, &fm->ikey);
}

/*
 * The file's name into nkey.name, once per file, NUL-padded: the key is
 * hashed whole. Names of PG_FILE_NAME_MAX bytes or more are in no key.
 */
static __always_inline int pg_file_name_load(struct pg_file_match *fm)
{
	__u32 len = fm->name_len;

	if (fm->name_state == PG_NAME_UNREAD) {
		fm->name_state = PG_NAME_UNUSABLE;
		if (len >= PG_FILE_NAME_MAX || !fm->name_ptr)
			return 0;
		__builtin_memset(fm->nkey.name, 0, sizeof(fm->nkey.name));
		/* keeps the mask, which clang would drop as redundant with the test above */
		barrier_var(len);
		if (bpf_probe_read_kernel(fm->nkey.name, len & (PG_FILE_NAME_MAX - 1),
					  (const void *)fm->name_ptr)) {
			pg_count_error(PG_ERR_READ_PATH);
			return 0;
		}
		fm->name_state = PG_NAME_READY;
	}
	return fm->name_state == PG_NAME_READY;
}

/*
 * The name in directory @dir_ino of device @dev (both 0: a `name:`
 * selector, in any directory); ORs what it says into @pos/@neg.
 */
static __always_inline void pg_file_name_lookup(struct pg_file_match *fm, __u32 dev, __u64 dir_ino,
						struct pg_rule_mask *pos, struct pg_rule_mask *neg)
{
	const struct pg_file_masks *v;

	if (!pg_file_name_load(fm))
		return;
	fm->nkey.gen = fm->gen;
	fm->nkey.dev = dev;
	fm->nkey.dir_ino = dir_ino;
	v = bpf_map_lookup_elem(&pg_pol_fnames, &fm->nkey);
	if (!v)
		return;
	pg_mask_or(pos, &v->pos);
	pg_mask_or(neg, &v->neg);
}

/*
 * d_parent, d_inode and d_name of the untyped @d: one helper read of the
 * span that holds them (adjacent in every kernel since 2.6; CO-RE checks
 * it at load, and a kernel where they moved apart fails the walk,
 * counted, rather than read wrong fields).
 */
static __always_inline int pg_file_dentry_core(struct pg_file_match *fm, __u64 d, __u64 *parent,
					       __u64 *inode, __u64 *name, __u32 *len)
{
	__u32 o_parent = bpf_core_field_offset(struct dentry, d_parent);
	__u32 o_name = bpf_core_field_offset(struct dentry, d_name);
	__u32 o_inode = bpf_core_field_offset(struct dentry, d_inode);
	struct qstr q;

	if (o_name < o_parent || o_inode < o_parent ||
	    o_name - o_parent + sizeof(q) > sizeof(fm->span) ||
	    o_inode - o_parent + 8 > sizeof(fm->span))
		return -1;
	if (bpf_probe_read_kernel(fm->span, sizeof(fm->span), (const void *)(d + o_parent)))
		return -1;
	*parent = fm->span[0];
	*inode = *(__u64 *)((void *)fm->span + (o_inode - o_parent));
	__builtin_memcpy(&q, (void *)fm->span + (o_name - o_parent), sizeof(q));
	*name = (__u64)q.name;
	*len = q.len;
	return 0;
}

/*
 * Step 3, the identity walk of @dentry, into fm->path_pos/neg: the file
 * itself (self), then each parent directory (tree) up to its file
 * system's root, which is its own d_parent, processed too. At level 1,
 * a directory flagged PG_FILE_ID_F_NAMES also has names watched in it:
 * the file's own name there (a file that does not exist yet, or that a
 * rename replaced, still matches).
 *
 * @typed: @dentry is a BTF pointer (LSM arguments): plain loads; else a
 * scalar from a helper read, read on by helper. Always a compile-time
 * constant: each variant is its own subprogram below, so no instruction
 * ever sees both kinds of pointer.
 */
static __always_inline int pg_file_walk(struct pg_file_match *fm, const struct pg_file_bloom *bloom,
					struct dentry *dentry, const int typed)
{
	const struct pg_file_id_val *v;
	struct dentry *d = dentry;
	__u64 parent, inode, ino, name;
	__u32 dev, len;
	int i;

	fm->name_state = PG_NAME_UNREAD;
	fm->walk_trunc = 1;
	if (typed)
		dev = d->d_sb->s_dev;
	else
		dev = BPF_CORE_READ(d, d_sb, s_dev);
	for (i = 0; i <= PG_FILE_WALK; i++) {
		if (typed) {
			struct inode *in;

			parent = (__u64)d->d_parent;
			/*
			 * Level 0 of a hook's argument may be a negative
			 * dentry (a create). Kernels that take d_inode of a
			 * trusted argument as never NULL would drop the test
			 * below: helper reads there. An open file's dentry
			 * and every parent are positive, and not trusted
			 * arguments.
			 */
			if (i == 0 && typed != PG_TYPED_OPEN) {
				ino = BPF_CORE_READ(d, d_inode, i_ino);
			} else {
				in = d->d_inode;
				ino = in ? in->i_ino : 0;
			}
			name = (__u64)d->d_name.name;
			len = d->d_name.len;
		} else {
			if (pg_file_dentry_core(fm, (__u64)d, &parent, &inode, &name, &len)) {
				pg_count_error(PG_ERR_READ_PATH);
				fm->walk_trunc = 0;
				break;
			}
			ino = 0;
			if (inode)
				ino = BPF_CORE_READ((struct inode *)inode, i_ino);
		}
		if (i == 0) {
			fm->name_ptr = name;
			fm->name_len = len;
		}
		/* a negative dentry (a create) has no identity of its own */
		if (ino) {
			v = pg_file_id_lookup(fm, bloom, dev, ino);
			if (v && i == 0) {
				pg_mask_or(&fm->path_pos, &v->self.pos);
				pg_mask_or(&fm->path_neg, &v->self.neg);
			} else if (v) {
				pg_mask_or(&fm->path_pos, &v->tree.pos);
				pg_mask_or(&fm->path_neg, &v->tree.neg);
				if (i == 1 && (v->flags & PG_FILE_ID_F_NAMES))
					pg_file_name_lookup(fm, dev, ino, &fm->path_pos,
							    &fm->path_neg);
			}
		}
		if (!parent || parent == (__u64)d) {
			fm->walk_trunc = 0;
			break;
		}
		d = (struct dentry *)parent;
	}
	if (fm->walk_trunc)
		pg_count_error(PG_ERR_FILE_DEPTH);
	return 0;
}

/*
 * Subprograms, not inlined: the walk is the biggest piece of every
 * program, and the object has 39 of them. Static, so the verifier
 * checks each call with the caller's own pointer types (a BTF dentry
 * stays one).
 */
static __noinline int pg_file_walk_btf(struct pg_file_match *fm, const struct pg_file_bloom *bloom,
				       struct dentry *dentry)
{
	return pg_file_walk(fm, bloom, dentry, 1);
}

static __noinline int pg_file_walk_open(struct pg_file_match *fm, const struct pg_file_bloom *bloom,
					struct dentry *dentry)
{
	return pg_file_walk(fm, bloom, dentry, PG_TYPED_OPEN);
}

static __noinline int pg_file_walk_core(struct pg_file_match *fm, const struct pg_file_bloom *bloom,
					struct dentry *dentry)
{
	return pg_file_walk(fm, bloom, dentry, 0);
}

/*
 * Steps 3 to 5 for one file of the operation: fm->sel |= what the
 * candidates accept of @dentry. Two-file operations (rename, link) call
 * it for each: either file matching is the operation matching.
 */
static __always_inline void pg_file_select(struct pg_file_match *fm,
					   const struct pg_policy_masks *m, struct dentry *dentry,
					   const int typed)
{
	const struct pg_file_bloom *bloom;
	__u32 uses = m->uses;
	int ids, names;

	__builtin_memset(&fm->path_pos, 0, sizeof(fm->path_pos));
	__builtin_memset(&fm->path_neg, 0, sizeof(fm->path_neg));
	__builtin_memset(&fm->name_pos, 0, sizeof(fm->name_pos));
	__builtin_memset(&fm->name_neg, 0, sizeof(fm->name_neg));
	fm->name_state = PG_NAME_UNREAD;
	fm->name_ptr = 0;
	fm->name_len = 0;
	/*
	 * Only what the candidate rules select on: the walk for `path:`
	 * rules, the name for `name:` rules, and the name only when some
	 * `name:` value has its length (a lookup that cannot hit, skipped,
	 * is a miss: what `not:` wants too).
	 */
	ids = (uses & PG_USES_FILE_IDS) && pg_mask_meets(&fm->cand, &m->file_ids);
	names = (uses & PG_USES_FILE_NAMES) && pg_mask_meets(&fm->cand, &m->file_names);
	if (ids) {
		bloom = bpf_map_lookup_elem(&pg_pol_fbloom, &fm->gen);
		if (bloom && typed == PG_TYPED_OPEN)
			pg_file_walk_open(fm, bloom, dentry);
		else if (bloom && typed)
			pg_file_walk_btf(fm, bloom, dentry);
		else if (bloom)
			pg_file_walk_core(fm, bloom, dentry);
	} else if (names && typed) {
		fm->name_ptr = (__u64)dentry->d_name.name;
		fm->name_len = dentry->d_name.len;
	} else if (names) {
		fm->name_ptr = (__u64)BPF_CORE_READ(dentry, d_name.name);
		fm->name_len = BPF_CORE_READ(dentry, d_name.len);
	}
	if (names && fm->name_len < 64 && ((m->name_lens >> (fm->name_len & 63)) & 1))
		pg_file_name_lookup(fm, 0, 0, &fm->name_pos, &fm->name_neg);
	fm->one = fm->cand;
	pg_mask_apply(&fm->one, &m->any[PG_SEL_PATH], &fm->path_pos, &fm->path_neg);
	pg_mask_apply(&fm->one, &m->any[PG_SEL_NAME], &fm->name_pos, &fm->name_neg);
	pg_mask_or(&fm->sel, &fm->one);
}

/*
 * Step 6: the verdict over fm->sel (pg_policy_decide()); @can_deny: LSM
 * hooks only, which run before the operation. A kill from an LSM hook
 * also denies: SIGKILL only lands when the task returns to user space,
 * after the unlink, rename or chmod it was killed for would have happened.
 */
static __always_inline int pg_file_decide(struct pg_file_match *fm, const struct pg_policy_masks *m,
					  struct pg_verdict *v, struct pg_rule_mask *matched,
					  int can_deny)
{
	return pg_policy_decide(&fm->sel, &fm->one, m, fm->gen, v, matched, can_deny, 1);
}

#endif /* PENGUARD_LIB_FILE_MATCH_BPF_H */
