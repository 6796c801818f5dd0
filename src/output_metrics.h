/*
 * output_metrics.h - the stats in Prometheus's text exposition format, in a file for node_exporter's textfile
 * collector (--metrics-file).
 *
 * A backend like the others: every stats event that reaches it replaces the file, atomically (a temporary
 * file beside it, then rename), so a scrape never reads half a file.  Other events are ignored.
 */
#ifndef DCDN_OUTPUT_METRICS_H
#define DCDN_OUTPUT_METRICS_H

#include <stddef.h>

#include "output.h"

/* NULL and err when the file's directory cannot take the file (checked by creating the temporary file). */
void *output_metrics_open(const char *path, char *err, size_t errlen);
/* The same check again (after privileges were dropped); 0 or -1 with err. */
int output_metrics_check(void *ctx, char *err, size_t errlen);
/*
 * The text for one stats event (the JSON object engine_stats_event writes); 0, or -1 when the event is not
 * one.  The caller frees *text.  For tests.
 */
int output_metrics_render(const char *json, size_t len, char **text, size_t *textlen);

extern const struct output_ops output_metrics_ops;

#endif
