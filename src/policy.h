/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Policies: YAML files of rules, parsed into this model, checked, then
 * compiled into BPF maps (policy_compile.c) that the sensors evaluate in
 * the kernel. This header is the parsed model: what a policy says, with
 * where it says it, so every mistake is reported as file:line:column.
 *
 *   name: no-tmp-binaries
 *   description: Nothing runs from world-writable directories
 *   mode: enforce              # or monitor (default)
 *   rules:
 *     - name: kill-tmp-exec
 *       on: [process_exec]
 *       match:
 *         binary: {prefix: [/tmp/, /dev/shm/]}
 *         not:
 *           uid: [0]
 *       action: kill           # report (default) | deny | kill
 *       # fallback: kill       # deny only: what to do where nothing can deny
 *       rate_limit: {max: 10, per: process, interval: 1s}   # or per: global
 *       tags: [persistence]
 *
 * A list of strings is exact match; {exact: […], prefix: […], suffix: […],
 * contains: […]} the operators (contains: arguments only). Numbers are a
 * list of values or "lo-hi" ranges. Selectors are ANDed, the values of one
 * selector ORed; `not:` holds selectors that must not match.
 *
 * docs/POLICY.md is the reference of the language; policy.c the parser.
 */
#ifndef PG_POLICY_H
#define PG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <penguard/events.h>

#define PG_POLICY_MAX_RULES 256 /* rules loaded at once, all policies together */

/*
 * Limits on what a policy file may ask of the parser: every one is a
 * mistake when exceeded, never a silent truncation.
 */
#define PG_POLICY_MAX_FILE_SIZE (4 << 20)    /* bytes (pg_policy_parse_file) */
#define PG_POLICY_MAX_STRING 4095	     /* bytes in one string */
#define PG_POLICY_MAX_VALUES 100000	     /* values in one selector, operators together */
#define PG_POLICY_MAX_TAGS 16		     /* tags on one rule */
#define PG_POLICY_MAX_DEPTH 32		     /* nested lists and mappings (a policy needs 7) */
#define PG_POLICY_MIN_INTERVAL_NS 1000000ULL /* rate_limit.interval: 1 ms */
#define PG_POLICY_MAX_INTERVAL_NS 86400000000000ULL /* 24 h */
#define PG_DIAG_MAX 100 /* messages kept; the last says the parse stopped */

/* The event families, as pg_rule.events bits: file and network selectors need theirs. */
#define PG_POLICY_PROCESS_EVENTS                                                                   \
	((1ULL << PG_EVENT_PROCESS_EXEC) | (1ULL << PG_EVENT_PROCESS_EXIT) |                       \
	 (1ULL << PG_EVENT_PROCESS_FORK))
#define PG_POLICY_FILE_EVENTS                                                                      \
	((1ULL << PG_EVENT_FILE_OPEN) | (1ULL << PG_EVENT_FILE_CREATE) |                           \
	 (1ULL << PG_EVENT_FILE_UNLINK) | (1ULL << PG_EVENT_FILE_RENAME) |                         \
	 (1ULL << PG_EVENT_FILE_CHMOD) | (1ULL << PG_EVENT_FILE_CHOWN) |                           \
	 (1ULL << PG_EVENT_FILE_TRUNCATE) | (1ULL << PG_EVENT_FILE_LINK) |                         \
	 (1ULL << PG_EVENT_FILE_SYMLINK) | (1ULL << PG_EVENT_FILE_MMAP_EXEC))
#define PG_POLICY_NET_EVENTS                                                                       \
	((1ULL << PG_EVENT_NET_CONNECT) | (1ULL << PG_EVENT_NET_ACCEPT) |                          \
	 (1ULL << PG_EVENT_NET_CLOSE) | (1ULL << PG_EVENT_NET_LISTEN) |                            \
	 (1ULL << PG_EVENT_NET_UDP) | (1ULL << PG_EVENT_DNS_QUERY) |                               \
	 (1ULL << PG_EVENT_DNS_ANSWER))
#define PG_POLICY_HOST_EVENTS                                                                      \
	((1ULL << PG_EVENT_CREDS_CHANGE) | (1ULL << PG_EVENT_NS_CHANGE) |                          \
	 (1ULL << PG_EVENT_HOST_CHANGE))

enum pg_policy_mode {
	PG_MODE_MONITOR = 0, /* actions other than report are only reported: "would kill" */
	PG_MODE_ENFORCE = 1,
};

enum pg_action {
	PG_ACTION_NONE = 0, /* no fallback */
	PG_ACTION_REPORT = 1,
	PG_ACTION_DENY = 2, /* the operation fails with EPERM (LSM, cgroup hooks) */
	PG_ACTION_KILL = 3, /* SIGKILL from the kernel */
};

/* Where something was said: for messages. */
struct pg_pos {
	int line, column; /* 1-based */
};

/* A set of strings, by operator. Strings are NUL-terminated, owned. */
struct pg_str_set {
	char **exact;
	size_t n_exact;
	char **prefix;
	size_t n_prefix;
	char **suffix;
	size_t n_suffix;
	char **contains; /* arguments only */
	size_t n_contains;
	bool present; /* the selector was written */
	struct pg_pos pos;
};

struct pg_range {
	uint32_t lo, hi; /* inclusive */
};

struct pg_uint_set {
	struct pg_range *ranges;
	size_t n;
	bool present;
	struct pg_pos pos;
};

/*
 * An `address:` value: a CIDR block, the host bits under the mask zero.
 * An IPv4-mapped IPv6 block (::ffff:10.0.0.0/104) is stored as the IPv4
 * block it maps (10.0.0.0/8): the kernel side matches a mapped address
 * as IPv4.
 */
struct pg_cidr {
	uint8_t family;	  /* PG_NET_V4, PG_NET_V6 */
	uint8_t prefix;	  /* bits: 0..32 (IPv4), 0..128 (IPv6) */
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes; zero past the prefix */
};

struct pg_cidr_set {
	struct pg_cidr *v;
	size_t n;
	bool present;
	struct pg_pos pos;
};

enum pg_tristate {
	PG_ANY = -1, /* not written */
	PG_NO = 0,
	PG_YES = 1,
};

/* The selectors of one `match:` or `not:` block. */
struct pg_selectors {
	/* evaluated in the kernel */
	struct pg_str_set binary;	   /* exact, prefix, suffix */
	struct pg_str_set parent_binary;   /* exact, prefix, suffix */
	struct pg_str_set ancestor_binary; /* exact, prefix, suffix: any ancestor */
	struct pg_uint_set uid;		   /* real uid */
	struct pg_uint_set euid;
	struct pg_uint_set auid;
	enum pg_tristate in_container; /* in a pid namespace other than pid 1's */
	/* evaluated in user space: the kernel pre-filters on the others */
	struct pg_str_set container_id; /* exact, prefix */
	struct pg_str_set cgroup;	/* exact, prefix (cgroup path) */
	struct pg_str_set arguments;	/* exact, prefix, suffix, contains (the arguments string) */
	enum pg_tristate stdio_socket;	/* a shell or interpreter with a socket on stdin/stdout */
	enum pg_tristate fileless;	/* runs a memfd or a deleted file */
	/* file events only, evaluated in the kernel */
	struct pg_str_set path;	  /* exact (a file), prefix (a directory: what is below it) */
	struct pg_str_set name;	  /* exact: the file's last component, in any directory */
	struct pg_str_set access; /* exact: read, write (file_open) */
	/*
	 * network events only, evaluated in the kernel: the remote end
	 * (network_listen: the local one, the address it is bound to)
	 */
	struct pg_cidr_set address;
	struct pg_uint_set port;     /* 0..65535 */
	struct pg_str_set protocol;  /* exact: tcp, udp */
	struct pg_str_set direction; /* exact: outbound, inbound */
	/*
	 * network events only, evaluated in user space: the name asked
	 * (dns_query, dns_answer) or the name the host resolved to the
	 * remote address (socket.remote_name); exact, suffix; lower case,
	 * without the root's trailing dot
	 */
	struct pg_str_set dns_name;
	/* host events: host_change's kind (mount, hostname, time, …: pg_policy_host_kind) */
	struct pg_str_set kind;
};

/* pg_rule.events: bit (1 << enum pg_event_type) per event the rule applies to */
struct pg_rate_limit {
	uint32_t max;	      /* events per interval; 0: no limit */
	uint64_t interval_ns; /* default 1 s */
	bool per_process;     /* else global */
};

struct pg_rule {
	char *name;
	uint64_t events;
	struct pg_selectors match;
	struct pg_selectors not ;
	enum pg_action action;
	enum pg_action fallback; /* for deny; PG_ACTION_NONE if not written */
	struct pg_rate_limit rate;
	char **tags;
	size_t n_tags;
	struct pg_pos pos;	  /* of the rule's mapping */
	struct pg_pos action_pos; /* of `action:`'s value; 0:0 if not written */
};

struct pg_policy {
	char *name;
	char *description;
	char *file; /* where it was read from */
	enum pg_policy_mode mode;
	struct pg_rule *rules;
	size_t n_rules;
};

/*
 * Messages collected while parsing: "file:line:column: message", or
 * "file: message" for a file that could not be read. At most PG_DIAG_MAX.
 */
struct pg_diag {
	char **msgs;
	size_t n;
};

void pg_diag_free(struct pg_diag *d);
/* Append one message; 0 or -ENOMEM. */
int pg_diag_add(struct pg_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parse one policy from @buf (YAML, @len bytes); @file names it in the
 * messages. Returns 0, or -EINVAL with every mistake found in @diag (the
 * parser goes on after a mistake where it can, so one run shows them all).
 * Unknown keys, wrong types, unknown events or actions, empty names,
 * duplicate rule names and inverted ranges are all mistakes. (Whether
 * this kernel can deny is decided when the policy is loaded.)
 * @diag is overwritten (may be NULL): empty on success, owned by the caller
 * (pg_diag_free) either way. *@ret is written on success only. -ENOMEM if
 * memory ran out. pg_policy_parse_file() reads at most
 * PG_POLICY_MAX_FILE_SIZE bytes and also returns -EFBIG or open()/read()'s
 * -errno, with a "file: message" in @diag.
 */
int pg_policy_parse(const char *buf, size_t len, const char *file, struct pg_policy *ret,
		    struct pg_diag *diag);
int pg_policy_parse_file(const char *path, struct pg_policy *ret, struct pg_diag *diag);
void pg_policy_free(struct pg_policy *p);

/* Event names a rule may name in `on:` (process_exec, process_exit, …). */
int pg_policy_event_type(const char *name); /* enum pg_event_type, or -ENOENT */
const char *pg_policy_event_name(int type); /* NULL if no policy can name it */
const char *pg_action_name(enum pg_action a);
const char *pg_policy_mode_name(enum pg_policy_mode m);

/* `penguard policy …` (policy_cmd.c): argv[0] is "policy"; returns the exit status. */
int pg_policy_cmd(int argc, char **argv);

/* host_change's kind PG_HOST_KIND_* @kind as a name ("mount"), or "unknown". */
const char *pg_policy_host_kind_name(unsigned kind);
/* The PG_HOST_KIND_* named @name, or -ENOENT. */
int pg_policy_host_kind(const char *name);

#endif
