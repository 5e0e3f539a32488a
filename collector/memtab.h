/* SPDX-License-Identifier: ISC */
/*
 * The bounded aggregation table: packed keys (collector/aggkey.h) to
 * counters. Every entry comes from one slab sized at memtab_new(), so
 * adding a record never allocates; a key that finds the table full is
 * counted in memtab_drops() and its counters are lost, never silently.
 * A table is not thread-safe: a store that writes on a timer swaps its
 * table for a fresh one (memtab_new) and hands the full one to a writer
 * thread, which iterates it and frees it.
 */
#ifndef FT_MEMTAB_H
#define FT_MEMTAB_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "collector/aggkey.h"

struct memtab;

/*
 * A table of `key_len`-byte keys (0 is allowed: one grand total) holding
 * at most `max_entries` (>= 1). Memory is reserved up front.
 */
struct memtab *memtab_new(size_t key_len, size_t max_entries);
void memtab_free(struct memtab *t);

/*
 * Add `ctr` to the entry of `key` (packets, bytes, flows summed, TCP
 * flags OR-ed), creating it if needed. FALSE when the key is new and the
 * table is full: the drop is counted.
 */
gboolean memtab_add(struct memtab *t, const uint8_t *key,
		    const struct aggctr *ctr);

/* The counters of `key`, or NULL. Writable: a reset zeroes them. */
struct aggctr *memtab_lookup(struct memtab *t, const uint8_t *key);

size_t memtab_key_len(const struct memtab *t);
size_t memtab_count(const struct memtab *t);
size_t memtab_limit(const struct memtab *t);

/* Keys that found the table full since it was made or last cleared. */
uint64_t memtab_drops(const struct memtab *t);

/* Forget every entry and the drop count; the memory stays reserved. */
void memtab_clear(struct memtab *t);

/*
 * Visit entries. The callback may change the counters but not add or
 * remove entries. memtab_foreach() goes in insertion order;
 * memtab_foreach_sorted() in memcmp() key order (it allocates an index,
 * so it is for writers and queries, not the record path).
 */
typedef void (*memtab_fn)(const uint8_t *key, struct aggctr *ctr, void *data);
void memtab_foreach(struct memtab *t, memtab_fn fn, void *data);
void memtab_foreach_sorted(struct memtab *t, memtab_fn fn, void *data);

/*
 * Visit the entries whose key matches `q` (a full scan, or one lookup
 * when q->exact). Returns the number that match; `fn` may be NULL.
 */
size_t memtab_match(struct memtab *t, const struct aggkey_spec *spec,
		    const struct aggkey_query *q, memtab_fn fn, void *data);

/* Zero an entry's counters (pmacct's -r): it stays, hidden until hit. */
void memtab_reset(struct aggctr *ctr);

/* TRUE for an entry zeroed by memtab_reset() and not hit since. */
gboolean memtab_is_reset(const struct aggctr *ctr);

#endif
