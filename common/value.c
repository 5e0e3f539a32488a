/* SPDX-License-Identifier: ISC */
/*
 * Value parsers for configuration keys and options. Each takes the whole
 * string or fails; none accepts trailing garbage.
 */
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static gboolean
bad(GError **err, const char *s, const char *what)
{
	g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX, "'%s' is not %s", s, what);
	return FALSE;
}

gboolean
val_bool(const char *s, gboolean *out, GError **err)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(s, yes[i]) == 0) {
			*out = TRUE;
			return TRUE;
		}
		if (g_ascii_strcasecmp(s, no[i]) == 0) {
			*out = FALSE;
			return TRUE;
		}
	}
	return bad(err, s, "a boolean (true, false, yes, no, 1, 0)");
}

/* Leading decimal digits of `s` into `*n`; the rest in `*rest`. */
static gboolean
leading_uint(const char *s, uint64_t *n, const char **rest)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return FALSE;
	errno = 0;
	*n = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return FALSE;
	*rest = end;
	return TRUE;
}

gboolean
val_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, GError **err)
{
	const char *rest;
	uint64_t n;

	if (!leading_uint(s, &n, &rest) || *rest != '\0')
		return bad(err, s, "a whole number");
	if (n < min || n > max) {
		g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
			    "'%s' is out of range %" G_GUINT64_FORMAT
			    " to %" G_GUINT64_FORMAT,
			    s, min, max);
		return FALSE;
	}
	*out = n;
	return TRUE;
}

static uint64_t
unit_secs(const char *u)
{
	static const struct {
		const char *name;
		uint64_t secs;
	} units[] = { { "", 1 },     { "s", 1 },     { "m", 60 },
		      { "h", 3600 }, { "d", 86400 }, { "w", 604800 } };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(units); i++)
		if (strcmp(u, units[i].name) == 0)
			return units[i].secs;
	return 0;
}

gboolean
val_duration(const char *s, uint64_t *secs, GError **err)
{
	const char *rest;
	uint64_t n, mul;

	if (!leading_uint(s, &n, &rest))
		return bad(err, s, "a duration (30, 30s, 5m, 1h, 1d, 1w)");
	mul = unit_secs(rest);
	if (mul == 0 || n > UINT64_MAX / mul)
		return bad(err, s, "a duration (30, 30s, 5m, 1h, 1d, 1w)");
	*secs = n * mul;
	return TRUE;
}

gboolean
val_history(const char *s, uint64_t *count, char *unit, GError **err)
{
	const char *rest;
	uint64_t n;

	if (leading_uint(s, &n, &rest) && strcmp(rest, "M") == 0 && n > 0) {
		*count = n;
		*unit = 'M';
		return TRUE;
	}
	if (!val_duration(s, &n, NULL) || n == 0)
		return bad(err, s, "a bin length (5m, 1h, 1d, 1w, 1M)");
	*count = n;
	*unit = 's';
	return TRUE;
}

gboolean
val_size(const char *s, uint64_t *bytes, GError **err)
{
	static const char *const prefixes = "KMGT";
	const char *rest, *p;
	uint64_t n, mul = 1;

	if (!leading_uint(s, &n, &rest))
		return bad(err, s, "a size (100, 64K, 50GB, 1TiB)");
	if (*rest != '\0') {
		p = strchr(prefixes, g_ascii_toupper(*rest));
		if (p == NULL)
			return bad(err, s, "a size (100, 64K, 50GB, 1TiB)");
		mul = (uint64_t)1 << (10 * (p - prefixes + 1));
		rest++;
		if (*rest == 'i')
			rest++;
		if (*rest == 'B' || *rest == 'b')
			rest++;
		if (*rest != '\0')
			return bad(err, s, "a size (100, 64K, 50GB, 1TiB)");
	}
	if (n > UINT64_MAX / mul) {
		g_set_error(err, FT_ERROR, FT_ERROR_RANGE, "'%s' is too large",
			    s);
		return FALSE;
	}
	*bytes = n * mul;
	return TRUE;
}

static gboolean
parse_port(const char *s, const char *whole, uint16_t *port, GError **err)
{
	uint64_t n;

	if (!val_uint(s, 1, 65535, &n, NULL))
		return bad(err, whole, "host:port with a port of 1 to 65535");
	*port = (uint16_t)n;
	return TRUE;
}

gboolean
val_hostport(const char *s, char **host, uint16_t *port, GError **err)
{
	const char *colon, *close;

	*host = NULL;
	if (s[0] == '[') {
		close = strchr(s, ']');
		if (close == NULL || close[1] != ':' || close == s + 1)
			return bad(err, s, "[address]:port");
		if (!parse_port(close + 2, s, port, err))
			return FALSE;
		*host = g_strndup(s + 1, close - s - 1);
		return TRUE;
	}
	colon = strrchr(s, ':');
	if (colon == NULL)
		return parse_port(s, s, port, err);
	if (strchr(s, ':') != colon)
		return bad(err, s, "host:port (write IPv6 as [address]:port)");
	if (colon == s || !parse_port(colon + 1, s, port, err))
		return colon == s ? bad(err, s, "host:port") : FALSE;
	*host = g_strndup(s, colon - s);
	return TRUE;
}
