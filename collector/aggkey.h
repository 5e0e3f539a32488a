/* SPDX-License-Identifier: ISC */
/*
 * Aggregation keys. A plugin's `aggregate` list becomes a spec: the
 * primitives it keys on, each at a fixed offset of a packed key, in
 * enum prim_id order (the client's column order). Packing copies fixed-
 * length bytes from the flow record with no allocation and no string
 * work; integers are packed big-endian so that memcmp() order is numeric
 * order. Canonical text (collector/qproto.h) and its parser live here too.
 *
 * Two primitives are columns but not key parts:
 *   flows     shows the FLOWS counter column;
 *   tcpflags  is OR-ed over the aggregate (pmacct's semantics, reference
 *             3.1), so it lives in struct aggctr, not in the key.
 */
#ifndef FT_AGGKEY_H
#define FT_AGGKEY_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "collector/primitive.h"
#include "common/flowrec.h"

/* Largest packed key: every primitive at once stays well under this. */
#define AGGKEY_MAX_LEN 160

/* Offset of a column that is not a key part (tcpflags). */
#define AGGKEY_NO_OFFSET 0xff

/* Which side of a record a sum_* key is packed from. */
enum aggkey_side {
	AGGKEY_SRC = 0,
	AGGKEY_DST = 1,
};

/* The counters of one aggregate. */
struct aggctr {
	uint64_t packets;
	uint64_t bytes;
	uint64_t flows;
	uint8_t tcp_flags; /* OR of every record's flags */
};

struct nets;

/*
 * A parsed `aggregate` list. Read-only after aggkey_spec_new() (and
 * aggkey_spec_set_nets()); stores keep a pointer for their lifetime.
 */
struct aggkey_spec {
	guint ncols;                         /* columns, client order */
	const struct prim *cols[PRIM_COUNT]; /* sum_*: the sum row */
	uint8_t offset[PRIM_COUNT];          /* per column: key offset */
	size_t key_len;                      /* packed bytes; 0 for none */
	gboolean flows;                      /* FLOWS column shown */
	gboolean sum;                        /* one sum_* column: add twice */
	gboolean tcpflags;                   /* TCP_FLAGS column (OR-ed) */
	gboolean need_nets;                  /* a net or mask column */
	const struct nets *nets;             /* networks_file, or NULL */
	int net_mask;                        /* networks_mask, or -1 */
};

/*
 * Parse an aggregate list (names as in prim_table, `none`, `flows`,
 * `sum` = sum_host). Order and duplicates do not matter. FALSE with
 * FT_ERROR_UNKNOWN naming an unknown primitive, or FT_ERROR_SCOPE when a
 * sum_* primitive is not alone. The result is freed with g_free().
 */
struct aggkey_spec *aggkey_spec_new(const char *const *names, GError **err);

/*
 * Where src_net, dst_net, src_mask, dst_mask and sum_net take their
 * prefix: `nets` (not owned, must outlive the spec) by longest match, else
 * a fixed `mask` (-1: none), else the record's own masks. With `nets`,
 * an address no prefix covers gives 0.0.0.0 or :: and mask 0.
 */
void aggkey_spec_set_nets(struct aggkey_spec *spec, const struct nets *nets,
			  int mask);

/*
 * Pack `rec` into `key` (spec->key_len bytes). `side` matters for sum_*
 * specs only: the pipeline packs AGGKEY_SRC then AGGKEY_DST and adds the
 * record under both. Never allocates.
 */
void aggkey_pack(const struct aggkey_spec *spec, const struct flowrec *rec,
		 enum aggkey_side side, uint8_t *key);

/* Counters of one record, for aggkey_pack()'s key. */
void aggkey_counters(const struct aggkey_spec *spec, const struct flowrec *rec,
		     struct aggctr *ctr);

/* A fast non-cryptographic 64-bit hash of `len` bytes. */
uint64_t aggkey_hash(const void *key, size_t len);

/*
 * Canonical text of one packed value of primitive `p` (its key_len bytes
 * at `val`): addresses and MACs as text, protocol and TCP flags as
 * numbers, timestamps "<sec>.<usec>". Returns `buf`.
 */
const char *aggkey_value_text(const struct prim *p, const uint8_t *val,
			      char *buf, size_t len);

/*
 * Canonical text of column `col` of an entry: the key part, or the OR-ed
 * TCP flags from `ctr`. Returns `buf`.
 */
const char *aggkey_col_text(const struct aggkey_spec *spec, guint col,
			    const uint8_t *key, const struct aggctr *ctr,
			    char *buf, size_t len);

/*
 * Parse `text` into the packed form of `p` (key_len bytes at `val`).
 * Accepts the canonical text, and what pmacct's -M accepts: protocol
 * names, `YYYY-MM-DDTHH:MM:SS[.usec]` (UTC) timestamps. FALSE with
 * FT_ERROR_SYNTAX or FT_ERROR_RANGE.
 */
gboolean aggkey_value_parse(const struct prim *p, const char *text,
			    uint8_t *val, GError **err);

/*
 * A query against packed keys: an entry matches when
 * (key & mask) == value over key_len bytes. `never` is set when the query
 * names a primitive the table does not key on with a non-wildcard value;
 * `exact` when every key byte is constrained (one hash lookup suffices).
 */
struct aggkey_query {
	uint8_t mask[AGGKEY_MAX_LEN];
	uint8_t value[AGGKEY_MAX_LEN];
	gboolean never;
	gboolean exact;
};

/*
 * Build a query from `n` primitives and their texts ("*" = wildcard).
 * FALSE with a message for an unknown primitive, a non-key column
 * (tcpflags, flows) or a malformed value.
 */
gboolean aggkey_query_build(const struct aggkey_spec *spec,
			    const struct prim *const *prims,
			    const char *const *texts, guint n,
			    struct aggkey_query *q, GError **err);

gboolean aggkey_query_match(const struct aggkey_spec *spec,
			    const struct aggkey_query *q, const uint8_t *key);

#endif
