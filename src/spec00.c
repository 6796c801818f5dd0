/*
 * spec00.c - decode and encode Meson's spec00 node host names.
 *
 *   spec00-bejkbackbfikcai-06-exsief.mesontracking.com
 *   \____/ \_____________/ \_______/
 *   prefix  tag: 149.102.   optional field: "-", length "06", "-", 6 chars
 *           158.208
 *
 * The reference parser (coreservice-io/dns-common spec00/parser.go) reads only
 * 14 of the 15 tag characters and accepts anything; this one reads all 15 and
 * rejects what the reference generator could not have produced, so a
 * look-alike name cannot yield an address.
 */
#include "config.h"

#include <stdio.h>

#include "spec00.h"

static unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

int
spec00_decode(const char *name, size_t len, uint32_t *ip_host_order_out)
{
	static const char prefix[] = SPEC00_PREFIX;
	const size_t plen = sizeof(prefix) - 1;
	size_t end, i;
	uint32_t ip = 0;
	unsigned octet = 0, digits = 0, dots = 0;
	int padding = 0;

	if (name == NULL)
		return -1;
	for (end = 0; end < len && name[end] != '.'; end++)
		;
	if (end < plen + SPEC00_TAG_LEN)
		return -1;
	for (i = 0; i < plen; i++)
		if (lower((unsigned char)name[i]) != (unsigned char)prefix[i])
			return -1;

	for (i = plen; i < plen + SPEC00_TAG_LEN; i++) {
		unsigned char c = lower((unsigned char)name[i]);

		if (c == 'x') {
			padding = 1;
			continue;
		}
		if (padding)
			return -1;	/* address characters after the padding */
		if (c == 'k') {
			if (digits == 0 || dots == 3)
				return -1;	/* empty octet or a fifth one */
			ip = ip << 8 | octet;
			dots++;
			octet = 0;
			digits = 0;
			continue;
		}
		if (c < 'a' || c > 'j')
			return -1;
		/*
		 * A leading zero never comes out of Go's IP formatting, and "010"
		 * would be octal to inet_aton: refuse the ambiguity.
		 */
		if (digits > 0 && octet == 0)
			return -1;
		octet = octet * 10 + (unsigned)(c - 'a');
		if (++digits > 3 || octet > 255)
			return -1;
	}
	if (dots != 3 || digits == 0)
		return -1;
	ip = ip << 8 | octet;

	/* Optional fields: "-NN-" then exactly NN characters, up to the dot. */
	for (i = plen + SPEC00_TAG_LEN; i < end;) {
		size_t n;

		if (end - i < 4 || name[i] != '-' || name[i + 3] != '-' ||
		    name[i + 1] < '0' || name[i + 1] > '9' || name[i + 2] < '0' ||
		    name[i + 2] > '9')
			return -1;
		n = (size_t)(name[i + 1] - '0') * 10 + (size_t)(name[i + 2] - '0');
		i += 4;
		if (end - i < n)
			return -1;
		i += n;
	}

	if (ip_host_order_out != NULL)
		*ip_host_order_out = ip;
	return 0;
}

int
spec00_encode(uint32_t ip_host_order, char *buf, size_t buflen)
{
	char quad[16];
	const size_t plen = sizeof(SPEC00_PREFIX) - 1;
	size_t i;
	int n;

	if (buf == NULL || buflen < plen + SPEC00_TAG_LEN + 1)
		return -1;
	n = snprintf(quad, sizeof(quad), "%u.%u.%u.%u", ip_host_order >> 24,
	    (ip_host_order >> 16) & 0xff, (ip_host_order >> 8) & 0xff,
	    ip_host_order & 0xff);
	if (n < 0 || (size_t)n > SPEC00_TAG_LEN)
		return -1;
	for (i = 0; i < plen; i++)
		buf[i] = SPEC00_PREFIX[i];
	for (i = 0; i < SPEC00_TAG_LEN; i++) {
		char c = i < (size_t)n ? quad[i] : 'x';

		buf[plen + i] = c == '.' ? 'k' : c == 'x' ? 'x' : (char)(c - '0' + 'a');
	}
	buf[plen + SPEC00_TAG_LEN] = '\0';
	return (int)(plen + SPEC00_TAG_LEN);
}
