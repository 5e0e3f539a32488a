/* SPDX-License-Identifier: ISC */
/*
 * The log module: the line format on stderr and in a log file, level
 * filtering, errno kept intact, GLib's messages routed through it, and a
 * log file reopened after rotation. Each case logs, then reads back what
 * reached the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "common/log.h"

/* A file log line: UTC stamp, ident, level, message. */
#define STAMP "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z "

static char *
tmp_path(const char *name)
{
	return g_strdup_printf("%s/ft-log-%d-%s", g_get_tmp_dir(), getpid(),
			       name);
}

static char *
slurp(const char *path)
{
	gchar *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		fail_msg("cannot read %s", path);
	return text;
}

static void
assert_lines(const char *text, const char *const *want, size_t n)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	size_t i;

	assert_int_equal(g_strv_length(lines), n + 1);
	for (i = 0; i < n; i++)
		if (!g_regex_match_simple(want[i], lines[i], 0, 0))
			fail_msg("line %zu '%s' does not match '%s'", i + 1,
				 lines[i], want[i]);
	assert_string_equal(lines[n], "");
	g_strfreev(lines);
}

static const struct {
	enum log_level level;
	int enabled[4]; /* err, warn, info, debug */
} levels[] = {
	{ LOG_LVL_ERR, { 1, 0, 0, 0 } },
	{ LOG_LVL_WARN, { 1, 1, 0, 0 } },
	{ LOG_LVL_INFO, { 1, 1, 1, 0 } },
	{ LOG_LVL_DEBUG, { 1, 1, 1, 1 } },
};

static void
test_levels(void **state)
{
	size_t i, j;

	for (i = 0; i < G_N_ELEMENTS(levels); i++) {
		log_set_level(levels[i].level);
		for (j = 0; j < 4; j++)
			assert_int_equal(log_enabled((enum log_level)j) != 0,
					 levels[i].enabled[j]);
	}
}

static void
test_file(void **state)
{
	static const char *const want[] = {
		"^" STAMP "ftest: error: exporter 192.0.2.1 domain 7: bad$",
		"^" STAMP "ftest: warning: template 256 withdrawn twice$",
		"^" STAMP "ftest: info: 3 plugins$",
	};
	char *path = tmp_path("file");
	char *text;

	log_init("ftest", LOG_LVL_INFO);
	assert_int_equal(log_use_file(path), 0);
	log_err("exporter %s domain %u: bad", "192.0.2.1", 7u);
	log_warn("template %d withdrawn twice", 256);
	log_info("%d plugins", 3);
	log_debug("not shown %d", 4);
	log_msg(LOG_LVL_DEBUG, "not shown either");
	text = slurp(path);
	assert_lines(text, want, G_N_ELEMENTS(want));
	g_free(text);
	g_unlink(path);
	g_free(path);
}

static void
test_errno_kept(void **state)
{
	char *path = tmp_path("errno");

	log_init("ftest", LOG_LVL_DEBUG);
	assert_int_equal(log_use_file(path), 0);
	errno = EAGAIN;
	log_info("%s", "keeps errno");
	assert_int_equal(errno, EAGAIN);
	errno = ENOENT;
	log_debug("%s", "also at debug");
	assert_int_equal(errno, ENOENT);
	g_unlink(path);
	g_free(path);
}

/* After the file is moved away, log_reopen() starts a new one. */
static void
test_reopen(void **state)
{
	static const char *const old[] = { "ftest: info: before$" };
	static const char *const cur[] = { "ftest: info: after$" };
	char *path = tmp_path("rot"), *moved = tmp_path("rot.1"), *text;

	log_init("ftest", LOG_LVL_INFO);
	assert_int_equal(log_use_file(path), 0);
	log_info("before");
	assert_int_equal(g_rename(path, moved), 0);
	assert_int_equal(log_reopen(), 0);
	log_info("after");
	text = slurp(moved);
	assert_lines(text, old, 1);
	g_free(text);
	text = slurp(path);
	assert_lines(text, cur, 1);
	g_free(text);
	g_unlink(path);
	g_unlink(moved);
	g_free(path);
	g_free(moved);
	assert_int_equal(log_use_file("/nonexistent-dir/x.log"), -1);
}

/* libfixbuf warns through GLib; those lines must come out as ours. */
static void
test_glib(void **state)
{
	static const char *const want[] = {
		"ftest: warning: fixbuf: IPFIX message out of sequence$",
		"ftest: info: glib: note 1$",
	};
	char *path = tmp_path("glib"), *text;

	log_init("ftest", LOG_LVL_INFO);
	assert_int_equal(log_use_file(path), 0);
	log_route_glib();
	g_log("fixbuf", G_LOG_LEVEL_WARNING, "IPFIX message out of sequence");
	g_log(NULL, G_LOG_LEVEL_MESSAGE, "note %d", 1);
	g_log("fixbuf", G_LOG_LEVEL_DEBUG, "hidden");
	text = slurp(path);
	assert_lines(text, want, G_N_ELEMENTS(want));
	g_free(text);
	g_unlink(path);
	g_free(path);
}

/* On stderr the line carries no time stamp (the terminal or journal has
 * one); a long message is cut, not overflowed. */
static void
test_stderr(void **state)
{
	static const char *const want[] = {
		"^ftest: info: on stderr$",
		"^ftest: error: x{100}",
	};
	char *path = tmp_path("stderr"), *text, *big;
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	log_init("ftest", LOG_LVL_INFO);
	log_info("on stderr");
	big = g_strnfill(10000, 'x');
	log_err("%s", big);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fd);
	text = slurp(path);
	assert_lines(text, want, G_N_ELEMENTS(want));
	assert_true(strlen(text) < 4096);
	g_free(text);
	g_free(big);
	g_unlink(path);
	g_free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_errno_kept),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_glib),
		cmocka_unit_test(test_stderr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
