"""TLS records, handshake messages, client fingerprints and X.509 certificates.

Everything is built from the RFC 8446 / RFC 5246 wire formats.  Ciphertext is random bytes
of the right length; the plaintext handshake (ClientHello, ServerHello, and for TLS 1.2 the
Certificate chain) is complete and parseable, so a DPI engine computes SNI, ALPN, JA3/JA3S
and reads the certificate subject and SAN exactly as on real traffic.
"""
import datetime
import struct

# ------------------------------------------------------------------ wire helpers

def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def u24(v):
    return struct.pack("!I", v)[1:]


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def vec24(b):
    return u24(len(b)) + b


CT_CCS, CT_ALERT, CT_HANDSHAKE, CT_APPDATA = 20, 21, 22, 23
HS_CLIENT_HELLO, HS_SERVER_HELLO, HS_NEW_SESSION_TICKET = 1, 2, 4
HS_CERTIFICATE, HS_SERVER_KEY_EXCHANGE, HS_SERVER_HELLO_DONE, HS_CLIENT_KEY_EXCHANGE = 11, 12, 14, 16


def record(ctype, body, version=0x0303):
    out = b""
    for i in range(0, max(len(body), 1), 16384):
        chunk = body[i:i + 16384]
        out += u8(ctype) + u16(version) + vec16(chunk)
    return out


def handshake(msg_type, body):
    return u8(msg_type) + vec24(body)


def ext(etype, body=b""):
    return u16(etype) + vec16(body)


GREASE = [0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0x4A4A, 0x5A5A, 0x6A6A, 0x7A7A,
          0x8A8A, 0x9A9A, 0xAAAA, 0xBABA, 0xCACA, 0xDADA, 0xEAEA, 0xFAFA]

X25519, SECP256R1, SECP384R1, SECP521R1, X448 = 29, 23, 24, 25, 30
FFDHE = [256, 257, 258, 259, 260]


def ext_sni(name):
    return ext(0, vec16(u8(0) + vec16(name.encode())))


def ext_alpn(protos):
    return ext(16, vec16(b"".join(vec8(p.encode()) for p in protos)))


def ext_groups(groups):
    return ext(10, vec16(b"".join(u16(g) for g in groups)))


def ext_point_formats(fmts=(0,)):
    return ext(11, vec8(bytes(fmts)))


def ext_sigalgs(algs, etype=13):
    return ext(etype, vec16(b"".join(u16(a) for a in algs)))


def ext_versions_ch(versions):
    return ext(43, vec8(b"".join(u16(v) for v in versions)))


def ext_key_share_ch(shares):
    return ext(51, vec16(b"".join(u16(g) + vec16(k) for g, k in shares)))


def ext_psk_modes():
    return ext(45, vec8(b"\x01"))


def ext_status_request():
    return ext(5, b"\x01\x00\x00\x00\x00")


def ext_reneg():
    return ext(0xFF01, b"\x00")


def ext_padding_to(hello_len_without_padding, target=512):
    # BoringSSL style: pad ClientHellos whose length falls in 256..511 up to 512 bytes.
    if 256 <= hello_len_without_padding < target:
        n = max(target - hello_len_without_padding - 4, 1)
        return ext(21, b"\x00" * n)
    return b""


# ------------------------------------------------------------------ client profiles
# Cipher lists and extension sets follow the ClientHellos of the named stacks (early 2024).

SIGALGS_BROWSER = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
SIGALGS_GO = [0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0503, 0x0603, 0x0201, 0x0203]
SIGALGS_OPENSSL = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081A, 0x081B, 0x081C, 0x0809, 0x080A,
                   0x080B, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302,
                   0x0402, 0x0502, 0x0602]
SIGALGS_FIREFOX = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201]
SIGALGS_GNUTLS = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501,
                  0x0601, 0x0203, 0x0201]


# NIST P-256, for the second key share Firefox sends (the point must be on the curve).
P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
          0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def _p256_add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    (x1, y1), (x2, y2) = p, q
    if x1 == x2 and (y1 + y2) % P256_P == 0:
        return None
    if p == q:
        lam = (3 * x1 * x1 - 3) * pow(2 * y1, -1, P256_P) % P256_P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P256_P) % P256_P
    x3 = (lam * lam - x1 - x2) % P256_P
    return x3, (lam * (x1 - x3) - y1) % P256_P


def p256_public(k):
    r, q = None, P256_G
    while k:
        if k & 1:
            r = _p256_add(r, q)
        q = _p256_add(q, q)
        k >>= 1
    return b"\x04" + r[0].to_bytes(32, "big") + r[1].to_bytes(32, "big")


def _chrome(rng, sni, alpn, key):
    g = rng.sample(GREASE, 4)
    ciphers = [g[0], 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
               0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
    middle = [ext(23), ext_reneg(), ext_groups([g[1], X25519, SECP256R1, SECP384R1]), ext_point_formats(),
              ext(35), ext_alpn(alpn or ["h2", "http/1.1"]), ext_status_request(),
              ext_sigalgs(SIGALGS_BROWSER), ext(18),
              ext_key_share_ch([(g[1], b"\x00"), (X25519, key)]), ext_psk_modes(),
              ext_versions_ch([g[2], 0x0304, 0x0303]), ext(27, b"\x02\x00\x02"),
              ext(17513, vec16(vec8(b"h2")))]
    if sni:
        middle.append(ext_sni(sni))
    rng.shuffle(middle)  # Chrome permutes its extension order on every connection
    return ciphers, [ext(g[0] if g[0] != g[3] else g[3] ^ 0x1010)] + middle + [ext(g[3], b"\x00")], True


def _safari(rng, sni, alpn, key):
    g = rng.sample(GREASE, 4)
    ciphers = [g[0], 0x1301, 0x1302, 0x1303, 0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xC02F, 0xCCA8, 0xC00A,
               0xC009, 0xC014, 0xC013, 0x009D, 0x009C, 0x0035, 0x002F, 0xC008, 0xC012, 0x000A]
    exts = [ext(g[1])]
    if sni:
        exts.append(ext_sni(sni))
    exts += [ext(23), ext_reneg(), ext_groups([g[2], X25519, SECP256R1, SECP384R1, SECP521R1]),
             ext_point_formats(), ext_alpn(alpn or ["h2", "http/1.1"]), ext_status_request(),
             ext_sigalgs(SIGALGS_BROWSER + [0x0805, 0x0501, 0x0806, 0x0601, 0x0201]), ext(18),
             ext_key_share_ch([(g[2], b"\x00"), (X25519, key)]), ext_psk_modes(),
             ext_versions_ch([g[3], 0x0304, 0x0303, 0x0302, 0x0301]), ext(27, b"\x02\x00\x01"),
             ext(g[3] ^ 0x1010, b"\x00")]
    return ciphers, exts, True


def _firefox(rng, sni, alpn, key):
    ciphers = [0x1301, 0x1303, 0x1302, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8, 0xC02C, 0xC030, 0xC00A, 0xC009,
               0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
    exts = []
    if sni:
        exts.append(ext_sni(sni))
    p256 = p256_public(rng.randrange(1, P256_N))
    exts += [ext(23), ext_reneg(), ext_groups([X25519, SECP256R1, SECP384R1, SECP521R1] + FFDHE[:2]),
             ext_point_formats(), ext(35), ext_alpn(alpn or ["h2", "http/1.1"]), ext_status_request(),
             ext(34, vec16(b"".join(u16(a) for a in [0x0403, 0x0503, 0x0603, 0x0203]))),
             ext_key_share_ch([(X25519, key), (SECP256R1, p256)]), ext_versions_ch([0x0304, 0x0303]),
             ext_sigalgs(SIGALGS_FIREFOX), ext_psk_modes(), ext(28, u16(0x4001))]
    return ciphers, exts, False


def _go(rng, sni, alpn, key):
    # crypto/tls (Go 1.21), hardware AES: the client of meson_cdn and the coreservice tools.
    ciphers = [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC009, 0xC013, 0xC00A, 0xC014,
               0x009C, 0x009D, 0x002F, 0x0035, 0xC012, 0x000A, 0x1301, 0x1302, 0x1303]
    exts = []
    if sni:
        exts.append(ext_sni(sni))
    exts += [ext_status_request(), ext_groups([X25519, SECP256R1, SECP384R1, SECP521R1]),
             ext_point_formats(), ext(35), ext_sigalgs(SIGALGS_GO), ext_sigalgs(SIGALGS_GO, 50), ext_reneg()]
    if alpn:
        exts.append(ext_alpn(alpn))
    exts += [ext(18), ext_versions_ch([0x0304, 0x0303]), ext_key_share_ch([(X25519, key)]), ext_psk_modes()]
    return ciphers, exts, False


OPENSSL_CIPHERS = [0x1302, 0x1303, 0x1301, 0xC02C, 0xC030, 0x009F, 0xCCA9, 0xCCA8, 0xCCAA, 0xC02B,
                   0xC02F, 0x009E, 0xC024, 0xC028, 0x006B, 0xC023, 0xC027, 0x0067, 0xC00A, 0xC014,
                   0x0039, 0xC009, 0xC013, 0x0033, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x00FF]


def _openssl(rng, sni, alpn, key):
    # OpenSSL 3.0 defaults: curl, Python, Node.js-based agents.
    exts = []
    if sni:
        exts.append(ext_sni(sni))
    exts += [ext_point_formats((0, 1, 2)),
             ext_groups([X25519, SECP256R1, X448, SECP521R1, SECP384R1] + FFDHE), ext(35)]
    if alpn:
        exts.append(ext_alpn(alpn))
    exts += [ext(22), ext(23), ext(49), ext_sigalgs(SIGALGS_OPENSSL), ext_versions_ch([0x0304, 0x0303]),
             ext_psk_modes(), ext_key_share_ch([(X25519, key)])]
    return OPENSSL_CIPHERS, exts, False


def _gnutls(rng, sni, alpn, key):
    # GnuTLS 3.7 (wget on Debian/Ubuntu).
    ciphers = [0x1301, 0x1302, 0x1303, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC0AD, 0xC02B, 0xC02F, 0xC0AC,
               0xC00A, 0xC014, 0xC009, 0xC013, 0x009D, 0xC09D, 0x009C, 0xC09C, 0x0035, 0x002F, 0x009F,
               0xCCAA, 0xC09F, 0x009E, 0xC09E, 0x0039, 0x0033]
    exts = [ext_status_request(), ext(23), ext_reneg()]
    if sni:
        exts.append(ext_sni(sni))
    exts += [ext(22), ext_groups([X25519, SECP256R1, SECP384R1, SECP521R1, X448] + FFDHE), ext_point_formats(),
             ext(35), ext_versions_ch([0x0304, 0x0303, 0x0302, 0x0301]), ext_sigalgs(SIGALGS_GNUTLS),
             ext_key_share_ch([(X25519, key)]), ext_psk_modes(), ext(28, u16(0x4001))]
    if alpn:
        exts.append(ext_alpn(alpn))
    return ciphers, exts, False


CLIENTS = {"chrome": _chrome, "safari": _safari, "firefox": _firefox, "go": _go,
           "openssl": _openssl, "gnutls": _gnutls}


def client_hello(rng, profile, sni, alpn=None, session_id=True):
    """Return the ClientHello as a TLS record (record version 0x0301, as every stack sends)."""
    key = rng.randbytes(32)
    ciphers, exts, pad = CLIENTS[profile](rng, sni, alpn, key)
    sid = rng.randbytes(32) if session_id else b""
    head = u16(0x0303) + rng.randbytes(32) + vec8(sid) + vec16(b"".join(u16(c) for c in ciphers)) + vec8(b"\x00")
    body_exts = b"".join(exts)
    if pad:
        body_exts += ext_padding_to(4 + len(head) + 2 + len(body_exts))
    body = head + vec16(body_exts)
    return record(CT_HANDSHAKE, handshake(HS_CLIENT_HELLO, body), version=0x0301)


# ------------------------------------------------------------------ server side

def server_hello(rng, client_record, v13=True, cipher=None, alpn=None, ticket=False):
    """ServerHello answering a ClientHello record produced above.  Echoes the legacy session id."""
    ch = client_record[5 + 4:]
    sid = ch[2 + 32 + 1: 2 + 32 + 1 + ch[34]]
    if v13:
        cipher = cipher or 0x1301
        exts = ext(43, u16(0x0304)) + ext(51, u16(X25519) + vec16(rng.randbytes(32)))
        body = u16(0x0303) + rng.randbytes(32) + vec8(sid) + u16(cipher) + b"\x00" + vec16(exts)
    else:
        cipher = cipher or 0xC02F
        exts = ext_reneg() + ext_point_formats((0,)) + ext(23)
        if ticket:
            exts += ext(35)
        if alpn:
            exts += ext_alpn([alpn])
        body = u16(0x0303) + rng.randbytes(32) + vec8(rng.randbytes(32)) + u16(cipher) + b"\x00" + vec16(exts)
    return handshake(HS_SERVER_HELLO, body)


def certificate_msg(chain, v13=False):
    if v13:
        return handshake(HS_CERTIFICATE, vec8(b"") + vec24(b"".join(vec24(c) + vec16(b"") for c in chain)))
    return handshake(HS_CERTIFICATE, vec24(b"".join(vec24(c) for c in chain)))


def server_key_exchange(rng, rsa=True):
    params = u8(3) + u16(X25519) + vec8(rng.randbytes(32))
    sig = u16(0x0804 if rsa else 0x0403) + vec16(rng.randbytes(256) if rsa else der_ecdsa_sig(rng))
    return handshake(HS_SERVER_KEY_EXCHANGE, params + sig)


def encrypted(rng, plaintext_len, v13=True):
    """One protected record: TLS 1.3 (inner content type + 16-byte tag) or TLS 1.2 AES-GCM
    (8-byte explicit nonce + 16-byte tag)."""
    n = plaintext_len + (17 if v13 else 24)
    return u8(CT_APPDATA if v13 else CT_HANDSHAKE) + u16(0x0303) + vec16(rng.randbytes(n))


def app_data(rng, nbytes, v13=True, max_plain=16384):
    """Application data records carrying nbytes of plaintext."""
    out = []
    overhead = 17 if v13 else 24
    while nbytes > 0:
        n = min(nbytes, max_plain)
        out.append(u8(CT_APPDATA) + u16(0x0303) + vec16(rng.randbytes(n + overhead)))
        nbytes -= n
    return b"".join(out)


CCS = record(CT_CCS, b"\x01")


def tls13_server_flight(rng, server_hello_msg, chain, rsa=True):
    cert_len = len(certificate_msg(chain, v13=True))
    cv_len = 4 + 2 + 2 + (256 if rsa else 72)
    return (record(CT_HANDSHAKE, server_hello_msg) + CCS + encrypted(rng, 4 + 2 + 6) +
            encrypted(rng, cert_len) + encrypted(rng, cv_len) + encrypted(rng, 4 + 32))


def tls13_client_finish(rng):
    return CCS + encrypted(rng, 4 + 32)


def tls13_session_tickets(rng, count=1):
    return b"".join(encrypted(rng, 4 + 4 + 4 + 1 + 8 + 2 + 192 + 2) for _ in range(count))


def tls12_server_flight(rng, server_hello_msg, chain, rsa=True):
    return record(CT_HANDSHAKE, server_hello_msg + certificate_msg(chain) + server_key_exchange(rng, rsa) +
                  handshake(HS_SERVER_HELLO_DONE, b""))


def tls12_client_finish(rng):
    cke = handshake(HS_CLIENT_KEY_EXCHANGE, vec8(rng.randbytes(32)))
    return record(CT_HANDSHAKE, cke) + CCS + encrypted(rng, 16, v13=False)


def tls12_server_finish(rng, ticket=True):
    out = b""
    if ticket:
        out += record(CT_HANDSHAKE, handshake(HS_NEW_SESSION_TICKET, struct.pack("!I", 7200) + vec16(rng.randbytes(192))))
    return out + CCS + encrypted(rng, 16, v13=False)


def alert_close(rng, v13=True):
    return encrypted(rng, 2, v13)


# ------------------------------------------------------------------ X.509 (DER)

def _der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der(tag, content):
    return bytes([tag]) + _der_len(len(content)) + content


def seq(*items):
    return der(0x30, b"".join(items))


def der_set(*items):
    return der(0x31, b"".join(items))


def der_oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(enc)
    return der(0x06, out)


def der_int(value):
    if isinstance(value, int):
        value = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    if value[0] & 0x80:
        value = b"\x00" + value
    return der(0x02, value)


def der_ecdsa_sig(rng):
    return seq(der_int(rng.randbytes(32)), der_int(rng.randbytes(32)))


NULL = b"\x05\x00"
OID_CN, OID_O, OID_C, OID_OU = "2.5.4.3", "2.5.4.10", "2.5.4.6", "2.5.4.11"


def der_name(pairs):
    out = []
    for oid, value in pairs:
        tag = 0x13 if oid == OID_C else 0x0C  # PrintableString for C, UTF8String otherwise
        out.append(der_set(seq(der_oid(oid), der(tag, value.encode()))))
    return seq(*out)


def der_time(dt):
    return der(0x17, dt.strftime("%y%m%d%H%M%SZ").encode())


def make_cert(rng, subject, issuer, not_before, days, san=(), ca=False, rsa_key=False, rsa_sig=True):
    """A structurally complete X.509 v3 certificate (random key and signature bytes).
    subject and issuer are lists of (oid, value).  not_before is a datetime (UTC)."""
    if rsa_key:
        spki = seq(seq(der_oid("1.2.840.113549.1.1.1"), NULL),
                   der(0x03, b"\x00" + seq(der_int(b"\xc1" + rng.randbytes(255)), der_int(65537))))
    else:
        spki = seq(seq(der_oid("1.2.840.10045.2.1"), der_oid("1.2.840.10045.3.1.7")),
                   der(0x03, b"\x00\x04" + rng.randbytes(64)))
    sigalg = seq(der_oid("1.2.840.113549.1.1.11"), NULL) if rsa_sig else seq(der_oid("1.2.840.10045.4.3.2"))
    exts = []
    if ca:
        exts.append(seq(der_oid("2.5.29.19"), der(0x01, b"\xff"), der(0x04, seq(der(0x01, b"\xff"), der_int(0)))))
        exts.append(seq(der_oid("2.5.29.15"), der(0x01, b"\xff"), der(0x04, der(0x03, b"\x01\x86"))))
    else:
        exts.append(seq(der_oid("2.5.29.15"), der(0x01, b"\xff"), der(0x04, der(0x03, b"\x07\x80"))))
        exts.append(seq(der_oid("2.5.29.37"), der(0x04, seq(der_oid("1.3.6.1.5.5.7.3.1"), der_oid("1.3.6.1.5.5.7.3.2")))))
        exts.append(seq(der_oid("2.5.29.19"), der(0x01, b"\xff"), der(0x04, seq())))
    exts.append(seq(der_oid("2.5.29.14"), der(0x04, der(0x04, rng.randbytes(20)))))
    exts.append(seq(der_oid("2.5.29.35"), der(0x04, seq(der(0x80, rng.randbytes(20))))))
    if san:
        exts.append(seq(der_oid("2.5.29.17"), der(0x04, seq(*[der(0x82, n.encode()) for n in san]))))
    not_after = not_before + datetime.timedelta(days=days) - datetime.timedelta(seconds=1)
    tbs = seq(der(0xA0, der_int(2)), der_int(b"\x03" + rng.randbytes(17)), sigalg, der_name(issuer),
              seq(der_time(not_before), der_time(not_after)), der_name(subject), spki,
              der(0xA3, seq(*exts)))
    sig = rng.randbytes(256) if rsa_sig else der_ecdsa_sig(rng)
    return seq(tbs, sigalg, der(0x03, b"\x00" + sig))


LE_R3 = [(OID_C, "US"), (OID_O, "Let's Encrypt"), (OID_CN, "R3")]
ISRG_X1 = [(OID_C, "US"), (OID_O, "Internet Security Research Group"), (OID_CN, "ISRG Root X1")]


class CertStore:
    """Certificates per server name, created once per capture so a server shows the same chain
    to every client."""

    def __init__(self, rng):
        self.rng = rng
        self.cache = {}
        self.r3 = make_cert(rng, LE_R3, ISRG_X1, datetime.datetime(2020, 9, 4), 1826, ca=True, rsa_key=True)

    def le_chain(self, cn, san, not_before):
        key = (cn, tuple(san))
        if key not in self.cache:
            leaf = make_cert(self.rng, [(OID_CN, cn)], LE_R3, not_before, 90, san=san, rsa_key=True)
            self.cache[key] = [leaf, self.r3]
        return self.cache[key]

    def org_chain(self, cn, san, org, issuer_cn, not_before, days=365):
        key = (cn, tuple(san), org)
        if key not in self.cache:
            issuer = [(OID_C, "US"), (OID_O, issuer_cn.split(" ")[0] + " Inc"), (OID_CN, issuer_cn)]
            inter = make_cert(self.rng, issuer, [(OID_C, "US"), (OID_O, issuer_cn.split(" ")[0] + " Inc"),
                                                 (OID_CN, issuer_cn.split(" ")[0] + " Root CA")],
                              datetime.datetime(2021, 3, 1), 3650, ca=True, rsa_key=True)
            leaf = make_cert(self.rng, [(OID_C, "US"), (OID_O, org), (OID_CN, cn)], issuer, not_before, days,
                             san=san, rsa_key=False)
            self.cache[key] = [leaf, inter]
        return self.cache[key]
