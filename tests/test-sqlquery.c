/* SPDX-License-Identifier: ISC */
/*
 * The CLI's database queries on a pmacct v9 table holding rows as
 * nfacctd writes them (reference section 5.2: 'unknown' classes, '0:...'
 * MACs, protocol names): sums per key over a range of bins, worked out by
 * hand from the rows below; and the --from/--to time words against the
 * calendar (1700000000 is Tuesday 2023-11-14 22:13:20 UTC).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "collector/sqlquery.h"

static const char v9[] =
	"CREATE TABLE acct_v9 (tag INT(8) NOT NULL DEFAULT 0, "
	"class_id CHAR(16) NOT NULL DEFAULT ' ', "
	"mac_src CHAR(17) NOT NULL DEFAULT '0:0:0:0:0:0', "
	"mac_dst CHAR(17) NOT NULL DEFAULT '0:0:0:0:0:0', "
	"vlan INT(4) NOT NULL DEFAULT 0, as_src INT(8) NOT NULL DEFAULT 0, "
	"as_dst INT(8) NOT NULL DEFAULT 0, "
	"ip_src CHAR(45) NOT NULL DEFAULT '0.0.0.0', "
	"ip_dst CHAR(45) NOT NULL DEFAULT '0.0.0.0', "
	"port_src INT(4) NOT NULL DEFAULT 0, "
	"port_dst INT(4) NOT NULL DEFAULT 0, "
	"tcp_flags INT(4) NOT NULL DEFAULT 0, "
	"ip_proto CHAR(6) NOT NULL DEFAULT 0, tos INT(4) NOT NULL DEFAULT 0, "
	"packets INT NOT NULL, bytes BIGINT NOT NULL, "
	"flows INT NOT NULL DEFAULT 0, "
	"stamp_inserted DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', "
	"stamp_updated DATETIME);"
	"INSERT INTO acct_v9 VALUES "
	"(0,'unknown','0:0:0:0:0:0','0:0:0:0:0:0',0,0,0,'192.168.1.10',"
	"'10.0.0.1',40000,80,0,'tcp',0,5,700,0,'2023-11-14 22:10:00',NULL),"
	"(0,'unknown','0:0:0:0:0:0','0:0:0:0:0:0',0,0,0,'192.168.1.10',"
	"'1.1.1.1',0,2048,0,'icmp',0,1,28,0,'2023-11-14 22:10:00',NULL),"
	"(0,'unknown','0:0:0:0:0:0','0:0:0:0:0:0',0,0,0,'192.168.1.10',"
	"'10.0.0.1',40000,80,0,'tcp',0,2,100,0,'2023-11-14 22:15:00',NULL),"
	"(0,'unknown','0:0:0:0:0:0','0:0:0:0:0:0',0,0,0,'192.168.1.11',"
	"'8.8.8.8',5353,53,0,'udp',16,2,156,0,'2023-11-01 00:00:00',NULL);";

static gchar *
make_db(void)
{
	gchar *dir = g_dir_make_tmp("sqlquery-XXXXXX", NULL);
	gchar *path = g_build_filename(dir, "t.db", NULL);
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v9, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	g_free(dir);
	return path;
}

static void
drop_db(gchar *path)
{
	gchar *dir = g_path_get_dirname(path);

	g_unlink(path);
	g_rmdir(dir);
	g_free(dir);
	g_free(path);
}

static const struct qclient_row *
row(const struct qclient_reply *r, guint i)
{
	assert_true(i < r->rows->len);
	return r->rows->pdata[i];
}

/* Every column in use, in the table's order, over every bin. */
static void
test_all_columns(void **state)
{
	gchar *path = make_db();
	struct sqlquery_opts q = { .db = path, .from = 0, .to = INT64_MAX };
	struct qclient_reply *r = sqlquery_run(&q, NULL);
	const struct prim *p;

	assert_non_null(r);
	/* ip_src, ip_dst, port_src, port_dst, ip_proto, tos are in use. */
	assert_int_equal(r->cols->len, 6);
	p = r->cols->pdata[4];
	assert_int_equal(p->id, PRIM_PROTO);
	assert_int_equal(r->rows->len, 3);
	/* Ordered by ip_src, ip_dst: 1.1.1.1 sorts before 10.0.0.1. */
	assert_string_equal(row(r, 0)->values[1], "1.1.1.1");
	assert_string_equal(row(r, 0)->values[4], "1");
	assert_string_equal(row(r, 1)->values[4], "6");
	assert_int_equal(row(r, 1)->c.packets, 7);
	assert_int_equal(row(r, 1)->c.bytes, 800);
	assert_string_equal(row(r, 2)->values[5], "16");
	qclient_reply_free(r);
	drop_db(path);
}

/* Grouped by src_host over the bins from 22:10 to before 22:15. */
static void
test_range_and_keys(void **state)
{
	gchar *path = make_db();
	const struct prim *keys[] = { prim_find("src_host") };
	struct sqlquery_opts q = { .db = path, .keys = keys, .nkeys = 1 };
	struct qclient_reply *r;

	assert_true(sqlquery_when("2023-11-14 22:10", 0, &q.from, NULL));
	assert_true(sqlquery_when("2023-11-14 22:15:00", 0, &q.to, NULL));
	r = sqlquery_run(&q, NULL);
	assert_non_null(r);
	assert_int_equal(r->cols->len, 1);
	assert_int_equal(r->rows->len, 1);
	assert_string_equal(row(r, 0)->values[0], "192.168.1.10");
	assert_int_equal(row(r, 0)->c.bytes, 728);
	assert_int_equal(row(r, 0)->c.packets, 6);
	qclient_reply_free(r);

	/* Since the first of the month: every row of November. */
	assert_true(sqlquery_when("month", 1700000000, &q.from, NULL));
	q.to = INT64_MAX;
	r = sqlquery_run(&q, NULL);
	assert_int_equal(r->rows->len, 2);
	assert_int_equal(row(r, 0)->c.bytes, 828);
	assert_int_equal(row(r, 1)->c.bytes, 156);
	qclient_reply_free(r);
	drop_db(path);
}

static void
test_errors(void **state)
{
	gchar *path = make_db();
	const struct prim *keys[] = { prim_find("in_iface") };
	struct sqlquery_opts q = { .db = path, .to = INT64_MAX };
	GError *e = NULL;

	q.table = "nosuch";
	assert_null(sqlquery_run(&q, &e));
	assert_non_null(strstr(e->message, "nosuch"));
	g_clear_error(&e);
	q.table = NULL;
	q.keys = keys;
	q.nkeys = 1;
	assert_null(sqlquery_run(&q, &e));
	assert_non_null(strstr(e->message, "in_iface"));
	g_clear_error(&e);
	q.db = "/nonexistent/x.db";
	assert_null(sqlquery_run(&q, &e));
	g_clear_error(&e);
	drop_db(path);
}

/* One table per period (sql_table with placeholders): a GLOB pattern. */
static void
test_patterns(void **state)
{
	gchar *path = make_db();
	struct sqlquery_opts q = { .db = path, .to = INT64_MAX };
	struct qclient_reply *r;
	GError *e = NULL;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE acct_v9b AS SELECT * "
				      "FROM acct_v9; CREATE TABLE acct_x "
				      "(ip_src, bytes, stamp_inserted);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	/* Several acct tables and none named: refused, with the way out. */
	assert_null(sqlquery_run(&q, &e));
	assert_non_null(strstr(e->message, "pattern"));
	g_clear_error(&e);

	/* Both v9 tables together: every figure doubled. */
	q.table = "acct_v9*";
	r = sqlquery_run(&q, NULL);
	assert_non_null(r);
	assert_int_equal(r->rows->len, 3);
	assert_int_equal(row(r, 1)->c.bytes, 1600);
	qclient_reply_free(r);

	/* Tables of other columns do not mix. */
	q.table = "acct_*";
	assert_null(sqlquery_run(&q, &e));
	assert_non_null(strstr(e->message, "different columns"));
	g_clear_error(&e);
	q.table = "nothing*";
	assert_null(sqlquery_run(&q, &e));
	assert_non_null(strstr(e->message, "no table matches"));
	g_clear_error(&e);
	drop_db(path);
}

static void
test_when(void **state)
{
	static const struct {
		const char *text;
		int64_t t;
	} cases[] = {
		{ "now", 1700000000 },
		{ "today", 1699920000 },     /* 2023-11-14 00:00 */
		{ "yesterday", 1699833600 }, /* 2023-11-13 00:00 */
		{ "week", 1699833600 },      /* Monday 2023-11-13 */
		{ "month", 1698796800 },     /* 2023-11-01 */
		{ "year", 1672531200 },      /* 2023-01-01 */
		{ "-1h", 1699996400 },
		{ "@5", 5 },
		{ "2023-11-14", 1699920000 },
		{ "2023-11-14T22:13:20", 1700000000 },
	};
	int64_t t;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(sqlquery_when(cases[i].text, 1700000000, &t, NULL));
		assert_int_equal(t, cases[i].t);
	}
	assert_false(sqlquery_when("soon", 1700000000, &t, NULL));
	assert_false(sqlquery_when("2023-13-01", 1700000000, &t, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_columns),
		cmocka_unit_test(test_range_and_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_when),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
