/*
 * jsonw.c - JSON writer.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "log.h"

void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jsonw_clear(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void
jsonw_reset(struct jsonw *w)
{
	w->len = 0;
	w->depth = 0;
	w->after_key = 0;
	if (w->buf)
		w->buf[0] = '\0';
}

static void
reserve(struct jsonw *w, size_t n)
{
	if (w->len + n + 1 <= w->cap)
		return;
	while (w->len + n + 1 > w->cap)
		w->cap = w->cap ? w->cap * 2 : 512;
	w->buf = xrealloc(w->buf, w->cap);
}

static void
put(struct jsonw *w, const char *s, size_t n)
{
	reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
putc1(struct jsonw *w, char c)
{
	put(w, &c, 1);
}

/* Separator before a value in an array or a key in an object. */
static void
sep(struct jsonw *w)
{
	if (w->depth == 0)
		return;
	if (!w->first[w->depth - 1])
		putc1(w, ',');
	w->first[w->depth - 1] = 0;
}

static void value_sep(struct jsonw *w);

static void
open_(struct jsonw *w, char c)
{
	value_sep(w);
	putc1(w, c);
	if (w->depth < JSONW_MAX_DEPTH)
		w->first[w->depth] = 1;
	w->depth++;
}

void
jsonw_obj_begin(struct jsonw *w)
{
	open_(w, '{');
}

void
jsonw_obj_end(struct jsonw *w)
{
	putc1(w, '}');
	w->depth--;
}

void
jsonw_arr_begin(struct jsonw *w)
{
	open_(w, '[');
}

void
jsonw_arr_end(struct jsonw *w)
{
	putc1(w, ']');
	w->depth--;
}

/* Values inside arrays need a separator; values after a key do not (the key wrote it). */
static void
value_sep(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	sep(w);
}

static void
escaped(struct jsonw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	reserve(w, n + 2);
	putc1(w, '"');
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			char e[2] = { '\\', (char)ch };

			put(w, e, 2);
		} else if (ch == '\n') {
			put(w, "\\n", 2);
		} else if (ch == '\t') {
			put(w, "\\t", 2);
		} else if (ch < 0x20 || ch >= 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };

			put(w, e, 6);
		} else {
			putc1(w, (char)ch);
		}
	}
	putc1(w, '"');
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	sep(w);
	escaped(w, key, strlen(key));
	putc1(w, ':');
	w->after_key = 1;
}

void
jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
	value_sep(w);
	escaped(w, s, n);
}

void
jsonw_str(struct jsonw *w, const char *s)
{
	if (s == NULL) {
		jsonw_null(w);
		return;
	}
	jsonw_strn(w, s, strlen(s));
}

void
jsonw_u64(struct jsonw *w, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);

	value_sep(w);
	put(w, b, (size_t)n);
}

void
jsonw_i64(struct jsonw *w, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);

	value_sep(w);
	put(w, b, (size_t)n);
}

void
jsonw_double(struct jsonw *w, double v, int decimals)
{
	char b[64];
	int n;

	if (v != v || v > 1e300 || v < -1e300)
		v = 0;
	n = snprintf(b, sizeof(b), "%.*f", decimals, v);
	value_sep(w);
	put(w, b, (size_t)n);
}

void
jsonw_bool(struct jsonw *w, int v)
{
	value_sep(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void
jsonw_null(struct jsonw *w)
{
	value_sep(w);
	put(w, "null", 4);
}

void
format_time_us(uint64_t us, char *buf, size_t len)
{
	time_t sec = (time_t)(us / 1000000u);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000u));
}

void
jsonw_time(struct jsonw *w, uint64_t us)
{
	char b[40];

	format_time_us(us, b, sizeof(b));
	jsonw_str(w, b);
}

void
jsonw_kstr(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_str(w, s);
}

void
jsonw_ku64(struct jsonw *w, const char *key, uint64_t v)
{
	jsonw_key(w, key);
	jsonw_u64(w, v);
}

void
jsonw_raw(struct jsonw *w, const char *json)
{
	value_sep(w);
	put(w, json, strlen(json));
}
