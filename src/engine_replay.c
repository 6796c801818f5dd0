/*
 * engine_replay.c - the replaying side of a sharded run (shard.c): the serial engine hears, in packet
 * order, what its workers would have told the detection layer, and writes the events a single engine
 * writes.  A snapshot stands for the flow: the packet-path fields as they were, detection's own fields
 * from the live flow, and back to it afterwards.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "engine.h"
#include "engine_int.h"
#include "flow.h"
#include "shard.h"

static struct flow *
snap_view(struct flow *tmp, const struct news *n, const struct flow *snap)
{
	memcpy(tmp, snap, FLOW_PACKET_PART);
	memcpy((uint8_t *)tmp + FLOW_PACKET_PART, (const uint8_t *)n->f + FLOW_PACKET_PART,
	    sizeof(*tmp) - FLOW_PACKET_PART);
	return tmp;
}

static void
snap_back(const struct flow *tmp, struct flow *live)
{
	memcpy((uint8_t *)live + FLOW_PACKET_PART, (const uint8_t *)tmp + FLOW_PACKET_PART,
	    sizeof(*tmp) - FLOW_PACKET_PART);
}

/* n's snapshot, if it has one, is snap. */
void
engine_replay(struct engine *e, const struct news *n, const struct flow *snap)
{
	struct flow tmp, *f = snap ? snap_view(&tmp, n, snap) : n->f;

	engine_set_now(e, n->now_us);
	switch ((enum news_kind)n->kind) {
	case NEWS_SWAP:
		engine_swap_acc(f);
		break;
	case NEWS_SPEAKS:
		/* A new flow speaks with its first packet: count the flows held as one table would. */
		if (n->created && ++e->held > e->held_peak)
			e->held_peak = e->held;
		if (e->det)
			detect_flow_speaks(e->det, f, n->arg, n->now_us);
		break;
	case NEWS_CLASSIFIED:
		if (e->det)
			detect_flow_classified(e->det, f, n->now_us);
		break;
	case NEWS_DNS:
		if (e->det)
			detect_dns_response(e->det, f, n->msg, n->len, n->now_us);
		break;
	case NEWS_END:
		if (n->arg != FE_ACTIVE && e->held)
			e->held--;
		engine_flow_ended(e, f, (enum flow_end)n->arg, n->fresh, n->now_us);
		break;
	case NEWS_TICK:
		break;
	}
	if (f == &tmp)
		snap_back(&tmp, n->f);
}

/* A running flow's copy as attribution sees it; detection's own fields go back to the live flow after. */
static void
running_view(struct flow *tmp, const struct running_flow *r)
{
	memset(tmp, 0, FLOW_PACKET_PART);
	/* Written once, before the worker told of the flow: safe to read while it runs. */
	tmp->key = r->f->key;
	tmp->home = r->f->home;
	tmp->first_us = r->first_us;
	memcpy(tmp->bytes, r->bytes, sizeof(tmp->bytes));
	memcpy(tmp->pkts, r->pkts, sizeof(tmp->pkts));
	tmp->l7 = r->l7;
	tmp->tclass = r->tclass;
	tmp->touch = r->touch;
	tmp->init_is_b = r->init_is_b;
	tmp->spoke = r->spoke;
	memcpy((uint8_t *)tmp + FLOW_PACKET_PART, (const uint8_t *)r->f + FLOW_PACKET_PART,
	    sizeof(*tmp) - FLOW_PACKET_PART);
}

static void
replayed_running(void *src, detect_flow_fn fn, void *arg)
{
	struct engine *e = src;
	size_t i;

	for (i = 0; i < e->nrunning; i++) {
		struct flow tmp;

		running_view(&tmp, e->running[i]);
		fn(arg, &tmp);
		snap_back(&tmp, e->running[i]->f);
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
	engine_flow_ended(e, ff->f, FE_SHUTDOWN, ff->fresh, e->now_us);
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

