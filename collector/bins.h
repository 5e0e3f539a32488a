/* SPDX-License-Identifier: ISC */
/*
 * History bins of the sqlite3 and print plugins (sql_history,
 * print_history, *_history_roundoff). A bin is a fixed slice of UTC time
 * that every record falls into by its own end time; the grid is a
 * property of the calendar, never of the moment the collector started, so
 * that a restart lands in the bins it left.
 */
#ifndef FT_BINS_H
#define FT_BINS_H

#include <stdint.h>
#include <glib.h>

/* What a roundoff letter anchors the grid to, coarsest last. */
enum bins_anchor {
	BINS_ANCHOR_EPOCH = 0, /* no roundoff: 1970-01-01 (Mondays for 1w) */
	BINS_ANCHOR_HOUR,      /* m: the start of each hour */
	BINS_ANCHOR_DAY,       /* h: midnight */
	BINS_ANCHOR_WEEK,      /* w: Monday midnight */
	BINS_ANCHOR_MONTH,     /* d: the first of the month */
	BINS_ANCHOR_YEAR,      /* M: the first of January */
};

struct bins {
	uint64_t len; /* seconds, or months when unit is 'M'; 0: no bins */
	char unit;    /* 's' or 'M' */
	enum bins_anchor anchor;
};

/*
 * Set up from the key texts; `history` NULL gives no bins (every record
 * in bin 0). FALSE with FT_ERROR_SYNTAX for a bad length or letter.
 */
gboolean bins_init(struct bins *b, const char *history, const char *roundoff,
		   GError **err);

/* TRUE when records are binned at all. */
gboolean bins_enabled(const struct bins *b);

/* Start (epoch seconds, UTC) of the bin holding time `t`; 0 if none. */
int64_t bins_start(const struct bins *b, int64_t t);

/*
 * End of the bin that starts at `start`: the next bin's start. A bin cut
 * short by its anchor (a 7m bin at the end of an hour) ends there.
 */
int64_t bins_end(const struct bins *b, int64_t start);

/* "YYYY-MM-DD HH:MM:SS" in UTC, as the SQL stamps store it. */
void bins_stamp(int64_t t, char buf[20]);

#endif
