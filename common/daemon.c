/* SPDX-License-Identifier: ISC */
/*
 * Detaching, the pid file and the privilege drop of both daemons. The
 * privilege drop follows the order that leaves no way back: look the user
 * up while the password database is reachable, chroot, then supplementary
 * groups, group, user, and a check that root cannot be regained.
 */
/* setresuid() and getresuid() are GNU extensions of glibc. */
#define _GNU_SOURCE
#include "daemon.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

static int
fail_errno(GError **err, int saved, const char *what, const char *obj)
{
	g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s %s: %s", what, obj,
		    g_strerror(saved));
	return -1;
}

/* The pid a pid file holds, or 0 when it is absent or not a pid. */
static pid_t
pidfile_read(const char *path)
{
	gchar *text = NULL;
	guint64 n = 0;
	char *end;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	n = g_ascii_strtoull(text, &end, 10);
	if (end == text || (*end != '\n' && *end != '\0') || n > G_MAXINT32)
		n = 0;
	g_free(text);
	return (pid_t)n;
}

static gboolean
pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

int
daemon_pidfile_write(const char *path, GError **err)
{
	pid_t old = pidfile_read(path);
	char buf[32], *tmp;
	int n, rc = 0;

	if (old > 0 && old != getpid() && pid_alive(old)) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "pid file %s: already running as pid %ld", path,
			    (long)old);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	tmp = g_strconcat(path, ".tmp", NULL);
	if (!g_file_set_contents(tmp, buf, n, err))
		rc = -1;
	else if (rename(tmp, path) == -1)
		rc = fail_errno(err, errno, "cannot rename to", path);
	if (rc == -1)
		unlink(tmp);
	g_free(tmp);
	return rc;
}

int
daemon_pidfile_remove(const char *path, GError **err)
{
	if (pidfile_read(path) != getpid())
		return 0;
	if (unlink(path) == -1 && errno != ENOENT)
		return fail_errno(err, errno, "cannot remove pid file", path);
	return 0;
}

int
daemon_detach(GError **err)
{
	if (daemon(0, 0) == 0)
		return 0;

	/* glibc says ENODEV when /dev/null is there but not a device. */
	if (errno == ENODEV)
		return fail_errno(err, errno, "cannot detach:",
				  "/dev/null is not the null device");
	return fail_errno(err, errno, "cannot detach", "from the terminal");
}

/* Set every id, then prove that none of them is root any more. */
static int
become(const char *user, uid_t uid, gid_t gid, GError **err)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (setgroups(1, &gid) == -1)
		return fail_errno(err, errno, "setgroups for", user);
	if (setresgid(gid, gid, gid) == -1)
		return fail_errno(err, errno, "setresgid for", user);
	if (setresuid(uid, uid, uid) == -1)
		return fail_errno(err, errno, "setresuid for", user);
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1 || ruid != uid ||
	    euid != uid || suid != uid || rgid != gid || egid != gid ||
	    sgid != gid) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "user %s: ids did not all change", user);
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "user %s: root could be regained", user);
		return -1;
	}
	return 0;
}

static int
enter_chroot(const char *dir, GError **err)
{
	if (chroot(dir) == -1)
		return fail_errno(err, errno, "cannot chroot to", dir);
	if (chdir("/") == -1)
		return fail_errno(err, errno, "cannot chdir to / in", dir);
	return 0;
}

int
daemon_drop_privileges(const char *user, const char *dir, GError **err)
{
	const struct passwd *pw;
	uid_t uid = 0;
	gid_t gid = 0;

	/* Look the user up before chroot hides /etc/passwd. */
	if (user != NULL) {
		pw = getpwnam(user);
		if (pw == NULL) {
			g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
				    "no user named %s", user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (dir != NULL && enter_chroot(dir, err) == -1)
		return -1;
	if (user == NULL)
		return 0;
	if (getuid() != 0 && getuid() == uid && geteuid() == uid)
		return 0;
	return become(user, uid, gid, err);
}
