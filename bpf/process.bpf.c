// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process lifecycle sensor: exec, exit, fork, and the seeding iterator that
 * reports processes already running when the agent starts. Its records go
 * to their own ring (pg_proc_events): the agent's process cache is built
 * from them, so no other sensor's burst may crowd them out.
 *
 * Backend: the sched_process_{exec,exit,fork} tracepoints as BTF
 * tracepoints (tp_btf). Why these and only these: they exist on every
 * kernel penguard can run on at all (BTF and the ring buffer, 5.8+) and
 * are not refused by lockdown; their typed arguments let the handlers read
 * the task, its credentials and namespaces with plain loads instead of
 * bpf_probe_read_kernel() calls (see lib/task.bpf.h), which is most of an
 * exec's cost; and sched_process_exec fires after the new image is mapped
 * and argv is on its stack, before it runs one instruction. fentry on
 * finalize_exec()/acct_process() (the old best backend) saw the same
 * moments for more cost, and raw tracepoints cannot give typed pointers.
 */
#include "lib/task.bpf.h"
#include "lib/core_fixes.bpf.h"
#include "lib/creds.bpf.h"
#include "lib/path.bpf.h"
#include "lib/policy.bpf.h"
#include "lib/fd.bpf.h"

#define PG_DATA_SIZE 65536
#define PG_OFF_MASK 0x3fff /* every string but argv starts below 16 KiB */
#define PG_ARGS_MASK 0x7fff
#define PG_CGROUP_DEPTH 32
#define PG_KN_NAME_MAX 256
#define EEXIST 17

/*
 * The name each running script was exec'd by (bprm->filename; its binary
 * is the interpreter), which its exec's binary selectors saw: the reselect
 * iterator gives it to them again after a policy reload. Written by a
 * script's exec only (a map update no other exec pays); an entry whose
 * ktime is not its process's current key is an earlier image's, ignored.
 * LRU: the entries of processes gone age out. A name of 255 bytes or
 * more is not kept (a read that fills the buffer may have been cut): its
 * image is then evaluated by its interpreter, as one seeded is.
 */
#define PG_SCRIPT_NAME_MAX 256

struct pg_script_name {
	__u64 ktime; /* the key of the image this name is of */
	__u32 len;
	__u32 pad;
	char name[PG_SCRIPT_NAME_MAX];
};

/* Per-CPU scratch for one exec record; too big for the 512-byte stack. */
struct pg_exec_heap {
	struct pg_exec_event ev;
	__u8 data[PG_DATA_SIZE];
	struct pg_path_buf path;
	struct pg_policy_scratch pol;
	struct pg_script_name script;
	__u32 script_tgid; /* its key: map memory, the exec program's stack is full */
	__u64 kn[PG_CGROUP_DEPTH];
	/*
	 * Write offset into data and the cgroup depth, kept in map memory so
	 * the verifier treats them as unknown on every loop iteration and
	 * prunes (see lib/path.bpf.h).
	 */
	__u32 off;
	__u32 n_kn;
};

/*
 * One slot per CPU (max_entries set to the CPU count by the agent). The
 * seeding iterator has its own: iterator programs run preemptibly, so an
 * exec on the same CPU could otherwise overwrite a half-built seed record.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_exec_heap);
} pg_exec_heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_exec_heap);
} pg_seed_heap SEC(".maps");

/*
 * Exit claims of multi-threaded processes (see pg_handle_exit), keyed by
 * (tgid, group leader's fork time), which every thread computes alike. LRU:
 * a claim only matters for the microseconds between two threads' exits.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct pg_process_key);
	__type(value, __u8);
} pg_exit_claims SEC(".maps");

/* Running scripts' names, by tgid: see struct pg_script_name. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pg_script_name);
} pg_script_names SEC(".maps");

/*
 * A script's exec: the name it was given, for the reselect iterator. Read
 * again from the kernel's string rather than moved from the record: fewer
 * live registers in the exec program, whose stack is at its limit on 5.10.
 */
static __always_inline void pg_script_remember(struct pg_exec_heap *h, const char *filename)
{
	long n = bpf_probe_read_kernel_str(h->script.name, PG_SCRIPT_NAME_MAX, filename);

	if (n <= 1 || n >= PG_SCRIPT_NAME_MAX)
		return; /* unreadable, or longer than kept */
	h->script.ktime = h->ev.hdr.ktime;
	h->script.len = n - 1;
	h->script.pad = 0;
	h->script_tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_update_elem(&pg_script_names, &h->script_tgid, &h->script, BPF_ANY);
}

static __always_inline void pg_procs_insert(__u32 tgid, struct pg_proc_state *st, __u64 flags)
{
	long err = bpf_map_update_elem(&pg_procs, &tgid, st, flags);

	/*
	 * Full, or EBUSY (the map's per-CPU lock was held by a program this one
	 * interrupted): that process keeps its fork-time key, consistently.
	 */
	if (err && err != -EEXIST)
		pg_count_error(PG_ERR_PROCS_MAP);
}

static __always_inline struct pg_exec_heap *pg_heap(void *map)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct pg_exec_heap *h = bpf_map_lookup_elem(map, &cpu);

	if (!h)
		pg_count_error(PG_ERR_SCRATCH);
	return h;
}

/* comm: a fixed 16-byte array, copied with two loads, NUL-terminated */
static __always_inline void pg_copy_comm(char *dst, struct task_struct *task)
{
	__builtin_memcpy(dst, task->comm, PG_COMM_LEN);
	dst[PG_COMM_LEN - 1] = 0;
}

/*
 * Append the path of (@dentry, @mnt) as seen from @fs's root; returns its
 * length. Failures empty the field and set @err_flag.
 */
static __always_inline __u16 pg_append_path(struct pg_exec_heap *h, struct dentry *dentry,
					    struct vfsmount *mnt, struct fs_struct *fs,
					    __u32 trunc_flag, __u32 err_flag, __u32 del_flag)
{
	__u32 start, len, f;

	start = pg_path_resolve(&h->path, (__u64)dentry, (__u64)mnt, (__u64)fs->root.dentry,
				(__u64)fs->root.mnt);
	f = h->path.flags;
	if (f & PG_PATH_TRUNC)
		h->ev.proc_flags |= trunc_flag;
	if (f & PG_PATH_DELETED)
		h->ev.proc_flags |= del_flag;
	if (f & PG_PATH_DETACHED && trunc_flag == PG_PROC_F_PATH_TRUNC)
		h->ev.proc_flags |= PG_PROC_F_BIN_DETACHED;
	if (f & PG_PATH_ERROR) {
		h->ev.proc_flags |= err_flag;
		return 0;
	}
	len = PG_PATH_MAX - start;
	if (len > PG_PATH_MAX - 1)
		len = PG_PATH_MAX - 1;
	if (bpf_probe_read_kernel(&h->data[h->off & PG_OFF_MASK], len & (PG_PATH_MAX - 1),
				  &h->path.buf[start & (2 * PG_PATH_MAX - 1)])) {
		h->ev.proc_flags |= err_flag;
		pg_count_error(PG_ERR_READ_PATH);
		return 0;
	}
	h->off += len;
	return len;
}

/*
 * The cgroup that names the task's container: the v2 (default) hierarchy,
 * or on hybrid/v1 hosts the hierarchy of the controller the agent chose
 * (cgroup_subsys), where runtimes put their containers.
 */
static __always_inline struct kernfs_node *pg_task_cgroup_kn(struct task_struct *task, __u32 ssid)
{
	__u64 css = 0, cgrp = 0, kn = 0;

	if (ssid == PG_CGROUP_DFL)
		return task->cgroups->dfl_cgrp->kn;
	/* subsys[] is indexed by a run-time id: a variable offset, read by helper */
	bpf_probe_read_kernel(&css, sizeof(css),
			      (void *)((__u64)task->cgroups +
				       bpf_core_field_offset(struct css_set, subsys) +
				       (ssid & 15) * 8));
	if (css)
		cgrp = (__u64)BPF_CORE_READ((struct cgroup_subsys_state *)css, cgroup);
	if (cgrp)
		kn = (__u64)BPF_CORE_READ((struct cgroup *)cgrp, kn);
	return (struct kernfs_node *)kn;
}

/*
 * The cgroup path, root first. Walk up once to collect the nodes, then
 * write their names forward: kernfs names have no length field, and a
 * forward copy lets bpf_probe_read_kernel_str() measure them for us.
 */
static __always_inline __u16 pg_append_cgroup(struct pg_exec_heap *h, __u64 kn)
{
	__u32 o_parent = pg_kernfs_parent_offset();
	__u32 start = h->off, off;
	int i;

	h->n_kn = 0;
	for (i = 0; i < PG_CGROUP_DEPTH; i++) {
		__u64 parent = 0;

		if (!kn)
			break;
		if (bpf_probe_read_kernel(&parent, sizeof(parent), (void *)(kn + o_parent))) {
			h->ev.proc_flags |= PG_PROC_F_CGROUP_ERROR;
			pg_count_error(PG_ERR_READ_CGROUP);
			return 0;
		}
		if (!parent)
			break; /* the root's name is empty */
		h->kn[i & (PG_CGROUP_DEPTH - 1)] = kn;
		h->n_kn = i + 1;
		kn = parent;
	}
	if (kn && i == PG_CGROUP_DEPTH)
		h->ev.proc_flags |= PG_PROC_F_CGROUP_TRUNC;
	if (!h->n_kn) {
		h->data[h->off & PG_OFF_MASK] = '/';
		h->off += 1;
		return 1;
	}
	/*
	 * Count up and index down: a loop that skips its top iterations with
	 * "continue" compiles to a two-instruction cycle that 5.10 and 6.1
	 * reject as a back-edge.
	 */
	for (i = 0; i < PG_CGROUP_DEPTH; i++) {
		const char *name;
		__u32 n = h->n_kn;
		long r;

		if ((__u32)i >= n)
			break;
		off = h->off;
		if (off - start > PG_CGROUP_MAX - PG_KN_NAME_MAX) {
			h->ev.proc_flags |= PG_PROC_F_CGROUP_TRUNC;
			break;
		}
		kn = h->kn[(n - 1 - i) & (PG_CGROUP_DEPTH - 1)];
		name = BPF_CORE_READ((struct kernfs_node *)kn, name);
		h->data[off & PG_OFF_MASK] = '/';
		r = bpf_probe_read_kernel_str(&h->data[(off + 1) & PG_OFF_MASK], PG_KN_NAME_MAX,
					      name);
		if (r <= 0) {
			/* a partial path would name another cgroup: ship none */
			h->ev.proc_flags |= PG_PROC_F_CGROUP_ERROR;
			pg_count_error(PG_ERR_READ_CGROUP);
			h->off = start;
			return 0;
		}
		h->off = off + r; /* r counts the NUL, which the '/' of the next name replaces */
	}
	return h->off - start;
}

static __always_inline void pg_fill_file(struct pg_exec_heap *h, struct file *file)
{
	struct pg_file_info *fi = &h->ev.file;
	struct inode *inode = file ? file->f_inode : NULL;

	if (!inode) {
		__builtin_memset(fi, 0, sizeof(*fi));
		return;
	}
	fi->ino = inode->i_ino;
	fi->nlink = inode->__i_nlink;
	fi->uid = inode->i_uid.val;
	fi->gid = inode->i_gid.val;
	fi->mode = inode->i_mode;
	fi->pad = 0;
}

/*
 * Everything about @task but its binary and argv: ids, keys, creds,
 * namespaces, tty, then cwd and cgroup appended to the data area; @st gets
 * the cwd and cgroup identities a child's exec may compare with its own.
 *
 * The cwd and cgroup walks are a third of an exec's cost, and a child
 * usually execs in its parent's cwd and cgroup: when the parent's own exec
 * (or seed) record carried the same cgroup id, or a cwd with the same
 * inode, superblock, mount and root, the record says "as the parent" and
 * the agent takes the strings from the parent it has cached. Identities,
 * not pointers: a freed dentry's address can come back as another one.
 * (A parent exec'ing at this very moment may be read half-updated: the
 * worst case is a full walk, or strings of the parent's previous image.)
 * @self, @pst: the pg_procs entries of the process and of its parent (NULL:
 * none), which the caller looked up; the shortcuts compare with @pst.
 */
static __always_inline void pg_fill_task(struct pg_exec_heap *h, struct task_struct *task,
					 const struct pg_runtime_config *cfg,
					 struct pg_proc_state *st, const struct pg_proc_state *self,
					 const struct pg_proc_state *pst, bool shortcuts)
{
	struct pg_exec_event *e = &h->ev;
	struct fs_struct *fs = task->fs;
	struct tty_struct *tty = task->signal->tty;
	struct kernfs_node *kn = pg_task_cgroup_kn(task, cfg->cgroup_subsys);

	pg_fill_task_ctx_st(task, &e->task, self, pst);
	if (!shortcuts)
		pst = NULL;
	e->pad = 0;
	e->pad2 = 0;
	e->start_ktime = task->group_leader->start_time;
	/* kn may come from a helper read (v1): not a typed pointer */
	e->cgroup_id = kn ? BPF_CORE_READ(kn, id) : 0;
	st->cgroup_id = e->cgroup_id;
	pg_task_creds(task, &h->ev.creds);
	st->creds = h->ev.creds;
	st->flags |= PG_PROC_STATE_F_CREDS;
	pg_task_ns(task, &h->ev.ns);
	pg_copy_comm(e->comm, task);
	e->tty[0] = 0;
	if (tty) {
		__builtin_memcpy(e->tty, tty->name, PG_TTY_LEN);
		e->tty[PG_TTY_LEN - 1] = 0;
	}
	e->cwd_len = 0;
	st->cwd_ino = st->cwd_sb = st->cwd_mnt = st->cwd_root = 0;
	if (fs) {
		struct dentry *pwd = fs->pwd.dentry;

		st->cwd_ino = pwd->d_inode ? pwd->d_inode->i_ino : 0;
		st->cwd_sb = (__u64)pwd->d_sb;
		st->cwd_mnt = (__u64)fs->pwd.mnt;
		st->cwd_root = (__u64)fs->root.dentry;
		if (pst && st->cwd_ino && pst->cwd_ino == st->cwd_ino &&
		    pst->cwd_sb == st->cwd_sb && pst->cwd_mnt == st->cwd_mnt &&
		    pst->cwd_root == st->cwd_root)
			e->proc_flags |= PG_PROC_F_CWD_AS_PARENT;
		else
			e->cwd_len = pg_append_path(h, pwd, fs->pwd.mnt, fs, PG_PROC_F_CWD_TRUNC,
						    PG_PROC_F_CWD_ERROR, PG_PROC_F_CWD_DELETED);
		/* a cwd shipped truncated or broken is no model for the children */
		if (e->proc_flags & (PG_PROC_F_CWD_TRUNC | PG_PROC_F_CWD_ERROR))
			st->cwd_ino = 0;
	} else {
		e->proc_flags |= PG_PROC_F_NO_CWD;
	}
	e->cgroup_len = 0;
	if (pst && e->cgroup_id && pst->cgroup_id == e->cgroup_id)
		e->proc_flags |= PG_PROC_F_CGROUP_AS_PARENT;
	else
		e->cgroup_len = pg_append_cgroup(h, (__u64)kn);
	if (e->proc_flags & (PG_PROC_F_CGROUP_TRUNC | PG_PROC_F_CGROUP_ERROR))
		st->cgroup_id = 0;
}

/*
 * The policy verdict of an exec (or a seed, which only records what the
 * process selects, for its exit and its children): see lib/policy.bpf.h.
 * @st gets what the new image selects; @pst is the parent's state.
 * Kill happens here, at sched_process_exec: the new image is mapped but
 * has not run a single user instruction.
 */
static __always_inline void pg_exec_policy(struct pg_exec_heap *h, struct task_struct *task,
					   const struct pg_runtime_config *cfg,
					   struct pg_proc_state *st,
					   const struct pg_proc_state *pst, int act)
{
	struct pg_policy_scratch *sc = &h->pol;
	struct pg_exec_event *e = &h->ev;
	const struct pg_policy_masks *m;
	__u32 gen = cfg->policy & 1, in_ctr;
	int k, rule;

	__builtin_memset(&e->verdict, 0, sizeof(e->verdict));
	__builtin_memset(&e->matched, 0, sizeof(e->matched));
	if (!(cfg->policy & PG_POLICY_LOADED)) {
		e->verdict.flags = PG_VERDICT_F_NO_POLICY;
		return;
	}
	m = pg_policy_masks(gen);
	if (!m)
		return;
	e->verdict.gen = gen;
	if (pst && pst->gen != gen)
		pst = NULL; /* evaluated under another policy set: unknown */
	in_ctr = e->ns.pid != cfg->host_pidns;
	pg_policy_select(sc, m, gen, (const char *)h->data, e->binary_len,
			 (const char *)&h->data[e->binary_len & PG_OFF_MASK], e->filename_len,
			 &e->creds, in_ctr, pst);

	/* what this image will be to its exit and its children */
	st->gen = gen;
	st->sel = sc->sel;
	st->parent_pos = sc->pos[PG_BIN_PARENT];
	st->parent_neg = sc->neg[PG_BIN_PARENT];
	st->anc_pos = sc->pos[PG_BIN_ANCESTOR];
	st->anc_neg = sc->neg[PG_BIN_ANCESTOR];
	if (pst) {
		pg_mask_or(&st->anc_pos, &pst->anc_pos);
		pg_mask_or(&st->anc_neg, &pst->anc_neg);
	}
	if (!act)
		return;

	e->matched = sc->sel;
	pg_mask_and(&e->matched, &m->events[PG_EVENT_PROCESS_EXEC]);
	if (pg_mask_empty(&e->matched))
		return;
	/* kill first, then what the kernel decides alone, then what the agent completes */
	sc->m = e->matched;
	pg_mask_and(&sc->m, &m->kill);
	for (k = 0; k < PG_MASK_WORDS; k++)
		sc->m.w[k] &= ~m->user.w[k];
	rule = pg_mask_first(&sc->m);
	if (rule >= 0) {
		bpf_send_signal(9 /* SIGKILL */);
		e->verdict.flags = PG_VERDICT_F_MATCHED | PG_VERDICT_F_KILLED;
		pg_rule_count(gen, rule, 1);
	} else {
		sc->m = e->matched;
		for (k = 0; k < PG_MASK_WORDS; k++)
			sc->m.w[k] &= ~m->user.w[k];
		rule = pg_mask_first(&sc->m);
		e->verdict.flags = PG_VERDICT_F_MATCHED;
		if (rule < 0) {
			rule = pg_mask_first(&e->matched);
			e->verdict.flags = PG_VERDICT_F_USER;
		}
	}
	if (rule < 0)
		return;
	e->verdict.rule = rule;
	pg_rule_count(gen, rule, 0);
	/* a rate limit thins the reports, never the kills */
	if (!(e->verdict.flags & PG_VERDICT_F_KILLED) &&
	    !pg_rate_allow(gen, rule, e->task.proc.pid, e->hdr.ktime))
		e->verdict.flags = 0;
}

/* The verdict of an exit or fork: what the image selected at its exec. */
static __always_inline void pg_simple_verdict(struct pg_verdict *v, const struct pg_proc_state *st,
					      __u16 type, __u32 tgid, __u64 now)
{
	const struct pg_runtime_config *cfg = pg_config_get();
	__u32 gen = cfg->policy & 1;
	const struct pg_policy_masks *m;
	struct pg_rule_mask sel;
	int k, rule;

	v->rule = 0;
	v->flags = 0;
	v->gen = gen;
	v->pad = 0;
	if (!(cfg->policy & PG_POLICY_LOADED)) {
		v->flags = PG_VERDICT_F_NO_POLICY;
		return;
	}
	m = pg_policy_masks(gen);
	if (!m || type >= PG_EVENT_MAX)
		return;
	if (st && st->gen == gen) {
		sel = st->sel;
	} else {
		/* never evaluated (running before the agent, or an older policy set) */
		__builtin_memset(&sel, 0xff, sizeof(sel));
		for (k = 0; k < PG_SEL_KINDS; k++)
			pg_mask_and(&sel, &m->any[k]);
	}
	pg_mask_and(&sel, &m->events[type]);
	rule = pg_mask_first(&sel);
	if (rule < 0)
		return;
	v->rule = rule;
	v->flags = PG_VERDICT_F_MATCHED;
	for (k = 0; k < PG_MASK_WORDS; k++)
		if (sel.w[k] & m->user.w[k])
			v->flags |= PG_VERDICT_F_USER;
	pg_rule_count(gen, rule, 0);
	if (!pg_rate_allow(gen, rule, tgid, now))
		v->flags = 0;
}

/*
 * Whether fd @fd (a constant) of @files (its table @fdt) is a socket: a
 * typed load while the table is fd_array, else helper reads.
 */
static __always_inline int pg_fd_is_socket(struct files_struct *files, struct fdtable *fdt,
					   const int fd)
{
	struct file *f;

	if (!pg_fd_fast(files, fdt, fd))
		return pg_file_is_socket_core(pg_fd_file_core(fdt, fd));
	f = pg_fd_array(files, fd);
	return f && f->f_inode && (f->f_inode->i_mode & PG_S_IFMT) == PG_S_IFSOCK;
}

/*
 * The reverse-shell shape (bash -i >& /dev/tcp/…, nc -e /bin/sh): stdin
 * or stdout a socket in the new image (close-on-exec files are closed by
 * now). Told here, not from /proc afterwards, which a short-lived shell
 * would race; the agent shows it for shells and interpreters.
 */
static __always_inline int pg_stdio_socket(struct task_struct *task)
{
	struct files_struct *files = task->files;
	struct fdtable *fdt;

	if (!files)
		return 0;
	fdt = files->fdt;
	return fdt && (pg_fd_is_socket(files, fdt, 0) || pg_fd_is_socket(files, fdt, 1));
}

static __always_inline int pg_handle_exec(struct task_struct *task, struct linux_binprm *bprm)
{
	const struct pg_runtime_config *cfg = pg_config_get();
	struct pg_exec_heap *h = pg_heap(&pg_exec_heap);
	struct pg_proc_state *stp, *pst, st = { .gen = PG_GEN_NONE };
	struct pg_exec_event *e;
	struct fs_struct *fs;
	struct file *file;
	const char *filename, *interp;
	__u64 arg_start, arg_end, len;
	__u32 off, tgid;
	long r;

	if (!h) {
		pg_count(PG_EVENT_PROCESS_EXEC, 0);
		return 0;
	}
	e = &h->ev;
	e->hdr.type = PG_EVENT_PROCESS_EXEC;
	e->hdr.flags = 0;
	e->hdr.ktime = bpf_ktime_get_ns();
	e->proc_flags = PG_PROC_F_EXECVE;
	h->off = 0;

	/*
	 * The new image gets a new key before anything reads it: in place,
	 * the entry its fork made (an insert only for processes that were
	 * running before the agent and were never seeded).
	 */
	tgid = task->tgid;
	e->prev_ktime = task->group_leader->start_time;
	stp = pg_proc_state(tgid);
	if (stp) {
		e->prev_ktime = stp->ktime;
		stp->ktime = e->hdr.ktime;
	} else {
		st.ktime = e->hdr.ktime;
		pg_procs_insert(tgid, &st, BPF_ANY);
		stp = pg_proc_state(tgid);
	}
	/* both held to the end: each lookup is a hash walk (there were six) */
	pst = pg_proc_state(task->real_parent->tgid);

	/* binary: the file actually executed (the interpreter, for scripts) */
	fs = task->fs;
	file = bprm->file;
	e->binary_len =
		pg_append_path(h, file->f_path.dentry, file->f_path.mnt, fs, PG_PROC_F_PATH_TRUNC,
			       PG_PROC_F_PATH_ERROR, PG_PROC_F_BIN_DELETED);
	pg_fill_file(h, file);
	if (pg_stdio_socket(task))
		e->proc_flags |= PG_PROC_F_STDIO_SOCKET;

	/* filename: what execve() was asked to run, when it differs (scripts) */
	e->filename_len = 0;
	filename = bprm->filename;
	interp = bprm->interp;
	if (filename != interp) {
		e->proc_flags |= PG_PROC_F_SCRIPT;
		off = h->off;
		r = bpf_probe_read_kernel_str(&h->data[off & PG_OFF_MASK], PG_PATH_MAX, filename);
		if (r > 1) {
			e->filename_len = r - 1;
			h->off = off + r - 1;
			pg_script_remember(h, filename);
		} else if (r < 0) {
			e->proc_flags |= PG_PROC_F_FILENAME_ERROR;
			pg_count_error(PG_ERR_READ_FILENAME);
		}
	}

	pg_fill_task(h, task, cfg, &st, stp, pst, true);
	pg_exec_policy(h, task, cfg, &st, pst, 1);
	off = h->off;

	/* argv, straight from the new stack: resident, since exec just wrote it */
	arg_start = task->mm->arg_start;
	arg_end = task->mm->arg_end;
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > cfg->max_args) {
		len = cfg->max_args;
		e->proc_flags |= PG_PROC_F_ARGS_TRUNC;
	}
	e->args_len = 0;
	if (len) {
		if (bpf_probe_read_user(&h->data[off & PG_OFF_MASK], len & PG_ARGS_MASK,
					(void *)arg_start)) {
			e->proc_flags |= PG_PROC_F_ARGS_ERROR;
			pg_count_error(PG_ERR_READ_ARGS);
		} else {
			e->args_len = len & PG_ARGS_MASK;
			off += e->args_len;
		}
	}
	/*
	 * Only a record that reached the ring may serve as its children's
	 * model: the agent takes their cwd and cgroup from it.
	 */
	if (pg_output_to(&pg_proc_events, e, sizeof(*e) + (off & (PG_DATA_SIZE - 1))))
		st.cwd_ino = st.cgroup_id = 0;
	if (stp) {
		st.ktime = stp->ktime;
		*stp = st;
	}
	return 0;
}

/*
 * Exactly one process_exit per process image. At the tracepoint,
 * signal->live has already been decremented, so threads exiting together
 * can all read zero. A single-threaded process (the common case) claims its
 * exit by deleting its pg_procs entry. Threads that are not yet released
 * still count in signal->nr_threads: a process with more than one first
 * claims its exit in pg_exit_claims, where exactly one insert succeeds, and
 * the winner still finds the entry and its key, since losers delete
 * nothing. A process with no entry (running before the agent and gone
 * before the seeding reached it, or an insert that failed) claims there
 * too, after the failed delete: a racer already released claimed it so.
 */
static __always_inline int pg_handle_exit(struct task_struct *task)
{
	struct pg_process_key claim;
	struct pg_exit_event e = {};
	struct pg_proc_state *st;
	__u8 one = 1;
	int multi;
	__u32 tgid;

	/* not the last thread of the group */
	if (task->signal->live.counter != 0)
		return 0;
	tgid = task->tgid;
	claim.pid = tgid;
	claim.pad = 0;
	claim.ktime = task->group_leader->start_time;
	multi = task->signal->nr_threads > 1;
	if (multi && bpf_map_update_elem(&pg_exit_claims, &claim, &one, BPF_NOEXIST))
		return 0; /* another thread claimed it */
	e.hdr.type = PG_EVENT_PROCESS_EXIT;
	e.hdr.ktime = bpf_ktime_get_ns();
	st = pg_proc_state(tgid);
	pg_fill_task_ctx_st(task, &e.task, st, pg_proc_state(task->real_parent->tgid));
	pg_simple_verdict(&e.verdict, st, PG_EVENT_PROCESS_EXIT, tgid, e.hdr.ktime);
	if (bpf_map_delete_elem(&pg_procs, &tgid) && !multi &&
	    bpf_map_update_elem(&pg_exit_claims, &claim, &one, BPF_NOEXIST))
		return 0;
	e.exit_code = task->exit_code;
	pg_copy_comm(e.comm, task);
	pg_output_to(&pg_proc_events, &e, sizeof(e));
	return 0;
}

static __always_inline int pg_handle_fork(struct task_struct *parent, struct task_struct *child)
{
	struct pg_proc_state st = { .gen = PG_GEN_NONE }, *pst;
	struct pg_fork_event e = {};

	/* threads are not processes */
	if (child->pid != child->tgid)
		return 0;
	e.hdr.type = PG_EVENT_PROCESS_FORK;
	e.hdr.ktime = bpf_ktime_get_ns();
	e.task.proc.pid = child->tgid;
	e.task.proc.ktime = child->start_time;
	/*
	 * Its entry: the key, the claim its exit will take (pg_handle_exit),
	 * and its parent's cwd and cgroup identities: the agent's copy of a
	 * fork starts as its parent's, so its children may refer to it too.
	 */
	pst = pg_proc_state(parent->tgid);
	pg_task_key_st(parent, &e.task.parent, pst);
	if (pst)
		st = *pst; /* a fork is its parent's image: same cwd, cgroup, policy masks */
	st.ktime = e.task.proc.ktime;
	pg_simple_verdict(&e.verdict, pst, PG_EVENT_PROCESS_FORK, e.task.proc.pid, e.hdr.ktime);
	pg_procs_insert(e.task.proc.pid, &st, BPF_ANY);
	e.task.tid = e.task.proc.pid;
	e.task.ppid = e.task.parent.pid;
	pg_copy_comm(e.comm, child);
	pg_output_to(&pg_proc_events, &e, sizeof(e));
	return 0;
}

/* ---- backend: tp_btf ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return pg_handle_exec(p, bprm);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf_sched_process_exit, struct task_struct *p)
{
	return pg_handle_exit(p);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return pg_handle_fork(parent, child);
}

/* ---- seeding: every process running when the agent starts ---- */

/*
 * An iterated task's binary, into h->data from its start: its mm's
 * exe_file (what it runs now; NULL for a task without one), resolved
 * against its root.
 */
static __always_inline struct file *pg_iter_binary(struct pg_exec_heap *h, struct task_struct *task)
{
	struct fs_struct *fs = task->fs;
	struct mm_struct *mm = task->mm;
	struct file *exe = mm ? mm->exe_file : NULL;

	h->off = 0;
	h->ev.binary_len = 0;
	if (exe && fs)
		h->ev.binary_len = pg_append_path(h, exe->f_path.dentry, exe->f_path.mnt, fs,
						  PG_PROC_F_PATH_TRUNC, PG_PROC_F_PATH_ERROR,
						  PG_PROC_F_BIN_DELETED);
	return exe;
}

SEC("iter/task")
int iter_task_seed(struct bpf_iter__task *ctx)
{
	const struct pg_runtime_config *cfg = pg_config_get();
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct pg_proc_state st = { .gen = PG_GEN_NONE }, *pst;
	struct pg_exec_heap *h;
	struct pg_exec_event *e;
	struct file *exe;

	if (!task || task->pid != task->tgid || (task->flags & PF_KTHREAD))
		return 0;
	h = pg_heap(&pg_seed_heap);
	if (!h)
		return 0;
	e = &h->ev;
	e->hdr.type = PG_EVENT_PROCESS_SEED;
	e->hdr.flags = 0;
	e->hdr.ktime = bpf_ktime_get_ns();
	e->proc_flags = PG_PROC_F_SEEDED;
	e->prev_ktime = 0;
	exe = pg_iter_binary(h, task);
	pg_fill_file(h, exe);
	e->filename_len = 0;
	/*
	 * By pid, a parent is met first but for a reused pid: its entry, when
	 * there is one, gives the record's parent key and the parent and
	 * ancestor selectors. No cwd or cgroup "as the parent's" shortcut:
	 * seeds walk everything, and a child met before its parent (a
	 * reused pid) would point the agent to a record it has not read.
	 */
	pst = pg_proc_state(task->real_parent->tgid);
	pg_fill_task(h, task, cfg, &st, pg_proc_state(task->tgid), pst, false);
	/* what it selects, for its exit and its children (no action: it runs already) */
	pg_exec_policy(h, task, cfg, &st, pst, 0);
	/* another process's argv is not readable from here: the agent
	 * takes it from /proc/PID/cmdline */
	e->args_len = 0;
	/* 8-byte multiples keep the next record's header aligned for the reader */
	e->hdr.size = (sizeof(*e) + (h->off & PG_OFF_MASK) + 7) & ~7U;
	if (bpf_seq_write(seq, e, e->hdr.size & (PG_DATA_SIZE - 1))) {
		pg_count_error(PG_ERR_SEQ_WRITE);
		st.cwd_ino = st.cgroup_id = 0;
	}
	/* its entry (unless it forked or exec'd since we attached): key and claim */
	st.ktime = e->task.proc.ktime;
	pg_procs_insert(e->task.proc.pid, &st, BPF_NOEXIST);
	return 0;
}

/* ---- a policy reload: what every running process selects under the new set ---- */

/*
 * A reload switches the policy generation, and every pg_procs entry still
 * names the old one: pg_policy_proc_sel() would give it only the rules
 * that select no process property, so a rule on a running daemon's binary
 * would not apply to it until its next exec. The agent runs this iterator
 * right after each switch: each process not yet evaluated under the new
 * set (an exec since the switch was) is evaluated as at its seed, from its
 * binary, credentials and pid namespace now, with its parent's state when
 * the parent was evaluated already (the iterator goes by pid, so a parent
 * is met first unless its child's pid was reused after a wrap: then the
 * child's parent selectors are unknown, as a seed's). An exec's file name
 * (a script's own path) is not known here: only the binary counts, as at
 * a seed. Only the policy fields of the entry are written, its generation
 * last, so a program that reads it meanwhile sees the old generation (and
 * falls back) or the whole new selection.
 */
struct pg_proc_state pg_reselect_st = {}; /* scratch: the agent runs one iterator at a time */

SEC("iter/task")
int iter_task_reselect(struct bpf_iter__task *ctx)
{
	const struct pg_runtime_config *cfg = pg_config_get();
	struct pg_proc_state *st, *tmp = &pg_reselect_st;
	struct task_struct *task = ctx->task;
	struct pg_script_name *sn;
	__u32 gen = cfg->policy & 1, tgid;
	struct pg_exec_heap *h;
	struct pg_exec_event *e;

	if (!task || task->pid != task->tgid || (task->flags & PF_KTHREAD) ||
	    !(cfg->policy & PG_POLICY_LOADED))
		return 0;
	tgid = task->tgid;
	st = pg_proc_state(tgid);
	if (!st || st->gen == gen)
		return 0;
	h = pg_heap(&pg_seed_heap);
	if (!h)
		return 0;
	e = &h->ev;
	e->proc_flags = 0;
	pg_iter_binary(h, task);
	e->filename_len = 0;
	sn = bpf_map_lookup_elem(&pg_script_names, &tgid);
	if (sn && sn->ktime == st->ktime && sn->len < PG_SCRIPT_NAME_MAX &&
	    !bpf_probe_read_kernel(&h->data[e->binary_len & PG_OFF_MASK],
				   sn->len & (PG_SCRIPT_NAME_MAX - 1), sn->name))
		e->filename_len = sn->len;
	pg_task_creds(task, &e->creds);
	e->ns.pid = pg_pidns_inum((__u64)task->thread_pid, task->thread_pid->level);
	pg_exec_policy(h, task, cfg, tmp, pg_proc_state(task->real_parent->tgid), 0);
	st->sel = tmp->sel;
	st->parent_pos = tmp->parent_pos;
	st->parent_neg = tmp->parent_neg;
	st->anc_pos = tmp->anc_pos;
	st->anc_neg = tmp->anc_neg;
	barrier();
	st->gen = tmp->gen;
	return 0;
}
