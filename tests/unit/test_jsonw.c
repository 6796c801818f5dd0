/*
 * test_jsonw.c - the JSON writer: key order, separators, escaping (control bytes, DEL, NUL, valid and
 * invalid UTF-8), numbers that are not finite or huge, nesting past the limit, timestamps.
 */
#include "config.h"

#include <math.h>

#include "check.h"
#include "jsonw.h"

/* One string value written on its own: the JSON text of s[0..n). */
static const char *
str(struct jsonw *w, const char *s, size_t n)
{
	jsonw_reset(w);
	jsonw_strn(w, s, n);
	return w->buf;
}

static void
test_strings(void)
{
	struct jsonw w;

	jsonw_init(&w);
	/* Control bytes, DEL and NUL are escaped as their code points. */
	CHECK_STR(str(&w, "a\0b\r\x1f\x7f\t", 7), "\"a\\u0000b\\u000d\\u001f\\u007f\\t\"");
	/* Valid UTF-8 passes through: two, three and four bytes. */
	CHECK_STR(str(&w, "b\xc3\xbc" "cher", 7), "\"b\xc3\xbc" "cher\"");
	CHECK_STR(str(&w, "\xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", 13),
	    "\"\xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"");
	CHECK_STR(str(&w, "\xed\x9f\xbf\xee\x80\x80", 6), "\"\xed\x9f\xbf\xee\x80\x80\"");
	/* Each byte of what is not valid UTF-8 is written as \xNN (\\xNN in JSON). */
	CHECK_STR(str(&w, "\xff", 1), "\"\\\\xff\"");
	CHECK_STR(str(&w, "\x80" "a", 2), "\"\\\\x80a\"");				/* a lone continuation byte */
	CHECK_STR(str(&w, "\xc3(", 2), "\"\\\\xc3(\"");				/* no continuation */
	CHECK_STR(str(&w, "x\xe2\x82", 3), "\"x\\\\xe2\\\\x82\"");		/* cut at the end */
	CHECK_STR(str(&w, "\xc0\xaf", 2), "\"\\\\xc0\\\\xaf\"");		/* overlong '/' */
	CHECK_STR(str(&w, "\xe0\x80\xaf", 3), "\"\\\\xe0\\\\x80\\\\xaf\"");	/* overlong, three bytes */
	CHECK_STR(str(&w, "\xed\xa0\x80", 3), "\"\\\\xed\\\\xa0\\\\x80\"");	/* a UTF-16 surrogate */
	CHECK_STR(str(&w, "\xf4\x90\x80\x80", 4),
	    "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");			/* past U+10FFFF */
	CHECK_STR(str(&w, "\xf8\x88\x80\x80\x80", 5),
	    "\"\\\\xf8\\\\x88\\\\x80\\\\x80\\\\x80\"");		/* five bytes */
	/* A valid sequence right after an invalid byte is kept. */
	CHECK_STR(str(&w, "\xff\xc3\xbc", 3), "\"\\\\xff\xc3\xbc\"");
	jsonw_clear(&w);
}

static const char *
dbl(struct jsonw *w, double v, int decimals)
{
	jsonw_reset(w);
	jsonw_double(w, v, decimals);
	return w->buf;
}

static void
test_doubles(void)
{
	struct jsonw w;

	jsonw_init(&w);
	CHECK_STR(dbl(&w, 2.5, 1), "2.5");
	CHECK_STR(dbl(&w, -0.125, 3), "-0.125");
	CHECK_STR(dbl(&w, 15120601.0, 1), "15120601.0");
	/* JSON has no NaN or infinity. */
	CHECK_STR(dbl(&w, NAN, 1), "null");
	CHECK_STR(dbl(&w, INFINITY, 1), "null");
	CHECK_STR(dbl(&w, -INFINITY, 2), "null");
	/* Huge values in exponent form, whatever the decimals asked for: never hundreds of digits. */
	CHECK_STR(dbl(&w, 1e300, 2), "1e+300");
	CHECK_STR(dbl(&w, -1.7976931348623157e308, 1), "-1.79769313486232e+308");
	CHECK_STR(dbl(&w, 1e15, 1), "1e+15");
	CHECK_STR(dbl(&w, 999999999999999.0, 1), "999999999999999.0");
	/* Decimals are bounded too. */
	CHECK_STR(dbl(&w, 1.0, 400), "1.000000000");
	CHECK_STR(dbl(&w, 1.5, -3), "2");
	jsonw_clear(&w);
}

/* Nesting past JSONW_MAX_DEPTH: the level that would be too deep is a null, and the document stays valid. */
static void
test_depth(void)
{
	struct jsonw w;
	char want[256];
	int i, n = 0;

	jsonw_init(&w);
	for (i = 0; i < JSONW_MAX_DEPTH + 8; i++) {
		jsonw_obj_begin(&w);
		jsonw_ku64(&w, "n", (uint64_t)i);
		jsonw_key(&w, "in");
	}
	jsonw_arr_begin(&w);
	jsonw_str(&w, "deep");
	jsonw_arr_end(&w);
	for (i = 0; i < JSONW_MAX_DEPTH + 8; i++)
		jsonw_obj_end(&w);
	for (i = 0; i < JSONW_MAX_DEPTH; i++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, "{\"n\":%d,\"in\":", i);
	n += snprintf(want + n, sizeof(want) - (size_t)n, "null");
	for (i = 0; i < JSONW_MAX_DEPTH; i++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, "}");
	CHECK_STR(w.buf, want);

	/* The writer is whole again for the next document, and a close too many is ignored. */
	jsonw_reset(&w);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_obj_begin(&w);
	jsonw_ku64(&w, "a", 1);
	jsonw_obj_end(&w);
	CHECK_STR(w.buf, "{\"a\":1}");
	jsonw_clear(&w);
}

static void
test_times(void)
{
	char b[64];

	format_time_us(0, b, sizeof(b));
	CHECK_STR(b, "1970-01-01T00:00:00.000000Z");
	format_time_us(253402300799999999ull, b, sizeof(b));
	CHECK_STR(b, "9999-12-31T23:59:59.999999Z");
	/* RFC 3339 has four-digit years: later times are written as the last one it can. */
	format_time_us(253402300800000000ull, b, sizeof(b));
	CHECK_STR(b, "9999-12-31T23:59:59.999999Z");
	format_time_us(UINT64_MAX, b, sizeof(b));
	CHECK_STR(b, "9999-12-31T23:59:59.999999Z");
}

int
main(void)
{
	struct jsonw w;
	char b[64];

	jsonw_init(&w);
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "a", "x\"y\\z\n");
	jsonw_ku64(&w, "b", 18446744073709551615ull);
	jsonw_key(&w, "c");
	jsonw_arr_begin(&w);
	jsonw_u64(&w, 1);
	jsonw_u64(&w, 2);
	jsonw_obj_begin(&w);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_key(&w, "d");
	jsonw_null(&w);
	jsonw_key(&w, "e");
	jsonw_strn(&w, "\x01\xff", 2);
	jsonw_key(&w, "f");
	jsonw_double(&w, 2.5, 2);
	jsonw_obj_end(&w);
	CHECK_STR(w.buf, "{\"a\":\"x\\\"y\\\\z\\n\",\"b\":18446744073709551615,\"c\":[1,2,{}],\"d\":null,"
	    "\"e\":\"\\u0001\\\\xff\",\"f\":2.50}");
	jsonw_reset(&w);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "t");
	jsonw_time(&w, 1708979590000000ull);
	jsonw_obj_end(&w);
	CHECK_STR(w.buf, "{\"t\":\"2024-02-26T20:33:10.000000Z\"}");
	format_time_us(1708979590123456ull, b, sizeof(b));
	CHECK_STR(b, "2024-02-26T20:33:10.123456Z");
	jsonw_clear(&w);
	test_strings();
	test_doubles();
	test_depth();
	test_times();
	return check_done("test_jsonw");
}
