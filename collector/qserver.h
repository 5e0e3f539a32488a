/* SPDX-License-Identifier: ISC */
/*
 * The query server of one memory plugin: the server side of
 * collector/qproto.h on a UNIX stream socket, served from GLib's default
 * main context. The rows of a reply are copied from the table in one step
 * (so DUMP ERASE is atomic), then formatted and written without blocking
 * as the client reads; a client that does not read its reply, or sends
 * nothing, is dropped after a bound.
 */
#ifndef FT_QSERVER_H
#define FT_QSERVER_H

#include <glib.h>

#include "collector/memtab.h"
#include "collector/plugin.h"

struct qserver;

/*
 * Listen on `path` (its directory is created; a stale socket is
 * replaced), mode 0660, group `group` if not NULL. The table and the
 * context must outlive the server. FALSE with a message naming the path.
 */
struct qserver *qserver_new(const char *path, const char *group,
			    struct memtab *tab, const struct plugin_ctx *ctx,
			    GError **err);

/* Close every client, remove the socket. */
void qserver_free(struct qserver *qs);

/* Clients dropped for not reading or not asking in time. */
guint64 qserver_dropped_clients(const struct qserver *qs);

#endif
