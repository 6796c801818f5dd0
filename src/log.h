/*
 * log.h - diagnostics for dcdnwatch.
 *
 * Only main, capture set-up and outputs log; pure modules (decode, flow, sigdb, ...) return error codes or
 * write into a caller's buffer instead.  Out of memory aborts in one place (xmalloc and friends), so callers
 * never check for NULL from them.
 */
#ifndef DCDN_LOG_H
#define DCDN_LOG_H

#include <stddef.h>
#include <stdarg.h>

/* Where messages go: stderr (default) or syslog (daemon mode). */
void log_init(const char *progname, int to_syslog);
void log_set_quiet(int quiet);
void log_set_verbose(int verbose);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print and exit with the given status (2 for bad usage or input, 1 for runtime failures). */
void log_fatal(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
