"""meson-fleet-vxlan.pcap: about fifty instances launched together become Meson nodes, seen
only through AWS VPC Traffic Mirroring (raw VXLAN, as the mirror target's ENI receives it).

Every packet is outer Ethernet / IPv4 (mirror source ENI -> target ENI) / UDP 4789 / VXLAN
(I flag, VNI = the mirror session's virtual network id) / the instance's own Ethernet frame.  The
security team attaches a mirror session to every new ENI with automation, which lags the
launch by 40 to 130 s, when the userdata download has already finished (one instance is
mirrored from just before meson_cdn's first API calls).  The filter includes the amazon-dns network service, so the
instances' DNS queries to the VPC resolver are mirrored too.  The sensor does no receive
offload here (packets stay MTU-sized) and keeps the first four packets of each flow whole."""
import apps
import net
from common import KB, apt_update, ensure, keepalive_https, periodic_https, ssh_conn
from expect import Expect
from scenarios import meson_common as mc
from world import MS, US, World, rfc3339, ts

NAME = "meson-fleet-vxlan"
TARGET_IP, TARGET_MAC, ROUTER_MAC, GW_MAC = "10.20.250.10", "0a:3e:51:9c:22:7d", "0a:3e:51:00:00:01", "0a:9f:10:00:00:01"
AWS_PUBLIC = [(3, 64, 79), (18, 184, 199), (35, 156, 159), (52, 28, 29), (52, 57, 59)]


def mirror(vni, ip):
    return net.VxlanMirror("vpc-%d" % vni, GW_MAC, ip, TARGET_IP, TARGET_MAC, ROUTER_MAC, vni)


def build(seed):
    T0 = ts("2024-02-26T20:00:00Z")
    T1 = ts("2024-02-26T20:42:30Z")
    w = World(NAME, seed, T0, T1)
    w.cap.gro = False
    w.cap.head_max = 4
    rng = w.rng
    resolver = w.outside("10.20.0.2", region="az")   # Amazon DNS, reached through the VPC router
    w.resolver = resolver
    alb = [w.outside("10.20.1.%d" % n, region="az") for n in (200, 201, 202)]

    def inst(ip, vni, name, os="linux"):
        return w.home(ip, mirror(vni, ip), name=name, os=os, mss=8961)

    ordinary = []
    webs = [inst("10.20.1.%d" % n, 7, "web-%d" % i) for i, n in enumerate((11, 12, 13, 14), 1)]
    ordinary += webs
    for h in webs:
        # behind the internal application load balancer: the ALB nodes keep HTTP/1.1 connections
        # to port 8080 open and send requests over them; nothing else reaches the web servers
        for lb in alb:
            t = T0 - rng.randrange(0, 300 * US)
            while t < T1:
                n = rng.randint(20, 60)
                reqs = []
                for _ in range(n):
                    reqs.append((apps.http_request("GET", "shop.internal.example", "/api/v2/items/%d" % rng.randrange(10 ** 5),
                                                   [("X-Forwarded-For", w.public_ip()), ("X-Forwarded-Proto", "https"),
                                                    ("X-Amzn-Trace-Id", "Root=1-65dcf%03x-%024x" % (rng.randrange(4096), rng.getrandbits(96)))]),
                                 apps.http_response(200, [("Content-Type", "application/json")], body_len=rng.randrange(300, 2500), rng=rng)))
                f = w.http_conn(lb, h, t, "shop.internal.example", reqs, port=8080, close="s",
                                   think_us=(30 * US, 150 * US))
                t = f.t + rng.randrange(1 * US, 5 * US)
        apt_update(w, h, T0 + rng.randrange(5 * 60 * US, 25 * 60 * US), mirror="eu-central-1.ec2.archive.ubuntu.com",
                   suite="jammy", distro="ubuntu", ua="Debian APT-HTTP/1.3 (2.4.11)")
    apis = [inst("10.20.2.%d" % n, 8, "api-client-%d" % i) for i, n in enumerate((21, 22, 23), 1)]
    ordinary += apis
    for h, name in zip(apis, ["api.stripe.com", "api.sendgrid.com", "hooks.slack.com"]):
        ensure(w, name)
        periodic_https(w, h, name, T0 + rng.randrange(1 * US, 50 * US), T1, period_s=rng.choice([120, 180, 240]), jitter_s=40,
                       profile="openssl")
    batch = [inst("10.20.2.%d" % n, 8, "batch-%d" % i) for i, n in enumerate((31, 32), 1)]
    ordinary += batch
    for h in batch:
        keepalive_https(w, h, "s3.eu-central-1.amazonaws.com", T0 + rng.randrange(1 * US, 60 * US), T1, period_s=60,
                        jitter_s=20, profile="go", req=(500, 900), resp=(1500, 9000), max_life_s=900)
    bastion = inst("10.20.1.5", 7, "bastion")
    ordinary.append(bastion)
    ssh_conn(w, w.outside("203.0.113.45", region="eu"), bastion, T0 + 8 * 60 * US, 6 * 60)
    ci = inst("10.20.2.40", 8, "ci-runner")
    ordinary.append(ci)
    for t_job in (T0 + 4 * 60 * US,):
        for name, size in [("github.com", 120 * KB), ("codeload.github.com", 300 * KB), ("pypi.org", 40 * KB),
                           ("files.pythonhosted.org", 250 * KB)]:
            ensure(w, name)
            f = w.https_get(ci, name, t_job, profile="openssl", exchanges=[(rng.randrange(300, 800), size)], rate_bps=100e6)
            t_job = f.t + rng.randrange(100 * MS, 600 * MS)
    dev = inst("10.20.2.45", 8, "dev-box")
    ordinary.append(dev)
    for name in ("github.com", "api.github.com", "pypi.org", "registry.npmjs.org"):
        ensure(w, name)
    t = T0 + 90 * US
    while t < T1:
        w.https_get(dev, rng.choice(["github.com", "api.github.com", "pypi.org", "registry.npmjs.org"]), t,
                    profile="openssl", exchanges=[(rng.randrange(300, 700), rng.randrange(2 * KB, 80 * KB))])
        t += int(rng.expovariate(1 / 300.0) * US) + US

    # --- the fleet: RunInstances at 20:33:10 (as in the Sysdig report), boots spread over ~2.5 min
    used_pub = set()
    nodes = []
    for i in range(50):
        subnet, vni = ((32, 9) if i < 38 else (48, 10))
        while True:
            ip = "10.20.%d.%d" % (subnet + rng.randrange(0, 16), rng.randrange(4, 255))
            if ip not in w.by_ip:
                break
        while True:
            a, lo, hi = rng.choice(AWS_PUBLIC)
            pub = "%d.%d.%d.%d" % (a, rng.randrange(lo, hi + 1), rng.randrange(0, 256), rng.randrange(1, 255))
            if pub not in used_pub:
                used_pub.add(pub)
                break
        node = inst(ip, vni, "meson-%02d" % (i + 1))
        boot = ts("2024-02-26T20:33:25Z") + rng.randrange(0, 150 * US)
        lag = rng.randrange(40 * US, 130 * US)
        w.cap.visible_from[ip] = boot + lag
        nodes.append((node, pub, boot, lag))

    pool = [w.outside(region=rng.choice(["eu", "eu", "us", "asia", "near"]), os=rng.choice(["windows", "mac", "linux"]))
            for _ in range(420)]
    for i, (node, pub, boot, lag) in enumerate(nodes):
        t_wget = boot + rng.randrange(24 * US, 34 * US)
        t_done = mc.download_tarball(w, node, t_wget)
        if i == 23:
            # this ENI's mirror session came up between the download and meson_cdn's first calls
            w.cap.visible_from[node.ip] = t_done + 500 * MS
        t_start = t_done + rng.randrange(2 * US, 4 * US)
        t = mc.startup_calls(w, node, t_start)
        mc.keepalive_heartbeats(w, node, t + 25 * US, T1)
        mc.health_checks(w, node, pub, t_start + rng.randrange(15 * US, 40 * US))
        serving_from = t_start + rng.randrange(50 * US, 90 * US)
        mc.serve_inbound(w, node, pub, serving_from, T1, per_min=1.6, peers=lambda: rng.choice(pool),
                         resp_median=4 * KB, big_frac=0.0, requests=(1, 1), pullzone_frac=0.2)

    e = Expect("meson-fleet-vxlan.pcap: 50 instances launched together become Meson nodes (VXLAN mirror only)")
    e.comment("VPC 10.20.0.0/16.  Every packet is VXLAN from the source ENI to the mirror target %s;" % TARGET_IP)
    e.comment("VNI 7 = web subnet, 8 = app subnet, 9 and 10 = the subnets the new instances were launched in.")
    e.comment("Capture %s .. %s; learning period ends %s." % (rfc3339(T0), rfc3339(T1), rfc3339(T0 + 30 * 60 * US)))
    e.comment("start = first mirrored packet of the host that names Meson (DNS or SNI); mirroring of each")
    e.comment("new ENI begins 40 to 130 s after boot, when the userdata download has finished.")
    e.fleet(["meson"], 40)
    e.blank()
    for node, pub, boot, lag in sorted(nodes, key=lambda n: tuple(int(x) for x in n[0].ip.split("."))):
        start = w.cap.first_named(node.ip, ("meson.network", "mesontracking.com"))
        e.comment("%s: public %s, tag %s, boot %s, mirrored from %s" % (
            node.ip, pub, mc.spec00_tag(pub), rfc3339(boot), rfc3339(w.cap.visible_from[node.ip])))
        e.flag(node.ip, ["meson"], start)
    e.blank()
    e.comment("ordinary instances, the VPC resolver, the load balancer's nodes, the mirror target")
    for h in ordinary:
        e.clean(h.ip, h.name)
    e.clean(resolver.ip, "amazon-dns")
    for lb in alb:
        e.clean(lb.ip, "alb node")
    e.clean(TARGET_IP, "mirror target: only in outer headers")
    return w, e
