/* SPDX-License-Identifier: ISC */
/*
 * The configuration store and pmacct's line syntax. Each line is checked
 * against the key registry as it is read and kept with its FILE:LINE, so
 * checks that need the whole file (plugin names, plugin types) can still
 * point at the line. Lookups then prefer a per-plugin value to a global
 * one, whatever order the lines came in.
 */
#include "config.h"

#include <string.h>

#include "error.h"
#include "nearest.h"
#include "value.h"

/* One stored value: normalised text, where it came from. */
struct cfg_val {
	char *text;
	char *where;      /* "FILE:LINE" or "command line" */
	guint seq;        /* order of arrival, for the first error */
	gboolean cmdline; /* set by cfg_set(): wins over the file */
};

struct cfg_plugin {
	char *name;
	char *type;
	unsigned mask; /* enum cfg_plugin_type */
};

/*
 * `global` maps a key name to its value; `scoped` maps a plugin name to a
 * table of the same shape. Per-plugin lines may come before the plugins
 * line, so `scoped` may name plugins that do not exist until cfg_finish.
 */
struct cfg {
	enum cfg_daemon daemon;
	GHashTable *global;
	GHashTable *scoped;
	GPtrArray *plugins;
	char *plugins_where; /* the file line that declared them */
	guint seq;           /* values stored so far */
};

static const struct {
	const char *name;
	unsigned mask;
	unsigned daemons;
} plugin_types[] = {
	{ "memory", CFG_PT_MEMORY, CFG_COLLECTOR },
	{ "sqlite3", CFG_PT_SQLITE, CFG_COLLECTOR },
	{ "print", CFG_PT_PRINT, CFG_COLLECTOR },
	{ "nfprobe", CFG_PT_NFPROBE, CFG_PROBE },
};

static void
val_free(gpointer p)
{
	struct cfg_val *v = p;

	g_free(v->text);
	g_free(v->where);
	g_free(v);
}

static void
plugin_free(gpointer p)
{
	struct cfg_plugin *pl = p;

	g_free(pl->name);
	g_free(pl->type);
	g_free(pl);
}

static GHashTable *
val_table_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, val_free);
}

struct cfg *
cfg_new(enum cfg_daemon daemon)
{
	struct cfg *cfg = g_new0(struct cfg, 1);

	cfg->daemon = daemon;
	cfg->global = val_table_new();
	cfg->scoped = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)g_hash_table_unref);
	cfg->plugins = g_ptr_array_new_with_free_func(plugin_free);
	return cfg;
}

void
cfg_free(struct cfg *cfg)
{
	if (cfg == NULL)
		return;
	g_hash_table_unref(cfg->global);
	g_hash_table_unref(cfg->scoped);
	g_ptr_array_unref(cfg->plugins);
	g_free(cfg->plugins_where);
	g_free(cfg);
}

static const char *
daemon_name(enum cfg_daemon daemon)
{
	return daemon == CFG_PROBE ? "flowtally-probe" : "flowtally-collector";
}

/* The known name or alias of this daemon nearest to `name`, or NULL. */
static const char *
nearest_key(enum cfg_daemon daemon, const char *name)
{
	const struct cfg_key *k;
	struct nearest n;

	nearest_init(&n, name);
	for (k = cfg_keys; k->name != NULL; k++) {
		if ((k->daemons & daemon) == 0)
			continue;
		nearest_try(&n, k->name);
		if (k->alias != NULL)
			nearest_try(&n, k->alias);
	}
	return nearest_result(&n);
}

static gboolean
unknown_key(const struct cfg *cfg, const char *where, const char *name,
	    GError **err)
{
	const char *near = nearest_key(cfg->daemon, name);

	if (near != NULL)
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "%s: unknown key '%s'; did you mean '%s'?", where,
			    name, near);
	else
		g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
			    "%s: unknown key '%s'", where, name);
	return FALSE;
}

/* Find `name`, and check that this daemon takes it at this scope. */
static const struct cfg_key *
check_key(const struct cfg *cfg, const char *where, const char *name,
	  const char *plugin, GError **err)
{
	const struct cfg_key *k = cfg_key_find(name);

	if (k == NULL) {
		unknown_key(cfg, where, name, err);
		return NULL;
	}
	if ((k->daemons & cfg->daemon) == 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "%s: key '%s' is for %s, not %s", where, k->name,
			    daemon_name(k->daemons & ~cfg->daemon),
			    daemon_name(cfg->daemon));
		return NULL;
	}
	if (plugin != NULL && (k->scope == CFG_S_GLOBAL || k->plugins == 0)) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "%s: key '%s' is global only; remove '[%s]'", where,
			    k->name, plugin);
		return NULL;
	}
	if (plugin == NULL && k->scope == CFG_S_PLUGIN) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "%s: key '%s' cannot be global; write %s[NAME]",
			    where, k->name, k->name);
		return NULL;
	}
	return k;
}

/*
 * Split a comma-separated value, trim each item and drop blank ones.
 * Returns a NULL-terminated vector (g_strfreev).
 */
static gchar **
split_items(const char *text)
{
	gchar **parts = g_strsplit(text, ",", -1);
	GPtrArray *out = g_ptr_array_new();
	guint i;

	for (i = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (parts[i][0] != '\0')
			g_ptr_array_add(out, g_strdup(parts[i]));
	}
	g_strfreev(parts);
	g_ptr_array_add(out, NULL);
	return (gchar **)g_ptr_array_free(out, FALSE);
}

static gboolean
check_hostports(gchar **items, GError **err)
{
	char *host;
	uint16_t port;
	guint i;

	for (i = 0; items[i] != NULL; i++) {
		if (!val_hostport(items[i], &host, &port, err))
			return FALSE;
		g_free(host);
	}
	return TRUE;
}

/* Check a value of a list type; `*norm` gets "a, b, c". */
static gboolean
check_list(const struct cfg_key *k, const char *text, char **norm, GError **err)
{
	gchar **items = split_items(text);
	gboolean ok = TRUE;

	if (items[0] == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "'%s' holds no item", text);
		ok = FALSE;
	} else if (k->type == CFG_T_HOSTPORTS) {
		ok = check_hostports(items, err);
	}
	if (ok)
		*norm = g_strjoinv(", ", items);
	g_strfreev(items);
	return ok;
}

/*
 * Check `text` against the key's type with the value parsers; on success
 * `*norm` is the text to store (g_free). Plugin lists are checked by
 * parse_plugins() instead.
 */
static gboolean
check_value(const struct cfg_key *k, const char *text, char **norm,
	    GError **err)
{
	uint64_t n;
	gboolean b;
	char unit;

	switch (k->type) {
	case CFG_T_BOOL:
		if (!val_bool(text, &b, err))
			return FALSE;
		break;
	case CFG_T_UINT:
		if (!val_uint(text, k->min, k->max ? k->max : UINT64_MAX, &n,
			      err))
			return FALSE;
		break;
	case CFG_T_DURATION:
		if (!val_duration(text, &n, err))
			return FALSE;
		break;
	case CFG_T_HISTORY:
		if (!val_history(text, &n, &unit, err))
			return FALSE;
		break;
	case CFG_T_SIZE:
		if (!val_size(text, &n, err))
			return FALSE;
		break;
	case CFG_T_LIST:
	case CFG_T_HOSTPORTS:
	case CFG_T_PLUGINS:
		return check_list(k, text, norm, err);
	case CFG_T_STRING:
	case CFG_T_PATH:
	case CFG_T_FILTER:
		break;
	}
	*norm = g_strdup(text);
	return TRUE;
}

static unsigned
plugin_type_mask(enum cfg_daemon daemon, const char *type)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(plugin_types); i++)
		if (strcmp(plugin_types[i].name, type) == 0 &&
		    (plugin_types[i].daemons & daemon) != 0)
			return plugin_types[i].mask;
	return 0;
}

static gboolean
unknown_type(const struct cfg *cfg, const char *type, GError **err)
{
	GString *known = g_string_new(NULL);
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(plugin_types); i++) {
		if ((plugin_types[i].daemons & cfg->daemon) == 0)
			continue;
		if (known->len > 0)
			g_string_append(known, ", ");
		g_string_append(known, plugin_types[i].name);
	}
	g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
		    "unknown plugin type '%s' for %s (known: %s)", type,
		    daemon_name(cfg->daemon), known->str);
	g_string_free(known, TRUE);
	return FALSE;
}

/* Plugin names become file names (the query socket): keep them tame. */
static gboolean
plugin_name_ok(const char *name)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '.')
		return FALSE;
	for (p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("_-.", *p) == NULL)
			return FALSE;
	return TRUE;
}

static const struct cfg_plugin *
find_plugin(const struct cfg *cfg, const char *name)
{
	guint i;

	for (i = 0; i < cfg->plugins->len; i++) {
		const struct cfg_plugin *pl =
			g_ptr_array_index(cfg->plugins, i);

		if (strcmp(pl->name, name) == 0)
			return pl;
	}
	return NULL;
}

/* One `type[name]` or bare `type` item, appended to `out`. */
static gboolean
parse_plugin_item(const struct cfg *cfg, const char *item, GPtrArray *out,
		  GError **err)
{
	const char *open = strchr(item, '[');
	struct cfg_plugin *pl;
	char *type, *name;
	guint i;

	if (open == NULL) {
		type = g_ascii_strdown(item, -1);
		name = g_strconcat("default_", type, NULL);
	} else {
		if (item[strlen(item) - 1] != ']') {
			g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
				    "'%s' is not type[name]", item);
			return FALSE;
		}
		type = g_ascii_strdown(item, open - item);
		name = g_strndup(open + 1, strlen(open + 1) - 1);
		g_strstrip(type);
		g_strstrip(name);
	}
	pl = g_new0(struct cfg_plugin, 1);
	pl->type = type;
	pl->name = name;
	pl->mask = plugin_type_mask(cfg->daemon, type);
	g_ptr_array_add(out, pl);
	if (pl->mask == 0)
		return unknown_type(cfg, type, err);
	if (!plugin_name_ok(name)) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "plugin name '%s' must be letters, digits, "
			    "'_', '-' or '.'",
			    name);
		return FALSE;
	}
	for (i = 0; i + 1 < out->len; i++) {
		const struct cfg_plugin *o = g_ptr_array_index(out, i);

		if (strcmp(o->name, name) == 0) {
			g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
				    "plugin name '%s' is declared twice", name);
			return FALSE;
		}
	}
	return TRUE;
}

/* Replace the plugin list with the one in `text`; `*norm` gets it back. */
static gboolean
parse_plugins(struct cfg *cfg, const char *text, char **norm, GError **err)
{
	gchar **items = split_items(text);
	GPtrArray *out = g_ptr_array_new_with_free_func(plugin_free);
	GString *s = g_string_new(NULL);
	gboolean ok = items[0] != NULL;
	guint i;

	if (!ok)
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "'%s' declares no plugin", text);
	for (i = 0; ok && items[i] != NULL; i++)
		ok = parse_plugin_item(cfg, items[i], out, err);
	for (i = 0; ok && i < out->len; i++) {
		const struct cfg_plugin *pl = g_ptr_array_index(out, i);

		g_string_append_printf(s, "%s%s[%s]", i ? ", " : "", pl->type,
				       pl->name);
	}
	g_strfreev(items);
	if (!ok) {
		g_ptr_array_unref(out);
		g_string_free(s, TRUE);
		return FALSE;
	}
	g_ptr_array_unref(cfg->plugins);
	cfg->plugins = out;
	*norm = g_string_free(s, FALSE);
	return TRUE;
}

static void
store(struct cfg *cfg, const char *key, const char *plugin, char *norm,
      const char *where, gboolean cmdline)
{
	GHashTable *t = cfg->global;
	const struct cfg_val *old;
	struct cfg_val *v;

	if (plugin != NULL) {
		t = g_hash_table_lookup(cfg->scoped, plugin);
		if (t == NULL) {
			t = val_table_new();
			g_hash_table_insert(cfg->scoped, g_strdup(plugin), t);
		}
	}

	/* A file read after cfg_set() must not undo the command line. */
	old = g_hash_table_lookup(t, key);
	if (old != NULL && old->cmdline && !cmdline) {
		g_free(norm);
		return;
	}
	v = g_new0(struct cfg_val, 1);
	v->text = norm;
	v->where = g_strdup(where);
	v->seq = cfg->seq++;
	v->cmdline = cmdline;
	g_hash_table_replace(t, g_strdup(key), v);
}

/* Check and store one setting; errors are prefixed with `where`. */
static gboolean
set_value(struct cfg *cfg, const char *where, const char *name,
	  const char *plugin, const char *text, gboolean cmdline, GError **err)
{
	const struct cfg_key *k;
	GError *verr = NULL;
	char *norm = NULL;
	gboolean ok;

	k = check_key(cfg, where, name, plugin, err);
	if (k == NULL)
		return FALSE;
	if (text[0] == '\0') {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "%s: key '%s' has no value", where, k->name);
		return FALSE;
	}
	if (k->type == CFG_T_PLUGINS)
		ok = parse_plugins(cfg, text, &norm, &verr);
	else
		ok = check_value(k, text, &norm, &verr);
	if (!ok) {
		g_set_error(err, FT_ERROR, verr->code, "%s: %s: %s", where,
			    k->name, verr->message);
		g_error_free(verr);
		return FALSE;
	}
	if (k->type == CFG_T_PLUGINS) {
		g_free(cfg->plugins_where);
		cfg->plugins_where = g_strdup(where);
	}
	store(cfg, k->name, plugin, norm, where, cmdline);
	return TRUE;
}

/*
 * Cut a trailing comment from a value: whitespace, then `#` or `!`. In a
 * BPF filter `!` is negation, so only `#` starts a comment there.
 */
static void
cut_comment(char *value, gboolean filter)
{
	const char *marks = filter ? "#" : "#!";
	char *p;

	for (p = value; *p != '\0'; p++) {
		if (strchr(marks, *p) == NULL)
			continue;
		if (p == value || g_ascii_isspace(p[-1])) {
			*p = '\0';
			break;
		}
	}
	g_strstrip(value);
}

/*
 * Split the key part into a lower-case name and a plugin name that keeps
 * its case. All whitespace in the key part has already been removed.
 */
static gboolean
split_key(char *keypart, char **name, char **plugin, GError **err)
{
	char *open = strchr(keypart, '['), *close;

	*plugin = NULL;
	if (open != NULL) {
		close = strchr(open, ']');
		if (close == NULL || close[1] != '\0' || close == open + 1 ||
		    strchr(open + 1, '[') != NULL) {
			g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
				    "'%s' is not key[plugin]", keypart);
			return FALSE;
		}
		*close = '\0';
		*open = '\0';
		*plugin = open + 1;
	} else if (strchr(keypart, ']') != NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "'%s' has an unbalanced ']'", keypart);
		return FALSE;
	}
	if (keypart[0] == '\0') {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "no key before ':'");
		return FALSE;
	}
	*name = g_ascii_strdown(keypart, -1);
	return TRUE;
}

/* Remove every whitespace character of `s` in place. */
static void
squeeze(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++)
		if (!g_ascii_isspace(*s))
			*d++ = *s;
	*d = '\0';
}

static gboolean
parse_line(struct cfg *cfg, const char *where, char *line, GError **err)
{
	char *colon, *name = NULL, *plugin;
	const struct cfg_key *k;
	GError *lerr = NULL;
	gboolean ok;

	colon = strchr(line, ':');
	if (colon == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "%s: missing ':' between key and value", where);
		return FALSE;
	}
	*colon = '\0';
	squeeze(line);
	if (!split_key(line, &name, &plugin, &lerr)) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX, "%s: %s", where,
			    lerr->message);
		g_error_free(lerr);
		return FALSE;
	}
	k = cfg_key_find(name);
	cut_comment(colon + 1, k != NULL && k->type == CFG_T_FILTER);
	if (k != NULL && k->type == CFG_T_PLUGINS && plugin == NULL &&
	    cfg->plugins_where != NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "%s: plugins already declared at %s", where,
			    cfg->plugins_where);
		g_free(name);
		return FALSE;
	}
	ok = set_value(cfg, where, name, plugin, colon + 1, FALSE, err);
	g_free(name);
	return ok;
}

gboolean
cfg_load_string(struct cfg *cfg, const char *name, const char *text,
		GError **err)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	gboolean ok = TRUE;
	char *where, *p;
	guint i;

	for (i = 0; ok && lines[i] != NULL; i++) {
		g_strchomp(lines[i]);
		p = lines[i];
		while (g_ascii_isspace(*p))
			p++;
		if (*p == '\0' || *p == '!' || *p == '#')
			continue;
		where = g_strdup_printf("%s:%u", name, i + 1);
		ok = parse_line(cfg, where, p, err);
		g_free(where);
	}
	g_strfreev(lines);
	return ok;
}

gboolean
cfg_load_file(struct cfg *cfg, const char *path, GError **err)
{
	GError *ferr = NULL;
	gchar *text;
	gboolean ok;

	if (!g_file_get_contents(path, &text, NULL, &ferr)) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s", ferr->message);
		g_error_free(ferr);
		return FALSE;
	}
	ok = cfg_load_string(cfg, path, text, err);
	g_free(text);
	return ok;
}

gboolean
cfg_set(struct cfg *cfg, const char *key, const char *plugin, const char *value,
	GError **err)
{
	char *name = g_ascii_strdown(key, -1);
	char *text = g_strstrip(g_strdup(value));
	gboolean ok;

	ok = set_value(cfg, "command line", name, plugin, text, TRUE, err);
	g_free(name);
	g_free(text);
	return ok;
}

/* What is wrong with a per-plugin value (g_free), or NULL. */
static char *
scoped_problem(const struct cfg *cfg, const char *plugin, const char *key,
	       int *code)
{
	const struct cfg_plugin *pl = find_plugin(cfg, plugin);
	const struct cfg_key *k = cfg_key_find(key);
	GString *names;
	guint i;

	if (pl != NULL && (k->plugins & pl->mask) != 0)
		return NULL;
	*code = pl != NULL ? FT_ERROR_SCOPE : FT_ERROR_UNKNOWN;
	if (pl != NULL)
		return g_strdup_printf("key '%s' does not apply to %s plugin "
				       "'%s'",
				       k->name, pl->type, pl->name);
	names = g_string_new(NULL);
	for (i = 0; i < cfg->plugins->len; i++)
		g_string_append_printf(names, "%s%s", i ? ", " : "",
				       cfg_plugin_name(cfg, i));
	return g_strdup_printf("no plugin named '%s' is declared "
			       "(declared: %s)",
			       plugin, names->len ? names->str : "none");
}

/*
 * Every per-plugin value must name a declared plugin that takes it. Of
 * several bad lines, the first one read is reported.
 */
static gboolean
check_scoped(const struct cfg *cfg, GError **err)
{
	const struct cfg_val *first = NULL;
	char *problem = NULL, *p;
	int code = 0, c;
	GHashTableIter it, kit;
	gpointer plugin, vals, key, value;

	g_hash_table_iter_init(&it, cfg->scoped);
	while (g_hash_table_iter_next(&it, &plugin, &vals)) {
		g_hash_table_iter_init(&kit, vals);
		while (g_hash_table_iter_next(&kit, &key, &value)) {
			const struct cfg_val *v = value;

			if (first != NULL && v->seq > first->seq)
				continue;
			p = scoped_problem(cfg, plugin, key, &c);
			if (p == NULL)
				continue;
			g_free(problem);
			problem = p;
			code = c;
			first = v;
		}
	}
	if (first == NULL)
		return TRUE;
	g_set_error(err, FT_ERROR, code, "%s: %s", first->where, problem);
	g_free(problem);
	return FALSE;
}

gboolean
cfg_finish(struct cfg *cfg, GError **err)
{
	if (cfg->plugins->len == 0 && cfg->daemon == CFG_COLLECTOR &&
	    !set_value(cfg, "default", "plugins", NULL, "memory[default]",
		       FALSE, err))
		return FALSE;
	return check_scoped(cfg, err);
}

guint
cfg_plugin_count(const struct cfg *cfg)
{
	return cfg->plugins->len;
}

const char *
cfg_plugin_name(const struct cfg *cfg, guint i)
{
	const struct cfg_plugin *pl;

	g_return_val_if_fail(i < cfg->plugins->len, NULL);
	pl = g_ptr_array_index(cfg->plugins, i);
	return pl->name;
}

const char *
cfg_plugin_type(const struct cfg *cfg, guint i)
{
	const struct cfg_plugin *pl;

	g_return_val_if_fail(i < cfg->plugins->len, NULL);
	pl = g_ptr_array_index(cfg->plugins, i);
	return pl->type;
}

/*
 * The value that applies: a command-line value beats a file value; then
 * a per-plugin value beats a global one.
 */
static const struct cfg_val *
lookup(const struct cfg *cfg, const char *plugin, const char *key)
{
	const struct cfg_val *pv = NULL, *gv;
	GHashTable *t;

	if (plugin != NULL) {
		t = g_hash_table_lookup(cfg->scoped, plugin);
		if (t != NULL)
			pv = g_hash_table_lookup(t, key);
	}
	gv = g_hash_table_lookup(cfg->global, key);
	if (gv != NULL && gv->cmdline && (pv == NULL || !pv->cmdline))
		return gv;
	return pv != NULL ? pv : gv;
}

const char *
cfg_str(const struct cfg *cfg, const char *plugin, const char *key)
{
	const struct cfg_key *k = cfg_key_find(key);
	const struct cfg_val *v;

	g_return_val_if_fail(k != NULL && strcmp(k->name, key) == 0, NULL);
	v = lookup(cfg, plugin, key);
	return v != NULL ? v->text : k->defval;
}

gboolean
cfg_is_set(const struct cfg *cfg, const char *plugin, const char *key)
{
	return lookup(cfg, plugin, key) != NULL;
}

gboolean
cfg_bool(const struct cfg *cfg, const char *plugin, const char *key)
{
	const char *s = cfg_str(cfg, plugin, key);
	gboolean b = FALSE;

	if (s != NULL && !val_bool(s, &b, NULL))
		b = FALSE;
	return b;
}

uint64_t
cfg_uint(const struct cfg *cfg, const char *plugin, const char *key)
{
	const char *s = cfg_str(cfg, plugin, key);
	uint64_t n = 0;

	if (s != NULL && !val_uint(s, 0, UINT64_MAX, &n, NULL))
		n = 0;
	return n;
}

uint64_t
cfg_duration(const struct cfg *cfg, const char *plugin, const char *key)
{
	const char *s = cfg_str(cfg, plugin, key);
	uint64_t n = 0;

	if (s != NULL && !val_duration(s, &n, NULL))
		n = 0;
	return n;
}

uint64_t
cfg_size(const struct cfg *cfg, const char *plugin, const char *key)
{
	const char *s = cfg_str(cfg, plugin, key);
	uint64_t n = 0;

	if (s != NULL && !val_size(s, &n, NULL))
		n = 0;
	return n;
}

gchar **
cfg_list(const struct cfg *cfg, const char *plugin, const char *key)
{
	const char *s = cfg_str(cfg, plugin, key);

	return split_items(s != NULL ? s : "");
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append `key[plugin]: value` lines of one table, sorted by key. */
static void
dump_table(GHashTable *t, const char *plugin, GString *out)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer key, value;
	guint i;

	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &key, &value))
		g_ptr_array_add(keys, key);
	g_ptr_array_sort(keys, cmp_str);
	for (i = 0; i < keys->len; i++) {
		const struct cfg_val *v =
			g_hash_table_lookup(t, keys->pdata[i]);

		if (plugin != NULL)
			g_string_append_printf(out, "%s[%s]: %s\n",
					       (char *)keys->pdata[i], plugin,
					       v->text);
		else
			g_string_append_printf(out, "%s: %s\n",
					       (char *)keys->pdata[i], v->text);
	}
	g_ptr_array_unref(keys);
}

void
cfg_dump(const struct cfg *cfg, GString *out)
{
	GPtrArray *names = g_ptr_array_new();
	GHashTableIter it;
	gpointer name, vals;
	guint i;

	dump_table(cfg->global, NULL, out);
	g_hash_table_iter_init(&it, cfg->scoped);
	while (g_hash_table_iter_next(&it, &name, &vals))
		g_ptr_array_add(names, name);
	g_ptr_array_sort(names, cmp_str);
	for (i = 0; i < names->len; i++)
		dump_table(g_hash_table_lookup(cfg->scoped, names->pdata[i]),
			   names->pdata[i], out);
	g_ptr_array_unref(names);
}

static void
add_noops(GHashTable *t, GHashTable *seen)
{
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (cfg_key_find(key)->noop)
			g_hash_table_add(seen, key);
}

gchar *
cfg_noop_summary(const struct cfg *cfg)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *names;
	GHashTableIter it;
	gpointer vals, key;
	gchar *out = NULL;

	add_noops(cfg->global, seen);
	g_hash_table_iter_init(&it, cfg->scoped);
	while (g_hash_table_iter_next(&it, NULL, &vals))
		add_noops(vals, seen);
	names = g_ptr_array_new();
	g_hash_table_iter_init(&it, seen);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(names, key);
	g_ptr_array_sort(names, cmp_str);
	g_ptr_array_add(names, NULL);
	if (names->len > 1)
		out = g_strjoinv(", ", (gchar **)names->pdata);
	g_ptr_array_unref(names);
	g_hash_table_unref(seen);
	return out;
}
