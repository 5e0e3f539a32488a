/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the flowtally command line and of -M/-N values, as
 * tables. The accepted and refused combinations are pmacct 1.7.7's client
 * rules (shared/reference/pmacct-1.7.7.md section 4.1); canonical values
 * follow RFC 5952 (IPv6 text) and IANA protocol numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/error.h"
#include "collector/cliopts.h"
#include "collector/matchval.h"

#define MAXARGS 12

struct opt_case {
	const char *argv[MAXARGS]; /* after the program name */
	int code;                  /* 0: accepted, else the FT_ERROR code */
	enum cli_mode mode;
};

static const struct opt_case opt_cases[] = {
	{ { "-s" }, 0, CLI_MODE_SHOW },
	{ { "--show", "--top", "bytes,10" }, 0, CLI_MODE_SHOW },
	{ { "-s", "-e" }, 0, CLI_MODE_SHOW },
	{ { "-e" }, 0, CLI_MODE_NONE },
	{ { "-i" }, 0, CLI_MODE_NONE },
	{ { "--status" }, 0, CLI_MODE_STATUS },
	{ { "-c", "src_host", "-M", "1.2.3.4" }, 0, CLI_MODE_MATCH },
	{ { "-c", "src_host", "-N", "1.2.3.4", "-n", "all", "-S" },
	  0,
	  CLI_MODE_COUNT },
	{ { "-c", "src_host", "-m", "1.2.3.4" }, 0, CLI_MODE_COUNT },
	{ { "-c", "dst_port", "-M", "80", "-r", "-T", "packets" },
	  0,
	  CLI_MODE_MATCH },
	{ { "-s", "-O", "csv", "-E", "\\t", "-u", "-I", "-0", "-a" },
	  0,
	  CLI_MODE_SHOW },
	{ { "-h" }, 0, CLI_MODE_HELP },
	{ { "-V" }, 0, CLI_MODE_VERSION },
	/* ERROR: no options specified */
	{ { NULL }, FT_ERROR_SCOPE, CLI_MODE_NONE },
	/* -s, -t, -N, -M and -C options are each mutually exclusive */
	{ { "-s", "-c", "src_host", "-M", "1.2.3.4" },
	  FT_ERROR_SCOPE,
	  CLI_MODE_NONE },
	{ { "-s", "--status" }, FT_ERROR_SCOPE, CLI_MODE_NONE },
	/* -N or -M selected but -c has not been specified */
	{ { "-N", "1.2.3.4" }, FT_ERROR_SCOPE, CLI_MODE_NONE },
	/* -r selected but either -N or -M has not been specified */
	{ { "-s", "-r" }, FT_ERROR_SCOPE, CLI_MODE_NONE },
	/* -n and -S options apply only to -N */
	{ { "-s", "-n", "packets" }, FT_ERROR_SCOPE, CLI_MODE_NONE },
	{ { "-c", "src_host", "-M", "1.2.3.4", "-S" },
	  FT_ERROR_SCOPE,
	  CLI_MODE_NONE },
	/* -T option apply only to -M or -s */
	{ { "-c", "src_host", "-N", "1.2.3.4", "-T", "bytes" },
	  FT_ERROR_SCOPE,
	  CLI_MODE_NONE },
	{ { "-e", "-T", "bytes" }, FT_ERROR_SCOPE, CLI_MODE_NONE },
	/* ERROR: unknown primitive 'foo' */
	{ { "-c", "foo", "-N", "1" }, FT_ERROR_UNKNOWN, CLI_MODE_NONE },
	/* -E option expects a single char as separator */
	{ { "-s", "-O", "csv", "-E", "ab" }, FT_ERROR_SYNTAX, CLI_MODE_NONE },
	{ { "-s", "-O", "xml" }, FT_ERROR_SYNTAX, CLI_MODE_NONE },
	{ { "-s", "-T", "octets" }, FT_ERROR_SYNTAX, CLI_MODE_NONE },
	{ { "-s", "-T", "bytes,0" }, FT_ERROR_SYNTAX, CLI_MODE_NONE },
	{ { "-c", "src_host", "-N", "1.2.3.4", "-n", "octets" },
	  FT_ERROR_SYNTAX,
	  CLI_MODE_NONE },
	{ { "-s", "-x" }, FT_ERROR_SYNTAX, CLI_MODE_NONE },
	{ { "-s", "extra" }, FT_ERROR_SYNTAX, CLI_MODE_NONE },
	{ { "-s", "-p" }, FT_ERROR_SYNTAX, CLI_MODE_NONE },
};

static void
test_options(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(opt_cases) / sizeof(opt_cases[0]); i++) {
		const struct opt_case *c = &opt_cases[i];
		char *argv[MAXARGS + 2] = { (char *)"flowtally" };
		struct cli_opts o;
		GError *err = NULL;
		gboolean ok;

		for (n = 0; c->argv[n] != NULL; n++)
			argv[n + 1] = (char *)c->argv[n];
		print_message("case %zu: %s ...\n", i,
			      n > 0 ? c->argv[0] : "(none)");
		ok = cliopts_parse((int)n + 1, argv, &o, &err);
		if (c->code == 0) {
			assert_true(ok);
			assert_int_equal(o.mode, c->mode);
		} else {
			assert_false(ok);
			assert_int_equal(err->code, c->code);
			g_error_free(err);
		}
	}
}

/* The parsed values behind the flags. */
static void
test_option_values(void **state)
{
	char *argv[] = { (char *)"flowtally", (char *)"-p",
			 (char *)"/x.sock",   (char *)"-s",
			 (char *)"-T",        (char *)"packets,2",
			 (char *)"-O",        (char *)"csv",
			 (char *)"-E",        (char *)"\\s",
			 (char *)"-I" };
	struct cli_opts o;

	(void)state;
	assert_true(cliopts_parse(G_N_ELEMENTS(argv), argv, &o, NULL));
	assert_string_equal(o.socket, "/x.sock");
	assert_true(o.top);
	assert_int_equal(o.top_by, CLI_CNT_PACKETS);
	assert_int_equal(o.top_n, 2);
	assert_int_equal(o.fmt.output, FMT_CSV);
	assert_int_equal(o.fmt.sep, ' ');
	assert_int_equal(o.fmt.time, FMT_TIME_EPOCH);
}

struct value_case {
	const char *prim;
	const char *in;
	const char *want; /* NULL: refused */
};

static const struct value_case value_cases[] = {
	{ "src_host", "192.168.1.10", "192.168.1.10" },
	{ "src_host", "2001:0db8:0:0::10", "2001:db8::10" }, /* RFC 5952 */
	{ "src_host", "*", "*" },
	{ "src_host", "x", NULL },
	{ "src_host", "192.168.1.0/24", NULL },
	{ "src_net", "192.168.1.0", "192.168.1.0" },
	{ "src_net", "192.168.1.77/24", "192.168.1.0" },
	{ "dst_mac", "00:11:22:33:44:0A", "00:11:22:33:44:0a" },
	{ "dst_mac", "00-11-22-33-44-0a", "00:11:22:33:44:0a" },
	{ "dst_mac", "00:11:22", NULL },
	{ "proto", "tcp", "6" },
	{ "proto", "udp", "17" },
	{ "proto", "icmp", "1" },
	{ "proto", "17", "17" },
	{ "proto", "256", NULL },
	{ "proto", "nosuch", NULL },
	{ "dst_port", "65535", "65535" },
	{ "dst_port", "65536", NULL },
	{ "dst_port", "-1", NULL },
	{ "vlan", "4095", "4095" },
	{ "tos", "256", NULL },
	{ "in_iface", "4294967295", "4294967295" },
	{ "timestamp_start", "1700000002.5", "1700000002.500000" },
	{ "timestamp_start", "1700000002", "1700000002.000000" },
	{ "timestamp_start", "2023-11-14T22:13:22.5Z", "1700000002.500000" },
	{ "timestamp_start", "2023-11-14T22:13:22", "1700000002.000000" },
	{ "timestamp_start", "yesterday", NULL },
};

static void
test_values(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const struct value_case *c = &value_cases[i];
		GError *err = NULL;
		char *got =
			matchval_value(prim_find(c->prim), c->in, TRUE, &err);

		print_message("value %s '%s'\n", c->prim, c->in);
		if (c->want == NULL) {
			assert_null(got);
			assert_non_null(err);
			g_error_free(err);
		} else {
			assert_non_null(got);
			assert_string_equal(got, c->want);
			g_free(got);
		}
	}
}

/* Queries: `;` between them, `,` inside, in -c order; file: one a line. */
static void
test_queries(void **state)
{
	const struct prim *keys[2] = { prim_find("src_host"),
				       prim_find("proto") };
	GPtrArray *q = g_ptr_array_new_with_free_func(g_free);
	char path[] = "/tmp/test-cliopts.XXXXXX";
	GError *err = NULL;
	char *arg;
	int fd;

	(void)state;
	assert_true(matchval_parse(keys, 2, "192.168.1.10,tcp;*,udp;", TRUE, q,
				   NULL));
	assert_int_equal(q->len, 2);
	assert_string_equal(q->pdata[0], "192.168.1.10\t6");
	assert_string_equal(q->pdata[1], "*\t17");
	g_ptr_array_set_size(q, 0);

	assert_false(matchval_parse(keys, 2, "192.168.1.10", TRUE, q, &err));
	g_clear_error(&err);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "10.0.0.1,icmp\n\n*,*\n", 19), 19);
	close(fd);
	arg = g_strconcat("file:", path, NULL);
	assert_true(matchval_parse(keys, 2, arg, TRUE, q, NULL));
	g_free(arg);
	unlink(path);
	assert_int_equal(q->len, 2);
	assert_string_equal(q->pdata[0], "10.0.0.1\t1");
	assert_string_equal(q->pdata[1], "*\t*");
	g_ptr_array_free(q, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_option_values),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_queries),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
