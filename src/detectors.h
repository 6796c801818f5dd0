/*
 * detectors.h - the detectors' entry points, one detector per detect_*.c file, as the hub (detect.c) calls
 * them.  What they share (the detection context, hosts of flows, evidence, alerts) is verdict.h.
 */
#ifndef DCDN_DETECTORS_H
#define DCDN_DETECTORS_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

struct detect;
struct dnsmap;
struct fleet_state;
struct host;
struct newhosts_state;
struct window;

/* detect_signature.c */
void signature_flow_side(struct detect *d, const struct flow_rec *f, struct flow_det *fd, int side, uint64_t now_us);
void signature_classified(struct detect *d, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us);
void signature_dns(struct detect *d, const struct flow_rec *f, const uint8_t *msg, uint32_t len, uint64_t now_us);
struct dnsmap *dnsmap_new(void);
void dnsmap_free(struct dnsmap *m);

/* detect_node_profile.c */
void node_profile_judge(struct detect *d, struct host *hs, const struct window *w, uint64_t now_us);
/* Judge the window ending now, at most every few seconds per host, when a host serves more. */
void node_profile_early(struct detect *d, struct host *hs, uint64_t now_us);
/* detect_baseline.c */
void baseline_judge(struct detect *d, struct host *hs, const struct window *w, uint64_t now_us);
/* detect_beacon.c */
void beacon_flow(struct detect *d, struct host *hs, const struct flow_rec *f, uint64_t now_us);
void beacon_free(struct host *hs);
/* detect_relay.c */
void relay_flow_end(struct detect *d, struct host *hs, const struct flow_rec *f, const struct flow_det *fd,
		    uint64_t now_us);
void relay_running(struct detect *d, struct host *hs, const struct flow_rec *f, const struct flow_det *fd,
		   uint64_t bytes, uint64_t now_us);
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
/* detect_outbound.c and detect_zone.c apply the policies (policy.h) */
void outbound_policy_classified(struct detect *d, struct host *hs, const struct flow_rec *f, uint64_t now_us);
void zone_policy_host(struct detect *d, struct host *hs, uint64_t now_us);

#endif
