/* SPDX-License-Identifier: ISC */
/*
 * UDP listeners: one socket per configured address and port, each
 * watched by GLib's main loop, read in batches and handed datagram by
 * datagram to the dispatcher.
 */
#ifndef FT_LISTEN_H
#define FT_LISTEN_H

#include <stdint.h>
#include <glib.h>

#include "collector/dispatch.h"

struct listener;

/*
 * Bind every address of `ips` ("::" is dual-stack, falling back to
 * 0.0.0.0 without IPv6) to every port of `ports`, with a receive buffer
 * of `rcvbuf` bytes, and watch them on the default main context.
 */
struct listener *listen_new(struct dispatch *d, gchar **ips, gchar **ports,
			    uint64_t rcvbuf, GError **err);
void listen_free(struct listener *l);

/* What listen_new() would refuse in `ips` and `ports`, without binding. */
gboolean listen_check(gchar **ips, gchar **ports, GError **err);

/* Sockets bound, and the smallest receive buffer the kernel granted. */
guint listen_count(const struct listener *l);
uint64_t listen_rcvbuf(const struct listener *l);

/* Datagrams the kernel dropped because a socket buffer was full. */
uint64_t listen_kernel_drops(const struct listener *l);

/* The port the first socket is bound to (useful with port 0). */
uint16_t listen_port(const struct listener *l);

#endif
