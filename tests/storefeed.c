/* SPDX-License-Identifier: ISC */
/*
 * storefeed: drive the sqlite3 and print plugins of a configuration with
 * flow records read from a CSV of flows (the traffic generator's
 * src,dst,proto,sport,dport,vlan,packets,ip_bytes,first_us,last_us,...),
 * the way the pipeline would, then flush. Tests compare what the stores
 * wrote with the generator's own ground truth.
 *
 * usage: storefeed CONFIG < flows.csv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/aggkey.h"
#include "collector/plugin.h"
#include "common/addr.h"
#include "common/config.h"
#include "common/log.h"

struct feed_plugin {
	const struct plugin_ops *ops;
	struct plugin_ctx ctx;
	struct aggkey_spec *spec;
	void *state;
};

static int
parse_rec(char *line, struct flowrec *r)
{
	gchar **f = g_strsplit(g_strchomp(line), ",", -1);
	int ok = g_strv_length(f) >= 11 && ft_addr_parse(f[0], &r->src, NULL) &&
		 ft_addr_parse(f[1], &r->dst, NULL);

	if (ok) {
		r->proto = (uint8_t)atoi(f[2]);
		r->src_port = (uint16_t)atoi(f[3]);
		r->dst_port = (uint16_t)atoi(f[4]);
		r->vlan = (uint16_t)atoi(f[5]);
		r->packets = g_ascii_strtoull(f[6], NULL, 10);
		r->octets = g_ascii_strtoull(f[7], NULL, 10);
		r->start_ms = g_ascii_strtoull(f[8], NULL, 10) / 1000;
		r->end_ms = g_ascii_strtoull(f[9], NULL, 10) / 1000;
		r->tcp_flags = (uint8_t)atoi(f[10]);
		r->flows = 1;
	}
	g_strfreev(f);
	return ok;
}

static void
feed(struct feed_plugin *p, const struct flowrec *r)
{
	uint8_t key[AGGKEY_MAX_LEN];
	struct aggctr ctr;

	aggkey_counters(p->spec, r, &ctr);
	aggkey_pack(p->spec, r, AGGKEY_SRC, key);
	if (!p->ops->add_at(p->state, key, &ctr, r->end_ms))
		fprintf(stderr, "storefeed: %s: store full\n", p->ctx.name);
	if (p->spec->sum) {
		aggkey_pack(p->spec, r, AGGKEY_DST, key);
		p->ops->add_at(p->state, key, &ctr, r->end_ms);
	}
}

static struct feed_plugin *
open_plugin(const struct cfg *cfg, guint i)
{
	struct feed_plugin *p = g_new0(struct feed_plugin, 1);
	const char *type = cfg_plugin_type(cfg, i);
	gchar **agg;
	GError *e = NULL;

	p->ops = strcmp(type, "sqlite3") == 0 ? &plug_sqlite_ops
		 : strcmp(type, "print") == 0 ? &plug_print_ops
					      : NULL;
	if (p->ops == NULL) {
		g_free(p);
		return NULL;
	}
	p->ctx.name = cfg_plugin_name(cfg, i);
	p->ctx.type = type;
	agg = cfg_list(cfg, p->ctx.name, "aggregate");
	p->spec = aggkey_spec_new((const char *const *)agg, &e);
	g_strfreev(agg);
	p->ctx.spec = p->spec;
	if (p->spec != NULL)
		p->state = p->ops->new (cfg, &p->ctx, &e);
	if (p->state == NULL) {
		fprintf(stderr, "storefeed: %s: %s\n", p->ctx.name, e->message);
		exit(1);
	}
	return p;
}

int
main(int argc, char *argv[])
{
	struct cfg *cfg = cfg_new(CFG_COLLECTOR);
	GPtrArray *plugins = g_ptr_array_new();
	struct feed_plugin *p;
	struct flowrec r;
	char line[1024];
	GError *e = NULL;
	guint i;

	log_init("storefeed", LOG_LVL_WARN);
	if (argc != 2 || !cfg_load_file(cfg, argv[1], &e) ||
	    !cfg_finish(cfg, &e)) {
		fprintf(stderr, "storefeed: %s\n",
			e != NULL ? e->message : "usage: storefeed CONFIG");
		return 1;
	}
	for (i = 0; i < cfg_plugin_count(cfg); i++)
		if ((p = open_plugin(cfg, i)) != NULL)
			g_ptr_array_add(plugins, p);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		memset(&r, 0, sizeof(r));
		if (!parse_rec(line, &r))
			continue;
		for (i = 0; i < plugins->len; i++)
			feed(g_ptr_array_index(plugins, i), &r);
	}
	for (i = 0; i < plugins->len; i++) {
		p = g_ptr_array_index(plugins, i);
		p->ops->flush(p->state);
		p->ops->free(p->state);
		g_free(p->spec);
		g_free(p);
	}
	g_ptr_array_free(plugins, TRUE);
	cfg_free(cfg);
	return 0;
}
