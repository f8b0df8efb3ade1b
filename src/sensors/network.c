// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Network sensor: TCP connections out and in, their end, listening
 * sockets and UDP sends (bpf/network.bpf.c), all in struct pg_net_event.
 * The kernel side decides against the policy, so only records some rule
 * matched reach us; here they become network_* events.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "dns.h"
#include "json.h"
#include "kernel_features.h"
#include "log.h"
#include "network.skel.h"
#include "policy_engine.h"
#include "sensors/network.h"
#include "sensors/process.h"
#include "util.h"

/* ---- the sensor ---- */

/* every backend: the TCP state tracepoint, and accept()'s return */
static bool usable_common(const struct pg_features *f)
{
	return f->tp_btf && f->tracefs && f->tracepoint;
}

static bool usable_lsm(const struct pg_features *f)
{
	return f->lsm_prog && f->lsm_active && usable_common(f);
}

static bool usable_cgroup(const struct pg_features *f)
{
	return f->cgroup_v2 && usable_common(f);
}

static bool usable_fentry(const struct pg_features *f)
{
	return f->fentry && usable_common(f);
}

#define COMMON_PROGS                                                                               \
	"tp_btf_inet_sock_set_state", "tp_sys_exit_accept4", "tp_sys_exit_accept",                 \
		"tp_btf_io_uring_complete"

/* DNS messages, to and from the sockets the connect and send hooks marked */
#define DNS_PROGS "cgroup_skb_egress", "cgroup_skb_ingress"

static const char *const lsm_progs[] = {
	"lsm_socket_connect", "lsm_socket_sendmsg", COMMON_PROGS, DNS_PROGS, NULL,
};

static const char *const fentry_progs[] = {
	"fentry_security_socket_connect",
	"fentry_security_socket_sendmsg",
	COMMON_PROGS,
	DNS_PROGS,
	NULL,
};

static const char *const cgroup_progs[] = {
	"cgroup_connect4",
	"cgroup_connect6",
	"cgroup_sendmsg4",
	"cgroup_sendmsg6",
	COMMON_PROGS,
	DNS_PROGS,
	/* the kills a cgroup program cannot send (bpf/network.bpf.c) */
	"tp_sys_exit_connect",
	"tp_sys_exit_sendto",
	"tp_sys_exit_sendmsg",
	"tp_sys_exit_sendmmsg",
	NULL,
};

/*
 * Best first: LSM refuses and kills in the hook; the cgroup hooks refuse
 * too (EPERM), and kill at the syscall's return; fentry only reports and
 * kills.
 */
static const struct pg_backend network_backends[] = {
	{ "lsm", "BPF LSM, tp_btf, syscall tracepoints", usable_lsm, lsm_progs },
	{ "cgroup", "cgroup v2, tp_btf, syscall tracepoints", usable_cgroup, cgroup_progs },
	{ "fentry", "BPF trampolines, tp_btf, syscall tracepoints", usable_fentry, fentry_progs },
};

/* The object's .rodata, writable before the load; NULL if it is too short. */
static struct network_bpf__rodata *rodata_of(struct bpf_object *obj, size_t need)
{
	struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
	size_t sz = 0;
	void *ro;

	/*
	 * Before the load, .rodata is the object's writable image, the very
	 * memory a skeleton's ->rodata points at. The struct is padded to its
	 * alignment, the section is not: @need is where the last field ends.
	 */
	ro = rodata ? (void *)(uintptr_t)bpf_map__initial_value(rodata, &sz) : NULL;
	return ro && sz >= need ? ro : NULL;
}

/*
 * The io_uring completion program whose arguments are this kernel's
 * io_uring_complete's, or NULL (no io_uring). Where a completion posted
 * without its request can be tied to a multishot accept, *@submit is the
 * program that notes the accepts at submission (the request the first
 * argument of io_uring_submit_req, or of its earlier name
 * io_uring_submit_sqe: 6.0 and later), and the completion program takes
 * the request's user_data and result as arguments (from 5.19: 6.1 among
 * them) or in the completion entry (later: 6.12 among them).
 */
static const char *uring_complete_prog(struct btf **btf, const char **submit)
{
	int n, m;
	const struct btf_type *a2 = pg_btf_tp_arg(btf, "io_uring_complete", 2, &n);
	const char *prog = NULL;

	*submit = NULL;
	if (n < 0)
		return NULL;
	if (n == 3 && pg_btf_is_ptr_to(*btf, a2, "io_uring_cqe"))
		prog = "tp_btf_io_uring_complete_cqe";
	else if (n >= 5 && a2 && btf_is_int(a2))
		prog = "tp_btf_io_uring_complete_ud";
	if (pg_btf_is_ptr_to(*btf, pg_btf_tp_arg(btf, "io_uring_submit_req", 0, &m), "io_kiocb"))
		*submit = "tp_btf_net_uring_submit";
	else if (pg_btf_is_ptr_to(*btf, pg_btf_tp_arg(btf, "io_uring_submit_sqe", 0, &m),
				  "io_kiocb"))
		*submit = "tp_btf_net_uring_submit_sqe";
	if (!prog || !*submit) {
		*submit = NULL;
		return "tp_btf_io_uring_complete";
	}
	return prog;
}

/*
 * The DNS programs find a message's process by the socket's cookie, which
 * the LSM and fentry hooks can only ask for where tracing programs have
 * the cookie helper (5.12, commit c5dbb89fc2ac "bpf: Expose
 * bpf_get_socket_cookie to tracing programs", which added
 * bpf_get_socket_ptr_cookie: told by that function in the kernel's BTF).
 * Before, the cgroup hooks, which have always had it, run beside them to
 * mark DNS sockets and nothing else. The packet programs attach to the
 * cgroup v2 root: without one, the rest of the sensor runs, without DNS
 * events.
 */
static int network_configure(struct bpf_object *obj, const struct pg_config *cfg)
{
	static const char *const uring_progs[] = {
		"tp_btf_io_uring_complete",	"tp_btf_io_uring_complete_ud",
		"tp_btf_io_uring_complete_cqe", "tp_btf_net_uring_submit",
		"tp_btf_net_uring_submit_sqe",	NULL
	};
	static const char *const skb_progs[] = { "cgroup_skb_egress", "cgroup_skb_ingress", NULL };
	static const char *const marker_progs[] = { "cgroup_connect4", "cgroup_connect6",
						    "cgroup_sendmsg4", "cgroup_sendmsg6", NULL };
	struct bpf_program *lsm = bpf_object__find_program_by_name(obj, "lsm_socket_connect");
	struct bpf_program *fentry =
		bpf_object__find_program_by_name(obj, "fentry_security_socket_connect");
	bool hook =
		(lsm && bpf_program__autoload(lsm)) || (fentry && bpf_program__autoload(fentry));
	struct network_bpf__rodata *ro;
	struct btf *btf = NULL;
	const char *uring[3] = { NULL };
	bool cookie;

	(void)cfg;
	/* one completion program, if io_uring is here, and the submission one with it */
	pg_sensor_set_autoload(obj, uring_progs, false);
	uring[0] = uring_complete_prog(&btf, &uring[1]);
	if (uring[0])
		pg_sensor_set_autoload(obj, uring, true);
	cookie = pg_btf_has(&btf, "bpf_get_socket_ptr_cookie", BTF_KIND_FUNC);
	btf__free(btf);
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    access("/sys/fs/cgroup/unified/cgroup.controllers", F_OK)) {
		pg_info("network: no DNS events on this kernel: no cgroup v2 mounted");
		pg_sensor_set_autoload(obj, skb_progs, false);
		return 0;
	}
	if (!hook)
		return 0; /* the cgroup backend: its hooks have the cookie */
	ro = rodata_of(obj, offsetof(struct network_bpf__rodata, pg_cgroup_dns_marker) +
				    sizeof(ro->pg_cgroup_dns_marker));
	if (!ro)
		return -EINVAL;
	if (cookie) {
		/* the hooks ask for cookies themselves */
		ro->pg_cookie_helper = 1;
		return 0;
	}
	ro->pg_cgroup_dns_marker = 1;
	pg_sensor_set_autoload(obj, marker_progs, true);
	return 0;
}

/* ---- events ---- */

struct net_event_name {
	const char *name;
	const char *compact; /* the compact view's verb, 6 columns */
};

static const struct net_event_name net_names[] = {
	[PG_EVENT_NET_CONNECT - PG_EVENT_NET_CONNECT] = { "network_connect", "conn" },
	[PG_EVENT_NET_ACCEPT - PG_EVENT_NET_CONNECT] = { "network_accept", "accept" },
	[PG_EVENT_NET_CLOSE - PG_EVENT_NET_CONNECT] = { "network_close", "close" },
	[PG_EVENT_NET_LISTEN - PG_EVENT_NET_CONNECT] = { "network_listen", "listen" },
	[PG_EVENT_NET_UDP - PG_EVENT_NET_CONNECT] = { "network_udp", "udp" },
};

static const char *const state_names[] = {
	[PG_NET_CALL] = "call",	      [PG_NET_ESTABLISHED] = "established",
	[PG_NET_REFUSED] = "refused", [PG_NET_TIMED_OUT] = "timed_out",
	[PG_NET_FAILED] = "failed",   [PG_NET_CONNECTED] = "connected",
};

void pg_net_addr_str(char out[64], uint8_t family, const uint8_t addr[16])
{
	out[0] = 0;
	if (family == PG_NET_V4)
		inet_ntop(AF_INET, addr, out, 64);
	else if (family == PG_NET_V6)
		inet_ntop(AF_INET6, addr, out, 64);
}

static const char *protocol_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : "unknown";
}

static bool has_local(const struct pg_net_event *e)
{
	/* the call itself and a UDP send happen before the kernel picks a local end */
	return e->sport || e->hdr.type != PG_EVENT_NET_UDP;
}

/*
 * The name the host last resolved to each address, from the DNS answers
 * the sensor saw: direct-mapped, a newer answer replaces an older one.
 * Bounded (NAME_SLOTS entries, ~280 KiB); one agent per process.
 */
#define NAME_SLOTS 1024

struct name_slot {
	uint8_t family; /* 0: empty */
	uint8_t addr[16];
	char name[PG_DNS_NAME_MAX];
};

static struct name_slot names[NAME_SLOTS];

static struct name_slot *name_slot(uint8_t family, const uint8_t addr[16])
{
	uint64_t h = family * 0x9E3779B97F4A7C15ULL;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 0x100000001B3ULL;
	return &names[h % NAME_SLOTS];
}

static const char *remote_name(uint8_t family, const uint8_t addr[16])
{
	const struct name_slot *n = name_slot(family, addr);

	return n->family == family && !memcmp(n->addr, addr, 16) ? n->name : NULL;
}

static void remote_name_set(uint8_t family, const uint8_t addr[16], const char *name)
{
	struct name_slot *n = name_slot(family, addr);

	n->family = family;
	memcpy(n->addr, addr, 16);
	snprintf(n->name, sizeof(n->name), "%s", name);
}

/*
 * One end of a socket; a NULL address: that end is not known or not bound.
 * name: the remote end's remote_name (NULL: none), looked up once by the
 * caller, who decided the event with it.
 */
struct net_end {
	const uint8_t *addr;
	uint16_t port;
	const char *name;
};

/* "socket":{…}, shared by the connection and DNS events so they read alike */
static void socket_json(struct pg_json *w, uint8_t family, const char *protocol,
			struct net_end local, struct net_end remote, uint64_t cookie,
			uint32_t netns)
{
	char buf[64];

	PG_JSON_KEY(w, "socket");
	pg_json__begin_object(w);
	PG_JSON_KV_STRING(w, "family", family == PG_NET_V6 ? "ipv6" : "ipv4");
	PG_JSON_KV_STRING(w, "protocol", protocol);
	if (local.addr) {
		pg_net_addr_str(buf, family, local.addr);
		PG_JSON_KV_STRING(w, "local_address", buf);
		PG_JSON_KV_UINT(w, "local_port", local.port);
	}
	if (remote.addr) {
		pg_net_addr_str(buf, family, remote.addr);
		PG_JSON_KV_STRING(w, "remote_address", buf);
		PG_JSON_KV_UINT(w, "remote_port", remote.port);
		if (remote.name)
			PG_JSON_KV_STRING(w, "remote_name", remote.name);
	}
	PG_JSON_KV_UINT_STR(w, "cookie", cookie);
	PG_JSON_KV_UINT(w, "netns", netns);
	pg_json__end_object(w);
}

/* @remote: the peer, or (network_listen) no remote end: a NULL address */
static void net_socket_json(struct pg_json *w, const struct pg_net_event *e, struct net_end remote)
{
	struct net_end local = { has_local(e) ? e->saddr : NULL, e->sport, NULL };

	socket_json(w, e->family, protocol_name(e->protocol), local, remote, e->cookie, e->netns);
}

static void endpoint(struct pg_buf *b, uint8_t family, const uint8_t addr[16], uint16_t port)
{
	char buf[64];

	pg_net_addr_str(buf, family, addr);
	pg_buf_printf(b, family == PG_NET_V6 ? "[%s]:%u" : "%s:%u", buf, port);
}

static void compact_line(struct pg_agent *a, const struct net_event_name *n,
			 const struct pg_process *p, const struct pg_net_event *e,
			 const struct pg_decision *d)
{
	struct pg_buf *b = &a->compact;
	char ts[PG_RFC3339_LEN];

	pg_buf_reset(b);
	pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, e->hdr.ktime));
	pg_buf_printf(b, "%.12s %-6s %7u uid=%u ", ts + 11, n->compact, p->key.pid, p->creds.uid);
	pg_escape(b, p->binary, strlen(p->binary), false);
	pg_buf_printf(b, "  %s ", protocol_name(e->protocol));
	if (e->hdr.type == PG_EVENT_NET_LISTEN) {
		endpoint(b, e->family, e->saddr, e->sport);
	} else {
		if (has_local(e) && e->sport) {
			endpoint(b, e->family, e->saddr, e->sport);
			pg_buf_puts(b, " ");
		}
		pg_buf_puts(b, e->hdr.type == PG_EVENT_NET_ACCEPT ? "<- " : "-> ");
		endpoint(b, e->family, e->daddr, e->dport);
	}
	if (e->hdr.type == PG_EVENT_NET_CONNECT && e->state < PG_ARRAY_SIZE(state_names))
		pg_buf_printf(b, " %s", state_names[e->state]);
	if (e->hdr.type == PG_EVENT_NET_CLOSE)
		pg_buf_printf(b, " sent=%llu received=%llu %.3fs",
			      (unsigned long long)e->bytes_sent,
			      (unsigned long long)e->bytes_received, e->duration_ns / 1e9);
	if (d->rule && d->action && strcmp(d->action, "report"))
		pg_buf_printf(b, " [%s%s]", d->taken ? "" : "would ", d->action);
}

static void net_on_event(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_net_event *e = rec;
	const struct net_event_name *n;
	struct net_end remote = { NULL, 0, NULL };
	struct pg_decision d;
	struct pg_process *p;

	if (size < sizeof(*e) || e->hdr.type < PG_EVENT_NET_CONNECT ||
	    e->hdr.type > PG_EVENT_NET_UDP) {
		a->malformed++;
		return;
	}
	n = &net_names[e->hdr.type - PG_EVENT_NET_CONNECT];
	if (e->hdr.type != PG_EVENT_NET_LISTEN) {
		remote.addr = e->daddr;
		remote.port = e->dport;
		remote.name = remote_name(e->family, e->daddr);
	}
	p = pg_process_decide_begin(a, n->name, &e->task, &e->verdict, &e->matched, e->comm,
				    remote.name, &d);
	if (!p)
		return;
	net_socket_json(a->json, e, remote);
	/* the kernel's network path ran it (a close after the process went):
	 * the process is the one that made the connection */
	if (e->net_flags & PG_NET_F_NO_TASK)
		PG_JSON_KV_BOOL(a->json, "process_from_socket", true);
	if (e->net_flags & PG_NET_F_IO_URING)
		PG_JSON_KV_BOOL(a->json, "io_uring", true);
	if (e->hdr.type == PG_EVENT_NET_CONNECT && e->state < PG_ARRAY_SIZE(state_names))
		PG_JSON_KV_STRING(a->json, "state", state_names[e->state]);
	if (e->hdr.type == PG_EVENT_NET_CLOSE) {
		PG_JSON_KV_UINT_STR(a->json, "bytes_sent", e->bytes_sent);
		PG_JSON_KV_UINT_STR(a->json, "bytes_received", e->bytes_received);
		PG_JSON_KV_UINT_STR(a->json, "duration_ns", e->duration_ns);
	}
	if (e->result)
		pg_json__kv_result(a->json, e->result);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out))
		compact_line(a, n, p, e, &d);
	pg_agent_event_end(a, e->hdr.ktime);
	if (pg_output__wants_compact(a->out))
		pg_output__compact(a->out, a->compact.data, a->compact.len);
}

/* ---- DNS ---- */

static void dns_json(struct pg_json *w, const struct pg_dns_event *e, const struct pg_dns_msg *m,
		     const struct pg_dns_rr *rr)
{
	bool q = e->hdr.type == PG_EVENT_DNS_QUERY;
	/* the process's end and the server's, whichever way the packet went */
	struct net_end local = { q ? e->saddr : e->daddr, q ? e->sport : e->dport, NULL };
	struct net_end remote = { q ? e->daddr : e->saddr, q ? e->dport : e->sport, NULL };
	char buf[64], tmp[16];
	size_t i;

	remote.name = remote_name(e->family, remote.addr);
	socket_json(w, e->family, protocol_name(e->protocol), local, remote, e->cookie, e->netns);
	PG_JSON_KEY(w, "dns");
	pg_json__begin_object(w);
	PG_JSON_KV_UINT(w, "id", m->id);
	PG_JSON_KV_STRING(w, "name", m->qname);
	PG_JSON_KV_STRING(w, "type", pg_dns_type_name(m->qtype, tmp));
	if (m->response) {
		PG_JSON_KV_STRING(w, "rcode", pg_dns_rcode_name(m->rcode, tmp));
		PG_JSON_KEY(w, "answers");
		pg_json__begin_array(w);
		for (i = 0; i < m->n_answers; i++) {
			pg_json__begin_object(w);
			PG_JSON_KV_STRING(w, "name", rr[i].name);
			PG_JSON_KV_STRING(w, "type", pg_dns_type_name(rr[i].type, tmp));
			PG_JSON_KV_UINT(w, "ttl", rr[i].ttl);
			if (rr[i].type == PG_DNS_TYPE_A || rr[i].type == PG_DNS_TYPE_AAAA) {
				pg_net_addr_str(buf,
						rr[i].type == PG_DNS_TYPE_A ? PG_NET_V4 : PG_NET_V6,
						rr[i].addr);
				PG_JSON_KV_STRING(w, "address", buf);
			} else if (rr[i].target[0]) {
				PG_JSON_KV_STRING(w, "target", rr[i].target);
			}
			pg_json__end_object(w);
		}
		pg_json__end_array(w);
	}
	if (m->cut || e->len < e->msg_len)
		PG_JSON_KV_BOOL(w, "truncated", true);
	pg_json__end_object(w);
}

/* An answer names its addresses after the question (the name the process asked for). */
static void dns_learn(const struct pg_dns_msg *m, const struct pg_dns_rr *rr)
{
	size_t i;

	for (i = 0; i < m->n_answers; i++) {
		if (rr[i].type == PG_DNS_TYPE_A)
			remote_name_set(PG_NET_V4, rr[i].addr, m->qname);
		else if (rr[i].type == PG_DNS_TYPE_AAAA)
			remote_name_set(PG_NET_V6, rr[i].addr, m->qname);
	}
}

static void dns_on_event(struct pg_agent *a, const void *rec, size_t size)
{
	const struct pg_dns_event *e = rec;
	struct pg_dns_rr rr[PG_DNS_ANSWERS_MAX];
	struct pg_dns_msg m;
	struct pg_decision d;
	struct pg_process *p;
	bool query;

	if (size < sizeof(*e) || e->len > size - sizeof(*e) || e->len > PG_DNS_MAX ||
	    (e->protocol != IPPROTO_UDP && e->protocol != IPPROTO_TCP)) {
		a->malformed++;
		return;
	}
	query = e->hdr.type == PG_EVENT_DNS_QUERY;
	if (pg_dns_parse(e->data, e->len, &m, rr) || m.response == query) {
		a->malformed++; /* not DNS, though to or from port 53 */
		return;
	}
	if (!query)
		dns_learn(&m, rr);
	p = pg_process_decide_begin(a, query ? "dns_query" : "dns_answer", &e->task, &e->verdict,
				    &e->matched, e->comm, m.qname, &d);
	if (!p)
		return;
	dns_json(a->json, e, &m, rr);
	pg_json__end_object(a->json);
	if (pg_output__wants_compact(a->out)) {
		struct pg_buf *b = &a->compact;
		char ts[PG_RFC3339_LEN], tmp[16];

		pg_buf_reset(b);
		pg_format_rfc3339(ts, sizeof(ts), pg_agent_wall_ns(a, e->hdr.ktime));
		pg_buf_printf(b, "%.12s %-6s %7u uid=%u ", ts + 11, "dns", p->key.pid,
			      p->creds.uid);
		pg_escape(b, p->binary, strlen(p->binary), false);
		pg_buf_printf(b, "  %s ", query ? "?" : "=");
		pg_escape(b, m.qname, strlen(m.qname), false);
		pg_buf_printf(b, " %s", pg_dns_type_name(m.qtype, tmp));
		if (!query)
			pg_buf_printf(b, " %s, %zu answers", pg_dns_rcode_name(m.rcode, tmp),
				      m.n_answers);
	}
	pg_agent_event_end(a, e->hdr.ktime);
	if (pg_output__wants_compact(a->out))
		pg_output__compact(a->out, a->compact.data, a->compact.len);
}

static const struct pg_event_desc network_events[] = {
	{ PG_EVENT_NET_CONNECT, "network_connect", sizeof(struct pg_net_event), net_on_event },
	{ PG_EVENT_NET_ACCEPT, "network_accept", sizeof(struct pg_net_event), net_on_event },
	{ PG_EVENT_NET_CLOSE, "network_close", sizeof(struct pg_net_event), net_on_event },
	{ PG_EVENT_NET_LISTEN, "network_listen", sizeof(struct pg_net_event), net_on_event },
	{ PG_EVENT_NET_UDP, "network_udp", sizeof(struct pg_net_event), net_on_event },
	{ PG_EVENT_DNS_QUERY, "dns_query", sizeof(struct pg_dns_event), dns_on_event },
	{ PG_EVENT_DNS_ANSWER, "dns_answer", sizeof(struct pg_dns_event), dns_on_event },
};

/*
 * Accepts through io_uring are seen at their completion, whose request
 * carries its result (the new fd) from 5.19 on (struct io_cqe): before,
 * a kernel with io_uring has accepts this sensor cannot see. The
 * connections of a multishot accept need 6.0 (see uring_complete_prog()).
 */
static size_t network_unavailable(struct pg_unavailable *out, size_t max)
{
	struct btf *btf = NULL;
	size_t n = 0;
	const char *what = NULL, *why = NULL, *submit;

	if (max && uring_complete_prog(&btf, &submit)) {
		if (!pg_btf_has(&btf, "io_cqe", BTF_KIND_STRUCT)) {
			what = "io_uring";
			why = "this kernel's io_uring completions do not carry their result (5.19 "
			      "and later do): its accepts are not seen";
		} else if (!submit) {
			what = "io_uring_multishot";
			why = "before 6.0, a completion posted without its request cannot be tied "
			      "to its accept: a multishot accept's connections are not seen";
		}
	}
	if (what) {
		out[n].event = "network_accept";
		out[n].what = what;
		snprintf(out[n].why, sizeof(out[n].why), "%s", why);
		n++;
	}
	btf__free(btf);
	return n;
}

const struct pg_sensor pg_sensor_network = {
	.name = "network",
	.required = false,
	.backends = network_backends,
	.n_backends = PG_ARRAY_SIZE(network_backends),
	.elf_bytes = network_bpf__elf_bytes,
	.configure = network_configure,
	.events = network_events,
	.n_events = PG_ARRAY_SIZE(network_events),
	.unavailable = network_unavailable,
};
