# Mysterium (myst, MystNodes): dVPN exit node.  It ACCEPTS inbound encrypted
# UDP (WireGuard, ports 10000-60000) from consumers and sends their traffic to
# the internet.
#
# Sources:
#   M1  github.com/mysteriumnetwork/node, commit 7bd799e: metadata/network.go,
#       config/flags_node.go, config/flags_network.go, nat/behavior/service.go,
#       communication/nats/connection_wrap.go, core/node/options.go
#   M2  github.com/GeiserX/CashPilot, github.com/MRColorR/money4band (web UI port)
#
# The consumer VPN app talks to discovery, broker, trust, transactor,
# pilvytis, location and quality too, so those say "Mysterium", not "a
# provider node": medium.  MystNodes (mystnodes.com) serves providers only.
#
# Not here, on purpose:
#   UDP 10000-60000  the provider's WireGuard range: far too broad on its own.
#   TCP/4050         tequilapi, bound to localhost.
#   stun[1,2].l.google.com:19302  Google's public STUN, used by everyone.

family mysterium

host     discovery.mysterium.network  role=control  conf=medium src="M1 metadata/network.go"
host     trust.mysterium.network      role=control  conf=medium src="M1 metadata/network.go"
host     transactor.mysterium.network role=control  conf=medium src="M1 metadata/network.go"
host     affiliator.mysterium.network role=control  conf=medium src="M1 metadata/network.go"
host     pilvytis.mysterium.network   role=control  conf=medium src="M1 metadata/network.go"
host     observer.mysterium.network   role=control  conf=medium src="M1 metadata/network.go"
host     location.mysterium.network   role=control  conf=medium src="M1 metadata/network.go"
host     quality.mysterium.network    role=control  conf=medium src="M1 metadata/network.go"
host     polygon1.mysterium.network   role=control  conf=medium src="M1 metadata/network.go"
host     ethereum1.mysterium.network  role=control  conf=medium src="M1 metadata/network.go"
host     feedback.mysterium.network   role=control  conf=medium src="M1 config/flags_node.go"
host     api.mystnodes.com            role=control  conf=high   src="M1 config/flags_node.go"
host     my.mystnodes.com             role=control  conf=high   src="M1 metadata/network.go"

# NATS broker, default port 4222.
host     broker.mysterium.network     role=control  conf=high   port=tcp/4222   src="M1 metadata/network.go; connection_wrap.go DefaultBrokerPort"

# NAT traversal: STUN, and the UDP port-check echo.
host     stun.mysterium.network       role=control  conf=high   port=udp/3478   src="M1 nat/behavior/service.go"
host     echo.mysterium.network       role=control  conf=high   port=udp/4589   src="M1 config/flags_network.go"

# Hard-coded DNS fallback addresses (Hetzner, Scaleway).  Hosting addresses get
# reassigned: medium.
cidr     159.69.15.34                 role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     159.69.244.241               role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     116.203.130.98               role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     49.12.244.81                 role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     46.224.211.253               role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     188.245.149.150              role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     51.158.204.9                 role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     51.158.204.23                role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     51.158.204.30                role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     51.158.204.75                role=control  conf=medium src="M1 metadata/network.go DNSMap"
cidr     51.158.129.204               role=control  conf=medium src="M1 core/node/options.go (quality, mobile)"

# The node's web UI, published on the host by the usual compose files.
port     tcp/4449                     role=node     conf=low    src="M1 config/flags_ui.go; M2"

domain   mystnodes.com                role=control  conf=low    src="INFERRED from M1 (provider-only vendor domain)"
domain   mysterium.network            role=control  conf=low    src="INFERRED from M1 (vendor domain; consumers too)"
