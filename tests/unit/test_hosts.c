/*
 * test_hosts.c - window and baseline arithmetic: EWMA on known sequences, sketches (against nDPI's own
 * HyperLogLog, from hashes to registers, merges, encoding), window sums over the buckets, what a host's
 * buckets cost, groups and the host cap.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <ndpi/ndpi_api.h>

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

/* The i-th test address: distinct for distinct i, IPv4 or IPv6. */
static void
addr_of(uint32_t i, int ipver, uint8_t *addr)
{
	memset(addr, 0, 16);
	if (ipver == 4) {
		addr[0] = 198;
		addr[1] = (uint8_t)(18 + (i >> 16));
		addr[2] = (uint8_t)(i >> 8);
		addr[3] = (uint8_t)i;
	} else {
		addr[0] = 0x20;
		addr[1] = 0x01;
		addr[2] = 0x0d;
		addr[3] = 0xb8;
		addr[12] = (uint8_t)(i >> 24);
		addr[13] = (uint8_t)(i >> 16);
		addr[14] = (uint8_t)(i >> 8);
		addr[15] = (uint8_t)i;
	}
}

/* nDPI's own HyperLogLog, the sketch's reference: the same registers, the same estimate. */
struct ref {
	struct ndpi_hll h;
	uint8_t regs[SKETCH_REGS];
};

static void
ref_init(struct ref *r)
{
	memset(r->regs, 0, sizeof(r->regs));
	r->h.bits = SKETCH_BITS;
	r->h.size = SKETCH_REGS;
	r->h.registers = r->regs;
}

static void
test_sketch_vs_ndpi(void)
{
	struct sketch s4, s6, sp;
	struct ref r4, r6, rp;
	uint8_t addr[16], regs[SKETCH_REGS];
	uint32_t i, same = 1;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	memset(&sp, 0, sizeof(sp));
	ref_init(&r4);
	ref_init(&r6);
	ref_init(&rp);
	CHECK_EQ(sketch_count(&s4), 0);
	CHECK_EQ(sketch_estimate(&s4), 0);
	for (i = 0; i < 3000; i++) {
		addr_of(i * 7919, 4, addr);
		sketch_add_peer(&s4, addr, 4);
		ndpi_hll_add(&r4.h, (const char *)addr, 4);
		addr_of(i * 104729, 6, addr);
		sketch_add_peer(&s6, addr, 6);
		ndpi_hll_add(&r6.h, (const char *)addr, 16);
		sketch_add_port(&sp, (uint16_t)(i * 37));
		ndpi_hll_add_number(&rp.h, (uint16_t)(i * 37));
		/* At every size, small (hashes) and large (registers): nDPI's registers and estimate. */
		sketch_registers(&s4, regs);
		same &= memcmp(regs, r4.regs, SKETCH_REGS) == 0;
		sketch_registers(&s6, regs);
		same &= memcmp(regs, r6.regs, SKETCH_REGS) == 0;
		sketch_registers(&sp, regs);
		same &= memcmp(regs, rp.regs, SKETCH_REGS) == 0;
		same &= sketch_estimate(&s4) == ndpi_hll_count(&r4.h);
		same &= sketch_estimate(&s6) == ndpi_hll_count(&r6.h);
		same &= sketch_estimate(&sp) == ndpi_hll_count(&rp.h);
		if (i + 1 > SKETCH_EXACT_MAX) {
			/* Past the hashes, the count is nDPI's estimate itself. */
			same &= sketch_count(&s4) == ndpi_hll_count(&r4.h);
			same &= sketch_count(&s6) == ndpi_hll_count(&r6.h);
		}
	}
	CHECK(same);
	CHECK(sketch_is_dense(&s4));
	sketch_clear(&s4);
	sketch_clear(&s6);
	sketch_clear(&sp);
	CHECK_EQ(s4.n, 0);
	CHECK(s4.u.set == NULL);
}

static void
test_sketch_sparse_dense(void)
{
	struct sketch s;
	uint8_t addr[16];
	uint32_t i, grows = 0;
	size_t prev = 0;

	memset(&s, 0, sizeof(s));
	addr_of(1, 4, addr);
	sketch_add_peer(&s, addr, 4);
	sketch_add_peer(&s, addr, 4);	/* the same peer twice counts once */
	CHECK_EQ(s.n, 1);
	CHECK_EQ(sketch_heap_bytes(&s), 0);	/* one or two values live in the sketch itself */
	for (i = 2; i <= SKETCH_EXACT_MAX; i++) {
		addr_of(i, 4, addr);
		sketch_add_peer(&s, addr, 4);
		sketch_add_peer(&s, addr, 4);
		CHECK_EQ(s.n, i);
		if (sketch_heap_bytes(&s) != prev)
			grows++;
		prev = sketch_heap_bytes(&s);
	}
	/* Held exactly, sorted, in room that doubled: 4, 8, 16, 32 hashes, never more than twice the registers. */
	CHECK(!sketch_is_dense(&s));
	CHECK_EQ(grows, 4);
	CHECK_EQ(sketch_heap_bytes(&s), 4 * SKETCH_EXACT_MAX);
	CHECK(sketch_heap_bytes(&s) <= 2 * SKETCH_REGS);
	for (i = 1; i < s.n; i++)
		CHECK(s.u.set[i - 1] < s.u.set[i]);
	/* A value already held leaves it as it is; one more turns it into registers. */
	addr_of(5, 4, addr);
	sketch_add_peer(&s, addr, 4);
	CHECK(!sketch_is_dense(&s));
	addr_of(SKETCH_EXACT_MAX + 1, 4, addr);
	sketch_add_peer(&s, addr, 4);
	CHECK(sketch_is_dense(&s));
	CHECK_EQ(sketch_heap_bytes(&s), SKETCH_REGS);
	sketch_clear(&s);
}

/* Registers of the union of values [a0, a1) and [b0, b1), from nDPI. */
static void
ref_union(uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1, struct ref *r)
{
	uint8_t addr[16];
	uint32_t i;

	ref_init(r);
	for (i = a0; i < a1; i++) {
		addr_of(i, 4, addr);
		ndpi_hll_add(&r->h, (const char *)addr, 4);
	}
	for (i = b0; i < b1; i++) {
		addr_of(i, 4, addr);
		ndpi_hll_add(&r->h, (const char *)addr, 4);
	}
}

static void
fill(struct sketch *s, uint32_t from, uint32_t to)
{
	uint8_t addr[16];
	uint32_t i;

	memset(s, 0, sizeof(*s));
	for (i = from; i < to; i++) {
		addr_of(i, 4, addr);
		sketch_add_peer(s, addr, 4);
	}
}

/* dst = [a0, a1) merged with [b0, b1), both ways round: the union's registers, its exact count if small. */
static void
check_merge(uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1, uint32_t distinct)
{
	struct sketch x, y, x2, y2;
	struct ref r;
	uint8_t rx[SKETCH_REGS], ry[SKETCH_REGS];

	fill(&x, a0, a1);
	fill(&y, b0, b1);
	sketch_copy(&x2, &x);
	sketch_copy(&y2, &y);
	sketch_merge(&x, &y2);
	sketch_merge(&y, &x2);
	ref_union(a0, a1, b0, b1, &r);
	sketch_registers(&x, rx);
	sketch_registers(&y, ry);
	CHECK(memcmp(rx, r.regs, SKETCH_REGS) == 0);
	CHECK(memcmp(ry, r.regs, SKETCH_REGS) == 0);
	CHECK_EQ(sketch_is_dense(&x), distinct > SKETCH_EXACT_MAX);
	CHECK_EQ(sketch_is_dense(&y), distinct > SKETCH_EXACT_MAX);
	if (distinct <= SKETCH_EXACT_MAX) {
		CHECK_EQ(x.n, distinct);
		CHECK_EQ(y.n, distinct);
	} else {
		CHECK(sketch_count(&x) == ndpi_hll_count(&r.h));
		CHECK(sketch_count(&y) == ndpi_hll_count(&r.h));
	}
	/* Merging a sketch into itself, or an empty one, changes nothing. */
	sketch_merge(&x, &x);
	sketch_registers(&x, rx);
	CHECK(memcmp(rx, r.regs, SKETCH_REGS) == 0);
	sketch_clear(&x2);
	sketch_merge(&x, &x2);
	sketch_registers(&x, rx);
	CHECK(memcmp(rx, r.regs, SKETCH_REGS) == 0);
	sketch_clear(&x);
	sketch_clear(&y);
	sketch_clear(&y2);
}

static void
test_sketch_merge(void)
{
	check_merge(0, 1, 0, 1, 1);		/* the same one value, inline both */
	check_merge(0, 2, 2, 4, 4);		/* inline + inline: held on the heap */
	check_merge(0, 10, 5, 20, 20);		/* overlapping small sets */
	check_merge(0, 20, 20, 32, 32);		/* exactly the most hashes held */
	check_merge(0, 20, 20, 33, 33);		/* one too many: registers */
	check_merge(0, 30, 10, 40, 40);		/* two small sets whose union is not small */
	check_merge(0, 10, 0, 200, 200);	/* small into large and large into small */
	check_merge(0, 100, 50, 300, 300);	/* large and large */
	check_merge(0, 0, 0, 5, 5);		/* empty and small */
	check_merge(0, 0, 0, 100, 100);		/* empty and large */
}

static void
test_sketch_counts(void)
{
	struct sketch s;
	struct ref r;
	uint8_t addr[16];
	uint32_t i, n, exact = 1;
	double worst = 0;

	/*
	 * Below the registers the count is exact where the estimate is not: nDPI's linear counting over 64
	 * registers gives 64 ln(64 / empty registers), 11 for 10 values that fall in 10 registers.
	 */
	for (n = 1; n <= SKETCH_EXACT_MAX; n++) {
		fill(&s, 1000 * n, 1000 * n + n);
		ref_init(&r);
		for (i = 0; i < n; i++) {
			addr_of(1000 * n + i, 4, addr);
			ndpi_hll_add(&r.h, (const char *)addr, 4);
		}
		exact &= sketch_count(&s) == n;
		exact &= sketch_estimate(&s) == ndpi_hll_count(&r.h);
		if (fabs(ndpi_hll_count(&r.h) - n) > worst)
			worst = fabs(ndpi_hll_count(&r.h) - n);
		sketch_clear(&s);
	}
	CHECK(exact);
	CHECK(worst > 0.5);		/* the estimate alone would have been off by a whole value or more */
	/* 101 distinct with 64 registers: within 25%. */
	fill(&s, 0, 101);
	NEAR(sketch_count(&s), 101, 25);
	sketch_clear(&s);
}

static void
test_sketch_encoding(void)
{
	uint8_t buf[SKETCH_ENCODED_MAX], bad[1 + 4 * (SKETCH_EXACT_MAX + 1)], ra[SKETCH_REGS], rb[SKETCH_REGS];
	struct sketch s, t;
	uint32_t sizes[] = { 0, 1, 2, 3, 17, SKETCH_EXACT_MAX, SKETCH_EXACT_MAX + 1, 500 }, k;
	size_t len;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		fill(&s, 7, 7 + sizes[k]);
		len = sketch_encode(&s, buf, sizeof(buf));
		CHECK_EQ(len, sketch_is_dense(&s) ? 1 + SKETCH_REGS : 1 + 4 * sizes[k]);
		CHECK_EQ(sketch_encode(&s, buf, len - 1), 0);
		CHECK_EQ(sketch_decode(&t, buf, len), 0);
		CHECK_EQ(t.n, s.n);
		CHECK(sketch_count(&t) == sketch_count(&s));
		sketch_registers(&s, ra);
		sketch_registers(&t, rb);
		CHECK(memcmp(ra, rb, SKETCH_REGS) == 0);
		/* A truncated or padded encoding is refused. */
		sketch_clear(&t);
		CHECK_EQ(sketch_decode(&t, buf, len - 1), -1);
		CHECK_EQ(sketch_decode(&t, buf, len + 1), -1);
		CHECK_EQ(t.n, 0);
		if (s.n >= 2 && !sketch_is_dense(&s)) {
			/* Hashes out of order or twice are no sketch's encoding. */
			memcpy(bad, buf, len);
			memcpy(bad + 1, buf + 5, 4);
			memcpy(bad + 5, buf + 1, 4);
			CHECK_EQ(sketch_decode(&t, bad, len), -1);
			memcpy(bad + 1, buf + 5, 4);
			memcpy(bad + 5, buf + 5, 4);
			CHECK_EQ(sketch_decode(&t, bad, len), -1);
		}
		sketch_clear(&s);
	}
	/* A register above the largest rank, or more hashes than are ever held. */
	memset(bad, 0, sizeof(bad));
	bad[0] = SKETCH_DENSE;
	bad[5] = 28;
	CHECK_EQ(sketch_decode(&t, bad, 1 + SKETCH_REGS), -1);
	bad[0] = SKETCH_EXACT_MAX + 1;
	CHECK_EQ(sketch_decode(&t, bad, 1 + 4 * (SKETCH_EXACT_MAX + 1)), -1);
	CHECK_EQ(sketch_decode(&t, bad, 0), -1);
	CHECK_EQ(sketch_encoded_len(0), 1);
	CHECK_EQ(sketch_encoded_len(SKETCH_EXACT_MAX), SKETCH_ENCODED_MAX);
	CHECK_EQ(sketch_encoded_len(SKETCH_EXACT_MAX + 1), 0);
	CHECK_EQ(sketch_encoded_len(SKETCH_DENSE), 1 + SKETCH_REGS);
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

/* Peers [from, to) accepted in the host's open bucket. */
static void
accept_peers(struct hosts *h, struct host *hs, uint32_t from, uint32_t to)
{
	uint8_t addr[16];
	uint32_t i;

	for (i = from; i < to; i++) {
		struct bucket *b = host_bucket(h, hs);

		addr_of(i, 4, addr);
		sketch_add_peer(&b->peers_in, addr, 4);
		b->flows_acc_out++;
	}
}

static void
test_window_sketches(void)
{
	struct hosts_cfg cfg = { .max_hosts = 10, .window = 3, .group_v4_bits = 24, .group_v6_bits = 64,
				 .alpha = 0.5 };
	struct hosts *h = hosts_new(&cfg);
	uint8_t a[16] = { 10, 0, 0, 1 };
	bool created;
	struct host *hs = hosts_get(h, 4, a, 0, 0, &created);
	struct seen s = { 0 };
	struct window w;
	struct ref r;

	/* Peers 0-9, 5-14, 10-19 in three buckets: the window counts 20 distinct, exactly. */
	accept_peers(h, hs, 0, 10);
	hosts_close_bucket(h, on_close, &s);
	/* The bucket's baseline value is its exact count, where nDPI's estimate of these ten is 11. */
	NEAR(hs->bl[HM_PEERS_IN].mean, 10, 1e-9);
	CHECK_EQ(s.last.peers_in, 10);
	ref_union(0, 10, 0, 0, &r);
	CHECK_EQ((uint32_t)(ndpi_hll_count(&r.h) + 0.5), 11);
	accept_peers(h, hs, 5, 15);
	hosts_close_bucket(h, on_close, &s);
	accept_peers(h, hs, 10, 20);
	host_window_open(h, hs, &w);
	CHECK_EQ(w.peers_in, 20);
	CHECK_EQ(w.buckets, 3);
	CHECK_EQ(w.flows_acc_out, 30);
	hosts_close_bucket(h, on_close, &s);
	CHECK_EQ(s.last.peers_in, 20);
	/* 30 more, 20-49: a window of 40 distinct (10-49) is past the hashes: nDPI's estimate of its registers. */
	accept_peers(h, hs, 20, 50);
	hosts_close_bucket(h, on_close, &s);
	ref_union(5, 50, 0, 0, &r);
	CHECK_EQ(s.last.peers_in, (uint32_t)(ndpi_hll_count(&r.h) + 0.5));
	host_window(h, hs, &w);
	CHECK_EQ(w.peers_in, s.last.peers_in);
	hosts_free(h);
}

static void
test_bucket_merge(void)
{
	struct bucket x, y;
	uint8_t addr[16];
	uint32_t i;

	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	x.bno = 7;
	x.bytes_out = 100;
	x.flows_acc_out = 2;
	y.bytes_out = 50;
	y.pkts_in = 3;
	y.flows_acc_out = 1;
	for (i = 0; i < 10; i++) {
		addr_of(i, 4, addr);
		sketch_add_peer(&x.peers_in, addr, 4);
		addr_of(i + 5, 4, addr);
		sketch_add_peer(&y.peers_in, addr, 4);
		sketch_add_port(&y.ports_in, (uint16_t)(4000 + i));
	}
	bucket_merge(&x, &y);
	CHECK_EQ(x.bno, 7);
	CHECK_EQ(x.bytes_out, 150);
	CHECK_EQ(x.pkts_in, 3);
	CHECK_EQ(x.flows_acc_out, 3);
	/* A peer seen in both parts counts once. */
	CHECK_EQ(sketch_count(&x.peers_in), 15);
	CHECK_EQ(sketch_count(&x.ports_in), 10);
	bucket_clear(&x);
	bucket_clear(&y);
	CHECK_EQ(x.bno, 7);
	CHECK_EQ(x.bytes_out, 0);
	CHECK_EQ(x.peers_in.n, 0);
}

static void
test_bucket_encoding(void)
{
	uint8_t buf[BUCKET_ENCODED_MAX + 8], addr[16], ra[SKETCH_REGS], rb[SKETCH_REGS];
	struct bucket x, y;
	size_t len, k;
	uint32_t i;

	memset(&x, 0, sizeof(x));
	x.bno = 0x0102030405060708ull;
	x.bytes_in = 1;
	x.bytes_out = 1ull << 40;
	x.bytes_srv_out = 3;
	x.bytes_srv_in = 4;
	x.pkts_in = 5;
	x.pkts_out = 0xfffffffeu;
	x.flows_init = 7;
	x.flows_acc = 8;
	x.flows_acc_out = 9;
	x.tls_in = 10;
	x.unknown_in = 11;
	/* One sketch of each form: two hashes inline, twenty on the heap, registers. */
	for (i = 0; i < 100; i++) {
		addr_of(i, 4, addr);
		if (i < 2)
			sketch_add_peer(&x.peers_in, addr, 4);
		if (i < 20)
			sketch_add_port(&x.ports_in, (uint16_t)i);
		sketch_add_peer(&x.peers_out, addr, 4);
	}
	len = bucket_encode(&x, buf, sizeof(buf));
	CHECK_EQ(len, 8 + 32 + 28 + (1 + 2 * 4) + (1 + SKETCH_REGS) + (1 + 20 * 4));
	CHECK(len <= BUCKET_ENCODED_MAX);
	CHECK_EQ(bucket_encode(&x, buf, len - 1), 0);
	CHECK_EQ(bucket_decode(&y, buf, len), 0);
	CHECK_EQ(y.bno, x.bno);
	CHECK_EQ(y.bytes_out, x.bytes_out);
	CHECK_EQ(y.bytes_srv_in, 4);
	CHECK_EQ(y.pkts_out, 0xfffffffeu);
	CHECK_EQ(y.unknown_in, 11);
	CHECK_EQ(y.peers_in.n, 2);
	CHECK_EQ(y.ports_in.n, 20);
	CHECK(sketch_is_dense(&y.peers_out));
	sketch_registers(&x.peers_out, ra);
	sketch_registers(&y.peers_out, rb);
	CHECK(memcmp(ra, rb, SKETCH_REGS) == 0);
	bucket_clear(&y);
	/* Every cut short, and one byte too many, is refused and leaves an empty bucket. */
	for (k = 0; k < len; k++)
		CHECK_EQ(bucket_decode(&y, buf, k), -1);
	CHECK_EQ(bucket_decode(&y, buf, len + 1), -1);
	CHECK_EQ(y.bytes_out, 0);
	CHECK_EQ(y.peers_in.n, 0);
	bucket_clear(&x);
}

/* A host costs what it did: one bucket while it is in the window, none once idle; never more than the window. */
static void
test_bucket_memory(void)
{
	struct hosts_cfg cfg = { .max_hosts = 10, .window = 5, .group_v4_bits = 24, .group_v6_bits = 64,
				 .alpha = 0.05 };
	struct hosts *h = hosts_new(&cfg);
	uint8_t a[16] = { 10, 0, 0, 1 }, b[16] = { 10, 0, 0, 2 }, addr[16];
	bool created;
	struct host *once = hosts_get(h, 4, a, 0, 0, &created), *busy = hosts_get(h, 4, b, 0, 0, &created);
	uint32_t i, k, most = 0;

	CHECK_EQ(host_bucket_bytes(once), 0);
	CHECK(once->bk == NULL);
	/* One query: one bucket with one peer, held inline. */
	addr_of(1, 4, addr);
	sketch_add_peer(&host_bucket(h, once)->peers_out, addr, 4);
	host_bucket(h, once)->flows_init++;
	CHECK_EQ(once->nbk, 1);
	CHECK_EQ(host_bucket_bytes(once), sizeof(struct bucket));
	for (k = 0; k < 40; k++) {
		struct bucket *bk;

		hosts_get(h, 4, b, 0, k, &created);
		bk = host_bucket(h, busy);
		for (i = 0; i < 100; i++) {
			addr_of(k * 100 + i, 4, addr);
			sketch_add_peer(&bk->peers_in, addr, 4);
			sketch_add_peer(&bk->peers_out, addr, 4);
			sketch_add_port(&bk->ports_in, (uint16_t)(1000 + i));
		}
		if (busy->nbk > most)
			most = busy->nbk;
		hosts_close_bucket(h, NULL, NULL);
		if (k == cfg.window - 1) {
			/* The once-seen host's bucket is still in its window... */
			CHECK_EQ(once->nbk, 1);
		}
	}
	/* ...and gone once the window moved past it; the busy host holds the open bucket and the window's. */
	CHECK_EQ(once->nbk, 0);
	CHECK(once->bk == NULL);
	CHECK_EQ(host_bucket_bytes(once), 0);
	CHECK_EQ(most, cfg.window + 1);
	CHECK(busy->capbk <= cfg.window + 1);
	CHECK(host_bucket_bytes(busy) <= (cfg.window + 1) * (sizeof(struct bucket) + 3 * SKETCH_REGS));
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
	test_sketch_vs_ndpi();
	test_sketch_sparse_dense();
	test_sketch_merge();
	test_sketch_counts();
	test_sketch_encoding();
	test_bucket_merge();
	test_bucket_encoding();
	test_window();
	test_window_sketches();
	test_bucket_memory();
	test_cap_and_groups();
	return check_done("test_hosts");
}
