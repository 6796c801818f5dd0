/*
 * output.h - where events go.  Each backend (JSON lines file, syslog, Redis stream, metrics file) sits behind
 * the same small ops struct; a backend that fails counts the failure and keeps going, so an output problem
 * never stops detection, with one exception: a file whose reader has gone (EPIPE, as in `| head`) stops the
 * run, as tcpdump stops.
 */
#ifndef DCDN_OUTPUT_H
#define DCDN_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct output_ops {
	const char *name;
	/* Write one event (a JSON object, no newline).  event_type lets a backend pick what it carries. */
	int (*write)(void *ctx, const char *event_type, const char *json, size_t len);
	void (*flush)(void *ctx);
	void (*close)(void *ctx);
	/* The rest may be NULL. */
	/* Open the destination again (SIGHUP, after log rotation); 0, or -1 with err keeping the old one. */
	int (*reopen)(void *ctx, char *err, size_t errlen);
	/* Events write accepted and then lost (a buffered batch that could not be written out). */
	uint64_t (*lost)(void *ctx);
	/* Nobody reads any more (a closed pipe): writing on is pointless. */
	bool (*broken)(void *ctx);
};

#define OUTPUT_MAX 4

struct outputs {
	struct {
		const struct output_ops *ops;
		void *ctx;
		uint64_t written, failed;
	} o[OUTPUT_MAX];
	int n;
	const struct output_ops *only;	/* when set, events go to the backends of these ops alone */
	void (*on_broken)(void);	/* called when a backend is broken; may be NULL */
};

void outputs_add(struct outputs *outs, const struct output_ops *ops, void *ctx);
void outputs_write(struct outputs *outs, const char *event_type, const char *json, size_t len);
void outputs_flush(struct outputs *outs);
void outputs_close(struct outputs *outs);
/* Events lost so far, over every backend: failed writes and lost batches. */
uint64_t outputs_failed(const struct outputs *outs);
/* Reopen every backend that can (SIGHUP); a failure is logged and keeps the old destination. */
void outputs_reopen(struct outputs *outs);
/* Send events to the backends of ops alone (a metrics-only stats event), or to all again (NULL). */
void outputs_only(struct outputs *outs, const struct output_ops *ops);
/* Who hears that a backend is broken (the run, which stops). */
void outputs_on_broken(struct outputs *outs, void (*fn)(void));

/* JSON lines to a file ("-" is stdout).  NULL and err on failure to open. */
void *output_file_open(const char *path, char *err, size_t errlen);
extern const struct output_ops output_file_ops;
/* Alerts to syslog (LOG_DAEMON, priority from severity is left to the reader: LOG_WARNING). */
void *output_syslog_open(void);
extern const struct output_ops output_syslog_ops;

#endif
