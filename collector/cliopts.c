/* SPDX-License-Identifier: ISC */
/*
 * Command line parsing of the flowtally CLI. The short flags are pmacct's
 * client flags (reference 4.1) so that scripts keep working; each has a
 * long name too. The combination checks follow pmacct's, but every misuse
 * is a GError here, which main() prints on stderr with exit status 1.
 */
#include "cliopts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "collector/qproto.h"
#include "collector/sqlquery.h"

#define CLI_OPT_STATUS 256
#define CLI_OPT_DB     257
#define CLI_OPT_TABLE  258
#define CLI_OPT_FROM   259
#define CLI_OPT_TO     260

static const char cli_usage[] =
	"usage: flowtally [-p socket] -s [-a] [-T counter[,N]] [-e] [-i]\n"
	"       flowtally [-p socket] -c keys -M values [-a] [-r] "
	"[-T counter[,N]]\n"
	"       flowtally [-p socket] -c keys -N values [-n counter] [-S] "
	"[-r]\n"
	"       flowtally [-p socket] -e | -i | --status\n"
	"       flowtally --db file [--table name] [--from time] [--to time]\n"
	"                 -s [-c keys] [-T counter[,N]]\n"
	"output: [-O formatted|csv|json] [-E sep] [-u] [-I] [-0]\n"
	"  -p, --socket PATH       query socket of a memory plugin\n"
	"                          (default " FT_DEFAULT_IMT_PATH ")\n"
	"  -s, --show              print the whole table\n"
	"  -T, --top C[,N]         sort by C (bytes, packets, flows), keep N\n"
	"  -e, --erase             clear the table (with -s: after reading)\n"
	"  -i, --since             seconds since the last clear\n"
	"  -c, --keys LIST         primitives the -M/-N values stand for\n"
	"  -M, --match VALUES      print the matching rows\n"
	"  -N, --count VALUES      print the counters of each query\n"
	"  -n, --counter C         -N prints bytes, packets, flows or all\n"
	"  -S, --sum               -N prints one sum over every query\n"
	"  -r, --reset             zero the matched entries after reading\n"
	"  -O, --output FORMAT     formatted (default), csv or json\n"
	"  -E, --separator CHAR    CSV separator (\\t for tab, \\s for space)\n"
	"  -u, --numeric           protocol numbers instead of names\n"
	"  -a, --all-columns       print every primitive's column\n"
	"  -I, --epoch             timestamps as seconds since the epoch\n"
	"  -0, --utc               timestamps in UTC\n"
	"      --status            the collector's status and counters\n"
	"      --db FILE           read a sqlite3 plugin's database instead;\n"
	"                          with -c, sum over the keys given\n"
	"      --table NAME        its table (default: the only acct* one),\n"
	"                          or a pattern such as 'acct_2024*'\n"
	"      --from, --to TIME   bins from, and before, TIME (UTC):\n"
	"                          YYYY-MM-DD[ HH:MM[:SS]], @EPOCH, now,\n"
	"                          today, yesterday, week, month, year, -1h\n"
	"  -h, --help              this text\n"
	"  -V, --version           the version\n";

static const struct option cli_long[] = {
	{ "socket", required_argument, NULL, 'p' },
	{ "show", no_argument, NULL, 's' },
	{ "top", required_argument, NULL, 'T' },
	{ "erase", no_argument, NULL, 'e' },
	{ "since", no_argument, NULL, 'i' },
	{ "keys", required_argument, NULL, 'c' },
	{ "match", required_argument, NULL, 'M' },
	{ "count", required_argument, NULL, 'N' },
	{ "counter", required_argument, NULL, 'n' },
	{ "sum", no_argument, NULL, 'S' },
	{ "reset", no_argument, NULL, 'r' },
	{ "output", required_argument, NULL, 'O' },
	{ "separator", required_argument, NULL, 'E' },
	{ "numeric", no_argument, NULL, 'u' },
	{ "all-columns", no_argument, NULL, 'a' },
	{ "epoch", no_argument, NULL, 'I' },
	{ "utc", no_argument, NULL, '0' },
	{ "lock", no_argument, NULL, 'l' },
	{ "status", no_argument, NULL, CLI_OPT_STATUS },
	{ "db", required_argument, NULL, CLI_OPT_DB },
	{ "table", required_argument, NULL, CLI_OPT_TABLE },
	{ "from", required_argument, NULL, CLI_OPT_FROM },
	{ "to", required_argument, NULL, CLI_OPT_TO },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Per-parse state that only the combination checks need. */
struct cli_seen {
	gboolean counter; /* -n */
};

const char *
cliopts_usage(void)
{
	return cli_usage;
}

static gboolean
cli_parse_counter(const char *s, gboolean allow_all, enum cli_counter *c,
		  GError **err)
{
	if (strcmp(s, "bytes") == 0)
		*c = CLI_CNT_BYTES;
	else if (strcmp(s, "packets") == 0)
		*c = CLI_CNT_PACKETS;
	else if (strcmp(s, "flows") == 0)
		*c = CLI_CNT_FLOWS;
	else if (allow_all && strcmp(s, "all") == 0)
		*c = CLI_CNT_ALL;
	else {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "unknown counter '%s' (bytes, packets, flows%s)", s,
			    allow_all ? ", all" : "");
		return FALSE;
	}
	return TRUE;
}

/* -T bytes|packets|flows[,N] */
static gboolean
cli_parse_top(const char *s, struct cli_opts *o, GError **err)
{
	char **parts = g_strsplit(s, ",", 2);
	gboolean ok = cli_parse_counter(parts[0], FALSE, &o->top_by, err);
	char *end;

	if (ok && parts[1] != NULL) {
		o->top_n = g_ascii_strtoull(parts[1], &end, 10);
		if (parts[1][0] < '0' || parts[1][0] > '9' || *end != '\0' ||
		    o->top_n == 0) {
			g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
				    "-T: bad number of rows '%s'", parts[1]);
			ok = FALSE;
		}
	}
	o->top = ok;
	g_strfreev(parts);
	return ok;
}

static gboolean
cli_parse_output(const char *s, struct fmt_opts *f, GError **err)
{
	if (strcmp(s, "formatted") == 0)
		f->output = FMT_FORMATTED;
	else if (strcmp(s, "csv") == 0)
		f->output = FMT_CSV;
	else if (strcmp(s, "json") == 0)
		f->output = FMT_JSON;
	else {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "-O: unknown output '%s' (formatted, csv, json)",
			    s);
		return FALSE;
	}
	return TRUE;
}

/* -E: one character, or the two-character escapes \t and \s. */
static gboolean
cli_parse_sep(const char *s, struct fmt_opts *f, GError **err)
{
	if (strcmp(s, "\\t") == 0)
		f->sep = '\t';
	else if (strcmp(s, "\\s") == 0)
		f->sep = ' ';
	else if (strlen(s) == 1)
		f->sep = s[0];
	else {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "-E expects a single character, \\t or \\s: '%s'",
			    s);
		return FALSE;
	}
	return TRUE;
}

/* -c: comma-separated primitive names, in the order -M/-N values use. */
static gboolean
cli_parse_keys(const char *s, struct cli_opts *o, GError **err)
{
	char **names = g_strsplit(s, ",", -1);
	gboolean ok = TRUE;
	size_t i;

	o->nkeys = 0;
	for (i = 0; ok && names[i] != NULL; i++) {
		const struct prim *p = prim_find(g_strstrip(names[i]));

		if (p == NULL && prim_nearest(names[i]) != NULL) {
			g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
				    "-c: unknown primitive '%s'; did you mean "
				    "'%s'?",
				    names[i], prim_nearest(names[i]));
			ok = FALSE;
		} else if (p == NULL) {
			g_set_error(err, FT_ERROR, FT_ERROR_UNKNOWN,
				    "-c: unknown primitive '%s'", names[i]);
			ok = FALSE;
		} else if (o->nkeys == CLI_MAX_KEYS) {
			g_set_error(err, FT_ERROR, FT_ERROR_RANGE,
				    "-c: more than %d primitives",
				    CLI_MAX_KEYS);
			ok = FALSE;
		} else {
			o->keys[o->nkeys++] = p;
		}
	}
	if (ok && o->nkeys == 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "-c: no primitive given");
		ok = FALSE;
	}
	g_strfreev(names);
	return ok;
}

static gboolean
cli_set_mode(struct cli_opts *o, enum cli_mode m, GError **err)
{
	if (o->mode != CLI_MODE_NONE && o->mode != m) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "-s, -M, -N and --status are mutually exclusive");
		return FALSE;
	}
	o->mode = m;
	return TRUE;
}

static gboolean
cli_set_match(struct cli_opts *o, enum cli_mode m, const char *arg,
	      GError **err)
{
	o->match = arg;
	return cli_set_mode(o, m, err);
}

/* One option; a single dispatch switch. */
static gboolean
cli_option(int ch, const char *arg, struct cli_opts *o, struct cli_seen *seen,
	   GError **err)
{
	switch (ch) {
	case 'p':
		o->socket = arg;
		return TRUE;
	case 's':
		return cli_set_mode(o, CLI_MODE_SHOW, err);
	case CLI_OPT_STATUS:
		return cli_set_mode(o, CLI_MODE_STATUS, err);
	case CLI_OPT_DB:
		o->db = arg;
		return TRUE;
	case CLI_OPT_TABLE:
		o->table = arg;
		return TRUE;
	case CLI_OPT_FROM:
		return sqlquery_when(arg, g_get_real_time() / G_USEC_PER_SEC,
				     &o->from, err);
	case CLI_OPT_TO:
		return sqlquery_when(arg, g_get_real_time() / G_USEC_PER_SEC,
				     &o->to, err);
	case 'M':
		return cli_set_match(o, CLI_MODE_MATCH, arg, err);
	case 'N':
	case 'm':
		return cli_set_match(o, CLI_MODE_COUNT, arg, err);
	case 'T':
		return cli_parse_top(arg, o, err);
	case 'c':
		return cli_parse_keys(arg, o, err);
	case 'n':
		seen->counter = TRUE;
		return cli_parse_counter(arg, TRUE, &o->counter, err);
	case 'O':
		return cli_parse_output(arg, &o->fmt, err);
	case 'E':
		return cli_parse_sep(arg, &o->fmt, err);
	case 'e':
		o->erase = TRUE;
		return TRUE;
	case 'i':
		o->since = TRUE;
		return TRUE;
	case 'S':
		o->sum = TRUE;
		return TRUE;
	case 'r':
		o->reset = TRUE;
		return TRUE;
	case 'a':
		o->all = TRUE;
		return TRUE;
	case 'u':
		o->fmt.numeric_proto = TRUE;
		return TRUE;
	case 'I':
		o->fmt.time = FMT_TIME_EPOCH;
		return TRUE;
	case '0':
		o->fmt.utc = TRUE;
		return TRUE;
	case 'l':
		/* Every query is answered from one consistent snapshot. */
		return TRUE;
	default:
		g_assert_not_reached();
	}
	return FALSE;
}

static gboolean
cli_scope_error(GError **err, const char *msg)
{
	g_set_error_literal(err, FT_ERROR, FT_ERROR_SCOPE, msg);
	return FALSE;
}

/* The combinations pmacct refuses (reference 4.1), refused here too. */
static gboolean
cli_check(const struct cli_opts *o, const struct cli_seen *seen, GError **err)
{
	gboolean matching =
		o->mode == CLI_MODE_MATCH || o->mode == CLI_MODE_COUNT;

	if (o->mode == CLI_MODE_NONE && !o->erase && !o->since)
		return cli_scope_error(err, "no action given: one of -s, -M, "
					    "-N, -e, -i or --status is needed");
	if (matching && o->nkeys == 0)
		return cli_scope_error(err, "-M and -N need -c");
	if (o->db != NULL && (o->mode != CLI_MODE_SHOW || o->erase || o->since))
		return cli_scope_error(err, "--db reads with -s only");
	if (o->db == NULL &&
	    (o->table != NULL || o->from != 0 || o->to != INT64_MAX))
		return cli_scope_error(err,
				       "--table, --from and --to need --db");
	if (!matching && o->nkeys > 0 && o->db == NULL)
		return cli_scope_error(err, "-c applies only to -M and -N");
	if (o->reset && !matching)
		return cli_scope_error(err, "-r applies only to -M and -N");
	if ((seen->counter || o->sum) && o->mode != CLI_MODE_COUNT)
		return cli_scope_error(err, "-n and -S apply only to -N");
	if (o->top && o->mode != CLI_MODE_SHOW && o->mode != CLI_MODE_MATCH)
		return cli_scope_error(err, "-T applies only to -s and -M");
	return TRUE;
}

static void
cli_defaults(struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->socket = FT_DEFAULT_IMT_PATH;
	o->fmt.output = FMT_FORMATTED;
	o->fmt.order = FMT_ORDER_CLIENT;
	o->fmt.time = FMT_TIME_RFC3339;
	o->fmt.sep = ',';
	o->to = INT64_MAX;
}

static gboolean
cli_getopt_error(int argc, char **argv, GError **err)
{
	const char *what =
		optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
		    "unknown option or missing value: '%s'", what);
	return FALSE;
}

gboolean
cliopts_parse(int argc, char **argv, struct cli_opts *o, GError **err)
{
	static const char short_opts[] = "+hVp:seic:M:N:m:n:SrT:O:E:uaI0l";
	struct cli_seen seen = { FALSE };
	int ch;

	cli_defaults(o);
	optind = 0; /* glibc: restart scanning, for repeated parses */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, short_opts, cli_long, NULL)) !=
	       -1) {
		if (ch == 'h' || ch == 'V') {
			o->mode = ch == 'h' ? CLI_MODE_HELP : CLI_MODE_VERSION;
			return TRUE;
		}
		if (ch == '?' || ch == ':')
			return cli_getopt_error(argc, argv, err);
		if (!cli_option(ch, optarg, o, &seen, err))
			return FALSE;
	}
	if (optind < argc) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "unexpected argument '%s'", argv[optind]);
		return FALSE;
	}
	return cli_check(o, &seen, err);
}
