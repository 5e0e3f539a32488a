/* SPDX-License-Identifier: ISC */
/*
 * The aggregation primitives: one table (primitive.c) that names each
 * pmacct primitive, the flow record field it reads, how many bytes it takes
 * in a packed key, and its column in every output (client and print
 * headers, widths, JSON key and type, SQL column). Key packing, hashing,
 * the query protocol, the SQL schema and the CSV/JSON/formatted writers are
 * all driven by this table; none of them lists primitives of its own.
 */
#ifndef FT_PRIMITIVE_H
#define FT_PRIMITIVE_H

#include <stddef.h>
#include <stdint.h>

/* How a primitive's value is stored, packed and printed. */
enum prim_kind {
	PRIM_K_ADDR, /* struct ft_addr: 17 bytes packed */
	PRIM_K_NET,  /* struct ft_addr masked to its prefix: 17 bytes */
	PRIM_K_MAC,  /* 6 bytes */
	PRIM_K_U8,
	PRIM_K_U16,
	PRIM_K_U32,
	PRIM_K_PROTO, /* u8, printed as a name unless numeric output */
	PRIM_K_TIME,  /* u64 epoch milliseconds */
};

/* How JSON writes the value. */
enum prim_json {
	PRIM_J_STRING,
	PRIM_J_NUMBER,
};

/*
 * Primitive ids. The enum order is the client's column order (pmacct
 * client section 4.3); `print_order` in the table gives the print
 * plugin's.
 */
enum prim_id {
	PRIM_IN_IFACE,
	PRIM_OUT_IFACE,
	PRIM_SRC_MAC,
	PRIM_DST_MAC,
	PRIM_VLAN,
	PRIM_PEER_SRC_IP,
	PRIM_SRC_HOST,
	PRIM_SRC_NET,
	PRIM_DST_HOST,
	PRIM_DST_NET,
	PRIM_SRC_MASK,
	PRIM_DST_MASK,
	PRIM_SRC_PORT,
	PRIM_DST_PORT,
	PRIM_TCPFLAGS,
	PRIM_PROTO,
	PRIM_TOS,
	PRIM_SAMPLING_RATE,
	PRIM_TIMESTAMP_START,
	PRIM_TIMESTAMP_END,
	PRIM_EXPORT_PROTO_VERSION,
	PRIM_EXPORT_PROTO_SYSID,
	PRIM_COUNT
};

struct prim {
	enum prim_id id;
	const char *name; /* aggregate name: "src_host" */
	enum prim_kind kind;
	size_t field;        /* offsetof(struct flowrec, ...) */
	size_t field_dst;    /* sum_*: the destination field, else 0 */
	uint8_t key_len;     /* bytes in a packed key */
	uint8_t width;       /* formatted column width (client and print) */
	uint8_t print_order; /* column rank in print plugin output */
	const char *header;  /* "SRC_IP" */
	const char *json;    /* "ip_src" */
	enum prim_json json_type;
	const char *sql; /* "ip_src" (pmacct v8+ names) */
};

/*
 * The table, indexed by enum prim_id, then the sum_* aliases, which share
 * an id (and so a column) with their source-side primitive.
 */
extern const struct prim prim_table[];
extern const size_t prim_table_len;

/* Find by aggregate name (sum_host, src_host, ...); NULL if unknown. */
const struct prim *prim_find(const char *name);

/*
 * The name of the table nearest to an unknown `name` (a typo's fix, for
 * "did you mean"), or NULL when none is close.
 */
const char *prim_nearest(const char *name);

/* Width of the PACKETS and FLOWS columns; BYTES is last and unpadded. */
#define PRIM_COUNTER_WIDTH 22

#endif
