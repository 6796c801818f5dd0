/*
 * family.c - family names.
 */
#include "config.h"

#include <string.h>

#include "family.h"

static const char *const names[FAM__COUNT] = {
	[FAM_NONE] = NULL,
	[FAM_MESON] = "meson", [FAM_GAGANODE] = "gaganode", [FAM_EARNAPP] = "earnapp",
	[FAM_HONEYGAIN] = "honeygain", [FAM_PAWNS] = "pawns", [FAM_PACKETSTREAM] = "packetstream",
	[FAM_TRAFFMONETIZER] = "traffmonetizer", [FAM_PEER2PROFIT] = "peer2profit", [FAM_REPOCKET] = "repocket",
	[FAM_PROXYRACK] = "proxyrack", [FAM_MYSTERIUM] = "mysterium", [FAM_GRASS] = "grass",
	[FAM_TITAN] = "titan", [FAM_SATURN] = "saturn", [FAM_STORJ] = "storj", [FAM_THETA] = "theta",
	[FAM_AETHIR] = "aethir", [FAM_UNKNOWN_DCDN] = "unknown-dcdn", [FAM_UNKNOWN_PROXYWARE] = "unknown-proxyware",
};

const char *
family_name(int fam)
{
	if (fam <= FAM_NONE || fam >= FAM__COUNT)
		return NULL;
	return names[fam];
}

int
family_lookup(const char *name)
{
	int i;

	for (i = 1; i < FAM__COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return FAM_NONE;
}

int
family_is_proxyware(int fam)
{
	switch (fam) {
	case FAM_GAGANODE: case FAM_EARNAPP: case FAM_HONEYGAIN: case FAM_PAWNS: case FAM_PACKETSTREAM:
	case FAM_TRAFFMONETIZER: case FAM_PEER2PROFIT: case FAM_REPOCKET: case FAM_PROXYRACK:
	case FAM_MYSTERIUM: case FAM_GRASS: case FAM_UNKNOWN_PROXYWARE:
		return 1;
	default:
		return 0;
	}
}
