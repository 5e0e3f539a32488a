/* SPDX-License-Identifier: ISC */
/*
 * IPv4 and IPv6 addresses and prefixes in one fixed-size value, so that
 * flow records and aggregation keys hold either without a pointer.
 */
#ifndef FT_ADDR_H
#define FT_ADDR_H

#include <stdint.h>
#include <stddef.h>
#include <glib.h>

/* Long enough for any address text, with a "/128" suffix. */
#define FT_ADDR_STRLEN 50

/*
 * `family` is 0 (none), 4 or 6. An IPv4 address fills bytes[0..3] and the
 * rest stays zero, so two values compare with memcmp().
 */
struct ft_addr {
	uint8_t family;
	uint8_t bytes[16];
};

void ft_addr_set4(struct ft_addr *a, const void *net4);
void ft_addr_set6(struct ft_addr *a, const void *net6);

/* Text form ("192.0.2.1", "2001:db8::1"); "0.0.0.0" for family 0. */
const char *ft_addr_ntop(const struct ft_addr *a, char *buf, size_t len);

/* Parse an address; FALSE with FT_ERROR_SYNTAX otherwise. */
gboolean ft_addr_parse(const char *s, struct ft_addr *a, GError **err);

/* Parse "addr/len" (or a bare address: full length). */
gboolean ft_prefix_parse(const char *s, struct ft_addr *a, uint8_t *plen,
			 GError **err);

/* Clear every bit past `plen`. */
void ft_addr_mask(struct ft_addr *a, uint8_t plen);

/* TRUE if `a` lies in prefix `p`/`plen` of the same family. */
gboolean ft_prefix_contains(const struct ft_addr *p, uint8_t plen,
			    const struct ft_addr *a);

#endif
