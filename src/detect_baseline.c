/*
 * detect_baseline.c - the `baseline` detector: a host's short window against its own history.
 *
 * Bandwidth sent, outside flows accepted and outside peers are each compared with the host's baseline
 * (exponentially weighted mean and deviation per bucket).  A deviation counts only when it passes three
 * tests together: k deviations above the mean, a ratio to the mean, and an absolute floor, so a quiet host
 * that sends one e-mail is not an anomaly.  Alone it is a generic anomaly (family null); on a host that
 * already carries dCDN evidence it adds to that verdict.
 */
#include "config.h"

#include <stdio.h>

#include "detectors.h"
#include "family.h"
#include "verdict.h"

#define BASELINE_MIN_BUCKETS 10	/* history needed before a host is judged against itself */

static const char *const metric_names[HM__COUNT] = { "bytes_out", "outside_flows_accepted", "outside_peers" };

void
baseline_judge(struct detect *d, struct host *hs, const struct window *w, uint64_t now_us)
{
	const struct conf *c = d->conf;
	struct jsonw *ev = &d->ev;
	double obs[HM__COUNT], floor_[HM__COUNT];
	int m, hits = 0, family;
	char hb[64], summary[300];
	enum severity sev;

	if (w->buckets == 0)
		return;
	obs[HM_BYTES_OUT] = (double)w->bytes_out / w->buckets;
	obs[HM_FLOWS_ACC_OUT] = (double)w->flows_acc_out / w->buckets;
	obs[HM_PEERS_IN] = (double)w->peers_in;
	floor_[HM_BYTES_OUT] = (double)c->bl_floor_bytes / w->buckets;
	floor_[HM_FLOWS_ACC_OUT] = (double)c->bl_floor_peers;
	floor_[HM_PEERS_IN] = (double)c->bl_floor_peers;

	double thr[HM__COUNT];
	int hit[HM__COUNT];

	for (m = 0; m < HM__COUNT; m++) {
		const struct ewma *e = &hs->bl[m];

		hit[m] = 0;
		thr[m] = e->mean + c->bl_k * ewma_sd(e);
		if (e->n < BASELINE_MIN_BUCKETS)
			continue;
		if (thr[m] < e->mean * c->bl_ratio)
			thr[m] = e->mean * c->bl_ratio;
		if (thr[m] < floor_[m])
			thr[m] = floor_[m];
		if (obs[m] > thr[m])
			hit[m] = 1, hits++;
	}
	if (hits == 0)
		return;
	evidence_begin(d);
	jsonw_key(ev, "metrics");
	jsonw_arr_begin(ev);
	for (m = 0; m < HM__COUNT; m++) {
		const struct ewma *e = &hs->bl[m];

		if (!hit[m])
			continue;
		jsonw_obj_begin(ev);
		jsonw_kstr(ev, "metric", metric_names[m]);
		jsonw_key(ev, "observed");
		jsonw_double(ev, obs[m], 1);
		jsonw_key(ev, "baseline_mean");
		jsonw_double(ev, e->mean, 1);
		jsonw_key(ev, "baseline_sd");
		jsonw_double(ev, ewma_sd(e), 1);
		jsonw_key(ev, "threshold");
		jsonw_double(ev, thr[m], 1);
		jsonw_kstr(ev, "per", m == HM_PEERS_IN ? "window" : "bucket");
		jsonw_obj_end(ev);
	}
	jsonw_arr_end(ev);
	jsonw_ku64(ev, "window_s", (uint64_t)w->buckets * c->bucket_s);
	jsonw_ku64(ev, "k", c->bl_k);
	jsonw_ku64(ev, "ratio", c->bl_ratio);
	evidence_end(d);
	/* With dCDN evidence on the host the deviation supports that verdict; alone it is an anomaly. */
	family = hs->family != FAM_NONE && hs->family_score >= 40 ? hs->family : FAM_NONE;
	sev = family != FAM_NONE ? SEV_MEDIUM : SEV_LOW;
	addr_format(hs->ipver, hs->addr, hb, sizeof(hb));
	snprintf(summary, sizeof(summary), "%s deviates from its own baseline on %d metric%s (%.1f MB sent, %u outside "
	    "peers in %u s)", hb, hits, hits > 1 ? "s" : "", (double)w->bytes_out / 1e6, w->peers_in,
	    w->buckets * c->bucket_s);
	detect_alert(d, hs, family, DET_BASELINE, sev, family != FAM_NONE ? 60 : 35, summary, ev->buf, w, now_us);
}
