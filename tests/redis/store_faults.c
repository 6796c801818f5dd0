/*
 * store_faults.c - the Redis store and alert stream when Redis fails them, against real redis-servers that
 * tests/redis/store.sh starts, stops and kills around it: error replies, servers that refuse a connection
 * (password, database, not Redis at all), a server that comes up late, one killed mid-run.  Every
 * scenario prints one "ok: ..." or "FAIL: ..." line (failed checks above it); the program exits non-zero
 * when any check failed.
 *
 *	store_faults refusals URL		error replies: out of memory, a key of the wrong type
 *	store_faults fail URL TEXT		opening fails with TEXT in the message
 *	store_faults handover URL		server down at open; $REDIS_START brings it up
 *	store_faults outage URL			$REDIS_STOP kills the server mid-run, $REDIS_START brings up an
 *						empty one
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_redis.h"
#include "redis_test.h"

static void
test_refusals(const char *url)
{
	char err[512];
	struct host_record r;
	struct output_redis_stats os;
	void *s, *o;

	step_begin();
	set_prefix("refused");
	s = open_store(url, 100);
	o = output_redis_open(url, prefix, 100, err, sizeof(err));
	CHECK(o != NULL);
	if (s == NULL || o == NULL)
		return;
	output_redis_set_ttl(o, TTL);
	/* Out of memory is passing: the batch stays queued and goes out once Redis has room again. */
	freeReplyObject(cmd("CONFIG SET maxmemory 1"));
	make_record(1, &r);
	store_redis_ops.host_save(s, &r);
	store_redis_ops.set_add(s, "fleet:grass", "10.3.0.1|0", T0);
	output_redis_ops.write(o, "alert", "{\"a\":1}", 7);
	flush_now(s, T0);
	output_redis_ops.flush(o);
	CHECK(stats_of(s).errors >= 1);
	CHECK_EQ(stats_of(s).queued, 2);
	CHECK_EQ(stats_of(s).connected, 1);
	output_redis_stats(o, &os);
	CHECK(os.errors >= 1);
	CHECK_EQ(os.queued, 1);
	freeReplyObject(cmd("CONFIG SET maxmemory 0"));
	flush_now(s, T0);
	output_redis_ops.flush(o);
	CHECK_EQ(stats_of(s).queued, 0);
	output_redis_stats(o, &os);
	CHECK_EQ(os.queued, 0);
	CHECK_EQ(cmd_int("ZCARD %shosts", prefix), 1);
	CHECK_EQ(cmd_int("XLEN %salerts", prefix), 1);
	/* A key of the wrong type is final: counted, and the rest of the batch is written. */
	freeReplyObject(cmd("SET %sset:fleet:titan notaset EX 60", prefix));
	store_redis_ops.set_add(s, "fleet:titan", "10.3.0.2|0", T0);
	store_redis_ops.set_add(s, "fleet:grass", "10.3.0.3|0", T0);
	flush_now(s, T0);
	CHECK_EQ(stats_of(s).queued, 0);
	CHECK_EQ(cmd_int("ZCARD %sset:fleet:grass", prefix), 2);
	{
		uint64_t before = stats_of(s).errors;
		char names[4][STORE_NAME_MAX];
		int n = -1;

		/* Reading it is an error too; the answer falls back to the mirror's. */
		CHECK_EQ(store_redis_ops.set_members(s, "fleet:titan", 0, names, 4, &n), 1);
		CHECK_EQ(n, 1);
		CHECK(stats_of(s).errors > before);
	}
	store_redis_ops.close(s);
	output_redis_ops.close(o);
	step_end("error replies: out of memory keeps the batch queued until it passes; a wrong key type is "
	    "counted and skipped");
}

static int
run_env(const char *var)
{
	const char *c = getenv(var);
	int rc;

	if (c == NULL) {
		fprintf(stderr, "$%s not set\n", var);
		CHECK(0);
		return -1;
	}
	rc = system(c);
	CHECK_EQ(rc, 0);
	return rc;
}

/* The state written in the scenarios below, mirrored in a memory store to compare with. */
static void
write_some(void *rs, void *mem, int from, int to)
{
	struct host_record r;
	char member[STORE_NAME_MAX];
	int i;

	for (i = from; i < to; i++) {
		snprintf(member, sizeof(member), "10.1.0.%d|0", i);
		store_redis_ops.set_add(rs, "fleet:meson", member, T0 + (uint64_t)i * 1000000u);
		store_mem_ops.set_add(mem, "fleet:meson", member, T0 + (uint64_t)i * 1000000u);
		make_record(i, &r);
		store_redis_ops.host_save(rs, &r);
	}
}

/* What Redis holds after the hand-over: the epoch, members 0..to-1 of the set, their hosts, the stream. */
static void
check_arrived(int to)
{
	redisReply *r = cmd("GET %sepoch", prefix);

	CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strtoull(r->str, NULL, 10) == T0);
	if (r)
		freeReplyObject(r);
	CHECK_EQ(cmd_int("ZCARD %sset:fleet:meson", prefix), to);
	CHECK_EQ(cmd_int("ZCARD %shosts", prefix), to);
	CHECK_EQ(check_ttls(prefix, TTL), 4 + to);
}

static void
test_handover(const char *url)
{
	void *mem = store_mem_open(), *rs, *o;
	struct store_stats st;
	struct output_redis_stats os;
	static struct loaded l;
	char err[512];
	uint64_t t;

	step_begin();
	set_prefix("handover");
	/* Nothing listens: not an error, the store runs on its mirror. */
	t = mono_ms();
	rs = open_store(url, 1000);
	o = output_redis_open(url, prefix, 1000, err, sizeof(err));
	CHECK(o != NULL);
	CHECK(mono_ms() - t < 2000);
	if (rs == NULL || o == NULL)
		return;
	output_redis_set_ttl(o, TTL);
	st = stats_of(rs);
	CHECK_EQ(st.connected, 0);
	CHECK_EQ(store_redis_ops.get_epoch(rs), 0);
	store_redis_ops.set_epoch(rs, T0);
	write_some(rs, mem, 0, 10);
	output_redis_ops.write(o, "alert", "{\"a\":1}", 7);
	flush_now(rs, T0);
	output_redis_ops.flush(o);
	st = stats_of(rs);
	CHECK_EQ(st.connected, 0);
	CHECK_EQ(st.queued, 21);
	compare_members(mem, rs, "fleet:meson", 0, 64);
	compare_members(mem, rs, "fleet:meson", T0 + 5000000u, 3);
	memset(&l, 0, sizeof(l));
	CHECK_EQ(store_redis_ops.host_load_all(rs, on_host, &l), 10);
	CHECK_EQ(store_redis_ops.get_epoch(rs), T0);
	printf("   (server down at open, %u writes queued; starting it)\n", (unsigned)st.queued);

	if (run_env("REDIS_START") != 0)
		return;
	if (raw_open(url, -1) != 0) {
		CHECK(0);
		return;
	}
	sleep_ms(1100);		/* the first retry is 1 s after the failed attempt */
	flush_now(rs, T0 + 60000000u);
	output_redis_ops.flush(o);
	st = stats_of(rs);
	CHECK_EQ(st.connected, 1);
	CHECK_EQ(st.reconnects, 1);
	CHECK_EQ(st.queued, 0);
	CHECK_EQ(st.dropped, 0);
	output_redis_stats(o, &os);
	CHECK_EQ(os.connected, 1);
	CHECK_EQ(os.queued, 0);
	CHECK_EQ(cmd_int("XLEN %salerts", prefix), 1);
	check_arrived(10);
	compare_members(mem, rs, "fleet:meson", 0, 64);
	store_redis_ops.close(rs);
	output_redis_ops.close(o);
	store_mem_ops.close(mem);
	raw_close();
	step_end("hand-over: unreachable at open, runs on the mirror, queued writes and the epoch arrive when "
	    "Redis comes up");
}

static void
test_outage(const char *url)
{
	void *mem = store_mem_open(), *rs, *o;
	struct store_stats st;
	struct output_redis_stats os;
	static struct loaded l;
	char err[512];
	uint64_t t;

	step_begin();
	set_prefix("outage");
	if (raw_open(url, -1) != 0) {
		CHECK(0);
		return;
	}
	rs = open_store(url, 1000);
	o = output_redis_open(url, prefix, 1000, err, sizeof(err));
	CHECK(o != NULL);
	if (rs == NULL || o == NULL)
		return;
	output_redis_set_ttl(o, TTL);
	store_redis_ops.set_epoch(rs, T0);
	write_some(rs, mem, 0, 5);
	output_redis_ops.write(o, "alert", "{\"a\":1}", 7);
	flush_now(rs, T0);
	output_redis_ops.flush(o);
	CHECK_EQ(stats_of(rs).queued, 0);
	CHECK_EQ(cmd_int("ZCARD %shosts", prefix), 5);
	raw_close();

	printf("   (killing the server)\n");
	if (run_env("REDIS_STOP") != 0)
		return;
	write_some(rs, mem, 5, 8);
	output_redis_ops.write(o, "alert", "{\"a\":2}", 7);
	t = mono_ms();
	flush_now(rs, T0 + 60000000u);
	output_redis_ops.flush(o);
	/* Again at once: within the backoff nothing is tried. */
	flush_now(rs, T0 + 120000000u);
	output_redis_ops.flush(o);
	CHECK(mono_ms() - t < 1000);
	st = stats_of(rs);
	CHECK_EQ(st.connected, 0);
	CHECK(st.errors >= 1);
	CHECK_EQ(st.queued, 6);
	output_redis_stats(o, &os);
	CHECK_EQ(os.connected, 0);
	CHECK(os.errors >= 1);
	CHECK_EQ(os.queued, 1);
	/* Reads go on from the mirror, with the memory store's answers. */
	compare_members(mem, rs, "fleet:meson", 0, 64);
	compare_members(mem, rs, "fleet:meson", T0 + 3000000u, 2);
	memset(&l, 0, sizeof(l));
	CHECK_EQ(store_redis_ops.host_load_all(rs, on_host, &l), 8);
	CHECK_EQ(store_redis_ops.get_epoch(rs), T0);

	printf("   (restarting it, empty)\n");
	if (run_env("REDIS_START") != 0)
		return;
	if (raw_open(url, -1) != 0) {
		CHECK(0);
		return;
	}
	sleep_ms(1100);
	flush_now(rs, T0 + 180000000u);
	output_redis_ops.flush(o);
	st = stats_of(rs);
	CHECK_EQ(st.connected, 1);
	CHECK(st.reconnects >= 1);
	CHECK_EQ(st.queued, 0);
	output_redis_stats(o, &os);
	CHECK_EQ(os.connected, 1);
	CHECK_EQ(os.queued, 0);
	/* The new server was empty: the whole mirror was written again, not only what was queued. */
	check_arrived(8);
	CHECK_EQ(cmd_int("XLEN %salerts", prefix), 1);
	compare_members(mem, rs, "fleet:meson", 0, 64);
	memset(&l, 0, sizeof(l));
	CHECK_EQ(store_redis_ops.host_load_all(rs, on_host, &l), 8);
	store_redis_ops.close(rs);
	output_redis_ops.close(o);
	store_mem_ops.close(mem);
	raw_close();
	step_end("outage: server killed mid-run, errors counted, mirror answers, no stall; restarted empty, "
	    "everything written again");
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *url = argc > 2 ? argv[2] : NULL;

	signal(SIGPIPE, SIG_IGN);	/* as main does: hiredis writes to sockets with write(2) */
	if (strcmp(mode, "refusals") == 0 && url) {
		if (raw_open(url, -1) != 0)
			return 1;
		test_refusals(url);
		raw_close();
	} else if (strcmp(mode, "fail") == 0 && url && argc > 3) {
		char err[512] = "";
		void *s, *o;
		uint64_t t = mono_ms();

		step_begin();
		s = store_redis_open(url, "dwtest:fail:", TTL, 10, 0, err, sizeof(err));
		CHECK(s == NULL);
		if (s != NULL)
			store_redis_ops.close(s);
		if (strstr(err, argv[3]) == NULL)
			fprintf(stderr, "message '%s' lacks '%s'\n", err, argv[3]);
		CHECK(strstr(err, argv[3]) != NULL);
		printf("   store: %s\n", err);
		err[0] = '\0';
		o = output_redis_open(url, "dwtest:fail:", 100, err, sizeof(err));
		CHECK(o == NULL);
		if (o != NULL)
			output_redis_ops.close(o);
		CHECK(strstr(err, argv[3]) != NULL);
		CHECK(mono_ms() - t < 5000);
		step_end("refused at open with a clear message");
	} else if (strcmp(mode, "handover") == 0 && url) {
		test_handover(url);
	} else if (strcmp(mode, "outage") == 0 && url) {
		test_outage(url);
	} else {
		fprintf(stderr, "usage: %s refusals URL | fail URL TEXT | handover URL | outage URL\n", argv[0]);
		return 2;
	}
	return check_done("store_faults");
}
