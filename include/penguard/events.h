/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one ABI shared by the BPF programs and the agent. Nothing else
 * crosses the kernel/user line. Fixed-width types only, explicit padding,
 * sizes checked by both compilers.
 *
 * Event type numbers are part of the ABI: never renumber or reuse one.
 */
#ifndef PENGUARD_EVENTS_H
#define PENGUARD_EVENTS_H

#ifdef __BPF__
/* vmlinux.h provides __u8 … __u64 on the BPF side */
#else
#include <linux/types.h>
#endif

enum pg_event_type {
	PG_EVENT_NONE = 0,
	PG_EVENT_PROCESS_EXEC = 1,
	PG_EVENT_PROCESS_EXIT = 2,
	PG_EVENT_PROCESS_FORK = 3,
	PG_EVENT_PROCESS_SEED = 4, /* a process found running at start-up */
	PG_EVENT_EXEC_DENIED = 5,  /* an exec the policy denied (LSM) */
	/* file sensor (struct pg_file_event), one type per operation */
	PG_EVENT_FILE_OPEN = 6,
	PG_EVENT_FILE_CREATE = 7, /* a new file: open(O_CREAT) that created it, mknod */
	PG_EVENT_FILE_UNLINK = 8, /* unlink and rmdir */
	PG_EVENT_FILE_RENAME = 9,
	PG_EVENT_FILE_CHMOD = 10,
	PG_EVENT_FILE_CHOWN = 11,
	PG_EVENT_FILE_TRUNCATE = 12,
	PG_EVENT_FILE_LINK = 13,
	PG_EVENT_FILE_SYMLINK = 14,
	PG_EVENT_FILE_MMAP_EXEC = 15, /* a file mapped executable */
	/* network sensor (struct pg_net_event) */
	PG_EVENT_NET_CONNECT = 16, /* the call, then its outcome (pg_net_event.state) */
	PG_EVENT_NET_ACCEPT = 17,  /* an inbound TCP connection, as accept() returns it */
	PG_EVENT_NET_CLOSE = 18,   /* a reported connection ends: bytes, duration */
	PG_EVENT_NET_LISTEN = 19,
	PG_EVENT_NET_UDP = 20,	  /* a datagram to a destination new for this process */
	PG_EVENT_DNS_QUERY = 21,  /* a DNS query, UDP or TCP (struct pg_dns_event) */
	PG_EVENT_DNS_ANSWER = 22, /* the answer to a query a rule selected */
	/* host sensor */
	PG_EVENT_CREDS_CHANGE = 23, /* struct pg_creds_event */
	PG_EVENT_NS_CHANGE = 24,    /* struct pg_ns_event */
	PG_EVENT_HOST_CHANGE = 25,  /* struct pg_host_event */
	PG_EVENT_MAX,		    /* keep last; sizes the stats arrays */
};

/* Kernel-side failures that are counted, never ignored. */
enum pg_error {
	PG_ERR_NONE = 0,
	PG_ERR_SCRATCH = 1,   /* per-CPU scratch buffer unavailable */
	PG_ERR_READ_ARGS = 2, /* argv could not be read from user memory */
	PG_ERR_READ_PATH = 3, /* a path component could not be read */
	PG_ERR_READ_CGROUP = 4,
	PG_ERR_PROCS_MAP = 5, /* the process map rejected an update */
	PG_ERR_READ_COMM = 6, /* comm or tty could not be read */
	PG_ERR_READ_FILENAME = 7,
	PG_ERR_SEQ_WRITE = 8, /* the seeding iterator's output was full */
	PG_ERR_CONFIG = 9,    /* the runtime config map could not be read */
	PG_ERR_READ_CREDS = 10,
	PG_ERR_FILE_DEPTH = 11,	    /* a file deeper than the identity walk follows */
	PG_ERR_READ_USER_PATH = 12, /* a path argument could not be read from user memory */
	PG_ERR_NET_SOCKS = 13,	    /* the connection map rejected an update: no close event */
	PG_ERR_EXEC_CREDS = 14,	    /* an exec's credentials at entry had no room: not compared */
	PG_ERR_MAX,
};

/* pg_event_header.flags */
#define PG_EVENT_F_NONE 0
#define PG_EVENT_F_COMPAT32 (1U << 0) /* a 32-bit system call did it (x86: ia32, int $0x80) */
#define PG_EVENT_F_REFUSED (1U << 1)  /* refused before it happened: nothing changed */

/* Common header of every record in a ring buffer. */
struct pg_event_header {
	__u16 type; /* enum pg_event_type */
	__u16 flags;
	__u32 size;  /* whole record, header included */
	__u64 ktime; /* CLOCK_MONOTONIC ns when the event happened */
};

/*
 * A process is named by (pid, ktime): ktime is the CLOCK_MONOTONIC time of
 * its last exec, or of its fork if it never exec'd. That pair is unique per
 * boot and stable for the life of the process image; the exec_id shown to
 * users is derived from it and the node name.
 */
struct pg_process_key {
	__u32 pid;
	__u32 pad;
	__u64 ktime;
};

/*
 * Who did it: every record of every sensor starts with the header and this,
 * so the agent finds the process (and its parent) in its cache whatever
 * the sensor, and no sensor needs to know another.
 */
struct pg_event_process {
	struct pg_process_key proc;
	struct pg_process_key parent;
	__u32 tid;
	__u32 ppid;
};

/* ---- policies (src/policy.h, bpf/lib/policy.bpf.h) ---- */

/*
 * Every map below is keyed by a generation (0 or 1) first: the agent
 * writes a new policy set under the other generation, then switches the
 * active one in pg_policy_state with one write, then deletes the old one.
 * A swap is atomic for the programs: no event sees half a policy set.
 */
#define PG_POLICY_RULES 256
#define PG_MASK_WORDS (PG_POLICY_RULES / 64)
#define PG_POLICY_STR_MAX 254	/* path bytes in a trie key (exact values: this, minus NUL) */
#define PG_POLICY_SUFFIX_MAX 64 /* bytes a suffix selector may hold */

/* One bit per rule. */
struct pg_rule_mask {
	__u64 w[PG_MASK_WORDS];
};

/* Selector kinds whose values are a binary path, as the event's own
 * binary, its parent's, or any ancestor's. */
enum pg_bin_kind {
	PG_BIN_SELF = 0,
	PG_BIN_PARENT = 1,
	PG_BIN_ANCESTOR = 2,
	PG_BIN_KINDS,
};

/*
 * Value of the binary-path tries: the rules whose selector of each kind
 * accepts (pos) or, under `not:`, rejects (neg) the path. The agent folds
 * every entry's shorter matching prefixes into it, so the longest match
 * the trie returns carries them all.
 */
struct pg_path_masks {
	struct pg_rule_mask pos[PG_BIN_KINDS];
	struct pg_rule_mask neg[PG_BIN_KINDS];
};

/*
 * Binary path tries (exact and prefix in one: an exact value is a prefix
 * that includes the terminating NUL; suffixes in a second trie, keyed by
 * the reversed path). prefixlen counts bits from gen on.
 */
struct pg_policy_path_key {
	__u32 prefixlen;
	__u8 gen;
	__u8 data[PG_POLICY_STR_MAX + 1];
};

enum pg_id_kind {
	PG_ID_UID = 0,
	PG_ID_EUID = 1,
	PG_ID_AUID = 2,
	PG_ID_PORT = 3, /* network: remote port (listen: local), a 16-bit value */
	PG_ID_KINDS,
};

/* uid/euid/auid trie: ranges become prefixes of the big-endian value. */
struct pg_policy_id_key {
	__u32 prefixlen; /* bits from gen on: 16 + 32 for an exact value */
	__u8 gen;
	__u8 kind; /* enum pg_id_kind */
	__u8 be[4];
};

struct pg_id_masks {
	struct pg_rule_mask pos;
	struct pg_rule_mask neg;
};

/* Per generation: rules not constraining a kind (they accept any value). */
enum pg_sel_kind {
	PG_SEL_BINARY = 0,
	PG_SEL_PARENT = 1,
	PG_SEL_ANCESTOR = 2,
	PG_SEL_UID = 3,
	PG_SEL_EUID = 4,
	PG_SEL_AUID = 5,
	PG_SEL_CONTAINER = 6, /* in_container */
	PG_SEL_PATH = 7,      /* file events: the file, by identity (or by string, see below) */
	PG_SEL_NAME = 8,      /* file events: the file's own name, in any directory */
	PG_SEL_ADDRESS = 9,   /* network events: the remote address (CIDR sets) */
	PG_SEL_PORT = 10,     /* network events: the remote port (listen: the local one) */
	PG_SEL_KINDS,
};

/* host_change's kind: what of the host a call changes. */
enum pg_host_kind {
	PG_HOST_KIND_NONE = 0,
	PG_HOST_KIND_MOUNT = 1, /* mount, umount2, pivot_root, chroot, the new mount API */
	PG_HOST_KIND_HOSTNAME = 2,
	PG_HOST_KIND_TIME = 3,
	PG_HOST_KIND_SWAP = 4,
	PG_HOST_KIND_REBOOT = 5,
	PG_HOST_KIND_KEXEC = 6,
	PG_HOST_KIND_MODULE = 7,
	PG_HOST_KIND_BPF = 8,
	PG_HOST_KIND_PTRACE = 9,
	PG_HOST_KIND_PROCESS_VM_WRITE = 10,
	PG_HOST_KIND_SYSCTL = 11, /* a write to /proc/sys */
	PG_HOST_KINDS,
};

struct pg_policy_masks {
	struct pg_rule_mask any[PG_SEL_KINDS];
	struct pg_rule_mask in_container[2];	  /* rules accepting not-in / in a container */
	struct pg_rule_mask events[PG_EVENT_MAX]; /* rules that apply to each event type */
	struct pg_rule_mask kill;		  /* enforce-mode rules that kill */
	struct pg_rule_mask deny;		  /* enforce-mode rules that deny */
	struct pg_rule_mask user;    /* rules the agent completes (user-space selectors) */
	struct pg_rule_mask limited; /* rules with a rate limit */
	struct pg_rule_mask
		access[2]; /* file_open: rules accepting read-only (0), writing (1) opens */
	/* rules with a path (match or not) and with a name selector: who needs which lookup */
	struct pg_rule_mask file_ids;
	struct pg_rule_mask file_names;
	struct pg_rule_mask protocol[2]; /* network: rules accepting TCP (0), UDP (1) */
	/* network: rules accepting connections this host opened (0), or accepted (1) */
	struct pg_rule_mask direction[2];
	/* host_change: the rules accepting each kind (PG_HOST_KIND_*) */
	struct pg_rule_mask host_kind[PG_HOST_KINDS];
	__u64 name_lens; /* bit n: some `name:` value is n bytes long (n < 64) */
	__u32 uses;	 /* PG_USES_*: which lookups any rule needs */
	__u32 pad;
};

#define PG_USES_PATHS (1U << 0)
#define PG_USES_SUFFIX (1U << 1)
#define PG_USES_IDS (1U << 2)
#define PG_USES_FILE_IDS (1U << 3)   /* pg_pol_files: watched files and directories */
#define PG_USES_FILE_NAMES (1U << 4) /* pg_pol_fnames: `name:` selectors */
#define PG_USES_NET_ADDRS (1U << 5)  /* pg_pol_addrs: `address:` selectors */
#define PG_USES_NET_PORTS (1U << 6)  /* pg_pol_ids, kind PG_ID_PORT: `port:` selectors */

/*
 * `address:` selectors: CIDR blocks in an LPM trie keyed by family and
 * address (IPv4-mapped IPv6 addresses are matched as IPv4). As in the
 * path tries, the agent folds the masks of every shorter block into the
 * longer ones it contains, so the longest match carries them all.
 * prefixlen counts bits from gen on: 16 + 32 for an IPv4 host, 16 + 128
 * for an IPv6 one.
 */
struct pg_policy_addr_key {
	__u32 prefixlen;
	__u8 gen;
	__u8 family; /* PG_NET_V4, PG_NET_V6 */
	__u8 addr[16];
};

/*
 * File rules match the file the kernel used, by identity, so that neither
 * a hard link nor a bind mount nor a symlink walks around them. At load,
 * the agent resolves each exact `path:` to its (device, inode), and each
 * prefix (a directory) to the directory's; in the kernel an event's file
 * matches
 *   - its own identity (self: exact paths),
 *   - or that of one of its parent directories (tree: prefixes), found by
 *     walking d_parent, which a bind mount or hard link does not change,
 *   - or (name in directory) its name within a watched parent: an exact
 *     path that does not exist yet (/etc/ld.so.preload) or is replaced by
 *     a rename keeps matching.
 * `name:` selectors match the last component in any directory.
 * A bloom filter of the watched identities lets the walk skip the hash
 * lookups for the great majority of opens, which touch no watched file.
 */
#define PG_FILE_NAME_MAX 64 /* name bytes in a name key, NUL included */
#define PG_FILE_WALK 32	    /* parent directories the identity walk follows */
#define PG_FILE_BLOOM_BITS 65536

/* dev is the kernel's encoding (major << 20 | minor), as in super_block.s_dev */
struct pg_file_id_key {
	__u32 gen;
	__u32 dev;
	__u64 ino;
};

struct pg_file_masks {
	struct pg_rule_mask pos;
	struct pg_rule_mask neg; /* under `not:` */
};

#define PG_FILE_ID_F_NAMES (1U << 0) /* pg_pol_fnames has names in this directory */

struct pg_file_id_val {
	struct pg_file_masks self; /* the file (or directory) itself */
	struct pg_file_masks tree; /* anything below this directory */
	__u32 flags;		   /* PG_FILE_ID_F_* */
	__u32 pad;
};

/* A name within a directory (dir_ino set) or anywhere (dev = dir_ino = 0). */
struct pg_file_name_key {
	__u32 gen;
	__u32 dev;
	__u64 dir_ino;
	char name[PG_FILE_NAME_MAX]; /* NUL-padded */
};

/* One per generation: the bits of every watched identity's hash. */
struct pg_file_bloom {
	__u64 w[PG_FILE_BLOOM_BITS / 64];
};

/* The bloom bit of an identity: both sides compute it this way. */
static inline __u32 pg_file_bloom_bit(__u32 dev, __u64 ino)
{
	return (__u32)(((ino ^ ((__u64)dev << 40)) * 0x9E3779B97F4A7C15ULL) >> 48);
}

struct pg_policy_rule {
	__u32 rate_max; /* events per interval; 0: unlimited */
	__u8 per_process;
	__u8 pad[3];
	__u64 rate_interval_ns;
};

/* Per-CPU counters per rule index of the active generation. */
struct pg_rule_stats {
	__u64 matched;
	__u64 killed;
	__u64 denied;
	__u64 rate_limited;
};

/* The policy verdict every record carries (struct pg_event_base). */
#define PG_VERDICT_F_MATCHED (1U << 0) /* a rule matched: report it */
#define PG_VERDICT_F_KILLED (1U << 1)
#define PG_VERDICT_F_DENIED (1U << 2)
#define PG_VERDICT_F_USER (1U << 3)	 /* the agent completes the decision */
#define PG_VERDICT_F_NO_POLICY (1U << 4) /* no policy loaded: everything is reported */

/* What the policy decided for this record (PG_VERDICT_F_*). */
struct pg_verdict {
	__u16 rule; /* index of the deciding rule in its generation */
	__u8 flags; /* PG_VERDICT_F_* */
	__u8 gen;   /* policy generation it was decided under */
	__u32 pad;
};

struct pg_event_base {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
};

struct pg_creds {
	__u32 uid;
	__u32 euid;
	__u32 suid;
	__u32 fsuid;
	__u32 gid;
	__u32 egid;
	__u32 sgid;
	__u32 fsgid;
	__u32 auid; /* loginuid; (__u32)-1 when unset */
	__u32 securebits;
	__u64 cap_effective;
	__u64 cap_permitted;
	__u64 cap_inheritable;
};

/* Namespace inode numbers; 0 when the kernel has no such namespace. */
struct pg_namespaces {
	__u32 mnt;
	__u32 pid;
	__u32 pid_for_children;
	__u32 net;
	__u32 user;
	__u32 uts;
	__u32 ipc;
	__u32 cgroup;
	__u32 time;
	__u32 time_for_children;
};

/* The executed file, for binary_properties. */
struct pg_file_info {
	__u64 ino;
	__u32 nlink;
	__u32 uid;
	__u32 gid;
	__u16 mode;
	__u16 pad;
};

/* pg_exec_event.proc_flags and process flags shown to users */
#define PG_PROC_F_EXECVE (1U << 0)     /* seen at exec */
#define PG_PROC_F_SEEDED (1U << 1)     /* found running at start-up */
#define PG_PROC_F_ARGS_TRUNC (1U << 2) /* argv longer than the limit */
#define PG_PROC_F_PATH_TRUNC (1U << 3) /* binary path too deep or long */
#define PG_PROC_F_CWD_TRUNC (1U << 4)
#define PG_PROC_F_ARGS_ERROR (1U << 5) /* argv could not be read */
#define PG_PROC_F_NO_PARENT (1U << 6)  /* parent unknown to the cache */
#define PG_PROC_F_CLONE (1U << 7)      /* forked, never exec'd */
#define PG_PROC_F_SCRIPT (1U << 8)     /* ran through an interpreter */
#define PG_PROC_F_CGROUP_TRUNC (1U << 9)
#define PG_PROC_F_NO_ARGS (1U << 10)	    /* kernel thread or no mm */
#define PG_PROC_F_PATH_ERROR (1U << 11)	    /* binary path could not be read */
#define PG_PROC_F_CWD_ERROR (1U << 12)	    /* cwd could not be read */
#define PG_PROC_F_CGROUP_ERROR (1U << 13)   /* cgroup name could not be read */
#define PG_PROC_F_FILENAME_ERROR (1U << 14) /* the script name could not be read */
#define PG_PROC_F_BIN_DELETED (1U << 15)    /* the binary was unlinked */
#define PG_PROC_F_BIN_DETACHED (1U << 16)   /* no path from any root: memfd, pseudo file */
#define PG_PROC_F_CWD_DELETED (1U << 17)
#define PG_PROC_F_COMM_ERROR (1U << 18)
#define PG_PROC_F_NO_CWD (1U << 19) /* no fs_struct: a kernel thread or an exiting task */
/*
 * A socket on stdin or stdout at exec (the kernel), shown for shells and
 * interpreters only (the agent): the reverse-shell shape
 */
#define PG_PROC_F_STDIO_SOCKET (1U << 20)
/*
 * Record-only flags (not shown): the cwd or cgroup is the parent's, as in
 * the parent's own exec record, so the kernel side did not walk it again
 * and the record carries no copy.
 */
/* no name on any file system: the `fileless` selector */
#define PG_PROC_F_FILELESS (PG_PROC_F_BIN_DELETED | PG_PROC_F_BIN_DETACHED)
#define PG_PROC_F_CWD_AS_PARENT (1U << 30)
#define PG_PROC_F_CGROUP_AS_PARENT (1U << 31)

#define PG_COMM_LEN 16
#define PG_TTY_LEN 16

/* Upper bounds the kernel side enforces on every variable-length field. */
#define PG_PATH_MAX 4096
#define PG_ARGS_MAX 32768 /* hard cap; the run-time limit is lower */
#define PG_ARGS_DEFAULT 4096
#define PG_CGROUP_MAX 1024

/*
 * process_exec and process_seed: fixed part, followed by `data` holding,
 * back to back and without terminators: binary, filename (the path given
 * to execve, for scripts), cwd, cgroup path, argv (NUL-separated).
 */
struct pg_exec_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	struct pg_rule_mask matched; /* every rule the kernel matched */
	__u32 proc_flags;
	__u32 pad;
	__u64 start_ktime; /* CLOCK_MONOTONIC ns the task was forked */
	__u64 prev_ktime;  /* key of the image this exec replaced */
	__u64 cgroup_id;
	struct pg_creds creds;
	struct pg_namespaces ns;
	struct pg_file_info file;
	char comm[PG_COMM_LEN];
	char tty[PG_TTY_LEN];
	__u16 binary_len;
	__u16 filename_len;
	__u16 cwd_len;
	__u16 cgroup_len;
	__u32 args_len;
	__u32 pad2;
	__u8 data[];
};

/* process_exit: the last thread of a thread group is gone. */
struct pg_exit_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	__u32 exit_code; /* wait(2) status: (code << 8) | signal */
	__u32 pad;
	char comm[PG_COMM_LEN];
};

/* process_fork: a new thread group. */
struct pg_fork_event {
	struct pg_event_header hdr;
	struct pg_event_process task; /* the child; its parent the forker */
	struct pg_verdict verdict;
	char comm[PG_COMM_LEN];
};

/*
 * exec_denied: an exec a `deny` rule stopped before it happened; the task
 * is the process that tried, data the binary it tried to run.
 */
struct pg_exec_denied_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	__u32 path_flags; /* PG_PROC_F_PATH_TRUNC, _PATH_ERROR, _BIN_DELETED, _BIN_DETACHED */
	__u16 binary_len;
	__u16 pad;
	__u8 data[];
};

/* pg_file_event.file_flags */
#define PG_FILE_F_PATH_TRUNC (1U << 0) /* path deeper or longer than followed */
#define PG_FILE_F_PATH_ERROR (1U << 1) /* path could not be read */
#define PG_FILE_F_DELETED (1U << 2)    /* the file was unlinked already */
#define PG_FILE_F_DETACHED (1U << 3)   /* no path from a root: memfd, pipe, anon inode */
#define PG_FILE_F_PATH2_TRUNC (1U << 4)
#define PG_FILE_F_PATH2_ERROR (1U << 5)
/*
 * path and path2 are the strings the caller passed, each relative to its
 * base (the directory of its dirfd, or the cwd, resolved in the kernel):
 * the syscall backend's calls that return no file. The agent resolves
 * them and completes the match (verdict PG_VERDICT_F_USER).
 */
#define PG_FILE_F_USER_PATH (1U << 6)
#define PG_FILE_F_NO_INODE (1U << 7) /* no inode (yet): ino, dev, mode, uid, gid are 0 */
#define PG_FILE_F_CREATED (1U << 8)  /* the open created the file */
/* seen before the operation (LSM): result is the verdict (0 or -EPERM), not the outcome */
#define PG_FILE_F_BEFORE (1U << 9)
#define PG_FILE_F_WALK_TRUNC (1U << 10) /* deeper than the identity walk follows */
#define PG_FILE_F_IO_URING (1U << 11)	/* done by an io_uring request, not a system call */
#define PG_FILE_F_COMPAT (1U << 12)	/* a 32-bit system call (x86: ia32, int $0x80 too) */

/*
 * Every file event. path is the file the operation acts on, resolved in
 * the kernel from the struct path or the fd it used; path2 the second one:
 * rename's new name, link's new link, symlink's target (as written). The
 * strings (path, path2, then base, base2 for PG_FILE_F_USER_PATH) follow
 * back to back in data, without terminators.
 */
struct pg_file_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	struct pg_rule_mask matched; /* rules the kernel matched (user path: the candidates) */
	__s32 result;		     /* 0 or -errno; an open's fd is not kept */
	__u32 file_flags;	     /* PG_FILE_F_* */
	__u32 open_flags;	     /* O_* flags as the kernel holds them (file->f_flags) */
	__u32 fmode;		     /* f_mode: FMODE_READ 1, FMODE_WRITE 2, FMODE_EXEC 0x20 */
	__u64 ino;
	__u32 dev;  /* kernel encoding: major << 20 | minor */
	__u32 mode; /* i_mode: type and permissions */
	__u32 uid;  /* owner */
	__u32 gid;
	__u32 arg_mode; /* chmod: the new mode; create: the mode asked; mmap: prot */
	__u32 arg_uid;	/* chown: the new owner, (__u32)-1: unchanged */
	__u32 arg_gid;
	__u16 root_len; /* user path with a relative string: the process's root, after base2 */
	__u16 pad;
	__u64 arg_size; /* truncate: the new length; mmap: its flags */
	__u16 path_len;
	__u16 path2_len;
	__u16 base_len;
	__u16 base2_len;
	char comm[PG_COMM_LEN];
	__u8 data[];
};

/* pg_net_event.family and pg_policy_addr_key.family */
#define PG_NET_V4 4
#define PG_NET_V6 6

/* pg_net_event.state: where a network_connect is */
#define PG_NET_CALL 0	     /* the connect() call, before any packet (TCP) */
#define PG_NET_ESTABLISHED 1 /* TCP handshake done */
#define PG_NET_REFUSED 2     /* RST in answer: ECONNREFUSED */
#define PG_NET_TIMED_OUT 3   /* no answer: ETIMEDOUT */
#define PG_NET_FAILED 4	     /* any other error, in result */
#define PG_NET_CONNECTED 5   /* UDP: the default destination is set */

/* pg_net_event.net_flags */
#define PG_NET_F_NO_TASK (1U << 0)  /* not in process context: task is the owner seen at connect */
#define PG_NET_F_IO_URING (1U << 1) /* done by an io_uring request, not a system call */

/*
 * Every network event. Addresses are in network byte order (IPv4 in the
 * first 4 bytes), ports in host order. cookie is the kernel's socket
 * cookie: the events of one connection share it. bytes_* and duration_ns
 * on network_close: bytes the peer acknowledged (sent) and bytes received,
 * time since the connection was established (or accepted).
 */
struct pg_net_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	struct pg_rule_mask matched;
	__u64 cookie;
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 duration_ns;
	__s32 result;  /* 0 or -errno: a refused connect, or -EPERM when denied */
	__u32 netns;   /* network namespace inode */
	__u8 family;   /* PG_NET_V4, PG_NET_V6 */
	__u8 protocol; /* IPPROTO_TCP 6, IPPROTO_UDP 17 */
	__u8 state;    /* PG_NET_* (network_connect) */
	__u8 pad;
	__u16 sport; /* local */
	__u16 dport; /* remote */
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 net_flags; /* PG_NET_F_* */
	__u32 pad2;
	char comm[PG_COMM_LEN];
};

/*
 * dns_query and dns_answer: the DNS message as it left or reached the
 * socket (over UDP the datagram's payload; over TCP the message after its
 * 2-byte length, from the first segment that carries one), at most
 * PG_DNS_MAX bytes of its msg_len, parsed by the agent. The process is
 * the one that opened the exchange (its connect or first send to port
 * 53), taken from the socket for both.
 */
#define PG_DNS_MAX 512 /* RFC 1035's limit for DNS over UDP without EDNS */

struct pg_dns_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	struct pg_rule_mask matched;
	__u64 cookie;
	__u32 netns;
	__u8 family;   /* PG_NET_V4, PG_NET_V6 */
	__u8 protocol; /* IPPROTO_UDP, IPPROTO_TCP */
	__u16 len;     /* bytes of the message in data */
	__u16 sport;   /* of the packet: the query's source, the answer's (53) */
	__u16 dport;
	__u32 msg_len; /* the whole message */
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[PG_COMM_LEN];
	__u8 data[];
};

/*
 * The host sensor's calls, one number per syscall (the record's op): its
 * records say which call made the change, whatever the backend saw it by.
 */
enum pg_host_op {
	PG_HOST_OP_NONE = 0,
	/* credentials_change */
	PG_HOST_OP_SETUID = 1,
	PG_HOST_OP_SETGID = 2,
	PG_HOST_OP_SETREUID = 3,
	PG_HOST_OP_SETREGID = 4,
	PG_HOST_OP_SETRESUID = 5,
	PG_HOST_OP_SETRESGID = 6,
	PG_HOST_OP_SETFSUID = 7,
	PG_HOST_OP_SETFSGID = 8,
	PG_HOST_OP_SETGROUPS = 9,
	PG_HOST_OP_CAPSET = 10,
	/* namespace_change */
	PG_HOST_OP_SETNS = 11,
	PG_HOST_OP_UNSHARE = 12,
	PG_HOST_OP_CLONE = 13, /* clone, clone3, fork with CLONE_NEW*: the child's namespaces */
	/* host_change */
	PG_HOST_OP_MOUNT = 14,
	PG_HOST_OP_UMOUNT = 15, /* umount2 */
	PG_HOST_OP_PIVOT_ROOT = 16,
	PG_HOST_OP_CHROOT = 17,
	PG_HOST_OP_SETHOSTNAME = 18,
	PG_HOST_OP_SETDOMAINNAME = 19,
	PG_HOST_OP_SETTIMEOFDAY = 20,
	PG_HOST_OP_CLOCK_SETTIME = 21,
	PG_HOST_OP_ADJTIMEX = 22,
	PG_HOST_OP_CLOCK_ADJTIME = 23,
	PG_HOST_OP_SWAPON = 24,
	PG_HOST_OP_SWAPOFF = 25,
	PG_HOST_OP_REBOOT = 26,
	PG_HOST_OP_KEXEC_LOAD = 27,
	PG_HOST_OP_KEXEC_FILE_LOAD = 28,
	PG_HOST_OP_INIT_MODULE = 29,
	PG_HOST_OP_FINIT_MODULE = 30,
	PG_HOST_OP_DELETE_MODULE = 31,
	PG_HOST_OP_BPF_PROG_LOAD = 32,
	PG_HOST_OP_PTRACE = 33, /* PTRACE_ATTACH, PTRACE_SEIZE */
	PG_HOST_OP_PROCESS_VM_WRITEV = 34,
	/* credentials_change: the exec of a set-user-ID, set-group-ID or file-capability file */
	PG_HOST_OP_EXECVE = 35,
	PG_HOST_OP_EXECVEAT = 36,
	/* host_change kind mount: the new mount API (5.2+; mount_setattr 5.12+) */
	PG_HOST_OP_FSOPEN = 37,
	PG_HOST_OP_FSMOUNT = 38,
	PG_HOST_OP_MOVE_MOUNT = 39,
	PG_HOST_OP_OPEN_TREE = 40, /* OPEN_TREE_CLONE only: a detached copy of a mount */
	PG_HOST_OP_MOUNT_SETATTR = 41,
	/* host_change kind sysctl: not a system call, the /proc/sys write itself */
	PG_HOST_OP_SYSCTL_WRITE = 42,
	/*
	 * credentials_change: the credentials differ from what the process
	 * was last seen with, and no watched call changed them (seen at its
	 * next fork or exec): a kernel exploit, or a call this backend does
	 * not see (32-bit compat)
	 */
	PG_HOST_OP_UNWATCHED = 43,
	/* host_change kind mount: a key and value of a new mount's context */
	PG_HOST_OP_FSCONFIG = 44,
	/*
	 * credentials_change: committed (commit_creds(), the fentry backend)
	 * while no watched call was in progress: the record's result is the
	 * number of the system call the process was in (-1: unknown)
	 */
	PG_HOST_OP_COMMITTED = 45,
	/*
	 * host_change kind module: the kernel asks modprobe for a module on
	 * the process's behalf (request_module(): a socket family or protocol,
	 * a file system type, … that no loaded module provides)
	 */
	PG_HOST_OP_MODULE_REQUEST = 46,
	PG_HOST_OP_MAX,
};

#define PG_HOST_STR_MAX 256 /* bytes kept of a path or name argument, NUL included */
#define PG_HOST_FSTYPE_MAX 32
#define PG_HOST_MODULE_NAME 64 /* a module's name (the kernel's MODULE_NAME_LEN is 56) */

/*
 * credentials_change: a set*id, setgroups or capset call that changed
 * the caller's credentials, as the kernel held them at the call's entry
 * (before) and return (after).
 */
#define PG_HOST_GROUPS 8 /* supplementary groups kept (the first ones) */

/* A task's supplementary groups: how many, and the first PG_HOST_GROUPS. */
struct pg_groups {
	__u32 n;
	__u32 gid[PG_HOST_GROUPS];
};

struct pg_creds_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	struct pg_rule_mask matched;
	__s32 result; /* the call's return value; PG_HOST_OP_COMMITTED: the system call's number */
	__u16 op;     /* PG_HOST_OP_* */
	__u16 pad;
	struct pg_creds before;
	struct pg_creds after;
	struct pg_groups groups_before; /* setgroups changes these, and nothing in pg_creds */
	struct pg_groups groups_after;
	char comm[PG_COMM_LEN];
};

/*
 * namespace_change: setns, unshare, or a clone that put its child in new
 * namespaces (before: the caller's, after: the child's). flags: what the
 * call asked (setns: nstype, unshare and clone: CLONE_* flags).
 */
struct pg_ns_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	struct pg_rule_mask matched;
	__s32 result; /* setns, unshare: 0 or -errno; clone: the child's pid */
	__u16 op;     /* PG_HOST_OP_* */
	__u16 pad;
	__u64 flags;
	struct pg_namespaces before;
	struct pg_namespaces after;
	char comm[PG_COMM_LEN];
};

/*
 * host_change: one of the calls above that change the host (or another
 * process), reported whether it succeeded or not. str and str2 are NUL
 * terminated, read from the caller's memory at the call's return:
 *   mount: str the target, str2 the source, fstype; arg the flags
 *   fsopen: fstype; arg the flags.  fsmount: arg its MOUNT_ATTR_* flags
 *   fsconfig: str the key, str2 the value (a string or path), arg the
 *   command (FSCONFIG_*), target the context's fd
 *   move_mount: str the target, str2 the source path; arg the flags
 *   open_tree: str the path; arg the flags
 *   mount_setattr: str the path; arg attr_set, target attr_clr (MOUNT_ATTR_*)
 *   umount2: str the target; arg the flags
 *   pivot_root: str new_root, str2 put_old;  chroot: str the path
 *   sethostname, setdomainname: str the name
 *   clock_settime, clock_adjtime: arg the clock id; adjtimex: arg the modes
 *   swapon: str the path, arg the flags;  swapoff: str the path
 *   reboot: arg the command;  kexec_file_load: arg the flags
 *   init_module: str the module's parameters; finit_module: str the
 *   parameters, arg the flags, target the fd; both: str2 the module's
 *   name, when the kernel got as far as reading it (finit_module: file
 *   then too); delete_module: str the name
 *   bpf(BPF_PROG_LOAD): str the program's name, arg its type
 *   ptrace: target, arg the request;  process_vm_writev: target
 *   sysctl write: str the name ("kernel/hostname"), str2 the value
 *   written, file the value before; result 0, or -EPERM when a rule
 *   refused it (the write itself may still fail: the hook runs first)
 */
struct pg_host_event {
	struct pg_event_header hdr;
	struct pg_event_process task;
	struct pg_verdict verdict;
	struct pg_rule_mask matched;
	__s32 result; /* the call's return value: 0 (or a count, an fd) or -errno */
	__u16 op;     /* PG_HOST_OP_* */
	__u16 kind;   /* PG_HOST_KIND_* */
	__u64 arg;
	__u32 target; /* the process acted on (ptrace, process_vm_writev), as the caller named it */
	__u32 pad;
	char fstype[PG_HOST_FSTYPE_MAX];
	char str[PG_HOST_STR_MAX];
	char str2[PG_HOST_STR_MAX];
	char file[PG_HOST_STR_MAX]; /* finit_module: the module's file, resolved by the kernel */
	char comm[PG_COMM_LEN];
};

/* Per-CPU counters; the agent sums them over CPUs. */
struct pg_stats {
	__u64 emitted[PG_EVENT_MAX]; /* records written to a ring buffer */
	__u64 lost[PG_EVENT_MAX];    /* records the ring buffer had no room for */
	__u64 errors[PG_ERR_MAX];    /* helper failures, by enum pg_error */
};

/*
 * Settings the agent may change while the programs run: one entry of a
 * shared array map, read by the programs at each event.
 */
#define PG_CGROUP_DFL 0xffffffffu /* use the cgroup v2 (default) hierarchy */

struct pg_runtime_config {
	__u64 wakeup_bytes;  /* wake the agent when this much is waiting; 0: every record */
	__u32 max_args;	     /* argv bytes kept per exec */
	__u32 cgroup_subsys; /* v1 controller id whose hierarchy names cgroups, or PG_CGROUP_DFL */
	__u32 policy;	     /* PG_POLICY_LOADED | the active generation (bit 0) */
	__u32 host_pidns;    /* pid 1's pid namespace: "in_container" is any other */
};

#define PG_POLICY_LOADED (1U << 1)

/*
 * The shared process map: tgid -> the ktime half of its current key, and
 * what its children's exec records may take from it instead of walking
 * the kernel again: its cgroup and its working directory as they were at
 * its own exec (0 when unknown, e.g. a fork that never exec'd).
 */
/*
 * The generation of a process never evaluated (running before the agent
 * and not seeded, or a child of such a process): its zeroed selection
 * must not pass for generation 0's, where it would match no rule at all.
 */
#define PG_GEN_NONE 2

struct pg_proc_state {
	__u64 ktime;
	__u64 cgroup_id;
	__u64 cwd_ino; /* inode number, superblock and mount of the cwd */
	__u64 cwd_sb;
	__u64 cwd_mnt;
	__u64 cwd_root; /* the root dentry it was resolved against */
	/*
	 * Policy: what this process's image selected, evaluated at its exec
	 * (generation gen): sel, the rules all its selectors accept, for its
	 * exit; as_parent, the parent_binary selectors its binary passes or
	 * fails for its children; ancestors, the same for ancestor_binary,
	 * accumulated over its own binary and its ancestors'.
	 */
	__u32 gen;   /* 0 or 1; PG_GEN_NONE: never evaluated */
	__u32 flags; /* PG_PROC_STATE_F_* */
	struct pg_rule_mask sel;
	struct pg_rule_mask parent_pos, parent_neg;
	struct pg_rule_mask anc_pos, anc_neg;
	/*
	 * The credentials it was last seen with (PG_PROC_STATE_F_CREDS): at
	 * its exec, its fork (its parent's), a watched call that changed
	 * them. The host sensor compares them with the task's at its next
	 * fork or exec: a change no watched call explains.
	 */
	struct pg_creds creds;
};

#define PG_PROC_STATE_F_CREDS 1 /* creds holds what the process was seen with */

#define PG_STATIC_ASSERT(c, m) _Static_assert(c, m)
PG_STATIC_ASSERT(sizeof(struct pg_event_header) == 16, "header layout");
PG_STATIC_ASSERT(sizeof(struct pg_process_key) == 16, "key layout");
PG_STATIC_ASSERT(sizeof(struct pg_event_process) == 40, "process context layout");
PG_STATIC_ASSERT(sizeof(struct pg_event_base) == 64, "base layout");
PG_STATIC_ASSERT(sizeof(struct pg_verdict) == 8, "verdict layout");
PG_STATIC_ASSERT(sizeof(struct pg_path_masks) == 192, "path masks layout");
PG_STATIC_ASSERT(sizeof(struct pg_creds) == 64, "creds layout");
PG_STATIC_ASSERT(sizeof(struct pg_namespaces) == 40, "ns layout");
PG_STATIC_ASSERT(sizeof(struct pg_file_info) == 24, "file info layout");
PG_STATIC_ASSERT(sizeof(struct pg_exec_event) == 304, "exec layout");
PG_STATIC_ASSERT(__builtin_offsetof(struct pg_exec_event, data) == 304, "exec data");
PG_STATIC_ASSERT(__builtin_offsetof(struct pg_exec_event, task) == 16, "exec task");
PG_STATIC_ASSERT(sizeof(struct pg_exit_event) == 88, "exit layout");
PG_STATIC_ASSERT(sizeof(struct pg_fork_event) == 80, "fork layout");
PG_STATIC_ASSERT(sizeof(struct pg_exec_denied_event) == 72, "exec denied layout");
PG_STATIC_ASSERT(sizeof(struct pg_runtime_config) == 24, "config layout");
PG_STATIC_ASSERT(sizeof(struct pg_file_id_key) == 16, "file id key layout");
PG_STATIC_ASSERT(sizeof(struct pg_file_id_val) == 136, "file id value layout");
PG_STATIC_ASSERT(sizeof(struct pg_file_name_key) == 80, "file name key layout");
PG_STATIC_ASSERT(sizeof(struct pg_file_event) == 184, "file event layout");
PG_STATIC_ASSERT(__builtin_offsetof(struct pg_file_event, data) == 184, "file event data");
PG_STATIC_ASSERT(sizeof(struct pg_proc_state) == 216 + sizeof(struct pg_creds),
		 "process state layout");
PG_STATIC_ASSERT(sizeof(struct pg_net_event) == 200, "network event layout");
PG_STATIC_ASSERT(sizeof(struct pg_dns_event) == 168, "dns event layout");
PG_STATIC_ASSERT(sizeof(struct pg_policy_addr_key) == 24, "address key layout");
PG_STATIC_ASSERT(sizeof(struct pg_creds_event) == 320, "credentials event layout");
PG_STATIC_ASSERT(sizeof(struct pg_ns_event) == 208, "namespace event layout");
PG_STATIC_ASSERT(sizeof(struct pg_host_event) == 936, "host event layout");

#endif /* PENGUARD_EVENTS_H */
