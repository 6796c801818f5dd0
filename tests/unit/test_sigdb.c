/*
 * test_sigdb.c: unit tests of the signature database and the spec00 decoder.
 *
 * Prints one "ok N - what" or "not ok N - what" line per check (TAP) and exits
 * non-zero when any check failed.  The real signatures are read from argv[1],
 * else from $srcdir/signatures (set by make check), else from signatures/.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigdb.h"
#include "spec00.h"

static int nchecks, nfailed;

static int
check(int ok, const char *what, int line)
{
	nchecks++;
	if (!ok)
		nfailed++;
	printf("%sok %d - %s%s\n", ok ? "" : "not ", nchecks, what, ok ? "" : " (failed)");
	if (!ok)
		printf("# at %s:%d\n", __FILE__, line);
	return ok;
}

#define CHECK(cond, what) check((cond) != 0, (what), __LINE__)

static char tmpdir[] = "/tmp/test_sigdb.XXXXXX";

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static void
remove_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
}

static struct sigdb *
parse(const char *text, char *err, size_t errlen)
{
	return sigdb_parse(text, strlen(text), "t.sig", err, errlen);
}

/* A text that must be refused with exactly this message. */
static void
expect_error(const char *text, const char *want, const char *what)
{
	char err[512] = "";
	struct sigdb *db = parse(text, err, sizeof(err));

	if (!check(db == NULL && strcmp(err, want) == 0, what, __LINE__))
		printf("# want: %s\n#  got: %s\n", want, db ? "(loaded)" : err);
	sigdb_free(db);
}

/* The same, for a file or directory under tmpdir (the path is prefixed). */
static void
expect_load_error(const char *rel, const char *want_rest, const char *what)
{
	char path[256], want[512], err[512] = "";
	struct sigdb *db;

	snprintf(path, sizeof(path), "%s%s%s", tmpdir, *rel ? "/" : "", rel);
	snprintf(want, sizeof(want), "%s%s", tmpdir, want_rest);
	db = sigdb_load(path, err, sizeof(err));
	if (!check(db == NULL && strcmp(err, want) == 0, what, __LINE__))
		printf("# want: %s\n#  got: %s\n", want, db ? "(loaded)" : err);
	sigdb_free(db);
}

static const struct sig_indicator *
name(const struct sigdb *db, const char *s, uint8_t l4proto, uint16_t port)
{
	return sigdb_match_name(db, s, strlen(s), l4proto, port);
}

/* Does the match carry this value (as written in the file)? */
static int
is(const struct sig_indicator *s, const char *value)
{
	return s != NULL && strcmp(s->value, value) == 0;
}

static int
is_role(const struct sig_indicator *s, const char *value, enum sig_role role)
{
	return is(s, value) && s->role == role;
}

/* ------------------------------------------------------------------ parser */

static void
test_parse_good(void)
{
	static const char text[] =
	    "# a comment line\n"
	    "\n"
	    "family meson   # comment after a family\n"
	    "  domain  Example.COM  role=node conf=high src=\"S1 a#b c\"  # trailing\n"
	    "\thost\tgw.example.net\trole=relay\tconf=75\tport=tcp/5060\tsrc=G3\r\n"
	    "pattern spec00-[a-kx]{15}*.example.org role=node conf=medium src=S4\n"
	    "family gaganode\n"
	    "cidr 10.1.0.0/16 role=control conf=low src=x port=udp/53\n"
	    "cidr 2001:DB8::/32 role=control conf=0 src=x\n"
	    "cidr 192.0.2.1 role=control conf=100 src=x port=443\n"
	    "ja3 0123456789ABCDEF0123456789abcdef role=relay conf=low src=x\n"
	    "cert *.example.com role=node conf=high src=x\n"
	    "cert example.com role=node conf=high src=x\n"
	    "port udp/28967 role=node conf=medium src=x\n"
	    "host last.example.com role=download conf=low src=x"; /* no final newline */
	char err[512] = "";
	struct sigdb *db = parse(text, err, sizeof(err));
	const struct sig_indicator *s;

	if (!CHECK(db != NULL, "good text loads")) {
		printf("# %s\n", err);
		return;
	}
	CHECK(sigdb_count(db) == 11, "good text: 11 indicators");
	CHECK(sigdb_families(db) == 2, "good text: 2 families");
	CHECK(sigdb_get(db, 11) == NULL, "sigdb_get past the end is NULL");

	s = sigdb_get(db, 0);
	CHECK(s && strcmp(s->family, "meson") == 0 && s->kind == SIG_DOMAIN &&
	          s->role == SIG_ROLE_NODE && s->confidence == 90 &&
	          strcmp(s->value, "Example.COM") == 0 && strcmp(s->source, "S1 a#b c") == 0 &&
	          s->l4proto == 0 && s->port == 0 && strcmp(s->file, "t.sig") == 0 && s->line == 4,
	      "domain line: every field, quoted src keeps '#', value as written");
	s = sigdb_get(db, 1);
	CHECK(s && s->kind == SIG_HOST && s->role == SIG_ROLE_RELAY && s->confidence == 75 &&
	          s->l4proto == 6 && s->port == 5060 && strcmp(s->source, "G3") == 0 &&
	          s->line == 5,
	      "host line: tabs, numeric conf, port=tcp/N, CRLF");
	s = sigdb_get(db, 2);
	CHECK(s && s->kind == SIG_PATTERN && s->confidence == 60 && s->line == 6,
	      "pattern line, conf=medium is 60");
	s = sigdb_get(db, 3);
	CHECK(s && strcmp(s->family, "gaganode") == 0 && s->kind == SIG_CIDR &&
	          s->confidence == 30 && s->l4proto == 17 && s->port == 53 && s->line == 8,
	      "cidr line in the second family, conf=low is 30, port=udp/N");
	s = sigdb_get(db, 4);
	CHECK(s && s->kind == SIG_CIDR && s->confidence == 0, "IPv6 cidr, conf=0");
	s = sigdb_get(db, 5);
	CHECK(s && s->confidence == 100 && s->l4proto == 0 && s->port == 443,
	      "bare address, conf=100, port=N means any transport");
	s = sigdb_get(db, 6);
	CHECK(s && s->kind == SIG_JA3, "ja3 line");
	CHECK(sigdb_get(db, 7)->kind == SIG_CERT && sigdb_get(db, 8)->kind == SIG_CERT,
	      "cert lines");
	s = sigdb_get(db, 9);
	CHECK(s && s->kind == SIG_PORT && s->l4proto == 17 && s->port == 28967, "port line");
	s = sigdb_get(db, 10);
	CHECK(s && s->line == 15 && s->role == SIG_ROLE_DOWNLOAD, "last line without a newline");
	CHECK(strcmp(sig_kind_name(SIG_PATTERN), "pattern") == 0 &&
	          strcmp(sig_kind_name(SIG_PORT), "port") == 0 &&
	          strcmp(sig_kind_name((enum sig_kind)99), "?") == 0,
	      "sig_kind_name");
	CHECK(strcmp(sig_role_name(SIG_ROLE_CUSTOMER), "customer") == 0 &&
	          strcmp(sig_role_name(SIG_ROLE_WEB), "web") == 0 &&
	          strcmp(sig_role_name((enum sig_role)-1), "?") == 0,
	      "sig_role_name");
	sigdb_free(db);

	/* The same indicator twice is a duplicate, but not with another port. */
	db = parse("family grass\n"
	           "host a.example.com role=relay conf=high port=tcp/4444 src=x\n"
	           "host a.example.com role=relay conf=high port=tcp/4650 src=x\n"
	           "host a.example.com role=relay conf=high port=udp/4650 src=x\n"
	           "host a.example.com role=relay conf=high src=x\n"
	           "domain a.example.com role=relay conf=high src=x\n",
	           err, sizeof(err));
	CHECK(db != NULL && sigdb_count(db) == 5,
	      "one value with different ports or kinds is not a duplicate");
	sigdb_free(db);
}

static void
test_parse_errors(void)
{
	char longline[SIGDB_MAX_LINE + 64], many[4096], want[128];
	size_t i, n;

#define GOOD " role=node conf=high src=x"
	expect_error("family meson\nhots a.example.com" GOOD "\n",
	             "t.sig:2: unknown kind 'hots' (expected family, domain, host, pattern, "
	             "cidr, ja3, cert or port)",
	             "unknown kind");
	expect_error("family meson\nhost role=node conf=high src=x\n",
	             "t.sig:2: missing value after 'host'", "missing value (key instead)");
	expect_error("family meson\ndomain\n", "t.sig:2: missing value after 'domain'",
	             "missing value (end of line)");
	expect_error("family meson\ncidr 10.0.0.1/8" GOOD "\n",
	             "t.sig:2: bad CIDR '10.0.0.1/8': host bits set after the prefix length",
	             "bad CIDR: host bits");
	expect_error("family meson\ncidr 10.0.0.256" GOOD "\n",
	             "t.sig:2: bad CIDR '10.0.0.256': not an IPv4 address", "bad CIDR: octet");
	expect_error("family meson\ncidr 10.0.0.0/33" GOOD "\n",
	             "t.sig:2: bad CIDR '10.0.0.0/33': prefix length not in 8..32",
	             "bad CIDR: v4 prefix too long");
	expect_error("family meson\ncidr 0.0.0.0/0" GOOD "\n",
	             "t.sig:2: bad CIDR '0.0.0.0/0': prefix length not in 8..32",
	             "bad CIDR: /0 refused");
	expect_error("family meson\ncidr 2001:db8::/129" GOOD "\n",
	             "t.sig:2: bad CIDR '2001:db8::/129': prefix length not in 16..128",
	             "bad CIDR: v6 prefix too long");
	expect_error("family meson\ncidr 2001:db8:::1" GOOD "\n",
	             "t.sig:2: bad CIDR '2001:db8:::1': not an IPv6 address", "bad CIDR: v6");
	expect_error("family meson\ncidr 10.0.0.0/" GOOD "\n",
	             "t.sig:2: bad CIDR '10.0.0.0/': prefix length not in 8..32",
	             "bad CIDR: empty prefix length");
	expect_error("family meson\nhost a.example.com" GOOD " port=tcp/0\n",
	             "t.sig:2: bad port 'tcp/0' (expected tcp/N, udp/N or N, N in 1..65535)",
	             "bad port: zero");
	expect_error("family meson\nhost a.example.com" GOOD " port=sctp/80\n",
	             "t.sig:2: bad port 'sctp/80' (expected tcp/N, udp/N or N, N in 1..65535)",
	             "bad proto");
	expect_error("family meson\nhost a.example.com" GOOD " port=udp/65536\n",
	             "t.sig:2: bad port 'udp/65536' (expected tcp/N, udp/N or N, N in 1..65535)",
	             "bad port: too big");
	expect_error("family storj\nport 28967" GOOD "\n",
	             "t.sig:2: bad port '28967' (expected tcp/N or udp/N, N in 1..65535)",
	             "bad port: port kind needs a transport");
	expect_error("family meson\nja3 0123456789abcdef0123456789abcdef" GOOD " port=tcp/443\n",
	             "t.sig:2: port= does not apply to kind ja3", "port= on a ja3");
	expect_error("family meson\ncert node.example.com" GOOD " port=tcp/443\n",
	             "t.sig:2: port= does not apply to kind cert", "port= on a cert");
	expect_error("family storj\nport tcp/28967" GOOD " port=tcp/443\n",
	             "t.sig:2: port= does not apply to kind port", "port= on a port");
	expect_error("family storj\nport tcp/28967 role=node conf=high src=x port=x\n",
	             "t.sig:2: port= does not apply to kind port", "port= on a port, before its value");
	expect_error("family meson\ncert *.x" GOOD "\n",
	             "t.sig:2: bad certificate name '*.x': needs at least two labels", "bad wildcard cert");
	expect_error("family meson\nhost a.example.com role=nodes conf=high src=x\n",
	             "t.sig:2: bad role 'nodes' (expected download, control, relay, node, "
	             "customer or web)",
	             "bad role");
	expect_error("family meson\nhost a.example.com role=node conf=101 src=x\n",
	             "t.sig:2: bad confidence '101' (expected high, medium, low or 0..100)",
	             "bad confidence: 101");
	expect_error("family meson\nhost a.example.com role=node conf=hi src=x\n",
	             "t.sig:2: bad confidence 'hi' (expected high, medium, low or 0..100)",
	             "bad confidence: word");
	expect_error("family meson\nhost a.example.com" GOOD " prio=1\n",
	             "t.sig:2: unknown key 'prio' (expected role, conf, src or port)",
	             "unknown key");
	expect_error("family meson\nhost a.example.com" GOOD " role=web\n",
	             "t.sig:2: duplicate key 'role'", "duplicate key");
	expect_error("family meson\nhost a.example.com" GOOD " extra\n",
	             "t.sig:2: unexpected 'extra' (expected key=value)", "stray word");
	expect_error("family meson\nhost a.example.com conf=high src=x\n",
	             "t.sig:2: missing role=", "missing role");
	expect_error("family meson\nhost a.example.com role=node src=x\n",
	             "t.sig:2: missing conf=", "missing conf");
	expect_error("family meson\nhost a.example.com role=node conf=high\n",
	             "t.sig:2: missing src=", "missing src");
	expect_error("family meson\nhost a.example.com role=node conf=high src=\"\"\n",
	             "t.sig:2: empty src=", "empty src");
	expect_error("# nothing yet\nhost a.example.com" GOOD "\n",
	             "t.sig:2: indicator before any family line", "indicator before family");
	expect_error("family mesonn\n", "t.sig:1: unknown family 'mesonn'", "unknown family");
	expect_error("family unknown-dcdn\n", "t.sig:1: unknown family 'unknown-dcdn'",
	             "no signatures for the behaviour-only families");
	expect_error("family\n", "t.sig:1: missing family name", "family without a name");
	expect_error("family meson gaganode\n",
	             "t.sig:1: unexpected 'gaganode' after the family name",
	             "family with two names");
	expect_error("family meson\nhost a.example.com" GOOD "\nhost A.Example.Com." GOOD "\n",
	             "t.sig:3: duplicate indicator 'A.Example.Com.' (first at t.sig:2)",
	             "duplicate indicator (case and trailing dot ignored)");
	expect_error("family meson\ncidr 10.0.0.0/8" GOOD "\nfamily titan\ncidr 10.0.0.0/08" GOOD
	             "\n",
	             "t.sig:4: duplicate indicator '10.0.0.0/08' (first at t.sig:2)",
	             "duplicate indicator across families");
	expect_error("family meson\nja3 0123456789ABCDEF0123456789abcdef" GOOD
	             "\nja3 0123456789abcdef0123456789ABCDEF" GOOD "\n",
	             "t.sig:3: duplicate indicator '0123456789abcdef0123456789ABCDEF' "
	             "(first at t.sig:2)",
	             "duplicate JA3");

	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "family meson\n#", 14);
	longline[13 + SIGDB_MAX_LINE + 1] = '\n';
	longline[13 + SIGDB_MAX_LINE + 2] = '\0';
	expect_error(longline, "t.sig:2: line too long (max 1024 bytes)", "line too long");
	longline[13 + SIGDB_MAX_LINE] = '\n';
	longline[13 + SIGDB_MAX_LINE + 1] = '\0';
	{
		char err[512];
		struct sigdb *db;
		char *t = malloc(strlen(longline) + 64);

		sprintf(t, "%shost a.example.com" GOOD "\n", longline);
		db = parse(t, err, sizeof(err));
		CHECK(db != NULL && sigdb_count(db) == 1, "a line of exactly 1024 bytes is fine");
		sigdb_free(db);
		free(t);
	}

	expect_error("family meson\npattern foo.example.com" GOOD "\n",
	             "t.sig:2: bad pattern 'foo.example.com': no wildcard (use host or domain)",
	             "bad pattern: no wildcard");
	expect_error("family meson\npattern spec00-*.com" GOOD "\n",
	             "t.sig:2: bad pattern 'spec00-*.com': the literal suffix is not a host "
	             "name of two labels or more",
	             "bad pattern: one-label suffix");
	expect_error("family meson\npattern a.*" GOOD "\n",
	             "t.sig:2: bad pattern 'a.*': needs a literal suffix after the last "
	             "wildcard label",
	             "bad pattern: no suffix");
	expect_error("family meson\npattern a*b*.example.com" GOOD "\n",
	             "t.sig:2: bad pattern 'a*b*.example.com': more than one '*' in a label",
	             "bad pattern: two stars in a label");
	expect_error("family meson\npattern [a-k.example.com" GOOD "\n",
	             "t.sig:2: bad pattern '[a-k.example.com': unterminated '['",
	             "bad pattern: unterminated class");
	expect_error("family meson\npattern x[].example.com" GOOD "\n",
	             "t.sig:2: bad pattern 'x[].example.com': empty class",
	             "bad pattern: empty class");
	expect_error("family meson\npattern [k-a].example.com" GOOD "\n",
	             "t.sig:2: bad pattern '[k-a].example.com': reversed range in a class",
	             "bad pattern: reversed range");
	expect_error("family meson\npattern a{0}*.example.com" GOOD "\n",
	             "t.sig:2: bad pattern 'a{0}*.example.com': bad repeat count (expected {1} "
	             "to {63})",
	             "bad pattern: repeat count");
	expect_error("family meson\npattern a*{2}.example.com" GOOD "\n",
	             "t.sig:2: bad pattern 'a*{2}.example.com': '{' after '*'",
	             "bad pattern: repeated star");
	expect_error("family meson\npattern a?{64}.example.com" GOOD "\n",
	             "t.sig:2: bad pattern 'a?{64}.example.com': bad repeat count (expected {1} "
	             "to {63})",
	             "bad pattern: label too long");
	expect_error("family meson\npattern *..example.com" GOOD "\n",
	             "t.sig:2: bad pattern '*..example.com': empty label",
	             "bad pattern: empty label");
	expect_error("family meson\npattern a+*.example.com" GOOD "\n",
	             "t.sig:2: bad pattern 'a+*.example.com': character not allowed in a "
	             "pattern",
	             "bad pattern: character");
	expect_error("family meson\nja3 0123456789abcdef0123456789abcde" GOOD "\n",
	             "t.sig:2: bad JA3 '0123456789abcdef0123456789abcde': not 32 hex digits",
	             "bad JA3: 31 digits");
	expect_error("family meson\nja3 0123456789abcdef0123456789abcdeg" GOOD "\n",
	             "t.sig:2: bad JA3 '0123456789abcdef0123456789abcdeg': not 32 hex digits",
	             "bad JA3: not hex");
	expect_error("family meson\nhost a.example.com role=node conf=high src=\"S2 x\n",
	             "t.sig:2: unterminated quote", "unterminated quote");
	expect_error("family meson\nhost localhost" GOOD "\n",
	             "t.sig:2: bad host name 'localhost': needs at least two labels",
	             "bad host: one label");
	expect_error("family meson\nhost 192.0.2.1" GOOD "\n",
	             "t.sig:2: bad host name '192.0.2.1': looks like an address (use cidr)",
	             "bad host: an address");
	expect_error("family meson\ndomain a..example.com" GOOD "\n",
	             "t.sig:2: bad domain 'a..example.com': empty label", "bad domain: empty label");
	expect_error("family meson\nhost a/b.example.com" GOOD "\n",
	             "t.sig:2: bad host name 'a/b.example.com': character not allowed in a host "
	             "name",
	             "bad host: character");
	expect_error("family meson\ncert *.com" GOOD "\n",
	             "t.sig:2: bad certificate name '*.com': needs at least two labels",
	             "bad cert: wildcard over a TLD");
	expect_error("family meson\nhost a.example.com\x01" GOOD "\n",
	             "t.sig:2: control character 0x01", "control character");
	expect_error("family meson\nhost a\0.example.com" GOOD, "t.sig:2: missing role=",
	             "a NUL ends the text passed with strlen");
	{
		static const char text[] = "family meson\nhost a\0b.example.com" GOOD "\n";
		char err[512] = "";
		struct sigdb *db = sigdb_parse(text, sizeof(text) - 1, "t.sig", err, sizeof(err));

		CHECK(db == NULL && strcmp(err, "t.sig:2: control character 0x00") == 0,
		      "NUL byte inside the text");
		sigdb_free(db);
	}

	n = (size_t)snprintf(many, sizeof(many), "family meson\nhost a.example.com");
	for (i = 0; i < SIGDB_MAX_FIELDS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, " k%zu=v", i);
	snprintf(many + n, sizeof(many) - n, "\n");
	snprintf(want, sizeof(want), "t.sig:2: too many fields (max %d)", SIGDB_MAX_FIELDS);
	expect_error(many, want, "too many fields");

	n = (size_t)snprintf(many, sizeof(many), "family meson\n");
	for (i = 0; i <= SIGDB_MAX_PER_KEY; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
		                      "host a.example.com" GOOD " port=tcp/%zu\n", i + 1);
	snprintf(want, sizeof(want), "t.sig:%d: too many indicators share 'a.example.com' (max %d)",
	         SIGDB_MAX_PER_KEY + 2, SIGDB_MAX_PER_KEY);
	expect_error(many, want, "too many indicators for one value");

	expect_error("", "t.sig: no indicators (empty database)", "empty text");
	expect_error("# only\n\nfamily meson\n  # comments\n", "t.sig: no indicators (empty database)",
	             "only comments and a family");
	{
		char err[64];
		struct sigdb *db = parse("family meson\nhots x" GOOD, err, 12);

		CHECK(db == NULL && strcmp(err, "t.sig:2: un") == 0, "a short errbuf is truncated");
		CHECK(parse("family meson\nhots x", NULL, 0) == NULL, "errbuf may be NULL");
	}
}

static void
test_load_errors(void)
{
	char path[256], err[512];
	struct sigdb *db;

	expect_load_error("nope.sig", "/nope.sig: cannot open: No such file or directory",
	                  "file unreadable");
	expect_load_error("", ": no *.sig files (empty database)", "empty directory");

	write_file("a.sig", "family meson\nhost a.example.com" GOOD "\n");
	write_file("README", "not a signature file\n");
	write_file(".hidden.sig", "garbage\n");
	write_file("b.sig", "# no family here\n\nhost b.example.com" GOOD "\n");
	expect_load_error("", "/b.sig:3: indicator before any family line",
	                  "a family does not carry over into the next file");
	write_file("b.sig", "family titan\nhost b.example.com" GOOD "\nhost a.example.com" GOOD
	                    "\n");
	snprintf(path, sizeof(path), "%s", tmpdir);
	db = sigdb_load(path, err, sizeof(err));
	{
		char want[600];

		snprintf(want, sizeof(want),
		         "%s/b.sig:3: duplicate indicator 'a.example.com' (first at %s/a.sig:2)", tmpdir,
		         tmpdir);
		if (!CHECK(db == NULL && strcmp(err, want) == 0, "duplicate across files"))
			printf("# want: %s\n#  got: %s\n", want, err);
	}
	sigdb_free(db);

	write_file("b.sig", "family titan\nhost b.example.com" GOOD "\n");
	db = sigdb_load(path, err, sizeof(err));
	if (CHECK(db != NULL && sigdb_count(db) == 2, "directory: *.sig files only, dot files skipped")) {
		char want[300];

		snprintf(want, sizeof(want), "%s/a.sig", tmpdir);
		CHECK(strcmp(sigdb_get(db, 0)->file, want) == 0 && sigdb_get(db, 0)->line == 2 &&
		          strcmp(sigdb_get(db, 1)->family, "titan") == 0,
		      "directory: files in name order, file names kept");
	}
	sigdb_free(db);

	snprintf(path, sizeof(path), "%s/", tmpdir);
	db = sigdb_load(path, err, sizeof(err));
	{
		char want[300];

		snprintf(want, sizeof(want), "%s/b.sig", tmpdir);
		CHECK(db != NULL && strcmp(sigdb_get(db, 1)->file, want) == 0,
		      "directory given with a trailing slash");
	}
	sigdb_free(db);

	snprintf(path, sizeof(path), "%s/b.sig", tmpdir);
	db = sigdb_load(path, err, sizeof(err));
	CHECK(db != NULL && sigdb_count(db) == 1, "a single file loads");
	{
		/* What a failed SIGHUP reload relies on: the old db is untouched. */
		struct sigdb *bad = parse("family meson\nhots x\n", err, sizeof(err));

		CHECK(bad == NULL && is(name(db, "b.example.com", 0, 0), "b.example.com"),
		      "a failed load leaves a loaded database alone");
	}
	sigdb_free(db);

	snprintf(path, sizeof(path), "%s/c.sig", tmpdir);
	mkdir(path, 0700);
	expect_load_error("", "/c.sig: not a regular file", "a directory named *.sig");
	rmdir(path);

	remove_file("a.sig");
	remove_file("b.sig");
	remove_file("README");
	remove_file(".hidden.sig");
}

/* ----------------------------------------------------------------- matcher */

static void
test_match_names(void)
{
	static const char text[] =
	    "family meson\n"
	    "domain example.com               role=web     conf=low  src=x\n"
	    "domain deep.example.com          role=control conf=low  src=x\n"
	    "pattern node-*.example.com       role=node    conf=high src=x\n"
	    "pattern n?de-[0-9]{2}.example.com role=relay  conf=high src=x\n"
	    "host node-1.example.com          role=control conf=high src=x\n"
	    "pattern spec00-[a-kx]{15}*.mesontracking.com role=node conf=high src=x\n"
	    "pattern *.cdn.*.mesontracking.com role=relay  conf=medium src=x\n"
	    "domain mesontracking.com         role=node    conf=high src=x\n"
	    "family gaganode\n"
	    "host gw.example.net              role=relay   conf=high port=tcp/5060 src=x\n"
	    "host gw.example.net              role=control conf=low  src=x\n"
	    "host only.example.net            role=relay   conf=high port=tcp/5060 src=x\n"
	    "host any.example.net             role=relay   conf=high port=5060 src=x\n"
	    "domain example.net               role=web     conf=low  src=x\n";
	char err[512], big[SIGDB_MAX_NAME + 8];
	struct sigdb *db = parse(text, err, sizeof(err));
	const struct sig_indicator *s;

	if (!CHECK(db != NULL, "matcher test database loads")) {
		printf("# %s\n", err);
		return;
	}
	CHECK(is(name(db, "node-1.example.com", 0, 0), "node-1.example.com"),
	      "exact host beats pattern and domain");
	CHECK(is(name(db, "node-2.example.com", 0, 0), "node-*.example.com"),
	      "pattern beats domain");
	CHECK(is(name(db, "node-.example.com", 0, 0), "node-*.example.com"),
	      "'*' matches the empty string");
	CHECK(is(name(db, "nade-42.example.com", 0, 0), "n?de-[0-9]{2}.example.com"),
	      "'?', class and repeat count");
	CHECK(is(name(db, "nade-4.example.com", 0, 0), "example.com"),
	      "repeat count is exact (falls back to the domain)");
	CHECK(is(name(db, "www.example.com", 0, 0), "example.com"), "domain suffix");
	CHECK(is(name(db, "example.com", 0, 0), "example.com"), "domain matches itself");
	CHECK(is(name(db, "a.b.deep.example.com", 0, 0), "deep.example.com"),
	      "longest domain suffix wins");
	CHECK(is(name(db, "NODE-2.Example.COM.", 0, 0), "node-*.example.com"),
	      "case-insensitive, trailing dot ignored");
	CHECK(is(sigdb_match_name(db, "www.example.com.evil", 15, 0, 0), "example.com"),
	      "name bounded by len, not NUL");
	CHECK(name(db, "notexample.com", 0, 0) == NULL, "look-alike notexample.com");
	CHECK(name(db, "example.com.evil.org", 0, 0) == NULL, "look-alike example.com.evil.org");
	CHECK(name(db, "example.co", 0, 0) == NULL, "look-alike example.co");
	CHECK(name(db, "com", 0, 0) == NULL, "a TLD alone");
	CHECK(name(db, "", 0, 0) == NULL && name(db, ".", 0, 0) == NULL, "empty name");
	CHECK(sigdb_match_name(NULL, "example.com", 11, 0, 0) == NULL &&
	          sigdb_match_name(db, NULL, 11, 0, 0) == NULL,
	      "NULL db or name");
	CHECK(is(name(db, ".example.com", 0, 0), "example.com"), "empty first label");

	/* 253 characters is the most a name may have. */
	memset(big, 'a', sizeof(big));
	for (size_t i = 63; i < SIGDB_MAX_NAME - 12; i += 64)
		big[i] = '.';
	memcpy(big + SIGDB_MAX_NAME - 12, ".example.com", 12);
	CHECK(is(sigdb_match_name(db, big, SIGDB_MAX_NAME, 0, 0), "example.com"), "253 bytes");
	big[SIGDB_MAX_NAME] = '.';
	CHECK(is(sigdb_match_name(db, big, SIGDB_MAX_NAME + 1, 0, 0), "example.com"),
	      "253 bytes and a trailing dot");
	memmove(big + 1, big, SIGDB_MAX_NAME);
	big[0] = 'a';
	CHECK(sigdb_match_name(db, big, SIGDB_MAX_NAME + 1, 0, 0) == NULL, "254 bytes: no match");

	/* spec00 */
	s = name(db, "spec00-bejkbackbfikcai.mesontracking.com", 0, 0);
	CHECK(is(s, "spec00-[a-kx]{15}*.mesontracking.com"), "spec00 name");
	CHECK(is(name(db, "spec00-bejkbackbfikcai-06-exsief-03-aaa-04-tttt.mesontracking.com", 0, 0),
	         "spec00-[a-kx]{15}*.mesontracking.com"),
	      "spec00 name with optional fields");
	CHECK(is(name(db, "SPEC00-BDKCAIKCFBKBHFX.MESONTRACKING.COM", 6, 443),
	         "spec00-[a-kx]{15}*.mesontracking.com"),
	      "spec00 name in capitals, as a flow");
	CHECK(is(name(db, "spec00-bejkbackbfikca.mesontracking.com", 0, 0), "mesontracking.com"),
	      "14-character tag: domain only");
	CHECK(is(name(db, "spec00-bejkbackbfikcaz.mesontracking.com", 0, 0), "mesontracking.com"),
	      "tag character outside the class: domain only");
	CHECK(is(name(db, "x.spec00-bejkbackbfikcai.mesontracking.com", 0, 0), "mesontracking.com"),
	      "pattern labels are counted: one more label is no match");
	CHECK(is(name(db, "a.cdn.b.mesontracking.com", 0, 0), "*.cdn.*.mesontracking.com"),
	      "multi-label pattern");
	CHECK(is(name(db, "a.cdn.b.c.mesontracking.com", 0, 0), "mesontracking.com"),
	      "'*' does not cross a dot");
	CHECK(name(db, "notmesontracking.com", 0, 0) == NULL, "look-alike notmesontracking.com");
	CHECK(name(db, "mesontracking.com.evil.org", 0, 0) == NULL,
	      "look-alike mesontracking.com.evil.org");

	/* Port constraints. */
	CHECK(is_role(name(db, "gw.example.net", 6, 5060), "gw.example.net", SIG_ROLE_RELAY),
	      "flow on the constrained port: the constrained indicator");
	CHECK(is_role(name(db, "gw.example.net", 6, 443), "gw.example.net", SIG_ROLE_CONTROL),
	      "flow on another port: the unconstrained one");
	CHECK(is_role(name(db, "gw.example.net", 17, 5060), "gw.example.net", SIG_ROLE_CONTROL),
	      "flow on another transport: the unconstrained one");
	CHECK(is_role(name(db, "gw.example.net", 0, 0), "gw.example.net", SIG_ROLE_CONTROL),
	      "name alone: the unconstrained one");
	s = name(db, "only.example.net", 0, 0);
	CHECK(is(s, "only.example.net") && s->l4proto == 6 && s->port == 5060,
	      "name alone still matches a constrained indicator, constraint visible");
	CHECK(is(name(db, "only.example.net", 6, 5060), "only.example.net"),
	      "constrained indicator on its port");
	CHECK(is(name(db, "only.example.net", 6, 443), "example.net"),
	      "constrained indicator on another port: falls back to the domain");
	CHECK(is(name(db, "any.example.net", 17, 5060), "any.example.net") &&
	          is(name(db, "any.example.net", 6, 5060), "any.example.net") &&
	          is(name(db, "any.example.net", 6, 5061), "example.net"),
	      "port=N without transport");
	sigdb_free(db);
}

static void
test_match_other(void)
{
	static const char text[] =
	    "family mysterium\n"
	    "cidr 10.0.0.0/8        role=control conf=low    src=x\n"
	    "cidr 10.1.0.0/16       role=control conf=medium src=x\n"
	    "cidr 10.1.2.3          role=control conf=high   src=x\n"
	    "cidr 192.0.2.7/32      role=relay   conf=high   port=tcp/443 src=x\n"
	    "cidr 192.0.2.0/24      role=control conf=low    src=x\n"
	    "cidr 198.51.100.9      role=relay   conf=high   port=tcp/443 src=x\n"
	    "cidr 2001:db8::/32     role=control conf=low    src=x\n"
	    "cidr 2001:db8:1::/48   role=control conf=medium src=x\n"
	    "cidr 2001:db8:1::1/128 role=control conf=high   src=x\n"
	    "ja3 0123456789abcdef0123456789ABCDEF role=relay conf=low src=x\n"
	    "cert *.mesontracking.com role=node conf=high src=x\n"
	    "cert mesontracking.com   role=node conf=high src=x\n"
	    "cert *.l1s.example.org   role=node conf=low  src=x\n"
	    "cert *.example.org       role=node conf=low  src=x\n"
	    "port tcp/28967           role=node conf=medium src=x\n"
	    "port udp/28967           role=node conf=medium src=x\n";
	char err[512];
	struct sigdb *db = parse(text, err, sizeof(err));
	unsigned char v4[4], v6[16], unaligned[17];

#define ADDR4(s) (inet_pton(AF_INET, (s), v4), sigdb_match_addr(db, 4, v4, 0, 0))
#define ADDR6(s) (inet_pton(AF_INET6, (s), v6), sigdb_match_addr(db, 6, v6, 0, 0))
	if (!CHECK(db != NULL, "address test database loads")) {
		printf("# %s\n", err);
		return;
	}
	CHECK(is(ADDR4("10.1.2.3"), "10.1.2.3"), "IPv4 /32 beats /16 and /8");
	CHECK(is(ADDR4("10.1.9.9"), "10.1.0.0/16"), "IPv4 /16 beats /8");
	CHECK(is(ADDR4("10.200.0.1"), "10.0.0.0/8"), "IPv4 /8");
	CHECK(ADDR4("11.0.0.1") == NULL && ADDR4("9.255.255.255") == NULL, "IPv4 outside");
	inet_pton(AF_INET, "192.0.2.7", v4);
	CHECK(is(sigdb_match_addr(db, 4, v4, 6, 443), "192.0.2.7/32"),
	      "address with port constraint, on its port");
	CHECK(is(sigdb_match_addr(db, 4, v4, 6, 80), "192.0.2.0/24"),
	      "address with port constraint, other port: shorter prefix");
	CHECK(is(sigdb_match_addr(db, 4, v4, 0, 0), "192.0.2.7/32"),
	      "address alone: constrained prefix still matches");
	inet_pton(AF_INET, "198.51.100.9", v4);
	CHECK(sigdb_match_addr(db, 4, v4, 17, 443) == NULL, "constrained only, wrong transport");
	CHECK(is(ADDR6("2001:db8:1::1"), "2001:db8:1::1/128"), "IPv6 /128");
	CHECK(is(ADDR6("2001:db8:1::2"), "2001:db8:1::/48"), "IPv6 /48");
	CHECK(is(ADDR6("2001:db8:ffff::2"), "2001:db8::/32"), "IPv6 /32");
	CHECK(ADDR6("2001:db9::1") == NULL, "IPv6 outside");
	inet_pton(AF_INET6, "2001:db8:1::1", unaligned + 1);
	CHECK(is(sigdb_match_addr(db, 6, unaligned + 1, 0, 0), "2001:db8:1::1/128"),
	      "unaligned address bytes");
	CHECK(sigdb_match_addr(db, 5, v4, 0, 0) == NULL && sigdb_match_addr(db, 4, NULL, 0, 0) == NULL,
	      "bad family or NULL address");

	CHECK(is(sigdb_match_ja3(db, "0123456789abcdef0123456789abcdef"),
	         "0123456789abcdef0123456789ABCDEF"),
	      "JA3, any case");
	CHECK(sigdb_match_ja3(db, "0123456789abcdef0123456789abcde") == NULL &&
	          sigdb_match_ja3(db, "0123456789abcdef0123456789abcdef0") == NULL &&
	          sigdb_match_ja3(db, "ffffffffffffffffffffffffffffffff") == NULL &&
	          sigdb_match_ja3(db, NULL) == NULL,
	      "JA3: short, long, unknown, NULL");

#define CERT(s) sigdb_match_cert(db, (s), strlen(s))
	CHECK(is(CERT("*.mesontracking.com"), "*.mesontracking.com"), "cert: same wildcard");
	CHECK(is(CERT("mesontracking.com"), "mesontracking.com"), "cert: exact name");
	CHECK(is(CERT("Spec00-X.MesonTracking.com"), "*.mesontracking.com"),
	      "cert: name under a wildcard, any case");
	CHECK(is(CERT("*.a.mesontracking.com"), "*.mesontracking.com"),
	      "cert: narrower wildcard under a wildcard");
	CHECK(is(CERT("a.l1s.example.org"), "*.l1s.example.org"), "cert: longest wildcard wins");
	CHECK(is(CERT("l1s.example.org"), "*.example.org"), "cert: a wildcard does not cover its base");
	CHECK(CERT("evilmesontracking.com") == NULL && CERT("*.com") == NULL &&
	          CERT("mesontracking.com.evil.org") == NULL && CERT("") == NULL,
	      "cert: look-alikes");

	CHECK(is(sigdb_match_port(db, 6, 28967), "tcp/28967") &&
	          is(sigdb_match_port(db, 17, 28967), "udp/28967"),
	      "port-only indicators");
	CHECK(sigdb_match_port(db, 6, 28968) == NULL && sigdb_match_port(db, 0, 28967) == NULL &&
	          sigdb_match_port(db, 6, 0) == NULL,
	      "port-only: other port, no transport, port 0");
	CHECK(name(db, "tcp/28967", 0, 0) == NULL, "keys of other kinds never match a name");
	sigdb_free(db);
}

/*
 * Every byte value at every position of an 8-byte word: capitals are lowered,
 * nothing else changes, only '.' splits labels (0xae is not a dot).
 */
static void
test_case_folding(void)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static const char line[] = "host %.*s%c%.*s.lc.example.com role=node conf=high src=x\n";
	char *text = malloc(65536), err[512], q[64];
	size_t n = 0, p, k;
	struct sigdb *db;
	int c, ok = 1;

	if (text == NULL)
		abort();
	n += (size_t)sprintf(text, "family meson\ndomain lc.example.com role=web conf=low src=x\n");
	for (p = 0; p < 8; p++)
		for (k = 0; alnum[k]; k++)
			if (alnum[k] != 'y' || p == 0) /* all 'y' is one name */
				n += (size_t)sprintf(text + n, line, (int)p, "yyyyyyyy", alnum[k],
				                     (int)(7 - p), "yyyyyyyy");
	db = parse(text, err, sizeof(err));
	if (!CHECK(db != NULL, "case-folding database loads")) {
		printf("# %s\n", err);
		free(text);
		return;
	}
	for (p = 0; p < 8; p++) {
		for (c = 1; c < 256; c++) {
			const struct sig_indicator *s;
			int lc = (c >= 'A' && c <= 'Z') ? c + 32 : c;
			int want = strchr(alnum, lc) != NULL;

			if (c == '.')
				continue;
			memcpy(q, "YYYYYYYY.lc.example.com", 24);
			q[p] = (char)c;
			s = sigdb_match_name(db, q, 23, 0, 0);
			if (want ? !(s && s->kind == SIG_HOST && s->value[p] == lc)
			         : !is(s, "lc.example.com"))
				ok = 0;
		}
	}
	CHECK(ok, "every byte at every word position folds and splits correctly");
	sigdb_free(db);
	free(text);
}

/* ------------------------------------------------------------------ spec00 */

static int
decodes(const char *s, const char *want_ip)
{
	uint32_t ip = 0;
	struct in_addr a;

	if (spec00_decode(s, strlen(s), &ip) != 0)
		return 0;
	a.s_addr = htonl(ip);
	return strcmp(inet_ntoa(a), want_ip) == 0;
}

static int
rejects(const char *s)
{
	uint32_t ip = 0x12345678;

	return spec00_decode(s, strlen(s), &ip) == -1 && ip == 0x12345678;
}

static void
test_spec00(void)
{
	char buf[32];
	uint32_t ip, i, x = 2463534242u;
	int ok = 1;

	CHECK(decodes("spec00-bejkbackbfikcai", "149.102.158.208"), "spec00: 149.102.158.208");
	CHECK(decodes("spec00-bdkcaikcfbkbhfx", "13.208.251.175"), "spec00: 13.208.251.175");
	CHECK(decodes("spec00-bejkbackbfikcai.mesontracking.com", "149.102.158.208"),
	      "spec00: a whole host name");
	CHECK(decodes("SPEC00-BDKCAIKCFBKBHFX.MesonTracking.com.", "13.208.251.175"),
	      "spec00: capitals");
	CHECK(decodes("spec00-fikbkakaxxxxxxx-06-exsief-03-aaa-04-tttt.sdff.com", "58.1.0.0"),
	      "spec00: optional fields");
	CHECK(decodes("spec00-fikcbikcafkcdax-19-thisisthebinddomain.domain.com",
	              "58.218.205.230"),
	      "spec00: one optional field");
	CHECK(decodes("spec00-akakakaxxxxxxxx-00-", "0.0.0.0"), "spec00: 0.0.0.0, empty field");
	CHECK(decodes("spec00-cffkcffkcffkcff", "255.255.255.255"), "spec00: 255.255.255.255");
	CHECK(rejects("spec00-bejkbackbfikca.mesontracking.com"), "spec00: 14-character tag");
	CHECK(rejects("spec00-bejkbackbfikcaia"), "spec00: 16 characters, no field");
	CHECK(rejects("spec01-bejkbackbfikcai"), "spec00: wrong prefix");
	CHECK(rejects("xspec00-bejkbackbfikcai"), "spec00: prefix not at the start");
	CHECK(rejects("spec00-cfgkbkbkbxxxxxx"), "spec00: octet 256");
	CHECK(rejects("spec00-bkckdxxxxxxxxxx"), "spec00: three octets");
	CHECK(rejects("spec00-bkckdkekfxxxxxx"), "spec00: five octets");
	CHECK(rejects("spec00-bkkckdxxxxxxxxx"), "spec00: empty octet");
	CHECK(rejects("spec00-kbkckdxxxxxxxxx"), "spec00: empty first octet");
	CHECK(rejects("spec00-bkckdkxxxxxxxxx"), "spec00: empty last octet");
	CHECK(rejects("spec00-abkckdkexxxxxxx"), "spec00: leading zero");
	CHECK(rejects("spec00-bkxckdkexxxxxxx"), "spec00: padding in the middle");
	CHECK(rejects("spec00-bkckdkelxxxxxxx"), "spec00: character outside a-k, x");
	CHECK(rejects("spec00-bbbbkckdkexxxxx"), "spec00: four-digit octet");
	CHECK(rejects("spec00-xxxxxxxxxxxxxxx"), "spec00: all padding");
	CHECK(rejects("spec00-bkbkbkbxxxxxxxx-05-sf"), "spec00: field shorter than its length");
	CHECK(rejects("spec00-bkbkbkbxxxxxxxx-5-sf"), "spec00: one-digit field length");
	CHECK(rejects("spec00-bkbkbkbxxxxxxxx-02-sfx"), "spec00: field longer than its length");
	CHECK(spec00_decode("spec00-bejkbackbfikcai", 21, &ip) == -1,
	      "spec00: bounded by len");
	CHECK(spec00_decode(NULL, 22, &ip) == -1 && rejects(""), "spec00: NULL and empty");

	CHECK(spec00_encode(0x95669ed0u, buf, sizeof(buf)) == 22 &&
	          strcmp(buf, "spec00-bejkbackbfikcai") == 0,
	      "spec00_encode 149.102.158.208");
	CHECK(spec00_encode(1, buf, 22) == -1, "spec00_encode: buffer too small");
	for (i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (spec00_encode(x, buf, sizeof(buf)) != 22 || spec00_decode(buf, 22, &ip) != 0 ||
		    ip != x)
			ok = 0;
	}
	CHECK(ok, "spec00: encode then decode 100000 addresses");
}

/* ------------------------------------------------------------ real set */

static void
test_real_signatures(const char *dir)
{
	char err[512];
	struct sigdb *db = sigdb_load(dir, err, sizeof(err));
	const struct sig_indicator *s;
	unsigned char v4[4];
	size_t f, i;
	int ok = 1;

	if (!CHECK(db != NULL, "the shipped signatures load")) {
		printf("# %s\n", err);
		return;
	}
	for (f = 0; sig_family_name(f) != NULL; f++) {
		size_t n = 0;

		for (i = 0; i < sigdb_count(db); i++)
			if (strcmp(sigdb_get(db, i)->family, sig_family_name(f)) == 0)
				n++;
		printf("# %-15s %zu\n", sig_family_name(f), n);
		if (n == 0)
			ok = 0;
	}
	CHECK(ok && f == 17 && sigdb_families(db) == 17, "every family of the spec has indicators");

	/* House rules of the data, so a later edit cannot slip. */
	for (ok = 1, i = 0; i < sigdb_count(db); i++) {
		s = sigdb_get(db, i);
		if (strstr(s->source, "INFERRED") && s->confidence > 30)
			ok = 0;
	}
	CHECK(ok, "INFERRED indicators are low confidence");
	for (ok = 1, i = 0; i < sigdb_count(db); i++) {
		s = sigdb_get(db, i);
		if ((s->role == SIG_ROLE_CUSTOMER || s->role == SIG_ROLE_WEB) && s->confidence > 30)
			ok = 0;
	}
	CHECK(ok, "customer and web indicators are low confidence");

	s = name(db, "spec00-bejkbackbfikcai.mesontracking.com", 6, 443);
	CHECK(s && strcmp(s->family, "meson") == 0 && s->kind == SIG_PATTERN &&
	          s->role == SIG_ROLE_NODE,
	      "real: spec00 SNI is a Meson node");
	s = name(db, "cdn.meson.network", 6, 443);
	CHECK(s && strcmp(s->family, "meson") == 0 && s->role == SIG_ROLE_CONTROL,
	      "real: Meson control API");
	s = name(db, "gtxvdqvuweqs.com", 6, 5060);
	CHECK(s && strcmp(s->family, "gaganode") == 0 && s->role == SIG_ROLE_RELAY,
	      "real: GaGaNode TCP/5060");
	s = name(db, "proxy.packetstream.io", 6, 31111);
	CHECK(s && s->role == SIG_ROLE_CUSTOMER, "real: PacketStream customer gateway");
	s = name(db, "proxy.packetstream.io", 6, 443);
	CHECK(s && s->role == SIG_ROLE_CONTROL, "real: PacketStream name on another port");
	s = name(db, "geo.iproyal.com", 6, 12321);
	CHECK(s && s->role == SIG_ROLE_CUSTOMER, "real: IPRoyal customer gateway");
	s = name(db, "broker.mysterium.network", 6, 4222);
	CHECK(s && strcmp(s->family, "mysterium") == 0 && s->port == 4222, "real: Mysterium NATS");
	s = sigdb_match_cert(db, "*.l1s.saturn.ms", 15);
	CHECK(s && strcmp(s->family, "saturn") == 0, "real: Saturn certificate");
	inet_pton(AF_INET, "13.208.251.175", v4);
	CHECK(sigdb_match_addr(db, 4, v4, 0, 0) == NULL, "real: the attacker address is no indicator");
	inet_pton(AF_INET, "159.69.15.34", v4);
	s = sigdb_match_addr(db, 4, v4, 6, 443);
	CHECK(s && strcmp(s->family, "mysterium") == 0, "real: Mysterium fallback address");
	CHECK(name(db, "www.google.com", 6, 443) == NULL && name(db, "github.com", 0, 0) == NULL &&
	          name(db, "raw.githubusercontent.com", 6, 443) == NULL,
	      "real: common names do not match");
	sigdb_free(db);
}

int
main(int argc, char **argv)
{
	char dir[1024];
	const char *srcdir = getenv("srcdir");

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else
		snprintf(dir, sizeof(dir), "%s/signatures", srcdir ? srcdir : ".");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_parse_good();
	test_parse_errors();
	test_load_errors();
	test_match_names();
	test_match_other();
	test_case_folding();
	test_spec00();
	test_real_signatures(dir);
	rmdir(tmpdir);
	printf("1..%d\n", nchecks);
	if (nfailed)
		printf("# %d of %d checks failed\n", nfailed, nchecks);
	return nfailed ? 1 : 0;
}
