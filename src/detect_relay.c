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

/* What one bucket of packet time held. */
struct relay_slot {
	uint64_t bucket;		/* bucket number (packet time over host.bucket) */
	uint64_t short_bytes, tunnel_bytes;
	uint32_t short_flows;
	struct sketch dests;		/* distinct destinations of short flows */
};

/* The tunnel: the earliest long outbound flow, or the latest one a signature named. */
struct relay_tunnel {
	char remote[64];
	char name[96];
	uint64_t start_us;
	uint16_t port;
	uint8_t family;
};

/*
 * Made with a host's first short or long outbound flow, and as small as what it saw: a slot per bucket
 * that had such flows, at most host.window of them, in the same allocation, and the tunnel once there is
 * one.
 */
struct relay_state {
	uint64_t tunnel_bucket;		/* last bucket a tunnel was seen in */
	struct relay_tunnel *tunnel;	/* NULL before the first (owned) */
	uint8_t nslot, capslot;
	struct relay_slot slot[];	/* in no order; bucket numbers distinct modulo host.window */
};

void
relay_free(struct host *hs)
{
	struct relay_state *s = hs->relay;
	uint32_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nslot; i++)
		sketch_clear(&s->slot[i].dests);
	free(s->tunnel);
	free(s);
	hs->relay = NULL;
}

/*
 * The slot of the bucket now_us is in, made if need be (the state may move: hs->relay follows).  The
 * slots act as a ring of host.window indexed by bucket number (a bucket takes the place of the one a
 * window before it), holding only the places that were used.
 */
static struct relay_slot *
slot_of(struct detect *d, struct host *hs, uint64_t now_us)
{
	uint64_t b = now_us / d->bucket_us;
	uint32_t w = d->conf->window_buckets, i;
	struct relay_state *s = hs->relay;
	struct relay_slot *sl;

	if (s == NULL) {
		hs->relay = s = xcalloc(1, sizeof(*s) + sizeof(s->slot[0]));
		s->capslot = 1;
	}
	for (i = 0; i < s->nslot; i++) {
		sl = &s->slot[i];
		if (sl->bucket % w == b % w) {
			if (sl->bucket != b) {
				sketch_clear(&sl->dests);
				memset(sl, 0, sizeof(*sl));
				sl->bucket = b;
			}
			return sl;
		}
	}
	if (s->nslot == s->capslot) {
		uint32_t cap = s->capslot * 2u < w ? s->capslot * 2u : w;

		hs->relay = s = xrealloc(s, sizeof(*s) + sizeof(s->slot[0]) * cap);
		s->capslot = (uint8_t)cap;
	}
	sl = &s->slot[s->nslot++];
	memset(sl, 0, sizeof(*sl));
	sl->bucket = b;
	return sl;
}

/* Forget the slots of buckets that left the window ending with bucket cur: no later judgement reads them. */
static void
prune(struct detect *d, struct host *hs, uint64_t cur)
{
	struct relay_state *s = hs->relay;
	uint32_t i = 0;

	while (i < s->nslot) {
		if (s->slot[i].bucket + d->conf->window_buckets <= cur) {
			sketch_clear(&s->slot[i].dests);
			s->slot[i] = s->slot[--s->nslot];
		} else {
			i++;
		}
	}
	if (s->nslot == 0 && s->tunnel == NULL)
		relay_free(hs);
}

/* A long outbound flow, running or ended, with bytes it carried since last seen. */
static void
note_tunnel(struct detect *d, struct host *hs, const struct flow_rec *f, const struct flow_det *fd,
	    uint64_t bytes, uint64_t now_us)
{
	struct relay_slot *sl = slot_of(d, hs, now_us);
	struct relay_state *s = hs->relay;
	struct relay_tunnel *t;

	sl->tunnel_bytes += bytes;
	s->tunnel_bucket = now_us / d->bucket_us;
	if (s->tunnel == NULL)
		s->tunnel = xcalloc(1, sizeof(*s->tunnel));
	t = s->tunnel;
	if (t->start_us == 0 || fd->family != FAM_NONE || f->first_us < t->start_us) {
		addr_format(f->key.ipver, f->init_is_b ? f->key.a : f->key.b, t->remote, sizeof(t->remote));
		snprintf(t->name, sizeof(t->name), "%s", f->l7 && f->l7->name ? f->l7->name : "");
		t->family = fd->family;
		t->start_us = f->first_us;
		t->port = flow_dst_port(f);
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
		struct relay_slot *sl = slot_of(d, hs, now_us);

		sketch_add_peer(&sl->dests, f->init_is_b ? f->key.a : f->key.b, f->key.ipver);
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
	const struct relay_tunnel *t;
	struct sketch dests;
	uint64_t cur, short_bytes = 0, tunnel_bytes = 0;
	uint32_t i, ndests, short_flows = 0;
	struct jsonw *ev = &d->ev;
	int family;
	char hb[64], summary[300];

	if (s == NULL || now_us == 0)
		return;
	cur = (now_us - 1) / d->bucket_us;
	prune(d, hs, cur);
	if ((s = hs->relay) == NULL || s->tunnel_bucket + c->window_buckets <= cur)
		return;		/* no tunnel lately */
	t = s->tunnel;
	memset(&dests, 0, sizeof(dests));
	for (i = 0; i < s->nslot; i++) {
		const struct relay_slot *sl = &s->slot[i];

		if (sl->bucket > cur)
			continue;
		sketch_merge(&dests, &sl->dests);
		short_bytes += sl->short_bytes;
		tunnel_bytes += sl->tunnel_bytes;
		short_flows += sl->short_flows;
	}
	ndests = (uint32_t)(sketch_count(&dests) + 0.5);
	sketch_clear(&dests);
	if (ndests < c->relay_min_dests)
		return;
	if (tunnel_bytes * RELAY_BALANCE < short_bytes || short_bytes * RELAY_BALANCE < tunnel_bytes)
		return;
	family = t->family != FAM_NONE ? t->family
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
	jsonw_kstr(ev, "remote", t->remote);
	jsonw_ku64(ev, "port", t->port);
	if (t->name[0])
		jsonw_kstr(ev, "name", t->name);
	jsonw_key(ev, "since");
	jsonw_time(ev, t->start_us);
	jsonw_ku64(ev, "min_duration_s", c->relay_min_tunnel_s);
	jsonw_obj_end(ev);
	jsonw_ku64(ev, "window_s", (uint64_t)c->window_buckets * c->bucket_s);
	evidence_end(d);
	snprintf(summary, sizeof(summary), "%s relays: a tunnel to %s%s%s and short flows to %u destinations "
	    "(%.1f MB vs %.1f MB)", hb, t->remote, t->name[0] ? " " : "", t->name, ndests,
	    (double)tunnel_bytes / 1e6, (double)short_bytes / 1e6);
	detect_alert(d, hs, family, DET_RELAY, family == FAM_UNKNOWN_PROXYWARE ? SEV_MEDIUM : SEV_HIGH,
	    family == FAM_UNKNOWN_PROXYWARE ? 60 : 80, summary, ev->buf, w, now_us);
}
