/*
 * detect_new_hosts.c - the `new_hosts` detector: a burst of hosts first seen after the learning period,
 * the network view of a mass RunInstances.  Low severity alone; the fleet detector reports how many of a
 * fleet's hosts are such new hosts.  New hosts are kept in the store (set "new_hosts"), so the count
 * survives a restart and sensors sharing one Redis count together.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "family.h"
#include "log.h"
#include "verdict.h"

struct newhosts_state {
	uint32_t reported;	/* count last reported */
	uint64_t reported_us;
	uint32_t added_since;	/* ... since the last look at the store */
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
	char hb[64], member[STORE_NAME_MAX];

	snprintf(member, sizeof(member), "%s|%u", addr_format(hs->ipver, hs->addr, hb, sizeof(hb)), hs->zone);
	d->store->ops->set_add(d->store->ctx, "new_hosts", member, now_us);
	d->newhosts->added_since++;
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
	char names[ALERT_MAX_HOSTS][STORE_NAME_MAX];
	struct alert al;
	struct jsonw *ev = &d->ev;
	uint8_t addr[16];
	int n = 0, i, ipver, bits;
	uint32_t count;
	bool update;

	if (s->added_since == 0)
		return;		/* nothing new here since the last look: the count cannot have grown by us */
	s->added_since = 0;
	count = d->store->ops->set_members(d->store->ctx, "new_hosts", since, names, ALERT_MAX_HOSTS, &n);
	if (count < d->conf->newhosts_min || n == 0)
		return;
	/* A new burst after the suppression period is a new alert; growth within it is an update. */
	update = s->reported && now_us < s->reported_us + (uint64_t)d->conf->suppress_s * 1000000u;
	if (update && count <= s->reported)
		return;
	memset(&al, 0, sizeof(al));
	for (i = 0; i < n; i++) {
		char *bar = strchr(names[i], '|');

		if (bar)
			*bar = '\0';
		snprintf(al.hosts[al.nhosts++], sizeof(al.hosts[0]), "%s", names[i]);
		if (bar)
			*bar = '|';
	}
	if (addr_parse_prefix(al.hosts[0], &ipver, addr, &bits) != 0)
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
	al.ipver = ipver;
	al.addr = addr;
	{
		const char *bar = strchr(names[0], '|');

		al.zone = bar ? (uint32_t)strtoul(bar + 1, NULL, 10) : 0;
	}
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
