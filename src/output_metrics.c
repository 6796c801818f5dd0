/*
 * output_metrics.c - stats events turned into Prometheus metrics.
 *
 * The stats event is the one description of the counters, so the metrics are read from it rather than
 * gathered a second time: each number in it becomes a sample.  A table names the known ones the way
 * Prometheus users expect (dcdnwatch_packets_total, dcdnwatch_decode_errors_total{reason="..."}, ...) with
 * their type and help; a number the table does not know yet still comes out, untyped, named after its
 * path in the event.
 *
 *   # HELP dcdnwatch_packets_total Packets read.
 *   # TYPE dcdnwatch_packets_total counter
 *   dcdnwatch_packets_total 20042
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "output_metrics.h"

#define PATH_MAX_DEPTH	4
#define NAME_MAX_LEN	128
#define MAX_SAMPLES	256

/* How one number of the stats event is shown; label NULL: no label, "*": the event's key is the label. */
struct mapping {
	const char *path;	/* "decoder.*": any key of the decoder object not matched before */
	const char *family;
	const char *label;	/* label name */
	const char *label_value;	/* NULL: the key itself */
	const char *type;
	const char *help;
};

static const struct mapping table[] = {
	{ "packets", "dcdnwatch_packets_total", NULL, NULL, "counter", "Packets read." },
	{ "bytes", "dcdnwatch_bytes_total", NULL, NULL, "counter", "Bytes read (wire length)." },
	{ "decoder.ok", "dcdnwatch_decoded_packets_total", NULL, NULL, "counter", "Packets decoded." },
	{ "decoder.fragments_accounted", "dcdnwatch_fragments_total", "result", "accounted", "counter",
	  "Later IP fragments, by whether their flow was known." },
	{ "decoder.fragments_orphaned", "dcdnwatch_fragments_total", "result", "orphaned", "counter",
	  "Later IP fragments, by whether their flow was known." },
	{ "decoder.*", "dcdnwatch_decode_errors_total", "reason", NULL, "counter",
	  "Packets not decoded, by reason." },
	{ "flows.created", "dcdnwatch_flows_created_total", NULL, NULL, "counter", "Flows created." },
	{ "flows.expired", "dcdnwatch_flows_expired_total", NULL, NULL, "counter", "Flows ended by an idle timeout." },
	{ "flows.evicted", "dcdnwatch_flows_evicted_total", NULL, NULL, "counter",
	  "Flows ended because the flow table was full." },
	{ "flows.active_timeout", "dcdnwatch_flows_active_timeout_total", NULL, NULL, "counter",
	  "Flow records cut by the active timeout." },
	{ "flows.active", "dcdnwatch_flows_active", NULL, NULL, "gauge", "Flows tracked now." },
	{ "flows.peak", "dcdnwatch_flows_peak", NULL, NULL, "gauge", "Most flows tracked at once." },
	{ "ndpi_packets", "dcdnwatch_ndpi_packets_total", NULL, NULL, "counter", "Packets handed to nDPI." },
	{ "capture.kernel_drops", "dcdnwatch_kernel_drops_total", NULL, NULL, "counter",
	  "Packets the kernel dropped (live capture)." },
	{ "capture.interface_drops", "dcdnwatch_interface_drops_total", NULL, NULL, "counter",
	  "Packets the interface dropped (live capture)." },
	{ "output_errors", "dcdnwatch_output_errors_total", NULL, NULL, "counter",
	  "Events an output failed to write." },
	{ "alerts.suppressed", "dcdnwatch_alerts_suppressed_total", NULL, NULL, "counter",
	  "Alerts not written again within the suppression period." },
	{ "alerts.unrecorded", "dcdnwatch_alerts_unrecorded_total", NULL, NULL, "counter",
	  "Alerts written but not recorded for suppression (table full)." },
	{ "alerts.*", "dcdnwatch_alerts_total", "detector", NULL, "counter", "Alerts written, by detector." },
	{ "hosts.tracked", "dcdnwatch_hosts_tracked", NULL, NULL, "gauge", "Home-net hosts tracked now." },
	{ "hosts.dropped", "dcdnwatch_hosts_dropped_total", NULL, NULL, "counter",
	  "Hosts dropped because the host table was full." },
	{ "hosts.groups", "dcdnwatch_host_groups", NULL, NULL, "gauge", "Host groups tracked now." },
	{ "store.errors", "dcdnwatch_store_errors_total", NULL, NULL, "counter", "Store errors." },
	{ "store.reconnects", "dcdnwatch_store_reconnects_total", NULL, NULL, "counter", "Store reconnections." },
	{ "store.queued", "dcdnwatch_store_queue_depth", NULL, NULL, "gauge", "Store writes waiting now." },
	{ "store.dropped", "dcdnwatch_store_dropped_total", NULL, NULL, "counter",
	  "Store writes dropped from a full queue." },
	{ "store.connected", "dcdnwatch_store_connected", NULL, NULL, "gauge",
	  "1 when the store is reachable, else 0." },
};

struct sample {
	char family[NAME_MAX_LEN];
	char label[32];
	char value_label[NAME_MAX_LEN];
	const char *type, *help;
	double v;
};

struct render {
	struct sample s[MAX_SAMPLES];
	int n;
	char backend[128];
	double ts;		/* packet time of the event, seconds; < 0: none */
};

/* A reader of the JSON that jsonw writes: objects, strings without escapes that matter, numbers, literals. */
struct reader {
	const char *p, *end;
};

static void
skip_ws(struct reader *r)
{
	while (r->p < r->end && isspace((unsigned char)*r->p))
		r->p++;
}

static int
read_string(struct reader *r, char *out, size_t outlen)
{
	size_t n = 0;

	skip_ws(r);
	if (r->p >= r->end || *r->p != '"')
		return -1;
	r->p++;
	while (r->p < r->end && *r->p != '"') {
		if (*r->p == '\\') {
			if (++r->p >= r->end)
				return -1;
		}
		if (n + 1 < outlen)
			out[n++] = *r->p;
		r->p++;
	}
	if (r->p >= r->end)
		return -1;
	r->p++;
	out[n] = '\0';
	return 0;
}

static const struct mapping *
find_mapping(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const char *t = table[i].path;
		size_t tl = strlen(t);

		if (strcmp(t, path) == 0)
			return &table[i];
		if (dot && tl >= 2 && t[tl - 1] == '*' && (size_t)(dot - path + 1) == tl - 1 &&
		    strncmp(t, path, tl - 1) == 0)
			return &table[i];
	}
	return NULL;
}

/* Prometheus names: [a-zA-Z_:][a-zA-Z0-9_:]*; anything else becomes '_'. */
static void
sanitize(char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			*s = '_';
}

static void
add_sample(struct render *rd, const char *path, const char *key, double v)
{
	const struct mapping *m = find_mapping(path);
	struct sample *s;

	if (rd->n >= MAX_SAMPLES)
		return;
	s = &rd->s[rd->n++];
	memset(s, 0, sizeof(*s));
	s->v = v;
	if (m) {
		snprintf(s->family, sizeof(s->family), "%s", m->family);
		if (m->label) {
			snprintf(s->label, sizeof(s->label), "%s", m->label);
			snprintf(s->value_label, sizeof(s->value_label), "%s", m->label_value ? m->label_value : key);
		}
		s->type = m->type;
		s->help = m->help;
	} else {
		snprintf(s->family, sizeof(s->family), "dcdnwatch_%s", path);
		sanitize(s->family);
		s->type = "untyped";
		s->help = NULL;
	}
}

static int parse_value(struct reader *r, struct render *rd, const char *path, const char *key, int depth);

static int
parse_object(struct reader *r, struct render *rd, const char *path, int depth)
{
	char key[64], sub[NAME_MAX_LEN];

	if (depth > PATH_MAX_DEPTH)
		return -1;
	skip_ws(r);
	if (r->p >= r->end || *r->p != '{')
		return -1;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		if (read_string(r, key, sizeof(key)) != 0)
			return -1;
		skip_ws(r);
		if (r->p >= r->end || *r->p != ':')
			return -1;
		r->p++;
		if (*path)
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
		else
			snprintf(sub, sizeof(sub), "%s", key);
		if (parse_value(r, rd, sub, key, depth + 1) != 0)
			return -1;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return 0;
		}
		return -1;
	}
}

static int
parse_value(struct reader *r, struct render *rd, const char *path, const char *key, int depth)
{
	char str[128];

	skip_ws(r);
	if (r->p >= r->end)
		return -1;
	if (*r->p == '{')
		return parse_object(r, rd, path, depth);
	if (*r->p == '"') {
		if (read_string(r, str, sizeof(str)) != 0)
			return -1;
		if (strcmp(path, "store.backend") == 0)
			snprintf(rd->backend, sizeof(rd->backend), "%s", str);
		return 0;
	}
	if (*r->p == '[') {	/* no arrays in stats; skip one without nesting */
		while (r->p < r->end && *r->p != ']')
			r->p++;
		if (r->p >= r->end)
			return -1;
		r->p++;
		return 0;
	}
	if (r->end - r->p >= 4 && strncmp(r->p, "true", 4) == 0) {
		r->p += 4;
		add_sample(rd, path, key, 1);
		return 0;
	}
	if (r->end - r->p >= 5 && strncmp(r->p, "false", 5) == 0) {
		r->p += 5;
		add_sample(rd, path, key, 0);
		return 0;
	}
	if (r->end - r->p >= 4 && strncmp(r->p, "null", 4) == 0) {
		r->p += 4;
		return 0;
	}
	{
		char num[64], *e;
		size_t n = 0;
		double v;

		while (r->p < r->end && n + 1 < sizeof(num) && (isdigit((unsigned char)*r->p) || *r->p == '-' ||
		    *r->p == '+' || *r->p == '.' || *r->p == 'e' || *r->p == 'E'))
			num[n++] = *r->p++;
		num[n] = '\0';
		v = strtod(num, &e);
		if (n == 0 || *e != '\0')
			return -1;
		add_sample(rd, path, key, v);
		return 0;
	}
}

/* "2024-02-26T20:33:10.000000Z" to seconds since the epoch; < 0 when it is not that. */
static double
parse_time(const char *s)
{
	struct tm tm;
	unsigned us = 0;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6uZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	    &tm.tm_min, &tm.tm_sec, &us, &n) < 7 || n == 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm) + us / 1e6;
}

/* The event's top level: timestamp, event_type, stats. */
static int
parse_event(const char *json, size_t len, struct render *rd)
{
	struct reader r = { json, json + len };
	char key[64], str[64];
	int is_stats = 0;

	rd->ts = -1;
	skip_ws(&r);
	if (r.p >= r.end || *r.p != '{')
		return -1;
	r.p++;
	for (;;) {
		if (read_string(&r, key, sizeof(key)) != 0)
			return -1;
		skip_ws(&r);
		if (r.p >= r.end || *r.p != ':')
			return -1;
		r.p++;
		skip_ws(&r);
		if (strcmp(key, "stats") == 0) {
			if (parse_object(&r, rd, "", 0) != 0)
				return -1;
		} else if (r.p < r.end && *r.p == '"') {
			if (read_string(&r, str, sizeof(str)) != 0)
				return -1;
			if (strcmp(key, "timestamp") == 0)
				rd->ts = parse_time(str);
			else if (strcmp(key, "event_type") == 0)
				is_stats = strcmp(str, "stats") == 0;
		} else if (parse_value(&r, rd, key, key, PATH_MAX_DEPTH) != 0) {
			return -1;
		}
		skip_ws(&r);
		if (r.p < r.end && *r.p == ',') {
			r.p++;
			continue;
		}
		break;
	}
	return is_stats ? 0 : -1;
}

struct text {
	char *buf;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		t->cap = t->cap * 2 + (size_t)(n > 0 ? n : 64);
		t->buf = xrealloc(t->buf, t->cap);
	}
}

static void
put_value(struct text *t, double v)
{
	/* Counters are integers; %.17g would write 1e+06 for a million, which parsers read, people less. */
	if (v >= 0 && v < 1e15 && v == (double)(long long)v)
		put(t, "%lld\n", (long long)v);
	else
		put(t, "%.17g\n", v);
}

int
output_metrics_render(const char *json, size_t len, char **out, size_t *outlen)
{
	struct render *rd = xcalloc(1, sizeof(*rd));
	struct text t = { NULL, 0, 0 };
	int i, j;

	if (parse_event(json, len, rd) != 0) {
		free(rd);
		return -1;
	}
	t.cap = 8192;
	t.buf = xmalloc(t.cap);
	t.buf[0] = '\0';
	put(&t, "# HELP dcdnwatch_info The running dcdnwatch; the value is always 1.\n");
	put(&t, "# TYPE dcdnwatch_info gauge\n");
	put(&t, "dcdnwatch_info{version=\"%s\",store=\"%s\"} 1\n", PACKAGE_VERSION, rd->backend);
	if (rd->ts >= 0) {
		put(&t, "# HELP dcdnwatch_packet_time_seconds Packet time of these figures (seconds since the epoch).\n");
		put(&t, "# TYPE dcdnwatch_packet_time_seconds gauge\n");
		put(&t, "dcdnwatch_packet_time_seconds %.6f\n", rd->ts);
	}
	/* One block per family, in the order the event first names it: the format wants a family together. */
	for (i = 0; i < rd->n; i++) {
		struct sample *s = &rd->s[i];

		if (s->family[0] == '\0')
			continue;
		if (s->help)
			put(&t, "# HELP %s %s\n", s->family, s->help);
		put(&t, "# TYPE %s %s\n", s->family, s->type);
		for (j = i; j < rd->n; j++) {
			struct sample *o = &rd->s[j];

			if (j != i && strcmp(o->family, s->family) != 0)
				continue;
			if (o->label[0])
				put(&t, "%s{%s=\"%s\"} ", o->family, o->label, o->value_label);
			else
				put(&t, "%s ", o->family);
			put_value(&t, o->v);
			if (j != i)
				o->family[0] = '\0';
		}
		s->family[0] = '\0';
	}
	free(rd);
	*out = t.buf;
	*outlen = t.len;
	return 0;
}

struct metrics_out {
	char *path, *tmp;
	int warned;
};

/* Create (and remove) the temporary file: what every rewrite needs of the directory. */
static int
try_tmp(const struct metrics_out *m, char *err, size_t errlen)
{
	int fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(err, errlen, "--metrics-file: cannot write %s: %s", m->tmp, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(m->tmp);
	return 0;
}

void *
output_metrics_open(const char *path, char *err, size_t errlen)
{
	struct metrics_out *m = xcalloc(1, sizeof(*m));
	size_t n = strlen(path) + sizeof(".tmp");

	m->path = xstrdup(path);
	m->tmp = xmalloc(n);
	snprintf(m->tmp, n, "%s.tmp", path);
	if (try_tmp(m, err, errlen) != 0) {
		free(m->path);
		free(m->tmp);
		free(m);
		return NULL;
	}
	return m;
}

int
output_metrics_check(void *ctx, char *err, size_t errlen)
{
	return try_tmp(ctx, err, errlen);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
metrics_write(void *ctx, const char *event_type, const char *json, size_t len)
{
	struct metrics_out *m = ctx;
	char *text;
	size_t tlen;
	int fd, e;
	bool ok;

	if (strcmp(event_type, "stats") != 0)
		return 0;
	if (output_metrics_render(json, len, &text, &tlen) != 0)
		return 0;
	fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok = fd >= 0;
	if (ok && write_all(fd, text, tlen) != 0) {
		e = errno;
		close(fd);
		errno = e;
		ok = false;
	} else if (ok && close(fd) != 0) {
		ok = false;
	}
	if (!ok || rename(m->tmp, m->path) != 0) {
		e = errno;
		if (fd >= 0)
			unlink(m->tmp);
		if (!m->warned++)
			log_warn("--metrics-file: cannot write %s: %s", m->path, strerror(e));
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static void
metrics_close(void *ctx)
{
	struct metrics_out *m = ctx;

	free(m->path);
	free(m->tmp);
	free(m);
}

const struct output_ops output_metrics_ops = { "metrics", metrics_write, NULL, metrics_close, NULL, NULL, NULL };
