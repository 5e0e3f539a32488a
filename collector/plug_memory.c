/* SPDX-License-Identifier: ISC */
/*
 * The memory plugin: one bounded aggregation table (memtab) that the
 * flowtally CLI reads and clears through the plugin's query server. A
 * full table counts what it could not place; the plugin says so in its
 * status and in a warning at most once a minute while keys are dropped.
 */
#include "config.h"

#include <string.h>

#include "collector/memtab.h"
#include "collector/plugin.h"
#include "collector/qserver.h"
#include "common/log.h"

/* Time between two "table full" warnings. */
#define PLUG_MEMORY_WARN_MS 60000

struct plug_memory {
	const struct plugin_ctx *ctx;
	struct memtab *tab;
	struct qserver *qs;
	uint64_t warned_drops; /* drop count at the last warning */
	uint64_t warned_ms;
};

static void *
plug_memory_new(const struct cfg *cfg, const struct plugin_ctx *ctx,
		GError **err)
{
	struct plug_memory *m = g_new0(struct plug_memory, 1);
	const char *path = cfg_str(cfg, ctx->name, "imt_path");
	const char *group = cfg_str(cfg, ctx->name, "imt_group");
	gchar *dflt = NULL;

	m->ctx = ctx;
	m->tab = memtab_new(ctx->spec->key_len,
			    cfg_uint(cfg, ctx->name, "imt_max_entries"));
	if (path == NULL)
		path = dflt = g_strdup_printf(
			FT_RUNSTATEDIR "/flowtally/%s.sock", ctx->name);
	m->qs = qserver_new(path, group, m->tab, ctx, err);
	g_free(dflt);
	if (m->qs == NULL) {
		memtab_free(m->tab);
		g_free(m);
		return NULL;
	}
	return m;
}

static gboolean
plug_memory_add(void *p, const uint8_t *key, const struct aggctr *ctr)
{
	struct plug_memory *m = p;

	return memtab_add(m->tab, key, ctr);
}

static void
plug_memory_tick(void *p, uint64_t now_ms)
{
	struct plug_memory *m = p;
	uint64_t drops = memtab_drops(m->tab);

	if (drops < m->warned_drops)
		m->warned_drops = 0; /* the table was cleared */
	if (drops == m->warned_drops ||
	    now_ms - m->warned_ms < PLUG_MEMORY_WARN_MS)
		return;
	log_warn("memory plugin %s: table full at %zu entries, "
		 "%" G_GUINT64_FORMAT
		 " new keys dropped since the last clear (raise "
		 "imt_max_entries or clear it with flowtally -e)",
		 m->ctx->name, memtab_limit(m->tab), drops);
	m->warned_drops = drops;
	m->warned_ms = now_ms;
}

static void
plug_memory_status(void *p, GString *out)
{
	struct plug_memory *m = p;

	g_string_append_printf(out,
			       "memory %s: table entries %zu, limit %zu, "
			       "dropped %" G_GUINT64_FORMAT
			       ", clients dropped %" G_GUINT64_FORMAT "\n",
			       m->ctx->name, memtab_count(m->tab),
			       memtab_limit(m->tab), memtab_drops(m->tab),
			       qserver_dropped_clients(m->qs));
}

static void
plug_memory_free(void *p)
{
	struct plug_memory *m = p;

	qserver_free(m->qs);
	memtab_free(m->tab);
	g_free(m);
}

const struct plugin_ops plug_memory_ops = {
	.type = "memory",
	.new = plug_memory_new,
	.add = plug_memory_add,
	.tick = plug_memory_tick,
	.flush = NULL,
	.status = plug_memory_status,
	.free = plug_memory_free,
};
