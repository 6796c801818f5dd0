/*
 * tls_relay.h - TLS for the Redis link: a client context (trust anchors, optional client certificate) and,
 * per connection, a relay that gives hiredis a plain connected descriptor and carries its bytes over a
 * verified TLS session.  Why a relay at all is explained at the top of tls_relay.c.
 */
#ifndef DCDN_TLS_RELAY_H
#define DCDN_TLS_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#define TLS_RELAY_BUF	65536	/* bytes buffered each way per connection */

/* Outcome of tls_relay_open, matching the link's: connected, away (retry later), or refused for good. */
enum { TLS_OK = 0, TLS_AWAY = -1, TLS_REFUSED = -2 };

struct tls_client;
struct tls_relay;

/*
 * Load the trust anchors and the optional client certificate once, so reconnections need no file (they
 * may run after privileges are dropped).  ca is a PEM file of CA certificates, NULL or "" for the system
 * store; cert and key are PEM files, both or neither, the key unencrypted.  The paths are those of the
 * configuration keys redis.tls_ca, redis.tls_cert and redis.tls_key, which messages name.  Returns NULL
 * with err on a file that cannot be read or used.
 */
struct tls_client *tls_client_new(const char *ca, const char *cert, const char *key, char *err, size_t errlen);

/* Free the context; relays opened with it must be freed first. */
void tls_client_free(struct tls_client *t);

/*
 * Connect to host:port over TCP, run the TLS handshake and verify the server's certificate against the
 * trust anchors and host (a DNS name, also sent as SNI, or an IP address, checked as an address), all
 * within timeout_ms.  On TLS_OK, *out is the relay and *fd the plain end for hiredis (redisConnectFd: the
 * caller owns it, and closing it ends the session).  TLS_AWAY: the server could not be reached or went
 * away (retry later); TLS_REFUSED: the session cannot work as configured (certificate not trusted or not
 * for this host, not a TLS server, handshake refused); why says which.
 */
int tls_relay_open(struct tls_client *t, const char *host, int port, int timeout_ms, struct tls_relay **out,
		   int *fd, char *why, size_t whylen);

/*
 * Whether the TLS session has ended (the server closed it, a TLS alert, an I/O error); if so, writes why
 * into buf (naming the client certificate when the server asked for one that is not set, and ended the
 * session before any answer).  The relay then shows hiredis a closed connection, so the link's
 * reconnection applies.
 */
bool tls_relay_ended(struct tls_relay *r, char *buf, size_t len);

/*
 * Whether this process is a fork of the one that opened the relay: its copy of the session has no thread
 * behind it and must not be used or shut down; free it and connect again.
 */
bool tls_relay_orphaned(const struct tls_relay *r);

/*
 * Stop the relay and free it (NULL is fine): call after closing hiredis's end (redisFree).  Sends the TLS
 * close_notify when the session is still sound.
 */
void tls_relay_free(struct tls_relay *r);

#endif
