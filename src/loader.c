// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "log.h"
#include "process.h"
#include "process.skel.h"
#include "util.h"

#define PG_MAX_LINKS 16

struct pg_loaded {
	const struct pg_sensor *sensor;
	const char *seed_prog; /* its iterator program, or NULL */
	const struct pg_backend *backend;
	void *skel;
	void (*destroy)(void *skel);
	struct bpf_object *obj;
	struct bpf_link *links[PG_MAX_LINKS];
	size_t n_links;
};

/* ---- per-sensor glue: open the skeleton, apply settings ---- */

static void process_destroy(void *skel)
{
	process_bpf__destroy(skel);
}

static int process_open(struct pg_loaded *ld, const struct pg_config *cfg)
{
	struct process_bpf *skel = process_bpf__open();
	int ncpu, err;

	if (!skel)
		return -errno;
	ld->skel = skel;
	ld->destroy = process_destroy;
	ld->obj = skel->obj;
	skel->rodata->pg_max_args = cfg->max_args;
	skel->rodata->pg_wakeup_bytes = cfg->wakeup_bytes;
	ncpu = libbpf_num_possible_cpus();
	if (ncpu < 0)
		return ncpu;
	err = bpf_map__set_max_entries(skel->maps.pg_exec_heap, ncpu);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.pg_events, cfg->ringbuf_size);
	return err;
}

/* The sensors, in load order: one line per sensor. */
static const struct {
	const struct pg_sensor *sensor;
	int (*open)(struct pg_loaded *ld, const struct pg_config *cfg);
	const char *seed_prog;
} glue[] = {
	{ &pg_sensor_process, process_open, "iter_task_seed" },
};

const size_t pg_n_sensors = PG_ARRAY_SIZE(glue);

const struct pg_sensor *pg_sensor_at(size_t i)
{
	return i < PG_ARRAY_SIZE(glue) ? glue[i].sensor : NULL;
}

struct pg_loader {
	struct pg_loaded loaded[PG_ARRAY_SIZE(glue)];
	size_t n_loaded;
	int events_fd; /* owned by the first object, shared by the others */
	int stats_fd;
};

/* ---- generic part ---- */

static void loaded_destroy(struct pg_loaded *ld)
{
	size_t i;

	for (i = 0; i < ld->n_links; i++)
		bpf_link__destroy(ld->links[i]);
	ld->n_links = 0;
	if (ld->skel)
		ld->destroy(ld->skel);
	ld->skel = NULL;
	ld->obj = NULL;
}

static bool prog_in_backend(const struct pg_backend *b, const char *name)
{
	const char *const *p;

	for (p = b->progs; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

static int try_backend(struct pg_loader *l, struct pg_loaded *ld, size_t gi,
		       const struct pg_backend *b, const struct pg_config *cfg,
		       const struct pg_features *f, const char **stage)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	*stage = "open";
	err = glue[gi].open(ld, cfg);
	if (err)
		return err;
	/* load this backend's programs only; the others stay in the ELF */
	bpf_object__for_each_program (prog, ld->obj) {
		const char *name = bpf_program__name(prog);
		bool on = prog_in_backend(b, name);

		if (ld->seed_prog && !strcmp(name, ld->seed_prog))
			on = cfg->seed && f->iter_task;
		bpf_program__set_autoload(prog, on);
	}
	if (l->events_fd >= 0) {
		*stage = "share maps";
		map = bpf_object__find_map_by_name(ld->obj, "pg_events");
		err = map ? bpf_map__reuse_fd(map, l->events_fd) : -ENOENT;
		map = bpf_object__find_map_by_name(ld->obj, "pg_stats");
		if (!err)
			err = map ? bpf_map__reuse_fd(map, l->stats_fd) : -ENOENT;
		if (err)
			return err;
	}
	*stage = "load";
	err = bpf_object__load(ld->obj);
	if (err)
		return err;
	*stage = "attach";
	bpf_object__for_each_program (prog, ld->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) ||
		    bpf_program__expected_attach_type(prog) == BPF_TRACE_ITER)
			continue; /* iterators run on demand, in pg_loader__seed() */
		if (ld->n_links >= PG_MAX_LINKS)
			return -E2BIG;
		link = bpf_program__attach(prog);
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

static int load_sensor(struct pg_loader *l, size_t gi, const struct pg_config *cfg,
		       const struct pg_features *f)
{
	const struct pg_sensor *s = glue[gi].sensor;
	struct pg_loaded *ld = &l->loaded[l->n_loaded];
	const char *forced = pg_config_forced_backend(cfg, s->name);
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
		memset(ld, 0, sizeof(*ld));
		ld->sensor = s;
		ld->seed_prog = glue[gi].seed_prog;
		err = try_backend(l, ld, gi, b, cfg, f, &stage);
		if (!err) {
			ld->backend = b;
			pg_info("%s: using backend %s", s->name, b->name);
			l->n_loaded++;
			return 0;
		}
		pg_log(forced ? PG_LOG_ERROR : PG_LOG_WARN, "%s: backend %s failed at %s: %s%s%s",
		       s->name, b->name, stage, strerror(-err), load_hint(err),
		       forced ? "" : "; trying the next one");
		loaded_destroy(ld);
		if (forced)
			break;
	}
	if (!forced && err == -ENOENT)
		pg_err("%s: no backend works on this kernel (see `penguard probe`)", s->name);
	return err;
}

int pg_loader__start(struct pg_loader **ret, const struct pg_config *cfg,
		     const struct pg_features *f)
{
	struct pg_loader *l = calloc(1, sizeof(*l));
	size_t gi;
	int err;

	if (!l)
		return -ENOMEM;
	l->events_fd = l->stats_fd = -1;
	for (gi = 0; gi < PG_ARRAY_SIZE(glue); gi++) {
		err = load_sensor(l, gi, cfg, f);
		if (err)
			goto fail;
		if (l->events_fd < 0) {
			struct bpf_object *obj = l->loaded[0].obj;

			l->events_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "pg_events"));
			l->stats_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "pg_stats"));
		}
	}
	*ret = l;
	return 0;
fail:
	pg_loader__free(l);
	return err;
}

void pg_loader__free(struct pg_loader *l)
{
	size_t i;

	if (!l)
		return;
	/* detach in reverse; the shared maps die with the last object */
	for (i = l->n_loaded; i > 0; i--)
		loaded_destroy(&l->loaded[i - 1]);
	free(l);
}

void pg_loader__detach(struct pg_loader *l)
{
	size_t i, j;

	for (i = 0; i < l->n_loaded; i++) {
		for (j = 0; j < l->loaded[i].n_links; j++)
			bpf_link__destroy(l->loaded[i].links[j]);
		l->loaded[i].n_links = 0;
	}
}

int pg_loader__events_fd(const struct pg_loader *l)
{
	return l->events_fd;
}

const char *pg_loader__backend(const struct pg_loader *l, const char *sensor)
{
	size_t i;

	for (i = 0; i < l->n_loaded; i++)
		if (!strcmp(l->loaded[i].sensor->name, sensor))
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
	err = bpf_map_lookup_elem(l->stats_fd, &zero, per);
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

int pg_loader__seed(struct pg_loader *l, pg_record_fn fn, void *ctx)
{
	struct bpf_program *prog = NULL;
	struct bpf_link *link = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, off, i;
	int fd = -1, err = 0;

	for (i = 0; i < l->n_loaded && !prog; i++)
		if (l->loaded[i].seed_prog)
			prog = bpf_object__find_program_by_name(l->loaded[i].obj,
								l->loaded[i].seed_prog);
	if (!prog || !bpf_program__autoload(prog))
		return -EOPNOTSUPP;
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
