/*
 * dns.h - a small DNS response parser (RFC 1035) for the answers nDPI does not keep: every A/AAAA record
 * with its TTL, so an address can be traced back to the name it was resolved from.
 */
#ifndef DCDN_DNS_H
#define DCDN_DNS_H

#include <stdint.h>

#define DNS_MAX_ANSWERS 32
#define DNS_NAME_MAX 256

struct dns_answer {
	uint8_t ipver;
	uint8_t addr[16];
	uint32_t ttl;
};

struct dns_response {
	char qname[DNS_NAME_MAX];	/* the question's name, lower case, no trailing dot */
	int nanswers;
	struct dns_answer an[DNS_MAX_ANSWERS];
};

/*
 * Parse a DNS response message.  Returns 0, or -1 when it is not a well-formed response; a name with a label
 * that holds a dot or a NUL (which would read as another name) makes the message not well-formed.
 */
int dns_parse_response(const uint8_t *msg, uint32_t len, struct dns_response *r);

#endif
