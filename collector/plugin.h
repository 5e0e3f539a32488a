/* SPDX-License-Identifier: ISC */
/*
 * The plugin interface. The pipeline parses each plugin's `aggregate`
 * into a spec, runs its filter, packs the key and calls add(); a plugin
 * only stores. A plugin type is one `struct plugin_ops` listed in the
 * registry of pipeline.c. Every entry point runs on the collector's main
 * loop and must not block: a store whose writes may be slow swaps its
 * memtab for a fresh one at refresh time and gives the full one to a
 * writer thread (GThread), which frees it when done.
 */
#ifndef FT_PLUGIN_H
#define FT_PLUGIN_H

#include <stdint.h>
#include <glib.h>

#include "collector/aggkey.h"
#include "common/config.h"

/*
 * What the pipeline gives every plugin; it outlives the plugin. status()
 * appends the collector's status lines (receive side, per plugin filter
 * and drop counts) for a status query.
 */
struct plugin_ctx {
	const char *name;               /* the plugin's name */
	const char *type;               /* "memory", "sqlite3", "print" */
	const struct aggkey_spec *spec; /* its aggregation key */
	void (*status)(GString *out, const struct plugin_ctx *ctx);
	void *pipeline; /* for status(); opaque */
};

struct plugin_ops {
	const char *type; /* as in `plugins: TYPE[name]` */

	/*
	 * Build the plugin from its keys in `cfg` (look them up with
	 * ctx->name as the plugin). NULL with a message on error; the
	 * pipeline prefixes the plugin's name.
	 */
	void *(*new)(const struct cfg *cfg, const struct plugin_ctx *ctx,
		     GError **err);

	/*
	 * Add one record's counters under a packed key. Never blocks.
	 * FALSE when the store is full and the record is lost (the
	 * pipeline counts it per plugin).
	 */
	gboolean (*add)(void *p, const uint8_t *key, const struct aggctr *ctr);

	/*
	 * Optional; when set the pipeline calls it instead of add(), with
	 * the record's end time (flowrec end_ms, epoch ms), for stores that
	 * keep history bins by the time a flow ended (sqlite3, print).
	 */
	gboolean (*add_at)(void *p, const uint8_t *key,
			   const struct aggctr *ctr, uint64_t end_ms);

	/* About once a second, wall clock in ms; NULL if not needed. */
	void (*tick)(void *p, uint64_t now_ms);

	/* End of input or shutdown: write everything held, and wait. */
	void (*flush)(void *p);

	/* One status line or more about the plugin's store; may be NULL. */
	void (*status)(void *p, GString *out);

	void (*free)(void *p);
};

/* The plugin types; pipeline.c lists the ones that are built. */
extern const struct plugin_ops plug_memory_ops;
extern const struct plugin_ops plug_sqlite_ops;
extern const struct plugin_ops plug_print_ops;

#endif
