/*
 * detectors.h - what the detectors share: the detection context and the helpers of detect.c.  Included
 * only by detect.c and the detect_*.c files, one detector per file.
 */
#ifndef DCDN_DETECTORS_H
#define DCDN_DETECTORS_H

#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "conf.h"
#include "detect.h"
#include "flow.h"
#include "hosts.h"
#include "jsonw.h"
#include "netset.h"
#include "store.h"

struct sigdb;
struct sig_indicator;
struct dnsmap;
struct beacon_state;
struct fleet_state;
struct newhosts_state;
struct policy_state;

struct detect {
	const struct conf *conf;
	struct hosts *hosts;
	struct alerts *alerts;
	const struct sigdb *sigdb;	/* borrowed; swapped on reload */
	struct netset *home;
	struct store *store;
	struct dnsmap *dnsmap;
	struct fleet_state *fleet;
	struct newhosts_state *newhosts;
	struct policy_state *policy;
	uint64_t epoch_us;		/* first packet the deployment ever saw */
	uint64_t learning_end_us;
	uint64_t bucket_end_us;		/* end of the open bucket; 0 before the first packet */
	uint64_t bucket_us;
	struct jsonw ev;		/* evidence being built */
	void (*running)(void *src, detect_flow_fn fn, void *arg);	/* running flows, for bucket ends */
	void *running_src;
	/*
	 * Who else hears of a home host seen for the first time (new_hosts, zone_policy) and of a family
	 * verdict (fleet): set by detect.c, so the helpers that find hosts and raise verdicts need not
	 * know the detectors that listen.
	 */
	void (*host_seen)(struct detect *d, struct host *hs, uint64_t now_us);
	void (*family_verdict)(struct detect *d, struct host *hs, int family, uint64_t now_us);
};

/* Is time now still in the learning period? */
static inline bool
detect_learning(const struct detect *d, uint64_t now_us)
{
	return now_us < d->learning_end_us;
}

/* The zone (VNI or outer VLAN) of a flow. */
uint32_t flow_zone(const struct flow *f);
/* The host of one side (0: key.a, 1: key.b) if it is in the home net, created on demand. */
struct host *detect_side_host(struct detect *d, const struct flow *f, int side, uint64_t now_us);

/* Write the flow's 5-tuple and label as an evidence object member named key. */
void evidence_flow(struct jsonw *w, const char *key, const struct flow *f);
/* Start and finish the evidence object in d->ev. */
void evidence_begin(struct detect *d);
const char *evidence_end(struct detect *d);

/*
 * Raise a verdict about host hs.  Suppression, correlation (a host with both a signature verdict and a
 * node_profile verdict is critical), fleet bookkeeping and the flagged-host table are handled here.
 */
void detect_alert(struct detect *d, struct host *hs, int family, enum detector det, enum severity sev,
		  int score, const char *summary, const char *evidence, const struct window *w, uint64_t now_us);
/* Record signature evidence of family on a host (strongest wins). */
void host_note_family(struct host *hs, int family, int strength);

/* detect_signature.c */
void signature_flow_side(struct detect *d, struct flow *f, int side, uint64_t now_us);
void signature_classified(struct detect *d, struct flow *f, uint64_t now_us);
void signature_dns(struct detect *d, struct flow *f, const uint8_t *msg, uint32_t len, uint64_t now_us);
struct dnsmap *dnsmap_new(void);
void dnsmap_free(struct dnsmap *m);

/* detect_node_profile.c */
void node_profile_judge(struct detect *d, struct host *hs, const struct window *w, uint64_t now_us);
/* Judge the window ending now, at most every few seconds per host, when a host serves more. */
void node_profile_early(struct detect *d, struct host *hs, uint64_t now_us);
/* detect_baseline.c */
void baseline_judge(struct detect *d, struct host *hs, const struct window *w, uint64_t now_us);
/* detect_beacon.c */
void beacon_flow(struct detect *d, struct host *hs, const struct flow *f, uint64_t now_us);
void beacon_free(struct host *hs);
/* detect_relay.c */
void relay_flow_end(struct detect *d, struct host *hs, const struct flow *f, uint64_t now_us);
void relay_running(struct detect *d, struct host *hs, const struct flow *f, uint64_t bytes, uint64_t now_us);
void relay_judge(struct detect *d, struct host *hs, const struct window *w, uint64_t now_us);
void relay_free(struct host *hs);
/* detect_fleet.c */
struct fleet_state *fleet_new(void);
void fleet_free(struct fleet_state *fs);
void fleet_verdict(struct detect *d, struct host *hs, int family, uint64_t now_us);
void fleet_name(struct detect *d, struct host *hs, const char *name, uint64_t now_us);
void fleet_tick(struct detect *d, uint64_t now_us);
/* detect_new_hosts.c */
struct newhosts_state *newhosts_new(void);
void newhosts_free(struct newhosts_state *s);
void newhosts_host(struct detect *d, struct host *hs, uint64_t now_us);
void newhosts_tick(struct detect *d, uint64_t now_us);
bool newhosts_is_recent(struct detect *d, const struct host *hs, uint64_t now_us);
/* policy.c parses the policies; detect_outbound.c and detect_zone.c apply them */
struct policy_state *policy_new(const struct conf *conf, char *err, size_t errlen);
void policy_free(struct policy_state *p);
void outbound_policy_classified(struct detect *d, struct host *hs, const struct flow *f, uint64_t now_us);
void zone_policy_host(struct detect *d, struct host *hs, uint64_t now_us);

#endif
