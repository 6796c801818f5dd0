/*
 * conf.c - the table of tunables, the configuration file parser and --set.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "log.h"
#include "netset.h"
#include "policy.h"

enum ktype { K_U32, K_U64, K_BOOL, K_STR };

/* Checks a string value as the module that uses it would read it; 0, or -1 with err. */
typedef int (*check_fn)(const char *value, char *err, size_t errlen);

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	size_t size;		/* for K_STR */
	uint64_t min, max;
	const char *def;
	const char *doc;
	check_fn check;		/* for K_STR; may be NULL */
};

static int check_home_net(const char *value, char *err, size_t errlen);
static int check_zones(const char *value, char *err, size_t errlen);
static int check_allow(const char *value, char *err, size_t errlen);

#define U32(n, f, lo, hi, d, doc) { n, K_U32, offsetof(struct conf, f), 0, lo, hi, d, doc, NULL }
#define U64(n, f, lo, hi, d, doc) { n, K_U64, offsetof(struct conf, f), 0, lo, hi, d, doc, NULL }
#define BOOL(n, f, d, doc) { n, K_BOOL, offsetof(struct conf, f), 0, 0, 1, d, doc, NULL }
#define STR(n, f, d, doc, chk) \
	{ n, K_STR, offsetof(struct conf, f), sizeof(((struct conf *)0)->f), 0, 0, d, doc, chk }

static const struct key keys[] = {
	U32("capture.vxlan_port", vxlan_port, 0, 65535, "4789",
	    "UDP port decoded as VXLAN (AWS VPC Traffic Mirroring uses 4789); 0 turns VXLAN decoding off."),
	U32("capture.geneve_port", geneve_port, 0, 65535, "6081",
	    "UDP port decoded as GENEVE (Gateway Load Balancer); 0 turns it off."),
	U32("capture.snaplen", snaplen, 64, 262144, "262144",
	    "Bytes captured per packet in live mode. 256 is enough for headers and TLS ClientHellos that fit."),
	U32("capture.buffer_mb", buffer_mb, 1, 4096, "64",
	    "Kernel capture buffer in MiB for live capture; raise it on busy links before drops appear."),
	BOOL("capture.promisc", promisc, "true", "Put the interface in promiscuous mode (needed on a span port)."),
	U32("capture.timeout_ms", timeout_ms, 1, 10000, "100",
	    "Packet buffer timeout for live capture; also how often idle time is advanced."),
	U32("capture.time_tolerance_ms", time_tolerance_ms, 0, 86400000, "1000",
	    "How far (ms) packet time may go back within one capture file before a warning names the file."),
	U32("capture.max_time_jump", max_time_jump, 0, 31536000, "3600",
	    "Seconds one packet may move packet time forward; a packet stamped further ahead is handled at the"
	    " current time unless the next one confirms the jump. 0 follows every packet at once."),
	U32("flow.max", flow_max, 1, 100000000, "1000000",
	    "Hard cap on tracked flows; when full, the stalest flow is ended and counted as evicted."),
	U32("flow.timeout.tcp_new", to_tcp_new, 1, 86400, "60", "Idle timeout (s) of TCP flows seen one way only."),
	U32("flow.timeout.tcp_established", to_tcp_est, 1, 86400, "600",
	    "Idle timeout (s) of TCP flows seen both ways."),
	U32("flow.timeout.tcp_closed", to_tcp_closed, 1, 86400, "10",
	    "Idle timeout (s) after FIN both ways or a RST."),
	U32("flow.timeout.udp", to_udp, 1, 86400, "180", "Idle timeout (s) of UDP flows."),
	U32("flow.timeout.icmp", to_icmp, 1, 86400, "60", "Idle timeout (s) of ICMP flows."),
	U32("flow.timeout.other", to_other, 1, 86400, "120", "Idle timeout (s) of other IP protocols."),
	U32("flow.active_timeout", active_timeout, 0, 604800, "1800",
	    "A flow busy for longer is reported in slices of this many seconds; 0 never cuts."),
	U32("ndpi.max_tcp_packets", ndpi_max_tcp, 1, 10000, "80",
	    "TCP packets given to nDPI before giving up (the same as ndpiReader)."),
	U32("ndpi.max_udp_packets", ndpi_max_udp, 1, 10000, "24",
	    "UDP and other packets given to nDPI before giving up (the same as ndpiReader)."),
	STR("home_net", home_net, "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7",
	    "Comma-separated CIDRs of the monitored hosts (also --home-net).", check_home_net),
	U32("host.bucket", bucket_s, 1, 3600, "60", "Length (s of packet time) of one host bucket."),
	U32("host.window", window_buckets, 1, 60, "5", "Buckets in the short window compared with the baseline."),
	U32("host.learning", learning_s, 0, 31536000, "1800",
	    "Learning period (s of packet time from the first packet ever seen); 0 turns it off."),
	U32("host.max", host_max, 16, 10000000, "200000",
	    "Hard cap on tracked hosts; the least recently seen host is dropped when full."),
	U32("host.group_v4_bits", group_v4_bits, 8, 32, "24", "Prefix length that groups IPv4 hosts."),
	U32("host.group_v6_bits", group_v6_bits, 16, 128, "64", "Prefix length that groups IPv6 hosts."),
	U32("alert.suppress", suppress_s, 0, 604800, "3600",
	    "One alert per (host, family, detector) per this many seconds; later evidence updates counters."),
	U32("node_profile.min_peers", np_min_peers, 1, 1000000, "10",
	    "Distinct outside peers a host must accept flows from in the short window."),
	U32("node_profile.min_ratio", np_min_ratio, 1, 1000, "3", "Upload over download ratio, at least."),
	U64("node_profile.min_upload", np_min_upload, 0, UINT64_MAX, "2000000",
	    "Bytes uploaded in the short window, at least."),
	U32("baseline.k", bl_k, 1, 100, "4", "Deviations above the mean for a baseline alert."),
	U32("baseline.ratio", bl_ratio, 1, 1000, "5", "Times the baseline mean, at least."),
	U64("baseline.floor_bytes", bl_floor_bytes, 0, UINT64_MAX, "50000000",
	    "Bytes uploaded in the short window below which no bandwidth deviation is reported."),
	U32("baseline.floor_peers", bl_floor_peers, 0, 1000000, "20",
	    "Accepted peers in the short window below which no peer deviation is reported."),
	U32("beacon.min_events", beacon_min_events, 3, 1000, "6",
	    "Connections to one destination needed to judge periodicity."),
	U32("beacon.max_jitter_pct", beacon_max_jitter_pct, 1, 100, "10",
	    "Largest deviation of the intervals (percent of the median) still called periodic."),
	U32("relay.min_dests", relay_min_dests, 2, 100000, "15",
	    "Distinct short-flow destinations in the short window for the relay shape."),
	U32("relay.min_tunnel", relay_min_tunnel_s, 1, 86400, "120",
	    "Seconds a single outbound flow must last to count as the tunnel."),
	U32("fleet.min_hosts", fleet_min_hosts, 2, 100000, "5", "Hosts sharing a verdict that make a fleet."),
	U32("fleet.window", fleet_window_s, 60, 86400, "900", "Seconds within which they must reach it."),
	U32("new_hosts.min", newhosts_min, 2, 100000, "5", "New hosts after learning that make a burst."),
	U32("new_hosts.window", newhosts_window_s, 60, 86400, "600", "Seconds within which they must appear."),
	STR("zone_policy.unused", unused_zones, "",
	    "Comma-separated zones marked unused: vlan:N or vni:N; any new host there alerts.", check_zones),
	STR("outbound_policy.allow", outbound_allow, "",
	    "Allowlist per group: GROUP-CIDR=DEST[;DEST...] entries separated by spaces; DEST is a CIDR or a"
	    " domain suffix. Empty turns the detector off.", check_allow),
	U32("stats.interval", stats_interval, 0, 86400, "60",
	    "Seconds between stats events in live mode, and between rewrites of --metrics-file in any mode; 0 none."),
	STR("redis.prefix", redis_prefix, "dcdnwatch:", "Prefix of every Redis key.", NULL),
	U32("redis.ttl", redis_ttl_s, 60, 31536000, "604800", "TTL (s) set on every Redis key."),
	U32("redis.queue", redis_queue_max, 1, 10000000, "250000",
	    "Writes queued while Redis is away; past this the oldest are dropped and counted."),
	U32("redis.view_ms", redis_view_ms, 0, 3600000, "50",
	    "How old (ms) this sensor's copy of a shared set may be when a detector asks; 0 reads it every time."),
	U32("redis.stream_maxlen", redis_stream_maxlen, 100, 100000000, "100000",
	    "Approximate length cap of the alert stream (XADD MAXLEN ~)."),
	STR("redis.tls_ca", redis_tls_ca, "",
	    "PEM file of the CAs that may sign a rediss:// server's certificate; empty: the system CA store.", NULL),
	STR("redis.tls_cert", redis_tls_cert, "",
	    "PEM client certificate for rediss:// servers that ask for one (with redis.tls_key); empty: none.", NULL),
	STR("redis.tls_key", redis_tls_key, "", "Unencrypted PEM private key of redis.tls_cert.", NULL),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int
check_home_net(const char *value, char *err, size_t errlen)
{
	struct netset *s = netset_parse(value, err, errlen);

	if (s == NULL)
		return -1;
	netset_free(s);
	return 0;
}

static int
check_zones(const char *value, char *err, size_t errlen)
{
	struct policy_state *p = policy_parse("", value, err, errlen);

	if (p == NULL)
		return -1;
	policy_free(p);
	return 0;
}

static int
check_allow(const char *value, char *err, size_t errlen)
{
	struct policy_state *p = policy_parse(value, "", err, errlen);

	if (p == NULL)
		return -1;
	policy_free(p);
	return 0;
}

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;
	uint64_t mul = 1;

	if (*s == '\0' || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	/* Byte counts read better with a suffix: 5M, 2G. */
	if (*end == 'k' || *end == 'K')
		mul = 1000, end++;
	else if (*end == 'M')
		mul = 1000000, end++;
	else if (*end == 'G')
		mul = 1000000000, end++;
	if (*end != '\0')
		return -1;
	if (mul > 1 && x > UINT64_MAX / mul)
		return -1;
	*v = (uint64_t)x * mul;
	return 0;
}

int
conf_set(struct conf *c, const char *name, const char *value, char *err, size_t errlen)
{
	const struct key *k = find_key(name);
	char *base = (char *)c;
	uint64_t v;

	if (k == NULL) {
		snprintf(err, errlen, "unknown key '%s'", name);
		return -1;
	}
	switch (k->type) {
	case K_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on") || !strcmp(value, "1"))
			v = 1;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off") ||
		    !strcmp(value, "0"))
			v = 0;
		else {
			snprintf(err, errlen, "%s: '%s' is not a boolean (true or false)", name, value);
			return -1;
		}
		*(uint32_t *)(base + k->off) = (uint32_t)v;
		return 0;
	case K_U32:
	case K_U64:
		if (parse_u64(value, &v) != 0) {
			snprintf(err, errlen, "%s: '%s' is not a number", name, value);
			return -1;
		}
		if (v < k->min || v > k->max) {
			snprintf(err, errlen, "%s: %s is out of range %llu..%llu", name, value,
			    (unsigned long long)k->min, (unsigned long long)k->max);
			return -1;
		}
		if (k->type == K_U32)
			*(uint32_t *)(base + k->off) = (uint32_t)v;
		else
			*(uint64_t *)(base + k->off) = v;
		return 0;
	case K_STR: {
		const unsigned char *p;
		char msg[512];

		if (strlen(value) >= k->size) {
			snprintf(err, errlen, "%s: value longer than %zu bytes", name, k->size - 1);
			return -1;
		}
		/* A value is one line of text that --dump-config can write back between quotes. */
		for (p = (const unsigned char *)value; *p; p++)
			if (*p < 0x20 || *p == 0x7f || *p == '"') {
				snprintf(err, errlen, "%s: control character or '\"' in the value", name);
				return -1;
			}
		if (k->check && k->check(value, msg, sizeof(msg)) != 0) {
			/* The policy parsers name the key already; the address list does not. */
			if (strncmp(msg, name, strlen(name)) == 0)
				snprintf(err, errlen, "%s", msg);
			else
				snprintf(err, errlen, "%s: %s", name, msg);
			return -1;
		}
		memcpy(base + k->off, value, strlen(value) + 1);
		return 0;
	}
	}
	return -1;
}

void
conf_defaults(struct conf *c)
{
	size_t i;
	char err[256];

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++)
		if (conf_set(c, keys[i].name, keys[i].def, err, sizeof(err)) != 0)
			abort();	/* a bad default is a programming error */
}

int
conf_set_kv(struct conf *c, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	char name[128];
	size_t n;

	if (eq == NULL || eq == kv) {
		snprintf(err, errlen, "'%s' is not KEY=VALUE", kv);
		return -1;
	}
	n = (size_t)(eq - kv);
	if (n >= sizeof(name)) {
		snprintf(err, errlen, "key too long in '%s'", kv);
		return -1;
	}
	memcpy(name, kv, n);
	name[n] = '\0';
	return conf_set(c, name, eq + 1, err, errlen);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Split a line into key and value: "key = value", "key = \"value\"", with an optional comment after. */
static int
split_line(char *line, char **key, char **val, char *msg, size_t msglen)
{
	char *s = line, *eq, *v, *hash;

	/* A comment starts with '#' at the start of a line or after white space, outside quotes. */
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '#' || *s == '\0')
		return 0;
	if ((eq = strchr(s, '=')) == NULL) {
		snprintf(msg, msglen, "expected 'key = value'");
		return -1;
	}
	*eq = '\0';
	*key = trim(s);
	v = eq + 1;
	while (isspace((unsigned char)*v))
		v++;
	if (*v == '"') {
		char *close = strchr(v + 1, '"'), *rest;

		if (close == NULL) {
			snprintf(msg, msglen, "%s: no closing '\"'", *key);
			return -1;
		}
		*close = '\0';
		rest = close + 1;
		while (isspace((unsigned char)*rest))
			rest++;
		if (*rest != '\0' && !(*rest == '#' && isspace((unsigned char)rest[-1]))) {
			snprintf(msg, msglen, "%s: text after the closing '\"'", *key);
			return -1;
		}
		*val = v + 1;
	} else {
		for (hash = v; (hash = strchr(hash, '#')) != NULL; hash++)
			if (hash == v || isspace((unsigned char)hash[-1])) {
				*hash = '\0';
				break;
			}
		*val = trim(v);
	}
	if (**key == '\0') {
		snprintf(msg, msglen, "expected 'key = value'");
		return -1;
	}
	return 1;
}

#define CONF_FILE_MAX	(1024u * 1024u)

/* The whole file, NUL-terminated, of at most CONF_FILE_MAX bytes; NULL with err. */
static char *
read_text(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp;
	struct stat st;
	char *buf;
	size_t n;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a configuration file", path);
		return NULL;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(CONF_FILE_MAX + 2);
	n = fread(buf, 1, CONF_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	if (n > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, CONF_FILE_MAX);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int
conf_load(struct conf *c, const char *path, conf_warn_fn warn, char *err, size_t errlen)
{
	unsigned first[NKEYS];
	char *text, *line, msg[600];
	size_t len, off = 0;
	unsigned lineno = 0;
	int rc = 0;

	if ((text = read_text(path, &len, err, errlen)) == NULL)
		return -1;
	memset(first, 0, sizeof(first));
	while (off < len && rc == 0) {
		char *nl = memchr(text + off, '\n', len - off), *key = NULL, *val = NULL;
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		int r;

		lineno++;
		line = text + off;
		off += n + (nl != NULL);
		/* A NUL would end the value early without a word: refuse the line instead. */
		if (memchr(line, '\0', n) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL byte in the line", path, lineno);
			rc = -1;
			break;
		}
		if (n > CONF_STR_MAX + 256) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			rc = -1;
			break;
		}
		line[n] = '\0';
		if ((r = split_line(line, &key, &val, msg, sizeof(msg))) < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			rc = -1;
		} else if (r > 0) {
			const struct key *k = find_key(key);

			if (conf_set(c, key, val, msg, sizeof(msg)) != 0) {
				snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
				rc = -1;
			} else if (first[k - keys] != 0) {
				/* As in Suricata: the later line wins, and saying so saves a search. */
				if (warn) {
					snprintf(msg, sizeof(msg), "%s:%u: %s is set again (first on line %u); this line"
					    " wins", path, lineno, key, first[k - keys]);
					warn(msg);
				}
			} else {
				first[k - keys] = lineno;
			}
		}
	}
	free(text);
	return rc;
}

/* A value as the file takes it: numbers bare, strings quoted. */
static void
print_value(FILE *fp, const struct key *k, const struct conf *c)
{
	const char *base = (const char *)c;

	switch (k->type) {
	case K_BOOL:
		fputs(*(const uint32_t *)(const void *)(base + k->off) ? "true" : "false", fp);
		break;
	case K_U32:
		fprintf(fp, "%u", *(const uint32_t *)(const void *)(base + k->off));
		break;
	case K_U64:
		fprintf(fp, "%llu", (unsigned long long)*(const uint64_t *)(const void *)(base + k->off));
		break;
	case K_STR:
		fprintf(fp, "\"%s\"", base + k->off);
		break;
	}
}

void
conf_dump(const struct conf *c, FILE *fp)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		fprintf(fp, "%s = ", keys[i].name);
		print_value(fp, &keys[i], c);
		fputc('\n', fp);
	}
}

void
conf_print_keys(FILE *fp)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		fprintf(fp, "%-32s %-12s %s\n", keys[i].name, keys[i].def[0] ? keys[i].def : "(empty)",
		    keys[i].doc);
}

void
conf_apply_live(struct conf *live, const struct conf *fresh)
{
	struct conf keep = *live;

	*live = *fresh;
	/* Structure the running tables were built with stays as it was. */
	live->vxlan_port = keep.vxlan_port;
	live->geneve_port = keep.geneve_port;
	live->snaplen = keep.snaplen;
	live->buffer_mb = keep.buffer_mb;
	live->promisc = keep.promisc;
	live->timeout_ms = keep.timeout_ms;
	live->time_tolerance_ms = keep.time_tolerance_ms;
	live->max_time_jump = keep.max_time_jump;
	live->flow_max = keep.flow_max;
	live->bucket_s = keep.bucket_s;
	live->window_buckets = keep.window_buckets;
	live->learning_s = keep.learning_s;
	live->host_max = keep.host_max;
	live->group_v4_bits = keep.group_v4_bits;
	live->group_v6_bits = keep.group_v6_bits;
	memcpy(live->home_net, keep.home_net, sizeof(live->home_net));
	memcpy(live->unused_zones, keep.unused_zones, sizeof(live->unused_zones));
	memcpy(live->outbound_allow, keep.outbound_allow, sizeof(live->outbound_allow));
	memcpy(live->redis_prefix, keep.redis_prefix, sizeof(live->redis_prefix));
	live->redis_ttl_s = keep.redis_ttl_s;
	live->redis_queue_max = keep.redis_queue_max;
	live->redis_view_ms = keep.redis_view_ms;
	live->redis_stream_maxlen = keep.redis_stream_maxlen;
}
