# Titan Network (titan-edge): DePIN edge storage and bandwidth.  The edge node
# LISTENS on TCP and UDP 1234 and sends a heartbeat to its scheduler every
# 10 s.
#
# Sources:
#   N1  github.com/Titannet-dao/titan-node, commit 41400da: node/config/def.go,
#       cmd/titan-edge/main.go, daemon.go, test.go
#   N2  public install scripts

family titan

# Locator RPC on TCP/5000.
host     locator.titannet.io          role=control  conf=high   port=tcp/5000   src="N1 cmd/titan-edge/test.go; N2"
host     test-locator.titannet.io     role=control  conf=high   port=tcp/5000   src="N1 cmd/titan-edge/test.go"
host     cassini-locator.titannet.io  role=control  conf=high   port=tcp/5000   src="N1 cmd/titan-edge/test.go; N2"

# Device binding and ACME.
host     api-test1.container1.titannet.io role=control conf=high src="N1 node/config/def.go"
host     storage.titannet.io          role=control  conf=medium src="N1 node/config/def.go; N2"

host     edge.titannet.io             role=web      conf=low    src="N2 (dashboard)"
domain   titannet.io                  role=control  conf=low    src="INFERRED from N1 (vendor domain)"

# Listening ports: edge on 1234 (TCP and UDP), candidate on 2345.  1234 is a
# popular port for many other things, hence low.
port     tcp/1234                     role=node     conf=low    src="N1 node/config/def.go ListenAddress"
port     udp/1234                     role=node     conf=low    src="N1 cmd/titan-edge/main.go (edge listens on tcp/udp)"
port     tcp/2345                     role=node     conf=low    src="N1 node/config/def.go (candidate node)"
