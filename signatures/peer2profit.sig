# Peer2Profit (p2pclient): outbound proxyware.  LITTLE DATA, and the service
# reportedly wound down.  Only download and web hosts are known; the node's
# endpoints are not.
#
# Sources:
#   R1  public Dockerfile and Windows batch script (updates.peer2profit.com)
#   R2  github.com/MRColorR/money4band (site, referral domain)

family peer2profit

host     updates.peer2profit.com      role=download conf=medium src="R1 updates.peer2profit.com/p2pclient"
domain   peer2profit.com              role=web      conf=low    src="R2 (site; node endpoints unknown)"
domain   p2pr.me                      role=web      conf=low    src="R2 referral links"
