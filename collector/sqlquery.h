/* SPDX-License-Identifier: ISC */
/*
 * The flowtally CLI's queries against a database the sqlite3 plugin
 * wrote (either pmacct's schemas or one built from an aggregate). The
 * rows of the bins in a time range are summed per key in SQL and come
 * back in the shape a memory plugin's reply has (qclient.h), so the CLI
 * sorts, trims and prints them with the same code and layouts.
 */
#ifndef FT_SQLQUERY_H
#define FT_SQLQUERY_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "collector/primitive.h"
#include "collector/qclient.h"

struct sqlquery_opts {
	const char *db;    /* database file, opened read-only */
	const char *table; /* NULL: the only acct* table in the file */
	int64_t from;      /* bins that start at or after (epoch s, UTC) */
	int64_t to;        /* ... and before; INT64_MAX: no end */
	/* Group by these primitives; none: every primitive column in use. */
	const struct prim *const *keys;
	size_t nkeys;
};

/*
 * Run the query. NULL with FT_ERROR_IO (the file, SQLite), FT_ERROR_UNKNOWN
 * (no such table, a key without a column) or FT_ERROR_SCOPE (several
 * tables and none named).
 */
struct qclient_reply *sqlquery_run(const struct sqlquery_opts *q, GError **err);

/*
 * A time for --from/--to, relative to `now` (epoch s), in UTC:
 * "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (or with 'T'), "@EPOCH", "now",
 * "today", "yesterday", "week" (this Monday), "month" (the first of this
 * month), "year", or "-DURATION" ("-1h", "-7d") before now.
 */
gboolean sqlquery_when(const char *text, int64_t now, int64_t *out,
		       GError **err);

#endif
