/*
 * store_suite.c - the Redis store against a real redis-server, which tests/redis/store.sh starts: the epoch,
 * sets against the memory store (and the copies a sensor keeps of them), host records, the queue bound,
 * TTLs, a unix socket; then what opening takes, and what 10,000 saved hosts cost the server.  Every
 * scenario prints one "ok: ..." or "FAIL: ..." line (failed checks above it); the program exits non-zero
 * when any check failed.  Redis failing is store_faults.c, the alert stream alert_stream.c.
 *
 *	store_suite suite URL [UNIX_URL]	epoch, sets against the memory store, hosts, TTLs, queue bound
 *	store_suite open URL			the URL opens and connects
 *	store_suite measure URL			memory taken by 10,000 saved hosts
 */
#include "config.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_test.h"

/* Sets: the memory store is the reference, fed the same random adds. */
static uint32_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

static const char *const set_names[] = { "fleet:meson", "fleet:grass", "name:update.example.net", "fleet:titan" };

static void
compare_all(void *mem, void *rs)
{
	static const int maxes[] = { 0, 1, 3, 20, 64 };
	size_t s, m;
	uint64_t since;

	for (s = 0; s < sizeof(set_names) / sizeof(set_names[0]); s++)
		for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++)
			for (since = 0; since <= T0 + 60000000ull; since += since ? 15000000ull : T0)
				compare_members(mem, rs, set_names[s], since, maxes[m]);
	compare_members(mem, rs, "no-such-set", 0, 10);
}

/* Random adds with repeated members and equal times, to both stores. */
static void
random_adds(void *mem, void *rs, int n, const char *net)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *set = set_names[rnd(4)];
		char member[STORE_NAME_MAX];
		uint64_t ts = T0 + (uint64_t)rnd(60) * 1000000u + (rnd(4) == 0 ? rnd(1000000) : 0);

		if (rnd(5) == 0)
			snprintf(member, sizeof(member), "2001:db8:%s:%x::%x|%u", net, rnd(4), rnd(40),
			    rnd(2) * 16777316u);
		else
			snprintf(member, sizeof(member), "10.%s.%u.%u|%u", net, rnd(3), rnd(50), rnd(2) * 100u);
		store_mem_ops.set_add(mem, set, member, ts);
		store_redis_ops.set_add(rs, set, member, ts);
	}
}

static void
test_sets(const char *url)
{
	void *mem = store_mem_open(), *rs, *rs2;
	int round;

	step_begin();
	set_prefix("sets");
	rs = open_store(url, 100000);
	rs2 = open_store(url, 100000);
	if (rs == NULL || rs2 == NULL)
		return;
	for (round = 0; round < 6; round++) {
		random_adds(mem, rs, 400, "1");
		/* Partly in Redis, partly only in the mirror: merged and sorted here. */
		compare_all(mem, rs);
		flush_now(rs, T0);
		/* All in Redis: the answer is ZCOUNT and ZRANGEBYSCORE alone. */
		compare_all(mem, rs);
	}
	/* A second sensor on the same Redis: its members are part of the first one's answers. */
	random_adds(mem, rs2, 300, "2");
	flush_now(rs2, T0);
	compare_all(mem, rs);
	/* The first time is kept, in Redis as in the mirror, whichever sensor adds the member again. */
	store_mem_ops.set_add(mem, "fleet:meson", "192.0.2.1|0", T0 + 5);
	store_redis_ops.set_add(rs2, "fleet:meson", "192.0.2.1|0", T0 + 5);
	flush_now(rs2, T0);
	store_redis_ops.set_add(rs, "fleet:meson", "192.0.2.1|0", T0 + 9);
	store_redis_ops.set_add(rs, "fleet:meson", "192.0.2.1|0", T0 + 1);
	flush_now(rs, T0);
	compare_all(mem, rs);
	CHECK_EQ(stats_of(rs).errors, 0);
	CHECK_EQ(stats_of(rs).queued, 0);
	CHECK_EQ(stats_of(rs).dropped, 0);
	CHECK(check_ttls(prefix, TTL) == 4);
	store_redis_ops.close(rs);
	store_redis_ops.close(rs2);
	store_mem_ops.close(mem);
	step_end("set_members equal to the memory store's (before and after flush, with a second sensor), "
	    "the first time kept");
}

/*
 * The copies of shared sets, as a sensor runs with them: never aged out here, so every answer after the
 * first comes from the copy and the mirror, while flushes are on their way and not waited for.
 */
static void
test_views(const char *url)
{
	void *mem = store_mem_open(), *rs, *rs2;
	uint32_t keep = view_ms;
	int round;

	step_begin();
	set_prefix("views");
	view_ms = 3600000;
	rs = open_store(url, 100000);
	rs2 = open_store(url, 100000);
	view_ms = keep;
	if (rs == NULL || rs2 == NULL)
		return;
	for (round = 0; round < 6; round++) {
		random_adds(mem, rs, 400, "1");
		compare_all(mem, rs);
		store_redis_ops.flush(rs, T0);
		compare_all(mem, rs);
	}
	store_redis_ops.sync(rs);
	CHECK_EQ(stats_of(rs).queued, 0);
	CHECK_EQ(cmd_int("ZCARD %sset:fleet:meson", prefix) > 0, 1);
	/* Another sensor's members are not in the first one's copies yet ... */
	random_adds(mem, rs2, 300, "2");
	flush_now(rs2, T0);
	{
		char a[4][STORE_NAME_MAX], b[4][STORE_NAME_MAX];
		int na, nb, older = 0;
		size_t k;

		for (k = 0; k < sizeof(set_names) / sizeof(set_names[0]); k++)
			older += store_redis_ops.set_members(rs, set_names[k], 0, b, 4, &nb) <
			    store_mem_ops.set_members(mem, set_names[k], 0, a, 4, &na);
		CHECK_EQ(older, 4);
	}
	/* ... and are once its next flush has read back the sets it was asked about. */
	flush_now(rs, T0);
	compare_all(mem, rs);
	CHECK_EQ(stats_of(rs).errors, 0);
	/*
	 * A member another sensor added first keeps that sensor's time (ZADD NX), even when this sensor's
	 * copy of the set starts after it: it is not new here, although this sensor added it later.
	 */
	store_redis_ops.set_add(rs2, "burst", "10.9.0.1|0", T0 + 1000000u);
	flush_now(rs2, T0);
	store_redis_ops.set_add(rs, "burst", "10.9.0.1|0", T0 + 5000000u);
	flush_now(rs, T0);
	{
		char b[4][STORE_NAME_MAX];
		int nb;

		CHECK_EQ(store_redis_ops.set_members(rs, "burst", T0 + 3000000u, b, 4, &nb), 0);
		CHECK_EQ(store_redis_ops.set_members(rs, "burst", T0, b, 4, &nb), 1);
		CHECK_EQ(store_redis_ops.set_members(rs, "burst", T0 + 3000000u, b, 4, &nb), 0);
	}
	store_redis_ops.close(rs);
	store_redis_ops.close(rs2);
	store_mem_ops.close(mem);
	step_end("set copies: answers equal to the memory store's while flushes are on their way; another "
	    "sensor's members show after the next flush");
}

static bool
same_record(const struct host_record *a, const struct host_record *b)
{
	int m;

	if (a->ipver != b->ipver || memcmp(a->addr, b->addr, a->ipver == 4 ? 4 : 16) != 0 || a->zone != b->zone ||
	    a->first_us != b->first_us || a->last_us != b->last_us || a->known != b->known ||
	    a->served != b->served || a->family != b->family || a->family_score != b->family_score)
		return false;
	for (m = 0; m < HM__COUNT; m++)
		if (memcmp(&a->bl[m].mean, &b->bl[m].mean, sizeof(double)) != 0 ||
		    memcmp(&a->bl[m].var, &b->bl[m].var, sizeof(double)) != 0 || a->bl[m].n != b->bl[m].n)
			return false;
	return true;
}

static const struct host_record *
find_loaded(const struct loaded *l, const struct host_record *want)
{
	int i;

	for (i = 0; i < l->n && i < 2048; i++)
		if (l->r[i].ipver == want->ipver && l->r[i].zone == want->zone &&
		    memcmp(l->r[i].addr, want->addr, 16) == 0)
			return &l->r[i];
	return NULL;
}

static void
test_hosts(const char *url)
{
	static struct loaded l;
	struct host_record r, bad;
	void *a, *b;
	int i, matched = 0;
	uint32_t n;

	step_begin();
	set_prefix("hosts");
	if ((a = open_store(url, 100000)) == NULL)
		return;
	for (i = 1; i <= 500; i++) {
		make_record(i, &r);
		/* An older record first: only the newest save of a host counts, and it is queued once. */
		r.last_us -= 1;
		r.bl[0].n += 5;
		store_redis_ops.host_save(a, &r);
		make_record(i, &r);
		store_redis_ops.host_save(a, &r);
	}
	CHECK_EQ(stats_of(a).queued, 500);
	/* Reads before the flush see the mirror's newest records. */
	memset(&l, 0, sizeof(l));
	l.ordered = true;
	CHECK_EQ(store_redis_ops.host_load_all(a, on_host, &l), 500);
	flush_now(a, T0 + 100000000ull);
	CHECK_EQ(stats_of(a).queued, 0);
	CHECK_EQ(stats_of(a).errors, 0);

	/* Another process, later: the same records, oldest first. */
	if ((b = open_store(url, 100000)) == NULL)
		return;
	memset(&l, 0, sizeof(l));
	l.ordered = true;
	n = store_redis_ops.host_load_all(b, on_host, &l);
	CHECK_EQ(n, 500);
	CHECK_EQ(l.n, 500);
	CHECK(l.ordered);
	for (i = 1; i <= 500; i++) {
		const struct host_record *got;

		make_record(i, &r);
		got = find_loaded(&l, &r);
		if (got != NULL && same_record(got, &r))
			matched++;
	}
	CHECK_EQ(matched, 500);

	/* Entries that do not parse are skipped; a family this build does not know becomes none. */
	freeReplyObject(cmd("ZADD %shosts 1 garbage", prefix));
	freeReplyObject(cmd("ZADD %shosts 1 10.0.0.0/8|0", prefix));
	freeReplyObject(cmd("ZADD %shosts 2 10.9.9.9|7", prefix));	/* no hash */
	freeReplyObject(cmd("HSET %shost:{10.9.9.8|7} first_us abc last_us 5", prefix));
	freeReplyObject(cmd("ZADD %shosts 3 10.9.9.8|7", prefix));
	freeReplyObject(cmd("HSET %shost:{10.9.9.11|7} first_us 1 last_us 5 peers_in.var -1", prefix));
	freeReplyObject(cmd("ZADD %shosts 3 10.9.9.11|7", prefix));
	freeReplyObject(cmd("HSET %shost:{10.9.9.10|4294967295} first_us 1 last_us 2 family nosuch "
	    "bytes_out.mean 1.5 newmetric.mean 3 extra x", prefix));
	freeReplyObject(cmd("ZADD %shosts 4 10.9.9.10|4294967295", prefix));
	freeReplyObject(cmd("EXPIRE %shost:{10.9.9.8|7} 60", prefix));
	freeReplyObject(cmd("EXPIRE %shost:{10.9.9.11|7} 60", prefix));
	freeReplyObject(cmd("EXPIRE %shost:{10.9.9.10|4294967295} 60", prefix));
	memset(&l, 0, sizeof(l));
	l.ordered = true;
	CHECK_EQ(store_redis_ops.host_load_all(b, on_host, &l), 501);
	memset(&bad, 0, sizeof(bad));
	bad.ipver = 4;
	bad.addr[0] = 10, bad.addr[1] = 9, bad.addr[2] = 9, bad.addr[3] = 10;
	bad.zone = 4294967295u;
	{
		const struct host_record *got = find_loaded(&l, &bad);

		CHECK(got != NULL && got->family == 0 && got->bl[0].mean == 1.5 && got->last_us == 2);
	}
	store_redis_ops.close(a);
	store_redis_ops.close(b);
	step_end("host_save / host_load_all round trip (500 v4/v6 hosts with zones, bit-exact baselines), "
	    "malformed entries skipped");
}

static void
test_epoch(const char *url)
{
	void *a, *b;
	redisReply *r;

	step_begin();
	set_prefix("epoch");
	if ((a = open_store(url, 100)) == NULL)
		return;
	CHECK_EQ(store_redis_ops.get_epoch(a), 0);
	store_redis_ops.set_epoch(a, T0);
	store_redis_ops.set_epoch(a, T0 + 7);	/* set once */
	CHECK_EQ(store_redis_ops.get_epoch(a), T0);
	CHECK_EQ(stats_of(a).queued, 1);
	flush_now(a, T0);
	CHECK_EQ(stats_of(a).queued, 0);
	r = cmd("GET %sepoch", prefix);
	CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strtoull(r->str, NULL, 10) == T0);
	if (r)
		freeReplyObject(r);
	/* A restart reads it at open, and a later sensor's SET NX does not replace it. */
	if ((b = open_store(url, 100)) == NULL)
		return;
	CHECK_EQ(store_redis_ops.get_epoch(b), T0);
	store_redis_ops.set_epoch(b, T0 + 99);
	flush_now(b, T0);
	CHECK_EQ(store_redis_ops.get_epoch(b), T0);
	store_redis_ops.close(b);
	store_redis_ops.close(a);
	/* Two sensors starting at once: the one whose SET NX came first wins, and both end up agreeing. */
	set_prefix("epoch2");
	a = open_store(url, 100);
	b = open_store(url, 100);
	if (a == NULL || b == NULL)
		return;
	store_redis_ops.set_epoch(a, T0 + 10);
	store_redis_ops.set_epoch(b, T0 + 20);
	flush_now(b, T0);
	flush_now(a, T0);
	CHECK_EQ(store_redis_ops.get_epoch(a), T0 + 20);
	CHECK_EQ(store_redis_ops.get_epoch(b), T0 + 20);
	CHECK(check_ttls(prefix, TTL) == 1);
	store_redis_ops.close(b);
	store_redis_ops.close(a);
	step_end("epoch: SET NX once, read back at open, shared by sensors, with a TTL");
}

static void
test_queue_bound(const char *url)
{
	struct host_record r;
	void *s;
	int i;
	redisReply *z;

	step_begin();
	set_prefix("bound");
	if ((s = open_store(url, 5)) == NULL)
		return;
	for (i = 1; i <= 12; i++) {
		make_record(i, &r);
		store_redis_ops.host_save(s, &r);
	}
	CHECK_EQ(stats_of(s).queued, 5);
	CHECK_EQ(stats_of(s).dropped, 7);
	/* The mirror still has all twelve. */
	flush_now(s, T0);
	CHECK_EQ(stats_of(s).queued, 0);
	/* The oldest were dropped: hosts 8..12 reached Redis. */
	CHECK_EQ(cmd_int("ZCARD %shosts", prefix), 5);
	make_record(8, &r);
	{
		char member[80], ab[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, r.addr, ab, sizeof(ab));
		snprintf(member, sizeof(member), "%s|%u", ab, r.zone);
		z = cmd("ZSCORE %shosts %s", prefix, member);
		CHECK(z != NULL && z->type == REDIS_REPLY_STRING);
		if (z)
			freeReplyObject(z);
	}
	CHECK(check_ttls(prefix, TTL) == 6);
	store_redis_ops.close(s);
	step_end("queue bound: past queue_max the oldest writes are dropped and counted");
}

static long long
used_memory(void)
{
	redisReply *r = cmd("INFO memory");
	long long v = -1;
	const char *p;

	if (r != NULL && r->type == REDIS_REPLY_STRING && (p = strstr(r->str, "used_memory:")) != NULL)
		v = strtoll(p + strlen("used_memory:"), NULL, 10);
	if (r)
		freeReplyObject(r);
	return v;
}

static void
test_measure(const char *url)
{
	struct host_record r;
	void *s;
	long long before, after, one, idx;
	int i;

	step_begin();
	set_prefix("measure");
	if (raw_open(url, -1) != 0 || (s = open_store(url, 20000)) == NULL) {
		CHECK(0);
		return;
	}
	before = used_memory();
	for (i = 0; i < 10000; i++) {
		memset(&r, 0, sizeof(r));
		r.ipver = 4;
		r.addr[0] = 10;
		r.addr[1] = 20;
		r.addr[2] = (uint8_t)(i >> 8);
		r.addr[3] = (uint8_t)i;
		r.first_us = T0 + (uint64_t)i * 100003u;
		r.last_us = r.first_us + 1800000000ull;
		r.known = 1;
		r.served = (uint8_t)(i % 10 == 0);
		r.family = (uint8_t)(i % 50 == 0 ? FAM_MESON : 0);
		r.family_score = r.family ? 80 : 0;
		/* Baselines after a day of 60 s buckets: full-precision doubles, as real ones are. */
		r.bl[HM_BYTES_OUT] = (struct ewma){ 123456.789 + i / 7.0, 9876543.21 / 3.0 + i, 1440 };
		r.bl[HM_FLOWS_ACC_OUT] = (struct ewma){ 2.0 / 3.0 + i % 13, 1.0 / 7.0, 1440 };
		r.bl[HM_PEERS_IN] = (struct ewma){ 1.0 / 3.0 * (i % 5), 0.25 / 9.0, 1440 };
		store_redis_ops.host_save(s, &r);
	}
	flush_now(s, r.last_us);
	CHECK_EQ(stats_of(s).queued, 0);
	CHECK_EQ(cmd_int("ZCARD %shosts", prefix), 10000);
	after = used_memory();
	one = cmd_int("MEMORY USAGE %shost:{10.20.0.1|0} SAMPLES 0", prefix);
	idx = cmd_int("MEMORY USAGE %shosts SAMPLES 0", prefix);
	printf("   10000 hosts: used_memory grew by %lld bytes (%.1f MiB, %lld per host); MEMORY USAGE of one "
	    "host hash %lld bytes, of the hosts zset %lld bytes\n", after - before,
	    (after - before) / 1048576.0, (after - before) / 10000, one, idx);
	{
		redisReply *enc = cmd("OBJECT ENCODING %shost:{10.20.0.1|0}", prefix);
		redisReply *enc2 = cmd("OBJECT ENCODING %shosts", prefix);

		if (enc && enc2)
			printf("   encodings: host hash %s, hosts zset %s\n", enc->str, enc2->str);
		if (enc)
			freeReplyObject(enc);
		if (enc2)
			freeReplyObject(enc2);
	}
	CHECK(after > before);
	store_redis_ops.close(s);
	raw_close();
	step_end("memory of 10000 saved hosts measured");
}

static void
test_unix(const char *url)
{
	void *s;
	char u2[600];

	step_begin();
	set_prefix("unix");
	snprintf(u2, sizeof(u2), "%s?db=2", url);
	if ((s = open_store(u2, 10)) == NULL)
		return;
	CHECK_EQ(stats_of(s).connected, 1);
	store_redis_ops.set_epoch(s, T0);
	flush_now(s, T0);
	store_redis_ops.close(s);
	if (raw_open(url, 2) != 0) {
		CHECK(0);
		return;
	}
	CHECK_EQ(cmd_int("EXISTS %sepoch", prefix), 1);
	raw_close();
	step_end("unix socket URL with ?db=2");
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *url = argc > 2 ? argv[2] : NULL;

	signal(SIGPIPE, SIG_IGN);	/* as main does: hiredis writes to sockets with write(2) */
	if (strcmp(mode, "suite") == 0 && url) {
		if (raw_open(url, -1) != 0)
			return 1;
		test_epoch(url);
		test_sets(url);
		test_views(url);
		test_hosts(url);
		test_queue_bound(url);
		raw_close();
		if (argc > 3)
			test_unix(argv[3]);
	} else if (strcmp(mode, "open") == 0 && url) {
		char err[512] = "";
		void *s;

		step_begin();
		s = store_redis_open(url, "dwtest:open:", TTL, 10, 0, err, sizeof(err));
		CHECK(s != NULL);
		if (s == NULL)
			fprintf(stderr, "%s\n", err);
		if (s != NULL) {
			CHECK_EQ(stats_of(s).connected, 1);
			store_redis_ops.close(s);
		}
		step_end("opens and connects");
	} else if (strcmp(mode, "measure") == 0 && url) {
		test_measure(url);
	} else {
		fprintf(stderr, "usage: %s suite URL [UNIX_URL] | open URL | measure URL\n", argv[0]);
		return 2;
	}
	return check_done("store_suite");
}
