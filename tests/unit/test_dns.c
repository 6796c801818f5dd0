/*
 * test_dns.c - the DNS response parser on hand-built messages: answers and CNAME chains, names at the
 * length limit, compression pointers and their loops, labels that hold a dot or a NUL, truncation.
 */
#include "config.h"

#include <string.h>

#include "check.h"
#include "dns.h"

struct msg {
	uint8_t b[1024];
	uint32_t n;
};

static void
put8(struct msg *m, uint8_t v)
{
	m->b[m->n++] = v;
}

static void
put16(struct msg *m, uint16_t v)
{
	put8(m, (uint8_t)(v >> 8));
	put8(m, (uint8_t)v);
}

static void
putn(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += (uint32_t)n;
}

/* A response header: qd questions, an answers. */
static void
header(struct msg *m, uint16_t qd, uint16_t an)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, 0x8180);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

/* A dotted name as labels (each <= 63 bytes), with the final zero. */
static void
name(struct msg *m, const char *s)
{
	while (*s) {
		size_t l = strcspn(s, ".");

		put8(m, (uint8_t)l);
		putn(m, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	put8(m, 0);
}

static void
question(struct msg *m, const char *qname)
{
	name(m, qname);
	put16(m, 1);		/* A */
	put16(m, 1);		/* IN */
}

/* An A record owned by the name at offset at (a compression pointer). */
static void
a_record(struct msg *m, uint16_t at, uint32_t ttl, uint8_t last)
{
	put16(m, (uint16_t)(0xc000 | at));
	put16(m, 1);
	put16(m, 1);
	put16(m, (uint16_t)(ttl >> 16));
	put16(m, (uint16_t)ttl);
	put16(m, 4);
	put8(m, 192);
	put8(m, 0);
	put8(m, 2);
	put8(m, last);
}

static void
test_answers(void)
{
	struct msg m;
	struct dns_response r;
	uint32_t cname_at;

	header(&m, 1, 3);
	question(&m, "CDN.Meson.Network");
	a_record(&m, 12, 300, 7);
	a_record(&m, 12, 60, 8);
	/* An AAAA record of the wrong length is skipped. */
	put16(&m, 0xc00c);
	put16(&m, 28);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 60);
	put16(&m, 4);
	putn(&m, "\1\2\3\4", 4);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), 0);
	CHECK_STR(r.qname, "cdn.meson.network");
	CHECK_EQ(r.nanswers, 2);
	CHECK_EQ(r.an[0].ipver, 4);
	CHECK_EQ(r.an[0].addr[3], 7);
	CHECK_EQ(r.an[0].ttl, 300);
	CHECK_EQ(r.an[1].addr[3], 8);

	/* A CNAME chain: the address of the name the question's name points to counts; a stray one does not. */
	header(&m, 1, 3);
	question(&m, "www.example.com");
	put16(&m, 0xc00c);
	put16(&m, 5);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 60);
	put16(&m, 18);
	cname_at = m.n;
	name(&m, "edge.cdn.example");
	a_record(&m, (uint16_t)cname_at, 60, 9);
	name(&m, "glue.example");
	put16(&m, 1);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 60);
	put16(&m, 4);
	putn(&m, "\1\2\3\4", 4);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), 0);
	CHECK_EQ(r.nanswers, 1);
	CHECK_EQ(r.an[0].addr[3], 9);

	/* A query is no response. */
	header(&m, 1, 0);
	m.b[2] = 0x01;
	question(&m, "example.com");
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), -1);
}

static void
test_lengths(void)
{
	struct msg m;
	struct dns_response r;
	char n253[300];
	const char *l63 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	uint32_t i;

	/* 253 characters, the longest a name can be (255 bytes in wire form): whole. */
	snprintf(n253, sizeof(n253), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	CHECK_EQ(strlen(n253), 253);
	header(&m, 1, 1);
	question(&m, n253);
	a_record(&m, 12, 60, 1);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), 0);
	CHECK_STR(r.qname, n253);
	CHECK_EQ(r.nanswers, 1);

	/* One more label: refused, not cut. */
	header(&m, 1, 0);
	snprintf(n253, sizeof(n253), "%s.%s.%s.%s.a", l63, l63, l63, l63);
	question(&m, n253);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), -1);

	/* Every prefix of a good message: never read past it, never accepted half. */
	header(&m, 1, 1);
	question(&m, "cdn.meson.network");
	a_record(&m, 12, 60, 1);
	for (i = 0; i < m.n; i++) {
		uint8_t cut[1024];

		memcpy(cut, m.b, i);
		CHECK_EQ(dns_parse_response(cut, i, &r), -1);
	}
}

static void
test_pointers(void)
{
	struct msg m;
	struct dns_response r;

	/* The question's name is a pointer to itself: a loop, bounded. */
	header(&m, 1, 0);
	put16(&m, 0xc00c);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), -1);

	/* A pointer past the end of the message. */
	header(&m, 1, 0);
	put16(&m, 0xc3ff);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), -1);

	/* Label types 01 and 10 (RFC 6891 extended labels): refused. */
	header(&m, 1, 0);
	put8(&m, 0x41);
	put8(&m, 'a');
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), -1);
}

/*
 * A label holding a dot would read as two labels ("meson.network" in one label is not the name
 * meson.network), and one holding a NUL would end the name early: such names are refused, and the message
 * with them.
 */
static void
test_hostile_labels(void)
{
	struct msg m;
	struct dns_response r;

	header(&m, 1, 1);
	put8(&m, 13);
	putn(&m, "meson.network", 13);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	a_record(&m, 12, 60, 1);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), -1);
	CHECK_EQ(r.nanswers, 0);

	header(&m, 1, 1);
	put8(&m, 3);
	putn(&m, "cdn", 3);
	put8(&m, 5);
	putn(&m, "meson", 5);
	put8(&m, 11);
	putn(&m, "network\0evi", 11);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	a_record(&m, 12, 60, 1);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), -1);
	CHECK_EQ(r.nanswers, 0);

	/* The same in an answer's owner name: the message is refused too. */
	header(&m, 1, 1);
	question(&m, "cdn.meson.network");
	put8(&m, 9);
	putn(&m, "cdn.meson", 9);
	put16(&m, 0xc000 | 22);		/* then "network" from the question */
	put16(&m, 1);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 60);
	put16(&m, 4);
	putn(&m, "\1\2\3\4", 4);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), -1);

	/* Other bytes are data (RFC 2181 11): kept, lower-cased; JSON output escapes what must be. */
	header(&m, 1, 1);
	put8(&m, 4);
	putn(&m, "A\001\377_", 4);
	put8(&m, 7);
	putn(&m, "example", 7);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	a_record(&m, 12, 60, 1);
	CHECK_EQ(dns_parse_response(m.b, m.n, &r), 0);
	CHECK_STR(r.qname, "a\001\377_.example");
}

int
main(void)
{
	test_answers();
	test_lengths();
	test_pointers();
	test_hostile_labels();
	return check_done("test_dns");
}
