/* SPDX-License-Identifier: ISC */
/*
 * The packet decoder on hand-built frames: every link type and
 * encapsulation the probe accepts, and truncated or malformed variants.
 * Each frame is written out byte by byte from the protocol definitions
 * (IEEE 802.3/802.1Q, RFC 791, 8200, 2675, 3032, 4385, 2516, 1661/1662,
 * Cisco HDLC, IEEE 802.11-2020, radiotap, the Linux SLL/SLL2, NULL and
 * NFLOG link-layer headers), and the expected key and length are read off
 * those bytes, not off the decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "probe/decode.h"

/* Ethernet: destination 02:00:00:00:00:02, source 02:00:00:00:00:01. */
#define MACS "02 00 00 00 00 02 02 00 00 00 00 01 "
#define SMAC "02:00:00:00:00:01"
#define DMAC "02:00:00:00:00:02"

/* IPv4, ToS 0x10, total length 36, UDP 192.0.2.1:12345 -> 198.51.100.2:53
 * with 8 bytes of payload. */
#define IP4_UDP_H "45 10 00 24 00 01 00 00 40 11 00 00 c0 00 02 01 c6 33 64 02 "
#define UDP_16    "30 39 00 35 00 10 00 00 de ad be ef de ad be ef "
#define IP4_UDP   IP4_UDP_H UDP_16

/* IPv4 total length 40, DF, TCP 10.0.0.1:8080 -> 10.0.0.2:80, SYN+ACK. */
#define IP4_TCP_H "45 00 00 28 00 02 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02 "
#define TCP_20    "1f 90 00 50 00 00 00 01 00 00 00 00 50 12 ff ff 00 00 00 00 "
#define IP4_TCP   IP4_TCP_H TCP_20

/* IPv4 total length 28, ICMP echo request 192.0.2.1 -> 192.0.2.9. */
#define IP4_ICMP                                                               \
	"45 00 00 1c 00 03 00 00 40 01 00 00 c0 00 02 01 c0 00 02 09 "         \
	"08 00 f7 ff 00 00 00 00 "

/* IPv6, traffic class 0xb8, 2001:db8::1 -> 2001:db8::2. */
#define SRC6          "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 "
#define DST6          "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 "
#define IP6(plen, nh) "6b 80 00 00 " plen " " nh " 40 " SRC6 DST6
#define IP6_UDP       IP6("00 10", "11") UDP_16

/* IEEE 802.11 data from the distribution system: A1 = destination,
 * A2 = BSSID, A3 = source; sequence 1, fragment 0; then LLC/SNAP. */
#define WLAN_A_DA   "02 00 00 00 00 02 "
#define WLAN_A_SA   "02 00 00 00 00 01 "
#define WLAN_BSS    "02 00 00 00 00 aa "
#define WLAN_FROMDS "08 02 00 00 " WLAN_A_DA WLAN_BSS WLAN_A_SA "10 00 "
#define SNAP_IP4    "aa aa 03 00 00 00 08 00 "

/* A decoded packet as the test expects it; `rc` alone for drops. */
struct want {
	int rc;
	uint8_t ipver;
	const char *src;
	const char *dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t tos;
	uint16_t vlan;
	uint32_t octets;
	uint8_t tcp_flags;
	uint8_t flags;
	const char *smac; /* NULL: all zero */
	const char *dmac;
};

struct dcase {
	const char *name;
	int dlt;
	const char *hex;
	uint32_t cut;        /* capture only this many bytes; 0: all */
	uint32_t wire_extra; /* the wire frame was this much longer */
	struct want w;
};

#define OK4_UDP(v)                                                             \
	{                                                                      \
		DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17,      \
			0x10, v, 36, 0, 0, SMAC, DMAC                          \
	}
#define OK4_TCP(oct, fl)                                                       \
	{                                                                      \
		DECODE_OK, 4, "10.0.0.1", "10.0.0.2", 8080, 80, 6, 0, 0, oct,  \
			0x12, fl, SMAC, DMAC                                   \
	}
#define OK6_UDP(oct, fl, m, d)                                                 \
	{                                                                      \
		DECODE_OK, 6, "2001:db8::1", "2001:db8::2", 12345, 53, 17,     \
			0xb8, 0, oct, 0, fl, m, d                              \
	}
#define OK6(proto, sp, dp, oct, tf, fl)                                        \
	{                                                                      \
		DECODE_OK, 6, "2001:db8::1", "2001:db8::2", sp, dp, proto,     \
			0xb8, 0, oct, tf, fl, SMAC, DMAC                       \
	}
#define DROP(r)                                                                \
	{                                                                      \
		r, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL           \
	}

static const struct dcase cases[] = {
	/* Ethernet II and its tags. */
	{ "ether ipv4 udp", 1, MACS "08 00 " IP4_UDP, 0, 0, OK4_UDP(0) },
	{ "ether ipv4 tcp", 1, MACS "08 00 " IP4_TCP, 0, 0, OK4_TCP(40, 0) },
	{ "ether ipv4 icmp echo",
	  1,
	  MACS "08 00 " IP4_ICMP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "192.0.2.9", 0, 0x0800, 1, 0, 0, 28, 0,
	    0, SMAC, DMAC } },
	{ "ether padding is not counted", 1,
	  MACS "08 00 " IP4_TCP "00 00 00 00 00 00 ", 0, 0, OK4_TCP(40, 0) },
	{ "802.1Q vlan 100", 1, MACS "81 00 00 64 08 00 " IP4_UDP, 0, 0,
	  OK4_UDP(100) },
	{ "802.1Q priority tag, pcp 5 dei 1", 1,
	  MACS "81 00 b0 00 08 00 " IP4_UDP, 0, 0, OK4_UDP(0) },
	{ "802.1ad 200 outer, 802.1Q 100 inner", 1,
	  MACS "88 a8 00 c8 81 00 00 64 08 00 " IP4_UDP, 0, 0, OK4_UDP(200) },
	{ "qinq 0x9100 outer 300", 1,
	  MACS "91 00 01 2c 81 00 00 64 08 00 " IP4_UDP, 0, 0, OK4_UDP(300) },
	{ "three stacked tags 10/20/30", 1,
	  MACS "81 00 00 0a 81 00 00 14 81 00 00 1e 08 00 " IP4_UDP, 0, 0,
	  OK4_UDP(10) },
	{ "vlan 4095 masks pcp bits", 1, MACS "81 00 ef ff 08 00 " IP4_UDP, 0,
	  0, OK4_UDP(4095) },
	{ "vlan ipv6",
	  1,
	  MACS "81 00 00 07 86 dd " IP6_UDP,
	  0,
	  0,
	  { DECODE_OK, 6, "2001:db8::1", "2001:db8::2", 12345, 53, 17, 0xb8, 7,
	    56, 0, 0, SMAC, DMAC } },
	{ "arp", 1,
	  MACS "08 06 00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01 "
	       "00 00 00 00 00 00 c0 00 02 09 ",
	  0, 0, DROP(DECODE_DROP_NOT_IP) },
	{ "802.3 length field (llc, stp)", 1,
	  MACS "00 26 42 42 03 00 00 00 00 00 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "802.3 llc/snap (RFC 1042) ipv4", 1,
	  MACS "00 2c aa aa 03 00 00 00 08 00 " IP4_UDP, 0, 0, OK4_UDP(0) },
	{ "vlan 9, then llc/snap 802.1H ipv6",
	  1,
	  MACS "81 00 00 09 00 48 aa aa 03 00 00 f8 86 dd " IP6_UDP,
	  0,
	  0,
	  { DECODE_OK, 6, "2001:db8::1", "2001:db8::2", 12345, 53, 17, 0xb8, 9,
	    56, 0, 0, SMAC, DMAC } },
	{ "snap cisco oui (cdp)", 1,
	  MACS "00 20 aa aa 03 00 00 0c 20 00 02 b4 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "snap header cut", 1, MACS "00 20 aa aa 03 00 00 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },
	{ "sll 802.2 llc/snap ipv4",
	  113,
	  "00 00 00 01 00 06 02 00 00 00 00 01 00 00 00 04 "
	  "aa aa 03 00 00 00 08 00 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, SMAC, NULL } },
	{ "ether header cut at 13 bytes", 1, MACS "08 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },
	{ "vlan tag cut", 1, MACS "81 00 00 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },
	{ "ipv4 header cut at 10 bytes", 1,
	  MACS "08 00 45 00 00 28 00 02 40 00 40 06 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L3) },
	{ "ethertype ipv4 carrying version 6", 1, MACS "08 00 " IP6_UDP, 0, 0,
	  DROP(DECODE_DROP_BAD_VERSION) },

	/* MPLS (RFC 3032): label 18 and 16, S bit on the last. */
	{ "mpls one label ipv4", 1, MACS "88 47 00 01 21 40 " IP4_UDP, 0, 0,
	  OK4_UDP(0) },
	{ "mpls two labels ipv6", 1,
	  MACS "88 47 00 01 20 40 00 01 01 40 " IP6_UDP, 0, 0,
	  OK6_UDP(56, 0, SMAC, DMAC) },
	{ "mpls multicast in vlan 3199", 1,
	  MACS "81 00 0c 7f 88 48 00 01 21 40 " IP4_UDP, 0, 0, OK4_UDP(3199) },
	{ "mpls pseudowire control word, inner ethernet", 1,
	  MACS "88 47 00 01 21 40 00 00 00 00 "
	       "0a 00 00 00 00 0b 0a 00 00 00 00 0a 08 00 " IP4_UDP,
	  0, 0, OK4_UDP(0) },
	{ "mpls pseudowire without control word", 1,
	  MACS "88 47 00 01 21 40 "
	       "5a 00 00 00 00 0b 5a 00 00 00 00 0a 08 00 " IP4_UDP,
	  0, 0, OK4_UDP(0) },
	{ "mpls payload nibble 5", 1,
	  MACS "88 47 00 01 21 40 50 00 00 00 00 00 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "mpls stack without bottom", 1, MACS "88 47 00 01 20 40 00 01 00 40 ",
	  0, 0, DROP(DECODE_DROP_SHORT_L2) },

	/* PPPoE session (RFC 2516): ver/type 0x11, code 0, session 0x0011. */
	{ "pppoe ipv4", 1, MACS "88 64 11 00 00 11 00 26 00 21 " IP4_UDP, 0, 0,
	  OK4_UDP(0) },
	{ "pppoe ipv6", 1, MACS "88 64 11 00 00 11 00 3a 00 57 " IP6_UDP, 0, 0,
	  OK6_UDP(56, 0, SMAC, DMAC) },
	{ "pppoe over qinq", 1,
	  MACS "88 a8 09 aa 81 00 0e 78 88 64 11 00 0f 07 00 26 00 21 " IP4_UDP,
	  0, 0, OK4_UDP(2474) },
	{ "ppp_ether 51 ipv4 (no ethernet header)",
	  51,
	  "11 00 00 11 00 26 00 21 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "pppoe lcp", 1, MACS "88 64 11 00 00 11 00 06 c0 21 01 01 00 04 ", 0,
	  0, DROP(DECODE_DROP_NOT_IP) },
	{ "pppoe discovery", 1, MACS "88 63 11 09 00 00 00 00 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "pppoe header cut", 1, MACS "88 64 11 00 00 11 00 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },

	/* DLT_PPP (9) and PPP in HDLC framing (50). */
	{ "ppp hdlc ipv4",
	  9,
	  "ff 03 00 21 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "ppp ipv6 no address/control", 9, "00 57 " IP6_UDP, 0, 0,
	  OK6_UDP(56, 0, NULL, NULL) },
	{ "ppp compressed protocol field",
	  9,
	  "21 " IP4_ICMP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "192.0.2.9", 0, 0x0800, 1, 0, 0, 28, 0,
	    0, NULL, NULL } },
	{ "ppp mpls unicast",
	  9,
	  "ff 03 02 81 00 01 21 40 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "ppp serial ipv4",
	  50,
	  "ff 03 00 21 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "ppp serial carrying cisco hdlc ipv6", 50, "0f 00 86 dd " IP6_UDP, 0,
	  0, OK6_UDP(56, 0, NULL, NULL) },
	{ "cisco hdlc 104 broadcast ipv4",
	  104,
	  "8f 00 08 00 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "cisco hdlc keepalive (slarp)", 104, "8f 00 80 35 00 00 00 02 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "cisco hdlc header cut", 104, "0f 00 08 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },
	{ "ppp lcp", 9, "ff 03 c0 21 01 01 00 04 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "ppp empty after hdlc", 9, "ff 03 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },

	/* IEEE 802.11 (105) and radiotap (127). */
	{ "802.11 data from ds", 105, WLAN_FROMDS SNAP_IP4 IP4_UDP, 0, 0,
	  OK4_UDP(0) },
	{ "802.11 qos data to ds", 105,
	  "88 01 00 00 " WLAN_BSS WLAN_A_SA WLAN_A_DA
	  "10 00 00 00 " SNAP_IP4 IP4_UDP,
	  0, 0, OK4_UDP(0) },
	{ "802.11 wds, qos, ht control", 105,
	  "88 83 00 00 02 00 00 00 00 bb 02 00 00 00 00 cc " WLAN_A_DA
	  "10 00 " WLAN_A_SA "00 00 00 00 00 00 " SNAP_IP4 IP4_UDP,
	  0, 0, OK4_UDP(0) },
	{ "802.11 a-msdu: first subframe", 105,
	  "88 02 00 00 " WLAN_A_DA WLAN_BSS WLAN_A_SA
	  "10 00 80 00 " WLAN_A_DA WLAN_A_SA "00 2c " SNAP_IP4 IP4_UDP,
	  0, 0, OK4_UDP(0) },
	{ "802.11 protected", 105,
	  "08 42 00 00 " WLAN_A_DA WLAN_BSS WLAN_A_SA "10 00 " SNAP_IP4, 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "802.11 null function", 105,
	  "48 01 00 00 " WLAN_BSS WLAN_A_SA WLAN_A_DA "10 00 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "802.11 beacon", 105,
	  "80 00 00 00 ff ff ff ff ff ff " WLAN_BSS WLAN_BSS "10 00 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "802.11 later mac fragment", 105,
	  "08 02 00 00 " WLAN_A_DA WLAN_BSS WLAN_A_SA "11 00 " SNAP_IP4 IP4_UDP,
	  0, 0, DROP(DECODE_DROP_NOT_IP) },
	{ "802.11 header cut", 105, "08 02 00 00 " WLAN_A_DA WLAN_BSS, 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },
	{ "radiotap flags (fcs at end), rate", 127,
	  "00 00 0a 00 06 00 00 00 10 02 " WLAN_FROMDS SNAP_IP4 IP4_UDP
	  "de ad be ef ",
	  0, 0, OK4_UDP(0) },
	{ "radiotap tsft, flags datapad, qos header padded", 127,
	  "00 00 11 00 03 00 00 00 01 02 03 04 05 06 07 08 20 "
	  "88 02 00 00 " WLAN_A_DA WLAN_BSS WLAN_A_SA
	  "10 00 00 00 00 00 " SNAP_IP4 IP4_UDP,
	  0, 0, OK4_UDP(0) },
	{ "radiotap two presence words", 127,
	  "00 00 0d 00 02 00 00 80 00 00 00 00 00 " WLAN_FROMDS SNAP_IP4
		  IP4_UDP,
	  0, 0, OK4_UDP(0) },
	{ "radiotap version 1", 127,
	  "01 00 08 00 00 00 00 00 " WLAN_FROMDS SNAP_IP4 IP4_UDP, 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },
	{ "radiotap longer than the frame", 127, "00 00 40 00 00 00 00 00 ", 0,
	  0, DROP(DECODE_DROP_SHORT_L2) },

	/* Linux cooked v1: type 0, ARPHRD_ETHER, 6 address bytes. */
	{ "sll ipv4",
	  113,
	  "00 00 00 01 00 06 02 00 00 00 00 01 00 00 08 00 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, SMAC, NULL } },
	{ "sll vlan 5 ipv6",
	  113,
	  "00 04 00 01 00 06 02 00 00 00 00 01 00 00 81 00 00 05 86 "
	  "dd " IP6_UDP,
	  0,
	  0,
	  { DECODE_OK, 6, "2001:db8::1", "2001:db8::2", 12345, 53, 17, 0xb8, 5,
	    56, 0, 0, SMAC, NULL } },
	{ "sll ppp device (no mac)",
	  113,
	  "00 00 02 00 00 00 00 00 00 00 00 00 00 00 08 00 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "sll arp", 113,
	  "00 00 00 01 00 06 02 00 00 00 00 01 00 00 08 06 00 01 ", 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "sll header cut", 113, "00 00 00 01 00 06 02 00 00 00 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },

	/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, type, len. */
	{ "sll2 ipv6", 276,
	  "86 dd 00 00 00 00 00 02 00 01 00 06 02 00 00 00 00 01 00 "
	  "00 " IP6_UDP,
	  0, 0, OK6_UDP(56, 0, SMAC, NULL) },
	{ "sll2 ipv4 loopback (ARPHRD 772)",
	  276,
	  "08 00 00 00 00 00 00 01 03 04 00 06 00 00 00 00 00 00 00 "
	  "00 " IP4_TCP,
	  0,
	  0,
	  { DECODE_OK, 4, "10.0.0.1", "10.0.0.2", 8080, 80, 6, 0, 0, 40, 0x12,
	    0, NULL, NULL } },
	{ "sll2 header cut", 276, "86 dd 00 00 00 00 00 02 00 01 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L2) },

	/* Raw IP, by version nibble or fixed. */
	{ "raw 12 ipv4",
	  12,
	  IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "raw 14 ipv6", 14, IP6_UDP, 0, 0, OK6_UDP(56, 0, NULL, NULL) },
	{ "raw 101 ipv6", 101, IP6_UDP, 0, 0, OK6_UDP(56, 0, NULL, NULL) },
	{ "raw version 5", 12, "50 00 00 14 ", 0, 0,
	  DROP(DECODE_DROP_BAD_VERSION) },
	{ "raw empty", 12, "", 0, 0, DROP(DECODE_DROP_SHORT_L3) },
	{ "linktype ipv4 228",
	  228,
	  IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "linktype ipv4 with ipv6", 228, IP6_UDP, 0, 0,
	  DROP(DECODE_DROP_BAD_VERSION) },
	{ "linktype ipv6 229", 229, IP6_UDP, 0, 0, OK6_UDP(56, 0, NULL, NULL) },
	{ "linktype ipv6 with ipv4", 229, IP4_UDP, 0, 0,
	  DROP(DECODE_DROP_BAD_VERSION) },

	/* BSD loopback: the address family in either byte order. */
	{ "null AF_INET little-endian",
	  0,
	  "02 00 00 00 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "null AF_INET big-endian",
	  0,
	  "00 00 00 02 " IP4_UDP,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, 0, NULL, NULL } },
	{ "null AF_INET6 24 (openbsd)", 0, "18 00 00 00 " IP6_UDP, 0, 0,
	  OK6_UDP(56, 0, NULL, NULL) },
	{ "null AF_INET6 28 (freebsd) big-endian", 0, "00 00 00 1c " IP6_UDP, 0,
	  0, OK6_UDP(56, 0, NULL, NULL) },
	{ "null AF_INET6 30 (macos)", 0, "1e 00 00 00 " IP6_UDP, 0, 0,
	  OK6_UDP(56, 0, NULL, NULL) },
	{ "loop 108 AF_INET6 24", 108, "00 00 00 18 " IP6_UDP, 0, 0,
	  OK6_UDP(56, 0, NULL, NULL) },
	{ "null AF 7", 0, "07 00 00 00 " IP4_UDP, 0, 0,
	  DROP(DECODE_DROP_NOT_IP) },
	{ "null header cut", 0, "02 00 ", 0, 0, DROP(DECODE_DROP_SHORT_L2) },
	{ "unknown link type 147", 147, IP4_UDP, 0, 0,
	  DROP(DECODE_DROP_LINK_TYPE) },

	/* IPv4 details (RFC 791). */
	{ "ipv4 header length 4", 1,
	  MACS "08 00 44 00 00 28 00 02 40 00 40 06 00 00 0a 00 00 01 0a 00 "
	       "00 02 " TCP_20,
	  0, 0, DROP(DECODE_DROP_BAD_HLEN) },
	{ "ipv4 total length 10 < header", 1,
	  MACS "08 00 45 00 00 0a 00 02 40 00 40 06 00 00 0a 00 00 01 0a 00 "
	       "00 02 " TCP_20,
	  0, 0, DROP(DECODE_DROP_BAD_LENGTH) },
	{ "ipv4 options before udp",
	  1,
	  MACS "08 00 46 10 00 28 00 01 00 00 40 11 00 00 c0 00 02 01 c6 33 "
	       "64 02 01 01 01 00 " UDP_16,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    40, 0, 0, SMAC, DMAC } },
	{ "ipv4 total length 0 (TSO): wire length counts", 1,
	  MACS "08 00 45 00 00 00 00 02 40 00 40 06 00 00 0a 00 00 01 0a 00 "
	       "00 02 " TCP_20,
	  0, 1000, OK4_TCP(1040, DECODE_F_JUMBO) },
	{ "ipv4 cut by snaplen: header length counts", 1,
	  MACS "08 00 45 00 05 dc 00 02 40 00 40 06 00 00 0a 00 00 01 0a 00 "
	       "00 02 " TCP_20 "00 00 00 00",
	  0, 1456, OK4_TCP(1500, 0) },
	{ "ipv4 cut inside tcp: ports, no flags",
	  1,
	  MACS "08 00 45 00 05 dc 00 02 40 00 40 06 00 00 0a 00 00 01 0a 00 "
	       "00 02 " TCP_20,
	  42,
	  1460,
	  { DECODE_OK, 4, "10.0.0.1", "10.0.0.2", 8080, 80, 6, 0, 0, 1500, 0,
	    DECODE_F_L4_SHORT, SMAC, DMAC } },
	{ "ipv4 cut after header: no ports",
	  1,
	  MACS "08 00 45 00 05 dc 00 02 40 00 40 06 00 00 0a 00 00 01 0a 00 "
	       "00 02 " TCP_20,
	  36,
	  1460,
	  { DECODE_OK, 4, "10.0.0.1", "10.0.0.2", 0, 0, 6, 0, 0, 1500, 0,
	    DECODE_F_L4_SHORT, SMAC, DMAC } },
	{ "ipv4 udp ports beyond total length are padding",
	  1,
	  MACS "08 00 45 10 00 14 00 01 00 00 40 11 00 00 c0 00 02 01 c6 33 "
	       "64 02 30 39 00 35 00 00",
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 0, 0, 17, 0x10, 0, 20, 0,
	    DECODE_F_L4_SHORT, SMAC, DMAC } },
	{ "ipv4 first fragment keeps ports",
	  1,
	  MACS "08 00 45 10 00 24 00 01 20 00 40 11 00 00 c0 00 02 01 c6 33 "
	       "64 02 " UDP_16,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 12345, 53, 17, 0x10, 0,
	    36, 0, DECODE_F_FRAG, SMAC, DMAC } },
	{ "ipv4 later fragment: no ports",
	  1,
	  MACS "08 00 45 10 00 24 00 01 00 b9 40 11 00 00 c0 00 02 01 c6 33 "
	       "64 02 " UDP_16,
	  0,
	  0,
	  { DECODE_OK, 4, "192.0.2.1", "198.51.100.2", 0, 0, 17, 0x10, 0, 36, 0,
	    DECODE_F_FRAG | DECODE_F_FRAG_LATER, SMAC, DMAC } },
	{ "ipv4 gre counted by outer header",
	  1,
	  MACS "08 00 45 00 00 34 00 01 00 00 40 2f 00 00 0a 00 00 01 0a 00 "
	       "00 02 00 00 08 00 " IP4_ICMP,
	  0,
	  0,
	  { DECODE_OK, 4, "10.0.0.1", "10.0.0.2", 0, 0, 47, 0, 0, 52, 0, 0,
	    SMAC, DMAC } },
	{ "ipv4 in ipv4 counted by outer header",
	  1,
	  MACS "08 00 45 00 00 30 00 01 00 00 40 04 00 00 0a 00 00 01 0a 00 "
	       "00 02 " IP4_ICMP,
	  0,
	  0,
	  { DECODE_OK, 4, "10.0.0.1", "10.0.0.2", 0, 0, 4, 0, 0, 48, 0, 0, SMAC,
	    DMAC } },

	/* IPv6 extension headers (RFC 8200 section 4). */
	{ "ipv6 hop-by-hop then udp", 1,
	  MACS "86 dd " IP6("00 18", "00") "11 00 01 04 00 00 00 00 " UDP_16, 0,
	  0, OK6(17, 12345, 53, 64, 0, 0) },
	{ "ipv6 routing then icmpv6 echo", 1,
	  MACS "86 dd " IP6("00 10", "2b") "3a 00 00 00 00 00 00 00 "
					   "80 00 00 00 00 01 00 01 ",
	  0, 0, OK6(58, 0, 0x8000, 56, 0, 0) },
	{ "ipv6 destination options then tcp", 1,
	  MACS "86 dd " IP6("00 1c", "3c") "06 00 01 04 00 00 00 00 " TCP_20, 0,
	  0, OK6(6, 8080, 80, 68, 0x12, 0) },
	{ "ipv6 hop-by-hop, routing, dstopts (16 bytes), udp", 1,
	  MACS "86 dd " IP6("00 30", "00") "2b 00 01 04 00 00 00 00 "
					   "3c 00 00 00 00 00 00 00 "
					   "11 01 01 0c 00 00 00 00 00 00 00 "
					   "00 00 00 00 00 " UDP_16,
	  0, 0, OK6(17, 12345, 53, 88, 0, 0) },
	{ "ipv6 first fragment keeps ports", 1,
	  MACS "86 dd " IP6("00 18", "2c") "11 00 00 01 00 00 00 2a " UDP_16, 0,
	  0, OK6(17, 12345, 53, 64, 0, DECODE_F_FRAG) },
	{ "ipv6 later fragment: no ports", 1,
	  MACS "86 dd " IP6("00 18", "2c") "11 00 00 b9 00 00 00 2a " UDP_16, 0,
	  0, OK6(17, 0, 0, 64, 0, DECODE_F_FRAG | DECODE_F_FRAG_LATER) },
	{ "ipv6 ah (24 bytes) then tcp", 1,
	  MACS "86 dd " IP6("00 2c", "33") "06 04 00 00 00 00 01 00 "
					   "00 00 00 01 00 00 00 00 00 00 00 "
					   "00 00 00 00 00 " TCP_20,
	  0, 0, OK6(6, 8080, 80, 84, 0x12, 0) },
	{ "ipv6 mobility header, no next header", 1,
	  MACS "86 dd " IP6("00 08", "87") "3b 00 00 00 00 00 00 00 ", 0, 0,
	  OK6(59, 0, 0, 48, 0, 0) },
	{ "ipv6 esp: no ports", 1, MACS "86 dd " IP6("00 10", "32") UDP_16, 0,
	  0, OK6(50, 0, 0, 56, 0, 0) },
	{ "ipv6 jumbo payload 70000 (RFC 2675)", 1,
	  MACS "86 dd " IP6("00 00", "00") "06 00 c2 04 00 01 11 70 " TCP_20, 0,
	  69972, OK6(6, 8080, 80, 70040, 0x12, DECODE_F_JUMBO) },
	{ "ipv6 extension header cut", 1,
	  MACS "86 dd " IP6("00 18", "00") "11 00 01 ", 0, 21,
	  OK6(0, 0, 0, 64, 0, DECODE_F_L4_SHORT) },
	{ "ipv6 header cut at 30 bytes", 1,
	  MACS "86 dd 6b 80 00 00 00 10 11 40 " SRC6 "20 01 ", 0, 0,
	  DROP(DECODE_DROP_SHORT_L3) },
};

/* Nesting bounds: 16 VLAN tags decode, 17 do not; 16 IPv6 destination
 * options headers decode, 17 do not. */
#define TAG4  "81 00 00 01 81 00 00 01 81 00 00 01 81 00 00 01 "
#define TAG16 TAG4 TAG4 TAG4 TAG4
#define OPT1  "3c 00 01 04 00 00 00 00 "
#define OPT4  OPT1 OPT1 OPT1 OPT1
#define OPT15 OPT4 OPT4 OPT4 OPT1 OPT1 OPT1
#define OPT16 OPT15 OPT1

static const struct dcase deep_cases[] = {
	{ "16 vlan tags", 1, MACS TAG16 "08 00 " IP4_UDP, 0, 0, OK4_UDP(1) },
	{ "17 vlan tags", 1, MACS TAG16 "81 00 00 01 08 00 " IP4_UDP, 0, 0,
	  DROP(DECODE_DROP_TOO_DEEP) },
	{ "16 ipv6 extension headers", 1,
	  MACS "86 dd " IP6("00 90", "3c") OPT15 "11 00 00 00 00 00 00 00 "
						 "" UDP_16,
	  0, 0, OK6(17, 12345, 53, 184, 0, 0) },
	{ "17 ipv6 extension headers", 1,
	  MACS "86 dd " IP6("00 98", "3c") OPT16 "11 00 00 00 00 00 00 00 "
						 "" UDP_16,
	  0, 0, DROP(DECODE_DROP_TOO_DEEP) },
};

static size_t
unhex(const char *s, uint8_t *buf, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(n < max);
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		buf[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void
assert_mac(const uint8_t *mac, const char *want)
{
	char buf[18];

	if (want == NULL) {
		static const uint8_t zero[6];

		assert_memory_equal(mac, zero, 6);
		return;
	}
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	assert_string_equal(buf, want);
}

static void
assert_pkt(const struct pkt *p, const struct want *w)
{
	char buf[FT_ADDR_STRLEN];

	assert_int_equal(p->ipver, w->ipver);
	assert_int_equal(p->src.family, w->ipver);
	assert_string_equal(ft_addr_ntop(&p->src, buf, sizeof(buf)), w->src);
	assert_string_equal(ft_addr_ntop(&p->dst, buf, sizeof(buf)), w->dst);
	assert_int_equal(p->src_port, w->sport);
	assert_int_equal(p->dst_port, w->dport);
	assert_int_equal(p->proto, w->proto);
	assert_int_equal(p->tos, w->tos);
	assert_int_equal(p->vlan, w->vlan);
	assert_int_equal(p->octets, w->octets);
	assert_int_equal(p->tcp_flags, w->tcp_flags);
	assert_int_equal(p->flags, w->flags);
	assert_mac(p->src_mac, w->smac);
	assert_mac(p->dst_mac, w->dmac);
}

static void
run_case(const struct dcase *c)
{
	uint8_t frame[512];
	size_t len = unhex(c->hex, frame, sizeof(frame));
	uint32_t cap = c->cut != 0 ? c->cut : (uint32_t)len;
	struct pkt p;
	int rc;

	print_message("%-50s", c->name);
	rc = decode_frame(c->dlt, frame, cap, (uint32_t)len + c->wire_extra,
			  &p);
	print_message(" -> %s\n", decode_drop_name(rc));
	assert_int_equal(rc, c->w.rc);
	if (rc == DECODE_OK)
		assert_pkt(&p, &c->w);
}

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		run_case(&cases[i]);
}

static void
test_nesting(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(deep_cases); i++)
		run_case(&deep_cases[i]);
}

/*
 * Every case again, captured up to each shorter length (as a snaplen
 * would cut it): a dropped frame stays dropped, and a frame that still
 * decodes keeps the layer-3 length its IP header states. Run under
 * valgrind or ASan, this also shows no read past the captured bytes.
 */
static void
test_every_cut(void **state)
{
	const struct dcase *c;
	uint8_t frame[512], *copy;
	struct pkt p;
	size_t i, len, cut;
	int rc;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		c = &cases[i];
		len = unhex(c->hex, frame, sizeof(frame));
		for (cut = 0; cut < len; cut++) {
			/* An exact-size copy, so that a checker sees any
			 * read past the cut. */
			copy = g_memdup2(frame, cut);
			rc = decode_frame(c->dlt, copy, (uint32_t)cut,
					  (uint32_t)len + c->wire_extra, &p);
			g_free(copy);
			assert_true(rc >= 0 && rc < DECODE_DROP_MAX);
			if (c->w.rc != DECODE_OK)
				assert_int_not_equal(rc, DECODE_OK);
			else if (rc == DECODE_OK)
				assert_int_equal(p.octets, c->w.octets);
		}
	}
}

/*
 * Every case with bytes flipped at random (a fixed seed, so a failure
 * repeats): whatever the decoder makes of it, the result is a known
 * reason, and a decoded packet is IPv4 of at least 20 octets or IPv6 of
 * at least 40, its addresses of that family.
 */
static void
test_mutations(void **state)
{
	const struct dcase *c;
	uint8_t frame[512], *copy;
	uint32_t x = 1;
	struct pkt p;
	size_t i, len, round, k;
	int rc;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		c = &cases[i];
		len = unhex(c->hex, frame, sizeof(frame));
		for (round = 0; len > 0 && round < 300; round++) {
			copy = g_memdup2(frame, len);
			for (k = 0; k < 1 + round % 4; k++) {
				x = x * 1103515245u + 12345u;
				copy[(x >> 8) % len] ^= (uint8_t)(x >> 20 | 1);
			}
			rc = decode_frame(c->dlt, copy, (uint32_t)len,
					  (uint32_t)len + c->wire_extra, &p);
			g_free(copy);
			assert_true(rc >= 0 && rc < DECODE_DROP_MAX);
			if (rc != DECODE_OK)
				continue;
			assert_true(p.ipver == 4 || p.ipver == 6);
			assert_int_equal(p.src.family, p.ipver);
			assert_int_equal(p.dst.family, p.ipver);
			assert_true(p.octets >= (p.ipver == 4 ? 20u : 40u));
		}
	}
}

/*
 * NFLOG: TLV length and type are in host byte order, so these frames are
 * built in code. Header: AF_INET (2) or AF_INET6 (10), version 0,
 * resource id 1 (big-endian); then a prefix TLV (type 10, "log\0"), and
 * the payload TLV (type 9).
 */
static size_t
nflog_frame(uint8_t *buf, uint8_t family, const char *payload_hex,
	    uint16_t payload_type, uint16_t first_len)
{
	uint8_t ip[256];
	size_t iplen = unhex(payload_hex, ip, sizeof(ip)), n = 0;
	uint16_t tlv[2];

	buf[n++] = family;
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 1;
	tlv[0] = first_len;
	tlv[1] = 10;
	memcpy(buf + n, tlv, 4);
	memcpy(buf + n + 4, "log", 4);
	n += 8;
	tlv[0] = (uint16_t)(4 + iplen);
	tlv[1] = payload_type;
	memcpy(buf + n, tlv, 4);
	memcpy(buf + n + 4, ip, iplen);
	return n + 4 + iplen;
}

static void
test_nflog(void **state)
{
	uint8_t frame[512];
	char buf[FT_ADDR_STRLEN];
	struct pkt p;
	size_t len;

	(void)state;
	len = nflog_frame(frame, 2, IP4_UDP, 9, 8);
	assert_int_equal(
		decode_frame(239, frame, (uint32_t)len, (uint32_t)len, &p),
		DECODE_OK);
	assert_int_equal(p.octets, 36);
	assert_int_equal(p.dst_port, 53);
	assert_string_equal(ft_addr_ntop(&p.src, buf, sizeof(buf)),
			    "192.0.2.1");

	/* A TLV of 7 bytes is padded to 8: the payload still follows. */
	len = nflog_frame(frame, 10, IP6_UDP, 9, 7);
	assert_int_equal(
		decode_frame(239, frame, (uint32_t)len, (uint32_t)len, &p),
		DECODE_OK);
	assert_int_equal(p.ipver, 6);
	assert_int_equal(p.octets, 56);

	/* No payload TLV (type 8 instead of 9): runs out of TLVs. */
	len = nflog_frame(frame, 2, IP4_UDP, 8, 8);
	assert_int_equal(
		decode_frame(239, frame, (uint32_t)len, (uint32_t)len, &p),
		DECODE_DROP_SHORT_L2);

	/* A TLV length below its own header is malformed. */
	len = nflog_frame(frame, 2, IP4_UDP, 9, 2);
	assert_int_equal(
		decode_frame(239, frame, (uint32_t)len, (uint32_t)len, &p),
		DECODE_DROP_SHORT_L2);

	/* AF_INET family, IPv6 payload. */
	len = nflog_frame(frame, 2, IP6_UDP, 9, 8);
	assert_int_equal(
		decode_frame(239, frame, (uint32_t)len, (uint32_t)len, &p),
		DECODE_DROP_BAD_VERSION);
}

/* Counters: one per reason, and a name for every reason. */
static void
test_stats(void **state)
{
	struct decode_stats s;
	struct pkt p;
	int r;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	p.flags = DECODE_F_FRAG | DECODE_F_L4_SHORT;
	decode_stats_add(&s, DECODE_OK, &p);
	decode_stats_add(&s, DECODE_DROP_NOT_IP, &p);
	decode_stats_add(&s, DECODE_DROP_NOT_IP, &p);
	assert_int_equal(s.frames, 3);
	assert_int_equal(s.decoded, 1);
	assert_int_equal(s.frags, 1);
	assert_int_equal(s.l4_short, 1);
	assert_int_equal(s.drops[DECODE_DROP_NOT_IP], 2);
	for (r = 1; r < DECODE_DROP_MAX; r++)
		assert_string_not_equal(decode_drop_name(r), "unknown");
	assert_string_equal(decode_drop_name(DECODE_DROP_MAX), "unknown");
	assert_true(decode_link_supported(1));
	assert_true(decode_link_supported(276));
	assert_false(decode_link_supported(147));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_nflog),
		cmocka_unit_test(test_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
