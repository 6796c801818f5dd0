"""Meson node behaviour shared by meson-node and meson-fleet-vxlan (indicators section 1)."""
import catalog
import tls
from common import KB, MB, _dt, _tls_open, ensure, lognorm_bytes
from flows import C, S, TcpFlow
from world import MS, US

TARBALL = "/public/meson_cdn/v3.1.20/meson_cdn-linux-amd64.tar.gz"
TARBALL_SIZE = 7_612_431  # bytes; the real size is not known, this is a plausible Go tarball
PULLZONES = ["-06-exsief", "-05-nftcd", "-04-imgx"]
BACKEND_CHECKERS = ["198.51.100.60", "198.51.100.61"]


def spec00_tag(ipv4):
    """Meson's node hostname tag: digits 0-9 -> a-j, '.' -> k, right-padded with x to 15."""
    tag = "".join("k" if c == "." else chr(ord("a") + int(c)) for c in ipv4)
    return (tag + "x" * 15)[:15]


def spec00_name(ipv4, pullzone=""):
    return "spec00-%s%s.mesontracking.com" % (spec00_tag(ipv4), pullzone)


def node_chain(w):
    """The node's certificate: Let's Encrypt wildcard for mesontracking.com."""
    return w.certs.le_chain("*.mesontracking.com", ["*.mesontracking.com", "mesontracking.com"],
                            _dt(w.t_start - 33 * 86400 * US))


def download_tarball(w, node, t, rate_bps=90e6, coalesce=None, resolver=None):
    """userdata: wget the meson_cdn tarball.  Returns the time the download finished."""
    name = "staticassets.meson.network"
    ensure(w, name)
    server, tq = w.lookup(node, name, t, resolver=resolver)
    f = w.tls_conn(node, server, tq, name, profile="gnutls", exchanges=[(180, TARBALL_SIZE + 420)],
                      chain=w.sites[name].chain, rate_bps=rate_bps, coalesce=coalesce, ack_every=8)
    return f.t


def api_call(w, node, t, req=(320, 640), resp=(180, 700), resolver=None):
    """One control-API call to cdn.meson.network on a fresh TLS connection (Go client)."""
    name = "cdn.meson.network"
    ensure(w, name)
    server, tq = w.lookup(node, name, t, resolver=resolver)
    rng = w.rng
    f = w.tls_conn(node, server, tq, name, profile="go", alpn=["h2", "http/1.1"],
                      exchanges=[(rng.randrange(*req), rng.randrange(*resp))], chain=w.sites[name].chain,
                      rate_bps=20e6)
    return f


def startup_calls(w, node, t, resolver=None):
    """token_check, cert/hash, cert, node_config, version, node_domain, first heartbeat."""
    for req, resp in [((300, 400), (150, 300)), ((300, 400), (120, 200)), ((300, 400), (5200, 5600)),
                      ((300, 400), (600, 1400)), ((300, 400), (150, 260)), ((300, 400), (180, 320)),
                      ((420, 560), (150, 260))]:
        f = api_call(w, node, t, req, resp, resolver)
        t = f.t + w.rng.randrange(20 * MS, 300 * MS)
    return t


def heartbeats(w, node, t0, t1, resolver=None, period_s=30.0):
    """POST /api/node/heartbeat every 30 s on a new TLS connection; plus the 300 s file jobs."""
    rng = w.rng
    t = t0
    next_file_job = t0 + 300 * US
    while t < t1:
        api_call(w, node, t, (420, 560), (150, 260), resolver)
        if t >= next_file_job:
            api_call(w, node, t + rng.randrange(2 * US, 5 * US), (300, 700), (150, 900), resolver)
            next_file_job += 300 * US
        t += int((period_s + rng.uniform(-0.8, 0.8)) * US)


def keepalive_heartbeats(w, node, t0, t1, resolver=None, period_s=30.0, max_life_s=300):
    """Heartbeats over one reused connection (Go's keep-alive); the server closes it every few
    minutes and the node reconnects."""
    rng = w.rng
    name = "cdn.meson.network"
    ensure(w, name)
    site = w.sites[name]
    t = t0
    while t < t1:
        server, tq = w.lookup(node, name, t, resolver=resolver)
        f = TcpFlow(w.cap, tq, node, node.ephemeral_port(rng), server, 443)
        _tls_open(w, f, name, "go", site.chain, True, alpn=["h2", "http/1.1"])
        end = min(t1, t + int(max_life_s * US))
        tn = f.t + rng.randrange(1 * MS, 20 * MS)
        while tn < end:
            f.send(C, tls.app_data(rng, rng.randrange(420, 560)), max(tn, f.t + 1))
            f.send(S, tls.app_data(rng, rng.randrange(150, 260)), f.t + f.turn(S, rng.randrange(5, 40) * MS))
            tn += int((period_s + rng.uniform(-0.8, 0.8)) * US)
        if end < t1:
            f.send(S, tls.alert_close(rng), f.t + rng.randrange(1 * US, 3 * US))
            f.close(S, f.t + 30)
            t = f.t + rng.randrange(200 * MS, 2 * US)
        else:
            t = t1


def health_checks(w, node, public_ip, t, count=2):
    """Meson's backend confirms the node is reachable (the 75 s callback check)."""
    rng = w.rng
    chain = node_chain(w)
    for i in range(count):
        checker = w.outside(BACKEND_CHECKERS[i % len(BACKEND_CHECKERS)], region="eu")
        w.tls_conn(checker, node, t, spec00_name(public_ip), profile="go", alpn=["http/1.1"],
                      exchanges=[(rng.randrange(150, 220), rng.randrange(90, 160))], chain=chain, rate_bps=50e6)
        t += rng.randrange(15 * US, 30 * US)
    return t


def serve_inbound(w, node, public_ip, t0, t1, per_min, peers, resp_median=30 * KB, big_frac=0.03,
                  coalesce=None, v13_frac=0.85, requests=(1, 3), pullzone_frac=0.3):
    """Users fetching cached files from the node over TLS with the node's spec00 name as SNI."""
    rng = w.rng
    chain = node_chain(w)
    t = t0
    flows = []
    while t < t1:
        rate = per_min(t) if callable(per_min) else per_min
        peer = peers()
        sni = spec00_name(public_ip, rng.choice(PULLZONES) if rng.random() < pullzone_frac else "")
        ex = []
        for _ in range(rng.randint(*requests)):
            size = lognorm_bytes(w, 3 * MB, 0.6, 1 * MB, 20 * MB) if rng.random() < big_frac else \
                lognorm_bytes(w, resp_median, 1.0, 600, 1 * MB)
            ex.append((rng.randrange(380, 720), size))
        f = w.tls_conn(peer, node, t, sni, profile=rng.choice(["chrome", "chrome", "safari", "firefox", "openssl"]),
                          exchanges=ex, v13=rng.random() < v13_frac, chain=chain,
                          rate_bps=rng.choice([8e6, 15e6, 30e6, 60e6]), coalesce=coalesce,
                          ack_every=rng.choice([2, 2, 3, 4]), close="c" if rng.random() < 0.75 else "s")
        flows.append(f)
        t += int(rng.expovariate(rate / 60.0) * US) + 1000
    return flows


def speed_test(w, node, public_ip, t, size=100 * MB, coalesce=(24, 44)):
    checker = w.outside(BACKEND_CHECKERS[1], region="eu")
    return w.tls_conn(checker, node, t, spec00_name(public_ip), profile="go", alpn=["http/1.1"],
                         exchanges=[(210, size)], chain=node_chain(w), rate_bps=250e6, coalesce=coalesce)


def cache_fills(w, node, t0, t1, n, resolver=None, origins=None):
    """download_task: the node pulls files from origins, then reports download/success."""
    rng = w.rng
    origins = origins or catalog.CACHE_ORIGINS
    for _ in range(n):
        t = t0 + int(rng.random() * (t1 - t0))
        name = rng.choice(origins)
        ensure(w, name)
        server, tq = w.lookup(node, name, t, resolver=resolver)
        f = w.tls_conn(node, server, tq, name, profile="go", alpn=["h2", "http/1.1"],
                          exchanges=[(rng.randrange(250, 500), lognorm_bytes(w, 220 * KB, 1.0, 8 * KB, 6 * MB))],
                          chain=w.sites[name].chain, rate_bps=rng.choice([40e6, 100e6]))
        api_call(w, node, f.t + rng.randrange(50 * MS, 400 * MS), (380, 520), (120, 200), resolver)
