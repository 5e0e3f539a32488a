/* SPDX-License-Identifier: ISC */
/*
 * The flow record: the one shape the probe's flow cache exports and every
 * collector decoder (IPFIX, NetFlow v9, v5) produces for the plugins.
 * Fields a source does not carry stay zero.
 */
#ifndef FT_FLOWREC_H
#define FT_FLOWREC_H

#include <stdint.h>
#include "addr.h"

/* flowEndReason values, RFC 7012 / IANA IE 136. */
enum flow_end_reason {
	FLOW_END_NONE = 0,
	FLOW_END_IDLE = 1,
	FLOW_END_ACTIVE = 2,
	FLOW_END_EOF = 3,    /* end of flow detected: TCP FIN or RST */
	FLOW_END_FORCED = 4, /* shutdown or end of an offline capture */
	FLOW_END_LACK = 5,   /* lack of resources: evicted from a full cache */
};

/* flowDirection values, IANA IE 61. */
enum flow_direction {
	FLOW_DIR_INGRESS = 0,
	FLOW_DIR_EGRESS = 1,
	FLOW_DIR_UNKNOWN = 0xff,
};

struct flowrec {
	struct ft_addr src; /* src.family is the IP version */
	struct ft_addr dst;
	struct ft_addr exporter; /* who sent it; zero in the probe */
	uint64_t octets;         /* layer 3: IP total lengths */
	uint64_t packets;
	uint64_t flows;    /* 1 per record unless IE 3 says more */
	uint64_t start_ms; /* Unix epoch milliseconds */
	uint64_t end_ms;
	uint32_t in_iface;
	uint32_t out_iface;
	uint32_t obs_domain;    /* IPFIX domain / v9 source id */
	uint32_t sampling_rate; /* 1-in-N; 0 or 1 = unsampled */
	uint16_t src_port;      /* ICMP: 0 */
	uint16_t dst_port;      /* ICMP: type << 8 | code */
	uint16_t vlan;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t proto;
	uint8_t tos;
	uint8_t tcp_flags;
	uint8_t src_mask;
	uint8_t dst_mask;
	uint8_t direction;      /* enum flow_direction */
	uint8_t end_reason;     /* enum flow_end_reason */
	uint8_t export_version; /* 5, 9 or 10; 0 in the probe */
};

#endif
