// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * File sensor: opens, creates, unlinks, renames, chmod/chown, truncates,
 * links, symlinks and executable mappings of the files a policy watches
 * (lib/file_match.bpf.h decides). Only matches are reported: with no
 * policy, or no rule for files, every program leaves after two array
 * lookups.
 *
 * Two backends, each a complete set of programs:
 *
 * "lsm": BPF LSM hooks. The best: they run before the operation, with
 * the struct path or file the kernel will really use (after every
 * symlink, bind mount and ../, so no name games get around them), as
 * BTF-typed arguments walked with plain loads; and they are the only
 * hooks that can refuse (return -EPERM). The path_* hooks are the ones
 * the VFS calls with the mount at hand (security_path_*, under
 * CONFIG_SECURITY_PATH, which Debian enables): the inode_* hooks would
 * have no vfsmount to resolve a path from. file_open sees every open
 * but O_PATH ones; an open that creates the file reports the create
 * (path_mknod, called by the open itself) and not also the open.
 * mmap_file sees executable mappings (PROT_EXEC), the way a library
 * or a payload gets run without an exec.
 *
 * "tracepoint": the syscall exit tracepoints, for kernels without BPF LSM
 * (this host's: locked down, LSM and fentry refused). After the fact: it
 * reports and kills, it cannot deny. Calls that return or take an fd get
 * their file from the fd table (the very file the call used) and are
 * decided in the kernel like the LSM hooks. Calls that take path strings
 * and leave no file behind (unlink, rename, chmod by name, …) cannot be
 * resolved to an identity after the call (the name may be gone): the
 * kernel sends the strings, read at sys_exit (sys_enter could meet a page
 * not yet faulted in; the call itself has just read them), with the
 * directory each is relative to, and the agent decides
 * (PG_FILE_F_USER_PATH). The strings' registers come from
 * bpf_task_pt_regs() (5.15+), the task from bpf_get_current_task_btf()
 * (5.11+): on 5.10 this backend does not load, where "lsm" is the
 * choice anyway. 32-bit (compat) syscalls never reach these tracepoints
 * on x86 (ARCH_TRACE_IGNORE_COMPAT_SYSCALLS).
 */
#include "lib/task.bpf.h"
#include "lib/core_fixes.bpf.h"
#include "lib/path.bpf.h"
#include "lib/policy.bpf.h"
#include "lib/file_match.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/io_uring.bpf.h"

/* pg_file_op() @hook: where the program runs */
#define PG_HOOK_NONE 0	 /* after the call (tracepoint): the result is the call's */
#define PG_HOOK_LSM 1	 /* an LSM hook, before the operation: can deny */
#define PG_HOOK_FENTRY 2 /* a security_*() function's entry, before it: cannot deny */

#define EPERM 1
#define EACCES 13
#define AT_FDCWD -100
#define PROT_EXEC 0x4
#define MAP_ANONYMOUS 0x20
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
/*
 * The flags do_dentry_open() clears once the file is open: a sys_exit
 * program finds them only in the caller's arguments.
 */
#define PG_O_OPEN_ONLY (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC)
#define O_ACCMODE 03

/*
 * Record data: path, path2, base, base2 back to back, each below
 * PG_PATH_MAX, so every string starts below 4 * PG_PATH_MAX; the area
 * has room for one more so that a masked start plus a masked length
 * never leaves it.
 */
#define PG_FILE_DATA (5 * PG_PATH_MAX)
#define PG_FILE_OFF_MASK (4 * PG_PATH_MAX - 1)
#define PG_FILE_LEN_MASK (PG_PATH_MAX - 1)

struct pg_file_heap {
	struct pg_file_event ev;
	__u8 data[PG_FILE_DATA];
	struct pg_path_buf path;
	struct pg_file_match fm;
	__u64 fspan[16]; /* fields of an untyped struct file, see pg_file_fields_core() */
	__u32 off;	 /* write position in data */
	__u32 pad;
};

/*
 * One slot per CPU (max_entries set to the CPU count by the agent). The
 * programs run with migration disabled (LSM) or preemption disabled
 * (tracepoints), and never recurse on a CPU, so a slot is theirs from
 * start to output.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_file_heap);
} pg_file_heap SEC(".maps");

/* What a struct file tells: read typed or by helper. */
struct pg_file_ref {
	struct dentry *dentry;
	struct vfsmount *mnt;
	__u32 f_flags;
	__u32 f_mode;
};

/* Extra arguments of the operation, for the record. */
struct pg_file_args {
	__u32 mode; /* arg_mode */
	__u32 uid;
	__u32 gid;
	__u32 open_flags;
	__u32 fmode;
	__u32 xflags; /* PG_FILE_F_* the caller knows of: PG_FILE_F_IO_URING */
	__u64 size;   /* arg_size */
};

/*
 * The decision's first steps and the scratch slot: NULL when no rule can
 * apply, the cheap way out (see lib/file_match.bpf.h).
 */
static __always_inline struct pg_file_heap *pg_file_begin(const struct pg_policy_masks **mp,
							  __u16 t1, __u16 t2, __u32 acc)
{
	const struct pg_policy_masks *m;
	struct pg_rule_mask cand;
	struct pg_file_heap *h;
	__u32 gen = 0, cpu;

	m = pg_file_candidates(&cand, &gen, t1, t2, acc);
	if (!m)
		return NULL;
	cpu = bpf_get_smp_processor_id();
	h = bpf_map_lookup_elem(&pg_file_heap, &cpu);
	if (!h) {
		pg_count_error(PG_ERR_SCRATCH);
		return NULL;
	}
	pg_file_match_init(&h->fm, &cand, gen);
	*mp = m;
	return h;
}

/* ---- the record ---- */

static __always_inline void pg_file_record_init(struct pg_file_heap *h, __u16 type, __u32 flags,
						long result, const struct pg_file_args *a)
{
	struct pg_file_event *e = &h->ev;

	e->hdr.type = type;
	e->hdr.flags = 0;
	e->result = result;
	e->file_flags = flags;
	e->open_flags = a->open_flags;
	e->fmode = a->fmode;
	e->ino = 0;
	e->dev = 0;
	e->mode = 0;
	e->uid = 0;
	e->gid = 0;
	e->arg_mode = a->mode;
	e->arg_uid = a->uid;
	e->arg_gid = a->gid;
	e->root_len = e->pad = 0;
	e->arg_size = a->size;
	e->path_len = e->path2_len = e->base_len = e->base2_len = 0;
	if (bpf_get_current_comm(e->comm, sizeof(e->comm)))
		pg_count_error(PG_ERR_READ_COMM);
	h->off = 0;
}

/* The identity and owner of the file the record is about. */
static __always_inline void pg_file_record_inode(struct pg_file_event *e, struct dentry *d,
						 const int typed)
{
	struct inode *inode;

	/*
	 * The inode by helper reads even for a typed @d: kernels that mark
	 * d_inode trusted (never NULL) drop our NULL test, and the negative
	 * dentry of a create then oopsed a VM kernel in lsm_path_mknod.
	 */
	inode = BPF_CORE_READ(d, d_inode);
	if (typed)
		e->dev = d->d_sb->s_dev;
	else
		e->dev = BPF_CORE_READ(d, d_sb, s_dev);
	if (inode) {
		e->ino = BPF_CORE_READ(inode, i_ino);
		e->mode = BPF_CORE_READ(inode, i_mode);
		e->uid = BPF_CORE_READ(inode, i_uid.val);
		e->gid = BPF_CORE_READ(inode, i_gid.val);
	} else {
		e->file_flags |= PG_FILE_F_NO_INODE;
	}
}

/*
 * Append the path of (@dentry, @mnt) to the data; returns its length.
 * Resolved up to the root of the mount namespace, not the task's own
 * root: a chrooted process opening /jail/etc/shadow is reported with
 * that path (root 0 never matches, so pg_path_resolve() stops at the
 * namespace's root mount). @f_trunc/@f_err: the record flags for this
 * string; @main: the operation's own file, whose deleted/detached state
 * the record tells (a negative dentry, not hashed yet, would look
 * deleted).
 */
static __always_inline __u16 pg_file_append_path(struct pg_file_heap *h, __u64 dentry, __u64 mnt,
						 __u32 f_trunc, __u32 f_err, int main)
{
	__u32 start, len, off, f;

	start = pg_path_resolve(&h->path, dentry, mnt, 0, 0);
	f = h->path.flags;
	if (f & PG_PATH_TRUNC)
		h->ev.file_flags |= f_trunc;
	if (main && (f & PG_PATH_DELETED) && !(h->ev.file_flags & PG_FILE_F_NO_INODE))
		h->ev.file_flags |= PG_FILE_F_DELETED;
	if (main && (f & PG_PATH_DETACHED))
		h->ev.file_flags |= PG_FILE_F_DETACHED;
	if (f & PG_PATH_ERROR) {
		h->ev.file_flags |= f_err;
		return 0;
	}
	len = PG_PATH_MAX - start;
	if (len > PG_PATH_MAX - 1)
		len = PG_PATH_MAX - 1;
	off = h->off;
	if (bpf_probe_read_kernel(&h->data[off & PG_FILE_OFF_MASK], len & PG_FILE_LEN_MASK,
				  &h->path.buf[start & (2 * PG_PATH_MAX - 1)])) {
		h->ev.file_flags |= f_err;
		pg_count_error(PG_ERR_READ_PATH);
		return 0;
	}
	h->off = off + (len & PG_FILE_LEN_MASK);
	return len & PG_FILE_LEN_MASK;
}

/*
 * Append a string, from user memory if @user (a syscall's argument) or
 * else from the kernel (a symlink's target); returns its length.
 */
static __always_inline __u16 pg_file_append_str(struct pg_file_heap *h, const char *s, __u32 f_err,
						const int user)
{
	__u32 off = h->off;
	long r;

	if (user)
		r = bpf_probe_read_user_str(&h->data[off & PG_FILE_OFF_MASK], PG_PATH_MAX, s);
	else
		r = bpf_probe_read_kernel_str(&h->data[off & PG_FILE_OFF_MASK], PG_PATH_MAX, s);
	if (r <= 0) {
		h->ev.file_flags |= f_err;
		pg_count_error(user ? PG_ERR_READ_USER_PATH : PG_ERR_READ_PATH);
		return 0;
	}
	h->off = off + ((r - 1) & PG_FILE_LEN_MASK);
	return (r - 1) & PG_FILE_LEN_MASK;
}

/* Send the record: fixed part and the strings written so far. */
static __always_inline void pg_file_output(struct pg_file_heap *h)
{
	__u32 n = h->off;

	/* up to five strings: past the offsets' mask, within the buffer */
	if (n > PG_FILE_DATA)
		n = PG_FILE_DATA;
	h->ev.hdr.size = 0;
	pg_output(&h->ev, sizeof(h->ev) + n);
}

/*
 * The whole of a kernel-decided operation on one or two files (@d2 NULL:
 * one), once the candidates are known: select, decide, and if it
 * matched, the record. @p2_str: path2 is this kernel string, not @d2's
 * path (symlink's target). @xflags: record flags the caller knows
 * (PG_FILE_F_CREATED). @hook: PG_HOOK_*, where the program runs.
 * @typed: the dentries are BTF pointers (LSM arguments, or a file from
 * fd_array), read with plain loads. Returns the LSM verdict: 0 or -EPERM.
 */
static __always_inline int pg_file_op(struct pg_file_heap *h, const struct pg_policy_masks *m,
				      __u16 type, struct dentry *d, struct vfsmount *mnt,
				      struct dentry *d2, struct vfsmount *mnt2, const char *p2_str,
				      const struct pg_file_args *a, long result, __u32 xflags,
				      const int hook, const int typed)
{
	const int lsm = hook == PG_HOOK_LSM, before = hook != PG_HOOK_NONE;
	struct pg_file_event *e = &h->ev;
	int act;

	pg_file_select(&h->fm, m, d, typed);
	if (d2)
		pg_file_select(&h->fm, m, d2, typed);
	act = pg_file_decide(&h->fm, m, &e->verdict, &e->matched, lsm);
	if (act == PG_FILE_NO_RECORD)
		return 0;
	/*
	 * The clock only for a record: a read costs ~45 ns in a VM
	 * (pvclock), a third of an unwatched open's program.
	 */
	e->hdr.ktime = bpf_ktime_get_ns();
	if (before)
		result = act == PG_FILE_DENY ? -EPERM : 0;
	pg_file_record_init(h, type, xflags | (before ? PG_FILE_F_BEFORE : 0), result, a);
	if (h->fm.walk_trunc)
		e->file_flags |= PG_FILE_F_WALK_TRUNC;
	/*
	 * LSM, fentry: bpf_get_current_task_btf() is 5.11+, and the hooks must
	 * load on 5.10 too; this runs only for matches, so helper reads are fine.
	 */
	if (before)
		pg_fill_task_ctx_core((struct task_struct *)bpf_get_current_task(), &e->task);
	else
		pg_fill_task_ctx(bpf_get_current_task_btf(), &e->task);
	pg_file_record_inode(e, d, typed);
	e->path_len = pg_file_append_path(h, (__u64)d, (__u64)mnt, PG_FILE_F_PATH_TRUNC,
					  PG_FILE_F_PATH_ERROR, 1);
	if (p2_str)
		e->path2_len = pg_file_append_str(h, p2_str, PG_FILE_F_PATH2_ERROR, 0);
	else if (d2)
		e->path2_len = pg_file_append_path(h, (__u64)d2, (__u64)mnt2, PG_FILE_F_PATH2_TRUNC,
						   PG_FILE_F_PATH2_ERROR, 0);
	pg_file_output(h);
	return act == PG_FILE_DENY ? -EPERM : 0;
}

/*
 * ---- backends: lsm and fentry ----
 *
 * The same hook bodies serve both. "lsm" attaches to the LSM hooks and
 * can deny; "fentry" attaches to the kernel's security_*() functions that
 * call them, for kernels whose lsm= list lacks "bpf": it sees the same
 * arguments at the same moment, before the operation, but its return
 * value is ignored, so it reports and kills and never denies.
 */
#define PG_UNPAREN(...) __VA_ARGS__

/* Both programs of hook @hook: @fn(@args..., backend), @proto its arguments. */
#define PG_FILE_HOOK(hook, fn, proto, args)                                                        \
	SEC("lsm/" #hook)                                                                          \
	int BPF_PROG(lsm_##hook, PG_UNPAREN proto)                                                 \
	{                                                                                          \
		return fn(PG_UNPAREN args, PG_HOOK_LSM);                                           \
	}                                                                                          \
	SEC("fentry/security_" #hook)                                                              \
	int BPF_PROG(fentry_##hook, PG_UNPAREN proto)                                              \
	{                                                                                          \
		fn(PG_UNPAREN args, PG_HOOK_FENTRY);                                               \
		return 0;                                                                          \
	}

static const struct pg_file_args pg_no_args = {};

/*
 * One hook's decision, and its record if a rule matched: the operation
 * @type (for an open, @acc the access) on the file (@d, @mnt), and for
 * rename and link the second file (@d2, @mnt2), for symlink its target
 * (@p2_str); @a: what the call passed.
 */
static __always_inline int pg_hook_op(__u16 type, __u32 acc, struct dentry *d, struct vfsmount *mnt,
				      struct dentry *d2, struct vfsmount *mnt2, const char *p2_str,
				      const struct pg_file_args *a, const int hook)
{
	const struct pg_policy_masks *m;
	struct pg_file_heap *h;

	h = pg_file_begin(&m, type, PG_EVENT_NONE, acc);
	if (!h)
		return 0;
	return pg_file_op(h, m, type, d, mnt, d2, mnt2, p2_str, a, 0, 0, hook, 1);
}

static __always_inline int pg_hook_file_open(struct file *file, const int hook)
{
	struct pg_file_args a = { .fmode = file->f_mode, .open_flags = file->f_flags };

	/* the open created the file: path_mknod reported the create */
	if (a.fmode & PG_FMODE_CREATED)
		return 0;
	return pg_hook_op(PG_EVENT_FILE_OPEN, a.fmode & PG_FMODE_WRITE ? PG_ACC_WRITE : PG_ACC_READ,
			  file->f_path.dentry, file->f_path.mnt, NULL, NULL, NULL, &a, hook);
}
PG_FILE_HOOK(file_open, pg_hook_file_open, (struct file * file), (file))

static __always_inline int pg_hook_mknod(const struct path *dir, struct dentry *dentry,
					 umode_t mode, const int hook)
{
	struct pg_file_args a = { .mode = mode };

	return pg_hook_op(PG_EVENT_FILE_CREATE, 0, dentry, dir->mnt, NULL, NULL, NULL, &a, hook);
}
PG_FILE_HOOK(path_mknod, pg_hook_mknod,
	     (const struct path *dir, struct dentry *dentry, umode_t mode, unsigned int dev),
	     (dir, dentry, mode))

#define PG_S_IFDIR 0040000

/* mkdir: a create whose type is a directory (mkdir's mode has no type bits) */
static __always_inline int pg_hook_mkdir(const struct path *dir, struct dentry *dentry,
					 umode_t mode, const int hook)
{
	return pg_hook_mknod(dir, dentry, (mode & ~PG_S_IFMT) | PG_S_IFDIR, hook);
}
PG_FILE_HOOK(path_mkdir, pg_hook_mkdir,
	     (const struct path *dir, struct dentry *dentry, umode_t mode), (dir, dentry, mode))

static __always_inline int pg_hook_unlink(const struct path *dir, struct dentry *dentry,
					  const int hook)
{
	return pg_hook_op(PG_EVENT_FILE_UNLINK, 0, dentry, dir->mnt, NULL, NULL, NULL, &pg_no_args,
			  hook);
}
PG_FILE_HOOK(path_unlink, pg_hook_unlink, (const struct path *dir, struct dentry *dentry),
	     (dir, dentry))
PG_FILE_HOOK(path_rmdir, pg_hook_unlink, (const struct path *dir, struct dentry *dentry),
	     (dir, dentry))

/*
 * Four arguments: 5.19 added a fifth, flags (commit 100f59d96434 "LSM:
 * Remove double path_rename hook calls for RENAME_EXCHANGE"), which is
 * not needed; declaring it would read the return slot on older kernels.
 * An exchange is reported as the rename of the first name to the second:
 * either file matching matches it, as for any rename.
 */
static __always_inline int pg_hook_rename(const struct path *old_dir, struct dentry *old_dentry,
					  const struct path *new_dir, struct dentry *new_dentry,
					  const int hook)
{
	return pg_hook_op(PG_EVENT_FILE_RENAME, 0, old_dentry, old_dir->mnt, new_dentry,
			  new_dir->mnt, NULL, &pg_no_args, hook);
}
PG_FILE_HOOK(path_rename, pg_hook_rename,
	     (const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
	      struct dentry *new_dentry),
	     (old_dir, old_dentry, new_dir, new_dentry))

static __always_inline int pg_hook_chmod(const struct path *path, umode_t mode, const int hook)
{
	struct pg_file_args a = { .mode = mode };

	return pg_hook_op(PG_EVENT_FILE_CHMOD, 0, path->dentry, path->mnt, NULL, NULL, NULL, &a,
			  hook);
}
PG_FILE_HOOK(path_chmod, pg_hook_chmod, (const struct path *path, umode_t mode), (path, mode))

/*
 * uid and gid are kuid_t/kgid_t, structs passed by value, which the
 * verifier lets a program read from its context only since 6.1 (commit
 * 720e6a435194 "bpf: Allow struct argument's in trampoline based
 * programs"). The context is the trampoline's array of u64 argument
 * slots on every kernel, so they are copied out of it by helper, which
 * reads memory whatever the verifier knows of its type.
 */
static __always_inline int pg_hook_chown(unsigned long long *ctx, const int hook)
{
	const struct path *path = (const struct path *)ctx[0];
	const struct pg_policy_masks *m;
	struct pg_file_args a = {};
	struct pg_file_heap *h;
	__u64 ids[2] = {};

	/* the decision first: the helper read only for a candidate */
	h = pg_file_begin(&m, PG_EVENT_FILE_CHOWN, PG_EVENT_NONE, 0);
	if (!h)
		return 0;
	if (bpf_probe_read_kernel(ids, sizeof(ids), &ctx[1]))
		ids[0] = ids[1] = (__u32)-1;
	a.uid = ids[0];
	a.gid = ids[1];
	return pg_file_op(h, m, PG_EVENT_FILE_CHOWN, path->dentry, path->mnt, NULL, NULL, NULL, &a,
			  0, 0, hook, 1);
}

SEC("lsm/path_chown")
int lsm_path_chown(unsigned long long *ctx)
{
	return pg_hook_chown(ctx, PG_HOOK_LSM);
}

SEC("fentry/security_path_chown")
int fentry_path_chown(unsigned long long *ctx)
{
	pg_hook_chown(ctx, PG_HOOK_FENTRY);
	return 0;
}

/*
 * Where path_chown cannot be attached (before 6.1: its ids are structs),
 * chown_common(), which every chown call goes through just before it,
 * with the same path and plain uid_t and gid_t: reported before the
 * change like fentry, and so never denied.
 */
SEC("fentry/chown_common")
int BPF_PROG(fentry_chown_common, const struct path *path, uid_t user, gid_t group)
{
	const struct pg_policy_masks *m;
	struct pg_file_args a = {};
	struct pg_file_heap *h;

	h = pg_file_begin(&m, PG_EVENT_FILE_CHOWN, PG_EVENT_NONE, 0);
	if (!h)
		return 0;
	a.uid = user;
	a.gid = group;
	pg_file_op(h, m, PG_EVENT_FILE_CHOWN, path->dentry, path->mnt, NULL, NULL, NULL, &a, 0, 0,
		   PG_HOOK_FENTRY, 1);
	return 0;
}

/*
 * truncate(2), and before 6.2 ftruncate(2) and open(O_TRUNC) too; since
 * 6.2 (commit 3350607dc5637 "security: Create file_truncate hook from
 * path_truncate hook") those call file_truncate: the hook after this one,
 * which the agent leaves out where the kernel lacks it.
 */
static __always_inline int pg_hook_truncate(const struct path *path, const int hook)
{
	return pg_hook_op(PG_EVENT_FILE_TRUNCATE, 0, path->dentry, path->mnt, NULL, NULL, NULL,
			  &pg_no_args, hook);
}
PG_FILE_HOOK(path_truncate, pg_hook_truncate, (const struct path *path), (path))

static __always_inline int pg_hook_file_truncate(struct file *file, const int hook)
{
	struct pg_file_args a = { .fmode = file->f_mode, .open_flags = file->f_flags };

	return pg_hook_op(PG_EVENT_FILE_TRUNCATE, 0, file->f_path.dentry, file->f_path.mnt, NULL,
			  NULL, NULL, &a, hook);
}
PG_FILE_HOOK(file_truncate, pg_hook_file_truncate, (struct file * file), (file))

/* path: the existing file; path2: the new link (same mount: links do not cross) */
static __always_inline int pg_hook_link(struct dentry *old_dentry, const struct path *new_dir,
					struct dentry *new_dentry, const int hook)
{
	return pg_hook_op(PG_EVENT_FILE_LINK, 0, old_dentry, new_dir->mnt, new_dentry, new_dir->mnt,
			  NULL, &pg_no_args, hook);
}
PG_FILE_HOOK(path_link, pg_hook_link,
	     (struct dentry * old_dentry, const struct path *new_dir, struct dentry *new_dentry),
	     (old_dentry, new_dir, new_dentry))

/* path: the new link itself; path2: its target, as written */
static __always_inline int pg_hook_symlink(const struct path *dir, struct dentry *dentry,
					   const char *old_name, const int hook)
{
	return pg_hook_op(PG_EVENT_FILE_SYMLINK, 0, dentry, dir->mnt, NULL, NULL, old_name,
			  &pg_no_args, hook);
}
PG_FILE_HOOK(path_symlink, pg_hook_symlink,
	     (const struct path *dir, struct dentry *dentry, const char *old_name),
	     (dir, dentry, old_name))

static __always_inline int pg_hook_mmap(struct file *file, unsigned long prot, unsigned long flags,
					const int hook)
{
	struct pg_file_args a = {};

	/* anonymous and non-executable mappings: most mmaps leave here */
	if (!file || !(prot & PROT_EXEC))
		return 0;
	a.mode = prot;
	a.size = flags;
	a.open_flags = file->f_flags;
	a.fmode = file->f_mode;
	return pg_hook_op(PG_EVENT_FILE_MMAP_EXEC, 0, file->f_path.dentry, file->f_path.mnt, NULL,
			  NULL, NULL, &a, hook);
}

/* The hook has the protection asked for and the one applied; the function only the first. */
SEC("lsm/mmap_file")
int BPF_PROG(lsm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags)
{
	return pg_hook_mmap(file, prot, flags, PG_HOOK_LSM);
}

SEC("fentry/security_mmap_file")
int BPF_PROG(fentry_mmap_file, struct file *file, unsigned long prot, unsigned long flags)
{
	pg_hook_mmap(file, prot, flags, PG_HOOK_FENTRY);
	return 0;
}

/* ---- backend: tracepoint ---- */

/*
 * The file behind an fd comes from lib/fd.bpf.h: typed from fd_array
 * while the table is the embedded one, else untyped, which since 6.2
 * bpf_rdonly_cast() types again (lib/fd.bpf.h).
 */

/*
 * f_path, f_flags and f_mode of an untyped file: one helper read of the
 * first bytes of struct file when they hold all three (true of every
 * kernel we support: CO-RE checks it at load), one read each otherwise.
 */
static __always_inline int pg_file_fields_core(struct pg_file_heap *h, struct file *file,
					       struct pg_file_ref *r)
{
	__u32 o_dentry = bpf_core_field_offset(struct file, f_path) +
			 bpf_core_field_offset(struct path, dentry);
	__u32 o_mnt = bpf_core_field_offset(struct file, f_path) +
		      bpf_core_field_offset(struct path, mnt);
	__u32 o_flags = bpf_core_field_offset(struct file, f_flags);
	__u32 o_mode = bpf_core_field_offset(struct file, f_mode);
	void *s = h->fspan;

	if (o_dentry + 8 <= sizeof(h->fspan) && o_mnt + 8 <= sizeof(h->fspan) &&
	    o_flags + 4 <= sizeof(h->fspan) && o_mode + 4 <= sizeof(h->fspan)) {
		if (bpf_probe_read_kernel(h->fspan, sizeof(h->fspan), file))
			return -1;
		r->dentry = *(struct dentry **)(s + o_dentry);
		r->mnt = *(struct vfsmount **)(s + o_mnt);
		r->f_flags = *(__u32 *)(s + o_flags);
		r->f_mode = *(__u32 *)(s + o_mode);
	} else {
		r->dentry = BPF_CORE_READ(file, f_path.dentry);
		r->mnt = BPF_CORE_READ(file, f_path.mnt);
		r->f_flags = BPF_CORE_READ(file, f_flags);
		r->f_mode = BPF_CORE_READ(file, f_mode);
	}
	return r->dentry ? 0 : -1;
}

static __always_inline struct pt_regs *pg_sys_regs(struct task_struct *task)
{
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/* The decision and record of an fd's file; @typed: @d and @mnt are BTF pointers. */
static __always_inline int pg_tp_file(struct pg_file_heap *h, const struct pg_policy_masks *m,
				      struct dentry *d, struct vfsmount *mnt, __u32 f_flags,
				      __u32 f_mode, __u16 type, int open, struct pg_file_args *a,
				      long result, const int typed)
{
	if (open) {
		type = f_mode & PG_FMODE_CREATED ? PG_EVENT_FILE_CREATE : PG_EVENT_FILE_OPEN;
		if (!pg_file_refine(&h->fm, m, type,
				    f_mode & PG_FMODE_WRITE ? PG_ACC_WRITE : PG_ACC_READ))
			return 0;
	}
	a->open_flags |= f_flags;
	a->fmode = f_mode;
	pg_file_op(h, m, type, d, mnt, NULL, NULL, NULL, a, result,
		   a->xflags | (type == PG_EVENT_FILE_CREATE ? PG_FILE_F_CREATED : 0), PG_HOOK_NONE,
		   typed);
	return 0;
}

/*
 * An fd-based operation (the fd an open returned, or the fd argument of
 * ftruncate/fchmod/fchown/mmap), decided in the kernel. @open: the type
 * and access come from the file (create or open, read or write).
 */
static __always_inline int pg_tp_fd_op(struct pg_file_heap *h, const struct pg_policy_masks *m,
				       struct task_struct *task, long fd, __u16 type, int open,
				       struct pg_file_args *a, long result)
{
	struct files_struct *files = task->files;
	struct pg_file_ref r;
	struct fdtable *fdt;
	struct file *file;

	if (!files)
		return 0;
	fdt = files->fdt;
	/*
	 * From 6.2 the cast reads any fd's file typed, so the fast path is
	 * left out there: it would be a second copy of the whole decision
	 * for the verifier to walk in each of these programs, for a saving
	 * of one helper read.
	 */
	if (!pg_have_rdonly_cast() && pg_fd_fast(files, fdt, fd)) {
		file = pg_fd_array(files, fd);
		if (!file)
			return 0;
		return pg_tp_file(h, m, file->f_path.dentry, file->f_path.mnt, file->f_flags,
				  file->f_mode, type, open, a, result, PG_TYPED_OPEN);
	}
	file = pg_fd_file_core(fdt, fd);
	if (!file)
		return 0;
	if (pg_have_rdonly_cast()) {
		file = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));
		return pg_tp_file(h, m, file->f_path.dentry, file->f_path.mnt, file->f_flags,
				  file->f_mode, type, open, a, result, PG_TYPED_OPEN);
	}
	if (pg_file_fields_core(h, file, &r))
		return 0;
	return pg_tp_file(h, m, r.dentry, r.mnt, r.f_flags, r.f_mode, type, open, a, result, 0);
}

/*
 * Append the directory a path string is relative to: @dfd's file, or the
 * cwd for AT_FDCWD; for an absolute string, the process's root, which
 * is not "/" in a chroot (its "/etc/shadow" is the jail's). Nothing when
 * the fd is not a file. One append for the three: each is a path walk,
 * which the 5.10 verifier walks again in every program.
 */
static __always_inline __u16 pg_tp_base(struct pg_file_heap *h, struct task_struct *task, long dfd,
					__u32 str_off, __u16 str_len, __u32 f_trunc, __u32 f_err)
{
	struct pg_file_ref r;
	struct fs_struct *fs;
	struct file *file;
	__u64 d, mnt;
	int abs = str_len && h->data[str_off & PG_FILE_OFF_MASK] == '/';

	if (abs || (int)dfd == AT_FDCWD) {
		fs = task->fs;
		if (!fs)
			return 0;
		if (abs) {
			d = (__u64)fs->root.dentry;
			mnt = (__u64)fs->root.mnt;
		} else {
			d = (__u64)fs->pwd.dentry;
			mnt = (__u64)fs->pwd.mnt;
		}
	} else {
		if (!task->files)
			return 0;
		file = pg_fd_file_core(task->files->fdt, (int)dfd);
		if (!file || pg_file_fields_core(h, file, &r))
			return 0;
		d = (__u64)r.dentry;
		mnt = (__u64)r.mnt;
	}
	return pg_file_append_path(h, d, mnt, f_trunc, f_err, 0);
}

/* Whether the string at @off (@len bytes) is a relative path. */
static __always_inline int pg_tp_relative(struct pg_file_heap *h, __u32 off, __u16 len)
{
	return len && h->data[off & PG_FILE_OFF_MASK] != '/';
}

/* pg_tp_user_path() @how */
#define PG_UP_ONE 0    /* one path string */
#define PG_UP_TWO 1    /* two, each relative to its own directory fd */
#define PG_UP_TARGET 2 /* s2 is a symlink target, kept as written */

/*
 * A call that takes path strings and leaves no file to look at: the
 * record carries the strings and their bases, and the agent decides
 * (verdict PG_VERDICT_F_USER, matched = the process's candidates). Only
 * for processes some rule of this event type may apply to: most calls
 * left in pg_file_begin().
 */
static __always_inline int pg_tp_user_path(struct pg_file_heap *h, struct task_struct *task,
					   __u16 type, long result, long dfd1, const char *s1,
					   long dfd2, const char *s2, int how,
					   const struct pg_file_args *a, const int user)
{
	struct pg_file_event *e = &h->ev;
	__u32 off1, off2;
	int rule;

	rule = pg_mask_first(&h->fm.cand);
	if (rule < 0)
		return 0;
	e->hdr.ktime = bpf_ktime_get_ns();
	e->verdict.rule = rule;
	e->verdict.flags = PG_VERDICT_F_USER;
	e->verdict.gen = h->fm.gen;
	e->verdict.pad = 0;
	e->matched = h->fm.cand;
	pg_file_record_init(h, type, PG_FILE_F_USER_PATH | a->xflags, result, a);
	pg_fill_task_ctx(task, &e->task);
	off1 = h->off;
	e->path_len = pg_file_append_str(h, s1, PG_FILE_F_PATH_ERROR, user);
	off2 = h->off;
	if (how != PG_UP_ONE)
		e->path2_len = pg_file_append_str(h, s2, PG_FILE_F_PATH2_ERROR, user);
	e->base_len = pg_tp_base(h, task, dfd1, off1, e->path_len, PG_FILE_F_PATH_TRUNC,
				 PG_FILE_F_PATH_ERROR);
	if (how == PG_UP_TWO)
		e->base2_len = pg_tp_base(h, task, dfd2, off2, e->path2_len, PG_FILE_F_PATH2_TRUNC,
					  PG_FILE_F_PATH2_ERROR);
	/*
	 * A relative string's ".." stops at the process's root, as the
	 * kernel's lookup does: a chrooted process's "../../etc/shadow" from
	 * /jail/tmp is /jail/etc/shadow. The agent needs that root to stop
	 * there too ("/" for most processes: one step of the walk). Not
	 * read, it is left out (root_len 0), and ".." is taken as before.
	 */
	if (task->fs && (pg_tp_relative(h, off1, e->path_len) ||
			 (how == PG_UP_TWO && pg_tp_relative(h, off2, e->path2_len))))
		e->root_len = pg_file_append_path(h, (__u64)task->fs->root.dentry,
						  (__u64)task->fs->root.mnt, 0, 0, 0);
	pg_file_output(h);
	return 0;
}

/*
 * Syscall arguments, from the registers the task entered the kernel with:
 * @r is typed (bpf_task_pt_regs(), or the sys_exit tracepoint's own), so
 * plain loads (x86), not a helper read per argument (~15 ns each).
 */
#define PG_ARG1(r) PT_REGS_PARM1_SYSCALL(r)
#define PG_ARG2(r) PT_REGS_PARM2_SYSCALL(r)
#define PG_ARG3(r) PT_REGS_PARM3_SYSCALL(r)
#define PG_ARG4(r) PT_REGS_PARM4_SYSCALL(r)
#define PG_ARG5(r) PT_REGS_PARM5_SYSCALL(r)

/*
 * The opens. A new fd: the file it holds, decided in the kernel (open,
 * or create when this open created it). A refusal (EACCES, EPERM): the
 * attempt on a file it could not open, the classic probe of
 * /etc/shadow, sent with the name as given, for the agent to decide.
 * @kind: which call, for where the name and flags are.
 */
#define PG_OPENAT 0
#define PG_OPENAT2 1
#define PG_OPEN 2
#define PG_CREAT 3

/* The flags, directory fd and name the caller passed to open call @kind. */
static __always_inline __u64 pg_tp_open_args(struct pt_regs *regs, const int kind, long *dfd,
					     const char **name)
{
	__u64 flags = 0;

	*dfd = AT_FDCWD;
	if (kind == PG_OPEN) {
		*name = (const char *)PG_ARG1(regs);
		return PG_ARG2(regs);
	}
	if (kind == PG_CREAT) {
		*name = (const char *)PG_ARG1(regs);
		return O_CREAT | O_WRONLY | O_TRUNC;
	}
	*dfd = PG_ARG1(regs);
	*name = (const char *)PG_ARG2(regs);
	if (kind == PG_OPENAT)
		return PG_ARG3(regs);
	/* struct open_how starts with the flags */
	if (bpf_probe_read_user(&flags, sizeof(flags), (void *)PG_ARG3(regs)))
		return 0;
	return flags;
}

/* The access an open asked for, as f_mode would have it (for a refused open: no file). */
static __always_inline __u32 pg_open_fmode(__u64 flags)
{
	return ((flags & O_ACCMODE) != O_WRONLY ? PG_FMODE_READ : 0) |
	       (flags & (O_WRONLY | O_RDWR) ? PG_FMODE_WRITE : 0);
}

static __always_inline int pg_tp_open(struct trace_event_raw_sys_exit *ctx, const int kind)
{
	const struct pg_policy_masks *m;
	struct pg_file_args a = {};
	struct task_struct *task;
	struct pg_file_heap *h;
	struct pt_regs *regs;
	long ret = ctx->ret;
	const char *name;
	long dfd;
	__u64 flags;

	if (ret >= 0) {
		h = pg_file_begin(&m, PG_EVENT_FILE_OPEN, PG_EVENT_FILE_CREATE,
				  PG_ACC_READ | PG_ACC_WRITE);
		if (!h)
			return 0;
		task = bpf_get_current_task_btf();
		/* the rest of the flags come from the open file */
		a.open_flags =
			pg_tp_open_args(pg_sys_regs(task), kind, &dfd, &name) & PG_O_OPEN_ONLY;
		return pg_tp_fd_op(h, m, task, ret, PG_EVENT_FILE_OPEN, 1, &a, 0);
	}
	if (ret != -EACCES && ret != -EPERM)
		return 0;
	h = pg_file_begin(&m, PG_EVENT_FILE_OPEN, PG_EVENT_NONE, PG_ACC_READ | PG_ACC_WRITE);
	if (!h)
		return 0;
	task = bpf_get_current_task_btf();
	regs = pg_sys_regs(task);
	flags = pg_tp_open_args(regs, kind, &dfd, &name);
	a.open_flags = flags;
	a.fmode = pg_open_fmode(flags);
	if (!pg_file_refine(&h->fm, m, PG_EVENT_FILE_OPEN,
			    a.fmode & PG_FMODE_WRITE ? PG_ACC_WRITE : PG_ACC_READ))
		return 0;
	return pg_tp_user_path(h, task, PG_EVENT_FILE_OPEN, ret, dfd, name, 0, NULL, PG_UP_ONE, &a,
			       1);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tp_sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return pg_tp_open(ctx, PG_OPENAT);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int tp_sys_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return pg_tp_open(ctx, PG_OPENAT2);
}

SEC("tracepoint/syscalls/sys_exit_open")
int tp_sys_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return pg_tp_open(ctx, PG_OPEN);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int tp_sys_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return pg_tp_open(ctx, PG_CREAT);
}

/*
 * Opens through io_uring (IORING_OP_OPENAT, IORING_OP_OPENAT2) enter no
 * open system call: a program that opens /etc/shadow that way is invisible
 * to the tracepoints above, and rootkits use exactly this. The lsm and
 * fentry backends see them (the hook is in the open itself); here their
 * completion does (lib/io_uring.bpf.h). Not seen: refused opens (the name
 * is freed before the completion).
 */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(tp_btf_io_uring_complete, void *ring, void *req)
{
	const struct pg_policy_masks *m;
	struct pg_file_args a = {};
	struct io_open___pg *op;
	struct pg_file_heap *h;
	int fd;

	op = pg_io_uring_done(req, PG_IORING_OP_OPENAT, PG_IORING_OP_OPENAT2, &fd);
	if (!op || !bpf_core_type_exists(struct io_open___pg) || BPF_CORE_READ(op, file_slot))
		return 0;
	h = pg_file_begin(&m, PG_EVENT_FILE_OPEN, PG_EVENT_FILE_CREATE, PG_ACC_READ | PG_ACC_WRITE);
	if (!h)
		return 0;
	a.open_flags = BPF_CORE_READ(op, how.flags) & PG_O_OPEN_ONLY;
	a.xflags = PG_FILE_F_IO_URING;
	return pg_tp_fd_op(h, m, bpf_get_current_task_btf(), fd, PG_EVENT_FILE_OPEN, 1, &a, 0);
}

/*
 * The path operations through io_uring (lib/io_uring.bpf.h), at their
 * submission: the names the request holds (kernel copies) and the
 * directories they are relative to, in the submitter's context, for the
 * agent to decide as for the syscalls' path strings. Seen before they
 * run: result 0, flag "before", and a kill acts after them.
 */
static __always_inline int pg_io_uring_submit(void *req)
{
	long dfd1 = AT_FDCWD, dfd2 = AT_FDCWD;
	const struct pg_policy_masks *m;
	const char *s1 = 0, *s2 = 0;
	struct pg_file_args a = {};
	struct io_rename___pg *rn;
	struct io_unlink___pg *un;
	struct io_mkdir___pg *mk;
	struct io_link___pg *ln;
	struct pg_file_heap *h;
	int how = PG_UP_ONE;
	__u16 type;
	__u8 op;

	op = BPF_CORE_READ((struct io_kiocb___pg *)req, opcode);
	if (op < PG_IORING_OP_RENAMEAT || op > PG_IORING_OP_LINKAT)
		return 0;
	switch (op) {
	case PG_IORING_OP_RENAMEAT: type = PG_EVENT_FILE_RENAME; break;
	case PG_IORING_OP_UNLINKAT: type = PG_EVENT_FILE_UNLINK; break;
	case PG_IORING_OP_MKDIRAT: type = PG_EVENT_FILE_CREATE; break;
	case PG_IORING_OP_SYMLINKAT: type = PG_EVENT_FILE_SYMLINK; break;
	default: type = PG_EVENT_FILE_LINK; break;
	}
	h = pg_file_begin(&m, type, PG_EVENT_NONE, 0);
	if (!h)
		return 0;
	if (op == PG_IORING_OP_UNLINKAT && bpf_core_type_exists(struct io_unlink___pg)) {
		un = req;
		dfd1 = BPF_CORE_READ(un, dfd);
		s1 = BPF_CORE_READ(un, filename, name);
	} else if (op == PG_IORING_OP_MKDIRAT && bpf_core_type_exists(struct io_mkdir___pg)) {
		mk = req;
		dfd1 = BPF_CORE_READ(mk, dfd);
		s1 = BPF_CORE_READ(mk, filename, name);
		a.mode = (BPF_CORE_READ(mk, mode) & ~PG_S_IFMT) | PG_S_IFDIR;
	} else if (op == PG_IORING_OP_RENAMEAT && bpf_core_type_exists(struct io_rename___pg)) {
		rn = req;
		dfd1 = BPF_CORE_READ(rn, old_dfd);
		s1 = BPF_CORE_READ(rn, oldpath, name);
		dfd2 = BPF_CORE_READ(rn, new_dfd);
		s2 = BPF_CORE_READ(rn, newpath, name);
		how = PG_UP_TWO;
	} else if (bpf_core_type_exists(struct io_link___pg)) {
		ln = req;
		if (op == PG_IORING_OP_SYMLINKAT) {
			/* path the new link, path2 the target as written */
			dfd1 = BPF_CORE_READ(ln, new_dfd);
			s1 = BPF_CORE_READ(ln, newpath, name);
			s2 = BPF_CORE_READ(ln, oldpath, name);
			how = PG_UP_TARGET;
		} else {
			dfd1 = BPF_CORE_READ(ln, old_dfd);
			s1 = BPF_CORE_READ(ln, oldpath, name);
			dfd2 = BPF_CORE_READ(ln, new_dfd);
			s2 = BPF_CORE_READ(ln, newpath, name);
			how = PG_UP_TWO;
		}
	}
	if (!s1)
		return 0;
	a.xflags = PG_FILE_F_BEFORE | PG_FILE_F_IO_URING;
	return pg_tp_user_path(h, bpf_get_current_task_btf(), type, 0, dfd1, s1, dfd2, s2, how, &a,
			       0);
}

/*
 * The submission's tracepoint, whose first argument is the request: named
 * io_uring_submit_sqe before (where 5.x passed the ring first: the
 * agent attaches the one whose first argument is a struct io_kiocb).
 */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(tp_btf_io_uring_submit_req, void *req)
{
	return pg_io_uring_submit(req);
}

SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(tp_btf_io_uring_submit_sqe, void *req)
{
	return pg_io_uring_submit(req);
}

/*
 * One syscall-exit program: the decision's first steps, then @fill takes
 * the call's arguments into a, then @tail decides and records.
 */
#define PG_TP_SYSCALL(call, type, fill, tail)                                                      \
	SEC("tracepoint/syscalls/sys_exit_" #call)                                                 \
	int tp_sys_exit_##call(struct trace_event_raw_sys_exit *ctx)                               \
	{                                                                                          \
		const struct pg_policy_masks *m;                                                   \
		struct pg_file_args a = {};                                                        \
		struct task_struct *task;                                                          \
		struct pg_file_heap *h;                                                            \
		struct pt_regs *regs;                                                              \
                                                                                                   \
		h = pg_file_begin(&m, type, PG_EVENT_NONE, 0);                                     \
		if (!h)                                                                            \
			return 0;                                                                  \
		task = bpf_get_current_task_btf();                                                 \
		regs = pg_sys_regs(task);                                                          \
		fill;                                                                              \
		return tail;                                                                       \
	}

/* ftruncate, fchmod, fchown: the fd's file (argument 1), whatever the call returned */
#define PG_TP_FD_OP(call, type, fill)                                                              \
	PG_TP_SYSCALL(call, type, fill,                                                            \
		      pg_tp_fd_op(h, m, task, (int)PG_ARG1(regs), type, 0, &a, ctx->ret))

PG_TP_FD_OP(ftruncate, PG_EVENT_FILE_TRUNCATE, a.size = PG_ARG2(regs))
PG_TP_FD_OP(fchmod, PG_EVENT_FILE_CHMOD, a.mode = PG_ARG2(regs))
PG_TP_FD_OP(fchown, PG_EVENT_FILE_CHOWN, (a.uid = PG_ARG2(regs), a.gid = PG_ARG3(regs)))

/*
 * mmap is frequent (every malloc arena, every library load), and most
 * calls are anonymous or not executable: the arguments are checked
 * before any map lookup. mmap(addr, len, prot, flags, fd, off).
 */
SEC("tracepoint/syscalls/sys_exit_mmap")
int tp_sys_exit_mmap(struct trace_event_raw_sys_exit *ctx)
{
	const struct pg_policy_masks *m;
	struct pg_file_args a = {};
	struct task_struct *task;
	struct pg_file_heap *h;
	struct pt_regs *regs;
	__u64 prot, flags;
	int fd;

	if (ctx->ret < 0 && ctx->ret > -4096)
		return 0; /* failed: nothing was mapped */
	task = bpf_get_current_task_btf();
	regs = pg_sys_regs(task);
	prot = PG_ARG3(regs);
	flags = PG_ARG4(regs);
	fd = PG_ARG5(regs);
	if (!(prot & PROT_EXEC) || (flags & MAP_ANONYMOUS) || fd < 0)
		return 0;
	h = pg_file_begin(&m, PG_EVENT_FILE_MMAP_EXEC, PG_EVENT_NONE, 0);
	if (!h)
		return 0;
	a.mode = prot;
	a.size = flags;
	return pg_tp_fd_op(h, m, task, fd, PG_EVENT_FILE_MMAP_EXEC, 0, &a, 0);
}

/*
 * The path-string calls (see pg_tp_user_path). @type, then how to find
 * (dirfd, string) pairs in the arguments: PG_UP_DFD(n) is argument n, or
 * AT_FDCWD for calls without a dirfd.
 */
#define PG_TP_USER_PATH(call, type, how, dfd1, s1, dfd2, s2, fill)                                 \
	PG_TP_SYSCALL(call, type, fill,                                                            \
		      pg_tp_user_path(h, task, type, ctx->ret, dfd1, (const char *)(s1), dfd2,     \
				      (const char *)(s2), how, &a, 1))

#define PG_NOTHING ((void)0)

/* unlink and rmdir are one event type: the rule says "unlink" for both */
PG_TP_USER_PATH(unlinkat, PG_EVENT_FILE_UNLINK, PG_UP_ONE, PG_ARG1(regs), PG_ARG2(regs), 0, 0,
		PG_NOTHING)
PG_TP_USER_PATH(unlink, PG_EVENT_FILE_UNLINK, PG_UP_ONE, AT_FDCWD, PG_ARG1(regs), 0, 0, PG_NOTHING)
PG_TP_USER_PATH(rmdir, PG_EVENT_FILE_UNLINK, PG_UP_ONE, AT_FDCWD, PG_ARG1(regs), 0, 0, PG_NOTHING)

PG_TP_USER_PATH(renameat2, PG_EVENT_FILE_RENAME, PG_UP_TWO, PG_ARG1(regs), PG_ARG2(regs),
		PG_ARG3(regs), PG_ARG4(regs), PG_NOTHING)
PG_TP_USER_PATH(renameat, PG_EVENT_FILE_RENAME, PG_UP_TWO, PG_ARG1(regs), PG_ARG2(regs),
		PG_ARG3(regs), PG_ARG4(regs), PG_NOTHING)
PG_TP_USER_PATH(rename, PG_EVENT_FILE_RENAME, PG_UP_TWO, AT_FDCWD, PG_ARG1(regs), AT_FDCWD,
		PG_ARG2(regs), PG_NOTHING)

PG_TP_USER_PATH(fchmodat, PG_EVENT_FILE_CHMOD, PG_UP_ONE, PG_ARG1(regs), PG_ARG2(regs), 0, 0,
		a.mode = PG_ARG3(regs))
PG_TP_USER_PATH(fchmodat2, PG_EVENT_FILE_CHMOD, PG_UP_ONE, PG_ARG1(regs), PG_ARG2(regs), 0, 0,
		a.mode = PG_ARG3(regs))
PG_TP_USER_PATH(chmod, PG_EVENT_FILE_CHMOD, PG_UP_ONE, AT_FDCWD, PG_ARG1(regs), 0, 0,
		a.mode = PG_ARG2(regs))

PG_TP_USER_PATH(fchownat, PG_EVENT_FILE_CHOWN, PG_UP_ONE, PG_ARG1(regs), PG_ARG2(regs), 0, 0,
		(a.uid = PG_ARG3(regs), a.gid = PG_ARG4(regs)))
PG_TP_USER_PATH(chown, PG_EVENT_FILE_CHOWN, PG_UP_ONE, AT_FDCWD, PG_ARG1(regs), 0, 0,
		(a.uid = PG_ARG2(regs), a.gid = PG_ARG3(regs)))
PG_TP_USER_PATH(lchown, PG_EVENT_FILE_CHOWN, PG_UP_ONE, AT_FDCWD, PG_ARG1(regs), 0, 0,
		(a.uid = PG_ARG2(regs), a.gid = PG_ARG3(regs)))

PG_TP_USER_PATH(truncate, PG_EVENT_FILE_TRUNCATE, PG_UP_ONE, AT_FDCWD, PG_ARG1(regs), 0, 0,
		a.size = PG_ARG2(regs))

/* link: path the existing file, path2 the new link */
PG_TP_USER_PATH(linkat, PG_EVENT_FILE_LINK, PG_UP_TWO, PG_ARG1(regs), PG_ARG2(regs), PG_ARG3(regs),
		PG_ARG4(regs), PG_NOTHING)
PG_TP_USER_PATH(link, PG_EVENT_FILE_LINK, PG_UP_TWO, AT_FDCWD, PG_ARG1(regs), AT_FDCWD,
		PG_ARG2(regs), PG_NOTHING)

/* symlink(target, linkpath): path the new link, path2 the target as written */
PG_TP_USER_PATH(symlinkat, PG_EVENT_FILE_SYMLINK, PG_UP_TARGET, PG_ARG2(regs), PG_ARG3(regs), 0,
		PG_ARG1(regs), PG_NOTHING)
PG_TP_USER_PATH(symlink, PG_EVENT_FILE_SYMLINK, PG_UP_TARGET, AT_FDCWD, PG_ARG2(regs), 0,
		PG_ARG1(regs), PG_NOTHING)

PG_TP_USER_PATH(mknodat, PG_EVENT_FILE_CREATE, PG_UP_ONE, PG_ARG1(regs), PG_ARG2(regs), 0, 0,
		a.mode = PG_ARG3(regs))
PG_TP_USER_PATH(mknod, PG_EVENT_FILE_CREATE, PG_UP_ONE, AT_FDCWD, PG_ARG1(regs), 0, 0,
		a.mode = PG_ARG2(regs))
PG_TP_USER_PATH(mkdirat, PG_EVENT_FILE_CREATE, PG_UP_ONE, PG_ARG1(regs), PG_ARG2(regs), 0, 0,
		a.mode = (PG_ARG3(regs) & ~PG_S_IFMT) | PG_S_IFDIR)
PG_TP_USER_PATH(mkdir, PG_EVENT_FILE_CREATE, PG_UP_ONE, AT_FDCWD, PG_ARG1(regs), 0, 0,
		a.mode = (PG_ARG2(regs) & ~PG_S_IFMT) | PG_S_IFDIR)

/* ---- 32-bit system calls (x86's ia32 emulation) ---- */

#if defined(__TARGET_ARCH_x86)
/*
 * A 32-bit call fires none of the syscalls:* tracepoints: x86's syscall
 * tracing ignores compat calls. That is a 32-bit program's every call, and
 * `int $0x80` from a 64-bit one: the known way around a monitor that
 * watches the 64-bit calls only. The raw sys_exit tracepoint sees every
 * call, so its program is cheap to leave: one load, the task's TS_COMPAT
 * (set at a 32-bit call's entry, cleared on the way back to user space,
 * after this tracepoint). A compat call then has its ia32 number and its
 * arguments in ebx, ecx, edx, esi, edi (the upper halves do not count: the
 * kernel's own wrappers truncate them), and goes on as the 64-bit call's
 * program does, through one copy of each decision: the call is first
 * decoded into a plan. The lsm and fentry backends see these calls in the
 * hooks, as any other.
 */
/* ia32 numbers: arch/x86/entry/syscalls/syscall_32.tbl */
#define PG_IA32_OPEN 5
#define PG_IA32_CREAT 8
#define PG_IA32_LINK 9
#define PG_IA32_UNLINK 10
#define PG_IA32_MKNOD 14
#define PG_IA32_CHMOD 15
#define PG_IA32_LCHOWN16 16
#define PG_IA32_RENAME 38
#define PG_IA32_MKDIR 39
#define PG_IA32_RMDIR 40
#define PG_IA32_SYMLINK 83
#define PG_IA32_OLD_MMAP 90
#define PG_IA32_TRUNCATE 92
#define PG_IA32_FTRUNCATE 93
#define PG_IA32_FCHMOD 94
#define PG_IA32_FCHOWN16 95
#define PG_IA32_CHOWN16 182
#define PG_IA32_MMAP2 192
#define PG_IA32_TRUNCATE64 193
#define PG_IA32_FTRUNCATE64 194
#define PG_IA32_LCHOWN 198
#define PG_IA32_FCHOWN 207
#define PG_IA32_CHOWN 212
#define PG_IA32_OPENAT 295
#define PG_IA32_MKDIRAT 296
#define PG_IA32_MKNODAT 297
#define PG_IA32_FCHOWNAT 298
#define PG_IA32_UNLINKAT 301
#define PG_IA32_RENAMEAT 302
#define PG_IA32_LINKAT 303
#define PG_IA32_SYMLINKAT 304
#define PG_IA32_FCHMODAT 306
#define PG_IA32_RENAMEAT2 353
#define PG_IA32_OPENAT2 437
#define PG_IA32_FCHMODAT2 452

/* what a compat call's plan does */
#define PG_CC_FD 1	/* decide the file of fd, in the kernel */
#define PG_CC_PATH 2	/* send the path strings, for the agent */
#define PG_CC_REFUSED 3 /* a refused open: the same, refined by its access first */

struct pg_compat_plan {
	struct pg_file_args a;
	__u64 s1, s2;
	long dfd1, dfd2, fd, result;
	__u32 acc;
	__u16 type, type2;
	int kind, how, open;
};

/* The 16-bit ids of the old chown calls: (__u16)-1 is "unchanged", as (__u32)-1. */
static __always_inline __u32 pg_id16(__u64 id)
{
	return (__u16)id == 0xffff ? (__u32)-1 : (__u16)id;
}

/* An open's plan: its new fd's file, or the name it was refused. */
static __always_inline int pg_compat_open(struct pg_compat_plan *p, long dfd, __u64 name,
					  __u64 flags, long ret)
{
	p->type = PG_EVENT_FILE_OPEN;
	p->acc = PG_ACC_READ | PG_ACC_WRITE;
	if (ret >= 0) {
		p->kind = PG_CC_FD;
		p->type2 = PG_EVENT_FILE_CREATE;
		p->fd = ret;
		p->open = 1;
		p->result = 0;
		p->a.open_flags = flags & PG_O_OPEN_ONLY;
		return 0;
	}
	if (ret != -EACCES && ret != -EPERM)
		return -1;
	p->kind = PG_CC_REFUSED;
	p->dfd1 = dfd;
	p->s1 = name;
	p->a.open_flags = flags;
	p->a.fmode = pg_open_fmode(flags);
	return 0;
}

/* The plan of compat call @nr, as the 64-bit call's program would act; -1: none. */
static __always_inline int pg_compat_decode(struct pt_regs *regs, __u32 nr, long ret,
					    struct pg_compat_plan *p)
{
	__u64 r1 = (__u32)regs->bx, r2 = (__u32)regs->cx, r3 = (__u32)regs->dx;
	__u64 r4 = (__u32)regs->si, r5 = (__u32)regs->di, flags = 0;
	__u32 mm[6] = {}, plain = 0, on_fd = 0;
	bool ids32;

	p->kind = PG_CC_PATH;
	p->how = PG_UP_ONE;
	p->type2 = PG_EVENT_NONE;
	p->dfd1 = p->dfd2 = AT_FDCWD;
	p->result = ret;
	/* a …at call with one dirfd: that first, then the plain call's arguments */
	switch (nr) {
	case PG_IA32_OPENAT: plain = PG_IA32_OPEN; break;
	case PG_IA32_UNLINKAT: plain = PG_IA32_UNLINK; break;
	case PG_IA32_FCHMODAT:
	case PG_IA32_FCHMODAT2: plain = PG_IA32_CHMOD; break;
	case PG_IA32_FCHOWNAT: plain = PG_IA32_CHOWN; break;
	case PG_IA32_MKNODAT: plain = PG_IA32_MKNOD; break;
	case PG_IA32_MKDIRAT: plain = PG_IA32_MKDIR; break;
	}
	if (plain) {
		p->dfd1 = (int)r1;
		r1 = r2;
		r2 = r3;
		r3 = r4;
		nr = plain;
	}
	/* an f… call: the plain one's arguments, on the file of an fd */
	switch (nr) {
	case PG_IA32_FTRUNCATE: on_fd = PG_IA32_TRUNCATE; break;
	case PG_IA32_FTRUNCATE64: on_fd = PG_IA32_TRUNCATE64; break;
	case PG_IA32_FCHMOD: on_fd = PG_IA32_CHMOD; break;
	case PG_IA32_FCHOWN16: on_fd = PG_IA32_CHOWN16; break;
	case PG_IA32_FCHOWN: on_fd = PG_IA32_CHOWN; break;
	}
	if (on_fd) {
		p->kind = PG_CC_FD;
		p->fd = (int)r1;
		nr = on_fd;
	}
	switch (nr) {
	case PG_IA32_OPEN: return pg_compat_open(p, p->dfd1, r1, r2, ret);
	case PG_IA32_CREAT:
		return pg_compat_open(p, AT_FDCWD, r1, O_CREAT | O_WRONLY | O_TRUNC, ret);
	case PG_IA32_OPENAT2:
		/* struct open_how starts with the flags */
		bpf_probe_read_user(&flags, sizeof(flags), (void *)r3);
		return pg_compat_open(p, (int)r1, r2, flags, ret);
	case PG_IA32_MMAP2:
	case PG_IA32_OLD_MMAP:
		if (ret < 0 && ret > -4096)
			return -1;
		if (nr == PG_IA32_OLD_MMAP) {
			/* its one argument points at addr, len, prot, flags, fd, offset */
			if (bpf_probe_read_user(mm, sizeof(mm), (void *)r1))
				return -1;
			r3 = mm[2];
			r4 = mm[3];
			r5 = mm[4];
		}
		if (!(r3 & PROT_EXEC) || (r4 & MAP_ANONYMOUS) || (int)r5 < 0)
			return -1;
		p->kind = PG_CC_FD;
		p->type = PG_EVENT_FILE_MMAP_EXEC;
		p->fd = (int)r5;
		p->result = 0;
		p->a.mode = r3;
		p->a.size = r4;
		return 0;
	case PG_IA32_UNLINK:
	case PG_IA32_RMDIR:
		p->type = PG_EVENT_FILE_UNLINK;
		p->s1 = r1;
		return 0;
	case PG_IA32_RENAME:
	case PG_IA32_LINK:
		p->type = nr == PG_IA32_RENAME ? PG_EVENT_FILE_RENAME : PG_EVENT_FILE_LINK;
		p->how = PG_UP_TWO;
		p->s1 = r1;
		p->s2 = r2;
		return 0;
	case PG_IA32_RENAMEAT:
	case PG_IA32_RENAMEAT2:
	case PG_IA32_LINKAT:
		p->type = nr == PG_IA32_LINKAT ? PG_EVENT_FILE_LINK : PG_EVENT_FILE_RENAME;
		p->how = PG_UP_TWO;
		p->dfd1 = (int)r1;
		p->s1 = r2;
		p->dfd2 = (int)r3;
		p->s2 = r4;
		return 0;
	case PG_IA32_SYMLINK:
		/* symlink(target, linkpath): path the new link, path2 the target */
		p->type = PG_EVENT_FILE_SYMLINK;
		p->how = PG_UP_TARGET;
		p->s1 = r2;
		p->s2 = r1;
		return 0;
	case PG_IA32_SYMLINKAT:
		p->type = PG_EVENT_FILE_SYMLINK;
		p->how = PG_UP_TARGET;
		p->dfd1 = (int)r2;
		p->s1 = r3;
		p->s2 = r1;
		return 0;
	case PG_IA32_CHMOD:
		p->type = PG_EVENT_FILE_CHMOD;
		p->s1 = r1;
		p->a.mode = r2;
		return 0;
	case PG_IA32_CHOWN16:
	case PG_IA32_LCHOWN16:
	case PG_IA32_CHOWN:
	case PG_IA32_LCHOWN:
		ids32 = nr == PG_IA32_CHOWN || nr == PG_IA32_LCHOWN;
		p->type = PG_EVENT_FILE_CHOWN;
		p->s1 = r1;
		p->a.uid = ids32 ? r2 : pg_id16(r2);
		p->a.gid = ids32 ? r3 : pg_id16(r3);
		return 0;
	case PG_IA32_TRUNCATE:
	case PG_IA32_TRUNCATE64:
		p->type = PG_EVENT_FILE_TRUNCATE;
		p->s1 = r1;
		p->a.size = nr == PG_IA32_TRUNCATE ? (__u64)(long)(int)r2 : r2 | r3 << 32;
		return 0;
	case PG_IA32_MKNOD:
		p->type = PG_EVENT_FILE_CREATE;
		p->s1 = r1;
		p->a.mode = r2;
		return 0;
	case PG_IA32_MKDIR:
		p->type = PG_EVENT_FILE_CREATE;
		p->s1 = r1;
		p->a.mode = (r2 & ~PG_S_IFMT) | PG_S_IFDIR;
		return 0;
	default: return -1;
	}
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf_sys_exit_compat, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pg_compat_plan p = {};
	const struct pg_policy_masks *m;
	struct pg_file_heap *h;

	if (!pg_task_compat_call(task))
		return 0;
	if (pg_compat_decode(regs, (__u32)regs->orig_ax, ret, &p))
		return 0;
	h = pg_file_begin(&m, p.type, p.type2, p.acc);
	if (!h)
		return 0;
	p.a.xflags = PG_FILE_F_COMPAT;
	if (p.kind == PG_CC_FD)
		return pg_tp_fd_op(h, m, task, p.fd, p.type, p.open, &p.a, p.result);
	if (p.kind == PG_CC_REFUSED &&
	    !pg_file_refine(&h->fm, m, PG_EVENT_FILE_OPEN,
			    p.a.fmode & PG_FMODE_WRITE ? PG_ACC_WRITE : PG_ACC_READ))
		return 0;
	return pg_tp_user_path(h, task, p.type, p.result, p.dfd1, (const char *)p.s1, p.dfd2,
			       (const char *)p.s2, p.how, &p.a, 1);
}
#endif /* __TARGET_ARCH_x86 */
