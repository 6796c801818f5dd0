/*
 * detect.c - the detection layer's glue: attributes flows to host buckets, closes buckets on packet time,
 * calls the detectors (one per detect_*.c file) and raises alerts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <ndpi/ndpi_protocol_ids.h>

#include "detect.h"
#include "detectors.h"
#include "family.h"
#include "log.h"
#include "policy.h"
#include "sigdb.h"
#include "verdict.h"

static void on_host_drop(void *arg, struct host *hs);
static void host_seen(struct detect *d, struct host *hs, uint64_t now_us);

struct detect *
detect_new(const struct conf *conf, struct outputs *outs, const struct sigdb *db, struct store *store, char *err,
	   size_t errlen)
{
	struct detect *d = xcalloc(1, sizeof(*d));
	struct hosts_cfg hc;

	d->conf = conf;
	d->sigdb = db;
	d->store = store;
	if ((d->home = netset_parse(conf->home_net, err, errlen)) == NULL)
		goto fail;
	if ((d->policy = policy_new(conf, err, errlen)) == NULL)
		goto fail;
	memset(&hc, 0, sizeof(hc));
	hc.max_hosts = conf->host_max;
	hc.window = conf->window_buckets;
	hc.group_v4_bits = conf->group_v4_bits;
	hc.group_v6_bits = conf->group_v6_bits;
	/* A new bucket weighs 1/20: the baseline remembers about the last twenty buckets. */
	hc.alpha = 0.05;
	hc.on_drop = on_host_drop;
	hc.on_drop_arg = d;
	d->hosts = hosts_new(&hc);
	d->alerts = alerts_new(outs, store, conf->suppress_s, conf->host_max);
	d->dnsmap = dnsmap_new();
	d->fleet = fleet_new();
	d->newhosts = newhosts_new();
	d->bucket_us = (uint64_t)conf->bucket_s * 1000000u;
	d->host_seen = host_seen;
	d->family_verdict = fleet_verdict;
	jsonw_init(&d->ev);
	return d;
fail:
	netset_free(d->home);
	free(d);
	return NULL;
}

void
detect_free(struct detect *d)
{
	if (d == NULL)
		return;
	hosts_free(d->hosts);
	alerts_free(d->alerts);
	dnsmap_free(d->dnsmap);
	fleet_free(d->fleet);
	newhosts_free(d->newhosts);
	policy_free(d->policy);
	netset_free(d->home);
	jsonw_clear(&d->ev);
	free(d);
}

void
detect_conf_changed(struct detect *d)
{
	alerts_set_suppress(d->alerts, d->conf->suppress_s);
}

void
detect_set_sigdb(struct detect *d, const struct sigdb *db)
{
	d->sigdb = db;
}

void
detect_set_running(struct detect *d, void (*each)(void *src, detect_flow_fn fn, void *arg), void *src)
{
	d->running = each;
	d->running_src = src;
}

static void
on_host_drop(void *arg, struct host *hs)
{
	(void)arg;
	beacon_free(hs);
	relay_free(hs);
}

/* A home host seen for the first time: a new one joins the new hosts; any may be in an unused zone. */
static void
host_seen(struct detect *d, struct host *hs, uint64_t now_us)
{
	if (!hs->known)
		newhosts_host(d, hs, now_us);
	zone_policy_host(d, hs, now_us);
}

static void
restore_host(void *arg, const struct host_record *r)
{
	struct detect *d = arg;
	bool created;
	struct host *hs = hosts_get(d->hosts, r->ipver, r->addr, r->zone, r->last_us, &created);

	hs->first_us = r->first_us;
	hs->last_us = r->last_us;
	hs->known = r->known;
	hs->served = r->served;
	if (created && hs->known) {
		host_group(d->hosts, hs)->members++;
		if (hs->served)
			host_group(d->hosts, hs)->serving_members++;
	}
	hs->family = r->family;
	hs->family_score = r->family_score;
	memcpy(hs->bl, r->bl, sizeof(hs->bl));
}

/* The first packet: learning starts at the deployment's first packet, which the store may remember. */
static void
detect_start(struct detect *d, uint64_t now_us)
{
	uint64_t epoch = d->store->ops->get_epoch(d->store->ctx);

	if (epoch == 0 || epoch > now_us) {
		epoch = now_us;
		d->store->ops->set_epoch(d->store->ctx, epoch);
	}
	d->epoch_us = epoch;
	d->learning_end_us = epoch + (uint64_t)d->conf->learning_s * 1000000u;
	/* Buckets are aligned on multiples of their length, so sensors and restarts agree on them. */
	d->bucket_end_us = (now_us / d->bucket_us + 1) * d->bucket_us;
	d->store->ops->host_load_all(d->store->ctx, restore_host, d);
	alerts_restore(d->alerts, now_us);
}

void
detect_flow_speaks(struct detect *d, const struct flow_rec *f, struct flow_det *fd, int dir, uint64_t now_us)
{
	int init = f->init_is_b ? 1 : 0;
	int side = dir == 0 ? init : 1 - init;
	const uint8_t *remote = side ? f->key.a : f->key.b;
	int remote_home = f->home & (1 << (1 - side));
	struct host *hs = detect_side_host(d, f, side, now_us);
	struct bucket *b;

	if (hs == NULL)
		return;
	b = host_bucket(d->hosts, hs);
	if (side == init) {
		b->flows_init++;
		sketch_add_peer(&b->peers_out, remote, f->key.ipver);
	} else {
		/* It answered: it accepted the flow. */
		b->flows_acc++;
		if (!remote_home) {
			b->flows_acc_out++;
			sketch_add_peer(&b->peers_in, remote, f->key.ipver);
			sketch_add_port(&b->ports_in, side ? f->key.pb : f->key.pa);
			if (detect_learning(d, now_us) && !hs->served) {
				hs->served = 1;
				host_group(d->hosts, hs)->serving_members++;
			}
		}
	}
	signature_flow_side(d, f, fd, side, now_us);
}

void
detect_flow_classified(struct detect *d, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us)
{
	int init = f->init_is_b ? 1 : 0, resp = 1 - init;
	struct host *hs;

	/* What an outside peer came for: TLS or something nDPI cannot name is what dCDN nodes serve. */
	if ((f->home & (1 << resp)) && !(f->home & (1 << init)) && (f->spoke & 2) &&
	    (hs = detect_side_host(d, f, resp, now_us)) != NULL) {
		struct bucket *b = host_bucket(d->hosts, hs);

		if (f->master == NDPI_PROTOCOL_TLS || f->app == NDPI_PROTOCOL_TLS)
			b->tls_in++;
		else if (f->master == NDPI_PROTOCOL_UNKNOWN && f->app == NDPI_PROTOCOL_UNKNOWN)
			b->unknown_in++;
		node_profile_early(d, hs, now_us);
	}
	signature_classified(d, f, fd, now_us);
	if ((f->spoke & 1) && (hs = detect_side_host(d, f, init, now_us)) != NULL) {
		beacon_flow(d, hs, f, now_us);
		outbound_policy_classified(d, hs, f, now_us);
		if (f->l7 && f->l7->name)
			fleet_name(d, hs, f->l7->name, now_us);
	}
}

void
detect_dns_response(struct detect *d, const struct flow_rec *f, const uint8_t *msg, uint32_t len, uint64_t now_us)
{
	signature_dns(d, f, msg, len, now_us);
}

/* Move what a flow carried since last time into its hosts' open buckets. */
static void
attribute(struct detect *d, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us)
{
	int init = f->init_is_b ? 1 : 0, side;
	/* Never negative, whatever a flow's record went through (a direction fixed late, a new slice). */
	uint64_t db[2] = { f->bytes[0] > fd->acc_bytes[0] ? f->bytes[0] - fd->acc_bytes[0] : 0,
			   f->bytes[1] > fd->acc_bytes[1] ? f->bytes[1] - fd->acc_bytes[1] : 0 };
	uint32_t dp[2] = { f->pkts[0] > fd->acc_pkts[0] ? f->pkts[0] - fd->acc_pkts[0] : 0,
			   f->pkts[1] > fd->acc_pkts[1] ? f->pkts[1] - fd->acc_pkts[1] : 0 };

	if (f->home == 0 || (db[0] == 0 && db[1] == 0))
		return;
	for (side = 0; side < 2; side++) {
		struct host *hs;
		struct bucket *b;
		int out = side == init ? 0 : 1;	/* index of the direction this host sends in */

		/* A side that never sent anything is no host of ours (a scanned address, a forged peer). */
		if (!(f->spoke & (1 << out)) || (hs = detect_side_host(d, f, side, now_us)) == NULL)
			continue;
		b = host_bucket(d->hosts, hs);
		b->bytes_out += db[out];
		b->bytes_in += db[1 - out];
		b->pkts_out += dp[out];
		b->pkts_in += dp[1 - out];
		if (side != init && !(f->home & (1 << init))) {
			b->bytes_srv_out += db[out];
			b->bytes_srv_in += db[1 - out];
		}
		/* At a bucket end now_us is that end: the bytes belong to the bucket before it. */
		if (side == init && !(f->home & (1 << (1 - init))))
			relay_running(d, hs, f, fd, db[0] + db[1], now_us ? now_us - 1 : 0);
	}
	fd->acc_bytes[0] = f->bytes[0];
	fd->acc_bytes[1] = f->bytes[1];
	fd->acc_pkts[0] = f->pkts[0];
	fd->acc_pkts[1] = f->pkts[1];
}

void
detect_flow_end(struct detect *d, const struct flow_rec *f, struct flow_det *fd, uint64_t now_us)
{
	int init = f->init_is_b ? 1 : 0;
	struct host *hs;

	attribute(d, f, fd, now_us);
	if ((f->spoke & 1) && !(f->home & (1 << (1 - init))) && (hs = detect_side_host(d, f, init, now_us)) != NULL)
		relay_flow_end(d, hs, f, fd, now_us);
	/* A served flow that ended brought its upload into the window: judge the server early. */
	if ((f->spoke & 2) && !(f->home & (1 << init)) && (hs = detect_side_host(d, f, 1 - init, now_us)) != NULL)
		node_profile_early(d, hs, now_us);
}

struct attr_ctx {
	struct detect *d;
	uint64_t now_us;
};

static void
attribute_cb(void *arg, const struct flow_rec *f, struct flow_det *fd)
{
	struct attr_ctx *c = arg;

	attribute(c->d, f, fd, c->now_us);
}

struct judge_ctx {
	struct detect *d;
	uint64_t end_us;
	int final;		/* the last bucket of the run: save every host with unsaved state */
};

#define HOST_SAVE_EVERY 5	/* buckets between checkpoints of host state in the store */

static void
save_host(struct detect *d, const struct host *hs)
{
	struct host_record r;

	memset(&r, 0, sizeof(r));
	r.ipver = hs->ipver;
	memcpy(r.addr, hs->addr, 16);
	r.zone = hs->zone;
	r.first_us = hs->first_us;
	r.last_us = hs->last_us;
	r.known = hs->known;
	r.served = hs->served;
	r.family = hs->family;
	r.family_score = hs->family_score;
	memcpy(r.bl, hs->bl, sizeof(r.bl));
	d->store->ops->host_save(d->store->ctx, &r);
}

static void
judge_cb(void *arg, struct host *hs, const struct window *w, const struct bucket *b)
{
	struct judge_ctx *c = arg;
	struct detect *d = c->d;
	/* The verdict's time is the end of the bucket that showed it. */
	uint64_t t = c->end_us;

	if (!detect_learning(d, t - 1)) {
		node_profile_judge(d, hs, w, t);
		baseline_judge(d, hs, w, t);
		relay_judge(d, hs, w, t);
	}
	/*
	 * Host state is a checkpoint: written every HOST_SAVE_EVERY buckets, and at the end of a run, so the
	 * store gets one batch per few buckets instead of one per bucket.  A restart resumes from baselines at
	 * most that many buckets old.
	 */
	if ((b->pkts_in || b->pkts_out || b->flows_init || b->flows_acc || hs->save_pending) &&
	    (c->final || (c->end_us / d->bucket_us) % HOST_SAVE_EVERY == 0)) {
		save_host(d, hs);
		hs->save_pending = 0;
	} else if (b->pkts_in || b->pkts_out || b->flows_init || b->flows_acc) {
		hs->save_pending = 1;
	}
}

static void
close_bucket(struct detect *d, uint64_t end_us, int final)
{
	struct attr_ctx ac = { d, end_us };
	struct judge_ctx jc = { d, end_us, final };

	if (d->running)
		d->running(d->running_src, attribute_cb, &ac);
	hosts_close_bucket(d->hosts, judge_cb, &jc);
	fleet_tick(d, end_us);
	newhosts_tick(d, end_us);
	alerts_expire(d->alerts, end_us);
	d->store->ops->flush(d->store->ctx, end_us);
}

void
detect_tick(struct detect *d, uint64_t now_us)
{
	uint32_t n = 0;

	if (d->bucket_end_us == 0) {
		detect_start(d, now_us);
		return;
	}
	while (now_us >= d->bucket_end_us) {
		close_bucket(d, d->bucket_end_us, 0);
		d->bucket_end_us += d->bucket_us;
		/* After a long gap, one empty window's worth of buckets is enough to age everything. */
		if (++n > d->conf->window_buckets + 1 && now_us >= d->bucket_end_us)
			d->bucket_end_us = (now_us / d->bucket_us + 1) * d->bucket_us;
	}
}

void
detect_finish(struct detect *d, uint64_t now_us)
{
	if (d->bucket_end_us == 0)
		return;
	detect_tick(d, now_us);
	/* The open bucket holds the end of the capture: judge it too. */
	close_bucket(d, now_us > d->bucket_end_us - d->bucket_us ? now_us : d->bucket_end_us - d->bucket_us, 1);
	d->bucket_end_us = 0;
}

void
detect_stats_json(struct detect *d, struct jsonw *w)
{
	struct store_stats ss;
	int i;

	jsonw_key(w, "alerts");
	jsonw_obj_begin(w);
	for (i = 0; i < DET__COUNT; i++)
		jsonw_ku64(w, detector_name((enum detector)i), alerts_by_detector(d->alerts, (enum detector)i));
	jsonw_ku64(w, "suppressed", alerts_suppressed(d->alerts));
	jsonw_ku64(w, "unrecorded", alerts_unrecorded(d->alerts));
	jsonw_obj_end(w);
	jsonw_key(w, "hosts");
	jsonw_obj_begin(w);
	jsonw_ku64(w, "tracked", hosts_count(d->hosts));
	jsonw_ku64(w, "dropped", hosts_dropped(d->hosts));
	jsonw_ku64(w, "groups", hosts_groups(d->hosts));
	jsonw_obj_end(w);
	d->store->ops->stats(d->store->ctx, &ss);
	jsonw_key(w, "store");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "backend", d->store->ops->name);
	jsonw_ku64(w, "errors", ss.errors);
	jsonw_ku64(w, "reconnects", ss.reconnects);
	jsonw_ku64(w, "queued", ss.queued);
	jsonw_ku64(w, "dropped", ss.dropped);
	jsonw_key(w, "connected");
	jsonw_bool(w, ss.connected);
	jsonw_obj_end(w);
}

void
detect_summary(struct detect *d, FILE *fp)
{
	alerts_summary(d->alerts, fp);
}
