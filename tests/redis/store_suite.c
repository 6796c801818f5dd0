/*
 * store_suite.c - the Redis store and the Redis alert stream against a real redis-server, which
 * tests/redis/store.sh starts, stops and kills around it.  Every scenario prints one "ok: ..." or
 * "FAIL: ..." line (failed checks above it); the program exits non-zero when any check failed.
 *
 *	store_suite urls				URL parsing, no server needed
 *	store_suite suite URL [UNIX_URL]		epoch, sets against the memory store, hosts, TTLs, queue
 *							bound, alert stream
 *	store_suite open URL			the URL opens and connects
 *	store_suite fail URL TEXT			opening fails with TEXT in the message
 *	store_suite handover URL			server down at open; $REDIS_START brings it up
 *	store_suite outage URL			$REDIS_STOP kills the server mid-run, $REDIS_START
 *							brings up an empty one
 *	store_suite measure URL			memory taken by 10,000 saved hosts
 *
 * Keys are written under dwtest:PID:... so runs never see each other's.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../unit/check.h"
#include "family.h"
#include "output_redis.h"
#include "redis_link.h"
#include "store.h"

#define T0 1708979590000000ull	/* packet time of the tests' first packet */
#define TTL 3600u

static redisContext *raw;	/* the test's own connection, to look at what the store wrote */
static char prefix[96];
static int step_failed;

static void
step_begin(void)
{
	step_failed = check_failed;
}

static void
step_end(const char *name)
{
	printf("%s: %s\n", check_failed == step_failed ? "ok" : "FAIL", name);
	fflush(stdout);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
set_prefix(const char *name)
{
	snprintf(prefix, sizeof(prefix), "dwtest:%ld:%s:", (long)getpid(), name);
}

/* A command on the test's own connection; NULL (and a failed check) if the server did not answer. */
static redisReply *
cmd(const char *fmt, ...)
{
	va_list ap;
	redisReply *r;

	va_start(ap, fmt);
	r = redisvCommand(raw, fmt, ap);
	va_end(ap);
	CHECK(r != NULL);
	return r;
}

static long long
cmd_int(const char *fmt, ...)
{
	va_list ap;
	redisReply *r;
	long long v = -999;

	va_start(ap, fmt);
	r = redisvCommand(raw, fmt, ap);
	va_end(ap);
	CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER);
	if (r != NULL && r->type == REDIS_REPLY_INTEGER)
		v = r->integer;
	if (r != NULL)
		freeReplyObject(r);
	return v;
}

static int
raw_open(const char *url, int db)
{
	struct redis_url u;
	char err[512];
	struct timeval tv = { 2, 0 };
	redisReply *r;

	if (redis_url_parse(url, &u, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	raw = u.is_unix ? redisConnectUnixWithTimeout(u.host, tv) : redisConnectWithTimeout(u.host, u.port, tv);
	if (raw == NULL || raw->err) {
		fprintf(stderr, "cannot connect to %s: %s\n", u.shown, raw ? raw->errstr : "?");
		if (raw)
			redisFree(raw);
		raw = NULL;
		return -1;
	}
	redisSetTimeout(raw, tv);
	if (u.pass[0]) {
		r = u.user[0] ? redisCommand(raw, "AUTH %s %s", u.user, u.pass) : redisCommand(raw, "AUTH %s", u.pass);
		if (r)
			freeReplyObject(r);
	}
	if (db >= 0 || u.db >= 0) {
		r = redisCommand(raw, "SELECT %d", db >= 0 ? db : u.db);
		if (r)
			freeReplyObject(r);
	}
	return 0;
}

static void
raw_close(void)
{
	if (raw)
		redisFree(raw);
	raw = NULL;
}

/* Every key under the prefix has a TTL in (0, max]; returns how many keys there are. */
static long
check_ttls(const char *pfx, long long max)
{
	char cursor[32] = "0", pat[128];
	long n = 0;

	snprintf(pat, sizeof(pat), "%s*", pfx);
	do {
		redisReply *r = cmd("SCAN %s MATCH %s COUNT 1000", cursor, pat);
		size_t i;

		if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
			CHECK(0);
			if (r)
				freeReplyObject(r);
			return n;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (i = 0; i < r->element[1]->elements; i++) {
			const char *key = r->element[1]->element[i]->str;
			long long ttl = cmd_int("TTL %s", key);

			if (!(ttl > 0 && ttl <= max))
				fprintf(stderr, "key %s: TTL %lld\n", key, ttl);
			CHECK(ttl > 0 && ttl <= max);
			n++;
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return n;
}

/* How old a set's copy may be before a question reads it again; 0, the default here, reads every time. */
static uint32_t view_ms;

static void *
open_store(const char *url, uint32_t qmax)
{
	char err[512] = "";
	void *s = store_redis_open(url, prefix, TTL, qmax, view_ms, err, sizeof(err));

	if (s == NULL)
		fprintf(stderr, "store_redis_open: %s\n", err);
	CHECK(s != NULL);
	return s;
}

/* A flush hands the batch to the writer thread; the checks below want it written: wait for it. */
static void
flush_now(void *s, uint64_t now_us)
{
	store_redis_ops.flush(s, now_us);
	store_redis_ops.sync(s);
}

static struct store_stats
stats_of(void *s)
{
	struct store_stats st;

	store_redis_ops.stats(s, &st);
	return st;
}

/* ---- sets: the memory store is the reference ---- */

static uint32_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

static const char *const set_names[] = { "fleet:meson", "fleet:grass", "name:update.example.net", "fleet:titan" };

/* Both stores answer the same for these arguments. */
static void
compare_members(void *mem, void *rs, const char *set, uint64_t since, int max)
{
	char a[64][STORE_NAME_MAX], b[64][STORE_NAME_MAX];
	int na = -1, nb = -1, i;
	uint32_t ca = store_mem_ops.set_members(mem, set, since, a, max, &na);
	uint32_t cb = store_redis_ops.set_members(rs, set, since, b, max, &nb);

	CHECK_EQ(ca, cb);
	CHECK_EQ(na, nb);
	for (i = 0; i < na && i < nb; i++)
		CHECK_STR(a[i], b[i]);
}

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

/* ---- hosts ---- */

static void
make_record(int i, struct host_record *r)
{
	int m;

	memset(r, 0, sizeof(*r));
	if (i % 3 == 0) {
		static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xee, 0xee, 0xdd, 0xdd, 0xcc, 0xcc,
						0xbb, 0xbb, 0, 0 };

		r->ipver = 6;
		memcpy(r->addr, v6, 16);
		r->addr[14] = (uint8_t)(i >> 8);
		r->addr[15] = (uint8_t)i;
	} else {
		r->ipver = 4;
		r->addr[0] = 10;
		r->addr[1] = (uint8_t)(i >> 16);
		r->addr[2] = (uint8_t)(i >> 8);
		r->addr[3] = (uint8_t)i;
	}
	r->zone = i % 5 == 0 ? 0 : (uint32_t)(i * 7919) % 16777216u | (uint32_t)(i % 2) << 24;
	r->first_us = T0 + (uint64_t)i * 1000;
	r->last_us = r->first_us + (uint64_t)(i % 97) * 1000003u;
	r->known = (uint8_t)(i & 1);
	r->served = (uint8_t)((i >> 1) & 1);
	r->family = (uint8_t)(i % FAM__COUNT);
	r->family_score = (uint8_t)(i % 101);
	for (m = 0; m < HM__COUNT; m++) {
		r->bl[m].mean = i * 1.1 + 1 / 3.0 + m * 1e15;
		r->bl[m].var = m == 2 ? 4.9e-324 * i : i * 123.456e10 / 7;
		r->bl[m].n = (uint32_t)(i * 1000 + m) | (i % 7 == 0 ? 0x80000000u : 0);
	}
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

struct loaded {
	struct host_record r[2048];
	int n;
	bool ordered;
};

static void
on_host(void *arg, const struct host_record *r)
{
	struct loaded *l = arg;

	if (l->n > 0 && l->r[l->n - 1].last_us > r->last_us)
		l->ordered = false;
	if (l->n < 2048)
		l->r[l->n] = *r;
	l->n++;
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

/* ---- epoch ---- */

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

/* ---- the queue bound ---- */

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

/* ---- error replies ---- */

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

/* ---- the alert stream ---- */

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

/* ---- URLs ---- */

static void
expect_bad_url(const char *url, const char *want)
{
	char err[512] = "";
	void *s = store_redis_open(url, "x:", TTL, 10, 0, err, sizeof(err));

	CHECK(s == NULL);
	if (s != NULL) {
		store_redis_ops.close(s);
		return;
	}
	if (strstr(err, want) == NULL)
		fprintf(stderr, "%s -> '%s', want '%s'\n", url, err, want);
	CHECK(strstr(err, want) != NULL);
	CHECK(strstr(err, "sekrit") == NULL);
}

static void
expect_url(const char *text, const char *host, int port, int db, const char *user, const char *pass,
	   const char *shown)
{
	struct redis_url u;
	char err[512] = "";

	CHECK_EQ(redis_url_parse(text, &u, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s: %s\n", text, err);
	CHECK_STR(u.host, host);
	CHECK_EQ(u.port, port);
	CHECK_EQ(u.db, db);
	CHECK_STR(u.user, user);
	CHECK_STR(u.pass, pass);
	CHECK_STR(u.shown, shown);
}

static void
test_urls(void)
{
	step_begin();
	expect_url("redis://127.0.0.1", "127.0.0.1", 6379, -1, "", "", "redis://127.0.0.1:6379");
	expect_url("redis://127.0.0.1:7000/3", "127.0.0.1", 7000, 3, "", "", "redis://127.0.0.1:7000/3");
	expect_url("redis://127.0.0.1:7000/", "127.0.0.1", 7000, -1, "", "", "redis://127.0.0.1:7000");
	expect_url("redis://:sekrit@127.0.0.1", "127.0.0.1", 6379, -1, "", "sekrit", "redis://***@127.0.0.1:6379");
	expect_url("redis://sekrit@127.0.0.1", "127.0.0.1", 6379, -1, "", "sekrit", "redis://***@127.0.0.1:6379");
	expect_url("redis://bob:p%40ss%3Aw@[::1]:6380/15", "::1", 6380, 15, "bob", "p@ss:w",
	    "redis://bob:***@[::1]:6380/15");
	expect_url("REDIS://redis-1.example.net", "redis-1.example.net", 6379, -1, "", "",
	    "redis://redis-1.example.net:6379");
	expect_url("unix:///run/redis/redis.sock", "/run/redis/redis.sock", 6379, -1, "", "",
	    "unix:///run/redis/redis.sock");
	expect_url("unix:///tmp/r.sock?db=2&password=sekrit", "/tmp/r.sock", 6379, 2, "", "sekrit",
	    "unix:///tmp/r.sock?db=2&password=***");
	expect_bad_url("", "empty Redis URL");
	expect_bad_url("http://127.0.0.1", "unknown scheme");
	expect_bad_url("127.0.0.1:6379", "unknown scheme");
	expect_bad_url("rediss://127.0.0.1", "TLS");
	expect_bad_url("redis://", "no host");
	expect_bad_url("redis://:6379", "no host");
	expect_bad_url("redis://127.0.0.1:0", "port must be");
	expect_bad_url("redis://127.0.0.1:65536", "port must be");
	expect_bad_url("redis://127.0.0.1:12x", "port must be");
	expect_bad_url("redis://127.0.0.1:", "port must be");
	expect_bad_url("redis://127.0.0.1/abc", "database number");
	expect_bad_url("redis://127.0.0.1/1/2", "database number");
	expect_bad_url("redis://127.0.0.1/-1", "database number");
	expect_bad_url("redis://127.0.0.1?db=1", "query");
	expect_bad_url("redis://::1:6379", "brackets");
	expect_bad_url("redis://[::1", "IPv6");
	expect_bad_url("redis://[nothex]:1", "IPv6");
	expect_bad_url("redis://[::1]x", "junk");
	expect_bad_url("redis://ho st", "bad host name");
	expect_bad_url("redis://user:@127.0.0.1", "empty password");
	expect_bad_url("redis://:sek%zzrit@127.0.0.1", "percent");
	expect_bad_url("redis://:sekrit@[::1", "IPv6");
	expect_bad_url("unix://", "absolute path");
	expect_bad_url("unix://host/tmp/sock", "absolute path");
	expect_bad_url("unix:///", "no socket path");
	expect_bad_url("unix:///tmp/s?db=x", "db must be");
	expect_bad_url("unix:///tmp/s?db=1&db=2", "db must be");
	expect_bad_url("unix:///tmp/s?foo=1", "parameters are");
	expect_bad_url("unix:///tmp/s?user=u", "needs a password");
	expect_bad_url("unix:///tmp/s?password=sekrit&x", "parameters are");
	step_end("URL parsing: the accepted forms, and a clear message for each malformed one (password masked)");
}

/* ---- scenarios with the server going and coming ---- */

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

/* ---- memory ---- */

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
	if (strcmp(mode, "urls") == 0) {
		test_urls();
	} else if (strcmp(mode, "suite") == 0 && url) {
		if (raw_open(url, -1) != 0)
			return 1;
		test_epoch(url);
		test_sets(url);
		test_views(url);
		test_hosts(url);
		test_queue_bound(url);
		test_refusals(url);
		test_output(url);
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
	} else if (strcmp(mode, "measure") == 0 && url) {
		test_measure(url);
	} else {
		fprintf(stderr, "usage: %s urls | suite URL [UNIX_URL] | open URL | fail URL TEXT | handover URL | "
		    "outage URL | measure URL\n", argv[0]);
		return 2;
	}
	return check_done("store_suite");
}
