/*
 * detect.h - the detection layer: host windows and baselines, signatures and detectors, alerts.
 *
 * The engine tells it about flows at three moments (created, classified, ended), about DNS answers, and
 * about the passage of packet time; it never sees packets otherwise, so its cost is per flow and per bucket.
 */
#ifndef DCDN_DETECT_H
#define DCDN_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "decode.h"
#include "flow.h"
#include "jsonw.h"
#include "output.h"
#include "store.h"

struct detect;
struct sigdb;

/* conf, outs, db and store are borrowed.  NULL and err on a bad configuration (policies, home net). */
struct detect *detect_new(const struct conf *conf, struct outputs *outs, const struct sigdb *db,
			  struct store *store, char *err, size_t errlen);
void detect_free(struct detect *det);
/* The configuration was reloaded (SIGHUP): pick up what can change while running. */
void detect_conf_changed(struct detect *det);
/* Use another signature database from now on (SIGHUP); the old one may be freed after this returns. */
void detect_set_sigdb(struct detect *det, const struct sigdb *db);
/*
 * The running flows whose bytes are attributed to host buckets at each bucket end: each(src, fn, arg) calls
 * fn(arg, f, fd) for every running flow that carried bytes since the last bucket end, in the flow table's
 * order (flow_table_foreach over the table, or the sharded pipeline's copies of its workers' flows).
 */
typedef void (*detect_flow_fn)(void *arg, const struct flow_rec *f, struct flow_det *fd);
void detect_set_running(struct detect *det, void (*each)(void *src, detect_flow_fn fn, void *arg), void *src);

/*
 * A flow comes in two parts: its record f, the packet path's (read only here, and in a sharded run a copy
 * of the record as it was), and fd, the detection layer's own part of the flow, which it alone writes.
 *
 * One side of flow f sent its first packet: dir 0 the initiator, 1 the responder.  A host is accounted only
 * for what it did: an address that is scanned but never answers is not a host, and a forged answer does
 * not make the receiver a client of anything.
 */
void detect_flow_speaks(struct detect *det, const struct flow_rec *f, struct flow_det *fd, int dir, uint64_t now_us);
void detect_flow_classified(struct detect *det, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us);
void detect_dns_response(struct detect *det, const struct flow_rec *f, const uint8_t *msg, uint32_t len,
			 uint64_t now_us);
void detect_flow_end(struct detect *det, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us);
/* Packet time moved to now_us: close buckets that ended and judge hosts. */
void detect_tick(struct detect *det, uint64_t now_us);
/* End of input: close the open bucket (so a short capture is still judged) and write what is batched. */
void detect_finish(struct detect *det, uint64_t now_us);

/* The "alerts" and "store" members of a stats event. */
void detect_stats_json(struct detect *det, struct jsonw *w);
/* The flagged-host table. */
void detect_summary(struct detect *det, FILE *fp);

#endif
