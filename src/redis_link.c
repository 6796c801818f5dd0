/*
 * redis_link.c - one connection to one Redis server: URL parsing, the handshake that tells a Redis server
 * from anything else listening there, and reconnection with exponential backoff.
 *
 * The handshake (AUTH, SELECT, PING) runs on every connection.  At start-up a server that answers it
 * wrongly is a configuration error the user must see; later the same answer only delays the next retry,
 * since capture must go on whatever Redis does.  A rediss:// connection is a TLS relay's plain end
 * (tls_relay.c): the same handshake and the same failures follow, and a TLS certificate that fails
 * verification counts as a server that answers wrongly.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "redis_link.h"
#include "tls_relay.h"

#define URL_FORMS "redis[s]://[user:password@]host[:port][/db] or unix:///path[?db=N]"

/* The TLS files of rediss:// links (redis_link_tls_files), borrowed until the links open. */
static struct {
	const char *ca, *cert, *key;
} tls_files;

/* Outcome of one connection attempt. */
enum { LINK_OK = 0, LINK_AWAY = -1, LINK_WRONG = -2 };

uint64_t
redis_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct timeval
ms_tv(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

/*
 * A copy of the URL fit for a message: whatever stands between "//" and the last '@' (the user
 * information) and any password= parameter are masked, since the text may be malformed.
 */
static void
url_mask(const char *text, char *out, size_t outlen)
{
	const char *sl = strstr(text, "//"), *at = strrchr(text, '@'), *pw;
	char tmp[600];

	if (sl != NULL && at != NULL && at > sl)
		snprintf(tmp, sizeof(tmp), "%.*s***%s", (int)(sl + 2 - text), text, at);
	else
		snprintf(tmp, sizeof(tmp), "%s", text);
	if ((pw = strstr(tmp, "password=")) != NULL) {
		const char *end = strchr(pw, '&');

		snprintf(out, outlen, "%.*spassword=***%s", (int)(pw - tmp), tmp, end ? end : "");
	} else {
		snprintf(out, outlen, "%s", tmp);
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode n bytes of s into out (NUL-terminated); -1 on a bad escape, %00, or no room. */
static int
pct_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* A decimal in [lo, hi], all n bytes digits; -1 otherwise. */
static long
parse_dec(const char *s, size_t n, long lo, long hi)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v < lo || v > hi ? -1 : v;
}

static int
url_error(char *err, size_t errlen, const char *text, const char *why)
{
	char shown[600];

	url_mask(text, shown, sizeof(shown));
	snprintf(err, errlen, "bad Redis URL '%s': %s (expected %s)", shown, why, URL_FORMS);
	return -1;
}

static void
url_show(struct redis_url *u)
{
	const char *lb = strchr(u->host, ':') ? "[" : "", *rb = *lb ? "]" : "";
	size_t len;

	if (u->is_unix) {
		snprintf(u->shown, sizeof(u->shown), "unix://%s%s", u->host, u->db >= 0 || u->pass[0] ? "?" : "");
		len = strlen(u->shown);
		if (u->db >= 0)
			snprintf(u->shown + len, sizeof(u->shown) - len, "db=%d%s", u->db, u->pass[0] ? "&" : "");
		len = strlen(u->shown);
		if (u->pass[0])
			snprintf(u->shown + len, sizeof(u->shown) - len, "%s%s%spassword=***", u->user[0] ? "user=" : "",
			    u->user, u->user[0] ? "&" : "");
		return;
	}
	/* user:***@ or ***@ or nothing; brackets around an IPv6 literal; the port always. */
	snprintf(u->shown, sizeof(u->shown), "%s://%s%s%s%s%s%s%s:%d", u->tls ? "rediss" : "redis", u->user,
	    u->user[0] ? ":" : "", u->pass[0] ? "***" : "", u->pass[0] ? "@" : "", lb, u->host, rb, u->port);
	len = strlen(u->shown);
	if (u->db >= 0)
		snprintf(u->shown + len, sizeof(u->shown) - len, "/%d", u->db);
}

static int
parse_tcp(const char *text, const char *s, struct redis_url *u, char *err, size_t errlen)
{
	const char *end = s + strcspn(s, "/"), *at = NULL, *hp, *p, *colon;
	size_t i;

	if (strpbrk(s, "?#") != NULL)
		return url_error(err, errlen, text, "query and fragment are not supported");
	for (p = s; p < end; p++)
		if (*p == '@')
			at = p;
	hp = s;
	if (at != NULL) {
		const char *uc = memchr(s, ':', (size_t)(at - s));

		if (uc != NULL) {
			if (pct_decode(s, (size_t)(uc - s), u->user, sizeof(u->user)) != 0 ||
			    pct_decode(uc + 1, (size_t)(at - uc - 1), u->pass, sizeof(u->pass)) != 0)
				return url_error(err, errlen, text, "bad percent-encoding or too long user or password");
		} else if (pct_decode(s, (size_t)(at - s), u->pass, sizeof(u->pass)) != 0) {
			return url_error(err, errlen, text, "bad percent-encoding or too long password");
		}
		if (u->pass[0] == '\0')
			return url_error(err, errlen, text, "empty password");
		hp = at + 1;
	}
	/* Host: a name, an IPv4 address, or an IPv6 address in brackets; then an optional :port. */
	if (*hp == '[') {
		const char *rb = memchr(hp, ']', (size_t)(end - hp));
		unsigned char a6[16];

		if (rb == NULL || rb == hp + 1 || (size_t)(rb - hp - 1) >= sizeof(u->host))
			return url_error(err, errlen, text, "bad IPv6 address in brackets");
		memcpy(u->host, hp + 1, (size_t)(rb - hp - 1));
		u->host[rb - hp - 1] = '\0';
		if (inet_pton(AF_INET6, u->host, a6) != 1)
			return url_error(err, errlen, text, "bad IPv6 address in brackets");
		colon = rb + 1 < end ? rb + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return url_error(err, errlen, text, "junk after the IPv6 address");
	} else {
		colon = memchr(hp, ':', (size_t)(end - hp));
		if (colon != NULL && memchr(colon + 1, ':', (size_t)(end - colon - 1)) != NULL)
			return url_error(err, errlen, text, "an IPv6 address must be in brackets");
		i = (size_t)((colon ? colon : end) - hp);
		if (i == 0)
			return url_error(err, errlen, text, "no host");
		if (i >= sizeof(u->host))
			return url_error(err, errlen, text, "host name too long");
		memcpy(u->host, hp, i);
		u->host[i] = '\0';
		for (p = u->host; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
				return url_error(err, errlen, text, "bad host name");
	}
	if (colon != NULL) {
		long port = parse_dec(colon + 1, (size_t)(end - colon - 1), 1, 65535);

		if (port < 0)
			return url_error(err, errlen, text, "port must be a number from 1 to 65535");
		u->port = (int)port;
	}
	if (*end == '/' && end[1] != '\0') {
		long db = parse_dec(end + 1, strlen(end + 1), 0, INT_MAX);

		if (db < 0)
			return url_error(err, errlen, text, "the path must be a database number");
		u->db = (int)db;
	}
	return 0;
}

static int
parse_unix(const char *text, const char *s, struct redis_url *u, char *err, size_t errlen)
{
	const char *q = strchr(s, '?');
	size_t plen = q ? (size_t)(q - s) : strlen(s);

	if (*s != '/')
		return url_error(err, errlen, text, "a socket URL takes an absolute path and no host");
	if (plen < 2 || s[plen - 1] == '/')
		return url_error(err, errlen, text, "no socket path");
	if (plen >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return url_error(err, errlen, text, "socket path too long");
	memcpy(u->host, s, plen);
	u->host[plen] = '\0';
	while (q != NULL) {
		const char *k = q + 1, *amp = strchr(k, '&'), *eq;
		size_t n = amp ? (size_t)(amp - k) : strlen(k);

		eq = memchr(k, '=', n);
		if (eq == NULL)
			return url_error(err, errlen, text, "parameters are db=N, password=P, user=U");
		if (eq - k == 2 && strncmp(k, "db", 2) == 0) {
			long db = parse_dec(eq + 1, n - 3, 0, INT_MAX);

			if (db < 0 || u->db >= 0)
				return url_error(err, errlen, text, "db must be given once, as a number");
			u->db = (int)db;
		} else if (eq - k == 8 && strncmp(k, "password", 8) == 0) {
			if (u->pass[0] || pct_decode(eq + 1, n - 9, u->pass, sizeof(u->pass)) != 0 || !u->pass[0])
				return url_error(err, errlen, text, "bad password parameter");
		} else if (eq - k == 4 && strncmp(k, "user", 4) == 0) {
			if (u->user[0] || pct_decode(eq + 1, n - 5, u->user, sizeof(u->user)) != 0 || !u->user[0])
				return url_error(err, errlen, text, "bad user parameter");
		} else {
			return url_error(err, errlen, text, "parameters are db=N, password=P, user=U");
		}
		q = amp;
	}
	if (u->user[0] && !u->pass[0])
		return url_error(err, errlen, text, "a user needs a password");
	return 0;
}

int
redis_url_parse(const char *text, struct redis_url *u, char *err, size_t errlen)
{
	int rc;

	memset(u, 0, sizeof(*u));
	u->port = 6379;
	u->db = -1;
	if (text == NULL || *text == '\0') {
		snprintf(err, errlen, "empty Redis URL (expected %s)", URL_FORMS);
		return -1;
	}
	if (strncasecmp(text, "redis://", 8) == 0) {
		rc = parse_tcp(text, text + 8, u, err, errlen);
	} else if (strncasecmp(text, "unix://", 7) == 0) {
		u->is_unix = true;
		rc = parse_unix(text, text + 7, u, err, errlen);
	} else if (strncasecmp(text, "rediss://", 9) == 0) {
		u->tls = true;
		rc = parse_tcp(text, text + 9, u, err, errlen);
	} else {
		return url_error(err, errlen, text, "unknown scheme");
	}
	if (rc == 0)
		url_show(u);
	return rc;
}

/* Why a command got no reply: a protocol error means something other than Redis is listening. */
static int
no_reply(redisContext *c, const char *step, bool at_open, char *why, size_t whylen)
{
	if (c->err == REDIS_ERR_PROTOCOL) {
		snprintf(why, whylen, "not a Redis server: the answer to %s is not the Redis protocol (%s)", step,
		    c->errstr);
		return LINK_WRONG;
	}
	snprintf(why, whylen, "no answer to %s (%s)%s", step, c->err == REDIS_ERR_EOF ? "connection closed" :
	    c->errstr[0] ? c->errstr : "error", at_open ? ": not a Redis server?" : "");
	/* At start-up, silence or a hang-up is taken as the wrong server; later, as a passing outage. */
	return at_open ? LINK_WRONG : LINK_AWAY;
}

/* Check one handshake reply: want is the expected status text. */
static int
check_reply(redisContext *c, redisReply *r, const char *step, const char *want, bool at_open, char *why,
	    size_t whylen)
{
	int rc = LINK_OK;

	if (r == NULL)
		return no_reply(c, step, at_open, why, whylen);
	if (r->type == REDIS_REPLY_ERROR) {
		rc = redis_reply_transient(r) && strncmp(r->str, "NOAUTH", 6) != 0 ? LINK_AWAY : LINK_WRONG;
		if (strncmp(r->str, "NOAUTH", 6) == 0)
			snprintf(why, whylen, "the server wants a password (%s): give it in the URL", r->str);
		else
			snprintf(why, whylen, "%s failed: %s", step, r->str);
	} else if (r->type != REDIS_REPLY_STATUS || strcasecmp(r->str, want) != 0) {
		snprintf(why, whylen, "not a Redis server: %s answered %s%.40s%s instead of %s", step,
		    r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ? "'" : "a reply of type ",
		    r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ? r->str : "",
		    r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ? "'" : "other than status", want);
		rc = LINK_WRONG;
	}
	freeReplyObject(r);
	return rc;
}

/* Free a connection and the TLS session behind it, if any (hiredis's end first: that ends the relay). */
static void
conn_free(struct redis_link *l, redisContext *c)
{
	if (c != NULL)
		redisFree(c);
	tls_relay_free(l->relay);
	l->relay = NULL;
}

/* Drop the link's connection. */
static void
link_drop(struct redis_link *l)
{
	conn_free(l, l->c);
	l->c = NULL;
}

/*
 * A TLS connection: the handshake and the certificate checks, then hiredis on the relay's plain end.
 * Returns NULL with *rc and why when it could not be made.
 */
static redisContext *
tls_connect(struct redis_link *l, int connect_ms, int *rc, char *why, size_t whylen)
{
	redisContext *c;
	int fd;

	switch (tls_relay_open(l->tls, l->url.host, l->url.port, connect_ms, &l->relay, &fd, why, whylen)) {
	case TLS_OK:
		break;
	case TLS_REFUSED:
		*rc = LINK_WRONG;
		return NULL;
	default:
		*rc = LINK_AWAY;
		return NULL;
	}
	if ((c = redisConnectFd(fd)) == NULL) {
		close(fd);
		conn_free(l, NULL);
		snprintf(why, whylen, "out of memory");
		*rc = LINK_AWAY;
	}
	return c;
}

/*
 * The handshake got no proper answer over TLS: when the session itself ended (a TLS alert, most often a
 * client certificate the server wanted), that is the reason to give.
 */
static void
tls_why(struct redis_link *l, const char *step, char *why, size_t whylen)
{
	char tw[384];

	if (l->relay != NULL && tls_relay_ended(l->relay, tw, sizeof(tw)))
		snprintf(why, whylen, "the TLS session ended before the answer to %s: %s", step, tw);
}

/* check_reply, with the TLS session's end as the reason when there was no answer. */
static int
step_reply(struct redis_link *l, redisContext *c, redisReply *r, const char *step, const char *want,
	   bool at_open, char *why, size_t whylen)
{
	bool none = r == NULL;
	int rc = check_reply(c, r, step, want, at_open, why, whylen);

	if (rc != LINK_OK && none)
		tls_why(l, step, why, whylen);
	return rc;
}

/* Connect and check the server; on LINK_OK l->c is the connection. */
static int
link_connect(struct redis_link *l, int connect_ms, bool at_open, char *why, size_t whylen)
{
	const struct redis_url *u = &l->url;
	redisContext *c;
	redisReply *r;
	char step[64];
	int rc;

	if (u->tls) {
		if ((c = tls_connect(l, connect_ms, &rc, why, whylen)) == NULL)
			return rc;
	} else if (u->is_unix) {
		c = redisConnectUnixWithTimeout(u->host, ms_tv(connect_ms));
	} else {
		c = redisConnectWithTimeout(u->host, u->port, ms_tv(connect_ms));
	}
	if (c == NULL) {
		snprintf(why, whylen, "out of memory");
		return LINK_AWAY;
	}
	if (c->err) {
		snprintf(why, whylen, "%s", c->errstr);
		conn_free(l, c);
		return LINK_AWAY;
	}
	/* At start-up the handshake may take as long as connecting; afterwards no read may stall capture. */
	if (redisSetTimeout(c, ms_tv(at_open ? connect_ms : REDIS_IO_MS)) != REDIS_OK) {
		snprintf(why, whylen, "cannot set a timeout: %s", c->errstr);
		conn_free(l, c);
		return LINK_AWAY;
	}
	rc = LINK_OK;
	if (u->pass[0]) {
		if (u->user[0]) {
			snprintf(step, sizeof(step), "AUTH as %.40s", u->user);
			r = redisCommand(c, "AUTH %s %s", u->user, u->pass);
		} else {
			snprintf(step, sizeof(step), "AUTH");
			r = redisCommand(c, "AUTH %s", u->pass);
		}
		rc = step_reply(l, c, r, step, "OK", at_open, why, whylen);
	}
	if (rc == LINK_OK && u->db >= 0) {
		snprintf(step, sizeof(step), "SELECT %d", u->db);
		r = redisCommand(c, "SELECT %d", u->db);
		rc = step_reply(l, c, r, step, "OK", at_open, why, whylen);
	}
	if (rc == LINK_OK) {
		r = redisCommand(c, "PING");
		rc = step_reply(l, c, r, "PING", "PONG", at_open, why, whylen);
	}
	if (rc == LINK_OK && at_open && redisSetTimeout(c, ms_tv(REDIS_IO_MS)) != REDIS_OK) {
		snprintf(why, whylen, "cannot set a timeout: %s", c->errstr);
		rc = LINK_AWAY;
	}
	if (rc != LINK_OK) {
		conn_free(l, c);
		return rc;
	}
	l->c = c;
	return LINK_OK;
}

static void
schedule_retry(struct redis_link *l)
{
	l->next_try_ms = redis_mono_ms() + (uint64_t)l->backoff_s * 1000u;
	l->backoff_s = l->backoff_s * 2 > REDIS_BACKOFF_MAX_S ? REDIS_BACKOFF_MAX_S : l->backoff_s * 2;
}

void
redis_link_tls_files(const char *ca, const char *cert, const char *key)
{
	tls_files.ca = ca;
	tls_files.cert = cert;
	tls_files.key = key;
}

int
redis_link_open(struct redis_link *l, const char *url, const char *what, char *err, size_t errlen)
{
	char why[512];

	memset(l, 0, sizeof(*l));
	l->what = what;
	l->backoff_s = REDIS_BACKOFF_MIN_S;
	if (redis_url_parse(url, &l->url, err, errlen) != 0)
		return -1;
	if (l->url.tls) {
		if ((l->tls = tls_client_new(tls_files.ca, tls_files.cert, tls_files.key, why, sizeof(why))) == NULL) {
			snprintf(err, errlen, "%s: %s", l->url.shown, why);
			return -1;
		}
	} else if ((tls_files.ca && *tls_files.ca) || (tls_files.cert && *tls_files.cert) ||
	    (tls_files.key && *tls_files.key)) {
		/* Certificates given for a plain connection: the user meant TLS, and would send the password bare. */
		snprintf(err, errlen, "%s: redis.tls_ca, redis.tls_cert and redis.tls_key apply to rediss:// URLs "
		    "only", l->url.shown);
		return -1;
	}
	switch (link_connect(l, REDIS_CONNECT_MS, true, why, sizeof(why))) {
	case LINK_OK:
		return 0;
	case LINK_WRONG:
		snprintf(err, errlen, "%s: %s", l->url.shown, why);
		tls_client_free(l->tls);
		l->tls = NULL;
		return -1;
	default:
		log_warn("redis: cannot connect to %s (%s); %s and retrying", l->url.shown, why, what);
		l->warned = true;
		schedule_retry(l);
		return 0;
	}
}

/* counted: a reconnection after an outage, rather than a new session after a fork. */
static bool
try_connect(struct redis_link *l, bool *fresh, bool counted)
{
	char why[512];
	int rc = link_connect(l, REDIS_RECONNECT_MS, false, why, sizeof(why));

	if (rc != LINK_OK) {
		l->errors++;
		/* A server that answers wrongly now (a new password, say) is worth one line per outage. */
		if (rc == LINK_WRONG && !l->warned_wrong) {
			log_warn("redis: %s: %s; retrying", l->url.shown, why);
			l->warned_wrong = true;
		} else {
			log_debug("redis: %s: %s", l->url.shown, why);
		}
		schedule_retry(l);
		return false;
	}
	l->backoff_s = REDIS_BACKOFF_MIN_S;
	if (counted) {
		l->reconnects++;
		log_info("redis: connected to %s", l->url.shown);
	} else {
		log_debug("redis: %s: a TLS session of this process's own, after fork", l->url.shown);
	}
	l->warned = l->warned_wrong = false;
	if (fresh)
		*fresh = true;
	return true;
}

/*
 * A TLS link inherited through fork (daemon mode detaches after the links open): the session belongs to
 * the parent and its relay thread did not follow, so this process connects anew, at once.
 */
static bool
forked(struct redis_link *l)
{
	if (l->c == NULL || l->relay == NULL || !tls_relay_orphaned(l->relay))
		return false;
	link_drop(l);
	return true;
}

bool
redis_link_ready(struct redis_link *l, bool *fresh)
{
	if (fresh)
		*fresh = false;
	if (forked(l))
		return try_connect(l, fresh, false);
	if (l->c != NULL)
		return true;
	if (redis_mono_ms() < l->next_try_ms)
		return false;
	return try_connect(l, fresh, true);
}

bool
redis_link_ready_now(struct redis_link *l, bool *fresh)
{
	if (fresh)
		*fresh = false;
	if (forked(l))
		return try_connect(l, fresh, false);
	if (l->c != NULL)
		return true;
	return try_connect(l, fresh, true);
}

void
redis_link_fail(struct redis_link *l, const char *why)
{
	char tw[384];

	l->errors++;
	/* Over TLS, how the session ended says more than hiredis's "connection closed". */
	if (why == NULL && l->relay != NULL && tls_relay_ended(l->relay, tw, sizeof(tw)))
		why = tw;
	if (why == NULL)
		why = l->c && l->c->errstr[0] ? l->c->errstr : "error";
	if (!l->warned) {
		log_warn("redis: %s failed (%s); %s and retrying", l->url.shown, why, l->what);
		l->warned = true;
	}
	link_drop(l);
	l->backoff_s = REDIS_BACKOFF_MIN_S;
	schedule_retry(l);
}

void
redis_link_close(struct redis_link *l)
{
	link_drop(l);
	tls_client_free(l->tls);
	l->tls = NULL;
}

bool
redis_reply_transient(const redisReply *r)
{
	static const char *const words[] = {
		"LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "OOM", "NOAUTH",
	};
	size_t i, n;

	if (r == NULL || r->type != REDIS_REPLY_ERROR || r->str == NULL)
		return false;
	n = strcspn(r->str, " ");
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncmp(r->str, words[i], n) == 0)
			return true;
	return strncmp(r->str, "ERR max number of clients", 25) == 0;
}
