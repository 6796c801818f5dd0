/*
 * options.c - the command line: getopt_long, --help, and what each option leaves in struct options.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include <ndpi/ndpi_api.h>

#include "conf.h"
#include "log.h"
#include "options.h"
#include "shard.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: dcdnwatch [options] (-r FILE ... | -i IFACE) [BPF expression]\n"
	    "\n"
	    "Finds hosts that have become decentralized-CDN or proxyware nodes (Meson, GaGaNode, EarnApp, ...)\n"
	    "and writes JSON events.\n"
	    "\n"
	    "  -r, --read FILE        read a pcap or pcapng file, gzip-compressed or not; repeatable (one\n"
	    "                         timeline, merged by packet time); - is stdin\n"
	    "  -i, --interface IFACE  live capture (span port, mirror target)\n"
	    "  -c, --config FILE      configuration file (dcdnwatch.conf(5))\n"
	    "  -S, --signatures PATH  signature file or directory (dcdnwatch-signatures(5))\n"
	    "  -R, --redis URL        keep state in Redis: redis://[user:password@]host[:port][/db], the same\n"
	    "                         with rediss:// for TLS (redis.tls_* keys), or unix:///path\n"
	    "  -o, --output FILE      events as JSON lines to FILE (default and -: stdout); SIGHUP reopens it\n"
	    "      --syslog           also send alerts to syslog\n"
	    "      --flows            also emit one flow event per finished flow\n"
	    "      --metrics-file FILE  Prometheus metrics, rewritten every stats.interval and at the end\n"
	    "      --home-net LIST    CIDRs of the monitored hosts (default 10/8,172.16/12,192.168/16,\n"
	    "                         100.64/10,fc00::/7)\n"
	    "      --set KEY=VALUE    set a configuration key (repeatable); --set help lists them\n"
	    "      --dump-config      print every configuration key with its value, then exit\n"
	    "      --pace FACTOR      replay files at recorded speed times FACTOR (default: as fast as possible)\n"
	    "      --no-promisc       do not put the interface in promiscuous mode\n"
	    "      --threads N        workers, 1 (default) to 8: flows spread over N threads by address pair,\n"
	    "                         the main thread reading the input\n"
	    "  -t, --check            check configuration, filter and signatures as a run would, then exit\n"
	    "  -D, --daemon           detach and log to syslog\n"
	    "  -u, --user USER        drop privileges to USER once capture and outputs are open\n"
	    "      --pidfile FILE     write the daemon's pid to FILE (removed at exit)\n"
	    "      --run-as-root      allow daemon mode as root without -u\n"
	    "  -q, --quiet            no summary or progress on stderr\n"
	    "  -v, --verbose          say what the run uses (configuration, signatures, home networks, store,\n"
	    "                         learning period, threads) and more messages on stderr\n"
	    "  -V, --version          print the version\n"
	    "  -h, --help             this help\n"
	    "\n"
	    "Exit status: 0 run completed, 1 runtime failure or events lost, 2 bad usage, configuration or input.\n");
}

enum {
	OPT_FLOWS = 256, OPT_HOME_NET, OPT_SET, OPT_PIDFILE, OPT_SYSLOG, OPT_PACE, OPT_NO_PROMISC, OPT_RUN_AS_ROOT,
	OPT_THREADS, OPT_DUMP_CONFIG, OPT_METRICS,
};

static void
add_set(struct options *o, char *kv)
{
	if (o->nsets >= OPTIONS_MAX_SETS) {
		free(kv);
		log_fatal(2, "too many --set options (at most %d)", OPTIONS_MAX_SETS);
	}
	o->sets[o->nsets++] = kv;
}

int
options_parse(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "interface", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, 'c' },
		{ "signatures", required_argument, NULL, 'S' },
		{ "redis", required_argument, NULL, 'R' },
		{ "output", required_argument, NULL, 'o' },
		{ "flows", no_argument, NULL, OPT_FLOWS },
		{ "home-net", required_argument, NULL, OPT_HOME_NET },
		{ "set", required_argument, NULL, OPT_SET },
		{ "check", no_argument, NULL, 't' },
		{ "dump-config", no_argument, NULL, OPT_DUMP_CONFIG },
		{ "metrics-file", required_argument, NULL, OPT_METRICS },
		{ "daemon", no_argument, NULL, 'D' },
		{ "user", required_argument, NULL, 'u' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "syslog", no_argument, NULL, OPT_SYSLOG },
		{ "pace", required_argument, NULL, OPT_PACE },
		{ "no-promisc", no_argument, NULL, OPT_NO_PROMISC },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "run-as-root", no_argument, NULL, OPT_RUN_AS_ROOT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, i;

	memset(o, 0, sizeof(*o));
	o->output_path = "-";
	o->threads = 1;
	while ((ch = getopt_long(argc, argv, "r:i:c:S:R:o:tDu:qvVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (o->nfiles >= OPTIONS_MAX_FILES)
				log_fatal(2, "too many -r files (at most %d)", OPTIONS_MAX_FILES);
			o->files[o->nfiles++] = optarg;
			break;
		case 'i':
			o->iface = optarg;
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case 'S':
			o->sig_path = optarg;
			break;
		case 'R':
			o->redis_url = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case OPT_PIDFILE:
			o->pidfile = optarg;
			break;
		case OPT_RUN_AS_ROOT:
			o->run_as_root = 1;
			break;
		case 'o':
			o->output_path = optarg;
			break;
		case OPT_METRICS:
			o->metrics_path = optarg;
			break;
		case OPT_FLOWS:
			o->flows = true;
			break;
		case OPT_HOME_NET: {
			size_t n = strlen(optarg) + sizeof("home_net=");
			char *kv = xmalloc(n);

			snprintf(kv, n, "home_net=%s", optarg);
			add_set(o, kv);
			break;
		}
		case OPT_SET:
			if (strcmp(optarg, "help") == 0) {
				conf_print_keys(stdout);
				return 0;
			}
			add_set(o, xstrdup(optarg));
			break;
		case 't':
			o->check = 1;
			break;
		case OPT_DUMP_CONFIG:
			o->dump_config = 1;
			break;
		case 'D':
			o->daemonize = 1;
			break;
		case OPT_SYSLOG:
			o->use_syslog = 1;
			break;
		case OPT_PACE: {
			char *end;

			o->pace = strtod(optarg, &end);
			if (*end != '\0' || !(o->pace > 0) || o->pace > 1e6)
				log_fatal(2, "--pace: '%s' is not a positive factor", optarg);
			break;
		}
		case OPT_NO_PROMISC:
			o->no_promisc = 1;
			break;
		case OPT_THREADS: {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (end == optarg || *end != '\0' || n < 1 || n > SHARD_MAX)
				log_fatal(2, "--threads: '%s': a number of workers from 1 to %d", optarg, SHARD_MAX);
			o->threads = (int)n;
			break;
		}
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'V':
			printf("dcdnwatch %s (nDPI %s, %s)\n", PACKAGE_VERSION, ndpi_revision(), pcap_lib_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* The trailing words are one BPF expression, as tcpdump takes it. */
	o->words = argv + optind;
	o->nwords = argc - optind;
	for (i = optind; i < argc; i++) {
		if (strlen(o->bpf) + strlen(argv[i]) + 2 >= sizeof(o->bpf))
			log_fatal(2, "BPF expression too long");
		if (o->bpf[0])
			strcat(o->bpf, " ");
		strcat(o->bpf, argv[i]);
	}
	return -1;
}

void
options_free(struct options *o)
{
	int i;

	for (i = 0; i < o->nsets; i++)
		free(o->sets[i]);
	o->nsets = 0;
}
