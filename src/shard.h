/*
 * shard.h - the sharded pipeline (--threads N): N workers each own the flows of one shard, with their own
 * flow table and nDPI module; what they tell the detection layer is replayed in packet order.
 *
 * A worker sees every record (so each keeps the same clock, sweeps and bucket ends), and takes the packets
 * whose address pair hashes to its shard (decoded by the reader).  What the single-threaded engine would
 * tell the detection layer at a packet, a worker's engine writes down as news (news.h).  The replaying
 * thread merges the workers' news of a batch in the order the single table would have produced it and
 * replays it on the serial engine, so alerts and flow events are those of one thread, as long as no shard
 * reaches its share of flow.max (its share of the address pairs).
 */
#ifndef DCDN_SHARD_H
#define DCDN_SHARD_H

#include <signal.h>
#include <stddef.h>

#include "capture.h"
#include "engine.h"

#define SHARD_MAX	8	/* workers at most */

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
