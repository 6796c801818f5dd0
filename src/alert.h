/*
 * alert.h - verdicts: suppression, the alert event, and the end-of-run table of flagged hosts.
 *
 * A host gets at most one alert per (family, detector) per suppression period; later evidence only bumps
 * counters, which the summary shows.  Fleet alerts are the exception the contract asks for: one alert, then
 * updates (marked "update": true) when more hosts join.
 */
#ifndef DCDN_ALERT_H
#define DCDN_ALERT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "jsonw.h"
#include "output.h"

enum detector {
	DET_SIGNATURE, DET_NODE_PROFILE, DET_BASELINE, DET_BEACON, DET_RELAY, DET_FLEET, DET_NEW_HOSTS,
	DET_OUTBOUND_POLICY, DET_ZONE_POLICY, DET__COUNT
};

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

const char *detector_name(enum detector d);
const char *severity_name(enum severity s);

#define ALERT_MAX_HOSTS 20	/* hosts listed in fleet and new_hosts alerts */

struct alert {
	uint64_t ts_us;
	int ipver;
	const uint8_t *addr;		/* the host the verdict is about (borrowed) */
	uint32_t zone;
	int family;			/* enum family; FAM_NONE for a generic anomaly */
	enum detector detector;
	enum severity severity;
	int score;			/* 0..100 */
	char summary[300];
	const char *evidence;		/* a JSON object, written by the detector (borrowed) */
	uint32_t hosts_count;		/* fleet and new_hosts */
	int nhosts;
	char hosts[ALERT_MAX_HOSTS][64];
	bool update;			/* a fleet alert growing */
	/* For the summary table. */
	uint32_t peers;
	uint64_t upload;
};

struct alerts;

struct store;

/*
 * outs and store are borrowed.  Every alert that goes out is also recorded in the store (set "alerts"), so
 * suppression survives a restart and is shared by sensors on one Redis: see alerts_restore().
 */
struct alerts *alerts_new(struct outputs *outs, struct store *store, uint32_t suppress_s, uint32_t max_entries);
/* Forget suppression entries whose period is over (keeps the table bounded by the alert rate). */
void alerts_expire(struct alerts *a, uint64_t now_us);
/* Reload the alerts recorded in the store since now - suppression period into the suppression table. */
void alerts_restore(struct alerts *a, uint64_t now_us);
void alerts_free(struct alerts *a);
/* A new suppression period (after a configuration reload). */
void alerts_set_suppress(struct alerts *a, uint32_t suppress_s);
/* Emit unless suppressed.  Returns true when the alert was written. */
bool alerts_emit(struct alerts *a, const struct alert *al);
/* Has this host already an alert from this detector (any family)? */
bool alerts_host_has(struct alerts *a, int ipver, const uint8_t *addr, uint32_t zone, enum detector d);
uint64_t alerts_by_detector(const struct alerts *a, enum detector d);
uint64_t alerts_suppressed(const struct alerts *a);
/* Alerts judged while the suppression table was full (they were not remembered). */
uint64_t alerts_unrecorded(const struct alerts *a);
/* The flagged-host table on fp. */
void alerts_summary(struct alerts *a, FILE *fp);
/* Write the vlan/tunnel keys of a zone, as flow events do. */
void zone_write(struct jsonw *w, uint32_t zone);

/* Zones: where a host was seen. */
#define ZONE_VLAN_FLAG 0x40000000u
uint32_t zone_of_vlan(uint16_t vlan);

#endif
