/*
 * test_jsonw.c - the JSON writer: key order, separators, escaping, timestamps.
 */
#include "config.h"

#include "check.h"
#include "jsonw.h"

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
	    "\"e\":\"\\u0001\\u00ff\",\"f\":2.50}");
	jsonw_reset(&w);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "t");
	jsonw_time(&w, 1708979590000000ull);
	jsonw_obj_end(&w);
	CHECK_STR(w.buf, "{\"t\":\"2024-02-26T20:33:10.000000Z\"}");
	format_time_us(1708979590123456ull, b, sizeof(b));
	CHECK_STR(b, "2024-02-26T20:33:10.123456Z");
	jsonw_clear(&w);
	return check_done("test_jsonw");
}
