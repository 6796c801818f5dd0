/*
 * conf.h - every tunable in one place.
 *
 * Each key has a type, a default, bounds and a sentence on what is sane; the same table serves the
 * configuration file (dcdnwatch.conf(5)), --set KEY=VALUE and the man page.  Values are plain fields of
 * struct conf, read by the modules that own them.
 */
#ifndef DCDN_CONF_H
#define DCDN_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_STR_MAX 1024

struct conf {
	/* capture */
	uint32_t vxlan_port;
	uint32_t geneve_port;
	uint32_t snaplen;
	uint32_t buffer_mb;
	uint32_t promisc;
	uint32_t timeout_ms;
	uint32_t time_tolerance_ms;
	uint32_t max_time_jump;		/* seconds one record may move packet time forward; 0 any */
	/* flows */
	uint32_t flow_max;
	uint32_t to_tcp_new, to_tcp_est, to_tcp_closed, to_udp, to_icmp, to_other;
	uint32_t active_timeout;
	uint32_t ndpi_max_tcp, ndpi_max_udp;
	/* hosts and baselines */
	char home_net[CONF_STR_MAX];
	uint32_t bucket_s;
	uint32_t window_buckets;
	uint32_t learning_s;
	uint32_t host_max;
	uint32_t group_v4_bits, group_v6_bits;
	/* detectors */
	uint32_t suppress_s;
	uint32_t np_min_peers;
	uint32_t np_min_ratio;
	uint64_t np_min_upload;
	uint32_t bl_k;
	uint32_t bl_ratio;
	uint64_t bl_floor_bytes;
	uint32_t bl_floor_peers;
	uint32_t beacon_min_events;
	uint32_t beacon_max_jitter_pct;
	uint32_t relay_min_dests;
	uint32_t relay_min_tunnel_s;
	uint32_t fleet_min_hosts;
	uint32_t fleet_window_s;
	uint32_t newhosts_min;
	uint32_t newhosts_window_s;
	char unused_zones[CONF_STR_MAX];
	char outbound_allow[CONF_STR_MAX];
	/* outputs and store */
	uint32_t stats_interval;
	char redis_prefix[128];
	uint32_t redis_ttl_s;
	uint32_t redis_queue_max;
	uint32_t redis_view_ms;
	uint32_t redis_stream_maxlen;
	char redis_tls_ca[CONF_STR_MAX];
	char redis_tls_cert[CONF_STR_MAX];
	char redis_tls_key[CONF_STR_MAX];
};

/* Fill c with the defaults. */
void conf_defaults(struct conf *c);
/* Set one key from text; on error writes a message (without file:line) into err and returns -1. */
int conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errlen);
/* Parse "KEY=VALUE" as given to --set. */
int conf_set_kv(struct conf *c, const char *kv, char *err, size_t errlen);
/*
 * Read a configuration file; errors (a bad key or value, a NUL byte, a directory) come back as
 * "file:line: message" and nothing after the bad line is read.  A key set twice is not an error: the later
 * line wins, and warn (may be NULL) hears "file:line: KEY is set again (first on line N); this line wins".
 */
typedef void (*conf_warn_fn)(const char *msg);
int conf_load(struct conf *c, const char *path, conf_warn_fn warn, char *err, size_t errlen);
/*
 * After a reload (SIGHUP): take from fresh the keys that can change while running (detector thresholds,
 * suppression, stats interval); the others (capture, table sizes, buckets, home net) need a restart.
 */
void conf_apply_live(struct conf *live, const struct conf *fresh);
/* Print every key with its default and description (--set help). */
void conf_print_keys(FILE *fp);
/* Print every key with its value in c, one "key = value" line each, as the file takes them (--dump-config). */
void conf_dump(const struct conf *c, FILE *fp);

#endif
