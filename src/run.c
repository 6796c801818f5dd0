/*
 * run.c - the run loop of dcdnwatch and the signals it serves between packets.
 */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "detect.h"
#include "engine.h"
#include "log.h"
#include "output_metrics.h"
#include "run.h"
#include "shard.h"
#include "sigdb.h"

volatile sig_atomic_t run_sig_stop, run_sig_poll;
static volatile sig_atomic_t sig_hup, sig_usr1, sig_alarm;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGINT:
	case SIGTERM:
		run_sig_stop = 1;
		break;
	case SIGHUP:
		sig_hup = 1;
		run_sig_poll = 1;
		break;
	case SIGUSR1:
		sig_usr1 = 1;
		run_sig_poll = 1;
		break;
	}
}

void
run_signals(int starting)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/*
		 * A reload or a stats request must not break a read from a pipe (libpcap would take the EINTR for
		 * a damaged file); a stop may, once the run has started, so it never waits for a silent writer.
		 */
		sa.sa_flags = starting || (sigs[i] != SIGINT && sigs[i] != SIGTERM) ? SA_RESTART : 0;
		sigaction(sigs[i], &sa, NULL);
	}
	/* A closed pipe is an error return (EPIPE) for the output to act on, not a death. */
	signal(SIGPIPE, SIG_IGN);
}

void
run_stop(void)
{
	run_sig_stop = 1;
}

void
run_conf_warn(const char *msg)
{
	log_warn("%s", msg);
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

void
run_write_metrics(struct run *r)
{
	if (!r->has_metrics)
		return;
	outputs_only(r->outs, &output_metrics_ops);
	write_stats(r, engine_now(r->eng));
	outputs_only(r->outs, NULL);
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
reload(struct run *r)
{
	char err[1024];
	struct sigdb *db;

	if (r->config_path) {
		struct conf fresh;
		int i, bad = 0;

		conf_defaults(&fresh);
		if (conf_load(&fresh, r->config_path, run_conf_warn, err, sizeof(err)) != 0)
			bad = 1;
		for (i = 0; !bad && i < r->nsets; i++)
			if (conf_set_kv(&fresh, r->sets[i], err, sizeof(err)) != 0)
				bad = 1;
		if (bad) {
			log_warn("SIGHUP: keeping the current configuration: %s", err);
		} else {
			conf_apply_live(r->conf, &fresh);
			detect_conf_changed(r->det);
			/* A new stats.interval paces the metrics too (the alarm is the reading thread's). */
			if (r->has_metrics && !(r->threads > 1 && r->pace > 0))
				capture_set_alarm(r->cap, r->conf->stats_interval * 1000u, &sig_alarm, &run_sig_poll);
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
	/* Log rotation moved the output file away: events go on at its path. */
	outputs_reopen(r->outs);
}

static void
on_poll(void *arg)
{
	struct run *r = arg;

	run_sig_poll = 0;
	if (sig_usr1) {
		sig_usr1 = 0;
		write_stats(r, engine_now(r->eng));
		outputs_flush(r->outs);
	}
	if (sig_alarm) {
		sig_alarm = 0;
		run_write_metrics(r);
	}
	if (sig_hup) {
		sig_hup = 0;
		reload(r);
	}
}

int
run_loop(struct run *r)
{
	char err[1024];
	int rc, threads = r->threads;

	r->live = capture_is_live(r->cap);
	r->next_progress = 1000000;
	r->last_stats_us = 0;
	if (r->has_metrics)
		capture_set_alarm(r->cap, r->conf->stats_interval * 1000u, &sig_alarm, &run_sig_poll);
	/* A paced replay is paced record by record on one pipeline thread, with the reading on another. */
	if (threads > 1 && r->pace == 0) {
		rc = shard_run(r->eng, r->cap, (unsigned)threads, idle_chores, r, &run_sig_stop, &run_sig_poll,
		    on_poll, err, sizeof(err));
		if (rc == -2) {
			log_warn("%s; reading on one thread", err);
			rc = capture_run(r->cap, on_packet, on_idle, r, &run_sig_stop, &run_sig_poll, on_poll, err,
			    sizeof(err));
		}
	} else if (threads > 1) {
		rc = capture_run_threaded(r->cap, on_packet, on_idle, r, &run_sig_stop, &run_sig_poll, on_poll, err,
		    sizeof(err));
	} else {
		rc = capture_run(r->cap, on_packet, on_idle, r, &run_sig_stop, &run_sig_poll, on_poll, err,
		    sizeof(err));
	}
	if (r->progress && engine_stats(r->eng)->packets >= 1000000)
		fputc('\n', stderr);
	if (rc < 0)
		log_warn("%s", err);
	/* Signals that came with the last packets are served before the end. */
	if (run_sig_poll)
		on_poll(r);
	engine_flush(r->eng);
	write_stats(r, engine_now(r->eng));
	outputs_flush(r->outs);
	return rc < 0 ? -1 : 0;
}
