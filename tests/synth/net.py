"""Link, network and transport headers.

Header stamping is plain struct packing: building every packet through scapy's layer
objects costs about a millisecond per packet, and the captures hold a few hundred
thousand packets.  Scapy is used where its protocol knowledge pays (DNS messages here,
independent dissection of the finished files in lint.py).
"""
import ipaddress
import struct
from array import array

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = 0x8100
ETH_QINQ = 0x88A8
IPPROTO_TCP = 6
IPPROTO_UDP = 17
VXLAN_PORT = 4789

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def inet_sum(data):
    """One's-complement sum of 16-bit words (native order, folded)."""
    if len(data) & 1:
        data += b"\x00"
    s = sum(array("H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def csum_bytes(*parts):
    """Internet checksum over the concatenation of parts, returned as 2 bytes in wire order.

    The sum is taken over native-order words and stored back in native order, which gives
    the right wire bytes on either endianness (RFC 1071, byte-order independence)."""
    s = 0
    for p in parts:
        s += inet_sum(p)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return struct.pack("=H", ~s & 0xFFFF)


def ip_bytes(addr):
    return ipaddress.ip_address(addr).packed


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def is_v6(addr):
    return ":" in addr


# ---------------------------------------------------------------- L3/L4 headers

def ipv4_header(src, dst, proto, payload_len, ident, ttl, df=True, tos=0):
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + payload_len, ident & 0xFFFF,
                                0x4000 if df else 0, ttl, proto, 0, ip_bytes(src), ip_bytes(dst)))
    hdr[10:12] = csum_bytes(bytes(hdr))
    return bytes(hdr)


def ipv6_header(src, dst, nh, payload_len, hlim, flow_label=0):
    return struct.pack("!IHBB16s16s", (6 << 28) | (flow_label & 0xFFFFF), payload_len, nh, hlim,
                       ip_bytes(src), ip_bytes(dst))


def pseudo_header(src, dst, proto, length):
    if is_v6(src):
        return ip_bytes(src) + ip_bytes(dst) + struct.pack("!IxxxB", length, proto)
    return ip_bytes(src) + ip_bytes(dst) + struct.pack("!xBH", proto, length)


def tcp_segment(src, dst, sport, dport, seq, ack, flags, window, options=b"", payload=b""):
    if len(options) % 4:
        raise ValueError("TCP options must be padded to 32 bits")
    off = (20 + len(options)) // 4
    hdr = bytearray(struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                                off << 4, flags, window, 0, 0) + options)
    seg_len = len(hdr) + len(payload)
    hdr[16:18] = csum_bytes(pseudo_header(src, dst, IPPROTO_TCP, seg_len), bytes(hdr), payload)
    return bytes(hdr) + payload


def udp_datagram(src, dst, sport, dport, payload, zero_checksum=False):
    length = 8 + len(payload)
    hdr = bytearray(struct.pack("!HHHH", sport, dport, length, 0))
    if not zero_checksum:
        c = csum_bytes(pseudo_header(src, dst, IPPROTO_UDP, length), bytes(hdr), payload)
        if c == b"\x00\x00":
            c = b"\xff\xff"
        hdr[6:8] = c
    return bytes(hdr) + payload


def ip_packet(src, dst, proto, l4, ident=0, ttl=64, df=True, flow_label=0):
    """Return (ethertype, bytes) for an IPv4 or IPv6 packet carrying l4."""
    if is_v6(src):
        return ETH_IPV6, ipv6_header(src, dst, proto, len(l4), ttl, flow_label) + l4
    return ETH_IPV4, ipv4_header(src, dst, proto, len(l4), ident, ttl, df) + l4


# ---------------------------------------------------------------- TCP options

def tcp_opt_mss(mss):
    return struct.pack("!BBH", 2, 4, mss)


def tcp_opt_ws(shift):
    return struct.pack("!BBB", 3, 3, shift)


def tcp_opt_ts(tsval, tsecr):
    return struct.pack("!BBII", 8, 10, tsval & 0xFFFFFFFF, tsecr & 0xFFFFFFFF)


NOP, SACK_OK, EOL = b"\x01", b"\x04\x02", b"\x00"


# ---------------------------------------------------------------- L2 framing

def ether(dst_mac, src_mac, ethertype, payload, vlans=()):
    """Ethernet II frame.  vlans is a sequence of (tpid, vid, pcp) from the outside in."""
    out = mac_bytes(dst_mac) + mac_bytes(src_mac)
    for tpid, vid, pcp in vlans:
        out += struct.pack("!HH", tpid, (pcp << 13) | vid)
    return out + struct.pack("!H", ethertype) + payload


def vxlan_header(vni):
    """RFC 7348: flags byte with the I bit (0x08), 24 reserved bits, VNI, 8 reserved bits."""
    return struct.pack("!B3sI", 0x08, b"\x00\x00\x00", vni << 8)


class Segment:
    """Where a home host's frames are seen by the sensor: plain, 802.1Q, QinQ."""

    def __init__(self, name, gateway_mac, vlans=()):
        self.name = name
        self.gateway_mac = gateway_mac
        self.vlans = tuple(vlans)

    def frame(self, src_mac, dst_mac, ethertype, l3, flow_hash):
        return ether(dst_mac, src_mac, ethertype, l3, self.vlans), 0


class VxlanMirror(Segment):
    """AWS VPC Traffic Mirroring: every packet of the source ENI, both directions, is wrapped in
    outer Ethernet / IPv4 (source ENI primary address -> mirror target ENI) / UDP dst 4789 /
    VXLAN (I flag, VNI = the mirror session's virtual network id) / the original Ethernet frame."""

    def __init__(self, name, gateway_mac, source_ip, target_ip, target_mac, router_mac, vni):
        super().__init__(name, gateway_mac)
        self.source_ip = source_ip
        self.target_ip = target_ip
        self.target_mac = target_mac
        self.router_mac = router_mac
        self.vni = vni
        self.ident = 0

    def frame(self, src_mac, dst_mac, ethertype, l3, flow_hash):
        inner = ether(dst_mac, src_mac, ethertype, l3)
        sport = 49152 + (flow_hash % 16384)
        udp = udp_datagram(self.source_ip, self.target_ip, sport, VXLAN_PORT,
                           vxlan_header(self.vni) + inner, zero_checksum=True)
        self.ident = (self.ident + 1) & 0xFFFF
        ip = ipv4_header(self.source_ip, self.target_ip, IPPROTO_UDP, len(udp), self.ident, 64, df=False)
        outer = ether(self.target_mac, self.router_mac, ETH_IPV4, ip + udp)
        return outer, len(outer) - len(inner)


def flow_hash(a, b, pa, pb, proto):
    """Stable symmetric hash of a 5-tuple (no Python hash(): that is salted per process)."""
    x, y = sorted([(a, pa), (b, pb)])
    data = ("%s|%d|%s|%d|%d" % (x[0], x[1], y[0], y[1], proto)).encode()
    h = 2166136261
    for c in data:
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h
