/* SPDX-License-Identifier: ISC */
/*
 * The SQL tables of the sqlite3 plugin: pmacct's schemas v1..v9
 * (reference section 5.1), so that existing queries keep working, or a
 * table built from the plugin's own aggregate. A schema lists the columns
 * a write names, in table order, and generates the CREATE, UPDATE and
 * INSERT text with numbered parameters; values are bound, never pasted.
 */
#ifndef FT_SQLSCHEMA_H
#define FT_SQLSCHEMA_H

#include <stddef.h>
#include <glib.h>

#include "primitive.h"

/* What a column holds. */
enum sqlcol_role {
	SQLCOL_PRIM,     /* the value of an aggregated primitive */
	SQLCOL_NEUTRAL,  /* a column flowtally does not fill: `neutral` */
	SQLCOL_RESIDUAL, /* microseconds of the TIME primitive at `slot` */
	SQLCOL_PACKETS,
	SQLCOL_BYTES,
	SQLCOL_FLOWS,
	SQLCOL_STAMP_INSERTED, /* the bin start */
	SQLCOL_STAMP_UPDATED,  /* the write time */
};

/*
 * One column of the table, in table order; a written column's statement
 * parameter is ?N with N its index + 1.
 */
struct sqlcol {
	const char *name;
	const char *type; /* SQL type and constraints for CREATE */
	enum sqlcol_role role;
	int slot;            /* index into the plugin's primitives, or -1 */
	gboolean key;        /* in the primary key and UPDATE's WHERE */
	gboolean written;    /* named by writes (stamps need history) */
	const char *neutral; /* text written when slot is -1 */
};

struct sqlschema;

/*
 * A schema for the `nprims` aggregated primitives. `version` 1..9 picks
 * pmacct's table (every column of it is written, unaggregated ones with
 * pmacct's neutral values); 0 builds one from the aggregate alone.
 * `history` FALSE leaves the stamp columns out of every write. NULL with
 * FT_ERROR_SCOPE when the version has no column for a primitive.
 */
struct sqlschema *sqlschema_new(unsigned version,
				const struct prim *const *prims, size_t nprims,
				gboolean history, GError **err);
void sqlschema_free(struct sqlschema *s);

/* pmacct's table name for a version ("acct", "acct_v2"...); 0: "acct". */
const char *sqlschema_default_table(unsigned version);

size_t sqlschema_ncols(const struct sqlschema *s);
const struct sqlcol *sqlschema_col(const struct sqlschema *s, size_t i);

/* Append `name` as an SQL identifier: double quotes, inner ones doubled. */
void sqlschema_append_ident(GString *out, const char *name);

/* Statement texts for `table` (g_free). */
gchar *sqlschema_create(const struct sqlschema *s, const char *table);
gchar *sqlschema_update(const struct sqlschema *s, const char *table);
gchar *sqlschema_insert(const struct sqlschema *s, const char *table);

/*
 * The columns a write needs that `have` (NULL-terminated names of the
 * existing table's columns) lacks, comma-separated (g_free); NULL if none.
 */
gchar *sqlschema_missing(const struct sqlschema *s, const char *const *have);

#endif
