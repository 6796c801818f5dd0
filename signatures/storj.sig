# Storj storage node: storage and bandwidth.  It ACCEPTS inbound TCP and UDP
# (QUIC) on 28967 and talks to satellites on TCP/7777.
#
# Sources:
#   J1  https://storj.dev/node/concepts (port forwarding); CashPilot
#       services/storage/storj.yml
#   J2  public Storj tooling and docs (satellite addresses)
#
# Storj's customers (uplinks) reach the satellites on 7777 too, so a satellite
# flow alone says "Storj", not "a storage node": medium.
#
# Not here, on purpose: TCP/14002, the node's dashboard, bound to the LAN.

family storj

port     tcp/28967                    role=node     conf=medium src="J1 storj.dev/node/concepts"
port     udp/28967                    role=node     conf=medium src="J1 storj.dev/node/concepts (QUIC)"

host     us1.storj.io                 role=control  conf=medium port=tcp/7777   src="J2"
host     eu1.storj.io                 role=control  conf=medium port=tcp/7777   src="J2"
host     ap1.storj.io                 role=control  conf=medium port=tcp/7777   src="J2"
host     us2.storj.io                 role=control  conf=medium port=tcp/7777   src="J2"
host     saltlake.tardigrade.io       role=control  conf=medium port=tcp/7777   src="J2"

domain   storj.io                     role=control  conf=low    src="INFERRED from J2 (vendor domain; customers too)"
domain   tardigrade.io                role=control  conf=low    src="INFERRED from J2 (vendor domain)"
