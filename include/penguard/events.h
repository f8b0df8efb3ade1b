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
	PG_EVENT_MAX,		   /* keep last; sizes the stats arrays */
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
	PG_ERR_MAX,
};

/* pg_event_header.flags */
#define PG_EVENT_F_NONE 0

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

struct pg_event_base {
	struct pg_event_header hdr;
	struct pg_event_process task;
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
 * Record-only flags (not shown): the cwd or cgroup is the parent's, as in
 * the parent's own exec record, so the kernel side did not walk it again
 * and the record carries no copy.
 */
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
	__u32 exit_code; /* wait(2) status: (code << 8) | signal */
	__u32 pad;
	char comm[PG_COMM_LEN];
};

/* process_fork: a new thread group. */
struct pg_fork_event {
	struct pg_event_header hdr;
	struct pg_event_process task; /* the child; its parent the forker */
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
	__u64 attach_ktime;  /* processes started before this may have no pg_procs entry */
};

/*
 * The shared process map: tgid -> the ktime half of its current key, and
 * what its children's exec records may take from it instead of walking
 * the kernel again: its cgroup and its working directory as they were at
 * its own exec (0 when unknown, e.g. a fork that never exec'd).
 */
struct pg_proc_state {
	__u64 ktime;
	__u64 cgroup_id;
	__u64 cwd_ino; /* inode number, superblock and mount of the cwd */
	__u64 cwd_sb;
	__u64 cwd_mnt;
	__u64 cwd_root; /* the root dentry it was resolved against */
};

#define PG_STATIC_ASSERT(c, m) _Static_assert(c, m)
PG_STATIC_ASSERT(sizeof(struct pg_event_header) == 16, "header layout");
PG_STATIC_ASSERT(sizeof(struct pg_process_key) == 16, "key layout");
PG_STATIC_ASSERT(sizeof(struct pg_event_process) == 40, "process context layout");
PG_STATIC_ASSERT(sizeof(struct pg_event_base) == 56, "base layout");
PG_STATIC_ASSERT(sizeof(struct pg_creds) == 64, "creds layout");
PG_STATIC_ASSERT(sizeof(struct pg_namespaces) == 40, "ns layout");
PG_STATIC_ASSERT(sizeof(struct pg_file_info) == 24, "file info layout");
PG_STATIC_ASSERT(sizeof(struct pg_exec_event) == 264, "exec layout");
PG_STATIC_ASSERT(__builtin_offsetof(struct pg_exec_event, data) == 264, "exec data");
PG_STATIC_ASSERT(__builtin_offsetof(struct pg_exec_event, task) == 16, "exec task");
PG_STATIC_ASSERT(sizeof(struct pg_exit_event) == 80, "exit layout");
PG_STATIC_ASSERT(sizeof(struct pg_fork_event) == 72, "fork layout");
PG_STATIC_ASSERT(sizeof(struct pg_runtime_config) == 24, "config layout");
PG_STATIC_ASSERT(sizeof(struct pg_proc_state) == 48, "process state layout");

#endif /* PENGUARD_EVENTS_H */
