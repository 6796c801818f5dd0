# Honeygain: outbound proxyware (Go CLI /app/honeygain + libhg.so).  No
# inbound ports; the chattiest when idle (about 6.7 KB/s each way).  All
# third-party material (SEEN-3P).
#
# Sources:
#   H1  public mitmproxy script rewriting api.honeygain.com/api/v1/ping
#   H2  "hg-supervisor" README (the CLI's traffic goes to api.honeygain.com)
#   H3  github.com/MRColorR/money4band config/app-config.json;
#       github.com/GeiserX/CashPilot (dashboard and referral hosts)

family honeygain

host     api.honeygain.com            role=control  conf=medium src="H1; H2"

# Dashboard and referral links: a person at a browser, not node traffic.
host     dashboard.honeygain.com      role=web      conf=low    src="H3"
host     join.honeygain.com           role=web      conf=low    src="H3"
domain   honeygain.me                 role=web      conf=low    src="H3 r.honeygain.me referral links"

domain   honeygain.com                role=control  conf=low    src="INFERRED from H1, H2 (vendor domain)"
