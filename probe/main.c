/* SPDX-License-Identifier: ISC */
/*
 * flowtally-probe: captures packets, folds them into flows and exports
 * them as IPFIX. main() reads the options and the configuration, opens
 * the capture and the sinks, leaves the terminal, drops privileges and
 * hands over to the probe loop (probe.c).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <glib.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/error.h"
#include "common/log.h"
#include "common/value.h"
#include "probe/caps.h"
#include "probe/probe.h"

#define PROBE_DEFAULT_RECEIVER "127.0.0.1:4739"
#define PROBE_FLUSH_MS         1000

static volatile sig_atomic_t got_stop, got_report, got_reopen;

struct cli {
	const char *config;
	gboolean foreground, test, verbose;
	GPtrArray *receivers, *ifaces;
	const char *outfile, *readfile, *maxflows;
	char *filter;
};

/* What the configuration yields, with the storage it points into. */
struct setup {
	struct probe_conf pc;
	const char *plugin;
	gchar **ifaces;
	gchar **receivers;
	struct export_target *targets;
	GPtrArray *hosts;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: flowtally-probe [-dhtvV] [-f file] [-i interface] "
		   "[-m maxflows]\n"
		   "\t[-n host:port] [-o file] [-r file] [filter ...]\n");
}

static void
on_stop(int sig)
{
	got_stop = 1;
}

static void
on_report(int sig)
{
	got_report = 1;
}

static void
on_reopen(int sig)
{
	got_reopen = 1;
}

static void
set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_report;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_reopen;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void
parse_args(int argc, char *argv[], struct cli *c)
{
	int ch;

	c->receivers = g_ptr_array_new();
	c->ifaces = g_ptr_array_new();
	while ((ch = getopt(argc, argv, "df:hi:m:n:o:r:tvV")) != -1) {
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
		case 'i':
			g_ptr_array_add(c->ifaces, optarg);
			break;
		case 'm':
			c->maxflows = optarg;
			break;
		case 'n':
			g_ptr_array_add(c->receivers, optarg);
			break;
		case 'o':
			c->outfile = optarg;
			break;
		case 'r':
			c->readfile = optarg;
			break;
		case 't':
			c->test = TRUE;
			break;
		case 'v':
			c->verbose = TRUE;
			break;
		case 'V':
			printf("flowtally-probe %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (optind < argc)
		c->filter = g_strjoinv(" ", argv + optind);
}

static gboolean
set_joined(struct cfg *cfg, const char *key, GPtrArray *vals, GError **err)
{
	gchar *s;
	gboolean ok;

	if (vals->len == 0)
		return TRUE;
	g_ptr_array_add(vals, NULL);
	s = g_strjoinv(",", (gchar **)vals->pdata);
	g_ptr_array_remove_index(vals, vals->len - 1);
	ok = cfg_set(cfg, key, NULL, s, err);
	g_free(s);
	return ok;
}

/* Command-line options are global values that beat the file. */
static gboolean
apply_cli(struct cfg *cfg, const struct cli *c, GError **err)
{
	return set_joined(cfg, "nfprobe_receiver", c->receivers, err) &&
	       set_joined(cfg, "pcap_interface", c->ifaces, err) &&
	       (c->outfile == NULL ||
		cfg_set(cfg, "nfprobe_output_file", NULL, c->outfile, err)) &&
	       (c->readfile == NULL ||
		cfg_set(cfg, "pcap_savefile", NULL, c->readfile, err)) &&
	       (c->maxflows == NULL ||
		cfg_set(cfg, "nfprobe_maxflows", NULL, c->maxflows, err)) &&
	       (c->filter == NULL ||
		cfg_set(cfg, "pcap_filter", NULL, c->filter, err)) &&
	       (!c->foreground ||
		cfg_set(cfg, "daemonize", NULL, "false", err));
}

static struct cfg *
load_config(const struct cli *c, GError **err)
{
	struct cfg *cfg = cfg_new(CFG_PROBE);

	if ((c->config != NULL && !cfg_load_file(cfg, c->config, err)) ||
	    !apply_cli(cfg, c, err) || !cfg_finish(cfg, err)) {
		cfg_free(cfg);
		return NULL;
	}
	return cfg;
}

/* The nfprobe plugin's name, if the file declares one. */
static const char *
nfprobe_plugin(const struct cfg *cfg)
{
	guint i;

	for (i = 0; i < cfg_plugin_count(cfg); i++)
		if (strcmp(cfg_plugin_type(cfg, i), "nfprobe") == 0)
			return cfg_plugin_name(cfg, i);
	return NULL;
}

static gboolean
bad(GError **err, const char *key, const char *value, const char *want)
{
	g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX, "%s: '%s': %s", key, value,
		    want);
	return FALSE;
}

static gboolean
setup_targets(struct setup *s, const struct cfg *cfg, GError **err)
{
	struct export_conf *e = &s->pc.exp;
	char *host;
	guint i;

	s->receivers = cfg_list(cfg, s->plugin, "nfprobe_receiver");
	if (s->receivers[0] == NULL &&
	    !cfg_is_set(cfg, s->plugin, "nfprobe_output_file")) {
		g_strfreev(s->receivers);
		s->receivers = g_strsplit(PROBE_DEFAULT_RECEIVER, ",", -1);
	}
	e->ntargets = g_strv_length(s->receivers);
	s->targets = g_new0(struct export_target, e->ntargets);
	for (i = 0; i < e->ntargets; i++) {
		if (!val_hostport(s->receivers[i], &host, &s->targets[i].port,
				  err))
			return FALSE;
		g_ptr_array_add(s->hosts, host);
		s->targets[i].host = host;
	}
	e->targets = s->targets;
	return TRUE;
}

static gboolean
setup_export(struct setup *s, const struct cfg *cfg, GError **err)
{
	struct export_conf *e = &s->pc.exp;
	const char *pl = s->plugin, *v;
	uint64_t n;

	v = cfg_str(cfg, pl, "nfprobe_engine");
	if (!val_uint(v, 0, UINT32_MAX, &n, NULL))
		return bad(err, "nfprobe_engine", v,
			   "IPFIX takes one observation domain number");
	e->domain = (uint32_t)n;
	v = cfg_str(cfg, pl, "nfprobe_transport");
	if (strcmp(v, "udp") != 0 && strcmp(v, "tcp") != 0)
		return bad(err, "nfprobe_transport", v, "udp or tcp");
	e->transport = strcmp(v, "tcp") == 0 ? EXPORT_TCP : EXPORT_UDP;
	v = cfg_str(cfg, pl, "nfprobe_direction");
	if (strcmp(v, "in") != 0 && strcmp(v, "out") != 0)
		return bad(err, "nfprobe_direction", v, "in or out");
	s->pc.direction =
		strcmp(v, "out") == 0 ? FLOW_DIR_EGRESS : FLOW_DIR_INGRESS;
	e->file = cfg_str(cfg, pl, "nfprobe_output_file");
	e->refresh_ms =
		cfg_duration(cfg, pl, "nfprobe_template_refresh") * 1000;
	e->refresh_msgs =
		(uint32_t)cfg_uint(cfg, pl, "nfprobe_template_messages");
	e->queue_bytes = cfg_size(cfg, pl, "nfprobe_queue_size");
	e->flush_ms = PROBE_FLUSH_MS;
	e->pace = cfg_is_set(cfg, NULL, "pcap_savefile");
	s->pc.stats_ms = cfg_duration(cfg, pl, "nfprobe_stats_interval") * 1000;
	return setup_targets(s, cfg, err);
}

/* The flow cache's reason, under the key and the value it refuses. */
static gboolean
bad_timeouts(GError **err, const char *value, GError *why)
{
	const char *msg = why->message;
	static const char key[] = "nfprobe_timeouts: ";

	if (g_str_has_prefix(msg, key))
		msg += sizeof(key) - 1;
	bad(err, "nfprobe_timeouts", value, msg);
	g_error_free(why);
	return FALSE;
}

/* The single-timeout keys, each beating its part of nfprobe_timeouts. */
static void
apply_single_timeouts(struct fcache_params *p, const struct cfg *cfg,
		      const char *plugin)
{
	static const char *const keys[] = {
		"nfprobe_timeout_tcp",     "nfprobe_timeout_tcp_rst",
		"nfprobe_timeout_tcp_fin", "nfprobe_timeout_udp",
		"nfprobe_timeout_icmp",    "nfprobe_timeout_general",
		"nfprobe_timeout_maxlife", "nfprobe_timeout_expint",
	};
	uint64_t *const slots[G_N_ELEMENTS(keys)] = {
		&p->tcp_ms,  &p->tcp_rst_ms, &p->tcp_fin_ms, &p->udp_ms,
		&p->icmp_ms, &p->general_ms, &p->maxlife_ms, &p->expint_ms,
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(keys); i++)
		if (cfg_is_set(cfg, plugin, keys[i]))
			*slots[i] = cfg_duration(cfg, plugin, keys[i]) * 1000;
}

static gboolean
setup_cache(struct setup *s, const struct cfg *cfg, GError **err)
{
	const char *t = cfg_str(cfg, s->plugin, "nfprobe_timeouts");
	GError *why = NULL;

	fcache_params_default(&s->pc.fc);
	if (t != NULL && !fcache_params_parse(t, &s->pc.fc, &why))
		return bad_timeouts(err, t, why);
	apply_single_timeouts(&s->pc.fc, cfg, s->plugin);
	s->pc.fc.max_flows =
		(uint32_t)cfg_uint(cfg, s->plugin, "nfprobe_maxflows");
	return TRUE;
}

static gboolean
setup_source(struct setup *s, const struct cfg *cfg, GError **err)
{
	struct source_conf *c = &s->pc.src;

	c->file = cfg_str(cfg, NULL, "pcap_savefile");
	s->ifaces = cfg_list(cfg, NULL, "pcap_interface");
	c->ifaces = s->ifaces;
	if (c->file != NULL && s->ifaces[0] != NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "read a file (-r) or capture live (-i), not both");
		return FALSE;
	}
	if (c->file == NULL && s->ifaces[0] == NULL) {
		g_set_error(err, FT_ERROR, FT_ERROR_SCOPE,
			    "nothing to capture: give -i interface or -r file");
		return FALSE;
	}
	c->filter = cfg_str(cfg, NULL, "pcap_filter");
	c->snaplen = (uint32_t)cfg_uint(cfg, NULL, "snaplen");
	c->promisc = cfg_bool(cfg, NULL, "promisc");
	c->buffer_bytes = cfg_size(cfg, NULL, "pcap_buffer_size");
	c->timeout_ms = (uint32_t)cfg_uint(cfg, NULL, "pcap_read_timeout");
	c->retry_ms = cfg_duration(cfg, NULL, "pcap_interface_retry") * 1000;
	c->wait = cfg_bool(cfg, NULL, "pcap_interface_wait");
	return source_check_filter(c->filter, err);
}

static gboolean
setup_build(struct setup *s, const struct cfg *cfg, GError **err)
{
	memset(s, 0, sizeof(*s));
	s->hosts = g_ptr_array_new_with_free_func(g_free);
	s->plugin = nfprobe_plugin(cfg);
	return setup_source(s, cfg, err) && setup_cache(s, cfg, err) &&
	       setup_export(s, cfg, err);
}

static void
setup_free(struct setup *s)
{
	g_strfreev(s->ifaces);
	g_strfreev(s->receivers);
	g_free(s->targets);
	if (s->hosts != NULL)
		g_ptr_array_free(s->hosts, TRUE);
}

static int
daemon_fail(GError *err)
{
	log_err("%s", err->message);
	g_error_free(err);
	return -1;
}

static int
detach(const struct cfg *cfg)
{
	const char *logfile = cfg_str(cfg, NULL, "logfile");
	GError *err = NULL;

	if (daemon_detach(&err) != 0)
		return daemon_fail(err);
	if (logfile != NULL)
		return log_use_file(logfile);
	log_use_syslog(LOG_DAEMON);
	return 0;
}

/*
 * Everything between opening the capture and running it: leave the
 * terminal (live only), record the pid, then chroot and give up root.
 */
static int
daemon_setup(const struct cfg *cfg, gboolean offline)
{
	const char *pidfile = cfg_str(cfg, NULL, "pidfile");
	const char *user = cfg_str(cfg, NULL, "user");
	GError *err = NULL;
	gboolean keep;

	if (!offline && cfg_bool(cfg, NULL, "daemonize") && detach(cfg) != 0)
		return -1;
	if (pidfile != NULL && daemon_pidfile_write(pidfile, &err) != 0)
		return daemon_fail(err);

	/* Live, the capture rights survive: interfaces come back. */
	keep = !offline && user != NULL && geteuid() == 0;
	if (keep && caps_keep_begin(&err) != 0)
		return daemon_fail(err);
	if (daemon_drop_privileges(user, cfg_str(cfg, NULL, "chroot"), &err) !=
	    0)
		return daemon_fail(err);
	if (keep && caps_keep_finish(&err) != 0)
		return daemon_fail(err);
	return 0;
}

static int
config_test(const struct cfg *cfg)
{
	GString *out = g_string_new(NULL);

	cfg_dump(cfg, out);
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	return 0;
}

static int
run(const struct cfg *cfg, struct setup *s)
{
	struct probe_signals sig = { &got_stop, &got_report, &got_reopen };
	const char *pidfile = cfg_str(cfg, NULL, "pidfile");
	struct probe *p;
	int rc;

	set_signals();
	p = probe_new(&s->pc);
	if (p == NULL)
		return 1;
	if (daemon_setup(cfg, s->pc.src.file != NULL) != 0) {
		probe_free(p);
		return 1;
	}
	rc = probe_run(p, &sig);
	probe_log_stats(p);
	probe_free(p);
	if (pidfile != NULL)
		(void)daemon_pidfile_remove(pidfile, NULL);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct cli cli = { 0 };
	struct setup s;
	struct cfg *cfg;
	GError *err = NULL;
	int rc;

	parse_args(argc, argv, &cli);
	log_init("flowtally-probe", cli.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	log_route_glib();
	cfg = load_config(&cli, &err);
	if (cfg == NULL || !setup_build(&s, cfg, &err)) {
		log_err("%s", err->message);
		return 1;
	}
	if (cfg_bool(cfg, NULL, "debug"))
		log_set_level(LOG_LVL_DEBUG);
	rc = cli.test ? config_test(cfg) : run(cfg, &s);
	setup_free(&s);
	cfg_free(cfg);
	g_ptr_array_free(cli.receivers, TRUE);
	g_ptr_array_free(cli.ifaces, TRUE);
	g_free(cli.filter);
	return rc;
}
