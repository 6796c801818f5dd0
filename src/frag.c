/*
 * frag.c - a table from a datagram's identity to its flow key: each datagram may sit in any of FRAG_WAYS
 * slots after its hashed one, and a new datagram takes a free slot there or the oldest one's.
 *
 * Direct-mapped, a datagram lost its entry to any other that hashed to its slot before its later fragments
 * came: with two datagrams' fragments interleaved (first, first, later, later), about one pair in 4096,
 * and, as the hash is seeded per process, not the same pair from run to run.  Evicting the oldest of a few
 * slots keeps a datagram whose fragments are still coming unless FRAG_WAYS newer ones land on it first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frag.h"
#include "log.h"

#define FRAG_WAYS	4

/*
 * A datagram is known by its addresses, identification and protocol (RFC 791) within its segment: the
 * VLANs and VNI that are part of its flow's key, so two VLANs or VPCs that use the same addresses (and happen
 * to draw the same identification) do not mix their fragments.
 */
struct frag_slot {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint32_t vni;			/* as in the flow key: VNI | tunnel type << 24 */
	uint16_t vlan[DECODE_MAX_VLAN];
	uint8_t proto, used;
	uint8_t sender_is_b;
	uint64_t when_us;
	uint64_t order;		/* when it was remembered, in datagrams: the smallest goes first */
	struct flow_key key;
};

struct frag_table {
	uint64_t seed;
	uint64_t remembered;
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

/* The segment of a fragment, exactly as its flow key has it. */
static void
segment_of(const struct decoded *d, struct flow_key *seg)
{
	bool sender_is_b;

	flow_key_from_packet(d, seg, &sender_is_b);
}

static uint32_t
frag_index(const struct frag_table *ft, const struct decoded *d, const struct flow_key *seg)
{
	uint64_t h = ft->seed ^ ((uint64_t)d->frag_id << 8 | d->proto) ^ (uint64_t)seg->vni << 40;
	size_t i;

	for (i = 0; i < DECODE_MAX_VLAN; i++)
		h = (h ^ (uint64_t)seg->vlan[i] << (16 * i)) * 0xff51afd7ed558ccdull;
	for (i = 0; i < 16; i += 4) {
		uint32_t s, t;

		memcpy(&s, d->src + i, 4);
		memcpy(&t, d->dst + i, 4);
		h = (h ^ s ^ ((uint64_t)t << 32)) * 0xff51afd7ed558ccdull;
		h ^= h >> 31;
	}
	return (uint32_t)(h % FRAG_SLOTS);
}

static bool
same_datagram(const struct frag_slot *s, const struct decoded *d, const struct flow_key *seg)
{
	return s->used && s->id == d->frag_id && s->proto == d->proto && s->vni == seg->vni &&
	    memcmp(s->vlan, seg->vlan, sizeof(s->vlan)) == 0 && memcmp(s->src, d->src, 16) == 0 &&
	    memcmp(s->dst, d->dst, 16) == 0;
}

void
frag_remember(struct frag_table *ft, const struct decoded *d, const struct flow_key *k, bool sender_is_b,
	      uint64_t now_us)
{
	struct flow_key seg;
	uint32_t at, i;
	struct frag_slot *s = NULL;

	segment_of(d, &seg);
	at = frag_index(ft, d, &seg);
	/* The same datagram's slot (a repeated first fragment), else a free one, else the oldest. */
	for (i = 0; i < FRAG_WAYS; i++) {
		struct frag_slot *c = &ft->slots[(at + i) % FRAG_SLOTS];

		if (same_datagram(c, d, &seg)) {
			s = c;
			break;
		}
		if (s == NULL || (s->used && (!c->used || c->order < s->order)))
			s = c;
	}
	memcpy(s->src, d->src, 16);
	memcpy(s->dst, d->dst, 16);
	s->id = d->frag_id;
	s->vni = seg.vni;
	memcpy(s->vlan, seg.vlan, sizeof(s->vlan));
	s->proto = d->proto;
	s->used = 1;
	s->sender_is_b = sender_is_b;
	s->when_us = now_us;
	s->order = ++ft->remembered;
	s->key = *k;
}

bool
frag_lookup(const struct frag_table *ft, const struct decoded *d, struct flow_key *k, bool *sender_is_b,
	    uint64_t now_us)
{
	struct flow_key seg;
	uint32_t at, i;

	segment_of(d, &seg);
	at = frag_index(ft, d, &seg);
	for (i = 0; i < FRAG_WAYS; i++) {
		const struct frag_slot *s = &ft->slots[(at + i) % FRAG_SLOTS];

		if (same_datagram(s, d, &seg)) {
			if (now_us > s->when_us + FRAG_LIFETIME_US)
				return false;
			*k = s->key;
			*sender_is_b = s->sender_is_b;
			return true;
		}
	}
	return false;
}
