# Meson Network (meson_cdn): a decentralized CDN edge node.  Unlike proxyware
# it ACCEPTS inbound HTTPS (default TCP/443) and beacons to its control API.
# This is the family of the 2024 EC2 abuse (S1).
#
# Sources:
#   S1  Sysdig TRT, "Cloud Threats Deploying Crypto CDN", 2024-03-11,
#       https://sysdig.com/blog/cloud-threats-deploying-crypto-cdn/
#   S2  github.com/meson-network/peer-node, commit 12b7791 (node 3.1.20)
#   S4  github.com/coreservice-io/dns-common, spec00/parser.go (node host names)
#   S5  github.com/XternA/meson-network (run.sh, image xterna/meson-network)
#
# Not here, on purpose:
#   13.208.251.175  the attacker's source address in S1's CloudTrail logs; it is
#                   neither a node nor a control server.
#   TCP/443, 445, 520
#                   the node's https_port (default 443; community scripts use
#                   445 and 520): on their own these ports say nothing.
#   TCP/10443, 10444, 20443
#                   storage ports of 2022 releases only (S2 history); the
#                   spec00 pattern below still catches their names.
#   ja3             meson_cdn is Go net/http: its fingerprint is that of any Go
#                   client, and no vendor-specific JA3 has been published.

family meson

# Binary download: the userdata of the abused EC2 instances (S1).
host     staticassets.meson.network   role=download conf=high   src="S1; S5 run.sh"

# Control plane: token check, heartbeat every 30 s, config, version, cert.
host     cdn.meson.network            role=control  conf=high   src="S2 configs/default.toml end_point; src/remote/client/*.go"

# The node's own names: inbound SNI and DNS names resolving to nodes.  The
# tag decodes to the node's IPv4 address (spec00_decode); a tag that decodes
# to the local host's own public address settles the verdict.
pattern  spec00-[a-kx]{15}*.mesontracking.com  role=node  conf=high  src="S4 spec00/parser.go; S2 assets/cert"
domain   mesontracking.com            role=node     conf=high   src="S2 assets/cert/public.crt (CN/SAN *.mesontracking.com)"
cert     *.mesontracking.com          role=node     conf=high   src="S2 assets/cert/public.crt (CN, LE R3)"
cert     mesontracking.com            role=node     conf=high   src="S2 assets/cert/public.crt (SAN)"

# Endpoints of 2022 releases, still worth knowing on old installs.
host     server.mesontracking.com     role=control  conf=medium src="S2 git history (2022)"
host     api.meson.network            role=control  conf=medium src="S2 git history (2022)"
host     api.cdn.meson.network        role=control  conf=medium src="S2 git history (2022)"

# Websites: a person at a browser, not a node.  dashboard.meson.network also
# served node downloads in 2022, but only the path tells them apart.
host     dashboard.meson.network      role=web      conf=low    src="S2 git history (2022)"
host     meson.network                role=web      conf=low    src="S2 git history (2022)"

# pz-<pullzone>.meson.network is where a node redirects END USERS of the CDN:
# a host fetching from it consumes the CDN, it does not serve it.
pattern  pz-*.meson.network           role=customer conf=low    src="S2 cmd/default_/http/file_request/file_request.go"

# Anything else under meson.network.
domain   meson.network                role=control  conf=low    src="INFERRED from S2 (vendor domain)"
