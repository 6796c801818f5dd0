"""proxyware.pcap: four LAN hosts each start a bandwidth-sharing app (indicators 3, 4, 9, 11).

Office network, captured on a provider hand-off trunk: every frame carries an 802.1ad service
tag (TPID 0x88a8, S-VLAN 300) and an 802.1Q customer tag (VLAN 10 staff, VLAN 20 lab).
After the learning period:
  10.10.20.31 EarnApp   - installer from brightdata.com, binary from cdn-earnapp.b-cdn.net,
                          clientsdk.lum-sdk.io / perr.lum-sdk.io, a long-lived connection to
                          proxyjs.luminatinet.com, and per proxied request a gateway connection
                          (SNI <a-b-c-d>.brdtnet.com) next to the flow to the target site
  10.10.20.32 Honeygain - docker image pull, api.honeygain.com pings, a long-lived TLS tunnel
  10.10.20.33 Repocket  - ip-api.com lookup, api.repocket.co createPeer, peer.repocket.co
                          monitor polls every 5 s, raw TCP tunnel to the relay on port 7072
  10.10.10.41 Mysterium - discovery/location/quality/trust APIs, STUN, NATS on TCP 4222 to
                          broker.mysterium.network, inbound WireGuard from consumers on a
                          forwarded UDP port, and the consumers' traffic going out to anywhere
Each relays: one long-lived tunnel plus many short flows to unrelated destinations, the
tunnel carrying about what the destinations return."""
import apps
import net
import tls
from common import KB, Tunnel, apt_update, browse, ensure, keepalive_https, periodic_https, relay_flows, \
    ssh_conn, tls_connection
from expect import Expect
from flows import C, S, TcpFlow, UdpFlow
from world import MS, US, World, rfc3339, ts

NAME = "proxyware"
S_TAG = (net.ETH_QINQ, 300, 0)


def build(seed):
    T0 = ts("2024-03-12T18:00:00Z")
    T1 = ts("2024-03-12T18:54:00Z")
    w = World(NAME, seed, T0, T1)
    rng = w.rng
    seg10 = net.Segment("staff", "00:1b:17:00:0a:01", vlans=[S_TAG, (net.ETH_VLAN, 10, 0)])
    seg20 = net.Segment("lab", "00:1b:17:00:14:01", vlans=[S_TAG, (net.ETH_VLAN, 20, 0)])
    gw10 = w.home("10.10.10.1", seg10, name="gateway-vlan10")
    gw10.mac = seg10.gateway_mac
    gw20 = w.home("10.10.20.1", seg20, name="gateway-vlan20")
    gw20.mac = seg20.gateway_mac
    w.resolver = gw10

    def host(ip, seg, gw, **kw):
        h = w.home(ip, seg, **kw)
        h.resolver = gw
        return h

    staff = [host("10.10.10.11", seg10, gw10, os="windows", name="pc-11", oui="3c:52:82"),
             host("10.10.10.12", seg10, gw10, os="mac", name="mac-12", oui="a4:83:e7"),
             host("10.10.10.13", seg10, gw10, os="windows", name="pc-13", oui="3c:52:82"),
             host("10.10.10.14", seg10, gw10, name="dev-14", oui="54:ee:75")]
    nas = host("10.10.20.50", seg20, gw20, name="nas-50", oui="00:11:32")
    earn = host("10.10.20.31", seg20, gw20, name="earnapp-host", oui="b8:27:eb")
    hg = host("10.10.20.32", seg20, gw20, name="honeygain-host", oui="dc:a6:32")
    rp = host("10.10.20.33", seg20, gw20, name="repocket-host", oui="e4:5f:01")
    myst = host("10.10.10.41", seg10, gw10, name="mysterium-host", oui="00:e0:4c")

    for h, prof, gap in zip(staff, ["chrome", "safari", "chrome", "firefox"], [200, 260, 300, 360]):
        browse(w, h, T0 + rng.randrange(0 * US, 60 * US), T1, mean_gap_s=gap, profile=prof, median=10 * KB)
    apt_update(w, staff[3], T0 + 9 * 60 * US, n_pkgs=6)
    ssh_conn(w, staff[3], w.outside("198.51.100.201", region="eu"), T0 + 13 * 60 * US, 8 * 60)
    apt_update(w, nas, T0 + 21 * 60 * US, n_pkgs=2)
    for h in (earn, hg, rp, myst):
        # before: ordinary lab boxes (an NTP sync, a time-server and a repository check)
        ntp = w.outside("162.159.200.1", region="near")
        for k in range(3):
            tq = T0 + rng.randrange(30 * US, 1700 * US)
            f = UdpFlow(w.cap, tq, h, 123, ntp, 123)
            f.send(C, apps.ntp_packet(rng, 3, tq), tq)
            f.send(S, apps.ntp_packet(rng, 4, tq + 8000), tq + f.turn(S, 200))
            if k == 0:
                f.truth("NTP", "")
        periodic_https(w, h, "api.github.com", T0 + rng.randrange(60 * US, 600 * US), T0 + 30 * 60 * US, period_s=900,
                       jitter_s=120, profile="openssl")

    starts = {}

    # ------------------------------------------------------------------ EarnApp
    t = starts[earn.ip] = ts("2024-03-12T18:32:00Z") + 120_934
    for n in ("brightdata.com", "cdn-earnapp.b-cdn.net", "clientsdk.lum-sdk.io", "perr.lum-sdk.io",
              "proxyjs.luminatinet.com"):
        ensure(w, n)
    f = w.https_get(earn, "brightdata.com", t, profile="openssl", exchanges=[(190, 11_840)])
    f = w.https_get(earn, "cdn-earnapp.b-cdn.net", f.t + 2 * US, profile="openssl", exchanges=[(210, 41_205_760)],
                    rate_bps=120e6)
    t = f.t + 6 * US
    f = w.https_get(earn, "clientsdk.lum-sdk.io", t, profile="openssl", exchanges=[(640, 1_400), (520, 380)])
    periodic_https(w, earn, "perr.lum-sdk.io", f.t + 3 * US, T1, period_s=600, jitter_s=90, profile="openssl",
                   req=(700, 1400), resp=(60, 200))
    srv, tq = w.lookup(earn, "proxyjs.luminatinet.com", f.t + 1 * US)
    pj = tls_connection(w, earn, srv, tq, "proxyjs.luminatinet.com", profile="openssl", alpn=["http/1.1"])
    control = Tunnel(w, pj, lambda n, side: tls.app_data(rng, n), rate_bps=20e6)
    control.keepalive(pj.t + 20 * US, T1, 45.0, nbytes=(30, 90))
    gateways = [w.outside("203.0.113.%d" % n, region="us") for n in range(150, 156)]

    def earn_carry(t_req, t_done, up, down, dest):
        control.add(t_req - rng.randrange(20 * MS, 60 * MS), S, rng.randrange(180, 420))   # job: fetch X
        for k in range(rng.choice([1, 1, 2])):
            gwh = rng.choice(gateways)
            name = "%s.brdtnet.com" % gwh.ip.replace(".", "-")
            w.tls_conn(earn, gwh, t_req + k * rng.randrange(50 * MS, 100 * MS), name, profile="openssl",
                          alpn=["http/1.1"], exchanges=[(rng.randrange(300, 700), up + 200),
                                                       (down // (k + 1) + 300, rng.randrange(90, 200))][:2],
                          rate_bps=40e6)

    relay_flows(w, earn, t + 50 * US, T1, 36, earn_carry, udp_frac=0.0, resp_median=16 * KB)
    control.flush()

    # ------------------------------------------------------------------ Honeygain
    t = starts[hg.ip] = ts("2024-03-12T18:33:30Z") + 848_210
    for n in ("registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com", "api.honeygain.com"):
        ensure(w, n)
    f = w.https_get(hg, "auth.docker.io", t, profile="go", exchanges=[(420, 4_300)])
    f = w.https_get(hg, "registry-1.docker.io", f.t + 50 * MS, profile="go", exchanges=[(520, 2_900), (500, 7_400)])
    f = w.https_get(hg, "production.cloudflare.docker.com", f.t + 50 * MS, profile="go",
                    exchanges=[(600, 29_360_128), (600, 3_145_728)], rate_bps=150e6)
    t = f.t + 4 * US
    f = w.https_get(hg, "api.honeygain.com", t, profile="go", exchanges=[(610, 900), (480, 2_200)])
    periodic_https(w, hg, "api.honeygain.com", f.t + 60 * US, T1, period_s=60, jitter_s=3, profile="go",
                   req=(380, 520), resp=(160, 420))
    srv, tq = w.lookup(hg, "api.honeygain.com", f.t + 2 * US)
    hgt = tls_connection(w, hg, srv, tq, "api.honeygain.com", profile="go", alpn=["http/1.1"])
    hg_tun = Tunnel(w, hgt, lambda n, side: tls.app_data(rng, n), rate_bps=30e6)
    hg_tun.keepalive(hgt.t + 10 * US, T1, 10.0, nbytes=(40, 90))

    def hg_carry(t_req, t_done, up, down, dest):
        hg_tun.add(t_req - rng.randrange(5 * MS, 20 * MS), S, up + 60)
        hg_tun.add(t_done, C, down + 80)

    relay_flows(w, hg, hgt.t + 40 * US, T1, 36, hg_carry, udp_frac=0.05, resp_median=16 * KB)
    hg_tun.flush()

    # ------------------------------------------------------------------ Repocket
    t = starts[rp.ip] = ts("2024-03-12T18:35:00Z") + 391_517
    for n in ("ip-api.com", "api.repocket.co", "peer.repocket.co"):
        ensure(w, n)
    srv, tq = w.lookup(rp, "ip-api.com", t)
    w.http_conn(rp, srv, tq, "ip-api.com", [(
        apps.http_request("GET", "ip-api.com", "/json", [("User-Agent", "okhttp/4.10.0"), ("Accept-Encoding", "gzip")]),
        apps.http_response(200, [("Content-Type", "application/json; charset=utf-8"), ("Access-Control-Allow-Origin", "*")],
                           body=b'{"status":"success","country":"Germany","countryCode":"DE","regionName":"Hesse",'
                                b'"city":"Frankfurt am Main","isp":"Deutsche Telekom AG","query":"87.144.23.190"}'))])
    f = w.https_get(rp, "api.repocket.co", tq + 800 * MS, profile="openssl", exchanges=[(720, 1_150), (560, 640)])
    keepalive_https(w, rp, "peer.repocket.co", f.t + 1 * US, T1, period_s=5, jitter_s=0.2, profile="openssl",
                    req=(260, 340), resp=(90, 160), max_life_s=600)
    relay = w.outside("203.0.113.35", region="eu")
    rf = TcpFlow(w.cap, f.t + 2 * US, rp, rp.ephemeral_port(rng), relay, 7072)
    rf.connect()
    rf.truth("Unknown", "")
    rf.send(C, apps.frame_len_type(rng, 0x0101, 180), rf.t + 1 * MS)
    rf.send(S, apps.frame_len_type(rng, 0x0102, 40), rf.t + rf.turn(S, 3 * MS))
    rf.slice_now()
    rp_tun = Tunnel(w, rf, lambda n, side: apps.frames_for(rng, n, 0x0200 if side == C else 0x0201), rate_bps=30e6)
    rp_tun.keepalive(rf.t + 15 * US, T1, 15.0, nbytes=(8, 16))

    def rp_carry(t_req, t_done, up, down, dest):
        rp_tun.add(t_req - rng.randrange(5 * MS, 20 * MS), S, up + 30)
        rp_tun.add(t_done, C, down + 40)

    relay_flows(w, rp, rf.t + 30 * US, T1, 36, rp_carry, udp_frac=0.1, resp_median=16 * KB)
    rp_tun.flush()

    # ------------------------------------------------------------------ Mysterium
    t = starts[myst.ip] = ts("2024-03-12T18:36:30Z") + 603_072
    for n in ("discovery.mysterium.network", "location.mysterium.network", "quality.mysterium.network",
              "trust.mysterium.network", "broker.mysterium.network", "stun.mysterium.network"):
        ensure(w, n)
    f = w.https_get(myst, "location.mysterium.network", t, profile="go", exchanges=[(300, 420)])
    # NAT type discovery
    stun_srv, tq = w.lookup(myst, "stun.mysterium.network", f.t + 100 * MS)
    sf = UdpFlow(w.cap, tq, myst, 4589, stun_srv, 3478)
    for k in range(2):
        tid = rng.randbytes(12)
        sf.send(C, apps.stun_binding_request(tid), tq + k * 200 * MS)
        sf.send(S, apps.stun_binding_response(tid, "87.144.23.190", 4589), tq + k * 200 * MS + sf.turn(S, 300))
    sf.truth("STUN", "")
    f = w.https_get(myst, "trust.mysterium.network", sf.t + 200 * MS, profile="go", exchanges=[(280, 3_900)])
    f = w.https_get(myst, "discovery.mysterium.network", f.t + 300 * MS, profile="go", exchanges=[(1_900, 300)])
    keepalive_https(w, myst, "discovery.mysterium.network", f.t + 60 * US, T1, period_s=60, jitter_s=1,
                    profile="go", req=(1_700, 2_100), resp=(120, 300), max_life_s=900)
    periodic_https(w, myst, "quality.mysterium.network", f.t + 20 * US, T1, period_s=120, jitter_s=5, profile="go",
                   req=(900, 2_400), resp=(100, 200))
    # NATS broker
    srv, tq = w.lookup(myst, "broker.mysterium.network", f.t + 500 * MS)
    nf = TcpFlow(w.cap, tq, myst, myst.ephemeral_port(rng), srv, 4222)
    tn = nf.connect()
    nf.truth("Nats", "")   # nDPI 4.2 spells it so
    nf.send(S, apps.nats_info(rng, "broker-1"), tn + nf.turn(S, 1 * MS))
    nf.send(C, apps.nats_connect("0x%040x" % rng.getrandbits(160)), nf.t + nf.turn(C, 300))
    nf.send(S, b"PONG\r\n", nf.t + nf.turn(S, 300))
    node_id = "0x%040x" % rng.getrandbits(160)
    nf.send(C, apps.nats_sub("%s.wireguard.p2p-config" % node_id, 1) + apps.nats_sub("%s.wireguard.session-create" % node_id, 2),
            nf.t + 2 * MS)
    nf.slice_now()
    nats = []    # (time, side, payload): written in time order below
    tt = nf.t + 5 * US
    while tt < T1:
        if rng.random() < 0.5:
            nats.append((tt, C, apps.nats_pub("proposal-ping.v3", rng.randbytes(rng.randrange(600, 1100)))))
        tp = tt + rng.randrange(1 * US, 20 * US)
        nats.append((tp, S, b"PING\r\n"))
        nats.append((tp + 2 * nf.hosts[C].delay_us + 200, C, b"PONG\r\n"))
        tt += int((60 + rng.uniform(-2, 2)) * US)
    # consumers connect over WireGuard on the forwarded port; their traffic leaves via the node
    wg_port = 52379
    consumers = []
    for k in range(4):
        cons = w.outside(region=rng.choice(["eu", "us", "asia"]))
        t_c = t + rng.randrange(90 * US, 420 * US)
        nats.append((t_c - 900 * MS, S, apps.nats_msg("%s.wireguard.session-create" % node_id, 2,
                                                       rng.randbytes(rng.randrange(700, 1100)),
                                                       reply="_INBOX.%x" % rng.getrandbits(64))))
        nats.append((t_c - 860 * MS, C, apps.nats_pub("_INBOX.%x" % rng.getrandbits(64), rng.randbytes(rng.randrange(500, 900)))))
        uf = UdpFlow(w.cap, t_c, cons, cons.ephemeral_port(rng), myst, wg_port)
        snd = rng.getrandbits(32)
        rcv = rng.getrandbits(32)
        uf.send(C, apps.wg_initiation(rng, snd), t_c)
        uf.send(S, apps.wg_response(rng, rcv, snd), t_c + uf.turn(S, 400))
        uf.truth("WireGuard", "")
        consumers.append((cons, uf, snd, rcv, [0, 0]))
    for tm, side, payload in sorted(nats, key=lambda x: x[0]):
        nf.send(side, payload, max(tm, nf.t + 1))

    def wg_carry(t_req, t_done, up, down, dest):
        cons, uf, snd, rcv, ctr = rng.choice(consumers)
        msgs.append((t_req - rng.randrange(2 * MS, 10 * MS), C, up + 40, uf, snd, rcv, ctr))
        msgs.append((t_done, S, down + 60, uf, snd, rcv, ctr))

    msgs = []
    relay_flows(w, myst, t + 100 * US, T1, 40, wg_carry, udp_frac=0.2, resp_median=12 * KB)
    for cons, uf, snd, rcv, ctr in consumers:
        tk = uf.t + 25 * US
        while tk < T1:
            msgs.append((tk, C, 0, uf, snd, rcv, ctr))   # persistent keepalive
            tk += 25 * US
    for tm, side, n, uf, snd, rcv, ctr in sorted(msgs, key=lambda m: (m[0], m[1], m[2])):
        tm = max(tm, uf.t + 1)
        if n == 0:
            uf.send(C, apps.wg_data(rng, rcv, ctr[0], 0), tm)
            ctr[0] += 1
            continue
        while n > 0:
            chunk = min(n, 1420 - 32)
            if side == C:
                uf.send(C, apps.wg_data(rng, rcv, ctr[0], chunk), tm)
                ctr[0] += 1
            else:
                uf.send(S, apps.wg_data(rng, snd, ctr[1], chunk), tm)
                ctr[1] += 1
            n -= chunk
            tm += rng.randrange(60, 240)

    e = Expect("proxyware.pcap: four LAN hosts start EarnApp, Honeygain, Repocket and Mysterium")
    e.comment("Office LAN on a QinQ trunk (802.1ad S-VLAN 300, 802.1Q VLAN 10 staff / 20 lab).")
    e.comment("Capture %s .. %s; learning ends %s." % (rfc3339(T0), rfc3339(T1), rfc3339(T0 + 30 * 60 * US)))
    e.flag(earn.ip, ["earnapp"], starts[earn.ip], note="EarnApp from %s (installer download)" % rfc3339(starts[earn.ip]))
    e.flag(hg.ip, ["honeygain"], starts[hg.ip], note="Honeygain from %s (image pull, then api.honeygain.com)" % rfc3339(starts[hg.ip]))
    e.flag(rp.ip, ["repocket"], starts[rp.ip], note="Repocket from %s (ip-api.com, api.repocket.co)" % rfc3339(starts[rp.ip]))
    e.flag(myst.ip, ["mysterium"], starts[myst.ip], note="Mysterium from %s (location API, STUN, NATS, WireGuard on UDP %d)"
           % (rfc3339(starts[myst.ip]), wg_port))
    e.blank()
    for h in staff + [nas, gw10, gw20]:
        e.clean(h.ip, h.name)
    return w, e
