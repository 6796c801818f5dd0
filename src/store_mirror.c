/*
 * store_mirror.c - the Redis store's local mirror and its write queue (store_mirror.h).
 *
 * Sets keep their members in arrival order with an open-addressing index on the name; hosts are chained in
 * a power-of-two hash table.  Both are bounded (RS_SETS, RS_MEMBERS, RS_HOSTS) and nothing is ever removed,
 * so a queued write can name its set and member by index.  The queue is a ring of at most q.max writes.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netset.h"
#include "store_mirror.h"

/* ---- small helpers ---- */

static uint32_t
fnv1a(const void *p, size_t n, uint32_t h)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* "ADDR|ZONE", the host's name in the index and in its key's hash tag. */
size_t
mirror_host_member(const struct host_record *r, char *buf, size_t len)
{
	char ab[64];

	return (size_t)snprintf(buf, len, "%s|%" PRIu32, addr_format(r->ipver, r->addr, ab, sizeof(ab)), r->zone);
}

/* ---- the mirror: sets ---- */

struct rset *
mirror_set_find(struct mirror *mir, const char *name, bool create)
{
	char tn[STORE_NAME_MAX];
	int i;

	/* Names are kept to STORE_NAME_MAX - 1 bytes, in Redis too, so both always agree on them. */
	snprintf(tn, sizeof(tn), "%s", name);
	for (i = 0; i < mir->nsets; i++)
		if (strcmp(mir->sets[i].name, tn) == 0)
			return &mir->sets[i];
	if (!create || mir->nsets >= RS_SETS)
		return NULL;
	snprintf(mir->sets[mir->nsets].name, sizeof(mir->sets[0].name), "%s", tn);
	return &mir->sets[mir->nsets++];
}

int64_t
mirror_member_find(const struct rset *st, const char *name)
{
	uint32_t mask = st->idxcap - 1, i;

	if (st->idxcap == 0)
		return -1;
	for (i = fnv1a(name, strlen(name), 2166136261u) & mask; st->idx[i]; i = (i + 1) & mask)
		if (strcmp(st->m[st->idx[i] - 1].name, name) == 0)
			return st->idx[i] - 1;
	return -1;
}

static void
member_index(struct rset *st, uint32_t k)
{
	uint32_t mask = st->idxcap - 1, i;

	for (i = fnv1a(st->m[k].name, strlen(st->m[k].name), 2166136261u) & mask; st->idx[i]; i = (i + 1) & mask)
		;
	st->idx[i] = k + 1;
}

static uint32_t
member_add(struct rset *st, const char *name, uint64_t ts_us)
{
	uint32_t k;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 16;
		st->m = xrealloc(st->m, sizeof(*st->m) * st->cap);
	}
	if (2 * (st->n + 1) > st->idxcap) {
		free(st->idx);
		st->idxcap = st->idxcap ? st->idxcap * 2 : 32;
		st->idx = xcalloc(st->idxcap, sizeof(*st->idx));
		for (k = 0; k < st->n; k++)
			member_index(st, k);
	}
	k = st->n++;
	snprintf(st->m[k].name, sizeof(st->m[k].name), "%s", name);
	st->m[k].ts_us = ts_us;
	st->m[k].written = false;
	member_index(st, k);
	return k;
}

/* ---- the mirror: hosts ---- */

static uint32_t
host_hash(const struct host_record *r)
{
	uint32_t h = fnv1a(&r->ipver, 1, 2166136261u);

	h = fnv1a(r->addr, r->ipver == 4 ? 4 : 16, h);
	return fnv1a(&r->zone, sizeof(r->zone), h);
}

static bool
host_same(const struct host_record *a, const struct host_record *b)
{
	return a->ipver == b->ipver && a->zone == b->zone && memcmp(a->addr, b->addr, a->ipver == 4 ? 4 : 16) == 0;
}

struct rhost *
mirror_host_find(struct mirror *mir, const struct host_record *r, bool create)
{
	struct rhost *h;
	uint32_t i;

	if (mir->hcap) {
		for (h = mir->htab[host_hash(r) & (mir->hcap - 1)]; h; h = h->hnext)
			if (host_same(&h->r, r))
				return h;
	}
	if (!create || mir->nhosts >= RS_HOSTS)
		return NULL;
	if (mir->nhosts >= mir->hcap) {
		uint32_t ncap = mir->hcap ? mir->hcap * 2 : 1024;
		struct rhost **nt = xcalloc(ncap, sizeof(*nt));

		for (i = 0; i < mir->hcap; i++) {
			struct rhost *next;

			for (h = mir->htab[i]; h; h = next) {
				next = h->hnext;
				h->hnext = nt[host_hash(&h->r) & (ncap - 1)];
				nt[host_hash(&h->r) & (ncap - 1)] = h;
			}
		}
		free(mir->htab);
		mir->htab = nt;
		mir->hcap = ncap;
	}
	h = xcalloc(1, sizeof(*h));
	h->r = *r;
	h->qseq = UINT64_MAX;
	i = host_hash(r) & (mir->hcap - 1);
	h->hnext = mir->htab[i];
	mir->htab[i] = h;
	mir->nhosts++;
	return h;
}

/* ---- the queue ---- */

static struct write *
q_slot(const struct queue *q, uint32_t i)
{
	return &q->w[(q->head + i) % q->cap];
}

static struct write *
q_at(const struct queue *q, uint64_t seq)
{
	if (seq < q->seq0 || seq - q->seq0 >= q->n)
		return NULL;
	return q_slot(q, (uint32_t)(seq - q->seq0));
}

static void
q_pop(struct queue *q)
{
	q->head = (q->head + 1) % q->cap;
	q->n--;
	q->seq0++;
}

/* A new write at the tail (zeroed), dropping the oldest when full; *seq is its sequence number. */
static struct write *
q_push(struct mirror *mir, uint64_t *seq)
{
	struct queue *q = &mir->q;
	struct write *w;

	if (q->n >= q->max) {
		q_pop(q);
		mir->dropped++;
	}
	if (q->n == q->cap) {
		uint32_t ncap = q->cap ? (q->cap > q->max / 2 ? q->max : q->cap * 2) : (q->max < 64 ? q->max : 64);
		struct write *nw = xmalloc(sizeof(*nw) * ncap);
		uint32_t i;

		for (i = 0; i < q->n; i++)
			nw[i] = *q_slot(q, i);
		free(q->w);
		q->w = nw;
		q->cap = ncap;
		q->head = 0;
	}
	w = q_slot(q, q->n);
	memset(w, 0, sizeof(*w));
	*seq = q->seq0 + q->n;
	q->n++;
	return w;
}

bool
mirror_host_pending(const struct mirror *mir, const struct rhost *h)
{
	const struct write *w = q_at(&mir->q, h->qseq);

	return w != NULL && w->kind == W_HOST;
}

const struct write *
mirror_queued(const struct mirror *mir, uint32_t i)
{
	return q_slot(&mir->q, i);
}

void
mirror_acked_upto(struct mirror *mir, uint64_t seq_end, uint32_t gen)
{
	/* Writes dropped from a full queue meanwhile have left already. */
	while (mir->q.n > 0 && mir->q.seq0 < seq_end) {
		const struct write *w = q_slot(&mir->q, 0);

		if (w->kind == W_SET) {
			mir->sets[w->set].m[w->member].written = true;
			mir->sets[w->set].m[w->member].gen = gen;
		}
		q_pop(&mir->q);
	}
}

/* Queue again every set member and host the mirror holds that Redis had, for a Redis that lost them. */
void
mirror_requeue(struct mirror *mir, uint32_t *nm, uint32_t *nh)
{
	uint64_t seq;
	uint32_t i, k;
	int j;

	*nm = *nh = 0;
	for (j = 0; j < mir->nsets; j++) {
		for (k = 0; k < mir->sets[j].n; k++) {
			struct write *w;

			if (!mir->sets[j].m[k].written)
				continue;	/* still queued (or dropped when the queue was full) */
			w = q_push(mir, &seq);
			w->kind = W_SET;
			w->set = (uint16_t)j;
			w->member = k;
			mir->sets[j].m[k].written = false;
			(*nm)++;
		}
	}
	for (i = 0; i < mir->hcap; i++) {
		struct rhost *h;

		for (h = mir->htab[i]; h; h = h->hnext) {
			struct write *w;

			if (mirror_host_pending(mir, h))
				continue;
			w = q_push(mir, &seq);
			w->kind = W_HOST;
			w->r = h->r;
			h->qseq = seq;
			(*nh)++;
		}
	}
}

/* ---- changes: into the mirror, and a write into the queue ---- */

void
mirror_set_add(struct mirror *mir, const char *set, const char *member, uint64_t ts_us)
{
	struct rset *st = mirror_set_find(mir, set, true);
	char name[STORE_NAME_MAX];
	struct write *w;
	uint64_t seq;

	if (st == NULL) {
		mir->dropped++;
		return;
	}
	snprintf(name, sizeof(name), "%s", member);
	if (mirror_member_find(st, name) >= 0)
		return;		/* the first time stays, here as in Redis (ZADD NX) */
	if (st->n >= RS_MEMBERS) {
		mir->dropped++;
		return;
	}
	w = q_push(mir, &seq);
	w->kind = W_SET;
	w->set = (uint16_t)(st - mir->sets);
	w->member = member_add(st, name, ts_us);
}

void
mirror_host_save(struct mirror *mir, const struct host_record *r)
{
	struct rhost *h = mirror_host_find(mir, r, true);
	struct write *w;
	uint64_t seq;

	if (h != NULL) {
		h->r = *r;
		/* One pending save per host: a newer record replaces the queued one, unless that is on its way. */
		if ((w = q_at(&mir->q, h->qseq)) != NULL && w->kind == W_HOST && h->qseq >= mir->frozen_seq) {
			w->r = *r;
			return;
		}
	}
	w = q_push(mir, &seq);
	w->kind = W_HOST;
	w->r = *r;
	if (h != NULL)
		h->qseq = seq;
}

/* ---- reading the mirror ---- */

/* Member order of the memory store and of a sorted set: time, then name. */
static int
rmember_cmp(const void *x, const void *y)
{
	const struct rmember *a = *(const struct rmember *const *)x, *b = *(const struct rmember *const *)y;

	if (a->ts_us != b->ts_us)
		return a->ts_us < b->ts_us ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Sort, count and copy out a list of members (pointers into the mirror or a scratch array). */
uint32_t
mirror_members_out(const struct rmember **list, uint32_t n, char (*names)[STORE_NAME_MAX], int max, int *nout)
{
	uint32_t i;

	qsort(list, n, sizeof(*list), rmember_cmp);
	for (i = 0; i < n && (int)i < max; i++)
		snprintf(names[(*nout)++], STORE_NAME_MAX, "%s", list[i]->name);
	return n;
}

uint32_t
mirror_members(const struct rset *st, uint64_t since_us, char (*names)[STORE_NAME_MAX], int max, int *n)
{
	const struct rmember **list;
	uint32_t i, k = 0, count;

	if (st == NULL || st->n == 0)
		return 0;
	list = xmalloc(sizeof(*list) * st->n);
	for (i = 0; i < st->n; i++)
		if (st->m[i].ts_us >= since_us)
			list[k++] = &st->m[i];
	count = mirror_members_out(list, k, names, max, n);
	free(list);
	return count;
}

struct hlist {
	const struct rhost *h;
	char member[RS_MEMBER_MAX];
};

static int
hlist_cmp(const void *x, const void *y)
{
	const struct hlist *a = x, *b = y;

	if (a->h->r.last_us != b->h->r.last_us)
		return a->h->r.last_us < b->h->r.last_us ? -1 : 1;
	return strcmp(a->member, b->member);
}

/* Mirror hosts (all, or only those with a save not yet acknowledged), least recently seen first. */
uint32_t
mirror_load(const struct mirror *mir, bool pending_only, void (*cb)(void *arg, const struct host_record *r),
	    void *arg)
{
	struct hlist *l;
	uint32_t i, n = 0;

	if (mir->nhosts == 0)
		return 0;
	l = xmalloc(sizeof(*l) * mir->nhosts);
	for (i = 0; i < mir->hcap; i++) {
		const struct rhost *h;

		for (h = mir->htab[i]; h; h = h->hnext) {
			if (pending_only && !mirror_host_pending(mir, h))
				continue;
			l[n].h = h;
			mirror_host_member(&h->r, l[n].member, sizeof(l[n].member));
			n++;
		}
	}
	qsort(l, n, sizeof(*l), hlist_cmp);
	for (i = 0; i < n; i++)
		cb(arg, &l[i].h->r);
	free(l);
	return n;
}

void
mirror_free(struct mirror *mir)
{
	uint32_t i;
	int j;

	for (j = 0; j < mir->nsets; j++) {
		free(mir->sets[j].m);
		free(mir->sets[j].idx);
	}
	for (i = 0; i < mir->hcap; i++) {
		struct rhost *h, *next;

		for (h = mir->htab[i]; h; h = next) {
			next = h->hnext;
			free(h);
		}
	}
	free(mir->htab);
	free(mir->q.w);
}
