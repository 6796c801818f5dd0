/*
 * detect_fleet.c - the `fleet` detector: many hosts reaching the same family verdict within a short time,
 * or newly sharing a name nobody used while learning.  That is the network view of a stolen cloud account
 * starting thousands of instances from one user-data script.  Membership goes through the store, so sensors
 * sharing one Redis count each other's hosts.  One critical alert per family, then updates as hosts join.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "family.h"
#include "log.h"
#include "sigdb.h"
#include "verdict.h"

#define FLEET_LEARNED_SLOTS	65536u	/* hashes of names seen while learning */
#define FLEET_NAMES		1024	/* new names being watched */

#define FLEET_NAME_HOSTS	64	/* hosts remembered per name, to add each to the store once */

struct fleet_name {
	char name[STORE_NAME_MAX];
	uint64_t hash;
	uint64_t first_us;
	uint32_t reported;	/* hosts_count last reported, 0 if never */
	uint32_t nhosts;
	uint8_t dirty;				/* a member was added since the last look */
	uint64_t hosts[FLEET_NAME_HOSTS];	/* hashes of the members added */
};

struct fleet_state {
	uint64_t learned[FLEET_LEARNED_SLOTS];
	uint8_t families_seen[FAM__COUNT];
	uint8_t families_dirty[FAM__COUNT];	/* a verdict was added since the last look */
	uint32_t reported[FAM__COUNT];	/* hosts_count last reported per family */
	struct fleet_name names[FLEET_NAMES];
	int nnames;
};

struct fleet_state *
fleet_new(void)
{
	return xcalloc(1, sizeof(struct fleet_state));
}

void
fleet_free(struct fleet_state *fs)
{
	free(fs);
}

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h | 1;
}

static void
member_of(const struct host *hs, char *buf, size_t len)
{
	char hb[64];

	snprintf(buf, len, "%s|%u", addr_format(hs->ipver, hs->addr, hb, sizeof(hb)), hs->zone);
}

void
fleet_verdict(struct detect *d, struct host *hs, int family, uint64_t now_us)
{
	char set[STORE_NAME_MAX], member[STORE_NAME_MAX];

	if (family == FAM_NONE)
		return;
	d->fleet->families_seen[family] = 1;
	d->fleet->families_dirty[family] = 1;
	snprintf(set, sizeof(set), "fleet:%s", family_name(family));
	member_of(hs, member, sizeof(member));
	d->store->ops->set_add(d->store->ctx, set, member, now_us);
}

void
fleet_name(struct detect *d, struct host *hs, const char *name, uint64_t now_us)
{
	struct fleet_state *fs = d->fleet;
	uint64_t h = name_hash(name);
	uint32_t i = (uint32_t)(h % FLEET_LEARNED_SLOTS), probe;
	char set[STORE_NAME_MAX + 8], member[STORE_NAME_MAX];
	int k;

	if (strlen(name) >= STORE_NAME_MAX - 6)
		return;
	/* Open addressing with a bounded probe: while learning, remember the name; after, ask. */
	for (probe = 0; probe < 8; probe++, i = (i + 1) % FLEET_LEARNED_SLOTS) {
		if (fs->learned[i] == h)
			return;		/* known name */
		if (fs->learned[i] == 0)
			break;
	}
	if (detect_learning(d, now_us)) {
		if (probe < 8)
			fs->learned[i] = h;
		return;
	}
	for (k = 0; k < fs->nnames; k++)
		if (fs->names[k].hash == h && strcmp(fs->names[k].name, name) == 0)
			break;
	if (k == fs->nnames) {
		if (fs->nnames >= FLEET_NAMES)
			return;
		memset(&fs->names[k], 0, sizeof(fs->names[k]));
		snprintf(fs->names[k].name, sizeof(fs->names[k].name), "%s", name);
		fs->names[k].hash = h;
		fs->names[k].first_us = now_us;
		fs->nnames++;
	}
	member_of(hs, member, sizeof(member));
	{
		struct fleet_name *fn = &fs->names[k];
		uint64_t mh = name_hash(member);
		uint32_t j;

		/* Each host once per name: the store need not hear the same member per flow. */
		for (j = 0; j < fn->nhosts; j++)
			if (fn->hosts[j] == mh)
				return;
		if (fn->nhosts < FLEET_NAME_HOSTS)
			fn->hosts[fn->nhosts++] = mh;
	}
	fs->names[k].dirty = 1;
	snprintf(set, sizeof(set), "name:%s", name);
	d->store->ops->set_add(d->store->ctx, set, member, now_us);
}

/* Emit (or update) a fleet alert from a set's members. */
static void
fleet_emit(struct detect *d, int family, const char *what, const char *set, uint32_t count,
	   char (*names)[STORE_NAME_MAX], int n, bool update, uint64_t now_us)
{
	struct alert al;
	struct jsonw *ev = &d->ev;
	uint8_t addr[16];
	int ipver, bits, i;
	char first[STORE_NAME_MAX], *bar;
	uint32_t newcount = 0;

	memset(&al, 0, sizeof(al));
	snprintf(first, sizeof(first), "%s", names[0]);
	if ((bar = strchr(first, '|')) != NULL)
		*bar = '\0';
	if (addr_parse_prefix(first, &ipver, addr, &bits) != 0)
		return;
	for (i = 0; i < n; i++) {
		char hb[STORE_NAME_MAX], *p;
		uint8_t a[16];
		int v, b;
		struct host *hs;

		snprintf(hb, sizeof(hb), "%s", names[i]);
		if ((p = strchr(hb, '|')) != NULL)
			*p = '\0';
		snprintf(al.hosts[al.nhosts++], sizeof(al.hosts[0]), "%s", hb);
		if (addr_parse_prefix(hb, &v, a, &b) == 0 && p &&
		    (hs = hosts_find(d->hosts, v, a, (uint32_t)strtoul(p + 1, NULL, 10))) != NULL &&
		    newhosts_is_recent(d, hs, now_us))
			newcount++;
	}
	evidence_begin(d);
	jsonw_kstr(ev, "metric", "hosts_sharing_verdict");
	jsonw_kstr(ev, "shared", what);
	jsonw_ku64(ev, "observed", count);
	jsonw_ku64(ev, "threshold", d->conf->fleet_min_hosts);
	jsonw_ku64(ev, "window_s", d->conf->fleet_window_s);
	jsonw_ku64(ev, "new_hosts_among_listed", newcount);
	jsonw_kstr(ev, "set", set);
	evidence_end(d);
	al.ts_us = now_us;
	al.ipver = ipver;
	al.addr = addr;
	al.family = family;
	al.detector = DET_FLEET;
	al.severity = family != FAM_NONE ? SEV_CRITICAL : SEV_MEDIUM;
	al.score = family != FAM_NONE ? 95 : 55;
	snprintf(al.summary, sizeof(al.summary), "%u hosts share %s within %u s%s", count, what,
	    d->conf->fleet_window_s, newcount ? ", most of them new" : "");
	al.evidence = ev->buf;
	al.hosts_count = count;
	al.update = update;
	alerts_emit(d->alerts, &al);
}

void
fleet_tick(struct detect *d, uint64_t now_us)
{
	struct fleet_state *fs = d->fleet;
	uint64_t since = now_us > (uint64_t)d->conf->fleet_window_s * 1000000u ?
	    now_us - (uint64_t)d->conf->fleet_window_s * 1000000u : 0;
	char names[ALERT_MAX_HOSTS][STORE_NAME_MAX];
	char set[STORE_NAME_MAX + 8], what[STORE_NAME_MAX + 32];
	int f, k, n;
	uint32_t count;

	for (f = 1; f < FAM__COUNT; f++) {
		/* Only when this sensor added a member: the count can only have grown then (one round trip). */
		if (!fs->families_seen[f] || !fs->families_dirty[f])
			continue;
		fs->families_dirty[f] = 0;
		snprintf(set, sizeof(set), "fleet:%s", family_name(f));
		/* Once reported, the fleet keeps every member it ever had in the updates. */
		count = d->store->ops->set_members(d->store->ctx, set, fs->reported[f] ? 0 : since, names,
		    ALERT_MAX_HOSTS, &n);
		if (count < d->conf->fleet_min_hosts || count <= fs->reported[f] || n == 0)
			continue;
		snprintf(what, sizeof(what), "the %s verdict", family_name(f));
		fleet_emit(d, f, what, set, count, names, n, fs->reported[f] != 0, now_us);
		fs->reported[f] = count;
	}
	/* Names that never made a fleet within the window are forgotten, so new ones can be watched. */
	for (k = 0; k < fs->nnames;) {
		if (!fs->names[k].reported && fs->names[k].first_us < since)
			fs->names[k] = fs->names[--fs->nnames];
		else
			k++;
	}
	for (k = 0; k < fs->nnames; k++) {
		struct fleet_name *fn = &fs->names[k];
		const struct sig_indicator *ind;
		int family = FAM_NONE;

		/*
		 * Ask the store (a Redis round trip) only about names this sensor has seen shared: most new
		 * names are one host's, and asking about each at every bucket would cost more than the rest.
		 */
		if ((fn->nhosts < 2 && !fn->reported) || !fn->dirty)
			continue;
		fn->dirty = 0;
		snprintf(set, sizeof(set), "name:%s", fn->name);
		count = d->store->ops->set_members(d->store->ctx, set, fn->reported ? 0 : since, names,
		    ALERT_MAX_HOSTS, &n);
		if (count < d->conf->fleet_min_hosts || count <= fn->reported || n == 0)
			continue;
		if (d->sigdb && (ind = sigdb_match_name(d->sigdb, fn->name, strlen(fn->name), 0, 0)) != NULL &&
		    ind->role != SIG_ROLE_WEB && ind->role != SIG_ROLE_CUSTOMER)
			family = family_lookup(ind->family);
		/* A family fleet already names these hosts; do not say it twice. */
		if (family != FAM_NONE && fs->reported[family])
			continue;
		snprintf(what, sizeof(what), "the never-seen name %s", fn->name);
		fleet_emit(d, family, what, set, count, names, n, fn->reported != 0, now_us);
		fn->reported = count;
	}
}
