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
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
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

/* Within one record, in this order, as one thread does it. */
enum news_phase {
	PHASE_SWEEP,		/* idle flows ended by the once-a-second sweep */
	PHASE_BUCKET,		/* a bucket end (the running flows come with it as running_flow copies) */
	PHASE_PACKET,		/* the packet's own flow */
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
	uint8_t kind, phase, arg;
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

/* A flow left at the end of input, taken out of its worker's table (first seen first). */
struct final_flow {
	struct flow *f;
	uint8_t fresh;		/* classification was only finished by the end */
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

struct news *news_add(struct news_buf *b);
struct flow_rec *news_snap_add(struct news_buf *b, struct news *n);

struct engine;

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
