/* SPDX-License-Identifier: ISC */
/*
 * The receive path behind the sockets: allow-list, exporter lookup, and
 * a table from the version field of a datagram to its decoder, so that
 * NetFlow v5, v9 and IPFIX share one UDP port. The listener, the offline
 * reader and the tests all feed messages through here.
 */
#ifndef FT_DISPATCH_H
#define FT_DISPATCH_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "common/addr.h"
#include "collector/exporter.h"
#include "collector/sink.h"

struct dispatch;

struct dispatch *dispatch_new(const struct flow_sink *sink,
			      const struct recv_opts *opts, GError **err);
void dispatch_free(struct dispatch *d);

/*
 * Accept only exporters in the prefixes of `path`, one a line (`#`
 * comments); an empty file denies every exporter.
 */
gboolean dispatch_load_allow(struct dispatch *d, const char *path,
			     GError **err);

/* One message from `from`, received at `now_ms`; everything is counted. */
void dispatch_message(struct dispatch *d, const struct ft_addr *from,
		      uint8_t *buf, size_t len, uint64_t now_ms);

/* A datagram the listener could not hand over whole. */
void dispatch_count(struct dispatch *d, enum exporter_drop reason);

struct exporter_table *dispatch_exporters(struct dispatch *d);

/*
 * Called the first time `exp` sends a datagram of a known `version` that
 * nothing decodes (NetFlow v5, v9), so that the daemon can say why its
 * datagrams go nowhere: once per exporter and version, never per datagram.
 */
typedef void (*dispatch_notice_fn)(void *data, const struct exporter *exp,
				   uint16_t version);
void dispatch_set_notice(struct dispatch *d, dispatch_notice_fn fn, void *data);

#endif
