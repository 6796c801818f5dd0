"""Names and addresses of the outside world.

Vendor endpoints come from the indicators file (doc/dcdn-indicators.md); where it lists
addresses (Mysterium's DNS fallback map, EarnApp's accelerator addresses) those are used, other
vendor servers get fixed addresses from the documentation ranges.  Ordinary sites get a stable
address derived from their name, so a site has the same address in every capture."""
import hashlib

# name: (addresses, dns ttl, rtt region)
VENDOR = {
    # Meson (indicators section 1)
    "staticassets.meson.network": (["198.51.100.23"], 300, "eu"),
    "cdn.meson.network": (["198.51.100.41", "198.51.100.42"], 60, "eu"),
    # GaGaNode / coreservice (section 2)
    "assets.coreservice.io": (["192.0.2.31"], 300, "asia"),
    "api.package.coreservice.io": (["192.0.2.35"], 300, "asia"),
    "gtxvdqvuweqs.com": (["192.0.2.77"], 600, "asia"),
    "api.gaganode.com": (["192.0.2.40"], 300, "asia"),
    # EarnApp / Bright Data SDK (section 3)
    "brightdata.com": (["192.0.2.120"], 300, "us"),
    "cdn-earnapp.b-cdn.net": (["192.0.2.121"], 300, "eu"),
    "proxyjs.luminatinet.com": (["15.197.193.114", "3.33.193.183"], 60, "eu"),
    "clientsdk.lum-sdk.io": (["203.0.113.140"], 300, "us"),
    "perr.lum-sdk.io": (["203.0.113.141"], 300, "us"),
    # Honeygain (section 4)
    "api.honeygain.com": (["203.0.113.20"], 300, "eu"),
    # Repocket (section 9)
    "api.repocket.co": (["203.0.113.30"], 300, "eu"),
    "peer.repocket.co": (["203.0.113.31"], 300, "eu"),
    "ip-api.com": (["208.95.112.1"], 300, "us"),
    # Mysterium (section 11)
    "discovery.mysterium.network": (["116.203.130.98"], 300, "eu"),
    "broker.mysterium.network": (["159.69.15.34", "159.69.244.241"], 300, "eu"),
    "location.mysterium.network": (["49.12.244.81"], 300, "eu"),
    "quality.mysterium.network": (["188.245.149.150"], 300, "eu"),
    "trust.mysterium.network": (["46.224.211.253"], 300, "eu"),
    "stun.mysterium.network": (["51.158.204.9"], 300, "eu"),
}

# Provider-style first octets for ordinary sites.
HOSTING_OCTETS = [13, 18, 23, 34, 35, 52, 54, 64, 66, 69, 104, 107, 130, 142, 146, 151, 157, 162,
                  163, 172, 185, 192, 199, 204, 205, 208, 209, 216]


def site_ip(name, salt=0):
    h = hashlib.sha256(("%s#%d" % (name, salt)).encode()).digest()
    a = HOSTING_OCTETS[h[0] % len(HOSTING_OCTETS)]
    b = h[1]
    if a == 172:
        b = 64 + h[1] % 8      # 172.64.0.0/13, outside 172.16.0.0/12
    if a == 192:
        b = 229 + h[1] % 20    # keep clear of 192.0.2.0/24 and 192.168.0.0/16
    return "%d.%d.%d.%d" % (a, b, h[2], 1 + h[3] % 253)


def site_ip6(name):
    h = hashlib.sha256(("%s#v6" % name).encode()).digest()
    return "2a0%d:%x:%x::%x" % (1 + h[0] % 9, 0x1000 + (h[1] << 4 | h[2] >> 4), h[3] << 8 | h[4], 1 + h[5])


# Everyday sites for browsing clients.
POPULAR = [
    "www.google.com", "www.gstatic.com", "fonts.googleapis.com", "www.youtube.com", "i.ytimg.com",
    "en.wikipedia.org", "upload.wikimedia.org", "github.com", "api.github.com", "avatars.githubusercontent.com",
    "www.microsoft.com", "login.microsoftonline.com", "outlook.office365.com", "teams.microsoft.com",
    "slack.com", "app.slack.com", "www.bbc.co.uk", "www.theguardian.com", "stackoverflow.com",
    "www.reddit.com", "news.ycombinator.com", "docs.python.org", "www.linkedin.com", "cdn.jsdelivr.net",
    "zoom.us", "www.dropbox.com", "calendar.google.com", "mail.google.com", "www.spiegel.de",
    "www.heise.de", "www.nytimes.com", "www.wikipedia.org", "duckduckgo.com", "www.apple.com",
]

# Targets proxyware relays fetch for its customers: retail, travel, social, search, listings.
RELAY_TARGETS = [
    "www.amazon.com", "www.amazon.de", "www.amazon.co.uk", "www.ebay.com", "www.ebay.de", "www.walmart.com",
    "www.target.com", "www.bestbuy.com", "www.zalando.de", "www.aliexpress.com", "www.etsy.com",
    "www.ikea.com", "www.nike.com", "www.adidas.com", "www.footlocker.com", "www.homedepot.com",
    "www.costco.com", "www.lowes.com", "www.wayfair.com", "www.macys.com", "www.otto.de",
    "www.mediamarkt.de", "www.idealo.de", "www.booking.com", "www.expedia.com", "www.airbnb.com",
    "www.skyscanner.net", "www.ryanair.com", "www.kayak.com", "www.tripadvisor.com", "www.hotels.com",
    "www.agoda.com", "www.instagram.com", "www.tiktok.com", "x.com", "www.facebook.com",
    "www.pinterest.com", "www.google.com", "www.bing.com", "duckduckgo.com", "www.zillow.com",
    "www.rightmove.co.uk", "www.immobilienscout24.de", "www.craigslist.org", "www.gumtree.com",
    "www.kleinanzeigen.de", "www.ticketmaster.com", "www.stubhub.com", "www.netflix.com", "www.hulu.com",
    "www.yelp.com", "www.indeed.com", "www.glassdoor.com", "www.linkedin.com", "www.autotrader.com",
    "www.cars.com", "www.mobile.de", "www.carvana.com", "www.sephora.com", "www.ulta.com",
    "www.asos.com", "www.shein.com", "www.temu.com", "www.wish.com", "www.newegg.com", "www.bhphotovideo.com",
    "www.kohls.com", "www.jcpenney.com", "www.nordstrom.com", "www.zara.com", "www.hm.com",
    "www.uniqlo.com", "www.lidl.de", "www.tesco.com", "www.sainsburys.co.uk", "www.carrefour.fr",
    "www.leboncoin.fr", "www.cdiscount.com", "www.fnac.com", "www.rakuten.com", "www.mercadolibre.com",
    "www.olx.pl", "www.allegro.pl", "www.avito.ru", "www.trivago.com", "www.opentable.com",
    "www.doordash.com", "www.ubereats.com", "www.instacart.com", "www.chewy.com", "www.petco.com",
    "www.samsclub.com", "www.overstock.com", "www.stockx.com", "www.goat.com", "www.farfetch.com",
    "www.vinted.com", "www.depop.com", "www.reverb.com", "www.discogs.com", "www.tcgplayer.com",
]

# Origins a Meson node pulls cache fills from.
CACHE_ORIGINS = ["ipfs.io", "arweave.net", "nftstorage.link", "gateway.pinata.cloud", "i.seadn.io",
                 "metadata.ens.domains", "dweb.link", "ipfs.filebase.io", "cdn.simplehash.com",
                 "img.reservoir.tools"]

# Public resolvers (relayed UDP, ordinary clients).
RESOLVERS = ["8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112", "208.67.222.222"]
