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

/* A backend whose reader is gone stops the run. */
static void
check_broken(struct outputs *outs, int i)
{
	if (outs->on_broken && outs->o[i].ops->broken && outs->o[i].ops->broken(outs->o[i].ctx))
		outs->on_broken();
}

void
outputs_write(struct outputs *outs, const char *event_type, const char *json, size_t len)
{
	int i;

	for (i = 0; i < outs->n; i++) {
		if (outs->only && outs->o[i].ops != outs->only)
			continue;
		if (outs->o[i].ops->write(outs->o[i].ctx, event_type, json, len) == 0) {
			outs->o[i].written++;
		} else {
			outs->o[i].failed++;
			check_broken(outs, i);
		}
	}
}

void
outputs_flush(struct outputs *outs)
{
	int i;

	for (i = 0; i < outs->n; i++)
		if (outs->o[i].ops->flush) {
			outs->o[i].ops->flush(outs->o[i].ctx);
			check_broken(outs, i);
		}
}

void
outputs_reopen(struct outputs *outs)
{
	char err[512];
	int i;

	for (i = 0; i < outs->n; i++)
		if (outs->o[i].ops->reopen && outs->o[i].ops->reopen(outs->o[i].ctx, err, sizeof(err)) != 0)
			log_warn("SIGHUP: %s", err);
}

void
outputs_only(struct outputs *outs, const struct output_ops *ops)
{
	outs->only = ops;
}

void
outputs_on_broken(struct outputs *outs, void (*fn)(void))
{
	outs->on_broken = fn;
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
		n += outs->o[i].failed + (outs->o[i].ops->lost ? outs->o[i].ops->lost(outs->o[i].ctx) : 0);
	return n;
}

struct file_out {
	FILE *fp;
	char *path;		/* NULL for stdout */
	uint64_t pending;	/* events in the stdio buffer, not yet known to be written */
	uint64_t lost;		/* events of buffers that could not be written */
	int warned;
	bool broken;		/* EPIPE: the reader is gone */
};

static FILE *
file_open(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "a");

	if (fp == NULL) {
		snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
		return NULL;
	}
	/* Full buffering: events are flushed per batch, not per line. */
	setvbuf(fp, NULL, _IOFBF, 1 << 16);
	return fp;
}

void *
output_file_open(const char *path, char *err, size_t errlen)
{
	struct file_out *f = xcalloc(1, sizeof(*f));

	if (path == NULL || strcmp(path, "-") == 0) {
		f->fp = stdout;
		setvbuf(f->fp, NULL, _IOFBF, 1 << 16);
	} else if ((f->fp = file_open(path, err, errlen)) == NULL) {
		free(f);
		return NULL;
	} else {
		f->path = xstrdup(path);
	}
	return f;
}

/*
 * stdio wrote out a buffer, or failed to: a failure loses every event in it (they are counted), and EPIPE
 * means nobody reads any more.
 */
static void
file_failed(struct file_out *f, int e)
{
	if (!f->warned++)
		log_warn("event output: %s: write failed: %s", f->path ? f->path : "standard output", strerror(e));
	if (e == EPIPE)
		f->broken = true;
	f->lost += f->pending;
	f->pending = 0;
	clearerr(f->fp);
}

static int
file_write(void *ctx, const char *event_type, const char *json, size_t len)
{
	struct file_out *f = ctx;

	(void)event_type;
	if (f->broken)
		return -1;
	errno = 0;
	if (fwrite(json, 1, len, f->fp) != len || putc('\n', f->fp) == EOF) {
		file_failed(f, errno);
		return -1;
	}
	f->pending++;
	return 0;
}

static void
file_flush(void *ctx)
{
	struct file_out *f = ctx;

	if (f->broken)
		return;
	errno = 0;
	if (fflush(f->fp) != 0)
		file_failed(f, errno);
	else
		f->pending = 0;
}

static uint64_t
file_lost(void *ctx)
{
	const struct file_out *f = ctx;

	return f->lost;
}

static bool
file_broken(void *ctx)
{
	const struct file_out *f = ctx;

	return f->broken;
}

/* After log rotation: what was buffered goes to the old file, the next event to a new one at the path. */
static int
file_reopen(void *ctx, char *err, size_t errlen)
{
	struct file_out *f = ctx;
	FILE *fp;

	if (f->path == NULL)
		return 0;
	file_flush(f);
	if ((fp = file_open(f->path, err, errlen)) == NULL)
		return -1;
	if (fclose(f->fp) != 0)
		file_failed(f, errno);
	f->fp = fp;
	f->broken = false;
	f->warned = 0;
	return 0;
}

static void
file_close(void *ctx)
{
	struct file_out *f = ctx;

	file_flush(f);
	if (f->path) {
		if (fclose(f->fp) != 0 && !f->broken) {
			f->lost += f->pending;
			log_warn("event output: %s: %s", f->path, strerror(errno));
		}
		free(f->path);
	}
	free(f);
}

const struct output_ops output_file_ops = {
	"json", file_write, file_flush, file_close, file_reopen, file_lost, file_broken,
};

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

const struct output_ops output_syslog_ops = { "syslog", syslog_write, NULL, syslog_close, NULL, NULL, NULL };
