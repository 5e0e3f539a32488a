/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the fmt module, table-driven. The expected lines are
 * pmacct 1.7.7's observed outputs (shared/reference/pmacct-1.7.7.md
 * sections 4.4, 4.5 and 6): the print plugin's order, stamps and
 * timestamp variants here; the CLI's layouts run in test-query-golden.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "collector/fmt.h"

#define MAXV 12

struct layout_case {
	const char *name;
	struct fmt_opts opts;
	const char *prims[MAXV]; /* aggregate names, NULL-terminated */
	struct fmt_extra extra[2];
	size_t nextra;
	const char *values[MAXV];
	struct fmt_counters c;
	const char *header; /* NULL: no header expected (JSON) */
	const char *row;
};

#define PRINT_CSV                                                              \
	{                                                                      \
		.output = FMT_CSV, .order = FMT_ORDER_PRINT,                   \
		.time = FMT_TIME_PLAIN, .utc = TRUE                            \
	}

static const struct layout_case layout_cases[] = {
	/* Reference 6: client and print CSV orders side by side. */
	{ .name = "client csv order",
	  .opts = { .output = FMT_CSV, .order = FMT_ORDER_CLIENT },
	  .prims = { "in_iface", "out_iface", "src_mac", "vlan", "src_host",
		     "dst_port", "proto" },
	  .values = { "1", "2", "00:11:22:33:44:01", "100", "192.168.2.20",
		      "5678", "17" },
	  .c = { 1, 0, 38 },
	  .header = "IN_IFACE,OUT_IFACE,SRC_MAC,VLAN,SRC_IP,DST_PORT,"
		    "PROTOCOL,PACKETS,BYTES\n",
	  .row = "1,2,00:11:22:33:44:01,100,192.168.2.20,5678,udp,1,38\n" },
	{ .name = "print csv order",
	  .opts = { .output = FMT_CSV, .order = FMT_ORDER_PRINT },
	  .prims = { "proto", "dst_port", "src_host", "vlan", "src_mac",
		     "out_iface", "in_iface" },
	  .values = { "17", "5678", "192.168.2.20", "100", "00:11:22:33:44:01",
		      "2", "1" },
	  .c = { 1, 0, 38 },
	  .header = "SRC_MAC,VLAN,IN_IFACE,OUT_IFACE,SRC_IP,DST_PORT,"
		    "PROTOCOL,PACKETS,BYTES\n",
	  .row = "00:11:22:33:44:01,100,1,2,192.168.2.20,5678,udp,1,38\n" },
	/* Reference 6: print plugin csv rows. */
	{ .name = "print csv rows",
	  .opts = PRINT_CSV,
	  .prims = { "src_mac", "src_host", "dst_host", "src_port", "dst_port",
		     "proto", "tos" },
	  .values = { "00:11:22:33:44:03", "192.168.1.11", "8.8.8.8", "5353",
		      "53", "17", "16" },
	  .c = { 2, 0, 156 },
	  .header = "SRC_MAC,SRC_IP,DST_IP,SRC_PORT,DST_PORT,PROTOCOL,TOS,"
		    "PACKETS,BYTES\n",
	  .row = "00:11:22:33:44:03,192.168.1.11,8.8.8.8,5353,53,udp,16,2,"
		 "156\n" },
	/* Reference 6: print plugin formatted output. */
	{ .name = "print formatted",
	  .opts = { .output = FMT_FORMATTED, .order = FMT_ORDER_PRINT },
	  .prims = { "src_mac", "src_host", "dst_host", "src_port", "dst_port",
		     "proto", "tos" },
	  .values = { "00:11:22:33:44:01", "192.168.1.10", "10.0.0.1", "40000",
		      "80", "6", "0" },
	  .c = { 5, 0, 700 },
	  .header = "SRC_MAC            SRC_IP                             "
		    "            DST_IP                                     "
		    "    SRC_PORT  DST_PORT  PROTOCOL    TOS    PACKETS     "
		    "          BYTES\n",
	  .row = "00:11:22:33:44:01  192.168.1.10                           "
		 "        10.0.0.1                                       4000"
		 "0     80        tcp         0      5                     70"
		 "0\n" },
	/* Reference 6: print JSON with event_type and the two stamps. */
	{ .name = "print json stamps",
	  .opts = { .output = FMT_JSON,
		    .order = FMT_ORDER_PRINT,
		    .json_event_type = "purge" },
	  .prims = { "tos", "proto", "dst_port", "src_port", "dst_host",
		     "src_host", "src_mac" },
	  .extra = { { "STAMP_INSERTED", "stamp_inserted", 21 },
		     { "STAMP_UPDATED", "stamp_updated", 21 } },
	  .nextra = 2,
	  .values = { "0", "6", "80", "40000", "10.0.0.1", "192.168.1.10",
		      "00:11:22:33:44:01", "2023-11-14 22:10:00",
		      "2026-12-03 08:26:37" },
	  .c = { 5, 0, 700 },
	  .row = "{\"event_type\": \"purge\", \"mac_src\": "
		 "\"00:11:22:33:44:01\", \"ip_src\": \"192.168.1.10\", "
		 "\"ip_dst\": \"10.0.0.1\", \"port_src\": 40000, \"port_dst\": "
		 "80, \"ip_proto\": \"tcp\", \"tos\": 0, \"stamp_inserted\": "
		 "\"2023-11-14 22:10:00\", \"stamp_updated\": \"2026-12-03 "
		 "08:26:37\", \"packets\": 5, \"bytes\": 700}\n" },
	/* Reference 6: print JSON puts flows first; 4.4: client between. */
	{ .name = "print json flows",
	  .opts = { .output = FMT_JSON,
		    .order = FMT_ORDER_PRINT,
		    .flows = TRUE },
	  .prims = { "dst_port" },
	  .values = { "53" },
	  .c = { 2, 1, 156 },
	  .row = "{\"port_dst\": 53, \"flows\": 1, \"packets\": 2, "
		 "\"bytes\": 156}\n" },
	{ .name = "client json flows",
	  .opts = { .output = FMT_JSON, .flows = TRUE },
	  .prims = { "dst_port" },
	  .values = { "53" },
	  .c = { 2, 1, 156 },
	  .row = "{\"port_dst\": 53, \"packets\": 2, \"flows\": 1, "
		 "\"bytes\": 156}\n" },
	/* Reference 4.3: FLOWS sits between PACKETS and BYTES, 22 wide. */
	{ .name = "client formatted flows",
	  .opts = { .output = FMT_FORMATTED, .flows = TRUE },
	  .prims = { "dst_port" },
	  .values = { "53" },
	  .c = { 2, 1, 156 },
	  .header = "DST_PORT  PACKETS               FLOWS                 "
		    "BYTES\n",
	  .row = "53        2                     1                     "
		 "156\n" },
	/* Reference 6: print timestamps, plain and zero. */
	{ .name = "print time plain",
	  .opts = PRINT_CSV,
	  .prims = { "timestamp_start", "timestamp_end" },
	  .values = { "1700000002.000000", "0.000000" },
	  .c = { 1, 0, 38 },
	  .header = "TIMESTAMP_START,TIMESTAMP_END,PACKETS,BYTES\n",
	  .row = "2023-11-14 22:13:22.000000,0000-00-00 00:00:00.000000,1,"
		 "38\n" },
	{ .name = "print time rfc3339",
	  .opts = { .output = FMT_CSV,
		    .order = FMT_ORDER_PRINT,
		    .time = FMT_TIME_RFC3339,
		    .utc = TRUE },
	  .prims = { "timestamp_start" },
	  .values = { "1700000002.000000" },
	  .c = { 1, 0, 38 },
	  .header = "TIMESTAMP_START,PACKETS,BYTES\n",
	  .row = "2023-11-14T22:13:22.000000Z,1,38\n" },
	{ .name = "print time epoch, secs",
	  .opts = { .output = FMT_CSV,
		    .order = FMT_ORDER_PRINT,
		    .time = FMT_TIME_EPOCH,
		    .time_secs = TRUE },
	  .prims = { "timestamp_start" },
	  .values = { "1700000002.500000" },
	  .c = { 1, 0, 38 },
	  .header = "TIMESTAMP_START,PACKETS,BYTES\n",
	  .row = "1700000002.000000,1,38\n" },
	/* Reference 4.5: zero time in the client; 4.4: tcp_flags a string. */
	{ .name = "client json zero time",
	  .opts = { .output = FMT_JSON, .utc = TRUE },
	  .prims = { "timestamp_end", "tcpflags" },
	  .values = { "0.000000", "16" },
	  .c = { 1, 0, 38 },
	  .row = "{\"tcp_flags\": \"16\", \"timestamp_end\": "
		 "\"1970-01-01T00:00:00.000000Z\", \"packets\": 1, "
		 "\"bytes\": 38}\n" },
	/* Reference 4.5: -a zero values of columns not aggregated. */
	{ .name = "unaggregated zero values",
	  .opts = { .output = FMT_CSV, .utc = TRUE },
	  .prims = { "src_host", "dst_mac", "vlan", "timestamp_start" },
	  .values = { NULL, NULL, NULL, NULL },
	  .c = { 0, 0, 0 },
	  .header = "DST_MAC,VLAN,SRC_IP,TIMESTAMP_START,PACKETS,BYTES\n",
	  .row = "00:00:00:00:00:00,0,0,1970-01-01T00:00:00.000000Z,0,0\n" },
	/* Extra column values are JSON-escaped strings. */
	{ .name = "json escape",
	  .opts = { .output = FMT_JSON, .order = FMT_ORDER_PRINT },
	  .prims = { "src_port" },
	  .extra = { { "LABEL", "label", 10 } },
	  .nextra = 1,
	  .values = { "1", "a\"b\\c\td" },
	  .c = { 1, 0, 2 },
	  .row = "{\"port_src\": 1, \"label\": \"a\\\"b\\\\c\\u0009d\", "
		 "\"packets\": 1, \"bytes\": 2}\n" },
};

static size_t
count_prims(const struct layout_case *lc, const struct prim **p)
{
	size_t n;

	for (n = 0; n < MAXV && lc->prims[n] != NULL; n++) {
		p[n] = prim_find(lc->prims[n]);
		assert_non_null(p[n]);
	}
	return n;
}

static void
test_layouts(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(layout_cases) / sizeof(layout_cases[0]); i++) {
		const struct layout_case *lc = &layout_cases[i];
		const struct prim *p[MAXV];
		size_t n = count_prims(lc, p);
		GString *h = g_string_new(NULL), *r = g_string_new(NULL);
		struct fmt *f =
			fmt_new(&lc->opts, p, n, lc->extra, lc->nextra, NULL);

		print_message("case: %s\n", lc->name);
		assert_non_null(f);
		fmt_header(f, h);
		fmt_row(f, r, lc->values, &lc->c);
		assert_string_equal(h->str, lc->header ? lc->header : "");
		assert_string_equal(r->str, lc->row);
		fmt_free(f);
		g_string_free(h, TRUE);
		g_string_free(r, TRUE);
	}
}

struct time_case {
	struct fmt_opts opts;
	int64_t sec;
	int32_t usec;
	const char *want;
};

/* Reference 6: stamps (no fraction) and the timestamps_* variants. */
static const struct time_case time_cases[] = {
	{ { .time = FMT_TIME_PLAIN, .utc = TRUE },
	  1700000000 - 200,
	  -1,
	  "2023-11-14 22:10:00" },
	{ { .time = FMT_TIME_PLAIN, .utc = TRUE },
	  1700000002,
	  0,
	  "2023-11-14 22:13:22.000000" },
	{ { .time = FMT_TIME_RFC3339, .utc = TRUE },
	  1700000002,
	  500000,
	  "2023-11-14T22:13:22.500000Z" },
	{ { .time = FMT_TIME_EPOCH }, 1700000002, 500000, "1700000002.500000" },
	{ { .time = FMT_TIME_PLAIN, .utc = TRUE, .time_secs = TRUE },
	  1700000002,
	  500000,
	  "2023-11-14 22:13:22.000000" },
	{ { .time = FMT_TIME_PLAIN, .utc = TRUE },
	  0,
	  0,
	  "0000-00-00 00:00:00.000000" },
};

static void
test_times(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		GString *s = g_string_new(NULL);

		fmt_time(&time_cases[i].opts, time_cases[i].sec,
			 time_cases[i].usec, s);
		assert_string_equal(s->str, time_cases[i].want);
		g_string_free(s, TRUE);
	}
}

/* Local RFC 3339 times carry an offset (+01:00): one character more
 * than pmacct's width leaves room for, yet the columns stay aligned. */
static void
test_local_time_aligned(void **state)
{
	const struct prim *p[2] = { prim_find("src_port"),
				    prim_find("timestamp_start") };
	struct fmt_opts o = { .output = FMT_FORMATTED,
			      .time = FMT_TIME_RFC3339 };
	const char *v[2] = { "1", "1700000002.500000" };
	struct fmt_counters c = { 1, 0, 38 };
	GString *h = g_string_new(NULL), *r = g_string_new(NULL);
	struct fmt *f;
	const char *stamp;

	setenv("TZ", "<+01>-1", 1);
	tzset();
	f = fmt_new(&o, p, 2, NULL, 0, NULL);
	assert_non_null(f);
	fmt_header(f, h);
	fmt_row(f, r, v, &c);
	stamp = strstr(r->str, "2023-11-14T23:13:22.500000+01:00 ");
	assert_non_null(stamp);
	assert_int_equal(stamp - r->str,
			 strstr(h->str, "TIMESTAMP_START") - h->str);
	assert_int_equal(strstr(r->str, "00 1 ") + 3 - r->str,
			 strstr(h->str, "PACKETS") - h->str);
	fmt_free(f);
	g_string_free(h, TRUE);
	g_string_free(r, TRUE);
	setenv("TZ", "UTC", 1);
	tzset();
}

/* src_host and sum_host share the SRC_IP column: refused. */
static void
test_shared_column(void **state)
{
	const struct prim *p[2] = { prim_find("src_host"),
				    prim_find("sum_host") };
	struct fmt_opts o = { .output = FMT_CSV };
	GError *err = NULL;

	assert_null(fmt_new(&o, p, 2, NULL, 0, &err));
	assert_non_null(err);
	g_error_free(err);
}

/* Reference 4.4/4.5: the footer, and only for formatted output. */
static void
test_footer(void **state)
{
	const struct prim *p[1] = { prim_find("dst_port") };
	struct fmt_opts o = { .output = FMT_FORMATTED };
	struct fmt *f = fmt_new(&o, p, 1, NULL, 0, NULL);
	GString *s = g_string_new(NULL);

	fmt_footer(f, s, 2);
	assert_string_equal(s->str, "\nFor a total of: 2 entries\n");
	fmt_free(f);
	o.output = FMT_CSV;
	f = fmt_new(&o, p, 1, NULL, 0, NULL);
	g_string_truncate(s, 0);
	fmt_footer(f, s, 2);
	assert_string_equal(s->str, "");
	fmt_free(f);
	g_string_free(s, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_local_time_aligned),
		cmocka_unit_test(test_shared_column),
		cmocka_unit_test(test_footer),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
