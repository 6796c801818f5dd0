/*
 * redis_link.h - one connection to one Redis server, shared by the Redis store and the Redis alert stream:
 * the URL, the connect-and-check handshake, reconnection with backoff, and TLS for rediss:// URLs (through
 * tls_relay.h, which hands hiredis a plain descriptor; the timeouts below hold for TLS as for plain TCP).
 *
 * A link is either connected (c != NULL) or waiting to retry.  Failures never block for long: connecting
 * waits at most REDIS_CONNECT_MS, every later read or write at most REDIS_IO_MS, and retries back off from
 * 1 s doubling to 30 s, paced on CLOCK_MONOTONIC (the one clock read outside capture, for pacing only; no
 * result depends on it).  hiredis writes with write(2), so the program must ignore SIGPIPE (main does).
 * Not thread-safe: one link belongs to one caller.
 */
#ifndef DCDN_REDIS_LINK_H
#define DCDN_REDIS_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#define REDIS_CONNECT_MS	1000	/* connecting at start-up; enough for a loaded server */
#define REDIS_RECONNECT_MS	500	/* connecting later, while packets wait */
#define REDIS_IO_MS		500	/* any one read or write on a connected link */
#define REDIS_BACKOFF_MIN_S	1
#define REDIS_BACKOFF_MAX_S	30

/* A parsed server address. */
struct redis_url {
	bool is_unix;
	bool tls;		/* rediss:// */
	char host[256];		/* name or address, without IPv6 brackets; the socket path for unix */
	int port;
	int db;			/* -1: none given, no SELECT */
	char user[128];		/* empty: none (AUTH password alone) */
	char pass[256];		/* empty: no AUTH */
	char shown[600];	/* the URL with the password masked, for messages */
};

struct tls_client;
struct tls_relay;

struct redis_link {
	struct redis_url url;
	redisContext *c;	/* NULL while disconnected */
	struct tls_client *tls;	/* rediss:// only: the trust anchors and client certificate, loaded at open */
	struct tls_relay *relay;	/* rediss:// only: the session behind c, NULL while disconnected */
	uint64_t next_try_ms;	/* monotonic time of the next connection attempt */
	unsigned backoff_s;	/* wait after the next failed attempt */
	const char *what;	/* what runs meanwhile, for messages: "running on memory" */
	bool warned;		/* one warning per outage */
	bool warned_wrong;	/* one warning per outage for a server that answers wrongly */
	uint64_t errors, reconnects;
};

/*
 * Parse redis://[user:password@]host[:port][/db], redis://:password@host, redis://password@host (as
 * redis-cli reads it), the same with rediss:// for TLS, or unix:///path[?db=N[&password=P[&user=U]]].
 * User and password may be percent-encoded.  Returns 0, or -1 with a message naming the URL in err.
 */
int redis_url_parse(const char *text, struct redis_url *u, char *err, size_t errlen);

/*
 * The PEM files for rediss:// links (the keys redis.tls_ca, redis.tls_cert, redis.tls_key; NULL or "" for
 * none: the system CA store, no client certificate).  Process-wide; set before the links open, which read
 * the files.  The strings are borrowed until then.
 */
void redis_link_tls_files(const char *ca, const char *cert, const char *key);

/*
 * Connect at start-up.  Returns -1 with err for a bad URL, unusable TLS files (or TLS files with a URL that
 * is not rediss://), or a server that answers wrongly (refused password, no such db, not Redis, a TLS
 * certificate that is not trusted or not for the URL's host); an unreachable or not yet ready server is not
 * an error: one warning naming `what` is logged and the link retries later.  Returns 0 otherwise, connected
 * or not.
 */
int redis_link_open(struct redis_link *l, const char *url, const char *what, char *err, size_t errlen);

/*
 * Whether the link is usable now.  While disconnected, tries to connect again when the backoff has run
 * out; *fresh (may be NULL) tells the caller this call (re)connected, so it can resynchronize.  In a
 * forked child (daemon mode) a TLS link opens a session of its own first, which also counts as fresh.
 */
bool redis_link_ready(struct redis_link *l, bool *fresh);

/* Like redis_link_ready, but tries now whatever the backoff says (a last attempt before closing). */
bool redis_link_ready_now(struct redis_link *l, bool *fresh);

/*
 * A round trip failed (I/O error, protocol error, or a server not ready): drop the connection, count the
 * error, warn once per outage (why may be NULL: the context's own error is used), retry with backoff.
 */
void redis_link_fail(struct redis_link *l, const char *why);

/* CLOCK_MONOTONIC in milliseconds: pacing only. */
uint64_t redis_mono_ms(void);

/* Close the connection, if any.  The link may not be used again. */
void redis_link_close(struct redis_link *l);

/*
 * An error reply that a later retry may cure (server loading, busy, out of memory, read-only replica,
 * password needed after a restart).  Other error replies are final for the command that got them.
 */
bool redis_reply_transient(const redisReply *r);

#endif
