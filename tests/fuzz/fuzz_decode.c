/*
 * fuzz_decode.c - libFuzzer target for the packet path: decoder, fragment table, flow table and nDPI.
 *
 * Input: one byte choosing the link type, then the frame.  Each input is also run through the whole
 * engine, so the flow table and classification see decoder output they could not otherwise meet.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pcap/pcap.h>

#include "conf.h"
#include "decode.h"
#include "engine.h"
#include "output.h"

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
		char err[256];
		struct engine_opts o = { false };

		conf_defaults(&conf);
		conf.flow_max = 1000;
		eng = engine_new(&conf, &o, &outs, NULL, err, sizeof(err));
	}
	dlt = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	(void)decode_packet(&dcfg, dlt, data + 1, (uint32_t)(size - 1), (uint32_t)(size - 1) + data[0], &d);
	ts += 1000 + data[0] * 1000000ull;
	engine_packet(eng, dlt, ts, data + 1, (uint32_t)(size - 1), (uint32_t)(size - 1));
	return 0;
}
