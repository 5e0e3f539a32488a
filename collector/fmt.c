/* SPDX-License-Identifier: ISC */
/*
 * The formatted, CSV and JSON writers behind both `flowtally` and the
 * print plugin. A layout orders its columns once (client or print order,
 * from the primitive table) and then turns each row of canonical text
 * values (qproto.h) into text: protocol numbers become names, "sec.usec"
 * timestamps become dates, and formatted columns are padded to pmacct's
 * widths (reference 4.3).
 */
#include "fmt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"

struct fmt_col {
	const struct prim *prim;       /* NULL for an extra column */
	const struct fmt_extra *extra; /* NULL for a primitive */
	size_t src;                    /* index into the row's values */
};

struct fmt {
	struct fmt_opts opts;
	struct fmt_extra *extras;
	struct fmt_col *cols;
	size_t ncols;
	size_t time_width; /* of a time column; 0: the primitive's */
};

/* The zero value printed for a primitive the table does not aggregate. */
static const char *
fmt_zero_value(const struct prim *p)
{
	switch (p->kind) {
	case PRIM_K_MAC:
		return "00:00:00:00:00:00";
	case PRIM_K_TIME:
		return "0.0";
	default:
		return "0";
	}
}

static unsigned
fmt_col_rank(const struct fmt *f, const struct fmt_col *c)
{
	if (c->prim == NULL)
		return 1000 + (unsigned)c->src;
	if (f->opts.order == FMT_ORDER_PRINT)
		return c->prim->print_order;
	return (unsigned)c->prim->id;
}

/* Insertion sort: a few dozen columns at most, done once per layout. */
static void
fmt_sort_cols(struct fmt *f)
{
	size_t i, j;

	for (i = 1; i < f->ncols; i++) {
		struct fmt_col c = f->cols[i];

		for (j = i; j > 0 && fmt_col_rank(f, &f->cols[j - 1]) >
					     fmt_col_rank(f, &c);
		     j--)
			f->cols[j] = f->cols[j - 1];
		f->cols[j] = c;
	}
}

static gboolean
fmt_check_unique(const struct fmt *f, GError **err)
{
	size_t i;

	for (i = 1; i < f->ncols; i++) {
		const struct prim *a = f->cols[i - 1].prim;
		const struct prim *b = f->cols[i].prim;

		if (a != NULL && b != NULL && a->id == b->id) {
			g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
				    "%s and %s share the column %s", a->name,
				    b->name, a->header);
			return FALSE;
		}
	}
	return TRUE;
}

/* A local RFC 3339 time ends in +hh:mm, past pmacct's width of 31,
 * wherever the zone is not UTC all year round. */
static size_t
fmt_time_width(const struct fmt_opts *o)
{
	if (o->output != FMT_FORMATTED || o->time != FMT_TIME_RFC3339 || o->utc)
		return 0;
	tzset();
	return timezone != 0 || daylight != 0 ? 33 : 0;
}

struct fmt *
fmt_new(const struct fmt_opts *opts, const struct prim *const *prims,
	size_t nprims, const struct fmt_extra *extra, size_t nextra,
	GError **err)
{
	struct fmt *f = g_new0(struct fmt, 1);
	size_t i;

	f->opts = *opts;
	if (f->opts.sep == 0)
		f->opts.sep = ',';
	f->ncols = nprims + nextra;
	f->cols = g_new0(struct fmt_col, f->ncols + 1);
	f->extras = g_new0(struct fmt_extra, nextra + 1);
	for (i = 0; i < nprims; i++) {
		f->cols[i].prim = prims[i];
		f->cols[i].src = i;
	}
	for (i = 0; i < nextra; i++) {
		f->extras[i] = extra[i];
		f->cols[nprims + i].extra = &f->extras[i];
		f->cols[nprims + i].src = nprims + i;
	}
	fmt_sort_cols(f);
	f->time_width = fmt_time_width(&f->opts);
	if (!fmt_check_unique(f, err)) {
		fmt_free(f);
		return NULL;
	}
	return f;
}

void
fmt_free(struct fmt *f)
{
	if (f == NULL)
		return;
	g_free(f->cols);
	g_free(f->extras);
	g_free(f);
}

/*
 * IANA keywords of the protocols a flow table commonly holds; any other
 * protocol prints as its number. The table is ours rather than
 * /etc/protocols: getprotobynumber() is not thread-safe (the store
 * writers format from their own threads) and a chroot may lack the file.
 */
static const char *const fmt_proto_names[] = {
	[0] = "ip",         [1] = "icmp",        [2] = "igmp",
	[4] = "ipencap",    [6] = "tcp",         [17] = "udp",
	[41] = "ipv6",      [43] = "ipv6-route", [44] = "ipv6-frag",
	[47] = "gre",       [50] = "esp",        [51] = "ah",
	[58] = "ipv6-icmp", [59] = "ipv6-nonxt", [60] = "ipv6-opts",
	[89] = "ospf",      [103] = "pim",       [112] = "vrrp",
	[132] = "sctp",     [136] = "udplite",
};

const char *
fmt_proto_name(unsigned proto)
{
	if (proto < G_N_ELEMENTS(fmt_proto_names))
		return fmt_proto_names[proto];
	return NULL;
}

int
fmt_proto_number(const char *name)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(fmt_proto_names); i++)
		if (fmt_proto_names[i] != NULL &&
		    g_ascii_strcasecmp(fmt_proto_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Append the protocol as a name unless numeric output is asked for. */
static void
fmt_proto(const struct fmt *f, const char *v, GString *out)
{
	const char *name = NULL;
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!f->opts.numeric_proto && *v != '\0' && *end == '\0' && n <= 255)
		name = fmt_proto_name((unsigned)n);
	g_string_append(out, name != NULL ? name : v);
}

/* Split "sec.usec": the fraction is read as decimal digits of a second. */
static void
fmt_parse_time(const char *v, int64_t *sec, int32_t *usec)
{
	char *end;
	int32_t scale = 100000;

	*sec = strtoll(v, &end, 10);
	*usec = 0;
	if (*end != '.')
		return;
	for (end++; *end >= '0' && *end <= '9' && scale > 0; end++) {
		*usec += (*end - '0') * scale;
		scale /= 10;
	}
}

/* "Z" in UTC, else the offset as +hh:mm (RFC 3339 section 5.6). */
static void
fmt_zone(const struct tm *tm, gboolean utc, GString *out)
{
	long off = utc ? 0 : tm->tm_gmtoff;
	long a = off < 0 ? -off : off;

	if (off == 0) {
		g_string_append_c(out, 'Z');
		return;
	}
	g_string_append_printf(out, "%c%02ld:%02ld", off < 0 ? '-' : '+',
			       a / 3600, a / 60 % 60);
}

void
fmt_time(const struct fmt_opts *opts, int64_t sec, int32_t usec, GString *out)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char buf[64];

	if (opts->time_secs && usec > 0)
		usec = 0;
	if (opts->time == FMT_TIME_EPOCH) {
		g_string_append_printf(out, "%" PRId64, sec);
		if (usec >= 0)
			g_string_append_printf(out, ".%06" PRId32, usec);
		return;
	}
	if (opts->time == FMT_TIME_PLAIN && sec == 0) {
		g_string_append(out, "0000-00-00 00:00:00");
		if (usec >= 0)
			g_string_append(out, ".000000");
		return;
	}
	if (opts->utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(buf, sizeof(buf),
		 opts->time == FMT_TIME_PLAIN ? "%Y-%m-%d %H:%M:%S"
					      : "%Y-%m-%dT%H:%M:%S",
		 &tm);
	g_string_append(out, buf);
	if (usec >= 0)
		g_string_append_printf(out, ".%06" PRId32, usec);
	if (opts->time == FMT_TIME_RFC3339)
		fmt_zone(&tm, opts->utc, out);
}

/* Append a column's value as users read it (no padding, no quoting). */
static void
fmt_value(const struct fmt *f, const struct fmt_col *c, const char *v,
	  GString *out)
{
	int64_t sec;
	int32_t usec;

	if (c->prim == NULL) {
		g_string_append(out, v != NULL ? v : "");
		return;
	}
	if (v == NULL)
		v = fmt_zero_value(c->prim);
	switch (c->prim->kind) {
	case PRIM_K_PROTO:
		fmt_proto(f, v, out);
		break;
	case PRIM_K_TIME:
		fmt_parse_time(v, &sec, &usec);
		fmt_time(&f->opts, sec, usec, out);
		break;
	default:
		g_string_append(out, v);
		break;
	}
}

static void
fmt_pad(GString *out, size_t from, size_t width)
{
	size_t used = out->len - from;

	if (used >= width) {
		g_string_append_c(out, ' ');
		return;
	}
	while (used++ < width)
		g_string_append_c(out, ' ');
}

static size_t
fmt_col_width(const struct fmt *f, const struct fmt_col *c)
{
	if (c->prim == NULL)
		return c->extra->width;
	if (c->prim->kind == PRIM_K_TIME)
		return MAX(c->prim->width, f->time_width);
	return c->prim->width;
}

static const char *
fmt_col_header(const struct fmt_col *c)
{
	return c->prim != NULL ? c->prim->header : c->extra->header;
}

static const char *
fmt_col_json(const struct fmt_col *c)
{
	return c->prim != NULL ? c->prim->json : c->extra->json;
}

/* Separator after a formatted or CSV cell that is not the last one. */
static void
fmt_cell_end(const struct fmt *f, GString *out, size_t from, size_t width)
{
	if (f->opts.output == FMT_FORMATTED)
		fmt_pad(out, from, width);
	else
		g_string_append_c(out, f->opts.sep);
}

void
fmt_header(const struct fmt *f, GString *out)
{
	size_t i, from;

	if (f->opts.output == FMT_JSON)
		return;
	for (i = 0; i < f->ncols; i++) {
		from = out->len;
		g_string_append(out, fmt_col_header(&f->cols[i]));
		fmt_cell_end(f, out, from, fmt_col_width(f, &f->cols[i]));
	}
	from = out->len;
	g_string_append(out, "PACKETS");
	fmt_cell_end(f, out, from, PRIM_COUNTER_WIDTH);
	if (f->opts.flows) {
		from = out->len;
		g_string_append(out, "FLOWS");
		fmt_cell_end(f, out, from, PRIM_COUNTER_WIDTH);
	}
	g_string_append(out, "BYTES\n");
}

static void
fmt_row_text(const struct fmt *f, GString *out, const char *const *values,
	     const struct fmt_counters *c)
{
	size_t i, from;

	for (i = 0; i < f->ncols; i++) {
		from = out->len;
		fmt_value(f, &f->cols[i], values[f->cols[i].src], out);
		fmt_cell_end(f, out, from, fmt_col_width(f, &f->cols[i]));
	}
	from = out->len;
	g_string_append_printf(out, "%" PRIu64, c->packets);
	fmt_cell_end(f, out, from, PRIM_COUNTER_WIDTH);
	if (f->opts.flows) {
		from = out->len;
		g_string_append_printf(out, "%" PRIu64, c->flows);
		fmt_cell_end(f, out, from, PRIM_COUNTER_WIDTH);
	}
	g_string_append_printf(out, "%" PRIu64 "\n", c->bytes);
}

/* Append `s` as a JSON string (RFC 8259 section 7). */
static void
fmt_json_string(GString *out, const char *s)
{
	const unsigned char *p;

	g_string_append_c(out, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(out, "\\u%04x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	g_string_append_c(out, '"');
}

static gboolean
fmt_is_number(const char *s)
{
	if (*s == '\0')
		return FALSE;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return FALSE;
	return TRUE;
}

static void
fmt_json_key(GString *out, const char *key)
{
	if (out->str[out->len - 1] != '{')
		g_string_append(out, ", ");
	fmt_json_string(out, key);
	g_string_append(out, ": ");
}

static void
fmt_json_col(const struct fmt *f, const struct fmt_col *c, const char *v,
	     GString *scratch, GString *out)
{
	g_string_truncate(scratch, 0);
	fmt_value(f, c, v, scratch);
	fmt_json_key(out, fmt_col_json(c));
	if (c->prim != NULL && c->prim->json_type == PRIM_J_NUMBER &&
	    fmt_is_number(scratch->str))
		g_string_append(out, scratch->str);
	else
		fmt_json_string(out, scratch->str);
}

static void
fmt_json_counter(GString *out, const char *key, uint64_t v)
{
	fmt_json_key(out, key);
	g_string_append_printf(out, "%" PRIu64, v);
}

static void
fmt_row_json(const struct fmt *f, GString *out, const char *const *values,
	     const struct fmt_counters *c)
{
	GString *scratch = g_string_sized_new(64);
	gboolean print = f->opts.order == FMT_ORDER_PRINT;
	size_t i;

	g_string_append_c(out, '{');
	if (f->opts.json_event_type != NULL) {
		fmt_json_key(out, "event_type");
		fmt_json_string(out, f->opts.json_event_type);
	}
	for (i = 0; i < f->ncols; i++)
		fmt_json_col(f, &f->cols[i], values[f->cols[i].src], scratch,
			     out);

	/* Counters: the print plugin puts flows first (reference 6). */
	if (f->opts.flows && print)
		fmt_json_counter(out, "flows", c->flows);
	fmt_json_counter(out, "packets", c->packets);
	if (f->opts.flows && !print)
		fmt_json_counter(out, "flows", c->flows);
	fmt_json_counter(out, "bytes", c->bytes);
	g_string_append(out, "}\n");
	g_string_free(scratch, TRUE);
}

void
fmt_row(const struct fmt *f, GString *out, const char *const *values,
	const struct fmt_counters *c)
{
	if (f->opts.output == FMT_JSON)
		fmt_row_json(f, out, values, c);
	else
		fmt_row_text(f, out, values, c);
}

void
fmt_footer(const struct fmt *f, GString *out, size_t entries)
{
	if (f->opts.output != FMT_FORMATTED)
		return;
	g_string_append_printf(out, "\nFor a total of: %zu entries\n", entries);
}
