/*
 * test_metrics.c - the stats event turned into Prometheus text (output_metrics_render), and the two
 * configuration functions the text's keys depend on.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "output_metrics.h"

static char *
render(const char *json)
{
	char *text = NULL;
	size_t len = 0;

	if (output_metrics_render(json, strlen(json), &text, &len) != 0)
		return NULL;
	CHECK_EQ(strlen(text), len);
	return text;
}

int
main(void)
{
	char *t;

	/* Known figures get their names, types, help and labels. */
	t = render("{\"timestamp\":\"2024-02-26T20:33:10.500000Z\",\"event_type\":\"stats\",\"stats\":{"
	    "\"packets\":12,\"bytes\":3000000000000,\"decoder\":{\"ok\":10,\"truncated_tcp\":2},"
	    "\"alerts\":{\"signature\":1,\"fleet\":0,\"suppressed\":4},"
	    "\"store\":{\"backend\":\"redis\",\"queued\":7,\"connected\":false}}}");
	CHECK(t != NULL);
	if (t) {
		CHECK(strstr(t, "# TYPE dcdnwatch_packets_total counter\ndcdnwatch_packets_total 12\n") != NULL);
		CHECK(strstr(t, "dcdnwatch_bytes_total 3000000000000\n") != NULL);
		CHECK(strstr(t, "dcdnwatch_decode_errors_total{reason=\"truncated_tcp\"} 2\n") != NULL);
		CHECK(strstr(t, "dcdnwatch_alerts_total{detector=\"signature\"} 1\n"
		    "dcdnwatch_alerts_total{detector=\"fleet\"} 0\n") != NULL);
		CHECK(strstr(t, "dcdnwatch_alerts_suppressed_total 4\n") != NULL);
		CHECK(strstr(t, "# TYPE dcdnwatch_store_queue_depth gauge\ndcdnwatch_store_queue_depth 7\n") != NULL);
		CHECK(strstr(t, "dcdnwatch_store_connected 0\n") != NULL);
		CHECK(strstr(t, "dcdnwatch_info{version=\"" PACKAGE_VERSION "\",store=\"redis\"} 1\n") != NULL);
		CHECK(strstr(t, "dcdnwatch_packet_time_seconds 1708979590.500000\n") != NULL);
		/* One HELP and TYPE per family, even with several samples. */
		CHECK(strstr(t, "# TYPE dcdnwatch_alerts_total counter") != NULL);
		CHECK(strstr(strstr(t, "# TYPE dcdnwatch_alerts_total") + 1, "# TYPE dcdnwatch_alerts_total") == NULL);
		free(t);
	}

	/* A figure the table does not know yet still comes out, untyped, named after its path. */
	t = render("{\"timestamp\":\"2024-02-26T20:33:10.000000Z\",\"event_type\":\"stats\",\"stats\":{"
	    "\"time\":{\"jumps_forward\":3,\"jumps_back\":1}}}");
	CHECK(t != NULL);
	if (t) {
		CHECK(strstr(t, "# TYPE dcdnwatch_time_jumps_forward untyped\ndcdnwatch_time_jumps_forward 3\n") != NULL);
		CHECK(strstr(t, "dcdnwatch_time_jumps_back 1\n") != NULL);
		free(t);
	}

	/* Other events, and text that is not JSON, are not metrics. */
	CHECK(render("{\"timestamp\":\"2024-02-26T20:33:10.000000Z\",\"event_type\":\"alert\",\"host\":\"10.0.0.1\"}")
	    == NULL);
	CHECK(render("{\"stats\":{\"packets\":") == NULL);
	CHECK(render("") == NULL);

	/* The configuration: the dump reads back; a value a run refuses is refused when set. */
	{
		struct conf c;
		char err[512];

		conf_defaults(&c);
		CHECK(conf_set(&c, "zone_policy.unused", "vni:abc", err, sizeof(err)) != 0);
		CHECK(strstr(err, "zone_policy.unused: 'vni:abc'") != NULL);
		CHECK(conf_set(&c, "zone_policy.unused", "vlan:5,vni:7", err, sizeof(err)) == 0);
		CHECK(conf_set(&c, "home_net", "10.0.0.0/8, 2001:db8::/32", err, sizeof(err)) == 0);
		CHECK(conf_set(&c, "home_net", "10.0.0.0/33", err, sizeof(err)) != 0);
		CHECK(conf_set(&c, "redis.prefix", "a\"b", err, sizeof(err)) != 0);
		CHECK_STR(c.unused_zones, "vlan:5,vni:7");
	}
	return check_done("test_metrics");
}
