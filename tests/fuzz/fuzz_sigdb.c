/*
 * fuzz_sigdb.c: libFuzzer target for the signature parser and matchers.
 *
 * The input is parsed as a signature file.  Each of its lines, without a
 * leading "# ", is also used as a host name, certificate name and spec00 tag,
 * so comment lines let the fuzzer steer the matchers as well as the parser.
 * When the text loads, every indicator must be found again by its own value:
 * an abort here is a matcher bug, not only a memory error.
 *
 *   ./configure CC=clang --enable-fuzz && make tests/fuzz/fuzz_sigdb
 *   tests/fuzz/fuzz_sigdb tests/fuzz/corpus/sigdb
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigdb.h"
#include "spec00.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PROBE_LINES 64

static void
probe_names(const struct sigdb *db, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	int n = 0;

	while (s < end && n++ < MAX_PROBE_LINES) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
		const char *p = s;
		uint32_t ip;

		if (l > 0 && *p == '#') {
			p++;
			l--;
			while (l > 0 && *p == ' ') {
				p++;
				l--;
			}
		}
		sigdb_match_name(db, p, l, 0, 0);
		sigdb_match_name(db, p, l, 6, 443);
		sigdb_match_cert(db, p, l);
		spec00_decode(p, l, &ip);
		s = nl ? nl + 1 : end;
	}
}

/* Every indicator must be found by its own value. */
static void
check_self_match(const struct sigdb *db)
{
	size_t i;

	for (i = 0; i < sigdb_count(db); i++) {
		const struct sig_indicator *in = sigdb_get(db, i), *m = NULL;
		size_t len = strlen(in->value);
		unsigned char addr[16];
		char tmp[64];
		const char *slash;

		switch (in->kind) {
		case SIG_HOST:
			m = sigdb_match_name(db, in->value, len, in->l4proto, in->port);
			if (m == NULL || m->kind != SIG_HOST)
				abort();
			break;
		case SIG_DOMAIN:
			m = sigdb_match_name(db, in->value, len, in->l4proto, in->port);
			break;
		case SIG_CERT:
			m = sigdb_match_cert(db, in->value, len);
			if (m == NULL || m->kind != SIG_CERT)
				abort();
			break;
		case SIG_JA3:
			m = sigdb_match_ja3(db, in->value);
			break;
		case SIG_PORT:
			m = sigdb_match_port(db, in->l4proto, in->port);
			break;
		case SIG_CIDR:
			slash = strchr(in->value, '/');
			len = slash ? (size_t)(slash - in->value) : len;
			if (len >= sizeof(tmp))
				abort();
			memcpy(tmp, in->value, len);
			tmp[len] = '\0';
			if (inet_pton(strchr(tmp, ':') ? AF_INET6 : AF_INET, tmp, addr) != 1)
				abort();
			m = sigdb_match_addr(db, strchr(tmp, ':') ? 6 : 4, addr, in->l4proto, in->port);
			break;
		case SIG_PATTERN:
			m = in; /* no generic way to build a matching name */
			break;
		}
		if (m == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct sigdb *db;

	db = sigdb_parse((const char *)data, size, "fuzz.sig", err, sizeof(err));
	if (db == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL || strncmp(err, "fuzz.sig", 8) != 0)
			abort(); /* every failure names the file */
		return 0;
	}
	if (sigdb_count(db) == 0 || sigdb_families(db) == 0)
		abort();
	check_self_match(db);
	probe_names(db, (const char *)data, size);
	sigdb_match_name(db, "spec00-bejkbackbfikcai.mesontracking.com", 40, 6, 443);
	sigdb_match_ja3(db, "0123456789abcdef0123456789abcdef");
	sigdb_match_port(db, 17, 28967);
	sigdb_free(db);
	return 0;
}
