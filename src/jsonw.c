/*
 * jsonw.c - JSON writer.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
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
	w->skip = 0;
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

/*
 * A container opened at JSONW_MAX_DEPTH would be too deep: it is written as null, and what goes into it,
 * down to its close, is dropped (w->skip counts the levels), so the document stays valid JSON.
 */
static void
open_(struct jsonw *w, char c)
{
	if (w->skip || w->depth >= JSONW_MAX_DEPTH) {
		if (w->skip++ == 0) {
			value_sep(w);
			put(w, "null", 4);
		}
		return;
	}
	value_sep(w);
	putc1(w, c);
	w->first[w->depth] = 1;
	w->depth++;
}

static void
close_(struct jsonw *w, char c)
{
	if (w->skip) {
		w->skip--;
		return;
	}
	if (w->depth == 0)
		return;		/* a close too many */
	putc1(w, c);
	w->depth--;
}

void
jsonw_obj_begin(struct jsonw *w)
{
	open_(w, '{');
}

void
jsonw_obj_end(struct jsonw *w)
{
	close_(w, '}');
}

void
jsonw_arr_begin(struct jsonw *w)
{
	open_(w, '[');
}

void
jsonw_arr_end(struct jsonw *w)
{
	close_(w, ']');
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

/*
 * The length of the UTF-8 sequence at s (n bytes left, s[0] >= 0x80) when it is valid (RFC 3629: no
 * overlong form, no UTF-16 surrogate, nothing past U+10FFFF), else 0.
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * A JSON string.  Valid UTF-8 is written as it is; control bytes and DEL as \u00XX; each byte that is not
 * part of valid UTF-8 as the four characters \xNN (written \\xNN in JSON), as Suricata does, so the bytes
 * stay readable and the output is valid UTF-8 whatever the packet held.
 */
static void
escaped(struct jsonw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	reserve(w, n + 2);
	putc1(w, '"');
	for (i = 0; i < n; i++) {
		unsigned char ch = u[i];

		if (ch == '"' || ch == '\\') {
			char e[2] = { '\\', (char)ch };

			put(w, e, 2);
		} else if (ch == '\n') {
			put(w, "\\n", 2);
		} else if (ch == '\t') {
			put(w, "\\t", 2);
		} else if (ch < 0x20 || ch == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };

			put(w, e, 6);
		} else if (ch < 0x80) {
			putc1(w, (char)ch);
		} else {
			size_t k = utf8_len(u + i, n - i);

			if (k) {
				put(w, s + i, k);
				i += k - 1;
			} else {
				char e[5] = { '\\', '\\', 'x', hex[ch >> 4], hex[ch & 15] };

				put(w, e, 5);
			}
		}
	}
	putc1(w, '"');
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	if (w->skip)
		return;
	sep(w);
	escaped(w, key, strlen(key));
	putc1(w, ':');
	w->after_key = 1;
}

void
jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
	if (w->skip)
		return;
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

	if (w->skip)
		return;
	value_sep(w);
	put(w, b, (size_t)n);
}

void
jsonw_i64(struct jsonw *w, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);

	if (w->skip)
		return;
	value_sep(w);
	put(w, b, (size_t)n);
}

/*
 * A number with the given decimals (at most JSONW_MAX_DECIMALS).  JSON has no NaN or infinity: those are
 * null.  From 1e15 on, where fixed notation would run to hundreds of digits, it is written with an exponent.
 */
void
jsonw_double(struct jsonw *w, double v, int decimals)
{
	char b[64];
	int n;

	if (w->skip)
		return;
	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > JSONW_MAX_DECIMALS)
		decimals = JSONW_MAX_DECIMALS;
	if (fabs(v) >= 1e15)
		n = snprintf(b, sizeof(b), "%.15g", v);
	else
		n = snprintf(b, sizeof(b), "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof(b)) {
		jsonw_null(w);		/* cannot happen with the bounds above; never a cut number */
		return;
	}
	value_sep(w);
	put(w, b, (size_t)n);
}

void
jsonw_bool(struct jsonw *w, int v)
{
	if (w->skip)
		return;
	value_sep(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void
jsonw_null(struct jsonw *w)
{
	if (w->skip)
		return;
	value_sep(w);
	put(w, "null", 4);
}

/* 9999-12-31T23:59:59Z: RFC 3339 writes four-digit years. */
#define TIME_MAX_S 253402300799ull

void
format_time_us(uint64_t us, char *buf, size_t len)
{
	uint64_t s = us / 1000000u;
	unsigned frac = (unsigned)(us % 1000000u);
	time_t sec;
	struct tm tm;

	if (s > TIME_MAX_S) {
		s = TIME_MAX_S;
		frac = 999999;
	}
	sec = (time_t)s;
	if (gmtime_r(&sec, &tm) == NULL) {
		snprintf(buf, len, "9999-12-31T23:59:59.999999Z");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
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
	if (w->skip)
		return;
	value_sep(w);
	put(w, json, strlen(json));
}
