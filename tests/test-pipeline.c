/* SPDX-License-Identifier: ISC */
/*
 * The pipeline's start-up and accounting: every configuration error
 * stops pipeline_new() with a message naming the plugin, a stale socket
 * is replaced and anything else at imt_path refused, imt_group sets the
 * socket's group, and each plugin counts what its filter left out and
 * what its full table could not hold (imt_max_entries).
 */
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "collector/pipeline.h"
#include "common/config.h"
#include "common/log.h"

static gchar *dir;

static struct cfg *
cfg_of(const char *text)
{
	struct cfg *cfg = cfg_new(CFG_COLLECTOR);
	GError *err = NULL;

	if (!cfg_load_string(cfg, "test.conf", text, &err) ||
	    !cfg_finish(cfg, &err))
		fail_msg("config: %s", err->message);
	return cfg;
}

/* pipeline_new() on `body` (imt_path[x] is added) must fail with both
 * `what` and the plugin's name in its message; pipeline_check() too when
 * `check`. */
static void
expect_error(const char *body, const char *what, gboolean check)
{
	gchar *text = g_strdup_printf("plugins: memory[x]\n"
				      "imt_path[x]: %s/x.sock\n%s",
				      dir, body);
	struct cfg *cfg = cfg_of(text);
	GError *err = NULL;

	assert_null(pipeline_new(cfg, &err));
	assert_non_null(err);
	if (strstr(err->message, "memory[x]") == NULL ||
	    strstr(err->message, what) == NULL)
		fail_msg("'%s' lacks '%s' or the plugin name", err->message,
			 what);
	g_clear_error(&err);
	/* the configuration test finds it too, except the socket's own */
	if (check) {
		assert_false(pipeline_check(cfg, &err));
		assert_non_null(strstr(err->message, what));
		g_error_free(err);
	} else {
		assert_true(pipeline_check(cfg, NULL));
	}
	cfg_free(cfg);
	g_free(text);
}

static void
test_errors(void **state)
{
	gchar *file = g_build_filename(dir, "x.sock", NULL);

	expect_error("aggregate[x]: src_host, dst_hots\n", "'dst_hots'", TRUE);
	expect_error("aggregate[x]: sum_host, dst_port\n", "alone", TRUE);
	expect_error("aggregate_filter[x]: ip and\n", "aggregate_filter", TRUE);
	expect_error("aggregate_filter[x]: tcp, prt 80\n", "prt 80", TRUE);
	expect_error("imt_group[x]: no-such-group-here\n", "no-such-group-here",
		     FALSE);
	expect_error("networks_file[x]: /nonexistent/nets\n",
		     "/nonexistent/nets", TRUE);
	/* something that is not a socket is never removed */
	g_file_set_contents(file, "keep me", -1, NULL);
	expect_error("", "not a socket", FALSE);
	assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));
	g_unlink(file);
	g_free(file);
}

/* Two memory plugins given one imt_path (a global line) cannot share a
 * socket: refused, naming both, by the configuration test too. */
static void
test_shared_socket(void **state)
{
	gchar *text = g_strdup_printf("plugins: memory[x], memory[y]\n"
				      "imt_path: %s/shared.sock\n",
				      dir);
	struct cfg *cfg = cfg_of(text);
	GError *err = NULL;

	assert_null(pipeline_new(cfg, &err));
	assert_non_null(err);
	if (strstr(err->message, "memory[x]") == NULL ||
	    strstr(err->message, "memory[y]") == NULL)
		fail_msg("'%s' does not name both plugins", err->message);
	g_clear_error(&err);
	assert_false(pipeline_check(cfg, &err));
	assert_non_null(strstr(err->message, "shared.sock"));
	g_error_free(err);
	cfg_free(cfg);
	g_free(text);
}

static void
test_group_and_stale(void **state)
{
	struct group *gr = getgrgid(getgid());
	gchar *path = g_build_filename(dir, "g.sock", NULL);
	gchar *text;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pipeline *pl;
	struct cfg *cfg;
	struct stat st;
	int fd;

	assert_non_null(gr);
	/* a stale socket left by a dead collector */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	text = g_strdup_printf("plugins: memory[g]\nimt_path[g]: %s\n"
			       "imt_group[g]: %s\n",
			       path, gr->gr_name);
	cfg = cfg_of(text);
	pl = pipeline_new(cfg, NULL);
	assert_non_null(pl);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, gr->gr_gid);
	pipeline_free(pl);
	assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	cfg_free(cfg);
	g_free(text);
	g_free(path);
}

static void
status_fill(GString *out, void *data)
{
	g_string_append_printf(out, "receive: %s\n", (const char *)data);
}

static void
record(struct pipeline *pl, uint8_t last, int v6)
{
	struct flowrec r;

	memset(&r, 0, sizeof(r));
	r.src.family = r.dst.family = v6 ? 6 : 4;
	r.src.bytes[0] = 10;
	r.src.bytes[v6 ? 15 : 3] = last;
	r.proto = 17;
	r.packets = 1;
	r.octets = 100;
	pipeline_record(pl, &r);
}

/* The full table is reported by a warning, at most once a minute. */
static void
expect_full_warning(struct pipeline *pl)
{
	gchar *path = g_build_filename(dir, "log", NULL);
	gchar *text = NULL;
	gchar **lines;

	assert_int_equal(log_use_file(path), 0);
	pipeline_tick(pl, 1000000);
	pipeline_tick(pl, 1001000);
	record(pl, 9, 0);
	pipeline_tick(pl, 1002000);
	pipeline_tick(pl, 1061000);
	log_init("test-pipeline", LOG_LVL_WARN);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	assert_int_equal(g_strv_length(lines), 3);
	assert_non_null(strstr(lines[0], "memory plugin s: table full at 3 "
					 "entries, 4 new keys dropped"));
	assert_non_null(strstr(lines[1], "5 new keys dropped"));
	g_strfreev(lines);
	g_free(text);
	g_unlink(path);
	g_free(path);
}

static void
test_counts(void **state)
{
	static char ok[] = "ok";
	gchar *text = g_strdup_printf(
		"plugins: memory[f], memory[s]\n"
		"imt_path[f]: %s/f.sock\naggregate_filter[f]: ip\n"
		"imt_path[s]: %s/s.sock\nimt_max_entries[s]: 3\n",
		dir, dir);
	struct cfg *cfg = cfg_of(text);
	struct pipeline *pl = pipeline_new(cfg, NULL);
	GString *out = g_string_new(NULL);
	int i;

	assert_non_null(pl);
	pipeline_set_status(pl, status_fill, ok);
	for (i = 0; i < 5; i++)
		record(pl, (uint8_t)i, 0);
	record(pl, 1, 1);
	record(pl, 2, 1);
	pipeline_status(pl, out);
	assert_non_null(strstr(out->str, "receive: ok\n"));
	assert_non_null(strstr(out->str, "plugin memory[f]: records 5, "
					 "filtered out 2, store full 0\n"));
	assert_non_null(strstr(out->str, "plugin memory[s]: records 3, "
					 "filtered out 0, store full 4\n"));
	assert_non_null(strstr(out->str, "memory s: table entries 3, limit 3, "
					 "dropped 4"));
	g_string_free(out, TRUE);
	expect_full_warning(pl);
	pipeline_free(pl);
	cfg_free(cfg);
	g_free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shared_socket),
		cmocka_unit_test(test_group_and_stale),
		cmocka_unit_test(test_counts),
	};
	int rc;

	log_init("test-pipeline", LOG_LVL_WARN);
	dir = g_dir_make_tmp("ftpl-XXXXXX", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_rmdir(dir);
	g_free(dir);
	return rc;
}
