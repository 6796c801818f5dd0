/*
 * alert.c - suppression table, alert events and the flagged-host summary.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "decode.h"
#include "family.h"
#include "log.h"
#include "netset.h"
#include "store.h"

/* One per (host, family, detector): when it last went out and how much evidence came since. */
struct supp {
	struct supp *hnext;
	uint8_t ipver, family, detector;
	uint8_t addr[16];
	uint32_t zone;
	uint64_t last_us;
	uint64_t updates;
	uint8_t last_sev;	/* severity of the alert that went out */
};

/* One per flagged host, for the summary. */
struct flagged {
	struct flagged *hnext;
	uint8_t ipver, family;
	uint8_t addr[16];
	uint32_t zone;
	enum severity sev;
	uint32_t detectors;	/* bit per enum detector */
	uint64_t first_us;
	uint32_t peers;
	uint64_t upload;
	uint64_t updates;
};

#define SUPP_BUCKETS 8192u

struct alerts {
	struct outputs *outs;
	struct store *store;
	uint64_t suppress_us;
	uint32_t max_entries, nsupp, nflagged;
	struct supp *supp[SUPP_BUCKETS];
	struct flagged *flagged[SUPP_BUCKETS];
	uint64_t by_detector[DET__COUNT];
	uint64_t suppressed, table_full;
	uint32_t expire_calls;
	struct jsonw jw;
};

static const char *const det_names[DET__COUNT] = {
	"signature", "node_profile", "baseline", "beacon", "relay", "fleet", "new_hosts", "outbound_policy",
	"zone_policy",
};

const char *
detector_name(enum detector d)
{
	return (unsigned)d < DET__COUNT ? det_names[d] : "?";
}

const char *
severity_name(enum severity s)
{
	static const char *const n[] = { "info", "low", "medium", "high", "critical" };

	return (unsigned)s <= SEV_CRITICAL ? n[s] : "?";
}

uint32_t
zone_of_vlan(uint16_t vlan)
{
	return vlan ? ZONE_VLAN_FLAG | vlan : 0;
}

void
zone_write(struct jsonw *w, uint32_t zone)
{
	if (zone == 0)
		return;
	if (zone & ZONE_VLAN_FLAG) {
		jsonw_key(w, "vlan");
		jsonw_arr_begin(w);
		jsonw_u64(w, zone & 0xfff);
		jsonw_arr_end(w);
		return;
	}
	jsonw_key(w, "tunnel");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "type", tunnel_type_name((enum tunnel_type)(zone >> 24)));
	jsonw_ku64(w, "vni", zone & 0xffffff);
	jsonw_obj_end(w);
}

struct alerts *
alerts_new(struct outputs *outs, struct store *store, uint32_t suppress_s, uint32_t max_entries)
{
	struct alerts *a = xcalloc(1, sizeof(*a));

	a->outs = outs;
	a->store = store;
	a->suppress_us = (uint64_t)suppress_s * 1000000u;
	a->max_entries = max_entries;
	jsonw_init(&a->jw);
	return a;
}

void
alerts_set_suppress(struct alerts *a, uint32_t suppress_s)
{
	a->suppress_us = (uint64_t)suppress_s * 1000000u;
}

void
alerts_free(struct alerts *a)
{
	uint32_t i;

	if (a == NULL)
		return;
	for (i = 0; i < SUPP_BUCKETS; i++) {
		struct supp *s, *sn;
		struct flagged *f, *fn;

		for (s = a->supp[i]; s; s = sn) {
			sn = s->hnext;
			free(s);
		}
		for (f = a->flagged[i]; f; f = fn) {
			fn = f->hnext;
			free(f);
		}
	}
	jsonw_clear(&a->jw);
	free(a);
}

static uint32_t
key_hash(int ipver, const uint8_t *addr, uint32_t zone, uint32_t extra)
{
	uint64_t x = 0xcbf29ce484222325ull ^ zone ^ ((uint64_t)extra << 32);
	int i, n = ipver == 4 ? 4 : 16;

	for (i = 0; i < n; i++)
		x = (x ^ addr[i]) * 0x100000001b3ull;
	return (uint32_t)(x ^ (x >> 31)) % SUPP_BUCKETS;
}

static bool
same_host(int ipver, const uint8_t *a, uint32_t za, int ipver2, const uint8_t *b, uint32_t zb)
{
	return ipver == ipver2 && za == zb && memcmp(a, b, ipver == 4 ? 4 : 16) == 0;
}

static struct supp *
supp_get(struct alerts *a, const struct alert *al, bool create)
{
	uint32_t h = key_hash(al->ipver, al->addr, al->zone, (uint32_t)al->family << 8 | al->detector);
	struct supp *s;

	for (s = a->supp[h]; s; s = s->hnext)
		if (s->family == al->family && s->detector == al->detector &&
		    same_host(s->ipver, s->addr, s->zone, al->ipver, al->addr, al->zone))
			return s;
	if (!create || a->nsupp >= a->max_entries)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->ipver = (uint8_t)al->ipver;
	memcpy(s->addr, al->addr, al->ipver == 4 ? 4 : 16);
	s->zone = al->zone;
	s->family = (uint8_t)al->family;
	s->detector = (uint8_t)al->detector;
	s->hnext = a->supp[h];
	a->supp[h] = s;
	a->nsupp++;
	return s;
}

static struct flagged *
flagged_get(struct alerts *a, int ipver, const uint8_t *addr, uint32_t zone, bool create)
{
	uint32_t h = key_hash(ipver, addr, zone, 0);
	struct flagged *f;

	for (f = a->flagged[h]; f; f = f->hnext)
		if (same_host(f->ipver, f->addr, f->zone, ipver, addr, zone))
			return f;
	if (!create || a->nflagged >= a->max_entries)
		return NULL;
	f = xcalloc(1, sizeof(*f));
	f->ipver = (uint8_t)ipver;
	memcpy(f->addr, addr, ipver == 4 ? 4 : 16);
	f->zone = zone;
	f->hnext = a->flagged[h];
	a->flagged[h] = f;
	a->nflagged++;
	return f;
}

bool
alerts_host_has(struct alerts *a, int ipver, const uint8_t *addr, uint32_t zone, enum detector d)
{
	struct flagged *f = flagged_get(a, ipver, addr, zone, false);

	return f && (f->detectors & (1u << d));
}

static void
remember(struct alerts *a, const struct alert *al)
{
	struct flagged *f;

	if (al->detector == DET_FLEET || al->detector == DET_NEW_HOSTS)
		return;
	f = flagged_get(a, al->ipver, al->addr, al->zone, true);
	if (f == NULL)
		return;
	if (f->first_us == 0 || al->ts_us < f->first_us)
		f->first_us = al->ts_us;
	/* A family verdict outranks a generic anomaly; among families the more severe wins. */
	if (al->family != 0 && (f->family == 0 || al->severity > f->sev))
		f->family = (uint8_t)al->family;
	if (al->severity > f->sev)
		f->sev = al->severity;
	f->detectors |= 1u << al->detector;
	if (al->peers > f->peers)
		f->peers = al->peers;
	if (al->upload > f->upload)
		f->upload = al->upload;
}

bool
alerts_emit(struct alerts *a, const struct alert *al)
{
	struct supp *s = supp_get(a, al, true);
	struct jsonw *w = &a->jw;
	char hb[64];
	int i;

	if (s == NULL) {
		/* No room to remember it: better one verdict too few than a flood. */
		a->table_full++;
		if (!al->update && alerts_host_has(a, al->ipver, al->addr, al->zone, al->detector))
			return false;
	}
	/* Within the period only stronger evidence goes out again: a verdict escalates, it is not muted. */
	if (s && s->last_us && !al->update && al->ts_us < s->last_us + a->suppress_us &&
	    al->severity <= s->last_sev) {
		s->updates++;
		a->suppressed++;
		{
			struct flagged *f = flagged_get(a, al->ipver, al->addr, al->zone, false);

			if (f)
				f->updates++;
		}
		remember(a, al);
		return false;
	}
	if (s) {
		char ab[64], member[STORE_NAME_MAX + 32];

		s->last_us = al->ts_us;
		s->last_sev = (uint8_t)al->severity;
		if (a->store) {
			snprintf(member, sizeof(member), "%s|%u|%d|%d|%d", addr_format(al->ipver, al->addr, ab,
			    sizeof(ab)), al->zone, al->family, al->detector, al->severity);
			if (strlen(member) < STORE_NAME_MAX)
				a->store->ops->set_add(a->store->ctx, "alerts", member, al->ts_us);
		}
	}
	remember(a, al);
	a->by_detector[al->detector]++;

	jsonw_reset(w);
	jsonw_obj_begin(w);
	jsonw_key(w, "timestamp");
	jsonw_time(w, al->ts_us);
	jsonw_kstr(w, "event_type", "alert");
	jsonw_kstr(w, "host", addr_format(al->ipver, al->addr, hb, sizeof(hb)));
	jsonw_key(w, "family");
	jsonw_str(w, family_name(al->family));
	jsonw_kstr(w, "detector", detector_name(al->detector));
	jsonw_kstr(w, "severity", severity_name(al->severity));
	jsonw_ku64(w, "score", (uint64_t)(al->score < 0 ? 0 : al->score > 100 ? 100 : al->score));
	jsonw_kstr(w, "summary", al->summary);
	jsonw_key(w, "evidence");
	if (al->evidence) {
		/* Already a JSON object: splice it in as the value. */
		jsonw_raw(w, al->evidence);
	} else {
		jsonw_obj_begin(w);
		jsonw_obj_end(w);
	}
	if (al->detector == DET_FLEET || al->detector == DET_NEW_HOSTS) {
		jsonw_ku64(w, "hosts_count", al->hosts_count);
		jsonw_key(w, "hosts");
		jsonw_arr_begin(w);
		for (i = 0; i < al->nhosts; i++)
			jsonw_str(w, al->hosts[i]);
		jsonw_arr_end(w);
	}
	if (al->update) {
		jsonw_key(w, "update");
		jsonw_bool(w, 1);
	}
	zone_write(w, al->zone);
	jsonw_obj_end(w);
	outputs_write(a->outs, "alert", w->buf, w->len);
	return true;
}

void
alerts_expire(struct alerts *a, uint64_t now_us)
{
	uint32_t i;

	/* A walk of the whole table: every sixteenth bucket end is often enough. */
	if (a->nsupp == 0 || (a->expire_calls++ & 15) != 0)
		return;
	for (i = 0; i < SUPP_BUCKETS; i++) {
		struct supp **pp = &a->supp[i];

		while (*pp) {
			struct supp *s = *pp;

			if (s->last_us + a->suppress_us < now_us) {
				*pp = s->hnext;
				free(s);
				a->nsupp--;
			} else {
				pp = &s->hnext;
			}
		}
	}
}

void
alerts_restore(struct alerts *a, uint64_t now_us)
{
	enum { RESTORE_MAX = 4096 };
	char (*names)[STORE_NAME_MAX];
	uint64_t since = now_us > a->suppress_us ? now_us - a->suppress_us : 0;
	int n = 0, i;

	if (a->store == NULL)
		return;
	names = xcalloc(RESTORE_MAX, sizeof(*names));
	a->store->ops->set_members(a->store->ctx, "alerts", since, names, RESTORE_MAX, &n);
	for (i = 0; i < n; i++) {
		char addr_s[64];
		unsigned zone;
		int fam, det, sev, ipver, bits;
		uint8_t addr[16];
		struct alert al;
		struct supp *s;
		char *bar = strchr(names[i], '|');

		if (bar == NULL || (size_t)(bar - names[i]) >= sizeof(addr_s))
			continue;
		memcpy(addr_s, names[i], (size_t)(bar - names[i]));
		addr_s[bar - names[i]] = '\0';
		if (sscanf(bar + 1, "%u|%d|%d|%d", &zone, &fam, &det, &sev) != 4 ||
		    addr_parse_prefix(addr_s, &ipver, addr, &bits) != 0 || det < 0 || det >= DET__COUNT ||
		    sev < 0 || sev > SEV_CRITICAL)
			continue;
		memset(&al, 0, sizeof(al));
		al.ipver = ipver;
		al.addr = addr;
		al.zone = zone;
		al.family = fam;
		al.detector = (enum detector)det;
		if ((s = supp_get(a, &al, true)) != NULL && sev >= s->last_sev) {
			/* The period restarts with the process: never a repeat, at worst a longer silence. */
			s->last_us = now_us;
			s->last_sev = (uint8_t)sev;
		}
	}
	free(names);
}

uint64_t
alerts_by_detector(const struct alerts *a, enum detector d)
{
	return a->by_detector[d];
}

uint64_t
alerts_unrecorded(const struct alerts *a)
{
	return a->table_full;
}

uint64_t
alerts_suppressed(const struct alerts *a)
{
	return a->suppressed;
}

static int
flagged_cmp(const void *x, const void *y)
{
	const struct flagged *a = *(const struct flagged *const *)x, *b = *(const struct flagged *const *)y;

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->first_us != b->first_us)
		return a->first_us < b->first_us ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

static void
human_bytes(uint64_t v, char *buf, size_t len)
{
	if (v >= 1000000000ull)
		snprintf(buf, len, "%.1f GB", (double)v / 1e9);
	else if (v >= 1000000ull)
		snprintf(buf, len, "%.1f MB", (double)v / 1e6);
	else if (v >= 1000ull)
		snprintf(buf, len, "%.1f kB", (double)v / 1e3);
	else
		snprintf(buf, len, "%" PRIu64 " B", v);
}

void
alerts_summary(struct alerts *a, FILE *fp)
{
	struct flagged **all;
	uint32_t n = 0, i;
	int d;

	if (a->by_detector[DET_FLEET] || a->by_detector[DET_NEW_HOSTS])
		fprintf(fp, "dcdnwatch: %" PRIu64 " fleet and %" PRIu64 " new-hosts alert(s), listed in the events\n",
		    a->by_detector[DET_FLEET], a->by_detector[DET_NEW_HOSTS]);
	if (a->nflagged == 0) {
		fprintf(fp, "dcdnwatch: no host flagged\n");
		return;
	}
	all = xmalloc(sizeof(*all) * a->nflagged);
	for (i = 0; i < SUPP_BUCKETS; i++)
		for (struct flagged *f = a->flagged[i]; f; f = f->hnext)
			all[n++] = f;
	qsort(all, n, sizeof(*all), flagged_cmp);
	fprintf(fp, "dcdnwatch: %u host(s) flagged\n", n);
	fprintf(fp, "  %-39s %-17s %-8s %-40s %-27s %6s %10s %7s\n", "HOST", "FAMILY", "SEVERITY",
	    "DETECTORS", "FIRST EVIDENCE", "PEERS", "UPLOAD", "REPEATS");
	for (i = 0; i < n; i++) {
		struct flagged *f = all[i];
		char hb[64], tb[40], dets[128] = "", up[32];
		const char *fam = family_name(f->family);

		for (d = 0; d < DET__COUNT; d++)
			if (f->detectors & (1u << d)) {
				if (dets[0])
					strncat(dets, ",", sizeof(dets) - strlen(dets) - 1);
				strncat(dets, detector_name((enum detector)d), sizeof(dets) - strlen(dets) - 1);
			}
		format_time_us(f->first_us, tb, sizeof(tb));
		human_bytes(f->upload, up, sizeof(up));
		fprintf(fp, "  %-39s %-17s %-8s %-40s %-27s %6u %10s %7" PRIu64 "\n",
		    addr_format(f->ipver, f->addr, hb, sizeof(hb)), fam ? fam : "-", severity_name(f->sev), dets, tb,
		    f->peers, up, f->updates);
	}
	free(all);
}
