/*
 * tls_relay.c - rediss:// for hiredis 0.14, which has no TLS of its own and no hook for one: it reads and
 * writes its descriptor with read(2) and write(2).
 *
 * The design is an in-process relay.  The link connects over TCP and runs the OpenSSL handshake itself,
 * verifying the server's certificate and host, then creates a socketpair: one end goes to hiredis as a
 * connected descriptor (redisConnectFd), the other is pumped by one relay thread per connection between
 * the socketpair and the TLS session (SSL_read/SSL_write on a non-blocking socket, with poll).  hiredis
 * keeps its blocking I/O and its timeouts, so pipelining, the handshake that tells a Redis server from
 * anything else, reconnection with backoff and fault handling are the very code that runs over plain TCP.
 * When the session ends (the server closes it, a TLS alert, an I/O error) the relay shuts its end down:
 * hiredis sees a dropped connection and the link's reconnection applies.  Every reconnection opens a new
 * relay, hence a full handshake and verification (no session resumption).
 *
 * Why not the alternatives: a stunnel process is one more daemon to supervise, with certificate errors in
 * its log rather than in ours; kernel TLS after an OpenSSL handshake needs an OpenSSL built for it (Debian's
 * is not) and a loaded module, and TLS 1.3 post-handshake messages would reach hiredis as read errors;
 * driving hiredis's reader with our own I/O would change every caller of the link.  The relay costs a
 * thread and two bounded buffers per connection, and a link has one connection.
 *
 * Bounds: TLS_RELAY_BUF bytes each way; when hiredis does not read, the relay stops reading the server and
 * TCP flow control holds the rest.  The relay thread blocks only in poll and holds its lock only while it
 * moves bytes, never across a wait.
 *
 * Fork: a thread does not survive fork(2), and daemon mode forks after the links are open.  An atfork
 * handler takes every relay's lock, so the child's copy of each session is consistent, and marks the copy
 * orphaned: the child must not use the parent's session (two processes cannot share one TLS stream), so
 * the link frees the copy and connects again (tls_relay_orphaned).
 *
 * The handshake's deadline reads CLOCK_MONOTONIC, for I/O timeouts only, as redis_link.c does.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tls_relay.h"

struct tls_client {
	SSL_CTX *ctx;
	bool has_ca;		/* a CA file rather than the system store */
	bool has_cert;		/* a client certificate */
};

struct tls_relay {
	pthread_mutex_t mu;	/* held by the thread while it moves bytes; by fork_prepare across a fork */
	pthread_t thr;
	SSL *ssl;
	int net;		/* the TCP socket (non-blocking) */
	int app;		/* the relay's end of the socketpair (non-blocking) */
	short rd_want, wr_want;	/* what the last SSL_read / SSL_write waits for: POLLIN or POLLOUT */
	size_t wpend;		/* length of an SSL_write to repeat as it was, 0 when none */
	bool app_gone;		/* hiredis closed its end, or tls_relay_free shut ours */
	bool net_done;		/* the session ended; why says how */
	bool fatal;		/* ...with an error: no close_notify may follow */
	bool answered;		/* the server sent application data */
	bool cert_asked;	/* the server asked for a client certificate and none is set */
	bool orphaned;		/* a forked copy (set in the child only) */
	char why[256];
	struct tls_relay *next;	/* the list the fork handlers walk */
	size_t up_off, up_n;	/* hiredis to server: up[up_off, up_n) waits for SSL_write */
	size_t dn_off, dn_n;	/* server to hiredis: dn[dn_off, dn_n) waits for write(2) */
	unsigned char up[TLS_RELAY_BUF];
	unsigned char dn[TLS_RELAY_BUF];
};

/* Every live relay, for the fork handlers. */
static pthread_mutex_t relays_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tls_relay *relays;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void
fork_prepare(void)
{
	struct tls_relay *r;

	pthread_mutex_lock(&relays_mu);
	for (r = relays; r != NULL; r = r->next)
		pthread_mutex_lock(&r->mu);
}

static void
fork_parent(void)
{
	struct tls_relay *r;

	for (r = relays; r != NULL; r = r->next)
		pthread_mutex_unlock(&r->mu);
	pthread_mutex_unlock(&relays_mu);
}

static void
fork_child(void)
{
	struct tls_relay *r;

	for (r = relays; r != NULL; r = r->next) {
		r->orphaned = true;
		pthread_mutex_unlock(&r->mu);
	}
	pthread_mutex_unlock(&relays_mu);
}

static void
atfork_register(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The reason of OpenSSL's last error in this thread, or dflt; the queue is cleared. */
static const char *
ssl_reason(const char *dflt)
{
	unsigned long e = ERR_peek_last_error();
	const char *s = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return s ? s : dflt;
}

/* ---- the client context ---- */

/* A key that asks for a passphrase is refused: a daemon has nobody to ask. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	*(bool *)arg = true;
	return -1;
}

/*
 * Called when the server asks for a client certificate and none is set: none is sent, and the handshake
 * notes the question, since a server that insists ends the session only after the handshake (TLS 1.3).
 */
static int
cert_asked(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	bool *asked = SSL_get_app_data(ssl);

	if (asked != NULL)
		*asked = true;
	return 0;
}

/* Whether path can be opened for reading; err tells why not. */
static int
readable(const char *key, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		snprintf(err, errlen, "%s %s: %s", key, path, strerror(errno));
		return -1;
	}
	fclose(fp);
	return 0;
}

struct tls_client *
tls_client_new(const char *ca, const char *cert, const char *key, char *err, size_t errlen)
{
	struct tls_client *t;
	bool asked = false;

	if (ca != NULL && *ca == '\0')
		ca = NULL;
	if (cert != NULL && *cert == '\0')
		cert = NULL;
	if (key != NULL && *key == '\0')
		key = NULL;
	if ((cert == NULL) != (key == NULL)) {
		snprintf(err, errlen, "redis.tls_cert and redis.tls_key go together: give both or neither");
		return NULL;
	}
	if ((ca && readable("redis.tls_ca", ca, err, errlen) != 0) ||
	    (cert && readable("redis.tls_cert", cert, err, errlen) != 0) ||
	    (key && readable("redis.tls_key", key, err, errlen) != 0))
		return NULL;
	t = xcalloc(1, sizeof(*t));
	ERR_clear_error();
	if ((t->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "cannot set up TLS: %s", ssl_reason("out of memory"));
		free(t);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	/* Partial writes let the relay move what the socket takes; the rest is repeated as it was. */
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_default_passwd_cb(t->ctx, no_passphrase);
	SSL_CTX_set_default_passwd_cb_userdata(t->ctx, &asked);
	if (ca != NULL) {
		if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1) {
			snprintf(err, errlen, "redis.tls_ca %s: %s (expected PEM CA certificates)", ca,
			    ssl_reason("cannot load"));
			goto bad;
		}
		t->has_ca = true;
	} else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
		snprintf(err, errlen, "cannot load the system CA store: %s (give redis.tls_ca)",
		    ssl_reason("error"));
		goto bad;
	}
	if (cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1) {
			snprintf(err, errlen, "redis.tls_cert %s: %s (expected a PEM certificate)", cert,
			    ssl_reason("cannot load"));
			goto bad;
		}
		if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1) {
			unsigned long e = ERR_peek_last_error();

			if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
				snprintf(err, errlen, "redis.tls_key %s does not match redis.tls_cert %s", key, cert);
			else if (asked)
				snprintf(err, errlen, "redis.tls_key %s: the key is encrypted; give it unencrypted "
				    "(readable by the daemon only)", key);
			else
				snprintf(err, errlen, "redis.tls_key %s: %s (expected a PEM private key)", key,
				    ssl_reason("cannot load"));
			ERR_clear_error();
			goto bad;
		}
		if (SSL_CTX_check_private_key(t->ctx) != 1) {
			snprintf(err, errlen, "redis.tls_key %s does not match redis.tls_cert %s", key, cert);
			ERR_clear_error();
			goto bad;
		}
		t->has_cert = true;
	} else {
		SSL_CTX_set_client_cert_cb(t->ctx, cert_asked);
	}
	SSL_CTX_set_default_passwd_cb_userdata(t->ctx, NULL);
	return t;
bad:
	SSL_CTX_free(t->ctx);
	free(t);
	return NULL;
}

void
tls_client_free(struct tls_client *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

/* ---- connecting ---- */

/* Wait until fd is ready for ev or the deadline passes: 1 ready, 0 timed out, -1 error (errno). */
static int
wait_fd(int fd, short ev, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { fd, ev, 0 };
		uint64_t now = mono_ms();
		int rc;

		if (now >= deadline)
			return 0;
		rc = poll(&p, 1, (int)(deadline - now));
		if (rc > 0)
			return 1;
		if (rc == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* A non-blocking TCP socket connected to host:port, or -1 with why. */
static int
net_connect(const char *host, int port, uint64_t deadline, char *why, size_t whylen)
{
	struct addrinfo hints, *res, *ai;
	char service[8];
	int fd = -1, rc, e = ECONNREFUSED, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
		snprintf(why, whylen, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		if (e == EINPROGRESS) {
			socklen_t sl = sizeof(e);

			rc = wait_fd(fd, POLLOUT, deadline);
			if (rc > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == 0 && e == 0)
				break;
			if (rc == 0)
				e = ETIMEDOUT;
			else if (rc < 0)
				e = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(e));
		return -1;
	}
	/* Small pipelined commands go out at once, as hiredis has it for plain TCP. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Why the handshake failed, and whether retrying may help. */
static int
handshake_error(struct tls_client *t, SSL *ssl, int rc, const char *host, char *why, size_t whylen)
{
	int e = SSL_get_error(ssl, rc);
	long v = SSL_get_verify_result(ssl);
	unsigned long le = ERR_peek_last_error();

	if (v != X509_V_OK) {
		ERR_clear_error();
		if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH) {
			snprintf(why, whylen, "TLS: the server's certificate is not for %s (%s)", host,
			    X509_verify_cert_error_string(v));
			return TLS_REFUSED;
		}
		snprintf(why, whylen, "TLS: the server's certificate is not trusted: %s (%s)",
		    X509_verify_cert_error_string(v), t->has_ca ? "is redis.tls_ca the CA that signed it?" :
		    "no CA in the system store signed it; give redis.tls_ca");
		return TLS_REFUSED;
	}
	if (e == SSL_ERROR_SSL && ERR_GET_LIB(le) == ERR_LIB_SSL &&
	    ERR_GET_REASON(le) != SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		int reason = ERR_GET_REASON(le);
		bool not_tls = reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
		    reason == SSL_R_RECORD_LENGTH_MISMATCH || reason == SSL_R_UNKNOWN_PROTOCOL;

		snprintf(why, whylen, "TLS handshake failed: %s%s", ssl_reason("error"),
		    not_tls ? " (not a TLS port? use redis:// for a plain one)" : "");
		return TLS_REFUSED;
	}
	/* The server went away in the middle: a restart, or a limit on clients; worth retrying. */
	if (e == SSL_ERROR_SYSCALL && errno != 0)
		snprintf(why, whylen, "TLS handshake: %s", strerror(errno));
	else
		snprintf(why, whylen, "TLS handshake: the server closed the connection");
	ERR_clear_error();
	return TLS_AWAY;
}

/* Whether host is an IP address literal (checked as an address, and not sent as SNI: RFC 6066, 3). */
static bool
is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* Connect, hand-shake and verify: TLS_OK with *sslp, or an error with why. */
static int
handshake(struct tls_client *t, const char *host, int port, int timeout_ms, SSL **sslp, int *netp,
	  bool *asked, char *why, size_t whylen)
{
	uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;
	SSL *ssl;
	int fd, rc;

	if ((fd = net_connect(host, port, deadline, why, whylen)) < 0)
		return TLS_AWAY;
	ERR_clear_error();
	if ((ssl = SSL_new(t->ctx)) == NULL || SSL_set_fd(ssl, fd) != 1) {
		snprintf(why, whylen, "TLS: %s", ssl_reason("out of memory"));
		goto away;
	}
	*asked = false;
	SSL_set_app_data(ssl, asked);
	if (is_ip_literal(host)) {
		rc = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		rc = SSL_set1_host(ssl, host) == 1 && SSL_set_tlsext_host_name(ssl, host) == 1;
	}
	if (rc != 1) {
		snprintf(why, whylen, "TLS: cannot check the certificate against %s: %s", host, ssl_reason("error"));
		SSL_free(ssl);
		close(fd);
		return TLS_REFUSED;
	}
	for (;;) {
		int e;

		ERR_clear_error();
		errno = 0;
		if ((rc = SSL_connect(ssl)) == 1)
			break;
		e = SSL_get_error(ssl, rc);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			rc = handshake_error(t, ssl, rc, host, why, whylen);
			SSL_free(ssl);
			close(fd);
			return rc;
		}
		rc = wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
		if (rc == 0) {
			snprintf(why, whylen, "TLS handshake timed out after %d ms (not a TLS port?)", timeout_ms);
			goto away;
		}
		if (rc < 0) {
			snprintf(why, whylen, "TLS handshake: %s", strerror(errno));
			goto away;
		}
	}
	/* SSL_VERIFY_PEER has checked the chain and the host; a session without a certificate is refused. */
	if (SSL_get_verify_result(ssl) != X509_V_OK || SSL_get0_peer_certificate(ssl) == NULL) {
		snprintf(why, whylen, "TLS: the server showed no certificate that could be verified");
		SSL_free(ssl);
		close(fd);
		return TLS_REFUSED;
	}
	SSL_set_app_data(ssl, NULL);
	*sslp = ssl;
	*netp = fd;
	return TLS_OK;
away:
	SSL_free(ssl);
	close(fd);
	return TLS_AWAY;
}

/* ---- the relay thread ---- */

/* The session ended: note why once and stop using it. */
static void
net_end(struct tls_relay *r, int e)
{
	r->net_done = true;
	r->fatal = e != SSL_ERROR_ZERO_RETURN;
	if (e == SSL_ERROR_ZERO_RETURN)
		snprintf(r->why, sizeof(r->why), "the server closed the TLS session");
	else if (e == SSL_ERROR_SYSCALL && errno != 0)
		snprintf(r->why, sizeof(r->why), "%s", strerror(errno));
	else if (e == SSL_ERROR_SYSCALL ||
	    ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		snprintf(r->why, sizeof(r->why), "the server closed the connection");
	else
		snprintf(r->why, sizeof(r->why), "TLS error: %s", ssl_reason("error"));
	ERR_clear_error();
}

/* hiredis's bytes into up; false when nothing moved. */
static bool
app_in(struct tls_relay *r)
{
	ssize_t n = read(r->app, r->up + r->up_n, sizeof(r->up) - r->up_n);

	if (n > 0) {
		r->up_n += (size_t)n;
		return true;
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		r->app_gone = true;
	return false;
}

/* up into the session. */
static bool
net_out(struct tls_relay *r)
{
	size_t len = r->wpend ? r->wpend : r->up_n - r->up_off;
	int n, e;

	ERR_clear_error();
	errno = 0;
	n = SSL_write(r->ssl, r->up + r->up_off, (int)len);
	if (n > 0) {
		r->wpend = 0;
		r->up_off += (size_t)n;
		if (r->up_off == r->up_n)
			r->up_off = r->up_n = 0;
		return true;
	}
	e = SSL_get_error(r->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		/* Repeated later with the same bytes and length, as OpenSSL requires. */
		r->wpend = len;
		r->wr_want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
	} else {
		net_end(r, e);
	}
	return false;
}

/* The session into dn. */
static bool
net_in(struct tls_relay *r)
{
	int n, e;

	ERR_clear_error();
	errno = 0;
	n = SSL_read(r->ssl, r->dn + r->dn_n, (int)(sizeof(r->dn) - r->dn_n));
	if (n > 0) {
		r->dn_n += (size_t)n;
		r->answered = true;
		r->rd_want = POLLIN;
		return true;
	}
	e = SSL_get_error(r->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		r->rd_want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
	else
		net_end(r, e);
	return false;
}

/* dn to hiredis. */
static bool
app_out(struct tls_relay *r)
{
	ssize_t n = write(r->app, r->dn + r->dn_off, r->dn_n - r->dn_off);

	if (n > 0) {
		r->dn_off += (size_t)n;
		if (r->dn_off == r->dn_n)
			r->dn_off = r->dn_n = 0;
		return true;
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		r->app_gone = true;
	return false;
}

/* Move whatever can move without waiting.  Returns true when the relay is done. */
static bool
pump(struct tls_relay *r)
{
	bool moved;

	do {
		moved = false;
		if (!r->app_gone && r->up_n < sizeof(r->up))
			moved |= app_in(r);
		if (!r->net_done && r->up_off < r->up_n)
			moved |= net_out(r);
		if (!r->net_done && r->dn_n < sizeof(r->dn))
			moved |= net_in(r);
		if (!r->app_gone && r->dn_off < r->dn_n)
			moved |= app_out(r);
	} while (moved && !r->app_gone);
	if (r->app_gone)
		return true;
	if (r->net_done && r->dn_off == r->dn_n) {
		/* What the server sent is delivered; now hiredis sees the connection close. */
		shutdown(r->app, SHUT_RDWR);
		return true;
	}
	return false;
}

static void *
relay_main(void *arg)
{
	struct tls_relay *r = arg;

	pthread_mutex_lock(&r->mu);
	while (!pump(r)) {
		struct pollfd p[2];
		short ev = 0;

		p[0].fd = r->app;
		p[0].events = (short)((r->up_n < sizeof(r->up) ? POLLIN : 0) | (r->dn_off < r->dn_n ? POLLOUT : 0));
		if (!r->net_done) {
			if (r->up_off < r->up_n)
				ev |= r->wr_want ? r->wr_want : POLLOUT;
			if (r->dn_n < sizeof(r->dn))
				ev |= r->rd_want ? r->rd_want : POLLIN;
		}
		/* A socket polled for nothing would still wake us with POLLHUP, over and over. */
		p[1].fd = ev ? r->net : -1;
		p[1].events = ev;
		p[0].revents = p[1].revents = 0;
		pthread_mutex_unlock(&r->mu);
		while (poll(p, 2, -1) < 0 && errno == EINTR)
			;
		pthread_mutex_lock(&r->mu);
		/* hiredis closed its end, or tls_relay_free shut ours. */
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			r->app_gone = true;
	}
	pthread_mutex_unlock(&r->mu);
	OPENSSL_thread_stop();
	return NULL;
}

/* ---- the relay's life ---- */

static void
relay_unlist(struct tls_relay *r)
{
	struct tls_relay **pp;

	pthread_mutex_lock(&relays_mu);
	for (pp = &relays; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	pthread_mutex_unlock(&relays_mu);
}

int
tls_relay_open(struct tls_client *t, const char *host, int port, int timeout_ms, struct tls_relay **out,
	       int *fd, char *why, size_t whylen)
{
	struct tls_relay *r;
	sigset_t all, old;
	SSL *ssl;
	int net, sv[2], rc;
	bool asked;

	pthread_once(&atfork_once, atfork_register);
	if ((rc = handshake(t, host, port, timeout_ms, &ssl, &net, &asked, why, whylen)) != TLS_OK)
		return rc;
	/* hiredis's end blocks, as a socket from redisConnect does; the relay's does not. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(why, whylen, "socketpair: %s", strerror(errno));
		SSL_free(ssl);
		close(net);
		return TLS_AWAY;
	}
	fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	r = xcalloc(1, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	r->ssl = ssl;
	r->net = net;
	r->app = sv[1];
	r->cert_asked = asked;
	pthread_mutex_lock(&relays_mu);
	r->next = relays;
	relays = r;
	pthread_mutex_unlock(&relays_mu);
	/* Signals are the main thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&r->thr, NULL, relay_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(why, whylen, "cannot start the TLS relay thread: %s", strerror(rc));
		relay_unlist(r);
		close(sv[0]);
		close(sv[1]);
		close(net);
		SSL_free(ssl);
		pthread_mutex_destroy(&r->mu);
		free(r);
		return TLS_AWAY;
	}
	*out = r;
	*fd = sv[0];
	return TLS_OK;
}

bool
tls_relay_ended(struct tls_relay *r, char *buf, size_t len)
{
	bool ended;

	pthread_mutex_lock(&r->mu);
	ended = r->net_done;
	/* Whether the server's alert or its reset comes first is a race: the question tells the cause. */
	if (ended && r->cert_asked && !r->answered)
		snprintf(buf, len, "the server asked for a client certificate and none is set (redis.tls_cert, "
		    "redis.tls_key): %s", r->why);
	else if (ended)
		snprintf(buf, len, "%s", r->why);
	pthread_mutex_unlock(&r->mu);
	return ended;
}

bool
tls_relay_orphaned(const struct tls_relay *r)
{
	return r->orphaned;
}

void
tls_relay_free(struct tls_relay *r)
{
	if (r == NULL)
		return;
	if (!r->orphaned) {
		/* Wakes the thread (POLLHUP on its end) if hiredis's end is still open. */
		shutdown(r->app, SHUT_RDWR);
		pthread_join(r->thr, NULL);
		if (!r->fatal) {
			/* Best effort, without waiting: the server learns the end was meant. */
			ERR_clear_error();
			SSL_shutdown(r->ssl);
			ERR_clear_error();
		}
	}
	relay_unlist(r);
	close(r->app);
	close(r->net);
	SSL_free(r->ssl);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
