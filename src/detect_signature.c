/*
 * detect_signature.c - the `signature` detector: flows matched against the indicator database.
 *
 * Names come from nDPI (TLS SNI, DNS query, HTTP Host) and addresses from the flow; DNS answers are parsed
 * here so that an address resolved from a vendor name keeps that name's family for its TTL.  Direction
 * matters: a host that RECEIVES ClientHellos for a node name is serving as a node; one that SENDS them is a
 * client of the vendor's CDN, which is nobody's business.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <ndpi/ndpi_protocol_ids.h>

#include "detectors.h"
#include "dns.h"
#include "family.h"
#include "log.h"
#include "sigdb.h"
#include "spec00.h"
#include "verdict.h"

/* Addresses learned from DNS answers for vendor names; direct-mapped, so bounded and O(1). */
#define DNSMAP_SLOTS 65536u
#define DNSMAP_MIN_TTL 60u		/* short TTLs still cover the connection that follows */
#define DNSMAP_MAX_TTL 86400u

/*
 * The name is kept whole (up to DNS_NAME_MAX, the longest a name can be): cutting it would cut off the
 * vendor's suffix the later look-up needs.  Only answers for vendor names are kept, so names are few and
 * each slot owns a copy of its own.
 */
struct dnsmap_entry {
	uint8_t used, ipver;
	uint8_t addr[16];
	uint64_t expires_us;
	char *name;		/* owned; NULL in a slot never used */
};

struct dnsmap {
	struct dnsmap_entry slot[DNSMAP_SLOTS];
};

struct dnsmap *
dnsmap_new(void)
{
	return xcalloc(1, sizeof(struct dnsmap));
}

void
dnsmap_free(struct dnsmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < DNSMAP_SLOTS; i++)
		free(m->slot[i].name);
	free(m);
}

static uint32_t
dnsmap_index(int ipver, const uint8_t *addr)
{
	uint64_t x = 0xcbf29ce484222325ull;
	int i, n = ipver == 4 ? 4 : 16;

	for (i = 0; i < n; i++)
		x = (x ^ addr[i]) * 0x100000001b3ull;
	return (uint32_t)(x ^ (x >> 32)) % DNSMAP_SLOTS;
}

static void
dnsmap_put(struct dnsmap *m, int ipver, const uint8_t *addr, const char *name, uint32_t ttl, uint64_t now_us)
{
	struct dnsmap_entry *e = &m->slot[dnsmap_index(ipver, addr)];

	if (ttl < DNSMAP_MIN_TTL)
		ttl = DNSMAP_MIN_TTL;
	if (ttl > DNSMAP_MAX_TTL)
		ttl = DNSMAP_MAX_TTL;
	e->used = 1;
	e->ipver = (uint8_t)ipver;
	memset(e->addr, 0, sizeof(e->addr));
	memcpy(e->addr, addr, ipver == 4 ? 4 : 16);
	e->expires_us = now_us + (uint64_t)ttl * 1000000u;
	if (e->name == NULL || strcmp(e->name, name) != 0) {
		free(e->name);
		e->name = xstrdup(name);
	}
}

static const char *
dnsmap_get(const struct dnsmap *m, int ipver, const uint8_t *addr, uint64_t now_us)
{
	const struct dnsmap_entry *e = &m->slot[dnsmap_index(ipver, addr)];

	if (!e->used || e->ipver != ipver || memcmp(e->addr, addr, ipver == 4 ? 4 : 16) != 0 ||
	    now_us > e->expires_us)
		return NULL;
	return e->name;
}

/* How strongly a role names a host's family, before confidence. */
static int
role_strength(enum sig_role r, bool inbound)
{
	switch (r) {
	case SIG_ROLE_NODE:
		return inbound ? 100 : 0;
	case SIG_ROLE_RELAY:
		return 80;
	case SIG_ROLE_CONTROL:
		return 70;
	case SIG_ROLE_DOWNLOAD:
		return 40;
	default:
		return 0;
	}
}

static const char *
where_name(const struct flow_rec *f)
{
	if (f->master == NDPI_PROTOCOL_TLS || f->app == NDPI_PROTOCOL_TLS || f->master == NDPI_PROTOCOL_QUIC ||
	    f->app == NDPI_PROTOCOL_QUIC)
		return "tls.sni";
	if (f->master == NDPI_PROTOCOL_DNS || f->app == NDPI_PROTOCOL_DNS)
		return "dns.rrname";
	if (f->master == NDPI_PROTOCOL_HTTP || f->app == NDPI_PROTOCOL_HTTP)
		return "http.hostname";
	return "ndpi.hostname";
}

/*
 * One indicator matched flow f for home host hs.  where says what matched (tls.sni, dns.rrname, dest_ip,
 * dns.answer, ...), matched is the name or address, via the DNS name an address came from (or NULL).
 */
static void
indicator_matched(struct detect *d, struct host *hs, const struct flow_rec *f, struct flow_det *fd,
		  const struct sig_indicator *ind, const char *where, const char *matched, const char *via,
		  uint64_t now_us)
{
	int fam = family_lookup(ind->family);
	int init = f->init_is_b ? 1 : 0;
	bool inbound = hs == NULL ? false : (memcmp(hs->addr, init ? f->key.a : f->key.b, 16) == 0);
	bool dns = strcmp(where, "dns.rrname") == 0;
	int strength = role_strength(ind->role, inbound);
	enum severity sev;
	int score;
	char summary[300], hb[64];
	struct jsonw *w = &d->ev;
	uint32_t ip;

	fd->family = (uint8_t)fam;
	if (hs == NULL || strength == 0)
		return;		/* a customer, a dashboard visit, or a client of a node: not a node */
	if (ind->role == SIG_ROLE_NODE && dns)
		return;
	/* Only a node answers for vendor names; the other roles are about what a host reaches out to. */
	if (ind->role != SIG_ROLE_NODE && inbound)
		return;
	host_note_family(hs, fam, strength * ind->confidence / 100);
	switch (ind->role) {
	case SIG_ROLE_NODE:
		sev = SEV_HIGH;
		score = 85;
		break;
	case SIG_ROLE_RELAY:
	case SIG_ROLE_CONTROL:
		sev = dns ? SEV_LOW : SEV_MEDIUM;
		score = dns ? 40 : 65;
		break;
	default:
		sev = dns ? SEV_INFO : SEV_LOW;
		score = dns ? 20 : 35;
		break;
	}
	if (ind->confidence < 50 && sev > SEV_INFO) {
		sev = (enum severity)(sev - 1);
		score -= 15;
	}
	addr_format(hs->ipver, hs->addr, hb, sizeof(hb));
	evidence_begin(d);
	jsonw_kstr(w, "metric", "indicator_match");
	jsonw_kstr(w, "matched", matched);
	jsonw_kstr(w, "where", where);
	if (via)
		jsonw_kstr(w, "resolved_from", via);
	jsonw_kstr(w, "direction", inbound ? "inbound" : "outbound");
	jsonw_key(w, "indicator");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "kind", sig_kind_name(ind->kind));
	jsonw_kstr(w, "value", ind->value);
	jsonw_kstr(w, "role", sig_role_name(ind->role));
	jsonw_ku64(w, "confidence", (uint64_t)ind->confidence);
	jsonw_kstr(w, "source", ind->source);
	/* The file's name within the signature set: the same on every sensor, wherever it is installed. */
	jsonw_kstr(w, "file", strrchr(ind->file, '/') ? strrchr(ind->file, '/') + 1 : ind->file);
	jsonw_ku64(w, "line", (uint64_t)ind->line);
	jsonw_obj_end(w);
	evidence_flow(w, "flow", f);
	if (matched && strncmp(matched, SPEC00_PREFIX, strlen(SPEC00_PREFIX)) == 0 &&
	    spec00_decode(matched, strlen(matched), &ip) == 0) {
		uint8_t b[4] = { (uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8), (uint8_t)ip };
		char ib[32];

		jsonw_kstr(w, "spec00_ip", addr_format(4, b, ib, sizeof(ib)));
		jsonw_key(w, "spec00_is_host");
		jsonw_bool(w, hs->ipver == 4 && memcmp(hs->addr, b, 4) == 0);
	}
	evidence_end(d);
	if (ind->role == SIG_ROLE_NODE)
		snprintf(summary, sizeof(summary), "%s serves %s node name %s (%s, inbound)", hb, ind->family, matched,
		    where);
	else
		snprintf(summary, sizeof(summary), "%s %s %s %s host %s (%s)", hb,
		    dns ? "resolves" : "contacts", ind->family, sig_role_name(ind->role), matched, where);
	detect_alert(d, hs, fam, DET_SIGNATURE, sev, score, summary, w->buf, NULL, now_us);
}

/* Side `side` of f sent its first packet: match the remote address it talks to. */
void
signature_flow_side(struct detect *d, const struct flow_rec *f, struct flow_det *fd, int side, uint64_t now_us)
{
	int init = f->init_is_b ? 1 : 0;
	uint16_t sport = init ? f->key.pa : f->key.pb;	/* the responder's port */
	const uint8_t *remote = side ? f->key.a : f->key.b;
	const struct sig_indicator *ind;
	struct host *hs;
	const char *via;
	char ab[64];

	if (d->sigdb == NULL || !(f->home & (1 << side)) || (f->home & (1 << (1 - side))))
		return;
	hs = detect_side_host(d, f, side, now_us);
	addr_format(f->key.ipver, remote, ab, sizeof(ab));
	if ((ind = sigdb_match_addr(d->sigdb, f->key.ipver, remote, f->key.proto, sport)) != NULL) {
		indicator_matched(d, hs, f, fd, ind, "dest_ip", ab, NULL, now_us);
	} else if ((via = dnsmap_get(d->dnsmap, f->key.ipver, remote, now_us)) != NULL &&
	    (ind = sigdb_match_name(d->sigdb, via, strlen(via), f->key.proto, sport)) != NULL) {
		indicator_matched(d, hs, f, fd, ind, "dns.answer", ab, via, now_us);
	} else if (side != init &&
	    (ind = sigdb_match_port(d->sigdb, f->key.proto, side ? f->key.pb : f->key.pa)) != NULL) {
		/* A node's listening port alone is weak: it names the family, it does not accuse. */
		host_note_family(hs, family_lookup(ind->family), ind->confidence / 4);
	}
}

void
signature_classified(struct detect *d, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us)
{
	int init = f->init_is_b ? 1 : 0, side;
	uint16_t sport = init ? f->key.pa : f->key.pb;
	const struct sig_indicator *ind = NULL, *ja3 = NULL;
	const char *name = f->l7 ? f->l7->name : NULL;

	if (d->sigdb == NULL || f->l7 == NULL)
		return;
	if (name)
		ind = sigdb_match_name(d->sigdb, name, strlen(name), f->key.proto, sport);
	if (f->l7->ja3c[0])
		ja3 = sigdb_match_ja3(d->sigdb, f->l7->ja3c);
	if (ind == NULL && f->l7->cert_names) {
		/* No name matched: the server's certificate may still be a vendor's (a node without SNI). */
		const char *p = f->l7->cert_names;
		const struct sig_indicator *ci = NULL;

		while (*p && ci == NULL) {
			size_t n = strcspn(p, ",");
			/* "*.x" covers the names under x; any other name, "*." or "*x.y" too, is taken whole. */
			bool wild = n > 2 && p[0] == '*' && p[1] == '.';

			ci = sigdb_match_cert(d->sigdb, p, n);
			if (ci == NULL)
				ci = sigdb_match_name(d->sigdb, wild ? p + 2 : p, wild ? n - 2 : n, f->key.proto,
				    sport);
			p += n;
			while (*p == ',' || *p == ' ')
				p++;
		}
		if (ci) {
			for (side = 0; side < 2; side++)
				if ((f->home & (1 << side)) && (f->spoke & (1 << (side == init ? 0 : 1))))
					indicator_matched(d, detect_side_host(d, f, side, now_us), f, fd, ci,
					    "tls.certificate", f->l7->cert_names, NULL, now_us);
			return;
		}
	}
	if (ind == NULL && ja3 == NULL)
		return;
	for (side = 0; side < 2; side++) {
		struct host *hs;

		if (!(f->home & (1 << side)) || !(f->spoke & (1 << (side == init ? 0 : 1))))
			continue;
		hs = detect_side_host(d, f, side, now_us);
		if (ind)
			indicator_matched(d, hs, f, fd, ind, where_name(f), name, NULL, now_us);
		else if (side == init)
			indicator_matched(d, hs, f, fd, ja3, "tls.ja3", f->l7->ja3c, NULL, now_us);
	}
}

void
signature_dns(struct detect *d, const struct flow_rec *f, const uint8_t *msg, uint32_t len, uint64_t now_us)
{
	struct dns_response r;
	const struct sig_indicator *ind;
	int i;

	(void)f;
	if (d->sigdb == NULL || dns_parse_response(msg, len, &r) != 0 || r.nanswers == 0 || !r.qname[0])
		return;
	if ((ind = sigdb_match_name(d->sigdb, r.qname, strlen(r.qname), 0, 0)) == NULL)
		return;
	for (i = 0; i < r.nanswers; i++)
		dnsmap_put(d->dnsmap, r.an[i].ipver, r.an[i].addr, r.qname, r.an[i].ttl, now_us);
}
