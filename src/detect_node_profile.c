/*
 * detect_node_profile.c - the `node_profile` detector (role inversion): a host that has started to serve
 * many outside peers, uploading far more than it receives, over TLS or something nDPI cannot name, with no
 * history of serving (new since the learning period, or silent as a server while learning, in a group
 * whose known members do not serve).  This is what a dCDN node looks like whatever its name.
 */
#include "config.h"

#include <stdio.h>

#include "detectors.h"
#include "family.h"
#include "verdict.h"

void
node_profile_judge(struct detect *d, struct host *hs, const struct window *w, uint64_t now_us)
{
	const struct conf *c = d->conf;
	const struct group *g;
	struct jsonw *ev = &d->ev;
	uint64_t up = w->bytes_srv_out, down = w->bytes_srv_in;
	uint32_t served_kinds = w->tls_in + w->unknown_in;
	int family, score;
	char hb[64], summary[300];
	bool group_serves;

	if (hs->served)
		return;
	if (w->peers_in < c->np_min_peers || up < c->np_min_upload || up < (uint64_t)c->np_min_ratio * down)
		return;
	/* Mostly TLS or unnamed: a web farm serving plain HTTP is not what we look for here. */
	if (served_kinds * 2 < w->flows_acc_out)
		return;
	g = host_group(d->hosts, hs);
	group_serves = g->members > 0 && g->serving_members * 2 >= g->members;
	if (hs->known && group_serves)
		return;
	/* A family named by a signature on this host, else a dCDN node of unknown make. */
	/* GaGaNode, alone among the proxyware, can also take inbound flows on its service port. */
	family = hs->family != FAM_NONE && (!family_is_proxyware(hs->family) || hs->family == FAM_GAGANODE) ?
	    hs->family : FAM_UNKNOWN_DCDN;
	score = 70 + (int)(w->peers_in / c->np_min_peers) * 5;
	addr_format(hs->ipver, hs->addr, hb, sizeof(hb));

	evidence_begin(d);
	jsonw_key(ev, "metrics");
	jsonw_arr_begin(ev);
	jsonw_obj_begin(ev);
	jsonw_kstr(ev, "metric", "outside_peers_accepted");
	jsonw_ku64(ev, "observed", w->peers_in);
	jsonw_ku64(ev, "threshold", c->np_min_peers);
	jsonw_key(ev, "baseline");
	jsonw_double(ev, hs->bl[HM_PEERS_IN].mean, 1);
	jsonw_key(ev, "group_baseline");
	jsonw_double(ev, g->bl[HM_PEERS_IN].mean, 1);
	jsonw_obj_end(ev);
	jsonw_obj_begin(ev);
	jsonw_kstr(ev, "metric", "served_upload_bytes");
	jsonw_ku64(ev, "observed", up);
	jsonw_ku64(ev, "threshold", c->np_min_upload);
	jsonw_ku64(ev, "download_bytes", down);
	jsonw_key(ev, "ratio");
	jsonw_double(ev, down ? (double)up / (double)down : (double)up, 1);
	jsonw_ku64(ev, "ratio_threshold", c->np_min_ratio);
	jsonw_obj_end(ev);
	jsonw_obj_begin(ev);
	jsonw_kstr(ev, "metric", "accepted_outside_flows");
	jsonw_ku64(ev, "observed", w->flows_acc_out);
	jsonw_ku64(ev, "tls", w->tls_in);
	jsonw_ku64(ev, "unclassified", w->unknown_in);
	jsonw_ku64(ev, "local_ports", w->ports_in);
	jsonw_obj_end(ev);
	jsonw_arr_end(ev);
	jsonw_ku64(ev, "window_s", (uint64_t)w->buckets * c->bucket_s);
	jsonw_kstr(ev, "history", hs->known ? "known host, never served while learning" : "new since learning");
	jsonw_key(ev, "group_serves");
	jsonw_bool(ev, group_serves);
	jsonw_key(ev, "first_seen");
	jsonw_time(ev, hs->first_us);
	if (hs->family != FAM_NONE)
		jsonw_kstr(ev, "signature_family", family_name(hs->family));
	evidence_end(d);
	snprintf(summary, sizeof(summary), "%s serves %u outside peers (%s, %.1f MB up vs %.1f MB down in %u s) with "
	    "no history of serving", hb, w->peers_in, w->tls_in >= w->unknown_in ? "TLS" : "unclassified",
	    (double)up / 1e6, (double)down / 1e6, w->buckets * c->bucket_s);
	detect_alert(d, hs, family, DET_NODE_PROFILE, SEV_HIGH, score, summary, ev->buf, w, now_us);
}

/*
 * A node that starts serving should not wait for the bucket to end: when it accepts or finishes serving
 * an outside flow, the window ending now is judged, at most once per NP_EARLY_US per host.
 */
#define NP_EARLY_US 5000000ull

void
node_profile_early(struct detect *d, struct host *hs, uint64_t now_us)
{
	struct window w;

	if (hs->served || now_us < hs->early_next_us || detect_learning(d, now_us) ||
	    alerts_host_has(d->alerts, hs->ipver, hs->addr, hs->zone, DET_NODE_PROFILE))
		return;
	hs->early_next_us = now_us + NP_EARLY_US;
	host_window_open(d->hosts, hs, &w);
	node_profile_judge(d, hs, &w, now_us);
}
