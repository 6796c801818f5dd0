/*
 * test_signature.c - the signature detector on hand-built flows with the shipped signatures: certificate
 * names (wildcards, a bare "*."), and addresses learned from DNS answers for long vendor names.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <ndpi/ndpi_protocol_ids.h>

#include "check.h"
#include "conf.h"
#include "detect.h"
#include "flow.h"
#include "log.h"
#include "output.h"
#include "sigdb.h"
#include "store.h"

static char events[65536];
static size_t nevents;

static int
collect(void *ctx, const char *event_type, const char *json, size_t len)
{
	(void)ctx;
	(void)event_type;
	if (nevents + len + 2 < sizeof(events)) {
		memcpy(events + nevents, json, len);
		nevents += len;
		events[nevents++] = '\n';
		events[nevents] = '\0';
	}
	return 0;
}

static void
nothing(void *ctx)
{
	(void)ctx;
}

static const struct output_ops collect_ops = { "collect", collect, nothing, nothing };

static struct sigdb *db;
static struct conf conf;
static struct outputs outs;
static struct store store;
static const uint64_t t0 = 1708979590000000ull;

static struct detect *
fresh(void)
{
	char err[256];
	struct detect *d;

	nevents = 0;
	events[0] = '\0';
	store.ops = &store_mem_ops;
	store.ctx = store_mem_open();
	d = detect_new(&conf, &outs, db, &store, err, sizeof(err));
	if (d == NULL)
		log_fatal(1, "%s", err);
	detect_tick(d, t0);
	return d;
}

static void
done(struct detect *d)
{
	detect_free(d);
	store.ops->close(store.ctx);
}

/* A TCP flow between home host 10.0.0.5 and 203.0.113.last; node: the home host is the server. */
static struct flow *
tcp_flow(uint8_t last, int node)
{
	struct flow *f = xcalloc(1, sizeof(*f));

	f->rec.key.ipver = 4;
	f->rec.key.proto = 6;
	f->rec.key.a[0] = 10;
	f->rec.key.a[3] = 5;
	f->rec.key.b[0] = 203;
	f->rec.key.b[2] = 113;
	f->rec.key.b[3] = last;
	f->rec.init_is_b = node ? 1 : 0;
	f->rec.key.pa = node ? 443 : 40000;
	f->rec.key.pb = node ? 40000 : 443;
	f->rec.home = 1;
	f->rec.spoke = 3;
	f->rec.master = NDPI_PROTOCOL_TLS;
	return f;
}

/* The server's certificate names as nDPI keeps them, in a block of exactly their size. */
static int
cert_alerts(const char *names, int node)
{
	struct detect *d = fresh();
	struct flow *f = tcp_flow(7, node);
	size_t n = strlen(names);
	int count = 0;
	const char *p;

	f->rec.l7 = xcalloc(1, sizeof(*f->rec.l7));
	f->rec.l7->cert_names = xmalloc(n + 1);
	memcpy(f->rec.l7->cert_names, names, n + 1);
	detect_flow_speaks(d, &f->rec, &f->det, 0, t0);
	detect_flow_speaks(d, &f->rec, &f->det, 1, t0);
	detect_flow_classified(d, &f->rec, &f->det, t0);
	for (p = events; (p = strstr(p, "\"where\":\"tls.certificate\"")) != NULL; p++)
		count++;
	done(d);
	flow_free(f);
	return count;
}

static void
test_cert_names(void)
{
	/* A bare wildcard, last: nothing is read past the names (the sanitizer build checks), nothing matches. */
	CHECK_EQ(cert_alerts("node.example,*.", 1), 0);
	CHECK_EQ(cert_alerts("*.", 1), 0);
	CHECK_EQ(cert_alerts("*", 1), 0);
	/* "*x." is no wildcard: the name is taken whole, so its last bytes are not dropped into a match. */
	CHECK_EQ(cert_alerts("*x.mesontracking.comzz", 1), 0);
	CHECK_EQ(cert_alerts("a.example,*x.mesontracking.comzz", 1), 0);
	/* A wildcard is a vendor's: as a certificate indicator, and through a domain under the wildcard. */
	CHECK_EQ(cert_alerts("*.mesontracking.com", 1), 1);
	CHECK_EQ(cert_alerts("other.example, *.mesontracking.com", 1), 1);
	CHECK_EQ(cert_alerts("*.edge.meson.network", 0), 1);
	CHECK_EQ(cert_alerts("*.edge.meson.networkzz", 0), 0);
}

/* A DNS response: the question name (dotted, each label <= 63 bytes) and one A record for 203.0.113.last. */
static uint32_t
dns_answer(uint8_t *m, const char *name, uint8_t last)
{
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0 };
	static const uint8_t an[16] = { 0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4 };
	uint32_t n = 12;
	const char *s = name;

	memcpy(m, hdr, 12);
	while (*s) {
		size_t l = strcspn(s, ".");

		m[n++] = (uint8_t)l;
		memcpy(m + n, s, l);
		n += (uint32_t)l;
		s += l;
		if (*s == '.')
			s++;
	}
	m[n++] = 0;
	memcpy(m + n, an, 16);
	n += 16;
	m[n++] = 203;
	m[n++] = 0;
	m[n++] = 113;
	m[n++] = last;
	return n;
}

/* A home host resolves name and then connects to the address: does the alert name the address's origin? */
static int
resolved_alert(const char *name)
{
	struct detect *d = fresh();
	struct flow *q = tcp_flow(53, 0), *f = tcp_flow(9, 0);
	uint8_t msg[600];
	uint32_t len = dns_answer(msg, name, 9);
	char want[400];
	int found;

	q->rec.key.proto = 17;
	q->rec.key.pb = 53;
	q->rec.master = NDPI_PROTOCOL_DNS;
	detect_dns_response(d, &q->rec, msg, len, t0);
	detect_flow_speaks(d, &f->rec, &f->det, 0, t0 + 1000);
	snprintf(want, sizeof(want), "\"where\":\"dns.answer\",\"resolved_from\":\"%s\"", name);
	found = strstr(events, want) != NULL;
	done(d);
	flow_free(q);
	flow_free(f);
	return found;
}

static void
test_long_resolved_names(void)
{
	char name[300];
	const char *l63 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

	CHECK(resolved_alert("cdn.meson.network"));
	/* 205 characters: the vendor suffix is past the first 96. */
	snprintf(name, sizeof(name), "%s.%s.%s.meson.network", l63, l63, l63);
	CHECK_EQ(strlen(name), 205);
	CHECK(resolved_alert(name));
	/* 253, the longest a name can be (RFC 1035 2.3.4). */
	snprintf(name, sizeof(name), "%s.%s.%s.%.47s.meson.network", l63, l63, l63, l63);
	CHECK_EQ(strlen(name), 253);
	CHECK(resolved_alert(name));
}

int
main(void)
{
	char err[1024];

	if ((db = sigdb_load(SRC_SIGDIR, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	conf_defaults(&conf);
	outputs_add(&outs, &collect_ops, NULL);
	test_cert_names();
	test_long_resolved_names();
	sigdb_free(db);
	return check_done("test_signature");
}
