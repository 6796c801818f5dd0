/*
 * policy.h - the operator's policies: outbound allowlists per host group and zones marked unused.
 */
#ifndef DCDN_POLICY_H
#define DCDN_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "netset.h"

struct conf;

#define POLICY_MAX_RULES	64
#define POLICY_MAX_SUFFIX	64
#define POLICY_MAX_ZONES	64

struct policy_rule {
	struct netset *group;		/* hosts the rule applies to */
	struct netset *dst;		/* allowed destination prefixes */
	char *suffix[POLICY_MAX_SUFFIX];	/* allowed destination domain suffixes */
	int nsuffix;
};

struct policy_state {
	struct policy_rule rules[POLICY_MAX_RULES];
	int nrules;
	uint32_t zones[POLICY_MAX_ZONES];
	uint8_t zone_is_vni[POLICY_MAX_ZONES];
	int nzones;
};

/* Parse the policies of conf; NULL and err when one is malformed. */
struct policy_state *policy_new(const struct conf *conf, char *err, size_t errlen);
/*
 * Parse outbound_policy.allow and zone_policy.unused (either may be empty).  NULL with "key: message" in err
 * when one is malformed; free with policy_free.
 */
struct policy_state *policy_parse(const char *allow, const char *zones, char *err, size_t errlen);
void policy_free(struct policy_state *p);

#endif
