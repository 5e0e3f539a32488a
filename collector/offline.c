/* SPDX-License-Identifier: ISC */
/*
 * The IPFIX File reader. An IPFIX File has no framing of its own: each
 * message header (RFC 7011 3.1) gives the message length, so the reader
 * takes the header, then the rest, and stops at a clean end of file. A
 * bad version or length means the stream lost sync, and reading ends.
 */
#include "config.h"

#include "collector/offline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cursor.h"
#include "common/error.h"
#include "collector/ipfix.h"

#define OFFLINE_MAX_MSG 65535

/* 1: a message in `buf`; 0: clean end of file; -1: `err` set. */
static int
read_message(FILE *f, const char *path, uint8_t *buf, size_t *len, GError **err)
{
	struct cursor c;
	uint16_t version, mlen;
	size_t n;

	n = fread(buf, 1, 4, f);
	if (n == 0 && feof(f))
		return 0;
	if (n < 4)
		goto short_read;
	cur_init(&c, buf, 4);
	cur_u16(&c, &version);
	cur_u16(&c, &mlen);
	if (version != IPFIX_VERSION || mlen < IPFIX_HEADER_LEN) {
		g_set_error(err, FT_ERROR, FT_ERROR_MALFORMED,
			    "%s: not an IPFIX message (version %u, "
			    "length %u)",
			    path, version, mlen);
		return -1;
	}
	if (fread(buf + 4, 1, mlen - 4, f) != (size_t)mlen - 4)
		goto short_read;
	*len = mlen;
	return 1;

short_read:
	if (ferror(f))
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: %s", path,
			    g_strerror(errno));
	else
		g_set_error(err, FT_ERROR, FT_ERROR_SHORT,
			    "%s: file ends inside a message", path);
	return -1;
}

gboolean
offline_read(struct dispatch *d, const char *path, uint64_t *messages,
	     GError **err)
{
	static const struct ft_addr none;
	uint8_t *buf = g_malloc(OFFLINE_MAX_MSG);
	gboolean use_stdin = strcmp(path, "-") == 0;
	FILE *f = use_stdin ? stdin : fopen(path, "rb");
	size_t len;
	int rc = -1;

	*messages = 0;
	if (f == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: %s", path,
			    g_strerror(errno));
		goto out;
	}
	while ((rc = read_message(f, path, buf, &len, err)) == 1) {
		dispatch_message(d, &none, buf, len,
				 (uint64_t)(g_get_real_time() / 1000));
		(*messages)++;
	}
	if (!use_stdin)
		fclose(f);
out:
	g_free(buf);
	return rc == 0;
}
