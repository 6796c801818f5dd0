/*
 * capture_thread.c - reading the input on a thread of its own.
 *
 * Reading a file costs about a quarter of a replay (the kernel's copy, libpcap's record parsing); on a
 * second core it overlaps with the pipeline, and on a live link the kernel's ring is emptied while the
 * pipeline works.  The reader runs capture_run as the single-threaded mode does into a small ring of
 * batches (a live link's idle ticks go in as records too, and end a batch so they are not held back).
 *
 * capture_run_threaded takes the batches in order on the caller's thread, paces them (--pace), and calls
 * the packet callback for each record, so the pipeline sees exactly the packets, times and order it sees
 * without the thread, and events are identical.  The sharded pipeline (shard.c) reads the same ring from
 * several threads instead.  Signals stay with the caller's thread: it checks the stop and poll flags
 * between records, and at least every RING_WAIT_MS while waiting; its pacing sleep ends on a signal, so a
 * stop is never held up by a reader that sleeps.
 *
 * The ring is bounded: RING_SLOTS batches of RING_BYTES each, so at most 8 MB are read ahead.
 */
#define _GNU_SOURCE	/* pthread_setname_np: threads show by role in top -H and perf */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "log.h"

#define RING_SLOTS	CAPTURE_RING_SLOTS
#define RING_BYTES	(512u * 1024u)	/* a slot; more than the largest record (snaplen is at most 262144) */
#define RING_WAIT_MS	50

struct slot {
	uint8_t *buf;
	uint32_t used;		/* bytes of records */
	uint32_t n;		/* records */
	struct capture_toc *toc;	/* RING_RECS entries */
};

/* Records a slot holds at most: the smallest is a tick's header. */
#define RING_RECS	(RING_BYTES / sizeof(struct capture_rec))

/*
 * Batch k lives in slot k % RING_SLOTS from its publication until its release.  The reader fills slot
 * published % RING_SLOTS while fewer than RING_SLOTS batches are unreleased.
 */
struct capture_ring {
	struct capture *cap;
	capture_lane_fn lane;
	void *lane_arg;
	uint32_t extra;		/* bytes for the lane function in each record, a multiple of 8 */
	capture_handed_fn handed;	/* filled on the caller's thread (capture_ring_fill): told of each batch */
	void *handed_arg;
	void (*poll_fn)(void *arg);	/* and the caller's poll function, with its argument */
	void *poll_arg;
	pthread_t thread;
	struct slot slot[RING_SLOTS];
	uint64_t published, released;	/* batches so far; under mu */
	bool ended, quit;	/* under mu */
	int rc;			/* capture_run's result, once ended */
	char err[512];
	pthread_mutex_t mu;
	pthread_cond_t data;	/* a batch was published, or the run ended */
	pthread_cond_t room;	/* a batch was released, or reading is to stop */
	volatile sig_atomic_t stop;	/* the reader's own stop flag, set only on its thread */
	int quitting;		/* atomic: reading is to stop; the reader stops at its next record */
};

static size_t
rec_size(const struct capture_ring *r, uint32_t caplen)
{
	return (sizeof(struct capture_rec) + r->extra + caplen + 7u) & ~(size_t)7u;
}

static struct slot *
filling(struct capture_ring *r)
{
	return &r->slot[r->published % RING_SLOTS];
}

/*
 * Hand the batch being filled over; wait for a free slot.  false when reading is to stop.  A ring filled on
 * the caller's thread tells the caller instead of waiting: the caller is who releases batches.
 */
static bool
publish(struct capture_ring *r)
{
	bool quit;

	pthread_mutex_lock(&r->mu);
	r->published++;
	pthread_cond_broadcast(&r->data);
	if (r->handed) {
		uint64_t k = r->published - 1;

		pthread_mutex_unlock(&r->mu);
		r->handed(r->handed_arg, k);
		pthread_mutex_lock(&r->mu);
		if (r->published - r->released == RING_SLOTS)
			log_fatal(1, "capture ring: batch %" PRIu64 " handed over with no room left", k);
	}
	while (r->published - r->released == RING_SLOTS && !r->quit)
		pthread_cond_wait(&r->room, &r->mu);
	quit = r->quit;
	pthread_mutex_unlock(&r->mu);
	/* Only the reader changes published, so the slot to fill is stable outside the lock. */
	filling(r)->used = 0;
	filling(r)->n = 0;
	return !quit;
}

/*
 * Room for a record of need bytes in the slot being filled (handing a full one over first), and its entry
 * in the table of contents (offset set); NULL when the reader is to stop.
 */
static struct capture_rec *
rec_room(struct capture_ring *r, size_t need, struct capture_toc **t)
{
	struct slot *s = filling(r);

	if (r->stop)
		return NULL;
	if (__atomic_load_n(&r->quitting, __ATOMIC_RELAXED) ||
	    (s->used + need > RING_BYTES && !publish(r))) {
		r->stop = 1;
		return NULL;
	}
	s = filling(r);
	*t = &s->toc[s->n++];
	(*t)->off = s->used;
	s->used += (uint32_t)need;
	return (struct capture_rec *)(void *)(s->buf + (*t)->off);
}

static void
on_read(void *arg, int dlt, uint64_t ts_us, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen)
{
	struct capture_ring *r = arg;
	size_t need = rec_size(r, caplen);
	struct capture_toc *t;
	struct capture_rec *h;
	uint8_t *data;

	/* Cannot happen with libpcap's snaplen cap; keep the record's length honest if it ever does. */
	if (need > RING_BYTES) {
		caplen = (uint32_t)(RING_BYTES - sizeof(*h) - r->extra);
		need = rec_size(r, caplen);
	}
	if ((h = rec_room(r, need, &t)) == NULL)
		return;
	h->ts_us = ts_us;
	h->caplen = caplen;
	h->wirelen = wirelen;
	h->dlt = dlt;
	h->pad = 0;
	data = (uint8_t *)(h + 1) + r->extra;
	memcpy(data, pkt, caplen);
	t->ts_us = ts_us;
	t->wirelen = wirelen;
	t->lane = r->lane ? r->lane(r->lane_arg, dlt, data, caplen, wirelen, h + 1) : 0;
}

/* A live link was idle (or busy for a whole timeout): time goes on; hand the batch over now. */
static void
on_tick(void *arg, uint64_t now_us)
{
	struct capture_ring *r = arg;
	struct capture_toc *t;
	struct capture_rec *h;

	if ((h = rec_room(r, rec_size(r, 0), &t)) == NULL)
		return;
	memset(h, 0, sizeof(*h));
	h->ts_us = now_us;
	h->dlt = CAPTURE_REC_TICK;
	t->ts_us = now_us;
	t->wirelen = 0;
	t->lane = CAPTURE_LANE_TICK;
	/* A reader thread of its own keeps the drop counters for the caller; a caller reading owns them. */
	if (r->handed == NULL)
		capture_reader_drops(r->cap);
	if (!publish(r))
		r->stop = 1;
}

static void *
reader_main(void *arg)
{
	struct capture_ring *r = arg;
	volatile sig_atomic_t never = 0;
	int rc;

	pthread_setname_np(pthread_self(), "dcdn-reader");
	rc = capture_run(r->cap, on_read, on_tick, r, &r->stop, &never, NULL, r->err, sizeof(r->err));
	{
		struct timespec ts;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
		log_debug("reader: %.3f s of CPU, %" PRIu64 " batches", (double)ts.tv_sec + (double)ts.tv_nsec / 1e9,
		    r->published);
	}
	pthread_mutex_lock(&r->mu);
	if (filling(r)->n > 0 && !r->quit)
		r->published++;
	r->rc = rc;
	r->ended = true;
	pthread_cond_broadcast(&r->data);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

void
capture_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += (long)ms * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

void
capture_ring_free(struct capture_ring *r)
{
	int i;

	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->data);
	pthread_cond_destroy(&r->room);
	for (i = 0; i < RING_SLOTS; i++) {
		free(r->slot[i].buf);
		free(r->slot[i].toc);
	}
	free(r);
}

static struct capture_ring *
ring_new(struct capture *c, capture_lane_fn lane, void *lane_arg, size_t extra)
{
	struct capture_ring *r = xcalloc(1, sizeof(*r));
	int i;

	r->cap = c;
	r->lane = lane;
	r->lane_arg = lane_arg;
	r->extra = (uint32_t)((extra + 7u) & ~(size_t)7u);
	for (i = 0; i < RING_SLOTS; i++) {
		r->slot[i].buf = xmalloc(RING_BYTES);
		r->slot[i].toc = xmalloc(RING_RECS * sizeof(struct capture_toc));
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->data, NULL);
	pthread_cond_init(&r->room, NULL);
	return r;
}

struct capture_ring *
capture_ring_new(struct capture *c, capture_lane_fn lane, void *lane_arg, size_t extra,
		 capture_handed_fn handed, void *arg)
{
	struct capture_ring *r = ring_new(c, lane, lane_arg, extra);

	r->handed = handed;
	r->handed_arg = arg;
	return r;
}

/* capture_run calls back with the ring; the caller's poll function wants its own argument. */
static void
on_poll(void *arg)
{
	struct capture_ring *r = arg;

	r->poll_fn(r->poll_arg);
}

int
capture_ring_fill(struct capture_ring *r, volatile sig_atomic_t *stop, volatile sig_atomic_t *poll,
		  void (*poll_fn)(void *arg), void *poll_arg, char *err, size_t errlen)
{
	int rc;

	r->poll_fn = poll_fn;
	r->poll_arg = poll_arg;
	rc = capture_run(r->cap, on_read, on_tick, r, stop, poll, poll_fn ? on_poll : NULL, err, errlen);
	/* The last batch is handed over like the others, then the ring ends. */
	if (filling(r)->n > 0)
		publish(r);
	capture_ring_close(r);
	return rc;
}

void
capture_ring_close(struct capture_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->ended = true;
	pthread_cond_broadcast(&r->data);
	pthread_mutex_unlock(&r->mu);
}

struct capture_ring *
capture_ring_start(struct capture *c, capture_lane_fn lane, void *lane_arg, char *err, size_t errlen)
{
	struct capture_ring *r = ring_new(c, lane, lane_arg, 0);
	sigset_t all, old;
	int rc;

	capture_reader_owns(c, 1);
	/* Signals are for the caller's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&r->thread, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the capture thread (%s)", strerror(rc));
		capture_reader_owns(c, 0);
		capture_ring_free(r);
		return NULL;
	}
	return r;
}

int
capture_ring_get(struct capture_ring *r, uint64_t k, int wait_ms, struct capture_batch *b)
{
	struct timespec ts;
	int got;

	if (wait_ms > 0)
		capture_deadline(&ts, wait_ms);
	pthread_mutex_lock(&r->mu);
	while (k >= r->published && !r->ended && wait_ms != 0) {
		if (wait_ms < 0)
			pthread_cond_wait(&r->data, &r->mu);
		else if (pthread_cond_timedwait(&r->data, &r->mu, &ts) != 0)
			break;
	}
	if (k < r->published) {
		const struct slot *s = &r->slot[k % RING_SLOTS];

		b->buf = s->buf;
		b->toc = s->toc;
		b->n = s->n;
		b->extra = r->extra;
		got = 1;
	} else {
		got = r->ended ? -1 : 0;
	}
	pthread_mutex_unlock(&r->mu);
	return got;
}

void
capture_ring_release(struct capture_ring *r)
{
	pthread_mutex_lock(&r->mu);
	if (r->released < r->published)
		r->released++;
	pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->mu);
}

void
capture_ring_quit(struct capture_ring *r)
{
	__atomic_store_n(&r->quitting, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&r->mu);
	r->quit = true;
	pthread_cond_broadcast(&r->room);
	pthread_mutex_unlock(&r->mu);
}

int
capture_ring_end(struct capture_ring *r, char *err, size_t errlen)
{
	int rc;

	pthread_join(r->thread, NULL);
	rc = r->rc;
	if (rc < 0)
		snprintf(err, errlen, "%s", r->err);
	capture_reader_owns(r->cap, 0);
	capture_ring_free(r);
	return rc;
}

int
capture_run_threaded(struct capture *c, capture_pkt_fn pkt, capture_idle_fn idle, void *arg,
		     volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg),
		     char *err, size_t errlen)
{
	struct capture_ring *r;
	uint64_t k = 0;
	int rc = 0, ended;

	/* Before the reader starts: it reads the setting. */
	capture_pace_by_caller(c, 1);
	if ((r = capture_ring_start(c, NULL, NULL, err, errlen)) == NULL) {
		log_warn("%s; reading on one thread", err);
		capture_pace_by_caller(c, 0);
		return capture_run(c, pkt, idle, arg, stop, poll, poll_fn, err, errlen);
	}
	for (;;) {
		struct capture_batch b;
		uint32_t i;
		int got = capture_ring_get(r, k, (*stop || (*poll && poll_fn)) ? 0 : RING_WAIT_MS, &b);

		if (*stop) {
			rc = 1;
			break;
		}
		if (*poll && poll_fn)
			poll_fn(arg);
		if (got < 0)
			break;
		if (got == 0)
			continue;
		for (i = 0; i < b.n && !*stop; i++) {
			const struct capture_rec *h = capture_batch_rec(&b, i);

			if (h->dlt == CAPTURE_REC_TICK) {
				if (idle)
					idle(arg, h->ts_us);
				continue;
			}
			capture_pace(c, h->ts_us, stop);
			if (*stop)
				break;
			if (*poll && poll_fn)
				poll_fn(arg);
			pkt(arg, h->dlt, h->ts_us, capture_rec_data(&b, h), h->caplen, h->wirelen);
		}
		if (*stop) {
			rc = 1;
			break;
		}
		capture_ring_release(r);
		k++;
	}
	if (rc == 1)
		capture_ring_quit(r);
	ended = capture_ring_end(r, err, errlen);
	capture_pace_by_caller(c, 0);
	return rc == 1 ? 1 : ended;
}
