/*
 * flow.h - the bidirectional flow table.
 *
 * A flow is identified by a direction-normalized key (the lower address/port pair first) that includes the
 * VLAN ids and the tunnel's VNI, so the same 5-tuple in two VPCs or VLANs is two flows.  Buckets are found
 * through a seeded hash.  Flows sit on one idle list per timeout class, each kept in last-seen order, so
 * expiry and eviction of the stalest flow are O(1) per flow.  The table never holds more than its cap.
 */
#ifndef DCDN_FLOW_H
#define DCDN_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "decode.h"

struct ndpi_flow_struct;

struct flow_key {
	uint8_t a[16];		/* lower endpoint address */
	uint8_t b[16];
	uint16_t pa, pb;	/* ports of a and b */
	uint32_t vni;		/* VNI | tunnel type << 24; 0 outside tunnels */
	uint16_t vlan[DECODE_MAX_VLAN];
	uint8_t proto;
	uint8_t ipver;
};

/* Timeout classes: each has its own idle list and idle timeout. */
enum flow_tclass {
	FT_TCP_NEW,		/* handshake or one-sided so far */
	FT_TCP_EST,		/* packets seen both ways */
	FT_TCP_CLOSED,		/* FIN both ways or RST: expires soon */
	FT_UDP,
	FT_ICMP,
	FT_OTHER,
	FT__COUNT
};

enum flow_state { FS_NEW, FS_ESTABLISHED, FS_CLOSED };

/* Why a flow record ended; printed as flow.reason. */
enum flow_end {
	FE_TIMEOUT,		/* idle timeout */
	FE_ACTIVE,		/* active timeout: a long flow is reported in slices */
	FE_EVICTED,		/* table full: the stalest flow made room */
	FE_SHUTDOWN,		/* end of input or stop */
};

/* What classification learned, kept after the nDPI state is freed.  Allocated only when there is some. */
struct flow_l7 {
	char *name;		/* SNI, DNS query or HTTP Host (owned) */
	char *alpn;		/* owned, may be NULL */
	char *cert_names;	/* server certificate's names, comma separated (owned, may be NULL) */
	char ja3c[33];
	char ja3s[33];
};

/*
 * What the packet path knows of a flow's current record, and all the detection layer and flow events read
 * of it.  Written by the thread that owns the flow's table; a sharded run copies it whole to tell the
 * replaying thread about the flow (a snapshot).  l7 is the flow's own and lives as long as the flow.
 */
struct flow_rec {
	struct flow_key key;
	uint64_t first_us, last_us;	/* of the current record */
	uint64_t bytes[2];	/* [0] initiator to responder (to server), [1] back; wire length */
	uint32_t pkts[2];
	struct flow_l7 *l7;	/* NULL when nothing was learned */
	uint16_t master, app;	/* nDPI protocol ids */
	uint16_t category;
	uint8_t confidence;
	uint8_t init_is_b;	/* the initiator is key.b */
	uint8_t home;		/* bit 0: key.a is in the home net, bit 1: key.b */
	uint8_t spoke;		/* bit 0: the initiator has sent a packet, bit 1: the responder */
	uint8_t fin[2];		/* FIN seen from each side (by key side a/b) */
	uint8_t rst;
};

/*
 * The detection layer's own part of a flow, never written by the table or the packet path.  In a sharded
 * run it is the replaying thread's, while a worker writes the rest of the flow.
 */
struct flow_det {
	uint64_t acc_bytes[2];	/* bytes already attributed to host buckets */
	uint32_t acc_pkts[2];
	uint8_t family;		/* enum family of a matched signature, FAM_NONE if none */
};

struct flow {
	/* The table's and the classifier's: never copied, never seen by detection. */
	struct flow *hnext;	/* bucket chain */
	uint32_t hash;
	uint8_t tclass;		/* enum flow_tclass */
	uint8_t syn_seen;	/* a SYN without ACK fixed the initiator */
	uint8_t swapped;	/* set when a late SYN swapped the directions; the caller clears it */
	uint8_t classified;	/* classification complete, ndpi freed */
	struct flow *prev, *next; /* idle list of its timeout class, oldest first */
	uint64_t touch;		/* the table's clock at the last packet: the idle lists' order */
	struct ndpi_flow_struct *ndpi;	/* nDPI state while classifying, NULL after */
	struct flow_rec rec;	/* the packet path's */
	struct flow_det det;	/* the detection layer's */
};

/* Exchange the two directions of a pair of counters (a late SYN fixed who started the flow). */
static inline void
flow_swap_dirs(uint64_t bytes[2], uint32_t pkts[2])
{
	uint64_t b = bytes[0];
	uint32_t p = pkts[0];

	bytes[0] = bytes[1];
	bytes[1] = b;
	pkts[0] = pkts[1];
	pkts[1] = p;
}

struct flow_table_cfg {
	uint32_t max_flows;		/* hard cap */
	uint32_t timeout_s[FT__COUNT];	/* idle timeouts by class */
	uint32_t active_timeout_s;	/* a record is cut after this long even if busy; 0 = never */
	uint64_t seed;			/* hash seed */
};

/*
 * Called for every flow record that ends; the flow is freed right after the callback returns, unless the
 * table keeps ended flows (flow_table_keep_ended).  For FE_ACTIVE the flow goes on with a fresh record.
 */
typedef void (*flow_end_cb)(void *arg, struct flow *f, enum flow_end why);

struct flow_table;

struct flow_table_stats {
	uint64_t created, expired, evicted, active_cut, closed_early;
	uint32_t active, peak;
};

struct flow_table *flow_table_new(const struct flow_table_cfg *cfg, flow_end_cb cb, void *cbarg);
/* Ends every remaining flow (FE_SHUTDOWN, in first-seen order) and frees the table. */
void flow_table_free(struct flow_table *t);
/* Ends every flow in first-seen order with FE_SHUTDOWN; the table stays usable. */
void flow_table_flush(struct flow_table *t);
/*
 * Takes every flow out of the table, in flush order, without the callback: the caller gets an array
 * (free it) of *n flows it now owns (flow_free).  The table stays usable, empty.
 */
struct flow **flow_table_drain(struct flow_table *t, size_t *n);

/* From now on the callback owns the flows it is handed, and frees them with flow_free. */
void flow_table_keep_ended(struct flow_table *t);
void flow_free(struct flow *f);
/* The order of flow_table_flush: first seen, then key.  For qsort on struct flow pointers. */
int flow_cmp_first(const void *x, const void *y);
/* The clock stamped on flows touched from now on (flow.touch); the caller's packet count, say. */
void flow_table_clock(struct flow_table *t, uint64_t now);

/* Build the normalized key of a decoded packet; *dir_is_b is set when the sender is key.b. */
void flow_key_from_packet(const struct decoded *d, struct flow_key *k, bool *sender_is_b);

/*
 * Find or create the flow of a decoded packet and account the packet (wire length, direction, TCP state).
 * Returns the flow, and in *dir 0 when the packet goes from initiator to responder, 1 otherwise.
 * *created tells a new flow.
 */
struct flow *flow_table_packet(struct flow_table *t, const struct decoded *d, uint64_t now_us, int *dir,
			       bool *created);
/* Account a non-first fragment to an existing flow found by key; false if no such flow. */
bool flow_table_account(struct flow_table *t, const struct flow_key *k, bool sender_is_b, uint32_t wirelen,
			uint64_t now_us);

/* End flows idle past their class timeout at time now_us. */
void flow_table_expire(struct flow_table *t, uint64_t now_us);

const struct flow_table_stats *flow_table_stats(const struct flow_table *t);
/* Call fn for every flow in the table, by timeout class, then oldest touch first. */
void flow_table_foreach(struct flow_table *t, void (*fn)(void *arg, struct flow *f), void *arg);
/* The same for the flows touched at or after clock since. */
void flow_table_foreach_since(struct flow_table *t, uint64_t since, void (*fn)(void *arg, struct flow *f),
			      void *arg);

/* Helpers for reporting. */
enum flow_state flow_state(const struct flow_rec *f);
const char *flow_state_name(enum flow_state s);
const char *flow_end_name(enum flow_end e);
/* The initiator's (src) and responder's (dst) address and port. */
const uint8_t *flow_src_addr(const struct flow_rec *f);
const uint8_t *flow_dst_addr(const struct flow_rec *f);
uint16_t flow_src_port(const struct flow_rec *f);
uint16_t flow_dst_port(const struct flow_rec *f);

#endif
