// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "loader.h"
#include "log.h"
#include "policy_engine.h"
#include "util.h"

/* The built-in policies (the YAML files in policies/), embedded at build time. */
struct pg_builtin_policy {
	const char *name;
	const char *text;
};
extern const struct pg_builtin_policy pg_builtin_policies[];
extern const size_t pg_n_builtin_policies;

struct generation {
	struct pg_policy **pols; /* owned */
	size_t n_pols;
	struct pg_compiled c;
	bool valid;
	uint64_t user_killed[PG_POLICY_RULES]; /* killed from user space */
	/* the kernel matched, the user-space selectors did not */
	uint64_t user_rejected[PG_POLICY_RULES];
	uint64_t reported[PG_POLICY_RULES]; /* events the agent rendered under the rule */
};

/* A policy added at run time (`penguard policy add`): its YAML, kept. */
struct added {
	char *name; /* the policy's own name */
	char *text;
};

struct pg_policy_engine {
	const struct pg_config *cfg;
	uint64_t deny_events; /* bit 1 << type: where a deny can really be done */
	struct generation gen[2];
	int active; /* -1: none yet */
	struct added *added;
	size_t n_added;
	char **removed; /* policy names `penguard policy remove` took out */
	size_t n_removed;
	struct pg_diag *collect; /* messages of the load in progress, for a client */
};

static void generation_clear(struct generation *g)
{
	size_t i;

	for (i = 0; i < g->n_pols; i++) {
		pg_policy_free(g->pols[i]);
		free(g->pols[i]);
	}
	free(g->pols);
	pg_compiled_free(&g->c);
	memset(g, 0, sizeof(*g));
}

int pg_policy_engine__new(struct pg_policy_engine **ret, const struct pg_config *cfg,
			  uint64_t deny_events)
{
	struct pg_policy_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->cfg = cfg;
	e->deny_events = deny_events;
	e->active = -1;
	*ret = e;
	return 0;
}

void pg_policy_engine__free(struct pg_policy_engine *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n_added; i++) {
		free(e->added[i].name);
		free(e->added[i].text);
	}
	free(e->added);
	for (i = 0; i < e->n_removed; i++)
		free(e->removed[i]);
	free(e->removed);
	generation_clear(&e->gen[0]);
	generation_clear(&e->gen[1]);
	free(e);
}

/* ---- reading the sources ---- */

/* Log a load's messages, and keep them for the client that asked for it. */
static void report(struct pg_policy_engine *e, struct pg_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		fprintf(stderr, "penguard: %s\n", d->msgs[i]);
		if (e->collect) {
			char **nm = realloc(e->collect->msgs, (e->collect->n + 1) * sizeof(*nm));

			if (!nm)
				continue;
			e->collect->msgs = nm;
			e->collect->msgs[e->collect->n++] = d->msgs[i];
			d->msgs[i] = NULL;
		}
	}
	pg_diag_free(d);
}

struct reading {
	const struct pg_policy_engine *e;
	struct generation *g;
	struct pg_diag diag;
	int failed;
};

static bool is_removed(const struct pg_policy_engine *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n_removed; i++)
		if (!strcmp(e->removed[i], name))
			return true;
	return false;
}

static void add_policy(struct reading *r, struct pg_policy *p)
{
	struct pg_policy **np;

	if (is_removed(r->e, p->name)) {
		pg_policy_free(p);
		free(p);
		return;
	}
	np = realloc(r->g->pols, (r->g->n_pols + 1) * sizeof(*np));

	if (!np) {
		pg_policy_free(p);
		free(p);
		r->failed = -ENOMEM;
		return;
	}
	r->g->pols = np;
	r->g->pols[r->g->n_pols++] = p;
}

static void read_text(struct reading *r, const char *text, size_t len, const char *name)
{
	struct pg_policy *p = calloc(1, sizeof(*p));

	if (!p) {
		r->failed = -ENOMEM;
		return;
	}
	if (pg_policy_parse(text, len, name, p, &r->diag)) {
		free(p);
		r->failed = -EINVAL;
		return;
	}
	add_policy(r, p);
}

static void read_file(struct reading *r, const char *path)
{
	struct pg_policy *p = calloc(1, sizeof(*p));

	if (!p) {
		r->failed = -ENOMEM;
		return;
	}
	if (pg_policy_parse_file(path, p, &r->diag)) {
		free(p);
		r->failed = -EINVAL;
		return;
	}
	add_policy(r, p);
}

static int yaml_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && ((n > 5 && !strcmp(d->d_name + n - 5, ".yaml")) ||
				       (n > 4 && !strcmp(d->d_name + n - 4, ".yml")));
}

/* Every *.yaml / *.yml in @dir, in name order (so rule order is stable). */
static void read_dir(struct reading *r, const char *dir, bool must_exist)
{
	struct dirent **names;
	char path[4096];
	int n, i;

	n = scandir(dir, &names, yaml_name, alphasort);
	if (n < 0) {
		if (must_exist || errno != ENOENT) {
			pg_err("cannot read policy folder %s: %s", dir, strerror(errno));
			r->failed = -errno;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		read_file(r, path);
		free(names[i]);
	}
	free(names);
}

static int read_sources(struct pg_policy_engine *e, struct generation *g)
{
	struct reading r = { .e = e, .g = g };
	struct stat st;
	size_t i;

	if (!e->cfg->no_default_policies)
		for (i = 0; i < pg_n_builtin_policies; i++)
			read_text(&r, pg_builtin_policies[i].text,
				  strlen(pg_builtin_policies[i].text), pg_builtin_policies[i].name);
	if (e->cfg->policy_dir)
		read_dir(&r, e->cfg->policy_dir, false);
	for (i = 0; i < e->cfg->n_policy_paths; i++) {
		const char *path = e->cfg->policy_paths[i];

		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			read_dir(&r, path, true);
		else
			read_file(&r, path);
	}
	for (i = 0; i < e->n_added; i++)
		read_text(&r, e->added[i].text, strlen(e->added[i].text), e->added[i].name);
	report(e, &r.diag);
	return r.failed;
}

/* ---- writing the maps ---- */

static int write_entries(int fd, const void *entries, size_t n, size_t esize, size_t koff,
			 size_t voff, bool del)
{
	const char *p = entries;
	size_t i;

	for (i = 0; i < n; i++, p += esize) {
		int err = del ? bpf_map_delete_elem(fd, p + koff)
			      : bpf_map_update_elem(fd, p + koff, p + voff, BPF_ANY);

		if (err && !(del && errno == ENOENT))
			return -errno;
	}
	return 0;
}

/* Write (or with @del, remove) generation @g's trie entries. */
static int write_tries(struct pg_loader *l, const struct pg_compiled *c, bool del)
{
	int err;

	err = write_entries(pg_loader__map_fd(l, "pg_pol_paths"), c->paths, c->n_paths,
			    sizeof(*c->paths), offsetof(struct pg_path_entry, key),
			    offsetof(struct pg_path_entry, val), del);
	if (!err)
		err = write_entries(pg_loader__map_fd(l, "pg_pol_suffix"), c->suffixes,
				    c->n_suffixes, sizeof(*c->suffixes),
				    offsetof(struct pg_path_entry, key),
				    offsetof(struct pg_path_entry, val), del);
	if (!err)
		err = write_entries(pg_loader__map_fd(l, "pg_pol_ids"), c->ids, c->n_ids,
				    sizeof(*c->ids), offsetof(struct pg_id_entry, key),
				    offsetof(struct pg_id_entry, val), del);
	if (!err)
		err = write_entries(pg_loader__map_fd(l, "pg_pol_addrs"), c->addrs, c->n_addrs,
				    sizeof(*c->addrs), offsetof(struct pg_addr_entry, key),
				    offsetof(struct pg_addr_entry, val), del);
	if (!err)
		err = write_entries(pg_loader__map_fd(l, "pg_pol_files"), c->files.files,
				    c->files.n_files, sizeof(*c->files.files),
				    offsetof(struct pg_file_entry, key),
				    offsetof(struct pg_file_entry, val), del);
	if (!err)
		err = write_entries(pg_loader__map_fd(l, "pg_pol_fnames"), c->files.names,
				    c->files.n_names, sizeof(*c->files.names),
				    offsetof(struct pg_fname_entry, key),
				    offsetof(struct pg_fname_entry, val), del);
	if (!err && !del) {
		__u32 key = c->gen;

		if (bpf_map_update_elem(pg_loader__map_fd(l, "pg_pol_fbloom"), &key,
					&c->files.bloom, BPF_ANY))
			err = -errno;
	}
	return err;
}

static int write_generation(struct pg_loader *l, const struct pg_compiled *c)
{
	int rules_fd = pg_loader__map_fd(l, "pg_pol_rules");
	int stats_fd = pg_loader__map_fd(l, "pg_pol_stats");
	int ncpu = libbpf_num_possible_cpus();
	struct pg_rule_stats *zero;
	__u32 key = c->gen, i;
	int err;

	err = write_tries(l, c, false);
	if (err)
		return err;
	for (i = 0; i < PG_POLICY_RULES; i++) {
		__u32 k = c->gen * PG_POLICY_RULES + i;

		if (bpf_map_update_elem(rules_fd, &k, &c->rules[i], BPF_ANY))
			return -errno;
	}
	/* this generation's counters start from zero */
	zero = ncpu > 0 ? calloc(ncpu, sizeof(*zero)) : NULL;
	for (i = 0; zero && i < PG_POLICY_RULES; i++) {
		__u32 k = c->gen * PG_POLICY_RULES + i;

		bpf_map_update_elem(stats_fd, &k, zero, BPF_ANY);
	}
	free(zero);
	/* the masks last: nothing of this generation is read before the switch anyway */
	if (bpf_map_update_elem(pg_loader__map_fd(l, "pg_pol_masks"), &key, &c->masks, BPF_ANY))
		return -errno;
	return 0;
}

int pg_policy_engine__load(struct pg_policy_engine *e, struct pg_loader *l)
{
	int next = e->active < 0 ? 0 : !e->active;
	struct generation *g = &e->gen[next];
	struct pg_diag diag = { 0 };
	int err;

	/* the generation before last: nothing in the rings names it any more */
	if (g->valid)
		write_tries(l, &g->c, true);
	generation_clear(g);
	err = read_sources(e, g);
	if (!err)
		err = pg_policy_compile(g->pols, g->n_pols, next, e->deny_events, &g->c, &diag);
	report(e, &diag);
	if (!err) {
		err = write_generation(l, &g->c);
		if (err)
			pg_err("cannot write the policy maps: %s", strerror(-err));
	}
	if (!err && g->c.n_rules)
		err = pg_loader__set_policy(l, PG_POLICY_LOADED | next);
	else if (!err)
		err = pg_loader__set_policy(l, 0); /* no rule: report everything, as before */
	if (err) {
		if (e->active >= 0)
			pg_warn("the new policy set was not loaded: the previous one stays active");
		write_tries(l, &g->c, true);
		generation_clear(g);
		return err;
	}
	g->valid = true;
	e->active = next;
	pg_info("policies: %zu loaded, %zu rules (generation %d)", g->n_pols, g->c.n_rules, next);
	/* the running processes were evaluated under the old set: again, under this one */
	if (g->c.n_rules && (err = pg_loader__reselect(l)))
		pg_warn("policies: running processes not re-evaluated (%s): a rule that selects a "
			"process applies to each from its next exec",
			strerror(-err));
	for (size_t i = 0; i < g->c.files.n_unwatched; i++)
		pg_info("policies: %s does not exist: watched once it does (checked every few "
			"seconds)",
			g->c.files.unwatched[i]);
	return 0;
}

bool pg_policy_engine__stale(const struct pg_policy_engine *e)
{
	return e->active >= 0 && pg_policy_files_changed(&e->gen[e->active].c.files);
}

bool pg_policy_engine__denies(const struct pg_policy_engine *e, int first, int last)
{
	const struct pg_policy_masks *m;
	int i, t;

	if (e->active < 0)
		return false;
	m = &e->gen[e->active].c.masks;
	for (t = first; t <= last && t < PG_EVENT_MAX; t++)
		for (i = 0; i < PG_MASK_WORDS; i++)
			if (m->deny.w[i] & m->events[t].w[i])
				return true;
	return false;
}

void pg_policy_engine__set_deny_events(struct pg_policy_engine *e, uint64_t deny_events)
{
	e->deny_events = deny_events;
}

size_t pg_policy_engine__rules(const struct pg_policy_engine *e)
{
	return e->active < 0 ? 0 : e->gen[e->active].c.n_rules;
}

size_t pg_policy_engine__policies(const struct pg_policy_engine *e)
{
	return e->active < 0 ? 0 : e->gen[e->active].n_pols;
}

/* ---- deciding ---- */

static const char *action_word(enum pg_action a)
{
	switch (a) {
	case PG_ACTION_KILL: return "kill";
	case PG_ACTION_DENY: return "deny";
	default: return "report";
	}
}

/* SIGKILL through a pidfd where the kernel has them: never a recycled pid's process */
void pg_policy_kill_pid(uint32_t pid)
{
#ifdef SYS_pidfd_open
	int fd = syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0) {
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		close(fd);
		return;
	}
#endif
	kill(pid, SIGKILL);
}

bool pg_policy_engine__decide(struct pg_policy_engine *e, const struct pg_verdict *v,
			      const struct pg_rule_mask *matched, uint32_t pid,
			      const struct pg_user_fields *f, struct pg_decision *ret)
{
	struct generation *g = &e->gen[v->gen & 1];
	const struct pg_compiled_rule *first = NULL, *killer = NULL;
	struct pg_rule_mask one = { 0 };
	unsigned b;

	memset(ret, 0, sizeof(*ret));
	if (v->flags & PG_VERDICT_F_NO_POLICY)
		return true; /* no policy loaded: everything is reported, as it is */
	if (!(v->flags & (PG_VERDICT_F_MATCHED | PG_VERDICT_F_USER)) || !g->valid ||
	    v->rule >= g->c.n_rules)
		return false;
	if (v->flags & PG_VERDICT_F_KILLED) {
		ret->rule = &g->c.index[v->rule];
		ret->action = "kill";
		ret->taken = true;
		g->reported[v->rule]++;
		return true;
	}
	if (!matched) {
		one.w[v->rule / 64] = 1ULL << (v->rule % 64);
		matched = &one;
	}
	for (b = 0; b < g->c.n_rules; b++) {
		const struct pg_compiled_rule *r = &g->c.index[b];

		if (!(matched->w[b / 64] & (1ULL << (b % 64))))
			continue;
		if (r->user && !pg_policy_user_match(r->rule, f)) {
			g->user_rejected[b]++;
			continue;
		}
		if (!first)
			first = r;
		if (r->user && r->action == PG_ACTION_KILL && r->policy->mode == PG_MODE_ENFORCE) {
			killer = r;
			g->user_killed[b]++;
			break;
		}
	}
	if (killer) {
		/* after the fact: the kernel could not decide this rule alone */
		pg_policy_kill_pid(pid);
		ret->rule = killer;
		ret->action = "kill";
		ret->taken = true;
		g->reported[killer - g->c.index]++;
		return true;
	}
	if (!first)
		return false;
	g->reported[first - g->c.index]++;
	ret->rule = first;
	ret->action = action_word(first->action);
	ret->taken = first->policy->mode == PG_MODE_ENFORCE || first->action == PG_ACTION_REPORT;
	return true;
}

void pg_policy_engine__render(const struct pg_decision *d, struct pg_json *w)
{
	const struct pg_rule *r;
	size_t i;

	if (!d->rule)
		return;
	r = d->rule->rule;
	PG_JSON_KEY(w, "policy");
	pg_json__begin_object(w);
	PG_JSON_KV_STRING(w, "name", d->rule->policy->name);
	PG_JSON_KV_STRING(w, "rule", r->name);
	PG_JSON_KV_STRING(w, "action", d->action);
	PG_JSON_KV_STRING(w, "mode",
			  d->rule->policy->mode == PG_MODE_ENFORCE ? "enforce" : "monitor");
	pg_json__end_object(w);
	if (r->n_tags) {
		PG_JSON_KEY(w, "tags");
		pg_json__begin_array(w);
		for (i = 0; i < r->n_tags; i++)
			pg_json__string(w, r->tags[i]);
		pg_json__end_array(w);
	}
}

void pg_policy_engine__stats_json(const struct pg_policy_engine *e, const struct pg_loader *l,
				  struct pg_json *w)
{
	int ncpu = libbpf_num_possible_cpus(), fd = l ? pg_loader__map_fd(l, "pg_pol_stats") : -1;
	const struct generation *g;
	struct pg_rule_stats *per = NULL;
	size_t b, p = (size_t)-1;

	pg_json__begin_array(w);
	if (e->active < 0)
		goto out;
	g = &e->gen[e->active];
	if (ncpu > 0)
		per = calloc(ncpu, sizeof(*per));
	for (b = 0; b < g->c.n_rules; b++) {
		const struct pg_compiled_rule *r = &g->c.index[b];
		struct pg_rule_stats sum = { 0 };
		__u32 key = g->c.gen * PG_POLICY_RULES + b;
		int i;

		if (per && fd >= 0 && !bpf_map_lookup_elem(fd, &key, per))
			for (i = 0; i < ncpu; i++) {
				sum.matched += per[i].matched;
				sum.killed += per[i].killed;
				sum.denied += per[i].denied;
				sum.rate_limited += per[i].rate_limited;
			}
		if (p != (size_t)-1 && g->c.index[p].policy != r->policy) {
			pg_json__end_array(w);
			pg_json__end_object(w);
		}
		if (p == (size_t)-1 || g->c.index[p].policy != r->policy) {
			pg_json__begin_object(w);
			PG_JSON_KV_STRING(w, "name", r->policy->name);
			PG_JSON_KV_STRING(w, "mode",
					  r->policy->mode == PG_MODE_ENFORCE ? "enforce"
									     : "monitor");
			PG_JSON_KEY(w, "rules");
			pg_json__begin_array(w);
		}
		p = b;
		pg_json__begin_object(w);
		PG_JSON_KV_STRING(w, "name", r->rule->name);
		PG_JSON_KV_UINT(w, "matched", sum.matched);
		PG_JSON_KV_UINT(w, "reported", g->reported[b]);
		PG_JSON_KV_UINT(w, "killed", sum.killed + g->user_killed[b]);
		PG_JSON_KV_UINT(w, "denied", sum.denied);
		PG_JSON_KV_UINT(w, "rate_limited", sum.rate_limited);
		PG_JSON_KV_UINT(w, "user_rejected", g->user_rejected[b]);
		pg_json__end_object(w);
	}
	if (p != (size_t)-1) {
		pg_json__end_array(w);
		pg_json__end_object(w);
	}
	free(per);
out:
	pg_json__end_array(w);
}

/* ---- the control socket's requests ---- */

int pg_policy_engine__add(struct pg_policy_engine *e, struct pg_loader *l, const char *text,
			  struct pg_diag *diag)
{
	struct pg_policy p = { 0 };
	struct added *na, saved;
	size_t i, at;
	int err;

	memset(diag, 0, sizeof(*diag));
	err = pg_policy_parse(text, strlen(text), "(added)", &p, diag);
	if (err)
		return err;
	/* the same name replaces it; a name removed before comes back */
	for (at = 0; at < e->n_added && strcmp(e->added[at].name, p.name); at++)
		;
	if (at == e->n_added) {
		na = realloc(e->added, (e->n_added + 1) * sizeof(*na));
		if (!na) {
			pg_policy_free(&p);
			return -ENOMEM;
		}
		e->added = na;
		e->added[at].name = NULL;
		e->added[at].text = NULL;
		e->n_added++;
	}
	saved = e->added[at];
	e->added[at].name = strdup(p.name);
	e->added[at].text = strdup(text);
	for (i = 0; i < e->n_removed; i++)
		if (!strcmp(e->removed[i], p.name))
			e->removed[i][0] = 0; /* never matches a name: names are not empty */
	pg_policy_free(&p);
	if (!e->added[at].name || !e->added[at].text) {
		err = -ENOMEM;
	} else {
		e->collect = diag;
		err = pg_policy_engine__load(e, l);
		e->collect = NULL;
	}
	if (err) {
		/* the old set stays active, and so does the list that made it */
		free(e->added[at].name);
		free(e->added[at].text);
		if (saved.name)
			e->added[at] = saved;
		else
			e->n_added--;
		return err;
	}
	free(saved.name);
	free(saved.text);
	return 0;
}

int pg_policy_engine__remove(struct pg_policy_engine *e, struct pg_loader *l, const char *name,
			     struct pg_diag *diag)
{
	const struct generation *g = e->active >= 0 ? &e->gen[e->active] : NULL;
	char **nr;
	size_t i;
	bool found = false;
	int err;

	memset(diag, 0, sizeof(*diag));
	for (i = 0; g && i < g->n_pols; i++)
		if (!strcmp(g->pols[i]->name, name))
			found = true;
	if (!found)
		return -ENOENT;
	nr = realloc(e->removed, (e->n_removed + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	e->removed = nr;
	e->removed[e->n_removed] = strdup(name);
	if (!e->removed[e->n_removed])
		return -ENOMEM;
	e->n_removed++;
	e->collect = diag;
	err = pg_policy_engine__load(e, l);
	e->collect = NULL;
	if (err) {
		free(e->removed[--e->n_removed]);
		return err;
	}
	return 0;
}

bool pg_policy_engine__decide_file(struct pg_policy_engine *e, const struct pg_verdict *v,
				   const struct pg_rule_mask *matched, uint32_t pid,
				   const char *path, const char *path2,
				   const struct pg_user_fields *f, struct pg_decision *ret)
{
	struct generation *g = &e->gen[v->gen & 1];
	struct pg_rule_mask keep = { 0 };
	unsigned b;

	memset(ret, 0, sizeof(*ret));
	if (!matched || !g->valid)
		return false;
	/* the kernel checked the process selectors; the file ones are checked here */
	for (b = 0; b < g->c.n_rules; b++) {
		const struct pg_rule *r = g->c.index[b].rule;

		if (!(matched->w[b / 64] & (1ULL << (b % 64))))
			continue;
		if (pg_policy_files_match(&g->c.files, r, b, path, 0) ||
		    (path2 && pg_policy_files_match(&g->c.files, r, b, path2, 0)))
			keep.w[b / 64] |= 1ULL << (b % 64);
	}
	for (b = 0; b < PG_MASK_WORDS; b++)
		if (keep.w[b])
			break;
	if (b == PG_MASK_WORDS)
		return false;
	if (!pg_policy_engine__decide(e,
				      &(struct pg_verdict){ .flags = PG_VERDICT_F_USER,
							    .gen = v->gen,
							    .rule = v->rule },
				      &keep, pid, f, ret))
		return false;
	/* the kernel could not decide it, so neither could it kill: after the fact, from here */
	if (ret->rule && ret->taken && ret->rule->action == PG_ACTION_KILL &&
	    ret->rule->policy->mode == PG_MODE_ENFORCE)
		pg_policy_kill_pid(pid);
	return true;
}
