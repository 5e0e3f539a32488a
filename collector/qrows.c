/* SPDX-License-Identifier: ISC */
/*
 * Query reply rows: a flat array of fixed-size copies (query number,
 * counters, packed key) appended while the table is read, then formatted
 * in batches without printf, since a DUMP of a full table writes millions
 * of fields.
 */
#include "config.h"

#include "collector/qrows.h"

#include <string.h>

#define QROWS_TEXT_LEN 64

struct qrows {
	const struct aggkey_spec *spec;
	GByteArray *data;
	size_t rec_len; /* guint query, struct aggctr, key */
	size_t n, next;
};

struct qrows *
qrows_new(const struct aggkey_spec *spec, size_t hint)
{
	struct qrows *r = g_new0(struct qrows, 1);

	r->spec = spec;
	r->rec_len = sizeof(guint) + sizeof(struct aggctr) + spec->key_len;
	r->data = g_byte_array_sized_new(
		(guint)MIN(hint * r->rec_len, G_MAXUINT / 2));
	return r;
}

void
qrows_free(struct qrows *r)
{
	if (r == NULL)
		return;
	g_byte_array_free(r->data, TRUE);
	g_free(r);
}

void
qrows_add(struct qrows *r, guint query, const uint8_t *key,
	  const struct aggctr *ctr)
{
	guint at = r->data->len;
	guint8 *p;

	g_byte_array_set_size(r->data, at + (guint)r->rec_len);
	p = r->data->data + at;
	memcpy(p, &query, sizeof(query));
	memcpy(p + sizeof(query), ctr, sizeof(*ctr));
	memcpy(p + sizeof(query) + sizeof(*ctr), key, r->spec->key_len);
	r->n++;
}

size_t
qrows_count(const struct qrows *r)
{
	return r->n;
}

/* Decimal text of `v`, after a tab. */
static void
append_u64(GString *out, uint64_t v)
{
	char buf[24];
	int i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf[--i] = '\t';
	g_string_append_len(out, buf + i, (gssize)sizeof(buf) - i);
}

static void
qrows_format_one(const struct qrows *r, const guint8 *rec, GString *out)
{
	const struct aggkey_spec *spec = r->spec;
	const uint8_t *key = rec + sizeof(guint) + sizeof(struct aggctr);
	char buf[QROWS_TEXT_LEN];
	struct aggctr ctr;
	guint query, i;

	memcpy(&query, rec, sizeof(query));
	memcpy(&ctr, rec + sizeof(query), sizeof(ctr));
	g_string_append(out, "ROW");
	append_u64(out, query);
	for (i = 0; i < spec->ncols; i++) {
		g_string_append_c(out, '\t');
		g_string_append(out, aggkey_col_text(spec, i, key, &ctr, buf,
						     sizeof(buf)));
	}
	append_u64(out, ctr.packets);
	append_u64(out, ctr.flows);
	append_u64(out, ctr.bytes);
	g_string_append_c(out, '\n');
}

gboolean
qrows_format(struct qrows *r, GString *out, size_t max)
{
	size_t end = MIN(r->n, r->next + max);

	for (; r->next < end; r->next++)
		qrows_format_one(r, r->data->data + r->next * r->rec_len, out);
	return r->next < r->n;
}
