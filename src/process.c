// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "caps.h"
#include "container.h"
#include "json.h"
#include "log.h"
#include "process.h"
#include "util.h"

/* ---- the sensor: backends, best first ---- */

static bool usable_fentry(const struct pg_features *f)
{
	return f->fentry;
}

static bool usable_tp_btf(const struct pg_features *f)
{
	return f->tp_btf;
}

static bool usable_raw_tp(const struct pg_features *f)
{
	return f->raw_tp;
}

static const char *const fentry_progs[] = {
	"fentry_finalize_exec",
	"fentry_acct_process",
	"fentry_wake_up_new_task",
	NULL,
};

static const char *const tp_btf_progs[] = {
	"tp_btf_sched_process_exec",
	"tp_btf_sched_process_exit",
	"tp_btf_sched_process_fork",
	NULL,
};

static const char *const raw_tp_progs[] = {
	"raw_tp_sched_process_exec",
	"raw_tp_sched_process_exit",
	"raw_tp_sched_process_fork",
	NULL,
};

static const struct pg_backend process_backends[] = {
	{ "fentry", "BTF, BPF trampolines, not locked down", usable_fentry, fentry_progs },
	{ "tp_btf", "BTF", usable_tp_btf, tp_btf_progs },
	{ "raw_tp", "raw tracepoints (any 4.17+ kernel)", usable_raw_tp, raw_tp_progs },
};

const struct pg_sensor pg_sensor_process = {
	.name = "process",
	.backends = process_backends,
	.n_backends = PG_ARRAY_SIZE(process_backends),
};

/* ---- decoding ---- */

static const char *const flag_names[] = {
	"execve",    "seeded", "args_truncated", "binary_truncated", "cwd_truncated", "args_error",
	"no_parent", "clone",  "script",	 "cgroup_truncated", "no_args",
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

static char *dup_n(const void *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = 0;
	/* a path cannot hold NUL; anything after one is noise */
	return d;
}

static void comm_copy(char *dst, const char *src)
{
	memcpy(dst, src, PG_COMM_LEN);
	dst[PG_COMM_LEN] = 0;
}

static void set_exec_ids(struct pg_agent *a, struct pg_process *p)
{
	pg_exec_id(p->exec_id, sizeof(p->exec_id), a->node, p->key.ktime, p->key.pid);
	if (p->ppid || p->parent_key.ktime)
		pg_exec_id(p->parent_exec_id, sizeof(p->parent_exec_id), a->node,
			   p->parent_key.ktime, p->parent_key.pid);
	else
		p->parent_exec_id[0] = 0;
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

/*
 * Build a cache entry from an exec or seed record. The record was bounds
 * checked by the caller: every length fits in @size.
 */
static struct pg_process *process_from_exec(struct pg_agent *a, const struct pg_exec_event *e)
{
	const char *data = (const char *)e->data;
	const char *binary = data, *filename = binary + e->binary_len;
	const char *cwd = filename + e->filename_len, *cgroup = cwd + e->cwd_len;
	const char *args = cgroup + e->cgroup_len;
	struct pg_process *p = pg_process__new();

	if (!p)
		return NULL;
	p->key = e->proc;
	p->parent_key = e->parent;
	p->tid = e->tid;
	p->ppid = e->ppid;
	p->flags = e->proc_flags;
	p->creds = e->creds;
	p->ns = e->ns;
	p->cgroup_id = e->cgroup_id;
	comm_copy(p->comm, e->comm);
	memcpy(p->tty, e->tty, PG_TTY_LEN);
	p->tty[PG_TTY_LEN] = 0;
	set_exec_ids(a, p);

	p->binary = dup_n(binary, e->binary_len);
	p->cwd = dup_n(cwd, e->cwd_len);
	p->cgroup = dup_n(cgroup, e->cgroup_len);
	if (e->filename_len) {
		/* execve("./x.sh") names the script relative to the cwd */
		pg_buf_reset(&a->scratch);
		if (filename[0] != '/' && e->cwd_len) {
			pg_buf_put(&a->scratch, cwd, e->cwd_len);
			if (cwd[e->cwd_len - 1] != '/')
				pg_buf_putc(&a->scratch, '/');
		}
		pg_buf_put(&a->scratch, filename, e->filename_len);
		p->script = dup_n(a->scratch.data, a->scratch.len);
	}
	pg_buf_reset(&a->scratch);
	if (e->hdr.type == PG_EVENT_PROCESS_SEED)
		read_cmdline(&a->scratch, e->proc.pid, a->cfg->max_args);
	else
		pg_process_format_args(&a->scratch, args, e->args_len);
	p->arguments = dup_n(a->scratch.len ? a->scratch.data : "", a->scratch.len);
	p->container_runtime = pg_container_id(p->cgroup, p->container_id);
	if (!p->binary || !p->cwd || !p->cgroup || !p->arguments ||
	    (e->filename_len && !p->script) || a->scratch.failed) {
		pg_process__free(p);
		return NULL;
	}
	return p;
}

/* ---- rendering ---- */

static void flags_json(struct pg_json *w, struct pg_buf *tmp, uint32_t flags)
{
	size_t i;

	pg_buf_reset(tmp);
	for (i = 0; i < PG_ARRAY_SIZE(flag_names); i++) {
		if (!(flags & (1U << i)))
			continue;
		if (tmp->len)
			pg_buf_putc(tmp, ' ');
		pg_buf_puts(tmp, flag_names[i]);
	}
	pg_json__string_n(w, tmp->len ? tmp->data : "", tmp->len);
}

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
	pg_json__kv_string(w, "exec_id", p->exec_id);
	pg_json__kv_uint(w, "pid", p->key.pid);
	pg_json__kv_uint(w, "tid", p->tid);
	pg_json__kv_uint(w, "ppid", p->ppid);
	pg_json__kv_uint(w, "uid", p->creds.uid);
	pg_json__kv_uint(w, "euid", p->creds.euid);
	pg_json__kv_uint(w, "gid", p->creds.gid);
	pg_json__kv_uint(w, "egid", p->creds.egid);
	pg_json__kv_uint(w, "auid", p->creds.auid);
	pg_json__kv_string(w, "cwd", p->cwd);
	pg_json__kv_string(w, "binary", p->binary);
	pg_json__kv_string(w, "arguments", p->arguments);
	if (p->script)
		pg_json__kv_string(w, "script", p->script);
	pg_json__key(w, "flags");
	flags_json(w, &a->scratch, p->flags);
	pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, p->key.ktime));
	pg_json__kv_string(w, "start_time", ts);
	if (p->parent_exec_id[0])
		pg_json__kv_string(w, "parent_exec_id", p->parent_exec_id);
	if (p->tty[0])
		pg_json__kv_string(w, "tty", p->tty);
	pg_json__kv_string(w, "comm", p->comm);
	if (brief) {
		pg_json__end_object(w);
		return;
	}
	pg_json__key(w, "cap");
	pg_json__begin_object(w);
	pg_json__key(w, "effective");
	pg_caps_json(w, p->creds.cap_effective);
	pg_json__key(w, "permitted");
	pg_caps_json(w, p->creds.cap_permitted);
	pg_json__end_object(w);
	pg_json__key(w, "ns");
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "mnt", p->ns.mnt);
	pg_json__kv_uint(w, "pid", p->ns.pid);
	pg_json__kv_uint(w, "net", p->ns.net);
	pg_json__kv_uint(w, "user", p->ns.user);
	pg_json__kv_uint(w, "uts", p->ns.uts);
	pg_json__kv_uint(w, "ipc", p->ns.ipc);
	pg_json__kv_uint(w, "cgroup", p->ns.cgroup);
	pg_json__end_object(w);
	pg_json__kv_uint(w, "cgroup_id", p->cgroup_id);
	pg_json__kv_string(w, "cgroup", p->cgroup);
	if (p->container_runtime) {
		pg_json__kv_string(w, "container_id", p->container_id);
		pg_json__kv_string(w, "container_runtime", p->container_runtime);
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
	pg_json__key(a->json, "parent");
	if (parent) {
		process_json(a, parent, false);
		return parent;
	}
	pg_json__begin_object(a->json);
	pg_json__kv_string(a->json, "exec_id", p->parent_exec_id);
	pg_json__kv_uint(a->json, "pid", p->ppid);
	pg_json__kv_string(a->json, "flags", "unknown");
	pg_json__end_object(a->json);
	return NULL;
}

static void ancestors_json(struct pg_agent *a, struct pg_process *parent)
{
	struct pg_process *p = parent;
	int depth;

	if (!a->cfg->ancestors || !parent)
		return;
	pg_json__key(a->json, "ancestors");
	pg_json__begin_array(a->json);
	for (depth = 0; depth < 64 && p && p->parent_exec_id[0]; depth++) {
		p = pg_proc_cache__peek(a->cache, &p->parent_key);
		if (p)
			process_json(a, p, true);
	}
	pg_json__end_array(a->json);
}

/* {"<type>":{"process":…,"parent":…[,"ancestors":…] — the caller closes it. */
static struct pg_process *event_begin(struct pg_agent *a, const char *type, struct pg_process *p)
{
	struct pg_process *parent;

	pg_agent_event_begin(a, type);
	pg_json__key(a->json, "process");
	process_json(a, p, false);
	parent = parent_json(a, p);
	ancestors_json(a, parent);
	return parent;
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
	struct pg_process *parent;

	parent = event_begin(a, "process_exec", p);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out)) {
		compact_begin(a, e->hdr.ktime, "exec", p);
		if (parent)
			pg_buf_printf(&a->compact, "  < %u ", parent->key.pid);
		if (parent)
			pg_escape(&a->compact, parent->binary, strlen(parent->binary), false);
	}
	emit(a, e->hdr.ktime);
}

static bool exec_record_ok(const struct pg_exec_event *e, size_t size)
{
	uint64_t need;

	if (size < sizeof(*e))
		return false;
	need = (uint64_t)sizeof(*e) + e->binary_len + e->filename_len + e->cwd_len + e->cgroup_len +
	       e->args_len;
	return need <= size && e->binary_len < PG_PATH_MAX && e->filename_len < PG_PATH_MAX &&
	       e->cwd_len < PG_PATH_MAX && e->cgroup_len <= PG_CGROUP_MAX &&
	       e->args_len < PG_ARGS_MAX;
}

static void handle_exec_like(struct pg_agent *a, const void *rec, size_t size, bool render)
{
	const struct pg_exec_event *e = rec;
	struct pg_process *p;

	if (!exec_record_ok(e, size)) {
		a->malformed++;
		return;
	}
	p = process_from_exec(a, e);
	if (!p) {
		a->oom++;
		pg_warn("out of memory decoding exec of pid %u", e->proc.pid);
		return;
	}
	if (p->ppid && !pg_proc_cache__peek(a->cache, &p->parent_key))
		p->flags |= PG_PROC_F_NO_PARENT;
	if (e->prev_ktime && e->prev_ktime != e->proc.ktime) {
		/*
		 * The image this exec replaced (usually the clone a fork made)
		 * ends here, without an exit event of its own. Its children,
		 * if any, still name it: keep it for them, else drop it now.
		 */
		struct pg_process_key prev = { .pid = e->proc.pid, .ktime = e->prev_ktime };
		struct pg_process *old = pg_proc_cache__peek(a->cache, &prev);

		if (old && old->children)
			pg_proc_cache__mark_exited(a->cache, old, e->hdr.ktime);
		else if (old)
			pg_proc_cache__remove(a->cache, old);
	}
	pg_proc_cache__insert(a->cache, p);
	if (render)
		render_exec(a, e, p);
}

void pg_process_on_exec(struct pg_agent *a, const void *rec, size_t size)
{
	handle_exec_like(a, rec, size, true);
}

void pg_process_on_seed(struct pg_agent *a, const void *rec, size_t size)
{
	handle_exec_like(a, rec, size, false);
	a->seeded++;
}

/*
 * A process we never saw exec (forked before or after we started, and
 * never exec'd since) runs its parent's image: describe it as a clone.
 */
static struct pg_process *clone_of_parent(struct pg_agent *a, const struct pg_process_key *key,
					  const struct pg_process_key *parent_key, uint32_t ppid,
					  const char *comm)
{
	struct pg_process *parent = pg_proc_cache__lookup(a->cache, parent_key);
	struct pg_process *p;

	if (parent) {
		p = pg_process__clone(parent);
	} else {
		p = pg_process__new();
		if (p) {
			p->binary = strdup("");
			p->arguments = strdup("");
			p->cwd = strdup("");
			p->cgroup = strdup("");
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
	p->key = *key;
	p->parent_key = *parent_key;
	p->tid = key->pid;
	p->ppid = ppid;
	p->flags = (p->flags & PG_PROC_F_NO_PARENT) | PG_PROC_F_CLONE;
	comm_copy(p->comm, comm);
	set_exec_ids(a, p);
	return p;
}

void pg_process_on_exit(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_exit_event *e = rec;
	struct pg_process *p;
	unsigned sig, status;
	uint64_t run_time;
	char signame[16];

	if (size < sizeof(*e)) {
		a->malformed++;
		return;
	}
	p = pg_proc_cache__lookup(a->cache, &e->proc);
	if (p && p->exit_ktime) {
		/* two threads raced to be "last": one exit is enough */
		a->duplicates++;
		return;
	}
	if (!p) {
		p = clone_of_parent(a, &e->proc, &e->parent, e->ppid, e->comm);
		if (!p) {
			a->oom++;
			return;
		}
		pg_proc_cache__insert(a->cache, p);
	}
	run_time = e->hdr.ktime > p->key.ktime ? e->hdr.ktime - p->key.ktime : 0;
	sig = e->exit_code & 0x7f;
	status = (e->exit_code >> 8) & 0xff;

	event_begin(a, "process_exit", p);
	if (sig) {
		pg_json__kv_string(a->json, "signal", signal_name(sig, signame));
		if (e->exit_code & 0x80)
			pg_json__kv_bool(a->json, "core_dumped", true);
	}
	pg_json__kv_uint(a->json, "status", status);
	pg_json__kv_uint(a->json, "run_time_ns", run_time);
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

void pg_process_on_fork(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_fork_event *e = rec;
	struct pg_process *p;

	if (size < sizeof(*e)) {
		a->malformed++;
		return;
	}
	p = clone_of_parent(a, &e->proc, &e->parent, e->ppid, e->comm);
	if (!p) {
		a->oom++;
		return;
	}
	pg_proc_cache__insert(a->cache, p);
	/*
	 * Forks always reach us, so that a child's exec finds its parent even
	 * when the parent is a clone (a subshell); they are shown on request.
	 */
	if (!a->cfg->fork_events)
		return;
	event_begin(a, "process_fork", p);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out))
		compact_begin(a, e->hdr.ktime, "fork", p);
	emit(a, e->hdr.ktime);
}
