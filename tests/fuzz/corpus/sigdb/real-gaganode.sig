# GaGaNode: Meson's "residential IP + bandwidth marketplace".  Proxyware by
# design: a long-lived outbound tunnel relays TCP and UDP for remote
# customers; an inbound "service port" is optional (its default is unknown).
#
# Sources:
#   G1  github.com/gaganode/gaga-server-web-docs, commit 11d9749
#   G3  github.com/gaganode/gaga_android_sdk: official JARs, read with javap
#       (gaga_sdk_v1.0.6; gaga_pro_sdk_v0.0.20, v0.0.100, v0.0.200)
#   G4  github.com/coreservice-io/package_client (package.go, api.go)
#
# Not here, on purpose:
#   raw.githubusercontent.com  the desktop app's bootstrap download (G2) is on
#                   GitHub's shared CDN: matching it would flag every developer.
#   port-only 5060  SIP's port; only the name below makes it GaGaNode.

family gaganode

# Central control and relay bootstrap of the Pro SDK: a custom encrypted
# framed protocol on TCP/5060.  It is not SIP, whatever port-based DPI says.
host     gtxvdqvuweqs.com             role=relay    conf=high   port=tcp/5060   src="G3 gaga_pro_sdk MinerSdk.getServerHost/getServerPort"
domain   gtxvdqvuweqs.com             role=control  conf=low    src="INFERRED from G3 (vendor-only domain, other ports)"

# Relay assignment of the older SDK (returns host, port, connect key).
host     api.gaganode.com             role=control  conf=high   src="G3 gaga_sdk_v1.0.6 ConnectInfo"

# Version and upgrade checks of the coreservice package client.
host     api.package.coreservice.io   role=control  conf=high   port=tcp/10443  src="G3 (all SDK JARs)"
host     api.package.coreservice.io   role=control  conf=low    port=tcp/8080   src="G4 package.go, api.go (use by apphub INFERRED)"

# Package downloads (apphub, gaganode, gaganode_pro).  coreservice.io is
# shared with Meson's tooling; GaGaNode is its documented user.
host     assets.coreservice.io        role=download conf=high   src="G1 src/running/how-to-run-gaganode-on-linux.md"
domain   coreservice.io               role=control  conf=low    src="INFERRED from G1, G3, G4 (vendor domain)"

# User dashboard: register, install instructions, claim.  Not node traffic.
host     dashboard.gaganode.com       role=web      conf=low    src="G1"
domain   gaganode.com                 role=control  conf=low    src="INFERRED from G1, G3 (vendor domain)"
