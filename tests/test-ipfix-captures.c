/* SPDX-License-Identifier: ISC */
/*
 * The IPFIX decoder against the shared captures. Each case feeds the
 * files of one row of data/captures/INDEX.md through the dispatcher and
 * checks, per exporter and observation domain, the records, octets and
 * packets that reach the sink, the options records, the data sets with
 * no known template and the sampling rate announced, against the values
 * INDEX.md gives (tshark's decode). Where our decode differs on purpose,
 * the case says why.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "collector/dispatch.h"
#include "collector/offline.h"
#include "tests/recvfeed.h"

#define CAPTURES FT_SRCDIR "/../shared/data/captures/"
#define PAYLOAD  FEED_PAYLOAD_SOURCE

struct expect {
	const char *exporter; /* "" for an IPFIX File */
	uint32_t domain;
	uint64_t records, octets, packets, options;
	uint32_t sampling; /* domain's rate from options, 0 = none */
};

enum feed_kind { FEED_PCAP, FEED_PAYLOAD, FEED_FILE };

struct capcase {
	const char *name;
	enum feed_kind kind;
	const char *files[8];
	struct expect expect[2];
	uint64_t no_template; /* data sets counted with no template */
	uint64_t unsupported; /* NetFlow datagrams, not decoded yet */
	struct recv_opts opts;
	const char *note;
};

static const struct capcase cases[] = {
	{ .name = "pmacct-100 two domains",
	  .kind = FEED_PCAP,
	  .files = { "flow/pmacct-100-ipfix-cisco-2odid.pcap" },
	  .expect = { { "138.187.0.13", 851968, 8, 13502, 19, 0, 0 },
		      { "138.187.0.13", 917504, 4, 20670, 15, 0, 0 } } },
	{ .name = "pmacct-104 IPv6 exporter, 1:256 sampler",
	  .kind = FEED_PCAP,
	  .files = { "flow/pmacct-104-ipfix-ipv6-cisco-sampling.pcap" },
	  .expect = { { "2a02:a90:4007:700::54", 0, 3, 10632, 121, 1, 256 } } },
	{ .name = "pmacct-104 renormalised by its options",
	  .kind = FEED_PCAP,
	  .files = { "flow/pmacct-104-ipfix-ipv6-cisco-sampling.pcap" },
	  .expect = { { "2a02:a90:4007:700::54", 0, 3, 10632 * 256, 121 * 256,
			1, 256 } },
	  .opts = { .renormalize = TRUE },
	  .note = "INDEX.md: raw x 256 (options record before the data)" },
	{ .name = "mikrotik renormalised by a forced rate",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/ls-ipfix-mikrotik/ipfix_test_mikrotik_tpl.dat",
		     "payloads/ls-ipfix-mikrotik/"
		     "ipfix_test_mikrotik_data258.dat",
		     "payloads/ls-ipfix-mikrotik/"
		     "ipfix_test_mikrotik_data259.dat" },
	  .expect = { { PAYLOAD, 0, 46, 103235 * 100, 253 * 100, 0, 0 } },
	  .opts = { .renormalize = TRUE, .ext_sampling_rate = 100 } },
	{ .name = "pmacct-111 IPv6 exporter",
	  .kind = FEED_PCAP,
	  .files = { "flow/pmacct-111-ipfix-ipv6-exporter.pcap" },
	  .expect = { { "2001:4d98:a100:303:0:931:f:1", 0, 13, 9820, 16, 0,
			0 } } },
	{ .name = "akvorado ipfixprobe biflow",
	  .kind = FEED_PCAP,
	  .files = { "flow/akvorado-ipfix-ipfixprobe-templates.pcap",
		     "flow/akvorado-ipfix-ipfixprobe-data.pcap" },
	  .expect = { { "127.0.0.1", 1, 4, 24268, 34, 0, 0 } },
	  .note = "reverse (PEN 29305) counters are not accounted" },
	{ .name = "akvorado ipfixprobe data alone",
	  .kind = FEED_PCAP,
	  .files = { "flow/akvorado-ipfix-ipfixprobe-data.pcap" },
	  .expect = { { "127.0.0.1", 1, 0, 0, 0, 0, 0 } },
	  .no_template = 1 },
	{ .name = "akvorado juniper sampled frame section",
	  .kind = FEED_PCAP,
	  .files = { "flow/akvorado-ipfix-juniper-cpid-template.pcap",
		     "flow/akvorado-ipfix-juniper-cpid-data.pcap" },
	  .expect = { { "10.0.0.15", 65536, 1, 0, 0, 0, 0 } },
	  .note = "dataLinkFrameSize (312) is not an octet counter" },
	{ .name = "akvorado data link section",
	  .kind = FEED_PCAP,
	  .files = { "flow/akvorado-ipfix-datalink-template.pcap",
		     "flow/akvorado-ipfix-datalink-data.pcap" },
	  .expect = { { "49.49.49.49", 16843264, 1, 0, 0, 0, 0 } },
	  .note = "the raw frame section is not parsed into L3 counters" },
	{ .name = "akvorado mpls",
	  .kind = FEED_PCAP,
	  .files = { "flow/akvorado-ipfix-mpls.pcap" },
	  .expect = { { "10.127.100.7", 16777216, 2, 979, 11, 1, 10 } },
	  .note = "tshark: samplingPacketInterval 1, samplingPacketSpace 9" },
	{ .name = "akvorado physical interfaces",
	  .kind = FEED_PCAP,
	  .files = { "flow/akvorado-ipfix-physicalinterfaces.pcap" },
	  .expect = { { "10.4.2.60", 0, 8, 31111, 29, 1, 1000 } },
	  .note = "tshark: samplingPacketInterval 1, samplingPacketSpace 999" },
	{ .name = "mikrotik",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/ls-ipfix-mikrotik/ipfix_test_mikrotik_tpl.dat",
		     "payloads/ls-ipfix-mikrotik/"
		     "ipfix_test_mikrotik_data258.dat",
		     "payloads/ls-ipfix-mikrotik/"
		     "ipfix_test_mikrotik_data259.dat" },
	  .expect = { { PAYLOAD, 0, 46, 103235, 253, 0, 0 } } },
	{ .name = "netscaler variable-length fields",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/ls-ipfix-netscaler-varlen/"
		     "ipfix_test_netscaler_tpl.dat",
		     "payloads/ls-ipfix-netscaler-varlen/"
		     "ipfix_test_netscaler_data.dat" },
	  .expect = { { PAYLOAD, 0, 3, 3106, 5, 0, 0 } },
	  .no_template = 1 },
	{ .name = "yaf biflow",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/ls-ipfix-yaf-biflow/"
		     "ipfix_test_yaf_tpls_option_tpl.dat",
		     "payloads/ls-ipfix-yaf-biflow/ipfix_test_yaf_tpl45841.dat",
		     "payloads/ls-ipfix-yaf-biflow/"
		     "ipfix_test_yaf_data45841.dat",
		     "payloads/ls-ipfix-yaf-biflow/"
		     "ipfix_test_yaf_data45873.dat",
		     "payloads/ls-ipfix-yaf-biflow/"
		     "ipfix_test_yaf_data53248.dat" },
	  .expect = { { PAYLOAD, 0, 2, 304, 6, 1, 0 } },
	  .note = "octets/packets from the totals (85/86); reverse ignored" },
	{ .name = "juniper mx240 sampling options",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/ls-ipfix-juniper-mx240/"
		     "ipfix_test_juniper_mx240_junos151r6s3_opttpl512.dat",
		     "payloads/ls-ipfix-juniper-mx240/"
		     "ipfix_test_juniper_mx240_junos151r6s3_data512.dat" },
	  .expect = { { PAYLOAD, 524288, 0, 0, 0, 1, 1000 } } },
	{ .name = "openbsd pflow",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/ls-ipfix-openbsd-pflow/"
		     "ipfix_test_openbsd_pflow_tpl.dat",
		     "payloads/ls-ipfix-openbsd-pflow/"
		     "ipfix_test_openbsd_pflow_data.dat" },
	  .expect = { { PAYLOAD, 42, 26, 99323, 209, 0, 0 } } },
	{ .name = "vmware vds",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/ls-ipfix-vmware-vds/"
		     "ipfix_test_vmware_vds_tpl.dat",
		     "payloads/ls-ipfix-vmware-vds/"
		     "ipfix_test_vmware_vds_data264.dat",
		     "payloads/ls-ipfix-vmware-vds/"
		     "ipfix_test_vmware_vds_data266.dat",
		     "payloads/ls-ipfix-vmware-vds/"
		     "ipfix_test_vmware_vds_data266_267.dat" },
	  .expect = { { PAYLOAD, 0, 5, 806, 8, 0, 0 } } },
	{ .name = "procera, no counters",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/ls-ipfix-procera/"
		     "ipfix_test_procera_tpl52935.dat",
		     "payloads/ls-ipfix-procera/"
		     "ipfix_test_procera_data52935.dat" },
	  .expect = { { PAYLOAD, 2875616939u, 8, 0, 0, 0, 0 } } },
	{ .name = "telegraf yaf example",
	  .kind = FEED_PAYLOAD,
	  .files = { "payloads/tg-ipfix-example/ipfix_0.bin",
		     "payloads/tg-ipfix-example/ipfix_1.bin",
		     "payloads/tg-ipfix-example/ipfix_2.bin",
		     "payloads/tg-ipfix-example/ipfix_3.bin",
		     "payloads/tg-ipfix-example/ipfix_4.bin",
		     "payloads/tg-ipfix-example/ipfix_5.bin",
		     "payloads/tg-ipfix-example/ipfix_6.bin" },
	  .expect = { { PAYLOAD, 0, 29, 111492, 457, 2, 0 } },
	  .note = "octets/packets from the totals (85/86); reverse ignored" },
	{ .name = "ipfixcol2 IPFIX File",
	  .kind = FEED_FILE,
	  .files = { "flow/ipfixcol2-example_flows.ipfix" },
	  .expect = { { "", 6, 3979, 49001404, 56695, 0, 0 } } },
	{ .name = "NetFlow v9 counted as unsupported",
	  .kind = FEED_PCAP,
	  .files = { "flow/pmacct-101-nfv9-cisco-asr9k.pcap" },
	  .unsupported = 40 },
	{ .name = "NetFlow v5 counted as unsupported",
	  .kind = FEED_PCAP,
	  .files = { "flow/akvorado-nfv5.pcap" },
	  .unsupported = 1 },
};

static void
feed_files(struct dispatch *d, const struct capcase *c)
{
	uint64_t messages;

	for (int i = 0; c->files[i] != NULL; i++) {
		gchar *path = g_strconcat(CAPTURES, c->files[i], NULL);
		int n = 0;

		if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
			print_message("no shared captures: %s\n", path);
			g_free(path);
			skip();
		}
		if (c->kind == FEED_PCAP)
			n = feed_pcap(d, path);
		else if (c->kind == FEED_PAYLOAD)
			n = feed_payload(d, path);
		else
			n = offline_read(d, path, &messages, NULL) ? 1 : -1;
		assert_true(n > 0);
		g_free(path);
	}
}

static void
check_expect(struct dispatch *d, struct tally *t, const struct expect *e)
{
	const struct tally_row *row = tally_find(t, e->exporter, e->domain);
	struct exporter_domain *dom = feed_domain(d, e->exporter, e->domain);

	assert_non_null(dom);
	assert_int_equal(dom->options, e->options);
	assert_int_equal(dom->sampling, e->sampling);
	if (e->records == 0) {
		assert_null(row);
		return;
	}
	assert_non_null(row);
	assert_int_equal(row->records, e->records);
	assert_int_equal(row->octets, e->octets);
	assert_int_equal(row->packets, e->packets);
}

static void
test_capture(void **state)
{
	const struct capcase *c = *state;
	struct tally *t = tally_new();
	struct flow_sink sink = { tally_sink, t };
	struct dispatch *d = dispatch_new(&sink, &c->opts, NULL);
	struct exporter_table *xt = dispatch_exporters(d);
	guint rows = 0;

	if (c->note != NULL)
		print_message("%s: %s\n", c->name, c->note);
	feed_files(d, c);
	for (int i = 0; i < 2 && c->expect[i].exporter != NULL; i++) {
		check_expect(d, t, &c->expect[i]);
		rows += c->expect[i].records != 0;
	}
	assert_int_equal(tally_rows(t), rows);
	assert_int_equal(exporter_drops(xt, EXPORTER_DROP_NO_TEMPLATE),
			 c->no_template);
	assert_int_equal(exporter_drops(xt, EXPORTER_DROP_UNSUPPORTED),
			 c->unsupported);
	assert_int_equal(exporter_drops(xt, EXPORTER_DROP_DECODE), 0);
	dispatch_free(d);
	tally_free(t);
}

int
main(void)
{
	struct CMUnitTest tests[G_N_ELEMENTS(cases)];

	/* Without the captures every case would skip, which cmocka reports
	 * as success: say so and let make check show SKIP instead. */
	if (!g_file_test(CAPTURES "INDEX.md", G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "no shared captures at %s: skipped\n",
			CAPTURES);
		return 77;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		tests[i] = (struct CMUnitTest)cmocka_unit_test(test_capture);
		tests[i].name = cases[i].name;
		tests[i].initial_state = (void *)&cases[i];
	}
	return _cmocka_run_group_tests("ipfix-captures", tests,
				       G_N_ELEMENTS(tests), NULL, NULL);
}
