/*
 * hosts.h - per-host windows and baselines of the home network.
 *
 * Every home-net host has time buckets (host.bucket seconds of packet time each): bytes and packets each
 * way, flows it initiated and accepted, distinct remote peers each way and distinct local ports that
 * accepted (sketches: exact while small, nDPI HyperLogLog registers past that), inbound TLS and
 * unclassified flows.  The short window is the last host.window closed buckets.  Each closed bucket then
 * feeds the host's baseline, an exponentially weighted mean and variance per metric, and its group's (a
 * /24 or /64 in one VLAN or VNI).
 *
 * Memory follows activity: a host keeps only the buckets of its window in which it did something, and a
 * sketch only the hashes it was given: here a host that sent one query costs its struct host and one bucket,
 * and an idle one its struct host alone (dcdnwatch(8) has the figures with the detectors' state).
 */
#ifndef DCDN_HOSTS_H
#define DCDN_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sketch.h"

#define HOST_WIN_MAX	60	/* upper bound of host.window */

/*
 * One bucket of one host: counters that add up and sketches that merge, so the parts of one bucket seen
 * apart (by several sensors) make the bucket of the whole with bucket_merge.
 */
struct bucket {
	uint64_t bno;				/* its number in the table's count of closed buckets */
	uint64_t bytes_in, bytes_out;		/* wire bytes received and sent */
	uint64_t bytes_srv_out, bytes_srv_in;	/* of those, on flows it accepted from outside */
	uint32_t pkts_in, pkts_out;
	uint32_t flows_init, flows_acc;		/* flows it started, flows it accepted */
	uint32_t flows_acc_out;			/* accepted from outside the home net */
	uint32_t tls_in, unknown_in;		/* accepted outside flows by label */
	struct sketch peers_in;			/* outside peers it accepted flows from */
	struct sketch peers_out;		/* remote peers it started flows to */
	struct sketch ports_in;			/* local ports that accepted outside flows */
};

/* Add src's counters to dst's and merge its sketches into dst's (bno is left alone). */
void bucket_merge(struct bucket *dst, const struct bucket *src);
/* Free what a bucket's sketches hold; the bucket is then empty but for its number. */
void bucket_clear(struct bucket *b);
/*
 * Encoding, to carry a bucket to another process: its number and counters as big-endian integers in the
 * order of struct bucket, then its three sketches (sketch_encode).  bucket_encode returns the bytes
 * written, 0 if len is too short; bucket_decode fills b and returns 0, or -1 for a malformed or
 * truncated encoding (b then empty).
 */
#define BUCKET_ENCODED_MAX	(8 + 4 * 8 + 7 * 4 + 3 * SKETCH_ENCODED_MAX)
size_t bucket_encode(const struct bucket *b, uint8_t *buf, size_t len);
int bucket_decode(struct bucket *b, const uint8_t *buf, size_t len);

/* Window totals over the last host.window closed buckets. */
struct window {
	uint64_t bytes_in, bytes_out, bytes_srv_out, bytes_srv_in;
	uint32_t flows_init, flows_acc, flows_acc_out, tls_in, unknown_in;
	uint32_t peers_in, peers_out, ports_in;	/* distinct, estimated */
	uint32_t buckets;			/* buckets in it (fewer for a young host) */
};

/* Exponentially weighted mean and variance of one per-bucket metric. */
struct ewma {
	double mean, var;
	uint32_t n;
};

enum host_metric { HM_BYTES_OUT, HM_FLOWS_ACC_OUT, HM_PEERS_IN, HM__COUNT };

struct host {
	struct host *hnext;
	struct host *prev, *next;	/* least recently seen first */
	uint8_t ipver;
	uint8_t addr[16];
	uint32_t zone;			/* VNI | tunnel type << 24, or the outer VLAN id, or 0 */
	uint64_t first_us, last_us;
	uint8_t known;			/* active during the learning period */
	uint8_t served;			/* has accepted outside flows while learning or in a past window */
	uint8_t family;			/* strongest signature family seen on it (enum family) */
	uint8_t family_score;		/* how strong: role and confidence, 0..100 */
	uint8_t save_pending;		/* state changed since it was last saved to the store */
	uint8_t nbk, capbk;		/* buckets held, room for them */
	uint32_t filled;		/* closed buckets so far, up to the window */
	uint64_t bno;			/* bucket number of the open bucket (catches up when idle) */
	uint64_t last_bno;		/* bucket number when last seen */
	struct bucket *bk;		/* the open and window buckets it did something in, oldest first */
	struct ewma bl[HM__COUNT];	/* own baseline */
	uint64_t early_next_us;		/* next time node_profile may judge the open window */
	struct group *group;		/* its group (counted in group->refs) */
	void *beacon;			/* detector state, owned by those detectors */
	void *relay;
};

struct group {
	struct group *hnext;
	uint8_t ipver;
	uint8_t prefix[16];
	uint32_t zone;
	struct ewma bl[HM__COUNT];	/* per-host per-bucket values of its members */
	uint32_t members;
	uint32_t serving_members;	/* members that accepted outside peers while learning */
	uint32_t refs;			/* hosts in the table that belong to it; freed at 0 */
};

struct hosts_cfg {
	uint32_t max_hosts;
	uint32_t window;		/* buckets */
	uint32_t group_v4_bits, group_v6_bits;
	double alpha;			/* EWMA weight of a new bucket */
	/* Called before a host is dropped to make room, so detectors free their state. */
	void (*on_drop)(void *arg, struct host *hs);
	void *on_drop_arg;
};

struct hosts;

struct hosts *hosts_new(const struct hosts_cfg *cfg);
void hosts_free(struct hosts *h);

/* Find or create a host (NULL never: the least recently seen is dropped when full). */
struct host *hosts_get(struct hosts *h, int ipver, const uint8_t *addr, uint32_t zone, uint64_t now_us,
		       bool *created);
struct host *hosts_find(struct hosts *h, int ipver, const uint8_t *addr, uint32_t zone);
/*
 * The open bucket of a host, to add to: made when the host first does something in it.  The pointer is
 * good until the next call for the same host or the next bucket close.
 */
struct bucket *host_bucket(struct hosts *h, struct host *hs);

/*
 * Close the open bucket of every host seen within the window: sum the window, call fn for each host with it
 * so detectors can judge it against the baseline as it stood, then fold the bucket into the host's and its
 * group's baselines and open a new bucket.  Hosts idle for longer are skipped and caught up (their empty
 * buckets folded in) when they are next seen, so a bucket's cost is that of the active hosts.  fn's b is
 * the bucket being closed: an empty one (all zero) for a host that did nothing in it.
 */
typedef void (*hosts_close_fn)(void *arg, struct host *hs, const struct window *w, const struct bucket *b);
void hosts_close_bucket(struct hosts *h, hosts_close_fn fn, void *arg);

/* Sum the current window of one host (closed buckets only). */
void host_window(const struct hosts *h, const struct host *hs, struct window *w);
/* The window ending now: the open bucket and the window - 1 closed buckets before it. */
void host_window_open(struct hosts *h, struct host *hs, struct window *w);
struct group *host_group(struct hosts *h, const struct host *hs);
/* Every host, least recently seen first. */
void hosts_foreach(struct hosts *h, void (*fn)(void *arg, struct host *hs), void *arg);
uint32_t hosts_count(const struct hosts *h);
uint64_t hosts_dropped(const struct hosts *h);
uint32_t hosts_groups(const struct hosts *h);
/* Bytes a host's buckets and their sketches take besides its struct host (for tests and sizing). */
size_t host_bucket_bytes(const struct host *hs);

/* EWMA arithmetic, exposed for the unit tests. */
void ewma_update(struct ewma *e, double x, double alpha);
double ewma_sd(const struct ewma *e);

#endif
