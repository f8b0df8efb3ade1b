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
#include <stdint.h>

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

/* pg_pol_addrs: an `address:` block */
struct pg_addr_entry {
	struct pg_policy_addr_key key;
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
	struct pg_id_entry *ids; /* uid, euid, auid and port */
	size_t n_ids;
	struct pg_addr_entry *addrs;
	size_t n_addrs;
	struct pg_file_tables files; /* file selectors: identities, names, bloom */
};

/*
 * The event types a deny can really be done for (bit 1 << type), given
 * the backend each sensor runs (NULL: not loaded): process_exec needs the
 * exec_enforce sensor (BPF LSM), file events the file sensor's lsm
 * backend, network_connect and network_udp the network sensor's cgroup or
 * lsm backend, credentials_change the host sensor's lsm backend. Nothing
 * denies the other events.
 */
uint64_t pg_policy_deny_events(const char *exec_enforce, const char *file, const char *network,
			       const char *host);

/*
 * Not an event type: host_change of kind sysctl alone can be denied
 * (the host sensor's cgroup/sysctl hook runs); the agent adds it to
 * pg_policy_deny_events() where it does.
 */
#define PG_POLICY_DENY_SYSCTL (1ULL << 63)

/*
 * Compile @n policies under generation @gen. @deny_events: the event
 * types that can be denied here (pg_policy_deny_events()); a deny rule in
 * enforce mode on any other event type needs `fallback: kill` (the whole
 * rule then kills) or the set is refused, each refusal in @diag.
 * Returns 0 or a negative errno; @ret is untouched on failure.
 */
int pg_policy_compile(struct pg_policy *const *pols, size_t n, unsigned gen, uint64_t deny_events,
		      struct pg_compiled *ret, struct pg_diag *diag);
void pg_compiled_free(struct pg_compiled *c);

/*
 * What an event offers the selectors decided in user space; NULL: the
 * event has none (it matches as "").
 */
struct pg_user_fields {
	const char *container_id, *cgroup;
	const char *arguments; /* process events */
	const char *dns_name;  /* network events: the name asked, or the remote's */
	bool stdio_socket;     /* the process has the stdioSocket flag */
	bool fileless;	       /* its binary is a memfd or a deleted file */
};

/* Does the rule's user-space part accept these? */
bool pg_policy_user_match(const struct pg_rule *r, const struct pg_user_fields *f);

#endif
