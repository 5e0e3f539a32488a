/* SPDX-License-Identifier: ISC */
/*
 * Addresses and prefixes: parsing both families, the text form, masking
 * and prefix membership. The expected bytes are written out by hand from
 * the address text, so the test does not lean on inet_pton.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/addr.h"
#include "common/error.h"

static const struct {
	const char *text;
	uint8_t family; /* 0: refused */
	uint8_t bytes[16];
	const char *canon; /* text form back */
} addrs[] = {
	{ "192.0.2.1", 4, { 192, 0, 2, 1 }, "192.0.2.1" },
	{ "0.0.0.0", 4, { 0 }, "0.0.0.0" },
	{ "255.255.255.255", 4, { 255, 255, 255, 255 }, "255.255.255.255" },
	{ "2001:db8::1",
	  6,
	  { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	  "2001:db8::1" },
	{ "2001:DB8:0:0:0:0:0:10",
	  6,
	  { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 },
	  "2001:db8::10" },
	{ "::", 6, { 0 }, "::" },
	{ "::ffff:192.0.2.1",
	  6,
	  { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 },
	  "::ffff:192.0.2.1" },
	{ "192.0.2", 0, { 0 }, NULL },
	{ "192.0.2.256", 0, { 0 }, NULL },
	{ "192.0.2.1 ", 0, { 0 }, NULL },
	{ "2001:db8:::1", 0, { 0 }, NULL },
	{ "[::1]", 0, { 0 }, NULL },
	{ "", 0, { 0 }, NULL },
	{ "localhost", 0, { 0 }, NULL },
};

static void
test_parse(void **state)
{
	char buf[FT_ADDR_STRLEN];
	struct ft_addr a;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(addrs); i++) {
		GError *err = NULL;
		gboolean ok;

		memset(&a, 0xaa, sizeof(a));
		ok = ft_addr_parse(addrs[i].text, &a, &err);
		if (ok != (addrs[i].family != 0))
			fail_msg("'%s': accepted %d", addrs[i].text, ok);
		if (!ok) {
			assert_int_equal(err->code, FT_ERROR_SYNTAX);
			g_clear_error(&err);
			continue;
		}
		assert_int_equal(a.family, addrs[i].family);
		assert_memory_equal(a.bytes, addrs[i].bytes, 16);
		assert_string_equal(ft_addr_ntop(&a, buf, sizeof(buf)),
				    addrs[i].canon);
	}
}

static void
test_none(void **state)
{
	struct ft_addr a = { 0 };
	char buf[FT_ADDR_STRLEN];

	assert_string_equal(ft_addr_ntop(&a, buf, sizeof(buf)), "0.0.0.0");
}

/* Two equal addresses compare equal with memcmp, whatever came before. */
static void
test_set_clears(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 2,  3,  4,
					5,    6,    7,    8,    9, 10, 11, 12 };
	static const uint8_t v4[4] = { 10, 0, 0, 1 };
	struct ft_addr a, b;

	ft_addr_set6(&a, v6);
	ft_addr_set4(&a, v4);
	memset(&b, 0, sizeof(b));
	ft_addr_set4(&b, v4);
	assert_memory_equal(&a, &b, sizeof(a));
	memset(&a, 0x55, sizeof(a));
	memset(&b, 0, sizeof(b));
	ft_addr_set6(&a, v6);
	ft_addr_set6(&b, v6);
	assert_memory_equal(&a, &b, sizeof(a));
}

static const struct {
	const char *text;
	uint8_t plen; /* 255: refused */
	const char *net;
} prefixes[] = {
	{ "10.0.0.0/8", 8, "10.0.0.0" },
	{ "10.1.2.3/8", 8, "10.0.0.0" },
	{ "192.168.1.130/25", 25, "192.168.1.128" },
	{ "192.0.2.1", 32, "192.0.2.1" },
	{ "0.0.0.0/0", 0, "0.0.0.0" },
	{ "2001:db8:1:2::1/48", 48, "2001:db8:1::" },
	{ "2001:db8::ff/121", 121, "2001:db8::80" },
	{ "::1", 128, "::1" },
	{ "10.0.0.0/33", 255, NULL },
	{ "2001:db8::/129", 255, NULL },
	{ "10.0.0.0/", 255, NULL },
	{ "10.0.0.0/8x", 255, NULL },
	{ "10.0.0.0/-1", 255, NULL },
	{ "10.0.0.0/+8", 255, NULL },
	{ "10.0.0.0/ 8", 255, NULL },
	{ "10.0.0/8", 255, NULL },
};

static void
test_prefix(void **state)
{
	char buf[FT_ADDR_STRLEN];
	struct ft_addr a;
	uint8_t plen;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		GError *err = NULL;
		gboolean ok =
			ft_prefix_parse(prefixes[i].text, &a, &plen, &err);

		if (ok != (prefixes[i].plen != 255))
			fail_msg("'%s': accepted %d", prefixes[i].text, ok);
		if (!ok) {
			g_clear_error(&err);
			continue;
		}
		assert_int_equal(plen, prefixes[i].plen);
		assert_string_equal(ft_addr_ntop(&a, buf, sizeof(buf)),
				    prefixes[i].net);
	}
}

static const struct {
	const char *prefix, *addr;
	gboolean in;
} members[] = {
	{ "10.0.0.0/8", "10.255.1.1", TRUE },
	{ "10.0.0.0/8", "11.0.0.0", FALSE },
	{ "192.168.1.128/25", "192.168.1.127", FALSE },
	{ "192.168.1.128/25", "192.168.1.255", TRUE },
	{ "0.0.0.0/0", "203.0.113.9", TRUE },
	{ "0.0.0.0/0", "::1", FALSE },
	{ "::/0", "10.0.0.1", FALSE },
	{ "2001:db8::/32", "2001:db8:ffff::1", TRUE },
	{ "2001:db8::/32", "2001:db9::1", FALSE },
	{ "192.0.2.1", "192.0.2.1", TRUE },
	{ "192.0.2.1", "192.0.2.2", FALSE },
};

static void
test_contains(void **state)
{
	struct ft_addr p, a;
	uint8_t plen, alen;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(members); i++) {
		assert_true(
			ft_prefix_parse(members[i].prefix, &p, &plen, NULL));
		assert_true(ft_prefix_parse(members[i].addr, &a, &alen, NULL));
		if (ft_prefix_contains(&p, plen, &a) != members[i].in)
			fail_msg("%s in %s: expected %d", members[i].addr,
				 members[i].prefix, members[i].in);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_set_clears),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_contains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
