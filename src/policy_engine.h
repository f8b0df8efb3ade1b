/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The running policy set: read from the built-in policies, the policy
 * folder and --policy, compiled (policy_compile.c) and written into the
 * shared policy maps under one generation, then switched on with one
 * write. A reload (SIGHUP) builds the other generation and switches; a
 * set that fails to parse, compile or load leaves the old one active.
 * Both generations' rules stay known here, so a record decided under the
 * old one still names its rule after a switch.
 */
#ifndef PG_POLICY_ENGINE_H
#define PG_POLICY_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include <penguard/events.h>

#include "config.h"
#include "policy_compile.h"

struct pg_loader;
struct pg_json;
struct pg_policy_engine;

/* The decision on one record: the rule to name, and what was done. */
struct pg_decision {
	const struct pg_compiled_rule *rule; /* NULL: not reported */
	const char *action;		     /* "report", "kill", "deny" */
	bool taken;			     /* enforced (else: monitor mode, "would") */
};

/* @deny_events: see pg_policy_engine__set_deny_events() */
int pg_policy_engine__new(struct pg_policy_engine **ret, const struct pg_config *cfg,
			  uint64_t deny_events);
void pg_policy_engine__free(struct pg_policy_engine *e);
/* Read every source, compile, write the next generation, switch. 0 or -errno (said why). */
int pg_policy_engine__load(struct pg_policy_engine *e, struct pg_loader *l);
/*
 * Does the active set deny (enforce mode) an event of a type in
 * [@first, @last]? Then an LSM backend must run for those events.
 */
bool pg_policy_engine__denies(const struct pg_policy_engine *e, int first, int last);
/*
 * Has a watched path come to exist, gone, or been replaced since the
 * active set was compiled? Then its identities are stale: reload.
 */
bool pg_policy_engine__stale(const struct pg_policy_engine *e);
/*
 * The event types (bit 1 << type, pg_policy_deny_events()) whose deny
 * rules later loads (SIGHUP) compile as denials; a deny rule on any other
 * type needs `fallback: kill`, or the set is refused.
 */
void pg_policy_engine__set_deny_events(struct pg_policy_engine *e, uint64_t deny_events);
/* Number of rules active, and of policies. */
size_t pg_policy_engine__rules(const struct pg_policy_engine *e);
size_t pg_policy_engine__policies(const struct pg_policy_engine *e);

/*
 * Decide on a record the kernel gave @v for (and, for execs, the mask of
 * every rule it matched): completes the rules with user-space selectors
 * on the event's fields @f, and kills @pid from here when
 * such a rule says kill. Returns false when the record is not reported.
 */
bool pg_policy_engine__decide(struct pg_policy_engine *e, const struct pg_verdict *v,
			      const struct pg_rule_mask *matched, uint32_t pid,
			      const struct pg_user_fields *f, struct pg_decision *ret);
/*
 * Decide on a file record whose paths the agent resolved itself (the
 * syscall backend's path-argument calls, PG_FILE_F_USER_PATH): the kernel
 * sent every rule of @matched that its process selectors accept; keep
 * those whose file selectors accept @path or @path2 (absolute, normalised;
 * @path2 may be NULL), by string and, where the file still exists, by
 * identity (lstat), then as pg_policy_engine__decide().
 */
bool pg_policy_engine__decide_file(struct pg_policy_engine *e, const struct pg_verdict *v,
				   const struct pg_rule_mask *matched, uint32_t pid,
				   const char *path, const char *path2,
				   const struct pg_user_fields *f, struct pg_decision *ret);
/*
 * `penguard policy add`: parse @text, then load the whole set with it (a
 * policy of the same name is replaced). `remove`: load the set without the
 * policy @name, until it is added again. On failure the old set stays
 * active and @diag says why. 0, -ENOENT (remove: no such policy) or -errno.
 */
int pg_policy_engine__add(struct pg_policy_engine *e, struct pg_loader *l, const char *text,
			  struct pg_diag *diag);
int pg_policy_engine__remove(struct pg_policy_engine *e, struct pg_loader *l, const char *name,
			     struct pg_diag *diag);

/* "policy":{…},"tags":[…] of a decision, inside the event object. */
void pg_policy_engine__render(const struct pg_decision *d, struct pg_json *w);
/* Per policy and rule: matched, killed, denied, rate-limited, user-space decisions. */
void pg_policy_engine__stats_json(const struct pg_policy_engine *e, const struct pg_loader *l,
				  struct pg_json *w);

/*
 * SIGKILL to @pid, through a pidfd where the kernel has them: for a kill
 * that the kernel side decided but could not send (a cgroup hook).
 */
void pg_policy_kill_pid(uint32_t pid);

#endif
