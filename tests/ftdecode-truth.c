/* SPDX-License-Identifier: ISC */
/*
 * Test tool: reads a pcap or pcapng file with libpcap, runs every frame
 * through the probe's decoder and flow cache (expiring on packet time,
 * flushing at end of file) and prints, as one JSON object, what the
 * emitted flows total: octets, packets, octets per source and destination
 * address, per protocol and IP version, plus the decoder's drop counters.
 * test-decode-truth.sh compares that with the captures' ground truth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include <glib.h>

#include "probe/decode.h"
#include "probe/fcache.h"

/* What the emitted flows add up to. */
struct tally {
	uint64_t octets;
	uint64_t packets;
	uint64_t flows;
	GHashTable *src;   /* address text -> uint64_t octets */
	GHashTable *dst;   /* address text -> uint64_t octets */
	GHashTable *proto; /* "6", "17"... -> uint64_t[2] packets, octets */
	uint64_t fam[2][2];
};

static void
tally_add(GHashTable *t, const char *key, uint64_t a, uint64_t b)
{
	uint64_t *v = g_hash_table_lookup(t, key);

	if (v == NULL) {
		v = g_new0(uint64_t, 2);
		g_hash_table_insert(t, g_strdup(key), v);
	}
	v[0] += a;
	v[1] += b;
}

static void
on_flow(const struct flowrec *r, void *ctx)
{
	struct tally *t = ctx;
	char buf[FT_ADDR_STRLEN], num[8];

	t->octets += r->octets;
	t->packets += r->packets;
	t->flows++;
	tally_add(t->src, ft_addr_ntop(&r->src, buf, sizeof(buf)), r->octets,
		  0);
	tally_add(t->dst, ft_addr_ntop(&r->dst, buf, sizeof(buf)), r->octets,
		  0);
	snprintf(num, sizeof(num), "%u", r->proto);
	tally_add(t->proto, num, r->packets, r->octets);
	t->fam[r->src.family == 6][0] += r->packets;
	t->fam[r->src.family == 6][1] += r->octets;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(a, b);
}

/* `"name": {"key": v[0], ...}` or, with `pair`, {"key": {"packets":
 * v[0], "bytes": v[1]}}, keys sorted. */
static void
print_map(const char *name, GHashTable *t, int pair)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(t), cmp_str), *l;
	const uint64_t *v;

	printf(",\n \"%s\": {", name);
	for (l = keys; l != NULL; l = l->next) {
		v = g_hash_table_lookup(t, l->data);
		if (pair)
			printf("%s\n  \"%s\": {\"packets\": %" G_GUINT64_FORMAT
			       ", \"bytes\": %" G_GUINT64_FORMAT "}",
			       l == keys ? "" : ",", (char *)l->data, v[0],
			       v[1]);
		else
			printf("%s\n  \"%s\": %" G_GUINT64_FORMAT,
			       l == keys ? "" : ",", (char *)l->data, v[0]);
	}
	printf("\n }");
	g_list_free(keys);
}

static void
print_result(const struct tally *t, const struct decode_stats *ds,
	     const struct fcache_stats *fs)
{
	int i;

	printf("{\n \"bytes\": %" G_GUINT64_FORMAT
	       ",\n \"packets\": %" G_GUINT64_FORMAT
	       ",\n \"flows\": %" G_GUINT64_FORMAT,
	       t->octets, t->packets, t->flows);
	print_map("src", t->src, 0);
	print_map("dst", t->dst, 0);
	print_map("proto", t->proto, 1);
	printf(",\n \"family\": {\"4\": {\"packets\": %" G_GUINT64_FORMAT
	       ", \"bytes\": %" G_GUINT64_FORMAT
	       "}, \"6\": {\"packets\": %" G_GUINT64_FORMAT
	       ", \"bytes\": %" G_GUINT64_FORMAT "}}",
	       t->fam[0][0], t->fam[0][1], t->fam[1][0], t->fam[1][1]);
	printf(",\n \"frames\": %" G_GUINT64_FORMAT ",\n \"drops\": {",
	       ds->frames);
	for (i = 1; i < DECODE_DROP_MAX; i++)
		printf("%s\"%s\": %" G_GUINT64_FORMAT, i == 1 ? "" : ", ",
		       decode_drop_name(i), ds->drops[i]);
	printf("},\n \"ended\": [");
	for (i = 0; i <= FLOW_END_LACK; i++)
		printf("%s%" G_GUINT64_FORMAT, i ? ", " : "", fs->ended[i]);
	printf("],\n \"flow_size\": %zu\n}\n", fcache_flow_size());
}

/* Decode and cache every frame of `pc`. */
static void
run(pcap_t *pc, struct fcache *fc, struct decode_stats *ds)
{
	int dlt = pcap_datalink(pc), rc;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pkt p;

	while (pcap_next_ex(pc, &h, &data) == 1) {
		rc = decode_frame(dlt, data, h->caplen, h->len, &p);
		decode_stats_add(ds, rc, &p);
		if (rc != DECODE_OK)
			continue;
		p.ts_ms = (uint64_t)h->ts.tv_sec * 1000 +
			  (uint64_t)h->ts.tv_usec / 1000;
		fcache_expire(fc, p.ts_ms);
		fcache_add(fc, &p);
	}
}

int
main(int argc, char *argv[])
{
	struct fcache_params fp;
	struct decode_stats ds;
	struct fcache_stats fs;
	struct tally t;
	char ebuf[PCAP_ERRBUF_SIZE];
	GError *err = NULL;
	struct fcache *fc;
	pcap_t *pc;
	int ch;

	fcache_params_default(&fp);
	while ((ch = getopt(argc, argv, "m:t:")) != -1) {
		switch (ch) {
		case 'm':
			fp.max_flows = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 't':
			if (!fcache_params_parse(optarg, &fp, &err)) {
				fprintf(stderr, "%s\n", err->message);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: ftdecode-truth [-m max] "
					"[-t timeouts] file\n");
			return 2;
		}
	}
	if (optind != argc - 1)
		return 2;
	pc = pcap_open_offline(argv[optind], ebuf);
	if (pc == NULL) {
		fprintf(stderr, "%s: %s\n", argv[optind], ebuf);
		return 1;
	}

	memset(&t, 0, sizeof(t));
	memset(&ds, 0, sizeof(ds));
	t.src = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	t.dst = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	t.proto =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	fc = fcache_new(&fp, on_flow, &t);
	if (fc == NULL)
		return 1;
	run(pc, fc, &ds);
	fcache_flush(fc, FLOW_END_FORCED);
	fcache_stats(fc, &fs);
	print_result(&t, &ds, &fs);

	fcache_free(fc);
	pcap_close(pc);
	g_hash_table_destroy(t.src);
	g_hash_table_destroy(t.dst);
	g_hash_table_destroy(t.proto);
	return 0;
}
