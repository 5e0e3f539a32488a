/* SPDX-License-Identifier: ISC */
/*
 * Parsing of -M/-N match values into qproto.h's canonical text. Unlike
 * pmacct, a network may be given with its length (the address is masked
 * to it), protocols are accepted by name or number whatever -u says, and
 * times may be ISO 8601 dates or epoch seconds.
 */
#include "matchval.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/error.h"
#include "collector/fmt.h"
#include "collector/qproto.h"

static gboolean
mv_fail(GError **err, const struct prim *p, const char *what, const char *s)
{
	g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX, "%s: invalid %s: '%s'",
		    p->name, what, s);
	return FALSE;
}

static char *
mv_addr(const struct prim *p, const char *s, GError **err)
{
	struct ft_addr a;
	uint8_t plen;
	char buf[FT_ADDR_STRLEN];

	if (p->kind == PRIM_K_ADDR) {
		if (!ft_addr_parse(s, &a, NULL)) {
			mv_fail(err, p, "IP address", s);
			return NULL;
		}
	} else {
		if (!ft_prefix_parse(s, &a, &plen, NULL)) {
			mv_fail(err, p, "IP network", s);
			return NULL;
		}
		ft_addr_mask(&a, plen);
	}
	return g_strdup(ft_addr_ntop(&a, buf, sizeof(buf)));
}

/* aa:bb:cc:dd:ee:ff (or with dashes), written back in lower case. */
static char *
mv_mac(const struct prim *p, const char *s, GError **err)
{
	unsigned b[6];
	char tail;
	int n = sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		       &b[3], &b[4], &b[5], &tail);

	if (n != 6)
		n = sscanf(s, "%2x-%2x-%2x-%2x-%2x-%2x%c", &b[0], &b[1], &b[2],
			   &b[3], &b[4], &b[5], &tail);
	if (n != 6) {
		mv_fail(err, p, "MAC address", s);
		return NULL;
	}
	return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1],
			       b[2], b[3], b[4], b[5]);
}

static gboolean
mv_number(const char *s, guint64 max, guint64 *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return FALSE;
	*v = g_ascii_strtoull(s, &end, 10);
	return *end == '\0' && *v <= max;
}

static char *
mv_uint(const struct prim *p, const char *s, guint64 max, GError **err)
{
	guint64 v;

	if (!mv_number(s, max, &v)) {
		mv_fail(err, p, "number", s);
		return NULL;
	}
	return g_strdup_printf("%" G_GUINT64_FORMAT, v);
}

static char *
mv_proto(const struct prim *p, const char *s, GError **err)
{
	guint64 v;
	int n;

	if (mv_number(s, 255, &v))
		return g_strdup_printf("%" G_GUINT64_FORMAT, v);
	n = fmt_proto_number(s);
	if (n < 0 || n > 255) {
		mv_fail(err, p, "protocol", s);
		return NULL;
	}
	return g_strdup_printf("%d", n);
}

/* Epoch seconds "sec[.frac]", at most six digits of fraction. */
static char *
mv_epoch(const struct prim *p, const char *s, GError **err)
{
	char **parts = g_strsplit(s, ".", 2);
	guint64 sec, frac = 0;
	size_t flen = parts[1] != NULL ? strlen(parts[1]) : 0;
	gboolean ok = mv_number(parts[0], G_MAXINT64, &sec) && flen <= 6 &&
		      (parts[1] == NULL || mv_number(parts[1], 999999, &frac));
	char *out = NULL;

	for (; ok && flen < 6; flen++)
		frac *= 10;
	if (ok)
		out = g_strdup_printf("%" G_GUINT64_FORMAT
				      ".%06" G_GUINT64_FORMAT,
				      sec, frac);
	else
		mv_fail(err, p, "timestamp", s);
	g_strfreev(parts);
	return out;
}

/* Epoch seconds, or ISO 8601 "YYYY-MM-DDTHH:MM:SS[.usec][zone]". */
static char *
mv_time(const struct prim *p, const char *s, gboolean utc, GError **err)
{
	GTimeZone *tz;
	GDateTime *dt;
	char *out;

	if (strchr(s, '-') == NULL)
		return mv_epoch(p, s, err);
	tz = utc ? g_time_zone_new_utc() : g_time_zone_new_local();
	dt = g_date_time_new_from_iso8601(s, tz);
	g_time_zone_unref(tz);
	if (dt == NULL) {
		mv_fail(err, p, "timestamp", s);
		return NULL;
	}
	out = g_strdup_printf("%" G_GINT64_FORMAT ".%06d",
			      g_date_time_to_unix(dt),
			      g_date_time_get_microsecond(dt));
	g_date_time_unref(dt);
	return out;
}

char *
matchval_value(const struct prim *p, const char *s, gboolean utc, GError **err)
{
	if (strcmp(s, "*") == 0)
		return g_strdup("*");
	switch (p->kind) {
	case PRIM_K_ADDR:
	case PRIM_K_NET:
		return mv_addr(p, s, err);
	case PRIM_K_MAC:
		return mv_mac(p, s, err);
	case PRIM_K_U8:
		return mv_uint(p, s, UINT8_MAX, err);
	case PRIM_K_U16:
		return mv_uint(p, s, UINT16_MAX, err);
	case PRIM_K_U32:
		return mv_uint(p, s, UINT32_MAX, err);
	case PRIM_K_PROTO:
		return mv_proto(p, s, err);
	case PRIM_K_TIME:
		return mv_time(p, s, utc, err);
	}
	mv_fail(err, p, "value", s);
	return NULL;
}

/* One query: `nkeys` comma-separated values, joined back with tabs. */
static gboolean
mv_query(const struct prim *const *keys, size_t nkeys, const char *q,
	 gboolean utc, GPtrArray *queries, GError **err)
{
	char **v = g_strsplit(q, ",", -1);
	GString *line = g_string_new(NULL);
	gboolean ok = g_strv_length(v) == nkeys;
	size_t i;

	if (!ok)
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "query '%s': %u values for %zu primitives in -c", q,
			    g_strv_length(v), nkeys);
	for (i = 0; ok && i < nkeys; i++) {
		char *c = matchval_value(keys[i], g_strstrip(v[i]), utc, err);

		ok = c != NULL;
		if (ok)
			g_string_append_printf(line, "%s%s", i ? "\t" : "", c);
		g_free(c);
	}
	g_strfreev(v);
	if (ok)
		g_ptr_array_add(queries, g_string_free(line, FALSE));
	else
		g_string_free(line, TRUE);
	return ok;
}

static gboolean
mv_split(const struct prim *const *keys, size_t nkeys, char **qs, gboolean utc,
	 GPtrArray *queries, GError **err)
{
	size_t i;

	for (i = 0; qs[i] != NULL; i++) {
		if (*g_strstrip(qs[i]) == '\0')
			continue;
		if (queries->len >= QPROTO_MAX_QUERIES) {
			g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
				    "more than %d queries", QPROTO_MAX_QUERIES);
			return FALSE;
		}
		if (!mv_query(keys, nkeys, qs[i], utc, queries, err))
			return FALSE;
	}
	if (queries->len == 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX, "no query given");
		return FALSE;
	}
	return TRUE;
}

gboolean
matchval_parse(const struct prim *const *keys, size_t nkeys, const char *arg,
	       gboolean utc, GPtrArray *queries, GError **err)
{
	char *text = NULL;
	char **qs;
	gboolean ok;

	if (g_str_has_prefix(arg, "file:")) {
		if (!g_file_get_contents(arg + 5, &text, NULL, NULL)) {
			g_set_error(err, FT_ERROR, FT_ERROR_IO,
				    "file '%s' not found or unreadable",
				    arg + 5);
			return FALSE;
		}
		qs = g_strsplit(text, "\n", -1);
	} else {
		qs = g_strsplit(arg, ";", -1);
	}
	ok = mv_split(keys, nkeys, qs, utc, queries, err);
	g_strfreev(qs);
	g_free(text);
	return ok;
}
