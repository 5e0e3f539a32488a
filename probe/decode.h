/* SPDX-License-Identifier: ISC */
/*
 * Packet decoding: one captured frame in, one flat packet summary out (the
 * flow key fields and the layer-3 length), or the reason it was dropped.
 * The decoder knows every link type the probe captures on and walks the
 * encapsulations down to the outermost IP header; it never allocates,
 * never logs and reads the frame only through common/cursor.h.
 */
#ifndef FT_DECODE_H
#define FT_DECODE_H

#include <stdint.h>

#include "common/addr.h"

/*
 * Link types, as libpcap's pcap_datalink() returns them on Linux (pcapng
 * and pcap files carry LINKTYPE_ values, which libpcap maps to these).
 */
enum decode_link {
	DECODE_LINK_NULL = 0,         /* BSD loopback, AF in host order */
	DECODE_LINK_EN10MB = 1,       /* Ethernet */
	DECODE_LINK_PPP = 9,          /* PPP, optional 0xff03 HDLC header */
	DECODE_LINK_RAW = 12,         /* raw IP (Linux DLT_RAW) */
	DECODE_LINK_RAW_BSD = 14,     /* raw IP (OpenBSD DLT_RAW) */
	DECODE_LINK_PPP_SERIAL = 50,  /* PPP in HDLC framing, or Cisco HDLC */
	DECODE_LINK_PPP_ETHER = 51,   /* PPPoE session header, no Ethernet */
	DECODE_LINK_RAW_LT = 101,     /* LINKTYPE_RAW not mapped by libpcap */
	DECODE_LINK_C_HDLC = 104,     /* Cisco HDLC */
	DECODE_LINK_IEEE802_11 = 105, /* 802.11 frames */
	DECODE_LINK_LOOP = 108,       /* OpenBSD loopback, AF in net order */
	DECODE_LINK_LINUX_SLL = 113,  /* Linux cooked v1 ("any") */
	DECODE_LINK_RADIOTAP = 127,   /* radiotap + 802.11 (monitor mode) */
	DECODE_LINK_IPV4 = 228,       /* raw IPv4 only */
	DECODE_LINK_IPV6 = 229,       /* raw IPv6 only */
	DECODE_LINK_NFLOG = 239,      /* Linux netfilter NFLOG */
	DECODE_LINK_LINUX_SLL2 = 276  /* Linux cooked v2 */
};

/* Flag bits in struct pkt.flags. */
#define DECODE_F_FRAG       0x01 /* an IP fragment (first or later) */
#define DECODE_F_FRAG_LATER 0x02 /* a non-first fragment: no L4 header */
#define DECODE_F_L4_SHORT   0x04 /* L4 header not captured: ports 0 */
#define DECODE_F_JUMBO      0x08 /* IPv6 jumbogram / IPv4 length 0 (TSO) */

/*
 * One decoded packet. The key fields are those of the flow key; ports are
 * 0 for protocols without ports and for non-first fragments; for ICMP and
 * ICMPv6 src_port is 0 and dst_port is type << 8 | code, as NetFlow does.
 * `octets` is the layer-3 length from the IP header (IPv4 total length,
 * IPv6 40 + payload length, or the jumbo payload length + 40), never the
 * captured length, so snaplen-truncated frames count in full; an IPv4
 * total length of 0 (TSO / BIG TCP) is taken from the wire length minus
 * the link headers. `vlan` is the outermost 802.1Q/802.1ad id (0 if
 * untagged); MACs are zero on link types that carry none (SLL carries
 * the source MAC only).
 *
 * Fragments: the first fragment carries the transport header and keys its
 * flow with ports as usual; a later fragment has none, so it is counted
 * (octets and packets) under the same addresses and protocol with ports 0
 * - a flow of its own, rather than a reassembly buffer on the hot path.
 * That is what a tshark or pmacct count without reassembly sees, so byte
 * and packet totals per host stay exact. Tunnels (GRE, IP-in-IP, IPv6 in
 * IPv4...) are counted by their outer header: protocol 47, 4 or 41, ports
 * 0. An MPLS pseudowire (control word, then Ethernet) is decoded down to
 * the IP header it carries; MACs and VLAN stay the outer frame's.
 *
 * decode_frame() fills every field except `ts_ms` and `in_iface`, which
 * the caller sets from the capture (packet timestamp in Unix epoch ms,
 * interface index) before handing the packet to the flow cache.
 */
struct pkt {
	struct ft_addr src; /* src.family == ipver */
	struct ft_addr dst;
	uint64_t ts_ms;
	uint32_t octets;
	uint32_t in_iface;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t vlan;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t ipver; /* 4 or 6 */
	uint8_t proto;
	uint8_t tos; /* IPv4 ToS byte / IPv6 traffic class */
	uint8_t tcp_flags;
	uint8_t flags; /* DECODE_F_* */
};

/* Why a frame was not decoded. 0 is success. */
enum decode_drop {
	DECODE_OK = 0,
	DECODE_DROP_NOT_IP,      /* ARP, STP, LCP, PPPoE discovery... */
	DECODE_DROP_SHORT_L2,    /* link header cut short or malformed */
	DECODE_DROP_SHORT_L3,    /* IP header (or IPv6 extension) cut short */
	DECODE_DROP_BAD_VERSION, /* IP version not 4/6, or not the link's */
	DECODE_DROP_BAD_HLEN,    /* IPv4 header length < 20 */
	DECODE_DROP_BAD_LENGTH,  /* IP length smaller than its own header */
	DECODE_DROP_LINK_TYPE,   /* a link type the decoder does not know */
	DECODE_DROP_TOO_DEEP,    /* more tags, labels or headers than allowed */
	DECODE_DROP_MAX
};

/*
 * Counters of what the decoder saw: `frames` = every frame offered,
 * `decoded` = DECODE_OK, drops[] per reason (drops[0] unused), plus
 * informational counts of decoded packets (fragments, L4 not captured).
 */
struct decode_stats {
	uint64_t frames;
	uint64_t decoded;
	uint64_t drops[DECODE_DROP_MAX];
	uint64_t frags;
	uint64_t l4_short;
};

/*
 * Decode one frame of link type `dlt` (enum decode_link values), `caplen`
 * bytes captured of a frame `wirelen` bytes long on the wire. Returns
 * DECODE_OK with `*out` filled as described above, or a drop reason with
 * `*out` undefined. Never allocates, logs or calls the system.
 */
int decode_frame(int dlt, const uint8_t *frame, uint32_t caplen,
		 uint32_t wirelen, struct pkt *out);

/* Count the result `rc` of decode_frame() into `s`; `p` (its packet) is
 * read only when rc is DECODE_OK. */
void decode_stats_add(struct decode_stats *s, int rc, const struct pkt *p);

/* A short fixed name for a drop reason ("not-ip", "short-l2"...), or
 * "unknown" for a value out of range. Static storage. */
const char *decode_drop_name(int reason);

/* Nonzero if decode_frame() knows link type `dlt` (for a capture source
 * to refuse an unknown one up front rather than drop every frame). */
int decode_link_supported(int dlt);

#endif
