/*
 * family.h - the fixed list of families of the contract (spec), as small integers so flows and hosts can
 * name a family without pointing into a signature database that a reload may replace.
 */
#ifndef DCDN_FAMILY_H
#define DCDN_FAMILY_H

enum family {
	FAM_NONE = 0,
	FAM_MESON, FAM_GAGANODE, FAM_EARNAPP, FAM_HONEYGAIN, FAM_PAWNS, FAM_PACKETSTREAM, FAM_TRAFFMONETIZER,
	FAM_PEER2PROFIT, FAM_REPOCKET, FAM_PROXYRACK, FAM_MYSTERIUM, FAM_GRASS, FAM_TITAN, FAM_SATURN,
	FAM_STORJ, FAM_THETA, FAM_AETHIR, FAM_UNKNOWN_DCDN, FAM_UNKNOWN_PROXYWARE,
	FAM__COUNT
};

/* "meson", ...; NULL for FAM_NONE. */
const char *family_name(int fam);
/* FAM_NONE when name is not a family. */
int family_lookup(const char *name);
/* True for the proxyware families (outbound relays) as opposed to dCDN/storage nodes. */
int family_is_proxyware(int fam);

#endif
