/*
 * detect.c - the detection layer's entry points.
 */
#include "config.h"

#include "detect.h"

void
detect_flow_new(struct detect *det, struct flow *f, const struct decoded *d, uint64_t now_us)
{
	(void)det; (void)f; (void)d; (void)now_us;
}

void
detect_flow_classified(struct detect *det, struct flow *f, uint64_t now_us)
{
	(void)det; (void)f; (void)now_us;
}

void
detect_dns_response(struct detect *det, struct flow *f, const uint8_t *msg, uint32_t len, uint64_t now_us)
{
	(void)det; (void)f; (void)msg; (void)len; (void)now_us;
}

void
detect_flow_end(struct detect *det, struct flow *f, uint64_t now_us)
{
	(void)det; (void)f; (void)now_us;
}

void
detect_tick(struct detect *det, uint64_t now_us)
{
	(void)det; (void)now_us;
}
