/*
 * detect.h - what the engine tells the detection layer, and nothing more.  The detection layer (host
 * windows, baselines, signatures, detectors, alerts) sees flows at three moments: created, classified and
 * ended, plus the passage of packet time.
 */
#ifndef DCDN_DETECT_H
#define DCDN_DETECT_H

#include <stdint.h>

#include "decode.h"
#include "flow.h"

struct detect;
struct classifier;

/* A flow's first packet; d is that packet. */
void detect_flow_new(struct detect *det, struct flow *f, const struct decoded *d, uint64_t now_us);
/* nDPI finished with the flow: names, JA3 and labels are in f. */
void detect_flow_classified(struct detect *det, struct flow *f, uint64_t now_us);
/* A DNS response was seen in flow f (payload: the DNS message). */
void detect_dns_response(struct detect *det, struct flow *f, const uint8_t *msg, uint32_t len, uint64_t now_us);
/* The flow record ends (its counters are final for this record). */
void detect_flow_end(struct detect *det, struct flow *f, uint64_t now_us);
/* Packet time moved to now_us. */
void detect_tick(struct detect *det, uint64_t now_us);

#endif
