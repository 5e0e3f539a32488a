/* SPDX-License-Identifier: ISC */
/*
 * The SQL schemas against pmacct's shipped scripts: for each version the
 * column order and primary key of reference section 5.1, read back from
 * SQLite itself after running our CREATE; the columns pmacct names in
 * its writes (section 5.2's observed v9 statement); version checks; the
 * table built from an aggregate; and the report of missing columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "collector/sqlschema.h"

struct ver_case {
	unsigned version;
	const char *table;
	const char *cols;
	const char *pk;
};

/* Reference 5.1, "exact column order per script" and PRIMARY KEY. */
static const struct ver_case vers[] = {
	{ 1, "acct",
	  "mac_src,mac_dst,ip_src,ip_dst,src_port,dst_port,ip_proto,packets,"
	  "bytes,stamp_inserted,stamp_updated",
	  "mac_src,mac_dst,ip_src,ip_dst,src_port,dst_port,ip_proto,"
	  "stamp_inserted" },
	{ 2, "acct_v2",
	  "agent_id,mac_src,mac_dst,vlan,ip_src,ip_dst,src_port,dst_port,"
	  "ip_proto,packets,bytes,stamp_inserted,stamp_updated",
	  "agent_id,mac_src,mac_dst,vlan,ip_src,ip_dst,src_port,dst_port,"
	  "ip_proto,stamp_inserted" },
	{ 3, "acct_v3",
	  "agent_id,mac_src,mac_dst,vlan,ip_src,ip_dst,src_port,dst_port,"
	  "ip_proto,tos,packets,bytes,stamp_inserted,stamp_updated",
	  "agent_id,mac_src,mac_dst,vlan,ip_src,ip_dst,src_port,dst_port,"
	  "ip_proto,tos,stamp_inserted" },
	{ 4, "acct_v4",
	  "agent_id,mac_src,mac_dst,vlan,ip_src,ip_dst,src_port,dst_port,"
	  "ip_proto,tos,packets,bytes,flows,stamp_inserted,stamp_updated",
	  "agent_id,mac_src,mac_dst,vlan,ip_src,ip_dst,src_port,dst_port,"
	  "ip_proto,tos,stamp_inserted" },
	{ 5, "acct_v5",
	  "agent_id,class_id,mac_src,mac_dst,vlan,ip_src,ip_dst,src_port,"
	  "dst_port,ip_proto,tos,packets,bytes,flows,stamp_inserted,"
	  "stamp_updated",
	  "agent_id,class_id,mac_src,mac_dst,vlan,ip_src,ip_dst,src_port,"
	  "dst_port,ip_proto,tos,stamp_inserted" },
	{ 6, "acct_v6",
	  "agent_id,class_id,mac_src,mac_dst,vlan,as_src,as_dst,ip_src,ip_dst,"
	  "src_port,dst_port,ip_proto,tos,packets,bytes,flows,stamp_inserted,"
	  "stamp_updated",
	  "agent_id,class_id,mac_src,mac_dst,vlan,as_src,as_dst,ip_src,ip_dst,"
	  "src_port,dst_port,ip_proto,tos,stamp_inserted" },
	{ 7, "acct_v7",
	  "agent_id,class_id,mac_src,mac_dst,vlan,as_src,as_dst,ip_src,ip_dst,"
	  "src_port,dst_port,tcp_flags,ip_proto,tos,packets,bytes,flows,"
	  "stamp_inserted,stamp_updated",
	  "agent_id,class_id,mac_src,mac_dst,vlan,as_src,as_dst,ip_src,ip_dst,"
	  "src_port,dst_port,ip_proto,tos,stamp_inserted" },
	{ 8, "acct_v8",
	  "agent_id,class_id,mac_src,mac_dst,vlan,as_src,as_dst,ip_src,ip_dst,"
	  "port_src,port_dst,tcp_flags,ip_proto,tos,packets,bytes,flows,"
	  "stamp_inserted,stamp_updated",
	  "agent_id,class_id,mac_src,mac_dst,vlan,as_src,as_dst,ip_src,ip_dst,"
	  "port_src,port_dst,ip_proto,tos,stamp_inserted" },
	/* pmacct defaults v9 to "acct" (its bug); the version's name here. */
	{ 9, "acct_v9",
	  "tag,class_id,mac_src,mac_dst,vlan,as_src,as_dst,ip_src,ip_dst,"
	  "port_src,port_dst,tcp_flags,ip_proto,tos,packets,bytes,flows,"
	  "stamp_inserted,stamp_updated",
	  "tag,class_id,mac_src,mac_dst,vlan,as_src,as_dst,ip_src,ip_dst,"
	  "port_src,port_dst,ip_proto,tos,stamp_inserted" },
};

static struct sqlschema *
schema_for(unsigned version, const char *agg, gboolean history, GError **e)
{
	gchar **names = g_strsplit(agg, ",", -1);
	const struct prim *prims[PRIM_COUNT];
	struct sqlschema *s;
	size_t n = 0;

	for (; names[n] != NULL; n++) {
		prims[n] = prim_find(names[n]);
		assert_non_null(prims[n]);
	}
	s = sqlschema_new(version, prims, n, history, e);
	g_strfreev(names);
	return s;
}

/* The table's columns and key as SQLite reports them. */
static void
table_info(sqlite3 *db, const char *table, GString *cols, GString *pk)
{
	gchar *sql = g_strdup_printf("PRAGMA table_info(\"%s\")", table);
	gchar *keys[64] = { NULL };
	sqlite3_stmt *st;
	int i, n = 0;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		g_string_append_printf(cols, "%s%s", cols->len ? "," : "",
				       sqlite3_column_text(st, 1));
		i = sqlite3_column_int(st, 5);
		if (i > 0 && i <= 64) {
			keys[i - 1] = g_strdup(
				(const char *)sqlite3_column_text(st, 1));
			n = MAX(n, i);
		}
	}
	sqlite3_finalize(st);
	for (i = 0; i < n; i++) {
		g_string_append_printf(pk, "%s%s", i ? "," : "", keys[i]);
		g_free(keys[i]);
	}
	g_free(sql);
}

static void
prepare_ok(sqlite3 *db, gchar *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	g_free(sql);
}

static void
test_versions(void **state)
{
	GString *cols = g_string_new(NULL), *pk = g_string_new(NULL);
	struct sqlschema *s;
	const char *table;
	sqlite3 *db;
	size_t i;
	gchar *sql;

	for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		table = sqlschema_default_table(vers[i].version);
		assert_string_equal(table, vers[i].table);
		s = schema_for(vers[i].version, "src_host", TRUE, NULL);
		assert_non_null(s);
		assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
		sql = sqlschema_create(s, table);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
				 SQLITE_OK);
		g_free(sql);
		g_string_truncate(cols, 0);
		g_string_truncate(pk, 0);
		table_info(db, table, cols, pk);
		assert_string_equal(cols->str, vers[i].cols);
		assert_string_equal(pk->str, vers[i].pk);
		prepare_ok(db, sqlschema_update(s, table));
		prepare_ok(db, sqlschema_insert(s, table));
		sqlite3_close(db);
		sqlschema_free(s);
	}
	g_string_free(cols, TRUE);
	g_string_free(pk, TRUE);
}

/* Which columns a write names, and the neutral values it binds. */
static GString *
written(const struct sqlschema *s)
{
	GString *out = g_string_new(NULL);
	const struct sqlcol *c;
	size_t i;

	for (i = 0; i < sqlschema_ncols(s); i++) {
		c = sqlschema_col(s, i);
		if (!c->written)
			continue;
		g_string_append_printf(out, "%s%s", out->len ? "," : "",
				       c->name);
		if (c->role == SQLCOL_NEUTRAL)
			g_string_append_printf(out, "='%s'", c->neutral);
	}
	return out;
}

/*
 * Reference 5.2: nfacctd's v9 UPDATE for this aggregate names these
 * columns, with 'unknown', '0:0:0:0:0:0' and 0 for the unaggregated ones,
 * and leaves tcp_flags alone; v1 with src_host alone wrote ip_proto 0.
 */
static void
test_v9_written(void **state)
{
	struct sqlschema *s = schema_for(
		9, "src_host,dst_host,src_port,dst_port,proto,tos,vlan", TRUE,
		NULL);
	GString *w = written(s);

	assert_string_equal(
		w->str, "tag='0',class_id='unknown',mac_src='0:0:0:0:0:0',"
			"mac_dst='0:0:0:0:0:0',vlan,as_src='0',as_dst='0',"
			"ip_src,ip_dst,port_src,port_dst,ip_proto,tos,packets,"
			"bytes,flows,stamp_inserted,stamp_updated");
	g_string_free(w, TRUE);
	sqlschema_free(s);

	/* Without history the stamps stay out of every write. */
	s = schema_for(1, "src_host", FALSE, NULL);
	w = written(s);
	assert_string_equal(w->str, "mac_src='0:0:0:0:0:0',"
				    "mac_dst='0:0:0:0:0:0',ip_src,"
				    "ip_dst='0.0.0.0',src_port='0',"
				    "dst_port='0',ip_proto='0',packets,bytes");
	g_string_free(w, TRUE);
	sqlschema_free(s);
}

/* Reference 5.2: vlan needs v2, tos v3, tcpflags v7. */
static void
test_version_refuses(void **state)
{
	static const struct {
		unsigned version;
		const char *agg;
		const char *msg;
	} bad[] = {
		{ 1, "src_host,vlan", "vlan needs sql_table_version 2" },
		{ 2, "tos", "tos needs sql_table_version 3" },
		{ 6, "tcpflags", "tcpflags needs sql_table_version 7" },
	};
	GError *e = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(schema_for(bad[i].version, bad[i].agg, TRUE, &e));
		assert_non_null(e);
		assert_non_null(strstr(e->message, bad[i].msg));
		g_clear_error(&e);
	}
}

/* Reference 5.1 "extra columns": their own names, any version. */
static void
test_extra_and_aggregate(void **state)
{
	struct sqlschema *s = schema_for(9, "src_host,in_iface", TRUE, NULL);
	GString *w = written(s);

	assert_non_null(strstr(w->str, ",tos='0',iface_in,packets,"));
	g_string_free(w, TRUE);
	sqlschema_free(s);

	s = schema_for(0, "proto,timestamp_start,dst_host,src_host", TRUE,
		       NULL);
	w = written(s);
	assert_string_equal(w->str,
			    "ip_src,ip_dst,ip_proto,timestamp_start,"
			    "timestamp_start_residual,packets,bytes,flows,"
			    "stamp_inserted,stamp_updated");
	g_string_free(w, TRUE);
	sqlschema_free(s);
}

static void
test_missing(void **state)
{
	struct sqlschema *v1 = schema_for(1, "src_host", TRUE, NULL);
	struct sqlschema *v9 = schema_for(9, "src_host", TRUE, NULL);
	const char *have[32];
	const struct sqlcol *c;
	gchar *m;
	size_t i;

	for (i = 0; i < sqlschema_ncols(v1); i++) {
		c = sqlschema_col(v1, i);
		have[i] = c->name;
	}
	have[i] = NULL;
	assert_null(sqlschema_missing(v1, have));
	m = sqlschema_missing(v9, have);
	assert_string_equal(m, "tag, class_id, vlan, as_src, as_dst, "
			       "port_src, port_dst, tos, flows");
	g_free(m);
	sqlschema_free(v1);
	sqlschema_free(v9);
}

/* TCP flags are OR-ed into a row (aggkey.h), never part of its key. */
static void
test_tcp_flags_ored(void **state)
{
	static const unsigned versions[] = { 9, 0 };
	struct sqlschema *s;
	gchar *upd, *create;
	size_t i;

	for (i = 0; i < 2; i++) {
		s = schema_for(versions[i], "src_host,tcpflags", TRUE, NULL);
		upd = sqlschema_update(s, "t");
		create = sqlschema_create(s, "t");
		assert_non_null(strstr(upd, ", tcp_flags = tcp_flags | ?"));
		assert_null(strstr(strstr(upd, " WHERE "), "tcp_flags"));
		assert_null(strstr(strstr(create, "PRIMARY KEY"), "tcp_flags"));
		g_free(upd);
		g_free(create);
		sqlschema_free(s);
	}
}

/* Every column's name, type, NOT NULL, DEFAULT and key position. */
static GString *
full_info(sqlite3 *db, const char *table)
{
	gchar *sql = g_strdup_printf("PRAGMA table_info(\"%s\")", table);
	GString *out = g_string_new(NULL);
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_string_append_printf(
			out, "%s %s %d %s %d\n", sqlite3_column_text(st, 1),
			sqlite3_column_text(st, 2), sqlite3_column_int(st, 3),
			sqlite3_column_text(st, 4), sqlite3_column_int(st, 5));
	sqlite3_finalize(st);
	g_free(sql);
	return out;
}

static GString *
info_of(const char *script, const char *table)
{
	sqlite3 *db;
	GString *out;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	if (sqlite3_exec(db, script, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(db));
	out = full_info(db, table);
	sqlite3_close(db);
	return out;
}

/*
 * Our CREATE against the scripts pmacct ships (Debian package pmacct):
 * the same columns, types, constraints, defaults and primary key.
 */
static void
test_shipped_scripts(void **state)
{
	struct sqlschema *s;
	GString *ours, *theirs;
	gchar *path, *script, *create;
	unsigned v;
	int found = 0;

	for (v = 1; v <= 9; v++) {
		path = g_strdup_printf("/usr/share/pmacct/sql/"
				       "pmacct-create-table_v%u.sqlite3",
				       v);
		if (!g_file_get_contents(path, &script, NULL, NULL)) {
			g_free(path);
			continue;
		}
		found++;
		s = schema_for(v, "src_host", TRUE, NULL);
		create = sqlschema_create(s, sqlschema_default_table(v));
		ours = info_of(create, sqlschema_default_table(v));
		theirs = info_of(script, sqlschema_default_table(v));
		if (strcmp(ours->str, theirs->str) != 0)
			fail_msg("v%u differs from %s:\nours:\n%s\ntheirs:\n%s",
				 v, path, ours->str, theirs->str);
		g_string_free(ours, TRUE);
		g_string_free(theirs, TRUE);
		g_free(create);
		g_free(script);
		g_free(path);
		sqlschema_free(s);
	}
	if (found == 0)
		skip();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_v9_written),
		cmocka_unit_test(test_version_refuses),
		cmocka_unit_test(test_extra_and_aggregate),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_tcp_flags_ored),
		cmocka_unit_test(test_shipped_scripts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
