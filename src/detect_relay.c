/*
 * detect_relay.c - the `relay` detector: the shape of proxyware.  The vendor hands the host a relay; the
 * host keeps one long-lived outbound tunnel to it and, for the vendor's customers, opens many short flows to
 * unrelated destinations, piping their bytes back through the tunnel.  So: one long outbound flow, many
 * short outbound flows to many distinct destinations, and bytes on the two sides of roughly one size.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "family.h"
#include "log.h"
#include "verdict.h"

#define RELAY_SHORT_US		60000000ull	/* a flow shorter than this is a relayed request */
#define RELAY_BALANCE		4		/* tunnel and short-flow bytes within this factor */

struct relay_slot {
	uint64_t bucket;		/* bucket number this slot holds */
	uint8_t dests[HOST_HLL_SIZE];	/* distinct destinations of short flows */
	uint64_t short_bytes, tunnel_bytes;
	uint32_t short_flows;
};

struct relay_state {
	struct relay_slot slot[HOST_WIN_MAX];
	uint64_t tunnel_bucket;		/* last bucket a tunnel was seen in */
	char tunnel_remote[64];
	char tunnel_name[96];
	uint8_t tunnel_family;
	uint64_t tunnel_start_us;
	uint16_t tunnel_port;
};

void
relay_free(struct host *hs)
{
	free(hs->relay);
	hs->relay = NULL;
}

static struct relay_slot *
slot_of(struct detect *d, struct relay_state *s, uint64_t now_us)
{
	uint64_t b = now_us / d->bucket_us;
	struct relay_slot *sl = &s->slot[b % d->conf->window_buckets];

	if (sl->bucket != b) {
		memset(sl, 0, sizeof(*sl));
		sl->bucket = b;
	}
	return sl;
}

static struct relay_state *
state(struct host *hs)
{
	if (hs->relay == NULL)
		hs->relay = xcalloc(1, sizeof(struct relay_state));
	return hs->relay;
}

/* A long outbound flow, running or ended, with bytes it carried since last seen. */
static void
note_tunnel(struct detect *d, struct host *hs, const struct flow_rec *f, const struct flow_det *fd,
	    uint64_t bytes, uint64_t now_us)
{
	struct relay_state *s = state(hs);
	struct relay_slot *sl = slot_of(d, s, now_us);

	sl->tunnel_bytes += bytes;
	s->tunnel_bucket = now_us / d->bucket_us;
	if (s->tunnel_start_us == 0 || fd->family != FAM_NONE || f->first_us < s->tunnel_start_us) {
		addr_format(f->key.ipver, f->init_is_b ? f->key.a : f->key.b, s->tunnel_remote,
		    sizeof(s->tunnel_remote));
		snprintf(s->tunnel_name, sizeof(s->tunnel_name), "%s", f->l7 && f->l7->name ? f->l7->name : "");
		s->tunnel_family = fd->family;
		s->tunnel_start_us = f->first_us;
		s->tunnel_port = flow_dst_port(f);
	}
}

void
relay_flow_end(struct detect *d, struct host *hs, const struct flow_rec *f, const struct flow_det *fd,
	       uint64_t now_us)
{
	uint64_t dur = f->last_us - f->first_us, bytes = f->bytes[0] + f->bytes[1];

	if (dur >= (uint64_t)d->conf->relay_min_tunnel_s * 1000000u) {
		note_tunnel(d, hs, f, fd, 0, now_us);
	} else if (dur < RELAY_SHORT_US && fd->family == FAM_NONE) {
		struct relay_slot *sl = slot_of(d, state(hs), now_us);

		bucket_add_peer(sl->dests, f->init_is_b ? f->key.a : f->key.b, f->key.ipver);
		sl->short_bytes += bytes;
		sl->short_flows++;
	}
}

/* Called for running outbound flows at each bucket end (see detect.c), with the bytes since last time. */
void
relay_running(struct detect *d, struct host *hs, const struct flow_rec *f, const struct flow_det *fd,
	      uint64_t bytes, uint64_t now_us)
{
	if (now_us - f->first_us >= (uint64_t)d->conf->relay_min_tunnel_s * 1000000u)
		note_tunnel(d, hs, f, fd, bytes, now_us);
}

void
relay_judge(struct detect *d, struct host *hs, const struct window *w, uint64_t now_us)
{
	const struct conf *c = d->conf;
	struct relay_state *s = hs->relay;
	uint8_t dests[HOST_HLL_SIZE];
	uint64_t cur, short_bytes = 0, tunnel_bytes = 0;
	uint32_t i, ndests, short_flows = 0;
	struct jsonw *ev = &d->ev;
	int family;
	char hb[64], summary[300];

	if (s == NULL || now_us == 0)
		return;
	cur = (now_us - 1) / d->bucket_us;
	if (s->tunnel_bucket + c->window_buckets <= cur)
		return;		/* no tunnel lately */
	memset(dests, 0, sizeof(dests));
	for (i = 0; i < c->window_buckets; i++) {
		const struct relay_slot *sl = &s->slot[i];

		if (sl->bucket + c->window_buckets <= cur || sl->bucket > cur)
			continue;
		sketch_merge(dests, sl->dests);
		short_bytes += sl->short_bytes;
		tunnel_bytes += sl->tunnel_bytes;
		short_flows += sl->short_flows;
	}
	ndests = (uint32_t)(sketch_count(dests) + 0.5);
	if (ndests < c->relay_min_dests)
		return;
	if (tunnel_bytes * RELAY_BALANCE < short_bytes || short_bytes * RELAY_BALANCE < tunnel_bytes)
		return;
	family = s->tunnel_family != FAM_NONE ? s->tunnel_family
	    : family_is_proxyware(hs->family) ? hs->family : FAM_UNKNOWN_PROXYWARE;
	addr_format(hs->ipver, hs->addr, hb, sizeof(hb));
	evidence_begin(d);
	jsonw_key(ev, "metrics");
	jsonw_arr_begin(ev);
	jsonw_obj_begin(ev);
	jsonw_kstr(ev, "metric", "short_flow_destinations");
	jsonw_ku64(ev, "observed", ndests);
	jsonw_ku64(ev, "threshold", c->relay_min_dests);
	jsonw_ku64(ev, "short_flows", short_flows);
	jsonw_obj_end(ev);
	jsonw_obj_begin(ev);
	jsonw_kstr(ev, "metric", "byte_balance");
	jsonw_ku64(ev, "tunnel_bytes", tunnel_bytes);
	jsonw_ku64(ev, "short_flow_bytes", short_bytes);
	jsonw_ku64(ev, "threshold_factor", RELAY_BALANCE);
	jsonw_obj_end(ev);
	jsonw_arr_end(ev);
	jsonw_key(ev, "tunnel");
	jsonw_obj_begin(ev);
	jsonw_kstr(ev, "remote", s->tunnel_remote);
	jsonw_ku64(ev, "port", s->tunnel_port);
	if (s->tunnel_name[0])
		jsonw_kstr(ev, "name", s->tunnel_name);
	jsonw_key(ev, "since");
	jsonw_time(ev, s->tunnel_start_us);
	jsonw_ku64(ev, "min_duration_s", c->relay_min_tunnel_s);
	jsonw_obj_end(ev);
	jsonw_ku64(ev, "window_s", (uint64_t)c->window_buckets * c->bucket_s);
	evidence_end(d);
	snprintf(summary, sizeof(summary), "%s relays: a tunnel to %s%s%s and short flows to %u destinations "
	    "(%.1f MB vs %.1f MB)", hb, s->tunnel_remote, s->tunnel_name[0] ? " " : "", s->tunnel_name, ndests,
	    (double)tunnel_bytes / 1e6, (double)short_bytes / 1e6);
	detect_alert(d, hs, family, DET_RELAY, family == FAM_UNKNOWN_PROXYWARE ? SEV_MEDIUM : SEV_HIGH,
	    family == FAM_UNKNOWN_PROXYWARE ? 60 : 80, summary, ev->buf, w, now_us);
}
