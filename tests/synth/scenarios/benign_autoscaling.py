"""benign-autoscaling.pcap: eight new web servers start together behind a load balancer.

VPC 10.30.0.0/16 seen through traffic mirroring after decapsulation (plain Ethernet).  Two web
servers run all along.  At 14:32 an auto-scaling group adds eight instances at once: they
install packages from the Ubuntu mirror, pull the application image from the registry, and
then receive HTTP on 8080 only from the load balancer's internal addresses (10.30.1.10 and
10.30.2.10: health checks every 30 s and proxied requests).  Many new hosts, all alike, all
new, all accepting connections - and nothing to report."""
import apps
import net
from common import KB, apt_update, ensure, keepalive_https
from expect import Expect
from world import MS, US, World, rfc3339, ts

NAME = "benign-autoscaling"


def build(seed):
    T0 = ts("2024-03-20T14:00:00Z")
    T1 = ts("2024-03-20T14:45:00Z")
    w = World(NAME, seed, T0, T1)
    rng = w.rng
    seg = net.Segment("vpc-mirror", "0a:51:2c:00:00:01")
    resolver = w.home("10.30.0.2", seg, name="amazon-dns")
    resolver.mac = seg.gateway_mac
    w.resolver = resolver
    albs = [w.home(ip, seg, name="alb-node-%s" % ip.split(".")[2], mss=8961) for ip in ("10.30.1.10", "10.30.2.10")]
    old = [w.home("10.30.10.%d" % n, seg, name="web-%d" % n, mss=8961) for n in (11, 12)]
    new = [w.home("10.30.11.%d" % n, seg, name="web-asg-%d" % n, mss=8961) for n in range(21, 29)]

    def serve(h, t0):
        """ALB traffic to one target: a health check every 30 s from each ALB node on a new
        connection, and proxied requests over a keep-alive connection per ALB node."""
        for alb in albs:
            t = t0 + rng.randrange(0, 30 * US)
            while t < T1:
                w.http_conn(alb, h, t, "10.30.%s" % h.ip.split(".", 2)[2], [(
                    apps.http_request("GET", h.ip + ":8080", "/healthz", [("User-Agent", "ELB-HealthChecker/2.0"),
                                                                         ("Accept-Encoding", "gzip, compressed")]),
                    apps.http_response(200, [("Content-Type", "text/plain")], body=b"ok\n"))], port=8080, close="c")
                t += 30 * US + rng.randrange(0, 200 * MS)
            t = t0 + rng.randrange(1 * US, 20 * US)
            while t < T1:
                reqs = []
                for _ in range(rng.randint(6, 14)):
                    reqs.append((apps.http_request("GET", "shop.example.org", "/api/catalog/%d" % rng.randrange(10 ** 5),
                                                   [("X-Forwarded-For", w.public_ip()), ("X-Forwarded-Proto", "https"),
                                                    ("X-Amzn-Trace-Id", "Root=1-65fa%04x-%024x" % (rng.randrange(65536), rng.getrandbits(96)))]),
                                 apps.http_response(200, [("Content-Type", "application/json")], body_len=rng.randrange(300, 3000), rng=rng)))
                f = w.http_conn(alb, h, t, "shop.example.org", reqs, port=8080, close="s", think_us=(30 * US, 90 * US))
                t = f.t + rng.randrange(1 * US, 10 * US)

    for h in old:
        serve(h, T0 - 5 * 60 * US)
        keepalive_https(w, h, "s3.eu-central-1.amazonaws.com", T0 + rng.randrange(0 * US, 90 * US), T1, period_s=300,
                        jitter_s=30, profile="go", req=(500, 800), resp=(800, 6000), max_life_s=900)
    apt_update(w, old[0], T0 + 11 * 60 * US, mirror="eu-central-1.ec2.archive.ubuntu.com", suite="jammy", distro="ubuntu",
               ua="Debian APT-HTTP/1.3 (2.4.11)")

    t_scale = ts("2024-03-20T14:32:00Z")
    registry = "123456789012.dkr.ecr.eu-central-1.amazonaws.com"
    layers = "prod-eu-central-1-starport-layer-bucket.s3.eu-central-1.amazonaws.com"
    for n in (registry, layers, "api.ecr.eu-central-1.amazonaws.com"):
        ensure(w, n)
    for h in new:
        t = t_scale + rng.randrange(20 * US, 45 * US)     # boot to cloud-init
        f = apt_update(w, h, t, mirror="eu-central-1.ec2.archive.ubuntu.com", suite="jammy", distro="ubuntu",
                       n_pkgs=5, pkg_median=400 * KB, ua="Debian APT-HTTP/1.3 (2.4.11)")
        f = w.https_get(h, "api.ecr.eu-central-1.amazonaws.com", f.t + 2 * US, profile="go", exchanges=[(900, 2_300)])
        f = w.https_get(h, registry, f.t + 300 * MS, profile="go", exchanges=[(640, 5_100), (660, 9_800)])
        f = w.https_get(h, layers, f.t + 100 * MS, profile="go",
                        exchanges=[(1_400, 4_718_592), (1_400, 1_572_864), (1_400, 524_288)], rate_bps=300e6,
                        coalesce=(16, 44))
        serve(h, f.t + 12 * US)

    e = Expect("benign-autoscaling.pcap: eight web servers scale out together behind a load balancer")
    e.comment("VPC 10.30.0.0/16.  Capture %s .. %s; learning ends %s." % (rfc3339(T0), rfc3339(T1), rfc3339(T0 + 30 * 60 * US)))
    e.comment("New instances 10.30.11.21-28 boot at %s; inbound only from the ALB nodes 10.30.1.10 and 10.30.2.10."
              % rfc3339(t_scale))
    for h in new + old + albs + [resolver]:
        e.clean(h.ip, h.name)
    e.clean("10.30.0.0/16")
    return w, e
