/* SPDX-License-Identifier: ISC */
/*
 * History bins against the calendar: each case states the bin that a
 * time falls into and where that bin ends, worked out by hand from the
 * calendar (2023-11-13 was a Monday, 2024 is a leap year). The process
 * runs in a zone far from UTC to show that local time plays no part.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "collector/bins.h"

struct bin_case {
	const char *history;
	const char *roundoff;
	const char *t;
	const char *start;
	const char *end;
};

static const struct bin_case cases[] = {
	{ "5m", NULL, "2023-11-14 22:13:20", "2023-11-14 22:10:00",
	  "2023-11-14 22:15:00" },
	{ "5m", "m", "2023-11-14 22:13:20", "2023-11-14 22:10:00",
	  "2023-11-14 22:15:00" },
	{ "5m", NULL, "2023-11-14 22:15:00", "2023-11-14 22:15:00",
	  "2023-11-14 22:20:00" },
	{ "5m", NULL, "2023-11-14 22:14:59", "2023-11-14 22:10:00",
	  "2023-11-14 22:15:00" },
	{ "1h", "h", "2023-11-14 22:13:20", "2023-11-14 22:00:00",
	  "2023-11-14 23:00:00" },
	{ "2h", "h", "2023-11-14 23:30:00", "2023-11-14 22:00:00",
	  "2023-11-15 00:00:00" },
	{ "1d", NULL, "2023-11-14 22:13:20", "2023-11-14 00:00:00",
	  "2023-11-15 00:00:00" },
	{ "1d", "m", "2023-11-14 22:13:20", "2023-11-14 00:00:00",
	  "2023-11-15 00:00:00" },
	{ "1d", "d", "2024-03-31 05:00:00", "2024-03-31 00:00:00",
	  "2024-04-01 00:00:00" },
	{ "1w", NULL, "2023-11-14 22:13:20", "2023-11-13 00:00:00",
	  "2023-11-20 00:00:00" },
	{ "1w", "w", "2023-11-19 23:59:59", "2023-11-13 00:00:00",
	  "2023-11-20 00:00:00" },
	{ "1M", NULL, "2024-02-29 12:00:00", "2024-02-01 00:00:00",
	  "2024-03-01 00:00:00" },
	{ "1M", "M", "2023-12-31 23:59:59", "2023-12-01 00:00:00",
	  "2024-01-01 00:00:00" },
	{ "3M", NULL, "2023-11-14 22:13:20", "2023-10-01 00:00:00",
	  "2024-01-01 00:00:00" },
	{ "7m", "m", "2023-11-14 22:58:00", "2023-11-14 22:56:00",
	  "2023-11-14 23:00:00" },
	{ "7m", "m", "2023-11-14 23:01:00", "2023-11-14 23:00:00",
	  "2023-11-14 23:07:00" },
	{ "10m", NULL, "1970-01-01 00:09:59", "1970-01-01 00:00:00",
	  "1970-01-01 00:10:00" },
	{ "1h", "mh", "2023-11-14 22:13:20", "2023-11-14 22:00:00",
	  "2023-11-14 23:00:00" },
};

/* Calendar text in UTC to epoch seconds, without the code under test. */
static int64_t
utc(const char *text)
{
	int y, mo, d, h, mi, sec;
	GDateTime *dt;
	int64_t t;

	assert_int_equal(
		sscanf(text, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec),
		6);
	dt = g_date_time_new_utc(y, mo, d, h, mi, sec);
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

static void
test_cases(void **state)
{
	struct bins b;
	char buf[20];
	size_t i;
	int64_t s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(bins_init(&b, cases[i].history, cases[i].roundoff,
				      NULL));
		s = bins_start(&b, utc(cases[i].t));
		bins_stamp(s, buf);
		assert_string_equal(buf, cases[i].start);
		bins_stamp(bins_end(&b, s), buf);
		assert_string_equal(buf, cases[i].end);
	}
}

static void
test_stamp_is_utc(void **state)
{
	char buf[20];

	bins_stamp(1700000000, buf);
	assert_string_equal(buf, "2023-11-14 22:13:20");
}

static void
test_no_history(void **state)
{
	struct bins b;

	assert_true(bins_init(&b, NULL, NULL, NULL));
	assert_false(bins_enabled(&b));
	assert_int_equal(bins_start(&b, 1700000000), 0);
}

static void
test_bad(void **state)
{
	static const char *const bad[][2] = {
		{ "5x", NULL },
		{ "0m", NULL },
		{ "5m", "q" },
		{ "1h", "hx" },
	};
	struct bins b;
	GError *e = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(bins_init(&b, bad[i][0], bad[i][1], &e));
		assert_non_null(e);
		g_clear_error(&e);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_stamp_is_utc),
		cmocka_unit_test(test_no_history),
		cmocka_unit_test(test_bad),
	};

	setenv("TZ", "Pacific/Kiritimati", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
