/*
 * shard.c - the sharded pipeline (--threads N); see news.h for what the news is.
 *
 * N threads, N workers.  The caller's thread (the main thread) reads the input into the capture ring,
 * deciding each packet's worker as it goes (shard_of), and works through worker 0's share of each batch;
 * workers 1 to N - 1 each run every batch of the ring through their engine in order, on threads of their
 * own.  Once every worker is done with batch k, its news is replayed to the serial engine and the batch
 * released, by whichever thread would otherwise wait (replay_ready): a worker with no batch to work on,
 * or the main thread with the ring filling up.  So N threads keep N cores busy: no thread only reads, and
 * none only replays.  Who owns what:
 *   - batch k and every worker's news of it (out[k % CAPTURE_RING_SLOTS]) are the worker's until it counts
 *     k as done, then the replay's until the release; the ring does not hand out batch k + SLOTS before;
 *   - the serial engine, and what the caller's functions touch, are whoever holds replay_mu's;
 *   - a flow's record and the table's fields are its worker's; its detection part (struct flow_det) the replay's;
 *     an ended flow is frozen, and freed by its worker when it takes the news of its end back (by the
 *     replay at the end of the run);
 *   - counters a worker publishes after each batch (pub_*) are under mu, for stats events.
 * Signals stay with the main thread, which checks them between packets as one thread does, and calls the
 * caller's poll and idle functions itself.  A stop ends the reading; what was read is still worked
 * through, so the run ends as a single thread's would have at that packet.
 */
#define _GNU_SOURCE	/* pthread_setname_np: threads show by role in top -H and perf */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "engine.h"
#include "log.h"
#include "news.h"
#include "shard.h"

#define SHARD_WAIT_MS	50
#define PREFETCH_AHEAD	8	/* records */

struct worker {
	struct shard *sh;
	struct engine *eng;
	struct news_writer *news;	/* eng's sink */
	unsigned idx;
	pthread_t thread;
	struct news_buf out[CAPTURE_RING_SLOTS];
	uint64_t tick_us[CAPTURE_RING_SLOTS];	/* a batch's last idle tick, 0 if none (worker 0) */
	struct final_flow *final;		/* the flows left at the end, first seen first */
	size_t nfinal;
	/* Under mu. */
	uint64_t done;				/* batches worked through */
	bool ended;				/* the input is over and final is taken */
	uint64_t batches;			/* how many there were, once ended */
	struct engine_stats pub_st;
	struct flow_table_stats pub_fs;
	uint64_t pub_ndpi, pub_now;
	double cpu_s;				/* the thread's CPU time, once joined */
};

struct shard {
	struct capture_ring *ring;
	struct conf conf;	/* the workers' copy: a reload (SIGHUP) rewrites the caller's under way */
	bool detecting;
	struct decode_cfg dcfg;	/* the reader's, for lanes */
	unsigned n;
	struct worker w[SHARD_MAX];
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* a worker finished a batch or ended */
	/*
	 * The replay: whichever thread holds replay_mu, which guards the serial engine and what the caller's
	 * functions touch (outputs, stores).  replayed is read without it, atomically.
	 */
	pthread_mutex_t replay_mu;
	struct news_replay rp;
	uint64_t replayed;	/* batches replayed (and released) */
	uint64_t batches;	/* read so far; the main thread's */
	bool live;
	capture_idle_fn idle;
	void *arg;
	volatile sig_atomic_t *poll;
	void (*poll_fn)(void *arg);
};

static uint64_t
mix(uint64_t h)
{
	h *= 0xff51afd7ed558ccdull;
	return h ^ h >> 33;
}

/*
 * A hash of the fields of the packet's flow key that fragments share (addresses, VLANs, the VNI), taken
 * from the key as the flow table builds it: so every packet of one flow, both ways, has the same hash,
 * whatever the key holds or leaves out (the type of a GRE or IP-in-IP tunnel, say).
 */
static uint64_t
pair_hash(const struct decoded *d)
{
	struct flow_key k;
	bool sender_is_b;
	uint64_t h = 0x9e3779b97f4a7c15ull, x = 0, y = 0;
	size_t i, nvlan = DECODE_MAX_VLAN;

	flow_key_from_packet(d, &k, &sender_is_b);
	if (k.vni)
		h = mix(h ^ (uint64_t)(k.vni & 0xffffff) << 8 ^ (uint64_t)(k.vni >> 24) << 40);
	while (nvlan > 0 && k.vlan[nvlan - 1] == 0)
		nvlan--;
	for (i = 0; i < nvlan; i++)
		h = mix(h ^ k.vlan[i]);
	/* Sum and xor of the two addresses' words: cheap, and symmetric had the key not been ordered. */
	for (i = 0; i < (k.ipver == 4 ? 4u : 16u); i += 4) {
		uint32_t a, b;

		memcpy(&a, k.a + i, 4);
		memcpy(&b, k.b + i, 4);
		x += (uint64_t)a + b;
		y ^= (uint64_t)a ^ b;
	}
	return mix(h ^ x * 0xc4ceb9fe1a85ec53ull ^ (y << 32 | y));
}

/*
 * Worker 0 runs on the thread that also reads the input, so it takes a smaller share of the address
 * pairs: SHARE0 of SHARD_PARTS with two workers, none with more.  Reading costs that thread about a fifth
 * of a one-thread run (the replay goes to whichever thread has time, replay_ready).  On the bench capture
 * shares from 10 to 22 of 64 all came out within the machine's noise; 16 is the middle of that range.
 */
#define SHARD_PARTS	64
#define SHARE0		16

/*
 * The worker of a decoded packet: a hash of its flow key's address pair, VLANs and VNI, the same both ways.
 * Not of ports or protocol: fragments have no ports, and nDPI links some flows of one address pair (TINC
 * over TCP and UDP, say) through caches of its own, which are per worker.
 */
static unsigned
shard_of(const struct decoded *d, unsigned nshards)
{
	uint64_t h = pair_hash(d);

	if (nshards < 2 || (nshards == 2 && (h & (SHARD_PARTS - 1)) < SHARE0))
		return 0;
	/* The high half scaled to 1 .. nshards - 1: a multiply, where a modulo would divide. */
	return 1 + (unsigned)(((h >> 32) * (nshards - 1)) >> 32);
}

/*
 * Worker idx's part of flow.max: its share of the address pairs (see shard.h: events stay identical below
 * it).  Worker 0 keeps a part with more than two workers, for what falls to it all the same.
 */
static uint32_t
worker_flow_max(const struct shard *sh, unsigned idx)
{
	uint64_t part0 = sh->n == 2 ? SHARE0 : 1;	/* of SHARD_PARTS */
	uint64_t num = sh->conf.flow_max * (idx == 0 ? part0 : SHARD_PARTS - part0);
	uint64_t den = SHARD_PARTS * (uint64_t)(idx == 0 ? 1 : sh->n - 1);
	uint64_t max = (num + den - 1) / den;

	return (uint32_t)(max ? max : 1);
}

/*
 * What the reader learned of a packet, kept with it in the ring: the worker that takes the packet does not
 * decode it again.  The pointers in d point into the ring's copy of the packet.
 */
struct lane_decode {
	struct decoded d;
	uint32_t reason;	/* enum decode_reason */
};

/* On the main thread, on the packet's copy in the ring.  What does not decode goes to worker 0. */
static unsigned
lane_of(void *arg, int dlt, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen, void *extra)
{
	struct shard *sh = arg;
	struct lane_decode *ld = extra;

	ld->reason = decode_packet(&sh->dcfg, dlt, pkt, caplen, wirelen, &ld->d);
	if (ld->reason != DEC_OK)
		return 0;
	return shard_of(&ld->d, sh->n);
}

/* A worker's progress for the replay (and its counters for stats); ended: the input is over, done counts all. */
static void
publish(struct worker *w, uint64_t done, bool ended)
{
	struct shard *sh = w->sh;
	struct engine_stats st;
	struct flow_table_stats fs;
	uint64_t ndpi;

	engine_counters(w->eng, &st, &fs, &ndpi);
	pthread_mutex_lock(&sh->mu);
	w->pub_st = st;
	w->pub_fs = fs;
	w->pub_ndpi = ndpi;
	w->pub_now = engine_now(w->eng);
	w->done = done;
	if (ended) {
		w->batches = done;
		w->ended = true;
	}
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
}

static double
thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Worker w's part of batch k: its own packets through its engine, an idle tick, the clock for the other
 * records; then the batch counts as done.
 */
static void
work_batch(struct worker *w, const struct capture_batch *b, uint64_t k)
{
	unsigned slot = (unsigned)(k % CAPTURE_RING_SLOTS);
	uint32_t i;

	/* Batch k - CAPTURE_RING_SLOTS was replayed and released before the ring gave out batch k. */
	news_buf_reclaim(&w->out[slot]);
	w->tick_us[slot] = 0;
	news_writer_set_buf(w->news, &w->out[slot]);
	for (i = 0; i < b->n; i++) {
		const struct capture_toc *t = &b->toc[i];

		/* The record a few of ours ahead was written on another core: ask for it early. */
		if (i + PREFETCH_AHEAD < b->n && b->toc[i + PREFETCH_AHEAD].lane == w->idx) {
			const uint8_t *p = (const uint8_t *)capture_batch_rec(b, i + PREFETCH_AHEAD);

			__builtin_prefetch(p);
			__builtin_prefetch(p + 64);
			__builtin_prefetch(p + 128);
			__builtin_prefetch(p + 192);
		}
		if (t->lane == w->idx) {
			const struct capture_rec *h = capture_batch_rec(b, i);
			const struct lane_decode *ld = capture_rec_extra(h);

			engine_decoded(w->eng, h->ts_us, h->wirelen, (enum decode_reason)ld->reason, &ld->d);
		} else if (t->lane == CAPTURE_LANE_TICK) {
			engine_tick(w->eng, t->ts_us);
			w->tick_us[slot] = t->ts_us;
		} else {
			engine_pass(w->eng, t->ts_us, t->wirelen);
		}
	}
	publish(w, k + 1, false);
}

/* The flows left at the end, first seen first, for the replay; then the input counts as over. */
static void
work_end(struct worker *w, uint64_t batches)
{
	news_writer_set_buf(w->news, NULL);
	w->final = engine_drain(w->eng, &w->nfinal);
	publish(w, batches, true);
	/* Every flow has ended: the module goes while the last news is replayed. */
	engine_free(w->eng);
	w->eng = NULL;
	news_writer_free(w->news);
	w->news = NULL;
}

/* Worker w's engine, which writes news. */
static struct engine *
worker_engine(struct worker *w, char *err, size_t errlen)
{
	struct shard *sh = w->sh;

	w->news = news_writer_new(&sh->conf, sh->detecting);
	return engine_new_sink(&sh->conf, worker_flow_max(sh, w->idx), news_writer_sink(w->news), err, errlen);
}

static void replay_ready(struct shard *sh, bool on_main);

/* Workers 1 and on, each on a thread of its own; one with no batch to work on replays what is ready. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct shard *sh = w->sh;
	struct capture_batch b;
	char err[512];
	uint64_t k;

	{
		char name[16];

		snprintf(name, sizeof(name), "dcdn-worker%u", w->idx);
		pthread_setname_np(pthread_self(), name);
	}
	/* Each worker makes its own engine: the nDPI modules load side by side. */
	if ((w->eng = worker_engine(w, err, sizeof(err))) == NULL)
		log_fatal(1, "%s", err);
	for (k = 0;; k++) {
		int got = capture_ring_get(sh->ring, k, 0, &b);

		/* Nothing to work on yet: replay meanwhile, then wait. */
		if (got == 0) {
			replay_ready(sh, false);
			got = capture_ring_get(sh->ring, k, -1, &b);
		}
		if (got < 0)
			break;
		work_batch(w, &b, k);
	}
	work_end(w, k);
	/* cpu_s is read after join. */
	w->cpu_s = thread_cpu();
	return NULL;
}

/* Sum of the workers' last published counters (packets and time are each worker's alike), the flows' peak. */
static void
gather(void *arg, struct engine_stats *st, struct flow_table_stats *fs, uint64_t *ndpi_pkts)
{
	struct shard *sh = arg;
	unsigned i;
	int j;

	memset(st, 0, sizeof(*st));
	memset(fs, 0, sizeof(*fs));
	*ndpi_pkts = 0;
	pthread_mutex_lock(&sh->mu);
	st->packets = sh->w[0].pub_st.packets;
	st->bytes = sh->w[0].pub_st.bytes;
	st->first_us = sh->w[0].pub_st.first_us;
	st->last_us = sh->w[0].pub_st.last_us;
	st->time_ahead = sh->w[0].pub_st.time_ahead;
	st->time_followed = sh->w[0].pub_st.time_followed;
	st->time_behind = sh->w[0].pub_st.time_behind;
	for (i = 0; i < sh->n; i++) {
		const struct worker *w = &sh->w[i];

		for (j = 0; j < DEC__COUNT; j++)
			st->decode[j] += w->pub_st.decode[j];
		st->frag_accounted += w->pub_st.frag_accounted;
		st->frag_orphan += w->pub_st.frag_orphan;
		fs->created += w->pub_fs.created;
		fs->expired += w->pub_fs.expired;
		fs->evicted += w->pub_fs.evicted;
		fs->active_cut += w->pub_fs.active_cut;
		fs->closed_early += w->pub_fs.closed_early;
		fs->active += w->pub_fs.active;
		*ndpi_pkts += w->pub_ndpi;
	}
	pthread_mutex_unlock(&sh->mu);
	/* The replay's: whoever asks for stats holds replay_mu, or the run is over. */
	fs->peak = sh->rp.held_peak;
}

/*
 * The order one table would have given: by record, then phase; ends of one sweep and the running flows of
 * a bucket end by timeout class and last touch (the idle lists' order), the bucket tick after them;
 * A packet's own news comes from one worker only.
 */
static int
news_cmp(const struct news *a, const struct news *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
	if (a->key1 != b->key1)
		return a->key1 < b->key1 ? -1 : 1;
	if (a->key2 != b->key2)
		return a->key2 < b->key2 ? -1 : 1;
	return 0;
}

static bool
run_before(const struct running_flow *a, const struct running_flow *b)
{
	return a->tclass != b->tclass ? a->tclass < b->tclass : a->touch < b->touch;
}

/*
 * A bucket end: every worker's tick of this record is at the head of its news (nothing of the record's
 * bucket phase sorts after a tick).  Their running flows are merged in one table's order, by timeout class
 * and last touch, as flow_table_foreach walks them.
 */
static void
replay_bucket_end(struct news_replay *rp, struct news_buf *const *bufs, unsigned n, size_t *at, const struct news *tick)
{
	const struct running_flow *from[SHARD_MAX], *to[SHARD_MAX];
	unsigned i;

	rp->nrun = 0;
	for (i = 0; i < n; i++) {
		const struct news *t = at[i] < bufs[i]->n ? &bufs[i]->v[at[i]] : NULL;

		from[i] = to[i] = NULL;
		if (t == NULL || t->kind != NEWS_TICK || t->seq != tick->seq)
			continue;
		at[i]++;
		from[i] = bufs[i]->run + t->run_from;
		to[i] = from[i] + t->run_n;
		rp->nrun += t->run_n;
	}
	if (rp->nrun > rp->runcap) {
		rp->runcap = rp->nrun * 2;
		rp->run = xrealloc(rp->run, rp->runcap * sizeof(*rp->run));
	}
	rp->nrun = 0;
	for (;;) {
		const struct running_flow *best = NULL;
		unsigned b = 0;

		for (i = 0; i < n; i++)
			if (from[i] < to[i] && (best == NULL || run_before(from[i], best))) {
				best = from[i];
				b = i;
			}
		if (best == NULL)
			break;
		from[b]++;
		rp->run[rp->nrun++] = best;
	}
	news_replay_tick(rp, tick->now_us);
}

/* Merge the workers' news of one batch (or of the flush) into one stream and replay it. */
static void
replay_merged(struct news_replay *rp, struct news_buf *const *bufs, unsigned n)
{
	size_t at[SHARD_MAX] = { 0 };

	for (;;) {
		const struct news *best = NULL;
		unsigned i, b = 0;

		for (i = 0; i < n; i++)
			if (at[i] < bufs[i]->n && (best == NULL || news_cmp(&bufs[i]->v[at[i]], best) < 0)) {
				best = &bufs[i]->v[at[i]];
				b = i;
			}
		if (best == NULL)
			break;
		if (best->kind == NEWS_TICK) {
			replay_bucket_end(rp, bufs, n, at, best);
			continue;
		}
		at[b]++;
		news_replay_one(rp, best, best->snap ? &bufs[b]->snap[best->snap - 1] : NULL);
	}
}

/* The flows left at the end: each worker's are first seen first; merged, they are one table's flush. */
static void
replay_final(struct shard *sh)
{
	size_t at[SHARD_MAX] = { 0 };

	for (;;) {
		const struct final_flow *best = NULL;
		unsigned i, b = 0;

		for (i = 0; i < sh->n; i++)
			if (at[i] < sh->w[i].nfinal &&
			    (best == NULL || flow_cmp_first(&sh->w[i].final[at[i]].f, &best->f) < 0)) {
				best = &sh->w[i].final[at[i]];
				b = i;
			}
		if (best == NULL)
			break;
		at[b]++;
		news_replay_final(&sh->rp, best);
	}
}

/*
 * Wait until every worker is done with batch k (1) or has ended before it (0), at most wait_ms (0: only
 * look); -1 if neither.
 */
static int
wait_batch(struct shard *sh, uint64_t k, int wait_ms)
{
	struct timespec ts;
	int r = -1;

	if (wait_ms > 0)
		capture_deadline(&ts, wait_ms);
	pthread_mutex_lock(&sh->mu);
	for (;;) {
		unsigned i, done = 0, ended = 0;

		for (i = 0; i < sh->n; i++) {
			done += sh->w[i].done > k;
			ended += sh->w[i].ended && sh->w[i].batches <= k;
		}
		if (done == sh->n || ended == sh->n) {
			r = done == sh->n ? 1 : 0;
			break;
		}
		if (wait_ms == 0 || pthread_cond_timedwait(&sh->cv, &sh->mu, &ts) != 0)
			break;
	}
	pthread_mutex_unlock(&sh->mu);
	return r;
}

/*
 * Replay the next batch once every worker is done with it, and release it to the reader; with replay_mu
 * held.  Waits at most wait_ms; 1: replayed, 0: not yet, -1: the workers ended before it.  A batch that
 * held a live link's idle tick is left to the main thread (on_main), whose idle function reads the
 * capture's counters.
 */
static int
replay_next(struct shard *sh, int wait_ms, bool on_main)
{
	struct news_buf *bufs[SHARD_MAX];
	uint64_t k = sh->replayed;
	unsigned i, slot = (unsigned)(k % CAPTURE_RING_SLOTS);
	int got;

	if ((got = wait_batch(sh, k, wait_ms)) <= 0)
		return got == 0 ? -1 : 0;
	if (!on_main && sh->w[0].tick_us[slot])
		return 0;
	for (i = 0; i < sh->n; i++)
		bufs[i] = &sh->w[i].out[slot];
	replay_merged(&sh->rp, bufs, sh->n);
	if (sh->idle && sh->w[0].tick_us[slot])
		sh->idle(sh->arg, sh->w[0].tick_us[slot]);
	capture_ring_release(sh->ring);
	__atomic_store_n(&sh->replayed, k + 1, __ATOMIC_RELEASE);
	return 1;
}

/*
 * Replay what every worker is done with, unless another thread is at it.  A thread that would wait calls
 * this (a worker with no batch to work on, the main thread with the ring filling up), so the replay's
 * share of the work goes to whichever thread has time for it.  After letting go, look again: a batch
 * finished while this thread held the lock found it taken.
 */
static void
replay_ready(struct shard *sh, bool on_main)
{
	for (;;) {
		uint64_t k;

		if (pthread_mutex_trylock(&sh->replay_mu) != 0)
			return;
		while (replay_next(sh, 0, on_main) > 0)
			;
		pthread_mutex_unlock(&sh->replay_mu);
		k = __atomic_load_n(&sh->replayed, __ATOMIC_ACQUIRE);
		if (wait_batch(sh, k, 0) <= 0 || (!on_main && sh->w[0].tick_us[k % CAPTURE_RING_SLOTS]))
			return;
	}
}

/* The caller's poll function (stats, a reload) touches the serial engine: it waits for the replay. */
static void
shard_poll(void *arg)
{
	struct shard *sh = arg;

	pthread_mutex_lock(&sh->replay_mu);
	sh->poll_fn(sh->arg);
	pthread_mutex_unlock(&sh->replay_mu);
}

/* On the main thread: replay the next batch, waiting for it; as replay_next. */
static int
replay_wait(struct shard *sh)
{
	int r;

	if (*sh->poll && sh->poll_fn)
		shard_poll(sh);
	pthread_mutex_lock(&sh->replay_mu);
	r = replay_next(sh, SHARD_WAIT_MS, true);
	pthread_mutex_unlock(&sh->replay_mu);
	return r;
}

/*
 * Batch k was read on this thread: work through worker 0's part of it, replay what every worker is done
 * with, and when the ring is full wait for the oldest batch, so the reading can go on.
 */
static void
handed(void *arg, uint64_t k)
{
	struct shard *sh = arg;
	struct capture_batch b;

	if (capture_ring_get(sh->ring, k, 0, &b) != 1)
		log_fatal(1, "capture ring: batch %" PRIu64 " is not there", k);
	work_batch(&sh->w[0], &b, k);
	sh->batches = k + 1;
	/*
	 * Replaying is left to a worker waiting for batches, unless the ring is half full (the workers are
	 * behind: this thread has time) or the link is live (alerts should not wait).
	 */
	if (sh->live || sh->batches - __atomic_load_n(&sh->replayed, __ATOMIC_ACQUIRE) >= CAPTURE_RING_SLOTS / 2)
		replay_ready(sh, true);
	while (sh->batches - __atomic_load_n(&sh->replayed, __ATOMIC_ACQUIRE) == CAPTURE_RING_SLOTS)
		if (replay_wait(sh) < 0)
			log_fatal(1, "capture ring: the workers ended before batch %" PRIu64, sh->replayed);
}

static void
shard_free(struct shard *sh)
{
	unsigned i;
	int j;

	for (i = 0; i < sh->n; i++) {
		for (j = 0; j < CAPTURE_RING_SLOTS; j++)
			news_buf_free(&sh->w[i].out[j]);
		free(sh->w[i].final);
	}
	if (sh->ring)
		capture_ring_free(sh->ring);
	free(sh->rp.run);
	pthread_mutex_destroy(&sh->mu);
	pthread_cond_destroy(&sh->cv);
	pthread_mutex_destroy(&sh->replay_mu);
	free(sh);
}

/* Start workers 1 and on; false (err set, none left running) when one cannot start. */
static bool
start_workers(struct shard *sh, char *err, size_t errlen)
{
	sigset_t all, old;
	unsigned i;
	int rc = 0;

	/* Signals are for the caller's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 1; i < sh->n; i++)
		if ((rc = pthread_create(&sh->w[i].thread, NULL, worker_main, &sh->w[i])) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		return true;
	snprintf(err, errlen, "cannot start a worker thread (%s)", strerror(rc));
	/* The ones that started see an input with no batches, and end. */
	capture_ring_close(sh->ring);
	while (--i > 0)
		pthread_join(sh->w[i].thread, NULL);
	return false;
}

int
shard_run(struct engine *e, struct capture *c, unsigned nworkers, capture_idle_fn idle, void *arg,
	  volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg), char *err,
	  size_t errlen)
{
	struct shard *sh = xcalloc(1, sizeof(*sh));
	uint64_t now = 0;
	unsigned i;
	int j, rc;

	sh->n = nworkers;
	sh->conf = *engine_conf(e);
	sh->detecting = engine_detects(e);
	sh->dcfg.vxlan_port = (uint16_t)sh->conf.vxlan_port;
	sh->dcfg.geneve_port = (uint16_t)sh->conf.geneve_port;
	sh->rp.eng = e;
	sh->live = capture_is_live(c);
	sh->idle = idle;
	sh->arg = arg;
	sh->poll = poll;
	sh->poll_fn = poll_fn;
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	pthread_mutex_init(&sh->replay_mu, NULL);
	for (i = 0; i < nworkers; i++) {
		sh->w[i].sh = sh;
		sh->w[i].idx = i;
	}
	/*
	 * Worker 0 is this thread's, between reading batches and replaying them.  Its nDPI module is made
	 * first (the process's first is made alone, classify.c); the others' load while this thread reads.
	 */
	if ((sh->w[0].eng = worker_engine(&sh->w[0], err, errlen)) == NULL)
		log_fatal(1, "%s", err);
	sh->ring = capture_ring_new(c, lane_of, sh, sizeof(struct lane_decode), handed, sh);
	if (!start_workers(sh, err, errlen)) {
		engine_free(sh->w[0].eng);
		news_writer_free(sh->w[0].news);
		shard_free(sh);
		return -2;
	}
	engine_set_gather(e, gather, sh);
	rc = capture_ring_fill(sh->ring, stop, poll, poll_fn ? shard_poll : NULL, sh, err, errlen);
	work_end(&sh->w[0], sh->batches);
	while (replay_wait(sh) >= 0)
		;
	/* Every worker has ended (wait_batch said so under mu): what they left is the replay's now. */
	for (i = 0; i < sh->n; i++) {
		if (sh->w[i].pub_now > now)
			now = sh->w[i].pub_now;
		for (j = 0; j < CAPTURE_RING_SLOTS; j++)
			news_buf_reclaim(&sh->w[i].out[j]);
	}
	engine_set_now(e, now);
	replay_final(sh);
	for (i = 1; i < sh->n; i++)
		pthread_join(sh->w[i].thread, NULL);
	/* Where the time went, for whoever tunes the number of workers. */
	log_debug("main thread (reading, worker 0, replay): %.3f s of CPU, %" PRIu64 " batches, %" PRIu64
	    " packets to nDPI", thread_cpu(), sh->batches, sh->w[0].pub_ndpi);
	for (i = 1; i < sh->n; i++)
		log_debug("worker %u: %.3f s of CPU, %" PRIu64 " packets to nDPI", i, sh->w[i].cpu_s,
		    sh->w[i].pub_ndpi);
	/* The workers' final counters stay with the serial engine for the last stats and the summary. */
	{
		struct engine_stats st;
		struct flow_table_stats fs;
		uint64_t ndpi;

		gather(sh, &st, &fs, &ndpi);
		engine_set_totals(e, &st, &fs, ndpi);
	}
	shard_free(sh);
	return rc;
}
