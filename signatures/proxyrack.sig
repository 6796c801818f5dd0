# ProxyRack (PoP / PeerConnect): outbound proxyware.  TOO LITTLE DATA: the
# node's endpoint has not been found; only the dashboard where a device UUID is
# registered is known.  ProxyRack also sells proxies, so its domain is seen
# from buyers as well.
#
# Sources:
#   X1  github.com/MRColorR/money4band config/app-config.json

family proxyrack

host     peer.proxyrack.com           role=web      conf=low    src="X1 (device registration dashboard)"
domain   proxyrack.com                role=web      conf=low    src="INFERRED from X1 (vendor domain, also sells proxies)"
