/*
 * store_redis_int.h - what the Redis store's two halves share: store_redis.c (the ops, on the detection
 * thread) and store_redis_io.c (everything that speaks to Redis, on the store's writer thread).
 *
 * Why a thread: a replay closes thousands of buckets a second, and a round trip per bucket on the
 * detection thread cost a quarter of the run.  The detection thread hands a batch (a job) over at each
 * flush and goes on; the writer sends it, reads back the sets detectors asked about, and hands the answers
 * back.  Ownership, with no lock held while Redis is spoken to:
 *   - the job and the link belong to the writer while `busy`, and to the detection thread otherwise;
 *   - the mirror (every write, every answer while Redis is away) belongs to the detection thread alone:
 *     a job carries copies of its writes, and its results are applied when the detection thread collects it.
 * Without the thread (before the first flush, or when it cannot start) the same job runs inline.
 */
#ifndef DCDN_STORE_REDIS_INT_H
#define DCDN_STORE_REDIS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "redis_link.h"
#include "store.h"
#include "store_mirror.h"

#define RS_JOB_WRITES	16384	/* writes per job: a backlog after an outage goes over several flushes */
#define RS_VIEW_SETS	RS_SETS	/* shared views kept, one per set asked about */
#define RS_KEY_MAX	320	/* prefix (conf bounds it to 127 bytes) + the longest key tail */
#define RS_PREFIX_MAX	(RS_KEY_MAX - 80)	/* the longest tail is "host:{" + a member + "}" */

/* A queued write as the writer sends it: a copy, so the mirror can change while it is on its way. */
struct jwrite {
	uint8_t kind;			/* W_SET or W_HOST */
	union {
		struct {
			char set[STORE_NAME_MAX];
			char member[STORE_NAME_MAX];
			uint64_t ts_us;
		} m;
		struct host_record r;
	} u;
};

/*
 * A set to read back for its view: every member since since_us (at most RS_MEMBERS), with its time.  When
 * expect is not -1 it is how many members since since_us Redis holds if no one but us wrote to the set
 * since the view was read; then a ZCOUNT that agrees saves reading the members again.
 */
struct jread {
	char set[STORE_NAME_MAX];
	uint64_t since_us;
	int64_t expect;
	bool same;			/* out: the count agreed, the view stands */
	bool ok;			/* out: the answer below (or the view, when same) is Redis's */
	struct rmember *m;		/* out: owned by the job until collected */
	uint32_t n;
	uint64_t at_ms;			/* out: monotonic time of the answer */
};

/* What a connection's handshake found about the epoch. */
struct conn_news {
	bool fresh;			/* this job (re)connected */
	uint64_t epoch;			/* Redis's epoch, 0 if it has none */
	bool lost;			/* Redis had ours before and has lost it: everything must be written again */
};

struct rjob {
	/* in */
	struct jwrite *w;
	uint32_t n, cap;
	uint64_t seq_end;		/* queue sequence number just past the last write */
	uint64_t epoch;			/* the mirror's, 0 if none yet */
	bool epoch_pending;		/* SET NX still to be acknowledged */
	uint64_t now_us;		/* packet time, ages the host index */
	bool try_now;			/* connect whatever the backoff says (closing) */
	struct jread *rd;
	uint32_t nrd, rdcap;
	/* out */
	int status;			/* 0: every write acknowledged */
	uint64_t epoch_got;		/* Redis's epoch after our SET NX, 0 if not asked */
	struct conn_news news;
};

/* A copy of a set as Redis held it, for answers between reads. */
struct rview {
	char name[STORE_NAME_MAX];
	uint64_t since_us;		/* it holds every member from here on (up to RS_MEMBERS) */
	uint64_t at_ms;			/* 0: never read */
	struct rmember *m;
	uint32_t n;
	uint32_t gen;			/* the job count when its members were last read in full */
	bool wanted;			/* asked about since the last job: read it back with the next one */
};

struct rstore {
	/* Link side: used by whoever holds the link (see above). */
	struct redis_link link;
	bool epoch_seen;		/* Redis held the epoch: finding it gone later means Redis lost our state */
	bool warned_reply;
	uint64_t errors;
	char *prefix;
	uint32_t ttl_s;
	/* Scratch for the hosts' ZADD of one chunk. */
	char (*zmember)[RS_MEMBER_MAX];
	char (*zscore)[32];
	const char **zargv;
	size_t *zargvlen;

	/* Detection-thread side. */
	struct mirror mirror;
	bool epoch_pending;
	uint64_t last_now_us;
	struct rview views[RS_VIEW_SETS];
	int nviews;
	uint32_t view_ms;		/* a view younger than this answers without a round trip */
	uint32_t gen;			/* jobs collected so far */
	struct rjob job;

	/* The writer thread and its hand-over. */
	pthread_t thr;
	bool thr_on;
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	bool busy, done, quit;		/* under mu */
	struct store_stats pub;		/* the link's counters as of the last hand-over (under mu while busy) */
};

/* store_redis_io.c */
int rs_handshake(struct rstore *s, struct conn_news *news);
bool rs_ready(struct rstore *s, bool now, struct conn_news *news);
void rs_run_job(struct rstore *s, struct rjob *j);
int64_t rs_load(struct rstore *s, void (*cb)(void *arg, const struct host_record *r), void *arg);
void rs_io_free(struct rstore *s);

#endif
