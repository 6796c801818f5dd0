/*
 * sketch.c - exact small distinct counts that turn into nDPI HyperLogLog registers when they grow.
 *
 * Why hashes and not (register, rank) pairs: a hash is what both forms need.  Kept whole, it gives an exact
 * count of a small set and, when the set grows, the register and rank nDPI would have given it; a pair
 * gives only the latter, so a small count would stay an estimate.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <ndpi/ndpi_api.h>

#include "log.h"
#include "sketch.h"

#define HLL_SEED	0x5f61767au	/* the seed of nDPI's hll_add */
#define RANK_BITS	(32 - SKETCH_BITS)

static inline uint32_t
rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* MurmurHash3 x86_32 (Austin Appleby's public-domain design), blocks read little-endian as nDPI does on x86. */
uint32_t
sketch_hash(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t h = HLL_SEED, k;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4, p += 4) {
		k = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		k *= 0xcc9e2d51u;
		k = rotl32(k, 15);
		k *= 0x1b873593u;
		h ^= k;
		h = rotl32(h, 13);
		h = h * 5 + 0xe6546b64u;
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= (uint32_t)p[2] << 16;
		/* FALLTHROUGH */
	case 2:
		k ^= (uint32_t)p[1] << 8;
		/* FALLTHROUGH */
	case 1:
		k ^= p[0];
		k *= 0xcc9e2d51u;
		k = rotl32(k, 15);
		k *= 0x1b873593u;
		h ^= k;
		break;
	default:
		break;
	}
	h ^= (uint32_t)len;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The register a hash lands in takes its rank: the top bits pick it, the low bits' trailing zeros rank. */
static inline void
fold(uint8_t *regs, uint32_t hash)
{
	uint32_t idx = hash >> RANK_BITS, low = hash & ((1u << RANK_BITS) - 1);
	uint8_t rank = (uint8_t)(low ? __builtin_ctz(low) + 1 : RANK_BITS + 1);

	if (rank > regs[idx])
		regs[idx] = rank;
}

static inline uint32_t *
hashes(struct sketch *s)
{
	return s->cap ? s->u.set : s->u.in;
}

static inline const uint32_t *
hashes_c(const struct sketch *s)
{
	return s->cap ? s->u.set : s->u.in;
}

void
sketch_clear(struct sketch *s)
{
	if (s->n == SKETCH_DENSE)
		free(s->u.regs);
	else if (s->cap)
		free(s->u.set);
	memset(s, 0, sizeof(*s));
}

/* Room for n hashes: inline, or the smallest power of two from 4 that holds them. */
static uint8_t
cap_for(uint32_t n)
{
	uint32_t c = 4;

	if (n <= SKETCH_INLINE)
		return 0;
	while (c < n)
		c *= 2;
	return (uint8_t)c;
}

/* Make room for n hashes in a sketch of hashes, keeping those it holds. */
static void
reserve(struct sketch *s, uint32_t n)
{
	uint8_t cap = cap_for(n);

	if (n <= (s->cap ? s->cap : SKETCH_INLINE))
		return;
	if (s->cap == 0) {
		uint32_t *set = xmalloc(sizeof(*set) * cap);

		memcpy(set, s->u.in, sizeof(*set) * s->n);
		s->u.set = set;
	} else {
		s->u.set = xrealloc(s->u.set, sizeof(*s->u.set) * cap);
	}
	s->cap = cap;
}

/* From hashes to registers. */
static void
densify(struct sketch *s)
{
	uint8_t *regs = xcalloc(SKETCH_REGS, 1);
	const uint32_t *v = hashes_c(s);
	uint32_t i;

	for (i = 0; i < s->n; i++)
		fold(regs, v[i]);
	if (s->cap)
		free(s->u.set);
	s->u.regs = regs;
	s->n = SKETCH_DENSE;
	s->cap = 0;
}

void
sketch_copy(struct sketch *dst, const struct sketch *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->n == SKETCH_DENSE) {
		dst->u.regs = xmalloc(SKETCH_REGS);
		memcpy(dst->u.regs, src->u.regs, SKETCH_REGS);
		dst->n = SKETCH_DENSE;
		return;
	}
	reserve(dst, src->n);
	memcpy(hashes(dst), hashes_c(src), sizeof(uint32_t) * src->n);
	dst->n = src->n;
}

/* Index of the first hash not below h. */
static uint32_t
lower_bound(const uint32_t *v, uint32_t n, uint32_t h)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (v[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
sketch_add_hash(struct sketch *s, uint32_t hash)
{
	uint32_t *v, pos;

	if (s->n == SKETCH_DENSE) {
		fold(s->u.regs, hash);
		return;
	}
	v = hashes(s);
	pos = lower_bound(v, s->n, hash);
	if (pos < s->n && v[pos] == hash)
		return;
	if (s->n == SKETCH_EXACT_MAX) {
		densify(s);
		fold(s->u.regs, hash);
		return;
	}
	reserve(s, s->n + 1u);
	v = hashes(s);
	memmove(v + pos + 1, v + pos, sizeof(*v) * (s->n - pos));
	v[pos] = hash;
	s->n++;
}

void
sketch_add_peer(struct sketch *s, const uint8_t *addr, int ipver)
{
	sketch_add_hash(s, sketch_hash(addr, ipver == 4 ? 4 : 16));
}

void
sketch_add_port(struct sketch *s, uint16_t port)
{
	/* ndpi_hll_add_number hashes the 32-bit number as it lies in memory: little-endian here. */
	uint8_t b[4] = { (uint8_t)port, (uint8_t)(port >> 8), 0, 0 };

	sketch_add_hash(s, sketch_hash(b, sizeof(b)));
}

void
sketch_merge(struct sketch *dst, const struct sketch *src)
{
	uint32_t tmp[2 * SKETCH_EXACT_MAX], i = 0, j = 0, m = 0;
	const uint32_t *a, *b;

	if (src->n == 0 || src == dst)
		return;
	if (src->n == SKETCH_DENSE || dst->n == SKETCH_DENSE) {
		if (dst->n != SKETCH_DENSE)
			densify(dst);
		if (src->n == SKETCH_DENSE) {
			for (i = 0; i < SKETCH_REGS; i++)
				if (src->u.regs[i] > dst->u.regs[i])
					dst->u.regs[i] = src->u.regs[i];
		} else {
			b = hashes_c(src);
			for (i = 0; i < src->n; i++)
				fold(dst->u.regs, b[i]);
		}
		return;
	}
	/* Both hold hashes: the sorted union, then registers if it is too large. */
	a = hashes_c(dst);
	b = hashes_c(src);
	while (i < dst->n || j < src->n) {
		if (j >= src->n || (i < dst->n && a[i] < b[j]))
			tmp[m++] = a[i++];
		else if (i >= dst->n || b[j] < a[i])
			tmp[m++] = b[j++];
		else {
			tmp[m++] = a[i++];
			j++;
		}
	}
	if (m > SKETCH_EXACT_MAX) {
		densify(dst);
		for (j = 0; j < src->n; j++)
			fold(dst->u.regs, b[j]);
		return;
	}
	reserve(dst, m);
	memcpy(hashes(dst), tmp, sizeof(*tmp) * m);
	dst->n = (uint8_t)m;
}

void
sketch_registers(const struct sketch *s, uint8_t regs[SKETCH_REGS])
{
	const uint32_t *v;
	uint32_t i;

	if (s->n == SKETCH_DENSE) {
		memcpy(regs, s->u.regs, SKETCH_REGS);
		return;
	}
	memset(regs, 0, SKETCH_REGS);
	v = hashes_c(s);
	for (i = 0; i < s->n; i++)
		fold(regs, v[i]);
}

double
sketch_estimate(const struct sketch *s)
{
	uint8_t regs[SKETCH_REGS];
	struct ndpi_hll h = { SKETCH_BITS, SKETCH_REGS, regs };

	if (s->n == 0)
		return 0;
	sketch_registers(s, regs);
	return ndpi_hll_count(&h);
}

double
sketch_count(const struct sketch *s)
{
	if (s->n != SKETCH_DENSE)
		return s->n;
	return sketch_estimate(s);
}

size_t
sketch_heap_bytes(const struct sketch *s)
{
	if (s->n == SKETCH_DENSE)
		return SKETCH_REGS;
	return (size_t)s->cap * sizeof(uint32_t);
}

size_t
sketch_encode(const struct sketch *s, uint8_t *buf, size_t len)
{
	const uint32_t *v;
	uint32_t i;

	if (s->n == SKETCH_DENSE) {
		if (len < 1 + SKETCH_REGS)
			return 0;
		buf[0] = SKETCH_DENSE;
		memcpy(buf + 1, s->u.regs, SKETCH_REGS);
		return 1 + SKETCH_REGS;
	}
	if (len < 1 + 4 * (size_t)s->n)
		return 0;
	buf[0] = s->n;
	v = hashes_c(s);
	for (i = 0; i < s->n; i++) {
		buf[1 + 4 * i] = (uint8_t)(v[i] >> 24);
		buf[2 + 4 * i] = (uint8_t)(v[i] >> 16);
		buf[3 + 4 * i] = (uint8_t)(v[i] >> 8);
		buf[4 + 4 * i] = (uint8_t)v[i];
	}
	return 1 + 4 * (size_t)s->n;
}

size_t
sketch_encoded_len(uint8_t first)
{
	if (first == SKETCH_DENSE)
		return 1 + SKETCH_REGS;
	if (first > SKETCH_EXACT_MAX)
		return 0;
	return 1 + 4 * (size_t)first;
}

int
sketch_decode(struct sketch *s, const uint8_t *buf, size_t len)
{
	uint32_t i, n, prev = 0;

	memset(s, 0, sizeof(*s));
	if (len < 1)
		return -1;
	if (buf[0] == SKETCH_DENSE) {
		if (len != 1 + SKETCH_REGS)
			return -1;
		for (i = 0; i < SKETCH_REGS; i++)
			if (buf[1 + i] > RANK_BITS + 1)
				return -1;
		s->u.regs = xmalloc(SKETCH_REGS);
		memcpy(s->u.regs, buf + 1, SKETCH_REGS);
		s->n = SKETCH_DENSE;
		return 0;
	}
	n = buf[0];
	if (n > SKETCH_EXACT_MAX || len != 1 + 4 * (size_t)n)
		return -1;
	for (i = 0; i < n; i++) {
		uint32_t h = (uint32_t)buf[1 + 4 * i] << 24 | (uint32_t)buf[2 + 4 * i] << 16 |
		    (uint32_t)buf[3 + 4 * i] << 8 | buf[4 + 4 * i];

		/* Strictly ascending: a hash twice, or out of order, is no sketch's encoding. */
		if (i > 0 && h <= prev)
			return -1;
		prev = h;
	}
	reserve(s, n);
	for (i = 0; i < n; i++)
		hashes(s)[i] = (uint32_t)buf[1 + 4 * i] << 24 | (uint32_t)buf[2 + 4 * i] << 16 |
		    (uint32_t)buf[3 + 4 * i] << 8 | buf[4 + 4 * i];
	s->n = (uint8_t)n;
	return 0;
}
