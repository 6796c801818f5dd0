# Repocket: outbound proxyware.  The node asks the API for a relay
# (tcpServerInfo: ip, port, socketReqHandlerPort), opens raw TCP to it, and a
# SOCKS5 handler connects wherever the relay says.  Read in a third-party Java
# port of the SDK (SEEN-3P); the official client may differ.
#
# Sources:
#   Q1  github.com/nabeelbaghoor/RepocketAndroidSDK, commit 207a36f:
#       shared/Global.java, services/PeerService.java, P2P/MainSocket.java
#
# Not here, on purpose: ip-api.com (the SDK's geo lookup; used by everyone).

family repocket

host     api.repocket.co              role=control  conf=medium src="Q1 Global.java"
host     peer.repocket.co             role=control  conf=medium src="Q1 Global.java; PeerService.java (createPeer, markPeerAsAlive)"
host     monitor.repocket.co          role=control  conf=medium src="Q1 Global.java; PeerMonitor.java"
host     app.repocket.co              role=web      conf=low    src="Q1 Global.java (dashboard)"
host     link.repocket.co             role=web      conf=low    src="Q1 Global.java (links)"
domain   repocket.co                  role=control  conf=low    src="INFERRED from Q1 (vendor domain)"

# The relay's request-handler port when createPeer does not say otherwise.
# Relay addresses are handed out at run time, so only the port is known.
port     tcp/7072                     role=relay    conf=low    src="Q1 MainSocket.java default socketReqHandlerPort"

# Loki log push hard-coded in the SDK port; maybe not in the official client.
cidr     51.159.149.175               role=control  conf=low    port=tcp/3100   src="Q1 Global.java"
