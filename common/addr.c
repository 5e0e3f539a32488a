/* SPDX-License-Identifier: ISC */
/*
 * Address and prefix helpers on struct ft_addr.
 */
#include "addr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void
ft_addr_set4(struct ft_addr *a, const void *net4)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->bytes, net4, 4);
}

void
ft_addr_set6(struct ft_addr *a, const void *net6)
{
	a->family = 6;
	memcpy(a->bytes, net6, 16);
}

const char *
ft_addr_ntop(const struct ft_addr *a, char *buf, size_t len)
{
	static const uint8_t zero[4];

	if (a->family == 6)
		return inet_ntop(AF_INET6, a->bytes, buf, len);
	return inet_ntop(AF_INET, a->family == 4 ? a->bytes : zero, buf, len);
}

gboolean
ft_addr_parse(const char *s, struct ft_addr *a, GError **err)
{
	uint8_t b[16];

	if (inet_pton(AF_INET, s, b) == 1) {
		ft_addr_set4(a, b);
		return TRUE;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		ft_addr_set6(a, b);
		return TRUE;
	}
	g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
		    "'%s' is not an IPv4 or IPv6 address", s);
	return FALSE;
}

gboolean
ft_prefix_parse(const char *s, struct ft_addr *a, uint8_t *plen, GError **err)
{
	const char *slash = strchr(s, '/');
	unsigned long n, max;
	char *end, *host;
	gboolean ok;

	host = slash ? g_strndup(s, slash - s) : g_strdup(s);
	ok = ft_addr_parse(host, a, err);
	g_free(host);
	if (!ok)
		return FALSE;
	max = a->family == 4 ? 32 : 128;
	if (slash == NULL) {
		*plen = max;
		return TRUE;
	}
	/* strtoul() alone would take " 8" and "+8". */
	n = strtoul(slash + 1, &end, 10);
	if (!g_ascii_isdigit(slash[1]) || *end != '\0' || n > max) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "'%s': prefix length must be 0 to %lu", s, max);
		return FALSE;
	}
	*plen = n;
	ft_addr_mask(a, *plen);
	return TRUE;
}

void
ft_addr_mask(struct ft_addr *a, uint8_t plen)
{
	unsigned i, bits = a->family == 4 ? 32 : 128;

	for (i = 0; i < bits / 8; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		a->bytes[i] &= (uint8_t)(0xff00 >> plen);
		plen = 0;
	}
}

gboolean
ft_prefix_contains(const struct ft_addr *p, uint8_t plen,
		   const struct ft_addr *a)
{
	struct ft_addr m;

	if (p->family != a->family)
		return FALSE;
	m = *a;
	ft_addr_mask(&m, plen);
	return memcmp(m.bytes, p->bytes, 16) == 0;
}
