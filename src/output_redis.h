/*
 * output_redis.h - alerts to a Redis stream, P alerts (XADD ... MAXLEN ~ maxlen * event JSON), for
 * consumers that read with XREAD or XREADGROUP.  Batched: events are queued by write and sent as one
 * pipeline by flush; while Redis is away they wait in a bounded queue and the link retries with backoff,
 * so detection never waits on Redis.  Delivery is at least once: a batch cut by a lost connection is sent
 * again from the first event whose reply did not come back.
 */
#ifndef DCDN_OUTPUT_REDIS_H
#define DCDN_OUTPUT_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

#define OUTPUT_REDIS_QUEUE	10000	/* alerts held while Redis is away; past it the oldest are dropped */
#define OUTPUT_REDIS_TTL_S	604800	/* TTL of the stream key unless set: redis.ttl's default */

/*
 * Open the stream output.  url as for the Redis store (redis_link.h); prefix NULL for "dcdnwatch:".
 * Returns NULL with err for a bad URL or a server that answers wrongly; an unreachable server is not an
 * error (one warning, alerts queue until it answers).
 */
void *output_redis_open(const char *url, const char *prefix, uint32_t maxlen, char *err, size_t errlen);
/* The TTL (s, at least 1) set on the stream key after every batch. */
void output_redis_set_ttl(void *ctx, uint32_t ttl_s);

struct output_redis_stats {
	uint64_t sent;		/* alerts Redis acknowledged */
	uint64_t errors;	/* failed round trips and connection attempts, error replies */
	uint64_t reconnects;
	uint64_t queued;	/* waiting now */
	uint64_t dropped;	/* pushed out of a full queue (also counted as failed writes by outputs) */
	int connected;
};
void output_redis_stats(void *ctx, struct output_redis_stats *st);

extern const struct output_ops output_redis_ops;

#endif
