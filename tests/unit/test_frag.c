/*
 * test_frag.c - the fragment table on hand-built frames: a later fragment finds its first fragment's flow,
 * and only in the same VLAN or VXLAN segment, within the lifetime.
 */
#include "config.h"

#include <pcap/pcap.h>

#include "check.h"
#include "decode.h"
#include "flow.h"
#include "frag.h"
#include "frames.h"

static const struct decode_cfg cfg = { 4789, 6081 };
static const uint64_t t0 = 1708979590000000ull;

/*
 * A fragment of datagram 0x1234 from 10.0.0.1 to 10.0.0.2 (UDP 5000 -> 53), on VLAN vid (0: untagged) or
 * inside VXLAN VNI vni (0: not tunnelled).  first: offset 0 with the UDP header, else offset 1480.
 */
static void
fragment(struct decoded *d, struct frame *f, uint16_t vid, uint32_t vni, int first)
{
	uint32_t oip = 0, ip;

	f->n = 0;
	if (vni) {
		eth(f, 0x0800);
		oip = ipv4(f, 17, IP4(172, 31, 0, 10), IP4(172, 31, 0, 20), 0, 5, 0);
		udp(f, 51000, 4789, 0);
		put32(f, 0x08000000);
		put32(f, vni << 8);
	}
	if (vid) {
		eth(f, 0x8100);
		vlan(f, vid, 0x0800);
	} else {
		eth(f, 0x0800);
	}
	ip = ipv4(f, 17, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 0, 5, first ? 0x2000 : 185);
	if (first)
		udp(f, 5000, 53, 1600);
	zeros(f, 64);
	fix_ipv4_len(f, ip);
	if (vni)
		fix_ipv4_len(f, oip);
	CHECK_EQ(decode_packet(&cfg, DLT_EN10MB, f->b, f->n, f->n, d), DEC_OK);
	CHECK_EQ(d->frag, first ? FRAG_FIRST : FRAG_LATER);
}

/* Remember the first fragment on (vid, vni); return its flow key. */
static struct flow_key
remember(struct frag_table *ft, uint16_t vid, uint32_t vni, uint64_t now)
{
	struct frame f;
	struct decoded d;
	struct flow_key k;
	bool b;

	fragment(&d, &f, vid, vni, 1);
	flow_key_from_packet(&d, &k, &b);
	frag_remember(ft, &d, &k, b, now);
	return k;
}

/* Look up a later fragment on (vid, vni): true with its key in *k when found. */
static bool
lookup(struct frag_table *ft, uint16_t vid, uint32_t vni, uint64_t now, struct flow_key *k)
{
	struct frame f;
	struct decoded d;
	bool b;

	fragment(&d, &f, vid, vni, 0);
	return frag_lookup(ft, &d, k, &b, now);
}

static void
test_same_segment(void)
{
	struct frag_table *ft = frag_table_new(42);
	struct flow_key want = remember(ft, 0, 0, t0), k;

	CHECK(lookup(ft, 0, 0, t0 + 1000, &k));
	CHECK(memcmp(&k, &want, sizeof(k)) == 0);
	CHECK_EQ(k.pa, 5000);	/* 10.0.0.1, the lower address, is key.a */
	CHECK_EQ(k.pb, 53);
	/* Past the lifetime the datagram is forgotten. */
	CHECK(!lookup(ft, 0, 0, t0 + FRAG_LIFETIME_US + 1, &k));
	frag_table_free(ft);
}

/* The same datagram identity on two VLANs is two datagrams, each of its own flow. */
static void
test_vlans(void)
{
	struct frag_table *ft = frag_table_new(42);
	struct flow_key k10 = remember(ft, 10, 0, t0), k20 = remember(ft, 20, 0, t0 + 10), k;

	CHECK(lookup(ft, 10, 0, t0 + 100, &k));
	CHECK_EQ(k.vlan[0], 10);
	CHECK(memcmp(&k, &k10, sizeof(k)) == 0);
	CHECK(lookup(ft, 20, 0, t0 + 100, &k));
	CHECK_EQ(k.vlan[0], 20);
	CHECK(memcmp(&k, &k20, sizeof(k)) == 0);
	/* A later fragment on a VLAN whose first fragment was never seen belongs to no flow. */
	CHECK(!lookup(ft, 30, 0, t0 + 100, &k));
	CHECK(!lookup(ft, 0, 0, t0 + 100, &k));
	frag_table_free(ft);
}

/* The same for two VXLAN segments of one mirror session. */
static void
test_vnis(void)
{
	struct frag_table *ft = frag_table_new(7);
	struct flow_key k100 = remember(ft, 0, 100, t0), k200 = remember(ft, 0, 200, t0 + 10), k;

	CHECK(lookup(ft, 0, 100, t0 + 100, &k));
	CHECK_EQ(k.vni & 0xffffff, 100);
	CHECK(memcmp(&k, &k100, sizeof(k)) == 0);
	CHECK(lookup(ft, 0, 200, t0 + 100, &k));
	CHECK_EQ(k.vni & 0xffffff, 200);
	CHECK(memcmp(&k, &k200, sizeof(k)) == 0);
	CHECK(!lookup(ft, 0, 300, t0 + 100, &k));
	CHECK(!lookup(ft, 0, 0, t0 + 100, &k));
	frag_table_free(ft);
}

int
main(void)
{
	test_same_segment();
	test_vlans();
	test_vnis();
	return check_done("test_frag");
}
