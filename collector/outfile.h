/* SPDX-License-Identifier: ISC */
/*
 * Interval files of the print plugin: names expanded from strftime
 * placeholders, contents written under a temporary name in the target's
 * directory and renamed into place, so that a reader sees the old file or
 * the new one and never half of either.
 */
#ifndef FT_OUTFILE_H
#define FT_OUTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/*
 * `pattern` with its strftime placeholders expanded from `t` (epoch
 * seconds) in UTC. Newly allocated (g_free); NULL with FT_ERROR_RANGE if
 * the name would not fit PATH_MAX.
 */
gchar *outfile_name(const char *pattern, int64_t t, GError **err);

/* TRUE if `pattern` holds a placeholder, so that names vary by bin. */
gboolean outfile_has_time(const char *pattern);

/*
 * Replace `path` with `data`: a temporary file in the same directory
 * (parent directories created), written, synced, then renamed over
 * `path`. With `keep_old`, an existing `path`'s content comes first, so
 * the new file extends it. On failure nothing at `path` changes, the
 * temporary file is removed, and the error (FT_ERROR_IO, or FT_ERROR_FULL
 * when the disk is full) names the path and the cause.
 */
gboolean outfile_write(const char *path, const char *data, size_t len,
		       gboolean keep_old, GError **err);

/*
 * outfile_write() in two steps, so that several files can be made ready
 * before any of them replaces its target: outfile_prepare() writes and
 * syncs the temporary file and returns its name (g_free), NULL on error;
 * outfile_commit() renames it into place; outfile_discard() removes it.
 */
gchar *outfile_prepare(const char *path, const char *data, size_t len,
		       gboolean keep_old, GError **err);
gboolean outfile_commit(gchar *tmp, const char *path, GError **err);
void outfile_discard(gchar *tmp);

/*
 * Point the symlink `link` at `target`, atomically, unless it already
 * points at a name that sorts after `target` (a late rewrite of an older
 * bin keeps the link on the newest file).
 */
gboolean outfile_link_latest(const char *link, const char *target,
			     GError **err);

#endif
