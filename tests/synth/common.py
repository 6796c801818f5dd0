"""Activities shared by the scenarios: browsing, periodic API calls, serving HTTPS, package
updates, SSH, and the relay shape of proxyware (a long-lived tunnel plus many short flows to
unrelated destinations, the tunnel carrying what the destinations return)."""
import datetime
import math

import apps
import catalog
import tls
from flows import C, S, TcpFlow, UdpFlow
from world import MS, US

KB = 1024
MB = 1024 * 1024


def ensure(w, name, v13=True, region=None, ttl=None, aaaa=False, cname=None, le=True, org=None, n_ips=1):
    if name in w.sites:
        return w.sites[name]
    if name in catalog.VENDOR:
        ips, ttl0, reg = catalog.VENDOR[name]
        ips = list(ips)
    else:
        ips = [catalog.site_ip(name, i) for i in range(n_ips)]
        ttl0 = 300
        reg = "eu"
    if aaaa:
        ips.append(catalog.site_ip6(name))
    return w.site(name, ips, region=region or reg, ttl=ttl or ttl0, v13=v13, cname=cname, le=le, org=org)


def lognorm_bytes(w, median, sigma=1.0, lo=200, hi=50 * MB):
    return int(min(hi, max(lo, w.rng.lognormvariate(math.log(median), sigma))))


def page_exchanges(w, n_lo=1, n_hi=6, median=18 * KB):
    return [(w.rng.randrange(380, 950), lognorm_bytes(w, median, 1.1, 300, 2 * MB))
            for _ in range(w.rng.randint(n_lo, n_hi))]


def browse(w, client, t0, t1, mean_gap_s=90, names=None, profile="chrome", aaaa=False, resolver=None,
           median=18 * KB):
    """A person browsing: a page visit opens 1-3 TLS connections to the site and its CDNs."""
    names = names or catalog.POPULAR
    rng = w.rng
    t = t0 + rng.randrange(0, int(mean_gap_s * US))
    while t < t1:
        visit = rng.sample(names, rng.randint(1, 3))
        tt = t
        for name in visit:
            ensure(w, name, aaaa=aaaa)
            w.https_get(client, name, tt, profile=profile, exchanges=page_exchanges(w, median=median),
                        resolver=resolver, aaaa=aaaa, rate_bps=rng.choice([20e6, 40e6, 80e6]))
            tt += rng.randrange(30 * MS, 400 * MS)
        t += int(rng.expovariate(1.0 / mean_gap_s) * US) + 2 * US


def periodic_https(w, client, name, t0, t1, period_s, jitter_s=1.0, profile="go", req=(300, 600),
                   resp=(200, 900), port=443, resolver=None, label="TLS"):
    """A new TLS connection every period (agents, heartbeats).  Returns the start times."""
    rng = w.rng
    ensure(w, name)
    t = t0 + rng.randrange(0, US)
    starts = []
    while t < t1:
        server, tq = w.lookup(client, name, t, resolver=resolver)
        w.tls_conn(client, server, tq, name, profile=profile, port=port,
                      exchanges=[(rng.randrange(*req), rng.randrange(*resp))], chain=w.sites[name].chain,
                      v13=w.sites[name].v13, label=label, alpn=["http/1.1"] if profile == "go" else None)
        starts.append(t)
        t += int((period_s + rng.uniform(-jitter_s, jitter_s)) * US)
    return starts


def keepalive_https(w, client, name, t0, t1, period_s, jitter_s=0.5, profile="go", req=(300, 600),
                    resp=(200, 900), max_life_s=300, port=443, resolver=None, extra=None):
    """One TLS connection reused for a request every period (HTTP keep-alive); the server closes
    it after max_life_s and the client reconnects.  extra: {time_us: (req, resp)} one-off calls."""
    rng = w.rng
    ensure(w, name)
    site = w.sites[name]
    t = t0 + rng.randrange(0, US)
    while t < t1:
        server, tq = w.lookup(client, name, t, resolver=resolver)
        life_end = min(t1, t + int(max_life_s * US))
        f = TcpFlow(w.cap, tq, client, client.ephemeral_port(rng), server, port)
        _tls_open(w, f, name, profile, site.chain, site.v13)
        tn = f.t + rng.randrange(1 * MS, 5 * MS)
        while tn < life_end:
            f.send(C, tls.app_data(rng, rng.randrange(*req), site.v13), max(tn, f.t + 1))
            f.send(S, tls.app_data(rng, rng.randrange(*resp), site.v13), f.t + f.turn(S, rng.randrange(2, 40) * MS))
            tn += int((period_s + rng.uniform(-jitter_s, jitter_s)) * US)
        if life_end < t1:
            f.send(S, tls.alert_close(rng, site.v13), f.t + rng.randrange(1 * US, 3 * US))
            f.close(S, f.t + 30)
            t = f.t + rng.randrange(200 * MS, 2 * US)
        else:
            t = t1


def _tls_open(w, f, sni, profile, chain, v13=True, alpn=None):
    """Handshake on an unconnected flow (used by long-lived connections)."""
    rng = w.rng
    t = f.connect(f.t)
    ch = tls.client_hello(rng, profile, sni, alpn or (["http/1.1"] if profile == "go" else None))
    f.send(C, ch, t + rng.randrange(40, 400))
    f.truth("TLS", sni or "")
    sh = tls.server_hello(rng, ch, v13=v13, alpn="http/1.1", ticket=True)
    f.answer_head()
    if v13:
        f.send(S, tls.tls13_server_flight(rng, sh, chain), f.t + f.turn(S, rng.randrange(300, 2500)))
        f.send(C, tls.tls13_client_finish(rng), f.t + rng.randrange(200, 3000))
        f.send(S, tls.tls13_session_tickets(rng, 1), f.t + f.turn(S, 200))
    else:
        flight = tls.tls12_server_flight(rng, sh, chain)
        f.cut_at.clear()
        f.keep_max = f.npkts + (len(flight) + f.mss - 1) // f.mss
        f.send(S, flight, f.t + f.turn(S, rng.randrange(300, 2500)))
        f.send(C, tls.tls12_client_finish(rng), f.t + rng.randrange(200, 3000))
        f.send(S, tls.tls12_server_finish(rng), f.t + f.turn(S, 300))
    f.slice_now()
    return f


def tls_connection(w, client, server, t, sni, profile="go", port=443, chain=None, v13=True, alpn=None):
    """An open TLS connection (handshake done) for callers that drive it themselves."""
    f = TcpFlow(w.cap, t, client, client.ephemeral_port(w.rng), server, port)
    if chain is None:
        chain = w.sites[sni].chain if sni in w.sites else w.certs.le_chain(sni or server.ip, [sni or server.ip],
                                                                            _dt(w.t_start - 30 * 86400 * US))
    return _tls_open(w, f, sni, profile, chain, v13, alpn)


def _dt(t_us):
    return datetime.datetime.fromtimestamp(t_us // US, datetime.timezone.utc).replace(tzinfo=None)


def apt_update(w, host, t, mirror="deb.debian.org", suite="bookworm", n_pkgs=0, pkg_median=300 * KB,
               resolver=None, ua="Debian APT-HTTP/1.3 (2.6.1)", distro="debian"):
    """apt-get update (+ upgrade of n_pkgs packages) over plain HTTP with keep-alive."""
    rng = w.rng
    ensure(w, mirror, ttl=300)
    server, t = w.lookup(host, mirror, t + rng.randrange(0, US), resolver=resolver)
    root = "/%s/dists/%s" % (distro, suite)
    reqs = []
    for path, size in [(root + "/InRelease", 151 * KB), (root + "-updates/InRelease", 56 * KB),
                       (root + "/main/binary-amd64/Packages.diff/Index", 21 * KB)]:
        reqs.append((apps.http_request("GET", mirror, path, [("User-Agent", ua), ("Cache-Control", "max-age=0")]),
                     apps.http_response(200, [("Content-Type", "text/plain"), ("Last-Modified", apps.http_date(t - 7200 * US)),
                                              ("Server", "Apache")], body_len=size, rng=rng)))
    for i in range(n_pkgs):
        size = lognorm_bytes(w, pkg_median, 1.2, 20 * KB, 40 * MB)
        path = "/%s/pool/main/%s/pkg%03d_%d.deb" % (distro, "abcdefghilmnoprstuvw"[i % 20], i, rng.randrange(100, 999))
        reqs.append((apps.http_request("GET", mirror, path, [("User-Agent", ua)]),
                     apps.http_response(200, [("Content-Type", "application/vnd.debian.binary-package"),
                                              ("Server", "Apache")], body_len=size, rng=rng)))
    return w.http_conn(host, server, t + rng.randrange(100, 900), mirror, reqs, rate_bps=rng.choice([80e6, 200e6]),
                          think_us=(1 * MS, 20 * MS), ack_every=2)


def ssh_conn(w, client, server, t, duration_s, port=22, interactive=True, upload_bytes=0, rate_bps=20e6,
                client_sw="OpenSSH_9.2p1 Debian-2+deb12u2", server_sw="OpenSSH_9.2p1 Debian-2+deb12u2",
                coalesce=None):
    """SSH: banners, KEXINIT both ways, ECDH, NEWKEYS, then encrypted traffic."""
    rng = w.rng
    t += rng.randrange(0, US)
    f = TcpFlow(w.cap, t, client, client.ephemeral_port(rng), server, port)
    t = f.connect(t)
    f.truth("SSH", "")
    f.send(S, apps.ssh_banner(server_sw), t + f.turn(S, 2 * MS))
    f.send(C, apps.ssh_banner(client_sw), f.t + f.turn(C, 500))
    f.send(C, apps.ssh_kexinit(rng, server=False), f.t + 200)
    f.send(S, apps.ssh_kexinit(rng, server=True), f.t + f.turn(S, 300))
    f.send(C, apps.ssh_kex_ecdh_init(rng), f.t + f.turn(C, 400))
    f.send(S, apps.ssh_kex_ecdh_reply(rng), f.t + f.turn(S, 1500))
    f.keep_max = f.npkts
    f.send(C, apps.ssh_packet(rng, b"\x15") + apps.ssh_encrypted(rng, 40), f.t + f.turn(C, 300))
    # user auth
    for _ in range(3):
        f.send(S, apps.ssh_encrypted(rng, rng.randrange(40, 400)), f.t + f.turn(S, 800))
        f.send(C, apps.ssh_encrypted(rng, rng.randrange(60, 700)), f.t + f.turn(C, 300))
    t_end = t + int(duration_s * US)
    if upload_bytes:
        f.send(C, apps.ssh_encrypted(rng, upload_bytes), f.t + 5 * MS, rate_bps=rate_bps, coalesce=coalesce)
    if interactive:
        tt = f.t
        while tt < t_end:
            # a keystroke echo, sometimes a screenful of output
            f.send(C, apps.ssh_encrypted(rng, 20), tt)
            out = 20 if rng.random() < 0.8 else rng.randrange(200, 6000)
            f.send(S, apps.ssh_encrypted(rng, out), f.t + f.turn(S, 300))
            tt = f.t + int(rng.expovariate(1 / 2.5) * US) + 80 * MS
    f.close(C, max(f.t, t_end) + 2 * MS)
    return f


def serve_https(w, server, t0, t1, per_min, sni, peers, profiles=("chrome", "safari", "firefox"),
                port=443, resp_median=30 * KB, v13_frac=0.85, requests=(1, 5), coalesce=None, rate_bps=30e6):
    """Inbound TLS to server from outside peers at per_min connections a minute (a number or a
    function of time).  peers: a function returning a peer Host."""
    rng = w.rng
    t = t0 + rng.randrange(0, US)
    chain = w.certs.le_chain(sni if isinstance(sni, str) else "server", [sni] if isinstance(sni, str) else [],
                             _dt(w.t_start - 20 * 86400 * US))
    flows = []
    while t < t1:
        rate = per_min(t) if callable(per_min) else per_min
        if rate <= 0:
            t += 10 * US
            continue
        peer = peers()
        name = sni(peer) if callable(sni) else sni
        ex = [(rng.randrange(300, 800), lognorm_bytes(w, resp_median, 1.2, 400, 40 * MB))
              for _ in range(rng.randint(*requests))]
        f = w.tls_conn(peer, server, t, name, profile=rng.choice(profiles), exchanges=ex, port=port,
                          v13=rng.random() < v13_frac, chain=chain, rate_bps=rate_bps,
                          coalesce=coalesce, close="c" if rng.random() < 0.7 else "s")
        flows.append(f)
        t += int(rng.expovariate(rate / 60.0) * US) + 1000
    return flows


# ---------------------------------------------------------------- relay shape

class Tunnel:
    """A long-lived flow carrying relayed traffic.  Messages are collected from the relayed
    flows (which overlap in time) and written in time order at the end."""

    def __init__(self, w, flow, wrap, rate_bps=30e6, coalesce=None):
        self.w = w
        self.flow = flow
        self.wrap = wrap          # wrap(nbytes, side) -> payload bytes
        self.rate = rate_bps
        self.coalesce = coalesce
        self.msgs = []

    def add(self, t, side, nbytes):
        self.msgs.append((t, len(self.msgs), side, nbytes))

    def keepalive(self, t0, t1, period_s, nbytes=(24, 64), side=C, answer=True):
        rng = self.w.rng
        t = t0
        while t < t1:
            self.add(t, side, rng.randrange(*nbytes))
            if answer:
                self.add(t + 2 * self.flow.hosts[1 - side].delay_us + 300, 1 - side, rng.randrange(*nbytes))
            t += int((period_s + rng.uniform(-0.5, 0.5)) * US)

    def flush(self):
        f = self.flow
        for t, _, side, n in sorted(self.msgs):
            payload = self.wrap(n, side)
            if isinstance(f, UdpFlow):
                f.send(side, payload, max(t, f.t + 1))
            else:
                f.send(side, payload, max(t, f.t + 1), rate_bps=self.rate, coalesce=self.coalesce)
        self.msgs = []


def relay_flows(w, node, t0, t1, n, on_request, targets=None, udp_frac=0.15, resolver=None, resp_median=24 * KB,
                profiles=("chrome", "openssl", "go", "firefox"), http_frac=0.1, dns_resolvers=None):
    """n short outbound flows from node to unrelated destinations between t0 and t1.
    on_request(t_start, t_end, up_bytes, down_bytes, dest) is called for each so the caller can
    move the same bytes over its tunnel.  Returns the destinations used."""
    rng = w.rng
    targets = targets or catalog.RELAY_TARGETS
    dns_resolvers = dns_resolvers or catalog.RESOLVERS
    starts = sorted(t0 + int(rng.random() * (t1 - t0)) for _ in range(n))
    used = []
    for t in starts:
        r = rng.random()
        if r < udp_frac:
            # relayed UDP: a DNS query the customer sends through the node to a public resolver
            name = rng.choice(targets)
            ensure(w, name)
            res = w.outside(rng.choice(dns_resolvers), region="near")
            port = node.ephemeral_port(rng)
            f = UdpFlow(w.cap, t, node, port, res, 53)
            qid = rng.randrange(65536)
            q = apps.dns_query(qid, name, "A", edns=rng.random() < 0.5)
            f.send(C, q, t)
            a = apps.dns_response(qid, name, "A", [(name, "A", 300, w.sites[name].hosts[0].ip)])
            f.send(S, a, t + f.turn(S, rng.randrange(2, 30) * MS))
            f.truth("DNS", name)
            on_request(t, f.t, len(q), len(a), res)
            used.append(res.ip)
            continue
        name = rng.choice(targets)
        ensure(w, name)
        dest, tq = w.lookup(node, name, t + rng.randrange(1 * MS, 4 * MS), resolver=resolver)
        ex = [(rng.randrange(400, 1400), lognorm_bytes(w, resp_median, 1.0, 500, 4 * MB))
              for _ in range(rng.randint(1, 3))]
        if r < udp_frac + http_frac:
            reqs = [(apps.http_request("GET", name, "/" if i == 0 else "/p/%d" % rng.randrange(10 ** 6),
                                       [("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                                       "(KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36"),
                                        ("Accept", "*/*")]),
                     apps.http_response(301 if i == 0 else 200, [("Location", "https://%s/" % name)] if i == 0 else
                                        [("Content-Type", "text/html")], body_len=0 if i == 0 else b, rng=rng))
                    for i, (_, b) in enumerate(ex[:2])]
            f = w.http_conn(node, dest, tq, name, reqs, rate_bps=rng.choice([10e6, 30e6]))
        else:
            f = w.tls_conn(node, dest, tq, name, profile=rng.choice(profiles), exchanges=ex,
                              chain=w.sites[name].chain, rate_bps=rng.choice([10e6, 30e6, 60e6]),
                              close="c" if rng.random() < 0.6 else "s")
        up = sum(a for a, _ in ex) + 600
        down = sum(b for _, b in ex) + 4000
        on_request(t, f.t, up, down, dest)
        used.append(dest.ip)
    return used


def smtp_conn(w, client, server, t, helo, mx_name, message_bytes, rate_bps=20e6, profile="openssl"):
    """ESMTP with STARTTLS (RFC 3207), then the message inside TLS."""
    rng = w.rng
    f = TcpFlow(w.cap, t, client, client.ephemeral_port(rng), server, 25)
    t = f.connect(t)
    f.truth("SMTP", "")
    f.send(S, apps.smtp_lines(["220 %s ESMTP Postfix (Debian/GNU)" % mx_name]), t + f.turn(S, 3 * MS))
    f.send(C, apps.smtp_lines(["EHLO %s" % helo]), f.t + f.turn(C, 500))
    f.send(S, apps.smtp_lines(["250-%s" % mx_name, "250-PIPELINING", "250-SIZE 52428800", "250-ETRN", "250-STARTTLS",
                               "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING"]),
           f.t + f.turn(S, 400))
    f.send(C, apps.smtp_lines(["STARTTLS"]), f.t + f.turn(C, 300))
    f.send(S, apps.smtp_lines(["220 2.0.0 Ready to start TLS"]), f.t + f.turn(S, 300))
    ch = tls.client_hello(rng, profile, mx_name)
    f.send(C, ch, f.t + f.turn(C, 300))
    sh = tls.server_hello(rng, ch, v13=True)
    chain = w.certs.le_chain(mx_name, [mx_name], _dt(w.t_start - 50 * 86400 * US))
    f.answer_head()
    f.send(S, tls.tls13_server_flight(rng, sh, chain), f.t + f.turn(S, 900))
    f.slice_now()
    f.send(C, tls.tls13_client_finish(rng) + tls.app_data(rng, 90), f.t + f.turn(C, 400))
    f.send(S, tls.tls13_session_tickets(rng, 2) + tls.app_data(rng, 160), f.t + f.turn(S, 400))
    for req, resp in [(120, 40), (60, 30), (40, 30), (10, 60)]:   # MAIL FROM, RCPT TO, DATA
        f.send(C, tls.app_data(rng, req), f.t + f.turn(C, 200))
        f.send(S, tls.app_data(rng, resp), f.t + f.turn(S, 600))
    f.send(C, tls.app_data(rng, message_bytes), f.t + 200, rate_bps=rate_bps)
    f.send(S, tls.app_data(rng, 70), f.t + f.turn(S, 20 * MS))
    f.send(C, tls.app_data(rng, 10), f.t + f.turn(C, 200))
    f.send(S, tls.app_data(rng, 40), f.t + f.turn(S, 200))
    f.close(S, f.t + 300)
    return f


def imaps_conn(w, client, server, t, sni, duration_s, profile="safari", idle=True):
    """IMAP over TLS on 993: login, a folder sync, then IDLE with a few updates."""
    rng = w.rng
    f = w.tls_conn(client, server, t, sni, profile=profile, port=993, alpn=["imap"],
                      exchanges=[(rng.randrange(60, 120), rng.randrange(200, 400)),
                                 (rng.randrange(80, 200), rng.randrange(2 * KB, 60 * KB)),
                                 (rng.randrange(40, 80), rng.randrange(60, 300))],
                      close=None, label="IMAPS")
    if idle:
        tt = f.t + rng.randrange(20 * US, 200 * US)
        end = t + int(duration_s * US)
        while tt < end:
            f.send(S, tls.app_data(rng, rng.randrange(40, 3000)), tt)
            f.send(C, tls.app_data(rng, rng.randrange(40, 200)), f.t + f.turn(C, 2 * MS))
            tt = f.t + int(rng.expovariate(1 / 300.0) * US)
        f.send(C, tls.alert_close(rng), min(tt, end))
        f.close(C, f.t + 20)
    return f
