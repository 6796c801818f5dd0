/*
 * sigdb.h - the signature database (format in dcdnwatch-signatures(5)).
 *
 * A database is loaded once from text files, is immutable afterwards and may
 * then be read by any number of threads at once without locking.  Reloading
 * means loading a new database and swapping the pointer; the old one is freed
 * when no reader uses it any more.  A failed load leaves nothing behind, so a
 * reload that fails keeps the old database.
 *
 * Every matcher returns a borrowed pointer into the database (valid until
 * sigdb_free) or NULL when nothing matches; none of them allocates.
 */
#ifndef DCDN_SIGDB_H
#define DCDN_SIGDB_H

#include <stddef.h>
#include <stdint.h>

/*
 * Limits.  They bound memory and time for a database written by mistake (or
 * by someone hostile): a load that would cross one fails with a message, it
 * never truncates silently.
 */
#define SIGDB_MAX_NAME 253		/* host name length, RFC 1035 2.3.4 */
#define SIGDB_MAX_LINE 1024		/* bytes per line, newline excluded */
#define SIGDB_MAX_FIELDS 16		/* whitespace-separated fields per line */
#define SIGDB_MAX_INDICATORS 100000	/* per database, over all files */
#define SIGDB_MAX_FILES 256		/* *.sig files in a directory */
#define SIGDB_MAX_FILE_SIZE (16u << 20)
/*
 * Indicators sharing one value (they differ in port=), or patterns sharing one
 * literal suffix.  A lookup walks such a list, so this caps its cost.
 */
#define SIGDB_MAX_PER_KEY 16

enum sig_kind {
	SIG_DOMAIN,	/* domain suffix: the name itself and all names below it */
	SIG_HOST,	/* exactly this host name */
	SIG_PATTERN,	/* glob on the leading labels, anchored to a literal suffix */
	SIG_CIDR,	/* IPv4 or IPv6 address or prefix */
	SIG_JA3,	/* TLS client fingerprint, 32 hex digits */
	SIG_CERT,	/* certificate subject CN or SAN; "*.x" covers names under x */
	SIG_PORT	/* transport and port alone, e.g. a node's listening port */
};

enum sig_role {
	SIG_ROLE_DOWNLOAD,	/* fetching the software: installed, maybe not running */
	SIG_ROLE_CONTROL,	/* API, registration, heartbeat, update check, telemetry */
	SIG_ROLE_RELAY,		/* tunnel that carries other people's traffic */
	SIG_ROLE_NODE,		/* the local host serves inbound as a node */
	SIG_ROLE_CUSTOMER,	/* a buyer's gateway: proxy use, not a node */
	SIG_ROLE_WEB		/* dashboard or referral site a person visits */
};

/* One indicator: immutable after load, owned by the db. */
struct sig_indicator {
	const char *family;	/* one of sig_family_name(); stable for the db's life */
	enum sig_kind kind;
	enum sig_role role;
	int confidence;		/* 0..100 */
	const char *value;	/* as written in the file */
	const char *source;	/* source reference, e.g. "S2 configs/default.toml" */
	uint8_t l4proto;	/* 0 = any, 6 tcp, 17 udp */
	uint16_t port;		/* 0 = any */
	const char *file;	/* where it was defined */
	int line;
};

struct sigdb;

/*
 * Load a file, or a directory of *.sig files read in name order (files whose
 * name starts with '.' are skipped).  Returns a new database, or NULL with
 * "file:line: what is wrong" (or "file: what is wrong" for a whole-file
 * problem) in err.  err may be NULL.
 */
struct sigdb *sigdb_load(const char *path, char *err, size_t errlen);

/*
 * Parse one file's text that is already in memory; name is used in messages
 * and in sig_indicator.file.  text need not be NUL-terminated.  Same result
 * convention as sigdb_load; an empty text is an error (empty database).
 */
struct sigdb *sigdb_parse(const char *text, size_t len, const char *name, char *err,
			  size_t errlen);

/* Free a database and everything it returned.  NULL is a no-op. */
void sigdb_free(struct sigdb *db);

size_t sigdb_count(const struct sigdb *db);	/* indicators */
size_t sigdb_families(const struct sigdb *db);	/* distinct families with indicators */

/* Indicator i (0 <= i < sigdb_count) in definition order, NULL past the end. */
const struct sig_indicator *sigdb_get(const struct sigdb *db, size_t i);

/*
 * The most specific indicator matching a host name among kinds domain, host
 * and pattern.  The name is compared case-insensitively and one trailing dot is
 * ignored; it need not be NUL-terminated.  l4proto/port are the flow's server
 * side; pass 0,0 when the name is not tied to a flow (a DNS query): then
 * port-constrained indicators match too and the caller sees the constraint.
 * Precedence: exact host, then pattern (longest literal suffix first), then
 * the longest domain suffix.  Among indicators for the same value, one whose
 * port constraint fits the flow beats an unconstrained one (for a name alone
 * the unconstrained one wins), then higher confidence, then file order.
 * Cost is O(len), independent of the database size.
 */
const struct sig_indicator *sigdb_match_name(const struct sigdb *db, const char *name,
					     size_t len, uint8_t l4proto, uint16_t port);

/*
 * A certificate name (CN or SAN entry, may be a wildcard "*.x").  An exact
 * cert indicator beats a wildcard one; among wildcards the longest suffix wins.
 */
const struct sig_indicator *sigdb_match_cert(const struct sigdb *db, const char *name,
					     size_t len);

/*
 * An address: family 4 or 6, addr in network byte order (4 or 16 bytes).
 * Longest prefix whose port constraint fits, with the same rules as names.
 */
const struct sig_indicator *sigdb_match_addr(const struct sigdb *db, int family,
					     const void *addr, uint8_t l4proto,
					     uint16_t port);

/* A JA3 hash, 32 hex digits in either case (NUL-terminated). */
const struct sig_indicator *sigdb_match_ja3(const struct sigdb *db, const char *ja3_hex32);

/*
 * A port-only indicator for the server side of a flow (l4proto 6 or 17).  The
 * role says which side the local host is on: node means it is the server.
 */
const struct sig_indicator *sigdb_match_port(const struct sigdb *db, uint8_t l4proto,
					     uint16_t port);

const char *sig_role_name(enum sig_role r);	/* "download", ...; "?" if out of range */
const char *sig_kind_name(enum sig_kind k);	/* "domain", ...; "?" if out of range */

/* The families a signature file may name, i = 0.. ; NULL past the end. */
const char *sig_family_name(size_t i);

#endif
