/*
 * run.h - signals and the run loop: reading packets into the pipeline, serving SIGHUP, SIGUSR1 and the
 * metrics alarm between packets, and the end of the run.
 */
#ifndef DCDN_RUN_H
#define DCDN_RUN_H

#include <signal.h>
#include <stdint.h>

#include "conf.h"
#include "output.h"

struct capture;
struct detect;
struct engine;
struct sigdb;

/* Set by the handlers; read between packets. */
extern volatile sig_atomic_t run_sig_stop, run_sig_poll;

/*
 * Install the handlers of INT, TERM, HUP and USR1 (and ignore PIPE).  First thing at start-up (starting
 * set), so a signal during set-up neither kills nor interrupts it: it is served when the run starts.  Again
 * when the run starts, so that INT and TERM interrupt a wait for input; HUP and USR1 never do.
 */
void run_signals(int starting);

struct run {
	/* borrowed */
	struct outputs *outs;
	const char *config_path;
	char **sets;
	int nsets;
	struct engine *eng;
	struct detect *det;
	struct capture *cap;
	struct conf *conf;
	const char *sig_path;
	int threads;
	double pace;
	int progress;		/* print a progress line on stderr */
	/* owned */
	struct sigdb *sigdb;
	int has_metrics;	/* a metrics backend is among outs */
	/* run.c's */
	uint64_t next_progress;
	uint64_t last_stats_us;
	int live;
};

/* Read until the input ends or a stop; the stats written, flows flushed.  0, or -1 on a read error. */
int run_loop(struct run *r);
/* A stats event to the metrics backend alone. */
void run_write_metrics(struct run *r);
/* An output's reader is gone: stop reading (outputs_on_broken). */
void run_stop(void);
/* The warning sink of conf_load. */
void run_conf_warn(const char *msg);

#endif
