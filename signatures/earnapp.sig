# EarnApp (Bright Data, formerly Luminati): outbound proxyware built on the
# Bright SDK.  No inbound ports.  Everything here is third-party material
# (SEEN-3P): community scripts, router block lists and the research code
# below; Bright Data has published none of it.
#
# Sources:
#   E1  public EarnApp install scripts and Dockerfiles (brightdata.com installer)
#   E2  public EarnApp SDK notes (unattributed): download host, pinned AWS
#       addresses of the old SDK, Global Accelerator addresses of newer ones
#   E3  github.com/shehel/ProxyTrafficAnalysis: control_domains in analysis/,
#       gateway classifier in extract_feats/extract_domains.py
#   E4  router block-list write-ups on the other Bright SDK products
#
# Not here, on purpose: earnapp.com/r/sdk-node-... claim links (a person at a
# browser, covered by the earnapp.com domain below).

family earnapp

# Installer and binaries.  brightdata.com is Bright Data's whole commercial
# site, so on its own it says little.
host     brightdata.com               role=download conf=low    src="E1 brightdata.com/static/earnapp/install.sh"
host     cdn-earnapp.b-cdn.net        role=download conf=medium src="E2 cdn-earnapp.b-cdn.net/static/earnapp-x64-<ver>"

# SDK control ("proxyjs") and registration.
host     proxyjs.luminatinet.com      role=control  conf=medium src="E2; E3 control_domains"
host     proxyjs.lum-sdk.io           role=control  conf=medium src="E2; E3 control_domains"
host     clientsdk.lum-sdk.io         role=control  conf=medium src="E3 control_domains"
host     client.earnapp.com           role=control  conf=medium src="E3 control_domains"
host     proxyjs.brdtnet.com          role=control  conf=medium src="E4"
host     proxyjs.bright-sdk.com       role=control  conf=medium src="E4"
host     clientsdk.bright-sdk.com     role=control  conf=medium src="E4"
host     clientsdk.brdtnet.com        role=control  conf=medium src="E4"

# Error and telemetry reports ("perr").
host     perr.lum-sdk.io              role=control  conf=medium src="E3 control_domains"
host     perr.l-err.biz               role=control  conf=medium src="E3 control_domains"
host     perr.l-agent.me              role=control  conf=medium src="E3 control_domains"
host     perr.h-cdn.com               role=control  conf=medium src="E3 control_domains"

# IP and geo self-test.  Bright Data's proxy customers test with these names
# too, and their test requests leave through exit nodes, so: low.
host     lumtest.com                  role=control  conf=low    src="E3 control_domains"
host     geo.brdtest.com              role=control  conf=low    src="E3 control_domains"

# Relayed proxy connections: gateway names under brdtnet.com, or under
# luminatinet.com other than proxyjs.* (the hosts above win over these).
domain   brdtnet.com                  role=relay    conf=medium src="E3 extract_feats/extract_domains.py"
domain   luminatinet.com              role=relay    conf=medium src="E3 extract_feats/extract_domains.py"

# Addresses the old SDK pinned (us-east-1) and Global Accelerator addresses of
# newer answers.  Cloud addresses get reassigned: low.
cidr     54.243.132.124               role=control  conf=low    src="E2 pinned address (old SDK)"
cidr     54.197.238.153               role=control  conf=low    src="E2 pinned address (old SDK)"
cidr     23.23.115.110                role=control  conf=low    src="E2 pinned address (old SDK)"
cidr     15.197.193.114               role=control  conf=low    src="E2 Global Accelerator answer"
cidr     3.33.193.183                 role=control  conf=low    src="E2 Global Accelerator answer"

# Vendor domains as a whole.  h-cdn.com is also Hola's CDN (the same network).
domain   earnapp.com                  role=control  conf=low    src="INFERRED from E3 (vendor domain; also the dashboard)"
domain   lum-sdk.io                   role=control  conf=low    src="INFERRED from E3 (vendor domain)"
domain   bright-sdk.com               role=control  conf=low    src="INFERRED from E4 (vendor domain)"
domain   l-err.biz                    role=control  conf=low    src="INFERRED from E3 (vendor domain)"
domain   l-agent.me                   role=control  conf=low    src="INFERRED from E3 (vendor domain)"
domain   h-cdn.com                    role=control  conf=low    src="INFERRED from E3 (vendor domain, shared with Hola)"
domain   brdtest.com                  role=control  conf=low    src="INFERRED from E3 (vendor domain)"
