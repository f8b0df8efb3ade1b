/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * File selectors, compiled: the `path:` values of file rules resolved to
 * the identities (device, inode) the kernel compares, `name:` values to
 * name keys, and the bloom filter the kernel checks before any lookup
 * (include/penguard/events.h explains the scheme). Also the same decision
 * in user space, for the records whose paths only the agent can resolve.
 */
#ifndef PG_POLICY_FILES_H
#define PG_POLICY_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include <penguard/events.h>

#include "policy.h"

/* Rule-mask bit operations, for the compiler and the file tables alike. */
static inline void pg_mask_set(struct pg_rule_mask *m, unsigned bit)
{
	m->w[bit / 64] |= 1ULL << (bit % 64);
}

static inline bool pg_mask_has(const struct pg_rule_mask *m, unsigned bit)
{
	return m->w[bit / 64] & (1ULL << (bit % 64));
}

static inline void pg_mask_or(struct pg_rule_mask *d, const struct pg_rule_mask *a)
{
	int i;

	for (i = 0; i < PG_MASK_WORDS; i++)
		d->w[i] |= a->w[i];
}

struct pg_file_entry {
	struct pg_file_id_key key;
	struct pg_file_id_val val;
};

struct pg_fname_entry {
	struct pg_file_name_key key;
	struct pg_file_masks val;
};

struct pg_file_tables {
	unsigned gen;
	struct pg_file_entry *files; /* sorted by key, one entry per identity */
	size_t n_files, cap_files;
	struct pg_fname_entry *names; /* sorted by key */
	size_t n_names, cap_names;
	struct pg_file_bloom bloom;
	/* values the kernel cannot watch (nothing exists there yet), for the log */
	char **unwatched;
	size_t n_unwatched;
	/* every value as resolved, to notice when one changes (pg_policy_files_changed) */
	struct pg_file_watch *watches;
	size_t n_watches;
};

struct pg_file_watch {
	char *path;
	unsigned dev; /* 0 with ino 0: did not exist */
	unsigned long long ino;
};

/*
 * How path values are resolved at load: stat(2), replaceable so that the
 * unit tests and the fuzzer decide what exists.
 */
typedef int (*pg_stat_fn)(const char *path, struct stat *st);
void pg_policy_files_set_stat(pg_stat_fn fn);

/* The kernel's encoding of a device number (MKDEV: major << 20 | minor). */
unsigned pg_kdev(dev_t d);

/*
 * Add rule @bit's file selectors (@r's match and not) to @t. A prefix
 * that names a file rather than a directory is a mistake (-EINVAL, said
 * in @diag with @file); a value that does not exist yet is kept for the
 * name-in-directory match when its directory exists, else noted in
 * t->unwatched. 0 or -errno.
 */
int pg_policy_files_add(struct pg_file_tables *t, const char *file, const struct pg_rule *r,
			unsigned bit, struct pg_diag *diag);
/*
 * Has any value come to exist, gone, or been replaced (another inode: a
 * rename over it, as editors and vipw do) since @t was built? Then the
 * kernel's identities are stale and the set should be compiled again.
 */
bool pg_policy_files_changed(const struct pg_file_tables *t);
/* Merge entries of the same key, sort, fill the bloom filter. 0 or -ENOMEM. */
int pg_policy_files_finish(struct pg_file_tables *t);
void pg_policy_files_free(struct pg_file_tables *t);

/*
 * User space's version of the kernel's decision, for an absolute,
 * normalised @path: does rule @bit (@r) accept it? By string (exact, or
 * below a prefix; the last component for `name:`) and, where the file or
 * its directories exist now, by identity through @t.
 */
bool pg_policy_files_match(const struct pg_file_tables *t, const struct pg_rule *r, unsigned bit,
			   const char *path, int event_type);

#endif
