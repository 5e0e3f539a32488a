/* SPDX-License-Identifier: ISC */
/*
 * The flow cache: folds decoded packets into unidirectional flows keyed on
 * (IP version, addresses, ports or ICMP type/code, protocol, ToS, VLAN,
 * MACs, input interface) and hands each finished flow to a callback as a
 * struct flowrec. It is bounded by a flow count fixed at creation, holds
 * all its memory from fcache_new() on and does O(1) work per packet.
 */
#ifndef FT_FCACHE_H
#define FT_FCACHE_H

#include <stdint.h>
#include <glib.h>

#include "common/flowrec.h"
#include "probe/decode.h"

/*
 * Limits and timeouts, all times in milliseconds. Idle timeouts count from
 * a flow's last packet and depend on its protocol and TCP state:
 * `tcp_ms` for TCP, `tcp_fin_ms` once the flow has carried a FIN, and
 * `tcp_rst_ms` once it carried a RST (the grace for the last ACKs and
 * retransmissions; the flow then ends with FLOW_END_EOF), `udp_ms`,
 * `icmp_ms` (ICMP and ICMPv6) and `general_ms` for any other protocol.
 * `maxlife_ms` is the active timeout: a flow older than that is ended
 * with FLOW_END_ACTIVE and its later packets start a new one.
 * `expint_ms` is how often the caller should run fcache_expire(); the
 * cache does not use it itself. A timeout of 0 means "never".
 */
struct fcache_params {
	uint32_t max_flows;
	uint64_t tcp_ms;
	uint64_t tcp_fin_ms;
	uint64_t tcp_rst_ms;
	uint64_t udp_ms;
	uint64_t icmp_ms;
	uint64_t general_ms;
	uint64_t maxlife_ms;
	uint64_t expint_ms;
};

/*
 * pmacct's nfprobe defaults (8192 flows; tcp=3600:tcp.rst=120:
 * tcp.fin=300:udp=300:icmp=300:general=3600:expint=60) but for maxlife:
 * 60 s rather than a week, so that a long download or a tunnel reaches
 * the accounting within a minute, not when it ends.
 */
void fcache_params_default(struct fcache_params *p);

/*
 * Parse pmacct's `nfprobe_timeouts` syntax, "name=secs[:name=secs...]"
 * with names tcp, tcp.rst, tcp.fin, udp, icmp, general, maxlife, expint
 * (seconds, decimal), over the values already in `*p` (so call
 * fcache_params_default() first). FALSE with FT_ERROR_SYNTAX,
 * FT_ERROR_UNKNOWN or FT_ERROR_RANGE (and `*p` unchanged) on bad text.
 */
gboolean fcache_params_parse(const char *s, struct fcache_params *p,
			     GError **err);

/*
 * Called for every finished flow. `rec` is valid only during the call;
 * copy what you keep. The callback must not call back into the cache.
 * Records carry exporter, obs_domain, out_iface, sampling_rate,
 * export_version zero and direction FLOW_DIR_UNKNOWN: the exporter fills
 * what it knows.
 */
typedef void (*fcache_emit_fn)(const struct flowrec *rec, void *ctx);

struct fcache;

/*
 * A cache of at most p->max_flows flows. All memory is allocated here:
 * fcache_flow_size() bytes a flow. NULL if p->max_flows is 0 or 2^31 or
 * more, `emit` is NULL, or memory is short. `emit` and `ctx` are kept for
 * the cache's lifetime.
 */
struct fcache *fcache_new(const struct fcache_params *p, fcache_emit_fn emit,
			  void *ctx);

/* Free the cache without emitting anything (flush first if needed). */
void fcache_free(struct fcache *fc);

/*
 * Account packet `p` (p->ts_ms and p->in_iface set by the caller). May
 * emit: the packet's own flow when it had already timed out (idle or
 * active: the packet then starts a new flow), a FIN/RST-ended flow when a
 * new SYN reuses its key, or, when the cache is full, flows that had
 * timed out by p->ts_ms and else the least recently used flow, with
 * FLOW_END_LACK. No allocation, no system call.
 */
void fcache_add(struct fcache *fc, const struct pkt *p);

/*
 * Emit every flow whose idle or active timeout has passed at `now_ms`
 * (packet time offline, the clock live). Costs O(1 + flows emitted):
 * call it as often as convenient, e.g. every packet or every expint_ms.
 * `now_ms` earlier than a previous call is harmless.
 */
void fcache_expire(struct fcache *fc, uint64_t now_ms);

/* Emit every flow, oldest first, with end reason `why` (FLOW_END_FORCED
 * at shutdown or at the end of an offline capture). */
void fcache_flush(struct fcache *fc, enum flow_end_reason why);

/*
 * Counters. `ended[r]` counts flows emitted with flowEndReason r
 * (ended[FLOW_END_LACK] are the evictions). Octets and packets in =
 * octets and packets out + those still in active flows.
 */
struct fcache_stats {
	uint64_t active;
	uint64_t created;
	uint64_t ended[FLOW_END_LACK + 1];
	uint64_t packets_in;
	uint64_t octets_in;
	uint64_t packets_out;
	uint64_t octets_out;
};

void fcache_stats(const struct fcache *fc, struct fcache_stats *st);

/* Bytes one tracked flow costs: its entry plus its share of the hash
 * table. */
size_t fcache_flow_size(void);

#endif
