/*
 * capture.h - packet sources: capture files (pcap or pcapng, several as one timeline, "-" for stdin) and
 * live interfaces.  The capture layer is the only place besides main that reads the wall clock: for pacing
 * a replay and for advancing time while a live link is idle.
 */
#ifndef DCDN_CAPTURE_H
#define DCDN_CAPTURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct capture;

struct capture_live_cfg {
	uint32_t snaplen;
	uint32_t buffer_mb;
	int promisc;
	uint32_t timeout_ms;
};

/* Called for each packet: link type, packet time (us), bytes, captured and wire length. */
typedef void (*capture_pkt_fn)(void *arg, int dlt, uint64_t ts_us, const uint8_t *pkt, uint32_t caplen,
			       uint32_t wirelen);
/* Called when a live link was idle for the read timeout, with the wall-clock time (us). */
typedef void (*capture_idle_fn)(void *arg, uint64_t now_us);

/*
 * Open every file now, so a missing or unreadable one is reported before any packet is read.  Files may be
 * gzip-compressed; one given twice is warned about.  bpf may be NULL.  On error returns NULL with "FILE:
 * reason" in err.  The files are read as one timeline merged by packet time.
 */
struct capture *capture_open_files(char *const *files, int nfiles, const char *bpf, char *err, size_t errlen);
/* Compile bpf for Ethernet, as -t checks it; 0, or -1 with "bad BPF filter '...': why" in err. */
int capture_filter_check(const char *bpf, char *err, size_t errlen);
/* Files: how far (ms) packet time may go back within one file before a warning names it (default 1000). */
void capture_set_time_tolerance(struct capture *c, uint32_t ms);
/*
 * Every every_ms of the wall clock while reading, set *alarm and *poll (so the poll function runs and can
 * see *alarm).  0 turns it off.
 */
void capture_set_alarm(struct capture *c, uint32_t every_ms, volatile sig_atomic_t *alarm,
		       volatile sig_atomic_t *poll);
/* Files: records read, those the filter passed, and the VLAN-tagged ones among those it did not. */
void capture_filter_counts(const struct capture *c, uint64_t *read, uint64_t *passed, uint64_t *vlan_rejected);
/* Open and activate a live interface. */
struct capture *capture_open_live(const char *iface, const struct capture_live_cfg *cfg, const char *bpf,
				  char *err, size_t errlen);
void capture_free(struct capture *c);

/* Replay files at their recorded speed times factor (0: as fast as possible). */
void capture_set_pace(struct capture *c, double factor);

/*
 * Read until the input ends or *stop becomes non-zero.  Returns 0 at the end of input, 1 when stopped, -1
 * on a live read error (err set).  A truncated file is warned about (naming the file) and reading goes on
 * with the next file.  *poll is checked between packets: when non-zero, poll_fn is called (signals).
 */
int capture_run(struct capture *c, capture_pkt_fn pkt, capture_idle_fn idle, void *arg,
		volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg),
		char *err, size_t errlen);

/*
 * capture_run with the reading on a thread of its own and the callbacks on the caller's, in the same
 * order: packets, and for a live interface the idle ticks (capture_thread.c).
 */
int capture_run_threaded(struct capture *c, capture_pkt_fn pkt, capture_idle_fn idle, void *arg,
			 volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg),
			 char *err, size_t errlen);
/*
 * The read-ahead ring under capture_run_threaded, and for callers that spread batches over threads
 * (shard.c).  capture_run reads into a few batches of records, on a reader thread (capture_ring_start) or
 * on the caller's (capture_ring_new, capture_ring_fill); batch k (0, 1, ... in reading order) stays
 * readable by any thread until it is released, oldest first.  Paced replay is not for the ring.
 */
struct capture_rec {
	uint64_t ts_us;
	uint32_t caplen, wirelen;
	int32_t dlt;		/* CAPTURE_REC_TICK: a live link's idle tick at ts_us, no bytes */
	uint32_t pad;
	/* the ring's extra bytes for the lane function follow, then caplen bytes, each padded to 8 */
};

#define CAPTURE_REC_TICK	(-1)

/*
 * A batch's table of contents, one entry per record: a thread that only wants some records reads these in
 * a row instead of every record's header.
 */
struct capture_toc {
	uint64_t ts_us;
	uint32_t off;		/* of the record in the batch */
	uint32_t wirelen;
	uint32_t lane;		/* the lane function's answer; CAPTURE_LANE_TICK for an idle tick */
};

#define CAPTURE_LANE_TICK	0xffffffffu

struct capture_batch {
	const uint8_t *buf;
	const struct capture_toc *toc;
	uint32_t n;		/* records */
	uint32_t extra;		/* bytes after each record's header, before its packet */
};

/*
 * Which lane a packet is for (not CAPTURE_LANE_TICK); run on the reading thread on the packet's copy in
 * the ring, which lives as long as the batch.  extra is the record's room for what the lane function learned
 * (the ring's extra bytes, aligned to 8), for the thread that takes the packet.
 */
typedef unsigned (*capture_lane_fn)(void *arg, int dlt, const uint8_t *pkt, uint32_t caplen,
				    uint32_t wirelen, void *extra);

struct capture_ring;

/* Batches read ahead at most: batch k is not read before batch k - CAPTURE_RING_SLOTS is released. */
#define CAPTURE_RING_SLOTS	16

/* Start the reader thread; NULL (err set) if it cannot start.  lane may be NULL (every packet lane 0). */
struct capture_ring *capture_ring_start(struct capture *c, capture_lane_fn lane, void *lane_arg, char *err,
					size_t errlen);
/*
 * Batch k, waiting for it at most wait_ms (-1: as long as it takes).  1: *b is set; 0: not yet; -1: the
 * input ended (or reading was stopped) before batch k.
 */
int capture_ring_get(struct capture_ring *r, uint64_t k, int wait_ms, struct capture_batch *b);
/* The oldest unreleased batch is done with; its room goes back to the reader. */
void capture_ring_release(struct capture_ring *r);
/* Stop reading: batches already read stay readable, no new ones come. */
void capture_ring_quit(struct capture_ring *r);
/* Wait for the reader, free the ring; capture_run's result (err set when it is -1). */
int capture_ring_end(struct capture_ring *r, char *err, size_t errlen);

/*
 * A ring read into on the caller's thread instead (shard.c).  Each batch, once other threads can get it,
 * is announced to handed(arg, k) on the caller's thread, which must release batches until fewer than
 * CAPTURE_RING_SLOTS are unreleased.  capture_ring_fill runs capture_run (with the caller's stop, and
 * poll_fn(poll_arg) when *poll is set) into the ring, hands the last batch over and ends the ring;
 * capture_run's result.
 */
typedef void (*capture_handed_fn)(void *arg, uint64_t k);
struct capture_ring *capture_ring_new(struct capture *c, capture_lane_fn lane, void *lane_arg, size_t extra,
				      capture_handed_fn handed, void *arg);
int capture_ring_fill(struct capture_ring *r, volatile sig_atomic_t *stop, volatile sig_atomic_t *poll,
		      void (*poll_fn)(void *arg), void *poll_arg, char *err, size_t errlen);
/* No more batches: for a ring that is not to be filled after all. */
void capture_ring_close(struct capture_ring *r);
void capture_ring_free(struct capture_ring *r);
/* The wall-clock time ms from now, for pthread_cond_timedwait. */
void capture_deadline(struct timespec *ts, int ms);

/* Record i of a batch, what the lane function left with it, and its packet. */
static inline const struct capture_rec *
capture_batch_rec(const struct capture_batch *b, uint32_t i)
{
	return (const struct capture_rec *)(const void *)(b->buf + b->toc[i].off);
}

static inline const void *
capture_rec_extra(const struct capture_rec *h)
{
	return h + 1;
}

static inline const uint8_t *
capture_rec_data(const struct capture_batch *b, const struct capture_rec *h)
{
	return (const uint8_t *)(h + 1) + b->extra;
}

/*
 * While a reader thread owns a live handle (on), capture_drops answers from the counters the reader
 * last read with capture_reader_drops, which only the reader calls: libpcap handles are not shared.
 */
void capture_reader_owns(struct capture *c, int on);
void capture_reader_drops(struct capture *c);

/*
 * Pacing done by the caller instead of capture_run (on): capture_pace then sleeps until a packet's
 * recorded time is due, and returns early on a signal or once *stop is set.  For capture_run_threaded, so a stop signal never
 * waits for a sleeping reader.
 */
void capture_pace_by_caller(struct capture *c, int on);
void capture_pace(struct capture *c, uint64_t ts_us, volatile sig_atomic_t *stop);

/* Kernel and interface drops of a live capture so far (0 for files). */
void capture_drops(struct capture *c, uint64_t *kernel, uint64_t *ifdrop);
int capture_is_live(const struct capture *c);
/* Link type of the first source, for messages. */
int capture_datalink(const struct capture *c);

#endif
