// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Policy parser: YAML into the model of policy.h, with every mistake
 * reported as file:line:column.
 *
 * libyaml's event API, not its document API: the document loader builds
 * the whole tree before we see it and turns an alias into a second
 * reference to the anchored node, so an alias could not be told from the
 * node it names and a billion-laughs file would be walked a billion times.
 * Pulling events lets the schema drive the parse: an alias is rejected
 * where it stands, a value we do not want is skipped without being
 * stored, and memory stays bounded by the model (whose every list has a
 * limit) rather than by the input.
 *
 * The parser goes on after a mistake wherever the YAML itself is sound,
 * so `penguard policy check` shows them all at once; a YAML syntax error
 * ends the parse (libyaml cannot resume), as does the PG_DIAG_MAX-th
 * message.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include <penguard/events.h>

#include "policy.h"
#include "util.h"

/* Values are shown in messages at most this long (bytes), then "...". */
#define SHOWN_MAX 48

static const struct {
	const char *name;
	enum pg_event_type type;
} event_names[] = {
	{ "process_exec", PG_EVENT_PROCESS_EXEC },
	{ "process_exit", PG_EVENT_PROCESS_EXIT },
	{ "process_fork", PG_EVENT_PROCESS_FORK },
	{ "file_open", PG_EVENT_FILE_OPEN },
	{ "file_create", PG_EVENT_FILE_CREATE },
	{ "file_unlink", PG_EVENT_FILE_UNLINK },
	{ "file_rename", PG_EVENT_FILE_RENAME },
	{ "file_chmod", PG_EVENT_FILE_CHMOD },
	{ "file_chown", PG_EVENT_FILE_CHOWN },
	{ "file_truncate", PG_EVENT_FILE_TRUNCATE },
	{ "file_link", PG_EVENT_FILE_LINK },
	{ "file_symlink", PG_EVENT_FILE_SYMLINK },
	{ "file_mmap_exec", PG_EVENT_FILE_MMAP_EXEC },
	{ "network_connect", PG_EVENT_NET_CONNECT },
	{ "network_accept", PG_EVENT_NET_ACCEPT },
	{ "network_close", PG_EVENT_NET_CLOSE },
	{ "network_listen", PG_EVENT_NET_LISTEN },
	{ "network_udp", PG_EVENT_NET_UDP },
	{ "dns_query", PG_EVENT_DNS_QUERY },
	{ "dns_answer", PG_EVENT_DNS_ANSWER },
	{ "credentials_change", PG_EVENT_CREDS_CHANGE },
	{ "namespace_change", PG_EVENT_NS_CHANGE },
	{ "host_change", PG_EVENT_HOST_CHANGE },
};

/* pg_rule.events is a 64-bit mask */
_Static_assert(PG_EVENT_MAX <= 64, "event types must fit pg_rule.events");

static const char *const action_names[] = {
	[PG_ACTION_NONE] = "none",
	[PG_ACTION_REPORT] = "report",
	[PG_ACTION_DENY] = "deny",
	[PG_ACTION_KILL] = "kill",
};

int pg_policy_event_type(const char *name)
{
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(event_names); i++)
		if (!strcmp(name, event_names[i].name))
			return event_names[i].type;
	return -ENOENT;
}

const char *pg_policy_event_name(int type)
{
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(event_names); i++)
		if ((int)event_names[i].type == type)
			return event_names[i].name;
	return NULL;
}

const char *pg_action_name(enum pg_action a)
{
	if ((unsigned int)a < PG_ARRAY_SIZE(action_names))
		return action_names[a];
	return "unknown";
}

const char *pg_policy_mode_name(enum pg_policy_mode m)
{
	return m == PG_MODE_ENFORCE ? "enforce" : "monitor";
}

/* Diagnostics */

int pg_diag_add(struct pg_diag *d, const char *fmt, ...)
{
	char *msg, **msgs;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	msgs = realloc(d->msgs, (d->n + 1) * sizeof(*msgs));
	if (!msgs) {
		free(msg);
		return -ENOMEM;
	}
	msgs[d->n++] = msg;
	d->msgs = msgs;
	return 0;
}

void pg_diag_free(struct pg_diag *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
}

/* Freeing the model */

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void str_set_free(struct pg_str_set *s)
{
	strv_free(s->exact, s->n_exact);
	strv_free(s->prefix, s->n_prefix);
	strv_free(s->suffix, s->n_suffix);
	strv_free(s->contains, s->n_contains);
}

static void selectors_free(struct pg_selectors *s)
{
	str_set_free(&s->binary);
	str_set_free(&s->parent_binary);
	str_set_free(&s->ancestor_binary);
	free(s->uid.ranges);
	free(s->euid.ranges);
	free(s->auid.ranges);
	str_set_free(&s->container_id);
	str_set_free(&s->cgroup);
	str_set_free(&s->arguments);
	str_set_free(&s->path);
	str_set_free(&s->name);
	str_set_free(&s->access);
	free(s->address.v);
	free(s->port.ranges);
	str_set_free(&s->protocol);
	str_set_free(&s->direction);
	str_set_free(&s->dns_name);
	str_set_free(&s->kind);
}

static void rule_free(struct pg_rule *r)
{
	free(r->name);
	selectors_free(&r->match);
	selectors_free(&r->not );
	strv_free(r->tags, r->n_tags);
}

void pg_policy_free(struct pg_policy *p)
{
	size_t i;

	if (!p)
		return;
	free(p->name);
	free(p->description);
	free(p->file);
	for (i = 0; i < p->n_rules; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

static void selectors_init(struct pg_selectors *s)
{
	memset(s, 0, sizeof(*s));
	s->in_container = PG_ANY;
	s->stdio_socket = PG_ANY;
	s->fileless = PG_ANY;
}

static void rule_init(struct pg_rule *r)
{
	memset(r, 0, sizeof(*r));
	selectors_init(&r->match);
	selectors_init(&r->not );
	r->action = PG_ACTION_REPORT;
	r->fallback = PG_ACTION_NONE;
	r->rate.interval_ns = 1000000000ULL;
}

/*
 * Append @elem (of @size bytes) to the array *@arr of *@n elements. The
 * capacity is implicit, the next power of two: the array grows when *@n
 * is 0 or a power of two, so no capacity field is needed in the model.
 */
static int push(void *arr, size_t *n, const void *elem, size_t size)
{
	void **a = arr;
	size_t cap;

	if (*n == 0 || !(*n & (*n - 1))) {
		void *tmp;

		cap = *n ? *n * 2 : 1;
		if (cap > SIZE_MAX / size)
			return -ENOMEM;
		tmp = realloc(*a, cap * size);
		if (!tmp)
			return -ENOMEM;
		*a = tmp;
	}
	memcpy((char *)*a + *n * size, elem, size);
	(*n)++;
	return 0;
}

/* The parser */

struct pctx {
	yaml_parser_t yp;
	yaml_event_t ev;
	bool have;	 /* ev is the next event, not consumed yet */
	bool value_next; /* ev is the first event of the value of key_mark's key */
	bool stop;	 /* a syntax error, no memory or too many mistakes */
	int err;	 /* -ENOMEM */
	const char *file;
	const unsigned char *buf;
	size_t len;
	yaml_mark_t key_mark;
	size_t depth; /* lists and mappings open */
	struct pg_diag diag;
	yaml_mark_t at[PG_DIAG_MAX]; /* of each message, to sort them */
	bool capped;		     /* the last message says the parse stopped */
};

static void mistake(struct pctx *c, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void mistake(struct pctx *c, yaml_mark_t m, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int err;

	if (c->stop)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (c->diag.n >= PG_DIAG_MAX - 1) {
		/* the last message says the list is cut, so nobody takes it as complete */
		err = pg_diag_add(&c->diag, "%s:%zu:%zu: too many mistakes: stopping after %d",
				  c->file, m.line + 1, m.column + 1, PG_DIAG_MAX - 1);
		c->stop = true;
		c->capped = true;
	} else {
		err = pg_diag_add(&c->diag, "%s:%zu:%zu: %s", c->file, m.line + 1, m.column + 1,
				  text);
		if (!err)
			c->at[c->diag.n - 1] = m;
	}
	if (err) {
		c->err = err;
		c->stop = true;
	}
}

/*
 * Messages in the order of the file, as a compiler prints them: a rule's
 * own mistakes (a duplicate name, a fallback without deny) are found when
 * its mapping ends, after those inside it. Stable, so mistakes at one
 * place keep the order they were found in; the "stopping" notice stays
 * last. Insertion sort: at most PG_DIAG_MAX messages.
 */
static void sort_mistakes(struct pctx *c)
{
	size_t n = c->diag.n - (c->capped ? 1 : 0), i, j;
	yaml_mark_t m;
	char *msg;

	for (i = 1; i < n; i++) {
		m = c->at[i];
		msg = c->diag.msgs[i];
		for (j = i;
		     j > 0 && (c->at[j - 1].line > m.line ||
			       (c->at[j - 1].line == m.line && c->at[j - 1].column > m.column));
		     j--) {
			c->at[j] = c->at[j - 1];
			c->diag.msgs[j] = c->diag.msgs[j - 1];
		}
		c->at[j] = m;
		c->diag.msgs[j] = msg;
	}
}

static void no_memory(struct pctx *c)
{
	c->err = -ENOMEM;
	c->stop = true;
}

/*
 * @s (@len bytes) made safe to print inside quotes: at most SHOWN_MAX
 * bytes (cut on a UTF-8 character boundary), control bytes as '?'.
 */
static const char *shown(const char *s, size_t len, char *buf, size_t size)
{
	size_t n = len, i;

	if (n > SHOWN_MAX) {
		n = SHOWN_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n > size - 4)
		n = size - 4;
	for (i = 0; i < n; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	strcpy(buf + n, n < len ? "..." : "");
	return buf;
}

static bool is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

/* What the document has where something else was expected, for messages. */
static const char *got(const yaml_event_t *ev, char *buf, size_t size)
{
	char v[SHOWN_MAX + 4];

	switch (ev->type) {
	case YAML_MAPPING_START_EVENT: return "a mapping";
	case YAML_SEQUENCE_START_EVENT: return "a list";
	case YAML_SCALAR_EVENT:
		if (is_null(ev))
			return "nothing (null)";
		snprintf(buf, size, "'%s'",
			 shown((const char *)ev->data.scalar.value, ev->data.scalar.length, v,
			       sizeof(v)));
		return buf;
	default: return "nothing";
	}
}

/* libyaml's reader reports a byte offset only: make it a line and column. */
static yaml_mark_t mark_at(const struct pctx *c, size_t offset)
{
	yaml_mark_t m = { 0 };
	size_t i;

	for (i = 0; i < offset && i < c->len; i++) {
		if (c->buf[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if ((c->buf[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	m.index = offset;
	return m;
}

static void syntax_error(struct pctx *c)
{
	const yaml_parser_t *p = &c->yp;
	const char *problem = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_MEMORY_ERROR) {
		no_memory(c);
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		if (p->problem_value >= 0)
			mistake(c, mark_at(c, p->problem_offset), "%s (byte 0x%02x)", problem,
				p->problem_value & 0xff);
		else
			mistake(c, mark_at(c, p->problem_offset), "%s", problem);
	} else if (p->context) {
		mistake(c, p->problem_mark, "YAML syntax: %s (%s at %zu:%zu)", problem, p->context,
			p->context_mark.line + 1, p->context_mark.column + 1);
	} else {
		mistake(c, p->problem_mark, "YAML syntax: %s", problem);
	}
	c->stop = true;
}

/* What every event is checked for, once, when it is read. */
static void check_event(struct pctx *c, const yaml_event_t *ev)
{
	const yaml_char_t *tag = NULL;
	char b[SHOWN_MAX + 4];

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		/* an alias can multiply a document's size exponentially (billion laughs) */
		mistake(c, ev->start_mark,
			"YAML aliases are not allowed in a policy (*%s): write the value out",
			shown((const char *)ev->data.alias.anchor,
			      strlen((const char *)ev->data.alias.anchor), b, sizeof(b)));
		break;
	case YAML_SCALAR_EVENT: tag = ev->data.scalar.tag; break;
	case YAML_SEQUENCE_START_EVENT: tag = ev->data.sequence_start.tag; break;
	case YAML_MAPPING_START_EVENT: tag = ev->data.mapping_start.tag; break;
	default: break;
	}
	/* a tag would change what a value means behind the schema's back */
	if (tag) {
		static const char core[] = "tag:yaml.org,2002:";
		const char *t = (const char *)tag;
		bool is_core = !strncmp(t, core, sizeof(core) - 1);

		/* shown as written: !!str, not tag:yaml.org,2002:str */
		if (is_core)
			t += sizeof(core) - 1;
		mistake(c, ev->start_mark, "YAML tags are not allowed in a policy (%s%s)",
			is_core ? "!!" : "", shown(t, strlen(t), b, sizeof(b)));
	}
}

static yaml_event_t *peek(struct pctx *c)
{
	if (c->stop)
		return NULL;
	if (c->have)
		return &c->ev;
	if (!yaml_parser_parse(&c->yp, &c->ev)) {
		syntax_error(c);
		return NULL;
	}
	c->have = true;
	check_event(c, &c->ev);
	switch (c->ev.type) {
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		/*
		 * libyaml's scanner keeps a possible key per open flow level and
		 * walks them all for every token: 4 MiB of '[' would take hours.
		 * A policy is 7 levels deep at most; stop long before it hurts.
		 */
		if (++c->depth > PG_POLICY_MAX_DEPTH) {
			mistake(c, c->ev.start_mark, "nested deeper than %d levels",
				PG_POLICY_MAX_DEPTH);
			c->stop = true;
		}
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: c->depth--; break;
	default: break;
	}
	return c->stop ? NULL : &c->ev;
}

static void consume(struct pctx *c)
{
	if (c->have)
		yaml_event_delete(&c->ev);
	c->have = false;
	c->value_next = false;
}

/* Skip one node, however deep: a loop, not recursion. */
static void skip(struct pctx *c)
{
	size_t depth = 0;
	yaml_event_t *ev;

	do {
		ev = peek(c);
		if (!ev)
			return;
		switch (ev->type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: depth++; break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (!depth)
				return; /* not a node: nothing to skip */
			depth--;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT: break;
		default:
			/* not a node (a document or stream event): nothing to skip */
			if (!depth)
				return;
			break;
		}
		consume(c);
	} while (depth);
}

enum kind {
	K_SCALAR,
	K_LIST,
	K_MAP,
};

/*
 * Is the next node of kind @k? If not, say so ("@key: expected @what,
 * got ...") and skip it. A null is not a scalar here: every scalar we
 * want has a value.
 */
static bool expect(struct pctx *c, enum kind k, const char *key, const char *what)
{
	static const yaml_event_type_t types[] = {
		[K_SCALAR] = YAML_SCALAR_EVENT,
		[K_LIST] = YAML_SEQUENCE_START_EVENT,
		[K_MAP] = YAML_MAPPING_START_EVENT,
	};
	yaml_event_t *ev = peek(c);
	char b[SHOWN_MAX + 8];

	if (!ev)
		return false;
	if (ev->type == types[k] && !(k == K_SCALAR && is_null(ev)))
		return true;
	/* an alias was reported when it was read */
	if (ev->type != YAML_ALIAS_EVENT)
		/* `key:` with nothing after it: point at the key, not past it */
		mistake(c, is_null(ev) && c->value_next ? c->key_mark : ev->start_mark,
			"%s: expected %s, got %s", key, what, got(ev, b, sizeof(b)));
	skip(c);
	return false;
}

/*
 * The keys of one mapping: map_next() returns the index in @keys of each
 * key in turn, having reported (and skipped the value of) non-string,
 * unknown and duplicate keys, and -1 at the end.
 */
#define MAX_KEYS 32 /* a bit each in map_it's masks */

struct map_it {
	const char *const *keys;
	unsigned int n_keys;
	uint32_t allowed; /* keys accepted here, a bit per index */
	const char *what; /* "policy", "rule", "binary": for messages */
	yaml_mark_t start;
	yaml_mark_t at[MAX_KEYS];
	uint32_t seen;
	bool any; /* any key at all, known or not */
};

/* The next event is a mapping start (expect() said so). */
static void map_begin(struct pctx *c, struct map_it *it, const char *const *keys,
		      unsigned int n_keys, uint32_t allowed, const char *what)
{
	memset(it, 0, sizeof(*it));
	it->keys = keys;
	it->n_keys = n_keys;
	it->allowed = allowed;
	it->what = what;
	it->start = c->ev.start_mark;
	consume(c);
}

static void known_keys(const struct map_it *it, char *buf, size_t size)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < it->n_keys && off < size; i++) {
		if (!(it->allowed & (1u << i)))
			continue;
		off += snprintf(buf + off, size - off, "%s%s", off ? ", " : "", it->keys[i]);
	}
}

static int map_next(struct pctx *c, struct map_it *it)
{
	char b[SHOWN_MAX + 4], known[256];
	yaml_event_t *ev;
	const char *key;
	unsigned int i;
	size_t len;

	for (;;) {
		ev = peek(c);
		if (!ev)
			return -1;
		if (ev->type == YAML_MAPPING_END_EVENT) {
			consume(c);
			return -1;
		}
		if (ev->type != YAML_SCALAR_EVENT) {
			if (ev->type != YAML_ALIAS_EVENT)
				mistake(c, ev->start_mark, "%s: a key must be a string, not %s",
					it->what, got(ev, b, sizeof(b)));
			skip(c); /* the key */
			skip(c); /* its value */
			continue;
		}
		it->any = true;
		key = (const char *)ev->data.scalar.value;
		len = ev->data.scalar.length;
		for (i = 0; i < it->n_keys; i++)
			if ((it->allowed & (1u << i)) && strlen(it->keys[i]) == len &&
			    !memcmp(it->keys[i], key, len))
				break;
		if (i == it->n_keys) {
			known_keys(it, known, sizeof(known));
			mistake(c, ev->start_mark, "%s: unknown key '%s' (known: %s)", it->what,
				shown(key, len, b, sizeof(b)), known);
			consume(c);
			skip(c);
			continue;
		}
		if (it->seen & (1u << i)) {
			mistake(c, ev->start_mark, "%s: duplicate key '%s' (first at %zu:%zu)",
				it->what, it->keys[i], it->at[i].line + 1, it->at[i].column + 1);
			consume(c);
			skip(c);
			continue;
		}
		it->seen |= 1u << i;
		it->at[i] = ev->start_mark;
		c->key_mark = ev->start_mark;
		consume(c);
		c->value_next = true;
		return (int)i;
	}
}

static void map_require(struct pctx *c, const struct map_it *it, unsigned int key)
{
	if (!(it->seen & (1u << key)) && !c->stop)
		mistake(c, it->start, "%s: missing required key '%s'", it->what, it->keys[key]);
}

/* The next event is a sequence start: consume it, return its mark. */
static yaml_mark_t list_begin(struct pctx *c)
{
	yaml_mark_t m = c->ev.start_mark;

	consume(c);
	return m;
}

/* Another item in this list? Consumes the end of the list. */
static bool list_next(struct pctx *c)
{
	yaml_event_t *ev = peek(c);

	if (!ev)
		return false;
	if (ev->type == YAML_SEQUENCE_END_EVENT) {
		consume(c);
		return false;
	}
	return true;
}

static bool has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/*
 * The next node as a string: a non-null, non-empty scalar of at most
 * PG_POLICY_MAX_STRING bytes without NUL (a "\0" escape would otherwise
 * cut it short in C). @name_like: no control characters either (names
 * and tags end up in logs and JSON, paths may hold anything). Returns the
 * string with its mark in *@at, or NULL after reporting and skipping.
 */
static char *take_string(struct pctx *c, const char *key, bool name_like, yaml_mark_t *at)
{
	const char *v;
	char *s = NULL;
	size_t len;

	if (!expect(c, K_SCALAR, key, "a string"))
		return NULL;
	v = (const char *)c->ev.data.scalar.value;
	len = c->ev.data.scalar.length;
	if (at)
		*at = c->ev.start_mark;
	if (!len)
		mistake(c, c->ev.start_mark, "%s: must not be empty", key);
	else if (len > PG_POLICY_MAX_STRING)
		mistake(c, c->ev.start_mark, "%s: longer than %d bytes", key, PG_POLICY_MAX_STRING);
	else if (memchr(v, '\0', len))
		mistake(c, c->ev.start_mark, "%s: contains a NUL byte", key);
	else if (name_like && has_control(v, len))
		mistake(c, c->ev.start_mark, "%s: contains a control character", key);
	else if (!(s = strndup(v, len)))
		no_memory(c);
	consume(c);
	return s;
}

/*
 * A decimal number of at most @max, strictly: digits only, no sign, no
 * leading zero (YAML 1.1 reads 0755 as octal: better refused than
 * misread). Returns 0, -EINVAL (not a number), -EDOM (leading zero) or
 * -ERANGE.
 */
static int parse_dec(const char *s, size_t len, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	if (len > 1 && s[0] == '0')
		return -EDOM;
	for (i = 0; i < len; i++) {
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*ret = v;
	return 0;
}

/* The next node as a number of at most @max; false after reporting. */
static bool take_number(struct pctx *c, const char *key, uint64_t max, uint64_t *ret,
			yaml_mark_t *at)
{
	char b[SHOWN_MAX + 4];
	const char *v;
	size_t len;
	int err;

	if (!expect(c, K_SCALAR, key, "a number"))
		return false;
	v = (const char *)c->ev.data.scalar.value;
	len = c->ev.data.scalar.length;
	*at = c->ev.start_mark;
	err = parse_dec(v, len, max, ret);
	if (err == -EINVAL)
		mistake(c, c->ev.start_mark, "%s: '%s' is not a number", key,
			shown(v, len, b, sizeof(b)));
	else if (err == -EDOM)
		mistake(c, c->ev.start_mark, "%s: '%s' has a leading zero", key,
			shown(v, len, b, sizeof(b)));
	else if (err == -ERANGE)
		mistake(c, c->ev.start_mark, "%s: %s is out of range (0..%llu)", key,
			shown(v, len, b, sizeof(b)), (unsigned long long)max);
	consume(c);
	return !err;
}

/* Selectors */

enum op {
	OP_EXACT,
	OP_PREFIX,
	OP_SUFFIX,
	OP_CONTAINS,
	N_OPS,
};

static const char *const op_keys[N_OPS] = { "exact", "prefix", "suffix", "contains" };

#define OPB(op) (1u << (op))

enum sel_kind {
	SEL_STR,
	SEL_UINT,
	SEL_BOOL,
	SEL_CIDR,
	SEL_NOT,
};

struct sel_desc {
	enum sel_kind kind;
	uint32_t ops; /* SEL_STR: the operators allowed; SEL_UINT: the largest value */
	bool path;    /* exact and prefix values are absolute paths */
	size_t off;   /* of the member in struct pg_selectors */
};

#define SEL_OFF(m) offsetof(struct pg_selectors, m)
#define OPS_PATH (OPB(OP_EXACT) | OPB(OP_PREFIX) | OPB(OP_SUFFIX))

/* The keys of `match:`; those of `not:` are the same but "not" itself. */
static const char *const sel_keys[] = {
	"binary",   "parent_binary", "ancestor_binary", "uid",		"euid",
	"auid",	    "in_container",  "container_id",	"cgroup",	"arguments",
	"path",	    "name",	     "access",		"address",	"port",
	"protocol", "direction",     "dns_name",	"stdio_socket", "fileless",
	"kind",	    "not",
};

static const struct sel_desc sel_descs[] = {
	{ SEL_STR, OPS_PATH, true, SEL_OFF(binary) },
	{ SEL_STR, OPS_PATH, true, SEL_OFF(parent_binary) },
	{ SEL_STR, OPS_PATH, true, SEL_OFF(ancestor_binary) },
	{ SEL_UINT, UINT32_MAX, false, SEL_OFF(uid) },
	{ SEL_UINT, UINT32_MAX, false, SEL_OFF(euid) },
	{ SEL_UINT, UINT32_MAX, false, SEL_OFF(auid) },
	{ SEL_BOOL, 0, false, SEL_OFF(in_container) },
	{ SEL_STR, OPB(OP_EXACT) | OPB(OP_PREFIX), false, SEL_OFF(container_id) },
	{ SEL_STR, OPB(OP_EXACT) | OPB(OP_PREFIX), false, SEL_OFF(cgroup) },
	{ SEL_STR, OPS_PATH | OPB(OP_CONTAINS), false, SEL_OFF(arguments) },
	{ SEL_STR, OPB(OP_EXACT) | OPB(OP_PREFIX), true, SEL_OFF(path) },
	{ SEL_STR, OPB(OP_EXACT), false, SEL_OFF(name) },
	{ SEL_STR, OPB(OP_EXACT), false, SEL_OFF(access) },
	{ SEL_CIDR, 0, false, SEL_OFF(address) },
	{ SEL_UINT, 65535, false, SEL_OFF(port) },
	{ SEL_STR, OPB(OP_EXACT), false, SEL_OFF(protocol) },
	{ SEL_STR, OPB(OP_EXACT), false, SEL_OFF(direction) },
	{ SEL_STR, OPB(OP_EXACT) | OPB(OP_SUFFIX), false, SEL_OFF(dns_name) },
	{ SEL_BOOL, 0, false, SEL_OFF(stdio_socket) },
	{ SEL_BOOL, 0, false, SEL_OFF(fileless) },
	{ SEL_STR, OPB(OP_EXACT), false, SEL_OFF(kind) },
	{ SEL_NOT, 0, false, 0 },
};

_Static_assert(PG_ARRAY_SIZE(sel_keys) == PG_ARRAY_SIZE(sel_descs), "one desc per key");
_Static_assert(PG_ARRAY_SIZE(sel_keys) <= MAX_KEYS, "map_it holds the keys");

#define SEL_NOT_KEY (PG_ARRAY_SIZE(sel_keys) - 1)
#define ALL_KEYS(n) ((uint32_t)((1ull << (n)) - 1))

static void str_set_slot(struct pg_str_set *s, enum op op, char ****arr, size_t **n)
{
	switch (op) {
	case OP_EXACT:
		*arr = &s->exact;
		*n = &s->n_exact;
		break;
	case OP_PREFIX:
		*arr = &s->prefix;
		*n = &s->n_prefix;
		break;
	case OP_SUFFIX:
		*arr = &s->suffix;
		*n = &s->n_suffix;
		break;
	default:
		*arr = &s->contains;
		*n = &s->n_contains;
		break;
	}
}

/*
 * One operator's list of strings (@label: "binary" for a plain list,
 * "binary.prefix" in a mapping), appended to @set. *@count: values in
 * this selector so far, across its operators.
 */
static void str_list(struct pctx *c, const char *sel, const char *label, const struct sel_desc *d,
		     enum op op, struct pg_str_set *set, size_t *count)
{
	char b[SHOWN_MAX + 4];
	yaml_mark_t start, at;
	size_t items = 0, *n;
	char ***arr, *s;

	if (!expect(c, K_LIST, label, "a list of strings"))
		return;
	start = list_begin(c);
	str_set_slot(set, op, &arr, &n);
	while (list_next(c)) {
		items++;
		s = take_string(c, label, false, &at);
		if (!s)
			continue;
		if (d->path && (op == OP_EXACT || op == OP_PREFIX) && s[0] != '/') {
			mistake(c, at,
				"%s: '%s' is not an absolute path (%s values start with '/')",
				label, shown(s, strlen(s), b, sizeof(b)), op_keys[op]);
			free(s);
			continue;
		}
		if (++*count == PG_POLICY_MAX_VALUES + 1)
			mistake(c, at, "%s: more than %d values", sel, PG_POLICY_MAX_VALUES);
		if (*count > PG_POLICY_MAX_VALUES || push(arr, n, &s, sizeof(s))) {
			if (*count <= PG_POLICY_MAX_VALUES)
				no_memory(c);
			free(s);
		}
	}
	if (!items)
		mistake(c, start, "%s: empty list (a selector needs at least one value)", label);
}

static void str_set(struct pctx *c, const char *sel, const struct sel_desc *d,
		    struct pg_str_set *set)
{
	char what[128], label[64];
	struct map_it it;
	size_t count = 0;
	yaml_event_t *ev = peek(c);
	int k;

	if (!ev)
		return;
	set->present = true;
	set->pos.line = (int)ev->start_mark.line + 1;
	set->pos.column = (int)ev->start_mark.column + 1;
	if (ev->type == YAML_SEQUENCE_START_EVENT) {
		str_list(c, sel, sel, d, OP_EXACT, set, &count);
		return;
	}
	if (ev->type != YAML_MAPPING_START_EVENT) {
		struct map_it tmp = { .keys = op_keys, .n_keys = N_OPS, .allowed = d->ops };
		char known[64];

		known_keys(&tmp, known, sizeof(known));
		snprintf(what, sizeof(what), "a list or a mapping of %s", known);
		expect(c, K_LIST, sel, what);
		return;
	}
	map_begin(c, &it, op_keys, N_OPS, d->ops, sel);
	while ((k = map_next(c, &it)) >= 0) {
		snprintf(label, sizeof(label), "%s.%s", sel, op_keys[k]);
		str_list(c, sel, label, d, (enum op)k, set, &count);
	}
	if (!it.any && !c->stop) {
		known_keys(&it, label, sizeof(label));
		mistake(c, it.start, "%s: empty mapping (give at least one of %s)", sel, label);
	}
}

/*
 * The start of a selector's list of scalars (uint_set, cidr_set): where
 * it was written, into @present and @pos, and the mark for "empty list"
 * into @start. False, reported, if it is not a list.
 */
static bool value_list_begin(struct pctx *c, const char *sel, const char *what, bool *present,
			     struct pg_pos *pos, yaml_mark_t *start)
{
	if (!expect(c, K_LIST, sel, what))
		return false;
	*present = true;
	pos->line = (int)c->ev.start_mark.line + 1;
	pos->column = (int)c->ev.start_mark.column + 1;
	*start = list_begin(c);
	return true;
}

/*
 * The next scalar of that list, its text in @ret_value and @ret_len; NULL
 * at the end. Any other item is reported and skipped. *@items counts
 * both, for "empty list".
 */
static const yaml_event_t *value_list_next(struct pctx *c, const char *sel, const char *what,
					   size_t *items, const char **ret_value, size_t *ret_len)
{
	while (list_next(c)) {
		++*items;
		if (expect(c, K_SCALAR, sel, what)) {
			*ret_value = (const char *)c->ev.data.scalar.value;
			*ret_len = c->ev.data.scalar.length;
			return &c->ev;
		}
	}
	return NULL;
}

/* "N" or "lo-hi", each at most @max */
static void uint_set(struct pctx *c, const char *sel, uint32_t max, struct pg_uint_set *set)
{
	char b[SHOWN_MAX + 4];
	const yaml_event_t *ev;
	struct pg_range r;
	uint64_t lo, hi;
	yaml_mark_t start;
	size_t count = 0, items = 0, len;
	const char *v, *dash;
	int err;

	if (!value_list_begin(c, sel, "a list of numbers or \"lo-hi\" ranges", &set->present,
			      &set->pos, &start))
		return;
	while ((ev = value_list_next(c, sel, "a number or a \"lo-hi\" range", &items, &v, &len))) {
		dash = memchr(v, '-', len);
		if (dash) {
			err = parse_dec(v, (size_t)(dash - v), max, &lo);
			if (!err)
				err = parse_dec(dash + 1, len - (size_t)(dash - v) - 1, max, &hi);
		} else {
			err = parse_dec(v, len, max, &lo);
			hi = lo;
		}
		shown(v, len, b, sizeof(b));
		if (err == -EINVAL)
			mistake(c, ev->start_mark, "%s: '%s' is not a number or a \"lo-hi\" range",
				sel, b);
		else if (err == -EDOM)
			mistake(c, ev->start_mark, "%s: '%s' has a leading zero", sel, b);
		else if (err == -ERANGE)
			mistake(c, ev->start_mark, "%s: '%s' is out of range (0..%lu)", sel, b,
				(unsigned long)max);
		else if (lo > hi)
			mistake(c, ev->start_mark, "%s: range '%s' is inverted (lo > hi)", sel, b);
		else if (++count == PG_POLICY_MAX_VALUES + 1)
			mistake(c, ev->start_mark, "%s: more than %d values", sel,
				PG_POLICY_MAX_VALUES);
		else if (count <= PG_POLICY_MAX_VALUES) {
			r.lo = (uint32_t)lo;
			r.hi = (uint32_t)hi;
			if (push(&set->ranges, &set->n, &r, sizeof(r)))
				no_memory(c);
		}
		consume(c);
	}
	if (!items)
		mistake(c, start, "%s: empty list (a selector needs at least one value)", sel);
}

/* Zero the bits of @a (@n bytes) past the first @bits. */
static void mask_bits(uint8_t *a, size_t n, unsigned int bits)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (bits >= 8 * (i + 1))
			continue;
		a[i] &= bits > 8 * i ? (uint8_t)(0xff00 >> (bits - 8 * i)) : 0;
	}
}

enum cidr_err {
	CIDR_OK,
	CIDR_ADDRESS, /* not an address */
	CIDR_PREFIX,  /* the prefix length is not a plain number */
	CIDR_RANGE,   /* the prefix length is too long for the family */
	CIDR_HOST,    /* bits set past the prefix */
};

/*
 * "10.0.0.0/8", "198.18.0.2" (a host), "fd00::/8", "::1": into *@ret. On
 * CIDR_HOST, @fix holds the block as it should have been written. An
 * IPv4-mapped IPv6 block of at least 96 bits is the IPv4 block it maps.
 */
static enum cidr_err parse_cidr(const char *v, size_t len, struct pg_cidr *ret, char *fix,
				size_t fix_size)
{
	char addr[INET6_ADDRSTRLEN + 1], shown_addr[INET6_ADDRSTRLEN];
	const char *slash = memchr(v, '/', len);
	size_t alen = slash ? (size_t)(slash - v) : len;
	struct pg_cidr r = { 0 };
	uint8_t masked[16];
	unsigned int max;
	uint64_t bits;
	int af;

	if (!alen || alen >= sizeof(addr) || memchr(v, '\0', len))
		return CIDR_ADDRESS;
	memcpy(addr, v, alen);
	addr[alen] = '\0';
	af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	/* inet_pton: dotted quads only, no octal or short forms that inet_aton would guess at */
	if (inet_pton(af, addr, r.addr) != 1)
		return CIDR_ADDRESS;
	max = af == AF_INET6 ? 128 : 32;
	bits = max;
	if (slash) {
		int err = parse_dec(slash + 1, len - alen - 1, UINT64_MAX, &bits);

		if (err == -ERANGE)
			return CIDR_RANGE;
		if (err)
			return CIDR_PREFIX;
		if (bits > max)
			return CIDR_RANGE;
	}
	memcpy(masked, r.addr, sizeof(masked));
	mask_bits(masked, max / 8, (unsigned int)bits);
	if (memcmp(masked, r.addr, max / 8)) {
		if (!inet_ntop(af, masked, shown_addr, sizeof(shown_addr)))
			shown_addr[0] = '\0';
		snprintf(fix, fix_size, "%s/%u", shown_addr, (unsigned int)bits);
		return CIDR_HOST;
	}
	r.family = af == AF_INET6 ? PG_NET_V6 : PG_NET_V4;
	r.prefix = (uint8_t)bits;
	if (r.family == PG_NET_V6 && bits >= 96 &&
	    !memcmp(r.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		r.family = PG_NET_V4;
		r.prefix = (uint8_t)(bits - 96);
		memmove(r.addr, r.addr + 12, 4);
		memset(r.addr + 4, 0, 12);
	}
	*ret = r;
	return CIDR_OK;
}

/* `address:` a list of CIDR blocks and addresses */
static void cidr_set(struct pctx *c, const char *sel, struct pg_cidr_set *set)
{
	char b[SHOWN_MAX + 4], fix[INET6_ADDRSTRLEN + 8];
	const yaml_event_t *ev;
	struct pg_cidr r;
	yaml_mark_t start;
	size_t count = 0, items = 0, len;
	const char *v;

	if (!value_list_begin(c, sel, "a list of addresses or CIDR blocks", &set->present,
			      &set->pos, &start))
		return;
	while ((ev = value_list_next(c, sel, "an address or a CIDR block", &items, &v, &len))) {
		shown(v, len, b, sizeof(b));
		switch (parse_cidr(v, len, &r, fix, sizeof(fix))) {
		case CIDR_ADDRESS:
			mistake(c, ev->start_mark,
				"%s: '%s' is not an IPv4 or IPv6 address or CIDR block "
				"(10.0.0.0/8, "
				"198.18.0.2, fd00::/8, ::1)",
				sel, b);
			break;
		case CIDR_PREFIX:
			mistake(c, ev->start_mark,
				"%s: '%s' has a prefix length that is not a number (no sign, no "
				"leading zero)",
				sel, b);
			break;
		case CIDR_RANGE:
			mistake(c, ev->start_mark,
				"%s: '%s' has a prefix length out of range (0..%s)", sel, b,
				memchr(v, ':', len) ? "128 for IPv6" : "32 for IPv4");
			break;
		case CIDR_HOST:
			mistake(c, ev->start_mark,
				"%s: '%s' has bits set past its prefix length: write %s", sel, b,
				fix);
			break;
		case CIDR_OK:
			if (++count == PG_POLICY_MAX_VALUES + 1)
				mistake(c, ev->start_mark, "%s: more than %d values", sel,
					PG_POLICY_MAX_VALUES);
			else if (count <= PG_POLICY_MAX_VALUES &&
				 push(&set->v, &set->n, &r, sizeof(r)))
				no_memory(c);
			break;
		}
		consume(c);
	}
	if (!items)
		mistake(c, start, "%s: empty list (a selector needs at least one value)", sel);
}

static void tristate(struct pctx *c, const char *sel, enum pg_tristate *t)
{
	char b[SHOWN_MAX + 8];
	const char *v;

	if (!expect(c, K_SCALAR, sel, "true or false"))
		return;
	v = (const char *)c->ev.data.scalar.value;
	if (c->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE")))
		*t = PG_YES;
	else if (c->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		 (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE")))
		*t = PG_NO;
	else
		mistake(c, c->ev.start_mark, "%s: expected true or false, got %s%s", sel,
			got(&c->ev, b, sizeof(b)),
			c->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? "" : " (quoted)");
	consume(c);
}

static void selectors(struct pctx *c, const char *what, struct pg_selectors *sel,
		      struct pg_selectors * not )
{
	struct map_it it;
	int k;

	if (!expect(c, K_MAP, what, "a mapping of selectors"))
		return;
	map_begin(c, &it, sel_keys, PG_ARRAY_SIZE(sel_keys),
		  ALL_KEYS(PG_ARRAY_SIZE(sel_keys)) & ~(not ? 0 : 1u << SEL_NOT_KEY), what);
	while ((k = map_next(c, &it)) >= 0) {
		const struct sel_desc *d = &sel_descs[k];
		void *field = (char *)sel + d->off;

		switch (d->kind) {
		case SEL_STR: str_set(c, sel_keys[k], d, field); break;
		case SEL_UINT: uint_set(c, sel_keys[k], d->ops, field); break;
		case SEL_BOOL: tristate(c, sel_keys[k], field); break;
		case SEL_CIDR: cidr_set(c, sel_keys[k], field); break;
		case SEL_NOT: selectors(c, "not", not, NULL); break;
		}
	}
}

/* Rules */

enum {
	R_NAME,
	R_ON,
	R_MATCH,
	R_ACTION,
	R_FALLBACK,
	R_RATE_LIMIT,
	R_TAGS,
	N_RULE_KEYS,
};

static const char *const rule_keys[N_RULE_KEYS] = {
	"name", "on", "match", "action", "fallback", "rate_limit", "tags",
};

static void events(struct pctx *c, struct pg_rule *r)
{
	char b[SHOWN_MAX + 4], known[512];
	yaml_mark_t start;
	size_t i, off = 0;
	bool any = false;
	int t;

	for (i = 0; i < PG_ARRAY_SIZE(event_names); i++)
		off += snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
				event_names[i].name);

	if (!expect(c, K_LIST, "on", "a list of event names"))
		return;
	start = list_begin(c);
	while (list_next(c)) {
		any = true;
		if (!expect(c, K_SCALAR, "on", "an event name"))
			continue;
		t = pg_policy_event_type((const char *)c->ev.data.scalar.value);
		if (t < 0 ||
		    strlen((const char *)c->ev.data.scalar.value) != c->ev.data.scalar.length) {
			mistake(c, c->ev.start_mark, "on: unknown event '%s' (known: %s)",
				shown((const char *)c->ev.data.scalar.value,
				      c->ev.data.scalar.length, b, sizeof(b)),
				known);
		} else {
			r->events |= 1ULL << t;
		}
		consume(c);
	}
	if (!any)
		mistake(c, start, "on: empty list (name at least one event)");
}

/* Returns false if the action was not understood (and so reported). */
static bool action(struct pctx *c, const char *key, enum pg_action *a, yaml_mark_t *at)
{
	char b[SHOWN_MAX + 4];
	bool ok = true;
	const char *v;

	if (!expect(c, K_SCALAR, key, "report, deny or kill"))
		return false;
	v = (const char *)c->ev.data.scalar.value;
	*at = c->ev.start_mark;
	if (!strcmp(v, "report"))
		*a = PG_ACTION_REPORT;
	else if (!strcmp(v, "deny"))
		*a = PG_ACTION_DENY;
	else if (!strcmp(v, "kill"))
		*a = PG_ACTION_KILL;
	else
		ok = false;
	if (!ok)
		mistake(c, c->ev.start_mark, "%s: unknown action '%s' (known: report, deny, kill)",
			key, shown(v, c->ev.data.scalar.length, b, sizeof(b)));
	consume(c);
	return ok;
}

/* Durations: a whole number and a unit, "500ms", "1s", "2m", "1h". */
static int parse_duration(const char *s, size_t len, uint64_t *ret_ns)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{ "ms", 1000000ULL },
		{ "s", 1000000000ULL },
		{ "m", 60000000000ULL },
		{ "h", 3600000000000ULL },
	};
	size_t digits = 0, i;
	uint64_t v;

	while (digits < len && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	/* more digits than any interval in range needs: refuse before multiplying */
	if (!digits || digits > 12 || parse_dec(s, digits, UINT64_MAX, &v))
		return -EINVAL;
	for (i = 0; i < PG_ARRAY_SIZE(units); i++)
		if (len - digits == strlen(units[i].unit) &&
		    !memcmp(s + digits, units[i].unit, len - digits))
			break;
	if (i == PG_ARRAY_SIZE(units))
		return -EINVAL;
	if (v > PG_POLICY_MAX_INTERVAL_NS / units[i].ns + 1)
		return -ERANGE;
	v *= units[i].ns;
	if (v < PG_POLICY_MIN_INTERVAL_NS || v > PG_POLICY_MAX_INTERVAL_NS)
		return -ERANGE;
	*ret_ns = v;
	return 0;
}

enum {
	RL_MAX,
	RL_PER,
	RL_INTERVAL,
	N_RL_KEYS,
};

static const char *const rl_keys[N_RL_KEYS] = { "max", "per", "interval" };

static void rate_limit(struct pctx *c, struct pg_rate_limit *rl)
{
	char b[SHOWN_MAX + 4];
	struct map_it it;
	yaml_mark_t at;
	uint64_t v;
	int k, err;

	if (!expect(c, K_MAP, "rate_limit", "a mapping (max, per, interval)"))
		return;
	map_begin(c, &it, rl_keys, N_RL_KEYS, ALL_KEYS(N_RL_KEYS), "rate_limit");
	while ((k = map_next(c, &it)) >= 0) {
		switch (k) {
		case RL_MAX:
			if (!take_number(c, "max", UINT32_MAX, &v, &at))
				break;
			if (!v)
				mistake(c, at,
					"max: must be at least 1 (leave rate_limit out for no "
					"limit)");
			rl->max = (uint32_t)v;
			break;
		case RL_PER:
			if (!expect(c, K_SCALAR, "per", "process or global"))
				break;
			if (!strcmp((const char *)c->ev.data.scalar.value, "process"))
				rl->per_process = true;
			else if (!strcmp((const char *)c->ev.data.scalar.value, "global"))
				rl->per_process = false;
			else
				mistake(c, c->ev.start_mark,
					"per: unknown '%s' (known: process, global)",
					shown((const char *)c->ev.data.scalar.value,
					      c->ev.data.scalar.length, b, sizeof(b)));
			consume(c);
			break;
		case RL_INTERVAL:
			if (!expect(c, K_SCALAR, "interval", "a duration (500ms, 1s, 2m)"))
				break;
			err = parse_duration((const char *)c->ev.data.scalar.value,
					     c->ev.data.scalar.length, &v);
			shown((const char *)c->ev.data.scalar.value, c->ev.data.scalar.length, b,
			      sizeof(b));
			if (err == -ERANGE)
				mistake(c, c->ev.start_mark,
					"interval: '%s' is out of range (1ms..24h)", b);
			else if (err)
				mistake(c, c->ev.start_mark,
					"interval: '%s' is not a duration (a whole number and ms, "
					"s, m or h: 500ms, 1s, 2m)",
					b);
			else
				rl->interval_ns = v;
			consume(c);
			break;
		}
	}
	map_require(c, &it, RL_MAX);
}

static void tags(struct pctx *c, struct pg_rule *r)
{
	yaml_mark_t start, at;
	size_t items = 0, count = 0;
	char *s;

	if (!expect(c, K_LIST, "tags", "a list of strings"))
		return;
	start = list_begin(c);
	while (list_next(c)) {
		items++;
		s = take_string(c, "tags", true, &at);
		if (!s)
			continue;
		/* one message for the excess, not one per extra tag */
		if (++count == PG_POLICY_MAX_TAGS + 1)
			mistake(c, at, "tags: more than %d tags", PG_POLICY_MAX_TAGS);
		if (count > PG_POLICY_MAX_TAGS) {
			free(s);
		} else if (push(&r->tags, &r->n_tags, &s, sizeof(s))) {
			no_memory(c);
			free(s);
		}
	}
	if (!items)
		mistake(c, start, "tags: empty list (leave tags out instead)");
}

/* A mark for a message about something parsed earlier (its pg_pos). */
static yaml_mark_t pos_mark(struct pg_pos pos)
{
	yaml_mark_t m = { 0 };

	m.line = pos.line > 0 ? (size_t)pos.line - 1 : 0;
	m.column = pos.column > 0 ? (size_t)pos.column - 1 : 0;
	return m;
}

/* The family of events in @events, for messages: the first one found. */
static const char *event_family(uint64_t events)
{
	if (events & PG_POLICY_PROCESS_EVENTS)
		return "process";
	if (events & PG_POLICY_FILE_EVENTS)
		return "file";
	if (events & PG_POLICY_HOST_EVENTS)
		return "host";
	return "network";
}

/* Whether a selector was written, and where: any kind of set. */
struct written {
	bool present;
	struct pg_pos pos;
};

#define WRITTEN(set) ((struct written){ (set).present, (set).pos })
/* selectors per event family: path, name, access; address, port, protocol, direction, dns_name */
#define FAMILY_SELECTORS 5

/*
 * Selectors of one event family (@family) on a rule that is also on
 * events of another: one message, at the first of @sel written. @what
 * names the selectors and the events they apply to.
 */
static void family_only(struct pctx *c, const struct pg_rule *r, uint64_t family,
			const struct written sel[FAMILY_SELECTORS], const char *what)
{
	int i;

	if (!(r->events & ~family))
		return;
	for (i = 0; i < FAMILY_SELECTORS; i++)
		if (sel[i].present) {
			mistake(c, pos_mark(sel[i].pos),
				"%s only, and this rule is also on %s events", what,
				event_family(r->events & ~family));
			return;
		}
}

/* @key's values (@set), each @one or @other: all the kernel tells apart. */
static void one_of_two(struct pctx *c, const char *key, const struct pg_str_set *set,
		       const char *one, const char *other)
{
	char b[SHOWN_MAX + 4];
	size_t i;

	for (i = 0; i < set->n_exact; i++)
		if (strcmp(set->exact[i], one) && strcmp(set->exact[i], other))
			mistake(c, pos_mark(set->pos), "%s: unknown '%s' (known: %s, %s)", key,
				shown(set->exact[i], strlen(set->exact[i]), b, sizeof(b)), one,
				other);
}

/*
 * File selectors need file events, and their values what the kernel can
 * match: `name` a single component short enough for the name maps,
 * `access` read or write (an open is the only access with a direction).
 */
static void file_selectors(struct pctx *c, const struct pg_rule *r, const struct pg_selectors *s)
{
	const struct written sel[FAMILY_SELECTORS] = { WRITTEN(s->path), WRITTEN(s->name),
						       WRITTEN(s->access) };
	char b[SHOWN_MAX + 4];
	size_t i;

	family_only(c, r, PG_POLICY_FILE_EVENTS, sel,
		    "path, name and access apply to file events (file_open, file_create, ...)");
	for (i = 0; i < s->name.n_exact; i++) {
		const char *v = s->name.exact[i];

		if (!*v || strchr(v, '/') || !strcmp(v, ".") || !strcmp(v, ".."))
			mistake(c, pos_mark(s->name.pos),
				"name: '%s' is not a file name (one path component, no '/')",
				shown(v, strlen(v), b, sizeof(b)));
		else if (strlen(v) >= PG_FILE_NAME_MAX)
			mistake(c, pos_mark(s->name.pos),
				"name: '%s' is longer than the %d bytes the kernel matches; use "
				"path instead",
				shown(v, strlen(v), b, sizeof(b)), PG_FILE_NAME_MAX - 1);
	}
	one_of_two(c, "access", &s->access, "read", "write");
	if (s->access.present && (r->events & ~(1ULL << PG_EVENT_FILE_OPEN)))
		mistake(c, pos_mark(s->access.pos),
			"access: applies to file_open only (every other file event writes, or "
			"executes)");
	for (i = 0; i < s->path.n_exact + s->path.n_prefix; i++) {
		const char *v = i < s->path.n_exact ? s->path.exact[i]
						    : s->path.prefix[i - s->path.n_exact];

		if (strlen(v) >= PG_PATH_MAX)
			mistake(c, pos_mark(s->path.pos), "path: longer than %d bytes",
				PG_PATH_MAX - 1);
		else if (strstr(v, "/./") || strstr(v, "/../") || strstr(v, "//") ||
			 (strlen(v) >= 3 && !strcmp(v + strlen(v) - 3, "/..")))
			mistake(c, pos_mark(s->path.pos),
				"path: '%s' is not a normalised path (no '.', '..' or '//')",
				shown(v, strlen(v), b, sizeof(b)));
	}
}

/*
 * DNS names compare without regard to case (RFC 4343), and "example.com."
 * names the same as "example.com": store them as the agent renders them,
 * lower case and without the root's dot, so matching is a plain compare.
 */
static void dns_name_fold(struct pctx *c, const struct pg_str_set *set, char **v, size_t n)
{
	char b[SHOWN_MAX + 4];
	size_t i, len;
	char *p;

	for (i = 0; i < n; i++) {
		for (p = v[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		len = strlen(v[i]);
		if (len > 1 && v[i][len - 1] == '.')
			v[i][--len] = 0;
		if (!len || len > 253 ||
		    strspn(v[i], "abcdefghijklmnopqrstuvwxyz0123456789-_.") != len)
			mistake(c, pos_mark(set->pos),
				"dns_name: '%s' is not a DNS name (letters, digits, '-', '_' "
				"and '.', at most 253 bytes)",
				shown(v[i], len, b, sizeof(b)));
	}
}

static void dns_names(struct pctx *c, struct pg_str_set *s)
{
	dns_name_fold(c, s, s->exact, s->n_exact);
	dns_name_fold(c, s, s->suffix, s->n_suffix);
}

/*
 * Network selectors need network events: an exec or an open has no
 * address to compare. Protocols are the two the network sensor reports.
 */
static void net_selectors(struct pctx *c, const struct pg_rule *r, struct pg_selectors *s)
{
	const struct written sel[FAMILY_SELECTORS] = {
		WRITTEN(s->address),   WRITTEN(s->port),     WRITTEN(s->protocol),
		WRITTEN(s->direction), WRITTEN(s->dns_name),
	};

	family_only(c, r, PG_POLICY_NET_EVENTS, sel,
		    "address, port, protocol, direction and dns_name apply to network events "
		    "(network_connect, network_accept, ...)");
	one_of_two(c, "protocol", &s->protocol, "tcp", "udp");
	one_of_two(c, "direction", &s->direction, "outbound", "inbound");
	dns_names(c, &s->dns_name);
}

/*
 * `direction:` separates the two kinds of network_close; on the other
 * events it is fixed (a connect goes out, an accept or a listen comes in),
 * and a direction none of the rule's events has is a rule that never fires.
 */
static void direction_possible(struct pctx *c, const struct pg_rule *r)
{
	const uint64_t in = (1ULL << PG_EVENT_NET_ACCEPT) | (1ULL << PG_EVENT_NET_LISTEN) |
			    (1ULL << PG_EVENT_NET_CLOSE);
	const uint64_t out = PG_POLICY_NET_EVENTS &
			     ~((1ULL << PG_EVENT_NET_ACCEPT) | (1ULL << PG_EVENT_NET_LISTEN));
	const struct pg_str_set *d = &r->match.direction;
	bool inbound;

	if (!d->present || d->n_exact != 1)
		return;
	inbound = !strcmp(d->exact[0], "inbound");
	if (!(r->events & (inbound ? in : out)))
		mistake(c, pos_mark(d->pos),
			"direction: %s never matches this rule's events (inbound: network_accept, "
			"network_listen, network_close; outbound: every other network event)",
			d->exact[0]);
}

static const char *const host_kind_names[PG_HOST_KINDS] = {
	[PG_HOST_KIND_MOUNT] = "mount",	  [PG_HOST_KIND_HOSTNAME] = "hostname",
	[PG_HOST_KIND_TIME] = "time",	  [PG_HOST_KIND_SWAP] = "swap",
	[PG_HOST_KIND_REBOOT] = "reboot", [PG_HOST_KIND_KEXEC] = "kexec",
	[PG_HOST_KIND_MODULE] = "module", [PG_HOST_KIND_BPF] = "bpf",
	[PG_HOST_KIND_PTRACE] = "ptrace", [PG_HOST_KIND_PROCESS_VM_WRITE] = "process_vm_write",
	[PG_HOST_KIND_SYSCTL] = "sysctl",
};

const char *pg_policy_host_kind_name(unsigned kind)
{
	return kind < PG_HOST_KINDS && host_kind_names[kind] ? host_kind_names[kind] : "unknown";
}

int pg_policy_host_kind(const char *name)
{
	unsigned k;

	for (k = 1; k < PG_HOST_KINDS; k++)
		if (!strcmp(name, host_kind_names[k]))
			return k;
	return -ENOENT;
}

/* `kind` applies to host_change alone, and names one of its kinds. */
static void host_selectors(struct pctx *c, const struct pg_rule *r, const struct pg_selectors *s)
{
	char b[SHOWN_MAX + 4];
	size_t i;

	if (s->kind.present && (r->events & ~(1ULL << PG_EVENT_HOST_CHANGE)))
		mistake(c, pos_mark(s->kind.pos),
			"kind: applies to host_change only, and this rule is also on %s events",
			event_family(r->events & ~(1ULL << PG_EVENT_HOST_CHANGE)));
	for (i = 0; i < s->kind.n_exact; i++)
		if (pg_policy_host_kind(s->kind.exact[i]) < 0)
			mistake(c, pos_mark(s->kind.pos),
				"kind: unknown '%s' (known: mount, hostname, time, swap, reboot, "
				"kexec, "
				"module, bpf, ptrace, process_vm_write, sysctl)",
				shown(s->kind.exact[i], strlen(s->kind.exact[i]), b, sizeof(b)));
}

static void rule(struct pctx *c, struct pg_rule *r)
{
	yaml_mark_t action_at = { 0 }, fallback_at = { 0 };
	enum pg_action fb = PG_ACTION_NONE;
	bool action_ok = true;
	struct map_it it;
	int k;

	map_begin(c, &it, rule_keys, N_RULE_KEYS, ALL_KEYS(N_RULE_KEYS), "rule");
	r->pos.line = (int)it.start.line + 1;
	r->pos.column = (int)it.start.column + 1;
	while ((k = map_next(c, &it)) >= 0) {
		switch (k) {
		case R_NAME: r->name = take_string(c, "name", true, NULL); break;
		case R_ON: events(c, r); break;
		case R_MATCH: selectors(c, "match", &r->match, &r->not ); break;
		case R_ACTION:
			action_ok = action(c, "action", &r->action, &action_at);
			r->action_pos.line = (int)action_at.line + 1;
			r->action_pos.column = (int)action_at.column + 1;
			break;
		case R_FALLBACK: action(c, "fallback", &fb, &fallback_at); break;
		case R_RATE_LIMIT: rate_limit(c, &r->rate); break;
		case R_TAGS: tags(c, r); break;
		}
	}
	map_require(c, &it, R_NAME);
	map_require(c, &it, R_ON);
	if (fb != PG_ACTION_NONE) {
		if (fb != PG_ACTION_KILL)
			mistake(c, fallback_at,
				"fallback: only kill can stand in for deny, not '%s'",
				pg_action_name(fb));
		else if (!action_ok)
			; /* after a misspelt action, a complaint about the fallback would mislead */
		else if (r->action != PG_ACTION_DENY)
			mistake(c, fallback_at,
				"fallback: only allowed with action: deny (this rule's action is "
				"%s)",
				pg_action_name(r->action));
		else
			r->fallback = fb;
	}
	file_selectors(c, r, &r->match);
	file_selectors(c, r, &r->not );
	net_selectors(c, r, &r->match);
	net_selectors(c, r, &r->not );
	direction_possible(c, r);
	host_selectors(c, r, &r->match);
	host_selectors(c, r, &r->not );
	/* an exit can be neither refused nor cut short: the process is already going */
	if ((r->events & (1ULL << PG_EVENT_PROCESS_EXIT)) &&
	    (r->action == PG_ACTION_DENY || r->action == PG_ACTION_KILL))
		mistake(c, action_at,
			"action: %s cannot apply to process_exit (the process is already exiting)",
			pg_action_name(r->action));
}

static void rules(struct pctx *c, struct pg_policy *p)
{
	struct pg_rule r;
	yaml_mark_t start, at;
	size_t items = 0, i;

	if (!expect(c, K_LIST, "rules", "a list of rules"))
		return;
	start = list_begin(c);
	while (list_next(c)) {
		items++;
		if (!expect(c, K_MAP, "rules", "a rule (a mapping)"))
			continue;
		at = c->ev.start_mark;
		rule_init(&r);
		rule(c, &r);
		if (items == PG_POLICY_MAX_RULES + 1)
			mistake(c, at, "rules: more than %d rules in one policy",
				PG_POLICY_MAX_RULES);
		for (i = 0; r.name && i < p->n_rules; i++)
			if (p->rules[i].name && !strcmp(p->rules[i].name, r.name)) {
				mistake(c, at, "rule: duplicate rule name '%s' (first at %d:%d)",
					r.name, p->rules[i].pos.line, p->rules[i].pos.column);
				break;
			}
		/* past the limit, rules are still checked but not kept */
		if (items > PG_POLICY_MAX_RULES || push(&p->rules, &p->n_rules, &r, sizeof(r))) {
			if (items <= PG_POLICY_MAX_RULES)
				no_memory(c);
			rule_free(&r);
		}
	}
	if (!items)
		mistake(c, start, "rules: empty list (a policy needs at least one rule)");
}

enum {
	P_NAME,
	P_DESCRIPTION,
	P_MODE,
	P_RULES,
	N_POLICY_KEYS,
};

static const char *const policy_keys[N_POLICY_KEYS] = { "name", "description", "mode", "rules" };

static void policy(struct pctx *c, struct pg_policy *p)
{
	char b[SHOWN_MAX + 4];
	struct map_it it;
	const char *v;
	int k;

	map_begin(c, &it, policy_keys, N_POLICY_KEYS, ALL_KEYS(N_POLICY_KEYS), "policy");
	while ((k = map_next(c, &it)) >= 0) {
		switch (k) {
		case P_NAME: p->name = take_string(c, "name", true, NULL); break;
		case P_DESCRIPTION:
			p->description = take_string(c, "description", false, NULL);
			break;
		case P_MODE:
			if (!expect(c, K_SCALAR, "mode", "monitor or enforce"))
				break;
			v = (const char *)c->ev.data.scalar.value;
			if (!strcmp(v, "monitor"))
				p->mode = PG_MODE_MONITOR;
			else if (!strcmp(v, "enforce"))
				p->mode = PG_MODE_ENFORCE;
			else
				mistake(c, c->ev.start_mark,
					"mode: unknown mode '%s' (known: monitor, enforce)",
					shown(v, c->ev.data.scalar.length, b, sizeof(b)));
			consume(c);
			break;
		case P_RULES: rules(c, p); break;
		}
	}
	map_require(c, &it, P_NAME);
	map_require(c, &it, P_RULES);
}

/* stream: one document, whose root is the policy mapping */
static void stream(struct pctx *c, struct pg_policy *p)
{
	yaml_event_t *ev;
	char b[SHOWN_MAX + 8];

	if (!(ev = peek(c)))
		return;
	consume(c); /* STREAM-START */
	if (!(ev = peek(c)))
		return;
	if (ev->type == YAML_STREAM_END_EVENT) {
		mistake(c, ev->start_mark, "empty policy: it needs at least name and rules");
		return;
	}
	consume(c); /* DOCUMENT-START */
	if (!(ev = peek(c)))
		return;
	if (ev->type == YAML_MAPPING_START_EVENT) {
		policy(c, p);
	} else {
		if (is_null(ev))
			mistake(c, ev->start_mark,
				"empty policy: it needs at least name and rules");
		else if (ev->type != YAML_ALIAS_EVENT)
			mistake(c, ev->start_mark,
				"a policy is a mapping (name, description, mode, rules), not %s",
				got(ev, b, sizeof(b)));
		skip(c);
	}
	if (!(ev = peek(c)))
		return;
	consume(c); /* DOCUMENT-END */
	if (!(ev = peek(c)))
		return;
	if (ev->type == YAML_DOCUMENT_START_EVENT)
		mistake(c, ev->start_mark,
			"a second YAML document: one policy per file (remove the '---')");
}

int pg_policy_parse(const char *buf, size_t len, const char *file, struct pg_policy *ret,
		    struct pg_diag *diag)
{
	struct pg_policy p = { .mode = PG_MODE_MONITOR };
	struct pctx c = { .file = file ? file : "<input>" };
	int err = 0;

	if (diag)
		memset(diag, 0, sizeof(*diag));
	if (!yaml_parser_initialize(&c.yp))
		return -ENOMEM;
	c.buf = (const unsigned char *)(buf ? buf : "");
	c.len = buf ? len : 0;
	yaml_parser_set_input_string(&c.yp, c.buf, c.len);
	stream(&c, &p);
	consume(&c);
	yaml_parser_delete(&c.yp);

	sort_mistakes(&c);
	if (c.err)
		err = c.err;
	else if (c.diag.n)
		err = -EINVAL;
	else if (!(p.file = strdup(c.file)))
		err = -ENOMEM;
	if (err) {
		pg_policy_free(&p);
		if (diag)
			*diag = c.diag;
		else
			pg_diag_free(&c.diag);
		return err;
	}
	*ret = p;
	return 0;
}

int pg_policy_parse_file(const char *path, struct pg_policy *ret, struct pg_diag *diag)
{
	struct pg_diag local = { 0 };
	size_t len = 0;
	char *buf = NULL;
	ssize_t n;
	int fd, err;

	if (!diag)
		diag = &local;
	memset(diag, 0, sizeof(*diag));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		pg_diag_add(diag, "%s: cannot open: %s", path, strerror(-err));
		goto cleanup;
	}
	/* one byte more than allowed, to tell "at the limit" from "past it" */
	buf = malloc(PG_POLICY_MAX_FILE_SIZE + 1);
	if (!buf) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (len <= PG_POLICY_MAX_FILE_SIZE) {
		n = read(fd, buf + len, PG_POLICY_MAX_FILE_SIZE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			pg_diag_add(diag, "%s: cannot read: %s", path, strerror(-err));
			goto cleanup;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	if (len > PG_POLICY_MAX_FILE_SIZE) {
		err = -EFBIG;
		pg_diag_add(diag, "%s: larger than %d bytes (4 MiB), the limit for a policy file",
			    path, PG_POLICY_MAX_FILE_SIZE);
		goto cleanup;
	}
	err = pg_policy_parse(buf, len, path, ret, diag);
cleanup:
	if (fd >= 0)
		close(fd);
	free(buf);
	pg_diag_free(&local);
	return err;
}
