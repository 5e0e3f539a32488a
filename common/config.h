/* SPDX-License-Identifier: ISC */
/*
 * The configuration of a daemon, read from pmacct's syntax: `key: value`,
 * `key[plugin]: value`, `plugins: type[name], ...`, `!` and `#` comments.
 * Every key is checked against one registry (cfgkeys.c) at load time, so a
 * loaded configuration holds only known keys with well-formed values.
 * A per-plugin value always wins over a global one, whatever their order.
 */
#ifndef FT_CONFIG_H
#define FT_CONFIG_H

#include <stdint.h>
#include <glib.h>

enum cfg_daemon {
	CFG_PROBE = 1 << 0,
	CFG_COLLECTOR = 1 << 1,
	CFG_BOTH = CFG_PROBE | CFG_COLLECTOR,
};

enum cfg_type {
	CFG_T_STRING,    /* free text */
	CFG_T_PATH,      /* a file or socket path */
	CFG_T_BOOL,      /* val_bool() */
	CFG_T_UINT,      /* val_uint() within the key's min and max */
	CFG_T_DURATION,  /* val_duration(), seconds */
	CFG_T_HISTORY,   /* val_history(), adds calendar months */
	CFG_T_SIZE,      /* val_size(), bytes */
	CFG_T_LIST,      /* comma-separated words, blanks dropped */
	CFG_T_HOSTPORTS, /* comma-separated val_hostport() items */
	CFG_T_FILTER,    /* a BPF expression: `!` is negation, not comment */
	CFG_T_PLUGINS,   /* `type[name], ...` */
};

/* Where a key may stand. */
enum cfg_scope {
	CFG_S_ANY = 0, /* global, per plugin, or both */
	CFG_S_GLOBAL,  /* global only */
	CFG_S_PLUGIN,  /* per plugin only */
};

/* Plugin types, as a mask of which ones take a key. */
enum cfg_plugin_type {
	CFG_PT_MEMORY = 1 << 0,
	CFG_PT_SQLITE = 1 << 1,
	CFG_PT_PRINT = 1 << 2,
	CFG_PT_NFPROBE = 1 << 3,
	CFG_PT_STORES = CFG_PT_MEMORY | CFG_PT_SQLITE | CFG_PT_PRINT,
};

struct cfg_key {
	const char *name;  /* flowtally's name */
	const char *alias; /* pmacct's name for the same key, or NULL */
	enum cfg_type type;
	enum cfg_scope scope;
	unsigned daemons;   /* enum cfg_daemon mask */
	unsigned plugins;   /* enum cfg_plugin_type mask; 0 = not per plugin */
	uint64_t min, max;  /* CFG_T_UINT bounds */
	const char *defval; /* default text, or NULL */
	gboolean noop;      /* accepted for pmacct's sake, no effect */
	const char *help;
};

/* The registry: a table ended by a row whose name is NULL. */
extern const struct cfg_key cfg_keys[];

const struct cfg_key *cfg_key_find(const char *name_or_alias);

struct cfg;

struct cfg *cfg_new(enum cfg_daemon daemon);
void cfg_free(struct cfg *cfg);

/*
 * Read a file or a string (`name` is used in messages). Errors are
 * "FILE:LINE: what", suggest the nearest key for a misspelt one, and leave
 * `cfg` unusable.
 */
gboolean cfg_load_file(struct cfg *cfg, const char *path, GError **err);
gboolean cfg_load_string(struct cfg *cfg, const char *name, const char *text,
			 GError **err);

/*
 * Set one key from the command line; it wins over the file. `plugin` is
 * NULL for a global value.
 */
gboolean cfg_set(struct cfg *cfg, const char *key, const char *plugin,
		 const char *value, GError **err);

/*
 * Checks that need the whole file: per-plugin lines naming undeclared
 * plugins, keys given to plugin types that do not take them. With no
 * `plugins:` line, a collector gets one `memory[default]`.
 */
gboolean cfg_finish(struct cfg *cfg, GError **err);

guint cfg_plugin_count(const struct cfg *cfg);
const char *cfg_plugin_name(const struct cfg *cfg, guint i);
const char *cfg_plugin_type(const struct cfg *cfg, guint i);

/*
 * Lookups by flowtally's key name. `plugin` NULL asks for the global
 * value. The per-plugin value wins, then the global one, then the
 * registry's default. The string belongs to `cfg`; NULL when unset and
 * without default.
 */
const char *cfg_str(const struct cfg *cfg, const char *plugin, const char *key);
gboolean cfg_is_set(const struct cfg *cfg, const char *plugin, const char *key);
gboolean cfg_bool(const struct cfg *cfg, const char *plugin, const char *key);
uint64_t cfg_uint(const struct cfg *cfg, const char *plugin, const char *key);
uint64_t cfg_duration(const struct cfg *cfg, const char *plugin,
		      const char *key);
uint64_t cfg_size(const struct cfg *cfg, const char *plugin, const char *key);
/* A CFG_T_LIST or CFG_T_HOSTPORTS value split into items (g_strfreev). */
gchar **cfg_list(const struct cfg *cfg, const char *plugin, const char *key);

/* The normalised configuration, one `key[plugin]: value` a line. */
void cfg_dump(const struct cfg *cfg, GString *out);

/* Comma-separated names of the no-op keys that were set, or NULL. */
gchar *cfg_noop_summary(const struct cfg *cfg);

#endif
