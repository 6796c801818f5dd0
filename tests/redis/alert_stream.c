/*
 * alert_stream.c - the Redis alert stream (output_redis.c) against a real redis-server, which
 * tests/redis/store.sh starts: alerts only, XADD with MAXLEN ~, the event field, a TTL.  Prints one "ok: ..."
 * or "FAIL: ..." line (failed checks above it) and exits non-zero when any check failed.
 *
 *	alert_stream URL
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "output_redis.h"
#include "redis_test.h"

static void
test_output(const char *url)
{
	char err[512] = "", json[128];
	void *o;
	redisReply *r;
	struct output_redis_stats st;
	int i;

	step_begin();
	set_prefix("out");
	o = output_redis_open(url, prefix, 100, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL) {
		fprintf(stderr, "output_redis_open: %s\n", err);
		return;
	}
	output_redis_set_ttl(o, TTL);
	CHECK_EQ(output_redis_ops.write(o, "flow", "{\"x\":1}", 7), 0);
	CHECK_EQ(output_redis_ops.write(o, "alert", "{\"a\":1}", 7), 0);
	CHECK_EQ(output_redis_ops.write(o, "stats", "{\"s\":1}", 7), 0);
	CHECK_EQ(output_redis_ops.write(o, "alert", "{\"a\":\"two \\\"q\\\"\"}", 17), 0);
	output_redis_stats(o, &st);
	CHECK_EQ(st.queued, 2);
	output_redis_ops.flush(o);
	output_redis_stats(o, &st);
	CHECK_EQ(st.queued, 0);
	CHECK_EQ(st.sent, 2);
	CHECK_EQ(cmd_int("XLEN %salerts", prefix), 2);
	r = cmd("XRANGE %salerts - +", prefix);
	CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
	if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
		const redisReply *f = r->element[1]->element[1];

		CHECK(f->elements == 2);
		CHECK_STR(f->element[0]->str, "event");
		CHECK_STR(f->element[1]->str, "{\"a\":\"two \\\"q\\\"\"}");
	}
	if (r)
		freeReplyObject(r);
	/* MAXLEN ~ keeps the stream near its cap. */
	for (i = 0; i < 1000; i++) {
		int len = snprintf(json, sizeof(json), "{\"n\":%d}", i);

		output_redis_ops.write(o, "alert", json, (size_t)len);
	}
	output_redis_ops.flush(o);
	{
		long long xl = cmd_int("XLEN %salerts", prefix);

		CHECK(xl >= 100 && xl <= 300);
	}
	CHECK(check_ttls(prefix, TTL) == 1);
	output_redis_ops.close(o);
	step_end("alert stream: alerts only, XADD MAXLEN ~, field event = the JSON, TTL");
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);	/* as main does: hiredis writes to sockets with write(2) */
	if (argc != 2) {
		fprintf(stderr, "usage: %s URL\n", argv[0]);
		return 2;
	}
	if (raw_open(argv[1], -1) != 0)
		return 1;
	test_output(argv[1]);
	raw_close();
	return check_done("alert_stream");
}
