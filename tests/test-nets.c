/* SPDX-License-Identifier: ISC */
/*
 * networks_file: pmacct's line formats (reference 2.4), comments, host
 * bits, and the longest-prefix match over IPv4 and IPv6. The expected
 * prefix lengths are worked out by hand from the list below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "collector/nets.h"
#include "common/error.h"

static const char nets_text[] = "! prefix only\n"
				"192.168.1.0/24\n"
				"# origin ASN,prefix\n"
				"65001,10.0.0.0/8\n"
				"64512_65001,10.1.0.0/16\n"
				"10.0.0.1,65001,192.168.4.0/23\n"
				"  172.16.7.9/12  \n"
				"\n"
				"2001:db8::/32\n"
				"2001:db8:1::/48\n"
				"10.1.2.3\n";

static const struct {
	const char *addr;
	int plen; /* -1: no prefix holds it */
} cases[] = {
	{ "192.168.1.10", 24 },   { "192.168.1.255", 24 },
	{ "192.168.2.1", -1 },    { "10.0.0.1", 8 },
	{ "10.1.0.1", 16 },       { "10.1.2.3", 32 },
	{ "10.1.2.4", 16 },       { "10.2.0.0", 8 },
	{ "192.168.5.200", 23 },  { "192.168.6.1", -1 },
	{ "172.31.255.255", 12 }, { "172.32.0.0", -1 },
	{ "8.8.8.8", -1 },        { "2001:db8::10", 32 },
	{ "2001:db8:1::1", 48 },  { "2001:db8:2::1", 32 },
	{ "2001:db9::1", -1 },    { "::ffff:10.0.0.1", -1 },
};

static void
test_lookup(void **state)
{
	GError *err = NULL;
	struct nets *n = nets_load_string("nets", nets_text, &err);
	size_t i;

	assert_non_null(n);
	assert_int_equal(nets_count(n), 8);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct ft_addr a;
		uint8_t plen = 0xee;
		gboolean found;

		assert_true(ft_addr_parse(cases[i].addr, &a, NULL));
		found = nets_lookup(n, &a, &plen);
		if (found != (cases[i].plen >= 0) ||
		    (found && plen != cases[i].plen))
			fail_msg("%s: got %d/%u, want /%d", cases[i].addr,
				 found, plen, cases[i].plen);
	}
	nets_free(n);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *where;
	} bad[] = {
		{ "10.0.0.0/8\nfoo\n", "t:2:" },
		{ "! c\n10.0.0.0/33\n", "t:2:" },
		{ "65001,\n", "t:1:" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *err = NULL;

		assert_null(nets_load_string("t", bad[i].text, &err));
		assert_non_null(err);
		assert_true(g_str_has_prefix(err->message, bad[i].where));
		g_error_free(err);
	}
	assert_null(nets_load("/nonexistent/nets.lst", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
