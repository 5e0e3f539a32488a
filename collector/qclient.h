/* SPDX-License-Identifier: ISC */
/*
 * The client side of qproto.h: connect to a memory plugin's socket, send
 * one request, read the whole reply (COLS, ROW and LINE lines up to END)
 * into memory, checking every line's shape. An ERR reply or a broken
 * connection comes back as a GError whose message is for the user.
 */
#ifndef FT_QCLIENT_H
#define FT_QCLIENT_H

#include <glib.h>

#include "collector/fmt.h"
#include "collector/primitive.h"

struct qclient_row {
	guint query;               /* query index; 0 for DUMP */
	guint seq;                 /* arrival order, for stable sorts */
	const char *const *values; /* one per reply column */
	struct fmt_counters c;
	char **fields; /* owned: the split line the values point into */
};

struct qclient_reply {
	GPtrArray *cols;  /* const struct prim *, in COLS order */
	gboolean flows;   /* COLS ended with "flows" */
	GPtrArray *rows;  /* struct qclient_row *, owned */
	GPtrArray *lines; /* char *: LINE texts, owned */
};

/*
 * Send `request` (whole lines, each ending in '\n') to the socket at
 * `path` and read the reply. NULL with FT_ERROR_IO (connection, ERR
 * reply) or FT_ERROR_MALFORMED (a line the protocol does not allow).
 */
struct qclient_reply *qclient_call(const char *path, const char *request,
				   GError **err);
void qclient_reply_free(struct qclient_reply *r);

#endif
