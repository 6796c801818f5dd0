/*
 * nettally.h - which networks the flows of a run were between, for the end-of-run summary: when no flow
 * touched the home networks, the networks in most flows are the likely home networks of the capture.
 */
#ifndef DCDN_NETTALLY_H
#define DCDN_NETTALLY_H

#include <stddef.h>
#include <stdint.h>

/* Distinct networks counted; those beyond go into `other`, so memory is fixed. */
#define NETTALLY_SLOTS	256

struct nettally_net {
	uint8_t ipver;		/* 0: slot unused */
	uint8_t prefix[6];	/* the first 3 bytes of IPv4 (/24) or 6 of IPv6 (/48) */
	uint64_t flows, bytes;
};

struct nettally {
	struct nettally_net net[NETTALLY_SLOTS];
	uint64_t flows, home_flows, other;
};

/* One finished flow between a and b (16-byte addresses, IPv4 in the first 4); home: it touched home_net. */
void nettally_flow(struct nettally *t, int ipver, const uint8_t *a, const uint8_t *b, uint64_t bytes, int home);
/* The n networks in most flows (most bytes first among equals), into out; how many were written. */
size_t nettally_top(const struct nettally *t, struct nettally_net *out, size_t n);
/* "203.0.113.0/24" or "2001:db8:1::/48". */
const char *nettally_format(const struct nettally_net *net, char *buf, size_t len);

#endif
