/*
 * sigdb_load.c - the signature database's parser and loader.  The structures it
 * fills are in sigdb_int.h, the matchers that read them in sigdb_match.c.
 *
 * Nothing here logs: errors go to the caller's buffer as "file:line: message".
 * Out of memory aborts in log.h's wrappers, as everywhere; lookups never
 * allocate.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sigdb_int.h"

#define CONF_HIGH 90
#define CONF_MEDIUM 60
#define CONF_LOW 30

#define ARENA_BLOCK 65536

static void
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	/* The SIGDB_MAX_ limits keep every table far below this. */
	if (ncap > SIZE_MAX / elem)
		log_fatal(1, "out of memory: a table of %zu entries", need);
	*p = xrealloc(*p, ncap * elem);
	*cap = ncap;
}

/* Copy n bytes into the arena as a NUL-terminated string. */
static char *
arena_dup(struct sigdb *db, const char *s, size_t n)
{
	struct arena *a = db->arena;
	char *out;

	if (a == NULL || a->cap - a->used < n + 1) {
		size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;

		a = xmalloc(sizeof(*a) + cap);
		a->next = db->arena;
		a->used = 0;
		a->cap = cap;
		db->arena = a;
	}
	out = a->mem + a->used;
	if (n > 0)
		memcpy(out, s, n);
	out[n] = '\0';
	a->used += n + 1;
	return out;
}

static void
slots_resize(struct sigdb *db, size_t nslots)
{
	struct slot *s = xcalloc(nslots, sizeof(*s));
	size_t i;

	for (i = 0; i < db->nnodes; i++) {
		size_t j = (size_t)db->nodes[i].hash & (nslots - 1);

		while (s[j].idx != 0)
			j = (j + 1) & (nslots - 1);
		s[j].hash = db->nodes[i].hash;
		s[j].idx = (uint32_t)i + 1;
	}
	free(db->slots);
	db->slots = s;
	db->nslots = nslots;
}

/* Find or add the node for key; returns its index. */
static size_t
key_intern(struct sigdb *db, const char *key, size_t len)
{
	uint64_t hash = sigdb_hash_key(key, len);
	const struct knode *found = sigdb_key_find(db, hash, key, len);
	struct knode *n;
	size_t j;
	int c;

	if (found != NULL)
		return (size_t)(found - db->nodes);
	if ((db->nnodes + 1) * 4 > db->nslots)
		slots_resize(db, db->nslots * 2);
	grow((void **)&db->nodes, &db->capnodes, db->nnodes + 1, sizeof(*db->nodes));
	n = &db->nodes[db->nnodes];
	n->key = arena_dup(db, key, len);
	n->hash = hash;
	n->len = (uint32_t)len;
	for (c = 0; c < C_MAX; c++)
		n->head[c] = NO_REC;
	j = (size_t)hash & (db->nslots - 1);
	while (db->slots[j].idx != 0)
		j = (j + 1) & (db->nslots - 1);
	db->slots[j].hash = hash;
	db->slots[j].idx = (uint32_t)(db->nnodes + 1);
	return db->nnodes++;
}

struct parser {
	struct sigdb *db;
	const char *file;	/* in the arena */
	int line;		/* 0 for whole-file messages */
	const char *family;
	uint32_t family_bit;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err != NULL && p->errlen > 0) {
		if (p->line > 0)
			snprintf(p->err, p->errlen, "%s:%d: %s", p->file, p->line, msg);
		else
			snprintf(p->err, p->errlen, "%s: %s", p->file, msg);
	}
	return -1;
}

/*
 * A token fit to quote in a message: at most 48 bytes, control and non-ASCII
 * bytes shown as '?', so a hostile file cannot write to the terminal.
 */
static const char *
show(char *buf, size_t size, const char *s, size_t n)
{
	size_t i, max = size - 4;

	for (i = 0; i < n && i < max; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > max) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

#define SHOW(s, n) show((char[52]){ 0 }, 52, (s), (n))

struct field {
	const char *s;	/* in the line copy, quotes removed, NUL-terminated */
	size_t len;
};

static int
tokenize(struct parser *p, const char *line, size_t n, char *out, struct field *f, int *nf)
{
	size_t i = 0, o = 0;
	int done = 0;

	*nf = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(p, "control character 0x%02x", c);
	}
	for (i = 0; i < n && !done;) {
		size_t start;

		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == n || line[i] == '#')
			break;
		if (*nf == SIGDB_MAX_FIELDS)
			return fail(p, "too many fields (max %d)", SIGDB_MAX_FIELDS);
		start = o;
		while (i < n && line[i] != ' ' && line[i] != '\t') {
			if (line[i] == '#') {
				done = 1;
				break;
			}
			if (line[i] == '"') {
				const char *q = memchr(line + i + 1, '"', n - i - 1);

				if (q == NULL)
					return fail(p, "unterminated quote");
				memcpy(out + o, line + i + 1, (size_t)(q - line) - i - 1);
				o += (size_t)(q - line) - i - 1;
				i = (size_t)(q - line) + 1;
				continue;
			}
			out[o++] = line[i++];
		}
		f[*nf].s = out + start;
		f[*nf].len = o - start;
		out[o++] = '\0';
		(*nf)++;
	}
	return 0;
}

static int
field_is(const struct field *f, const char *word)
{
	return f->len == strlen(word) && memcmp(f->s, word, f->len) == 0;
}

/* Parse decimal digits only, value in [lo, hi]; -1 otherwise. */
static long
parse_num(const char *s, size_t n, long lo, long hi)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

/* "tcp/N", "udp/N", or "N" when any_proto is allowed. */
static int
parse_port(const char *s, size_t n, int any_proto, uint8_t *l4proto, uint16_t *port)
{
	long v;

	if (n > 4 && (memcmp(s, "tcp/", 4) == 0 || memcmp(s, "udp/", 4) == 0)) {
		*l4proto = s[0] == 't' ? 6 : 17;
		s += 4;
		n -= 4;
	} else if (any_proto) {
		*l4proto = 0;
	} else {
		return -1;
	}
	if ((v = parse_num(s, n, 1, 65535)) < 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/*
 * Check a host name and write it lowered to out (SIGDB_MAX_NAME + 1 bytes),
 * one trailing dot dropped.  Returns NULL, or why the name is bad.
 */
static const char *
check_name(const char *s, size_t n, char *out, size_t *outlen)
{
	size_t i, lab = 0, labels = 0, last = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return "empty name";
	if (n > SIGDB_MAX_NAME)
		return "longer than 253 characters";
	for (i = 0; i <= n; i++) {
		unsigned char c = i < n ? lower((unsigned char)s[i]) : '.';

		if (c == '.') {
			if (lab == 0)
				return "empty label";
			labels++;
			last = i - lab;	/* start of the label just closed */
			lab = 0;
		} else if (!is_hostchar(c)) {
			return "character not allowed in a host name";
		} else if (++lab > SIGDB_MAX_LABEL) {
			return "label longer than 63 characters";
		}
		out[i] = (char)c;
	}
	if (labels < 2)
		return "needs at least two labels";
	/* A name ending in a numeric label is an address written as a name. */
	for (i = last; i < n && out[i] >= '0' && out[i] <= '9'; i++)
		;
	if (i == n)
		return "looks like an address (use cidr)";
	out[n] = '\0';
	*outlen = n;
	return NULL;
}

/*
 * Compile a pattern: glob labels (sigdb_glob.c), then a literal suffix of two labels or more.
 * norm receives the lowered pattern, *suffix the offset of its literal suffix.
 */
static const char *
compile_pattern(struct sigdb *db, struct rec *r, const char *s, size_t n, char *norm,
		size_t *normlen, size_t *suffix)
{
	char tmp[SIGDB_MAX_NAME + 1];
	size_t i, start, glob_end = 0, tlen;
	const char *why;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return "empty pattern";
	if (n > SIGDB_MAX_NAME)
		return "longer than 253 characters";
	for (i = 0; i < n; i++)
		norm[i] = (char)lower((unsigned char)s[i]);
	norm[n] = '\0';
	*normlen = n;
	/* The glob part ends with the last label holding a wildcard. */
	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && norm[i] != '.')
			continue;
		if (i == start)
			return "empty label";
		if (glob_has_meta(norm + start, i - start))
			glob_end = i;
		start = i + 1;
	}
	if (glob_end == 0)
		return "no wildcard (use host or domain)";
	if (glob_end == n)
		return "needs a literal suffix after the last wildcard label";
	if (check_name(norm + glob_end + 1, n - glob_end - 1, tmp, &tlen) != NULL)
		return "the literal suffix is not a host name of two labels or more";
	if ((why = glob_compile(&db->globs, norm, glob_end, &r->glob, &r->nglob)) != NULL)
		return why;
	*suffix = glob_end + 1;
	return NULL;
}

/* Address or prefix; host bits must be clear.  norm gets "addr/bits". */
static const char *
parse_cidr(struct rec *r, const char *s, size_t n, char *norm, size_t *normlen)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	long bits;
	int maxbits, i, w;

	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return "not an address";
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	memset(&r->addr, 0, sizeof(r->addr));
	if (memchr(tmp, ':', alen) != NULL) {
		if (inet_pton(AF_INET6, tmp, &r->addr.v6) != 1)
			return "not an IPv6 address";
		r->af = 6;
		maxbits = 128;
	} else {
		if (inet_pton(AF_INET, tmp, &r->addr.v4) != 1)
			return "not an IPv4 address";
		r->af = 4;
		maxbits = 32;
	}
	bits = maxbits;
	if (slash != NULL &&
	    (bits = parse_num(slash + 1, n - alen - 1, 0, maxbits)) < 0)
		return r->af == 4 ? "prefix length not in 8..32" : "prefix length not in 16..128";
	/* A shorter prefix would swallow whole regions of the internet. */
	if (bits < (r->af == 4 ? 8 : 16))
		return r->af == 4 ? "prefix length not in 8..32" : "prefix length not in 16..128";
	for (i = (int)bits; i < maxbits; i++)
		if (r->addr.b[i / 8] & (0x80 >> (i % 8)))
			return "host bits set after the prefix length";
	r->bits = (uint8_t)bits;
	if (inet_ntop(r->af == 4 ? AF_INET : AF_INET6, &r->addr, tmp, sizeof(tmp)) == NULL)
		return "not an address";
	w = snprintf(norm, SIGDB_MAX_NAME + 1, "%s/%ld", tmp, bits);
	if (w < 0)
		return "not an address";
	*normlen = (size_t)w;
	return NULL;
}

static const char *
parse_ja3(const char *s, size_t n, char *norm, size_t *normlen)
{
	size_t i;

	if (n != 32)
		return "not 32 hex digits";
	for (i = 0; i < n; i++) {
		unsigned char c = lower((unsigned char)s[i]);

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return "not 32 hex digits";
		norm[i] = (char)c;
	}
	norm[n] = '\0';
	*normlen = n;
	return NULL;
}

static int
lookup_word(const struct field *f, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (field_is(f, words[i]))
			return (int)i;
	return -1;
}

/* Link rec idx under key/class, refusing duplicates and over-long lists. */
static int
index_rec(struct parser *p, size_t idx, const char *key, size_t keylen, int cls)
{
	struct sigdb *db = p->db;
	struct rec *r = &db->recs[idx];
	size_t node = key_intern(db, key, keylen);
	int32_t *link;
	int count = 0;

	for (link = &db->nodes[node].head[cls]; *link != NO_REC; link = &db->recs[*link].next) {
		const struct rec *o = &db->recs[*link];

		if (strcmp(o->key, r->key) == 0 && o->pub.l4proto == r->pub.l4proto &&
		    o->pub.port == r->pub.port)
			return fail(p, "duplicate indicator '%s' (first at %s:%d)",
			    SHOW(r->pub.value, strlen(r->pub.value)), o->pub.file,
			    o->pub.line);
		count++;
	}
	if (count >= SIGDB_MAX_PER_KEY)
		return fail(p, "too many indicators share '%s' (max %d)", SHOW(key, keylen),
		    SIGDB_MAX_PER_KEY);
	*link = (int32_t)idx;
	return 0;
}

/* An indicator's value, normalized: the key it is indexed under is key[keyoff..len), in class cls. */
struct value {
	char key[SIGDB_MAX_NAME + 1];
	size_t len, keyoff;
	int cls;
};

/* Each kind's value parser: fills v (and r's kind-specific fields); NULL, or why the value is bad. */
typedef const char *(*value_fn)(struct sigdb *db, struct rec *r, const char *s, size_t n, struct value *v);

static const char *
value_name(struct sigdb *db, struct rec *r, const char *s, size_t n, struct value *v)
{
	return check_name(s, n, v->key, &v->len);
}

/* A certificate name; "*.x" is a wildcard over the names under x, a class of its own. */
static const char *
value_cert(struct sigdb *db, struct rec *r, const char *s, size_t n, struct value *v)
{
	if (n > 2 && s[0] == '*' && s[1] == '.') {
		v->cls = C_CERTWILD;
		return check_name(s + 2, n - 2, v->key, &v->len);
	}
	return check_name(s, n, v->key, &v->len);
}

/* A pattern is indexed under its literal suffix. */
static const char *
value_pattern(struct sigdb *db, struct rec *r, const char *s, size_t n, struct value *v)
{
	return compile_pattern(db, r, s, n, v->key, &v->len, &v->keyoff);
}

static const char *
value_cidr(struct sigdb *db, struct rec *r, const char *s, size_t n, struct value *v)
{
	return parse_cidr(r, s, n, v->key, &v->len);
}

static const char *
value_ja3(struct sigdb *db, struct rec *r, const char *s, size_t n, struct value *v)
{
	return parse_ja3(s, n, v->key, &v->len);
}

static const char *
value_port(struct sigdb *db, struct rec *r, const char *s, size_t n, struct value *v)
{
	if (parse_port(s, n, 0, &r->pub.l4proto, &r->pub.port) < 0)
		return "expected tcp/N or udp/N, N in 1..65535";
	v->len = sigdb_port_key(v->key, r->pub.l4proto, r->pub.port);
	v->key[v->len] = '\0';
	return NULL;
}

/* How each kind reads its value: what messages call it, its key class, whether port= applies, its parser. */
static const struct kind_rule {
	const char *what;
	int cls;
	bool port_ok;
	bool why_in_parens;	/* "bad port 'x' (why)" rather than "bad ... 'x': why" */
	value_fn parse;
} kind_rules[NKINDS] = {
	[SIG_DOMAIN] = { "domain", C_DOMAIN, true, false, value_name },
	[SIG_HOST] = { "host name", C_HOST, true, false, value_name },
	[SIG_PATTERN] = { "pattern", C_PATTERN, true, false, value_pattern },
	[SIG_CIDR] = { "CIDR", C_CIDR, true, false, value_cidr },
	[SIG_JA3] = { "JA3", C_JA3, false, false, value_ja3 },
	[SIG_CERT] = { "certificate name", C_CERT, false, false, value_cert },
	[SIG_PORT] = { "port", C_PORT, false, true, value_port },
};

/* The key=value fields of an indicator line. */
struct options {
	const struct field *role, *conf, *src, *port;
};

/* Sort f[from..nf) into o by key, refusing strays, unknown keys and repeats. */
static int
read_options(struct parser *p, const struct field *f, int from, int nf, struct options *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = from; i < nf; i++) {
		const char *eq = memchr(f[i].s, '=', f[i].len);
		const struct field **slot;
		size_t klen;

		if (eq == NULL)
			return fail(p, "unexpected '%s' (expected key=value)", SHOW(f[i].s, f[i].len));
		klen = (size_t)(eq - f[i].s);
		if (klen == 4 && memcmp(f[i].s, "role", 4) == 0)
			slot = &o->role;
		else if (klen == 4 && memcmp(f[i].s, "conf", 4) == 0)
			slot = &o->conf;
		else if (klen == 3 && memcmp(f[i].s, "src", 3) == 0)
			slot = &o->src;
		else if (klen == 4 && memcmp(f[i].s, "port", 4) == 0)
			slot = &o->port;
		else
			return fail(p, "unknown key '%s' (expected role, conf, src or port)",
			    SHOW(f[i].s, klen));
		if (*slot != NULL)
			return fail(p, "duplicate key '%s'", SHOW(f[i].s, klen));
		*slot = &f[i];
	}
	return 0;
}

/* The value of a key=value field, and its length. */
static const char *
option_value(const struct field *f, size_t *len)
{
	const char *v = strchr(f->s, '=') + 1;

	*len = f->len - (size_t)(v - f->s);
	return v;
}

/* role=, conf=, src= and port= of an indicator, into r. */
static int
apply_options(struct parser *p, const struct options *o, const struct kind_rule *k, enum sig_kind kind,
	      struct rec *r)
{
	const char *v;
	size_t n;
	long conf;
	int i;

	if (o->role == NULL)
		return fail(p, "missing role=");
	{
		struct field rv;

		rv.s = option_value(o->role, &rv.len);
		if ((i = lookup_word(&rv, sigdb_role_names, NROLES)) < 0)
			return fail(p, "bad role '%s' (expected download, control, relay, node, "
			    "customer or web)", SHOW(rv.s, rv.len));
		r->pub.role = (enum sig_role)i;
	}
	if (o->conf == NULL)
		return fail(p, "missing conf=");
	v = option_value(o->conf, &n);
	if (n == 4 && memcmp(v, "high", 4) == 0)
		conf = CONF_HIGH;
	else if (n == 6 && memcmp(v, "medium", 6) == 0)
		conf = CONF_MEDIUM;
	else if (n == 3 && memcmp(v, "low", 3) == 0)
		conf = CONF_LOW;
	else if ((conf = parse_num(v, n, 0, 100)) < 0)
		return fail(p, "bad confidence '%s' (expected high, medium, low or 0..100)", SHOW(v, n));
	r->pub.confidence = (int)conf;
	if (o->src == NULL)
		return fail(p, "missing src=");
	v = option_value(o->src, &n);
	if (n == 0)
		return fail(p, "empty src=");
	r->pub.source = arena_dup(p->db, v, n);
	if (o->port != NULL) {
		v = option_value(o->port, &n);
		if (!k->port_ok)
			return fail(p, "port= does not apply to kind %s", sigdb_kind_names[kind]);
		if (parse_port(v, n, 1, &r->pub.l4proto, &r->pub.port) < 0)
			return fail(p, "bad port '%s' (expected tcp/N, udp/N or N, N in 1..65535)", SHOW(v, n));
	}
	return 0;
}

static int
parse_indicator(struct parser *p, enum sig_kind kind, const struct field *f, int nf)
{
	struct sigdb *db = p->db;
	const struct kind_rule *k = &kind_rules[kind];
	struct options o;
	struct value v;
	size_t idx;
	struct rec *r;
	const char *why;

	if (nf < 2 || f[1].len == 0 || memchr(f[1].s, '=', f[1].len) != NULL)
		return fail(p, "missing value after '%s'", sigdb_kind_names[kind]);
	if (read_options(p, f, 2, nf, &o) < 0)
		return -1;
	if (db->nrecs >= SIGDB_MAX_INDICATORS)
		return fail(p, "too many indicators (max %d)", SIGDB_MAX_INDICATORS);
	grow((void **)&db->recs, &db->caprecs, db->nrecs + 1, sizeof(*db->recs));
	idx = db->nrecs;
	r = &db->recs[idx];
	memset(r, 0, sizeof(*r));
	r->next = NO_REC;
	r->pub.family = p->family;
	r->pub.kind = kind;
	r->pub.file = p->file;
	r->pub.line = p->line;
	if (apply_options(p, &o, k, kind, r) < 0)
		return -1;
	v.len = v.keyoff = 0;
	v.cls = k->cls;
	if ((why = k->parse(db, r, f[1].s, f[1].len, &v)) != NULL)
		return k->why_in_parens ? fail(p, "bad %s '%s' (%s)", k->what, SHOW(f[1].s, f[1].len), why) :
		    fail(p, "bad %s '%s': %s", k->what, SHOW(f[1].s, f[1].len), why);
	r->pub.value = arena_dup(db, f[1].s, f[1].len);
	r->key = arena_dup(db, v.key, v.len);
	if (index_rec(p, idx, r->key + v.keyoff, v.len - v.keyoff, v.cls) < 0)
		return -1;
	db->nrecs++;
	db->family_mask |= p->family_bit;
	return 0;
}

static int
parse_line(struct parser *p, const char *line, size_t n)
{
	/*
	 * Fields without quotes, each NUL-terminated: never longer than the line
	 * plus one terminator per field.
	 */
	char buf[SIGDB_MAX_LINE + SIGDB_MAX_FIELDS + 1];
	struct field f[SIGDB_MAX_FIELDS];
	int nf, k;

	if (tokenize(p, line, n, buf, f, &nf) < 0)
		return -1;
	if (nf == 0)
		return 0;
	if (field_is(&f[0], "family")) {
		if (nf < 2)
			return fail(p, "missing family name");
		if (nf > 2)
			return fail(p, "unexpected '%s' after the family name",
			    SHOW(f[2].s, f[2].len));
		if ((k = lookup_word(&f[1], sigdb_family_names, NFAMILIES)) < 0)
			return fail(p, "unknown family '%s'", SHOW(f[1].s, f[1].len));
		p->family = sigdb_family_names[k];
		p->family_bit = 1u << k;
		return 0;
	}
	if ((k = lookup_word(&f[0], sigdb_kind_names, NKINDS)) < 0)
		return fail(p, "unknown kind '%s' (expected family, domain, host, pattern, cidr, "
		    "ja3, cert or port)", SHOW(f[0].s, f[0].len));
	if (p->family == NULL)
		return fail(p, "indicator before any family line");
	return parse_indicator(p, (enum sig_kind)k, f, nf);
}

/* Parse one file's text into db.  Returns 0, or -1 with the message in p. */
static int
parse_text(struct parser *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;

	p->family = NULL;	/* a section never continues into the next file */
	p->line = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		p->line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > SIGDB_MAX_LINE)
			return fail(p, "line too long (max %d bytes)", SIGDB_MAX_LINE);
		if (parse_line(p, s, n) < 0)
			return -1;
		s = nl ? nl + 1 : end;
	}
	p->line = 0;
	return 0;
}

static struct sigdb *
db_new(void)
{
	struct sigdb *db = xcalloc(1, sizeof(*db));

	db->slots = xcalloc(64, sizeof(*db->slots));
	db->nslots = 64;
	return db;
}

/* After the last file: refuse an empty database and build the trees. */
static int
finish(struct parser *p)
{
	struct sigdb *db = p->db;
	size_t i;

	p->line = 0;
	if (db->nrecs == 0)
		return fail(p, "no indicators (empty database)");
	for (i = 0; i < db->nnodes; i++) {
		int32_t head = db->nodes[i].head[C_CIDR];
		ndpi_patricia_tree_t **tree;
		ndpi_patricia_node_t *node;
		ndpi_prefix_t prefix;
		struct rec *r;

		if (head == NO_REC)
			continue;
		r = &db->recs[head];
		tree = r->af == 4 ? &db->v4 : &db->v6;
		if (*tree == NULL && (*tree = ndpi_patricia_new(r->af == 4 ? 32 : 128)) == NULL)
			log_fatal(1, "out of memory creating a prefix tree");
		if (r->af == 4)
			ndpi_fill_prefix_v4(&prefix, &r->addr.v4, r->bits, 32);
		else
			ndpi_fill_prefix_v6(&prefix, &r->addr.v6, r->bits, 128);
		if ((node = ndpi_patricia_lookup(*tree, &prefix)) == NULL)
			log_fatal(1, "out of memory adding a prefix");
		ndpi_patricia_set_node_data(node, r);
	}
	return 0;
}

/*
 * One buffer as one file: what sigdb_load does per file, and what the fuzzer
 * calls.  The db owns copies of everything it keeps; text may be freed.
 */
struct sigdb *
sigdb_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	struct parser p;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	p.file = name ? name : "(buffer)";
	if (text == NULL && len > 0) {
		fail(&p, "no text");
		return NULL;
	}
	p.db = db_new();
	p.file = arena_dup(p.db, p.file, strlen(p.file));
	if ((rc = parse_text(&p, text, len)) == 0)
		rc = finish(&p);
	if (rc == 0)
		return p.db;
	sigdb_free(p.db);
	return NULL;
}

/* Read a whole regular file of at most SIGDB_MAX_FILE_SIZE bytes. */
static char *
read_file(struct parser *p, const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd;

	/* Without blocking: opening a FIFO that merely has the name of a signature file would wait for ever. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		fail(p, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		fail(p, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(p, "not a regular file");
		goto out;
	}
	if ((uintmax_t)st.st_size > SIGDB_MAX_FILE_SIZE) {
		fail(p, "larger than %u bytes", SIGDB_MAX_FILE_SIZE);
		goto out;
	}
	/* One byte more than the limit, in case the file grew since fstat. */
	buf = xmalloc((size_t)st.st_size + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail(p, "cannot read: %s", strerror(errno));
			free(buf);
			buf = NULL;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)st.st_size) {
			fail(p, "changed while being read");
			free(buf);
			buf = NULL;
			goto out;
		}
	}
	*len = n;
out:
	close(fd);
	return buf;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.sig files of a directory, sorted; NULL with a message on error. */
static char **
list_dir(struct parser *p, const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL) {
		fail(p, "cannot open directory: %s", strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l <= 4 || strcmp(de->d_name + l - 4, ".sig") != 0)
			continue;
		if (n == SIGDB_MAX_FILES) {
			fail(p, "more than %d *.sig files", SIGDB_MAX_FILES);
			goto bad;
		}
		grow((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n == 0) {
		fail(p, "no *.sig files (empty database)");
		free(names);
		return NULL;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	*count = n;
	return names;
bad:
	closedir(d);
	while (n > 0)
		free(names[--n]);
	free(names);
	return NULL;
}

static int
load_file(struct parser *p, const char *path)
{
	char *text;
	size_t len = 0;
	int rc;

	p->file = arena_dup(p->db, path, strlen(path));
	p->line = 0;
	if ((text = read_file(p, path, &len)) == NULL)
		return -1;
	rc = parse_text(p, text, len);
	free(text);
	return rc;
}

/*
 * Files of a directory go into one database in name order, so the first
 * definition of a duplicate is stable; any error drops the whole load, which
 * is what lets a failed reload keep the previous database.
 */
struct sigdb *
sigdb_load(const char *path, char *err, size_t errlen)
{
	struct parser p;
	struct stat st;
	char **names = NULL;
	size_t n = 0, i;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	p.file = path ? path : "(null)";
	if (path == NULL) {
		fail(&p, "no signature path");
		return NULL;
	}
	p.db = db_new();
	if (stat(path, &st) < 0) {
		fail(&p, "cannot open: %s", strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		rc = load_file(&p, path);
	} else if ((names = list_dir(&p, path, &n)) != NULL) {
		for (rc = 0, i = 0; i < n && rc == 0; i++) {
			char full[PATH_MAX];

			size_t plen = strlen(path);
			const char *sep = plen > 0 && path[plen - 1] == '/' ? "" : "/";

			if ((size_t)snprintf(full, sizeof(full), "%s%s%s", path, sep, names[i]) >=
			    sizeof(full)) {
				p.file = path;
				rc = fail(&p, "path too long");
			} else {
				rc = load_file(&p, full);
			}
		}
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	if (rc == 0) {
		p.file = path;
		rc = finish(&p);
	}
	if (rc == 0)
		return p.db;
	sigdb_free(p.db);
	return NULL;
}
