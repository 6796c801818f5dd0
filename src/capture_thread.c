/*
 * capture_thread.c - reading the input on a thread of its own (--threads 2).
 *
 * Reading a file costs about a quarter of a replay (the kernel's copy, libpcap's record parsing); on a
 * second core it overlaps with the pipeline, and on a live link the kernel's ring is emptied while the
 * pipeline works.  The reader runs capture_run as the single-threaded mode does into a small ring of
 * batches (a live link's idle ticks go in as records too, and end a batch so they are not held back); the caller's thread takes the batches in order, paces them (--pace), and
 * calls the packet callback for each record, so the pipeline sees exactly the packets, times and order it
 * sees without the thread, and events are identical.  Signals stay with the caller's thread: it checks the
 * stop and poll flags between records, and at least every RING_WAIT_MS while waiting; its pacing sleep
 * ends on a signal, so a stop is never held up by a reader that sleeps.
 *
 * The ring is bounded: RING_SLOTS batches of RING_BYTES each, so at most 2 MB are read ahead.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "log.h"

#define RING_SLOTS	4
#define RING_BYTES	(512u * 1024u)	/* a slot; more than the largest record (snaplen is at most 262144) */
#define RING_WAIT_MS	50

/* One packet in a batch: its header, then caplen bytes, padded to 8.  dlt -1: an idle tick at ts_us. */
struct rec {
	uint64_t ts_us;
	uint32_t caplen, wirelen;
	int32_t dlt;
	uint32_t pad;
};

#define REC_TICK	(-1)

struct slot {
	uint8_t *buf;
	uint32_t used;		/* bytes of records */
	uint32_t n;		/* records */
};

struct ring {
	struct capture *cap;
	struct slot slot[RING_SLOTS];
	uint32_t head, count;	/* full slots waiting: head is the oldest; under mu */
	uint32_t fill;		/* the slot the reader fills (not counted until published) */
	bool ended, quit;	/* under mu */
	int rc;			/* capture_run's result, once ended */
	char err[512];
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* a slot was published, freed, or the run ended or quits */
	volatile sig_atomic_t stop;	/* the reader's own stop flag, set only on its thread */
	int quitting;		/* atomic: the consumer quits; the reader stops at its next record */
};

static size_t
rec_size(uint32_t caplen)
{
	return (sizeof(struct rec) + caplen + 7u) & ~(size_t)7u;
}

/* Hand the slot being filled to the consumer; wait for a free one.  false when the consumer quits. */
static bool
publish(struct ring *r)
{
	bool quit;

	pthread_mutex_lock(&r->mu);
	r->count++;
	pthread_cond_broadcast(&r->cv);
	while (r->count == RING_SLOTS && !r->quit)
		pthread_cond_wait(&r->cv, &r->mu);
	r->fill = (r->head + r->count) % RING_SLOTS;
	quit = r->quit;
	pthread_mutex_unlock(&r->mu);
	r->slot[r->fill].used = 0;
	r->slot[r->fill].n = 0;
	return !quit;
}

/*
 * Room for a record of need bytes in the slot being filled (handing a full one over first), or NULL when
 * the reader is to stop: the consumer quits.
 */
static struct rec *
rec_room(struct ring *r, size_t need)
{
	struct slot *s = &r->slot[r->fill];

	if (r->stop)
		return NULL;
	if (__atomic_load_n(&r->quitting, __ATOMIC_RELAXED) ||
	    (s->used + need > RING_BYTES && !publish(r))) {
		r->stop = 1;
		return NULL;
	}
	s = &r->slot[r->fill];
	s->used += (uint32_t)need;
	s->n++;
	return (struct rec *)(void *)(s->buf + s->used - need);
}

static void
on_read(void *arg, int dlt, uint64_t ts_us, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen)
{
	struct ring *r = arg;
	struct rec *h;

	/* Cannot happen with libpcap's snaplen cap; keep the record's length honest if it ever does. */
	if (rec_size(caplen) > RING_BYTES)
		caplen = RING_BYTES - sizeof(*h);
	if ((h = rec_room(r, rec_size(caplen))) == NULL)
		return;
	h->ts_us = ts_us;
	h->caplen = caplen;
	h->wirelen = wirelen;
	h->dlt = dlt;
	h->pad = 0;
	memcpy(h + 1, pkt, caplen);
}

/* A live link was idle (or busy for a whole timeout): time goes on; hand the batch over now. */
static void
on_tick(void *arg, uint64_t now_us)
{
	struct ring *r = arg;
	struct rec *h;

	if ((h = rec_room(r, rec_size(0))) == NULL)
		return;
	memset(h, 0, sizeof(*h));
	h->ts_us = now_us;
	h->dlt = REC_TICK;
	capture_reader_drops(r->cap);
	if (!publish(r))
		r->stop = 1;
}

static void *
reader_main(void *arg)
{
	struct ring *r = arg;
	volatile sig_atomic_t never = 0;
	int rc;

	rc = capture_run(r->cap, on_read, on_tick, r, &r->stop, &never, NULL, r->err, sizeof(r->err));
	pthread_mutex_lock(&r->mu);
	if (r->slot[r->fill].n > 0 && !r->quit)
		r->count++;
	r->rc = rc;
	r->ended = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void
deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += (long)ms * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Stop the reader and wait for it. */
static void
reader_quit(struct ring *r, pthread_t t)
{
	__atomic_store_n(&r->quitting, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&r->mu);
	r->quit = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(t, NULL);
}

int
capture_run_threaded(struct capture *c, capture_pkt_fn pkt, capture_idle_fn idle, void *arg,
		     volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg),
		     char *err, size_t errlen)
{
	struct ring *r = xcalloc(1, sizeof(*r));
	sigset_t all, old;
	pthread_t t;
	int i, rc;

	r->cap = c;
	for (i = 0; i < RING_SLOTS; i++)
		r->slot[i].buf = xmalloc(RING_BYTES);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	capture_pace_by_caller(c, 1);
	capture_reader_owns(c, 1);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&t, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_warn("cannot start the capture thread (%s); reading on one thread", strerror(rc));
		capture_pace_by_caller(c, 0);
		capture_reader_owns(c, 0);
		rc = capture_run(c, pkt, idle, arg, stop, poll, poll_fn, err, errlen);
		goto out;
	}
	for (;;) {
		struct slot *s;
		uint32_t off, k;

		pthread_mutex_lock(&r->mu);
		while (r->count == 0 && !r->ended && !*stop && !(*poll && poll_fn)) {
			struct timespec ts;

			deadline(&ts, RING_WAIT_MS);
			pthread_cond_timedwait(&r->cv, &r->mu, &ts);
		}
		if (r->count == 0 && r->ended) {
			pthread_mutex_unlock(&r->mu);
			pthread_join(t, NULL);
			rc = r->rc;
			if (rc < 0)
				snprintf(err, errlen, "%s", r->err);
			break;
		}
		s = r->count ? &r->slot[r->head] : NULL;
		pthread_mutex_unlock(&r->mu);
		if (s == NULL) {
			/* Woken for a signal with nothing to read yet. */
			if (*stop) {
				reader_quit(r, t);
				rc = 1;
				break;
			}
			if (*poll && poll_fn)
				poll_fn(arg);
			continue;
		}
		for (off = 0, k = 0; k < s->n; k++) {
			const struct rec *h = (const struct rec *)(const void *)(s->buf + off);

			if (*stop)
				break;
			if (h->dlt == REC_TICK) {
				if (idle)
					idle(arg, h->ts_us);
				off += (uint32_t)rec_size(0);
				continue;
			}
			capture_pace(r->cap, h->ts_us, stop);
			if (*stop)
				break;
			if (*poll && poll_fn)
				poll_fn(arg);
			pkt(arg, h->dlt, h->ts_us, (const uint8_t *)(h + 1), h->caplen, h->wirelen);
			off += (uint32_t)rec_size(h->caplen);
		}
		if (*stop) {
			reader_quit(r, t);
			rc = 1;
			break;
		}
		pthread_mutex_lock(&r->mu);
		r->head = (r->head + 1) % RING_SLOTS;
		r->count--;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
	capture_pace_by_caller(c, 0);
	capture_reader_owns(c, 0);
out:
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	for (i = 0; i < RING_SLOTS; i++)
		free(r->slot[i].buf);
	free(r);
	return rc;
}
