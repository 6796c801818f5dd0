/*
 * flow.c - bidirectional flow table: seeded hash, per-class idle lists, cap with eviction of the stalest.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "log.h"

struct flow_list {
	struct flow *head, *tail;
};

struct flow_table {
	struct flow_table_cfg cfg;
	flow_end_cb cb;
	void *cbarg;
	struct flow **buckets;
	uint32_t nbuckets;	/* power of two */
	struct flow_list lists[FT__COUNT];
	struct flow_table_stats st;
	uint64_t clock;
	bool keep_ended;
};

#define FLOW_MIN_BUCKETS 4096u

/*
 * Seeded multiply-xorshift hash over the fixed-size key.  The seed keeps an attacker from choosing
 * addresses that all land in one bucket; the key is already direction-normalized, so both directions hash
 * alike (which is also what sharding flows to worker threads needs).
 */
static uint32_t
key_hash(const struct flow_key *k, uint64_t seed)
{
	uint64_t w[sizeof(*k) / 8 + 1];
	uint64_t h = seed ^ 0x9e3779b97f4a7c15ull;
	size_t i, n = (sizeof(*k) + 7) / 8;

	memset(w, 0, sizeof(w));
	memcpy(w, k, sizeof(*k));
	for (i = 0; i < n; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static void
list_unlink(struct flow_list *l, struct flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = NULL;
}

static void
list_append(struct flow_list *l, struct flow *f)
{
	f->next = NULL;
	f->prev = l->tail;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

struct flow_table *
flow_table_new(const struct flow_table_cfg *cfg, flow_end_cb cb, void *cbarg)
{
	struct flow_table *t = xcalloc(1, sizeof(*t));

	t->cfg = *cfg;
	if (t->cfg.max_flows == 0)
		t->cfg.max_flows = 1;
	t->cb = cb;
	t->cbarg = cbarg;
	t->nbuckets = FLOW_MIN_BUCKETS;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	return t;
}

void
flow_free(struct flow *f)
{
	if (f->rec.l7) {
		free(f->rec.l7->name);
		free(f->rec.l7->alpn);
		free(f->rec.l7->cert_names);
		free(f->rec.l7);
	}
	free(f);
}

static void
bucket_unlink(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];

	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
}

/* End a flow record: report it, then forget the flow. */
static void
flow_end(struct flow_table *t, struct flow *f, enum flow_end why)
{
	list_unlink(&t->lists[f->tclass], f);
	bucket_unlink(t, f);
	t->st.active--;
	t->cb(t->cbarg, f, why);
	if (!t->keep_ended)
		flow_free(f);
}

int
flow_cmp_first(const void *x, const void *y)
{
	const struct flow *a = *(const struct flow *const *)x, *b = *(const struct flow *const *)y;

	if (a->rec.first_us != b->rec.first_us)
		return a->rec.first_us < b->rec.first_us ? -1 : 1;
	return memcmp(&a->rec.key, &b->rec.key, sizeof(a->rec.key));
}

/* Every flow, first seen first: that order makes the final records independent of the hash seed. */
static struct flow **
all_by_first(struct flow_table *t, size_t *n)
{
	struct flow **all = xmalloc(sizeof(*all) * (t->st.active ? t->st.active : 1));
	int c;

	*n = 0;
	for (c = 0; c < FT__COUNT; c++)
		for (struct flow *f = t->lists[c].head; f; f = f->next)
			all[(*n)++] = f;
	qsort(all, *n, sizeof(*all), flow_cmp_first);
	return all;
}

void
flow_table_flush(struct flow_table *t)
{
	struct flow **all;
	size_t n, i;

	if (t->st.active == 0)
		return;
	all = all_by_first(t, &n);
	for (i = 0; i < n; i++)
		flow_end(t, all[i], FE_SHUTDOWN);
	free(all);
}

struct flow **
flow_table_drain(struct flow_table *t, size_t *n)
{
	struct flow **all = all_by_first(t, n);
	int c;

	for (c = 0; c < FT__COUNT; c++)
		t->lists[c].head = t->lists[c].tail = NULL;
	memset(t->buckets, 0, sizeof(*t->buckets) * t->nbuckets);
	t->st.active = 0;
	return all;
}

void
flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	flow_table_flush(t);
	free(t->buckets);
	free(t);
}

void
flow_table_keep_ended(struct flow_table *t)
{
	t->keep_ended = true;
}

void
flow_table_foreach_since(struct flow_table *t, uint64_t since, void (*fn)(void *arg, struct flow *f), void *arg)
{
	int c;

	for (c = 0; c < FT__COUNT; c++) {
		struct flow *f = t->lists[c].tail;

		/* A list is in touch order: walk back to the first flow touched since then. */
		if (f == NULL || f->touch < since)
			continue;
		while (f->prev && f->prev->touch >= since)
			f = f->prev;
		for (; f; f = f->next)
			fn(arg, f);
	}
}

void
flow_table_clock(struct flow_table *t, uint64_t now)
{
	t->clock = now;
}

void
flow_key_from_packet(const struct decoded *d, struct flow_key *k, bool *sender_is_b)
{
	size_t alen = d->ipver == 4 ? 4 : 16;
	int c;
	uint16_t sp = d->sport, dp = d->dport;

	memset(k, 0, sizeof(*k));
	k->proto = d->proto;
	k->ipver = d->ipver;
	if (d->tunnel == TUNNEL_VXLAN || d->tunnel == TUNNEL_GENEVE)
		k->vni = (d->vni & 0xffffff) | (uint32_t)d->tunnel << 24;
	memcpy(k->vlan, d->vlan, sizeof(k->vlan[0]) * d->vlan_depth);
	c = memcmp(d->src, d->dst, alen);
	if (c < 0 || (c == 0 && sp <= dp)) {
		memcpy(k->a, d->src, alen);
		memcpy(k->b, d->dst, alen);
		k->pa = sp;
		k->pb = dp;
		*sender_is_b = false;
	} else {
		memcpy(k->a, d->dst, alen);
		memcpy(k->b, d->src, alen);
		k->pa = dp;
		k->pb = sp;
		*sender_is_b = true;
	}
}

static void
table_grow(struct flow_table *t)
{
	uint32_t n = t->nbuckets * 2, i;
	struct flow **nb = xcalloc(n, sizeof(*nb));

	for (i = 0; i < t->nbuckets; i++) {
		struct flow *f = t->buckets[i], *next;

		for (; f; f = next) {
			next = f->hnext;
			f->hnext = nb[f->hash & (n - 1)];
			nb[f->hash & (n - 1)] = f;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

static struct flow *
table_find(struct flow_table *t, const struct flow_key *k, uint32_t h)
{
	struct flow *f;

	for (f = t->buckets[h & (t->nbuckets - 1)]; f; f = f->hnext)
		if (f->hash == h && memcmp(&f->rec.key, k, sizeof(*k)) == 0)
			return f;
	return NULL;
}

static enum flow_tclass
tclass_of(const struct flow *f)
{
	switch (f->rec.key.proto) {
	case 6:
		if (f->rec.rst || (f->rec.fin[0] && f->rec.fin[1]))
			return FT_TCP_CLOSED;
		if (f->rec.pkts[0] && f->rec.pkts[1])
			return FT_TCP_EST;
		return FT_TCP_NEW;
	case 17:
		return FT_UDP;
	case 1:
	case 58:
		return FT_ICMP;
	default:
		return FT_OTHER;
	}
}

/* Make room: end the flow that has been idle longest, whatever its class. */
static void
evict_stalest(struct flow_table *t)
{
	struct flow *victim = NULL;
	int c;

	for (c = 0; c < FT__COUNT; c++) {
		struct flow *h = t->lists[c].head;

		if (h && (victim == NULL || h->rec.last_us < victim->rec.last_us))
			victim = h;
	}
	if (victim) {
		t->st.evicted++;
		flow_end(t, victim, FE_EVICTED);
	}
}

/* Move a touched flow to the tail of its (possibly new) class list. */
static void
flow_touch(struct flow_table *t, struct flow *f)
{
	enum flow_tclass nc = tclass_of(f);

	list_unlink(&t->lists[f->tclass], f);
	if (nc == FT_TCP_CLOSED && f->tclass != FT_TCP_CLOSED)
		t->st.closed_early++;
	f->tclass = (uint8_t)nc;
	f->touch = t->clock;
	list_append(&t->lists[nc], f);
}

static void
tcp_account(struct flow *f, const struct decoded *d, bool sender_is_b)
{
	if (d->tcp_flags & TH_FIN)
		f->rec.fin[sender_is_b] = 1;
	if (d->tcp_flags & TH_RST)
		f->rec.rst = 1;
}

struct flow *
flow_table_packet(struct flow_table *t, const struct decoded *d, uint64_t now_us, int *dir, bool *created)
{
	struct flow_key k;
	bool sender_is_b;
	uint32_t h;
	struct flow *f;
	bool syn = d->proto == 6 && (d->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN;
	bool synack = d->proto == 6 && (d->tcp_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);

	flow_key_from_packet(d, &k, &sender_is_b);
	h = key_hash(&k, t->cfg.seed);
	f = table_find(t, &k, h);
	*created = false;
	if (f && t->cfg.active_timeout_s &&
	    now_us >= f->rec.first_us + (uint64_t)t->cfg.active_timeout_s * 1000000u) {
		/* Report the long-running flow so far and go on with a fresh record of the same flow. */
		t->st.active_cut++;
		t->cb(t->cbarg, f, FE_ACTIVE);
		f->rec.first_us = now_us;
		f->rec.bytes[0] = f->rec.bytes[1] = 0;
		f->rec.pkts[0] = f->rec.pkts[1] = 0;
	}
	if (f == NULL) {
		if (t->st.active >= t->cfg.max_flows)
			evict_stalest(t);
		if (t->st.active >= t->nbuckets)
			table_grow(t);
		f = xcalloc(1, sizeof(*f));
		f->rec.key = k;
		f->hash = h;
		f->rec.first_us = f->rec.last_us = now_us;
		/*
		 * The sender of the first packet started it, unless that packet answers a SYN, or, when no
		 * handshake tells, it comes from a well-known port to an ephemeral one (a DNS answer whose
		 * query was not seen is still the client's flow).
		 */
		f->rec.init_is_b = synack ? !sender_is_b : sender_is_b;
		if (!syn && !synack && (d->proto == 6 || d->proto == 17) && d->sport < 1024 && d->dport >= 1024)
			f->rec.init_is_b = !sender_is_b;
		f->syn_seen = syn || synack;
		f->tclass = FT_OTHER;
		list_append(&t->lists[FT_OTHER], f);
		f->hnext = t->buckets[h & (t->nbuckets - 1)];
		t->buckets[h & (t->nbuckets - 1)] = f;
		t->st.created++;
		if (++t->st.active > t->st.peak)
			t->st.peak = t->st.active;
		*created = true;
	} else if (syn && !f->syn_seen) {
		/* A SYN settles who started the connection when we joined it midway. */
		f->syn_seen = 1;
		if (f->rec.init_is_b != sender_is_b) {
			flow_swap_dirs(f->rec.bytes, f->rec.pkts);
			f->rec.init_is_b = sender_is_b;
			/* What the detection layer attributed must follow: it swaps its own counters. */
			f->swapped = 1;
		}
	}
	*dir = (sender_is_b == (bool)f->rec.init_is_b) ? 0 : 1;
	f->rec.pkts[*dir]++;
	f->rec.bytes[*dir] += d->wirelen;
	if (now_us > f->rec.last_us)
		f->rec.last_us = now_us;
	if (d->proto == 6)
		tcp_account(f, d, sender_is_b);
	flow_touch(t, f);
	return f;
}

bool
flow_table_account(struct flow_table *t, const struct flow_key *k, bool sender_is_b, uint32_t wirelen,
		   uint64_t now_us)
{
	uint32_t h = key_hash(k, t->cfg.seed);
	struct flow *f = table_find(t, k, h);
	int dir;

	if (f == NULL)
		return false;
	dir = (sender_is_b == (bool)f->rec.init_is_b) ? 0 : 1;
	f->rec.pkts[dir]++;
	f->rec.bytes[dir] += wirelen;
	if (now_us > f->rec.last_us)
		f->rec.last_us = now_us;
	flow_touch(t, f);
	return true;
}

void
flow_table_expire(struct flow_table *t, uint64_t now_us)
{
	int c;

	for (c = 0; c < FT__COUNT; c++) {
		uint64_t to = (uint64_t)t->cfg.timeout_s[c] * 1000000u;
		struct flow *f;

		while ((f = t->lists[c].head) != NULL && f->rec.last_us + to <= now_us) {
			t->st.expired++;
			flow_end(t, f, FE_TIMEOUT);
		}
	}
}

void
flow_table_foreach(struct flow_table *t, void (*fn)(void *arg, struct flow *f), void *arg)
{
	int c;

	for (c = 0; c < FT__COUNT; c++)
		for (struct flow *f = t->lists[c].head; f; f = f->next)
			fn(arg, f);
}

const struct flow_table_stats *
flow_table_stats(const struct flow_table *t)
{
	return &t->st;
}

enum flow_state
flow_state(const struct flow_rec *f)
{
	if (f->key.proto == 6) {
		if (f->rst || (f->fin[0] && f->fin[1]))
			return FS_CLOSED;
		if (f->pkts[0] && f->pkts[1])
			return FS_ESTABLISHED;
		return FS_NEW;
	}
	return (f->pkts[0] && f->pkts[1]) ? FS_ESTABLISHED : FS_NEW;
}

const char *
flow_state_name(enum flow_state s)
{
	switch (s) {
	case FS_ESTABLISHED:
		return "established";
	case FS_CLOSED:
		return "closed";
	default:
		return "new";
	}
}

const char *
flow_end_name(enum flow_end e)
{
	switch (e) {
	case FE_ACTIVE:
		return "active_timeout";
	case FE_EVICTED:
		return "evicted";
	case FE_SHUTDOWN:
		return "shutdown";
	default:
		return "timeout";
	}
}

const uint8_t *
flow_src_addr(const struct flow_rec *f)
{
	return f->init_is_b ? f->key.b : f->key.a;
}

const uint8_t *
flow_dst_addr(const struct flow_rec *f)
{
	return f->init_is_b ? f->key.a : f->key.b;
}

uint16_t
flow_src_port(const struct flow_rec *f)
{
	return f->init_is_b ? f->key.pb : f->key.pa;
}

uint16_t
flow_dst_port(const struct flow_rec *f)
{
	return f->init_is_b ? f->key.pa : f->key.pb;
}
