/* SPDX-License-Identifier: ISC */
/*
 * Aggregation keys: the spec built from a plugin's `aggregate` list, key
 * packing from the flow record (fixed lengths, big-endian integers, no
 * allocation), the key hash, and the canonical text of each value with
 * its parser, which the query server uses for DUMP rows and MATCH values.
 */
#include "config.h"

#include "collector/aggkey.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "collector/nets.h"
#include "common/error.h"

static void
spec_add_col(struct aggkey_spec *spec, const struct prim *p)
{
	guint i;

	for (i = 0; i < spec->ncols; i++)
		if (spec->cols[i] == p)
			return;
	spec->cols[spec->ncols++] = p;
}

/* Order columns by prim_id (insertion sort: at most PRIM_COUNT). */
static void
spec_sort(struct aggkey_spec *spec)
{
	guint i, j;

	for (i = 1; i < spec->ncols; i++) {
		const struct prim *p = spec->cols[i];

		for (j = i; j > 0 && spec->cols[j - 1]->id > p->id; j--)
			spec->cols[j] = spec->cols[j - 1];
		spec->cols[j] = p;
	}
}

static void
spec_layout(struct aggkey_spec *spec)
{
	guint i;

	spec->key_len = 0;
	for (i = 0; i < spec->ncols; i++) {
		const struct prim *p = spec->cols[i];

		if (p->id == PRIM_SRC_NET || p->id == PRIM_DST_NET ||
		    p->id == PRIM_SRC_MASK || p->id == PRIM_DST_MASK)
			spec->need_nets = TRUE;
		if (p->id == PRIM_TCPFLAGS) {
			spec->tcpflags = TRUE;
			spec->offset[i] = AGGKEY_NO_OFFSET;
			continue;
		}
		spec->offset[i] = (uint8_t)spec->key_len;
		spec->key_len += p->key_len;
	}
}

static gboolean
spec_parse_one(struct aggkey_spec *spec, const char *name, guint *nsum,
	       GError **err)
{
	const struct prim *p;

	if (strcmp(name, "none") == 0)
		return TRUE;
	if (strcmp(name, "flows") == 0) {
		spec->flows = TRUE;
		return TRUE;
	}
	p = prim_find(name);
	if (p == NULL && prim_nearest(name) != NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "unknown primitive '%s' in aggregate; did you mean "
			    "'%s'?",
			    name, prim_nearest(name));
		return FALSE;
	}
	if (p == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "unknown primitive '%s' in aggregate", name);
		return FALSE;
	}
	if (p->field_dst != 0)
		(*nsum)++;
	spec_add_col(spec, p);
	return TRUE;
}

static const char *
spec_sum_name(const struct aggkey_spec *spec)
{
	guint i;

	for (i = 0; i < spec->ncols; i++)
		if (spec->cols[i]->field_dst != 0)
			return spec->cols[i]->name;
	return "sum_*";
}

struct aggkey_spec *
aggkey_spec_new(const char *const *names, GError **err)
{
	struct aggkey_spec *spec = g_new0(struct aggkey_spec, 1);
	guint nsum = 0;

	spec->net_mask = -1;
	for (; names != NULL && *names != NULL; names++)
		if (!spec_parse_one(spec, *names, &nsum, err))
			goto fail;
	if (nsum > 0 && spec->ncols > 1) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "%s must be used alone in aggregate (flows aside)",
			    spec_sum_name(spec));
		goto fail;
	}
	spec->sum = nsum > 0;
	spec_sort(spec);
	spec_layout(spec);
	if (spec->sum && spec->cols[0]->kind == PRIM_K_NET)
		spec->need_nets = TRUE;
	return spec;
fail:
	g_free(spec);
	return NULL;
}

void
aggkey_spec_set_nets(struct aggkey_spec *spec, const struct nets *nets,
		     int mask)
{
	spec->nets = nets;
	spec->net_mask = mask;
}

/*
 * The prefix of `a` for *_net and its length for *_mask: networks_file
 * first, then networks_mask, else the record's own mask.
 */
static void
pack_net(const struct aggkey_spec *spec, const struct ft_addr *a,
	 uint8_t rec_mask, struct ft_addr *net, uint8_t *mask)
{
	uint8_t max = a->family == 6 ? 128 : 32;
	uint8_t plen = rec_mask;

	*net = *a;
	if (spec->nets != NULL) {
		if (!nets_lookup(spec->nets, a, &plen))
			plen = spec->net_mask >= 0 ? (uint8_t)spec->net_mask
						   : 0;
	} else if (spec->net_mask >= 0) {
		plen = (uint8_t)spec->net_mask;
	}
	if (plen > max)
		plen = max;
	ft_addr_mask(net, plen);
	*mask = plen;
}

static void
put_be(uint8_t *out, uint64_t v, unsigned len)
{
	while (len-- > 0) {
		out[len] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be(const uint8_t *in, unsigned len)
{
	uint64_t v = 0;

	while (len-- > 0)
		v = v << 8 | *in++;
	return v;
}

static uint64_t
field_uint(const uint8_t *f, enum prim_kind kind)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (kind) {
	case PRIM_K_U16:
		memcpy(&v16, f, 2);
		return v16;
	case PRIM_K_U32:
		memcpy(&v32, f, 4);
		return v32;
	case PRIM_K_TIME:
		memcpy(&v64, f, 8);
		return v64;
	default:
		return *f;
	}
}

struct pack_nets {
	struct ft_addr net[2];
	uint8_t mask[2];
};

static void
pack_one(const struct aggkey_spec *spec, const struct prim *p,
	 const struct flowrec *rec, enum aggkey_side side,
	 const struct pack_nets *pn, uint8_t *out)
{
	const uint8_t *base = (const uint8_t *)rec;
	size_t field =
		spec->sum && side == AGGKEY_DST ? p->field_dst : p->field;
	int idx = spec->sum ? (int)side
			    : (p->id == PRIM_DST_NET || p->id == PRIM_DST_MASK);

	switch (p->kind) {
	case PRIM_K_ADDR:
	case PRIM_K_MAC:
		memcpy(out, base + field, p->key_len);
		break;
	case PRIM_K_NET:
		memcpy(out, &pn->net[idx], p->key_len);
		break;
	default:
		if (p->id == PRIM_SRC_MASK || p->id == PRIM_DST_MASK)
			*out = pn->mask[idx];
		else
			put_be(out, field_uint(base + field, p->kind),
			       p->key_len);
		break;
	}
}

void
aggkey_pack(const struct aggkey_spec *spec, const struct flowrec *rec,
	    enum aggkey_side side, uint8_t *key)
{
	struct pack_nets pn;
	guint i;

	if (spec->need_nets) {
		pack_net(spec, &rec->src, rec->src_mask, &pn.net[0],
			 &pn.mask[0]);
		pack_net(spec, &rec->dst, rec->dst_mask, &pn.net[1],
			 &pn.mask[1]);
	}
	for (i = 0; i < spec->ncols; i++)
		if (spec->offset[i] != AGGKEY_NO_OFFSET)
			pack_one(spec, spec->cols[i], rec, side, &pn,
				 key + spec->offset[i]);
}

void
aggkey_counters(const struct aggkey_spec *spec, const struct flowrec *rec,
		struct aggctr *ctr)
{
	ctr->packets = rec->packets;
	ctr->bytes = rec->octets;
	ctr->flows = rec->flows != 0 ? rec->flows : 1;
	ctr->tcp_flags = spec->tcpflags ? rec->tcp_flags : 0;
}

/* A 64-bit multiply-xorshift finaliser, as in SplitMix64. */
static uint64_t
hash_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t
aggkey_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
	uint64_t w;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = hash_mix(h ^ w);
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, p, len);
		h = hash_mix(h ^ w ^ (uint64_t)len << 56);
	}
	return h;
}

const char *
aggkey_value_text(const struct prim *p, const uint8_t *val, char *buf,
		  size_t len)
{
	struct ft_addr a;
	uint64_t v;

	switch (p->kind) {
	case PRIM_K_ADDR:
	case PRIM_K_NET:
		memcpy(&a, val, sizeof(a));
		return ft_addr_ntop(&a, buf, len);
	case PRIM_K_MAC:
		g_snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", val[0],
			   val[1], val[2], val[3], val[4], val[5]);
		return buf;
	case PRIM_K_TIME:
		v = get_be(val, 8);
		g_snprintf(buf, len, "%" G_GUINT64_FORMAT ".%06u", v / 1000,
			   (unsigned)(v % 1000) * 1000);
		return buf;
	default:
		g_snprintf(buf, len, "%" G_GUINT64_FORMAT,
			   get_be(val, p->key_len));
		return buf;
	}
}

const char *
aggkey_col_text(const struct aggkey_spec *spec, guint col, const uint8_t *key,
		const struct aggctr *ctr, char *buf, size_t len)
{
	if (spec->offset[col] == AGGKEY_NO_OFFSET) {
		g_snprintf(buf, len, "%u", ctr->tcp_flags);
		return buf;
	}
	return aggkey_value_text(spec->cols[col], key + spec->offset[col], buf,
				 len);
}

static gboolean
parse_mac(const char *text, uint8_t *val, GError **err)
{
	unsigned b[6];
	char tail;
	int i;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &tail) != 6) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "'%s' is not a MAC address", text);
		return FALSE;
	}
	for (i = 0; i < 6; i++)
		val[i] = (uint8_t)b[i];
	return TRUE;
}

/* "sec", "sec.usec" or "YYYY-MM-DDTHH:MM:SS[.usec]" (UTC) to ms. */
static gboolean
parse_time(const char *text, uint64_t *ms, GError **err)
{
	unsigned long long sec;
	unsigned usec = 0;
	GDateTime *dt;
	GTimeZone *utc;
	char tail;
	int n;

	n = sscanf(text, "%llu.%6u%c", &sec, &usec, &tail);
	if ((n == 1 || n == 2) && strchr(text, '-') == NULL) {
		*ms = (uint64_t)sec * 1000 + usec / 1000;
		return TRUE;
	}
	utc = g_time_zone_new_utc();
	dt = g_date_time_new_from_iso8601(text, utc);
	g_time_zone_unref(utc);
	if (dt == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "'%s' is not a timestamp", text);
		return FALSE;
	}
	*ms = (uint64_t)g_date_time_to_unix(dt) * 1000 +
	      (uint64_t)g_date_time_get_microsecond(dt) / 1000;
	g_date_time_unref(dt);
	return TRUE;
}

static gboolean
parse_uint(const struct prim *p, const char *text, uint64_t *v, GError **err)
{
	uint64_t max =
		p->key_len >= 8 ? G_MAXUINT64 : (1ULL << (8 * p->key_len)) - 1;
	struct protoent *pe;

	if (g_ascii_string_to_unsigned(text, 10, 0, max, v, NULL))
		return TRUE;
	if (p->kind == PRIM_K_PROTO && (pe = getprotobyname(text)) != NULL) {
		*v = (uint64_t)pe->p_proto;
		return TRUE;
	}
	g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
		    "'%s' is not a valid %s value", text, p->name);
	return FALSE;
}

gboolean
aggkey_value_parse(const struct prim *p, const char *text, uint8_t *val,
		   GError **err)
{
	struct ft_addr a;
	uint64_t v;

	switch (p->kind) {
	case PRIM_K_ADDR:
	case PRIM_K_NET:
		if (!ft_addr_parse(text, &a, err))
			return FALSE;
		memcpy(val, &a, sizeof(a));
		return TRUE;
	case PRIM_K_MAC:
		return parse_mac(text, val, err);
	case PRIM_K_TIME:
		if (!parse_time(text, &v, err))
			return FALSE;
		put_be(val, v, 8);
		return TRUE;
	default:
		if (!parse_uint(p, text, &v, err))
			return FALSE;
		put_be(val, v, p->key_len);
		return TRUE;
	}
}

static int
spec_find_prim(const struct aggkey_spec *spec, const struct prim *p)
{
	guint i;

	for (i = 0; i < spec->ncols; i++)
		if (spec->cols[i] == p)
			return (int)i;
	return -1;
}

static gboolean
query_set(const struct aggkey_spec *spec, const struct prim *p,
	  const char *text, struct aggkey_query *q, GError **err)
{
	int col;
	uint8_t off;

	if (p->id == PRIM_TCPFLAGS) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "tcpflags is not a key: it cannot be matched");
		return FALSE;
	}
	col = spec_find_prim(spec, p);
	if (col < 0) {
		/* Validate the value anyway, then never match. */
		uint8_t tmp[AGGKEY_MAX_LEN];

		q->never = TRUE;
		return aggkey_value_parse(p, text, tmp, err);
	}
	off = spec->offset[col];
	if (!aggkey_value_parse(p, text, q->value + off, err))
		return FALSE;
	memset(q->mask + off, 0xff, p->key_len);
	return TRUE;
}

gboolean
aggkey_query_build(const struct aggkey_spec *spec,
		   const struct prim *const *prims, const char *const *texts,
		   guint n, struct aggkey_query *q, GError **err)
{
	size_t i;

	memset(q, 0, sizeof(*q));
	for (i = 0; i < n; i++) {
		if (strcmp(texts[i], "*") == 0)
			continue;
		if (!query_set(spec, prims[i], texts[i], q, err))
			return FALSE;
	}
	q->exact = TRUE;
	for (i = 0; i < spec->key_len; i++)
		if (q->mask[i] != 0xff)
			q->exact = FALSE;
	/* Masked value bytes only: a net value is compared as given. */
	for (i = 0; i < spec->key_len; i++)
		q->value[i] &= q->mask[i];
	return TRUE;
}

gboolean
aggkey_query_match(const struct aggkey_spec *spec, const struct aggkey_query *q,
		   const uint8_t *key)
{
	size_t i;

	if (q->never)
		return FALSE;
	for (i = 0; i < spec->key_len; i++)
		if ((key[i] & q->mask[i]) != q->value[i])
			return FALSE;
	return TRUE;
}
