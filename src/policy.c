/*
 * policy.c - parsing of the two policy settings shared by the outbound_policy and zone_policy detectors.
 *
 *   outbound_policy.allow = "10.0.1.0/24=203.0.113.0/24;deb.debian.org 10.0.2.0/24=.amazonaws.com"
 *   zone_policy.unused    = "vlan:30,vni:7"
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "conf.h"
#include "log.h"
#include "policy.h"

static void
rule_free(struct policy_rule *r)
{
	int i;

	netset_free(r->group);
	netset_free(r->dst);
	for (i = 0; i < r->nsuffix; i++)
		free(r->suffix[i]);
}

void
policy_free(struct policy_state *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nrules; i++)
		rule_free(&p->rules[i]);
	free(p);
}

static int
parse_rule(struct policy_rule *r, char *tok, char *err, size_t errlen)
{
	char *eq = strchr(tok, '='), *d, *save = NULL;

	if (eq == NULL) {
		snprintf(err, errlen, "outbound_policy.allow: '%s' is not GROUP=DEST[;DEST...]", tok);
		return -1;
	}
	*eq = '\0';
	r->group = netset_new();
	r->dst = netset_new();
	if (netset_add(r->group, tok) != 0) {
		snprintf(err, errlen, "outbound_policy.allow: '%s' is not a CIDR", tok);
		return -1;
	}
	for (d = strtok_r(eq + 1, ";,", &save); d; d = strtok_r(NULL, ";,", &save)) {
		int ipver, bits;
		uint8_t a[16];

		if (addr_parse_prefix(d, &ipver, a, &bits) == 0) {
			netset_add(r->dst, d);
			continue;
		}
		while (*d == '.' || *d == '*')
			d++;
		if (*d == '\0' || strchr(d, '.') == NULL || r->nsuffix >= POLICY_MAX_SUFFIX) {
			snprintf(err, errlen, "outbound_policy.allow: '%s' is neither a CIDR nor a domain", d);
			return -1;
		}
		r->suffix[r->nsuffix++] = xstrdup(d);
	}
	return 0;
}

struct policy_state *
policy_new(const struct conf *conf, char *err, size_t errlen)
{
	return policy_parse(conf->outbound_allow, conf->unused_zones, err, errlen);
}

/*
 * The two settings as text; also how the configuration checks a value when it is set, so a value that a
 * run would refuse is refused with the file and line it came from.
 */
struct policy_state *
policy_parse(const char *allow, const char *zones, char *err, size_t errlen)
{
	struct policy_state *p = xcalloc(1, sizeof(*p));
	char buf[CONF_STR_MAX], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", allow);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (p->nrules >= POLICY_MAX_RULES) {
			snprintf(err, errlen, "outbound_policy.allow: more than %d groups", POLICY_MAX_RULES);
			policy_free(p);
			return NULL;
		}
		if (parse_rule(&p->rules[p->nrules++], tok, err, errlen) != 0) {
			policy_free(p);
			return NULL;
		}
	}
	snprintf(buf, sizeof(buf), "%s", zones);
	save = NULL;
	for (tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		char *end;
		unsigned long v;

		if (p->nzones >= POLICY_MAX_ZONES) {
			snprintf(err, errlen, "zone_policy.unused: more than %d zones", POLICY_MAX_ZONES);
			policy_free(p);
			return NULL;
		}
		if (strncmp(tok, "vlan:", 5) == 0 && (v = strtoul(tok + 5, &end, 10)) > 0 && v < 4096 && !*end) {
			p->zones[p->nzones++] = zone_of_vlan((uint16_t)v);
		} else if (strncmp(tok, "vni:", 4) == 0 && isdigit((unsigned char)tok[4]) &&
		    (v = strtoul(tok + 4, &end, 10)) < (1u << 24) && !*end) {
			p->zones[p->nzones] = (uint32_t)v;	/* matched on the VNI whatever the tunnel */
			p->zone_is_vni[p->nzones++] = 1;
		} else {
			snprintf(err, errlen, "zone_policy.unused: '%s' is not vlan:N or vni:N", tok);
			policy_free(p);
			return NULL;
		}
	}
	return p;
}
