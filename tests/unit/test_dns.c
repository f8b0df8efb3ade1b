// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/dns.c: DNS messages as the network sensor copies
 * them, well formed and hostile (pointer loops, lengths past the end,
 * messages cut by the kernel's copy).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "dns.h"

/* id 0x1234, a standard query for "pg-dns.example" A */
static const uint8_t query[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 6,    'p',  'g',	'-',  'd',  'n',  's',	7,    'e',  'x',
	'a',  'm',  'p',  'l',	'e',  0,    0x00, 0x01, 0x00, 0x01,
};

/* its answer: a CNAME to "b.example" (compressed), then b's A and AAAA */
static const uint8_t answer[] = {
	0x12,
	0x34,
	0x81,
	0x80,
	0x00,
	0x01,
	0x00,
	0x03,
	0x00,
	0x00,
	0x00,
	0x00,
	/* question at 12 */
	6,
	'p',
	'g',
	'-',
	'd',
	'n',
	's',
	7,
	'e',
	'x',
	'a',
	'm',
	'p',
	'l',
	'e',
	0,
	0x00,
	0x01,
	0x00,
	0x01,
	/* CNAME: name -> 12, target "b" + pointer to "example" (offset 19) */
	0xc0,
	12,
	0x00,
	0x05,
	0x00,
	0x01,
	0x00,
	0x00,
	0x00,
	0x3c,
	0x00,
	0x04,
	1,
	'b',
	0xc0,
	19,
	/* A of b.example (name at 44: "b" + pointer) */
	0xc0,
	44,
	0x00,
	0x01,
	0x00,
	0x01,
	0x00,
	0x00,
	0x01,
	0x00,
	0x00,
	0x04,
	198,
	18,
	0,
	2,
	/* AAAA */
	0xc0,
	44,
	0x00,
	0x1c,
	0x00,
	0x01,
	0x00,
	0x00,
	0x00,
	0x3c,
	0x00,
	0x10,
	0x20,
	0x01,
	0x00,
	0x02,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	2,
};

static void test_dns_query(void **state)
{
	struct pg_dns_rr rr[PG_DNS_ANSWERS_MAX];
	struct pg_dns_msg m;
	char tmp[16];

	(void)state;
	assert_int_equal(pg_dns_parse(query, sizeof(query), &m, rr), 0);
	assert_int_equal(m.id, 0x1234);
	assert_false(m.response);
	assert_string_equal(m.qname, "pg-dns.example");
	assert_string_equal(pg_dns_type_name(m.qtype, tmp), "A");
	assert_int_equal(m.n_answers, 0);
}

static void test_dns_answer(void **state)
{
	struct pg_dns_rr rr[PG_DNS_ANSWERS_MAX];
	static const uint8_t v6[16] = { 0x20, 0x01, 0, 2, [15] = 2 };
	struct pg_dns_msg m;
	char tmp[16];

	(void)state;
	assert_int_equal(pg_dns_parse(answer, sizeof(answer), &m, rr), 0);
	assert_true(m.response);
	assert_string_equal(pg_dns_rcode_name(m.rcode, tmp), "NOERROR");
	assert_int_equal(m.n_answers, 3);
	assert_false(m.cut);
	assert_string_equal(rr[0].name, "pg-dns.example");
	assert_string_equal(rr[0].target, "b.example");
	assert_int_equal(rr[0].ttl, 60);
	assert_string_equal(rr[1].name, "b.example");
	assert_int_equal(rr[1].type, PG_DNS_TYPE_A);
	assert_memory_equal(rr[1].addr, ((uint8_t[]){ 198, 18, 0, 2 }), 4);
	assert_int_equal(rr[1].ttl, 256);
	assert_memory_equal(rr[2].addr, v6, 16);
}

/* A message cut by the copy keeps its question and the answers before the cut. */
static void test_dns_cut(void **state)
{
	struct pg_dns_rr rr[PG_DNS_ANSWERS_MAX];
	struct pg_dns_msg m;

	(void)state;
	assert_int_equal(pg_dns_parse(answer, sizeof(answer) - 5, &m, rr), 0);
	assert_int_equal(m.n_answers, 2);
	assert_true(m.cut);
	/* not even a question: refused */
	assert_int_equal(pg_dns_parse(answer, 20, &m, rr), -EBADMSG);
	assert_int_equal(pg_dns_parse(answer, 5, &m, rr), -EBADMSG);
}

static void test_dns_hostile(void **state)
{
	struct pg_dns_rr rr[PG_DNS_ANSWERS_MAX];
	struct pg_dns_msg m;
	uint8_t b[64];

	(void)state;
	/* a name pointing at itself */
	memcpy(b, query, 12);
	b[12] = 0xc0, b[13] = 12;
	assert_int_equal(pg_dns_parse(b, 18, &m, rr), -EBADMSG);
	/* a pointer forward */
	b[13] = 14;
	assert_int_equal(pg_dns_parse(b, 18, &m, rr), -EBADMSG);
	/* a label longer than the message */
	b[12] = 63;
	assert_int_equal(pg_dns_parse(b, 20, &m, rr), -EBADMSG);
	/* reserved label type */
	b[12] = 0x40;
	assert_int_equal(pg_dns_parse(b, 20, &m, rr), -EBADMSG);
	/* 16 bit counts that lie: 65535 answers, none there */
	memcpy(b, query, sizeof(query));
	b[6] = b[7] = 0xff;
	assert_int_equal(pg_dns_parse(b, sizeof(query), &m, rr), 0);
	assert_int_equal(m.n_answers, 0);
	assert_true(m.cut);
}

/* A message of header and one question for the wire name @name (@len bytes). */
static size_t question(uint8_t *b, const uint8_t *name, size_t len)
{
	memcpy(b, query, 12);
	memcpy(b + 12, name, len);
	memcpy(b + 12 + len, "\0\1\0\1", 4);
	return 12 + len + 4;
}

/* Three labels of 63 bytes 0x01, and one of @last, in wire form; its length. */
static size_t unprintable_name(uint8_t *name, uint8_t last)
{
	size_t i, n = 0;

	for (i = 0; i < 4; i++) {
		name[n] = i < 3 ? 63 : last;
		memset(name + n + 1, 0x01, name[n]);
		n += 1u + name[n];
	}
	name[n++] = 0;
	return n;
}

/*
 * Names in the master-file form: lower case, and a label holding a dot,
 * a backslash, a NUL or any unprintable byte escaped, so it cannot pass
 * for two labels or hide what follows.
 */
static void test_dns_name_text(void **state)
{
	static const uint8_t mixed[] = "\3WwW\7EXAMPLE\3cOm";
	static const uint8_t one_label[] = "\14evil.example\3com";
	static const uint8_t odd[] = "\5a\0b\\\377\3com";
	uint8_t b[600], name[300];
	struct pg_dns_msg m;
	size_t n;

	(void)state;
	assert_int_equal(pg_dns_parse(b, question(b, mixed, sizeof(mixed)), &m, NULL), 0);
	assert_string_equal(m.qname, "www.example.com");
	assert_int_equal(pg_dns_parse(b, question(b, one_label, sizeof(one_label)), &m, NULL), 0);
	assert_string_equal(m.qname, "evil\\.example.com");
	assert_int_equal(pg_dns_parse(b, question(b, odd, sizeof(odd)), &m, NULL), 0);
	assert_string_equal(m.qname, "a\\000b\\\\\\255.com");
	/* 255 octets of unprintable bytes: the longest text there is, and it fits */
	n = unprintable_name(name, 61);
	assert_int_equal(n, 255);
	assert_int_equal(pg_dns_parse(b, question(b, name, n), &m, NULL), 0);
	assert_int_equal(strlen(m.qname), 3 * 63 * 4 + 61 * 4 + 3);
	/* one octet more is not a name */
	n = unprintable_name(name, 62);
	assert_int_equal(pg_dns_parse(b, question(b, name, n), &m, NULL), -EBADMSG);
}

/* Every prefix of every byte flipped: no crash, no read outside (ASan). */
static void test_dns_every_cut(void **state)
{
	struct pg_dns_rr rr[PG_DNS_ANSWERS_MAX];
	struct pg_dns_msg m;
	uint8_t b[sizeof(answer)];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(answer); i++)
		for (n = 0; n <= sizeof(answer); n++) {
			memcpy(b, answer, sizeof(b));
			b[i] ^= 0xff;
			(void)pg_dns_parse(b, n, &m, rr);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_query),     cmocka_unit_test(test_dns_answer),
		cmocka_unit_test(test_dns_cut),	      cmocka_unit_test(test_dns_hostile),
		cmocka_unit_test(test_dns_every_cut), cmocka_unit_test(test_dns_name_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
