/*
 * engine_replay.c - the replaying side of a sharded run (shard.c): the serial engine hears, in packet
 * order, what its workers would have told the detection layer, and writes the events a single engine
 * writes.  A snapshot stands for the flow's record (struct flow_rec) as it was when the worker wrote the
 * news; detection's own part (struct flow_det) is the live flow's, which only this side writes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "engine.h"
#include "engine_int.h"
#include "flow.h"
#include "shard.h"

/*
 * n's snapshot, if it has one, is snap: the flow's record as it was then.  Detection's own part of the flow
 * is the live flow's, this thread's alone.
 */
void
engine_replay(struct engine *e, const struct news *n, const struct flow_rec *snap)
{
	const struct flow_rec *f = snap ? snap : &n->f->rec;
	struct flow_det *fd = &n->f->det;

	engine_set_now(e, n->now_us);
	switch ((enum news_kind)n->kind) {
	case NEWS_SWAP:
		engine_swap_acc(fd);
		break;
	case NEWS_SPEAKS:
		/* A new flow speaks with its first packet: count the flows held as one table would. */
		if (n->created && ++e->held > e->held_peak)
			e->held_peak = e->held;
		if (e->det)
			detect_flow_speaks(e->det, f, fd, n->arg, n->now_us);
		break;
	case NEWS_CLASSIFIED:
		if (e->det)
			detect_flow_classified(e->det, f, fd, n->now_us);
		break;
	case NEWS_DNS:
		if (e->det)
			detect_dns_response(e->det, f, n->msg, n->len, n->now_us);
		break;
	case NEWS_END:
		if (n->arg != FE_ACTIVE && e->held)
			e->held--;
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
	struct engine *e = src;
	size_t i;

	for (i = 0; i < e->nrunning; i++) {
		struct flow_rec tmp;

		running_view(&tmp, e->running[i]);
		fn(arg, &tmp, &e->running[i]->f->det);
	}
}

void
engine_replay_tick(struct engine *e, uint64_t now_us, const struct running_flow *const *running, size_t n)
{
	engine_set_now(e, now_us);
	if (e->det == NULL)
		return;
	e->running = running;
	e->nrunning = n;
	detect_set_running(e->det, replayed_running, e);
	detect_tick(e->det, now_us);
	detect_set_running(e->det, engine_table_running, e);
	e->running = NULL;
	e->nrunning = 0;
}

void
engine_replay_final(struct engine *e, const struct final_flow *ff)
{
	engine_flow_ended(e, &ff->f->rec, &ff->f->det, FE_SHUTDOWN, ff->fresh, e->now_us);
	flow_free(ff->f);
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

