/*
 * sketch.h - distinct counts that cost little while small: the peers and ports of a host's bucket.
 *
 * A sketch holds the 32-bit hashes of what was added (nDPI's HyperLogLog hash: MurmurHash3 x86_32 with
 * its seed) while there are at most SKETCH_EXACT_MAX of them, and is then folded into SKETCH_REGS
 * HyperLogLog registers, exactly those nDPI's ndpi_hll_add would have filled with the same values.  So a
 * small count is exact (up to 32-bit hash collisions), a large one is nDPI's estimate, and any two sketches
 * merge, whatever their form, into the sketch of the union: the hashes held are enough to make the
 * registers.  Holding the hashes sorted makes a sketch's form and its encoding a function of its set.
 */
#ifndef DCDN_SKETCH_H
#define DCDN_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SKETCH_BITS	6	/* 64 registers: about 13% error, enough to tell 5 peers from 50 */
#define SKETCH_REGS	(1u << SKETCH_BITS)
/*
 * Hashes held before the registers take over: every default threshold on distinct peers, ports or
 * destinations (10, 15 and 20) is judged on an exact count, and a sketch never takes more than twice the
 * registers' 64 bytes.
 */
#define SKETCH_EXACT_MAX	32
#define SKETCH_INLINE	2	/* hashes held in the sketch itself, without an allocation */
#define SKETCH_DENSE	0xff	/* n of a sketch that holds registers */
/* The largest encoding: a count byte and the hashes, or a tag byte and the registers. */
#define SKETCH_ENCODED_MAX	(1 + 4 * SKETCH_EXACT_MAX)

struct sketch {
	union {
		uint32_t in[SKETCH_INLINE];	/* cap 0: the n hashes, ascending */
		uint32_t *set;			/* cap > 0: the n hashes, ascending, room for cap (owned) */
		uint8_t *regs;			/* n SKETCH_DENSE: SKETCH_REGS registers (owned) */
	} u;
	uint8_t n;		/* hashes held, or SKETCH_DENSE */
	uint8_t cap;		/* room allocated for hashes; 0 while they are held inline */
};

/* An empty sketch is all zero bytes: memset or {0} makes one. */
void sketch_clear(struct sketch *s);		/* frees, and leaves an empty sketch */
void sketch_copy(struct sketch *dst, const struct sketch *src);	/* dst is overwritten, not freed */

/* The hash of a value as nDPI's HyperLogLog computes it (ndpi_hll_add on the same bytes). */
uint32_t sketch_hash(const void *buf, size_t len);
void sketch_add_hash(struct sketch *s, uint32_t hash);
/* An address (4 bytes for IPv4, 16 for IPv6) or a port, hashed as ndpi_hll_add(_number) would. */
void sketch_add_peer(struct sketch *s, const uint8_t *addr, int ipver);
void sketch_add_port(struct sketch *s, uint16_t port);
/* dst becomes the sketch of the union: registers if either is, or if the union holds too many hashes. */
void sketch_merge(struct sketch *dst, const struct sketch *src);

/* Distinct values: exact while the hashes are held, else nDPI's estimate of the registers. */
double sketch_count(const struct sketch *s);
/* nDPI's estimate (ndpi_hll_count) of the registers the sketch's values fill, whatever its form. */
double sketch_estimate(const struct sketch *s);
/* The registers the sketch's values fill (for a sketch of hashes, those it would have). */
void sketch_registers(const struct sketch *s, uint8_t regs[SKETCH_REGS]);
static inline bool
sketch_is_dense(const struct sketch *s)
{
	return s->n == SKETCH_DENSE;
}

/* Bytes the sketch takes besides its own struct (what it allocated). */
size_t sketch_heap_bytes(const struct sketch *s);

/*
 * Encoding, to carry a sketch to another process: one byte n (0..SKETCH_EXACT_MAX) then n hashes, 4 bytes
 * each, big-endian and ascending; or the byte 0xff then SKETCH_REGS register bytes.  sketch_encode returns
 * the bytes written, 0 if len is too short.  sketch_decode fills an empty or cleared sketch and returns 0,
 * or -1 for anything another sketch_encode could not have written (left empty then).
 */
size_t sketch_encode(const struct sketch *s, uint8_t *buf, size_t len);
int sketch_decode(struct sketch *s, const uint8_t *buf, size_t len);
/* The length of the encoding that starts with byte first (0 if none does), to find where it ends. */
size_t sketch_encoded_len(uint8_t first);

#endif
