/*
 * options.h - the command line of dcdnwatch, parsed into one struct; the set-up in main.c reads it.
 */
#ifndef DCDN_OPTIONS_H
#define DCDN_OPTIONS_H

#include <stdbool.h>

#define OPTIONS_MAX_FILES	1024
#define OPTIONS_MAX_SETS	256
#define OPTIONS_BPF_MAX		4096

struct options {
	char *files[OPTIONS_MAX_FILES];	/* borrowed from argv */
	int nfiles;
	const char *iface, *config_path, *output_path, *sig_path, *redis_url, *user, *pidfile, *metrics_path;
	char *sets[OPTIONS_MAX_SETS];	/* "KEY=VALUE", owned (--home-net X becomes home_net=X) */
	int nsets;
	int quiet, verbose, check, dump_config, use_syslog, no_promisc, daemonize, run_as_root;
	bool flows;
	int threads;
	double pace;
	char bpf[OPTIONS_BPF_MAX];	/* the trailing words, joined */
	char **words;			/* the trailing words themselves (argv) */
	int nwords;
};

/*
 * Parse argv into o.  Returns -1 when the program goes on, else the status to exit with at once (after
 * --help, --version, --set help: 0; a bad option: 2, the message printed).
 */
int options_parse(struct options *o, int argc, char **argv);
void options_free(struct options *o);

#endif
