/* SPDX-License-Identifier: ISC */
/*
 * The value parsers against the syntaxes the configuration documents:
 * booleans, bounded integers, durations (30, 30s, 5m, 1h, 1d, 1w), bin
 * lengths with calendar months, sizes in powers of 1024 and host:port
 * with [v6]:port. Each table row states the text and what it must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/value.h"

#define BAD UINT64_MAX /* the row must be refused */

struct num_case {
	const char *text;
	uint64_t want;
};

static const struct num_case bools[] = {
	{ "true", 1 },    { "TRUE", 1 },  { "Yes", 1 }, { "on", 1 },
	{ "1", 1 },       { "false", 0 }, { "no", 0 },  { "OFF", 0 },
	{ "0", 0 },       { "", BAD },    { "2", BAD }, { "truex", BAD },
	{ " true", BAD }, { "y", BAD },
};

static const struct num_case durations[] = {
	{ "30", 30 },
	{ "30s", 30 },
	{ "5m", 300 },
	{ "1h", 3600 },
	{ "1d", 86400 },
	{ "1w", 604800 },
	{ "0", 0 },
	{ "90s", 90 },
	{ "", BAD },
	{ "s", BAD },
	{ "5M", BAD },
	{ "5 m", BAD },
	{ "-5", BAD },
	{ "1.5h", BAD },
	{ "5mm", BAD },
	{ "18446744073709551615w", BAD },
	{ "99999999999999999999", BAD },
};

static const struct num_case sizes[] = {
	{ "100", 100 },
	{ "0", 0 },
	{ "64K", 65536 },
	{ "64k", 65536 },
	{ "64KB", 65536 },
	{ "64KiB", 65536 },
	{ "10M", 10485760 },
	{ "50GB", 53687091200ULL },
	{ "1TiB", 1099511627776ULL },
	{ "1T", 1099511627776ULL },
	{ "", BAD },
	{ "K", BAD },
	{ "10 M", BAD },
	{ "10X", BAD },
	{ "10MBB", BAD },
	{ "1.5G", BAD },
	{ "-1", BAD },
	{ "16777216T", BAD }, /* 2^64 bytes */
};

static void
test_bool(void **state)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bools); i++) {
		GError *err = NULL;
		gboolean b = 7;
		gboolean ok = val_bool(bools[i].text, &b, &err);

		if (ok != (bools[i].want != BAD))
			fail_msg("'%s': accepted %d", bools[i].text, ok);
		if (ok)
			assert_int_equal(b, bools[i].want);
		else
			assert_int_equal(err->code, FT_ERROR_SYNTAX);
		g_clear_error(&err);
	}
}

typedef gboolean (*num_parser)(const char *, uint64_t *, GError **);

static void
run_num(const struct num_case *c, size_t n, num_parser parse)
{
	size_t i;

	for (i = 0; i < n; i++) {
		GError *err = NULL;
		uint64_t v = 0;
		gboolean ok = parse(c[i].text, &v, &err);

		if (ok != (c[i].want != BAD))
			fail_msg("'%s': accepted %d", c[i].text, ok);
		if (ok)
			assert_int_equal(v, c[i].want);
		else
			assert_non_null(strstr(err->message, c[i].text));
		g_clear_error(&err);
	}
}

static void
test_duration(void **state)
{
	run_num(durations, G_N_ELEMENTS(durations), val_duration);
}

static void
test_size(void **state)
{
	run_num(sizes, G_N_ELEMENTS(sizes), val_size);
}

static const struct {
	const char *text;
	uint64_t min, max, want;
	int code; /* 0: accepted */
} uints[] = {
	{ "0", 0, 10, 0, 0 },
	{ "10", 0, 10, 10, 0 },
	{ "11", 0, 10, 0, FT_ERROR_RANGE },
	{ "67", 68, 262144, 0, FT_ERROR_RANGE },
	{ "68", 68, 262144, 68, 0 },
	{ "18446744073709551615", 0, UINT64_MAX, UINT64_MAX, 0 },
	{ "18446744073709551616", 0, UINT64_MAX, 0, FT_ERROR_SYNTAX },
	{ "", 0, 10, 0, FT_ERROR_SYNTAX },
	{ "-1", 0, 10, 0, FT_ERROR_SYNTAX },
	{ "+1", 0, 10, 0, FT_ERROR_SYNTAX },
	{ " 1", 0, 10, 0, FT_ERROR_SYNTAX },
	{ "1 ", 0, 10, 0, FT_ERROR_SYNTAX },
	{ "0x10", 0, 100, 0, FT_ERROR_SYNTAX },
};

static void
test_uint(void **state)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(uints); i++) {
		GError *err = NULL;
		uint64_t v = 0;
		gboolean ok = val_uint(uints[i].text, uints[i].min,
				       uints[i].max, &v, &err);

		if (ok != (uints[i].code == 0))
			fail_msg("'%s': accepted %d", uints[i].text, ok);
		if (ok)
			assert_int_equal(v, uints[i].want);
		else
			assert_int_equal(err->code, uints[i].code);
		g_clear_error(&err);
	}
}

static const struct {
	const char *text;
	uint64_t count;
	char unit; /* 0: refused */
} histories[] = {
	{ "1M", 1, 'M' },    { "3M", 3, 'M' },     { "5m", 300, 's' },
	{ "1h", 3600, 's' }, { "1d", 86400, 's' }, { "1w", 604800, 's' },
	{ "300", 300, 's' }, { "0M", 0, 0 },       { "0", 0, 0 },
	{ "M", 0, 0 },       { "1MM", 0, 0 },      { "1y", 0, 0 },
};

static void
test_history(void **state)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(histories); i++) {
		GError *err = NULL;
		uint64_t count = 0;
		char unit = 0;
		gboolean ok =
			val_history(histories[i].text, &count, &unit, &err);

		if (ok != (histories[i].unit != 0))
			fail_msg("'%s': accepted %d", histories[i].text, ok);
		if (!ok) {
			g_clear_error(&err);
			continue;
		}
		assert_int_equal(count, histories[i].count);
		assert_int_equal(unit, histories[i].unit);
	}
}

static const struct {
	const char *text;
	const char *host; /* NULL: a bare port */
	uint16_t port;    /* 0: refused */
} hostports[] = {
	{ "127.0.0.1:4739", "127.0.0.1", 4739 },
	{ "[::1]:2100", "::1", 2100 },
	{ "[2001:db8::1]:65535", "2001:db8::1", 65535 },
	{ "collector.example:1", "collector.example", 1 },
	{ "4739", NULL, 4739 },
	{ "::1:2100", NULL, 0 },
	{ "[::1]2100", NULL, 0 },
	{ "[::1]:", NULL, 0 },
	{ "[]:2100", NULL, 0 },
	{ "127.0.0.1:0", NULL, 0 },
	{ "127.0.0.1:65536", NULL, 0 },
	{ "127.0.0.1:", NULL, 0 },
	{ ":2100", NULL, 0 },
	{ "127.0.0.1:port", NULL, 0 },
	{ "", NULL, 0 },
};

static void
test_hostport(void **state)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(hostports); i++) {
		GError *err = NULL;
		char *host = NULL;
		uint16_t port = 0;
		gboolean ok =
			val_hostport(hostports[i].text, &host, &port, &err);

		if (ok != (hostports[i].port != 0))
			fail_msg("'%s': accepted %d", hostports[i].text, ok);
		if (!ok) {
			assert_int_equal(err->code, FT_ERROR_SYNTAX);
			assert_null(host);
			g_clear_error(&err);
			continue;
		}
		assert_int_equal(port, hostports[i].port);
		if (hostports[i].host == NULL)
			assert_null(host);
		else
			assert_string_equal(host, hostports[i].host);
		g_free(host);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_hostport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
