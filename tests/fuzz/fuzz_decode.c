/*
 * fuzz_decode.c - libFuzzer target for the packet path: decoder, fragment table, flow table and nDPI.
 *
 * Input: one byte choosing the link type (and how far time jumps), then the frame.  Each input is also run
 * through the whole engine with the detection layer and the shipped signatures, so the flow table, nDPI,
 * the DNS answer parser, host windows and detectors see decoder output they could not otherwise meet.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pcap/pcap.h>

#include "conf.h"
#include "decode.h"
#include "detect.h"
#include "engine.h"
#include "output.h"
#include "sigdb.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL, DLT_LOOP, DLT_PPP,
			     DLT_C_HDLC };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf conf;
	static struct outputs outs;
	static struct engine *eng;
	static uint64_t ts = 1000000;
	static const struct decode_cfg dcfg = { 4789, 6081 };
	struct decoded d;
	int dlt;

	if (size < 1)
		return 0;
	if (eng == NULL) {
		static struct store store;
		char err[1024];
		struct engine_opts o = { false };
		struct sigdb *db = sigdb_load(SRC_SIGDIR, err, sizeof(err));
		struct detect *det;

		conf_defaults(&conf);
		conf.flow_max = 1000;
		conf.host_max = 1000;
		conf.learning_s = 120;
		/* Small thresholds, so detectors fire on what a fuzzer can build. */
		conf.np_min_peers = 2;
		conf.np_min_upload = 100;
		conf.relay_min_dests = 2;
		conf.fleet_min_hosts = 2;
		conf.newhosts_min = 2;
		conf.beacon_min_events = 3;
		store.ops = &store_mem_ops;
		store.ctx = store_mem_open();
		det = detect_new(&conf, &outs, db, &store, err, sizeof(err));
		eng = engine_new(&conf, &o, &outs, det, err, sizeof(err));
	}
	dlt = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	(void)decode_packet(&dcfg, dlt, data + 1, (uint32_t)(size - 1), (uint32_t)(size - 1) + data[0], &d);
	ts += 1000 + data[0] * 1000000ull;
	engine_packet(eng, dlt, ts, data + 1, (uint32_t)(size - 1), (uint32_t)(size - 1));
	return 0;
}
