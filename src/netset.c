/*
 * netset.c - prefix sets over nDPI's patricia tree (one tree per address family).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <ndpi/ndpi_api.h>

#include "log.h"
#include "netset.h"

struct netset {
	ndpi_patricia_tree_t *v4, *v6;
	size_t n;
};

struct netset *
netset_new(void)
{
	struct netset *s = xcalloc(1, sizeof(*s));

	s->v4 = ndpi_patricia_new(32);
	s->v6 = ndpi_patricia_new(128);
	if (s->v4 == NULL || s->v6 == NULL)
		log_fatal(1, "out of memory creating a prefix tree");
	return s;
}

void
netset_free(struct netset *s)
{
	if (s == NULL)
		return;
	ndpi_patricia_destroy(s->v4, NULL);
	ndpi_patricia_destroy(s->v6, NULL);
	free(s);
}

int
addr_parse_prefix(const char *text, int *ipver, uint8_t *addr, int *bits)
{
	char buf[64];
	char *slash, *end;
	long b;
	size_t n = strlen(text);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, text, n + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		*ipver = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*ipver = 6;
	else
		return -1;
	if (slash == NULL) {
		*bits = *ipver == 4 ? 32 : 128;
		return 0;
	}
	if (!isdigit((unsigned char)slash[1]))
		return -1;
	b = strtol(slash + 1, &end, 10);
	if (*end != '\0' || b < 0 || b > (*ipver == 4 ? 32 : 128))
		return -1;
	*bits = (int)b;
	return 0;
}

static ndpi_patricia_node_t *
lookup_node(const struct netset *s, int ipver, const uint8_t *addr, int bits, bool insert)
{
	ndpi_prefix_t p;

	memset(&p, 0, sizeof(p));
	if (ipver == 4) {
		struct in_addr a;

		memcpy(&a, addr, 4);
		ndpi_fill_prefix_v4(&p, &a, bits, 32);
		return insert ? ndpi_patricia_lookup(s->v4, &p) : ndpi_patricia_search_best(s->v4, &p);
	} else {
		struct in6_addr a;

		memcpy(&a, addr, 16);
		ndpi_fill_prefix_v6(&p, &a, bits, 128);
		return insert ? ndpi_patricia_lookup(s->v6, &p) : ndpi_patricia_search_best(s->v6, &p);
	}
}

int
netset_add_data(struct netset *s, const char *text, void *data)
{
	int ipver, bits;
	uint8_t addr[16];
	ndpi_patricia_node_t *node;

	if (addr_parse_prefix(text, &ipver, addr, &bits) != 0)
		return -1;
	node = lookup_node(s, ipver, addr, bits, true);
	if (node == NULL)
		log_fatal(1, "out of memory adding a prefix");
	ndpi_patricia_set_node_data(node, data);
	s->n++;
	return 0;
}

int
netset_add(struct netset *s, const char *text)
{
	/* A non-NULL marker: membership only. */
	return netset_add_data(s, text, s);
}

struct netset *
netset_parse(const char *list, char *err, size_t errlen)
{
	struct netset *s = netset_new();
	const char *p = list;

	while (*p) {
		char tok[64];
		size_t n = 0;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		while (*p && *p != ',' && !isspace((unsigned char)*p)) {
			if (n + 1 >= sizeof(tok)) {
				snprintf(err, errlen, "address list: entry too long");
				netset_free(s);
				return NULL;
			}
			tok[n++] = *p++;
		}
		tok[n] = '\0';
		if (n && netset_add(s, tok) != 0) {
			snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address or prefix", tok);
			netset_free(s);
			return NULL;
		}
	}
	return s;
}

void *
netset_lookup(const struct netset *s, int ipver, const uint8_t *addr)
{
	ndpi_patricia_node_t *node;

	if (s == NULL || s->n == 0)
		return NULL;
	node = lookup_node(s, ipver, addr, ipver == 4 ? 32 : 128, false);
	return node ? ndpi_patricia_get_node_data(node) : NULL;
}

bool
netset_contains(const struct netset *s, int ipver, const uint8_t *addr)
{
	return netset_lookup(s, ipver, addr) != NULL;
}

size_t
netset_count(const struct netset *s)
{
	return s->n;
}

const char *
addr_format(int ipver, const uint8_t *addr, char *buf, size_t len)
{
	if (inet_ntop(ipver == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}
