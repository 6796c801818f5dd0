/*
 * main.c - command line, set-up, signals and the run loop of dcdnwatch.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include <ndpi/ndpi_api.h>

#include "capture.h"
#include "conf.h"
#include "daemon.h"
#include "detect.h"
#include "engine.h"
#include "shard.h"
#include "log.h"
#include "netset.h"
#include "output.h"
#include "output_redis.h"
#include "redis_link.h"
#include "sigdb.h"
#include "store.h"

#define MAX_FILES 1024

static volatile sig_atomic_t sig_stop, sig_poll, sig_hup, sig_usr1;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGINT:
	case SIGTERM:
		sig_stop = 1;
		break;
	case SIGHUP:
		sig_hup = 1;
		sig_poll = 1;
		break;
	case SIGUSR1:
		sig_usr1 = 1;
		sig_poll = 1;
		break;
	}
}

struct run {
	struct outputs *outs;
	const char *config_path;
	char **sets;
	int nsets;
	struct engine *eng;
	struct detect *det;
	struct sigdb *sigdb;
	const char *sig_path;
	struct capture *cap;
	struct conf *conf;
	int progress;		/* print a progress line on stderr */
	uint64_t next_progress;
	uint64_t last_stats_us;
	int live;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: dcdnwatch [options] (-r FILE ... | -i IFACE) [BPF expression]\n"
	    "\n"
	    "Finds hosts that have become decentralized-CDN or proxyware nodes (Meson, GaGaNode, EarnApp, ...)\n"
	    "and writes JSON events.\n"
	    "\n"
	    "  -r, --read FILE        read a pcap or pcapng file; repeatable (one timeline); - is stdin\n"
	    "  -i, --interface IFACE  live capture (span port, mirror target)\n"
	    "  -c, --config FILE      configuration file (dcdnwatch.conf(5))\n"
	    "  -S, --signatures PATH  signature file or directory (dcdnwatch-signatures(5))\n"
	    "  -R, --redis URL        keep state in Redis: redis://[user:password@]host[:port][/db], the same\n"
	    "                         with rediss:// for TLS (redis.tls_* keys), or unix:///path\n"
	    "  -o, --output FILE      events as JSON lines to FILE (default and -: stdout)\n"
	    "      --syslog           also send alerts to syslog\n"
	    "      --flows            also emit one flow event per finished flow\n"
	    "      --home-net LIST    CIDRs of the monitored hosts (default 10/8,172.16/12,192.168/16,\n"
	    "                         100.64/10,fc00::/7)\n"
	    "      --set KEY=VALUE    set a configuration key (repeatable); --set help lists them\n"
	    "      --pace FACTOR      replay files at recorded speed times FACTOR (default: as fast as possible)\n"
	    "      --no-promisc       do not put the interface in promiscuous mode\n"
	    "      --threads N        workers, 1 (default) to 8: flows spread over N threads by address pair,\n"
	    "                         the main thread reading the input\n"
	    "  -t, --check            check configuration and signatures, then exit\n"
	    "  -D, --daemon           detach and log to syslog\n"
	    "  -u, --user USER        drop privileges to USER once capture and outputs are open\n"
	    "      --pidfile FILE     write the daemon's pid to FILE\n"
	    "      --run-as-root      allow daemon mode as root without -u\n"
	    "  -q, --quiet            no summary or progress on stderr\n"
	    "  -v, --verbose          more messages on stderr\n"
	    "  -V, --version          print the version\n"
	    "  -h, --help             this help\n"
	    "\n"
	    "Exit status: 0 run completed, 1 runtime failure, 2 bad usage, configuration or input.\n");
}

static void
on_packet(void *arg, int dlt, uint64_t ts_us, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen)
{
	struct run *r = arg;

	engine_packet(r->eng, dlt, ts_us, pkt, caplen, wirelen);
	if (r->progress && engine_stats(r->eng)->packets >= r->next_progress) {
		r->next_progress += 1000000;
		fprintf(stderr, "\rdcdnwatch: %" PRIu64 "M packets", engine_stats(r->eng)->packets / 1000000);
	}
}

static void
write_stats(struct run *r, uint64_t now_us)
{
	struct engine_stats *st = engine_stats(r->eng);

	capture_drops(r->cap, &st->kernel_drops, &st->if_drops);
	engine_stats_event(r->eng, now_us);
}

/* What an idle live link is good for besides time going on (the sharded run's replay calls this alone). */
static void
idle_chores(void *arg, uint64_t now_us)
{
	struct run *r = arg;

	/* The link is idle: a good moment to push buffered events out to their readers. */
	outputs_flush(r->outs);
	if (r->live && r->conf->stats_interval &&
	    now_us >= r->last_stats_us + (uint64_t)r->conf->stats_interval * 1000000u) {
		r->last_stats_us = now_us;
		write_stats(r, now_us);
	}
}

static void
on_idle(void *arg, uint64_t now_us)
{
	struct run *r = arg;

	engine_tick(r->eng, now_us);
	idle_chores(arg, now_us);
}

static void
on_poll(void *arg)
{
	struct run *r = arg;

	sig_poll = 0;
	if (sig_usr1) {
		sig_usr1 = 0;
		write_stats(r, engine_now(r->eng));
		outputs_flush(r->outs);
	}
	if (sig_hup) {
		char err[1024];
		struct sigdb *db;

		sig_hup = 0;
		if (r->config_path) {
			struct conf fresh;
			int i, bad = 0;

			conf_defaults(&fresh);
			if (conf_load(&fresh, r->config_path, err, sizeof(err)) != 0)
				bad = 1;
			for (i = 0; !bad && i < r->nsets; i++)
				if (conf_set_kv(&fresh, r->sets[i], err, sizeof(err)) != 0)
					bad = 1;
			if (bad)
				log_warn("SIGHUP: keeping the current configuration: %s", err);
			else {
				conf_apply_live(r->conf, &fresh);
				detect_conf_changed(r->det);
				log_warn("SIGHUP: configuration reloaded from %s", r->config_path);
			}
		}
		/* A reload that fails keeps the database in use. */
		if ((db = sigdb_load(r->sig_path, err, sizeof(err))) == NULL) {
			log_warn("SIGHUP: keeping the current signatures: %s", err);
		} else {
			detect_set_sigdb(r->det, db);
			sigdb_free(r->sigdb);
			r->sigdb = db;
			log_warn("SIGHUP: reloaded %zu indicators of %zu families from %s", sigdb_count(db),
			    sigdb_families(db), r->sig_path);
		}
	}
}

/*
 * The signatures used when -S is not given: those of the source tree when this binary runs from its build
 * tree (so a development build never picks up an older installed set), else the installed ones.
 */
static const char *
default_signatures(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct stat st;

	if (n > 0) {
		self[n] = '\0';
		if (strncmp(self, BUILDDIR "/", strlen(BUILDDIR) + 1) == 0 && stat(SRC_SIGDIR, &st) == 0)
			return SRC_SIGDIR;
	}
	return SIGDIR;
}

static void
set_or_die(struct conf *c, const char *kv)
{
	char err[512];

	if (conf_set_kv(c, kv, err, sizeof(err)) != 0)
		log_fatal(2, "--set %s", err);
}

enum {
	OPT_FLOWS = 256, OPT_HOME_NET, OPT_SET, OPT_PIDFILE, OPT_SYSLOG, OPT_PACE, OPT_NO_PROMISC, OPT_RUN_AS_ROOT,
	OPT_THREADS,
};

int
main(int argc, char **argv)
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
	char *files[MAX_FILES];
	int nfiles = 0, ch, quiet = 0, check = 0, use_syslog = 0, no_promisc = 0, rc;
	int daemonize = 0, run_as_root = 0;
	const char *user = NULL, *pidfile = NULL;
	const char *iface = NULL, *config_path = NULL, *output_path = "-", *sig_path = NULL, *redis_url = NULL;
	char *sets[256];
	int nsets = 0, i;
	double pace = 0;
	int threads = 1;
	struct conf conf;
	struct engine_opts eopts = { false };
	struct outputs outs;
	struct run run;
	char err[1024], bpf[4096];

	memset(&run, 0, sizeof(run));
	struct sigaction sa;
	struct store store;

	log_init("dcdnwatch", 0);
	while ((ch = getopt_long(argc, argv, "r:i:c:S:R:o:tDu:qvVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (nfiles >= MAX_FILES)
				log_fatal(2, "too many -r files (at most %d)", MAX_FILES);
			files[nfiles++] = optarg;
			break;
		case 'i':
			iface = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'S':
			sig_path = optarg;
			break;
		case 'R':
			redis_url = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case OPT_PIDFILE:
			pidfile = optarg;
			break;
		case OPT_RUN_AS_ROOT:
			run_as_root = 1;
			break;
		case 'o':
			output_path = optarg;
			break;
		case OPT_FLOWS:
			eopts.flows = true;
			break;
		case OPT_HOME_NET:
		case OPT_SET:
			if (nsets >= (int)(sizeof(sets) / sizeof(sets[0])) - 1)
				log_fatal(2, "too many --set options");
			if (ch == OPT_HOME_NET) {
				size_t n = strlen(optarg) + sizeof("home_net=");

				sets[nsets] = xmalloc(n);
				snprintf(sets[nsets], n, "home_net=%s", optarg);
				nsets++;
			} else {
				if (strcmp(optarg, "help") == 0) {
					conf_print_keys(stdout);
					return 0;
				}
				sets[nsets++] = xstrdup(optarg);
			}
			break;
		case 't':
			check = 1;
			break;
		case 'D':
			daemonize = 1;
			break;
		case OPT_SYSLOG:
			use_syslog = 1;
			break;
		case OPT_PACE: {
			char *end;

			pace = strtod(optarg, &end);
			if (*end != '\0' || !(pace > 0) || pace > 1e6)
				log_fatal(2, "--pace: '%s' is not a positive factor", optarg);
			break;
		}
		case OPT_NO_PROMISC:
			no_promisc = 1;
			break;
		case OPT_THREADS:
			{
				char *end;
				long n = strtol(optarg, &end, 10);

				if (end == optarg || *end != '\0' || n < 1 || n > SHARD_MAX)
					log_fatal(2, "--threads: '%s': a number of workers from 1 to %d", optarg,
					    SHARD_MAX);
				threads = (int)n;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			log_set_verbose(1);
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
	log_set_quiet(quiet);

	/* Configuration: defaults, then the file, then --set in order. */
	conf_defaults(&conf);
	if (config_path == NULL) {
		struct stat st;

		if (stat(SYSCONFDIR "/dcdnwatch/dcdnwatch.conf", &st) == 0)
			config_path = SYSCONFDIR "/dcdnwatch/dcdnwatch.conf";
		else if (stat("/etc/dcdnwatch/dcdnwatch.conf", &st) == 0)
			config_path = "/etc/dcdnwatch/dcdnwatch.conf";
	}
	run.config_path = config_path;
	run.sets = sets;
	run.nsets = nsets;
	if (config_path && conf_load(&conf, config_path, err, sizeof(err)) != 0)
		log_fatal(2, "%s", err);
	for (i = 0; i < nsets; i++)
		set_or_die(&conf, sets[i]);
	if (no_promisc)
		conf.promisc = 0;

	/* The trailing words are one BPF expression, as tcpdump takes it. */
	bpf[0] = '\0';
	for (i = optind; i < argc; i++) {
		if (strlen(bpf) + strlen(argv[i]) + 2 >= sizeof(bpf))
			log_fatal(2, "BPF expression too long");
		if (bpf[0])
			strcat(bpf, " ");
		strcat(bpf, argv[i]);
	}

	{
		struct netset *home = netset_parse(conf.home_net, err, sizeof(err));

		if (home == NULL)
			log_fatal(2, "home_net: %s", err);
		netset_free(home);
	}
	if (sig_path == NULL)
		sig_path = default_signatures();
	if ((run.sigdb = sigdb_load(sig_path, err, sizeof(err))) == NULL)
		log_fatal(2, "%s", err);
	run.sig_path = sig_path;
	if (check) {
		printf("configuration OK; %zu indicators of %zu families in %s\n", sigdb_count(run.sigdb),
		    sigdb_families(run.sigdb), sig_path);
		sigdb_free(run.sigdb);
		return 0;
	}
	if (nfiles == 0 && iface == NULL)
		log_fatal(2, "nothing to read: give -r FILE or -i IFACE (see --help)");
	if (nfiles && iface)
		log_fatal(2, "-r and -i cannot be used together");
	if (user && daemon_check_user(user, err, sizeof(err)) != 0)
		log_fatal(2, "%s", err);
	if (daemonize) {
		if (user == NULL && geteuid() == 0 && !run_as_root)
			log_fatal(2, "refusing to run as root in daemon mode: give -u USER (or --run-as-root)");
		if (strcmp(output_path, "-") == 0 && !use_syslog && redis_url == NULL)
			log_fatal(2, "daemon mode needs somewhere to write events: -o FILE, --syslog or --redis");
		if (strcmp(output_path, "-") == 0)
			output_path = "/dev/null";
		quiet = 1;
	}

	if (iface) {
		struct capture_live_cfg lc = { conf.snaplen, conf.buffer_mb, (int)conf.promisc, conf.timeout_ms };

		run.cap = capture_open_live(iface, &lc, bpf, err, sizeof(err));
	} else {
		run.cap = capture_open_files(files, nfiles, bpf, err, sizeof(err));
	}
	if (run.cap == NULL)
		log_fatal(2, "%s", err);
	capture_set_pace(run.cap, pace);

	memset(&outs, 0, sizeof(outs));
	{
		void *o = output_file_open(output_path, err, sizeof(err));

		if (o == NULL)
			log_fatal(2, "%s", err);
		outputs_add(&outs, &output_file_ops, o);
	}
	if (use_syslog)
		outputs_add(&outs, &output_syslog_ops, output_syslog_open());

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (redis_url) {
		void *o;

		redis_link_tls_files(conf.redis_tls_ca, conf.redis_tls_cert, conf.redis_tls_key);
		store.ops = &store_redis_ops;
		store.ctx = store_redis_open(redis_url, conf.redis_prefix, conf.redis_ttl_s, conf.redis_queue_max,
		    conf.redis_view_ms, err, sizeof(err));
		if (store.ctx == NULL)
			log_fatal(2, "--redis: %s", err);
		/* Alerts also go to the stream P alerts, for the SIEM side. */
		if ((o = output_redis_open(redis_url, conf.redis_prefix, conf.redis_stream_maxlen, err,
		    sizeof(err))) == NULL)
			log_fatal(2, "--redis: %s", err);
		output_redis_set_ttl(o, conf.redis_ttl_s);
		outputs_add(&outs, &output_redis_ops, o);
	} else {
		store.ops = &store_mem_ops;
		store.ctx = store_mem_open();
	}
	run.conf = &conf;
	run.outs = &outs;
	run.live = capture_is_live(run.cap);
	if ((run.det = detect_new(&conf, &outs, run.sigdb, &store, err, sizeof(err))) == NULL)
		log_fatal(2, "%s", err);
	run.eng = engine_new(&conf, &eopts, &outs, run.det, err, sizeof(err));
	if (run.eng == NULL)
		log_fatal(2, "%s", err);
	/* Capture and outputs are open: detach, note the pid, then give up root before the first packet. */
	if (daemonize) {
		if (daemon_detach(err, sizeof(err)) != 0)
			log_fatal(1, "%s", err);
		log_init("dcdnwatch", 1);
	}
	if (pidfile && daemon_write_pidfile(pidfile, err, sizeof(err)) != 0)
		log_fatal(1, "%s", err);
	if (pidfile && user)
		daemon_chown(pidfile, user);
	if (user && daemon_drop_privileges(user, err, sizeof(err)) != 0)
		log_fatal(1, "%s", err);
	if (daemonize)
		log_warn("started on %s as %s (pid %ld)", iface ? iface : "files", user ? user : "root",
		    (long)getpid());
	run.progress = !quiet && isatty(STDERR_FILENO);
	run.next_progress = 1000000;
	run.last_stats_us = 0;

	/*
	 * A sharded run hands packets over in batches, and a pipe's come at its writer's pace, with no idle
	 * ticks to end a batch: its alerts would wait for a batch to fill.  Standard input, and any pipe or
	 * device given as a file, is read on one thread.
	 */
	for (i = 0; threads > 1 && i < nfiles; i++) {
		struct stat sb;

		if (strcmp(files[i], "-") == 0 || (stat(files[i], &sb) == 0 && !S_ISREG(sb.st_mode))) {
			log_debug("--threads: %s is read on one thread", files[i]);
			threads = 1;
		}
	}
	/* A paced replay is paced record by record on one pipeline thread, with the reading on another. */
	if (threads > 1 && pace == 0) {
		rc = shard_run(run.eng, run.cap, (unsigned)threads, idle_chores, &run, &sig_stop, &sig_poll, on_poll,
		    err, sizeof(err));
		if (rc == -2) {
			log_warn("%s; reading on one thread", err);
			rc = capture_run(run.cap, on_packet, on_idle, &run, &sig_stop, &sig_poll, on_poll, err,
			    sizeof(err));
		}
	} else if (threads > 1) {
		rc = capture_run_threaded(run.cap, on_packet, on_idle, &run, &sig_stop, &sig_poll, on_poll, err,
		    sizeof(err));
	} else {
		rc = capture_run(run.cap, on_packet, on_idle, &run, &sig_stop, &sig_poll, on_poll, err,
		    sizeof(err));
	}
	if (run.progress && engine_stats(run.eng)->packets >= 1000000)
		fputc('\n', stderr);
	if (rc < 0)
		log_warn("%s", err);
	engine_flush(run.eng);
	write_stats(&run, engine_now(run.eng));
	outputs_flush(&outs);
	if (!quiet) {
		engine_summary(run.eng, stderr);
		detect_summary(run.det, stderr);
	}
	engine_free(run.eng);
	detect_free(run.det);
	store.ops->close(store.ctx);
	sigdb_free(run.sigdb);
	outputs_close(&outs);
	capture_free(run.cap);
	if (pidfile)
		unlink(pidfile);
	for (i = 0; i < nsets; i++)
		free(sets[i]);
	return rc < 0 ? 1 : 0;
}
