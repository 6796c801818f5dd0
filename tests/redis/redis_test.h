/*
 * redis_test.h - what the Redis test programs share (store_suite.c, store_faults.c, alert_stream.c): a
 * connection of their own to look at what the code under test wrote, a key prefix per scenario, the store
 * opened alike everywhere, host records to save and load, and one "ok: ..." or "FAIL: ..." line per
 * scenario.  The functions are static inline: each program takes what it uses, with its own check counts
 * (check.h).  Keys are written under dwtest:PID:... so runs never see each other's.
 */
#ifndef DCDN_REDIS_TEST_H
#define DCDN_REDIS_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../unit/check.h"
#include "family.h"
#include "redis_link.h"
#include "store.h"

#define T0 1708979590000000ull	/* packet time of the tests' first packet */
#define TTL 3600u

static redisContext *raw;	/* the test's own connection, to look at what the store wrote */
static char prefix[96];
static int step_failed;
/* How old a set's copy may be before a question reads it again; 0, the default here, reads every time. */
static uint32_t view_ms;

static inline void
step_begin(void)
{
	step_failed = check_failed;
}

static inline void
step_end(const char *name)
{
	printf("%s: %s\n", check_failed == step_failed ? "ok" : "FAIL", name);
	fflush(stdout);
}

static inline uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static inline void
set_prefix(const char *name)
{
	snprintf(prefix, sizeof(prefix), "dwtest:%ld:%s:", (long)getpid(), name);
}

/* A command on the test's own connection; NULL (and a failed check) if the server did not answer. */
static inline redisReply *
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

static inline long long
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

static inline int
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

static inline void
raw_close(void)
{
	if (raw)
		redisFree(raw);
	raw = NULL;
}

/* Every key under the prefix has a TTL in (0, max]; returns how many keys there are. */
static inline long
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

static inline void *
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
static inline void
flush_now(void *s, uint64_t now_us)
{
	store_redis_ops.flush(s, now_us);
	store_redis_ops.sync(s);
}

static inline struct store_stats
stats_of(void *s)
{
	struct store_stats st;

	store_redis_ops.stats(s, &st);
	return st;
}

static inline void
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

struct loaded {
	struct host_record r[2048];
	int n;
	bool ordered;
};

static inline void
on_host(void *arg, const struct host_record *r)
{
	struct loaded *l = arg;

	if (l->n > 0 && l->r[l->n - 1].last_us > r->last_us)
		l->ordered = false;
	if (l->n < 2048)
		l->r[l->n] = *r;
	l->n++;
}

/* Both stores answer the same for these arguments. */
static inline void
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

#endif
