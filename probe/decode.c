/* SPDX-License-Identifier: ISC */
/*
 * Packet decoding: walks one frame from its link header through VLAN
 * tags, MPLS labels, PPPoE and PPP down to the outermost IPv4 or IPv6
 * header and its transport header, and fills a struct pkt for the flow
 * cache. Tunnels (GRE, IP-in-IP) stop the walk: they are counted by their
 * outer header, which is what crossed the wire being watched.
 */
#include <string.h>
#include <netinet/in.h>

#include "common/cursor.h"
#include "probe/decode.h"

/* Bounds on nested headers, so a hostile frame cannot loop us. */
#define DECODE_MAX_NEST 16 /* VLAN tags + MPLS labels + inner Ethernet */
#define DECODE_MAX_EXT  16 /* IPv6 extension headers */
#define DECODE_MAX_TLV  64 /* NFLOG TLVs */

#define SLL_HLEN     16
#define SLL2_HLEN    20
#define PPPOE_HLEN   6
#define IP4_HLEN     20
#define IP6_HLEN     40
#define MPLS_BOS     0x100u
#define IP4_MF       0x2000u
#define IP4_OFFMASK  0x1fffu
#define ARPHRD_ETHER 1
#define ETH_LEN_MAX  1500 /* type fields up to this are 802.3 lengths */

enum {
	ETHERTYPE_IP = 0x0800,
	ETHERTYPE_VLAN = 0x8100,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MC = 0x8848,
	ETHERTYPE_PPPOE = 0x8864,
	ETHERTYPE_8021AD = 0x88a8,
	ETHERTYPE_QINQ1 = 0x9100,
	ETHERTYPE_QINQ2 = 0x9200,
	PPP_IP = 0x0021,
	PPP_IPV6 = 0x0057,
	PPP_MPLS = 0x0281,
	PPP_MPLS_MC = 0x0283,
};

/* The walk's state: the output, the wire length and how deep we are. */
struct dstate {
	struct pkt *out;
	uint32_t wirelen;
	int nest;
	int have_mac;  /* MACs come from the outermost Ethernet header */
	int have_vlan; /* the VLAN id from the outermost tag */
};

static int decode_ethertype(struct cursor *c, struct dstate *d, uint16_t type);
static int decode_ether(struct cursor *c, struct dstate *d);

/* Read `n` bytes from `c` into `dst`, or skip them when `dst` is NULL. */
static int
get(struct cursor *c, void *dst, size_t n)
{
	return dst != NULL ? cur_bytes(c, dst, n) : cur_skip(c, n);
}

/* Transport ports, ICMP type/code and TCP flags (the low byte of the
 * 16-bit word at offset 12, RFC 9293 section 3.1). `c` holds the
 * transport header and what follows of the IP payload. */
static void
decode_l4(struct cursor *c, struct pkt *p)
{
	uint16_t a, b;

	switch (p->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (cur_peek_u16(c, 0, &a) == -1 ||
		    cur_peek_u16(c, 2, &b) == -1) {
			p->flags |= DECODE_F_L4_SHORT;
			return;
		}
		p->src_port = a;
		p->dst_port = b;
		if (p->proto != IPPROTO_TCP)
			return;
		if (cur_peek_u16(c, 12, &a) == -1)
			p->flags |= DECODE_F_L4_SHORT;
		else
			p->tcp_flags = (uint8_t)a;
		return;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (cur_peek_u16(c, 0, &a) == -1)
			p->flags |= DECODE_F_L4_SHORT;
		else
			p->dst_port = a;
		return;
	default:
		return;
	}
}

/* An address into a zeroed struct ft_addr (decode_frame() clears the
 * packet): the family and the address bytes, nothing else to write. */
static void
addr_put(struct ft_addr *a, uint8_t family, const uint8_t *net, size_t n)
{
	a->family = family;
	memcpy(a->bytes, net, n);
}

/*
 * Limit `c` to the IP packet's own length when the capture holds more
 * (Ethernet padding must not be read as a transport header).
 */
static void
clip_to_ip(struct cursor *c, size_t ip_start, size_t ip_len)
{
	size_t end = ip_start + ip_len;

	if (ip_len != 0 && end >= c->off && end < c->len)
		c->len = end;
}

/* IPv4 (RFC 791). A total length of 0 is a TSO / BIG TCP super-packet:
 * its length is what the wire frame holds past the link headers. */
static int
decode_ip4(struct cursor *c, struct dstate *d)
{
	struct pkt *p = d->out;
	size_t start = c->off;
	uint8_t h[IP4_HLEN];
	uint16_t tlen, frag;
	size_t hlen;

	if (cur_left(c) >= 1 && cur_ptr(c)[0] >> 4 != 4)
		return DECODE_DROP_BAD_VERSION;
	if (cur_bytes(c, h, sizeof(h)) == -1)
		return DECODE_DROP_SHORT_L3;
	hlen = (size_t)(h[0] & 0x0f) * 4;
	if (hlen < IP4_HLEN)
		return DECODE_DROP_BAD_HLEN;
	tlen = (uint16_t)(h[2] << 8 | h[3]);
	if (tlen != 0 && tlen < hlen)
		return DECODE_DROP_BAD_LENGTH;

	p->ipver = 4;
	p->tos = h[1];
	p->proto = h[9];
	addr_put(&p->src, 4, h + 12, 4);
	addr_put(&p->dst, 4, h + 16, 4);
	if (tlen != 0) {
		p->octets = tlen;
	} else {
		p->octets = d->wirelen > start ? d->wirelen - (uint32_t)start
					       : (uint32_t)hlen;
		p->flags |= DECODE_F_JUMBO;
	}

	/* Fragments (RFC 791 3.1): only the first carries the L4 header. */
	frag = (uint16_t)(h[6] << 8 | h[7]);
	if (frag & (IP4_MF | IP4_OFFMASK))
		p->flags |= DECODE_F_FRAG;
	if (frag & IP4_OFFMASK) {
		p->flags |= DECODE_F_FRAG_LATER;
		return DECODE_OK;
	}
	if (cur_skip(c, hlen - IP4_HLEN) == -1) {
		p->flags |= DECODE_F_L4_SHORT;
		return DECODE_OK;
	}
	clip_to_ip(c, start, tlen);
	decode_l4(c, p);
	return DECODE_OK;
}

/*
 * A hop-by-hop options header whose options may hold a Jumbo Payload
 * (RFC 2675 section 2: option 0xc2, 4 bytes, the length of everything
 * after the IPv6 header). `c` holds the header's options only.
 */
static void
decode_hbh_jumbo(struct cursor *c, struct pkt *p)
{
	uint8_t type, len;
	uint32_t jumbo;

	while (cur_u8(c, &type) == 0) {
		if (type == 0) /* Pad1 */
			continue;
		if (cur_u8(c, &len) == -1)
			return;
		if (type == 0xc2 && len == 4 && cur_u32(c, &jumbo) == 0) {
			p->octets = jumbo > UINT32_MAX - IP6_HLEN
					    ? UINT32_MAX
					    : IP6_HLEN + jumbo;
			p->flags |= DECODE_F_JUMBO;
			return;
		}
		if (cur_skip(c, len) == -1)
			return;
	}
}

/*
 * One IPv6 extension header at `c` (RFC 8200 section 4, RFC 4302 for AH,
 * RFC 6275 section 6.1 for mobility). Returns 1 when it was skipped and
 * `*nh` is the next header, 0 when the walk stops here (upper layer or
 * later fragment), -1 when it is cut short.
 */
static int
decode_ip6_ext(struct cursor *c, struct pkt *p, uint8_t *nh, uint16_t plen)
{
	uint8_t e[2];
	uint16_t off;
	size_t len;
	struct cursor opts;

	switch (*nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_MH:
	case IPPROTO_AH:
		if (cur_bytes(c, e, 2) == -1)
			return -1;
		len = *nh == IPPROTO_AH ? ((size_t)e[1] + 2) * 4
					: ((size_t)e[1] + 1) * 8;
		if (cur_sub(c, len - 2, &opts) == -1)
			return -1;
		if (*nh == IPPROTO_HOPOPTS && plen == 0)
			decode_hbh_jumbo(&opts, p);
		*nh = e[0];
		return 1;
	case IPPROTO_FRAGMENT:
		if (cur_bytes(c, e, 2) == -1 || cur_u16(c, &off) == -1 ||
		    cur_skip(c, 4) == -1)
			return -1;
		p->flags |= DECODE_F_FRAG;
		*nh = e[0];
		if ((off & 0xfff8) == 0)
			return 1;
		p->flags |= DECODE_F_FRAG_LATER;
		return 0;
	default:
		return 0;
	}
}

/*
 * A jumbogram (payload length 0 and a hop-by-hop header) whose Jumbo
 * Payload option was not captured: its length is what the wire frame
 * holds past the link headers, as for IPv4 TSO packets.
 */
static void
jumbo_fallback(const struct dstate *d, struct pkt *p, size_t start)
{
	if (p->flags & DECODE_F_JUMBO || d->wirelen <= start + IP6_HLEN)
		return;
	p->octets = d->wirelen - (uint32_t)start;
	p->flags |= DECODE_F_JUMBO;
}

/* IPv6 (RFC 8200): the length is 40 + payload length, or 40 + the jumbo
 * payload length; extension headers are skipped to the upper layer. */
static int
decode_ip6(struct cursor *c, struct dstate *d)
{
	struct pkt *p = d->out;
	size_t start = c->off;
	uint8_t h[IP6_HLEN];
	uint16_t plen;
	uint8_t nh;
	int i, r;

	if (cur_left(c) >= 1 && cur_ptr(c)[0] >> 4 != 6)
		return DECODE_DROP_BAD_VERSION;
	if (cur_bytes(c, h, sizeof(h)) == -1)
		return DECODE_DROP_SHORT_L3;

	p->ipver = 6;
	p->tos = (uint8_t)(h[0] << 4 | h[1] >> 4);
	plen = (uint16_t)(h[4] << 8 | h[5]);
	p->octets = IP6_HLEN + (uint32_t)plen;
	nh = h[6];
	addr_put(&p->src, 6, h + 8, 16);
	addr_put(&p->dst, 6, h + 24, 16);
	clip_to_ip(c, start, plen != 0 ? p->octets : 0);

	for (i = 0; i <= DECODE_MAX_EXT; i++) {
		r = decode_ip6_ext(c, p, &nh, plen);
		if (r == 1)
			continue;
		p->proto = nh;
		if (r == -1)
			p->flags |= DECODE_F_L4_SHORT;
		else if (!(p->flags & DECODE_F_FRAG_LATER))
			decode_l4(c, p);
		if (plen == 0 && h[6] == IPPROTO_HOPOPTS)
			jumbo_fallback(d, p, start);
		return DECODE_OK;
	}
	return DECODE_DROP_TOO_DEEP;
}

/* IPv4 or IPv6 by the version nibble (raw IP, MPLS payloads). */
static int
decode_ip_any(struct cursor *c, struct dstate *d)
{
	if (cur_left(c) < 1)
		return DECODE_DROP_SHORT_L3;
	switch (cur_ptr(c)[0] >> 4) {
	case 4:
		return decode_ip4(c, d);
	case 6:
		return decode_ip6(c, d);
	default:
		return DECODE_DROP_BAD_VERSION;
	}
}

static int
pw_looks_ether(const struct cursor *c)
{
	uint16_t type;

	if (cur_peek_u16(c, 12, &type) == -1)
		return 0;
	return type == ETHERTYPE_IP || type == ETHERTYPE_IPV6 ||
	       type == ETHERTYPE_VLAN || type == ETHERTYPE_8021AD;
}

/*
 * An MPLS label stack (RFC 3032) down to the bottom-of-stack entry. The
 * payload has no type field: IPv4 and IPv6 are told by their version
 * nibble; a first nibble of 0 is the pseudowire control word (RFC 4385)
 * before an Ethernet frame (RFC 4448).
 */
static int
decode_mpls(struct cursor *c, struct dstate *d)
{
	uint32_t entry;

	do {
		if (++d->nest > DECODE_MAX_NEST)
			return DECODE_DROP_TOO_DEEP;
		if (cur_u32(c, &entry) == -1)
			return DECODE_DROP_SHORT_L2;
	} while (!(entry & MPLS_BOS));

	if (cur_left(c) < 1)
		return DECODE_DROP_SHORT_L3;
	switch (cur_ptr(c)[0] >> 4) {
	case 4:
	case 6:
		return decode_ip_any(c, d);
	case 0:
		if (cur_skip(c, 4) == -1)
			return DECODE_DROP_SHORT_L2;
		break;
	default:
		/* An Ethernet pseudowire without control word, if what
		 * would be its type field says IP or a VLAN tag. */
		if (!pw_looks_ether(c))
			return DECODE_DROP_NOT_IP;
	}
	if (++d->nest > DECODE_MAX_NEST)
		return DECODE_DROP_TOO_DEEP;
	return decode_ether(c, d);
}

/* A PPP protocol number (RFC 1661, assigned numbers). */
static int
decode_ppp_proto(struct cursor *c, struct dstate *d, uint16_t proto)
{
	switch (proto) {
	case PPP_IP:
		return decode_ip4(c, d);
	case PPP_IPV6:
		return decode_ip6(c, d);
	case PPP_MPLS:
	case PPP_MPLS_MC:
		return decode_mpls(c, d);
	default:
		return DECODE_DROP_NOT_IP;
	}
}

/*
 * Cisco HDLC: address 0x0f (unicast) or 0x8f (broadcast), control 0,
 * then an Ethernet type.
 */
static int
decode_chdlc(struct cursor *c, struct dstate *d)
{
	uint16_t type;

	if (cur_skip(c, 2) == -1 || cur_u16(c, &type) == -1)
		return DECODE_DROP_SHORT_L2;
	return decode_ethertype(c, d, type);
}

/*
 * A PPP frame: an optional HDLC address/control pair 0xff 0x03 (RFC
 * 1662), then the protocol, one byte when compressed (RFC 1661 section
 * 6.5: an odd first byte).
 */
static int
decode_ppp(struct cursor *c, struct dstate *d)
{
	uint16_t proto;
	uint8_t b;

	if (cur_peek_u16(c, 0, &proto) == 0 && proto == 0xff03)
		cur_skip(c, 2);
	if (cur_left(c) < 1)
		return DECODE_DROP_SHORT_L2;
	if (cur_ptr(c)[0] & 1) {
		cur_u8(c, &b);
		return decode_ppp_proto(c, d, b);
	}
	if (cur_u16(c, &proto) == -1)
		return DECODE_DROP_SHORT_L2;
	return decode_ppp_proto(c, d, proto);
}

/* A PPPoE session frame (RFC 2516 section 4): 6 bytes, then PPP's
 * protocol field. */
static int
decode_pppoe(struct cursor *c, struct dstate *d)
{
	uint16_t proto;

	if (cur_skip(c, PPPOE_HLEN) == -1 || cur_u16(c, &proto) == -1)
		return DECODE_DROP_SHORT_L2;
	return decode_ppp_proto(c, d, proto);
}

/* One 802.1Q / 802.1ad tag (IEEE 802.1Q section 9.6). */
static int
decode_vlan(struct cursor *c, struct dstate *d, uint16_t *type)
{
	uint16_t tci;

	if (++d->nest > DECODE_MAX_NEST)
		return DECODE_DROP_TOO_DEEP;
	if (cur_u16(c, &tci) == -1 || cur_u16(c, type) == -1)
		return DECODE_DROP_SHORT_L2;
	if (!d->have_vlan) {
		d->out->vlan = tci & 0x0fff;
		d->have_vlan = 1;
	}
	return DECODE_OK;
}

/*
 * An IEEE 802.3 frame's LLC header (a type field <= 1500 is a length).
 * Only SNAP (AA-AA-03) with an Ethernet-type OUI (RFC 1042: 00-00-00,
 * 802.1H: 00-00-F8) carries IP; STP, CDP and the rest are not IP.
 */
static int
decode_snap(struct cursor *c, struct dstate *d, uint16_t *type)
{
	uint8_t h[6];

	if (++d->nest > DECODE_MAX_NEST)
		return DECODE_DROP_TOO_DEEP;
	if (cur_left(c) >= 3 && memcmp(cur_ptr(c), "\xaa\xaa\x03", 3) != 0)
		return DECODE_DROP_NOT_IP;
	if (cur_bytes(c, h, sizeof(h)) == -1 || cur_u16(c, type) == -1)
		return DECODE_DROP_SHORT_L2;
	if (h[3] != 0 || h[4] != 0 || (h[5] != 0 && h[5] != 0xf8))
		return DECODE_DROP_NOT_IP;
	return DECODE_OK;
}

/* The payload of an Ethernet type field (or of SLL's protocol field). */
static int
decode_ethertype(struct cursor *c, struct dstate *d, uint16_t type)
{
	int r;

	for (;;) {
		switch (type) {
		case ETHERTYPE_IP:
			return decode_ip4(c, d);
		case ETHERTYPE_IPV6:
			return decode_ip6(c, d);
		case ETHERTYPE_VLAN:
		case ETHERTYPE_8021AD:
		case ETHERTYPE_QINQ1:
		case ETHERTYPE_QINQ2:
			r = decode_vlan(c, d, &type);
			if (r != DECODE_OK)
				return r;
			continue;
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MC:
			return decode_mpls(c, d);
		case ETHERTYPE_PPPOE:
			return decode_pppoe(c, d);
		default:
			if (type > ETH_LEN_MAX)
				return DECODE_DROP_NOT_IP;
			r = decode_snap(c, d, &type);
			if (r != DECODE_OK)
				return r;
			continue;
		}
	}
}

/* An Ethernet II or IEEE 802.3 header. */
static int
decode_ether(struct cursor *c, struct dstate *d)
{
	struct pkt *p = d->out;
	uint16_t type;

	if (get(c, d->have_mac ? NULL : p->dst_mac, 6) == -1 ||
	    get(c, d->have_mac ? NULL : p->src_mac, 6) == -1 ||
	    cur_u16(c, &type) == -1)
		return DECODE_DROP_SHORT_L2;
	d->have_mac = 1;
	return decode_ethertype(c, d, type);
}

/* IEEE 802.11-2020 9.2.4.1 frame control, first and second octet. */
#define WLAN_TYPE_MASK 0x0c
#define WLAN_TYPE_DATA 0x08
#define WLAN_NODATA    0x40 /* subtype bit 2: Null, CF-Ack... no body */
#define WLAN_QOS       0x80 /* subtype bit 3 */
#define WLAN_TODS      0x01
#define WLAN_FROMDS    0x02
#define WLAN_PROTECTED 0x40
#define WLAN_ORDER     0x80 /* with QoS: an HT Control field follows */
#define WLAN_AMSDU     0x80 /* QoS Control, first octet */

/* The source and destination MACs of a data frame, by its DS bits
 * (IEEE 802.11-2020 Table 9-30); `h` holds the four addresses' octets. */
static void
wlan_macs(struct dstate *d, const uint8_t *h, uint8_t ds)
{
	static const uint8_t sa_at[4] = { 10, 10, 16, 24 };
	static const uint8_t da_at[4] = { 4, 16, 4, 16 };

	memcpy(d->out->src_mac, h + sa_at[ds], 6);
	memcpy(d->out->dst_mac, h + da_at[ds], 6);
	d->have_mac = 1;
}

/*
 * An IEEE 802.11 data frame (IEEE 802.11-2020 9.3.2.1): 24 header bytes,
 * a fourth address between two distribution systems, QoS Control and HT
 * Control when flagged, the pad to 4 bytes radiotap may announce, then
 * LLC/SNAP. Encrypted bodies, bodiless subtypes and later MAC fragments
 * carry no IP we can see. Of an A-MSDU, the first subframe counts.
 */
static int
decode_wlan(struct cursor *c, struct dstate *d, int pad4)
{
	size_t start = c->off, hlen;
	uint8_t h[30], qos[2];
	uint16_t type;
	uint8_t ds;
	int r;

	if (cur_bytes(c, h, 24) == -1)
		return DECODE_DROP_SHORT_L2;
	if ((h[0] & WLAN_TYPE_MASK) != WLAN_TYPE_DATA || h[0] & WLAN_NODATA ||
	    h[1] & WLAN_PROTECTED || (h[22] & 0x0f) != 0)
		return DECODE_DROP_NOT_IP;
	ds = h[1] & (WLAN_TODS | WLAN_FROMDS);
	if (ds == (WLAN_TODS | WLAN_FROMDS) && cur_bytes(c, h + 24, 6) == -1)
		return DECODE_DROP_SHORT_L2;
	wlan_macs(d, h, ds);
	qos[0] = 0;
	if (h[0] & WLAN_QOS && (cur_bytes(c, qos, 2) == -1 ||
				(h[1] & WLAN_ORDER && cur_skip(c, 4) == -1)))
		return DECODE_DROP_SHORT_L2;
	hlen = c->off - start;
	if (pad4 && cur_skip(c, (4 - hlen % 4) % 4) == -1)
		return DECODE_DROP_SHORT_L2;
	if (qos[0] & WLAN_AMSDU && cur_skip(c, 14) == -1)
		return DECODE_DROP_SHORT_L2;
	r = decode_snap(c, d, &type);
	return r != DECODE_OK ? r : decode_ethertype(c, d, type);
}

/*
 * The Flags field of a radiotap header (radiotap.org: fields follow the
 * chain of 32-bit little-endian presence words, each aligned to its own
 * size from the header's start; TSFT, bit 0, is 8 bytes; Flags is bit
 * 1). `rt` holds the whole radiotap header; 0 when there is no Flags.
 */
static uint8_t
radiotap_flags(struct cursor *rt)
{
	uint8_t w[4], first = 0, flags = 0;
	int i;

	cur_skip(rt, 4);
	for (i = 0; i < 8; i++) {
		if (cur_bytes(rt, w, 4) == -1)
			return 0;
		if (i == 0)
			first = w[0];
		if (!(w[3] & 0x80))
			break;
	}
	if (first & 0x01 && (cur_skip(rt, (8 - rt->off % 8) % 8) == -1 ||
			     cur_skip(rt, 8) == -1))
		return 0;
	if (first & 0x02 && cur_u8(rt, &flags) == -1)
		return 0;
	return flags;
}

/* Radiotap (version 0, pad, little-endian length, presence words), then
 * an 802.11 frame; Flags bit 0x20 pads its header to 4 bytes. */
static int
decode_radiotap(struct cursor *c, struct dstate *d)
{
	struct cursor rt;
	uint16_t len;

	if (cur_left(c) < 8 || cur_ptr(c)[0] != 0)
		return DECODE_DROP_SHORT_L2;
	len = (uint16_t)(cur_ptr(c)[2] | cur_ptr(c)[3] << 8);
	if (len < 8 || cur_sub(c, len, &rt) == -1)
		return DECODE_DROP_SHORT_L2;
	return decode_wlan(c, d, radiotap_flags(&rt) & 0x20);
}

/*
 * Linux cooked capture v1: packet type, ARPHRD type, address length,
 * 8 address bytes, protocol (an Ethernet type for the cases we decode).
 * The address is the sender's MAC on Ethernet devices.
 */
static int
decode_sll(struct cursor *c, struct dstate *d)
{
	uint8_t h[SLL_HLEN];
	uint16_t hatype, halen;

	if (cur_bytes(c, h, sizeof(h)) == -1)
		return DECODE_DROP_SHORT_L2;
	hatype = (uint16_t)(h[2] << 8 | h[3]);
	halen = (uint16_t)(h[4] << 8 | h[5]);
	if (hatype == ARPHRD_ETHER && halen == 6)
		memcpy(d->out->src_mac, h + 6, 6);
	return decode_ethertype(c, d, (uint16_t)(h[14] << 8 | h[15]));
}

/* Linux cooked capture v2: protocol first, then interface, ARPHRD type,
 * packet type, address length and 8 address bytes. */
static int
decode_sll2(struct cursor *c, struct dstate *d)
{
	uint8_t h[SLL2_HLEN];
	uint16_t hatype;

	if (cur_bytes(c, h, sizeof(h)) == -1)
		return DECODE_DROP_SHORT_L2;
	hatype = (uint16_t)(h[8] << 8 | h[9]);
	if (hatype == ARPHRD_ETHER && h[11] == 6)
		memcpy(d->out->src_mac, h + 12, 6);
	return decode_ethertype(c, d, (uint16_t)(h[0] << 8 | h[1]));
}

/*
 * BSD loopback: a 4-byte address family in the capturing host's order
 * (DLT_NULL) or network order (DLT_LOOP); both orders are accepted.
 * AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28
 * (FreeBSD) or 30 (macOS).
 */
static int
decode_null(struct cursor *c, struct dstate *d)
{
	uint8_t h[4];
	uint32_t le, be, af;

	if (cur_bytes(c, h, sizeof(h)) == -1)
		return DECODE_DROP_SHORT_L2;
	le = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	     (uint32_t)h[3] << 24;
	be = (uint32_t)h[3] | (uint32_t)h[2] << 8 | (uint32_t)h[1] << 16 |
	     (uint32_t)h[0] << 24;
	/* Families are small numbers: the smaller reading is the right one. */
	af = le < be ? le : be;
	switch (af) {
	case 2:
		return decode_ip4(c, d);
	case 24:
	case 28:
	case 30:
		return decode_ip6(c, d);
	default:
		return DECODE_DROP_NOT_IP;
	}
}

/*
 * NFLOG: a 4-byte header (family, version, resource id) and TLVs whose
 * length and type are in host byte order (libpcap swaps them when the
 * file came from a host of the other order); lengths include the 4-byte
 * TLV header and TLVs are padded to 4 bytes. Type 9 is the packet.
 */
static int
decode_nflog(struct cursor *c, struct dstate *d)
{
	uint8_t family;
	uint16_t tlv[2];
	size_t len;
	int i;

	if (cur_u8(c, &family) == -1 || cur_skip(c, 3) == -1)
		return DECODE_DROP_SHORT_L2;
	for (i = 0; i < DECODE_MAX_TLV; i++) {
		if (cur_bytes(c, tlv, sizeof(tlv)) == -1)
			return DECODE_DROP_SHORT_L2;
		if (tlv[0] < 4)
			return DECODE_DROP_SHORT_L2;
		if (tlv[1] == 9)
			break;
		len = ((size_t)tlv[0] + 3) & ~(size_t)3;
		if (cur_skip(c, len - 4) == -1)
			return DECODE_DROP_SHORT_L2;
	}
	if (i == DECODE_MAX_TLV)
		return DECODE_DROP_TOO_DEEP;
	switch (family) {
	case 2:
		return decode_ip4(c, d);
	case 10:
		return decode_ip6(c, d);
	default:
		return decode_ip_any(c, d);
	}
}

static int
decode_link(int dlt, struct cursor *c, struct dstate *d)
{
	switch (dlt) {
	case DECODE_LINK_EN10MB:
		return decode_ether(c, d);
	case DECODE_LINK_LINUX_SLL:
		return decode_sll(c, d);
	case DECODE_LINK_LINUX_SLL2:
		return decode_sll2(c, d);
	case DECODE_LINK_PPP:
		return decode_ppp(c, d);
	case DECODE_LINK_PPP_SERIAL:
		/* libpcap: these frames may be Cisco HDLC instead. */
		if (cur_left(c) >= 1 && (cur_ptr(c)[0] & 0x7f) == 0x0f)
			return decode_chdlc(c, d);
		return decode_ppp(c, d);
	case DECODE_LINK_PPP_ETHER:
		return decode_pppoe(c, d);
	case DECODE_LINK_C_HDLC:
		return decode_chdlc(c, d);
	case DECODE_LINK_RAW:
	case DECODE_LINK_RAW_BSD:
	case DECODE_LINK_RAW_LT:
		return decode_ip_any(c, d);
	case DECODE_LINK_IPV4:
		return decode_ip4(c, d);
	case DECODE_LINK_IPV6:
		return decode_ip6(c, d);
	case DECODE_LINK_NULL:
	case DECODE_LINK_LOOP:
		return decode_null(c, d);
	case DECODE_LINK_IEEE802_11:
		return decode_wlan(c, d, 0);
	case DECODE_LINK_RADIOTAP:
		return decode_radiotap(c, d);
	case DECODE_LINK_NFLOG:
		return decode_nflog(c, d);
	default:
		return DECODE_DROP_LINK_TYPE;
	}
}

/* The transport header of a packet the fast path took: `c` limited to
 * the IP length, as clip_to_ip() does for the walk, then decode_l4()'s
 * results, read in one copy when a whole TCP or UDP header is there. */
static void
fast_l4(struct cursor *c, size_t ip_end, struct pkt *p)
{
	uint8_t t[14];

	if (ip_end < c->len)
		c->len = ip_end;
	if (p->proto == IPPROTO_TCP && cur_bytes(c, t, 14) == 0) {
		p->src_port = (uint16_t)(t[0] << 8 | t[1]);
		p->dst_port = (uint16_t)(t[2] << 8 | t[3]);
		p->tcp_flags = t[13];
	} else if (p->proto == IPPROTO_UDP && cur_bytes(c, t, 4) == 0) {
		p->src_port = (uint16_t)(t[0] << 8 | t[1]);
		p->dst_port = (uint16_t)(t[2] << 8 | t[3]);
	} else {
		decode_l4(c, p);
	}
}

/*
 * IPv4 at `ip`, `l2` bytes into the frame, with the cursor `c` past its
 * header: when the header has no options, its length is set and it is no
 * fragment, the same fields as decode_ip4(). 0, or -1 for the walk.
 */
static int
fast_ip4(struct cursor *c, const uint8_t *ip, size_t l2, struct pkt *p)
{
	uint16_t tlen = (uint16_t)(ip[2] << 8 | ip[3]);

	if (ip[0] != 0x45 || tlen < IP4_HLEN ||
	    (ip[6] << 8 | ip[7]) & (IP4_MF | IP4_OFFMASK))
		return -1;
	p->ipver = 4;
	p->tos = ip[1];
	p->proto = ip[9];
	addr_put(&p->src, 4, ip + 12, 4);
	addr_put(&p->dst, 4, ip + 16, 4);
	p->octets = tlen;
	fast_l4(c, l2 + tlen, p);
	return 0;
}

/*
 * IPv6 at `ip` as for fast_ip4(): when its payload length is set and TCP,
 * UDP or ICMPv6 follows the fixed header, the same fields as
 * decode_ip6(). 0, or -1 for the walk.
 */
static int
fast_ip6(struct cursor *c, const uint8_t *ip, size_t l2, struct pkt *p)
{
	uint16_t plen = (uint16_t)(ip[4] << 8 | ip[5]);
	uint8_t nh = ip[6];

	if (ip[0] >> 4 != 6 || plen == 0 ||
	    (nh != IPPROTO_TCP && nh != IPPROTO_UDP && nh != IPPROTO_ICMPV6))
		return -1;
	p->ipver = 6;
	p->tos = (uint8_t)(ip[0] << 4 | ip[1] >> 4);
	p->proto = nh;
	p->octets = IP6_HLEN + (uint32_t)plen;
	addr_put(&p->src, 6, ip + 8, 16);
	addr_put(&p->dst, 6, ip + 24, 16);
	fast_l4(c, l2 + p->octets, p);
	return 0;
}

/*
 * The frames most traffic is made of, in one step rather than the walk:
 * Ethernet, untagged or with one 802.1Q / 802.1ad tag, then IPv4 or IPv6
 * as fast_ip4() and fast_ip6() take them. Headers are read through the
 * cursor in fixed-size, bounds-checked copies. 0 with `*p` filled as the
 * walk would, or -1 (`c` and `*p` untouched) when the walk must decide.
 */
static int
decode_fast(struct cursor *c, struct pkt *p)
{
	struct cursor l4 = *c;
	uint8_t h[18], ip[IP6_HLEN];
	uint16_t type, tci = 0;
	size_t l2 = 14;
	int r;

	if (cur_bytes(&l4, h, 14) == -1)
		return -1;
	type = (uint16_t)(h[12] << 8 | h[13]);
	if (type == ETHERTYPE_VLAN || type == ETHERTYPE_8021AD) {
		if (cur_bytes(&l4, h + 14, 4) == -1)
			return -1;
		tci = (uint16_t)(h[14] << 8 | h[15]);
		type = (uint16_t)(h[16] << 8 | h[17]);
		l2 = 18;
	}
	if (type == ETHERTYPE_IP) {
		if (cur_bytes(&l4, ip, IP4_HLEN) == -1)
			return -1;
		r = fast_ip4(&l4, ip, l2, p);
	} else if (type == ETHERTYPE_IPV6) {
		if (cur_bytes(&l4, ip, IP6_HLEN) == -1)
			return -1;
		r = fast_ip6(&l4, ip, l2, p);
	} else {
		return -1;
	}
	if (r == -1)
		return -1;
	memcpy(p->dst_mac, h, 6);
	memcpy(p->src_mac, h + 6, 6);
	p->vlan = tci & 0x0fff;
	return 0;
}

int
decode_frame(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
	     struct pkt *out)
{
	struct cursor c;
	struct dstate d;

	memset(out, 0, sizeof(*out));
	cur_init(&c, frame, caplen);
	if (dlt == DECODE_LINK_EN10MB && decode_fast(&c, out) == 0)
		return DECODE_OK;
	memset(&d, 0, sizeof(d));
	d.out = out;
	d.wirelen = wirelen > caplen ? wirelen : caplen;
	return decode_link(dlt, &c, &d);
}

int
decode_link_supported(int dlt)
{
	struct cursor c;
	struct dstate d;
	struct pkt p;

	memset(&d, 0, sizeof(d));
	d.out = &p;
	cur_init(&c, NULL, 0);
	return decode_link(dlt, &c, &d) != DECODE_DROP_LINK_TYPE;
}

void
decode_stats_add(struct decode_stats *s, int rc, const struct pkt *p)
{
	s->frames++;
	if (rc != DECODE_OK) {
		if (rc > 0 && rc < DECODE_DROP_MAX)
			s->drops[rc]++;
		return;
	}
	s->decoded++;
	if (p->flags & DECODE_F_FRAG)
		s->frags++;
	if (p->flags & DECODE_F_L4_SHORT)
		s->l4_short++;
}

const char *
decode_drop_name(int reason)
{
	static const char *const names[DECODE_DROP_MAX] = {
		[DECODE_OK] = "ok",
		[DECODE_DROP_NOT_IP] = "not-ip",
		[DECODE_DROP_SHORT_L2] = "short-l2",
		[DECODE_DROP_SHORT_L3] = "short-l3",
		[DECODE_DROP_BAD_VERSION] = "bad-version",
		[DECODE_DROP_BAD_HLEN] = "bad-header-length",
		[DECODE_DROP_BAD_LENGTH] = "bad-length",
		[DECODE_DROP_LINK_TYPE] = "link-type",
		[DECODE_DROP_TOO_DEEP] = "too-deep",
	};

	if (reason < 0 || reason >= DECODE_DROP_MAX)
		return "unknown";
	return names[reason];
}
