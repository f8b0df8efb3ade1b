// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "agent.h"
#include "control.h"
#include "kernel_features.h"
#include "loader.h"
#include "log.h"
#include "policy_compile.h"
#include "sensors/file.h"
#include "sensors/host.h"
#include "util.h"

static const char *const error_names[PG_ERR_MAX] = {
	[PG_ERR_SCRATCH] = "scratch",
	[PG_ERR_READ_ARGS] = "read_args",
	[PG_ERR_READ_PATH] = "read_path",
	[PG_ERR_READ_CGROUP] = "read_cgroup",
	[PG_ERR_PROCS_MAP] = "procs_map",
	[PG_ERR_READ_COMM] = "read_comm",
	[PG_ERR_READ_FILENAME] = "read_filename",
	[PG_ERR_SEQ_WRITE] = "seq_write",
	[PG_ERR_CONFIG] = "config",
	[PG_ERR_READ_CREDS] = "read_creds",
	[PG_ERR_FILE_DEPTH] = "file_depth",
	[PG_ERR_READ_USER_PATH] = "read_user_path",
	[PG_ERR_NET_SOCKS] = "net_conns",
	[PG_ERR_EXEC_CREDS] = "exec_creds",
};

/* How often watched files are checked for having changed identity (ms). */
#define PG_POLICY_RECHECK_MS 5000

uint64_t pg_agent_wall_ns(const struct pg_agent *a, uint64_t ktime)
{
	/* unsigned: a hostile or corrupt ktime wraps instead of overflowing */
	return ktime + (uint64_t)a->clock_offset;
}

void pg_agent_dispatch(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_event_header *h = rec;

	const struct pg_event_desc *d;

	if (size < sizeof(*h) || h->size > size || h->size < sizeof(*h) ||
	    h->type >= PG_EVENT_MAX || !(d = a->events[h->type]) || h->size < d->min_size) {
		a->malformed++;
		return;
	}
	a->delivered[h->type]++;
	d->handle(a, rec, h->size);
}

void pg_agent_event_begin(struct pg_agent *a, const char *type)
{
	pg_buf_reset(&a->line);
	pg_json__reset(a->json);
	pg_json__begin_object(a->json);
	pg_json__key(a->json, type);
	pg_json__begin_object(a->json);
}

void pg_agent_event_end(struct pg_agent *a, uint64_t ktime)
{
	char ts[PG_RFC3339_LEN];

	PG_JSON_KV_STRING(a->json, "node_name", a->node);
	PG_JSON_KV_STRING_N(a->json, "time", ts,
			    pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, ktime)));
	pg_json__end_object(a->json);
	if (a->line.failed) {
		a->oom++;
		return;
	}
	if (pg_output__wants_json(a->out))
		pg_output__json(a->out, a->line.data, a->line.len);
}

static void record(struct pg_agent *a, const void *rec, size_t size)
{
	uint32_t n = size;

	if (fwrite(&n, sizeof(n), 1, a->record) != 1 || fwrite(rec, 1, size, a->record) != size) {
		pg_warn("--record: %s; recording stops", strerror(errno));
		fclose(a->record);
		a->record = NULL;
	}
}

static int on_ring_record(void *ctx, void *data, size_t size)
{
	struct pg_agent *a = ctx;

	if (a->record)
		record(a, data, size);
	pg_agent_dispatch(a, data, size);
	return 0;
}

static void on_seed_record(void *ctx, const void *rec, size_t size)
{
	on_ring_record(ctx, (void *)rec, size);
}

long pg_agent_replay(struct pg_agent *a, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t off = 0;
	long n = 0;

	while (len - off >= sizeof(uint32_t)) {
		uint32_t size;

		memcpy(&size, p + off, sizeof(size));
		off += sizeof(size);
		if (size > len - off)
			return -EBADMSG;
		/* the ring gives 8-byte aligned records: so does the replay */
		pg_buf_reset(&a->scratch_rec);
		pg_buf_put(&a->scratch_rec, p + off, size);
		if (a->scratch_rec.failed)
			return -ENOMEM;
		pg_agent_dispatch(a, a->scratch_rec.data, size);
		off += size;
		n++;
	}
	return n;
}

/* ---- statistics ---- */

static void stats_json(struct pg_agent *a, const struct pg_loader *l, struct pg_buf *b)
{
	struct pg_json *w = pg_json__new(b);
	struct pg_proc_cache_stats cs;
	struct pg_stats k;
	uint64_t emitted = 0, lost = 0, delivered = 0;
	int i;

	if (!w)
		return;
	memset(&k, 0, sizeof(k));
	if (l)
		pg_loader__stats(l, &k);
	for (i = 0; i < PG_EVENT_MAX; i++) {
		if (!a->events[i] || !a->events[i]->name)
			continue; /* internal records (seeding) are not events */
		emitted += k.emitted[i];
		lost += k.lost[i];
		delivered += a->delivered[i];
	}
	pg_proc_cache__stats(a->cache, &cs);
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "emitted", emitted);
	pg_json__kv_uint(w, "lost", lost);
	pg_json__kv_uint(w, "delivered", delivered);
	/* invocations the kernel skipped (a program already running on that CPU) */
	pg_json__kv_uint(w, "recursion_misses", l ? pg_loader__recursion_misses(l) : 0);
	pg_json__key(w, "events");
	pg_json__begin_object(w);
	for (i = 1; i < PG_EVENT_MAX; i++) {
		if (!a->events[i] || !a->events[i]->name)
			continue;
		pg_json__key(w, a->events[i]->name);
		pg_json__begin_object(w);
		pg_json__kv_uint(w, "emitted", k.emitted[i]);
		pg_json__kv_uint(w, "lost", k.lost[i]);
		pg_json__kv_uint(w, "delivered", a->delivered[i]);
		pg_json__end_object(w);
	}
	pg_json__end_object(w);
	pg_json__key(w, "errors");
	pg_json__begin_object(w);
	for (i = 1; i < PG_ERR_MAX; i++)
		pg_json__kv_uint(w, error_names[i] ? error_names[i] : "unknown", k.errors[i]);
	pg_json__end_object(w);
	pg_json__kv_uint(w, "seeded", a->seeded);
	pg_json__kv_uint(w, "malformed", a->malformed);
	pg_json__kv_uint(w, "duplicates", a->duplicates);
	pg_json__kv_uint(w, "out_of_memory", a->oom);
	pg_json__key(w, "cache");
	pg_json__begin_object(w);
	pg_json__kv_uint(w, "size", cs.size);
	pg_json__kv_uint(w, "hits", cs.hits);
	pg_json__kv_uint(w, "misses", cs.misses);
	pg_json__kv_uint(w, "evictions", cs.evictions);
	pg_json__kv_uint(w, "expired", cs.expired);
	pg_json__end_object(w);
	pg_json__key(w, "output");
	pg_output__stats_json(a->out, w);
	if (l) {
		pg_json__key(w, "sensors");
		pg_loader__stats_json(l, w);
	}
	if (a->policy) {
		PG_JSON_KEY(w, "policies");
		pg_policy_engine__stats_json(a->policy, l, w);
	}
	pg_json__end_object(w);
	pg_json__free(w);
}

static void stats_report(struct pg_agent *a, const struct pg_loader *l, bool final)
{
	struct pg_buf b;

	pg_buf_init(&b);
	stats_json(a, l, &b);
	if (b.len && !b.failed) {
		fprintf(stderr, "penguard: %s %s\n", final ? "final stats" : "stats", b.data);
		if (a->cfg->stats_file) {
			FILE *f = fopen(a->cfg->stats_file, "we");

			if (f) {
				fprintf(f, "%s\n", b.data);
				fclose(f);
			} else {
				pg_warn("cannot write %s: %s", a->cfg->stats_file, strerror(errno));
			}
		}
	}
	pg_buf_free(&b);
}

/* ---- the control socket's requests ---- */

struct control_ctx {
	struct pg_agent *a;
	struct pg_loader *l;
	struct ring_buffer *rb;
	int epfd;
};

static void control_list(void *ctx, struct pg_buf *out)
{
	struct control_ctx *c = ctx;
	struct pg_json *w = pg_json__new(out);

	if (!w)
		return;
	pg_policy_engine__stats_json(c->a->policy, c->l, w);
	pg_json__free(w);
}

/* a swap reuses the generation before last: read its records first */
static int control_add(void *ctx, const char *yaml, struct pg_diag *diag)
{
	struct control_ctx *c = ctx;

	ring_buffer__consume(c->rb);
	return pg_policy_engine__add(c->a->policy, c->l, yaml, diag);
}

static int control_remove(void *ctx, const char *name, struct pg_diag *diag)
{
	struct control_ctx *c = ctx;

	ring_buffer__consume(c->rb);
	return pg_policy_engine__remove(c->a->policy, c->l, name, diag);
}

/* epoll tags: outputs get ones no fd can equal */
#define PG_TAG_OUTPUT UINT64_MAX
#define PG_TAG_CLIENT (UINT64_MAX - 1)

static int control_events(void *ctx, int fd, enum pg_format format, int pid)
{
	struct control_ctx *c = ctx;

	return pg_output__add_client(c->a->out, fd, format, pid, c->epfd, PG_TAG_CLIENT);
}

static const struct pg_control_ops control_ops = {
	.list = control_list,
	.add = control_add,
	.remove = control_remove,
	.events = control_events,
};

/* ---- the loop ---- */

/*
 * Signals are blocked first thing in main() (pg_agent_block_signals), so
 * one that arrives while the programs load stays pending for the signalfd.
 */
static int setup_fds(struct pg_agent *a, int *ret_sfd, int *ret_tfd, int *ret_epfd, int rb_fd,
		     unsigned flush_ms)
{
	struct itimerspec its = {
		.it_interval = { flush_ms / 1000, (flush_ms % 1000) * 1000000L },
		.it_value = { flush_ms / 1000, (flush_ms % 1000) * 1000000L },
	};
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;
	int sfd, tfd, epfd, err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || epfd < 0 || timerfd_settime(tfd, 0, &its, NULL))
		goto fail;
	ev.data.u64 = (uint64_t)sfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev))
		goto fail;
	ev.data.u64 = (uint64_t)tfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev))
		goto fail;
	ev.data.u64 = (uint64_t)rb_fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, rb_fd, &ev))
		goto fail;
	err = pg_output__epoll_add(a->out, epfd, PG_TAG_OUTPUT);
	if (err) {
		errno = -err;
		goto fail;
	}
	*ret_sfd = sfd;
	*ret_tfd = tfd;
	*ret_epfd = epfd;
	return 0;
fail:
	err = -errno;
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	if (epfd >= 0)
		close(epfd);
	return err;
}

void pg_agent_block_signals(void)
{
	sigset_t mask;

	/*
	 * A shell starts background jobs with SIGINT ignored, and an ignored
	 * signal is dropped before signalfd can see it: restore the default
	 * first, so `penguard run &` still stops on SIGINT and drains.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	/* a closed reader must give EPIPE, counted, not kill the agent */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
}

static int libbpf_verbosity;

/*
 * Without -v the caller says once what failed; -v adds libbpf's warnings,
 * which carry the verifier log, and -vv its debug output.
 */
__attribute__((format(printf, 2, 0))) static int libbpf_print(enum libbpf_print_level level,
							      const char *fmt, va_list args)
{
	if ((level == LIBBPF_DEBUG && libbpf_verbosity < 2) || libbpf_verbosity < 1)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int preflight(const struct pg_features *f)
{
	if (!f->root) {
		pg_err("must run as root (loading BPF programs needs CAP_BPF and CAP_PERFMON)");
		return -EPERM;
	}
	if (!f->btf) {
		pg_err("this kernel has no BTF (/sys/kernel/btf/vmlinux); penguard needs "
		       "CONFIG_DEBUG_INFO_BTF=y");
		return -ENOTSUP;
	}
	if (!f->ringbuf) {
		pg_err("this kernel has no BPF ring buffer (needs Linux 5.8 or later)");
		return -ENOTSUP;
	}
	return 0;
}

int pg_agent_init(struct pg_agent *a, const struct pg_config *cfg)
{
	struct utsname u;
	size_t i, j;

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	if (!uname(&u))
		snprintf(a->node, sizeof(a->node), "%s", u.nodename);
	a->clock_offset = pg_clock_offset_ns();
	pg_features_host_ns(&a->host);
	for (i = 0; i < pg_n_sensors; i++)
		for (j = 0; j < pg_sensors[i]->n_events; j++) {
			const struct pg_event_desc *d = &pg_sensors[i]->events[j];

			if (d->type < PG_EVENT_MAX)
				a->events[d->type] = d;
		}
	pg_buf_init(&a->line);
	pg_buf_init(&a->compact);
	pg_buf_init(&a->scratch);
	a->json = pg_json__new(&a->line);
	a->cache = pg_proc_cache__new(cfg->cache_size, (uint64_t)cfg->cache_grace_ms * 1000000);
	if (!a->json || !a->cache) {
		pg_err("out of memory");
		return -ENOMEM;
	}
	a->out = pg_output__new(cfg);
	if (!a->out)
		return -errno; /* pg_output__new() said why */
	if (cfg->record_path) {
		int fd = open(cfg->record_path,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

		a->record = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!a->record) {
			pg_err("cannot open %s: %s", cfg->record_path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -EINVAL;
		}
	}
	return 0;
}

void pg_agent_fini(struct pg_agent *a)
{
	pg_policy_engine__free(a->policy);
	if (a->record)
		fclose(a->record);
	pg_buf_free(&a->scratch_rec);
	pg_output__free(a->out);
	pg_proc_cache__free(a->cache);
	pg_json__free(a->json);
	pg_buf_free(&a->line);
	pg_buf_free(&a->compact);
	pg_buf_free(&a->scratch);
	memset(a, 0, sizeof(*a));
}

/*
 * The file sensor's lsm backend denies every file event but file_chown
 * where path_chown cannot be attached (chown_common reports it instead).
 */
static uint64_t file_chown_deny(uint64_t deny_events)
{
	if ((deny_events & (1ULL << PG_EVENT_FILE_CHOWN)) && !pg_file_chown_hookable())
		deny_events &= ~(1ULL << PG_EVENT_FILE_CHOWN);
	return deny_events;
}

/*
 * The host sensor's lsm backend refuses every credentials call but
 * setgroups where it has no hook (before 6.1): deny rules are refused
 * there rather than left with a hole.
 */
static uint64_t setgroups_deny(uint64_t deny_events)
{
	if ((deny_events & (1ULL << PG_EVENT_CREDS_CHANGE)) && !pg_host_setgroups_hookable())
		deny_events &= ~(1ULL << PG_EVENT_CREDS_CHANGE);
	return deny_events;
}

/*
 * What pg_policy_deny_events() will say once the sensors run, for the
 * first compile, which comes before them: the backend each should take
 * on this kernel (checked against the real ones after the start).
 */
static uint64_t predicted_deny_events(const struct pg_config *cfg, const struct pg_features *f)
{
	static const char *const names[4] = { "exec_enforce", "file", "network", "host" };
	const char *backend[4] = { NULL, NULL, NULL, NULL };
	size_t i, j;

	for (i = 0; i < pg_n_sensors; i++)
		for (j = 0; j < 4; j++) {
			const char *forced = pg_config_forced_backend(cfg, names[j]);
			const struct pg_backend *b;

			if (strcmp(pg_sensors[i]->name, names[j]))
				continue;
			b = forced ? pg_sensor_backend(pg_sensors[i], forced)
				   : pg_sensor_pick(pg_sensors[i], f);
			backend[j] = b ? b->name : NULL;
		}
	return setgroups_deny(file_chown_deny(
		       pg_policy_deny_events(backend[0], backend[1], backend[2], backend[3]))) |
	       (pg_host_sysctl_usable() ? PG_POLICY_DENY_SYSCTL : 0);
}

int pg_agent_run(const struct pg_config *cfg)
{
	struct pg_agent a;
	struct pg_control *control = NULL;
	struct control_ctx cctx;
	struct pg_loader *loader = NULL;
	struct ring_buffer *rb = NULL;
	struct pg_features f;
	int sfd = -1, tfd = -1, epfd = -1, err;
	uint64_t ticks = 0, ticks_per_stats, recheck_ticks = 0, deny_events;
	bool stop = false;

	pg_log_level = cfg->verbose ? PG_LOG_DEBUG : PG_LOG_INFO;
	libbpf_verbosity = cfg->verbose;
	libbpf_set_print(libbpf_print);

	pg_features_probe(&f);
	err = preflight(&f);
	if (err)
		return err;
	if (cfg->cgroup_hierarchy && pg_features_set_cgroup(&f, cfg->cgroup_hierarchy)) {
		pg_err("no cgroup hierarchy '%s' is mounted (v2, or a v1 controller such as "
		       "memory)",
		       cfg->cgroup_hierarchy);
		return -ENOENT;
	}
	err = pg_agent_init(&a, cfg);
	if (err)
		goto cleanup;
	pg_info("cgroups: naming containers after the %s hierarchy%s%s", f.cgroup_hierarchy,
		f.cgroup_mount[0] ? " at " : "", f.cgroup_mount);

	err = pg_loader__new(&loader, cfg, &f);
	if (err)
		goto cleanup;
	/*
	 * The policies go into the shared maps before any program is
	 * attached: the first record is already decided under them. Deny
	 * needs a backend that refuses the operation (exec_enforce, the file
	 * sensor's lsm, the network sensor's cgroup or lsm); where none runs
	 * for an event, a deny rule on it in enforce mode needs `fallback: kill`.
	 */
	err = pg_policy_engine__new(&a.policy, cfg, predicted_deny_events(cfg, &f));
	if (!err)
		err = pg_policy_engine__load(a.policy, loader);
	if (err) {
		pg_err("cannot load the policies (see above)");
		goto cleanup;
	}
	err = pg_loader__start(loader, cfg, &f);
	if (err)
		goto cleanup;
	deny_events = setgroups_deny(file_chown_deny(pg_policy_deny_events(
		pg_loader__backend(loader, "exec_enforce"), pg_loader__backend(loader, "file"),
		pg_loader__backend(loader, "network"), pg_loader__backend(loader, "host"))));
	if (pg_loader__backend(loader, "host") && pg_host_sysctl_hooked())
		deny_events |= PG_POLICY_DENY_SYSCTL;
	pg_policy_engine__set_deny_events(a.policy, deny_events);
	/* never run quietly without the enforcement a policy asks for */
	if (pg_policy_engine__denies(a.policy, PG_EVENT_PROCESS_EXEC, PG_EVENT_PROCESS_EXEC) &&
	    !(deny_events & (1ULL << PG_EVENT_PROCESS_EXEC))) {
		pg_err("a policy denies execs, but the exec_enforce sensor did not load (see "
		       "above): add `fallback: kill` to its deny rules or fix the LSM set-up");
		err = -EOPNOTSUPP;
		goto cleanup;
	}
	if (pg_policy_engine__denies(a.policy, PG_EVENT_FILE_OPEN, PG_EVENT_FILE_MMAP_EXEC) &&
	    !(deny_events & (1ULL << PG_EVENT_FILE_OPEN))) {
		pg_err("a policy denies file operations, but the file sensor does not run its lsm "
		       "backend (see above): add `fallback: kill` to its deny rules or fix the LSM "
		       "set-up");
		err = -EOPNOTSUPP;
		goto cleanup;
	}
	if (pg_policy_engine__denies(a.policy, PG_EVENT_NET_CONNECT, PG_EVENT_NET_UDP) &&
	    !(deny_events & (1ULL << PG_EVENT_NET_CONNECT))) {
		pg_err("a policy denies network connections, but the network sensor runs neither "
		       "its cgroup nor its lsm backend (see above): add `fallback: kill` to its "
		       "deny rules or fix the set-up");
		err = -EOPNOTSUPP;
		goto cleanup;
	}
	if (pg_policy_engine__denies(a.policy, PG_EVENT_CREDS_CHANGE, PG_EVENT_CREDS_CHANGE) &&
	    !(deny_events & (1ULL << PG_EVENT_CREDS_CHANGE))) {
		pg_err("a policy denies credential changes, but the host sensor does not run its "
		       "lsm backend (see above): add `fallback: kill` to its deny rules or fix the "
		       "LSM set-up");
		err = -EOPNOTSUPP;
		goto cleanup;
	}
	if (pg_policy_engine__denies(a.policy, PG_EVENT_HOST_CHANGE, PG_EVENT_HOST_CHANGE) &&
	    !(deny_events & PG_POLICY_DENY_SYSCTL)) {
		pg_err("a policy denies sysctl writes, but the host sensor's sysctl hook did not "
		       "load (see above): add `fallback: kill` to its deny rules");
		err = -EOPNOTSUPP;
		goto cleanup;
	}
	/*
	 * The process ring is added first: ring_buffer__consume() drains the
	 * rings in that order, so every other event finds its process cached.
	 */
	rb = ring_buffer__new(pg_loader__proc_events_fd(loader), on_ring_record, &a, NULL);
	if (!rb || ring_buffer__add(rb, pg_loader__events_fd(loader), on_ring_record, &a)) {
		err = -errno;
		pg_err("cannot map the ring buffers: %s", strerror(errno));
		goto cleanup;
	}
	/* after attach: whatever starts from now on is seen by the sensors */
	if (cfg->seed) {
		err = pg_loader__seed(loader, on_seed_record, &a);
		if (err)
			pg_warn("could not list running processes (%s); their children will be "
				"flagged noParent",
				strerror(-err));
		else
			pg_info("seeded %" PRIu64 " running processes", a.seeded);
	}
	err = setup_fds(&a, &sfd, &tfd, &epfd, ring_buffer__epoll_fd(rb), cfg->flush_interval_ms);
	if (err) {
		pg_err("cannot set up the event loop: %s", strerror(-err));
		goto cleanup;
	}
	if (cfg->socket_path) {
		struct epoll_event ev = { .events = EPOLLIN };

		err = pg_control__new(&control, cfg->socket_path);
		if (err)
			goto cleanup;
		ev.data.u64 = (uint64_t)pg_control__fd(control);
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, pg_control__fd(control), &ev)) {
			err = -errno;
			pg_err("cannot watch the control socket: %s", strerror(errno));
			goto cleanup;
		}
	}
	cctx = (struct control_ctx){ .a = &a, .l = loader, .rb = rb, .epfd = epfd };
	pg_info("ready: delivering events within %u ms (ring buffers %" PRIu64 " + %" PRIu64
		" KiB)",
		cfg->flush_interval_ms, cfg->proc_ringbuf_size >> 10, cfg->ringbuf_size >> 10);
	ticks_per_stats = cfg->stats_interval * 1000ULL / cfg->flush_interval_ms;

	while (!stop) {
		struct epoll_event evs[8];
		int n, i;

		n = epoll_wait(epfd, evs, 8, -1);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			pg_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			if (tag == (uint64_t)sfd) {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo != SIGHUP) {
						stop = true;
						continue;
					}
					/*
					 * Drain first: the swap reuses the generation
					 * before last, whose records must all be read.
					 * A set that fails keeps the old one active.
					 */
					ring_buffer__consume(rb);
					pg_info("SIGHUP: reloading the policies");
					pg_policy_engine__load(a.policy, loader);
				}
			} else if (tag == (uint64_t)tfd) {
				uint64_t exp;

				if (read(tfd, &exp, sizeof(exp)) == sizeof(exp))
					ticks += exp;
				pg_proc_cache__expire(a.cache, pg_now_mono_ns());
				/* follow NTP and settimeofday() steps of the wall clock */
				a.clock_offset = pg_clock_offset_ns();
				if (ticks_per_stats && ticks >= ticks_per_stats) {
					ticks = 0;
					stats_report(&a, loader, false);
				}
				/*
				 * Watched files are compared by inode: one that was
				 * created, deleted or replaced (renamed over) since
				 * the policies were compiled needs them compiled
				 * again, or a hard link to the new inode goes unseen.
				 */
				recheck_ticks += exp;
				if (recheck_ticks * cfg->flush_interval_ms >=
				    PG_POLICY_RECHECK_MS) {
					recheck_ticks = 0;
					if (pg_policy_engine__stale(a.policy)) {
						ring_buffer__consume(rb);
						pg_info("a watched file changed: reloading the "
							"policies");
						pg_policy_engine__load(a.policy, loader);
					}
				}
			} else if (control && tag == (uint64_t)pg_control__fd(control)) {
				pg_control__serve(control, &control_ops, &cctx);
			} else if (tag == PG_TAG_CLIENT) {
				/* a client drained (flushed below) or hung up */
				pg_output__reap_clients(a.out);
			}
			/* PG_TAG_OUTPUT: a stalled output can take more; flushed below */
		}
		/* drain whatever woke us, timer included: this bounds the latency */
		n = ring_buffer__consume(rb);
		if (n < 0 && n != -EINTR) {
			err = n;
			pg_err("reading the ring buffer: %s", strerror(-n));
			break;
		}
		pg_output__flush(a.out);
	}
	if (stop) {
		err = 0;
		pg_info("stopping: detaching and draining");
	}

cleanup:
	/* detach first, then drain what the kernel already wrote: nothing is lost */
	if (rb && loader) {
		pg_loader__detach(loader);
		ring_buffer__consume(rb);
	}
	/* a stalled reader gets a second at most: SIGTERM must stop us promptly */
	if (a.out)
		pg_output__drain(a.out, 1000);
	if (rb && loader)
		stats_report(&a, loader, true);
	pg_control__free(control);
	ring_buffer__free(rb);
	pg_loader__free(loader);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	if (epfd >= 0)
		close(epfd);
	pg_agent_fini(&a);
	return err;
}
