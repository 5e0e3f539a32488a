/* SPDX-License-Identifier: ISC */
/*
 * Aggregation keys: parsing `aggregate` lists, the packed bytes of a key
 * (written out by hand), nets and masks, canonical text and its parser,
 * queries, and the pmacct reference counts (reference 3.1: sum_host gives
 * 192.168.1.10 9 packets and 3848 bytes for the test traffic, `none` one
 * row of 14 packets and 4202 bytes, TCP flags OR-ed 16, 24 and 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "collector/aggkey.h"
#include "collector/memtab.h"
#include "collector/nets.h"
#include "common/error.h"

static void
addr(struct ft_addr *a, const char *text)
{
	assert_true(ft_addr_parse(text, a, NULL));
}

/* The reference traffic as flow records (IP lengths, as pmacctd counts). */
struct ref_rec {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t tos, flags, smac, dmac;
	uint16_t vlan;
	uint64_t packets, bytes;
};

static const struct ref_rec ref[] = {
	{ "192.168.1.10", "10.0.0.1", 6, 40000, 80, 0, 0x10, 1, 2, 0, 5,
	  5 * 140 },
	{ "10.0.0.1", "192.168.1.10", 6, 80, 40000, 0, 0x18, 2, 1, 0, 3,
	  3 * 1040 },
	{ "192.168.1.11", "8.8.8.8", 17, 5353, 53, 0x10, 0, 3, 2, 0, 2,
	  2 * 78 },
	{ "192.168.1.10", "1.1.1.1", 1, 0, 0x0800, 0, 0, 1, 2, 0, 1, 28 },
	{ "2001:db8::10", "2001:db8:1::1", 6, 50000, 443, 0, 0x02, 1, 2, 0, 2,
	  2 * 80 },
	{ "192.168.2.20", "10.0.0.2", 17, 1234, 5678, 0, 0, 4, 2, 100, 1, 38 },
};

static void
ref_fill(const struct ref_rec *c, struct flowrec *r)
{
	memset(r, 0, sizeof(*r));
	addr(&r->src, c->src);
	addr(&r->dst, c->dst);
	r->proto = c->proto;
	r->src_port = c->sport;
	r->dst_port = c->dport;
	r->tos = c->tos;
	r->tcp_flags = c->flags;
	r->vlan = c->vlan;
	r->packets = c->packets;
	r->octets = c->bytes;
	r->flows = 1;
	memcpy(r->src_mac, "\x00\x11\x22\x33\x44", 5);
	memcpy(r->dst_mac, "\x00\x11\x22\x33\x44", 5);
	r->src_mac[5] = c->smac;
	r->dst_mac[5] = c->dmac;
}

static struct aggkey_spec *
spec_of(const char *list)
{
	gchar **names = g_strsplit(list, ",", -1);
	GError *err = NULL;
	struct aggkey_spec *spec;
	guint i;

	for (i = 0; names[i] != NULL; i++)
		g_strstrip(names[i]);
	spec = aggkey_spec_new((const char *const *)names, &err);
	g_strfreev(names);
	if (spec == NULL)
		fail_msg("%s: %s", list, err->message);
	return spec;
}

static void
test_spec(void **state)
{
	static const struct {
		const char *list;
		int code; /* 0: accepted */
		guint ncols;
		size_t key_len;
		gboolean flows, sum, tcpflags;
	} cases[] = {
		{ "src_host", 0, 1, 17, FALSE, FALSE, FALSE },
		{ "src_host,dst_host,src_port,dst_port,proto", 0, 5, 39, FALSE,
		  FALSE, FALSE },
		{ "src_host,src_port,src_mac,dst_host,dst_port,dst_mac,proto",
		  0, 7, 51, FALSE, FALSE, FALSE },
		{ "none", 0, 0, 0, FALSE, FALSE, FALSE },
		{ "flows,none", 0, 0, 0, TRUE, FALSE, FALSE },
		{ "src_host,src_host,flows", 0, 1, 17, TRUE, FALSE, FALSE },
		{ "sum_host", 0, 1, 17, FALSE, TRUE, FALSE },
		{ "sum", 0, 1, 17, FALSE, TRUE, FALSE },
		{ "sum_port,flows", 0, 1, 2, TRUE, TRUE, FALSE },
		{ "proto,tcpflags", 0, 2, 1, FALSE, FALSE, TRUE },
		{ "vlan,in_iface,timestamp_start,export_proto_version", 0, 4,
		  2 + 4 + 8 + 1, FALSE, FALSE, FALSE },
		{ "sum_host,src_port", FT_ERROR_SCOPE, 0, 0, FALSE, FALSE,
		  FALSE },
		{ "sum_host,sum_net", FT_ERROR_SCOPE, 0, 0, FALSE, FALSE,
		  FALSE },
		{ "dst_host,sum_mac", FT_ERROR_SCOPE, 0, 0, FALSE, FALSE,
		  FALSE },
		{ "src_host,foo", FT_ERROR_UNKNOWN, 0, 0, FALSE, FALSE, FALSE },
		{ "class", FT_ERROR_UNKNOWN, 0, 0, FALSE, FALSE, FALSE },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		gchar **names = g_strsplit(cases[i].list, ",", -1);
		GError *err = NULL;
		struct aggkey_spec *s;

		s = aggkey_spec_new((const char *const *)names, &err);
		g_strfreev(names);
		if (cases[i].code != 0) {
			assert_null(s);
			assert_int_equal(err->code, cases[i].code);
			g_error_free(err);
			continue;
		}
		assert_non_null(s);
		assert_int_equal(s->ncols, cases[i].ncols);
		assert_int_equal(s->key_len, cases[i].key_len);
		assert_int_equal(s->flows, cases[i].flows);
		assert_int_equal(s->sum, cases[i].sum);
		assert_int_equal(s->tcpflags, cases[i].tcpflags);
		g_free(s);
	}
}

/* The errors name the primitive at fault. */
static void
test_errors_named(void **state)
{
	const char *unknown[] = { "src_host", "dst_hots", NULL };
	const char *sum[] = { "dst_host", "sum_mac", NULL };
	GError *err = NULL;

	assert_null(aggkey_spec_new(unknown, &err));
	assert_non_null(strstr(err->message, "'dst_hots'"));
	g_clear_error(&err);
	assert_null(aggkey_spec_new(sum, &err));
	assert_true(g_str_has_prefix(err->message, "sum_mac must be used "
						   "alone"));
	g_error_free(err);
}

/* Columns come in client order whatever the list order. */
static void
test_col_order(void **state)
{
	struct aggkey_spec *s = spec_of("proto,dst_port,src_mac,dst_host,"
					"src_port,src_host,dst_mac");
	static const char *const want[] = { "src_mac",  "dst_mac",  "src_host",
					    "dst_host", "src_port", "dst_port",
					    "proto" };
	guint i;

	assert_int_equal(s->ncols, G_N_ELEMENTS(want));
	for (i = 0; i < s->ncols; i++)
		assert_string_equal(s->cols[i]->name, want[i]);
	g_free(s);
}

static void
test_pack_5tuple(void **state)
{
	struct aggkey_spec *s = spec_of("src_host,dst_host,src_port,dst_port,"
					"proto");
	static const uint8_t want[39] = {
		4,    192,  168, 1, 10, 0, 0,  0, 0, 0, 0,    0,
		0,    0,    0,   0, 0,  4, 10, 0, 0, 1, 0,    0,
		0,    0,    0,   0, 0,  0, 0,  0, 0, 0, 0x9c, 0x40, /* 40000 */
		0x00, 0x50,                                         /* 80 */
		6,
	};
	uint8_t key[AGGKEY_MAX_LEN];
	struct flowrec r;

	ref_fill(&ref[0], &r);
	aggkey_pack(s, &r, AGGKEY_SRC, key);
	assert_memory_equal(key, want, sizeof(want));
	g_free(s);
}

/* src_net/dst_net and the masks from networks_file, networks_mask or the
 * record; unknown prefixes give 0.0.0.0 and mask 0. */
static void
test_pack_nets(void **state)
{
	static const struct {
		int with_file;
		int mask;
		const char *src;
		uint8_t rec_mask;
		const char *net;
		uint8_t plen;
	} cases[] = {
		{ 1, -1, "192.168.1.10", 0, "192.168.1.0", 24 },
		{ 1, -1, "10.1.2.3", 0, "10.1.0.0", 16 },
		{ 1, -1, "10.2.3.4", 0, "10.0.0.0", 8 },
		{ 1, -1, "172.16.0.1", 0, "0.0.0.0", 0 },
		{ 1, -1, "2001:db8:1:2::1", 0, "2001:db8::", 32 },
		{ 1, -1, "2001:db9::1", 0, "::", 0 },
		{ 0, 16, "192.168.1.10", 0, "192.168.0.0", 16 },
		{ 0, 48, "2001:db8:1:2::1", 0, "2001:db8:1::", 48 },
		{ 0, -1, "192.168.1.10", 25, "192.168.1.0", 25 },
		{ 0, -1, "192.168.1.200", 25, "192.168.1.128", 25 },
		{ 0, -1, "192.168.1.10", 0, "0.0.0.0", 0 },
	};
	struct nets *n = nets_load_string("t",
					  "192.168.1.0/24\n"
					  "10.0.0.0/8\n10.1.0.0/16\n"
					  "2001:db8::/32\n",
					  NULL);
	struct aggkey_spec *s = spec_of("src_net,src_mask");
	uint8_t key[AGGKEY_MAX_LEN];
	char buf[64];
	struct flowrec r;
	size_t i;

	assert_non_null(n);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		memset(&r, 0, sizeof(r));
		addr(&r.src, cases[i].src);
		r.src_mask = cases[i].rec_mask;
		aggkey_spec_set_nets(s, cases[i].with_file ? n : NULL,
				     cases[i].mask);
		aggkey_pack(s, &r, AGGKEY_SRC, key);
		assert_string_equal(
			aggkey_value_text(s->cols[0], key, buf, sizeof(buf)),
			cases[i].net);
		assert_int_equal(key[17], cases[i].plen);
	}
	nets_free(n);
	g_free(s);
}

static void
test_text(void **state)
{
	static const struct {
		const char *prim, *in, *canon;
	} cases[] = {
		{ "src_host", "192.168.1.10", "192.168.1.10" },
		{ "dst_host", "2001:DB8::0:1", "2001:db8::1" },
		{ "src_mac", "00:11:22:33:44:0A", "00:11:22:33:44:0a" },
		{ "proto", "tcp", "6" },
		{ "proto", "17", "17" },
		{ "vlan", "4094", "4094" },
		{ "src_port", "65535", "65535" },
		{ "in_iface", "4294967295", "4294967295" },
		{ "tcpflags", "24", "24" },
		{ "timestamp_start", "1700000000.250000", "1700000000.250000" },
		{ "timestamp_end", "2023-11-14T22:13:20.5",
		  "1700000000.500000" },
		{ "timestamp_end", "2023-11-14T22:13:21", "1700000001.000000" },
		{ "src_port", "65536", NULL },
		{ "vlan", "-1", NULL },
		{ "proto", "nosuchproto", NULL },
		{ "src_mac", "00:11:22:33:44", NULL },
		{ "src_host", "192.168.1.300", NULL },
		{ "timestamp_start", "yesterday", NULL },
	};
	uint8_t val[AGGKEY_MAX_LEN];
	char buf[64];
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct prim *p = prim_find(cases[i].prim);
		GError *err = NULL;
		gboolean ok = aggkey_value_parse(p, cases[i].in, val, &err);

		if (cases[i].canon == NULL) {
			assert_false(ok);
			g_error_free(err);
			continue;
		}
		if (!ok)
			fail_msg("%s '%s': %s", cases[i].prim, cases[i].in,
				 err->message);
		assert_string_equal(aggkey_value_text(p, val, buf, sizeof(buf)),
				    cases[i].canon);
	}
}

/* Feed the reference records into a table as the pipeline does. */
static struct memtab *
ref_table(const struct aggkey_spec *s)
{
	struct memtab *t = memtab_new(s->key_len, 100);
	uint8_t key[AGGKEY_MAX_LEN];
	struct aggctr ctr;
	struct flowrec r;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(ref); i++) {
		ref_fill(&ref[i], &r);
		aggkey_counters(s, &r, &ctr);
		aggkey_pack(s, &r, AGGKEY_SRC, key);
		assert_true(memtab_add(t, key, &ctr));
		if (s->sum) {
			aggkey_pack(s, &r, AGGKEY_DST, key);
			assert_true(memtab_add(t, key, &ctr));
		}
	}
	return t;
}

static const struct aggctr *
find(struct memtab *t, const struct aggkey_spec *s, const char *const *vals)
{
	static uint8_t key[AGGKEY_MAX_LEN];
	guint i;

	for (i = 0; i < s->ncols; i++)
		if (s->offset[i] != AGGKEY_NO_OFFSET)
			assert_true(aggkey_value_parse(
				s->cols[i], vals[i], key + s->offset[i], NULL));
	return memtab_lookup(t, key);
}

static void
test_reference_counts(void **state)
{
	struct aggkey_spec *sum = spec_of("sum_host");
	struct aggkey_spec *none = spec_of("none");
	struct aggkey_spec *fl = spec_of("src_host,dst_host,tcpflags");
	struct aggkey_spec *pf = spec_of("proto,tcpflags");
	struct memtab *t;
	const struct aggctr *c;
	const char *v10[] = { "192.168.1.10" };
	const char *a[] = { "192.168.1.10", "10.0.0.1", "" };
	const char *b[] = { "10.0.0.1", "192.168.1.10", "" };
	const char *v6[] = { "2001:db8::10", "2001:db8:1::1", "" };
	const char *tcp[] = { "", "6" }; /* tcpflags comes first */

	t = ref_table(sum);
	c = find(t, sum, v10);
	assert_non_null(c);
	assert_int_equal(c->packets, 9);
	assert_int_equal(c->bytes, 3848);
	memtab_free(t);

	t = ref_table(none);
	assert_int_equal(memtab_count(t), 1);
	c = find(t, none, NULL);
	assert_int_equal(c->packets, 14);
	assert_int_equal(c->bytes, 4202);
	memtab_free(t);

	t = ref_table(fl);
	assert_int_equal(find(t, fl, a)->tcp_flags, 16);
	assert_int_equal(find(t, fl, b)->tcp_flags, 24);
	assert_int_equal(find(t, fl, v6)->tcp_flags, 2);
	memtab_free(t);

	/* OR-ed, not a key: one TCP row with 16 | 24 | 2 */
	t = ref_table(pf);
	assert_int_equal(memtab_count(t), 3);
	assert_int_equal(find(t, pf, tcp)->tcp_flags, 0x1a);
	memtab_free(t);

	g_free(sum);
	g_free(none);
	g_free(fl);
	g_free(pf);
}

static void
test_query(void **state)
{
	struct aggkey_spec *s = spec_of("src_host,dst_host,proto");
	static const struct {
		const char *prims;
		const char *vals;
		int ok;
		gboolean exact, never;
		int hits; /* of the reference records */
	} cases[] = {
		{ "src_host", "192.168.1.10", 1, FALSE, FALSE, 2 },
		{ "dst_host,src_host", "10.0.0.1,192.168.1.10", 1, FALSE, FALSE,
		  1 },
		{ "proto,src_host,dst_host", "6,10.0.0.1,192.168.1.10", 1, TRUE,
		  FALSE, 1 },
		{ "proto,src_host,dst_host", "17,10.0.0.1,192.168.1.10", 1,
		  TRUE, FALSE, 0 },
		{ "src_host,dst_host,proto", "*,*,17", 1, FALSE, FALSE, 2 },
		{ "src_host,dst_host,proto", "*,*,*", 1, FALSE, FALSE, 6 },
		{ "src_port", "80", 1, FALSE, TRUE, 0 },
		{ "src_port", "*", 1, FALSE, FALSE, 6 },
		{ "sum_host", "192.168.1.10", 1, FALSE, TRUE, 0 },
		{ "tcpflags", "16", 0, FALSE, FALSE, 0 },
		{ "src_host", "300.1.1.1", 0, FALSE, FALSE, 0 },
	};
	struct memtab *t = ref_table(s);
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		gchar **names = g_strsplit(cases[i].prims, ",", -1);
		gchar **vals = g_strsplit(cases[i].vals, ",", -1);
		const struct prim *prims[8];
		struct aggkey_query q;
		guint k, n = g_strv_length(names);
		int hits = 0;
		gboolean ok;

		for (k = 0; k < n; k++)
			prims[k] = prim_find(names[k]);
		ok = aggkey_query_build(s, prims, (const char *const *)vals, n,
					&q, NULL);
		assert_int_equal(ok, cases[i].ok);
		if (ok) {
			assert_int_equal(q.exact && !q.never, cases[i].exact);
			assert_int_equal(q.never, cases[i].never);
			hits = (int)memtab_match(t, s, &q, NULL, NULL);
			assert_int_equal(hits, cases[i].hits);
		}
		g_strfreev(names);
		g_strfreev(vals);
	}
	memtab_free(t);
	g_free(s);
}

static void
test_hash(void **state)
{
	uint8_t a[39] = { 4, 192, 168, 1, 10 };
	uint8_t b[39] = { 4, 192, 168, 1, 11 };
	GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
	static gint64 hs[4096];
	int i;

	assert_true(aggkey_hash(a, sizeof(a)) == aggkey_hash(a, sizeof(a)));
	assert_true(aggkey_hash(a, sizeof(a)) != aggkey_hash(b, sizeof(b)));
	/* Ports 0..4095 of one host: no two keys share a 64-bit hash, and
	 * the low 12 bits (a bucket index) spread over most buckets. */
	for (i = 0; i < 4096; i++) {
		a[35] = (uint8_t)(i >> 8);
		a[36] = (uint8_t)i;
		hs[i] = (gint64)aggkey_hash(a, sizeof(a));
		g_hash_table_add(seen, &hs[i]);
	}
	assert_int_equal(g_hash_table_size(seen), 4096);
	g_hash_table_remove_all(seen);
	for (i = 0; i < 4096; i++) {
		hs[i] &= 4095;
		g_hash_table_add(seen, &hs[i]);
	}
	assert_true(g_hash_table_size(seen) > 2400); /* 1 - 1/e: 2589 */
	g_hash_table_destroy(seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_errors_named),
		cmocka_unit_test(test_col_order),
		cmocka_unit_test(test_pack_5tuple),
		cmocka_unit_test(test_pack_nets),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_reference_counts),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
