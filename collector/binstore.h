/* SPDX-License-Identifier: ISC */
/*
 * The interval machinery the sqlite3 and print plugins share: records are
 * added on the main loop to a bounded table keyed by (history bin start,
 * aggregation key); every refresh the table is swapped for an empty one
 * and the full one goes to a writer thread. A write that fails keeps its
 * entries, which are merged with the next interval's and retried, so a
 * full disk or a locked database delays data and loses none.
 */
#ifndef FT_BINSTORE_H
#define FT_BINSTORE_H

#include <stdint.h>
#include <glib.h>

#include "collector/aggkey.h"
#include "collector/bins.h"
#include "collector/memtab.h"

/* Bytes before the aggregation key in a table key: the bin start, BE. */
#define BINSTORE_BIN_LEN 8

/*
 * Write every entry of `t` (memtab_foreach_sorted gives bin order) with
 * `now` the write time in epoch seconds. Runs on the writer thread; FALSE
 * with an error when nothing of `t` was kept and it must be retried.
 * `rows` receives how many entries were written.
 */
typedef gboolean (*binstore_write_fn)(struct memtab *t, int64_t now, void *data,
				      guint64 *rows, GError **err);

struct binstore_opts {
	const char *label;  /* "sqlite3[name]", for the log */
	size_t key_len;     /* aggregation key length */
	size_t max_entries; /* per table */
	const struct bins *bins;
	uint64_t refresh_ms;
	binstore_write_fn write;
	void *data;
	/* Frees `data` at the end of binstore_free(), after the last write. */
	void (*free_data)(void *data);
};

struct binstore;

struct binstore *binstore_new(const struct binstore_opts *o);
void binstore_free(struct binstore *bs);

/* The bin start stored in a table key. */
int64_t binstore_key_bin(const uint8_t *key);

/* Main loop: add a record's counters; FALSE when the table is full. */
gboolean binstore_add(struct binstore *bs, const uint8_t *key,
		      const struct aggctr *ctr, uint64_t end_ms);

/* Main loop: start a write when a refresh is due. */
void binstore_tick(struct binstore *bs, uint64_t now_ms);

/* Write what is held now and wait for the writer to finish. */
void binstore_flush(struct binstore *bs);

/* One status line: writes, failures, retries, rows, drops. */
void binstore_status(struct binstore *bs, GString *out);

/* Counters, for tests and status. */
struct binstore_stats {
	guint64 writes;   /* successful writes */
	guint64 failures; /* failed writes (data kept for retry) */
	guint64 rows;     /* rows or lines written */
	guint64 drops;    /* entries lost: table full, or a failed flush */
	guint64 delayed;  /* refreshes skipped while the writer was busy */
};
void binstore_stats(struct binstore *bs, struct binstore_stats *st);

/*
 * A store plugin whose plugin data is its binstore uses these as its
 * add, add_at, tick, flush, status and free operations (plugin.h); its
 * own state travels as the binstore's `data` and goes with `free_data`.
 */
gboolean binstore_op_add(void *bs, const uint8_t *key,
			 const struct aggctr *ctr);
gboolean binstore_op_add_at(void *bs, const uint8_t *key,
			    const struct aggctr *ctr, uint64_t end_ms);
void binstore_op_tick(void *bs, uint64_t now_ms);
void binstore_op_flush(void *bs);
void binstore_op_status(void *bs, GString *out);
void binstore_op_free(void *bs);

#endif
