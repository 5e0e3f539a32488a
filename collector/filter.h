/* SPDX-License-Identifier: ISC */
/*
 * aggregate_filter: a BPF expression matched against each flow record as
 * libpcap would match a packet carrying it. The record becomes a small
 * synthetic Ethernet frame and the expression, compiled once, runs over
 * it with pcap_offline_filter(). pmacct's comma list is an OR of several
 * expressions.
 *
 * VLANs: an expression that never says `vlan` sees the record without its
 * 802.1Q tag, so `ip`, `net`, `port`, `not ip` mean the same on tagged
 * and untagged records; one that says `vlan` sees the tag (whatever the
 * id, unlike nfacctd's ids-of-256-and-up quirk) with BPF's usual offset
 * shift after the `vlan` keyword.
 */
#ifndef FT_FILTER_H
#define FT_FILTER_H

#include <glib.h>

#include "common/flowrec.h"

struct filter;

/*
 * Compile `expr` (comma-separated alternatives). FALSE with
 * FT_ERROR_SYNTAX and libpcap's message, naming the failing part.
 */
struct filter *filter_new(const char *expr, GError **err);
void filter_free(struct filter *f);

/* TRUE if `rec` passes. No allocation, no syscall. */
gboolean filter_match(const struct filter *f, const struct flowrec *rec);

/*
 * TRUE if no IPv6 record can pass (`ip`, `net 10.0.0.0/8`...), so the
 * daemon can say once that IPv6 flows are left out.
 */
gboolean filter_excludes_ipv6(const struct filter *f);

#endif
