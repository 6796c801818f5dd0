/*
 * detect_outbound.c - the `outbound_policy` detector: a host of a group with an allowlist connects outside
 * it.  The network form of the runtime rule "unexpected outbound connection destination": a web tier that
 * should only reach its database and package mirror has no business talking to a dCDN control plane.
 */
#include "config.h"

#include <string.h>

#include "detectors.h"
#include "family.h"
#include "policy.h"
#include "verdict.h"

static bool
suffix_match(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n < s || strcasecmp(name + n - s, suffix) != 0)
		return false;
	return n == s || name[n - s - 1] == '.';
}

void
outbound_policy_classified(struct detect *d, struct host *hs, const struct flow_rec *f, uint64_t now_us)
{
	const struct policy_state *p = d->policy;
	const uint8_t *dst = flow_dst_addr(f);
	const char *name = f->l7 ? f->l7->name : NULL;
	struct jsonw *ev = &d->ev;
	char hb[64], db[64], summary[300];
	int i, k;

	if (p->nrules == 0 || (f->home & (f->init_is_b ? 1 : 2)))
		return;		/* no policy, or the destination is at home */
	for (i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (!netset_contains(r->group, hs->ipver, hs->addr))
			continue;
		if (netset_contains(r->dst, f->key.ipver, dst))
			return;
		for (k = 0; name && k < r->nsuffix; k++)
			if (suffix_match(name, r->suffix[k]))
				return;
		addr_format(hs->ipver, hs->addr, hb, sizeof(hb));
		addr_format(f->key.ipver, dst, db, sizeof(db));
		evidence_begin(d);
		jsonw_kstr(ev, "metric", "destination_outside_allowlist");
		jsonw_kstr(ev, "destination", db);
		if (name)
			jsonw_kstr(ev, "name", name);
		jsonw_ku64(ev, "rule", (uint64_t)i + 1);
		evidence_flow(ev, "flow", f);
		evidence_end(d);
		snprintf(summary, sizeof(summary), "%s connects to %s%s%s%s, outside its group's allowlist", hb, db,
		    name ? " (" : "", name ? name : "", name ? ")" : "");
		detect_alert(d, hs, FAM_NONE, DET_OUTBOUND_POLICY, SEV_MEDIUM, 50, summary, ev->buf, NULL, now_us);
		return;
	}
}
