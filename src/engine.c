/*
 * engine.c - one pipeline: decode, flows, nDPI, and what it tells about the flows to its sink: the detection
 * layer and flow events (engine_new), or a sink of the caller's (engine_new_sink).  A sharded run replays its
 * workers' news through the same engine_flow_* calls (news.c).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ndpi/ndpi_protocol_ids.h>

#include "classify.h"
#include "detect.h"
#include "engine.h"
#include "family.h"
#include "flow.h"
#include "frag.h"
#include "jsonw.h"
#include "log.h"
#include "netset.h"
#include "nettally.h"

/* Application labels counted for the end-of-run summary; the rest are lumped together. */
#define LABEL_SLOTS 512

struct label_count {
	uint16_t master, app;
	uint8_t used;
	uint64_t flows, bytes;
};

struct engine {
	const struct conf *conf;
	struct engine_opts opts;
	struct outputs *outs;
	struct detect *det;
	struct decode_cfg dcfg;
	struct flow_table *flows;
	struct frag_table *frags;
	struct classifier *cls;
	struct netset *home;
	struct engine_stats st;
	uint64_t now_us;
	uint64_t jump_us;		/* a record stamped past the bound ahead: its time, until the next */
	bool behind;			/* the last record was stamped past the bound behind packet time */
	uint64_t last_sweep_us;
	uint64_t quiet_until_us;	/* nothing falls due before (engine_pass), 0 at first */
	struct jsonw jw;
	struct label_count labels[LABEL_SLOTS];
	uint64_t labels_other;
	struct nettally nets;		/* the networks of finished flows, for the summary */
	uint64_t seq;			/* records seen: the flows' clock */
	uint8_t phase;			/* enum engine_phase of what is going on */
	struct engine_sink sink;	/* who hears of the flows */
	struct engine_at at;		/* what here() last told the sink */
	/* Where the counters come from when this engine replays for others (engine_set_gather, _totals). */
	engine_gather_fn gather;
	void *gather_arg;
	bool totals;			/* the sharded run is over: its workers' final counters */
	struct engine_stats tot_st;
	struct flow_table_stats tot_fs;
	uint64_t tot_ndpi;
};

static void on_flow_end(void *arg, struct flow *f, enum flow_end why);
static struct classifier *classifier_of(struct engine *e);
static const struct engine_sink_ops direct_ops;

struct running_walk {
	detect_flow_fn fn;
	void *arg;
};

static void
running_cb(void *arg, struct flow *f)
{
	struct running_walk *w = arg;

	w->fn(w->arg, &f->rec, &f->det);
}

/* Running flows for a bucket end: the whole table; attribution skips flows without new bytes. */
static void
table_running(void *src, detect_flow_fn fn, void *arg)
{
	struct engine *e = src;
	struct running_walk w = { fn, arg };

	flow_table_foreach(e->flows, running_cb, &w);
}

struct engine *
engine_new(const struct conf *conf, const struct engine_opts *opts, struct outputs *outs, struct detect *det,
	   char *err, size_t errlen)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	struct flow_table_cfg fc;
	uint64_t seed;

	e->conf = conf;
	e->opts = *opts;
	e->outs = outs;
	e->det = det;
	e->dcfg.vxlan_port = (uint16_t)conf->vxlan_port;
	e->dcfg.geneve_port = (uint16_t)conf->geneve_port;
	if ((e->home = netset_parse(conf->home_net, err, errlen)) == NULL) {
		free(e);
		return NULL;
	}
	/*
	 * The seed only has to be unknown to whoever crafts the traffic.  Output does not depend on it, short
	 * of more than a few datagrams' first fragments meeting in the fragment table at once (frag.c).
	 */
	seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)e;
	memset(&fc, 0, sizeof(fc));
	fc.max_flows = conf->flow_max;
	fc.timeout_s[FT_TCP_NEW] = conf->to_tcp_new;
	fc.timeout_s[FT_TCP_EST] = conf->to_tcp_est;
	fc.timeout_s[FT_TCP_CLOSED] = conf->to_tcp_closed;
	fc.timeout_s[FT_UDP] = conf->to_udp;
	fc.timeout_s[FT_ICMP] = conf->to_icmp;
	fc.timeout_s[FT_OTHER] = conf->to_other;
	fc.active_timeout_s = conf->active_timeout;
	fc.seed = seed;
	e->flows = flow_table_new(&fc, on_flow_end, e);
	e->frags = frag_table_new(seed);
	e->sink.ops = &direct_ops;
	e->sink.ctx = e;
	if (det)
		detect_set_running(det, table_running, e);
	jsonw_init(&e->jw);
	return e;
}

struct engine *
engine_new_sink(const struct conf *conf, uint32_t flow_max, struct engine_sink sink, char *err, size_t errlen)
{
	struct engine_opts none = { false };
	struct conf c = *conf;
	struct engine *e;

	c.flow_max = flow_max;
	if ((e = engine_new(&c, &none, NULL, NULL, err, errlen)) == NULL)
		return NULL;
	e->conf = conf;
	e->sink = sink;
	if (sink.ops->owns_ended)
		flow_table_keep_ended(e->flows);
	/* Now, on the caller's thread, rather than at its first packet. */
	classifier_of(e);
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	flow_table_free(e->flows);
	frag_table_free(e->frags);
	classifier_free(e->cls);
	netset_free(e->home);
	jsonw_clear(&e->jw);
	free(e);
}

const struct nettally *
engine_nets(const struct engine *e)
{
	return &e->nets;
}

struct engine_stats *
engine_stats(struct engine *e)
{
	return &e->st;
}

uint64_t
engine_now(const struct engine *e)
{
	return e->now_us;
}

const struct conf *
engine_conf(const struct engine *e)
{
	return e->conf;
}

bool
engine_detects(const struct engine *e)
{
	return e->det != NULL;
}

/*
 * The nDPI module, made at first use: an engine that only replays what others saw (news.c) needs
 * one for the names of labels alone (flow events, the summary), and may need none.
 */
static struct classifier *
classifier_of(struct engine *e)
{
	if (e->cls == NULL) {
		struct classifier_cfg cc;

		cc.max_tcp_pkts = e->conf->ndpi_max_tcp;
		cc.max_udp_pkts = e->conf->ndpi_max_udp;
		e->cls = classifier_new(&cc);
	}
	return e->cls;
}

static void
count_label(struct engine *e, const struct flow_rec *f)
{
	uint32_t h = ((uint32_t)f->master * 31u + f->app) % LABEL_SLOTS, i;

	for (i = 0; i < LABEL_SLOTS; i++) {
		struct label_count *l = &e->labels[(h + i) % LABEL_SLOTS];

		if (!l->used) {
			l->used = 1;
			l->master = f->master;
			l->app = f->app;
		}
		if (l->master == f->master && l->app == f->app) {
			l->flows++;
			l->bytes += f->bytes[0] + f->bytes[1];
			return;
		}
	}
	e->labels_other++;
}

static const char *
proto_name(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 1:
		return "ICMP";
	case 58:
		return "IPv6-ICMP";
	case 47:
		return "GRE";
	case 50:
		return "ESP";
	case 132:
		return "SCTP";
	default:
		snprintf(buf, len, "%u", p);
		return buf;
	}
}

/* vlan and tunnel keys shared by flow events and alerts. */
static void
write_encap(struct jsonw *w, const struct flow_key *k)
{
	int i, n = 0;

	for (i = 0; i < DECODE_MAX_VLAN; i++)
		if (k->vlan[i])
			n = i + 1;
	if (n) {
		jsonw_key(w, "vlan");
		jsonw_arr_begin(w);
		for (i = 0; i < n; i++)
			jsonw_u64(w, k->vlan[i]);
		jsonw_arr_end(w);
	}
	if (k->vni) {
		jsonw_key(w, "tunnel");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "type", tunnel_type_name((enum tunnel_type)(k->vni >> 24)));
		jsonw_ku64(w, "vni", k->vni & 0xffffff);
		jsonw_obj_end(w);
	}
}

static void
emit_flow(struct engine *e, const struct flow_rec *f, int family, enum flow_end why)
{
	struct jsonw *w = &e->jw;
	char a[64], b[64], lbl[64], pn[8];
	bool ports = f->key.proto == 6 || f->key.proto == 17 || f->key.proto == 132;
	bool tls = classify_is(f, NDPI_PROTOCOL_TLS) || classify_is(f, NDPI_PROTOCOL_QUIC) ||
	    classify_is(f, NDPI_PROTOCOL_DTLS) || (f->l7 && f->l7->ja3c[0]);
	bool dns = classify_is(f, NDPI_PROTOCOL_DNS) || classify_is(f, NDPI_PROTOCOL_MDNS) ||
	    classify_is(f, NDPI_PROTOCOL_LLMNR);
	bool http = classify_is(f, NDPI_PROTOCOL_HTTP);
	const char *name = f->l7 ? f->l7->name : NULL;

	jsonw_reset(w);
	jsonw_obj_begin(w);
	jsonw_key(w, "timestamp");
	jsonw_time(w, f->last_us);
	jsonw_kstr(w, "event_type", "flow");
	jsonw_kstr(w, "src_ip", addr_format(f->key.ipver, flow_src_addr(f), a, sizeof(a)));
	if (ports)
		jsonw_ku64(w, "src_port", flow_src_port(f));
	jsonw_kstr(w, "dest_ip", addr_format(f->key.ipver, flow_dst_addr(f), b, sizeof(b)));
	if (ports)
		jsonw_ku64(w, "dest_port", flow_dst_port(f));
	jsonw_kstr(w, "proto", proto_name(f->key.proto, pn, sizeof(pn)));
	jsonw_kstr(w, "app_proto", classify_label(classifier_of(e), f, lbl, sizeof(lbl)));
	write_encap(w, &f->key);
	jsonw_key(w, "flow");
	jsonw_obj_begin(w);
	jsonw_ku64(w, "pkts_toserver", f->pkts[0]);
	jsonw_ku64(w, "pkts_toclient", f->pkts[1]);
	jsonw_ku64(w, "bytes_toserver", f->bytes[0]);
	jsonw_ku64(w, "bytes_toclient", f->bytes[1]);
	jsonw_key(w, "start");
	jsonw_time(w, f->first_us);
	jsonw_key(w, "end");
	jsonw_time(w, f->last_us);
	jsonw_kstr(w, "state", flow_state_name(flow_state(f)));
	jsonw_kstr(w, "reason", flow_end_name(why));
	jsonw_obj_end(w);
	jsonw_key(w, "ndpi");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "proto", lbl);
	jsonw_kstr(w, "category", classify_category(classifier_of(e), f));
	jsonw_kstr(w, "confidence", classify_confidence(f));
	/* nDPI's host name of any protocol (NetBIOS, DHCP, SMTP banner host, ...), as ndpiReader reports it. */
	if (name)
		jsonw_kstr(w, "hostname", name);
	jsonw_obj_end(w);
	if (tls && f->l7) {
		jsonw_key(w, "tls");
		jsonw_obj_begin(w);
		if (name)
			jsonw_kstr(w, "sni", name);
		if (f->l7->ja3c[0])
			jsonw_kstr(w, "ja3", f->l7->ja3c);
		if (f->l7->ja3s[0])
			jsonw_kstr(w, "ja3s", f->l7->ja3s);
		if (f->l7->alpn)
			jsonw_kstr(w, "alpn", f->l7->alpn);
		jsonw_obj_end(w);
	} else if (dns && name) {
		jsonw_key(w, "dns");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "rrname", name);
		jsonw_obj_end(w);
	} else if (http && name) {
		jsonw_key(w, "http");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "hostname", name);
		jsonw_obj_end(w);
	}
	if (family != FAM_NONE)
		jsonw_kstr(w, "family", family_name(family));
	jsonw_obj_end(w);
	outputs_write(e->outs, "flow", w->buf, w->len);
}

void
engine_flow_speaks(struct engine *e, const struct flow_rec *f, struct flow_det *fd, int dir, uint64_t now_us)
{
	if (e->det)
		detect_flow_speaks(e->det, f, fd, dir, now_us);
}

void
engine_flow_classified(struct engine *e, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us)
{
	if (e->det)
		detect_flow_classified(e->det, f, fd, now_us);
}

void
engine_flow_dns(struct engine *e, const struct flow_rec *f, const uint8_t *msg, uint32_t len, uint64_t now_us)
{
	if (e->det)
		detect_dns_response(e->det, f, msg, len, now_us);
}

/* What detection attributed follows a flow whose directions a late SYN swapped. */
void
engine_flow_swapped(struct engine *e, struct flow_det *fd)
{
	(void)e;
	flow_swap_dirs(fd->acc_bytes, fd->acc_pkts);
}

void
engine_flow_ended(struct engine *e, const struct flow_rec *f, struct flow_det *fd, enum flow_end why, bool fresh,
		  uint64_t now_us)
{
	if (fresh && e->det)
		detect_flow_classified(e->det, f, fd, now_us);
	if (e->det)
		detect_flow_end(e->det, f, fd, now_us);
	if (why != FE_ACTIVE) {
		count_label(e, f);
		nettally_flow(&e->nets, f->key.ipver, f->key.a, f->key.b, f->bytes[0] + f->bytes[1], f->home);
	}
	if (e->opts.flows)
		emit_flow(e, f, fd->family, why);
	/* An active cut starts a fresh record: nothing of it is attributed yet. */
	if (why == FE_ACTIVE) {
		memset(fd->acc_bytes, 0, sizeof(fd->acc_bytes));
		memset(fd->acc_pkts, 0, sizeof(fd->acc_pkts));
	}
}

void
engine_clock(struct engine *e, uint64_t now_us, void (*each)(void *src, detect_flow_fn fn, void *arg), void *src)
{
	engine_set_now(e, now_us);
	if (e->det == NULL)
		return;
	detect_set_running(e->det, each, src);
	detect_tick(e->det, now_us);
	detect_set_running(e->det, table_running, e);
}

/* The sink of an engine made by engine_new: its own flows, as they go. */
static void
direct_speaks(void *ctx, const struct engine_at *at, struct flow *f, int dir, bool created)
{
	(void)created;
	engine_flow_speaks(ctx, &f->rec, &f->det, dir, at->now_us);
}

static void
direct_classified(void *ctx, const struct engine_at *at, struct flow *f)
{
	engine_flow_classified(ctx, &f->rec, &f->det, at->now_us);
}

static void
direct_dns(void *ctx, const struct engine_at *at, struct flow *f, const uint8_t *msg, uint32_t len)
{
	engine_flow_dns(ctx, &f->rec, msg, len, at->now_us);
}

static void
direct_swapped(void *ctx, const struct engine_at *at, struct flow *f)
{
	(void)at;
	engine_flow_swapped(ctx, &f->det);
}

static void
direct_ended(void *ctx, const struct engine_at *at, struct flow *f, enum flow_end why, bool fresh)
{
	engine_flow_ended(ctx, &f->rec, &f->det, why, fresh, at->now_us);
}

/* Detection closes its buckets itself, at any tick past their end. */
static uint64_t
direct_tick(void *ctx, const struct engine_at *at, struct flow_table *flows)
{
	struct engine *e = ctx;

	(void)flows;
	if (e->det)
		detect_tick(e->det, at->now_us);
	return at->now_us;
}

static const struct engine_sink_ops direct_ops = {
	.speaks = direct_speaks,
	.classified = direct_classified,
	.dns = direct_dns,
	.swapped = direct_swapped,
	.ended = direct_ended,
	.tick = direct_tick,
	.owns_ended = false,
};

/* Where this engine is, for its sink. */
static const struct engine_at *
here(struct engine *e)
{
	e->at.seq = e->seq;
	e->at.now_us = e->now_us;
	e->at.phase = e->phase;
	return &e->at;
}

static void
on_flow_end(void *arg, struct flow *f, enum flow_end why)
{
	struct engine *e = arg;
	bool fresh = false;

	if (!f->classified) {
		classify_finish(classifier_of(e), f);
		fresh = true;
	}
	e->sink.ops->ended(e->sink.ctx, here(e), f, why, fresh);
}

/*
 * Packet time moves on to a record's time ts_us, within bounds.  It never goes back (files merged into one
 * timeline may step back a little; a record stamped further back than capture.max_time_jump is counted).
 * One record alone moves it forward by at most capture.max_time_jump: a record stamped further ahead (a
 * corrupt or wrapped time) is counted and handled at the current time, unless the next record is stamped
 * within the bound of it, which confirms the jump (a gap in the capture): then time follows.  The same on
 * every worker of a sharded run, which all see every record.
 */
static void
clock_take(struct engine *e, uint64_t ts_us)
{
	uint64_t bound = (uint64_t)e->conf->max_time_jump * 1000000u;
	uint64_t pending = e->jump_us;

	e->jump_us = 0;
	if (ts_us > e->now_us && (e->now_us == 0 || bound == 0 || ts_us - e->now_us <= bound)) {
		e->now_us = ts_us;
		e->behind = false;
	} else if (ts_us > e->now_us) {
		e->behind = false;
		if (pending && (ts_us > pending ? ts_us - pending : pending - ts_us) <= bound) {
			e->st.time_followed++;
			e->now_us = ts_us;
		} else {
			e->st.time_ahead++;
			e->jump_us = ts_us;
		}
	} else if (bound && e->now_us - ts_us > bound) {
		if (!e->behind)
			e->st.time_behind++;
		e->behind = true;
	} else {
		e->behind = false;
	}
}

static void
advance(struct engine *e, uint64_t ts_us)
{
	uint64_t due;

	clock_take(e, ts_us);
	if (e->st.first_us == 0)
		e->st.first_us = ts_us;
	flow_table_clock(e->flows, e->seq);
	if (e->now_us >= e->last_sweep_us + 1000000u) {
		e->last_sweep_us = e->now_us;
		e->phase = ENGINE_SWEEP;
		flow_table_expire(e->flows, e->now_us);
	}
	/*
	 * Buckets close at the first packet (or idle tick) at or after their end, whatever the sweep's
	 * rhythm: so live capture and the replay of its recording cut the same buckets.
	 */
	e->phase = ENGINE_BUCKET;
	due = e->sink.ops->tick(e->sink.ctx, here(e), e->flows);
	e->quiet_until_us = e->last_sweep_us + 1000000u;
	if (due < e->quiet_until_us)
		e->quiet_until_us = due;
	e->phase = ENGINE_PACKET;
}

static bool
is_dns_response(const struct decoded *d)
{
	uint8_t flags;

	if (d->proto != 17 || d->sport != 53 || d->payload_len < 12)
		return false;
	flags = d->payload[2];
	return (flags & 0x80) != 0;
}

void
engine_packet(struct engine *e, int dlt, uint64_t ts_us, const uint8_t *pkt, uint32_t caplen,
	      uint32_t wirelen)
{
	struct decoded d;
	enum decode_reason r;

	r = decode_packet(&e->dcfg, dlt, pkt, caplen, wirelen, &d);
	engine_decoded(e, ts_us, wirelen, r, &d);
}

void
engine_decoded(struct engine *e, uint64_t ts_us, uint32_t wirelen, enum decode_reason r,
	       const struct decoded *d)
{
	struct flow *f;
	int dir;
	bool created;

	e->st.packets++;
	e->st.bytes += wirelen;
	advance(e, ts_us);
	/* A record that does not decode counts with the engine it is handed to (engine_pass counts none). */
	e->st.decode[r]++;
	if (r != DEC_OK) {
		e->seq++;
		return;
	}
	if (d->frag == FRAG_LATER) {
		struct flow_key k;
		bool sender_is_b;

		if (frag_lookup(e->frags, d, &k, &sender_is_b, e->now_us) &&
		    flow_table_account(e->flows, &k, sender_is_b, d->wirelen, e->now_us))
			e->st.frag_accounted++;
		else
			e->st.frag_orphan++;
		e->seq++;
		return;
	}
	f = flow_table_packet(e->flows, d, e->now_us, &dir, &created);
	if (d->frag == FRAG_FIRST) {
		struct flow_key k;
		bool sender_is_b;

		flow_key_from_packet(d, &k, &sender_is_b);
		frag_remember(e->frags, d, &k, sender_is_b, e->now_us);
	}
	if (created)
		f->rec.home = (uint8_t)((netset_contains(e->home, f->rec.key.ipver, f->rec.key.a) ? 1 : 0) |
		    (netset_contains(e->home, f->rec.key.ipver, f->rec.key.b) ? 2 : 0));
	if (f->swapped) {
		f->swapped = 0;
		e->sink.ops->swapped(e->sink.ctx, here(e), f);
	}
	if (!(f->rec.spoke & (1 << dir))) {
		f->rec.spoke |= (uint8_t)(1 << dir);
		e->sink.ops->speaks(e->sink.ctx, here(e), f, dir, created);
	}
	if (!f->classified && classify_packet(classifier_of(e), f, d->l3, d->l3_len, e->now_us / 1000u))
		e->sink.ops->classified(e->sink.ctx, here(e), f);
	/* Only an answer to a query we saw: an unsolicited "answer" must not tie an address to a name. */
	if (dir == 1 && f->rec.pkts[0] > 0 && is_dns_response(d))
		e->sink.ops->dns(e->sink.ctx, here(e), f, d->payload, d->payload_len);
	e->seq++;
}

/* A record of another engine's: time moves and the packet counts, and that is all. */
void
engine_pass(struct engine *e, uint64_t ts_us, uint32_t wirelen)
{
	e->st.packets++;
	e->st.bytes += wirelen;
	/* Before the next sweep or bucket end nothing falls due: time moves, and that is all. */
	if (ts_us < e->quiet_until_us) {
		clock_take(e, ts_us);
	} else {
		advance(e, ts_us);
	}
	e->seq++;
}

struct final_flow *
engine_drain(struct engine *e, size_t *n)
{
	struct flow **all = flow_table_drain(e->flows, n);
	struct final_flow *out = xmalloc(sizeof(*out) * (*n ? *n : 1));
	size_t i;

	for (i = 0; i < *n; i++) {
		out[i].f = all[i];
		out[i].fresh = !all[i]->classified;
		if (out[i].fresh)
			classify_finish(classifier_of(e), all[i]);
	}
	free(all);
	return out;
}

void
engine_tick(struct engine *e, uint64_t now_us)
{
	/* Time starts with the first packet, as in a replay: learning begins there, not at start-up. */
	if (e->st.packets)
		advance(e, now_us);
	e->seq++;
}

void
engine_flush(struct engine *e)
{
	flow_table_flush(e->flows);
	if (e->det)
		detect_finish(e->det, e->now_us);
}

void
engine_counters(const struct engine *e, struct engine_stats *st, struct flow_table_stats *fs, uint64_t *ndpi_pkts)
{
	*st = e->st;
	*fs = *flow_table_stats(e->flows);
	*ndpi_pkts = e->cls ? classify_packets(e->cls) : 0;
}

void
engine_set_now(struct engine *e, uint64_t now_us)
{
	if (now_us > e->now_us)
		e->now_us = now_us;
}

void
engine_set_gather(struct engine *e, engine_gather_fn fn, void *arg)
{
	e->gather = fn;
	e->gather_arg = arg;
}

void
engine_set_totals(struct engine *e, const struct engine_stats *st, const struct flow_table_stats *fs,
		  uint64_t ndpi_pkts)
{
	e->totals = true;
	e->tot_st = *st;
	e->tot_fs = *fs;
	e->tot_ndpi = ndpi_pkts;
	e->gather = NULL;
}

/*
 * This engine's counters, or those of the engines it replays for (engine_set_gather, engine_set_totals)
 * with the capture's drops kept here.
 */
static void
counters(struct engine *e, struct engine_stats *st, struct flow_table_stats *fs, uint64_t *ndpi_pkts)
{
	if (e->totals) {
		*st = e->tot_st;
		*fs = e->tot_fs;
		*ndpi_pkts = e->tot_ndpi;
	} else if (e->gather) {
		e->gather(e->gather_arg, st, fs, ndpi_pkts);
	} else {
		engine_counters(e, st, fs, ndpi_pkts);
		return;
	}
	st->kernel_drops = e->st.kernel_drops;
	st->if_drops = e->st.if_drops;
}

void
engine_stats_event(struct engine *e, uint64_t now_us)
{
	struct jsonw *w = &e->jw;
	struct engine_stats st;
	struct flow_table_stats fst, *fs = &fst;
	uint64_t ndpi_pkts;
	int i;

	counters(e, &st, fs, &ndpi_pkts);
	jsonw_reset(w);
	jsonw_obj_begin(w);
	jsonw_key(w, "timestamp");
	jsonw_time(w, now_us);
	jsonw_kstr(w, "event_type", "stats");
	jsonw_key(w, "stats");
	jsonw_obj_begin(w);
	jsonw_ku64(w, "packets", st.packets);
	jsonw_ku64(w, "bytes", st.bytes);
	jsonw_key(w, "decoder");
	jsonw_obj_begin(w);
	for (i = 0; i < DEC__COUNT; i++)
		jsonw_ku64(w, decode_reason_name((enum decode_reason)i), st.decode[i]);
	jsonw_ku64(w, "fragments_accounted", st.frag_accounted);
	jsonw_ku64(w, "fragments_orphaned", st.frag_orphan);
	jsonw_obj_end(w);
	jsonw_key(w, "flows");
	jsonw_obj_begin(w);
	jsonw_ku64(w, "created", fs->created);
	jsonw_ku64(w, "expired", fs->expired);
	jsonw_ku64(w, "evicted", fs->evicted);
	jsonw_ku64(w, "active_timeout", fs->active_cut);
	jsonw_ku64(w, "active", fs->active);
	jsonw_ku64(w, "peak", fs->peak);
	jsonw_obj_end(w);
	jsonw_ku64(w, "ndpi_packets", ndpi_pkts);
	jsonw_key(w, "capture");
	jsonw_obj_begin(w);
	jsonw_ku64(w, "kernel_drops", st.kernel_drops);
	jsonw_ku64(w, "interface_drops", st.if_drops);
	jsonw_obj_end(w);
	jsonw_key(w, "time");
	jsonw_obj_begin(w);
	jsonw_ku64(w, "jumps_forward", st.time_ahead);
	jsonw_ku64(w, "jumps_followed", st.time_followed);
	jsonw_ku64(w, "jumps_backward", st.time_behind);
	jsonw_obj_end(w);
	jsonw_ku64(w, "output_errors", outputs_failed(e->outs));
	if (e->det)
		detect_stats_json(e->det, w);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
	outputs_write(e->outs, "stats", w->buf, w->len);
}

static int
label_cmp(const void *x, const void *y)
{
	const struct label_count *a = x, *b = y;

	if (a->flows != b->flows)
		return a->flows > b->flows ? -1 : 1;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	return (a->master * 65536 + a->app) - (b->master * 65536 + b->app);
}

void
engine_summary(struct engine *e, FILE *fp)
{
	struct engine_stats st;
	struct flow_table_stats fst, *fs = &fst;
	struct label_count sorted[LABEL_SLOTS];
	int i, n = 0, shown = 0;
	uint64_t bad = 0, ndpi_pkts;

	counters(e, &st, fs, &ndpi_pkts);
	fprintf(fp, "dcdnwatch: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " flows (%" PRIu64
	    " evicted), %" PRIu64 " packets to nDPI\n", st.packets, st.bytes, fs->created, fs->evicted,
	    ndpi_pkts);
	for (i = 0; i < LABEL_SLOTS; i++)
		if (e->labels[i].used)
			sorted[n++] = e->labels[i];
	qsort(sorted, (size_t)n, sizeof(sorted[0]), label_cmp);
	if (n)
		fprintf(fp, "  top applications (flows, bytes):");
	for (i = 0; i < n && shown < 10; i++, shown++) {
		char lbl[64];
		struct flow_rec tmp;

		memset(&tmp, 0, sizeof(tmp));
		tmp.master = sorted[i].master;
		tmp.app = sorted[i].app;
		fprintf(fp, "%s %s %" PRIu64 "/%" PRIu64, shown ? "," : "", classify_label(classifier_of(e), &tmp, lbl,
		    sizeof(lbl)), sorted[i].flows, sorted[i].bytes);
	}
	if (e->labels_other)
		fprintf(fp, "%s %" PRIu64 " flows of other applications", n ? "," : "  applications:", e->labels_other);
	if (n || e->labels_other)
		fputc('\n', fp);
	for (i = 1; i < DEC__COUNT; i++)
		if (i != DEC_NOT_IP)
			bad += st.decode[i];
	if (bad || st.decode[DEC_NOT_IP] || st.frag_orphan) {
		fprintf(fp, "  not decoded: %" PRIu64 " non-IP", st.decode[DEC_NOT_IP]);
		for (i = 1; i < DEC__COUNT; i++)
			if (i != DEC_NOT_IP && st.decode[i])
				fprintf(fp, ", %" PRIu64 " %s", st.decode[i],
				    decode_reason_name((enum decode_reason)i));
		if (st.frag_orphan)
			fprintf(fp, ", %" PRIu64 " fragments without their first", st.frag_orphan);
		fputc('\n', fp);
	}
	if (st.time_ahead || st.time_behind)
		fprintf(fp, "  packet time: %" PRIu64 " jumps forward past capture.max_time_jump (%" PRIu64
		    " followed), %" PRIu64 " backward\n", st.time_ahead, st.time_followed, st.time_behind);
}
