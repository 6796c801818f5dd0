/*
 * dns.c - DNS response parsing with bounds checks and bounded name-compression loops.
 *
 *   header: ID(2) flags(2) QDCOUNT(2) ANCOUNT(2) NSCOUNT(2) ARCOUNT(2)
 *   question: QNAME QTYPE(2) QCLASS(2)
 *   answer: NAME TYPE(2) CLASS(2) TTL(4) RDLENGTH(2) RDATA
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "dns.h"

#define DNS_MAX_POINTERS 16
#define DNS_MAX_CHAIN 8		/* names in a CNAME chain followed */

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Read a (possibly compressed) name at *off.  Writes it to out (if not NULL) and moves *off past the name
 * as it appears at that place.  Returns 0, or -1 for a malformed name, one longer than outlen holds, or one
 * with a label that holds a dot or a NUL.
 */
static int
read_name(const uint8_t *m, uint32_t len, uint32_t *off, char *out, size_t outlen)
{
	uint32_t p = *off, end = 0;
	size_t o = 0;
	int jumps = 0;

	for (;;) {
		uint8_t l;

		if (p >= len)
			return -1;
		l = m[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= len || ++jumps > DNS_MAX_POINTERS)
				return -1;
			if (!end)
				end = p + 2;
			p = (uint32_t)((l & 0x3f) << 8 | m[p + 1]);
			continue;
		}
		if (l & 0xc0)
			return -1;
		if (l == 0) {
			p++;
			break;
		}
		if (p + 1 + l > len)
			return -1;
		/*
		 * A label may hold any byte (RFC 2181 11), but one with a dot would read as two labels, and
		 * one with a NUL would end the name: the name is refused rather than read as another.
		 */
		if (memchr(m + p + 1, '.', l) != NULL || memchr(m + p + 1, '\0', l) != NULL)
			return -1;
		if (out) {
			uint32_t i;

			if (o + l + 2 > outlen)
				return -1;
			if (o)
				out[o++] = '.';
			for (i = 0; i < l; i++)
				out[o++] = (char)tolower(m[p + 1 + i]);
		}
		p += 1 + l;
	}
	if (out)
		out[o] = '\0';
	*off = end ? end : p;
	return 0;
}

int
dns_parse_response(const uint8_t *m, uint32_t len, struct dns_response *r)
{
	uint16_t qd, an, i;
	uint32_t off = 12;

	r->qname[0] = '\0';
	r->nanswers = 0;
	if (len < 12 || !(m[2] & 0x80))
		return -1;
	qd = be16(m + 4);
	an = be16(m + 6);
	for (i = 0; i < qd; i++) {
		if (read_name(m, len, &off, i == 0 ? r->qname : NULL, sizeof(r->qname)) != 0 || off + 4 > len)
			return -1;
		off += 4;
	}
	/*
	 * Only records that answer the question count: class IN, owned by the question's name or by a name
	 * a CNAME of the chain points to.  Anything else in the section (glue, a forged extra) is skipped.
	 */
	{
		char chain[DNS_MAX_CHAIN][DNS_NAME_MAX];
		int nchain = 1, k;

		memcpy(chain[0], r->qname, sizeof(chain[0]));
		for (i = 0; i < an && r->nanswers < DNS_MAX_ANSWERS; i++) {
			char owner[DNS_NAME_MAX];
			uint16_t type, klass, rdlen;
			uint32_t ttl;
			int ours = 0;

			if (read_name(m, len, &off, owner, sizeof(owner)) != 0 || off + 10 > len)
				return -1;
			type = be16(m + off);
			klass = be16(m + off + 2);
			ttl = (uint32_t)m[off + 4] << 24 | (uint32_t)m[off + 5] << 16 | (uint32_t)m[off + 6] << 8 |
			    m[off + 7];
			rdlen = be16(m + off + 8);
			off += 10;
			if (off + rdlen > len)
				return -1;
			for (k = 0; k < nchain; k++)
				if (strcmp(owner, chain[k]) == 0)
					ours = 1;
			if (ours && klass == 1 && type == 5 && nchain < DNS_MAX_CHAIN) {
				uint32_t p = off;

				if (read_name(m, len, &p, chain[nchain], sizeof(chain[0])) == 0)
					nchain++;
			} else if (ours && klass == 1 && ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16))) {
				struct dns_answer *a = &r->an[r->nanswers++];

				memset(a->addr, 0, sizeof(a->addr));
				a->ipver = type == 1 ? 4 : 6;
				memcpy(a->addr, m + off, rdlen);
				a->ttl = ttl;
			}
			off += rdlen;
		}
	}
	return 0;
}
