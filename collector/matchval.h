/* SPDX-License-Identifier: ISC */
/*
 * The values of `flowtally -c KEYS -M|-N VALUES`: queries separated by
 * `;` (or one per line of `file:PATH`), values by `,` in -c order, `*` a
 * wildcard. Each value is checked against its primitive's kind and turned
 * into the canonical text of qproto.h, so the server compares like with
 * like.
 */
#ifndef FT_MATCHVAL_H
#define FT_MATCHVAL_H

#include <stddef.h>
#include <glib.h>

#include "collector/primitive.h"

/*
 * Parse `arg` into `queries` (appended: one newly allocated string per
 * query, canonical values joined by tabs). Times without a zone are read
 * as local time unless `utc`. FALSE with a message naming the primitive
 * and the value on the first bad one.
 */
gboolean matchval_parse(const struct prim *const *keys, size_t nkeys,
			const char *arg, gboolean utc, GPtrArray *queries,
			GError **err);

/* Canonical text of one value of primitive `p` (newly allocated). */
char *matchval_value(const struct prim *p, const char *s, gboolean utc,
		     GError **err);

#endif
