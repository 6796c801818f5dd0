/*
 * engine_int.h - the engine's insides, shared by engine.c (the packet path, a worker's news, events) and
 * engine_replay.c (the replaying side of a sharded run).  Nothing else includes it.
 */
#ifndef DCDN_ENGINE_INT_H
#define DCDN_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "decode.h"
#include "detect.h"
#include "engine.h"
#include "flow.h"
#include "jsonw.h"

struct classifier;
struct frag_table;
struct netset;

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
	uint64_t quiet_until_us;	/* nothing falls due before (engine_pass), 0 at first */
	struct jsonw jw;
	struct label_count labels[LABEL_SLOTS];
	uint64_t labels_other;
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

#endif
