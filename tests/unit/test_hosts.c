/*
 * test_hosts.c - window and baseline arithmetic: EWMA on known sequences, sketch counts, window sums over
 * the bucket ring, groups and the host cap.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "hosts.h"

#define NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))

static void
test_ewma(void)
{
	struct ewma e = { 0, 0, 0 };
	int i;

	/* The first value sets the mean; a constant sequence has no deviation. */
	for (i = 0; i < 5; i++)
		ewma_update(&e, 10, 0.5);
	NEAR(e.mean, 10, 1e-9);
	NEAR(ewma_sd(&e), 0, 1e-9);
	CHECK_EQ(e.n, 5);

	/* 0 then 10 with alpha 0.5: mean 5, variance 0.5 * (0 + 10 * 5) = 25, deviation 5. */
	memset(&e, 0, sizeof(e));
	ewma_update(&e, 0, 0.5);
	ewma_update(&e, 10, 0.5);
	NEAR(e.mean, 5, 1e-9);
	NEAR(e.var, 25, 1e-9);
	NEAR(ewma_sd(&e), 5, 1e-9);

	/* Then 5 again: diff 0, mean stays, variance decays by (1 - alpha). */
	ewma_update(&e, 5, 0.5);
	NEAR(e.mean, 5, 1e-9);
	NEAR(e.var, 12.5, 1e-9);

	/* A long alternating 0/100 sequence with alpha 0.05 settles near mean 50, deviation near 50. */
	memset(&e, 0, sizeof(e));
	for (i = 0; i < 2000; i++)
		ewma_update(&e, (i & 1) ? 100 : 0, 0.05);
	NEAR(e.mean, 50, 3);
	NEAR(ewma_sd(&e), 50, 3);
}

static void
test_sketch(void)
{
	uint8_t regs[HOST_HLL_SIZE], other[HOST_HLL_SIZE];
	uint8_t addr[16] = { 0 };
	int i;

	memset(regs, 0, sizeof(regs));
	NEAR(sketch_count(regs), 0, 0.01);
	addr[0] = 198;
	bucket_add_peer(regs, addr, 4);
	bucket_add_peer(regs, addr, 4);	/* the same peer twice counts once */
	NEAR(sketch_count(regs), 1, 0.2);
	for (i = 0; i < 100; i++) {
		addr[3] = (uint8_t)i;
		addr[2] = (uint8_t)(i * 7);
		bucket_add_peer(regs, addr, 4);
	}
	/* 101 distinct with 64 registers: within 25%. */
	NEAR(sketch_count(regs), 101, 25);
	/* Merging a sketch of the same peers changes nothing; of new ones, adds them. */
	memcpy(other, regs, sizeof(other));
	sketch_merge(regs, other);
	NEAR(sketch_count(regs), sketch_count(other), 0.01);
	memset(other, 0, sizeof(other));
	for (i = 0; i < 100; i++) {
		addr[1] = 1;
		addr[3] = (uint8_t)i;
		bucket_add_peer(other, addr, 4);
	}
	sketch_merge(regs, other);
	NEAR(sketch_count(regs), 201, 50);
}

/* Windows: the last `window` closed buckets, summed; older buckets fall out. */
struct seen {
	int calls;
	struct window last;
};

static void
on_close(void *arg, struct host *hs, const struct window *w, const struct bucket *b)
{
	struct seen *s = arg;

	(void)hs;
	(void)b;
	s->calls++;
	s->last = *w;
}

static void
test_window(void)
{
	struct hosts_cfg cfg = { .max_hosts = 10, .window = 3, .group_v4_bits = 24, .group_v6_bits = 64,
				 .alpha = 0.5 };
	struct hosts *h = hosts_new(&cfg);
	uint8_t a[16] = { 10, 0, 0, 1 };
	bool created;
	struct host *hs = hosts_get(h, 4, a, 0, 0, &created);
	struct seen s = { 0 };
	int i;

	CHECK(created);
	/* Buckets sending 100, 200, 300, 400 bytes. */
	for (i = 1; i <= 4; i++) {
		host_bucket(h, hs)->bytes_out = (uint64_t)i * 100;
		host_bucket(h, hs)->flows_acc_out = (uint32_t)i;
		hosts_close_bucket(h, on_close, &s);
	}
	CHECK_EQ(s.calls, 4);
	CHECK_EQ(s.last.buckets, 3);
	CHECK_EQ(s.last.bytes_out, 200 + 300 + 400);
	CHECK_EQ(s.last.flows_acc_out, 2 + 3 + 4);
	/* Baseline of bytes_out fed 100, 200, 300, 400 with alpha 0.5: mean 312.5. */
	NEAR(hs->bl[HM_BYTES_OUT].mean, 312.5, 1e-9);
	CHECK_EQ(hs->bl[HM_BYTES_OUT].n, 4);
	/* The group baseline of a lone host equals its own. */
	NEAR(host_group(h, hs)->bl[HM_BYTES_OUT].mean, 312.5, 1e-9);
	/* A host idle for a whole window is no longer judged at each bucket... */
	for (i = 0; i < 5; i++)
		hosts_close_bucket(h, on_close, &s);
	CHECK_EQ(s.calls, 5);
	/* ...and when next seen, the empty buckets it missed have aged its window out and its baseline down. */
	{
		struct window w;
		double before = hs->bl[HM_BYTES_OUT].mean;

		host_bucket(h, hs);
		host_window(h, hs, &w);
		CHECK_EQ(w.bytes_out, 0);
		CHECK_EQ(w.buckets, 3);
		CHECK(hs->bl[HM_BYTES_OUT].mean < before / 8);
	}
	hosts_free(h);
}

static void
test_cap_and_groups(void)
{
	struct hosts_cfg cfg = { .max_hosts = 3, .window = 2, .group_v4_bits = 24, .group_v6_bits = 64,
				 .alpha = 0.5 };
	struct hosts *h = hosts_new(&cfg);
	uint8_t a[16] = { 10, 0, 0, 1 }, b[16] = { 10, 0, 0, 2 }, c[16] = { 10, 0, 1, 3 }, d[16] = { 10, 0, 2, 4 };
	bool created;
	struct host *ha, *hb, *hc;

	ha = hosts_get(h, 4, a, 0, 1, &created);
	hb = hosts_get(h, 4, b, 0, 2, &created);
	hc = hosts_get(h, 4, c, 0, 3, &created);
	CHECK(host_group(h, ha) == host_group(h, hb));
	CHECK(host_group(h, ha) != host_group(h, hc));
	/* The same address in another zone is another host. */
	CHECK(hosts_find(h, 4, a, 7) == NULL);
	hosts_get(h, 4, a, 0, 4, &created);	/* a seen again: b is now the least recent */
	hosts_get(h, 4, d, 0, 5, &created);
	CHECK_EQ(hosts_count(h), 3);
	CHECK_EQ(hosts_dropped(h), 1);
	CHECK(hosts_find(h, 4, b, 0) == NULL);
	CHECK(hosts_find(h, 4, a, 0) != NULL);
	hosts_free(h);
}

int
main(void)
{
	test_ewma();
	test_sketch();
	test_window();
	test_cap_and_groups();
	return check_done("test_hosts");
}
