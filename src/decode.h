/*
 * decode.h - link, network and transport decoding of one captured frame.
 *
 * The decoder reads borrowed packet bytes through bounds-checked readers, neither allocates nor logs, fills a
 * caller's struct decoded and returns a reason code.  Tunnels (VXLAN, GENEVE, GRE, ERSPAN II, IP-in-IP,
 * 6in4/4in6, Ethernet in Ethernet) are followed to the innermost IP packet, which is the packet the rest of
 * the pipeline sees; the VLAN ids and the VNI travel with it because they are part of the flow's identity.
 */
#ifndef DCDN_DECODE_H
#define DCDN_DECODE_H

#include <stdint.h>
#include <stdbool.h>

/* Bounds on encapsulation.  Real traffic rarely stacks more than QinQ plus one tunnel; anything deeper is
 * more likely crafted and is counted and dropped rather than followed. */
#define DECODE_MAX_VLAN		3	/* 802.1Q/802.1ad tags across all layers */
#define DECODE_MAX_MPLS		8	/* labels in one stack */
#define DECODE_MAX_TUNNEL	3	/* nested tunnels */
#define DECODE_MAX_IP6_EXT	8	/* IPv6 extension headers in one chain */

enum decode_reason {
	DEC_OK = 0,
	DEC_NOT_IP,		/* ARP, LLDP, STP, ...: not an error, just not ours */
	DEC_TRUNC_L2,		/* link header cut short */
	DEC_VLAN_DEPTH,
	DEC_MPLS_DEPTH,
	DEC_BAD_IP_VERSION,
	DEC_TRUNC_IP4,
	DEC_BAD_IP4_HLEN,
	DEC_BAD_IP4_LEN,
	DEC_TRUNC_IP6,
	DEC_IP6_EXT_TRUNC,
	DEC_IP6_EXT_DEPTH,
	DEC_TRUNC_TCP,
	DEC_BAD_TCP_HLEN,
	DEC_TRUNC_UDP,
	DEC_TRUNC_ICMP,
	DEC_BAD_TUNNEL,		/* VXLAN/GENEVE/GRE header malformed or of an unsupported version */
	DEC_TUNNEL_DEPTH,
	DEC_UNSUPPORTED_LINK,
	DEC__COUNT
};

/* Stable snake_case name of a reason, used as the key in the stats event. */
const char *decode_reason_name(enum decode_reason r);

enum tunnel_type {
	TUNNEL_NONE = 0,
	TUNNEL_VXLAN,
	TUNNEL_GENEVE,
	TUNNEL_GRE,
	TUNNEL_ERSPAN,
	TUNNEL_IPIP,
};

const char *tunnel_type_name(enum tunnel_type t);

enum frag_kind {
	FRAG_NONE = 0,
	FRAG_FIRST,		/* offset 0 with more-fragments set: carries the ports */
	FRAG_LATER,		/* offset > 0: no transport header */
};

struct decode_cfg {
	uint16_t vxlan_port;	/* UDP destination port of VXLAN (4789; AWS Traffic Mirroring) */
	uint16_t geneve_port;	/* UDP destination port of GENEVE (6081; Gateway Load Balancer) */
};

/* All pointers borrow the caller's packet buffer and are valid only while it is. */
struct decoded {
	uint32_t wirelen;	/* wire length of the innermost frame (outer tunnel headers removed) */
	uint8_t vlan_depth;
	uint16_t vlan[DECODE_MAX_VLAN];
	uint8_t tunnel;		/* enum tunnel_type of the innermost tunnel, TUNNEL_NONE if none */
	uint8_t tunnel_depth;
	uint32_t vni;		/* VXLAN/GENEVE network identifier (valid when tunnel is one of them) */

	uint8_t ipver;		/* 4 or 6 */
	uint8_t frag;		/* enum frag_kind */
	uint32_t frag_id;	/* IPv4 identification or IPv6 fragment id */
	uint8_t src[16];	/* IPv4 in the first 4 bytes, rest zero */
	uint8_t dst[16];
	const uint8_t *l3;	/* innermost IP header, for nDPI */
	uint32_t l3_len;	/* captured bytes of it, at most the IP total length (drops link padding) */

	uint8_t proto;		/* transport protocol (after IPv6 extension headers) */
	uint16_t sport, dport;	/* TCP/UDP ports; 0 for other protocols */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	const uint8_t *payload;	/* transport payload as captured (may be shorter than on the wire) */
	uint32_t payload_len;
};

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PUSH	0x08
#define TH_ACK	0x10

/* True when libpcap link type dlt is one decode_packet() understands. */
bool decode_link_supported(int dlt);

/*
 * Decode one frame of link type dlt.  caplen bytes are available at pkt; wirelen is the record's original
 * length.  Returns DEC_OK with *d filled (d->frag tells whether ports are present), or the reason the frame
 * was not decoded; on failure *d is partially filled and must not be used.
 */
enum decode_reason decode_packet(const struct decode_cfg *cfg, int dlt, const uint8_t *pkt,
				 uint32_t caplen, uint32_t wirelen, struct decoded *d);

#endif
