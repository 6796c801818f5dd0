/*
 * capture.c - libpcap sources.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pcap/pcap.h>

#include "capture.h"
#include "decode.h"
#include "log.h"

struct source {
	char *name;
	pcap_t *p;
	int dlt;
	char *iobuf;	/* the file's stdio buffer, freed after pcap_close */
};

/*
 * stdio's own buffer for a file is one block (4 KB), so a replay made one read(2) per 4 KB: 86,000 system
 * calls for a 350 MB capture.  32 KB makes them 11,000 and took the kernel's share of a run from 14% to 9%
 * (perf); 256 KB was worse than 4 KB, the kernel's copy then missing the caches.
 */
#define FILE_IOBUF	(32u * 1024u)

struct capture {
	struct source *src;
	int n;
	int live;
	int timeout_ms;
	double pace;
	uint64_t pace_first_ts, pace_first_wall;
	int pace_started;
	int pace_by_caller;	/* capture_run_threaded paces on the caller's thread, not the reader's */
	int reader_owns;	/* atomic: a reader thread uses the live handle; drops come from it */
	uint64_t kdrops, ifdrops;	/* atomic: the reader's last reading */
	uint64_t drops_base_kernel;
};

static uint64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int
set_filter(pcap_t *p, const char *name, const char *bpf, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (bpf == NULL || *bpf == '\0')
		return 0;
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "bad BPF filter '%s': %s", bpf, pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		snprintf(err, errlen, "%s: cannot set BPF filter: %s", name, pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static int
check_link(pcap_t *p, const char *name, int *dlt, char *err, size_t errlen)
{
	*dlt = pcap_datalink(p);
	if (!decode_link_supported(*dlt)) {
		const char *dn = pcap_datalink_val_to_name(*dlt);

		snprintf(err, errlen, "%s: unsupported link type %d (%s); supported: Ethernet, Linux cooked v1/v2,"
		    " raw IP, NULL/loopback, PPP, Cisco HDLC", name, *dlt, dn ? dn : "unknown");
		return -1;
	}
	return 0;
}

/* libpcap on a FILE of ours, with a buffer of ours; on error perr says why (without the file's name). */
static int
open_file(struct source *s, const char *path, char *perr)
{
	/* Standard input outlives its pcap handle (libpcap does not close it): its buffer lives as long. */
	static char stdin_buf[FILE_IOBUF];
	FILE *fp;

	if (strcmp(path, "-") == 0) {
		fp = stdin;
		setvbuf(fp, stdin_buf, _IOFBF, sizeof(stdin_buf));
	} else {
		if ((fp = fopen(path, "rb")) == NULL) {
			snprintf(perr, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
			return -1;
		}
		s->iobuf = xmalloc(FILE_IOBUF);
		setvbuf(fp, s->iobuf, _IOFBF, FILE_IOBUF);
	}
	s->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (s->p == NULL) {
		/* libpcap says "unknown file format" for a file that is not a capture. */
		if (fp != stdin)
			fclose(fp);
		free(s->iobuf);
		s->iobuf = NULL;
		return -1;
	}
	return 0;
}

struct capture *
capture_open_files(char *const *files, int nfiles, const char *bpf, char *err, size_t errlen)
{
	struct capture *c = xcalloc(1, sizeof(*c));
	int i;

	c->src = xcalloc((size_t)nfiles, sizeof(*c->src));
	for (i = 0; i < nfiles; i++) {
		char perr[PCAP_ERRBUF_SIZE];
		struct source *s = &c->src[i];

		s->name = xstrdup(strcmp(files[i], "-") == 0 ? "(stdin)" : files[i]);
		c->n = i + 1;
		if (open_file(s, files[i], perr) != 0) {
			snprintf(err, errlen, "%s: cannot read capture: %s", s->name, perr);
			capture_free(c);
			return NULL;
		}
		if (check_link(s->p, s->name, &s->dlt, err, errlen) != 0 ||
		    set_filter(s->p, s->name, bpf, err, errlen) != 0) {
			capture_free(c);
			return NULL;
		}
	}
	return c;
}

struct capture *
capture_open_live(const char *iface, const struct capture_live_cfg *cfg, const char *bpf, char *err,
		  size_t errlen)
{
	struct capture *c = xcalloc(1, sizeof(*c));
	char perr[PCAP_ERRBUF_SIZE];
	struct source *s;
	int rc;

	c->src = xcalloc(1, sizeof(*c->src));
	c->n = 1;
	c->live = 1;
	c->timeout_ms = (int)cfg->timeout_ms;
	s = &c->src[0];
	s->name = xstrdup(iface);
	if ((s->p = pcap_create(iface, perr)) == NULL) {
		snprintf(err, errlen, "%s: %s", iface, perr);
		capture_free(c);
		return NULL;
	}
	pcap_set_snaplen(s->p, (int)cfg->snaplen);
	pcap_set_promisc(s->p, cfg->promisc);
	pcap_set_timeout(s->p, (int)cfg->timeout_ms);
	{
		uint64_t bytes = (uint64_t)cfg->buffer_mb * 1024u * 1024u;

		pcap_set_buffer_size(s->p, bytes > INT32_MAX ? INT32_MAX : (int)bytes);
	}
	rc = pcap_activate(s->p);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot capture: %s", iface,
		    rc == PCAP_ERROR ? pcap_geterr(s->p) : pcap_statustostr(rc));
		capture_free(c);
		return NULL;
	}
	if (rc > 0)
		log_warn("%s: %s", iface, pcap_statustostr(rc));
	if (check_link(s->p, iface, &s->dlt, err, errlen) != 0 || set_filter(s->p, iface, bpf, err, errlen) != 0) {
		capture_free(c);
		return NULL;
	}
	return c;
}

void
capture_free(struct capture *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->src[i].p)
			pcap_close(c->src[i].p);
		free(c->src[i].iobuf);
		free(c->src[i].name);
	}
	free(c->src);
	free(c);
}

void
capture_set_pace(struct capture *c, double factor)
{
	c->pace = factor;
}

int
capture_is_live(const struct capture *c)
{
	return c->live;
}

int
capture_datalink(const struct capture *c)
{
	return c->n ? c->src[0].dlt : -1;
}

void
capture_drops(struct capture *c, uint64_t *kernel, uint64_t *ifdrop)
{
	struct pcap_stat ps;

	*kernel = *ifdrop = 0;
	if (!c->live)
		return;
	if (__atomic_load_n(&c->reader_owns, __ATOMIC_ACQUIRE)) {
		/* libpcap's handle is the reader thread's: its last reading of the counters. */
		*kernel = __atomic_load_n(&c->kdrops, __ATOMIC_RELAXED);
		*ifdrop = __atomic_load_n(&c->ifdrops, __ATOMIC_RELAXED);
		return;
	}
	if (pcap_stats(c->src[0].p, &ps) != 0)
		return;
	*kernel = ps.ps_drop;
	*ifdrop = ps.ps_ifdrop;
}

void
capture_reader_owns(struct capture *c, int on)
{
	if (on)
		capture_reader_drops(c);
	__atomic_store_n(&c->reader_owns, on, __ATOMIC_RELEASE);
}

void
capture_reader_drops(struct capture *c)
{
	struct pcap_stat ps;

	if (!c->live || pcap_stats(c->src[0].p, &ps) != 0)
		return;
	__atomic_store_n(&c->kdrops, (uint64_t)ps.ps_drop, __ATOMIC_RELAXED);
	__atomic_store_n(&c->ifdrops, (uint64_t)ps.ps_ifdrop, __ATOMIC_RELAXED);
}

#define PACE_SLICE_US	100000	/* a stop that came just before a pacing sleep waits at most this long */

/*
 * Sleep until the recorded time of this packet, scaled by the pace factor, has come; in slices, and no
 * further once *stop is set or a signal ended a slice (the caller serves it).
 */
static void
pace_wait(struct capture *c, uint64_t ts_us, volatile sig_atomic_t *stop)
{
	uint64_t due, now;

	if (c->pace <= 0)
		return;
	if (!c->pace_started) {
		c->pace_started = 1;
		c->pace_first_ts = ts_us;
		c->pace_first_wall = mono_us();
		return;
	}
	if (ts_us <= c->pace_first_ts)
		return;
	due = c->pace_first_wall + (uint64_t)((double)(ts_us - c->pace_first_ts) / c->pace);
	while (!*stop && (now = mono_us()) < due) {
		uint64_t left = due - now < PACE_SLICE_US ? due - now : PACE_SLICE_US;
		struct timespec d = { (time_t)(left / 1000000u), (long)(left % 1000000u) * 1000 };

		if (nanosleep(&d, NULL) != 0)
			break;
	}
}

void
capture_pace_by_caller(struct capture *c, int on)
{
	c->pace_by_caller = on;
}

void
capture_pace(struct capture *c, uint64_t ts_us, volatile sig_atomic_t *stop)
{
	pace_wait(c, ts_us, stop);
}

struct live_cb {
	struct capture *c;
	struct source *s;
	capture_pkt_fn pkt;
	void *arg;
};

static void
live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct live_cb *lc = (struct live_cb *)(void *)user;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;

	lc->pkt(lc->arg, lc->s->dlt, ts, data, h->caplen, h->len);
}

/*
 * Live: non-blocking reads, and poll(2) with the read timeout in between, so time advances, signals are
 * served and buffered events are flushed while the link is idle (a blocking read may wait for ever).
 */
static int
run_live(struct capture *c, struct source *s, capture_pkt_fn pkt, capture_idle_fn idle, void *arg,
	 volatile sig_atomic_t *stop, volatile sig_atomic_t *poll_flag, void (*poll_fn)(void *arg), char *err,
	 size_t errlen, int timeout_ms)
{
	struct live_cb lc = { c, s, pkt, arg };
	char perr[PCAP_ERRBUF_SIZE];
	int fd, n;
	uint64_t last_idle = wall_us();

	if (pcap_setnonblock(s->p, 1, perr) != 0 || (fd = pcap_get_selectable_fd(s->p)) < 0) {
		snprintf(err, errlen, "%s: cannot read without blocking: %s", s->name, perr);
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (*stop)
			return 1;
		if (*poll_flag && poll_fn)
			poll_fn(arg);
		n = pcap_dispatch(s->p, 512, live_packet, (u_char *)(void *)&lc);
		if (n < 0) {
			if (n == PCAP_ERROR_BREAK)
				return 1;
			snprintf(err, errlen, "%s: read error: %s", s->name, pcap_geterr(s->p));
			return -1;
		}
		if (n > 0 && wall_us() < last_idle + (uint64_t)timeout_ms * 1000u)
			continue;
		/* Idle, or busy for a whole timeout: let time advance on the wall clock either way. */
		last_idle = wall_us();
		if (idle)
			idle(arg, last_idle);
		if (n == 0 && poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR) {
			snprintf(err, errlen, "%s: poll: %s", s->name, strerror(errno));
			return -1;
		}
	}
}

static int
run_source(struct capture *c, struct source *s, capture_pkt_fn pkt, capture_idle_fn idle, void *arg,
	   volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg), char *err,
	   size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	for (;;) {
		if (*stop)
			return 1;
		if (*poll && poll_fn)
			poll_fn(arg);
		rc = pcap_next_ex(s->p, &h, &data);
		if (rc == 1) {
			uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;

			if (!c->pace_by_caller)
				pace_wait(c, ts, stop);
			pkt(arg, s->dlt, ts, data, h->caplen, h->len);
			continue;
		}
		if (rc == 0) {	/* live read timeout: time goes on without packets */
			if (idle)
				idle(arg, wall_us());
			continue;
		}
		if (rc == PCAP_ERROR_BREAK)
			return c->live ? 1 : 0;
		if (c->live) {
			snprintf(err, errlen, "%s: read error: %s", s->name, pcap_geterr(s->p));
			return -1;
		}
		/* A file that ends mid-record: keep what was read and go on. */
		log_warn("%s: capture is truncated or damaged (%s); processed what could be read", s->name,
		    pcap_geterr(s->p));
		return 0;
	}
}

int
capture_run(struct capture *c, capture_pkt_fn pkt, capture_idle_fn idle, void *arg,
	    volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg), char *err,
	    size_t errlen)
{
	int i, rc;

	if (c->live)
		return run_live(c, &c->src[0], pkt, idle, arg, stop, poll, poll_fn, err, errlen, c->timeout_ms);
	for (i = 0; i < c->n; i++) {
		rc = run_source(c, &c->src[i], pkt, idle, arg, stop, poll, poll_fn, err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}
