/* SPDX-License-Identifier: ISC */
/*
 * The seam between the decoders and the plugins. Decoders hand every flow
 * record to pipeline_record(); the pipeline runs each configured plugin's
 * filter, packs its key and adds the counters to its store. Everything
 * runs on the collector's main loop (GLib's default context); a store
 * whose writes may be slow hands a snapshot to a thread of its own.
 */
#ifndef FT_PIPELINE_H
#define FT_PIPELINE_H

#include <stdint.h>
#include <glib.h>

#include "common/config.h"
#include "common/flowrec.h"

struct pipeline;

/* Fills `out` with status lines for the query CLI's status request. */
typedef void (*pipeline_status_fn)(GString *out, void *data);

/* Build every plugin of `cfg`; FALSE with a message naming the plugin. */
struct pipeline *pipeline_new(const struct cfg *cfg, GError **err);
void pipeline_free(struct pipeline *pl);

/*
 * What pipeline_new() checks, without opening anything (sockets,
 * databases, files): plugin types, aggregate lists, networks files and
 * filters. For the configuration test flag.
 */
gboolean pipeline_check(const struct cfg *cfg, GError **err);

/* The receive side's status, shown by `flowtally --status`. */
void pipeline_set_status(struct pipeline *pl, pipeline_status_fn fn,
			 void *data);

/*
 * Append every status line: the receive side's (pipeline_set_status),
 * then each plugin's records, filtered-out and store-full counts and its
 * store's own lines. The query server's STATUS sends the same text.
 */
void pipeline_status(struct pipeline *pl, GString *out);

/* One decoded record. Never blocks, never logs per record. */
void pipeline_record(struct pipeline *pl, const struct flowrec *rec);

/* Called about once a second with the wall clock, in ms. */
void pipeline_tick(struct pipeline *pl, uint64_t now_ms);

/* End of input or shutdown: every store writes what it holds, and waits. */
void pipeline_flush(struct pipeline *pl);

#endif
