/*
 * hosts.c - host table, buckets, window sums and baselines.
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

void
bucket_merge(struct bucket *dst, const struct bucket *src)
{
	dst->bytes_in += src->bytes_in;
	dst->bytes_out += src->bytes_out;
	dst->bytes_srv_out += src->bytes_srv_out;
	dst->bytes_srv_in += src->bytes_srv_in;
	dst->pkts_in += src->pkts_in;
	dst->pkts_out += src->pkts_out;
	dst->flows_init += src->flows_init;
	dst->flows_acc += src->flows_acc;
	dst->flows_acc_out += src->flows_acc_out;
	dst->tls_in += src->tls_in;
	dst->unknown_in += src->unknown_in;
	sketch_merge(&dst->peers_in, &src->peers_in);
	sketch_merge(&dst->peers_out, &src->peers_out);
	sketch_merge(&dst->ports_in, &src->ports_in);
}

void
bucket_clear(struct bucket *b)
{
	uint64_t bno = b->bno;

	sketch_clear(&b->peers_in);
	sketch_clear(&b->peers_out);
	sketch_clear(&b->ports_in);
	memset(b, 0, sizeof(*b));
	b->bno = bno;
}

static uint8_t *
put_be(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
	return p + bytes;
}

static const uint8_t *
get_be(const uint8_t *p, uint64_t *v, int bytes)
{
	int i;

	*v = 0;
	for (i = 0; i < bytes; i++)
		*v = *v << 8 | p[i];
	return p + bytes;
}

#define BUCKET_FIXED	(8 + 4 * 8 + 7 * 4)

size_t
bucket_encode(const struct bucket *b, uint8_t *buf, size_t len)
{
	const uint64_t wide[5] = { b->bno, b->bytes_in, b->bytes_out, b->bytes_srv_out, b->bytes_srv_in };
	const uint32_t narrow[7] = { b->pkts_in, b->pkts_out, b->flows_init, b->flows_acc, b->flows_acc_out,
				     b->tls_in, b->unknown_in };
	const struct sketch *sk[3] = { &b->peers_in, &b->peers_out, &b->ports_in };
	uint8_t *p = buf;
	size_t n;
	int i;

	if (len < BUCKET_FIXED)
		return 0;
	for (i = 0; i < 5; i++)
		p = put_be(p, wide[i], 8);
	for (i = 0; i < 7; i++)
		p = put_be(p, narrow[i], 4);
	for (i = 0; i < 3; i++) {
		if ((n = sketch_encode(sk[i], p, len - (size_t)(p - buf))) == 0)
			return 0;
		p += n;
	}
	return (size_t)(p - buf);
}

int
bucket_decode(struct bucket *b, const uint8_t *buf, size_t len)
{
	uint64_t *wide[5] = { &b->bno, &b->bytes_in, &b->bytes_out, &b->bytes_srv_out, &b->bytes_srv_in };
	uint32_t *narrow[7] = { &b->pkts_in, &b->pkts_out, &b->flows_init, &b->flows_acc, &b->flows_acc_out,
				&b->tls_in, &b->unknown_in };
	struct sketch *sk[3] = { &b->peers_in, &b->peers_out, &b->ports_in };
	const uint8_t *p = buf, *end = buf + len;
	uint64_t v;
	size_t n;
	int i;

	memset(b, 0, sizeof(*b));
	if (len < BUCKET_FIXED)
		return -1;
	for (i = 0; i < 5; i++)
		p = get_be(p, wide[i], 8);
	for (i = 0; i < 7; i++) {
		p = get_be(p, &v, 4);
		*narrow[i] = (uint32_t)v;
	}
	for (i = 0; i < 3; i++) {
		if (p >= end || (n = sketch_encoded_len(*p)) == 0 || n > (size_t)(end - p) ||
		    sketch_decode(sk[i], p, n) != 0)
			break;
		p += n;
	}
	if (i < 3 || p != end) {
		bucket_clear(b);
		memset(b, 0, sizeof(*b));
		return -1;
	}
	return 0;
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
	uint32_t i;

	if (hs->group)
		group_put(h, hs->group);
	for (i = 0; i < hs->nbk; i++)
		bucket_clear(&hs->bk[i]);
	free(hs->bk);
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

/* What a host that did nothing in a bucket has in it. */
static const struct bucket empty_bucket;

/* The open bucket if the host did something in it, else NULL. */
static struct bucket *
open_bucket(const struct host *hs)
{
	if (hs->nbk && hs->bk[hs->nbk - 1].bno == hs->bno)
		return &hs->bk[hs->nbk - 1];
	return NULL;
}

/* Forget the buckets that left the window (older than the open one and the window before it). */
static void
host_prune(struct hosts *h, struct host *hs)
{
	uint32_t k = 0, i;

	while (k < hs->nbk && hs->bk[k].bno + h->cfg.window < hs->bno)
		k++;
	if (k == 0)
		return;
	for (i = 0; i < k; i++)
		bucket_clear(&hs->bk[i]);
	hs->nbk = (uint8_t)(hs->nbk - k);
	if (hs->nbk == 0) {
		/* An idle host keeps no buckets. */
		free(hs->bk);
		hs->bk = NULL;
		hs->capbk = 0;
		return;
	}
	memmove(hs->bk, hs->bk + k, sizeof(*hs->bk) * hs->nbk);
	if (hs->capbk >= 4u * hs->nbk) {
		hs->capbk = (uint8_t)(hs->nbk * 2);
		hs->bk = xrealloc(hs->bk, sizeof(*hs->bk) * hs->capbk);
	}
}

/* Close the host's open bucket: fold it into the baselines and open the next one. */
static void
host_rotate(struct hosts *h, struct host *hs, struct group *g)
{
	const struct bucket *b = open_bucket(hs);
	int m;

	if (b == NULL)
		b = &empty_bucket;
	for (m = 0; m < HM__COUNT; m++) {
		double x = metric_of(b, (enum host_metric)m);

		ewma_update(&hs->bl[m], x, h->cfg.alpha);
		if (g)
			ewma_update(&g->bl[m], x, h->cfg.alpha);
	}
	if (hs->filled < h->cfg.window)
		hs->filled++;
	hs->bno++;
	host_prune(h, hs);
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
		host_prune(h, hs);
	}
}

struct bucket *
host_bucket(struct hosts *h, struct host *hs)
{
	struct bucket *b;

	if (hs->bno != h->bno)
		host_catch_up(h, hs);
	if ((b = open_bucket(hs)) != NULL)
		return b;
	/* At most the open bucket and the window's: older ones were pruned as the open one moved on. */
	if (hs->nbk == hs->capbk) {
		uint32_t cap = hs->capbk ? hs->capbk * 2u : 1u;

		if (cap > h->cfg.window + 1)
			cap = h->cfg.window + 1;
		hs->bk = xrealloc(hs->bk, sizeof(*hs->bk) * cap);
		hs->capbk = (uint8_t)cap;
	}
	b = &hs->bk[hs->nbk++];
	memset(b, 0, sizeof(*b));
	b->bno = hs->bno;
	return b;
}

/* Sum the nb buckets ending with bucket newest (those the host did nothing in count, empty). */
static void
window_sum(const struct host *hs, uint64_t newest, uint32_t nb, struct window *w)
{
	struct sketch pin, pout, ports;
	uint32_t i;

	memset(w, 0, sizeof(*w));
	memset(&pin, 0, sizeof(pin));
	memset(&pout, 0, sizeof(pout));
	memset(&ports, 0, sizeof(ports));
	for (i = 0; i < hs->nbk; i++) {
		const struct bucket *b = &hs->bk[i];

		if (b->bno > newest || b->bno + nb <= newest)
			continue;
		w->bytes_in += b->bytes_in;
		w->bytes_out += b->bytes_out;
		w->bytes_srv_out += b->bytes_srv_out;
		w->bytes_srv_in += b->bytes_srv_in;
		w->flows_init += b->flows_init;
		w->flows_acc += b->flows_acc;
		w->flows_acc_out += b->flows_acc_out;
		w->tls_in += b->tls_in;
		w->unknown_in += b->unknown_in;
		sketch_merge(&pin, &b->peers_in);
		sketch_merge(&pout, &b->peers_out);
		sketch_merge(&ports, &b->ports_in);
	}
	w->buckets = nb;
	w->peers_in = (uint32_t)(sketch_count(&pin) + 0.5);
	w->peers_out = (uint32_t)(sketch_count(&pout) + 0.5);
	w->ports_in = (uint32_t)(sketch_count(&ports) + 0.5);
	sketch_clear(&pin);
	sketch_clear(&pout);
	sketch_clear(&ports);
}

void
host_window(const struct hosts *h, const struct host *hs, struct window *w)
{
	/* The closed buckets: those before the open one. */
	window_sum(hs, hs->bno - 1, hs->filled < h->cfg.window ? hs->filled : h->cfg.window, w);
}

void
host_window_open(struct hosts *h, struct host *hs, struct window *w)
{
	if (hs->bno != h->bno)
		host_catch_up(h, hs);
	/* The open bucket counts as the newest closed one of a window one bucket shorter. */
	window_sum(hs, hs->bno, hs->filled < h->cfg.window ? hs->filled + 1 : h->cfg.window, w);
}

size_t
host_bucket_bytes(const struct host *hs)
{
	size_t n = sizeof(*hs->bk) * hs->capbk;
	uint32_t i;

	for (i = 0; i < hs->nbk; i++)
		n += sketch_heap_bytes(&hs->bk[i].peers_in) + sketch_heap_bytes(&hs->bk[i].peers_out) +
		    sketch_heap_bytes(&hs->bk[i].ports_in);
	return n;
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
		return sketch_count(&b->peers_in);
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
		if ((b = open_bucket(hs)) == NULL)
			b = &empty_bucket;
		/* The bucket being closed joins the window, then is judged against the old baseline. */
		if (fn) {
			window_sum(hs, hs->bno, hs->filled < h->cfg.window ? hs->filled + 1 : hs->filled, &w);
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
