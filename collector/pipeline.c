/* SPDX-License-Identifier: ISC */
/*
 * The pipeline: every configured plugin with its aggregation spec,
 * networks, filter and store. Each record goes through every plugin in
 * turn (filter, pack, add) on the main loop, straight into the store, so
 * a memory table shows it at once; sum_* keys add it twice, under its
 * source and its destination value (reference 3.1).
 */
#include "config.h"

#include "collector/pipeline.h"

#include <string.h>

#include "collector/aggkey.h"
#include "collector/filter.h"
#include "collector/nets.h"
#include "collector/plugin.h"
#include "common/error.h"
#include "common/log.h"

/* The plugin types this collector builds: one line each. */
static const struct plugin_ops *const pipeline_types[] = {
	&plug_memory_ops,
	&plug_sqlite_ops,
	&plug_print_ops,
};

struct pl_slot {
	const struct plugin_ops *ops;
	void *state;
	struct plugin_ctx ctx;
	struct aggkey_spec *spec;
	struct nets *nets;
	struct filter *filter;
	gchar *name, *type; /* ctx's, owned: cfg may go first */
	guint64 records;    /* reached the store */
	guint64 filtered;   /* failed aggregate_filter */
	guint64 full;       /* the store had no room */
};

struct pipeline {
	GPtrArray *slots; /* struct pl_slot */
	pipeline_status_fn status_fn;
	void *status_data;
};

static const struct plugin_ops *
pl_find_type(const char *type)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(pipeline_types); i++)
		if (strcmp(pipeline_types[i]->type, type) == 0)
			return pipeline_types[i];
	return NULL;
}

static void
pl_slot_free(gpointer p)
{
	struct pl_slot *s = p;

	if (s->state != NULL)
		s->ops->free(s->state);
	filter_free(s->filter);
	nets_free(s->nets);
	g_free(s->spec);
	g_free(s->name);
	g_free(s->type);
	g_free(s);
}

static void
pl_status(GString *out, const struct plugin_ctx *ctx)
{
	const struct pipeline *pl = ctx->pipeline;
	guint i;

	if (pl->status_fn != NULL)
		pl->status_fn(out, pl->status_data);
	for (i = 0; i < pl->slots->len; i++) {
		const struct pl_slot *s = g_ptr_array_index(pl->slots, i);

		g_string_append_printf(
			out,
			"plugin %s[%s]: records %" G_GUINT64_FORMAT
			", filtered out %" G_GUINT64_FORMAT
			", store full %" G_GUINT64_FORMAT "\n",
			s->ctx.type, s->ctx.name, s->records, s->filtered,
			s->full);
		if (s->ops->status != NULL && s->state != NULL)
			s->ops->status(s->state, out);
	}
}

/* aggregate, networks_file and networks_mask into s->spec. */
static gboolean
pl_slot_spec(struct pl_slot *s, const struct cfg *cfg, GError **err)
{
	const char *name = s->ctx.name;
	const char *path = cfg_str(cfg, name, "networks_file");
	gchar **agg = cfg_list(cfg, name, "aggregate");
	int mask = -1;

	s->spec = aggkey_spec_new((const char *const *)agg, err);
	g_strfreev(agg);
	if (s->spec == NULL)
		return FALSE;
	if (path != NULL && (s->nets = nets_load(path, err)) == NULL)
		return FALSE;
	if (cfg_is_set(cfg, name, "networks_mask"))
		mask = (int)cfg_uint(cfg, name, "networks_mask");
	aggkey_spec_set_nets(s->spec, s->nets, mask);
	s->ctx.spec = s->spec;
	return TRUE;
}

static gboolean
pl_slot_filter(struct pl_slot *s, const struct cfg *cfg, GError **err)
{
	const char *expr = cfg_str(cfg, s->ctx.name, "aggregate_filter");

	if (expr == NULL || *expr == '\0')
		return TRUE;
	s->filter = filter_new(expr, err);
	return s->filter != NULL;
}

/* Durations a plugin type cannot take as 0: it would write nonstop. */
static const struct {
	const char *type, *key;
} pl_nonzero[] = {
	{ "sqlite3", "sql_refresh_time" },
	{ "print", "print_refresh_time" },
};

static gboolean
pl_slot_durations(struct pl_slot *s, const struct cfg *cfg, GError **err)
{
	for (size_t i = 0; i < G_N_ELEMENTS(pl_nonzero); i++) {
		if (strcmp(s->ctx.type, pl_nonzero[i].type) != 0 ||
		    cfg_duration(cfg, s->ctx.name, pl_nonzero[i].key) != 0)
			continue;
		g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
			    "%s: 0 would write without pause; give 1 "
			    "second or more",
			    pl_nonzero[i].key);
		return FALSE;
	}
	return TRUE;
}

/* Build slot `i`; with `store` FALSE, only check its keys and filter. */
static struct pl_slot *
pl_slot_new(struct pipeline *pl, const struct cfg *cfg, guint i, gboolean store,
	    GError **err)
{
	struct pl_slot *s = g_new0(struct pl_slot, 1);

	s->name = g_strdup(cfg_plugin_name(cfg, i));
	s->type = g_strdup(cfg_plugin_type(cfg, i));
	s->ctx.name = s->name;
	s->ctx.type = s->type;
	s->ctx.status = pl_status;
	s->ctx.pipeline = pl;
	s->ops = pl_find_type(s->ctx.type);
	if (s->ops == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "plugin type '%s' is not available here",
			    s->ctx.type);
		goto fail;
	}
	if (!pl_slot_spec(s, cfg, err) || !pl_slot_filter(s, cfg, err) ||
	    !pl_slot_durations(s, cfg, err))
		goto fail;
	if (!store)
		return s;
	s->state = s->ops->new (cfg, &s->ctx, err);
	if (s->state == NULL)
		goto fail;
	if (s->filter != NULL && filter_excludes_ipv6(s->filter))
		log_info("plugin %s: aggregate_filter '%s' matches no IPv6 "
			 "record (BPF's ip is IPv4 only): IPv6 flows are "
			 "left out",
			 s->ctx.name,
			 cfg_str(cfg, s->ctx.name, "aggregate_filter"));
	return s;
fail:
	pl_slot_free(s);
	return NULL;
}

/* Two memory plugins on one query socket (one global imt_path, say)
 * would take it from each other: refused. */
static gboolean
pl_check_sockets(const struct cfg *cfg, GError **err)
{
	guint i, j, n = cfg_plugin_count(cfg);

	for (i = 0; i < n; i++) {
		const char *a = cfg_plugin_name(cfg, i);
		const char *pa = cfg_str(cfg, a, "imt_path");

		if (strcmp(cfg_plugin_type(cfg, i), "memory") != 0 ||
		    pa == NULL)
			continue;
		for (j = i + 1; j < n; j++) {
			const char *b = cfg_plugin_name(cfg, j);
			const char *pb = cfg_str(cfg, b, "imt_path");

			if (strcmp(cfg_plugin_type(cfg, j), "memory") != 0 ||
			    pb == NULL || strcmp(pa, pb) != 0)
				continue;
			g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
				    "plugins memory[%s] and memory[%s] share "
				    "the query socket %s: give each its own "
				    "imt_path[NAME]",
				    a, b, pa);
			return FALSE;
		}
	}
	return TRUE;
}

static struct pipeline *
pl_build(const struct cfg *cfg, gboolean store, GError **err)
{
	struct pipeline *pl;
	guint i, n = cfg_plugin_count(cfg);

	if (!pl_check_sockets(cfg, err))
		return NULL;
	pl = g_new0(struct pipeline, 1);
	pl->slots = g_ptr_array_new_with_free_func(pl_slot_free);
	for (i = 0; i < n; i++) {
		GError *serr = NULL;
		struct pl_slot *s = pl_slot_new(pl, cfg, i, store, &serr);

		if (s == NULL) {
			g_set_error(err, FT_ERROR, serr->code,
				    "plugin %s[%s]: %s",
				    cfg_plugin_type(cfg, i),
				    cfg_plugin_name(cfg, i), serr->message);
			g_error_free(serr);
			pipeline_free(pl);
			return NULL;
		}
		g_ptr_array_add(pl->slots, s);
	}
	return pl;
}

struct pipeline *
pipeline_new(const struct cfg *cfg, GError **err)
{
	return pl_build(cfg, TRUE, err);
}

gboolean
pipeline_check(const struct cfg *cfg, GError **err)
{
	struct pipeline *pl = pl_build(cfg, FALSE, err);

	pipeline_free(pl);
	return pl != NULL;
}

void
pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	g_ptr_array_free(pl->slots, TRUE);
	g_free(pl);
}

void
pipeline_status(struct pipeline *pl, GString *out)
{
	struct plugin_ctx ctx = { .pipeline = pl };

	pl_status(out, &ctx);
}

void
pipeline_set_status(struct pipeline *pl, pipeline_status_fn fn, void *data)
{
	pl->status_fn = fn;
	pl->status_data = data;
}

/* Stores that keep history bins get the record's end time too. */
static void
pl_add(struct pl_slot *s, const uint8_t *key, const struct aggctr *ctr,
       uint64_t end_ms)
{
	gboolean ok;

	if (s->ops->add_at != NULL)
		ok = s->ops->add_at(s->state, key, ctr, end_ms);
	else
		ok = s->ops->add(s->state, key, ctr);
	if (ok)
		s->records++;
	else
		s->full++;
}

void
pipeline_record(struct pipeline *pl, const struct flowrec *rec)
{
	uint8_t key[AGGKEY_MAX_LEN];
	struct aggctr ctr;
	guint i;

	for (i = 0; i < pl->slots->len; i++) {
		struct pl_slot *s = g_ptr_array_index(pl->slots, i);

		if (s->filter != NULL && !filter_match(s->filter, rec)) {
			s->filtered++;
			continue;
		}
		aggkey_counters(s->spec, rec, &ctr);
		aggkey_pack(s->spec, rec, AGGKEY_SRC, key);
		pl_add(s, key, &ctr, rec->end_ms);
		if (s->spec->sum) {
			aggkey_pack(s->spec, rec, AGGKEY_DST, key);
			pl_add(s, key, &ctr, rec->end_ms);
		}
	}
}

void
pipeline_tick(struct pipeline *pl, uint64_t now_ms)
{
	guint i;

	for (i = 0; i < pl->slots->len; i++) {
		struct pl_slot *s = g_ptr_array_index(pl->slots, i);

		if (s->ops->tick != NULL)
			s->ops->tick(s->state, now_ms);
	}
}

void
pipeline_flush(struct pipeline *pl)
{
	guint i;

	for (i = 0; i < pl->slots->len; i++) {
		struct pl_slot *s = g_ptr_array_index(pl->slots, i);

		if (s->ops->flush != NULL)
			s->ops->flush(s->state);
	}
}
