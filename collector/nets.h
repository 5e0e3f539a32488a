/* SPDX-License-Identifier: ISC */
/*
 * networks_file: a list of IPv4 and IPv6 prefixes (pmacct's format: one
 * entry a line, the prefix last after optional `asn,` or `nexthop,asn,`
 * fields, `!` and `#` comment lines) and a longest-prefix match over it.
 */
#ifndef FT_NETS_H
#define FT_NETS_H

#include <stdint.h>
#include <glib.h>

#include "common/addr.h"

struct nets;

/* FALSE with "PATH:LINE: what" on a malformed line or a read error. */
struct nets *nets_load(const char *path, GError **err);
struct nets *nets_load_string(const char *name, const char *text, GError **err);
void nets_free(struct nets *n);

/* Number of prefixes loaded. */
guint nets_count(const struct nets *n);

/*
 * Longest prefix holding `a`: its length in `plen`. FALSE when none does.
 * No allocation.
 */
gboolean nets_lookup(const struct nets *n, const struct ft_addr *a,
		     uint8_t *plen);

#endif
