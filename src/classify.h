/*
 * classify.h - nDPI classification of flows.
 *
 * One classifier (one nDPI detection module) per thread.  Each flow's packets are handed to nDPI until it
 * has its answer and no further dissection is useful (certificate, DNS answer), or until a packet limit, when
 * we give up and let nDPI guess.  What we need is then copied into the flow and the nDPI state is freed at
 * once, so a long flow costs only its flow record.
 */
#ifndef DCDN_CLASSIFY_H
#define DCDN_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct classifier_cfg {
	uint32_t max_tcp_pkts;	/* give up after this many packets of a TCP flow (ndpiReader: 80) */
	uint32_t max_udp_pkts;	/* ... of a UDP or other flow (ndpiReader: 24) */
};

struct classifier;

struct classifier *classifier_new(const struct classifier_cfg *cfg);
void classifier_free(struct classifier *c);

/*
 * Hand one packet of flow f to nDPI (l3: the IP header, l3_len captured bytes).  Returns 1 when this packet
 * completed the classification, 0 otherwise (also when it was already complete).
 */
int classify_packet(struct classifier *c, struct flow *f, const uint8_t *l3, uint32_t l3_len,
		    uint64_t now_ms);
/* Finish a flow that ends before nDPI decided: give up (with guessing) and free the nDPI state. */
void classify_finish(struct classifier *c, struct flow *f);

/* "TLS.Google", "DNS", "Unknown": written into buf. */
const char *classify_label(struct classifier *c, const struct flow_rec *f, char *buf, size_t len);
const char *classify_category(struct classifier *c, const struct flow_rec *f);
const char *classify_confidence(const struct flow_rec *f);
/* True when the master or app protocol is the given nDPI protocol id. */
int classify_is(const struct flow_rec *f, uint16_t proto);
uint64_t classify_packets(const struct classifier *c);

#endif
