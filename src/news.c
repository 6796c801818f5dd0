/*
 * news.c - the news of a sharded run (news.h), written and read back.  A worker's engine tells its news
 * writer, which writes it down; on the replaying side the serial engine hears it in packet order and writes
 * the events a single engine writes.  A snapshot stands for the flow's record as it was when the worker
 * wrote the news; detection's own part (struct flow_det) is the live flow's, which only the replay writes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "engine.h"
#include "flow.h"
#include "log.h"
#include "news.h"

static struct news *
news_add(struct news_buf *b)
{
	struct news *n;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	n = &b->v[b->n++];
	memset(n, 0, sizeof(*n));
	return n;
}

/* Room for n's snapshot. */
static struct flow_rec *
news_snap_add(struct news_buf *b, struct news *n)
{
	if (b->nsnap == b->snapcap) {
		b->snapcap = b->snapcap ? b->snapcap * 2 : 64;
		b->snap = xrealloc(b->snap, b->snapcap * sizeof(*b->snap));
	}
	n->snap = (uint32_t)++b->nsnap;
	return &b->snap[b->nsnap - 1];
}

struct news_writer {
	struct news_buf *buf;		/* where news goes now */
	bool detecting;
	uint64_t bucket_us, bucket_end_us;	/* detection's clock */
	uint64_t last_close_seq;	/* the record of the last bucket end */
};

struct news_writer *
news_writer_new(const struct conf *conf, bool detecting)
{
	struct news_writer *w = xcalloc(1, sizeof(*w));

	w->detecting = detecting;
	w->bucket_us = (uint64_t)conf->bucket_s * 1000000u;
	return w;
}

void
news_writer_free(struct news_writer *w)
{
	free(w);
}

void
news_writer_set_buf(struct news_writer *w, struct news_buf *b)
{
	w->buf = b;
}

/* News about f, with a snapshot of its record when the flow goes on. */
static struct news *
tell(struct news_writer *w, const struct engine_at *at, enum news_kind kind, struct flow *f, bool snap)
{
	struct news *n = news_add(w->buf);

	n->seq = at->seq;
	n->now_us = at->now_us;
	n->kind = (uint8_t)kind;
	n->phase = at->phase;
	n->f = f;
	if (snap)
		*news_snap_add(w->buf, n) = f->rec;
	if (f) {
		n->key1 = f->tclass;
		n->key2 = f->touch;
	}
	return n;
}

static void
tell_speaks(void *ctx, const struct engine_at *at, struct flow *f, int dir, bool created)
{
	struct news *n = tell(ctx, at, NEWS_SPEAKS, f, true);

	n->arg = (uint8_t)dir;
	n->created = created;
}

static void
tell_classified(void *ctx, const struct engine_at *at, struct flow *f)
{
	tell(ctx, at, NEWS_CLASSIFIED, f, true);
}

static void
tell_dns(void *ctx, const struct engine_at *at, struct flow *f, const uint8_t *msg, uint32_t len)
{
	struct news_writer *w = ctx;
	struct news *n;

	if (!w->detecting)
		return;
	n = tell(w, at, NEWS_DNS, f, true);
	n->msg = msg;
	n->len = len;
}

static void
tell_swapped(void *ctx, const struct engine_at *at, struct flow *f)
{
	tell(ctx, at, NEWS_SWAP, f, false);
}

static void
tell_ended(void *ctx, const struct engine_at *at, struct flow *f, enum flow_end why, bool fresh)
{
	struct news *n = tell(ctx, at, NEWS_END, f, why == FE_ACTIVE);

	n->arg = (uint8_t)why;
	n->fresh = fresh;
}

static void
tell_running(void *arg, struct flow *f)
{
	struct news_writer *w = arg;
	struct news_buf *b = w->buf;
	struct running_flow *r;

	/* Attribution skips flows with no address of the home net: so can the list. */
	if (f->rec.home == 0)
		return;
	if (b->nrun == b->runcap) {
		b->runcap = b->runcap ? b->runcap * 2 : 1024;
		b->run = xrealloc(b->run, b->runcap * sizeof(*b->run));
	}
	r = &b->run[b->nrun++];
	r->f = f;
	r->touch = f->touch;
	r->first_us = f->rec.first_us;
	memcpy(r->bytes, f->rec.bytes, sizeof(r->bytes));
	memcpy(r->pkts, f->rec.pkts, sizeof(r->pkts));
	r->l7 = f->rec.l7;
	r->tclass = f->tclass;
	r->init_is_b = f->rec.init_is_b;
	r->spoke = f->rec.spoke;
}

/*
 * A worker keeps detection's clock: its start at the first record, then every bucket end (buckets are
 * aligned on multiples of their length, as detect.c has them), with the flows that ran since the last.
 */
static uint64_t
tell_tick(void *ctx, const struct engine_at *at, struct flow_table *flows)
{
	struct news_writer *w = ctx;
	uint64_t aligned = (at->now_us / w->bucket_us + 1) * w->bucket_us;
	struct news *n;
	size_t from;

	if (!w->detecting)
		return UINT64_MAX;
	if (w->bucket_end_us && at->now_us < w->bucket_end_us)
		return w->bucket_end_us;
	from = w->buf->nrun;
	if (w->bucket_end_us) {
		flow_table_foreach_since(flows, w->last_close_seq, tell_running, w);
		w->last_close_seq = at->seq;
	}
	n = tell(w, at, NEWS_TICK, NULL, false);
	n->run_from = (uint32_t)from;
	n->run_n = (uint32_t)(w->buf->nrun - from);
	w->bucket_end_us = aligned;
	return w->bucket_end_us;
}

static const struct engine_sink_ops news_ops = {
	.speaks = tell_speaks,
	.classified = tell_classified,
	.dns = tell_dns,
	.swapped = tell_swapped,
	.ended = tell_ended,
	.tick = tell_tick,
	.owns_ended = true,
};

struct engine_sink
news_writer_sink(struct news_writer *w)
{
	struct engine_sink sk = { &news_ops, w };

	return sk;
}

/*
 * The flows whose records ended in news already replayed: frozen since, and freed by the worker that
 * made them, in its own malloc arena, when it takes the news buffer back.
 */
void
news_buf_reclaim(struct news_buf *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->v[i].kind == NEWS_END && b->v[i].arg != FE_ACTIVE)
			flow_free(b->v[i].f);
	b->n = 0;
	b->nrun = 0;
	b->nsnap = 0;
}

void
news_buf_free(struct news_buf *b)
{
	free(b->v);
	free(b->run);
	free(b->snap);
}

/*
 * n's snapshot, if it has one, is snap: the flow's record as it was then.  Detection's own part of the flow
 * is the live flow's, this thread's alone.
 */
void
news_replay_one(struct news_replay *rp, const struct news *n, const struct flow_rec *snap)
{
	struct engine *e = rp->eng;
	const struct flow_rec *f = snap ? snap : &n->f->rec;
	struct flow_det *fd = &n->f->det;

	engine_set_now(e, n->now_us);
	switch ((enum news_kind)n->kind) {
	case NEWS_SWAP:
		engine_flow_swapped(e, fd);
		break;
	case NEWS_SPEAKS:
		/* A new flow speaks with its first packet: count the flows held as one table would. */
		if (n->created && ++rp->held > rp->held_peak)
			rp->held_peak = rp->held;
		engine_flow_speaks(e, f, fd, n->arg, n->now_us);
		break;
	case NEWS_CLASSIFIED:
		engine_flow_classified(e, f, fd, n->now_us);
		break;
	case NEWS_DNS:
		engine_flow_dns(e, f, n->msg, n->len, n->now_us);
		break;
	case NEWS_END:
		if (n->arg != FE_ACTIVE && rp->held)
			rp->held--;
		engine_flow_ended(e, f, fd, (enum flow_end)n->arg, n->fresh, n->now_us);
		break;
	case NEWS_TICK:
		break;
	}
}

/* A running flow's record as attribution sees it, from its copy. */
static void
running_view(struct flow_rec *tmp, const struct running_flow *r)
{
	memset(tmp, 0, sizeof(*tmp));
	/* Written once, before the worker told of the flow: safe to read while it runs. */
	tmp->key = r->f->rec.key;
	tmp->home = r->f->rec.home;
	tmp->first_us = r->first_us;
	memcpy(tmp->bytes, r->bytes, sizeof(tmp->bytes));
	memcpy(tmp->pkts, r->pkts, sizeof(tmp->pkts));
	tmp->l7 = r->l7;
	tmp->init_is_b = r->init_is_b;
	tmp->spoke = r->spoke;
}

static void
replayed_running(void *src, detect_flow_fn fn, void *arg)
{
	struct news_replay *rp = src;
	size_t i;

	for (i = 0; i < rp->nrun; i++) {
		struct flow_rec tmp;

		running_view(&tmp, rp->run[i]);
		fn(arg, &tmp, &rp->run[i]->f->det);
	}
}

void
news_replay_tick(struct news_replay *rp, uint64_t now_us)
{
	engine_clock(rp->eng, now_us, replayed_running, rp);
}

void
news_replay_final(struct news_replay *rp, const struct final_flow *ff)
{
	engine_flow_ended(rp->eng, &ff->f->rec, &ff->f->det, FE_SHUTDOWN, ff->fresh, engine_now(rp->eng));
	flow_free(ff->f);
}
