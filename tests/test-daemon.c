/* SPDX-License-Identifier: ISC */
/*
 * Pid files, detaching and the privilege drop. What changes the process
 * for good runs in a forked child that reports through its exit status;
 * the root-only cases (chroot, becoming nobody) skip when not root.
 */
/* getresuid() is a GNU extension of glibc. */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "common/daemon.h"

static char *
scratch(void)
{
	char *dir = g_build_filename(g_get_tmp_dir(), "ft-daemon-XXXXXX", NULL);

	assert_non_null(g_mkdtemp(dir));
	return dir;
}

static pid_t
file_pid(const char *path)
{
	gchar *text = NULL;
	long n;

	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	assert_int_equal(text[strlen(text) - 1], '\n');
	n = strtol(text, NULL, 10);
	g_free(text);
	return (pid_t)n;
}

/* A pid that surely names no process: a child already reaped. */
static pid_t
dead_pid(void)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return pid;
}

enum before {
	NO_FILE,
	DEAD_PID, /* a process that is gone */
	LIVE_PID, /* our parent */
	GARBAGE,
	EMPTY,
};

static const struct {
	const char *what;
	enum before before;
	int rc;
} pidfiles[] = {
	{ "no file", NO_FILE, 0 },        { "stale pid", DEAD_PID, 0 },
	{ "garbage", GARBAGE, 0 },        { "empty", EMPTY, 0 },
	{ "live process", LIVE_PID, -1 },
};

static void
prepare(const char *path, enum before before)
{
	char *text = NULL;

	switch (before) {
	case NO_FILE:
		return;
	case DEAD_PID:
		text = g_strdup_printf("%d\n", dead_pid());
		break;
	case LIVE_PID:
		text = g_strdup_printf("%d\n", getppid());
		break;
	case GARBAGE:
		text = g_strdup("not a pid\n");
		break;
	case EMPTY:
		text = g_strdup("");
		break;
	}
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(text);
}

static void
test_pidfile(void **state)
{
	char *dir = scratch();
	char *path = g_build_filename(dir, "ft.pid", NULL);
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(pidfiles); i++) {
		GError *err = NULL;
		char *text;
		int rc;

		prepare(path, pidfiles[i].before);
		rc = daemon_pidfile_write(path, &err);
		if (rc != pidfiles[i].rc)
			fail_msg("%s: returned %d", pidfiles[i].what, rc);
		if (rc == 0) {
			assert_int_equal(file_pid(path), getpid());
			assert_int_equal(daemon_pidfile_remove(path, &err), 0);
			assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
		} else {
			text = g_strdup_printf("pid file %s: already running "
					       "as pid %d",
					       path, getppid());
			assert_string_equal(err->message, text);
			g_free(text);
			g_clear_error(&err);
			assert_int_equal(file_pid(path), getppid());
			/* Not ours: left alone. */
			assert_int_equal(daemon_pidfile_remove(path, NULL), 0);
			assert_int_equal(file_pid(path), getppid());
			g_unlink(path);
		}
	}
	g_free(path);
	path = g_build_filename(dir, "missing", "ft.pid", NULL);
	assert_int_equal(daemon_pidfile_write(path, NULL), -1);
	assert_int_equal(daemon_pidfile_remove(path, NULL), 0);
	g_free(path);
	g_rmdir(dir);
	g_free(dir);
}

/*
 * In the child: detach, then write what the detached process sees (or
 * why daemon(3) failed, e.g. a /dev/null that is not a device) to `path`.
 */
static void
detach_and_report(const char *path)
{
	struct stat in, null;
	GError *err = NULL;
	char cwd[64], *text;

	if (daemon_detach(&err) == -1) {
		text = g_strdup_printf("error %s\n", err->message);
	} else {
		text = g_strdup_printf(
			"%ld %ld %s %d\n", (long)getpid(), (long)getsid(0),
			getcwd(cwd, sizeof(cwd)),
			fstat(0, &in) == 0 && stat("/dev/null", &null) == 0 &&
				S_ISCHR(in.st_mode) &&
				in.st_rdev == null.st_rdev);
	}
	g_file_set_contents(path, text, -1, NULL);
	_exit(0);
}

/* The detached child is a session leader in "/" with stdin on /dev/null. */
static void
test_detach(void **state)
{
	char *dir = scratch();
	char *path = g_build_filename(dir, "child", NULL);
	pid_t pid = fork();
	char cwd[64], *text = NULL;
	long gpid, sid;
	int st, i;

	assert_true(pid >= 0);
	if (pid == 0)
		detach_and_report(path);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (i = 0; i < 1000 && !g_file_get_contents(path, &text, NULL, NULL);
	     i++)
		g_usleep(10000);
	if (text == NULL)
		fail_msg("the detached child wrote nothing in 10 s");
	if (g_str_has_prefix(text, "error "))
		fail_msg("detach failed: %s", text + 6);
	assert_int_equal(sscanf(text, "%ld %ld %63s %d", &gpid, &sid, cwd, &st),
			 4);
	assert_true(gpid != pid);
	assert_int_equal(sid, gpid);
	assert_string_equal(cwd, "/");
	assert_int_equal(st, 1);
	g_free(text);
	g_unlink(path);
	g_free(path);
	g_rmdir(dir);
	g_free(dir);
}

static void
test_unknown_user(void **state)
{
	GError *err = NULL;

	assert_int_equal(daemon_drop_privileges("no-such-user-ft", NULL, &err),
			 -1);
	assert_string_equal(err->message, "no user named no-such-user-ft");
	g_clear_error(&err);
	assert_int_equal(daemon_drop_privileges(NULL, NULL, &err), 0);
}

/* Run `fn` in a child; its exit status is the test's verdict. */
static int
in_child(int (*fn)(const char *), const char *arg)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

/* Exit 0 when the chroot and the drop to nobody both took. */
static int
drop_to_nobody(const char *dir)
{
	const struct passwd *pw = getpwnam("nobody");
	gid_t groups[4];
	uid_t r, e, s;

	if (pw == NULL)
		return 10;
	if (daemon_drop_privileges("nobody", dir, NULL) == -1)
		return 11;
	if (access("/marker", F_OK) != 0)
		return 12;
	if (getresuid(&r, &e, &s) == -1 || r != pw->pw_uid || e != pw->pw_uid ||
	    s != pw->pw_uid)
		return 13;
	if (getgid() != pw->pw_gid || getegid() != pw->pw_gid)
		return 14;
	if (getgroups(4, groups) != 1 || groups[0] != pw->pw_gid)
		return 15;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 16;
	return 0;
}

static void
test_drop_root(void **state)
{
	char *dir, *marker;

	if (geteuid() != 0 || getpwnam("nobody") == NULL)
		skip();
	dir = scratch();
	assert_int_equal(g_chmod(dir, 0755), 0);
	marker = g_build_filename(dir, "marker", NULL);
	assert_true(g_file_set_contents(marker, "", 0, NULL));
	assert_int_equal(in_child(drop_to_nobody, dir), 0);
	g_unlink(marker);
	g_rmdir(dir);
	g_free(marker);
	g_free(dir);
}

/* Without root, a chroot or another user must fail, not be skipped. */
static int
drop_unprivileged(const char *user)
{
	GError *err = NULL;

	if (daemon_drop_privileges(NULL, "/", &err) != -1)
		return 20;
	g_clear_error(&err);
	if (daemon_drop_privileges(user, NULL, &err) != -1)
		return 21;
	g_clear_error(&err);
	return 0;
}

static void
test_drop_unprivileged(void **state)
{
	const struct passwd *pw;

	if (geteuid() == 0)
		skip();
	pw = getpwuid(getuid());
	assert_non_null(pw);
	assert_int_equal(daemon_drop_privileges(pw->pw_name, NULL, NULL), 0);
	assert_int_equal(in_child(drop_unprivileged, "root"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pidfile),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_unknown_user),
		cmocka_unit_test(test_drop_root),
		cmocka_unit_test(test_drop_unprivileged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
