/* SPDX-License-Identifier: ISC */
/*
 * Output formats shared by the flowtally CLI and the print plugin:
 * formatted (pmacct's fixed-width columns), CSV and JSON lines. A layout
 * is built once from primitive table rows (plus optional extra text
 * columns such as stamp_inserted) and then fed rows of canonical text
 * values (qproto.h) and counters; the text is appended to a GString that
 * the caller writes out, so that the caller owns every I/O error.
 */
#ifndef FT_FMT_H
#define FT_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "primitive.h"

enum fmt_output {
	FMT_FORMATTED,
	FMT_CSV,
	FMT_JSON,
};

/* Which pmacct program's column order and JSON counter order to follow. */
enum fmt_order {
	FMT_ORDER_CLIENT, /* enum prim_id order; JSON packets, flows, bytes */
	FMT_ORDER_PRINT,  /* prim.print_order; JSON flows, packets, bytes */
};

/* How PRIM_K_TIME values ("sec.usec" since the epoch) are written. */
enum fmt_time {
	FMT_TIME_RFC3339, /* 2023-11-14T22:13:22.500000Z (+hh:mm if local) */
	FMT_TIME_EPOCH,   /* 1700000002.500000 */
	FMT_TIME_PLAIN,   /* 2023-11-14 22:13:22.500000 (print default) */
};

struct fmt_opts {
	enum fmt_output output;
	enum fmt_order order;
	enum fmt_time time;
	gboolean utc;           /* timestamps in UTC, else local time */
	gboolean time_secs;     /* zero the microseconds (timestamps_secs) */
	gboolean numeric_proto; /* protocol numbers, not names (-u) */
	gboolean flows;         /* a FLOWS counter column */
	char sep;               /* CSV separator; 0 means ',' */
	/* JSON only: when set, each object starts "event_type": "<this>". */
	const char *json_event_type;
};

/*
 * An extra text column of the print plugin (stamp_inserted, ...): placed
 * after the primitives and before the counters, its values are written as
 * given (JSON strings).
 */
struct fmt_extra {
	const char *header; /* formatted and CSV title */
	const char *json;   /* JSON key */
	uint8_t width;      /* formatted width, title and value padded */
};

struct fmt_counters {
	uint64_t packets;
	uint64_t flows;
	uint64_t bytes;
};

struct fmt;

/*
 * Build a layout from `nprims` primitive rows (prim_table entries, sum_*
 * rows allowed; in any order: the layout sorts them by `opts->order`) and
 * `nextra` extra columns (may be NULL/0). The arrays are copied; the
 * prim and extra strings must outlive the layout. Returns NULL with
 * FT_ERROR_SCOPE if two rows share a column.
 */
struct fmt *fmt_new(const struct fmt_opts *opts,
		    const struct prim *const *prims, size_t nprims,
		    const struct fmt_extra *extra, size_t nextra, GError **err);
void fmt_free(struct fmt *f);

/* Append the header line (formatted, CSV); JSON has none. */
void fmt_header(const struct fmt *f, GString *out);

/*
 * Append one row. `values` holds `nprims + nextra` strings in the order
 * given to fmt_new (primitives first, then extras); a NULL value stands
 * for a primitive the table does not aggregate and prints as pmacct's
 * zero value for that kind.
 */
void fmt_row(const struct fmt *f, GString *out, const char *const *values,
	     const struct fmt_counters *c);

/* The CLI's formatted footer: an empty line, "For a total of: N entries";
 * nothing for CSV and JSON. */
void fmt_footer(const struct fmt *f, GString *out, size_t entries);

/*
 * Append one timestamp as `opts` says (for stamp columns); a negative
 * `usec` writes no fraction ("2023-11-14 22:10:00").
 */
void fmt_time(const struct fmt_opts *opts, int64_t sec, int32_t usec,
	      GString *out);

/* A protocol's name ("tcp"), or NULL when it has none. */
const char *fmt_proto_name(unsigned proto);

/* The number of a protocol name, or -1 when the name is unknown. */
int fmt_proto_number(const char *name);

#endif
