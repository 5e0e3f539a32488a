/* SPDX-License-Identifier: ISC */
/*
 * Parsers for the value syntaxes of configuration keys and command-line
 * options. Each fills a GError (FT_ERROR_SYNTAX or FT_ERROR_RANGE) naming
 * the text it could not take, and never logs.
 */
#ifndef FT_VALUE_H
#define FT_VALUE_H

#include <stdint.h>
#include <glib.h>
#include "addr.h"

/* "true false yes no on off 1 0", any case. */
gboolean val_bool(const char *s, gboolean *out, GError **err);

/* A decimal integer in [min, max]. */
gboolean val_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		  GError **err);

/* "30", "30s", "5m", "1h", "1d", "1w": seconds. */
gboolean val_duration(const char *s, uint64_t *secs, GError **err);

/*
 * A history bin length: as val_duration, plus "1M" (calendar months).
 * Returns the count and a unit ('s' seconds, 'M' months).
 */
gboolean val_history(const char *s, uint64_t *count, char *unit, GError **err);

/* "100", "64K", "50GB", "1TiB": bytes; K, M, G, T are powers of 1024. */
gboolean val_size(const char *s, uint64_t *bytes, GError **err);

/*
 * "host:port", "[v6addr]:port", or a bare port when `host` may default.
 * `*host` is newly allocated (g_free) and NULL for a bare port.
 */
gboolean val_hostport(const char *s, char **host, uint16_t *port, GError **err);

#endif
