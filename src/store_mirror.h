/*
 * store_mirror.h - the Redis store's local mirror: everything the store wrote (the epoch, every set member
 * with its first time, the last saved record of each host) and the queue of writes Redis has not
 * acknowledged yet.  It answers while Redis is away.  Included only by store_redis.c and store_mirror.c.
 */
#ifndef DCDN_STORE_MIRROR_H
#define DCDN_STORE_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define RS_SETS		256	/* sets in the mirror, as the memory store */
#define RS_MEMBERS	100000	/* members per set, as the memory store */
#define RS_HOSTS	262144	/* host records the mirror keeps for reads while Redis is away (~45 MB) */
#define RS_MEMBER_MAX	64	/* "ADDR|ZONE": 45 + 1 + 10 + NUL */

struct rmember {
	char name[STORE_NAME_MAX];
	uint64_t ts_us;
	bool written;		/* Redis acknowledged it */
	uint32_t gen;		/* the store's job count when it did (store_redis.c) */
};

struct rset {
	char name[STORE_NAME_MAX];
	uint32_t n, cap;
	struct rmember *m;
	uint32_t *idx;		/* open addressing on the member name: index + 1, 0 for empty */
	uint32_t idxcap;	/* a power of two, at least twice n */
};

struct rhost {
	struct rhost *hnext;
	struct host_record r;	/* the last saved record */
	uint64_t qseq;		/* sequence number of its queued save; pending while that is in the queue */
};

enum { W_SET = 1, W_HOST };

/* One queued write.  A set write names a mirror member (sets and members are never removed). */
struct write {
	uint8_t kind;
	uint16_t set;
	uint32_t member;
	struct host_record r;
};

/* A ring of writes, oldest at head; sequence numbers never repeat, so a stale one is simply out of range. */
struct queue {
	struct write *w;
	uint32_t cap, max, head, n;
	uint64_t seq0;		/* sequence number of the oldest */
};

/* All zero is an empty mirror; q.max (at least 1) must be set before the first write. */
struct mirror {
	uint64_t epoch;		/* the mirror's */
	struct rset sets[RS_SETS];
	int nsets;
	struct rhost **htab;
	uint32_t hcap, nhosts;
	struct queue q;
	uint64_t frozen_seq;	/* queued writes below this are on their way to Redis: not changed in place */
	uint64_t dropped;	/* writes lost: the queue was full, or a set or the set list was */
};

/* A host's name in Redis, which also orders hosts of the same last time. */
size_t mirror_host_member(const struct host_record *r, char *buf, size_t len);

/* The set of that name (kept to STORE_NAME_MAX - 1 bytes), created if asked and there is room; or NULL. */
struct rset *mirror_set_find(struct mirror *mir, const char *name, bool create);
/* A member's index in its set, or -1. */
int64_t mirror_member_find(const struct rset *st, const char *name);
/* The host's entry, created if asked and there is room; or NULL. */
struct rhost *mirror_host_find(struct mirror *mir, const struct host_record *r, bool create);
/* Whether the host has a save in the queue. */
bool mirror_host_pending(const struct mirror *mir, const struct rhost *h);

/* The store's set_add and host_save: the mirror takes the change and the queue the write. */
void mirror_set_add(struct mirror *mir, const char *set, const char *member, uint64_t ts_us);
void mirror_host_save(struct mirror *mir, const struct host_record *r);

/* The i-th oldest queued write (i < q.n). */
const struct write *mirror_queued(const struct mirror *mir, uint32_t i);
/* Redis acknowledged the queued writes with sequence numbers below seq_end (job gen): they leave the queue. */
void mirror_acked_upto(struct mirror *mir, uint64_t seq_end, uint32_t gen);
/* Queue again what Redis had acknowledged; *nm set members and *nh hosts. */
void mirror_requeue(struct mirror *mir, uint32_t *nm, uint32_t *nh);

/* Members in the order of the memory store, the first max copied out to names[*nout...]; returns n. */
uint32_t mirror_members_out(const struct rmember **list, uint32_t n, char (*names)[STORE_NAME_MAX], int max,
			    int *nout);
/* The store's set_members from the mirror alone; st may be NULL (no such set). */
uint32_t mirror_members(const struct rset *st, uint64_t since_us, char (*names)[STORE_NAME_MAX], int max,
			int *n);
/* The store's host_load_all from the mirror; returns how many were passed to cb. */
uint32_t mirror_load(const struct mirror *mir, bool pending_only,
		     void (*cb)(void *arg, const struct host_record *r), void *arg);

/* Free what the mirror holds; it may not be used again. */
void mirror_free(struct mirror *mir);

#endif
