/*
 * main.c - set-up of dcdnwatch: the configuration and signatures (one path for a run, -t and
 * --dump-config), the input and outputs, daemon operation, what -v reports, and the end of a run.  The
 * command line is options.c; the run loop and signals are run.c.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "conf.h"
#include "daemon.h"
#include "detect.h"
#include "engine.h"
#include "jsonw.h"
#include "log.h"
#include "nettally.h"
#include "options.h"
#include "output.h"
#include "output_metrics.h"
#include "output_redis.h"
#include "redis_link.h"
#include "run.h"
#include "sigdb.h"
#include "store.h"

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

/* The configuration file: -c, else the installed one, else /etc's; NULL for none. */
static const char *
config_file(const struct options *o)
{
	struct stat st;

	if (o->config_path)
		return o->config_path;
	if (stat(SYSCONFDIR "/dcdnwatch/dcdnwatch.conf", &st) == 0)
		return SYSCONFDIR "/dcdnwatch/dcdnwatch.conf";
	if (stat("/etc/dcdnwatch/dcdnwatch.conf", &st) == 0)
		return "/etc/dcdnwatch/dcdnwatch.conf";
	return NULL;
}

/*
 * Everything a run checks before it opens anything, for the run, -t and --dump-config alike: defaults, the
 * file, --set in order (each value checked as the module that uses it reads it), the filter, the Redis URL.
 * Exits 2 with the first problem.
 */
static void
load_settings(const struct options *o, const char *path, struct conf *conf)
{
	char err[1024];
	int i;

	conf_defaults(conf);
	if (path && conf_load(conf, path, run_conf_warn, err, sizeof(err)) != 0)
		log_fatal(2, "%s", err);
	for (i = 0; i < o->nsets; i++)
		if (conf_set_kv(conf, o->sets[i], err, sizeof(err)) != 0)
			log_fatal(2, "command line: %s", err);
	if (o->no_promisc)
		conf->promisc = 0;
}

/* A filter that does not compile, made of words that are files: `-r pcaps/ *.pcap` gave one -r. */
static void
check_filter(const struct options *o)
{
	char err[1024];
	int i;

	if (capture_filter_check(o->bpf, err, sizeof(err)) == 0)
		return;
	for (i = 0; i < o->nwords; i++) {
		struct stat st;

		if (stat(o->words[i], &st) == 0 && !S_ISDIR(st.st_mode))
			log_fatal(2, "%s\n  '%s' is a file: the words after the options are a filter; give each file"
			    " its own -r (-r FILE1 -r FILE2)", err, o->words[i]);
	}
	log_fatal(2, "%s", err);
}

/* How many *.sig files a signature directory holds (1 for a file), for -v. */
static int
count_sig_files(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return 1;
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] != '.' && l > 4 && strcmp(de->d_name + l - 4, ".sig") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* -v: what the run uses, so a surprising result can be traced to a setting. */
static void
report_settings(const struct options *o, const char *conf_path, const struct conf *conf, const char *sig_path,
		const struct sigdb *db, const struct store *store, int threads)
{
	char t[40];
	uint64_t epoch;

	if (o->nsets)
		log_info("configuration: %s, then %d --set/--home-net", conf_path ? conf_path : "the defaults (no file)",
		    o->nsets);
	else
		log_info("configuration: %s", conf_path ? conf_path : "the defaults (no file)");
	log_info("signatures: %s (%d file%s): %zu indicators of %zu families", sig_path,
	    count_sig_files(sig_path), count_sig_files(sig_path) == 1 ? "" : "s", sigdb_count(db),
	    sigdb_families(db));
	log_info("home networks: %s", conf->home_net[0] ? conf->home_net : "(none)");
	if (o->redis_url) {
		struct redis_url u;
		char err[256];

		if (redis_url_parse(o->redis_url, &u, err, sizeof(err)) == 0)
			log_info("store: Redis at %s, keys under '%s'", u.shown, conf->redis_prefix);
	} else {
		log_info("store: memory (embedded)");
	}
	if (store == NULL)
		return;
	epoch = store->ops->get_epoch(store->ctx);
	if (conf->learning_s == 0) {
		log_info("learning period: none (host.learning = 0)");
	} else if (epoch) {
		format_time_us(epoch + (uint64_t)conf->learning_s * 1000000u, t, sizeof(t));
		log_info("learning period: ends %s (packet time; the deployment's first packet is in the store)", t);
	} else {
		log_info("learning period: %u s of packet time from the first packet", conf->learning_s);
	}
	if (o->iface)
		log_info("input: interface %s%s%s", o->iface, o->bpf[0] ? ", filter " : "", o->bpf);
	else
		log_info("input: %d file%s%s%s", o->nfiles, o->nfiles == 1 ? "" : "s, merged by packet time",
		    o->bpf[0] ? "; filter " : "", o->bpf);
	log_info("threads: %d worker%s", threads, threads == 1 ? "" : "s");
	log_info("events: %s%s%s", strcmp(o->output_path, "-") == 0 ? "standard output" : o->output_path,
	    o->use_syslog ? ", syslog" : "", o->redis_url ? ", Redis stream" : "");
	if (o->metrics_path)
		log_info("metrics: %s, every %u s and at the end", o->metrics_path, conf->stats_interval);
}

/* End of a run: what a quiet result may hide. */
static void
report_mismatches(const struct options *o, const struct conf *conf, struct engine *eng, struct capture *cap)
{
	const struct nettally *t = engine_nets(eng);
	uint64_t read, passed, vlan;

	capture_filter_counts(cap, &read, &passed, &vlan);
	if (o->bpf[0] && read > 0 && passed == 0) {
		log_warn("the filter '%s' passed none of the %" PRIu64 " packets read", o->bpf, read);
		if (vlan > 0)
			log_warn("%" PRIu64 " of them are VLAN-tagged, which a filter sees only after the word vlan:"
			    " try 'vlan and %s' (see pcap-filter(7))", vlan, o->bpf);
	}
	if (t->flows > 0 && t->home_flows == 0) {
		struct nettally_net top[3];
		size_t n = nettally_top(t, top, 3), i;
		char buf[256], net[64];
		size_t len = 0;

		for (i = 0; i < n && len < sizeof(buf); i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s (%" PRIu64 " flows)", i ? ", " : "",
			    nettally_format(&top[i], net, sizeof(net)), top[i].flows);
		log_warn("no address of home_net (%s) was in any of the %" PRIu64 " flows, so no host was judged;"
		    " the networks in most flows: %s; give the monitored ones with --home-net", conf->home_net,
		    t->flows, n ? buf : "none");
	}
}

int
main(int argc, char **argv)
{
	struct options o;
	struct conf conf;
	struct engine_opts eopts = { false };
	struct outputs outs;
	struct store store;
	struct run run;
	const char *conf_path, *sig_path;
	char err[1024];
	void *metrics = NULL;
	uint64_t lost;
	int rc, i;

	/* First: from here to the end no signal kills by its default action (served once the run starts). */
	run_signals(1);
	log_init("dcdnwatch", 0);
	if ((rc = options_parse(&o, argc, argv)) >= 0) {
		options_free(&o);
		return rc;
	}
	log_set_quiet(o.quiet);
	log_set_verbose(o.verbose);
	memset(&run, 0, sizeof(run));
	memset(&outs, 0, sizeof(outs));

	conf_path = config_file(&o);
	load_settings(&o, conf_path, &conf);
	if (o.dump_config) {
		printf("# dcdnwatch %s: every key with its value (dcdnwatch.conf(5))\n", PACKAGE_VERSION);
		conf_dump(&conf, stdout);
		options_free(&o);
		return 0;
	}
	check_filter(&o);
	if (o.redis_url) {
		struct redis_url u;

		if (redis_url_parse(o.redis_url, &u, err, sizeof(err)) != 0)
			log_fatal(2, "--redis: %s", err);
	}
	sig_path = o.sig_path ? o.sig_path : default_signatures();
	if ((run.sigdb = sigdb_load(sig_path, err, sizeof(err))) == NULL)
		log_fatal(2, "%s", err);
	if (o.check) {
		if (o.verbose)
			report_settings(&o, conf_path, &conf, sig_path, run.sigdb, NULL, o.threads);
		printf("configuration OK; %zu indicators of %zu families in %s\n", sigdb_count(run.sigdb),
		    sigdb_families(run.sigdb), sig_path);
		sigdb_free(run.sigdb);
		options_free(&o);
		return 0;
	}

	if (o.nfiles == 0 && o.iface == NULL)
		log_fatal(2, "nothing to read: give -r FILE or -i IFACE (see --help)");
	if (o.nfiles && o.iface)
		log_fatal(2, "-r and -i cannot be used together");
	if (o.user && daemon_check_user(o.user, err, sizeof(err)) != 0)
		log_fatal(2, "%s", err);
	if (o.daemonize) {
		if (o.user == NULL && geteuid() == 0 && !o.run_as_root)
			log_fatal(2, "refusing to run as root in daemon mode: give -u USER (or --run-as-root)");
		if (strcmp(o.output_path, "-") == 0 && !o.use_syslog && o.redis_url == NULL && !o.metrics_path)
			log_fatal(2, "daemon mode needs somewhere to write events: -o FILE, --syslog or --redis");
		if (strcmp(o.output_path, "-") == 0)
			o.output_path = "/dev/null";
		o.quiet = 1;
	}

	if (o.iface) {
		struct capture_live_cfg lc = { conf.snaplen, conf.buffer_mb, (int)conf.promisc, conf.timeout_ms };

		run.cap = capture_open_live(o.iface, &lc, o.bpf, err, sizeof(err));
	} else {
		run.cap = capture_open_files(o.files, o.nfiles, o.bpf, err, sizeof(err));
	}
	if (run.cap == NULL)
		log_fatal(2, "%s", err);
	capture_set_pace(run.cap, o.pace);
	capture_set_time_tolerance(run.cap, conf.time_tolerance_ms);

	{
		void *f = output_file_open(o.output_path, err, sizeof(err));

		if (f == NULL)
			log_fatal(2, "%s", err);
		outputs_add(&outs, &output_file_ops, f);
	}
	outputs_on_broken(&outs, run_stop);
	if (o.use_syslog)
		outputs_add(&outs, &output_syslog_ops, output_syslog_open());
	if (o.metrics_path) {
		if ((metrics = output_metrics_open(o.metrics_path, err, sizeof(err))) == NULL)
			log_fatal(2, "%s", err);
		outputs_add(&outs, &output_metrics_ops, metrics);
		run.has_metrics = 1;
	}

	if (o.redis_url) {
		void *r;

		redis_link_tls_files(conf.redis_tls_ca, conf.redis_tls_cert, conf.redis_tls_key);
		store.ops = &store_redis_ops;
		store.ctx = store_redis_open(o.redis_url, conf.redis_prefix, conf.redis_ttl_s, conf.redis_queue_max,
		    conf.redis_view_ms, err, sizeof(err));
		if (store.ctx == NULL)
			log_fatal(2, "--redis: %s", err);
		/* Alerts also go to the stream P alerts, for the SIEM side. */
		if ((r = output_redis_open(o.redis_url, conf.redis_prefix, conf.redis_stream_maxlen, err,
		    sizeof(err))) == NULL)
			log_fatal(2, "--redis: %s", err);
		output_redis_set_ttl(r, conf.redis_ttl_s);
		outputs_add(&outs, &output_redis_ops, r);
	} else {
		store.ops = &store_mem_ops;
		store.ctx = store_mem_open();
	}
	eopts.flows = o.flows;
	if ((run.det = detect_new(&conf, &outs, run.sigdb, &store, err, sizeof(err))) == NULL)
		log_fatal(2, "%s", err);
	if ((run.eng = engine_new(&conf, &eopts, &outs, run.det, err, sizeof(err))) == NULL)
		log_fatal(2, "%s", err);

	/* Capture and outputs are open: detach, note the pid, then give up root before the first packet. */
	if (o.daemonize) {
		if (daemon_detach(err, sizeof(err)) != 0)
			log_fatal(1, "%s", err);
		log_init("dcdnwatch", 1);
	}
	if (o.pidfile && o.user && daemon_pidfile_keeper(o.pidfile, err, sizeof(err)) != 0)
		log_fatal(1, "%s", err);
	if (o.pidfile && daemon_write_pidfile(o.pidfile, err, sizeof(err)) != 0)
		log_fatal(1, "%s", err);
	if (o.user && daemon_drop_privileges(o.user, err, sizeof(err)) != 0)
		log_fatal(1, "%s", err);
	/* Each rewrite replaces the file from its directory: that must work for the user we are now. */
	if (metrics && output_metrics_check(metrics, err, sizeof(err)) != 0)
		log_fatal(1, "%s", err);
	daemon_ready();
	if (o.daemonize)
		log_warn("started on %s as %s (pid %ld)", o.iface ? o.iface : "files", o.user ? o.user : "root",
		    (long)getpid());

	/*
	 * A sharded run hands packets over in batches, and a pipe's come at its writer's pace, with no idle
	 * ticks to end a batch: its alerts would wait for a batch to fill.  Standard input, and any pipe or
	 * device given as a file, is read on one thread.
	 */
	run.threads = o.threads;
	for (i = 0; run.threads > 1 && i < o.nfiles; i++) {
		struct stat sb;

		if (strcmp(o.files[i], "-") == 0 || (stat(o.files[i], &sb) == 0 && !S_ISREG(sb.st_mode))) {
			log_debug("--threads: %s is read on one thread", o.files[i]);
			run.threads = 1;
		}
	}
	if (o.verbose)
		report_settings(&o, conf_path, &conf, sig_path, run.sigdb, &store, run.threads);

	run.outs = &outs;
	run.config_path = conf_path;
	run.sets = o.sets;
	run.nsets = o.nsets;
	run.conf = &conf;
	run.sig_path = sig_path;
	run.pace = o.pace;
	run.progress = !o.quiet && isatty(STDERR_FILENO);
	run_signals(0);
	rc = run_loop(&run);

	lost = outputs_failed(&outs);
	if (!o.quiet) {
		engine_summary(run.eng, stderr);
		detect_summary(run.det, stderr);
		report_mismatches(&o, &conf, run.eng, run.cap);
	}
	if (o.verbose && conf.learning_s) {
		uint64_t epoch = store.ops->get_epoch(store.ctx);
		char a[40], b[40];

		if (epoch) {
			format_time_us(epoch, a, sizeof(a));
			format_time_us(epoch + (uint64_t)conf.learning_s * 1000000u, b, sizeof(b));
			log_info("learning period: %s to %s (packet time)", a, b);
		}
	}
	if (lost) {
		log_warn("%" PRIu64 " event(s) could not be written", lost);
		rc = -1;
	}
	engine_free(run.eng);
	detect_free(run.det);
	store.ops->close(store.ctx);
	sigdb_free(run.sigdb);
	outputs_close(&outs);
	capture_free(run.cap);
	/* With -u, the keeper (daemon_pidfile_keeper) removes it: this directory may not let us. */
	if (o.pidfile && !o.user)
		unlink(o.pidfile);
	options_free(&o);
	return rc < 0 ? 1 : 0;
}
