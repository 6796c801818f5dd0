/*
 * detect_beacon.c - the `beacon` detector: connections from a host to one name (or address) at a steady
 * period.  Meson's node heartbeat is a POST every 30 s, Titan's every 10 s; people do not click that evenly.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "family.h"
#include "log.h"
#include "sigdb.h"
#include "verdict.h"

#define BEACON_DESTS	32	/* destinations tracked per host; the least recent is replaced */
#define BEACON_TIMES	24	/* connection start times kept per destination */
#define BEACON_FIRST_TIMES	2	/* room for times a destination starts with; doubled up to BEACON_TIMES */
#define BEACON_KEY_MAX	96	/* a longer name is cut */
#define BEACON_MIN_PERIOD_US	2000000ull
#define BEACON_MAX_PERIOD_US	3600000000ull

/* One destination in one allocation: its times, then its key (which moves when the times' room grows). */
struct beacon_dest {
	uint64_t last_us;
	uint32_t n;		/* times recorded */
	uint8_t cap;		/* room for times */
	uint8_t reported;
	uint64_t t[];		/* cap times (a ring once BEACON_TIMES), then the key, NUL-terminated */
};

/* Grown as a host connects to more destinations: a host that made one connection keeps one. */
struct beacon_state {
	uint8_t n, cap;
	struct beacon_dest *d[];	/* in the order they were taken, at most BEACON_DESTS (owned) */
};

/* The name, or the address when there is none. */
static inline char *
dest_key(struct beacon_dest *bd)
{
	return (char *)(bd->t + bd->cap);
}

static struct beacon_dest *
dest_new(const char *key)
{
	size_t klen = strlen(key) + 1;
	struct beacon_dest *bd = xmalloc(sizeof(*bd) + sizeof(bd->t[0]) * BEACON_FIRST_TIMES + klen);

	memset(bd, 0, sizeof(*bd));
	bd->cap = BEACON_FIRST_TIMES;
	memcpy(dest_key(bd), key, klen);
	return bd;
}

/* Room for one more time, up to BEACON_TIMES; returns the destination, which may have moved. */
static struct beacon_dest *
dest_grow(struct beacon_dest *bd)
{
	size_t klen = strlen(dest_key(bd)) + 1;
	uint32_t cap = bd->cap * 2u < BEACON_TIMES ? bd->cap * 2u : BEACON_TIMES;

	bd = xrealloc(bd, sizeof(*bd) + sizeof(bd->t[0]) * cap + klen);
	memmove(bd->t + cap, bd->t + bd->cap, klen);
	bd->cap = (uint8_t)cap;
	return bd;
}

void
beacon_free(struct host *hs)
{
	struct beacon_state *s = hs->beacon;
	uint32_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->d[i]);
	free(s);
	hs->beacon = NULL;
}

static int
u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/*
 * Find the dominant period of a destination's connection times.  Real clients interleave other calls with
 * a heartbeat (Meson's node also fetches its config, certificate and version on slower timers), so the
 * question is not "are all intervals equal" but "does most every connection have a successor one period
 * later".  Candidate periods are the gaps to the next and the next-but-one connection; each is scored by
 * how many connections have a successor within the jitter tolerance.  The smallest best period wins, so a
 * 30 s heartbeat is not reported as its 60 s harmonic.  Returns the score, with *period and *jitter set.
 */
static uint32_t
dominant_period(const uint64_t *t, uint32_t n, uint32_t jitter_pct, uint64_t *period, uint64_t *jitter)
{
	uint32_t i, j, step, best = 0;

	*period = 0;
	*jitter = 0;
	for (step = 1; step <= 2; step++) {
		for (i = 0; i + step < n; i++) {
			uint64_t p = t[i + step] - t[i], tol, dev = 0;
			uint32_t score = 0;
			uint8_t used[BEACON_TIMES];

			if (p < BEACON_MIN_PERIOD_US || p > BEACON_MAX_PERIOD_US)
				continue;
			tol = p * jitter_pct / 100;
			memset(used, 0, sizeof(used));
			/* Each connection may be the successor of one other only: a burst is not a period. */
			for (j = 0; j < n; j++) {
				uint32_t k, bestk = n;
				uint64_t bestdev = UINT64_MAX;

				for (k = j + 1; k < n && t[k] <= t[j] + p + tol; k++) {
					uint64_t d = t[k] - t[j], e = d > p ? d - p : p - d;

					if (!used[k] && e <= tol && e < bestdev) {
						bestdev = e;
						bestk = k;
					}
				}
				if (bestk < n) {
					used[bestk] = 1;
					score++;
					if (bestdev > dev)
						dev = bestdev;
				}
			}
			if (score > best || (score == best && p < *period)) {
				best = score;
				*period = p;
				*jitter = dev;
			}
		}
	}
	return best;
}

static void
judge(struct detect *d, struct host *hs, struct beacon_dest *bd, const struct flow_rec *f, uint64_t now_us)
{
	const struct conf *c = d->conf;
	uint64_t t[BEACON_TIMES], period, jitter;
	uint32_t n = bd->n < BEACON_TIMES ? bd->n : BEACON_TIMES, score;
	const struct sig_indicator *ind = NULL;
	struct jsonw *ev = &d->ev;
	int family = FAM_NONE;
	char hb[64], summary[300];

	/* Judged every fourth connection: the test is quadratic in the times kept. */
	if (n < c->beacon_min_events || bd->reported || (bd->n % 4) != 0)
		return;
	memcpy(t, bd->t, sizeof(t[0]) * n);
	qsort(t, n, sizeof(t[0]), u64_cmp);
	score = dominant_period(t, n, c->beacon_max_jitter_pct, &period, &jitter);
	/* Most connections, and at least the configured number, follow the period. */
	if (score + 1 < c->beacon_min_events || score * 3 < (n - 1) * 2)
		return;
	bd->reported = 1;
	if (d->sigdb && f->l7 && f->l7->name)
		ind = sigdb_match_name(d->sigdb, f->l7->name, strlen(f->l7->name), 0, 0);
	if (ind && (ind->role == SIG_ROLE_CONTROL || ind->role == SIG_ROLE_RELAY))
		family = family_lookup(ind->family);
	addr_format(hs->ipver, hs->addr, hb, sizeof(hb));
	evidence_begin(d);
	jsonw_kstr(ev, "metric", "connection_period");
	jsonw_kstr(ev, "destination", dest_key(bd));
	jsonw_key(ev, "observed_period_s");
	jsonw_double(ev, (double)period / 1e6, 2);
	jsonw_key(ev, "max_jitter_s");
	jsonw_double(ev, (double)jitter / 1e6, 2);
	jsonw_ku64(ev, "threshold_jitter_pct", c->beacon_max_jitter_pct);
	jsonw_ku64(ev, "periodic_connections", score + 1);
	jsonw_ku64(ev, "connections", n);
	jsonw_ku64(ev, "threshold_connections", c->beacon_min_events);
	if (ind) {
		jsonw_kstr(ev, "indicator", ind->value);
		jsonw_kstr(ev, "indicator_role", sig_role_name(ind->role));
		jsonw_kstr(ev, "source", ind->source);
	}
	evidence_flow(ev, "last_flow", f);
	evidence_end(d);
	snprintf(summary, sizeof(summary), "%s connects to %s every %.1f s (%u of its last %u connections, jitter "
	    "under %.1f s)", hb, dest_key(bd), (double)period / 1e6, score + 1, n, (double)jitter / 1e6);
	detect_alert(d, hs, family, DET_BEACON, family != FAM_NONE ? SEV_MEDIUM : SEV_LOW,
	    family != FAM_NONE ? 60 : 30, summary, ev->buf, NULL, now_us);
}

void
beacon_flow(struct detect *d, struct host *hs, const struct flow_rec *f, uint64_t now_us)
{
	struct beacon_state *s;
	struct beacon_dest *bd;
	char key[BEACON_KEY_MAX];
	uint32_t i, oldest = BEACON_DESTS;

	const uint8_t *dst = flow_dst_addr(f);

	if (f->home & (f->init_is_b ? 1 : 2))
		return;		/* only connections leaving the home net */
	if ((f->key.ipver == 4 && dst[0] >= 224) || (f->key.ipver == 6 && dst[0] == 0xff))
		return;		/* broadcast and multicast announcements are periodic by design */
	if (f->l7 && f->l7->name) {
		size_t len = strnlen(f->l7->name, sizeof(key) - 1);	/* cut as snprintf would, at less cost */

		memcpy(key, f->l7->name, len);
		key[len] = '\0';
	} else
		addr_format(f->key.ipver, f->init_is_b ? f->key.a : f->key.b, key, sizeof(key));
	if ((s = hs->beacon) == NULL) {
		hs->beacon = s = xcalloc(1, sizeof(*s) + sizeof(s->d[0]));
		s->cap = 1;
	}
	for (i = 0; i < s->n; i++) {
		if (strcmp(dest_key(s->d[i]), key) == 0)
			break;
		if (oldest == BEACON_DESTS || s->d[i]->last_us < s->d[oldest]->last_us)
			oldest = i;
	}
	if (i == s->n && s->n < BEACON_DESTS) {
		if (s->n == s->cap) {
			s->cap = (uint8_t)(s->cap * 2 < BEACON_DESTS ? s->cap * 2 : BEACON_DESTS);
			hs->beacon = s = xrealloc(s, sizeof(*s) + sizeof(s->d[0]) * s->cap);
		}
		s->d[s->n++] = dest_new(key);
	} else if (i == s->n) {
		/* Full: the destination seen least recently makes room. */
		i = oldest;
		free(s->d[i]);
		s->d[i] = dest_new(key);
	}
	bd = s->d[i];
	if (bd->n == bd->cap && bd->cap < BEACON_TIMES)
		s->d[i] = bd = dest_grow(bd);
	bd->t[bd->n % BEACON_TIMES] = f->first_us;
	bd->n++;
	bd->last_us = now_us;
	judge(d, hs, bd, f, now_us);
}
