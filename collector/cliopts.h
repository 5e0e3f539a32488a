/* SPDX-License-Identifier: ISC */
/*
 * The flowtally command line: pmacct client flags (and long names) parsed
 * into one struct, checked for the combinations pmacct refuses. Parsing
 * never prints: a misuse comes back as a GError for main() to report.
 */
#ifndef FT_CLIOPTS_H
#define FT_CLIOPTS_H

#include <stdint.h>
#include <glib.h>

#include "collector/fmt.h"
#include "collector/primitive.h"

enum cli_mode {
	CLI_MODE_NONE,   /* only -e and/or -i */
	CLI_MODE_SHOW,   /* -s */
	CLI_MODE_MATCH,  /* -M: matching rows */
	CLI_MODE_COUNT,  /* -N: counters per query */
	CLI_MODE_STATUS, /* --status */
	CLI_MODE_HELP,   /* -h */
	CLI_MODE_VERSION /* -V */
};

enum cli_counter {
	CLI_CNT_BYTES,
	CLI_CNT_PACKETS,
	CLI_CNT_FLOWS,
	CLI_CNT_ALL, /* -n all only */
};

#define CLI_MAX_KEYS PRIM_COUNT

struct cli_opts {
	const char *socket;
	enum cli_mode mode;
	gboolean erase;                        /* -e */
	gboolean since;                        /* -i */
	gboolean reset;                        /* -r */
	gboolean sum;                          /* -S */
	gboolean all;                          /* -a */
	const struct prim *keys[CLI_MAX_KEYS]; /* -c, in -c order */
	size_t nkeys;
	const char *match;        /* the -M / -N argument */
	enum cli_counter counter; /* -n */
	gboolean top;             /* -T given */
	enum cli_counter top_by;  /* -T counter */
	guint64 top_n;            /* -T ...,N; 0 = every row */
	struct fmt_opts fmt;      /* -O -E -u -I -0 */
	const char *db;           /* --db: a sqlite3 plugin's database */
	const char *table;        /* --table, or NULL */
	int64_t from;             /* --from (epoch s); 0 if not given */
	int64_t to;               /* --to; INT64_MAX if not given */
};

/*
 * Parse argv (getopt_long: argv may be permuted). On a misuse, FALSE with
 * FT_ERROR_SYNTAX (bad value) or FT_ERROR_SCOPE (bad combination).
 */
gboolean cliopts_parse(int argc, char **argv, struct cli_opts *o, GError **err);

/* The usage text for -h and for a call without any action. */
const char *cliopts_usage(void);

#endif
