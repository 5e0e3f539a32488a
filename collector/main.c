/* SPDX-License-Identifier: ISC */
/*
 * flowtally-collector: receives IPFIX (NetFlow later) over UDP, or reads
 * an IPFIX File with -r, and feeds every record to the plugins of the
 * pipeline. main() reads the options and the configuration, opens the
 * listeners, leaves the terminal, builds the pipeline, drops privileges
 * and runs GLib's main loop until SIGTERM or SIGINT.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <glib.h>
#include <glib-unix.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/error.h"
#include "common/log.h"
#include "collector/dispatch.h"
#include "collector/listen.h"
#include "collector/offline.h"
#include "collector/pipeline.h"

#define COLLECTOR_TICK_S 1
#define COLLECTOR_INFO_S 60 /* the periodic counters line */

struct cli {
	const char *config, *readfile, *port, *ip;
	gboolean foreground, test, verbose;
};

struct collector {
	const struct cfg *cfg;
	struct pipeline *pl;
	struct dispatch *d;
	struct listener *l; /* NULL when reading a file */
	GMainLoop *loop;
	uint64_t start_ms;
	guint ticks;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: flowtally-collector [-dhnvV] [-f file] [-L address] "
		   "[-l port]\n"
		   "\t[-r file]\n");
}

static void
parse_args(int argc, char *argv[], struct cli *c)
{
	int ch;

	while ((ch = getopt(argc, argv, "df:hL:l:nr:vV")) != -1) {
		switch (ch) {
		case 'd':
			c->foreground = TRUE;
			break;
		case 'f':
			c->config = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'L':
			c->ip = optarg;
			break;
		case 'l':
			c->port = optarg;
			break;
		case 'n':
			c->test = TRUE;
			break;
		case 'r':
			c->readfile = optarg;
			break;
		case 'v':
			c->verbose = TRUE;
			break;
		case 'V':
			printf("flowtally-collector %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(1);
	}
}

/* Command-line options are global values that beat the file. */
static gboolean
apply_cli(struct cfg *cfg, const struct cli *c, GError **err)
{
	return (c->ip == NULL ||
		cfg_set(cfg, "collector_ip", NULL, c->ip, err)) &&
	       (c->port == NULL ||
		cfg_set(cfg, "collector_port", NULL, c->port, err)) &&
	       ((!c->foreground && c->readfile == NULL) ||
		cfg_set(cfg, "daemonize", NULL, "false", err));
}

static struct cfg *
load_config(const struct cli *c, GError **err)
{
	struct cfg *cfg = cfg_new(CFG_COLLECTOR);

	if ((c->config != NULL && !cfg_load_file(cfg, c->config, err)) ||
	    !apply_cli(cfg, c, err) || !cfg_finish(cfg, err)) {
		cfg_free(cfg);
		return NULL;
	}
	return cfg;
}

/* The listener settings, as open_listeners() will take them. */
static gboolean
check_listeners(const struct cfg *cfg, GError **err)
{
	gchar **ips = cfg_list(cfg, NULL, "collector_ip");
	gchar **ports = cfg_list(cfg, NULL, "collector_port");
	gboolean ok = listen_check(ips, ports, err);

	g_strfreev(ips);
	g_strfreev(ports);
	return ok;
}

/*
 * The configuration test: besides the syntax, build every plugin without
 * opening anything, so that a bad filter or aggregate fails here too.
 */
static int
config_test(const struct cfg *cfg)
{
	GString *out;
	GError *err = NULL;

	if (!check_listeners(cfg, &err) || !pipeline_check(cfg, &err)) {
		log_err("%s", err->message);
		g_error_free(err);
		return 1;
	}
	out = g_string_new(NULL);
	cfg_dump(cfg, out);
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	return 0;
}

static uint64_t
now_ms(void)
{
	return (uint64_t)(g_get_real_time() / 1000);
}

static void
sink_record(void *data, const struct flowrec *rec)
{
	const struct collector *c = data;

	pipeline_record(c->pl, rec);
}

/* The receive side's part of `flowtally --status`. */
static void
status_fill(GString *out, void *data)
{
	struct collector *c = data;

	g_string_append_printf(out, "uptime: %" G_GUINT64_FORMAT " s\n",
			       (now_ms() - c->start_ms) / 1000);
	if (c->l != NULL)
		g_string_append_printf(out,
				       "kernel-drops: %" G_GUINT64_FORMAT "\n",
				       listen_kernel_drops(c->l));
	exporter_table_report(dispatch_exporters(c->d), out);
}

static void
log_counters(struct collector *c)
{
	GString *s = g_string_new(NULL);

	exporter_table_summary(dispatch_exporters(c->d), s);
	if (c->l != NULL)
		g_string_append_printf(s, " kernel-drops=%" G_GUINT64_FORMAT,
				       listen_kernel_drops(c->l));
	log_info("%s", s->str);
	g_string_free(s, TRUE);
}

static void
log_report(struct collector *c)
{
	GString *s = g_string_new(NULL);
	gchar **lines;

	status_fill(s, c);
	lines = g_strsplit(s->str, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++)
		if (*lines[i] != '\0')
			log_info("%s", lines[i]);
	g_strfreev(lines);
	g_string_free(s, TRUE);
}

static gboolean
on_tick(gpointer data)
{
	struct collector *c = data;

	pipeline_tick(c->pl, now_ms());
	if (++c->ticks % (COLLECTOR_INFO_S / COLLECTOR_TICK_S) == 0)
		log_counters(c);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_stop(gpointer data)
{
	struct collector *c = data;

	g_main_loop_quit(c->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_reopen(gpointer data)
{
	if (log_reopen() != 0)
		log_warn("cannot reopen the log file");
	return G_SOURCE_CONTINUE;
}

static gboolean
on_report(gpointer data)
{
	log_report(data);
	return G_SOURCE_CONTINUE;
}

static void
read_opts(const struct cfg *cfg, struct recv_opts *o)
{
	o->renormalize = cfg_bool(cfg, NULL, "collector_renormalize");
	o->ext_sampling_rate =
		(uint32_t)cfg_uint(cfg, NULL, "collector_ext_sampling_rate");
	o->time_new = cfg_bool(cfg, NULL, "collector_time_new");
}

/* Why an exporter's datagrams reach no table; once per version. */
static void
notice_version(void *data, const struct exporter *exp, uint16_t version)
{
	char buf[FT_ADDR_STRLEN];

	ft_addr_ntop(&exp->addr, buf, sizeof(buf));
	log_warn("exporter %s: NetFlow v%u is not decoded by this version; "
		 "its datagrams are counted as unsupported-version",
		 buf, (unsigned)version);
}

/* The dispatcher and its decoders; the records go to c->pl. */
static int
build_dispatch(struct collector *c)
{
	const char *allow = cfg_str(c->cfg, NULL, "collector_allow_file");
	struct flow_sink sink = { sink_record, c };
	struct recv_opts opts;
	GError *err = NULL;

	read_opts(c->cfg, &opts);
	c->d = dispatch_new(&sink, &opts, &err);
	if (c->d == NULL ||
	    (allow != NULL && !dispatch_load_allow(c->d, allow, &err))) {
		log_err("%s", err->message);
		g_error_free(err);
		return -1;
	}
	dispatch_set_notice(c->d, notice_version, c);
	return 0;
}

/* The plugins. Some start threads, so this comes after detaching. */
static int
build_pipeline(struct collector *c)
{
	GError *err = NULL;

	c->pl = pipeline_new(c->cfg, &err);
	if (c->pl == NULL) {
		log_err("%s", err->message);
		g_error_free(err);
		return -1;
	}
	pipeline_set_status(c->pl, status_fill, c);
	return 0;
}

static int
open_listeners(struct collector *c)
{
	gchar **ips = cfg_list(c->cfg, NULL, "collector_ip");
	gchar **ports = cfg_list(c->cfg, NULL, "collector_port");
	uint64_t want = cfg_size(c->cfg, NULL, "collector_pipe_size");
	GError *err = NULL;

	c->l = listen_new(c->d, ips, ports, want, &err);
	g_strfreev(ips);
	g_strfreev(ports);
	if (c->l == NULL) {
		log_err("%s", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

/* Once detached, so that these reach the log file or syslog too. */
static void
log_listeners(const struct collector *c)
{
	uint64_t want = cfg_size(c->cfg, NULL, "collector_pipe_size");

	if (listen_rcvbuf(c->l) < want)
		log_warn("socket receive buffer is %" G_GUINT64_FORMAT
			 " bytes, not the %" G_GUINT64_FORMAT " asked for "
			 "(collector_pipe_size; raise net.core.rmem_max)",
			 listen_rcvbuf(c->l), want);
	log_info("listening on %u socket(s), port %u", listen_count(c->l),
		 listen_port(c->l));
}

static int
detach(const struct cfg *cfg)
{
	const char *logfile = cfg_str(cfg, NULL, "logfile");
	GError *err = NULL;

	if (daemon_detach(&err) != 0) {
		log_err("%s", err->message);
		g_error_free(err);
		return -1;
	}
	if (logfile != NULL)
		return log_use_file(logfile);
	log_use_syslog(LOG_DAEMON);
	return 0;
}

/*
 * Detach (or, in the foreground, move to the log file if one is set),
 * then write the pid file: after the sockets, before the plugins.
 */
static int
become_daemon(const struct cfg *cfg)
{
	const char *pidfile = cfg_str(cfg, NULL, "pidfile");
	const char *logfile = cfg_str(cfg, NULL, "logfile");
	GError *err = NULL;

	if (cfg_bool(cfg, NULL, "daemonize")) {
		if (detach(cfg) != 0)
			return -1;
	} else if (logfile != NULL && log_use_file(logfile) != 0) {
		log_err("log file %s: cannot open", logfile);
		return -1;
	}
	if (pidfile != NULL && daemon_pidfile_write(pidfile, &err) != 0) {
		log_err("%s", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

/* Last, once the plugins hold their files and sockets. */
static int
drop_privileges(const struct cfg *cfg)
{
	GError *err = NULL;

	if (daemon_drop_privileges(cfg_str(cfg, NULL, "user"),
				   cfg_str(cfg, NULL, "chroot"), &err) != 0) {
		log_err("%s", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

static int
run_offline(struct collector *c, const char *path)
{
	GError *err = NULL;
	uint64_t messages;
	gboolean ok;

	ok = offline_read(c->d, path, &messages, &err);
	pipeline_flush(c->pl);
	log_info("%s: %" G_GUINT64_FORMAT " messages", path, messages);
	log_counters(c);
	if (!ok) {
		log_err("%s", err->message);
		g_error_free(err);
		return 1;
	}
	return 0;
}

static int
run_live(struct collector *c)
{
	guint src[5];

	c->loop = g_main_loop_new(NULL, FALSE);
	src[0] = g_unix_signal_add(SIGTERM, on_stop, c);
	src[1] = g_unix_signal_add(SIGINT, on_stop, c);
	src[2] = g_unix_signal_add(SIGHUP, on_reopen, c);
	src[3] = g_unix_signal_add(SIGUSR1, on_report, c);
	src[4] = g_timeout_add_seconds(COLLECTOR_TICK_S, on_tick, c);
	g_main_loop_run(c->loop);

	log_info("stopping");
	for (size_t i = 0; i < G_N_ELEMENTS(src); i++)
		g_source_remove(src[i]);
	pipeline_flush(c->pl);
	log_counters(c);
	g_main_loop_unref(c->loop);
	return 0;
}

static void
log_noop_keys(const struct cfg *cfg)
{
	gchar *noop = cfg_noop_summary(cfg);

	if (noop != NULL)
		log_info("accepted for pmacct's sake, no effect here: %s",
			 noop);
	g_free(noop);
}

static int
run(const struct cfg *cfg, const struct cli *cli)
{
	struct collector c = { .cfg = cfg, .start_ms = now_ms() };
	const char *pidfile = cfg_str(cfg, NULL, "pidfile");
	int rc = 1;

	signal(SIGPIPE, SIG_IGN);
	if (build_dispatch(&c) != 0)
		goto out;
	if (cli->readfile != NULL) {
		log_noop_keys(cfg);
		if (build_pipeline(&c) == 0)
			rc = run_offline(&c, cli->readfile);
		goto out;
	}
	if (open_listeners(&c) != 0 || become_daemon(cfg) != 0)
		goto out;
	log_noop_keys(cfg);
	log_listeners(&c);
	if (build_pipeline(&c) == 0 && drop_privileges(cfg) == 0)
		rc = run_live(&c);
	if (pidfile != NULL)
		daemon_pidfile_remove(pidfile, NULL);
out:
	listen_free(c.l);
	dispatch_free(c.d);
	if (c.pl != NULL)
		pipeline_free(c.pl);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct cli cli = { 0 };
	struct cfg *cfg;
	GError *err = NULL;
	int rc;

	parse_args(argc, argv, &cli);
	log_init("flowtally-collector",
		 cli.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	log_route_glib();
	cfg = load_config(&cli, &err);
	if (cfg == NULL) {
		log_err("%s", err->message);
		g_error_free(err);
		return 1;
	}
	if (cfg_bool(cfg, NULL, "debug"))
		log_set_level(LOG_LVL_DEBUG);
	rc = cli.test ? config_test(cfg) : run(cfg, &cli);
	cfg_free(cfg);
	return rc;
}
