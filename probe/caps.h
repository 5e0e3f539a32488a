/* SPDX-License-Identifier: ISC */
/*
 * Capture rights across the privilege drop. A live probe reopens an
 * interface that comes back (ppp0 after a reconnect), which needs
 * CAP_NET_RAW and CAP_NET_ADMIN; on Linux those two, and nothing else,
 * are kept when root becomes the configured user.
 */
#ifndef FT_CAPS_H
#define FT_CAPS_H

#include <glib.h>

/* Before the user id changes: ask the kernel to keep permitted rights. */
int caps_keep_begin(GError **err);

/* After: keep only the capture rights, effective and permitted. */
int caps_keep_finish(GError **err);

#endif
