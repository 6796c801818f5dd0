/*
 * store_redis.c - the Redis store: state that outlives the process and is shared between sensors.
 *
 * Nothing here waits on Redis per packet, nor, in the common case, per bucket.  Writes go into the local
 * mirror (store_mirror.c), which remembers everything written (the epoch, every set member with its first
 * time, the last saved record of each host) and queues the writes.  At each flush the queue is handed to
 * the writer thread as a job (store_redis_int.h) and the detection thread goes on; the job's outcome is
 * collected at the next flush.  Reads:
 *   - set_members (fleets, new hosts) answers from the mirror merged with a view of the set as Redis held
 *     it: every sensor's members.  A view is read back with the job after each question about its set, so
 *     it is at most one flush old; one older than redis.view_ms (or never read) is read again first,
 *     with a round trip.  With one sensor the answer is the memory store's whatever the view's age: the
 *     mirror holds all of ours.  With several, another sensor's member shows within redis.view_ms.
 *   - host_load_all and the epoch are read at start-up, with round trips.
 * While Redis is away the mirror (and the last views) answer, and the queue waits, bounded.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_redis_int.h"

/* ---- the hand-over ---- */

static void *
writer_main(void *arg)
{
	struct rstore *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->busy && !s->quit)
			pthread_cond_wait(&s->wake, &s->mu);
		if (!s->busy)
			break;
		pthread_mutex_unlock(&s->mu);
		rs_run_job(s, &s->job);
		pthread_mutex_lock(&s->mu);
		s->busy = false;
		s->done = true;
		pthread_cond_signal(&s->idle);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Started at the first flush, after daemon mode's fork: a thread does not survive a fork. */
static void
writer_start(struct rstore *s)
{
	sigset_t all, old;

	/* Signals are the detection thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&s->thr, NULL, writer_main, s) == 0)
		s->thr_on = true;
	else
		log_warn("redis: cannot start the store's writer thread; writing from the capture thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void
requeue_mirror(struct rstore *s)
{
	uint32_t nm, nh;

	mirror_requeue(&s->mirror, &nm, &nh);
	log_warn("redis: %s has lost the state written before; writing %u set members and %u hosts again",
	    s->link.url.shown, nm, nh);
}

/* What a handshake found: Redis's epoch wins; none there means ours is written; lost means all of it. */
static void
apply_news(struct rstore *s, const struct conn_news *news, bool requeue)
{
	if (!news->fresh)
		return;
	if (news->epoch != 0) {
		s->mirror.epoch = news->epoch;
		s->epoch_pending = false;
	} else if (s->mirror.epoch != 0) {
		s->epoch_pending = true;
	}
	if (news->lost && requeue)
		requeue_mirror(s);
}

static struct rview *
view_find(struct rstore *s, const char *set, bool create)
{
	char tn[STORE_NAME_MAX];
	int i;

	snprintf(tn, sizeof(tn), "%s", set);
	for (i = 0; i < s->nviews; i++)
		if (strcmp(s->views[i].name, tn) == 0)
			return &s->views[i];
	if (!create || s->nviews >= RS_VIEW_SETS)
		return NULL;
	snprintf(s->views[s->nviews].name, STORE_NAME_MAX, "%s", tn);
	return &s->views[s->nviews++];
}

/* A finished job, on the detection thread: the writes Redis acknowledged leave the queue, views refresh. */
static void
apply_job(struct rstore *s)
{
	struct rjob *j = &s->job;
	uint32_t i;

	s->gen++;
	apply_news(s, &j->news, false);
	if (j->status == 0) {
		if (j->epoch_got != 0) {
			/* Ours, or another sensor's when its SET NX came first. */
			s->mirror.epoch = j->epoch_got;
			s->epoch_pending = false;
		} else if (j->epoch_pending) {
			s->epoch_pending = false;
		}
		mirror_acked_upto(&s->mirror, j->seq_end, s->gen);
	}
	s->mirror.frozen_seq = 0;
	/*
	 * A Redis that lost our state: queue it all again, after the acknowledgement, so a full queue drops
	 * nothing of this job's (what it carried is queued again too, which is harmless).
	 */
	if (j->news.lost)
		requeue_mirror(s);
	for (i = 0; i < j->nrd; i++) {
		struct jread *rd = &j->rd[i];
		struct rview *v;

		if (rd->ok && rd->same && (v = view_find(s, rd->set, false)) != NULL) {
			v->at_ms = rd->at_ms;
		} else if (rd->ok && (v = view_find(s, rd->set, true)) != NULL) {
			free(v->m);
			v->m = rd->m;
			v->n = rd->n;
			v->since_us = rd->since_us;
			v->at_ms = rd->at_ms;
			v->gen = s->gen;
			rd->m = NULL;
		}
		free(rd->m);
		rd->m = NULL;
		rd->ok = false;
	}
	j->nrd = 0;
	j->n = 0;
}

/* Wait for the job on its way, if any, and collect it.  Afterwards the link is ours. */
static void
collect(struct rstore *s)
{
	bool done;

	if (!s->thr_on)
		return;
	pthread_mutex_lock(&s->mu);
	while (s->busy)
		pthread_cond_wait(&s->idle, &s->mu);
	done = s->done;
	s->done = false;
	pthread_mutex_unlock(&s->mu);
	if (done)
		apply_job(s);
}

/*
 * Whether a job is on its way; a finished one is collected.  One look under the lock: a job that ends
 * between two looks must not be taken for collected while its results wait.
 */
static bool
writer_busy(struct rstore *s)
{
	bool busy, done;

	if (!s->thr_on)
		return false;
	pthread_mutex_lock(&s->mu);
	busy = s->busy;
	done = !busy && s->done;
	if (done)
		s->done = false;
	pthread_mutex_unlock(&s->mu);
	if (done)
		apply_job(s);
	return busy;
}

static void
link_stats(const struct rstore *s, struct store_stats *st)
{
	st->errors = s->errors + s->link.errors;
	st->reconnects = s->link.reconnects;
	st->connected = s->link.c != NULL;
}

/*
 * A member of ours that Redis had acknowledged when the view was read, but that the view lacks: Redis
 * holds it with a time before the view's start (another sensor's, or an earlier run's, came first), so
 * it is not counted from here on.
 */
static bool
in_redis_before(const struct rview *v, const struct rmember *m)
{
	return v->at_ms != 0 && m->written && m->gen <= v->gen;
}

/*
 * The members since since_us of the union of a view (Redis's time wins) and the mirror's set st (may be
 * NULL): their count, and when list is not NULL, pointers to them.
 */
static uint32_t
view_union(const struct rview *v, const struct rset *st, uint64_t since_us, const struct rmember **list)
{
	uint8_t *seen = st != NULL ? xcalloc(st->n + 1, 1) : NULL;
	uint32_t i, k = 0, nv = v->at_ms != 0 ? v->n : 0;
	int64_t j;

	for (i = 0; i < nv; i++) {
		/* Seen whatever its time: Redis's time is the member's, even when it is too old here. */
		if (st != NULL && (j = mirror_member_find(st, v->m[i].name)) >= 0)
			seen[j] = 1;
		if (v->m[i].ts_us >= since_us) {
			if (list)
				list[k] = &v->m[i];
			k++;
		}
	}
	for (i = 0; st != NULL && i < st->n; i++)
		if (!seen[i] && !in_redis_before(v, &st->m[i]) && st->m[i].ts_us >= since_us) {
			if (list)
				list[k] = &st->m[i];
			k++;
		}
	free(seen);
	return k;
}

/*
 * How many members since the view's start Redis holds once this job is written, if no one else wrote to
 * the set since the view was read (the job carries every queued write).  A member dropped from a full
 * queue makes the counts differ: the set is read again.
 */
static int64_t
view_expect(struct rstore *s, const struct rview *v)
{
	if (v->at_ms == 0)
		return -1;
	return view_union(v, mirror_set_find(&s->mirror, v->name, false), v->since_us, NULL);
}

/* Fill the job from the queue (at most RS_JOB_WRITES, oldest first) and the views asked about. */
static void
job_build(struct rstore *s, bool try_now)
{
	struct rjob *j = &s->job;
	uint32_t n = s->mirror.q.n < RS_JOB_WRITES ? s->mirror.q.n : RS_JOB_WRITES, k;
	int i;

	if (n > j->cap) {
		j->cap = n;
		j->w = xrealloc(j->w, sizeof(*j->w) * j->cap);
	}
	for (k = 0; k < n; k++) {
		const struct write *q = mirror_queued(&s->mirror, k);
		struct jwrite *w = &j->w[k];

		w->kind = q->kind;
		if (q->kind == W_SET) {
			const struct rset *st = &s->mirror.sets[q->set];

			memcpy(w->u.m.set, st->name, STORE_NAME_MAX);
			memcpy(w->u.m.member, st->m[q->member].name, STORE_NAME_MAX);
			w->u.m.ts_us = st->m[q->member].ts_us;
		} else {
			w->u.r = q->r;
		}
	}
	j->n = n;
	j->seq_end = s->mirror.q.seq0 + n;
	/* Writes on their way are not changed in place any more: a newer save is queued after them. */
	s->mirror.frozen_seq = j->seq_end;
	j->epoch = s->mirror.epoch;
	j->epoch_pending = s->epoch_pending;
	j->now_us = s->last_now_us;
	j->try_now = try_now;
	j->nrd = 0;
	for (i = 0; i < s->nviews; i++) {
		struct rview *v = &s->views[i];

		if (!v->wanted)
			continue;
		v->wanted = false;
		if (j->nrd == j->rdcap) {
			j->rdcap = j->rdcap ? j->rdcap * 2 : 8;
			j->rd = xrealloc(j->rd, sizeof(*j->rd) * j->rdcap);
		}
		memset(&j->rd[j->nrd], 0, sizeof(j->rd[0]));
		memcpy(j->rd[j->nrd].set, v->name, STORE_NAME_MAX);
		j->rd[j->nrd].since_us = v->since_us;
		j->rd[j->nrd].expect = n == s->mirror.q.n ? view_expect(s, v) : -1;
		j->nrd++;
	}
}

static bool
has_work(const struct rstore *s)
{
	int i;

	if (s->mirror.q.n > 0 || s->epoch_pending)
		return true;
	for (i = 0; i < s->nviews; i++)
		if (s->views[i].wanted)
			return true;
	return false;
}

/* Run a job here and now, holding the link (the writer is idle). */
static void
run_inline(struct rstore *s, bool try_now)
{
	job_build(s, try_now);
	rs_run_job(s, &s->job);
	apply_job(s);
}

/* Send everything queued and wait for it; at most a few jobs, and none when Redis is away. */
static void
drain(struct rstore *s, bool try_now)
{
	int rounds = 0;

	collect(s);
	while (has_work(s) && rounds++ < 64) {
		run_inline(s, try_now);
		if (s->job.status != 0)
			break;		/* Redis is away or refuses for now: what is left stays queued */
	}
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

/* Whether a view must be read before it answers: never read, too old, or starting after since_us. */
static bool
view_stale(const struct rstore *s, const struct rview *v, uint64_t since_us)
{
	return v->at_ms == 0 || v->since_us > since_us || redis_mono_ms() - v->at_ms > s->view_ms;
}

/* Read a set's view now (the link is ours), in one round trip with whatever is queued. */
static void
view_read(struct rstore *s, struct rview *v)
{
	v->wanted = true;
	run_inline(s, false);
}

/*
 * The shared view: the set's view (every sensor's members, as Redis held them) merged with the mirror's
 * (ours, some not written yet).  A member in both keeps Redis's time: ZADD NX kept the first one.
 */
static uint32_t
rs_set_members(void *ctx, const char *set, uint64_t since_us, char (*names)[STORE_NAME_MAX], int max, int *n)
{
	struct rstore *s = ctx;
	const struct rset *st = mirror_set_find(&s->mirror, set, false);
	struct rview *v = view_find(s, set, true);
	const struct rmember **list;
	uint32_t k, count;

	*n = 0;
	if (v == NULL)
		return mirror_members(st, since_us, names, max, n);
	if (view_stale(s, v, since_us)) {
		/* A job on its way may bring it; otherwise ask now. */
		collect(s);
		if (view_stale(s, v, since_us)) {
			if (v->at_ms == 0 || v->since_us > since_us)
				v->since_us = since_us;
			view_read(s, v);
		}
	}
	/* Read it back with the next job, for the next question. */
	v->wanted = true;
	if (v->since_us > since_us)
		v->since_us = since_us;
	list = xmalloc(sizeof(*list) * ((v->at_ms != 0 ? v->n : 0) + (st ? st->n : 0) + 1));
	k = view_union(v, st, since_us, list);
	count = mirror_members_out(list, k, names, max, n);
	free(list);
	return count;
}

static void
rs_host_save(void *ctx, const struct host_record *r)
{
	mirror_host_save(&((struct rstore *)ctx)->mirror, r);
}

static uint32_t
rs_host_load_all(void *ctx, void (*cb)(void *arg, const struct host_record *r), void *arg)
{
	struct rstore *s = ctx;
	struct conn_news news;
	int64_t n;
	bool ok;

	collect(s);
	memset(&news, 0, sizeof(news));
	ok = rs_ready(s, false, &news);
	apply_news(s, &news, true);
	if (ok && (n = rs_load(s, cb, arg)) >= 0)
		return (uint32_t)n + mirror_load(&s->mirror, true, cb, arg);
	return mirror_load(&s->mirror, false, cb, arg);
}

/* End of a bucket: collect the last job, hand the queue over as the next; never waits. */
static void
rs_flush(void *ctx, uint64_t now_us)
{
	struct rstore *s = ctx;
	bool busy;

	s->last_now_us = now_us;
	busy = writer_busy(s);
	if (!has_work(s))
		return;		/* nothing to say: no round trip, no reconnection attempt */
	if (busy)
		return;		/* the last job is still on its way: this batch goes with the next */
	if (!s->thr_on)
		writer_start(s);
	if (!s->thr_on) {
		run_inline(s, false);
		return;
	}
	job_build(s, false);
	pthread_mutex_lock(&s->mu);
	link_stats(s, &s->pub);
	s->busy = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->mu);
}

static void
rs_sync(void *ctx)
{
	drain(ctx, false);
}

static void
rs_stats(void *ctx, struct store_stats *st)
{
	struct rstore *s = ctx;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&s->mu);
	if (s->busy)
		*st = s->pub;	/* the link is the writer's: its counters as of the hand-over */
	else
		link_stats(s, st);
	pthread_mutex_unlock(&s->mu);
	st->queued = s->mirror.q.n + (s->epoch_pending ? 1 : 0);
	st->dropped = s->mirror.dropped;
}

static void
rs_close(void *ctx)
{
	struct rstore *s = ctx;
	int i;

	if (s == NULL)
		return;
	collect(s);
	if (s->thr_on) {
		pthread_mutex_lock(&s->mu);
		s->quit = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thr, NULL);
		s->thr_on = false;
	}
	if (s->mirror.q.n || s->epoch_pending)
		drain(s, true);
	if (s->mirror.q.n)
		log_warn("redis: %u writes could not be sent to %s", s->mirror.q.n, s->link.url.shown);
	rs_io_free(s);
	mirror_free(&s->mirror);
	for (i = 0; i < s->nviews; i++)
		free(s->views[i].m);
	free(s->job.w);
	for (i = 0; i < (int)s->job.nrd; i++)
		free(s->job.rd[i].m);
	free(s->job.rd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->idle);
	free(s);
}

void *
store_redis_open(const char *url, const char *prefix, uint32_t ttl_s, uint32_t queue_max, uint32_t view_ms,
		 char *err, size_t errlen)
{
	struct rstore *s;

	if (ttl_s == 0) {
		/* EXPIRE 0 deletes the key. */
		snprintf(err, errlen, "the Redis key TTL must be at least 1 s");
		return NULL;
	}
	if (prefix == NULL)
		prefix = "dcdnwatch:";
	if (strlen(prefix) > RS_PREFIX_MAX) {
		snprintf(err, errlen, "the Redis key prefix is longer than %d bytes", RS_PREFIX_MAX);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	if (redis_link_open(&s->link, url, "running on memory", err, errlen) != 0) {
		free(s);
		return NULL;
	}
	s->prefix = xstrdup(prefix);
	s->ttl_s = ttl_s;
	s->view_ms = view_ms;
	s->mirror.q.max = queue_max ? queue_max : 1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_cond_init(&s->idle, NULL);
	if (s->link.c != NULL) {
		struct conn_news news;

		memset(&news, 0, sizeof(news));
		if (rs_handshake(s, &news) == 0)
			apply_news(s, &news, true);
	}
	return s;
}

const struct store_ops store_redis_ops = {
	"redis", rs_get_epoch, rs_set_epoch, rs_set_add, rs_set_members, rs_host_save, rs_host_load_all,
	rs_flush, rs_sync, rs_stats, rs_close,
};
