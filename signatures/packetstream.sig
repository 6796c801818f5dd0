# PacketStream (psclient): outbound proxyware.  No inbound ports.  The only
# evidence is third-party and weak (SEEN-3P).
#
# Sources:
#   K1  public PCAP-analysis scripts listing the client's "source domains"
#       (psclient and Honeygain containers on a docker bridge); unattributed
#   K2  public scraper configurations (proxy.packetstream.io:31111/31112)

family packetstream

# proxy.packetstream.io on TCP/31111 and 31112 is the CUSTOMER gateway: proxy
# use, not an exit node.  On other ports (or as a bare DNS name) it is the
# weak K1 evidence of a client.
host     proxy.packetstream.io        role=customer conf=low    port=tcp/31111  src="K2 scraper configs (buyer side)"
host     proxy.packetstream.io        role=customer conf=low    port=tcp/31112  src="K2 scraper configs (buyer side)"
host     proxy.packetstream.io        role=control  conf=low    src="K1 (weak, unattributed)"
host     api.packetstream.io          role=control  conf=low    src="K1 (weak, unattributed)"

domain   packetstream.io              role=control  conf=low    src="INFERRED from K1 (vendor domain)"
