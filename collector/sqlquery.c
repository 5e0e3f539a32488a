/* SPDX-License-Identifier: ISC */
/*
 * Database queries of the flowtally CLI. The table's columns are mapped
 * back to primitives by their SQL names (pmacct's older src_port and
 * dst_port too); one GROUP BY query with bound time limits sums the bins
 * of the range, and each value is brought back to the canonical text of
 * qproto.h by the aggkey parser, so names such as 'tcp' read as 6.
 */
#include "sqlquery.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "collector/aggkey.h"
#include "collector/bins.h"
#include "collector/sqlschema.h"
#include "common/error.h"
#include "common/value.h"

/* One primitive column of the table. */
struct sq_col {
	const struct prim *p;
	gchar *name;
	gchar *dflt;       /* the column's DEFAULT as SQL text, or NULL */
	gboolean residual; /* a NAME_residual column exists (times) */
};

struct sq_table {
	GArray *cols;  /* struct sq_col */
	gchar *source; /* what to SELECT FROM: a table or a UNION ALL */
	gboolean flows;
	gboolean stamps;
};

static gboolean
db_fail(GError **err, sqlite3 *db, const char *what)
{
	g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: %s", what,
		    sqlite3_errmsg(db));
	return FALSE;
}

/* The primitive a column holds, by pmacct's names. */
static const struct prim *
col_prim(const char *name)
{
	size_t i;

	if (strcmp(name, "src_port") == 0)
		return &prim_table[PRIM_SRC_PORT];
	if (strcmp(name, "dst_port") == 0)
		return &prim_table[PRIM_DST_PORT];
	for (i = 0; i < PRIM_COUNT; i++)
		if (strcmp(prim_table[i].sql, name) == 0)
			return &prim_table[i];
	return NULL;
}

static void
too_many(GError **err, const char *path, gchar **names)
{
	gchar *list = g_strjoinv(", ", names);

	g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
		    "%s holds tables %s: name one with --table, or a "
		    "pattern ('acct_2024*')",
		    path, list);
	g_free(list);
}

/*
 * The tables to read: the one named, every one a GLOB pattern matches,
 * or the only one whose name starts with "acct". NULL-terminated (g_strfreev).
 */
static gchar **
find_tables(sqlite3 *db, const char *path, const char *table, GError **err)
{
	const char *pattern = table != NULL ? table : "acct*";
	GPtrArray *names = g_ptr_array_new();
	sqlite3_stmt *st;

	if (table != NULL && strpbrk(table, "*?[") == NULL) {
		g_ptr_array_add(names, g_strdup(table));
		g_ptr_array_add(names, NULL);
		return (gchar **)g_ptr_array_free(names, FALSE);
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT name FROM sqlite_master WHERE type = "
			       "'table' AND name GLOB ?1 ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(err, db, path);
		g_ptr_array_free(names, TRUE);
		return NULL;
	}
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_ptr_array_add(
			names,
			g_strdup((const char *)sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	g_ptr_array_add(names, NULL);
	if (names->len == 1)
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "%s: no table matches %s", path, pattern);
	else if (table == NULL && names->len > 2)
		too_many(err, path, (gchar **)names->pdata);
	else
		return (gchar **)g_ptr_array_free(names, FALSE);
	g_strfreev((gchar **)g_ptr_array_free(names, FALSE));
	return NULL;
}

static void
sq_col_clear(gpointer data)
{
	struct sq_col *c = data;

	g_free(c->name);
	g_free(c->dflt);
}

/* Read the table's columns; FALSE if it has none (no such table). */
static gboolean
read_table(sqlite3 *db, const char *table, struct sq_table *t, GError **err)
{
	sqlite3_stmt *st;
	GHashTable *all =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct sq_col c;
	guint i;

	if (sqlite3_prepare_v2(db,
			       "SELECT name, dflt_value FROM "
			       "pragma_table_info(?1)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, table);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *dflt = (const char *)sqlite3_column_text(st, 1);

		g_hash_table_add(all, g_strdup(name));
		memset(&c, 0, sizeof(c));
		c.p = col_prim(name);
		if (c.p == NULL)
			continue;
		c.name = g_strdup(name);
		c.dflt = g_strdup(dflt);
		g_array_append_val(t->cols, c);
	}
	sqlite3_finalize(st);
	t->flows = g_hash_table_contains(all, "flows");
	t->stamps = g_hash_table_contains(all, "stamp_inserted");
	for (i = 0; i < t->cols->len; i++) {
		struct sq_col *sc = &g_array_index(t->cols, struct sq_col, i);
		gchar *res = g_strconcat(sc->name, "_residual", NULL);

		sc->residual = g_hash_table_contains(all, res);
		g_free(res);
	}
	i = g_hash_table_size(all);
	g_hash_table_destroy(all);
	if (i == 0 || !t->stamps) {
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "no table %s with stamp_inserted in the database",
			    table);
		return FALSE;
	}
	return TRUE;
}

/* The column names of `table`, in order, comma-separated (g_free). */
static gchar *
col_list(sqlite3 *db, const char *table)
{
	GString *out = g_string_new(NULL);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			g_string_append_printf(out, "%s,",
					       sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	return g_string_free(out, FALSE);
}

/*
 * What the query reads FROM: the table, or several of the same columns
 * in one UNION ALL (a sql_table pattern gives one table per period).
 */
static gchar *
from_source(sqlite3 *db, gchar **names, GError **err)
{
	GString *src = g_string_new(NULL);
	gchar *first = col_list(db, names[0]), *cols;
	guint i;

	for (i = 0; names[i] != NULL; i++) {
		cols = col_list(db, names[i]);
		if (strcmp(cols, first) != 0) {
			g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
				    "tables %s and %s have different columns",
				    names[0], names[i]);
			g_free(cols);
			g_free(first);
			g_string_free(src, TRUE);
			return NULL;
		}
		g_free(cols);
		g_string_append(src, i == 0 ? "" : " UNION ALL SELECT * FROM ");
		sqlschema_append_ident(src, names[i]);
	}
	g_free(first);
	if (i > 1) {
		g_string_prepend(src, "(SELECT * FROM ");
		g_string_append(src, ")");
	}
	return g_string_free(src, FALSE);
}

/* TRUE if some row holds a value other than the column's default. */
static gboolean
col_in_use(sqlite3 *db, const char *source, const struct sq_col *c)
{
	GString *sql = g_string_new("SELECT EXISTS (SELECT 1 FROM ");
	sqlite3_stmt *st;
	gboolean used = TRUE;

	g_string_append(sql, source);
	g_string_append(sql, " WHERE ");
	sqlschema_append_ident(sql, c->name);
	g_string_append_printf(sql, " IS NOT %s)",
			       c->dflt != NULL ? c->dflt : "NULL");
	if (sqlite3_prepare_v2(db, sql->str, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			used = sqlite3_column_int(st, 0) != 0;
		sqlite3_finalize(st);
	}
	g_string_free(sql, TRUE);
	return used;
}

static const struct sq_col *
find_col(const struct sq_table *t, enum prim_id id)
{
	guint i;

	for (i = 0; i < t->cols->len; i++)
		if (g_array_index(t->cols, struct sq_col, i).p->id == id)
			return &g_array_index(t->cols, struct sq_col, i);
	return NULL;
}

/* The columns to group by: the keys asked for, or every one in use. */
static gboolean
pick_cols(sqlite3 *db, const struct sqlquery_opts *q, const char *table,
	  const struct sq_table *t, GPtrArray *out, GError **err)
{
	const struct sq_col *c;
	guint i;

	for (i = 0; i < q->nkeys; i++) {
		c = find_col(t, q->keys[i]->id);
		if (c == NULL) {
			g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
				    "table %s has no column for %s", table,
				    q->keys[i]->name);
			return FALSE;
		}
		g_ptr_array_add(out, (gpointer)c);
	}
	for (i = 0; q->nkeys == 0 && i < t->cols->len; i++) {
		c = &g_array_index(t->cols, struct sq_col, i);
		if (col_in_use(db, t->source, c))
			g_ptr_array_add(out, (gpointer)c);
	}
	return TRUE;
}

static gchar *
build_sql(const struct sqlquery_opts *q, const struct sq_table *t,
	  GPtrArray *cols)
{
	GString *sql = g_string_new("SELECT ");
	GString *group = g_string_new(NULL);
	const struct sq_col *c;
	const char *sep = " WHERE ";
	guint i;

	for (i = 0; i < cols->len; i++) {
		c = cols->pdata[i];
		g_string_append_printf(group, "%s", i ? ", " : "");
		sqlschema_append_ident(group, c->name);
		if (c->residual) {
			gchar *res = g_strconcat(c->name, "_residual", NULL);

			g_string_append(group, ", ");
			sqlschema_append_ident(group, res);
			g_free(res);
		}
	}
	g_string_append_printf(sql, "%s%s", group->str, cols->len ? ", " : "");
	g_string_append_printf(sql,
			       "SUM(packets), SUM(bytes), %s, COUNT(*) "
			       "FROM ",
			       t->flows ? "SUM(flows)" : "0");
	g_string_append(sql, t->source);
	if (q->from > 0) {
		g_string_append_printf(sql, "%sstamp_inserted >= ?1", sep);
		sep = " AND ";
	}
	if (q->to != INT64_MAX)
		g_string_append_printf(sql, "%sstamp_inserted < ?2", sep);
	if (cols->len > 0)
		g_string_append_printf(sql, " GROUP BY %s ORDER BY %s",
				       group->str, group->str);
	g_string_free(group, TRUE);
	return g_string_free(sql, FALSE);
}

/* A stored value in canonical text; the stored text if it will not parse. */
static gchar *
canonical(const struct sq_col *c, sqlite3_stmt *st, int *i)
{
	const char *raw = (const char *)sqlite3_column_text(st, *i);
	uint8_t val[AGGKEY_MAX_LEN];
	char buf[FT_ADDR_STRLEN + 16];
	gchar *text;

	(*i)++;
	if (raw == NULL)
		raw = "0";
	if (c->p->kind == PRIM_K_TIME) {
		/* "YYYY-MM-DD HH:MM:SS" + residual: the parser's ISO form. */
		text = g_strdup_printf(
			"%.10sT%s.%06d", raw, strlen(raw) > 11 ? raw + 11 : "",
			c->residual ? sqlite3_column_int(st, *i) : 0);
		if (c->residual)
			(*i)++;
	} else {
		text = g_strdup(raw);
	}
	if (aggkey_value_parse(c->p, text, val, NULL)) {
		g_free(text);
		return g_strdup(aggkey_value_text(c->p, val, buf, sizeof(buf)));
	}
	return text;
}

static struct qclient_row *
make_row(GPtrArray *cols, sqlite3_stmt *st, guint seq)
{
	struct qclient_row *row = g_new0(struct qclient_row, 1);
	int i = 0;
	guint j;

	row->fields = g_new0(char *, cols->len + 1);
	for (j = 0; j < cols->len; j++)
		row->fields[j] = canonical(cols->pdata[j], st, &i);
	row->values = (const char *const *)row->fields;
	row->seq = seq;
	row->c.packets = (uint64_t)sqlite3_column_int64(st, i);
	row->c.bytes = (uint64_t)sqlite3_column_int64(st, i + 1);
	row->c.flows = (uint64_t)sqlite3_column_int64(st, i + 2);
	return row;
}

static void
row_free(gpointer p)
{
	struct qclient_row *row = p;

	g_strfreev(row->fields);
	g_free(row);
}

static gboolean
fill_reply(sqlite3 *db, const struct sqlquery_opts *q, const char *table,
	   const struct sq_table *t, struct qclient_reply *r, GError **err)
{
	GPtrArray *cols = g_ptr_array_new();
	sqlite3_stmt *st = NULL;
	char from[20], to[20];
	gchar *sql = NULL;
	int rc, ncols;
	guint i;

	if (!pick_cols(db, q, table, t, cols, err))
		goto fail;
	for (i = 0; i < cols->len; i++)
		g_ptr_array_add(r->cols,
				(gpointer)((struct sq_col *)cols->pdata[i])->p);
	r->flows = t->flows;
	sql = build_sql(q, t, cols);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(err, db, sql);
		goto fail;
	}
	bins_stamp(q->from, from);
	bins_stamp(q->to == INT64_MAX ? 0 : q->to, to);
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	ncols = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_int64(st, ncols - 1) > 0)
			g_ptr_array_add(r->rows,
					make_row(cols, st, r->rows->len));
	if (rc != SQLITE_DONE) {
		db_fail(err, db, table);
		goto fail;
	}
	sqlite3_finalize(st);
	g_free(sql);
	g_ptr_array_free(cols, TRUE);
	return TRUE;
fail:
	sqlite3_finalize(st);
	g_free(sql);
	g_ptr_array_free(cols, TRUE);
	return FALSE;
}

struct qclient_reply *
sqlquery_run(const struct sqlquery_opts *q, GError **err)
{
	struct qclient_reply *r = g_new0(struct qclient_reply, 1);
	struct sq_table t = { NULL, NULL, FALSE, FALSE };
	gchar **names = NULL;
	sqlite3 *db = NULL;
	gboolean ok = FALSE;

	r->cols = g_ptr_array_new();
	r->rows = g_ptr_array_new_with_free_func(row_free);
	r->lines = g_ptr_array_new_with_free_func(g_free);
	t.cols = g_array_new(FALSE, TRUE, sizeof(struct sq_col));
	g_array_set_clear_func(t.cols, sq_col_clear);
	if (sqlite3_open_v2(q->db, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		db_fail(err, db, q->db);
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	names = find_tables(db, q->db, q->table, err);
	ok = names != NULL && read_table(db, names[0], &t, err) &&
	     (t.source = from_source(db, names, err)) != NULL &&
	     fill_reply(db, q, names[0], &t, r, err);
out:
	sqlite3_close(db);
	g_array_free(t.cols, TRUE);
	g_free(t.source);
	g_strfreev(names);
	if (!ok) {
		qclient_reply_free(r);
		return NULL;
	}
	return r;
}

/* The start of the calendar period `len` ("1d", "1w", "1M", "12M"). */
static int64_t
period_start(const char *len, int64_t now)
{
	struct bins b;

	bins_init(&b, len, NULL, NULL);
	return bins_start(&b, now);
}

static gboolean
when_date(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n;
	char sep = ' ', tail;
	GDateTime *dt;

	n = sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%c", &y, &mo, &d, &sep, &h, &mi,
		   &sec, &tail);
	if (n != 3 && n != 6 && n != 7)
		return FALSE;
	if (n > 3 && sep != ' ' && sep != 'T')
		return FALSE;
	dt = g_date_time_new_utc(y, mo, d, h, mi, sec);
	if (dt == NULL)
		return FALSE;
	*out = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return TRUE;
}

gboolean
sqlquery_when(const char *text, int64_t now, int64_t *out, GError **err)
{
	static const struct {
		const char *word;
		const char *period;
		int64_t back;
	} words[] = {
		{ "today", "1d", 0 }, { "yesterday", "1d", 86400 },
		{ "week", "1w", 0 },  { "month", "1M", 0 },
		{ "year", "12M", 0 },
	};
	uint64_t secs;
	size_t i;

	if (strcmp(text, "now") == 0) {
		*out = now;
		return TRUE;
	}
	for (i = 0; i < G_N_ELEMENTS(words); i++)
		if (strcmp(text, words[i].word) == 0) {
			*out = period_start(words[i].period,
					    now - words[i].back);
			return TRUE;
		}
	if (text[0] == '-' && val_duration(text + 1, &secs, NULL)) {
		*out = now - (int64_t)secs;
		return TRUE;
	}
	if (text[0] == '@' && val_uint(text + 1, 0, INT64_MAX, &secs, NULL)) {
		*out = (int64_t)secs;
		return TRUE;
	}
	if (when_date(text, out))
		return TRUE;
	g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
		    "'%s' is not a time (YYYY-MM-DD[ HH:MM[:SS]], @EPOCH, now, "
		    "today, yesterday, week, month, year, -1h)",
		    text);
	return FALSE;
}
