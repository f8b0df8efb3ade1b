/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Compiling parsed policies into what the kernel evaluates
 * (bpf/lib/policy.bpf.h): per selector kind, a map from value to the mask
 * of rules that accept it, plus per-generation masks. Pure: no BPF here,
 * so the compiler is unit-tested and fuzzed on its own; the engine
 * (policy_engine.c) writes the result into the maps.
 */
#ifndef PG_POLICY_COMPILE_H
#define PG_POLICY_COMPILE_H

#include <stdbool.h>
#include <stddef.h>

#include <penguard/events.h>

#include "policy.h"
#include "policy_files.h"

struct pg_path_entry {
	struct pg_policy_path_key key;
	struct pg_path_masks val;
};

struct pg_id_entry {
	struct pg_policy_id_key key;
	struct pg_id_masks val;
};

/* Rule index -> where it came from, for rendering and user-space selectors. */
struct pg_compiled_rule {
	const struct pg_policy *policy;
	const struct pg_rule *rule;
	enum pg_action action; /* what the kernel does: kill may stand in for deny */
	bool user;	       /* has selectors only the agent can evaluate */
};

struct pg_compiled {
	unsigned gen;
	struct pg_policy_masks masks;
	struct pg_policy_rule rules[PG_POLICY_RULES];
	struct pg_compiled_rule index[PG_POLICY_RULES];
	size_t n_rules;
	struct pg_path_entry *paths; /* exact and prefix trie */
	size_t n_paths;
	struct pg_path_entry *suffixes; /* reversed-path trie */
	size_t n_suffixes;
	struct pg_id_entry *ids;
	size_t n_ids;
	struct pg_file_tables files; /* file selectors: identities, names, bloom */
};

/*
 * Compile @n policies under generation @gen. @can_deny: this kernel runs
 * a backend that can deny (BPF LSM); if not, a deny rule needs
 * `fallback: kill` or the set is refused, each refusal in @diag.
 * Returns 0 or a negative errno; @ret is untouched on failure.
 */
int pg_policy_compile(struct pg_policy *const *pols, size_t n, unsigned gen, bool can_deny,
		      struct pg_compiled *ret, struct pg_diag *diag);
void pg_compiled_free(struct pg_compiled *c);

/* Does the rule's user-space part (container_id, cgroup, arguments) accept these? */
bool pg_policy_user_match(const struct pg_rule *r, const char *container_id, const char *cgroup,
			  const char *arguments);

#endif
