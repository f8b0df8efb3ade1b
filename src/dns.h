/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * DNS messages (RFC 1035) as the network sensor copies them from the
 * wire: hostile input, parsed with every length and pointer checked. Only
 * what the events show: the question, the header's flags, and the
 * answers' names, types, TTLs, addresses (A, AAAA) and targets (CNAME…).
 */
#ifndef PG_DNS_H
#define PG_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A name in text, NUL included: at most 255 octets on the wire (RFC 1035),
 * each of which may take 4 bytes escaped (\DDD).
 */
#define PG_DNS_NAME_MAX 1024
#define PG_DNS_ANSWERS_MAX 16

#define PG_DNS_TYPE_A 1
#define PG_DNS_TYPE_CNAME 5
#define PG_DNS_TYPE_AAAA 28

struct pg_dns_rr {
	char name[PG_DNS_NAME_MAX];
	uint16_t type;
	uint32_t ttl;
	uint8_t addr[16];	      /* A: 4 bytes, AAAA: 16 */
	char target[PG_DNS_NAME_MAX]; /* CNAME, NS, PTR: the name it points to; else "" */
};

struct pg_dns_msg {
	uint16_t id;
	bool response;
	unsigned rcode;
	char qname[PG_DNS_NAME_MAX]; /* "" when the message has no question */
	uint16_t qtype;
	size_t n_answers; /* answers parsed, at most PG_DNS_ANSWERS_MAX */
	bool cut;	  /* answers left out: more than kept, or past the copy's end */
};

/*
 * Parse @len bytes of a DNS message into @ret (@answers: room for
 * PG_DNS_ANSWERS_MAX, may be NULL to skip them). 0, or -EBADMSG when not
 * even the header and question can be read. Answers that run past @len
 * (a message longer than the copy) set ->cut and are left out.
 */
int pg_dns_parse(const uint8_t *buf, size_t len, struct pg_dns_msg *ret, struct pg_dns_rr *answers);
/* "A", "AAAA", … or "TYPE<n>" in @tmp (16 bytes). */
const char *pg_dns_type_name(uint16_t type, char tmp[16]);
/* "NOERROR", "NXDOMAIN", … or "RCODE<n>" in @tmp (16 bytes). */
const char *pg_dns_rcode_name(unsigned rcode, char tmp[16]);

#endif
