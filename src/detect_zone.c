/*
 * detect_zone.c - the `zone_policy` detector: a zone (VLAN or VNI) the operator marked unused shows a new
 * host.  Attackers start instances in regions and VPCs nobody watches; nothing should live there.
 */
#include "config.h"

#include <stdio.h>

#include "detectors.h"
#include "family.h"
#include "policy.h"
#include "verdict.h"

void
zone_policy_host(struct detect *d, struct host *hs, uint64_t now_us)
{
	const struct policy_state *p = d->policy;
	struct jsonw *ev = &d->ev;
	char hb[64], summary[300];
	int i;

	if (hs->zone == 0 || hs->known)
		return;
	for (i = 0; i < p->nzones; i++) {
		bool hit = p->zone_is_vni[i] ? !(hs->zone & ZONE_VLAN_FLAG) && (hs->zone & 0xffffff) == p->zones[i]
		    : hs->zone == p->zones[i];

		if (!hit)
			continue;
		addr_format(hs->ipver, hs->addr, hb, sizeof(hb));
		evidence_begin(d);
		jsonw_kstr(ev, "metric", "host_in_unused_zone");
		jsonw_kstr(ev, "zone", p->zone_is_vni[i] ? "vni" : "vlan");
		jsonw_ku64(ev, "id", p->zone_is_vni[i] ? p->zones[i] : (p->zones[i] & 0xfff));
		jsonw_key(ev, "first_seen");
		jsonw_time(ev, hs->first_us);
		evidence_end(d);
		snprintf(summary, sizeof(summary), "new host %s is active in %s %u, a zone marked unused", hb,
		    p->zone_is_vni[i] ? "VNI" : "VLAN", p->zone_is_vni[i] ? p->zones[i] : (p->zones[i] & 0xfff));
		detect_alert(d, hs, FAM_NONE, DET_ZONE_POLICY, SEV_HIGH, 75, summary, ev->buf, NULL, now_us);
		return;
	}
}
