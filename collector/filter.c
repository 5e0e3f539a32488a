/* SPDX-License-Identifier: ISC */
/*
 * aggregate_filter over flow records. Each comma-separated part of the
 * expression is compiled once by libpcap for Ethernet; a record is turned
 * into the frame a packet of its flow would have (MACs, an 802.1Q tag,
 * IPv4 or IPv6 header, TCP/UDP/ICMP header) in a stack buffer and the
 * parts run over it with pcap_offline_filter() until one matches.
 *
 * A part that does not say `vlan` runs over the untagged frame: BPF's
 * `ip` looks at the outer ethertype, so on a tagged frame `ip`, `net` and
 * `port` would fail and `not ip` would pass, which is not what anyone
 * filtering flows means. A part that says `vlan` runs over the tagged
 * frame (any id from 1 to 4095), with BPF's own semantics.
 */
#include "config.h"

#include "collector/filter.h"

#include <pcap.h>
#include <string.h>

#include "common/error.h"

#define FILTER_SNAPLEN   256
#define FILTER_MAX_FRAME 96

struct filter_part {
	struct bpf_program prog;
	gboolean tagged; /* the part mentions vlan: it sees the tag */
	gboolean no_ipv6;
};

struct filter {
	GArray *parts; /* struct filter_part */
	gboolean no_ipv6;
};

/* TRUE if `expr` holds the word `vlan`. */
static gboolean
mentions_vlan(const char *expr)
{
	const char *p = expr;

	while ((p = strstr(p, "vlan")) != NULL) {
		gboolean start =
			p == expr || !(g_ascii_isalnum(p[-1]) || p[-1] == '_');
		gboolean end = !(g_ascii_isalnum(p[4]) || p[4] == '_');

		if (start && end)
			return TRUE;
		p += 4;
	}
	return FALSE;
}

static gboolean
part_compile(pcap_t *dead, const char *text, struct filter_part *part,
	     GError **err)
{
	struct bpf_program v6;
	gchar *with_v6;

	if (pcap_compile(dead, &part->prog, text, 1, PCAP_NETMASK_UNKNOWN) !=
	    0) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "aggregate_filter '%s': %s", text,
			    pcap_geterr(dead));
		return FALSE;
	}
	part->tagged = mentions_vlan(text);

	/* libpcap's optimiser refuses a program that rejects everything. */
	with_v6 = g_strdup_printf("(%s) and ip6", text);
	if (pcap_compile(dead, &v6, with_v6, 1, PCAP_NETMASK_UNKNOWN) != 0)
		part->no_ipv6 = TRUE;
	else
		pcap_freecode(&v6);
	g_free(with_v6);
	return TRUE;
}

struct filter *
filter_new(const char *expr, GError **err)
{
	struct filter *f = g_new0(struct filter, 1);
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, FILTER_SNAPLEN);
	gchar **alts = g_strsplit(expr, ",", -1);
	guint i;

	f->parts = g_array_new(FALSE, TRUE, sizeof(struct filter_part));
	f->no_ipv6 = TRUE;
	for (i = 0; alts[i] != NULL; i++) {
		struct filter_part part = { 0 };
		char *text = g_strstrip(alts[i]);

		if (*text == '\0')
			continue;
		if (!part_compile(dead, text, &part, err))
			goto fail;
		f->no_ipv6 = f->no_ipv6 && part.no_ipv6;
		g_array_append_val(f->parts, part);
	}
	if (f->parts->len == 0) {
		g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX,
			    "aggregate_filter '%s' is empty", expr);
		goto fail;
	}
	g_strfreev(alts);
	pcap_close(dead);
	return f;
fail:
	g_strfreev(alts);
	pcap_close(dead);
	filter_free(f);
	return NULL;
}

void
filter_free(struct filter *f)
{
	guint i;

	if (f == NULL)
		return;
	for (i = 0; i < f->parts->len; i++)
		pcap_freecode(
			&g_array_index(f->parts, struct filter_part, i).prog);
	g_array_free(f->parts, TRUE);
	g_free(f);
}

gboolean
filter_excludes_ipv6(const struct filter *f)
{
	return f->no_ipv6;
}

static uint8_t *
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

/* The layer 4 header: TCP, UDP, ICMP(v6) or 8 bytes carrying the ports. */
static uint8_t *
frame_l4(uint8_t *p, const struct flowrec *rec)
{
	switch (rec->proto) {
	case 6: /* TCP: ports, seq, ack, offset 5, flags, window */
		memset(p, 0, 20);
		put16(p, rec->src_port);
		put16(p + 2, rec->dst_port);
		p[12] = 5 << 4;
		p[13] = rec->tcp_flags;
		put16(p + 14, 65535);
		return p + 20;
	case 1:  /* ICMP */
	case 58: /* ICMPv6: type and code from dst_port */
		memset(p, 0, 8);
		p[0] = (uint8_t)(rec->dst_port >> 8);
		p[1] = (uint8_t)rec->dst_port;
		return p + 8;
	default: /* UDP, SCTP and others: ports first, as BPF expects */
		memset(p, 0, 8);
		put16(p, rec->src_port);
		put16(p + 2, rec->dst_port);
		put16(p + 4, 8);
		return p + 8;
	}
}

static unsigned
l4_len(const struct flowrec *rec)
{
	return rec->proto == 6 ? 20 : 8;
}

/* A plausible IP total length: the flow's mean packet, at least headers. */
static unsigned
ip_total_len(const struct flowrec *rec, unsigned hdr)
{
	uint64_t mean = rec->packets != 0 ? rec->octets / rec->packets : 0;

	if (mean < hdr)
		return hdr;
	return mean > 65535 ? 65535 : (unsigned)mean;
}

static uint8_t *
frame_ip(uint8_t *p, const struct flowrec *rec, unsigned *total)
{
	if (rec->src.family == 6) {
		*total = ip_total_len(rec, 40 + l4_len(rec));
		p[0] = (uint8_t)(0x60 | rec->tos >> 4);
		p[1] = (uint8_t)(rec->tos << 4);
		p[2] = p[3] = 0;
		put16(p + 4, *total - 40);
		p[6] = rec->proto;
		p[7] = 64;
		memcpy(p + 8, rec->src.bytes, 16);
		memcpy(p + 24, rec->dst.bytes, 16);
		return p + 40;
	}
	*total = ip_total_len(rec, 20 + l4_len(rec));
	memset(p, 0, 20);
	p[0] = 0x45;
	p[1] = rec->tos;
	put16(p + 2, *total);
	p[8] = 64;
	p[9] = rec->proto;
	memcpy(p + 12, rec->src.bytes, 4);
	memcpy(p + 16, rec->dst.bytes, 4);
	return p + 20;
}

/* Build the frame; returns its captured length, `*wire` its length. */
static unsigned
frame_build(uint8_t *buf, const struct flowrec *rec, gboolean tag,
	    unsigned *wire)
{
	uint8_t *p = buf;
	unsigned total;

	memcpy(p, rec->dst_mac, 6);
	memcpy(p + 6, rec->src_mac, 6);
	p += 12;
	if (tag) {
		p = put16(p, 0x8100);
		p = put16(p, rec->vlan & 0x0fff);
	}
	p = put16(p, rec->src.family == 6 ? 0x86dd : 0x0800);
	*wire = (unsigned)(p - buf);
	p = frame_ip(p, rec, &total);
	p = frame_l4(p, rec);
	*wire += total;
	return (unsigned)(p - buf);
}

gboolean
filter_match(const struct filter *f, const struct flowrec *rec)
{
	uint8_t frames[2][FILTER_MAX_FRAME];
	struct pcap_pkthdr hdr[2];
	gboolean built[2] = { FALSE, FALSE };
	guint i;

	memset(hdr, 0, sizeof(hdr));
	for (i = 0; i < f->parts->len; i++) {
		const struct filter_part *part =
			&g_array_index(f->parts, struct filter_part, i);
		int t = part->tagged && rec->vlan != 0;

		if (!built[t]) {
			unsigned wire;

			hdr[t].caplen = frame_build(frames[t], rec, t, &wire);
			hdr[t].len = wire;
			built[t] = TRUE;
		}
		if (pcap_offline_filter(&part->prog, &hdr[t], frames[t]) != 0)
			return TRUE;
	}
	return FALSE;
}
