/* SPDX-License-Identifier: ISC */
/*
 * Atomic interval files. Every write goes to a hidden temporary file next
 * to its target (rename(2) is atomic only within one file system), is
 * flushed with fsync, and then renamed; the directory is synced so that
 * the new name survives a power cut as well as the data.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "common/error.h"

/*
 * The pattern is the user's file name; strftime takes no arguments that a
 * literal format would let the compiler check, so the warning says nothing.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static size_t
expand(char *buf, size_t len, const char *fmt, const struct tm *tm)
{
	return strftime(buf, len, fmt, tm);
}
#pragma GCC diagnostic pop

/*
 * strftime's %s reads the struct tm as local time; it is replaced by the
 * epoch seconds first. A leading space tells an empty expansion from an
 * overflow.
 */
static gchar *
epoch_first(const char *pattern, int64_t t)
{
	GString *out = g_string_new(" ");
	const char *p;

	for (p = pattern; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 's') {
			g_string_append_printf(out, "%" G_GINT64_FORMAT, t);
			p++;
			continue;
		}
		g_string_append_c(out, *p);
		if (p[0] == '%' && p[1] != '\0')
			g_string_append_c(out, *++p);
	}
	return g_string_free(out, FALSE);
}

gchar *
outfile_name(const char *pattern, int64_t t, GError **err)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[PATH_MAX];
	gchar *fmt;
	size_t n;

	gmtime_r(&tt, &tm);
	fmt = epoch_first(pattern, t);
	n = expand(buf, sizeof(buf), fmt, &tm);
	g_free(fmt);
	if (n == 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
			    "%s: file name too long once expanded", pattern);
		return NULL;
	}
	return g_strdup(buf + 1);
}

gboolean
outfile_has_time(const char *pattern)
{
	const char *p;

	for (p = strchr(pattern, '%'); p != NULL; p = strchr(p + 2, '%')) {
		if (p[1] == '\0')
			return FALSE;
		if (p[1] != '%')
			return TRUE;
	}
	return FALSE;
}

static gboolean
io_error(GError **err, const char *path, const char *what, int e)
{
	g_set_error(err, FT_ERROR,
		    e == ENOSPC || e == EDQUOT ? FT_ERROR_FULL : FT_ERROR_IO,
		    "%s: %s: %s", path, what, g_strerror(e));
	return FALSE;
}

static gboolean
write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return FALSE;
		}
		data += n;
		len -= (size_t)n;
	}
	return TRUE;
}

/* Copy the current content of `path`, if any, into `fd`. */
static gboolean
copy_old(int fd, const char *path, GError **err)
{
	gchar *old = NULL;
	gsize len = 0;
	GError *e = NULL;
	gboolean ok;

	if (!g_file_get_contents(path, &old, &len, &e)) {
		ok = g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT);
		if (!ok)
			g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: %s", path,
				    e->message);
		g_error_free(e);
		return ok;
	}
	ok = write_all(fd, old, len);
	if (!ok)
		io_error(err, path, "cannot write", errno);
	g_free(old);
	return ok;
}

static void
sync_dir(const char *path)
{
	gchar *dir = g_path_get_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	/* Best effort: the data itself is already synced. */
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	g_free(dir);
}

static int
make_temp(const char *path, gchar **tmp, GError **err)
{
	gchar *dir = g_path_get_dirname(path);
	gchar *base = g_path_get_basename(path);
	int fd = -1;

	if (g_mkdir_with_parents(dir, 0755) < 0) {
		io_error(err, dir, "cannot create directory", errno);
		goto out;
	}
	*tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	fd = g_mkstemp(*tmp);
	if (fd < 0) {
		io_error(err, path, "cannot create a temporary file", errno);
		g_free(*tmp);
		*tmp = NULL;
	}
out:
	g_free(dir);
	g_free(base);
	return fd;
}

gchar *
outfile_prepare(const char *path, const char *data, size_t len,
		gboolean keep_old, GError **err)
{
	gchar *tmp = NULL;
	int fd;

	fd = make_temp(path, &tmp, err);
	if (fd < 0)
		return NULL;
	if (keep_old && !copy_old(fd, path, err))
		goto fail;
	if (!write_all(fd, data, len)) {
		io_error(err, path, "cannot write", errno);
		goto fail;
	}
	if (fsync(fd) < 0) {
		io_error(err, path, "cannot sync", errno);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		io_error(err, path, "cannot write", errno);
		goto fail;
	}
	return tmp;
fail:
	if (fd >= 0)
		close(fd);
	outfile_discard(tmp);
	return NULL;
}

gboolean
outfile_commit(gchar *tmp, const char *path, GError **err)
{
	if (rename(tmp, path) < 0) {
		io_error(err, path, "cannot rename into place", errno);
		outfile_discard(tmp);
		return FALSE;
	}
	sync_dir(path);
	g_free(tmp);
	return TRUE;
}

void
outfile_discard(gchar *tmp)
{
	if (tmp == NULL)
		return;
	unlink(tmp);
	g_free(tmp);
}

gboolean
outfile_write(const char *path, const char *data, size_t len, gboolean keep_old,
	      GError **err)
{
	gchar *tmp = outfile_prepare(path, data, len, keep_old, err);

	return tmp != NULL && outfile_commit(tmp, path, err);
}

gboolean
outfile_link_latest(const char *link, const char *target, GError **err)
{
	gchar *cur, *tmp;
	gboolean ok = TRUE;

	cur = g_file_read_link(link, NULL);
	if (cur != NULL && strcmp(cur, target) >= 0) {
		g_free(cur);
		return TRUE;
	}
	g_free(cur);

	/* A new link under a temporary name, renamed over the old one. */
	tmp = g_strdup_printf("%s.%ld.tmp", link, (long)getpid());
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		ok = io_error(err, link, "cannot create symlink", errno);
	else if (rename(tmp, link) < 0) {
		ok = io_error(err, link, "cannot replace symlink", errno);
		unlink(tmp);
	}
	g_free(tmp);
	return ok;
}
