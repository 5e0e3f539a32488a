/* SPDX-License-Identifier: ISC */
/*
 * What both daemons do to become one: detach from the terminal, record
 * their pid, and give up root. Each step returns 0, or -1 with `err` set
 * for the caller to log; none of them logs or exits.
 *
 * Order in main(): open capture handles and sockets, daemon_detach()
 * unless in the foreground, daemon_pidfile_write(), then
 * daemon_drop_privileges().
 */
#ifndef FT_DAEMON_H
#define FT_DAEMON_H

#include <glib.h>

/*
 * Write our pid to `path`, replacing the file through a rename. Fails if
 * the file names a process that is still alive.
 */
int daemon_pidfile_write(const char *path, GError **err);

/* Remove the pid file if it still holds our pid. */
int daemon_pidfile_remove(const char *path, GError **err);

/*
 * Detach with daemon(3): a new session, working directory "/", standard
 * streams on /dev/null. The calling process exits; the child returns 0.
 */
int daemon_detach(GError **err);

/*
 * Become `user` (NULL: stay who we are), chrooting first to `dir` when it
 * is not NULL. Supplementary groups, group and user ids are all set, and
 * regaining root is checked to fail; any error is fatal for the caller.
 * Asking for the user we already are (not root) changes nothing.
 */
int daemon_drop_privileges(const char *user, const char *dir, GError **err);

#endif
