/*
 * capture.c - libpcap sources: live interfaces, and capture files merged into one timeline by packet time
 * (as mergecap merges them), gzip-compressed or not.
 */
#include "config.h"

#define _GNU_SOURCE 1	/* fopencookie */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <pcap/pcap.h>
#include <zlib.h>

#include "capture.h"
#include "decode.h"
#include "log.h"
#include <inttypes.h>

struct source {
	char *name;
	pcap_t *p;
	int dlt;
	char *iobuf;	/* the file's stdio buffer, freed after pcap_close */
	/* Files: the filter applied here (so what it rejects can be counted), the packet waiting its turn. */
	struct bpf_program prog;
	bool has_prog;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t ts, last_ts;
	uint64_t records, back, back_max_us;
	bool done;
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
	uint64_t tolerance_us;	/* time going back further than this within a file is warned about */
	uint64_t read, passed, vlan_rejected;	/* files: records, those the filter passed, tagged ones it did not */
	/* The wall-clock alarm: every alarm_ms, *alarm and *alarm_poll are set (the caller's poll serves it). */
	uint64_t alarm_us, alarm_next;
	volatile sig_atomic_t *alarm, *alarm_poll;
	uint32_t alarm_count;
	int *heap;		/* files: indices of the sources with a packet waiting, earliest first */
	int nheap;
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

/* Compile the filter for a file's link type; the packets are filtered as they are read. */
static int
compile_filter(struct source *s, const char *bpf, char *err, size_t errlen)
{
	if (bpf == NULL || *bpf == '\0')
		return 0;
	if (pcap_compile(s->p, &s->prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "bad BPF filter '%s': %s", bpf, pcap_geterr(s->p));
		return -1;
	}
	s->has_prog = true;
	return 0;
}

int
capture_filter_check(const char *bpf, char *err, size_t errlen)
{
	struct bpf_program prog;
	pcap_t *p;
	int rc = 0;

	if (bpf == NULL || *bpf == '\0')
		return 0;
	if ((p = pcap_open_dead(DLT_EN10MB, 262144)) == NULL) {
		snprintf(err, errlen, "cannot check the BPF filter: out of memory");
		return -1;
	}
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "bad BPF filter '%s': %s", bpf, pcap_geterr(p));
		rc = -1;
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(p);
	return rc;
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

/*
 * A gzip-compressed capture (.pcap.gz, .pcapng.gz, as archives keep them) is read through zlib: a stdio
 * stream whose reads inflate the file, so libpcap reads it like any other.  Members written one after the
 * other (cat a.gz b.gz) are read one after the other, as gzip -d reads them.
 */
#define GZ_INBUF	(64u * 1024u)

struct gz {
	FILE *in;		/* the compressed bytes; closed with the stream unless it is stdin */
	z_stream z;
	unsigned char *buf;
	bool eof, bad;
};

static ssize_t
gz_read(void *cookie, char *out, size_t len)
{
	struct gz *g = cookie;
	size_t got = 0;

	while (got < len && !g->bad) {
		int zr;

		if (g->z.avail_in == 0 && !g->eof) {
			size_t n = fread(g->buf, 1, GZ_INBUF, g->in);

			if (n == 0) {
				g->eof = true;
				if (ferror(g->in)) {
					g->bad = true;
					break;
				}
			}
			g->z.next_in = g->buf;
			g->z.avail_in = (uInt)n;
		}
		if (g->z.avail_in == 0 && g->eof)
			break;
		g->z.next_out = (unsigned char *)out + got;
		g->z.avail_out = (uInt)(len - got > (1u << 30) ? (1u << 30) : len - got);
		zr = inflate(&g->z, Z_NO_FLUSH);
		got = (size_t)((char *)g->z.next_out - out);
		if (zr == Z_STREAM_END) {
			inflateReset(&g->z);	/* another member may follow */
		} else if (zr == Z_BUF_ERROR && g->eof) {
			break;			/* cut short: libpcap reports a truncated file */
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			g->bad = true;
		}
	}
	if (got == 0 && g->bad) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)got;
}

static int
gz_close(void *cookie)
{
	struct gz *g = cookie;

	inflateEnd(&g->z);
	if (g->in != stdin)
		fclose(g->in);
	free(g->buf);
	free(g);
	return 0;
}

static FILE *
gz_open(FILE *in)
{
	static const cookie_io_functions_t io = { gz_read, NULL, NULL, gz_close };
	struct gz *g = xcalloc(1, sizeof(*g));
	FILE *fp;

	g->in = in;
	g->buf = xmalloc(GZ_INBUF);
	/* 15 + 16: a gzip header, not a bare zlib stream. */
	if (inflateInit2(&g->z, 15 + 16) != Z_OK) {
		free(g->buf);
		free(g);
		return NULL;
	}
	if ((fp = fopencookie(g, "rb", io)) == NULL)
		gz_close(g);
	return fp;
}

/* libpcap on a FILE of ours, with a buffer of ours; on error perr says why (without the file's name). */
static int
open_file(struct source *s, const char *path, char *perr)
{
	/* Standard input outlives its pcap handle (libpcap does not close it): its buffer lives as long. */
	static char stdin_buf[FILE_IOBUF];
	FILE *fp, *raw;
	struct stat st;
	int c;

	if (strcmp(path, "-") == 0) {
		fp = stdin;
		setvbuf(fp, stdin_buf, _IOFBF, sizeof(stdin_buf));
	} else {
		/* A directory opens for reading, and then fails to read with a message that says less. */
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(perr, PCAP_ERRBUF_SIZE, "is a directory");
			return -1;
		}
		if ((fp = fopen(path, "rb")) == NULL) {
			snprintf(perr, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
			return -1;
		}
		s->iobuf = xmalloc(FILE_IOBUF);
		setvbuf(fp, s->iobuf, _IOFBF, FILE_IOBUF);
	}
	/* gzip's first byte (0x1f) starts no pcap or pcapng file. */
	raw = fp;
	if ((c = getc(fp)) == 0x1f) {
		ungetc(c, fp);
		if ((fp = gz_open(raw)) == NULL) {
			snprintf(perr, PCAP_ERRBUF_SIZE, "cannot start decompressing");
			if (raw != stdin)
				fclose(raw);
			free(s->iobuf);
			s->iobuf = NULL;
			return -1;
		}
	} else if (c != EOF) {
		ungetc(c, fp);
	}
	s->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (s->p == NULL) {
		/* libpcap says "unknown file format" for a file that is not a capture. */
		if (fp != raw)
			snprintf(perr + strlen(perr), PCAP_ERRBUF_SIZE - strlen(perr), " (after gzip decompression)");
		if (fp != stdin)
			fclose(fp);
		/* the stdio buffer belongs to the compressed stream, which the cookie closed with it */
		free(s->iobuf);
		s->iobuf = NULL;
		return -1;
	}
	return 0;
}

/*
 * The same file given twice counts every packet twice: worth a word, though it is allowed (a test may
 * want a longer timeline).  Files are told apart by device and inode, so two names of one file are one.
 */
struct file_id {
	dev_t dev;
	ino_t ino;
	int idx;
};

static int
file_id_cmp(const void *x, const void *y)
{
	const struct file_id *a = x, *b = y;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return a->idx - b->idx;
}

static void
check_twice(char *const *files, int nfiles)
{
	struct file_id *ids = xcalloc((size_t)nfiles, sizeof(*ids));
	int i, n = 0, nstdin = 0;
	struct stat st;

	for (i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0)
			nstdin++;
		else if (stat(files[i], &st) == 0) {
			ids[n].dev = st.st_dev;
			ids[n].ino = st.st_ino;
			ids[n++].idx = i;
		}
	}
	if (nstdin > 1)
		log_warn("standard input given %d times: all but the first read nothing", nstdin);
	qsort(ids, (size_t)n, sizeof(*ids), file_id_cmp);
	for (i = 0; i < n; ) {
		int j = i + 1;

		while (j < n && ids[j].dev == ids[i].dev && ids[j].ino == ids[i].ino)
			j++;
		if (j - i > 1)
			log_warn("%s: given %d times (also as -r %s): its packets count %d times", files[ids[i].idx],
			    j - i, files[ids[i + 1].idx], j - i);
		i = j;
	}
	free(ids);
}

struct capture *
capture_open_files(char *const *files, int nfiles, const char *bpf, char *err, size_t errlen)
{
	struct capture *c;
	int i;

	check_twice(files, nfiles);
	c = xcalloc(1, sizeof(*c));
	c->src = xcalloc((size_t)nfiles, sizeof(*c->src));
	c->heap = xcalloc((size_t)nfiles, sizeof(*c->heap));
	c->tolerance_us = 1000000u;
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
		    compile_filter(s, bpf, err, errlen) != 0) {
			capture_free(c);
			return NULL;
		}
	}
	return c;
}

void
capture_set_time_tolerance(struct capture *c, uint32_t ms)
{
	c->tolerance_us = (uint64_t)ms * 1000u;
}

void
capture_set_alarm(struct capture *c, uint32_t every_ms, volatile sig_atomic_t *alarm,
		  volatile sig_atomic_t *poll)
{
	c->alarm_us = (uint64_t)every_ms * 1000u;
	c->alarm = alarm;
	c->alarm_poll = poll;
	c->alarm_next = 0;
}

void
capture_filter_counts(const struct capture *c, uint64_t *read, uint64_t *passed, uint64_t *vlan_rejected)
{
	*read = c->read;
	*passed = c->passed;
	*vlan_rejected = c->vlan_rejected;
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
		if (c->src[i].has_prog)
			pcap_freecode(&c->src[i].prog);
		if (c->src[i].p)
			pcap_close(c->src[i].p);
		free(c->src[i].iobuf);
		free(c->src[i].name);
	}
	free(c->src);
	free(c->heap);
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

static void alarm_tick(struct capture *c);

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
		alarm_tick(c);
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

/* The wall-clock alarm is due: the caller's poll function hears of it. */
static void
alarm_tick(struct capture *c)
{
	uint64_t now;

	if (c->alarm_us == 0)
		return;
	now = mono_us();
	if (c->alarm_next == 0) {
		c->alarm_next = now + c->alarm_us;
	} else if (now >= c->alarm_next) {
		c->alarm_next = now + c->alarm_us;
		*c->alarm = 1;
		*c->alarm_poll = 1;
	}
}

/* Files: the clock is read every 256 records, as a read per packet would cost. */
static void
check_alarm(struct capture *c)
{
	if (c->alarm_us && (++c->alarm_count & 255u) == 0)
		alarm_tick(c);
}

/* An 802.1Q or 802.1ad tag right after the Ethernet addresses (what `vlan` in a filter is for). */
static bool
vlan_tagged(int dlt, const u_char *data, uint32_t caplen)
{
	return dlt == DLT_EN10MB && caplen >= 14 &&
	    ((data[12] == 0x81 && data[13] == 0x00) || (data[12] == 0x88 && data[13] == 0xa8) ||
	    (data[12] == 0x91 && data[13] == 0x00));
}

static void
warn_back(const struct source *s, uint64_t from, uint64_t to)
{
	log_warn("%s: packet time goes back %.3f s at record %" PRIu64 " (more than capture.time_tolerance_ms);"
	    " the file's order is kept", s->name, (double)(from - to) / 1e6, s->records);
}

/*
 * The next packet of a file that the filter passes, into s->h, s->data and s->ts; s->done at its end.
 * 0, or 1 when *stop was set meanwhile.
 */
static int
source_next(struct capture *c, struct source *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *poll,
	    void (*poll_fn)(void *arg), void *arg)
{
	for (;;) {
		int rc;

		if (*stop)
			return 1;
		if (*poll && poll_fn)
			poll_fn(arg);
		rc = pcap_next_ex(s->p, &s->h, &s->data);
		if (rc == 1) {
			uint64_t ts = (uint64_t)s->h->ts.tv_sec * 1000000u + (uint64_t)s->h->ts.tv_usec;

			s->records++;
			c->read++;
			check_alarm(c);
			if (s->records > 1 && ts + c->tolerance_us < s->last_ts) {
				if (s->back++ == 0)
					warn_back(s, s->last_ts, ts);
				if (s->last_ts - ts > s->back_max_us)
					s->back_max_us = s->last_ts - ts;
			}
			s->last_ts = ts;
			if (s->has_prog && !pcap_offline_filter(&s->prog, s->h, s->data)) {
				if (vlan_tagged(s->dlt, s->data, s->h->caplen))
					c->vlan_rejected++;
				continue;
			}
			c->passed++;
			s->ts = ts;
			return 0;
		}
		if (rc == PCAP_ERROR_BREAK) {	/* end of file */
			s->done = true;
		} else if (*stop) {
			return 1;		/* a stop interrupted the read: nothing is wrong with the file */
		} else {
			/* A file that ends mid-record: keep what was read and go on. */
			log_warn("%s: capture is truncated or damaged (%s); processed what could be read", s->name,
			    pcap_geterr(s->p));
			s->done = true;
		}
		if (s->back > 1)
			log_warn("%s: packet time went back by more than the tolerance %" PRIu64 " times, at most"
			    " %.3f s", s->name, s->back, (double)s->back_max_us / 1e6);
		return 0;
	}
}

/* The heap of waiting sources: earliest packet first, the earlier -r first at equal times. */
static bool
heap_less(const struct capture *c, int a, int b)
{
	const struct source *x = &c->src[a], *y = &c->src[b];

	return x->ts < y->ts || (x->ts == y->ts && a < b);
}

static void
heap_down(struct capture *c, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < c->nheap && heap_less(c, c->heap[l], c->heap[m]))
			m = l;
		if (r < c->nheap && heap_less(c, c->heap[r], c->heap[m]))
			m = r;
		if (m == i)
			return;
		t = c->heap[i];
		c->heap[i] = c->heap[m];
		c->heap[m] = t;
		i = m;
	}
}

static void
heap_up(struct capture *c, int i)
{
	while (i > 0) {
		int p = (i - 1) / 2, t;

		if (!heap_less(c, c->heap[i], c->heap[p]))
			return;
		t = c->heap[i];
		c->heap[i] = c->heap[p];
		c->heap[p] = t;
		i = p;
	}
}

/*
 * Files: one timeline merged by packet time, as mergecap merges.  Each file keeps its own order (time
 * going back inside one file is warned about, not reordered); at each step the file whose waiting packet
 * is earliest gives it.
 */
static int
run_files(struct capture *c, capture_pkt_fn pkt, void *arg, volatile sig_atomic_t *stop,
	  volatile sig_atomic_t *poll, void (*poll_fn)(void *arg))
{
	int i;

	if (c->nheap == 0) {
		for (i = 0; i < c->n; i++) {
			struct source *s = &c->src[i];

			if (s->done)
				continue;
			if (source_next(c, s, stop, poll, poll_fn, arg) != 0)
				return 1;
			if (!s->done) {
				c->heap[c->nheap++] = i;
				heap_up(c, c->nheap - 1);
			}
		}
	}
	while (c->nheap > 0) {
		struct source *s = &c->src[c->heap[0]];

		if (!c->pace_by_caller)
			pace_wait(c, s->ts, stop);
		if (*stop)
			return 1;
		pkt(arg, s->dlt, s->ts, s->data, s->h->caplen, s->h->len);
		if (source_next(c, s, stop, poll, poll_fn, arg) != 0) {
			/* stopped: the packet just read is not delivered, and reading ends here */
			return 1;
		}
		if (s->done)
			c->heap[0] = c->heap[--c->nheap];
		heap_down(c, 0);
	}
	return 0;
}

int
capture_run(struct capture *c, capture_pkt_fn pkt, capture_idle_fn idle, void *arg,
	    volatile sig_atomic_t *stop, volatile sig_atomic_t *poll, void (*poll_fn)(void *arg), char *err,
	    size_t errlen)
{
	if (c->live)
		return run_live(c, &c->src[0], pkt, idle, arg, stop, poll, poll_fn, err, errlen, c->timeout_ms);
	return run_files(c, pkt, arg, stop, poll, poll_fn);
}
