"""benign.pcap: an office network at night, with everything that looks a bit like a node but
is not: a busy HTTPS server with a long history, a nightly backup that uploads a lot to one
peer, a burst of package downloads, a video stream, SSH, mail (SMTP with STARTTLS, IMAPS).

Office 10.1.0.0/16 plus its IPv6 prefix 2001:db8:4b0::/48 (global unicast, so the expectation
passes --home-net with it), plain Ethernet SPAN.  The nightly jobs start after the learning
period; the web server and the mail server have been busy since the first minute."""
import apps
import net
import tls
from common import KB, MB, apt_update, browse, ensure, imaps_conn, serve_https, smtp_conn, ssh_conn, tls_connection
from expect import Expect
from flows import C, S, UdpFlow
from world import MS, US, World, rfc3339, ts

NAME = "benign"
HOME_NET = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7,2001:db8:4b0::/48"


def build(seed):
    T0 = ts("2024-02-27T01:30:00Z")
    T1 = ts("2024-02-27T02:25:00Z")
    w = World(NAME, seed, T0, T1)
    rng = w.rng
    seg = net.Segment("office-core", "00:08:e3:ff:fd:90")
    resolver = w.home("10.1.0.53", seg, name="resolver", oui="00:50:56")
    w.resolver = resolver
    www = w.home("10.1.2.10", seg, name="www", oui="00:50:56")
    www6 = w.home("2001:db8:4b0:2::10", seg, name="www (IPv6)", oui="00:50:56")
    www6.mac = www.mac
    mail = w.home("10.1.2.25", seg, name="mail", oui="00:50:56")
    bastion = w.home("10.1.2.5", seg, name="bastion", oui="00:50:56")
    backup = w.home("10.1.3.20", seg, name="backup", oui="00:50:56")
    upd = w.home("10.1.3.30", seg, name="app-server", oui="00:50:56")
    c31 = w.home("10.1.4.31", seg, os="windows", name="pc-31", oui="3c:52:82")
    c31v6 = w.home("2001:db8:4b0:4::31", seg, os="windows", name="pc-31 (IPv6)")
    c31v6.mac = c31.mac
    resolver6 = w.home("2001:db8:4b0::53", seg, name="resolver (IPv6)")
    resolver6.mac = resolver.mac
    c31v6.resolver = resolver6
    c32 = w.home("10.1.4.32", seg, os="mac", name="mac-32", oui="a4:83:e7")
    c33 = w.home("10.1.4.33", seg, os="windows", name="pc-33", oui="3c:52:82")
    tv = w.home("10.1.4.40", seg, name="lobby-display", oui="a8:23:fe")
    admin = w.home("10.1.5.9", seg, name="admin-ws", oui="54:ee:75")

    v6_sites = ["www.google.com", "www.youtube.com", "en.wikipedia.org", "www.linkedin.com"]
    for n in v6_sites:
        ensure(w, n, aaaa=True)   # dual-stack sites: A and AAAA records
    # the busy web server, IPv4 and IPv6, steady since the first minute
    serve_https(w, www, T0, T1, per_min=1.9, sni="www.kestrel-logistics.eu",
                peers=lambda: w.outside(region=rng.choice(["eu", "eu", "near", "us"]), os=rng.choice(["windows", "mac", "linux"])),
                resp_median=14 * KB, requests=(1, 4))
    serve_https(w, www6, T0, T1, per_min=0.5, sni="www.kestrel-logistics.eu",
                peers=lambda: w.outside(w.public_ip6(), region=rng.choice(["eu", "near"]), os=rng.choice(["windows", "mac", "linux"])),
                resp_median=14 * KB, requests=(1, 4))
    # mail: inbound SMTP from outside MTAs, outbound now and then, IMAPS from the clients
    t = T0 + rng.randrange(0 * US, 60 * US)
    while t < T1:
        mta = w.outside(region=rng.choice(["eu", "us"]))
        smtp_conn(w, mta, mail, t, "mail-%s.outbound.example.net" % mta.ip.split(".")[3], "mx1.kestrel-logistics.eu",
                     rng.randrange(4 * KB, 300 * KB))
        t += int(rng.expovariate(0.4 / 60) * US) + US
    t = T0 + rng.randrange(60 * US, 600 * US)
    while t < T1:
        ensure(w, "gmail-smtp-in.l.google.com")
        srv, tq = w.lookup(mail, "gmail-smtp-in.l.google.com", t)
        smtp_conn(w, mail, srv, tq, "mx1.kestrel-logistics.eu", "mx.google.com", rng.randrange(3 * KB, 80 * KB))
        t += int(rng.expovariate(0.15 / 60) * US) + US
    for c, prof in ((c31, "chrome"), (c32, "safari"), (c33, "chrome")):
        imaps_conn(w, c, mail, T0 + rng.randrange(0 * US, 120 * US), "mail.kestrel-logistics.eu", 54 * 60, profile=prof)
    # people working late
    browse(w, c31, T0, T1, mean_gap_s=200, profile="chrome", median=10 * KB)
    browse(w, c31v6, T0 + 300 * US, T1, mean_gap_s=400, names=v6_sites, profile="chrome", median=10 * KB)
    browse(w, c32, T0 + 200 * US, T1, mean_gap_s=300, profile="safari", median=10 * KB)
    browse(w, c33, T0 + 900 * US, T1, mean_gap_s=400, profile="chrome", median=10 * KB)
    # NTP
    for h in (www, mail, backup, upd, admin):
        ntp = w.outside(rng.choice(["162.159.200.1", "162.159.200.123", "194.58.200.20"]), region="near")
        tq = T0 + rng.randrange(10 * US, 1000 * US)
        while tq < T1:
            f = UdpFlow(w.cap, tq, h, 123, ntp, 123)
            f.send(C, apps.ntp_packet(rng, 3, tq), tq)
            f.send(S, apps.ntp_packet(rng, 4, tq + 8000), tq + f.turn(S, 200))
            if tq < T0 + 1100 * US:
                f.truth("NTP", "")
            tq += int(rng.uniform(900, 1100) * US)
    # admin: SSH out to a datacenter host; a colleague SSHes in from home to the bastion
    ssh_conn(w, admin, w.outside("203.0.113.99", region="near"), T0 + 4 * 60 * US, 8 * 60)
    ssh_conn(w, w.outside("198.51.100.143", region="near", os="mac"), bastion, T0 + 42 * 60 * US, 9 * 60,
                client_sw="OpenSSH_9.6")

    # --- after the learning period
    t_backup = ts("2024-02-27T02:01:30Z") + 4_117
    ensure(w, "vault01.offsite-backup.net")
    w.sites["vault01.offsite-backup.net"].hosts[0] = w.outside("203.0.113.80", region="near")
    vault, tq = w.lookup(backup, "vault01.offsite-backup.net", t_backup)
    ssh_conn(w, backup, vault, tq, 60, interactive=False, upload_bytes=72 * MB, rate_bps=80e6, coalesce=(24, 44),
                client_sw="OpenSSH_9.2p1 Debian-2+deb12u2", server_sw="OpenSSH_8.9p1 Ubuntu-3ubuntu0.6")
    t_upd = ts("2024-02-27T02:10:17Z") + 662_390
    apt_update(w, upd, t_upd, mirror="deb.debian.org", n_pkgs=10, pkg_median=900 * KB)
    apt_update(w, upd, t_upd + 3 * US, mirror="security.debian.org", suite="bookworm-security", distro="debian-security",
               n_pkgs=6, pkg_median=1200 * KB)
    # the lobby display plays a video: 5 s segments over one HTTPS connection
    ensure(w, "www.youtube.com")
    ensure(w, "rr4---sn-4g5ednsz.googlevideo.com")
    t_tv = ts("2024-02-27T02:04:10Z") + 205_771
    w.https_get(tv, "www.youtube.com", t_tv, profile="chrome", exchanges=[(700, 420 * KB), (650, 90 * KB)])
    srv, tq = w.lookup(tv, "rr4---sn-4g5ednsz.googlevideo.com", t_tv + 2 * US)
    vf = tls_connection(w, tv, srv, tq, "rr4---sn-4g5ednsz.googlevideo.com", profile="chrome", alpn=["h2", "http/1.1"])
    tt = vf.t + 200 * MS
    end = t_tv + 7 * 60 * US
    while tt < end:
        vf.send(C, tls.app_data(rng, rng.randrange(600, 900)), tt)
        vf.send(S, tls.app_data(rng, rng.randrange(520 * KB, 900 * KB)), vf.t + vf.turn(S, 20 * MS), rate_bps=60e6,
                coalesce=(16, 44))
        tt += int(rng.uniform(4.6, 5.4) * US)
    vf.close(C, vf.t + 2 * US)

    e = Expect("benign.pcap: office network at night, busy but innocent")
    e.comment("Office 10.1.0.0/16 and 2001:db8:4b0::/48.  Capture %s .. %s; learning ends %s."
              % (rfc3339(T0), rfc3339(T1), rfc3339(T0 + 30 * 60 * US)))
    e.comment("After learning: backup of 72 MB over SSH to one peer at %s, apt upgrade burst at %s,"
              % (rfc3339(t_backup), rfc3339(t_upd)))
    e.comment("a 7-minute video stream from %s.  The web and mail servers serve outside peers all along." % rfc3339(t_tv))
    e.options("--home-net", HOME_NET)
    e.blank()
    for h in (resolver, resolver6, www, www6, mail, bastion, backup, upd, c31, c31v6, c32, c33, tv, admin):
        e.clean(h.ip, h.name)
    e.clean("10.1.0.0/16")
    e.clean("2001:db8:4b0::/48")
    return w, e
