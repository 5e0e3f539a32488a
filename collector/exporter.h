/* SPDX-License-Identifier: ISC */
/*
 * Exporter sessions: one entry per exporter address, holding one entry
 * per observation domain (IPFIX) or source id (NetFlow v9), the
 * decoders' per-exporter state, and the counters the status query and
 * the periodic info line show. Every drop has a reason and a counter.
 */
#ifndef FT_EXPORTER_H
#define FT_EXPORTER_H

#include <stdint.h>
#include <glib.h>

#include "common/addr.h"

/* Why a datagram, set or record was not turned into flow records. */
enum exporter_drop {
	EXPORTER_DROP_TRUNCATED,   /* datagram larger than the read buffer */
	EXPORTER_DROP_NOT_ALLOWED, /* source not in the allow-list */
	EXPORTER_DROP_EXPORTERS,   /* too many exporters */
	EXPORTER_DROP_DOMAINS,     /* too many domains for one exporter */
	EXPORTER_DROP_SHORT,       /* shorter than a message header */
	EXPORTER_DROP_BAD_VERSION, /* version no decoder knows */
	EXPORTER_DROP_UNSUPPORTED, /* NetFlow v5/v9: not decoded yet */
	EXPORTER_DROP_LENGTH,      /* header length differs from datagram */
	EXPORTER_DROP_SET_LENGTH,  /* set length under the set header */
	EXPORTER_DROP_SET_OVERRUN, /* set runs past the message */
	EXPORTER_DROP_SET_ID,      /* reserved set id (RFC 7011 3.3.2) */
	EXPORTER_DROP_NO_TEMPLATE, /* data set whose template is unknown */
	EXPORTER_DROP_TEMPLATE,    /* template record that does not fit */
	EXPORTER_DROP_DECODE,      /* a set or template the decoder refused */
	EXPORTER_DROP_N
};

/* Decoder state slots, freed with the exporter. */
enum exporter_slot { EXPORTER_SLOT_IPFIX, EXPORTER_SLOT_N };

#define EXPORTER_MAX         4096 /* exporters in one table */
#define EXPORTER_MAX_DOMAINS 64   /* domains of one exporter */

struct exporter_domain {
	uint32_t id;
	uint32_t next_seq;    /* sequence number expected next */
	gboolean seq_valid;   /* FALSE until the first message */
	uint32_t sampling;    /* 1-in-N from options records, 0 = unknown */
	uint64_t sys_init_ms; /* systemInitTimeMilliseconds, 0 = unknown */
	uint64_t messages;
	uint64_t records; /* data records handed on */
	uint64_t octets;
	uint64_t packets;
	uint64_t options;      /* options records (not flows) */
	uint64_t out_of_seq;   /* messages whose sequence number was off */
	uint64_t lost;         /* records missing by the sequence numbers */
	GHashTable *templates; /* template id -> set id, kept by decoders */
};

struct exporter {
	struct ft_addr addr;
	uint64_t datagrams;
	uint64_t drops[EXPORTER_DROP_N];
	struct exporter_domain **domains;
	guint n_domains;
	void *state[EXPORTER_SLOT_N];
	uint32_t versions_noted; /* bit per undecoded version, once told */
	uint64_t reclaimed;      /* idle domain entries given to new ids */
};

struct exporter_table;

typedef void (*exporter_state_free_fn)(void *state);

struct exporter_table *exporter_table_new(void);
void exporter_table_free(struct exporter_table *t);

/* How the table frees the decoder state in `slot` of each exporter. */
void exporter_table_set_free(struct exporter_table *t, enum exporter_slot slot,
			     exporter_state_free_fn fn);

/*
 * The entry of `addr`, created on first use. NULL (and counted) once
 * EXPORTER_MAX exporters are known. The entry belongs to the table.
 */
struct exporter *exporter_get(struct exporter_table *t,
			      const struct ft_addr *addr);

/*
 * The entry of domain `id`. Once the exporter has EXPORTER_MAX_DOMAINS,
 * an entry that never held a template nor gave a record is reused for
 * `id` (counted as reclaimed), so datagrams of garbage domain ids cannot
 * lock real ones out; NULL (and counted) when no entry is idle.
 */
struct exporter_domain *exporter_domain(struct exporter_table *t,
					struct exporter *exp, uint32_t id);

/* Count one drop; `exp` is NULL when no exporter could be named. */
void exporter_drop(struct exporter_table *t, struct exporter *exp,
		   enum exporter_drop reason);

/* Domain entries reclaimed over every exporter. */
uint64_t exporter_reclaimed(const struct exporter_table *t);

/* Drops of `reason` over every exporter and those without one. */
uint64_t exporter_drops(const struct exporter_table *t,
			enum exporter_drop reason);

/* Call `fn` for each exporter, in no particular order. */
void exporter_foreach(struct exporter_table *t,
		      void (*fn)(struct exporter *exp, void *data), void *data);

/* Status lines: one per exporter and domain, then the drops. */
void exporter_table_report(struct exporter_table *t, GString *out);

/* One line of totals and non-zero drop counters, for the info log. */
void exporter_table_summary(struct exporter_table *t, GString *out);

#endif
