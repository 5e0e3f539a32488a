/* SPDX-License-Identifier: ISC */
/*
 * The flow cache: pmacct's nfprobe_timeouts syntax and defaults (from the
 * pmacct reference, section 2.8), what makes two packets one flow, each
 * idle timeout and its end reason, FIN/RST, the active timeout, eviction
 * of the least recently seen flow from a full cache, and conservation of
 * octets and packets through all of it. Packets are built in the test;
 * the expected flows follow from the contracts in fcache.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/error.h"
#include "probe/fcache.h"

#define MAXREC 256

/* What the cache emitted, in order. */
struct sink {
	struct flowrec rec[MAXREC];
	size_t n;
};

static void
on_flow(const struct flowrec *r, void *ctx)
{
	struct sink *s = ctx;

	assert_true(s->n < MAXREC);
	s->rec[s->n++] = *r;
}

/* A UDP packet 10.0.0.1:1000 -> 10.0.0.2:53 of 100 octets at `ts`. */
static struct pkt
pkt_udp(uint64_t ts)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
	struct pkt p;

	memset(&p, 0, sizeof(p));
	ft_addr_set4(&p.src, a);
	ft_addr_set4(&p.dst, b);
	p.ipver = 4;
	p.proto = 17;
	p.src_port = 1000;
	p.dst_port = 53;
	p.octets = 100;
	p.ts_ms = ts;
	return p;
}

static struct pkt
pkt_proto(uint64_t ts, uint8_t proto, uint8_t tcp_flags)
{
	struct pkt p = pkt_udp(ts);

	p.proto = proto;
	p.tcp_flags = tcp_flags;
	return p;
}

/* Short, distinct timeouts (ms) so each class can be told apart. */
static void
params_test(struct fcache_params *p, uint32_t max)
{
	fcache_params_default(p);
	p->max_flows = max;
	p->tcp_ms = 7000;
	p->tcp_fin_ms = 2000;
	p->tcp_rst_ms = 1000;
	p->udp_ms = 3000;
	p->icmp_ms = 4000;
	p->general_ms = 5000;
	p->maxlife_ms = 60000;
}

static struct fcache *
cache_new(struct sink *s, uint32_t max)
{
	struct fcache_params p;
	struct fcache *fc;

	params_test(&p, max);
	memset(s, 0, sizeof(*s));
	fc = fcache_new(&p, on_flow, s);
	assert_non_null(fc);
	return fc;
}

static void
test_defaults(void **state)
{
	struct fcache_params p;

	(void)state;
	fcache_params_default(&p);
	assert_int_equal(p.max_flows, 8192);
	assert_int_equal(p.tcp_ms, 3600000);
	assert_int_equal(p.tcp_rst_ms, 120000);
	assert_int_equal(p.tcp_fin_ms, 300000);
	assert_int_equal(p.udp_ms, 300000);
	assert_int_equal(p.icmp_ms, 300000);
	assert_int_equal(p.general_ms, 3600000);
	assert_int_equal(p.maxlife_ms, 60000);
	assert_int_equal(p.expint_ms, 60000);
}

static void
test_parse(void **state)
{
	struct fcache_params p;
	GError *err = NULL;

	(void)state;
	fcache_params_default(&p);
	assert_true(fcache_params_parse("tcp=10:tcp.rst=1:tcp.fin=2:udp=3:"
					"icmp=4:general=5:maxlife=6:expint=7",
					&p, &err));
	assert_int_equal(p.tcp_ms, 10000);
	assert_int_equal(p.tcp_rst_ms, 1000);
	assert_int_equal(p.tcp_fin_ms, 2000);
	assert_int_equal(p.udp_ms, 3000);
	assert_int_equal(p.icmp_ms, 4000);
	assert_int_equal(p.general_ms, 5000);
	assert_int_equal(p.maxlife_ms, 6000);
	assert_int_equal(p.expint_ms, 7000);
	assert_int_equal(p.max_flows, 8192);

	/* Only the named timeouts change. */
	fcache_params_default(&p);
	assert_true(fcache_params_parse("udp=60", &p, &err));
	assert_int_equal(p.udp_ms, 60000);
	assert_int_equal(p.tcp_ms, 3600000);
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char *s;
		int code;
	} bad[] = {
		{ "", FT_ERROR_SYNTAX },
		{ "tcp", FT_ERROR_SYNTAX },
		{ "=5", FT_ERROR_SYNTAX },
		{ "tcp=", FT_ERROR_SYNTAX },
		{ "tcp=abc", FT_ERROR_SYNTAX },
		{ "tcp=-1", FT_ERROR_SYNTAX },
		{ "tcpx=5", FT_ERROR_UNKNOWN },
		{ "udp=5:bogus=1", FT_ERROR_UNKNOWN },
		{ "udp=5::tcp=1", FT_ERROR_SYNTAX },
		{ "maxlife=99999999999999999", FT_ERROR_RANGE },
	};
	struct fcache_params p, def;
	GError *err = NULL;
	size_t i;

	(void)state;
	memset(&def, 0, sizeof(def)); /* padding too: compared below */
	fcache_params_default(&def);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		memcpy(&p, &def, sizeof(p));
		print_message("%s\n", bad[i].s);
		assert_false(fcache_params_parse(bad[i].s, &p, &err));
		assert_non_null(err);
		assert_int_equal(err->code, bad[i].code);
		g_clear_error(&err);
		/* A failed parse leaves the parameters as they were. */
		assert_memory_equal(&p, &def, sizeof(p));
	}
}

static void
test_size(void **state)
{
	struct fcache_params p;

	(void)state;
	print_message("tracked flow: %zu bytes\n", fcache_flow_size());
	assert_true(fcache_flow_size() < 150);
	fcache_params_default(&p);
	p.max_flows = 0;
	assert_null(fcache_new(&p, on_flow, NULL));
}

/* Same key: one flow with summed counters, OR-ed flags, first and last
 * times. */
static void
test_one_flow(void **state)
{
	struct sink s;
	struct fcache *fc = cache_new(&s, 16);
	struct pkt p;
	struct fcache_stats st;

	(void)state;
	p = pkt_proto(1000, 6, 0x02);
	p.octets = 60;
	fcache_add(fc, &p);
	p = pkt_proto(1500, 6, 0x10);
	p.octets = 1500;
	fcache_add(fc, &p);
	p = pkt_proto(1200, 6, 0x18); /* out of order: inside the span */
	p.octets = 40;
	fcache_add(fc, &p);
	fcache_stats(fc, &st);
	assert_int_equal(st.active, 1);
	assert_int_equal(s.n, 0);

	fcache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].octets, 1600);
	assert_int_equal(s.rec[0].packets, 3);
	assert_int_equal(s.rec[0].flows, 1);
	assert_int_equal(s.rec[0].tcp_flags, 0x1a);
	assert_int_equal(s.rec[0].start_ms, 1000);
	assert_int_equal(s.rec[0].end_ms, 1500);
	assert_int_equal(s.rec[0].end_reason, FLOW_END_FORCED);
	assert_int_equal(s.rec[0].proto, 6);
	assert_int_equal(s.rec[0].src_port, 1000);
	assert_int_equal(s.rec[0].dst_port, 53);
	assert_int_equal(s.rec[0].src.family, 4);
	assert_int_equal(s.rec[0].src.bytes[3], 1);
	assert_int_equal(s.rec[0].dst.bytes[3], 2);
	fcache_free(fc);
}

/* Each key field on its own splits a flow in two. */
static void
test_key_fields(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t v6twin[16] = { 10, 0, 0, 1, 10, 0, 0, 2 };
	static const uint8_t v6zero[16] = { 0 };
	struct sink s;
	struct fcache *fc;
	struct pkt base = pkt_udp(0), p;
	int i;

	(void)state;
	for (i = 0; i < 12; i++) {
		fc = cache_new(&s, 16);
		fcache_add(fc, &base);
		p = base;
		switch (i) {
		case 0:
			p.src.bytes[3] = 9;
			break;
		case 1:
			p.dst.bytes[3] = 9;
			break;
		case 2:
			p.src_port++;
			break;
		case 3:
			p.dst_port++;
			break;
		case 4:
			p.proto = 132;
			break;
		case 5:
			p.tos = 0x10;
			break;
		case 6:
			p.vlan = 100;
			break;
		case 7:
			p.src_mac[5] = 1;
			break;
		case 8:
			p.dst_mac[0] = 2;
			break;
		case 9:
			p.in_iface = 2;
			break;
		case 10:
			/* IPv6 whose first 8 source bytes are the IPv4
			 * source and destination, the rest zero. */
			ft_addr_set6(&p.src, v6twin);
			ft_addr_set6(&p.dst, v6zero);
			p.ipver = 6;
			break;
		default:
			ft_addr_set6(&p.src, v6);
			ft_addr_set6(&p.dst, v6);
			p.ipver = 6;
		}
		fcache_add(fc, &p);
		fcache_add(fc, &base);
		fcache_flush(fc, FLOW_END_FORCED);
		print_message("key field %d: %zu flows\n", i, s.n);
		assert_int_equal(s.n, 2);
		assert_int_equal(s.rec[0].packets, 2);
		assert_int_equal(s.rec[1].packets, 1);
		fcache_free(fc);
	}
}

/* Idle timeout per protocol and TCP state, and the reason it ends with. */
static void
test_idle(void **state)
{
	static const struct {
		uint8_t proto;
		uint8_t flags;
		uint64_t timeout;
		uint8_t why;
	} t[] = {
		{ 6, 0x10, 7000, FLOW_END_IDLE },
		{ 6, 0x11, 2000, FLOW_END_EOF }, /* FIN */
		{ 6, 0x14, 1000, FLOW_END_EOF }, /* RST */
		{ 6, 0x15, 1000, FLOW_END_EOF }, /* RST wins over FIN */
		{ 17, 0, 3000, FLOW_END_IDLE },
		{ 1, 0, 4000, FLOW_END_IDLE },
		{ 58, 0, 4000, FLOW_END_IDLE },
		{ 47, 0, 5000, FLOW_END_IDLE },
		{ 132, 0, 5000, FLOW_END_IDLE },
	};
	struct sink s;
	struct fcache *fc;
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		fc = cache_new(&s, 16);
		p = pkt_proto(10000, t[i].proto, t[i].flags);
		fcache_add(fc, &p);
		fcache_expire(fc, 10000 + t[i].timeout - 1);
		assert_int_equal(s.n, 0);
		fcache_expire(fc, 10000 + t[i].timeout);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.rec[0].end_reason, t[i].why);
		assert_int_equal(s.rec[0].end_ms, 10000);
		fcache_free(fc);
	}
}

/* A packet that finds its flow already timed out (no fcache_expire() in
 * between) ends it first and starts a new flow. */
static void
test_idle_at_add(void **state)
{
	struct sink s;
	struct fcache *fc = cache_new(&s, 16);
	struct pkt p = pkt_udp(0);

	(void)state;
	fcache_add(fc, &p);
	p.ts_ms = 2999;
	fcache_add(fc, &p);
	assert_int_equal(s.n, 0);
	p.ts_ms = 2999 + 3000;
	fcache_add(fc, &p);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].packets, 2);
	assert_int_equal(s.rec[0].end_reason, FLOW_END_IDLE);
	fcache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rec[1].packets, 1);
	assert_int_equal(s.rec[1].start_ms, 5999);
	fcache_free(fc);
}

/* After a FIN the flow takes the FIN's peer packets (its last ACK) for
 * tcp_fin_ms, then ends with FLOW_END_EOF; a new SYN ends it at once. */
static void
test_fin_grace(void **state)
{
	struct sink s;
	struct fcache *fc = cache_new(&s, 16);
	struct pkt p;

	(void)state;
	p = pkt_proto(0, 6, 0x02);
	fcache_add(fc, &p);
	p = pkt_proto(100, 6, 0x11);
	fcache_add(fc, &p);
	p = pkt_proto(1900, 6, 0x10);
	fcache_add(fc, &p);
	fcache_expire(fc, 3899);
	assert_int_equal(s.n, 0);
	fcache_expire(fc, 3900);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].packets, 3);
	assert_int_equal(s.rec[0].tcp_flags, 0x13);
	assert_int_equal(s.rec[0].end_reason, FLOW_END_EOF);

	/* RST, then a new connection on the same ports. */
	p = pkt_proto(5000, 6, 0x14);
	fcache_add(fc, &p);
	p = pkt_proto(5100, 6, 0x02);
	fcache_add(fc, &p);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rec[1].packets, 1);
	assert_int_equal(s.rec[1].tcp_flags, 0x14);
	assert_int_equal(s.rec[1].end_reason, FLOW_END_EOF);
	/* A SYN+ACK on a FIN-ed flow is not a new connection. */
	p = pkt_proto(5200, 6, 0x11);
	fcache_add(fc, &p);
	p = pkt_proto(5300, 6, 0x12);
	fcache_add(fc, &p);
	fcache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.rec[2].packets, 3);
	assert_int_equal(s.rec[2].start_ms, 5100);
	fcache_free(fc);
}

/* A flow busy for longer than maxlife is split into maxlife pieces. */
static void
test_active(void **state)
{
	struct fcache_params par;
	struct sink s;
	struct fcache *fc;
	struct pkt p;
	uint64_t t;

	(void)state;
	params_test(&par, 16);
	par.maxlife_ms = 10000;
	memset(&s, 0, sizeof(s));
	fc = fcache_new(&par, on_flow, &s);
	for (t = 0; t < 25000; t += 1000) {
		p = pkt_udp(t);
		fcache_expire(fc, t);
		fcache_add(fc, &p);
	}
	fcache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.rec[0].start_ms, 0);
	assert_int_equal(s.rec[0].end_ms, 9000);
	assert_int_equal(s.rec[0].packets, 10);
	assert_int_equal(s.rec[0].end_reason, FLOW_END_ACTIVE);
	assert_int_equal(s.rec[1].start_ms, 10000);
	assert_int_equal(s.rec[1].packets, 10);
	assert_int_equal(s.rec[1].end_reason, FLOW_END_ACTIVE);
	assert_int_equal(s.rec[2].packets, 5);
	assert_int_equal(s.rec[2].end_reason, FLOW_END_FORCED);

	/* The same split when only packets drive the cache. */
	memset(&s, 0, sizeof(s));
	for (t = 100000; t < 125000; t += 1000) {
		p = pkt_udp(t);
		fcache_add(fc, &p);
	}
	fcache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.rec[0].packets, 10);
	assert_int_equal(s.rec[0].end_reason, FLOW_END_ACTIVE);

	/* The timer alone ends a flow at maxlife, with no packet to wait
	 * for: one every 2 s (under the 3 s idle timeout), then none. */
	memset(&s, 0, sizeof(s));
	for (t = 200000; t < 210000; t += 2000) {
		p = pkt_udp(t);
		fcache_add(fc, &p);
	}
	fcache_expire(fc, 209999);
	assert_int_equal(s.n, 0);
	fcache_expire(fc, 210000);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].packets, 5);
	assert_int_equal(s.rec[0].start_ms, 200000);
	assert_int_equal(s.rec[0].end_ms, 208000);
	assert_int_equal(s.rec[0].end_reason, FLOW_END_ACTIVE);
	fcache_free(fc);
}

/* A full cache evicts the least recently seen flow, with FLOW_END_LACK;
 * a flow that had timed out goes first, as an idle end. */
static void
test_evict(void **state)
{
	struct sink s;
	struct fcache *fc = cache_new(&s, 3);
	struct fcache_stats st;
	struct pkt p;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		p = pkt_udp((uint64_t)i);
		p.src_port = (uint16_t)(1 + i);
		fcache_add(fc, &p);
	}
	p = pkt_udp(3);
	p.src_port = 1;
	fcache_add(fc, &p); /* port 1 is now the most recent */
	p = pkt_proto(4, 6, 0x10);
	p.src_port = 4;
	fcache_add(fc, &p);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rec[0].src_port, 2);
	assert_int_equal(s.rec[0].end_reason, FLOW_END_LACK);
	p.src_port = 5;
	p.ts_ms = 5;
	fcache_add(fc, &p);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rec[1].src_port, 3);

	/* At 3003 the UDP flow (port 1, last seen at 3) has idled out. */
	p.src_port = 6;
	p.ts_ms = 3003;
	fcache_add(fc, &p);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.rec[2].src_port, 1);
	assert_int_equal(s.rec[2].end_reason, FLOW_END_IDLE);
	fcache_stats(fc, &st);
	assert_int_equal(st.ended[FLOW_END_LACK], 2);
	assert_int_equal(st.ended[FLOW_END_IDLE], 1);
	assert_int_equal(st.active, 3);

	/* Flush: oldest first. */
	fcache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.rec[3].src_port, 4);
	assert_int_equal(s.rec[4].src_port, 5);
	assert_int_equal(s.rec[5].src_port, 6);
	fcache_free(fc);
}

/* Many keys through a small cache with every kind of end: octets and
 * packets out = in, flows ended = flows created. */
static void
test_conserve(void **state)
{
	struct fcache_params par;
	struct fcache_stats st;
	struct sink s;
	struct fcache *fc;
	struct pkt p;
	uint64_t oct = 0, pk = 0, ended = 0, in_oct = 0;
	uint32_t x = 12345;
	size_t i, r;

	(void)state;
	params_test(&par, 8);
	par.maxlife_ms = 20000;
	fc = fcache_new(&par, on_flow, &s);
	for (i = 0; i < 20000; i++) {
		x = x * 1103515245 + 12345;
		/* 7 ms apart, with a 10 s pause every 2000 packets. */
		p = pkt_proto(i * 7 + i / 2000 * 10000,
			      (x >> 8) % 3 == 0 ? 17 : 6,
			      (uint8_t)((x >> 12) & 0x17));
		p.src_port = (uint16_t)((x >> 16) % 24);
		p.octets = 40 + (x >> 20) % 1461;
		in_oct += p.octets;
		s.n = 0;
		if (i % 50 == 0)
			fcache_expire(fc, p.ts_ms);
		fcache_add(fc, &p);
		for (r = 0; r < s.n; r++) {
			oct += s.rec[r].octets;
			pk += s.rec[r].packets;
		}
	}
	s.n = 0;
	fcache_flush(fc, FLOW_END_FORCED);
	for (r = 0; r < s.n; r++) {
		oct += s.rec[r].octets;
		pk += s.rec[r].packets;
	}
	fcache_stats(fc, &st);
	for (r = 0; r <= FLOW_END_LACK; r++)
		ended += st.ended[r];
	print_message("created %" G_GUINT64_FORMAT " idle %" G_GUINT64_FORMAT
		      " active %" G_GUINT64_FORMAT " eof %" G_GUINT64_FORMAT
		      " lack %" G_GUINT64_FORMAT "\n",
		      st.created, st.ended[1], st.ended[2], st.ended[3],
		      st.ended[5]);
	assert_int_equal(pk, 20000);
	assert_int_equal(oct, in_oct);
	assert_int_equal(st.packets_in, 20000);
	assert_int_equal(st.octets_in, in_oct);
	assert_int_equal(st.packets_out, 20000);
	assert_int_equal(st.octets_out, in_oct);
	assert_int_equal(st.active, 0);
	assert_int_equal(ended, st.created);
	assert_true(st.ended[FLOW_END_LACK] > 0);
	assert_true(st.ended[FLOW_END_EOF] > 0);
	assert_true(st.ended[FLOW_END_IDLE] > 0);
	fcache_free(fc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_one_flow),
		cmocka_unit_test(test_key_fields),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_idle_at_add),
		cmocka_unit_test(test_fin_grace),
		cmocka_unit_test(test_active),
		cmocka_unit_test(test_evict),
		cmocka_unit_test(test_conserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
