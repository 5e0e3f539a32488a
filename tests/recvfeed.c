/* SPDX-License-Identifier: ISC */
/*
 * Feeding captures to the receive path. A pcap frame is walked from
 * Ethernet (with 802.1Q tags) through IPv4 or IPv6 to UDP with the
 * cursor, and the payload is dispatched as a datagram from the frame's
 * IP source, the way the listener would see it.
 */
#include "config.h"

#include "tests/recvfeed.h"

#include <string.h>
#include <pcap/pcap.h>

#include "common/cursor.h"

struct tally {
	GArray *rows; /* of struct tally_row */
};

struct tally *
tally_new(void)
{
	struct tally *t = g_new0(struct tally, 1);

	t->rows = g_array_new(FALSE, TRUE, sizeof(struct tally_row));
	return t;
}

void
tally_free(struct tally *t)
{
	g_array_free(t->rows, TRUE);
	g_free(t);
}

static struct tally_row *
tally_row(struct tally *t, const struct ft_addr *a, uint32_t domain)
{
	struct tally_row row;

	for (guint i = 0; i < t->rows->len; i++) {
		struct tally_row *r =
			&g_array_index(t->rows, struct tally_row, i);

		if (r->domain == domain &&
		    memcmp(&r->exporter, a, sizeof(*a)) == 0)
			return r;
	}
	memset(&row, 0, sizeof(row));
	row.exporter = *a;
	row.domain = domain;
	g_array_append_val(t->rows, row);
	return &g_array_index(t->rows, struct tally_row, t->rows->len - 1);
}

void
tally_sink(void *p, const struct flowrec *rec)
{
	struct tally_row *r = tally_row(p, &rec->exporter, rec->obs_domain);

	r->records++;
	r->octets += rec->octets;
	r->packets += rec->packets;
	r->sampling = rec->sampling_rate;
}

const struct tally_row *
tally_find(struct tally *t, const char *exporter, uint32_t domain)
{
	struct ft_addr a;

	memset(&a, 0, sizeof(a));
	if (*exporter != '\0' && !ft_addr_parse(exporter, &a, NULL))
		return NULL;
	for (guint i = 0; i < t->rows->len; i++) {
		struct tally_row *r =
			&g_array_index(t->rows, struct tally_row, i);

		if (r->domain == domain &&
		    memcmp(&r->exporter, &a, sizeof(a)) == 0)
			return r;
	}
	return NULL;
}

guint
tally_rows(struct tally *t)
{
	return t->rows->len;
}

uint64_t
tally_records(struct tally *t)
{
	uint64_t n = 0;

	for (guint i = 0; i < t->rows->len; i++)
		n += g_array_index(t->rows, struct tally_row, i).records;
	return n;
}

/* The IP layer of a frame: source address and UDP payload, or -1. */
static int
walk_ip(struct cursor *c, uint16_t type, struct ft_addr *src,
	struct cursor *payload)
{
	uint8_t b, proto, addr[16];
	uint16_t len, ulen;

	if (type == 0x0800) {
		if (cur_u8(c, &b) == -1 || (b >> 4) != 4 || cur_skip(c, 1) ||
		    cur_u16(c, &len) || cur_skip(c, 5) || cur_u8(c, &proto) ||
		    cur_skip(c, 2) || cur_bytes(c, addr, 4) ||
		    cur_skip(c, 4 + ((b & 15) - 5) * 4))
			return -1;
		ft_addr_set4(src, addr);
	} else if (type == 0x86dd) {
		if (cur_skip(c, 4) || cur_u16(c, &len) || cur_u8(c, &proto) ||
		    cur_skip(c, 1) || cur_bytes(c, addr, 16) || cur_skip(c, 16))
			return -1;
		ft_addr_set6(src, addr);
	} else {
		return -1;
	}
	if (proto != 17 || cur_skip(c, 4) || cur_u16(c, &ulen) ||
	    cur_skip(c, 2) || ulen < 8)
		return -1;
	return cur_sub(c, ulen - 8, payload);
}

static int
walk_frame(const uint8_t *frame, size_t len, struct ft_addr *src,
	   struct cursor *payload)
{
	struct cursor c;
	uint16_t type;

	cur_init(&c, frame, len);
	if (cur_skip(&c, 12) == -1 || cur_u16(&c, &type) == -1)
		return -1;
	while (type == 0x8100 || type == 0x88a8)
		if (cur_skip(&c, 2) == -1 || cur_u16(&c, &type) == -1)
			return -1;
	return walk_ip(&c, type, src, payload);
}

int
pcap_each_udp(const char *path, udp_payload_fn fn, void *data)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *frame;
	struct cursor payload;
	struct ft_addr src;
	pcap_t *p;
	int n = 0;

	p = pcap_open_offline(path, errbuf);
	if (p == NULL || pcap_datalink(p) != DLT_EN10MB) {
		if (p != NULL)
			pcap_close(p);
		return -1;
	}
	while (pcap_next_ex(p, &h, &frame) == 1) {
		if (walk_frame(frame, h->caplen, &src, &payload) == -1)
			continue;
		fn(data, &src, payload.buf, payload.len,
		   (uint64_t)h->ts.tv_sec * 1000);
		n++;
	}
	pcap_close(p);
	return n;
}

static void
dispatch_copy(void *d, const struct ft_addr *src, const uint8_t *buf,
	      size_t len, uint64_t ts_ms)
{
	uint8_t copy[65536];

	memcpy(copy, buf, len);
	dispatch_message(d, src, copy, len, ts_ms);
}

int
feed_pcap(struct dispatch *d, const char *path)
{
	return pcap_each_udp(path, dispatch_copy, d);
}

int
feed_payload(struct dispatch *d, const char *path)
{
	struct ft_addr src;
	gchar *data;
	gsize len;

	if (!g_file_get_contents(path, &data, &len, NULL))
		return -1;
	ft_addr_parse(FEED_PAYLOAD_SOURCE, &src, NULL);
	dispatch_message(d, &src, (uint8_t *)data, len, 0);
	g_free(data);
	return 1;
}

struct exporter_domain *
feed_domain(struct dispatch *d, const char *exporter, uint32_t domain)
{
	struct exporter_table *t = dispatch_exporters(d);
	struct exporter *exp;
	struct ft_addr a;

	memset(&a, 0, sizeof(a));
	if (*exporter != '\0' && !ft_addr_parse(exporter, &a, NULL))
		return NULL;
	exp = exporter_get(t, &a);
	for (guint i = 0; exp != NULL && i < exp->n_domains; i++)
		if (exp->domains[i]->id == domain)
			return exp->domains[i];
	return NULL;
}
