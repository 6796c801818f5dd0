/*
 * engine.c - one worker's pipeline and its events.
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
	uint64_t last_sweep_us;
	struct jsonw jw;
	struct label_count labels[LABEL_SLOTS];
	uint64_t labels_other;
};

static void on_flow_end(void *arg, struct flow *f, enum flow_end why);

struct engine *
engine_new(const struct conf *conf, const struct engine_opts *opts, struct outputs *outs, struct detect *det,
	   char *err, size_t errlen)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	struct flow_table_cfg fc;
	struct classifier_cfg cc;
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
	/* The seed only has to be unknown to whoever crafts the traffic; output never depends on it. */
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
	cc.max_tcp_pkts = conf->ndpi_max_tcp;
	cc.max_udp_pkts = conf->ndpi_max_udp;
	e->cls = classifier_new(&cc);
	if (det)
		detect_set_flows(det, e->flows);
	jsonw_init(&e->jw);
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

static void
count_label(struct engine *e, const struct flow *f)
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
emit_flow(struct engine *e, const struct flow *f, enum flow_end why)
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
	jsonw_kstr(w, "app_proto", classify_label(e->cls, f, lbl, sizeof(lbl)));
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
	jsonw_kstr(w, "category", classify_category(e->cls, f));
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
	if (f->family != FAM_NONE)
		jsonw_kstr(w, "family", family_name(f->family));
	jsonw_obj_end(w);
	outputs_write(e->outs, "flow", w->buf, w->len);
}

static void
on_flow_end(void *arg, struct flow *f, enum flow_end why)
{
	struct engine *e = arg;

	if (!f->classified) {
		classify_finish(e->cls, f);
		if (e->det)
			detect_flow_classified(e->det, f, e->now_us);
	}
	if (e->det)
		detect_flow_end(e->det, f, e->now_us);
	if (why != FE_ACTIVE)
		count_label(e, f);
	if (e->opts.flows)
		emit_flow(e, f, why);
}

static void
advance(struct engine *e, uint64_t ts_us)
{
	/* Files replayed as one timeline may step back a little; time itself never does. */
	if (ts_us > e->now_us)
		e->now_us = ts_us;
	if (e->st.first_us == 0)
		e->st.first_us = ts_us;
	if (e->now_us >= e->last_sweep_us + 1000000u) {
		e->last_sweep_us = e->now_us;
		flow_table_expire(e->flows, e->now_us);
	}
	/*
	 * Buckets close at the first packet (or idle tick) at or after their end, whatever the sweep's
	 * rhythm: so live capture and the replay of its recording cut the same buckets.
	 */
	if (e->det)
		detect_tick(e->det, e->now_us);
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
	struct flow *f;
	int dir;
	bool created;

	e->st.packets++;
	e->st.bytes += wirelen;
	advance(e, ts_us);
	r = decode_packet(&e->dcfg, dlt, pkt, caplen, wirelen, &d);
	e->st.decode[r]++;
	if (r != DEC_OK)
		return;
	if (d.frag == FRAG_LATER) {
		struct flow_key k;
		bool sender_is_b;

		if (frag_lookup(e->frags, &d, &k, &sender_is_b, e->now_us) &&
		    flow_table_account(e->flows, &k, sender_is_b, d.wirelen, e->now_us))
			e->st.frag_accounted++;
		else
			e->st.frag_orphan++;
		return;
	}
	f = flow_table_packet(e->flows, &d, e->now_us, &dir, &created);
	if (d.frag == FRAG_FIRST) {
		struct flow_key k;
		bool sender_is_b;

		flow_key_from_packet(&d, &k, &sender_is_b);
		frag_remember(e->frags, &d, &k, sender_is_b, e->now_us);
	}
	if (created)
		f->home = (uint8_t)((netset_contains(e->home, f->key.ipver, f->key.a) ? 1 : 0) |
		    (netset_contains(e->home, f->key.ipver, f->key.b) ? 2 : 0));
	if (!(f->spoke & (1 << dir))) {
		f->spoke |= (uint8_t)(1 << dir);
		if (e->det)
			detect_flow_speaks(e->det, f, dir, e->now_us);
	}
	if (!f->classified &&
	    classify_packet(e->cls, f, d.l3, d.l3_len, e->now_us / 1000u) && e->det)
		detect_flow_classified(e->det, f, e->now_us);
	/* Only an answer to a query we saw: an unsolicited "answer" must not tie an address to a name. */
	if (e->det && dir == 1 && f->pkts[0] > 0 && is_dns_response(&d))
		detect_dns_response(e->det, f, d.payload, d.payload_len, e->now_us);
}

void
engine_tick(struct engine *e, uint64_t now_us)
{
	/* Time starts with the first packet, as in a replay: learning begins there, not at start-up. */
	if (e->st.packets == 0)
		return;
	advance(e, now_us);
}

void
engine_flush(struct engine *e)
{
	flow_table_flush(e->flows);
	if (e->det)
		detect_finish(e->det, e->now_us);
}

void
engine_stats_event(struct engine *e, uint64_t now_us)
{
	struct jsonw *w = &e->jw;
	const struct flow_table_stats *fs = flow_table_stats(e->flows);
	int i;

	jsonw_reset(w);
	jsonw_obj_begin(w);
	jsonw_key(w, "timestamp");
	jsonw_time(w, now_us);
	jsonw_kstr(w, "event_type", "stats");
	jsonw_key(w, "stats");
	jsonw_obj_begin(w);
	jsonw_ku64(w, "packets", e->st.packets);
	jsonw_ku64(w, "bytes", e->st.bytes);
	jsonw_key(w, "decoder");
	jsonw_obj_begin(w);
	for (i = 0; i < DEC__COUNT; i++)
		jsonw_ku64(w, decode_reason_name((enum decode_reason)i), e->st.decode[i]);
	jsonw_ku64(w, "fragments_accounted", e->st.frag_accounted);
	jsonw_ku64(w, "fragments_orphaned", e->st.frag_orphan);
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
	jsonw_ku64(w, "ndpi_packets", classify_packets(e->cls));
	jsonw_key(w, "capture");
	jsonw_obj_begin(w);
	jsonw_ku64(w, "kernel_drops", e->st.kernel_drops);
	jsonw_ku64(w, "interface_drops", e->st.if_drops);
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
	const struct flow_table_stats *fs = flow_table_stats(e->flows);
	struct label_count sorted[LABEL_SLOTS];
	int i, n = 0, shown = 0;
	uint64_t bad = 0;

	fprintf(fp, "dcdnwatch: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " flows (%" PRIu64
	    " evicted), %" PRIu64 " packets to nDPI\n", e->st.packets, e->st.bytes, fs->created, fs->evicted,
	    classify_packets(e->cls));
	for (i = 0; i < LABEL_SLOTS; i++)
		if (e->labels[i].used)
			sorted[n++] = e->labels[i];
	qsort(sorted, (size_t)n, sizeof(sorted[0]), label_cmp);
	if (n)
		fprintf(fp, "  top applications (flows, bytes):");
	for (i = 0; i < n && shown < 10; i++, shown++) {
		char lbl[64];
		struct flow tmp;

		memset(&tmp, 0, sizeof(tmp));
		tmp.master = sorted[i].master;
		tmp.app = sorted[i].app;
		fprintf(fp, "%s %s %" PRIu64 "/%" PRIu64, shown ? "," : "", classify_label(e->cls, &tmp, lbl,
		    sizeof(lbl)), sorted[i].flows, sorted[i].bytes);
	}
	if (e->labels_other)
		fprintf(fp, "%s %" PRIu64 " flows of other applications", n ? "," : "  applications:", e->labels_other);
	if (n || e->labels_other)
		fputc('\n', fp);
	for (i = 1; i < DEC__COUNT; i++)
		if (i != DEC_NOT_IP)
			bad += e->st.decode[i];
	if (bad || e->st.decode[DEC_NOT_IP] || e->st.frag_orphan) {
		fprintf(fp, "  not decoded: %" PRIu64 " non-IP", e->st.decode[DEC_NOT_IP]);
		for (i = 1; i < DEC__COUNT; i++)
			if (i != DEC_NOT_IP && e->st.decode[i])
				fprintf(fp, ", %" PRIu64 " %s", e->st.decode[i],
				    decode_reason_name((enum decode_reason)i));
		if (e->st.frag_orphan)
			fprintf(fp, ", %" PRIu64 " fragments without their first", e->st.frag_orphan);
		fputc('\n', fp);
	}
}
