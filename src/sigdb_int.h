/*
 * sigdb_int.h - what sigdb_match.c (the matchers and accessors) and sigdb_load.c
 * (the parser and loader) share.  Included only by those two files.
 *
 * Layout after a load:
 *
 *   recs[]    every indicator in definition order.  struct rec starts with the
 *             public struct sig_indicator, so a matcher hands out &rec->pub.
 *   keys      an open-addressing hash table of normalized strings (host names,
 *             domain suffixes, literal suffixes of patterns, cert names, JA3
 *             hashes, "tcp/N" ports, canonical CIDRs).  A key node carries one
 *             list head per class, so a name lookup probes once per label
 *             boundary, whatever kinds the database holds.
 *   globs     compiled globs of the pattern indicators (sigdb_glob.h).
 *   v4, v6    nDPI patricia trees whose nodes point at CIDR list heads.
 *   arena     every string, freed at once.
 */
#ifndef DCDN_SIGDB_INT_H
#define DCDN_SIGDB_INT_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <ndpi/ndpi_api.h>

#include "sigdb.h"
#include "sigdb_glob.h"

/* Classes of keys; a key node has one list head for each. */
enum { C_HOST, C_DOMAIN, C_PATTERN, C_CERT, C_CERTWILD, C_JA3, C_PORT, C_CIDR, C_MAX };

#define NO_REC (-1)

struct rec {
	struct sig_indicator pub;	/* first: matchers return &rec->pub */
	const char *key;		/* normalized value; the whole glob for patterns */
	int32_t next;			/* next rec in the same key and class, or NO_REC */
	uint32_t glob;			/* SIG_PATTERN: first compiled label */
	uint16_t nglob;			/* SIG_PATTERN: number of compiled labels */
	uint8_t af;			/* SIG_CIDR: 4 or 6 */
	uint8_t bits;			/* SIG_CIDR: prefix length */
	union {				/* SIG_CIDR: network address, network order */
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	} addr;
};

struct knode {
	uint64_t hash;
	const char *key;	/* in the arena */
	uint32_t len;
	int32_t head[C_MAX];
};

struct slot {
	uint64_t hash;
	uint32_t idx;	/* knode index + 1; 0 marks an empty slot */
};

struct arena {
	struct arena *next;
	size_t used, cap;
	char mem[];
};

struct sigdb {
	struct rec *recs;
	size_t nrecs, caprecs;
	struct knode *nodes;
	size_t nnodes, capnodes;
	struct slot *slots;
	size_t nslots;		/* a power of two, at least 4 * nnodes: short probes */
	struct globs globs;	/* compiled patterns */
	ndpi_patricia_tree_t *v4, *v6;
	struct arena *arena;
	uint32_t family_mask;	/* bit i: family i has an indicator */
};

/*
 * Name tables, defined in sigdb_match.c: indexed by enum sig_role, by enum sig_kind
 * and by family number.
 */
#define NROLES (SIG_ROLE_WEB + 1)
#define NKINDS (SIG_PORT + 1)
#define NFAMILIES 17
extern const char *const sigdb_role_names[];
extern const char *const sigdb_kind_names[];
extern const char *const sigdb_family_names[];

static inline unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* The hash of a whole key, as sigdb_match_name computes it for a suffix. */
uint64_t sigdb_hash_key(const char *key, size_t n);

/* The node of key (whose hash is hash), or NULL. */
const struct knode *sigdb_key_find(const struct sigdb *db, uint64_t hash, const char *key,
				   size_t len);

/* "tcp/N" or "udp/N": the key of a port indicator.  buf needs 10 bytes. */
size_t sigdb_port_key(char *buf, uint8_t l4proto, uint16_t port);

#endif
