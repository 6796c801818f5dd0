/*
 * sigdb_match.c - the signature database's matchers and accessors.  The parser and
 * loader are in sigdb_load.c, the structures both share in sigdb_int.h.
 *
 * A key's hash folds its labels from right to left, eight bytes per step,
 * then goes through a 64-bit finalizer.  The state after each label is the
 * hash of that suffix, so sigdb_match_name gets the hash of every suffix of a
 * name in one pass, which is what makes lookups O(length).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sigdb_int.h"

/*
 * The families of the contract (spec.md); a file may name no other, which
 * turns a misspelt family into an error instead of a new family.
 */
const char *const sigdb_family_names[] = {
	"meson", "gaganode", "earnapp", "honeygain", "pawns", "packetstream", "traffmonetizer", "peer2profit",
	"repocket", "proxyrack", "mysterium", "grass", "titan", "saturn", "storj", "theta", "aethir",
};
_Static_assert(sizeof(sigdb_family_names) / sizeof(sigdb_family_names[0]) == NFAMILIES,
	       "NFAMILIES counts sigdb_family_names");

const char *const sigdb_role_names[] = { "download", "control", "relay", "node", "customer", "web" };
const char *const sigdb_kind_names[] = { "domain", "host", "pattern", "cidr", "ja3", "cert", "port" };
_Static_assert(sizeof(sigdb_role_names) / sizeof(sigdb_role_names[0]) == NROLES,
	       "NROLES counts sigdb_role_names");
_Static_assert(sizeof(sigdb_kind_names) / sizeof(sigdb_kind_names[0]) == NKINDS,
	       "NKINDS counts sigdb_kind_names");

/* Static strings; never NULL, so callers can print them directly. */
const char *
sig_role_name(enum sig_role r)
{
	return (unsigned)r < NROLES ? sigdb_role_names[r] : "?";
}

/* Static strings; never NULL. */
const char *
sig_kind_name(enum sig_kind k)
{
	return (unsigned)k < NKINDS ? sigdb_kind_names[k] : "?";
}

/* The allowed family names in the contract's order; NULL ends the list. */
const char *
sig_family_name(size_t i)
{
	return i < NFAMILIES ? sigdb_family_names[i] : NULL;
}

#define HASH_SEED 0xcbf29ce484222325ULL
#define HASH_MUL 0x9fb21c651e98df25ULL	/* odd, dense: every bit feeds upward */

/*
 * Names are copied into buffers with this much zeroed slack after them, so a
 * label's last bytes can be read as one 8-byte word.
 */
#define HASH_SLACK 8

static inline uint64_t
load8(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void
store8(unsigned char *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, sizeof(v));
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/*
 * Copy src[0..n) to buf with the ASCII capitals lowered, eight bytes at a
 * time, followed by HASH_SLACK zero bytes, and record where the dots are.
 * Returns the number of dots.  Byte tricks after "Bit Twiddling Hacks":
 * adding 0x80 - x to a 7-bit byte sets its high bit exactly when it is >= x,
 * and no byte carries into the next.  src is never read past n.
 */
static inline size_t
lower_and_find_dots(unsigned char *buf, const unsigned char *src, size_t n,
		    unsigned char *dots)
{
	size_t i, nd = 0;

	memset(buf + (n & ~(size_t)7), 0, HASH_SLACK * 2);
	for (i = 0; i < n; i += 8) {
		uint64_t w, b, x, up, dot;

		if (n - i >= 8) {
			w = load8(src + i);
		} else {	/* the tail: copy it, the zeros after it are already there */
			memcpy(buf + i, src + i, n - i);
			w = load8(buf + i);
		}
		b = w & ~HIGHS;
		x = w ^ (ONES * '.');
		up = ((b + ONES * (0x80 - 'A')) ^ (b + ONES * (0x80 - 'Z' - 1))) & ~w & HIGHS;
		dot = ~(((x & ~HIGHS) + ~HIGHS) | x | ~HIGHS);

		store8(buf + i, w | up >> 2);
		for (; dot != 0; dot &= dot - 1)
			dots[nd++] = (unsigned char)(i + (size_t)__builtin_ctzll(dot) / 8);
	}
	return nd;
}

/* Fold label p[0..n) into h; p[n..n+7] must be readable. */
static inline uint64_t
hash_label(uint64_t h, const unsigned char *p, size_t n)
{
	h ^= n;
	for (; n >= 8; p += 8, n -= 8)
		h = (h ^ load8(p)) * HASH_MUL;
	if (n > 0)
		h = (h ^ (load8(p) & ((1ULL << (8 * n)) - 1))) * HASH_MUL;
	return h;
}

/* The multiply only carries upward; the murmur3 finalizer mixes back down. */
static inline uint64_t
hfinal(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The hash of a whole key, as sigdb_match_name computes it for a suffix. */
uint64_t
sigdb_hash_key(const char *key, size_t n)
{
	unsigned char buf[SIGDB_MAX_NAME + 1 + HASH_SLACK];
	uint64_t h = HASH_SEED;
	size_t s, e;

	if (n > SIGDB_MAX_NAME + 1)
		n = SIGDB_MAX_NAME + 1;	/* never: keys are checked names or shorter */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, key, n);
	for (e = n;; e = s - 1) {
		for (s = e; s > 0 && buf[s - 1] != '.'; s--)
			;
		h = hash_label(h, buf + s, e - s);
		if (s == 0)
			return hfinal(h);
	}
}

const struct knode *
sigdb_key_find(const struct sigdb *db, uint64_t hash, const char *key, size_t len)
{
	size_t mask = db->nslots - 1, i = (size_t)hash & mask;

	for (;; i = (i + 1) & mask) {
		const struct slot *s = &db->slots[i];
		const struct knode *n;

		if (s->idx == 0)
			return NULL;
		if (s->hash != hash)
			continue;
		n = &db->nodes[s->idx - 1];
		if (n->len == len && memcmp(n->key, key, len) == 0)
			return n;
	}
}

/*
 * How well rec fits a lookup's port constraint; -1 when it does not apply.
 * For a flow, a constraint that fits is more specific than none; for a bare
 * name (0,0) the unconstrained indicator is the better answer.  Confidence
 * breaks ties; the caller keeps the first of equals (file order).
 */
static int
rank(const struct rec *r, uint8_t l4proto, uint16_t port)
{
	int spec;

	if (r->pub.l4proto != 0 && l4proto != 0 && r->pub.l4proto != l4proto)
		return -1;
	if (r->pub.port != 0 && port != 0 && r->pub.port != port)
		return -1;
	if (l4proto != 0 || port != 0)
		spec = (r->pub.port != 0 ? 2 : 0) + (r->pub.l4proto != 0 ? 1 : 0);
	else
		spec = (r->pub.port != 0 || r->pub.l4proto != 0) ? 0 : 1;
	return spec * 128 + r->pub.confidence;
}

static const struct rec *
pick(const struct sigdb *db, int32_t i, uint8_t l4proto, uint16_t port)
{
	const struct rec *best = NULL;
	int best_rank = -1;

	for (; i != NO_REC; i = db->recs[i].next) {
		int k = rank(&db->recs[i], l4proto, port);

		if (k > best_rank) {
			best_rank = k;
			best = &db->recs[i];
		}
	}
	return best;
}

/*
 * The best pattern under one literal suffix that matches s[0..n), which has
 * nlabels labels.  Patterns with another label count are skipped unseen, so
 * each lookup runs at most SIGDB_MAX_PER_KEY globs per suffix.
 */
static const struct rec *
pick_glob(const struct sigdb *db, int32_t i, const unsigned char *s, size_t n,
	  unsigned nlabels, uint8_t l4proto, uint16_t port)
{
	const struct rec *best = NULL;
	int best_rank = -1;

	for (; i != NO_REC; i = db->recs[i].next) {
		int k = rank(&db->recs[i], l4proto, port);

		if (k > best_rank && db->recs[i].nglob == nlabels &&
		    glob_match(&db->globs, db->recs[i].glob, db->recs[i].nglob, s, n)) {
			best_rank = k;
			best = &db->recs[i];
		}
	}
	return best;
}

/*
 * One pass right to left hashes every suffix; each label boundary costs one
 * probe of the key table, whose node holds the host, domain and pattern lists
 * for that suffix.  The name is copied, lowered, to the stack: no allocation,
 * no shared state, so any number of threads may call this at once.
 */
const struct sig_indicator *
sigdb_match_name(const struct sigdb *db, const char *name, size_t len, uint8_t l4proto,
		 uint16_t port)
{
	unsigned char buf[SIGDB_MAX_NAME + 2 * HASH_SLACK];
	unsigned char dots[SIGDB_MAX_NAME];
	const struct rec *host = NULL, *pat = NULL, *dom = NULL, *r;
	uint64_t h = HASH_SEED;
	size_t s, e, nd, labels = 0;

	if (db == NULL || name == NULL || len > SIGDB_MAX_NAME + 1)
		return NULL;
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > SIGDB_MAX_NAME)
		return NULL;
	nd = lower_and_find_dots(buf, (const unsigned char *)name, len, dots);

	/* Suffixes come shortest first, so a later hit is a longer suffix. */
	for (e = len;; e = s - 1) {
		const struct knode *n;

		s = nd > 0 ? (size_t)dots[--nd] + 1 : 0;
		h = hash_label(h, buf + s, e - s);
		/* No key is a single label, so the last label alone is not probed. */
		if (++labels >= 2 &&
		    (n = sigdb_key_find(db, hfinal(h), (const char *)buf + s, len - s)) != NULL) {
			if (s == 0 && n->head[C_HOST] != NO_REC)
				host = pick(db, n->head[C_HOST], l4proto, port);
			if (n->head[C_DOMAIN] != NO_REC &&
			    (r = pick(db, n->head[C_DOMAIN], l4proto, port)) != NULL)
				dom = r;
			/* nd dots remain in front of the suffix: nd + 1 labels. */
			if (s >= 2 && n->head[C_PATTERN] != NO_REC &&
			    (r = pick_glob(db, n->head[C_PATTERN], buf, s - 1, (unsigned)nd + 1,
			    l4proto, port)) != NULL)
				pat = r;
		}
		if (s == 0)
			break;
	}
	r = host ? host : pat ? pat : dom;
	return r ? &r->pub : NULL;
}

/* Same scheme as sigdb_match_name, over the cert and wildcard-cert lists. */
const struct sig_indicator *
sigdb_match_cert(const struct sigdb *db, const char *name, size_t len)
{
	unsigned char buf[SIGDB_MAX_NAME + 2 + HASH_SLACK];
	const unsigned char *base;
	const struct rec *exact = NULL, *wild = NULL;
	uint64_t h = HASH_SEED;
	size_t i, s, e, blen;
	int is_wild;

	if (db == NULL || name == NULL || len > SIGDB_MAX_NAME + 3)
		return NULL;
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > SIGDB_MAX_NAME + 2)
		return NULL;
	for (i = 0; i < len; i++)
		buf[i] = lower((unsigned char)name[i]);
	memset(buf + len, 0, HASH_SLACK);
	is_wild = len > 2 && buf[0] == '*' && buf[1] == '.';
	base = is_wild ? buf + 2 : buf;
	blen = is_wild ? len - 2 : len;
	if (blen > SIGDB_MAX_NAME)
		return NULL;

	for (e = blen;; e = s - 1) {
		const struct knode *n;

		for (s = e; s > 0 && base[s - 1] != '.'; s--)
			;
		h = hash_label(h, base + s, e - s);
		n = sigdb_key_find(db, hfinal(h), (const char *)base + s, blen - s);
		if (n != NULL && s == 0)
			exact = pick(db, n->head[is_wild ? C_CERTWILD : C_CERT], 0, 0);
		else if (n != NULL && n->head[C_CERTWILD] != NO_REC)
			wild = pick(db, n->head[C_CERTWILD], 0, 0);
		if (s == 0)
			break;
	}
	if (exact == NULL)
		exact = wild;
	return exact ? &exact->pub : NULL;
}

/* JA3 hashes are keys of their own class in the same table. */
const struct sig_indicator *
sigdb_match_ja3(const struct sigdb *db, const char *ja3_hex32)
{
	char buf[32];
	const struct knode *n;
	size_t i;

	if (db == NULL || ja3_hex32 == NULL)
		return NULL;
	for (i = 0; i < 32; i++) {
		unsigned char c = lower((unsigned char)ja3_hex32[i]);

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return NULL;	/* also stops at a NUL before 32 digits */
		buf[i] = (char)c;
	}
	if (ja3_hex32[32] != '\0')
		return NULL;
	n = sigdb_key_find(db, sigdb_hash_key(buf, 32), buf, 32);
	if (n == NULL || n->head[C_JA3] == NO_REC)
		return NULL;
	return &db->recs[n->head[C_JA3]].pub;
}

/* "tcp/N" or "udp/N": the key of a port indicator.  buf needs 10 bytes. */
size_t
sigdb_port_key(char *buf, uint8_t l4proto, uint16_t port)
{
	char digits[5];
	size_t n = 0, k = 0;

	memcpy(buf, l4proto == 6 ? "tcp/" : "udp/", 4);
	n = 4;
	do
		digits[k++] = (char)('0' + port % 10);
	while ((port /= 10) != 0);
	while (k > 0)
		buf[n++] = digits[--k];
	return n;
}

/* Port-only indicators are keyed "tcp/N" or "udp/N", as the parser wrote them. */
const struct sig_indicator *
sigdb_match_port(const struct sigdb *db, uint8_t l4proto, uint16_t port)
{
	char buf[10];
	const struct knode *n;
	size_t len;

	if (db == NULL || (l4proto != 6 && l4proto != 17) || port == 0)
		return NULL;
	len = sigdb_port_key(buf, l4proto, port);
	n = sigdb_key_find(db, sigdb_hash_key(buf, len), buf, len);
	if (n == NULL || n->head[C_PORT] == NO_REC)
		return NULL;
	return &db->recs[n->head[C_PORT]].pub;
}

/*
 * nDPI's patricia search only reads the tree (4.2 keeps no search counters),
 * so concurrent readers are safe here too.
 */
const struct sig_indicator *
sigdb_match_addr(const struct sigdb *db, int family, const void *addr, uint8_t l4proto,
		 uint16_t port)
{
	ndpi_patricia_tree_t *tree;
	ndpi_prefix_t prefix;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} a;	/* the caller's bytes may sit unaligned in a packet */
	int bits;

	if (db == NULL || addr == NULL || (family != 4 && family != 6))
		return NULL;
	tree = family == 4 ? db->v4 : db->v6;
	if (tree == NULL)
		return NULL;
	memcpy(&a, addr, family == 4 ? 4 : 16);
	/*
	 * The longest prefix may hold only indicators whose port does not fit;
	 * then ask again below it.  At most one retry per prefix length.
	 */
	for (bits = family == 4 ? 32 : 128; bits >= 0;) {
		ndpi_patricia_node_t *node;
		const struct rec *head, *r;
		int rc;

		if (family == 4)
			rc = ndpi_fill_prefix_v4(&prefix, &a.v4, bits, 32);
		else
			rc = ndpi_fill_prefix_v6(&prefix, &a.v6, bits, 128);
		if (rc != 0)
			return NULL;
		node = ndpi_patricia_search_best(tree, &prefix);
		if (node == NULL)
			return NULL;
		head = ndpi_patricia_get_node_data(node);
		if (head == NULL)
			return NULL;
		r = pick(db, (int32_t)(head - db->recs), l4proto, port);
		if (r != NULL)
			return &r->pub;
		bits = (int)ndpi_patricia_get_node_prefix(node)->bitlen - 1;
	}
	return NULL;
}

/* Plain accessors; a NULL db counts as empty. */
size_t
sigdb_count(const struct sigdb *db)
{
	return db ? db->nrecs : 0;
}

size_t
sigdb_families(const struct sigdb *db)
{
	size_t n = 0;
	uint32_t m;

	if (db == NULL)
		return 0;
	for (m = db->family_mask; m != 0; m &= m - 1)
		n++;
	return n;
}

const struct sig_indicator *
sigdb_get(const struct sigdb *db, size_t i)
{
	return db != NULL && i < db->nrecs ? &db->recs[i].pub : NULL;
}

/* Frees everything a load allocated; every pointer the db handed out dies. */
void
sigdb_free(struct sigdb *db)
{
	struct arena *a, *next;

	if (db == NULL)
		return;
	/* Node data points into recs[], which free() below releases. */
	if (db->v4 != NULL)
		ndpi_patricia_destroy(db->v4, NULL);
	if (db->v6 != NULL)
		ndpi_patricia_destroy(db->v6, NULL);
	for (a = db->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(db->recs);
	free(db->nodes);
	free(db->slots);
	glob_free(&db->globs);
	free(db);
}
