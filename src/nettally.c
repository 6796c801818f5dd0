/*
 * nettally.c - flows counted per /24 (IPv4) or /48 (IPv6) network, in a fixed open-addressed table.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nettally.h"

static void
count(struct nettally *t, int ipver, const uint8_t *addr, uint64_t bytes)
{
	size_t plen = ipver == 4 ? 3 : 6, i;
	uint32_t h = 2166136261u;

	for (i = 0; i < plen; i++)
		h = (h ^ addr[i]) * 16777619u;
	h ^= (uint32_t)ipver;
	for (i = 0; i < NETTALLY_SLOTS; i++) {
		struct nettally_net *n = &t->net[(h + i) % NETTALLY_SLOTS];

		if (n->ipver == 0) {
			n->ipver = (uint8_t)ipver;
			memcpy(n->prefix, addr, plen);
		}
		if (n->ipver == ipver && memcmp(n->prefix, addr, plen) == 0) {
			n->flows++;
			n->bytes += bytes;
			return;
		}
	}
	t->other++;
}

void
nettally_flow(struct nettally *t, int ipver, const uint8_t *a, const uint8_t *b, uint64_t bytes, int home)
{
	size_t plen = ipver == 4 ? 3 : 6;

	t->flows++;
	if (home)
		t->home_flows++;
	count(t, ipver, a, bytes);
	/* Both ends in one network: the flow counts once for it. */
	if (memcmp(a, b, plen) != 0)
		count(t, ipver, b, bytes);
}

static int
net_cmp(const void *x, const void *y)
{
	const struct nettally_net *a = x, *b = y;

	if (a->flows != b->flows)
		return a->flows > b->flows ? -1 : 1;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->ipver != b->ipver)
		return a->ipver - b->ipver;
	return memcmp(a->prefix, b->prefix, sizeof(a->prefix));
}

size_t
nettally_top(const struct nettally *t, struct nettally_net *out, size_t n)
{
	struct nettally_net *all = malloc(sizeof(t->net));
	size_t i, k = 0;

	if (all == NULL)
		return 0;
	for (i = 0; i < NETTALLY_SLOTS; i++)
		if (t->net[i].ipver)
			all[k++] = t->net[i];
	qsort(all, k, sizeof(*all), net_cmp);
	if (k > n)
		k = n;
	memcpy(out, all, k * sizeof(*all));
	free(all);
	return k;
}

const char *
nettally_format(const struct nettally_net *net, char *buf, size_t len)
{
	uint8_t a[16];
	char s[INET6_ADDRSTRLEN];

	memset(a, 0, sizeof(a));
	memcpy(a, net->prefix, net->ipver == 4 ? 3 : 6);
	inet_ntop(net->ipver == 4 ? AF_INET : AF_INET6, a, s, sizeof(s));
	snprintf(buf, len, "%s/%d", s, net->ipver == 4 ? 24 : 48);
	return buf;
}
