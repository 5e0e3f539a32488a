/* SPDX-License-Identifier: ISC */
/*
 * The print plugin: every refresh, the interval's entries go to files
 * (CSV, pmacct's formatted columns, or JSON lines) named from their
 * history bin, or to stdout. Each file is written in full under a
 * temporary name and renamed into place; all the files of one write are
 * made ready before any is renamed, so a failed write changes nothing and
 * is retried whole at the next refresh.
 *
 * pmacct overwrites a file each refresh, so a bin longer than the refresh
 * kept only its last interval (reference section 9, T10). Here a file
 * whose name varies with the bin gathers every write of its bin: each one
 * extends it, and the sum over the files is the sum over the records.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collector/binstore.h"
#include "collector/fmt.h"
#include "collector/outfile.h"
#include "collector/plugin.h"
#include "common/error.h"
#include "common/log.h"

#define PRINT_STAMP_WIDTH 21
#define PRINT_MAX_EXTRA   4

struct plug_print {
	const struct plugin_ctx *ctx;
	gchar *label;
	struct bins bins;
	struct fmt_opts opts;
	struct fmt *fmt;
	enum fmt_output output;
	gchar *file;   /* pattern, or NULL for stdout */
	gchar *latest; /* symlink to the newest file, or NULL */
	gboolean append;
	gboolean markers;
	gboolean json_stamps; /* pmacct's stamp_inserted/_updated */
	gboolean bin_cols;    /* print_time_columns */
	int64_t last_write;   /* writer thread: the last write's time */
	size_t nextra;
};

/* The text of one output file while a write is being assembled. */
struct pr_file {
	gchar *path;
	GString *text;
	gboolean fresh; /* the file does not exist yet: header first */
	size_t entries;
};

struct pr_write {
	struct plug_print *p;
	int64_t now;
	GHashTable *files; /* path -> struct pr_file */
	struct pr_file *cur;
	int64_t cur_bin;
	guint64 rows;
	GError *err;
};

static gboolean
pr_keep_old(const struct plug_print *p)
{
	return p->append ||
	       (bins_enabled(&p->bins) && outfile_has_time(p->file));
}

static void
pr_marker_start(const struct plug_print *p, GString *out)
{
	if (p->output == FMT_JSON)
		g_string_append_printf(out,
				       "{\"event_type\": \"purge_init\", "
				       "\"writer_id\": \"%s/%ld\"}\n",
				       p->ctx->name, (long)getpid());
	else if (p->output == FMT_CSV)
		g_string_append_printf(out, "--START (%ld)--\n",
				       (long)getpid());
}

static void
pr_marker_end(const struct plug_print *p, GString *out, size_t n)
{
	if (p->output == FMT_JSON)
		g_string_append_printf(
			out,
			"{\"event_type\": \"purge_close\", \"writer_id\": "
			"\"%s/%ld\", \"purged_entries\": %zu, "
			"\"total_entries\": %zu, \"duration\": 0}\n",
			p->ctx->name, (long)getpid(), n, n);
	else if (p->output == FMT_CSV)
		g_string_append_printf(out, "--END (%ld)--\n", (long)getpid());
}

static void
pr_file_free(gpointer data)
{
	struct pr_file *f = data;

	g_free(f->path);
	g_string_free(f->text, TRUE);
	g_free(f);
}

/* The file of `bin` in this write, begun on first use. */
static struct pr_file *
pr_file_for(struct pr_write *w, int64_t bin)
{
	struct plug_print *p = w->p;
	struct pr_file *f;
	gchar *path = NULL;

	if (p->file != NULL) {
		path = outfile_name(p->file,
				    bins_enabled(&p->bins) ? bin : w->now,
				    &w->err);
		if (path == NULL)
			return NULL;
	}
	f = g_hash_table_lookup(w->files, path != NULL ? path : "");
	if (f != NULL) {
		g_free(path);
		return f;
	}
	f = g_new0(struct pr_file, 1);
	f->path = path;
	f->text = g_string_new(NULL);
	f->fresh = path == NULL || !pr_keep_old(p) ||
		   !g_file_test(path, G_FILE_TEST_EXISTS);
	if (p->markers)
		pr_marker_start(p, f->text);
	if (f->fresh)
		fmt_header(p->fmt, f->text);
	g_hash_table_insert(w->files, path != NULL ? path : (gchar *)"", f);
	return f;
}

/* The extra columns' values: stamps, then bin start and end. */
static void
pr_extras(struct pr_write *w, int64_t bin, GString **ev, const char **vals)
{
	struct plug_print *p = w->p;
	size_t i, n = 0;

	if (p->json_stamps) {
		fmt_time(&p->opts, bin, -1, ev[n]);
		fmt_time(&p->opts, w->now, -1, ev[n + 1]);
		n += 2;
	}
	/* Without history the interval since the last write is the bin. */
	if (p->bin_cols && bins_enabled(&p->bins)) {
		fmt_time(&p->opts, bin, -1, ev[n]);
		fmt_time(&p->opts, bins_end(&p->bins, bin), -1, ev[n + 1]);
	} else if (p->bin_cols) {
		fmt_time(&p->opts, p->last_write, -1, ev[n]);
		fmt_time(&p->opts, w->now, -1, ev[n + 1]);
	}
	for (i = 0; i < p->nextra; i++)
		vals[i] = ev[i]->str;
}

static void
pr_entry(const uint8_t *tkey, struct aggctr *ctr, void *data)
{
	struct pr_write *w = data;
	const struct aggkey_spec *spec = w->p->ctx->spec;
	char buf[PRIM_COUNT][64];
	const char *vals[PRIM_COUNT + PRINT_MAX_EXTRA];
	GString *ev[PRINT_MAX_EXTRA];
	struct fmt_counters c = { ctr->packets, ctr->flows, ctr->bytes };
	int64_t bin = binstore_key_bin(tkey);
	guint i;

	if (w->err != NULL)
		return;
	if (w->cur == NULL || bin != w->cur_bin) {
		w->cur = pr_file_for(w, bin);
		w->cur_bin = bin;
		if (w->cur == NULL)
			return;
	}
	for (i = 0; i < spec->ncols; i++)
		vals[i] = aggkey_col_text(spec, i, tkey + BINSTORE_BIN_LEN, ctr,
					  buf[i], sizeof(buf[i]));
	for (i = 0; i < w->p->nextra; i++)
		ev[i] = g_string_new(NULL);
	pr_extras(w, bin, ev, vals + spec->ncols);
	fmt_row(w->p->fmt, w->cur->text, vals, &c);
	for (i = 0; i < w->p->nextra; i++)
		g_string_free(ev[i], TRUE);
	w->cur->entries++;
	w->rows++;
}

static gboolean
pr_stdout(const struct pr_file *f, GError **err)
{
	if (fwrite(f->text->str, 1, f->text->len, stdout) == f->text->len &&
	    fflush(stdout) == 0)
		return TRUE;
	g_set_error(err, FT_ERROR, FT_ERROR_IO, "stdout: %s",
		    g_strerror(errno));
	return FALSE;
}

/* Make every file ready, then rename them all; none on failure. */
static gboolean
pr_commit(struct pr_write *w, GList *files, GError **err)
{
	struct pr_file *f;
	GPtrArray *tmps = g_ptr_array_new();
	gboolean ok = TRUE;
	GList *l;
	guint i;

	for (l = files; l != NULL && ok; l = l->next) {
		f = l->data;
		if (w->p->markers)
			pr_marker_end(w->p, f->text, f->entries);
		if (f->path == NULL) {
			ok = pr_stdout(f, err);
			continue;
		}
		g_ptr_array_add(tmps,
				outfile_prepare(f->path, f->text->str,
						f->text->len, !f->fresh, err));
		ok = g_ptr_array_index(tmps, tmps->len - 1) != NULL;
	}
	for (l = files, i = 0; l != NULL && i < tmps->len; l = l->next) {
		f = l->data;
		if (f->path == NULL)
			continue;
		if (!ok)
			outfile_discard(g_ptr_array_index(tmps, i));
		else if (!outfile_commit(g_ptr_array_index(tmps, i), f->path,
					 err))
			ok = FALSE;
		i++;
	}
	g_ptr_array_free(tmps, TRUE);
	return ok;
}

static gint
pr_by_path(gconstpointer a, gconstpointer b)
{
	const struct pr_file *fa = a, *fb = b;

	return g_strcmp0(fa->path, fb->path);
}

/* The binstore's writer: one file per name the interval's bins give. */
static gboolean
pr_write(struct memtab *t, int64_t now, void *data, guint64 *rows, GError **err)
{
	struct pr_write w = { .p = data, .now = now };
	struct pr_file *last;
	GList *files;
	gboolean ok;

	w.files = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					pr_file_free);
	memtab_foreach_sorted(t, pr_entry, &w);
	files = g_list_sort(g_hash_table_get_values(w.files), pr_by_path);
	ok = w.err == NULL && pr_commit(&w, files, &w.err);
	last = files != NULL ? g_list_last(files)->data : NULL;
	/* The files are in place: a link failure must not repeat them. */
	if (ok && w.p->latest != NULL && last != NULL && last->path != NULL &&
	    !outfile_link_latest(w.p->latest, last->path, &w.err)) {
		log_err("%s: %s", w.p->label, w.err->message);
		g_clear_error(&w.err);
	}
	g_list_free(files);
	g_hash_table_destroy(w.files);
	if (!ok) {
		g_propagate_error(err, w.err);
		return FALSE;
	}
	w.p->last_write = now;
	*rows = w.rows;
	return TRUE;
}

static gboolean
pr_output(const char *s, enum fmt_output *out, GError **err)
{
	static const char *const names[] = {
		[FMT_FORMATTED] = "formatted",
		[FMT_CSV] = "csv",
		[FMT_JSON] = "json",
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_ascii_strcasecmp(s, names[i]) == 0) {
			*out = (enum fmt_output)i;
			return TRUE;
		}
	g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
		    "print_output '%s': not csv, formatted or json", s);
	return FALSE;
}

/* pmacct's separator spellings: one character, "\t" or "\s". */
static gboolean
pr_separator(const char *s, char *sep, GError **err)
{
	if (strcmp(s, "\\t") == 0)
		*sep = '\t';
	else if (strcmp(s, "\\s") == 0)
		*sep = ' ';
	else if (strlen(s) == 1)
		*sep = s[0];
	else {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "print_output_separator '%s': not one character, "
			    "\\t or \\s",
			    s);
		return FALSE;
	}
	return TRUE;
}

static void
pr_time_opts(struct fmt_opts *o, const struct cfg *cfg, const char *name)
{
	o->time = FMT_TIME_PLAIN;
	if (cfg_bool(cfg, name, "timestamps_rfc3339"))
		o->time = FMT_TIME_RFC3339;
	if (cfg_bool(cfg, name, "timestamps_since_epoch"))
		o->time = FMT_TIME_EPOCH;
	o->utc = cfg_bool(cfg, name, "timestamps_utc");
	o->time_secs = cfg_bool(cfg, name, "timestamps_secs");
}

static gboolean
pr_config(struct plug_print *p, const struct cfg *cfg, const char *name,
	  GError **err)
{
	const char *file = cfg_str(cfg, name, "print_output_file");
	const char *latest = cfg_str(cfg, name, "print_latest_file");

	if (!pr_output(cfg_str(cfg, name, "print_output"), &p->output, err) ||
	    !pr_separator(cfg_str(cfg, name, "print_output_separator"),
			  &p->opts.sep, err) ||
	    !bins_init(&p->bins, cfg_str(cfg, name, "print_history"),
		       cfg_str(cfg, name, "print_history_roundoff"), err))
		return FALSE;
	p->file = g_strdup(file);
	p->latest = g_strdup(latest);
	p->append = cfg_bool(cfg, name, "print_output_file_append");
	p->markers = cfg_bool(cfg, name, "print_markers");
	p->bin_cols = cfg_bool(cfg, name, "print_time_columns");
	p->json_stamps = p->output == FMT_JSON && bins_enabled(&p->bins);
	p->opts.output = p->output;
	p->opts.order = FMT_ORDER_PRINT;
	p->opts.numeric_proto = cfg_bool(cfg, name, "print_num_protos");
	p->opts.flows = p->ctx->spec->flows;
	p->opts.json_event_type = "purge";
	pr_time_opts(&p->opts, cfg, name);
	return TRUE;
}

static const struct fmt_extra pr_stamp_cols[] = {
	{ "STAMP_INSERTED", "stamp_inserted", PRINT_STAMP_WIDTH },
	{ "STAMP_UPDATED", "stamp_updated", PRINT_STAMP_WIDTH },
};

static const struct fmt_extra pr_bin_cols[] = {
	{ "BIN_START", "bin_start", PRINT_STAMP_WIDTH },
	{ "BIN_END", "bin_end", PRINT_STAMP_WIDTH },
};

static gboolean
pr_layout(struct plug_print *p, GError **err)
{
	struct fmt_extra extra[PRINT_MAX_EXTRA];

	if (p->json_stamps) {
		memcpy(extra, pr_stamp_cols, sizeof(pr_stamp_cols));
		p->nextra = 2;
	}
	if (p->bin_cols) {
		memcpy(extra + p->nextra, pr_bin_cols, sizeof(pr_bin_cols));
		p->nextra += 2;
	}
	p->fmt = fmt_new(&p->opts, p->ctx->spec->cols, p->ctx->spec->ncols,
			 extra, p->nextra, err);
	return p->fmt != NULL;
}

static void plug_print_free(void *data);

static void *
plug_print_new(const struct cfg *cfg, const struct plugin_ctx *ctx,
	       GError **err)
{
	struct plug_print *p = g_new0(struct plug_print, 1);
	struct binstore_opts o = { 0 };
	struct binstore *bs;

	p->ctx = ctx;
	p->label = g_strdup_printf("print[%s]", ctx->name);
	p->last_write = g_get_real_time() / G_USEC_PER_SEC;
	if (!pr_config(p, cfg, ctx->name, err) || !pr_layout(p, err)) {
		plug_print_free(p);
		return NULL;
	}
	o.label = p->label;
	o.key_len = ctx->spec->key_len;
	o.max_entries = cfg_uint(cfg, ctx->name, "print_max_entries");
	o.bins = &p->bins;
	o.refresh_ms =
		MAX(cfg_duration(cfg, ctx->name, "print_refresh_time"), 1) *
		1000;
	o.write = pr_write;
	o.data = p;
	o.free_data = plug_print_free;
	bs = binstore_new(&o);
	if (p->file == NULL)
		log_info("%s: no print_output_file, writing to stdout",
			 p->label);
	return bs;
}

static void
plug_print_free(void *data)
{
	struct plug_print *p = data;

	if (p == NULL)
		return;
	fmt_free(p->fmt);
	g_free(p->file);
	g_free(p->latest);
	g_free(p->label);
	g_free(p);
}

const struct plugin_ops plug_print_ops = {
	.type = "print",
	.new = plug_print_new,
	.add = binstore_op_add,
	.add_at = binstore_op_add_at,
	.tick = binstore_op_tick,
	.flush = binstore_op_flush,
	.status = binstore_op_status,
	.free = binstore_op_free,
};
