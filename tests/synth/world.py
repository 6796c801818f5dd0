"""A scenario's world: addresses, DNS, certificates, and ready-made conversations
(DNS lookups, TLS connections, HTTP exchanges) built on flows.py."""
import datetime
import ipaddress
import random

import apps
import flows
import net
import tls
from flows import C, S, Host, TcpFlow, UdpFlow

US = 1000000
MS = 1000


def ts(rfc3339):
    d = datetime.datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * US


def rfc3339(t_us):
    d = datetime.datetime.fromtimestamp(t_us // US, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


# First octets of ordinary ISP address space the random outside peers are drawn from.
PEER_OCTETS = [2, 5, 24, 31, 37, 46, 62, 73, 77, 78, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91,
               92, 93, 94, 95, 98, 109, 112, 113, 114, 115, 116, 118, 119, 121, 122, 123, 124, 125,
               175, 176, 177, 178, 180, 182, 183, 186, 187, 188, 189, 190, 201, 202, 210, 211, 212,
               213, 217, 218, 219, 220, 221, 222]
RESERVED = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/3")]

REGION_RTT_MS = {"lan": (0.2, 0.6), "az": (0.3, 1.2), "region": (1.5, 6), "near": (8, 25),
                 "eu": (18, 45), "us": (85, 130), "asia": (150, 260), "sa": (180, 240)}


class Site:
    """A DNS name and the servers behind it."""

    def __init__(self, name, hosts, ttl=300, cname=None, v13=True, tls_stack="nginx", chain=None):
        self.name = name
        self.hosts = hosts
        self.ttl = ttl
        self.cname = cname
        self.v13 = v13
        self.tls_stack = tls_stack
        self.chain = chain


class World:
    def __init__(self, name, seed, t_start, t_end):
        self.name = name
        self.rng = random.Random("%s/%s" % (seed, name))
        self.cap = flows.Capture(name, self.rng, t_start, t_end)
        self.t_start, self.t_end = t_start, t_end
        self.certs = tls.CertStore(random.Random("%s/%s/certs" % (seed, name)))
        self.sites = {}
        self.by_ip = {}
        self.used_ips = set()
        self.mac_n = 0
        self.dns_cache = {}
        self.resolver = None

    # ------------------------------------------------------------ addresses
    def mac(self, oui="02:42:ac"):
        self.mac_n += 1
        r = self.rng.randrange(0, 1 << 24)
        return "%s:%02x:%02x:%02x" % (oui, r >> 16, (r >> 8) & 0xFF, r & 0xFF)

    def home(self, ip, segment, os="linux", name=None, mss=None, oui=None, delay_us=None):
        """A monitored host.  oui: first three MAC octets (default: locally administered, like
        cloud ENIs and VMs)."""
        h = Host(ip, self.mac(oui or "0a:%02x:%02x" % (self.rng.randrange(256), self.rng.randrange(256))),
                 segment, os=os, name=name, mss=mss,
                 delay_us=delay_us if delay_us is not None else self.rng.randrange(60, 400))
        self.used_ips.add(ip)
        self.by_ip[ip] = h
        return h

    def outside(self, ip=None, region="eu", os="linux", mss=None):
        if ip is None:
            ip = self.public_ip()
        if ip in self.by_ip:
            return self.by_ip[ip]
        lo, hi = REGION_RTT_MS[region]
        rtt_us = int(self.rng.uniform(lo, hi) * MS)
        hops = self.rng.randrange(0, 2) if region in ("lan", "az") else self.rng.randrange(6, 22)
        h = Host(ip, None, None, os=os, hops=hops, delay_us=rtt_us // 2, mss=mss)
        self.used_ips.add(ip)
        self.by_ip[ip] = h
        return h

    def public_ip(self, octets=None):
        while True:
            a = self.rng.choice(octets or PEER_OCTETS)
            ip = "%d.%d.%d.%d" % (a, self.rng.randrange(0, 256), self.rng.randrange(0, 256), self.rng.randrange(1, 255))
            addr = ipaddress.ip_address(ip)
            if ip not in self.used_ips and not any(addr in n for n in RESERVED):
                return ip

    def public_ip6(self):
        while True:
            ip = "2a0%d:%x:%x:%x::%x" % (self.rng.randrange(1, 10), self.rng.randrange(0x1000, 0xffff),
                                         self.rng.randrange(0, 0xffff), self.rng.randrange(0, 0xffff),
                                         self.rng.randrange(1, 0xffff))
            ip = str(ipaddress.ip_address(ip))
            if ip not in self.used_ips:
                return ip

    def site(self, name, ips, region="eu", ttl=300, cname=None, v13=True, tls_stack="nginx", org=None,
             le=True, os="linux"):
        hosts = [self.outside(ip, region=region, os=os) if isinstance(ip, str) else ip for ip in ips]
        if le:
            chain = self.certs.le_chain(name, [name], datetime.datetime.fromtimestamp(
                self.t_start // US - 40 * 86400, datetime.timezone.utc).replace(tzinfo=None))
        else:
            chain = self.certs.org_chain(name, [name, "*." + name.split(".", 1)[1]], org or "Example Inc",
                                         "DigiCert Global G2 TLS RSA SHA256 2020 CA1",
                                         datetime.datetime(2023, 11, 2))
        s = Site(name, hosts, ttl=ttl, cname=cname, v13=v13, tls_stack=tls_stack, chain=chain)
        self.sites[name] = s
        return s

    # ------------------------------------------------------------ DNS
    def lookup(self, client, name, t, resolver=None, aaaa=False, edns=True, force=False):
        """Resolve name from client; returns (server Host, time the answer was seen).  Answers are
        cached by the client for their TTL, as a stub resolver does."""
        site = self.sites[name]
        resolver = resolver or client.resolver or self.resolver
        key = (client.ip, name)
        exp = self.dns_cache.get(key)
        if exp and exp[0] > t and not force:
            return exp[1], t
        port = client.ephemeral_port(self.rng)
        f = UdpFlow(self.cap, t, client, port, resolver, 53)
        qid = self.rng.randrange(0, 65536)
        f.send(C, apps.dns_query(qid, name, "A", edns), t)
        hit = self.rng.random() < 0.6
        t2 = t + f.turn(S, self.rng.randrange(150, 600) if hit else self.rng.randrange(8000, 45000))
        left = site.ttl - (t // US) % site.ttl if hit else site.ttl
        answers = []
        qname = name
        if site.cname:
            answers.append((name, "CNAME", left, site.cname))
            qname = site.cname
        order = list(site.hosts)
        self.rng.shuffle(order)
        for h in order:
            if not net.is_v6(h.ip):
                answers.append((qname, "A", left, h.ip))
        f.send(S, apps.dns_response(qid, name, "A", answers, edns), t2)
        f.truth("DNS", name)
        t_end = t2
        v6 = net.is_v6(client.ip)
        if net.is_v6(client.ip) != net.is_v6(resolver.ip):
            raise ValueError("%s asks resolver %s of the other address family" % (client.ip, resolver.ip))
        if aaaa or v6:
            qid2 = self.rng.randrange(0, 65536)
            f.send(C, apps.dns_query(qid2, name, "AAAA", edns), t + 40)
            ans6 = [(qname, "AAAA", left, h.ip) for h in order if net.is_v6(h.ip)]
            if site.cname:
                ans6.insert(0, (name, "CNAME", left, site.cname))
            t_end = max(t2, t + 40 + f.turn(S, self.rng.randrange(150, 900)))
            f.send(S, apps.dns_response(qid2, name, "AAAA", ans6, edns), t_end)
        same = [h for h in order if net.is_v6(h.ip) == v6]
        if not same:
            raise ValueError("%s has no %s address for %s" % (name, "IPv6" if v6 else "IPv4", client.ip))
        chosen = same[0]
        self.dns_cache[key] = (t + left * US, chosen)
        return chosen, t_end + self.rng.randrange(100, 900)

    # ------------------------------------------------------------ TLS
    def tls_conn(self, client, server, t, sni, profile="chrome", alpn=None, exchanges=((500, 4000),),
                    port=443, v13=True, chain=None, rate_bps=40e6, up_rate_bps=None, close="c",
                    think_us=(20 * MS, 400 * MS), idle_close_us=0, server_stack_rsa=True, cport=None,
                    label="TLS", ack_every=2, coalesce=None, up_coalesce=None):
        """A TLS connection: handshake, then for each (request_len, response_len) one protected request
        and response, then close_notify and FIN.  Returns the flow (flow.t is its end)."""
        rng = self.rng
        cport = cport or client.ephemeral_port(rng)
        f = TcpFlow(self.cap, t, client, cport, server, port)
        t = f.connect(t)
        ch = tls.client_hello(rng, profile, sni, alpn)
        f.send(C, ch, t + rng.randrange(40, 400))
        if sni is not None:
            f.truth(label, sni)
        else:
            f.truth(label, "")
        if chain is None:
            site = self.sites.get(sni) if sni else None
            chain = site.chain if site else self.certs.le_chain(sni or server.ip, [sni or server.ip],
                                                                datetime.datetime(2024, 1, 20))
        ts_ = f.t + f.turn(S, rng.randrange(300, 2500))
        neg_alpn = (alpn or (["h2", "http/1.1"] if profile in ("chrome", "firefox", "safari") else [None]))[0]
        sh = tls.server_hello(rng, ch, v13=v13, alpn=neg_alpn, ticket=True)
        if v13:
            flight = tls.tls13_server_flight(rng, sh, chain, rsa=server_stack_rsa)
            f.answer_head()
            f.send(S, flight, ts_, rate_bps=max(rate_bps, 20e6), ack_every=2)
            t = f.t + rng.randrange(200, 3000)
            first = tls.tls13_client_finish(rng)
        else:
            flight = tls.tls12_server_flight(rng, sh, chain, rsa=server_stack_rsa)
            f.keep_max = f.npkts + (len(flight) + f.mss - 1) // f.mss
            f.send(S, flight, ts_, rate_bps=max(rate_bps, 20e6), ack_every=2)
            t = f.t + rng.randrange(200, 3000)
            f.send(C, tls.tls12_client_finish(rng), t)
            f.send(S, tls.tls12_server_finish(rng), f.t + f.turn(S, 300))
            t = f.t + rng.randrange(100, 800)
            first = b""
        f.slice_now()
        up = up_rate_bps or rate_bps
        for i, (req, resp) in enumerate(exchanges):
            if i:
                t = f.t + rng.randrange(*think_us)
            payload = first + tls.app_data(rng, req, v13)
            first = b""
            f.send(C, payload, t, rate_bps=up, coalesce=up_coalesce)
            tr = f.t + f.turn(S, rng.randrange(500, 30000))
            body = tls.app_data(rng, resp, v13)
            if v13 and i == 0:
                body = tls.tls13_session_tickets(rng, 1 if profile == "go" else 2) + body
            f.send(S, body, tr, rate_bps=rate_bps, ack_every=ack_every, coalesce=coalesce)
        t = f.t + idle_close_us + rng.randrange(1000, 60000)
        side = C if close == "c" else S
        if close:
            f.send(side, tls.alert_close(rng, v13), t)
            f.close(side, f.t + 50)
        return f

    # ------------------------------------------------------------ HTTP
    def http_conn(self, client, server, t, host, requests, port=80, rate_bps=40e6, close="c",
                     label="HTTP", think_us=(5 * MS, 200 * MS), ack_every=2, coalesce=None):
        """requests: list of (request_bytes, response_bytes)."""
        rng = self.rng
        f = TcpFlow(self.cap, t, client, client.ephemeral_port(rng), server, port)
        t = f.connect(t)
        f.truth(label, host)
        for i, (req, resp) in enumerate(requests):
            if i:
                t = f.t + rng.randrange(*think_us)
            else:
                t = t + rng.randrange(30, 300)
            f.send(C, req, t)
            if i == 0:
                f.answer_head()
            tr = f.t + f.turn(S, rng.randrange(500, 20000))
            f.send(S, resp, tr, rate_bps=rate_bps, ack_every=ack_every, coalesce=coalesce)
        f.slice_now()
        if close:
            f.close(C if close == "c" else S, f.t + rng.randrange(1000, 30000))
        return f

    # ------------------------------------------------------------ helpers
    def https_get(self, client, name, t, profile="chrome", exchanges=((500, 4000),), resolver=None,
                  aaaa=False, **kw):
        server, t = self.lookup(client, name, t, resolver=resolver, aaaa=aaaa)
        site = self.sites[name]
        kw.setdefault("v13", site.v13)
        return self.tls_conn(client, server, t, name, profile=profile, exchanges=exchanges,
                                chain=site.chain, **kw)

    def jitter(self, base_us, frac):
        return int(base_us * (1 + self.rng.uniform(-frac, frac)))
