// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * File sensor: the file operations a rule watches (bpf/file.bpf.c), one
 * event type per operation, all in struct pg_file_event. The kernel side
 * decides by file identity (device, inode, and the parent directories'),
 * so only records some rule matched reach us; the syscall backend's
 * path-argument calls (unlink, rename, chmod…) carry the strings the
 * caller passed instead, and the match is completed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "file.skel.h"
#include "json.h"
#include "log.h"
#include "policy_engine.h"
#include "sensors/file.h"
#include "sensors/process.h"
#include "util.h"

/* ---- the sensor ---- */

static bool usable_lsm(const struct pg_features *f)
{
	return f->lsm_prog && f->lsm_active;
}

static bool usable_tracepoint(const struct pg_features *f)
{
	return f->tracefs && f->tracepoint && f->task_pt_regs;
}

static const char *const lsm_progs[] = {
	"lsm_file_open",
	"lsm_path_mknod",
	"lsm_path_mkdir", /* a file_create of a directory */
	"lsm_path_unlink",
	"lsm_path_rmdir",
	"lsm_path_rename",
	"lsm_path_chmod",
	"lsm_path_chown",
	"fentry_chown_common", /* instead, where path_chown cannot be attached */
	"lsm_path_truncate",
	"lsm_path_link",
	"lsm_path_symlink",
	"lsm_mmap_file",
	"lsm_file_truncate",
	NULL,
};

static bool usable_fentry(const struct pg_features *f)
{
	return f->fentry;
}

/* The same hooks, at the entry of the security_*() functions that call them. */
static const char *const fentry_progs[] = {
	"fentry_file_open",
	"fentry_path_mknod",
	"fentry_path_mkdir", /* a file_create of a directory */
	"fentry_path_unlink",
	"fentry_path_rmdir",
	"fentry_path_rename",
	"fentry_path_chmod",
	"fentry_path_chown",
	"fentry_chown_common", /* instead, where path_chown cannot be attached */
	"fentry_path_truncate",
	"fentry_path_link",
	"fentry_path_symlink",
	"fentry_mmap_file",
	"fentry_file_truncate",
	NULL,
};

static const char *const tp_progs[] = {
	/* calls that return an fd, or take one: the kernel decides by identity */
	"tp_sys_exit_openat",
	"tp_sys_exit_openat2",
	"tp_sys_exit_open",
	"tp_sys_exit_creat",
	"tp_btf_io_uring_complete",   /* opens through io_uring: no system call */
	"tp_btf_io_uring_submit_req", /* and its path operations */
	"tp_btf_io_uring_submit_sqe", /* (its earlier name) */
	"tp_sys_exit_ftruncate",
	"tp_sys_exit_fchmod",
	"tp_sys_exit_fchown",
	"tp_sys_exit_mmap",
	/* path-argument calls: PG_FILE_F_USER_PATH records, decided here */
	"tp_sys_exit_unlinkat",
	"tp_sys_exit_unlink",
	"tp_sys_exit_rmdir",
	"tp_sys_exit_renameat2",
	"tp_sys_exit_renameat",
	"tp_sys_exit_rename",
	"tp_sys_exit_fchmodat",
	"tp_sys_exit_fchmodat2",
	"tp_sys_exit_chmod",
	"tp_sys_exit_fchownat",
	"tp_sys_exit_chown",
	"tp_sys_exit_lchown",
	"tp_sys_exit_truncate",
	"tp_sys_exit_linkat",
	"tp_sys_exit_link",
	"tp_sys_exit_symlinkat",
	"tp_sys_exit_symlink",
	"tp_sys_exit_mknodat",
	"tp_sys_exit_mknod",
	"tp_sys_exit_mkdirat",
	"tp_sys_exit_mkdir",
	/* all of the above as 32-bit calls, which fire none of their tracepoints */
	"tp_btf_sys_exit_compat",
	NULL,
};

/*
 * LSM first: it sees every path the kernel resolved, before the operation,
 * and is the only one that can deny. fentry sees the same, where BPF LSM
 * is not active, but cannot deny. The syscall tracepoints see the
 * outcome instead (a kill acts after the call) and leave the calls that
 * take a path string to the agent's resolution.
 */
static const struct pg_backend file_backends[] = {
	{ "lsm", "BPF LSM: CONFIG_BPF_LSM and bpf in the kernel's lsm= list", usable_lsm,
	  lsm_progs },
	{ "fentry", "fentry on security_*() (report and kill, no deny)", usable_fentry,
	  fentry_progs },
	{ "tracepoint", "syscall tracepoints, tracefs and bpf_task_pt_regs (5.15+)",
	  usable_tracepoint, tp_progs },
};

/*
 * Whether this kernel's trampolines take structs passed by value (6.1,
 * commit 720e6a435194 "bpf: Allow struct argument's in trampoline based
 * programs"). Told by what came with it, not by the version: the
 * trampoline's function model got arg_flags, whose bit says "a struct".
 */
static bool struct_args_supported(const struct btf *btf)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(btf, "btf_func_model", BTF_KIND_STRUCT);
	if (id < 0)
		return true; /* not told: the load says what is wrong */
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "arg_flags"))
			return true;
	return false;
}

/*
 * Whether kernel function @fn can be attached to: 1 if so, 0 if the
 * kernel lacks it, -1 if it takes a struct by value and the kernel cannot
 * (path_chown's kuid_t and kgid_t: 5.10 refuses the program, and with it
 * the backend). Hooks and functions come with kernel versions:
 * file_truncate is 6.2 ("security: create file_truncate hook from
 * path_truncate hook"); before it, ftruncate goes through path_truncate,
 * so a kernel without it needs no program for it. When BTF cannot be
 * read, say it can: the load then tells what is wrong.
 */
static int btf_func_usable(struct btf **btf, const char *fn)
{
	const struct btf_param *p;
	const struct btf_type *t;
	int id, i;

	if (!pg_btf_has(btf, fn, BTF_KIND_FUNC))
		return 0;
	id = *btf ? btf__find_by_name_kind(*btf, fn, BTF_KIND_FUNC) : -1;
	if (id < 0)
		return 1; /* no BTF to tell */
	t = btf__type_by_id(*btf, btf__type_by_id(*btf, id)->type);
	if (!t || !btf_is_func_proto(t))
		return 1;
	p = btf_params(t);
	for (i = 0; i < btf_vlen(t); i++, p++) {
		const struct btf_type *a = btf__type_by_id(*btf, btf__resolve_type(*btf, p->type));

		if (a && (btf_is_struct(a) || btf_is_union(a)) && !struct_args_supported(*btf))
			return -1;
	}
	return 1;
}

static bool chown_hookable(struct btf **btf)
{
	return btf_func_usable(btf, "security_path_chown") >= 0;
}

/* The kernel's BTF is parsed once for it: the agent asks before and after the load. */
bool pg_file_chown_hookable(void)
{
	static int known = -1;
	struct btf *btf = NULL;

	if (known < 0) {
		known = chown_hookable(&btf);
		btf__free(btf);
	}
	return known;
}

/*
 * Whether BTF tracepoint @tp exists and its first argument is a pointer
 * to struct @type: a tracepoint whose arguments changed across kernels
 * under one name (io_uring_submit_sqe took the ring first in 5.x).
 */
static bool first_arg_is(struct btf **btf, const char *tp, const char *type)
{
	int n;
	const struct btf_type *t = pg_btf_tp_arg(btf, tp, 0, &n);

	return pg_btf_is_ptr_to(*btf, t, type);
}

static int file_configure(struct bpf_object *obj, const struct pg_config *cfg)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "pg_file_heap");
	int ncpu = libbpf_num_possible_cpus(), err;
	struct bpf_program *prog;
	struct btf *btf = NULL;

	(void)cfg;
	if (!m)
		return -ENOENT;
	if (ncpu < 0)
		return ncpu;
	err = bpf_map__set_max_entries(m, ncpu);
	if (err)
		return err;
	/*
	 * The loader switched this backend's programs on; switch off those
	 * whose tracepoint or LSM hook this kernel lacks, else loading or
	 * attaching one fails the whole backend. Without tracefs nothing can
	 * tell (nor attach): leave them on, and the attach error says why.
	 */
	bpf_object__for_each_program (prog, obj) {
		const char *sec = bpf_program__section_name(prog);
		char fn[128];
		int usable;

		if (!bpf_program__autoload(prog))
			continue;
		if (!strncmp(sec, "tracepoint/", 11))
			usable = pg_tracepoint_exists(sec + 11) != -ENOENT;
		else if (!strncmp(sec, "tp/", 3))
			usable = pg_tracepoint_exists(sec + 3) != -ENOENT;
		else if (!strncmp(sec, "tp_btf/io_uring_submit_", 23))
			usable = first_arg_is(&btf, sec + 7, "io_kiocb");
		else if (!strcmp(sec, "fentry/chown_common"))
			/* only in path_chown's stead: it calls that hook, with the same path */
			usable = !chown_hookable(&btf) && btf_func_usable(&btf, sec + 7) > 0;
		else if (!strcmp(sec, "tp_btf/sys_exit"))
			/*
			 * It runs at every system call's exit (~60-70 ns on
			 * the reference host): only where 32-bit calls run
			 */
			usable = pg_compat32();
		else if (!strncmp(sec, "tp_btf/", 7)) {
			snprintf(fn, sizeof(fn), "btf_trace_%s", sec + 7);
			usable = pg_btf_has(&btf, fn, BTF_KIND_TYPEDEF);
		} else if (!strncmp(sec, "lsm/", 4)) {
			snprintf(fn, sizeof(fn), "bpf_lsm_%s", sec + 4);
			usable = btf_func_usable(&btf, fn);
		} else if (!strncmp(sec, "fentry/", 7))
			usable = btf_func_usable(&btf, sec + 7);
		else
			continue;
		if (usable < 0)
			pg_info("file: this kernel cannot attach to %s (it takes a struct by "
				"value): %s left out%s",
				sec, bpf_program__name(prog),
				strstr(sec, "path_chown") ? "; file_chown is taken at chown_common "
							    "instead, and cannot be denied"
							  : ", its events not reported");
		else if (!usable)
			pg_dbg("file: no hook %s on this kernel: %s left out", sec,
			       bpf_program__name(prog));
		if (usable <= 0)
			bpf_program__set_autoload(prog, false);
	}
	btf__free(btf);
	return 0;
}

/* ---- decoding ---- */

int pg_file_decode(const void *rec, size_t size, struct pg_file_view *v)
{
	const struct pg_file_event *e = rec;
	uint64_t need;

	if (size < sizeof(*e))
		return -EBADMSG;
	need = (uint64_t)sizeof(*e) + e->path_len + e->path2_len + e->base_len + e->base2_len +
	       e->root_len;
	if (need > size || e->path_len >= PG_PATH_MAX || e->path2_len >= PG_PATH_MAX ||
	    e->base_len >= PG_PATH_MAX || e->base2_len >= PG_PATH_MAX || e->root_len >= PG_PATH_MAX)
		return -EBADMSG;
	v->e = e;
	v->path = (const char *)e->data;
	v->path2 = v->path + e->path_len;
	v->base = v->path2 + e->path2_len;
	v->base2 = v->base + e->base_len;
	v->root = v->base2 + e->base2_len;
	return 0;
}

/*
 * Lexical normalisation, as the spec of the syscall backend asks: the
 * kernel resolved the base (dirfd or cwd) to a real path, but the string
 * the caller passed is joined to it as written. ".." is taken lexically
 * (a symlink in the argument is not followed), which is what a rule
 * written as a path means; the identity check the policy engine adds
 * (lstat) covers the rest. An absolute string's base is the process's
 * root ("/", or a chroot's folder), which ".." never climbs above, as the
 * kernel's lookup does not.
 */
int pg_file_join_path(struct pg_buf *out, const char *base, size_t bn, const char *path, size_t n)
{
	return pg_file_join_path_in(out, NULL, 0, base, bn, path, n);
}

int pg_file_join_path_in(struct pg_buf *out, const char *top, size_t tn, const char *base,
			 size_t bn, const char *path, size_t n)
{
	const char *part[2];
	size_t plen[2], i, depth = 0, root;
	bool abs;

	/* a NUL inside a length-counted string ends it: the C string would anyway */
	n = strnlen(path, n);
	bn = strnlen(base, bn);
	tn = top ? strnlen(top, tn) : 0;
	if (n && path[0] == '/' && !bn) {
		part[0] = path, plen[0] = n;
		part[1] = "", plen[1] = 0;
	} else {
		part[0] = base, plen[0] = bn;
		part[1] = path, plen[1] = n;
	}
	abs = plen[0] && part[0][0] == '/';
	root = abs ? 1 : 0;
	pg_buf_reset(out);
	if (abs)
		pg_buf_putc(out, '/');
	for (i = 0; i < 2; i++) {
		const char *s = part[i], *end = part[i] + plen[i];

		if (i == 1 && plen[1] && part[1][0] == '/')
			depth = 0; /* the base is the root */

		while (s < end && !out->failed) {
			const char *c = s;
			size_t len;

			while (c < end && *c != '/')
				c++;
			len = c - s;
			if (len == 0 || (len == 1 && s[0] == '.')) {
				/* "//" and "/./": nothing */
			} else if (len == 2 && s[0] == '.' && s[1] == '.') {
				if (tn > 1 && out->len == tn && !memcmp(out->data, top, tn)) {
					/* at the process's root: the kernel stays there */
				} else if (depth) {
					/* drop the last component (and its '/') */
					while (out->len > root && out->data[out->len - 1] != '/')
						out->len--;
					if (out->len > root)
						out->len--;
					out->data[out->len] = 0;
					depth--;
				} else if (!abs) {
					/* above an unknown directory: keep it */
					if (out->len > root)
						pg_buf_putc(out, '/');
					pg_buf_put(out, "..", 2);
				}
				/* "/.." is "/" */
			} else {
				if (out->len > root)
					pg_buf_putc(out, '/');
				pg_buf_put(out, s, len);
				depth++;
			}
			s = c < end ? c + 1 : c;
		}
	}
	if (!out->len)
		pg_buf_putc(out, '.');
	return out->failed ? -ENOMEM : 0;
}

/* ---- rendering ---- */

struct file_op {
	const char *name;    /* the event's type in JSON */
	const char *compact; /* its word in the compact view: 5 columns at most */
	const char *path2;   /* key of path2, or NULL: the operation has none */
};

static const struct file_op file_ops[] = {
	[PG_EVENT_FILE_OPEN - PG_EVENT_FILE_OPEN] = { "file_open", "open", NULL },
	[PG_EVENT_FILE_CREATE - PG_EVENT_FILE_OPEN] = { "file_create", "creat", NULL },
	[PG_EVENT_FILE_UNLINK - PG_EVENT_FILE_OPEN] = { "file_unlink", "rm", NULL },
	[PG_EVENT_FILE_RENAME - PG_EVENT_FILE_OPEN] = { "file_rename", "mv", "new_path" },
	[PG_EVENT_FILE_CHMOD - PG_EVENT_FILE_OPEN] = { "file_chmod", "chmod", NULL },
	[PG_EVENT_FILE_CHOWN - PG_EVENT_FILE_OPEN] = { "file_chown", "chown", NULL },
	[PG_EVENT_FILE_TRUNCATE - PG_EVENT_FILE_OPEN] = { "file_truncate", "trunc", NULL },
	[PG_EVENT_FILE_LINK - PG_EVENT_FILE_OPEN] = { "file_link", "link", "new_path" },
	[PG_EVENT_FILE_SYMLINK - PG_EVENT_FILE_OPEN] = { "file_symlink", "slink", "target" },
	[PG_EVENT_FILE_MMAP_EXEC - PG_EVENT_FILE_OPEN] = { "file_mmap_exec", "mmap", NULL },
};

/* PG_FILE_F_* words, by bit; Tetragon-like camelCase, as the process flags */
static const char *const file_flag_names[] = {
	"truncPath",  "errorPath",    "deleted",  "detached", "truncPath2",
	"errorPath2", "fromArgument", "noInode",  "created",  "before",
	"truncWalk",  "ioUring",      "compat32",
};

struct bit_name {
	uint32_t bit;
	const char *name;
};

/*
 * O_* as the kernel holds them in f_flags. The values are this
 * architecture's uapi ones, as are the kernel's: the agent runs beside it.
 * O_LARGEFILE is left out: the kernel forces it on every 64-bit open, and
 * glibc defines it as 0 there.
 */
static const struct bit_name open_flag_names[] = {
	{ O_CREAT, "O_CREAT" },		{ O_EXCL, "O_EXCL" },	      { O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" },		{ O_APPEND, "O_APPEND" },     { O_NONBLOCK, "O_NONBLOCK" },
	{ O_DSYNC, "O_DSYNC" },		{ O_ASYNC, "O_ASYNC" },	      { O_DIRECT, "O_DIRECT" },
	{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
	{ O_CLOEXEC, "O_CLOEXEC" },	{ O_PATH, "O_PATH" },
};

static const struct bit_name prot_names[] = {
	{ PROT_READ, "PROT_READ" },
	{ PROT_WRITE, "PROT_WRITE" },
	{ PROT_EXEC, "PROT_EXEC" },
};

static const struct bit_name map_flag_names[] = {
	{ MAP_FIXED, "MAP_FIXED" },	    { MAP_ANONYMOUS, "MAP_ANONYMOUS" },
	{ MAP_DENYWRITE, "MAP_DENYWRITE" }, { MAP_EXECUTABLE, "MAP_EXECUTABLE" },
	{ MAP_LOCKED, "MAP_LOCKED" },	    { MAP_NORESERVE, "MAP_NORESERVE" },
	{ MAP_POPULATE, "MAP_POPULATE" },   { MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
};

#define PG_FMODE_READ 0x1
#define PG_FMODE_WRITE 0x2
#define PG_FMODE_EXEC 0x20

static void bits_json(struct pg_json *w, uint32_t v, const struct bit_name *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v & t[i].bit)
			pg_json__string(w, t[i].name);
}

static const char *file_type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return NULL;
	}
}

static const char *access_name(const struct pg_file_event *e)
{
	uint32_t m = e->fmode & (PG_FMODE_READ | PG_FMODE_WRITE);

	/* a refused open (no file, user path): what it asked for */
	if (!m && (e->file_flags & PG_FILE_F_USER_PATH)) {
		switch (e->open_flags & O_ACCMODE) {
		case O_RDONLY: m = PG_FMODE_READ; break;
		case O_WRONLY: m = PG_FMODE_WRITE; break;
		case O_RDWR: m = PG_FMODE_READ | PG_FMODE_WRITE; break;
		default: break;
		}
	}
	switch (m) {
	case PG_FMODE_READ: return "read";
	case PG_FMODE_WRITE: return "write";
	case PG_FMODE_READ | PG_FMODE_WRITE: return "read-write";
	default: return "none"; /* O_PATH */
	}
}

static const char *accmode_name(uint32_t flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY: return "O_RDONLY";
	case O_WRONLY: return "O_WRONLY";
	case O_RDWR: return "O_RDWR";
	default: return "O_ACCMODE";
	}
}

static bool has_inode(const struct pg_file_event *e)
{
	return !(e->file_flags & (PG_FILE_F_NO_INODE | PG_FILE_F_USER_PATH)) && e->mode;
}

/* The paths as shown and as the policy sees them. */
struct file_paths {
	const char *path, *path2;
	size_t len, len2;
};

static void mode_str(char buf[8], uint32_t mode)
{
	snprintf(buf, 8, "%04o", mode & 07777);
}

/* A kernel encoding of a device (major << 20 | minor) as "MAJ:MIN". */
static void dev_str(char buf[24], uint32_t dev)
{
	snprintf(buf, 24, "%u:%u", dev >> 20, dev & 0xfffff);
}

static void file_json(struct pg_json *w, const struct pg_file_view *v, const struct file_paths *fp)
{
	const struct pg_file_event *e = v->e;
	const char *type = NULL;
	char buf[24];

	PG_JSON_KEY(w, "file");
	pg_json__begin_object(w);
	if (fp->len)
		PG_JSON_KV_STRING_N(w, "path", fp->path, fp->len);
	if ((e->file_flags & PG_FILE_F_USER_PATH) &&
	    (e->path_len != fp->len || memcmp(v->path, fp->path, fp->len)))
		PG_JSON_KV_STRING_N(w, "argument", v->path, e->path_len);
	if (has_inode(e)) {
		PG_JSON_KV_UINT(w, "inode", e->ino);
		dev_str(buf, e->dev);
		PG_JSON_KV_STRING(w, "dev", buf);
		mode_str(buf, e->mode);
		PG_JSON_KV_STRING(w, "mode", buf);
		type = file_type_name(e->mode);
		if (type)
			PG_JSON_KV_STRING(w, "type", type);
		PG_JSON_KV_UINT(w, "uid", e->uid);
		PG_JSON_KV_UINT(w, "gid", e->gid);
	} else if (e->hdr.type == PG_EVENT_FILE_CREATE) {
		/* not there yet: the type mknod asked for */
		type = file_type_name(e->arg_mode);
		if (type)
			PG_JSON_KV_STRING(w, "type", type);
	}
	pg_json__end_object(w);
}

/*
 * O_SYNC and O_TMPFILE are two bits each, one of them another flag's
 * (O_DSYNC, O_DIRECTORY): named as strace names them, the other left out.
 */
static void open_flags_json(struct pg_json *w, uint32_t flags)
{
	uint32_t rest = flags;

	PG_JSON_KEY(w, "open_flags");
	pg_json__begin_array(w);
	pg_json__string(w, accmode_name(flags));
	if ((flags & O_SYNC) == O_SYNC)
		rest &= ~O_DSYNC;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		rest &= ~O_DIRECTORY;
	bits_json(w, rest, open_flag_names, PG_ARRAY_SIZE(open_flag_names));
	if ((flags & O_SYNC) == O_SYNC)
		pg_json__string(w, "O_SYNC");
	if ((flags & O_TMPFILE) == O_TMPFILE)
		pg_json__string(w, "O_TMPFILE");
	pg_json__end_array(w);
}

static void op_json(struct pg_json *w, const struct pg_file_event *e)
{
	char buf[8];

	switch (e->hdr.type) {
	case PG_EVENT_FILE_CREATE:
		if (e->arg_mode) {
			mode_str(buf, e->arg_mode);
			PG_JSON_KV_STRING(w, "mode", buf);
		}
		if (!(e->file_flags & PG_FILE_F_CREATED))
			break;
		/* a create by open(O_CREAT): what the open asked, too */
		__attribute__((fallthrough));
	case PG_EVENT_FILE_OPEN:
		PG_JSON_KV_STRING(w, "access", access_name(e));
		if (e->fmode & PG_FMODE_EXEC)
			PG_JSON_KV_BOOL(w, "for_exec", true);
		open_flags_json(w, e->open_flags);
		break;
	case PG_EVENT_FILE_CHMOD:
		mode_str(buf, e->arg_mode);
		PG_JSON_KV_STRING(w, "mode", buf);
		break;
	case PG_EVENT_FILE_CHOWN:
		PG_JSON_KEY(w, "owner");
		pg_json__begin_object(w);
		/* (u32)-1: that half is left unchanged */
		if (e->arg_uid != (uint32_t)-1)
			PG_JSON_KV_UINT(w, "uid", e->arg_uid);
		if (e->arg_gid != (uint32_t)-1)
			PG_JSON_KV_UINT(w, "gid", e->arg_gid);
		pg_json__end_object(w);
		break;
	case PG_EVENT_FILE_TRUNCATE:
		/* the LSM hook is not told the new length */
		if (!(e->file_flags & PG_FILE_F_BEFORE))
			PG_JSON_KV_UINT(w, "length", e->arg_size);
		break;
	case PG_EVENT_FILE_MMAP_EXEC:
		PG_JSON_KEY(w, "prot");
		pg_json__begin_array(w);
		bits_json(w, e->arg_mode, prot_names, PG_ARRAY_SIZE(prot_names));
		pg_json__end_array(w);
		PG_JSON_KEY(w, "map_flags");
		pg_json__begin_array(w);
		switch (e->arg_size & MAP_TYPE) {
		case MAP_SHARED: pg_json__string(w, "MAP_SHARED"); break;
		case MAP_PRIVATE: pg_json__string(w, "MAP_PRIVATE"); break;
		case MAP_SHARED_VALIDATE: pg_json__string(w, "MAP_SHARED_VALIDATE"); break;
		default: break;
		}
		bits_json(w, (uint32_t)e->arg_size, map_flag_names, PG_ARRAY_SIZE(map_flag_names));
		pg_json__end_array(w);
		break;
	default: break;
	}
}

static void flags_json(struct pg_json *w, uint32_t flags)
{
	size_t i;

	if (!(flags & ((1U << PG_ARRAY_SIZE(file_flag_names)) - 1)))
		return;
	PG_JSON_KEY(w, "flags");
	pg_json__begin_array(w);
	for (i = 0; i < PG_ARRAY_SIZE(file_flag_names); i++)
		if (flags & (1U << i))
			pg_json__string(w, file_flag_names[i]);
	pg_json__end_array(w);
}

static void compact_bits(struct pg_buf *b, uint32_t v, const struct bit_name *t, size_t n)
{
	bool first = true;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(v & t[i].bit))
			continue;
		if (!first)
			pg_buf_putc(b, '|');
		pg_buf_puts(b, t[i].name);
		first = false;
	}
}

/* The process part as process events show it, then what was done to which file. */
static void compact_line(struct pg_agent *a, const struct file_op *op, const struct pg_process *p,
			 const struct pg_file_view *v, const struct file_paths *fp,
			 const struct pg_decision *d)
{
	const struct pg_file_event *e = v->e;
	struct pg_buf *b = &a->compact;
	char ts[PG_RFC3339_LEN], buf[8];

	pg_buf_reset(b);
	pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, e->hdr.ktime));
	pg_buf_printf(b, "%.12s %-5s %7u ", ts + 11, op->compact, p->key.pid);
	if (p->creds.uid != p->creds.euid)
		pg_buf_printf(b, "uid=%u euid=%u ", p->creds.uid, p->creds.euid);
	else
		pg_buf_printf(b, "uid=%u ", p->creds.uid);
	pg_escape(b, p->binary, strlen(p->binary), false);
	pg_buf_puts(b, "  ");
	pg_escape(b, fp->path, fp->len, false);
	if (op->path2) {
		pg_buf_puts(b, " -> ");
		pg_escape(b, fp->path2, fp->len2, false);
	}
	switch (e->hdr.type) {
	case PG_EVENT_FILE_OPEN: pg_buf_printf(b, " %s", access_name(e)); break;
	case PG_EVENT_FILE_CREATE:
	case PG_EVENT_FILE_CHMOD:
		mode_str(buf, e->arg_mode);
		if (e->arg_mode || e->hdr.type == PG_EVENT_FILE_CHMOD)
			pg_buf_printf(b, " mode=%s", buf);
		break;
	case PG_EVENT_FILE_CHOWN:
		pg_buf_printf(b, " owner=%d:%d", (int32_t)e->arg_uid, (int32_t)e->arg_gid);
		break;
	case PG_EVENT_FILE_TRUNCATE:
		if (!(e->file_flags & PG_FILE_F_BEFORE))
			pg_buf_printf(b, " length=%llu", (unsigned long long)e->arg_size);
		break;
	case PG_EVENT_FILE_MMAP_EXEC:
		pg_buf_putc(b, ' ');
		compact_bits(b, e->arg_mode, prot_names, PG_ARRAY_SIZE(prot_names));
		break;
	default: break;
	}
	if (e->result < 0 && e->result > -4096) {
		const char *name = strerrorname_np(-e->result);

		if (name)
			pg_buf_printf(b, " = %s", name);
		else
			pg_buf_printf(b, " = E%d", -e->result);
	}
	if (d->rule && d->action && strcmp(d->action, "report"))
		pg_buf_printf(b, " [%s%s]", d->taken ? "" : "would ", d->action);
}

/* rename and link act on two files; a symlink's path2 is its target, a string */
static bool two_files(const struct pg_file_event *e)
{
	return e->hdr.type == PG_EVENT_FILE_RENAME || e->hdr.type == PG_EVENT_FILE_LINK;
}

/*
 * The paths of a user-path record, made absolute: path against base, and
 * for rename and link, path2 against base2. A symlink's target stays as
 * written: it is a string stored in the link, not a file this call touches.
 */
static int resolve(const struct pg_file_view *v, struct pg_buf *b1, struct pg_buf *b2,
		   struct file_paths *fp)
{
	const struct pg_file_event *e = v->e;
	int err;

	fp->path = v->path, fp->len = e->path_len;
	fp->path2 = v->path2, fp->len2 = e->path2_len;
	if (!(e->file_flags & PG_FILE_F_USER_PATH))
		return 0;
	/* an argument that could not be read is no path: nothing to join */
	if (!(e->file_flags & PG_FILE_F_PATH_ERROR)) {
		err = pg_file_join_path_in(b1, v->root, e->root_len, v->base, e->base_len, v->path,
					   e->path_len);
		if (err)
			return err;
		fp->path = b1->data, fp->len = b1->len;
	}
	if (two_files(e) && !(e->file_flags & PG_FILE_F_PATH2_ERROR)) {
		err = pg_file_join_path_in(b2, v->root, e->root_len, v->base2, e->base2_len,
					   v->path2, e->path2_len);
		if (err)
			return err;
		fp->path2 = b2->data, fp->len2 = b2->len;
	}
	return 0;
}

static void file_render(struct pg_agent *a, const struct pg_file_view *v, struct pg_buf *b1,
			struct pg_buf *b2)
{
	const struct pg_file_event *e = v->e;
	const struct file_op *op = &file_ops[e->hdr.type - PG_EVENT_FILE_OPEN];
	struct pg_user_fields f = { 0 };
	struct file_paths fp;
	struct pg_decision d;
	struct pg_process *p;
	char *s1 = NULL, *s2 = NULL;

	if (resolve(v, b1, b2, &fp)) {
		a->oom++;
		return;
	}
	memset(&d, 0, sizeof(d));
	if (a->policy)
		pg_process_owner(a, &e->task, &f);
	if (a->policy && (e->file_flags & PG_FILE_F_USER_PATH)) {
		/* the engine takes C strings; the kernel's are length-counted */
		s1 = strndup(fp.path, fp.len);
		s2 = two_files(e) ? strndup(fp.path2, fp.len2) : NULL;
		if (!s1 || (two_files(e) && !s2)) {
			a->oom++;
			goto out;
		}
		if (!pg_policy_engine__decide_file(a->policy, &e->verdict, &e->matched,
						   e->task.proc.pid, s1, s2, &f, &d))
			goto out;
	} else if (a->policy && !pg_policy_engine__decide(a->policy, &e->verdict, &e->matched,
							  e->task.proc.pid, &f, &d)) {
		goto out;
	}
	p = pg_process_event_begin(a, op->name, &e->task, e->comm, &d);
	if (!p)
		goto out;
	file_json(a->json, v, &fp);
	if (op->path2)
		pg_json__kv_string_n(a->json, op->path2, fp.path2, fp.len2);
	op_json(a->json, e);
	pg_json__kv_result(a->json, e->result);
	flags_json(a->json, e->file_flags);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out))
		compact_line(a, op, p, v, &fp, &d);
	pg_agent_event_end(a, e->hdr.ktime);
	if (pg_output__wants_compact(a->out))
		pg_output__compact(a->out, a->compact.data, a->compact.len);
out:
	free(s1);
	free(s2);
}

static void file_on_event(struct pg_agent *a, const void *rec, size_t size)
{
	struct pg_file_view v;
	struct pg_buf b1, b2;

	if (pg_file_decode(rec, size, &v) || v.e->hdr.type < PG_EVENT_FILE_OPEN ||
	    v.e->hdr.type > PG_EVENT_FILE_MMAP_EXEC) {
		a->malformed++;
		return;
	}
	pg_buf_init(&b1);
	pg_buf_init(&b2);
	file_render(a, &v, &b1, &b2);
	pg_buf_free(&b1);
	pg_buf_free(&b2);
}

static const struct pg_event_desc file_events[] = {
	{ PG_EVENT_FILE_OPEN, "file_open", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_CREATE, "file_create", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_UNLINK, "file_unlink", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_RENAME, "file_rename", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_CHMOD, "file_chmod", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_CHOWN, "file_chown", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_TRUNCATE, "file_truncate", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_LINK, "file_link", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_SYMLINK, "file_symlink", sizeof(struct pg_file_event), file_on_event },
	{ PG_EVENT_FILE_MMAP_EXEC, "file_mmap_exec", sizeof(struct pg_file_event), file_on_event },
};

const struct pg_sensor pg_sensor_file = {
	.name = "file",
	.required = false,
	.backends = file_backends,
	.n_backends = PG_ARRAY_SIZE(file_backends),
	.elf_bytes = file_bpf__elf_bytes,
	.configure = file_configure,
	.events = file_events,
	.n_events = PG_ARRAY_SIZE(file_events),
};
