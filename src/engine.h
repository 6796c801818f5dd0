/*
 * engine.h - the per-packet pipeline of one worker: decode -> flows -> nDPI -> hosts and detectors, and the
 * events that come out of it.  Time is whatever packet time the caller passes in; only capture and main
 * read clocks.
 */
#ifndef DCDN_ENGINE_H
#define DCDN_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "decode.h"
#include "output.h"

struct engine;
struct sigdb;
struct detect;

struct engine_stats {
	uint64_t packets, bytes;
	uint64_t decode[DEC__COUNT];
	uint64_t frag_accounted, frag_orphan;
	uint64_t kernel_drops, if_drops;
	uint64_t first_us, last_us;
};

struct engine_opts {
	bool flows;		/* emit flow events */
};

/*
 * Create a worker.  conf, outs and det are borrowed and must outlive it; det may be NULL (no host
 * accounting or detection, as in the decode benchmark).  Returns NULL and err on bad configuration.
 */
struct engine *engine_new(const struct conf *conf, const struct engine_opts *opts, struct outputs *outs,
			  struct detect *det, char *err, size_t errlen);
/* Flush every flow, then free. */
void engine_free(struct engine *e);

/* One captured frame of link type dlt; ts_us is its packet time. */
void engine_packet(struct engine *e, int dlt, uint64_t ts_us, const uint8_t *pkt, uint32_t caplen,
		   uint32_t wirelen);
/* Advance time without a packet (live capture on an idle link). */
void engine_tick(struct engine *e, uint64_t now_us);
/* End every flow (end of input). */
void engine_flush(struct engine *e);
/* Write a stats event at time now_us. */
void engine_stats_event(struct engine *e, uint64_t now_us);
/* Human summary on stderr. */
void engine_summary(struct engine *e, FILE *fp);

struct engine_stats *engine_stats(struct engine *e);
uint64_t engine_now(const struct engine *e);

#endif
