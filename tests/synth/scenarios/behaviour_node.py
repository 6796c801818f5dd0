"""behaviour-node.pcap: a new VM becomes a bandwidth node that no signature knows.

Hosting LAN 10.8.0.0/16 (plain Ethernet SPAN).  Ordinary servers run all along.  After the
learning period a new VM (10.8.3.77) appears, fetches a binary by IP over HTTP, keeps a TLS
connection without SNI to a coordinator address, and then accepts TLS on TCP 9443 from many
outside peers (most send no SNI, some a random-looking one), sending them far more than it
receives.  No vendor name appears anywhere: it can only be found by behaviour."""
import datetime

import apps
import net
import tls
from common import KB, MB, Tunnel, apt_update, ensure, keepalive_https, serve_https, ssh_conn, tls_connection
from expect import Expect
from flows import C, S, TcpFlow
from world import MS, US, World, rfc3339, ts

NAME = "behaviour-node"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def random_label(rng, n):
    return "".join(rng.choice(LETTERS + "0123456789") for _ in range(n))


def build(seed):
    T0 = ts("2024-04-02T13:00:00Z")
    T1 = ts("2024-04-02T13:50:00Z")
    w = World(NAME, seed, T0, T1)
    rng = w.rng
    seg = net.Segment("hosting-lan", "00:25:90:6b:00:01")
    resolver = w.home("10.8.0.53", seg, name="resolver")
    w.resolver = resolver
    web = w.home("10.8.1.10", seg, name="web", oui="00:25:90")
    db = w.home("10.8.1.20", seg, name="db", oui="00:25:90")
    ci = w.home("10.8.2.30", seg, name="ci", oui="00:25:90")
    mon = w.home("10.8.2.31", seg, name="monitoring", oui="00:25:90")
    dev = w.home("10.8.3.70", seg, name="dev-vm", oui="52:54:00")
    node = w.home("10.8.3.77", seg, name="new-vm", oui="52:54:00")

    serve_https(w, web, T0, T1, per_min=1.5, sni="app.larchmont-analytics.com",
                peers=lambda: w.outside(region=rng.choice(["eu", "us", "near"]), os=rng.choice(["windows", "mac", "linux"])),
                resp_median=12 * KB, requests=(1, 4))
    # web -> db: a pool of long-lived PostgreSQL connections (binary protocol, internal only)
    for k in range(3):
        f = TcpFlow(w.cap, T0 - rng.randrange(60 * US, 600 * US), web, web.ephemeral_port(rng), db, 5432)
        f.open = True
        f.slice_now()
        tq = T0 + rng.randrange(0, 5 * US)
        while tq < T1:
            f.send(C, b"Q" + rng.randbytes(rng.randrange(60, 400)), tq)
            f.send(S, b"T" + rng.randbytes(rng.randrange(80, 3000)), f.t + f.turn(S, rng.randrange(300, 4000)))
            tq = f.t + int(rng.expovariate(1 / 25.0) * US)
    keepalive_https(w, mon, "api.datadoghq.eu", T0 + 3 * US, T1, period_s=15, jitter_s=0.3, profile="go",
                    req=(1800, 4200), resp=(90, 200), max_life_s=600)
    for t_job in (T0 + 6 * 60 * US, T0 + 24 * 60 * US, T0 + 44 * 60 * US):
        for name, size in [("github.com", 200 * KB), ("codeload.github.com", 2 * MB), ("registry.npmjs.org", 900 * KB)]:
            ensure(w, name)
            f = w.https_get(ci, name, t_job, profile="openssl", exchanges=[(rng.randrange(300, 700), size)], rate_bps=100e6)
            t_job = f.t + rng.randrange(100 * MS, 600 * MS)
    ssh_conn(w, w.outside("198.51.100.77", region="near"), dev, T0 + 2 * 60 * US, 11 * 60)
    apt_update(w, dev, T0 + 15 * 60 * US, n_pkgs=2)

    # --- the new VM
    t_up = ts("2024-04-02T13:32:41Z") + 318_604
    coord = w.outside("185.243.115.42", region="eu")
    dl = w.outside("185.243.115.40", region="eu")
    w.http_conn(node, dl, t_up, "185.243.115.40", [(
        apps.http_request("GET", "185.243.115.40", "/d/edge-linux-amd64", [("User-Agent", "curl/7.88.1"), ("Accept", "*/*")]),
        apps.http_response(200, [("Content-Type", "application/octet-stream"), ("Server", "nginx")],
                           body_len=9_437_184, rng=rng))], rate_bps=60e6)
    t = t_up + 9 * US
    cf = tls_connection(w, node, coord, t, None, profile="go", port=9443, alpn=["h2"])
    ctl = Tunnel(w, cf, lambda n, side: tls.app_data(rng, n), rate_bps=10e6)
    ctl.keepalive(cf.t + 20 * US, T1, 20.0, nbytes=(60, 140))
    t_serve = cf.t + 7 * US
    chain = w.certs.le_chain(random_label(rng, 12) + ".local", [random_label(rng, 12) + ".local"],
                             datetime.datetime(2024, 4, 2, 13, 0))
    pool = []

    def peer():
        if pool and rng.random() < 0.25:
            return rng.choice(pool)
        p = w.outside(region=rng.choice(["eu", "us", "asia", "near", "sa"]), os=rng.choice(["windows", "linux", "mac"]))
        pool.append(p)
        return p

    t = t_serve
    while t < T1:
        p = peer()
        sni = None if rng.random() < 0.8 else "%s.%s.net" % (random_label(rng, 10), random_label(rng, 5))
        ex = [(rng.randrange(120, 400), rng.randrange(30 * KB, 320 * KB)) for _ in range(rng.randint(1, 3))]
        w.tls_conn(p, node, t, sni, profile=rng.choice(["go", "openssl", "chrome"]), port=9443, exchanges=ex,
                      chain=chain, rate_bps=rng.choice([10e6, 20e6, 40e6]), alpn=["h2"],
                      close="c" if rng.random() < 0.6 else "s")
        ctl.add(t + rng.randrange(1 * US, 5 * US), C, rng.randrange(200, 500))   # usage report
        t += int(rng.expovariate(9.5 / 60) * US) + 1000
    ctl.flush()

    e = Expect("behaviour-node.pcap: a new VM serves many outside peers on TCP 9443; no vendor name anywhere")
    e.comment("Hosting LAN 10.8.0.0/16.  Capture %s .. %s; learning ends %s." % (rfc3339(T0), rfc3339(T1), rfc3339(T0 + 30 * 60 * US)))
    e.comment("10.8.3.77 first seen %s (HTTP download by IP), coordinator TLS without SNI to %s:9443," % (rfc3339(t_up), coord.ip))
    e.comment("inbound TLS on 9443 from %s (start) on: %d distinct outside peers, mostly without SNI." % (rfc3339(t_serve), len(pool)))
    e.flag(node.ip, ["unknown-dcdn"], t_serve)
    e.blank()
    for h in (resolver, web, db, ci, mon, dev):
        e.clean(h.ip, h.name)
    return w, e
