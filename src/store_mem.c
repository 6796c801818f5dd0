/*
 * store_mem.c - the embedded memory store: sets live in process memory; host state is the host table
 * itself, so saving it is a no-op.  Bounded: at most STORE_MEM_SETS sets of STORE_MEM_MEMBERS members.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"

#define STORE_MEM_SETS		256
#define STORE_MEM_MEMBERS	20000	/* per set: fleets, names, new hosts, alerts sent */

struct mset {
	char name[STORE_NAME_MAX];
	uint64_t last_us;	/* last write, to pick a set to forget when all slots are used */
	uint32_t n, cap;
	struct member {
		char name[STORE_NAME_MAX];
		uint64_t ts_us;
	} *m;
};

struct mem_store {
	uint64_t epoch;
	struct mset sets[STORE_MEM_SETS];
	int nsets;
	uint64_t dropped;
};

void *
store_mem_open(void)
{
	return xcalloc(1, sizeof(struct mem_store));
}

static uint64_t
mem_get_epoch(void *ctx)
{
	return ((struct mem_store *)ctx)->epoch;
}

static void
mem_set_epoch(void *ctx, uint64_t first_us)
{
	struct mem_store *s = ctx;

	if (s->epoch == 0)
		s->epoch = first_us;
}

static struct mset *
find_set(struct mem_store *s, const char *name, int create)
{
	int i;

	for (i = 0; i < s->nsets; i++)
		if (strncmp(s->sets[i].name, name, STORE_NAME_MAX - 1) == 0)
			return &s->sets[i];
	if (!create)
		return NULL;
	if (s->nsets >= STORE_MEM_SETS) {
		/* Full: forget the "name:" set written least recently (fleet, alerts and new-host sets stay). */
		int old = -1;

		for (i = 0; i < s->nsets; i++)
			if (strncmp(s->sets[i].name, "name:", 5) == 0 &&
			    (old < 0 || s->sets[i].last_us < s->sets[old].last_us))
				old = i;
		if (old < 0)
			return NULL;
		free(s->sets[old].m);
		memset(&s->sets[old], 0, sizeof(s->sets[old]));
		snprintf(s->sets[old].name, STORE_NAME_MAX, "%s", name);
		return &s->sets[old];
	}
	snprintf(s->sets[s->nsets].name, STORE_NAME_MAX, "%s", name);
	return &s->sets[s->nsets++];
}

static void
mem_set_add(void *ctx, const char *set, const char *member, uint64_t ts_us)
{
	struct mem_store *s = ctx;
	struct mset *ms = find_set(s, set, 1);
	uint32_t i;

	if (ms == NULL) {
		s->dropped++;
		return;
	}
	if (ts_us > ms->last_us)
		ms->last_us = ts_us;
	for (i = 0; i < ms->n; i++)
		if (strncmp(ms->m[i].name, member, STORE_NAME_MAX - 1) == 0)
			return;
	if (ms->n >= STORE_MEM_MEMBERS) {
		/* Full: the oldest member makes room (sets are read by time, newest matter most). */
		uint32_t old = 0;

		for (i = 1; i < ms->n; i++)
			if (ms->m[i].ts_us < ms->m[old].ts_us)
				old = i;
		ms->m[old] = ms->m[--ms->n];
		s->dropped++;
	}
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? ms->cap * 2 : 16;
		ms->m = xrealloc(ms->m, sizeof(*ms->m) * ms->cap);
	}
	snprintf(ms->m[ms->n].name, STORE_NAME_MAX, "%s", member);
	ms->m[ms->n].ts_us = ts_us;
	ms->n++;
}

static int
member_cmp(const void *x, const void *y)
{
	const struct member *a = x, *b = y;

	if (a->ts_us != b->ts_us)
		return a->ts_us < b->ts_us ? -1 : 1;
	return strcmp(a->name, b->name);
}

static uint32_t
mem_set_members(void *ctx, const char *set, uint64_t since_us, char (*names)[STORE_NAME_MAX], int max, int *n)
{
	struct mset *ms = find_set(ctx, set, 0);
	uint32_t i, count = 0;

	*n = 0;
	if (ms == NULL)
		return 0;
	/* Oldest first, the same order Redis's sorted set gives. */
	qsort(ms->m, ms->n, sizeof(*ms->m), member_cmp);
	for (i = 0; i < ms->n; i++) {
		if (ms->m[i].ts_us < since_us)
			continue;
		if (*n < max)
			snprintf(names[(*n)++], STORE_NAME_MAX, "%s", ms->m[i].name);
		count++;
	}
	return count;
}

static void
mem_host_save(void *ctx, const struct host_record *r)
{
	(void)ctx;
	(void)r;	/* the host table is the memory store's copy */
}

static uint32_t
mem_host_load_all(void *ctx, void (*cb)(void *arg, const struct host_record *r), void *arg)
{
	(void)ctx;
	(void)cb;
	(void)arg;
	return 0;	/* nothing survives a restart in memory */
}

static void
mem_flush(void *ctx, uint64_t now_us)
{
	(void)ctx;
	(void)now_us;
}

static void
mem_sync(void *ctx)
{
	(void)ctx;	/* nothing is ever on its way */
}

static void
mem_stats(void *ctx, struct store_stats *st)
{
	struct mem_store *s = ctx;

	memset(st, 0, sizeof(*st));
	st->dropped = s->dropped;
	st->connected = 1;
}

static void
mem_close(void *ctx)
{
	struct mem_store *s = ctx;
	int i;

	for (i = 0; i < s->nsets; i++)
		free(s->sets[i].m);
	free(s);
}

const struct store_ops store_mem_ops = {
	"memory", mem_get_epoch, mem_set_epoch, mem_set_add, mem_set_members, mem_host_save, mem_host_load_all,
	mem_flush, mem_sync, mem_stats, mem_close,
};
