/* SPDX-License-Identifier: ISC */
/*
 * IPFIX messages to flow records. A message is first walked with the
 * cursor (header, set lengths, set ids, template records) so that
 * malformed input is counted by reason before libfixbuf sees it, and data
 * sets without a template are cut out. libfixbuf then decodes each record
 * into a struct holding every element we use, and the elements present
 * in the exporter's template pick which counter and time elements count.
 */
#include "config.h"

#include "collector/ipfix.h"

#include <stddef.h>
#include <string.h>
#include <fixbuf/public.h>

#include "common/cursor.h"
#include "common/error.h"
#include "common/log.h"

/* Seconds from the NTP epoch (1900) to the Unix epoch (RFC 7011 6.1.9). */
#define NTP_UNIX_OFFSET 2208988800ull

/*
 * The elements we use: one index per element, the spec array and the C
 * struct in the same order. libfixbuf lays an internal record out
 * packed, in spec order, so widest fields come first and the asserts
 * below check that the struct has no padding. Elements missing from an
 * exporter's template read as zero.
 */
enum ipfix_ix {
	IX_OCTETS,
	IX_PACKETS,
	IX_FLOWS,
	IX_POST_OCTETS,
	IX_POST_PACKETS,
	IX_TOTAL_OCTETS,
	IX_TOTAL_PACKETS,
	IX_START_MS,
	IX_END_MS,
	IX_START_US,
	IX_END_US,
	IX_START_NS,
	IX_END_NS,
	IX_SYS_INIT_MS,
	IX_SRC6,
	IX_DST6,
	IX_SRC4,
	IX_DST4,
	IX_IN_IFACE,
	IX_OUT_IFACE,
	IX_START_UPTIME,
	IX_END_UPTIME,
	IX_START_S,
	IX_END_S,
	IX_START_DELTA_US,
	IX_END_DELTA_US,
	IX_SAMPLING_INTERVAL,
	IX_SAMPLER_RANDOM,
	IX_SAMPLING_PKT_INTERVAL,
	IX_SAMPLING_PKT_SPACE,
	IX_SAMPLING_SIZE,
	IX_SAMPLING_POPULATION,
	IX_SRC_PORT,
	IX_DST_PORT,
	IX_TCP_FLAGS,
	IX_ICMP4,
	IX_ICMP6,
	IX_VLAN,
	IX_POST_VLAN,
	IX_DOT1Q_VLAN,
	IX_SRC_MAC,
	IX_DST_MAC,
	IX_POST_SRC_MAC,
	IX_POST_DST_MAC,
	IX_PROTO,
	IX_TOS,
	IX_SRC_MASK4,
	IX_DST_MASK4,
	IX_SRC_MASK6,
	IX_DST_MASK6,
	IX_DIRECTION,
	IX_END_REASON,
	IX_N
};

_Static_assert(IX_N <= 64, "presence mask is 64 bits");

#define IE(n, l)                                                               \
	{                                                                      \
		(char *)(n), (l), 0                                            \
	}

static fbInfoElementSpec_t ipfix_spec[IX_N + 1] = {
	[IX_OCTETS] = IE("octetDeltaCount", 8),
	[IX_PACKETS] = IE("packetDeltaCount", 8),
	[IX_FLOWS] = IE("deltaFlowCount", 8),
	[IX_POST_OCTETS] = IE("postOctetDeltaCount", 8),
	[IX_POST_PACKETS] = IE("postPacketDeltaCount", 8),
	[IX_TOTAL_OCTETS] = IE("octetTotalCount", 8),
	[IX_TOTAL_PACKETS] = IE("packetTotalCount", 8),
	[IX_START_MS] = IE("flowStartMilliseconds", 8),
	[IX_END_MS] = IE("flowEndMilliseconds", 8),
	[IX_START_US] = IE("flowStartMicroseconds", 8),
	[IX_END_US] = IE("flowEndMicroseconds", 8),
	[IX_START_NS] = IE("flowStartNanoseconds", 8),
	[IX_END_NS] = IE("flowEndNanoseconds", 8),
	[IX_SYS_INIT_MS] = IE("systemInitTimeMilliseconds", 8),
	[IX_SRC6] = IE("sourceIPv6Address", 16),
	[IX_DST6] = IE("destinationIPv6Address", 16),
	[IX_SRC4] = IE("sourceIPv4Address", 4),
	[IX_DST4] = IE("destinationIPv4Address", 4),
	[IX_IN_IFACE] = IE("ingressInterface", 4),
	[IX_OUT_IFACE] = IE("egressInterface", 4),
	[IX_START_UPTIME] = IE("flowStartSysUpTime", 4),
	[IX_END_UPTIME] = IE("flowEndSysUpTime", 4),
	[IX_START_S] = IE("flowStartSeconds", 4),
	[IX_END_S] = IE("flowEndSeconds", 4),
	[IX_START_DELTA_US] = IE("flowStartDeltaMicroseconds", 4),
	[IX_END_DELTA_US] = IE("flowEndDeltaMicroseconds", 4),
	[IX_SAMPLING_INTERVAL] = IE("samplingInterval", 4),
	[IX_SAMPLER_RANDOM] = IE("samplerRandomInterval", 4),
	[IX_SAMPLING_PKT_INTERVAL] = IE("samplingPacketInterval", 4),
	[IX_SAMPLING_PKT_SPACE] = IE("samplingPacketSpace", 4),
	[IX_SAMPLING_SIZE] = IE("samplingSize", 4),
	[IX_SAMPLING_POPULATION] = IE("samplingPopulation", 4),
	[IX_SRC_PORT] = IE("sourceTransportPort", 2),
	[IX_DST_PORT] = IE("destinationTransportPort", 2),
	[IX_TCP_FLAGS] = IE("tcpControlBits", 2),
	[IX_ICMP4] = IE("icmpTypeCodeIPv4", 2),
	[IX_ICMP6] = IE("icmpTypeCodeIPv6", 2),
	[IX_VLAN] = IE("vlanId", 2),
	[IX_POST_VLAN] = IE("postVlanId", 2),
	[IX_DOT1Q_VLAN] = IE("dot1qVlanId", 2),
	[IX_SRC_MAC] = IE("sourceMacAddress", 6),
	[IX_DST_MAC] = IE("destinationMacAddress", 6),
	[IX_POST_SRC_MAC] = IE("postSourceMacAddress", 6),
	[IX_POST_DST_MAC] = IE("postDestinationMacAddress", 6),
	[IX_PROTO] = IE("protocolIdentifier", 1),
	[IX_TOS] = IE("ipClassOfService", 1),
	[IX_SRC_MASK4] = IE("sourceIPv4PrefixLength", 1),
	[IX_DST_MASK4] = IE("destinationIPv4PrefixLength", 1),
	[IX_SRC_MASK6] = IE("sourceIPv6PrefixLength", 1),
	[IX_DST_MASK6] = IE("destinationIPv6PrefixLength", 1),
	[IX_DIRECTION] = IE("flowDirection", 1),
	[IX_END_REASON] = IE("flowEndReason", 1),
	[IX_N] = FB_IESPEC_NULL,
};

struct ipfix_rec {
	uint64_t octets, packets, flows, post_octets, post_packets;
	uint64_t total_octets, total_packets;
	uint64_t start_ms, end_ms, start_us, end_us, start_ns, end_ns;
	uint64_t sys_init_ms;
	uint8_t src6[16], dst6[16];
	uint32_t src4, dst4, in_iface, out_iface;
	uint32_t start_uptime, end_uptime, start_s, end_s;
	uint32_t start_delta_us, end_delta_us;
	uint32_t sampling_interval, sampler_random, sampling_pkt_interval;
	uint32_t sampling_pkt_space, sampling_size, sampling_population;
	uint16_t src_port, dst_port, tcp_flags, icmp4, icmp6;
	uint16_t vlan, post_vlan, dot1q_vlan;
	uint8_t src_mac[6], dst_mac[6], post_src_mac[6], post_dst_mac[6];
	uint8_t proto, tos, src_mask4, dst_mask4, src_mask6, dst_mask6;
	uint8_t direction, end_reason;
};

_Static_assert(offsetof(struct ipfix_rec, src6) == 14 * 8, "u64 block");
_Static_assert(offsetof(struct ipfix_rec, src4) == 14 * 8 + 32, "addr6");
_Static_assert(offsetof(struct ipfix_rec, src_port) == 144 + 16 * 4, "u32");
_Static_assert(offsetof(struct ipfix_rec, src_mac) == 208 + 8 * 2, "u16");
_Static_assert(offsetof(struct ipfix_rec, proto) == 224 + 4 * 6, "macs");
_Static_assert(offsetof(struct ipfix_rec, end_reason) == 255, "u8 block");
_Static_assert(sizeof(struct ipfix_rec) == 256, "no tail padding");

#define IPFIX_MAX_LEN  65535
#define IPFIX_MAX_SETS ((IPFIX_MAX_LEN - IPFIX_HEADER_LEN) / 4)

#define IPFIX_MAX_INTERNAL  256  /* compact internal templates per exporter */
#define IPFIX_MAX_TEMPLATES 4096 /* templates of one domain; more is refused */

/*
 * A compact internal template: only the elements of ours that one
 * exporter template carries, in spec order, so that libfixbuf copies
 * what is there and zero-fills nothing; `f` then places each field in
 * struct ipfix_rec. Exporter templates with the same elements share one.
 * `full` is the whole spec, decoded straight into struct ipfix_rec.
 */
struct ipfix_int {
	uint64_t present;
	uint16_t tid;
	gboolean full;
	uint8_t n;
	struct {
		uint16_t from, to, len;
	} f[IX_N];
};

/* Which of our elements an exporter's template carries. */
struct ipfix_tmpl_info {
	uint64_t present; /* bit IX_... set when the element is there */
	gboolean options; /* an options template: its records are not flows */
	const struct ipfix_int *it;
};

/* libfixbuf's state for one exporter: a session and its buffer. */
struct ipfix_state {
	fBuf_t *fbuf;
	fbSession_t *session;
	struct ipfix_decoder *d;
	GHashTable *ints; /* present mask -> struct ipfix_int */
	struct ipfix_int full;
	uint16_t cur_tid; /* the internal template set on fbuf */
};

struct ipfix_decoder {
	struct exporter_table *exporters;
	struct flow_sink sink;
	struct recv_opts opts;
	fbInfoModel_t *model;
	guint log_handler;
	struct exporter *cur; /* the exporter being decoded, for the log hook */
	uint16_t rec_off[IX_N]; /* where each element sits in ipfix_rec */
	uint8_t scratch[IPFIX_MAX_LEN]; /* a message with sets cut out */
	uint16_t cut[IPFIX_MAX_SETS];   /* indexes of the sets to cut */
};

#define HAS(info, ix) (((info)->present >> (ix)) & 1)

static void
tmpl_info_free(void *tmpl_ctx, void *app_ctx)
{
	g_free(tmpl_ctx);
}

/* The compact internal template for `present`, made on first use. */
static const struct ipfix_int *
internal_for(struct ipfix_state *st, uint64_t present)
{
	struct ipfix_int *it;
	fbTemplate_t *tmpl;
	GError *err = NULL;
	uint16_t at = 0;

	it = g_hash_table_lookup(st->ints, &present);
	if (it != NULL)
		return it;
	if (present == 0 || g_hash_table_size(st->ints) >= IPFIX_MAX_INTERNAL)
		return &st->full;
	it = g_new0(struct ipfix_int, 1);
	it->present = present;
	tmpl = fbTemplateAlloc(st->d->model);
	for (int i = 0; i < IX_N; i++) {
		if (!((present >> i) & 1))
			continue;
		if (!fbTemplateAppendSpec(tmpl, &ipfix_spec[i], 0, &err))
			goto fail;
		it->f[it->n].from = at;
		it->f[it->n].to = st->d->rec_off[i];
		it->f[it->n].len = ipfix_spec[i].len_override;
		at += ipfix_spec[i].len_override;
		it->n++;
	}
	it->tid = fbSessionAddTemplate(st->session, TRUE, FB_TID_AUTO, tmpl,
				       &err);
	if (it->tid == 0)
		goto fail;
	g_hash_table_insert(st->ints, &it->present, it);
	return it;

fail:
	g_clear_error(&err);
	fbTemplateFreeUnused(tmpl);
	g_free(it);
	return &st->full;
}

/* libfixbuf calls this for each new or redefined external template. */
static void
tmpl_new(fbSession_t *session, uint16_t tid, fbTemplate_t *tmpl, void *app_ctx,
	 void **tmpl_ctx, fbTemplateCtxFree_fn *ctx_free)
{
	struct ipfix_tmpl_info *info = g_new0(struct ipfix_tmpl_info, 1);

	for (int i = 0; i < IX_N; i++)
		if (fbTemplateContainsElementByName(tmpl, &ipfix_spec[i]))
			info->present |= UINT64_C(1) << i;
	info->options = fbTemplateGetOptionsScope(tmpl) > 0;
	info->it = internal_for(app_ctx, info->present);
	*tmpl_ctx = info;
	*ctx_free = tmpl_info_free;
}

static void
state_free(void *p)
{
	struct ipfix_state *st = p;

	if (st->fbuf != NULL)
		fBufFree(st->fbuf);
	else if (st->session != NULL)
		fbSessionFree(st->session);
	g_hash_table_destroy(st->ints);
	g_free(st);
}

static struct ipfix_state *
state_new(struct ipfix_decoder *d, GError **err)
{
	struct ipfix_state *st = g_new0(struct ipfix_state, 1);
	fbTemplate_t *tmpl;

	st->d = d;
	st->ints = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
					 g_free);
	st->session = fbSessionAlloc(d->model);
	fbSessionAddNewTemplateCallback(st->session, tmpl_new, st);
	tmpl = fbTemplateAlloc(d->model);
	if (!fbTemplateAppendSpecArray(tmpl, ipfix_spec, UINT32_MAX, err)) {
		fbTemplateFreeUnused(tmpl);
		goto fail;
	}
	st->full.full = TRUE;
	st->full.tid =
		fbSessionAddTemplate(st->session, TRUE, FB_TID_AUTO, tmpl, err);
	if (st->full.tid == 0) {
		fbTemplateFreeUnused(tmpl);
		goto fail;
	}
	st->fbuf = fBufAllocForCollection(st->session, NULL);
	fBufSetAutomaticMode(st->fbuf, FALSE);
	if (!fBufSetInternalTemplate(st->fbuf, st->full.tid, err))
		goto fail;
	st->cur_tid = st->full.tid;
	return st;

fail:
	state_free(st);
	return NULL;
}

/*
 * libfixbuf logs through GLib with no log domain. While a message is
 * being decoded its warnings become counters of that exporter: a set
 * with no template, or a set it could not read. It also warns for each
 * message out of sequence, which we track ourselves. Anything else, and
 * anything outside a decode, goes to the debug log.
 */
static void
fixbuf_log(const gchar *domain, GLogLevelFlags flags, const gchar *msg,
	   gpointer data)
{
	struct ipfix_decoder *d = data;

	if (d->cur != NULL) {
		if (g_str_has_prefix(msg, "IPFIX Message out of sequence"))
			return;
		if (strstr(msg, "Missing external template") != NULL) {
			exporter_drop(d->exporters, d->cur,
				      EXPORTER_DROP_NO_TEMPLATE);
			return;
		}
		if (g_str_has_prefix(msg, "Skipping")) {
			exporter_drop(d->exporters, d->cur,
				      EXPORTER_DROP_DECODE);
			return;
		}
	}
	log_debug("libfixbuf: %s", msg);
}

struct ipfix_decoder *
ipfix_decoder_new(struct exporter_table *exporters,
		  const struct flow_sink *sink, const struct recv_opts *opts,
		  GError **err)
{
	struct ipfix_decoder *d = g_new0(struct ipfix_decoder, 1);

	d->exporters = exporters;
	d->sink = *sink;
	d->opts = *opts;
	d->model = fbInfoModelAlloc();
	for (int i = 1; i < IX_N; i++)
		d->rec_off[i] =
			d->rec_off[i - 1] + ipfix_spec[i - 1].len_override;
	exporter_table_set_free(exporters, EXPORTER_SLOT_IPFIX, state_free);
	d->log_handler = g_log_set_handler(
		NULL, G_LOG_LEVEL_MASK & ~(G_LOG_LEVEL_ERROR), fixbuf_log, d);
	return d;
}

void
ipfix_decoder_free(struct ipfix_decoder *d)
{
	if (d == NULL)
		return;
	g_log_remove_handler(NULL, d->log_handler);
	fbInfoModelFree(d->model);
	g_free(d);
}

/* The message header, RFC 7011 3.1. */
struct ipfix_header {
	uint16_t version;
	uint16_t length;
	uint32_t export_time;
	uint32_t seq;
	uint32_t domain;
};

/* Check the header (RFC 7011 3.1): EXPORTER_DROP_N when it is sound. */
static enum exporter_drop
check_header(const uint8_t *msg, size_t len, struct ipfix_header *h)
{
	struct cursor c;

	cur_init(&c, msg, len);
	if (cur_u16(&c, &h->version) == -1 || cur_u16(&c, &h->length) == -1 ||
	    cur_u32(&c, &h->export_time) == -1 || cur_u32(&c, &h->seq) == -1 ||
	    cur_u32(&c, &h->domain) == -1)
		return EXPORTER_DROP_SHORT;
	if (h->length != len)
		return EXPORTER_DROP_LENGTH;
	return EXPORTER_DROP_N;
}

/* The next set of a checked message: its id and body; FALSE at the end. */
static gboolean
next_set(struct cursor *c, uint16_t *id, struct cursor *body)
{
	uint16_t slen = 0;

	*id = 0;
	cur_init(body, NULL, 0);
	return cur_u16(c, id) == 0 && cur_u16(c, &slen) == 0 && slen >= 4 &&
	       cur_sub(c, slen - 4, body) == 0;
}

/* Every set header (RFC 7011 3.3.1, 3.3.2), before anything is used. */
static enum exporter_drop
check_sets(const uint8_t *msg, size_t len)
{
	struct cursor c, body;
	uint16_t id = 0, slen = 0;

	cur_init(&c, msg + IPFIX_HEADER_LEN, len - IPFIX_HEADER_LEN);
	while (cur_left(&c) > 0) {
		if (cur_u16(&c, &id) == -1 || cur_u16(&c, &slen) == -1 ||
		    slen < 4)
			return EXPORTER_DROP_SET_LENGTH;
		if (cur_sub(&c, slen - 4, &body) == -1)
			return EXPORTER_DROP_SET_OVERRUN;
		if (id < 2 || (id > 3 && id < 256))
			return EXPORTER_DROP_SET_ID;
	}
	return EXPORTER_DROP_N;
}

static gboolean
is_set_kind(gpointer key, gpointer value, gpointer kind)
{
	return value == kind;
}

/* A withdrawal (RFC 7011 8.1): one template, or all of a set kind. */
static void
withdraw(GHashTable *known, uint16_t tid, uint16_t set_id)
{
	if (tid == set_id)
		g_hash_table_foreach_remove(known, is_set_kind,
					    GUINT_TO_POINTER(set_id));
	else
		g_hash_table_remove(known, GUINT_TO_POINTER(tid));
}

/* One template record (RFC 7011 3.4.1, 3.4.2): 1 done, 0 padding, -1. */
static int
template_record(struct cursor *c, uint16_t set_id, GHashTable *known)
{
	uint16_t tid, count, scope, ie, flen;

	if (cur_u16(c, &tid) == -1 || cur_u16(c, &count) == -1)
		return -1;
	if (tid == 0 && count == 0)
		return 0;
	if (count == 0 && (tid >= 256 || tid == set_id)) {
		withdraw(known, tid, set_id);
		return 1;
	}
	if (tid < 256)
		return -1;
	/* Bounded, like libfixbuf's copy of them: see IPFIX_MAX_TEMPLATES. */
	if (g_hash_table_size(known) >= IPFIX_MAX_TEMPLATES &&
	    !g_hash_table_contains(known, GUINT_TO_POINTER(tid)))
		return -1;
	if (set_id == 3 &&
	    (cur_u16(c, &scope) == -1 || scope == 0 || scope > count))
		return -1;
	for (uint16_t i = 0; i < count; i++) {
		if (cur_u16(c, &ie) == -1 || cur_u16(c, &flen) == -1)
			return -1;
		if ((ie & 0x8000) && cur_skip(c, 4) == -1)
			return -1;
	}
	g_hash_table_insert(known, GUINT_TO_POINTER(tid),
			    GUINT_TO_POINTER(set_id));
	return 1;
}

/*
 * Follow the templates of the message in wire order and list the data
 * sets whose template is not known at that point: libfixbuf must not see
 * those, as 2.4 loops forever on a data set of a withdrawn template.
 * Returns how many were listed in `cut`, or -1 for a malformed template.
 */
static int
follow_templates(const uint8_t *msg, size_t len, GHashTable *known,
		 uint16_t *cut)
{
	struct cursor c, body;
	uint16_t id;
	int n = 0, rc;

	cur_init(&c, msg + IPFIX_HEADER_LEN, len - IPFIX_HEADER_LEN);
	for (uint16_t i = 0; next_set(&c, &id, &body); i++) {
		if (id == 2 || id == 3) {
			rc = 1;
			while (rc == 1 && cur_left(&body) >= 4)
				rc = template_record(&body, id, known);
			if (rc == -1)
				return -1;
		} else if (!g_hash_table_contains(known,
						  GUINT_TO_POINTER(id))) {
			cut[n++] = i;
		}
	}
	return n;
}

/* Copy the message into `out` without the `n` sets listed in `cut`. */
static size_t
cut_sets(const uint8_t *msg, size_t len, const uint16_t *cut, int n,
	 uint8_t *out)
{
	struct cursor c, body;
	size_t olen = IPFIX_HEADER_LEN;
	uint16_t id;
	int k = 0;

	memcpy(out, msg, IPFIX_HEADER_LEN);
	cur_init(&c, msg + IPFIX_HEADER_LEN, len - IPFIX_HEADER_LEN);
	for (uint16_t i = 0; next_set(&c, &id, &body); i++) {
		if (k < n && cut[k] == i) {
			k++;
			continue;
		}
		memcpy(out + olen, body.buf - 4, body.len + 4);
		olen += body.len + 4;
	}
	out[2] = (uint8_t)(olen >> 8);
	out[3] = (uint8_t)olen;
	return olen;
}

static uint64_t
ntp_to_ms(uint64_t ntp)
{
	uint64_t secs = ntp >> 32;
	uint64_t frac = ntp & 0xffffffffu;

	if (secs < NTP_UNIX_OFFSET)
		return 0;
	return (secs - NTP_UNIX_OFFSET) * 1000 + ((frac * 1000) >> 32);
}

/* One end of the flow, from whichever time element the template has. */
static uint64_t
flow_time(const struct ipfix_tmpl_info *info, uint64_t ms, uint64_t us,
	  uint64_t ns, uint32_t s, uint32_t delta_us, uint32_t uptime,
	  int ix_ms, uint64_t sys_init_ms, uint64_t export_ms)
{
	/* The other elements sit at fixed distances from the ms one. */
	if (HAS(info, ix_ms))
		return ms;
	if (HAS(info, ix_ms + IX_START_US - IX_START_MS))
		return ntp_to_ms(us);
	if (HAS(info, ix_ms + IX_START_NS - IX_START_MS))
		return ntp_to_ms(ns);
	if (HAS(info, ix_ms + IX_START_S - IX_START_MS))
		return (uint64_t)s * 1000;
	if (HAS(info, ix_ms + IX_START_DELTA_US - IX_START_MS))
		return export_ms - delta_us / 1000;
	/*
	 * XXX sysUpTime-relative times (RFC 5102 22/21) need
	 * systemInitTimeMilliseconds; without it they get the export time.
	 */
	if (HAS(info, ix_ms + IX_START_UPTIME - IX_START_MS) && sys_init_ms)
		return sys_init_ms + uptime;
	return export_ms;
}

_Static_assert(IX_END_US - IX_END_MS == IX_START_US - IX_START_MS, "times");
_Static_assert(IX_END_NS - IX_END_MS == IX_START_NS - IX_START_MS, "times");
_Static_assert(IX_END_S - IX_END_MS == IX_START_S - IX_START_MS, "times");
_Static_assert(IX_END_DELTA_US - IX_END_MS == IX_START_DELTA_US - IX_START_MS,
	       "times");
_Static_assert(IX_END_UPTIME - IX_END_MS == IX_START_UPTIME - IX_START_MS,
	       "times");

/* A 1-in-N rate from the sampling elements present, 0 if none. */
static uint32_t
sampling_rate(const struct ipfix_tmpl_info *info, const struct ipfix_rec *r)
{
	uint64_t n;

	if (HAS(info, IX_SAMPLING_POPULATION) && r->sampling_size != 0)
		return r->sampling_population / r->sampling_size;
	if (HAS(info, IX_SAMPLING_PKT_SPACE) && r->sampling_pkt_interval) {
		n = (uint64_t)r->sampling_pkt_interval + r->sampling_pkt_space;
		return (uint32_t)MIN(n / r->sampling_pkt_interval, UINT32_MAX);
	}
	if (HAS(info, IX_SAMPLING_INTERVAL))
		return r->sampling_interval;
	if (HAS(info, IX_SAMPLER_RANDOM))
		return r->sampler_random;
	return 0;
}

static void
fill_addrs(struct flowrec *fr, const struct ipfix_tmpl_info *info,
	   const struct ipfix_rec *r)
{
	uint32_t a;

	if (HAS(info, IX_SRC4) || HAS(info, IX_DST4)) {
		a = htonl(r->src4);
		ft_addr_set4(&fr->src, &a);
		a = htonl(r->dst4);
		ft_addr_set4(&fr->dst, &a);
		fr->src_mask = r->src_mask4;
		fr->dst_mask = r->dst_mask4;
	} else if (HAS(info, IX_SRC6) || HAS(info, IX_DST6)) {
		ft_addr_set6(&fr->src, r->src6);
		ft_addr_set6(&fr->dst, r->dst6);
		fr->src_mask = r->src_mask6;
		fr->dst_mask = r->dst_mask6;
	}
}

/* Counters: the delta elements, else the totals, else the post ones. */
static void
fill_counters(struct flowrec *fr, const struct ipfix_tmpl_info *info,
	      const struct ipfix_rec *r)
{
	if (HAS(info, IX_OCTETS))
		fr->octets = r->octets;
	else if (HAS(info, IX_TOTAL_OCTETS))
		fr->octets = r->total_octets;
	else
		fr->octets = r->post_octets;
	if (HAS(info, IX_PACKETS))
		fr->packets = r->packets;
	else if (HAS(info, IX_TOTAL_PACKETS))
		fr->packets = r->total_packets;
	else
		fr->packets = r->post_packets;
	fr->flows = r->flows != 0 ? r->flows : 1;
}

static void
fill_l2l4(struct flowrec *fr, const struct ipfix_tmpl_info *info,
	  const struct ipfix_rec *r)
{
	fr->proto = r->proto;
	fr->tos = r->tos;
	fr->tcp_flags = (uint8_t)r->tcp_flags;
	fr->src_port = r->src_port;
	fr->dst_port = r->dst_port;
	if ((r->proto == 1 || r->proto == 58) && r->dst_port == 0) {
		fr->src_port = 0;
		fr->dst_port = r->proto == 1 ? r->icmp4 : r->icmp6;
	}
	memcpy(fr->src_mac,
	       HAS(info, IX_SRC_MAC) ? r->src_mac : r->post_src_mac, 6);
	memcpy(fr->dst_mac,
	       HAS(info, IX_DST_MAC) ? r->dst_mac : r->post_dst_mac, 6);
	if (HAS(info, IX_VLAN))
		fr->vlan = r->vlan;
	else if (HAS(info, IX_DOT1Q_VLAN))
		fr->vlan = r->dot1q_vlan;
	else
		fr->vlan = r->post_vlan;
	fr->in_iface = r->in_iface;
	fr->out_iface = r->out_iface;
	fr->direction =
		HAS(info, IX_DIRECTION) ? r->direction : FLOW_DIR_UNKNOWN;
	fr->end_reason = r->end_reason;
}

/* Sampling: the record's own rate, the domain's, or the configured one. */
static void
fill_sampling(struct ipfix_decoder *d, struct flowrec *fr,
	      const struct ipfix_tmpl_info *info, const struct ipfix_rec *r,
	      const struct exporter_domain *dom)
{
	uint32_t rate = sampling_rate(info, r);

	if (rate == 0)
		rate = dom->sampling;
	if (d->opts.ext_sampling_rate != 0)
		rate = d->opts.ext_sampling_rate;
	fr->sampling_rate = rate;
	if (d->opts.renormalize && rate > 1) {
		fr->octets *= rate;
		fr->packets *= rate;
	}
}

static void
data_record(struct ipfix_decoder *d, struct exporter *exp,
	    struct exporter_domain *dom, const struct ipfix_tmpl_info *info,
	    const struct ipfix_rec *r, uint64_t export_ms, uint64_t now_ms)
{
	struct flowrec fr;
	uint64_t init =
		HAS(info, IX_SYS_INIT_MS) ? r->sys_init_ms : dom->sys_init_ms;

	memset(&fr, 0, sizeof(fr));
	fill_addrs(&fr, info, r);
	fill_counters(&fr, info, r);
	fill_l2l4(&fr, info, r);
	fr.start_ms = flow_time(info, r->start_ms, r->start_us, r->start_ns,
				r->start_s, r->start_delta_us, r->start_uptime,
				IX_START_MS, init, export_ms);
	fr.end_ms = flow_time(info, r->end_ms, r->end_us, r->end_ns, r->end_s,
			      r->end_delta_us, r->end_uptime, IX_END_MS, init,
			      export_ms);
	if (d->opts.time_new)
		fr.start_ms = fr.end_ms = now_ms;
	fr.exporter = exp->addr;
	fr.obs_domain = dom->id;
	fr.export_version = IPFIX_VERSION;
	dom->records++;
	dom->octets += fr.octets;
	dom->packets += fr.packets;
	fill_sampling(d, &fr, info, r, dom);
	d->sink.fn(d->sink.data, &fr);
}

/* Options records are not flows; they may announce a sampling rate. */
static void
options_record(struct exporter_domain *dom, const struct ipfix_tmpl_info *info,
	       const struct ipfix_rec *r)
{
	uint32_t rate = sampling_rate(info, r);

	dom->options++;
	if (rate != 0)
		dom->sampling = rate;
	if (HAS(info, IX_SYS_INIT_MS))
		dom->sys_init_ms = r->sys_init_ms;
}

static struct ipfix_state *
exporter_state(struct ipfix_decoder *d, struct exporter *exp)
{
	GError *err = NULL;

	if (exp->state[EXPORTER_SLOT_IPFIX] == NULL) {
		exp->state[EXPORTER_SLOT_IPFIX] = state_new(d, &err);
		/* Only a libfixbuf that lacks our elements fails here. */
		g_clear_error(&err);
	}
	return exp->state[EXPORTER_SLOT_IPFIX];
}

/* Place the fields of a compact record where struct ipfix_rec has them. */
static void
unpack(const struct ipfix_int *it, const uint8_t *raw, struct ipfix_rec *r)
{
	uint8_t *to = (uint8_t *)r;

	memset(r, 0, sizeof(*r));
	for (uint8_t i = 0; i < it->n; i++)
		memcpy(to + it->f[i].to, raw + it->f[i].from, it->f[i].len);
}

/* The next record, in the internal template its exporter template wants. */
static const struct ipfix_tmpl_info *
next_record(struct ipfix_state *st, struct ipfix_rec *r, GError **err)
{
	static const struct ipfix_tmpl_info none;
	const struct ipfix_tmpl_info *info;
	uint8_t raw[sizeof(*r)];
	fbTemplate_t *tmpl;
	size_t rlen = sizeof(raw);

	tmpl = fBufNextCollectionTemplate(st->fbuf, NULL, err);
	if (tmpl == NULL)
		return NULL;
	info = fbTemplateGetContext(tmpl);
	if (info == NULL)
		info = &none;
	if (info->it != NULL && info->it->tid != st->cur_tid) {
		if (!fBufSetInternalTemplate(st->fbuf, info->it->tid, err))
			return NULL;
		st->cur_tid = info->it->tid;
	}
	if (info->it == NULL || info->it->full)
		return fBufNext(st->fbuf, (uint8_t *)r, &rlen, err) ? info
								    : NULL;
	if (!fBufNext(st->fbuf, raw, &rlen, err))
		return NULL;
	unpack(info->it, raw, r);
	return info;
}

/* Run libfixbuf over the message; returns the records it gave. */
static uint32_t
decode_records(struct ipfix_decoder *d, struct ipfix_state *st,
	       struct exporter *exp, struct exporter_domain *dom,
	       uint64_t export_ms, uint64_t now_ms)
{
	const struct ipfix_tmpl_info *info;
	struct ipfix_rec r;
	GError *err = NULL;
	uint32_t n = 0;

	while ((info = next_record(st, &r, &err)) != NULL) {
		n++;
		if (info->it == NULL)
			continue;
		if (info->options)
			options_record(dom, info, &r);
		else
			data_record(d, exp, dom, info, &r, export_ms, now_ms);
	}
	if (!g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM) &&
	    !g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_BUFSZ))
		exporter_drop(d->exporters, exp, EXPORTER_DROP_DECODE);
	g_clear_error(&err);
	return n;
}

/* Sequence numbers count data records per domain (RFC 7011 3.1). */
static void
track_sequence(struct exporter_domain *dom, uint32_t seq)
{
	uint32_t gap;

	if (dom->seq_valid && seq != dom->next_seq) {
		dom->out_of_seq++;
		gap = seq - dom->next_seq;
		if (gap < UINT32_C(0x80000000))
			dom->lost += gap;
	}
	dom->seq_valid = TRUE;
	dom->next_seq = seq;
}

void
ipfix_decode(struct ipfix_decoder *d, struct exporter *exp, uint8_t *msg,
	     size_t len, uint64_t now_ms)
{
	struct ipfix_header h;
	struct exporter_domain *dom;
	struct ipfix_state *st;
	enum exporter_drop bad;
	int unknown;
	uint32_t n;

	bad = check_header(msg, len, &h);
	if (bad == EXPORTER_DROP_N)
		bad = check_sets(msg, len);
	if (bad != EXPORTER_DROP_N) {
		exporter_drop(d->exporters, exp, bad);
		return;
	}
	dom = exporter_domain(d->exporters, exp, h.domain);
	if (dom == NULL)
		return;
	st = exporter_state(d, exp);
	if (st == NULL) {
		exporter_drop(d->exporters, exp, EXPORTER_DROP_DECODE);
		return;
	}
	unknown = follow_templates(msg, len, dom->templates, d->cut);
	if (unknown == -1) {
		exporter_drop(d->exporters, exp, EXPORTER_DROP_TEMPLATE);
		return;
	}
	for (int i = 0; i < unknown; i++)
		exporter_drop(d->exporters, exp, EXPORTER_DROP_NO_TEMPLATE);
	if (unknown > 0) {
		len = cut_sets(msg, len, d->cut, unknown, d->scratch);
		msg = d->scratch;
	}
	dom->messages++;
	track_sequence(dom, h.seq);

	d->cur = exp;
	fBufSetBuffer(st->fbuf, msg, len);
	n = decode_records(d, st, exp, dom, (uint64_t)h.export_time * 1000,
			   now_ms);
	d->cur = NULL;
	dom->next_seq = h.seq + n;
}
