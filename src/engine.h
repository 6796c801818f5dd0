/*
 * engine.h - one per-packet pipeline: decode -> fragments -> flows -> nDPI, and what it tells about its flows
 * to a sink: the detection layer and flow and stats events (engine_new), or a caller's (engine_new_sink).
 * Time is whatever packet time the caller passes in; only capture and main read clocks.
 */
#ifndef DCDN_ENGINE_H
#define DCDN_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "decode.h"
#include "detect.h"
#include "flow.h"
#include "output.h"

struct engine;
struct nettally;

struct engine_stats {
	uint64_t packets, bytes;
	uint64_t decode[DEC__COUNT];
	uint64_t frag_accounted, frag_orphan;
	uint64_t kernel_drops, if_drops;
	uint64_t first_us, last_us;
	/* Records stamped past capture.max_time_jump from packet time: ahead, of those the jumps time followed,
	 * and the times they went back behind it. */
	uint64_t time_ahead, time_followed, time_behind;
};

struct engine_opts {
	bool flows;		/* emit flow events */
};

/* The parts of one record's work, in the order the engine does them. */
enum engine_phase {
	ENGINE_SWEEP,		/* idle flows ended by the once-a-second sweep */
	ENGINE_BUCKET,		/* the detection layer's clock: a bucket end */
	ENGINE_PACKET,		/* the packet's own flow */
};

/* Where the engine is when it tells its sink something. */
struct engine_at {
	uint64_t seq;		/* records seen before this one: the input's clock */
	uint64_t now_us;	/* packet time */
	uint8_t phase;		/* enum engine_phase */
};

/*
 * What an engine tells about its flows as it goes, and to whom: the detection layer and flow events at once
 * (engine_new), or a sink of the caller's (engine_new_sink).  f is the engine's flow: a sink reads its
 * record and may write its detection part.  An ended record that is not FE_ACTIVE leaves the table: its
 * flow is the sink's to free (flow_free) when owns_ended, else it is freed when ended() returns.
 */
struct engine_sink_ops {
	/* A side of f sent its first packet (dir 0: the initiator); created: that packet made the flow. */
	void (*speaks)(void *ctx, const struct engine_at *at, struct flow *f, int dir, bool created);
	/* Classification of f is complete. */
	void (*classified)(void *ctx, const struct engine_at *at, struct flow *f);
	/* A DNS answer to a query seen on f; msg is the packet's, borrowed for the call. */
	void (*dns)(void *ctx, const struct engine_at *at, struct flow *f, const uint8_t *msg, uint32_t len);
	/* A late SYN swapped f's directions. */
	void (*swapped)(void *ctx, const struct engine_at *at, struct flow *f);
	/* A record of f ended; fresh: its classification was only finished by the end. */
	void (*ended)(void *ctx, const struct engine_at *at, struct flow *f, enum flow_end why, bool fresh);
	/*
	 * Packet time moved (after the sweep): flows is the engine's table, for whatever the sink's clock
	 * needs of it.  Returns the packet time before which the sink has nothing to do at a tick.
	 */
	uint64_t (*tick)(void *ctx, const struct engine_at *at, struct flow_table *flows);
	bool owns_ended;
};

struct engine_sink {
	const struct engine_sink_ops *ops;
	void *ctx;
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
/* The networks of the flows that ended so far (nettally.h). */
const struct nettally *engine_nets(const struct engine *e);
uint64_t engine_now(const struct engine *e);

/*
 * An engine that tells sink about its flows (see struct engine_sink_ops), holding at most flow_max of them,
 * with no outputs and no detection layer of its own; its nDPI module is made now, on the caller's thread.
 * conf is borrowed and must outlive it.
 */
struct engine *engine_new_sink(const struct conf *conf, uint32_t flow_max, struct engine_sink sink, char *err,
			       size_t errlen);
/* A record that is not this engine's to take: time moves and the packet counts, nothing else. */
void engine_pass(struct engine *e, uint64_t ts_us, uint32_t wirelen);

/* A flow left at the end of input, taken out of its engine's table. */
struct final_flow {
	struct flow *f;
	uint8_t fresh;		/* classification was only finished by the end */
};

/*
 * End of input: every flow, taken out of the table first seen first, their classification finished; the
 * caller frees the array and owns the flows (flow_free).  The sink hears nothing of them.
 */
struct final_flow *engine_drain(struct engine *e, size_t *n);
/* This engine's own counters. */
void engine_counters(const struct engine *e, struct engine_stats *st, struct flow_table_stats *fs,
		     uint64_t *ndpi_pkts);
const struct conf *engine_conf(const struct engine *e);
bool engine_detects(const struct engine *e);

/*
 * What an engine made by engine_new does with news of a flow: its own sink calls these as its flows go, and
 * the replaying side of a sharded run with its workers' flows, in packet order.  f is the flow's record (or
 * a copy of it as it was), fd the flow's detection part, now_us the time of the news.
 */
void engine_flow_speaks(struct engine *e, const struct flow_rec *f, struct flow_det *fd, int dir, uint64_t now_us);
void engine_flow_classified(struct engine *e, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us);
void engine_flow_dns(struct engine *e, const struct flow_rec *f, const uint8_t *msg, uint32_t len, uint64_t now_us);
void engine_flow_swapped(struct engine *e, struct flow_det *fd);
/* A record ended: detection hears of it, then the flow event.  fresh: classification just finished. */
void engine_flow_ended(struct engine *e, const struct flow_rec *f, struct flow_det *fd, enum flow_end why, bool fresh,
		       uint64_t now_us);
/*
 * Packet time moves to now_us with no record of this engine's: detection's clock, with each(src, fn, arg)
 * standing for the running flows at a bucket end (see detect_set_running).
 */
void engine_clock(struct engine *e, uint64_t now_us, void (*each)(void *src, detect_flow_fn fn, void *arg),
		  void *src);
/* Time moves on to now_us (the workers' clock at the end of a sharded run). */
void engine_set_now(struct engine *e, uint64_t now_us);
/* Where the serial engine's stats come from in a sharded run. */
typedef void (*engine_gather_fn)(void *arg, struct engine_stats *st, struct flow_table_stats *fs,
				 uint64_t *ndpi_pkts);
void engine_set_gather(struct engine *e, engine_gather_fn fn, void *arg);
/* The sharded run is over: these are its counters from now on. */
void engine_set_totals(struct engine *e, const struct engine_stats *st, const struct flow_table_stats *fs,
		       uint64_t ndpi_pkts);

#endif
