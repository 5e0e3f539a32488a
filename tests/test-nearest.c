/* SPDX-License-Identifier: ISC */
/*
 * The did-you-mean search: edit distances worked out by hand (optimal
 * string alignment, where a swap of neighbours costs one but "ca" to "abc"
 * is still three), and which candidate a misspelt name gets, if any.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "common/nearest.h"

#define TOO_LONG ((size_t)-1)

static const struct {
	const char *a, *b;
	size_t d;
} distances[] = {
	{ "", "", 0 },
	{ "abc", "", 3 },
	{ "", "abc", 3 },
	{ "abc", "abc", 0 },
	{ "agregate", "aggregate", 1 },  /* a letter left out */
	{ "aggergate", "aggregate", 1 }, /* two letters swapped */
	{ "src_host", "dst_host", 3 },   /* s-d, r-s, c-t */
	{ "nfacctd_prot", "nfacctd_port", 1 },
	{ "kitten", "sitting", 3 },
	{ "ca", "abc", 3 },
	{ "abcdefghijkl", "abcdefghwxyz", 4 },
	{ "0123456789012345678901234567890123456789012345678901234567890123",
	  "x", TOO_LONG },
};

static void
test_distance(void **state)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(distances); i++) {
		size_t d = nearest_distance(distances[i].a, distances[i].b);

		if (d != distances[i].d)
			fail_msg("'%s' to '%s': %zu, expected %zu",
				 distances[i].a, distances[i].b, d,
				 distances[i].d);
		assert_int_equal(
			nearest_distance(distances[i].b, distances[i].a), d);
	}
}

static const struct {
	const char *name;
	const char *candidates[4]; /* NULL-ended */
	const char *want;          /* NULL: no hint */
} searches[] = {
	{ "agregate",
	  { "plugins", "aggregate_filter", "aggregate" },
	  "aggregate" },
	{ "pcap_filtre", { "pcap_interface", "pcap_filter" }, "pcap_filter" },
	{ "bogus_key", { "aggregate", "plugins" }, NULL },
	/* Ties: the first candidate offered wins. */
	{ "sr_host", { "src_host", "sr_hosts" }, "src_host" },
	/* Two edits always count as a typo, even in a short name. */
	{ "ab", { "xy" }, "xy" },
	{ "abc", { "xyz" }, NULL },
	/* Long names: a third of the name. */
	{ "abcdefghijkl", { "abcdefghwxyz" }, "abcdefghwxyz" },
	{ "abcdefghijkl", { "abcdefgvwxyz" }, NULL },
	{ "anything", { NULL }, NULL },
};

static void
test_result(void **state)
{
	struct nearest n;
	const char *got;
	size_t i, j;

	for (i = 0; i < G_N_ELEMENTS(searches); i++) {
		nearest_init(&n, searches[i].name);
		for (j = 0; searches[i].candidates[j] != NULL; j++)
			nearest_try(&n, searches[i].candidates[j]);
		got = nearest_result(&n);
		if (g_strcmp0(got, searches[i].want) != 0)
			fail_msg("'%s': got %s, expected %s", searches[i].name,
				 got ? got : "none",
				 searches[i].want ? searches[i].want : "none");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
