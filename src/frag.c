/*
 * frag.c - direct-mapped table from a datagram's identity to its flow key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "log.h"

struct frag_slot {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t proto, used;
	uint8_t sender_is_b;
	uint64_t when_us;
	struct flow_key key;
};

struct frag_table {
	uint64_t seed;
	struct frag_slot slots[FRAG_SLOTS];
};

struct frag_table *
frag_table_new(uint64_t seed)
{
	struct frag_table *ft = xcalloc(1, sizeof(*ft));

	ft->seed = seed;
	return ft;
}

void
frag_table_free(struct frag_table *ft)
{
	free(ft);
}

static uint32_t
frag_index(const struct frag_table *ft, const struct decoded *d)
{
	uint64_t h = ft->seed ^ ((uint64_t)d->frag_id << 8 | d->proto);
	size_t i;

	for (i = 0; i < 16; i += 4) {
		uint32_t s, t;

		memcpy(&s, d->src + i, 4);
		memcpy(&t, d->dst + i, 4);
		h = (h ^ s ^ ((uint64_t)t << 32)) * 0xff51afd7ed558ccdull;
		h ^= h >> 31;
	}
	return (uint32_t)(h % FRAG_SLOTS);
}

void
frag_remember(struct frag_table *ft, const struct decoded *d, const struct flow_key *k, bool sender_is_b,
	      uint64_t now_us)
{
	struct frag_slot *s = &ft->slots[frag_index(ft, d)];

	memcpy(s->src, d->src, 16);
	memcpy(s->dst, d->dst, 16);
	s->id = d->frag_id;
	s->proto = d->proto;
	s->used = 1;
	s->sender_is_b = sender_is_b;
	s->when_us = now_us;
	s->key = *k;
}

bool
frag_lookup(const struct frag_table *ft, const struct decoded *d, struct flow_key *k, bool *sender_is_b,
	    uint64_t now_us)
{
	const struct frag_slot *s = &ft->slots[frag_index(ft, d)];

	if (!s->used || s->id != d->frag_id || s->proto != d->proto || memcmp(s->src, d->src, 16) ||
	    memcmp(s->dst, d->dst, 16) || now_us > s->when_us + FRAG_LIFETIME_US)
		return false;
	*k = s->key;
	*sender_is_b = s->sender_is_b;
	return true;
}
