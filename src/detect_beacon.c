/*
 * detect_beacon.c - the `beacon` detector: connections from a host to one name (or address) at a steady
 * period.  Meson's node heartbeat is a POST every 30 s, Titan's every 10 s; people do not click that evenly.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detect_int.h"
#include "family.h"
#include "log.h"
#include "sigdb.h"

#define BEACON_DESTS	32	/* destinations tracked per host; the least recent is replaced */
#define BEACON_TIMES	12	/* connection start times kept per destination */
#define BEACON_MIN_PERIOD_US	2000000ull
#define BEACON_MAX_PERIOD_US	3600000000ull

struct beacon_dest {
	char key[96];		/* name, or the address when there is none */
	uint64_t last_us;
	uint32_t n;		/* times recorded, up to BEACON_TIMES (ring) */
	uint64_t t[BEACON_TIMES];
	uint8_t reported;
};

struct beacon_state {
	struct beacon_dest d[BEACON_DESTS];
};

void
beacon_free(struct host *hs)
{
	free(hs->beacon);
	hs->beacon = NULL;
}

static int
u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static void
judge(struct detect *d, struct host *hs, struct beacon_dest *bd, const struct flow *f, uint64_t now_us)
{
	const struct conf *c = d->conf;
	uint64_t t[BEACON_TIMES], iv[BEACON_TIMES], med, maxdev = 0;
	uint32_t n = bd->n < BEACON_TIMES ? bd->n : BEACON_TIMES, i, k = 0;
	const struct sig_indicator *ind = NULL;
	struct jsonw *ev = &d->ev;
	int family = FAM_NONE;
	char hb[64], summary[300];

	if (n < c->beacon_min_events || bd->reported)
		return;
	memcpy(t, bd->t, sizeof(t[0]) * n);
	qsort(t, n, sizeof(t[0]), u64_cmp);
	for (i = 1; i < n; i++)
		iv[k++] = t[i] - t[i - 1];
	memcpy(t, iv, sizeof(iv[0]) * k);
	qsort(t, k, sizeof(t[0]), u64_cmp);
	med = t[k / 2];
	if (med < BEACON_MIN_PERIOD_US || med > BEACON_MAX_PERIOD_US)
		return;
	for (i = 0; i < k; i++) {
		uint64_t dev = iv[i] > med ? iv[i] - med : med - iv[i];

		if (dev > maxdev)
			maxdev = dev;
	}
	if (maxdev * 100 > med * c->beacon_max_jitter_pct)
		return;
	bd->reported = 1;
	if (d->sigdb && f->l7 && f->l7->name)
		ind = sigdb_match_name(d->sigdb, f->l7->name, strlen(f->l7->name), 0, 0);
	if (ind && (ind->role == SIG_ROLE_CONTROL || ind->role == SIG_ROLE_RELAY))
		family = family_lookup(ind->family);
	addr_format(hs->ipver, hs->addr, hb, sizeof(hb));
	evidence_begin(d);
	jsonw_kstr(ev, "metric", "connection_period");
	jsonw_kstr(ev, "destination", bd->key);
	jsonw_key(ev, "observed_period_s");
	jsonw_double(ev, (double)med / 1e6, 2);
	jsonw_key(ev, "max_jitter_s");
	jsonw_double(ev, (double)maxdev / 1e6, 2);
	jsonw_ku64(ev, "threshold_jitter_pct", c->beacon_max_jitter_pct);
	jsonw_ku64(ev, "connections", n);
	jsonw_ku64(ev, "threshold_connections", c->beacon_min_events);
	if (ind) {
		jsonw_kstr(ev, "indicator", ind->value);
		jsonw_kstr(ev, "indicator_role", sig_role_name(ind->role));
		jsonw_kstr(ev, "source", ind->source);
	}
	evidence_flow(ev, "last_flow", f);
	evidence_end(d);
	snprintf(summary, sizeof(summary), "%s connects to %s every %.1f s (jitter under %.1f s, %u connections)", hb,
	    bd->key, (double)med / 1e6, (double)maxdev / 1e6, n);
	detect_alert(d, hs, family, DET_BEACON, family != FAM_NONE ? SEV_MEDIUM : SEV_LOW,
	    family != FAM_NONE ? 60 : 30, summary, ev->buf, NULL, now_us);
}

void
beacon_flow(struct detect *d, struct host *hs, const struct flow *f, uint64_t now_us)
{
	struct beacon_state *s;
	struct beacon_dest *bd = NULL, *oldest = NULL;
	char key[96];
	int i;

	const uint8_t *dst = flow_dst_addr(f);

	if (f->home & (f->init_is_b ? 1 : 2))
		return;		/* only connections leaving the home net */
	if ((f->key.ipver == 4 && dst[0] >= 224) || (f->key.ipver == 6 && dst[0] == 0xff))
		return;		/* broadcast and multicast announcements are periodic by design */
	if (f->l7 && f->l7->name)
		snprintf(key, sizeof(key), "%s", f->l7->name);
	else
		addr_format(f->key.ipver, f->init_is_b ? f->key.a : f->key.b, key, sizeof(key));
	if (hs->beacon == NULL)
		hs->beacon = xcalloc(1, sizeof(struct beacon_state));
	s = hs->beacon;
	for (i = 0; i < BEACON_DESTS; i++) {
		if (s->d[i].n && strcmp(s->d[i].key, key) == 0) {
			bd = &s->d[i];
			break;
		}
		if (oldest == NULL || s->d[i].last_us < oldest->last_us)
			oldest = &s->d[i];
	}
	if (bd == NULL) {
		bd = oldest;
		memset(bd, 0, sizeof(*bd));
		snprintf(bd->key, sizeof(bd->key), "%s", key);
	}
	bd->t[bd->n % BEACON_TIMES] = f->first_us;
	bd->n++;
	bd->last_us = now_us;
	judge(d, hs, bd, f, now_us);
}
