/*
 * spec00.h - Meson's node host names, spec00-<tag>[-NN-<field>...].<domain>.
 *
 * The 15-character tag spells the node's own IPv4 address: '0'..'9' become
 * 'a'..'j', '.' becomes 'k', and the tag is right-padded with 'x'
 * (coreservice-io/dns-common spec00/parser.go).  Each optional field is a
 * dash, its length as two decimal digits, a dash, then that many characters.
 * A node whose SNI decodes to its own address is a Meson node beyond doubt.
 */
#ifndef DCDN_SPEC00_H
#define DCDN_SPEC00_H

#include <stddef.h>
#include <stdint.h>

#define SPEC00_PREFIX "spec00-"
#define SPEC00_TAG_LEN 15

/*
 * Decode a host name (or just its first label) of len bytes, compared
 * case-insensitively.  On success stores the address in host byte order and
 * returns 0.  Returns -1 when the first label is not "spec00-" + a valid tag
 * (four octets 0..255, none empty, no leading zero, padding only at the end)
 * followed by well-formed optional fields.
 */
int spec00_decode(const char *name, size_t len, uint32_t *ip_host_order_out);

/*
 * Write "spec00-<tag>" for an address in host byte order into buf, which
 * needs 23 bytes.  Returns the length written (22), or -1 if buf is too small.
 */
int spec00_encode(uint32_t ip_host_order, char *buf, size_t buflen);

#endif
