/*
 * output.c - the output fan-out and the JSON-lines file and syslog backends.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "output.h"

void
outputs_add(struct outputs *outs, const struct output_ops *ops, void *ctx)
{
	if (outs->n >= OUTPUT_MAX)
		log_fatal(1, "too many outputs");
	outs->o[outs->n].ops = ops;
	outs->o[outs->n].ctx = ctx;
	outs->n++;
}

void
outputs_write(struct outputs *outs, const char *event_type, const char *json, size_t len)
{
	int i;

	for (i = 0; i < outs->n; i++) {
		if (outs->o[i].ops->write(outs->o[i].ctx, event_type, json, len) == 0)
			outs->o[i].written++;
		else
			outs->o[i].failed++;
	}
}

void
outputs_flush(struct outputs *outs)
{
	int i;

	for (i = 0; i < outs->n; i++)
		if (outs->o[i].ops->flush)
			outs->o[i].ops->flush(outs->o[i].ctx);
}

void
outputs_close(struct outputs *outs)
{
	int i;

	for (i = 0; i < outs->n; i++)
		if (outs->o[i].ops->close)
			outs->o[i].ops->close(outs->o[i].ctx);
	outs->n = 0;
}

uint64_t
outputs_failed(const struct outputs *outs)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < outs->n; i++)
		n += outs->o[i].failed;
	return n;
}

struct file_out {
	FILE *fp;
	int is_stdout;
	int warned;
};

void *
output_file_open(const char *path, char *err, size_t errlen)
{
	struct file_out *f = xcalloc(1, sizeof(*f));

	if (path == NULL || strcmp(path, "-") == 0) {
		f->fp = stdout;
		f->is_stdout = 1;
	} else if ((f->fp = fopen(path, "a")) == NULL) {
		snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
		free(f);
		return NULL;
	}
	/* Full buffering: events are flushed per batch, not per line. */
	setvbuf(f->fp, NULL, _IOFBF, 1 << 16);
	return f;
}

static int
file_write(void *ctx, const char *event_type, const char *json, size_t len)
{
	struct file_out *f = ctx;

	(void)event_type;
	if (fwrite(json, 1, len, f->fp) != len || putc('\n', f->fp) == EOF) {
		if (!f->warned++)
			log_warn("event output: write failed: %s", strerror(errno));
		clearerr(f->fp);
		return -1;
	}
	return 0;
}

static void
file_flush(void *ctx)
{
	struct file_out *f = ctx;

	fflush(f->fp);
}

static void
file_close(void *ctx)
{
	struct file_out *f = ctx;

	fflush(f->fp);
	if (!f->is_stdout)
		fclose(f->fp);
	free(f);
}

const struct output_ops output_file_ops = { "json", file_write, file_flush, file_close };

void *
output_syslog_open(void)
{
	openlog("dcdnwatch", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return xcalloc(1, 1);
}

static int
syslog_write(void *ctx, const char *event_type, const char *json, size_t len)
{
	(void)ctx;
	/* Only verdicts go to syslog: flows and stats would flood it. */
	if (strcmp(event_type, "alert") != 0)
		return 0;
	syslog(LOG_WARNING, "%.*s", (int)len, json);
	return 0;
}

static void
syslog_close(void *ctx)
{
	free(ctx);
}

const struct output_ops output_syslog_ops = { "syslog", syslog_write, NULL, syslog_close };
