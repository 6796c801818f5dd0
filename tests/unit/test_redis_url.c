/*
 * test_redis_url.c - Redis URLs (redis_link.c): the accepted forms, what each one parses to and how it is
 * shown (password masked), and a clear message for each malformed one, from the store's open as a user
 * sees it.  No server is needed: every URL here is refused before a connection is tried, or only parsed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "redis_link.h"
#include "store.h"

#define TTL 3600u

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
	expect_url("rediss://:sekrit@redis-1.example.net:6380/2", "redis-1.example.net", 6380, 2, "", "sekrit",
	    "rediss://***@redis-1.example.net:6380/2");
	expect_url("REDISS://[::1]", "::1", 6379, -1, "", "", "rediss://[::1]:6379");
	expect_bad_url("rediss://", "no host");
	expect_bad_url("rediss://:sekrit@127.0.0.1?tls=1", "query");
	expect_bad_url("redisss://127.0.0.1", "unknown scheme");
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
}

int
main(void)
{
	test_urls();
	return check_done("test_redis_url");
}
