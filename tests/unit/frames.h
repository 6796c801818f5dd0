/*
 * frames.h - builders for hand-made test frames.  Each appends one header to a buffer; lengths that
 * depend on what follows are patched by frame_fix_* once the frame is complete.
 */
#ifndef DCDN_FRAMES_H
#define DCDN_FRAMES_H

#include <stdint.h>
#include <string.h>

struct frame {
	uint8_t b[2048];
	uint32_t n;
};

static inline void
put8(struct frame *f, uint8_t v)
{
	f->b[f->n++] = v;
}

static inline void
put16(struct frame *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static inline void
put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static inline void
putn(struct frame *f, const void *p, uint32_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static inline void
zeros(struct frame *f, uint32_t n)
{
	memset(f->b + f->n, 0, n);
	f->n += n;
}

/* Ethernet II: dst, src MACs and the type. */
static inline void
eth(struct frame *f, uint16_t type)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	putn(f, mac, 12);
	put16(f, type);
}

/* A VLAN tag: TPID already written as the previous type; this is TCI + inner type. */
static inline void
vlan(struct frame *f, uint16_t id, uint16_t inner_type)
{
	put16(f, id);
	put16(f, inner_type);
}

/* IPv4 header with total length tot, header length ihl words (options zero-filled). Returns its offset. */
static inline uint32_t
ipv4(struct frame *f, uint8_t proto, uint32_t src, uint32_t dst, uint16_t tot, uint8_t ihl, uint16_t frag)
{
	uint32_t at = f->n;

	put8(f, (uint8_t)(0x40 | ihl));
	put8(f, 0);
	put16(f, tot);
	put16(f, 0x1234);	/* id */
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, src);
	put32(f, dst);
	zeros(f, (uint32_t)(ihl - 5) * 4);
	return at;
}

static inline uint32_t
ipv6(struct frame *f, uint8_t nh, uint8_t srclast, uint8_t dstlast, uint16_t plen)
{
	uint32_t at = f->n;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	put32(f, 0x60000000);
	put16(f, plen);
	put8(f, nh);
	put8(f, 64);
	a[15] = srclast;
	putn(f, a, 16);
	a[15] = dstlast;
	putn(f, a, 16);
	return at;
}

static inline void
tcp(struct frame *f, uint16_t sp, uint16_t dp, uint8_t flags, uint8_t doff)
{
	put16(f, sp);
	put16(f, dp);
	put32(f, 1000);
	put32(f, 0);
	put8(f, (uint8_t)(doff << 4));
	put8(f, flags);
	put16(f, 65535);
	put16(f, 0);
	put16(f, 0);
	zeros(f, (uint32_t)(doff > 5 ? doff - 5 : 0) * 4);
}

static inline void
udp(struct frame *f, uint16_t sp, uint16_t dp, uint16_t len)
{
	put16(f, sp);
	put16(f, dp);
	put16(f, len);
	put16(f, 0);
}

/* Patch the IPv4 total length at offset at to run to the end of the frame. */
static inline void
fix_ipv4_len(struct frame *f, uint32_t at)
{
	uint16_t tot = (uint16_t)(f->n - at);

	f->b[at + 2] = (uint8_t)(tot >> 8);
	f->b[at + 3] = (uint8_t)tot;
}

static inline void
fix_ipv6_len(struct frame *f, uint32_t at)
{
	uint16_t plen = (uint16_t)(f->n - at - 40);

	f->b[at + 4] = (uint8_t)(plen >> 8);
	f->b[at + 5] = (uint8_t)plen;
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#endif
