/*
 * store.h - where state that must outlive the process or be shared between sensors is kept.
 *
 * Two backends behind one ops struct: the embedded memory store (default) and Redis (--redis).  Detection
 * works on in-memory aggregates either way; the store receives batched writes (flushed once per bucket, never
 * per packet) and answers the few questions that need the shared view: when the deployment started
 * learning, the saved host state after a restart, and which hosts share a verdict (fleet), across sensors.
 */
#ifndef DCDN_STORE_H
#define DCDN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hosts.h"

#define STORE_NAME_MAX 64	/* "ADDR|ZONE" of a full IPv6 address fits */

/* What is saved of a host: enough to resume its windows' judgement and its baselines. */
struct host_record {
	uint8_t ipver;
	uint8_t addr[16];
	uint32_t zone;
	uint64_t first_us, last_us;
	uint8_t known, served, family, family_score;
	struct ewma bl[HM__COUNT];
};

struct store_stats {
	uint64_t errors, reconnects, queued, dropped;
	int connected;
};

struct store_ops {
	const char *name;
	/* The packet time the deployment first saw (learning starts there); 0 if none yet.  Set once. */
	uint64_t (*get_epoch)(void *ctx);
	void (*set_epoch)(void *ctx, uint64_t first_us);
	/* Add member to a time-ordered set (fleet membership), keeping its first time. */
	void (*set_add)(void *ctx, const char *set, const char *member, uint64_t ts_us);
	/* Members with time >= since_us: returns their count and the first max of them (oldest first). */
	uint32_t (*set_members)(void *ctx, const char *set, uint64_t since_us, char (*names)[STORE_NAME_MAX],
				int max, int *n);
	/* Save host state (batched until flush). */
	void (*host_save)(void *ctx, const struct host_record *r);
	/* Load every saved host; cb is called for each.  Returns how many. */
	uint32_t (*host_load_all)(void *ctx, void (*cb)(void *arg, const struct host_record *r), void *arg);
	/* End of a bucket: hand what was batched over to be written (Redis: without waiting for it). */
	void (*flush)(void *ctx, uint64_t now_us);
	/* Write everything batched and wait for the answer (tests, and before reading the backend directly). */
	void (*sync)(void *ctx);
	void (*stats)(void *ctx, struct store_stats *st);
	void (*close)(void *ctx);
};

struct store {
	const struct store_ops *ops;
	void *ctx;
};

/* The embedded memory store. */
void *store_mem_open(void);
extern const struct store_ops store_mem_ops;

/*
 * Redis.  url: redis://[user:password@]host[:port][/db] or unix:///path.  Returns NULL with err for a bad
 * URL or a server that answers wrongly (wrong password, wrong db, not Redis); an unreachable server is not
 * an error: the store runs on memory and retries.  view_ms: how old a copy of a shared set may be when a
 * detector asks about it before it is read again (0: read at every question).
 */
void *store_redis_open(const char *url, const char *prefix, uint32_t ttl_s, uint32_t queue_max, uint32_t view_ms,
		       char *err, size_t errlen);
extern const struct store_ops store_redis_ops;

#endif
