// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "agent.h"
#include "caps.h"
#include "container.h"
#include "json.h"
#include "log.h"
#include "policy_engine.h"
#include "process.skel.h"
#include "sensors/process.h"
#include "util.h"

/* ---- the sensor ---- */

static bool usable_tp_btf(const struct pg_features *f)
{
	return f->tp_btf;
}

static const char *const tp_btf_progs[] = {
	"tp_btf_sched_process_exec",
	"tp_btf_sched_process_exit",
	"tp_btf_sched_process_fork",
	NULL,
};

/* Why only tp_btf: see the comment at the top of bpf/process.bpf.c. */
static const struct pg_backend process_backends[] = {
	{ "tp_btf", "BTF (5.5+)", usable_tp_btf, tp_btf_progs },
};

/* Its scratch maps hold one record per CPU. */
static int process_configure(struct bpf_object *obj, const struct pg_config *cfg)
{
	const char *const heaps[] = { "pg_exec_heap", "pg_seed_heap" };
	int ncpu = libbpf_num_possible_cpus(), err;
	size_t i;

	(void)cfg;
	if (ncpu < 0)
		return ncpu;
	for (i = 0; i < PG_ARRAY_SIZE(heaps); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, heaps[i]);

		if (!m)
			return -ENOENT;
		err = bpf_map__set_max_entries(m, ncpu);
		if (err)
			return err;
	}
	return 0;
}

static void process_on_exec(struct pg_agent *a, const void *rec, size_t size);
static void process_on_seed(struct pg_agent *a, const void *rec, size_t size);
static void process_on_exit(struct pg_agent *a, const void *rec, size_t size);
static void process_on_fork(struct pg_agent *a, const void *rec, size_t size);

static const struct pg_event_desc process_events[] = {
	{ PG_EVENT_PROCESS_EXEC, "process_exec", sizeof(struct pg_exec_event), process_on_exec },
	{ PG_EVENT_PROCESS_EXIT, "process_exit", sizeof(struct pg_exit_event), process_on_exit },
	{ PG_EVENT_PROCESS_FORK, "process_fork", sizeof(struct pg_fork_event), process_on_fork },
	{ PG_EVENT_PROCESS_SEED, NULL, sizeof(struct pg_exec_event), process_on_seed },
};

const struct pg_sensor pg_sensor_process = {
	.name = "process",
	.required = true,
	.backends = process_backends,
	.n_backends = PG_ARRAY_SIZE(process_backends),
	.elf_bytes = process_bpf__elf_bytes,
	.seed_prog = "iter_task_seed",
	.reselect_prog = "iter_task_reselect",
	.configure = process_configure,
	.events = process_events,
	.n_events = PG_ARRAY_SIZE(process_events),
};

/* ---- decoding ---- */

/*
 * Flag words, by PG_PROC_F_* bit. Where Tetragon has a word with the same
 * meaning it is used (execve, procFS, truncArgs, clone, errorArgs,
 * errorFilename, errorCWD, errorCgroupName, nocwd); the rest are ours.
 */
static const char *const flag_names[] = {
	"execve",
	"procFS",
	"truncArgs",
	"truncBinary",
	"truncCwd",
	"errorArgs",
	"noParent",
	"clone",
	"script",
	"truncCgroup",
	"noArgs",
	"errorFilename",
	"errorCWD",
	"errorCgroupName",
	"errorScript",
	"deleted",
	NULL /* detached: memfd or detached, see flags_json */,
	"deletedCwd",
	"errorComm",
	"nocwd",
	"stdioSocket",
};

static const char *const signal_names[] = {
	[SIGHUP] = "SIGHUP",	   [SIGINT] = "SIGINT",	      [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",	   [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",	   [SIGFPE] = "SIGFPE",	      [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",	   [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",	   [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP",	   [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU",	   [SIGURG] = "SIGURG",	      [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ",	   [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",	      [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

static const char *signal_name(unsigned sig, char tmp[16])
{
	if (sig < PG_ARRAY_SIZE(signal_names) && signal_names[sig])
		return signal_names[sig];
	snprintf(tmp, 16, "SIG%u", sig); /* real-time signals */
	return tmp;
}

static bool needs_quotes(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return true;
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c == 0x7f || strchr("'\"\\$`!*?[]{}()<>|&;#~", c))
			return true;
	}
	return false;
}

void pg_process_format_args(struct pg_buf *b, const char *argv, size_t len)
{
	size_t off, n, i;
	bool first = true;

	/* skip argv[0]: it is in "binary" (Tetragon does the same) */
	n = strnlen(argv, len);
	off = n < len ? n + 1 : len;
	while (off < len) {
		const char *arg = argv + off;

		n = strnlen(arg, len - off);
		if (!first)
			pg_buf_putc(b, ' ');
		first = false;
		if (!needs_quotes(arg, n)) {
			pg_buf_put(b, arg, n);
		} else {
			pg_buf_putc(b, '\'');
			for (i = 0; i < n; i++) {
				if (arg[i] == '\'')
					pg_buf_puts(b, "'\\''");
				else
					pg_buf_putc(b, arg[i]);
			}
			pg_buf_putc(b, '\'');
		}
		off += n + 1;
	}
	pg_buf_putc(b, 0); /* a C string even when empty */
	if (!b->failed)
		b->len--;
}

int pg_process_decode_exec(const void *rec, size_t size, struct pg_exec_view *v)
{
	const struct pg_exec_event *e = rec;
	uint64_t need;

	if (size < sizeof(*e))
		return -EBADMSG;
	need = (uint64_t)sizeof(*e) + e->binary_len + e->filename_len + e->cwd_len + e->cgroup_len +
	       e->args_len;
	if (need > size || e->binary_len >= PG_PATH_MAX || e->filename_len >= PG_PATH_MAX ||
	    e->cwd_len >= PG_PATH_MAX || e->cgroup_len > PG_CGROUP_MAX ||
	    e->args_len >= PG_ARGS_MAX)
		return -EBADMSG;
	v->e = e;
	v->binary = (const char *)e->data;
	v->filename = v->binary + e->binary_len;
	v->cwd = v->filename + e->filename_len;
	v->cgroup = v->cwd + e->cwd_len;
	v->args = v->cgroup + e->cgroup_len;
	return 0;
}

/* ---- enriching: records to cached processes ---- */

static void comm_copy(char *dst, const char *src)
{
	memcpy(dst, src, PG_COMM_LEN);
	dst[PG_COMM_LEN] = 0;
}

static void set_exec_ids(struct pg_agent *a, struct pg_process *p)
{
	const struct pg_process *parent;

	pg_exec_id(p->exec_id, sizeof(p->exec_id), a->node, p->key.ktime, p->key.pid);
	if (!p->ppid && !p->parent_key.ktime) {
		p->parent_exec_id[0] = 0;
		return;
	}
	/* the parent's, already encoded, when it is cached */
	parent = pg_proc_cache__peek(a->cache, &p->parent_key);
	if (parent)
		memcpy(p->parent_exec_id, parent->exec_id, sizeof(p->parent_exec_id));
	else
		pg_exec_id(p->parent_exec_id, sizeof(p->parent_exec_id), a->node,
			   p->parent_key.ktime, p->parent_key.pid);
}

static int read_cmdline(struct pg_buf *b, uint32_t pid, size_t max)
{
	char path[64];
	char *buf;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(max);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, max);
	close(fd);
	if (n > 0)
		pg_process_format_args(b, buf, n);
	free(buf);
	return n < 0 ? -errno : 0;
}

/* @path as given to execve, made absolute against @cwd if it was relative */
static char *absolute(struct pg_buf *tmp, const char *path, size_t n, const char *cwd, size_t cn)
{
	pg_buf_reset(tmp);
	if ((!n || path[0] != '/') && cn) {
		pg_buf_put(tmp, cwd, cn);
		if (cwd[cn - 1] != '/')
			pg_buf_putc(tmp, '/');
	}
	pg_buf_put(tmp, path, n);
	return tmp->failed ? NULL : pg_pstr_new(tmp->data, tmp->len);
}

/*
 * The kernel side left out the cwd or cgroup because they are the parent's
 * as its own exec record gave them: take them from the cached parent. If
 * the parent is not cached (its record was lost), say so with the error
 * flag rather than show nothing silently. Returns whether the cgroup was
 * the parent's: its container then is too, already parsed.
 */
static bool inherit(struct pg_agent *a, struct pg_process *p, const struct pg_exec_view *v)
{
	const struct pg_process *parent = pg_proc_cache__peek(a->cache, &v->e->task.parent);
	bool cgroup = false;

	if (v->e->proc_flags & PG_PROC_F_CWD_AS_PARENT) {
		if (parent && parent->cwd)
			p->cwd = pg_pstr_ref(parent->cwd);
		else
			p->flags |= PG_PROC_F_CWD_ERROR;
	}
	if (v->e->proc_flags & PG_PROC_F_CGROUP_AS_PARENT) {
		if (parent && parent->cgroup) {
			p->cgroup = pg_pstr_ref(parent->cgroup);
			memcpy(p->container_id, parent->container_id, sizeof(p->container_id));
			p->container_runtime = parent->container_runtime;
			cgroup = true;
		} else {
			p->flags |= PG_PROC_F_CGROUP_ERROR;
		}
	}
	p->flags &= ~(PG_PROC_F_CWD_AS_PARENT | PG_PROC_F_CGROUP_AS_PARENT);
	return cgroup;
}

/* Build a cache entry from a validated exec or seed record. */
static struct pg_process *process_from_exec(struct pg_agent *a, const struct pg_exec_view *v)
{
	const struct pg_exec_event *e = v->e;
	struct pg_process *p = pg_process__new();
	bool failed = false, cgroup_inherited = false;

	if (!p)
		return NULL;
	p->key = e->task.proc;
	p->parent_key = e->task.parent;
	p->tid = e->task.tid;
	p->ppid = e->task.ppid;
	p->flags = e->proc_flags;
	p->creds = e->creds;
	p->ns = e->ns;
	p->file = e->file;
	p->cgroup_id = e->cgroup_id;
	comm_copy(p->comm, e->comm);
	memcpy(p->tty, e->tty, PG_TTY_LEN);
	p->tty[PG_TTY_LEN] = 0;
	set_exec_ids(a, p);

	if (e->proc_flags & (PG_PROC_F_CWD_AS_PARENT | PG_PROC_F_CGROUP_AS_PARENT))
		cgroup_inherited = inherit(a, p, v);
	if (!p->cwd)
		p->cwd = pg_pstr_new(v->cwd, e->cwd_len);
	if (!p->cgroup)
		p->cgroup = pg_pstr_new(v->cgroup, e->cgroup_len);
	if (e->filename_len) {
		/*
		 * A #! script: like Tetragon, "binary" is the script (as named to
		 * execve, made absolute); the interpreter the kernel resolved and
		 * ran is "interpreter".
		 */
		p->binary = absolute(&a->scratch, v->filename, e->filename_len, v->cwd, e->cwd_len);
		p->interpreter = pg_pstr_new(v->binary, e->binary_len);
		failed = !p->interpreter;
	} else if (e->proc_flags & PG_PROC_F_BIN_DELETED) {
		/* as /proc/PID/exe shows it */
		pg_buf_reset(&a->scratch);
		pg_buf_put(&a->scratch, v->binary, e->binary_len);
		pg_buf_puts(&a->scratch, " (deleted)");
		p->binary = a->scratch.failed ? NULL : pg_pstr_new(a->scratch.data, a->scratch.len);
	} else {
		p->binary = pg_pstr_new(v->binary, e->binary_len);
	}
	pg_buf_reset(&a->scratch);
	if (e->hdr.type == PG_EVENT_PROCESS_SEED)
		read_cmdline(&a->scratch, e->task.proc.pid, a->cfg->max_args);
	else
		pg_process_format_args(&a->scratch, v->args, e->args_len);
	p->arguments = pg_pstr_new(a->scratch.len ? a->scratch.data : "", a->scratch.len);
	if (!cgroup_inherited)
		p->container_runtime =
			p->cgroup ? pg_container_id(p->cgroup, p->container_id) : NULL;
	if (failed || !p->binary || !p->cwd || !p->cgroup || !p->arguments || a->scratch.failed) {
		pg_process__free(p);
		return NULL;
	}
	return p;
}

/* ---- rendering ---- */

static struct pg_process *clone_of_parent(struct pg_agent *a, const struct pg_event_process *t,
					  const char *comm);

static void flags_json(struct pg_json *w, struct pg_buf *tmp, const struct pg_process *p)
{
	size_t i;

	pg_buf_reset(tmp);
	for (i = 0; i < PG_ARRAY_SIZE(flag_names); i++) {
		const char *name = flag_names[i];

		if (!(p->flags & (1U << i)))
			continue;
		if (1U << i == PG_PROC_F_BIN_DETACHED)
			name = !strncmp(p->binary, "memfd:", 6) ? "memfd" : "detached";
		if (tmp->len)
			pg_buf_putc(tmp, ' ');
		pg_buf_puts(tmp, name);
	}
	if (p->cwd[0] == '/' && !p->cwd[1]) {
		if (tmp->len)
			pg_buf_putc(tmp, ' ');
		pg_buf_puts(tmp, "rootcwd");
	}
	if (tmp->len)
		PG_JSON_KV_STRING(w, "flags", tmp->data);
}

/* protojson leaves out empty strings: so do we, wherever Tetragon has the field */
#define KV_NONEMPTY(w, key, s)                                                                     \
	do {                                                                                       \
		const char *s_ = (s);                                                              \
		if (s_ && s_[0])                                                                   \
			PG_JSON_KV_STRING((w), key, s_);                                           \
	} while (0)

void pg_process_ns_json(struct pg_agent *a, const char *key, const struct pg_namespaces *ns)
{
	const struct {
		const char *name;
		uint32_t inum, host;
	} rows[] = {
		{ "uts", ns->uts, a->host.uts },
		{ "ipc", ns->ipc, a->host.ipc },
		{ "mnt", ns->mnt, a->host.mnt },
		{ "pid", ns->pid, a->host.pid },
		{ "pid_for_children", ns->pid_for_children, a->host.pid_for_children },
		{ "net", ns->net, a->host.net },
		{ "time", ns->time, a->host.time },
		{ "time_for_children", ns->time_for_children, a->host.time_for_children },
		{ "cgroup", ns->cgroup, a->host.cgroup },
		{ "user", ns->user, a->host.user },
	};
	struct pg_json *w = a->json;
	size_t i;

	pg_json__key(w, key);
	pg_json__begin_object(w);
	for (i = 0; i < PG_ARRAY_SIZE(rows); i++) {
		if (!rows[i].inum)
			continue; /* a namespace this kernel does not have */
		pg_json__key(w, rows[i].name);
		pg_json__begin_object(w);
		PG_JSON_KV_UINT(w, "inum", rows[i].inum);
		if (rows[i].inum == rows[i].host)
			PG_JSON_KV_BOOL(w, "is_host", true);
		pg_json__end_object(w);
	}
	pg_json__end_object(w);
}

/* protojson leaves out empty repeated fields */
static void caps_kv(struct pg_json *w, const char *key, uint64_t caps)
{
	if (!caps)
		return;
	pg_json__key(w, key);
	pg_caps_json(w, caps);
}

static void caps_json(struct pg_json *w, const char *key, const struct pg_creds *c)
{
	pg_json__key(w, key);
	pg_json__begin_object(w);
	caps_kv(w, "permitted", c->cap_permitted);
	caps_kv(w, "effective", c->cap_effective);
	caps_kv(w, "inheritable", c->cap_inheritable);
	pg_json__end_object(w);
}

static const char *const securebit_names[] = {
	"SecBitNoRoot",
	"SecBitNoRootLocked",
	"SecBitNoSetUidFixup",
	"SecBitNoSetUidFixupLocked",
	"SecBitKeepCaps",
	"SecBitKeepCapsLocked",
	"SecBitNoCapAmbientRaise",
	"SecBitNoCapAmbientRaiseLocked",
};

void pg_process_creds_json(struct pg_json *w, const char *key, const struct pg_creds *c)
{
	size_t i;

	pg_json__key(w, key);
	pg_json__begin_object(w);
	PG_JSON_KV_UINT(w, "uid", c->uid);
	PG_JSON_KV_UINT(w, "gid", c->gid);
	PG_JSON_KV_UINT(w, "euid", c->euid);
	PG_JSON_KV_UINT(w, "egid", c->egid);
	PG_JSON_KV_UINT(w, "suid", c->suid);
	PG_JSON_KV_UINT(w, "sgid", c->sgid);
	PG_JSON_KV_UINT(w, "fsuid", c->fsuid);
	PG_JSON_KV_UINT(w, "fsgid", c->fsgid);
	if (c->securebits & 0xff) {
		PG_JSON_KEY(w, "securebits");
		pg_json__begin_array(w);
		for (i = 0; i < PG_ARRAY_SIZE(securebit_names); i++)
			if (c->securebits & (1U << i))
				pg_json__string(w, securebit_names[i]);
		pg_json__end_array(w);
	}
	caps_json(w, "caps", c);
	pg_json__end_object(w);
}

/*
 * binary_properties, when there is something to say: a set-user-ID or
 * set-group-ID file (and whether this exec raised privileges through it),
 * or a file with no link left (deleted, or a memfd: fileless execution).
 */
static void binary_properties_json(struct pg_json *w, const struct pg_process *p)
{
	const struct pg_file_info *f = &p->file;
	bool suid = f->mode & S_ISUID, sgid = (f->mode & S_ISGID) && (f->mode & S_IXGRP);
	bool raised_uid = suid && p->creds.euid == f->uid && p->creds.uid != f->uid;
	bool raised_gid = sgid && p->creds.egid == f->gid && p->creds.gid != f->gid;
	bool unlinked = f->ino && !f->nlink;

	if (!suid && !sgid && !unlinked)
		return;
	PG_JSON_KEY(w, "binary_properties");
	pg_json__begin_object(w);
	if (suid)
		PG_JSON_KV_UINT(w, "setuid", f->uid);
	if (sgid)
		PG_JSON_KV_UINT(w, "setgid", f->gid);
	if (raised_uid || raised_gid) {
		PG_JSON_KEY(w, "privileges_changed");
		pg_json__begin_array(w);
		if (raised_uid)
			pg_json__string(w, "PRIVILEGES_RAISED_EXEC_FILE_SETUID");
		if (raised_gid)
			pg_json__string(w, "PRIVILEGES_RAISED_EXEC_FILE_SETGID");
		pg_json__end_array(w);
	}
	if (unlinked) {
		PG_JSON_KEY(w, "file");
		pg_json__begin_object(w);
		PG_JSON_KEY(w, "inode");
		pg_json__begin_object(w);
		/* protojson prints uint64 as a string */
		PG_JSON_KV_UINT_STR(w, "number", f->ino);
		PG_JSON_KV_UINT(w, "links", f->nlink);
		pg_json__end_object(w);
		KV_NONEMPTY(w, "path", p->interpreter ? p->interpreter : p->binary);
		pg_json__end_object(w);
	}
	pg_json__end_object(w);
}

/* Tetragon's "docker" is the container id, shortened */
#define PG_DOCKER_ID_LEN 31

/*
 * @brief: ancestors carry who they are (ids, binary, arguments, user), not
 * the whole context again, which would multiply each event's size by the
 * depth of the tree.
 */
static void process_render(struct pg_agent *a, struct pg_process *p, bool brief)
{
	struct pg_json *w = a->json;
	char ts[PG_RFC3339_LEN];

	pg_json__begin_object(w);
	PG_JSON_KV_STRING(w, "exec_id", p->exec_id);
	PG_JSON_KV_UINT(w, "pid", p->key.pid);
	PG_JSON_KV_UINT(w, "tid", p->tid);
	PG_JSON_KV_UINT(w, "ppid", p->ppid);
	/* Tetragon's "uid" is the effective uid; the real one is in process_credentials */
	PG_JSON_KV_UINT(w, "uid", p->creds.euid);
	PG_JSON_KV_UINT(w, "auid", p->creds.auid);
	KV_NONEMPTY(w, "cwd", p->cwd);
	KV_NONEMPTY(w, "binary", p->binary);
	KV_NONEMPTY(w, "interpreter", p->interpreter);
	KV_NONEMPTY(w, "arguments", p->arguments);
	flags_json(w, &a->scratch, p);
	PG_JSON_KV_STRING_N(w, "start_time", ts,
			    pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, p->key.ktime)));
	KV_NONEMPTY(w, "parent_exec_id", p->parent_exec_id);
	KV_NONEMPTY(w, "tty", p->tty);
	KV_NONEMPTY(w, "comm", p->comm);
	if (brief) {
		pg_json__end_object(w);
		return;
	}
	if (p->container_runtime) {
		PG_JSON_KEY(w, "docker");
		pg_json__string_n(w, p->container_id, strnlen(p->container_id, PG_DOCKER_ID_LEN));
	}
	if (a->cfg->process_creds)
		caps_json(w, "cap", &p->creds);
	if (a->cfg->process_ns)
		pg_process_ns_json(a, "ns", &p->ns);
	if (a->cfg->process_creds)
		pg_process_creds_json(w, "process_credentials", &p->creds);
	binary_properties_json(w, p);
	PG_JSON_KV_UINT(w, "cgroup_id", p->cgroup_id);
	KV_NONEMPTY(w, "cgroup", p->cgroup);
	if (p->container_runtime) {
		PG_JSON_KV_STRING(w, "container_id", p->container_id);
		PG_JSON_KV_STRING(w, "container_runtime", p->container_runtime);
	}
	pg_json__end_object(w);
}

static void process_json(struct pg_agent *a, struct pg_process *p, bool brief)
{
	size_t start;

	if (brief) {
		process_render(a, p, true);
		return;
	}
	if (p->json) {
		pg_json__raw(a->json, p->json, p->json_len);
		return;
	}
	/* always right after a key: no comma precedes the object */
	start = a->line.len;
	process_render(a, p, false);
	if (a->line.failed || p->exit_ktime)
		return;
	p->json = malloc(a->line.len - start);
	if (p->json) {
		memcpy(p->json, a->line.data + start, a->line.len - start);
		p->json_len = a->line.len - start;
	}
}

/* The parent, or a stub naming it when it is not in the cache. */
static struct pg_process *parent_json(struct pg_agent *a, struct pg_process *p)
{
	struct pg_process *parent;

	if (!p->parent_exec_id[0])
		return NULL;
	parent = pg_proc_cache__lookup(a->cache, &p->parent_key);
	PG_JSON_KEY(a->json, "parent");
	if (parent) {
		process_json(a, parent, false);
		return parent;
	}
	pg_json__begin_object(a->json);
	PG_JSON_KV_STRING(a->json, "exec_id", p->parent_exec_id);
	PG_JSON_KV_UINT(a->json, "pid", p->ppid);
	PG_JSON_KV_STRING(a->json, "flags", "unknown");
	pg_json__end_object(a->json);
	return NULL;
}

static void ancestors_json(struct pg_agent *a, struct pg_process *parent)
{
	struct pg_process *p = parent;
	int depth;

	if (!a->cfg->ancestors || !parent)
		return;
	PG_JSON_KEY(a->json, "ancestors");
	pg_json__begin_array(a->json);
	for (depth = 0; depth < 64 && p && p->parent_exec_id[0]; depth++) {
		p = pg_proc_cache__peek(a->cache, &p->parent_key);
		if (p)
			process_json(a, p, true);
	}
	pg_json__end_array(a->json);
}

/* What @p (NULL: unknown, all empty) offers the user-space selectors, but arguments. */
static void process_user_fields(const struct pg_process *p, struct pg_user_fields *f)
{
	f->container_id = p && p->container_runtime ? p->container_id : "";
	f->cgroup = p && p->cgroup ? p->cgroup : "";
	f->stdio_socket = p && (p->flags & PG_PROC_F_STDIO_SOCKET);
	f->fileless = p && (p->flags & PG_PROC_F_FILELESS);
}

/*
 * What the policies say of this record: whether it is reported, and under
 * which rule. The kernel decided what it could; the agent completes the
 * rules with user-space selectors from the cached process.
 */
static bool decide(struct pg_agent *a, const struct pg_verdict *v, const struct pg_rule_mask *m,
		   const struct pg_process *p, struct pg_decision *d)
{
	struct pg_user_fields f = { .arguments = p->arguments };

	process_user_fields(p, &f);
	memset(d, 0, sizeof(*d));
	if (!a->policy)
		return true;
	return pg_policy_engine__decide(a->policy, v, m, p->key.pid, &f, d);
}

/* {"<type>":{"process":…,"parent":…[,"ancestors":…] — the caller closes it. */
static struct pg_process *event_begin(struct pg_agent *a, const char *type, struct pg_process *p,
				      const struct pg_decision *d)
{
	struct pg_process *parent;

	pg_agent_event_begin(a, type);
	PG_JSON_KEY(a->json, "process");
	process_json(a, p, false);
	parent = parent_json(a, p);
	ancestors_json(a, parent);
	pg_policy_engine__render(d, a->json);
	return parent;
}

struct pg_process *pg_process_event_begin(struct pg_agent *a, const char *type,
					  const struct pg_event_process *t,
					  const char comm[PG_COMM_LEN], const struct pg_decision *d)
{
	struct pg_process *p = pg_proc_cache__lookup(a->cache, &t->proc);

	if (!p) {
		p = clone_of_parent(a, t, comm);
		if (!p) {
			a->oom++;
			return NULL;
		}
		pg_proc_cache__insert(a->cache, p);
	}
	event_begin(a, type, p, d);
	return p;
}

void pg_process_owner(struct pg_agent *a, const struct pg_event_process *t,
		      struct pg_user_fields *f)
{
	const struct pg_process *p = pg_proc_cache__peek(a->cache, &t->proc);

	if (!p)
		p = pg_proc_cache__peek(a->cache, &t->parent);
	process_user_fields(p, f);
}

struct pg_process *
pg_process_decide_begin(struct pg_agent *a, const char *type, const struct pg_event_process *t,
			const struct pg_verdict *v, const struct pg_rule_mask *matched,
			const char comm[PG_COMM_LEN], const char *dns_name, struct pg_decision *d)
{
	struct pg_user_fields f = { .dns_name = dns_name };

	memset(d, 0, sizeof(*d));
	if (a->policy) {
		pg_process_owner(a, t, &f);
		if (!pg_policy_engine__decide(a->policy, v, matched, t->proc.pid, &f, d))
			return NULL;
	}
	return pg_process_event_begin(a, type, t, comm, d);
}

static void compact_begin(struct pg_agent *a, uint64_t ktime, const char *what,
			  struct pg_process *p)
{
	struct pg_buf *b = &a->compact;
	char ts[PG_RFC3339_LEN];

	pg_buf_reset(b);
	pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, ktime));
	/* HH:MM:SS.mmm is enough on a live view */
	pg_buf_printf(b, "%.12s %-5s %7u ", ts + 11, what, p->key.pid);
	if (p->creds.uid != p->creds.euid)
		pg_buf_printf(b, "uid=%u euid=%u ", p->creds.uid, p->creds.euid);
	else
		pg_buf_printf(b, "uid=%u ", p->creds.uid);
	pg_escape(b, p->binary, strlen(p->binary), false);
	if (p->arguments[0]) {
		pg_buf_putc(b, ' ');
		pg_escape(b, p->arguments, strlen(p->arguments), false);
	}
}

static void emit(struct pg_agent *a, uint64_t ktime)
{
	pg_agent_event_end(a, ktime);
	if (pg_output__wants_compact(a->out))
		pg_output__compact(a->out, a->compact.data, a->compact.len);
}

static void render_exec(struct pg_agent *a, const struct pg_exec_event *e, struct pg_process *p)
{
	uint64_t ktime = e->hdr.ktime;
	struct pg_process *parent;
	struct pg_decision d;

	if (!decide(a, &e->verdict, &e->matched, p, &d))
		return;
	parent = event_begin(a, "process_exec", p, &d);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out)) {
		compact_begin(a, ktime, "exec", p);
		if (parent) {
			pg_buf_printf(&a->compact, "  < %u ", parent->key.pid);
			pg_escape(&a->compact, parent->binary, strlen(parent->binary), false);
		}
	}
	emit(a, ktime);
}

/*
 * The reverse-shell shape: a shell or interpreter whose stdin or stdout is
 * a socket (bash -i >& /dev/tcp/…, nc -e /bin/sh, python's pty.spawn
 * after a connect). The kernel tells it at exec, for any binary; only
 * these keep the flag (a socket-activated service is not the shape). A
 * process found running has no exec record: told from /proc.
 */
static bool stdio_socket(const struct pg_process *p)
{
	static const char *const shells[] = {
		"sh",	"bash", "dash",	   "zsh",    "ksh",	"mksh",	  "csh",  "tcsh",
		"fish", "ash",	"busybox", "python", "python3", "perl",	  "ruby", "php",
		"lua",	"node", "socat",   "nc",     "ncat",	"telnet",
	};
	const char *base;
	char path[64], link[64];
	size_t i, n;
	int fd;

	/* the kernel's word first: most execs have no socket on stdio */
	if ((p->flags & PG_PROC_F_EXECVE) && !(p->flags & PG_PROC_F_STDIO_SOCKET))
		return false;
	if (!p->binary || !(base = strrchr(p->binary, '/')))
		return false;
	base++;
	for (i = 0; i < PG_ARRAY_SIZE(shells); i++) {
		n = strlen(shells[i]);
		/* python3.11, perl5.36: a version may follow */
		if (!strncmp(base, shells[i], n) &&
		    (!base[n] || (base[n] >= '0' && base[n] <= '9') || base[n] == '.'))
			break;
	}
	if (i == PG_ARRAY_SIZE(shells))
		return false;
	if (p->flags & PG_PROC_F_EXECVE)
		return true; /* the kernel saw the socket */
	for (fd = 0; fd <= 1; fd++) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/%u/fd/%d", p->key.pid, fd);
		len = readlink(path, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = 0;
			if (!strncmp(link, "socket:", 7))
				return true;
		}
	}
	return false;
}

static void handle_exec_like(struct pg_agent *a, const void *rec, size_t size, bool render)
{
	struct pg_exec_view v;
	struct pg_process *p;

	if (pg_process_decode_exec(rec, size, &v)) {
		a->malformed++;
		return;
	}
	p = process_from_exec(a, &v);
	if (!p) {
		a->oom++;
		pg_warn("out of memory decoding exec of pid %u", v.e->task.proc.pid);
		return;
	}
	if (p->ppid && !pg_proc_cache__peek(a->cache, &p->parent_key))
		p->flags |= PG_PROC_F_NO_PARENT;
	if (stdio_socket(p))
		p->flags |= PG_PROC_F_STDIO_SOCKET;
	else
		p->flags &= ~PG_PROC_F_STDIO_SOCKET;
	if (v.e->prev_ktime && v.e->prev_ktime != v.e->task.proc.ktime) {
		/*
		 * The image this exec replaced (usually the clone a fork made)
		 * ends here, without an exit event of its own. Its children,
		 * if any, still name it: keep it for them, else drop it now.
		 */
		struct pg_process_key prev = { .pid = v.e->task.proc.pid,
					       .ktime = v.e->prev_ktime };
		struct pg_process *old = pg_proc_cache__peek(a->cache, &prev);

		if (old && old->children)
			pg_proc_cache__mark_exited(a->cache, old, v.e->hdr.ktime);
		else if (old)
			pg_proc_cache__remove(a->cache, old);
	}
	pg_proc_cache__insert(a->cache, p);
	if (render)
		render_exec(a, v.e, p);
}

static void process_on_exec(struct pg_agent *a, const void *rec, size_t size)
{
	handle_exec_like(a, rec, size, true);
}

static void process_on_seed(struct pg_agent *a, const void *rec, size_t size)
{
	handle_exec_like(a, rec, size, false);
	a->seeded++;
}

/*
 * A process we never saw exec (forked before or after we started, and
 * never exec'd since) runs its parent's image: describe it as a clone.
 */
static struct pg_process *clone_of_parent(struct pg_agent *a, const struct pg_event_process *t,
					  const char *comm)
{
	struct pg_process *parent = pg_proc_cache__lookup(a->cache, &t->parent);
	struct pg_process *p;

	if (parent) {
		p = pg_process__clone(parent);
	} else {
		p = pg_process__new();
		if (p) {
			p->binary = pg_pstr("");
			p->arguments = pg_pstr("");
			p->cwd = pg_pstr("");
			p->cgroup = pg_pstr("");
			if (!p->binary || !p->arguments || !p->cwd || !p->cgroup) {
				pg_process__free(p);
				p = NULL;
			} else {
				p->flags = PG_PROC_F_NO_PARENT;
			}
		}
	}
	if (!p)
		return NULL;
	p->key = t->proc;
	p->parent_key = t->parent;
	p->tid = t->proc.pid;
	p->ppid = t->ppid;
	p->flags = (p->flags & PG_PROC_F_NO_PARENT) | PG_PROC_F_CLONE;
	comm_copy(p->comm, comm);
	set_exec_ids(a, p);
	return p;
}

static void process_on_exit(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_exit_event *e = rec;
	struct pg_process *p;
	unsigned sig, status;
	uint64_t run_time;
	struct pg_decision d;
	char signame[16], ts[PG_RFC3339_LEN];

	(void)size; /* at least sizeof(*e): checked by the dispatcher */
	p = pg_proc_cache__lookup(a->cache, &e->task.proc);
	if (p && p->exit_ktime) {
		/* the kernel claims each exit once: a second one is a bug, counted */
		a->duplicates++;
		return;
	}
	if (!p) {
		p = clone_of_parent(a, &e->task, e->comm);
		if (!p) {
			a->oom++;
			return;
		}
		pg_proc_cache__insert(a->cache, p);
	}
	run_time = e->hdr.ktime > p->key.ktime ? e->hdr.ktime - p->key.ktime : 0;
	sig = e->exit_code & 0x7f;
	status = (e->exit_code >> 8) & 0xff;

	if (!decide(a, &e->verdict, NULL, p, &d)) {
		pg_proc_cache__mark_exited(a->cache, p, e->hdr.ktime);
		return;
	}
	event_begin(a, "process_exit", p, &d);
	if (sig) {
		PG_JSON_KV_STRING(a->json, "signal", signal_name(sig, signame));
		if (e->exit_code & 0x80)
			PG_JSON_KV_BOOL(a->json, "core_dumped", true);
	}
	/* a plain uint32 in Tetragon: left out when 0 */
	if (status)
		PG_JSON_KV_UINT(a->json, "status", status);
	pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, e->hdr.ktime));
	PG_JSON_KV_STRING(a->json, "time", ts);
	PG_JSON_KV_UINT(a->json, "run_time_ns", run_time);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out)) {
		compact_begin(a, e->hdr.ktime, "exit", p);
		if (sig)
			pg_buf_printf(&a->compact, "  signal=%s", signal_name(sig, signame));
		else
			pg_buf_printf(&a->compact, "  status=%u", status);
		pg_buf_printf(&a->compact, " time=%.3fms", run_time / 1e6);
	}
	emit(a, e->hdr.ktime);
	pg_proc_cache__mark_exited(a->cache, p, e->hdr.ktime);
}

static void process_on_fork(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_fork_event *e = rec;
	struct pg_decision d;
	struct pg_process *p;
	bool shown;

	(void)size;
	p = clone_of_parent(a, &e->task, e->comm);
	if (!p) {
		a->oom++;
		return;
	}
	pg_proc_cache__insert(a->cache, p);
	/*
	 * Forks always reach us, so that a child's exec finds its parent even
	 * when the parent is a clone (a subshell); they are shown on request.
	 */
	shown = decide(a, &e->verdict, NULL, p, &d);
	if (!a->cfg->fork_events && !(shown && d.rule))
		return;
	event_begin(a, "process_fork", p, &d);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out))
		compact_begin(a, e->hdr.ktime, "fork", p);
	emit(a, e->hdr.ktime);
}
