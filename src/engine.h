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
struct flow_table_stats;
struct flow;
struct flow_rec;
struct news;
struct news_buf;
struct running_flow;
struct final_flow;

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
/* The same frame decoded already (r, d: decode_packet's answer, with the engine's decode settings). */
void engine_decoded(struct engine *e, uint64_t ts_us, uint32_t wirelen, enum decode_reason r,
		    const struct decoded *d);
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

/*
 * The sharded pipeline's parts (shard.c).  A worker engine owns one shard of the flows (holding at most
 * flow_max of them) and writes news to the buffer set last instead of calling detection; the serial engine
 * replays the news.
 */
struct engine *engine_new_worker(const struct conf *conf, uint32_t flow_max, bool detecting, char *err,
				 size_t errlen);
void engine_set_news(struct engine *e, struct news_buf *b);
/* A packet of another worker's shard: time and packet counts only. */
void engine_pass(struct engine *e, uint64_t ts_us, uint32_t wirelen);
/* End of input: a worker's flows, taken out first seen first, their classification finished. */
struct final_flow *engine_worker_drain(struct engine *e, size_t *n);
/* The serial engine ends one of them (FE_SHUTDOWN) and frees it. */
void engine_replay_final(struct engine *e, const struct final_flow *ff);
/* A worker's own counters. */
void engine_counters(const struct engine *e, struct engine_stats *st, struct flow_table_stats *fs,
		     uint64_t *ndpi_pkts);
/* Replay one piece of news; a bucket tick with the running flows of every worker, in one table's order. */
void engine_replay(struct engine *e, const struct news *n, const struct flow_rec *snap);
void engine_replay_tick(struct engine *e, uint64_t now_us, const struct running_flow *const *running,
			size_t n);
/* Time moves on to now_us (the workers' clock at the end of a sharded run). */
void engine_set_now(struct engine *e, uint64_t now_us);
/* Where the serial engine's stats come from in a sharded run. */
typedef void (*engine_gather_fn)(void *arg, struct engine_stats *st, struct flow_table_stats *fs,
				 uint64_t *ndpi_pkts);
void engine_set_gather(struct engine *e, engine_gather_fn fn, void *arg);
/* The sharded run is over: these are its counters from now on. */
void engine_set_totals(struct engine *e, const struct engine_stats *st, const struct flow_table_stats *fs,
		       uint64_t ndpi_pkts);
const struct conf *engine_conf(const struct engine *e);
bool engine_detects(const struct engine *e);

#endif
