"""gaganode.pcap: a small office mini-PC starts running GaGaNode (indicators section 2).

Office LAN 192.168.50.0/24, seen on an 802.1Q trunk SPAN (VLAN 50).  After the learning
period the mini-PC downloads the apphub package from assets.coreservice.io, checks versions at
api.package.coreservice.io (:10443 TLS and :8080 plain HTTP, every 120 s), asks
api.gaganode.com for connection_info, keeps a long-lived TCP/5060 connection to
gtxvdqvuweqs.com with a binary framed protocol (not SIP), and then relays: many short outbound
TCP and UDP flows to unrelated destinations whose returned bytes go back up the 5060 tunnel."""
import apps
import net
from common import KB, Tunnel, apt_update, browse, ensure, periodic_https, relay_flows
from expect import Expect
from flows import C, S, TcpFlow
from world import MS, US, World, rfc3339, ts

NAME = "gaganode"


def build(seed):
    T0 = ts("2024-03-05T09:00:00Z")
    T1 = ts("2024-03-05T09:52:00Z")
    w = World(NAME, seed, T0, T1)
    rng = w.rng
    seg = net.Segment("office-vlan50", "00:1e:c9:4a:10:01", vlans=[(net.ETH_VLAN, 50, 0)])
    router = w.home("192.168.50.1", seg, name="router")
    router.mac = seg.gateway_mac
    w.resolver = router

    laptop1 = w.home("192.168.50.10", seg, os="windows", name="laptop-1", oui="f8:75:a4")
    laptop2 = w.home("192.168.50.11", seg, os="mac", name="laptop-2", oui="a4:83:e7")
    nas = w.home("192.168.50.12", seg, name="nas", oui="00:11:32")
    phone = w.home("192.168.50.14", seg, os="mac", name="phone", oui="f0:18:98")
    node = w.home("192.168.50.23", seg, name="mini-pc", oui="1c:69:7a")

    browse(w, laptop1, T0, T1, mean_gap_s=100, profile="chrome")
    browse(w, laptop2, T0, T1, mean_gap_s=150, profile="safari")
    browse(w, phone, T0 + 600 * US, T1, mean_gap_s=300, profile="safari", median=10 * KB)
    apt_update(w, nas, T0 + 17 * 60 * US, n_pkgs=3)
    periodic_https(w, nas, "www.dropbox.com", T0 + 40 * US, T1, period_s=300,
                   jitter_s=30, profile="openssl")
    # the mini-PC itself, before: an ordinary Debian box (time sync, an update check)
    periodic_https(w, node, "api.github.com", T0 + 4 * 60 * US, T0 + 30 * 60 * US,
                   period_s=900, jitter_s=60, profile="openssl")

    # --- GaGaNode, installed by hand following the docs
    t_start = ts("2024-03-05T09:32:10Z") + 77_251
    for name in ("assets.coreservice.io", "api.package.coreservice.io", "api.gaganode.com", "gtxvdqvuweqs.com"):
        ensure(w, name)
    f = w.https_get(node, "assets.coreservice.io", t_start, profile="openssl",
                    exchanges=[(230, 5_812_304)], rate_bps=40e6)
    t = f.t + 9 * US
    # apphub: version check over TLS on 10443, then the package_client loop over plain HTTP on 8080
    server, t = w.lookup(node, "api.package.coreservice.io", t)
    w.tls_conn(node, server, t, "api.package.coreservice.io", port=10443, profile="go", alpn=["http/1.1"],
                  exchanges=[(310, 420)], chain=w.sites["api.package.coreservice.io"].chain)
    t_v = t + 2 * US
    while t_v < T1:
        srv, tq = w.lookup(node, "api.package.coreservice.io", t_v)
        req = apps.http_request("GET", "api.package.coreservice.io:8080", "/api/version/app-market-gaga-pro?token=%032x" % 0x5ad1c0ffee,
                                [("User-Agent", "Go-http-client/1.1"), ("Accept-Encoding", "gzip")])
        resp = apps.http_response(200, [("Content-Type", "application/json; charset=utf-8"),
                                        ("Date", apps.http_date(tq))],
                                  body=b'{"data":{"version":"1.0.4","file":"app-market-gaga-pro-1_0_4.tar.gz"},"meta_status":1}')
        w.http_conn(node, srv, tq, "api.package.coreservice.io", [(req, resp)], port=8080)
        t_v += int((120 + rng.uniform(-1, 1)) * US)
    # apphub fetches the gaganode app itself
    f = w.https_get(node, "assets.coreservice.io", t + 6 * US, profile="go", alpn=["http/1.1"],
                    exchanges=[(260, 4_126_717)], rate_bps=40e6)
    t = f.t + 3 * US
    f = w.https_get(node, "api.gaganode.com", t, profile="go", alpn=["http/1.1"], exchanges=[(380, 610)])
    t = f.t + 400 * MS
    # the 5060 control/relay tunnel
    srv, t = w.lookup(node, "gtxvdqvuweqs.com", t)
    tf = TcpFlow(w.cap, t, node, node.ephemeral_port(rng), srv, 5060)
    t = tf.connect(t)
    tf.truth("Unknown", "")   # binary frames on the SIP port: DPI must not call this SIP
    tf.send(C, apps.frame_len_type(rng, 0x0001, 212), t + 2 * MS)            # hello + token
    tf.send(S, apps.frame_len_type(rng, 0x8001, 96), tf.t + tf.turn(S, 8 * MS))
    tf.send(C, apps.frame_len_type(rng, 0x0003, 388), tf.t + 3 * MS)         # node info
    tf.send(S, apps.frame_len_type(rng, 0x8003, 1204), tf.t + tf.turn(S, 5 * MS))  # endpoints
    tf.slice_now()
    tun = Tunnel(w, tf, lambda n, side: apps.frames_for(rng, n, 0x0210 if side == C else 0x8210), rate_bps=25e6)
    tun.keepalive(tf.t + 30 * US, T1, 30.0, nbytes=(16, 40))

    def carry(t_req, t_done, up, down, dest):
        tun.add(t_req - rng.randrange(2 * MS, 8 * MS), S, up + 48)   # customer's request arrives
        tun.add(t_done, C, down + 64)                                # what the destination returned

    relay_start = tf.t + 45 * US
    relay_flows(w, node, relay_start, T1, 140, carry, udp_frac=0.18, resp_median=20 * KB)
    tun.flush()

    e = Expect("gaganode.pcap: a LAN host starts running GaGaNode")
    e.comment("Office LAN 192.168.50.0/24 on 802.1Q VLAN 50.  Capture %s .. %s; learning ends %s."
              % (rfc3339(T0), rfc3339(T1), rfc3339(T0 + 30 * 60 * US)))
    e.comment("192.168.50.23: package download from assets.coreservice.io at %s, version checks on :10443/:8080,"
              % rfc3339(t_start))
    e.comment("api.gaganode.com connection_info, TCP/5060 to gtxvdqvuweqs.com, relaying from %s." % rfc3339(relay_start))
    e.flag(node.ip, ["gaganode"], t_start)
    e.blank()
    for h in (router, laptop1, laptop2, nas, phone):
        e.clean(h.ip, h.name)
    return w, e
