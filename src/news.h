/*
 * news.h - what the workers of a sharded run (shard.c) tell the replaying thread.
 *
 * A worker's engine reports to a news writer (its sink, engine_new_sink): what the single-threaded engine
 * would tell the detection layer at a packet is written down as news, with a copy of the flow's record
 * (struct flow_rec) as it was then (a snapshot), and a worker keeps detection's clock too, each bucket end
 * listing the flows that ran.  shard.c merges the workers' news of a batch in the order one table would
 * have produced it, and the replay (news_replay_*) hands it to an engine made by engine_new.
 */
#ifndef DCDN_NEWS_H
#define DCDN_NEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "flow.h"

enum news_kind {
	NEWS_END,		/* a flow record ended (arg: enum flow_end) */
	NEWS_TICK,		/* detection's clock: its start, or a bucket end */
	NEWS_SPEAKS,		/* a side of the flow sent its first packet (arg: direction) */
	NEWS_CLASSIFIED,	/* classification ended */
	NEWS_DNS,		/* a DNS answer on the flow: msg, len */
	NEWS_SWAP,		/* a late SYN swapped the flow's directions */
};

struct news {
	uint64_t seq;		/* the record it came with */
	uint64_t now_us;
	uint64_t key1, key2;	/* order among workers' news of one record and phase */
	struct flow *f;		/* the live flow (frozen once its record ended: NEWS_END but FE_ACTIVE) */
	const uint8_t *msg;	/* NEWS_DNS: in the batch, which outlives the replay */
	uint32_t len;
	uint32_t run_from, run_n;	/* NEWS_TICK: its running flows in the buffer's run[] */
	uint32_t snap;		/* 1 + its snapshot's index in the buffer's snap[]; 0: none */
	uint8_t kind, arg;
	uint8_t phase;		/* enum engine_phase: within one record, in this order, as one thread does it */
	uint8_t fresh;		/* NEWS_END: classification was only finished by the end */
	uint8_t created;	/* NEWS_SPEAKS: the packet made the flow */
};

/*
 * A running flow at a bucket end: the fields attribution reads (detect.c attribute() and relay_running())
 * that the packet path still changes; key and home never change once a flow exists.  Kept apart from
 * the news and small, because a bucket end may list every flow of a shard.
 */
struct running_flow {
	struct flow *f;
	uint64_t touch;
	uint64_t first_us;
	uint64_t bytes[2];
	uint32_t pkts[2];
	struct flow_l7 *l7;
	uint8_t tclass, init_is_b, spoke;
};

/*
 * One worker's news of one batch.  Only news of a flow that goes on has a snapshot (a side's first packet,
 * classification, a DNS answer, an active cut); ends and ticks have none.  Snapshots are kept apart, in
 * snap[], so each news entry stays small.
 */
struct news_buf {
	struct news *v;
	size_t n, cap;
	struct running_flow *run;
	size_t nrun, runcap;
	struct flow_rec *snap;
	size_t nsnap, snapcap;
};

struct conf;
struct news_writer;

/*
 * A worker engine's sink (engine_new_sink): what it tells goes down as news in the buffer set last.  With
 * detecting, it keeps detection's clock too (bucket ends, with the flows that ran).  The flows whose records
 * ended are the news reader's to free, news_buf_reclaim once the buffer was replayed.
 */
struct news_writer *news_writer_new(const struct conf *conf, bool detecting);
void news_writer_free(struct news_writer *w);
struct engine_sink news_writer_sink(struct news_writer *w);
void news_writer_set_buf(struct news_writer *w, struct news_buf *b);
/* Empty a buffer that was replayed, freeing the flows whose records ended in it; news_buf_free frees it. */
void news_buf_reclaim(struct news_buf *b);
void news_buf_free(struct news_buf *b);

/* The replaying side: news read back in packet order (as shard.c merges it) on an engine made by engine_new. */
struct news_replay {
	struct engine *eng;
	const struct running_flow **run;	/* the running flows of the bucket end being replayed */
	size_t nrun, runcap;
	uint32_t held, held_peak;		/* flows held by all workers, as one table would */
};

/* One piece of news; snap is its snapshot, if it has one. */
void news_replay_one(struct news_replay *rp, const struct news *n, const struct flow_rec *snap);
/* A bucket end at now_us, with the running flows in rp->run, in one table's order. */
void news_replay_tick(struct news_replay *rp, uint64_t now_us);
/* A flow left at the end: ended (FE_SHUTDOWN) and freed. */
void news_replay_final(struct news_replay *rp, const struct final_flow *ff);

#endif
