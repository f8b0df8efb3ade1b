// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "loader.h"
#include "log.h"
#include "util.h"

/*
 * The maps every object shares (bpf/lib/maps.bpf.h), created here once, so
 * that none of them belongs to whichever sensor happens to load first.
 */
enum {
	SHARED_EVENTS,
	SHARED_PROC_EVENTS,
	SHARED_STATS,
	SHARED_CONFIG,
	SHARED_PROCS,
	SHARED_POL_PATHS,
	SHARED_POL_SUFFIX,
	SHARED_POL_IDS,
	SHARED_POL_MASKS,
	SHARED_POL_RULES,
	SHARED_POL_STATS,
	SHARED_POL_RATE,
	SHARED_POL_FILES,
	SHARED_POL_FNAMES,
	SHARED_POL_FBLOOM,
	SHARED_POL_ADDRS,
	N_SHARED
};

struct pg_rate_key_u {
	__u32 rule, tgid;
};

static const struct {
	const char *name;
	enum bpf_map_type type;
	__u32 key_size, value_size, max_entries; /* 0 entries: sized from the config */
	__u32 flags;
} shared_maps[N_SHARED] = {
	[SHARED_EVENTS] = { "pg_events", BPF_MAP_TYPE_RINGBUF, 0, 0, 0 },
	[SHARED_PROC_EVENTS] = { "pg_proc_events", BPF_MAP_TYPE_RINGBUF, 0, 0, 0 },
	[SHARED_STATS] = { "pg_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct pg_stats), 1 },
	[SHARED_CONFIG] = { "pg_config", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct pg_runtime_config),
			    1 },
	[SHARED_PROCS] = { "pg_procs", BPF_MAP_TYPE_HASH, 4, sizeof(struct pg_proc_state), 65536 },
	/* policy maps (bpf/lib/policy.bpf.h); the tries allocate as they fill */
	[SHARED_POL_PATHS] = { "pg_pol_paths", BPF_MAP_TYPE_LPM_TRIE,
			       sizeof(struct pg_policy_path_key), sizeof(struct pg_path_masks),
			       1 << 20, BPF_F_NO_PREALLOC },
	[SHARED_POL_SUFFIX] = { "pg_pol_suffix", BPF_MAP_TYPE_LPM_TRIE,
				sizeof(struct pg_policy_path_key), sizeof(struct pg_path_masks),
				1 << 20, BPF_F_NO_PREALLOC },
	[SHARED_POL_IDS] = { "pg_pol_ids", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct pg_policy_id_key),
			     sizeof(struct pg_id_masks), 1 << 20, BPF_F_NO_PREALLOC },
	[SHARED_POL_MASKS] = { "pg_pol_masks", BPF_MAP_TYPE_ARRAY, 4,
			       sizeof(struct pg_policy_masks), 2 },
	[SHARED_POL_RULES] = { "pg_pol_rules", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct pg_policy_rule),
			       2 * PG_POLICY_RULES },
	[SHARED_POL_STATS] = { "pg_pol_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			       sizeof(struct pg_rule_stats), 2 * PG_POLICY_RULES },
	[SHARED_POL_RATE] = { "pg_pol_rate", BPF_MAP_TYPE_LRU_HASH, sizeof(struct pg_rate_key_u),
			      16, 16384 },
	/* file policies: watched identities and names (events.h explains) */
	[SHARED_POL_FILES] = { "pg_pol_files", BPF_MAP_TYPE_HASH, sizeof(struct pg_file_id_key),
			       sizeof(struct pg_file_id_val), 1 << 20, BPF_F_NO_PREALLOC },
	[SHARED_POL_FNAMES] = { "pg_pol_fnames", BPF_MAP_TYPE_HASH, sizeof(struct pg_file_name_key),
				sizeof(struct pg_file_masks), 1 << 20, BPF_F_NO_PREALLOC },
	[SHARED_POL_FBLOOM] = { "pg_pol_fbloom", BPF_MAP_TYPE_ARRAY, 4,
				sizeof(struct pg_file_bloom), 2 },
	/* network policies: `address:` CIDR blocks */
	[SHARED_POL_ADDRS] = { "pg_pol_addrs", BPF_MAP_TYPE_LPM_TRIE,
			       sizeof(struct pg_policy_addr_key), sizeof(struct pg_id_masks),
			       1 << 20, BPF_F_NO_PREALLOC },
};

struct pg_loaded {
	const struct pg_sensor *sensor;
	const struct pg_backend *backend; /* NULL: not loaded */
	const char *failure;		  /* why not, for the stats and probe */
	char why[160];
	struct bpf_object *obj;
	struct bpf_link **links; /* one per attached program */
	size_t n_links;
};

struct pg_loader {
	struct pg_loaded *loaded; /* one per sensor, in pg_sensors order */
	int shared_fd[N_SHARED];
};

static void loaded_destroy(struct pg_loaded *ld)
{
	size_t i;

	for (i = 0; i < ld->n_links; i++)
		bpf_link__destroy(ld->links[i]);
	ld->n_links = 0;
	free(ld->links);
	ld->links = NULL;
	bpf_object__close(ld->obj);
	ld->obj = NULL;
}

static int shared_create(struct pg_loader *l, const struct pg_config *cfg,
			 const struct pg_features *f)
{
	struct pg_runtime_config rc = {
		.host_pidns = f->host_pidns,
		.wakeup_bytes = cfg->wakeup_bytes,
		.max_args = cfg->max_args,
		.cgroup_subsys = f->cgroup_subsys,
	};
	__u32 zero = 0;
	int i;

	for (i = 0; i < N_SHARED; i++) {
		__u32 n = shared_maps[i].max_entries;

		if (i == SHARED_EVENTS)
			n = cfg->ringbuf_size;
		else if (i == SHARED_PROC_EVENTS)
			n = cfg->proc_ringbuf_size;
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = shared_maps[i].flags);

		l->shared_fd[i] = bpf_map_create(shared_maps[i].type, shared_maps[i].name,
						 shared_maps[i].key_size, shared_maps[i].value_size,
						 n, &opts);
		if (l->shared_fd[i] < 0) {
			int err = -errno;

			pg_err("cannot create the %s map: %s", shared_maps[i].name, strerror(-err));
			return err;
		}
	}
	if (bpf_map_update_elem(l->shared_fd[SHARED_CONFIG], &zero, &rc, BPF_ANY))
		return -errno;
	return 0;
}

static bool prog_in_backend(const struct pg_backend *b, const char *name)
{
	const char *const *p;

	for (p = b->progs; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

/*
 * cgroup programs attach to the root of the cgroup v2 hierarchy, which
 * holds every process (on hybrid hosts too: v1 controllers do not move
 * processes out of v2's tree); the rest attach where their section says.
 */
static struct bpf_link *attach_prog(struct bpf_program *prog, const struct pg_features *f)
{
	struct bpf_link *link;
	int fd, err;

	switch (bpf_program__type(prog)) {
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
	case BPF_PROG_TYPE_CGROUP_SOCK:
	case BPF_PROG_TYPE_SOCK_OPS:
	case BPF_PROG_TYPE_CGROUP_SYSCTL:
		fd = open(f->cgroup2_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return NULL;
		link = bpf_program__attach_cgroup(prog, fd);
		err = errno;
		close(fd);
		errno = err;
		return link;
	default: return bpf_program__attach(prog);
	}
}

static int try_backend(struct pg_loader *l, struct pg_loaded *ld, const struct pg_backend *b,
		       const struct pg_config *cfg, const struct pg_features *f, const char **stage)
{
	const struct pg_sensor *s = ld->sensor;
	struct bpf_program *prog;
	struct bpf_map *map;
	const void *elf;
	size_t elf_size, n;
	int err, i;

	*stage = "open";
	elf = s->elf_bytes(&elf_size);
	ld->obj = bpf_object__open_mem(elf, elf_size, NULL);
	if (!ld->obj)
		return -errno;
	/* load this backend's programs only; the others stay in the ELF */
	bpf_object__for_each_program (prog, ld->obj) {
		const char *name = bpf_program__name(prog);
		bool on = prog_in_backend(b, name);

		if (s->seed_prog && !strcmp(name, s->seed_prog))
			on = cfg->seed && f->iter_task;
		if (s->reselect_prog && !strcmp(name, s->reselect_prog))
			on = f->iter_task;
		bpf_program__set_autoload(prog, on);
	}
	*stage = "share maps";
	for (i = 0; i < N_SHARED; i++) {
		map = bpf_object__find_map_by_name(ld->obj, shared_maps[i].name);
		if (map && (err = bpf_map__reuse_fd(map, l->shared_fd[i])))
			return err;
	}
	*stage = "configure";
	if (s->configure && (err = s->configure(ld->obj, cfg)))
		return err;
	*stage = "load";
	err = bpf_object__load(ld->obj);
	if (err)
		return err;
	*stage = "attach";
	/* a backend has as many links as programs: one per watched call, on some */
	n = 0;
	bpf_object__for_each_program (prog, ld->obj)
		n++;
	ld->links = calloc(n, sizeof(*ld->links));
	if (!ld->links)
		return -ENOMEM;
	bpf_object__for_each_program (prog, ld->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) ||
		    bpf_program__expected_attach_type(prog) == BPF_TRACE_ITER)
			continue; /* iterators run on demand, in pg_loader__seed() */
		link = attach_prog(prog, f);
		if (!link)
			return -errno;
		ld->links[ld->n_links++] = link;
	}
	return 0;
}

/* What an errno from loading or attaching usually means, for the one-line error. */
static const char *load_hint(int err)
{
	switch (-err) {
	case EPERM: return " (the kernel refused it: lockdown, or a missing capability)";
	case EACCES:
	case EINVAL:
	case E2BIG: return " (the verifier rejected it: run with -v for its log)";
	case ENOENT:
	case ESRCH: return " (a hook this kernel does not have)";
	case EOPNOTSUPP: return " (not supported by this kernel)";
	default: return "";
	}
}

static int load_sensor(struct pg_loader *l, struct pg_loaded *ld, const struct pg_config *cfg,
		       const struct pg_features *f)
{
	const struct pg_sensor *s = ld->sensor;
	const char *forced = pg_config_forced_backend(cfg, s->name);
	enum pg_log_level fail_level = s->required || forced ? PG_LOG_ERROR : PG_LOG_WARN;
	size_t i;
	int err = -ENOENT;

	if (forced && !pg_sensor_backend(s, forced)) {
		pg_err("%s: no backend '%s' (have:%s%s%s)", s->name, forced,
		       s->n_backends > 0 ? " " : "", s->backends[0].name,
		       s->n_backends > 1 ? ", …" : "");
		return -EINVAL;
	}
	for (i = 0; i < s->n_backends; i++) {
		const struct pg_backend *b = &s->backends[i];
		const char *stage = "";

		if (forced ? strcmp(forced, b->name) : !b->usable(f))
			continue;
		err = try_backend(l, ld, b, cfg, f, &stage);
		if (!err) {
			ld->backend = b;
			pg_info("%s: using backend %s", s->name, b->name);
			return 0;
		}
		snprintf(ld->why, sizeof(ld->why), "backend %s failed at %s: %s%s", b->name, stage,
			 strerror(-err), load_hint(err));
		pg_log(fail_level, "%s: %s%s", s->name, ld->why,
		       forced ? "" : "; trying the next one");
		loaded_destroy(ld);
		if (forced)
			break;
	}
	if (!forced && err == -ENOENT)
		snprintf(ld->why, sizeof(ld->why), "no backend works on this kernel");
	pg_log(fail_level, "%s: not loaded: %s%s (see `penguard probe`)", s->name, ld->why,
	       s->required ? "" : "; running without it");
	ld->failure = ld->why;
	return err;
}

int pg_loader__new(struct pg_loader **ret, const struct pg_config *cfg, const struct pg_features *f)
{
	struct pg_loader *l = calloc(1, sizeof(*l));
	size_t i;
	int err;

	if (!l)
		return -ENOMEM;
	for (i = 0; i < N_SHARED; i++)
		l->shared_fd[i] = -1;
	l->loaded = calloc(pg_n_sensors, sizeof(*l->loaded));
	if (!l->loaded) {
		err = -ENOMEM;
		goto fail;
	}
	err = shared_create(l, cfg, f);
	if (err)
		goto fail;
	*ret = l;
	return 0;
fail:
	pg_loader__free(l);
	return err;
}

int pg_loader__start(struct pg_loader *l, const struct pg_config *cfg, const struct pg_features *f)
{
	size_t i;
	int err;

	for (i = 0; i < pg_n_sensors; i++) {
		l->loaded[i].sensor = pg_sensors[i];
		err = load_sensor(l, &l->loaded[i], cfg, f);
		/* a forced backend that fails is fatal too: the user asked for it */
		if (err &&
		    (pg_sensors[i]->required || pg_config_forced_backend(cfg, pg_sensors[i]->name)))
			return err;
	}
	return 0;
}

void pg_loader__free(struct pg_loader *l)
{
	size_t i;

	if (!l)
		return;
	/* detach in reverse; the shared maps die with the last reference */
	for (i = l->loaded ? pg_n_sensors : 0; i > 0; i--)
		loaded_destroy(&l->loaded[i - 1]);
	for (i = 0; i < N_SHARED; i++)
		if (l->shared_fd[i] >= 0)
			close(l->shared_fd[i]);
	free(l->loaded);
	free(l);
}

/*
 * Whether releasing @link waits for RCU grace periods: a perf event on a
 * syscall tracepoint.  Its release waits under the kernel's event_mutex,
 * so 27 of them take 2 s on an idle machine and 8 s on a busy one, one
 * after another, threads or not.
 */
static bool link_is_slow(const struct bpf_link *link)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	/* before 5.15 the "link" is the perf event's own fd */
	if (bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len))
		return true;
	return info.type == BPF_LINK_TYPE_PERF_EVENT;
}

/* In a child holding only BPF objects: all but those, closed. */
static void close_all_but_bpf(void)
{
	char path[64], target[64];
	int fds[1024], n = 0, i;
	struct dirent *de;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((de = readdir(d)) && n < (int)(sizeof(fds) / sizeof(fds[0]))) {
		int fd = atoi(de->d_name);
		ssize_t len;

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		if (strncmp(target, "anon_inode:bpf", 14) &&
		    strcmp(target, "anon_inode:[perf_event]"))
			fds[n++] = fd;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

/*
 * Stop every program from producing records, so that what the caller
 * drains next is all there will be.  Links whose release is quick go
 * first.  Then the file programs, the ones on slow links, turn inert
 * (they act only with a policy loaded), and a child process inherits
 * those links and releases them after we are gone: SIGTERM stops the
 * agent within a second instead of after the kernel's grace periods.
 * The child keeps no output, socket or terminal open, so no reader waits
 * for it.
 */
void pg_loader__detach(struct pg_loader *l)
{
	struct bpf_link **slow;
	size_t i, j, n = 0, n_slow = 0;
	sigset_t all, old;
	pid_t pid;
	int err;

	for (i = 0; i < pg_n_sensors; i++)
		n += l->loaded[i].n_links;
	/* no memory: every link released here, slowly, rather than none */
	slow = calloc(n ? n : 1, sizeof(*slow));
	for (i = 0; i < pg_n_sensors; i++) {
		struct pg_loaded *ld = &l->loaded[i];

		for (j = 0; j < ld->n_links; j++) {
			if (slow && link_is_slow(ld->links[j]))
				slow[n_slow++] = ld->links[j];
			else
				bpf_link__destroy(ld->links[j]);
		}
		ld->n_links = 0;
	}
	if (!n_slow) {
		free(slow);
		return;
	}
	pg_loader__set_policy(l, 0);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	err = errno;
	if (pid == 0) {
		close_all_but_bpf();
		_exit(0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		pg_warn("stopping: cannot hand the tracepoints to a child (%s): detaching "
			"them here, which takes a few seconds",
			strerror(err));
	for (i = 0; i < n_slow; i++)
		bpf_link__destroy(slow[i]);
	free(slow);
	/* a program that read the policy flag just before it changed */
	usleep(10 * 1000);
}

int pg_loader__map_fd(const struct pg_loader *l, const char *name)
{
	int i;

	for (i = 0; i < N_SHARED; i++)
		if (!strcmp(shared_maps[i].name, name))
			return l->shared_fd[i];
	return -ENOENT;
}

int pg_loader__set_policy(struct pg_loader *l, uint32_t policy)
{
	struct pg_runtime_config rc;
	__u32 zero = 0;

	/* only the agent writes it: read, change one field, write back */
	if (bpf_map_lookup_elem(l->shared_fd[SHARED_CONFIG], &zero, &rc))
		return -errno;
	rc.policy = policy;
	if (bpf_map_update_elem(l->shared_fd[SHARED_CONFIG], &zero, &rc, BPF_ANY))
		return -errno;
	return 0;
}

int pg_loader__events_fd(const struct pg_loader *l)
{
	return l->shared_fd[SHARED_EVENTS];
}

int pg_loader__proc_events_fd(const struct pg_loader *l)
{
	return l->shared_fd[SHARED_PROC_EVENTS];
}

const char *pg_loader__backend(const struct pg_loader *l, const char *sensor)
{
	size_t i;

	for (i = 0; i < pg_n_sensors; i++)
		if (l->loaded[i].backend && !strcmp(pg_sensors[i]->name, sensor))
			return l->loaded[i].backend->name;
	return NULL;
}

int pg_loader__stats(const struct pg_loader *l, struct pg_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus(), i, j;
	struct pg_stats *per;
	__u32 zero = 0;
	int err;

	if (ncpu < 0)
		return ncpu;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	err = bpf_map_lookup_elem(l->shared_fd[SHARED_STATS], &zero, per);
	if (err) {
		err = -errno;
		free(per);
		return err;
	}
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < ncpu; i++) {
		for (j = 0; j < PG_EVENT_MAX; j++) {
			sum->emitted[j] += per[i].emitted[j];
			sum->lost[j] += per[i].lost[j];
		}
		for (j = 0; j < PG_ERR_MAX; j++)
			sum->errors[j] += per[i].errors[j];
	}
	free(per);
	return 0;
}

static int prog_info(const struct bpf_program *prog, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_program__fd(prog);

	memset(info, 0, sizeof(*info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, info, &len))
		return -1;
	return 0;
}

uint64_t pg_loader__recursion_misses(const struct pg_loader *l)
{
	struct bpf_prog_info info;
	struct bpf_program *prog;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < pg_n_sensors; i++) {
		if (!l->loaded[i].obj)
			continue;
		bpf_object__for_each_program (prog, l->loaded[i].obj)
			if (bpf_program__autoload(prog) && !prog_info(prog, &info))
				n += info.recursion_misses;
	}
	return n;
}

void pg_loader__stats_json(const struct pg_loader *l, struct pg_json *w)
{
	struct bpf_prog_info info;
	struct bpf_program *prog;
	size_t i;

	pg_json__begin_object(w);
	for (i = 0; i < pg_n_sensors; i++) {
		const struct pg_loaded *ld = &l->loaded[i];

		pg_json__key(w, pg_sensors[i]->name);
		pg_json__begin_object(w);
		if (!ld->backend) {
			pg_json__kv_string(w, "error", ld->failure ? ld->failure : "not loaded");
			pg_json__end_object(w);
			continue;
		}
		pg_json__kv_string(w, "backend", ld->backend->name);
		pg_json__key(w, "programs");
		pg_json__begin_object(w);
		bpf_object__for_each_program (prog, ld->obj) {
			if (!bpf_program__autoload(prog) || prog_info(prog, &info))
				continue;
			pg_json__key(w, bpf_program__name(prog));
			pg_json__begin_object(w);
			pg_json__kv_uint(w, "runs", info.run_cnt);
			/* run_time_ns counts only while kernel.bpf_stats_enabled=1 */
			pg_json__kv_uint(w, "ns_per_run",
					 info.run_cnt ? info.run_time_ns / info.run_cnt : 0);
			pg_json__kv_uint(w, "recursion_misses", info.recursion_misses);
			pg_json__end_object(w);
		}
		pg_json__end_object(w);
		pg_json__end_object(w);
	}
	pg_json__end_object(w);
}

static int run_iterator(struct bpf_program *prog, pg_record_fn fn, void *ctx)
{
	struct bpf_link *link = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, off;
	int fd = -1, err = 0;

	link = bpf_program__attach_iter(prog, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto cleanup;
	}
	/* read everything first: a read() may end in the middle of a record */
	for (;;) {
		ssize_t n;

		if (cap - len < 65536) {
			char *nb;

			if (cap > (256u << 20)) {
				err = -E2BIG;
				goto cleanup;
			}
			nb = realloc(buf, cap * 2 + 65536);
			if (!nb) {
				err = -ENOMEM;
				goto cleanup;
			}
			buf = nb;
			cap = cap * 2 + 65536;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += n;
	}
	for (off = 0; off + sizeof(struct pg_event_header) <= len;) {
		const struct pg_event_header *h = (const void *)(buf + off);

		if (h->size < sizeof(*h) || h->size > len - off) {
			err = -EBADMSG;
			break;
		}
		fn(ctx, h, h->size);
		off += h->size;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	free(buf);
	return err;
}

int pg_loader__seed(struct pg_loader *l, pg_record_fn fn, void *ctx)
{
	int err = -EOPNOTSUPP, e;
	size_t i;

	for (i = 0; i < pg_n_sensors; i++) {
		const struct pg_loaded *ld = &l->loaded[i];
		struct bpf_program *prog;

		if (!ld->backend || !ld->sensor->seed_prog)
			continue;
		prog = bpf_object__find_program_by_name(ld->obj, ld->sensor->seed_prog);
		if (!prog || !bpf_program__autoload(prog))
			continue;
		e = run_iterator(prog, fn, ctx);
		if (err == -EOPNOTSUPP || e)
			err = e;
	}
	return err;
}

static void no_record(void *ctx, const void *rec, size_t size)
{
	(void)ctx, (void)rec, (void)size;
}

int pg_loader__reselect(struct pg_loader *l)
{
	int err = 0, e;
	size_t i;

	for (i = 0; i < pg_n_sensors; i++) {
		const struct pg_loaded *ld = &l->loaded[i];
		struct bpf_program *prog;

		if (!ld->backend || !ld->sensor->reselect_prog)
			continue;
		prog = bpf_object__find_program_by_name(ld->obj, ld->sensor->reselect_prog);
		if (!prog || !bpf_program__autoload(prog)) {
			err = -EOPNOTSUPP;
			continue;
		}
		e = run_iterator(prog, no_record, NULL);
		if (e)
			err = e;
	}
	return err;
}
