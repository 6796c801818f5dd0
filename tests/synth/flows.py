"""Hosts, the capture, and TCP/UDP conversations with consistent sequence numbers and timing.

Time is integer microseconds since the Unix epoch, always packet time (no wall clock).

Timing model: the sensor sits next to the monitored (home) hosts.  Every host has a one-way
delay to the sensor: a few hundred microseconds for home hosts, half the path RTT for
outside peers.  A host answering a packet seen at time T is seen answering at
T + 2 * its delay + its processing time.

Slicing: the sensor keeps each flow's opening packets whole (TCP handshake, ClientHello,
HTTP request, DNS messages; for TLS 1.2 also the server's certificate flight), keeps
HEAD_SNAP bytes of the first packet of the server's answer (a ServerHello with the start of
the encrypted flight, an HTTP status line and headers), and cuts every later packet to SNAP
bytes of the (inner) frame.  Every record keeps the true wire length.
"""
import ipaddress

import net

SNAP = 128       # bytes kept of a packet once a flow's handshake is over
HEAD_SNAP = 256  # bytes kept of the first packet of a server's answer (ServerHello, HTTP status)
MIN_FRAME = 60  # Ethernet minimum without FCS: short frames arrive padded on a SPAN port


class Host:
    """An address that appears in a capture.  Home hosts have a segment (how the sensor sees
    their frames); outside peers have none and are reached through the segment's gateway."""

    def __init__(self, ip, mac=None, segment=None, os="linux", hops=0, delay_us=None, name=None, mss=None):
        self.ip = ip
        self.mac = mac
        self.segment = segment
        self.os = os
        self.hops = hops
        self.name = name or ip
        self.delay_us = delay_us if delay_us is not None else (150 if segment else 20000)
        self.mss = mss or (1440 if net.is_v6(ip) else 1460)
        self.init_ttl = 128 if os == "windows" else 64
        self.ports_used = set()
        self.next_port = None
        self.resolver = None  # the DNS server this host asks (default: the world's)

    @property
    def home(self):
        return self.segment is not None

    def ttl_seen(self):
        return self.init_ttl - self.hops

    def ephemeral_port(self, rng):
        if self.os == "windows":
            if self.next_port is None:
                self.next_port = rng.randrange(49800, 56000)
            while True:
                self.next_port += 1
                if self.next_port > 65535:
                    self.next_port = 49152
                if self.next_port not in self.ports_used:
                    self.ports_used.add(self.next_port)
                    return self.next_port
        while True:
            p = rng.randrange(32768, 61000)
            if p not in self.ports_used:
                self.ports_used.add(p)
                return p

    def __repr__(self):
        return "Host(%s)" % self.ip


class Capture:
    def __init__(self, name, rng, t_start, t_end):
        self.name = name
        self.rng = rng
        self.t_start = t_start
        self.t_end = t_end
        self.records = []
        self.truth = []
        self.seq = 0
        self.visible_from = {}  # home ip -> first time its segment delivers packets (mirror attach)
        self.gro = True         # the sensor coalesces TCP bursts (see TcpFlow.send)
        self.head_max = 12      # a flow's first packets the sensor may keep whole, at most

    def emit(self, t, frame, wire_len, home_ips):
        if t < self.t_start or t >= self.t_end:
            return False
        for ip in home_ips:
            vf = self.visible_from.get(ip)
            if vf is not None and t < vf:
                return False
        self.seq += 1
        self.records.append((t, self.seq, frame, wire_len))
        return True

    def add_truth(self, l4, a, ap, b, bp, label, name, t):
        """A flow the realism check will look up in ndpiReader's output (t: its first packet)."""
        if self.t_start <= t < self.t_end and all(t >= self.visible_from.get(ip, 0) for ip in (a, b)):
            self.truth.append((l4, a, ap, b, bp, label, name, t))

    def first_named(self, ip, suffixes):
        """Time of the first visible flow of host ip whose name ends with one of suffixes."""
        times = [r[7] for r in self.truth if ip in (r[1], r[3]) and r[6].endswith(tuple(suffixes))]
        return min(times) if times else None

    def sorted_records(self):
        self.records.sort(key=lambda r: (r[0], r[1]))
        return self.records


def _frame_for(src, dst, ethertype, l3, fhash):
    """Frame as the sensor sees it, plus the number of outer (encapsulation) bytes."""
    home = src if src.home else dst
    seg = home.segment
    if src.home and dst.home and src.segment is dst.segment:
        smac, dmac = src.mac, dst.mac
    elif src is home:
        smac, dmac = src.mac, seg.gateway_mac
    else:
        smac, dmac = seg.gateway_mac, dst.mac
    frame, outer = seg.frame(smac, dmac, ethertype, l3, fhash)
    if outer == 0 and len(frame) < MIN_FRAME:
        frame += b"\x00" * (MIN_FRAME - len(frame))
    return frame, outer


class Flow:
    proto = 0

    def __init__(self, cap, t, a, ap, b, bp):
        self.cap = cap
        self.rng = cap.rng
        self.t = t
        self.t0 = t
        self.hosts = (a, b)
        self.ports = (ap, bp)
        self.home_ips = [h.ip for h in (a, b) if h.home]
        self.fhash = net.flow_hash(a.ip, b.ip, ap, bp, self.proto)
        self.npkts = 0
        self.whole = True
        self.keep_max = 12
        self.cut_at = {}   # packet index -> bytes kept, for head packets kept only in part
        self.ipid = [self.rng.randrange(0, 65536), self.rng.randrange(0, 65536)]
        self.flow_label = [self.rng.randrange(1, 1 << 20), self.rng.randrange(1, 1 << 20)]

    def turn(self, side, proc_us=0):
        """Time between seeing a packet to `side` and seeing side's answer."""
        return 2 * self.hosts[side].delay_us + proc_us

    def slice_now(self):
        self.whole = False

    def answer_head(self):
        """The next packet opens the server's answer: keep HEAD_SNAP bytes of it, cut the rest."""
        self.keep_max = self.npkts + 1
        self.cut_at[self.npkts] = HEAD_SNAP

    def _emit(self, t, side, proto, l4):
        src, dst = self.hosts[side], self.hosts[1 - side]
        self.ipid[side] = (self.ipid[side] + 1) & 0xFFFF
        ethertype, l3 = net.ip_packet(src.ip, dst.ip, proto, l4, self.ipid[side], src.ttl_seen(),
                                      flow_label=self.flow_label[side])
        frame, outer = _frame_for(src, dst, ethertype, l3, self.fhash)
        wire = len(frame)
        if self.npkts >= min(self.keep_max, self.cap.head_max):
            self.whole = False
        if not self.whole:
            frame = frame[:outer + SNAP]
        elif self.npkts in self.cut_at:
            frame = frame[:outer + self.cut_at[self.npkts]]
        self.npkts += 1
        self.cap.emit(t, frame, wire, self.home_ips)

    def truth(self, label, name):
        a, b = self.hosts
        self.cap.add_truth(self.l4name, a.ip, self.ports[0], b.ip, self.ports[1], label, name, self.t0)


class UdpFlow(Flow):
    proto = net.IPPROTO_UDP
    l4name = "udp"

    def __init__(self, cap, t, a, ap, b, bp):
        super().__init__(cap, t, a, ap, b, bp)
        self.last_t = [0, 0]

    def send(self, side, payload, t=None):
        t = self.t if t is None else t
        if t < self.last_t[side]:
            raise ValueError("UDP %s:%d: side %d goes back in time" % (self.hosts[0].ip, self.ports[0], side))
        self.last_t[side] = t
        src, dst = self.hosts[side], self.hosts[1 - side]
        l4 = net.udp_datagram(src.ip, dst.ip, self.ports[side], self.ports[1 - side], payload)
        self._emit(t, side, self.proto, l4)
        self.t = t
        return t


C, S = 0, 1


class TcpFlow(Flow):
    """One TCP connection.  Side 0 is the client (initiator), side 1 the server."""
    proto = net.IPPROTO_TCP
    l4name = "tcp"

    def __init__(self, cap, t, client, cport, server, sport):
        super().__init__(cap, t, client, cport, server, sport)
        r = self.rng
        self.isn = [r.randrange(0, 1 << 32), r.randrange(0, 1 << 32)]
        self.nxt = list(self.isn)          # next sequence number each side will send
        self.ts_on = client.os != "windows" and server.os != "windows"
        self.ts_base = [r.randrange(1 << 20, 1 << 31), r.randrange(1 << 20, 1 << 31)]
        self.last_tsval = [0, 0]
        self.wscale = [7 if client.os == "linux" else 8 if client.os == "windows" else 6,
                       7 if server.os != "windows" else 8]
        self.win = [r.choice([501, 502, 509, 1026, 2052]) if client.os != "mac" else 2048,
                    r.choice([235, 249, 501, 502, 509])]
        mss = min(client.mss, server.mss)
        self.mss = mss - (12 if self.ts_on else 0)
        self.open = False
        self.closed = False
        self.last_t = [0, 0]     # packets of one side go out in time order

    # -- packet level
    def _opts(self, side, t, flags):
        h = self.hosts[side]
        tsval = (self.ts_base[side] + t // 1000) & 0xFFFFFFFF
        tsecr = self.last_tsval[1 - side]
        self.last_tsval[side] = tsval
        if flags & net.TCP_SYN:
            mss = net.tcp_opt_mss(h.mss)
            if side == S and not self.ts_on:
                return mss + net.NOP + net.NOP + net.SACK_OK + net.NOP + net.tcp_opt_ws(self.wscale[side])
            if h.os == "windows":
                return mss + net.NOP + net.tcp_opt_ws(self.wscale[side]) + net.NOP + net.NOP + net.SACK_OK
            if h.os == "mac":
                return (mss + net.NOP + net.tcp_opt_ws(self.wscale[side]) + net.NOP + net.NOP +
                        net.tcp_opt_ts(tsval, 0) + net.SACK_OK + net.EOL + net.EOL)
            return mss + net.SACK_OK + net.tcp_opt_ts(tsval, tsecr if side == S else 0) + net.NOP + \
                net.tcp_opt_ws(self.wscale[side])
        if self.ts_on:
            return net.NOP + net.NOP + net.tcp_opt_ts(tsval, tsecr)
        return b""

    def pkt(self, t, side, flags, payload=b""):
        if t < self.last_t[side]:
            raise ValueError("%s:%d <-> %s:%d: side %d sends at %d, before its previous packet at %d"
                             % (self.hosts[0].ip, self.ports[0], self.hosts[1].ip, self.ports[1], side, t,
                                self.last_t[side]))
        self.last_t[side] = t
        src, dst = self.hosts[side], self.hosts[1 - side]
        ack = self.nxt[1 - side] if flags & net.TCP_ACK else 0
        if flags & net.TCP_SYN:
            window = 64240 if src.os != "mac" else 65535
            if side == S:
                window = 65160 if src.os != "windows" else 65535
        else:
            window = self.win[side] + (self.rng.randrange(0, 3) if payload else 0)
        l4 = net.tcp_segment(src.ip, dst.ip, self.ports[side], self.ports[1 - side], self.nxt[side], ack,
                             flags, window, self._opts(side, t, flags), payload)
        self._emit(t, side, self.proto, l4)
        self.nxt[side] = (self.nxt[side] + len(payload) + (1 if flags & (net.TCP_SYN | net.TCP_FIN) else 0)) \
            & 0xFFFFFFFF
        self.t = max(self.t, t)
        return t

    # -- conversation level
    def connect(self, t=None, server_proc_us=30):
        t = self.t if t is None else t
        self.pkt(t, C, net.TCP_SYN)
        t2 = t + self.turn(S, server_proc_us)
        self.pkt(t2, S, net.TCP_SYN | net.TCP_ACK)
        t3 = t2 + self.turn(C, 20)
        self.pkt(t3, C, net.TCP_ACK)
        self.open = True
        return t3

    def refused(self, t=None):
        t = self.t if t is None else t
        self.pkt(t, C, net.TCP_SYN)
        self.nxt[S] = 0
        self.pkt(t + self.turn(S, 20), S, net.TCP_RST | net.TCP_ACK)
        self.closed = True

    def send(self, side, data, t=None, rate_bps=50e6, ack_every=2, push=True, coalesce=None):
        """Send data (bytes) from side; the other side acknowledges every `ack_every` frames.

        coalesce > 1 models a sensor with generic receive offload (GRO): a burst of that many
        MSS-sized segments (a TSO burst from the sender) is seen as one frame with an IP total
        length up to 64 KB.  An int, or a (lo, hi) range drawn per frame; None picks 1 up to four
        segments, (2, 12) up to 64 KB and (8, 44) above (bulk transfers run in full bursts).  The receiver then sends one (stretch) ACK
        per frame.  Captures made without GRO (cap.gro False: the raw VXLAN mirror) always
        see MSS-sized segments.
        Returns the time the last data segment was seen."""
        t = self.t if t is None else t
        other = 1 - side
        n = len(data)
        if not self.cap.gro:
            coalesce = 1
        elif coalesce is None:
            coalesce = 1 if n <= 4 * self.mss else (2, 12) if n <= 65536 else (8, 44)
        off = 0
        pending = 0
        last_ack = t
        v6 = net.is_v6(self.hosts[0].ip)
        max_frame_payload = 65535 - (0 if v6 else 20) - 20 - (12 if self.ts_on else 0)
        while off < n:
            k = coalesce if isinstance(coalesce, int) else self.rng.randint(*coalesce)
            if self.whole and self.npkts < min(self.keep_max, self.cap.head_max):
                k = 1  # packets the sensor keeps whole are never coalesced ones
            size = min(self.mss * k, (max_frame_payload // self.mss) * self.mss)
            chunk = data[off:off + size]
            off += len(chunk)
            last = off >= n
            flags = net.TCP_ACK | (net.TCP_PSH if last and push else 0)
            self.pkt(t, side, flags, chunk)
            pending += 1
            if pending >= ack_every or last or k > 1:
                delay = self.turn(other, 10)
                if last and pending == 1 and k == 1:
                    delay += 4000 if self.hosts[other].os == "linux" else 40000  # delayed ACK
                last_ack = self.pkt(t + delay, other, net.TCP_ACK)
                pending = 0
            if not last:
                gap = max(int(len(chunk) * 8 * 1e6 / rate_bps), 8)
                t += gap + self.rng.randrange(0, max(gap // 5, 1))
        self.t = max(t, last_ack)
        return t

    def send_at(self, side, data, t, **kw):
        return self.send(side, data, t=max(t, self.t + 1), **kw)

    def close(self, side=C, t=None, linger_us=0):
        """Orderly release: FIN from side, FIN+ACK back, final ACK."""
        if self.closed:
            return self.t
        t = (self.t if t is None else t) + linger_us
        other = 1 - side
        self.pkt(t, side, net.TCP_FIN | net.TCP_ACK)
        t2 = t + self.turn(other, 40)
        self.pkt(t2, other, net.TCP_FIN | net.TCP_ACK)
        t3 = t2 + self.turn(side, 10)
        self.pkt(t3, side, net.TCP_ACK)
        self.closed = True
        return t3

    def reset(self, side=C, t=None):
        t = self.t if t is None else t
        self.pkt(t, side, net.TCP_RST | net.TCP_ACK)
        self.closed = True
        return t


def addr_in(ip, nets):
    a = ipaddress.ip_address(ip)
    return any(a in ipaddress.ip_network(n) for n in nets)
