/*
 * sigbench.c: how many host names per second sigdb_match_name can classify.
 *
 * Loads the signature set, builds a list of realistic names (about a fifth of
 * them match: spec00 node names, names under signature domains, signature
 * hosts; the rest look like ordinary web, CDN and cloud traffic), then looks
 * them up round-robin and prints the rate.  With -t N, N threads share the
 * database, which is the supported way to read it concurrently.
 *
 *   make tests/bench/sigbench	(in a configured build tree; make bench runs it)
 *   tests/bench/sigbench [-n NAMES] [-l LOOKUPS] [-t THREADS] [SIGNATURE-PATH]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sigdb.h"
#include "spec00.h"

struct names {
	char *buf;
	size_t *off;
	uint8_t *len;
	size_t n, used, cap;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: fixed seed, so every run measures the same list. */
static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static const char *
pick(const char *const *v, size_t n)
{
	return v[rnd() % n];
}

#define PICK(v) pick((v), sizeof(v) / sizeof((v)[0]))

static void
add(struct names *ns, const char *s)
{
	size_t l = strlen(s);

	if (l == 0 || l > SIGDB_MAX_NAME)
		return;
	memcpy(ns->buf + ns->used, s, l);
	ns->off[ns->n] = ns->used;
	ns->len[ns->n] = (uint8_t)l;
	ns->used += l;
	ns->n++;
}

static const char *const words[] = {
	"shop", "news", "mail", "cloud", "photo", "video", "game", "bank", "travel", "music",
	"weather", "sport", "market", "store", "health", "learn", "code", "data", "media", "home",
	"auto", "food", "books", "social", "search", "maps", "chat", "stream", "secure", "fast",
};
static const char *const prefixes[] = {
	"www", "api", "cdn", "static", "img", "login", "auth", "m", "app", "assets",
	"edge", "s3", "updates", "telemetry", "ws", "mail", "smtp", "ns1", "download", "push",
};
static const char *const tlds[] = {
	"com", "net", "org", "io", "de", "fr", "co.uk", "com.br", "ru", "info", "app", "dev",
};
static const char *const platforms[] = {
	"cloudfront.net", "akamaized.net", "googlevideo.com", "fbcdn.net", "azureedge.net",
	"amazonaws.com", "googleapis.com", "windowsupdate.com", "icloud.com", "fastly.net",
};
static const char *const vendor_domains[] = {
	"mesontracking.com", "meson.network", "coreservice.io", "gaganode.com", "brdtnet.com",
	"luminatinet.com", "honeygain.com", "repocket.co", "mysterium.network", "wynd.network",
	"titannet.io", "l1s.saturn.ms", "storj.io", "packetstream.io", "earnapp.com",
};
static const char *const vendor_hosts[] = {
	"cdn.meson.network", "staticassets.meson.network", "gtxvdqvuweqs.com",
	"api.package.coreservice.io", "api.honeygain.com", "peer.repocket.co",
	"broker.mysterium.network", "proxy.wynd.network", "locator.titannet.io",
	"orchestrator.strn.pl", "us1.storj.io", "proxyjs.lum-sdk.io",
};

static void
build(struct names *ns, size_t n)
{
	char s[512];

	ns->cap = n * 80;
	ns->buf = malloc(ns->cap);
	ns->off = malloc(n * sizeof(*ns->off));
	ns->len = malloc(n);
	if (ns->buf == NULL || ns->off == NULL || ns->len == NULL) {
		perror("malloc");
		exit(1);
	}
	while (ns->n < n) {
		unsigned r = rnd() % 100;

		if (r < 8) { /* Meson node names, some with optional fields */
			char tag[24];

			spec00_encode(rnd(), tag, sizeof(tag));
			if (rnd() % 2)
				snprintf(s, sizeof(s), "%s.mesontracking.com", tag);
			else
				snprintf(s, sizeof(s), "%s-06-%06u.mesontracking.com", tag,
				         rnd() % 1000000);
		} else if (r < 16) { /* names under vendor domains */
			snprintf(s, sizeof(s), "%s%u.%s", PICK(prefixes), rnd() % 100,
			         PICK(vendor_domains));
		} else if (r < 20) {
			snprintf(s, sizeof(s), "%s", PICK(vendor_hosts));
		} else if (r < 50) { /* ordinary sites */
			snprintf(s, sizeof(s), "%s.%s%s.%s", PICK(prefixes), PICK(words), PICK(words),
			         PICK(tlds));
		} else if (r < 75) { /* CDN and cloud names */
			snprintf(s, sizeof(s), "%c%x%x.%s", 'a' + (int)(rnd() % 26), rnd(), rnd() & 0xfff,
			         PICK(platforms));
		} else if (r < 85) {
			snprintf(s, sizeof(s), "ec2-%u-%u-%u-%u.compute-1.amazonaws.com", rnd() % 256,
			         rnd() % 256, rnd() % 256, rnd() % 256);
		} else if (r < 95) { /* look-alikes */
			snprintf(s, sizeof(s), "%s.%s.evil%u.%s", PICK(prefixes), PICK(vendor_domains),
			         rnd() % 100, PICK(tlds));
		} else {
			snprintf(s, sizeof(s), "%s-%s.%s.%s.%s", PICK(words), PICK(words),
			         PICK(prefixes), PICK(words), PICK(tlds));
		}
		add(ns, s);
	}
}

struct job {
	const struct sigdb *db;
	const struct names *ns;
	size_t start, lookups, hits;
};

static void *
run(void *arg)
{
	struct job *j = arg;
	const struct names *ns = j->ns;
	size_t i, k = j->start % ns->n, hits = 0;

	for (i = 0; i < j->lookups; i++) {
		if (sigdb_match_name(j->db, ns->buf + ns->off[k], ns->len[k], 6, 443) != NULL)
			hits++;
		if (++k == ns->n)
			k = 0;
	}
	j->hits = hits;
	return NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t nnames = 100000, lookups = 20000000, total_len = 0, hits = 0, i;
	int threads = 1, c;
	char err[512], def[1024];
	const char *path, *srcdir = getenv("srcdir");
	struct names ns;
	struct sigdb *db;
	struct job *jobs;
	pthread_t *tids;
	double t0, t;

	while ((c = getopt(argc, argv, "n:l:t:")) != -1) {
		switch (c) {
		case 'n':
			nnames = strtoul(optarg, NULL, 10);
			break;
		case 'l':
			lookups = strtoul(optarg, NULL, 10);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: sigbench [-n NAMES] [-l LOOKUPS] [-t THREADS] [PATH]\n");
			return 2;
		}
	}
	if (nnames == 0 || lookups == 0 || threads < 1 || threads > 64) {
		fprintf(stderr, "sigbench: bad -n, -l or -t\n");
		return 2;
	}
	snprintf(def, sizeof(def), "%s/signatures", srcdir ? srcdir : ".");
	path = optind < argc ? argv[optind] : def;
	db = sigdb_load(path, err, sizeof(err));
	if (db == NULL) {
		fprintf(stderr, "sigbench: %s\n", err);
		return 2;
	}

	memset(&ns, 0, sizeof(ns));
	build(&ns, nnames);
	for (i = 0; i < ns.n; i++)
		total_len += ns.len[i];

	jobs = calloc((size_t)threads, sizeof(*jobs));
	tids = calloc((size_t)threads, sizeof(*tids));
	if (jobs == NULL || tids == NULL) {
		perror("calloc");
		return 1;
	}
	/* Warm the caches once over the whole list. */
	jobs[0] = (struct job){ db, &ns, 0, ns.n, 0 };
	run(&jobs[0]);

	t0 = now();
	for (c = 0; c < threads; c++) {
		jobs[c] = (struct job){ db, &ns, (size_t)c * (ns.n / (size_t)threads),
			                lookups / (size_t)threads, 0 };
		if (pthread_create(&tids[c], NULL, run, &jobs[c]) != 0) {
			perror("pthread_create");
			return 1;
		}
	}
	for (c = 0; c < threads; c++) {
		pthread_join(tids[c], NULL);
		hits += jobs[c].hits;
	}
	t = now() - t0;

	printf("signatures: %zu indicators, %zu families\n", sigdb_count(db), sigdb_families(db));
	printf("names: %zu, mean length %.1f, %.1f%% match\n", ns.n, (double)total_len / (double)ns.n,
	       100.0 * (double)hits / (double)(lookups / (size_t)threads * (size_t)threads));
	printf("%zu lookups in %.3f s with %d thread%s: %.2f million name lookups/s\n",
	       lookups / (size_t)threads * (size_t)threads, t, threads, threads == 1 ? "" : "s",
	       (double)(lookups / (size_t)threads * (size_t)threads) / t / 1e6);

	free(jobs);
	free(tids);
	free(ns.buf);
	free(ns.off);
	free(ns.len);
	sigdb_free(db);
	return 0;
}
