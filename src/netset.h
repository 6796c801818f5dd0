/*
 * netset.h - sets of IPv4/IPv6 prefixes (home net, groups, allowlists) on nDPI's patricia tree, and the
 * address formatting the events use.
 */
#ifndef DCDN_NETSET_H
#define DCDN_NETSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netset;

/* Parse "10.0.0.0/8,fc00::/7" (commas or spaces); a bare address is a host prefix.  NULL + err on error. */
struct netset *netset_parse(const char *list, char *err, size_t errlen);
void netset_free(struct netset *s);
/* Add one prefix; -1 if text is not an address or prefix. */
int netset_add(struct netset *s, const char *text);
struct netset *netset_new(void);
bool netset_contains(const struct netset *s, int ipver, const uint8_t *addr);
/* The data pointer stored with the longest matching prefix (see netset_add_data), or NULL. */
void *netset_lookup(const struct netset *s, int ipver, const uint8_t *addr);
int netset_add_data(struct netset *s, const char *text, void *data);
size_t netset_count(const struct netset *s);

/* Parse an address or prefix: *ipver 4/6, addr (16 bytes, v4 in the first 4), *bits. */
int addr_parse_prefix(const char *text, int *ipver, uint8_t *addr, int *bits);
/* Address to text (inet_ntop); buf of at least 46 bytes. */
const char *addr_format(int ipver, const uint8_t *addr, char *buf, size_t len);

#endif
