/* SPDX-License-Identifier: ISC */
/*
 * Test helpers of the receive side: feed raw payload files and the UDP
 * payloads of pcap files to the dispatcher, and tally the records that
 * come out per exporter and observation domain.
 */
#ifndef FT_RECVFEED_H
#define FT_RECVFEED_H

#include <stdint.h>
#include <glib.h>

#include "common/addr.h"
#include "common/flowrec.h"
#include "collector/dispatch.h"

/* The address raw payload files are fed from. */
#define FEED_PAYLOAD_SOURCE "192.0.2.1"

struct tally_row {
	struct ft_addr exporter;
	uint32_t domain;
	uint64_t records, octets, packets;
	uint32_t sampling; /* of the last record */
};

/* A flow sink that sums what reaches it (struct flow_sink's fn). */
struct tally;
struct tally *tally_new(void);
void tally_free(struct tally *t);
void tally_sink(void *tally, const struct flowrec *rec);
/* The row of (exporter text, domain), or NULL. */
const struct tally_row *tally_find(struct tally *t, const char *exporter,
				   uint32_t domain);
guint tally_rows(struct tally *t);
uint64_t tally_records(struct tally *t);

/* Called with each UDP payload of a capture and the frame's IP source. */
typedef void (*udp_payload_fn)(void *data, const struct ft_addr *src,
			       const uint8_t *buf, size_t len, uint64_t ts_ms);

/* Walk an Ethernet pcap; the number of payloads, or -1 on error. */
int pcap_each_udp(const char *path, udp_payload_fn fn, void *data);

/* Every UDP payload of an Ethernet pcap, from its IP source; -1 on error. */
int feed_pcap(struct dispatch *d, const char *path);

/* One raw message file, from FEED_PAYLOAD_SOURCE; -1 on error. */
int feed_payload(struct dispatch *d, const char *path);

/* The domain entry of (exporter text, domain) in `d`'s table, or NULL. */
struct exporter_domain *feed_domain(struct dispatch *d, const char *exporter,
				    uint32_t domain);

#endif
