/* SPDX-License-Identifier: ISC */
/*
 * Version dispatch. The first 16 bits of NetFlow v5, v9 and IPFIX
 * messages are the version number, so one table row per version names
 * its decoder; a version without a decoder yet is counted as
 * unsupported, any other as bad.
 */
#include "config.h"

#include "collector/dispatch.h"

#include <stdio.h>
#include <string.h>

#include "common/cursor.h"
#include "common/error.h"
#include "collector/ipfix.h"

struct dispatch {
	struct exporter_table *exporters;
	struct ipfix_decoder *ipfix;
	GArray *allow; /* of struct allow_prefix; NULL = allow all */
	dispatch_notice_fn notice;
	void *notice_data;
};

struct allow_prefix {
	struct ft_addr addr;
	uint8_t plen;
};

typedef void (*decode_fn)(struct dispatch *d, struct exporter *exp,
			  uint8_t *buf, size_t len, uint64_t now_ms);

static void
decode_ipfix(struct dispatch *d, struct exporter *exp, uint8_t *buf, size_t len,
	     uint64_t now_ms)
{
	ipfix_decode(d->ipfix, exp, buf, len, now_ms);
}

static const struct {
	uint16_t version;
	decode_fn decode; /* NULL: known, not decoded yet */
} protos[] = {
	{ .version = 5, .decode = NULL },
	{ .version = 9, .decode = NULL },
	{ .version = IPFIX_VERSION, .decode = decode_ipfix },
};

struct dispatch *
dispatch_new(const struct flow_sink *sink, const struct recv_opts *opts,
	     GError **err)
{
	struct dispatch *d = g_new0(struct dispatch, 1);

	d->exporters = exporter_table_new();
	d->ipfix = ipfix_decoder_new(d->exporters, sink, opts, err);
	if (d->ipfix == NULL) {
		dispatch_free(d);
		return NULL;
	}
	return d;
}

void
dispatch_free(struct dispatch *d)
{
	if (d == NULL)
		return;
	exporter_table_free(d->exporters);
	ipfix_decoder_free(d->ipfix);
	if (d->allow != NULL)
		g_array_free(d->allow, TRUE);
	g_free(d);
}

static gboolean
parse_allow_line(GArray *allow, char *line, const char *path, int lineno,
		 GError **err)
{
	struct allow_prefix p;
	GError *perr = NULL;
	char *hash = strchr(line, '#');

	if (hash != NULL)
		*hash = '\0';
	g_strstrip(line);
	if (*line == '\0')
		return TRUE;
	if (!ft_prefix_parse(line, &p.addr, &p.plen, &perr)) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX, "%s:%d: %s", path,
			    lineno, perr->message);
		g_error_free(perr);
		return FALSE;
	}
	g_array_append_val(allow, p);
	return TRUE;
}

gboolean
dispatch_load_allow(struct dispatch *d, const char *path, GError **err)
{
	gchar *text = NULL;
	gchar **lines;
	GArray *allow;
	gboolean ok = TRUE;

	if (!g_file_get_contents(path, &text, NULL, NULL)) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO,
			    "%s: cannot read the allow-list", path);
		return FALSE;
	}
	allow = g_array_new(FALSE, FALSE, sizeof(struct allow_prefix));
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; ok && lines[i] != NULL; i++)
		ok = parse_allow_line(allow, lines[i], path, i + 1, err);
	g_strfreev(lines);
	g_free(text);
	if (!ok) {
		g_array_free(allow, TRUE);
		return FALSE;
	}
	if (d->allow != NULL)
		g_array_free(d->allow, TRUE);
	d->allow = allow;
	return TRUE;
}

static gboolean
allowed(const struct dispatch *d, const struct ft_addr *from)
{
	if (d->allow == NULL)
		return TRUE;
	for (guint i = 0; i < d->allow->len; i++) {
		const struct allow_prefix *p =
			&g_array_index(d->allow, struct allow_prefix, i);

		if (ft_prefix_contains(&p->addr, p->plen, from))
			return TRUE;
	}
	return FALSE;
}

/* Counted every time; told once per exporter and version. */
static void
drop_unsupported(struct dispatch *d, struct exporter *exp, size_t row)
{
	uint32_t bit = (uint32_t)1 << row;

	exporter_drop(d->exporters, exp, EXPORTER_DROP_UNSUPPORTED);
	if (exp->versions_noted & bit)
		return;
	exp->versions_noted |= bit;
	if (d->notice != NULL)
		d->notice(d->notice_data, exp, protos[row].version);
}

void
dispatch_message(struct dispatch *d, const struct ft_addr *from, uint8_t *buf,
		 size_t len, uint64_t now_ms)
{
	struct exporter *exp;
	struct cursor c;
	uint16_t version;

	if (!allowed(d, from)) {
		exporter_drop(d->exporters, NULL, EXPORTER_DROP_NOT_ALLOWED);
		return;
	}
	exp = exporter_get(d->exporters, from);
	if (exp == NULL)
		return;
	exp->datagrams++;
	cur_init(&c, buf, len);
	if (cur_u16(&c, &version) == -1) {
		exporter_drop(d->exporters, exp, EXPORTER_DROP_SHORT);
		return;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(protos); i++) {
		if (protos[i].version != version)
			continue;
		if (protos[i].decode == NULL)
			drop_unsupported(d, exp, i);
		else
			protos[i].decode(d, exp, buf, len, now_ms);
		return;
	}
	exporter_drop(d->exporters, exp, EXPORTER_DROP_BAD_VERSION);
}

void
dispatch_count(struct dispatch *d, enum exporter_drop reason)
{
	exporter_drop(d->exporters, NULL, reason);
}

struct exporter_table *
dispatch_exporters(struct dispatch *d)
{
	return d->exporters;
}

void
dispatch_set_notice(struct dispatch *d, dispatch_notice_fn fn, void *data)
{
	d->notice = fn;
	d->notice_data = data;
}
