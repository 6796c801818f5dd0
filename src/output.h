/*
 * output.h - where events go.  Each backend (JSON lines file, syslog, Redis stream) sits behind the same
 * small ops struct; a backend that fails counts the failure and keeps going, so an output problem never
 * stops detection.
 */
#ifndef DCDN_OUTPUT_H
#define DCDN_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct output_ops {
	const char *name;
	/* Write one event (a JSON object, no newline).  event_type lets a backend pick what it carries. */
	int (*write)(void *ctx, const char *event_type, const char *json, size_t len);
	void (*flush)(void *ctx);
	void (*close)(void *ctx);
};

#define OUTPUT_MAX 4

struct outputs {
	struct {
		const struct output_ops *ops;
		void *ctx;
		uint64_t written, failed;
	} o[OUTPUT_MAX];
	int n;
};

void outputs_add(struct outputs *outs, const struct output_ops *ops, void *ctx);
void outputs_write(struct outputs *outs, const char *event_type, const char *json, size_t len);
void outputs_flush(struct outputs *outs);
void outputs_close(struct outputs *outs);
uint64_t outputs_failed(const struct outputs *outs);

/* JSON lines to a file ("-" is stdout).  NULL and err on failure to open. */
void *output_file_open(const char *path, char *err, size_t errlen);
extern const struct output_ops output_file_ops;
/* Alerts to syslog (LOG_DAEMON, priority from severity is left to the reader: LOG_WARNING). */
void *output_syslog_open(void);
extern const struct output_ops output_syslog_ops;

#endif
