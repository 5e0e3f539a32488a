/* SPDX-License-Identifier: ISC */
/*
 * The rows of one query reply, copied out of the table when the request
 * is served and turned into ROW lines (collector/qproto.h) later, a batch
 * at a time, as the client reads. Copying is a fast sequential pass, so
 * DUMP ERASE stays atomic while formatting a large table never holds up
 * the main loop for long.
 */
#ifndef FT_QROWS_H
#define FT_QROWS_H

#include <stddef.h>
#include <glib.h>

#include "collector/aggkey.h"

struct qrows;

/* Rows keyed by `spec` (not owned); `hint` rows are reserved up front. */
struct qrows *qrows_new(const struct aggkey_spec *spec, size_t hint);
void qrows_free(struct qrows *r);

/* Copy one entry, the answer to query number `query` (0 for DUMP). */
void qrows_add(struct qrows *r, guint query, const uint8_t *key,
	       const struct aggctr *ctr);

size_t qrows_count(const struct qrows *r);

/*
 * Append the next `max` ROW lines at most to `out`; FALSE once every row
 * has been appended.
 */
gboolean qrows_format(struct qrows *r, GString *out, size_t max);

#endif
