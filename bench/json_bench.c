// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * json_bench.c - the cost of rendering one event line, user space alone.
 *
 * Renders a process_exec-shaped object (about 40 keys, ~1 KB: paths, an
 * arguments string with quotes, ids, numbers, nested objects, a memoised
 * capability array, RFC 3339 times) N times into one pg_buf, the way the
 * agent builds each line, and prints ns per object and MB/s of JSON.
 *
 * The "generic" variant uses only the writer's original calls (what every
 * caller in src/ does today); the "literal" variant, when json.h has
 * PG_JSON_KEY, uses the pre-quoted key calls. Both must produce the same
 * bytes, which is checked before timing anything.
 *
 *   cc -O2 -Isrc -Iinclude bench/json_bench.c src/json.c src/util.c -o /tmp/json_bench
 *   /tmp/json_bench [objects]
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "util.h"

struct sample {
	uint32_t pid, tid, ppid, uid, gid;
	uint64_t ktime, wall_ns, cgroup_id;
	uint64_t ns[7];
	const char *exec_id, *parent_exec_id, *cwd, *binary, *arguments, *flags;
	const char *comm, *cgroup, *container_id, *node;
	const char *pbinary, *parguments;
};

static const char *const ns_names[7] = { "mnt", "pid", "net", "user", "uts", "ipc", "cgroup" };

/* What caps.c memoises: a rendered array, written with pg_json__raw. */
static const char caps_json[] = "[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\","
				"\"CAP_NET_BIND_SERVICE\",\"CAP_SETUID\",\"CAP_SETGID\"]";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void render_generic(struct pg_json *w, const struct sample *s)
{
	char ts[PG_RFC3339_LEN];
	int i;

	pg_json__begin_object(w);
	pg_json__key(w, "process_exec");
	pg_json__begin_object(w);
	pg_json__key(w, "process");
	pg_json__begin_object(w);
	pg_json__kv_string(w, "exec_id", s->exec_id);
	pg_json__kv_uint(w, "pid", s->pid);
	pg_json__kv_uint(w, "tid", s->tid);
	pg_json__kv_uint(w, "ppid", s->ppid);
	pg_json__kv_uint(w, "uid", s->uid);
	pg_json__kv_uint(w, "euid", s->uid);
	pg_json__kv_uint(w, "gid", s->gid);
	pg_json__kv_uint(w, "egid", s->gid);
	pg_json__kv_uint(w, "auid", 4294967295U);
	pg_json__kv_string(w, "cwd", s->cwd);
	pg_json__kv_string(w, "binary", s->binary);
	pg_json__kv_string(w, "arguments", s->arguments);
	pg_json__kv_string(w, "flags", s->flags);
	pg_format_rfc3339(ts, sizeof(ts), s->wall_ns - 1234567);
	pg_json__kv_string(w, "start_time", ts);
	pg_json__kv_string(w, "parent_exec_id", s->parent_exec_id);
	pg_json__kv_string(w, "tty", "pts/3");
	pg_json__kv_string(w, "comm", s->comm);
	pg_json__key(w, "cap");
	pg_json__begin_object(w);
	pg_json__key(w, "effective");
	pg_json__raw(w, caps_json, sizeof(caps_json) - 1);
	pg_json__key(w, "permitted");
	pg_json__raw(w, caps_json, sizeof(caps_json) - 1);
	pg_json__end_object(w);
	pg_json__key(w, "ns");
	pg_json__begin_object(w);
	for (i = 0; i < 7; i++)
		pg_json__kv_uint(w, ns_names[i], s->ns[i]);
	pg_json__end_object(w);
	pg_json__kv_uint(w, "cgroup_id", s->cgroup_id);
	pg_json__kv_string(w, "cgroup", s->cgroup);
	pg_json__kv_string(w, "container_id", s->container_id);
	pg_json__kv_string(w, "container_runtime", "containerd");
	pg_json__end_object(w);
	pg_json__key(w, "parent");
	pg_json__begin_object(w);
	pg_json__kv_string(w, "exec_id", s->parent_exec_id);
	pg_json__kv_uint(w, "pid", s->ppid);
	pg_json__kv_int(w, "exit_code", -1);
	pg_json__kv_string(w, "binary", s->pbinary);
	pg_json__kv_string(w, "arguments", s->parguments);
	pg_json__kv_bool(w, "in_init_tree", false);
	pg_json__end_object(w);
	pg_json__end_object(w);
	pg_json__kv_string(w, "node_name", s->node);
	pg_format_rfc3339(ts, sizeof(ts), s->wall_ns);
	pg_json__kv_string(w, "time", ts);
	pg_json__end_object(w);
}

#ifdef PG_JSON_KEY
/* The same object, with keys written as pre-quoted literals. */
static void render_literal(struct pg_json *w, const struct sample *s)
{
	char ts[PG_RFC3339_LEN];
	size_t tl;

	pg_json__begin_object(w);
	PG_JSON_KEY(w, "process_exec");
	pg_json__begin_object(w);
	PG_JSON_KEY(w, "process");
	pg_json__begin_object(w);
	PG_JSON_KV_STRING(w, "exec_id", s->exec_id);
	PG_JSON_KV_UINT(w, "pid", s->pid);
	PG_JSON_KV_UINT(w, "tid", s->tid);
	PG_JSON_KV_UINT(w, "ppid", s->ppid);
	PG_JSON_KV_UINT(w, "uid", s->uid);
	PG_JSON_KV_UINT(w, "euid", s->uid);
	PG_JSON_KV_UINT(w, "gid", s->gid);
	PG_JSON_KV_UINT(w, "egid", s->gid);
	PG_JSON_KV_UINT(w, "auid", 4294967295U);
	PG_JSON_KV_STRING(w, "cwd", s->cwd);
	PG_JSON_KV_STRING(w, "binary", s->binary);
	PG_JSON_KV_STRING(w, "arguments", s->arguments);
	PG_JSON_KV_STRING(w, "flags", s->flags);
	tl = pg_format_rfc3339(ts, sizeof(ts), s->wall_ns - 1234567);
	PG_JSON_KV_STRING_N(w, "start_time", ts, tl);
	PG_JSON_KV_STRING(w, "parent_exec_id", s->parent_exec_id);
	PG_JSON_KV_STRING(w, "tty", "pts/3");
	PG_JSON_KV_STRING(w, "comm", s->comm);
	PG_JSON_KEY(w, "cap");
	pg_json__begin_object(w);
	PG_JSON_KEY(w, "effective");
	pg_json__raw(w, caps_json, sizeof(caps_json) - 1);
	PG_JSON_KEY(w, "permitted");
	pg_json__raw(w, caps_json, sizeof(caps_json) - 1);
	pg_json__end_object(w);
	PG_JSON_KEY(w, "ns");
	pg_json__begin_object(w);
	PG_JSON_KV_UINT(w, "mnt", s->ns[0]);
	PG_JSON_KV_UINT(w, "pid", s->ns[1]);
	PG_JSON_KV_UINT(w, "net", s->ns[2]);
	PG_JSON_KV_UINT(w, "user", s->ns[3]);
	PG_JSON_KV_UINT(w, "uts", s->ns[4]);
	PG_JSON_KV_UINT(w, "ipc", s->ns[5]);
	PG_JSON_KV_UINT(w, "cgroup", s->ns[6]);
	pg_json__end_object(w);
	PG_JSON_KV_UINT(w, "cgroup_id", s->cgroup_id);
	PG_JSON_KV_STRING(w, "cgroup", s->cgroup);
	PG_JSON_KV_STRING(w, "container_id", s->container_id);
	PG_JSON_KV_STRING(w, "container_runtime", "containerd");
	pg_json__end_object(w);
	PG_JSON_KEY(w, "parent");
	pg_json__begin_object(w);
	PG_JSON_KV_STRING(w, "exec_id", s->parent_exec_id);
	PG_JSON_KV_UINT(w, "pid", s->ppid);
	PG_JSON_KV_INT(w, "exit_code", -1);
	PG_JSON_KV_STRING(w, "binary", s->pbinary);
	PG_JSON_KV_STRING(w, "arguments", s->parguments);
	PG_JSON_KV_BOOL(w, "in_init_tree", false);
	pg_json__end_object(w);
	pg_json__end_object(w);
	PG_JSON_KV_STRING(w, "node_name", s->node);
	tl = pg_format_rfc3339(ts, sizeof(ts), s->wall_ns);
	PG_JSON_KV_STRING_N(w, "time", ts, tl);
	pg_json__end_object(w);
}
#endif

/* The event of iteration @i: ids and times move as a real stream's do. */
static void advance(struct sample *s, uint64_t i)
{
	s->pid = 100000 + (uint32_t)(i % 3000000);
	s->tid = s->pid;
	s->ktime += 2000 + i % 7;
	/* 2 us apart: 500k events/s, so a new second every 500k events */
	s->wall_ns += 2000 + i % 7;
}

/*
 * The machines this runs on are often shared, so the objects are timed in
 * ten rounds: the mean over all of them, and the best round, which is
 * what the code costs when nothing else interferes.
 */
#define ROUNDS 10

static void run(const char *name, void (*render)(struct pg_json *, const struct sample *),
		struct pg_buf *b, struct pg_json *w, struct sample s, long iters)
{
	uint64_t total = 0, best = UINT64_MAX, bytes = 0;
	long per = iters / ROUNDS, i;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now_ns(), t;

		for (i = 0; i < per; i++) {
			advance(&s, r * per + i);
			pg_buf_reset(b);
			pg_json__reset(w);
			render(w, &s);
			bytes += b->len;
		}
		t = now_ns() - t0;
		total += t;
		if (t < best)
			best = t;
	}
	if (b->failed) {
		fprintf(stderr, "json_bench: out of memory\n");
		exit(1);
	}
	printf("  %-8s mean %7.1f ns/object %7.1f MB/s | best round %7.1f ns/object %7.1f MB/s "
	       "%9.0f objects/s\n",
	       name, (double)total / (per * ROUNDS), (double)bytes * 1e3 / total,
	       (double)best / per, (double)bytes / ROUNDS * 1e3 / best, per * 1e9 / best);
}

int main(int argc, char **argv)
{
	struct sample s = {
		.ppid = 4242,
		.uid = 1000,
		.gid = 1000,
		.ktime = 8123456789012ULL,
		.wall_ns = 1795618245123456789ULL,
		.cgroup_id = 18446744073709551ULL,
		.ns = { 4026531841ULL, 4026531836ULL, 4026531840ULL, 4026531837ULL, 4026531838ULL,
			4026531839ULL, 4026531835ULL },
		.exec_id = "bm9kZS0xLmV4YW1wbGUub3JnOjgxMjM0NTY3ODkwMTI6MTAwMDAw",
		.parent_exec_id = "bm9kZS0xLmV4YW1wbGUub3JnOjgxMDAwMDAwMDAwMDA6NDI0Mg==",
		.cwd = "/home/alice/src/penguard",
		.binary = "/usr/bin/curl",
		.arguments =
			"-sS -H \"Authorization: Bearer x\" -H 'Accept: */*' "
			"--data '{\"q\":\"caf\xc3\xa9\"}' https://api.example.org/v1/items?id=42",
		.flags = "execve clone",
		.comm = "curl",
		.cgroup = "/kubepods.slice/kubepods-burstable.slice/cri-containerd-"
			  "4f1c2d3e4b5a69788796a5b4c3d2e1f04f1c2d3e4b5a69788796a5b4c3d2e1f0.scope",
		.container_id = "4f1c2d3e4b5a",
		.node = "node-1.example.org",
		.pbinary = "/usr/bin/bash",
		.parguments = "-c \"curl -sS https://api.example.org/v1/items?id=42\"",
	};
	long iters = argc > 1 ? atol(argv[1]) : 1000000;
	struct pg_buf b;
	struct pg_json *w;

	if (iters < ROUNDS) {
		fprintf(stderr, "usage: json_bench [objects (at least %d)]\n", ROUNDS);
		return 2;
	}
	pg_buf_init(&b);
	w = pg_json__new(&b);
	if (!w) {
		perror("json_bench");
		return 1;
	}
#ifdef PG_JSON_KEY
	{
		struct pg_buf b2;
		struct pg_json *w2;

		pg_buf_init(&b2);
		w2 = pg_json__new(&b2);
		if (!w2) {
			perror("json_bench");
			return 1;
		}
		render_generic(w, &s);
		render_literal(w2, &s);
		if (b.failed || b2.failed || b.len != b2.len || memcmp(b.data, b2.data, b.len)) {
			fprintf(stderr, "json_bench: the two variants differ\n%s\n%s\n", b.data,
				b2.data);
			return 1;
		}
		pg_json__free(w2);
		pg_buf_free(&b2);
		pg_buf_reset(&b);
		pg_json__reset(w);
	}
#endif
	render_generic(w, &s);
	printf("%s\n%zu bytes; %ld objects in %d rounds\n", b.data, b.len, iters, ROUNDS);
	run("generic", render_generic, &b, w, s, iters);
#ifdef PG_JSON_KEY
	run("literal", render_literal, &b, w, s, iters);
#endif
	pg_json__free(w);
	pg_buf_free(&b);
	return 0;
}
