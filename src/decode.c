/*
 * decode.c - frame decoding: link layers, VLAN/MPLS, IPv4/IPv6, TCP/UDP/ICMP and tunnels.
 *
 * Every read goes through the span helpers below, which check the remaining captured length first; no
 * structure is ever cast onto packet memory.  The decoder is re-entrant: a tunnel payload is decoded by
 * calling the link or IP decoder again on the inner bytes, bounded by DECODE_MAX_TUNNEL.
 */
#include "config.h"

#include <string.h>
#include <pcap/pcap.h>

#include "decode.h"

/* A borrowed window on packet bytes. */
struct span {
	const uint8_t *p;
	uint32_t len;
};

static inline bool
span_has(const struct span *s, uint32_t off, uint32_t n)
{
	return off <= s->len && n <= s->len - off;
}

static inline bool
get_u8(const struct span *s, uint32_t off, uint8_t *v)
{
	if (!span_has(s, off, 1))
		return false;
	*v = s->p[off];
	return true;
}

static inline bool
get_be16(const struct span *s, uint32_t off, uint16_t *v)
{
	if (!span_has(s, off, 2))
		return false;
	*v = (uint16_t)(s->p[off] << 8 | s->p[off + 1]);
	return true;
}

static inline bool
get_be32(const struct span *s, uint32_t off, uint32_t *v)
{
	if (!span_has(s, off, 4))
		return false;
	*v = (uint32_t)s->p[off] << 24 | (uint32_t)s->p[off + 1] << 16 |
	    (uint32_t)s->p[off + 2] << 8 | s->p[off + 3];
	return true;
}

/* The bytes of s from off on; off must be within s (checked by the caller through span_has). */
static inline struct span
span_from(const struct span *s, uint32_t off)
{
	struct span r = { s->p + off, s->len - off };

	return r;
}

/* Decoding context threaded through the layers. */
struct dctx {
	const struct decode_cfg *cfg;
	struct decoded *d;
	const uint8_t *frame;	/* start of the captured frame */
	uint32_t wirelen;	/* original length of the whole frame */
};

static const char *const reason_names[DEC__COUNT] = {
	[DEC_OK] = "ok",
	[DEC_NOT_IP] = "not_ip",
	[DEC_TRUNC_L2] = "truncated_link",
	[DEC_VLAN_DEPTH] = "vlan_too_deep",
	[DEC_MPLS_DEPTH] = "mpls_too_deep",
	[DEC_BAD_IP_VERSION] = "bad_ip_version",
	[DEC_TRUNC_IP4] = "truncated_ipv4",
	[DEC_BAD_IP4_HLEN] = "bad_ipv4_header_length",
	[DEC_BAD_IP4_LEN] = "bad_ipv4_total_length",
	[DEC_TRUNC_IP6] = "truncated_ipv6",
	[DEC_IP6_EXT_TRUNC] = "truncated_ipv6_extension",
	[DEC_IP6_EXT_DEPTH] = "ipv6_extensions_too_deep",
	[DEC_TRUNC_TCP] = "truncated_tcp",
	[DEC_BAD_TCP_HLEN] = "bad_tcp_header_length",
	[DEC_TRUNC_UDP] = "truncated_udp",
	[DEC_TRUNC_ICMP] = "truncated_icmp",
	[DEC_BAD_TUNNEL] = "bad_tunnel_header",
	[DEC_TUNNEL_DEPTH] = "tunnel_too_deep",
	[DEC_UNSUPPORTED_LINK] = "unsupported_link",
};

const char *
decode_reason_name(enum decode_reason r)
{
	if ((unsigned)r >= DEC__COUNT)
		return "unknown";
	return reason_names[r];
}

const char *
tunnel_type_name(enum tunnel_type t)
{
	switch (t) {
	case TUNNEL_VXLAN:
		return "vxlan";
	case TUNNEL_GENEVE:
		return "geneve";
	case TUNNEL_GRE:
		return "gre";
	case TUNNEL_ERSPAN:
		return "erspan";
	case TUNNEL_IPIP:
		return "ipip";
	default:
		return "none";
	}
}

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_QINQ_OLD	0x9100
#define ETHERTYPE_MPLS		0x8847
#define ETHERTYPE_MPLS_MC	0x8848
#define ETHERTYPE_TEB		0x6558	/* transparent Ethernet bridging (GRE, GENEVE) */
#define ETHERTYPE_ERSPAN2	0x88be

static enum decode_reason decode_ether(struct dctx *c, struct span s);
static enum decode_reason decode_ethertype(struct dctx *c, uint16_t type, struct span s);
static enum decode_reason decode_ip(struct dctx *c, struct span s);

/* Enter a tunnel whose payload starts at s: the inner frame's wire length excludes the outer headers. */
static enum decode_reason
tunnel_enter(struct dctx *c, enum tunnel_type t, struct span s)
{
	struct decoded *d = c->d;
	uint32_t outer = (uint32_t)(s.p - c->frame);

	if (d->tunnel_depth >= DECODE_MAX_TUNNEL)
		return DEC_TUNNEL_DEPTH;
	d->tunnel_depth++;
	d->tunnel = (uint8_t)t;
	d->wirelen = c->wirelen > outer ? c->wirelen - outer : 0;
	d->frag = FRAG_NONE;
	return DEC_OK;
}

/*
 * VXLAN (RFC 7348), as AWS VPC Traffic Mirroring sends it:
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |R|R|R|R|I|R|R|R|            Reserved                           |
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * followed by the mirrored Ethernet frame.
 */
static enum decode_reason
decode_vxlan(struct dctx *c, struct span s)
{
	uint8_t flags;
	uint32_t w;
	enum decode_reason r;

	if (!get_u8(&s, 0, &flags) || !get_be32(&s, 4, &w) || !(flags & 0x08))
		return DEC_BAD_TUNNEL;
	if ((r = tunnel_enter(c, TUNNEL_VXLAN, span_from(&s, 8))) != DEC_OK)
		return r;
	c->d->vni = w >> 8;
	return decode_ether(c, span_from(&s, 8));
}

/*
 * GENEVE (RFC 8926):
 *
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *   |                    Variable-Length Options                    |
 */
static enum decode_reason
decode_geneve(struct dctx *c, struct span s)
{
	uint8_t b0;
	uint16_t type;
	uint32_t w, hlen;
	enum decode_reason r;

	if (!get_u8(&s, 0, &b0) || !get_be16(&s, 2, &type) || !get_be32(&s, 4, &w))
		return DEC_BAD_TUNNEL;
	if ((b0 >> 6) != 0)
		return DEC_BAD_TUNNEL;
	hlen = 8 + (uint32_t)(b0 & 0x3f) * 4;
	if (!span_has(&s, hlen, 0))
		return DEC_BAD_TUNNEL;
	if ((r = tunnel_enter(c, TUNNEL_GENEVE, span_from(&s, hlen))) != DEC_OK)
		return r;
	c->d->vni = w >> 8;
	/* An Ethernet payload is this tunnel's level, not one more (decode_ethertype would count it). */
	if (type == ETHERTYPE_TEB)
		return decode_ether(c, span_from(&s, hlen));
	return decode_ethertype(c, type, span_from(&s, hlen));
}

/*
 * GRE (RFC 2784, keys and sequence numbers from RFC 2890):
 *
 *   |C| |K|S| Reserved0       | Ver |         Protocol Type         |
 *   |      Checksum (optional)      |       Reserved1 (Optional)    |
 *   |                         Key (optional)                        |
 *   |                 Sequence Number (Optional)                    |
 *
 * ERSPAN type II (protocol 0x88be) adds an 8-byte header before the mirrored Ethernet frame.
 */
static enum decode_reason
decode_gre(struct dctx *c, struct span s)
{
	uint16_t fl, type;
	uint32_t hlen = 4;
	enum decode_reason r;

	if (!get_be16(&s, 0, &fl) || !get_be16(&s, 2, &type))
		return DEC_BAD_TUNNEL;
	if ((fl & 0x7) != 0)	/* version 1 is PPTP's enhanced GRE: not followed */
		return DEC_BAD_TUNNEL;
	if (fl & 0x8000)
		hlen += 4;
	if (fl & 0x2000)
		hlen += 4;
	if (fl & 0x1000)
		hlen += 4;
	if (type == ETHERTYPE_ERSPAN2 && (fl & 0x1000))
		hlen += 8;
	if (!span_has(&s, hlen, 0))
		return DEC_BAD_TUNNEL;
	if ((r = tunnel_enter(c, type == ETHERTYPE_ERSPAN2 ? TUNNEL_ERSPAN : TUNNEL_GRE,
	    span_from(&s, hlen))) != DEC_OK)
		return r;
	if (type == ETHERTYPE_ERSPAN2 || type == ETHERTYPE_TEB)
		return decode_ether(c, span_from(&s, hlen));
	return decode_ethertype(c, type, span_from(&s, hlen));
}

/* Transport header of the innermost packet, or a tunnel carried in it.  s starts at the transport header. */
static enum decode_reason
decode_l4(struct dctx *c, struct span s)
{
	struct decoded *d = c->d;
	uint8_t b;
	uint16_t len;

	switch (d->proto) {
	case 6: {
		uint32_t hlen;

		if (!get_be16(&s, 0, &d->sport) || !get_be16(&s, 2, &d->dport) || !get_u8(&s, 12, &b) ||
		    !get_u8(&s, 13, &d->tcp_flags))
			return DEC_TRUNC_TCP;
		hlen = (uint32_t)(b >> 4) * 4;
		if (hlen < 20)
			return DEC_BAD_TCP_HLEN;
		if (!span_has(&s, hlen, 0)) {
			/* Options cut by the snaplen: the header fields we need are there. */
			d->payload = NULL;
			d->payload_len = 0;
			return DEC_OK;
		}
		d->payload = s.p + hlen;
		d->payload_len = s.len - hlen;
		return DEC_OK;
	}
	case 17:
		if (!get_be16(&s, 0, &d->sport) || !get_be16(&s, 2, &d->dport) || !get_be16(&s, 4, &len))
			return DEC_TRUNC_UDP;
		if (!span_has(&s, 8, 0))
			return DEC_TRUNC_UDP;
		d->payload = s.p + 8;
		d->payload_len = s.len - 8;
		if (d->frag == FRAG_NONE) {
			if (d->dport == c->cfg->vxlan_port && c->cfg->vxlan_port != 0) {
				struct decoded save = *d;
				enum decode_reason r = decode_vxlan(c, span_from(&s, 8));

				/* A UDP datagram to the VXLAN port that is not VXLAN stays an ordinary flow. */
				if (r == DEC_BAD_TUNNEL)
					*d = save;
				else
					return r;
			} else if (d->dport == c->cfg->geneve_port && c->cfg->geneve_port != 0) {
				struct decoded save = *d;
				enum decode_reason r = decode_geneve(c, span_from(&s, 8));

				if (r == DEC_BAD_TUNNEL)
					*d = save;
				else
					return r;
			}
		}
		return DEC_OK;
	case 1:
	case 58:
		if (!get_u8(&s, 0, &d->icmp_type) || !get_u8(&s, 1, &d->icmp_code))
			return DEC_TRUNC_ICMP;
		d->payload = s.p;
		d->payload_len = s.len;
		return DEC_OK;
	case 47:
		if (d->frag == FRAG_NONE) {
			struct decoded save = *d;
			enum decode_reason r = decode_gre(c, s);

			if (r != DEC_BAD_TUNNEL)
				return r;
			*d = save;
		}
		return DEC_OK;
	case 4:
	case 41:
		if (d->frag == FRAG_NONE) {
			enum decode_reason r = tunnel_enter(c, TUNNEL_IPIP, s);

			if (r != DEC_OK)
				return r;
			return decode_ip(c, s);
		}
		return DEC_OK;
	default:
		d->payload = s.p;
		d->payload_len = s.len;
		return DEC_OK;
	}
}

/* IPv4 (RFC 791): header length, total length and fragment fields are checked before use. */
static enum decode_reason
decode_ipv4(struct dctx *c, struct span s)
{
	struct decoded *d = c->d;
	uint8_t vihl;
	uint16_t tot, id, off;
	uint32_t hlen, avail;

	if (!get_u8(&s, 0, &vihl) || !span_has(&s, 0, 20))
		return DEC_TRUNC_IP4;
	hlen = (uint32_t)(vihl & 0x0f) * 4;
	if (hlen < 20)
		return DEC_BAD_IP4_HLEN;
	if (!span_has(&s, 0, hlen))
		return DEC_TRUNC_IP4;
	(void)get_be16(&s, 2, &tot);
	(void)get_be16(&s, 4, &id);
	(void)get_be16(&s, 6, &off);
	if (tot < hlen)
		return DEC_BAD_IP4_LEN;
	(void)get_u8(&s, 9, &d->proto);
	d->ipver = 4;
	memset(d->src, 0, sizeof(d->src));
	memset(d->dst, 0, sizeof(d->dst));
	memcpy(d->src, s.p + 12, 4);
	memcpy(d->dst, s.p + 16, 4);
	/* Link padding beyond the IP total length is not IP; a snaplen cut leaves less than it. */
	avail = s.len < tot ? s.len : tot;
	d->l3 = s.p;
	d->l3_len = avail;
	d->frag_id = id;
	d->sport = d->dport = 0;
	d->tcp_flags = 0;
	d->payload = NULL;
	d->payload_len = 0;
	if ((off & 0x1fff) != 0) {
		d->frag = FRAG_LATER;
		return DEC_OK;
	}
	d->frag = (off & 0x2000) ? FRAG_FIRST : FRAG_NONE;
	{
		struct span l4 = { s.p + hlen, avail - hlen };

		return decode_l4(c, l4);
	}
}

/* IPv6 (RFC 8200) and its extension-header chain, bounded by DECODE_MAX_IP6_EXT. */
static enum decode_reason
decode_ipv6(struct dctx *c, struct span s)
{
	struct decoded *d = c->d;
	uint16_t plen;
	uint8_t nh;
	uint32_t off = 40, avail;
	int n;

	if (!span_has(&s, 0, 40))
		return DEC_TRUNC_IP6;
	(void)get_be16(&s, 4, &plen);
	(void)get_u8(&s, 6, &nh);
	d->ipver = 6;
	memcpy(d->src, s.p + 8, 16);
	memcpy(d->dst, s.p + 24, 16);
	avail = s.len < 40u + plen ? s.len : 40u + plen;
	/* A jumbogram (payload length 0) takes its length from the capture. */
	if (plen == 0)
		avail = s.len;
	s.len = avail;
	d->l3 = s.p;
	d->l3_len = avail;
	d->frag = FRAG_NONE;
	d->sport = d->dport = 0;
	d->tcp_flags = 0;
	d->payload = NULL;
	d->payload_len = 0;
	for (n = 0;; n++) {
		uint8_t next, hl;
		uint16_t fo;
		uint32_t fid;

		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 135:	/* mobility */
			if (n >= DECODE_MAX_IP6_EXT)
				return DEC_IP6_EXT_DEPTH;
			if (!get_u8(&s, off, &next) || !get_u8(&s, off + 1, &hl))
				return DEC_IP6_EXT_TRUNC;
			off += 8 + (uint32_t)hl * 8;
			if (!span_has(&s, off, 0))
				return DEC_IP6_EXT_TRUNC;
			nh = next;
			continue;
		case 51:	/* authentication header: length in 4-octet units minus 2 */
			if (n >= DECODE_MAX_IP6_EXT)
				return DEC_IP6_EXT_DEPTH;
			if (!get_u8(&s, off, &next) || !get_u8(&s, off + 1, &hl))
				return DEC_IP6_EXT_TRUNC;
			off += ((uint32_t)hl + 2) * 4;
			if (!span_has(&s, off, 0))
				return DEC_IP6_EXT_TRUNC;
			nh = next;
			continue;
		case 44:	/* fragment */
			if (n >= DECODE_MAX_IP6_EXT)
				return DEC_IP6_EXT_DEPTH;
			if (!get_u8(&s, off, &next) || !get_be16(&s, off + 2, &fo) ||
			    !get_be32(&s, off + 4, &fid))
				return DEC_IP6_EXT_TRUNC;
			off += 8;
			d->frag_id = fid;
			nh = next;
			if ((fo & 0xfff8) != 0) {
				d->proto = nh;
				d->frag = FRAG_LATER;
				return DEC_OK;
			}
			d->frag = (fo & 1) ? FRAG_FIRST : FRAG_NONE;
			continue;
		default:
			break;
		}
		break;
	}
	d->proto = nh;
	if (nh == 59) /* no next header */
		return DEC_OK;
	return decode_l4(c, span_from(&s, off));
}

static enum decode_reason
decode_ip(struct dctx *c, struct span s)
{
	uint8_t v;

	if (!get_u8(&s, 0, &v))
		return DEC_TRUNC_IP4;
	switch (v >> 4) {
	case 4:
		return decode_ipv4(c, s);
	case 6:
		return decode_ipv6(c, s);
	default:
		return DEC_BAD_IP_VERSION;
	}
}

/* MPLS (RFC 3032): labels until bottom-of-stack, then IPv4 or IPv6 by the version nibble. */
static enum decode_reason
decode_mpls(struct dctx *c, struct span s)
{
	uint32_t off = 0, w;
	int n;

	for (n = 0; n < DECODE_MAX_MPLS; n++) {
		if (!get_be32(&s, off, &w))
			return DEC_TRUNC_L2;
		off += 4;
		if (w & 0x100)
			return decode_ip(c, span_from(&s, off));
	}
	return DEC_MPLS_DEPTH;
}

static enum decode_reason
decode_ethertype(struct dctx *c, uint16_t type, struct span s)
{
	struct decoded *d = c->d;
	uint16_t tci;

	for (;;) {
		switch (type) {
		case ETHERTYPE_IPV4:
		case ETHERTYPE_IPV6:
			return decode_ip(c, s);
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD:
			if (d->vlan_depth >= DECODE_MAX_VLAN)
				return DEC_VLAN_DEPTH;
			if (!get_be16(&s, 0, &tci) || !get_be16(&s, 2, &type))
				return DEC_TRUNC_L2;
			d->vlan[d->vlan_depth++] = tci & 0x0fff;
			s = span_from(&s, 4);
			continue;
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MC:
			return decode_mpls(c, s);
		case ETHERTYPE_TEB: {
			/*
			 * Ethernet in Ethernet, with no tunnel header of its own: still a level of
			 * encapsulation, bounded like the others (a frame of stacked headers would otherwise
			 * recurse once per 14 bytes).  The tunnel type stays what it was.
			 */
			enum decode_reason r = tunnel_enter(c, (enum tunnel_type)d->tunnel, s);

			if (r != DEC_OK)
				return r;
			return decode_ether(c, s);
		}
		default:
			return DEC_NOT_IP;
		}
	}
}

static enum decode_reason
decode_ether(struct dctx *c, struct span s)
{
	uint16_t type;

	if (!get_be16(&s, 12, &type))
		return DEC_TRUNC_L2;
	return decode_ethertype(c, type, span_from(&s, 14));
}

bool
decode_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
#endif
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_PPP:
	case DLT_PPP_SERIAL:
	case DLT_C_HDLC:
		return true;
	default:
		return false;
	}
}

/* PPP (RFC 1661/1662): optional address and control bytes 0xff 0x03, then the protocol number. */
static enum decode_reason
decode_ppp(struct dctx *c, struct span s)
{
	uint8_t a, b;
	uint16_t proto;
	uint32_t off = 0;

	if (!get_u8(&s, 0, &a) || !get_u8(&s, 1, &b))
		return DEC_TRUNC_L2;
	if (a == 0xff && b == 0x03)
		off = 2;
	if (!get_be16(&s, off, &proto))
		return DEC_TRUNC_L2;
	switch (proto) {
	case 0x0021:
		return decode_ipv4(c, span_from(&s, off + 2));
	case 0x0057:
		return decode_ipv6(c, span_from(&s, off + 2));
	default:
		return DEC_NOT_IP;
	}
}

/* BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 differs by system. */
static bool
null_family_is_ip(uint32_t af)
{
	return af == 2 || af == 10 || af == 24 || af == 28 || af == 30;
}

enum decode_reason
decode_packet(const struct decode_cfg *cfg, int dlt, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen,
	      struct decoded *d)
{
	struct span s = { pkt, caplen };
	struct dctx c = { cfg, d, pkt, wirelen };
	uint16_t type;
	uint32_t af;

	d->wirelen = wirelen;
	d->vlan_depth = 0;
	d->tunnel = TUNNEL_NONE;
	d->tunnel_depth = 0;
	d->vni = 0;
	d->frag = FRAG_NONE;
	d->proto = 0;
	d->sport = d->dport = 0;
	d->tcp_flags = 0;
	d->icmp_type = d->icmp_code = 0;
	d->payload = NULL;
	d->payload_len = 0;

	switch (dlt) {
	case DLT_EN10MB:
		return decode_ether(&c, s);
	case DLT_LINUX_SLL:
		/* packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2) */
		if (!get_be16(&s, 14, &type))
			return DEC_TRUNC_L2;
		return decode_ethertype(&c, type, span_from(&s, 16));
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		/* protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8) */
		if (!get_be16(&s, 0, &type) || !span_has(&s, 20, 0))
			return DEC_TRUNC_L2;
		return decode_ethertype(&c, type, span_from(&s, 20));
#endif
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		return decode_ip(&c, s);
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		return decode_ppp(&c, s);
	case DLT_C_HDLC:
		/* Cisco HDLC: address(1) control(1) then an Ethernet type. */
		if (!get_be16(&s, 2, &type))
			return DEC_TRUNC_L2;
		return decode_ethertype(&c, type, span_from(&s, 4));
	case DLT_NULL:
	case DLT_LOOP:
		if (!span_has(&s, 0, 4))
			return DEC_TRUNC_L2;
		/* DLT_NULL stores the family in the writer's byte order; accept either. */
		af = (uint32_t)pkt[0] | (uint32_t)pkt[1] << 8 | (uint32_t)pkt[2] << 16 | (uint32_t)pkt[3] << 24;
		if (!null_family_is_ip(af)) {
			(void)get_be32(&s, 0, &af);
			if (!null_family_is_ip(af))
				return DEC_NOT_IP;
		}
		return decode_ip(&c, span_from(&s, 4));
	default:
		return DEC_UNSUPPORTED_LINK;
	}
}
