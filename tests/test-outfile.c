/* SPDX-License-Identifier: ISC */
/*
 * Interval files: strftime names in UTC (the expected names are the
 * calendar's, for 1700000000 = 2023-11-14 22:13:20 UTC, with the process
 * in another zone), whole-file replacement and extension, failures that
 * leave the target untouched, and the latest-file symlink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <glib/gstdio.h>

#include "collector/outfile.h"
#include "common/error.h"

static const struct {
	const char *pattern;
	const char *name;
	gboolean has_time;
} names[] = {
	{ "/v/%Y%m%d-%H%M.csv", "/v/20231114-2213.csv", TRUE },
	{ "/v/flows-%s.json", "/v/flows-1700000000.json", TRUE },
	{ "/v/%Y/%m/%d/%H.txt", "/v/2023/11/14/22.txt", TRUE },
	{ "/v/plain.csv", "/v/plain.csv", FALSE },
	{ "/v/100%%.csv", "/v/100%.csv", FALSE },
	{ "/v/week%W-%w", "/v/week46-2", TRUE },
};

static void
test_names(void **state)
{
	gchar *n;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = outfile_name(names[i].pattern, 1700000000, NULL);
		assert_string_equal(n, names[i].name);
		assert_int_equal(outfile_has_time(names[i].pattern),
				 names[i].has_time);
		g_free(n);
	}
}

static gchar *
slurp(const char *path)
{
	gchar *s = NULL;

	if (!g_file_get_contents(path, &s, NULL, NULL))
		return NULL;
	return s;
}

/* Files in `dir` other than `keep`: leftovers of a temporary file. */
static int
count_files(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	int n = 0;

	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	return n;
}

static void
test_write(void **state)
{
	gchar *dir = g_dir_make_tmp("outfile-XXXXXX", NULL);
	gchar *path = g_build_filename(dir, "sub", "a.csv", NULL);
	gchar *sub = g_path_get_dirname(path);
	gchar *s;

	assert_true(outfile_write(path, "one\n", 4, FALSE, NULL));
	s = slurp(path);
	assert_string_equal(s, "one\n");
	g_free(s);
	assert_true(outfile_write(path, "two\n", 4, TRUE, NULL));
	s = slurp(path);
	assert_string_equal(s, "one\ntwo\n");
	g_free(s);
	assert_true(outfile_write(path, "new\n", 4, FALSE, NULL));
	s = slurp(path);
	assert_string_equal(s, "new\n");
	g_free(s);
	assert_int_equal(count_files(sub), 1);

	unlink(path);
	g_rmdir(sub);
	g_rmdir(dir);
	g_free(sub);
	g_free(path);
	g_free(dir);
}

/* A directory that cannot be made: an error naming it, nothing written. */
static void
test_unwritable(void **state)
{
	gchar *dir = g_dir_make_tmp("outfile-XXXXXX", NULL);
	gchar *file = g_build_filename(dir, "f", NULL);
	gchar *path = g_build_filename(file, "x.csv", NULL);
	GError *e = NULL;

	assert_true(g_file_set_contents(file, "", 0, NULL));
	assert_false(outfile_write(path, "x", 1, FALSE, &e));
	assert_true(g_error_matches(e, FT_ERROR, FT_ERROR_IO));
	assert_non_null(strstr(e->message, file));
	g_clear_error(&e);
	assert_int_equal(count_files(dir), 1);

	unlink(file);
	g_rmdir(dir);
	g_free(path);
	g_free(file);
	g_free(dir);
}

static void
test_latest(void **state)
{
	gchar *dir = g_dir_make_tmp("outfile-XXXXXX", NULL);
	gchar *link = g_build_filename(dir, "latest", NULL);
	gchar *t;

	assert_true(outfile_link_latest(link, "b.csv", NULL));
	assert_true(outfile_link_latest(link, "a.csv", NULL));
	t = g_file_read_link(link, NULL);
	assert_string_equal(t, "b.csv");
	g_free(t);
	assert_true(outfile_link_latest(link, "c.csv", NULL));
	t = g_file_read_link(link, NULL);
	assert_string_equal(t, "c.csv");
	g_free(t);
	assert_int_equal(count_files(dir), 1);

	unlink(link);
	g_rmdir(dir);
	g_free(link);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_latest),
	};

	setenv("TZ", "America/Los_Angeles", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
