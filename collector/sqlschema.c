/* SPDX-License-Identifier: ISC */
/*
 * pmacct's SQLite schemas as one table of columns, each with the schema
 * versions that carry it; a version's table is the rows whose mask holds
 * it, in table order (the nine shipped scripts agree on that order).
 * Primitives with no column in any version get a column of their own,
 * typed by their kind, as pmacct's "extra columns" (reference 5.1).
 */
#include "sqlschema.h"

#include <string.h>

#include "common/error.h"

/* Versions v..w as a mask, bit n for version n. */
#define V(v, w)  ((2u << (w)) - (1u << (v)))
#define NO_PRIM  PRIM_COUNT
#define MAX_COLS (PRIM_COUNT * 2 + 16)

struct pm_col {
	const char *name;
	const char *type;
	unsigned versions;
	enum sqlcol_role role;
	enum prim_id prim; /* NO_PRIM unless role is SQLCOL_PRIM */
	gboolean key;
	const char *neutral;
};

#define T_INT8 "INT(8) NOT NULL DEFAULT 0"
#define T_INT4 "INT(4) NOT NULL DEFAULT 0"
#define T_MAC  "CHAR(17) NOT NULL DEFAULT '0:0:0:0:0:0'"
#define T_IP   "CHAR(45) NOT NULL DEFAULT '0.0.0.0'"
#define T_TIME "DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00'"

static const struct pm_col pm_cols[] = {
	{ .name = "agent_id",
	  .type = T_INT8,
	  .versions = V(2, 8),
	  .role = SQLCOL_NEUTRAL,
	  .prim = NO_PRIM,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "tag",
	  .type = T_INT8,
	  .versions = V(9, 9),
	  .role = SQLCOL_NEUTRAL,
	  .prim = NO_PRIM,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "class_id",
	  .type = "CHAR(16) NOT NULL DEFAULT ' '",
	  .versions = V(5, 9),
	  .role = SQLCOL_NEUTRAL,
	  .prim = NO_PRIM,
	  .key = TRUE,
	  .neutral = "unknown" },
	{ .name = "mac_src",
	  .type = T_MAC,
	  .versions = V(1, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_SRC_MAC,
	  .key = TRUE,
	  .neutral = "0:0:0:0:0:0" },
	{ .name = "mac_dst",
	  .type = T_MAC,
	  .versions = V(1, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_DST_MAC,
	  .key = TRUE,
	  .neutral = "0:0:0:0:0:0" },
	{ .name = "vlan",
	  .type = T_INT4,
	  .versions = V(2, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_VLAN,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "as_src",
	  .type = T_INT8,
	  .versions = V(6, 9),
	  .role = SQLCOL_NEUTRAL,
	  .prim = NO_PRIM,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "as_dst",
	  .type = T_INT8,
	  .versions = V(6, 9),
	  .role = SQLCOL_NEUTRAL,
	  .prim = NO_PRIM,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "ip_src",
	  .type = T_IP,
	  .versions = V(1, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_SRC_HOST,
	  .key = TRUE,
	  .neutral = "0.0.0.0" },
	{ .name = "ip_dst",
	  .type = T_IP,
	  .versions = V(1, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_DST_HOST,
	  .key = TRUE,
	  .neutral = "0.0.0.0" },
	{ .name = "src_port",
	  .type = T_INT4,
	  .versions = V(1, 7),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_SRC_PORT,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "dst_port",
	  .type = T_INT4,
	  .versions = V(1, 7),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_DST_PORT,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "port_src",
	  .type = T_INT4,
	  .versions = V(8, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_SRC_PORT,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "port_dst",
	  .type = T_INT4,
	  .versions = V(8, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_DST_PORT,
	  .key = TRUE,
	  .neutral = "0" },
	/* Not in pmacct's key; left at its default when not aggregated. */
	{ .name = "tcp_flags",
	  .type = T_INT4,
	  .versions = V(7, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_TCPFLAGS,
	  .key = FALSE,
	  .neutral = NULL },
	{ .name = "ip_proto",
	  .type = "CHAR(6) NOT NULL DEFAULT 0",
	  .versions = V(1, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_PROTO,
	  .key = TRUE,
	  .neutral = "0" },
	{ .name = "tos",
	  .type = T_INT4,
	  .versions = V(3, 9),
	  .role = SQLCOL_PRIM,
	  .prim = PRIM_TOS,
	  .key = TRUE,
	  .neutral = "0" },
};

/* The counters and stamps close every table, in this order. */
static const struct pm_col pm_tail[] = {
	{ .name = "packets",
	  .type = "INT NOT NULL",
	  .versions = V(1, 9),
	  .role = SQLCOL_PACKETS,
	  .prim = NO_PRIM },
	{ .name = "bytes",
	  .type = "BIGINT NOT NULL",
	  .versions = V(1, 9),
	  .role = SQLCOL_BYTES,
	  .prim = NO_PRIM },
	{ .name = "flows",
	  .type = "INT NOT NULL DEFAULT 0",
	  .versions = V(4, 9),
	  .role = SQLCOL_FLOWS,
	  .prim = NO_PRIM },
	{ .name = "stamp_inserted",
	  .type = T_TIME,
	  .versions = V(1, 9),
	  .role = SQLCOL_STAMP_INSERTED,
	  .prim = NO_PRIM,
	  .key = TRUE },
	{ .name = "stamp_updated",
	  .type = "DATETIME",
	  .versions = V(1, 9),
	  .role = SQLCOL_STAMP_UPDATED,
	  .prim = NO_PRIM },
};

/* SQL types of the extra columns, by the primitive's kind. */
static const char *const kind_type[] = {
	[PRIM_K_ADDR] = T_IP,
	[PRIM_K_NET] = T_IP,
	[PRIM_K_MAC] = T_MAC,
	[PRIM_K_U8] = "INT(2) NOT NULL DEFAULT 0",
	[PRIM_K_U16] = T_INT4,
	[PRIM_K_U32] = T_INT8,
	[PRIM_K_PROTO] = "CHAR(6) NOT NULL DEFAULT 0",
	[PRIM_K_TIME] = T_TIME,
};

struct sqlschema {
	size_t ncols;
	struct sqlcol cols[MAX_COLS];
	gchar *names[MAX_COLS]; /* owned names of residual columns */
};

static const char *const default_tables[] = {
	"acct",    "acct",    "acct_v2", "acct_v3", "acct_v4",
	"acct_v5", "acct_v6", "acct_v7", "acct_v8", "acct_v9",
};

const char *
sqlschema_default_table(unsigned version)
{
	return version < G_N_ELEMENTS(default_tables) ? default_tables[version]
						      : "acct";
}

static int
find_slot(const struct prim *const *prims, size_t n, enum prim_id id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (prims[i]->id == id)
			return (int)i;
	return -1;
}

static const struct pm_col *
pm_find(enum prim_id id, const char *name, unsigned mask)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(pm_cols); i++) {
		if ((pm_cols[i].versions & mask) == 0)
			continue;
		if (id != NO_PRIM && pm_cols[i].prim == id)
			return &pm_cols[i];
		if (name != NULL && strcmp(pm_cols[i].name, name) == 0)
			return &pm_cols[i];
	}
	return NULL;
}

static struct sqlcol *
add_col(struct sqlschema *s, const char *name, const char *type,
	enum sqlcol_role role, int slot, gboolean key)
{
	struct sqlcol *c = &s->cols[s->ncols++];

	g_assert(s->ncols <= MAX_COLS);
	c->name = name;
	c->type = type;
	c->role = role;
	c->slot = slot;
	c->key = key;
	c->written = TRUE;
	c->neutral = NULL;
	return c;
}

/* A primitive's own column, and its microseconds for a time. */
static void
add_prim(struct sqlschema *s, const struct prim *p, int slot)
{
	const struct pm_col *pm = pm_find(NO_PRIM, p->sql, ~0u);
	gchar *res;

	/* TCP flags are OR-ed over an aggregate: a value, not a key. */
	add_col(s, p->sql, pm != NULL ? pm->type : kind_type[p->kind],
		SQLCOL_PRIM, slot, p->id != PRIM_TCPFLAGS);
	if (p->kind != PRIM_K_TIME)
		return;
	res = g_strconcat(p->sql, "_residual", NULL);
	s->names[s->ncols] = res;
	add_col(s, res, "INT NOT NULL DEFAULT 0", SQLCOL_RESIDUAL, slot, TRUE);
}

static void
add_tail(struct sqlschema *s, unsigned mask, gboolean history)
{
	const struct pm_col *pm;
	struct sqlcol *c;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(pm_tail); i++) {
		pm = &pm_tail[i];
		if ((pm->versions & mask) == 0)
			continue;
		c = add_col(s, pm->name, pm->type, pm->role, -1, pm->key);
		if (pm->role == SQLCOL_STAMP_INSERTED ||
		    pm->role == SQLCOL_STAMP_UPDATED)
			c->written = history;
	}
}

/* pmacct's columns of `version`, unaggregated ones with neutral values. */
static void
add_version_cols(struct sqlschema *s, unsigned version,
		 const struct prim *const *prims, size_t n)
{
	const struct pm_col *pm;
	struct sqlcol *c;
	int slot;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(pm_cols); i++) {
		pm = &pm_cols[i];
		if ((pm->versions & (1u << version)) == 0)
			continue;
		slot = pm->prim == NO_PRIM ? -1 : find_slot(prims, n, pm->prim);
		c = add_col(s, pm->name, pm->type,
			    slot < 0 ? SQLCOL_NEUTRAL : SQLCOL_PRIM, slot,
			    pm->key);
		c->neutral = pm->neutral;
		/* Without a neutral value it keeps its DEFAULT (tcp_flags). */
		if (slot < 0 && c->neutral == NULL)
			c->written = FALSE;
	}
}

/* The lowest version that has a column for `id`, or 0 if none has. */
static unsigned
first_version(enum prim_id id)
{
	unsigned v;

	for (v = 1; v <= 9; v++)
		if (pm_find(id, NULL, 1u << v) != NULL)
			return v;
	return 0;
}

/* Primitives outside pmacct's tables get columns of their own. */
static gboolean
add_extra_cols(struct sqlschema *s, unsigned version,
	       const struct prim *const *prims, size_t n, GError **err)
{
	unsigned first;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pm_find(prims[i]->id, NULL, 1u << version) != NULL)
			continue;
		first = first_version(prims[i]->id);
		if (first != 0) {
			g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
				    "%s needs sql_table_version %u or later "
				    "(or no sql_table_version)",
				    prims[i]->name, first);
			return FALSE;
		}
		add_prim(s, prims[i], (int)i);
	}
	return TRUE;
}

static int
by_print_order(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct prim *const *prims = data;
	const struct prim *pa = prims[*(const int *)a];
	const struct prim *pb = prims[*(const int *)b];

	return (int)pa->print_order - (int)pb->print_order;
}

/* A table of the aggregate alone, columns in the print plugin's order. */
static void
add_aggregate_cols(struct sqlschema *s, const struct prim *const *prims,
		   size_t n)
{
	int order[PRIM_COUNT * 2];
	size_t i;

	g_assert(n <= G_N_ELEMENTS(order));
	for (i = 0; i < n; i++)
		order[i] = (int)i;
	g_qsort_with_data(order, (gint)n, sizeof(order[0]), by_print_order,
			  (gpointer)prims);
	for (i = 0; i < n; i++)
		add_prim(s, prims[order[i]], order[i]);
}

struct sqlschema *
sqlschema_new(unsigned version, const struct prim *const *prims, size_t nprims,
	      gboolean history, GError **err)
{
	struct sqlschema *s;

	if (version > 9) {
		g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
			    "sql_table_version %u: not 1 to 9", version);
		return NULL;
	}
	s = g_new0(struct sqlschema, 1);
	if (version == 0) {
		add_aggregate_cols(s, prims, nprims);
		add_tail(s, ~0u, history);
		return s;
	}
	add_version_cols(s, version, prims, nprims);
	if (!add_extra_cols(s, version, prims, nprims, err)) {
		sqlschema_free(s);
		return NULL;
	}
	add_tail(s, 1u << version, history);
	return s;
}

void
sqlschema_free(struct sqlschema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < MAX_COLS; i++)
		g_free(s->names[i]);
	g_free(s);
}

size_t
sqlschema_ncols(const struct sqlschema *s)
{
	return s->ncols;
}

const struct sqlcol *
sqlschema_col(const struct sqlschema *s, size_t i)
{
	return i < s->ncols ? &s->cols[i] : NULL;
}

void
sqlschema_append_ident(GString *out, const char *name)
{
	g_string_append_c(out, '"');
	for (; *name != '\0'; name++) {
		if (*name == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *name);
	}
	g_string_append_c(out, '"');
}

gchar *
sqlschema_create(const struct sqlschema *s, const char *table)
{
	GString *out = g_string_new("CREATE TABLE IF NOT EXISTS ");
	const char *sep = "";
	size_t i;

	sqlschema_append_ident(out, table);
	g_string_append(out, " (\n");
	for (i = 0; i < s->ncols; i++)
		g_string_append_printf(out, "\t%s %s,\n", s->cols[i].name,
				       s->cols[i].type);
	g_string_append(out, "\tPRIMARY KEY (");
	for (i = 0; i < s->ncols; i++) {
		if (!s->cols[i].key)
			continue;
		g_string_append_printf(out, "%s%s", sep, s->cols[i].name);
		sep = ", ";
	}
	g_string_append(out, ")\n)");
	return g_string_free(out, FALSE);
}

static gboolean
is_counter(const struct sqlcol *c)
{
	return c->role == SQLCOL_PACKETS || c->role == SQLCOL_BYTES ||
	       c->role == SQLCOL_FLOWS;
}

gchar *
sqlschema_update(const struct sqlschema *s, const char *table)
{
	GString *out = g_string_new("UPDATE ");
	const char *sep = " SET ";
	size_t i;

	sqlschema_append_ident(out, table);
	for (i = 0; i < s->ncols; i++) {
		if (!s->cols[i].written || !is_counter(&s->cols[i]))
			continue;
		g_string_append_printf(out, "%s%s = %s + ?%zu", sep,
				       s->cols[i].name, s->cols[i].name, i + 1);
		sep = ", ";
	}
	for (i = 0; i < s->ncols; i++) {
		if (!s->cols[i].written || s->cols[i].key)
			continue;
		if (s->cols[i].role == SQLCOL_STAMP_UPDATED)
			g_string_append_printf(out, ", %s = ?%zu",
					       s->cols[i].name, i + 1);
		else if (s->cols[i].role == SQLCOL_PRIM)
			g_string_append_printf(out, ", %s = %s | ?%zu",
					       s->cols[i].name, s->cols[i].name,
					       i + 1);
	}
	sep = " WHERE ";
	for (i = 0; i < s->ncols; i++) {
		if (!s->cols[i].written || !s->cols[i].key)
			continue;
		g_string_append_printf(out, "%s%s = ?%zu", sep, s->cols[i].name,
				       i + 1);
		sep = " AND ";
	}
	return g_string_free(out, FALSE);
}

gchar *
sqlschema_insert(const struct sqlschema *s, const char *table)
{
	GString *out = g_string_new("INSERT INTO ");
	GString *vals = g_string_new(") VALUES (");
	gboolean first = TRUE;
	size_t i;

	sqlschema_append_ident(out, table);
	g_string_append(out, " (");
	for (i = 0; i < s->ncols; i++) {
		if (!s->cols[i].written)
			continue;
		g_string_append_printf(out, "%s%s", first ? "" : ", ",
				       s->cols[i].name);
		g_string_append_printf(vals, "%s?%zu", first ? "" : ", ",
				       i + 1);
		first = FALSE;
	}
	g_string_append(out, vals->str);
	g_string_append_c(out, ')');
	g_string_free(vals, TRUE);
	return g_string_free(out, FALSE);
}

gchar *
sqlschema_missing(const struct sqlschema *s, const char *const *have)
{
	GString *out = NULL;
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		if (!s->cols[i].written ||
		    g_strv_contains(have, s->cols[i].name))
			continue;
		if (out == NULL)
			out = g_string_new(s->cols[i].name);
		else
			g_string_append_printf(out, ", %s", s->cols[i].name);
	}
	return out != NULL ? g_string_free(out, FALSE) : NULL;
}
