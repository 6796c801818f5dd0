/*
 * detect_new_hosts.c - the `new_hosts` detector: a burst of hosts first seen after the learning period,
 * the network view of a mass RunInstances.  Low severity alone; the fleet detector reports how many of a
 * fleet's hosts are such new hosts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "family.h"
#include "log.h"

#define NEWHOSTS_RING 4096	/* newest hosts remembered */

struct newhost {
	uint8_t ipver;
	uint8_t addr[16];
	uint32_t zone;
	uint64_t first_us;
};

struct newhosts_state {
	struct newhost ring[NEWHOSTS_RING];
	uint32_t n;		/* total ever added; ring index is n % NEWHOSTS_RING */
	uint32_t reported;	/* count last reported */
	uint64_t reported_us;
};

struct newhosts_state *
newhosts_new(void)
{
	return xcalloc(1, sizeof(struct newhosts_state));
}

void
newhosts_free(struct newhosts_state *s)
{
	free(s);
}

void
newhosts_host(struct detect *d, struct host *hs, uint64_t now_us)
{
	struct newhosts_state *s = d->newhosts;
	struct newhost *nh = &s->ring[s->n % NEWHOSTS_RING];

	nh->ipver = hs->ipver;
	memcpy(nh->addr, hs->addr, 16);
	nh->zone = hs->zone;
	nh->first_us = now_us;
	s->n++;
}

bool
newhosts_is_recent(struct detect *d, const struct host *hs, uint64_t now_us)
{
	(void)now_us;
	return !hs->known && hs->first_us >= d->learning_end_us;
}

void
newhosts_tick(struct detect *d, uint64_t now_us)
{
	struct newhosts_state *s = d->newhosts;
	uint64_t win = (uint64_t)d->conf->newhosts_window_s * 1000000u;
	uint64_t since = now_us > win ? now_us - win : 0;
	uint32_t i, count = 0, total = s->n < NEWHOSTS_RING ? s->n : NEWHOSTS_RING;
	struct alert al;
	struct jsonw *ev = &d->ev;
	const struct newhost *first = NULL;
	bool update;

	memset(&al, 0, sizeof(al));
	/* Oldest first: walk the ring from its oldest slot. */
	for (i = 0; i < total; i++) {
		const struct newhost *nh = &s->ring[(s->n - total + i) % NEWHOSTS_RING];

		if (nh->first_us < since)
			continue;
		if (first == NULL)
			first = nh;
		if (al.nhosts < ALERT_MAX_HOSTS)
			addr_format(nh->ipver, nh->addr, al.hosts[al.nhosts++], sizeof(al.hosts[0]));
		count++;
	}
	if (count < d->conf->newhosts_min || first == NULL)
		return;
	/* A new burst after the suppression period is a new alert; growth within it is an update. */
	update = s->reported && now_us < s->reported_us + (uint64_t)d->conf->suppress_s * 1000000u;
	if (update && count <= s->reported)
		return;
	evidence_begin(d);
	jsonw_kstr(ev, "metric", "hosts_first_seen_after_learning");
	jsonw_ku64(ev, "observed", count);
	jsonw_ku64(ev, "threshold", d->conf->newhosts_min);
	jsonw_ku64(ev, "window_s", d->conf->newhosts_window_s);
	jsonw_key(ev, "learning_ended");
	jsonw_time(ev, d->learning_end_us);
	evidence_end(d);
	al.ts_us = now_us;
	al.ipver = first->ipver;
	al.addr = first->addr;
	al.zone = first->zone;
	al.family = FAM_NONE;
	al.detector = DET_NEW_HOSTS;
	al.severity = SEV_LOW;
	al.score = 25;
	snprintf(al.summary, sizeof(al.summary), "%u hosts appeared within %u s after the learning period", count,
	    d->conf->newhosts_window_s);
	al.evidence = ev->buf;
	al.hosts_count = count;
	al.update = update;
	if (alerts_emit(d->alerts, &al)) {
		if (!update)
			s->reported_us = now_us;
		s->reported = count;
	}
}
