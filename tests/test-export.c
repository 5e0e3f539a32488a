/* SPDX-License-Identifier: ISC */
/*
 * The exporter, read back by libfixbuf's own collecting side: each flow
 * record of a table goes into an IPFIX file and must come out with every
 * field the template carries (addresses in network order, ICMP type and
 * code, MACs, VLAN, flags, end reason), and thousands of records must
 * cross message boundaries without one going missing. The collector
 * reads by element name into a layout of its own, not the exporter's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>
#include <fixbuf/public.h>

#include "common/log.h"
#include "probe/export.h"

/* The reading side's record: every element of either flow template. */
struct got {
	uint64_t start, end, octets, packets;
	uint32_t src4, dst4, in_iface;
	uint8_t src6[16], dst6[16];
	uint16_t sport, dport, icmp4, icmp6, vlan, flags;
	uint8_t smac[6], dmac[6];
	uint8_t proto, tos, dir, reason;
	uint8_t pad[8];
};

static fbInfoElementSpec_t got_spec[] = {
	{ (char *)"flowStartMilliseconds", 8, 0 },
	{ (char *)"flowEndMilliseconds", 8, 0 },
	{ (char *)"octetDeltaCount", 8, 0 },
	{ (char *)"packetDeltaCount", 8, 0 },
	{ (char *)"sourceIPv4Address", 4, 0 },
	{ (char *)"destinationIPv4Address", 4, 0 },
	{ (char *)"ingressInterface", 4, 0 },
	{ (char *)"sourceIPv6Address", 16, 0 },
	{ (char *)"destinationIPv6Address", 16, 0 },
	{ (char *)"sourceTransportPort", 2, 0 },
	{ (char *)"destinationTransportPort", 2, 0 },
	{ (char *)"icmpTypeCodeIPv4", 2, 0 },
	{ (char *)"icmpTypeCodeIPv6", 2, 0 },
	{ (char *)"vlanId", 2, 0 },
	{ (char *)"tcpControlBits", 2, 0 },
	{ (char *)"sourceMacAddress", 6, 0 },
	{ (char *)"destinationMacAddress", 6, 0 },
	{ (char *)"protocolIdentifier", 1, 0 },
	{ (char *)"ipClassOfService", 1, 0 },
	{ (char *)"flowDirection", 1, 0 },
	{ (char *)"flowEndReason", 1, 0 },
	{ (char *)"paddingOctets", 8, 0 },
	FB_IESPEC_NULL,
};

_Static_assert(sizeof(struct got) == 112, "got layout");
_Static_assert(offsetof(struct got, src6) == 44, "got layout");
_Static_assert(offsetof(struct got, proto) == 100, "got layout");
_Static_assert(offsetof(struct got, pad) == 104, "got layout");

#define GOT_TID 0x9999

static const uint8_t mac_a[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x01 };
static const uint8_t mac_b[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x02 };

struct rcase {
	const char *name;
	int family;
	const char *src, *dst;
	uint16_t sport, dport, vlan;
	uint8_t proto, tos, flags, reason;
	uint64_t octets, packets;
};

static const struct rcase cases[] = {
	{ "tcp4", 4, "192.168.1.10", "10.0.0.1", 40000, 80, 0, 6, 0, 0x1b,
	  FLOW_END_EOF, 700, 5 },
	{ "udp4 vlan tos", 4, "192.168.2.20", "10.0.0.2", 1234, 5678, 100, 17,
	  0x10, 0, FLOW_END_IDLE, 38, 1 },
	{ "icmp4 unreach", 4, "192.0.2.1", "198.51.100.7", 0, 0x0301, 0, 1, 0,
	  0, FLOW_END_ACTIVE, 56, 1 },
	{ "tcp6 big", 6, "2001:db8::10", "2001:db8:1::1", 50000, 443, 7, 6, 0,
	  0x02, FLOW_END_LACK, 5000000000ULL, 4000000 },
	{ "icmp6 echo", 6, "fe80::1", "ff02::1", 0, 0x8000, 0, 58, 0, 0,
	  FLOW_END_FORCED, 104, 1 },
};

static struct flowrec
make_rec(const struct rcase *c, uint64_t i)
{
	struct flowrec r;

	memset(&r, 0, sizeof(r));
	assert_true(ft_addr_parse(c->src, &r.src, NULL));
	assert_true(ft_addr_parse(c->dst, &r.dst, NULL));
	r.start_ms = 1700000000000ULL + i;
	r.end_ms = r.start_ms + 4000;
	r.octets = c->octets;
	r.packets = c->packets;
	r.in_iface = 3;
	r.src_port = c->sport;
	r.dst_port = c->dport;
	r.vlan = c->vlan;
	memcpy(r.src_mac, mac_a, 6);
	memcpy(r.dst_mac, mac_b, 6);
	r.proto = c->proto;
	r.tos = c->tos;
	r.tcp_flags = c->flags;
	r.direction = FLOW_DIR_EGRESS;
	r.end_reason = c->reason;
	return r;
}

static char *
export_file(const struct flowrec *recs, size_t n)
{
	char *path = g_strdup_printf("%s/ft-test-export-%d.ipfix",
				     g_get_tmp_dir(), (int)getpid());
	struct export_conf conf = { .domain = 42,
				    .file = path,
				    .flush_ms = 1000 };
	struct exporter *ex = export_new(&conf);
	size_t i;

	assert_non_null(ex);
	export_tick(ex, 1700000000000ULL);
	for (i = 0; i < n; i++)
		export_flow(ex, &recs[i]);
	assert_int_equal(export_close(ex), 0);
	export_free(ex);
	return path;
}

/* Read every flow record back; options records are counted apart. */
static size_t
read_back(const char *path, struct got *out, size_t max, size_t *nopts)
{
	fbInfoModel_t *model = fbInfoModelAlloc();
	fbSession_t *sess = fbSessionAlloc(model);
	fbTemplate_t *t = fbTemplateAlloc(model);
	fbCollector_t *col;
	fBuf_t *fbuf;
	uint16_t ext_tid;
	size_t n = 0, len;
	GError *err = NULL;
	struct got g;

	*nopts = 0;
	assert_true(fbTemplateAppendSpecArray(t, got_spec, 0, &err));
	assert_true(fbSessionAddTemplate(sess, TRUE, GOT_TID, t, &err));
	col = fbCollectorAllocFile(NULL, path, &err);
	assert_non_null(col);
	fbuf = fBufAllocForCollection(sess, col);
	assert_true(fBufSetInternalTemplate(fbuf, GOT_TID, &err));
	for (;;) {
		len = sizeof(g);
		memset(&g, 0, sizeof(g));
		if (!fBufNext(fbuf, (uint8_t *)&g, &len, &err))
			break;
		(void)fBufGetCollectionTemplate(fbuf, &ext_tid);
		if (ext_tid == EXPORT_TID_STATS) {
			(*nopts)++;
			continue;
		}
		assert_true(n < max);
		out[n++] = g;
	}
	/* The file ends cleanly, nothing else. */
	assert_true(g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOF));
	g_clear_error(&err);
	fBufFree(fbuf);
	fbInfoModelFree(model);
	return n;
}

static uint32_t
v4(const struct ft_addr *a)
{
	const uint8_t *b = a->bytes;

	return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static void
check_one(const struct flowrec *r, const struct got *g)
{
	assert_int_equal(g->start, r->start_ms);
	assert_int_equal(g->end, r->end_ms);
	assert_int_equal(g->octets, r->octets);
	assert_int_equal(g->packets, r->packets);
	assert_int_equal(g->in_iface, r->in_iface);
	if (r->src.family == 4) {
		assert_int_equal(g->src4, v4(&r->src));
		assert_int_equal(g->dst4, v4(&r->dst));
		assert_int_equal(g->icmp4, r->proto == 1 ? r->dst_port : 0);
	} else {
		assert_memory_equal(g->src6, r->src.bytes, 16);
		assert_memory_equal(g->dst6, r->dst.bytes, 16);
		assert_int_equal(g->icmp6, r->proto == 58 ? r->dst_port : 0);
	}
	assert_int_equal(g->sport, r->src_port);
	assert_int_equal(g->dport, r->dst_port);
	assert_int_equal(g->vlan, r->vlan);
	assert_int_equal(g->flags, r->tcp_flags);
	assert_memory_equal(g->smac, r->src_mac, 6);
	assert_memory_equal(g->dmac, r->dst_mac, 6);
	assert_int_equal(g->proto, r->proto);
	assert_int_equal(g->tos, r->tos);
	assert_int_equal(g->dir, r->direction);
	assert_int_equal(g->reason, r->end_reason);
}

static void
test_fields(void **state)
{
	size_t n = G_N_ELEMENTS(cases), i, nopts;
	struct flowrec recs[G_N_ELEMENTS(cases)];
	struct got got[G_N_ELEMENTS(cases)];
	char *path;

	for (i = 0; i < n; i++)
		recs[i] = make_rec(&cases[i], i);
	path = export_file(recs, n);
	assert_int_equal(read_back(path, got, n, &nopts), n);
	for (i = 0; i < n; i++) {
		print_message("case %s\n", cases[i].name);
		check_one(&recs[i], &got[i]);
	}
	unlink(path);
	g_free(path);
}

/* Enough records, v4 and v6 interleaved, to fill many messages. */
static void
test_many(void **state)
{
	size_t n = 20000, i, nopts;
	struct flowrec *recs = g_new(struct flowrec, n);
	struct got *got = g_new(struct got, n);
	char *path;

	for (i = 0; i < n; i++)
		recs[i] = make_rec(&cases[i % G_N_ELEMENTS(cases)], i);
	path = export_file(recs, n);
	assert_int_equal(read_back(path, got, n, &nopts), n);
	assert_int_equal(nopts, 0);
	for (i = 0; i < n; i++)
		check_one(&recs[i], &got[i]);
	unlink(path);
	g_free(path);
	g_free(recs);
	g_free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_many),
	};

	log_init("test-export", LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
