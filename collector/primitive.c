/* SPDX-License-Identifier: ISC */
/*
 * The primitive table itself, with pmacct's names, headers, widths, JSON
 * keys and SQL columns (shared/reference sections 3.2, 4.3 and 6).
 */
#include "primitive.h"

#include <string.h>

#include "common/flowrec.h"

#define F(m) offsetof(struct flowrec, m)

/* Rows stand in enum prim_id order; tests check row i has id i. */
const struct prim prim_table[] = {
	{
		.id = PRIM_IN_IFACE,
		.name = "in_iface",
		.kind = PRIM_K_U32,
		.field = F(in_iface),
		.key_len = 4,
		.width = 12,
		.print_order = 4,
		.header = "IN_IFACE",
		.json = "iface_in",
		.json_type = PRIM_J_NUMBER,
		.sql = "iface_in",
	},
	{
		.id = PRIM_OUT_IFACE,
		.name = "out_iface",
		.kind = PRIM_K_U32,
		.field = F(out_iface),
		.key_len = 4,
		.width = 12,
		.print_order = 5,
		.header = "OUT_IFACE",
		.json = "iface_out",
		.json_type = PRIM_J_NUMBER,
		.sql = "iface_out",
	},
	{
		.id = PRIM_SRC_MAC,
		.name = "src_mac",
		.kind = PRIM_K_MAC,
		.field = F(src_mac),
		.key_len = 6,
		.width = 19,
		.print_order = 0,
		.header = "SRC_MAC",
		.json = "mac_src",
		.json_type = PRIM_J_STRING,
		.sql = "mac_src",
	},
	{
		.id = PRIM_DST_MAC,
		.name = "dst_mac",
		.kind = PRIM_K_MAC,
		.field = F(dst_mac),
		.key_len = 6,
		.width = 19,
		.print_order = 1,
		.header = "DST_MAC",
		.json = "mac_dst",
		.json_type = PRIM_J_STRING,
		.sql = "mac_dst",
	},
	{
		.id = PRIM_VLAN,
		.name = "vlan",
		.kind = PRIM_K_U16,
		.field = F(vlan),
		.key_len = 2,
		.width = 7,
		.print_order = 2,
		.header = "VLAN",
		.json = "vlan",
		.json_type = PRIM_J_NUMBER,
		.sql = "vlan",
	},
	{
		.id = PRIM_PEER_SRC_IP,
		.name = "peer_src_ip",
		.kind = PRIM_K_ADDR,
		.field = F(exporter),
		.key_len = 17,
		.width = 47,
		.print_order = 3,
		.header = "PEER_SRC_IP",
		.json = "peer_ip_src",
		.json_type = PRIM_J_STRING,
		.sql = "peer_ip_src",
	},
	{
		.id = PRIM_SRC_HOST,
		.name = "src_host",
		.kind = PRIM_K_ADDR,
		.field = F(src),
		.key_len = 17,
		.width = 47,
		.print_order = 6,
		.header = "SRC_IP",
		.json = "ip_src",
		.json_type = PRIM_J_STRING,
		.sql = "ip_src",
	},
	{
		.id = PRIM_SRC_NET,
		.name = "src_net",
		.kind = PRIM_K_NET,
		.field = F(src),
		.key_len = 17,
		.width = 47,
		.print_order = 7,
		.header = "SRC_NET",
		.json = "net_src",
		.json_type = PRIM_J_STRING,
		.sql = "net_src",
	},
	{
		.id = PRIM_DST_HOST,
		.name = "dst_host",
		.kind = PRIM_K_ADDR,
		.field = F(dst),
		.key_len = 17,
		.width = 47,
		.print_order = 8,
		.header = "DST_IP",
		.json = "ip_dst",
		.json_type = PRIM_J_STRING,
		.sql = "ip_dst",
	},
	{
		.id = PRIM_DST_NET,
		.name = "dst_net",
		.kind = PRIM_K_NET,
		.field = F(dst),
		.key_len = 17,
		.width = 47,
		.print_order = 9,
		.header = "DST_NET",
		.json = "net_dst",
		.json_type = PRIM_J_STRING,
		.sql = "net_dst",
	},
	{
		.id = PRIM_SRC_MASK,
		.name = "src_mask",
		.kind = PRIM_K_U8,
		.field = F(src_mask),
		.key_len = 1,
		.width = 10,
		.print_order = 10,
		.header = "SRC_MASK",
		.json = "mask_src",
		.json_type = PRIM_J_NUMBER,
		.sql = "mask_src",
	},
	{
		.id = PRIM_DST_MASK,
		.name = "dst_mask",
		.kind = PRIM_K_U8,
		.field = F(dst_mask),
		.key_len = 1,
		.width = 10,
		.print_order = 11,
		.header = "DST_MASK",
		.json = "mask_dst",
		.json_type = PRIM_J_NUMBER,
		.sql = "mask_dst",
	},
	{
		.id = PRIM_SRC_PORT,
		.name = "src_port",
		.kind = PRIM_K_U16,
		.field = F(src_port),
		.key_len = 2,
		.width = 10,
		.print_order = 12,
		.header = "SRC_PORT",
		.json = "port_src",
		.json_type = PRIM_J_NUMBER,
		.sql = "port_src",
	},
	{
		.id = PRIM_DST_PORT,
		.name = "dst_port",
		.kind = PRIM_K_U16,
		.field = F(dst_port),
		.key_len = 2,
		.width = 10,
		.print_order = 13,
		.header = "DST_PORT",
		.json = "port_dst",
		.json_type = PRIM_J_NUMBER,
		.sql = "port_dst",
	},
	{
		.id = PRIM_TCPFLAGS,
		.name = "tcpflags",
		.kind = PRIM_K_U8,
		.field = F(tcp_flags),
		.key_len = 1,
		.width = 11,
		.print_order = 14,
		.header = "TCP_FLAGS",
		.json = "tcp_flags",
		.json_type = PRIM_J_STRING,
		.sql = "tcp_flags",
	},
	{
		.id = PRIM_PROTO,
		.name = "proto",
		.kind = PRIM_K_PROTO,
		.field = F(proto),
		.key_len = 1,
		.width = 12,
		.print_order = 15,
		.header = "PROTOCOL",
		.json = "ip_proto",
		.json_type = PRIM_J_STRING,
		.sql = "ip_proto",
	},
	{
		.id = PRIM_TOS,
		.name = "tos",
		.kind = PRIM_K_U8,
		.field = F(tos),
		.key_len = 1,
		.width = 7,
		.print_order = 16,
		.header = "TOS",
		.json = "tos",
		.json_type = PRIM_J_NUMBER,
		.sql = "tos",
	},
	{
		.id = PRIM_SAMPLING_RATE,
		.name = "sampling_rate",
		.kind = PRIM_K_U32,
		.field = F(sampling_rate),
		.key_len = 4,
		.width = 14,
		.print_order = 17,
		.header = "SAMPLING_RATE",
		.json = "sampling_rate",
		.json_type = PRIM_J_NUMBER,
		.sql = "sampling_rate",
	},
	{
		.id = PRIM_TIMESTAMP_START,
		.name = "timestamp_start",
		.kind = PRIM_K_TIME,
		.field = F(start_ms),
		.key_len = 8,
		.width = 31,
		.print_order = 18,
		.header = "TIMESTAMP_START",
		.json = "timestamp_start",
		.json_type = PRIM_J_STRING,
		.sql = "timestamp_start",
	},
	{
		.id = PRIM_TIMESTAMP_END,
		.name = "timestamp_end",
		.kind = PRIM_K_TIME,
		.field = F(end_ms),
		.key_len = 8,
		.width = 31,
		.print_order = 19,
		.header = "TIMESTAMP_END",
		.json = "timestamp_end",
		.json_type = PRIM_J_STRING,
		.sql = "timestamp_end",
	},
	{
		.id = PRIM_EXPORT_PROTO_VERSION,
		.name = "export_proto_version",
		.kind = PRIM_K_U8,
		.field = F(export_version),
		.key_len = 1,
		.width = 22,
		.print_order = 20,
		.header = "EXPORT_PROTO_VERSION",
		.json = "export_proto_version",
		.json_type = PRIM_J_NUMBER,
		.sql = "export_proto_version",
	},
	{
		.id = PRIM_EXPORT_PROTO_SYSID,
		.name = "export_proto_sysid",
		.kind = PRIM_K_U32,
		.field = F(obs_domain),
		.key_len = 4,
		.width = 20,
		.print_order = 21,
		.header = "EXPORT_PROTO_SYSID",
		.json = "export_proto_sysid",
		.json_type = PRIM_J_NUMBER,
		.sql = "export_proto_sysid",
	},
	/* sum_*: the source side's column, folded over both sides. */
	{
		.id = PRIM_SRC_HOST,
		.name = "sum_host",
		.kind = PRIM_K_ADDR,
		.field = F(src),
		.field_dst = F(dst),
		.key_len = 17,
		.width = 47,
		.print_order = 6,
		.header = "SRC_IP",
		.json = "ip_src",
		.json_type = PRIM_J_STRING,
		.sql = "ip_src",
	},
	{
		.id = PRIM_SRC_NET,
		.name = "sum_net",
		.kind = PRIM_K_NET,
		.field = F(src),
		.field_dst = F(dst),
		.key_len = 17,
		.width = 47,
		.print_order = 7,
		.header = "SRC_NET",
		.json = "net_src",
		.json_type = PRIM_J_STRING,
		.sql = "net_src",
	},
	{
		.id = PRIM_SRC_PORT,
		.name = "sum_port",
		.kind = PRIM_K_U16,
		.field = F(src_port),
		.field_dst = F(dst_port),
		.key_len = 2,
		.width = 10,
		.print_order = 12,
		.header = "SRC_PORT",
		.json = "port_src",
		.json_type = PRIM_J_NUMBER,
		.sql = "port_src",
	},
	{
		.id = PRIM_SRC_MAC,
		.name = "sum_mac",
		.kind = PRIM_K_MAC,
		.field = F(src_mac),
		.field_dst = F(dst_mac),
		.key_len = 6,
		.width = 19,
		.print_order = 0,
		.header = "SRC_MAC",
		.json = "mac_src",
		.json_type = PRIM_J_STRING,
		.sql = "mac_src",
	},
};

const size_t prim_table_len = sizeof(prim_table) / sizeof(prim_table[0]);

const struct prim *
prim_find(const char *name)
{
	size_t i;

	if (strcmp(name, "sum") == 0)
		name = "sum_host";
	for (i = 0; i < prim_table_len; i++)
		if (strcmp(prim_table[i].name, name) == 0)
			return &prim_table[i];
	return NULL;
}

/* Edits (insert, delete, replace, swap two neighbours) from a to b. */
static size_t
name_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, v;
	size_t row[3][PRIM_NAME_MAX + 1];

	if (la > PRIM_NAME_MAX || lb > PRIM_NAME_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *cur = row[i % 3], *up = row[(i - 1) % 3];

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			v = up[j - 1] + (a[i - 1] != b[j - 1]);
			v = MIN(v, MIN(up[j], cur[j - 1]) + 1);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				v = MIN(v, row[(i - 2) % 3][j - 2] + 1);
			cur[j] = v;
		}
	}
	return row[la % 3][lb];
}

const char *
prim_nearest(const char *name)
{
	size_t d, best_d = (size_t)-1;
	const char *best = NULL;

	for (size_t i = 0; i < prim_table_len; i++) {
		d = name_distance(name, prim_table[i].name);
		if (d < best_d) {
			best_d = d;
			best = prim_table[i].name;
		}
	}
	return best_d <= MAX(2, strlen(name) / 3) ? best : NULL;
}
