"""Application payloads: DNS (scapy), HTTP/1.1, SSH, SMTP, IMAP, NATS, WireGuard and the
binary framings of the relay tunnels."""
import datetime
import ipaddress
import struct

from scapy.layers.dns import DNS, DNSQR, DNSRR, DNSRROPT, dns_compress
from scapy.packet import raw

# ------------------------------------------------------------------ DNS

QTYPES = {"A": 1, "AAAA": 28, "CNAME": 5, "TXT": 16, "HTTPS": 65}


def dns_query(qid, name, qtype="A", edns=True):
    m = DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype=qtype))
    if edns:
        m.ar = DNSRROPT(rclass=1232)
    return raw(m)


def dns_response(qid, name, qtype, answers, edns=True, rcode=0):
    """answers: list of (rrname, type, ttl, rdata)."""
    m = DNS(id=qid, qr=1, rd=1, ra=1, rcode=rcode, qd=DNSQR(qname=name, qtype=qtype))
    if answers:
        rrs = None
        for rrname, rtype, ttl, rdata in answers:
            rr = DNSRR(rrname=rrname, type=rtype, ttl=ttl, rdata=rdata)
            rrs = rr if rrs is None else rrs / rr
        m.an = rrs
    if edns:
        m.ar = DNSRROPT(rclass=1232)
    return raw(dns_compress(m))


# ------------------------------------------------------------------ HTTP/1.1

def http_request(method, host, path, headers=(), body_len=0, rng=None, body=None):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % host]
    lines += ["%s: %s" % kv for kv in headers]
    if body is None and body_len:
        body = rng.randbytes(body_len)
    if body:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def http_response(status, headers=(), body=b"", body_len=None, rng=None, reason=None):
    reasons = {200: "OK", 204: "No Content", 206: "Partial Content", 301: "Moved Permanently",
               302: "Found", 304: "Not Modified", 404: "Not Found"}
    if body_len is not None:
        body = rng.randbytes(body_len)
    lines = ["HTTP/1.1 %d %s" % (status, reason or reasons.get(status, "OK"))]
    lines += ["%s: %s" % kv for kv in headers]
    if status not in (204, 304):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


HTTP_DATE_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def http_date(t_us):
    d = datetime.datetime.fromtimestamp(t_us // 1000000, datetime.timezone.utc)
    return d.strftime("%%s, %d %b %Y %H:%M:%S GMT") % HTTP_DATE_DAYS[d.weekday()]


# ------------------------------------------------------------------ SSH

def ssh_banner(software):
    return ("SSH-2.0-%s\r\n" % software).encode()


def _namelist(names):
    b = ",".join(names).encode()
    return struct.pack("!I", len(b)) + b


def ssh_packet(rng, payload, block=8):
    pad = block - ((5 + len(payload)) % block)
    if pad < 4:
        pad += block
    return struct.pack("!IB", 1 + len(payload) + pad, pad) + payload + rng.randbytes(pad)


SSH_KEX_OPENSSH = ["sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org",
                   "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
                   "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
                   "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256", "ext-info-c"]
SSH_HOSTKEY = ["ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
               "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"]
SSH_CIPHERS = ["chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr",
               "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"]
SSH_MACS = ["umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
            "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com",
            "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1"]


def ssh_kexinit(rng, server=False):
    kex = [k for k in SSH_KEX_OPENSSH if not (server and k == "ext-info-c")]
    if server:
        kex.append("kex-strict-s-v00@openssh.com")
    else:
        kex.append("kex-strict-c-v00@openssh.com")
    hostkey = ["rsa-sha2-512", "rsa-sha2-256", "ecdsa-sha2-nistp256", "ssh-ed25519"] if server else SSH_HOSTKEY
    payload = (b"\x14" + rng.randbytes(16) + _namelist(kex) + _namelist(hostkey) + _namelist(SSH_CIPHERS) * 2 +
               _namelist(SSH_MACS) * 2 + _namelist(["none", "zlib@openssh.com"]) * 2 + _namelist([]) * 2 +
               b"\x00" + b"\x00\x00\x00\x00")
    return ssh_packet(rng, payload)


def ssh_kex_ecdh_init(rng):
    return ssh_packet(rng, b"\x1e" + struct.pack("!I", 32) + rng.randbytes(32))


def ssh_kex_ecdh_reply(rng):
    hostkey = struct.pack("!I", 11) + b"ssh-ed25519" + struct.pack("!I", 32) + rng.randbytes(32)
    sig = struct.pack("!I", 11) + b"ssh-ed25519" + struct.pack("!I", 64) + rng.randbytes(64)
    payload = (b"\x1f" + struct.pack("!I", len(hostkey)) + hostkey + struct.pack("!I", 32) + rng.randbytes(32) +
               struct.pack("!I", len(sig)) + sig)
    return ssh_packet(rng, payload) + ssh_packet(rng, b"\x15")


def ssh_encrypted(rng, n):
    """chacha20-poly1305 packet: encrypted length, payload, 16-byte tag."""
    n = max(n, 16)
    n += (8 - n % 8) % 8
    return rng.randbytes(4 + n + 16)


# ------------------------------------------------------------------ SMTP / IMAP

def smtp_lines(lines):
    return ("\r\n".join(lines) + "\r\n").encode()


# ------------------------------------------------------------------ NATS (Mysterium broker)

def nats_info(rng, server_name):
    sid = "N" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(55))
    return ('INFO {"server_id":"%s","server_name":"%s","version":"2.10.7","proto":1,'
            '"go":"go1.21.5","host":"0.0.0.0","port":4222,"headers":true,"max_payload":1048576,'
            '"client_id":%d,"client_ip":"%s"} \r\n' % (sid, server_name, rng.randrange(10000, 900000),
                                                       "0.0.0.0")).encode()


def nats_connect(user):
    return ('CONNECT {"verbose":false,"pedantic":false,"user":"%s","pass":"","tls_required":false,'
            '"name":"myst-node","lang":"go","version":"1.31.0","protocol":1,"echo":true,'
            '"headers":true,"no_responders":true}\r\nPING\r\n' % user).encode()


def nats_sub(subject, sid):
    return ("SUB %s %d\r\n" % (subject, sid)).encode()


def nats_pub(subject, payload, reply=None):
    head = "PUB %s %s%d\r\n" % (subject, (reply + " ") if reply else "", len(payload))
    return head.encode() + payload + b"\r\n"


def nats_msg(subject, sid, payload, reply=None):
    head = "MSG %s %d %s%d\r\n" % (subject, sid, (reply + " ") if reply else "", len(payload))
    return head.encode() + payload + b"\r\n"


# ------------------------------------------------------------------ WireGuard

def wg_initiation(rng, sender):
    return struct.pack("<I", 1) + struct.pack("<I", sender) + rng.randbytes(32 + 48 + 28 + 16 + 16)


def wg_response(rng, sender, receiver):
    return struct.pack("<I", 2) + struct.pack("<II", sender, receiver) + rng.randbytes(32 + 16 + 16 + 16)


def wg_data(rng, receiver, counter, inner_len):
    inner_len = inner_len + (16 - inner_len % 16) % 16
    return struct.pack("<IIQ", 4, receiver, counter) + rng.randbytes(inner_len + 16)


# ------------------------------------------------------------------ relay tunnel framings

def frame_len_type(rng, msg_type, body_len):
    """Length-prefixed binary frame with an encrypted body: u32 length, u16 type, u16 flags, body."""
    return struct.pack("!IHH", body_len + 4, msg_type, rng.randrange(0, 4)) + rng.randbytes(body_len)


def frames_for(rng, total, msg_type, max_body=16384):
    out = []
    while total > 0:
        n = min(total, max_body)
        out.append(frame_len_type(rng, msg_type, n))
        total -= n
    return b"".join(out)


# ------------------------------------------------------------------ STUN (RFC 5389) and NTP

STUN_COOKIE = 0x2112A442


def stun_binding_request(tid, software=None):
    attrs = b""
    if software:
        sw = software.encode()
        attrs += struct.pack("!HH", 0x8022, len(sw)) + sw + b"\x00" * ((4 - len(sw) % 4) % 4)
    return struct.pack("!HHI", 0x0001, len(attrs), STUN_COOKIE) + tid + attrs


def stun_binding_response(tid, ip, port):
    xport = port ^ (STUN_COOKIE >> 16)
    xaddr = int(ipaddress.ip_address(ip)) ^ STUN_COOKIE
    attr = struct.pack("!HHBBHI", 0x0020, 8, 0, 1, xport, xaddr)
    return struct.pack("!HHI", 0x0101, len(attr), STUN_COOKIE) + tid + attr


def ntp_packet(rng, mode, t_us, stratum=0):
    """NTPv4 client (mode 3) or server (mode 4) packet."""
    era = (t_us // 1000000) + 2208988800
    frac = ((t_us % 1000000) << 32) // 1000000
    ts = struct.pack("!II", era & 0xFFFFFFFF, frac)
    if mode == 3:
        return struct.pack("!BBbb", (0 << 6) | (4 << 3) | 3, 0, 3, -24) + b"\x00" * 8 + b"\x00" * 4 + \
            b"\x00" * 24 + ts
    return struct.pack("!BBbb", (0 << 6) | (4 << 3) | 4, stratum or 2, 3, -24) + \
        struct.pack("!II", 0x00000150, 0x00000420) + rng.randbytes(4) + ts + ts + ts + ts
