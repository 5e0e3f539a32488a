/* SPDX-License-Identifier: ISC */
/*
 * flowtally: the query CLI of a memory plugin. It turns pmacct client
 * flags into qproto.h requests, sorts and trims the rows it gets back
 * (sorting is the client's job, so the server's reply stays one pass over
 * the table) and prints them with the fmt module. Every error is printed
 * once on stderr and ends the program with status 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "collector/cliopts.h"
#include "collector/fmt.h"
#include "collector/matchval.h"
#include "collector/qclient.h"
#include "collector/sqlquery.h"

/* Output is gathered here and written in chunks of this size or more. */
#define CLI_CHUNK 65536

/* The output of one run; `failed` once a write to stdout has failed. */
struct cli_run {
	const struct cli_opts *o;
	GString *out;
	gboolean failed;
};

/* Write what was gathered; later writes are skipped after a failure. */
static void
cli_emit(struct cli_run *run)
{
	if (!run->failed &&
	    fwrite(run->out->str, 1, run->out->len, stdout) != run->out->len)
		run->failed = TRUE;
	g_string_truncate(run->out, 0);
}

static guint64
cli_counter(const struct fmt_counters *c, enum cli_counter which)
{
	switch (which) {
	case CLI_CNT_PACKETS:
		return c->packets;
	case CLI_CNT_FLOWS:
		return c->flows;
	default:
		return c->bytes;
	}
}

/* -M: rows grouped by query, in arrival order within a query. */
static gint
cli_by_query(gconstpointer a, gconstpointer b)
{
	const struct qclient_row *x = *(const struct qclient_row *const *)a;
	const struct qclient_row *y = *(const struct qclient_row *const *)b;

	if (x->query != y->query)
		return x->query < y->query ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* -T: descending by the counter; ties keep the order they had. */
static gint
cli_by_counter(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct qclient_row *x = *(const struct qclient_row *const *)a;
	const struct qclient_row *y = *(const struct qclient_row *const *)b;
	enum cli_counter by = *(const enum cli_counter *)data;
	guint64 vx = cli_counter(&x->c, by), vy = cli_counter(&y->c, by);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
cli_order_rows(const struct cli_opts *o, GPtrArray *rows)
{
	guint i;

	g_ptr_array_sort(rows, cli_by_query);
	if (!o->top)
		return;
	for (i = 0; i < rows->len; i++)
		((struct qclient_row *)rows->pdata[i])->seq = i;
	g_ptr_array_sort_with_data(rows, cli_by_counter, (gpointer)&o->top_by);
	if (o->top_n > 0 && rows->len > o->top_n)
		g_ptr_array_set_size(rows, (guint)o->top_n);
}

/*
 * The columns to print: the reply's, or with -a (not JSON, which names
 * its keys) one per primitive id, the reply's row where it has one.
 * map[i] is the reply column of layout column i, or -1.
 */
static size_t
cli_layout(const struct cli_opts *o, const struct qclient_reply *r,
	   const struct prim **cols, int *map)
{
	size_t n = 0, id;
	guint i;

	if (!o->all || o->fmt.output == FMT_JSON) {
		for (i = 0; i < r->cols->len; i++, n++) {
			cols[n] = r->cols->pdata[i];
			map[n] = (int)i;
		}
		return n;
	}
	for (id = 0; id < PRIM_COUNT; id++, n++) {
		cols[n] = &prim_table[id];
		map[n] = -1;
		for (i = 0; i < r->cols->len; i++) {
			const struct prim *p = r->cols->pdata[i];

			if ((size_t)p->id == id) {
				cols[n] = p;
				map[n] = (int)i;
			}
		}
	}
	return n;
}

/* Like pmacct, a table that does not aggregate flows counts none. */
static void
cli_drop_flows(struct qclient_reply *r)
{
	guint i;

	if (r->flows)
		return;
	for (i = 0; i < r->rows->len; i++)
		((struct qclient_row *)r->rows->pdata[i])->c.flows = 0;
}

static gboolean
cli_print_rows(struct cli_run *run, struct qclient_reply *r, GError **err)
{
	const struct prim *cols[PRIM_COUNT];
	const char *vals[PRIM_COUNT];
	int map[PRIM_COUNT];
	struct fmt_opts fo = run->o->fmt;
	struct fmt *f;
	size_t n, j;
	guint i;

	if (r->cols->len > PRIM_COUNT) {
		g_set_error(err, FT_ERROR, FT_ERROR_MALFORMED,
			    "the server sent %u columns", r->cols->len);
		return FALSE;
	}
	n = cli_layout(run->o, r, cols, map);
	fo.flows = r->flows;
	f = fmt_new(&fo, cols, n, NULL, 0, err);
	if (f == NULL)
		return FALSE;
	cli_order_rows(run->o, r->rows);
	fmt_header(f, run->out);
	for (i = 0; i < r->rows->len; i++) {
		const struct qclient_row *row = r->rows->pdata[i];

		for (j = 0; j < n; j++)
			vals[j] = map[j] >= 0 ? row->values[map[j]] : NULL;
		fmt_row(f, run->out, vals, &row->c);
		if (run->out->len >= CLI_CHUNK)
			cli_emit(run);
	}
	fmt_footer(f, run->out, r->rows->len);
	fmt_free(f);
	return TRUE;
}

/* -N: one line per query (or one with -S): a counter, or -n all's four. */
static void
cli_print_count(struct cli_run *run, const struct fmt_counters *c,
		guint64 entries)
{
	if (run->o->counter == CLI_CNT_ALL)
		g_string_append_printf(
			run->out,
			"%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
			" %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
			c->packets, c->bytes, c->flows, entries);
	else
		g_string_append_printf(run->out, "%" G_GUINT64_FORMAT "\n",
				       cli_counter(c, run->o->counter));
}

static void
cli_print_counts(struct cli_run *run, const struct qclient_reply *r,
		 guint nqueries)
{
	struct fmt_counters *sum = g_new0(struct fmt_counters, nqueries);
	guint64 *entries = g_new0(guint64, nqueries);
	struct fmt_counters total = { 0, 0, 0 };
	guint64 total_entries = 0;
	guint i;

	for (i = 0; i < r->rows->len; i++) {
		const struct qclient_row *row = r->rows->pdata[i];
		guint q = row->query < nqueries ? row->query : 0;

		sum[q].packets += row->c.packets;
		sum[q].flows += row->c.flows;
		sum[q].bytes += row->c.bytes;
		entries[q]++;
	}
	for (i = 0; i < nqueries; i++) {
		total.packets += sum[i].packets;
		total.flows += sum[i].flows;
		total.bytes += sum[i].bytes;
		total_entries += entries[i];
		if (!run->o->sum)
			cli_print_count(run, &sum[i], entries[i]);
	}
	if (run->o->sum)
		cli_print_count(run, &total, total_entries);
	g_free(sum);
	g_free(entries);
}

static void
cli_print_lines(struct cli_run *run, const struct qclient_reply *r)
{
	guint i;

	for (i = 0; i < r->lines->len; i++)
		g_string_append_printf(run->out, "%s\n",
				       (const char *)r->lines->pdata[i]);
}

/* A request that only prints LINE text (SINCE, STATUS) or acknowledges. */
static gboolean
cli_simple(struct cli_run *run, const char *req, const char *ok, GError **err)
{
	struct qclient_reply *r = qclient_call(run->o->socket, req, err);

	if (r == NULL)
		return FALSE;
	cli_print_lines(run, r);
	if (ok != NULL)
		g_string_append_printf(run->out, "%s\n", ok);
	qclient_reply_free(r);
	return TRUE;
}

/* "MATCH <keys>[ RESET]", the query lines, then ".". */
static char *
cli_match_request(const struct cli_opts *o, GPtrArray *queries)
{
	GString *req = g_string_new("MATCH\t");
	size_t i;

	for (i = 0; i < o->nkeys; i++)
		g_string_append_printf(req, "%s%s", i ? "," : "",
				       o->keys[i]->name);
	g_string_append(req, o->reset ? "\tRESET\n" : "\n");
	for (i = 0; i < queries->len; i++)
		g_string_append_printf(req, "%s\n",
				       (const char *)queries->pdata[i]);
	g_string_append(req, ".\n");
	return g_string_free(req, FALSE);
}

static gboolean
cli_match(struct cli_run *run, GError **err)
{
	const struct cli_opts *o = run->o;
	GPtrArray *queries = g_ptr_array_new_with_free_func(g_free);
	struct qclient_reply *r = NULL;
	gboolean ok = FALSE;
	char *req;

	if (!matchval_parse(o->keys, o->nkeys, o->match, o->fmt.utc, queries,
			    err))
		goto out;
	req = cli_match_request(o, queries);
	r = qclient_call(o->socket, req, err);
	g_free(req);
	if (r == NULL)
		goto out;
	cli_drop_flows(r);
	if (o->mode == CLI_MODE_MATCH)
		ok = cli_print_rows(run, r, err);
	else {
		cli_print_counts(run, r, queries->len);
		ok = TRUE;
	}
out:
	qclient_reply_free(r);
	g_ptr_array_free(queries, TRUE);
	return ok;
}

/* --db: the rows come from a database instead of a memory plugin. */
static struct qclient_reply *
cli_db_rows(const struct cli_opts *o, GError **err)
{
	struct sqlquery_opts q = {
		.db = o->db,
		.table = o->table,
		.from = o->from,
		.to = o->to,
		.keys = o->keys,
		.nkeys = o->nkeys,
	};

	return sqlquery_run(&q, err);
}

static gboolean
cli_show(struct cli_run *run, GError **err)
{
	const char *req = run->o->erase ? "DUMP\tERASE\n" : "DUMP\n";
	struct qclient_reply *r =
		run->o->db != NULL ? cli_db_rows(run->o, err)
				   : qclient_call(run->o->socket, req, err);
	gboolean ok;

	if (r == NULL)
		return FALSE;
	cli_drop_flows(r);
	ok = cli_print_rows(run, r, err);
	qclient_reply_free(r);
	return ok;
}

/* -i first (the age of what is read), then the query, then -e. */
static gboolean
cli_execute(struct cli_run *run, GError **err)
{
	const struct cli_opts *o = run->o;

	if (o->since && !cli_simple(run, "SINCE\n", NULL, err))
		return FALSE;
	switch (o->mode) {
	case CLI_MODE_SHOW:
		return cli_show(run, err);
	case CLI_MODE_MATCH:
	case CLI_MODE_COUNT:
		if (!cli_match(run, err))
			return FALSE;
		break;
	case CLI_MODE_STATUS:
		if (!cli_simple(run, "STATUS\n", NULL, err))
			return FALSE;
		break;
	default:
		break;
	}
	if (o->erase)
		return cli_simple(run, "ERASE\n", "OK: Clearing stats.", err);
	return TRUE;
}

static int
cli_fail(const char *msg)
{
	fprintf(stderr, "flowtally: %s\n", msg);
	return 1;
}

/* Write the rest; what ran before an error is still printed. */
static int
cli_flush(struct cli_run *run)
{
	cli_emit(run);
	if (run->failed || fflush(stdout) != 0)
		return cli_fail("cannot write the output");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct cli_opts o;
	struct cli_run run = { &o, NULL, FALSE };
	GError *err = NULL;
	int rc;

	if (!cliopts_parse(argc, argv, &o, &err)) {
		rc = cli_fail(err->message);
		g_error_free(err);
		return rc;
	}
	if (o.mode == CLI_MODE_HELP) {
		fputs(cliopts_usage(), stdout);
		return 0;
	}
	if (o.mode == CLI_MODE_VERSION) {
		printf("flowtally %s\n", PACKAGE_VERSION);
		return 0;
	}
	run.out = g_string_sized_new(2 * CLI_CHUNK);
	rc = cli_execute(&run, &err) ? 0 : 1;
	if (cli_flush(&run) != 0)
		rc = 1;
	if (err != NULL) {
		cli_fail(err->message);
		g_error_free(err);
	}
	g_string_free(run.out, TRUE);
	return rc;
}
