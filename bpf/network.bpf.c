// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Network sensor: TCP connections out (connect, then its outcome) and in
 * (accept), their end (close, with bytes and duration), listening sockets
 * and UDP sends, each decided in the kernel against the policy before any
 * record is built. Only what a rule matched is reported: a connection no
 * rule cares about costs a few map lookups at connect and one hash miss
 * per TCP state change.
 *
 * "cgroup" backend, the one this host (locked down: no LSM, no fentry)
 * and every kernel since 4.17 can run:
 *   - cgroup/connect4, connect6, sendmsg4, sendmsg6 on the cgroup v2 root:
 *     every connect() and unconnected UDP send of every process, in its
 *     own context, before the kernel acts; returning 0 refuses the call
 *     with EPERM, which is how `deny` works without BPF LSM;
 *   - tp_btf/inet_sock_set_state: the TCP state machine. CLOSE -> LISTEN
 *     is listen() itself (process context); SYN_SENT -> ESTABLISHED or
 *     CLOSE is the outcome of a connect; -> CLOSE is the end of a
 *     connection, often in softirq (the peer's FIN or RST), so the
 *     process is the one saved when the connection was reported;
 *   - tracepoint/syscalls/sys_exit_accept4 and sys_exit_accept: the
 *     accepted socket in the accepting process's context (the handshake
 *     itself completes in softirq, attributable to no process).
 * A reported connection is remembered in pg_net_conns, keyed by its
 * struct sock address, until its close: that is where its process, its
 * verdicts and its start time are found again.
 */
#include "lib/task.bpf.h"
#include "lib/policy.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/io_uring.bpf.h"

#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define EPERM 1
#define ETIMEDOUT 110
#define ECONNREFUSED 111

/* enum tcp_state (include/net/tcp_states.h): stable since 2.6 */
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7
#define TCP_LISTEN 10

/* What a reported connection needs at its later events. */
struct pg_net_conn {
	struct pg_event_process task;
	struct pg_verdict connect_v; /* flags 0: the outcome is not reported */
	struct pg_verdict close_v;   /* flags 0: the close is not reported */
	struct pg_rule_mask connect_m;
	struct pg_rule_mask close_m;
	__u64 start; /* ktime of the connect call or the accept */
	__u64 cookie;
	__u32 netns;
	__u16 sport; /* the kernel clears its own copy before the close's state change */
	__u16 pad;
	char comm[PG_COMM_LEN];
};

/*
 * Preallocated (about 8 MB of kernel memory): the syscall tracepoint
 * programs use it, and 5.10 warns about, and may deadlock on, run-time
 * allocation in tracing programs. A full map is counted
 * (PG_ERR_NET_SOCKS): that connection's close is not reported, never
 * silently.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct pg_net_conn);
} pg_net_conns SEC(".maps");

/*
 * network_udp reports a destination once per process per window: a DNS
 * resolver or a metrics client sends thousands of datagrams to the same
 * place, and the first one is the news.
 */
#define PG_NET_UDP_WINDOW_NS (60ULL * 1000000000ULL)

struct pg_net_udp_key {
	__u32 tgid;
	__u16 port;
	__u8 family;
	__u8 pad;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct pg_net_udp_key);
	__type(value, __u64);
} pg_net_udp_seen SEC(".maps");

/* What a DNS exchange's packets are reported with: its process, its verdicts. */
struct pg_net_dns_sock {
	struct pg_event_process task;
	struct pg_verdict query_v; /* flags 0: queries are not reported */
	struct pg_verdict answer_v;
	struct pg_rule_mask query_m;
	struct pg_rule_mask answer_m;
	__u32 netns;
	__u32 pad;
	char comm[PG_COMM_LEN];
};

/*
 * Sockets that send to port 53 under a DNS rule, by cookie: the packet
 * programs (cgroup_skb), which see the message, run where the process is
 * not at hand (an answer arrives in softirq), so the socket's first
 * connect or send, in the process, leaves it here.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct pg_net_dns_sock);
} pg_net_dns_socks SEC(".maps");

struct pg_net_dns_rec {
	struct pg_dns_event ev;
	__u8 data[PG_DNS_MAX];
};

/*
 * The packet programs' records, apart from pg_net_heap: an answer arrives
 * in softirq, which may interrupt a process-context program on the same
 * CPU in the middle of its record. One slot per direction; an egress DNS
 * packet leaves from the sending process.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pg_net_dns_rec);
} pg_net_dns_heap SEC(".maps");

/*
 * A connect's connection, until the kernel has really started it: a
 * connect can fail before the socket leaves TCP_CLOSE (no route, no
 * local port), and that socket's memory may become another socket's,
 * which an entry left in pg_net_conns would wrongly claim. So the hooks
 * leave it here, per thread, and the SYN_SENT state change (in the same
 * connect() call, in the caller's context) moves it to pg_net_conns if
 * it names the socket that changed state.
 */
struct pg_net_pending {
	__u64 sk;
	struct pg_net_conn conn;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct pg_net_pending);
} pg_net_pending SEC(".maps");

/*
 * The process-context programs' scratch (cgroup hooks, LSM, fentry,
 * listen, accept's syscall exit): they never nest on a CPU. What may run
 * in softirq (the TCP state changes of a connection, the packet
 * programs) builds its record elsewhere.
 */
struct pg_net_heap {
	struct pg_net_pending pend;
	struct pg_net_dns_sock dsock;
	struct pg_net_event ev;
	struct pg_net_conn conn;
	struct pg_rule_mask sel;
	struct pg_rule_mask one;
	struct pg_policy_addr_key akey;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_net_heap);
} pg_net_heap SEC(".maps");

static __always_inline struct pg_net_heap *pg_net_heap_get(void)
{
	__u32 zero = 0;
	struct pg_net_heap *h = bpf_map_lookup_elem(&pg_net_heap, &zero);

	if (!h)
		pg_count_error(PG_ERR_SCRATCH);
	return h;
}

/*
 * Rules for event @type (or @type2, PG_EVENT_NONE if none) that may match
 * at all: the event type, the protocol and the direction (@inbound: a
 * connection this host accepted, or a listening socket), then the current
 * process's selection. NULL: none, the cheap way out, taken before
 * anything is read of the socket.
 */
static __always_inline const struct pg_policy_masks *pg_net_candidates(struct pg_rule_mask *sel,
								       __u32 *genp, __u16 type,
								       __u16 type2, __u8 proto,
								       int inbound)
{
	const struct pg_policy_masks *m = pg_policy_candidates(sel, genp, type, type2);

	if (!m)
		return NULL;
	pg_mask_and(sel, &m->protocol[proto == IPPROTO_UDP]);
	pg_mask_and(sel, &m->direction[!!inbound]);
	return pg_mask_empty(sel) ? NULL : m;
}

/* Whether any rule can match event @type or @type2 for this process: a quick test. */
static __always_inline int pg_net_wanted(struct pg_net_heap *h, __u16 type, __u16 type2, __u8 proto,
					 int inbound)
{
	__u32 gen;

	return pg_net_candidates(&h->sel, &gen, type, type2, proto, inbound) != NULL;
}

/*
 * The verdict for event @type on h->ev's addresses: the address and port
 * selectors are tested against the remote end (listen: the local one),
 * in the tries. Fills @v and @matched. Returns PG_POLICY_*.
 */
static __always_inline int pg_net_decide(struct pg_net_heap *h, __u16 type, int inbound,
					 struct pg_verdict *v, struct pg_rule_mask *matched,
					 int can_deny, int can_kill)
{
	struct pg_net_event *e = &h->ev;
	const struct pg_policy_masks *m;
	const struct pg_id_masks *im = NULL;
	int local = type == PG_EVENT_NET_LISTEN;
	__u32 gen;

	m = pg_net_candidates(&h->sel, &gen, type, PG_EVENT_NONE, e->protocol, inbound);
	if (!m)
		return PG_POLICY_NO_RECORD;
	/*
	 * The tries at every decision, even of one event: a cache of them
	 * across the decisions (a branch in each inlined decision) made the
	 * 5.10 verifier's work grow past what it finishes under QEMU.
	 */
	if (m->uses & PG_USES_NET_ADDRS) {
		h->akey.gen = gen;
		h->akey.family = e->family;
		h->akey.prefixlen = 16 + (e->family == PG_NET_V4 ? 32 : 128);
		__builtin_memcpy(h->akey.addr, local ? e->saddr : e->daddr, 16);
		im = bpf_map_lookup_elem(&pg_pol_addrs, &h->akey);
	}
	pg_mask_apply(&h->sel, &m->any[PG_SEL_ADDRESS], im ? &im->pos : NULL, im ? &im->neg : NULL);
	im = NULL;
	if (m->uses & PG_USES_NET_PORTS)
		im = pg_policy_id(gen, PG_ID_PORT, local ? e->sport : e->dport);
	pg_mask_apply(&h->sel, &m->any[PG_SEL_PORT], im ? &im->pos : NULL, im ? &im->neg : NULL);
	return pg_policy_decide(&h->sel, &h->one, m, gen, v, matched, can_deny, can_kill);
}

/* ---- records ---- */

/* The header, and zeroes in the fields only some events fill in. */
static __always_inline void pg_net_header(struct pg_net_event *e, __u16 type, __u32 net_flags)
{
	e->hdr.type = type;
	e->hdr.flags = 0;
	e->hdr.size = sizeof(*e);
	e->hdr.ktime = bpf_ktime_get_ns();
	e->net_flags = net_flags;
	e->result = 0;
	e->state = 0;
	e->pad = 0;
	e->pad2 = 0;
	e->bytes_sent = e->bytes_received = e->duration_ns = 0;
}

/*
 * The header and process part of a record from the current task. Helper
 * reads: this runs for reported events only, and in hooks where 5.10 has
 * no bpf_get_current_task_btf().
 */
static __always_inline void pg_net_record_task(struct pg_net_event *e, __u16 type)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	pg_net_header(e, type, 0);
	pg_fill_task_ctx_core(t, &e->task);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->netns = BPF_CORE_READ(t, nsproxy, net_ns, ns.inum);
}

/* set by the agent (src/sensors/network.c): LSM and tracing programs may ask for cookies */
const volatile int pg_cookie_helper = 0;
/*
 * Set by the agent where they may not (before 5.12) and the lsm or fentry
 * backend runs: the cgroup hooks are loaded beside it only to mark DNS
 * sockets, which needs the cookie they can ask for, and report nothing.
 */
const volatile int pg_cgroup_dns_marker = 0;

/*
 * A socket's cookie, as the kernel made it (cgroup hooks ask for one,
 * which makes it), or, for a socket that never got one, one of ours: the
 * cookie helper is not there for LSM and tracing programs before 5.12.
 * Ours have the top bit set, and are unique per CPU and nanosecond.
 */
#define PG_NET_OWN_COOKIE (1ULL << 63)

static __always_inline __u64 pg_net_cookie_core(const struct sock *sk)
{
	__u64 c = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);

	return c ? c
		 : PG_NET_OWN_COOKIE | (bpf_ktime_get_ns() << 8) |
			       (bpf_get_smp_processor_id() & 0xff);
}

/* The same from a BTF pointer (LSM, fentry, tp_btf): the kernel's cookie where it may be asked. */
static __always_inline __u64 pg_net_cookie(const struct sock *sk)
{
	if (pg_cookie_helper)
		return bpf_get_socket_cookie((void *)sk);
	return pg_net_cookie_core(sk);
}

static __always_inline void pg_net_output(struct pg_net_event *e)
{
	pg_output(e, sizeof(*e)); /* counts emitted or lost */
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 peer. */
static __always_inline int pg_net_v4_mapped(const __u32 a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff);
}

static __always_inline void pg_net_addr_v6(__u8 family_out[1], __u8 out[16], const __u32 a[4])
{
	__u32 w[4] = { a[0], a[1], a[2], a[3] };

	__builtin_memset(out, 0, 16);
	if (pg_net_v4_mapped(w)) {
		*family_out = PG_NET_V4;
		__builtin_memcpy(out, &w[3], 4);
	} else {
		*family_out = PG_NET_V6;
		__builtin_memcpy(out, w, 16);
	}
}

/*
 * Addresses and ports of a socket. Helper reads (a dozen, on reported
 * events only): the accept path has only an untyped pointer.
 */
static __always_inline void pg_net_sock_addrs(struct pg_net_event *e, const struct sock *sk)
{
	struct sock_common c;
	__u8 f;

	__builtin_memset(e->saddr, 0, 16);
	__builtin_memset(e->daddr, 0, 16);
	if (bpf_core_read(&c.skc_family, sizeof(c.skc_family), &sk->__sk_common.skc_family))
		return;
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (c.skc_family == AF_INET6) {
		bpf_core_read(&c.skc_v6_daddr, sizeof(c.skc_v6_daddr),
			      &sk->__sk_common.skc_v6_daddr);
		bpf_core_read(&c.skc_v6_rcv_saddr, sizeof(c.skc_v6_rcv_saddr),
			      &sk->__sk_common.skc_v6_rcv_saddr);
		pg_net_addr_v6(&e->family, e->daddr, c.skc_v6_daddr.in6_u.u6_addr32);
		pg_net_addr_v6(&f, e->saddr, c.skc_v6_rcv_saddr.in6_u.u6_addr32);
	} else {
		e->family = PG_NET_V4;
		bpf_core_read(e->daddr, 4, &sk->__sk_common.skc_daddr);
		bpf_core_read(e->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
	}
}

/* Remember a reported connection until its close. */

/* Fill h->conn from the record in h->ev. 0 if there is nothing to track. */
static __always_inline int pg_net_conn_fill(struct pg_net_heap *h)
{
	if (!h->conn.connect_v.flags && !h->conn.close_v.flags)
		return 0;
	h->conn.task = h->ev.task;
	h->conn.start = h->ev.hdr.ktime;
	h->conn.cookie = h->ev.cookie;
	h->conn.netns = h->ev.netns;
	h->conn.sport = h->ev.sport;
	h->conn.pad = 0;
	__builtin_memcpy(h->conn.comm, h->ev.comm, PG_COMM_LEN);
	return 1;
}

/* Remember an established (accepted) connection until its close. */
static __always_inline void pg_net_track(struct pg_net_heap *h, __u64 sk)
{
	if (pg_net_conn_fill(h) && bpf_map_update_elem(&pg_net_conns, &sk, &h->conn, BPF_ANY))
		pg_count_error(PG_ERR_NET_SOCKS);
}

/* A connect's connection, until its SYN_SENT (struct pg_net_pending). */
static __always_inline void pg_net_track_pending(struct pg_net_heap *h, __u64 sk)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!pg_net_conn_fill(h))
		return;
	h->pend.sk = sk;
	h->pend.conn = h->conn;
	if (bpf_map_update_elem(&pg_net_pending, &id, &h->pend, BPF_ANY))
		pg_count_error(PG_ERR_NET_SOCKS);
}

/* ---- DNS (cgroup backend) ---- */

#define PG_DNS_PORT 53
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

/*
 * A connect or send to port 53 (h->ev), UDP or TCP: decide the DNS rules
 * now, in the process, and remember the socket for its packets.
 */
static __always_inline void pg_net_dns_mark(struct pg_net_heap *h, __u64 cookie)
{
	struct pg_net_dns_sock *d = &h->dsock;
	int q, a;

	if (h->ev.dport != PG_DNS_PORT)
		return;
	d->query_v.flags = 0;
	d->answer_v.flags = 0;
	q = pg_net_decide(h, PG_EVENT_DNS_QUERY, 0, &d->query_v, &d->query_m, 0, 0);
	a = pg_net_decide(h, PG_EVENT_DNS_ANSWER, 0, &d->answer_v, &d->answer_m, 0, 0);
	if (q == PG_POLICY_NO_RECORD && a == PG_POLICY_NO_RECORD)
		return;
	pg_net_record_task(&h->ev, PG_EVENT_DNS_QUERY);
	d->task = h->ev.task;
	d->netns = h->ev.netns;
	d->pad = 0;
	__builtin_memcpy(d->comm, h->ev.comm, PG_COMM_LEN);
	bpf_map_update_elem(&pg_net_dns_socks, &cookie, d, BPF_ANY);
}

/* Whether any rule is on DNS events: the packet programs' way out. */
static __always_inline int pg_net_dns_rules(void)
{
	return pg_policy_any_rule(PG_EVENT_DNS_QUERY, PG_EVENT_DNS_ANSWER);
}

/* Where a transport header may start: past a few IPv6 extension headers at most. */
#define PG_NET_DNS_OFF_MAX 0x3ff

/*
 * Where a DNS message starts in @skb, after the transport header at @off
 * (and, over TCP, its 2-byte length): *@off moves there, *@msg_len is the
 * message's whole length, ports[] the packet's source and destination.
 * 0, or -1: no message here (a TCP segment without data: SYN, ACK, FIN).
 */
static __always_inline int pg_net_dns_payload(struct __sk_buff *skb, __u8 proto, __u32 *off,
					      __u32 *msg_len, __u16 ports[2])
{
	__u8 th[20];
	__u16 l;
	__u32 hl;

	if (proto == IPPROTO_UDP) {
		struct udphdr uh;

		if (bpf_skb_load_bytes(skb, *off & PG_NET_DNS_OFF_MAX, &uh, sizeof(uh)) ||
		    bpf_ntohs(uh.len) < sizeof(uh))
			return -1;
		ports[0] = bpf_ntohs(uh.source);
		ports[1] = bpf_ntohs(uh.dest);
		*msg_len = bpf_ntohs(uh.len) - sizeof(uh);
		*off = (*off & PG_NET_DNS_OFF_MAX) + sizeof(uh);
		return 0;
	}
	if (bpf_skb_load_bytes(skb, *off & PG_NET_DNS_OFF_MAX, th, sizeof(th)))
		return -1;
	ports[0] = (__u16)th[0] << 8 | th[1];
	ports[1] = (__u16)th[2] << 8 | th[3];
	hl = (th[12] >> 4) * 4; /* data offset */
	if (hl < sizeof(th) || skb->len < (*off & PG_NET_DNS_OFF_MAX) + hl + 2 + 12)
		return -1;
	*off = (*off & PG_NET_DNS_OFF_MAX) + hl;
	if (bpf_skb_load_bytes(skb, *off, &l, sizeof(l)))
		return -1;
	*msg_len = bpf_ntohs(l);
	*off += sizeof(l);
	return 0;
}

/*
 * Past the IPv6 extension headers (RFC 8200 4) that may stand between the
 * fixed header and @proto's, from *@off (the end of the fixed header) to
 * that transport header. A sender may add them to its own packets
 * (setsockopt IPV6_DSTOPTS, IPV6_HOPOPTS, IPV6_RTHDR: root can), so
 * stopping at the first one would let a query through unseen. At most
 * PG_IPV6_EXT_MAX are followed; a fragment only when it is the first.
 * 0, or -1: no @proto header found.
 */
#define PG_IPV6_EXT_MAX 6
#define PG_NEXTHDR_HOP 0
#define PG_NEXTHDR_ROUTING 43
#define PG_NEXTHDR_FRAGMENT 44
#define PG_NEXTHDR_AUTH 51
#define PG_NEXTHDR_DEST 60

static __always_inline int pg_net_ipv6_ext(struct __sk_buff *skb, __u8 next, __u8 proto, __u32 *off)
{
	__u8 h[4];
	int i;

	for (i = 0; i < PG_IPV6_EXT_MAX; i++) {
		if (next == proto)
			return 0;
		if (bpf_skb_load_bytes(skb, *off, h, sizeof(h)))
			return -1;
		switch (next) {
		case PG_NEXTHDR_HOP:
		case PG_NEXTHDR_ROUTING:
		case PG_NEXTHDR_DEST: *off += ((__u32)h[1] + 1) * 8; break;
		case PG_NEXTHDR_AUTH: *off += ((__u32)h[1] + 2) * 4; break;
		case PG_NEXTHDR_FRAGMENT:
			/* the offset's 13 bits: a later fragment has no transport header */
			if ((((__u32)h[2] << 8 | h[3]) & 0xfff8))
				return -1;
			*off += 8;
			break;
		default: return -1;
		}
		next = h[0];
		if (*off > PG_NET_DNS_OFF_MAX)
			return -1;
	}
	return next == proto ? 0 : -1;
}

/*
 * One DNS message of @skb, at @off, @msg_len bytes long (as its header or
 * TCP length said): a record of what this packet holds of it, its packet
 * fields already set in @r->ev. 0, or -1: nothing more to take.
 */
static __always_inline int pg_net_dns_emit(struct __sk_buff *skb, struct pg_net_dns_rec *r,
					   __u32 off, __u32 msg_len)
{
	struct pg_dns_event *e = &r->ev;
	__u32 len;

	if (msg_len < 12 || skb->len < off + 12)
		return -1; /* shorter than a DNS header */
	e->hdr.ktime = bpf_ktime_get_ns();
	e->msg_len = msg_len;
	len = skb->len - off;
	if (len > msg_len)
		len = msg_len;
	if (len > PG_DNS_MAX)
		len = PG_DNS_MAX;
	barrier_var(len);
	len &= 0x3ff;
	if (len > PG_DNS_MAX || len < 12)
		return -1;
	if (bpf_skb_load_bytes(skb, off, r->data, len)) {
		pg_count(e->hdr.type, 0);
		return -1;
	}
	e->len = len;
	e->hdr.size = sizeof(*e) + len;
	pg_output(e, (sizeof(*e) + len) & 0x7ff);
	return 0;
}

/*
 * DNS messages one TCP segment may carry after the first: a client that
 * pipelines (glibc sends its A and AAAA queries in one write, RFC 7766
 * 6.2.1) and a server answering both at once put two or more in one
 * segment, each after its 2-byte length.
 */
#define PG_DNS_TCP_MSGS 4

/*
 * A packet to (@egress) or from port 53 of a marked socket: its DNS
 * messages, for the agent to parse. The packet starts at its IP header.
 * Over TCP, a segment that starts with a message's length: that message
 * (the first of one split over segments, cut where the segment ends) and
 * up to PG_DNS_TCP_MSGS - 1 more that follow it whole or begun.
 */
static __always_inline void pg_net_dns_skb(struct __sk_buff *skb, int egress)
{
	__u8 family, proto, saddr[16] = {}, daddr[16] = {};
	struct pg_net_dns_sock *s;
	struct pg_net_dns_rec *r;
	struct pg_dns_event *e;
	struct ipv6hdr ip6;
	struct iphdr ip;
	__u32 off, msg_len, slot = !egress;
	struct bpf_sock *sk = skb->sk;
	__u16 ports[2], l;
	__u64 cookie;
	int i;

	if (!sk || !(sk = bpf_sk_fullsock(sk)))
		return;
	/*
	 * TCP, most of the traffic, leaves here on a load: a DNS client's TCP
	 * socket has the server's port 53 as its peer, both ways. A 32-bit
	 * load of dst_port: the kernels before 5.18 have no narrower one, and
	 * the later ones keep it, the port in the low 16 bits.
	 */
	proto = sk->protocol;
	if (proto == IPPROTO_TCP) {
		if (*(volatile __u32 *)&sk->dst_port != bpf_htons(PG_DNS_PORT))
			return;
	} else if (proto != IPPROTO_UDP) {
		return;
	}
	if (!pg_net_dns_rules())
		return;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		/* a first fragment (offset 0) has the header: the hooks see few, the stack reassembles first */
		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != proto ||
		    (ip.frag_off & bpf_htons(0x1fff)))
			return;
		off = ip.ihl * 4;
		family = PG_NET_V4;
		__builtin_memcpy(saddr, &ip.saddr, 4);
		__builtin_memcpy(daddr, &ip.daddr, 4);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		off = sizeof(ip6);
		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) ||
		    pg_net_ipv6_ext(skb, ip6.nexthdr, proto, &off))
			return;
		family = PG_NET_V6;
		__builtin_memcpy(saddr, &ip6.saddr, 16);
		__builtin_memcpy(daddr, &ip6.daddr, 16);
	} else {
		return;
	}
	if (pg_net_dns_payload(skb, proto, &off, &msg_len, ports) ||
	    (egress ? ports[1] : ports[0]) != PG_DNS_PORT || msg_len < 12 || skb->len < off + 12)
		return; /* not to or from 53, or shorter than a DNS header */
	cookie = bpf_get_socket_cookie(skb);
	s = bpf_map_lookup_elem(&pg_net_dns_socks, &cookie);
	if (!s || !(egress ? s->query_v.flags : s->answer_v.flags))
		return;
	r = bpf_map_lookup_elem(&pg_net_dns_heap, &slot);
	if (!r) {
		pg_count_error(PG_ERR_SCRATCH);
		return;
	}
	e = &r->ev;
	e->hdr.type = egress ? PG_EVENT_DNS_QUERY : PG_EVENT_DNS_ANSWER;
	e->hdr.flags = 0;
	e->task = s->task;
	e->verdict = egress ? s->query_v : s->answer_v;
	e->matched = egress ? s->query_m : s->answer_m;
	e->cookie = cookie;
	e->netns = s->netns;
	e->family = family;
	e->protocol = proto;
	__builtin_memcpy(e->saddr, saddr, 16);
	__builtin_memcpy(e->daddr, daddr, 16);
	__builtin_memcpy(e->comm, s->comm, PG_COMM_LEN);
	e->sport = ports[0];
	e->dport = ports[1];
	for (i = 0; i < PG_DNS_TCP_MSGS; i++) {
		if (pg_net_dns_emit(skb, r, off, msg_len) || proto != IPPROTO_TCP)
			return;
		/* the next message's length, if the segment goes on past this one */
		off += msg_len;
		if (skb->len < off + 2 + 12 || bpf_skb_load_bytes(skb, off, &l, sizeof(l)))
			return;
		msg_len = bpf_ntohs(l);
		off += sizeof(l);
	}
}

SEC("cgroup_skb/egress")
int cgroup_skb_egress(struct __sk_buff *skb)
{
	pg_net_dns_skb(skb, 1);
	return 1;
}

SEC("cgroup_skb/ingress")
int cgroup_skb_ingress(struct __sk_buff *skb)
{
	pg_net_dns_skb(skb, 0);
	return 1;
}

/* ---- connect and UDP sends (cgroup hooks) ---- */

/*
 * A connect() on a TCP or UDP socket, its destination in h->ev: the
 * verdicts of the connect rules and (TCP) of the close rules, which are
 * decided now, in the process's context. Returns the connect's
 * PG_POLICY_*, or -1 when nothing is to be reported or tracked.
 */
static __always_inline int pg_net_connect_decide(struct pg_net_heap *h, int can_kill)
{
	struct pg_net_event *e = &h->ev;
	int act, close_act = PG_POLICY_NO_RECORD;

	act = pg_net_decide(h, PG_EVENT_NET_CONNECT, 0, &e->verdict, &e->matched, 1, can_kill);
	h->conn.connect_v.flags = 0;
	h->conn.close_v.flags = 0;
	if (e->protocol == IPPROTO_TCP && act != PG_POLICY_DENY && act != PG_POLICY_KILL)
		close_act = pg_net_decide(h, PG_EVENT_NET_CLOSE, 0, &h->conn.close_v,
					  &h->conn.close_m, 0, 0);
	if (act == PG_POLICY_NO_RECORD && close_act == PG_POLICY_NO_RECORD)
		return -1;
	return act;
}

/*
 * A kill that a cgroup hook cannot send (no bpf_send_signal() in cgroup
 * programs): the call is refused, and the kill waits here for the
 * call's own return (tp_sys_exit_connect).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* pid_tgid */
	__type(value, __u8);
} pg_net_kills SEC(".maps");

/*
 * Report a decided connect (act from pg_net_connect_decide()) and track
 * the connection under @key (its struct sock) when it goes on. Returns 1
 * if the connect may go on, 0 if it is refused.
 */
static __always_inline int pg_net_connect_report(struct pg_net_heap *h, int act, __u64 key,
						 __u64 cookie)
{
	struct pg_net_event *e = &h->ev;
	__u64 id = bpf_get_current_pid_tgid();
	__u8 one = 1;
	int go = act != PG_POLICY_DENY && act != PG_POLICY_KILL;

	pg_net_record_task(e, PG_EVENT_NET_CONNECT);
	e->cookie = cookie;
	e->state = e->protocol == IPPROTO_TCP ? PG_NET_CALL : PG_NET_CONNECTED;
	if (act == PG_POLICY_KILL)
		bpf_map_update_elem(&pg_net_kills, &id, &one, BPF_ANY);
	if (!go)
		e->result = -EPERM;
	if (act != PG_POLICY_NO_RECORD) {
		h->conn.connect_v = e->verdict;
		h->conn.connect_m = e->matched;
		pg_net_output(e);
	}
	if (go && key && e->protocol == IPPROTO_TCP)
		pg_net_track_pending(h, key);
	return go;
}

static __always_inline int pg_net_connect(struct bpf_sock_addr *ctx, struct pg_net_heap *h)
{
	struct bpf_sock *sk = ctx->sk;
	struct tcp_sock *tp;
	__u64 key = 0;
	int act;

	if (!sk)
		return 1;
	h->ev.sport = sk->src_port;
	if (h->ev.dport == PG_DNS_PORT)
		pg_net_dns_mark(h, bpf_get_socket_cookie(ctx));
	if (pg_cgroup_dns_marker)
		return 1;
	act = pg_net_connect_decide(h, 0);
	if (act < 0)
		return 1;
	if (h->ev.protocol == IPPROTO_TCP) {
		/* the struct sock the TCP state tracepoint will name */
		tp = bpf_skc_to_tcp_sock(sk);
		if (tp)
			key = (__u64)tp;
	}
	return pg_net_connect_report(h, act, key, bpf_get_socket_cookie(ctx));
}

static __always_inline int pg_net_sock_ok(struct bpf_sock_addr *ctx)
{
	return ctx->protocol == IPPROTO_TCP || ctx->protocol == IPPROTO_UDP;
}

static __always_inline void pg_net_dest4(struct pg_net_event *e, struct bpf_sock_addr *ctx)
{
	__u32 a = ctx->user_ip4;

	e->family = PG_NET_V4;
	e->protocol = ctx->protocol;
	e->dport = bpf_ntohs(ctx->user_port);
	__builtin_memset(e->daddr, 0, 16);
	__builtin_memset(e->saddr, 0, 16);
	__builtin_memcpy(e->daddr, &a, 4);
}

static __always_inline void pg_net_dest6(struct pg_net_event *e, struct bpf_sock_addr *ctx)
{
	__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

	e->protocol = ctx->protocol;
	e->dport = bpf_ntohs(ctx->user_port);
	__builtin_memset(e->saddr, 0, 16);
	pg_net_addr_v6(&e->family, e->daddr, a);
}

SEC("cgroup/connect4")
int cgroup_connect4(struct bpf_sock_addr *ctx)
{
	struct pg_net_heap *h;

	if (!pg_net_sock_ok(ctx) || !(h = pg_net_heap_get()))
		return 1;
	pg_net_dest4(&h->ev, ctx);
	return pg_net_connect(ctx, h);
}

SEC("cgroup/connect6")
int cgroup_connect6(struct bpf_sock_addr *ctx)
{
	struct pg_net_heap *h;

	if (!pg_net_sock_ok(ctx) || !(h = pg_net_heap_get()))
		return 1;
	pg_net_dest6(&h->ev, ctx);
	return pg_net_connect(ctx, h);
}

/*
 * An unconnected UDP send, its destination in h->ev: reported once per
 * destination and window. Returns 1 if the send may go on, 0 if refused.
 * @cookie_ctx: the cgroup hook's context (the cookie helper takes it), or
 * NULL with @sk.
 */
static __always_inline int pg_net_udp_send(struct pg_net_heap *h, struct bpf_sock_addr *cookie_ctx,
					   const struct sock *sk, int can_kill)
{
	struct pg_net_event *e = &h->ev;
	struct pg_net_udp_key k = {};
	__u64 now, *seen, id;
	__u8 one = 1;
	int act;

	act = pg_net_decide(h, PG_EVENT_NET_UDP, 0, &e->verdict, &e->matched, 1, can_kill);
	if (act == PG_POLICY_NO_RECORD)
		return 1;
	now = bpf_ktime_get_ns();
	if (act == PG_POLICY_REPORT) {
		k.tgid = bpf_get_current_pid_tgid() >> 32;
		k.port = e->dport;
		k.family = e->family;
		__builtin_memcpy(k.addr, e->daddr, 16);
		seen = bpf_map_lookup_elem(&pg_net_udp_seen, &k);
		if (seen && now - *seen < PG_NET_UDP_WINDOW_NS)
			return 1;
		bpf_map_update_elem(&pg_net_udp_seen, &k, &now, BPF_ANY);
	}
	pg_net_record_task(e, PG_EVENT_NET_UDP);
	e->cookie = cookie_ctx ? bpf_get_socket_cookie(cookie_ctx) : pg_net_cookie(sk);
	if (act == PG_POLICY_KILL) {
		id = bpf_get_current_pid_tgid();
		bpf_map_update_elem(&pg_net_kills, &id, &one, BPF_ANY);
	}
	if (act != PG_POLICY_REPORT)
		e->result = -EPERM;
	pg_net_output(e);
	return act == PG_POLICY_REPORT;
}

static __always_inline int pg_net_sendmsg(struct bpf_sock_addr *ctx, struct pg_net_heap *h)
{
	if (ctx->protocol != IPPROTO_UDP)
		return 1;
	if (ctx->sk)
		h->ev.sport = ctx->sk->src_port;
	if (h->ev.dport == PG_DNS_PORT)
		pg_net_dns_mark(h, bpf_get_socket_cookie(ctx));
	if (pg_cgroup_dns_marker)
		return 1;
	return pg_net_udp_send(h, ctx, NULL, 0);
}

SEC("cgroup/sendmsg4")
int cgroup_sendmsg4(struct bpf_sock_addr *ctx)
{
	struct pg_net_heap *h;

	if (!(h = pg_net_heap_get()))
		return 1;
	pg_net_dest4(&h->ev, ctx);
	h->ev.sport = 0;
	return pg_net_sendmsg(ctx, h);
}

SEC("cgroup/sendmsg6")
int cgroup_sendmsg6(struct bpf_sock_addr *ctx)
{
	struct pg_net_heap *h;

	if (!(h = pg_net_heap_get()))
		return 1;
	pg_net_dest6(&h->ev, ctx);
	h->ev.sport = 0;
	return pg_net_sendmsg(ctx, h);
}

/* The kill a cgroup hook could not send: at the return of the call it refused. */
SEC("tracepoint/syscalls/sys_exit_connect")
int tp_sys_exit_connect(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (bpf_map_lookup_elem(&pg_net_kills, &id)) {
		bpf_map_delete_elem(&pg_net_kills, &id);
		bpf_send_signal(9 /* SIGKILL */);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int tp_sys_exit_sendto(void *ctx)
{
	return tp_sys_exit_connect(ctx);
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int tp_sys_exit_sendmsg(void *ctx)
{
	return tp_sys_exit_connect(ctx);
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int tp_sys_exit_sendmmsg(void *ctx)
{
	return tp_sys_exit_connect(ctx);
}

/* ---- LSM and fentry: connect and UDP sends on the VM kernels ---- */

/* The destination in a sockaddr the kernel copied in. 0, or -1 if not IPv4/IPv6. */
static __always_inline int pg_net_sockaddr(struct pg_net_event *e, const void *addr)
{
	struct sockaddr_in6 in6;
	struct sockaddr_in in4;
	__u16 family = 0;

	__builtin_memset(e->saddr, 0, 16);
	__builtin_memset(e->daddr, 0, 16);
	if (!addr || bpf_probe_read_kernel(&family, sizeof(family), addr))
		return -1;
	if (family == AF_INET) {
		if (bpf_probe_read_kernel(&in4, sizeof(in4), addr))
			return -1;
		e->family = PG_NET_V4;
		__builtin_memcpy(e->daddr, &in4.sin_addr.s_addr, 4);
		e->dport = bpf_ntohs(in4.sin_port);
		return 0;
	}
	if (family == AF_INET6) {
		if (bpf_probe_read_kernel(&in6, sizeof(in6), addr))
			return -1;
		pg_net_addr_v6(&e->family, e->daddr, in6.sin6_addr.in6_u.u6_addr32);
		e->dport = bpf_ntohs(in6.sin6_port);
		return 0;
	}
	return -1;
}

/* The socket's struct sock if it is TCP or UDP, with its protocol and local port in h->ev. */
static __always_inline struct sock *pg_net_hook_sock(struct pg_net_heap *h, struct socket *sock)
{
	struct sock *sk = sock->sk;
	__u8 proto;

	if (!sk)
		return NULL;
	proto = BPF_CORE_READ_BITFIELD(sk, sk_protocol);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NULL;
	h->ev.protocol = proto;
	h->ev.sport = sk->__sk_common.skc_num;
	return sk;
}

/*
 * connect(): @lsm, the hook's answer refuses it; fentry (the function
 * that calls the hook) can only report and kill.
 */
static __always_inline int pg_net_hook_connect(struct socket *sock, struct sockaddr *address,
					       int lsm)
{
	struct pg_net_heap *h = pg_net_heap_get();
	struct sock *sk;
	int act;

	if (!h || !(sk = pg_net_hook_sock(h, sock)) || pg_net_sockaddr(&h->ev, address))
		return 0;
	if (pg_cookie_helper && h->ev.dport == PG_DNS_PORT)
		pg_net_dns_mark(h, bpf_get_socket_cookie(sk));
	act = pg_net_connect_decide(h, 1);
	if (act < 0)
		return 0;
	if (!lsm && act == PG_POLICY_DENY)
		act = PG_POLICY_REPORT; /* killed, not refused: fentry cannot refuse */
	return pg_net_connect_report(h, act, (__u64)sk, pg_net_cookie(sk)) ? 0 : -EPERM;
}

/* sendmsg() with a destination (not a connected socket's send): UDP only. */
static __always_inline int pg_net_hook_sendmsg(struct socket *sock, struct msghdr *msg, int lsm)
{
	struct pg_net_heap *h;
	struct sock *sk;
	void *name = msg->msg_name;

	if (!name || !(h = pg_net_heap_get()) || !(sk = pg_net_hook_sock(h, sock)) ||
	    h->ev.protocol != IPPROTO_UDP || pg_net_sockaddr(&h->ev, name))
		return 0;
	if (pg_cookie_helper && h->ev.dport == PG_DNS_PORT)
		pg_net_dns_mark(h, bpf_get_socket_cookie(sk));
	return pg_net_udp_send(h, NULL, sk, 1) || !lsm ? 0 : -EPERM;
}

SEC("lsm/socket_connect")
int BPF_PROG(lsm_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	return ret ? ret : pg_net_hook_connect(sock, address, 1);
}

SEC("fentry/security_socket_connect")
int BPF_PROG(fentry_security_socket_connect, struct socket *sock, struct sockaddr *address,
	     int addrlen)
{
	pg_net_hook_connect(sock, address, 0);
	return 0;
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(lsm_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	return ret ? ret : pg_net_hook_sendmsg(sock, msg, 1);
}

SEC("fentry/security_socket_sendmsg")
int BPF_PROG(fentry_security_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	pg_net_hook_sendmsg(sock, msg, 0);
	return 0;
}

/* ---- the TCP state machine ---- */

static __always_inline void pg_net_from_conn(struct pg_net_event *e, const struct pg_net_conn *c,
					     __u16 type, const struct sock *sk)
{
	__builtin_memset(e, 0, sizeof(*e));
	pg_net_header(e, type, PG_NET_F_NO_TASK);
	e->task = c->task;
	e->cookie = c->cookie;
	e->netns = c->netns;
	__builtin_memcpy(e->comm, c->comm, PG_COMM_LEN);
	e->protocol = IPPROTO_TCP;
	pg_net_sock_addrs(e, sk);
}

/* listen(): in the caller's context, with the address it bound. */
static __always_inline void pg_net_listen(const struct sock *sk)
{
	struct pg_net_heap *h = pg_net_heap_get();
	struct pg_net_event *e;

	if (!h || !pg_net_wanted(h, PG_EVENT_NET_LISTEN, PG_EVENT_NONE, IPPROTO_TCP, 1))
		return;
	e = &h->ev;
	e->protocol = IPPROTO_TCP;
	pg_net_sock_addrs(e, sk);
	if (pg_net_decide(h, PG_EVENT_NET_LISTEN, 1, &e->verdict, &e->matched, 0, 1) ==
	    PG_POLICY_NO_RECORD)
		return;
	pg_net_record_task(e, PG_EVENT_NET_LISTEN);
	e->cookie = pg_net_cookie(sk);
	pg_net_output(e);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tp_btf_inet_sock_set_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	/*
	 * On the stack, not in pg_net_heap: a state change may come in
	 * softirq (a SYN-ACK, the peer's FIN or RST), in the middle of a
	 * process-context program's use of the heap on this CPU.
	 */
	struct pg_net_event rec, *e = &rec;
	struct pg_net_conn *c;
	__u64 key = (__u64)sk;
	int err;

	/* a bitfield before 5.6 (commit bf9765145b85 "sock: Make sk_protocol a 16-bit value") */
	if (BPF_CORE_READ_BITFIELD(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_LISTEN) {
		pg_net_listen(sk);
		return 0;
	}
	if (newstate == TCP_SYN_SENT) {
		__u64 id = bpf_get_current_pid_tgid();
		struct pg_net_pending *p = bpf_map_lookup_elem(&pg_net_pending, &id);

		if (p && p->sk == key) {
			if (bpf_map_update_elem(&pg_net_conns, &key, &p->conn, BPF_ANY))
				pg_count_error(PG_ERR_NET_SOCKS);
			bpf_map_delete_elem(&pg_net_pending, &id);
		}
		return 0;
	}
	c = bpf_map_lookup_elem(&pg_net_conns, &key);
	if (!c)
		return 0;
	if (oldstate == TCP_SYN_SENT && newstate == TCP_ESTABLISHED) {
		c->start = bpf_ktime_get_ns();
		c->sport = sk->__sk_common.skc_num;
		if (!c->connect_v.flags)
			return 0;
		pg_net_from_conn(e, c, PG_EVENT_NET_CONNECT, sk);
		e->state = PG_NET_ESTABLISHED;
		e->verdict = c->connect_v;
		e->matched = c->connect_m;
		pg_net_output(e);
		return 0;
	}
	if (newstate != TCP_CLOSE)
		return 0;
	if (oldstate == TCP_SYN_SENT) {
		/* the connect failed: no connection, no close */
		if (!c->connect_v.flags)
			goto out;
		pg_net_from_conn(e, c, PG_EVENT_NET_CONNECT, sk);
		err = sk->sk_err;
		e->result = -err;
		e->state = err == ECONNREFUSED ? PG_NET_REFUSED
			   : err == ETIMEDOUT  ? PG_NET_TIMED_OUT
					       : PG_NET_FAILED;
		e->verdict = c->connect_v;
		e->matched = c->connect_m;
		pg_net_output(e);
		goto out;
	}
	if (c->close_v.flags) {
		const struct tcp_sock *tp = (const struct tcp_sock *)sk;

		pg_net_from_conn(e, c, PG_EVENT_NET_CLOSE, sk);
		/*
		 * Payload only: bytes_acked and bytes_received count sequence
		 * numbers, which SYN and FIN take one of each. bytes_sent less
		 * bytes_retrans is what was sent once; a received FIN is in
		 * bytes_received when the peer closed (RCV_SHUTDOWN).
		 */
		e->bytes_sent = BPF_CORE_READ(tp, bytes_sent) - BPF_CORE_READ(tp, bytes_retrans);
		e->bytes_received = BPF_CORE_READ(tp, bytes_received);
		if (e->bytes_received && (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_shutdown) & 1))
			e->bytes_received--;
		e->duration_ns = e->hdr.ktime - c->start;
		e->verdict = c->close_v;
		e->matched = c->close_m;
		pg_net_output(e);
	}
out:
	bpf_map_delete_elem(&pg_net_conns, &key);
	return 0;
}

/* ---- accept ---- */

/*
 * The socket accept() returned, from the fd table: untyped reads (the
 * table is indexed by a run-time value), a handful per accept.
 */
static __always_inline struct sock *pg_net_fd_sock(long fd)
{
	struct file *f = pg_fd_file_untyped((struct task_struct *)bpf_get_current_task(), fd);
	struct socket *sock;

	if (!pg_file_is_socket_core(f))
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(sock, sk);
}

struct pg_sys_exit_args {
	__u64 common;
	long id;
	long ret;
};

/*
 * The same from 6.2 on, typed by bpf_rdonly_cast(): plain loads, where
 * the helper reads above and in pg_net_sock_addrs() were about half of
 * an accept's program. Fills e's addresses; the socket, or NULL if @fd
 * is no TCP socket.
 */
static __always_inline struct sock *pg_net_fd_tcp_typed(long fd, struct pg_net_event *e)
{
	struct file *file = pg_fd_file_typed(fd);
	struct socket *sock;
	struct sock *sk;
	__u8 f;

	if (!file || !file->f_inode || (file->f_inode->i_mode & PG_S_IFMT) != PG_S_IFSOCK)
		return NULL;
	sock = bpf_rdonly_cast(file->private_data, bpf_core_type_id_kernel(struct socket));
	sk = sock ? sock->sk : NULL;
	if (!sk || sk->sk_protocol != IPPROTO_TCP)
		return NULL;
	__builtin_memset(e->saddr, 0, 16);
	__builtin_memset(e->daddr, 0, 16);
	e->sport = sk->__sk_common.skc_num;
	e->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (sk->__sk_common.skc_family == AF_INET6) {
		pg_net_addr_v6(&e->family, e->daddr, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32);
		pg_net_addr_v6(&f, e->saddr, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
	} else {
		e->family = PG_NET_V4;
		__builtin_memcpy(e->daddr, &sk->__sk_common.skc_daddr, 4);
		__builtin_memcpy(e->saddr, &sk->__sk_common.skc_rcv_saddr, 4);
	}
	return sk;
}

/*
 * @fd: the accepted socket's; @net_flags: PG_NET_F_IO_URING for a ring's
 * accept; @lport: the listener's port, which the connection must have (0:
 * no check), where the fd comes from a completion that only io_uring's
 * user_data ties to an accept.
 */
static __always_inline int pg_net_accept(long fd, __u32 net_flags, __u16 lport)
{
	struct pg_net_heap *h;
	struct pg_net_event *e;
	struct sock *sk;
	int act, close_act = PG_POLICY_NO_RECORD;

	if (fd < 0)
		return 0;
	h = pg_net_heap_get();
	/* a rule on the close alone still needs the connection remembered */
	if (!h || !pg_net_wanted(h, PG_EVENT_NET_ACCEPT, PG_EVENT_NET_CLOSE, IPPROTO_TCP, 1))
		return 0;
	e = &h->ev;
	if (pg_have_rdonly_cast()) {
		sk = pg_net_fd_tcp_typed(fd, e);
		if (!sk)
			return 0;
	} else {
		sk = pg_net_fd_sock(fd);
		if (!sk || BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
			return 0;
		pg_net_sock_addrs(e, sk);
	}
	if (lport && e->sport != lport)
		return 0;
	e->protocol = IPPROTO_TCP;
	act = pg_net_decide(h, PG_EVENT_NET_ACCEPT, 1, &e->verdict, &e->matched, 0, 1);
	h->conn.connect_v.flags = 0;
	h->conn.close_v.flags = 0;
	close_act =
		pg_net_decide(h, PG_EVENT_NET_CLOSE, 1, &h->conn.close_v, &h->conn.close_m, 0, 0);
	if (act == PG_POLICY_NO_RECORD && close_act == PG_POLICY_NO_RECORD)
		return 0;
	pg_net_record_task(e, PG_EVENT_NET_ACCEPT);
	e->net_flags = net_flags;
	e->cookie = pg_net_cookie_core(sk); /* untyped: no helper takes it */
	if (act != PG_POLICY_NO_RECORD)
		pg_net_output(e);
	pg_net_track(h, (__u64)sk);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int tp_sys_exit_accept4(struct pg_sys_exit_args *ctx)
{
	return pg_net_accept(ctx->ret, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tp_sys_exit_accept(struct pg_sys_exit_args *ctx)
{
	return pg_net_accept(ctx->ret, 0, 0);
}

/*
 * IORING_OP_ACCEPT enters no accept system call (lib/io_uring.bpf.h): its
 * connection is taken at the completion. The connections of a multishot
 * accept (5.19+) are completions the kernel posts without their request,
 * which only (ring, user_data) identify: accepts are noted by these at
 * submission, with their listener's port. A completion that another
 * request with the same user_data posts (a multishot poll's mask) names
 * no accepted connection of that listener, which pg_net_accept() checks.
 * LRU: ended requests age out.
 */
struct pg_net_uring_key {
	__u64 ring;
	__u64 user_data;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pg_net_uring_key);
	__type(value, __u16); /* the listener's local port */
} pg_net_uring_accepts SEC(".maps");

static __always_inline int pg_net_uring_done(void *ring, void *req, __u64 user_data, int res)
{
	struct pg_net_uring_key k = { (__u64)ring, user_data };
	struct io_accept___pg *acc;
	__u16 *lport;
	int fd;

	if (!req) {
		/* a completion posted without its request */
		lport = bpf_map_lookup_elem(&pg_net_uring_accepts, &k);
		return lport && res >= 0 ? pg_net_accept(res, PG_NET_F_IO_URING, *lport) : 0;
	}
	acc = pg_io_uring_done(req, PG_IORING_OP_ACCEPT, PG_IORING_OP_ACCEPT, &fd);
	if (!acc || !bpf_core_type_exists(struct io_accept___pg) || BPF_CORE_READ(acc, file_slot))
		return 0;
	return pg_net_accept(fd, PG_NET_F_IO_URING, 0);
}

/*
 * Where no completion without request can be tied to its accept (before
 * 5.19 there is no multishot accept; before 6.0 no submission program):
 * only the accepts that complete with their request.
 */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(tp_btf_io_uring_complete, void *ring, void *req)
{
	return req ? pg_net_uring_done(ring, req, 0, 0) : 0;
}

/* From 5.19 (6.1 among them): user_data and result are arguments of their own. */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(tp_btf_io_uring_complete_ud, void *ring, void *req, __u64 user_data, int res)
{
	return pg_net_uring_done(ring, req, user_data, res);
}

/* Later kernels (6.12 among them): the completion entry. */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(tp_btf_io_uring_complete_cqe, void *ring, void *req, struct io_uring_cqe *cqe)
{
	if (req)
		return pg_net_uring_done(ring, req, 0, 0);
	return pg_net_uring_done(ring, NULL, BPF_CORE_READ(cqe, user_data),
				 BPF_CORE_READ(cqe, res));
}

/*
 * Every io_uring request once prepared, in its submitter: an
 * accept into an fd is noted with its listener's port, for the
 * completions without request. A fixed listener (IOSQE_FIXED_FILE) names
 * no fd here: its accepts stay unseen.
 */
static __always_inline int pg_net_uring_submit(void *req)
{
	struct io_kiocb___pg *r = req;
	struct pg_net_uring_key k;
	struct io_accept___pg *acc = req;
	struct sock *sk;
	__u16 port;

	if (BPF_CORE_READ(r, opcode) != PG_IORING_OP_ACCEPT ||
	    !bpf_core_type_exists(struct io_accept___pg) || BPF_CORE_READ(acc, file_slot) ||
	    (BPF_CORE_READ(r, flags) & PG_REQ_F_FIXED_FILE))
		return 0;
	/* the request takes its file when it runs: the sqe's fd is in cqe.fd until then */
	sk = pg_net_fd_sock(BPF_CORE_READ(r, cqe.fd));
	port = sk ? BPF_CORE_READ(sk, __sk_common.skc_num) : 0;
	if (!port)
		return 0;
	k.ring = (__u64)BPF_CORE_READ(r, ctx);
	k.user_data = BPF_CORE_READ(r, cqe.user_data);
	bpf_map_update_elem(&pg_net_uring_accepts, &k, &port, BPF_ANY);
	return 0;
}

/* The tracepoint's later name... */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(tp_btf_net_uring_submit, void *req)
{
	return pg_net_uring_submit(req);
}

/* ... and its earlier one, where it takes the request first (6.0 on) */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(tp_btf_net_uring_submit_sqe, void *req)
{
	return pg_net_uring_submit(req);
}
