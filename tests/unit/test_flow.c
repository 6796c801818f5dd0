/*
 * test_flow.c - the flow table: direction normalization, initiator, timeouts, active cut, cap and eviction,
 * the touch clock and the walk over flows touched since a clock value (a sharded run's bucket ends); and
 * the fragment table, which ties later fragments to their flow.
 */
#include "config.h"

#include <stdlib.h>

#include "check.h"
#include "flow.h"
#include "frag.h"

#define SEC 1000000ull	/* a second of packet time, in microseconds */

struct ended {
	int n;
	enum flow_end why[64];
	uint32_t pkts0[64], pkts1[64];
	uint16_t sport[64];
};

static void
on_end(void *arg, struct flow *f, enum flow_end why)
{
	struct ended *e = arg;

	if (e->n < 64) {
		e->why[e->n] = why;
		e->pkts0[e->n] = f->rec.pkts[0];
		e->pkts1[e->n] = f->rec.pkts[1];
		e->sport[e->n] = flow_src_port(&f->rec);
	}
	e->n++;
}

static struct flow_table_cfg
cfg(uint32_t max)
{
	struct flow_table_cfg c = { .max_flows = max, .active_timeout_s = 0, .seed = 12345 };

	c.timeout_s[FT_TCP_NEW] = 30;
	c.timeout_s[FT_TCP_EST] = 600;
	c.timeout_s[FT_TCP_CLOSED] = 10;
	c.timeout_s[FT_UDP] = 120;
	c.timeout_s[FT_ICMP] = 60;
	c.timeout_s[FT_OTHER] = 60;
	return c;
}

/* A decoded TCP or UDP packet between 10.0.0.x:sp and 10.0.0.y:dp. */
static struct decoded
pkt(uint8_t proto, uint8_t x, uint16_t sp, uint8_t y, uint16_t dp, uint8_t flags, uint32_t len)
{
	struct decoded d;

	memset(&d, 0, sizeof(d));
	d.ipver = 4;
	d.proto = proto;
	d.src[0] = 10; d.src[3] = x;
	d.dst[0] = 10; d.dst[3] = y;
	d.sport = sp;
	d.dport = dp;
	d.tcp_flags = flags;
	d.wirelen = len;
	return d;
}

/* Both directions land in one flow; the SYN sender is the initiator; bytes are counted per direction. */
static void
test_direction(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded syn = pkt(6, 9, 50000, 1, 443, TH_SYN, 60);
	struct decoded synack = pkt(6, 1, 443, 9, 50000, TH_SYN | TH_ACK, 60);
	struct decoded data = pkt(6, 1, 443, 9, 50000, TH_ACK, 1500);
	struct flow *f1, *f2, *f3;
	int dir;
	bool created;

	f1 = flow_table_packet(t, &syn, 1 * SEC, &dir, &created);
	CHECK(created);
	CHECK_EQ(dir, 0);
	f2 = flow_table_packet(t, &synack, 1 * SEC, &dir, &created);
	CHECK(!created);
	CHECK(f1 == f2);
	CHECK_EQ(dir, 1);
	f3 = flow_table_packet(t, &data, 2 * SEC, &dir, &created);
	CHECK(f3 == f1);
	CHECK_EQ(f1->rec.pkts[0], 1);
	CHECK_EQ(f1->rec.pkts[1], 2);
	CHECK_EQ(f1->rec.bytes[1], 1560);
	CHECK_EQ(flow_src_port(&f1->rec), 50000);
	CHECK_EQ(flow_dst_port(&f1->rec), 443);
	CHECK_EQ(flow_src_addr(&f1->rec)[3], 9);
	CHECK_EQ(flow_state(&f1->rec), FS_ESTABLISHED);
	flow_table_free(t);
	CHECK_EQ(e.n, 1);
	CHECK_EQ(e.why[0], FE_SHUTDOWN);
}

/* Joined midway: the first packet seen is the SYN-ACK, so the initiator is its receiver. */
static void
test_initiator_from_synack(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded synack = pkt(6, 1, 443, 9, 50000, TH_SYN | TH_ACK, 60);
	struct flow *f;
	int dir;
	bool created;

	f = flow_table_packet(t, &synack, 1 * SEC, &dir, &created);
	CHECK_EQ(dir, 1);
	CHECK_EQ(flow_src_port(&f->rec), 50000);
	flow_table_free(t);
}

/* A data packet first, then a SYN from the other side: the SYN sender becomes the initiator. */
static void
test_initiator_fixed_by_syn(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded data = pkt(6, 1, 8443, 9, 50000, TH_ACK, 100);
	struct decoded syn = pkt(6, 9, 50000, 1, 8443, TH_SYN, 60);
	struct flow *f;
	int dir;
	bool created;

	f = flow_table_packet(t, &data, 1 * SEC, &dir, &created);
	CHECK_EQ(flow_src_port(&f->rec), 8443);
	f = flow_table_packet(t, &syn, 2 * SEC, &dir, &created);
	CHECK_EQ(flow_src_port(&f->rec), 50000);
	CHECK_EQ(dir, 0);
	CHECK_EQ(f->rec.pkts[0], 1);
	CHECK_EQ(f->rec.pkts[1], 1);
	CHECK_EQ(f->rec.bytes[1], 100);
	/* The caller is told, so what it attributed per direction can follow. */
	CHECK_EQ(f->swapped, 1);
	flow_table_free(t);
}

/* No handshake seen: a packet from a well-known port to an ephemeral one is the server's answer. */
static void
test_initiator_from_ports(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded answer = pkt(17, 1, 53, 9, 40000, 0, 120);
	struct flow *f;
	int dir;
	bool created;

	f = flow_table_packet(t, &answer, 1 * SEC, &dir, &created);
	CHECK_EQ(dir, 1);
	CHECK_EQ(flow_src_port(&f->rec), 40000);
	CHECK_EQ(flow_dst_port(&f->rec), 53);
	flow_table_free(t);
}

/* Idle timeouts by class: a closed TCP flow goes after 10 s, UDP after 120 s, established TCP after 600 s. */
static void
test_timeouts(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded a = pkt(6, 1, 1000, 2, 80, TH_SYN, 60);
	struct decoded b = pkt(6, 2, 80, 1, 1000, TH_SYN | TH_ACK, 60);
	struct decoded fin1 = pkt(6, 1, 1000, 2, 80, TH_FIN | TH_ACK, 60);
	struct decoded fin2 = pkt(6, 2, 80, 1, 1000, TH_FIN | TH_ACK, 60);
	struct decoded u = pkt(17, 3, 5000, 4, 53, 0, 80);
	struct decoded est1 = pkt(6, 5, 2000, 6, 22, TH_SYN, 60);
	struct decoded est2 = pkt(6, 6, 22, 5, 2000, TH_SYN | TH_ACK, 60);
	int dir;
	bool created;

	flow_table_packet(t, &a, 0, &dir, &created);
	flow_table_packet(t, &b, 0, &dir, &created);
	flow_table_packet(t, &fin1, 1 * SEC, &dir, &created);
	flow_table_packet(t, &fin2, 1 * SEC, &dir, &created);
	flow_table_packet(t, &u, 1 * SEC, &dir, &created);
	flow_table_packet(t, &est1, 1 * SEC, &dir, &created);
	flow_table_packet(t, &est2, 1 * SEC, &dir, &created);
	flow_table_expire(t, 10 * SEC);
	CHECK_EQ(e.n, 0);
	flow_table_expire(t, 11 * SEC);
	CHECK_EQ(e.n, 1);
	CHECK_EQ(e.sport[0], 1000);
	CHECK_EQ(flow_table_stats(t)->closed_early, 1);
	flow_table_expire(t, 121 * SEC);
	CHECK_EQ(e.n, 2);
	CHECK_EQ(e.sport[1], 5000);
	flow_table_expire(t, 600 * SEC);
	CHECK_EQ(e.n, 2);
	flow_table_expire(t, 601 * SEC);
	CHECK_EQ(e.n, 3);
	CHECK_EQ(e.why[2], FE_TIMEOUT);
	CHECK_EQ(flow_table_stats(t)->expired, 3);
	CHECK_EQ(flow_table_stats(t)->active, 0);
	flow_table_free(t);
}

/* A RST closes a flow early too. */
static void
test_rst(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded a = pkt(6, 1, 1000, 2, 80, TH_SYN, 60);
	struct decoded r = pkt(6, 2, 80, 1, 1000, TH_RST | TH_ACK, 60);
	int dir;
	bool created;

	flow_table_packet(t, &a, 0, &dir, &created);
	flow_table_packet(t, &r, 0, &dir, &created);
	flow_table_expire(t, 11 * SEC);
	CHECK_EQ(e.n, 1);
	flow_table_free(t);
}

/* Active timeout: a busy flow is reported every active_timeout seconds and goes on as one flow. */
static void
test_active_timeout(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t;
	struct decoded u = pkt(17, 1, 40000, 2, 9000, 0, 100);
	int dir, i;
	bool created;

	c.active_timeout_s = 60;
	t = flow_table_new(&c, on_end, &e);
	for (i = 0; i <= 150; i++)
		flow_table_packet(t, &u, (uint64_t)i * SEC, &dir, &created);
	CHECK_EQ(e.n, 2);
	CHECK_EQ(e.why[0], FE_ACTIVE);
	CHECK_EQ(e.pkts0[0], 60);
	CHECK_EQ(flow_table_stats(t)->created, 1);
	CHECK_EQ(flow_table_stats(t)->active_cut, 2);
	flow_table_free(t);
	CHECK_EQ(e.n, 3);
	CHECK_EQ(e.pkts0[2], 31);
}

/* The cap: with room for 3 flows, a 4th evicts the one idle longest, whatever its class. */
static void
test_cap_eviction(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(3);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded a = pkt(17, 1, 1001, 2, 53, 0, 80);
	struct decoded b = pkt(6, 1, 1002, 2, 80, TH_SYN, 60);
	struct decoded cc = pkt(17, 1, 1003, 2, 53, 0, 80);
	struct decoded d = pkt(17, 1, 1004, 2, 53, 0, 80);
	int dir;
	bool created;

	flow_table_packet(t, &a, 1 * SEC, &dir, &created);
	flow_table_packet(t, &b, 2 * SEC, &dir, &created);
	flow_table_packet(t, &cc, 3 * SEC, &dir, &created);
	flow_table_packet(t, &a, 4 * SEC, &dir, &created);	/* a is fresh again: b is now the stalest */
	flow_table_packet(t, &d, 5 * SEC, &dir, &created);
	CHECK_EQ(e.n, 1);
	CHECK_EQ(e.why[0], FE_EVICTED);
	CHECK_EQ(e.sport[0], 1002);
	CHECK_EQ(flow_table_stats(t)->evicted, 1);
	CHECK_EQ(flow_table_stats(t)->active, 3);
	flow_table_free(t);
	CHECK_EQ(e.n, 4);
}

/* Many flows: the table grows its buckets and still finds every flow; the cap holds. */
static void
test_many(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(20000);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	int dir, i;
	bool created;

	for (i = 0; i < 30000; i++) {
		struct decoded u = pkt(17, (uint8_t)(i & 0xff), (uint16_t)(i >> 8), 200, 53, 0, 80);

		flow_table_packet(t, &u, (uint64_t)i, &dir, &created);
		CHECK(created);
	}
	CHECK_EQ(flow_table_stats(t)->active, 20000);
	CHECK_EQ(flow_table_stats(t)->evicted, 10000);
	for (i = 29000; i < 30000; i++) {
		struct decoded u = pkt(17, (uint8_t)(i & 0xff), (uint16_t)(i >> 8), 200, 53, 0, 80);

		flow_table_packet(t, &u, 40000, &dir, &created);
		CHECK(!created);
	}
	flow_table_free(t);
}

/* VLAN and VNI are part of the key: the same 5-tuple in two VLANs is two flows. */
static void
test_vlan_in_key(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded a = pkt(17, 1, 1000, 2, 53, 0, 80);
	struct decoded b = a;
	struct flow *f1, *f2;
	int dir;
	bool created;

	a.vlan_depth = 1;
	a.vlan[0] = 10;
	b.vlan_depth = 1;
	b.vlan[0] = 20;
	f1 = flow_table_packet(t, &a, 0, &dir, &created);
	f2 = flow_table_packet(t, &b, 0, &dir, &created);
	CHECK(f1 != f2);
	b.tunnel = TUNNEL_VXLAN;
	b.vni = 7;
	f1 = flow_table_packet(t, &b, 0, &dir, &created);
	CHECK(created);
	CHECK(f1 != f2);
	CHECK_EQ(flow_table_stats(t)->active, 3);
	flow_table_free(t);
}

struct walk {
	int n;
	uint16_t sport[16];
	uint64_t touch[16];
};

static void
on_walk(void *arg, struct flow *f)
{
	struct walk *w = arg;

	if (w->n < 16) {
		w->sport[w->n] = flow_src_port(&f->rec);
		w->touch[w->n] = f->touch;
	}
	w->n++;
}

/*
 * Flows carry the clock of their last packet; the walks go class by class, oldest touch first, and
 * foreach_since visits exactly the flows touched at or after its clock value.
 */
static void
test_touch_order(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded u1 = pkt(17, 1, 1001, 2, 53, 0, 80);
	struct decoded u2 = pkt(17, 1, 1002, 2, 53, 0, 80);
	struct decoded u3 = pkt(17, 1, 1003, 2, 53, 0, 80);
	struct decoded tcp = pkt(6, 1, 1004, 2, 80, TH_SYN, 60);
	struct walk w;
	int dir;
	bool created;

	flow_table_clock(t, 10);
	flow_table_packet(t, &u1, 1 * SEC, &dir, &created);
	flow_table_clock(t, 11);
	flow_table_packet(t, &u2, 1 * SEC, &dir, &created);
	flow_table_clock(t, 12);
	flow_table_packet(t, &tcp, 1 * SEC, &dir, &created);
	flow_table_clock(t, 13);
	flow_table_packet(t, &u3, 1 * SEC, &dir, &created);
	flow_table_clock(t, 14);
	flow_table_packet(t, &u1, 2 * SEC, &dir, &created);	/* u1 is now the freshest UDP flow */

	memset(&w, 0, sizeof(w));
	flow_table_foreach(t, on_walk, &w);
	CHECK_EQ(w.n, 4);
	/* TCP (a lower class) first, then UDP by last touch: u2, u3, u1. */
	CHECK_EQ(w.sport[0], 1004);
	CHECK_EQ(w.sport[1], 1002);
	CHECK_EQ(w.sport[2], 1003);
	CHECK_EQ(w.sport[3], 1001);
	CHECK_EQ(w.touch[3], 14);

	memset(&w, 0, sizeof(w));
	flow_table_foreach_since(t, 13, on_walk, &w);
	CHECK_EQ(w.n, 2);
	CHECK_EQ(w.sport[0], 1003);
	CHECK_EQ(w.sport[1], 1001);

	memset(&w, 0, sizeof(w));
	flow_table_foreach_since(t, 12, on_walk, &w);
	CHECK_EQ(w.n, 3);
	CHECK_EQ(w.sport[0], 1004);

	memset(&w, 0, sizeof(w));
	flow_table_foreach_since(t, 15, on_walk, &w);
	CHECK_EQ(w.n, 0);
	flow_table_free(t);
}

static struct flow *kept[8];
static int nkept;

static void
on_keep(void *arg, struct flow *f, enum flow_end why)
{
	(void)arg;
	(void)why;
	if (nkept < 8)
		kept[nkept++] = f;
}

/* A table that keeps ended flows hands them over whole; the caller frees them. */
static void
test_keep_ended(void)
{
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_keep, NULL);
	struct decoded u = pkt(17, 1, 1001, 2, 53, 0, 80);
	int dir, i;
	bool created;

	flow_table_keep_ended(t);
	flow_table_packet(t, &u, 1 * SEC, &dir, &created);
	flow_table_expire(t, 500 * SEC);
	CHECK_EQ(nkept, 1);
	CHECK_EQ(flow_table_stats(t)->active, 0);
	/* Still readable after the end: the record as it was. */
	CHECK_EQ(kept[0]->rec.pkts[0], 1);
	CHECK_EQ(flow_src_port(&kept[0]->rec), 1001);
	flow_table_free(t);
	for (i = 0; i < nkept; i++)
		flow_free(kept[i]);
}

/* Draining takes every flow out, first seen first, without the callback; the table stays usable. */
static void
test_drain(void)
{
	struct ended e = { 0 };
	struct flow_table_cfg c = cfg(100);
	struct flow_table *t = flow_table_new(&c, on_end, &e);
	struct decoded u1 = pkt(17, 1, 1001, 2, 53, 0, 80);
	struct decoded u2 = pkt(17, 1, 1002, 2, 53, 0, 80);
	struct decoded tcp = pkt(6, 1, 1003, 2, 80, TH_SYN, 60);
	struct flow **all;
	size_t n, i;
	int dir;
	bool created;

	flow_table_packet(t, &u2, 1 * SEC, &dir, &created);
	flow_table_packet(t, &tcp, 2 * SEC, &dir, &created);
	flow_table_packet(t, &u1, 3 * SEC, &dir, &created);
	flow_table_packet(t, &u2, 4 * SEC, &dir, &created);
	all = flow_table_drain(t, &n);
	CHECK_EQ(n, 3);
	CHECK_EQ(flow_src_port(&all[0]->rec), 1002);
	CHECK_EQ(flow_src_port(&all[1]->rec), 1003);
	CHECK_EQ(flow_src_port(&all[2]->rec), 1001);
	CHECK_EQ(e.n, 0);
	CHECK_EQ(flow_table_stats(t)->active, 0);
	for (i = 0; i < n; i++)
		flow_free(all[i]);
	free(all);
	/* Empty, and still works: the same packet makes a new flow. */
	flow_table_packet(t, &u1, 5 * SEC, &dir, &created);
	CHECK(created);
	flow_table_free(t);
	CHECK_EQ(e.n, 1);
}

/*
 * Two datagrams' fragments interleaved (first, first, later, later), as a sender of back-to-back large UDP
 * messages makes them: both later fragments find their flow, for each of 200,000 pairs.  Direct-mapped,
 * the table lost about one pair in 4096 (the second first fragment took the first one's slot).
 */
static void
test_frag_interleaved(void)
{
	struct frag_table *ft = frag_table_new(12345);
	struct decoded a, b;
	struct flow_key ka, kb, k;
	uint64_t now = 1000 * SEC;
	uint32_t i, lost = 0;
	bool sb;

	memset(&a, 0, sizeof(a));
	a.ipver = 4;
	a.proto = 17;
	memcpy(a.src, "\x0a\x00\x00\x01", 4);
	memcpy(a.dst, "\x05\xbd\xaa\xc4", 4);
	a.frag = FRAG_FIRST;
	b = a;
	memset(&ka, 0, sizeof(ka));
	ka.proto = 17;
	ka.ipver = 4;
	kb = ka;
	for (i = 0; i < 200000; i++) {
		a.frag_id = 2 * i;
		b.frag_id = 2 * i + 1;
		ka.pa = (uint16_t)i;
		kb.pa = (uint16_t)(i + 1);
		frag_remember(ft, &a, &ka, false, now);
		frag_remember(ft, &b, &kb, true, now);
		if (!frag_lookup(ft, &a, &k, &sb, now) || memcmp(&k, &ka, sizeof(k)) != 0 || sb)
			lost++;
		if (!frag_lookup(ft, &b, &k, &sb, now) || memcmp(&k, &kb, sizeof(k)) != 0 || !sb)
			lost++;
	}
	CHECK_EQ(lost, 0);
	/* Forgotten 30 s after the first fragment. */
	CHECK(frag_lookup(ft, &b, &k, &sb, now + FRAG_LIFETIME_US));
	CHECK(!frag_lookup(ft, &b, &k, &sb, now + FRAG_LIFETIME_US + 1));
	/* Another datagram's id is not this one. */
	b.frag_id++;
	CHECK(!frag_lookup(ft, &b, &k, &sb, now));
	frag_table_free(ft);
}

int
main(void)
{
	test_direction();
	test_initiator_from_synack();
	test_initiator_fixed_by_syn();
	test_initiator_from_ports();
	test_timeouts();
	test_rst();
	test_active_timeout();
	test_cap_eviction();
	test_many();
	test_vlan_in_key();
	test_touch_order();
	test_keep_ended();
	test_drain();
	test_frag_interleaved();
	return check_done("test_flow");
}
