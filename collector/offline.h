/* SPDX-License-Identifier: ISC */
/*
 * Offline input: an IPFIX File (RFC 5655), the messages of one stream
 * back to back, as `flowtally-probe -o` and libfixbuf's file exporter
 * write them. Each message goes through the dispatcher as if it came
 * from an exporter with no address.
 */
#ifndef FT_OFFLINE_H
#define FT_OFFLINE_H

#include <stdint.h>
#include <glib.h>

#include "collector/dispatch.h"

/*
 * Read every message of `path` ("-" for stdin). FALSE with FT_ERROR_IO,
 * FT_ERROR_SHORT or FT_ERROR_MALFORMED when the file cannot be read to
 * its end; the messages before the fault have been dispatched.
 * `*messages` counts those read.
 */
gboolean offline_read(struct dispatch *d, const char *path, uint64_t *messages,
		      GError **err);

#endif
