/*
 * store_redis.c - the Redis store: state that outlives the process and is shared between sensors.
 *
 * Nothing here waits on Redis per packet.  Writes are queued in memory and sent pipelined when the
 * detector closes a bucket (flush); the only other round trips are set_members (once per set per bucket),
 * host_load_all (at start-up) and the handshake of a new connection.  A local mirror holds everything
 * written (the epoch, every set member with its first time, the last saved record of each host), so the
 * answers go on while Redis is away, and the same answers as the memory store for the same calls.  The
 * mirror and the queue are in store_mirror.c; this file speaks to Redis and holds the store's ops.
 *
 * Key layout (P is the prefix, "dcdnwatch:" by default; man/store-redis.txt has the long form):
 *
 *	P epoch			string: packet time (us) of the deployment's first packet, SET NX
 *	P set:NAME		sorted set: member -> first time (s, 6 decimals), ZADD NX
 *	P host:{ADDR|ZONE}	hash: the saved host_record, one field per struct member, as text
 *	P hosts			sorted set: ADDR|ZONE -> last_us (s, 6 decimals), the index of the hashes
 *
 * Every write is followed by an EXPIRE of its key in the same pipeline.  The braces are the Redis Cluster
 * hash tag, so everything about one host hashes to one slot.
 *
 * Failure: the queue is bounded (queue_max writes, the oldest dropped first and counted).  A chunk of
 * writes is taken off the queue only when every reply came back; otherwise it stays, the link drops and
 * reconnects with backoff, and it is sent again.  Every write is idempotent (SET NX, ZADD NX, HSET,
 * EXPIRE), so sending twice is harmless.  When a new connection finds the epoch gone although Redis held
 * it before (a restart without persistence, a flush), Redis lost what it had: the mirror is written again.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "family.h"
#include "log.h"
#include "netset.h"
#include "redis_link.h"
#include "store.h"
#include "store_mirror.h"

#define RS_LOAD_CHUNK	1000	/* HGETALLs per pipeline when loading hosts: bounds the reply memory */
#define RS_PIPE_WRITES	1024	/* queued writes per round trip of a flush (about 2 commands each) */
#define RS_KEY_MAX	320	/* prefix (conf bounds it to 127 bytes) + the longest key tail */

/* Field names of the baseline metrics in a host hash: NAME.mean, NAME.var, NAME.n. */
static const char *const metric_names[HM__COUNT] = {
	[HM_BYTES_OUT] = "bytes_out", [HM_FLOWS_ACC_OUT] = "flows_acc_out", [HM_PEERS_IN] = "peers_in",
};
static const char *const metric_fields[HM__COUNT][3] = {
	[HM_BYTES_OUT] = { "bytes_out.mean", "bytes_out.var", "bytes_out.n" },
	[HM_FLOWS_ACC_OUT] = { "flows_acc_out.mean", "flows_acc_out.var", "flows_acc_out.n" },
	[HM_PEERS_IN] = { "peers_in.mean", "peers_in.var", "peers_in.n" },
};
_Static_assert(HM__COUNT == 3, "every baseline metric needs a field name in the Redis layout");

struct rstore {
	struct redis_link link;
	char *prefix;
	uint32_t ttl_s;
	bool epoch_pending;	/* SET NX still to be acknowledged */
	bool epoch_seen;	/* Redis held the epoch: finding it gone later means Redis lost our state */
	bool warned_reply;
	struct mirror mirror;
	uint64_t errors;
	uint64_t last_now_us;
	/* Scratch for the hosts' ZADD of one chunk: RS_PIPE_WRITES members, their scores, the arguments. */
	char (*zmember)[RS_MEMBER_MAX];
	char (*zscore)[32];
	const char **zargv;
	size_t *zargvlen;
};

/* ---- small helpers ---- */

/* Seconds with six decimals: exact in decimal, and Redis's double keeps microsecond order to 2255. */
static const char *
fmt_secs(uint64_t us, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, us / 1000000u, us % 1000000u);
	return buf;
}

/* A score as Redis prints it (%.17g) back to microseconds; -1 if it is not a non-negative number. */
static int
parse_secs(const char *s, uint64_t *us)
{
	char *end;
	long double d;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	d = strtold(s, &end);
	if (*end != '\0' || !isfinite(d) || d < 0 || d * 1e6L >= 18446744073709551615.0L)
		return -1;
	*us = (uint64_t)llroundl(d * 1e6L);
	return 0;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (x > max)
		return -1;
	*v = x;
	return 0;
}

static int
parse_double(const char *s, double *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	*v = strtod(s, &end);
	return *end == '\0' && isfinite(*v) ? 0 : -1;
}

/* The inverse of mirror_host_member, strictly: a bare address (no prefix length), '|', a decimal zone. */
static int
parse_member(const char *s, size_t len, struct host_record *r)
{
	char buf[RS_MEMBER_MAX], *bar;
	uint64_t zone;
	int ipver, bits;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((bar = strrchr(buf, '|')) == NULL || strchr(buf, '/') != NULL)
		return -1;
	*bar = '\0';
	if (parse_u64(bar + 1, UINT32_MAX, &zone) != 0 || addr_parse_prefix(buf, &ipver, r->addr, &bits) != 0)
		return -1;
	r->ipver = (uint8_t)ipver;
	r->zone = (uint32_t)zone;
	return 0;
}

static size_t
key_of(const struct rstore *s, char *buf, size_t len, const char *what)
{
	return (size_t)snprintf(buf, len, "%s%s", s->prefix, what);
}

static size_t
key_set(const struct rstore *s, char *buf, size_t len, const char *name)
{
	return (size_t)snprintf(buf, len, "%sset:%s", s->prefix, name);
}

static size_t
key_host(const struct rstore *s, char *buf, size_t len, const char *member)
{
	return (size_t)snprintf(buf, len, "%shost:{%s}", s->prefix, member);
}

/* ---- talking to Redis ---- */

/* An error reply that is final for its command: counted, and worth one warning per store. */
static void
reply_error(struct rstore *s, const redisReply *r, const char *cmd)
{
	s->errors++;
	if (!s->warned_reply) {
		log_warn("redis: %s: %s: %s (counted in the store errors from now on)", s->link.url.shown, cmd,
		    r != NULL && r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		s->warned_reply = true;
	}
}

/* Redis lost the state written before: everything of it the mirror holds is queued again. */
static void
requeue_mirror(struct rstore *s)
{
	uint32_t nm, nh;

	mirror_requeue(&s->mirror, &nm, &nh);
	log_warn("redis: %s has lost the state written before; writing %u set members and %u hosts again",
	    s->link.url.shown, nm, nh);
}

/*
 * A new connection: read the epoch.  Redis's wins when it has one (SET NX would have kept it anyway); when
 * it has none, ours is written at the next flush, and if Redis held one before, it lost everything.
 */
static int
on_connect(struct rstore *s)
{
	char key[RS_KEY_MAX];
	size_t klen = key_of(s, key, sizeof(key), "epoch");
	redisReply *r = redisCommand(s->link.c, "GET %b", key, klen);
	uint64_t e;

	if (r == NULL) {
		redis_link_fail(&s->link, NULL);
		return -1;
	}
	if (r->type == REDIS_REPLY_STRING && parse_u64(r->str, UINT64_MAX, &e) == 0 && e != 0) {
		s->mirror.epoch = e;
		s->epoch_pending = false;
		s->epoch_seen = true;
	} else if (r->type == REDIS_REPLY_NIL) {
		if (s->mirror.epoch != 0)
			s->epoch_pending = true;
		if (s->epoch_seen) {
			s->epoch_seen = false;
			requeue_mirror(s);
		}
	} else if (r->type == REDIS_REPLY_ERROR) {
		reply_error(s, r, "GET epoch");
	}
	freeReplyObject(r);
	return 0;
}

static bool
ready(struct rstore *s, bool now)
{
	bool fresh;

	if (!(now ? redis_link_ready_now(&s->link, &fresh) : redis_link_ready(&s->link, &fresh)))
		return false;
	if (fresh && on_connect(s) != 0)
		return false;
	return true;
}

static int
append_hset(redisContext *c, const char *key, size_t klen, const struct host_record *r)
{
	enum { NF = 6 + 3 * HM__COUNT };
	const char *argv[2 + 2 * NF];
	size_t argvlen[2 + 2 * NF];
	char vals[NF][32];
	const char *fam = family_name(r->family);
	int a = 0, v = 0, m;

#define FIELD(name, fmt, val) do { \
	argv[a] = (name); argvlen[a] = strlen(argv[a]); a++; \
	snprintf(vals[v], sizeof(vals[v]), fmt, val); \
	argv[a] = vals[v]; argvlen[a] = strlen(vals[v]); a++; v++; \
} while (0)

	argv[a] = "HSET";
	argvlen[a++] = 4;
	argv[a] = key;
	argvlen[a++] = klen;
	FIELD("first_us", "%" PRIu64, r->first_us);
	FIELD("last_us", "%" PRIu64, r->last_us);
	FIELD("known", "%u", (unsigned)r->known);
	FIELD("served", "%u", (unsigned)r->served);
	/* The family by name, so a build with a different family list still reads it right. */
	FIELD("family", "%s", fam ? fam : "");
	FIELD("family_score", "%u", (unsigned)r->family_score);
	for (m = 0; m < HM__COUNT; m++) {
		/* %.17g: the double reads back bit for bit. */
		FIELD(metric_fields[m][0], "%.17g", r->bl[m].mean);
		FIELD(metric_fields[m][1], "%.17g", r->bl[m].var);
		FIELD(metric_fields[m][2], "%" PRIu32, r->bl[m].n);
	}
#undef FIELD
	return redisAppendCommandArgv(c, a, argv, argvlen);
}

/*
 * One round trip of a flush: the first n queued writes, each followed by the EXPIRE of its key, and with
 * the first chunk the epoch.  The hosts' index entries go in one ZADD per chunk.  The writes leave the
 * queue only when every reply came back.  Returns 0, or -1 when the chunk stays queued (the link failed,
 * or Redis refused for a passing reason).
 */
static int
send_chunk(struct rstore *s, uint32_t n, bool first, uint64_t now_us)
{
	redisContext *c = s->link.c;
	char key[RS_KEY_MAX], hkey[RS_KEY_MAX], score[32], ttl[16], why[256] = "";
	size_t klen, hklen = key_of(s, hkey, sizeof(hkey), "hosts");
	int nc = 0, get_at = -1, rc = REDIS_OK, i;
	uint32_t k, nh = 0;
	bool transient = false;
	uint64_t e = 0;

	snprintf(ttl, sizeof(ttl), "%" PRIu32, s->ttl_s);
	if (first && s->mirror.epoch != 0) {
		klen = key_of(s, key, sizeof(key), "epoch");
		if (s->epoch_pending) {
			rc |= redisAppendCommand(c, "SET %b %" PRIu64 " NX", key, klen, s->mirror.epoch);
			rc |= redisAppendCommand(c, "GET %b", key, klen);
			get_at = nc + 1;
			nc += 2;
		}
		/* Renewed with every batch: the learning start lives as long as the deployment writes. */
		rc |= redisAppendCommand(c, "EXPIRE %b %s", key, klen, ttl);
		nc++;
	}
	s->zargv[0] = "ZADD";
	s->zargvlen[0] = 4;
	s->zargv[1] = hkey;
	s->zargvlen[1] = hklen;
	for (k = 0; k < n; k++) {
		const struct write *w = mirror_queued(&s->mirror, k);

		if (w->kind == W_SET) {
			const struct rset *st = &s->mirror.sets[w->set];
			const struct rmember *m = &st->m[w->member];

			klen = key_set(s, key, sizeof(key), st->name);
			rc |= redisAppendCommand(c, "ZADD %b NX %s %s", key, klen, fmt_secs(m->ts_us, score,
			    sizeof(score)), m->name);
			rc |= redisAppendCommand(c, "EXPIRE %b %s", key, klen, ttl);
			nc += 2;
		} else {
			char *member = s->zmember[nh];
			size_t mlen = mirror_host_member(&w->r, member, RS_MEMBER_MAX);

			klen = key_host(s, key, sizeof(key), member);
			rc |= append_hset(c, key, klen, &w->r);
			rc |= redisAppendCommand(c, "EXPIRE %b %s", key, klen, ttl);
			nc += 2;
			s->zargv[2 + 2 * nh] = fmt_secs(w->r.last_us, s->zscore[nh], sizeof(s->zscore[nh]));
			s->zargvlen[2 + 2 * nh] = strlen(s->zscore[nh]);
			s->zargv[3 + 2 * nh] = member;
			s->zargvlen[3 + 2 * nh] = mlen;
			nh++;
		}
	}
	if (nh > 0) {
		uint64_t age_us = (uint64_t)s->ttl_s * 1000000u;

		rc |= redisAppendCommandArgv(c, 2 + 2 * (int)nh, s->zargv, s->zargvlen);
		nc++;
		if (first && now_us > age_us) {
			rc |= redisAppendCommand(c, "ZREMRANGEBYSCORE %b -inf (%s", hkey, hklen,
			    fmt_secs(now_us - age_us, score, sizeof(score)));
			nc++;
		}
		rc |= redisAppendCommand(c, "EXPIRE %b %s", hkey, hklen, ttl);
		nc++;
	}
	if (rc != REDIS_OK) {
		redis_link_fail(&s->link, "cannot queue the commands");
		return -1;
	}
	for (i = 0; i < nc; i++) {
		redisReply *r;

		if (redisGetReply(c, (void **)&r) != REDIS_OK || r == NULL) {
			redis_link_fail(&s->link, NULL);
			return -1;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			if (redis_reply_transient(r)) {
				if (!transient)
					snprintf(why, sizeof(why), "%s", r->str);
				transient = true;
			} else {
				reply_error(s, r, "write");
			}
		} else if (i == get_at && r->type == REDIS_REPLY_STRING) {
			if (parse_u64(r->str, UINT64_MAX, &e) != 0)
				e = 0;
		}
		freeReplyObject(r);
	}
	if (transient) {
		/* Loading, read-only, out of memory: keep the writes and try again with the next batch. */
		s->errors++;
		log_debug("redis: %s: %s; the batch stays queued", s->link.url.shown, why);
		return -1;
	}
	if (get_at >= 0) {
		if (e != 0)
			s->mirror.epoch = e;	/* another sensor's, when its SET NX came first */
		s->epoch_pending = false;
	}
	if (first && s->mirror.epoch != 0)
		s->epoch_seen = true;
	mirror_acked(&s->mirror, n);
	return 0;
}

/*
 * Send the queue, RS_PIPE_WRITES writes per round trip.  One pipeline for everything would be fewer round
 * trips, but hiredis moves the unsent rest of its output buffer after every write(2), which makes a
 * pipeline of a few hundred thousand commands quadratic; chunks keep a flush linear.  now_us (packet time)
 * ages the host index: members not seen for a TTL of packet time leave it.
 */
static void
send_queue(struct rstore *s, uint64_t now_us)
{
	bool first = true;

	if (s->zmember == NULL) {
		s->zmember = xmalloc(sizeof(*s->zmember) * RS_PIPE_WRITES);
		s->zscore = xmalloc(sizeof(*s->zscore) * RS_PIPE_WRITES);
		s->zargv = xmalloc(sizeof(*s->zargv) * (2 + 2 * RS_PIPE_WRITES));
		s->zargvlen = xmalloc(sizeof(*s->zargvlen) * (2 + 2 * RS_PIPE_WRITES));
	}
	do {
		uint32_t n = s->mirror.q.n < RS_PIPE_WRITES ? s->mirror.q.n : RS_PIPE_WRITES;

		if (send_chunk(s, n, first, now_us) != 0)
			return;
		first = false;
	} while (s->mirror.q.n > 0);
}

/* ---- the ops ---- */

static uint64_t
rs_get_epoch(void *ctx)
{
	return ((struct rstore *)ctx)->mirror.epoch;
}

static void
rs_set_epoch(void *ctx, uint64_t first_us)
{
	struct rstore *s = ctx;

	if (s->mirror.epoch == 0 && first_us != 0) {
		s->mirror.epoch = first_us;
		s->epoch_pending = true;
	}
}

static void
rs_set_add(void *ctx, const char *set, const char *member, uint64_t ts_us)
{
	mirror_set_add(&((struct rstore *)ctx)->mirror, set, member, ts_us);
}

/*
 * The shared view: what Redis holds (every sensor's members), plus members of ours not acknowledged yet.
 * With none of those, Redis's own order (score, then name bytes) is the memory store's and ZCOUNT plus
 * a limited ZRANGEBYSCORE answer; otherwise the whole range is merged and sorted here.  -1 on failure.
 */
static int
members_redis(struct rstore *s, const struct rset *st, const char *set, uint64_t since_us,
	      char (*names)[STORE_NAME_MAX], int max, int *n, uint32_t *count)
{
	redisContext *c = s->link.c;
	char key[RS_KEY_MAX], tn[STORE_NAME_MAX], since[32];
	size_t klen;
	uint32_t unwritten = 0, i;
	redisReply *r1 = NULL, *r2 = NULL;
	int rc = -1;

	snprintf(tn, sizeof(tn), "%s", set);
	klen = key_set(s, key, sizeof(key), tn);
	fmt_secs(since_us, since, sizeof(since));
	for (i = 0; st != NULL && i < st->n; i++)
		if (!st->m[i].written && st->m[i].ts_us >= since_us)
			unwritten++;
	if (unwritten == 0) {
		if (redisAppendCommand(c, "ZCOUNT %b %s +inf", key, klen, since) != REDIS_OK ||
		    (max > 0 && redisAppendCommand(c, "ZRANGEBYSCORE %b %s +inf LIMIT 0 %d", key, klen, since,
		    max) != REDIS_OK) ||
		    redisGetReply(c, (void **)&r1) != REDIS_OK || r1 == NULL ||
		    (max > 0 && (redisGetReply(c, (void **)&r2) != REDIS_OK || r2 == NULL))) {
			redis_link_fail(&s->link, NULL);
			goto out;
		}
		if (r1->type != REDIS_REPLY_INTEGER || r1->integer < 0 ||
		    (r2 != NULL && r2->type != REDIS_REPLY_ARRAY)) {
			reply_error(s, r1->type == REDIS_REPLY_ERROR ? r1 : r2, "ZCOUNT/ZRANGEBYSCORE");
			goto out;
		}
		*count = r1->integer > UINT32_MAX ? UINT32_MAX : (uint32_t)r1->integer;
		for (i = 0; r2 != NULL && i < r2->elements && *n < max; i++)
			if (r2->element[i]->type == REDIS_REPLY_STRING)
				snprintf(names[(*n)++], STORE_NAME_MAX, "%s", r2->element[i]->str);
		rc = 0;
	} else {
		struct rmember *got;
		const struct rmember **list;
		uint8_t *seen = xcalloc(st->n, 1);
		uint32_t ng = 0, k = 0;

		r1 = redisCommand(c, "ZRANGEBYSCORE %b %s +inf WITHSCORES", key, klen, since);
		if (r1 == NULL) {
			redis_link_fail(&s->link, NULL);
			free(seen);
			goto out;
		}
		if (r1->type != REDIS_REPLY_ARRAY || r1->elements % 2 != 0) {
			reply_error(s, r1, "ZRANGEBYSCORE");
			free(seen);
			goto out;
		}
		got = xcalloc(r1->elements / 2 + 1, sizeof(*got));
		list = xmalloc(sizeof(*list) * (r1->elements / 2 + unwritten + 1));
		for (i = 0; i + 1 < r1->elements; i += 2) {
			const redisReply *m = r1->element[i], *sc = r1->element[i + 1];
			int64_t j;

			if (m->type != REDIS_REPLY_STRING || sc->type != REDIS_REPLY_STRING ||
			    parse_secs(sc->str, &got[ng].ts_us) != 0)
				continue;
			snprintf(got[ng].name, STORE_NAME_MAX, "%s", m->str);
			if ((j = mirror_member_find(st, got[ng].name)) >= 0)
				seen[j] = 1;
			list[k++] = &got[ng++];
		}
		for (i = 0; i < st->n; i++)
			if (!seen[i] && !st->m[i].written && st->m[i].ts_us >= since_us)
				list[k++] = &st->m[i];
		*count = mirror_members_out(list, k, names, max, n);
		free(list);
		free(got);
		free(seen);
		rc = 0;
	}
out:
	if (r1 != NULL)
		freeReplyObject(r1);
	if (r2 != NULL)
		freeReplyObject(r2);
	return rc;
}

static uint32_t
rs_set_members(void *ctx, const char *set, uint64_t since_us, char (*names)[STORE_NAME_MAX], int max, int *n)
{
	struct rstore *s = ctx;
	const struct rset *st = mirror_set_find(&s->mirror, set, false);
	uint32_t count = 0;

	*n = 0;
	if (ready(s, false)) {
		if (members_redis(s, st, set, since_us, names, max, n, &count) == 0)
			return count;
		*n = 0;
	}
	return mirror_members(st, since_us, names, max, n);
}

static void
rs_host_save(void *ctx, const struct host_record *r)
{
	mirror_host_save(&((struct rstore *)ctx)->mirror, r);
}

/* Fill r from an HGETALL reply; r already holds the address and zone.  -1 if malformed or empty. */
static int
parse_record(const redisReply *a, struct host_record *r)
{
	bool have_first = false, have_last = false;
	uint64_t v;
	size_t i;
	int m;

	if (a->type != REDIS_REPLY_ARRAY || a->elements == 0 || a->elements % 2 != 0)
		return -1;
	for (i = 0; i < a->elements; i += 2) {
		const char *f = a->element[i]->str, *val = a->element[i + 1]->str, *dot;

		if (a->element[i]->type != REDIS_REPLY_STRING || a->element[i + 1]->type != REDIS_REPLY_STRING)
			return -1;
		if (strcmp(f, "first_us") == 0) {
			if (parse_u64(val, UINT64_MAX, &r->first_us) != 0)
				return -1;
			have_first = true;
		} else if (strcmp(f, "last_us") == 0) {
			if (parse_u64(val, UINT64_MAX, &r->last_us) != 0)
				return -1;
			have_last = true;
		} else if (strcmp(f, "known") == 0 || strcmp(f, "served") == 0 || strcmp(f, "family_score") == 0) {
			if (parse_u64(val, UINT8_MAX, &v) != 0)
				return -1;
			*(f[0] == 'k' ? &r->known : f[0] == 's' ? &r->served : &r->family_score) = (uint8_t)v;
		} else if (strcmp(f, "family") == 0) {
			/* A family this build does not know is none: the baselines are still worth having. */
			r->family = val[0] ? (uint8_t)family_lookup(val) : 0;
		} else if ((dot = strrchr(f, '.')) != NULL) {
			for (m = 0; m < HM__COUNT; m++)
				if (strlen(metric_names[m]) == (size_t)(dot - f) &&
				    strncmp(f, metric_names[m], (size_t)(dot - f)) == 0)
					break;
			if (m == HM__COUNT)
				continue;	/* a metric of another version */
			if (strcmp(dot, ".mean") == 0) {
				if (parse_double(val, &r->bl[m].mean) != 0)
					return -1;
			} else if (strcmp(dot, ".var") == 0) {
				if (parse_double(val, &r->bl[m].var) != 0 || r->bl[m].var < 0)
					return -1;
			} else if (strcmp(dot, ".n") == 0) {
				if (parse_u64(val, UINT32_MAX, &v) != 0)
					return -1;
				r->bl[m].n = (uint32_t)v;
			}
		}
	}
	return have_first && have_last && r->first_us <= r->last_us ? 0 : -1;
}

/*
 * Every host in the index, in its order (last seen, oldest first), HGETALLs pipelined RS_LOAD_CHUNK at a
 * time.  Entries that do not parse (a foreign member, a hash gone with its TTL, a bad field) are skipped.
 * Returns how many were passed to cb, or -1 when nothing could be read.
 */
static int64_t
load_redis(struct rstore *s, void (*cb)(void *arg, const struct host_record *r), void *arg)
{
	char key[RS_KEY_MAX];
	size_t klen = key_of(s, key, sizeof(key), "hosts"), i, j;
	redisReply *idx = redisCommand(s->link.c, "ZRANGE %b 0 -1", key, klen);
	struct host_record *recs;
	int64_t n = 0;

	if (idx == NULL) {
		redis_link_fail(&s->link, NULL);
		return -1;
	}
	if (idx->type != REDIS_REPLY_ARRAY) {
		reply_error(s, idx, "ZRANGE hosts");
		freeReplyObject(idx);
		return -1;
	}
	recs = xmalloc(sizeof(*recs) * RS_LOAD_CHUNK);
	for (i = 0; i < idx->elements; i += RS_LOAD_CHUNK) {
		size_t end = i + RS_LOAD_CHUNK < idx->elements ? i + RS_LOAD_CHUNK : idx->elements;
		bool ok[RS_LOAD_CHUNK], queued = true;

		for (j = i; j < end; j++) {
			const redisReply *m = idx->element[j];
			struct host_record *r = &recs[j - i];
			struct rhost *h;

			memset(r, 0, sizeof(*r));
			ok[j - i] = m->type == REDIS_REPLY_STRING && parse_member(m->str, m->len, r) == 0;
			/* A save of ours still queued is newer than Redis's copy: it comes from the mirror. */
			if (ok[j - i] && (h = mirror_host_find(&s->mirror, r, false)) != NULL &&
			    mirror_host_pending(&s->mirror, h))
				ok[j - i] = false;
			if (!ok[j - i])
				continue;
			klen = key_host(s, key, sizeof(key), m->str);
			if (redisAppendCommand(s->link.c, "HGETALL %b", key, klen) != REDIS_OK) {
				queued = false;
				break;
			}
		}
		if (!queued) {
			redis_link_fail(&s->link, "cannot queue the commands");
			goto out;
		}
		for (j = i; j < end; j++) {
			redisReply *r;

			if (!ok[j - i])
				continue;
			if (redisGetReply(s->link.c, (void **)&r) != REDIS_OK || r == NULL) {
				redis_link_fail(&s->link, NULL);
				goto out;
			}
			if (parse_record(r, &recs[j - i]) == 0) {
				cb(arg, &recs[j - i]);
				n++;
			} else {
				log_debug("redis: skipping the malformed host entry %s", idx->element[j]->str);
			}
			freeReplyObject(r);
		}
	}
out:
	free(recs);
	freeReplyObject(idx);
	return n;
}

static uint32_t
rs_host_load_all(void *ctx, void (*cb)(void *arg, const struct host_record *r), void *arg)
{
	struct rstore *s = ctx;
	int64_t n;

	if (ready(s, false) && (n = load_redis(s, cb, arg)) >= 0)
		return (uint32_t)n + mirror_load(&s->mirror, true, cb, arg);
	return mirror_load(&s->mirror, false, cb, arg);
}

static void
rs_flush(void *ctx, uint64_t now_us)
{
	struct rstore *s = ctx;

	s->last_now_us = now_us;
	if (s->mirror.q.n == 0 && !s->epoch_pending)
		return;		/* nothing to say: no round trip, no reconnection attempt */
	if (ready(s, false))
		send_queue(s, now_us);
}

static void
rs_stats(void *ctx, struct store_stats *st)
{
	struct rstore *s = ctx;

	memset(st, 0, sizeof(*st));
	st->errors = s->errors + s->link.errors;
	st->reconnects = s->link.reconnects;
	st->queued = s->mirror.q.n + (s->epoch_pending ? 1 : 0);
	st->dropped = s->mirror.dropped;
	st->connected = s->link.c != NULL;
}

static void
rs_close(void *ctx)
{
	struct rstore *s = ctx;

	if (s == NULL)
		return;
	if ((s->mirror.q.n || s->epoch_pending) && ready(s, true))
		send_queue(s, s->last_now_us);
	if (s->mirror.q.n)
		log_warn("redis: %u writes could not be sent to %s", s->mirror.q.n, s->link.url.shown);
	redis_link_close(&s->link);
	mirror_free(&s->mirror);
	free(s->zmember);
	free(s->zscore);
	free(s->zargv);
	free(s->zargvlen);
	free(s->prefix);
	free(s);
}

void *
store_redis_open(const char *url, const char *prefix, uint32_t ttl_s, uint32_t queue_max, char *err,
		 size_t errlen)
{
	struct rstore *s;

	if (ttl_s == 0) {
		/* EXPIRE 0 deletes the key. */
		snprintf(err, errlen, "the Redis key TTL must be at least 1 s");
		return NULL;
	}
	if (prefix == NULL)
		prefix = "dcdnwatch:";
	if (strlen(prefix) > RS_KEY_MAX - 80) {
		snprintf(err, errlen, "the Redis key prefix is longer than %d bytes", RS_KEY_MAX - 80);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	if (redis_link_open(&s->link, url, "running on memory", err, errlen) != 0) {
		free(s);
		return NULL;
	}
	s->prefix = xstrdup(prefix);
	s->ttl_s = ttl_s;
	s->mirror.q.max = queue_max ? queue_max : 1;
	if (s->link.c != NULL)
		on_connect(s);
	return s;
}

const struct store_ops store_redis_ops = {
	"redis", rs_get_epoch, rs_set_epoch, rs_set_add, rs_set_members, rs_host_save, rs_host_load_all,
	rs_flush, rs_stats, rs_close,
};
