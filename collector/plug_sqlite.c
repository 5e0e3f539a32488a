/* SPDX-License-Identifier: ISC */
/*
 * The sqlite3 plugin: every refresh, one transaction adds the interval's
 * counters to their rows (UPDATE, then INSERT when no row changed), so a
 * row holds the running total of its history bin across refreshes and
 * restarts. The database is opened in WAL mode with a busy timeout, so
 * readers never block the writer; the writes run on the binstore's
 * thread, never on the receive loop.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "collector/binstore.h"
#include "collector/fmt.h"
#include "collector/outfile.h"
#include "collector/plugin.h"
#include "collector/sqlschema.h"
#include "common/error.h"
#include "common/log.h"

/* The statements of one table. */
struct sq_table {
	sqlite3_stmt *upd; /* NULL with sql_dont_try_update */
	sqlite3_stmt *ins;
};

struct plug_sqlite {
	const struct plugin_ctx *ctx;
	gchar *label;
	gchar *path;
	gchar *table;     /* a name, or a pattern when dynamic */
	gboolean dynamic; /* strftime placeholders: one table per period */
	struct bins bins;
	struct sqlschema *schema;
	gboolean dont_update;
	gboolean num_protos;
	sqlite3 *db;
	GHashTable *tables; /* name -> struct sq_table; the writer's */
};

/* What one write needs while it walks the table. */
struct sq_write {
	struct plug_sqlite *s;
	int64_t now;
	struct sq_table *cur; /* the table of cur_bin */
	int64_t cur_bin;
	guint64 rows;
	guint64 rejected; /* duplicate rows refused with insert-only */
	GError *err;
};

static gboolean
sq_fail(GError **err, sqlite3 *db, const char *what)
{
	g_set_error(err, FT_ERROR,
		    sqlite3_errcode(db) == SQLITE_FULL ? FT_ERROR_FULL
						       : FT_ERROR_IO,
		    "%s: %s", what, sqlite3_errmsg(db));
	return FALSE;
}

static gboolean
sq_exec(sqlite3 *db, const char *sql, GError **err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return TRUE;
	return sq_fail(err, db, sql);
}

/* "sec.usec" canonical time text into seconds and microseconds. */
static void
split_time(const char *text, int64_t *sec, int64_t *usec)
{
	char *end;

	*sec = g_ascii_strtoll(text, &end, 10);
	*usec = *end == '.' ? g_ascii_strtoll(end + 1, NULL, 10) : 0;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* One primitive's value, typed the way pmacct stores it. */
static void
bind_prim(struct plug_sqlite *s, sqlite3_stmt *st, int i,
	  const struct sqlcol *c, const uint8_t *key, const struct aggctr *ctr)
{
	const struct prim *p = s->ctx->spec->cols[c->slot];
	char buf[64], stamp[20];
	const char *name;
	int64_t sec, usec;

	aggkey_col_text(s->ctx->spec, (guint)c->slot, key, ctr, buf,
			sizeof(buf));
	switch (p->kind) {
	case PRIM_K_PROTO:
		name = fmt_proto_name((unsigned)atoi(buf));
		if (s->num_protos || name == NULL)
			sqlite3_bind_int64(st, i, atoi(buf));
		else
			bind_text(st, i, name);
		break;
	case PRIM_K_TIME:
		split_time(buf, &sec, &usec);
		if (c->role == SQLCOL_RESIDUAL) {
			sqlite3_bind_int64(st, i, usec);
			break;
		}
		bins_stamp(sec, stamp);
		bind_text(st, i, stamp);
		break;
	case PRIM_K_U8:
	case PRIM_K_U16:
	case PRIM_K_U32:
		sqlite3_bind_int64(st, i, g_ascii_strtoll(buf, NULL, 10));
		break;
	default:
		bind_text(st, i, buf);
		break;
	}
}

static void
bind_neutral(sqlite3_stmt *st, int i, const struct sqlcol *c)
{
	if (g_str_has_prefix(c->type, "INT"))
		sqlite3_bind_int64(st, i,
				   g_ascii_strtoll(c->neutral, NULL, 10));
	else
		bind_text(st, i, c->neutral);
}

/* Bind every written column of one entry to `st` (?N = column N-1). */
static void
bind_row(struct sq_write *w, sqlite3_stmt *st, const uint8_t *tkey,
	 const struct aggctr *ctr)
{
	struct plug_sqlite *s = w->s;
	const uint8_t *key = tkey + BINSTORE_BIN_LEN;
	const struct sqlcol *c;
	char stamp[20];
	size_t i, n = sqlschema_ncols(s->schema);

	for (i = 0; i < n; i++) {
		c = sqlschema_col(s->schema, i);
		if (!c->written)
			continue;
		switch (c->role) {
		case SQLCOL_PRIM:
		case SQLCOL_RESIDUAL:
			bind_prim(s, st, (int)i + 1, c, key, ctr);
			break;
		case SQLCOL_NEUTRAL:
			bind_neutral(st, (int)i + 1, c);
			break;
		case SQLCOL_PACKETS:
			sqlite3_bind_int64(st, (int)i + 1,
					   (int64_t)ctr->packets);
			break;
		case SQLCOL_BYTES:
			sqlite3_bind_int64(st, (int)i + 1, (int64_t)ctr->bytes);
			break;
		case SQLCOL_FLOWS:
			sqlite3_bind_int64(st, (int)i + 1, (int64_t)ctr->flows);
			break;
		case SQLCOL_STAMP_INSERTED:
			bins_stamp(binstore_key_bin(tkey), stamp);
			bind_text(st, (int)i + 1, stamp);
			break;
		case SQLCOL_STAMP_UPDATED:
			bins_stamp(w->now, stamp);
			bind_text(st, (int)i + 1, stamp);
			break;
		}
	}
}

/* Run `st` once with the entry's values; the number of rows changed. */
static int
run_row(struct sq_write *w, sqlite3_stmt *st, const uint8_t *tkey,
	const struct aggctr *ctr)
{
	int rc;

	bind_row(w, st, tkey, ctr);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE)
		return sqlite3_changes(w->s->db);
	if (rc == SQLITE_CONSTRAINT && w->s->dont_update) {
		w->rejected++;
		return 1;
	}
	sq_fail(&w->err, w->s->db, "cannot write a row");
	return -1;
}

static struct sq_table *sq_table_for(struct plug_sqlite *s, int64_t bin,
				     GError **err);

static void
write_entry(const uint8_t *tkey, struct aggctr *ctr, void *data)
{
	struct sq_write *w = data;
	int n = 0;

	if (w->err != NULL)
		return;
	if (w->cur == NULL || binstore_key_bin(tkey) != w->cur_bin) {
		w->cur_bin = binstore_key_bin(tkey);
		w->cur = sq_table_for(w->s, w->cur_bin, &w->err);
		if (w->cur == NULL)
			return;
	}
	if (w->cur->upd != NULL)
		n = run_row(w, w->cur->upd, tkey, ctr);
	if (n == 0)
		n = run_row(w, w->cur->ins, tkey, ctr);
	if (n > 0)
		w->rows++;
}

/* The binstore's writer: the whole interval in one transaction. */
static gboolean
sq_write(struct memtab *t, int64_t now, void *data, guint64 *rows, GError **err)
{
	struct sq_write w = { .s = data, .now = now };

	if (!sq_exec(w.s->db, "BEGIN IMMEDIATE", err))
		return FALSE;
	memtab_foreach_sorted(t, write_entry, &w);
	if (w.err == NULL)
		sq_exec(w.s->db, "COMMIT", &w.err);
	if (w.err != NULL) {
		sqlite3_exec(w.s->db, "ROLLBACK", NULL, NULL, NULL);
		/* Tables made in this transaction are gone with it. */
		if (w.s->dynamic)
			g_hash_table_remove_all(w.s->tables);
		g_propagate_error(err, w.err);
		return FALSE;
	}
	if (w.rejected > 0)
		log_warn("%s: %" G_GUINT64_FORMAT " rows already in the table "
			 "were refused (sql_dont_try_update)",
			 w.s->label, w.rejected);
	*rows = w.rows;
	return TRUE;
}

/* Names of the columns of `table`, or an empty list if it is missing. */
static gboolean
table_columns(sqlite3 *db, const char *table, GPtrArray *names, GError **err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1,
			       &st, NULL) != SQLITE_OK)
		return sq_fail(err, db, "cannot read the table's columns");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(
			names,
			g_strdup((const char *)sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_fail(err, db, "cannot read the table's columns");
	g_ptr_array_add(names, NULL);
	return TRUE;
}

/* Create the table if missing; refuse one that lacks columns we write. */
static gboolean
sq_check_table(struct plug_sqlite *s, const char *table, GError **err)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	gchar *sql, *missing = NULL;
	gboolean ok;

	ok = table_columns(s->db, table, names, err);
	if (ok && names->len == 1) {
		sql = sqlschema_create(s->schema, table);
		ok = sq_exec(s->db, sql, err);
		g_free(sql);
	} else if (ok) {
		missing = sqlschema_missing(s->schema,
					    (const char *const *)names->pdata);
	}
	if (missing != NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "%s: table %s lacks column(s) %s; set "
			    "sql_table_version to the table's schema, or name "
			    "a new table with sql_table",
			    s->path, table, missing);
		ok = FALSE;
	}
	g_free(missing);
	g_ptr_array_free(names, TRUE);
	return ok;
}

static void
sq_table_free(gpointer data)
{
	struct sq_table *t = data;

	sqlite3_finalize(t->upd);
	sqlite3_finalize(t->ins);
	g_free(t);
}

/* Check or create `name` and prepare its statements. */
static struct sq_table *
sq_table_open(struct plug_sqlite *s, const char *name, GError **err)
{
	struct sq_table *t = g_new0(struct sq_table, 1);
	gchar *upd = sqlschema_update(s->schema, name);
	gchar *ins = sqlschema_insert(s->schema, name);
	gboolean ok = sq_check_table(s, name, err);

	if (ok && !s->dont_update &&
	    sqlite3_prepare_v3(s->db, upd, -1, SQLITE_PREPARE_PERSISTENT,
			       &t->upd, NULL) != SQLITE_OK)
		ok = sq_fail(err, s->db, upd);
	if (ok && sqlite3_prepare_v3(s->db, ins, -1, SQLITE_PREPARE_PERSISTENT,
				     &t->ins, NULL) != SQLITE_OK)
		ok = sq_fail(err, s->db, ins);
	g_free(upd);
	g_free(ins);
	if (!ok) {
		sq_table_free(t);
		return NULL;
	}
	g_hash_table_insert(s->tables, g_strdup(name), t);
	return t;
}

/* The table of a bin: the one table, or the period's for a pattern. */
static struct sq_table *
sq_table_for(struct plug_sqlite *s, int64_t bin, GError **err)
{
	struct sq_table *t;
	gchar *name;

	if (!s->dynamic)
		return g_hash_table_lookup(s->tables, s->table);
	name = outfile_name(s->table, bin, err);
	if (name == NULL)
		return NULL;
	t = g_hash_table_lookup(s->tables, name);
	if (t == NULL)
		t = sq_table_open(s, name, err);
	g_free(name);
	return t;
}

static gboolean
sq_open(struct plug_sqlite *s, const char *path, uint64_t busy_s, GError **err)
{
	gchar *dir = g_path_get_dirname(path);

	g_mkdir_with_parents(dir, 0755);
	g_free(dir);
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: %s", path,
			    s->db != NULL ? sqlite3_errmsg(s->db)
					  : "cannot open");
		return FALSE;
	}
	sqlite3_busy_timeout(s->db, (int)MIN(busy_s * 1000, G_MAXINT));

	/* WAL: readers never block the writer; FULL: a commit is durable. */
	if (!sq_exec(s->db, "PRAGMA journal_mode = WAL", err) ||
	    !sq_exec(s->db, "PRAGMA synchronous = FULL", err))
		return FALSE;
	/* A fixed table is checked now; a period's when it is first used. */
	return s->dynamic || sq_table_open(s, s->table, err) != NULL;
}

static gboolean
sq_config(struct plug_sqlite *s, const struct cfg *cfg, const char *name,
	  unsigned *version, GError **err)
{
	const char *table = cfg_str(cfg, name, "sql_table");

	*version = cfg_is_set(cfg, name, "sql_table_version")
			   ? (unsigned)cfg_uint(cfg, name, "sql_table_version")
			   : 0;
	s->dont_update = cfg_bool(cfg, name, "sql_dont_try_update");
	s->num_protos = cfg_bool(cfg, name, "sql_num_protos");
	s->table = g_strdup(table != NULL ? table
					  : sqlschema_default_table(*version));
	s->dynamic = outfile_has_time(s->table);
	if (s->dynamic && cfg_str(cfg, name, "sql_history") == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "sql_table '%s': time placeholders need "
			    "sql_history",
			    s->table);
		return FALSE;
	}
	if (!bins_init(&s->bins, cfg_str(cfg, name, "sql_history"),
		       cfg_str(cfg, name, "sql_history_roundoff"), err))
		return FALSE;
	s->schema =
		sqlschema_new(*version, s->ctx->spec->cols, s->ctx->spec->ncols,
			      bins_enabled(&s->bins), err);
	return s->schema != NULL;
}

static void plug_sqlite_free(void *p);

static void *
plug_sqlite_new(const struct cfg *cfg, const struct plugin_ctx *ctx,
		GError **err)
{
	struct plug_sqlite *s = g_new0(struct plug_sqlite, 1);
	const char *path = cfg_str(cfg, ctx->name, "sql_db");
	struct binstore_opts o = { 0 };
	struct binstore *bs;
	unsigned version;

	s->ctx = ctx;
	s->label = g_strdup_printf("sqlite3[%s]", ctx->name);
	s->path = g_strdup(path);
	s->tables = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  sq_table_free);
	if (!sq_config(s, cfg, ctx->name, &version, err) ||
	    !sq_open(s, path, cfg_duration(cfg, ctx->name, "sql_busy_timeout"),
		     err)) {
		plug_sqlite_free(s);
		return NULL;
	}
	o.label = s->label;
	o.key_len = ctx->spec->key_len;
	o.max_entries = cfg_uint(cfg, ctx->name, "sql_max_entries");
	o.bins = &s->bins;
	o.refresh_ms =
		MAX(cfg_duration(cfg, ctx->name, "sql_refresh_time"), 1) * 1000;
	o.write = sq_write;
	o.data = s;
	o.free_data = plug_sqlite_free;
	bs = binstore_new(&o);
	log_info("%s: table %s in %s (%s schema), refresh every "
		 "%" G_GUINT64_FORMAT " s",
		 s->label, s->table, path,
		 version == 0 ? "aggregate" : "pmacct", o.refresh_ms / 1000);
	return bs;
}

static void
plug_sqlite_free(void *p)
{
	struct plug_sqlite *s = p;

	if (s == NULL)
		return;
	g_hash_table_destroy(s->tables);
	sqlite3_close(s->db);
	sqlschema_free(s->schema);
	g_free(s->table);
	g_free(s->path);
	g_free(s->label);
	g_free(s);
}

const struct plugin_ops plug_sqlite_ops = {
	.type = "sqlite3",
	.new = plug_sqlite_new,
	.add = binstore_op_add,
	.add_at = binstore_op_add_at,
	.tick = binstore_op_tick,
	.flush = binstore_op_flush,
	.status = binstore_op_status,
	.free = binstore_op_free,
};
