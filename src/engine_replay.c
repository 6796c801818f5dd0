/*
 * engine_replay.c - the replaying side of a sharded run (shard.c): the serial engine hears, in packet
 * order, what its workers' engines told their sinks, and writes the events a single engine writes.  A
 * snapshot stands for the flow's record (struct flow_rec) as it was when the worker wrote the news;
 * detection's own part (struct flow_det) is the live flow's, which only this side writes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "flow.h"
#include "shard.h"

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
