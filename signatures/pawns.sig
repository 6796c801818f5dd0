# IPRoyal Pawns (pawns-cli): outbound proxyware.  No inbound ports and 0 B/s
# when idle, so names matter more than rates.  All third-party (SEEN-3P).
#
# Sources:
#   P1  public install guides (download hosts)
#   P2  github.com/GeiserX/CashPilot app/collectors/iproyal.py (api.pawns.app)
#   P3  public scraper configurations (geo.iproyal.com gateway)

family pawns

host     download.iproyal.com         role=download conf=medium src="P1 download.iproyal.com/pawns-cli/latest/<platform>/pawns-cli"
host     cdn.pawns.app                role=download conf=medium src="P1 cdn.pawns.app/download/..."

# Used by dashboard collectors; whether pawns-cli's tunnel uses it is not
# known.
host     api.pawns.app                role=control  conf=low    src="P2 (node use UNVERIFIED)"
domain   pawns.app                    role=control  conf=low    src="INFERRED from P1, P2 (vendor domain)"

# geo.iproyal.com:12321 (also 12323-12325) is IPRoyal's CUSTOMER gateway: it
# shows a host BUYING proxies, never an exit node.  Kept so that it is not
# mistaken for one.
host     geo.iproyal.com              role=customer conf=low    src="P3 scraper configs (buyer side)"
domain   iproyal.com                  role=web      conf=low    src="INFERRED (IPRoyal's shop: buyers and sellers alike)"
