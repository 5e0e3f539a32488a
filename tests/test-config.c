/* SPDX-License-Identifier: ISC */
/*
 * The configuration parser on good and bad files. Good cases state the
 * normalised dump that pmacct's syntax and our rules (DESIGN.md, the
 * pmacct reference, section 1) call for; bad cases state the exact
 * FILE:LINE message. The seed configuration is also read from DESIGN.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/config.h"
#include "common/error.h"

#define SEED                                                                   \
	"plugins: memory[plugin1]\n"                                           \
	"plugin_buffer_size[plugin1]: 102400\n"                                \
	"plugin_pipe_size[plugin1]: 10240000\n"                                \
	"imt_mem_pools_number: 256\n"                                          \
	"imt_path[plugin1]: /var/spool/pmacct/plugin1.pipe\n"                  \
	"aggregate[plugin1]: src_host, src_port, src_mac, dst_host, "          \
	"dst_port, dst_mac, proto\n"                                           \
	"aggregate_filter[plugin1]: ip\n"

#define SEED_DUMP                                                              \
	"imt_mem_pools_number: 256\n"                                          \
	"plugins: memory[plugin1]\n"                                           \
	"aggregate[plugin1]: src_host, src_port, src_mac, dst_host, "          \
	"dst_port, dst_mac, proto\n"                                           \
	"aggregate_filter[plugin1]: ip\n"                                      \
	"imt_path[plugin1]: /var/spool/pmacct/plugin1.pipe\n"                  \
	"plugin_buffer_size[plugin1]: 102400\n"                                \
	"plugin_pipe_size[plugin1]: 10240000\n"

struct good {
	const char *what;
	enum cfg_daemon daemon;
	const char *text;
	const char *dump;
};

static const struct good goods[] = {
	{ "seed configuration", CFG_COLLECTOR, SEED, SEED_DUMP },
	{ "no plugins line", CFG_COLLECTOR, "aggregate: dst_host\n",
	  "aggregate: dst_host\nplugins: memory[default]\n" },
	{ "empty file", CFG_COLLECTOR, "", "plugins: memory[default]\n" },
	{ "comments and blanks", CFG_COLLECTOR,
	  "! pmacct comment\n# hash comment\n\n   \n  ! indented\n",
	  "plugins: memory[default]\n" },
	{ "key part squeezed and lower-cased", CFG_COLLECTOR,
	  "plugins: memory[Mixed_Case]\n"
	  "Imt_Path [Mixed_Case] : /x\n",
	  "plugins: memory[Mixed_Case]\nimt_path[Mixed_Case]: /x\n" },
	{ "alias maps to our name", CFG_COLLECTOR,
	  "nfacctd_port: 2100\nnfacctd_ip: 127.0.0.1\n",
	  "collector_ip: 127.0.0.1\ncollector_port: 2100\n"
	  "plugins: memory[default]\n" },
	{ "trailing comments cut", CFG_COLLECTOR,
	  "aggregate: src_host ! note\nsql_refresh_time: 30 # half\n"
	  "plugins: sqlite3[s]\n",
	  "aggregate: src_host\nplugins: sqlite3[s]\n"
	  "sql_refresh_time: 30\n" },
	{ "a mark inside a word is kept", CFG_COLLECTOR,
	  "plugins: print[p]\nprint_output_file[p]: /tmp/a#b!c\n",
	  "plugins: print[p]\nprint_output_file[p]: /tmp/a#b!c\n" },
	{ "filter keeps its negation", CFG_COLLECTOR,
	  "plugins: memory[m]\n"
	  "aggregate_filter[m]: ! src net 10.0.0.0/8 and not ! tcp # x\n",
	  "plugins: memory[m]\n"
	  "aggregate_filter[m]: ! src net 10.0.0.0/8 and not ! tcp\n" },
	{ "value keeps later colons", CFG_PROBE,
	  "plugins: nfprobe[n]\n"
	  "nfprobe_receiver[n]: [::1]:2100, 127.0.0.1:4739\n"
	  "nfprobe_timeouts[n]: tcp=60:udp=30\n",
	  "plugins: nfprobe[n]\n"
	  "nfprobe_receiver[n]: [::1]:2100, 127.0.0.1:4739\n"
	  "nfprobe_timeouts[n]: tcp=60:udp=30\n" },
	{ "lists normalised", CFG_COLLECTOR,
	  "aggregate:src_host,,  dst_host ,proto\n",
	  "aggregate: src_host, dst_host, proto\nplugins: memory[default]\n" },
	{ "bare plugin types", CFG_COLLECTOR, "plugins: memory, print\n",
	  "plugins: memory[default_memory], print[default_print]\n" },
	{ "per-plugin lines before the plugins line", CFG_COLLECTOR,
	  "aggregate[b]: proto\nplugins: memory[a], memory[b]\n",
	  "plugins: memory[a], memory[b]\naggregate[b]: proto\n" },
	{ "later line of one scope wins", CFG_COLLECTOR,
	  "aggregate: src_host\naggregate: dst_host\n",
	  "aggregate: dst_host\nplugins: memory[default]\n" },
	{ "probe gets no default plugin", CFG_PROBE,
	  "pcap_interface: eth0\nsnaplen: 128\n",
	  "pcap_interface: eth0\nsnaplen: 128\n" },
	{ "typed values", CFG_COLLECTOR,
	  "plugins: sqlite3[s]\nsql_history[s]: 1M\n"
	  "sql_busy_timeout[s]: 1m\nplugin_pipe_size: 64K\n"
	  "timestamps_utc: No\ncollector_time_new: TRUE\n",
	  "collector_time_new: TRUE\nplugin_pipe_size: 64K\n"
	  "plugins: sqlite3[s]\ntimestamps_utc: No\n"
	  "sql_busy_timeout[s]: 1m\nsql_history[s]: 1M\n" },
	{ "CRLF line ends", CFG_COLLECTOR, "aggregate: proto\r\n",
	  "aggregate: proto\nplugins: memory[default]\n" },
};

struct bad {
	const char *what;
	enum cfg_daemon daemon;
	const char *text;
	int code;
	const char *msg;
};

static const struct bad bads[] = {
	{ "misspelt key", CFG_COLLECTOR,
	  "plugins: memory[plugin1]\nagregate[plugin1]: src_host\n",
	  FT_ERROR_UNKNOWN,
	  "t.conf:2: unknown key 'agregate'; did you mean 'aggregate'?" },
	{ "misspelt alias", CFG_COLLECTOR, "nfacctd_prot: 2100\n",
	  FT_ERROR_UNKNOWN,
	  "t.conf:1: unknown key 'nfacctd_prot'; did you mean "
	  "'nfacctd_port'?" },
	{ "unknown key, nothing near", CFG_COLLECTOR, "bogus_key: 1\n",
	  FT_ERROR_UNKNOWN, "t.conf:1: unknown key 'bogus_key'" },
	{ "missing colon", CFG_COLLECTOR, "\naggregate src_host\n",
	  FT_ERROR_SYNTAX, "t.conf:2: missing ':' between key and value" },
	{ "unbalanced bracket", CFG_COLLECTOR, "aggregate[p: src_host\n",
	  FT_ERROR_SYNTAX, "t.conf:1: 'aggregate[p' is not key[plugin]" },
	{ "nested bracket", CFG_COLLECTOR, "aggregate[[p]]: src_host\n",
	  FT_ERROR_SYNTAX, "t.conf:1: 'aggregate[[p]]' is not key[plugin]" },
	{ "stray bracket", CFG_COLLECTOR, "aggregate]: src_host\n",
	  FT_ERROR_SYNTAX, "t.conf:1: 'aggregate]' has an unbalanced ']'" },
	{ "no value", CFG_COLLECTOR, "aggregate: ! only a comment\n",
	  FT_ERROR_SYNTAX, "t.conf:1: key 'aggregate' has no value" },
	{ "global filter", CFG_COLLECTOR, "aggregate_filter: ip\n",
	  FT_ERROR_SCOPE,
	  "t.conf:1: key 'aggregate_filter' cannot be global; write "
	  "aggregate_filter[NAME]" },
	{ "global-only key per plugin", CFG_COLLECTOR,
	  "plugins: memory[m]\nnfacctd_port[m]: 2100\n", FT_ERROR_SCOPE,
	  "t.conf:2: key 'collector_port' is global only; remove '[m]'" },
	{ "key of the other daemon", CFG_COLLECTOR, "pcap_filter: ip\n",
	  FT_ERROR_SCOPE,
	  "t.conf:1: key 'pcap_filter' is for flowtally-probe, not "
	  "flowtally-collector" },
	{ "key of a plugin type that does not take it", CFG_COLLECTOR,
	  "plugins: memory[m]\nsql_db[m]: /tmp/x.db\n", FT_ERROR_SCOPE,
	  "t.conf:2: key 'sql_db' does not apply to memory plugin 'm'" },
	{ "undeclared plugin", CFG_COLLECTOR,
	  "plugins: memory[m]\n\naggregate[n]: proto\n", FT_ERROR_UNKNOWN,
	  "t.conf:3: no plugin named 'n' is declared (declared: m)" },
	{ "plugin name is case-sensitive", CFG_COLLECTOR,
	  "plugins: memory[P1]\naggregate[p1]: proto\n", FT_ERROR_UNKNOWN,
	  "t.conf:2: no plugin named 'p1' is declared (declared: P1)" },
	{ "per-plugin line with no plugins line", CFG_COLLECTOR,
	  "aggregate[x]: proto\n", FT_ERROR_UNKNOWN,
	  "t.conf:1: no plugin named 'x' is declared (declared: "
	  "default)" },
	{ "the first of several bad lines", CFG_COLLECTOR,
	  "plugins: memory[m]\naggregate[z]: proto\nsql_db[m]: /x.db\n"
	  "aggregate[y]: proto\naggregate[a]: proto\n",
	  FT_ERROR_UNKNOWN,
	  "t.conf:2: no plugin named 'z' is declared (declared: m)" },
	{ "the first of several bad lines, a type", CFG_COLLECTOR,
	  "plugins: memory[m], print[p]\nprint_markers[m]: true\n"
	  "aggregate[y]: proto\nsql_db[p]: /x.db\naggregate[a]: proto\n",
	  FT_ERROR_SCOPE,
	  "t.conf:2: key 'print_markers' does not apply to memory plugin "
	  "'m'" },
	{ "plugin type of the other daemon", CFG_COLLECTOR,
	  "plugins: nfprobe[n]\n", FT_ERROR_UNKNOWN,
	  "t.conf:1: plugins: unknown plugin type 'nfprobe' for "
	  "flowtally-collector (known: memory, sqlite3, print)" },
	{ "unknown plugin type", CFG_PROBE, "plugins: tee[t]\n",
	  FT_ERROR_UNKNOWN,
	  "t.conf:1: plugins: unknown plugin type 'tee' for "
	  "flowtally-probe (known: nfprobe)" },
	{ "duplicate plugin name", CFG_COLLECTOR,
	  "plugins: memory[a], print[a]\n", FT_ERROR_SYNTAX,
	  "t.conf:1: plugins: plugin name 'a' is declared twice" },
	{ "second plugins line", CFG_COLLECTOR,
	  "plugins: memory[a]\nplugins: memory[b]\n", FT_ERROR_SYNTAX,
	  "t.conf:2: plugins already declared at t.conf:1" },
	{ "plugin name with a slash", CFG_COLLECTOR, "plugins: memory[../x]\n",
	  FT_ERROR_SYNTAX,
	  "t.conf:1: plugins: plugin name '../x' must be letters, digits, "
	  "'_', '-' or '.'" },
	{ "bad boolean", CFG_COLLECTOR, "nfacctd_time_new: maybe\n",
	  FT_ERROR_SYNTAX,
	  "t.conf:1: collector_time_new: 'maybe' is not a boolean (true, "
	  "false, yes, no, 1, 0)" },
	{ "uint out of range", CFG_PROBE, "snaplen: 20\n", FT_ERROR_RANGE,
	  "t.conf:1: snaplen: '20' is out of range 68 to 262144" },
	{ "bad duration", CFG_COLLECTOR,
	  "plugins: print[p]\nprint_refresh_time[p]: 5x\n", FT_ERROR_SYNTAX,
	  "t.conf:2: print_refresh_time: '5x' is not a duration (30, 30s, "
	  "5m, 1h, 1d, 1w)" },
	{ "size as pmacct would misread it", CFG_COLLECTOR,
	  "plugin_pipe_size: 10 M\n", FT_ERROR_SYNTAX,
	  "t.conf:1: plugin_pipe_size: '10 M' is not a size (100, 64K, "
	  "50GB, 1TiB)" },
	{ "bad receiver", CFG_PROBE, "nfprobe_receiver: ::1:2100\n",
	  FT_ERROR_SYNTAX,
	  "t.conf:1: nfprobe_receiver: '::1:2100' is not host:port (write "
	  "IPv6 as [address]:port)" },
	{ "comment glued to a value", CFG_COLLECTOR,
	  "nfacctd_time_new: true!x\n", FT_ERROR_SYNTAX,
	  "t.conf:1: collector_time_new: 'true!x' is not a boolean (true, "
	  "false, yes, no, 1, 0)" },
};

static void
test_good(void **state)
{
	const struct good *g = *state;
	struct cfg *cfg = cfg_new(g->daemon);
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	gboolean ok;

	ok = cfg_load_string(cfg, "t.conf", g->text, &err) &&
	     cfg_finish(cfg, &err);
	if (!ok)
		fail_msg("%s: %s", g->what, err->message);
	cfg_dump(cfg, out);
	assert_string_equal(out->str, g->dump);
	g_string_free(out, TRUE);
	cfg_free(cfg);
}

static void
test_bad(void **state)
{
	const struct bad *b = *state;
	struct cfg *cfg = cfg_new(b->daemon);
	GError *err = NULL;
	gboolean ok;

	ok = cfg_load_string(cfg, "t.conf", b->text, &err) &&
	     cfg_finish(cfg, &err);
	if (ok)
		fail_msg("%s: accepted", b->what);
	assert_int_equal(err->domain, FT_ERROR);
	assert_string_equal(err->message, b->msg);
	assert_int_equal(err->code, b->code);
	g_error_free(err);
	cfg_free(cfg);
}

static struct cfg *
load(enum cfg_daemon daemon, const char *text)
{
	struct cfg *cfg = cfg_new(daemon);
	GError *err = NULL;

	if (!cfg_load_string(cfg, "t.conf", text, &err) ||
	    !cfg_finish(cfg, &err))
		fail_msg("%s", err->message);
	return cfg;
}

/* pmacct's reference case 1.3: here p1 keeps src_host. */
static void
test_plugin_wins(void **state)
{
	struct cfg *cfg =
		load(CFG_COLLECTOR, "plugins: memory[p1], memory[p2]\n"
				    "aggregate[p1]: src_host\n"
				    "aggregate: dst_host\n"
				    "aggregate[p2]: proto\n");

	assert_string_equal(cfg_str(cfg, "p1", "aggregate"), "src_host");
	assert_string_equal(cfg_str(cfg, "p2", "aggregate"), "proto");
	assert_string_equal(cfg_str(cfg, NULL, "aggregate"), "dst_host");
	assert_true(cfg_is_set(cfg, "p1", "aggregate"));
	cfg_free(cfg);
}

static void
test_lookups(void **state)
{
	struct cfg *cfg =
		load(CFG_COLLECTOR, "plugins: sqlite3[s], memory[m]\n"
				    "sql_refresh_time[s]: 2m\n"
				    "plugin_pipe_size: 10M\n"
				    "imt_max_entries[m]: 4096\n"
				    "timestamps_secs: yes\n"
				    "aggregate[m]: src_host, dst_port\n");
	gchar **items;

	assert_int_equal(cfg_plugin_count(cfg), 2);
	assert_string_equal(cfg_plugin_name(cfg, 0), "s");
	assert_string_equal(cfg_plugin_type(cfg, 0), "sqlite3");
	assert_string_equal(cfg_plugin_name(cfg, 1), "m");
	assert_string_equal(cfg_plugin_type(cfg, 1), "memory");
	assert_int_equal(cfg_duration(cfg, "s", "sql_refresh_time"), 120);
	assert_int_equal(cfg_size(cfg, "m", "plugin_pipe_size"), 10485760);
	assert_int_equal(cfg_uint(cfg, "m", "imt_max_entries"), 4096);
	assert_true(cfg_bool(cfg, "s", "timestamps_secs"));
	items = cfg_list(cfg, "m", "aggregate");
	assert_int_equal(g_strv_length(items), 2);
	assert_string_equal(items[0], "src_host");
	assert_string_equal(items[1], "dst_port");
	g_strfreev(items);

	/* Unset: the registry's default, or NULL without one. */
	assert_string_equal(cfg_str(cfg, "s", "aggregate"), "src_host");
	assert_false(cfg_is_set(cfg, "s", "aggregate"));
	assert_int_equal(cfg_duration(cfg, "s", "sql_busy_timeout"), 5);
	assert_null(cfg_str(cfg, "s", "sql_table"));
	assert_int_equal(cfg_uint(cfg, "s", "sql_table_version"), 0);
	items = cfg_list(cfg, NULL, "pcap_interface");
	assert_null(items[0]);
	g_strfreev(items);
	cfg_free(cfg);
}

/* A command-line value wins over the file, even over a per-plugin line. */
static void
test_cmdline(void **state)
{
	struct cfg *cfg = load(CFG_COLLECTOR, "plugins: memory[m]\n"
					      "aggregate[m]: proto\n"
					      "nfacctd_port: 2100\n");
	GError *err = NULL;

	assert_true(cfg_set(cfg, "collector_port", NULL, "2101", &err));
	assert_true(cfg_set(cfg, "aggregate", NULL, "dst_host", &err));
	assert_string_equal(cfg_str(cfg, NULL, "collector_port"), "2101");
	assert_string_equal(cfg_str(cfg, "m", "aggregate"), "dst_host");
	assert_true(cfg_set(cfg, "aggregate", "m", "tos", &err));
	assert_string_equal(cfg_str(cfg, "m", "aggregate"), "tos");
	assert_false(cfg_set(cfg, "snaplen", NULL, "100", &err));
	assert_string_equal(err->message,
			    "command line: key 'snaplen' is for "
			    "flowtally-probe, not flowtally-collector");
	g_clear_error(&err);
	assert_false(cfg_set(cfg, "collector_port", NULL, "", &err));
	g_clear_error(&err);

	/* Whichever comes first, the command line stays. */
	assert_true(
		cfg_load_string(cfg, "late.conf", "nfacctd_port: 9\n", &err));
	assert_string_equal(cfg_str(cfg, NULL, "collector_port"), "2101");
	cfg_free(cfg);
}

static void
test_noop_summary(void **state)
{
	struct cfg *cfg = load(CFG_COLLECTOR, SEED);
	gchar *s = cfg_noop_summary(cfg);

	assert_non_null(s);
	assert_string_equal(s, "imt_mem_pools_number, plugin_buffer_size, "
			       "plugin_pipe_size");
	g_free(s);
	cfg_free(cfg);
	cfg = load(CFG_COLLECTOR, "aggregate: proto\n");
	assert_null(cfg_noop_summary(cfg));
	cfg_free(cfg);
}

/* Every registry row is well formed: this guards later additions. */
static void
test_registry(void **state)
{
	const struct cfg_key *k, *j;

	for (k = cfg_keys; k->name != NULL; k++) {
		assert_ptr_equal(cfg_key_find(k->name), k);
		if (k->alias != NULL)
			assert_ptr_equal(cfg_key_find(k->alias), k);
		assert_true(k->daemons != 0);
		assert_non_null(k->help);
		if (k->scope == CFG_S_PLUGIN)
			assert_true(k->plugins != 0);
		if (k->type == CFG_T_UINT)
			assert_true(k->min <= k->max);
		for (j = k + 1; j->name != NULL; j++)
			assert_string_not_equal(j->name, k->name);
	}
}

/* Every default parses as its key's type, in either daemon. */
static void
test_defaults(void **state)
{
	const struct cfg_key *k;
	struct cfg *cfg;
	GError *err = NULL;
	char *line;

	for (k = cfg_keys; k->name != NULL; k++) {
		if (k->defval == NULL)
			continue;
		cfg = cfg_new(k->daemons & CFG_COLLECTOR ? CFG_COLLECTOR
							 : CFG_PROBE);
		line = g_strdup_printf(
			"plugins: %s[x]\n%s%s: %s\n",
			k->daemons & CFG_COLLECTOR ? "memory" : "nfprobe",
			k->name, k->scope == CFG_S_PLUGIN ? "[x]" : "",
			k->defval);
		if (!cfg_load_string(cfg, "default", line, &err))
			fail_msg("%s", err->message);
		g_free(line);
		cfg_free(cfg);
	}
}

/* The seed configuration as DESIGN.md shows it, when the file is here. */
static void
test_design_seed(void **state)
{
	char *path =
		g_build_filename(FT_SRCDIR, "..", "shared", "DESIGN.md", NULL);
	gchar *text = NULL, *start, *end;
	struct cfg *cfg;

	if (!g_file_get_contents(path, &text, NULL, NULL)) {
		g_free(path);
		skip();
	}
	start = strstr(text, "```\nplugins: memory[plugin1]\n");
	assert_non_null(start);
	start += 4;
	end = strstr(start, "```");
	assert_non_null(end);
	*end = '\0';
	cfg = load(CFG_COLLECTOR, start);
	assert_string_equal(cfg_str(cfg, "plugin1", "aggregate_filter"), "ip");
	assert_string_equal(cfg_str(cfg, "plugin1", "imt_path"),
			    "/var/spool/pmacct/plugin1.pipe");
	cfg_free(cfg);
	g_free(text);
	g_free(path);
}

/*
 * Every example in flowtally.conf(5) must load: a page that shows a
 * configuration the parser refuses misleads its reader.
 */
static void
test_man_examples(void **state)
{
	char *path =
		g_build_filename(FT_SRCDIR, "man", "flowtally.conf.5", NULL);
	gchar *text = NULL, *p, *end;
	struct cfg *cfg;
	int n = 0;

	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	p = strstr(text, "\n.Sh EXAMPLES\n");
	assert_non_null(p);
	end = strstr(p + 1, "\n.Sh ");
	assert_non_null(end);
	*end = '\0';
	while ((p = strstr(p, "\n.Bd -literal -offset indent\n")) != NULL) {
		p += strlen("\n.Bd -literal -offset indent\n");
		end = strstr(p, "\n.Ed");
		assert_non_null(end);
		end[1] = '\0';
		cfg = load(strstr(p, "nfprobe") ? CFG_PROBE : CFG_COLLECTOR, p);
		cfg_free(cfg);
		p = end + 2;
		n++;
	}
	assert_true(n >= 3);
	g_free(text);
	g_free(path);
}

static void
test_file(void **state)
{
	char *path = g_build_filename(g_get_tmp_dir(), "ft-cfg-XXXXXX", NULL);
	int fd = g_mkstemp(path);
	struct cfg *cfg = cfg_new(CFG_COLLECTOR);
	GError *err = NULL;
	char *msg;

	assert_true(fd >= 0);
	assert_true(g_file_set_contents(path, "\n\nagregate: x\n", -1, NULL));
	assert_false(cfg_load_file(cfg, path, &err));
	msg = g_strdup_printf("%s:3: unknown key 'agregate'; did you mean "
			      "'aggregate'?",
			      path);
	assert_string_equal(err->message, msg);
	g_clear_error(&err);
	cfg_free(cfg);
	g_free(msg);
	unlink(path);
	close(fd);
	cfg = cfg_new(CFG_COLLECTOR);
	assert_false(cfg_load_file(cfg, path, &err));
	assert_int_equal(err->code, FT_ERROR_IO);
	g_clear_error(&err);
	cfg_free(cfg);
	g_free(path);
}

static const struct CMUnitTest others[] = {
	cmocka_unit_test(test_plugin_wins),
	cmocka_unit_test(test_lookups),
	cmocka_unit_test(test_cmdline),
	cmocka_unit_test(test_noop_summary),
	cmocka_unit_test(test_registry),
	cmocka_unit_test(test_defaults),
	cmocka_unit_test(test_design_seed),
	cmocka_unit_test(test_file),
	cmocka_unit_test(test_man_examples),
};

#define N_CASES                                                                \
	(G_N_ELEMENTS(goods) + G_N_ELEMENTS(bads) + G_N_ELEMENTS(others))

static void
add_case(struct CMUnitTest *t, const char *name, CMUnitTestFunction fn,
	 const void *c)
{
	t->name = name;
	t->test_func = fn;
	t->initial_state = (void *)c;
}

int
main(void)
{
	struct CMUnitTest tests[N_CASES] = { { 0 } };
	size_t i, n = 0;

	for (i = 0; i < G_N_ELEMENTS(goods); i++)
		add_case(&tests[n++], goods[i].what, test_good, &goods[i]);
	for (i = 0; i < G_N_ELEMENTS(bads); i++)
		add_case(&tests[n++], bads[i].what, test_bad, &bads[i]);
	for (i = 0; i < G_N_ELEMENTS(others); i++)
		tests[n++] = others[i];
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
