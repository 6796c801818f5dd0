/*
 * test_decode.c - the decoder on hand-built frames, good and bad.
 */
#include "config.h"

#include <pcap/pcap.h>

#include "check.h"
#include "decode.h"
#include "frames.h"

static const struct decode_cfg cfg = { 4789, 6081 };

static enum decode_reason
dec(struct frame *f, int dlt, struct decoded *d)
{
	return decode_packet(&cfg, dlt, f->b, f->n, f->n, d);
}

/* Ethernet / IPv4 / TCP SYN 10.0.0.1:40000 -> 192.0.2.7:443 with 4 bytes of link padding. */
static void
test_eth_ipv4_tcp(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 6, IP4(10, 0, 0, 1), IP4(192, 0, 2, 7), 0, 5, 0);
	tcp(&f, 40000, 443, 0x02, 5);
	fix_ipv4_len(&f, ip);
	zeros(&f, 4);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.ipver, 4);
	CHECK_EQ(d.proto, 6);
	CHECK_EQ(d.sport, 40000);
	CHECK_EQ(d.dport, 443);
	CHECK_EQ(d.tcp_flags, 0x02);
	CHECK_EQ(d.src[0], 10);
	CHECK_EQ(d.dst[3], 7);
	CHECK_EQ(d.l3_len, 40);	/* padding is not IP */
	CHECK_EQ(d.payload_len, 0);
	CHECK_EQ(d.wirelen, f.n);
	CHECK_EQ(d.vlan_depth, 0);
	CHECK_EQ(d.tunnel, TUNNEL_NONE);
}

/* 802.1ad outer tag 100, 802.1Q inner tag 200, then IPv4/UDP. */
static void
test_qinq(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x88a8);
	vlan(&f, 100, 0x8100);
	vlan(&f, 200, 0x0800);
	ip = ipv4(&f, 17, IP4(10, 1, 1, 1), IP4(10, 1, 1, 2), 0, 5, 0);
	udp(&f, 5353, 53, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.vlan_depth, 2);
	CHECK_EQ(d.vlan[0], 100);
	CHECK_EQ(d.vlan[1], 200);
	CHECK_EQ(d.dport, 53);
}

/* Four stacked VLAN tags: past DECODE_MAX_VLAN, dropped and counted. */
static void
test_vlan_too_deep(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;

	eth(&f, 0x8100);
	vlan(&f, 1, 0x8100);
	vlan(&f, 2, 0x8100);
	vlan(&f, 3, 0x8100);
	vlan(&f, 4, 0x0800);
	ipv4(&f, 17, 1, 2, 28, 5, 0);
	udp(&f, 1, 2, 8);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_VLAN_DEPTH);
}

/* MPLS, two labels (bottom of stack on the second), then IPv4/TCP. */
static void
test_mpls(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x8847);
	put32(&f, 16 << 12 | 64);
	put32(&f, 17 << 12 | 0x100 | 64);
	ip = ipv4(&f, 6, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 0, 5, 0);
	tcp(&f, 1234, 80, 0x18, 5);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.dport, 80);
}

/* Nine MPLS labels without bottom of stack: past DECODE_MAX_MPLS. */
static void
test_mpls_too_deep(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	int i;

	eth(&f, 0x8847);
	for (i = 0; i < 9; i++)
		put32(&f, 16 << 12 | 64);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_MPLS_DEPTH);
}

/* IPv4 with 8 bytes of options (IHL 7): the transport header is found after them. */
static void
test_ipv4_options(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 6, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 0, 7, 0);
	tcp(&f, 5555, 22, 0x10, 5);
	put8(&f, 'x');
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.sport, 5555);
	CHECK_EQ(d.dport, 22);
	CHECK_EQ(d.payload_len, 1);
}

/* Malformed IPv4: IHL below 5, total length below the header, version 5, header cut by the snaplen. */
static void
test_ipv4_malformed(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;

	eth(&f, 0x0800);
	ipv4(&f, 6, 1, 2, 40, 5, 0);
	tcp(&f, 1, 2, 0, 5);
	f.b[14] = 0x44;		/* IHL 4 */
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_BAD_IP4_HLEN);
	f.b[14] = 0x45;
	f.b[16] = 0;
	f.b[17] = 10;		/* total length 10 < 20 */
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_BAD_IP4_LEN);
	f.b[14] = 0x55;		/* version 5 */
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_BAD_IP_VERSION);
	f.b[14] = 0x45;
	f.n = 14 + 12;		/* IPv4 header cut after 12 bytes */
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_TRUNC_IP4);
	f.n = 10;		/* Ethernet header cut */
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_TRUNC_L2);
}

/* Transport headers cut or malformed: TCP of 10 bytes, TCP data offset 4, UDP of 6 bytes, ICMP of 1. */
static void
test_l4_malformed(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 6, 1, 2, 0, 5, 0);
	tcp(&f, 1, 2, 0, 5);
	fix_ipv4_len(&f, ip);
	f.n = 14 + 20 + 10;
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_TRUNC_TCP);

	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 6, 1, 2, 0, 5, 0);
	tcp(&f, 1, 2, 0, 4);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_BAD_TCP_HLEN);

	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 17, 1, 2, 0, 5, 0);
	put32(&f, 0x00350035);
	put16(&f, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_TRUNC_UDP);

	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 1, 1, 2, 0, 5, 0);
	put8(&f, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_TRUNC_ICMP);
}

/* A snaplen cut inside TCP options: the ports and flags are there, so it decodes with no payload. */
static void
test_tcp_options_cut(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 6, 1, 2, 0, 5, 0);
	tcp(&f, 1, 443, 0x12, 10);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(decode_packet(&cfg, DLT_EN10MB, f.b, 14 + 20 + 24, f.n, &d), DEC_OK);
	CHECK_EQ(d.dport, 443);
	CHECK_EQ(d.payload_len, 0);
	CHECK_EQ(d.wirelen, f.n);
}

/* IPv4 fragments: the first (MF, offset 0) carries ports; a later one (offset 185) carries none. */
static void
test_ipv4_fragments(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 17, 1, 2, 0, 5, 0x2000);
	udp(&f, 1000, 53, 1500);
	zeros(&f, 100);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.frag, FRAG_FIRST);
	CHECK_EQ(d.dport, 53);
	CHECK_EQ(d.frag_id, 0x1234);

	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 17, 1, 2, 0, 5, 185);
	zeros(&f, 100);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.frag, FRAG_LATER);
	CHECK_EQ(d.sport, 0);
	CHECK_EQ(d.dport, 0);
}

/* IPv6 with hop-by-hop and destination options before TCP. */
static void
test_ipv6_ext(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 0, 1, 2, 0);
	put8(&f, 60); put8(&f, 0); zeros(&f, 6);	/* hop-by-hop, 8 bytes, next: dest opts */
	put8(&f, 6); put8(&f, 1); zeros(&f, 14);	/* dest opts, 16 bytes, next: TCP */
	tcp(&f, 33000, 443, 0x02, 5);
	fix_ipv6_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.ipver, 6);
	CHECK_EQ(d.proto, 6);
	CHECK_EQ(d.dport, 443);
	CHECK_EQ(d.src[15], 1);
	CHECK_EQ(d.dst[0], 0x20);
}

/* An IPv6 extension chain of nine headers is past DECODE_MAX_IP6_EXT; one cut short is truncated. */
static void
test_ipv6_ext_bad(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;
	int i;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 60, 1, 2, 0);
	for (i = 0; i < 9; i++) {
		put8(&f, 60);
		put8(&f, 0);
		zeros(&f, 6);
	}
	fix_ipv6_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_IP6_EXT_DEPTH);

	f.n = 0;
	eth(&f, 0x86dd);
	ip = ipv6(&f, 60, 1, 2, 0);
	put8(&f, 6);
	put8(&f, 4);		/* claims 40 bytes */
	zeros(&f, 6);
	fix_ipv6_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_IP6_EXT_TRUNC);

	f.n = 14 + 30;		/* IPv6 header itself cut */
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_TRUNC_IP6);
}

/* IPv6 fragment header: offset 0 with M gives the ports; a non-zero offset gives none. */
static void
test_ipv6_fragments(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 44, 1, 2, 0);
	put8(&f, 17); put8(&f, 0); put16(&f, 0x0001); put32(&f, 0xabcdef01);
	udp(&f, 1000, 443, 1400);
	fix_ipv6_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.frag, FRAG_FIRST);
	CHECK_EQ(d.dport, 443);
	CHECK_EQ(d.frag_id, 0xabcdef01);

	f.n = 0;
	eth(&f, 0x86dd);
	ip = ipv6(&f, 44, 1, 2, 0);
	put8(&f, 17); put8(&f, 0); put16(&f, 0x0100); put32(&f, 0xabcdef01);
	zeros(&f, 64);
	fix_ipv6_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.frag, FRAG_LATER);
	CHECK_EQ(d.proto, 17);
}

/* AWS Traffic Mirroring: outer Ethernet/IPv4/UDP to 4789, VXLAN VNI 7, inner Ethernet/IPv4/TCP. */
static void
test_vxlan(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t oip, iip;

	eth(&f, 0x0800);
	oip = ipv4(&f, 17, IP4(172, 31, 0, 10), IP4(172, 31, 0, 20), 0, 5, 0);
	udp(&f, 51000, 4789, 0);
	put32(&f, 0x08000000);
	put32(&f, 7 << 8);
	eth(&f, 0x0800);
	iip = ipv4(&f, 6, IP4(172, 31, 5, 9), IP4(198, 51, 100, 3), 0, 5, 0);
	tcp(&f, 443, 50123, 0x12, 5);
	fix_ipv4_len(&f, iip);
	fix_ipv4_len(&f, oip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel, TUNNEL_VXLAN);
	CHECK_EQ(d.vni, 7);
	CHECK_EQ(d.src[0], 172);
	CHECK_EQ(d.src[2], 5);
	CHECK_EQ(d.sport, 443);
	CHECK_EQ(d.wirelen, f.n - 50);	/* outer Ethernet+IPv4+UDP+VXLAN = 50 bytes */

	/* Without the I flag it is not VXLAN: an ordinary UDP flow to port 4789. */
	f.b[14 + 20 + 8] = 0;
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel, TUNNEL_NONE);
	CHECK_EQ(d.dport, 4789);
}

/* VXLAN inside VXLAN, four deep: past DECODE_MAX_TUNNEL. */
static void
test_tunnel_too_deep(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	int i;

	for (i = 0; i < 4; i++) {
		eth(&f, 0x0800);
		ipv4(&f, 17, 1, 2, 200, 5, 0);
		udp(&f, 1, 4789, 0);
		put32(&f, 0x08000000);
		put32(&f, 1 << 8);
	}
	eth(&f, 0x0800);
	ipv4(&f, 17, 1, 2, 28, 5, 0);
	udp(&f, 1, 2, 8);
	/* Total lengths are left loose (200): each layer is cut to what was captured. */
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_TUNNEL_DEPTH);
}

/*
 * Ethernet in Ethernet (type 0x6558 outside a tunnel header): each nested frame is a level of
 * encapsulation.  One is followed; a stack of them stops at DECODE_MAX_TUNNEL, however long the frame.
 */
static void
test_eth_in_eth(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;
	int i;

	eth(&f, 0x6558);
	eth(&f, 0x0800);
	ip = ipv4(&f, 17, IP4(10, 1, 1, 1), IP4(10, 1, 1, 2), 0, 5, 0);
	udp(&f, 5353, 53, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel_depth, 1);
	CHECK_EQ(d.wirelen, f.n - 14);
	CHECK_EQ(d.dport, 53);

	f.n = 0;
	for (i = 0; i < DECODE_MAX_TUNNEL; i++)
		eth(&f, 0x6558);
	eth(&f, 0x0800);
	ip = ipv4(&f, 17, IP4(10, 1, 1, 1), IP4(10, 1, 1, 2), 0, 5, 0);
	udp(&f, 5353, 53, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel_depth, DECODE_MAX_TUNNEL);

	f.n = 0;
	for (i = 0; i < 120; i++)
		eth(&f, 0x6558);
	eth(&f, 0x0800);
	ip = ipv4(&f, 17, IP4(10, 1, 1, 1), IP4(10, 1, 1, 2), 0, 5, 0);
	udp(&f, 5353, 53, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_TUNNEL_DEPTH);

	/* Behind a tunnel header, 0x6558 is the tunnel's payload: that level is the tunnel's own. */
	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 47, 1, 2, 0, 5, 0);
	put16(&f, 0);
	put16(&f, 0x6558);
	eth(&f, 0x6558);
	eth(&f, 0x0800);
	ipv4(&f, 17, IP4(10, 1, 1, 1), IP4(10, 1, 1, 2), 28, 5, 0);
	udp(&f, 5353, 53, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel, TUNNEL_GRE);
	CHECK_EQ(d.tunnel_depth, 2);
}

/* GENEVE with 4 bytes of options carrying an Ethernet frame. */
static void
test_geneve(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t oip, iip;

	eth(&f, 0x0800);
	oip = ipv4(&f, 17, 1, 2, 0, 5, 0);
	udp(&f, 1, 6081, 0);
	put8(&f, 1);		/* version 0, 1 word of options */
	put8(&f, 0);
	put16(&f, 0x6558);
	put32(&f, 42 << 8);
	put32(&f, 0);		/* the option */
	eth(&f, 0x0800);
	iip = ipv4(&f, 17, IP4(10, 9, 9, 9), IP4(10, 8, 8, 8), 0, 5, 0);
	udp(&f, 3333, 53, 8);
	fix_ipv4_len(&f, iip);
	fix_ipv4_len(&f, oip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel, TUNNEL_GENEVE);
	CHECK_EQ(d.tunnel_depth, 1);
	CHECK_EQ(d.vni, 42);
	CHECK_EQ(d.sport, 3333);
}

/* GRE with a key carrying IPv4; then a GRE version 1 header, which is not followed. */
static void
test_gre(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t oip, iip;

	eth(&f, 0x0800);
	oip = ipv4(&f, 47, 1, 2, 0, 5, 0);
	put16(&f, 0x2000);
	put16(&f, 0x0800);
	put32(&f, 99);
	iip = ipv4(&f, 6, IP4(10, 0, 0, 5), IP4(10, 0, 0, 6), 0, 5, 0);
	tcp(&f, 2222, 8080, 0x02, 5);
	fix_ipv4_len(&f, iip);
	fix_ipv4_len(&f, oip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel, TUNNEL_GRE);
	CHECK_EQ(d.dport, 8080);

	f.b[14 + 20 + 1] = 1;	/* version 1 */
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel, TUNNEL_NONE);
	CHECK_EQ(d.proto, 47);
}

/* 6in4: IPv4 protocol 41 carrying IPv6/UDP. */
static void
test_6in4(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t oip, iip;

	eth(&f, 0x0800);
	oip = ipv4(&f, 41, 1, 2, 0, 5, 0);
	iip = ipv6(&f, 17, 9, 10, 0);
	udp(&f, 547, 546, 8);
	fix_ipv6_len(&f, iip);
	fix_ipv4_len(&f, oip);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_OK);
	CHECK_EQ(d.tunnel, TUNNEL_IPIP);
	CHECK_EQ(d.ipver, 6);
	CHECK_EQ(d.dport, 546);
}

/* The other link types: Linux cooked v1 and v2, raw IP, BSD loopback (both byte orders), PPP. */
static void
test_links(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t ip;

	zeros(&f, 14);
	put16(&f, 0x0800);
	ip = ipv4(&f, 17, 1, 2, 0, 5, 0);
	udp(&f, 1, 53, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_LINUX_SLL, &d), DEC_OK);
	CHECK_EQ(d.dport, 53);

	f.n = 0;
	put16(&f, 0x86dd);
	zeros(&f, 18);
	ip = ipv6(&f, 17, 1, 2, 0);
	udp(&f, 1, 53, 8);
	fix_ipv6_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_LINUX_SLL2, &d), DEC_OK);
	CHECK_EQ(d.ipver, 6);

	f.n = 0;
	ip = ipv4(&f, 6, 1, 2, 0, 5, 0);
	tcp(&f, 1, 25, 0x02, 5);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_RAW, &d), DEC_OK);
	CHECK_EQ(d.dport, 25);

	f.n = 0;
	put8(&f, 2); put8(&f, 0); put8(&f, 0); put8(&f, 0);	/* AF_INET, little-endian writer */
	ip = ipv4(&f, 17, 1, 2, 0, 5, 0);
	udp(&f, 1, 123, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_NULL, &d), DEC_OK);
	f.b[0] = 0; f.b[3] = 2;					/* big-endian writer */
	CHECK_EQ(dec(&f, DLT_NULL, &d), DEC_OK);
	f.b[3] = 7;						/* not IP */
	CHECK_EQ(dec(&f, DLT_NULL, &d), DEC_NOT_IP);

	f.n = 0;
	put8(&f, 0xff); put8(&f, 0x03); put16(&f, 0x0021);
	ip = ipv4(&f, 17, 1, 2, 0, 5, 0);
	udp(&f, 1, 123, 8);
	fix_ipv4_len(&f, ip);
	CHECK_EQ(dec(&f, DLT_PPP, &d), DEC_OK);
	CHECK_EQ(d.dport, 123);

	CHECK_EQ(dec(&f, DLT_IEEE802_11, &d), DEC_UNSUPPORTED_LINK);
	CHECK(!decode_link_supported(DLT_IEEE802_11));
	CHECK(decode_link_supported(DLT_EN10MB));
}

/* ARP is not IP: counted apart from malformed packets. */
static void
test_arp(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;

	eth(&f, 0x0806);
	zeros(&f, 28);
	CHECK_EQ(dec(&f, DLT_EN10MB, &d), DEC_NOT_IP);
	CHECK_STR(decode_reason_name(DEC_NOT_IP), "not_ip");
	CHECK_STR(decode_reason_name(DEC_TRUNC_TCP), "truncated_tcp");
}

/* Every prefix of a VXLAN frame decodes to some reason without reading past the end (ASan checks it). */
static void
test_all_prefixes(void)
{
	struct frame f = { .n = 0 };
	struct decoded d;
	uint32_t n, full;

	eth(&f, 0x0800);
	ipv4(&f, 17, 1, 2, 120, 5, 0);
	udp(&f, 1, 4789, 0);
	put32(&f, 0x08000000);
	put32(&f, 5 << 8);
	eth(&f, 0x86dd);
	ipv6(&f, 6, 1, 2, 20);
	tcp(&f, 1, 2, 0x02, 5);
	full = f.n;
	for (n = 0; n <= full; n++) {
		enum decode_reason r = decode_packet(&cfg, DLT_EN10MB, f.b, n, full, &d);

		CHECK(r < DEC__COUNT);
	}
}

int
main(void)
{
	test_eth_ipv4_tcp();
	test_qinq();
	test_vlan_too_deep();
	test_mpls();
	test_mpls_too_deep();
	test_ipv4_options();
	test_ipv4_malformed();
	test_l4_malformed();
	test_tcp_options_cut();
	test_ipv4_fragments();
	test_ipv6_ext();
	test_ipv6_ext_bad();
	test_ipv6_fragments();
	test_vxlan();
	test_tunnel_too_deep();
	test_eth_in_eth();
	test_geneve();
	test_gre();
	test_6in4();
	test_links();
	test_arp();
	test_all_prefixes();
	return check_done("test_decode");
}
