# Grass (Wynd Network): browser-extension and desktop proxyware.  A TLS
# WebSocket on an odd port (4444 or 4650) carries PING/PONG every few seconds
# and the requests it relays.  All from community emulators (SEEN-3P).
#
# Sources:
#   W1  public community scripts emulating the extension
#       (wss://proxy.wynd.network:4650/, :4444/; proxy2., proxy3. too)
#   W2  github.com/MRColorR/money4band, github.com/GeiserX/CashPilot,
#       github.com/XternA/income-generator (sites and images)

family grass

host     proxy.wynd.network           role=relay    conf=medium port=tcp/4650   src="W1 wss://proxy.wynd.network:4650/"
host     proxy.wynd.network           role=relay    conf=medium port=tcp/4444   src="W1 wss://proxy.wynd.network:4444/"
host     proxy2.wynd.network          role=relay    conf=medium port=tcp/4650   src="W1"
host     proxy2.wynd.network          role=relay    conf=medium port=tcp/4444   src="W1"
host     proxy3.wynd.network          role=relay    conf=medium port=tcp/4650   src="W1"
host     proxy3.wynd.network          role=relay    conf=medium port=tcp/4444   src="W1"
domain   wynd.network                 role=control  conf=low    src="INFERRED from W1 (vendor domain)"

# Dashboards: a person at a browser.
host     app.getgrass.io              role=web      conf=low    src="W2 (older dashboard)"
host     app.grass.io                 role=web      conf=low    src="W2 (dashboard)"
domain   getgrass.io                  role=web      conf=low    src="W2"
domain   grass.io                     role=web      conf=low    src="W2"
