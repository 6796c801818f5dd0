/*
 * frag.h - remembers which flow the first fragment of a datagram belonged to, so later fragments (which
 * carry no ports) are accounted to that flow.  No reassembly: the first fragment has all that
 * classification needs.  A datagram is known by its addresses, identification and protocol and by the VLANs
 * and VNI of its flow key, so the same identity in two segments is two datagrams.  Fixed-size (a few slots
 * a datagram may take, the oldest giving way), so memory is bounded whatever the input.
 */
#ifndef DCDN_FRAG_H
#define DCDN_FRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

#define FRAG_SLOTS		4096	/* datagrams in flight remembered at once */
#define FRAG_LIFETIME_US	30000000ull	/* forget a datagram 30 s after its first fragment */

struct frag_table;

struct frag_table *frag_table_new(uint64_t seed);
void frag_table_free(struct frag_table *ft);
/* Remember the flow key of a first fragment (d->frag == FRAG_FIRST). */
void frag_remember(struct frag_table *ft, const struct decoded *d, const struct flow_key *k, bool sender_is_b,
		   uint64_t now_us);
/* For a later fragment, find the flow key of its datagram; false if unknown or too old. */
bool frag_lookup(const struct frag_table *ft, const struct decoded *d, struct flow_key *k, bool *sender_is_b,
		 uint64_t now_us);

#endif
