/*
 * shard.h - the sharded pipeline (--threads N): N workers each own the flows of one shard, with their own
 * flow table and nDPI module; what they tell the detection layer is replayed in packet order.
 *
 * A worker sees every record (so each keeps the same clock, sweeps and bucket ends), and takes the packets
 * whose address pair hashes to its shard (decoded by the reader).  What the single-threaded engine would
 * tell the detection layer at a packet, a worker writes down as news, with a copy of the flow's record
 * (struct flow_rec) as it was then (a snapshot).  The replaying thread merges the workers' news of a
 * batch in the order the single table would have produced it and calls the detection layer on the
 * snapshots, so alerts and flow events are those of one thread, as long as no shard reaches its share of
 * flow.max (its share of the address pairs).
 */
#ifndef DCDN_SHARD_H
#define DCDN_SHARD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "engine.h"
#include "flow.h"

#define SHARD_MAX	8	/* workers at most */

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
 * snap[], so each news entry stays small (72 bytes, not 264).
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

/*
 * Run the input through nworkers shard workers (2..SHARD_MAX) and the serial engine e, until the input
 * ends or *stop.  The caller's thread reads, is worker 0 and replays; poll_fn(arg) and idle(arg) are called
 * on it (idle after a batch that held a live link's idle tick).  Returns as capture_run does, every flow
 * ended; or -2, with err, when a worker thread cannot start (nothing was read: the caller may read on one
 * thread).
 */
int shard_run(struct engine *e, struct capture *c, unsigned nworkers, capture_idle_fn idle, void *arg,
	      volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg), char *err,
	      size_t errlen);

#endif
