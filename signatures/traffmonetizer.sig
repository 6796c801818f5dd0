# Traffmonetizer (cli_v2): outbound proxyware.  TOO LITTLE DATA: the node's
# tunnel endpoint has not been found in any public source, and the container
# is silent when idle (0 B/s).  What is here is the dashboard, which collectors
# and people reach; treat a match as a hint, not a verdict.
#
# Sources:
#   T1  public dashboard collectors (app.traffmonetizer.com,
#       data.traffmonetizer.com)

family traffmonetizer

host     app.traffmonetizer.com       role=web      conf=low    src="T1 dashboard"
host     data.traffmonetizer.com      role=web      conf=low    src="T1 dashboard API used by collectors"
domain   traffmonetizer.com           role=control  conf=low    src="INFERRED from T1 (vendor domain; node endpoint unknown)"
