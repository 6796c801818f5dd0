# Theta Edge Node (edgelauncher).  LITTLE DATA: its network endpoints and P2P
# ports have not been found in any public source.  The container publishes
# 15888, 17888 and 17935, but one script binds them to 127.0.0.1, so they may
# be local RPC or UI only: low.
#
# Sources:
#   Y1  public community scripts; github.com/GeiserX/CashPilot

family theta

host     edgecloud.thetatoken.org     role=web      conf=low    src="Y1 (dashboard)"
port     tcp/15888                    role=node     conf=low    src="Y1 (container port, maybe local only)"
port     tcp/17888                    role=node     conf=low    src="Y1 (container port, maybe local only)"
port     tcp/17935                    role=node     conf=low    src="Y1 (container port, maybe local only)"
