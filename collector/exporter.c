/* SPDX-License-Identifier: ISC */
/*
 * The exporter table. Exporters are found by address in a hash table,
 * with the last one found cached because datagrams come in runs from one
 * source. Domains of an exporter are few, so they live in a short array
 * searched linearly, the last one used first. Both are bounded so that
 * spoofed sources cannot grow the collector without limit.
 */
#include "config.h"

#include "collector/exporter.h"

#include <string.h>

struct exporter_table {
	GHashTable *by_addr;
	struct exporter *last;
	exporter_state_free_fn state_free[EXPORTER_SLOT_N];
	uint64_t drops[EXPORTER_DROP_N];
	uint64_t reclaimed;
};

static const char *const drop_names[EXPORTER_DROP_N] = {
	[EXPORTER_DROP_TRUNCATED] = "truncated",
	[EXPORTER_DROP_NOT_ALLOWED] = "not-allowed",
	[EXPORTER_DROP_EXPORTERS] = "too-many-exporters",
	[EXPORTER_DROP_DOMAINS] = "too-many-domains",
	[EXPORTER_DROP_SHORT] = "short",
	[EXPORTER_DROP_BAD_VERSION] = "bad-version",
	[EXPORTER_DROP_UNSUPPORTED] = "unsupported-version",
	[EXPORTER_DROP_LENGTH] = "bad-length",
	[EXPORTER_DROP_SET_LENGTH] = "bad-set-length",
	[EXPORTER_DROP_SET_OVERRUN] = "set-overrun",
	[EXPORTER_DROP_SET_ID] = "bad-set-id",
	[EXPORTER_DROP_NO_TEMPLATE] = "no-template",
	[EXPORTER_DROP_TEMPLATE] = "bad-template",
	[EXPORTER_DROP_DECODE] = "undecodable",
};

static guint
addr_hash(gconstpointer p)
{
	const struct ft_addr *a = p;
	guint h = 2166136261u;

	for (size_t i = 0; i < sizeof(a->bytes); i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h ^ a->family;
}

static gboolean
addr_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct ft_addr)) == 0;
}

static void
exporter_free(gpointer p, gpointer tbl)
{
	struct exporter_table *t = tbl;
	struct exporter *exp = p;

	for (int i = 0; i < EXPORTER_SLOT_N; i++)
		if (exp->state[i] != NULL && t->state_free[i] != NULL)
			t->state_free[i](exp->state[i]);
	for (guint i = 0; i < exp->n_domains; i++) {
		if (exp->domains[i]->templates != NULL)
			g_hash_table_destroy(exp->domains[i]->templates);
		g_free(exp->domains[i]);
	}
	g_free(exp->domains);
	g_free(exp);
}

struct exporter_table *
exporter_table_new(void)
{
	struct exporter_table *t = g_new0(struct exporter_table, 1);

	t->by_addr = g_hash_table_new(addr_hash, addr_equal);
	return t;
}

static void
free_entry(gpointer key, gpointer value, gpointer tbl)
{
	exporter_free(value, tbl);
}

void
exporter_table_free(struct exporter_table *t)
{
	if (t == NULL)
		return;
	g_hash_table_foreach(t->by_addr, free_entry, t);
	g_hash_table_destroy(t->by_addr);
	g_free(t);
}

void
exporter_table_set_free(struct exporter_table *t, enum exporter_slot slot,
			exporter_state_free_fn fn)
{
	t->state_free[slot] = fn;
}

struct exporter *
exporter_get(struct exporter_table *t, const struct ft_addr *addr)
{
	struct exporter *exp;

	if (t->last != NULL && addr_equal(&t->last->addr, addr))
		return t->last;
	exp = g_hash_table_lookup(t->by_addr, addr);
	if (exp == NULL) {
		if (g_hash_table_size(t->by_addr) >= EXPORTER_MAX) {
			exporter_drop(t, NULL, EXPORTER_DROP_EXPORTERS);
			return NULL;
		}
		exp = g_new0(struct exporter, 1);
		exp->addr = *addr;
		g_hash_table_insert(t->by_addr, &exp->addr, exp);
	}
	t->last = exp;
	return exp;
}

/* Nothing was ever decoded in it: no template known, no record given. */
static gboolean
domain_idle(const struct exporter_domain *d)
{
	return d->records == 0 && d->options == 0 &&
	       g_hash_table_size(d->templates) == 0;
}

/* Reuse the idle entry used longest ago for `id`, or count a drop. */
static struct exporter_domain *
reclaim_domain(struct exporter_table *t, struct exporter *exp, uint32_t id)
{
	GHashTable *templates;
	struct exporter_domain *d;

	for (guint i = exp->n_domains; i-- > 0;) {
		d = exp->domains[i];
		if (!domain_idle(d))
			continue;
		templates = d->templates;
		memset(d, 0, sizeof(*d));
		d->id = id;
		d->templates = templates;
		exp->domains[i] = exp->domains[0];
		exp->domains[0] = d;
		exp->reclaimed++;
		t->reclaimed++;
		return d;
	}
	exporter_drop(t, exp, EXPORTER_DROP_DOMAINS);
	return NULL;
}

struct exporter_domain *
exporter_domain(struct exporter_table *t, struct exporter *exp, uint32_t id)
{
	struct exporter_domain *d;

	for (guint i = 0; i < exp->n_domains; i++) {
		d = exp->domains[i];
		if (d->id != id)
			continue;
		/* Keep the busiest domain first: a swap, no shifting. */
		exp->domains[i] = exp->domains[0];
		exp->domains[0] = d;
		return d;
	}
	if (exp->n_domains >= EXPORTER_MAX_DOMAINS)
		return reclaim_domain(t, exp, id);
	d = g_new0(struct exporter_domain, 1);
	d->id = id;
	d->templates = g_hash_table_new(NULL, NULL);
	exp->domains = g_renew(struct exporter_domain *, exp->domains,
			       exp->n_domains + 1);
	exp->domains[exp->n_domains++] = d;
	return d;
}

void
exporter_drop(struct exporter_table *t, struct exporter *exp,
	      enum exporter_drop reason)
{
	t->drops[reason]++;
	if (exp != NULL)
		exp->drops[reason]++;
}

uint64_t
exporter_reclaimed(const struct exporter_table *t)
{
	return t->reclaimed;
}

uint64_t
exporter_drops(const struct exporter_table *t, enum exporter_drop reason)
{
	return t->drops[reason];
}

struct foreach_ctx {
	void (*fn)(struct exporter *exp, void *data);
	void *data;
};

static void
foreach_entry(gpointer key, gpointer value, gpointer p)
{
	struct foreach_ctx *ctx = p;

	ctx->fn(value, ctx->data);
}

void
exporter_foreach(struct exporter_table *t,
		 void (*fn)(struct exporter *exp, void *data), void *data)
{
	struct foreach_ctx ctx = { fn, data };

	g_hash_table_foreach(t->by_addr, foreach_entry, &ctx);
}

static void
append_drops(GString *out, const uint64_t *drops)
{
	for (int i = 0; i < EXPORTER_DROP_N; i++)
		if (drops[i] != 0)
			g_string_append_printf(out, " %s=%" G_GUINT64_FORMAT,
					       drop_names[i], drops[i]);
}

static void
report_exporter(struct exporter *exp, void *p)
{
	char buf[FT_ADDR_STRLEN];
	GString *out = p;

	ft_addr_ntop(&exp->addr, buf, sizeof(buf));
	for (guint i = 0; i < exp->n_domains; i++) {
		struct exporter_domain *d = exp->domains[i];

		g_string_append_printf(out,
				       "exporter %s domain %" G_GUINT32_FORMAT
				       ": messages=%" G_GUINT64_FORMAT
				       " records=%" G_GUINT64_FORMAT
				       " octets=%" G_GUINT64_FORMAT
				       " packets=%" G_GUINT64_FORMAT
				       " options=%" G_GUINT64_FORMAT
				       " out-of-sequence=%" G_GUINT64_FORMAT
				       " lost=%" G_GUINT64_FORMAT "\n",
				       buf, d->id, d->messages, d->records,
				       d->octets, d->packets, d->options,
				       d->out_of_seq, d->lost);
	}
	g_string_append_printf(out, "exporter %s: datagrams=%" G_GUINT64_FORMAT,
			       buf, exp->datagrams);
	if (exp->reclaimed != 0)
		g_string_append_printf(out,
				       " reclaimed-domains=%" G_GUINT64_FORMAT,
				       exp->reclaimed);
	append_drops(out, exp->drops);
	g_string_append_c(out, '\n');
}

void
exporter_table_report(struct exporter_table *t, GString *out)
{
	exporter_foreach(t, report_exporter, out);
	g_string_append(out, "drops:");
	append_drops(out, t->drops);
	g_string_append_c(out, '\n');
}

struct totals {
	uint64_t datagrams, records, octets, packets, lost;
};

static void
sum_exporter(struct exporter *exp, void *p)
{
	struct totals *tot = p;

	tot->datagrams += exp->datagrams;
	for (guint i = 0; i < exp->n_domains; i++) {
		tot->records += exp->domains[i]->records;
		tot->octets += exp->domains[i]->octets;
		tot->packets += exp->domains[i]->packets;
		tot->lost += exp->domains[i]->lost;
	}
}

void
exporter_table_summary(struct exporter_table *t, GString *out)
{
	struct totals tot = { 0, 0, 0, 0, 0 };

	exporter_foreach(t, sum_exporter, &tot);
	g_string_append_printf(
		out,
		"exporters=%u datagrams=%" G_GUINT64_FORMAT
		" records=%" G_GUINT64_FORMAT " octets=%" G_GUINT64_FORMAT
		" packets=%" G_GUINT64_FORMAT " lost=%" G_GUINT64_FORMAT,
		g_hash_table_size(t->by_addr), tot.datagrams, tot.records,
		tot.octets, tot.packets, tot.lost);
	if (t->reclaimed != 0)
		g_string_append_printf(out,
				       " reclaimed-domains=%" G_GUINT64_FORMAT,
				       t->reclaimed);
	append_drops(out, t->drops);
}
