/*
 * verdict.c - what every detector uses on the way to a verdict: the home host a side of a flow stands for,
 * the evidence object, and the alert that carries the verdict out (with its correlation).  Below the
 * detectors and the hub that calls them; who else hears of new hosts and verdicts is the hub's hooks.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "family.h"
#include "verdict.h"

uint32_t
flow_zone(const struct flow_rec *f)
{
	if (f->key.vni)
		return f->key.vni;
	return zone_of_vlan(f->key.vlan[0]);
}

struct host *
detect_side_host(struct detect *d, const struct flow_rec *f, int side, uint64_t now_us)
{
	const uint8_t *addr = side ? f->key.b : f->key.a;
	bool created;
	struct host *hs;

	if (!(f->home & (1 << side)))
		return NULL;
	hs = hosts_get(d->hosts, f->key.ipver, addr, flow_zone(f), now_us, &created);
	if (created) {
		hs->known = detect_learning(d, now_us);
		if (hs->known)
			host_group(d->hosts, hs)->members++;
		d->host_seen(d, hs, now_us);
	}
	return hs;
}

void
host_note_family(struct host *hs, int family, int strength)
{
	if (family == 0)
		return;
	if (hs->family == 0 || strength > hs->family_score) {
		hs->family = (uint8_t)family;
		hs->family_score = (uint8_t)(strength > 100 ? 100 : strength);
	}
}

void
evidence_begin(struct detect *d)
{
	jsonw_reset(&d->ev);
	jsonw_obj_begin(&d->ev);
}

const char *
evidence_end(struct detect *d)
{
	jsonw_obj_end(&d->ev);
	return d->ev.buf;
}

void
evidence_flow(struct jsonw *w, const char *key, const struct flow_rec *f)
{
	char a[64], b[64];

	jsonw_key(w, key);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "src_ip", addr_format(f->key.ipver, flow_src_addr(f), a, sizeof(a)));
	jsonw_ku64(w, "src_port", flow_src_port(f));
	jsonw_kstr(w, "dest_ip", addr_format(f->key.ipver, flow_dst_addr(f), b, sizeof(b)));
	jsonw_ku64(w, "dest_port", flow_dst_port(f));
	jsonw_ku64(w, "proto", f->key.proto);
	jsonw_key(w, "start");
	jsonw_time(w, f->first_us);
	jsonw_obj_end(w);
}

void
detect_alert(struct detect *d, struct host *hs, int family, enum detector det, enum severity sev, int score,
	     const char *summary, const char *evidence, const struct window *w, uint64_t now_us)
{
	struct alert al;

	memset(&al, 0, sizeof(al));
	/* Correlation: named by a signature and behaving as a node is as sure as it gets. */
	if ((det == DET_NODE_PROFILE && family != FAM_UNKNOWN_DCDN && family != FAM_NONE &&
	    alerts_host_has(d->alerts, hs->ipver, hs->addr, hs->zone, DET_SIGNATURE)) ||
	    (det == DET_SIGNATURE && alerts_host_has(d->alerts, hs->ipver, hs->addr, hs->zone, DET_NODE_PROFILE))) {
		sev = SEV_CRITICAL;
		if (score < 95)
			score = 95;
	}
	al.ts_us = now_us;
	al.ipver = hs->ipver;
	al.addr = hs->addr;
	al.zone = hs->zone;
	al.family = family;
	al.detector = det;
	al.severity = sev;
	al.score = score;
	snprintf(al.summary, sizeof(al.summary), "%s", summary);
	al.evidence = evidence;
	if (w) {
		al.peers = w->peers_in;
		al.upload = w->bytes_out;
	}
	alerts_emit(d->alerts, &al);
	/* A look-up of a vendor's download or web host is not a verdict a fleet is made of. */
	if (family != FAM_NONE && sev >= SEV_MEDIUM)
		d->family_verdict(d, hs, family, now_us);
}
