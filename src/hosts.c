/*
 * hosts.c - host table, bucket ring, window sums and baselines.
 *
 * Baseline choice: an exponentially weighted mean and variance per metric (West's incremental form).  It
 * needs two numbers per metric instead of a history, follows slow drift (a server that grows busier over
 * weeks), and its deviation gives the scale for a k-sigma test.  A robust median/MAD estimate would resist
 * outliers better but needs the history kept; we resist outliers instead by requiring a ratio to the mean
 * and an absolute floor besides k deviations, and by feeding the baseline only after a bucket was judged.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <ndpi/ndpi_api.h>

#include "hosts.h"
#include "log.h"

#define HOSTS_MIN_BUCKETS 1024u
#define GROUP_BUCKETS 4096u

struct hosts {
	struct hosts_cfg cfg;
	struct host **buckets;
	uint32_t nbuckets;
	uint32_t n;
	struct host *lru_head, *lru_tail;
	struct group *groups[GROUP_BUCKETS];
	uint64_t bno;		/* number of the open bucket */
	uint32_t ngroups;
	uint64_t dropped;
};

void
ewma_update(struct ewma *e, double x, double alpha)
{
	double diff, incr;

	if (e->n == 0) {
		e->mean = x;
		e->var = 0;
		e->n = 1;
		return;
	}
	diff = x - e->mean;
	incr = alpha * diff;
	e->mean += incr;
	e->var = (1 - alpha) * (e->var + diff * incr);
	e->n++;
}

double
ewma_sd(const struct ewma *e)
{
	return e->var > 0 ? sqrt(e->var) : 0;
}

double
sketch_count(const uint8_t *regs)
{
	struct ndpi_hll h = { HOST_HLL_BITS, HOST_HLL_SIZE, (uint8_t *)regs };

	return ndpi_hll_count(&h);
}

void
sketch_merge(uint8_t *dst, const uint8_t *src)
{
	uint32_t i;

	for (i = 0; i < HOST_HLL_SIZE; i++)
		if (src[i] > dst[i])
			dst[i] = src[i];
}

void
bucket_add_peer(uint8_t *regs, const uint8_t *addr, int ipver)
{
	struct ndpi_hll h = { HOST_HLL_BITS, HOST_HLL_SIZE, regs };

	ndpi_hll_add(&h, (const char *)addr, ipver == 4 ? 4 : 16);
}

void
bucket_add_port(uint8_t *regs, uint16_t port)
{
	struct ndpi_hll h = { HOST_HLL_BITS, HOST_HLL_SIZE, regs };

	ndpi_hll_add_number(&h, port);
}

struct hosts *
hosts_new(const struct hosts_cfg *cfg)
{
	struct hosts *h = xcalloc(1, sizeof(*h));

	h->cfg = *cfg;
	if (h->cfg.window < 1)
		h->cfg.window = 1;
	if (h->cfg.window > HOST_WIN_MAX)
		h->cfg.window = HOST_WIN_MAX;
	h->nbuckets = HOSTS_MIN_BUCKETS;
	h->buckets = xcalloc(h->nbuckets, sizeof(*h->buckets));
	return h;
}

static void group_put(struct hosts *h, struct group *g);

static void
host_release(struct hosts *h, struct host *hs)
{
	if (hs->group)
		group_put(h, hs->group);
	free(hs->ring);
	free(hs);
}

void
hosts_free(struct hosts *h)
{
	struct host *hs, *next;
	uint32_t i;

	if (h == NULL)
		return;
	for (hs = h->lru_head; hs; hs = next) {
		next = hs->next;
		if (h->cfg.on_drop)
			h->cfg.on_drop(h->cfg.on_drop_arg, hs);
		host_release(h, hs);
	}
	for (i = 0; i < GROUP_BUCKETS; i++) {
		struct group *g, *gn;

		for (g = h->groups[i]; g; g = gn) {
			gn = g->hnext;
			free(g);
		}
	}
	free(h->buckets);
	free(h);
}

static uint32_t
addr_hash(int ipver, const uint8_t *addr, uint32_t zone)
{
	uint64_t x = (uint64_t)zone * 0x9e3779b97f4a7c15ull ^ (uint64_t)ipver;
	size_t i, n = ipver == 4 ? 4 : 16;

	for (i = 0; i < n; i++)
		x = (x ^ addr[i]) * 0x100000001b3ull;
	x ^= x >> 29;
	return (uint32_t)x;
}

static bool
host_is(const struct host *hs, int ipver, const uint8_t *addr, uint32_t zone)
{
	return hs->ipver == ipver && hs->zone == zone && memcmp(hs->addr, addr, ipver == 4 ? 4 : 16) == 0;
}

struct host *
hosts_find(struct hosts *h, int ipver, const uint8_t *addr, uint32_t zone)
{
	struct host *hs;

	for (hs = h->buckets[addr_hash(ipver, addr, zone) & (h->nbuckets - 1)]; hs; hs = hs->hnext)
		if (host_is(hs, ipver, addr, zone))
			return hs;
	return NULL;
}

static void
lru_unlink(struct hosts *h, struct host *hs)
{
	if (hs->prev)
		hs->prev->next = hs->next;
	else
		h->lru_head = hs->next;
	if (hs->next)
		hs->next->prev = hs->prev;
	else
		h->lru_tail = hs->prev;
	hs->prev = hs->next = NULL;
}

static void
lru_append(struct hosts *h, struct host *hs)
{
	hs->prev = h->lru_tail;
	hs->next = NULL;
	if (h->lru_tail)
		h->lru_tail->next = hs;
	else
		h->lru_head = hs;
	h->lru_tail = hs;
}

static void
hash_unlink(struct hosts *h, struct host *hs)
{
	struct host **pp = &h->buckets[addr_hash(hs->ipver, hs->addr, hs->zone) & (h->nbuckets - 1)];

	while (*pp && *pp != hs)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = hs->hnext;
}

static void
grow(struct hosts *h)
{
	uint32_t n = h->nbuckets * 2, i;
	struct host **nb = xcalloc(n, sizeof(*nb));

	for (i = 0; i < h->nbuckets; i++) {
		struct host *hs, *next;

		for (hs = h->buckets[i]; hs; hs = next) {
			uint32_t b = addr_hash(hs->ipver, hs->addr, hs->zone) & (n - 1);

			next = hs->hnext;
			hs->hnext = nb[b];
			nb[b] = hs;
		}
	}
	free(h->buckets);
	h->buckets = nb;
	h->nbuckets = n;
}

struct host *
hosts_get(struct hosts *h, int ipver, const uint8_t *addr, uint32_t zone, uint64_t now_us, bool *created)
{
	struct host *hs = hosts_find(h, ipver, addr, zone);

	*created = false;
	if (hs == NULL) {
		if (h->n >= h->cfg.max_hosts && h->lru_head) {
			struct host *old = h->lru_head, *c;
			int k;

			/* Keep the known population: among the least recent, drop a host seen only lately. */
			for (c = h->lru_head, k = 0; c && k < 32; c = c->next, k++)
				if (!c->known) {
					old = c;
					break;
				}

			lru_unlink(h, old);
			hash_unlink(h, old);
			if (h->cfg.on_drop)
				h->cfg.on_drop(h->cfg.on_drop_arg, old);
			host_release(h, old);
			h->n--;
			h->dropped++;
		}
		if (h->n >= h->nbuckets)
			grow(h);
		hs = xcalloc(1, sizeof(*hs));
		hs->ipver = (uint8_t)ipver;
		memcpy(hs->addr, addr, ipver == 4 ? 4 : 16);
		hs->zone = zone;
		hs->first_us = hs->last_us = now_us;
		hs->ring = xcalloc(h->cfg.window + 1, sizeof(*hs->ring));
		hs->bno = h->bno;
		hs->last_bno = h->bno;
		{
			uint32_t b = addr_hash(ipver, addr, zone) & (h->nbuckets - 1);

			hs->hnext = h->buckets[b];
			h->buckets[b] = hs;
		}
		h->n++;
		lru_append(h, hs);
		hs->group = host_group(h, hs);
		hs->group->refs++;
		*created = true;
		return hs;
	}
	if (now_us > hs->last_us)
		hs->last_us = now_us;
	hs->last_bno = h->bno;
	if (h->lru_tail != hs) {
		lru_unlink(h, hs);
		lru_append(h, hs);
	}
	return hs;
}

static double metric_of(const struct bucket *b, enum host_metric m);

/* Close the host's open bucket: fold it into the baselines and open the next one. */
static void
host_rotate(struct hosts *h, struct host *hs, struct group *g)
{
	uint32_t ringlen = h->cfg.window + 1;
	const struct bucket *b = &hs->ring[hs->cur];
	int m;

	for (m = 0; m < HM__COUNT; m++) {
		double x = metric_of(b, (enum host_metric)m);

		ewma_update(&hs->bl[m], x, h->cfg.alpha);
		if (g)
			ewma_update(&g->bl[m], x, h->cfg.alpha);
	}
	hs->cur = (hs->cur + 1) % ringlen;
	memset(&hs->ring[hs->cur], 0, sizeof(hs->ring[hs->cur]));
	if (hs->filled < h->cfg.window)
		hs->filled++;
	hs->bno++;
}

/* Buckets that closed while the host was idle were empty: fold them in now (bounded work). */
static void
host_catch_up(struct hosts *h, struct host *hs)
{
	uint32_t n = 0;

	while (hs->bno < h->bno && n < h->cfg.window + 1) {
		host_rotate(h, hs, NULL);
		n++;
	}
	if (hs->bno < h->bno) {
		uint64_t gap = h->bno - hs->bno;
		int m;

		/* Past a window of empty buckets only the baselines change; 200 updates decay them fully. */
		for (m = 0; m < HM__COUNT; m++) {
			uint64_t k;

			for (k = 0; k < gap && k < 200; k++)
				ewma_update(&hs->bl[m], 0, h->cfg.alpha);
		}
		hs->bno = h->bno;
	}
}

struct bucket *
host_bucket(struct hosts *h, struct host *hs)
{
	if (hs->bno != h->bno)
		host_catch_up(h, hs);
	return &hs->ring[hs->cur];
}

void
host_window(const struct hosts *h, const struct host *hs, struct window *w)
{
	uint32_t ringlen = h->cfg.window + 1, k;
	uint8_t pin[HOST_HLL_SIZE], pout[HOST_HLL_SIZE], ports[HOST_HLL_SIZE];

	memset(w, 0, sizeof(*w));
	memset(pin, 0, sizeof(pin));
	memset(pout, 0, sizeof(pout));
	memset(ports, 0, sizeof(ports));
	/* The closed buckets are the ring slots before cur, newest first. */
	for (k = 1; k <= hs->filled && k <= h->cfg.window; k++) {
		const struct bucket *b = &hs->ring[(hs->cur + ringlen - k) % ringlen];

		w->bytes_in += b->bytes_in;
		w->bytes_out += b->bytes_out;
		w->bytes_srv_out += b->bytes_srv_out;
		w->bytes_srv_in += b->bytes_srv_in;
		w->flows_init += b->flows_init;
		w->flows_acc += b->flows_acc;
		w->flows_acc_out += b->flows_acc_out;
		w->tls_in += b->tls_in;
		w->unknown_in += b->unknown_in;
		sketch_merge(pin, b->peers_in);
		sketch_merge(pout, b->peers_out);
		sketch_merge(ports, b->ports_in);
		w->buckets++;
	}
	w->peers_in = (uint32_t)(sketch_count(pin) + 0.5);
	w->peers_out = (uint32_t)(sketch_count(pout) + 0.5);
	w->ports_in = (uint32_t)(sketch_count(ports) + 0.5);
}

void
host_window_open(struct hosts *h, struct host *hs, struct window *w)
{
	struct host tmp;

	if (hs->bno != h->bno)
		host_catch_up(h, hs);
	/* The open bucket counts as the newest closed one of a window one bucket shorter. */
	tmp = *hs;
	tmp.cur = (hs->cur + 1) % (h->cfg.window + 1);
	tmp.filled = hs->filled < h->cfg.window ? hs->filled + 1 : h->cfg.window;
	host_window(h, &tmp, w);
}

static void
group_key(const struct hosts *h, const struct host *hs, uint8_t *prefix)
{
	uint32_t bits = hs->ipver == 4 ? h->cfg.group_v4_bits : h->cfg.group_v6_bits, i;

	memset(prefix, 0, 16);
	for (i = 0; i < (hs->ipver == 4 ? 4u : 16u); i++) {
		if (bits >= 8) {
			prefix[i] = hs->addr[i];
			bits -= 8;
		} else {
			prefix[i] = (uint8_t)(hs->addr[i] & (0xff << (8 - bits)));
			bits = 0;
		}
	}
}

/* One host fewer in g: a group with no host left is forgotten, so groups are bounded by hosts. */
static void
group_put(struct hosts *h, struct group *g)
{
	uint8_t prefix[16];
	struct group **pp;

	if (--g->refs > 0)
		return;
	memcpy(prefix, g->prefix, 16);
	for (pp = &h->groups[addr_hash(g->ipver, prefix, g->zone) % GROUP_BUCKETS]; *pp; pp = &(*pp)->hnext)
		if (*pp == g) {
			*pp = g->hnext;
			break;
		}
	h->ngroups--;
	free(g);
}

struct group *
host_group(struct hosts *h, const struct host *hs)
{
	uint8_t prefix[16];
	uint32_t b;
	struct group *g;

	if (hs->group)
		return hs->group;
	group_key(h, hs, prefix);
	b = addr_hash(hs->ipver, prefix, hs->zone) % GROUP_BUCKETS;
	for (g = h->groups[b]; g; g = g->hnext)
		if (g->ipver == hs->ipver && g->zone == hs->zone && memcmp(g->prefix, prefix, 16) == 0)
			return g;
	/* Groups are bounded by the hosts that make them: at most one per host, freed with the last. */
	g = xcalloc(1, sizeof(*g));
	g->ipver = hs->ipver;
	memcpy(g->prefix, prefix, 16);
	g->zone = hs->zone;
	g->hnext = h->groups[b];
	h->groups[b] = g;
	h->ngroups++;
	return g;
}

static double
metric_of(const struct bucket *b, enum host_metric m)
{
	switch (m) {
	case HM_BYTES_OUT:
		return (double)b->bytes_out;
	case HM_FLOWS_ACC_OUT:
		return (double)b->flows_acc_out;
	case HM_PEERS_IN:
		return sketch_count(b->peers_in);
	default:
		return 0;
	}
}

void
hosts_close_bucket(struct hosts *h, hosts_close_fn fn, void *arg)
{
	struct host *hs;

	/*
	 * Most recently seen first, back to the first host idle for a whole window: the rest are skipped.  A
	 * host is seen whenever a flow of it starts, is classified, or carries bytes in a bucket.
	 */
	for (hs = h->lru_tail; hs; hs = hs->prev) {
		struct group *g;
		struct window w;
		const struct bucket *b;

		if (hs->last_bno + h->cfg.window + 1 < h->bno)
			break;
		if (hs->bno != h->bno)
			host_catch_up(h, hs);
		g = host_group(h, hs);
		b = &hs->ring[hs->cur];
		/* The bucket being closed joins the window, then is judged against the old baseline. */
		if (fn) {
			struct host tmp = *hs;

			tmp.cur = (hs->cur + 1) % (h->cfg.window + 1);
			tmp.filled = hs->filled < h->cfg.window ? hs->filled + 1 : hs->filled;
			host_window(h, &tmp, &w);
			fn(arg, hs, &w, b);
		}
		host_rotate(h, hs, g);
	}
	h->bno++;
}

void
hosts_foreach(struct hosts *h, void (*fn)(void *arg, struct host *hs), void *arg)
{
	struct host *hs, *next;

	for (hs = h->lru_head; hs; hs = next) {
		next = hs->next;
		fn(arg, hs);
	}
}

uint32_t
hosts_count(const struct hosts *h)
{
	return h->n;
}

uint64_t
hosts_dropped(const struct hosts *h)
{
	return h->dropped;
}

uint32_t
hosts_groups(const struct hosts *h)
{
	return h->ngroups;
}
