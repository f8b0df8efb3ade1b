// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"

struct cursor {
	const uint8_t *buf;
	size_t len, off;
};

static int get16(struct cursor *c, uint16_t *v)
{
	if (c->len - c->off < 2 || c->off > c->len)
		return -EBADMSG;
	*v = (uint16_t)(c->buf[c->off] << 8 | c->buf[c->off + 1]);
	c->off += 2;
	return 0;
}

static int get32(struct cursor *c, uint32_t *v)
{
	uint16_t hi, lo;

	if (get16(c, &hi) || get16(c, &lo))
		return -EBADMSG;
	*v = (uint32_t)hi << 16 | lo;
	return 0;
}

/*
 * One label's bytes at @out + @n, in the master-file form (RFC 1035 5.1):
 * a '.' or '\\' inside a label escaped, any byte that is not printable
 * ASCII as \DDD, so that no label can pass for two ("evil.example" in
 * one label), and no NUL or control byte cuts or garbles the name. Letters
 * in lower case: names compare without regard to case (RFC 4343), and
 * resolvers randomise it (0x20 encoding), so the events show one form and
 * dns_name selectors compare plainly.
 */
static size_t put_label(char *out, size_t n, const uint8_t *l, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t b = l[i];

		if (b == '.' || b == '\\') {
			out[n++] = '\\';
			out[n++] = (char)b;
		} else if (b <= ' ' || b >= 0x7f) {
			n += (size_t)sprintf(out + n, "\\%03u", b);
		} else {
			out[n++] = (char)(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
		}
	}
	return n;
}

/*
 * A name at c->off into @out, in dotted text; c->off moves past it (past
 * the first pointer, if compressed). Pointers may only go backwards, which
 * bounds the walk: a loop of pointers cannot be written. Wire octets are
 * counted against 255, so the text (at most 4 bytes an octet) fits.
 */
static int get_name(struct cursor *c, char out[PG_DNS_NAME_MAX])
{
	size_t off = c->off, n = 0, end = 0, wire = 1;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (off >= c->len)
			return -EBADMSG;
		l = c->buf[off];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (off + 1 >= c->len)
				return -EBADMSG;
			to = (size_t)(l & 0x3f) << 8 | c->buf[off + 1];
			if (to >= off)
				return -EBADMSG; /* forward or self: a loop */
			if (!jumped)
				end = off + 2;
			jumped = true;
			off = to;
			continue;
		}
		if (l & 0xc0)
			return -EBADMSG; /* the reserved label types */
		off++;
		if (!l)
			break;
		wire += l + 1u;
		if (l > c->len - off || wire > 255)
			return -EBADMSG;
		if (n)
			out[n++] = '.';
		n = put_label(out, n, c->buf + off, l);
		off += l;
	}
	out[n] = 0;
	c->off = jumped ? end : off;
	return 0;
}

static int get_rr(struct cursor *c, struct pg_dns_rr *rr)
{
	struct cursor rd;
	uint16_t class, rdlen;

	if (get_name(c, rr->name) || get16(c, &rr->type) || get16(c, &class) ||
	    get32(c, &rr->ttl) || get16(c, &rdlen) || rdlen > c->len - c->off)
		return -EBADMSG;
	memset(rr->addr, 0, sizeof(rr->addr));
	rr->target[0] = 0;
	if (rr->type == PG_DNS_TYPE_A && rdlen == 4)
		memcpy(rr->addr, c->buf + c->off, 4);
	else if (rr->type == PG_DNS_TYPE_AAAA && rdlen == 16)
		memcpy(rr->addr, c->buf + c->off, 16);
	else if (rr->type == PG_DNS_TYPE_CNAME || rr->type == 2 /* NS */ ||
		 rr->type == 12 /* PTR */) {
		/* compressed names point into the whole message */
		rd = *c;
		if (get_name(&rd, rr->target) || rd.off > c->off + rdlen)
			return -EBADMSG;
	}
	c->off += rdlen;
	return 0;
}

int pg_dns_parse(const uint8_t *buf, size_t len, struct pg_dns_msg *ret, struct pg_dns_rr *answers)
{
	struct cursor c = { .buf = buf, .len = len };
	uint16_t flags, qd, an, ns, ar, qclass;
	struct pg_dns_msg m;
	size_t i;

	memset(&m, 0, sizeof(m));
	if (get16(&c, &m.id) || get16(&c, &flags) || get16(&c, &qd) || get16(&c, &an) ||
	    get16(&c, &ns) || get16(&c, &ar))
		return -EBADMSG;
	m.response = flags >> 15;
	m.rcode = flags & 0xf;
	if (qd) {
		if (get_name(&c, m.qname) || get16(&c, &m.qtype) || get16(&c, &qclass))
			return -EBADMSG;
		/* further questions: skipped (no server sends them) */
		for (i = 1; i < qd; i++) {
			char skip[PG_DNS_NAME_MAX];

			if (get_name(&c, skip) || get16(&c, &qclass) || get16(&c, &qclass)) {
				m.cut = true;
				*ret = m;
				return 0;
			}
		}
	}
	for (i = 0; answers && i < an; i++) {
		if (m.n_answers == PG_DNS_ANSWERS_MAX || get_rr(&c, &answers[m.n_answers])) {
			m.cut = true;
			break;
		}
		m.n_answers++;
	}
	*ret = m;
	return 0;
}

const char *pg_dns_type_name(uint16_t type, char tmp[16])
{
	switch (type) {
	case PG_DNS_TYPE_A: return "A";
	case 2: return "NS";
	case PG_DNS_TYPE_CNAME: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 15: return "MX";
	case 16: return "TXT";
	case PG_DNS_TYPE_AAAA: return "AAAA";
	case 33: return "SRV";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 255: return "ANY";
	default: snprintf(tmp, 16, "TYPE%u", type); return tmp;
	}
}

const char *pg_dns_rcode_name(unsigned rcode, char tmp[16])
{
	static const char *const names[] = { "NOERROR",	 "FORMERR", "SERVFAIL",
					     "NXDOMAIN", "NOTIMP",  "REFUSED" };

	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(tmp, 16, "RCODE%u", rcode);
	return tmp;
}
