/* SPDX-License-Identifier: ISC */
/*
 * aggregate_filter against libpcap on real packets. mkpackets.py builds,
 * for each record of the table, the real packet of its flow (checksums,
 * lengths, payload) with and without its 802.1Q tag; libpcap compiles
 * every expression on its own and says whether each real packet passes.
 * filter_match() on the record must agree: with the untagged packet for
 * an expression that does not say `vlan` (our documented rule), with the
 * tagged one for an expression that does. A comma list must agree with
 * the OR of its parts.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <pcap.h>

#include "collector/filter.h"

struct rec_case {
	int family;
	const char *src, *dst;
	int proto, sport, dport, tos, flags, vlan;
	const char *smac, *dmac;
	int packets, octets;
};

static const struct rec_case recs[] = {
	{ 4, "192.168.1.10", "10.0.0.1", 6, 40000, 80, 0, 0x10, 0,
	  "00:11:22:33:44:01", "00:11:22:33:44:02", 5, 700 },
	{ 4, "10.0.0.1", "192.168.1.10", 6, 80, 40000, 0, 0x18, 1,
	  "00:11:22:33:44:02", "00:11:22:33:44:01", 3, 3120 },
	{ 4, "192.168.1.11", "8.8.8.8", 17, 5353, 53, 0x10, 0, 100,
	  "00:11:22:33:44:03", "00:11:22:33:44:02", 2, 156 },
	{ 4, "192.168.1.10", "1.1.1.1", 1, 0, 0x0800, 0, 0, 255,
	  "00:11:22:33:44:01", "00:11:22:33:44:02", 1, 28 },
	{ 4, "192.168.2.20", "10.0.0.2", 17, 1234, 5678, 0, 0, 256,
	  "00:11:22:33:44:04", "00:11:22:33:44:02", 1, 38 },
	{ 4, "172.16.5.5", "10.9.9.9", 6, 53, 2000, 0x20, 0x02, 300,
	  "00:11:22:33:44:05", "00:11:22:33:44:06", 4, 4000 },
	{ 4, "192.168.1.10", "10.0.0.1", 6, 40001, 80, 0, 0x12, 4094,
	  "00:11:22:33:44:01", "00:11:22:33:44:02", 2, 2000 },
	{ 6, "2001:db8::10", "2001:db8:1::1", 6, 50000, 443, 0, 0x02, 0,
	  "00:11:22:33:44:01", "00:11:22:33:44:02", 2, 160 },
	{ 6, "2001:db8::10", "2001:db8:1::53", 17, 40000, 53, 0x28, 0, 300,
	  "00:11:22:33:44:01", "00:11:22:33:44:02", 1, 90 },
	{ 6, "2001:db8::10", "2001:db8:1::1", 58, 0, 0x8000, 0, 0, 100,
	  "00:11:22:33:44:01", "00:11:22:33:44:02", 1, 104 },
	{ 6, "fe80::1", "ff02::1", 17, 546, 547, 0, 0, 4094,
	  "00:11:22:33:44:07", "33:33:00:01:00:02", 1, 1200 },
};

static const char *const exprs[] = {
	"ip",
	"ip6",
	"tcp",
	"udp",
	"icmp",
	"icmp6",
	"port 53",
	"dst port 53",
	"src port 53",
	"net 10.0.0.0/8",
	"dst net 10.0.0.0/8",
	"not ip",
	"not ip6",
	"host 192.168.1.10",
	"host 2001:db8::10",
	"ether src 00:11:22:33:44:01",
	"ether dst 00:11:22:33:44:02",
	"ip[1] = 0x10",
	"ip[1] & 0xfc = 0x20",
	"tcp[tcpflags] & tcp-syn != 0",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-ack",
	"icmp[icmptype] = icmp-echo",
	"ip6 and udp",
	"ip6[0:2] & 0x0ff0 = 0x0280",
	"less 100",
	"greater 1000",
	"portrange 50-60",
	"vlan",
	"not vlan",
	"vlan 1",
	"vlan 100",
	"vlan 255",
	"vlan 256",
	"vlan 300",
	"vlan 4094",
	"vlan and ip",
	"vlan and ip6",
	"vlan and port 53",
	"vlan 300 and tcp",
	"ip, ip6",
	"port 53, port 80",
	"vlan 100, not vlan",
	"udp, vlan and tcp",
};

static GPtrArray *pkts; /* real frames: [2 * i] untagged, [2 * i + 1] tagged */
static GPtrArray *hdrs;

static gpointer
dup(const void *p, size_t n)
{
	gpointer d = g_malloc(n);

	memcpy(d, p, n);
	return d;
}

static void
rec_fill(const struct rec_case *c, struct flowrec *r)
{
	uint8_t b[16];
	int af = c->family == 6 ? AF_INET6 : AF_INET;

	memset(r, 0, sizeof(*r));
	assert_int_equal(inet_pton(af, c->src, b), 1);
	c->family == 6 ? ft_addr_set6(&r->src, b) : ft_addr_set4(&r->src, b);
	assert_int_equal(inet_pton(af, c->dst, b), 1);
	c->family == 6 ? ft_addr_set6(&r->dst, b) : ft_addr_set4(&r->dst, b);
	r->proto = (uint8_t)c->proto;
	r->src_port = (uint16_t)c->sport;
	r->dst_port = (uint16_t)c->dport;
	r->tos = (uint8_t)c->tos;
	r->tcp_flags = (uint8_t)c->flags;
	r->vlan = (uint16_t)c->vlan;
	r->packets = (uint64_t)c->packets;
	r->octets = (uint64_t)c->octets;
	r->flows = 1;
	assert_int_equal(sscanf(c->smac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
				&r->src_mac[0], &r->src_mac[1], &r->src_mac[2],
				&r->src_mac[3], &r->src_mac[4], &r->src_mac[5]),
			 6);
	assert_int_equal(sscanf(c->dmac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
				&r->dst_mac[0], &r->dst_mac[1], &r->dst_mac[2],
				&r->dst_mac[3], &r->dst_mac[4], &r->dst_mac[5]),
			 6);
}

/* Write the record table, run mkpackets.py, read the frames back. */
static int
load_real_packets(void)
{
	gchar *dir = g_dir_make_tmp("ftfilter-XXXXXX", NULL);
	gchar *txt = g_build_filename(dir, "recs.txt", NULL);
	gchar *cap = g_build_filename(dir, "real.pcap", NULL);
	const gchar *argv[] = { "python3", FT_SRCDIR "/tests/mkpackets.py", txt,
				cap, NULL };
	char errbuf[PCAP_ERRBUF_SIZE];
	GString *s = g_string_new(NULL);
	const struct pcap_pkthdr *h;
	const u_char *data;
	gint status = -1;
	pcap_t *p;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(recs); i++) {
		const struct rec_case *c = &recs[i];

		g_string_append_printf(s,
				       "%d %s %s %d %d %d %d %d %d %s %s "
				       "%d %d\n",
				       c->family, c->src, c->dst, c->proto,
				       c->sport, c->dport, c->tos, c->flags,
				       c->vlan, c->smac, c->dmac, c->packets,
				       c->octets);
	}
	g_file_set_contents(txt, s->str, -1, NULL);
	g_string_free(s, TRUE);
	if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
			  NULL, NULL, NULL, &status, NULL) ||
	    status != 0)
		return -1;
	p = pcap_open_offline(cap, errbuf);
	if (p == NULL)
		return -1;
	pkts = g_ptr_array_new_with_free_func(g_free);
	hdrs = g_ptr_array_new_with_free_func(g_free);
	while (pcap_next_ex(p, (struct pcap_pkthdr **)&h, &data) == 1) {
		g_ptr_array_add(pkts, dup(data, h->caplen));
		g_ptr_array_add(hdrs, dup(h, sizeof(*h)));
	}
	pcap_close(p);
	g_unlink(txt);
	g_unlink(cap);
	g_rmdir(dir);
	g_free(txt);
	g_free(cap);
	g_free(dir);
	return pkts->len == 2 * G_N_ELEMENTS(recs) ? 0 : -1;
}

/* What libpcap says about `expr` on real frame `k`. */
static gboolean
pcap_says(const char *expr, size_t k)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	int rc;

	if (pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0)
		fail_msg("libpcap refuses '%s': %s", expr, pcap_geterr(dead));
	rc = pcap_offline_filter(&prog, g_ptr_array_index(hdrs, k),
				 g_ptr_array_index(pkts, k));
	pcap_freecode(&prog);
	pcap_close(dead);
	return rc != 0;
}

/* One part on the real packet of record `i`, tagged if it says vlan. */
static gboolean
truth_part(const char *part, size_t i)
{
	return pcap_says(part, 2 * i + (strstr(part, "vlan") != NULL));
}

static gboolean
truth(const char *expr, size_t i)
{
	gchar **parts = g_strsplit(expr, ",", -1);
	gboolean any = FALSE;
	guint k;

	for (k = 0; parts[k] != NULL; k++)
		any = any || truth_part(g_strstrip(parts[k]), i);
	g_strfreev(parts);
	return any;
}

static void
test_against_libpcap(void **state)
{
	size_t e, i, positives = 0;

	for (e = 0; e < G_N_ELEMENTS(exprs); e++) {
		GError *err = NULL;
		struct filter *f = filter_new(exprs[e], &err);

		if (f == NULL)
			fail_msg("'%s': %s", exprs[e], err->message);
		for (i = 0; i < G_N_ELEMENTS(recs); i++) {
			struct flowrec r;
			gboolean want = truth(exprs[e], i);

			rec_fill(&recs[i], &r);
			if (filter_match(f, &r) != want)
				fail_msg("'%s' on record %zu (vlan %d): "
					 "libpcap says %d",
					 exprs[e], i, recs[i].vlan, want);
			positives += want;
		}
		filter_free(f);
	}
	/* The table is not degenerate: both outcomes occur often. */
	assert_true(positives > 50);
	assert_true(positives < G_N_ELEMENTS(exprs) * G_N_ELEMENTS(recs) - 50);
}

/* The rule itself: without `vlan`, a tagged record matches like an
 * untagged one, which raw BPF on the tagged packet would not do. */
static void
test_vlan_rule(void **state)
{
	static const int vlans[] = { 1, 100, 255, 256, 300, 4094 };
	struct filter *ip = filter_new("ip", NULL);
	struct filter *notip = filter_new("not ip", NULL);
	struct flowrec r;
	size_t i;

	rec_fill(&recs[0], &r);
	for (i = 0; i < G_N_ELEMENTS(vlans); i++) {
		r.vlan = (uint16_t)vlans[i];
		assert_true(filter_match(ip, &r));
		assert_false(filter_match(notip, &r));
	}
	/* Raw BPF on the real tagged packet of record 1 (vlan 1) differs. */
	assert_false(pcap_says("ip", 3));
	assert_true(pcap_says("not ip", 3));
	assert_true(pcap_says("vlan and ip", 3));
	filter_free(ip);
	filter_free(notip);
}

static void
test_excludes_ipv6(void **state)
{
	static const struct {
		const char *expr;
		gboolean no_ipv6;
	} cases[] = {
		{ "ip", TRUE },
		{ "net 10.0.0.0/8", TRUE },
		{ "icmp", TRUE },
		{ "ip and tcp", TRUE },
		{ "vlan and ip", TRUE },
		{ "ip6", FALSE },
		{ "tcp", FALSE },
		{ "port 53", FALSE },
		{ "not ip", FALSE },
		{ "ip, ip6", FALSE },
		{ "ip, tcp", FALSE },
		{ "net 10.0.0.0/8, net 2001:db8::/32", FALSE },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct filter *f = filter_new(cases[i].expr, NULL);

		assert_non_null(f);
		if (filter_excludes_ipv6(f) != cases[i].no_ipv6)
			fail_msg("'%s': excludes IPv6 should be %d",
				 cases[i].expr, cases[i].no_ipv6);
		filter_free(f);
	}
}

static void
test_errors(void **state)
{
	static const char *const bad[] = {
		"ip and", "port 99999", "tcp, foo bar", "", " , ", "ip and ip6",
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *err = NULL;

		assert_null(filter_new(bad[i], &err));
		assert_non_null(err);
		assert_non_null(strstr(err->message, "aggregate_filter"));
		g_error_free(err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_libpcap),
		cmocka_unit_test(test_vlan_rule),
		cmocka_unit_test(test_excludes_ipv6),
		cmocka_unit_test(test_errors),
	};

	if (load_real_packets() != 0) {
		fprintf(stderr, "test-filter: python3 could not build the "
				"real packets: skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
