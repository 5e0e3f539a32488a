/* SPDX-License-Identifier: ISC */
/*
 * Prints the key reference of flowtally.conf(5) in mdoc from the key
 * registry, grouped by daemon and plugin type. The page holds this text
 * between two marker comments; test-conf-man.sh fails when they differ,
 * and `make -C tests update-conf-man` rewrites it.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "common/config.h"

struct group {
	const char *title;
	unsigned daemons; /* exact daemon mask */
	unsigned plugins; /* exact plugin mask; ~0u: any */
	const char *intro;
};

static const struct group groups[] = {
	{ "Both daemons", CFG_BOTH, ~0u,
	  "Process conventions and pmacct's tuning keys." },
	{ "flowtally-probe: capture", CFG_PROBE, 0,
	  "Where packets come from." },
	{ "flowtally-probe: nfprobe plugin", CFG_PROBE, CFG_PT_NFPROBE,
	  "The flow cache and where finished flows are exported." },
	{ "flowtally-collector: listener", CFG_COLLECTOR, 0,
	  "How flows arrive." },
	{ "flowtally-collector: every store plugin", CFG_COLLECTOR,
	  CFG_PT_STORES, "What each memory, sqlite3 or print plugin keeps." },
	{ "flowtally-collector: memory plugin", CFG_COLLECTOR, CFG_PT_MEMORY,
	  "The in-memory table that flowtally(1) queries." },
	{ "flowtally-collector: sqlite3 plugin", CFG_COLLECTOR, CFG_PT_SQLITE,
	  "Periodic writes to an SQLite database." },
	{ "flowtally-collector: print plugin", CFG_COLLECTOR, CFG_PT_PRINT,
	  "Periodic writes to files or standard output." },
	/* Last: whatever no group above took still gets documented. */
	{ "Other keys", 0, ~0u, "Keys of no group above." },
};

static const char *
type_arg(const struct cfg_key *k)
{
	static const char *const names[] = {
		[CFG_T_STRING] = "string",
		[CFG_T_PATH] = "path",
		[CFG_T_BOOL] = "bool",
		[CFG_T_UINT] = "number",
		[CFG_T_DURATION] = "duration",
		[CFG_T_HISTORY] = "bin",
		[CFG_T_SIZE] = "size",
		[CFG_T_LIST] = "list",
		[CFG_T_HOSTPORTS] = "host:port,...",
		[CFG_T_FILTER] = "expression",
		[CFG_T_PLUGINS] = "type[name],...",
	};

	return names[k->type];
}

/* Text safe for an mdoc line: backslashes as \e, no leading dot. */
static void
put_text(const char *s)
{
	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", stdout);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else
			putchar(*s);
	}
}

static void
put_plugin_types(unsigned mask)
{
	static const struct {
		unsigned bit;
		const char *name;
	} types[] = {
		{ CFG_PT_MEMORY, "memory" },
		{ CFG_PT_SQLITE, "sqlite3" },
		{ CFG_PT_PRINT, "print" },
		{ CFG_PT_NFPROBE, "nfprobe" },
	};
	const char *sep = "";
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(types); i++) {
		if ((mask & types[i].bit) == 0)
			continue;
		printf("%s%s", sep, types[i].name);
		sep = ", ";
	}
}

static void
put_scope(const struct cfg_key *k)
{
	if (k->scope == CFG_S_GLOBAL || k->plugins == 0) {
		puts("Global only.");
		return;
	}
	fputs(k->scope == CFG_S_PLUGIN ? "Per plugin only ("
				       : "Global or per plugin (",
	      stdout);
	put_plugin_types(k->plugins);
	puts(").");
}

/* TRUE if `s` starts with a word of lower-case letters only. */
static gboolean
plain_word(const char *s)
{
	const char *p;

	for (p = s; g_ascii_islower(*p); p++)
		;
	return p > s && (*p == ' ' || *p == '\0' || *p == ',' || *p == ';');
}

static void
put_key(const struct cfg_key *k)
{
	size_t len = strlen(k->help);
	char *help;

	/* The registry's help is a lower-case phrase; the page wants a
	 * sentence, but names (pmacct's, tcp=S) keep their case. */
	printf(".It Cm %s Ar %s\n", k->name, type_arg(k));
	help = g_strdup(k->help);
	if (plain_word(help) && !g_str_has_prefix(help, "pmacct"))
		help[0] = g_ascii_toupper(help[0]);
	put_text(help);
	puts(len > 0 && k->help[len - 1] == '.' ? "" : ".");
	g_free(help);
	put_scope(k);
	if (k->type == CFG_T_UINT && k->max != 0 && !k->noop)
		printf("From %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ".\n",
		       k->min, k->max);
	if (k->alias != NULL)
		printf("pmacct name:\n.Cm %s .\n", k->alias);
	if (k->defval != NULL) {
		/* \& keeps a default such as "," from reading as a mark. */
		fputs("Default:\n.Ql \\&", stdout);
		put_text(k->defval);
		puts(" .");
	}
	if (k->noop)
		puts("Accepted for pmacct's sake; it has no effect here.");
}

static gboolean
in_group(const struct cfg_key *k, const struct group *g)
{
	unsigned plugins = k->scope == CFG_S_GLOBAL ? 0 : k->plugins;

	if (g->daemons == 0)
		return TRUE;
	return k->daemons == g->daemons &&
	       (g->plugins == ~0u || plugins == g->plugins);
}

static gint
by_name(gconstpointer a, gconstpointer b)
{
	const struct cfg_key *const *ka = a, *const *kb = b;

	return strcmp((*ka)->name, (*kb)->name);
}

static void
put_group(const struct group *g, GPtrArray *keys, gboolean *done)
{
	const struct cfg_key *k;
	guint i;

	g_ptr_array_set_size(keys, 0);
	for (k = cfg_keys; k->name != NULL; k++) {
		if (!done[k - cfg_keys] && in_group(k, g)) {
			g_ptr_array_add(keys, (gpointer)k);
			done[k - cfg_keys] = TRUE;
		}
	}
	if (keys->len == 0)
		return;
	g_ptr_array_sort(keys, by_name);
	printf(".Ss %s\n%s\n.Bl -tag -width Ds\n", g->title, g->intro);
	for (i = 0; i < keys->len; i++)
		put_key(keys->pdata[i]);
	puts(".El");
}

int
main(void)
{
	GPtrArray *keys = g_ptr_array_new();
	const struct cfg_key *k;
	gboolean *done;
	size_t n = 0, i;

	for (k = cfg_keys; k->name != NULL; k++)
		n++;
	done = g_new0(gboolean, n);
	for (i = 0; i < G_N_ELEMENTS(groups); i++)
		put_group(&groups[i], keys, done);
	g_ptr_array_unref(keys);
	g_free(done);
	return 0;
}
