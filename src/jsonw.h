/*
 * jsonw.h - a small JSON writer into a growable buffer.  Keys come out in the order they are written, which
 * is how events keep the fixed key order the contract promises.  Strings are escaped: valid UTF-8 passes
 * through, control bytes and DEL become \u00XX, and each byte that is not part of valid UTF-8 becomes the
 * text \xNN, so output is valid UTF-8 whatever the packet held.  Nesting and numbers are bounded.
 */
#ifndef DCDN_JSONW_H
#define DCDN_JSONW_H

#include <stddef.h>
#include <stdint.h>

#define JSONW_MAX_DEPTH 16	/* nesting; a container deeper than this is written as null */
#define JSONW_MAX_DECIMALS 9

struct jsonw {
	char *buf;
	size_t len, cap;
	int depth;
	int skip;		/* levels opened past JSONW_MAX_DEPTH, whose content is dropped */
	int after_key;		/* a key was just written: the value needs no separator */
	uint8_t first[JSONW_MAX_DEPTH];	/* no member written yet at this depth */
};

void jsonw_init(struct jsonw *w);
void jsonw_clear(struct jsonw *w);	/* frees the buffer */
void jsonw_reset(struct jsonw *w);	/* empties it for the next document */

void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
/* A key inside an object; the value follows with one of the value calls. */
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_u64(struct jsonw *w, uint64_t v);
void jsonw_i64(struct jsonw *w, int64_t v);
/* NaN and infinities are null; 1e15 and more in exponent form; decimals at most JSONW_MAX_DECIMALS. */
void jsonw_double(struct jsonw *w, double v, int decimals);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);
/* A value that is already JSON text (an object built by another writer). */
void jsonw_raw(struct jsonw *w, const char *json);
/* Packet time as RFC 3339 UTC with microseconds: 2024-02-26T20:33:10.000000Z (after 9999: the end of 9999) */
void jsonw_time(struct jsonw *w, uint64_t us);
/* Convenience: key plus value. */
void jsonw_kstr(struct jsonw *w, const char *key, const char *s);
void jsonw_ku64(struct jsonw *w, const char *key, uint64_t v);

/* Format packet time as above into buf (at least 32 bytes). */
void format_time_us(uint64_t us, char *buf, size_t len);

#endif
