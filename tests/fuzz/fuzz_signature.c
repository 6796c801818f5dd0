/*
 * fuzz_signature.c - libFuzzer target for the signature detector: the names nDPI hands over (TLS SNI, the
 * server certificate's names, the DNS query, the HTTP Host), the JA3 hash, and the DNS answers that tie an
 * address to a name, matched against the shipped signatures.  The decode target cannot reach most of these:
 * a certificate name, say, needs a whole TLS handshake that nDPI accepts.
 *
 * Input: one selector byte, then up to five fields separated by '\n':
 *
 *   selector  bits 0-2: the flow's protocol (TLS, QUIC, DNS, HTTP, unknown); bit 3: the home host is the
 *             responder (a node) rather than the initiator; bit 4: the responder answered
 *   name      as nDPI keeps it (flow.l7.name)
 *   certs     the certificate's names, comma separated, as nDPI keeps them
 *   ja3       the client's JA3 hash
 *   qname     a DNS question name in wire form (length-prefixed labels, no final zero), answered with the
 *             flow's remote address; a second flow to that address then looks the name up again
 *   alpn      the negotiated ALPN
 *
 * Every string is copied to a heap block of exactly its size, so a read past its end is a sanitizer report.
 * Every event written must be valid UTF-8 without raw control bytes: an abort here is an output bug.  One
 * detection layer serves the whole run, its clock a second further on at each input.
 *
 *   ./configure CC=clang --enable-fuzz && make tests/fuzz/fuzz_signature
 *   tests/fuzz/fuzz_signature tests/fuzz/corpus/signature
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ndpi/ndpi_protocol_ids.h>

#include "conf.h"
#include "detect.h"
#include "flow.h"
#include "log.h"
#include "output.h"
#include "sigdb.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 5

static const uint16_t protos[] = { NDPI_PROTOCOL_TLS, NDPI_PROTOCOL_QUIC, NDPI_PROTOCOL_DNS, NDPI_PROTOCOL_HTTP,
				   NDPI_PROTOCOL_UNKNOWN };

/* Is s[0..n) valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF)? */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k, more;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			more = 1;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3;
		else
			return false;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		for (k = 1; k <= more; k++) {
			if (i + k >= n || s[i + k] < (k == 1 ? lo : 0x80) || s[i + k] > (k == 1 ? hi : 0xbf))
				return false;
		}
		i += more + 1;
	}
	return true;
}

static int
check_write(void *ctx, const char *event_type, const char *json, size_t len)
{
	size_t i;

	(void)ctx;
	(void)event_type;
	if (len == 0 || json[0] != '{' || json[len - 1] != '}' || strlen(json) != len)
		abort();
	for (i = 0; i < len; i++)
		if ((unsigned char)json[i] < 0x20)
			abort();
	if (!valid_utf8((const unsigned char *)json, len))
		abort();
	return 0;
}

static void
no_flush(void *ctx)
{
	(void)ctx;
}

static const struct output_ops check_ops = { "check", check_write, no_flush, no_flush };

/* A heap copy of exactly n bytes and a NUL, or NULL when the field is absent. */
static char *
copy(const uint8_t *p, size_t n)
{
	char *s;

	if (p == NULL)
		return NULL;
	s = xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static struct flow *
make_flow(uint8_t sel, uint8_t remote_last, uint16_t sport)
{
	struct flow *f = xcalloc(1, sizeof(*f));
	const uint8_t home[4] = { 10, 0, 0, 5 }, remote[4] = { 203, 0, 113, remote_last };

	/* key.a is the lower address: the home host (10/8) is always a, the initiator chosen by the selector. */
	f->rec.key.ipver = 4;
	f->rec.key.proto = (sel & 7) == 1 ? 17 : 6;
	memcpy(f->rec.key.a, home, 4);
	memcpy(f->rec.key.b, remote, 4);
	f->rec.init_is_b = (sel & 8) ? 1 : 0;
	f->rec.key.pa = f->rec.init_is_b ? 443 : sport;
	f->rec.key.pb = f->rec.init_is_b ? sport : 443;
	f->rec.master = protos[(sel & 7) % (sizeof(protos) / sizeof(protos[0]))];
	f->rec.home = 1;
	f->rec.spoke = (sel & 16) ? 3 : 1;
	f->rec.pkts[0] = 1;
	f->rec.bytes[0] = 100;
	return f;
}

/* A DNS response: the question wire name qn, and an A record (a pointer to the question) for addr. */
static size_t
dns_message(uint8_t *m, size_t cap, const uint8_t *qn, size_t qlen, const uint8_t addr[4])
{
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0 };
	static const uint8_t tail[4] = { 0, 1, 0, 1 };
	static const uint8_t an[12] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4 };
	size_t n = 0;

	if (12 + qlen + 1 + 4 + 12 + 4 > cap)
		return 0;
	memcpy(m, hdr, 12);
	n = 12;
	memcpy(m + n, qn, qlen);
	n += qlen;
	m[n++] = 0;
	memcpy(m + n, tail, 4);
	n += 4;
	memcpy(m + n, an, 12);
	n += 12;
	memcpy(m + n, addr, 4);
	return n + 4;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf conf;
	static struct outputs outs;
	static struct store store;
	static struct detect *det;
	static uint64_t now = 1708979590000000ull;
	const uint8_t *field[NFIELDS] = { NULL };
	size_t flen[NFIELDS] = { 0 }, i, off;
	struct flow *f, *g;
	uint8_t sel, msg[600];

	if (size < 1)
		return 0;
	/*
	 * One detection layer for the whole run, as in fuzz_decode: making one per input (its DNS answer map
	 * alone is 65536 slots) would take most of the time.  Its tables are bounded, and with no suppression
	 * every match is written out and checked.
	 */
	if (det == NULL) {
		char err[1024];
		struct sigdb *db = sigdb_load(SRC_SIGDIR, err, sizeof(err));

		if (db == NULL)
			abort();
		conf_defaults(&conf);
		conf.host_max = 16;
		conf.suppress_s = 0;
		outputs_add(&outs, &check_ops, NULL);
		store.ops = &store_mem_ops;
		store.ctx = store_mem_open();
		if ((det = detect_new(&conf, &outs, db, &store, err, sizeof(err))) == NULL)
			abort();
	}
	now += 1000000;
	detect_tick(det, now);
	sel = data[0];
	for (i = 0, off = 1; i < NFIELDS && off <= size; i++) {
		const uint8_t *nl = off < size ? memchr(data + off, '\n', size - off) : NULL;
		size_t end = nl ? (size_t)(nl - data) : size;

		field[i] = data + off;
		flen[i] = end - off;
		off = end + 1;
	}


	/* The classified flow: names, certificate names, JA3 and ALPN. */
	f = make_flow(sel, 7, 40000);
	f->rec.l7 = xcalloc(1, sizeof(*f->rec.l7));
	f->rec.l7->name = copy(field[0], flen[0]);
	f->rec.l7->cert_names = copy(field[1], flen[1]);
	if (field[2])
		memcpy(f->rec.l7->ja3c, field[2], flen[2] < sizeof(f->rec.l7->ja3c) ? flen[2] : sizeof(f->rec.l7->ja3c) - 1);
	f->rec.l7->alpn = copy(field[4], flen[4]);
	detect_flow_speaks(det, &f->rec, &f->det, 0, now);
	if (sel & 16)
		detect_flow_speaks(det, &f->rec, &f->det, 1, now);
	detect_flow_classified(det, &f->rec, &f->det, now);
	detect_flow_end(det, &f->rec, &f->det, now);

	/* A DNS answer ties 203.0.113.9 to the question's name; a flow to that address looks it up. */
	if (field[3]) {
		const uint8_t addr[4] = { 203, 0, 113, 9 };
		size_t mlen = dns_message(msg, sizeof(msg), field[3], flen[3], addr);

		if (mlen) {
			uint8_t *heap = xmalloc(mlen);

			memcpy(heap, msg, mlen);
			g = make_flow(2, 53, 40001);
			g->rec.key.proto = 17;
			g->rec.master = NDPI_PROTOCOL_DNS;
			g->rec.init_is_b = 0;
			g->rec.key.pb = 53;
			detect_dns_response(det, &g->rec, heap, (uint32_t)mlen, now);
			free(heap);
			flow_free(g);
			g = make_flow(sel & ~8, 9, 40002);
			detect_flow_speaks(det, &g->rec, &g->det, 0, now + 1000);
			flow_free(g);
		}
	}
	flow_free(f);
	return 0;
}
