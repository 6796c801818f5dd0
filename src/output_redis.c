/*
 * output_redis.c - the Redis stream output: each alert event becomes one stream entry with a single field,
 * event, holding the JSON object exactly as the JSON-lines output writes it.
 *
 * Only alerts go there: flows and stats would bury them, and a consumer of the stream wants verdicts.  The
 * stream is capped with MAXLEN ~ (trimmed by whole macro nodes, which is cheap) and its key carries a TTL
 * refreshed by every batch, as every key of ours does.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "output_redis.h"
#include "redis_link.h"

struct event {
	char *json;
	size_t len;
};

struct rout {
	struct redis_link link;
	char *key;		/* P alerts */
	size_t klen;
	uint32_t maxlen, ttl_s;
	struct event *q;	/* ring, oldest at head */
	uint32_t cap, head, n;
	uint64_t sent, errors, dropped;
	bool need_expire;	/* an entry was added since the last acknowledged EXPIRE */
	bool warned_reply;
};

static struct event *
q_slot(const struct rout *o, uint32_t i)
{
	return &o->q[(o->head + i) % o->cap];
}

static int
ro_write(void *ctx, const char *event_type, const char *json, size_t len)
{
	struct rout *o = ctx;
	struct event *ev;
	int rc = 0;

	if (strcmp(event_type, "alert") != 0)
		return 0;
	if (o->n >= OUTPUT_REDIS_QUEUE) {
		free(q_slot(o, 0)->json);
		o->head = (o->head + 1) % o->cap;
		o->n--;
		o->dropped++;
		rc = -1;	/* an alert was lost: the outputs count it as a failed write */
	}
	if (o->n == o->cap) {
		uint32_t ncap = o->cap ? o->cap * 2 : 64, i;
		struct event *nq;

		if (ncap > OUTPUT_REDIS_QUEUE)
			ncap = OUTPUT_REDIS_QUEUE;
		nq = xmalloc(sizeof(*nq) * ncap);
		for (i = 0; i < o->n; i++)
			nq[i] = *q_slot(o, i);
		free(o->q);
		o->q = nq;
		o->cap = ncap;
		o->head = 0;
	}
	ev = q_slot(o, o->n++);
	ev->json = xstrndup(json, len);
	ev->len = len;
	return rc;
}

static void
reply_error(struct rout *o, const redisReply *r)
{
	o->errors++;
	if (!o->warned_reply) {
		log_warn("redis: %s: XADD: %s (alerts refused like this are counted as errors)", o->link.url.shown,
		    r->str);
		o->warned_reply = true;
	}
}

/*
 * One pipeline: every queued alert, then the EXPIRE.  An alert leaves the queue when its reply came back
 * (entry added, or refused for good); a transient refusal (loading, out of memory, read-only) or a lost
 * connection keeps it, in order, for the next flush.
 */
static void
send_queue(struct rout *o)
{
	redisContext *c = o->link.c;
	uint8_t *done = xcalloc(o->n + 1, 1);
	uint32_t i, n = o->n, kept = 0;
	int rc = REDIS_OK;
	bool lost = false;
	const char *why = NULL;
	char reason[256];

	for (i = 0; i < n; i++) {
		const struct event *ev = q_slot(o, i);

		rc |= redisAppendCommand(c, "XADD %b MAXLEN ~ %u * event %b", o->key, o->klen, o->maxlen, ev->json,
		    ev->len);
	}
	rc |= redisAppendCommand(c, "EXPIRE %b %u", o->key, o->klen, o->ttl_s);
	if (rc != REDIS_OK) {
		free(done);
		redis_link_fail(&o->link, "cannot queue the commands");
		return;
	}
	for (i = 0; i <= n; i++) {
		redisReply *r;

		if (redisGetReply(c, (void **)&r) != REDIS_OK || r == NULL) {
			lost = true;
			break;
		}
		if (i == n) {
			/* Read after every XADD of the batch: the stream they made has its TTL. */
			if (r->type == REDIS_REPLY_INTEGER)
				o->need_expire = false;
		} else if (r->type != REDIS_REPLY_ERROR) {
			done[i] = 1;
			o->sent++;
			o->need_expire = true;
		} else if (redis_reply_transient(r)) {
			o->errors++;
			snprintf(reason, sizeof(reason), "%s", r->str);
			why = reason;
		} else {
			reply_error(o, r);
			done[i] = 1;
		}
		freeReplyObject(r);
	}
	for (i = 0; i < n; i++) {
		struct event *ev = q_slot(o, i);

		if (done[i])
			free(ev->json);
		else
			*q_slot(o, kept++) = *ev;
	}
	o->n = kept;
	free(done);
	if (lost)
		redis_link_fail(&o->link, NULL);
	else if (why != NULL)
		log_debug("redis: %s: %s; alerts stay queued", o->link.url.shown, why);
}

static void
ro_flush(void *ctx)
{
	struct rout *o = ctx;

	if (o->n == 0 && !o->need_expire)
		return;
	if (redis_link_ready(&o->link, NULL))
		send_queue(o);
}

static void
ro_close(void *ctx)
{
	struct rout *o = ctx;
	uint32_t i;

	if ((o->n || o->need_expire) && redis_link_ready_now(&o->link, NULL))
		send_queue(o);
	if (o->n)
		log_warn("redis: %u alerts could not be sent to %s", o->n, o->link.url.shown);
	redis_link_close(&o->link);
	for (i = 0; i < o->n; i++)
		free(q_slot(o, i)->json);
	free(o->q);
	free(o->key);
	free(o);
}

void *
output_redis_open(const char *url, const char *prefix, uint32_t maxlen, char *err, size_t errlen)
{
	struct rout *o = xcalloc(1, sizeof(*o));
	size_t plen;

	if (redis_link_open(&o->link, url, "queueing alerts", err, errlen) != 0) {
		free(o);
		return NULL;
	}
	if (prefix == NULL)
		prefix = "dcdnwatch:";
	plen = strlen(prefix);
	o->key = xmalloc(plen + sizeof("alerts"));
	memcpy(o->key, prefix, plen);
	memcpy(o->key + plen, "alerts", sizeof("alerts"));
	o->klen = plen + strlen("alerts");
	o->maxlen = maxlen ? maxlen : 1;
	o->ttl_s = OUTPUT_REDIS_TTL_S;
	return o;
}

void
output_redis_set_ttl(void *ctx, uint32_t ttl_s)
{
	((struct rout *)ctx)->ttl_s = ttl_s ? ttl_s : 1;
}

void
output_redis_stats(void *ctx, struct output_redis_stats *st)
{
	struct rout *o = ctx;

	memset(st, 0, sizeof(*st));
	st->sent = o->sent;
	st->errors = o->errors + o->link.errors;
	st->reconnects = o->link.reconnects;
	st->queued = o->n;
	st->dropped = o->dropped;
	st->connected = o->link.c != NULL;
}

const struct output_ops output_redis_ops = { "redis", ro_write, ro_flush, ro_close, NULL, NULL, NULL };
