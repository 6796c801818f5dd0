/*
 * store_redis_io.c - the Redis store's half that speaks to Redis: the handshake of a connection, a job's
 * writes and reads (store_redis_int.h), and loading saved hosts.  Jobs run on the store's writer thread,
 * or inline on the detection thread when that holds the link; they never touch the mirror.  Loading runs
 * on the detection thread only, and looks at the mirror for saves of ours that are newer.
 *
 * Key layout (P is the prefix, "dcdnwatch:" by default; dcdnwatch(8), section REDIS, has the long form):
 *
 *	P epoch			string: packet time (us) of the deployment's first packet, SET NX
 *	P set:NAME		sorted set: member -> first time (s, 6 decimals), ZADD NX
 *	P host:{ADDR|ZONE}	hash: the saved host_record, one field per struct member, as text
 *	P hosts			sorted set: ADDR|ZONE -> last_us (s, 6 decimals), the index of the hashes
 *
 * Every write is followed by an EXPIRE of its key in the same pipeline.  The braces are the Redis Cluster
 * hash tag, so everything about one host hashes to one slot.
 *
 * A job's writes are acknowledged only when every reply came back; otherwise they stay queued, the link
 * drops and reconnects with backoff, and they are sent again.  Every write is idempotent (SET NX, ZADD NX,
 * HSET, EXPIRE), so sending twice is harmless.
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
#include "store_redis_int.h"

#define RS_LOAD_CHUNK	1000	/* HGETALLs per pipeline when loading hosts: bounds the reply memory */
#define RS_PIPE_WRITES	1024	/* writes per round trip of a job (about 2 commands each) */
#define RS_EXPIRED_MAX	32	/* sets remembered as renewed in one round trip; past that, every write renews */

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

/*
 * A new connection: read the epoch.  Redis's wins when it has one (SET NX would have kept it anyway); when
 * it has none, ours is written with the next job, and if Redis held one before, it lost everything.
 */
int
rs_handshake(struct rstore *s, struct conn_news *news)
{
	char key[RS_KEY_MAX];
	size_t klen = key_of(s, key, sizeof(key), "epoch");
	redisReply *r = redisCommand(s->link.c, "GET %b", key, klen);
	uint64_t e;

	news->fresh = true;
	if (r == NULL) {
		redis_link_fail(&s->link, NULL);
		return -1;
	}
	if (r->type == REDIS_REPLY_STRING && parse_u64(r->str, UINT64_MAX, &e) == 0 && e != 0) {
		news->epoch = e;
		s->epoch_seen = true;
	} else if (r->type == REDIS_REPLY_NIL) {
		if (s->epoch_seen) {
			s->epoch_seen = false;
			news->lost = true;
		}
	} else if (r->type == REDIS_REPLY_ERROR) {
		reply_error(s, r, "GET epoch");
	}
	freeReplyObject(r);
	return 0;
}

/* Whether the link can be used now, connecting if the backoff allows (or now); news tells what it found. */
bool
rs_ready(struct rstore *s, bool now, struct conn_news *news)
{
	bool fresh;

	if (!(now ? redis_link_ready_now(&s->link, &fresh) : redis_link_ready(&s->link, &fresh)))
		return false;
	if (fresh && rs_handshake(s, news) != 0)
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

/* A ZRANGEBYSCORE ... WITHSCORES reply into a view's members; false if it is not one. */
static bool
read_members(const redisReply *a, struct jread *rd)
{
	size_t i;

	if (a->type != REDIS_REPLY_ARRAY || a->elements % 2 != 0)
		return false;
	rd->m = xmalloc(sizeof(*rd->m) * (a->elements / 2 + 1));
	rd->n = 0;
	for (i = 0; i + 1 < a->elements; i += 2) {
		const redisReply *m = a->element[i], *sc = a->element[i + 1];
		struct rmember *x = &rd->m[rd->n];

		if (m->type != REDIS_REPLY_STRING || sc->type != REDIS_REPLY_STRING ||
		    parse_secs(sc->str, &x->ts_us) != 0 || m->len >= STORE_NAME_MAX)
			continue;
		memcpy(x->name, m->str, m->len);
		x->name[m->len] = '\0';
		x->written = true;
		rd->n++;
	}
	rd->ok = true;
	rd->at_ms = redis_mono_ms();
	return true;
}

/*
 * One round trip of a job: writes [from, from + n), each followed by the EXPIRE of its key; with the first
 * chunk the epoch, with the last the reads.  The hosts' index entries go in one ZADD per chunk.  Returns 0,
 * or -1 when the writes stay queued (the link failed, or Redis refused for a passing reason).
 */
static int
send_chunk(struct rstore *s, struct rjob *j, uint32_t from, uint32_t n, bool first, bool last)
{
	redisContext *c = s->link.c;
	char key[RS_KEY_MAX], hkey[RS_KEY_MAX], score[32], ttl[16], why[256] = "";
	size_t klen, hklen = key_of(s, hkey, sizeof(hkey), "hosts");
	int nc = 0, get_at = -1, read_at = -1, rc = REDIS_OK, i;
	uint32_t k, nh = 0;
	bool transient = false;
	uint64_t e = 0;
	const char *expired[RS_EXPIRED_MAX];
	int nexp = 0, e_i;

	snprintf(ttl, sizeof(ttl), "%" PRIu32, s->ttl_s);
	if (first && j->epoch != 0) {
		klen = key_of(s, key, sizeof(key), "epoch");
		if (j->epoch_pending || (j->news.fresh && j->news.epoch == 0)) {
			rc |= redisAppendCommand(c, "SET %b %" PRIu64 " NX", key, klen, j->epoch);
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
	for (k = from; k < from + n; k++) {
		const struct jwrite *w = &j->w[k];

		if (w->kind == W_SET) {
			klen = key_set(s, key, sizeof(key), w->u.m.set);
			rc |= redisAppendCommand(c, "ZADD %b NX %s %s", key, klen, fmt_secs(w->u.m.ts_us, score,
			    sizeof(score)), w->u.m.member);
			nc++;
			/* One EXPIRE per set per round trip is enough: a ZADD keeps the key's TTL. */
			for (e_i = 0; e_i < nexp && strcmp(expired[e_i], w->u.m.set) != 0; e_i++)
				;
			if (e_i == nexp) {
				rc |= redisAppendCommand(c, "EXPIRE %b %s", key, klen, ttl);
				nc++;
				if (nexp < RS_EXPIRED_MAX)
					expired[nexp++] = w->u.m.set;
			}
		} else {
			char *member = s->zmember[nh];
			size_t mlen = mirror_host_member(&w->u.r, member, RS_MEMBER_MAX);

			klen = key_host(s, key, sizeof(key), member);
			rc |= append_hset(c, key, klen, &w->u.r);
			rc |= redisAppendCommand(c, "EXPIRE %b %s", key, klen, ttl);
			nc += 2;
			s->zargv[2 + 2 * nh] = fmt_secs(w->u.r.last_us, s->zscore[nh], sizeof(s->zscore[nh]));
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
		if (first && j->now_us > age_us) {
			rc |= redisAppendCommand(c, "ZREMRANGEBYSCORE %b -inf (%s", hkey, hklen,
			    fmt_secs(j->now_us - age_us, score, sizeof(score)));
			nc++;
		}
		rc |= redisAppendCommand(c, "EXPIRE %b %s", hkey, hklen, ttl);
		nc++;
	}
	if (last && j->nrd > 0) {
		read_at = nc;
		for (k = 0; k < j->nrd; k++) {
			const struct jread *rd = &j->rd[k];

			klen = key_set(s, key, sizeof(key), rd->set);
			fmt_secs(rd->since_us, score, sizeof(score));
			if (rd->expect >= 0)
				rc |= redisAppendCommand(c, "ZCOUNT %b %s +inf", key, klen, score);
			else
				rc |= redisAppendCommand(c, "ZRANGEBYSCORE %b %s +inf WITHSCORES LIMIT 0 %d", key,
				    klen, score, RS_MEMBERS);
			nc++;
		}
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
		if (read_at >= 0 && i >= read_at) {
			struct jread *rd = &j->rd[i - read_at];

			if (rd->expect < 0 ? !read_members(r, rd) : r->type != REDIS_REPLY_INTEGER) {
				reply_error(s, r, rd->expect < 0 ? "ZRANGEBYSCORE" : "ZCOUNT");
				rd->expect = -1;	/* not read again below */
			} else if (rd->expect >= 0 && r->integer == rd->expect) {
				rd->ok = rd->same = true;
				rd->at_ms = redis_mono_ms();
			}
		} else if (r->type == REDIS_REPLY_ERROR) {
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
	if (get_at >= 0 && e != 0)
		j->epoch_got = e;	/* another sensor's, when its SET NX came first */
	if (first && j->epoch != 0)
		s->epoch_seen = true;
	return 0;
}

/* Sets whose count did not agree: someone else wrote to them, read their members (one round trip). */
static int
read_changed(struct rstore *s, struct rjob *j)
{
	redisContext *c = s->link.c;
	char key[RS_KEY_MAX], score[32];
	size_t klen;
	uint32_t k;
	int rc = REDIS_OK;

	for (k = 0; k < j->nrd; k++) {
		struct jread *rd = &j->rd[k];

		if (rd->expect < 0 || rd->same)
			continue;
		klen = key_set(s, key, sizeof(key), rd->set);
		rc |= redisAppendCommand(c, "ZRANGEBYSCORE %b %s +inf WITHSCORES LIMIT 0 %d", key, klen,
		    fmt_secs(rd->since_us, score, sizeof(score)), RS_MEMBERS);
	}
	if (rc != REDIS_OK) {
		redis_link_fail(&s->link, "cannot queue the commands");
		return -1;
	}
	for (k = 0; k < j->nrd; k++) {
		struct jread *rd = &j->rd[k];
		redisReply *r;

		if (rd->expect < 0 || rd->same)
			continue;
		if (redisGetReply(c, (void **)&r) != REDIS_OK || r == NULL) {
			redis_link_fail(&s->link, NULL);
			return -1;
		}
		if (!read_members(r, rd))
			reply_error(s, r, "ZRANGEBYSCORE");
		freeReplyObject(r);
	}
	return 0;
}

/*
 * Run a job: connect if need be, then its writes RS_PIPE_WRITES per round trip.  One pipeline for
 * everything would be fewer round trips, but hiredis moves the unsent rest of its output buffer after every
 * write(2), which makes a pipeline of a few hundred thousand commands quadratic; chunks keep it linear.
 */
void
rs_run_job(struct rstore *s, struct rjob *j)
{
	uint32_t from = 0;

	j->status = -1;
	j->epoch_got = 0;
	memset(&j->news, 0, sizeof(j->news));
	if (s->zmember == NULL) {
		s->zmember = xmalloc(sizeof(*s->zmember) * RS_PIPE_WRITES);
		s->zscore = xmalloc(sizeof(*s->zscore) * RS_PIPE_WRITES);
		s->zargv = xmalloc(sizeof(*s->zargv) * (2 + 2 * RS_PIPE_WRITES));
		s->zargvlen = xmalloc(sizeof(*s->zargvlen) * (2 + 2 * RS_PIPE_WRITES));
	}
	if (!rs_ready(s, j->try_now, &j->news))
		return;
	do {
		uint32_t n = j->n - from < RS_PIPE_WRITES ? j->n - from : RS_PIPE_WRITES;

		if (send_chunk(s, j, from, n, from == 0, from + n == j->n) != 0)
			return;
		from += n;
	} while (from < j->n);
	j->status = 0;
	read_changed(s, j);
}

void
rs_io_free(struct rstore *s)
{
	redis_link_close(&s->link);
	free(s->zmember);
	free(s->zscore);
	free(s->zargv);
	free(s->zargvlen);
	free(s->prefix);
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
int64_t
rs_load(struct rstore *s, void (*cb)(void *arg, const struct host_record *r), void *arg)
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

