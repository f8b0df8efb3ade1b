// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "policy_files.h"
#include "util.h"

static pg_stat_fn stat_fn = stat;

void pg_policy_files_set_stat(pg_stat_fn fn)
{
	stat_fn = fn ? fn : stat;
}

unsigned pg_kdev(dev_t d)
{
	return (major(d) << 20) | (minor(d) & 0xfffff);
}

static void masks_or(struct pg_file_masks *d, const struct pg_file_masks *a)
{
	pg_mask_or(&d->pos, &a->pos);
	pg_mask_or(&d->neg, &a->neg);
}

static struct pg_file_entry *file_new(struct pg_file_tables *t, const struct stat *st)
{
	struct pg_file_entry *e;

	if (t->n_files == t->cap_files) {
		size_t cap = t->cap_files ? t->cap_files * 2 : 64;

		e = reallocarray(t->files, cap, sizeof(*e));
		if (!e)
			return NULL;
		t->files = e;
		t->cap_files = cap;
	}
	e = &t->files[t->n_files++];
	memset(e, 0, sizeof(*e));
	e->key.gen = t->gen;
	e->key.dev = pg_kdev(st->st_dev);
	e->key.ino = st->st_ino;
	return e;
}

static struct pg_fname_entry *name_new(struct pg_file_tables *t, const struct stat *dir,
				       const char *name)
{
	struct pg_fname_entry *e;

	if (t->n_names == t->cap_names) {
		size_t cap = t->cap_names ? t->cap_names * 2 : 64;

		e = reallocarray(t->names, cap, sizeof(*e));
		if (!e)
			return NULL;
		t->names = e;
		t->cap_names = cap;
	}
	e = &t->names[t->n_names++];
	memset(e, 0, sizeof(*e));
	e->key.gen = t->gen;
	if (dir) {
		e->key.dev = pg_kdev(dir->st_dev);
		e->key.dir_ino = dir->st_ino;
	}
	strncpy(e->key.name, name, sizeof(e->key.name) - 1);
	return e;
}

static int note_unwatched(struct pg_file_tables *t, const char *v)
{
	char **n;
	size_t i;

	for (i = 0; i < t->n_unwatched; i++)
		if (!strcmp(t->unwatched[i], v))
			return 0;
	n = reallocarray(t->unwatched, t->n_unwatched + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	t->unwatched = n;
	n[t->n_unwatched] = strdup(v);
	if (!n[t->n_unwatched])
		return -ENOMEM;
	t->n_unwatched++;
	return 0;
}

/* @v without trailing slashes ("/" stays "/"), into @buf of PG_PATH_MAX */
static const char *strip_slashes(const char *v, char *buf)
{
	size_t n = strlen(v);

	while (n > 1 && v[n - 1] == '/')
		n--;
	if (n >= PG_PATH_MAX)
		n = PG_PATH_MAX - 1;
	memcpy(buf, v, n);
	buf[n] = 0;
	return buf;
}

/* Split @path into its directory (into @dir, PG_PATH_MAX) and last component. */
static const char *split_dir(const char *path, char *dir)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n >= PG_PATH_MAX)
		n = PG_PATH_MAX - 1;
	if (!n) {
		strcpy(dir, "/");
	} else {
		memcpy(dir, path, n);
		dir[n] = 0;
	}
	return slash ? slash + 1 : path;
}

/* Remember what @v resolved to (@st, or nothing when @found is false). */
static int watch(struct pg_file_tables *t, const char *v, const struct stat *st, bool found)
{
	struct pg_file_watch *w;
	size_t i;

	for (i = 0; i < t->n_watches; i++)
		if (!strcmp(t->watches[i].path, v))
			return 0;
	w = reallocarray(t->watches, t->n_watches + 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	t->watches = w;
	w = &t->watches[t->n_watches];
	w->path = strdup(v);
	if (!w->path)
		return -ENOMEM;
	w->dev = found ? pg_kdev(st->st_dev) : 0;
	w->ino = found ? st->st_ino : 0;
	t->n_watches++;
	return 0;
}

bool pg_policy_files_changed(const struct pg_file_tables *t)
{
	struct stat st;
	size_t i;

	for (i = 0; i < t->n_watches; i++) {
		const struct pg_file_watch *w = &t->watches[i];

		if (stat_fn(w->path, &st)) {
			if (w->ino)
				return true;
		} else if (pg_kdev(st.st_dev) != w->dev || st.st_ino != w->ino) {
			return true;
		}
	}
	return false;
}

static int add_exact(struct pg_file_tables *t, const char *v, unsigned bit, bool neg)
{
	char dir[PG_PATH_MAX];
	struct stat st, dst;
	struct pg_file_entry *e;
	struct pg_fname_entry *n;
	const char *base = split_dir(v, dir);
	bool found = false;
	int err;

	if (!stat_fn(v, &st)) {
		e = file_new(t, &st);
		if (!e)
			return -ENOMEM;
		pg_mask_set(neg ? &e->val.self.neg : &e->val.self.pos, bit);
		found = true;
	}
	if ((err = watch(t, v, &st, found)))
		return err;
	/* by name in its directory too: a file created later, or renamed over */
	if (*base && strlen(base) < PG_FILE_NAME_MAX && !stat_fn(dir, &dst) &&
	    S_ISDIR(dst.st_mode)) {
		e = file_new(t, &dst);
		if (!e)
			return -ENOMEM;
		e->val.flags |= PG_FILE_ID_F_NAMES;
		n = name_new(t, &dst, base);
		if (!n)
			return -ENOMEM;
		pg_mask_set(neg ? &n->val.neg : &n->val.pos, bit);
		found = true;
	}
	return found ? 0 : note_unwatched(t, v);
}

static int add_prefix(struct pg_file_tables *t, const char *file, const struct pg_str_set *set,
		      const char *v, unsigned bit, bool neg, struct pg_diag *diag)
{
	char buf[PG_PATH_MAX];
	struct pg_file_entry *e;
	struct stat st;

	v = strip_slashes(v, buf);
	if (stat_fn(v, &st))
		return watch(t, v, &st, false) ?: note_unwatched(t, v);
	if (watch(t, v, &st, true))
		return -ENOMEM;
	if (!S_ISDIR(st.st_mode)) {
		pg_diag_add(diag,
			    "%s:%d:%d: path.prefix: '%s' is not a directory (a prefix watches "
			    "what is below a directory; use path: [%s] for the file)",
			    file, set->pos.line, set->pos.column, v, v);
		return -EINVAL;
	}
	e = file_new(t, &st);
	if (!e)
		return -ENOMEM;
	pg_mask_set(neg ? &e->val.tree.neg : &e->val.tree.pos, bit);
	return 0;
}

int pg_policy_files_add(struct pg_file_tables *t, const char *file, const struct pg_rule *r,
			unsigned bit, struct pg_diag *diag)
{
	const struct pg_selectors *sels[2] = { &r->match, &r->not };
	struct pg_fname_entry *n;
	size_t i;
	int k, err;

	for (k = 0; k < 2; k++) {
		const struct pg_str_set *p = &sels[k]->path, *nm = &sels[k]->name;

		for (i = 0; i < p->n_exact; i++)
			if ((err = add_exact(t, p->exact[i], bit, k)))
				return err;
		for (i = 0; i < p->n_prefix; i++)
			if ((err = add_prefix(t, file, p, p->prefix[i], bit, k, diag)))
				return err;
		for (i = 0; i < nm->n_exact; i++) {
			n = name_new(t, NULL, nm->exact[i]);
			if (!n)
				return -ENOMEM;
			pg_mask_set(k ? &n->val.neg : &n->val.pos, bit);
		}
	}
	return 0;
}

static int file_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct pg_file_entry *)a)->key,
		      &((const struct pg_file_entry *)b)->key, sizeof(struct pg_file_id_key));
}

static int name_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct pg_fname_entry *)a)->key,
		      &((const struct pg_fname_entry *)b)->key, sizeof(struct pg_file_name_key));
}

int pg_policy_files_finish(struct pg_file_tables *t)
{
	size_t i, o;

	if (t->n_files)
		qsort(t->files, t->n_files, sizeof(*t->files), file_cmp);
	for (i = 0, o = 0; i < t->n_files; i++) {
		if (o && !file_cmp(&t->files[o - 1], &t->files[i])) {
			masks_or(&t->files[o - 1].val.self, &t->files[i].val.self);
			masks_or(&t->files[o - 1].val.tree, &t->files[i].val.tree);
			t->files[o - 1].val.flags |= t->files[i].val.flags;
			continue;
		}
		t->files[o++] = t->files[i];
	}
	t->n_files = o;
	if (t->n_names)
		qsort(t->names, t->n_names, sizeof(*t->names), name_cmp);
	for (i = 0, o = 0; i < t->n_names; i++) {
		if (o && !name_cmp(&t->names[o - 1], &t->names[i])) {
			masks_or(&t->names[o - 1].val, &t->names[i].val);
			continue;
		}
		t->names[o++] = t->names[i];
	}
	t->n_names = o;
	memset(&t->bloom, 0, sizeof(t->bloom));
	for (i = 0; i < t->n_files; i++) {
		unsigned b = pg_file_bloom_bit(t->files[i].key.dev, t->files[i].key.ino);

		t->bloom.w[b / 64] |= 1ULL << (b % 64);
	}
	return 0;
}

void pg_policy_files_free(struct pg_file_tables *t)
{
	size_t i;

	if (!t)
		return;
	free(t->files);
	free(t->names);
	for (i = 0; i < t->n_unwatched; i++)
		free(t->unwatched[i]);
	free(t->unwatched);
	for (i = 0; i < t->n_watches; i++)
		free(t->watches[i].path);
	free(t->watches);
	memset(t, 0, sizeof(*t));
}

static const struct pg_file_id_val *file_find(const struct pg_file_tables *t, const struct stat *st)
{
	struct pg_file_entry k = {
		.key = { .gen = t->gen, .dev = pg_kdev(st->st_dev), .ino = st->st_ino }
	};
	const struct pg_file_entry *e;

	if (!t->n_files)
		return NULL;
	e = bsearch(&k, t->files, t->n_files, sizeof(*t->files), file_cmp);
	return e ? &e->val : NULL;
}

static const struct pg_file_masks *name_find(const struct pg_file_tables *t, const struct stat *dir,
					     const char *name)
{
	struct pg_fname_entry k;
	const struct pg_fname_entry *e;

	if (!t->n_names || strlen(name) >= PG_FILE_NAME_MAX)
		return NULL;
	memset(&k, 0, sizeof(k));
	k.key.gen = t->gen;
	if (dir) {
		k.key.dev = pg_kdev(dir->st_dev);
		k.key.dir_ino = dir->st_ino;
	}
	strncpy(k.key.name, name, sizeof(k.key.name) - 1);
	e = bsearch(&k, t->names, t->n_names, sizeof(*t->names), name_cmp);
	return e ? &e->val : NULL;
}

static const struct pg_rule_mask *side(const struct pg_file_masks *m, bool neg)
{
	return neg ? &m->neg : &m->pos;
}

/* Does @set (of the rule's match, or of its not when @neg) accept @path? */
static bool path_accepts(const struct pg_file_tables *t, const struct pg_str_set *set, bool neg,
			 unsigned bit, const char *path)
{
	char dir[PG_PATH_MAX], buf[PG_PATH_MAX];
	const struct pg_file_id_val *v;
	const struct pg_file_masks *nm;
	struct stat st;
	const char *base;
	size_t i, n;

	for (i = 0; i < set->n_exact; i++)
		if (!strcmp(set->exact[i], path))
			return true;
	for (i = 0; i < set->n_prefix; i++) {
		const char *p = strip_slashes(set->prefix[i], buf);

		n = strlen(p);
		if (!strcmp(p, "/") || (!strncmp(path, p, n) && path[n] == '/'))
			return true;
	}
	/* by identity, where the file and its directories exist now */
	if (!stat_fn(path, &st) && (v = file_find(t, &st)) && pg_mask_has(side(&v->self, neg), bit))
		return true;
	base = split_dir(path, dir);
	if (!stat_fn(dir, &st) && (nm = name_find(t, &st, base)) && pg_mask_has(side(nm, neg), bit))
		return true;
	for (;;) {
		if (!stat_fn(dir, &st) && (v = file_find(t, &st)) &&
		    pg_mask_has(side(&v->tree, neg), bit))
			return true;
		if (!strcmp(dir, "/"))
			return false;
		strcpy(buf, dir);
		split_dir(buf, dir);
	}
}

static bool name_accepts(const struct pg_str_set *set, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < set->n_exact; i++)
		if (!strcmp(set->exact[i], base))
			return true;
	return false;
}

bool pg_policy_files_match(const struct pg_file_tables *t, const struct pg_rule *r, unsigned bit,
			   const char *path, int event_type)
{
	(void)event_type;
	if (!path || path[0] != '/')
		return false;
	if (r->match.path.present && !path_accepts(t, &r->match.path, false, bit, path))
		return false;
	if (r->not .path.present && path_accepts(t, &r->not .path, true, bit, path))
		return false;
	if (r->match.name.present && !name_accepts(&r->match.name, path))
		return false;
	if (r->not .name.present && name_accepts(&r->not .name, path))
		return false;
	return true;
}
