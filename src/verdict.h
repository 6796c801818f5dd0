/*
 * verdict.h - the detection context and what every detector uses on the way to a verdict: the home host a
 * side of a flow stands for, the evidence object, the alert.  Included by detect.c (the hub) and the
 * detectors (detect_*.c, detectors.h); verdict.c calls neither.
 */
#ifndef DCDN_VERDICT_H
#define DCDN_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "conf.h"
#include "flow.h"
#include "hosts.h"
#include "jsonw.h"
#include "netset.h"
#include "store.h"

struct sigdb;
struct dnsmap;
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
	/* The running flows, for bucket ends: detect_set_running's each and src. */
	void (*running)(void *src, void (*fn)(void *arg, const struct flow_rec *f, struct flow_det *fd), void *arg);
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
uint32_t flow_zone(const struct flow_rec *f);
/* The host of one side (0: key.a, 1: key.b) if it is in the home net, created on demand. */
struct host *detect_side_host(struct detect *d, const struct flow_rec *f, int side, uint64_t now_us);

/* Write the flow's 5-tuple and label as an evidence object member named key. */
void evidence_flow(struct jsonw *w, const char *key, const struct flow_rec *f);
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

#endif
