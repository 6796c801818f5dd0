"""meson-node.pcap: a fresh cloud instance becomes a Meson CDN node (the Sysdig 2024 case).

A VPC (172.31.0.0/16) seen through traffic mirroring after decapsulation (plain Ethernet).
Ordinary instances run all along; at 20:33 a new instance boots, downloads meson_cdn, beacons
cdn.meson.network every 30 s and then serves TLS on 443 to 100+ outside users, uploading far
more than it downloads."""
import net
from common import KB, MB, apt_update, ensure, keepalive_https, periodic_https, serve_https, ssh_conn
from expect import Expect
from scenarios import meson_common as mc
from world import MS, US, World, rfc3339, ts

NAME = "meson-node"


def build(seed):
    T0 = ts("2024-02-26T20:00:00Z")
    T1 = T0 + 52 * 60 * US
    w = World(NAME, seed, T0, T1)
    rng = w.rng
    seg = net.Segment("vpc-mirror", gateway_mac="0a:c4:7e:3d:91:01")
    resolver = w.home("172.31.0.2", seg, name="amazon-dns")
    resolver.mac = seg.gateway_mac
    w.resolver = resolver

    web = w.home("172.31.5.20", seg, name="web-1", mss=8961)
    worker = w.home("172.31.5.33", seg, name="worker-1", mss=8961)
    bastion = w.home("172.31.8.14", seg, name="bastion", mss=8961)
    ci = w.home("172.31.9.40", seg, name="ci-runner", mss=8961)
    node = w.home("172.31.37.140", seg, name="new-instance", mss=8961)
    public_ip = "3.70.171.22"

    # --- ordinary instances, from the first minute
    serve_https(w, web, T0, T1, per_min=lambda t: 1.6, sni="www.northwind-tools.com",
                peers=lambda: w.outside(region=rng.choice(["eu", "eu", "us"]), os=rng.choice(["linux", "windows", "mac"])),
                resp_median=14 * KB, requests=(1, 4))
    apt_update(w, web, T0 + 12 * 60 * US, mirror="eu-central-1.ec2.archive.ubuntu.com", suite="jammy",
               distro="ubuntu", n_pkgs=4, ua="Debian APT-HTTP/1.3 (2.4.11)")
    keepalive_https(w, worker, "sqs.eu-central-1.amazonaws.com", T0 + 7 * US, T1, period_s=20, jitter_s=0.05,
                    profile="openssl", req=(600, 900), resp=(300, 2400), max_life_s=600)
    periodic_https(w, worker, "hooks.slack.com", T0 + 95 * US, T1, period_s=600, jitter_s=90, profile="openssl")
    admin = w.outside("203.0.113.45", region="eu")
    ssh_conn(w, admin, bastion, T0 + 5 * 60 * US, 9 * 60)
    for t_job in (T0 + 10 * 60 * US,):
        for name, size in [("github.com", 380 * KB), ("codeload.github.com", 3 * MB),
                           ("registry-1.docker.io", 40 * KB), ("production.cloudflare.docker.com", 22 * MB),
                           ("pypi.org", 90 * KB), ("files.pythonhosted.org", 4 * MB)]:
            ensure(w, name)
            f = w.https_get(ci, name, t_job, profile="openssl" if "docker" not in name else "go",
                            exchanges=[(rng.randrange(300, 900), size)], rate_bps=200e6, coalesce=(16, 44))
            t_job = f.t + rng.randrange(100 * MS, 800 * MS)

    # --- the new instance
    t_boot = ts("2024-02-26T20:33:38Z") + 540_163
    ensure(w, "api.snapcraft.io")
    w.https_get(node, "api.snapcraft.io", t_boot + 3_200 * MS, profile="go", exchanges=[(420, 2100), (380, 900)])
    t_wget = t_boot + 5_700 * MS
    t_done = mc.download_tarball(w, node, t_wget)
    t_start = t_done + 2_600 * MS
    t = mc.startup_calls(w, node, t_start)
    mc.heartbeats(w, node, t + 28 * US, T1)
    mc.health_checks(w, node, public_ip, t_start + 21 * US)
    serving_from = t_start + 62 * US

    pool = []
    def peer():
        if pool and rng.random() < 0.18:
            return rng.choice(pool)
        p = w.outside(region=rng.choice(["eu", "eu", "eu", "us", "asia", "near"]),
                      os=rng.choice(["windows", "windows", "mac", "linux"]))
        pool.append(p)
        return p

    def rate(t):
        ramp = (t - serving_from) / (240 * US)
        return 2.0 + 8.0 * min(1.0, max(0.0, ramp))

    mc.serve_inbound(w, node, public_ip, serving_from, T1, rate, peer)
    mc.speed_test(w, node, public_ip, t_start + 5 * 60 * US)
    mc.cache_fills(w, node, serving_from, T1, 10)

    e = Expect("meson-node.pcap: one new cloud instance turns into a Meson CDN node")
    e.comment("VPC 172.31.0.0/16 (default home-net).  Capture %s .. %s; learning period ends %s."
              % (rfc3339(T0), rfc3339(T1), rfc3339(T0 + 30 * 60 * US)))
    e.comment("Node 172.31.37.140 boots %s; its public IPv4 is %s, so inbound SNI is %s"
              % (rfc3339(t_boot), public_ip, mc.spec00_name(public_ip)))
    e.comment("(tag %s = %s).  Start = DNS query for staticassets.meson.network (userdata wget)."
              % (mc.spec00_tag(public_ip), public_ip))
    e.comment("Inbound TLS on 443 from %d distinct outside users from %s, plus Meson's two checkers."
              % (len(pool), rfc3339(serving_from)))
    e.flag(node.ip, ["meson"], t_wget)
    e.blank()
    e.comment("ordinary instances")
    for h in (web, worker, bastion, ci, resolver):
        e.clean(h.ip, h.name)
    return w, e
